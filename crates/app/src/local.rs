//! The one place front ends get the local app's store from: the CLI, the web app and its import jobs all open the
//! database through here, so the way a store is made (and what happens when it opens) cannot drift between them.

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
