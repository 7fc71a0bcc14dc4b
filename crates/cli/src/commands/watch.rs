//! `runtall import --watch DIR` and `--device`: import watch files as they appear in a folder (a Garmin watch
//! mounted over USB, a sync folder), and find a mounted Garmin-style volume.
//!
//! Why debounce: a watch copies a file in several writes and a sync client renames it into place, so events come
//! in bursts; a file is imported once it has been quiet for [`QUIET`] and its size no longer changes. Each import
//! is the ordinary one (its own transaction per activity, duplicates recognised), so stopping with Ctrl-C at any
//! moment keeps what was stored.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use notify::{EventKind, RecursiveMode, Watcher};
use runtall_app::import::{FileResult, ImportEvent, ImportSettings, import_paths_with};
use runtall_store::Store;

use crate::error::{CliError, CliResult};

/// How long a file must be left alone before it is imported.
pub const QUIET: Duration = Duration::from_millis(1500);

/// Folders a USB watch is mounted under, by platform convention; `RUNTALL_DEVICE_ROOTS` (paths separated by `:`)
/// replaces them (tests, unusual mounts).
fn device_roots() -> Vec<PathBuf> {
    if let Some(list) = std::env::var_os("RUNTALL_DEVICE_ROOTS") {
        return std::env::split_paths(&list).collect();
    }
    let user = std::env::var("USER").unwrap_or_default();
    let mut roots = vec![
        PathBuf::from("/media").join(&user),
        PathBuf::from("/run/media").join(&user),
        PathBuf::from("/media"),
        PathBuf::from("/mnt"),
        PathBuf::from("/Volumes"),
    ];
    roots.retain(|r| r.is_dir());
    roots
}

/// `name` inside `dir`, matched without regard to case (FAT volumes show `Garmin` or `GARMIN`).
fn child_ci(dir: &Path, name: &str) -> Option<PathBuf> {
    std::fs::read_dir(dir)
        .ok()?
        .filter_map(Result::ok)
        .find(|e| e.file_name().to_string_lossy().eq_ignore_ascii_case(name) && e.path().is_dir())
        .map(|e| e.path())
}

/// The `GARMIN` folder of the first mounted volume that has `GARMIN/Activity`, looking at each root and the
/// volumes directly under it.
pub fn find_device() -> Option<PathBuf> {
    for root in device_roots() {
        let mut candidates = vec![root.clone()];
        if let Ok(rd) = std::fs::read_dir(&root) {
            let mut subs: Vec<PathBuf> = rd.filter_map(Result::ok).map(|e| e.path()).filter(|p| p.is_dir()).collect();
            subs.sort();
            candidates.extend(subs);
        }
        for c in candidates {
            if let Some(garmin) = child_ci(&c, "GARMIN")
                && child_ci(&garmin, "Activity").is_some()
            {
                return Some(garmin);
            }
        }
    }
    None
}

/// The `GARMIN/Activity` folder of a mounted watch, or a clear error naming where it looked.
pub fn device_activity_dir() -> CliResult<PathBuf> {
    find_device().and_then(|g| child_ci(&g, "Activity")).ok_or_else(|| {
        let looked: Vec<String> = device_roots().iter().map(|p| p.display().to_string()).collect();
        CliError::user(format!(
            "no mounted watch with a GARMIN/Activity folder was found (looked in {}); plug the watch in over USB, \
             or name its folder: `runtall import --watch /path/to/GARMIN/Activity`",
            if looked.is_empty() { "no mount folders".to_string() } else { looked.join(", ") }
        ))
    })
}

/// `GARMIN/NewFiles` of a mounted watch (created if missing), where a workout copied over USB is picked up.
pub fn device_new_files_dir() -> CliResult<PathBuf> {
    let garmin = find_device().ok_or_else(|| {
        CliError::user("no mounted watch with a GARMIN/Activity folder was found; plug it in over USB or use --out")
    })?;
    let dir = child_ci(&garmin, "NewFiles").unwrap_or_else(|| garmin.join("NewFiles"));
    std::fs::create_dir_all(&dir).map_err(|e| CliError::user(format!("cannot create {}: {e}", dir.display())))?;
    Ok(dir)
}

/// Whether a path looks like something the importer reads (FIT, GPX, TCX, compressed or zipped).
fn watch_file(p: &Path) -> bool {
    let name = p.file_name().map(|n| n.to_string_lossy().to_lowercase()).unwrap_or_default();
    !name.starts_with('.') && [".fit", ".gpx", ".tcx", ".gz", ".zip"].iter().any(|ext| name.ends_with(ext))
}

/// The line printed for one imported file.
fn line(f: &FileResult) -> String {
    let now = jiff::Zoned::now().strftime("%H:%M:%S").to_string();
    let name = Path::new(&f.source).file_name().map_or(f.source.clone(), |n| n.to_string_lossy().into_owned());
    let what = if let Some(e) = &f.error {
        if f.not_activity { format!("not an activity: {e}") } else { format!("not imported: {e}") }
    } else {
        let mut parts = Vec::new();
        for id in &f.added {
            parts.push(format!("added as #{id}"));
        }
        for id in &f.replaced {
            parts.push(format!("replaced #{id} (a better copy)"));
        }
        for id in &f.duplicates {
            parts.push(format!("already in the journal as #{id}"));
        }
        if f.salvaged > 0 {
            parts.push("salvaged from a damaged file".into());
        }
        if parts.is_empty() { "no activity in the file".into() } else { parts.join(", ") }
    };
    format!("{now}  {name}: {what}")
}

/// Imports `paths`, printing a line per file.
fn import_now(store: &dyn Store, paths: &[PathBuf]) -> CliResult<usize> {
    let settings = ImportSettings { workers: 1, ..ImportSettings::default() };
    let mut n = 0;
    import_paths_with(store, paths, &settings, |event| {
        if let ImportEvent::File(f, ..) = event {
            n += 1;
            println!("{}", line(f));
        }
    })?;
    Ok(n)
}

/// Imports what is in `dir` now, then every watch file that appears or changes in it, until interrupted.
pub fn watch(store: &dyn Store, dir: &Path) -> CliResult {
    if !dir.is_dir() {
        return Err(CliError::user(format!("{} is not a folder to watch", dir.display())));
    }
    let (tx, rx) = mpsc::channel();
    let mut watcher =
        notify::recommended_watcher(tx).map_err(|e| CliError::user(format!("cannot watch {}: {e}", dir.display())))?;
    // Watch first, then import what is there, so a file arriving in between is not missed (a duplicate is cheap).
    watcher
        .watch(dir, RecursiveMode::Recursive)
        .map_err(|e| CliError::user(format!("cannot watch {}: {e}", dir.display())))?;
    println!("Watching {} for new watch files (Ctrl-C to stop).", dir.display());
    import_now(store, &[dir.to_path_buf()])?;
    // Path → (last event, size at that moment).
    let mut pending: HashMap<PathBuf, (Instant, Option<u64>)> = HashMap::new();
    loop {
        match rx.recv_timeout(Duration::from_millis(250)) {
            Ok(Ok(event)) => {
                if matches!(event.kind, EventKind::Create(_) | EventKind::Modify(_)) {
                    for p in event.paths.into_iter().filter(|p| watch_file(p)) {
                        let size = std::fs::metadata(&p).ok().map(|m| m.len());
                        pending.insert(p, (Instant::now(), size));
                    }
                }
            }
            Ok(Err(e)) => eprintln!("watching {}: {e}", dir.display()),
            Err(mpsc::RecvTimeoutError::Timeout) => {}
            Err(mpsc::RecvTimeoutError::Disconnected) => {
                return Err(CliError::user(format!("stopped watching {}: the watcher ended", dir.display())));
            }
        }
        let now = Instant::now();
        let mut ready = Vec::new();
        pending.retain(|p, (at, size)| {
            if now.duration_since(*at) < QUIET {
                return true;
            }
            let current = std::fs::metadata(p).ok().map(|m| m.len());
            if current.is_none() {
                return false; // removed again (a temporary file)
            }
            if current != *size {
                // Still being written without events (some mounts): wait another quiet spell.
                *at = now;
                *size = current;
                return true;
            }
            ready.push(p.clone());
            false
        });
        if !ready.is_empty() {
            ready.sort();
            import_now(store, &ready)?;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn watch_files_by_name() {
        assert!(watch_file(Path::new("/x/GARMIN/Activity/2026-05-01-07-00-00.FIT")));
        assert!(watch_file(Path::new("run.gpx.gz")));
        assert!(!watch_file(Path::new(".run.fit.part")));
        assert!(!watch_file(Path::new("notes.txt")));
    }
}
