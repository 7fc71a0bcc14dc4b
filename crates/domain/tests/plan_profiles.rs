//! The plan engine on distinct runner profiles: behaviour a runner would notice, plus one snapshot per profile
//! so any change to what a runner is told shows up in review.

mod common;

use common::{assessment, perm};
use runtall_domain::safety::{SafetyInputs, gate};

use runtall_content::{FlagLevel, RunType, program};
use runtall_domain::assess::Assessment;
use runtall_domain::plan::{self, Mode, Plan, PlanError, RefKind};
use serde::Serialize;

fn first_flag(level: FlagLevel, chest: bool) -> String {
    program().red_flags.iter().find(|f| f.level == level && f.chest == chest).expect("flag").id.clone()
}

/// A compact, stable view of a plan for snapshots.
#[derive(Serialize)]
struct Summary {
    mode: Mode,
    items: Vec<String>,
    week: Vec<String>,
    excluded: Vec<String>,
}

fn summary(plan: &Plan) -> Summary {
    Summary {
        mode: plan.mode,
        items: plan
            .items
            .iter()
            .map(|i| {
                let answers: Vec<&str> = i.why.iter().map(|r| r.answer.as_str()).collect();
                format!("{:?} {:?} {:?}:{} <- {}", i.section, i.priority, i.kind, i.id, answers.join(" | "))
            })
            .collect(),
        week: plan
            .week
            .iter()
            .map(|d| {
                let run = d.run.map(|r| r.as_str()).unwrap_or("rest");
                format!("{} {run}: {}", d.day.name(), d.routines.join(", "))
            })
            .collect(),
        excluded: plan
            .excluded
            .iter()
            .map(|e| format!("{}: {} -> {}", e.id, e.reason, e.instead.as_deref().unwrap_or("-")))
            .collect(),
    }
}

fn build(a: &Assessment, yes: &[&str]) -> Result<Plan, PlanError> {
    plan::build(program(), a, &perm(a, yes))
}

fn has(plan: &Plan, kind: RefKind, id: &str) -> bool {
    plan.items.iter().any(|i| i.kind == kind && i.id == id)
}

/// The sample runner: desk job, pack on long runs, long-run and after-run pain.
#[test]
fn desk_runner_with_pack_gets_desk_pack_and_long_run_items() {
    let a = assessment(|_| {});
    let plan = build(&a, &[]).expect("plan");
    assert_eq!(plan.mode, Mode::Full);
    for id in
        ["pre-run-standard", "pre-run-long", "pre-run-speed", "post-run-reset", "rest-day-strength", "desk-micro-break"]
    {
        assert!(has(&plan, RefKind::Routine, id), "missing routine {id}");
    }
    assert!(has(&plan, RefKind::Habit, "walk-every-30-min"));
    assert!(has(&plan, RefKind::Habit, "pack-wide-straps-waist-belt"));
    assert!(has(&plan, RefKind::Schedule, "long"));
    // Every item says why and where from.
    for item in &plan.items {
        assert!(!item.why.is_empty(), "{} has no reason", item.id);
        assert!(!item.cite.is_empty(), "{} has no source", item.id);
    }
    // Strength never lands on the day before the long run.
    let long_day = plan.week.iter().position(|d| d.run == Some(RunType::Long)).expect("long run day");
    let before = &plan.week[(long_day + 6) % 7];
    assert!(!before.routines.iter().any(|r| r == "rest-day-strength"), "strength the day before the long run");
    let strength_days = plan.week.iter().filter(|d| d.routines.iter().any(|r| r == "rest-day-strength")).count();
    assert!((2..=3).contains(&strength_days), "{strength_days} strength days");
    insta::assert_yaml_snapshot!("desk_runner", summary(&plan));
}

/// Track runner whose neck hurts in speed work; little sitting, no pack, no long runs.
#[test]
fn speed_runner_gets_speed_items_and_no_desk_or_pack_items() {
    let a = assessment(|t| {
        *t = t
            .replace(
                r#"regions = ["neck", "upper-trap-right", "between-shoulder-blades"]"#,
                r#"regions = ["neck", "upper-trap-left"]"#,
            )
            .replace(r#"when = ["long-runs", "after-runs", "at-desk", "with-pack"]"#, r#"when = ["speed-work"]"#)
            .replace("long_run_km = 18", "long_run_km = 10")
            .replace("speed_sessions_per_week = 1", "speed_sessions_per_week = 2")
            .replace(r#"surfaces = ["road", "trail"]"#, r#"surfaces = ["track", "road"]"#)
            .replace(r#"hydration_pack = "long-runs""#, r#"hydration_pack = "never""#)
            .replace("sitting_hours_per_day = 9", "sitting_hours_per_day = 2")
            .replace("car_hours_per_week = 4", "car_hours_per_week = 1")
            .replace("destination_race = true", "destination_race = false")
            .replace("weekly_km = 42", "weekly_km = 45");
    });
    let plan = build(&a, &[]).expect("plan");
    assert!(has(&plan, RefKind::Routine, "pre-run-speed"));
    assert!(has(&plan, RefKind::Schedule, "speed"));
    assert!(!has(&plan, RefKind::Routine, "pre-run-long"), "no long runs, no long-run routine");
    assert!(!has(&plan, RefKind::Routine, "desk-micro-break"));
    assert!(!plan.items.iter().any(|i| i.section == plan::Section::Pack));
    assert!(has(&plan, RefKind::Exercise, "lower-trap-set"), "upper-trap pain brings the lower-trap set");
    let speed_days = plan.week.iter().filter(|d| d.run == Some(RunType::Speed)).count();
    assert_eq!(speed_days, 2);
    insta::assert_yaml_snapshot!("speed_runner", summary(&plan));
}

/// Level C flag plus osteoporosis: reduced, gentle program; no foam roller anywhere.
#[test]
fn reduced_program_with_osteoporosis_stays_gentle_and_skips_the_roller() {
    let a = assessment(|t| {
        *t = t.replace("conditions = []", r#"conditions = ["osteoporosis"]"#).replace("age = 38", "age = 61");
    });
    let c_flag = first_flag(FlagLevel::C, false);
    let plan = build(&a, &[&c_flag]).expect("reduced plan");
    assert_eq!(plan.mode, Mode::Reduced);
    assert_eq!(plan.open_flags.len(), 1);
    assert!(
        plan.items.iter().any(|i| i.kind == RefKind::RedFlag && i.id == c_flag),
        "the flag is in the safety section"
    );
    assert!(!has(&plan, RefKind::Routine, "rest-day-strength"), "no loaded strength in the reduced program");
    assert!(!plan.week.iter().any(|d| d.routines.iter().any(|r| r == "rest-day-strength")));
    assert!(!has(&plan, RefKind::Relief, "magnesium"), "no supplements in the reduced program");
    let reduced = perm(&a, &[&c_flag]);
    for run in RunType::ALL {
        if run != RunType::Easy {
            let refused = plan::for_run(program(), &a, &reduced, run).expect_err("only easy runs when reduced");
            assert!(matches!(refused, PlanError::RunNotAllowed { .. }), "{refused}");
            continue;
        }
        let day = plan::for_run(program(), &a, &reduced, run).expect("run day");
        for view in [&day.pre_run, &day.post_run] {
            for step in &view.steps {
                assert!(!step.exercise.contains("roll"), "{} offered in {} with osteoporosis", step.exercise, view.id);
                let ex = program().exercise(&step.exercise).expect("exercise");
                assert!(
                    matches!(
                        ex.category,
                        runtall_content::ExerciseCategory::Breathing
                            | runtall_content::ExerciseCategory::MicroBreak
                            | runtall_content::ExerciseCategory::Neck
                    ),
                    "{} is not gentle",
                    ex.id
                );
            }
        }
    }
    assert!(plan.excluded.iter().any(|e| e.id == "foam-roller-thoracic-extension"));
    insta::assert_yaml_snapshot!("reduced_osteoporosis", summary(&plan));
}

/// New runner with right rib pain after eating, kidney disease, high pain.
#[test]
fn rib_pain_after_eating_goes_to_a_clinician_and_magnesium_is_withheld() {
    let a = assessment(|t| {
        *t = t
            .replace(
                r#"regions = ["neck", "upper-trap-right", "between-shoulder-blades"]"#,
                r#"regions = ["rib-side-right"]"#,
            )
            .replace(
                r#"when = ["long-runs", "after-runs", "at-desk", "with-pack"]"#,
                r#"when = ["after-eating-before-run", "speed-work"]"#,
            )
            .replace("baseline_pain = 5", "baseline_pain = 7")
            .replace("conditions = []", r#"conditions = ["kidney-disease"]"#)
            .replace("years_running = 3", "years_running = 0.5");
    });
    let plan = build(&a, &[]).expect("plan");
    assert_eq!(plan.mode, Mode::NoRunning, "rib pain with meals and speed work: no running until checked");
    let rib_flag = program().red_flag("chest-or-rib-pain-with-effort-or-meals").expect("effort/meal chest flag");
    let safety = plan.items.iter().find(|i| i.kind == RefKind::RedFlag && i.id == rib_flag.id).expect("safety item");
    assert_eq!(safety.priority, plan::Priority::Core);
    let text = format!("{} {}", safety.summary, safety.why[0].text).to_lowercase();
    assert!(text.contains("not assumed") || text.contains("never"), "{text}");
    for item in &plan.items {
        let said = format!("{} {}", item.title, item.summary).to_lowercase();
        if said.contains("stitch") {
            assert!(said.contains("not") || said.contains("never"), "{}: calls it a stitch: {said}", item.id);
        }
    }
    let mg = plan.excluded.iter().find(|e| e.id == "magnesium").expect("magnesium excluded");
    assert!(mg.instead.as_deref().is_some_and(|i| i.contains("pharmacist")));
    assert!(!has(&plan, RefKind::Relief, "magnesium"));
    // No race to travel to with no running: the race-trip habits are left out with the gate's reason, not advised.
    for id in ["arrive-early-for-races", "return-home-day-after", "no-long-drive-next-to-long-run"] {
        assert!(!has(&plan, RefKind::Habit, id), "{id} advised with no running");
        let left = plan.excluded.iter().find(|e| e.id == id).unwrap_or_else(|| panic!("{id} not listed as left out"));
        assert!(left.reason.contains("no running"), "{}", left.reason);
    }
    // The pack is worn on runs, and changing one thing at a time is an experiment: both wait with the runs.
    for (id, why) in [
        ("pack-only-while-moving", "no running"),
        ("pack-carry-less", "no running"),
        ("one-change-at-a-time", "experiments wait"),
    ] {
        assert!(!has(&plan, RefKind::Habit, id), "{id} advised with no running");
        let left = plan.excluded.iter().find(|e| e.id == id).unwrap_or_else(|| panic!("{id} not listed as left out"));
        assert!(left.reason.contains(why), "{id}: {}", left.reason);
    }
    // Pain 7 would bring "taper, don't stop" and cardio alternatives, but not while running is held.
    assert!(!has(&plan, RefKind::Habit, "taper-dont-stop"), "no advice to keep running while it is held");
    assert!(!has(&plan, RefKind::Alternative, "elliptical"), "no hard cardio either");
    assert!(plan.excluded.iter().any(|e| e.id == "elliptical" && e.reason.contains("clinician")));
    assert!(plan.week.iter().all(|d| d.run.is_none()));
    assert!(has(&plan, RefKind::Habit, "new-runner-aches-and-fuel"));
    insta::assert_yaml_snapshot!("rib_pain_new_runner", summary(&plan));
}

/// Trail runner with a pack on most runs, lots of driving and a shoulder injury; no foam roller owned.
#[test]
fn trail_runner_with_shoulder_injury_and_no_roller() {
    let a = assessment(|t| {
        *t = t
            .replace(
                r#"regions = ["neck", "upper-trap-right", "between-shoulder-blades"]"#,
                r#"regions = ["shoulder", "mid-back"]"#,
            )
            .replace(
                r#"when = ["long-runs", "after-runs", "at-desk", "with-pack"]"#,
                r#"when = ["with-pack", "after-driving", "next-morning"]"#,
            )
            .replace(r#"surfaces = ["road", "trail"]"#, r#"surfaces = ["trail"]"#)
            .replace(r#"hydration_pack = "long-runs""#, r#"hydration_pack = "most-runs""#)
            .replace("sitting_hours_per_day = 9", "sitting_hours_per_day = 3")
            .replace("car_hours_per_week = 4", "car_hours_per_week = 8")
            .replace("conditions = []", r#"conditions = ["shoulder-injury"]"#)
            .replace(r#"equipment = ["mat", "band", "foam-roller", "towel"]"#, r#"equipment = ["mat", "band"]"#);
    });
    let plan = build(&a, &[]).expect("plan");
    assert!(has(&plan, RefKind::Schedule, "trail"));
    assert!(plan.items.iter().any(|i| i.section == plan::Section::Pack && i.priority == plan::Priority::Core));
    assert!(has(&plan, RefKind::Routine, "travel-day"));
    assert!(plan.week.iter().all(|d| d.run.is_none()
        || d.run == Some(RunType::Trail)
        || d.run == Some(RunType::Long)
        || d.run == Some(RunType::Speed)));
    // No roller owned: the long-run routine uses the towel roll instead and says so.
    let day = plan::for_run(program(), &a, &perm(&a, &[]), RunType::Long).expect("long day");
    let towel = day
        .pre_run
        .steps
        .iter()
        .find(|s| s.exercise == "towel-roll-thoracic-extension")
        .expect("towel roll swapped in");
    assert_eq!(towel.substituted_for.as_ref().map(|s| s.0.as_str()), Some("foam-roller-thoracic-extension"));
    assert!(!day.pre_run.steps.iter().any(|s| s.exercise == "prone-y"), "prone Y is out with a shoulder injury");
    insta::assert_yaml_snapshot!("trail_runner_shoulder", summary(&plan));
}

#[test]
fn locked_paused_and_unscreened_runners_get_no_plan() {
    let a = assessment(|_| {});
    let chest = first_flag(FlagLevel::A, true);
    assert!(matches!(build(&a, &[&chest]), Err(PlanError::Locked(_))));
    let b = first_flag(FlagLevel::B, false);
    assert!(matches!(build(&a, &[&b]), Err(PlanError::Paused(_))));
    assert!(matches!(
        plan::build(program(), &a, &gate(program(), &SafetyInputs { screening: None, assessment: Some(&a) })),
        Err(PlanError::NotScreened)
    ));
    assert!(matches!(plan::for_run(program(), &a, &perm(&a, &[&chest]), RunType::Easy), Err(PlanError::Locked(_))));
}

#[test]
fn plans_are_deterministic() {
    let a = assessment(|_| {});
    let one = serde_json::to_string(&build(&a, &[]).expect("plan")).expect("json");
    let two = serde_json::to_string(&build(&a, &[]).expect("plan")).expect("json");
    assert_eq!(one, two);
}

#[test]
fn run_days_follow_the_run_type() {
    let a = assessment(|_| {});
    let s = perm(&a, &[]);
    let long = plan::for_run(program(), &a, &s, RunType::Long).expect("long");
    assert_eq!(long.pre_run.id, "pre-run-long");
    assert!(long.during.last_third_every_min.is_some());
    assert!(long.during.cues.iter().any(|c| c.phases.contains(&runtall_content::CuePhase::LastThird)));
    assert!(long.during.cues.iter().any(|c| c.id.starts_with("pack")), "sample runner wears a pack on long runs");
    let speed = plan::for_run(program(), &a, &s, RunType::Speed).expect("speed");
    assert_eq!(speed.pre_run.id, "pre-run-speed");
    assert!(speed.during.per_rep);
    assert!(speed.during.cues.iter().any(|c| c.phases.contains(&runtall_content::CuePhase::BeforeRep)));
    assert!(speed.during.cues.iter().any(|c| c.phases.contains(&runtall_content::CuePhase::Recovery)));
    assert!(!speed.during.cues.iter().any(|c| c.id.starts_with("pack")), "no pack on speed sessions");
    assert_eq!(speed.post_run.id, "post-run-reset");
    for run in RunType::ALL {
        let day = plan::for_run(program(), &a, &s, run).expect("day");
        assert!(day.pre_run.steps.iter().any(|st| st.exercise == "hooklying-90-90-breathing"));
        assert!(day.pre_run.seconds > 120 && day.pre_run.seconds < 15 * 60);
    }
}
