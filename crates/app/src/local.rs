//! The one place front ends get a store from: the CLI, the web app and its import jobs open the local database
//! (and a clinic server its SQLite or PostgreSQL database) through here, so the way a store is made (and what happens when it opens) cannot drift between them.

use runtall_store::{SqliteDatabase, SqliteStore, StoreError};
use std::path::Path;

/// The store of the local app: the one athlete ([`runtall_store::AthleteId::LOCAL`]) of the SQLite database on the
/// runner's machine.
pub type LocalStore = SqliteStore;

/// Opens (creating and migrating) the database at `path` and finishes a run-relabelling pass an earlier import
/// left unfinished (killed, or stopped by a full disk), so every view shows labels worked out from all the runs.
/// The pass is derived state only: if it cannot run now (another program is writing), opening still succeeds and
/// the next open or import does it.
pub fn open_local(path: &Path) -> Result<LocalStore, StoreError> {
    let store = connect_local(path)?;
    let _ = crate::import::settle_labels(&store);
    Ok(store)
}

/// Another connection to a local database already opened with [`open_local`] (the web app's pool): opens and
/// migrates, nothing more.
pub fn connect_local(path: &Path) -> Result<LocalStore, StoreError> {
    SqliteStore::open(path)
}

/// Connects a clinic server to its PostgreSQL database (`runtall server --database-url`): a pool of connections
/// as the application role. Nothing is migrated here: `runtall server migrate` does that with the owner's role.
pub fn connect_clinic_postgres(url: &str) -> Result<runtall_store_postgres::PgDatabase, StoreError> {
    runtall_store_postgres::PgDatabase::connect(url)
}

/// Creates or upgrades a clinic server's PostgreSQL schema as the tables' owner and grants `app_role` its rights
/// (`runtall server migrate`); returns the schema version it is now at.
pub fn migrate_clinic_postgres(owner_url: &str, app_role: &str) -> Result<i64, StoreError> {
    runtall_store_postgres::PgDatabase::migrate(owner_url, app_role)?;
    Ok(runtall_store_postgres::SCHEMA_VERSION)
}

/// Opens (creating and migrating) a clinic server's SQLite database (`runtall server --db`): every athlete's records
/// and the accounts, for the web app's pool, its admin commands and each further pooled connection.
pub fn open_clinic(path: &Path) -> Result<SqliteDatabase, StoreError> {
    SqliteDatabase::open(path)
}

/// [`open_clinic`] for the server's first connection: also finishes every athlete's run-relabelling pass an import
/// left unfinished (see [`crate::import::settle_every_athlete`]), as [`open_local`] does for the one runner.
pub fn open_clinic_settled(path: &Path) -> Result<SqliteDatabase, StoreError> {
    let db = open_clinic(path)?;
    let _ = crate::import::settle_every_athlete(&db);
    Ok(db)
}
