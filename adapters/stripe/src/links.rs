//! Lasting links to the billing portal. A portal session expires within
//! minutes, so a grace notice carries `/billing/portal/{member}/{expires}/{mac}`
//! on our own server, which opens a fresh session when followed. The MAC is
//! HMAC-SHA256 under a key derived from the Stripe secret key, so no extra
//! secret needs configuring.

use hmac::{Hmac, Mac};
use sha2::Sha256;

/// How long a link in a message stays good.
pub const LINK_TTL_SECS: i64 = 7 * 86_400;

#[derive(Clone)]
pub struct PortalLinks {
    base: String,
    key: Vec<u8>,
}

// Never print the key.
impl std::fmt::Debug for PortalLinks {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PortalLinks")
            .field("base", &self.base)
            .finish_non_exhaustive()
    }
}

fn mac(key: &[u8], member: i64, expires: i64) -> Option<Hmac<Sha256>> {
    let mut mac = Hmac::<Sha256>::new_from_slice(key).ok()?;
    mac.update(format!("portal|{member}|{expires}").as_bytes());
    Some(mac)
}

impl PortalLinks {
    /// `base` is the server's public URL, without a trailing slash.
    pub fn new(base: &str, secret_key: &str) -> PortalLinks {
        let key = mac(secret_key.as_bytes(), 0, 0)
            .map(|m| m.finalize().into_bytes().to_vec())
            .unwrap_or_default();
        PortalLinks {
            base: base.trim_end_matches('/').to_owned(),
            key,
        }
    }

    pub fn link(&self, member: i64, now: i64) -> Option<String> {
        let expires = now.saturating_add(LINK_TTL_SECS);
        let tag = hex::encode(mac(&self.key, member, expires)?.finalize().into_bytes());
        Some(format!("{}/billing/portal/{member}/{expires}/{tag}", self.base))
    }

    /// Whether `tag` was made by [`PortalLinks::link`] and is still good.
    pub fn check(&self, member: i64, expires: i64, tag: &str, now: i64) -> bool {
        let Ok(tag) = hex::decode(tag) else { return false };
        let Some(mac) = mac(&self.key, member, expires) else {
            return false;
        };
        now <= expires && mac.verify_slice(&tag).is_ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_verify_until_they_expire_and_not_for_another_member() {
        let links = PortalLinks::new("https://lyceum.example/", "sk_test_1");
        let url = links.link(7, 1_000).unwrap_or_default();
        let parts: Vec<&str> = url.rsplit('/').take(3).collect();
        let (tag, expires) = (parts[0], parts[1].parse::<i64>().unwrap_or_default());
        assert!(url.starts_with("https://lyceum.example/billing/portal/7/"));
        assert!(links.check(7, expires, tag, 1_000 + LINK_TTL_SECS));
        assert!(!links.check(7, expires, tag, 1_001 + LINK_TTL_SECS));
        assert!(!links.check(8, expires, tag, 1_000));
        assert!(!links.check(7, expires + 1, tag, 1_000));
        assert!(!PortalLinks::new("https://x", "sk_other").check(7, expires, tag, 1_000));
        assert!(!links.check(7, expires, "zz", 1_000));
    }
}
