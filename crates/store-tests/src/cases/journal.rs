//! The runner's journal: pain reports, day logs, run context, and journal imports (one transaction each).

use super::{added, two};
use crate::Backend;
use crate::fixtures::*;
use jiff::Timestamp;
use jiff::civil::Date;
use runtall_domain::journal_format::LineError;
use runtall_store::{ActivityFilter, JournalEntry, JournalImportStats, Store, StoreError};

pub fn pain_reports_and_day_logs_round_trip_and_delete<B: Backend>(backend: &B) {
    let (_db, a, b) = two(backend);
    let run = added(&a, &run("2026-10-04T07:00:00Z", 40.0, 8.0, "r"));
    let late = a.add_pain_report(&pain("2026-10-06T08:00:00Z", 2.0, None)).expect("pain");
    let early = a.add_pain_report(&pain("2026-10-04T08:00:00Z", 5.0, Some(run))).expect("pain");
    b.add_pain_report(&pain("2026-10-05T08:00:00Z", 7.0, None)).expect("Ben's");
    let all = a.pain_reports(Timestamp::MIN, Timestamp::MAX).expect("pain");
    assert_eq!(all.iter().map(|p| p.id).collect::<Vec<_>>(), [Some(early), Some(late)], "oldest first, with ids");
    assert_eq!(
        all[0],
        runtall_domain::journal::PainReport { id: Some(early), ..pain("2026-10-04T08:00:00Z", 5.0, Some(run)) }
    );
    let window = a.pain_reports(ts("2026-10-04T08:00:00Z"), ts("2026-10-06T08:00:00Z")).expect("pain");
    assert_eq!(window.iter().map(|p| p.id).collect::<Vec<_>>(), [Some(early)], "from inclusive, to exclusive");
    assert!(
        matches!(
            a.add_pain_report(&pain("2026-10-04T09:00:00Z", 1.0, Some(run + 10_000))),
            Err(StoreError::NotFound { .. })
        ),
        "a report naming a missing run"
    );
    assert!(a.delete_pain_report(late).expect("delete"));
    assert!(!a.delete_pain_report(late).expect("again"), "already gone");
    assert_eq!(a.pain_reports(Timestamp::MIN, Timestamp::MAX).expect("pain").len(), 1);

    a.put_day_log(&day("2026-10-05", true)).expect("day");
    a.put_day_log(&day("2026-10-03", false)).expect("day");
    a.put_day_log(&day("2026-10-05", false)).expect("replace");
    b.put_day_log(&day("2026-10-05", true)).expect("Ben's day");
    let days = a.day_logs(Date::MIN, Date::MAX).expect("days");
    assert_eq!(days, [day("2026-10-03", false), day("2026-10-05", false)], "by date, one per date, the last put wins");
    assert_eq!(a.day_logs(date("2026-10-05"), date("2026-10-05")).expect("days").len(), 1, "both ends inclusive");
    assert_eq!(b.day_logs(Date::MIN, Date::MAX).expect("days"), [day("2026-10-05", true)]);
}

pub fn run_context_is_kept_only_for_the_athletes_runs<B: Backend>(backend: &B) {
    let (_db, a, _b) = two(backend);
    let r1 = added(&a, &run("2026-10-04T07:00:00Z", 40.0, 8.0, "r1"));
    let r2 = added(&a, &run("2026-10-05T07:00:00Z", 40.0, 8.0, "r2"));
    assert!(a.run_context(r1).expect("read").is_none());
    a.put_run_context(&context(r2, true)).expect("context");
    a.put_run_context(&context(r1, true)).expect("context");
    a.put_run_context(&context(r1, false)).expect("replace");
    assert_eq!(a.run_context(r1).expect("read"), Some(context(r1, false)));
    assert_eq!(a.run_contexts().expect("all"), [context(r1, false), context(r2, true)], "one per run, by run id");
    assert!(
        matches!(a.put_run_context(&context(r2 + 10_000, true)), Err(StoreError::NotFound { .. })),
        "no context without a run"
    );
}

fn import(store: &dyn Store, entries: Vec<Result<JournalEntry, LineError>>) -> Result<JournalImportStats, StoreError> {
    store.import_journal_entries(&mut entries.into_iter())
}

/// A run as a journal carries it: summary fields only, under a key that is not a file hash.
fn journal_run(key: &str, start: &str, pack: Option<bool>) -> JournalEntry {
    let mut activity = run(start, 40.0, 8.0, key);
    activity.samples = Default::default();
    activity.source.path = "journal".into();
    JournalEntry::Run {
        activity: Box::new(activity),
        classification: Some(labelled(runtall_domain::classify::RunLabel::Easy)),
        context: pack.map(|p| context(0, p)),
        samples_blob: None,
    }
}

pub fn a_journal_import_matches_keys_links_later_runs_and_skips_duplicates<B: Backend>(backend: &B) {
    let (_db, a, b) = two(backend);
    // A run already imported from its watch file: the journal names it by the file's hash.
    let from_file = added(&a, &run("2026-10-04T07:00:00Z", 40.0, 8.0, "filehash"));
    let entries = || {
        vec![
            // A pain report naming a run that only comes later in the stream.
            Ok(JournalEntry::Pain { report: pain("2026-10-06T09:00:00Z", 4.0, None), run_key: Some("j2".into()) }),
            Ok(journal_run("filehash", "2026-10-04T07:00:00Z", Some(true))),
            Ok(journal_run("j2", "2026-10-06T07:00:00Z", None)),
            Ok(JournalEntry::Pain {
                report: pain("2026-10-04T09:00:00Z", 3.0, None),
                run_key: Some("filehash".into()),
            }),
            Ok(JournalEntry::Pain { report: pain("2026-10-07T09:00:00Z", 2.0, None), run_key: Some("unknown".into()) }),
            Ok(JournalEntry::Day(day("2026-10-06", true))),
        ]
    };
    let stats = import(&a, entries()).expect("import");
    assert_eq!(
        stats,
        JournalImportStats {
            runs_added: 1,
            runs_matched: 1,
            pain_added: 3,
            pain_duplicates: 0,
            days: 1,
            ..Default::default()
        },
        "the watch-file run is matched by key, the journal-only run is added"
    );
    let runs = a.activities(&ActivityFilter::default()).expect("runs");
    assert_eq!(runs.iter().map(|r| r.key.as_str()).collect::<Vec<_>>(), ["j2", "filehash"]);
    let j2 = runs[0].id;
    assert_eq!(runs[0].label, Some(runtall_domain::classify::RunLabel::Easy), "the journal's label is kept");
    assert_eq!(
        a.run_context(from_file).expect("ctx"),
        Some(context(from_file, true)),
        "context lands on the matched run"
    );
    let links: Vec<Option<i64>> =
        a.pain_reports(Timestamp::MIN, Timestamp::MAX).expect("pain").iter().map(|p| p.run_id).collect();
    assert_eq!(links, [Some(from_file), Some(j2), None], "linked by key, forward links too, unknown keys unlinked");
    assert_eq!(a.day_logs(Date::MIN, Date::MAX).expect("days"), [day("2026-10-06", true)]);

    // The same journal again adds nothing.
    let again = import(&a, entries()).expect("again");
    assert_eq!(
        again,
        JournalImportStats {
            runs_added: 0,
            runs_matched: 2,
            pain_added: 0,
            pain_duplicates: 3,
            days: 1,
            ..Default::default()
        }
    );
    assert_eq!(a.pain_reports(Timestamp::MIN, Timestamp::MAX).expect("pain").len(), 3);
    // Keys belong to the athlete: Ben's import of the same journal adds his own runs.
    let bens = import(&b, entries()).expect("Ben's import");
    assert_eq!((bens.runs_added, bens.runs_matched, bens.pain_added), (2, 0, 3));
    assert_eq!(a.activities(&ActivityFilter::default()).expect("runs").len(), 2, "Ana's runs unchanged");
    assert_eq!(import(&a, vec![]).expect("empty"), JournalImportStats::default(), "an empty journal is fine");
}

/// A sync server stores a run's samples as the client's store kept them (the codec's bytes), and hands them out
/// the same way: what it stores reads back as the same samples, and only to the athlete whose run it is.
pub fn a_run_imported_with_encoded_samples_keeps_them_byte_for_byte<B: Backend>(backend: &B) {
    let (_db, a, b) = two(backend);
    let full = run("2026-10-04T07:00:00Z", 30.0, 6.0, "synced");
    let blob = runtall_store::codec::encode(&full.samples);
    // The entry's own samples are ignored when the blob is given: an empty stream here must not win.
    let mut activity = full.clone();
    activity.samples = Default::default();
    let entry = JournalEntry::Run {
        activity: Box::new(activity),
        classification: None,
        context: None,
        samples_blob: Some(blob.clone()),
    };
    let stats = import(&a, vec![Ok(entry)]).expect("import");
    assert_eq!(stats.runs_added, 1);
    let id = a.activities(&ActivityFilter::default()).expect("runs")[0].id;
    let stored = a.activity(id).expect("read").expect("the run");
    assert_eq!(stored.activity.samples.len(), full.samples.len(), "every sample is stored");
    assert_eq!(stored.activity.samples, runtall_store::codec::decode(&blob).expect("decode"), "the same samples");
    let encoded = a.activity_encoded(id).expect("read encoded").expect("the run");
    assert_eq!(encoded.samples_blob, blob, "handed out as the very bytes stored");
    assert!(encoded.activity.samples.is_empty(), "the activity comes without decoded samples");
    assert_eq!(encoded.activity.distance_m, full.distance_m);
    assert_eq!(b.activity_encoded(id).expect("Ben reads"), None, "Ana's run is missing for Ben");
    assert_eq!(a.activity_encoded(id + 1_000).expect("unknown id"), None);
}

pub fn a_bad_journal_line_keeps_nothing_of_the_import<B: Backend>(backend: &B) {
    let (_db, a, _b) = two(backend);
    a.put_day_log(&day("2026-10-01", true)).expect("existing day");
    let rev = a.journal_revision().expect("revision");
    let bad = LineError {
        file: "journal.jsonl".into(),
        line: 4,
        field: "intensity".into(),
        message: "14 is out of range".into(),
    };
    let entries = vec![
        Ok(journal_run("j1", "2026-10-04T07:00:00Z", Some(true))),
        Ok(JournalEntry::Pain { report: pain("2026-10-04T09:00:00Z", 3.0, None), run_key: Some("j1".into()) }),
        Ok(JournalEntry::Day(day("2026-10-01", false))),
        Err(bad.clone()),
        Ok(JournalEntry::Day(day("2026-10-05", true))),
    ];
    match import(&a, entries) {
        Err(StoreError::Journal(e)) => assert_eq!(e, bad, "the bad line is named"),
        other => panic!("a bad line must fail the import: {other:?}"),
    }
    assert!(a.activities(&ActivityFilter::default()).expect("runs").is_empty(), "no run kept");
    assert!(a.pain_reports(Timestamp::MIN, Timestamp::MAX).expect("pain").is_empty(), "no pain kept");
    assert_eq!(a.day_logs(Date::MIN, Date::MAX).expect("days"), [day("2026-10-01", true)], "the old day untouched");
    assert_eq!(a.journal_revision().expect("revision"), rev, "nothing changed, so the revision did not move");
}
