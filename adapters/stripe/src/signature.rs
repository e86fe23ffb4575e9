//! The `Stripe-Signature` header: `t=<unix seconds>,v1=<hex>[,v1=<hex>…]`,
//! where each `v1` is HMAC-SHA256 over `"{t}.{raw body}"` with an endpoint
//! secret. Several `v1` values appear while Stripe rolls a secret; we accept
//! any of our configured secrets so ours can roll too.

use hmac::{Hmac, Mac};
use sha2::Sha256;

/// How far the signed timestamp may be from our clock, in seconds.
pub const TOLERANCE_SECS: i64 = 300;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SignatureError {
    #[error("no Stripe-Signature header")]
    Missing,
    #[error("the Stripe-Signature header is malformed")]
    Malformed,
    #[error("the signature is {0} s away from now, more than the tolerance")]
    Stale(i64),
    #[error("no signature matches any configured secret")]
    Mismatch,
}

struct Parsed {
    timestamp: i64,
    signatures: Vec<Vec<u8>>,
}

fn parse(header: &str) -> Result<Parsed, SignatureError> {
    let mut timestamp = None;
    let mut signatures = Vec::new();
    for part in header.split(',') {
        let Some((key, value)) = part.trim().split_once('=') else {
            return Err(SignatureError::Malformed);
        };
        match key {
            "t" if timestamp.is_none() => {
                timestamp = Some(value.parse::<i64>().map_err(|_| SignatureError::Malformed)?);
            }
            "t" => return Err(SignatureError::Malformed),
            // A v1 value that is not hex cannot match; skip it like other schemes.
            "v1" => signatures.extend(hex::decode(value).ok()),
            _ => {}
        }
    }
    match timestamp {
        Some(timestamp) => Ok(Parsed {
            timestamp,
            signatures,
        }),
        None => Err(SignatureError::Malformed),
    }
}

/// Checks `header` against the raw `body` and every secret in `secrets`.
pub fn verify(header: Option<&str>, body: &[u8], secrets: &[String], now: i64) -> Result<(), SignatureError> {
    let header = header.ok_or(SignatureError::Missing)?;
    let parsed = parse(header)?;
    let skew = now.saturating_sub(parsed.timestamp);
    if skew.abs() > TOLERANCE_SECS {
        return Err(SignatureError::Stale(skew));
    }
    let prefix = format!("{}.", parsed.timestamp);
    for secret in secrets {
        let Ok(mac) = Hmac::<Sha256>::new_from_slice(secret.as_bytes()) else {
            continue;
        };
        let mut mac = mac;
        mac.update(prefix.as_bytes());
        mac.update(body);
        // verify_slice compares in constant time.
        if parsed
            .signatures
            .iter()
            .any(|sig| mac.clone().verify_slice(sig).is_ok())
        {
            return Ok(());
        }
    }
    Err(SignatureError::Mismatch)
}

/// A header value as Stripe would send it, for tests and the local tools.
pub fn sign(body: &[u8], secret: &str, timestamp: i64) -> String {
    // HMAC takes keys of any length; the else branch cannot be reached.
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(secret.as_bytes()) else {
        return format!("t={timestamp}");
    };
    mac.update(format!("{timestamp}.").as_bytes());
    mac.update(body);
    format!("t={timestamp},v1={}", hex::encode(mac.finalize().into_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    const BODY: &[u8] = br#"{"id":"evt_1","type":"invoice.paid"}"#;
    const NOW: i64 = 1_800_000_000;

    fn secrets(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn a_valid_signature_passes() {
        let header = sign(BODY, "whsec_a", NOW);
        assert_eq!(verify(Some(&header), BODY, &secrets(&["whsec_a"]), NOW), Ok(()));
    }

    #[test]
    fn a_tampered_body_fails() {
        let header = sign(BODY, "whsec_a", NOW);
        let tampered = br#"{"id":"evt_1","type":"invoice.paid "}"#;
        assert_eq!(
            verify(Some(&header), tampered, &secrets(&["whsec_a"]), NOW),
            Err(SignatureError::Mismatch)
        );
    }

    #[test]
    fn stale_and_future_timestamps_fail() {
        let old = sign(BODY, "whsec_a", NOW - 301);
        assert_eq!(
            verify(Some(&old), BODY, &secrets(&["whsec_a"]), NOW),
            Err(SignatureError::Stale(301))
        );
        let edge = sign(BODY, "whsec_a", NOW - 300);
        assert_eq!(verify(Some(&edge), BODY, &secrets(&["whsec_a"]), NOW), Ok(()));
        let future = sign(BODY, "whsec_a", NOW + 301);
        assert!(matches!(
            verify(Some(&future), BODY, &secrets(&["whsec_a"]), NOW),
            Err(SignatureError::Stale(_))
        ));
    }

    #[test]
    fn any_of_several_v1_values_may_match() {
        let good = sign(BODY, "whsec_new", NOW);
        let v1 = good.split("v1=").nth(1).unwrap_or_default();
        let header = format!("t={NOW},v1={},v0=abc,v1={v1}", "00".repeat(32));
        assert_eq!(verify(Some(&header), BODY, &secrets(&["whsec_new"]), NOW), Ok(()));
    }

    #[test]
    fn any_configured_secret_may_match_so_secrets_can_rotate() {
        let header = sign(BODY, "whsec_old", NOW);
        let both = secrets(&["whsec_new", "whsec_old"]);
        assert_eq!(verify(Some(&header), BODY, &both, NOW), Ok(()));
        assert_eq!(
            verify(Some(&header), BODY, &secrets(&["whsec_new"]), NOW),
            Err(SignatureError::Mismatch)
        );
    }

    #[test]
    fn missing_and_malformed_headers_fail() {
        let s = secrets(&["whsec_a"]);
        assert_eq!(verify(None, BODY, &s, NOW), Err(SignatureError::Missing));
        for bad in ["", "v1=abcd", "t=abc,v1=00", "t=1,t=2,v1=00", "garbage"] {
            assert_eq!(
                verify(Some(bad), BODY, &s, NOW),
                Err(SignatureError::Malformed),
                "{bad}"
            );
        }
        let no_v1 = format!("t={NOW}");
        assert_eq!(verify(Some(&no_v1), BODY, &s, NOW), Err(SignatureError::Mismatch));
    }

    proptest::proptest! {
        #[test]
        fn no_header_panics(header in ".{0,200}", body in proptest::collection::vec(proptest::num::u8::ANY, 0..64)) {
            let _ = verify(Some(&header), &body, &secrets(&["whsec_a"]), NOW);
        }
    }
}
