//! `runtall assess`: the assessment, from prompts or an answers file.

use super::{Ctx, read_input};
use crate::args::AssessArgs;
use crate::error::{CliError, CliResult};
use crate::{prompt, render};
use jiff::Timestamp;
use runtall_domain::assess::{Assessment, Routing, parse_answers};
use runtall_store::Store;

pub fn run(ctx: &Ctx, args: AssessArgs) -> CliResult {
    let store = ctx.store()?;
    if args.history {
        let all = store.assessments()?;
        if ctx.json {
            return ctx.print_json(&all);
        }
        render::assessment_history(&all);
        return Ok(());
    }
    if args.rescore || args.psfs.is_some() {
        drop(store);
        return super::rescore::run(ctx, args.psfs.as_deref());
    }
    let profile = ctx.profile_or_default(&store)?;
    let assessment: Assessment = match &args.answers {
        Some(path) => {
            let text = read_input(path)?;
            parse_answers(&path.display().to_string(), &text)?
        }
        None => prompt::assessment(profile.units)?,
    };
    let routing = assessment.check().map_err(|e| match &args.answers {
        Some(path) => CliError::user(format!("{}: {e}", path.display())),
        None => CliError::from(e),
    })?;
    if routing == Routing::ScreenFirst {
        return Err(CliError::user(
            "you marked chest pain: that goes to the red-flag screen first, and no plan is made from this \
             assessment. Run `runtall screen` now; if you have chest pain right now, call your emergency number.",
        ));
    }
    let record = runtall_app::assessment::record(&store, assessment, Timestamp::now())?;
    if ctx.json {
        return ctx.print_json(&record);
    }
    // The plan needs the safety check too: say the next step that works.
    let screened = store.latest_screening()?.is_some();
    render::assessment_saved(&record, screened);
    Ok(())
}
