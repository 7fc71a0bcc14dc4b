//! The database behind the handlers: a small pool of [`SqliteStore`] connections used on blocking threads.
//!
//! rusqlite is synchronous and one connection is not `Sync`. Opening a store per request costs the PRAGMAs and the
//! migration check every time: measured with `examples/db_access.rs`, a page's reads (screen, profile, assessment)
//! take ~330 µs with a fresh store and ~17 µs on a reused one (debug build). One `Mutex<SqliteStore>` would
//! serialise every request.
//! A pool of a few connections, checked out inside `spawn_blocking`, keeps reads concurrent (WAL) and costs one
//! open per connection. SQLite itself serialises writers, with the store's busy timeout.

use crate::error::HttpError;
use runtall_store::{SqliteStore, StoreError};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

/// Idle connections kept for reuse; more are opened under load and closed when returned.
const MAX_IDLE: usize = 4;

#[derive(Clone)]
pub struct Db {
    path: PathBuf,
    idle: Arc<Mutex<Vec<SqliteStore>>>,
}

impl Db {
    /// Opens the database (creating and migrating it), failing early with the store's clear message.
    pub fn open(path: &Path) -> Result<Db, StoreError> {
        let first = SqliteStore::open(path)?;
        Ok(Db { path: path.to_path_buf(), idle: Arc::new(Mutex::new(vec![first])) })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    fn checkout(&self) -> Result<SqliteStore, StoreError> {
        let pooled = self.idle.lock().ok().and_then(|mut idle| idle.pop());
        match pooled {
            Some(store) => Ok(store),
            None => SqliteStore::open(&self.path),
        }
    }

    fn give_back(&self, store: SqliteStore) {
        if let Ok(mut idle) = self.idle.lock()
            && idle.len() < MAX_IDLE
        {
            idle.push(store);
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
            let store = db.checkout()?;
            let out = f(&store);
            db.give_back(store);
            out
        })
        .await;
        match joined {
            Ok(result) => result,
            Err(e) => Err(HttpError::internal(format!("database task failed: {e}"))),
        }
    }
}
