//! One handler per page. The `Admin` extractor has checked the session is
//! for the community in the address before any of them runs.

use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use lyceum_core::analytics::Snapshot;
use lyceum_core::engage::periods::Board;
use lyceum_core::engine::Export;
use serde::Deserialize;

use crate::Dashboard;
use crate::auth::{Admin, failed};
use crate::charts;
use crate::views::{
    Figure, Member, MemberLine, Members, Nav, Overview, Table, message, money, page, percent, when,
};

/// Rows a list page shows at most.
const LIST: usize = 200;

fn nav(admin: &Admin, here: &'static str) -> Option<Nav> {
    Some(Nav {
        community: admin.session.community.clone(),
        csrf: admin.session.csrf.clone(),
        here,
    })
}

fn figures(s: &Snapshot) -> Vec<Figure> {
    let change = s.mrr - s.mrr_30_days_ago;
    let sign = if change >= 0 { "+" } else { "−" };
    vec![
        Figure {
            label: "Members",
            value: s.members.to_string(),
            note: format!("{} with access", s.with_access),
        },
        Figure {
            label: "MRR",
            value: money(s.mrr, &s.currency),
            note: format!("{sign}{} in 30 days", money(change.abs(), &s.currency)),
        },
        Figure {
            label: "Revenue this month",
            value: money(s.revenue_this_month, &s.currency),
            note: "net of refunds and lost disputes".into(),
        },
        Figure {
            label: "Trial conversion",
            value: percent(s.trial_conversion()),
            note: format!("{} of {} finished trials", s.trials_converted, s.trials_over),
        },
        Figure {
            label: "Churn, 30 days",
            value: percent(s.churn_rate()),
            note: format!(
                "{} of {} lost access",
                s.churned_30_days, s.had_access_30_days_ago
            ),
        },
        Figure {
            label: "Active members, 7 days",
            value: s.active_7_days.to_string(),
            note: "wrote or reacted".into(),
        },
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
    let view = Overview {
        nav: nav(&admin, "Overview"),
        title: "Overview".into(),
        figures: figures(&s),
        by_status: s.by_status.clone(),
        mrr_chart: charts::over_time(&mrr, 1_000.0, &|y| money(*y as i64, &currency)),
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
    let view = Members {
        nav: nav(&admin, "Members"),
        title: "Members".into(),
        query: search.q.clone(),
        found: hits.len(),
        rows: hits
            .into_iter()
            .take(LIST)
            .map(|r| MemberLine {
                id: r.id,
                identities: r.identities.join(", "),
                tier: r.tier.unwrap_or_default(),
                status: r.status,
                access_until: r.access_until.map(when).unwrap_or_default(),
                points: r.points,
                joined: when(r.joined_at),
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
    match d.core.member_detail(&slug, id, LIST as u64).await {
        Ok(Some((view, points))) => page(
            StatusCode::OK,
            &Member {
                nav: nav(&admin, "Members"),
                title: format!("Member #{id}"),
                view,
                here: format!("/dashboard/{slug}/members/{id}"),
                csrf: admin.session.csrf.clone(),
                points: points
                    .into_iter()
                    .map(|p| (when(p.at), p.delta, format!("{}: {}", p.source, p.reason)))
                    .collect(),
            },
        ),
        Ok(None) => message(
            StatusCode::NOT_FOUND,
            "No such member",
            "This community has no member with that number.",
        ),
        Err(e) => failed(e),
    }
}

fn table(admin: &Admin, here: &'static str, head: Vec<&'static str>, rows: Vec<Vec<String>>) -> Table {
    Table {
        nav: nav(admin, here),
        title: here.into(),
        links: Vec::new(),
        head,
        rows,
        empty: "Nothing here yet.",
    }
}

pub async fn revenue(State(d): State<Dashboard>, admin: Admin, Path(slug): Path<String>) -> Response {
    let rows = match d.core.revenue_rows(&slug, LIST as u64).await {
        Ok(r) => r,
        Err(e) => return failed(e),
    };
    let rows = rows
        .into_iter()
        .map(|r| {
            vec![
                when(r.at),
                r.member_id.map(|m| format!("#{m}")).unwrap_or_default(),
                r.kind,
                r.offer_key.unwrap_or_default(),
                money(r.amount_minor, &r.currency),
                r.provider,
                r.external_id,
            ]
        })
        .collect();
    let head = vec![
        "When",
        "Member",
        "Kind",
        "Offer",
        "Amount",
        "Provider",
        "Reference",
    ];
    let mut t = table(&admin, "Revenue", head, rows);
    t.links = vec![(
        "Download payments CSV".into(),
        format!("/dashboard/{slug}/export/payments"),
    )];
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
    let mut t = table(&admin, "Leaderboard", vec!["Rank", "Member", "Points"], rows);
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
    let head = vec![
        "Lesson",
        "Title",
        "Views",
        "Unlocked with points",
        "Sold",
        "Completed",
    ];
    page(StatusCode::OK, &table(&admin, "Lessons", head, rows))
}

pub async fn audit(State(d): State<Dashboard>, admin: Admin, Path(slug): Path<String>) -> Response {
    let entries = match d.core.audit_log(&slug, LIST as u64).await {
        Ok(a) => a,
        Err(e) => return failed(e),
    };
    let rows = entries
        .into_iter()
        .map(|a| {
            vec![
                when(a.at),
                a.actor,
                a.platform,
                format!("/{}", a.command),
                a.detail,
            ]
        })
        .collect();
    let head = vec!["When", "Who", "Platform", "Command", "What it said"];
    page(StatusCode::OK, &table(&admin, "Audit log", head, rows))
}

pub async fn exports(admin: Admin, Path(slug): Path<String>) -> Response {
    let mut t = table(&admin, "Exports", Vec::new(), Vec::new());
    t.links = ["members", "payments", "points"]
        .iter()
        .map(|k| (format!("{k}.csv"), format!("/dashboard/{slug}/export/{k}")))
        .collect();
    t.empty = "CSV files in UTF-8 with a header row; amounts in minor units, times in UTC.";
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
