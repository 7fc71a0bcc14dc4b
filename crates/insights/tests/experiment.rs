//! A self-experiment from start to verdict, stored and restored as JSON along the way.

use jiff::civil::{Date, date};
use runtall_insights::experiment::{
    Condition, Experiment, ExperimentDesign, ExperimentFactor, ExperimentUnit, ResultStatus,
};

fn day(i: u32) -> Date {
    date(2025, 4, 1).checked_add(jiff::Span::new().days(i64::from(i))).unwrap()
}

#[test]
fn pack_experiment_start_to_verdict_with_a_json_round_trip() {
    let design = ExperimentDesign::recommended(ExperimentFactor::Pack, ExperimentUnit::Runs, 2025);
    assert_eq!(design.min_units(), 12);
    let mut exp = Experiment::new(design, day(0)).unwrap();
    for i in 0..16u32 {
        // Store and restore between runs, as the CLI would.
        let json = serde_json::to_string(&exp).unwrap();
        exp = serde_json::from_str(&json).unwrap();
        let a = exp.assignment_for(day(2 * i)).unwrap();
        assert_eq!(a.index, i);
        assert!(!a.instruction.is_empty());
        // The runner follows all but one assignment; pain is higher with the pack.
        let followed = i != 5;
        let actual = if followed { a.condition } else { a.condition.other() };
        let level = match actual {
            Condition::Usual => [4, 5, 3, 6][(i % 4) as usize],
            Condition::Change => [1, 0, 2, 1][(i % 4) as usize],
        };
        exp.record(day(2 * i), followed, level >= 3, level).unwrap();
        let r = exp.result(false);
        if i < 11 {
            assert_eq!(r.status, ResultStatus::Hidden);
            assert!(r.mean_pain_difference.is_none());
        }
    }
    let r = exp.result(false);
    assert_eq!(r.status, ResultStatus::Ready);
    assert_eq!(r.adherence.followed, 15);
    let d = r.mean_pain_difference.as_ref().unwrap();
    assert!(d.estimate < -2.0 && d.upper < 0.0 && d.prob_change_helps > 0.99, "{d:?}");
    let rate = r.pain_rate_difference.as_ref().unwrap();
    assert!(rate.estimate < 0.0);
    assert!(r.sentence.contains("lower"), "{}", r.sentence);
}

#[test]
fn day_experiment_with_washout_and_carry_over_warning() {
    let mut design = ExperimentDesign::recommended(ExperimentFactor::FoamRoller, ExperimentUnit::Days, 7);
    design.washout = 0;
    let mut exp = Experiment::new(design.clone(), day(0)).unwrap();
    // The change helps, but its effect lingers for the first day of the next block.
    for i in 0..32u32 {
        let a = exp.assignment_for(day(i)).unwrap();
        let prev =
            if i >= design.block_length { Some(design.assignment(i - design.block_length).condition) } else { None };
        let first_in_block = i % design.block_length == 0;
        let effective = if first_in_block { prev.unwrap_or(a.condition) } else { a.condition };
        let level = if effective == Condition::Change { 1 } else { 5 };
        exp.record(day(i), true, level >= 3, level).unwrap();
    }
    let r = exp.result(false);
    assert_eq!(r.status, ResultStatus::Ready);
    let c = r.carry_over.as_ref().unwrap();
    assert!(c.suspected, "{c:?}");
    assert!(r.warnings.iter().any(|w| w.starts_with("Carry-over")));

    // With a one-day wash-out the lingering day is not analysed and no carry-over is seen.
    design.washout = 1;
    let mut exp = Experiment::new(design.clone(), day(0)).unwrap();
    for i in 0..32u32 {
        let a = exp.assignment_for(day(i)).unwrap();
        let prev =
            if i >= design.block_length { Some(design.assignment(i - design.block_length).condition) } else { None };
        let effective = if i % design.block_length == 0 { prev.unwrap_or(a.condition) } else { a.condition };
        assert_eq!(a.washout, i % design.block_length == 0);
        let level = if effective == Condition::Change { 1 } else { 5 };
        exp.record(day(i), true, level >= 3, level).unwrap();
    }
    let r = exp.result(false);
    assert!(!r.carry_over.as_ref().unwrap().suspected);
    let d = r.mean_pain_difference.unwrap();
    assert!((d.estimate + 4.0).abs() < 1e-9, "{d:?}");
}

#[test]
fn days_are_recorded_once_and_gaps_are_allowed() {
    let design = ExperimentDesign::recommended(ExperimentFactor::EatingBefore, ExperimentUnit::Days, 1);
    let mut exp = Experiment::new(design, day(0)).unwrap();
    exp.record(day(0), true, false, 0).unwrap();
    assert!(exp.record(day(0), true, false, 0).is_err());
    let a = exp.record(day(5), true, false, 0).unwrap();
    assert_eq!(a.index, 5);
    assert_eq!(exp.units_done(), 6);
    assert_eq!(exp.result(false).status, ResultStatus::Hidden);
    let early = exp.result(true);
    assert_eq!(early.status, ResultStatus::Early);
    assert!(!early.warnings.is_empty());
}
