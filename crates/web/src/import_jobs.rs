//! Uploaded watch files being imported: one background thread per upload, its progress and per-file results kept
//! here so the page (and the API) can show them live while the thread works.
//!
//! A plain thread rather than a tokio task: an import decodes for seconds to minutes with its own worker pool and
//! its own database connection, and must not hold a blocking-pool slot that page requests need. The last
//! [`KEEP`] jobs stay readable after they finish; the uploaded copies are deleted as soon as their job ends.

use crate::db::Db;
use jiff::Timestamp;
use runtall_app::import::{FileResult, ImportEvent, ImportSettings, ImportSummary};
use runtall_import::CancelToken;
use runtall_store::AthleteId;
use serde::Serialize;
use std::collections::VecDeque;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

/// Finished jobs kept for the results page.
const KEEP: usize = 16;
/// Per-file rows kept per job: enough for any watch's export; beyond it the counters still count.
const MAX_ROWS: usize = 20_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum JobStatus {
    Running,
    Done,
    /// Stopped by the runner: what was stored before the cancel is kept.
    Cancelled,
    /// The import itself broke (the database, not a file): nothing after the last stored run was imported.
    Failed,
}

/// What the page shows of one upload.
#[derive(Debug, Clone, Serialize)]
pub struct JobView {
    pub id: u64,
    pub started: Timestamp,
    pub status: JobStatus,
    /// Files uploaded (an export zip counts once here; its entries count in `files_total`).
    pub uploaded: usize,
    pub files_done: usize,
    pub files_total: usize,
    pub bytes_done: u64,
    pub bytes_total: u64,
    /// Files being read right now: bytes read so far and their sizes (progress within a large file).
    pub current_bytes_done: u64,
    pub current_bytes_total: u64,
    /// The runner asked to stop; the job ends at the next check.
    pub cancel_requested: bool,
    pub imported: usize,
    pub duplicates: usize,
    pub not_activities: usize,
    pub failed: usize,
    /// Oldest first.
    pub files: Vec<FileResult>,
    pub summary: Option<ImportSummary>,
    /// Why the import stopped, for [`JobStatus::Failed`]; never internal detail.
    pub error: Option<String>,
}

/// One job: what the page shows, and the token that stops it.
struct Job {
    /// Whose import it is: only that athlete's requests find it.
    athlete: AthleteId,
    view: Arc<Mutex<JobView>>,
    cancel: CancelToken,
}

#[derive(Default)]
pub struct ImportJobs {
    next: AtomicU64,
    jobs: Mutex<VecDeque<Job>>,
}

/// How long one uploaded file may take to read before it is given up (a hostile or broken file must not keep a
/// job "running" for ever; the decoders are linear, so real files take a fraction of this).
const FILE_TIME_LIMIT: std::time::Duration = std::time::Duration::from_secs(60);

impl ImportJobs {
    /// The athlete's job `id`; another athlete's is `None`, as an unknown one.
    pub fn get(&self, athlete: AthleteId, id: u64) -> Option<JobView> {
        let jobs = self.jobs.lock().ok()?;
        jobs.iter()
            .filter(|j| j.athlete == athlete)
            .filter_map(|j| j.view.lock().ok())
            .find(|j| j.id == id)
            .map(|j| j.clone())
    }

    /// Asks a running job to stop: files stored so far are kept, the rest are not read. Returns `None` for an
    /// unknown job, `Some(false)` for one that already ended.
    pub fn cancel(&self, athlete: AthleteId, id: u64) -> Option<bool> {
        let jobs = self.jobs.lock().ok()?;
        let job = jobs.iter().find(|j| j.athlete == athlete && j.view.lock().is_ok_and(|v| v.id == id))?;
        let mut view = job.view.lock().ok()?;
        if view.status != JobStatus::Running {
            return Some(false);
        }
        view.cancel_requested = true;
        job.cancel.cancel();
        Some(true)
    }

    /// The athlete's jobs, newest first, without their per-file rows.
    pub fn recent(&self, athlete: AthleteId) -> Vec<JobView> {
        let Ok(jobs) = self.jobs.lock() else { return vec![] };
        jobs.iter()
            .rev()
            .filter(|j| j.athlete == athlete)
            .filter_map(|j| j.view.lock().ok().map(|j| JobView { files: vec![], summary: None, ..j.clone() }))
            .collect()
    }

    /// Starts importing the files in `upload` (a directory the job owns and deletes) into `athlete`'s store.
    /// `names` maps each stored file name back to the name the runner gave it.
    pub fn start(&self, db: Db, athlete: AthleteId, upload: tempfile::TempDir, names: Vec<(String, String)>) -> u64 {
        let id = self.next.fetch_add(1, Ordering::Relaxed) + 1;
        let cancel = CancelToken::new();
        let view = Arc::new(Mutex::new(JobView {
            id,
            started: Timestamp::now(),
            status: JobStatus::Running,
            uploaded: names.len(),
            files_done: 0,
            files_total: names.len(),
            bytes_done: 0,
            bytes_total: 0,
            current_bytes_done: 0,
            current_bytes_total: 0,
            cancel_requested: false,
            imported: 0,
            duplicates: 0,
            not_activities: 0,
            failed: 0,
            files: vec![],
            summary: None,
            error: None,
        }));
        if let Ok(mut jobs) = self.jobs.lock() {
            // Drop the oldest finished jobs; running ones stay whatever their age.
            while jobs.len() >= KEEP {
                let Some(pos) =
                    jobs.iter().position(|j| j.view.lock().map(|j| j.status != JobStatus::Running).unwrap_or(true))
                else {
                    break;
                };
                jobs.remove(pos);
            }
            jobs.push_back(Job { athlete, view: view.clone(), cancel: cancel.clone() });
        }
        std::thread::spawn(move || run(&db, athlete, upload, &names, &view, cancel));
        id
    }
}

/// Where uploads wait while their job runs: beside the database, so they stay on the same disk and under the same
/// permissions as the runner's data.
pub fn upload_dir(db: &Path) -> PathBuf {
    db.parent().map(|p| p.join(".runtall-uploads")).unwrap_or_else(|| PathBuf::from(".runtall-uploads"))
}

/// Deletes uploads left behind by a server that stopped mid-import (killed, power cut): a finished job deletes its
/// own. Only directories older than a day go, so a second server on the same database keeps its running jobs.
pub fn remove_stale_uploads(db: &Path) {
    let Ok(entries) = std::fs::read_dir(upload_dir(db)) else { return };
    let day = std::time::Duration::from_secs(24 * 3600);
    for entry in entries.flatten() {
        let old = entry
            .metadata()
            .and_then(|m| m.modified())
            .ok()
            .and_then(|t| t.elapsed().ok())
            .is_some_and(|age| age > day);
        if old && entry.file_name().to_string_lossy().starts_with("upload-") {
            let _ = std::fs::remove_dir_all(entry.path());
        }
    }
}

/// The runner's own name for a file the importer reports by its stored path (`…/0003-run.fit`, or
/// `…/0001-export.zip!activities/1.fit.gz` for an archive entry).
fn shown_name(dir: &Path, names: &[(String, String)], source: &str) -> String {
    let prefix = format!("{}{}", dir.display(), std::path::MAIN_SEPARATOR);
    let rest = source.strip_prefix(&prefix).unwrap_or(source);
    let (file, inner) = match rest.split_once('!') {
        Some((f, i)) => (f, Some(i)),
        None => (rest, None),
    };
    let original = names.iter().find(|(stored, _)| stored == file).map(|(_, o)| o.as_str()).unwrap_or(file);
    match inner {
        Some(i) => format!("{original}!{i}"),
        None => original.to_string(),
    }
}

fn run(
    db: &Db,
    athlete: AthleteId,
    upload: tempfile::TempDir,
    names: &[(String, String)],
    view: &Mutex<JobView>,
    cancel: CancelToken,
) {
    let dir = upload.path().to_path_buf();
    let paths: Vec<PathBuf> = names.iter().map(|(stored, _)| dir.join(stored)).collect();
    let settings = ImportSettings { workers: 0, cancel, file_time_limit: Some(FILE_TIME_LIMIT) };
    let outcome = db
        .blocking_store(athlete, |store| {
            runtall_app::import::import_paths_with(store, &paths, &settings, |event| {
                let Ok(mut v) = view.lock() else { return };
                let (progress, summary) = match &event {
                    ImportEvent::File(_, p, s) | ImportEvent::Tick(p, s) => (*p, *s),
                };
                v.files_done = progress.files_done;
                v.files_total = progress.files_total.max(v.uploaded);
                v.bytes_done = progress.input_bytes_done;
                v.bytes_total = progress.input_bytes_total;
                v.current_bytes_done = progress.partial_bytes_done;
                v.current_bytes_total = progress.partial_bytes_total;
                v.imported = summary.imported;
                v.duplicates = summary.duplicate_count;
                v.not_activities = summary.not_activity_count;
                v.failed = summary.failed_count;
                if let ImportEvent::File(file, ..) = event
                    && v.files.len() < MAX_ROWS
                {
                    let mut row = file.clone();
                    row.source = shown_name(&dir, names, &row.source);
                    v.files.push(row);
                }
            })
        })
        .map_err(runtall_app::AppError::from)
        .and_then(|imported| imported);
    // Delete the uploaded copies before reporting the end, so a finished job holds no disk.
    drop(upload);
    if let Ok(mut v) = view.lock() {
        v.current_bytes_done = 0;
        v.current_bytes_total = 0;
        match outcome {
            Ok(mut summary) => {
                for n in summary.failed.iter_mut().chain(summary.not_activities.iter_mut()) {
                    n.source = shown_name(&dir, names, &n.source);
                }
                for d in summary.duplicates.iter_mut() {
                    d.source = shown_name(&dir, names, &d.source);
                }
                v.files_done = v.files_done.max(summary.files.min(v.files_total));
                v.status = if summary.cancelled { JobStatus::Cancelled } else { JobStatus::Done };
                v.summary = Some(summary);
            }
            Err(e) => {
                let reference = crate::error::HttpError::internal(format!("import job {}: {e}", v.id));
                let why = if e.is_user_error() { e.to_string() } else { reference.message() };
                v.error = Some(format!("{why} The runs stored before it are kept."));
                v.status = JobStatus::Failed;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uploads_left_by_a_stopped_server_are_removed_after_a_day() {
        let dir = tempfile::tempdir().expect("tempdir");
        let db = dir.path().join("r.db");
        let uploads = upload_dir(&db);
        let (old, fresh, other) = (uploads.join("upload-old"), uploads.join("upload-new"), uploads.join("keep-me"));
        for d in [&old, &fresh, &other] {
            std::fs::create_dir_all(d).expect("dir");
            std::fs::write(d.join("0001-run.fit"), b"x").expect("file");
        }
        let two_days_ago = std::time::SystemTime::now() - std::time::Duration::from_secs(2 * 24 * 3600);
        for d in [&old, &other] {
            std::fs::File::open(d).and_then(|f| f.set_modified(two_days_ago)).expect("age the directory");
        }
        remove_stale_uploads(&db);
        assert!(!old.exists(), "a day-old upload is gone");
        assert!(fresh.exists(), "a running job's upload stays");
        assert!(other.exists(), "only upload directories are touched");
        remove_stale_uploads(&dir.path().join("nowhere").join("r.db"));
    }

    #[test]
    fn names_map_back_to_what_the_runner_uploaded() {
        let dir = Path::new("/tmp/up");
        let names = vec![("0001-export.zip".to_string(), "export.zip".to_string())];
        let sep = std::path::MAIN_SEPARATOR;
        assert_eq!(shown_name(dir, &names, &format!("/tmp/up{sep}0001-export.zip!a/1.fit")), "export.zip!a/1.fit");
        assert_eq!(shown_name(dir, &names, &format!("/tmp/up{sep}0001-export.zip")), "export.zip");
        assert_eq!(shown_name(dir, &names, "elsewhere.fit"), "elsewhere.fit");
    }
}
