//! `[communities.lessons]` and `[[communities.courses]]`: who may post
//! lessons, where their teaser cards go, and the courses lessons are grouped
//! into. Lessons themselves are posted at run time and live in the database.

use serde::{Deserialize, Serialize};

use super::{ConfigProblem, Offer, OfferKind, Tier, key, problem, text, unique};
use crate::domain::{Channel, IdentityRef, Key, LocalizedText};

#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct LessonsConfig {
    /// Identities who may post, edit and remove lessons; admins always may,
    /// and platforms may name a creator role of their own.
    pub creators: Vec<String>,
    /// Where each posted lesson's teaser card goes, as `platform:channel-id`.
    pub channels: Vec<String>,
    /// Points a member pays to put a question to the creators (0: free).
    pub question_points: i64,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CourseConfig {
    pub key: String,
    pub name: LocalizedText,
    /// A course offer that sells every lesson of the course as a bundle.
    pub offer: Option<String>,
    /// The lowest tier whose members get the whole course.
    pub tier: Option<String>,
}

#[derive(Clone, Debug, Default)]
pub struct Lessons {
    pub creators: Vec<IdentityRef>,
    pub channels: Vec<Channel>,
    pub question_points: i64,
}

#[derive(Clone, Debug)]
pub struct Course {
    pub key: Key,
    pub name: LocalizedText,
    pub offer: Option<Key>,
    pub tier: Option<Key>,
}

impl LessonsConfig {
    pub(super) fn validate(&self, at: &str) -> Result<Lessons, ConfigProblem> {
        let creators = self
            .creators
            .iter()
            .enumerate()
            .map(|(i, c)| c.parse().map_err(|e| problem(format!("{at}.creators[{i}]"), e)))
            .collect::<Result<Vec<IdentityRef>, _>>()?;
        let mut channels: Vec<Channel> = Vec::new();
        for (i, c) in self.channels.iter().enumerate() {
            let channel: Channel = c.parse().map_err(|e| problem(format!("{at}.channels[{i}]"), e))?;
            if channels.contains(&channel) {
                return Err(problem(
                    format!("{at}.channels[{i}]"),
                    format!("`{c}` is listed twice"),
                ));
            }
            channels.push(channel);
        }
        if !(0..=1_000_000).contains(&self.question_points) {
            return Err(problem(format!("{at}.question_points"), "between 0 and 1000000"));
        }
        Ok(Lessons {
            creators,
            channels,
            question_points: self.question_points,
        })
    }
}

pub(super) fn courses(
    at: &str,
    list: &[CourseConfig],
    tiers: &[Tier],
    offers: &[Offer],
) -> Result<Vec<Course>, ConfigProblem> {
    let mut seen = std::collections::BTreeSet::new();
    let mut out = Vec::new();
    for (i, c) in list.iter().enumerate() {
        let at = format!("{at}[{i}]");
        let course_key = key(&format!("{at}.key"), &c.key)?;
        unique(&format!("{at}.key"), &mut seen, &course_key)?;
        let offer = match &c.offer {
            Some(o) => {
                let k = key(&format!("{at}.offer"), o)?;
                if !offers.iter().any(|x| x.key == k && x.kind == OfferKind::Course) {
                    return Err(problem(format!("{at}.offer"), "no course offer has this key"));
                }
                Some(k)
            }
            None => None,
        };
        let tier = match &c.tier {
            Some(t) => {
                let k = key(&format!("{at}.tier"), t)?;
                if !tiers.iter().any(|x| x.key == k) {
                    return Err(problem(format!("{at}.tier"), "no tier has this key"));
                }
                Some(k)
            }
            None => None,
        };
        out.push(Course {
            key: course_key,
            name: text(&format!("{at}.name"), &c.name)?,
            offer,
            tier,
        });
    }
    Ok(out)
}
