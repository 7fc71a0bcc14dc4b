//! Activities: round trips, duplicates, filters, history for classification, labels and the label pass, deletes.

use super::{added, two};
use crate::Backend;
use crate::fixtures::*;
use jiff::Timestamp;
use runtall_domain::classify::RunLabel;
use runtall_store::{ActivityFilter, ActivityKind, AddOutcome, Store, StoreError};

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

pub fn partial_copies_are_one_recording_and_a_better_copy_replaces_in_place<B: Backend>(backend: &B) {
    let (_db, a, b) = two(backend);
    let whole = run("2026-10-04T07:00:00Z", 100.0, 20.0, "whole");
    let id = added(&a, &whole);
    a.put_run_context(&context(id, true)).expect("context");
    let pain_id = a.add_pain_report(&pain("2026-10-04T09:00:00Z", 4.0, Some(id))).expect("pain");
    // A cut-short copy (the first 40 minutes, salvaged from a damaged file) lies inside the whole recording.
    let part = run("2026-10-04T07:00:00Z", 40.0, 8.0, "part");
    assert_eq!(a.add_activity(&part, None).expect("part"), AddOutcome::DuplicateRun { existing: id });
    // A later stretch of the same morning, starting 30 minutes in, too.
    let later = run("2026-10-04T07:30:00Z", 40.0, 8.0, "later");
    assert_eq!(a.add_activity(&later, None).expect("later"), AddOutcome::DuplicateRun { existing: id });
    // A second run after it is not.
    let second = run("2026-10-04T09:00:00Z", 30.0, 6.0, "second");
    assert!(matches!(a.add_activity(&second, None).expect("second"), AddOutcome::Added { .. }));

    // The better copy replaces the stored one: same id, context and pain link, the new file's key.
    let mut better = run("2026-10-04T07:00:05Z", 100.0, 20.1, "better");
    better.name = Some("Better copy".into());
    assert!(a.replace_activity(id, &better, Some(&labelled(RunLabel::Long))).expect("replace"));
    let back = a.activity(id).expect("read").expect("same id");
    assert_eq!(back.activity.name.as_deref(), Some("Better copy"));
    assert_eq!(back.activity.source.content_hash, "better");
    assert_eq!(back.classification.map(|c| c.label), Some(RunLabel::Long));
    let row = a.activities(&ActivityFilter::default()).expect("list").into_iter().find(|r| r.id == id).expect("row");
    assert_eq!((row.name.as_deref(), row.key.as_str(), row.distance_m), (Some("Better copy"), "better", 20_100.0));
    assert_eq!(a.run_context(id).expect("ctx"), Some(context(id, true)), "the context stays with the run");
    let reports = a.pain_reports(ts("2026-10-01T00:00:00Z"), ts("2026-10-10T00:00:00Z")).expect("pain");
    assert_eq!(reports.iter().find(|p| p.id == Some(pain_id)).and_then(|p| p.run_id), Some(id), "pain link kept");
    // The old file's key is free again (importing it now finds the better copy as the same run).
    assert_eq!(a.add_activity(&whole, None).expect("old"), AddOutcome::DuplicateRun { existing: id });
    // Nothing to replace: an unknown id, or another athlete's.
    assert!(!a.replace_activity(id + 1000, &better, None).expect("unknown"));
    assert!(!b.replace_activity(id, &better, None).expect("not theirs"));
    assert_eq!(a.activity(id).expect("read").expect("kept").activity.source.content_hash, "better");
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
    // Runs apart from other sports (cross-training).
    assert_eq!(ids(ActivityFilter { kind: ActivityKind::Runs, ..Default::default() }), [third, easy, long]);
    assert_eq!(ids(ActivityFilter { kind: ActivityKind::CrossTraining, ..Default::default() }), [ride]);

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

pub fn a_batch_stores_in_order_labels_against_earlier_runs_and_reports_duplicates<B: Backend>(backend: &B) {
    let (_db, a, b) = two(backend);
    let before = added(&a, &run("2026-10-01T07:00:00Z", 40.0, 8.0, "before"));
    assert_eq!(a.finish_label_pass(a.labels_stale_from().expect("stale").expect("marked").1).ok(), Some(true));
    let batch = vec![
        run("2026-10-03T07:00:00Z", 50.0, 10.0, "first"),
        ride("2026-10-04T07:00:00Z", "ride"),
        // The same file twice in one batch, and a GPX copy of the stored run before it.
        run("2026-10-05T07:00:00Z", 60.0, 12.0, "second"),
        run("2026-10-05T07:00:00Z", 60.0, 12.0, "second"),
        run("2026-10-01T07:00:20Z", 39.5, 7.9, "before-gpx"),
    ];
    let mut seen: Vec<(String, Vec<f64>)> = Vec::new();
    let out = a
        .add_activities(&batch, jiff::SignedDuration::from_hours(24 * 7), &mut |act, history| {
            seen.push((act.source.content_hash.clone(), history.iter().map(|h| h.distance_m).collect()));
            labelled(RunLabel::Easy)
        })
        .expect("batch");
    assert_eq!(out.len(), 5, "one outcome per activity, in order");
    let (AddOutcome::Added { id: first }, AddOutcome::Added { id: ride_id }, AddOutcome::Added { id: second }) =
        (out[0], out[1], out[2])
    else {
        panic!("the first three are stored: {out:?}")
    };
    assert_eq!(out[3], AddOutcome::DuplicateFile { existing: second });
    assert_eq!(out[4], AddOutcome::DuplicateRun { existing: before });
    // Only runs are labelled, each against the runs stored before it in the window, earlier ones of the batch too.
    assert_eq!(seen, [("first".to_string(), vec![8000.0]), ("second".to_string(), vec![8000.0, 10_000.0])]);
    assert_eq!(a.activity(first).expect("read").expect("some").classification.map(|c| c.label), Some(RunLabel::Easy));
    assert!(a.activity(ride_id).expect("read").expect("some").classification.is_none(), "a ride has no label");
    let stale = a.labels_stale_from().expect("stale").map(|(t, _)| t);
    assert_eq!(stale, Some(ts("2026-10-03T07:00:00Z")), "labels are stale from the earliest new run");
    // Another athlete's batch sees none of Ana's runs.
    let theirs = b.add_activities(&batch[..1], jiff::SignedDuration::from_hours(24 * 7), &mut |_, history| {
        assert!(history.is_empty(), "Ben's history is his own");
        labelled(RunLabel::Long)
    });
    assert!(matches!(theirs.expect("Ben's batch")[..], [AddOutcome::Added { .. }]));
    assert_eq!(a.activities(&ActivityFilter::default()).expect("list").len(), 4);
}
