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

fn run(start: &str, minutes: f64, km: f64, hash: &str) -> runtall_domain::activity::Activity {
    use runtall_domain::activity::*;
    let mut samples = Samples::default();
    let n = (minutes * 60.0) as usize;
    for i in 0..n {
        let t = i as f64;
        samples.push(
            t,
            Some(km * 1000.0 * t / n as f64),
            Some(km * 1000.0 / (minutes * 60.0)),
            Some(150.0),
            Some(170.0),
            Some(100.0),
            Some(46.0),
            Some(14.0),
        );
    }
    Activity {
        sport: Sport::Running,
        sub_sport: None,
        name: Some("Morning run".into()),
        start: ts(start),
        utc_offset_s: Some(3600),
        elapsed_s: minutes * 60.0,
        moving_s: minutes * 60.0 - 30.0,
        distance_m: km * 1000.0,
        ascent_m: Some(40.0),
        descent_m: Some(38.0),
        avg_hr_bpm: Some(150.0),
        max_hr_bpm: Some(171.0),
        avg_cadence_spm: Some(170.0),
        avg_respiration_brpm: None,
        dynamics: None,
        device: Some("test watch".into()),
        laps: vec![],
        samples,
        source: SourceFile { path: format!("{hash}.fit"), format: "fit".into(), content_hash: hash.into() },
        warnings: vec![],
    }
}

#[test]
fn a_version_9_database_gives_every_row_to_the_local_runner_and_fills_the_list_columns() {
    use runtall_domain::journal::{PainReport, PainTiming};
    use runtall_store::{ActivityFilter, AthleteId, Database};
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("v9.db");
    let a = run("2026-10-04T07:00:00Z", 30.0, 6.0, "aaa");
    let old_revision: i64;
    {
        // The file as runtall at schema 9 left it: one run (list fields only in its summary), a pain report linked
        // to it, a setting and a profile.
        let conn = rusqlite::Connection::open(&path).expect("raw");
        for step in &runtall_store::MIGRATIONS[..9] {
            conn.execute_batch(step).expect("old step");
        }
        let summary =
            serde_json::to_string(&runtall_domain::activity::Activity { samples: Default::default(), ..a.clone() })
                .expect("summary");
        conn.execute(
            "INSERT INTO activities (id, start_epoch, start_utc, sport, label, distance_m, elapsed_s, moving_s,
                 content_hash, source_path, format, imported_at, summary, classification, samples)
             VALUES (7, ?1, ?2, 'running', NULL, 6000.0, 1800.0, 1770.0, 'aaa', 'aaa.fit', 'fit',
                 '2026-10-04T09:00:00Z', ?3, NULL, ?4)",
            rusqlite::params![
                a.start.as_second(),
                a.start.to_string(),
                summary,
                runtall_store::codec::encode(&a.samples)
            ],
        )
        .expect("activity");
        let pain = PainReport {
            id: None,
            at: ts("2026-10-04T08:00:00Z"),
            timing: PainTiming::RightAfter,
            region: runtall_domain::assess::Region::Neck,
            intensity: runtall_domain::assess::Score::new(4.0).expect("score"),
            run_id: Some(7),
            notes: None,
        };
        conn.execute(
            "INSERT INTO pain_reports (at_epoch, run_id, data) VALUES (?1, 7, ?2)",
            rusqlite::params![pain.at.as_second(), serde_json::to_string(&pain).expect("pain")],
        )
        .expect("pain");
        conn.execute(
            "INSERT INTO settings (key, data, updated_at) VALUES ('reminders', '{\"enabled\":true}', 'x')",
            [],
        )
        .expect("setting");
        let profile = serde_json::to_string(&Profile { name: "Old".into(), ..Profile::default() }).expect("profile");
        conn.execute("INSERT INTO profile (id, data, updated_at) VALUES (1, ?1, 'x')", [profile]).expect("profile");
        conn.execute_batch("PRAGMA user_version = 9").expect("v9");
        old_revision = conn.query_row("SELECT n FROM journal_revision", [], |r| r.get(0)).expect("revision");
    }
    let store = SqliteStore::open(&path).expect("migrates");
    assert_eq!(store.schema_version().expect("version"), runtall_store::SCHEMA_VERSION);
    assert_eq!(store.athlete_id(), AthleteId::LOCAL);
    let rows = store.activities(&ActivityFilter::default()).expect("list");
    assert_eq!(rows.len(), 1);
    let r = &rows[0];
    assert_eq!((r.id, r.name.as_deref(), r.utc_offset_s), (7, Some("Morning run"), Some(3600)));
    assert_eq!((r.ascent_m, r.avg_hr_bpm, r.key.as_str()), (Some(40.0), Some(150.0), "aaa"));
    let pain = store.pain_reports(Timestamp::MIN, Timestamp::MAX).expect("pain");
    assert_eq!(pain.len(), 1);
    assert_eq!(pain[0].run_id, Some(7), "the link to the run survives the rebuilt table");
    assert_eq!(store.setting("reminders").expect("setting"), Some(serde_json::json!({ "enabled": true })));
    assert_eq!(store.profile().expect("profile").expect("some").name, "Old");
    assert_eq!(store.journal_revision().expect("revision"), old_revision as u64, "moving rows is not a change");
    assert_eq!(store.integrity_check().expect("check"), "ok");

    // A second athlete added afterwards starts empty and cannot reach the old rows by id.
    let db = store.database();
    let other = db.athlete(db.create_athlete("second").expect("create")).expect("handle");
    assert!(other.activities(&ActivityFilter::default()).expect("list").is_empty());
    assert!(other.activity(7).expect("read").is_none());
    assert!(other.profile().expect("profile").is_none());
    assert_eq!(other.journal_revision().expect("revision"), 0);
}
