//! The running self-experiment as stored: the engine's state plus which runs have been fed into it. Every read
//! first feeds in runs logged since the last read, so the CLI and the web app always show the same numbers.

use crate::observations::{observations, run_contexts, runs, surface_kind};
use crate::{AppError, Result};
use jiff::civil::Date;
use runtall_domain::journal::RunContext;
use runtall_insights::experiment::ExperimentResult;
use runtall_insights::{
    Assignment, Condition, Experiment, ExperimentDesign, ExperimentFactor, ExperimentUnit, SurfaceKind,
};
use runtall_store::Store;
use serde::{Deserialize, Serialize};

/// An experiment as stored: the engine's state plus which runs have been fed into it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct StoredExperiment {
    pub experiment: Experiment,
    pub recorded_runs: Vec<i64>,
}

/// What a status screen shows: the design, what to do next, and the (possibly hidden) result.
#[derive(Debug, Clone, Serialize)]
pub struct Status {
    pub id: i64,
    pub experiment: Experiment,
    /// None once stopped.
    pub next: Option<Assignment>,
    pub result: ExperimentResult,
}

/// Finds a factor by its id (`pack`, `pre-run-breathing`, …), with an error that lists the valid ones.
pub fn factor(id: &str) -> Result<ExperimentFactor> {
    ExperimentFactor::ALL.into_iter().find(|f| f.id() == id).ok_or_else(|| {
        let ids: Vec<&str> = ExperimentFactor::ALL.iter().map(|f| f.id()).collect();
        AppError::State(format!("unknown factor '{id}' (expected one of: {})", ids.join(", ")))
    })
}

/// The runner's choices for a design; `None` keeps the recommended value.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DesignChoice {
    /// Runs or days per block.
    pub block_length: Option<u32>,
    /// Minimum runs or days before the verdict (rounded up to whole pairs of blocks).
    pub min_units: Option<u32>,
    /// Runs or days at the start of each block left out of the analysis.
    pub washout: Option<u32>,
}

/// The recommended design for `factor` and `unit` with the runner's choices applied and checked. Errors are
/// [`AppError::Insights`] naming the engine's field (`block_length`, `min_units`, `washout`), so each front end can
/// point at its own flag or form field.
pub fn design(
    factor: ExperimentFactor,
    unit: ExperimentUnit,
    seed: u64,
    choice: DesignChoice,
) -> Result<ExperimentDesign> {
    let mut d = ExperimentDesign::recommended(factor, unit, seed);
    if let Some(b) = choice.block_length {
        d.block_length = b;
    }
    d.washout = match choice.washout {
        Some(w) => w,
        // The recommended wash-out shrinks to fit a short block rather than failing on a value nobody typed.
        None => d.washout.min(d.block_length.saturating_sub(1)),
    };
    d.validate()?;
    if let Some(m) = choice.min_units {
        d.set_min_units(m)?;
    }
    d.validate()?;
    Ok(d)
}

fn load(store: &dyn Store) -> Result<Option<(i64, StoredExperiment)>> {
    store
        .active_experiment()?
        .map(|(id, v)| serde_json::from_value(v).map(|e| (id, e)).map_err(|source| AppError::Corrupt { id, source }))
        .transpose()
}

fn save(store: &dyn Store, id: Option<i64>, e: &StoredExperiment, active: bool) -> Result<i64> {
    let json = serde_json::to_value(e).map_err(|source| AppError::Corrupt { id: id.unwrap_or(0), source })?;
    Ok(store.put_experiment(id, e.experiment.started, active, &json)?)
}

/// Whether a run's logged context shows the change was made; None when the context does not say.
fn made_change(factor: ExperimentFactor, c: Option<&RunContext>) -> Option<bool> {
    let c = c?;
    match factor {
        ExperimentFactor::Pack => c.pack.map(|p| !p),
        ExperimentFactor::PreRunBreathing | ExperimentFactor::FoamRoller => c.pre_run_done,
        ExperimentFactor::Surface => c.surface.map(|s| surface_kind(s) == SurfaceKind::Soft),
        ExperimentFactor::EatingBefore => c.ate_within_2h.map(|a| !a),
    }
}

/// Feeds runs logged since the experiment started into it: whether the assignment was followed comes from the
/// run's context (pack worn, routine done, surface, eating), pain from the linked reports.
fn sync(store: &dyn Store, e: &mut StoredExperiment) -> Result<usize> {
    if e.experiment.design.unit != ExperimentUnit::Runs || e.experiment.stopped.is_some() {
        return Ok(0);
    }
    let factor = e.experiment.design.factor;
    // Guided pre-run sessions count as "routine done" here as in the insights, unless the runner said otherwise.
    let contexts = run_contexts(store, &runs(store)?)?;
    let mut added = 0;
    for (id, o) in observations(store)? {
        if o.date < e.experiment.started || e.recorded_runs.contains(&id) {
            continue;
        }
        let Ok(assignment) = e.experiment.assignment_for(o.date) else { continue };
        let change = assignment.condition == Condition::Change;
        // Unknown context counts as not followed: adherence is reported, never assumed.
        let followed = made_change(factor, contexts.get(&id)) == Some(change);
        if e.experiment.record(o.date, followed, o.pain_followed, o.max_pain).is_ok() {
            e.recorded_runs.push(id);
            added += 1;
        }
    }
    Ok(added)
}

/// Starts an experiment and feeds it the runs already logged since `started`. Refuses while one is running: one
/// factor at a time is the whole point.
pub fn start(store: &dyn Store, design: ExperimentDesign, started: Date) -> Result<i64> {
    if load(store)?.is_some() {
        return Err(AppError::State("an experiment is already running: stop it first".into()));
    }
    let experiment = Experiment::new(design, started)?;
    let mut stored = StoredExperiment { experiment, recorded_runs: vec![] };
    sync(store, &mut stored)?;
    save(store, None, &stored, true)
}

/// The running experiment brought up to date, or None when none is running.
pub fn status(store: &dyn Store, today: Date, show_early: bool) -> Result<Option<Status>> {
    let Some((id, mut e)) = load(store)? else { return Ok(None) };
    if sync(store, &mut e)? > 0 {
        save(store, Some(id), &e, true)?;
    }
    let next = e.experiment.assignment_for(today.max(e.experiment.started)).ok();
    let result = e.experiment.result(show_early);
    Ok(Some(Status { id, experiment: e.experiment, next, result }))
}

/// Stops the running experiment and returns its final result (shown whatever its length, with warnings).
pub fn stop(store: &dyn Store, today: Date) -> Result<ExperimentResult> {
    let (id, mut e) = load(store)?.ok_or_else(|| AppError::State("no experiment is running".into()))?;
    sync(store, &mut e)?;
    e.experiment.stop(today.max(e.experiment.started))?;
    save(store, Some(id), &e, false)?;
    Ok(e.experiment.result(true))
}
