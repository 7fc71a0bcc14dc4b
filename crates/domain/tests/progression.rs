//! Doses over a simulated 12-week journal: steps up every two weeks when the sessions were done, holds after a
//! session marked too hard, steps up early after two "too easy", goes back a step when next-morning pain rose, and
//! never passes the content's caps.

use runtall_content::{dose_caps, program};
use runtall_domain::plan::progression::{WeekSignals, change_words, replay, rule_for, stepped};

fn done(sessions: u32) -> WeekSignals {
    WeekSignals { sessions, ..WeekSignals::default() }
}

/// The dose of `exercise` at the start of each of 12 weeks, as its rule grows it over `journal`.
fn doses(exercise: &str, journal: &[WeekSignals]) -> Vec<String> {
    let ex = program().exercise(exercise).expect("exercise");
    let rule = rule_for(program(), ex).expect("a rule");
    (0..12).map(|w| stepped(&ex.dose, rule, replay(rule, &journal[..w]).step).line()).collect()
}

#[test]
fn twelve_weeks_done_as_planned_step_up_every_two_weeks_to_the_cap() {
    let journal = vec![done(3); 12];
    let ex = program().exercise("lower-trap-set").expect("exercise");
    let rule = rule_for(program(), ex).expect("scapular rule");
    let reps: Vec<u32> =
        (0..=12).map(|w| stepped(&ex.dose, rule, replay(rule, &journal[..w]).step).reps.expect("reps")).collect();
    let first = ex.dose.reps.expect("reps");
    // Weeks 1–2 at the written dose, then +2 every two weeks, up to the rule's steps.
    assert_eq!(reps[0], first);
    assert_eq!(reps[2], first + 2, "{reps:?}");
    assert_eq!(reps[4], first + 4, "{reps:?}");
    assert_eq!(*reps.last().expect("week 12"), first + 2 * rule.max_steps.min(6), "{reps:?}");
    assert!(reps.windows(2).all(|w| w[1] >= w[0] && w[1] - w[0] <= 2), "one step at a time: {reps:?}");
    assert!(reps.iter().all(|r| *r <= dose_caps::MAX_REPS));
    let week3 = stepped(&ex.dose, rule, replay(rule, &journal[..2]).step);
    assert_eq!(change_words(&ex.dose, &week3), Some(format!("{first} → {} reps", first + 2)));
}

#[test]
fn a_session_too_hard_holds_and_worse_mornings_step_back() {
    let mut journal = vec![done(3); 12];
    journal[1].too_hard = 1; // week 2: no step at its end
    journal[7].morning_pain_rise = 2.5; // week 8: back one step
    let ex = program().exercise("lower-trap-set").expect("exercise");
    let rule = rule_for(program(), ex).expect("rule");
    let steps: Vec<u32> = (0..=12).map(|w| replay(rule, &journal[..w]).step).collect();
    assert_eq!(steps[2], 0, "held after the too-hard week: {steps:?}");
    assert_eq!(steps[4], 1, "the period started again after week 2: {steps:?}");
    let before = steps[7];
    assert_eq!(steps[8], before.saturating_sub(1), "next-morning pain up 2.5 points steps back: {steps:?}");
    // A rise below 2 points is not a step back.
    let mut mild = vec![done(3); 12];
    mild[7].morning_pain_rise = 1.5;
    assert!(replay(rule, &mild[..8]).step >= replay(rule, &mild[..7]).step);
}

#[test]
fn too_easy_twice_steps_up_early_and_chin_tucks_grow_their_hold() {
    let mut journal = vec![done(4); 12];
    journal[0].too_easy = 2;
    let ex = program().exercise("lower-trap-set").expect("exercise");
    let rule = rule_for(program(), ex).expect("rule");
    assert_eq!(replay(rule, &journal[..1]).step, 1, "two 'too easy' in week 1 step up at its end");
    let tuck = doses("chin-tuck", &vec![done(7); 12]);
    assert_ne!(tuck[0], tuck[11], "chin tucks progress: {tuck:?}");
    let ex = program().exercise("chin-tuck").expect("chin tuck");
    let rule = rule_for(program(), ex).expect("neck rule");
    let last = stepped(&ex.dose, rule, 99);
    assert!(last.hold_s.expect("hold") <= dose_caps::MAX_HOLD_S && last.estimated_seconds() <= dose_caps::MAX_SECONDS);
    assert_eq!(last.reps, ex.dose.reps, "chin tucks add hold time, not reps");
    // Breathing has no rule: its dose is a habit, not a load.
    let breathing = program().exercise("hooklying-90-90-breathing").expect("breathing");
    assert!(rule_for(program(), breathing).is_none());
}

#[test]
fn no_session_no_progress() {
    let ex = program().exercise("open-book-rotation").expect("exercise");
    let rule = rule_for(program(), ex).expect("mobility rule");
    assert_eq!(replay(rule, &vec![done(0); 12]).step, 0);
}
