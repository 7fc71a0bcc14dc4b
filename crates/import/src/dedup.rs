//! Duplicate checks the store runs before adding an activity (pure functions, no I/O).
//!
//! Two ways the same run arrives twice: the very same file again (a re-import, or the same
//! `.fit` in a folder and in an export zip), caught by the content hash; and the same run exported
//! twice in different formats (FIT from the watch and GPX from Strava), whose bytes differ but
//! whose sport, start and duration agree, caught by [`same_run`].

use jiff::Timestamp;
use runtall_domain::activity::{Activity, Sport};

/// What the duplicate check needs from a stored activity: the store can build this from its
/// indexed columns without loading samples.
#[derive(Debug, Clone, PartialEq)]
pub struct RunKey {
    /// Start time (UTC).
    pub start: Timestamp,
    /// Sport.
    pub sport: Sport,
    /// Elapsed time in seconds.
    pub elapsed_s: f64,
    /// Content hash of the source file (see [`SourceFile::content_hash`](runtall_domain::activity::SourceFile)).
    pub content_hash: String,
}

impl From<&Activity> for RunKey {
    fn from(a: &Activity) -> Self {
        Self { start: a.start, sport: a.sport, elapsed_s: a.elapsed_s, content_hash: a.source.content_hash.clone() }
    }
}

/// Whether `a` and `b` are the same recording exported twice: same sport family (a run is a run
/// whether the file says road or trail), starts within
/// [`SAME_RUN_START_S`](runtall_domain::activity::SAME_RUN_START_S) and elapsed times within
/// [`SAME_RUN_ELAPSED_FRACTION`](runtall_domain::activity::SAME_RUN_ELAPSED_FRACTION).
#[must_use]
pub fn same_run(a: &Activity, b: &RunKey) -> bool {
    runtall_domain::activity::same_run(a.start, a.sport, a.elapsed_s, b.start, b.sport, b.elapsed_s)
}

/// Why an activity duplicates a known one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Duplicate {
    /// The same file content (same hash).
    SameFile,
    /// The same run from another export (sport, start and duration match).
    SameRun,
}

/// The first of `known` that `a` duplicates, and why; the content hash is checked first, since
/// it is exact.
#[must_use]
pub fn find_duplicate<'k>(a: &Activity, known: impl IntoIterator<Item = &'k RunKey>) -> Option<(usize, Duplicate)> {
    let mut run_match = None;
    for (i, k) in known.into_iter().enumerate() {
        if k.content_hash == a.source.content_hash {
            return Some((i, Duplicate::SameFile));
        }
        if run_match.is_none() && same_run(a, k) {
            run_match = Some((i, Duplicate::SameRun));
        }
    }
    run_match
}
