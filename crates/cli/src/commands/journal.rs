//! `runtall journal export|import`: the runner's data in open formats (docs/journal-format.md).

use super::Ctx;
use crate::args::{JournalArgs, JournalCommand};
use crate::error::{CliError, CliResult};
use jiff::Timestamp;
use runtall_domain::journal_format;
use runtall_domain::text::count;
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
    let journal = runtall_app::journal_file::export(&store)?;
    let others = journal.records().count() - journal.runs.len() - journal.pain.len() - journal.days.len();
    let counts = format!(
        "{}, {}, {}",
        count(journal.runs.len() as u64, "run", "runs"),
        count(journal.pain.len() as u64, "pain report", "pain reports"),
        count(journal.days.len() as u64, "day", "days")
    );
    if format == "csv" {
        let dir = out.ok_or_else(|| CliError::user("CSV export writes three files: pass --out FOLDER"))?;
        std::fs::create_dir_all(dir).map_err(|e| CliError::user(format!("cannot create {}: {e}", dir.display())))?;
        let (runs, pain, days) = journal_format::to_csv(&journal);
        for (name, text) in CSV_FILES.iter().zip([runs, pain, days]) {
            let path = dir.join(name);
            std::fs::write(&path, text).map_err(|e| CliError::user(format!("cannot write {}: {e}", path.display())))?;
        }
        eprintln!("Exported {counts} to {}.", dir.display());
        if others > 0 {
            eprintln!(
                "The CSV files hold runs, pain and days only; {} (screens, assessments, plans, sessions, \
                 experiments, posture checks, lessons) are in the JSON Lines export.",
                count(others as u64, "other record", "other records")
            );
        }
        return Ok(());
    }
    let text = journal_format::to_jsonl(&journal);
    match out {
        Some(path) => {
            std::fs::write(path, text).map_err(|e| CliError::user(format!("cannot write {}: {e}", path.display())))?;
            let others = count(others as u64, "other record", "other records");
            eprintln!("Exported {counts} and {others} to {}.", path.display());
        }
        None => print!("{text}"),
    }
    Ok(())
}

/// Streams the journal into the store: one transaction, rolled back at the first bad line, and memory that does
/// not grow with the file.
fn import(ctx: &Ctx, path: &Path) -> CliResult {
    let now = Timestamp::now();
    let store = ctx.store()?;
    let open = |p: &Path| -> CliResult<Box<dyn std::io::BufRead>> {
        let f = std::fs::File::open(p).map_err(|e| CliError::user(format!("cannot read {}: {e}", p.display())))?;
        Ok(Box::new(std::io::BufReader::new(f)))
    };
    let stats = if path.is_dir() {
        let mut files = Vec::new();
        for name in CSV_FILES {
            let p = path.join(name);
            let shown = p.display().to_string();
            files.push(if p.exists() { Some((shown, open(&p)?)) } else { None });
        }
        if files.iter().all(Option::is_none) {
            return Err(CliError::user(format!("{} holds none of runs.csv, pain.csv, days.csv", path.display())));
        }
        let mut it = files.into_iter();
        let mut next = || it.next().flatten();
        let (runs, pain, days) = (next(), next(), next());
        let mut reader = journal_format::CsvReader::new(runs, pain, days, now);
        runtall_app::journal_file::import_records(&store, &mut reader)?
    } else {
        let mut reader = journal_format::JsonlReader::new(&path.display().to_string(), open(path)?, now);
        runtall_app::journal_file::import_records(&store, &mut reader)?
    };
    if ctx.json {
        return ctx.print_json(&stats);
    }
    println!(
        "Imported: {} new, {} matched stored runs; {} ({} already there); {}; {} ({} already there).",
        count(stats.runs_added as u64, "run", "runs"),
        stats.runs_matched,
        count(stats.pain_added as u64, "pain report", "pain reports"),
        stats.pain_duplicates,
        count(stats.days as u64, "day", "days"),
        count(stats.others_added as u64, "other record", "other records"),
        stats.others_matched,
    );
    Ok(())
}
