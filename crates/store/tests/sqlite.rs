//! The SQLite store: migrations, round trips, history, and clear errors on bad database files.

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
fn demo_data_is_not_real_data_and_delete_all_empties_the_store() {
    let store = SqliteStore::in_memory().expect("memory");
    assert!(!store.holds_real_data().expect("empty"));
    store.save_profile(&Profile { name: "Sam".into(), demo: true, ..Profile::default() }).expect("profile");
    store.add_screening(&screening("2026-11-01T08:00:00Z", &[])).expect("screen");
    assert!(!store.holds_real_data().expect("demo only"));
    store.delete_all().expect("delete");
    assert!(store.profile().expect("profile").is_none());
    assert!(store.screenings().expect("screens").is_empty());
}

#[test]
fn the_journal_revision_moves_with_every_change_and_only_then() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("r.db");
    let store = SqliteStore::open(&path).expect("open");
    let r0 = store.journal_revision().expect("revision");
    store.add_screening(&screening("2026-11-01T08:00:00Z", &[])).expect("screen");
    let r1 = store.journal_revision().expect("revision");
    assert!(r1 > r0, "a new screen counts");
    let _ = store.screenings().expect("read");
    let _ = store.profile().expect("read");
    assert_eq!(store.journal_revision().expect("revision"), r1, "reads do not count");
    // Another connection (the CLI while the web app runs) is seen too.
    let other = SqliteStore::open(&path).expect("second connection");
    let id = match other.add_activity(&run("2026-11-02T07:00:00Z", 40.0, 8.0, "rev"), None).expect("run") {
        runtall_store::AddOutcome::Added { id } => id,
        o => panic!("{o:?}"),
    };
    let r2 = store.journal_revision().expect("revision");
    assert!(r2 > r1, "a run stored elsewhere counts");
    let ctx = runtall_domain::journal::RunContext {
        run_id: id,
        pack: Some(true),
        surface: None,
        ate_within_2h: None,
        pre_run_done: None,
        post_run_done: None,
    };
    other.put_run_context(&ctx).expect("context");
    let r3 = store.journal_revision().expect("revision");
    assert!(r3 > r2, "a new run context counts");
    other.put_run_context(&runtall_domain::journal::RunContext { pack: Some(false), ..ctx }).expect("changed");
    assert!(store.journal_revision().expect("revision") > r3, "changing a run context counts");
    let r4 = store.journal_revision().expect("revision");
    store.delete_all().expect("delete");
    assert!(store.journal_revision().expect("revision") > r4, "deleting everything counts");
}

#[test]
fn deleting_a_run_keeps_its_pain_reports_unlinked_and_deleting_a_report_removes_only_it() {
    let store = SqliteStore::in_memory().expect("memory");
    let id = match store.add_activity(&run("2026-11-02T07:00:00Z", 40.0, 8.0, "del"), None).expect("run") {
        runtall_store::AddOutcome::Added { id } => id,
        o => panic!("{o:?}"),
    };
    let ctx = runtall_domain::journal::RunContext {
        run_id: id,
        pack: Some(true),
        surface: None,
        ate_within_2h: None,
        pre_run_done: None,
        post_run_done: None,
    };
    store.put_run_context(&ctx).expect("context");
    let report = |at: &str, run: Option<i64>| runtall_domain::journal::PainReport {
        id: None,
        at: ts(at),
        timing: runtall_domain::journal::PainTiming::RightAfter,
        region: runtall_domain::assess::Region::Neck,
        intensity: runtall_domain::assess::Score::new(5.0).expect("score"),
        run_id: run,
        notes: Some("stiff".into()),
    };
    let linked = store.add_pain_report(&report("2026-11-02T09:00:00Z", Some(id))).expect("pain");
    let other = store.add_pain_report(&report("2026-11-03T09:00:00Z", None)).expect("pain");

    assert!(store.delete_activity(id).expect("delete"));
    assert!(store.activity(id).expect("read").is_none());
    assert!(store.run_context(id).expect("read").is_none(), "its context goes with it");
    let kept = store.pain_reports(Timestamp::MIN, Timestamp::MAX).expect("reports");
    assert_eq!(kept.len(), 2, "the runner's reports stay");
    let unlinked = kept.iter().find(|p| p.id == Some(linked)).expect("kept");
    assert_eq!((unlinked.run_id, unlinked.notes.as_deref()), (None, Some("stiff")));
    assert!(!store.delete_activity(id).expect("again"), "already gone");
    // The same file imports again afterwards.
    assert!(matches!(
        store.add_activity(&run("2026-11-02T07:00:00Z", 40.0, 8.0, "del"), None).expect("re-add"),
        runtall_store::AddOutcome::Added { .. }
    ));

    assert!(store.delete_pain_report(other).expect("delete"));
    assert!(!store.delete_pain_report(other).expect("again"));
    assert_eq!(store.pain_reports(Timestamp::MIN, Timestamp::MAX).expect("reports").len(), 1);
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
        quality: Default::default(),
        laps: vec![],
        samples,
        source: SourceFile { path: format!("{hash}.fit"), format: "fit".into(), content_hash: hash.into() },
        warnings: vec![],
    }
}

#[test]
fn activities_round_trip_and_duplicates_are_recognised() {
    use runtall_domain::classify::{Classification, RunLabel};
    use runtall_store::{ActivityFilter, AddOutcome};
    let store = SqliteStore::in_memory().expect("memory");
    let long = Classification { label: RunLabel::Long, also: vec![], reasons: vec![] };
    let a = run("2026-10-04T07:00:00Z", 100.0, 20.0, "aaa");
    let AddOutcome::Added { id } = store.add_activity(&a, Some(&long)).expect("add") else { panic!("not added") };
    assert_eq!(store.add_activity(&a, None).expect("again"), AddOutcome::DuplicateFile { existing: id });
    // The same run exported as GPX: other bytes, start 20 s later, 1% shorter.
    let mut gpx = run("2026-10-04T07:00:20Z", 99.0, 19.9, "bbb");
    gpx.source.format = "gpx".into();
    assert_eq!(store.add_activity(&gpx, None).expect("gpx"), AddOutcome::DuplicateRun { existing: id });
    let other = run("2026-10-05T07:00:00Z", 40.0, 8.0, "ccc");
    assert!(matches!(store.add_activity(&other, None).expect("other"), AddOutcome::Added { .. }));

    let back = store.activity(id).expect("read").expect("some");
    assert_eq!(back.activity.samples.len(), a.samples.len());
    assert_eq!(back.activity.name, a.name);
    assert_eq!(back.classification.map(|c| c.label), Some(RunLabel::Long));
    let rows = store.activities(&ActivityFilter::default()).expect("list");
    assert_eq!(rows.len(), 2);
    assert!(rows[0].start > rows[1].start, "newest first");
    let long_only =
        store.activities(&ActivityFilter { label: Some(RunLabel::Long), ..Default::default() }).expect("filter");
    assert_eq!(long_only.len(), 1);
    let october = store
        .activities(&ActivityFilter {
            from: Some(ts("2026-10-05T00:00:00Z")),
            to: Some(ts("2026-10-06T00:00:00Z")),
            ..Default::default()
        })
        .expect("range");
    assert_eq!(october.len(), 1);
    let history = store.run_summaries(ts("2026-09-01T00:00:00Z"), ts("2026-10-05T00:00:00Z")).expect("history");
    assert_eq!(history.len(), 1);
    assert_eq!(history[0].distance_m, 20_000.0);
    assert!(store.holds_real_data().expect("real"));
}

#[test]
fn lists_split_runs_from_cross_training_and_a_replaced_run_keeps_its_id() {
    use runtall_store::{ActivityFilter, ActivityKind, AddOutcome};
    let store = SqliteStore::in_memory().expect("memory");
    let AddOutcome::Added { id } =
        store.add_activity(&run("2026-10-04T07:00:00Z", 60.0, 10.0, "r"), None).expect("run")
    else {
        panic!("not added")
    };
    let mut ride = run("2026-10-05T07:00:00Z", 120.0, 60.0, "b");
    ride.sport = runtall_domain::activity::Sport::Cycling;
    store.add_activity(&ride, None).expect("ride");
    let kind = |kind| store.activities(&ActivityFilter { kind, ..Default::default() }).expect("list").len();
    assert_eq!((kind(ActivityKind::Runs), kind(ActivityKind::CrossTraining), kind(ActivityKind::All)), (1, 1, 2));
    // A cut-short copy inside the run's span is the same recording; the whole one replaces it under the same id.
    let part = run("2026-10-04T07:10:00Z", 20.0, 3.3, "part");
    assert_eq!(store.add_activity(&part, None).expect("part"), AddOutcome::DuplicateRun { existing: id });
    let mut better = run("2026-10-04T07:00:00Z", 60.0, 10.0, "better");
    better.source.format = "fit".into();
    better.name = Some("Better copy".into());
    assert!(store.replace_activity(id, &better, None).expect("replace"));
    let back = store.activity(id).expect("read").expect("same id");
    assert_eq!(back.activity.name.as_deref(), Some("Better copy"));
    assert_eq!(back.activity.source.content_hash, "better");
    assert!(!store.replace_activity(9999, &better, None).expect("missing"), "nothing to replace");
}
