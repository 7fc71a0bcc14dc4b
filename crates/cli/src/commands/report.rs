//! `runtall report`: the report to bring to a physical therapist, written as PDF (`runtall-report`) or as the same
//! HTML page the web app shows (`runtall_web::report_page`), from `runtall_app::pt_report`'s data. `--json` prints
//! the data itself.

use super::Ctx;
use crate::args::ReportArgs;
use crate::error::{CliError, CliResult};
use jiff::Timestamp;
use jiff::civil::Date;
use jiff::tz::TimeZone;
use runtall_app::pt_report::{ReportOptions, gather};
use std::path::{Path, PathBuf};

fn date(flag: &str, s: Option<&str>) -> CliResult<Option<Date>> {
    s.map(|s| s.parse::<Date>().map_err(|_| CliError::user(format!("{flag}: '{s}' is not a date like 2026-05-31"))))
        .transpose()
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Format {
    Pdf,
    Html,
}

fn format_of(path: &Path) -> CliResult<Format> {
    match path.extension().and_then(|e| e.to_str()).map(str::to_ascii_lowercase).as_deref() {
        Some("pdf") => Ok(Format::Pdf),
        Some("html" | "htm") => Ok(Format::Html),
        _ => Err(CliError::user(format!("-o {}: choose a file name ending in .pdf or .html", path.display()))),
    }
}

/// The app names its options `from`, `to`, `note`; here they are flags.
fn flagged(e: runtall_app::AppError) -> CliError {
    match CliError::from(e) {
        CliError::User(m) => {
            let m =
                ["from:", "to:", "note:"].iter().find(|p| m.starts_with(*p)).map_or(m.clone(), |_| format!("--{m}"));
            CliError::User(m)
        }
        other => other,
    }
}

pub fn run(ctx: &Ctx, args: ReportArgs) -> CliResult {
    let today = Timestamp::now().to_zoned(TimeZone::system()).date();
    let options = ReportOptions {
        from: date("--from", args.from.as_deref())?,
        to: date("--to", args.to.as_deref())?,
        initials_only: args.initials,
        notes: args.note,
        pain_notes: args.pain_notes,
    };
    let out = args.out.unwrap_or_else(|| PathBuf::from(format!("runtall-report-{today}.pdf")));
    let format = format_of(&out)?;
    let store = ctx.store()?;
    let data = gather(&store, &options, today, &TimeZone::system()).map_err(flagged)?;
    if ctx.json {
        return ctx.print_json(&data);
    }
    let bytes = match format {
        Format::Pdf => runtall_report::pdf(&data).map_err(|e| CliError::Internal(e.into()))?,
        Format::Html => runtall_web::report_page::document(&data).into_bytes(),
    };
    std::fs::write(&out, &bytes).map_err(|e| CliError::user(format!("-o {}: cannot write it: {e}", out.display())))?;
    println!(
        "Wrote {} ({}, {} – {}, {} KB).",
        out.display(),
        match format {
            Format::Pdf => "PDF",
            Format::Html => "HTML",
        },
        data.who.from,
        data.who.to,
        bytes.len().div_ceil(1024)
    );
    println!("Wellness guidance from your own journal, not a diagnosis: bring it to your physical therapist.");
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_format_follows_the_file_name() {
        assert_eq!(format_of(Path::new("r.PDF")).unwrap(), Format::Pdf);
        assert_eq!(format_of(Path::new("x/report.htm")).unwrap(), Format::Html);
        let e = format_of(Path::new("report.docx")).unwrap_err().to_string();
        assert!(e.contains(".pdf or .html"), "{e}");
    }

    #[test]
    fn app_errors_name_the_flag() {
        let e = flagged(runtall_app::AppError::State("from: 2027-01-01 is after the end".into())).to_string();
        assert_eq!(e, "--from: 2027-01-01 is after the end");
        let e = flagged(runtall_app::AppError::State("no assessment".into())).to_string();
        assert_eq!(e, "no assessment");
    }
}
