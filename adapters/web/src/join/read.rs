//! Lessons read on the web. A signed-in member's request for a lesson is
//! the chat's `/unlock` run for them, so access is decided exactly as in
//! chat on every request (a refund or an expiry stops reading at once) and
//! the read counts the same; "Mark as complete" is `/complete`. The body,
//! Markdown written by creators, is rendered to HTML and sanitized before
//! it reaches the page; visitors without access see the teaser and the
//! ways in, never the body.

use askama::Template;
use lyceum_core::command::Command;
use lyceum_core::engine::storefront::Teaser;

use super::*;
use crate::storefront::views::{Frame, way_offers};

/// The page for lesson `lesson` of `slug`, if the public page lists it.
pub(super) async fn lesson_page(
    j: &Joins,
    slug: &str,
    lesson: &str,
    lang: Option<&str>,
    headers: &HeaderMap,
) -> Result<(Page, Arc<Storefront>, Teaser), Response> {
    page_of(j, slug, lesson, lang, headers, |_, view, key| {
        view.all_lessons().find(|l| l.key == key.as_str()).cloned()
    })
    .await
}

/// Creator Markdown as HTML that can hold no script, no event handler, no
/// style and no link but http(s) and mail ones.
pub fn markdown(body: &str) -> String {
    use pulldown_cmark::{Options, Parser, html};
    let mut out = String::new();
    let options = Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH | Options::ENABLE_TASKLISTS;
    html::push_html(&mut out, Parser::new_ext(body, options));
    ammonia::clean(&out)
}

#[derive(Template)]
#[template(path = "public/read.html")]
struct ReadPage {
    f: Frame,
    key: String,
    title: String,
    course: Option<String>,
    teaser: Option<String>,
    /// The body as sanitized HTML, for a reader with access only.
    body: Option<String>,
    notice: Option<String>,
    /// Ways in, for a member without access.
    ways: Vec<(String, Option<String>)>,
    completed: bool,
    csrf: Option<String>,
    signed_in: Option<String>,
    /// Ways to sign in, for a visitor who has not: label and address.
    sign_in: Vec<(String, String)>,
}

pub(super) async fn read(
    State(j): State<Joins>,
    Path((slug, lesson)): Path<(String, String)>,
    Query(q): Query<PageQuery>,
    headers: HeaderMap,
    jar: CookieJar,
) -> Response {
    let (p, view, teaser) = match lesson_page(&j, &slug, &lesson, q.lang.as_deref(), &headers).await {
        Ok(found) => found,
        Err(res) => return res,
    };
    let tr = Tr(p.locale, chrono_tz::UTC);
    let notice = q.notice(tr);
    let description = teaser.teaser.clone().unwrap_or_else(|| view.name.clone());
    let here = format!("/read/{}", p.key);
    let f = frame(
        &j.store,
        &view,
        p.locale,
        &here,
        teaser.title.clone(),
        description,
    );
    let mut page = ReadPage {
        f,
        key: p.key.to_string(),
        title: teaser.title.clone(),
        course: teaser.course.clone(),
        teaser: teaser.teaser.clone(),
        body: None,
        notice,
        ways: Vec::new(),
        completed: false,
        csrf: None,
        signed_in: None,
        sign_in: Vec::new(),
    };
    let Some(session) = member(&j, &jar, &slug).await else {
        page.ways = way_offers(tr, p.key.as_str(), &teaser.ways);
        page.sign_in = sign_in_links(&j, &p.slug, &Target::Lesson(p.key.clone()), tr, None);
        return personal(StatusCode::OK, &page, &j.csp);
    };
    page.signed_in = Some(offer::signed_in(p.locale, &session));
    page.csrf = Some(session.csrf.clone());
    let invoker = Invoker {
        locale: Some(p.locale),
        ..Invoker::new(session.identity.clone())
    };
    let cmd = Command::Unlock {
        lesson: p.key.clone(),
        with: None,
    };
    let outcome = j.store.core.handle(&slug, &invoker, cmd).await;
    match outcome.reply {
        Reply::Lesson(v) => {
            page.body = Some(markdown(&v.body));
            page.completed = v.completed;
        }
        Reply::LessonLocked { ways, .. } => page.ways = way_offers(tr, p.key.as_str(), &ways),
        _ => page.notice = Some(outcome.text()),
    }
    personal(StatusCode::OK, &page, &j.csp)
}

#[derive(Deserialize)]
pub struct Done {
    csrf: String,
    lang: Option<String>,
}

/// "Mark as complete": `/complete` for the signed-in member.
pub(super) async fn complete(
    State(j): State<Joins>,
    Path((slug, lesson)): Path<(String, String)>,
    headers: HeaderMap,
    jar: CookieJar,
    Form(form): Form<Done>,
) -> Response {
    let (p, _, _) = match lesson_page(&j, &slug, &lesson, form.lang.as_deref(), &headers).await {
        Ok(found) => found,
        Err(res) => return res,
    };
    let Some(session) = member(&j, &jar, &slug).await else {
        return Redirect::to(&Target::Lesson(p.key.clone()).path(&p.slug, p.locale, None, Some("expired")))
            .into_response();
    };
    if !same(&form.csrf, &session.csrf) {
        return plain(
            StatusCode::FORBIDDEN,
            "This form is out of date. Go back and reload the page.",
        );
    }
    let invoker = Invoker {
        locale: Some(p.locale),
        ..Invoker::new(session.identity.clone())
    };
    let outcome = j
        .store
        .core
        .handle(
            &slug,
            &invoker,
            Command::Complete {
                lesson: p.key.clone(),
            },
        )
        .await;
    let flag = match outcome.reply {
        Reply::Refused(_) | Reply::Internal => None,
        _ => Some("done"),
    };
    Redirect::to(&Target::Lesson(p.key.clone()).path(&p.slug, p.locale, None, flag)).into_response()
}

#[cfg(test)]
mod tests {
    use super::markdown;

    #[test]
    fn markdown_is_rendered_and_nothing_that_runs_survives() {
        let html = markdown(
            "# Title\n\n**bold** [ok](https://example.com) [bad](javascript:alert(1))\n\n\
             <script>alert(1)</script><img src=x onerror=alert(1)><a href=\"#\" onclick=\"x()\">c</a>",
        );
        assert!(html.contains("<h1>Title</h1>"), "{html}");
        assert!(html.contains("<strong>bold</strong>"), "{html}");
        assert!(html.contains("href=\"https://example.com\""), "{html}");
        assert!(html.contains("rel=\"noopener noreferrer\""), "{html}");
        for forbidden in ["<script", "javascript:", "onerror", "onclick", "alert(1)</script"] {
            assert!(!html.contains(forbidden), "{forbidden} in {html}");
        }
    }
}
