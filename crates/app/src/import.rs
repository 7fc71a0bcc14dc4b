//! Watch files, folders and bulk exports into the journal: the loop shared by `runtall import`, the demo and the
//! web app's upload page.
//!
//! Decoding runs on worker threads inside `runtall-import` while this loop stores what they have finished: the
//! results already decoded go into the store together, in one transaction per batch (see [`BATCH_ACTIVITIES`]),
//! so the writer keeps pace with the decoders without a commit per run. A crash or kill leaves every stored run
//! complete, and running the same import again finishes the job without duplicates.

use crate::Result;
use jiff::{SignedDuration, Timestamp};
use runtall_domain::activity::{Activity, Richness};
use runtall_domain::classify::{self, Classification, RunSummary};
use runtall_import::{CancelToken, ErrorKind, ImportOptions, Importer, Poll, Progress};
use runtall_store::{ActivityFilter, AddOutcome, Database, PreparedActivity, Store};
use serde::Serialize;
use std::collections::HashMap;
use std::hash::{Hash, Hasher};
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

    // Each activity's stored form (summary document, encoded samples) is made on the decoding threads: pure work
    // that would otherwise sit on this one thread, which must also look up duplicates, label and write. Only for a
    // store that takes it (SQLite); another makes its own at the write.
    let prepare = store.takes_prepared_activities();
    let mut running = plan.start_prepared(settings.cancel.clone(), move |a| prepare.then(|| PreparedActivity::of(a)));
    let mut batch = Batch::default();
    let mut labelled = Labelled::default();
    loop {
        // While results wait in the batch, only look for ones already decoded: when none is, the batch is stored
        // at once, so the writer never idles while the workers decode and a slow trickle of files is stored (and
        // shown) as it comes.
        let wait = if batch.is_empty() { TICK } else { Duration::ZERO };
        let job = match running.poll(wait) {
            Poll::Ready(job) => job,
            Poll::Pending => {
                if !batch.is_empty() {
                    batch.store(store, &mut summary, &running.progress(), &mut labelled, &mut on_event)?;
                    continue;
                }
                if settings.cancel.is_cancelled() {
                    summary.cancelled = true;
                    break;
                }
                on_event(ImportEvent::Tick(&running.progress(), &summary));
                continue;
            }
            Poll::Done => break,
        };
        match job.result {
            Ok(activities) => match job.prepared.into_iter().flatten().collect::<runtall_store::Result<Vec<_>>>() {
                Ok(prepared) => batch.push(job.source, activities, prepared),
                // Not expected (the summary is plain data), but it is this file's problem, not the import's.
                Err(e) => batch.push_failed(job.source, e.to_string(), false),
            },
            Err(runtall_import::ImportError::Cancelled) => {
                // Not read because the runner stopped the import: not a problem with the file.
                summary.cancelled = true;
                continue;
            }
            Err(e) => batch.push_failed(job.source, e.to_string(), e.kind() == ErrorKind::NotActivity),
        }
        if batch.is_full() {
            batch.store(store, &mut summary, &running.progress(), &mut labelled, &mut on_event)?;
        }
    }
    batch.store(store, &mut summary, &running.progress(), &mut labelled, &mut on_event)?;
    let progress = running.progress();
    // Read before the run is dropped: dropping it cancels the shared token to stop its threads.
    summary.cancelled |= settings.cancel.is_cancelled();
    drop(running);

    // Files arrive in any order; labels that depend on history ("long for this runner") are settled afterwards
    // in date order over the window the new runs can affect (recorded in the store as each run was added).
    summary.reclassified = settle_labels_with(store, &labelled)?;
    summary.seconds = started.elapsed().as_secs_f64();
    summary.activities_per_s = progress.activities_per_s();
    summary.mb_per_s = progress.mb_per_s();
    Ok(summary)
}

/// Activities stored per transaction at most. Batches only fill up when the writer falls behind the decoders, so
/// this bounds what one batch holds (with [`BATCH_SAMPLES`]) and how late its files show up in a live view.
const BATCH_ACTIVITIES: usize = 64;

/// Samples held in one batch at most (about 120 bytes each decoded): a few hour-long runs, so memory stays
/// bounded by a few files however far the writer falls behind.
const BATCH_SAMPLES: usize = 40_000;

/// Decoded files waiting to be stored together in one transaction, in plan order.
#[derive(Default)]
struct Batch {
    files: Vec<FileResult>,
    /// Per file: its activities in `activities` (a range, as many as it brought).
    counts: Vec<usize>,
    activities: Vec<Activity>,
    /// The stored form of each of `activities`, made on the decoding threads (none for a store that makes its own).
    prepared: Vec<PreparedActivity>,
    samples: usize,
}

impl Batch {
    fn is_empty(&self) -> bool {
        self.files.is_empty()
    }

    fn is_full(&self) -> bool {
        self.files.len().max(self.activities.len()) >= BATCH_ACTIVITIES || self.samples >= BATCH_SAMPLES
    }

    fn push(&mut self, source: String, activities: Vec<Activity>, prepared: Vec<PreparedActivity>) {
        self.samples += activities.iter().map(|a| a.samples.len()).sum::<usize>();
        self.counts.push(activities.len());
        self.activities.extend(activities);
        self.prepared.extend(prepared);
        self.files.push(FileResult::new(source));
    }

    /// A file that could not be read: kept in line so the results list stays in plan order.
    fn push_failed(&mut self, source: String, reason: String, not_activity: bool) {
        let mut file = FileResult::new(source);
        file.error = Some(reason);
        file.not_activity = not_activity;
        self.files.push(file);
        self.counts.push(0);
    }

    /// Stores the batch in one transaction, then keeps the better copy of each recording already stored, counts
    /// and reports every file in order, and empties the batch.
    fn store(
        &mut self,
        store: &dyn Store,
        summary: &mut ImportSummary,
        progress: &Progress,
        labelled: &mut Labelled,
        on_event: &mut impl FnMut(ImportEvent<'_>),
    ) -> Result<()> {
        if self.is_empty() {
            return Ok(());
        }
        let mut label = |a: &Activity, history: &[RunSummary]| {
            if labelled.by_id.len() < Labelled::MAX {
                labelled.by_key.insert(a.source.content_hash.clone(), fingerprint(history));
            }
            classify::classify(a, history)
        };
        // Every activity comes prepared or none does (see `Store::takes_prepared_activities`).
        let outcomes = if self.prepared.len() == self.activities.len() {
            store.add_prepared_activities(&self.activities, &self.prepared, HISTORY, &mut label)?
        } else {
            store.add_activities(&self.activities, HISTORY, &mut label)?
        };
        self.prepared.clear();
        let mut next = self.activities.drain(..).zip(outcomes);
        for (mut file, count) in self.files.drain(..).zip(self.counts.drain(..)) {
            if let Some(reason) = file.error.clone() {
                let note = FileNote { source: file.source.clone(), reason };
                if file.not_activity {
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
            for (a, outcome) in next.by_ref().take(count) {
                let (existing, why) = match outcome {
                    AddOutcome::Added { id } => {
                        if let Some(f) = labelled.by_key.remove(&a.source.content_hash) {
                            labelled.by_id.insert(id, f);
                        }
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
                        if let Some(why) = keep_richest(store, existing, &a)? {
                            labelled.by_id.remove(&existing);
                            file.replaced.push(existing);
                            summary.replaced_count += 1;
                            if summary.replaced.len() < MAX_LISTED {
                                summary.replaced.push(ReplacedNote { source: file.source.clone(), existing, why });
                            }
                            continue;
                        }
                        (existing, "same recording (overlapping time, same track), and the stored copy is as good")
                    }
                };
                file.duplicates.push(existing);
                summary.duplicate_count += 1;
                if summary.duplicates.len() < MAX_LISTED {
                    summary.duplicates.push(DuplicateNote { source: file.source.clone(), existing, why });
                }
            }
            on_event(ImportEvent::File(&file, progress, summary));
        }
        self.samples = 0;
        labelled.by_key.clear();
        Ok(())
    }
}

impl FileResult {
    fn new(source: String) -> FileResult {
        FileResult {
            source,
            added: vec![],
            salvaged: 0,
            duplicates: vec![],
            replaced: vec![],
            error: None,
            not_activity: false,
        }
    }
}

/// When `a` is a better copy of the stored activity `existing` (see [`Richness::better_than`]: intact over
/// damaged, longer, FIT over TCX over GPX, more kinds of values, more samples), replaces it keeping the run's number,
/// context and pain links, and says why. `None` keeps the stored copy.
fn keep_richest(store: &dyn Store, existing: i64, a: &Activity) -> Result<Option<String>> {
    let Some(stored) = store.activity(existing)? else { return Ok(None) };
    let Some(why) = Richness::of(a).better_than(&Richness::of(&stored.activity)) else { return Ok(None) };
    let c = classify_with_history(store, a)?;
    Ok(store.replace_activity(existing, a, c.as_ref())?.then_some(why))
}

/// Brings run labels up to date if any run was added or deleted since the last complete pass (see
/// [`Store::labels_stale_from`]): a pass that was killed half-way is finished here. Returns how many labels
/// changed.
pub fn settle_labels(store: &dyn Store) -> Result<usize> {
    settle_labels_with(store, &Labelled::default())
}

/// [`settle_labels`] for every athlete of a database, as a clinic server opens it: the pass marks are per athlete,
/// so a server killed during one athlete's import leaves that athlete's labels stale until this runs. One athlete's
/// failure (another writer holds the database) does not stop the others: the pass is derived state, and the next
/// open or that athlete's next import finishes it. Returns how many labels changed.
pub fn settle_every_athlete<D: Database>(db: &D) -> Result<usize> {
    let mut changed = 0;
    for athlete in db.athletes()? {
        if let Ok(store) = db.athlete(athlete.id) {
            changed += settle_labels(&store).unwrap_or(0);
        }
    }
    Ok(changed)
}

/// [`settle_labels`], skipping the runs this import labelled against the very history they have now.
fn settle_labels_with(store: &dyn Store, known: &Labelled) -> Result<usize> {
    let Some((from, generation)) = store.labels_stale_from()? else { return Ok(0) };
    let changed = reclassify(store, from, known)?;
    store.finish_label_pass(generation)?;
    Ok(changed)
}

/// Re-labels runs from `from` onwards in date order, each against the runs before it. Returns how many changed.
pub fn reclassify_from(store: &dyn Store, from: Timestamp) -> Result<usize> {
    reclassify(store, from, &Labelled::default())
}

fn reclassify(store: &dyn Store, from: Timestamp, known: &Labelled) -> Result<usize> {
    let rows = store.activities(&ActivityFilter { from: Some(from), ..Default::default() })?;
    // Every history the pass needs, read once: relabelling changes labels, never the summaries histories hold.
    let earliest = from.checked_sub(HISTORY).unwrap_or(Timestamp::MIN);
    let summaries = store.run_summaries(earliest, Timestamp::MAX)?;
    let mut changed = 0;
    for row in rows.iter().rev() {
        if !row.sport.is_run() {
            continue;
        }
        // A run labelled by this import against the history it still has would get the same label again: the
        // label depends only on the run and that history. Skipping it spares reading its samples back.
        if known.get(row.id) == Some(fingerprint(history_before(&summaries, row.start))) {
            continue;
        }
        let Some(stored) = store.activity(row.id)? else { continue };
        let c = classify::classify(&stored.activity, history_before(&summaries, stored.activity.start));
        if stored.classification.as_ref() != Some(&c) {
            store.set_classification(row.id, &c)?;
            changed += 1;
        }
    }
    Ok(changed)
}

/// The runs of `summaries` (oldest first) a run starting at `start` is compared with: those that started in the
/// [`HISTORY`] before it, on whole seconds as [`Store::run_summaries`] selects them.
fn history_before(summaries: &[RunSummary], start: Timestamp) -> &[RunSummary] {
    let lo = start.checked_sub(HISTORY).unwrap_or(Timestamp::MIN).as_second();
    let hi = start.as_second();
    let first = summaries.partition_point(|s| s.start.as_second() < lo);
    let end = summaries.partition_point(|s| s.start.as_second() < hi);
    &summaries[first..end.max(first)]
}

/// A digest of the history a run was labelled against, to tell later whether it is still the same.
fn fingerprint(history: &[RunSummary]) -> u64 {
    let mut h = std::hash::DefaultHasher::new();
    for s in history {
        (s.start.as_nanosecond(), s.distance_m.to_bits(), s.moving_s.to_bits()).hash(&mut h);
    }
    history.len().hash(&mut h);
    h.finish()
}

/// The history fingerprints of the runs an import stored, by id, so the label pass after it skips the runs whose
/// history did not change since (most of them when files come roughly in date order, as exports list them).
/// Bounded: past [`Labelled::MAX`] runs the rest are simply relabelled.
#[derive(Default)]
struct Labelled {
    by_id: HashMap<i64, u64>,
    /// Filled while a batch is labelled inside the store's transaction, before the ids are known.
    by_key: HashMap<String, u64>,
}

impl Labelled {
    const MAX: usize = 200_000;

    fn get(&self, id: i64) -> Option<u64> {
        self.by_id.get(&id).copied()
    }
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
