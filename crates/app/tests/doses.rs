//! Progressed doses read from the journal: sessions completed week after week step the lower-trap set up, a week
//! whose session was marked too hard holds it, and a next-morning pain rise steps it back.

use jiff::{SignedDuration, Timestamp};
use runtall_app::doses::progress;
use runtall_domain::assess::{Region, Score};
use runtall_domain::content::program;
use runtall_domain::journal::{PainReport, PainTiming};
use runtall_domain::plan::{self, PlanRecord};
use runtall_domain::safety::{SafetyInputs, gate};
use runtall_store::{SqliteStore, Store};
use serde_json::json;

const SAMPLE: &str = include_str!("../../../examples/assessment.toml");
const DAY: SignedDuration = SignedDuration::from_hours(24);

fn start() -> Timestamp {
    "2026-09-01T08:00:00Z".parse().expect("time")
}

/// A store holding one plan made at `start()`.
fn store() -> (tempfile::TempDir, SqliteStore) {
    let dir = tempfile::tempdir().expect("dir");
    let store = SqliteStore::open(&dir.path().join("t.db")).expect("store");
    let a = runtall_domain::assess::parse_answers("a.toml", SAMPLE).expect("assessment");
    let answers = runtall_domain::screen::ScreenAnswers::all_no(program());
    let screen = runtall_domain::screen::ScreeningRecord::new(program(), answers, start()).expect("screen");
    let perm = gate(program(), &SafetyInputs { screening: Some(&screen), assessment: Some(&a) });
    let built = plan::build(program(), &a, &perm).expect("plan");
    store
        .add_plan(&PlanRecord { id: None, created_at: start(), screening_id: None, assessment_id: None, plan: built })
        .expect("plan");
    (dir, store)
}

/// A strength session on `day` days after the start, with the lower-trap set completed and marked `effort`.
fn session(store: &dyn Store, day: i32, effort: Option<&str>) {
    let at = start() + DAY * day;
    let mut step = json!({ "exercise": "lower-trap-set", "name": "Lower-trap set", "outcome": "completed" });
    if let Some(e) = effort {
        step["effort"] = json!(e);
    }
    let record = json!({ "id": "rest-day-strength", "ended": "finished", "steps": [step] });
    runtall_app::completion::save_session(store, at, "rest-day-strength", true, &record).expect("session");
}

fn morning_pain(store: &dyn Store, day: i32, score: u8) {
    store
        .add_pain_report(&PainReport {
            id: None,
            at: start() + DAY * day,
            timing: PainTiming::NextMorning,
            region: Region::Neck,
            intensity: Score::new(f64::from(score)).expect("score"),
            run_id: None,
            notes: None,
        })
        .expect("pain");
}

fn lower_trap_step(store: &dyn Store, days: i32) -> (u32, u32) {
    let p = progress(store, program(), start() + DAY * days + SignedDuration::from_hours(1)).expect("progress");
    (p.week, p.steps.get("lower-trap-set").copied().unwrap_or(0))
}

#[test]
fn sessions_done_week_after_week_step_the_dose_up() {
    let (_d, store) = store();
    assert_eq!(lower_trap_step(&store, 0), (1, 0));
    for day in (0..35).step_by(2) {
        session(&store, day, None);
    }
    assert_eq!(lower_trap_step(&store, 14), (3, 1), "two weeks of sessions: one step");
    assert_eq!(lower_trap_step(&store, 28), (5, 2), "four weeks: two steps");
}

#[test]
fn too_hard_holds_and_a_worse_morning_steps_back() {
    let (_d, store) = store();
    for day in (0..35).step_by(2) {
        session(&store, day, if day == 8 { Some("too-hard") } else { None });
    }
    // Week 2 had a too-hard session: no step at day 14; the two weeks start again and end at day 28.
    assert_eq!(lower_trap_step(&store, 14).1, 0);
    assert_eq!(lower_trap_step(&store, 21).1, 0);
    assert_eq!(lower_trap_step(&store, 28).1, 1);
    morning_pain(&store, 29, 2);
    morning_pain(&store, 30, 5);
    assert_eq!(lower_trap_step(&store, 35).1, 0, "next-morning pain up 3 points in week 5: back one step");
}

#[test]
fn too_easy_twice_steps_up_early() {
    let (_d, store) = store();
    session(&store, 1, Some("too-easy"));
    session(&store, 3, Some("too-easy"));
    assert_eq!(lower_trap_step(&store, 7).1, 1);
}

/// The web app's kept progress answers like `progress` itself: it follows a new session at once (a write changes the
/// journal revision) and a week turning over without any write.
#[test]
fn kept_progress_follows_new_sessions_and_the_turn_of_a_week() {
    let (_d, store) = store();
    let cache = runtall_app::doses::ProgressCache::default();
    let at = |days: i32| start() + DAY * days + SignedDuration::from_hours(1);
    let step = |p: runtall_domain::plan::Progress| (p.week, p.steps.get("lower-trap-set").copied().unwrap_or(0));
    for day in (0..13).step_by(2) {
        session(&store, day, None);
    }
    assert_eq!(step(cache.progress(&store, program(), at(13)).expect("kept")), (2, 0));
    // Same revision, a week later: the cache must not hand back week 2.
    assert_eq!(step(cache.progress(&store, program(), at(14)).expect("kept")), (3, 1));
    assert_eq!(
        cache.progress(&store, program(), at(14)).expect("kept"),
        progress(&store, program(), at(14)).expect("p")
    );
    // A too-easy pair in week 3 steps early only once those sessions are stored.
    session(&store, 15, Some("too-easy"));
    session(&store, 16, Some("too-easy"));
    assert_eq!(
        cache.progress(&store, program(), at(21)).expect("kept"),
        progress(&store, program(), at(21)).expect("fresh"),
        "a write is seen at once"
    );
}
