//! Upgrading a SQLite database that an older runtall left: every old row goes to the local athlete and the list
//! columns of step 10 are filled from the stored summaries. (SQLite's own; the conformance cases start empty.)

use jiff::Timestamp;
use runtall_domain::profile::Profile;
use runtall_store::{SqliteStore, Store};
use runtall_store_tests::fixtures::{run, ts};

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
    assert_eq!((r.id, r.name.as_deref(), r.utc_offset_s), (7, Some("Run aaa"), Some(3600)));
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
