//! Reading what a creator typed about access: a price in the community's
//! currency, when the lesson opens, a link to attach. Each refusal names
//! what was wrong.

use chrono::{NaiveDate, TimeZone};

use crate::domain::Money;
use crate::error::UserError;

/// The furthest ahead a lesson may open: later is a typo, not a plan.
pub const MAX_OPEN_DAYS: i64 = 3650;

/// When a lesson opens, as written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Opens {
    /// Days after each member joined.
    AfterJoining(i32),
    /// One instant for everyone: local midnight of a date.
    At(i64),
}

/// `9.99`, `10` or `0.5` in `currency`; `Ok(None)` for `0` or `none`, which
/// stop selling the lesson on its own.
pub fn price(input: &str, currency: &str) -> Result<Option<Money>, UserError> {
    let bad = || UserError::BadPrice {
        input: input.to_owned(),
        currency: currency.to_owned(),
    };
    let raw = input.trim();
    if raw.eq_ignore_ascii_case("none") {
        return Ok(None);
    }
    let exponent = iso_currency::Currency::from_code(currency)
        .and_then(iso_currency::Currency::exponent)
        .map_or(0, u32::from);
    let (whole, frac) = raw.split_once('.').unwrap_or((raw, ""));
    let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if whole.is_empty() || !digits(whole) || !digits(frac) || frac.len() > exponent as usize {
        return Err(bad());
    }
    let scale = 10_i64.pow(exponent);
    let frac_minor = format!("{frac:0<width$}", width = exponent as usize);
    let minor = whole
        .parse::<i64>()
        .ok()
        .and_then(|w| w.checked_mul(scale))
        .and_then(|w| w.checked_add(frac_minor.parse::<i64>().unwrap_or(0)))
        .filter(|m| *m <= 1_000_000 * scale)
        .ok_or_else(bad)?;
    if minor == 0 {
        return Ok(None);
    }
    Money::new(minor, currency).map(Some).map_err(|_| bad())
}

/// A number of days after joining, or a date (`2026-12-01`) in the
/// community's time zone that is still ahead. `Ok(None)` for `0` or `none`.
pub fn opens(input: &str, zone: chrono_tz::Tz, now: i64) -> Result<Option<Opens>, UserError> {
    let raw = input.trim();
    if raw.eq_ignore_ascii_case("none") || raw == "0" {
        return Ok(None);
    }
    if raw.bytes().all(|b| b.is_ascii_digit()) {
        let days = raw.parse::<i64>().unwrap_or(i64::MAX);
        if days > MAX_OPEN_DAYS {
            return Err(UserError::OpensTooLate {
                max_days: MAX_OPEN_DAYS,
            });
        }
        return Ok(Some(Opens::AfterJoining(i32::try_from(days).unwrap_or(0))));
    }
    let date = NaiveDate::parse_from_str(raw, "%Y-%m-%d").map_err(|_| UserError::BadOpens {
        input: raw.to_owned(),
    })?;
    let at = date
        .and_hms_opt(0, 0, 0)
        .and_then(|t| zone.from_local_datetime(&t).earliest())
        .map(|t| t.timestamp())
        .ok_or_else(|| UserError::BadOpens {
            input: raw.to_owned(),
        })?;
    if at <= now {
        return Err(UserError::OpensInPast { date: raw.to_owned() });
    }
    if at - now > MAX_OPEN_DAYS * 86_400 {
        return Err(UserError::OpensTooLate {
            max_days: MAX_OPEN_DAYS,
        });
    }
    Ok(Some(Opens::At(at)))
}

/// A web link to attach (an upload's CDN address on Discord).
pub fn attachment(input: &str) -> Result<String, UserError> {
    let raw = input.trim();
    match url::Url::parse(raw) {
        Ok(u) if matches!(u.scheme(), "http" | "https") && u.host().is_some() => Ok(u.to_string()),
        _ => Err(UserError::BadAttachment {
            input: raw.to_owned(),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prices_read_in_the_currencys_minor_units() {
        let minor = |s: &str, c: &str| price(s, c).map(|m| m.map(|m| m.amount_minor()));
        assert_eq!(minor("9.99", "USD"), Ok(Some(999)));
        assert_eq!(minor("10", "USD"), Ok(Some(1000)));
        assert_eq!(minor("0.5", "USD"), Ok(Some(50)));
        assert_eq!(minor("500", "JPY"), Ok(Some(500)));
        assert_eq!(minor("0", "USD"), Ok(None));
        assert_eq!(minor("none", "USD"), Ok(None));
        for bad in [
            "9.999",
            "-1",
            "1e3",
            "",
            ".5",
            "five",
            "5.00.1",
            "99999999999999999999",
        ] {
            assert!(
                matches!(price(bad, "USD"), Err(UserError::BadPrice { .. })),
                "{bad}"
            );
        }
        assert!(price("5.5", "JPY").is_err(), "yen has no minor unit");
    }

    #[test]
    fn opening_dates_must_be_ahead_and_sane() {
        let zone = chrono_tz::Asia::Shanghai;
        // 2026-11-22 00:00 UTC
        let now = 1_795_305_600;
        assert_eq!(opens("7", zone, now), Ok(Some(Opens::AfterJoining(7))));
        assert_eq!(opens("none", zone, now), Ok(None));
        // Midnight in Shanghai is 16:00 UTC the day before.
        assert_eq!(opens("2026-12-01", zone, now), Ok(Some(Opens::At(1_796_054_400))));
        assert!(matches!(
            opens("2026-11-01", zone, now),
            Err(UserError::OpensInPast { .. })
        ));
        assert!(matches!(
            opens("2046-01-01", zone, now),
            Err(UserError::OpensTooLate { .. })
        ));
        assert!(matches!(
            opens("99999", zone, now),
            Err(UserError::OpensTooLate { .. })
        ));
        assert!(matches!(
            opens("next week", zone, now),
            Err(UserError::BadOpens { .. })
        ));
        assert!(matches!(
            opens("2026-02-30", zone, now),
            Err(UserError::BadOpens { .. })
        ));
    }

    #[test]
    fn attachments_are_web_links() {
        assert_eq!(
            attachment(" https://cdn.example.com/a.pdf ").as_deref(),
            Ok("https://cdn.example.com/a.pdf")
        );
        for bad in [
            "file:///etc/passwd",
            "javascript:alert(1)",
            "not a link",
            "https://",
        ] {
            assert!(attachment(bad).is_err(), "{bad}");
        }
    }
}
