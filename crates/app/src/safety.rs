//! The safety gate over the stored journal: the latest screen and assessment in, [`Permissions`] out, with a
//! clinician's program changes applied inside what the gate allows (`runtall_domain::safety::clinician`). Both
//! front ends ask here (or pass the records they already hold to [`with_records`]) so the CLI and the web app
//! never decide differently.

use crate::Result;
use jiff::Timestamp;
use runtall_domain::assess::AssessmentRecord;
use runtall_domain::content::Program;
use runtall_domain::safety::clinician::within_gate;
use runtall_domain::safety::{Permissions, SafetyInputs, gate};
use runtall_domain::screen::ScreeningRecord;
use runtall_store::Store;

/// What the runner may do now, from the stored screen, assessment and program changes (doses grow with the
/// clock's weeks).
pub fn permissions(program: &Program, store: &dyn Store) -> Result<Permissions> {
    permissions_at(program, store, Timestamp::now())
}

/// [`permissions`] as of `now`.
pub fn permissions_at(program: &Program, store: &dyn Store, now: Timestamp) -> Result<Permissions> {
    let screening = store.latest_screening()?;
    let assessment = store.latest_assessment()?;
    with_records(program, store, screening.as_ref(), assessment.as_ref(), now)
}

/// The permissions for a screen and assessment the caller already holds (a page's snapshot, a new assessment not
/// stored yet), with the stored program changes applied as of `now`.
pub fn with_records(
    program: &Program,
    store: &dyn Store,
    screening: Option<&ScreeningRecord>,
    assessment: Option<&AssessmentRecord>,
    now: Timestamp,
) -> Result<Permissions> {
    let gated = gate(program, &SafetyInputs { screening, assessment: assessment.map(|a| &a.assessment) });
    Ok(within_gate(program, gated, &store.program_changes()?, now))
}
