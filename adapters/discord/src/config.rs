//! How Discord maps onto communities: which guild serves which community,
//! and which role carries which perk.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct GuildBinding {
    pub guild_id: u64,
    /// The community slug this guild serves.
    pub community: String,
    /// Perk key → role id.
    #[serde(default)]
    pub roles: BTreeMap<String, u64>,
    /// Where problems an admin must fix are posted (besides the log).
    pub alerts_channel: Option<u64>,
    /// Holders of this role may post, edit and remove lessons.
    pub creator_role: Option<u64>,
}

/// Shards `first..=last` of `total`, for splitting one bot over processes.
#[derive(Clone, Copy, Debug, Deserialize, Serialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct ShardRange {
    pub first: u32,
    pub last: u32,
    pub total: u32,
}

#[derive(Clone, Debug, Default)]
pub struct Bindings(pub Vec<GuildBinding>);

impl Bindings {
    pub fn for_guild(&self, guild: u64) -> Option<&GuildBinding> {
        self.0.iter().find(|b| b.guild_id == guild)
    }

    pub fn for_community<'a>(&'a self, slug: &'a str) -> impl Iterator<Item = &'a GuildBinding> + 'a {
        self.0.iter().filter(move |b| b.community == slug)
    }
}

impl GuildBinding {
    /// The role for a perk, if this guild maps one.
    pub fn role_for(&self, perk: &str) -> Option<u64> {
        self.roles.get(perk).copied()
    }

    /// Whether a role is one Lyceum manages here.
    pub fn manages(&self, role: u64) -> bool {
        self.roles.values().any(|r| *r == role)
    }
}
