//! A hand-test harness for the companion library, standing in for the `runtall` CLI wiring:
//!
//! ```sh
//! cargo run -p runtall-companion --example companion -- guide pre-run-standard --speed 10 --bell
//! cargo run -p runtall-companion --example companion -- guide chin-tuck --reps 5
//! cargo run -p runtall-companion --example companion -- cues long 90 [--pack]
//! cargo run -p runtall-companion --example companion -- reps 6x800m 2min
//! cargo run -p runtall-companion --example companion -- fit long 90 run.fit
//! cargo run -p runtall-companion --example companion -- voice ics|json|ssml long 90
//! cargo run -p runtall-companion --example companion -- travel 2026-06-14 drive 4.5
//! cargo run -p runtall-companion --example companion -- remind
//! ```
//!
//! Routines are shown as the demo runner (`examples/assessment.toml`) does them.

use runtall_companion::cues::{CueOptions, RepSpec, Spec, plan_run};
use runtall_companion::export::{
    FitOptions, IcsOptions, SsmlOptions, VoiceFormat, to_ics, to_json, to_ssml, workout_fit,
};
use runtall_companion::guide::{DoseOverride, GuideInput, GuideOptions, Target, resolve, run_session_with};
use runtall_companion::remind::driver::{
    DriverIo, DriverOptions, SystemClock, default_notifier, detect_idle_source, run_reminders, spawn_stdin_commands,
    stop_on_signals,
};
use runtall_companion::remind::{ReminderConfig, Scheduler};
use runtall_companion::travel::{TravelMode, TravelOptions, plan_travel};
use runtall_content::RunType;
use runtall_domain::plan::routine_view;
use runtall_domain::safety::{Permissions, SafetyInputs, gate};

fn main() {
    if let Err(e) = run() {
        eprintln!("error: {e}");
        std::process::exit(1);
    }
}

fn flag(args: &[String], name: &str) -> Option<String> {
    args.iter().position(|a| a == name).and_then(|i| args.get(i + 1).cloned())
}

/// The example runner's permissions with a clear red-flag screen: this demo has no database, so it stands in for
/// a runner who has screened clear (the real commands ask the stored screen).
fn demo_permissions() -> Result<Permissions, Box<dyn std::error::Error>> {
    let program = runtall_content::program();
    let text = include_str!("../../../examples/assessment.toml");
    let a = runtall_domain::assess::parse_answers("assessment.toml", text)?;
    let answers = runtall_domain::screen::ScreenAnswers::all_no(program);
    let outcome = runtall_domain::screen::evaluate(program, &answers)?;
    let s = runtall_domain::screen::ScreeningRecord {
        id: None,
        taken_at: jiff::Timestamp::now(),
        answers,
        outcome,
        clinician_checked_at: None,
    };
    Ok(gate(program, &SafetyInputs { screening: Some(&s), assessment: Some(&a) }))
}

fn run() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let program = runtall_content::program();
    let arg = |i: usize| args.get(i).map(String::as_str).unwrap_or("");
    match arg(0) {
        "guide" => {
            let opts = GuideOptions {
                speed: flag(&args, "--speed").map(|s| s.parse()).transpose()?.unwrap_or(1.0),
                bell: args.iter().any(|a| a == "--bell"),
                speech: args.iter().any(|a| a == "--speak"),
                ..GuideOptions::default()
            };
            let record_path = flag(&args, "--record");
            let save = |r: &runtall_companion::CompletionRecord| {
                if let Some(p) = &record_path {
                    let _ = std::fs::write(p, serde_json::to_string_pretty(r).unwrap_or_default());
                }
            };
            let record = match resolve(program, arg(1))? {
                Target::Routine(r) => {
                    let view = routine_view(program, r, &demo_permissions()?);
                    run_session_with(program, &GuideInput::Routine(&view), &opts, save)
                }
                Target::Exercise(e) => {
                    let overrides = DoseOverride {
                        sets: flag(&args, "--sets").map(|s| s.parse()).transpose()?,
                        reps: flag(&args, "--reps").map(|s| s.parse()).transpose()?,
                        minutes: flag(&args, "--minutes").map(|s| s.parse()).transpose()?,
                    };
                    run_session_with(program, &GuideInput::Exercise { id: &e.id, overrides }, &opts, save)
                }
            };
            let record = match record {
                Ok(r) => r,
                Err(e) => {
                    if let Some(partial) = e.partial_record() {
                        save(partial);
                    }
                    return Err(e.into());
                }
            };
            save(&record);
            println!("{}", record.summary());
        }
        "cues" | "fit" | "voice" | "reps" => {
            let (run, spec, rest) = match arg(0) {
                "voice" => (arg(2).parse::<RunType>()?, Spec::Minutes(arg(3).parse()?), 4),
                "reps" => (RunType::Speed, Spec::Reps(RepSpec::parse(arg(1), arg(2), 15, 10)?), 3),
                _ => (arg(1).parse::<RunType>()?, Spec::Minutes(arg(2).parse()?), 3),
            };
            let options = CueOptions { pack: args.iter().any(|a| a == "--pack"), ..CueOptions::default() };
            let plan = plan_run(program, &demo_permissions()?, run, &spec, &options)?;
            match arg(0) {
                "fit" => {
                    let bytes = workout_fit(&plan, &FitOptions::default())?;
                    let path = args.get(rest).cloned().unwrap_or_else(|| "run.fit".into());
                    std::fs::write(&path, &bytes)?;
                    println!("wrote {path} ({} bytes); copy it to GARMIN/NewFiles on the watch", bytes.len());
                }
                "voice" => {
                    let start = jiff::Timestamp::now();
                    let out = match arg(1).parse::<VoiceFormat>()? {
                        VoiceFormat::Ics => to_ics(&plan, &IcsOptions::new(start))?,
                        VoiceFormat::Json => to_json(&plan, Some(start))?,
                        VoiceFormat::Ssml => to_ssml(&plan, &SsmlOptions::default())?,
                    };
                    print!("{out}");
                }
                _ => print!("{}", plan.to_text()),
            }
        }
        "travel" => {
            let race: jiff::civil::Date = arg(1).parse()?;
            let hours: f32 = arg(3).parse()?;
            let mode = if arg(2) == "fly" { TravelMode::Flight { hours } } else { TravelMode::Drive { hours } };
            let today = jiff::Zoned::now().date();
            let plan = plan_travel(program, race, mode, &[], &TravelOptions::new(today))?;
            print!("{}", plan.to_text());
        }
        "remind" => {
            let mut scheduler =
                Scheduler::new(program, ReminderConfig::from_defaults(&program.habit_defaults), &demo_permissions()?)?;
            let mut notifier = default_notifier(false);
            let mut idle = detect_idle_source();
            let commands = spawn_stdin_commands();
            let stop = stop_on_signals();
            println!("Reminders on ({}). d done · z snooze · s skip · p pause · q quit", notifier.describe());
            let io = DriverIo {
                clock: &SystemClock,
                idle: idle.as_mut(),
                notifier: notifier.as_mut(),
                commands: &commands,
                stop: &stop,
                history: None,
            };
            let mut log = Vec::new();
            run_reminders(&mut scheduler, io, DriverOptions::default(), |e| log.push(e.clone()))?;
            let s = runtall_companion::remind::summarize(&log);
            println!("breaks: {} taken, {} skipped, {} snoozed", s.taken, s.skipped, s.snoozed);
        }
        _ => {
            eprintln!(
                "usage: companion guide ID [--speed N] | cues RUN MIN | reps 6x800m 2min | fit RUN MIN FILE | voice FMT RUN MIN | travel DATE drive|fly H | remind"
            );
            std::process::exit(2);
        }
    }
    Ok(())
}
