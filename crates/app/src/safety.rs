//! The safety gate over the stored journal: the latest screen and assessment in, [`Permissions`] out. Both front
//! ends ask here (or pass the same two records to [`gate`]) so the CLI and the web app never decide differently.

use crate::Result;
use runtall_domain::content::Program;
use runtall_domain::safety::{Permissions, SafetyInputs, gate};
use runtall_store::Store;

/// What the runner may do now, from the stored screen and assessment.
pub fn permissions(program: &Program, store: &dyn Store) -> Result<Permissions> {
    let screening = store.latest_screening()?;
    let assessment = store.latest_assessment()?;
    Ok(gate(
        program,
        &SafetyInputs { screening: screening.as_ref(), assessment: assessment.as_ref().map(|a| &a.assessment) },
    ))
}
