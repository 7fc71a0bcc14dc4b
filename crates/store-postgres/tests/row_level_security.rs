//! What only the PostgreSQL store has: row-level security as the second line of defence, the application role it
//! insists on, and its own migrations.

mod support;

use postgres::NoTls;
use runtall_store::{Database, Store, StoreError};
use runtall_store_postgres::{PgDatabase, SCHEMA_VERSION};
use serde_json::json;

/// Every table with an `athlete_id` column, read from the catalogue (not from the store's own list, so a table
/// added without a policy is caught), with whether row-level security is on for it.
fn athlete_tables(c: &mut impl postgres::GenericClient) -> Vec<(String, bool)> {
    let rows = c
        .query(
            "SELECT c.relname::text, c.relrowsecurity FROM pg_class c
             JOIN pg_attribute a ON a.attrelid = c.oid AND a.attname = 'athlete_id' AND NOT a.attisdropped
             WHERE c.relkind = 'r' AND c.relnamespace = current_schema()::regnamespace ORDER BY 1",
            &[],
        )
        .expect("catalogue");
    // The server-level tables (accounts, links) are outside row-level security by design; exactly those.
    rows.iter()
        .map(|r| (r.get::<_, String>(0), r.get(1)))
        .filter(|(name, _)| !runtall_store_postgres::migrations::SERVER_TABLES.contains(&name.as_str()))
        .collect()
}

/// Two athletes with a record in every kind of table.
fn two_athletes(db: &PgDatabase) -> (i64, i64) {
    let mut ids = Vec::new();
    for name in ["Ana", "Ben"] {
        let id = db.create_athlete(name).expect("create");
        let s = db.athlete(id).expect("handle");
        s.save_profile(&runtall_domain::profile::Profile { name: name.into(), ..Default::default() }).expect("profile");
        s.add_activity(&runtall_store_tests::fixtures::run("2026-10-04T07:00:00Z", 30.0, 5.0, name), None)
            .expect("run");
        s.put_setting("reminders", &json!({ "on": true })).expect("setting");
        s.add_posture("2026-10-02".parse().expect("date"), "standing", &json!({})).expect("posture");
        clinic_records(&s);
        ids.push(id.get());
    }
    (ids[0], ids[1])
}

/// A clinician's program change, comment and audit entry.
fn clinic_records(s: &impl Store) {
    use runtall_domain::clinic::{AuditEntry, Change, Comment, CommentOn, ProgramChange};
    let at: jiff::Timestamp = "2026-10-05T09:00:00Z".parse().expect("time");
    let by = "Ines Ferreira, PT".to_string();
    let change = ProgramChange { key: "pc-1".into(), at, by: by.clone(), change: Change::Note { text: "Easy".into() } };
    s.add_program_change(&change).expect("program change");
    let on = CommentOn::Run { run: "hash".into() };
    s.add_comment(&Comment { key: "c-1".into(), at, by, on, text: "Good".into() }).expect("comment");
    let entry = AuditEntry {
        at,
        actor_account: 1,
        actor_name: "Ines".into(),
        action: "viewed-report".into(),
        detail: "report".into(),
    };
    s.add_audit(&entry).expect("audit");
}

/// The server's own words for a failed statement.
fn message(e: &postgres::Error) -> String {
    e.as_db_error().map_or_else(|| e.to_string(), |d| d.message().to_string())
}

fn count(c: &mut impl postgres::GenericClient, table: &str) -> i64 {
    c.query_one(&format!("SELECT count(*) FROM {table}"), &[]).expect("count").get(0)
}

#[test]
fn the_application_role_sees_no_rows_without_an_athlete_and_only_that_athletes_with_one() {
    let Some(server) = support::server() else { return support::skipped("row-level security") };
    let database = server.fresh_database();
    let (ana, ben) = two_athletes(&database.connect());

    // The owner sees everyone's rows: the data is there.
    let mut owner = database.owner.connect(NoTls).expect("owner");
    assert_eq!(count(&mut owner, "activities"), 2);
    assert_eq!(count(&mut owner, "journal_revision"), 2);

    // Every per-athlete table is under row-level security.
    let tables = athlete_tables(&mut owner);
    assert_eq!(tables.len(), 19, "the per-athlete tables: {tables:?}");
    for (table, secured) in &tables {
        assert!(secured, "{table} has row-level security");
    }
    // The application role, with no athlete named, sees nothing in any of them.
    let mut app = database.app.connect(NoTls).expect("application role");
    for (table, _) in &tables {
        assert_eq!(count(&mut app, table), 0, "{table} without an athlete set");
    }
    // Nor can it write a row for anyone.
    let err = app
        .execute("INSERT INTO settings (athlete_id, key, data, updated_at) VALUES ($1, 'x', '{}', 'now')", &[&ana])
        .expect_err("a write without an athlete is refused");
    assert!(message(&err).contains("row-level security"), "{err:?}");

    // Naming Ana for one transaction shows Ana's rows only, even to a query that forgets the athlete.
    let mut tx = app.transaction().expect("transaction");
    tx.execute("SELECT set_config('app.athlete_id', $1, true)", &[&ana.to_string()]).expect("set athlete");
    let owners: Vec<i64> =
        tx.query("SELECT athlete_id FROM activities", &[]).expect("rows").iter().map(|r| r.get(0)).collect();
    assert_eq!(owners, [ana]);
    // Ana's settings as the owner counts them (her reminder settings, and the profile's later fields).
    let anas: i64 =
        owner.query_one("SELECT count(*) FROM settings WHERE athlete_id = $1", &[&ana]).expect("count").get(0);
    assert!(anas >= 1 && anas < count(&mut owner, "settings"), "Ben has settings too");
    let changed = tx.execute("UPDATE settings SET data = '{\"on\": false}'", &[]).expect("update without a filter");
    assert_eq!(changed, anas as u64, "an update that forgets the athlete changes Ana's settings only");
    let err = tx
        .execute("INSERT INTO settings (athlete_id, key, data, updated_at) VALUES ($1, 'x', '{}', 'now')", &[&ben])
        .expect_err("writing Ben's row as Ana is refused");
    assert!(message(&err).contains("row-level security"), "{err:?}");
    drop(tx);

    // After the transaction the setting is empty again (not unset): still no rows, and no error.
    let mut tx = app.transaction().expect("transaction");
    tx.execute("SELECT set_config('app.athlete_id', $1, true)", &[&ben.to_string()]).expect("set athlete");
    assert_eq!(count(&mut tx, "activities"), 1);
    tx.commit().expect("commit");
    for (table, _) in &tables {
        assert_eq!(count(&mut app, table), 0, "{table} after a transaction that named an athlete");
    }
    // Ben's setting was not touched by the rolled-back update, nor Ana's (rolled back with it).
    let db = database.connect();
    for id in [ana, ben] {
        let s = db.athlete(runtall_store::AthleteId::new(id)).expect("handle");
        assert_eq!(s.setting("reminders").expect("setting"), Some(json!({ "on": true })));
    }
}

#[test]
fn a_role_that_bypasses_row_level_security_is_refused() {
    let Some(server) = support::server() else { return support::skipped("role check") };
    let database = server.fresh_database();
    // The owner (here also the administrator) would bypass every policy.
    match PgDatabase::connect_config(database.owner.clone(), 2) {
        Err(StoreError::Open { detail, .. }) => assert!(detail.contains("row-level security"), "{detail}"),
        Err(other) => panic!("refused for the wrong reason: {other}"),
        Ok(_) => panic!("the owner must not be accepted as the application role"),
    }
    // So would an ordinary role that owns the tables.
    let mut admin = database.owner.connect(NoTls).expect("owner");
    admin
        .batch_execute(
            "DO $$ BEGIN
                 IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'runtall_owner_test') THEN
                     CREATE ROLE runtall_owner_test LOGIN PASSWORD 'runtall-owner-test';
                 END IF;
             END $$;
             ALTER TABLE activities OWNER TO runtall_owner_test;
             GRANT SELECT ON runtall_schema TO runtall_owner_test;",
        )
        .expect("an owner that is no superuser");
    let mut owner = database.app.clone();
    owner.user("runtall_owner_test").password("runtall-owner-test");
    match PgDatabase::connect_config(owner, 2) {
        Err(StoreError::Open { detail, .. }) => assert!(detail.contains("row-level security"), "{detail}"),
        Err(other) => panic!("refused for the wrong reason: {other}"),
        Ok(_) => panic!("a role owning the tables must not be accepted as the application role"),
    }
    assert!(database.connect().athletes().expect("athletes").is_empty(), "the application role is accepted");
}

#[test]
fn migrations_run_once_and_a_newer_or_missing_schema_is_refused() {
    let Some(server) = support::server() else { return support::skipped("migrations") };
    let database = server.fresh_database();
    let db = database.connect();
    assert_eq!(db.schema_version().expect("version"), SCHEMA_VERSION);
    let id = db.create_athlete("Ana").expect("create");
    db.athlete(id).expect("handle").put_setting("k", &json!(1)).expect("setting");
    // Migrating again changes nothing and keeps the data.
    PgDatabase::migrate_config(&database.owner, support::APP_ROLE).expect("migrate again");
    assert_eq!(db.athlete(id).expect("handle").setting("k").expect("setting"), Some(json!(1)));

    // A database a newer runtall migrated is refused, untouched.
    let mut owner = database.owner.connect(NoTls).expect("owner");
    owner.execute("UPDATE runtall_schema SET version = version + 1", &[]).expect("bump");
    assert!(matches!(
        PgDatabase::migrate_config(&database.owner, support::APP_ROLE),
        Err(StoreError::TooNew { found, known, .. }) if found == SCHEMA_VERSION + 1 && known == SCHEMA_VERSION
    ));
    assert!(matches!(PgDatabase::connect_config(database.app.clone(), 2), Err(StoreError::TooNew { .. })));
    assert_eq!(count(&mut owner, "settings"), 1, "nothing was changed");

    // A database that does not exist is refused at once, in the server's words.
    let mut missing = database.app.clone();
    missing.dbname("runtall_no_such_database");
    match PgDatabase::connect_config(missing, 2) {
        Err(StoreError::Open { detail, .. }) => assert!(detail.contains("does not exist"), "{detail}"),
        Err(other) => panic!("refused for the wrong reason: {other}"),
        Ok(_) => panic!("a missing database must be refused"),
    }

    // A database nobody migrated is refused with what to do.
    let empty = server.fresh_database();
    let mut owner = empty.owner.connect(NoTls).expect("owner");
    owner.batch_execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public;").expect("empty the database");
    owner.batch_execute(&format!("GRANT USAGE ON SCHEMA public TO {}", support::APP_ROLE)).expect("grant");
    match PgDatabase::connect_config(empty.app.clone(), 2) {
        Err(StoreError::Open { detail, .. }) => assert!(detail.contains("run the migrations"), "{detail}"),
        Err(other) => panic!("refused for the wrong reason: {other}"),
        Ok(_) => panic!("an empty database must be refused"),
    }
}

/// Two writers of one athlete adding the same file at once: PostgreSQL's default isolation would let both find no
/// duplicate (and the second fail on the unique key); the athlete's advisory lock makes them take turns, so one
/// stores it and the other is told it is a duplicate. Likewise two experiments started at once leave one active.
#[test]
fn concurrent_writers_of_one_athlete_take_turns() {
    use runtall_store::AddOutcome;
    use std::sync::{Arc, Barrier};
    let Some(server) = support::server() else { return support::skipped("concurrent writers") };
    let database = server.fresh_database();
    let (db1, db2) = (database.connect(), database.connect());
    let ana = db1.create_athlete("Ana").expect("create");
    for round in 0..8 {
        let barrier = Arc::new(Barrier::new(2));
        let threads: Vec<_> = [db1.athlete(ana).expect("handle"), db2.athlete(ana).expect("handle")]
            .into_iter()
            .map(|store| {
                let barrier = Arc::clone(&barrier);
                std::thread::spawn(move || {
                    let start = format!("2026-10-{:02}T07:00:00Z", round + 1);
                    let run = runtall_store_tests::fixtures::run(&start, 30.0, 5.0, &format!("same-{round}"));
                    // No panics between the barriers: a failing writer must not leave the other waiting.
                    barrier.wait();
                    let added = store.add_activity(&run, None);
                    barrier.wait();
                    let started = "2026-10-01".parse().expect("date");
                    let experiment = store.put_experiment(None, started, true, &json!({ "round": round }));
                    (added, experiment)
                })
            })
            .collect();
        let results: Vec<(AddOutcome, i64)> = threads
            .into_iter()
            .map(|t| {
                let (added, experiment) = t.join().expect("writer");
                (added.expect("add under contention"), experiment.expect("experiment under contention"))
            })
            .collect();
        let stored = results.iter().filter(|(a, _)| matches!(a, AddOutcome::Added { .. })).count();
        let duplicate = results.iter().filter(|(a, _)| matches!(a, AddOutcome::DuplicateFile { .. })).count();
        assert_eq!((stored, duplicate), (1, 1), "round {round}: {results:?}");
        let store = db1.athlete(ana).expect("handle");
        let active = store.experiments().expect("experiments").iter().filter(|(_, active, _)| *active).count();
        assert_eq!(active, 1, "round {round}: one experiment active");
    }
}

/// The dashboard's one statement runs as the tables' owner (row-level security would otherwise keep it to one
/// athlete), so it must confine itself: the application role calling it gets a clinician's current athletes and
/// nothing else, cannot reach the audit log or the journal through it, and nobody but the application role may call
/// it at all.
#[test]
fn the_dashboard_function_answers_only_for_a_clinicians_current_links() {
    use runtall_store::accounts::{Acceptance, Accounts, Role};
    use runtall_store::dashboard::Dashboards;
    let Some(server) = support::server() else { return support::skipped("the dashboard function") };
    let database = server.fresh_database();
    let db = database.connect();
    let pat = db.create_account("pat@example.org", "Pat", Role::Clinician, None).expect("pat");
    let kim = db.create_account("kim@example.org", "Kim", Role::Clinician, None).expect("kim");
    let ana = db.create_account("ana@example.org", "Ana", Role::Athlete, None).expect("ana");
    let ben = db.create_account("ben@example.org", "Ben", Role::Athlete, None).expect("ben");
    let now: jiff::Timestamp = "2026-12-01T10:00:00Z".parse().expect("time");
    for (code, by, athlete) in [("a".repeat(64), pat.id, ana.id), ("b".repeat(64), kim.id, ben.id)] {
        db.add_invitation(&code, by, now, now + jiff::SignedDuration::from_hours(1)).expect("invite");
        assert_eq!(db.accept_invitation(&code, athlete, now).expect("accept"), Acceptance::Linked { clinician: by });
    }
    let (ana_id, ben_id) = (ana.athlete.expect("ana's"), ben.athlete.expect("ben's"));
    clinic_records(&db.athlete(ben_id).expect("ben's store"));

    // As the application role, straight SQL with no athlete named: Pat's call returns Ana alone, never Kim's Ben;
    // Kim's returns Ben; an athlete's account and an unknown one return nothing.
    let mut app = database.app.connect(NoTls).expect("application role");
    let athletes = |c: &mut postgres::Client, who: i64| -> Vec<i64> {
        c.query(
            "SELECT athlete_id FROM runtall_dashboard_state($1, ARRAY['viewed-report'], 'viewed-dashboard')",
            &[&who],
        )
        .expect("call")
        .iter()
        .map(|r| r.get(0))
        .collect()
    };
    assert_eq!(athletes(&mut app, pat.id.get()), [ana_id.get()]);
    assert_eq!(athletes(&mut app, kim.id.get()), [ben_id.get()]);
    assert!(athletes(&mut app, ana.id.get()).is_empty() && athletes(&mut app, 0).is_empty());
    // Ben's log holds a `viewed-report` entry by another account (`clinic_records`): Kim's last visit is her own.
    let kims_visit: Option<i64> = app
        .query_one(
            "SELECT last_visit_us FROM runtall_dashboard_state($1, ARRAY['viewed-report'], 'viewed-dashboard')",
            &[&kim.id.get()],
        )
        .expect("call")
        .get(0);
    assert_eq!(kims_visit, None);
    // The function lent its rights for its own statement only: the audit log is still closed to the role.
    assert_eq!(count(&mut app, "audit_log"), 0);
    // Through the store, the same answer; a revoked link is gone at once.
    assert_eq!(db.dashboard_state(pat.id, &["viewed-report"], "viewed-dashboard").expect("state").len(), 1);
    assert!(db.revoke_link(ana_id, pat.id).expect("revoke"));
    assert!(athletes(&mut app, pat.id.get()).is_empty(), "revoked");

    // It runs as the owner with a pinned search path, and only the application role may call it.
    assert_confined_definer(&database, "runtall_dashboard_state");
}

/// The dashboard versions move through triggers that run as the tables' owner: a journal write as the application
/// role (under row-level security, one athlete named) moves the version of the clinician who follows that athlete,
/// while the role itself can read the counters but never write one (a counter set back would make a stale
/// dashboard look current). The trigger functions run with a pinned search path and nobody may call them.
#[test]
fn dashboard_versions_move_under_row_level_security_and_the_application_cannot_set_them() {
    use runtall_store::accounts::{Accounts, Role};
    use runtall_store::dashboard::Dashboards;
    let Some(server) = support::server() else { return support::skipped("the dashboard versions") };
    let database = server.fresh_database();
    let db = database.connect();
    let pat = db.create_account("pat@example.org", "Pat", Role::Clinician, None).expect("pat");
    let ana = db.create_account("ana@example.org", "Ana", Role::Athlete, None).expect("ana");
    let now: jiff::Timestamp = "2026-12-01T10:00:00Z".parse().expect("time");
    let code = "c".repeat(64);
    db.add_invitation(&code, pat.id, now, now + jiff::SignedDuration::from_hours(1)).expect("invite");
    db.accept_invitation(&code, ana.id, now).expect("accept");
    let ana_id = ana.athlete.expect("ana's");

    let before = db.dashboard_version(pat.id).expect("version");
    let mut app = database.app.connect(NoTls).expect("application role");
    let mut tx = app.transaction().expect("transaction");
    tx.execute("SELECT set_config('app.athlete_id', $1, true)", &[&ana_id.get().to_string()]).expect("set athlete");
    tx.execute("INSERT INTO day_logs (athlete_id, date, data) VALUES ($1, '2026-12-01', '{}')", &[&ana_id.get()])
        .expect("a journal write as Ana");
    tx.commit().expect("commit");
    assert!(db.dashboard_version(pat.id).expect("version") > before, "Ana's journal moved Pat's dashboard");

    let seen: i64 = app
        .query_one("SELECT version FROM clinician_dashboard WHERE clinician_id = $1", &[&pat.id.get()])
        .expect("the role reads the counters")
        .get(0);
    for sql in [
        "UPDATE clinician_dashboard SET version = 0",
        "DELETE FROM clinician_dashboard",
        "INSERT INTO clinician_dashboard (clinician_id, version) VALUES (424242, 1)",
    ] {
        let err = app.execute(sql, &[]).expect_err("the role cannot write the counters");
        assert!(message(&err).contains("permission denied"), "{sql}: {err:?}");
    }
    assert_eq!(db.dashboard_version(pat.id).expect("version"), u64::try_from(seen).expect("positive"));

    let mut owner = database.owner.connect(NoTls).expect("owner");
    let rows = owner
        .query(
            "SELECT p.proname::text, p.prosecdef, array_to_string(p.proconfig, ','),
                    has_function_privilege('public', p.oid, 'EXECUTE')
             FROM pg_proc p WHERE p.proname LIKE 'runtall_dashboard_on_%' OR p.proname = 'runtall_bump_followers'",
            &[],
        )
        .expect("catalogue");
    assert_eq!(rows.len(), 5, "four trigger functions and their helper");
    for row in rows {
        let (name, definer, config, public): (String, bool, Option<String>, bool) =
            (row.get(0), row.get(1), row.get(2), row.get(3));
        let config = config.unwrap_or_default();
        assert!(definer || name == "runtall_bump_followers", "{name} runs as the owner");
        assert!(config.starts_with("search_path=") && config.ends_with("pg_temp"), "{name}: {config}");
        assert!(!public, "{name}: nobody may call it");
    }
}

#[test]
fn a_clinicians_view_names_the_athlete_for_its_own_query_only() {
    use runtall_store::accounts::{Acceptance, Accounts, Role};
    let Some(server) = support::server() else { return support::skipped("the clinician's view") };
    let database = server.fresh_database();
    // One connection: every call below takes the same one from the pool.
    let db = PgDatabase::connect_config(database.app.clone(), 1).expect("connect as the application role");
    let pat = db.create_account("pat@example.org", "Pat", Role::Clinician, None).expect("pat");
    let ana = db.create_account("ana@example.org", "Ana", Role::Athlete, None).expect("ana");
    let ben = db.create_account("ben@example.org", "Ben", Role::Athlete, None).expect("ben");
    let now: jiff::Timestamp = "2026-12-01T10:00:00Z".parse().expect("time");
    let code = "a".repeat(64);
    db.add_invitation(&code, pat.id, now, now + jiff::SignedDuration::from_hours(1)).expect("invite");
    assert_eq!(db.accept_invitation(&code, ana.id, now).expect("accept"), Acceptance::Linked { clinician: pat.id });
    let (ana_id, ben_id) = (ana.athlete.expect("ana's"), ben.athlete.expect("ben's"));
    clinic_records(&db.athlete(ana_id).expect("ana's store"));
    clinic_records(&db.athlete(ben_id).expect("ben's store"));

    // The view reads Ana's revision under her policies (a revision hidden from it would be no row at all).
    let view = db.clinician_view(pat.id, ana_id, &["viewed-report"]).expect("view").expect("Pat follows Ana");
    assert_eq!(view.revision, db.athlete(ana_id).expect("store").journal_revision().expect("revision"));
    assert_eq!(view.link.name, "Ana");
    assert_eq!(db.clinician_view(pat.id, ben_id, &["viewed-report"]).expect("view"), None, "no link to Ben");

    // What it relies on, as the application role in straight SQL: a query of several statements is one
    // transaction, so naming the athlete in its first statement holds for the rest of that query and for nothing
    // after it on the same connection.
    let mut app = database.app.connect(NoTls).expect("application role");
    let named = app
        .simple_query(&format!(
            "SELECT set_config('app.athlete_id', '{}', true); SELECT count(*) FROM audit_log",
            ana_id.get()
        ))
        .expect("query");
    let counted: Vec<&str> = named
        .iter()
        .filter_map(|m| match m {
            postgres::SimpleQueryMessage::Row(r) => r.get(0),
            _ => None,
        })
        .collect();
    assert_eq!(counted[1], "1", "Ana's one audit entry, and not Ben's");
    assert_eq!(count(&mut app, "audit_log"), 0, "the next statement on the connection names nobody");
}

#[test]
fn a_failed_call_leaves_its_connection_naming_nobody_and_free_of_its_transaction() {
    use runtall_store_tests::fixtures;
    let Some(server) = support::server() else { return support::skipped("a failed call's connection") };
    let database = server.fresh_database();
    // One connection: every call below takes the same one from the pool.
    let db = PgDatabase::connect_config(database.app.clone(), 1).expect("connect as the application role");
    let (ana, ben) = (db.create_athlete("Ana").expect("ana"), db.create_athlete("Ben").expect("ben"));
    let anas = db.athlete(ana).expect("ana's store");
    anas.save_profile(&fixtures::profile("Ana")).expect("profile");
    let plans_before = anas.plans().expect("plans").len();
    // Fails inside its transaction (the screen it names is not Ana's): rolled back, nothing written.
    let failed = anas.add_plan(&fixtures::plan("2026-10-01T08:00:00Z", Some(987_654), None));
    assert!(matches!(failed, Err(StoreError::NotFound { .. })), "{failed:?}");
    assert_eq!(anas.plans().expect("plans").len(), plans_before, "nothing of the failed call stays");
    // The same connection serves Ben next, as Ben only, and commits his write on its own.
    let bens = db.athlete(ben).expect("ben's store");
    assert_eq!(bens.profile().expect("profile"), None, "Ana's profile is not Ben's");
    bens.save_profile(&fixtures::profile("Ben")).expect("profile");
    assert_eq!(bens.profile().expect("profile").map(|p| p.name), Some("Ben".into()));
    assert_eq!(anas.profile().expect("profile").map(|p| p.name), Some("Ana".into()));
    // Seen from another connection: both writes committed, and the role still reads nothing naming nobody.
    let other = database.connect();
    assert_eq!(other.athlete(ben).expect("ben").profile().expect("profile").map(|p| p.name), Some("Ben".into()));
    assert_eq!(database.rows_as_app_role_without_athlete("profile"), 0);
}

#[test]
fn stored_activities_are_compressed_with_lz4_where_the_server_has_it() {
    let Some(server) = support::server() else { return support::skipped("activity compression") };
    let database = server.fresh_database();
    let _db = database.connect();
    let mut owner = database.owner.connect(NoTls).expect("connect as the owner");
    // Whether this PostgreSQL was built with LZ4: a scratch column may ask for it only then.
    let lz4 = owner.batch_execute("CREATE TEMP TABLE lz4_probe (v BYTEA COMPRESSION lz4)").is_ok();
    let methods: Vec<(String, String)> = owner
        .query(
            "SELECT attname::TEXT, attcompression::TEXT FROM pg_attribute
              WHERE attrelid = 'activities'::regclass AND attname IN ('samples', 'summary') ORDER BY attname",
            &[],
        )
        .expect("columns")
        .iter()
        .map(|r| (r.get(0), r.get(1)))
        .collect();
    let expected = if lz4 { "l" } else { "" };
    assert_eq!(
        methods,
        vec![("samples".to_string(), expected.to_string()), ("summary".to_string(), expected.to_string())],
        "step 7 sets LZ4 on the activity's big columns (or leaves the default where the server lacks it)"
    );
}

/// PostgreSQL step 8: the batch writers' one analyze of a new server's runs table runs as the owner (only an owner
/// may analyze), with a pinned search path, callable by the application role only, and analyzes only while the
/// table has no statistics.
#[test]
fn the_runs_table_is_analyzed_through_the_owners_function_only_while_it_has_no_statistics() {
    let Some(server) = support::server() else { return support::skipped("the runs table's one analyze") };
    let database = server.fresh_database();
    let db = database.connect();
    let mut app = database.app.connect(NoTls).expect("application role");
    let analyze = |app: &mut postgres::Client| -> bool {
        app.query_one("SELECT runtall_analyze_runs_once()", &[]).expect("call").get(0)
    };
    assert!(analyze(&mut app), "no statistics yet: it analyzes");
    let ana = db.create_athlete("Ana").expect("ana");
    let store = db.athlete(ana).expect("store");
    store
        .add_activity(&runtall_store_tests::fixtures::run("2026-10-04T07:00:00Z", 30.0, 5.0, "one"), None)
        .expect("run");
    assert!(analyze(&mut app), "still none (an empty table leaves none): it analyzes, and now there are");
    assert!(!analyze(&mut app), "statistics found: nothing to do");

    assert_confined_definer(&database, "runtall_analyze_runs_once");
}

/// The function `name` runs as the tables' owner with a pinned search path, and only the application role may call
/// it (what every `SECURITY DEFINER` step of the migrations promises).
fn assert_confined_definer(database: &support::TestDatabase, name: &str) {
    let mut owner = database.owner.connect(NoTls).expect("owner");
    let row = owner
        .query_one(
            "SELECT p.prosecdef, array_to_string(p.proconfig, ','),
                    has_function_privilege('public', p.oid, 'EXECUTE'),
                    has_function_privilege($1, p.oid, 'EXECUTE')
             FROM pg_proc p WHERE p.proname = $2",
            &[&support::APP_ROLE, &name],
        )
        .expect("catalogue");
    let (definer, config, public, app_may): (bool, String, bool, bool) =
        (row.get(0), row.get(1), row.get(2), row.get(3));
    assert!(definer, "{name}: SECURITY DEFINER");
    assert!(config.starts_with("search_path=") && config.ends_with("pg_temp"), "{name}: pinned search path: {config}");
    assert!(!public && app_may, "{name}: only the application role may call it (public {public}, app {app_may})");
}
