//! The embedded SQLite store: one file, WAL journal, migrations on open.
//!
//! A [`SqliteDatabase`] is one connection to the file (or to a private in-memory database); [`SqliteStore`]
//! handles made from it share that connection and add the athlete every query filters by. The connection sits
//! behind a mutex so handles can be sent to other threads (the web app's blocking pool); each call holds it for
//! its one transaction, so two handles of one database take turns, and two databases (two connections, as two
//! programs or the web app's pool have) run side by side under SQLite's own locking.

mod accounts;
mod dashboard;
mod schema;
mod store;

use crate::{Athlete, AthleteId, Database, Result, StoreError};
use jiff::Timestamp;
use rusqlite::{Connection, ErrorCode, OptionalExtension, Transaction, TransactionBehavior, params};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

/// One connection to a runtall database file, shared by the handles made from it.
#[derive(Clone)]
pub struct SqliteDatabase {
    shared: Arc<Shared>,
}

struct Shared {
    conn: Mutex<Connection>,
    path: PathBuf,
}

/// A [`Store`](crate::Store) confined to one athlete of a [`SqliteDatabase`].
#[derive(Clone)]
pub struct SqliteStore {
    db: SqliteDatabase,
    athlete: AthleteId,
}

impl SqliteDatabase {
    /// Opens (creating if needed) the database at `path` and brings its schema up to date.
    pub fn open(path: &Path) -> Result<SqliteDatabase> {
        let shown = path.display().to_string();
        if let Some(parent) = path.parent()
            && !parent.as_os_str().is_empty()
        {
            crate::private_files::create_dir(parent, false).map_err(|e| StoreError::Open {
                path: shown.clone(),
                detail: format!("cannot create {}: {e}", parent.display()),
            })?;
        }
        let private = |e: std::io::Error| StoreError::Open { path: shown.clone(), detail: e.to_string() };
        crate::private_files::prepare_database(path).map_err(private)?;
        let conn = Connection::open(path).map_err(|e| classify(&shown, e))?;
        let db = SqliteDatabase::with(conn, path.to_path_buf());
        db.prepare()?;
        crate::private_files::secure_database(path).map_err(private)?;
        Ok(db)
    }

    /// A private in-memory database, for tests and previews.
    pub fn in_memory() -> Result<SqliteDatabase> {
        let conn = Connection::open_in_memory().map_err(|e| classify(":memory:", e))?;
        let db = SqliteDatabase::with(conn, PathBuf::from(":memory:"));
        db.prepare()?;
        Ok(db)
    }

    fn with(conn: Connection, path: PathBuf) -> SqliteDatabase {
        SqliteDatabase { shared: Arc::new(Shared { conn: Mutex::new(conn), path }) }
    }

    fn prepare(&self) -> Result<()> {
        let conn = self.conn();
        schema::configure(&conn, &self.shown())?;
        schema::migrate(&conn, &self.shown())
    }

    /// The handle of the local app's one runner.
    pub fn local(&self) -> SqliteStore {
        SqliteStore { db: self.clone(), athlete: AthleteId::LOCAL }
    }

    pub fn path(&self) -> &Path {
        &self.shared.path
    }

    /// How long this connection's writers wait for another writer before answering "locked" (default 30 s).
    /// Tests of the locked case shorten it.
    pub fn set_busy_timeout(&self, wait: Duration) -> Result<()> {
        self.conn().busy_timeout(wait).map_err(|e| self.err(e))
    }

    /// The schema version this database is at.
    pub fn schema_version(&self) -> Result<i64> {
        schema::version(&self.conn()).map_err(|e| self.err(e))
    }

    /// SQLite's own consistency check of the file, `"ok"` when it is sound: for checks after a crash or a kill.
    pub fn integrity_check(&self) -> Result<String> {
        self.conn().query_row("PRAGMA integrity_check", [], |r| r.get(0)).map_err(|e| self.err(e))
    }

    /// The connection, for one call. A panic while it was held cannot leave a transaction open (rusqlite rolls
    /// back on drop), so a poisoned lock is taken over rather than failing every later call.
    fn conn(&self) -> MutexGuard<'_, Connection> {
        self.shared.conn.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn shown(&self) -> String {
        self.shared.path.display().to_string()
    }

    fn err(&self, e: rusqlite::Error) -> StoreError {
        classify(&self.shown(), e)
    }
}

impl Database for SqliteDatabase {
    type Store = SqliteStore;

    fn create_athlete(&self, name: &str) -> Result<AthleteId> {
        let conn = self.conn();
        let tx = write_tx(&conn).map_err(|e| self.err(e))?;
        let id = (|| {
            let id = insert_athlete(&tx, name)?;
            tx.commit()?;
            Ok(id)
        })()
        .map_err(|e| self.err(e))?;
        Ok(AthleteId::new(id))
    }

    fn athletes(&self) -> Result<Vec<Athlete>> {
        let conn = self.conn();
        let mut stmt =
            conn.prepare("SELECT id, name, created_at FROM athletes ORDER BY id").map_err(|e| self.err(e))?;
        let rows = stmt
            .query_map([], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?, r.get::<_, String>(2)?)))
            .map_err(|e| self.err(e))?;
        let mut out = Vec::new();
        for row in rows {
            let (id, name, created_at) = row.map_err(|e| self.err(e))?;
            let created_at = crate::columns::parse_ts(&created_at, "athlete", id)?;
            out.push(Athlete { id: AthleteId::new(id), name, created_at });
        }
        Ok(out)
    }

    fn athlete(&self, athlete: AthleteId) -> Result<SqliteStore> {
        let exists: Option<i64> = self
            .conn()
            .prepare_cached("SELECT id FROM athletes WHERE id = ?1")
            .and_then(|mut s| s.query_row([athlete.get()], |r| r.get(0)).optional())
            .map_err(|e| self.err(e))?;
        match exists {
            Some(_) => Ok(SqliteStore { db: self.clone(), athlete }),
            None => Err(StoreError::NotFound { what: "athlete", id: athlete.get() }),
        }
    }
}

impl SqliteStore {
    /// Opens the database at `path` (see [`SqliteDatabase::open`]) with the handle of its local runner: the one
    /// store of the local app, for tests and tools. Front ends get theirs from `runtall_app::open_local`.
    pub fn open(path: &Path) -> Result<SqliteStore> {
        Ok(SqliteDatabase::open(path)?.local())
    }

    /// A private in-memory database's local runner, for tests and previews.
    pub fn in_memory() -> Result<SqliteStore> {
        Ok(SqliteDatabase::in_memory()?.local())
    }

    /// The database this handle belongs to (to make handles for other athletes, or for maintenance).
    pub fn database(&self) -> &SqliteDatabase {
        &self.db
    }

    pub fn path(&self) -> &Path {
        self.db.path()
    }

    /// See [`SqliteDatabase::set_busy_timeout`].
    pub fn set_busy_timeout(&self, wait: Duration) -> Result<()> {
        self.db.set_busy_timeout(wait)
    }

    /// See [`SqliteDatabase::schema_version`].
    pub fn schema_version(&self) -> Result<i64> {
        self.db.schema_version()
    }

    /// See [`SqliteDatabase::integrity_check`].
    pub fn integrity_check(&self) -> Result<String> {
        self.db.integrity_check()
    }

    fn conn(&self) -> MutexGuard<'_, Connection> {
        self.db.conn()
    }

    fn err(&self, e: rusqlite::Error) -> StoreError {
        self.db.err(e)
    }

    /// The athlete's id as the SQL parameter every query filters by.
    fn me(&self) -> i64 {
        self.athlete.get()
    }
}

/// Adds an athlete inside a transaction: its row and the counters every athlete has from the start (the revision
/// the triggers bump and the label pass).
fn insert_athlete(tx: &Transaction<'_>, name: &str) -> rusqlite::Result<i64> {
    tx.execute(
        "INSERT INTO athletes (name, created_at) VALUES (?1, ?2)",
        params![name, crate::columns::ts(Timestamp::now())],
    )?;
    let id = tx.last_insert_rowid();
    tx.execute("INSERT INTO journal_revision (athlete_id, n) VALUES (?1, 0)", [id])?;
    tx.execute("INSERT INTO label_pass (athlete_id, stale_from_epoch, generation) VALUES (?1, NULL, 0)", [id])?;
    Ok(id)
}

/// How long a writer waits for another before giving up with "locked".
const BUSY_TIMEOUT: Duration = Duration::from_secs(30);

/// A write transaction that takes the write lock at `BEGIN`. A deferred transaction that reads and then writes
/// cannot wait for another writer: when its read snapshot is older than the other's commit, SQLite answers "busy"
/// at once whatever the busy timeout (two imports, or an import beside the web app, failed that way within
/// seconds). Taking the lock first makes the busy handler wait its turn instead.
fn write_tx(conn: &Connection) -> rusqlite::Result<Transaction<'_>> {
    Transaction::new_unchecked(conn, TransactionBehavior::Immediate)
}

/// Turns SQLite's errors into messages a runner can act on.
fn classify(path: &str, e: rusqlite::Error) -> StoreError {
    if let rusqlite::Error::SqliteFailure(f, ref msg) = e {
        match f.code {
            ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked => {
                return StoreError::Locked { path: path.to_string() };
            }
            ErrorCode::DiskFull => return StoreError::DiskFull { path: path.to_string() },
            ErrorCode::NotADatabase | ErrorCode::DatabaseCorrupt => {
                return StoreError::Corrupt {
                    path: path.to_string(),
                    detail: msg.clone().unwrap_or_else(|| f.to_string()),
                };
            }
            ErrorCode::CannotOpen | ErrorCode::PermissionDenied | ErrorCode::ReadOnly => {
                return StoreError::Open {
                    path: path.to_string(),
                    detail: msg.clone().unwrap_or_else(|| f.to_string()),
                };
            }
            _ => {}
        }
    }
    StoreError::Sql(e.to_string())
}
