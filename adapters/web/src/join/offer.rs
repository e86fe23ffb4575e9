//! An offer's pages: the join page (sign in, then pay), the checkout it
//! starts, the welcome page that follows the purchase, and signing out.

use super::*;

pub(super) async fn join(
    State(j): State<Joins>,
    Path((slug, offer)): Path<(String, String)>,
    Query(q): Query<PageQuery>,
    headers: HeaderMap,
    jar: CookieJar,
) -> Response {
    let (p, view, line) = match offer_page(&j, &slug, &offer, q.lang.as_deref(), &headers).await {
        Ok(found) => found,
        Err(res) => return res,
    };
    let notice = q.notice(Tr(p.locale, chrono_tz::UTC));
    let session = member(&j, &jar, &slug).await;
    let code = referral(q.referral.as_deref());
    join_page(&j, &p, &view, line, session, notice, code).await
}

/// An offer's join page: the way to sign in, or, for a signed-in member,
/// the way to pay, or word that they already have it.
async fn join_page(
    j: &Joins,
    p: &Page,
    view: &Storefront,
    line: OfferLine,
    session: Option<MemberSession>,
    notice: Option<String>,
    code: Option<String>,
) -> Response {
    let tr = Tr(p.locale, chrono_tz::UTC);
    let title = tr.text("join-title", "offer", &line.name);
    let f = frame(
        &j.store,
        view,
        p.locale,
        &format!("/join/{}", p.key),
        title,
        line.name.clone(),
    );
    let to = Target::Offer(p.key.clone());
    let sign_in = sign_in_links(j, &p.slug, &to, tr, code.as_deref());
    let who = match session {
        Some(s) => {
            let has_access = match j.store.core.web_progress(&s, p.key.as_str()).await {
                Ok(progress) => progress != Progress::Waiting,
                Err(e) => {
                    tracing::error!(error = %e, "access could not be read for a join page");
                    false
                }
            };
            Some(Who {
                signed_in: signed_in(p.locale, &s),
                csrf: s.csrf,
                has_access,
            })
        }
        None => None,
    };
    let page = JoinPage {
        f,
        offer: line,
        notice,
        referral: code,
        who,
        sign_in,
    };
    personal(StatusCode::OK, &page, &j.csp)
}

/// "Signed in with Discord as discord:123."
pub(super) fn signed_in(locale: Locale, s: &MemberSession) -> String {
    let platform = match s.identity.platform() {
        Platform::Discord => "Discord",
        Platform::Telegram => "Telegram",
        Platform::Console => "console",
    };
    lyceum_core::i18n::t_args(
        locale,
        "join-signed-in",
        &[
            ("platform", platform.into()),
            ("name", s.identity.to_string().into()),
        ],
    )
}

#[derive(Deserialize)]
pub struct Pay {
    csrf: String,
    offer: String,
    lang: Option<String>,
    #[serde(rename = "ref")]
    referral: Option<String>,
}

pub(super) async fn checkout(
    State(j): State<Joins>,
    Path(slug): Path<String>,
    headers: HeaderMap,
    jar: CookieJar,
    Form(form): Form<Pay>,
) -> Response {
    let (p, view, line) = match offer_page(&j, &slug, &form.offer, form.lang.as_deref(), &headers).await {
        Ok(found) => found,
        Err(res) => return res,
    };
    let code = referral(form.referral.as_deref());
    let to = Target::Offer(p.key.clone());
    let Some(session) = member(&j, &jar, &slug).await else {
        let back = to.path(&slug, p.locale, code.as_deref(), Some("expired"));
        return Redirect::to(&back).into_response();
    };
    if !same(&form.csrf, &session.csrf) {
        return plain(
            StatusCode::FORBIDDEN,
            "This form is out of date. Go back and reload the page.",
        );
    }
    let public = &j.store.public_url;
    let back = Return {
        success: format!("{public}/c/{slug}/welcome/{}?lang={}", p.key, p.locale.tag()),
        cancel: format!(
            "{public}{}",
            to.path(&slug, p.locale, code.as_deref(), Some("canceled"))
        ),
    };
    let outcome = j
        .store
        .core
        .web_checkout(&session, p.key.as_str(), code.as_deref(), p.locale, back)
        .await;
    match &outcome.reply {
        Reply::Checkout { url, .. } => Redirect::to(url).into_response(),
        // Refused (already held, not for sale, payments off): say why on
        // the offer's page.
        _ => join_page(&j, &p, &view, line, Some(session), Some(outcome.text()), code).await,
    }
}

#[derive(Deserialize)]
pub struct Lang {
    lang: Option<String>,
}

pub(super) async fn welcome(
    State(j): State<Joins>,
    Path((slug, offer)): Path<(String, String)>,
    Query(q): Query<Lang>,
    headers: HeaderMap,
    jar: CookieJar,
) -> Response {
    let (p, view, _) = match offer_page(&j, &slug, &offer, q.lang.as_deref(), &headers).await {
        Ok(found) => found,
        Err(res) => return res,
    };
    let Some(session) = member(&j, &jar, &slug).await else {
        let back = Target::Offer(p.key.clone()).path(&slug, p.locale, None, Some("expired"));
        return Redirect::to(&back).into_response();
    };
    let progress = match j.store.core.web_progress(&session, p.key.as_str()).await {
        Ok(progress) => progress,
        Err(e) => {
            tracing::error!(error = %e, "a purchase's progress could not be read");
            Progress::Waiting
        }
    };
    let tr = Tr(p.locale, chrono_tz::UTC);
    let f = frame(
        &j.store,
        &view,
        p.locale,
        &format!("/welcome/{}", p.key),
        tr.get("welcome-title"),
        view.name.clone(),
    );
    let open = match session.identity.platform() {
        Platform::Discord => j.guilds.get(&slug).map(|g| {
            (
                format!("https://discord.com/channels/{g}"),
                "welcome-open-discord",
            )
        }),
        // The invite link waits in the private chat with the bot.
        Platform::Telegram => j
            .telegram
            .as_ref()
            .and_then(|t| t.username())
            .map(|bot| (format!("https://t.me/{bot}"), "welcome-open-telegram")),
        Platform::Console => None,
    };
    let status = format!("/c/{slug}/progress/{}", p.key);
    personal(
        StatusCode::OK,
        &WelcomePage::new(f, progress, status, open),
        &j.csp,
    )
}

#[derive(Deserialize)]
pub struct SignOut {
    csrf: String,
    back: Option<String>,
}

pub(super) async fn sign_out(
    State(j): State<Joins>,
    Path(slug): Path<String>,
    jar: CookieJar,
    Form(form): Form<SignOut>,
) -> Response {
    let Ok(slug) = Key::parse(&slug) else {
        return plain(StatusCode::NOT_FOUND, "no such community");
    };
    let Some(session) = member(&j, &jar, slug.as_str()).await else {
        return Redirect::to(&format!("/c/{slug}")).into_response();
    };
    if !same(&form.csrf, &session.csrf) {
        return plain(
            StatusCode::FORBIDDEN,
            "This form is out of date. Go back and reload the page.",
        );
    }
    if let Some(cookie) = jar.get(MEMBER_COOKIE).map(|c| c.value().to_owned())
        && let Err(e) = j.store.core.end_member_session(&cookie).await
    {
        tracing::error!(error = %e, "a member session could not be ended");
    }
    let jar = jar.remove(Cookie::build(MEMBER_COOKIE).path("/"));
    let to = match form.back.as_deref().map(Key::parse) {
        Some(Ok(offer)) => format!("/c/{slug}/join/{offer}"),
        _ => format!("/c/{slug}"),
    };
    (jar, Redirect::to(&to)).into_response()
}

/// How far the signed-in member's purchase of `offer` has got, for the
/// welcome page's script: `{"state": "waiting" | "delivering" | "ready" |
/// "signed-out"}`.
pub(super) async fn progress(
    State(j): State<Joins>,
    Path((slug, offer)): Path<(String, String)>,
    jar: CookieJar,
) -> Response {
    let state = match member(&j, &jar, &slug).await {
        Some(session) => match j.store.core.web_progress(&session, &offer).await {
            Ok(p) => views::progress_state(p),
            Err(e) => return unavailable("a purchase's progress could not be read", &e),
        },
        None => "signed-out",
    };
    status_json(state)
}
