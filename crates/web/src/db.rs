//! The database behind the handlers: a small pool of store connections (from [`runtall_app::open_local`]) used on
//! blocking threads.
//!
//! rusqlite is synchronous and one connection is not `Sync`. Opening a store per request costs the PRAGMAs and the
//! migration check every time: measured with `examples/db_access.rs`, a page's reads (screen, profile, assessment)
//! take ~330 µs with a fresh store and ~17 µs on a reused one (debug build). One `Mutex<SqliteStore>` would
//! serialise every request.
//! A pool of a few connections, checked out inside `spawn_blocking`, keeps reads concurrent (WAL) and costs one
//! open per connection. SQLite itself serialises writers, with the store's busy timeout.
//!
//! The pool is bounded: when every connection is in use, a task waits for one to come back instead of opening
//! another. Under load (32 concurrent clients in `benches/latency`) an unbounded pool kept opening and closing
//! connections — each with a cold page cache — for a few percent of requests, which cost more than the wait, and
//! on a small machine more connections than cores only contend for the same CPUs.

use crate::error::HttpError;
use runtall_app::LocalStore as SqliteStore;
use runtall_store::StoreError;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Condvar, Mutex};

/// Most connections open at once (idle or in use). Reads run concurrently up to this; more tasks wait.
const MAX_OPEN: usize = 8;

#[derive(Clone)]
pub struct Db {
    path: PathBuf,
    pool: Arc<Pool>,
}

struct Pool {
    state: Mutex<PoolState>,
    /// Signalled when a connection is returned or closed.
    freed: Condvar,
}

struct PoolState {
    idle: Vec<SqliteStore>,
    /// Connections open, idle or checked out.
    open: usize,
}

/// A checked-out connection: back to the pool when dropped, or closed if its task panicked (it may be mid-way
/// through something).
struct Lease<'a> {
    db: &'a Db,
    store: Option<SqliteStore>,
}

impl Drop for Lease<'_> {
    fn drop(&mut self) {
        let Some(store) = self.store.take() else { return };
        let keep = !std::thread::panicking();
        if let Ok(mut state) = self.db.pool.state.lock() {
            if keep {
                state.idle.push(store);
            } else {
                state.open -= 1;
            }
        }
        self.db.pool.freed.notify_one();
    }
}

impl Db {
    /// Opens the database (creating and migrating it), failing early with the store's clear message.
    pub fn open(path: &Path) -> Result<Db, StoreError> {
        // Also finishes a run-relabelling pass an import left unfinished (killed, disk full).
        let first = runtall_app::open_local(path)?;
        let state = PoolState { idle: vec![first], open: 1 };
        Ok(Db { path: path.to_path_buf(), pool: Arc::new(Pool { state: Mutex::new(state), freed: Condvar::new() }) })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// An idle connection, a new one while fewer than [`MAX_OPEN`] are open, or the next one returned. Blocks:
    /// call it on a blocking thread.
    fn checkout(&self) -> Result<Lease<'_>, HttpError> {
        let poisoned = || HttpError::internal("database pool lock poisoned");
        let mut state = self.pool.state.lock().map_err(|_| poisoned())?;
        loop {
            if let Some(store) = state.idle.pop() {
                return Ok(Lease { db: self, store: Some(store) });
            }
            if state.open < MAX_OPEN {
                state.open += 1;
                drop(state);
                return match runtall_app::connect_local(&self.path) {
                    Ok(store) => Ok(Lease { db: self, store: Some(store) }),
                    Err(e) => {
                        if let Ok(mut state) = self.pool.state.lock() {
                            state.open -= 1;
                        }
                        self.pool.freed.notify_one();
                        Err(e.into())
                    }
                };
            }
            state = self.pool.freed.wait(state).map_err(|_| poisoned())?;
        }
    }

    /// Runs `f` with a connection on a blocking thread. Errors of `f` pass through; a panic becomes an internal
    /// error (the connection is dropped rather than reused).
    pub async fn run<T, F>(&self, f: F) -> Result<T, HttpError>
    where
        T: Send + 'static,
        F: FnOnce(&SqliteStore) -> Result<T, HttpError> + Send + 'static,
    {
        let db = self.clone();
        let joined = tokio::task::spawn_blocking(move || {
            let lease = db.checkout()?;
            match &lease.store {
                Some(store) => f(store),
                None => Err(HttpError::internal("database connection missing")),
            }
        })
        .await;
        match joined {
            Ok(result) => result,
            Err(e) => Err(HttpError::internal(format!("database task failed: {e}"))),
        }
    }
}
