//! One handler per page. The `Admin` extractor has checked the session is
//! for the community in the address before any of them runs.

use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use lyceum_core::analytics::Snapshot;
use lyceum_core::engine::Export;
use lyceum_core::periods::Board;
use serde::Deserialize;

use crate::Dashboard;
use crate::auth::{Admin, failed};
use crate::charts;
use crate::views::{
    Figure, Member, MemberLine, Members, Nav, Overview, Table, Tr, message, money, page, percent,
};
use lyceum_core::domain::Locale;
use lyceum_core::i18n::t_args;

/// Rows a list page shows at most.
const LIST: usize = 200;

/// The words of a community's pages, in its default language.
fn tr(d: &Dashboard, slug: &str) -> Tr {
    d.core
        .community(slug)
        .map_or(Tr(Locale::En, chrono_tz::UTC), |c| {
            Tr(c.config.default_locale, c.config.time_zone)
        })
}

fn nav(admin: &Admin, here: &'static str) -> Option<Nav> {
    Some(Nav {
        community: admin.session.community.clone(),
        csrf: admin.session.csrf.clone(),
        here,
    })
}

fn figures(s: &Snapshot, tr: Tr) -> Vec<Figure> {
    let change = s.mrr - s.mrr_30_days_ago;
    let sign = if change >= 0 { "+" } else { "−" };
    let figure = |key: &str, value: String, note: String| Figure {
        label: tr.get(key),
        value,
        note,
    };
    let two = |key: &str, a: (&str, u64), b: (&str, u64)| {
        let n = |v: u64| i64::try_from(v).unwrap_or(i64::MAX).into();
        t_args(tr.0, key, &[(a.0, n(a.1)), (b.0, n(b.1))])
    };
    let mrr_change = format!("{sign}{}", money(change.abs(), &s.currency));
    vec![
        figure(
            "dash-fig-members",
            s.members.to_string(),
            tr.with("dash-fig-members-note", "n", s.with_access),
        ),
        figure(
            "dash-fig-mrr",
            money(s.mrr, &s.currency),
            t_args(tr.0, "dash-fig-mrr-note", &[("change", mrr_change.into())]),
        ),
        figure(
            "dash-fig-revenue",
            money(s.revenue_this_month, &s.currency),
            tr.get("dash-fig-revenue-note"),
        ),
        figure(
            "dash-fig-trials",
            percent(s.trial_conversion()),
            two(
                "dash-fig-trials-note",
                ("converted", s.trials_converted),
                ("over", s.trials_over),
            ),
        ),
        figure(
            "dash-fig-churn",
            percent(s.churn_rate()),
            two(
                "dash-fig-churn-note",
                ("lost", s.churned_30_days),
                ("base", s.had_access_30_days_ago),
            ),
        ),
        figure(
            "dash-fig-active",
            s.active_7_days.to_string(),
            tr.get("dash-fig-active-note"),
        ),
    ]
}

pub async fn overview(State(d): State<Dashboard>, admin: Admin, Path(slug): Path<String>) -> Response {
    let s = match d.core.snapshot(&slug).await {
        Ok(s) => s,
        Err(e) => return failed(e),
    };
    let currency = s.currency.clone();
    let mrr: Vec<(i64, f64)> = s.mrr_weekly.iter().map(|&(t, v)| (t, v as f64)).collect();
    let activity: Vec<(i64, f64)> = s.activity.iter().map(|&(day, a)| (day * 86_400, a)).collect();
    let tr = tr(&d, &slug);
    let view = Overview {
        tr,
        nav: nav(&admin, "dash-overview"),
        title: tr.get("dash-overview"),
        figures: figures(&s, tr),
        by_status: s.by_status.clone(),
        mrr_chart: charts::over_time(&mrr, 1_000.0, &|y| money(charts::whole(*y), &currency)),
        flow_chart: charts::flow(&s.flow),
        retention_chart: charts::retention(&s.cohorts),
        cohorts: s
            .cohorts
            .iter()
            .map(|c| {
                let cells = c.retained.iter().map(|l| percent(*l)).collect();
                (c.month.clone(), c.size, cells)
            })
            .collect(),
        activity_chart: charts::over_time(&activity, 1.0, &|y| format!("{y:.2}")),
    };
    page(StatusCode::OK, &view)
}

#[derive(Deserialize)]
pub struct Search {
    #[serde(default)]
    q: String,
}

pub async fn members(
    State(d): State<Dashboard>,
    admin: Admin,
    Path(slug): Path<String>,
    Query(search): Query<Search>,
) -> Response {
    let rows = match d.core.member_rows(&slug).await {
        Ok(r) => r,
        Err(e) => return failed(e),
    };
    let q = search.q.trim().to_lowercase();
    let hits: Vec<_> = rows
        .into_iter()
        .filter(|r| {
            q.is_empty()
                || r.identities.iter().any(|i| i.to_lowercase().contains(&q))
                || r.tier.as_deref().is_some_and(|t| t.to_lowercase() == q)
                || r.status == q
                || r.id.to_string() == q
        })
        .collect();
    let tr = tr(&d, &slug);
    let view = Members {
        tr,
        nav: nav(&admin, "dash-members"),
        title: tr.get("dash-members"),
        query: search.q.clone(),
        found: if hits.len() > LIST {
            let shown = tr.with("dash-shown", "shown", LIST);
            format!("{}, {shown}", tr.with("dash-found", "found", hits.len()))
        } else {
            tr.with("dash-found", "found", hits.len())
        },
        rows: hits
            .into_iter()
            .take(LIST)
            .map(|r| MemberLine {
                id: r.id,
                identities: r.identities.join(", "),
                tier: r.tier.unwrap_or_default(),
                status: r.status,
                access_until: r.access_until.map(|t| tr.day(t)).unwrap_or_default(),
                points: r.points,
                joined: tr.when(r.joined_at),
            })
            .collect(),
    };
    page(StatusCode::OK, &view)
}

pub async fn member(
    State(d): State<Dashboard>,
    admin: Admin,
    Path((slug, id)): Path<(String, i64)>,
) -> Response {
    let tr = tr(&d, &slug);
    match d.core.member_detail(&slug, id, LIST as u64).await {
        Ok(Some((mut view, points))) => {
            lyceum_core::render::member_dates(&mut view, tr.0, tr.1);
            page(
                StatusCode::OK,
                &Member {
                    tr,
                    nav: nav(&admin, "dash-members"),
                    title: tr.with("dash-member-title", "id", id),
                    view,
                    here: format!("/dashboard/{slug}/members/{id}"),
                    csrf: admin.session.csrf.clone(),
                    points: points
                        .into_iter()
                        .map(|p| (tr.when(p.at), p.delta, format!("{}: {}", p.source, p.reason)))
                        .collect(),
                },
            )
        }
        Ok(None) => message(
            StatusCode::NOT_FOUND,
            "No such member",
            "This community has no member with that number.",
        ),
        Err(e) => failed(e),
    }
}

/// A page that is one table: `here` is its name's key, `head` the keys of
/// its columns.
fn table(tr: Tr, admin: &Admin, here: &'static str, head: &[&str], rows: Vec<Vec<String>>) -> Table {
    Table {
        tr,
        nav: nav(admin, here),
        title: tr.get(here),
        links: Vec::new(),
        head: head.iter().map(|k| tr.get(k)).collect(),
        rows,
        empty: tr.get("dash-empty"),
    }
}

pub async fn revenue(State(d): State<Dashboard>, admin: Admin, Path(slug): Path<String>) -> Response {
    let rows = match d.core.revenue_rows(&slug, LIST as u64).await {
        Ok(r) => r,
        Err(e) => return failed(e),
    };
    let tr = tr(&d, &slug);
    let rows = rows
        .into_iter()
        .map(|r| {
            vec![
                tr.when(r.at),
                r.member_id.map(|m| format!("#{m}")).unwrap_or_default(),
                r.kind.as_ref().to_owned(),
                r.offer_key.unwrap_or_default(),
                money(r.amount_minor, &r.currency),
                r.provider,
                r.external_id,
            ]
        })
        .collect();
    let head = [
        "dash-col-when",
        "dash-col-member",
        "dash-col-kind",
        "dash-col-offer",
        "dash-col-amount",
        "dash-col-provider",
        "dash-col-reference",
    ];
    let mut t = table(tr, &admin, "dash-revenue", &head, rows);
    let csv = format!("/dashboard/{slug}/export/payments");
    t.links = vec![(tr.get("dash-download-payments"), csv)];
    page(StatusCode::OK, &t)
}

#[derive(Deserialize)]
pub struct Which {
    #[serde(default)]
    board: Option<String>,
}

pub async fn leaderboard(
    State(d): State<Dashboard>,
    admin: Admin,
    Path(slug): Path<String>,
    Query(which): Query<Which>,
) -> Response {
    let board = which
        .board
        .as_deref()
        .and_then(Board::parse)
        .unwrap_or(Board::AllTime);
    let leaders = match d.core.leaders(&slug, board, 50).await {
        Ok(l) => l,
        Err(e) => return failed(e),
    };
    let rows = leaders
        .into_iter()
        .map(|l| vec![l.rank.to_string(), l.name, l.points.to_string()])
        .collect();
    let head = ["dash-col-rank", "dash-col-member", "dash-col-points"];
    let mut t = table(tr(&d, &slug), &admin, "dash-leaderboard", &head, rows);
    t.links = Board::ALL
        .iter()
        .map(|b| {
            (
                b.as_str().to_owned(),
                format!("/dashboard/{slug}/leaderboard?board={}", b.as_str()),
            )
        })
        .collect();
    page(StatusCode::OK, &t)
}

pub async fn lessons(State(d): State<Dashboard>, admin: Admin, Path(slug): Path<String>) -> Response {
    let stats = match d.core.lesson_stats(&slug).await {
        Ok(s) => s,
        Err(e) => return failed(e),
    };
    let rows = stats
        .into_iter()
        .map(|l| {
            vec![
                l.key,
                l.title,
                l.views.to_string(),
                l.unlocks.to_string(),
                l.sales.to_string(),
                l.completions.to_string(),
            ]
        })
        .collect();
    let head = [
        "dash-col-lesson",
        "dash-col-title",
        "dash-col-views",
        "dash-col-unlocks",
        "dash-col-sold",
        "dash-col-completed",
    ];
    page(
        StatusCode::OK,
        &table(tr(&d, &slug), &admin, "dash-lessons", &head, rows),
    )
}

pub async fn audit(State(d): State<Dashboard>, admin: Admin, Path(slug): Path<String>) -> Response {
    let entries = match d.core.audit_log(&slug, LIST as u64).await {
        Ok(a) => a,
        Err(e) => return failed(e),
    };
    let tr = tr(&d, &slug);
    let rows = entries
        .into_iter()
        .map(|a| {
            vec![
                tr.when(a.at),
                a.actor,
                a.platform,
                format!("/{}", a.command),
                a.detail,
            ]
        })
        .collect();
    let head = [
        "dash-col-when",
        "dash-col-who",
        "dash-col-platform",
        "dash-col-command",
        "dash-col-said",
    ];
    page(StatusCode::OK, &table(tr, &admin, "dash-audit", &head, rows))
}

pub async fn exports(State(d): State<Dashboard>, admin: Admin, Path(slug): Path<String>) -> Response {
    let tr = tr(&d, &slug);
    let mut t = table(tr, &admin, "dash-exports", &[], Vec::new());
    t.links = ["members", "payments", "points"]
        .iter()
        .map(|k| (format!("{k}.csv"), format!("/dashboard/{slug}/export/{k}")))
        .collect();
    t.empty = tr.get("dash-exports-note");
    page(StatusCode::OK, &t)
}

pub async fn export(
    State(d): State<Dashboard>,
    _signed_in: Admin,
    Path((slug, kind)): Path<(String, String)>,
) -> Response {
    let Some(what) = Export::parse(&kind) else {
        return message(
            StatusCode::NOT_FOUND,
            "No such export",
            "Exports are members, payments and points.",
        );
    };
    match d.core.export_csv(&slug, what).await {
        Ok(text) => {
            let name = format!("attachment; filename=\"{slug}-{kind}.csv\"");
            (
                [
                    (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
                    (header::CONTENT_DISPOSITION, name),
                ],
                text,
            )
                .into_response()
        }
        Err(e) => failed(e),
    }
}
