//! `runtall import PATH...`: watch files, folders and bulk exports into the journal, with progress and a summary.
//!
//! Decoding runs on worker threads inside `runtall-import`; this loop stores each activity in its own
//! transaction as results arrive, so a crash or kill leaves every stored run complete, and running the same
//! import again finishes the job without duplicates.

use super::Ctx;
use crate::args::ImportArgs;
use crate::error::{CliError, CliResult};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use jiff::{SignedDuration, Timestamp};
use runtall_domain::activity::Activity;
use runtall_domain::classify::{self, Classification};
use runtall_import::{ImportOptions, Importer};
use runtall_store::{AddOutcome, Store};
use serde::Serialize;
use std::io::IsTerminal;
use std::path::PathBuf;
use std::time::Instant;

/// How far back classification looks for the runner's own history (e.g. what "long" means for them).
const HISTORY: SignedDuration = SignedDuration::from_hours(24 * 7 * 8);

#[derive(Debug, Default, Serialize)]
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

#[derive(Debug, Serialize)]
pub struct FileNote {
    pub source: String,
    pub reason: String,
}

#[derive(Debug, Serialize)]
pub struct DuplicateNote {
    pub source: String,
    pub existing: i64,
    pub why: &'static str,
}

fn classify_with_history(store: &dyn Store, a: &Activity) -> CliResult<Option<Classification>> {
    if !a.sport.is_run() {
        return Ok(None);
    }
    let from = a.start.checked_sub(HISTORY).unwrap_or(Timestamp::MIN);
    let history = store.run_summaries(from, a.start)?;
    Ok(Some(classify::classify(a, &history)))
}

pub fn run(ctx: &Ctx, args: ImportArgs) -> CliResult {
    if args.paths.is_empty() {
        return Err(CliError::user("name at least one file, folder or export zip to import"));
    }
    let store = ctx.store()?;
    let show = !ctx.json && !args.quiet && std::io::stderr().is_terminal();
    let summary = import_paths(&store, &args.paths, args.workers.unwrap_or(0), show)?;
    if ctx.json {
        ctx.print_json(&summary)?;
    } else {
        print_summary(&summary);
    }
    if summary.imported == 0 && summary.duplicates.is_empty() && !summary.failed.is_empty() {
        return Err(CliError::user("nothing could be imported (reasons above)"));
    }
    Ok(())
}

/// Imports files, folders and archives into the store: the loop shared by `runtall import` and the demo.
pub fn import_paths(
    store: &dyn Store,
    paths: &[PathBuf],
    workers: usize,
    show_progress: bool,
) -> CliResult<ImportSummary> {
    let started = Instant::now();
    let options = ImportOptions { workers, ..ImportOptions::default() };
    let plan = Importer::new(options).plan(paths);
    let mut summary =
        ImportSummary { files: plan.files(), skipped_files: plan.skipped().total(), ..Default::default() };

    let bar = ProgressBar::with_draw_target(Some(plan.bytes().max(1)), ProgressDrawTarget::stderr());
    if show_progress {
        bar.set_style(
            ProgressStyle::with_template("{bar:30} {bytes}/{total_bytes} · {msg}")
                .unwrap_or_else(|_| ProgressStyle::default_bar()),
        );
    } else {
        bar.set_draw_target(ProgressDrawTarget::hidden());
    }

    let mut earliest_added: Option<Timestamp> = None;
    let mut running = plan.start();
    while let Some(job) = running.next() {
        match job.result {
            Ok(activities) => {
                for a in activities {
                    let c = classify_with_history(store, &a)?;
                    match store.add_activity(&a, c.as_ref())? {
                        AddOutcome::Added { id } => {
                            summary.imported += 1;
                            summary.imported_ids.push(id);
                            if !a.warnings.is_empty() {
                                summary.salvaged += 1;
                            }
                            earliest_added = Some(earliest_added.map_or(a.start, |e| e.min(a.start)));
                        }
                        AddOutcome::DuplicateFile { existing } => summary.duplicates.push(DuplicateNote {
                            source: job.source.clone(),
                            existing,
                            why: "same file",
                        }),
                        AddOutcome::DuplicateRun { existing } => summary.duplicates.push(DuplicateNote {
                            source: job.source.clone(),
                            existing,
                            why: "same run (start, sport and duration match)",
                        }),
                    }
                }
            }
            Err(e) => {
                let note = FileNote { source: job.source.clone(), reason: e.to_string() };
                if e.kind() == runtall_import::ErrorKind::NotActivity {
                    summary.not_activities.push(note);
                } else {
                    summary.failed.push(note);
                }
            }
        }
        let p = running.progress();
        bar.set_position(p.input_bytes_done);
        bar.set_message(format!(
            "{}/{} files · {} activities · {:.0}/s",
            p.files_done,
            p.files_total,
            summary.imported,
            p.activities_per_s()
        ));
    }
    bar.finish_and_clear();
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
pub fn reclassify_from(store: &dyn Store, from: Timestamp) -> CliResult<usize> {
    let rows = store.activities(&runtall_store::ActivityFilter { from: Some(from), ..Default::default() })?;
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

pub fn print_summary(s: &ImportSummary) {
    println!(
        "Imported {} activit{} from {} file(s) in {:.1} s ({:.0} activities/s, {:.1} MB/s).",
        s.imported,
        if s.imported == 1 { "y" } else { "ies" },
        s.files,
        s.seconds,
        s.activities_per_s,
        s.mb_per_s
    );
    if s.salvaged > 0 {
        println!("  {} salvaged from damaged files (see `runtall runs show ID` for what was read).", s.salvaged);
    }
    if !s.duplicates.is_empty() {
        println!("  {} already in the journal, skipped:", s.duplicates.len());
        for d in s.duplicates.iter().take(10) {
            println!("    {} — {} as run #{}", d.source, d.why, d.existing);
        }
        if s.duplicates.len() > 10 {
            println!("    … and {} more", s.duplicates.len() - 10);
        }
    }
    if !s.not_activities.is_empty() {
        println!("  {} not activities, left out:", s.not_activities.len());
        for n in &s.not_activities {
            println!("    {} — {}", n.source, n.reason);
        }
    }
    if !s.failed.is_empty() {
        println!("  {} could not be read:", s.failed.len());
        for n in &s.failed {
            println!("    {} — {}", n.source, n.reason);
        }
    }
    if s.skipped_files > 0 {
        println!("  {} other file(s) in the folders were not watch files and were skipped.", s.skipped_files);
    }
    if s.imported > 0 {
        println!("See them: `runtall runs`.");
    }
}
