//! Who may read a lesson, and from when. Pure rules over what a member
//! holds, so every path (tier, purchase, points, course, drip) is decided in
//! one place and tested without a database.

use std::collections::BTreeSet;

/// What stands between a lesson and a reader.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Gate {
    /// Rank of the lowest tier that includes it.
    pub tier_rank: Option<i32>,
    /// The offer selling it alone (or that once did: buyers keep it).
    pub offer: Option<String>,
    /// Whether that offer is still on sale.
    pub for_sale: bool,
    /// Points that unlock it; 0 when points cannot.
    pub points: i64,
    pub drip_days: Option<i32>,
    pub opens_at: Option<i64>,
    /// The course's own way in: its tier, its bundle offer.
    pub course_tier_rank: Option<i32>,
    pub course_offer: Option<String>,
}

impl Gate {
    /// A lesson nothing guards is free to every member (drip still applies).
    pub fn is_free(&self) -> bool {
        self.tier_rank.is_none()
            && !self.for_sale
            && self.points == 0
            && self.course_tier_rank.is_none()
            && self.course_offer.is_none()
    }
}

/// What a member holds that can open lessons.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Holder {
    /// Rank of the tier they have access through now.
    pub tier_rank: Option<i32>,
    /// Offers they bought and did not get their money back for.
    pub offers: BTreeSet<String>,
    /// Lessons (by id) they unlocked with points.
    pub unlocked: BTreeSet<i64>,
    pub joined_at: i64,
    /// Creators and admins read everything, at once.
    pub staff: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Standing {
    Open,
    /// Entitled, but the drip has not reached it yet.
    NotYet {
        opens: i64,
    },
    Locked,
}

fn reaches(held: Option<i32>, needed: Option<i32>) -> bool {
    matches!((held, needed), (Some(h), Some(n)) if h >= n)
}

fn owns(holder: &Holder, offer: Option<&String>) -> bool {
    offer.is_some_and(|o| holder.offers.contains(o))
}

/// When the lesson opens for this member: the later of its date and their
/// join date plus its drip.
pub fn opens_for(gate: &Gate, holder: &Holder) -> Option<i64> {
    let drip = gate
        .drip_days
        .map(|d| holder.joined_at.saturating_add(i64::from(d) * 86_400));
    match (gate.opens_at, drip) {
        (Some(a), Some(b)) => Some(a.max(b)),
        (a, b) => a.or(b),
    }
}

pub fn entitled(lesson_id: i64, gate: &Gate, holder: &Holder) -> bool {
    holder.staff
        || gate.is_free()
        || reaches(holder.tier_rank, gate.tier_rank)
        || reaches(holder.tier_rank, gate.course_tier_rank)
        || owns(holder, gate.offer.as_ref())
        || owns(holder, gate.course_offer.as_ref())
        || holder.unlocked.contains(&lesson_id)
}

pub fn standing(lesson_id: i64, gate: &Gate, holder: &Holder, now: i64) -> Standing {
    if !entitled(lesson_id, gate, holder) {
        return Standing::Locked;
    }
    match opens_for(gate, holder) {
        Some(opens) if opens > now && !holder.staff => Standing::NotYet { opens },
        _ => Standing::Open,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DAY: i64 = 86_400;

    fn paid() -> Gate {
        Gate {
            tier_rank: Some(1),
            offer: Some("lesson-intro".into()),
            for_sale: true,
            points: 300,
            ..Gate::default()
        }
    }

    #[test]
    fn each_way_in_opens_a_guarded_lesson_and_nothing_else_does() {
        let g = paid();
        let nobody = Holder::default();
        assert_eq!(standing(7, &g, &nobody, 0), Standing::Locked);
        let basic = Holder {
            tier_rank: Some(0),
            ..Holder::default()
        };
        assert_eq!(standing(7, &g, &basic, 0), Standing::Locked, "a lower tier");
        let pro = Holder {
            tier_rank: Some(1),
            ..Holder::default()
        };
        let vip = Holder {
            tier_rank: Some(2),
            ..Holder::default()
        };
        assert_eq!(standing(7, &g, &pro, 0), Standing::Open);
        assert_eq!(
            standing(7, &g, &vip, 0),
            Standing::Open,
            "higher tiers include lower ones"
        );
        let buyer = Holder {
            offers: ["lesson-intro".to_owned()].into(),
            ..Holder::default()
        };
        assert_eq!(standing(7, &g, &buyer, 0), Standing::Open);
        let spender = Holder {
            unlocked: [7].into(),
            ..Holder::default()
        };
        assert_eq!(standing(7, &g, &spender, 0), Standing::Open);
        assert_eq!(
            standing(8, &g, &spender, 0),
            Standing::Locked,
            "another lesson's unlock"
        );
        let staff = Holder {
            staff: true,
            ..Holder::default()
        };
        assert_eq!(standing(7, &g, &staff, 0), Standing::Open);
    }

    #[test]
    fn a_course_opens_its_lessons_and_a_free_lesson_needs_nothing() {
        let g = Gate {
            course_tier_rank: Some(2),
            course_offer: Some("rust-course".into()),
            ..Gate::default()
        };
        assert!(!g.is_free());
        let bundle = Holder {
            offers: ["rust-course".to_owned()].into(),
            ..Holder::default()
        };
        assert_eq!(standing(1, &g, &bundle, 0), Standing::Open);
        let pro = Holder {
            tier_rank: Some(1),
            ..Holder::default()
        };
        assert_eq!(standing(1, &g, &pro, 0), Standing::Locked);
        assert!(Gate::default().is_free());
        let no_longer_sold = Gate {
            offer: Some("lesson-intro".into()),
            ..Gate::default()
        };
        assert!(
            no_longer_sold.is_free(),
            "a lesson whose price was dropped is free"
        );
        assert_eq!(
            standing(1, &Gate::default(), &Holder::default(), 0),
            Standing::Open
        );
    }

    #[test]
    fn drip_waits_for_the_later_of_date_and_days_after_joining() {
        let g = Gate {
            drip_days: Some(7),
            opens_at: Some(3 * DAY),
            ..Gate::default()
        };
        let joined = Holder {
            joined_at: DAY,
            ..Holder::default()
        };
        assert_eq!(opens_for(&g, &joined), Some(8 * DAY));
        assert_eq!(
            standing(1, &g, &joined, 8 * DAY - 1),
            Standing::NotYet { opens: 8 * DAY }
        );
        assert_eq!(standing(1, &g, &joined, 8 * DAY), Standing::Open);
        let dated = Gate {
            opens_at: Some(3 * DAY),
            ..paid()
        };
        let locked_early = Holder::default();
        assert_eq!(
            standing(7, &dated, &locked_early, 0),
            Standing::Locked,
            "no entitlement beats drip"
        );
        let staff = Holder {
            staff: true,
            ..Holder::default()
        };
        assert_eq!(standing(7, &dated, &staff, 0), Standing::Open, "creators preview");
    }
}
