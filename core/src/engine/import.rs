//! `lyceum import levels`: one transaction for the whole file, rolled back
//! on a dry run so the report shows exactly what a real run would do.

use sea_orm::DatabaseTransaction;

use super::Core;
use crate::engage::admin::import::{ImportReport, Problem, Row, parse};
use crate::engage::rules::settle::settle;
use crate::entity::kinds::LedgerSource;
use crate::error::{CoreError, CoreResult};
use crate::periods::Keys;
use crate::store::membership::ensure_member;
use crate::store::people::ensure_identity;
use crate::store::scores::{Posting, post, score_of};
use crate::store::sync::CommunityCtx;

#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("{} bad rows; nothing was imported", .0.len())]
    Rows(Vec<Problem>),
    #[error(transparent)]
    Core(#[from] CoreError),
}

impl Core {
    pub async fn import_levels(
        &self,
        slug: &str,
        data: &[u8],
        dry_run: bool,
    ) -> Result<ImportReport, ImportError> {
        let ctx = self.ctx_for(slug)?;
        let rows = parse(data).map_err(ImportError::Rows)?;
        let (gate, txn) = self.engage.begin_write(&self.db).await?;
        let (report, touched) = crate::store::scores::collecting(import(&txn, ctx, &rows, self.now())).await;
        let mut report = report?;
        report.dry_run = dry_run;
        if dry_run {
            txn.rollback().await.map_err(CoreError::from)?;
            return Ok(report);
        }
        txn.commit().await.map_err(CoreError::from)?;
        drop(gate);
        self.wake.notify_one();
        self.refresh_touched(touched).await;
        Ok(report)
    }
}

async fn import(
    txn: &DatabaseTransaction,
    ctx: &CommunityCtx,
    rows: &[Row],
    now: i64,
) -> CoreResult<ImportReport> {
    let mut report = ImportReport {
        rows: rows.len() as u64,
        ..ImportReport::default()
    };
    let mut postings = Vec::new();
    for row in rows {
        let ident = ensure_identity(txn, &row.who, None, None, now).await?;
        let actor = Some("import".to_owned());
        let (m, created) = ensure_member(txn, ctx.id, ident.person_id, actor, now).await?;
        report.new_members += u64::from(created);
        let earned = score_of(txn, m.id).await?.map_or(0, |s| s.earned);
        if row.xp <= earned {
            report.unchanged += 1;
            continue;
        }
        report.raised += 1;
        report.points_added += row.xp - earned;
        postings.push(Posting {
            member_id: m.id,
            delta: row.xp - earned,
            source: LedgerSource::Import,
            reason: format!("imported XP {} (line {})", row.xp, row.line),
            actor: None,
            at: now,
        });
    }
    let moved = post(txn, ctx.id, &Keys::of(&ctx.config, now), &postings).await?;
    settle(txn, ctx, moved, now, false).await?;
    Ok(report)
}
