//! A scoped handle (`Database::scope`): its calls share one connection and one transaction naming the athlete until
//! `end_scope`. Each call stays all or nothing, a request's writes are kept together or not at all, another
//! athlete's rows stay invisible, and the connection goes back to the pool with the transaction ended, naming
//! nobody.

mod support;

use runtall_domain::journal_format::LineError;
use runtall_store::{ActivityFilter, Database, JournalEntry, Store, StoreError};
use runtall_store_postgres::PgDatabase;
use runtall_store_tests::fixtures;
use serde_json::json;

/// A fresh database and the application role's pool of `connections` on it (the database lives as long as the
/// first part); `None`, said as skipped, without PostgreSQL.
fn pooled(what: &str, connections: u32) -> Option<(support::TestDatabase, PgDatabase)> {
    let Some(server) = support::server() else {
        support::skipped(what);
        return None;
    };
    let database = server.fresh_database();
    let db = PgDatabase::connect_config(database.app.clone(), connections).expect("connect as the application role");
    Some((database, db))
}

/// The athlete a pooled connection names (empty: nobody).
fn named(db: &PgDatabase) -> String {
    support::pooled_connection_state(db).0
}

/// Whether a pooled connection is inside a transaction block an earlier query left open.
fn in_transaction(db: &PgDatabase) -> bool {
    support::pooled_connection_state(db).1
}

#[test]
fn the_probe_for_an_open_transaction_sees_one() {
    let Some((_database, db)) = pooled("the transaction probe", 1) else { return };
    assert!(!in_transaction(&db));
    // Left open on the pool's only connection on purpose (the pool does not reset what it gets back).
    db.on_pooled_connection("BEGIN").expect("begin");
    assert!(in_transaction(&db));
    db.on_pooled_connection("ROLLBACK").expect("rollback");
    assert!(!in_transaction(&db));
}

fn setting(store: &impl Store, key: &str) -> Option<serde_json::Value> {
    store.setting(key).expect("setting")
}

fn bad_line() -> LineError {
    LineError { file: "journal.jsonl".into(), line: 2, field: "kind".into(), message: "unknown record".into() }
}

#[test]
fn a_scopes_calls_share_one_transaction_committed_at_its_end() {
    let Some((_database, db)) = pooled("scope commit", 2) else { return };
    let ana = db.create_athlete("Ana").expect("ana");
    let scope = db.scope(ana).expect("ana's scope");
    scope.save_profile(&fixtures::profile("Ana")).expect("profile");
    scope.put_setting("reminders", &json!({ "on": true })).expect("setting");
    // The scope reads its own writes; a handle of its own (another connection) does not see them yet.
    assert_eq!(scope.profile().expect("profile").map(|p| p.name), Some("Ana".into()));
    let plain = db.athlete(ana).expect("ana's store");
    assert_eq!(plain.profile().expect("profile"), None, "not committed yet");
    assert_eq!(setting(&plain, "reminders"), None);
    scope.end_scope(true).expect("commit");
    assert_eq!(plain.profile().expect("profile").map(|p| p.name), Some("Ana".into()));
    assert_eq!(setting(&plain, "reminders"), Some(json!({ "on": true })));
    // Ended: the handle's later calls fail rather than run outside any transaction; ending again does nothing.
    assert!(scope.profile().is_err());
    scope.end_scope(true).expect("ending twice");
    assert_eq!(named(&db), "");
}

#[test]
fn a_scope_ended_without_commit_keeps_nothing() {
    let Some((_database, db)) = pooled("scope rollback", 1) else { return };
    let ana = db.create_athlete("Ana").expect("ana");
    let scope = db.scope(ana).expect("ana's scope");
    scope.put_day_log(&fixtures::day("2026-10-01", true)).expect("day");
    let revision = scope.journal_revision().expect("revision");
    assert!(revision > 0, "the write moved the revision inside the scope");
    scope.end_scope(false).expect("rollback");
    let plain = db.athlete(ana).expect("store");
    let (from, to) = (fixtures::date("2026-09-01"), fixtures::date("2026-11-01"));
    assert!(plain.day_logs(from, to).expect("days").is_empty());
    assert_eq!(plain.journal_revision().expect("revision"), 0);

    // Dropped without ending (a panic, a cancelled request): the same.
    let scope = db.scope(ana).expect("ana's scope");
    scope.put_day_log(&fixtures::day("2026-10-02", true)).expect("day");
    drop(scope);
    assert!(plain.day_logs(from, to).expect("days").is_empty());
    assert_eq!((named(&db), in_transaction(&db)), (String::new(), false), "the connection is back, clean");
}

#[test]
fn a_failed_write_in_a_scope_leaves_nothing_of_itself_and_the_rest_is_kept() {
    let Some((_database, db)) = pooled("a failed write in a scope", 1) else { return };
    let ana = db.create_athlete("Ana").expect("ana");
    let scope = db.scope(ana).expect("ana's scope");
    scope.put_day_log(&fixtures::day("2026-10-01", true)).expect("before");
    // A write that fails half-way, after it wrote a day: a journal whose second record is bad.
    let mut entries = vec![Ok(JournalEntry::Day(fixtures::day("2026-10-02", true))), Err(bad_line())].into_iter();
    let failed = scope.import_journal_entries(&mut entries);
    assert!(matches!(failed, Err(StoreError::Journal(_))), "{failed:?}");
    // A write the server refuses in its statement (PostgreSQL's text holds no NUL): the transaction goes on.
    assert!(scope.put_setting("\u{0}", &json!(1)).is_err());
    scope.put_day_log(&fixtures::day("2026-10-03", true)).expect("after");
    scope.end_scope(true).expect("commit");
    let days = db.athlete(ana).expect("store").day_logs(fixtures::date("2026-09-01"), fixtures::date("2026-11-01"));
    let dates: Vec<String> = days.expect("days").iter().map(|d| d.date.to_string()).collect();
    assert_eq!(dates, ["2026-10-01", "2026-10-03"], "the failed import's day is not kept, the others are");
    assert_eq!((named(&db), in_transaction(&db)), (String::new(), false));
}

#[test]
fn a_failed_read_in_a_scope_keeps_none_of_its_writes() {
    let Some((_database, db)) = pooled("a failed read in a scope", 1) else { return };
    let ana = db.create_athlete("Ana").expect("ana");
    let scope = db.scope(ana).expect("ana's scope");
    scope.put_day_log(&fixtures::day("2026-10-01", true)).expect("day");
    // The server refuses the read's parameter, which aborts the transaction.
    assert!(scope.setting("\u{0}").is_err());
    let later = scope.put_day_log(&fixtures::day("2026-10-02", true));
    assert!(later.is_err(), "a later call is refused, not run half-way: {later:?}");
    let ended = scope.end_scope(true);
    assert!(ended.is_err(), "the commit says nothing was kept: {ended:?}");
    let days = db.athlete(ana).expect("store").day_logs(fixtures::date("2026-09-01"), fixtures::date("2026-11-01"));
    assert!(days.expect("days").is_empty());
    // The one connection serves the next call, as nobody.
    assert_eq!((named(&db), in_transaction(&db)), (String::new(), false));
    db.athlete(ana).expect("store").put_day_log(&fixtures::day("2026-10-04", true)).expect("the next call works");
}

#[test]
fn a_scope_sees_only_its_athlete_and_its_connection_goes_back_naming_nobody() {
    let Some((database, db)) = pooled("scope isolation", 1) else { return };
    let (ana, ben) = (db.create_athlete("Ana").expect("ana"), db.create_athlete("Ben").expect("ben"));
    let bens = db.athlete(ben).expect("ben's store");
    bens.save_profile(&fixtures::profile("Ben")).expect("profile");
    let AddedRun(bens_run) = AddedRun::of(&bens, "ben");
    let scope = db.scope(ana).expect("ana's scope");
    let AddedRun(anas_run) = AddedRun::of(&scope, "ana");
    assert_eq!(scope.profile().expect("profile"), None, "Ben's profile is not Ana's");
    let listed: Vec<i64> = scope.activities(&ActivityFilter::default()).expect("list").iter().map(|r| r.id).collect();
    assert_eq!(listed, [anas_run]);
    assert_eq!(scope.activity(bens_run).expect("read"), None, "Ben's run answers as missing");
    assert!(!scope.delete_activity(bens_run).expect("delete"), "and cannot be deleted");
    scope.end_scope(true).expect("commit");
    assert_eq!((named(&db), in_transaction(&db)), (String::new(), false));
    // The same (only) connection, now Ben's: Ana's committed run is not his.
    let bens_list: Vec<i64> = bens.activities(&ActivityFilter::default()).expect("list").iter().map(|r| r.id).collect();
    assert_eq!(bens_list, [bens_run]);
    assert_eq!(database.rows_as_app_role_without_athlete("activities"), 0);
}

#[test]
fn a_scope_for_no_such_athlete_is_refused_and_leaves_the_connection_clean() {
    let Some((_database, db)) = pooled("scope of nobody", 1) else { return };
    let missing = db.scope(runtall_store::AthleteId::new(4242));
    assert!(matches!(missing, Err(StoreError::NotFound { what: "athlete", id: 4242 })), "{:?}", missing.err());
    assert_eq!((named(&db), in_transaction(&db)), (String::new(), false));
}

/// The id of a run just added.
struct AddedRun(i64);

impl AddedRun {
    fn of(store: &impl Store, hash: &str) -> AddedRun {
        match store.add_activity(&fixtures::run("2026-10-04T07:00:00Z", 30.0, 5.0, hash), None).expect("run") {
            runtall_store::AddOutcome::Added { id } => AddedRun(id),
            other => panic!("not added: {other:?}"),
        }
    }
}

#[test]
fn reads_a_scope_answers_again_from_memory_follow_its_own_writes_and_fail_with_it() {
    let Some((_database, db)) = pooled("a scope's repeated reads", 2) else { return };
    let ana = db.create_athlete("Ana").expect("ana");
    let scope = db.scope(ana).expect("ana's scope");
    assert_eq!(scope.latest_screening().expect("screen"), None);
    assert_eq!(scope.latest_assessment().expect("assessment"), None);
    let revision = scope.journal_revision().expect("revision");
    assert_eq!(scope.journal_revision().expect("again"), revision);
    // The scope's own writes are read back at once, though the reads were answered before.
    let id = scope.add_screening(&fixtures::screening("2026-10-01T08:00:00Z", &[])).expect("screen");
    assert_eq!(scope.latest_screening().expect("screen").and_then(|s| s.id), Some(id));
    assert!(scope.journal_revision().expect("revision") > revision);
    let assessment = scope.add_assessment(&fixtures::assessment("2026-10-01T09:00:00Z")).expect("assessment");
    assert_eq!(scope.latest_assessment().expect("assessment").and_then(|a| a.id), Some(assessment));
    let after = scope.journal_revision().expect("revision");
    // Once the scope has failed, even a read it holds in memory fails.
    assert!(scope.setting("\u{0}").is_err());
    assert!(scope.journal_revision().is_err(), "not answered from memory after the failure");
    assert!(scope.latest_screening().is_err());
    assert!(scope.end_scope(true).is_err());
    let plain = db.athlete(ana).expect("store");
    assert_eq!(plain.latest_screening().expect("screen"), None, "nothing of the failed scope was kept");
    assert!(plain.journal_revision().expect("revision") < after);
}
