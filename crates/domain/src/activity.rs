//! A run (or other activity) as runtall keeps it, whatever watch file it came from.
//!
//! The importers map FIT, GPX and TCX into this one shape; classification, the journal and the insights only ever
//! see this. Units are in the field names (`_m`, `_s`, `_mps`, `_bpm`, `_spm`) so a metre is never mistaken for a
//! mile or a stride for a step.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

/// What kind of activity the file says it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Sport {
    Running,
    TrailRunning,
    TreadmillRunning,
    TrackRunning,
    Walking,
    Hiking,
    Cycling,
    Swimming,
    Other,
}

impl Sport {
    pub fn is_run(self) -> bool {
        matches!(self, Sport::Running | Sport::TrailRunning | Sport::TreadmillRunning | Sport::TrackRunning)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Sport::Running => "running",
            Sport::TrailRunning => "trail-running",
            Sport::TreadmillRunning => "treadmill-running",
            Sport::TrackRunning => "track-running",
            Sport::Walking => "walking",
            Sport::Hiking => "hiking",
            Sport::Cycling => "cycling",
            Sport::Swimming => "swimming",
            Sport::Other => "other",
        }
    }
}

/// What the watch said a lap was for, when it says.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum LapIntensity {
    Active,
    Rest,
    Warmup,
    Cooldown,
    Recovery,
    Interval,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Lap {
    /// Seconds from the activity start to the lap start.
    pub start_offset_s: f64,
    pub elapsed_s: f64,
    /// Timer (moving) time, when recorded.
    pub moving_s: Option<f64>,
    pub distance_m: f64,
    pub avg_speed_mps: Option<f64>,
    pub max_speed_mps: Option<f64>,
    pub avg_hr_bpm: Option<f64>,
    pub max_hr_bpm: Option<f64>,
    pub avg_cadence_spm: Option<f64>,
    pub intensity: Option<LapIntensity>,
    /// How the lap ended: "manual", "distance", "time", "position", "session-end"... as the file says.
    pub trigger: Option<String>,
}

/// Running dynamics averages, when a watch or pod records them.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct RunningDynamics {
    pub vertical_oscillation_mm: Option<f64>,
    pub stance_time_ms: Option<f64>,
    pub step_length_mm: Option<f64>,
    pub vertical_ratio_pct: Option<f64>,
}

/// The sample stream, column by column; every column has one entry per sample (`None` where not recorded).
/// Columns keep memory and storage compact compared with a struct per point.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Samples {
    /// Seconds since the activity start.
    pub t_s: Vec<f64>,
    pub distance_m: Vec<Option<f64>>,
    pub speed_mps: Vec<Option<f64>>,
    pub hr_bpm: Vec<Option<f64>>,
    pub cadence_spm: Vec<Option<f64>>,
    pub altitude_m: Vec<Option<f64>>,
    pub lat_deg: Vec<Option<f64>>,
    pub lon_deg: Vec<Option<f64>>,
}

impl Samples {
    pub fn len(&self) -> usize {
        self.t_s.len()
    }

    pub fn is_empty(&self) -> bool {
        self.t_s.is_empty()
    }

    /// Appends one sample, keeping every column the same length.
    #[allow(clippy::too_many_arguments)]
    pub fn push(
        &mut self,
        t_s: f64,
        distance_m: Option<f64>,
        speed_mps: Option<f64>,
        hr_bpm: Option<f64>,
        cadence_spm: Option<f64>,
        altitude_m: Option<f64>,
        lat_deg: Option<f64>,
        lon_deg: Option<f64>,
    ) {
        self.t_s.push(t_s);
        self.distance_m.push(distance_m);
        self.speed_mps.push(speed_mps);
        self.hr_bpm.push(hr_bpm);
        self.cadence_spm.push(cadence_spm);
        self.altitude_m.push(altitude_m);
        self.lat_deg.push(lat_deg);
        self.lon_deg.push(lon_deg);
    }

    /// Whether every column has the same length (the invariant the codec and charts rely on).
    pub fn is_consistent(&self) -> bool {
        let n = self.t_s.len();
        [
            self.distance_m.len(),
            self.speed_mps.len(),
            self.hr_bpm.len(),
            self.cadence_spm.len(),
            self.altitude_m.len(),
            self.lat_deg.len(),
            self.lon_deg.len(),
        ]
        .iter()
        .all(|l| *l == n)
    }
}

/// Where an activity came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SourceFile {
    /// Path as given, with `archive.zip!inner/path` for files inside archives.
    pub path: String,
    /// `fit`, `gpx` or `tcx` (the decoded format, after any gzip or zip layer).
    pub format: String,
    /// SHA-256 of the decoded file's bytes, hex: re-importing the same file is recognised by it.
    pub content_hash: String,
}

/// One activity, normalized.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Activity {
    pub sport: Sport,
    /// The file's own sub-sport or type string, kept for display.
    pub sub_sport: Option<String>,
    /// A name from the file or an export's index (Strava `activities.csv`).
    pub name: Option<String>,
    pub start: Timestamp,
    /// Local time offset from UTC at the start, in seconds, when the file says.
    pub utc_offset_s: Option<i32>,
    pub elapsed_s: f64,
    pub moving_s: f64,
    pub distance_m: f64,
    pub ascent_m: Option<f64>,
    pub descent_m: Option<f64>,
    pub avg_hr_bpm: Option<f64>,
    pub max_hr_bpm: Option<f64>,
    pub avg_cadence_spm: Option<f64>,
    /// Breaths per minute, when the watch records respiration.
    pub avg_respiration_brpm: Option<f64>,
    pub dynamics: Option<RunningDynamics>,
    pub device: Option<String>,
    pub laps: Vec<Lap>,
    pub samples: Samples,
    pub source: SourceFile,
    /// Problems met while reading the file that did not stop it (salvaged data, dropped points).
    pub warnings: Vec<String>,
}

impl Activity {
    /// Average moving pace in seconds per kilometre, if the activity moved.
    pub fn pace_s_per_km(&self) -> Option<f64> {
        (self.distance_m > 0.0 && self.moving_s > 0.0).then(|| self.moving_s / (self.distance_m / 1000.0))
    }

    pub fn end(&self) -> Timestamp {
        self.start.checked_add(jiff::SignedDuration::from_secs_f64(self.elapsed_s.max(0.0))).unwrap_or(self.start)
    }
}

/// Whether two recordings are the same run exported twice (e.g. as FIT and as GPX): same sport family, starts
/// within a minute, elapsed times within 3%. Content hashes catch identical files; this catches re-exports.
pub fn same_run(
    a_start: Timestamp,
    a_sport: Sport,
    a_elapsed_s: f64,
    b_start: Timestamp,
    b_sport: Sport,
    b_elapsed_s: f64,
) -> bool {
    let family = |s: Sport| if s.is_run() { Sport::Running } else { s };
    if family(a_sport) != family(b_sport) {
        return false;
    }
    if (a_start.as_second() - b_start.as_second()).abs() > SAME_RUN_START_S {
        return false;
    }
    let longer = a_elapsed_s.max(b_elapsed_s);
    longer <= 0.0 || (a_elapsed_s - b_elapsed_s).abs() / longer <= SAME_RUN_ELAPSED_FRACTION
}

/// Start-time tolerance for [`same_run`], seconds.
pub const SAME_RUN_START_S: i64 = 60;
/// Elapsed-time tolerance for [`same_run`], as a fraction of the longer recording.
pub const SAME_RUN_ELAPSED_FRACTION: f64 = 0.03;

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> Timestamp {
        s.parse().expect("ts")
    }

    #[test]
    fn same_run_tolerates_export_differences_only() {
        let a = t("2026-05-01T07:00:00Z");
        assert!(same_run(a, Sport::Running, 3600.0, t("2026-05-01T07:00:30Z"), Sport::TrailRunning, 3590.0));
        assert!(!same_run(a, Sport::Running, 3600.0, t("2026-05-01T07:02:00Z"), Sport::Running, 3600.0));
        assert!(!same_run(a, Sport::Running, 3600.0, a, Sport::Running, 3000.0));
        assert!(!same_run(a, Sport::Running, 3600.0, a, Sport::Cycling, 3600.0));
    }
}
