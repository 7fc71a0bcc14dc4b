//! The database behind the handlers: the local runner's SQLite file (`runtall serve`), or a clinic server's
//! database of many athletes and their accounts (`runtall server`, on SQLite or on anything implementing
//! [`SharedDatabase`], such as the PostgreSQL store), used on blocking threads.
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
//!
//! Whose store a handler gets: [`Db::run`] serves the athlete of the request being answered (the local runner, or
//! the athlete signed in to a clinic server, see [`crate::principal`]); with nobody to serve — a clinician, who
//! owns no records — it answers 404, so every athlete page is closed to clinicians without a check of its own.
//! [`Db::run_for`] names the athlete explicitly, for the clinician pages after their access check.

use crate::error::HttpError;
use runtall_domain::clinic::AuditEntry;
use runtall_store::accounts::Accounts;
use runtall_store::dashboard::Dashboards;
use runtall_store::{AthleteId, Database, SqliteDatabase, Store, StoreError};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Condvar, Mutex};

/// Most connections open at once (idle or in use). Reads run concurrently up to this; more tasks wait.
const MAX_OPEN: usize = 8;

/// A database of many athletes with their accounts, as the clinic server needs it: the PostgreSQL store (which
/// pools its own connections) implements it through the blanket impl below. Calls block.
pub trait SharedDatabase: Send + Sync + 'static {
    /// The store confined to `athlete`; [`StoreError::NotFound`] when there is no such athlete.
    fn store(&self, athlete: AthleteId) -> Result<Box<dyn Store>, StoreError>;
    /// The store confined to `athlete` for the calls of one request, until [`Store::end_scope`] (see
    /// [`Database::scope`]: on PostgreSQL one connection and one transaction).
    fn scope(&self, athlete: AthleteId) -> Result<Box<dyn Store + Send>, StoreError>;
    fn accounts(&self) -> &dyn Accounts;
    /// The dashboard's reads and writes across one clinician's athletes.
    fn dashboards(&self) -> &dyn Dashboards;
    /// Where it is, for messages (never a password).
    fn describe(&self) -> String;
    /// Finishes every athlete's run-relabelling pass an import left unfinished (see
    /// [`runtall_app::import::settle_every_athlete`]). Blocking: call it off the async runtime.
    fn settle_labels(&self);
}

impl<D> SharedDatabase for D
where
    D: Database + Accounts + Dashboards + Send + Sync + 'static,
    D::Store: Send + 'static,
{
    fn store(&self, athlete: AthleteId) -> Result<Box<dyn Store>, StoreError> {
        Ok(Box::new(self.athlete(athlete)?))
    }

    fn scope(&self, athlete: AthleteId) -> Result<Box<dyn Store + Send>, StoreError> {
        Ok(Box::new(Database::scope(self, athlete)?))
    }

    fn accounts(&self) -> &dyn Accounts {
        self
    }

    fn dashboards(&self) -> &dyn Dashboards {
        self
    }

    fn settle_labels(&self) {
        let _ = runtall_app::import::settle_every_athlete(self);
    }

    fn describe(&self) -> String {
        std::any::type_name::<D>().rsplit("::").next().unwrap_or("database").to_string()
    }
}

fn closed() -> StoreError {
    StoreError::Sql("the database is closed".into())
}

#[derive(Clone)]
pub struct Db {
    inner: Arc<Inner>,
}

/// A handle that does not keep the database open (a background writer's): the database closes when the last
/// [`Db`] goes.
#[derive(Clone)]
pub(crate) struct WeakDb(std::sync::Weak<Inner>);

impl WeakDb {
    /// The database, while it is open.
    pub fn upgrade(&self) -> Option<Db> {
        self.0.upgrade().map(|inner| Db { inner })
    }
}

struct Inner {
    /// The SQLite file, or for a shared database a path in the folder that keeps uploads and posture photos (the
    /// files beside a database are found from its path).
    path: PathBuf,
    backend: Backend,
}

impl Drop for Inner {
    /// A shared database may be a synchronous client with a runtime of its own (the `postgres` crate's), which
    /// panics when closed on a thread that drives async tasks: the last handle is often dropped there (the server
    /// stopping), so the database is closed on a plain thread instead.
    fn drop(&mut self) {
        let backend = std::mem::replace(&mut self.backend, Backend::Closed);
        if let Backend::Shared(db) = backend {
            if tokio::runtime::Handle::try_current().is_ok() {
                let _ = std::thread::spawn(move || drop(db)).join();
            } else {
                drop(db);
            }
        }
    }
}

enum Backend {
    /// Only while [`Inner`] is dropped.
    Closed,
    /// `runtall serve`: the local runner ([`AthleteId::LOCAL`]) of a SQLite file.
    Local(Pool),
    /// `runtall server` on a SQLite file: many athletes and their accounts.
    Clinic(Pool),
    /// `runtall server` on another database (PostgreSQL).
    Shared(Box<dyn SharedDatabase>),
}

struct Pool {
    /// How a further connection is opened (the local runner's store, or the clinic's database).
    open: fn(&Path) -> Result<SqliteDatabase, StoreError>,
    state: Mutex<PoolState>,
    /// Signalled when a connection is returned or closed.
    freed: Condvar,
}

struct PoolState {
    idle: Vec<SqliteDatabase>,
    /// Connections open, idle or checked out.
    open: usize,
}

/// A checked-out connection: back to the pool when dropped, or closed if its task panicked (it may be mid-way
/// through something).
struct Lease<'a> {
    pool: &'a Pool,
    conn: Option<SqliteDatabase>,
}

impl Drop for Lease<'_> {
    fn drop(&mut self) {
        let Some(conn) = self.conn.take() else { return };
        let keep = !std::thread::panicking();
        if let Ok(mut state) = self.pool.state.lock() {
            if keep {
                state.idle.push(conn);
            } else {
                state.open -= 1;
            }
        }
        self.pool.freed.notify_one();
    }
}

impl Pool {
    fn with(first: SqliteDatabase, open: fn(&Path) -> Result<SqliteDatabase, StoreError>) -> Pool {
        Pool { open, state: Mutex::new(PoolState { idle: vec![first], open: 1 }), freed: Condvar::new() }
    }

    /// An idle connection, a new one while fewer than [`MAX_OPEN`] are open, or the next one returned. Blocks:
    /// call it on a blocking thread.
    fn checkout(&self, path: &Path) -> Result<Lease<'_>, StoreError> {
        let poisoned = || StoreError::Sql("database pool lock poisoned".into());
        let mut state = self.state.lock().map_err(|_| poisoned())?;
        loop {
            if let Some(conn) = state.idle.pop() {
                return Ok(Lease { pool: self, conn: Some(conn) });
            }
            if state.open < MAX_OPEN {
                state.open += 1;
                drop(state);
                return match (self.open)(path) {
                    Ok(conn) => Ok(Lease { pool: self, conn: Some(conn) }),
                    Err(e) => {
                        if let Ok(mut state) = self.state.lock() {
                            state.open -= 1;
                        }
                        self.freed.notify_one();
                        Err(e)
                    }
                };
            }
            state = self.freed.wait(state).map_err(|_| poisoned())?;
        }
    }
}

impl Db {
    /// Opens the local runner's database (creating and migrating it), failing early with the store's clear message.
    pub fn open(path: &Path) -> Result<Db, StoreError> {
        // Also finishes a run-relabelling pass an import left unfinished (killed, disk full).
        let first = runtall_app::open_local(path)?;
        let pool =
            Pool::with(first.database().clone(), |path| Ok(runtall_app::connect_local(path)?.database().clone()));
        Ok(Db { inner: Arc::new(Inner { path: path.to_path_buf(), backend: Backend::Local(pool) }) })
    }

    /// Opens a clinic server's SQLite database (creating and migrating it): many athletes and their accounts.
    pub fn open_clinic(path: &Path) -> Result<Db, StoreError> {
        // Also finishes every athlete's run-relabelling pass an import left unfinished (a killed server).
        let first = runtall_app::open_clinic_settled(path)?;
        Ok(Db {
            inner: Arc::new(Inner {
                path: path.to_path_buf(),
                backend: Backend::Clinic(Pool::with(first, runtall_app::open_clinic)),
            }),
        })
    }

    /// A clinic server on another database (PostgreSQL). `files` is the folder for uploads in progress and kept
    /// posture photos, which stay on this machine's disk.
    pub fn shared(database: Box<dyn SharedDatabase>, files: &Path) -> Db {
        let path = files.join("runtall-server");
        Db { inner: Arc::new(Inner { path, backend: Backend::Shared(database) }) }
    }

    /// Whether this is a clinic server (accounts, many athletes) rather than one runner's app.
    pub fn is_multi_user(&self) -> bool {
        !matches!(self.inner.backend, Backend::Local(_))
    }

    /// The database file, or a path in the folder of a shared database's files; uploads and photos are kept beside
    /// it.
    pub fn path(&self) -> &Path {
        &self.inner.path
    }

    /// A path in `athlete`'s own folder of files (kept posture photos are beside it): the database itself for the
    /// local runner, `athletes/<id>/` beside the database on a clinic server, so no athlete's files mix with
    /// another's.
    pub fn files_path(&self, athlete: AthleteId) -> PathBuf {
        match self.inner.backend {
            Backend::Local(_) => self.inner.path.clone(),
            _ => {
                let parent = self.inner.path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
                parent.join("athletes").join(athlete.get().to_string()).join("files")
            }
        }
    }

    /// What the settings page names as where the data is.
    pub fn describe(&self) -> String {
        match &self.inner.backend {
            Backend::Local(_) | Backend::Clinic(_) => self.inner.path.display().to_string(),
            Backend::Shared(db) => db.describe(),
            Backend::Closed => String::new(),
        }
    }

    /// Calls `f` with `athlete`'s store on this thread (blocks: call it on a blocking thread).
    pub fn blocking_store<T>(&self, athlete: AthleteId, f: impl FnOnce(&dyn Store) -> T) -> Result<T, StoreError> {
        match &self.inner.backend {
            Backend::Local(pool) => {
                let lease = pool.checkout(&self.inner.path)?;
                let conn = lease.conn.as_ref().ok_or_else(|| StoreError::Sql("connection missing".into()))?;
                if athlete == AthleteId::LOCAL {
                    Ok(f(&conn.local()))
                } else {
                    Err(StoreError::NotFound { what: "athlete", id: athlete.get() })
                }
            }
            Backend::Clinic(pool) => {
                let lease = pool.checkout(&self.inner.path)?;
                let conn = lease.conn.as_ref().ok_or_else(|| StoreError::Sql("connection missing".into()))?;
                let store = conn.athlete(athlete)?;
                Ok(f(&store))
            }
            Backend::Shared(db) => {
                let store = db.store(athlete)?;
                Ok(f(&*store))
            }
            Backend::Closed => Err(closed()),
        }
    }

    /// Calls `f` with each athlete's store in turn on this thread (blocks), on one connection where the backend
    /// has connections of its own (SQLite): a dashboard over a hundred athletes takes one connection, not a
    /// hundred check-outs.
    pub fn blocking_each<T>(
        &self,
        athletes: &[AthleteId],
        mut f: impl FnMut(&dyn Store) -> T,
    ) -> Result<Vec<T>, StoreError> {
        match &self.inner.backend {
            Backend::Clinic(pool) => {
                let lease = pool.checkout(&self.inner.path)?;
                let conn = lease.conn.as_ref().ok_or_else(|| StoreError::Sql("connection missing".into()))?;
                athletes.iter().map(|a| Ok(f(&conn.athlete(*a)?))).collect()
            }
            Backend::Shared(db) => athletes.iter().map(|a| Ok(f(&*db.store(*a)?))).collect(),
            Backend::Local(_) | Backend::Closed => athletes.iter().map(|a| self.blocking_store(*a, |s| f(s))).collect(),
        }
    }

    /// Writes audit entries of any athletes in one transaction, all or none (blocks: call it on a blocking thread).
    pub fn blocking_audits(&self, entries: &[(AthleteId, AuditEntry)]) -> runtall_app::Result<()> {
        self.blocking_dashboards(|d| runtall_app::clinic::audit_together(d, entries))?
    }

    /// A handle that does not keep the database open.
    pub(crate) fn downgrade(&self) -> WeakDb {
        WeakDb(Arc::downgrade(&self.inner))
    }

    /// Calls `f` with the accounts on this thread (blocks). A one-runner app has none: 404.
    pub fn blocking_accounts<T>(&self, f: impl FnOnce(&dyn Accounts) -> T) -> Result<T, StoreError> {
        match &self.inner.backend {
            Backend::Local(_) => Err(StoreError::NotFound { what: "account", id: 0 }),
            Backend::Clinic(pool) => {
                let lease = pool.checkout(&self.inner.path)?;
                let conn = lease.conn.as_ref().ok_or_else(|| StoreError::Sql("connection missing".into()))?;
                Ok(f(conn))
            }
            Backend::Shared(db) => Ok(f(db.accounts())),
            Backend::Closed => Err(closed()),
        }
    }

    /// Calls `f` with the dashboards' cross-athlete reads and writes on this thread (blocks). A one-runner app has
    /// none: 404.
    pub fn blocking_dashboards<T>(&self, f: impl FnOnce(&dyn Dashboards) -> T) -> Result<T, StoreError> {
        match &self.inner.backend {
            Backend::Local(_) => Err(StoreError::NotFound { what: "account", id: 0 }),
            Backend::Clinic(pool) => {
                let lease = pool.checkout(&self.inner.path)?;
                let conn = lease.conn.as_ref().ok_or_else(|| StoreError::Sql("connection missing".into()))?;
                Ok(f(conn))
            }
            Backend::Shared(db) => Ok(f(db.dashboards())),
            Backend::Closed => Err(closed()),
        }
    }

    /// The athlete the request being answered is about: the local runner, or the athlete signed in to a clinic
    /// server. `None` for a clinician (who owns no records) or nobody.
    pub fn serving(&self) -> Option<AthleteId> {
        match self.inner.backend {
            Backend::Local(_) => Some(AthleteId::LOCAL),
            _ => crate::principal::serving(),
        }
    }

    /// Runs `f` with the store of the athlete the request is about ([`Db::serving`]) on a blocking thread; 404 when
    /// the request is about no athlete (a clinician on an athlete's page). Errors of `f` pass through; a panic
    /// becomes an internal error (the connection is dropped rather than reused). On a shared database, a page
    /// that shares one transaction ([`crate::one_transaction`]) runs every `f` of the request on the same scoped
    /// store.
    pub async fn run<T, F>(&self, f: F) -> Result<T, HttpError>
    where
        T: Send + 'static,
        F: FnOnce(&dyn Store) -> Result<T, HttpError> + Send + 'static,
    {
        let athlete = self.serving().ok_or(HttpError::NotFound)?;
        let slot = match (&self.inner.backend, crate::one_transaction::current()) {
            (Backend::Shared(_), Some(slot)) => slot,
            _ => return self.run_for(athlete, f).await,
        };
        let db = self.clone();
        let joined = tokio::task::spawn_blocking(move || db.blocking_scoped(&slot, athlete, f)?).await;
        match joined {
            Ok(result) => result,
            Err(e) => Err(HttpError::internal(format!("database task failed: {e}"))),
        }
    }

    /// Calls `f` with the request's scoped store for `athlete`, opening it on the first call (blocks).
    fn blocking_scoped<T>(
        &self,
        slot: &crate::one_transaction::Slot,
        athlete: AthleteId,
        f: impl FnOnce(&dyn Store) -> T,
    ) -> Result<T, StoreError> {
        let Backend::Shared(db) = &self.inner.backend else { return self.blocking_store(athlete, f) };
        let mut held = slot.lock();
        if held.is_none() {
            *held = Some((athlete, db.scope(athlete)?));
        }
        match &*held {
            Some((scoped, store)) if *scoped == athlete => Ok(f(&**store)),
            // A request serves one athlete; should another be asked for, it gets a store of its own.
            _ => {
                drop(held);
                self.blocking_store(athlete, f)
            }
        }
    }

    /// Runs `f` with `athlete`'s store on a blocking thread. The caller has checked that the request may see that
    /// athlete (the clinician pages go through the access check in `principal`).
    pub async fn run_for<T, F>(&self, athlete: AthleteId, f: F) -> Result<T, HttpError>
    where
        T: Send + 'static,
        F: FnOnce(&dyn Store) -> Result<T, HttpError> + Send + 'static,
    {
        let db = self.clone();
        let joined = tokio::task::spawn_blocking(move || db.blocking_store(athlete, f)?).await;
        match joined {
            Ok(result) => result,
            Err(e) => Err(HttpError::internal(format!("database task failed: {e}"))),
        }
    }

    /// Runs `f` for each athlete in one blocking task ([`Db::blocking_each`]), answers in the same order. The caller
    /// has checked that the request may see every one of them.
    pub async fn run_for_each<T, F>(&self, athletes: Vec<AthleteId>, f: F) -> Result<Vec<T>, HttpError>
    where
        T: Send + 'static,
        F: FnMut(&dyn Store) -> Result<T, HttpError> + Send + 'static,
    {
        let db = self.clone();
        let joined = tokio::task::spawn_blocking(move || db.blocking_each(&athletes, f)).await;
        match joined {
            Ok(result) => result?.into_iter().collect(),
            Err(e) => Err(HttpError::internal(format!("database task failed: {e}"))),
        }
    }

    /// Runs `f` with the dashboards' cross-athlete reads and writes on a blocking thread; 404 on a one-runner app.
    pub async fn dashboards<T, F>(&self, f: F) -> Result<T, HttpError>
    where
        T: Send + 'static,
        F: FnOnce(&dyn Dashboards) -> Result<T, HttpError> + Send + 'static,
    {
        let db = self.clone();
        let joined = tokio::task::spawn_blocking(move || db.blocking_dashboards(f)?).await;
        match joined {
            Ok(result) => result,
            Err(e) => Err(HttpError::internal(format!("database task failed: {e}"))),
        }
    }

    /// Runs `f` with the server's accounts on a blocking thread; 404 on a one-runner app.
    pub async fn accounts<T, F>(&self, f: F) -> Result<T, HttpError>
    where
        T: Send + 'static,
        F: FnOnce(&dyn Accounts) -> Result<T, HttpError> + Send + 'static,
    {
        let db = self.clone();
        let joined = tokio::task::spawn_blocking(move || db.blocking_accounts(f)?).await;
        match joined {
            Ok(result) => result,
            Err(e) => Err(HttpError::internal(format!("database task failed: {e}"))),
        }
    }
}
