//! A new assessment, as both front ends store it: on its own (`runtall assess`), or with the plan it gives under
//! the latest screen (the web app's form and API), by the one plan-storage rule of [`crate::plan`].

use crate::plan::{PlanInputs, keep_current};
use crate::{AppError, Result};
use jiff::Timestamp;
use runtall_domain::assess::{Assessment, AssessmentRecord};
use runtall_domain::content::Program;
use runtall_domain::plan::{self, PlanError, PlanRecord};
use runtall_domain::safety::clinician::within_gate;
use runtall_domain::safety::{SafetyInputs, gate};
use runtall_store::Store;

/// Stores the assessment. Its routing (chest pain goes to the screen first) is the front end's to check before.
pub fn record(store: &dyn Store, assessment: Assessment, now: Timestamp) -> Result<AssessmentRecord> {
    let mut record = AssessmentRecord { id: None, taken_at: now, assessment };
    record.id = Some(store.add_assessment(&record)?);
    Ok(record)
}

/// Stores the assessment and the plan it gives under the latest screen. The plan is built first, so when the gate
/// makes no plan (not screened, locked, paused) nothing is stored and the engine's refusal is returned.
pub fn record_with_plan<E: From<AppError> + From<PlanError>>(
    store: &dyn Store,
    program: &Program,
    assessment: Assessment,
    now: Timestamp,
) -> std::result::Result<(AssessmentRecord, PlanRecord), E> {
    let latest = store.latest_screening().map_err(AppError::from)?;
    let gated = gate(program, &SafetyInputs { screening: latest.as_ref(), assessment: Some(&assessment) });
    let permissions = within_gate(program, gated, &store.program_changes().map_err(AppError::from)?, now);
    let built = plan::build(program, &assessment, &permissions)?;
    let record = record(store, assessment, now)?;
    let plan = keep_current(store, PlanInputs::of(latest.as_ref(), &record, &permissions), built, now)?;
    Ok((record, plan))
}
