//! Privacy requests: the download behind a member's `/privacy export`
//! link, an admin's download and erasure of one member's data from the
//! dashboard, and a community's public statistics (noisy, no sign-in).

use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};

use crate::Dashboard;
use axum::Form;
use lyceum_core::Reply;
use lyceum_core::command::Command;
use lyceum_core::engine::Invoker;
use serde::Deserialize;

use crate::auth::{Admin, Link, failed, refused};
use crate::views::message;

fn download(data: &serde_json::Value, name: &str) -> Response {
    let body = serde_json::to_string_pretty(data).unwrap_or_default();
    let disposition = format!("attachment; filename=\"{name}\"");
    (
        [
            (header::CONTENT_TYPE, "application/json".to_owned()),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        body,
    )
        .into_response()
}

pub async fn export(State(d): State<Dashboard>, Query(link): Query<Link>) -> Response {
    match d.core.privacy_export(&link.t).await {
        Ok(Ok(data)) => download(&data, "my-data.json"),
        Ok(Err(r)) => refused(r, "/privacy export"),
        Err(e) => failed(e),
    }
}

pub async fn stats(State(d): State<Dashboard>, Path(slug): Path<String>) -> Response {
    let unpublished = || {
        message(
            StatusCode::NOT_FOUND,
            "No public statistics",
            "This community does not publish statistics.",
        )
    };
    if d.core.community(&slug).is_none() {
        return unpublished();
    }
    match d.core.public_stats(&slug).await {
        Ok(Some(s)) => axum::Json(s).into_response(),
        Ok(None) => unpublished(),
        Err(e) => failed(e),
    }
}

fn no_member() -> Response {
    message(
        StatusCode::NOT_FOUND,
        "No such member",
        "This community has no member with that number.",
    )
}

/// Everything kept about one member's person, for an admin answering a
/// request by other means than the chat.
pub async fn member_data(
    State(d): State<Dashboard>,
    _signed_in: Admin,
    Path((slug, id)): Path<(String, i64)>,
) -> Response {
    match d.core.member_person(&slug, id).await {
        Ok(Some((data, _))) => download(&data, &format!("member-{id}.json")),
        Ok(None) => no_member(),
        Err(e) => failed(e),
    }
}

#[derive(Deserialize)]
pub struct EraseForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    confirm: Option<String>,
}

/// Erases one member's person on their request, as `/erase` in the chat.
pub async fn erase(
    State(d): State<Dashboard>,
    admin: Admin,
    Path((slug, id)): Path<(String, i64)>,
    Form(form): Form<EraseForm>,
) -> Response {
    if let Some(r) = admin.bad_form(&form.csrf) {
        return r;
    }
    if form.confirm.as_deref() != Some("yes") {
        return message(
            StatusCode::BAD_REQUEST,
            "Nothing was erased",
            "Tick the box to confirm the erasure, then send the form again.",
        );
    }
    let who = match d.core.member_person(&slug, id).await {
        Ok(Some((_, Some(who)))) => who,
        Ok(Some((_, None))) => {
            return message(
                StatusCode::OK,
                "Already erased",
                "Nothing identifies this member any more.",
            );
        }
        Ok(None) => return no_member(),
        Err(e) => return failed(e),
    };
    let Ok(actor) = admin.session.actor.parse() else {
        return refused(lyceum_core::signin::Refusal::NotAdmin, "/dashboard");
    };
    let out = d
        .core
        .handle(&slug, &Invoker::new(actor), Command::Erase { user: who })
        .await;
    let status = match out.reply {
        Reply::PrivacyErased { .. } => StatusCode::OK,
        _ => StatusCode::CONFLICT,
    };
    message(status, "Erasure", &out.text())
}
