//! A clinician's program changes meet the safety gate: they narrow or tune what it allows and never widen it.

mod common;

use common::{assessment, perm, record};
use jiff::Timestamp;
use runtall_content::program;
use runtall_domain::clinic::{Change, DoseChange, ProgramChange, Progression};
use runtall_domain::plan::{self, RefKind, RoutineView};
use runtall_domain::safety::clinician::within_gate;
use runtall_domain::safety::{ExerciseVerdict, Mode, Permissions, SafetyInputs, gate};

fn at(s: &str) -> Timestamp {
    s.parse().expect("timestamp")
}

fn change(key: &str, when: &str, change: Change) -> ProgramChange {
    ProgramChange { key: key.into(), at: at(when), by: "Ines Ferreira, PT".into(), change }
}

fn view(p: &Permissions, routine: &str) -> RoutineView {
    plan::routine_view(program(), program().routine(routine).expect("routine"), p)
}

#[test]
fn switching_an_exercise_off_leaves_it_out_everywhere_with_the_clinicians_words() {
    let a = assessment(|_| {});
    let base = perm(&a, &[]);
    assert!(view(&base, "post-run-reset").steps.iter().any(|s| s.exercise == "chin-tuck"), "in the routine before");
    let off = change(
        "k1",
        "2026-11-02T08:00:00Z",
        Change::ExerciseOff { exercise: "chin-tuck".into(), note: Some("rest the neck this week".into()) },
    );
    let p = within_gate(program(), base, &[off], at("2026-11-03T08:00:00Z"));
    let v = view(&p, "post-run-reset");
    assert!(!v.steps.iter().any(|s| s.exercise == "chin-tuck"), "switched off in the routine");
    let skipped = v.skipped.iter().find(|s| s.id == "chin-tuck").expect("listed as left out");
    assert!(skipped.reason.contains("Ines Ferreira") && skipped.reason.contains("rest the neck"), "{}", skipped.reason);
    let built = plan::build(program(), &a, &p).expect("plan");
    assert_eq!(built.clinician.off.len(), 1, "the plan says which item the clinician changed");
    assert!(built.excluded.iter().any(|e| e.id == "chin-tuck" && e.reason.contains("switched off by")));
}

#[test]
fn the_gate_wins_over_switching_an_exercise_on_and_the_clinician_is_told_why() {
    // A level C answer: the reduced program leaves loaded strength and the foam roller out.
    let a = assessment(|_| {});
    let reduced = perm(&a, &["night-pain-that-wakes"]);
    assert_eq!(reduced.mode, Mode::Reduced);
    let held: Vec<String> = reduced
        .exercises
        .iter()
        .filter(|d| matches!(d.verdict, ExerciseVerdict::LeftOut { .. }))
        .map(|d| d.id.clone())
        .collect();
    let id = held.first().expect("the reduced program leaves something out").clone();
    let on = change("k1", "2026-11-02T08:00:00Z", Change::ExerciseOn { exercise: id.clone(), note: None });
    let dose = change(
        "k2",
        "2026-11-02T08:00:00Z",
        Change::Dose { exercise: id.clone(), dose: DoseChange { sets: Some(3), ..DoseChange::default() }, note: None },
    );
    let p = within_gate(program(), reduced.clone(), &[on, dose], at("2026-11-03T08:00:00Z"));
    assert!(matches!(p.exercise(&id), ExerciseVerdict::LeftOut { .. }), "{id} stays out");
    assert_eq!(p.exercises, reduced.exercises, "nothing the gate decided is widened");
    assert!(p.clinician.on.is_empty());
    let refused: Vec<&str> = p.clinician.refused.iter().map(|r| r.key.as_str()).collect();
    assert_eq!(refused, ["k1", "k2"], "both changes are reported back: {:?}", p.clinician.refused);
    assert!(p.clinician.refused[0].reason.contains("safety check"), "{}", p.clinician.refused[0].reason);
    let built = plan::build(program(), &a, &p).expect("plan");
    assert!(!built.items.iter().any(|i| i.kind == RefKind::Exercise && i.id == id), "not added to the plan");
}

#[test]
fn a_locked_or_paused_program_takes_no_change_and_says_so() {
    let a = assessment(|_| {});
    let r = record(&["severe-constant-pain"]);
    let paused = gate(program(), &SafetyInputs { screening: Some(&r), assessment: Some(&a) });
    assert_eq!(paused.mode, Mode::Paused);
    let on = change("k1", "2026-11-02T08:00:00Z", Change::ExerciseOn { exercise: "chin-tuck".into(), note: None });
    let note = change("k2", "2026-11-02T08:00:00Z", Change::Note { text: "Keep going".into() });
    let p = within_gate(program(), paused, &[on, note], at("2026-11-03T08:00:00Z"));
    assert!(p.clinician.on.is_empty() && p.clinician.note.is_none());
    assert_eq!(p.clinician.refused.len(), 1);
    assert!(p.clinician.refused[0].reason.starts_with("waits until the program opens again"));
    assert!(plan::build(program(), &a, &p).is_err(), "still no plan");
}

#[test]
fn a_dose_grows_weekly_and_is_capped_at_the_contents_limits() {
    let a = assessment(|_| {});
    let set = change(
        "k1",
        "2026-11-02T08:00:00Z",
        Change::Dose {
            exercise: "chin-tuck".into(),
            dose: DoseChange {
                sets: Some(3),
                reps: Some(8),
                weekly: Some(Progression { reps: 2, ..Progression::default() }),
                ..DoseChange::default()
            },
            note: Some("slow and small".into()),
        },
    );
    // Two full weeks later: 8 + 2 × 2 reps.
    let p = within_gate(program(), perm(&a, &[]), std::slice::from_ref(&set), at("2026-11-17T09:00:00Z"));
    let step = view(&p, "post-run-reset").steps.into_iter().find(|s| s.exercise == "chin-tuck").expect("step");
    assert_eq!((step.dose.sets, step.dose.reps), (3, Some(12)));
    let words = step.clinician.expect("the step says who set its dose");
    assert!(words.contains("Ines Ferreira") && words.contains("week 3") && words.contains("slow and small"), "{words}");
    assert!(p.clinician.capped.is_empty());

    let huge = change(
        "k2",
        "2026-11-03T08:00:00Z",
        Change::Dose {
            exercise: "chin-tuck".into(),
            dose: DoseChange { sets: Some(50), reps: Some(100), hold_s: Some(600), ..DoseChange::default() },
            note: None,
        },
    );
    let p = within_gate(program(), perm(&a, &[]), &[set, huge], at("2026-11-04T09:00:00Z"));
    let step = view(&p, "post-run-reset").steps.into_iter().find(|s| s.exercise == "chin-tuck").expect("step");
    let caps = runtall_content::dose_caps::MAX_SECONDS;
    assert!(step.dose.sets <= 10 && step.dose.reps <= Some(30) && step.dose.hold_s <= Some(120), "{:?}", step.dose);
    assert!(step.dose.estimated_seconds() <= caps, "{} s", step.dose.estimated_seconds());
    assert!(step.clinician.expect("words").contains("capped"));
    assert_eq!(p.clinician.capped.len(), 1, "the clinician is told the dose was capped");
    assert_eq!(p.clinician.doses.len(), 1, "the latest dose for an exercise replaces the earlier one");
}

#[test]
fn switching_on_an_exercise_the_rules_did_not_choose_adds_it_to_the_plan() {
    let a = assessment(|_| {});
    let base = perm(&a, &[]);
    let built = plan::build(program(), &a, &base).expect("plan");
    let routines: Vec<String> = built
        .items
        .iter()
        .filter(|i| i.kind == RefKind::Routine)
        .filter_map(|i| program().routine(&i.id))
        .flat_map(|r| r.steps.iter().map(|s| s.exercise.clone()))
        .collect();
    let extra = base
        .exercises
        .iter()
        .filter(|d| d.verdict == ExerciseVerdict::Allowed)
        .map(|d| d.id.clone())
        .find(|id| !routines.contains(id) && !built.items.iter().any(|i| &i.id == id))
        .expect("an allowed exercise outside the plan");
    let on = change(
        "k1",
        "2026-11-02T08:00:00Z",
        Change::ExerciseOn { exercise: extra.clone(), note: Some("twice a day".into()) },
    );
    let p = within_gate(program(), base, &[on], at("2026-11-03T08:00:00Z"));
    let built = plan::build(program(), &a, &p).expect("plan");
    let item = built.items.iter().find(|i| i.id == extra).expect("added");
    assert!(item.why[0].text.contains("twice a day"), "{:?}", item.why);
    assert!(item.why[0].answer_words().contains("clinician"), "{}", item.why[0].answer_words());
}

#[test]
fn the_note_for_today_is_the_latest_one_not_retired() {
    let a = assessment(|_| {});
    let changes = [
        change("n1", "2026-11-01T08:00:00Z", Change::Note { text: "Easy week".into() }),
        change("n2", "2026-11-02T08:00:00Z", Change::Note { text: "Race week: skip strength".into() }),
        change("r1", "2026-11-03T08:00:00Z", Change::Retire { key: "n2".into() }),
    ];
    let p = within_gate(program(), perm(&a, &[]), &changes, at("2026-11-04T08:00:00Z"));
    assert_eq!(p.clinician.note.as_ref().map(|n| n.text.as_str()), Some("Easy week"));
    let p = within_gate(program(), perm(&a, &[]), &changes[..2], at("2026-11-04T08:00:00Z"));
    assert_eq!(p.clinician.note.as_ref().map(|n| n.text.as_str()), Some("Race week: skip strength"));
}

#[test]
fn a_dose_for_an_exercise_the_gate_swaps_waits_and_the_clinician_is_told() {
    // A shoulder injury swaps the prone raises for an easier exercise.
    let a = assessment(|t| *t = t.replace("conditions = []", r#"conditions = ["shoulder-injury"]"#));
    let base = perm(&a, &[]);
    let (swapped, to) = base
        .exercises
        .iter()
        .find_map(|d| match &d.verdict {
            ExerciseVerdict::Swapped { to, .. } => Some((d.id.clone(), to.clone())),
            _ => None,
        })
        .expect("an exercise swapped for the condition");
    let dose = change(
        "k1",
        "2026-11-02T08:00:00Z",
        Change::Dose {
            exercise: swapped.clone(),
            dose: DoseChange { reps: Some(12), ..DoseChange::default() },
            note: None,
        },
    );
    let p = within_gate(program(), base, &[dose], at("2026-11-03T08:00:00Z"));
    let refused = p.clinician.refused.iter().find(|r| r.key == "k1").expect("reported");
    let name = &program().exercise(&to).expect("the substitute").name;
    assert!(refused.reason.contains(name.as_str()), "{}", refused.reason);
    assert_eq!(p.clinician.dose_set(&to), None, "the substitute keeps its own dose");
}
