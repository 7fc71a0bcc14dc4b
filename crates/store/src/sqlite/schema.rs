//! Connection settings and schema migrations (`crate::migrations`), applied in order when a database opens.

use super::{BUSY_TIMEOUT, classify, write_tx};
use crate::migrations::MIGRATIONS;
use crate::{Result, StoreError};
use rusqlite::{Connection, OptionalExtension};

pub(super) fn version(conn: &Connection) -> rusqlite::Result<i64> {
    conn.query_row("PRAGMA user_version", [], |r| r.get(0))
}

pub(super) fn configure(conn: &Connection, shown: &str) -> Result<()> {
    let err = |e| classify(shown, e);
    // Writers wait for each other this long. Every write transaction is short (one activity, one form), so a wait
    // this long only ends in "locked" when another program holds the database (an open sqlite3 shell).
    conn.busy_timeout(BUSY_TIMEOUT).map_err(err)?;
    // Statements run on every page view (the session, the athlete's revision, the last visit) are kept prepared:
    // parsing them again was a few percent of a clinic server's time. rusqlite keeps 16 by default.
    conn.set_prepared_statement_cache_capacity(64);
    // WAL lets the web app read while an import writes; NORMAL is durable at checkpoints and much faster.
    let mode: String = conn.query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0)).map_err(err)?;
    if mode != "wal" && mode != "memory" {
        return Err(StoreError::Open {
            path: shown.to_string(),
            detail: format!("cannot switch to WAL journal (got {mode})"),
        });
    }
    conn.execute_batch("PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON;").map_err(err)
}

/// Brings the schema up to the latest version, one migration per transaction.
///
/// Foreign keys are off while migrations run: rebuilding a table (create the new one, copy, drop the old, rename)
/// would otherwise run the old table's `ON DELETE` actions on the rows that refer to it, and SQLite only lets the
/// setting change outside a transaction. Each step checks the keys itself before it commits.
pub(super) fn migrate(conn: &Connection, shown: &str) -> Result<()> {
    let err = |e| classify(shown, e);
    let known = MIGRATIONS.len() as i64;
    if version(conn).map_err(err)? == known {
        return Ok(());
    }
    conn.execute_batch("PRAGMA foreign_keys = OFF;").map_err(err)?;
    let result = steps(conn, shown, known);
    conn.execute_batch("PRAGMA foreign_keys = ON;").map_err(err)?;
    result
}

fn steps(conn: &Connection, shown: &str, known: i64) -> Result<()> {
    let err = |e| classify(shown, e);
    loop {
        let version = version(conn).map_err(err)?;
        if version > known {
            return Err(StoreError::TooNew { path: shown.to_string(), found: version, known });
        }
        if version == known {
            return Ok(());
        }
        // Each step under the write lock, reading the version again inside it: two programs opening a new database
        // at once must not both run the same step.
        let tx = write_tx(conn).map_err(err)?;
        let version: i64 = tx.query_row("PRAGMA user_version", [], |r| r.get(0)).map_err(err)?;
        if let Some(sql) = MIGRATIONS.get(version as usize) {
            tx.execute_batch(sql).map_err(err)?;
            let broken: Option<String> = tx
                .query_row("SELECT \"table\" FROM pragma_foreign_key_check LIMIT 1", [], |r| r.get(0))
                .optional()
                .map_err(err)?;
            if let Some(table) = broken {
                return Err(StoreError::Corrupt {
                    path: shown.to_string(),
                    detail: format!("migration {} left rows of {table} pointing at missing rows", version + 1),
                });
            }
            tx.execute_batch(&format!("PRAGMA user_version = {}", version + 1)).map_err(err)?;
        }
        tx.commit().map_err(err)?;
    }
}
