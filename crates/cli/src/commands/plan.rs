//! `runtall plan`: build, save and show the personal plan; `--for-run` shows one run day.

use super::Ctx;
use crate::args::PlanArgs;
use crate::error::{CliError, CliResult};
use crate::{prompt, render};
use jiff::Timestamp;
use runtall_content::RunType;
use runtall_domain::plan::{self, PlanRecord};
use runtall_domain::screen::{ProgramState, ScreeningRecord, is_stale, program_state};
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
    let mut state = program_state(latest.as_ref());
    match &state {
        ProgramState::Locked { .. } | ProgramState::Paused { .. } if !ctx.json => {
            render::screen_outcome(ctx.program, &state, &profile);
        }
        ProgramState::Reduced { flags } if !ctx.json && std::io::stdin().is_terminal() => {
            // Level C: ask again at each plan whether a clinician has checked.
            if prompt::clinician_checked(flags)?
                && let Some(record) = latest.as_ref()
                && let Some(id) = record.id
            {
                store.mark_clinician_checked(id, Timestamp::now())?;
                latest = store.latest_screening()?;
                state = program_state(latest.as_ref());
            }
        }
        _ => {}
    }
    // Refuse before asking for an assessment the runner may not have made yet.
    match &state {
        ProgramState::NotScreened => return Err(plan::PlanError::NotScreened.into()),
        ProgramState::Locked { flags } => return Err(plan::PlanError::Locked(flags.clone()).into()),
        ProgramState::Paused { flags } => return Err(plan::PlanError::Paused(flags.clone()).into()),
        ProgramState::Reduced { .. } | ProgramState::Open => {}
    }
    let assessment = store
        .latest_assessment()?
        .ok_or_else(|| CliError::user("no assessment yet: run `runtall assess` (or `runtall demo` for a sample)"))?;
    let stale = latest.as_ref().is_some_and(|s: &ScreeningRecord| is_stale(s.taken_at, Timestamp::now()));

    if let Some(run) = &args.for_run {
        let run: RunType = run.parse().map_err(CliError::user)?;
        let day = plan::for_run(ctx.program, &assessment.assessment, &state, run)?;
        if ctx.json {
            return ctx.print_json(&day);
        }
        render::run_day(ctx.program, &day);
        if let Some(line) = super::insights::experiment_line(&store)? {
            println!("\n{line}");
        }
        return Ok(());
    }

    let built = plan::build(ctx.program, &assessment.assessment, &state)?;
    let mut record = PlanRecord {
        id: None,
        created_at: Timestamp::now(),
        screening_id: latest.as_ref().and_then(|s| s.id),
        assessment_id: assessment.id,
        plan: built,
    };
    record.id = Some(store.add_plan(&record)?);
    if ctx.json {
        return ctx.print_json(&record);
    }
    render::plan(ctx.program, &record, &profile);
    if stale {
        println!("\nYour last red-flag screen is more than 4 weeks old: run `runtall screen` again.");
    }
    Ok(())
}
