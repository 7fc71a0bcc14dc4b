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
    // The plan does not point to `plan --for-run` commands that would all be refused.
    let o = runtall(&db, &["plan"]);
    assert!(o.status.success() && !out(&o).contains("--for-run"), "{}", out(&o));
    for args in [
        vec!["cues", "--run", "long", "--minutes", "90"],
        vec!["export", "workout", "--run", "speed", "--reps", "6x800m", "-o", "x.fit"],
        vec!["export", "cues", "--run", "race", "--minutes", "60", "--format", "json"],
    ] {
        let o = runtall(&db, &args);
        assert_eq!(o.status.code(), Some(1), "{args:?}: {}", out(&o));
    }
    // No race trip either: it would plan a race day, its pre-race routine and a shake-out run.
    let race = jiff::Zoned::now().date().checked_add(jiff::Span::new().days(30)).expect("date").to_string();
    let o = runtall(&db, &["travel", "--race", &race, "--drive-hours", "4"]);
    assert_eq!(o.status.code(), Some(1), "{}", out(&o));
    assert!(out(&o).contains("no race trip to plan now: no running"), "{}", out(&o));
    assert!(!out(&o).contains("race day"), "{}", out(&o));
    let o = runtall(&db, &["guide", "pre-run-speed"]);
    assert_eq!(o.status.code(), Some(1), "{}", out(&o));
    // A clinician's check clears the hold, although the screen itself flagged nothing.
    let o = runtall(&db, &["screen", "--clinician-checked"]);
    assert!(o.status.success(), "{}", out(&o));
    let o = runtall(&db, &["plan", "--for-run", "speed", "--json"]);
    assert!(o.status.success(), "{}", out(&o));
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

/// The CLI surfaces against the gate, table-driven: for each screen and assessment, `plan --for-run`, `cues`,
/// `export` and `experiment new` succeed exactly when `status --json` says the gate allows them, and `guide`
/// refuses every routine it does not allow, with a reason.
#[test]
fn every_cli_surface_offers_exactly_what_the_gate_allows() {
    use runtall_domain::content::{RunType, program};
    use runtall_domain::safety::Permissions;
    /// How a case changes the sample assessment.
    type Edit = fn(String) -> String;
    let keep: Edit = |t| t;
    let cases: [(&str, &[&str], Edit); 5] = [
        ("clear", &[], keep),
        ("rib pain with meals", &[], rib_after_eating),
        ("level C", &["night-pain-that-wakes"], keep),
        ("level B chest", &["chest-or-rib-pain-with-effort-or-meals"], keep),
        ("level B fever", &["pain-with-fever-or-feeling-unwell"], keep),
    ];
    for (name, yes, edit) in cases {
        let dir = tempfile::tempdir().expect("tempdir");
        // Assess on a clear screen, then take the case's screen (a level B fever answer allows no assessment).
        let db = setup(dir.path(), &[], edit);
        let screen = dir.path().join("case.toml");
        let list: Vec<String> = yes.iter().map(|y| format!("\"{y}\"")).collect();
        std::fs::write(&screen, format!("yes = [{}]\nothers = \"no\"\n", list.join(", "))).expect("write");
        assert!(runtall(&db, &["screen", "--answers", screen.to_str().expect("path")]).status.success());
        let status = runtall(&db, &["status", "--json"]);
        let v: serde_json::Value = serde_json::from_slice(&status.stdout).expect("status json");
        let perm: Permissions = serde_json::from_value(v["safety"].clone()).expect("permissions");
        for run in RunType::ALL {
            let allowed = perm.allows_plan() && perm.run(run).allowed;
            let r = run.as_str();
            let o = runtall(&db, &["plan", "--for-run", r, "--json"]);
            assert_eq!(o.status.success(), allowed, "{name}: plan --for-run {r}: {}", out(&o));
            let o = runtall(&db, &["cues", "--run", r, "--minutes", "30", "--json"]);
            assert_eq!(o.status.success(), allowed, "{name}: cues {r}: {}", out(&o));
            let fit = dir.path().join(format!("{r}.fit"));
            let o = runtall(&db, &["export", "workout", "--run", r, "--minutes", "30", "-o", fit.to_str().expect("p")]);
            assert_eq!(o.status.success(), allowed, "{name}: export {r}: {}", out(&o));
            if !allowed {
                assert!(!out(&o).trim().is_empty(), "{name}: refused without a reason");
            }
        }
        for routine in &program().routines {
            if perm.allows_plan() && perm.routine(&routine.id).allowed {
                continue; // an allowed routine starts the interactive player, checked in the companion's tests
            }
            let o = runtall(&db, &["guide", &routine.id]);
            assert_eq!(o.status.code(), Some(1), "{name}: guide {}: {}", routine.id, out(&o));
        }
        for factor in runtall_domain::safety::EXPERIMENT_FACTORS {
            let o = runtall(&db, &["experiment", "new", "--factor", factor]);
            assert_eq!(o.status.success(), perm.experiment(factor).allowed, "{name}: experiment {factor}: {}", out(&o));
            if o.status.success() {
                assert!(runtall(&db, &["experiment", "stop"]).status.success());
            }
        }
    }
}
