//! The statements each pooled connection keeps prepared (`src/conn.rs`): kept across calls, still working after a
//! call failed, prepared again after the server forgot them, and never carrying an athlete from one call to the
//! next.

mod support;

use runtall_store::accounts::{Accounts, Role};
use runtall_store::{Database, Store, StoreError};
use runtall_store_postgres::PgDatabase;
use runtall_store_tests::fixtures;

/// One value of the first row of `sql` run on the pool's (only) connection.
fn one(db: &PgDatabase, sql: &str) -> Option<String> {
    db.on_pooled_connection(sql).expect("query").into_iter().next().and_then(|r| r.into_iter().next().flatten())
}

fn kept(db: &PgDatabase) -> i64 {
    one(db, "SELECT count(*) FROM pg_prepared_statements").and_then(|n| n.parse().ok()).expect("a count")
}

fn named(db: &PgDatabase) -> String {
    one(db, "SELECT current_setting('app.athlete_id', true)").unwrap_or_default()
}

#[test]
fn a_connection_prepares_each_statement_once_and_keeps_it() {
    let Some(server) = support::server() else { return support::skipped("kept statements") };
    let database = server.fresh_database();
    // One connection: every call below takes the same one from the pool.
    let db = PgDatabase::connect_config(database.app.clone(), 1).expect("connect as the application role");
    let ana = db.create_athlete("Ana").expect("ana");
    let store = db.athlete(ana).expect("ana's store");
    store.save_profile(&fixtures::profile("Ana")).expect("profile");
    assert_eq!(store.profile().expect("profile").map(|p| p.name), Some("Ana".into()));
    let after_first = kept(&db);
    assert!(after_first > 0, "the calls' statements are kept on the connection");
    for _ in 0..5 {
        let again = db.athlete(ana).expect("ana's store");
        assert_eq!(again.profile().expect("profile").map(|p| p.name), Some("Ana".into()));
    }
    assert_eq!(kept(&db), after_first, "the same calls again prepare nothing new");
}

#[test]
fn a_failed_statement_leaves_its_kept_statement_working_and_the_connection_naming_nobody() {
    let Some(server) = support::server() else { return support::skipped("kept statements after a failure") };
    let database = server.fresh_database();
    let db = PgDatabase::connect_config(database.app.clone(), 1).expect("connect as the application role");
    db.create_account("pat@example.org", "Pat", Role::Clinician, None).expect("pat");
    // The same statement fails in the server (the email is taken) and then succeeds with another email.
    let taken = db.create_account("PAT@example.org", "Pat again", Role::Clinician, None);
    assert!(matches!(taken, Err(StoreError::Exists { .. })), "{taken:?}");
    db.create_account("kim@example.org", "Kim", Role::Clinician, None).expect("kim, on the same kept statement");

    // A store call that fails in its statement, inside its transaction: rolled back, and the next call on the same
    // connection runs the same kept statements for another athlete, as that athlete only.
    let (ana, ben) = (db.create_athlete("Ana").expect("ana"), db.create_athlete("Ben").expect("ben"));
    let anas = db.athlete(ana).expect("ana's store");
    anas.add_activity(&fixtures::run("2026-10-04T07:00:00Z", 30.0, 5.0, "one"), None).expect("run");
    let bad = anas.put_setting("\u{0}", &serde_json::json!(1));
    assert!(bad.is_err(), "PostgreSQL refuses a NUL in text: {bad:?}");
    assert_eq!(named(&db), "", "the failed call's connection names nobody");
    let bens = db.athlete(ben).expect("ben's store");
    bens.add_activity(&fixtures::run("2026-10-05T07:00:00Z", 30.0, 5.0, "two"), None).expect("run");
    let filter = runtall_store::ActivityFilter::default();
    assert_eq!(bens.activities(&filter).expect("list").len(), 1, "Ben's one run, not Ana's");
    assert_eq!(anas.activities(&filter).expect("list").len(), 1, "Ana's one run");
    assert_eq!(named(&db), "", "nor does the connection after the calls");
}

#[test]
fn statements_the_server_forgot_fail_one_call_and_are_prepared_again() {
    let Some(server) = support::server() else { return support::skipped("forgotten statements") };
    let database = server.fresh_database();
    let db = PgDatabase::connect_config(database.app.clone(), 1).expect("connect as the application role");
    let ana = db.create_athlete("Ana").expect("ana");
    let store = db.athlete(ana).expect("ana's store");
    store.save_profile(&fixtures::profile("Ana")).expect("profile");
    assert!(store.profile().expect("profile").is_some());
    // Something else on the connection (a pooler's reset, say) drops every prepared statement.
    db.on_pooled_connection("DEALLOCATE ALL").expect("deallocate");
    assert_eq!(kept(&db), 0);
    // The first call to send one fails; the connection then forgets every kept statement and prepares again.
    let mut failed = 0;
    for _ in 0..4 {
        match db.athlete(ana).and_then(|s| s.profile()) {
            Ok(p) => assert_eq!(p.map(|p| p.name), Some("Ana".into())),
            Err(_) => failed += 1,
        }
    }
    assert_eq!(failed, 1, "one call fails, the rest prepare again");
    assert_eq!(db.athlete(ana).expect("store").profile().expect("profile").map(|p| p.name), Some("Ana".into()));
    assert_eq!(named(&db), "");
}

#[test]
fn a_clinicians_view_prepared_by_name_survives_the_server_forgetting_it() {
    use runtall_store::accounts::Acceptance;
    let Some(server) = support::server() else { return support::skipped("the clinician's view, prepared") };
    let database = server.fresh_database();
    let db = PgDatabase::connect_config(database.app.clone(), 1).expect("connect as the application role");
    let pat = db.create_account("pat@example.org", "Pat", Role::Clinician, None).expect("pat");
    let ana = db.create_account("ana@example.org", "Ana", Role::Athlete, None).expect("ana");
    let now: jiff::Timestamp = "2026-12-01T10:00:00Z".parse().expect("time");
    let code = "a".repeat(64);
    db.add_invitation(&code, pat.id, now, now + jiff::SignedDuration::from_hours(1)).expect("invite");
    assert_eq!(db.accept_invitation(&code, ana.id, now).expect("accept"), Acceptance::Linked { clinician: pat.id });
    let ana_id = ana.athlete.expect("ana's");
    let view = || db.clinician_view(pat.id, ana_id, &["viewed-athlete", "viewed-report"]);
    let first = view().expect("view").expect("Pat follows Ana");
    assert_eq!((first.link.name.as_str(), first.last_visit), ("Ana", None));
    // Seen again on the same connection, with a visit since: the statement prepared once reads the new entry.
    let visit = runtall_domain::clinic::AuditEntry {
        at: now,
        actor_account: pat.id.get(),
        actor_name: "Pat".into(),
        action: "viewed-report".into(),
        detail: String::new(),
    };
    db.athlete(ana_id).expect("store").add_audit(&visit).expect("audit");
    assert_eq!(view().expect("view").expect("link").last_visit, Some(now));
    assert_eq!(named(&db), "");

    db.on_pooled_connection("DEALLOCATE ALL").expect("deallocate");
    assert!(view().is_err(), "the one call that finds its statement gone");
    assert_eq!(view().expect("view").expect("link").last_visit, Some(now), "prepared again");
    assert_eq!(named(&db), "", "neither call left the athlete named");
}
