//! What the companion and the pages keep beside the journal: guided sessions, break events, lessons, settings,
//! experiments and posture checks.

use super::two;
use crate::Backend;
use crate::fixtures::*;
use jiff::Timestamp;
use runtall_store::Store;
use serde_json::json;

pub fn sessions_break_events_lessons_and_settings<B: Backend>(backend: &B) {
    let (_db, a, b) = two(backend);
    let at = ts("2026-10-04T18:00:00.250Z");
    a.put_session(at, "daily-mobility", false, &json!({ "step": 1 })).expect("checkpoint");
    a.put_session(at, "daily-mobility", true, &json!({ "step": 5 })).expect("checkpoint overwrites");
    a.put_session(at, "desk-reset", true, &json!({ "step": 3 })).expect("another routine at the same time");
    a.put_session(ts("2026-10-02T18:00:00Z"), "daily-mobility", true, &json!({})).expect("earlier");
    b.put_session(at, "daily-mobility", false, &json!({ "ben": true })).expect("Ben's, same key");
    let sessions = a.sessions(Timestamp::MIN, Timestamp::MAX).expect("sessions");
    assert_eq!(sessions.len(), 3, "one row per start and routine");
    assert_eq!(sessions[0].started_at, ts("2026-10-02T18:00:00Z"), "oldest first");
    let mobility = sessions.iter().find(|s| s.started_at == at && s.routine_id == "daily-mobility").expect("row");
    assert_eq!(
        (mobility.completed, &mobility.record),
        (true, &json!({ "step": 5 })),
        "the last checkpoint, to the millisecond"
    );
    assert_eq!(a.sessions(ts("2026-10-03T00:00:00Z"), at).expect("window").len(), 0, "to is exclusive");
    let bens = b.sessions(Timestamp::MIN, Timestamp::MAX).expect("Ben's");
    assert_eq!((bens.len(), bens[0].completed), (1, false), "Ana's checkpoints do not touch Ben's session");

    a.add_break_event(ts("2026-10-04T11:00:00Z"), "skipped", &json!({ "n": 2 })).expect("break");
    a.add_break_event(ts("2026-10-04T10:00:00Z"), "taken", &json!({ "n": 1 })).expect("break");
    a.add_break_event(ts("2026-10-04T10:00:00Z"), "taken", &json!({ "n": 1 }))
        .expect("the same event twice is two events");
    let events = a.break_events(Timestamp::MIN, Timestamp::MAX).expect("events");
    assert_eq!(events.iter().map(|e| e.kind.as_str()).collect::<Vec<_>>(), ["taken", "taken", "skipped"], "by time");
    assert_eq!(events[2].event, json!({ "n": 2 }));
    assert!(b.break_events(Timestamp::MIN, Timestamp::MAX).expect("Ben's").is_empty());

    a.set_lesson_done("posture", Some(ts("2026-10-05T20:00:00Z"))).expect("lesson");
    a.set_lesson_done("diaphragm", Some(ts("2026-10-04T20:00:00Z"))).expect("lesson");
    a.set_lesson_done("diaphragm", Some(ts("2026-10-06T20:00:00Z"))).expect("marked again");
    let done = a.lessons_done().expect("lessons");
    assert_eq!(
        done.iter().map(|l| l.lesson_id.as_str()).collect::<Vec<_>>(),
        ["diaphragm", "posture"],
        "in the order marked"
    );
    assert_eq!(done[0].done_at, ts("2026-10-04T20:00:00Z"), "marking again keeps the first time");
    a.set_lesson_done("diaphragm", None).expect("clear");
    a.set_lesson_done("never-marked", None).expect("clearing an unmarked lesson is fine");
    assert_eq!(a.lessons_done().expect("lessons").len(), 1);
    assert!(b.lessons_done().expect("Ben's").is_empty());

    assert_eq!(a.setting("reminders").expect("setting"), None);
    a.put_setting("reminders", &json!({ "enabled": true, "walk_every_min": 45 })).expect("setting");
    a.put_setting("reminders", &json!({ "enabled": false })).expect("replace");
    b.put_setting("reminders", &json!({ "enabled": true })).expect("Ben's");
    assert_eq!(a.setting("reminders").expect("setting"), Some(json!({ "enabled": false })));
    assert_eq!(b.setting("reminders").expect("setting"), Some(json!({ "enabled": true })));
    assert_eq!(a.setting("other").expect("setting"), None);
}

pub fn one_experiment_is_active_per_athlete<B: Backend>(backend: &B) {
    let (_db, a, b) = two(backend);
    assert!(a.active_experiment().expect("active").is_none());
    let first = a.put_experiment(None, date("2026-10-01"), true, &json!({ "name": "first" })).expect("start");
    let bens = b.put_experiment(None, date("2026-10-01"), true, &json!({ "name": "Ben's" })).expect("Ben's");
    let second = a.put_experiment(None, date("2026-10-08"), true, &json!({ "name": "second" })).expect("start another");
    assert_eq!(
        a.active_experiment().expect("active"),
        Some((second, json!({ "name": "second" }))),
        "starting one stops the other"
    );
    assert_eq!(b.active_experiment().expect("Ben's").map(|(id, _)| id), Some(bens), "and not Ben's");
    let all = a.experiments().expect("all");
    assert_eq!(
        all.iter().map(|(id, active, _)| (*id, *active)).collect::<Vec<_>>(),
        [(second, true), (first, false)],
        "newest first"
    );
    a.put_experiment(Some(second), date("2026-10-08"), false, &json!({ "name": "second", "stopped": true }))
        .expect("stop");
    assert!(a.active_experiment().expect("active").is_none());
    assert_eq!(a.experiments().expect("all")[0].2, json!({ "name": "second", "stopped": true }), "updated in place");
    assert_eq!(a.experiments().expect("all").len(), 2);
}

pub fn posture_checks_round_trip_and_delete<B: Backend>(backend: &B) {
    let (_db, a, b) = two(backend);
    let later = a.add_posture(date("2026-10-05"), "standing", &json!({ "cva": 48.5 })).expect("posture");
    let earlier = a.add_posture(date("2026-10-02"), "run-video", &json!({ "minutes": 12 })).expect("posture");
    b.add_posture(date("2026-10-03"), "desk", &json!({})).expect("Ben's");
    let all = a.postures().expect("all");
    assert_eq!(all.iter().map(|p| p.id).collect::<Vec<_>>(), [earlier, later], "by date");
    let one = a.posture(later).expect("read").expect("some");
    assert_eq!((one.taken_on, one.kind.as_str(), one.photo.as_deref()), (date("2026-10-05"), "standing", None));
    assert_eq!(one.data, json!({ "cva": 48.5 }));
    a.set_posture_photo(later, Some("posture-1.jpg")).expect("photo");
    assert_eq!(a.posture(later).expect("read").and_then(|p| p.photo).as_deref(), Some("posture-1.jpg"));
    a.set_posture_photo(later, None).expect("clear photo");
    assert_eq!(a.posture(later).expect("read").and_then(|p| p.photo), None);
    assert!(a.delete_posture(later).expect("delete"));
    assert!(!a.delete_posture(later).expect("again"));
    assert!(a.posture(later).expect("read").is_none());
    assert!(matches!(a.set_posture_photo(later, Some("x.jpg")), Err(runtall_store::StoreError::NotFound { .. })));
    assert_eq!(b.postures().expect("Ben's").len(), 1);
}
