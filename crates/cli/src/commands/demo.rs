//! `runtall demo`: a realistic sample runner, screened and assessed, and their real plan.
//!
//! The demo goes through the same store and rules as a real runner, so what it prints is what the program does.
//! It never overwrites a real runner's data without `--force`.

use super::Ctx;
use crate::args::DemoArgs;
use crate::error::{CliError, CliResult};
use crate::render;
use jiff::{Timestamp, ToSpan};
use runtall_domain::assess::{Assessment, AssessmentRecord, parse_answers};
use runtall_domain::plan::{self, PlanRecord};
use runtall_domain::profile::{Profile, Units};
use runtall_domain::screen::{self, ScreenAnswers, ScreeningRecord, program_state};
use runtall_store::Store;

/// The sample runner's answers: the documented example file, so the README's example and the demo agree.
const SAMPLE_ASSESSMENT: &str = include_str!("../../../../examples/assessment.toml");

pub fn sample_assessment() -> CliResult<Assessment> {
    parse_answers("examples/assessment.toml", SAMPLE_ASSESSMENT).map_err(|e| CliError::Internal(anyhow::anyhow!("{e}")))
}

pub fn run(ctx: &Ctx, args: DemoArgs) -> CliResult {
    let store = ctx.store()?;
    if store.holds_real_data()? && !args.force {
        return Err(CliError::user(format!(
            "{} already holds a real runner's data; the demo will not touch it. Use another file \
             (`runtall --db /tmp/demo.db demo`) or pass --force to replace everything.",
            ctx.db_path.display()
        )));
    }
    store.delete_all()?;
    let now = Timestamp::now();
    let profile = Profile { name: "Sam (sample runner)".into(), units: Units::Km, country: None, demo: true };
    store.save_profile(&profile)?;

    let answers = ScreenAnswers::all_no(ctx.program);
    let outcome = screen::evaluate(ctx.program, &answers)?;
    let started = now.checked_sub(10.minutes()).unwrap_or(now);
    let mut screening = ScreeningRecord { id: None, taken_at: started, answers, outcome, clinician_checked_at: None };
    screening.id = Some(store.add_screening(&screening)?);

    let assessment = sample_assessment()?;
    assessment.check()?;
    let mut assessed = AssessmentRecord { id: None, taken_at: started, assessment };
    assessed.id = Some(store.add_assessment(&assessed)?);

    let state = program_state(Some(&screening));
    let built = plan::build(ctx.program, &assessed.assessment, &state)?;
    let mut record =
        PlanRecord { id: None, created_at: now, screening_id: screening.id, assessment_id: assessed.id, plan: built };
    record.id = Some(store.add_plan(&record)?);

    if ctx.json {
        return ctx.print_json(&record);
    }
    println!(
        "Sample runner loaded into {}.\nSam runs 4 times a week (42 km, long run 18 km, one speed session), sits 9 h a \
         day, wears a pack on long runs, and has neck, right upper-trapezius and between-the-shoulder-blades pain \
         (5/10). Their red-flag screen was clear. This is Sam's plan:\n",
        ctx.db_path.display()
    );
    render::plan(ctx.program, &record, &profile);
    println!(
        "\nTry next:  runtall plan --for-run long    runtall exercises foam-roller-thoracic-extension    runtall learn 1\n\
         Your own:  runtall --db my.db screen   (then assess, then plan)"
    );
    Ok(())
}
