//! Secrets kept at rest, sealed with AES-256-GCM under a key the operator
//! gives in the environment: a database copy alone opens nothing. Each
//! sealed value binds the name of what it belongs to as associated data,
//! so a value copied to another row fails to open instead of acting for
//! someone else.

use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Nonce};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use rand::RngCore;

const NONCE_BYTES: usize = 12;

/// Why a key could not be read.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum KeyProblem {
    #[error("is not base64")]
    NotBase64,
    #[error("must be 32 bytes (44 base64 characters), not {0}; make one with `openssl rand -base64 32`")]
    Length(usize),
}

#[derive(Clone)]
pub struct Sealer {
    cipher: Aes256Gcm,
}

// Never print the key.
impl std::fmt::Debug for Sealer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Sealer")
    }
}

impl Sealer {
    /// A sealer from a 32-byte key written in base64.
    pub fn from_base64(key: &str) -> Result<Sealer, KeyProblem> {
        let bytes = STANDARD.decode(key.trim()).map_err(|_| KeyProblem::NotBase64)?;
        if bytes.len() != 32 {
            return Err(KeyProblem::Length(bytes.len()));
        }
        let cipher = Aes256Gcm::new_from_slice(&bytes).map_err(|_| KeyProblem::Length(bytes.len()))?;
        Ok(Sealer { cipher })
    }

    /// `secret` sealed for `owner`, as base64 of a fresh nonce and the
    /// ciphertext with its tag.
    pub fn seal(&self, owner: &str, secret: &str) -> String {
        let mut nonce = [0u8; NONCE_BYTES];
        rand::rng().fill_bytes(&mut nonce);
        let payload = Payload {
            msg: secret.as_bytes(),
            aad: owner.as_bytes(),
        };
        // Encryption fails only for messages of gigabytes.
        let sealed = self
            .cipher
            .encrypt(&Nonce::from(nonce), payload)
            .unwrap_or_default();
        let mut out = nonce.to_vec();
        out.extend(sealed);
        STANDARD.encode(out)
    }

    /// The secret sealed for `owner`, or `None` if the value was sealed
    /// under another key, for another owner, or changed.
    pub fn open(&self, owner: &str, sealed: &str) -> Option<String> {
        let bytes = STANDARD.decode(sealed).ok()?;
        if bytes.len() <= NONCE_BYTES {
            return None;
        }
        let (nonce, body) = bytes.split_at(NONCE_BYTES);
        let payload = Payload {
            msg: body,
            aad: owner.as_bytes(),
        };
        let nonce: [u8; NONCE_BYTES] = nonce.try_into().ok()?;
        let plain = self.cipher.decrypt(&Nonce::from(nonce), payload).ok()?;
        String::from_utf8(plain).ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &str = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";

    #[test]
    fn opens_only_for_its_owner_under_its_key() {
        let s = Sealer::from_base64(KEY).unwrap();
        let sealed = s.seal("discord:1", "token-abc");
        assert!(!sealed.contains("token-abc"));
        assert_eq!(s.open("discord:1", &sealed).as_deref(), Some("token-abc"));
        assert_eq!(s.open("discord:2", &sealed), None);
        let other = Sealer::from_base64(&STANDARD.encode([7u8; 32])).unwrap();
        assert_eq!(other.open("discord:1", &sealed), None);
        let mut bytes = STANDARD.decode(&sealed).unwrap();
        let last = bytes.len() - 1;
        bytes[last] ^= 1;
        assert_eq!(s.open("discord:1", &STANDARD.encode(bytes)), None);
        assert_eq!(s.open("discord:1", "not base64!"), None);
        assert_ne!(
            s.seal("discord:1", "token-abc"),
            sealed,
            "each seal has its own nonce"
        );
    }

    #[test]
    fn keys_of_the_wrong_size_are_refused() {
        assert_eq!(Sealer::from_base64("%%").unwrap_err(), KeyProblem::NotBase64);
        assert_eq!(
            Sealer::from_base64(&STANDARD.encode([1u8; 16])).unwrap_err(),
            KeyProblem::Length(16)
        );
    }
}
