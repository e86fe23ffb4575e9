//! One-time dashboard sign-in links. A link names the community, the admin
//! and when it expires, carries a random nonce (which the database records
//! on first use, so a second use is refused), and is signed with
//! HMAC-SHA256 so none of that can be changed or made up.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, Mac};
use rand::RngCore;
use sha2::Sha256;

/// How long a link stays good.
pub const LINK_TTL_SECS: i64 = 600;
/// How long a browser stays signed in.
pub const SESSION_TTL_SECS: i64 = 8 * 3_600;
/// How long a signed `/start` payload stays good: a page that hands them
/// out makes new ones, and one copied elsewhere stops working.
pub const START_TTL_SECS: i64 = 7 * 86_400;
/// What marks a `/start` payload as signed; a slug never has `_`.
pub const START_PREFIX: &str = "s_";
/// The payload's tag is HMAC-SHA256 cut to 8 bytes (11 characters), so a
/// slug of up to 34 characters still fits Telegram's 64.
const START_TAG_BYTES: usize = 8;
const START_TAG_CHARS: usize = 11;

/// What a valid link says.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Claim {
    pub community: String,
    pub actor: String,
    /// Whether the actor was an admin when the link was made.
    pub admin: bool,
    pub expires: i64,
    pub nonce: String,
}

/// Why a link was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Refusal {
    /// Not made by us, or changed since.
    Forged,
    Expired,
    /// Already used to sign in.
    Used,
    /// The person is not an admin of the community.
    NotAdmin,
}

#[derive(Clone)]
pub struct SignInLinks {
    base: String,
    key: Vec<u8>,
}

// Never print the key.
impl std::fmt::Debug for SignInLinks {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SignInLinks")
            .field("base", &self.base)
            .finish_non_exhaustive()
    }
}

/// A fresh random value as hex, for nonces, cookies and CSRF tokens.
pub fn random_hex(bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    rand::rng().fill_bytes(&mut buf);
    hex::encode(buf)
}

/// SHA-256 of `s` as hex: how session cookies are stored.
pub fn digest(s: &str) -> String {
    use sha2::Digest;
    hex::encode(Sha256::digest(s.as_bytes()))
}

/// Equality that takes as long whatever the inputs share.
pub fn same(a: &str, b: &str) -> bool {
    use subtle::ConstantTimeEq;
    a.len() == b.len() && bool::from(a.as_bytes().ct_eq(b.as_bytes()))
}

impl SignInLinks {
    /// `base` is the server's public URL; `secret` signs the links.
    pub fn new(base: &str, secret: &[u8]) -> SignInLinks {
        SignInLinks {
            base: base.trim_end_matches('/').to_owned(),
            key: secret.to_vec(),
        }
    }

    /// The tag of `payload` for `purpose`, so a link of one kind never
    /// passes for another.
    fn mac(&self, purpose: &str, payload: &[u8]) -> Option<Hmac<Sha256>> {
        let mut mac = Hmac::<Sha256>::new_from_slice(&self.key).ok()?;
        mac.update(purpose.as_bytes());
        mac.update(b"|");
        mac.update(payload);
        Some(mac)
    }

    fn seal(&self, purpose: &str, payload: &str) -> String {
        let tag = self
            .mac(purpose, payload.as_bytes())
            .map(|m| hex::encode(m.finalize().into_bytes()))
            .unwrap_or_default();
        format!("{}.{tag}", hex::encode(payload))
    }

    /// The payload of a token `seal` made for `purpose`.
    fn open(&self, purpose: &str, token: &str) -> Result<String, Refusal> {
        let (payload, tag) = token.split_once('.').ok_or(Refusal::Forged)?;
        let payload = hex::decode(payload).map_err(|_| Refusal::Forged)?;
        let tag = hex::decode(tag).map_err(|_| Refusal::Forged)?;
        self.mac(purpose, &payload)
            .ok_or(Refusal::Forged)?
            .verify_slice(&tag)
            .map_err(|_| Refusal::Forged)?;
        String::from_utf8(payload).map_err(|_| Refusal::Forged)
    }

    /// A link to download person `person`'s data, good for ten minutes.
    pub fn export_link(&self, person: i64, now: i64) -> String {
        let payload = format!("{person}|{}", now.saturating_add(LINK_TTL_SECS));
        format!("{}/privacy/export?t={}", self.base, self.seal("export", &payload))
    }

    /// The person an export link is for, if we made it and it is still good.
    pub fn verify_export(&self, token: &str, now: i64) -> Result<i64, Refusal> {
        let text = self.open("export", token)?;
        let (person, expires) = text.split_once('|').ok_or(Refusal::Forged)?;
        let person = person.parse().map_err(|_| Refusal::Forged)?;
        let expires: i64 = expires.parse().map_err(|_| Refusal::Forged)?;
        if now > expires {
            return Err(Refusal::Expired);
        }
        Ok(person)
    }

    /// A link for `actor` into `community`'s dashboard, good for ten minutes.
    pub fn issue(&self, community: &str, actor: &str, admin: bool, now: i64) -> String {
        let payload = format!(
            "{community}|{actor}|{}|{}|{}",
            u8::from(admin),
            now.saturating_add(LINK_TTL_SECS),
            random_hex(16)
        );
        format!(
            "{}/dashboard/sign-in?t={}",
            self.base,
            self.seal("dashboard", &payload)
        )
    }

    /// What `token` (the `t` of a link) says, if we made it and it is still
    /// good. Whether it was used already is the database's to say.
    pub fn verify(&self, token: &str, now: i64) -> Result<Claim, Refusal> {
        let text = self.open("dashboard", token)?;
        let parts: Vec<&str> = text.split('|').collect();
        let [community, actor, admin, expires, nonce] = parts.as_slice() else {
            return Err(Refusal::Forged);
        };
        let expires: i64 = expires.parse().map_err(|_| Refusal::Forged)?;
        if now > expires {
            return Err(Refusal::Expired);
        }
        Ok(Claim {
            community: (*community).to_owned(),
            actor: (*actor).to_owned(),
            admin: *admin == "1",
            expires,
            nonce: (*nonce).to_owned(),
        })
    }

    /// A `/start` payload for a deep link (`t.me/<bot>?start=…`) that names
    /// `community`, for a web page to hand out: at most 64 characters of
    /// the alphabet Telegram allows, good for [`START_TTL_SECS`]. `None`
    /// when the slug is too long to fit.
    pub fn start_payload(&self, community: &str, now: i64) -> Option<String> {
        let expires = u32::try_from(now.saturating_add(START_TTL_SECS)).ok()?;
        let mut bytes = expires.to_be_bytes().to_vec();
        bytes.extend_from_slice(community.as_bytes());
        let tag = self.mac("start", &bytes)?.finalize().into_bytes();
        let payload = format!(
            "{START_PREFIX}{}{}",
            URL_SAFE_NO_PAD.encode(&bytes),
            URL_SAFE_NO_PAD.encode(&tag[..START_TAG_BYTES])
        );
        (payload.len() <= 64).then_some(payload)
    }

    /// The community a signed `/start` payload names, if we made it and it
    /// is still good.
    pub fn verify_start(&self, payload: &str, now: i64) -> Result<String, Refusal> {
        let body = payload.strip_prefix(START_PREFIX).ok_or(Refusal::Forged)?;
        let split = body.len().checked_sub(START_TAG_CHARS).ok_or(Refusal::Forged)?;
        let (data, tag) = (body.get(..split), body.get(split..));
        let (Some(data), Some(tag)) = (data, tag) else {
            return Err(Refusal::Forged);
        };
        let bytes = URL_SAFE_NO_PAD.decode(data).map_err(|_| Refusal::Forged)?;
        let tag = URL_SAFE_NO_PAD.decode(tag).map_err(|_| Refusal::Forged)?;
        if tag.len() != START_TAG_BYTES {
            return Err(Refusal::Forged);
        }
        self.mac("start", &bytes)
            .ok_or(Refusal::Forged)?
            .verify_truncated_left(&tag)
            .map_err(|_| Refusal::Forged)?;
        let (expires, community) = bytes.split_at_checked(4).ok_or(Refusal::Forged)?;
        let expires = u32::from_be_bytes(expires.try_into().map_err(|_| Refusal::Forged)?);
        if now > i64::from(expires) {
            return Err(Refusal::Expired);
        }
        String::from_utf8(community.to_vec()).map_err(|_| Refusal::Forged)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn token(url: &str) -> &str {
        url.split_once("?t=").map_or("", |(_, t)| t)
    }

    #[test]
    fn links_say_who_until_they_expire() {
        let links = SignInLinks::new("https://lyceum.example/", b"secret one");
        let url = links.issue("demo", "discord:1", true, 1_000);
        assert!(url.starts_with("https://lyceum.example/dashboard/sign-in?t="));
        let claim = links.verify(token(&url), 1_000 + LINK_TTL_SECS);
        let claim = claim.unwrap_or_else(|r| panic!("refused: {r:?}"));
        assert_eq!(
            (claim.community.as_str(), claim.actor.as_str()),
            ("demo", "discord:1")
        );
        assert!(claim.admin);
        assert_eq!(
            links.verify(token(&url), 1_001 + LINK_TTL_SECS),
            Err(Refusal::Expired)
        );
        // Two links never share a nonce.
        let again = links.issue("demo", "discord:1", true, 1_000);
        assert_ne!(
            links.verify(token(&again), 1_000).map(|c| c.nonce),
            Ok(claim.nonce)
        );
    }

    #[test]
    fn start_payloads_fit_telegram_and_cannot_be_changed() {
        let links = SignInLinks::new("http://x", b"secret one");
        let p = links.start_payload("rustaceans", 1_000).unwrap_or_default();
        let allowed = |c: char| c.is_ascii_alphanumeric() || c == '_' || c == '-';
        assert!(p.len() <= 64 && p.chars().all(allowed), "{p}");
        let good = links.verify_start(&p, 1_000 + START_TTL_SECS);
        assert_eq!(good, Ok("rustaceans".to_owned()));
        let late = links.verify_start(&p, 1_001 + START_TTL_SECS);
        assert_eq!(late, Err(Refusal::Expired));
        let other = SignInLinks::new("http://x", b"secret two");
        assert_eq!(other.verify_start(&p, 1_000), Err(Refusal::Forged));
        let mut changed = p.clone().into_bytes();
        changed[4] = if changed[4] == b'A' { b'B' } else { b'A' };
        let changed = String::from_utf8(changed).unwrap_or_default();
        assert_eq!(links.verify_start(&changed, 1_000), Err(Refusal::Forged));
        assert_eq!(links.verify_start("demo", 1_000), Err(Refusal::Forged));
        assert_eq!(links.verify_start("s_", 1_000), Err(Refusal::Forged));
        assert!(links.start_payload(&"x".repeat(40), 1_000).is_none());
    }

    #[test]
    fn changed_or_foreign_links_are_forged() {
        let links = SignInLinks::new("http://x", b"secret one");
        let url = links.issue("demo", "discord:1", false, 0);
        let t = token(&url);
        let other = SignInLinks::new("http://x", b"secret two");
        assert_eq!(other.verify(t, 0), Err(Refusal::Forged));
        // Turning the admin flag on changes the payload under the tag.
        let (payload, tag) = t.split_once('.').unwrap_or_default();
        let text = String::from_utf8(hex::decode(payload).unwrap_or_default()).unwrap_or_default();
        let raised = hex::encode(text.replace("|0|", "|1|"));
        assert_eq!(links.verify(&format!("{raised}.{tag}"), 0), Err(Refusal::Forged));
        for junk in ["", ".", "zz.zz", "abc", "00.00"] {
            assert_eq!(links.verify(junk, 0), Err(Refusal::Forged), "{junk}");
        }
        assert!(same("abc", "abc") && !same("abc", "abd") && !same("abc", "ab"));
    }

    #[test]
    fn export_links_name_one_person_and_pass_for_nothing_else() {
        let links = SignInLinks::new("http://x", b"secret one");
        let url = links.export_link(42, 0);
        assert!(url.starts_with("http://x/privacy/export?t="), "{url}");
        let t = url.split_once("?t=").map_or("", |(_, t)| t);
        assert_eq!(links.verify_export(t, LINK_TTL_SECS), Ok(42));
        assert_eq!(links.verify_export(t, LINK_TTL_SECS + 1), Err(Refusal::Expired));
        // An export link does not sign anyone in, nor the other way round.
        assert_eq!(links.verify(t, 0), Err(Refusal::Forged));
        let sign_in = links.issue("demo", "discord:1", true, 0);
        assert_eq!(links.verify_export(token(&sign_in), 0), Err(Refusal::Forged));
    }
}
