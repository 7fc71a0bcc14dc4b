//! Health data stays readable by its owner only: folders runtall creates are `0700`, the database and its `-wal`
//! and `-shm` companions (and any file created here) are `0600`, whatever the umask (Unix).
//!
//! The usual umask (022) would leave them world-readable (644/755), and on a shared machine that exposes pain
//! reports and GPS tracks to every other account. SQLite creates `-wal` and `-shm` with the mode of the database
//! file, so the database is created private *before* SQLite opens it; files left by an older runtall with wider
//! modes are tightened on open. Folders that already existed and were not made by runtall (`/tmp` for
//! `--db /tmp/x.db`) are never touched. On other systems these functions create files and folders normally.

use std::fs::{File, OpenOptions};
use std::io;
use std::path::{Path, PathBuf};

/// Mode of every folder runtall creates for a runner's data.
pub const DIR_MODE: u32 = 0o700;
/// Mode of the database, its companions and uploaded files.
pub const FILE_MODE: u32 = 0o600;

/// Creates `dir` and any missing parents as owner-only folders; an existing `dir` keeps its parents as they are
/// but is tightened itself when `own` says the folder is runtall's (the upload folder, not `/tmp`).
pub fn create_dir(dir: &Path, own: bool) -> io::Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, DIR_MODE);
    builder.create(dir)?;
    if own {
        restrict(dir, DIR_MODE)?;
    }
    Ok(())
}

/// Creates (or truncates) a file only its owner can read and write.
pub fn create_file(path: &Path) -> io::Result<File> {
    let mut options = OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, FILE_MODE);
    let file = options.open(path)?;
    restrict(path, FILE_MODE)?;
    Ok(file)
}

/// The database file and the companions SQLite keeps beside it.
pub fn database_files(db: &Path) -> [PathBuf; 3] {
    let with = |suffix: &str| {
        let mut name = db.as_os_str().to_owned();
        name.push(suffix);
        PathBuf::from(name)
    };
    [db.to_path_buf(), with("-wal"), with("-shm")]
}

/// Before SQLite opens `db`: creates it empty and private when it does not exist yet, so the `-wal` and `-shm`
/// SQLite makes beside it inherit `0600`. An existing file is not touched here: it may not be a runtall database,
/// and a refused file is left as it was.
pub fn prepare_database(db: &Path) -> io::Result<()> {
    let mut options = OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, FILE_MODE);
    match options.open(db) {
        Ok(_) => Ok(()),
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => Ok(()),
        Err(e) => Err(e),
    }
}

/// Tightens the database and whichever companions exist to `0600`, once the file opened as a runtall database
/// (an older runtall left them 644, and SQLite copies the database's mode to new companions).
pub fn secure_database(db: &Path) -> io::Result<()> {
    for path in database_files(db) {
        match restrict(&path, FILE_MODE) {
            Ok(()) => {}
            Err(e) if e.kind() == io::ErrorKind::NotFound => {}
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

/// Sets `mode` when the current mode grants group or others anything. A file owned by someone else (a shared
/// database) is left alone: changing its mode is not ours to do and would fail.
#[cfg(unix)]
fn restrict(path: &Path, mode: u32) -> io::Result<()> {
    use std::os::unix::fs::{MetadataExt, PermissionsExt};
    let meta = std::fs::metadata(path)?;
    let wanted_kind = if mode == DIR_MODE { meta.is_dir() } else { meta.is_file() };
    if !wanted_kind || meta.mode() & 0o077 == 0 {
        return Ok(());
    }
    match std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)) {
        Err(e) if e.kind() == io::ErrorKind::PermissionDenied => Ok(()),
        other => other,
    }
}

#[cfg(not(unix))]
fn restrict(_path: &Path, _mode: u32) -> io::Result<()> {
    Ok(())
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    fn mode(path: &Path) -> u32 {
        std::fs::metadata(path).expect("metadata").permissions().mode() & 0o777
    }

    #[test]
    fn an_old_world_readable_database_is_tightened_and_foreign_folders_are_not() {
        let dir = tempfile::tempdir().expect("dir");
        std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).expect("chmod");
        let db = dir.path().join("old.db");
        for path in database_files(&db) {
            std::fs::write(&path, b"").expect("file");
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).expect("chmod");
        }
        prepare_database(&db).expect("prepared");
        assert_eq!(mode(&db), 0o644, "an existing file is not touched before it opened as a database");
        secure_database(&db).expect("secured");
        for path in database_files(&db) {
            assert_eq!(mode(&path), 0o600, "{}", path.display());
        }
        create_dir(dir.path(), false).expect("exists");
        assert_eq!(mode(dir.path()), 0o755, "a folder runtall did not make keeps its mode");
        create_dir(dir.path(), true).expect("ours");
        assert_eq!(mode(dir.path()), 0o700);
    }
}
