//! The runner's profile (name, country and so the emergency number, units, daily minutes) as both front ends read
//! and save it. Each front end checks its own input shape (flags, a form, JSON) into a [`Profile`]; storing it goes
//! through here so a later rule about profiles (an audit line, a cache to drop) has one place to live.

use crate::Result;
use runtall_domain::profile::Profile;
use runtall_store::Store;

/// The stored profile, or the defaults (no name, no country, kilometres) before one was saved.
pub fn load(store: &dyn Store) -> Result<Profile> {
    Ok(store.profile()?.unwrap_or_default())
}

/// Stores the profile in place of the current one.
pub fn save(store: &dyn Store, profile: &Profile) -> Result<()> {
    Ok(store.save_profile(profile)?)
}
