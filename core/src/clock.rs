//! Time as Unix seconds, injectable so rules about expiry, codes and retries
//! can be exercised without waiting.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

pub trait Clock: Send + Sync {
    fn now(&self) -> i64;
}

#[derive(Clone, Copy, Debug, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> i64 {
        chrono::Utc::now().timestamp()
    }
}

/// A clock that only moves when told to; shared by clones.
#[derive(Clone, Debug)]
pub struct ManualClock(Arc<AtomicI64>);

impl ManualClock {
    pub fn at(secs: i64) -> Self {
        ManualClock(Arc::new(AtomicI64::new(secs)))
    }

    pub fn advance(&self, secs: i64) {
        self.0.fetch_add(secs, Ordering::SeqCst);
    }

    pub fn set(&self, secs: i64) {
        self.0.store(secs, Ordering::SeqCst);
    }
}

impl Clock for ManualClock {
    fn now(&self) -> i64 {
        self.0.load(Ordering::SeqCst)
    }
}

/// A day as people write it, in their language and the community's time
/// zone: "8 January 2027", "2027年1月8日".
pub fn human_date(secs: i64, locale: crate::domain::Locale, zone: chrono_tz::Tz) -> String {
    use chrono::Datelike;
    let Some(t) = chrono::DateTime::from_timestamp(secs, 0) else {
        return iso(secs);
    };
    let day = t.with_timezone(&zone).date_naive();
    match locale {
        crate::domain::Locale::En => day.format("%-d %B %Y").to_string(),
        crate::domain::Locale::ZhCn => format!("{}年{}月{}日", day.year(), day.month(), day.day()),
    }
}

/// A day and its time as people write them: "8 January 2027, 14:05",
/// "2027年1月8日 14:05".
pub fn human_moment(secs: i64, locale: crate::domain::Locale, zone: chrono_tz::Tz) -> String {
    let Some(t) = chrono::DateTime::from_timestamp(secs, 0) else {
        return iso(secs);
    };
    let time = t.with_timezone(&zone).format("%H:%M");
    match locale {
        crate::domain::Locale::En => format!("{}, {time}", human_date(secs, locale, zone)),
        crate::domain::Locale::ZhCn => format!("{} {time}", human_date(secs, locale, zone)),
    }
}

/// RFC 3339 in UTC, the form timestamps take in replies and JSON.
pub fn iso(secs: i64) -> String {
    chrono::DateTime::from_timestamp(secs, 0).map_or_else(
        || secs.to_string(),
        |t| t.format("%Y-%m-%dT%H:%M:%SZ").to_string(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Locale;

    #[test]
    fn dates_are_written_for_people_in_the_communitys_zone() {
        // 2027-01-07T23:30:00Z: still the 7th in UTC, already the 8th in Shanghai.
        let t = 1_799_364_600;
        assert_eq!(human_date(t, Locale::En, chrono_tz::UTC), "7 January 2027");
        assert_eq!(
            human_date(t, Locale::En, chrono_tz::Asia::Shanghai),
            "8 January 2027"
        );
        assert_eq!(
            human_date(t, Locale::ZhCn, chrono_tz::Asia::Shanghai),
            "2027年1月8日"
        );
        assert_eq!(
            human_moment(t, Locale::En, chrono_tz::UTC),
            "7 January 2027, 23:30"
        );
        assert_eq!(
            human_moment(t, Locale::ZhCn, chrono_tz::Asia::Shanghai),
            "2027年1月8日 07:30"
        );
    }
}
