//! Watch files, folders and bulk exports into the journal: the loop shared by `runtall import`, the demo and the
//! web app's upload page.
//!
//! Decoding runs on worker threads inside `runtall-import`; this loop stores each activity in its own transaction
//! as results arrive, so a crash or kill leaves every stored run complete, and running the same import again
//! finishes the job without duplicates.

use crate::Result;
use jiff::{SignedDuration, Timestamp};
use runtall_domain::activity::Activity;
use runtall_domain::classify::{self, Classification};
use runtall_import::{ErrorKind, ImportOptions, Importer, Progress};
use runtall_store::{ActivityFilter, AddOutcome, Store};
use serde::Serialize;
use std::path::PathBuf;
use std::time::Instant;

/// How far back classification looks for the runner's own history (e.g. what "long" means for them).
const HISTORY: SignedDuration = SignedDuration::from_hours(24 * 7 * 8);

#[derive(Debug, Default, Clone, Serialize)]
pub struct ImportSummary {
    pub files: usize,
    pub imported: usize,
    pub salvaged: usize,
    pub duplicates: Vec<DuplicateNote>,
    pub not_activities: Vec<FileNote>,
    pub failed: Vec<FileNote>,
    pub skipped_files: usize,
    pub reclassified: usize,
    pub seconds: f64,
    pub activities_per_s: f64,
    pub mb_per_s: f64,
    pub imported_ids: Vec<i64>,
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

/// What became of one file (or archive entry): the line a per-file results list shows.
#[derive(Debug, Clone, Serialize)]
pub struct FileResult {
    pub source: String,
    /// Runs and other activities stored from this file (several for a multisport file).
    pub added: Vec<i64>,
    /// Of those, how many were read from a damaged file or had values dropped.
    pub salvaged: usize,
    /// Activities already in the journal: the run they match.
    pub duplicates: Vec<i64>,
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
    let started = Instant::now();
    let options = ImportOptions { workers, ..ImportOptions::default() };
    let plan = Importer::new(options).plan(paths);
    let mut summary =
        ImportSummary { files: plan.files(), skipped_files: plan.skipped().total(), ..Default::default() };

    let mut earliest_added: Option<Timestamp> = None;
    let mut running = plan.start();
    while let Some(job) = running.next() {
        let mut file = FileResult {
            source: job.source.clone(),
            added: vec![],
            salvaged: 0,
            duplicates: vec![],
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
                            if !a.warnings.is_empty() {
                                summary.salvaged += 1;
                                file.salvaged += 1;
                            }
                            earliest_added = Some(earliest_added.map_or(a.start, |e| e.min(a.start)));
                            continue;
                        }
                        AddOutcome::DuplicateFile { existing } => (existing, "same file"),
                        AddOutcome::DuplicateRun { existing } => {
                            (existing, "same run (start, sport and duration match)")
                        }
                    };
                    file.duplicates.push(existing);
                    summary.duplicates.push(DuplicateNote { source: job.source.clone(), existing, why });
                }
            }
            Err(e) => {
                let note = FileNote { source: job.source.clone(), reason: e.to_string() };
                file.error = Some(note.reason.clone());
                if e.kind() == ErrorKind::NotActivity {
                    file.not_activity = true;
                    summary.not_activities.push(note);
                } else {
                    summary.failed.push(note);
                }
            }
        }
        on_file(&file, &running.progress(), &summary);
    }
    let progress = running.progress();

    // Files arrive in any order; labels that depend on history ("long for this runner") are settled afterwards
    // in date order over the window the new runs can affect.
    if let Some(from) = earliest_added {
        summary.reclassified = reclassify_from(store, from)?;
    }
    summary.seconds = started.elapsed().as_secs_f64();
    summary.activities_per_s = progress.activities_per_s();
    summary.mb_per_s = progress.mb_per_s();
    Ok(summary)
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
