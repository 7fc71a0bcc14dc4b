//! Activities: round trips, duplicates, filters, history for classification, labels and the label pass, deletes.

use super::{added, two};
use crate::Backend;
use crate::fixtures::*;
use jiff::Timestamp;
use runtall_domain::classify::RunLabel;
use runtall_store::{ActivityFilter, AddOutcome, Store, StoreError};

pub fn activities_round_trip_with_their_list_fields<B: Backend>(backend: &B) {
    let (_db, a, _b) = two(backend);
    let original = run("2026-10-04T07:00:00Z", 100.0, 20.0, "aaa");
    let AddOutcome::Added { id } = a.add_activity(&original, Some(&labelled(RunLabel::Long))).expect("add") else {
        panic!("not added")
    };
    let back = a.activity(id).expect("read").expect("some");
    assert_eq!(back.id, id);
    let without_samples = |a: &runtall_domain::activity::Activity| runtall_domain::activity::Activity {
        samples: Default::default(),
        ..a.clone()
    };
    assert!(
        without_samples(&back.activity) == without_samples(&original),
        "the summary round-trips: {:?}",
        without_samples(&back.activity)
    );
    assert_eq!(back.activity.samples.len(), original.samples.len(), "every sample comes back");
    assert_eq!(back.classification.map(|c| c.label), Some(RunLabel::Long));
    let rows = a.activities(&ActivityFilter::default()).expect("list");
    assert_eq!(rows.len(), 1);
    let r = &rows[0];
    assert_eq!((r.id, r.start, r.utc_offset_s, r.sport), (id, original.start, Some(3600), original.sport));
    assert_eq!((r.name.as_deref(), r.distance_m, r.elapsed_s, r.moving_s), (Some("Run aaa"), 20_000.0, 6000.0, 5970.0));
    assert_eq!((r.ascent_m, r.avg_hr_bpm, r.label), (Some(40.0), Some(150.0), Some(RunLabel::Long)));
    assert_eq!((r.source_path.as_str(), r.key.as_str()), ("aaa.fit", "aaa"));
    // Optional fields stay absent rather than becoming zeros.
    let bare = runtall_domain::activity::Activity {
        name: None,
        utc_offset_s: None,
        ascent_m: None,
        avg_hr_bpm: None,
        ..run("2026-10-06T07:00:00Z", 30.0, 5.0, "bare")
    };
    let bare_id = added(&a, &bare);
    let row =
        a.activities(&ActivityFilter::default()).expect("list").into_iter().find(|r| r.id == bare_id).expect("row");
    assert_eq!((row.name, row.utc_offset_s, row.ascent_m, row.avg_hr_bpm, row.label), (None, None, None, None, None));
    assert!(a.activity(id + bare_id + 1000).expect("read").is_none(), "an unknown id is None");
    assert!(a.holds_real_data().expect("real"));
}

pub fn duplicates_are_recognised_within_one_athlete_only<B: Backend>(backend: &B) {
    let (_db, a, b) = two(backend);
    let original = run("2026-10-04T07:00:00Z", 100.0, 20.0, "aaa");
    let id = added(&a, &original);
    assert_eq!(a.add_activity(&original, None).expect("again"), AddOutcome::DuplicateFile { existing: id });
    // The same run exported as GPX: other bytes, start 20 s later, 1% shorter.
    let mut gpx = run("2026-10-04T07:00:20Z", 99.0, 19.9, "bbb");
    gpx.source.format = "gpx".into();
    assert_eq!(a.add_activity(&gpx, None).expect("gpx"), AddOutcome::DuplicateRun { existing: id });
    assert_eq!(a.activities(&ActivityFilter::default()).expect("list").len(), 1, "duplicates are not stored");
    // Another athlete with the very same file (a shared group run export) stores their own copy.
    let theirs = added(&b, &original);
    assert_ne!(theirs, id);
    assert_eq!(b.add_activity(&gpx, None).expect("gpx"), AddOutcome::DuplicateRun { existing: theirs });
}

pub fn activity_filters_and_run_summaries<B: Backend>(backend: &B) {
    let (_db, a, b) = two(backend);
    let long = added(&a, &run("2026-10-04T07:00:00Z", 100.0, 20.0, "long"));
    a.set_classification(long, &labelled(RunLabel::Long)).expect("label");
    let easy = added(&a, &run("2026-10-05T07:00:00Z", 40.0, 8.0, "easy"));
    let ride = added(&a, &ride("2026-10-05T17:00:00Z", "ride"));
    let third = added(&a, &run("2026-10-07T07:00:00Z", 40.0, 8.0, "third"));
    added(&b, &run("2026-10-05T09:00:00Z", 40.0, 8.0, "bens"));

    let ids = |f: ActivityFilter| a.activities(&f).expect("list").into_iter().map(|r| r.id).collect::<Vec<_>>();
    assert_eq!(ids(ActivityFilter::default()), [third, ride, easy, long], "all of the athlete's, newest first");
    assert_eq!(ids(ActivityFilter { label: Some(RunLabel::Long), ..Default::default() }), [long]);
    let day = ActivityFilter {
        from: Some(ts("2026-10-05T00:00:00Z")),
        to: Some(ts("2026-10-06T00:00:00Z")),
        ..Default::default()
    };
    assert_eq!(ids(day), [ride, easy], "from is inclusive, to exclusive");
    let edge = ActivityFilter {
        from: Some(ts("2026-10-05T07:00:00Z")),
        to: Some(ts("2026-10-07T07:00:00Z")),
        ..Default::default()
    };
    assert_eq!(ids(edge), [ride, easy]);
    assert_eq!(ids(ActivityFilter { limit: Some(2), ..Default::default() }), [third, ride], "the newest ones");
    assert_eq!(ids(ActivityFilter { limit: Some(0), ..Default::default() }), Vec::<i64>::new());

    let history = a.run_summaries(ts("2026-10-01T00:00:00Z"), ts("2026-10-07T07:00:00Z")).expect("history");
    let starts: Vec<Timestamp> = history.iter().map(|s| s.start).collect();
    assert_eq!(
        starts,
        [ts("2026-10-04T07:00:00Z"), ts("2026-10-05T07:00:00Z")],
        "runs only, oldest first, to exclusive"
    );
    assert_eq!((history[0].distance_m, history[0].moving_s), (20_000.0, 5970.0));
}

pub fn classification_and_the_label_pass_belong_to_one_athlete<B: Backend>(backend: &B) {
    let (_db, a, b) = two(backend);
    assert_eq!(a.labels_stale_from().expect("pass"), None);
    let first = added(&a, &run("2026-10-05T07:00:00Z", 40.0, 8.0, "r1"));
    let (from, g1) = a.labels_stale_from().expect("pass").expect("a new run marks labels stale");
    assert_eq!(from, ts("2026-10-05T07:00:00Z"));
    assert_eq!(b.labels_stale_from().expect("pass"), None, "Ana's run does not mark Ben's labels");
    added(&a, &run("2026-10-03T07:00:00Z", 40.0, 8.0, "r0"));
    let (from, g2) = a.labels_stale_from().expect("pass").expect("still stale");
    assert_eq!(from, ts("2026-10-03T07:00:00Z"), "the earliest start stays");
    assert_ne!(g1, g2, "every mark changes the generation");
    assert!(!a.finish_label_pass(g1).expect("finish"), "a pass that started before the last mark does not clear it");
    assert!(a.labels_stale_from().expect("pass").is_some());
    a.set_classification(first, &labelled(RunLabel::Tempo)).expect("label");
    assert_eq!(a.activity(first).expect("read").and_then(|s| s.classification).map(|c| c.label), Some(RunLabel::Tempo));
    assert!(a.finish_label_pass(g2).expect("finish"), "a pass over the current mark clears it");
    assert_eq!(a.labels_stale_from().expect("pass"), None);
    added(&a, &ride("2026-10-09T07:00:00Z", "ride"));
    assert_eq!(a.labels_stale_from().expect("pass"), None, "a ride is not in any run's history");
    assert!(a.delete_activity(first).expect("delete"));
    assert_eq!(
        a.labels_stale_from().expect("pass").map(|(t, _)| t),
        Some(ts("2026-10-05T07:00:00Z")),
        "a deleted run marks from its start"
    );
    assert!(
        matches!(a.set_classification(first, &labelled(RunLabel::Easy)), Err(StoreError::NotFound { .. })),
        "a deleted run cannot be labelled"
    );
}

pub fn deleting_a_run_keeps_its_pain_reports_unlinked<B: Backend>(backend: &B) {
    let (_db, a, _b) = two(backend);
    let id = added(&a, &run("2026-11-02T07:00:00Z", 40.0, 8.0, "del"));
    a.put_run_context(&context(id, true)).expect("context");
    let linked = a.add_pain_report(&pain("2026-11-02T09:00:00Z", 5.0, Some(id))).expect("pain");
    a.add_pain_report(&pain("2026-11-03T09:00:00Z", 3.0, None)).expect("pain");
    assert!(a.delete_activity(id).expect("delete"));
    assert!(a.activity(id).expect("read").is_none());
    assert!(a.run_context(id).expect("read").is_none(), "its context goes with it");
    let kept = a.pain_reports(Timestamp::MIN, Timestamp::MAX).expect("reports");
    assert_eq!(kept.len(), 2, "the runner's reports stay");
    let unlinked = kept.iter().find(|p| p.id == Some(linked)).expect("kept");
    assert_eq!((unlinked.run_id, unlinked.notes.as_deref()), (None, Some("stiff")), "unlinked, words kept");
    assert!(!a.delete_activity(id).expect("again"), "already gone");
    added(&a, &run("2026-11-02T07:00:00Z", 40.0, 8.0, "del"));
}
