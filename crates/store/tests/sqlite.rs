//! The SQLite store itself: files, migrations, reopening, and clear errors on bad database files. What every store
//! does (round trips, isolation, the revision) is the conformance suite in `crates/store-tests`.

use jiff::Timestamp;
use runtall_domain::assess::{Assessment, AssessmentRecord, parse_answers};
use runtall_domain::content::{self as runtall_content, program};
use runtall_domain::plan::{self, PlanRecord};
use runtall_domain::profile::Profile;
use runtall_domain::screen::{ScreenAnswers, ScreeningRecord, evaluate, program_state};
use runtall_store::{SqliteStore, Store, StoreError};

const SAMPLE: &str = include_str!("../../../examples/assessment.toml");

fn ts(s: &str) -> Timestamp {
    s.parse().expect("timestamp")
}

fn screening(at: &str, yes: &[&str]) -> ScreeningRecord {
    let mut answers = ScreenAnswers::all_no(program());
    for id in yes {
        answers = answers.with_yes(id);
    }
    let outcome = evaluate(program(), &answers).expect("complete");
    ScreeningRecord { id: None, taken_at: ts(at), answers, outcome, clinician_checked_at: None }
}

#[test]
fn a_new_file_gets_the_schema_in_wal_mode_and_reopens() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("nested/dir/runtall.db");
    let store = SqliteStore::open(&path).expect("open");
    assert_eq!(store.schema_version().expect("version"), runtall_store::SCHEMA_VERSION);
    drop(store);
    assert!(path.exists());
    let store = SqliteStore::open(&path).expect("reopen");
    assert_eq!(store.schema_version().expect("version"), runtall_store::SCHEMA_VERSION);
    let conn = rusqlite::Connection::open(&path).expect("raw");
    let mode: String = conn.query_row("PRAGMA journal_mode", [], |r| r.get(0)).expect("mode");
    assert_eq!(mode, "wal");
}

#[test]
fn profile_screens_assessments_and_plans_persist_with_history() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("runtall.db");
    {
        let store = SqliteStore::open(&path).expect("open");
        store
            .save_profile(&Profile { name: "Ana".into(), country: Some("DE".into()), ..Profile::default() })
            .expect("profile");
        let first = store.add_screening(&screening("2026-11-01T08:00:00Z", &[])).expect("screen 1");
        let c = program().red_flags.iter().find(|f| f.level == runtall_content::FlagLevel::C).expect("C");
        let second = store.add_screening(&screening("2026-11-02T08:00:00Z", &[&c.id])).expect("screen 2");
        assert!(second > first);
        let a: Assessment = parse_answers("a.toml", SAMPLE).expect("sample");
        let aid = store
            .add_assessment(&AssessmentRecord { id: None, taken_at: ts("2026-11-02T08:05:00Z"), assessment: a.clone() })
            .expect("assess");
        let state = program_state(store.latest_screening().expect("latest").as_ref());
        assert_eq!(state.name(), "reduced");
        let latest = store.latest_screening().expect("latest");
        let permissions = runtall_domain::safety::gate(
            program(),
            &runtall_domain::safety::SafetyInputs { screening: latest.as_ref(), assessment: Some(&a) },
        );
        let built = plan::build(program(), &a, &permissions).expect("plan");
        store
            .add_plan(&PlanRecord {
                id: None,
                created_at: ts("2026-11-02T08:06:00Z"),
                screening_id: Some(second),
                assessment_id: Some(aid),
                plan: built,
            })
            .expect("plan");
        store.mark_clinician_checked(second, ts("2026-11-05T10:00:00Z")).expect("checked");
    }
    let store = SqliteStore::open(&path).expect("reopen");
    assert_eq!(store.profile().expect("profile").expect("some").name, "Ana");
    let screens = store.screenings().expect("screens");
    assert_eq!(screens.len(), 2);
    assert!(screens[0].taken_at < screens[1].taken_at);
    let latest = store.latest_screening().expect("latest").expect("some");
    assert_eq!(latest.clinician_checked_at, Some(ts("2026-11-05T10:00:00Z")));
    assert_eq!(program_state(Some(&latest)).name(), "open");
    assert_eq!(store.assessments().expect("assessments").len(), 1);
    let plans = store.plans().expect("plans");
    assert_eq!(plans.len(), 1);
    assert_eq!(plans[0].plan.mode, plan::Mode::Reduced);
    assert!(store.holds_real_data().expect("real"));
    assert!(matches!(store.mark_clinician_checked(999, ts("2026-11-05T10:00:00Z")), Err(StoreError::NotFound { .. })));
}

#[test]
fn a_file_that_is_not_a_database_is_refused_and_left_untouched() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("notes.db");
    let junk =
        b"these are my running notes, definitely not SQLite ......................................................";
    std::fs::write(&path, junk).expect("write");
    let err = SqliteStore::open(&path).err().expect("refused");
    assert!(matches!(err, StoreError::Corrupt { .. }), "{err}");
    assert!(err.to_string().contains("not a runtall database"), "{err}");
    assert!(!err.to_string().contains("--db"), "front ends add their own advice: {err}");
    assert_eq!(std::fs::read(&path).expect("read"), junk, "the file was changed");
}

#[test]
fn a_database_from_a_newer_runtall_is_refused() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("future.db");
    {
        let conn = rusqlite::Connection::open(&path).expect("raw");
        conn.execute_batch("PRAGMA user_version = 99").expect("version");
    }
    let err = SqliteStore::open(&path).err().expect("refused");
    assert!(matches!(err, StoreError::TooNew { found: 99, .. }), "{err}");
}

#[test]
fn a_locked_database_gives_a_clear_error_and_loses_nothing() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("busy.db");
    let store = SqliteStore::open(&path).expect("open");
    store.save_profile(&Profile { name: "Before".into(), ..Profile::default() }).expect("profile");
    store.set_busy_timeout(std::time::Duration::from_millis(200)).expect("shorter wait for this test");
    let holder = rusqlite::Connection::open(&path).expect("second connection");
    holder.execute_batch("BEGIN EXCLUSIVE").expect("lock");
    let err = store.save_profile(&Profile { name: "After".into(), ..Profile::default() }).expect_err("locked");
    assert!(matches!(err, StoreError::Locked { .. }), "{err}");
    holder.execute_batch("ROLLBACK").expect("unlock");
    assert_eq!(store.profile().expect("read").expect("some").name, "Before");
}
