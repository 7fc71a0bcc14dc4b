//! A PostgreSQL clinic database: finishing every athlete's pending run-relabelling pass (what the server does as it
//! opens the database) relabels each athlete's own runs and clears each athlete's own mark, under row-level security.

mod support;

use runtall_domain::classify::RunLabel;
use runtall_store::{AddOutcome, Database, Store};
use runtall_store_tests::fixtures::{labelled, run};

#[test]
fn every_athletes_pending_label_pass_is_finished() {
    let Some(server) = support::server() else {
        support::skipped("every_athletes_pending_label_pass_is_finished");
        return;
    };
    let database = server.fresh_database();
    let db = database.connect();
    let mut runs = Vec::new();
    for name in ["Ana", "Ben"] {
        let athlete = db.create_athlete(name).expect("athlete");
        let store = db.athlete(athlete).expect("store");
        let start = "2026-10-01T07:00:00Z";
        let Ok(AddOutcome::Added { id }) =
            store.add_activity(&run(start, 40.0, 8.0, &format!("{name}-run")), Some(&labelled(RunLabel::Race)))
        else {
            panic!("not added")
        };
        assert!(store.labels_stale_from().expect("stale").is_some(), "the pass is pending");
        runs.push((athlete, id));
    }
    let changed = runtall_app::import::settle_every_athlete(&db).expect("settle");
    assert_eq!(changed, 2, "one run of each athlete was relabelled");
    for (athlete, id) in runs {
        let store = db.athlete(athlete).expect("store");
        assert_eq!(store.labels_stale_from().expect("stale"), None);
        let c = store.activity(id).expect("read").expect("run").classification.expect("label");
        assert!(!c.reasons.is_empty() && c.label != RunLabel::Race, "{c:?}");
    }
}
