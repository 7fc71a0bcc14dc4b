//! `runtall import PATH...`: watch files, folders and bulk exports into the journal, with progress and a summary.
//!
//! Decoding runs on worker threads inside `runtall-import`; `runtall_app::import` stores the results as they
//! arrive, a batch per transaction, so a crash or kill leaves every stored run complete, and running the same
//! import again finishes the job without duplicates.

use super::Ctx;
use crate::args::ImportArgs;
use crate::error::{CliError, CliResult};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
pub use runtall_app::import::ImportSummary;
use runtall_app::import::{ImportEvent, ImportOutcome, ImportSettings};
use runtall_store::Store;
use std::io::IsTerminal;
use std::path::PathBuf;

/// Lines of each per-file list the summary prints (the rest are counted; `--json` lists up to
/// `runtall_app::import::MAX_LISTED`).
const SHOWN: usize = 20;

/// Exit codes (docs/reliability.md): 0 every file imported or already in the journal; 3 some imported or already
/// there and others refused, not activities or unreadable; 1 nothing imported (or a database problem such as a
/// full disk, with what was kept and how to continue).
pub fn run(ctx: &Ctx, mut args: ImportArgs) -> CliResult {
    if let Some(dir) = args.watch.take() {
        let dir = match (dir, args.device) {
            (Some(dir), _) => dir,
            (None, true) => super::watch::device_activity_dir()?,
            (None, false) => return Err(CliError::user("--watch needs a folder (or --device for a mounted watch)")),
        };
        let store = ctx.store()?;
        return super::watch::watch(&store, &dir);
    }
    if args.device {
        let dir = super::watch::device_activity_dir()?;
        if !ctx.json && !args.quiet {
            println!("Importing from {}", dir.display());
        }
        args.paths.push(dir);
    }
    if args.paths.is_empty() {
        return Err(CliError::user("name at least one file, folder or export zip to import"));
    }
    let store = ctx.store()?;
    let show = !ctx.json && !args.quiet && std::io::stderr().is_terminal();
    let summary = import_paths(&store, &args.paths, args.workers.unwrap_or(0), show)?;
    if ctx.json {
        ctx.print_json(&summary)?;
    } else if args.quiet {
        println!("{}", headline(&summary));
    } else {
        print_summary(&summary);
    }
    match summary.outcome() {
        ImportOutcome::AllImported => Ok(()),
        ImportOutcome::SomeRefused => Err(CliError::Partial(format!(
            "{} of the files were not imported (reasons above); the rest are stored",
            summary.failed_count + summary.not_activity_count
        ))),
        ImportOutcome::NothingImported if summary.files == 0 => {
            Err(CliError::user("no watch files (FIT, GPX, TCX, gz or zip) were found there; nothing was imported"))
        }
        ImportOutcome::NothingImported => Err(CliError::user("nothing could be imported (reasons above)")),
    }
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
    let settings = ImportSettings { workers, ..ImportSettings::default() };
    let summary = runtall_app::import::import_paths_with(store, paths, &settings, |event| {
        let (p, s) = match event {
            ImportEvent::File(_, p, s) | ImportEvent::Tick(p, s) => (p, s),
        };
        bar.set_length(p.input_bytes_total.max(1));
        bar.set_position(p.input_bytes_done);
        let inside = if p.partial_bytes_total >= 8_000_000 {
            format!(
                " · reading {:.0} of {:.0} MB",
                p.partial_bytes_done as f64 / 1e6,
                p.partial_bytes_total as f64 / 1e6
            )
        } else {
            String::new()
        };
        bar.set_message(format!(
            "{}/{} files · {} activities · {:.0}/s{inside}",
            p.files_done,
            p.files_total,
            s.imported,
            p.activities_per_s()
        ));
    });
    bar.finish_and_clear();
    Ok(summary?)
}

/// The one line `--quiet` prints.
fn headline(s: &ImportSummary) -> String {
    let mut parts = vec![format!("{} imported", s.imported)];
    if s.replaced_count > 0 {
        parts.push(format!("{} replaced a worse copy", s.replaced_count));
    }
    if s.duplicate_count > 0 {
        parts.push(format!("{} already in the journal", s.duplicate_count));
    }
    if s.not_activity_count > 0 {
        parts.push(format!("{} not activities", s.not_activity_count));
    }
    if s.failed_count > 0 {
        parts.push(format!("{} could not be read or were refused", s.failed_count));
    }
    format!("{} of {} file(s).", parts.join(", "), s.files)
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
    if s.replaced_count > 0 {
        println!(
            "  {} replaced a worse copy of the same run (the run keeps its number, context and pain notes):",
            s.replaced_count
        );
        for r in s.replaced.iter().take(10) {
            println!("    {} — replaces run #{}: {}", r.source, r.existing, r.why);
        }
        if s.replaced_count > 10 {
            println!("    … and {} more", s.replaced_count - 10);
        }
    }
    if s.duplicate_count > 0 {
        println!("  {} already in the journal, skipped:", s.duplicate_count);
        for d in s.duplicates.iter().take(10) {
            println!("    {} — {} as run #{}", d.source, d.why, d.existing);
        }
        if s.duplicate_count > 10 {
            println!("    … and {} more", s.duplicate_count - 10);
        }
    }
    if s.not_activity_count > 0 {
        println!("  {} not activities, left out:", s.not_activity_count);
        for n in s.not_activities.iter().take(SHOWN) {
            println!("    {} — {}", n.source, n.reason);
        }
        if s.not_activity_count > SHOWN {
            println!("    … and {} more (`--json` lists them)", s.not_activity_count - SHOWN);
        }
    }
    if s.failed_count > 0 {
        println!("  {} could not be read or were refused:", s.failed_count);
        for n in s.failed.iter().take(SHOWN) {
            println!("    {} — {}", n.source, n.reason);
        }
        if s.failed_count > SHOWN {
            println!("    … and {} more (`--json` lists them)", s.failed_count - SHOWN);
        }
    }
    if s.skipped_files > 0 {
        println!("  {} other file(s) in the folders were not watch files and were skipped.", s.skipped_files);
    }
    if s.skipped_not_regular > 0 {
        println!(
            "  {} of those were named pipes, sockets or devices, which are never read (they could block).",
            s.skipped_not_regular
        );
    }
    if s.imported > 0 {
        println!("See them: `runtall runs`.");
    }
}
