//! Calendar periods in a community's time zone: the day a check-in counts
//! for, and which week, month and season a point lands in. Each period is
//! numbered so a stored total can tell whether it is current.

use chrono::{Datelike, NaiveDate, TimeZone};

use crate::config::Community;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Board {
    AllTime,
    Week,
    Month,
    Season,
}

impl Board {
    pub const ALL: [Board; 4] = [Board::AllTime, Board::Week, Board::Month, Board::Season];

    pub fn as_str(self) -> &'static str {
        match self {
            Board::AllTime => "all",
            Board::Week => "week",
            Board::Month => "month",
            Board::Season => "season",
        }
    }

    /// The names the catalogue offers (`catalogue::BOARDS`).
    pub fn parse(s: &str) -> Option<Board> {
        Board::ALL
            .into_iter()
            .find(|b| b.as_str() == s.trim().to_lowercase())
    }

    pub fn index(self) -> usize {
        self as usize
    }
}

/// Days since 1970-01-01 of a calendar date.
pub fn day_number(date: NaiveDate) -> i32 {
    let epoch = NaiveDate::from_ymd_opt(1970, 1, 1).unwrap_or_default();
    i32::try_from((date - epoch).num_days()).unwrap_or(i32::MAX)
}

pub fn date_of(day: i32) -> NaiveDate {
    let epoch = NaiveDate::from_ymd_opt(1970, 1, 1).unwrap_or_default();
    epoch + chrono::Days::new(u64::try_from(day.max(0)).unwrap_or(0))
}

/// The numbered periods an instant falls in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Keys {
    pub day: i32,
    /// The day number of the week's first day.
    pub week: i32,
    /// year·12 + month index.
    pub month: i32,
    /// 1 for the first season; 0 before seasons start.
    pub season: i32,
}

impl Keys {
    pub fn of(c: &Community, now: i64) -> Keys {
        let date = local_date(c, now);
        let day = day_number(date);
        let back = (7 + date.weekday().num_days_from_monday()
            - c.leaderboard.week_starts.num_days_from_monday())
            % 7;
        let week = day - i32::try_from(back).unwrap_or(0);
        let month = date.year() * 12 + i32::try_from(date.month0()).unwrap_or(0);
        let since = day - day_number(c.leaderboard.season_start);
        let season_days = i32::try_from(c.leaderboard.season_days).unwrap_or(91).max(1);
        let season = if since < 0 { 0 } else { since / season_days + 1 };
        Keys {
            day,
            week,
            month,
            season,
        }
    }

    pub fn get(&self, board: Board) -> i32 {
        match board {
            Board::AllTime => 0,
            Board::Week => self.week,
            Board::Month => self.month,
            Board::Season => self.season,
        }
    }
}

pub fn local_date(c: &Community, now: i64) -> NaiveDate {
    match c.time_zone.timestamp_opt(now, 0) {
        chrono::LocalResult::Single(t) | chrono::LocalResult::Ambiguous(t, _) => t.date_naive(),
        chrono::LocalResult::None => chrono::DateTime::from_timestamp(now, 0)
            .unwrap_or_default()
            .date_naive(),
    }
}

/// The instant local `day` begins in the community's time zone.
pub fn day_start(c: &Community, day: i32) -> Option<i64> {
    let midnight = date_of(day).and_hms_opt(0, 0, 0)?;
    c.time_zone
        .from_local_datetime(&midnight)
        .earliest()
        .map(|t| t.timestamp())
}

/// The first and last calendar day of the period `key` of `board`.
pub fn span(c: &Community, board: Board, key: i32) -> Option<(NaiveDate, NaiveDate)> {
    match board {
        Board::AllTime => None,
        Board::Week => Some((date_of(key), date_of(key + 6))),
        Board::Month => {
            let first =
                NaiveDate::from_ymd_opt(key.div_euclid(12), u32::try_from(key.rem_euclid(12)).ok()? + 1, 1)?;
            let next = first.checked_add_months(chrono::Months::new(1))?;
            Some((first, next.pred_opt()?))
        }
        Board::Season => {
            let days = i32::try_from(c.leaderboard.season_days).ok()?;
            let start = day_number(c.leaderboard.season_start) + (key.max(1) - 1) * days;
            Some((date_of(start), date_of(start + days - 1)))
        }
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::config::CommunityConfig;

    pub(crate) fn community(zone: &str) -> Community {
        let tier = crate::config::TierConfig {
            key: "basic".into(),
            name: crate::domain::LocalizedText::Plain("Basic".into()),
            perks: vec![],
            monthly: None,
            yearly: None,
            trial_days: 0,
            stripe_monthly: None,
            stripe_yearly: None,
            stars_monthly: None,
        };
        CommunityConfig {
            slug: "c".into(),
            name: crate::domain::LocalizedText::Plain("C".into()),
            time_zone: Some(zone.into()),
            default_locale: "en".into(),
            tiers: vec![tier],
            ..Default::default()
        }
        .validate("c")
        .unwrap_or_else(|e| panic!("{e}"))
    }

    fn at(y: i32, m: u32, d: u32, h: u32, min: u32) -> i64 {
        chrono::NaiveDate::from_ymd_opt(y, m, d)
            .and_then(|date| date.and_hms_opt(h, min, 0))
            .map(|t| t.and_utc().timestamp())
            .unwrap_or_default()
    }

    #[test]
    fn the_day_follows_the_community_clock() {
        let shanghai = community("Asia/Shanghai");
        // 16:30 UTC is already the next day in Shanghai (UTC+8).
        let k = Keys::of(&shanghai, at(2026, 11, 22, 16, 30));
        assert_eq!(
            date_of(k.day),
            NaiveDate::from_ymd_opt(2026, 11, 23).unwrap_or_default()
        );
        let utc = community("UTC");
        let k = Keys::of(&utc, at(2026, 11, 22, 16, 30));
        assert_eq!(
            date_of(k.day),
            NaiveDate::from_ymd_opt(2026, 11, 22).unwrap_or_default()
        );
    }

    #[test]
    fn weeks_start_on_the_configured_day_and_months_and_seasons_are_numbered() {
        let c = community("UTC");
        // 2026-11-22 is a Sunday; the week (Monday start) began on the 16th.
        let k = Keys::of(&c, at(2026, 11, 22, 12, 0));
        assert_eq!(
            date_of(k.week),
            NaiveDate::from_ymd_opt(2026, 11, 16).unwrap_or_default()
        );
        assert_eq!(k.month, 2026 * 12 + 10);
        // Seasons of 91 days from 2026-01-01: day 325 of the year is season 4.
        assert_eq!(k.season, 4);
        let (first, last) = span(&c, Board::Season, 4).unwrap_or_default();
        assert!(first <= date_of(k.day) && date_of(k.day) <= last);
        let (first, last) = span(&c, Board::Month, k.month).unwrap_or_default();
        assert_eq!((first.day(), last.day()), (1, 30));
        assert_eq!(Keys::of(&c, at(2025, 12, 31, 23, 0)).season, 0);
    }

    #[test]
    fn dst_changes_do_not_move_the_day() {
        let ny = community("America/New_York");
        // Clocks go back at 2026-11-01 06:00 UTC; 03:30 UTC is still Oct 31
        // locally, 05:30 UTC is Nov 1 01:30 (the first of two), 06:30 UTC is
        // Nov 1 01:30 again.
        let before = Keys::of(&ny, at(2026, 11, 1, 3, 30)).day;
        let first = Keys::of(&ny, at(2026, 11, 1, 5, 30)).day;
        let second = Keys::of(&ny, at(2026, 11, 1, 6, 30)).day;
        assert_eq!(first, before + 1);
        assert_eq!(second, first);
        // Spring forward (2026-03-08 07:00 UTC): 04:59 UTC is Mar 7 23:59.
        let sat = Keys::of(&ny, at(2026, 3, 8, 4, 59)).day;
        let sun = Keys::of(&ny, at(2026, 3, 8, 5, 1)).day;
        assert_eq!(sun, sat + 1);
    }

    #[test]
    fn boards_are_named_as_the_catalogue_offers_them() {
        let names: Vec<&str> = Board::ALL.iter().map(|b| b.as_str()).collect();
        assert_eq!(names, crate::catalogue::BOARDS);
        assert_eq!(Board::parse(" Week"), Some(Board::Week));
        assert_eq!(Board::parse("yesterday"), None);
    }
}
