//! `runtall screen`: the red-flag screen, from prompts or an answers file.

use super::{Ctx, read_input};
use crate::args::ScreenArgs;
use crate::error::{CliError, CliResult};
use crate::{prompt, render};
use jiff::Timestamp;
use runtall_domain::InputError;
use runtall_domain::assess::parse_answers;
use runtall_domain::safety::Permissions;
use runtall_domain::screen::{self, ScreenAnswers, ScreeningRecord, program_state};
use runtall_store::Store;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The answers file: either every id in `[answers]`, or `yes = [...]` with `others = "no"` said explicitly.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ScreenFile {
    #[serde(default)]
    answers: Option<BTreeMap<String, bool>>,
    #[serde(default)]
    yes: Option<Vec<String>>,
    #[serde(default)]
    others: Option<String>,
}

fn answers_from_file(ctx: &Ctx, name: &str, text: &str) -> Result<ScreenAnswers, InputError> {
    let file: ScreenFile = parse_answers(name, text)?;
    match (file.answers, file.yes, file.others) {
        (Some(map), None, None) => Ok(ScreenAnswers(map)),
        (None, Some(yes), Some(others)) if others == "no" => {
            let mut answers = ScreenAnswers::all_no(ctx.program);
            for id in yes {
                if ctx.program.red_flag(&id).is_none() {
                    return Err(InputError::new(format!("{name}: yes"), format!("'{id}' is not a screening question")));
                }
                answers.0.insert(id, true);
            }
            Ok(answers)
        }
        (None, Some(_), _) => Err(InputError::new(
            format!("{name}: others"),
            "with `yes = [...]`, write `others = \"no\"` to answer every other question no",
        )),
        _ => Err(InputError::new(name, "give either an [answers] table or `yes = [...]` with `others = \"no\"`")),
    }
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
        let latest = store.latest_screening()?.ok_or_else(|| CliError::user("no screen yet: run `runtall screen`"))?;
        let Some(id) = latest.id else {
            return Err(CliError::Internal(anyhow::anyhow!("stored screen without id")));
        };
        if !ctx.permissions(&store)?.awaits_clinician() {
            return Err(CliError::user(
                "your latest screen and assessment flagged nothing: there is nothing for a clinician to clear",
            ));
        }
        store.mark_clinician_checked(id, Timestamp::now())?;
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
    let outcome = screen::evaluate(ctx.program, &answers)?;
    let mut record =
        ScreeningRecord { id: None, taken_at: Timestamp::now(), answers, outcome, clinician_checked_at: None };
    record.id = Some(store.add_screening(&record)?);
    let state = program_state(Some(&record));
    let perm = ctx.permissions(&store)?;
    if ctx.json {
        return ctx.print_json(&ScreenReport {
            record: &record,
            state: &state,
            safety: &perm,
            emergency_number: profile.emergency_number(),
        });
    }
    render::screen_outcome(ctx.program, &perm, &profile);
    Ok(())
}
