use super::*;
use crate::assess::parse_answers;
use crate::screen::ScreenAnswers;
use runtall_content::program;

fn record(yes: &[&str]) -> ScreeningRecord {
    let at = "2026-11-01T08:00:00Z".parse().expect("ts");
    ScreeningRecord::new(program(), ScreenAnswers::yes(program(), yes), at).expect("complete")
}

fn sample() -> Assessment {
    parse_answers("a.toml", include_str!("../../../../examples/assessment.toml")).expect("example")
}

#[test]
fn every_level_gives_its_mode() {
    let p = program();
    let a = sample();
    let mode = |yes: &[&str]| {
        let r = record(yes);
        gate(p, &SafetyInputs { screening: Some(&r), assessment: Some(&a) }).mode
    };
    assert_eq!(gate(p, &SafetyInputs::default()).mode, Mode::NotScreened);
    assert_eq!(mode(&[]), Mode::Full);
    assert_eq!(mode(&["night-pain-that-wakes"]), Mode::Reduced);
    assert_eq!(mode(&["chest-or-rib-pain-with-effort-or-meals"]), Mode::NoRunning);
    assert_eq!(mode(&["pain-with-fever-or-feeling-unwell"]), Mode::Paused);
    assert_eq!(mode(&["pain-with-fever-or-feeling-unwell", "palpitations-with-symptoms"]), Mode::Paused);
    assert_eq!(mode(&["chest-pain-during-or-after-run"]), Mode::Locked);
}

#[test]
fn a_clinician_check_clears_flags_and_assessment_holds() {
    let p = program();
    let mut a = sample();
    a.regions = vec![Region::RibSideLeft];
    a.when = vec![When::SpeedWork];
    let mut r = record(&[]);
    assert_eq!(gate(p, &SafetyInputs { screening: Some(&r), assessment: Some(&a) }).mode, Mode::NoRunning);
    r.clinician_checked_at = Some("2026-11-02T08:00:00Z".parse().expect("ts"));
    let perm = gate(p, &SafetyInputs { screening: Some(&r), assessment: Some(&a) });
    assert_eq!(perm.mode, Mode::Full);
    assert!(!perm.awaits_clinician());
}

#[test]
fn rib_pain_only_at_the_desk_is_advice_not_a_hold() {
    let mut a = sample();
    a.regions = vec![Region::RibSideRight];
    a.when = vec![When::AtDesk, When::NextMorning];
    assert!(!rib_pain_with_effort(&a));
    a.when = vec![];
    assert!(rib_pain_with_effort(&a), "unknown timing is treated as possibly with effort");
    a.when = vec![When::AtDesk, When::LongRuns];
    assert!(rib_pain_with_effort(&a));
}

#[test]
fn the_alternative_chain_ends_at_the_first_suitable_exercise() {
    let p = program();
    let mut a = sample();
    a.equipment = vec![];
    a.conditions = vec![runtall_content::Condition::Osteoporosis];
    let r = record(&[]);
    let perm = gate(p, &SafetyInputs { screening: Some(&r), assessment: Some(&a) });
    // Roller: osteoporosis → towel roll (also out) → open-book rotation.
    match perm.exercise("foam-roller-thoracic-extension") {
        ExerciseVerdict::Swapped { to, reason } => {
            assert_eq!(to, "open-book-rotation");
            assert!(reason.contains("osteoporosis"), "{reason}");
        }
        other => panic!("{other:?}"),
    }
    assert!(matches!(perm.exercise("band-row"), ExerciseVerdict::LeftOut { .. }), "no band owned");
    assert!(!perm.experiment("foam-roller").allowed);
}
