//! The running self-experiment as stored: the engine's state plus which runs have been fed into it. Every read
//! first feeds in runs logged since the last read, so the CLI and the web app always show the same numbers.

use crate::observations::{linked_pain, local_date, run_contexts, runs, surface_kind};
use crate::{AppError, Result};
use jiff::Timestamp;
use jiff::civil::Date;
use runtall_domain::journal::{DayLog, RunContext};
use runtall_insights::experiment::ExperimentResult;
use runtall_insights::{
    Assignment, Condition, Experiment, ExperimentDesign, ExperimentFactor, ExperimentUnit, SurfaceKind, run_outcome,
};
use runtall_store::{ActivityFilter, Store};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

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
    /// Why the experiment is on hold, when the safety gate no longer allows it (a new flag, a new condition): the
    /// surfaces show this instead of the next instruction.
    pub hold: Option<String>,
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
fn sync(store: &dyn Store, e: &mut StoredExperiment, today: Date) -> Result<usize> {
    if e.experiment.stopped.is_some() {
        return Ok(0);
    }
    if e.experiment.design.unit == ExperimentUnit::Days {
        return sync_days(store, e, today);
    }
    let factor = e.experiment.design.factor;
    // Only the runs since the start matter (not the whole journal: this runs on every status read). A day of
    // margin covers watch time zones; the local date decides.
    let from = e
        .experiment
        .started
        .yesterday()
        .ok()
        .and_then(|d| d.to_zoned(jiff::tz::TimeZone::UTC).ok())
        .map(|z| z.timestamp())
        .unwrap_or(Timestamp::MIN);
    let mut rows = store.activities(&ActivityFilter { from: Some(from), ..Default::default() })?;
    rows.retain(|r| {
        r.sport.is_run()
            && local_date(r.start, r.utc_offset_s) >= e.experiment.started
            && !e.recorded_runs.contains(&r.id)
    });
    if rows.is_empty() {
        return Ok(0);
    }
    rows.reverse();
    // Guided pre-run sessions count as "routine done" here as in the insights, unless the runner said otherwise.
    let contexts = run_contexts(store, &rows)?;
    let pain = linked_pain(store, from)?;
    let mut added = 0;
    for r in &rows {
        let date = local_date(r.start, r.utc_offset_s);
        let Ok(assignment) = e.experiment.assignment_for(date) else { continue };
        let change = assignment.condition == Condition::Change;
        // Unknown context counts as not followed: adherence is reported, never assumed.
        let followed = made_change(factor, contexts.get(&r.id)) == Some(change);
        let outcome = run_outcome(pain.get(&r.id).map(Vec::as_slice).unwrap_or(&[]))?;
        if e.experiment.record(date, followed, outcome.pain_followed, outcome.max_pain).is_ok() {
            e.recorded_runs.push(r.id);
            added += 1;
        }
    }
    Ok(added)
}

/// Day experiments (the foam-roller routine, or any factor counted in days): each finished day since the start
/// (today is not over yet) that has anything logged is recorded. Whether the day's assignment was kept comes from
/// the day log (foam roller: mobility done) or from that day's runs; pain is the day's worst report. Days with
/// nothing logged are left out rather than guessed.
fn sync_days(store: &dyn Store, e: &mut StoredExperiment, today: Date) -> Result<usize> {
    let factor = e.experiment.design.factor;
    let from = match e.experiment.observations.last() {
        Some(o) => o.date.tomorrow().map_err(|_| AppError::State("experiment dates out of range".into()))?,
        None => e.experiment.started,
    };
    let Ok(until) = today.yesterday() else { return Ok(0) };
    if from > until {
        return Ok(0);
    }
    let days: HashMap<Date, DayLog> = store.day_logs(from, until)?.into_iter().map(|d| (d.date, d)).collect();
    let all_runs = runs(store)?;
    let contexts = run_contexts(store, &all_runs)?;
    let mut runs_by_day: HashMap<Date, Vec<i64>> = HashMap::new();
    for r in &all_runs {
        runs_by_day.entry(local_date(r.start, r.utc_offset_s)).or_default().push(r.id);
    }
    let mut worst: HashMap<Date, u8> = HashMap::new();
    for p in store.pain_reports(Timestamp::MIN, Timestamp::MAX)? {
        let d = local_date(p.at, None);
        let v = p.intensity.get().round().clamp(0.0, 10.0) as u8;
        let w = worst.entry(d).or_insert(0);
        *w = (*w).max(v);
    }
    let mut added = 0;
    let mut day = from;
    while day <= until {
        let log = days.get(&day);
        let day_runs = runs_by_day.get(&day).map(Vec::as_slice).unwrap_or(&[]);
        let pain = worst.get(&day).copied();
        if log.is_some() || !day_runs.is_empty() || pain.is_some() {
            let assignment = e.experiment.assignment_for(day)?;
            let change = assignment.condition == Condition::Change;
            let did_change = match factor {
                ExperimentFactor::FoamRoller => log.map(|l| l.mobility_done),
                _ => {
                    let seen: Vec<bool> =
                        day_runs.iter().filter_map(|id| made_change(factor, contexts.get(id))).collect();
                    // Every run of the day must agree; a mixed day did not keep one condition.
                    match seen.first() {
                        Some(&first) if seen.iter().all(|&x| x == first) => Some(first),
                        _ => None,
                    }
                }
            };
            let max_pain = pain.unwrap_or(0);
            let followed = did_change == Some(change);
            e.experiment.record(day, followed, max_pain >= runtall_insights::PAIN_THRESHOLD, max_pain)?;
            added += 1;
        }
        let Ok(next) = day.tomorrow() else { break };
        day = next;
    }
    Ok(added)
}

/// The safety gate's refusal for an experiment on `factor`, if any.
fn refusal(store: &dyn Store, factor: ExperimentFactor) -> Result<Option<String>> {
    let permissions = crate::safety::permissions(runtall_domain::content::program(), store)?;
    let decision = permissions.experiment(factor.id());
    Ok((!decision.allowed).then(|| decision.reason.unwrap_or_default()))
}

/// Starts an experiment and feeds it the runs already logged since `started`. Refuses while one is running (one
/// factor at a time is the whole point) and whatever the safety gate does not allow (no screen yet, a flag
/// awaiting a clinician, a foam roller the runner may not or cannot use).
pub fn start(store: &dyn Store, design: ExperimentDesign, started: Date) -> Result<i64> {
    if load(store)?.is_some() {
        return Err(AppError::State("an experiment is already running: stop it first".into()));
    }
    if let Some(reason) = refusal(store, design.factor)? {
        return Err(AppError::State(format!(
            "an experiment with {} is not possible now: {reason}",
            design.factor.label()
        )));
    }
    let experiment = Experiment::new(design, started)?;
    let mut stored = StoredExperiment { experiment, recorded_runs: vec![] };
    sync(store, &mut stored, started)?;
    save(store, None, &stored, true)
}

/// The running experiment brought up to date, or None when none is running.
pub fn status(store: &dyn Store, today: Date, show_early: bool) -> Result<Option<Status>> {
    let Some((id, mut e)) = load(store)? else { return Ok(None) };
    if sync(store, &mut e, today)? > 0 {
        save(store, Some(id), &e, true)?;
    }
    let next = e.experiment.assignment_for(today.max(e.experiment.started)).ok();
    let result = e.experiment.result(show_early);
    let hold = refusal(store, e.experiment.design.factor)?.map(|reason| {
        format!("Your experiment is on hold: {reason}. Stop it, or wait until the program allows it again.")
    });
    Ok(Some(Status { id, experiment: e.experiment, next, result, hold }))
}

/// Whether the running experiment asks for today's run without the pack (the "change" side of a pack experiment,
/// not on hold): Today then leaves the plan's pack advice and pack cues out, so it never says both "leave the pack
/// at home" and "pack on: wide straps".
pub fn pack_off_today(s: &Status) -> bool {
    s.hold.is_none()
        && s.experiment.design.factor == ExperimentFactor::Pack
        && s.next.as_ref().is_some_and(|a| a.condition == Condition::Change)
}

/// Today's run as the experiment asks: on a pack-off run, without the pack's note and cues.
pub fn fit_run_day(program: &runtall_content::Program, day: &mut runtall_domain::plan::RunDay, pack_off: bool) {
    if !pack_off {
        return;
    }
    day.notes.retain(|n| n.answer != runtall_domain::plan::PACK_ANSWER);
    day.during.cues.retain(|c| program.cue(&c.id).is_none_or(|cue| cue.kind != runtall_content::CueKind::Pack));
}

/// A finished experiment and its final result, for the history of what has been tested.
#[derive(Debug, Clone, Serialize)]
pub struct Past {
    pub id: i64,
    pub experiment: Experiment,
    pub result: ExperimentResult,
}

/// Stopped experiments, newest first, each with its result as it stood when stopped: one factor at a time, so
/// the runner can look back over everything they have tested.
pub fn history(store: &dyn Store) -> Result<Vec<Past>> {
    let mut out = Vec::new();
    for (id, active, value) in store.experiments()? {
        if active {
            continue;
        }
        let stored: StoredExperiment =
            serde_json::from_value(value).map_err(|source| AppError::Corrupt { id, source })?;
        let result = stored.experiment.result(true);
        out.push(Past { id, experiment: stored.experiment, result });
    }
    Ok(out)
}

/// Stops the running experiment and returns its final result (shown whatever its length, with warnings).
pub fn stop(store: &dyn Store, today: Date) -> Result<ExperimentResult> {
    let (id, mut e) = load(store)?.ok_or_else(|| AppError::State("no experiment is running".into()))?;
    sync(store, &mut e, today)?;
    e.experiment.stop(today.max(e.experiment.started))?;
    save(store, Some(id), &e, false)?;
    Ok(e.experiment.result(true))
}
