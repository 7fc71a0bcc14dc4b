//! The guided-session timeline and player, driven by a fake clock.

mod common;

use common::{program, secs, view};
use runtall_companion::guide::{
    BreathPhase, DoseOverride, EndReason, GuideInput, SegmentKind, Session, SessionError, SessionEvent, SessionState,
    Side, StepOutcome, build_timeline, resolve,
};

fn exercise(id: &str) -> runtall_companion::Timeline {
    build_timeline(program(), &GuideInput::Exercise { id, overrides: DoseOverride::default() }).expect("timeline")
}

#[test]
fn breathing_drill_unrolls_into_phases_and_skips_zero_holds() {
    // 90/90 hook-lying: 5 rounds × 4 breaths of 4 s in, 7 s out, 3 s pause; 15 s rest between rounds.
    let t = exercise("hooklying-90-90-breathing");
    assert_eq!(t.segments[0].kind, SegmentKind::Prepare);
    assert_eq!(t.segments[0].duration_ms, 10_000);
    let breaths: Vec<_> = t.segments.iter().filter(|s| matches!(s.kind, SegmentKind::Breathe(_))).collect();
    assert_eq!(breaths.len(), 5 * 4 * 3, "in, out, pause per breath; no zero-length hold");
    assert!(!t.segments.iter().any(|s| s.kind == SegmentKind::Breathe(BreathPhase::HoldIn)));
    assert_eq!(t.segments.iter().filter(|s| s.kind == SegmentKind::Rest).count(), 4);
    assert_eq!(t.total_ms(), (10 + 5 * 4 * 14 + 4 * 15) * 1000);
    assert_eq!(t.active_ms(), 5 * 4 * 14 * 1000);
    let first = &breaths[0];
    assert_eq!((first.set, first.sets, first.rep, first.reps), (1, 5, Some(1), Some(4)));
    assert_eq!(first.duration_ms, 4000);
    // Segments tile the timeline without gaps.
    for w in t.segments.windows(2) {
        assert_eq!(w[0].end_ms(), w[1].start_ms);
    }
}

#[test]
fn box_breathing_has_all_four_phases_and_fills_its_minutes() {
    let t = exercise("box-breathing");
    let phases: Vec<_> = t.segments.iter().skip(1).take(4).map(|s| s.kind).collect();
    assert_eq!(
        phases,
        [BreathPhase::Inhale, BreathPhase::HoldIn, BreathPhase::Exhale, BreathPhase::HoldOut].map(SegmentKind::Breathe)
    );
    // 180 s of 16 s breaths: 11 whole breaths.
    assert_eq!(t.segments.last().and_then(|s| s.reps), Some(11));
    let over = runtall_companion::guide::DoseOverride { minutes: Some(4), ..Default::default() };
    let t = build_timeline(program(), &GuideInput::Exercise { id: "box-breathing", overrides: over }).expect("4 min");
    assert_eq!(t.segments.last().and_then(|s| s.reps), Some(15));
}

#[test]
fn reps_with_holds_and_per_side_work() {
    let t = exercise("chin-tuck");
    let moves: Vec<_> = t.segments.iter().filter(|s| s.kind == SegmentKind::Move).collect();
    let holds: Vec<_> = t.segments.iter().filter(|s| s.kind == SegmentKind::Hold).collect();
    assert_eq!((moves.len(), holds.len()), (10, 10));
    assert!(moves.iter().all(|m| m.then_hold && m.duration_ms == 2000 && m.label() == "Move into position"));
    assert!(holds.iter().all(|h| h.duration_ms == 10_000 && h.label() == "Hold"));

    let t = exercise("open-book-rotation");
    let sides: Vec<_> = t.segments.iter().filter(|s| s.kind == SegmentKind::Move).map(|s| s.side).collect();
    assert_eq!(sides.iter().filter(|s| **s == Some(Side::Left)).count(), 8);
    assert_eq!(sides.iter().filter(|s| **s == Some(Side::Right)).count(), 8);
    let switch = t.segments.iter().find(|s| s.kind == SegmentKind::SwitchSides).expect("switch");
    assert_eq!(switch.side, Some(Side::Right));

    // A timed walk is one work segment.
    let t = exercise("walking-break");
    assert_eq!(t.segments.iter().filter(|s| s.kind == SegmentKind::Work).count(), 1);
    assert_eq!(t.active_ms(), 180_000);
}

#[test]
fn routine_view_becomes_steps_with_transitions() {
    let v = view("pre-run-standard");
    let t = build_timeline(program(), &GuideInput::Routine(&v)).expect("routine");
    assert_eq!(t.steps.len(), v.steps.len());
    assert!(t.is_routine);
    assert_eq!(t.title, v.name);
    let prepares: Vec<_> = t.segments.iter().filter(|s| s.kind == SegmentKind::Prepare).collect();
    assert_eq!(prepares.len(), v.steps.len());
    assert_eq!(prepares[0].duration_ms, 10_000);
    assert!(prepares[1..].iter().all(|p| p.duration_ms == 15_000));
    // Steps play in order and the routine overrides reach the timeline (hook-lying: 2 rounds here).
    let steps: Vec<usize> = t.segments.iter().map(|s| s.step).collect();
    assert!(steps.windows(2).all(|w| w[0] <= w[1]));
    assert_eq!(t.segments.iter().find(|s| s.step == 0 && s.kind != SegmentKind::Prepare).map(|s| s.sets), Some(2));
    // Close to the content's own estimate (which has no getting-ready or side-change time).
    let total_s = t.total_ms() / 1000;
    assert!(total_s >= u64::from(v.seconds) && total_s <= u64::from(v.seconds) + 60, "{total_s} vs {}", v.seconds);
}

#[test]
fn every_routine_in_the_library_builds() {
    for r in &program().routines {
        let v = view(&r.id);
        let t = build_timeline(program(), &GuideInput::Routine(&v)).unwrap_or_else(|e| panic!("{}: {e}", r.id));
        assert!(t.total_ms() > 0);
    }
    for e in &program().exercises {
        exercise(&e.id);
    }
}

#[test]
fn impossible_inputs_are_refused_with_clear_messages() {
    let p = program();
    let err = resolve(p, "chin-tuk").expect_err("typo");
    let msg = err.to_string();
    assert!(msg.contains("unknown routine or exercise 'chin-tuk'") && msg.contains("'chin-tuck'"), "{msg}");
    let err = resolve(p, "zzzzzzzzzzzz").expect_err("nonsense");
    assert!(err.to_string().contains("runtall exercises"), "{err}");

    let reps = |n| DoseOverride { reps: Some(n), ..Default::default() };
    let err = build_timeline(p, &GuideInput::Exercise { id: "chin-tuck", overrides: reps(200) }).expect_err("200");
    assert_eq!(err.to_string(), "chin-tuck: 200 reps is out of range (allowed 1–50 per set)");
    let err = build_timeline(p, &GuideInput::Exercise { id: "chin-tuck", overrides: reps(0) }).expect_err("0");
    assert!(err.to_string().contains("0 reps is out of range"));

    let minutes = |n| DoseOverride { minutes: Some(n), ..Default::default() };
    let err = build_timeline(p, &GuideInput::Exercise { id: "extended-exhale-breathing", overrides: minutes(0) })
        .expect_err("0 min");
    assert_eq!(err.to_string(), "extended-exhale-breathing: 0 minutes is out of range (allowed 1–30)");
    let err =
        build_timeline(p, &GuideInput::Exercise { id: "chin-tuck", overrides: minutes(5) }).expect_err("not timed");
    assert!(err.to_string().contains("counted in reps"), "{err}");
    let err = build_timeline(p, &GuideInput::Exercise { id: "walking-break", overrides: reps(5) }).expect_err("timed");
    assert!(err.to_string().contains("is timed"), "{err}");
    let sets = DoseOverride { sets: Some(0), ..Default::default() };
    let err = build_timeline(p, &GuideInput::Exercise { id: "chin-tuck", overrides: sets }).expect_err("0 sets");
    assert!(err.to_string().contains("0 sets"), "{err}");
    let err = build_timeline(p, &GuideInput::Exercise { id: "pre-run-standard", overrides: DoseOverride::default() })
        .expect_err("routine as exercise");
    assert!(err.to_string().contains("is a routine"), "{err}");

    // Ten sets of 30 minutes is over the two-hour session limit.
    let long = DoseOverride { sets: Some(10), minutes: Some(30), ..Default::default() };
    let err = build_timeline(p, &GuideInput::Exercise { id: "walking-break", overrides: long }).expect_err("long");
    assert!(matches!(err, SessionError::TooLong { .. }), "{err}");

    let mut v = view("desk-micro-break");
    v.steps[0].exercise = "no-such-thing".into();
    let err = build_timeline(p, &GuideInput::Routine(&v)).expect_err("unknown step");
    assert!(err.to_string().contains("no-such-thing"));
    v.steps.clear();
    let err = build_timeline(p, &GuideInput::Routine(&v)).expect_err("empty");
    assert!(matches!(err, SessionError::EmptyRoutine(_)));
    let mut v = view("desk-micro-break");
    v.steps[0].dose.breath =
        Some(runtall_content::BreathPattern { inhale_s: f32::NAN, hold_in_s: 0.0, exhale_s: 4.0, hold_out_s: 0.0 });
    assert!(build_timeline(p, &GuideInput::Routine(&v)).is_err());

    let t = exercise("chin-tuck");
    let mut broken = t.clone();
    broken.segments[3].step = 7;
    assert!(matches!(Session::new(broken, 1.0), Err(SessionError::InvalidInput(_))));
    let mut gap = t.clone();
    gap.segments[2].start_ms += 1;
    assert!(Session::new(gap, 1.0).is_err());
    assert!(matches!(Session::new(t.clone(), 0.0), Err(SessionError::InvalidSpeed(_))));
    assert!(matches!(Session::new(t.clone(), f64::NAN), Err(SessionError::InvalidSpeed(_))));
    assert!(Session::new(t, 1000.0).is_err());
}

#[test]
fn player_follows_the_clock_and_the_pacer_bar_grows_and_shrinks() {
    let t = exercise("hooklying-90-90-breathing");
    let mut s = Session::new(t, 1.0).expect("session");
    assert_eq!(s.start(secs(0.0)), vec![SessionEvent::SegmentStarted(0)]);
    s.tick(secs(5.0));
    let snap = s.snapshot();
    assert_eq!(snap.segment.map(|x| x.kind), Some(SegmentKind::Prepare));
    assert_eq!(snap.count_s, 5);
    assert!(snap.hint.is_some_and(|h| h.contains("Lie on your back")), "{:?}", snap.hint);

    let ev = s.tick(secs(11.0));
    assert_eq!(ev, vec![SessionEvent::SegmentStarted(1)]);
    let snap = s.snapshot();
    assert_eq!(snap.segment.map(|x| x.kind), Some(SegmentKind::Breathe(BreathPhase::Inhale)));
    assert!((snap.bar - 0.25).abs() < 1e-6);
    assert_eq!(snap.count_s, 3);
    s.tick(secs(13.0));
    assert!((s.snapshot().bar - 0.75).abs() < 1e-6);
    s.tick(secs(14.0 + 3.5));
    let snap = s.snapshot();
    assert_eq!(snap.segment.map(|x| x.kind), Some(SegmentKind::Breathe(BreathPhase::Exhale)));
    assert!((snap.bar - 0.5).abs() < 1e-6, "half-way through the breath out the bar is half full");
    s.tick(secs(22.0));
    let snap = s.snapshot();
    assert_eq!(snap.segment.map(|x| x.kind), Some(SegmentKind::Breathe(BreathPhase::HoldOut)));
    assert_eq!(snap.bar, 0.0);
    assert_eq!((snap.rep, snap.reps, snap.set, snap.sets), (Some(1), Some(4), 1, 5));
    assert!(snap.next_up.is_some_and(|n| n == "last exercise"));

    // A clock reading that goes backwards does not rewind.
    let pos = s.position_ms();
    s.tick(secs(1.0));
    assert_eq!(s.position_ms(), pos);
}

#[test]
fn pause_freezes_and_resume_continues() {
    let mut s = Session::new(exercise("chin-tuck"), 1.0).expect("session");
    s.start(secs(0.0));
    s.tick(secs(12.0));
    assert!(s.pause(secs(12.0)).contains(&SessionEvent::Paused));
    assert_eq!(s.state(), SessionState::Paused);
    s.tick(secs(100.0));
    assert_eq!(s.position_ms(), 12_000);
    assert!(s.snapshot().state == SessionState::Paused);
    s.resume(secs(100.0));
    s.tick(secs(101.0));
    assert_eq!(s.position_ms(), 13_000);
    s.quit(secs(101.0));
    let r = s.record();
    assert_eq!(r.paused_s, 88);
    assert_eq!(r.elapsed_s, 101);
    assert_eq!(r.ended, EndReason::Quit);
    // 10 s getting ready, then 2 s move + 1 s of the first hold.
    assert_eq!(r.active_s, 3);
    assert_eq!(r.steps[0].outcome, StepOutcome::Partial);
}

#[test]
fn speed_multiplies_the_clock_and_finishing_completes_everything() {
    let t = exercise("hooklying-90-90-breathing");
    let total_s = t.total_ms() as f64 / 1000.0;
    let mut s = Session::new(t, 10.0).expect("session");
    s.start(secs(0.0));
    let mut events = Vec::new();
    let mut now = 0.0;
    while !s.is_over() {
        now += 0.5;
        events.extend(s.tick(secs(now)));
    }
    assert!((now - total_s / 10.0).abs() <= 0.5);
    assert_eq!(events.last(), Some(&SessionEvent::Finished));
    let r = s.record();
    assert_eq!(r.ended, EndReason::Finished);
    assert!(r.all_completed());
    assert_eq!(r.steps[0].sets_done, 5);
    assert_eq!(r.active_s, 280, "session seconds, not wall seconds");
    assert_eq!(r.elapsed_s, 35);
    assert_eq!(r.speed, 10.0);
    assert!(r.summary().contains("1 of 1 step completed"), "{}", r.summary());
}

#[test]
fn skip_ends_waits_or_the_current_exercise_and_the_record_says_so() {
    let v = view("desk-micro-break");
    let t = build_timeline(program(), &GuideInput::Routine(&v)).expect("routine");
    let n = t.steps.len();
    assert_eq!(n, 3);
    let mut s = Session::new(t, 1.0).expect("session");
    s.start(secs(0.0));
    // Skip in getting-ready: straight into the work.
    s.tick(secs(2.0));
    s.skip(secs(2.0));
    let snap = s.snapshot();
    assert_eq!(snap.segment.map(|x| x.kind), Some(SegmentKind::Move));
    assert_eq!(snap.step_index, 0);
    // Work a little, then skip the rest of this exercise: on to getting ready for the next.
    s.tick(secs(5.0));
    s.skip(secs(5.0));
    let snap = s.snapshot();
    assert_eq!((snap.step_index, snap.segment.map(|x| x.kind)), (1, Some(SegmentKind::Prepare)));
    // Skip twice: past the getting-ready and past the whole walk.
    s.skip(secs(6.0));
    s.skip(secs(6.0));
    assert_eq!(s.snapshot().step_index, 2);
    // Do the last exercise fully.
    let mut now = 6.0;
    while !s.is_over() {
        now += 1.0;
        s.tick(secs(now));
    }
    let r = s.record();
    let outcomes: Vec<_> = r.steps.iter().map(|x| x.outcome).collect();
    assert_eq!(outcomes, [StepOutcome::Partial, StepOutcome::Skipped, StepOutcome::Completed]);
    assert_eq!(r.ended, EndReason::Finished);
    assert_eq!(r.steps[0].active_s, 3);
    assert_eq!(r.steps[1].active_s, 0);
    assert_eq!(r.steps[2].active_s, r.steps[2].planned_active_s);
    assert_eq!(r.active_s, r.steps.iter().map(|x| x.active_s).sum::<u32>());
}

#[test]
fn quitting_or_an_interrupt_keeps_what_was_done() {
    let v = view("pre-run-standard");
    let t = build_timeline(program(), &GuideInput::Routine(&v)).expect("routine");
    // Play until the second exercise is under way.
    let second_start = t.step_start(1).expect("step 1");
    let at = t.segments[second_start + 2].start_ms as f64 / 1000.0 + 0.5;
    let mut s = Session::new(t, 1.0).expect("session");
    s.start(secs(0.0));
    let checkpoint = {
        s.tick(secs(at));
        s.record()
    };
    assert_eq!(checkpoint.ended, EndReason::InProgress);
    s.interrupt(secs(at));
    let r = s.record();
    assert_eq!(r.ended, EndReason::Interrupted);
    assert_eq!(r.steps[0].outcome, StepOutcome::Completed);
    assert_eq!(r.steps[1].outcome, StepOutcome::Partial);
    assert!(r.steps[2..].iter().all(|x| x.outcome == StepOutcome::NotStarted));
    assert!(r.active_s > 0 && r.active_s < r.planned_active_s);
    // Ending twice changes nothing; the player ignores input once over.
    s.quit(secs(at + 10.0));
    assert_eq!(s.record().ended, EndReason::Interrupted);
    assert!(s.tick(secs(at + 20.0)).is_empty());
    assert!(s.skip(secs(at + 20.0)).is_empty());
    // The record serializes for the journal.
    let json = serde_json::to_string(&r).expect("json");
    assert!(json.contains("\"ended\":\"interrupted\"") && json.contains("\"outcome\":\"partial\""), "{json}");
}

/// Skipping through a whole routine is recorded as skipping, and the summary does not call it finished.
#[test]
fn skipping_every_exercise_is_counted_as_skipped_not_finished() {
    let v = view("desk-micro-break");
    let t = build_timeline(program(), &GuideInput::Routine(&v)).expect("timeline");
    let n = t.steps.len();
    let mut s = Session::new(t, 1.0).expect("session");
    s.start(secs(0.0));
    let mut at = 0.5;
    // Skip the getting-ready wait, then (half a second into the work) the exercise, for every exercise.
    while !s.is_over() {
        s.skip(secs(at));
        at += 0.5;
        assert!(at < 100.0, "the session should end after skipping everything");
    }
    let record = s.record();
    assert_eq!(record.ended, EndReason::Finished);
    assert_eq!(record.count(StepOutcome::Skipped), n, "{record:?}");
    let summary = record.summary();
    assert!(summary.contains(&format!("{n} skipped")), "{summary}");
    assert!(summary.contains("skipped through") && !summary.contains("finished"), "{summary}");
}
