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

    /// How this sport's speed is read: runners and walkers think in pace per km, riders in km/h, swimmers in time
    /// per 100 m. A 92 km ride shown as "1:55/km" means nothing to anyone.
    pub fn speed_unit(self) -> SpeedUnit {
        match self {
            Sport::Cycling | Sport::Other => SpeedUnit::PerHour,
            Sport::Swimming => SpeedUnit::Per100m,
            _ => SpeedUnit::Pace,
        }
    }

    /// Words for the activity in lists and titles ("run", "ride", "swim").
    pub fn noun(self) -> &'static str {
        match self {
            Sport::Running | Sport::TreadmillRunning | Sport::TrackRunning => "run",
            Sport::TrailRunning => "trail run",
            Sport::Walking => "walk",
            Sport::Hiking => "hike",
            Sport::Cycling => "ride",
            Sport::Swimming => "swim",
            Sport::Other => "activity",
        }
    }
}

/// The speed of an activity the way its sport reads it (see [`Sport::speed_unit`]): pace per km or mile for runs
/// and walks, km/h or mph for rides, time per 100 m for swims; "–" when it did not move.
pub fn speed_text(sport: Sport, seconds: f64, meters: f64, units: crate::profile::Units) -> String {
    use crate::units::KM_PER_MI;
    let mi = units == crate::profile::Units::Mi;
    if !(meters > 0.0 && seconds > 0.0) {
        return "–".into();
    }
    let clock = |s: f64| {
        if !s.is_finite() || s > 99.0 * 60.0 {
            return None;
        }
        let s = s.round() as u64;
        Some(format!("{}:{:02}", s / 60, s % 60))
    };
    let out = match sport.speed_unit() {
        SpeedUnit::Pace => {
            let unit_m = if mi { 1000.0 * KM_PER_MI } else { 1000.0 };
            clock(seconds / (meters / unit_m)).map(|c| format!("{c}/{}", if mi { "mi" } else { "km" }))
        }
        SpeedUnit::PerHour => {
            let km_h = meters / 1000.0 / (seconds / 3600.0);
            Some(if mi { format!("{:.1} mph", km_h / KM_PER_MI) } else { format!("{km_h:.1} km/h") })
        }
        SpeedUnit::Per100m => clock(seconds / (meters / 100.0)).map(|c| format!("{c}/100 m")),
    };
    out.unwrap_or_else(|| "–".into())
}

/// See [`Sport::speed_unit`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SpeedUnit {
    /// Time per km (or mile).
    Pace,
    /// km/h (or mph).
    PerHour,
    /// Time per 100 m.
    Per100m,
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

/// A value recorded in a file that cannot be true of a person (a GPS glitch, a mislabelled ride, a loose strap).
/// The value is still shown, with a warning, but classification and the insights leave it out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Implausible {
    /// The average pace is faster than the world record over that distance (see [`record_speed_mps`]).
    Pace,
    /// The average or maximum heart rate is outside [`PLAUSIBLE_HR_BPM`].
    HeartRate,
}

impl Implausible {
    pub fn as_str(self) -> &'static str {
        match self {
            Implausible::Pace => "pace",
            Implausible::HeartRate => "heart rate",
        }
    }
}

/// Heart rates a runner's summary can show: outside this range an average or maximum is a sensor fault.
pub const PLAUSIBLE_HR_BPM: (f64, f64) = (25.0, 250.0);

/// What is known about how far an activity can be trusted. Empty for a clean recording.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Quality {
    /// The file was damaged (a broken or cut-short file, unreadable XML): what could be read is kept, and part of
    /// the recording may be missing. Dropped out-of-range samples or notes about the file's name do not count.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub salvaged: bool,
    /// Values that cannot be true, kept for display but left out of classification and the insights.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub implausible: Vec<Implausible>,
    /// How the sport was decided when the file did not name it ("speed 2.9 m/s and cadence 172/min: a run").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sport_reason: Option<String>,
}

impl Quality {
    pub fn is_clean(&self) -> bool {
        *self == Quality::default()
    }

    pub fn is_implausible(&self, what: Implausible) -> bool {
        self.implausible.contains(&what)
    }
}

/// World-record average speeds (m/s) over distances (m), men's outdoor records as of 2024: 100 m 9.58 s, 400 m
/// 43.03 s, 1500 m 3:26.00, 5000 m 12:35.36, 10,000 m 26:11.00, half marathon 57:31, marathon 2:00:35, 100 km
/// 6:09:14. Between them the speed is interpolated on log distance; beyond 100 km the 100 km speed holds.
const RUN_RECORDS: [(f64, f64); 8] = [
    (100.0, 100.0 / 9.58),
    (400.0, 400.0 / 43.03),
    (1_500.0, 1_500.0 / 206.0),
    (5_000.0, 5_000.0 / 755.36),
    (10_000.0, 10_000.0 / 1_571.0),
    (21_097.5, 21_097.5 / 3_451.0),
    (42_195.0, 42_195.0 / 7_235.0),
    (100_000.0, 100_000.0 / 22_154.0),
];

/// Cycling: the 200 m flying sprint (about 20.6 m/s), the hour record (56.792 km), 24 hours unpaced on a track
/// (about 941 km). Swimming: 50 m freestyle 20.91 s, 1500 m 14:30.67, 10 km open water about 1:49.
const RIDE_RECORDS: [(f64, f64); 3] =
    [(200.0, 20.6), (56_792.0, 56_792.0 / 3_600.0), (941_000.0, 941_000.0 / 86_400.0)];
const SWIM_RECORDS: [(f64, f64); 3] =
    [(50.0, 50.0 / 20.91), (1_500.0, 1_500.0 / 870.67), (10_000.0, 10_000.0 / 6_540.0)];

/// The fastest average speed a person has held over `distance_m` in `sport`: a pace faster than this is a
/// recording fault (a GPS jump, a ride filed as a run). `None` for sports without a record table.
pub fn record_speed_mps(sport: Sport, distance_m: f64) -> Option<f64> {
    let table: &[(f64, f64)] = match sport {
        Sport::Running | Sport::TrailRunning | Sport::TreadmillRunning | Sport::TrackRunning => &RUN_RECORDS,
        // Nobody walks or hikes faster than the running records.
        Sport::Walking | Sport::Hiking => &RUN_RECORDS,
        Sport::Cycling => &RIDE_RECORDS,
        Sport::Swimming => &SWIM_RECORDS,
        Sport::Other => return None,
    };
    if !(distance_m.is_finite() && distance_m > 0.0) {
        return None;
    }
    let (first, last) = (table[0], table[table.len() - 1]);
    if distance_m <= first.0 {
        return Some(first.1);
    }
    if distance_m >= last.0 {
        return Some(last.1);
    }
    let i = table.iter().position(|(d, _)| *d >= distance_m)?;
    let ((d0, v0), (d1, v1)) = (table[i - 1], table[i]);
    let f = (distance_m.ln() - d0.ln()) / (d1.ln() - d0.ln());
    Some(v0 + (v1 - v0) * f)
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
    /// How far the recording can be trusted: a damaged file, values that cannot be true, a sport the file did not
    /// name. Kept before `laps` so list views, which read only the part of a stored summary before the laps, see it.
    #[serde(default, skip_serializing_if = "Quality::is_clean")]
    pub quality: Quality,
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

/// Whether two recordings could be the same activity, from their times alone: the same sport family (a run is a
/// run whether the file says road or trail) and time spans that overlap for at least [`SAME_RUN_OVERLAP`] of the
/// shorter one. A re-export (FIT and GPX of one run) overlaps fully; a cut-short or salvaged copy lies inside the
/// whole recording; two different activities of one person never overlap that much. Content hashes catch
/// identical files; this catches re-exports and partial copies. See [`same_track`] for the positions' say.
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
    let a0 = a_start.as_millisecond() as f64 / 1000.0;
    let b0 = b_start.as_millisecond() as f64 / 1000.0;
    let (a1, b1) = (a0 + a_elapsed_s.max(0.0), b0 + b_elapsed_s.max(0.0));
    // Recordings of an instant (or nearly) overlap nothing: they match only by starting together.
    let shorter = a_elapsed_s.max(0.0).min(b_elapsed_s.max(0.0));
    if shorter < 1.0 {
        return (a0 - b0).abs() <= SAME_RUN_START_S as f64;
    }
    let overlap = (a1.min(b1) - a0.max(b0)).max(0.0);
    overlap / shorter >= SAME_RUN_OVERLAP
}

/// The old start tolerance: two recordings of (almost) no duration are the same when they start this close, in
/// seconds. Also how far the store looks around a start for candidates of very short recordings.
pub const SAME_RUN_START_S: i64 = 60;
/// Share of the shorter recording that must lie inside the other for the two to be one activity.
pub const SAME_RUN_OVERLAP: f64 = 0.8;
/// Median distance between two tracks at the same moments below which they are one route, metres (GPS error,
/// a watch and a phone on one runner, smart recording's gaps).
pub const SAME_TRACK_M: f64 = 150.0;

/// Whether two recordings followed the same track at the same moments: the median distance between their
/// positions at up to 64 common moments is within [`SAME_TRACK_M`]. `None` when they share too few moments with
/// a position to tell (a treadmill run, a file without GPS): then the times decide alone.
pub fn same_track(a: &Samples, a_start: Timestamp, b: &Samples, b_start: Timestamp) -> Option<bool> {
    let offset = (a_start.as_millisecond() - b_start.as_millisecond()) as f64 / 1000.0;
    let positions = |s: &Samples| -> Vec<(f64, f64, f64)> {
        (0..s.len()).filter_map(|i| Some((s.t_s[i], s.lat_deg[i]?, s.lon_deg[i]?))).collect()
    };
    let (pa, pb) = (positions(a), positions(b));
    if pa.len() < 8 || pb.len() < 8 {
        return None;
    }
    let step = (pa.len() / 64).max(1);
    let mut distances = Vec::with_capacity(64);
    for &(t, lat, lon) in pa.iter().step_by(step) {
        // The same moment on b's clock.
        let tb = t + offset;
        let j = pb.partition_point(|p| p.0 < tb);
        let near = [j.checked_sub(1), Some(j)]
            .into_iter()
            .flatten()
            .filter_map(|k| pb.get(k))
            .min_by(|x, y| (x.0 - tb).abs().total_cmp(&(y.0 - tb).abs()));
        if let Some(&(tn, blat, blon)) = near
            && (tn - tb).abs() <= 30.0
        {
            distances.push(distance_m(lat, lon, blat, blon));
        }
    }
    if distances.len() < 8 {
        return None;
    }
    distances.sort_by(f64::total_cmp);
    Some(distances[distances.len() / 2] <= SAME_TRACK_M)
}

/// Great-circle distance in metres (haversine, mean Earth radius).
pub fn distance_m(lat1: f64, lon1: f64, lat2: f64, lon2: f64) -> f64 {
    const R: f64 = 6_371_008.8;
    let (p1, p2) = (lat1.to_radians(), lat2.to_radians());
    let dp = p2 - p1;
    let dl = (lon2 - lon1).to_radians();
    let a = (dp / 2.0).sin().powi(2) + p1.cos() * p2.cos() * (dl / 2.0).sin().powi(2);
    2.0 * R * a.sqrt().min(1.0).asin()
}

/// Whether two activities are one recording: [`same_run`] by their times, unless both have positions and
/// [`same_track`] says they went different ways.
pub fn same_recording(a: &Activity, b: &Activity) -> bool {
    same_run(a.start, a.sport, a.elapsed_s, b.start, b.sport, b.elapsed_s)
        && same_track(&a.samples, a.start, &b.samples, b.start) != Some(false)
}

/// How complete one copy of a recording is, for keeping the richest when the same run arrives twice.
#[derive(Debug, Clone, PartialEq)]
pub struct Richness {
    /// Not read from a damaged file.
    pub intact: bool,
    /// Seconds the recording covers.
    pub covers_s: f64,
    /// FIT 3, TCX 2, GPX 1, anything else (a journal line) 0: what each format can carry.
    pub format_rank: u8,
    /// Kinds of recorded values present (see [`Richness::of`]).
    pub fields: Vec<&'static str>,
    pub samples: usize,
}

impl Richness {
    pub fn of(a: &Activity) -> Self {
        let s = &a.samples;
        let any = |c: &[Option<f64>]| c.iter().any(Option::is_some);
        let mut fields = Vec::new();
        for (present, name) in [
            (any(&s.distance_m) || any(&s.speed_mps), "distance"),
            (any(&s.hr_bpm) || a.avg_hr_bpm.is_some(), "heart rate"),
            (any(&s.cadence_spm) || a.avg_cadence_spm.is_some(), "cadence"),
            (any(&s.altitude_m) || a.ascent_m.is_some(), "elevation"),
            (any(&s.lat_deg), "positions"),
            (!a.laps.is_empty(), "laps"),
            (a.device.is_some(), "device"),
            (a.dynamics.is_some() || a.avg_respiration_brpm.is_some(), "running dynamics"),
        ] {
            if present {
                fields.push(name);
            }
        }
        let format_rank = match a.source.format.as_str() {
            "fit" => 3,
            "tcx" => 2,
            "gpx" => 1,
            _ => 0,
        };
        Richness { intact: !a.quality.salvaged, covers_s: a.elapsed_s, format_rank, fields, samples: s.len() }
    }

    /// Why `self` is the better copy of the same recording than `other`, or `None` when it is not (equal copies
    /// keep the one already stored). In order: an intact file over a damaged one; a copy covering at least 5% more
    /// of the time; FIT over TCX over GPX; more kinds of values; at least 10% more samples.
    pub fn better_than(&self, other: &Richness) -> Option<String> {
        if self.intact != other.intact {
            return self.intact.then(|| "an intact file over a damaged one".to_string());
        }
        let longer = self.covers_s.max(other.covers_s);
        if longer > 0.0 && (self.covers_s - other.covers_s).abs() / longer >= 0.05 {
            return (self.covers_s > other.covers_s)
                .then(|| format!("it covers {} against {}", clock(self.covers_s), clock(other.covers_s)));
        }
        if self.format_rank != other.format_rank {
            let name = |r: u8| ["a journal entry", "GPX", "TCX", "FIT"][usize::from(r.min(3))];
            return (self.format_rank > other.format_rank)
                .then(|| format!("{} over {}", name(self.format_rank), name(other.format_rank)));
        }
        if self.fields.len() != other.fields.len() {
            let more: Vec<&str> = self.fields.iter().copied().filter(|f| !other.fields.contains(f)).collect();
            return (self.fields.len() > other.fields.len()).then(|| format!("it also has {}", more.join(", ")));
        }
        let (a, b) = (self.samples as f64, other.samples as f64);
        (a >= b * 1.1 && a > b).then(|| format!("{} samples against {}", self.samples, other.samples))
    }
}

fn clock(s: f64) -> String {
    let m = (s.max(0.0) / 60.0).round() as i64;
    if m >= 60 { format!("{}:{:02} h", m / 60, m % 60) } else { format!("{m} min") }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> Timestamp {
        s.parse().expect("ts")
    }

    #[test]
    fn same_run_is_judged_by_overlapping_time() {
        let a = t("2026-05-01T07:00:00Z");
        // A re-export: a few seconds apart.
        assert!(same_run(a, Sport::Running, 3600.0, t("2026-05-01T07:00:30Z"), Sport::TrailRunning, 3590.0));
        // A copy cut short (a salvaged half of the file) lies inside the whole.
        assert!(same_run(a, Sport::Running, 3600.0, a, Sport::Running, 1800.0));
        assert!(same_run(t("2026-05-01T07:10:00Z"), Sport::Running, 1200.0, a, Sport::Running, 3600.0));
        // Two runs of one day, or a run and a ride at the same time, are not one.
        assert!(!same_run(a, Sport::Running, 3600.0, t("2026-05-01T08:30:00Z"), Sport::Running, 3600.0));
        assert!(!same_run(a, Sport::Running, 3600.0, t("2026-05-01T07:45:00Z"), Sport::Running, 3600.0));
        assert!(!same_run(a, Sport::Running, 3600.0, a, Sport::Cycling, 3600.0));
    }

    fn line(n: usize, lat0: f64) -> Samples {
        let mut s = Samples::default();
        for i in 0..n {
            let d = i as f64 * 3.0;
            s.push(i as f64, Some(d), Some(3.0), None, None, None, Some(lat0 + d / 111_195.0), Some(7.0));
        }
        s
    }

    #[test]
    fn tracks_decide_between_overlapping_recordings() {
        let a = t("2026-05-01T07:00:00Z");
        let b = t("2026-05-01T07:00:20Z");
        // b started 20 s later on the same line: at equal moments the positions agree.
        let sa = line(600, 45.0);
        let mut sb = line(580, 45.0);
        for lat in sb.lat_deg.iter_mut().flatten() {
            *lat += 60.0 / 111_195.0;
        }
        assert_eq!(same_track(&sa, a, &sb, b), Some(true));
        // 5 km away: another person's run at the same time.
        assert_eq!(same_track(&sa, a, &line(600, 45.05), a), Some(false));
        assert_eq!(same_track(&sa, a, &Samples::default(), a), None);
    }

    fn copy(format: &str, elapsed: f64, salvaged: bool) -> Activity {
        Activity {
            sport: Sport::Running,
            sub_sport: None,
            name: None,
            start: t("2026-05-01T07:00:00Z"),
            utc_offset_s: None,
            elapsed_s: elapsed,
            moving_s: elapsed,
            distance_m: elapsed * 3.0,
            ascent_m: None,
            descent_m: None,
            avg_hr_bpm: None,
            max_hr_bpm: None,
            avg_cadence_spm: None,
            avg_respiration_brpm: None,
            dynamics: None,
            device: None,
            quality: Quality { salvaged, ..Quality::default() },
            laps: vec![],
            samples: line(elapsed as usize, 45.0),
            source: SourceFile { path: "x".into(), format: format.into(), content_hash: "h".into() },
            warnings: vec![],
        }
    }

    #[test]
    fn the_richest_copy_is_intact_then_longer_then_fit() {
        let r = |a: &Activity| Richness::of(a);
        let fit = copy("fit", 3600.0, false);
        let gpx = copy("gpx", 3600.0, false);
        let damaged = copy("fit", 3600.0, true);
        let half = copy("fit", 1800.0, false);
        assert_eq!(r(&fit).better_than(&r(&gpx)).as_deref(), Some("FIT over GPX"));
        assert_eq!(r(&gpx).better_than(&r(&fit)), None);
        assert!(r(&gpx).better_than(&r(&damaged)).is_some_and(|w| w.contains("intact")));
        assert!(r(&fit).better_than(&r(&half)).is_some_and(|w| w.contains("covers")));
        assert_eq!(r(&fit).better_than(&r(&fit.clone())), None, "equal copies keep the stored one");
    }

    #[test]
    fn record_speeds_bound_plausible_paces() {
        // 2:02/km over a marathon is faster than the record (2:00:35 is 2:51/km).
        let v = record_speed_mps(Sport::Running, 42_195.0).expect("record");
        assert!((v - 5.83).abs() < 0.01, "{v}");
        assert!(1000.0 / 122.0 > v);
        // Between records the speed falls with distance.
        let v8 = record_speed_mps(Sport::Running, 8_000.0).expect("8 km");
        assert!(v8 < 6.62 && v8 > 6.37, "{v8}");
        assert!(record_speed_mps(Sport::Cycling, 92_000.0).expect("ride") > 13.0);
        assert_eq!(record_speed_mps(Sport::Other, 1000.0), None);
    }
}
