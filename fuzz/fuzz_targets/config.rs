//! A configuration file's communities: read and validated into a clear
//! problem or a community list, never a panic.
#![no_main]

use figment::Figment;
use figment::providers::{Format, Toml};
use libfuzzer_sys::fuzz_target;
use lyceum_core::config::{CommunityConfig, validate_communities};

fuzz_target!(|text: &str| {
    let read: Result<Vec<CommunityConfig>, _> =
        Figment::from(Toml::string(text)).extract_inner("communities");
    if let Ok(list) = read {
        let _ = validate_communities(&list);
    }
});
