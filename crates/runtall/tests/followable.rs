//! A plan a runner follows, from the command line: exercise drawings, breathing sessions, reminders, and the rough
//! edges found trying it as a new user (80 columns, JSON errors, wording).

use std::path::Path;
use std::process::{Command, Output};

const BIN: &str = env!("CARGO_BIN_EXE_runtall");

fn runtall(db: &Path, args: &[&str]) -> Output {
    Command::new(BIN)
        .arg("--db")
        .arg(db)
        .args(args)
        .env_remove("RUNTALL_DB")
        .env("COLUMNS", "80")
        .output()
        .expect("run runtall")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[test]
fn an_exercise_shows_its_drawing_and_what_to_feel_and_writes_the_svg() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("r.db");
    let out = runtall(&db, &["exercises", "prone-y"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.chars().filter(|c| ('\u{2801}'..='\u{28ff}').contains(c)).count() > 20, "a braille drawing: {text}");
    assert!(text.contains("What you should feel:"), "{text}");
    assert!(text.contains("shoulder blades"), "{text}");
    let svg = dir.path().join("y.svg");
    let out = runtall(&db, &["exercises", "prone-y", "--svg", svg.to_str().expect("path")]);
    assert!(out.status.success(), "{}", stderr(&out));
    let written = std::fs::read_to_string(&svg).expect("svg written");
    assert!(written.starts_with("<svg") && written.contains("Prone Y raise"), "{written}");
    let out = runtall(&db, &["exercises", "--svg", "x.svg"]);
    assert!(!out.status.success(), "--svg needs an exercise");
}

fn screened(dir: &Path) -> std::path::PathBuf {
    let db = dir.join("r.db");
    let clear = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/screen-clear.toml");
    let out = runtall(&db, &["screen", "--answers", clear.to_str().expect("path")]);
    assert!(out.status.success(), "{}", stderr(&out));
    db
}

#[test]
fn breathe_lists_its_patterns_checks_its_options_and_needs_a_terminal() {
    let dir = tempfile::tempdir().expect("tempdir");
    let fresh = dir.path().join("fresh.db");
    let out = runtall(&fresh, &["breathe", "box"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("screen"), "the red-flag screen comes first: {}", stderr(&out));

    let db = screened(dir.path());
    let out = runtall(&db, &["breathe", "--list"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.contains("box") && text.contains("in 4 s · hold 4 s · out 4 s · pause 4 s"), "{text}");
    assert!(text.lines().all(|l| l.chars().count() <= 80), "fits 80 columns:\n{text}");
    let out = runtall(&db, &["--json", "breathe", "--list"]);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(v.as_array().map(Vec::len), Some(5));

    let out = runtall(&db, &["breathe", "box", "--minutes", "45"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("45 minutes is out of range (allowed 1–30)"), "{}", stderr(&out));
    let out = runtall(&db, &["breathe", "wim-hof"]);
    assert!(stderr(&out).contains("unknown breathing pattern 'wim-hof'"), "{}", stderr(&out));
    // Not a terminal here: refused before anything is stored.
    let out = runtall(&db, &["breathe", "box", "--minutes", "1"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("interactive terminal"), "{}", stderr(&out));
}

#[test]
fn a_mistyped_db_folder_is_an_error_and_creates_nothing() {
    let dir = tempfile::tempdir().expect("tempdir");
    let missing = dir.path().join("no-such-dir").join("deeper");
    let db = missing.join("x.db");
    let clear = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/screen-clear.toml");
    let out = runtall(&db, &["screen", "--answers", clear.to_str().expect("path")]);
    assert!(!out.status.success(), "{}", stdout(&out));
    let err = stderr(&out);
    assert!(err.contains("does not exist") && err.contains("no-such-dir"), "{err}");
    assert!(!dir.path().join("no-such-dir").exists(), "no folders were created");
    // A folder that exists is fine: the database file itself is created there.
    let ok = runtall(&dir.path().join("r.db"), &["exercises"]);
    assert!(ok.status.success(), "{}", stderr(&ok));
}

#[test]
fn errors_under_json_are_json() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("r.db");
    let out = runtall(&db, &["--json", "learn", "9999"]);
    assert_eq!(out.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_str(stdout(&out).trim()).expect("JSON on stdout");
    assert_eq!(v["error"]["kind"], "user");
    assert_eq!(v["error"]["exit_code"], 1);
    assert!(v["error"]["message"].as_str().is_some_and(|m| m.contains("9999")), "{v}");
    assert!(stderr(&out).contains("9999"), "the message still goes to stderr");
    assert!(stderr(&out).contains("no lesson '9999': lessons are numbered 1 to"), "{}", stderr(&out));
    // A usage error too.
    let out = runtall(&db, &["--json", "runs", "--no-such-flag"]);
    assert_eq!(out.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_str(stdout(&out).trim()).expect("JSON on stdout");
    assert_eq!(v["error"]["kind"], "usage");
    assert!(v["error"]["message"].as_str().is_some_and(|m| m.contains("--no-such-flag")), "{v}");
}

#[test]
fn an_assessment_before_the_safety_check_points_to_the_check_first() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("r.db");
    let answers = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/assessment.toml");
    let out = runtall(&db, &["assess", "--answers", answers.to_str().expect("path")]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.contains("Next: the safety check, `runtall screen`, then `runtall plan`."), "{text}");
    // And the plan does need it, so the advice is the step that works.
    assert!(!runtall(&db, &["plan"]).status.success());
    let db = screened(dir.path());
    let out = runtall(&db, &["assess", "--answers", answers.to_str().expect("path")]);
    assert!(stdout(&out).contains("Next: `runtall plan`."), "{}", stdout(&out));
}

/// On the demo runner's season, every screen a new user walks through fits an 80-column terminal: no line runs
/// past the edge (timed cues, the week's table, progress, status, a run's charts and reasons, lists, lessons).
#[test]
fn the_demo_runners_screens_fit_80_columns() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("demo.db");
    assert!(runtall(&db, &["demo"]).status.success());
    for args in [
        vec!["today"],
        vec!["today", "--run", "speed"],
        vec!["plan"],
        vec!["plan", "--for-run", "long"],
        vec!["cues"],
        vec!["cues", "--run", "speed"],
        vec!["cues", "--run", "long", "--minutes", "90", "--pack"],
        vec!["runs"],
        vec!["runs", "show", "3"],
        vec!["insights"],
        vec!["progress"],
        vec!["status"],
        vec!["experiment", "status"],
        vec!["routines"],
        vec!["relief"],
        vec!["sources"],
        vec!["learn", "1"],
        vec!["posture", "list"],
    ] {
        let out = runtall(&db, &args);
        assert!(out.status.success(), "{args:?}: {}", stderr(&out));
        let text = stdout(&out);
        let long: Vec<&str> = text.lines().filter(|l| l.chars().count() > 80).collect();
        assert!(long.is_empty(), "{args:?} has lines past 80 columns:\n{}", long.join("\n"));
    }
}
