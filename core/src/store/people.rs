//! People and their platform identities.

use std::collections::HashMap;

use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set};

use crate::domain::{IdentityRef, Locale};
use crate::entity::{identity, person};
use crate::error::CoreResult;

pub async fn find_identity<C: ConnectionTrait>(
    conn: &C,
    who: &IdentityRef,
) -> CoreResult<Option<identity::Model>> {
    Ok(identity::Entity::find()
        .filter(identity::Column::Platform.eq(who.platform().as_str()))
        .filter(identity::Column::ExternalId.eq(who.external_id()))
        .one(conn)
        .await?)
}

/// The identity's row, creating it (and a new person) on first contact, and
/// refreshing the display name and locale the platform last reported.
pub async fn ensure_identity<C: ConnectionTrait>(
    conn: &C,
    who: &IdentityRef,
    display_name: Option<&str>,
    locale: Option<Locale>,
    now: i64,
) -> CoreResult<identity::Model> {
    if let Some(found) = find_identity(conn, who).await? {
        let name_changed = display_name.is_some_and(|n| found.display_name.as_deref() != Some(n));
        let locale_changed = locale.is_some_and(|l| found.locale.as_deref() != Some(l.tag()));
        if !(name_changed || locale_changed) {
            return Ok(found);
        }
        let mut a: identity::ActiveModel = found.clone().into();
        if name_changed {
            a.display_name = Set(display_name.map(str::to_owned));
        }
        if locale_changed {
            a.locale = Set(locale.map(|l| l.tag().to_owned()));
        }
        return Ok(a.update(conn).await?);
    }
    let person = person::ActiveModel {
        created_at: Set(now),
        ..Default::default()
    }
    .insert(conn)
    .await?;
    Ok(identity::ActiveModel {
        person_id: Set(person.id),
        platform: Set(who.platform().as_str().to_owned()),
        external_id: Set(who.external_id().to_owned()),
        display_name: Set(display_name.map(str::to_owned)),
        locale: Set(locale.map(|l| l.tag().to_owned())),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(conn)
    .await?)
}

pub async fn identities_of<C: ConnectionTrait>(conn: &C, person_id: i64) -> CoreResult<Vec<identity::Model>> {
    Ok(identity::Entity::find()
        .filter(identity::Column::PersonId.eq(person_id))
        .order_by_asc(identity::Column::Id)
        .all(conn)
        .await?)
}

/// The identities of each of `persons`, oldest first.
pub async fn identities_by_person<C: ConnectionTrait>(
    conn: &C,
    persons: &[i64],
) -> CoreResult<HashMap<i64, Vec<identity::Model>>> {
    let by_id = identity::Entity::find().order_by_asc(identity::Column::Id);
    let mut out: HashMap<i64, Vec<identity::Model>> = HashMap::new();
    for ident in super::chunked::rows_in(conn, by_id, identity::Column::PersonId, persons).await? {
        out.entry(ident.person_id).or_default().push(ident);
    }
    Ok(out)
}

pub fn identity_string(i: &identity::Model) -> String {
    format!("{}:{}", i.platform, i.external_id)
}

/// The name to show for a person: a platform display name, else the first identity.
pub fn display_name(identities: &[identity::Model]) -> String {
    identities
        .iter()
        .find_map(|i| i.display_name.clone())
        .or_else(|| identities.first().map(identity_string))
        .unwrap_or_else(|| "?".to_owned())
}

pub fn identity_locale(i: &identity::Model) -> Option<Locale> {
    i.locale.as_deref().and_then(Locale::negotiate)
}
