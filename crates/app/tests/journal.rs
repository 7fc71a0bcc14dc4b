//! The journal entries both front ends record through `runtall_app::journal`: what is checked, what is linked and
//! what is refused before anything is stored.

use runtall_app::AppError;
use runtall_app::journal::{delete_pain_report, delete_run, log_pain, save_day, save_run_context};
use runtall_domain::assess::Region;
use runtall_domain::journal::PainTiming;
use runtall_store::{AddOutcome, SqliteStore, Store, StoreError};
use runtall_store_tests::fixtures::{context, date, day, pain, run, ts};

fn store() -> (tempfile::TempDir, SqliteStore) {
    let dir = tempfile::tempdir().expect("dir");
    let store = SqliteStore::open(&dir.path().join("t.db")).expect("store");
    (dir, store)
}

/// One 45-minute run at 07:00 on 21 November; its id.
fn added(store: &dyn Store) -> i64 {
    match store.add_activity(&run("2026-11-21T07:00:00Z", 45.0, 8.0, "a"), None).expect("add") {
        AddOutcome::Added { id } => id,
        other => panic!("not added: {other:?}"),
    }
}

const NOW: &str = "2026-11-22T12:00:00Z";

#[test]
fn a_pain_report_about_a_run_is_linked_to_the_run_it_follows() {
    let (_dir, store) = store();
    let id = added(&store);
    // Right after a run (45 min, so it ended at 07:45): linked; at the desk: not linked.
    let saved = log_pain(&store, pain("2026-11-21T08:00:00Z", 3.0, None), ts(NOW)).expect("logged");
    assert_eq!(saved.run_id, Some(id));
    assert!(saved.id.is_some());
    let desk =
        runtall_domain::journal::PainReport { timing: PainTiming::AtDesk, ..pain("2026-11-21T08:00:00Z", 3.0, None) };
    assert_eq!(log_pain(&store, desk, ts(NOW)).expect("logged").run_id, None);
    assert_eq!(store.pain_reports(ts("2026-11-20T00:00:00Z"), ts(NOW)).expect("read").len(), 2);
}

#[test]
fn an_unknown_run_chest_pain_and_a_future_time_are_refused_and_nothing_is_stored() {
    let (_dir, store) = store();
    match log_pain(&store, pain("2026-11-21T08:00:00Z", 3.0, Some(99)), ts(NOW)) {
        Err(AppError::Input(e)) => assert!(e.field == "run" && e.message.contains("99"), "{e}"),
        other => panic!("expected the run to be refused, got {other:?}"),
    }
    let chest =
        runtall_domain::journal::PainReport { region: Region::Chest, ..pain("2026-11-21T08:00:00Z", 3.0, None) };
    assert!(matches!(log_pain(&store, chest, ts(NOW)), Err(AppError::Input(e)) if e.field == "region"));
    assert!(log_pain(&store, pain("2026-11-23T08:00:00Z", 3.0, None), ts(NOW)).is_err(), "a report from tomorrow");
    assert!(store.pain_reports(ts("2026-01-01T00:00:00Z"), ts("2027-01-01T00:00:00Z")).expect("read").is_empty());
}

#[test]
fn a_day_from_the_future_is_refused_and_a_saved_day_replaces_the_last() {
    let (_dir, store) = store();
    let today = date("2026-11-22");
    assert!(matches!(save_day(&store, &day("2026-11-23", true), today), Err(AppError::Input(e)) if e.field == "date"));
    save_day(&store, &day("2026-11-21", false), today).expect("saved");
    save_day(&store, &day("2026-11-21", true), today).expect("saved again");
    let stored = runtall_app::journal::day(&store, date("2026-11-21")).expect("read").expect("a day");
    assert!(stored.mobility_done);
    assert!(runtall_app::journal::day(&store, date("2026-11-20")).expect("read").is_none());
}

#[test]
fn a_run_context_needs_its_run_and_deleting_the_run_removes_it() {
    let (_dir, store) = store();
    assert!(matches!(
        save_run_context(&store, &context(7, true)),
        Err(AppError::Store(StoreError::NotFound { what: "run", id: 7 }))
    ));
    let id = added(&store);
    save_run_context(&store, &context(id, true)).expect("saved");
    assert_eq!(store.run_context(id).expect("read").and_then(|c| c.pack), Some(true));
    assert!(delete_run(&store, id).expect("deleted"));
    assert!(!delete_run(&store, id).expect("already gone"));
    assert!(store.run_context(id).expect("read").is_none());
}

#[test]
fn deleting_a_pain_report_says_whether_there_was_one() {
    let (_dir, store) = store();
    let saved = log_pain(&store, pain("2026-11-21T08:00:00Z", 3.0, None), ts(NOW)).expect("logged");
    let id = saved.id.expect("id");
    assert!(delete_pain_report(&store, id).expect("deleted"));
    assert!(!delete_pain_report(&store, id).expect("already gone"));
}
