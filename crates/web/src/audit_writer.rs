//! Clinicians' looks at athletes' records, written to the athletes' audit logs together (group commit).
//!
//! Every view of an athlete's page, report or run writes an entry before the page is shown, so the athlete's log is
//! complete. Written one by one, each view is a write transaction of its own: on SQLite they queue for the one
//! write lock (the busy handler sleeps between tries, which is where a page's slowest times came from), on
//! PostgreSQL each is a commit. Here a view hands its entry to one writer thread and awaits the answer for its own
//! entry; the thread takes every entry waiting, writes them in one transaction
//! ([`runtall_app::clinic::audit_together`]) and answers each view. While one batch commits the next one gathers,
//! so under load many views share a commit, and a lone view waits only for its own.
//!
//! A failed write fails every view of the batch (the page answers [`HttpError::NotAudited`]), so no page is ever
//! shown without its entry. The cause is logged once per failed batch.

use crate::db::{Db, WeakDb};
use crate::error::HttpError;
use runtall_domain::clinic::AuditEntry;
use runtall_store::AthleteId;
use std::sync::mpsc;
use std::sync::{Mutex, OnceLock};
use tokio::sync::oneshot;

/// Most entries written in one transaction; more wait for the next.
const MAX_BATCH: usize = 512;

/// One view's entry, and where its outcome goes.
struct Pending {
    athlete: AthleteId,
    entry: AuditEntry,
    done: oneshot::Sender<Result<(), ()>>,
}

/// The writer of one server's audit entries: its thread starts with the first entry and ends when the server's
/// state is dropped.
pub struct AuditWriter {
    db: WeakDb,
    queue: OnceLock<Mutex<mpsc::Sender<Pending>>>,
}

impl AuditWriter {
    pub fn new(db: &Db) -> AuditWriter {
        AuditWriter { db: db.downgrade(), queue: OnceLock::new() }
    }

    /// Writes `entry` to `athlete`'s audit log, together with the entries of other views waiting at the same time;
    /// returns once it is committed. [`HttpError::NotAudited`] when it could not be written.
    pub async fn write(&self, athlete: AthleteId, entry: AuditEntry) -> Result<(), HttpError> {
        let (done, outcome) = oneshot::channel();
        let queue = self.queue.get_or_init(|| Mutex::new(self.start()));
        let sent = queue.lock().unwrap_or_else(|e| e.into_inner()).send(Pending { athlete, entry, done });
        if sent.is_err() {
            eprintln!("runtall web: the audit writer has stopped; a clinician's look was not recorded");
            return Err(HttpError::NotAudited);
        }
        match outcome.await {
            Ok(Ok(())) => Ok(()),
            Ok(Err(())) | Err(_) => Err(HttpError::NotAudited),
        }
    }

    /// The writer thread, and the queue to it.
    fn start(&self) -> mpsc::Sender<Pending> {
        let (queue, pending) = mpsc::channel();
        let db = self.db.clone();
        let spawned = std::thread::Builder::new().name("audit-writer".into()).spawn(move || run(&pending, &db));
        if let Err(e) = spawned {
            // The queue's receiver is gone with the closure: every write then answers NotAudited.
            eprintln!("runtall web: cannot start the audit writer: {e}");
        }
        queue
    }
}

/// Writes batches until every sender is gone (the server's state was dropped).
fn run(pending: &mpsc::Receiver<Pending>, db: &WeakDb) {
    while let Ok(first) = pending.recv() {
        let mut batch = vec![first];
        while batch.len() < MAX_BATCH {
            match pending.try_recv() {
                Ok(next) => batch.push(next),
                Err(_) => break,
            }
        }
        let entries: Vec<(AthleteId, AuditEntry)> = batch.iter().map(|p| (p.athlete, p.entry.clone())).collect();
        let written = match db.upgrade() {
            Some(db) => db.blocking_audits(&entries).map_err(|e| e.to_string()),
            None => Err("the database is closed".to_string()),
        };
        if let Err(e) = &written {
            eprintln!(
                "runtall web: {} audit entr{} not written: {e}",
                batch.len(),
                if batch.len() == 1 { "y" } else { "ies" }
            );
        }
        for p in batch {
            // A view that gave up waiting (its connection closed) no longer listens.
            let _ = p.done.send(written.clone().map_err(|_| ()));
        }
    }
}
