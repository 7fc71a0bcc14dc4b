//! The safety matrix: every condition × every region (with effort and non-effort timing) × every flag level ×
//! equipment, against every surface the domain builds — the plan and its week, each run day, each routine as the
//! runner does it. A surface that offers anything the gate forbids fails here, and so does a gate that breaks one
//! of the fixed rules. The gate's decisions for the standard profiles are snapshotted, and ordinary runners must
//! come out at level "none" (over-triage is a cost too).

mod common;

use runtall_content::{Condition, Equipment, ExerciseCategory, FlagLevel, Program, RunType, program};
use runtall_domain::assess::{Assessment, PackUse, Region, Surface, When, parse_answers};
use runtall_domain::plan::{self, PlanError, RefKind};
use runtall_domain::profile::ALL_CONDITIONS;
use runtall_domain::safety::{ExerciseVerdict, Mode, Permissions, SafetyInputs, gate};
use runtall_domain::screen::ScreeningRecord;
use serde::Serialize;

fn p() -> &'static Program {
    program()
}

fn sample() -> Assessment {
    parse_answers("sample.toml", common::SAMPLE).expect("sample")
}

fn record(yes: &[&str], checked: bool) -> ScreeningRecord {
    let mut r = common::record(yes);
    r.clinician_checked_at = checked.then(|| "2026-11-02T08:00:00Z".parse().expect("ts"));
    r
}

/// The screens of the matrix: clear, each level, a level B chest answer, and a level C answer a clinician checked.
fn screens() -> Vec<(&'static str, ScreeningRecord)> {
    vec![
        ("clear", record(&[], false)),
        ("A chest", record(&["chest-pain-during-or-after-run"], false)),
        ("A neck", record(&["sudden-severe-neck-pain-or-headache"], false)),
        ("B chest effort", record(&["chest-or-rib-pain-with-effort-or-meals"], false)),
        ("B palpitations", record(&["palpitations-with-symptoms"], false)),
        ("B fever", record(&["pain-with-fever-or-feeling-unwell"], false)),
        ("C night pain", record(&["night-pain-that-wakes"], false)),
        ("C arm", record(&["arm-pain-or-tingling"], false)),
        ("C checked", record(&["night-pain-that-wakes"], true)),
    ]
}

/// Every region a plan is made for (chest pain goes to the screen instead).
fn regions() -> impl Iterator<Item = Region> {
    Region::LOGGABLE.into_iter()
}

/// Every surface in the domain must stay within the permissions; returns the number of offers checked.
fn check_surfaces(case: &str, a: &Assessment, perm: &Permissions) -> usize {
    let mut checked = 0;
    let built = plan::build(p(), a, perm);
    if !perm.allows_plan() {
        assert!(built.is_err(), "{case}: a plan while {}", perm.mode.name());
        for run in RunType::ALL {
            assert!(plan::for_run(p(), a, perm, run).is_err(), "{case}: a {} run day", run.as_str());
        }
        assert!(!perm.reminders.allowed && !perm.cardio_alternatives.allowed, "{case}");
        assert!(perm.experiments.iter().all(|e| !e.allowed), "{case}: experiments");
        return 1;
    }
    let plan = built.unwrap_or_else(|e| panic!("{case}: {e}"));
    assert_eq!(plan.mode, perm.mode, "{case}");
    for d in &plan.week {
        if let Some(run) = d.run {
            assert!(perm.run(run).allowed, "{case}: {} run on {}", run.as_str(), d.day.name());
        }
        for r in &d.routines {
            assert!(perm.routine(r).allowed, "{case}: routine {r} on {}", d.day.name());
        }
        checked += 1 + d.routines.len();
    }
    for item in &plan.items {
        checked += 1;
        match item.kind {
            RefKind::Schedule => {
                let run: RunType = item.id.parse().expect("run type");
                assert!(perm.run(run).allowed, "{case}: cues for {} runs", item.id);
            }
            RefKind::Routine => assert!(perm.routine(&item.id).allowed, "{case}: routine {}", item.id),
            RefKind::Exercise => {
                assert_eq!(perm.exercise(&item.id), ExerciseVerdict::Allowed, "{case}: exercise {}", item.id)
            }
            RefKind::Relief => {
                let d = perm.relief(&item.id).expect("decided");
                assert!(d.allowed, "{case}: relief {}", item.id);
                assert_eq!(item.limits, d.limits, "{case}: {} shown without its limits", item.id);
            }
            RefKind::Alternative => assert!(perm.cardio_alternatives.allowed, "{case}: cardio {}", item.id),
            RefKind::Habit if item.id == "taper-dont-stop" => {
                assert!(!perm.allowed_runs().is_empty(), "{case}: 'keep running' advice while running is held")
            }
            _ => {}
        }
    }
    for r in &p().routines {
        let view = plan::routine_view(p(), r, perm);
        for s in &view.steps {
            checked += 1;
            match &s.substituted_for {
                None => assert_eq!(
                    perm.exercise(&s.exercise),
                    ExerciseVerdict::Allowed,
                    "{case}: {} in {}",
                    s.exercise,
                    r.id
                ),
                Some((from, _)) => {
                    assert_eq!(
                        perm.exercise(&s.exercise),
                        ExerciseVerdict::Allowed,
                        "{case}: swap {} in {}",
                        s.exercise,
                        r.id
                    );
                    assert!(
                        matches!(perm.exercise(from), ExerciseVerdict::Swapped { ref to, .. } if *to == s.exercise),
                        "{case}: {from} swapped for {} without the gate saying so",
                        s.exercise
                    );
                    let own = p().exercise(&s.exercise).expect("exercise");
                    assert_eq!(
                        s.cautions,
                        perm.cautions_for(own),
                        "{case}: a swapped-in step shows someone else's cautions"
                    );
                    for c in &a.conditions {
                        for text in
                            own.cautions.iter().filter(|t| c.keywords().iter().any(|k| t.to_lowercase().contains(k)))
                        {
                            assert!(s.cautions.contains(text), "{case}: {} without its {c:?} caution", s.exercise);
                        }
                    }
                }
            }
        }
    }
    for run in RunType::ALL {
        let day = plan::for_run(p(), a, perm, run);
        assert_eq!(day.is_ok(), perm.run(run).allowed, "{case}: {} run day", run.as_str());
        match day {
            Ok(day) => {
                for s in day.pre_run.steps.iter().chain(&day.post_run.steps) {
                    assert_eq!(perm.exercise(&s.exercise), ExerciseVerdict::Allowed, "{case}: {}", s.exercise);
                }
                checked += 1;
            }
            Err(e) => assert!(matches!(e, PlanError::RunNotAllowed { .. }), "{case}: {e}"),
        }
    }
    checked
}

/// The fixed rules, checked on the gate's own decisions for one case.
fn check_rules(case: &str, a: &Assessment, screen: &ScreeningRecord, perm: &Permissions) {
    let open = screen.clinician_checked_at.is_none();
    let flags = &screen.outcome.triggered;
    if open && flags.iter().any(|f| f.level <= FlagLevel::B && f.chest) {
        assert!(perm.allowed_runs().is_empty(), "{case}: runs with a chest answer");
    }
    if open && flags.iter().any(|f| f.level == FlagLevel::A) {
        assert_eq!(perm.mode, Mode::Locked, "{case}");
    }
    if open && flags.iter().any(|f| f.level == FlagLevel::C) {
        assert!(perm.allowed_runs().iter().all(|r| *r == RunType::Easy), "{case}: more than easy runs at level C");
    }
    if perm.allows_plan() && open && runtall_domain::safety::rib_pain_with_effort(a) {
        assert!(perm.allowed_runs().is_empty(), "{case}: runs with rib pain that comes with running or meals");
        assert!(!perm.holds.is_empty(), "{case}: the hold is not explained");
    }
    if perm.mode != Mode::Full {
        assert!(perm.experiments.iter().all(|e| !e.allowed), "{case}: experiments in mode {}", perm.mode.name());
        assert!(!perm.headline.is_empty());
    }
    let allowed = |id: &str| perm.exercise(id) == ExerciseVerdict::Allowed;
    for c in &a.conditions {
        for ex in p().exercises.iter().filter(|e| e.contraindicated_with.contains(c)) {
            assert!(!allowed(&ex.id), "{case}: {} with {c:?}", ex.id);
        }
        for r in p().relief.iter().filter(|r| r.avoid_with.contains(c)) {
            assert!(!perm.relief(&r.id).is_some_and(|d| d.allowed), "{case}: {} with {c:?}", r.id);
        }
    }
    if a.has_condition(Condition::ShoulderInjury) {
        for ex in p().exercises.iter().filter(|e| e.category == ExerciseCategory::Scapular && e.id != "lower-trap-set")
        {
            assert!(!allowed(&ex.id), "{case}: {} loads an injured shoulder", ex.id);
        }
    }
    if a.has_condition(Condition::Pregnancy) {
        for ex in p().exercises.iter().filter(|e| e.id.starts_with("prone-") || e.id.contains("roll-")) {
            assert!(!allowed(&ex.id), "{case}: {} in pregnancy", ex.id);
        }
    }
    if !a.owns(Equipment::FoamRoller) {
        assert!(!allowed("foam-roller-thoracic-extension"), "{case}: roller without one");
        assert!(!perm.experiment("foam-roller").allowed, "{case}: roller experiment without one");
    }
    for d in &perm.relief {
        let r = p().relief_option(&d.id).expect("relief");
        assert!(d.limits.len() >= r.limits.len(), "{case}: {} lost limits", d.id);
        assert!(!d.allowed || d.reason.is_none(), "{case}: {}", d.id);
        assert!(d.allowed || d.reason.is_some(), "{case}: {} withheld without a reason", d.id);
    }
    for d in &perm.runs {
        assert!(d.allowed || d.reason.as_deref().is_some_and(|r| !r.is_empty()), "{case}: {:?} without reason", d.run);
    }
}

#[test]
fn no_surface_offers_what_the_gate_forbids() {
    let conditions: Vec<Vec<Condition>> = std::iter::once(vec![])
        .chain(ALL_CONDITIONS.iter().map(|c| vec![*c]))
        .chain(std::iter::once(ALL_CONDITIONS.to_vec()))
        .collect();
    let timings: [&[When]; 3] =
        [&[], &[When::LongRuns, When::SpeedWork, When::AfterRuns], &[When::AtDesk, When::NextMorning]];
    let equipment: [&[Equipment]; 2] =
        [&[Equipment::Mat, Equipment::Band, Equipment::FoamRoller, Equipment::Towel], &[]];
    let screens = screens();
    let (mut cases, mut offers) = (0, 0);
    for conds in &conditions {
        for region in regions() {
            for when in timings {
                for eq in equipment {
                    let mut a = sample();
                    a.regions = vec![region];
                    a.when = when.to_vec();
                    a.conditions = conds.clone();
                    a.equipment = eq.to_vec();
                    a.exposures.hydration_pack = PackUse::MostRuns;
                    a.exposures.surfaces = vec![Surface::Road, Surface::Trail];
                    a.exposures.speed_sessions_per_week = runtall_domain::assess::PerWeek::new(1.0).expect("1");
                    a.baseline_pain = runtall_domain::assess::Score::new(7.0).expect("7");
                    for (name, screen) in &screens {
                        let case = format!("{conds:?} {} {when:?} eq={} screen={name}", region.id(), eq.len());
                        let perm = gate(p(), &SafetyInputs { screening: Some(screen), assessment: Some(&a) });
                        check_rules(&case, &a, screen, &perm);
                        offers += check_surfaces(&case, &a, &perm);
                        cases += 1;
                    }
                }
            }
        }
    }
    assert_eq!(cases, 9 * 8 * 3 * 2 * 9);
    assert!(offers > cases * 10, "the matrix checked {offers} offers in {cases} cases");
}

#[test]
fn without_a_screen_nothing_is_offered_and_without_an_assessment_only_the_screen_decides() {
    let perm = gate(p(), &SafetyInputs { screening: None, assessment: Some(&sample()) });
    assert_eq!(perm.mode, Mode::NotScreened);
    check_surfaces("not screened", &sample(), &perm);
    let clear = record(&[], false);
    let perm = gate(p(), &SafetyInputs { screening: Some(&clear), assessment: None });
    assert_eq!(perm.mode, Mode::Full);
    assert_eq!(perm.allowed_runs(), RunType::ALL.to_vec());
}

// ------------------------------------------------------------------------------------------- profiles

fn runner(edit: impl FnOnce(&mut Assessment)) -> Assessment {
    let mut a = sample();
    a.when.clear();
    a.conditions.clear();
    edit(&mut a);
    a.check().expect("valid profile");
    a
}

/// Ordinary runners the program is for. They answer every screening question no, honestly, and none of their
/// answers may raise the level: over-triage costs them the program.
fn ordinary_runners() -> Vec<(&'static str, Assessment)> {
    use runtall_domain::assess::{DayHours, PerWeek, RunKm, WeeklyKm};
    vec![
        (
            "desk worker",
            runner(|a| {
                a.regions = vec![Region::Neck, Region::UpperTrapLeft, Region::BetweenShoulderBlades];
                a.when = vec![When::AtDesk, When::NextMorning, When::AfterDriving];
                a.exposures.sitting_hours_per_day = DayHours::new(10.0).expect("h");
                a.exposures.speed_sessions_per_week = PerWeek::new(0.0).expect("0");
                a.exposures.hydration_pack = PackUse::Never;
            }),
        ),
        (
            "pack wearer",
            runner(|a| {
                a.regions = vec![Region::UpperTrapRight, Region::Shoulder, Region::MidBack];
                a.when = vec![When::WithPack, When::LongRuns, When::AfterRuns];
                a.exposures.hydration_pack = PackUse::MostRuns;
                a.exposures.surfaces = vec![Surface::Trail];
            }),
        ),
        (
            "long-run ache",
            runner(|a| {
                a.regions = vec![Region::BetweenShoulderBlades, Region::MidBack];
                a.when = vec![When::LongRuns, When::NextMorning, When::HardSurfaces];
                a.exposures.long_run_km = RunKm::new(24.0).expect("km");
                a.exposures.weekly_km = WeeklyKm::new(55.0).expect("km");
            }),
        ),
        (
            "speed-work neck tension",
            runner(|a| {
                a.regions = vec![Region::Neck, Region::UpperTrapLeft, Region::UpperTrapRight];
                a.when = vec![When::SpeedWork, When::AfterRuns];
                a.exposures.speed_sessions_per_week = PerWeek::new(2.0).expect("2");
                a.exposures.surfaces = vec![Surface::Track, Surface::Road];
            }),
        ),
    ]
}

#[test]
fn ordinary_runners_come_out_at_level_none_with_everything_they_do() {
    let clear = record(&[], false);
    for (name, a) in ordinary_runners() {
        let perm = gate(p(), &SafetyInputs { screening: Some(&clear), assessment: Some(&a) });
        assert_eq!(perm.level_name(), "none", "{name}: {}", perm.headline);
        assert_eq!(perm.mode, Mode::Full, "{name}");
        assert!(perm.holds.is_empty(), "{name}: {:?}", perm.holds);
        let plan = plan::build(p(), &a, &perm).expect("plan");
        for run in plan::run_types(&a) {
            assert!(perm.run(run).allowed, "{name}: {} runs held back", run.as_str());
        }
        assert!(plan.week.iter().any(|d| d.run.is_some()), "{name}: no runs in the week");
        assert!(perm.experiments.iter().all(|e| e.allowed), "{name}: experiments refused");
        assert!(!plan.items.iter().any(|i| i.kind == RefKind::RedFlag && i.priority == plan::Priority::Core), "{name}");
        check_surfaces(name, &a, &perm);
    }
}

/// A runner with an aching upper back and arm tingling from the neck answers the arm question, not the emergency
/// one (which now asks about chest pain that spreads): level C, not a locked program.
#[test]
fn upper_back_ache_with_arm_tingling_is_level_c_not_an_emergency() {
    let spreading = p().red_flag("chest-pain-spreading").expect("spreading chest pain");
    assert!(spreading.question.to_lowercase().contains("started in your chest"), "{}", spreading.question);
    let arm = p().red_flag("arm-pain-or-tingling").expect("arm question");
    let q = arm.question.to_lowercase();
    assert!(q.contains("tingling") && q.contains("neck or upper back"), "{q}");
    let perm = gate(
        p(),
        &SafetyInputs { screening: Some(&record(&["arm-pain-or-tingling"], false)), assessment: Some(&sample()) },
    );
    assert_eq!(perm.level_name(), "C");
    assert_eq!(perm.mode, Mode::Reduced);
}

/// A compact, stable view of the gate's decisions for snapshots: what is held back and why.
#[derive(Serialize)]
struct GateSummary {
    mode: &'static str,
    level: &'static str,
    headline: String,
    holds: Vec<String>,
    runs: Vec<String>,
    exercises: Vec<String>,
    routines: Vec<String>,
    experiments: Vec<String>,
    relief: Vec<String>,
    cardio: String,
}

fn summary(perm: &Permissions) -> GateSummary {
    GateSummary {
        mode: perm.mode.name(),
        level: perm.level_name(),
        headline: perm.headline.clone(),
        holds: perm.holds.iter().map(|h| format!("{} <- {}", h.text, h.answer)).collect(),
        runs: perm
            .runs
            .iter()
            .map(|d| match (&d.reason, d.allowed) {
                (_, true) => format!(
                    "{}: yes{}",
                    d.run.as_str(),
                    d.reason.as_deref().map(|r| format!(" ({r})")).unwrap_or_default()
                ),
                (r, false) => format!("{}: no ({})", d.run.as_str(), r.as_deref().unwrap_or_default()),
            })
            .collect(),
        exercises: perm
            .exercises
            .iter()
            .filter_map(|d| match &d.verdict {
                ExerciseVerdict::Allowed => None,
                ExerciseVerdict::Swapped { to, reason } => Some(format!("{} -> {to} ({reason})", d.id)),
                ExerciseVerdict::LeftOut { reason } => Some(format!("{}: out ({reason})", d.id)),
            })
            .collect(),
        routines: perm
            .routines
            .iter()
            .filter(|d| !d.allowed)
            .map(|d| format!("{}: {}", d.id, d.reason.as_deref().unwrap_or_default()))
            .collect(),
        experiments: perm
            .experiments
            .iter()
            .map(|d| {
                format!("{}: {}", d.id, if d.allowed { "yes".into() } else { d.reason.clone().unwrap_or_default() })
            })
            .collect(),
        relief: perm
            .relief
            .iter()
            .map(|d| {
                format!("{}: {}", d.id, if d.allowed { "yes".into() } else { d.reason.clone().unwrap_or_default() })
            })
            .collect(),
        cardio: if perm.cardio_alternatives.allowed {
            "yes".into()
        } else {
            perm.cardio_alternatives.reason.clone().unwrap_or_default()
        },
    }
}

#[test]
fn gate_decisions_for_the_standard_profiles() {
    let sample = sample();
    let with = |conds: &[Condition], eq: &[Equipment]| {
        let mut a = sample.clone();
        a.conditions = conds.to_vec();
        a.equipment = eq.to_vec();
        a
    };
    let rib = runner(|a| {
        a.regions = vec![Region::RibSideRight];
        a.when = vec![When::AfterEatingBeforeRun];
    });
    let profiles: Vec<(&str, Assessment, ScreeningRecord)> = vec![
        ("sample_runner_clear", sample.clone(), record(&[], false)),
        ("osteoporosis_no_roller", with(&[Condition::Osteoporosis], &[Equipment::Mat]), record(&[], false)),
        (
            "shoulder_injury",
            with(&[Condition::ShoulderInjury], &[Equipment::Band, Equipment::FoamRoller]),
            record(&[], false),
        ),
        ("pregnancy", with(&[Condition::Pregnancy], &[Equipment::Band, Equipment::FoamRoller]), record(&[], false)),
        (
            "kidney_disease_sensitive_skin",
            with(&[Condition::KidneyDisease, Condition::SensitiveSkin], &[]),
            record(&[], false),
        ),
        ("rib_pain_after_eating", rib, record(&[], false)),
        ("level_c_night_pain", sample.clone(), record(&["night-pain-that-wakes"], false)),
        ("level_b_chest_effort", sample.clone(), record(&["chest-or-rib-pain-with-effort-or-meals"], false)),
        ("level_b_fever", sample.clone(), record(&["pain-with-fever-or-feeling-unwell"], false)),
        ("level_a_chest", sample.clone(), record(&["chest-pain-during-or-after-run"], false)),
    ];
    for (name, a, screen) in profiles {
        let perm = gate(p(), &SafetyInputs { screening: Some(&screen), assessment: Some(&a) });
        insta::assert_yaml_snapshot!(format!("gate_{name}"), summary(&perm));
    }
    for (name, a) in ordinary_runners() {
        let perm = gate(p(), &SafetyInputs { screening: Some(&record(&[], false)), assessment: Some(&a) });
        insta::assert_yaml_snapshot!(format!("gate_ordinary_{}", name.replace([' ', '-'], "_")), summary(&perm));
    }
}
