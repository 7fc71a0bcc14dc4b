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

#[test]
fn deletions_and_the_pull_on_postgres_touch_one_athlete_only() {
    let Some(server) = support::server() else {
        support::skipped("deletions_and_the_pull_on_postgres_touch_one_athlete_only");
        return;
    };
    let database = server.fresh_database();
    let db = database.connect();
    let (ana, ben) = (db.create_athlete("Ana").expect("ana"), db.create_athlete("Ben").expect("ben"));
    let (ana, ben) = (db.athlete(ana).expect("store"), db.athlete(ben).expect("store"));
    let text = |s: &dyn Store| runtall_domain::journal_format::to_jsonl(&journal_file::export(s).expect("export"));

    let dir = tempfile::tempdir().expect("dir");
    let local = SqliteStore::open(&dir.path().join("local.db")).expect("local");
    journal_file::import(&local, &Journal { runs: (0..6).map(run).collect(), ..Journal::default() }).expect("runs");
    // Ben holds the very same records (same stable ids) in his own account.
    let out = sync::outgoing(&local).expect("outgoing");
    let body = sync::encode_batch(&local, &out.batches[0], true, &[]).expect("encode");
    sync::apply_batch(&ana, &body, Timestamp::now()).expect("Ana's first sync");
    sync::apply_batch(&ben, &body, Timestamp::now()).expect("Ben's first sync");
    sync::acknowledge(&local, "https://clinic.example", &out.batches[0], &[]).expect("ack");
    let pull = |local: &SqliteStore| {
        let answer = sync::answer_pull(&ana, &sync::pull_request(local).expect("request"), Timestamp::now());
        sync::apply_pull(local, &answer.expect("pull"), Timestamp::now()).expect("apply the pull")
    };
    assert_eq!(pull(&local).records, 0, "nothing new on the server yet");

    // The runner deletes a run on the laptop; Ana deletes another in the browser.
    let runs = local.activities(&Default::default()).expect("runs");
    assert!(local.delete_activity(runs.iter().find(|r| r.key == "pg-run-2").expect("run").id).expect("delete"));
    let on_server = ana.activities(&Default::default()).expect("runs");
    assert!(ana.delete_activity(on_server.iter().find(|r| r.key == "pg-run-4").expect("run").id).expect("delete"));
    let out = sync::outgoing(&local).expect("outgoing");
    assert_eq!(out.deleted, ["run:pg-run-2"]);
    let body = sync::encode_batch(&local, &[], true, &out.deleted).expect("encode");
    assert_eq!(sync::apply_batch(&ana, &body, Timestamp::now()).expect("deletion").deleted, 1);
    sync::acknowledge(&local, "https://clinic.example", &[], &out.deleted).expect("ack");
    let pulled = pull(&local);
    assert_eq!((pulled.records, pulled.deleted), (0, 1), "{pulled:?}");
    assert_eq!(text(&ana), text(&local), "the laptop and Ana's records on PostgreSQL agree");
    assert_eq!(ana.activities(&Default::default()).expect("runs").len(), 4);
    assert_eq!(ben.activities(&Default::default()).expect("runs").len(), 6, "Ben's runs are all there");
}
