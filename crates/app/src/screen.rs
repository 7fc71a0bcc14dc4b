//! The red-flag screen as both front ends record it: answers evaluated and stored, the safety gate asked again,
//! and a clinician's check of the flags recorded. Reading the answers (prompts, forms, files, JSON) stays with
//! each front end; the answers-file shape they share is `runtall_domain::screen::AnswersFile`.

use crate::{AppError, Result};
use jiff::Timestamp;
use runtall_domain::content::Program;
use runtall_domain::safety::Permissions;
use runtall_domain::screen::{self, ScreenAnswers, ScreeningRecord};
use runtall_store::Store;

/// Evaluates the answers, stores the screen, and returns it with what the gate now allows. An incomplete or
/// unknown answer is refused before anything is stored.
pub fn record(
    store: &dyn Store,
    program: &Program,
    answers: ScreenAnswers,
    now: Timestamp,
) -> Result<(ScreeningRecord, Permissions)> {
    let outcome = screen::evaluate(program, &answers)?;
    let mut record = ScreeningRecord { id: None, taken_at: now, answers, outcome, clinician_checked_at: None };
    record.id = Some(store.add_screening(&record)?);
    Ok((record, crate::safety::permissions(program, store)?))
}

/// Records that a clinician has checked the latest screen's flags. `None` when there is no screen yet (each
/// front end says where to take it); refused when neither the screen nor the assessment flagged anything, since
/// the gate then has nothing waiting for a clinician.
pub fn clinician_checked(store: &dyn Store, program: &Program, now: Timestamp) -> Result<Option<ScreeningRecord>> {
    let Some(mut latest) = store.latest_screening()? else { return Ok(None) };
    let id = latest.id.ok_or_else(|| AppError::State("the stored screen has no id".into()))?;
    if !crate::safety::permissions(program, store)?.awaits_clinician() {
        return Err(AppError::State(
            "your latest screen and assessment flagged nothing: there is nothing for a clinician to clear".into(),
        ));
    }
    store.mark_clinician_checked(id, now)?;
    latest.clinician_checked_at = Some(now);
    Ok(Some(latest))
}
