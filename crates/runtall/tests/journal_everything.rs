//! The journal carries every kind of record: the demo season plus one of each kind the demo does not make,
//! exported, imported into an empty database and exported again gives the same bytes; importing it a second
//! time stores nothing new.

use jiff::Timestamp;
use runtall_insights::{ExperimentDesign, ExperimentFactor, ExperimentUnit};
use runtall_store::{SqliteStore, Store};
use std::path::Path;
use std::process::{Command, Output};

const BIN: &str = env!("CARGO_BIN_EXE_runtall");

fn runtall(db: &Path, args: &[&str]) -> Output {
    let out = Command::new(BIN).arg("--db").arg(db).args(args).env_remove("RUNTALL_DB").output().expect("run runtall");
    assert!(out.status.success(), "runtall {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    out
}

/// Adds to the demo runner what the demo does not make: a clinician's check of the screen, a guided session,
/// a running experiment with recorded runs, a posture check and a lesson done.
fn add_one_of_each(store: &dyn Store) {
    let today = Timestamp::now().to_zoned(jiff::tz::TimeZone::UTC).date();
    let screening = store.latest_screening().expect("read").expect("the demo screens");
    store
        .mark_clinician_checked(screening.id.expect("id"), "2026-01-05T10:00:00Z".parse().expect("ts"))
        .expect("check");
    store
        .put_session(
            "2026-01-04T06:30:00Z".parse().expect("ts"),
            "pre-run-long",
            false,
            &serde_json::json!({"completed_steps": 3, "quit": true}),
        )
        .expect("session");
    let design = ExperimentDesign::recommended(ExperimentFactor::Pack, ExperimentUnit::Runs, 11);
    let started = today.checked_sub(jiff::Span::new().days(40)).expect("date");
    if store.active_experiment().expect("read").is_none() {
        runtall_app::experiments::start(store, design, started).expect("experiment");
    }
    runtall_app::experiments::status(store, today, false).expect("status records the runs");
    store
        .add_posture(
            today.checked_sub(jiff::Span::new().days(3)).expect("date"),
            "standing",
            &serde_json::json!({"photo": {"landmarks": {"ear": [0.41, 0.2], "c7": [0.45, 0.3]}}}),
        )
        .expect("posture");
    store.set_lesson_done("why-exhale", Some("2026-01-03T20:00:00Z".parse().expect("ts"))).expect("lesson");
}

#[test]
fn the_demo_season_and_one_of_each_kind_round_trip_through_json_lines_byte_for_byte() {
    let dir = tempfile::tempdir().expect("dir");
    let (a, b) = (dir.path().join("a.db"), dir.path().join("b.db"));
    runtall(&a, &["demo"]);
    add_one_of_each(&SqliteStore::open(&a).expect("open"));
    let first = String::from_utf8(runtall(&a, &["journal", "export"]).stdout).expect("utf-8");
    for kind in ["run", "pain", "day", "screening", "assessment", "plan", "session", "experiment", "posture", "lesson"]
    {
        assert!(first.contains(&format!("{{\"type\":\"{kind}\"")), "no {kind} line in the export");
    }
    assert!(first.contains("\"utc_offset_s\":") && first.contains("\"avg_hr_bpm\":"), "watch runs keep both");
    let file = dir.path().join("journal.jsonl");
    std::fs::write(&file, &first).expect("write");
    runtall(&b, &["journal", "import", file.to_str().expect("path")]);
    let second = String::from_utf8(runtall(&b, &["journal", "export"]).stdout).expect("utf-8");
    assert_eq!(second, first, "export → import into an empty database → export gives the same bytes");

    let again = runtall(&b, &["journal", "import", file.to_str().expect("path"), "--json"]);
    let stats: serde_json::Value = serde_json::from_slice(&again.stdout).expect("json");
    assert_eq!((stats["runs_added"].as_u64(), stats["pain_added"].as_u64()), (Some(0), Some(0)), "{stats}");
    assert_eq!(stats["others_added"].as_u64(), Some(0), "{stats}");
    let others = first
        .lines()
        .filter(|l| !["run", "pain", "day"].iter().any(|k| l.starts_with(&format!("{{\"type\":\"{k}\""))))
        .count();
    assert_eq!(stats["others_matched"].as_u64(), Some(others as u64), "{stats}");
    assert_eq!(String::from_utf8(runtall(&b, &["journal", "export"]).stdout).expect("utf-8"), first);
    let store = SqliteStore::open(&b).expect("open");
    let experiments = store.experiments().expect("experiments");
    assert_eq!(experiments.len(), SqliteStore::open(&a).expect("open").experiments().expect("read").len());
    let runs: usize = experiments.iter().map(|e| e.2["recorded_runs"].as_array().expect("recorded runs").len()).sum();
    assert!(runs > 0, "the experiment's runs point at the imported runs");
}
