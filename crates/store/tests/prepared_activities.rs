//! Activities stored with their stored form made beforehand (`PreparedActivity`, as an import makes it on its
//! decoding threads) end up exactly as the same batch stored plainly.

use jiff::{SignedDuration, Timestamp};
use runtall_domain::activity::{Activity, Lap, Samples, SourceFile, Sport};
use runtall_domain::classify::{Classification, RunLabel};
use runtall_store::{AddOutcome, PreparedActivity, SqliteStore, Store, StoreError};

fn run(start: &str, minutes: usize, hash: &str, sport: Sport) -> Activity {
    let mut samples = Samples::default();
    let n = minutes * 60;
    for i in 0..n {
        let t = i as f64;
        let hr = (i % 97 != 0).then_some(140.0 + (i % 20) as f64);
        samples.push(
            t,
            Some(2.9 * t),
            Some(2.9),
            hr,
            Some(172.0),
            Some(80.0 + (t / 60.0).sin()),
            Some(46.5),
            Some(6.6),
        );
    }
    Activity {
        sport,
        sub_sport: Some("road".into()),
        name: Some(format!("Run {hash} \"quoted\"")),
        start: start.parse::<Timestamp>().expect("timestamp"),
        utc_offset_s: Some(3600),
        elapsed_s: n as f64,
        moving_s: n as f64 - 12.0,
        distance_m: 2.9 * n as f64,
        ascent_m: Some(41.5),
        descent_m: None,
        avg_hr_bpm: Some(148.0),
        max_hr_bpm: Some(171.0),
        avg_cadence_spm: Some(172.0),
        avg_respiration_brpm: None,
        dynamics: None,
        device: Some("test watch".into()),
        quality: Default::default(),
        laps: vec![Lap {
            start_offset_s: 0.0,
            elapsed_s: n as f64,
            moving_s: None,
            distance_m: 2.9 * n as f64,
            avg_speed_mps: Some(2.9),
            max_speed_mps: None,
            avg_hr_bpm: Some(148.0),
            max_hr_bpm: None,
            avg_cadence_spm: None,
            intensity: None,
            trigger: Some("session-end".into()),
        }],
        samples,
        source: SourceFile { path: format!("{hash}.fit"), format: "fit".into(), content_hash: hash.into() },
        warnings: vec!["dropped 3 samples whose time goes backwards".into()],
    }
}

fn easy(_: &Activity, _: &[runtall_domain::classify::RunSummary]) -> Classification {
    Classification { label: RunLabel::Easy, also: vec![], reasons: vec![] }
}

fn batch() -> Vec<Activity> {
    vec![
        run("2026-10-01T07:00:00Z", 40, "a", Sport::Running),
        run("2026-10-02T07:00:00Z", 61, "b", Sport::Cycling),
        // The same file twice, and the same recording again under another hash: duplicates either way.
        run("2026-10-01T07:00:00Z", 40, "a", Sport::Running),
        run("2026-10-01T07:00:05Z", 40, "a-gpx", Sport::Running),
        run("2026-10-03T07:00:00Z", 35, "c", Sport::Running),
    ]
}

#[test]
fn a_prepared_batch_is_stored_exactly_as_a_plain_one() {
    let plain = SqliteStore::in_memory().expect("store");
    let prepared_store = SqliteStore::in_memory().expect("store");
    assert!(prepared_store.takes_prepared_activities(), "SQLite stores the prepared forms as they are");
    let acts = batch();
    let prepared: Vec<PreparedActivity> = acts.iter().map(|a| PreparedActivity::of(a).expect("prepare")).collect();
    let week = SignedDuration::from_hours(24 * 7);
    let a = plain.add_activities(&acts, week, &mut easy).expect("plain batch");
    let b = prepared_store.add_prepared_activities(&acts, &prepared, week, &mut easy).expect("prepared batch");
    assert_eq!(a, b, "the same outcomes");
    assert!(matches!(b[2], AddOutcome::DuplicateFile { .. }) && matches!(b[3], AddOutcome::DuplicateRun { .. }));
    for outcome in b {
        let AddOutcome::Added { id } = outcome else { continue };
        let x = plain.activity_encoded(id).expect("read").expect("stored");
        let y = prepared_store.activity_encoded(id).expect("read").expect("stored");
        assert_eq!(x, y, "summary and sample stream identical for run {id}");
        let full = prepared_store.activity(id).expect("read").expect("stored");
        let original = acts.iter().find(|a| a.source.content_hash == full.activity.source.content_hash).expect("one");
        assert_eq!(full.activity.samples.len(), original.samples.len(), "every sample comes back");
        assert_eq!(full.activity.warnings, original.warnings);
    }
}

#[test]
fn the_prepared_summary_is_the_activity_without_its_samples() {
    let a = run("2026-10-01T07:00:00Z", 30, "a", Sport::Running);
    let p = PreparedActivity::of(&a).expect("prepare");
    let without = Activity { samples: Samples::default(), ..a.clone() };
    assert_eq!(p.summary(), serde_json::to_string(&without).expect("json"));
    assert_eq!(p.samples_blob(), runtall_store::codec::encode(&a.samples));
}

#[test]
fn prepared_forms_that_do_not_match_the_batch_store_nothing() {
    let store = SqliteStore::in_memory().expect("store");
    let acts = batch();
    let prepared = vec![PreparedActivity::of(&acts[0]).expect("prepare")];
    let err = store
        .add_prepared_activities(&acts, &prepared, SignedDuration::from_hours(24), &mut easy)
        .expect_err("one form for five activities");
    assert!(matches!(err, StoreError::Invalid(_)), "{err}");
    assert!(store.activities(&Default::default()).expect("list").is_empty());
}
