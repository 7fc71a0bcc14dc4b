//! The database, its `-wal` and `-shm`, and the folders runtall creates for them are private to their owner
//! whatever the umask. This file is its own test process, so setting the umask here touches no other test.
#![cfg(unix)]

use runtall_store::{SqliteStore, Store};
use std::os::unix::fs::PermissionsExt;
use std::path::Path;

/// The permission bits in octal, as `ls -l` users read them.
fn mode(path: &Path) -> String {
    let meta = std::fs::metadata(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    format!("{:o}", meta.permissions().mode() & 0o777)
}

#[test]
fn a_new_database_and_its_folder_are_private_under_the_usual_umask() {
    // The usual desktop umask, which makes files 644 and folders 755 unless asked otherwise.
    rustix::process::umask(rustix::fs::Mode::from_raw_mode(0o022));
    let root = tempfile::tempdir().expect("temp dir");
    let data = root.path().join("runtall").join("data");
    let db = data.join("runtall.db");
    let store = SqliteStore::open(&db).expect("opens");
    store.save_profile(&Default::default()).expect("writes");
    let wal = data.join("runtall.db-wal");
    let shm = data.join("runtall.db-shm");
    assert!(wal.exists() && shm.exists(), "WAL companions exist while the store is open");
    assert_eq!(mode(&db), "600", "database");
    assert_eq!(mode(&wal), "600", "-wal");
    assert_eq!(mode(&shm), "600", "-shm");
    assert_eq!(mode(&data), "700", "the data folder runtall created");
    assert_eq!(mode(&root.path().join("runtall")), "700", "its parent, also created by runtall");

    // A file created private through the same rule (the web app's uploads use it).
    let upload = data.join("upload.fit");
    drop(runtall_store::private_files::create_file(&upload).expect("created"));
    assert_eq!(mode(&upload), "600", "uploaded file");
}
