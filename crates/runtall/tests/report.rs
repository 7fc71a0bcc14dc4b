//! `runtall report` end to end: the PDF of the demo season read back with poppler's `pdftotext` and `pdfinfo`
//! (installed by `.ci/run`) must carry every section and the journal's own figures, on one or two tagged pages;
//! a level-A journal and a journal without runs still give a report that says so; bad options name the flag.

use std::path::Path;
use std::process::{Command, Output};

const BIN: &str = env!("CARGO_BIN_EXE_runtall");

fn runtall(db: &Path, args: &[&str]) -> Output {
    Command::new(BIN).arg("--db").arg(db).args(args).env_remove("RUNTALL_DB").output().expect("run runtall")
}

fn ok(o: Output) -> String {
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// The text of a PDF, or None (with a note) when poppler-utils is missing outside CI.
fn pdf_text(pdf: &Path, args: &[&str]) -> Option<String> {
    let tool = args.first().copied().unwrap_or("pdftotext");
    match Command::new(tool).args(&args[1..]).arg(pdf).arg("-").output() {
        Ok(o) if o.status.success() => Some(String::from_utf8_lossy(&o.stdout).into_owned()),
        Ok(o) => panic!("{tool} failed: {}", String::from_utf8_lossy(&o.stderr)),
        Err(e) => {
            assert!(std::env::var_os("CI").is_none(), "{tool} is needed in CI (.ci/run installs poppler-utils): {e}");
            eprintln!("skipped: {tool} not installed (apt-get install poppler-utils)");
            None
        }
    }
}

fn pdfinfo(pdf: &Path) -> Option<String> {
    match Command::new("pdfinfo").arg(pdf).output() {
        Ok(o) => Some(String::from_utf8_lossy(&o.stdout).into_owned()),
        Err(_) => None,
    }
}

/// pdftotext breaks lines where the PDF does; compare on single spaces.
fn squash(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[test]
fn the_demo_report_pdf_has_every_section_and_the_journals_figures() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("demo.db");
    ok(runtall(&db, &["demo"]));
    let pdf = dir.path().join("report.pdf");
    let said = ok(runtall(&db, &["report", "-o", pdf.to_str().expect("path"), "--note", "Worse on downhill trails."]));
    assert!(said.contains("Wrote ") && said.contains("not a diagnosis"), "{said}");
    let bytes = std::fs::read(&pdf).expect("pdf written");
    assert!(bytes.starts_with(b"%PDF-"), "a PDF");
    let data: serde_json::Value = serde_json::from_str(&ok(runtall(&db, &["--json", "report"]))).expect("json");

    let Some(text) = pdf_text(&pdf, &["pdftotext"]) else { return };
    let flat = squash(&text);
    for heading in [
        "Report for a physical therapist",
        "Safety screen",
        "The complaint",
        "Outcome measures",
        "Training load and pain",
        "What goes with pain after runs",
        "Self-experiments",
        "The program",
        "The runner's notes",
        "About this report",
    ] {
        assert!(flat.contains(heading), "missing section {heading}");
    }
    // Figures from the journal, as the data says them.
    let name = data["who"]["name"].as_str().expect("name");
    assert!(flat.contains(name), "{name}");
    let runs = data["load"]["runs"].as_u64().expect("runs");
    assert!(runs > 20, "the demo season has runs");
    assert!(flat.contains(&format!("{runs} runs over")), "load sentence with {runs} runs");
    let pain = data["outcomes"]["pain"]["sentence"].as_str().expect("pain sentence");
    assert!(flat.contains(&squash(pain)), "{pain}");
    let psfs = &data["outcomes"]["psfs"];
    for row in psfs["rows"].as_array().expect("rows") {
        assert!(flat.contains(row["activity"].as_str().expect("activity")));
    }
    let first_mean = psfs["means"][0].as_f64().expect("mean");
    assert!(flat.contains(&format!("{first_mean:.1}")), "PSFS mean {first_mean:.1}");
    let factor = &data["factors"]["lines"][0];
    assert!(flat.contains(factor["label"].as_str().expect("label")));
    let experiment = data["experiments"][0]["verdict"].as_str().expect("the demo's experiment");
    assert!(flat.contains(&squash(experiment)), "{experiment}");
    assert!(
        flat.contains(
            data["program"]["adherence_sentence"].as_str().expect("adherence").split(" (").next().unwrap_or("")
        )
    );
    assert!(flat.contains("“Worse on downhill trails.”"), "the runner's note");
    assert!(flat.contains("not a diagnosis"));
    // Words the report must never use about the runner.
    for word in ["diagnosed with", "you have ", "causes your pain"] {
        assert!(!flat.to_lowercase().contains(word), "{word}");
    }

    let info = pdfinfo(&pdf).expect("pdfinfo");
    let pages: u32 =
        info.lines().find_map(|l| l.strip_prefix("Pages:").map(|p| p.trim().parse().unwrap_or(0))).expect("pages");
    assert!((1..=2).contains(&pages), "{pages} pages");
    assert!(info.contains("Tagged:") && info.lines().any(|l| l.starts_with("Tagged:") && l.contains("yes")), "{info}");
    assert!(info.contains("A4"), "the demo runner has no country: A4\n{info}");

    // The same report as HTML, from the same data.
    let html = dir.path().join("report.html");
    ok(runtall(&db, &["report", "-o", html.to_str().expect("path"), "--initials"]));
    let page = std::fs::read_to_string(&html).expect("html");
    assert!(page.starts_with("<!DOCTYPE html>"));
    assert!(page.contains("Training load and pain") && page.contains("<svg"), "charts inline");
    assert!(!page.contains(&format!("<strong>{name}</strong>")), "initials only");
}

#[test]
fn a_level_a_screen_and_no_runs_still_give_a_report_that_says_so() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("a.db");
    ok(runtall(&db, &["profile", "--name", "Ana Example", "--country", "US"]));
    let answers = dir.path().join("a.toml");
    std::fs::write(&answers, "yes = [\"chest-pain-during-or-after-run\"]\nothers = \"no\"\n").expect("write");
    ok(runtall(&db, &["screen", "--answers", answers.to_str().expect("path")]));
    let pdf = dir.path().join("a.pdf");
    ok(runtall(&db, &["report", "-o", pdf.to_str().expect("path")]));
    let Some(text) = pdf_text(&pdf, &["pdftotext"]) else { return };
    let flat = squash(&text);
    assert!(flat.contains("A — Emergency: get help now"), "the level-A screen is listed");
    assert!(flat.contains("Emergency-level answer"), "the gate's headline");
    assert!(flat.contains("Nothing recorded"), "empty sections say so");
    assert!(flat.contains("No runs and no pain ratings in this period"));
    let info = pdfinfo(&pdf).expect("pdfinfo");
    assert!(info.contains("letter"), "US paper\n{info}");
}

#[test]
fn bad_report_options_name_the_flag_and_write_nothing() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("e.db");
    let out = dir.path().join("x.pdf");
    let o = out.to_str().expect("path");
    for (args, expect) in [
        (vec!["report", "--from", "2026-13-01", "-o", o], "--from: '2026-13-01' is not a date"),
        (vec!["report", "--from", "2026-06-01", "--to", "2026-05-01", "-o", o], "--from: 2026-06-01 is after"),
        (vec!["report", "--to", "2999-01-01", "-o", o], "--to: 2999-01-01 is in the future"),
        (vec!["report", "--from", "2000-01-01", "-o", o], "at most 104 weeks"),
        (vec!["report", "-o", "report.docx"], ".pdf or .html"),
    ] {
        let r = runtall(&db, &args);
        assert_eq!(r.status.code(), Some(1), "{args:?}");
        let err = String::from_utf8_lossy(&r.stderr);
        assert!(err.contains(expect), "{args:?}: {err}");
    }
    assert!(!out.exists());
}
