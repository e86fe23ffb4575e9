//! Signing keys kept in the database, for deployments that configure none:
//! the first process to need one makes it, and every other process and
//! operator command then signs and checks with the same key.

use sea_orm::sea_query::OnConflict;
use sea_orm::{ConnectionTrait, EntityTrait, Set};

use crate::entity::signing_key;
use crate::error::{CoreError, CoreResult};
use crate::signin::random_hex;

/// The key called `name`, made now if there is none yet.
pub async fn signing_key<C: ConnectionTrait>(conn: &C, name: &str) -> CoreResult<Vec<u8>> {
    // Two processes may race here; the first insert wins and both read it.
    signing_key::Entity::insert(signing_key::ActiveModel {
        name: Set(name.to_owned()),
        secret: Set(random_hex(32)),
    })
    .on_conflict(
        OnConflict::column(signing_key::Column::Name)
            .do_nothing()
            .to_owned(),
    )
    .exec_without_returning(conn)
    .await?;
    let row = signing_key::Entity::find_by_id(name.to_owned())
        .one(conn)
        .await?
        .ok_or_else(|| CoreError::Corrupt(format!("signing key {name} vanished")))?;
    hex::decode(&row.secret).map_err(|_| CoreError::Corrupt(format!("signing key {name} is not hex")))
}
