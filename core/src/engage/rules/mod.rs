//! The points rules that make farming pointless: channels that earn nothing,
//! a minimum message length, a per-person cooldown per source (governor
//! keyed limiters on the core's clock), diminishing returns inside a burst
//! window, and a daily cap per source. Every decision says why.
//!
//! Beside them: today's tallies restored at start, levels, check-ins, the
//! honours that payments and lessons earn, and settling (levels, badges and
//! level perks once scores move).

pub mod checkin;
pub mod honours;
pub mod levels;
pub mod settle;
pub(crate) mod tallies;

use parking_lot::Mutex;
use std::collections::HashMap;
use std::num::NonZeroU32;
use std::sync::Arc;
use std::time::Duration;

use governor::clock::Clock as GovernorClock;
use governor::nanos::Nanos;
use governor::state::keyed::DashMapStateStore;
use governor::{Quota, RateLimiter};

use crate::clock::Clock;
use crate::config::{Community, Points, Source};
use crate::entity::kinds::LedgerSource;

/// Where activity points come from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SourceKind {
    Message,
    ReactionReceived,
    LessonCompleted,
}

impl SourceKind {
    pub const ALL: [SourceKind; 3] = [
        SourceKind::Message,
        SourceKind::ReactionReceived,
        SourceKind::LessonCompleted,
    ];

    /// The text stored for it, the same as its ledger lines carry.
    pub fn as_str(self) -> &'static str {
        LedgerSource::from(self).as_str()
    }

    pub fn parse(s: &str) -> Option<SourceKind> {
        SourceKind::ALL.into_iter().find(|k| k.as_str() == s)
    }

    pub(crate) fn of(self, p: &Points) -> &Source {
        match self {
            SourceKind::Message => &p.message,
            SourceKind::ReactionReceived => &p.reaction_received,
            SourceKind::LessonCompleted => &p.lesson_completed,
        }
    }
}

impl From<SourceKind> for LedgerSource {
    fn from(k: SourceKind) -> Self {
        match k {
            SourceKind::Message => LedgerSource::Message,
            SourceKind::ReactionReceived => LedgerSource::ReactionReceived,
            SourceKind::LessonCompleted => LedgerSource::LessonCompleted,
        }
    }
}

/// Why an event earned nothing.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Refusal {
    /// The source pays no points in this community.
    Unpaid,
    NoPointsChannel,
    TooShort {
        min: u32,
    },
    OwnMessage,
    Cooldown {
        wait_secs: u64,
    },
    DailyCap {
        cap: i64,
    },
    /// Diminishing returns brought the award to zero.
    BurstSpent {
        in_window: u32,
    },
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Decision {
    /// `points` before the tier multiplier, and how they were worked out.
    Award {
        points: i64,
        why: String,
    },
    Refused(Refusal),
}

/// One piece of activity, as the rules see it.
#[derive(Clone, Debug)]
pub struct Event<'a> {
    pub member_id: i64,
    pub source: SourceKind,
    /// `platform:channel`, when the event happened in a channel.
    pub channel: Option<&'a str>,
    pub chars: usize,
    /// The member's local day number (see `periods`).
    pub day: i32,
}

/// Adapts the core's clock (whole seconds) to governor's.
#[derive(Clone)]
struct SecondsClock(Arc<dyn Clock>);

impl GovernorClock for SecondsClock {
    type Instant = Nanos;

    fn now(&self) -> Nanos {
        let secs = u64::try_from(self.0.now()).unwrap_or(0);
        Nanos::from(secs.saturating_mul(1_000_000_000))
    }
}

type Limiter =
    RateLimiter<i64, DashMapStateStore<i64>, SecondsClock, governor::middleware::NoOpMiddleware<Nanos>>;

#[derive(Clone, Copy, Debug, Default)]
struct Tally {
    day: i32,
    today: i64,
    window_start: i64,
    in_window: u32,
}

/// The rules of one community with their running state.
pub struct Rules {
    points: Points,
    clock: SecondsClock,
    limiters: HashMap<SourceKind, Limiter>,
    tallies: Mutex<HashMap<(i64, SourceKind), Tally>>,
}

impl Rules {
    pub fn new(c: &Community, clock: Arc<dyn Clock>) -> Rules {
        let clock = SecondsClock(clock);
        let limiters = SourceKind::ALL
            .into_iter()
            .filter_map(|kind| {
                let secs = kind.of(&c.points).cooldown_secs;
                let quota = Quota::with_period(Duration::from_secs(secs))?.allow_burst(NonZeroU32::MIN);
                Some((kind, RateLimiter::dashmap_with_clock(quota, clock.clone())))
            })
            .collect();
        Rules {
            points: c.points.clone(),
            clock,
            limiters,
            tallies: Mutex::new(HashMap::new()),
        }
    }

    /// Points already counted toward today's cap, as a restart finds them in
    /// the ledger.
    pub fn restore(&self, member_id: i64, source: SourceKind, day: i32, today: i64) {
        let mut t = self.tallies.lock();
        let tally = t.entry((member_id, source)).or_default();
        tally.day = day;
        tally.today = today;
    }

    pub fn decide(&self, e: &Event<'_>) -> Decision {
        let rule = *e.source.of(&self.points);
        if rule.points <= 0 {
            return Decision::Refused(Refusal::Unpaid);
        }
        if e.channel
            .is_some_and(|c| self.points.no_points_channels.contains(c))
        {
            return Decision::Refused(Refusal::NoPointsChannel);
        }
        if e.source == SourceKind::Message && e.chars < rule.min_chars as usize {
            return Decision::Refused(Refusal::TooShort { min: rule.min_chars });
        }
        let now = self.clock.0.now();
        let mut tallies = self.tallies.lock();
        let tally = tallies.entry((e.member_id, e.source)).or_default();
        if tally.day != e.day {
            *tally = Tally {
                day: e.day,
                ..Tally::default()
            };
        }
        let cap = rule.daily_cap;
        if cap > 0 && tally.today >= cap {
            return Decision::Refused(Refusal::DailyCap { cap });
        }
        if let Some(limiter) = self.limiters.get(&e.source)
            && let Err(not_until) = limiter.check_key(&e.member_id)
        {
            let wait = not_until.wait_time_from(self.clock.now());
            return Decision::Refused(Refusal::Cooldown {
                wait_secs: wait.as_secs().max(1),
            });
        }
        let window = i64::try_from(self.points.burst_window_secs).unwrap_or(i64::MAX);
        if window == 0 || now - tally.window_start >= window {
            tally.window_start = now;
            tally.in_window = 0;
        }
        tally.in_window += 1;
        let mut points = rule.points;
        let mut why = format!("{} {}", e.source.as_str(), rule.points);
        let over = tally.in_window.saturating_sub(self.points.burst_full);
        if window > 0 && over > 0 {
            for _ in 0..over.min(64) {
                points = points * i64::from(self.points.burst_percent) / 100;
            }
            if points == 0 {
                return Decision::Refused(Refusal::BurstSpent {
                    in_window: tally.in_window,
                });
            }
            why.push_str(&format!(
                " → {points} (burst: {} in {}s)",
                tally.in_window, self.points.burst_window_secs
            ));
        }
        if cap > 0 && tally.today + points > cap {
            points = cap - tally.today;
            why.push_str(&format!(" → {points} (daily cap {cap})"));
        }
        tally.today += points;
        Decision::Award { points, why }
    }

    /// Forgets tallies from before `day` and limiter state that has fully
    /// recovered, so memory follows active members only.
    pub fn prune(&self, day: i32) {
        self.tallies.lock().retain(|_, tally| tally.day >= day);
        for limiter in self.limiters.values() {
            limiter.retain_recent();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::ManualClock;
    use crate::periods::tests::community;

    fn rules(edit: impl FnOnce(&mut Community)) -> (Rules, ManualClock) {
        let mut c = community("UTC");
        edit(&mut c);
        let clock = ManualClock::at(1_800_000_000);
        (Rules::new(&c, Arc::new(clock.clone())), clock)
    }

    fn message(member_id: i64, chars: usize) -> Event<'static> {
        Event {
            member_id,
            source: SourceKind::Message,
            channel: Some("discord:1"),
            chars,
            day: 1,
        }
    }

    fn points(d: Decision) -> i64 {
        match d {
            Decision::Award { points, .. } => points,
            Decision::Refused(_) => 0,
        }
    }

    #[test]
    fn cooldown_is_per_person_and_says_how_long() {
        let (r, clock) = rules(|_| {});
        assert_eq!(points(r.decide(&message(1, 20))), 5);
        assert_eq!(
            r.decide(&message(1, 20)),
            Decision::Refused(Refusal::Cooldown { wait_secs: 60 })
        );
        assert_eq!(
            points(r.decide(&message(2, 20))),
            5,
            "someone else is not held back"
        );
        clock.advance(59);
        assert_eq!(
            r.decide(&message(1, 20)),
            Decision::Refused(Refusal::Cooldown { wait_secs: 1 })
        );
        clock.advance(1);
        assert_eq!(points(r.decide(&message(1, 20))), 5);
    }

    #[test]
    fn short_messages_and_quiet_channels_earn_nothing() {
        let (r, _) = rules(|c| {
            c.points.no_points_channels.insert("discord:9".into());
        });
        assert_eq!(
            r.decide(&message(1, 3)),
            Decision::Refused(Refusal::TooShort { min: 8 })
        );
        let mut e = message(1, 30);
        e.channel = Some("discord:9");
        assert_eq!(r.decide(&e), Decision::Refused(Refusal::NoPointsChannel));
        // Neither refusal spent the cooldown.
        assert_eq!(points(r.decide(&message(1, 30))), 5);
    }

    #[test]
    fn bursts_pay_less_and_less_then_nothing() {
        let (r, clock) = rules(|c| {
            c.points.message.cooldown_secs = 0;
            c.points.message.points = 8;
            c.points.burst_full = 2;
        });
        let got: Vec<i64> = (0..7)
            .map(|_| {
                clock.advance(1);
                points(r.decide(&message(1, 20)))
            })
            .collect();
        assert_eq!(got, vec![8, 8, 4, 2, 1, 0, 0]);
        assert!(matches!(
            r.decide(&message(1, 20)),
            Decision::Refused(Refusal::BurstSpent { in_window: 8 })
        ));
        // After the window, full points again.
        clock.advance(600);
        assert_eq!(points(r.decide(&message(1, 20))), 8);
    }

    #[test]
    fn daily_cap_clips_then_refuses_until_the_next_day() {
        let (r, clock) = rules(|c| {
            c.points.message.cooldown_secs = 0;
            c.points.message.daily_cap = 12;
            c.points.burst_window_secs = 0;
        });
        let mut got = Vec::new();
        for _ in 0..4 {
            clock.advance(1);
            got.push(r.decide(&message(1, 20)));
        }
        assert_eq!(points(got[0].clone()), 5);
        assert_eq!(points(got[1].clone()), 5);
        assert!(matches!(&got[2], Decision::Award { points: 2, why } if why.contains("daily cap 12")));
        assert_eq!(got[3], Decision::Refused(Refusal::DailyCap { cap: 12 }));
        let mut tomorrow = message(1, 20);
        tomorrow.day = 2;
        assert_eq!(points(r.decide(&tomorrow)), 5);
    }

    #[test]
    fn restored_tallies_count_toward_the_cap() {
        let (r, _) = rules(|c| c.points.message.daily_cap = 10);
        r.restore(1, SourceKind::Message, 1, 10);
        assert_eq!(
            r.decide(&message(1, 20)),
            Decision::Refused(Refusal::DailyCap { cap: 10 })
        );
    }
}
