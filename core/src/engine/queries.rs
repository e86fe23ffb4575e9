//! Read-only views for operators: `lyceum community …` and `lyceum member show`.

use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use serde::Serialize;

use super::Core;
use super::execute::{price_view, tier_views};
use crate::domain::IdentityRef;
use crate::entity::offer;
use crate::error::{CoreResult, UserError};
use crate::payments::revenue::RevenueReport;
use crate::reply::{MemberView, PriceView, TierView};
use crate::store::access::tiers_of;
use crate::store::membership::find_member;
use crate::store::people::find_identity;
use crate::store::view::member_view;

#[derive(Clone, Debug, Serialize)]
pub struct OfferView {
    pub key: String,
    pub kind: String,
    pub tier: Option<String>,
    pub name: String,
    pub price: PriceView,
    /// The Stripe price this offer is sold at, if it is sold online.
    pub stripe_price: Option<String>,
    pub perks: Vec<String>,
}

#[derive(Clone, Debug, Serialize)]
pub struct CommunityView {
    pub slug: String,
    pub name: String,
    pub default_locale: String,
    pub admins: Vec<String>,
    pub tiers: Vec<TierView>,
    pub offers: Vec<OfferView>,
    /// Points-shop rewards: key, name and price in points.
    pub rewards: Vec<(String, String, i64)>,
    /// Lessons not removed: key and title.
    pub lessons: Vec<(String, String)>,
    /// Courses: key and name.
    pub courses: Vec<(String, String)>,
}

impl Core {
    pub async fn community_view(&self, slug: &str) -> CoreResult<CommunityView> {
        let ctx = self.ctx_for(slug)?;
        let locale = ctx.config.default_locale;
        let tiers = tier_views(self.db(), ctx, locale).await?;
        let tier_rows = tiers_of(self.db(), ctx.id).await?;
        let offers = offer::Entity::find()
            .filter(offer::Column::CommunityId.eq(ctx.id))
            .filter(offer::Column::Active.eq(true))
            .order_by_asc(offer::Column::Id)
            .all(self.db())
            .await?
            .iter()
            .map(|o| OfferView {
                key: o.key.clone(),
                kind: o.kind.as_str().to_owned(),
                tier: o
                    .tier_id
                    .and_then(|id| tier_rows.iter().find(|t| t.id == id))
                    .map(|t| t.key.clone()),
                name: crate::domain::LocalizedText::from_json(&o.name)
                    .get(locale, locale)
                    .to_owned(),
                price: price_view(o),
                stripe_price: o.stripe_price.clone(),
                perks: serde_json::from_str(&o.perks).unwrap_or_default(),
            })
            .collect();
        Ok(CommunityView {
            slug: ctx.slug().to_owned(),
            name: ctx.config.name.get(locale, locale).to_owned(),
            default_locale: locale.tag().to_owned(),
            admins: ctx.config.admins.iter().map(ToString::to_string).collect(),
            tiers,
            offers,
            rewards: ctx
                .config
                .shop
                .iter()
                .map(|r| (r.key.to_string(), r.name.get(locale, locale).to_owned(), r.price))
                .collect(),
            lessons: crate::lessons::store::live(self.db(), ctx.id)
                .await?
                .into_iter()
                .map(|l| (l.key, l.title))
                .collect(),
            courses: ctx
                .config
                .courses
                .iter()
                .map(|c| (c.key.to_string(), c.name.get(locale, locale).to_owned()))
                .collect(),
        })
    }

    /// The newest `limit` entries of community `slug`'s audit log.
    pub async fn audit_log(&self, slug: &str, limit: u64) -> CoreResult<Vec<crate::entity::audit::Model>> {
        let ctx = self.ctx_for(slug)?;
        crate::store::audit::recent(self.db(), ctx.id, limit).await
    }

    /// Revenue of community `slug` over `[from, to)` and its MRR now.
    pub async fn revenue(&self, slug: &str, from: i64, to: i64) -> CoreResult<RevenueReport> {
        let ctx = self.ctx_for(slug)?;
        crate::payments::revenue::report(self.db(), ctx.id, ctx.slug(), from, to, self.now()).await
    }

    /// The member behind `who` in community `slug`, as `lyceum member show` prints it.
    pub async fn member_view(&self, slug: &str, who: &IdentityRef) -> CoreResult<MemberView> {
        let ctx = self.ctx_for(slug)?;
        let unknown = || UserError::UnknownMember {
            identity: who.to_string(),
        };
        let ident = find_identity(self.db(), who).await?.ok_or_else(unknown)?;
        let m = find_member(self.db(), ctx.id, ident.person_id)
            .await?
            .ok_or_else(unknown)?;
        let locale = ctx.config.default_locale;
        member_view(self.db(), ctx, &m, locale, self.now()).await
    }
}
