//! The conformance suite on the embedded SQLite store, each case on a fresh database file (files rather than
//! memory so a second connection is a real second connection, as two programs or the web app's pool have).

use runtall_store::{Database, SqliteDatabase};
use runtall_store_tests::Backend;
use std::sync::atomic::{AtomicUsize, Ordering};

struct SqliteFiles {
    dir: tempfile::TempDir,
    made: AtomicUsize,
}

impl SqliteFiles {
    fn new() -> SqliteFiles {
        SqliteFiles { dir: tempfile::tempdir().expect("tempdir"), made: AtomicUsize::new(0) }
    }
}

impl Backend for SqliteFiles {
    type Db = SqliteDatabase;

    fn fresh(&self) -> SqliteDatabase {
        let n = self.made.fetch_add(1, Ordering::Relaxed);
        SqliteDatabase::open(&self.dir.path().join(format!("conformance-{n}.db"))).expect("open")
    }

    fn connect(&self, db: &SqliteDatabase) -> SqliteDatabase {
        SqliteDatabase::open(db.path()).expect("second connection")
    }
}

runtall_store_tests::conformance_suite!(SqliteFiles::new());
runtall_store_tests::accounts_suite!(SqliteFiles::new());

/// The local database's own athlete is a database athlete like any other: it is listed, and the suite's athletes
/// never see its rows.
#[test]
fn the_local_athlete_is_listed_and_kept_apart_from_new_ones() {
    use runtall_store::{AthleteId, Store};
    let backend = SqliteFiles::new();
    let db = backend.fresh();
    let local = db.local();
    local.put_setting("reminders", &serde_json::json!({ "enabled": true })).expect("setting");
    assert_eq!(db.athletes().expect("athletes")[0].id, AthleteId::LOCAL);
    let other = db.athlete(db.create_athlete("Ana").expect("create")).expect("handle");
    assert_eq!(other.setting("reminders").expect("setting"), None);
    assert!(!other.holds_real_data().expect("real"));
    assert!(local.holds_real_data().expect("real"));
}
