//! Which stored run a pain report (or a pre- or post-run routine) belongs to, for both front ends.

use crate::Result;
use jiff::{SignedDuration, Timestamp};
use runtall_domain::journal::{PainTiming, link_run};
use runtall_store::{ActivityFilter, ActivityKind, Store};

/// How far from a pain report runs are considered: wider than every window of [`link_run`] (36 h at most).
const PAIN_SEARCH: SignedDuration = SignedDuration::from_hours(48);

/// The run a pain report at `at` with this timing belongs to, by the domain's rule ([`link_run`]), among the
/// athlete's runs within two days of it.
pub fn nearest_run(store: &dyn Store, at: Timestamp, timing: PainTiming) -> Result<Option<i64>> {
    nearest_within(store, at, timing, PAIN_SEARCH, 50)
}

/// [`link_run`] among the athlete's (at most `limit`) runs that started within `span` of `at`.
pub(crate) fn nearest_within(
    store: &dyn Store,
    at: Timestamp,
    timing: PainTiming,
    span: SignedDuration,
    limit: usize,
) -> Result<Option<i64>> {
    let filter = ActivityFilter {
        from: at.checked_sub(span).ok(),
        to: at.checked_add(span).ok(),
        label: None,
        limit: Some(limit),
        kind: ActivityKind::Runs,
    };
    let runs: Vec<(i64, Timestamp, Timestamp)> = store
        .activities(&filter)?
        .into_iter()
        .filter(|r| r.sport.is_run())
        .map(|r| {
            let end = r.start.checked_add(SignedDuration::from_secs_f64(r.elapsed_s.max(0.0))).unwrap_or(r.start);
            (r.id, r.start, end)
        })
        .collect();
    Ok(link_run(at, timing, &runs))
}
