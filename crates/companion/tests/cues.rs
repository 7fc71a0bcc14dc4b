//! The mid-run cue planner and its input parsing.

mod common;

use common::program;
use runtall_companion::cues::{
    BlockKind, CueError, CueOptions, RepLength, RepSpec, Spec, parse_duration_s, parse_reps, plan_cues, plan_run,
};
use runtall_content::{CueKind, CuePhase, RunType};

fn reps(spec: &str, recovery: &str, warm: u32, cool: u32) -> Spec {
    Spec::Reps(RepSpec::parse(spec, recovery, warm, cool).expect("spec"))
}

#[test]
fn parses_rep_specs_and_durations() {
    assert_eq!(parse_reps("6x800m"), Ok((6, RepLength::Distance { m: 800 })));
    assert_eq!(parse_reps("5x3min"), Ok((5, RepLength::Time { s: 180 })));
    assert_eq!(parse_reps("10x400m"), Ok((10, RepLength::Distance { m: 400 })));
    assert_eq!(parse_reps(" 8 × 1km "), Ok((8, RepLength::Distance { m: 1000 })));
    assert_eq!(parse_reps("4X1mi"), Ok((4, RepLength::Distance { m: 1609 })));
    assert_eq!(parse_reps("6x90s"), Ok((6, RepLength::Time { s: 90 })));
    assert_eq!(parse_reps("5x2:30"), Ok((5, RepLength::Time { s: 150 })));
    assert_eq!(parse_reps("3x1.5km"), Ok((3, RepLength::Distance { m: 1500 })));

    assert_eq!(parse_duration_s("2min"), Ok(120));
    assert_eq!(parse_duration_s("90s"), Ok(90));
    assert_eq!(parse_duration_s("1:30"), Ok(90));
    assert_eq!(parse_duration_s("2m30s"), Ok(150));
    assert_eq!(parse_duration_s("2m"), Ok(120));

    assert_eq!(parse_reps("200x400m"), Err(CueError::Reps(200)));
    assert_eq!(
        parse_reps("200x400m").map_err(|e| e.to_string()),
        Err("200 reps is out of range (allowed 1–50)".into())
    );
    assert_eq!(parse_reps("0x400m"), Err(CueError::Reps(0)));
    for bad in ["6x", "x800m", "six x 800m", "6x800", "6x800furlongs", "6-800m", "6x-1km", "", "6x0km"] {
        let e = parse_reps(bad).expect_err(bad).to_string();
        assert!(e.contains("reps") || e.contains("out of range"), "{bad}: {e}");
    }
    let e = parse_reps("6x800").expect_err("no unit").to_string();
    assert!(e.contains("add a unit") && e.contains("6x800m"), "{e}");
    for bad in ["", "2", "2 hours please", "1:75", "abc"] {
        assert!(parse_duration_s(bad).is_err(), "{bad}");
    }
}

#[test]
fn impossible_runs_are_refused() {
    let p = program();
    let o = CueOptions::default();
    assert_eq!(plan_cues(p, &common::open(), RunType::Easy, &Spec::Minutes(0), &o), Err(CueError::Minutes(0)));
    let e = plan_cues(p, &common::open(), RunType::Easy, &Spec::Minutes(0), &o).expect_err("0").to_string();
    assert_eq!(e, "0 minutes is out of range (allowed 1–360 minutes)");
    assert_eq!(plan_cues(p, &common::open(), RunType::Long, &Spec::Minutes(361), &o), Err(CueError::Minutes(361)));
    assert!(plan_cues(p, &common::open(), RunType::Long, &Spec::Minutes(360), &o).is_ok());
    // 50 × 10 km is far over six hours.
    let spec = Spec::Reps(RepSpec {
        reps: 50,
        length: RepLength::Distance { m: 10_000 },
        recovery_s: 120,
        warmup_min: 10,
        cooldown_min: 10,
    });
    let e = plan_cues(p, &common::open(), RunType::Speed, &spec, &o).expect_err("too long");
    assert!(matches!(e, CueError::TooLong { .. }), "{e}");
    assert!(e.to_string().contains("the longest plan is 360 minutes"));
    let e = RepSpec::parse("6x800m", "0s", 10, 10).expect_err("no recovery").to_string();
    assert!(e.contains("a recovery of 0:00 is out of range"), "{e}");
    let e = RepSpec::parse("6x20m", "1min", 10, 10).expect_err("short").to_string();
    assert!(e.contains("a rep distance of 20 m"), "{e}");
    let e = RepSpec::parse("6x800m", "1min", 90, 10).expect_err("warm-up").to_string();
    assert!(e.contains("a warm-up of 90 min"), "{e}");
    let bad_pace = CueOptions { rep_pace_s_per_km: 30, ..CueOptions::default() };
    assert_eq!(
        plan_cues(p, &common::open(), RunType::Speed, &reps("6x800m", "2min", 10, 10), &bad_pace),
        Err(CueError::Pace(30))
    );
}

#[test]
fn easy_run_gets_a_check_every_ten_minutes_opening_and_after() {
    let plan =
        plan_run(program(), &common::open(), RunType::Easy, &Spec::Minutes(45), &CueOptions::default()).expect("plan");
    println!("{}", plan.to_text());
    let times: Vec<u32> = plan.cues.iter().map(|c| c.at_s).collect();
    assert_eq!(times, [0, 600, 1200, 1800, 2400, 2700]);
    assert_eq!(plan.cues[0].phase, CuePhase::Start);
    assert_eq!(plan.cues[0].id, "stack-tall");
    assert_eq!(plan.cues.last().map(|c| c.id.as_str()), Some("post-run-reset"));
    assert_eq!(plan.cues.last().map(|c| c.phase), Some(CuePhase::After));
    // Easy pace leads breathing with the step-breath rhythm; checks vary posture, breathing, relax.
    let checks: Vec<&str> = plan.cues[1..5].iter().map(|c| c.id.as_str()).collect();
    assert_eq!(checks[1], "step-breath-rhythm");
    let kinds: Vec<CueKind> = plan.cues[1..4].iter().map(|c| c.kind).collect();
    assert_eq!(kinds, [CueKind::Posture, CueKind::Breathing, CueKind::Relax]);
    assert_ne!(checks[0], "stack-tall", "the first check is not the opening again");
    assert!(plan.cues.iter().all(|c| c.watch.chars().count() <= 24));
    assert_eq!(plan.total_s, 2700);
    assert!(!plan.notes.is_empty());

    let no_steps = CueOptions { step_breath: false, ..CueOptions::default() };
    let plan = plan_run(program(), &common::open(), RunType::Easy, &Spec::Minutes(45), &no_steps).expect("plan");
    assert!(plan.cues.iter().all(|c| c.id != "step-breath-rhythm"));
}

#[test]
fn long_run_checks_come_closer_in_the_last_third() {
    let plan =
        plan_run(program(), &common::open(), RunType::Long, &Spec::Minutes(90), &CueOptions::default()).expect("plan");
    println!("{}", plan.to_text());
    let mins: Vec<u32> = plan
        .cues
        .iter()
        .filter(|c| c.phase != CuePhase::Start && c.phase != CuePhase::After)
        .map(|c| c.at_s / 60)
        .collect();
    assert_eq!(mins, [15, 30, 45, 60, 67, 74, 81, 88]);
    let late: Vec<&str> = plan.cues.iter().filter(|c| c.phase == CuePhase::LastThird).map(|c| c.id.as_str()).collect();
    assert_eq!(late, ["long-fade-check", "long-late-exhale", "long-fade-check"], "late cues alternate with checks");
    let phases: Vec<CuePhase> = plan.cues.iter().filter(|c| c.at_s >= 3600 && c.at_s < 5400).map(|c| c.phase).collect();
    assert_eq!(
        phases,
        [CuePhase::LastThird, CuePhase::Steady, CuePhase::LastThird, CuePhase::Steady, CuePhase::LastThird]
    );
    assert_eq!(plan.cues.iter().find(|c| c.at_s == 3600).map(|c| c.id.as_str()), Some("long-fade-check"));
    // Every gap before the last third is 15 minutes, after it 7.
    let short =
        plan_run(program(), &common::open(), RunType::Long, &Spec::Minutes(20), &CueOptions::default()).expect("short");
    assert!(short.cues.iter().all(|c| c.at_s == 0 || c.at_s >= 15 * 60 || c.phase == CuePhase::LastThird));
}

#[test]
fn race_has_a_settle_start_and_a_finish_cue() {
    let plan =
        plan_run(program(), &common::open(), RunType::Race, &Spec::Minutes(60), &CueOptions::default()).expect("plan");
    println!("{}", plan.to_text());
    assert_eq!(plan.cues[0].id, "race-start-settle");
    let finish = plan.cues.iter().find(|c| c.phase == CuePhase::Finish).expect("finish");
    assert_eq!(finish.at_s, 55 * 60);
    // No check crowds the finish cue; speed and race lead breathing with the full exhale.
    assert!(plan.cues.iter().filter(|c| c.phase == CuePhase::Steady).all(|c| c.at_s + 120 <= finish.at_s));
    let first_breathing = plan.cues.iter().find(|c| c.kind == CueKind::Breathing).expect("breathing");
    assert_eq!(first_breathing.id, "full-exhale");
}

#[test]
fn speed_reps_get_a_cue_before_each_rep_and_a_reset_in_each_recovery() {
    let spec = reps("6x800m", "2min", 15, 10);
    let plan = plan_run(program(), &common::open(), RunType::Speed, &spec, &CueOptions::default()).expect("plan");
    println!("{}", plan.to_text());
    let kinds: Vec<BlockKind> = plan.blocks.iter().map(|b| b.kind).collect();
    assert_eq!(kinds.first(), Some(&BlockKind::WarmUp));
    assert_eq!(kinds.iter().filter(|k| **k == BlockKind::Rep).count(), 6);
    assert_eq!(kinds.iter().filter(|k| **k == BlockKind::Recovery).count(), 5);
    assert_eq!(&kinds[kinds.len() - 2..], [BlockKind::CoolDown, BlockKind::After]);
    let before: Vec<_> = plan.cues.iter().filter(|c| c.phase == CuePhase::BeforeRep).collect();
    let resets: Vec<_> = plan.cues.iter().filter(|c| c.phase == CuePhase::Recovery).collect();
    assert_eq!(before.len(), 6);
    assert_eq!(resets.len(), 5);
    // Each "get ready" cue comes 10 s before its rep; each reset at the start of its recovery.
    for (b, rep) in before.iter().zip(plan.blocks.iter().filter(|b| b.kind == BlockKind::Rep)) {
        assert_eq!(b.at_s + 10, rep.start_s);
        assert_eq!(b.id, "rep-ready");
    }
    for (r, rec) in resets.iter().zip(plan.blocks.iter().filter(|b| b.kind == BlockKind::Recovery)) {
        assert_eq!(r.at_s, rec.start_s);
    }
    // 800 m at the assumed 4:30/km is 216 s; cues after the first rep are approximate.
    assert_eq!(plan.blocks[1].duration_s, 216);
    assert_eq!(plan.blocks[1].distance_m, Some(800));
    assert!(!plan.cues[0].approximate && plan.cues.last().is_some_and(|c| c.approximate));
    // Warm-up checks at easy pace: one at 5 min and one at 10 min (none in the last minute before the rep).
    let warm: Vec<u32> =
        plan.cues.iter().filter(|c| c.block == 0 && c.phase == CuePhase::Steady).map(|c| c.at_s).collect();
    assert_eq!(warm, [300, 600]);
    assert!(plan.to_text().contains("before rep 1"));
    assert!(plan.cues.windows(2).all(|w| w[0].id != w[1].id || w[0].phase != CuePhase::Steady), "no repeats");

    // Timed reps, no warm-up or cool-down: the first rep's cue sits at its start.
    let plan =
        plan_run(program(), &common::open(), RunType::Speed, &reps("5x3min", "90s", 0, 0), &CueOptions::default())
            .expect("p");
    assert_eq!(plan.blocks[0].kind, BlockKind::Rep);
    assert_eq!(plan.cues.iter().filter(|c| c.at_s == 0).count(), 2);
    assert!(plan.cues.iter().all(|c| !c.approximate));
    assert_eq!(plan.total_s, 5 * 180 + 4 * 90);
}

#[test]
fn pack_cues_when_a_pack_is_worn() {
    let with = CueOptions { pack: true, ..CueOptions::default() };
    let plan = plan_run(program(), &common::open(), RunType::Long, &Spec::Minutes(120), &with).expect("plan");
    println!("{}", plan.to_text());
    let pack: Vec<_> = plan.cues.iter().filter(|c| c.kind == CueKind::Pack).collect();
    assert!(pack.iter().any(|c| c.id == "pack-straps" && c.at_s == 60));
    assert!(pack.iter().any(|c| c.phase == CuePhase::Steady));
    assert!(pack.iter().any(|c| c.id == "pack-off-when-stopped" && c.phase == CuePhase::After));
    let without =
        plan_run(program(), &common::open(), RunType::Long, &Spec::Minutes(120), &CueOptions::default()).expect("plan");
    assert!(without.cues.iter().all(|c| c.kind != CueKind::Pack));
    // Pack cues follow the pack, not the run type.
    let easy = plan_run(program(), &common::open(), RunType::Easy, &Spec::Minutes(40), &with).expect("easy");
    assert!(easy.cues.iter().any(|c| c.kind == CueKind::Pack));
}

#[test]
fn every_run_type_plans_for_short_and_long_runs_with_sorted_times() {
    for run in RunType::ALL {
        for m in [1, 5, 30, 90, 360] {
            let plan =
                plan_run(program(), &common::open(), run, &Spec::Minutes(m), &CueOptions::default()).expect("plan");
            assert!(plan.cues.windows(2).all(|w| w[0].at_s <= w[1].at_s), "{run:?} {m}");
            assert!(plan.cues.iter().all(|c| c.at_s <= m * 60));
            assert_eq!(plan.cues.first().map(|c| c.at_s), Some(0));
            assert_eq!(plan.cues.last().map(|c| c.phase), Some(CuePhase::After));
        }
    }
    let plan =
        plan_run(program(), &common::open(), RunType::Easy, &Spec::Minutes(30), &CueOptions::default()).expect("plan");
    let json = plan.to_json();
    let back: runtall_companion::RunPlan = serde_json::from_str(&json).expect("round trip");
    assert_eq!(back, plan);
    assert!(json.contains("\"phase\": \"start\""), "{json}");
}

/// The cue planner asks the safety gate: a run type it holds back, or reps when speed work is held back, get no
/// cues — the CLI, the exports and run mode all plan through here.
#[test]
fn cue_plans_follow_the_safety_gate() {
    let reduced = common::with_flags(&["night-pain-that-wakes"]);
    assert!(plan_run(program(), &reduced, RunType::Easy, &Spec::Minutes(30), &CueOptions::default()).is_ok());
    for run in [RunType::Long, RunType::Speed, RunType::Race, RunType::Trail] {
        let err =
            plan_run(program(), &reduced, run, &Spec::Minutes(40), &CueOptions::default()).expect_err("held back");
        assert!(matches!(err, CueError::NotAllowed(_)), "{err}");
        assert!(err.to_string().contains("clinician"), "{err}");
    }
    let err = plan_run(program(), &reduced, RunType::Easy, &reps("6x400m", "2min", 10, 5), &CueOptions::default())
        .expect_err("reps are speed work");
    assert!(err.to_string().contains("speed work"), "{err}");
    let no_running = common::with_flags(&["chest-or-rib-pain-with-effort-or-meals"]);
    for run in RunType::ALL {
        let err =
            plan_run(program(), &no_running, run, &Spec::Minutes(20), &CueOptions::default()).expect_err("no running");
        assert!(err.to_string().contains("no running"), "{err}");
    }
}

/// Run mode's live cues for speed work: the phone speaks "get ready" shortly before each rep and a reset at the
/// start of each recovery, and nothing else inside a recovery (the rule: the recovery belongs to getting the
/// breath back, not to posture checks) — even a long one.
#[test]
fn a_cue_before_each_rep_and_no_checks_inside_recoveries() {
    for (spec, recovery) in [("4x5min", "6min"), ("8x400m", "90s"), ("3x1km", "3:00")] {
        let plan =
            plan_run(program(), &common::open(), RunType::Speed, &reps(spec, recovery, 10, 5), &CueOptions::default())
                .expect("plan");
        let rep_starts: Vec<u32> = plan.blocks.iter().filter(|b| b.kind == BlockKind::Rep).map(|b| b.start_s).collect();
        let before: Vec<u32> = plan.cues.iter().filter(|c| c.phase == CuePhase::BeforeRep).map(|c| c.at_s).collect();
        assert_eq!(before.len(), rep_starts.len(), "{spec}: one get-ready cue per rep");
        for (cue, start) in before.iter().zip(&rep_starts) {
            assert!(
                *cue <= *start && start - cue <= 10,
                "{spec}: the cue at {cue} s comes just before the rep at {start} s"
            );
        }
        for rec in plan.blocks.iter().filter(|b| b.kind == BlockKind::Recovery) {
            let inside: Vec<(u32, CuePhase)> = plan
                .cues
                .iter()
                .filter(|c| c.at_s >= rec.start_s && c.at_s < rec.end_s())
                .map(|c| (c.at_s, c.phase))
                .collect();
            assert_eq!(
                inside,
                [(rec.start_s, CuePhase::Recovery), (rec.end_s() - 10, CuePhase::BeforeRep)],
                "{spec}: only the reset at its start and the next rep's cue at its end"
            );
        }
        // No cue is spoken during a rep but the one at its very start (when there was no time before it).
        for rep in plan.blocks.iter().filter(|b| b.kind == BlockKind::Rep) {
            assert!(plan.cues.iter().all(|c| c.at_s <= rep.start_s || c.at_s >= rep.end_s()), "{spec}");
        }
    }
}

/// A rep's length on its own (run mode's separate box) reads like the length inside `6x800m`, and prints back.
#[test]
fn a_rep_length_on_its_own_reads_and_prints_back() {
    use runtall_companion::cues::{duration_text, parse_rep_length};
    for (text, length) in [
        ("800m", RepLength::Distance { m: 800 }),
        ("1km", RepLength::Distance { m: 1000 }),
        ("1.5km", RepLength::Distance { m: 1500 }),
        ("3min", RepLength::Time { s: 180 }),
        ("90s", RepLength::Time { s: 90 }),
    ] {
        assert_eq!(parse_rep_length(text), Ok(length), "{text}");
        assert_eq!(length.text(), text);
    }
    assert_eq!(parse_rep_length("2:30"), Ok(RepLength::Time { s: 150 }));
    let err = parse_rep_length("800").expect_err("no unit").to_string();
    assert!(err.contains("'800'") && err.contains("add a unit"), "{err}");
    assert_eq!((duration_text(120), duration_text(90)), ("2min".to_string(), "90s".to_string()));
}

/// Run mode and `runtall cues` start from today's plan, then the last run, at the last run's length — not an easy
/// 45 minutes for everyone — and never from a run the safety gate holds back.
#[test]
fn defaults_come_from_todays_plan_then_the_last_run() {
    use runtall_companion::run_defaults::{PastRun, Source, USUAL_REPS, run_defaults};
    let open = common::open();
    let recent = [
        PastRun { run: RunType::Long, moving_s: 97.0 * 60.0 },
        PastRun { run: RunType::Easy, moving_s: 38.0 * 60.0 },
        PastRun { run: RunType::Long, moving_s: 80.0 * 60.0 },
    ];
    // Today's plan wins; the length is the last run of that type, to the nearest 5 minutes.
    let d = run_defaults(Some(RunType::Easy), &recent, &open);
    assert_eq!(
        (d.run, d.run_from, d.spec, d.length_from),
        (RunType::Easy, Source::Plan, Spec::Minutes(40), Source::LastRun)
    );
    assert!(d.words().contains("planned for today") && d.words().contains("40 minutes"), "{}", d.words());
    // No plan for today: the type of the last run, at its length.
    let d = run_defaults(None, &recent, &open);
    assert_eq!((d.run, d.run_from, d.spec), (RunType::Long, Source::LastRun, Spec::Minutes(95)));
    // A speed day starts as reps, so the phone has reps to cue.
    let d = run_defaults(Some(RunType::Speed), &recent, &open);
    assert_eq!((d.run, d.spec), (RunType::Speed, Spec::Reps(USUAL_REPS)));
    assert!(d.words().contains("6×3:00"), "{}", d.words());
    // A trail run planned with no trail run in the journal: the usual length of a trail run.
    let d = run_defaults(Some(RunType::Trail), &recent, &open);
    assert_eq!((d.spec, d.length_from), (Spec::Minutes(60), Source::Usual));
    // Nothing at all: easy, 45 minutes.
    let d = run_defaults(None, &[], &open);
    assert_eq!((d.run, d.run_from, d.spec), (RunType::Easy, Source::Usual, Spec::Minutes(45)));
    // The gate holds long and speed runs back: a planned speed day and a last long run both fall to easy.
    let reduced = common::with_flags(&["night-pain-that-wakes"]);
    assert!(!reduced.run(RunType::Long).allowed && !reduced.run(RunType::Speed).allowed);
    let d = run_defaults(Some(RunType::Speed), &recent, &reduced);
    assert_eq!((d.run, d.spec), (RunType::Easy, Spec::Minutes(40)));
}
