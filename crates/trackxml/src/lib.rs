//! GPX and TCX readers for runtall's importer.
//!
//! Why our own reader instead of the `gpx` crate: measured on real watch exports, that crate is
//! slow (about 15 MB/s), refuses files every other tool reads (`<magvar>`, a missing `version`),
//! and reports errors without a line or column. This crate:
//!
//! - streams the file with `quick-xml` over the borrowed input (no DOM, no per-point heap
//!   allocation) and is benchmarked against the `gpx` crate in `benches/parse.rs`;
//! - matches elements by local name, so any namespace prefix works, and skips unknown elements
//!   and extensions; a UTF-8 byte order mark, UTF-16 and Latin-1 files are read;
//! - is strict about numbers and times: `1,5`, `NaN` or `not-a-timestamp` are never guessed
//!   at; the point holding them is dropped with a [`Warning`];
//! - salvages broken files: a truncated upload or a missing end tag keeps every point completed
//!   before the problem and says where the problem is (line and column);
//! - refuses `<!DOCTYPE>` outright, so entity expansion ("billion laughs", external entities)
//!   cannot happen, and refuses files over a size cap before reading them.
//!
//! Warnings are returned as data (`warnings` on each parsed file); the library never prints.
//!
//! ```
//! let gpx = br#"<gpx version="1.1" creator="watch"><trk><trkseg>
//!   <trkpt lat="48.2" lon="16.37"><time>2024-05-01T07:30:00Z</time></trkpt>
//! </trkseg></trk></gpx>"#;
//! let file = runtall_trackxml::parse_gpx(gpx)?;
//! assert_eq!(file.point_count(), 1);
//! assert!(file.not_activity().is_none());
//! # Ok::<(), runtall_trackxml::TrackXmlError>(())
//! ```

#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod error;
mod gpx;
mod input;
mod simple;
mod tcx;
mod value;
mod xml;

use std::fmt;

pub use error::{Dropped, TrackXmlError, Warning, WarningKind};
pub use gpx::{GpxFile, GpxPoint, GpxSegment, GpxTrack, parse_gpx, parse_gpx_watched, parse_gpx_with};
pub use tcx::{
    TcxActivity, TcxFile, TcxIntensity, TcxLap, TcxSport, TcxTrack, TcxTrackpoint, TcxTriggerMethod, parse_tcx,
    parse_tcx_watched, parse_tcx_with,
};
pub use value::{ParsedTime, parse_number, parse_time};
#[cfg(feature = "differential")]
#[doc(hidden)]
pub use xml::with_quick_xml_only;

/// Default cap on the input size: 64 MiB. A 24-hour run recorded every second with heart rate,
/// cadence and power is about 40 MB of GPX or TCX; anything much larger is not a single run.
pub const DEFAULT_MAX_BYTES: usize = 64 * 1024 * 1024;

/// Most track points kept from one file: about 11.5 days at one per second, far beyond any activity. Points
/// past it are skipped with a warning, so decoded memory stays bounded whatever the file holds.
pub const MAX_POINTS: usize = 1_000_000;

/// Default cap on the number of warnings kept per file (further ones are only counted), so a
/// file with a million bad values cannot make a million messages.
pub const DEFAULT_MAX_WARNINGS: usize = 200;

/// Limits and the clock used when reading.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseOptions {
    /// Larger inputs are refused with [`TrackXmlError::TooLarge`] before any reading.
    pub max_bytes: usize,
    /// At most this many warnings are kept; the rest are counted in `warnings_omitted`.
    pub max_warnings: usize,
    /// "Now" in Unix milliseconds, for refusing times more than a day in the future; `None`
    /// uses the system clock. Tests set it to be reproducible.
    pub now_ms: Option<i64>,
}

impl Default for ParseOptions {
    fn default() -> Self {
        Self { max_bytes: DEFAULT_MAX_BYTES, max_warnings: DEFAULT_MAX_WARNINGS, now_ms: None }
    }
}

impl ParseOptions {
    fn now_ms(&self) -> i64 {
        self.now_ms.unwrap_or_else(xml::system_now_ms)
    }
}

/// Why a file that was read is still not a recorded activity. The importer refuses such files
/// and shows this reason (its [`Display`](fmt::Display) text is written for the person who
/// uploaded the file).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum NotActivity {
    /// GPX with routes and/or waypoints but no track points: a plan, not a recording.
    RoutesOrWaypointsOnly {
        /// Number of `<rte>`.
        routes: usize,
        /// Number of `<rtept>` in all routes.
        route_points: usize,
        /// Number of `<wpt>`.
        waypoints: usize,
    },
    /// GPX without any track point (e.g. only `<metadata>`, or empty tracks).
    NoTrackPoints,
    /// GPX whose track points have no times at all: a route drawn on a map and exported as a
    /// track, not a recording (no duration or pace can be known).
    NoTimestamps {
        /// Number of track points.
        points: usize,
    },
    /// TCX holding courses (planned routes) and no activity.
    Course {
        /// Number of `<Course>`.
        courses: usize,
    },
    /// TCX holding planned workouts and no activity.
    Workout {
        /// Number of `<Workout>`.
        workouts: usize,
    },
    /// TCX without any activity that has a lap.
    NoActivities,
}

impl fmt::Display for NotActivity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::RoutesOrWaypointsOnly { routes, route_points, waypoints } => write!(
                f,
                "the file holds only planned routes or waypoints ({routes} routes with {route_points} points, \
                 {waypoints} waypoints), not a recorded activity"
            ),
            Self::NoTrackPoints => f.write_str("the file has no track points, so there is no activity in it"),
            Self::NoTimestamps { points } => write!(
                f,
                "none of the track's {points} points has a usable time: this looks like a route drawn on a map, not a recorded activity"
            ),
            Self::Course { courses } => {
                write!(f, "the file holds {courses} course(s), which are planned routes, not a recorded activity")
            }
            Self::Workout { workouts } => {
                write!(f, "the file holds {workouts} planned workout(s), not a recorded activity")
            }
            Self::NoActivities => f.write_str("the file holds no activity with any lap"),
        }
    }
}
