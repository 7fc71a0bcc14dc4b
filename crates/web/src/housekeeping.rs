//! The clinic server's housekeeping: sessions, invitations and reset codes that can no longer be used are deleted
//! when the server starts and then every [`EVERY`]. An expired secret is already refused by the store's own check
//! (its expiry is part of every look-up); purging keeps dead hashes from piling up in the tables the server reads
//! on every request, and from sitting in backups.

use crate::Db;
use jiff::Timestamp;
use runtall_store::StoreError;
use runtall_store::accounts::Purged;
use std::time::Duration;

/// How often a running server purges.
pub const EVERY: Duration = Duration::from_secs(60 * 60);

/// Purges what has expired by now (blocks: call it off the async runtime). A one-runner app has nothing to purge.
pub fn purge(db: &Db) -> Result<Purged, StoreError> {
    if !db.is_multi_user() {
        return Ok(Purged::default());
    }
    db.blocking_accounts(|a| a.purge_expired(Timestamp::now()))?
}

/// [`purge`], saying on standard error what it deleted or why it could not (the server keeps serving either way).
pub fn purge_and_say(db: &Db) {
    match purge(db) {
        Ok(p) if p.total() > 0 => eprintln!(
            "runtall server: purged {} expired sessions, {} invitations and {} reset codes",
            p.sessions, p.invitations, p.reset_codes
        ),
        Ok(_) => {}
        Err(e) => eprintln!("runtall server: could not purge expired sessions and codes: {e}"),
    }
}

/// Purges every `every` (the first after one period: the server purges once as it starts) for as long as the
/// runtime runs. A failed purge is tried again at the next tick.
pub fn spawn(db: Db, every: Duration) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut ticks = tokio::time::interval_at(tokio::time::Instant::now() + every, every);
        ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            ticks.tick().await;
            let db = db.clone();
            if let Err(e) = tokio::task::spawn_blocking(move || purge_and_say(&db)).await {
                eprintln!("runtall server: the purge of expired sessions and codes failed: {e}");
            }
        }
    })
}
