//! The sync protocol's server half on the PostgreSQL store: a runner's journal (from a local SQLite store, runs
//! with samples and every other kind of record) applied twice to one athlete as the application role stores it
//! once, reads back as the same journal, and reaches no other athlete (row-level security on every statement).

mod support;

use jiff::Timestamp;
use runtall_app::{journal_file, sync};
use runtall_domain::activity::Sport;
use runtall_domain::journal_format::{Journal, JournalRun};
use runtall_store::{Database, SqliteStore, Store};

fn run(i: usize) -> JournalRun {
    JournalRun {
        key: format!("pg-run-{i}"),
        start: "2026-03-01T07:00:00Z".parse::<Timestamp>().expect("ts")
            + jiff::SignedDuration::from_hours(24 * i as i64),
        sport: Sport::Running,
        label: None,
        distance_m: 10_000.0,
        moving_s: 3_000.0,
        elapsed_s: 3_100.0,
        name: Some(format!("Run {i}")),
        pack: Some(true),
        surface: None,
        ate_within_2h: None,
        pre_run_done: None,
        post_run_done: None,
        utc_offset_s: Some(-18_000),
        avg_hr_bpm: Some(150.0),
    }
}

#[test]
fn a_batch_applied_twice_on_postgres_is_stored_once_for_that_athlete_only() {
    let Some(server) = support::server() else {
        support::skipped("a_batch_applied_twice_on_postgres_is_stored_once_for_that_athlete_only");
        return;
    };
    let database = server.fresh_database();
    let db = database.connect();
    let (ana, ben) = (db.create_athlete("Ana").expect("ana"), db.create_athlete("Ben").expect("ben"));
    let (ana, ben) = (db.athlete(ana).expect("store"), db.athlete(ben).expect("store"));

    let dir = tempfile::tempdir().expect("dir");
    let local = SqliteStore::open(&dir.path().join("local.db")).expect("local");
    journal_file::import(&local, &Journal { runs: (0..12).map(run).collect(), ..Journal::default() }).expect("runs");
    local
        .put_session("2026-03-02T06:00:00Z".parse().expect("ts"), "pre-run-easy", true, &serde_json::json!({"n": 1}))
        .expect("session");
    local.set_lesson_done("why-exhale", Some("2026-03-03T20:00:00Z".parse().expect("ts"))).expect("lesson");

    let out = sync::outgoing(&local).expect("outgoing");
    assert_eq!(out.batches.len(), 1);
    let body = sync::encode_batch(&local, &out.batches[0], true, &[]).expect("encode");
    let first = sync::apply_batch(&ana, &body, Timestamp::now()).expect("first");
    let again = sync::apply_batch(&ana, &body, Timestamp::now()).expect("again");
    assert_eq!((first.stats.runs_added, again.stats.runs_added, again.stats.runs_matched), (12, 0, 12));
    assert_eq!((first.stats.others_added, again.stats.others_added), (2, 0));
    let text = |s: &dyn Store| runtall_domain::journal_format::to_jsonl(&journal_file::export(s).expect("export"));
    assert_eq!(text(&ana), text(&local), "Ana's journal on PostgreSQL is the runner's");
    assert_eq!(ana.activities(&Default::default()).expect("runs").len(), 12);
    assert!(ben.activities(&Default::default()).expect("runs").is_empty(), "nothing reached Ben");
    assert!(ben.sessions(Timestamp::MIN, Timestamp::MAX).expect("sessions").is_empty());
}
