//! The runner's current plan, by one storage rule both front ends follow: a plan is stored when its inputs
//! changed (a new screen or assessment, a clinician's check, or rules and content that now build a different
//! plan), and the stored one is shown otherwise. Viewing the plan never adds to its history, so the history lists
//! real changes and the progress section compares each plan with the one before it.
//!
//! [`PlanCache`] keeps the current plan for a long-running front end (the web app): while the journal revision
//! and the inputs are unchanged it returns the kept plan without building it again or decoding the stored one
//! (about 30 KB of JSON on every Today view otherwise).

use crate::Result;
use jiff::Timestamp;
use runtall_domain::assess::AssessmentRecord;
use runtall_domain::plan::{Plan, PlanRecord};
use runtall_domain::safety::Permissions;
use runtall_domain::screen::ScreeningRecord;
use runtall_store::Store;
use std::hash::{Hash, Hasher};
use std::sync::{Arc, Mutex, MutexGuard};

/// What a plan is built from: the stored screen (and whether a clinician has checked it), the assessment, and a
/// clinician's changes as the gate let them through.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PlanInputs {
    pub screening_id: Option<i64>,
    pub checked_at: Option<Timestamp>,
    pub assessment_id: Option<i64>,
    /// A fingerprint of [`Permissions::clinician`]: a new change moves the journal revision, but a dose's weekly
    /// progression moves with the calendar alone, and the kept plan must not outlive it.
    pub clinician: u64,
}

impl PlanInputs {
    pub fn of(
        screening: Option<&ScreeningRecord>,
        assessment: &AssessmentRecord,
        permissions: &Permissions,
    ) -> PlanInputs {
        let mut hasher = std::collections::hash_map::DefaultHasher::new();
        serde_json::to_string(&permissions.clinician).unwrap_or_default().hash(&mut hasher);
        PlanInputs {
            screening_id: screening.and_then(|s| s.id),
            checked_at: screening.and_then(|s| s.clinician_checked_at),
            assessment_id: assessment.id,
            clinician: hasher.finish(),
        }
    }
}

/// The storage rule: the latest stored plan when it was built from the same screen and assessment and equals
/// `built`; otherwise `built`, stored now.
pub fn keep_current(store: &dyn Store, inputs: PlanInputs, built: Plan, now: Timestamp) -> Result<PlanRecord> {
    if let Some(latest) = store.latest_plan()?
        && latest.screening_id == inputs.screening_id
        && latest.assessment_id == inputs.assessment_id
        && latest.plan == built
    {
        return Ok(latest);
    }
    let mut record = PlanRecord {
        id: None,
        created_at: now,
        screening_id: inputs.screening_id,
        assessment_id: inputs.assessment_id,
        plan: built,
    };
    record.id = Some(store.add_plan(&record)?);
    Ok(record)
}

/// The current plan kept per journal revision and inputs (see the module documentation).
#[derive(Default)]
pub struct PlanCache {
    kept: Mutex<Option<Kept>>,
}

struct Kept {
    revision: u64,
    inputs: PlanInputs,
    record: Arc<PlanRecord>,
}

/// A poisoned lock only means a request panicked while holding it; the value inside is whole.
fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl PlanCache {
    /// The current plan for `inputs`: the kept one while nothing was written since it was kept, else `build`
    /// followed by [`keep_current`]. `build` returns the front end's own error (the plan engine's refusals), which
    /// must also take the store's.
    pub fn current<E: From<crate::AppError>>(
        &self,
        store: &dyn Store,
        inputs: PlanInputs,
        build: impl FnOnce() -> std::result::Result<Plan, E>,
        now: Timestamp,
    ) -> std::result::Result<Arc<PlanRecord>, E> {
        let revision = store.journal_revision().map_err(crate::AppError::from)?;
        if let Some(k) = lock(&self.kept).as_ref()
            && k.revision == revision
            && k.inputs == inputs
        {
            return Ok(k.record.clone());
        }
        let record = Arc::new(keep_current(store, inputs, build()?, now)?);
        // Keyed by the revision after any write of ours; the inputs in the key keep a plan built from an older
        // read from being served for newer ones.
        let revision = store.journal_revision().map_err(crate::AppError::from)?;
        *lock(&self.kept) = Some(Kept { revision, inputs, record: record.clone() });
        Ok(record)
    }
}
