//! The profile as stored: the record every earlier binary reads, plus the fields added since, kept beside it.
//!
//! Earlier binaries read the stored profile with `deny_unknown_fields`, so a field they do not know (the daily
//! budget of Today, added in session 5) in that record would make them fail on the whole profile. So the stored
//! profile keeps the first shape (name, units, country, demo), and later fields go into the athlete's settings
//! under [`PROFILE_EXTRA_KEY`]; both stores write the two in one transaction and join them on reading. This
//! binary reads the profile without `deny_unknown_fields`, so a newer binary's additions do not stop it either.

use runtall_domain::plan::DayBudget;
use runtall_domain::profile::Profile;
use serde::{Deserialize, Serialize};

/// The settings key holding the profile's later fields.
pub const PROFILE_EXTRA_KEY: &str = "profile.extra";

/// The profile's fields that earlier binaries do not know. Unknown fields here are ignored as well.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ProfileExtra {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub day_budget: Option<DayBudget>,
}

/// The record in the first shape and the later fields, for storing.
pub fn split(profile: &Profile) -> (Profile, serde_json::Value) {
    let extra = ProfileExtra { day_budget: profile.day_budget };
    let base = Profile { day_budget: None, ..profile.clone() };
    // Plain data with string keys: serializing cannot fail.
    (base, serde_json::to_value(extra).unwrap_or_default())
}

/// The profile from the stored record and the later fields (absent before they were first saved). A budget in
/// the record itself (written by the binary of session 5, before the split) is kept unless the extra names one.
pub fn join(mut base: Profile, extra: Option<&serde_json::Value>) -> Profile {
    let extra: ProfileExtra = extra.and_then(|v| serde_json::from_value(v.clone()).ok()).unwrap_or_default();
    if extra.day_budget.is_some() {
        base.day_budget = extra.day_budget;
    }
    base
}
