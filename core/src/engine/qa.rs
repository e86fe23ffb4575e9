//! Questions put to the creators (optionally paid in points) and their
//! answers, and highlights (精华): lessons, answered questions and messages
//! admins mark worth reading, listed by `/digest`. Inside the transaction
//! `Core::run` opened.

use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set,
};

use super::execute::Call;
use crate::clock::iso;
use crate::entity::kinds::LedgerSource;
use crate::entity::{highlight, identity, lesson, member, question};
use crate::error::{CoreResult, UserError};
use crate::outbox::EffectKind;
use crate::periods::Keys;
use crate::reply::{DigestItem, Notice, QuestionLine, Reply};
use crate::store::access::{notify_identities, notify_person};
use crate::store::people::{display_name, ensure_identity, identities_of};
use crate::store::scores::{Posting, balance, post};

/// How many highlights `/digest` shows, newest first.
const DIGEST: u64 = 20;
/// How many open questions `/questions` shows, oldest first.
const OPEN_QUESTIONS: u64 = 20;

impl Call<'_> {
    fn community_name(&self) -> String {
        let c = &self.ctx.config;
        c.name.get(c.default_locale, c.default_locale).to_owned()
    }

    async fn question<C: ConnectionTrait>(&self, conn: &C, id: i64) -> CoreResult<question::Model> {
        Ok(question::Entity::find_by_id(id)
            .filter(question::Column::CommunityId.eq(self.ctx.id))
            .one(conn)
            .await?
            .ok_or(UserError::UnknownQuestion { id })?)
    }

    pub(super) async fn ask<C: ConnectionTrait>(&self, conn: &C, body: String) -> CoreResult<Reply> {
        let (m, _) = self.invoker.membership(conn, self.ctx.id, self.now).await?;
        let price = self.ctx.config.lessons.question_points;
        let mut left = balance(conn, m.id).await?;
        if price > 0 {
            let spend = Posting {
                member_id: m.id,
                delta: -price,
                source: LedgerSource::Redeem,
                reason: "question".into(),
                actor: None,
                at: self.now,
            };
            let keys = Keys::of(&self.ctx.config, self.now);
            let after = post(conn, self.ctx.id, &keys, &[spend]).await?;
            left = after.first().map_or(left, |(row, _)| row.balance);
            crate::store::scores::touched(self.ctx.id, m.id);
        }
        let saved = question::ActiveModel {
            community_id: Set(self.ctx.id),
            member_id: Set(m.id),
            body: Set(body.clone()),
            points: Set(price.max(0)),
            asked_at: Set(self.now),
            answer: Set(None),
            answered_by: Set(None),
            answered_at: Set(None),
            ..Default::default()
        }
        .insert(conn)
        .await?;
        // Creators named in config (and admins) hear of it at once; those
        // who hold a platform's creator role see it in /questions.
        let c = &self.ctx.config;
        let mut staff: Vec<identity::Model> = Vec::new();
        for who in c.admins.iter().chain(&c.lessons.creators) {
            let i = ensure_identity(conn, who, None, None, self.now).await?;
            if staff.iter().all(|s| s.id != i.id) {
                staff.push(i);
            }
        }
        let notice = Notice::NewQuestion {
            community: self.community_name(),
            id: saved.id,
            asker: display_name(&identities_of(conn, m.person_id).await?),
            question: body,
        };
        let effects = |_| {
            vec![EffectKind::SendMessage {
                notice: notice.clone(),
            }]
        };
        notify_identities(conn, self.ctx, &staff, effects, self.now).await?;
        Ok(Reply::Asked {
            id: saved.id,
            points: price,
            balance: left,
        })
    }

    pub(super) async fn questions<C: ConnectionTrait>(&self, conn: &C) -> CoreResult<Reply> {
        let open = question::Entity::find()
            .filter(question::Column::CommunityId.eq(self.ctx.id))
            .filter(question::Column::AnsweredAt.is_null())
            .order_by_asc(question::Column::Id)
            .limit(OPEN_QUESTIONS)
            .all(conn)
            .await?;
        let mut lines = Vec::with_capacity(open.len());
        for q in open {
            let asker = match member::Entity::find_by_id(q.member_id).one(conn).await? {
                Some(m) => display_name(&identities_of(conn, m.person_id).await?),
                None => "?".to_owned(),
            };
            lines.push(QuestionLine {
                id: q.id,
                asker,
                body: q.body,
                asked_at: iso(q.asked_at),
                points: q.points,
            });
        }
        Ok(Reply::Questions { open: lines })
    }

    pub(super) async fn answer<C: ConnectionTrait>(
        &self,
        conn: &C,
        id: i64,
        text: String,
    ) -> CoreResult<Reply> {
        let q = self.question(conn, id).await?;
        // Only the first answer lands, even if two creators answer at once.
        let done = question::Entity::update_many()
            .col_expr(question::Column::Answer, Expr::value(text.clone()))
            .col_expr(
                question::Column::AnsweredBy,
                Expr::value(self.invoker.identity.to_string()),
            )
            .col_expr(question::Column::AnsweredAt, Expr::value(self.now))
            .filter(question::Column::Id.eq(q.id))
            .filter(question::Column::AnsweredAt.is_null())
            .exec(conn)
            .await?;
        if done.rows_affected != 1 {
            return Err(UserError::AlreadyAnswered { id }.into());
        }
        if let Some(asker) = member::Entity::find_by_id(q.member_id).one(conn).await? {
            let notice = Notice::QuestionAnswered {
                community: self.community_name(),
                id,
                question: q.body,
                answer: text,
            };
            let effects = |_| {
                vec![EffectKind::SendMessage {
                    notice: notice.clone(),
                }]
            };
            notify_person(conn, self.ctx, asker.person_id, effects, self.now).await?;
        }
        Ok(Reply::Answered { id })
    }

    /// Marks `item` as a highlight: a lesson key, `#12` for an answered
    /// question, or a link to a message.
    pub(super) async fn highlight<C: ConnectionTrait>(
        &self,
        conn: &C,
        item: String,
        note: Option<String>,
    ) -> CoreResult<Reply> {
        let mut row = highlight::ActiveModel {
            community_id: Set(self.ctx.id),
            lesson_id: Set(None),
            question_id: Set(None),
            link: Set(None),
            note: Set(note),
            marked_by: Set(self.invoker.identity.to_string()),
            marked_at: Set(self.now),
            removed_at: Set(None),
            ..Default::default()
        };
        if let Some(n) = item.strip_prefix('#') {
            let id = n
                .parse::<i64>()
                .map_err(|_| UserError::BadHighlight { item: item.clone() })?;
            let q = self.question(conn, id).await?;
            if q.answered_at.is_none() {
                return Err(UserError::NotAnswered { id }.into());
            }
            row.question_id = Set(Some(q.id));
        } else if item.starts_with("http://") || item.starts_with("https://") {
            row.link = Set(Some(
                crate::lessons::draft::attachment(&item)
                    .map_err(|_| UserError::BadHighlight { item: item.clone() })?,
            ));
        } else {
            let l = crate::lessons::store::readable(conn, self.ctx.id, &item.to_lowercase()).await?;
            row.lesson_id = Set(Some(l.id));
        }
        let saved = row.insert(conn).await?;
        Ok(Reply::Highlighted { id: saved.id })
    }

    pub(super) async fn unhighlight<C: ConnectionTrait>(&self, conn: &C, id: i64) -> CoreResult<Reply> {
        let done = highlight::Entity::update_many()
            .col_expr(highlight::Column::RemovedAt, Expr::value(self.now))
            .filter(highlight::Column::Id.eq(id))
            .filter(highlight::Column::CommunityId.eq(self.ctx.id))
            .filter(highlight::Column::RemovedAt.is_null())
            .exec(conn)
            .await?;
        if done.rows_affected != 1 {
            return Err(UserError::UnknownHighlight { id }.into());
        }
        Ok(Reply::Unhighlighted { id })
    }

    pub(super) async fn digest<C: ConnectionTrait>(&self, conn: &C) -> CoreResult<Reply> {
        let rows = highlight::Entity::find()
            .filter(highlight::Column::CommunityId.eq(self.ctx.id))
            .filter(highlight::Column::RemovedAt.is_null())
            .order_by_desc(highlight::Column::Id)
            .limit(DIGEST)
            .all(conn)
            .await?;
        let mut items = Vec::with_capacity(rows.len());
        for h in rows {
            let item = if let Some(id) = h.lesson_id {
                // A removed lesson drops out of the digest with it.
                match lesson::Entity::find_by_id(id).one(conn).await? {
                    Some(l) if l.removed_at.is_none() => DigestItem::Lesson {
                        id: h.id,
                        key: l.key,
                        title: l.title,
                        note: h.note,
                    },
                    _ => continue,
                }
            } else if let Some(id) = h.question_id {
                match question::Entity::find_by_id(id).one(conn).await? {
                    Some(q) => DigestItem::Question {
                        id: h.id,
                        question: q.body,
                        answer: q.answer.unwrap_or_default(),
                        note: h.note,
                    },
                    None => continue,
                }
            } else {
                DigestItem::Link {
                    id: h.id,
                    link: h.link.unwrap_or_default(),
                    note: h.note,
                }
            };
            items.push(item);
        }
        Ok(Reply::Digest { items })
    }
}
