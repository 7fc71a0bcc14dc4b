//! runtall's import layer: watch files in, normalized [`Activity`]s out.
//!
//! Reads FIT (also `.fit.gz`), GPX and TCX (also gzipped) files, folders of them, and bulk
//! export zips (Strava's, with its `activities.csv` names and types; Garmin's, with zips of FIT
//! files inside), decodes them on several threads with runtall's own decoders
//! (`runtall-fit`, `runtall-trackxml`), maps every format into the one
//! [`Activity`](runtall_domain::activity::Activity) shape, and hands the results back in a stable
//! order on the caller's thread, where the importer stores them (a batch per transaction). The caller's own
//! per-activity work can run on the workers too ([`Plan::start_prepared`]), and the caller decodes small files
//! itself while it would otherwise wait for the next result.
//!
//! Forgiving and safe at once: one bad file never stops the rest (each result is `Ok` or an
//! [`ImportError`] naming the reason, next to the file name); damaged files give what can be
//! read, with warnings as data on the activity; impossible values are dropped with a warning;
//! archives are read one entry at a time under limits on size, expansion ratio, entry count and
//! nesting, so a zip bomb or a crafted entry name costs nothing. The library never prints.
//!
//! # Use
//!
//! ```no_run
//! use std::ops::ControlFlow;
//! use runtall_import::{ImportOptions, Importer};
//!
//! let plan = Importer::new(ImportOptions::default()).plan(["export_12345.zip", "watch/"]);
//! println!("{} files, {} bytes, {} skipped", plan.files(), plan.bytes(), plan.skipped().total());
//! let summary = plan.run(|result, progress| {
//!     match &result.result {
//!         Ok(activities) => { /* store.add_activity(a, classify(a, &history)) for each */ }
//!         Err(_) => eprintln!("{}", result.failure().unwrap_or_default()),
//!     }
//!     let _ = progress.files_done; // update a progress bar
//!     ControlFlow::Continue(())
//! });
//! println!("{} activities, {} failed", summary.activities, summary.failed);
//! ```
//!
//! Or as an iterator, reading [`Running::progress`] between results:
//!
//! ```no_run
//! # use runtall_import::{ImportOptions, Importer};
//! let mut running = Importer::new(ImportOptions::default()).plan(["a.fit"]).start();
//! while let Some(r) = running.next() {
//!     let p = running.progress();
//!     # let _ = (r, p);
//! }
//! ```

#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod archive;
mod budget;
mod csv;
mod decode;
mod dedup;
mod error;
mod format;
mod map;
mod plan;
mod run;
mod types;

pub use decode::{Decoded, content_hash, decode_bytes, sport_from_strava_type};
pub use dedup::{Duplicate, RunKey, find_duplicate, same_run};
pub use error::{ErrorKind, ImportError};
pub use format::{Format, NameKind, name_kind};
pub use map::gpx::sport_from_type as sport_from_gpx_type;
pub use map::{
    ALTITUDE_RANGE_M, ASCENT_HYSTERESIS_M, HR_RANGE_BPM, MAX_ACTIVITIES_PER_FILE, MAX_CADENCE_SPM, MIN_VALID_UNIX_S,
    ascent_descent, haversine_m, is_foot_sport, max_speed_mps,
};
pub use plan::{Importer, Job, Plan};
pub use run::{CancelToken, JobResult, Poll, Progress, Running, decode_archive_in_memory};
pub use types::{EntryMeta, ImportOptions, SkipCounts};

/// Decode one file from disk (plain or gzipped FIT, GPX or TCX) with the given limits, without
/// the thread pool: for tests, tools and single-file imports.
///
/// # Errors
/// As [`decode_bytes`], plus [`ImportError::Io`] when the file cannot be read.
pub fn decode_path(path: impl AsRef<std::path::Path>, options: &ImportOptions) -> Result<Decoded, ImportError> {
    let path = path.as_ref();
    let bytes = run::read_file(path, options)?;
    decode_bytes(&bytes, &path.display().to_string(), options)
}
