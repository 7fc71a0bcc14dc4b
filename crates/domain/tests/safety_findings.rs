//! Issue 10's findings, each reproduced as behaviour a runner would notice. They failed before the safety gate.

mod common;

use common::{assessment, perm};

use runtall_content::{ExerciseCategory, FlagLevel, RunType, program};
use runtall_domain::assess::Assessment;
use runtall_domain::plan::{self, RefKind, Section};

fn rib_after_eating() -> Assessment {
    assessment(|t| {
        *t = t
            .replace(
                r#"regions = ["neck", "upper-trap-right", "between-shoulder-blades"]"#,
                r#"regions = ["rib-side-right"]"#,
            )
            .replace(
                r#"when = ["long-runs", "after-runs", "at-desk", "with-pack"]"#,
                r#"when = ["after-eating-before-run"]"#,
            );
    })
}

/// Finding 1: rib pain after eating before a run, clear screen — no runs until a clinician has checked it.
#[test]
fn rib_pain_with_meals_holds_every_run_until_checked() {
    let a = rib_after_eating();
    let plan = plan::build(program(), &a, &perm(&a, &[])).expect("a gentle plan is still made");
    let runs: Vec<_> = plan.week.iter().filter_map(|d| d.run).collect();
    assert!(runs.is_empty(), "runs planned despite rib pain with meals: {runs:?}");
    assert!(!plan.items.iter().any(|i| i.kind == RefKind::Schedule), "mid-run cues planned");
    for run in RunType::ALL {
        assert!(
            plan::for_run(program(), &a, &perm(&a, &[]), run).is_err(),
            "`plan --for-run {}` gives a session despite rib pain with meals",
            run.as_str()
        );
    }
}

/// Finding 2: the exertional chest/rib question (and every chest question) is at least level B.
#[test]
fn chest_questions_are_at_least_level_b_and_mean_no_running() {
    for f in program().red_flags.iter().filter(|f| f.chest) {
        assert!(f.level <= FlagLevel::B, "{} is level {:?}", f.id, f.level);
    }
    let a = assessment(|_| {});
    let s = perm(&a, &["chest-or-rib-pain-with-effort-or-meals"]);
    for run in RunType::ALL {
        assert!(plan::for_run(program(), &a, &s, run).is_err(), "{} run offered", run.as_str());
    }
    if let Ok(plan) = plan::build(program(), &a, &s) {
        assert!(plan.week.iter().all(|d| d.run.is_none()), "runs in the week");
    }
}

/// Finding 3: the emergency question about spreading pain starts in the chest; arm symptoms alone ask lower.
#[test]
fn spreading_pain_question_is_about_chest_pain_and_arm_symptoms_are_asked_separately() {
    for f in program().red_flags.iter().filter(|f| f.level == FlagLevel::A) {
        let q = f.question.to_lowercase();
        if q.contains("spread") {
            assert!(
                q.contains("chest"),
                "{}: an emergency question about spreading pain must start in the chest",
                f.id
            );
        }
    }
    let arm = program()
        .red_flags
        .iter()
        .find(|f| f.question.to_lowercase().contains("arm") && f.question.to_lowercase().contains("tingl"))
        .expect("a question about arm tingling");
    assert_eq!(arm.level, FlagLevel::C, "arm symptoms without worsening weakness are level C");
}

/// Finding 4: signs the screen did not ask about, at the level the evidence brief supports.
#[test]
fn the_screen_asks_about_the_missing_signs() {
    let find = |words: &[&str]| {
        program()
            .red_flags
            .iter()
            .find(|f| {
                let q = f.question.to_lowercase();
                words.iter().all(|w| q.contains(w))
            })
            .unwrap_or_else(|| panic!("no question mentions all of {words:?}"))
    };
    assert!(find(&["heartbeat"]).level <= FlagLevel::B, "palpitations with symptoms");
    assert_eq!(find(&["chest", "rest"]).level, FlagLevel::A, "chest pain at rest");
    assert!(find(&["heart", "kidney"]).level <= FlagLevel::B, "known disease with symptoms (ACSM)");
    assert_eq!(find(&["sudden", "severe", "headache"]).level, FlagLevel::A, "possible artery dissection");
    assert_eq!(find(&["drooping"]).level, FlagLevel::A, "drooping face or eyelid");
    assert_eq!(find(&["vision"]).level, FlagLevel::A, "loss of vision");
    assert_eq!(find(&["one side"]).level, FlagLevel::A, "one-sided weakness or numbness");
    assert!(find(&["flight", "leg"]).level <= FlagLevel::B, "clot risk: leg swelling after travel");
    assert_eq!(find(&["flight", "breath"]).level, FlagLevel::A, "clot risk: breathless after travel");
}

/// Finding 5: the reduced plan does not describe exercises it leaves out.
#[test]
fn a_routine_in_the_plan_is_described_as_this_runner_does_it() {
    let a = assessment(|t| *t = t.replace("conditions = []", r#"conditions = ["osteoporosis"]"#));
    let s = perm(&a, &["night-pain-that-wakes"]);
    let plan = plan::build(program(), &a, &s).expect("reduced plan");
    let daily = plan.items.iter().find(|i| i.id == "daily-mobility").expect("daily mobility");
    let said = daily.summary.to_lowercase();
    for left_out in ["foam roller", "open-book", "wall slide"] {
        assert!(!said.contains(left_out), "the plan still lists '{left_out}': {}", daily.summary);
    }
}

/// Finding 5: with a shoulder injury, no overhead or loaded shoulder exercise anywhere.
#[test]
fn shoulder_injury_leaves_out_all_overhead_and_loaded_shoulder_work() {
    let a = assessment(|t| {
        *t = t
            .replace(
                r#"regions = ["neck", "upper-trap-right", "between-shoulder-blades"]"#,
                r#"regions = ["shoulder", "mid-back"]"#,
            )
            .replace("conditions = []", r#"conditions = ["shoulder-injury"]"#);
    });
    let s = perm(&a, &[]);
    let plan = plan::build(program(), &a, &s).expect("plan");
    let shoulder_loading = |id: &str| {
        program().exercise(id).is_some_and(|e| e.category == ExerciseCategory::Scapular && e.id != "lower-trap-set")
    };
    for item in plan.items.iter().filter(|i| i.kind == RefKind::Exercise) {
        assert!(!shoulder_loading(&item.id), "plan item {} loads the injured shoulder", item.id);
    }
    for r in &program().routines {
        let view = plan::routine_view(program(), r, &perm(&a, &[]));
        for step in &view.steps {
            assert!(!shoulder_loading(&step.exercise), "{} in {} with a shoulder injury", step.exercise, r.id);
        }
    }
}

/// Finding 5: in pregnancy, no lying face down and no lying on the back over a roller.
#[test]
fn pregnancy_swaps_prone_and_roller_work() {
    let a = assessment(|t| *t = t.replace("conditions = []", r#"conditions = ["pregnancy"]"#));
    for r in &program().routines {
        let view = plan::routine_view(program(), r, &perm(&a, &[]));
        for step in &view.steps {
            let id = step.exercise.as_str();
            assert!(!id.starts_with("prone-") && !id.contains("roll-"), "{id} in {} during pregnancy", r.id);
        }
    }
}

/// Finding 5: a swapped-in exercise does not carry the note written for the one it replaced.
#[test]
fn a_swapped_in_exercise_does_not_show_the_replaced_ones_note() {
    let a = assessment(|t| {
        *t = t.replace(r#"equipment = ["mat", "band", "foam-roller", "towel"]"#, r#"equipment = ["mat"]"#)
    });
    let mut swaps = 0;
    for r in &program().routines {
        let view = plan::routine_view(program(), r, &perm(&a, &[]));
        for step in view.steps.iter().filter(|s| s.substituted_for.is_some()) {
            swaps += 1;
            let original = &step.substituted_for.as_ref().expect("swap").0;
            let written_for = r.steps.iter().find(|s| &s.exercise == original).and_then(|s| s.note.clone());
            assert!(
                written_for.is_none() || step.note != written_for,
                "{} in {} shows the note written for {original}",
                step.exercise,
                r.id
            );
        }
    }
    assert!(swaps > 0, "no swap happened: the test needs one");
}

/// Finding 6: relief limits show in the plan, and magnesium is not a comfort option.
#[test]
fn relief_items_in_the_plan_carry_their_limits_and_magnesium_is_not_relief() {
    let a = assessment(|_| {});
    let plan = plan::build(program(), &a, &perm(&a, &[])).expect("plan");
    let text = |id: &str| {
        let item = plan.items.iter().find(|i| i.id == id).unwrap_or_else(|| panic!("{id} in the plan"));
        serde_json::to_string(item).expect("json")
    };
    assert!(text("heat-or-ice").contains("20 minutes"), "heat without its time limit");
    assert!(text("kinesiology-tape").contains("5 days"), "tape without its day limit");
    assert!(text("kinesiology-tape").to_lowercase().contains("test strip"), "tape without the patch test");
    assert!(text("magnesium").contains("350"), "magnesium without its upper limit");
    // Each cap is said once: the content's words and the line made from the cap used to repeat it.
    let limits = |id: &str| plan.items.iter().find(|i| i.id == id).map(|i| i.limits.join(" | ")).unwrap_or_default();
    assert_eq!(limits("kinesiology-tape").matches("5 days").count(), 1, "{}", limits("kinesiology-tape"));
    assert_eq!(limits("magnesium").matches("350 mg").count(), 1, "{}", limits("magnesium"));
    let mg = plan.items.iter().find(|i| i.id == "magnesium").expect("magnesium");
    assert_ne!(mg.section, Section::Relief, "magnesium is not a comfort or pain-relief option");
}
