//! Today within a daily budget: on the sample runner and on built assessments, every day of the week stays within
//! its minutes, holds each exercise once, keeps the findings' exercises and nothing the safety gate forbids.

mod common;

use common::{assessment, perm};
use runtall_content::{FlagLevel, RunType, program};
use runtall_domain::assess::Assessment;
use runtall_domain::plan::{self, DayBudget, Moment, Progress, Today, Weekday};
use runtall_domain::safety::{ExerciseVerdict, Permissions};
use std::collections::BTreeSet;

fn first_flag(level: FlagLevel) -> String {
    program().red_flags.iter().find(|f| f.level == level && !f.chest).expect("flag").id.clone()
}

/// Today for every day of the planned week.
fn week(a: &Assessment, p: &Permissions, budget: DayBudget) -> Vec<Today> {
    let plan = plan::build(program(), a, p).expect("plan");
    Weekday::ALL
        .iter()
        .map(|d| {
            let run = plan.week.iter().find(|w| w.day == *d).and_then(|w| w.run);
            plan::today(program(), &plan, p, *d, run, budget, &Progress::default())
        })
        .collect()
}

/// What every Today must hold, whoever the runner is.
fn check(label: &str, t: &Today, p: &Permissions) {
    let day = t.day.name();
    assert!(t.seconds <= t.budget_min * 60, "{label} {day}: {} s over {} min", t.seconds, t.budget_min);
    let limit = if t.run.is_some() { 15 } else { 20 };
    assert_eq!(t.budget_min, limit, "{label} {day}: the default budget");
    let ids: Vec<&str> = t.exercises().map(|s| s.exercise.as_str()).collect();
    let distinct: BTreeSet<&str> = ids.iter().copied().collect();
    assert_eq!(ids.len(), distinct.len(), "{label} {day}: an exercise twice in one day: {ids:?}");
    for id in &t.priorities {
        assert!(distinct.contains(id.as_str()), "{label} {day}: the finding's {id} is missing from {ids:?}");
    }
    for s in t.exercises() {
        assert_eq!(p.exercise(&s.exercise), ExerciseVerdict::Allowed, "{label} {day}: {} not allowed", s.exercise);
    }
    for b in &t.blocks {
        if let Some(r) = &b.routine {
            assert!(p.routine(r).allowed, "{label} {day}: routine {r} not allowed");
        }
    }
    let sum: u32 = t.blocks.iter().map(|b| b.seconds).sum();
    assert_eq!(sum, t.seconds, "{label} {day}: the total is the blocks' sum");
}

#[test]
fn the_sample_runner_has_a_short_day_every_day_with_the_findings_in_it() {
    let a = assessment(|_| {});
    let p = perm(&a, &[]);
    let days = week(&a, &p, DayBudget::default());
    for t in &days {
        check("sample", t, &p);
        println!(
            "{} {:?}: {:.1} min, {} exercises",
            t.day.name(),
            t.run,
            t.seconds as f64 / 60.0,
            t.exercises().count()
        );
    }
    // The sample runner's neck and upper-trap answers bring chin tucks and the lower-trap set.
    let first = &days[0];
    for id in ["lower-trap-set", "chin-tuck"] {
        assert!(first.priorities.iter().any(|p| p == id), "{id} is a finding: {:?}", first.priorities);
    }
    // A run day is before, during and after, in that order, with the run's cues in the middle.
    let run_day = days.iter().find(|t| t.run.is_some()).expect("a run day");
    let moments: Vec<Moment> = run_day.blocks.iter().map(|b| b.moment).collect();
    assert_eq!(moments.first(), Some(&Moment::BeforeRun));
    assert!(moments.contains(&Moment::DuringRun) && moments.contains(&Moment::AfterRun), "{moments:?}");
    let breathing = run_day.exercises().filter(|s| s.exercise == "hooklying-90-90-breathing").count();
    assert_eq!(breathing, 1, "90/90 breathing once on a run day, not before and after");
    // The day is real work, not emptied to fit: at least a few minutes every day.
    assert!(days.iter().all(|t| t.seconds >= 5 * 60), "{:?}", days.iter().map(|t| t.seconds).collect::<Vec<_>>());
}

#[test]
fn what_is_rested_turns_over_the_week_and_comes_back() {
    let a = assessment(|_| {});
    let p = perm(&a, &[]);
    let days = week(&a, &p, DayBudget::default());
    let rested: BTreeSet<Vec<String>> =
        days.iter().filter(|t| !t.rested.is_empty()).map(|t| t.rested.clone()).collect();
    assert!(rested.len() >= 2, "the same exercises are rested every day: {rested:?}");
    // An exercise the week offers on several days and rests on one is done on another. (One that only a weekly
    // routine holds, like the speed day's rock-back breathing, may stay rested while the budget is the default.)
    let done: BTreeSet<&str> = days.iter().flat_map(|t| t.exercises().map(|s| s.exercise.as_str())).collect();
    let offered = |id: &str| {
        days.iter().filter(|t| t.rested.iter().any(|r| r == id) || t.exercises().any(|s| s.exercise == id)).count()
    };
    let mut checked = 0;
    for id in days.iter().flat_map(|t| t.rested.iter()).filter(|id| offered(id) >= 2) {
        assert!(done.contains(id.as_str()), "{id} is offered on {} days and never done", offered(id));
        checked += 1;
    }
    assert!(checked > 0, "the week rests some exercise that it offers on several days");
}

#[test]
fn a_runner_who_raises_the_budget_gets_more_and_rests_nothing() {
    let a = assessment(|_| {});
    let p = perm(&a, &[]);
    let short = week(&a, &p, DayBudget::default());
    let long = week(&a, &p, DayBudget::new(45, 45).expect("in range"));
    assert!(long.iter().all(|t| t.rested.is_empty()), "45 minutes holds every routine of the day once");
    let (s, l): (u32, u32) = (short.iter().map(|t| t.seconds).sum(), long.iter().map(|t| t.seconds).sum());
    assert!(l > s, "a bigger budget gives a longer week ({l} s vs {s} s)");
    assert!(DayBudget::new(2, 20).unwrap_err().contains("run-day minutes"));
    assert!(DayBudget::new(15, 200).is_err());
}

#[test]
fn built_assessments_keep_the_budget_the_findings_and_the_gate() {
    let speed = assessment(|t| {
        *t = t
            .replace(
                r#"regions = ["neck", "upper-trap-right", "between-shoulder-blades"]"#,
                r#"regions = ["neck", "upper-trap-left", "mid-back", "shoulder"]"#,
            )
            .replace(r#"when = ["long-runs", "after-runs", "at-desk", "with-pack"]"#, r#"when = ["speed-work"]"#)
            .replace("speed_sessions_per_week = 1", "speed_sessions_per_week = 2")
            .replace("runs_per_week = 4", "runs_per_week = 6");
    });
    let shoulder = assessment(|t| {
        *t = t
            .replace(
                r#"regions = ["neck", "upper-trap-right", "between-shoulder-blades"]"#,
                r#"regions = ["shoulder", "neck"]"#,
            )
            .replace("conditions = []", r#"conditions = ["shoulder-injury"]"#);
    });
    let older = assessment(|t| {
        *t = t.replace("conditions = []", r#"conditions = ["osteoporosis"]"#).replace("age = 38", "age = 61");
    });
    let rest_only = assessment(|t| *t = t.replace("runs_per_week = 4", "runs_per_week = 1"));
    let c_flag = first_flag(FlagLevel::C);
    let cases: [(&str, &Assessment, Vec<&str>); 5] = [
        ("speed", &speed, vec![]),
        ("shoulder injury", &shoulder, vec![]),
        ("osteoporosis", &older, vec![]),
        ("reduced", &older, vec![c_flag.as_str()]),
        ("one run a week", &rest_only, vec![]),
    ];
    for (label, a, yes) in cases {
        let p = perm(a, &yes);
        let days = week(a, &p, DayBudget::default());
        for t in &days {
            check(label, t, &p);
        }
        assert!(!days[0].priorities.is_empty(), "{label}: the findings give priorities");
    }
}

#[test]
fn a_run_the_gate_holds_back_adds_no_run_routines() {
    let a = assessment(|_| {});
    let c_flag = first_flag(FlagLevel::C);
    let p = perm(&a, &[&c_flag]);
    let plan = plan::build(program(), &a, &p).expect("reduced plan");
    let held = RunType::ALL.into_iter().find(|r| !p.run(*r).allowed).expect("the reduced program holds a run back");
    let t = plan::today(program(), &plan, &p, Weekday::Mon, Some(held), DayBudget::default(), &Progress::default());
    assert_eq!(t.run, None);
    assert!(t.blocks.iter().all(|b| !matches!(b.moment, Moment::BeforeRun | Moment::DuringRun | Moment::AfterRun)));
}

#[test]
fn a_routine_played_from_today_holds_only_todays_steps() {
    let a = assessment(|_| {});
    let p = perm(&a, &[]);
    let plan = plan::build(program(), &a, &p).expect("plan");
    let t = plan::today(program(), &plan, &p, Weekday::Mon, None, DayBudget::default(), &Progress::default());
    let block = t.blocks.iter().find(|b| b.routine.is_some()).expect("a routine block");
    let id = block.routine.clone().expect("routine");
    let mut view = plan::routine_view(program(), program().routine(&id).expect("routine"), &p);
    let whole = view.steps.len();
    assert!(t.trim(&mut view));
    let played: Vec<&str> = view.steps.iter().map(|s| s.exercise.as_str()).collect();
    let shown: Vec<&str> = block.steps.iter().map(|s| s.exercise.as_str()).collect();
    assert_eq!(played, shown);
    assert_eq!(view.seconds, block.seconds);
    assert!(played.len() <= whole);
    let mut other = plan::routine_view(program(), program().routine("travel-day").expect("travel"), &p);
    assert!(!t.trim(&mut other), "a routine not in Today stays whole");
}

#[test]
fn today_shows_progressed_doses_and_a_clinicians_dose_wins() {
    let a = assessment(|_| {});
    let p = perm(&a, &[]);
    let plan = plan::build(program(), &a, &p).expect("plan");
    let progress = Progress { week: 5, steps: [("lower-trap-set".to_string(), 2)].into() };
    let plain = plan::today(program(), &plan, &p, Weekday::Mon, None, DayBudget::default(), &Progress::default());
    let grown = plan::today(program(), &plan, &p, Weekday::Mon, None, DayBudget::default(), &progress);
    let find = |t: &Today| t.exercises().find(|s| s.exercise == "lower-trap-set").cloned().expect("lower-trap set");
    let (before, after) = (find(&plain), find(&grown));
    let reps = before.dose.reps.expect("reps");
    assert_eq!(after.dose.reps, Some(reps + 4), "two steps of +2 reps");
    assert_eq!(after.progression.as_deref(), Some(format!("week 5 of 12: {reps} → {} reps", reps + 4).as_str()));
    assert!(grown.seconds <= grown.budget_min * 60, "still within the day's minutes");
    // A dose a clinician set is theirs: progression leaves it alone.
    let mut set = before.clone();
    set.clinician = Some("Dose set by Dr Lee".into());
    let kept = set.clone();
    progress.apply(program(), &mut set);
    assert_eq!(set, kept);
}

/// A run on a day the week planned as a rest day: Today leaves that day's strength routine out (the week keeps
/// strength off run days) and names the next strength day; the same day without the run keeps it.
#[test]
fn an_unplanned_run_on_a_rest_day_drops_its_strength_work() {
    let a = assessment(|_| {});
    let p = perm(&a, &[]);
    let plan = plan::build(program(), &a, &p).expect("plan");
    let strength_id =
        program().routines_of(runtall_content::RoutineKind::RestDayStrength).next().expect("strength").id.clone();
    let strength_days: Vec<Weekday> =
        plan.week.iter().filter(|d| d.routines.contains(&strength_id)).map(|d| d.day).collect();
    let rest = plan
        .week
        .iter()
        .find(|d| d.run.is_none() && d.routines.contains(&strength_id))
        .expect("a rest day with strength");
    let today = |run| plan::today(program(), &plan, &p, rest.day, run, DayBudget::default(), &Progress::default());
    let resting = today(None);
    assert!(resting.blocks.iter().any(|b| b.routine.as_ref() == Some(&strength_id)), "strength on the rest day");
    assert_eq!(resting.dropped, None);
    let running = today(Some(RunType::Easy));
    check("unplanned run", &running, &p);
    assert!(running.blocks.iter().all(|b| b.routine.as_ref() != Some(&strength_id)), "{:?}", running.blocks);
    assert!(running.blocks.iter().any(|b| b.moment == Moment::BeforeRun), "the run's own routines come instead");
    let dropped = running.dropped.clone().expect("the strength work is dropped");
    assert_eq!(dropped.routine, strength_id);
    // The next strength day of the week, wrapping round: the first strength day after this one.
    let next = strength_days.iter().find(|d| **d > rest.day).or(strength_days.first()).copied();
    assert!(strength_days.len() > 1 && dropped.next == next, "{strength_days:?} {dropped:?}");
    let words = dropped.words(program());
    assert!(words.contains("left out today because you are running"), "{words}");
    // A planned run day is unchanged by the rule.
    let run_day = plan.week.iter().find(|d| d.run.is_some()).expect("a run day");
    let t = plan::today(program(), &plan, &p, run_day.day, run_day.run, DayBudget::default(), &Progress::default());
    assert_eq!(t.dropped, None);
}
