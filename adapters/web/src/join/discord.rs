//! "Join with Discord": OAuth2's authorization-code flow with the scopes
//! `identify` (who the buyer is) and `guilds.join` (so the bot can add them
//! to the server once they have paid), through the oauth2 crate.

use oauth2::basic::BasicClient;
use oauth2::{
    AuthUrl, AuthorizationCode, ClientId, ClientSecret, CsrfToken, EndpointNotSet, EndpointSet, RedirectUrl,
    Scope, TokenResponse, TokenUrl,
};
use serde::Deserialize;

type Client = BasicClient<EndpointSet, EndpointNotSet, EndpointNotSet, EndpointNotSet, EndpointSet>;

/// Where Discord is reached: its site (the consent page) and its API.
#[derive(Clone, Debug)]
pub struct DiscordUrls {
    /// `https://discord.com`, or a fake's base in tests.
    pub site: String,
    /// `https://discord.com/api/v10`.
    pub api: String,
}

impl DiscordUrls {
    /// Discord itself, or everything under `proxy` (serenity's `api_proxy`).
    pub fn new(proxy: Option<&str>) -> DiscordUrls {
        let site = proxy
            .unwrap_or("https://discord.com")
            .trim_end_matches('/')
            .to_owned();
        DiscordUrls {
            api: format!("{site}/api/v10"),
            site,
        }
    }
}

/// A Discord account that has just signed in, with the token it lent.
pub struct DiscordUser {
    pub id: String,
    pub name: String,
    /// The language the person chose in Discord.
    pub locale: Option<String>,
    pub token: String,
    /// Seconds the token is good for.
    pub expires_in: Option<u64>,
}

#[derive(Deserialize)]
struct Me {
    id: String,
    username: String,
    global_name: Option<String>,
    locale: Option<String>,
}

pub struct DiscordSignIn {
    client: Client,
    http: reqwest::Client,
    api: String,
}

impl std::fmt::Debug for DiscordSignIn {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DiscordSignIn")
            .field("api", &self.api)
            .finish_non_exhaustive()
    }
}

impl DiscordSignIn {
    /// `redirect` is the callback address registered with Discord; it
    /// comes from configuration only, never from a request.
    pub fn new(client_id: u64, secret: &str, urls: &DiscordUrls, redirect: &str) -> Result<Self, String> {
        let bad = |what: &str, e: url::ParseError| format!("{what} is not a URL: {e}");
        let client = BasicClient::new(ClientId::new(client_id.to_string()))
            .set_client_secret(ClientSecret::new(secret.to_owned()))
            .set_auth_uri(
                AuthUrl::new(format!("{}/oauth2/authorize", urls.site)).map_err(|e| bad("the site", e))?,
            )
            .set_token_uri(
                TokenUrl::new(format!("{}/oauth2/token", urls.api)).map_err(|e| bad("the API", e))?,
            )
            .set_redirect_uri(RedirectUrl::new(redirect.to_owned()).map_err(|e| bad("the redirect", e))?);
        // Following redirects from the token endpoint would let it send us
        // anywhere.
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(std::time::Duration::from_secs(10))
            .build()
            .map_err(|e| e.to_string())?;
        Ok(DiscordSignIn {
            client,
            http,
            api: urls.api.clone(),
        })
    }

    /// Discord's consent page for a round trip named by `state`.
    pub fn authorize_url(&self, state: &str) -> String {
        let state = state.to_owned();
        let (url, _) = self
            .client
            .authorize_url(move || CsrfToken::new(state))
            .add_scope(Scope::new("identify".into()))
            .add_scope(Scope::new("guilds.join".into()))
            .url();
        url.into()
    }

    /// Trades the code Discord sent back for a token, and asks who it is for.
    pub async fn exchange(&self, code: &str) -> Result<DiscordUser, String> {
        let token = self
            .client
            .exchange_code(AuthorizationCode::new(code.to_owned()))
            .request_async(&self.http)
            .await
            .map_err(|e| format!("the code was not accepted: {e}"))?;
        let access = token.access_token().secret().clone();
        let me: Me = self
            .http
            .get(format!("{}/users/@me", self.api))
            .bearer_auth(&access)
            .send()
            .await
            .and_then(reqwest::Response::error_for_status)
            .map_err(|e| format!("who the token is for could not be read: {e}"))?
            .json()
            .await
            .map_err(|e| format!("Discord's answer about the account was not understood: {e}"))?;
        Ok(DiscordUser {
            id: me.id,
            name: me.global_name.unwrap_or(me.username),
            locale: me.locale,
            token: access,
            expires_in: token.expires_in().map(|d| d.as_secs()),
        })
    }
}
