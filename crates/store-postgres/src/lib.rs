//! runtall's store on PostgreSQL, for the clinic server: the same [`Database`] and [`Store`](runtall_store::Store)
//! traits as the embedded SQLite store, held to the same conformance suite (`runtall-store-tests`).
//!
//! A [`PgDatabase`] is a pool of connections; each [`PgStore`] call takes one, runs one transaction that first
//! names the handle's athlete (`set_config('app.athlete_id', …, true)`, undone at commit), and gives it back. Every
//! statement also names the athlete itself: row-level security (see [`migrations`]) is the second line of defence,
//! for the query that forgets, not the first. The schema is set up by [`PgDatabase::migrate`] on a connection of
//! the tables' owner; the application connects with [`PgDatabase::connect`] as a role that does not own them, since
//! owners bypass row-level security. `docs/storage.md` says how to set that up and how to run the tests.

// The test support module names this crate by its name, as the test binaries that include it do.
extern crate self as runtall_store_postgres;

mod accounts;
mod athlete_tx;
mod conn;
mod dashboard;
pub mod migrations;
mod scope;
mod store;

/// A throwaway PostgreSQL cluster for tests (see `tests/support`), for other crates' tests on PostgreSQL.
#[cfg(feature = "test-support")]
#[doc(hidden)]
#[path = "../tests/support/mod.rs"]
pub mod test_support;

use athlete_tx::AthleteTx;
use jiff::Timestamp;
use postgres::error::SqlState;
use postgres::{Client, Config, NoTls};
use r2d2::{Pool, PooledConnection};
use runtall_store::{Athlete, AthleteId, Database, Result, StoreError};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

/// The schema version a database is at once [`PgDatabase::migrate`] has run (one per step).
pub const SCHEMA_VERSION: i64 = migrations::MIGRATIONS.len() as i64;

/// How many connections a pool opens at most unless told otherwise.
pub const DEFAULT_POOL_SIZE: u32 = 8;

type Manager = conn::Manager;
type Conn = PooledConnection<Manager>;

/// A pool of connections to a runtall database on PostgreSQL, shared by the handles made from it.
#[derive(Clone)]
pub struct PgDatabase {
    pool: Pool<Manager>,
    /// How the pool connects, for another pool to the same database.
    config: Arc<Config>,
    /// The server and database, for messages (never the password).
    target: Arc<str>,
    /// Whether the runs table was found to have statistics (see `runtall_analyze_runs_once`, PostgreSQL step 8):
    /// from then on the batch writers no longer ask.
    runs_analyzed: Arc<AtomicBool>,
}

/// A [`Store`](runtall_store::Store) confined to one athlete of a [`PgDatabase`]: from
/// [`Database::athlete`], each call is a transaction of its own; from [`Database::scope`], the calls share one
/// connection and one transaction until [`Store::end_scope`](runtall_store::Store::end_scope) (see `scope.rs`).
#[derive(Clone)]
pub struct PgStore {
    db: PgDatabase,
    athlete: AthleteId,
    /// The scope's connection and open transaction, shared by the handle's clones; `None` for a plain handle.
    scope: Option<Arc<scope::Scope>>,
}

impl PgDatabase {
    /// Connects as the application role to a database [`migrate`](Self::migrate) has set up, with a pool of up to
    /// [`DEFAULT_POOL_SIZE`] connections. `url` is a libpq connection string or URL
    /// (`postgresql://runtall_app:secret@localhost/runtall`).
    pub fn connect(url: &str) -> Result<PgDatabase> {
        PgDatabase::connect_config(parse(url)?, DEFAULT_POOL_SIZE)
    }

    /// [`connect`](Self::connect) with a parsed configuration and a pool size.
    ///
    /// Refuses a role that would bypass row-level security (a superuser, a role with `BYPASSRLS`, or the tables'
    /// owner): the policies are only a defence when the application cannot step around them. Refuses a database
    /// whose schema is older than this build (run the migrations) or newer ([`StoreError::TooNew`]).
    pub fn connect_config(config: Config, pool_size: u32) -> Result<PgDatabase> {
        let target: Arc<str> = describe(&config).into();
        // One connection first, on its own: a wrong address, password or database name fails here at once with
        // the server's own words, where the pool would retry until its timeout and report only that.
        let mut first = config.connect(NoTls).map_err(|e| classify(&target, e))?;
        check_schema(&mut first, &target)?;
        check_role(&mut first, &target)?;
        drop(first);
        // No test query on every check-out: every store call checks a connection out, and the round trip of that
        // test was one in six of a call's. A connection the server closed fails its next call once (the caller
        // sees a database error) and the pool then drops it, seeing it closed.
        let pool = Pool::builder()
            .max_size(pool_size.max(1))
            .min_idle(Some(1))
            .test_on_check_out(false)
            .connection_timeout(Duration::from_secs(30))
            .build(conn::Manager::new(config.clone()))
            .map_err(|e| StoreError::Open { path: target.to_string(), detail: e.to_string() })?;
        Ok(PgDatabase { pool, config: Arc::new(config), target, runs_analyzed: Arc::default() })
    }

    /// Creates or upgrades the schema on a connection as the tables' owner (`owner_url`), and grants `app_role`
    /// (which must exist) the rights the store needs. Two programs migrating at once take turns; a database from a
    /// newer runtall is refused ([`StoreError::TooNew`]), untouched.
    pub fn migrate(owner_url: &str, app_role: &str) -> Result<()> {
        PgDatabase::migrate_config(&parse(owner_url)?, app_role)
    }

    /// [`migrate`](Self::migrate) with a parsed configuration.
    pub fn migrate_config(owner: &Config, app_role: &str) -> Result<()> {
        let target = describe(owner);
        let mut client = owner.connect(NoTls).map_err(|e| classify(&target, e))?;
        migrations::migrate(&mut client, &target, app_role)
    }

    /// Another pool to the same database as the same role (as a second server process has).
    pub fn reconnect(&self, pool_size: u32) -> Result<PgDatabase> {
        PgDatabase::connect_config(Config::clone(&self.config), pool_size)
    }

    /// The schema version this database is at.
    pub fn schema_version(&self) -> Result<i64> {
        migrations::version(&mut **self.conn()?, &self.target)
    }

    /// Where this database is (`host:port/dbname as user`), for messages.
    pub fn target(&self) -> &str {
        &self.target
    }

    /// Runs `sql` (simple queries) on a connection of the pool as the pool lends it and returns the rows as text:
    /// for tests of what a pooled connection carries from one call to the next (the athlete it names, the
    /// statements it keeps). Not for the application, which has the traits.
    #[doc(hidden)]
    pub fn on_pooled_connection(&self, sql: &str) -> Result<Vec<Vec<Option<String>>>> {
        let messages = self.conn()?.simple_query(sql).map_err(|e| self.err(e))?;
        Ok(messages
            .iter()
            .filter_map(|m| match m {
                postgres::SimpleQueryMessage::Row(r) => {
                    Some((0..r.len()).map(|i| r.get(i).map(str::to_string)).collect())
                }
                _ => None,
            })
            .collect())
    }

    /// Whether the runs table has been found to have statistics (see `PgStore::analyze_runs_once`).
    fn runs_have_statistics(&self) -> bool {
        self.runs_analyzed.load(Ordering::Relaxed)
    }

    fn found_run_statistics(&self) {
        self.runs_analyzed.store(true, Ordering::Relaxed);
    }

    /// A connection of the pool, for one call.
    fn conn(&self) -> Result<Conn> {
        self.pool.get().map_err(|e| StoreError::Open { path: self.target.to_string(), detail: e.to_string() })
    }

    /// Runs `f` in one transaction that names `athlete` for row-level security, and commits it when `f` succeeds
    /// (a failure drops the transaction, which rolls it back).
    fn in_tx<T>(&self, athlete: i64, f: impl FnOnce(&mut AthleteTx<'_>) -> Result<T>) -> Result<T> {
        let mut conn = self.conn()?;
        let mut tx = AthleteTx::begin(&mut conn, athlete).map_err(|e| self.err(e))?;
        let out = f(&mut tx)?;
        tx.commit().map_err(|e| self.err(e))?;
        Ok(out)
    }

    fn err(&self, e: postgres::Error) -> StoreError {
        classify(&self.target, e)
    }
}

impl Database for PgDatabase {
    type Store = PgStore;

    fn create_athlete(&self, name: &str) -> Result<AthleteId> {
        let mut conn = self.conn()?;
        let mut tx = conn.transaction().map_err(|e| self.err(e))?;
        let id = insert_athlete(&mut tx, name).map_err(|e| self.err(e))?;
        tx.commit().map_err(|e| self.err(e))?;
        Ok(AthleteId::new(id))
    }

    fn athletes(&self) -> Result<Vec<Athlete>> {
        let rows = self
            .conn()?
            .query("SELECT id, name, created_at FROM athletes ORDER BY id", &[])
            .map_err(|e| self.err(e))?;
        rows.iter()
            .map(|r| {
                let id: i64 = r.get(0);
                let created_at = runtall_store::columns::parse_ts(r.get(2), "athlete", id)?;
                Ok(Athlete { id: AthleteId::new(id), name: r.get(1), created_at })
            })
            .collect()
    }

    fn athlete(&self, athlete: AthleteId) -> Result<PgStore> {
        // Asked before every request's store calls: a statement the connection keeps prepared (one round trip).
        let found = self
            .conn()?
            .query_opt("SELECT 1 FROM athletes WHERE id = $1", &[&athlete.get()])
            .map_err(|e| self.err(e))?;
        match found {
            Some(_) => Ok(PgStore { db: self.clone(), athlete, scope: None }),
            None => Err(StoreError::NotFound { what: "athlete", id: athlete.get() }),
        }
    }

    /// One connection and one transaction naming the athlete for every call until `end_scope`; opening it (the
    /// `BEGIN`, the naming and the athlete's existence check) is one round trip.
    fn scope(&self, athlete: AthleteId) -> Result<PgStore> {
        let opened = scope::Scope::open(self.conn()?, athlete.get(), self.target.clone())?;
        Ok(PgStore { db: self.clone(), athlete, scope: Some(Arc::new(opened)) })
    }
}

impl PgStore {
    /// The database this handle belongs to.
    pub fn database(&self) -> &PgDatabase {
        &self.db
    }

    /// The athlete's id as the parameter every statement filters by.
    fn me(&self) -> i64 {
        self.athlete.get()
    }

    /// A call that only reads: one transaction as this handle's athlete (see [`PgDatabase::in_tx`]), or in a
    /// scope, the scope's.
    fn tx<T>(&self, f: impl FnOnce(&mut AthleteTx<'_>) -> Result<T>) -> Result<T> {
        match &self.scope {
            None => self.db.in_tx(self.me(), f),
            Some(scope) => scope.call(false, f),
        }
    }

    /// A call that writes: [`tx`](Self::tx), but in a scope under a savepoint, so that a failure leaves nothing of
    /// the call and the scope's transaction goes on.
    fn write<T>(&self, f: impl FnOnce(&mut AthleteTx<'_>) -> Result<T>) -> Result<T> {
        match &self.scope {
            None => self.db.in_tx(self.me(), f),
            Some(scope) => scope.call(true, f),
        }
    }

    /// Ends the scope, if this handle has one (see [`Store::end_scope`](runtall_store::Store::end_scope)).
    fn end(&self, commit: bool) -> Result<()> {
        match &self.scope {
            None => Ok(()),
            Some(scope) => scope.end(commit),
        }
    }

    fn err(&self, e: postgres::Error) -> StoreError {
        self.db.err(e)
    }
}

/// Adds an athlete inside a transaction: its row and the counters every athlete has from the start, written as that
/// athlete (their tables are under policy). The transaction names the athlete until it ends.
fn insert_athlete(tx: &mut postgres::Transaction<'_>, name: &str) -> std::result::Result<i64, postgres::Error> {
    let id: i64 = tx
        .query_one(
            "INSERT INTO athletes (name, created_at) VALUES ($1, $2) RETURNING id",
            &[&name, &runtall_store::columns::ts(Timestamp::now())],
        )?
        .get(0);
    name_athlete(tx, id)?;
    tx.execute("INSERT INTO journal_revision (athlete_id, n) VALUES ($1, 0)", &[&id])?;
    tx.execute("INSERT INTO label_pass (athlete_id, stale_from_epoch, generation) VALUES ($1, NULL, 0)", &[&id])?;
    Ok(id)
}

/// Refuses a schema older or newer than this build's.
fn check_schema(client: &mut Client, target: &str) -> Result<()> {
    let found = match migrations::version(client, target) {
        Err(StoreError::Sql(detail)) if detail.starts_with(SqlState::UNDEFINED_TABLE.code()) => 0,
        other => other?,
    };
    if found > SCHEMA_VERSION {
        return Err(StoreError::TooNew { path: target.to_string(), found, known: SCHEMA_VERSION });
    }
    if found < SCHEMA_VERSION {
        return Err(StoreError::Open {
            path: target.to_string(),
            detail: format!(
                "the schema is at version {found} and this build needs {SCHEMA_VERSION}: run the migrations as \
                 the tables' owner first"
            ),
        });
    }
    Ok(())
}

/// Refuses a role that row-level security would not hold back.
fn check_role(client: &mut Client, target: &str) -> Result<()> {
    let row = client
        .query_one(
            "SELECT r.rolsuper OR r.rolbypassrls OR pg_has_role(current_user, c.relowner, 'USAGE')
             FROM pg_roles r, pg_class c
             WHERE r.rolname = current_user AND c.oid = 'activities'::regclass",
            &[],
        )
        .map_err(|e| classify(target, e))?;
    if row.get::<_, bool>(0) {
        return Err(StoreError::Open {
            path: target.to_string(),
            detail: "this role bypasses row-level security (a superuser, BYPASSRLS, or the tables' owner); connect \
                     as the application role the migrations granted"
                .into(),
        });
    }
    Ok(())
}

/// Names the athlete whose rows the rest of the transaction may see (row-level security), until it ends. One
/// simple query rather than a prepared one: it runs before every call, and a number needs no parameter.
fn name_athlete(tx: &mut postgres::Transaction<'_>, athlete: i64) -> std::result::Result<(), postgres::Error> {
    tx.batch_execute(&format!("SELECT set_config('app.athlete_id', '{athlete}', true)"))
}

fn parse(url: &str) -> Result<Config> {
    url.parse::<Config>().map_err(|e| StoreError::Open {
        path: "the PostgreSQL connection string".into(),
        detail: format!("cannot read it: {e}"),
    })
}

/// `host:port/dbname as user`, never the password.
fn describe(config: &Config) -> String {
    use postgres::config::Host;
    let host = match config.get_hosts().first() {
        Some(Host::Tcp(h)) => h.clone(),
        Some(Host::Unix(p)) => p.display().to_string(),
        None => "localhost".into(),
    };
    let port = config.get_ports().first().copied().unwrap_or(5432);
    let user = config.get_user().unwrap_or("(default user)");
    let db = config.get_dbname().unwrap_or(user);
    format!("postgresql {host}:{port}/{db} as {user}")
}

/// An SQL identifier in double quotes, for role and schema names that cannot be parameters.
pub(crate) fn quote_ident(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// Turns PostgreSQL's errors into the store's own. `Sql` messages start with the SQLSTATE code.
pub(crate) fn classify(target: &str, e: postgres::Error) -> StoreError {
    if let Some(db) = e.as_db_error() {
        let code = db.code();
        if *code == SqlState::DISK_FULL {
            return StoreError::DiskFull { path: target.to_string() };
        }
        if [SqlState::LOCK_NOT_AVAILABLE, SqlState::T_R_DEADLOCK_DETECTED, SqlState::T_R_SERIALIZATION_FAILURE]
            .contains(code)
        {
            return StoreError::Locked { path: target.to_string() };
        }
        if [
            SqlState::INVALID_CATALOG_NAME,
            SqlState::INVALID_PASSWORD,
            SqlState::INVALID_AUTHORIZATION_SPECIFICATION,
            SqlState::TOO_MANY_CONNECTIONS,
            SqlState::CANNOT_CONNECT_NOW,
        ]
        .contains(code)
        {
            return StoreError::Open { path: target.to_string(), detail: db.message().to_string() };
        }
        return StoreError::Sql(format!("{} {}", code.code(), db.message()));
    }
    // The client's own message is only the kind ("error connecting to server"); the cause says what happened.
    let mut detail = e.to_string();
    let mut source = std::error::Error::source(&e);
    while let Some(cause) = source {
        detail.push_str(&format!(": {cause}"));
        source = cause.source();
    }
    if e.is_closed() || std::error::Error::source(&e).is_some_and(|s| s.is::<std::io::Error>()) {
        return StoreError::Open { path: target.to_string(), detail };
    }
    StoreError::Sql(detail)
}
