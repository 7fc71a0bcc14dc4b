//! `runtall journal export|import`: the runner's data in open formats (docs/journal-format.md).

use super::{Ctx, read_input};
use crate::args::{JournalArgs, JournalCommand};
use crate::error::{CliError, CliResult};
use jiff::Timestamp;
use runtall_domain::journal_format::{self, Journal};
use runtall_store::Store;
use std::path::Path;

const CSV_FILES: [&str; 3] = ["runs.csv", "pain.csv", "days.csv"];

pub fn run(ctx: &Ctx, args: JournalArgs) -> CliResult {
    match args.command {
        JournalCommand::Export { format, out } => export(ctx, &format, out.as_deref()),
        JournalCommand::Import { path } => import(ctx, &path),
    }
}

fn export(ctx: &Ctx, format: &str, out: Option<&Path>) -> CliResult {
    let store = ctx.store()?;
    let journal = store.export_journal()?;
    let counts =
        format!("{} runs, {} pain reports, {} days", journal.runs.len(), journal.pain.len(), journal.days.len());
    if format == "csv" {
        let dir = out.ok_or_else(|| CliError::user("CSV export writes three files: pass --out FOLDER"))?;
        std::fs::create_dir_all(dir).map_err(|e| CliError::user(format!("cannot create {}: {e}", dir.display())))?;
        let (runs, pain, days) = journal_format::to_csv(&journal);
        for (name, text) in CSV_FILES.iter().zip([runs, pain, days]) {
            let path = dir.join(name);
            std::fs::write(&path, text).map_err(|e| CliError::user(format!("cannot write {}: {e}", path.display())))?;
        }
        eprintln!("Exported {counts} to {}.", dir.display());
        return Ok(());
    }
    let text = journal_format::to_jsonl(&journal);
    match out {
        Some(path) => {
            std::fs::write(path, text).map_err(|e| CliError::user(format!("cannot write {}: {e}", path.display())))?;
            eprintln!("Exported {counts} to {}.", path.display());
        }
        None => print!("{text}"),
    }
    Ok(())
}

fn import(ctx: &Ctx, path: &Path) -> CliResult {
    let now = Timestamp::now();
    let journal: Journal = if path.is_dir() {
        let read = |name: &str| -> CliResult<String> {
            let p = path.join(name);
            if p.exists() { read_input(&p) } else { Ok(String::new()) }
        };
        let (runs, pain, days) = (read(CSV_FILES[0])?, read(CSV_FILES[1])?, read(CSV_FILES[2])?);
        if runs.is_empty() && pain.is_empty() && days.is_empty() {
            return Err(CliError::user(format!("{} holds none of runs.csv, pain.csv, days.csv", path.display())));
        }
        let shown = |name: &str| path.join(name).display().to_string();
        journal_format::from_csv(
            (&shown(CSV_FILES[0]), &runs),
            (&shown(CSV_FILES[1]), &pain),
            (&shown(CSV_FILES[2]), &days),
            now,
        )
        .map_err(|e| CliError::user(format!("{e}; nothing was imported")))?
    } else {
        let text = read_input(path)?;
        journal_format::from_jsonl(&path.display().to_string(), &text, now)
            .map_err(|e| CliError::user(format!("{e}; nothing was imported")))?
    };
    let store = ctx.store()?;
    let stats = store.import_journal(&journal)?;
    if ctx.json {
        return ctx.print_json(&stats);
    }
    println!(
        "Imported: {} runs new, {} matched stored runs; {} pain reports ({} already there); {} days.",
        stats.runs_added, stats.runs_matched, stats.pain_added, stats.pain_duplicates, stats.days
    );
    Ok(())
}
