//! The safety gate through the `runtall` binary (issue 10): every command follows the same decisions.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const BIN: &str = env!("CARGO_BIN_EXE_runtall");

fn repo(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..").join(path)
}

fn runtall(db: &Path, args: &[&str]) -> Output {
    Command::new(BIN).arg("--db").arg(db).args(args).env_remove("RUNTALL_DB").output().expect("run runtall")
}

fn out(o: &Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr))
}

/// A database with a screen (`yes` answered yes, the rest no) and the sample assessment edited by `edit`.
fn setup(dir: &Path, yes: &[&str], edit: impl FnOnce(String) -> String) -> PathBuf {
    let db = dir.join("s.db");
    let yes: Vec<String> = yes.iter().map(|y| format!("\"{y}\"")).collect();
    let screen = dir.join("screen.toml");
    std::fs::write(&screen, format!("yes = [{}]\nothers = \"no\"\n", yes.join(", "))).expect("write");
    let o = runtall(&db, &["screen", "--answers", screen.to_str().expect("path")]);
    assert!(o.status.success(), "{}", out(&o));
    let sample = std::fs::read_to_string(repo("examples/assessment.toml")).expect("sample");
    let a = dir.join("a.toml");
    std::fs::write(&a, edit(sample)).expect("write");
    let o = runtall(&db, &["assess", "--answers", a.to_str().expect("path")]);
    assert!(o.status.success(), "{}", out(&o));
    db
}

fn rib_after_eating(t: String) -> String {
    t.replace(r#"regions = ["neck", "upper-trap-right", "between-shoulder-blades"]"#, r#"regions = ["rib-side-right"]"#)
        .replace(
            r#"when = ["long-runs", "after-runs", "at-desk", "with-pack"]"#,
            r#"when = ["after-eating-before-run"]"#,
        )
}

#[test]
fn rib_pain_with_meals_stops_runs_in_plan_for_run_status_and_cues() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = setup(dir.path(), &[], rib_after_eating);
    let o = runtall(&db, &["plan", "--for-run", "speed"]);
    assert_eq!(o.status.code(), Some(1), "{}", out(&o));
    assert!(out(&o).to_lowercase().contains("no running"), "{}", out(&o));
    let o = runtall(&db, &["plan", "--json"]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json");
    assert!(v["plan"]["week"].as_array().expect("week").iter().all(|d| d["run"].is_null()));
    let o = runtall(&db, &["status"]);
    assert!(out(&o).to_lowercase().contains("no running"), "{}", out(&o));
    for args in [
        vec!["cues", "--run", "long", "--minutes", "90"],
        vec!["export", "workout", "--run", "speed", "--reps", "6x800m", "-o", "x.fit"],
        vec!["export", "cues", "--run", "race", "--minutes", "60", "--format", "json"],
    ] {
        let o = runtall(&db, &args);
        assert_eq!(o.status.code(), Some(1), "{args:?}: {}", out(&o));
    }
    let o = runtall(&db, &["guide", "pre-run-speed"]);
    assert_eq!(o.status.code(), Some(1), "{}", out(&o));
}

#[test]
fn foam_roller_experiment_is_refused_with_osteoporosis_and_says_why() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = setup(dir.path(), &[], |t| t.replace("conditions = []", r#"conditions = ["osteoporosis"]"#));
    let o = runtall(&db, &["experiment", "new", "--factor", "foam-roller"]);
    assert_eq!(o.status.code(), Some(1), "{}", out(&o));
    assert!(out(&o).contains("osteoporosis"), "{}", out(&o));
    let o = runtall(&db, &["guide", "foam-roller-thoracic-extension"]);
    assert_eq!(o.status.code(), Some(1), "{}", out(&o));
}

#[test]
fn a_day_experiment_asks_for_the_day_log_not_run_context() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = setup(dir.path(), &[], |t| t);
    let o = runtall(&db, &["experiment", "new", "--factor", "foam-roller"]);
    assert!(o.status.success(), "{}", out(&o));
    assert!(!out(&o).contains("log run"), "a day experiment told to log run context: {}", out(&o));
    assert!(out(&o).contains("log day"), "{}", out(&o));
}

#[test]
fn sources_names_every_source_in_full() {
    let dir = tempfile::tempdir().expect("tempdir");
    let o = runtall(&dir.path().join("x.db"), &["sources"]);
    assert!(o.status.success(), "{}", out(&o));
    let text = out(&o);
    for needle in [
        "Episode 26",
        "How to Avoid Upper Back Pain When Running",
        "Ben Shatto",
        "Evidence brief",
        "runtall program design",
        "expert opinion",
    ] {
        assert!(text.contains(needle), "`runtall sources` lacks '{needle}':\n{text}");
    }
}
