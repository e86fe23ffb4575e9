//! `/link`: one person, several platform identities. A code made on one
//! account, redeemed from another, merges the second account's person into
//! the first, so one payment opens the doors everywhere.

use std::collections::BTreeSet;

use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set};

mod merge;

use crate::domain::{IdentityRef, Locale};
use crate::entity::{history, identity, link_code, member};
use crate::error::{CoreError, CoreResult, UserError};
use crate::store::access::{Cause, held_perks, notify_identities, perk_diff, tier_by_id};
use crate::store::membership::{entitlement_of, find_member};
use crate::store::people::{find_identity, identities_of, identity_string};
use crate::store::sync::CommunityCtx;

// No 0/O or 1/I: codes are read off one screen and typed on another.
const CODE_LEN: usize = 8;
pub const CODE_TTL_SECS: i64 = 600;

pub fn normalize(code: &str) -> String {
    code.chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .collect::<String>()
        .to_ascii_uppercase()
}

pub async fn create_code<C: ConnectionTrait>(conn: &C, person_id: i64, now: i64) -> CoreResult<String> {
    let code = crate::domain::code::random_code(CODE_LEN);
    link_code::ActiveModel {
        code: Set(code.clone()),
        person_id: Set(person_id),
        created_at: Set(now),
        expires_at: Set(now + CODE_TTL_SECS),
        used_at: Set(None),
        ..Default::default()
    }
    .insert(conn)
    .await?;
    Ok(code)
}

async fn perks_in<C: ConnectionTrait>(
    conn: &C,
    ctx: &CommunityCtx,
    m: Option<&member::Model>,
) -> CoreResult<BTreeSet<String>> {
    match m {
        Some(m) => held_perks(conn, ctx, m).await,
        None => Ok(BTreeSet::new()),
    }
}

async fn record_link<C: ConnectionTrait>(
    conn: &C,
    m: &member::Model,
    actor: &IdentityRef,
    note: String,
    now: i64,
) -> CoreResult<()> {
    let e = entitlement_of(conn, m.id)
        .await?
        .ok_or_else(|| CoreError::Corrupt("member without entitlement row".into()))?;
    let tier = tier_by_id(conn, e.tier_id).await?.map(|t| t.key);
    history::ActiveModel {
        member_id: Set(m.id),
        at: Set(now),
        from_status: Set(e.status),
        to_status: Set(e.status),
        from_tier: Set(tier.clone()),
        to_tier: Set(tier),
        access_until: Set(e.access_until),
        cause: Set(Cause::Link),
        actor: Set(Some(actor.to_string())),
        note: Set(Some(note)),
        ..Default::default()
    }
    .insert(conn)
    .await?;
    Ok(())
}

/// Redeems `code` for `invoker`, returning every identity the person now has.
pub async fn redeem<C: ConnectionTrait>(
    conn: &C,
    communities: &[CommunityCtx],
    code: &str,
    invoker: &IdentityRef,
    display_name: Option<&str>,
    locale: Option<Locale>,
    now: i64,
) -> CoreResult<Vec<String>> {
    let row = link_code::Entity::find()
        .filter(link_code::Column::Code.eq(normalize(code)))
        .one(conn)
        .await?
        .ok_or(UserError::LinkCodeInvalid)?;
    if row.used_at.is_some() {
        return Err(UserError::LinkCodeUsed.into());
    }
    if row.expires_at <= now {
        return Err(UserError::LinkCodeExpired.into());
    }
    let winner = row.person_id;
    let winner_idents = identities_of(conn, winner).await?;
    let mine = find_identity(conn, invoker).await?;
    if mine.as_ref().is_some_and(|i| i.person_id == winner) {
        return Err(UserError::AlreadyLinked.into());
    }
    let loser_idents = match &mine {
        Some(i) => identities_of(conn, i.person_id).await?,
        None => Vec::new(),
    };
    let incoming: Vec<&str> = if loser_idents.is_empty() {
        vec![invoker.platform().as_str()]
    } else {
        loser_idents.iter().map(|i| i.platform.as_str()).collect()
    };
    if let Some(clash) = winner_idents
        .iter()
        .find(|w| incoming.contains(&w.platform.as_str()))
    {
        return Err(UserError::PlatformAlreadyLinked {
            platform: clash.platform.clone(),
        }
        .into());
    }

    let mut used: link_code::ActiveModel = row.into();
    used.used_at = Set(Some(now));
    used.update(conn).await?;

    let moved: Vec<identity::Model> = match mine {
        None => vec![
            identity::ActiveModel {
                person_id: Set(winner),
                platform: Set(invoker.platform().as_str().to_owned()),
                external_id: Set(invoker.external_id().to_owned()),
                display_name: Set(display_name.map(str::to_owned)),
                locale: Set(locale.map(|l| l.tag().to_owned())),
                created_at: Set(now),
                ..Default::default()
            }
            .insert(conn)
            .await?,
        ],
        Some(_) => loser_idents,
    };
    let loser = moved.first().map(|i| i.person_id).filter(|p| *p != winner);
    let note = moved.iter().map(identity_string).collect::<Vec<_>>().join(", ");

    for ctx in communities {
        let w_member = find_member(conn, ctx.id, winner).await?;
        let l_member = match loser {
            Some(p) => find_member(conn, ctx.id, p).await?,
            None => None,
        };
        let winner_before = perks_in(conn, ctx, w_member.as_ref()).await?;
        let loser_before = perks_in(conn, ctx, l_member.as_ref()).await?;
        let merged = match (w_member, l_member) {
            (Some(w), Some(l)) => {
                merge::members(conn, &w, l, now).await?;
                Some(w)
            }
            (None, Some(l)) => {
                let mut a: member::ActiveModel = l.into();
                a.person_id = Set(winner);
                Some(a.update(conn).await?)
            }
            (w, None) => w,
        };
        let Some(m) = merged else { continue };
        record_link(conn, &m, invoker, note.clone(), now).await?;
        let after = perks_in(conn, ctx, Some(&m)).await?;
        let winner_effects = perk_diff(&winner_before, &after);
        let moved_effects = perk_diff(&loser_before, &after);
        notify_identities(conn, ctx, &winner_idents, |_| winner_effects.clone(), now).await?;
        notify_identities(conn, ctx, &moved, |_| moved_effects.clone(), now).await?;
    }

    if let Some(loser) = loser {
        merge::people(conn, winner, loser).await?;
    }
    Ok(identities_of(conn, winner)
        .await?
        .iter()
        .map(identity_string)
        .collect())
}
