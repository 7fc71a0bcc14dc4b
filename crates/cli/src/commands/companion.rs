//! The run companion: `guide`, `cues`, `export`, `remind`, `travel`, over `runtall-companion`.

use super::Ctx;
use crate::args::{BreatheArgs, CueSpecArgs, ExportArgs, ExportCommand, GuideArgs, RemindArgs, TravelArgs};
use crate::error::{CliError, CliResult};
use jiff::Timestamp;
use jiff::civil::Date;
use runtall_companion::cues::{CueOptions, RepSpec, RunPlan, Spec, plan_run};
use runtall_companion::export::{
    FitOptions, IcsOptions, SsmlOptions, VoiceFormat, to_ics, to_json, to_ssml, workout_fit,
};
use runtall_companion::guide::{CompletionRecord, DoseOverride, GuideInput, Target, resolve};
use runtall_companion::remind::{WorkingHours, summarize};
use runtall_companion::travel::{TravelMode, TravelOptions, plan_travel};
use runtall_content::RunType;
use runtall_domain::plan::{self, PlanError};
use runtall_domain::safety::{ExerciseVerdict, Permissions};
use runtall_store::Store;
use runtall_tui::guide::{GuideOptions, run_session_with};
use runtall_tui::remind::{
    DriverIo, DriverOptions, SystemClock, default_notifier, detect_idle_source, run_reminders, spawn_stdin_commands,
    stop_on_signals,
};

fn err(e: impl std::fmt::Display) -> CliError {
    CliError::user(e.to_string())
}

/// Guided sessions, cues and exports follow the safety gate like the plan does: nothing while not screened, locked
/// or paused; otherwise only what it allows.
pub(crate) fn require_open(ctx: &Ctx, store: &dyn Store) -> CliResult<Permissions> {
    let perm = ctx.permissions(store)?;
    match PlanError::refusal(&perm) {
        Some(refusal) => Err(refusal.into()),
        None => Ok(perm),
    }
}

/// Stores the record under the session's start as this command saw it (not the record's own, which is filled in
/// only at the end), so every checkpoint of one session overwrites the same row.
fn save_record(store: &dyn Store, session_start: Timestamp, record: &CompletionRecord) -> CliResult {
    let started = session_start;
    let json = serde_json::to_value(record).map_err(|e| CliError::Internal(e.into()))?;
    runtall_app::completion::save_session(store, started, &record.id, record.all_completed(), &json)?;
    Ok(())
}

pub fn guide(ctx: &Ctx, a: GuideArgs) -> CliResult {
    let store = ctx.store()?;
    let perm = require_open(ctx, &store)?;
    let program = ctx.program;
    let options = GuideOptions { speed: a.speed, bell: a.bell, speech: a.speak, ..GuideOptions::default() };
    let target = resolve(program, &a.id).map_err(err)?;
    // Checkpoints keep a killed session's progress; the last save wins.
    let session_start = Timestamp::now();
    let mut save_error = None;
    let mut checkpoint = |r: &CompletionRecord| {
        if let Err(e) = save_record(&store, session_start, r) {
            save_error.get_or_insert(e);
        }
    };
    let result = match target {
        Target::Routine(r) => {
            if store.latest_assessment()?.is_none() {
                return Err(CliError::user(
                    "no assessment yet: run `runtall assess` so the routine fits your conditions and equipment",
                ));
            }
            let decision = perm.routine(&r.id);
            if !decision.allowed {
                return Err(CliError::user(format!(
                    "{} is not in your program now: {}",
                    r.name,
                    decision.reason.unwrap_or_default()
                )));
            }
            let mut view = plan::routine_view(program, r, &perm);
            if a.today {
                let t = super::plan::current_today(ctx, &store, &perm, None, None)?;
                if !t.trim(&mut view) {
                    return Err(CliError::user(format!(
                        "{} is not in today's plan: see `runtall today`, or play it whole without --today",
                        r.name
                    )));
                }
            }
            run_session_with(program, &GuideInput::Routine(&view), &options, &mut checkpoint)
        }
        Target::Exercise(e) => {
            match perm.exercise(&e.id) {
                ExerciseVerdict::Allowed => {}
                ExerciseVerdict::Swapped { to, reason } => {
                    return Err(CliError::user(format!("{} is {reason}: do `runtall guide {to}` instead", e.name)));
                }
                ExerciseVerdict::LeftOut { reason } => {
                    return Err(CliError::user(format!("{} is {reason}", e.name)));
                }
            }
            let overrides = DoseOverride { sets: a.sets, reps: a.reps, minutes: a.minutes };
            run_session_with(program, &GuideInput::Exercise { id: &e.id, overrides }, &options, &mut checkpoint)
        }
    };
    let record = finish_session(&store, session_start, result, save_error)?;
    tick_day_log(&store, program, &record)?;
    print_session(ctx, &record)
}

/// Stores a finished session, or what was done of one that failed part-way, and notes a checkpoint that could not
/// be saved (guided routines and breathing sessions alike).
fn finish_session(
    store: &dyn Store,
    session_start: Timestamp,
    result: Result<CompletionRecord, runtall_tui::guide::PlayerError>,
    save_error: Option<CliError>,
) -> CliResult<CompletionRecord> {
    let record = match result {
        Ok(r) => r,
        Err(e) => {
            if let Some(partial) = e.partial_record() {
                save_record(store, session_start, partial)?;
            }
            return Err(err(e));
        }
    };
    save_record(store, session_start, &record)?;
    if let Some(e) = save_error {
        eprintln!("note: a checkpoint could not be saved ({e}); the final record was.");
    }
    Ok(record)
}

fn print_session(ctx: &Ctx, record: &CompletionRecord) -> CliResult {
    if ctx.json {
        return ctx.print_json(record);
    }
    println!("{}", record.summary());
    Ok(())
}

/// A breathing session on its own: the pattern the gate allows, for the minutes asked, played by the guide's
/// terminal player and stored like a guided session.
pub fn breathe(ctx: &Ctx, a: BreatheArgs) -> CliResult {
    use runtall_companion::breathe;
    let store = ctx.store()?;
    let perm = require_open(ctx, &store)?;
    let program = ctx.program;
    if a.list {
        let choices = breathe::patterns(program, &perm);
        if ctx.json {
            return ctx.print_json(&choices);
        }
        println!("Breathing patterns (`runtall breathe PATTERN --minutes N`):\n");
        for c in &choices {
            println!("  {:<14} {}", c.id, c.name);
            println!("                 {} · {:.1} breaths/min", c.rhythm, c.breaths_per_minute);
            if let Some(why) = &c.reason {
                let instead = c.instead.as_deref().and_then(|i| program.exercise(i)).map(|e| e.name.as_str());
                match instead {
                    Some(name) => {
                        crate::render::println_wrapped(&format!("{why}: {name} is played instead"), "                 ")
                    }
                    None => crate::render::println_wrapped(&format!("not offered: {why}"), "                 "),
                }
            }
        }
        return Ok(());
    }
    let pattern = a.pattern.as_deref().unwrap_or(breathe::DEFAULT_PATTERN);
    let plan = breathe::choose(program, &perm, pattern, a.minutes).map_err(err)?;
    let timeline = breathe::timeline(program, &plan).map_err(err)?;
    if let Some(why) = &plan.swapped {
        eprintln!("note: {why}.");
    }
    let options = GuideOptions { speed: a.speed, bell: a.bell, speech: a.speak, ..GuideOptions::default() };
    let session_start = Timestamp::now();
    let mut save_error = None;
    let mut checkpoint = |r: &CompletionRecord| {
        if let Err(e) = save_record(&store, session_start, r) {
            save_error.get_or_insert(e);
        }
    };
    let result = runtall_tui::guide::run_timeline_with(program, timeline, &options, &mut checkpoint);
    let record = finish_session(&store, session_start, result, save_error)?;
    print_session(ctx, &record)
}

/// A completed daily-mobility or rest-day-strength session ticks today's day log, as logging it by hand would;
/// the web player does the same through the same call. (Pre- and post-run routines are tied to a run;
/// `runtall log run --pre-run` records them once it is imported.)
fn tick_day_log(store: &dyn Store, program: &runtall_content::Program, record: &CompletionRecord) -> CliResult {
    let Some(kind) = program.routine(&record.id).map(|r| r.kind) else { return Ok(()) };
    if !record.all_completed() {
        return Ok(());
    }
    let today = Timestamp::now().to_zoned(jiff::tz::TimeZone::system()).date();
    runtall_app::completion::tick_day_log(store, kind, today)?;
    Ok(())
}

/// The cue plan for the options, within what the safety gate allows (the stored screen and assessment). What the
/// runner leaves out comes from the same defaults as run mode: today's planned run, else the last run, at the
/// length of the last run of that type (speed work as reps); the second value says so when they were used.
fn cue_plan(ctx: &Ctx, s: &CueSpecArgs) -> CliResult<(RunPlan, Option<String>)> {
    let asked: Option<RunType> = s.run.as_deref().map(str::parse).transpose().map_err(CliError::user)?;
    let store = ctx.store()?;
    let perm = require_open(ctx, &store)?;
    let given = match (&s.reps, s.minutes) {
        (Some(reps), None) => {
            let recovery = s.recovery.as_deref().unwrap_or("2min");
            Some(Spec::Reps(RepSpec::parse(reps, recovery, s.warmup, s.cooldown).map_err(err)?))
        }
        (None, Some(m)) => Some(Spec::Minutes(m)),
        (Some(_), Some(_)) => return Err(CliError::user("give either --minutes or --reps, not both")),
        (None, None) => None,
    };
    let (run, spec, words) = match (asked, given) {
        (Some(run), Some(spec)) => (run, spec, None),
        (Some(run), None) => {
            let d = runtall_app::run_defaults::for_run(&store, run, Timestamp::now())?;
            (run, d.spec, Some(d.words()))
        }
        (None, given) => {
            // Today's planned run (none without an assessment), then the journal's latest runs.
            let planned = super::plan::current_today(ctx, &store, &perm, None, None).ok().and_then(|t| t.run);
            let d = runtall_app::run_defaults::for_today(&store, &perm, planned, Timestamp::now())?;
            let words = if given.is_none() { d.words() } else { format!("{}.", d.run_words()) };
            (d.run, given.unwrap_or(d.spec), Some(words))
        }
    };
    let options = CueOptions { pack: s.pack, ..CueOptions::default() };
    let plan = plan_run(ctx.program, &perm, run, &spec, &options).map_err(err)?;
    Ok((plan, words))
}

pub fn cues(ctx: &Ctx, s: CueSpecArgs) -> CliResult {
    let (plan, defaults) = cue_plan(ctx, &s)?;
    if ctx.json {
        println!("{}", plan.to_json());
    } else {
        if let Some(words) = defaults {
            println!("{}\n", crate::render::wrap(&format!("{words} (Choose with --run, --minutes or --reps.)"), ""));
        }
        // Cue lines (`~ 29:50  before rep 4 Text`: the colon of the time at column 4) hang under their text at
        // column 22; notes under their dash.
        for line in plan.to_text().lines() {
            let hang = if line.starts_with("  - ") {
                Some(4)
            } else if line.get(4..5) == Some(":") {
                Some(22)
            } else {
                None
            };
            crate::render::println_fitted(line, hang);
        }
    }
    Ok(())
}

pub fn export(ctx: &Ctx, a: ExportArgs) -> CliResult {
    match a.command {
        ExportCommand::Workout { spec, out, device } => {
            let (plan, _) = cue_plan(ctx, &spec)?;
            let bytes = workout_fit(&plan, &FitOptions::default()).map_err(err)?;
            let out = match out {
                Some(out) if !device => out,
                _ => super::watch::device_new_files_dir()?
                    .join(format!("runtall-{}.fit", jiff::Zoned::now().strftime("%Y%m%d-%H%M%S"))),
            };
            std::fs::write(&out, &bytes).map_err(|e| CliError::user(format!("cannot write {}: {e}", out.display())))?;
            let next = if device {
                "Eject the watch; it picks the workout up and shows it under Training > Workouts."
            } else {
                "Copy it to the watch's GARMIN/NewFiles folder over USB (or use --device); it appears under \
                 Training > Workouts."
            };
            println!("Wrote {} ({} bytes, {} cue steps). {next}", out.display(), bytes.len(), plan.cues.len());
            Ok(())
        }
        ExportCommand::Cues { spec, format, start, out } => {
            let (plan, _) = cue_plan(ctx, &spec)?;
            let start = match start {
                Some(s) => super::log::parse_time("--start", &s)?,
                None => Timestamp::now(),
            };
            let text = match format.parse::<VoiceFormat>().map_err(err)? {
                VoiceFormat::Ics => to_ics(&plan, &IcsOptions::new(start)),
                VoiceFormat::Json => to_json(&plan, Some(start)),
                VoiceFormat::Ssml => to_ssml(&plan, &SsmlOptions::default()),
            }
            .map_err(err)?;
            match out {
                Some(path) => {
                    std::fs::write(&path, text)
                        .map_err(|e| CliError::user(format!("cannot write {}: {e}", path.display())))?;
                    eprintln!("Wrote {}.", path.display());
                }
                None => print!("{text}"),
            }
            Ok(())
        }
    }
}

pub fn remind(ctx: &Ctx, a: RemindArgs) -> CliResult {
    let store = ctx.store()?;
    if a.history {
        let since = Timestamp::now().checked_sub(jiff::SignedDuration::from_hours(24 * 14)).unwrap_or(Timestamp::MIN);
        let events = store.break_events(since, Timestamp::MAX)?;
        if ctx.json {
            return ctx.print_json(&events);
        }
        let mut days: std::collections::BTreeMap<String, (u32, u32, u32)> = Default::default();
        for e in &events {
            let day = e.at.strftime("%Y-%m-%d").to_string();
            let entry = days.entry(day).or_default();
            match e.kind.as_str() {
                "taken" | "taken-idle" => entry.0 += 1,
                "skipped" => entry.1 += 1,
                "snoozed" => entry.2 += 1,
                _ => {}
            }
        }
        if days.is_empty() {
            println!("No breaks recorded in the last two weeks: start `runtall remind` at the desk.");
        }
        for (day, (taken, skipped, snoozed)) in days {
            println!("{day}  {taken} taken, {skipped} skipped, {snoozed} snoozed");
        }
        return Ok(());
    }
    let program = ctx.program;
    let perm = ctx.permissions(&store)?;
    // The saved settings (web app › Settings › Reminders) are the starting point; each flag overrides one value.
    let settings = runtall_app::breaks::saved_settings(&store, program)?;
    let flags_given = a.walk_every.is_some() || a.shift_every.is_some() || a.hours.is_some() || a.max_skips.is_some();
    if !settings.enabled && !flags_given {
        println!(
            "Sitting-break reminders are switched off in your settings (web app › Settings › Reminders). Turn them on \
             there, or start them this once with a flag, e.g. `runtall remind --walk-every {}`.",
            settings.walk_every_min
        );
        return Ok(());
    }
    let mut config = settings.config(&program.habit_defaults);
    if let Some(m) = a.walk_every {
        config.walk_every_min = m;
    }
    if let Some(m) = a.shift_every {
        config.shift_every_min = m;
    }
    if let Some(h) = &a.hours {
        config.working_hours = if h == "any" { None } else { Some(WorkingHours::parse(h).map_err(err)?) };
    }
    if let Some(n) = a.max_skips {
        config.max_skips_per_day = n;
    }
    config.validate().map_err(err)?;
    let shift = match config.shift_every_min {
        0 => "no position-change prompts".to_string(),
        m => format!("change position every {m} min"),
    };
    let intervals = format!("walk every {} min, {shift}", config.walk_every_min);
    if !perm.reminders.allowed {
        return Err(err(runtall_companion::remind::RemindError::NotAllowed(
            perm.reminders.reason.clone().unwrap_or_default(),
        )));
    }
    let now = jiff::Zoned::now();
    // Started from today's history, from this terminal or the break page in the browser.
    let mut scheduler =
        runtall_app::breaks::start(&store, program, &perm, config, runtall_app::breaks::TERMINAL, &now)?;
    if a.dnd {
        scheduler.set_dnd(&now, true);
    }
    // Single keys in an interactive terminal (raw mode, restored when the reader is dropped); lines otherwise.
    use std::io::IsTerminal;
    let keys = if std::io::stdin().is_terminal() && std::io::stdout().is_terminal() {
        runtall_tui::remind::KeyReader::start().ok()
    } else {
        None
    };
    let line_commands = if keys.is_none() { Some(spawn_stdin_commands()) } else { None };
    let commands = match (&keys, &line_commands) {
        (Some(k), _) => &k.commands,
        (None, Some(c)) => c,
        (None, None) => return Err(CliError::Internal(anyhow::anyhow!("no command source"))),
    };
    let mut notifier = default_notifier(keys.is_some());
    let mut idle = detect_idle_source();
    let stop = stop_on_signals();
    let how = if keys.is_some() { "single keys" } else { "type a letter and Enter" };
    let intro = [
        format!("Sitting-break reminders on ({}): {intervals}.", notifier.describe()),
        format!("Keys ({how}): d done · z snooze · s skip · p pause (do not disturb) · q quit"),
        "The break page in the browser (runtall serve, then /breaks) shares these timers.".to_string(),
    ]
    .iter()
    .map(|l| crate::render::wrap(l, "") + "\n")
    .collect::<String>();
    print!("{}", if keys.is_some() { intro.replace('\n', "\r\n") } else { intro });
    let mut read_history = || runtall_app::breaks::recent_events(&store, &jiff::Zoned::now()).unwrap_or_default();
    let io = DriverIo {
        clock: &SystemClock,
        idle: idle.as_mut(),
        notifier: notifier.as_mut(),
        commands,
        stop: &stop,
        history: Some(&mut read_history),
    };
    let mut log = Vec::new();
    let mut store_error = None;
    let result = run_reminders(&mut scheduler, io, DriverOptions::default(), |e| {
        if let Err(err) = runtall_app::breaks::store_event(&store, e) {
            store_error.get_or_insert(err);
        }
        log.push(e.clone());
    });
    drop(keys);
    result.map_err(err)?;
    if let Some(e) = store_error {
        return Err(e.into());
    }
    let s = summarize(&log);
    println!("Breaks today: {} taken, {} skipped, {} snoozed.", s.taken, s.skipped, s.snoozed);
    Ok(())
}

/// A race trip, as the safety gate allows it: nothing while not screened, locked or paused (like cues), and the
/// planner itself refuses while race runs are held back.
pub fn travel(ctx: &Ctx, a: TravelArgs) -> CliResult {
    let store = ctx.store()?;
    let perm = require_open(ctx, &store)?;
    let race: Date =
        a.race.parse().map_err(|_| CliError::user(format!("--race '{}' is not a date like 2027-04-18", a.race)))?;
    let mode = match (a.drive_hours, a.flight_hours) {
        (Some(h), None) => TravelMode::Drive { hours: h },
        (None, Some(h)) => TravelMode::Flight { hours: h },
        _ => return Err(CliError::user("give --drive-hours H or --flight-hours H")),
    };
    let parse =
        |s: &String| s.parse::<Date>().map_err(|_| CliError::user(format!("'{s}' is not a date like 2027-04-11")));
    let long_runs: Vec<Date> = a.long_run.iter().map(parse).collect::<CliResult<_>>()?;
    let today = jiff::Zoned::now().date();
    let mut options = TravelOptions::new(today);
    options.depart = a.depart.as_ref().map(parse).transpose()?;
    options.return_on = a.return_on.as_ref().map(parse).transpose()?;
    let plan = plan_travel(ctx.program, &perm, race, mode, &long_runs, &options).map_err(err)?;
    if ctx.json {
        return ctx.print_json(&plan);
    }
    print!("{}", plan.to_text());
    Ok(())
}
