//! The runner's own journal entries as both front ends record them: pain reports (checked, and linked to a run by
//! the domain's rule), day logs, run contexts, and deleting a mistaken entry or run. Parsing the form, flags or
//! JSON stays with each front end; what is checked and stored, and in which order, lives here once.

use crate::{AppError, Result};
use jiff::Timestamp;
use jiff::civil::Date;
use runtall_domain::InputError;
use runtall_domain::journal::{DayLog, PainReport, RunContext};
use runtall_store::{Store, StoreError};

/// Stores a pain report and returns it with its id. A run named by the runner must exist (an [`InputError`] on
/// the field `run` otherwise); with no run named, a report about a run is linked to the nearest one by
/// [`crate::run_link::nearest_run`]. The domain's check refuses chest pain (it goes to the red-flag screen) and
/// out-of-range values before anything is stored.
pub fn log_pain(store: &dyn Store, mut report: PainReport, now: Timestamp) -> Result<PainReport> {
    match report.run_id {
        Some(id) if store.activity(id)?.is_none() => {
            return Err(InputError::new("run", format!("no run with id {id}")).into());
        }
        Some(_) => {}
        None if report.timing.is_about_a_run() => {
            report.run_id = crate::run_link::nearest_run(store, report.at, report.timing)?;
        }
        None => {}
    }
    report.check(now)?;
    report.id = Some(store.add_pain_report(&report)?);
    Ok(report)
}

/// Deletes one pain report; `false` when there is none with this id (for this athlete).
pub fn delete_pain_report(store: &dyn Store, id: i64) -> Result<bool> {
    Ok(store.delete_pain_report(id)?)
}

/// The day's log as stored, if any.
pub fn day(store: &dyn Store, date: Date) -> Result<Option<DayLog>> {
    Ok(store.day_logs(date, date)?.into_iter().next())
}

/// Checks a day's log against `today` and stores it in place of that day's entry. Returns the domain's warnings
/// (values that are allowed but unusual) for the front end to show.
pub fn save_day(store: &dyn Store, log: &DayLog, today: Date) -> Result<Vec<String>> {
    let warnings = log.check(today)?;
    store.put_day_log(log)?;
    Ok(warnings)
}

/// Stores what the runner said about a run (pack, surface, food, routines). The run must exist:
/// [`StoreError::NotFound`] otherwise, so a context never points at nothing.
pub fn save_run_context(store: &dyn Store, context: &RunContext) -> Result<()> {
    if store.activity(context.run_id)?.is_none() {
        return Err(AppError::Store(StoreError::NotFound { what: "run", id: context.run_id }));
    }
    store.put_run_context(context)?;
    Ok(())
}

/// Deletes one run and its context (its pain reports stay, unlinked); `false` when there is no such run.
pub fn delete_run(store: &dyn Store, id: i64) -> Result<bool> {
    Ok(store.delete_activity(id)?)
}
