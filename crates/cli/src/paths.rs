//! Where the database lives when `--db` and `RUNTALL_DB` are not given: the XDG data directory.

use std::path::PathBuf;

/// `$XDG_DATA_HOME/runtall/runtall.db`, falling back to `~/.local/share/runtall/runtall.db` (and `%APPDATA%` on
/// Windows). Written out by hand because the rule is three lines and the XDG spec is what the docs promise.
pub fn default_db() -> Option<PathBuf> {
    let base = std::env::var_os("XDG_DATA_HOME")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .filter(|p| p.is_absolute())
        .or_else(|| std::env::var_os("HOME").filter(|v| !v.is_empty()).map(|h| PathBuf::from(h).join(".local/share")))
        .or_else(|| std::env::var_os("APPDATA").map(PathBuf::from))?;
    Some(base.join("runtall").join("runtall.db"))
}
