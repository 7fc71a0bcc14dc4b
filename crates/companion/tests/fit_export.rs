//! FIT workout export, read back by runtall's own decoder and by rustyfit's, every step checked.

mod common;

use common::program;
use runtall_companion::cues::{BlockKind, CueOptions, RepSpec, RunPlan, Spec, plan_run};
use runtall_companion::export::{
    FitOptions, StepIntensity, StepLength, WatchStep, watch_name, watch_steps, workout_fit,
};
use runtall_content::RunType;
use runtall_fit::{Intensity, StepDuration, crc16};
use rustyfit::profile::{mesgdef, typedef};

fn options() -> FitOptions {
    FitOptions { name: None, name_len: 16, time_created: "2026-03-01T07:00:00Z".parse().expect("time") }
}

fn plan(run: RunType, spec: Spec) -> RunPlan {
    plan_run(program(), &common::open(), run, &spec, &CueOptions::default()).expect("plan")
}

fn rep_plan() -> RunPlan {
    plan(RunType::Speed, Spec::Reps(RepSpec::parse("6x800m", "2min", 15, 10).expect("spec")))
}

fn intensity(i: StepIntensity) -> Intensity {
    match i {
        StepIntensity::Active => Intensity::Active,
        StepIntensity::Rest => Intensity::Rest,
        StepIntensity::Warmup => Intensity::Warmup,
        StepIntensity::Cooldown => Intensity::Cooldown,
        StepIntensity::Recovery => Intensity::Recovery,
    }
}

fn expected_duration(s: &WatchStep) -> StepDuration {
    match s.length {
        StepLength::Time { s } => StepDuration::Time { s: f64::from(s) },
        StepLength::Distance { m } => StepDuration::Distance { m: f64::from(m) },
        StepLength::Open => StepDuration::Open,
    }
}

/// Both CRCs by hand, the FIT way: header CRC over bytes 0..12, file CRC over everything before the last two.
fn check_crcs(bytes: &[u8]) {
    assert_eq!(bytes[0], 14, "14-byte header");
    assert_eq!(&bytes[8..12], b".FIT");
    let data_size = u32::from_le_bytes([bytes[4], bytes[5], bytes[6], bytes[7]]) as usize;
    assert_eq!(bytes.len(), 14 + data_size + 2);
    let header_crc = u16::from_le_bytes([bytes[12], bytes[13]]);
    assert_ne!(header_crc, 0, "header CRC is computed, not left at 0");
    assert_eq!(header_crc, crc16(&bytes[..12]));
    let n = bytes.len();
    assert_eq!(u16::from_le_bytes([bytes[n - 2], bytes[n - 1]]), crc16(&bytes[..n - 2]));
}

/// Decodes with ours and rustyfit's decoders and compares every step with the planned list.
fn check_file(plan: &RunPlan, bytes: &[u8]) -> Vec<WatchStep> {
    let steps = watch_steps(plan, 16);
    check_crcs(bytes);

    let ours = runtall_fit::decode(bytes).expect("our decoder");
    assert!(ours.warnings.is_empty(), "{:?}", ours.warnings);
    assert!(ours.stats.header_crc_ok && ours.stats.file_crc_ok);
    let fid = ours.file_id.as_ref().expect("file_id");
    assert_eq!(fid.file_type, Some(5), "workout file");
    assert_eq!(fid.manufacturer, Some(255));
    assert_eq!(fid.time_created_s, Some(1_772_348_400));
    let w = ours.workout.as_ref().expect("workout");
    assert_eq!(w.sport, Some(1), "running");
    assert_eq!(w.num_valid_steps, Some(steps.len() as u16));
    assert!(w.wkt_description.as_deref().is_some_and(|d| d.starts_with("runtall")));
    assert_eq!(ours.workout_steps.len(), steps.len());
    for (i, (got, want)) in ours.workout_steps.iter().zip(&steps).enumerate() {
        assert_eq!(got.message_index, Some(i as u16));
        assert_eq!(got.wkt_step_name.as_deref(), Some(want.name.as_str()), "step {i}");
        assert!(want.name.chars().count() <= 16, "step {i} name {:?}", want.name);
        assert_eq!(got.notes.as_deref(), Some(want.notes.as_str()), "step {i}");
        assert_eq!(got.duration(), Some(expected_duration(want)), "step {i}");
        assert_eq!(got.intensity, Some(intensity(want.intensity)), "step {i}");
        assert_eq!(got.target(), Some(runtall_fit::StepTarget::Open), "step {i}");
    }

    // rustyfit with its checksum verification on.
    let mut dec = rustyfit::Decoder::new();
    let mut reader: &[u8] = bytes;
    let fit = dec.decode(&mut reader).expect("rustyfit decode").expect("one file");
    assert_eq!(fit.file_header.size, 14);
    assert_eq!(fit.crc, crc16(&bytes[..bytes.len() - 2]));
    let num = |m: &rustyfit::proto::Message| m.num;
    let ids: Vec<_> = fit.messages.iter().filter(|m| num(m) == typedef::MesgNum::FILE_ID).collect();
    assert_eq!(ids.len(), 1);
    assert_eq!(mesgdef::FileId::from(ids[0]).r#type, typedef::File::WORKOUT);
    let wk = fit.messages.iter().find(|m| num(m) == typedef::MesgNum::WORKOUT).map(mesgdef::Workout::from);
    let wk = wk.expect("rustyfit workout");
    assert_eq!(wk.num_valid_steps as usize, steps.len());
    assert_eq!(wk.sport, typedef::Sport::RUNNING);
    let theirs: Vec<mesgdef::WorkoutStep> = fit
        .messages
        .iter()
        .filter(|m| num(m) == typedef::MesgNum::WORKOUT_STEP)
        .map(mesgdef::WorkoutStep::from)
        .collect();
    assert_eq!(theirs.len(), steps.len());
    for (i, (got, want)) in theirs.iter().zip(&steps).enumerate() {
        assert_eq!(got.message_index.0, i as u16);
        assert_eq!(&*got.wkt_step_name, want.name.as_str());
        assert_eq!(&*got.notes, want.notes.as_str());
        assert_eq!(got.intensity.0, want.intensity.fit_value());
        assert_eq!(got.target_type, typedef::WktStepTarget::OPEN);
        match want.length {
            StepLength::Time { s } => {
                assert_eq!(got.duration_type, typedef::WktStepDuration::TIME);
                assert_eq!(got.duration_value, s * 1000);
            }
            StepLength::Distance { m } => {
                assert_eq!(got.duration_type, typedef::WktStepDuration::DISTANCE);
                assert_eq!(got.duration_value, m * 100);
            }
            StepLength::Open => assert_eq!(got.duration_type, typedef::WktStepDuration::OPEN),
        }
    }
    steps
}

#[test]
fn rep_session_exports_and_reads_back_with_both_decoders() {
    let plan = rep_plan();
    let bytes = workout_fit(&plan, &options()).expect("encode");
    let steps = check_file(&plan, &bytes);
    for s in &steps {
        println!("{:<16} {:<22} {:?}  {}", s.name, format!("{:?}", s.length), s.intensity, s.notes);
    }
    // Warm-up split at its cues, each rep by distance, each recovery by time (reset, then the rep cue),
    // cool-down, and an open step to finish.
    assert_eq!(steps[0].intensity, StepIntensity::Warmup);
    assert_eq!(steps[0].name, "Ribs over pelvis");
    let reps: Vec<_> = steps.iter().filter(|s| matches!(s.length, StepLength::Distance { .. })).collect();
    assert_eq!(reps.len(), 6);
    assert!(reps.iter().all(|s| s.length == StepLength::Distance { m: 800 } && s.intensity == StepIntensity::Active));
    assert_eq!(reps[0].name, "Rep 1/6");
    let recoveries: Vec<_> = steps.iter().filter(|s| s.intensity == StepIntensity::Recovery).collect();
    assert_eq!(recoveries.len(), 10, "5 recoveries, each a reset step and a 10 s get-ready step");
    assert_eq!(recoveries[0].name, "Slow exhales");
    assert_eq!(recoveries[0].length, StepLength::Time { s: 110 });
    assert_eq!(recoveries[1].name, "Rep: tall, loose");
    assert_eq!(recoveries[1].length, StepLength::Time { s: 10 });
    assert!(recoveries[1].notes.contains("Before the rep"));
    let last = steps.last().expect("steps");
    assert_eq!(last.length, StepLength::Open);
    assert_eq!(last.name, "Post-run reset");
    let warm_total: u32 = steps
        .iter()
        .filter(|s| s.intensity == StepIntensity::Warmup)
        .map(|s| if let StepLength::Time { s } = s.length { s } else { 0 })
        .sum();
    assert_eq!(warm_total, 15 * 60, "warm-up pieces add up to the warm-up");
    let cool = steps.iter().filter(|s| s.intensity == StepIntensity::Cooldown).count();
    assert_eq!(cool, 2);
    assert_eq!(
        runtall_fit::decode(&bytes).ok().and_then(|a| a.workout).and_then(|w| w.wkt_name),
        Some("Speed 6x800m".to_string())
    );
}

#[test]
fn minutes_runs_split_into_steady_blocks_between_cues() {
    for (run, m) in [(RunType::Long, 90), (RunType::Easy, 45), (RunType::Race, 60), (RunType::Trail, 75)] {
        let plan = plan(run, Spec::Minutes(m));
        let bytes = workout_fit(&plan, &options()).expect("encode");
        let steps = check_file(&plan, &bytes);
        let timed: u32 = steps.iter().map(|s| if let StepLength::Time { s } = s.length { s } else { 0 }).sum();
        assert_eq!(timed, m * 60, "{run:?}: steady steps cover the run");
        // One step per cue during the run, plus the open after-run step.
        let during = plan.cues.iter().filter(|c| plan.blocks[c.block].kind != BlockKind::After).count();
        assert_eq!(steps.len(), during + 1, "{run:?}");
        assert_eq!(steps.last().map(|s| s.length), Some(StepLength::Open));
    }
    let trail = plan(RunType::Trail, Spec::Minutes(30));
    let bytes = workout_fit(&trail, &options()).expect("encode");
    let decoded = runtall_fit::decode(&bytes).expect("decode");
    assert_eq!(decoded.workout.and_then(|w| w.sub_sport), Some(3), "trail sub-sport");
}

#[test]
fn timed_reps_without_warm_up_and_a_custom_name() {
    let plan = plan(RunType::Speed, Spec::Reps(RepSpec::parse("5x3min", "90s", 0, 0).expect("spec")));
    let opts = FitOptions { name: Some("Tuesday track".into()), name_len: 20, ..options() };
    let bytes = workout_fit(&plan, &opts).expect("encode");
    let decoded = runtall_fit::decode(&bytes).expect("decode");
    assert_eq!(decoded.workout.and_then(|w| w.wkt_name), Some("Tuesday track".into()));
    let steps = watch_steps(&plan, 20);
    assert_eq!(steps[0].length, StepLength::Time { s: 180 });
    assert_eq!(steps[0].name, "Tall, loose, exhale", "the rep cue names the first rep (20 characters here)");
    assert!(steps[0].notes.contains("Stack up"), "the opening cue is in the notes too");
    assert!(steps.iter().all(|s| s.intensity != StepIntensity::Warmup && s.intensity != StepIntensity::Cooldown));
    let e = workout_fit(&plan, &FitOptions { name_len: 3, ..options() }).expect_err("name length");
    assert!(e.to_string().contains("step-name length"), "{e}");
}

#[test]
fn watch_names_are_shortened_at_word_boundaries() {
    let cases = [
        ("Stack: ribs over pelvis", "Ribs over pelvis"),
        ("Tall: ears over ribs", "Ears over ribs"),
        ("Breathe low: belly+ribs", "Breathe low"),
        ("Rep: tall, loose, exhale", "Rep: tall, loose"),
        ("Soft jaw, loose face", "Soft jaw"),
        ("Drop shoulders from ears", "Drop shoulders"),
        ("Blades back and down", "Blades back"),
        ("Stopped? Pack off", "Pack off"),
        ("Pack straps: re-adjust", "Pack straps"),
        ("Fade check: still tall?", "Still tall?"),
        ("Fast but tall", "Fast but tall"),
        ("Supercalifragilistic", "Supercalifragili"),
    ];
    for (text, want) in cases {
        assert_eq!(watch_name(text, 16), want, "{text}");
    }
    assert_eq!(watch_name("Stack: ribs over pelvis", 24), "Stack: ribs over pelvis");
    for c in &program().cues {
        let n = watch_name(&c.watch, 16);
        println!("{:<26} -> {n}", c.watch);
        assert!(!n.is_empty() && n.chars().count() <= 16, "{}", c.watch);
        assert!(!n.ends_with([':', ',', '+', ' ']), "{n}");
    }
}
