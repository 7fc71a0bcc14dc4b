//! `runtall plan`: build and show the personal plan, stored when its inputs changed (`runtall_app::plan`); `--for-run` shows one run day.

use super::Ctx;
use crate::args::PlanArgs;
use crate::error::{CliError, CliResult};
use crate::{prompt, render};
use jiff::Timestamp;
use runtall_app::plan::PlanInputs;
use runtall_content::RunType;
use runtall_domain::plan::{self, PlanError};
use runtall_domain::safety::Mode;
use runtall_domain::screen::{ScreeningRecord, is_stale};
use runtall_store::Store;
use std::io::IsTerminal;

pub fn run(ctx: &Ctx, args: PlanArgs) -> CliResult {
    let store = ctx.store()?;
    if args.history {
        let plans = store.plans()?;
        if ctx.json {
            return ctx.print_json(&plans);
        }
        render::plan_history(&plans);
        return Ok(());
    }
    let profile = ctx.profile_or_default(&store)?;
    let mut latest = store.latest_screening()?;
    let mut perm = ctx.permissions(&store)?;
    match perm.mode {
        Mode::Locked | Mode::Paused if !ctx.json => render::screen_outcome(ctx.program, &perm, &profile, true),
        Mode::Reduced | Mode::NoRunning if !ctx.json && perm.awaits_clinician() && std::io::stdin().is_terminal() => {
            // Ask again at each plan whether a clinician has checked.
            if prompt::clinician_checked(&perm.open_flags, &perm.holds)?
                && let Some(checked) = runtall_app::screen::clinician_checked(&store, ctx.program, Timestamp::now())?
            {
                latest = Some(checked);
                perm = ctx.permissions(&store)?;
            }
        }
        _ => {}
    }
    // Refuse before asking for an assessment the runner may not have made yet.
    if let Some(refusal) = plan::PlanError::refusal(&perm) {
        return Err(refusal.into());
    }
    let assessment = store
        .latest_assessment()?
        .ok_or_else(|| CliError::user("no assessment yet: run `runtall assess` (or `runtall demo` for a sample)"))?;
    let stale = latest.as_ref().is_some_and(|s: &ScreeningRecord| is_stale(s.taken_at, Timestamp::now()));

    if let Some(run) = &args.for_run {
        let run: RunType = run.parse().map_err(CliError::user)?;
        let day = match plan::for_run(ctx.program, &assessment.assessment, &perm, run) {
            Ok(day) => day,
            Err(e @ plan::PlanError::RunNotAllowed { .. }) if !ctx.json => {
                return Err(CliError::user(format!("{e}\n{}", perm.headline)));
            }
            Err(e) => return Err(e.into()),
        };
        if ctx.json {
            return ctx.print_json(&day);
        }
        render::run_day(ctx.program, &day);
        render::clinician_note(&perm.clinician);
        if let Some(line) = super::insights::experiment_line(&store)? {
            println!();
            render::println_fitted(&line, None);
        }
        return Ok(());
    }

    let record = keep_current(ctx, &store, &perm, latest.as_ref(), &assessment)?;
    if ctx.json {
        return ctx.print_json(&record);
    }
    render_with_today(ctx, &store, &perm, &record, &profile)?;
    if stale {
        println!("\nYour last red-flag screen is more than 4 weeks old: run `runtall screen` again.");
    }
    Ok(())
}

/// The plan for these inputs, stored only when its inputs changed, as the web app does: viewing the plan adds
/// nothing to its history.
pub(crate) fn keep_current(
    ctx: &Ctx,
    store: &dyn Store,
    perm: &runtall_domain::safety::Permissions,
    screening: Option<&ScreeningRecord>,
    assessment: &runtall_domain::assess::AssessmentRecord,
) -> CliResult<runtall_domain::plan::PlanRecord> {
    let built = plan::build(ctx.program, &assessment.assessment, perm)?;
    let inputs = PlanInputs::of(screening, assessment, perm);
    Ok(runtall_app::plan::keep_current(store, inputs, built, Timestamp::now())?)
}

/// The plan as `runtall plan` prints it: today's few things at the top, then the whole plan.
pub(crate) fn render_with_today(
    ctx: &Ctx,
    store: &dyn Store,
    perm: &runtall_domain::safety::Permissions,
    record: &runtall_domain::plan::PlanRecord,
    profile: &runtall_domain::profile::Profile,
) -> CliResult {
    let day = this_weekday();
    let run = record.plan.week.iter().find(|d| d.day == day).and_then(|d| d.run);
    let progress = runtall_app::doses::progress(store, ctx.program, Timestamp::now())?;
    let today = plan::today(ctx.program, &record.plan, perm, day, run, profile.budget(), &progress);
    render::plan(ctx.program, record, profile, Some(&today), &perm.allowed_runs());
    Ok(())
}

/// `runtall today`: the day's few things in order within the runner's daily minutes (`plan::today`), from the
/// current plan, stored by the same rule as `runtall plan`.
pub fn today(ctx: &Ctx, args: crate::args::TodayArgs) -> CliResult {
    let store = ctx.store()?;
    let profile = ctx.profile_or_default(&store)?;
    let perm = ctx.permissions(&store)?;
    if PlanError::refusal(&perm).is_some() && !ctx.json {
        render::screen_outcome(ctx.program, &perm, &profile, true);
    }
    let day = match args.day.as_deref() {
        Some(d) => Some(weekday(d).ok_or_else(|| CliError::user(format!("--day '{d}' is not mon … sun")))?),
        None => None,
    };
    let run = match args.run.as_deref() {
        None => None,
        Some("none") => Some(None),
        Some(r) => {
            let run: RunType = r.parse().map_err(CliError::user)?;
            let decision = perm.run(run);
            if !decision.allowed {
                return Err(CliError::user(format!(
                    "{r} runs are not in your program now: {}",
                    decision.reason.clone().unwrap_or_default()
                )));
            }
            Some(Some(run))
        }
    };
    let t = current_today(ctx, &store, &perm, day, run)?;
    if ctx.json {
        return ctx.print_json(&t);
    }
    render::today(ctx.program, &t, perm.mode);
    Ok(())
}

/// Today from the current plan (stored by the same rule as `runtall plan`) and the runner's daily minutes: `day`
/// defaults to this machine's weekday, `run` to the week's run that day (`Some(None)`: no run).
pub(crate) fn current_today(
    ctx: &Ctx,
    store: &dyn Store,
    perm: &runtall_domain::safety::Permissions,
    day: Option<plan::Weekday>,
    run: Option<Option<RunType>>,
) -> CliResult<plan::Today> {
    if let Some(refusal) = PlanError::refusal(perm) {
        return Err(refusal.into());
    }
    let profile = ctx.profile_or_default(store)?;
    let assessment = store
        .latest_assessment()?
        .ok_or_else(|| CliError::user("no assessment yet: run `runtall assess` (or `runtall demo` for a sample)"))?;
    let latest = store.latest_screening()?;
    let built = plan::build(ctx.program, &assessment.assessment, perm)?;
    let inputs = PlanInputs::of(latest.as_ref(), &assessment, perm);
    let record = runtall_app::plan::keep_current(store, inputs, built, Timestamp::now())?;
    let day = day.unwrap_or_else(this_weekday);
    let run = run.unwrap_or_else(|| record.plan.week.iter().find(|d| d.day == day).and_then(|d| d.run));
    let progress = runtall_app::doses::progress(store, ctx.program, Timestamp::now())?;
    Ok(plan::today(ctx.program, &record.plan, perm, day, run, profile.budget(), &progress))
}

fn weekday(text: &str) -> Option<plan::Weekday> {
    plan::Weekday::ALL.into_iter().find(|d| d.name().eq_ignore_ascii_case(text))
}

/// Today's weekday on this machine's clock.
fn this_weekday() -> plan::Weekday {
    let now = Timestamp::now().to_zoned(jiff::tz::TimeZone::system());
    plan::Weekday::ALL[now.weekday().to_monday_zero_offset() as usize]
}
