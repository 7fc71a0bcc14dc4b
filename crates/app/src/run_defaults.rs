//! The run a cue plan starts from when the runner has not said which: run mode's form, its API and
//! `runtall cues` all ask here, so both front ends start from the same run (today's plan, else the last run).

use crate::Result;
use jiff::{SignedDuration, Timestamp};
use runtall_companion::run_defaults::{PastRun, RunDefaults, defaults_for, run_defaults};
use runtall_content::RunType;
use runtall_domain::safety::Permissions;
use runtall_store::{ActivityFilter, ActivityKind, Store};

/// How far back the latest run counts: a run from months ago says little about today's.
const LOOKBACK_DAYS: i64 = 42;
/// Enough recent runs to find the latest of each type.
const RECENT_RUNS: usize = 30;

/// The defaults for today: `planned` is the plan's run for today's weekday (if any); the journal gives the latest
/// runs of the last six weeks, newest first, typed by their label (an unlabelled run counts as easy).
pub fn for_today(
    store: &dyn Store,
    permissions: &Permissions,
    planned: Option<RunType>,
    now: Timestamp,
) -> Result<RunDefaults> {
    Ok(run_defaults(planned, &recent(store, now)?, permissions))
}

/// The length a run type the runner chose starts from (their latest run of that type, else its usual length).
pub fn for_run(store: &dyn Store, run: RunType, now: Timestamp) -> Result<RunDefaults> {
    Ok(defaults_for(run, &recent(store, now)?))
}

/// The latest runs of the last six weeks, newest first.
fn recent(store: &dyn Store, now: Timestamp) -> Result<Vec<PastRun>> {
    let from = now.checked_sub(SignedDuration::from_hours(24 * LOOKBACK_DAYS)).unwrap_or(now);
    let filter = ActivityFilter {
        from: Some(from),
        to: Some(now),
        limit: Some(RECENT_RUNS),
        kind: ActivityKind::Runs,
        ..Default::default()
    };
    Ok(store
        .activities(&filter)?
        .iter()
        .map(|a| PastRun {
            run: a.label.map(|l| l.run_type()).unwrap_or(RunType::Easy),
            moving_s: if a.moving_s > 0.0 { a.moving_s } else { a.elapsed_s },
        })
        .collect())
}
