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

#[test]
fn audit_batches_write_each_entry_as_its_athlete_and_leave_the_connection_naming_nobody() {
    use runtall_store::dashboard::Dashboards;
    let Some(server) = support::server() else { return support::skipped("audit batches") };
    let database = server.fresh_database();
    let db = PgDatabase::connect_config(database.app.clone(), 1).expect("connect as the application role");
    let (ana, ben) = (db.create_athlete("Ana").expect("ana"), db.create_athlete("Ben").expect("ben"));
    let at = |s: &str| s.parse::<jiff::Timestamp>().expect("time");
    let entry = |s: &str, action: &str| runtall_domain::clinic::AuditEntry {
        at: at(s),
        actor_account: 7,
        actor_name: "Pat O'Neil; DROP TABLE audit_log".into(),
        action: action.into(),
        detail: "it's \u{1F3C3} $$ \\".into(),
    };
    // One athlete's entries alone: one statement, its own transaction.
    db.add_audit_entries(&[(ana, entry("2026-12-01T10:00:00Z", "one"))]).expect("alone");
    assert_eq!(named(&db), "");
    // Several athletes, in runs: Ana twice, Ben, Ana again.
    let batch = [
        (ana, entry("2026-12-01T10:01:00Z", "two")),
        (ana, entry("2026-12-01T10:01:00Z", "three")),
        (ben, entry("2026-12-01T10:02:00Z", "four")),
        (ana, entry("2026-12-01T10:03:00Z", "five")),
    ];
    db.add_audit_entries(&batch).expect("batch");
    assert_eq!(named(&db), "", "the batch's connection names nobody afterwards");
    let log = |id| {
        let from = at("2026-12-01T00:00:00Z");
        let entries = db.athlete(id).expect("store").audit_log(from, from + jiff::SignedDuration::from_hours(24));
        entries.expect("log").into_iter().map(|e| (e.action, e.actor_name, e.detail)).collect::<Vec<_>>()
    };
    let anas = log(ana);
    let actions: Vec<&str> = anas.iter().map(|(a, _, _)| a.as_str()).collect();
    assert_eq!(actions, ["one", "two", "three", "five"], "Ana's, in order");
    assert!(anas.iter().all(|(_, n, d)| n == "Pat O'Neil; DROP TABLE audit_log" && d == "it's \u{1F3C3} $$ \\"));
    assert_eq!(log(ben).iter().map(|(a, _, _)| a.as_str()).collect::<Vec<_>>(), ["four"], "Ben's only");
    assert_eq!(database.rows_as_app_role_without_athlete("audit_log"), 0);
}

#[test]
fn a_first_import_leaves_statistics_so_look_ups_by_content_hash_use_the_unique_key() {
    use runtall_store::JournalEntry;
    let Some(server) = support::server() else { return support::skipped("plans of a batch import") };
    let database = server.fresh_database();
    let db = PgDatabase::connect_config(database.app.clone(), 1).expect("connect as the application role");
    let ana = db.create_athlete("Ana").expect("ana");
    let store = db.athlete(ana).expect("ana's store");
    // A first sync on a new server: batches of runs with their context, into a table without statistics.
    for batch in 0..4 {
        let entries: Vec<_> = (0..100)
            .map(|i| {
                let n = batch * 100 + i;
                let start = format!("20{}-{:02}-{:02}T07:00:00Z", 20 + n / 336, 1 + n % 336 / 28, 1 + n % 28);
                Ok(JournalEntry::Run {
                    activity: Box::new(fixtures::run(&start, 5.0, 1.0, &format!("hash-{n}"))),
                    classification: None,
                    context: Some(fixtures::context(0, n % 2 == 0)),
                    samples_blob: None,
                })
            })
            .collect();
        let stats = store.import_journal_entries(&mut entries.into_iter()).expect("import");
        assert_eq!(stats.runs_added, 100);
    }
    // The look-up by content hash ran 400 times on the pool's one connection. Its plan is PostgreSQL's generic one
    // by now; made after its fifth run on a table without statistics, it would read every run of the athlete
    // through the `(athlete_id, label, start_epoch)` index. The first batch left statistics (PostgreSQL step 8),
    // and the plan made after them uses the unique key.
    let name = one(
        &db,
        "SELECT name FROM pg_prepared_statements
         WHERE statement = 'SELECT id FROM activities WHERE athlete_id = $1 AND content_hash = $2'",
    )
    .expect("the look-up is kept on the connection");
    let plan = db.on_pooled_connection(&format!("EXPLAIN EXECUTE {name}({}, 'hash-7')", ana.get())).expect("plan");
    let plan: Vec<String> = plan.into_iter().flatten().flatten().collect();
    let plan = plan.join("\n");
    assert!(plan.contains("activities_athlete_id_content_hash_key"), "{plan}");
    assert!(!plan.contains("activities_label"), "{plan}");
    assert_eq!(named(&db), "");
}
