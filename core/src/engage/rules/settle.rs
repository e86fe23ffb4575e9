//! What follows a change of points, on the same transaction: the stored
//! level catches up with lifetime points, level reward perks are granted or
//! withdrawn through the outbox, badges whose threshold was crossed are
//! awarded (once each), and the member is told.

use std::collections::{BTreeSet, HashMap, HashSet};

use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set, TryInsertResult};

use crate::config::{BadgeRule, Community, Levels};
use crate::domain::{Key, Locale};
use crate::engage::rules::levels::level_for;
use crate::entity::kinds::{GrantSource, LedgerSource};
use crate::entity::{badge, member, perk_grant, score};
use crate::error::CoreResult;
use crate::outbox::{EffectKind, Letters};
use crate::reply::Notice;
use crate::store::access::{address, held_perks, notify_person, perk_diff};
use crate::store::chunked::rows_in;
use crate::store::people::identities_by_person;
use crate::store::scores::Moved;
use crate::store::sync::CommunityCtx;

/// The keys of the community's badges whose rule passes `test`; callers
/// test for the rules their event can satisfy.
pub fn crossed(c: &Community, test: impl Fn(BadgeRule) -> bool) -> Vec<Key> {
    c.badges
        .iter()
        .filter(|b| test(b.rule))
        .map(|b| b.key.clone())
        .collect()
}

/// Whether lifetime points moving from `before` to `after` reach a new
/// level or a points or level badge: what settle() would act on.
pub fn reaches(c: &Community, before: i64, after: i64) -> bool {
    let (old, new) = (level_for(&c.levels, before), level_for(&c.levels, after));
    old != new
        || !crossed(c, |rule| match rule {
            BadgeRule::Points(t) => before < t && t <= after,
            BadgeRule::Level(l) => old < l && l <= new,
            _ => false,
        })
        .is_empty()
}

/// Awards the badges not yet held; returns the ones newly awarded.
pub async fn award_badges<C: ConnectionTrait>(
    conn: &C,
    member_id: i64,
    keys: &[Key],
    now: i64,
) -> CoreResult<Vec<Key>> {
    let due = [(member_id, keys.to_vec())];
    let mut earned = award_badges_to(conn, &due, now).await?;
    Ok(earned.remove(&member_id).unwrap_or_default())
}

/// Awards each listed member the badges of its list not yet held, a few
/// hundred per statement; returns what each member newly earned.
async fn award_badges_to<C: ConnectionTrait>(
    conn: &C,
    due: &[(i64, Vec<Key>)],
    now: i64,
) -> CoreResult<HashMap<i64, Vec<Key>>> {
    let mut rows = Vec::new();
    for (member_id, keys) in due {
        rows.extend(keys.iter().map(|key| badge::ActiveModel {
            member_id: Set(*member_id),
            badge_key: Set(key.to_string()),
            awarded_at: Set(now),
            ..Default::default()
        }));
    }
    let mut rows = rows.into_iter().peekable();
    // Only rows actually inserted come back, so a badge already held is
    // neither awarded nor announced twice, even if another transaction
    // awarded it a moment ago.
    let mut inserted: HashSet<(i64, String)> = HashSet::new();
    while rows.peek().is_some() {
        let written = badge::Entity::insert_many(rows.by_ref().take(500))
            .on_conflict_do_nothing_on([badge::Column::MemberId, badge::Column::BadgeKey])
            .exec_with_returning_many(conn)
            .await?;
        if let TryInsertResult::Inserted(models) = written {
            inserted.extend(models.into_iter().map(|b| (b.member_id, b.badge_key)));
        }
    }
    let mut out = HashMap::new();
    for (member_id, keys) in due {
        let earned: Vec<Key> = keys
            .iter()
            .filter(|k| inserted.contains(&(*member_id, k.to_string())))
            .cloned()
            .collect();
        if !earned.is_empty() {
            out.insert(*member_id, earned);
        }
    }
    Ok(out)
}

/// Reward perks a member at `level` holds.
pub fn reward_perks(levels: &Levels, level: u32) -> BTreeSet<String> {
    let mut reached = levels.rewards.iter().filter(|(l, _)| *l <= level);
    if levels.stack_rewards {
        reached.map(|(_, p)| p.to_string()).collect()
    } else {
        reached
            .next_back()
            .map(|(_, p)| p.to_string())
            .into_iter()
            .collect()
    }
}

/// Tells the member what they earned (level, badges) in each of their
/// languages, along with any perk changes.
pub async fn tell<C: ConnectionTrait>(
    conn: &C,
    ctx: &CommunityCtx,
    m: &member::Model,
    level_up: Option<u32>,
    badges: &[Key],
    perk_effects: Vec<EffectKind>,
    now: i64,
) -> CoreResult<()> {
    if level_up.is_none() && badges.is_empty() && perk_effects.is_empty() {
        return Ok(());
    }
    let effects_in = |locale| news(&ctx.config, locale, level_up, badges, &perk_effects);
    notify_person(conn, ctx, m.person_id, effects_in, now).await
}

/// The effects that tell a member, in `locale`, of a level reached and
/// badges earned, after the perk changes that came with them.
fn news(
    c: &Community,
    locale: Locale,
    level_up: Option<u32>,
    badges: &[Key],
    perk_effects: &[EffectKind],
) -> Vec<EffectKind> {
    let community = c.name.get(locale, c.default_locale).to_owned();
    let mut effects = perk_effects.to_vec();
    if let Some(level) = level_up.filter(|_| c.levels.announce) {
        effects.push(EffectKind::SendMessage {
            notice: Notice::LevelUp {
                community: community.clone(),
                level,
            },
        });
    }
    for key in badges {
        if let Some(b) = c.badges.iter().find(|b| &b.key == key) {
            effects.push(EffectKind::SendMessage {
                notice: Notice::BadgeEarned {
                    community: community.clone(),
                    badge: b.name.get(locale, c.default_locale).to_owned(),
                },
            });
        }
    }
    effects
}

/// Brings the level reward perks of members whose level changed in line
/// with their new levels; returns each changed member's grant/revoke
/// effects. One query finds what everyone holds; only members whose
/// rewards differ take statements of their own.
async fn sync_rewards_of<C: ConnectionTrait>(
    conn: &C,
    ctx: &CommunityCtx,
    members: &HashMap<i64, member::Model>,
    levels: &[(i64, u32)],
    now: i64,
) -> CoreResult<HashMap<i64, Vec<EffectKind>>> {
    let ids: Vec<i64> = levels.iter().map(|(m, _)| *m).collect();
    let granted = perk_grant::Entity::find().filter(perk_grant::Column::Source.eq(GrantSource::Level));
    let mut held: HashMap<i64, BTreeSet<String>> = HashMap::new();
    for g in rows_in(conn, granted, perk_grant::Column::MemberId, &ids).await? {
        held.entry(g.member_id).or_default().insert(g.perk);
    }
    let mut out = HashMap::new();
    for (id, level) in levels {
        let want = reward_perks(&ctx.config.levels, *level);
        let have = held.remove(id).unwrap_or_default();
        if let Some(m) = members.get(id).filter(|_| want != have) {
            out.insert(*id, sync_rewards(conn, ctx, m, &want, &have, now).await?);
        }
    }
    Ok(out)
}

/// Moves one member's level reward perks from `have` to `want`; returns the
/// grant/revoke effects.
async fn sync_rewards<C: ConnectionTrait>(
    conn: &C,
    ctx: &CommunityCtx,
    m: &member::Model,
    want: &BTreeSet<String>,
    have: &BTreeSet<String>,
    now: i64,
) -> CoreResult<Vec<EffectKind>> {
    let before = held_perks(conn, ctx, m).await?;
    let gone: Vec<&String> = have.difference(want).collect();
    if !gone.is_empty() {
        perk_grant::Entity::delete_many()
            .filter(perk_grant::Column::MemberId.eq(m.id))
            .filter(perk_grant::Column::Source.eq(GrantSource::Level))
            .filter(perk_grant::Column::Perk.is_in(gone.into_iter().cloned()))
            .exec(conn)
            .await?;
    }
    for perk in want.difference(have) {
        let grant = perk_grant::ActiveModel {
            member_id: Set(m.id),
            perk: Set(perk.clone()),
            source: Set(GrantSource::Level),
            until: Set(None),
            created_at: Set(now),
            ..Default::default()
        };
        perk_grant::Entity::insert(grant)
            .exec_without_returning(conn)
            .await?;
    }
    let after = held_perks(conn, ctx, m).await?;
    Ok(perk_diff(&before, &after))
}

/// Tells the member about points given or taken by hand (an admin, a
/// referral), with the reason.
pub async fn tell_points<C: ConnectionTrait>(
    conn: &C,
    ctx: &CommunityCtx,
    m: &member::Model,
    points: i64,
    reason: &str,
    balance: i64,
    now: i64,
) -> CoreResult<()> {
    let c = &ctx.config;
    let effects_in = |locale: Locale| {
        vec![EffectKind::SendMessage {
            notice: Notice::PointsAwarded {
                community: c.name.get(locale, c.default_locale).to_owned(),
                points,
                reason: reason.to_owned(),
                balance,
            },
        }]
    };
    notify_person(conn, ctx, m.person_id, effects_in, now).await
}

/// Posts one entry outside the activity stream (referrals and their
/// clawbacks), settles it and tells the member; returns the new balance.
pub async fn award_points<C: ConnectionTrait>(
    conn: &C,
    ctx: &CommunityCtx,
    m: &member::Model,
    delta: i64,
    source: LedgerSource,
    reason: &str,
    now: i64,
) -> CoreResult<i64> {
    let keys = crate::periods::Keys::of(&ctx.config, now);
    let posting = crate::store::scores::Posting {
        member_id: m.id,
        delta,
        source,
        reason: reason.to_owned(),
        actor: None,
        at: now,
    };
    let moved = crate::store::scores::post(conn, ctx.id, &keys, &[posting]).await?;
    let rows = settle(conn, ctx, moved, now, true).await?;
    let balance = rows.first().map_or(0, |r| r.balance);
    tell_points(conn, ctx, m, delta, reason, balance, now).await?;
    Ok(balance)
}
/// Settles every row `post` returned; returns the rows as stored after.
/// Without `announce` (imports), members are not told of levels and badges;
/// perk changes still go out.
pub async fn settle<C: ConnectionTrait>(
    conn: &C,
    ctx: &CommunityCtx,
    moved: Vec<(score::Model, Moved)>,
    now: i64,
    announce: bool,
) -> CoreResult<Vec<score::Model>> {
    let c = &ctx.config;
    // What changed, decided in memory first, so the members and the new
    // levels take one statement each rather than one per member.
    let mut changes = Vec::new();
    let mut out = Vec::with_capacity(moved.len());
    for (row, by) in moved {
        let old_level = u32::try_from(row.level).unwrap_or(0);
        let new_level = level_for(&c.levels, row.earned);
        let before = row.earned - by.earned;
        let badges = crossed(c, |rule| match rule {
            BadgeRule::Points(t) => before < t && t <= row.earned,
            BadgeRule::Level(l) => old_level < l && l <= new_level,
            _ => false,
        });
        if new_level != old_level || !badges.is_empty() {
            changes.push((out.len(), old_level, new_level, badges));
        }
        out.push(row);
    }
    if changes.is_empty() {
        return Ok(out);
    }
    let ids: Vec<i64> = changes.iter().map(|(i, ..)| out[*i].member_id).collect();
    let members: HashMap<i64, member::Model> =
        rows_in(conn, member::Entity::find(), member::Column::Id, &ids)
            .await?
            .into_iter()
            .map(|m| (m.id, m))
            .collect();
    let levels: Vec<(i64, u32)> = changes
        .iter()
        .filter(|(_, old, new, _)| old != new)
        .map(|(i, _, new, _)| (out[*i].member_id, *new))
        .collect();
    store_levels(conn, &levels).await?;
    let mut perk_effects = sync_rewards_of(conn, ctx, &members, &levels, now).await?;
    let due: Vec<(i64, Vec<Key>)> = changes
        .iter()
        .map(|(i, .., badges)| (out[*i].member_id, badges.clone()))
        .filter(|(m, badges)| !badges.is_empty() && members.contains_key(m))
        .collect();
    let mut earned = award_badges_to(conn, &due, now).await?;
    let persons: Vec<i64> = members.values().map(|m| m.person_id).collect();
    let identities = identities_by_person(conn, &persons).await?;
    let mut letters = Letters::default();
    for (i, old_level, new_level, _) in changes {
        let row = &mut out[i];
        let Some(m) = members.get(&row.member_id) else {
            continue;
        };
        row.level = i32::try_from(new_level).unwrap_or(i32::MAX);
        let effects = perk_effects.remove(&m.id).unwrap_or_default();
        let (up, badges) = if announce {
            (
                (new_level > old_level).then_some(new_level),
                earned.remove(&m.id).unwrap_or_default(),
            )
        } else {
            (None, Vec::new())
        };
        let idents = identities.get(&m.person_id).map_or(&[][..], Vec::as_slice);
        let effects_in = |locale| news(c, locale, up, &badges, &effects);
        address(&mut letters, ctx, idents, effects_in, now);
    }
    letters.send(conn).await?;
    Ok(out)
}

/// Sets each member's stored level, several members per statement.
async fn store_levels<C: ConnectionTrait>(conn: &C, levels: &[(i64, u32)]) -> CoreResult<()> {
    use score::Column as S;
    let stored = |l: u32| i32::try_from(l).unwrap_or(i32::MAX);
    for chunk in levels.chunks(500) {
        let Some(((first, level), rest)) = chunk.split_first() else {
            continue;
        };
        let mut by_member = Expr::case(S::MemberId.eq(*first), stored(*level));
        for (m, l) in rest {
            by_member = by_member.case(S::MemberId.eq(*m), stored(*l));
        }
        score::Entity::update_many()
            .col_expr(S::Level, by_member.finally(Expr::col(S::Level)).into())
            .filter(S::MemberId.is_in(chunk.iter().map(|(m, _)| *m)))
            .exec(conn)
            .await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::periods::tests::community;

    #[test]
    fn reward_perks_stack_or_replace() {
        let mut c = community("UTC");
        c.levels.rewards = vec![
            (5, Key::parse("regular").unwrap_or_else(|e| panic!("{e}"))),
            (10, Key::parse("veteran").unwrap_or_else(|e| panic!("{e}"))),
        ];
        let names = |s: BTreeSet<String>| s.into_iter().collect::<Vec<_>>();
        assert!(reward_perks(&c.levels, 4).is_empty());
        assert_eq!(names(reward_perks(&c.levels, 12)), vec!["regular", "veteran"]);
        c.levels.stack_rewards = false;
        assert_eq!(names(reward_perks(&c.levels, 12)), vec!["veteran"]);
        assert_eq!(names(reward_perks(&c.levels, 7)), vec!["regular"]);
    }
}
