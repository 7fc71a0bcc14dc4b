//! An import killed part-way (`kill -9`) leaves every stored run complete and the database sound, and
//! running the same import again finishes the job without duplicates.

use runtall_sample::fit::{LapKind, SimLap, SimRun, SimSample, encode};
use runtall_store::{ActivityFilter, SqliteStore, Store};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_runtall");
const FILES: u32 = 1500;

/// `FILES` distinct short runs, one a day going back from 1 October 2026.
fn write_season(dir: &Path) {
    let first: jiff::Timestamp = "2026-10-01T07:00:00Z".parse().expect("time");
    let speed = 3.0;
    let samples: Vec<SimSample> = (0..240u32)
        .map(|t| SimSample {
            t_s: t * 5,
            distance_m: f64::from(t * 5) * speed,
            speed_mps: speed,
            hr_bpm: 140,
            cadence_spm: 170.0,
            altitude_m: 20.0,
            lat_deg: 48.0 + f64::from(t) * 1e-4,
            lon_deg: 2.0,
        })
        .collect();
    let laps = vec![SimLap { start: 0, end: samples.len(), kind: LapKind::Active }];
    for i in 0..FILES {
        let start = first.checked_sub(jiff::SignedDuration::from_hours(24 * i64::from(i))).expect("time");
        let run = SimRun { start, utc_offset_s: 0, trail: false, samples: samples.clone(), laps: laps.clone() };
        std::fs::write(dir.join(format!("run-{i:04}.fit")), encode(&run).expect("encode")).expect("write");
    }
}

/// Creates the database first, so the importer's first moments are spent importing.
fn create(db: &Path) {
    assert!(Command::new(BIN).arg("--db").arg(db).arg("status").output().expect("status").status.success());
}

/// `runtall import --quiet WATCH` in the background, to be killed.
fn start_import(db: &Path, watch: &Path) -> std::process::Child {
    Command::new(BIN)
        .arg("--db")
        .arg(db)
        .args(["import", "--quiet"])
        .arg(watch)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start import")
}

fn stored(db: &Path) -> usize {
    SqliteStore::open(db).and_then(|s| s.activities(&ActivityFilter::default())).map(|a| a.len()).unwrap_or(0)
}

#[test]
fn a_killed_import_keeps_complete_runs_and_a_second_run_finishes_without_duplicates() {
    let dir = tempfile::tempdir().expect("tempdir");
    let watch = dir.path().join("watch");
    std::fs::create_dir(&watch).expect("dir");
    write_season(&watch);
    let db = dir.path().join("kill.db");
    create(&db);

    let mut child = start_import(&db, &watch);
    let started = Instant::now();
    let mut seen = 0;
    while seen < 50 && started.elapsed() < Duration::from_secs(60) {
        std::thread::sleep(Duration::from_millis(5));
        seen = stored(&db);
    }
    child.kill().expect("SIGKILL"); // Child::kill is SIGKILL on Unix: no chance to clean up.
    let status = child.wait().expect("reaped");
    assert!(!status.success(), "the import was killed, not finished");

    let store = SqliteStore::open(&db).expect("the database opens after the kill");
    let integrity = integrity_check(&db);
    assert_eq!(integrity, "ok");
    let after_kill = store.activities(&ActivityFilter::default()).expect("list");
    let partial = after_kill.len();
    assert!(partial >= 50 && partial < FILES as usize, "killed part-way: {partial} of {FILES} stored");
    // Every stored run is whole: its samples decode and match its distance.
    for row in after_kill.iter().take(100) {
        let a = store.activity(row.id).expect("read").expect("stored run");
        assert_eq!(a.activity.samples.len(), 240, "run #{} is complete", row.id);
        assert!((a.activity.distance_m - 3585.0).abs() < 20.0, "run #{}: {}", row.id, a.activity.distance_m);
    }
    drop(store);

    let again = Command::new(BIN)
        .arg("--db")
        .arg(&db)
        .args(["--json", "import", "--quiet"])
        .arg(&watch)
        .output()
        .expect("rerun");
    assert!(again.status.success(), "{}", String::from_utf8_lossy(&again.stderr));
    let summary: serde_json::Value = serde_json::from_slice(&again.stdout).expect("summary json");
    assert_eq!(summary["imported"].as_u64(), Some(u64::from(FILES) - partial as u64), "{summary}");
    assert_eq!(summary["duplicates"].as_array().map(Vec::len), Some(partial));
    assert_eq!(stored(&db), FILES as usize, "every run once");
}

/// `PRAGMA integrity_check` through the store's own SQLite (the test has no SQLite of its own).
fn integrity_check(db: &Path) -> String {
    SqliteStore::open(db).and_then(|s| s.integrity_check()).unwrap_or_else(|e| format!("error: {e}"))
}

/// Issue 12, item 4: a `kill -9` during the pass that relabels runs after an import used to leave labels worked
/// out against a partial history, and importing again (all duplicates) did not repair them. Labels are derived
/// state now: the store marks them stale with every run added, the pass clears the mark when it completes, and
/// the next import (or open) finishes a pass it finds unfinished.
#[test]
fn a_kill_during_relabelling_is_repaired_by_the_next_import() {
    let dir = tempfile::tempdir().expect("tempdir");
    let watch = dir.path().join("watch");
    std::fs::create_dir(&watch).expect("dir");
    write_season(&watch);
    let db = dir.path().join("relabel.db");
    create(&db);

    let mut child = start_import(&db, &watch);
    // Every run stored: the relabelling pass over them (newest files come first, so the earliest runs were
    // labelled without their history) is running now.
    let started = Instant::now();
    while stored(&db) < FILES as usize && started.elapsed() < Duration::from_secs(300) {
        std::thread::sleep(Duration::from_millis(5));
    }
    assert!(child.try_wait().expect("status").is_none(), "the import was still relabelling when killed");
    child.kill().expect("SIGKILL");
    assert!(!child.wait().expect("reaped").success());

    // A copy of the killed state shows what the kill left: labels a complete pass changes.
    let copy = dir.path().join("copy.db");
    std::fs::copy(&db, &copy).expect("copy the database");
    let wal = dir.path().join("relabel.db-wal");
    if wal.exists() {
        std::fs::copy(&wal, dir.path().join("copy.db-wal")).expect("copy the log");
    }
    let killed = SqliteStore::open(&copy).expect("the copy opens");
    assert!(killed.labels_stale_from().expect("mark").is_some(), "the unfinished pass is recorded");
    let wrong = runtall_app::import::reclassify_from(&killed, jiff::Timestamp::MIN).expect("pass on the copy");
    assert!(wrong > 0, "the kill left labels that a complete pass changes");
    drop(killed);

    let again = Command::new(BIN)
        .arg("--db")
        .arg(&db)
        .args(["--json", "import", "--quiet"])
        .arg(&watch)
        .output()
        .expect("rerun");
    assert!(again.status.success(), "{}", String::from_utf8_lossy(&again.stderr));
    let summary: serde_json::Value = serde_json::from_slice(&again.stdout).expect("summary json");
    assert_eq!(summary["imported"].as_u64(), Some(0), "nothing new");
    assert_eq!(summary["duplicate_count"].as_u64(), Some(u64::from(FILES)));

    let store = SqliteStore::open(&db).expect("opens");
    assert!(store.labels_stale_from().expect("mark").is_none());
    // Every label is what a complete pass gives: working them all out again changes nothing.
    let changed = runtall_app::import::reclassify_from(&store, jiff::Timestamp::MIN).expect("pass");
    assert_eq!(changed, 0, "labels left wrong by the killed pass");
}
