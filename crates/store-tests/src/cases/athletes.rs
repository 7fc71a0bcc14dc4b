//! Athletes, isolation by id, the revision counter, delete-all and concurrent writers.

use super::{added, two};
use crate::Backend;
use crate::fixtures::*;
use jiff::Timestamp;
use jiff::civil::Date;
use runtall_store::{ActivityFilter, AthleteId, Database, Store, StoreError};

pub fn athletes_are_listed_and_unknown_ones_are_not_found<B: Backend>(backend: &B) {
    let db = backend.fresh();
    let before = db.athletes().expect("athletes").len();
    let ana = db.create_athlete("Ana").expect("create");
    let ben = db.create_athlete("Ben").expect("create");
    let all = db.athletes().expect("athletes");
    assert_eq!(all.len(), before + 2);
    let names: Vec<&str> = all[before..].iter().map(|a| a.name.as_str()).collect();
    assert_eq!(names, ["Ana", "Ben"], "in the order they were added");
    assert_eq!((all[before].id, all[before + 1].id), (ana, ben));
    let unknown = AthleteId::new(all.iter().map(|a| a.id.get()).max().unwrap_or(0) + 1000);
    assert!(
        matches!(db.athlete(unknown), Err(StoreError::NotFound { what: "athlete", .. })),
        "a handle for an athlete that does not exist is refused"
    );
    let fresh = db.athlete(ana).expect("handle");
    assert_eq!(fresh.journal_revision().expect("revision"), 0, "a new athlete starts at revision 0");
    assert_eq!(fresh.labels_stale_from().expect("label pass"), None, "and with no label pass pending");
    assert!(!fresh.holds_real_data().expect("real data"));
}

pub fn another_athletes_ids_behave_as_missing_everywhere<B: Backend>(backend: &B) {
    let (_db, a, b) = two(backend);
    let run = added(&a, &run("2026-10-04T07:00:00Z", 40.0, 8.0, "ana-run"));
    a.put_run_context(&context(run, true)).expect("context");
    let screen = a.add_screening(&screening("2026-10-01T08:00:00Z", &[])).expect("screen");
    let assess = a.add_assessment(&assessment("2026-10-01T08:05:00Z")).expect("assessment");
    let pain_id = a.add_pain_report(&pain("2026-10-04T08:00:00Z", 4.0, Some(run))).expect("pain");
    let exp = a.put_experiment(None, date("2026-10-01"), true, &serde_json::json!({ "x": 1 })).expect("experiment");
    let posture = a.add_posture(date("2026-10-02"), "standing", &serde_json::json!({ "cva": 50 })).expect("posture");
    let t = ts("2026-10-05T00:00:00Z");

    // Reads answer as for an id that does not exist.
    assert!(b.activity(run).expect("read").is_none(), "activity");
    assert!(b.run_context(run).expect("read").is_none(), "run context");
    assert!(b.posture(posture).expect("read").is_none(), "posture check");
    // Writes that name the id are refused as not found, and change nothing of Ana's.
    assert!(matches!(b.mark_clinician_checked(screen, t), Err(StoreError::NotFound { .. })), "clinician check");
    assert!(matches!(
        b.set_classification(run, &labelled(runtall_domain::classify::RunLabel::Race)),
        Err(StoreError::NotFound { .. })
    ));
    assert!(matches!(b.put_run_context(&context(run, false)), Err(StoreError::NotFound { .. })), "run context");
    assert!(
        matches!(b.add_pain_report(&pain("2026-10-04T09:00:00Z", 3.0, Some(run))), Err(StoreError::NotFound { .. })),
        "pain linked to another's run"
    );
    assert!(
        matches!(
            b.put_experiment(Some(exp), date("2026-10-03"), false, &serde_json::json!({})),
            Err(StoreError::NotFound { .. })
        ),
        "experiment"
    );
    assert!(matches!(b.set_posture_photo(posture, Some("x.jpg")), Err(StoreError::NotFound { .. })), "posture photo");
    assert!(
        matches!(b.add_plan(&plan("2026-10-01T08:06:00Z", None, Some(assess))), Err(StoreError::NotFound { .. })),
        "plan naming another's assessment"
    );
    assert!(
        matches!(b.add_plan(&plan("2026-10-01T08:06:00Z", Some(screen), None)), Err(StoreError::NotFound { .. })),
        "plan naming another's screen"
    );
    // Deletes answer "did not exist".
    assert!(!b.delete_activity(run).expect("delete"), "activity");
    assert!(!b.delete_pain_report(pain_id).expect("delete"), "pain report");
    assert!(!b.delete_posture(posture).expect("delete"), "posture check");

    // Ana's records are all still there, unchanged.
    assert!(a.activity(run).expect("read").is_some());
    assert_eq!(a.run_context(run).expect("read").and_then(|c| c.pack), Some(true));
    assert_eq!(a.latest_screening().expect("read").and_then(|s| s.clinician_checked_at), None);
    assert_eq!(a.pain_reports(Timestamp::MIN, Timestamp::MAX).expect("read").len(), 1);
    assert_eq!(a.active_experiment().expect("read").map(|(id, _)| id), Some(exp));
    assert_eq!(a.posture(posture).expect("read").and_then(|p| p.photo), None);
    assert_eq!(a.activity(run).expect("read").and_then(|s| s.classification), None);
    // And Ben sees none of it in his lists.
    assert!(b.activities(&ActivityFilter::default()).expect("list").is_empty());
    assert!(b.screenings().expect("list").is_empty() && b.assessments().expect("list").is_empty());
    assert!(b.pain_reports(Timestamp::MIN, Timestamp::MAX).expect("list").is_empty());
    assert!(b.run_contexts().expect("list").is_empty() && b.postures().expect("list").is_empty());
    assert!(b.experiments().expect("list").is_empty() && b.active_experiment().expect("read").is_none());
    assert!(b.plans().expect("list").is_empty() && b.latest_plan().expect("read").is_none());
}

pub fn the_revision_counts_the_athletes_own_changes_only<B: Backend>(backend: &B) {
    let (db, a, b) = two(backend);
    let rev = |s: &dyn Store| s.journal_revision().expect("revision");
    let b0 = rev(&b);
    let last = std::cell::Cell::new(rev(&a));
    let grew = |what: &str, s: &dyn Store| {
        let now = rev(s);
        assert!(now > last.get(), "{what} moves the revision ({} -> {now})", last.get());
        last.set(now);
    };
    a.save_profile(&profile("Ana")).expect("profile");
    grew("a profile", &a);
    a.save_profile(&profile("Ana B")).expect("profile");
    grew("a changed profile", &a);
    let screen = a.add_screening(&screening("2026-10-01T08:00:00Z", &[])).expect("screen");
    grew("a screen", &a);
    a.mark_clinician_checked(screen, ts("2026-10-02T08:00:00Z")).expect("checked");
    grew("a clinician check", &a);
    let aid = a.add_assessment(&assessment("2026-10-01T08:05:00Z")).expect("assessment");
    grew("an assessment", &a);
    a.add_plan(&plan("2026-10-01T08:06:00Z", None, Some(aid))).expect("plan");
    grew("a plan", &a);
    let run = added(&a, &run("2026-10-04T07:00:00Z", 40.0, 8.0, "rev"));
    grew("a run", &a);
    a.set_classification(run, &labelled(runtall_domain::classify::RunLabel::Easy)).expect("label");
    grew("a new label", &a);
    a.put_run_context(&context(run, true)).expect("context");
    grew("a run context", &a);
    a.put_run_context(&context(run, false)).expect("context");
    grew("a changed run context", &a);
    let p = a.add_pain_report(&pain("2026-10-04T08:00:00Z", 4.0, Some(run))).expect("pain");
    grew("a pain report", &a);
    a.put_day_log(&day("2026-10-04", true)).expect("day");
    grew("a day log", &a);
    a.put_day_log(&day("2026-10-04", false)).expect("day");
    grew("a changed day log", &a);
    a.put_session(ts("2026-10-04T18:00:00Z"), "daily-mobility", false, &serde_json::json!({})).expect("session");
    grew("a guided session", &a);
    a.put_session(ts("2026-10-04T18:00:00Z"), "daily-mobility", true, &serde_json::json!({})).expect("session");
    grew("a session checkpoint", &a);
    a.put_experiment(None, date("2026-10-01"), true, &serde_json::json!({})).expect("experiment");
    grew("an experiment", &a);
    a.delete_pain_report(p).expect("delete");
    grew("a deleted pain report", &a);

    // Reads do not count, and nothing failed counts.
    let _ = (
        a.profile(),
        a.screenings(),
        a.activities(&ActivityFilter::default()),
        a.plans(),
        a.day_logs(Date::MIN, Date::MAX),
    );
    let _ = a.delete_activity(run + 100_000);
    assert_eq!(rev(&a), last.get(), "reads and no-op deletes leave the revision");
    // A change made through another connection is seen.
    let other = backend.connect(&db).athlete(a.athlete_id()).expect("second connection");
    other.add_pain_report(&pain("2026-10-05T08:00:00Z", 2.0, None)).expect("pain elsewhere");
    grew("a pain report from another connection", &a);
    a.delete_activity(run).expect("delete");
    grew("a deleted run", &a);
    a.delete_all().expect("delete all");
    grew("deleting everything", &a);
    assert_eq!(rev(&b), b0, "none of Ana's changes moved Ben's revision");
    b.add_pain_report(&pain("2026-10-05T08:00:00Z", 2.0, None)).expect("Ben's pain");
    assert!(rev(&b) > b0);
    assert_eq!(rev(&a), last.get(), "and Ben's change does not move Ana's");
}

pub fn delete_all_empties_one_athlete_and_no_other<B: Backend>(backend: &B) {
    let (_db, a, b) = two(backend);
    for s in [&a, &b] {
        s.save_profile(&profile("Runner")).expect("profile");
        let id = s.add_screening(&screening("2026-10-01T08:00:00Z", &[])).expect("screen");
        let aid = s.add_assessment(&assessment("2026-10-01T08:05:00Z")).expect("assessment");
        s.add_plan(&plan("2026-10-01T08:06:00Z", Some(id), Some(aid))).expect("plan");
        let run = added(s, &run("2026-10-04T07:00:00Z", 40.0, 8.0, "same-file"));
        s.put_run_context(&context(run, true)).expect("context");
        s.add_pain_report(&pain("2026-10-04T08:00:00Z", 4.0, Some(run))).expect("pain");
        s.put_day_log(&day("2026-10-04", true)).expect("day");
        s.put_session(ts("2026-10-04T18:00:00Z"), "daily-mobility", true, &serde_json::json!({})).expect("session");
        s.add_break_event(ts("2026-10-04T10:00:00Z"), "taken", &serde_json::json!({})).expect("break");
        s.set_lesson_done("diaphragm", Some(ts("2026-10-04T20:00:00Z"))).expect("lesson");
        s.put_setting("reminders", &serde_json::json!({ "enabled": true })).expect("setting");
        s.put_experiment(None, date("2026-10-01"), true, &serde_json::json!({})).expect("experiment");
        s.add_posture(date("2026-10-02"), "standing", &serde_json::json!({})).expect("posture");
        assert!(s.holds_real_data().expect("real"));
    }
    let rev = a.journal_revision().expect("revision");
    let bens_pass = b.labels_stale_from().expect("label pass");
    assert!(bens_pass.is_some(), "Ben's new run left a label pass pending");
    a.delete_all().expect("delete all");
    assert_eq!(b.labels_stale_from().expect("label pass"), bens_pass, "Ana's delete leaves Ben's pending pass");
    assert!(a.journal_revision().expect("revision") > rev, "the athlete stays and its revision keeps growing");
    assert!(!a.holds_real_data().expect("real"), "nothing left");
    let all = (Timestamp::MIN, Timestamp::MAX);
    assert!(a.profile().expect("read").is_none());
    assert!(a.screenings().expect("read").is_empty() && a.assessments().expect("read").is_empty());
    assert!(a.plans().expect("read").is_empty() && a.activities(&ActivityFilter::default()).expect("read").is_empty());
    assert!(a.run_contexts().expect("read").is_empty() && a.pain_reports(all.0, all.1).expect("read").is_empty());
    assert!(a.day_logs(Date::MIN, Date::MAX).expect("read").is_empty());
    assert!(
        a.sessions(all.0, all.1).expect("read").is_empty() && a.break_events(all.0, all.1).expect("read").is_empty()
    );
    assert!(a.lessons_done().expect("read").is_empty() && a.setting("reminders").expect("read").is_none());
    assert!(a.experiments().expect("read").is_empty() && a.postures().expect("read").is_empty());
    assert_eq!(a.labels_stale_from().expect("label pass"), None, "no pass pending over nothing");

    // Ben keeps every record.
    assert!(b.holds_real_data().expect("real"));
    assert!(b.profile().expect("read").is_some());
    assert_eq!(
        (b.screenings().expect("read").len(), b.assessments().expect("read").len(), b.plans().expect("read").len()),
        (1, 1, 1)
    );
    assert_eq!(b.activities(&ActivityFilter::default()).expect("read").len(), 1);
    assert_eq!((b.run_contexts().expect("read").len(), b.pain_reports(all.0, all.1).expect("read").len()), (1, 1));
    assert_eq!(b.day_logs(Date::MIN, Date::MAX).expect("read").len(), 1);
    assert_eq!(
        (b.sessions(all.0, all.1).expect("read").len(), b.break_events(all.0, all.1).expect("read").len()),
        (1, 1)
    );
    assert_eq!(
        (
            b.lessons_done().expect("read").len(),
            b.experiments().expect("read").len(),
            b.postures().expect("read").len()
        ),
        (1, 1, 1)
    );
    assert!(b.setting("reminders").expect("read").is_some());

    // The same file imports again for the emptied athlete.
    added(&a, &run("2026-10-04T07:00:00Z", 40.0, 8.0, "same-file"));
}

pub fn writers_on_two_connections_and_threads_lose_nothing<B: Backend>(backend: &B) {
    const EACH: usize = 25;
    let (db, a, b) = two(backend);
    let (ana, ben) = (a.athlete_id(), b.athlete_id());
    let second = backend.connect(&db);
    let (a0, b0) = (a.journal_revision().expect("revision"), b.journal_revision().expect("revision"));
    let writers = [
        (db.athlete(ana).expect("handle"), "a1"),
        (second.athlete(ana).expect("handle"), "a2"),
        (second.athlete(ben).expect("handle"), "b1"),
        (db.athlete(ben).expect("handle"), "b2"),
    ];
    let threads: Vec<_> = writers
        .into_iter()
        .map(|(store, tag)| {
            std::thread::spawn(move || {
                for i in 0..EACH {
                    let minute = if tag.ends_with('1') { 2 * i } else { 2 * i + 1 };
                    let at = Timestamp::from_second(1_790_000_000 + 3600 * minute as i64).expect("time");
                    store.add_pain_report(&pain(&at.to_string(), 3.0, None)).expect("pain under contention");
                    let start = Timestamp::from_second(1_790_000_000 + 7200 * minute as i64).expect("time");
                    let r = run(&start.to_string(), 1.0, 0.2, &format!("{tag}-{i}"));
                    store.add_activity(&r, None).expect("run under contention");
                    store.put_setting(tag, &serde_json::json!({ "i": i })).expect("setting under contention");
                }
            })
        })
        .collect();
    for t in threads {
        t.join().expect("writer thread");
    }
    for (s, rev0, tags) in [(&a, a0, ["a1", "a2"]), (&b, b0, ["b1", "b2"])] {
        let pain = s.pain_reports(Timestamp::MIN, Timestamp::MAX).expect("pain");
        assert_eq!(pain.len(), 2 * EACH, "every report of both writers of athlete {}", s.athlete_id());
        let runs = s.activities(&ActivityFilter::default()).expect("runs");
        assert_eq!(runs.len(), 2 * EACH, "every run of both writers of athlete {}", s.athlete_id());
        assert!(runs.iter().all(|r| tags.iter().any(|t| r.key.starts_with(t))), "and none of the other athlete's");
        for tag in tags {
            assert_eq!(s.setting(tag).expect("setting"), Some(serde_json::json!({ "i": EACH - 1 })));
        }
        let grown = s.journal_revision().expect("revision") - rev0;
        assert!(grown >= (4 * EACH) as u64, "each of the {} changes counted once at least (grew {grown})", 4 * EACH);
    }
}
