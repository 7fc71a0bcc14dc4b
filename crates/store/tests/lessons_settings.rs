//! Schema v6: breathing-course lesson progress and settings by key.

use jiff::Timestamp;
use runtall_store::{SqliteStore, Store};
use serde_json::json;

fn ts(s: &str) -> Timestamp {
    s.parse().expect("timestamp")
}

#[test]
fn settings_round_trip_replace_and_survive_a_reopen_but_not_delete_all() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("runtall.db");
    {
        let store = SqliteStore::open(&path).expect("open");
        assert_eq!(store.setting("reminders").expect("read"), None);
        assert!(!store.holds_real_data().expect("real"));
        store.put_setting("reminders", &json!({ "enabled": true, "walk_every_min": 30 })).expect("put");
        store.put_setting("reminders", &json!({ "enabled": false, "walk_every_min": 45 })).expect("replace");
        store.set_lesson_done("diaphragm", Some(ts("2026-11-01T08:00:00Z"))).expect("mark");
        assert!(store.holds_real_data().expect("real"), "settings and progress are the runner's own data");
    }
    let store = SqliteStore::open(&path).expect("reopen");
    assert_eq!(store.setting("reminders").expect("read"), Some(json!({ "enabled": false, "walk_every_min": 45 })));
    assert_eq!(store.setting("other").expect("read"), None);
    store.delete_all().expect("delete");
    assert_eq!(store.setting("reminders").expect("read"), None);
    assert!(store.lessons_done().expect("read").is_empty());
}

#[test]
fn a_version_5_database_is_migrated_to_the_latest_keeping_its_data() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("v5.db");
    {
        // The file as runtall at schema 5 left it, with one guided session.
        let conn = rusqlite::Connection::open(&path).expect("raw");
        for step in &runtall_store::MIGRATIONS[..5] {
            conn.execute_batch(step).expect("old step");
        }
        conn.execute_batch(
            "INSERT INTO routine_sessions (key, started_epoch, routine_id, completed, data)
                 VALUES ('1793520000000|daily-mobility', 1793520000, 'daily-mobility', 1,
                         '{\"id\":\"daily-mobility\"}');
             PRAGMA user_version = 5;",
        )
        .expect("v5");
    }
    let store = SqliteStore::open(&path).expect("migrates");
    assert_eq!(store.schema_version().expect("version"), runtall_store::SCHEMA_VERSION);
    let sessions = store.sessions(Timestamp::MIN, Timestamp::MAX).expect("sessions");
    assert_eq!(sessions.len(), 1, "the old session belongs to the local runner");
    assert_eq!(sessions[0].routine_id, "daily-mobility");
    store.set_lesson_done("diaphragm", Some(ts("2026-11-01T08:00:00Z"))).expect("new table works");
    assert_eq!(store.lessons_done().expect("read").len(), 1);
}
