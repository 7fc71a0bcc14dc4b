//! `runtall import PATH...`: watch files, folders and bulk exports into the journal, with progress and a summary.
//!
//! Decoding runs on worker threads inside `runtall-import`; this loop stores each activity in its own
//! transaction as results arrive, so a crash or kill leaves every stored run complete, and running the same
//! import again finishes the job without duplicates.

use super::Ctx;
use crate::args::ImportArgs;
use crate::error::{CliError, CliResult};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
pub use runtall_app::import::ImportSummary;
use runtall_store::Store;
use std::io::IsTerminal;
use std::path::PathBuf;

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

/// Imports files, folders and archives into the store, with a progress bar on stderr when `show_progress`.
pub fn import_paths(
    store: &dyn Store,
    paths: &[PathBuf],
    workers: usize,
    show_progress: bool,
) -> CliResult<ImportSummary> {
    let bar = ProgressBar::with_draw_target(Some(1), ProgressDrawTarget::stderr());
    if show_progress {
        bar.set_style(
            ProgressStyle::with_template("{bar:30} {bytes}/{total_bytes} · {msg}")
                .unwrap_or_else(|_| ProgressStyle::default_bar()),
        );
    } else {
        bar.set_draw_target(ProgressDrawTarget::hidden());
    }
    let summary = runtall_app::import::import_paths(store, paths, workers, |_, p, s| {
        bar.set_length(p.input_bytes_total.max(1));
        bar.set_position(p.input_bytes_done);
        bar.set_message(format!(
            "{}/{} files · {} activities · {:.0}/s",
            p.files_done,
            p.files_total,
            s.imported,
            p.activities_per_s()
        ));
    });
    bar.finish_and_clear();
    Ok(summary?)
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
