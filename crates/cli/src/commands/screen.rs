//! `runtall screen`: the red-flag screen, from prompts or an answers file.

use super::{Ctx, read_input};
use crate::args::ScreenArgs;
use crate::error::{CliError, CliResult};
use crate::{prompt, render};
use jiff::Timestamp;
use runtall_domain::InputError;
use runtall_domain::assess::parse_answers;
use runtall_domain::safety::Permissions;
use runtall_domain::screen::{self, AnswersFile, ScreenAnswers, ScreeningRecord, program_state};
use runtall_store::Store;
use serde::Serialize;

/// The answers file (`runtall_domain::screen::AnswersFile`), with errors named by the file and field.
fn answers_from_file(ctx: &Ctx, name: &str, text: &str) -> Result<ScreenAnswers, InputError> {
    let file: AnswersFile = parse_answers(name, text)?;
    file.into_answers(ctx.program).map_err(|e| {
        let field = if e.field.is_empty() { name.to_string() } else { format!("{name}: {}", e.field) };
        InputError::new(field, e.message)
    })
}

#[derive(Serialize)]
struct ScreenReport<'a> {
    record: &'a ScreeningRecord,
    state: &'a screen::ProgramState,
    safety: &'a Permissions,
    emergency_number: String,
}

pub fn run(ctx: &Ctx, args: ScreenArgs) -> CliResult {
    if args.list {
        if ctx.json {
            return ctx.print_json(&ctx.program.red_flags);
        }
        render::flag_list(ctx.program);
        return Ok(());
    }
    let store = ctx.store()?;
    let profile = ctx.profile_or_default(&store)?;
    if args.history {
        let all = store.screenings()?;
        if ctx.json {
            return ctx.print_json(&all);
        }
        render::screen_history(&all);
        return Ok(());
    }
    if args.clinician_checked {
        let latest = runtall_app::screen::clinician_checked(&store, ctx.program, Timestamp::now())?
            .ok_or_else(|| CliError::user("no screen yet: run `runtall screen`"))?;
        println!(
            "Recorded: a clinician has checked the flags of your screen from {}. The full program is open again.\n\
             If anything changes or new symptoms appear, run `runtall screen` again.",
            latest.taken_at.strftime("%Y-%m-%d")
        );
        return Ok(());
    }
    let answers = match &args.answers {
        Some(path) => {
            let text = read_input(path)?;
            answers_from_file(ctx, &path.display().to_string(), &text)?
        }
        None => prompt::screen(ctx.program)?,
    };
    let (record, perm) = runtall_app::screen::record(&store, ctx.program, answers, Timestamp::now())?;
    let state = program_state(Some(&record));
    if ctx.json {
        return ctx.print_json(&ScreenReport {
            record: &record,
            state: &state,
            safety: &perm,
            emergency_number: profile.emergency_number(),
        });
    }
    let assessed = store.latest_assessment()?.is_some();
    render::screen_outcome(ctx.program, &perm, &profile, assessed);
    Ok(())
}
