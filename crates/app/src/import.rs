//! Watch files, folders and bulk exports into the journal: the loop shared by `runtall import`, the demo and the
//! web app's upload page.
//!
//! Decoding runs on worker threads inside `runtall-import`; this loop stores each activity in its own transaction
//! as results arrive, so a crash or kill leaves every stored run complete, and running the same import again
//! finishes the job without duplicates.

use crate::Result;
use jiff::{SignedDuration, Timestamp};
use runtall_domain::activity::{Activity, Richness};
use runtall_domain::classify::{self, Classification};
use runtall_import::{CancelToken, ErrorKind, ImportOptions, Importer, Poll, Progress};
use runtall_store::{ActivityFilter, AddOutcome, Store};
use serde::Serialize;
use std::path::PathBuf;
use std::time::{Duration, Instant};

/// How far back classification looks for the runner's own history (e.g. what "long" means for them).
const HISTORY: SignedDuration = SignedDuration::from_hours(24 * 7 * 8);

/// Entries of each list kept in an [`ImportSummary`]; the counts go on. An export zip with a million entries
/// would otherwise keep (and print) a million lines.
pub const MAX_LISTED: usize = 10_000;

#[derive(Debug, Default, Clone, Serialize)]
pub struct ImportSummary {
    pub files: usize,
    pub imported: usize,
    /// Of those, read from damaged files (a broken or cut-short file; not files with dropped odd values).
    pub salvaged: usize,
    /// Stored activities replaced by a better copy of the same recording (all of them; `replaced` lists the first
    /// [`MAX_LISTED`]). The run keeps its number, context and linked pain reports.
    pub replaced_count: usize,
    pub replaced: Vec<ReplacedNote>,
    /// Activities already in the journal (all of them; `duplicates` lists the first [`MAX_LISTED`]).
    pub duplicate_count: usize,
    pub duplicates: Vec<DuplicateNote>,
    /// Files that are not activities (all of them; `not_activities` lists the first [`MAX_LISTED`]).
    pub not_activity_count: usize,
    pub not_activities: Vec<FileNote>,
    /// Files that could not be read or were refused by a limit (all of them; `failed` lists the first
    /// [`MAX_LISTED`]).
    pub failed_count: usize,
    pub failed: Vec<FileNote>,
    pub skipped_files: usize,
    /// Named pipes, sockets and devices found in the folders (never read: they could block the import).
    pub skipped_not_regular: usize,
    pub reclassified: usize,
    /// The import was cancelled before every file was read; what was stored is kept.
    pub cancelled: bool,
    pub seconds: f64,
    pub activities_per_s: f64,
    pub mb_per_s: f64,
    pub imported_ids: Vec<i64>,
}

/// How an import ended, for exit codes and headlines: the three cases `docs/reliability.md` documents.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ImportOutcome {
    /// Every file was imported or was already in the journal.
    AllImported,
    /// Some files were imported or already there; others were refused, not activities or unreadable.
    SomeRefused,
    /// Nothing was imported and nothing was already there.
    NothingImported,
}

impl ImportSummary {
    pub fn outcome(&self) -> ImportOutcome {
        let kept = self.imported + self.duplicate_count;
        let refused = self.failed_count + self.not_activity_count;
        if kept == 0 {
            ImportOutcome::NothingImported
        } else if refused > 0 || self.cancelled {
            ImportOutcome::SomeRefused
        } else {
            ImportOutcome::AllImported
        }
    }
}

/// Knobs of one import besides the paths.
#[derive(Debug, Clone, Default)]
pub struct ImportSettings {
    /// Decoding threads; 0: one per core.
    pub workers: usize,
    /// Stops the import from another thread (the web app's Cancel button).
    pub cancel: CancelToken,
    /// Overrides the per-file time limit (`None`: the importer's default).
    pub file_time_limit: Option<Duration>,
}

/// What an import tells its caller as it goes.
pub enum ImportEvent<'a> {
    /// One file (or archive entry) was stored or refused.
    File(&'a FileResult, &'a Progress, &'a ImportSummary),
    /// No file finished in the last moment: counters (with the position inside large files) for a live view.
    Tick(&'a Progress, &'a ImportSummary),
}

#[derive(Debug, Clone, Serialize)]
pub struct FileNote {
    pub source: String,
    pub reason: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct DuplicateNote {
    pub source: String,
    pub existing: i64,
    pub why: &'static str,
}

/// A stored copy replaced by the better one from this file.
#[derive(Debug, Clone, Serialize)]
pub struct ReplacedNote {
    pub source: String,
    pub existing: i64,
    /// Why the new copy is better ("FIT over GPX", "an intact file over a damaged one").
    pub why: String,
}

/// What became of one file (or archive entry): the line a per-file results list shows.
#[derive(Debug, Clone, Serialize)]
pub struct FileResult {
    pub source: String,
    /// Runs and other activities stored from this file (several for a multisport file).
    pub added: Vec<i64>,
    /// Of those, how many were read from a damaged file.
    pub salvaged: usize,
    /// Activities already in the journal: the run they match.
    pub duplicates: Vec<i64>,
    /// Stored runs this file's better copy replaced (same number, context and pain links kept).
    pub replaced: Vec<i64>,
    /// Why nothing could be read, when that is the case.
    pub error: Option<String>,
    /// The file is readable but not an activity (a course, a workout, settings).
    pub not_activity: bool,
}

fn classify_with_history(store: &dyn Store, a: &Activity) -> Result<Option<Classification>> {
    if !a.sport.is_run() {
        return Ok(None);
    }
    let from = a.start.checked_sub(HISTORY).unwrap_or(Timestamp::MIN);
    let history = store.run_summaries(from, a.start)?;
    Ok(Some(classify::classify(a, &history)))
}

/// Imports files, folders and archives into the store. `on_file` sees each file's result as it is stored, with
/// the importer's counters, for a progress bar or a live results list.
pub fn import_paths(
    store: &dyn Store,
    paths: &[PathBuf],
    workers: usize,
    mut on_file: impl FnMut(&FileResult, &Progress, &ImportSummary),
) -> Result<ImportSummary> {
    let settings = ImportSettings { workers, ..ImportSettings::default() };
    import_paths_with(store, paths, &settings, |event| {
        if let ImportEvent::File(f, p, s) = event {
            on_file(f, p, s);
        }
    })
}

/// How often a running import reports progress when no file has finished.
const TICK: Duration = Duration::from_millis(250);

/// [`import_paths`] with settings (workers, cancel, time limit) and an event for every file and every moment.
pub fn import_paths_with(
    store: &dyn Store,
    paths: &[PathBuf],
    settings: &ImportSettings,
    mut on_event: impl FnMut(ImportEvent<'_>),
) -> Result<ImportSummary> {
    let started = Instant::now();
    // A pass killed last time (or another writer's marks) first, so this import classifies against sound labels.
    settle_labels(store)?;
    let mut options = ImportOptions { workers: settings.workers, ..ImportOptions::default() };
    if settings.file_time_limit.is_some() {
        options.file_time_limit = settings.file_time_limit;
    }
    let plan = Importer::new(options).plan(paths);
    let mut summary = ImportSummary {
        files: plan.files(),
        skipped_files: plan.skipped().total(),
        skipped_not_regular: plan.skipped().not_regular,
        ..Default::default()
    };

    let mut running = plan.start_cancellable(settings.cancel.clone());
    loop {
        let job = match running.poll(TICK) {
            Poll::Ready(job) => job,
            Poll::Pending => {
                if settings.cancel.is_cancelled() {
                    summary.cancelled = true;
                    break;
                }
                on_event(ImportEvent::Tick(&running.progress(), &summary));
                continue;
            }
            Poll::Done => break,
        };
        let mut file = FileResult {
            source: job.source.clone(),
            added: vec![],
            salvaged: 0,
            duplicates: vec![],
            replaced: vec![],
            error: None,
            not_activity: false,
        };
        match job.result {
            Ok(activities) => {
                for a in activities {
                    let c = classify_with_history(store, &a)?;
                    let (existing, why) = match store.add_activity(&a, c.as_ref())? {
                        AddOutcome::Added { id } => {
                            summary.imported += 1;
                            summary.imported_ids.push(id);
                            file.added.push(id);
                            if a.quality.salvaged {
                                summary.salvaged += 1;
                                file.salvaged += 1;
                            }
                            continue;
                        }
                        AddOutcome::DuplicateFile { existing } => (existing, "same file"),
                        AddOutcome::DuplicateRun { existing } => {
                            if let Some(why) = keep_richest(store, existing, &a, c.as_ref())? {
                                file.replaced.push(existing);
                                summary.replaced_count += 1;
                                if summary.replaced.len() < MAX_LISTED {
                                    summary.replaced.push(ReplacedNote { source: job.source.clone(), existing, why });
                                }
                                continue;
                            }
                            (existing, "same recording (overlapping time, same track), and the stored copy is as good")
                        }
                    };
                    file.duplicates.push(existing);
                    summary.duplicate_count += 1;
                    if summary.duplicates.len() < MAX_LISTED {
                        summary.duplicates.push(DuplicateNote { source: job.source.clone(), existing, why });
                    }
                }
            }
            Err(runtall_import::ImportError::Cancelled) => {
                // Not read because the runner stopped the import: not a problem with the file.
                summary.cancelled = true;
                continue;
            }
            Err(e) => {
                let note = FileNote { source: job.source.clone(), reason: e.to_string() };
                file.error = Some(note.reason.clone());
                if e.kind() == ErrorKind::NotActivity {
                    file.not_activity = true;
                    summary.not_activity_count += 1;
                    if summary.not_activities.len() < MAX_LISTED {
                        summary.not_activities.push(note);
                    }
                } else {
                    summary.failed_count += 1;
                    if summary.failed.len() < MAX_LISTED {
                        summary.failed.push(note);
                    }
                }
            }
        }
        on_event(ImportEvent::File(&file, &running.progress(), &summary));
    }
    let progress = running.progress();
    // Read before the run is dropped: dropping it cancels the shared token to stop its threads.
    summary.cancelled |= settings.cancel.is_cancelled();
    drop(running);

    // Files arrive in any order; labels that depend on history ("long for this runner") are settled afterwards
    // in date order over the window the new runs can affect (recorded in the store as each run was added).
    summary.reclassified = settle_labels(store)?;
    summary.seconds = started.elapsed().as_secs_f64();
    summary.activities_per_s = progress.activities_per_s();
    summary.mb_per_s = progress.mb_per_s();
    Ok(summary)
}

/// When `a` is a better copy of the stored activity `existing` (see [`Richness::better_than`]: intact over
/// damaged, longer, FIT over TCX over GPX, more kinds of values, more samples), replaces it keeping the run's number,
/// context and pain links, and says why. `None` keeps the stored copy.
fn keep_richest(store: &dyn Store, existing: i64, a: &Activity, c: Option<&Classification>) -> Result<Option<String>> {
    let Some(stored) = store.activity(existing)? else { return Ok(None) };
    let Some(why) = Richness::of(a).better_than(&Richness::of(&stored.activity)) else { return Ok(None) };
    Ok(store.replace_activity(existing, a, c)?.then_some(why))
}

/// Brings run labels up to date if any run was added or deleted since the last complete pass (see
/// [`Store::labels_stale_from`]): a pass that was killed half-way is finished here. Returns how many labels
/// changed.
pub fn settle_labels(store: &dyn Store) -> Result<usize> {
    let Some((from, generation)) = store.labels_stale_from()? else { return Ok(0) };
    let changed = reclassify_from(store, from)?;
    store.finish_label_pass(generation)?;
    Ok(changed)
}

/// Re-labels runs from `from` onwards in date order, each against the runs before it. Returns how many changed.
pub fn reclassify_from(store: &dyn Store, from: Timestamp) -> Result<usize> {
    let rows = store.activities(&ActivityFilter { from: Some(from), ..Default::default() })?;
    let mut changed = 0;
    for row in rows.iter().rev() {
        if !row.sport.is_run() {
            continue;
        }
        let Some(stored) = store.activity(row.id)? else { continue };
        let Some(c) = classify_with_history(store, &stored.activity)? else { continue };
        if stored.classification.as_ref() != Some(&c) {
            store.set_classification(row.id, &c)?;
            changed += 1;
        }
    }
    Ok(changed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_import_that_runs_to_the_end_is_not_reported_cancelled() {
        let store = runtall_store::SqliteStore::in_memory().expect("store");
        let dir = std::env::temp_dir().join(format!("runtall-app-import-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("dir");
        let summary = import_paths(&store, std::slice::from_ref(&dir), 1, |_, _, _| {}).expect("import");
        assert!(!summary.cancelled);
        let settings = ImportSettings::default();
        settings.cancel.cancel();
        let summary = import_paths_with(&store, std::slice::from_ref(&dir), &settings, |_| {}).expect("import");
        assert!(summary.cancelled, "a cancel before the start is reported");
        let _ = std::fs::remove_dir_all(dir);
    }
}
