//! Opening a clinic database finishes, for every athlete, a run-relabelling pass an import left unfinished: the
//! pass marks are per athlete, so a server killed during one athlete's import must not leave their labels stale
//! until that athlete imports again.

use runtall_domain::classify::RunLabel;
use runtall_store::{Database, SqliteDatabase, Store};
use runtall_store_tests::fixtures::{labelled, run};

/// Stores two runs with a label no pass would give (a race, with no reasons), as an import killed before its
/// label pass leaves them, and says the pass is pending.
fn killed_import(store: &impl Store, tag: &str) -> Vec<i64> {
    let ids = ["2026-10-01T07:00:00Z", "2026-10-03T07:00:00Z"].map(|start| {
        match store.add_activity(&run(start, 40.0, 8.0, &format!("{tag}-{start}")), Some(&labelled(RunLabel::Race))) {
            Ok(runtall_store::AddOutcome::Added { id }) => id,
            other => panic!("not added: {other:?}"),
        }
    });
    assert!(store.labels_stale_from().expect("stale").is_some(), "the pass is pending");
    ids.to_vec()
}

#[test]
fn opening_a_clinic_database_finishes_every_athletes_pending_label_pass() {
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("clinic.db");
    let mut runs = Vec::new();
    {
        let db = SqliteDatabase::open(&path).expect("clinic db");
        for name in ["Ana", "Ben"] {
            let athlete = db.create_athlete(name).expect("athlete");
            let store = db.athlete(athlete).expect("store");
            runs.push((athlete, killed_import(&store, name)));
        }
        // A plain open (each pooled connection) does not run the pass.
        let again = runtall_app::open_clinic(&path).expect("open");
        assert!(again.athlete(runs[0].0).expect("store").labels_stale_from().expect("stale").is_some());
    }
    let db = runtall_app::open_clinic_settled(&path).expect("open and settle");
    for (athlete, ids) in &runs {
        let store = db.athlete(*athlete).expect("store");
        assert_eq!(store.labels_stale_from().expect("stale"), None, "athlete {athlete:?}'s pass was finished");
        for id in ids {
            let c = store.activity(*id).expect("read").expect("run").classification.expect("label");
            assert!(!c.reasons.is_empty(), "run {id} was relabelled with its reasons: {c:?}");
            assert_ne!(c.label, RunLabel::Race, "an easy 40-minute run is not a race");
        }
    }
}
