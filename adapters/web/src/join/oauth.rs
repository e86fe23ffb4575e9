//! Discord's OAuth2 round trip: `/auth/discord` sends the visitor to
//! Discord's consent page with a `state` bound to their browser by a
//! cookie; `/auth/discord/callback` checks it, trades the code for a token
//! (lent to the bot, sealed), opens a member session and goes back to the
//! offer or lesson the visitor came from.

use super::*;

/// Where a sign-in round trip returns to, kept in a cookie bound to the
/// browser: the state's nonce, then the community, the page, language and
/// referral code, none of which can hold a `.`.
struct Trip {
    nonce: String,
    slug: String,
    to: Target,
    locale: Locale,
    referral: Option<String>,
}

impl Trip {
    fn cookie_value(&self) -> String {
        format!(
            "{}.{}.{}.{}.{}",
            self.nonce,
            self.slug,
            self.to.encode(),
            self.locale.tag(),
            self.referral.as_deref().unwrap_or("")
        )
    }

    fn read(value: &str) -> Option<Trip> {
        let mut parts = value.split('.');
        let nonce = parts.next()?.to_owned();
        let slug = Key::parse(parts.next()?).ok()?.to_string();
        let to = Target::decode(parts.next()?)?;
        let locale = Locale::negotiate(parts.next()?)?;
        let referral = referral(parts.next());
        Some(Trip {
            nonce,
            slug,
            to,
            locale,
            referral,
        })
    }

    fn back(&self, flag: Option<&str>) -> String {
        self.to
            .path(&self.slug, self.locale, self.referral.as_deref(), flag)
    }
}

pub(super) async fn discord_start(
    State(j): State<Joins>,
    Query(q): Query<Back>,
    headers: HeaderMap,
    jar: CookieJar,
) -> Response {
    let Some(signin) = &j.discord else {
        return plain(StatusCode::NOT_FOUND, "Discord sign-in is not set up here");
    };
    let (slug, to, locale) = match target_page(&j, &q, &headers).await {
        Ok(found) => found,
        Err(res) => return res,
    };
    let nonce = match j.store.core.issue_web_nonce().await {
        Ok(n) => n,
        Err(e) => return unavailable("a sign-in could not be started", &e),
    };
    let trip = Trip {
        nonce,
        slug,
        to,
        locale,
        referral: referral(q.referral.as_deref()),
    };
    // Lax, so the cookie comes back on Discord's top-level redirect.
    let cookie = Cookie::build((OAUTH_COOKIE, trip.cookie_value()))
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(j.secure)
        .path("/auth/discord")
        .max_age(cookie::time::Duration::seconds(WEB_NONCE_TTL_SECS));
    let to = signin.authorize_url(&trip.nonce);
    (jar.add(cookie), Redirect::to(&to)).into_response()
}

#[derive(Deserialize)]
pub struct Callback {
    code: Option<String>,
    state: Option<String>,
    error: Option<String>,
}

pub(super) async fn discord_back(
    State(j): State<Joins>,
    Query(q): Query<Callback>,
    jar: CookieJar,
) -> Response {
    let Some(signin) = &j.discord else {
        return plain(StatusCode::NOT_FOUND, "Discord sign-in is not set up here");
    };
    let trip = jar.get(OAUTH_COOKIE).and_then(|c| Trip::read(c.value()));
    let jar = jar.remove(Cookie::build(OAUTH_COOKIE).path("/auth/discord"));
    let Some(trip) = trip else {
        // No round trip started in this browser: someone else's link.
        return (
            jar,
            plain(
                StatusCode::FORBIDDEN,
                "This sign-in was not started in this browser.",
            ),
        )
            .into_response();
    };
    let state_matches = q.state.as_deref().is_some_and(|s| same(s, &trip.nonce));
    let fresh = state_matches && j.store.core.take_web_nonce(&trip.nonce).await.unwrap_or(false);
    if !fresh {
        return (jar, Redirect::to(&trip.back(Some("expired")))).into_response();
    }
    if q.error.is_some() {
        return (jar, Redirect::to(&trip.back(Some("denied")))).into_response();
    }
    let Some(code) = q.code.as_deref() else {
        return (jar, Redirect::to(&trip.back(Some("failed")))).into_response();
    };
    let user = match signin.exchange(code).await {
        Ok(u) => u,
        Err(e) => {
            tracing::warn!(error = %e, "a Discord sign-in failed");
            return (jar, Redirect::to(&trip.back(Some("failed")))).into_response();
        }
    };
    let Ok(identity) = IdentityRef::new(Platform::Discord, &user.id) else {
        tracing::warn!("Discord named an account with an id that is not a snowflake");
        return (jar, Redirect::to(&trip.back(Some("failed")))).into_response();
    };
    let core = &j.store.core;
    let expires = core.now() + i64::try_from(user.expires_in.unwrap_or(0)).unwrap_or(0);
    if let Err(e) = core.lend_token(&identity, &user.token, expires).await {
        tracing::error!(error = %e, "a lent Discord token could not be kept");
        return (jar, Redirect::to(&trip.back(Some("failed")))).into_response();
    }
    let invoker = Invoker {
        display_name: Some(user.name),
        locale: user.locale.as_deref().and_then(Locale::negotiate),
        ..Invoker::new(identity)
    };
    let cookie = match core.open_member_session(&trip.slug, &invoker).await {
        Ok(cookie) => cookie,
        Err(e) => {
            tracing::error!(error = %e, "a member session could not be opened");
            return (jar, Redirect::to(&trip.back(Some("failed")))).into_response();
        }
    };
    (jar.add(member_cookie(&j, cookie)), Redirect::to(&trip.back(None))).into_response()
}
