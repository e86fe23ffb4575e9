//! What members bought and what was taken back: provider events as values,
//! the stored purchases, subscriptions, reversals and trials, and the pure
//! derivation of an entitlement from them. The payments feature applies
//! events through these; access reads what a member owns from them.

pub mod derive;
pub mod event;
pub mod facts;
pub mod lookup;
pub mod trials;

use sea_orm::ConnectionTrait;

pub use lookup::find_offer;

use crate::entity::{member, offer};
use crate::error::CoreResult;

/// Offers the member owns: bought, and the money not taken back.
pub async fn owned_offers<C: ConnectionTrait>(conn: &C, m: &member::Model) -> CoreResult<Vec<offer::Model>> {
    let found = facts::member_facts(conn, m.id).await?;
    let mut out = Vec::new();
    for p in &found.purchases {
        let reversed = found
            .reversals
            .iter()
            .any(|r| r.state.is_final() && r.payment_ref.as_deref() == Some(p.payment_ref.as_str()));
        if reversed {
            continue;
        }
        let Some(key) = &p.offer_key else { continue };
        if let Some(o) = lookup::find_offer(conn, Some(m.community_id), Some(key), None).await?
            && out.iter().all(|x: &offer::Model| x.id != o.id)
        {
            out.push(o);
        }
    }
    Ok(out)
}
