//! Breathing sessions on their own: the pattern chosen, checked by the safety gate, timed by the guide's engine.

mod common;

use common::{assessment, open, program, screening};
use runtall_companion::breathe::{self, BreatheError, PATTERNS};
use runtall_companion::guide::{EndReason, SegmentKind, StepOutcome};
use runtall_content::Condition;
use runtall_domain::safety::{SafetyInputs, gate};

#[test]
fn every_pattern_is_a_breathing_exercise_with_its_own_counts() {
    let choices = breathe::patterns(program(), &open());
    assert_eq!(choices.len(), PATTERNS.len());
    let bx = choices.iter().find(|c| c.id == "box").expect("box");
    assert_eq!(bx.rhythm, "in 4 s · hold 4 s · out 4 s · pause 4 s");
    assert!((bx.breaths_per_minute - 3.75).abs() < 0.01);
    let long = choices.iter().find(|c| c.id == "long-exhale").expect("long exhale");
    assert_eq!(long.rhythm, "in 3.5 s · out 7 s");
    assert!(choices.iter().all(|c| c.instead.is_none() && c.reason.is_none()), "all allowed for the demo runner");
}

#[test]
fn a_session_fills_the_minutes_with_whole_breaths() {
    let plan = breathe::choose(program(), &open(), "box", 3).expect("box");
    let t = breathe::timeline(program(), &plan).expect("timeline");
    assert_eq!(t.segments[0].kind, SegmentKind::Prepare);
    let breaths = t.segments.iter().filter(|s| matches!(s.kind, SegmentKind::Breathe(_))).count();
    // 3 minutes of a 16-second breath: 11 breaths (176 s), each in four phases.
    assert_eq!(breaths, 11 * 4);
    assert_eq!(t.active_ms(), 11 * 16 * 1000);
    assert_eq!(t.title, "Box breathing, 3 min");
    // The exercise id also works, and the minutes are bounded.
    assert!(breathe::choose(program(), &open(), "extended-exhale-breathing", 10).is_ok());
    assert_eq!(breathe::choose(program(), &open(), "box", 0), Err(BreatheError::Minutes(0)));
    assert_eq!(breathe::choose(program(), &open(), "box", 31), Err(BreatheError::Minutes(31)));
    let err = breathe::choose(program(), &open(), "wim-hof", 5).expect_err("unknown");
    assert!(err.to_string().contains("long-exhale, box"), "{err}");
}

#[test]
fn in_pregnancy_box_breathing_is_swapped_for_the_long_exhale() {
    let s = screening(&[]);
    let mut a = assessment();
    a.conditions.push(Condition::Pregnancy);
    let perm = gate(program(), &SafetyInputs { screening: Some(&s), assessment: Some(&a) });
    let plan = breathe::choose(program(), &perm, "box", 5).expect("swapped, not refused");
    assert_eq!(plan.exercise, "extended-exhale-breathing");
    assert!(plan.swapped.as_deref().is_some_and(|w| w.contains("Box breathing")), "{plan:?}");
    assert_eq!(plan.breath.hold_in_s, 0.0, "no breath holds");
    let listed = breathe::patterns(program(), &perm);
    let bx = listed.iter().find(|c| c.id == "box").expect("box");
    assert_eq!(bx.instead.as_deref(), Some("extended-exhale-breathing"));
}

#[test]
fn a_browser_session_is_replayed_into_the_same_record() {
    let plan = breathe::choose(program(), &open(), "long-exhale", 2).expect("plan");
    let t = breathe::timeline(program(), &plan).expect("timeline");
    let total = t.total_ms() as f64 / 1000.0;
    let done = breathe::replay(t.clone(), total, EndReason::Finished).expect("finished");
    assert_eq!(done.ended, EndReason::Finished);
    assert!(done.all_completed(), "{done:?}");
    assert_eq!(done.id, "extended-exhale-breathing");
    let half = breathe::replay(t.clone(), total / 2.0, EndReason::Quit).expect("stopped");
    assert_eq!(half.ended, EndReason::Quit);
    assert_eq!(half.steps[0].outcome, StepOutcome::Partial);
    assert!(half.active_s > 40 && half.active_s < 70, "{}", half.active_s);
    let checkpoint = breathe::replay(t.clone(), 30.0, EndReason::InProgress).expect("checkpoint");
    assert_eq!(checkpoint.ended, EndReason::InProgress);
    assert!(breathe::replay(t, total + 60.0, EndReason::Finished).is_err(), "past the end");
}
