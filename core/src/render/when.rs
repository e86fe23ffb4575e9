//! Dates in replies as people read them. Replies carry instants as RFC 3339
//! in UTC (what `--json` and the dashboard's downloads print); the text a
//! person reads gets them in their language and the community's time zone.
//! One pass over the reply before it is rendered keeps every renderer free
//! of the zone.

use std::borrow::Cow;

use chrono_tz::Tz;

use crate::clock::{human_date, human_moment};
use crate::domain::Locale;
use crate::error::UserError;
use crate::reply::{Delivered, LessonLine, LessonState, MemberView, Reply};

/// The instant `iso` as a day; anything that is not RFC 3339 stays as it is.
fn day(iso: &mut String, locale: Locale, zone: Tz) {
    if let Ok(t) = chrono::DateTime::parse_from_rfc3339(iso) {
        *iso = human_date(t.timestamp(), locale, zone);
    }
}

/// The instant `iso` as a day and a time of day.
fn moment(iso: &mut String, locale: Locale, zone: Tz) {
    if let Ok(t) = chrono::DateTime::parse_from_rfc3339(iso) {
        *iso = human_moment(t.timestamp(), locale, zone);
    }
}

/// A member's access date and history as people read them.
pub fn member_dates(m: &mut MemberView, locale: Locale, zone: Tz) {
    m.access_until.iter_mut().for_each(|u| day(u, locale, zone));
    for h in &mut m.history {
        moment(&mut h.at, locale, zone);
        h.access_until.iter_mut().for_each(|u| day(u, locale, zone));
    }
}

fn lines(lines: &mut [LessonLine], locale: Locale, zone: Tz) {
    for l in lines {
        if let LessonState::Opens { date } = &mut l.state {
            day(date, locale, zone);
        }
    }
}

/// `reply` with every instant in it written for `locale` in `zone`;
/// copied only when it holds one.
pub fn humanize(reply: &Reply, locale: Locale, zone: Tz) -> Cow<'_, Reply> {
    let dated = matches!(
        reply,
        Reply::Me(_)
            | Reply::Member(_)
            | Reply::Points { .. }
            | Reply::Redeemed {
                delivered: Delivered::Perk { .. },
                ..
            }
            | Reply::Granted { .. }
            | Reply::CancelScheduled { .. }
            | Reply::Lessons { .. }
            | Reply::Course { .. }
            | Reply::Next { .. }
            | Reply::Questions { .. }
            | Reply::Refused(UserError::NotOpenYet { .. } | UserError::AlreadyCanceling { .. })
    );
    if !dated {
        return Cow::Borrowed(reply);
    }
    let mut r = reply.clone();
    match &mut r {
        Reply::Me(m) | Reply::Member(m) => member_dates(m, locale, zone),
        Reply::Points { recent, .. } => recent.iter_mut().for_each(|l| moment(&mut l.at, locale, zone)),
        Reply::Redeemed {
            delivered: Delivered::Perk { until, .. },
            ..
        } => day(until, locale, zone),
        Reply::Granted { access_until, .. } => access_until.iter_mut().for_each(|u| day(u, locale, zone)),
        Reply::CancelScheduled { until, .. } => until.iter_mut().for_each(|u| day(u, locale, zone)),
        Reply::Lessons { lines: l } | Reply::Course { lines: l, .. } | Reply::Next { lines: l, .. } => {
            lines(l, locale, zone);
        }
        Reply::Questions { open } => open
            .iter_mut()
            .for_each(|q| moment(&mut q.asked_at, locale, zone)),
        Reply::Refused(UserError::NotOpenYet { opens, .. }) => day(opens, locale, zone),
        Reply::Refused(UserError::AlreadyCanceling { until }) => day(until, locale, zone),
        _ => {}
    }
    Cow::Owned(r)
}
