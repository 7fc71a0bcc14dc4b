//! Run classification: easy, long, intervals, tempo, race, trail/hilly — each label with the features that decided
//! it, so a runner can see why (`runtall runs show ID`).
//!
//! The rules are deliberately simple and explainable rather than learned: every threshold is a named constant below,
//! and every label comes with the numbers that crossed it. "Long" is relative to the runner's own recent history
//! (a 12 km run is long for someone who usually runs 5 km, not for a marathoner); speed work is found both from laps
//! (alternating fast and slow laps, or the watch's work/rest marks) and from the speed profile itself (repeated fast
//! segments with recoveries), so it is recognised whether or not the runner pressed the lap button.
//!
//! Hills come first: whether a run is hilly is decided from its climbing per km and the watch's own sport or
//! sub-sport (trail) before any speed work is looked for. Speed is then judged as grade-adjusted speed (the energy
//! cost of running on a slope, after Minetti et al. 2002, J Appl Physiol 93:1039), so a downhill kilometre is not a
//! "repetition" and an uphill one not a "recovery"; and fast stretches must be confirmed by heart rate (higher in the
//! repetitions than in the recoveries) or by the laps' structure (work/rest marks, laps the runner pressed) before
//! a run is called intervals.

use crate::activity::{Activity, Implausible, LapIntensity, Sport};
use jiff::{SignedDuration, Timestamp};
use runtall_content::RunType;
use serde::{Deserialize, Serialize};

/// The kinds of run runtall tells apart in a runner's history.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum RunLabel {
    Easy,
    Long,
    Intervals,
    Tempo,
    Race,
    Trail,
}

impl RunLabel {
    pub fn as_str(self) -> &'static str {
        match self {
            RunLabel::Easy => "easy",
            RunLabel::Long => "long",
            RunLabel::Intervals => "intervals",
            RunLabel::Tempo => "tempo",
            RunLabel::Race => "race",
            RunLabel::Trail => "trail",
        }
    }

    /// The plan's run type for this label: the plan has one "speed" day for both intervals and tempo runs (the same
    /// pre-run routine and cues apply), and calls hilly runs trail runs.
    pub fn run_type(self) -> RunType {
        match self {
            RunLabel::Easy => RunType::Easy,
            RunLabel::Long => RunType::Long,
            RunLabel::Intervals | RunLabel::Tempo => RunType::Speed,
            RunLabel::Race => RunType::Race,
            RunLabel::Trail => RunType::Trail,
        }
    }
}

/// One fact that went into a label, in words and numbers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Feature {
    pub name: String,
    pub value: String,
    pub note: String,
}

/// Which label each deciding feature name supports; other names (distance, moving time, pace, history, sport) are
/// context shown with every classification.
pub const FEATURE_LABELS: [(&str, RunLabel); 14] = [
    ("trail sport", RunLabel::Trail),
    ("trail sub-sport", RunLabel::Trail),
    ("climbing", RunLabel::Trail),
    ("laps", RunLabel::Intervals),
    ("speed profile", RunLabel::Intervals),
    ("sustained effort", RunLabel::Tempo),
    ("race name", RunLabel::Race),
    ("race distance", RunLabel::Race),
    ("race heart rate", RunLabel::Race),
    ("race pace", RunLabel::Race),
    ("distance vs history", RunLabel::Long),
    ("longest recent run", RunLabel::Long),
    ("long moving time", RunLabel::Long),
    ("effort", RunLabel::Easy),
];

impl Feature {
    fn new(name: &str, value: impl Into<String>, note: impl Into<String>, label: Option<RunLabel>) -> Self {
        debug_assert_eq!(FEATURE_LABELS.iter().find(|(n, _)| *n == name).map(|(_, l)| *l), label, "{name}");
        Self { name: name.to_string(), value: value.into(), note: note.into() }
    }

    /// The label this fact supports, or `None` for context (distance, moving time, pace, history).
    pub fn label(&self) -> Option<RunLabel> {
        FEATURE_LABELS.iter().find(|(n, _)| *n == self.name).map(|(_, l)| *l)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Classification {
    pub label: RunLabel,
    /// Other labels that also apply (a long trail run is both).
    pub also: Vec<RunLabel>,
    pub reasons: Vec<Feature>,
}

impl Classification {
    /// Whether `label` is the main label or one of the others.
    pub fn has(&self, label: RunLabel) -> bool {
        self.label == label || self.also.contains(&label)
    }

    /// The plan's run type for the main label.
    pub fn run_type(&self) -> RunType {
        self.label.run_type()
    }
}

/// What classification needs to know about earlier runs (e.g. to call a run long for *this* runner).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunSummary {
    pub start: Timestamp,
    pub distance_m: f64,
    pub moving_s: f64,
}

impl RunSummary {
    /// The summary of a run, for use as history when classifying later runs.
    pub fn of(a: &Activity) -> Self {
        Self { start: a.start, distance_m: a.distance_m, moving_s: a.moving_s }
    }
}

/// History window for "long" and for the runner's typical pace: 8 weeks before the run.
pub const HISTORY_DAYS: i64 = 56;
/// "The longest of the last weeks" looks this far back.
pub const LONGEST_RECENT_DAYS: i64 = 28;
/// Fewer earlier runs than this is "little history": fixed fallbacks apply.
pub const MIN_HISTORY_RUNS: usize = 4;
/// Long: at least this multiple of the median distance of the history...
pub const LONG_MEDIAN_FACTOR: f64 = 1.5;
/// ... and at least this long (moving time), so a 3 km run after a string of 1.5 km runs is not "long".
pub const LONG_MIN_MOVING_S: f64 = 3600.0;
/// Long with little history: at least 90 minutes moving.
pub const LONG_FALLBACK_MOVING_S: f64 = 5400.0;
/// Longest-of-recent also needs this multiple of the median, so the longest of five equal 5 km runs is not long.
pub const LONGEST_RECENT_MEDIAN_FACTOR: f64 = 1.2;
/// Hilly: metres of ascent per kilometre.
pub const HILLY_M_PER_KM: f64 = 25.0;
/// Heart rate confirms repetitions when it averages at least this much higher in them than in the recoveries
/// (shifted by [`HR_LAG_S`] for the heart's delay). On hills the "fast" downhill stretches have equal or lower heart
/// rate than the "slow" climbs; in real intervals the work raises it by well over 10 bpm, while a few surges in a
/// steady run (a 90-minute "casual stroll" in the corpus) differ by about 7.
pub const HR_CONFIRM_BPM: f64 = 8.0;
/// How long heart rate lags behind a change of pace, seconds.
pub const HR_LAG_S: f64 = 15.0;
/// Steepest grade the energy-cost curve is applied to; beyond it the grade is clamped (GPS/altitude noise on
/// short distances gives absurd slopes).
pub const MAX_GRADE: f64 = 0.45;
/// Intervals: at least this many fast repetitions with recoveries.
pub const MIN_REPS: usize = 3;
/// A repetition is at least this much faster than the recoveries around it.
pub const REP_CONTRAST: f64 = 1.15;
/// From the speed profile (noisier than lap averages: GPS, hills, walk breaks), a repetition must be at least this
/// much faster than the slower stretches around it.
pub const PROFILE_REP_CONTRAST: f64 = 1.25;
/// A repetition is at least this much faster than the run's median moving speed (so traffic-light stops or walk
/// breaks between stretches of ordinary running are not mistaken for recoveries) ...
pub const REP_ABOVE_MEDIAN: f64 = 1.15;
/// ... and, when the runner's typical pace is known, at least this much faster than it.
pub const REP_ABOVE_EASY: f64 = 1.1;
/// Repetitions of one session run at a similar speed: their speeds vary by at most this coefficient of variation.
pub const REP_SPEED_CV: f64 = 0.12;
/// Repetitions last from 30 s to 15 min.
pub const REP_DURATION_S: (f64, f64) = (30.0, 900.0);
/// Tempo: a continuous stretch this long (15–60 min) ...
pub const TEMPO_DURATION_S: (f64, f64) = (900.0, 3600.0);
/// ... at least this much faster than the runner's easy pace ...
pub const TEMPO_FASTER: f64 = 1.08;
/// ... or, with little history, at least this much faster than the rest of the same run (a warm-up and cool-down
/// around the tempo block; the stronger contrast makes up for not knowing the runner's easy pace).
pub const TEMPO_FASTER_THAN_REST: f64 = 1.15;
/// Race by effort: average heart rate at least this share of the run's maximum (a race is run near the limit from
/// start to finish; easy and long runs average well below their peaks).
pub const RACE_HR_RATIO: f64 = 0.92;
/// Race by effort without heart rate: at least this much faster than the runner's typical pace.
pub const RACE_FASTER: f64 = 1.12;
/// Standard race distances, metres.
pub const RACE_DISTANCES_M: [(f64, &str); 6] = [
    (5_000.0, "5 km"),
    (10_000.0, "10 km"),
    (15_000.0, "15 km"),
    (16_093.4, "10 miles"),
    (21_097.5, "half marathon"),
    (42_195.0, "marathon"),
];
/// GPS distance of a race: courses measure short on the tangent and watches long; accept −2 % to +4 %.
pub const RACE_DISTANCE_TOLERANCE: (f64, f64) = (-0.02, 0.04);

/// Classifies one run against the runner's recent history (runs before it; only those in the
/// [`HISTORY_DAYS`] before its start are used, so the caller may pass more).
pub fn classify(activity: &Activity, recent: &[RunSummary]) -> Classification {
    let a = activity;
    let mut reasons = Vec::new();
    let km = a.distance_m / 1000.0;
    reasons.push(Feature::new("distance", format!("{km:.2} km"), "", None));
    reasons.push(Feature::new("moving time", fmt_duration(a.moving_s), "", None));
    if let Some(p) = a.pace_s_per_km() {
        reasons.push(Feature::new("pace", fmt_pace(p), "average moving pace", None));
    }
    if !a.sport.is_run() {
        reasons.push(Feature::new(
            "sport",
            a.sport.as_str(),
            "run labels describe runs; this activity is filed as easy and not compared with runs",
            None,
        ));
        return Classification { label: RunLabel::Easy, also: Vec::new(), reasons };
    }

    let history = History::new(a, recent);
    reasons.push(history.feature());
    if a.quality.is_implausible(Implausible::Pace) {
        // A pace no runner holds is a recording fault: no speed, race or long label is drawn from it.
        reasons.push(Feature::new(
            "sport",
            "implausible pace",
            "faster than the world record over this distance: a recording fault, so no label is drawn from it",
            None,
        ));
        return Classification { label: RunLabel::Easy, also: Vec::new(), reasons };
    }
    let profile = SpeedProfile::new(a);
    let mut labels = Vec::new();

    // Trail / hilly, first: hills change what speed means for everything below.
    let trail_sub = a.sub_sport.as_deref().filter(|s| s.to_lowercase().contains("trail"));
    if a.sport == Sport::TrailRunning {
        labels.push(RunLabel::Trail);
        reasons.push(Feature::new(
            "trail sport",
            "trail running",
            "the watch recorded it as a trail run",
            Some(RunLabel::Trail),
        ));
    } else if let Some(sub) = trail_sub {
        labels.push(RunLabel::Trail);
        reasons.push(Feature::new(
            "trail sub-sport",
            sub,
            "the watch recorded the run's terrain as trail",
            Some(RunLabel::Trail),
        ));
    }
    if let Some(asc) = a.ascent_m.filter(|_| km >= 2.0) {
        let per_km = asc / km;
        if per_km >= HILLY_M_PER_KM {
            if !labels.contains(&RunLabel::Trail) {
                labels.push(RunLabel::Trail);
            }
            reasons.push(Feature::new(
                "climbing",
                format!("{per_km:.0} m/km ({asc:.0} m up)"),
                format!("at least {HILLY_M_PER_KM:.0} m of ascent per km makes a hilly run"),
                Some(RunLabel::Trail),
            ));
        }
    }
    let hilly = labels.contains(&RunLabel::Trail);

    // Intervals: laps first (the runner's own structure), then the speed profile; both on grade-adjusted speed and
    // confirmed by heart rate or the laps' structure.
    let mut checks = Vec::new();
    let intervals = lap_intervals(a, profile.as_ref(), &mut checks)
        .or_else(|| profile.as_ref().and_then(|p| p.intervals(history.easy_speed_mps, hilly, &mut checks)));
    if let Some(f) = intervals {
        labels.push(RunLabel::Intervals);
        reasons.push(f);
    } else {
        reasons.extend(checks);
    }

    // Tempo: only when there were no repeated recoveries.
    if intervals_absent(&labels)
        && let Some(f) = profile.as_ref().and_then(|p| p.tempo(history.easy_speed_mps))
    {
        labels.push(RunLabel::Tempo);
        reasons.push(f);
    }

    // Race: by name, or by an all-out effort over a standard distance.
    if let Some(f) = race_by_name(a.name.as_deref()) {
        labels.push(RunLabel::Race);
        reasons.push(f);
    } else if intervals_absent(&labels)
        && let Some(fs) = race_by_effort(a, history.easy_speed_mps)
    {
        labels.push(RunLabel::Race);
        reasons.extend(fs);
    }

    // Long, relative to the runner's history.
    if let Some(f) = history.long(a) {
        labels.push(RunLabel::Long);
        reasons.push(f);
    }

    // The main label is the one that changes the plan's advice most: a race or speed session over a long run (both
    // have their own pre-run routine), a long run over a tempo stretch inside it, any of those over hills.
    const PRIORITY: [RunLabel; 5] =
        [RunLabel::Race, RunLabel::Intervals, RunLabel::Long, RunLabel::Tempo, RunLabel::Trail];
    let label = PRIORITY.into_iter().find(|l| labels.contains(l)).unwrap_or(RunLabel::Easy);
    let also = PRIORITY.into_iter().filter(|l| *l != label && labels.contains(l)).collect();
    if label == RunLabel::Easy {
        let note = match history.easy_speed_mps.zip(a.pace_s_per_km()) {
            Some((easy, p)) => {
                format!("no long, speed, race or hill features; typical pace {}", fmt_pace(1000.0 / easy))
                    + if 1000.0 / p > easy * TEMPO_FASTER {
                        " (this run was faster, but not sustained or structured)"
                    } else {
                        ""
                    }
            }
            None => "no long, speed, race or hill features".to_string(),
        };
        reasons.push(Feature::new("effort", "steady", note, Some(RunLabel::Easy)));
    }
    Classification { label, also, reasons }
}

fn intervals_absent(labels: &[RunLabel]) -> bool {
    !labels.contains(&RunLabel::Intervals)
}

fn fmt_duration(s: f64) -> String {
    let s = s.max(0.0).round() as i64;
    if s >= 3600 {
        format!("{}:{:02}:{:02}", s / 3600, s / 60 % 60, s % 60)
    } else {
        format!("{}:{:02}", s / 60, s % 60)
    }
}

fn fmt_pace(s_per_km: f64) -> String {
    let s = s_per_km.round() as i64;
    format!("{}:{:02}/km", s / 60, s % 60)
}

fn median(v: &mut [f64]) -> Option<f64> {
    if v.is_empty() {
        return None;
    }
    v.sort_by(f64::total_cmp);
    let n = v.len();
    Some(if n % 2 == 1 { v[n / 2] } else { (v[n / 2 - 1] + v[n / 2]) / 2.0 })
}

/// The runner's recent runs, as far as classification needs them.
struct History {
    runs: usize,
    median_distance_m: Option<f64>,
    longest_recent_m: Option<f64>,
    /// Median speed of recent runs: most runs are easy, so this is the runner's easy pace.
    easy_speed_mps: Option<f64>,
}

impl History {
    fn new(a: &Activity, recent: &[RunSummary]) -> Self {
        let from = a.start.checked_sub(SignedDuration::from_hours(24 * HISTORY_DAYS)).unwrap_or(a.start);
        let recent_from = a.start.checked_sub(SignedDuration::from_hours(24 * LONGEST_RECENT_DAYS)).unwrap_or(a.start);
        let runs: Vec<&RunSummary> =
            recent.iter().filter(|r| r.start >= from && r.start < a.start && r.distance_m > 0.0).collect();
        let mut d: Vec<f64> = runs.iter().map(|r| r.distance_m).collect();
        let mut v: Vec<f64> = runs
            .iter()
            .filter(|r| r.moving_s > 0.0)
            .map(|r| r.distance_m / r.moving_s)
            .filter(|v| v.is_finite())
            .collect();
        let enough = runs.len() >= MIN_HISTORY_RUNS;
        Self {
            runs: runs.len(),
            median_distance_m: if enough { median(&mut d) } else { None },
            longest_recent_m: runs.iter().filter(|r| r.start >= recent_from).map(|r| r.distance_m).reduce(f64::max),
            easy_speed_mps: if enough { median(&mut v) } else { None },
        }
    }

    fn feature(&self) -> Feature {
        match (self.median_distance_m, self.easy_speed_mps) {
            (Some(m), Some(v)) => Feature::new(
                "history",
                format!("{} in {} weeks", crate::text::count(self.runs as u64, "run", "runs"), HISTORY_DAYS / 7),
                format!("median distance {:.1} km, typical pace {}", m / 1000.0, fmt_pace(1000.0 / v)),
                None,
            ),
            _ => Feature::new(
                "history",
                format!("{} in {} weeks", crate::text::count(self.runs as u64, "run", "runs"), HISTORY_DAYS / 7),
                format!("fewer than {MIN_HISTORY_RUNS} earlier runs: fixed thresholds are used"),
                None,
            ),
        }
    }

    fn long(&self, a: &Activity) -> Option<Feature> {
        let l = Some(RunLabel::Long);
        match self.median_distance_m {
            Some(med) => {
                if a.moving_s < LONG_MIN_MOVING_S {
                    return None;
                }
                let ratio = a.distance_m / med;
                if ratio >= LONG_MEDIAN_FACTOR {
                    return Some(Feature::new(
                        "distance vs history",
                        format!("{ratio:.1}× the median {:.1} km", med / 1000.0),
                        format!("at least {LONG_MEDIAN_FACTOR}× your usual distance and over an hour"),
                        l,
                    ));
                }
                let longest = self.longest_recent_m.unwrap_or(0.0);
                (a.distance_m > longest && ratio >= LONGEST_RECENT_MEDIAN_FACTOR).then(|| {
                    Feature::new(
                        "longest recent run",
                        format!("{:.1} km > {:.1} km", a.distance_m / 1000.0, longest / 1000.0),
                        format!("your longest run of the last {} weeks, and over an hour", LONGEST_RECENT_DAYS / 7),
                        l,
                    )
                })
            }
            None => (a.moving_s >= LONG_FALLBACK_MOVING_S).then(|| {
                Feature::new(
                    "long moving time",
                    fmt_duration(a.moving_s),
                    format!("over {} min (little history to compare with)", LONG_FALLBACK_MOVING_S / 60.0),
                    l,
                )
            }),
        }
    }
}

/// Laps that alternate fast and slow on grade-adjusted speed and are confirmed by heart rate or by being laps the
/// runner pressed, or the watch's own work/rest marks. A lap pattern that fails a check leaves a context feature in
/// `checks` saying why.
fn lap_intervals(a: &Activity, profile: Option<&SpeedProfile>, checks: &mut Vec<Feature>) -> Option<Feature> {
    let l = Some(RunLabel::Intervals);
    // Work/rest marks from a structured workout.
    let marks: Vec<bool> = a
        .laps
        .iter()
        .filter_map(|l| match l.intensity {
            Some(LapIntensity::Interval | LapIntensity::Active) => Some(true),
            Some(LapIntensity::Rest | LapIntensity::Recovery) => Some(false),
            _ => None,
        })
        .collect();
    let marked = marks.windows(2).filter(|w| w[0] && !w[1]).count();
    if marked >= MIN_REPS {
        return Some(Feature::new(
            "laps",
            format!("{marked} work laps each followed by a rest lap"),
            "the watch marked work and recovery laps (a structured workout)",
            l,
        ));
    }
    // Alternating lap speeds, grade-adjusted: (speed, duration, heart rate, slope adjusted).
    struct LapPace {
        v: f64,
        dur: f64,
        hr: Option<f64>,
        pressed: bool,
    }
    let mut adjusted = false;
    let laps: Vec<LapPace> = a
        .laps
        .iter()
        .filter(|l| l.elapsed_s >= 20.0 && l.distance_m >= 50.0)
        .filter_map(|lap| {
            let v = lap.avg_speed_mps.or_else(|| (lap.elapsed_s > 0.0).then(|| lap.distance_m / lap.elapsed_s))?;
            let (t0, t1) = (lap.start_offset_s, lap.start_offset_s + lap.elapsed_s);
            let factor = profile.and_then(|p| p.climb_between(t0, t1)).map(|dz| cost_factor(dz / lap.distance_m));
            adjusted |= factor.is_some_and(|f| (f - 1.0).abs() > 0.03);
            let hr = lap.avg_hr_bpm.or_else(|| profile.and_then(|p| p.mean_hr(t0, t1)));
            let pressed = lap.trigger.as_deref() == Some("manual");
            Some(LapPace { v: v * factor.unwrap_or(1.0), dur: lap.elapsed_s, hr, pressed })
        })
        .collect();
    if laps.len() < 2 * MIN_REPS {
        return None;
    }
    let (lo, hi) = two_means(laps.iter().map(|x| x.v))?;
    if hi < lo * REP_CONTRAST {
        if adjusted {
            let (rlo, rhi) = two_means(a.laps.iter().filter_map(|l| l.avg_speed_mps)).unwrap_or((0.0, 0.0));
            if rhi >= rlo * REP_CONTRAST {
                checks.push(Feature::new(
                    "speed work check",
                    "laps even on grade-adjusted pace",
                    "the fast laps were downhill and the slow ones uphill: the effort was even, not intervals",
                    None,
                ));
            }
        }
        return None;
    }
    let mid = (lo + hi) / 2.0;
    let (mut reps, mut rep_speeds, mut rep_hr, mut rec_hr, mut pressed) = (0, Vec::new(), Vec::new(), Vec::new(), 0);
    for w in laps.windows(2) {
        let (r, c) = (&w[0], &w[1]);
        if r.v >= mid
            && c.v < mid
            && r.v >= c.v * REP_CONTRAST
            && (REP_DURATION_S.0..=REP_DURATION_S.1).contains(&r.dur)
        {
            reps += 1;
            rep_speeds.push(r.v);
            if let (Some(h0), Some(h1)) = (r.hr, c.hr) {
                rep_hr.push(h0);
                rec_hr.push(h1);
            }
            pressed += usize::from(r.pressed || c.pressed);
        }
    }
    if reps < MIN_REPS {
        return None;
    }
    let confirmed = if rep_hr.len() >= MIN_REPS {
        let (h0, h1) = (mean(&rep_hr), mean(&rec_hr));
        if h0 < h1 + HR_CONFIRM_BPM {
            checks.push(Feature::new(
                "speed work check",
                format!("heart rate {h0:.0} bpm in the fast laps, {h1:.0} bpm in the slow ones"),
                "the faster laps did not raise the heart rate: not intervals (hills, or laps of uneven ground)",
                None,
            ));
            return None;
        }
        format!("; heart rate {h0:.0} against {h1:.0} bpm")
    } else if pressed >= MIN_REPS {
        "; laps pressed by the runner".to_string()
    } else {
        checks.push(Feature::new(
            "speed work check",
            format!("{reps} automatic laps alternate fast and slow"),
            "without heart rate or laps the runner pressed, alternating automatic laps do not show a workout",
            None,
        ));
        return None;
    };
    Some(Feature::new(
        "laps",
        format!("{reps} fast laps each followed by a slower one"),
        format!(
            "fast laps averaged {}, recovery laps {}{}{confirmed}",
            fmt_pace(1000.0 / mean(&rep_speeds)),
            fmt_pace(1000.0 / lo),
            if adjusted { " (grade-adjusted)" } else { "" },
        ),
        l,
    ))
}

fn mean(v: &[f64]) -> f64 {
    if v.is_empty() { 0.0 } else { v.iter().sum::<f64>() / v.len() as f64 }
}

/// Energy cost of running on `grade` (rise over run) relative to the flat, from the polynomial fitted by Minetti et
/// al. (2002) to measured costs between −45% and +45%: a speed times this factor is the flat speed of equal effort
/// (grade-adjusted speed). Downhill to about −20% is cheaper than the flat, steeper descents cost more again.
pub fn cost_factor(grade: f64) -> f64 {
    let i = if grade.is_finite() { grade.clamp(-MAX_GRADE, MAX_GRADE) } else { 0.0 };
    let c = ((((155.4 * i - 30.4) * i - 43.3) * i + 46.3) * i + 19.5) * i + 3.6;
    c / 3.6
}

/// Means of the slow and fast groups of a 1-D set (2-means, a few iterations from min/max).
fn two_means(values: impl Iterator<Item = f64>) -> Option<(f64, f64)> {
    let v: Vec<f64> = values.filter(|x| x.is_finite()).collect();
    let (mut lo, mut hi) = (v.iter().copied().reduce(f64::min)?, v.iter().copied().reduce(f64::max)?);
    for _ in 0..10 {
        let mid = (lo + hi) / 2.0;
        let (a, b): (Vec<f64>, Vec<f64>) = v.iter().partition(|x| **x < mid);
        if a.is_empty() || b.is_empty() {
            break;
        }
        lo = a.iter().sum::<f64>() / a.len() as f64;
        hi = b.iter().sum::<f64>() / b.len() as f64;
    }
    Some((lo, hi))
}

/// Speed on a regular 5-s grid, grade-adjusted where altitude was recorded, smoothed; stops (gaps in the samples)
/// count as speed 0.
struct SpeedProfile {
    /// Smoothed over 30 s: for repetitions.
    fast: Vec<f64>,
    /// Smoothed over 90 s: for sustained efforts.
    slow: Vec<f64>,
    median_moving: f64,
    /// Time of bin 0, seconds from the activity start.
    t0: f64,
    /// Smoothed altitude per bin, when recorded.
    alt: Option<Vec<f64>>,
    /// Mean heart rate per bin, when recorded.
    hr: Vec<Option<f64>>,
    /// Whether the speeds were adjusted for slope (some bin changed by more than 3%).
    graded: bool,
}

/// Bins on each side over which a slope is measured (±30 s): shorter windows turn altitude noise into grades.
const GRADE_HALF_BINS: usize = 6;

const BIN_S: f64 = 5.0;
/// Slower than this (8:20/km) is walking for the purpose of telling run/walk from intervals.
const RUNNING_MPS: f64 = 2.0;

impl SpeedProfile {
    fn new(a: &Activity) -> Option<Self> {
        let s = &a.samples;
        let n = s.len();
        if n < 10 {
            return None;
        }
        let (t0, t1) = (*s.t_s.first()?, *s.t_s.last()?);
        let bins = ((t1 - t0) / BIN_S).ceil() as usize + 1;
        if !(12..=3_000_000).contains(&bins) {
            return None;
        }
        let with_distance = s.distance_m.iter().filter(|d| d.is_some()).count();
        let raw = if with_distance * 2 >= n {
            // Speed from cumulative distance interpolated onto the grid: watches that record "smartly" leave gaps
            // of 10–30 s while running, and a gap must not look like a stop. A real stop keeps the distance flat.
            let pts: Vec<(f64, f64)> =
                (0..n).filter_map(|i| s.distance_m[i].filter(|d| d.is_finite()).map(|d| (s.t_s[i], d))).collect();
            let mut dist = Vec::with_capacity(bins + 1);
            let mut j = 0usize;
            for b in 0..=bins {
                let t = t0 + b as f64 * BIN_S;
                while j + 1 < pts.len() && pts[j + 1].0 <= t {
                    j += 1;
                }
                let d = match (pts.get(j), pts.get(j + 1)) {
                    (Some(&(ta, da)), Some(&(tb, db))) if t > ta && tb > ta => {
                        da + (db - da) * ((t - ta) / (tb - ta)).min(1.0)
                    }
                    (Some(&(_, da)), _) => da,
                    _ => 0.0,
                };
                dist.push(d);
            }
            dist.windows(2).map(|w| ((w[1] - w[0]) / BIN_S).max(0.0)).collect::<Vec<f64>>()
        } else {
            // Recorded speed per bin; empty bins inside a long gap (autopause) are stops, short gaps carry on.
            let mut sum = vec![0.0; bins];
            let mut cnt = vec![0u32; bins];
            for i in 0..n {
                if let Some(v) = s.speed_mps[i].filter(|v| v.is_finite() && *v >= 0.0) {
                    let b = (((s.t_s[i] - t0) / BIN_S) as usize).min(bins - 1);
                    sum[b] += v;
                    cnt[b] += 1;
                }
            }
            if cnt.iter().all(|c| *c == 0) {
                return None;
            }
            let mut raw = vec![0.0; bins];
            let mut last = 0.0;
            let mut since = 0usize;
            for b in 0..bins {
                if cnt[b] > 0 {
                    last = sum[b] / f64::from(cnt[b]);
                    since = 0;
                    raw[b] = last;
                } else {
                    since += 1;
                    raw[b] = if since as f64 * BIN_S <= 10.0 { last } else { 0.0 };
                }
            }
            raw
        };
        let alt = grid_altitude(a, t0, bins);
        let mut raw = raw;
        let mut graded = false;
        if let Some(alt) = &alt {
            // Distance on the grid from the (not yet adjusted) speeds, then the slope over ±30 s at each bin.
            let mut cum = Vec::with_capacity(raw.len() + 1);
            cum.push(0.0);
            for v in &raw {
                let last = cum.last().copied().unwrap_or(0.0);
                cum.push(last + v * BIN_S);
            }
            let n = raw.len().min(alt.len());
            for (b, v) in raw.iter_mut().enumerate().take(n) {
                let (i, j) = (b.saturating_sub(GRADE_HALF_BINS), (b + GRADE_HALF_BINS).min(n - 1));
                let run = cum[j + 1] - cum[i];
                if run >= 20.0 {
                    let f = cost_factor((alt[j] - alt[i]) / run);
                    graded |= (f - 1.0).abs() > 0.03;
                    *v *= f;
                }
            }
        }
        let hr = grid_hr(a, t0, bins);
        let fast = moving_average(&raw, 3);
        let slow = moving_average(&raw, 9);
        let mut moving: Vec<f64> = raw.iter().copied().filter(|v| *v >= 1.0).collect();
        let n_moving = moving.len();
        let mut median_moving = median(&mut moving)?;
        // In a run/walk the walking drags the moving median down, and ordinary running would then look "fast":
        // compare repetitions with the running part when there is a fair amount of it.
        let mut running: Vec<f64> = raw.iter().copied().filter(|v| *v >= RUNNING_MPS).collect();
        if running.len() * 4 >= n_moving {
            median_moving = median_moving.max(median(&mut running).unwrap_or(0.0));
        }
        Some(Self { fast, slow, median_moving, t0, alt, hr, graded })
    }

    fn bin(&self, t: f64) -> usize {
        ((t - self.t0).max(0.0) / BIN_S) as usize
    }

    /// Metres climbed (negative: descended) between two times, from the smoothed altitude.
    fn climb_between(&self, t0: f64, t1: f64) -> Option<f64> {
        let alt = self.alt.as_ref()?;
        let last = alt.len().checked_sub(1)?;
        Some(alt[self.bin(t1).min(last)] - alt[self.bin(t0).min(last)])
    }

    /// Mean heart rate between two times, when at least half of the bins have one.
    fn mean_hr(&self, t0: f64, t1: f64) -> Option<f64> {
        self.mean_hr_bins(self.bin(t0), self.bin(t1))
    }

    fn mean_hr_bins(&self, from: usize, to: usize) -> Option<f64> {
        let bins = self.hr.get(from.min(self.hr.len())..to.min(self.hr.len()))?;
        let known: Vec<f64> = bins.iter().flatten().copied().collect();
        (!bins.is_empty() && known.len() * 2 >= bins.len()).then(|| mean(&known))
    }

    /// Repeated fast segments with recoveries between them, confirmed by heart rate where it was recorded; without
    /// heart rate only on a run that is not hilly (where hills, not the runner, make the speed vary).
    fn intervals(&self, easy: Option<f64>, hilly: bool, checks: &mut Vec<Feature>) -> Option<Feature> {
        let v = &self.fast;
        let moving: Vec<f64> = v.iter().copied().filter(|x| *x >= 1.0).collect();
        let (lo, hi) = (percentile(&moving, 0.2)?, percentile(&moving, 0.9)?);
        if hi < lo * PROFILE_REP_CONTRAST {
            return None;
        }
        let floor = (self.median_moving * REP_ABOVE_MEDIAN).max(easy.map_or(0.0, |e| e * REP_ABOVE_EASY));
        let thr = (lo + hi) / 2.0;
        // Segments above / below the threshold, merging blips shorter than 15 s.
        let segs = segments(v, thr, 3);
        let starts: Vec<usize> = segs
            .iter()
            .scan(0usize, |at, s| {
                let here = *at;
                *at += s.len;
                Some(here)
            })
            .collect();
        let lag = (HR_LAG_S / BIN_S) as usize;
        let seg_hr = |j: usize| self.mean_hr_bins(starts[j] + lag, starts[j] + segs[j].len + lag);
        let (mut rep_hr, mut rec_hr) = (Vec::new(), Vec::new());
        let mut reps = Vec::new();
        for (k, s) in segs.iter().enumerate() {
            if !s.fast {
                continue;
            }
            let dur = s.len as f64 * BIN_S;
            if !(REP_DURATION_S.0..=REP_DURATION_S.1).contains(&dur) || s.mean < floor {
                continue;
            }
            let recov = |j: Option<usize>| {
                j.and_then(|j| segs.get(j))
                    .filter(|r| !r.fast && r.len as f64 * BIN_S >= 30.0 && r.len as f64 * BIN_S <= 600.0)
                    .map(|r| r.mean)
            };
            let around = [recov(k.checked_sub(1)), recov(Some(k + 1))];
            if around.iter().flatten().any(|r| s.mean >= r * PROFILE_REP_CONTRAST) {
                reps.push((s.mean, dur));
                let recovery = [k.checked_sub(1), Some(k + 1)]
                    .into_iter()
                    .flatten()
                    .filter(|j| recov(Some(*j)).is_some())
                    .find_map(seg_hr);
                if let (Some(h0), Some(h1)) = (seg_hr(k), recovery) {
                    rep_hr.push(h0);
                    rec_hr.push(h1);
                }
            }
        }
        if reps.len() < MIN_REPS {
            return None;
        }
        let what = if self.graded { "grade-adjusted pace" } else { "pace" };
        let confirmed = if rep_hr.len() >= MIN_REPS {
            let (h0, h1) = (mean(&rep_hr), mean(&rec_hr));
            if h0 < h1 + HR_CONFIRM_BPM {
                checks.push(Feature::new(
                    "speed work check",
                    format!("heart rate {h0:.0} bpm in the fast stretches, {h1:.0} bpm between them"),
                    format!("{} faster stretches (by {what}) did not raise the heart rate: not intervals", reps.len()),
                    None,
                ));
                return None;
            }
            format!("; heart rate {h0:.0} against {h1:.0} bpm in the recoveries")
        } else if hilly {
            checks.push(Feature::new(
                "speed work check",
                format!("{} faster stretches on a hilly run", reps.len()),
                "without heart rate to confirm them, speed changes on hills are not taken for intervals",
                None,
            ));
            return None;
        } else {
            String::new()
        };
        // Structured repetitions run at one speed; random surges (hills, GPS noise) do not.
        let n = reps.len() as f64;
        let mean = reps.iter().map(|r| r.0).sum::<f64>() / n;
        let cv = (reps.iter().map(|r| (r.0 - mean).powi(2)).sum::<f64>() / n).sqrt() / mean;
        (cv <= REP_SPEED_CV).then(|| {
            let mean_v = reps.iter().map(|r| r.0).sum::<f64>() / reps.len() as f64;
            let mean_d = reps.iter().map(|r| r.1).sum::<f64>() / reps.len() as f64;
            Feature::new(
                "speed profile",
                format!("{} fast segments with recoveries", reps.len()),
                format!(
                    "repetitions of about {} at {} (the run's median moving {what} is {}){confirmed}",
                    fmt_duration(mean_d),
                    fmt_pace(1000.0 / mean_v),
                    fmt_pace(1000.0 / self.median_moving)
                ),
                Some(RunLabel::Intervals),
            )
        })
    }

    /// The longest continuous stretch clearly faster than easy pace. With history, "easy" is the runner's typical
    /// pace; without, the rest of this run (a warm-up and cool-down around a tempo block), which must then exist.
    fn tempo(&self, easy: Option<f64>) -> Option<Feature> {
        let v = &self.slow;
        let moving: Vec<f64> = v.iter().copied().filter(|x| *x >= 1.0).collect();
        let reference = match easy {
            Some(e) => e,
            None => percentile(&moving, 0.3)?,
        };
        let thr = reference * TEMPO_FASTER;
        // Allow dips below the threshold of up to 30 s (a bend, a water bottle).
        let segs = segments(v, thr, 6);
        let best = segs.iter().enumerate().filter(|(_, s)| s.fast).max_by_key(|(_, s)| s.len)?;
        let (start, seg) = (best.0, best.1);
        let dur = seg.len as f64 * BIN_S;
        if !(TEMPO_DURATION_S.0..=TEMPO_DURATION_S.1).contains(&dur) {
            return None;
        }
        let from: usize = segs[..start].iter().map(|s| s.len).sum();
        let rest: Vec<f64> = v[..from].iter().chain(&v[from + seg.len..]).copied().filter(|x| *x >= 1.0).collect();
        let basis = match easy {
            Some(e) => format!("your typical pace {}", fmt_pace(1000.0 / e)),
            None => {
                // Without history the contrast must come from this run: at least 5 min of slower running around it.
                if rest.len() as f64 * BIN_S < 300.0 {
                    return None;
                }
                let rest_mean = rest.iter().sum::<f64>() / rest.len() as f64;
                if seg.mean < rest_mean * TEMPO_FASTER_THAN_REST {
                    return None;
                }
                format!("the rest of this run at {}", fmt_pace(1000.0 / rest_mean))
            }
        };
        if seg.mean < reference * TEMPO_FASTER {
            return None;
        }
        Some(Feature::new(
            "sustained effort",
            format!("{} at {}", fmt_duration(dur), fmt_pace(1000.0 / seg.mean)),
            format!(
                "a continuous stretch of 15–60 min at least {:.0}% faster than {basis}, without recoveries",
                (if easy.is_some() { TEMPO_FASTER } else { TEMPO_FASTER_THAN_REST } - 1.0) * 100.0
            ),
            Some(RunLabel::Tempo),
        ))
    }
}

/// Altitude on the grid (linear between samples, then averaged over ±30 s), when at least half of the samples
/// have one and the run changes height at all.
fn grid_altitude(a: &Activity, t0: f64, bins: usize) -> Option<Vec<f64>> {
    let s = &a.samples;
    let pts: Vec<(f64, f64)> =
        (0..s.len()).filter_map(|i| s.altitude_m[i].filter(|x| x.is_finite()).map(|x| (s.t_s[i], x))).collect();
    if pts.len() * 2 < s.len() || pts.len() < 2 {
        return None;
    }
    let mut out = Vec::with_capacity(bins);
    let mut j = 0usize;
    for b in 0..bins {
        let t = t0 + b as f64 * BIN_S;
        while j + 1 < pts.len() && pts[j + 1].0 <= t {
            j += 1;
        }
        let x = match (pts.get(j), pts.get(j + 1)) {
            (Some(&(ta, xa)), Some(&(tb, xb))) if t > ta && tb > ta => xa + (xb - xa) * ((t - ta) / (tb - ta)).min(1.0),
            (Some(&(_, xa)), _) => xa,
            _ => return None,
        };
        out.push(x);
    }
    let smooth = moving_average(&out, GRADE_HALF_BINS);
    let (lo, hi) = smooth.iter().fold((f64::MAX, f64::MIN), |(l, h), x| (l.min(*x), h.max(*x)));
    (hi - lo >= 1.0).then_some(smooth)
}

/// Mean recorded heart rate per bin.
fn grid_hr(a: &Activity, t0: f64, bins: usize) -> Vec<Option<f64>> {
    let s = &a.samples;
    let mut sum = vec![0.0; bins];
    let mut cnt = vec![0u32; bins];
    let implausible = a.quality.is_implausible(Implausible::HeartRate);
    for i in 0..s.len() {
        if let Some(h) = s.hr_bpm[i].filter(|h| h.is_finite() && *h > 0.0 && !implausible) {
            let b = (((s.t_s[i] - t0) / BIN_S).max(0.0) as usize).min(bins.saturating_sub(1));
            if let (Some(x), Some(c)) = (sum.get_mut(b), cnt.get_mut(b)) {
                *x += h;
                *c += 1;
            }
        }
    }
    sum.into_iter().zip(cnt).map(|(x, c)| (c > 0).then(|| x / f64::from(c))).collect()
}

/// A run of bins on one side of a threshold.
#[derive(Debug, Clone, Copy)]
struct Segment {
    fast: bool,
    len: usize,
    mean: f64,
}

/// Split a series into alternating fast/slow segments, absorbing segments shorter than `min_bins` into their
/// neighbours (so a 5-s dip does not split a repetition).
fn segments(v: &[f64], thr: f64, min_bins: usize) -> Vec<Segment> {
    let mut segs: Vec<(bool, usize, f64)> = Vec::new();
    for &x in v {
        let fast = x >= thr;
        match segs.last_mut() {
            Some(s) if s.0 == fast => {
                s.1 += 1;
                s.2 += x;
            }
            _ => segs.push((fast, 1, x)),
        }
    }
    // Absorb short segments: flip them to their neighbours' side and merge.
    let mut merged: Vec<(bool, usize, f64)> = Vec::new();
    for (i, s) in segs.iter().enumerate() {
        let interior = i > 0 && i + 1 < segs.len();
        let side = if s.1 < min_bins && interior { !s.0 } else { s.0 };
        match merged.last_mut() {
            Some(m) if m.0 == side => {
                m.1 += s.1;
                m.2 += s.2;
            }
            _ => merged.push((side, s.1, s.2)),
        }
    }
    merged.into_iter().map(|(fast, len, sum)| Segment { fast, len, mean: sum / len as f64 }).collect()
}

fn moving_average(v: &[f64], half: usize) -> Vec<f64> {
    let n = v.len();
    let mut prefix = vec![0.0; n + 1];
    for i in 0..n {
        prefix[i + 1] = prefix[i] + v[i];
    }
    (0..n)
        .map(|i| {
            let (a, b) = (i.saturating_sub(half), (i + half + 1).min(n));
            (prefix[b] - prefix[a]) / (b - a) as f64
        })
        .collect()
}

fn percentile(v: &[f64], q: f64) -> Option<f64> {
    if v.is_empty() {
        return None;
    }
    let mut s = v.to_vec();
    s.sort_by(f64::total_cmp);
    let i = ((s.len() - 1) as f64 * q).round() as usize;
    s.get(i).copied()
}

/// Words in names that mean a race, and words that mean a training run about a race ("marathon pace").
const RACE_WORDS: [&str; 12] = [
    "race",
    "racing",
    "parkrun",
    "marathon",
    "halfmarathon",
    "ultra",
    "championship",
    "championships",
    "relay",
    "5k",
    "10k",
    "15k",
];
const RACE_EXTRA_WORDS: [&str; 6] = ["21k", "42k", "5km", "10km", "xc", "tt"];
const NOT_RACE_WORDS: [&str; 9] =
    ["easy", "recovery", "training", "pace", "tempo", "workout", "reps", "shakeout", "jog"];

fn race_by_name(name: Option<&str>) -> Option<Feature> {
    let name = name?;
    let lower = name.to_lowercase();
    let words: Vec<&str> = lower.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).collect();
    if words.iter().any(|w| NOT_RACE_WORDS.contains(w)) {
        return None;
    }
    let hit = words
        .iter()
        .find(|w| {
            RACE_WORDS.contains(w) || RACE_EXTRA_WORDS.contains(w) || w.ends_with("parkrun") || w.ends_with("marathon")
        })
        .map(|w| (*w).to_string())
        .or_else(|| lower.contains("time trial").then(|| "time trial".to_string()))?;
    Some(Feature::new("race name", name, format!("the name says \"{hit}\""), Some(RunLabel::Race)))
}

fn race_by_effort(a: &Activity, easy: Option<f64>) -> Option<Vec<Feature>> {
    let (target, label) = RACE_DISTANCES_M.iter().copied().find(|(d, _)| {
        let rel = (a.distance_m - d) / d;
        rel >= RACE_DISTANCE_TOLERANCE.0 && rel <= RACE_DISTANCE_TOLERANCE.1
    })?;
    let speed = a.distance_m / a.moving_s.max(1.0);
    let l = Some(RunLabel::Race);
    let dist = Feature::new(
        "race distance",
        format!("{:.2} km", a.distance_m / 1000.0),
        format!(
            "within {:.0}–{:.0}% of {label} ({:.3} km)",
            RACE_DISTANCE_TOLERANCE.0 * 100.0,
            RACE_DISTANCE_TOLERANCE.1 * 100.0,
            target / 1000.0
        ),
        l,
    );
    let hr = a
        .avg_hr_bpm
        .zip(a.max_hr_bpm)
        .filter(|(_, m)| *m > 0.0 && !a.quality.is_implausible(Implausible::HeartRate))
        .map(|(avg, max)| (avg, max, avg / max));
    let faster = easy.map(|e| speed / e);
    if let Some((avg, max, ratio)) = hr
        && ratio >= RACE_HR_RATIO
        && faster.is_none_or(|f| f >= 1.0)
    {
        return Some(vec![
            dist,
            Feature::new(
                "race heart rate",
                format!("average {avg:.0} of max {max:.0} bpm ({:.0}%)", ratio * 100.0),
                format!(
                    "an average of {:.0}% or more of the run's own maximum: only a hard effort kept up over the whole \
                     distance averages that close to its peak",
                    RACE_HR_RATIO * 100.0
                ),
                l,
            ),
        ]);
    }
    if let (Some(f), Some(e)) = (faster, easy)
        && f >= RACE_FASTER
    {
        return Some(vec![
            dist,
            Feature::new(
                "race pace",
                format!("{} vs {}", fmt_pace(1000.0 / speed), fmt_pace(1000.0 / e)),
                format!(
                    "at least {:.0}% faster than your typical pace over a whole race distance",
                    (RACE_FASTER - 1.0) * 100.0
                ),
                l,
            ),
        ]);
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::activity::{Lap, Samples, SourceFile};

    const T0: i64 = 1_780_000_000;

    fn ts(s: i64) -> Timestamp {
        Timestamp::from_second(s).expect("ts")
    }

    /// A run built from (duration s, speed m/s) blocks, sampled every second, with optional laps per block.
    fn run(blocks: &[(f64, f64)], laps: bool, hr: Option<(f64, f64)>) -> Activity {
        let mut s = Samples::default();
        let (mut t, mut d) = (0.0, 0.0);
        let mut lap_list = Vec::new();
        for &(dur, v) in blocks {
            let (lap_t, lap_d) = (t, d);
            let n = dur as usize;
            for _ in 0..n {
                // Heart rate follows the effort: higher in fast blocks, lower in slow ones.
                let h = hr.map(|h| (h.0 + 10.0 * (v - 3.0)).min(h.1));
                s.push(t, Some(d), Some(v), h, Some(170.0), Some(100.0), None, None);
                t += 1.0;
                d += v;
            }
            if laps {
                lap_list.push(Lap {
                    start_offset_s: lap_t,
                    elapsed_s: t - lap_t,
                    moving_s: Some(t - lap_t),
                    distance_m: d - lap_d,
                    avg_speed_mps: Some(v),
                    max_speed_mps: None,
                    avg_hr_bpm: None,
                    max_hr_bpm: None,
                    avg_cadence_spm: None,
                    intensity: None,
                    trigger: Some("manual".into()),
                });
            }
        }
        Activity {
            sport: Sport::Running,
            sub_sport: None,
            name: None,
            start: ts(T0),
            utc_offset_s: None,
            elapsed_s: t,
            moving_s: t,
            distance_m: d,
            ascent_m: Some(20.0),
            descent_m: Some(20.0),
            avg_hr_bpm: hr.map(|h| h.0),
            max_hr_bpm: hr.map(|h| h.1),
            avg_cadence_spm: Some(170.0),
            avg_respiration_brpm: None,
            dynamics: None,
            device: None,
            quality: Default::default(),
            laps: lap_list,
            samples: s,
            source: SourceFile { path: "t".into(), format: "fit".into(), content_hash: "h".into() },
            warnings: Vec::new(),
        }
    }

    /// Easy runs of `km` at 6:00/km, one every other day before T0.
    fn history(n: usize, km: f64) -> Vec<RunSummary> {
        (1..=n)
            .map(|i| RunSummary {
                start: ts(T0 - 2 * 86_400 * i as i64),
                distance_m: km * 1000.0,
                moving_s: km * 360.0,
            })
            .collect()
    }

    const EASY: f64 = 1000.0 / 360.0; // 6:00/km

    fn six_by_800(laps: bool) -> Activity {
        let mut b = vec![(900.0, EASY)];
        for _ in 0..6 {
            b.push((800.0 / 4.2, 4.2)); // 800 m at ~3:58/km
            b.push((120.0, 2.2)); // 2 min jog
        }
        b.push((600.0, EASY));
        run(&b, laps, Some((150.0, 178.0)))
    }

    #[test]
    fn intervals_from_laps() {
        let c = classify(&six_by_800(true), &history(10, 8.0));
        assert_eq!(c.label, RunLabel::Intervals, "{c:#?}");
        let f = c.reasons.iter().find(|f| f.label() == Some(RunLabel::Intervals)).expect("feature");
        assert_eq!(f.name, "laps");
        assert!(f.value.starts_with('6'), "{f:?}");
        assert_eq!(c.label.run_type(), RunType::Speed);
    }

    #[test]
    fn intervals_from_speed_profile_without_laps() {
        let c = classify(&six_by_800(false), &history(10, 8.0));
        assert_eq!(c.label, RunLabel::Intervals, "{c:#?}");
        let f = c.reasons.iter().find(|f| f.label() == Some(RunLabel::Intervals)).expect("feature");
        assert_eq!(f.name, "speed profile");
        assert!(f.value.starts_with('6'), "{f:?}");
    }

    #[test]
    fn intervals_from_marked_laps() {
        let mut a = six_by_800(true);
        for (i, l) in a.laps.iter_mut().enumerate() {
            l.intensity = Some(if i == 0 || i == 13 {
                LapIntensity::Warmup
            } else if i % 2 == 1 {
                LapIntensity::Interval
            } else {
                LapIntensity::Rest
            });
            l.avg_speed_mps = Some(3.0); // even without speed contrast, the marks decide
        }
        let c = classify(&a, &[]);
        assert_eq!(c.label, RunLabel::Intervals, "{c:#?}");
    }

    #[test]
    fn tempo_run() {
        // 15 min easy, 25 min at 5:00/km, 10 min easy.
        let a = run(&[(900.0, EASY), (1500.0, 1000.0 / 300.0), (600.0, EASY)], false, Some((155.0, 175.0)));
        let c = classify(&a, &history(10, 8.0));
        assert_eq!(c.label, RunLabel::Tempo, "{c:#?}");
        assert_eq!(c.run_type(), RunType::Speed);
        // Without history, the warm-up and cool-down give the contrast.
        let c = classify(&a, &[]);
        assert_eq!(c.label, RunLabel::Tempo, "{c:#?}");
    }

    #[test]
    fn long_run_relative_to_history() {
        // 14 km at 6:00/km (84 min) after runs of 8 km: long.
        let a = run(&[(5040.0, EASY)], false, Some((140.0, 160.0)));
        let c = classify(&a, &history(10, 8.0));
        assert_eq!(c.label, RunLabel::Long, "{c:#?}");
        assert!(c.reasons.iter().any(|f| f.name == "distance vs history"));
        // The same run for someone whose runs are 15 km is not long.
        let c = classify(&a, &history(10, 15.0));
        assert_eq!(c.label, RunLabel::Easy, "{c:#?}");
        // With little history, 84 min is below the 90-min fallback.
        let c = classify(&a, &history(2, 8.0));
        assert_eq!(c.label, RunLabel::Easy, "{c:#?}");
        let c = classify(&run(&[(6000.0, EASY)], false, None), &[]);
        assert_eq!(c.label, RunLabel::Long, "{c:#?}");
    }

    #[test]
    fn history_outside_the_window_is_ignored() {
        let a = run(&[(5040.0, EASY)], false, None);
        let old: Vec<RunSummary> = history(10, 8.0)
            .into_iter()
            .map(|mut r| {
                r.start = ts(r.start.as_second() - 120 * 86_400);
                r
            })
            .collect();
        let c = classify(&a, &old);
        assert_eq!(c.label, RunLabel::Easy, "{c:#?}");
    }

    #[test]
    fn hilly_trail_run() {
        let mut a = run(&[(3000.0, 2.3)], false, None);
        a.ascent_m = Some(300.0); // 300 m over 6.9 km
        let c = classify(&a, &history(10, 8.0));
        assert_eq!(c.label, RunLabel::Trail, "{c:#?}");
        assert_eq!(c.run_type(), RunType::Trail);
        let mut a = run(&[(3000.0, 2.3)], false, None);
        a.sport = Sport::TrailRunning;
        assert_eq!(classify(&a, &[]).label, RunLabel::Trail);
        // A long trail run is both.
        let mut a = run(&[(7200.0, 2.3)], false, None);
        a.ascent_m = Some(800.0);
        let c = classify(&a, &history(10, 8.0));
        assert_eq!(c.label, RunLabel::Long);
        assert_eq!(c.also, vec![RunLabel::Trail]);
    }

    #[test]
    fn easy_run() {
        let a = run(&[(2880.0, EASY)], true, Some((135.0, 150.0)));
        let c = classify(&a, &history(10, 8.0));
        assert_eq!(c.label, RunLabel::Easy, "{c:#?}");
        assert!(c.also.is_empty());
        assert!(c.reasons.iter().any(|f| f.label() == Some(RunLabel::Easy)));
        // Steady running with a few traffic-light stops is still easy.
        let mut b = Vec::new();
        for _ in 0..6 {
            b.push((420.0, EASY));
            b.push((45.0, 0.0));
        }
        let c = classify(&run(&b, false, None), &history(10, 8.0));
        assert_eq!(c.label, RunLabel::Easy, "{c:#?}");
    }

    #[test]
    fn races_by_name_and_by_effort() {
        let mut a = run(&[(1500.0, 1000.0 / 300.0)], false, Some((172.0, 185.0)));
        a.name = Some("Bushy Parkrun".into());
        let c = classify(&a, &[]);
        assert_eq!(c.label, RunLabel::Race, "{c:#?}");
        a.name = Some("Marathon pace run".into());
        assert!(race_by_name(a.name.as_deref()).is_none());
        // ... but 5.0 km held at 93% of max HR is a race by effort whatever the name.
        let c = classify(&a, &history(10, 8.0));
        assert_eq!(c.label, RunLabel::Race, "{c:#?}");
        assert!(c.reasons.iter().any(|f| f.name == "race heart rate"));
        // 10.05 km all-out, no name.
        let mut a = run(&[(2400.0, 10_050.0 / 2400.0)], false, Some((174.0, 186.0)));
        a.name = None;
        let c = classify(&a, &history(10, 8.0));
        assert_eq!(c.label, RunLabel::Race, "{c:#?}");
        assert!(c.reasons.iter().any(|f| f.name == "race distance"));
        // The same distance at an easy effort is not a race.
        let a = run(&[(3618.0, 10_050.0 / 3618.0)], false, Some((140.0, 165.0)));
        assert_ne!(classify(&a, &history(10, 8.0)).label, RunLabel::Race);
    }

    #[test]
    fn non_runs_are_not_labelled_as_runs() {
        let mut a = run(&[(3600.0, 8.0)], false, None);
        a.sport = Sport::Cycling;
        let c = classify(&a, &[]);
        assert_eq!(c.label, RunLabel::Easy);
        assert!(c.reasons.iter().any(|f| f.name == "sport"));
    }

    /// A run of (duration s, speed m/s, grade, heart rate) blocks with altitude, one lap per block ending as
    /// `trigger` says ("distance" for auto-laps).
    fn hill_run(blocks: &[(f64, f64, f64, Option<f64>)], trigger: &str) -> Activity {
        let mut a = run(&[(10.0, 3.0)], false, None);
        let mut s = Samples::default();
        let (mut t, mut d, mut z, mut up) = (0.0, 0.0, 300.0, 0.0);
        let mut laps = Vec::new();
        for &(dur, v, g, hr) in blocks {
            let (lt, ld) = (t, d);
            for _ in 0..dur as usize {
                s.push(t, Some(d), Some(v), hr, None, Some(z), None, None);
                t += 1.0;
                d += v;
                z += v * g;
                up += (v * g).max(0.0);
            }
            laps.push(Lap {
                start_offset_s: lt,
                elapsed_s: t - lt,
                moving_s: Some(t - lt),
                distance_m: d - ld,
                avg_speed_mps: Some(v),
                max_speed_mps: None,
                avg_hr_bpm: hr,
                max_hr_bpm: None,
                avg_cadence_spm: None,
                intensity: None,
                trigger: Some(trigger.into()),
            });
        }
        a.samples = s;
        a.laps = laps;
        a.elapsed_s = t;
        a.moving_s = t;
        a.distance_m = d;
        a.ascent_m = Some(up);
        a.avg_hr_bpm = None;
        a.max_hr_bpm = None;
        a
    }

    #[test]
    fn grade_adjustment_follows_the_energy_cost_of_slopes() {
        assert!((cost_factor(0.0) - 1.0).abs() < 1e-12);
        // +10% costs about two thirds more than the flat, −10% about 40% less.
        assert!((cost_factor(0.10) - 1.66).abs() < 0.02, "{}", cost_factor(0.10));
        assert!((cost_factor(-0.10) - 0.60).abs() < 0.02, "{}", cost_factor(-0.10));
        // Steep descents cost more again than gentle ones; absurd grades are clamped.
        assert!(cost_factor(-0.45) > cost_factor(-0.2));
        assert_eq!(cost_factor(3.0), cost_factor(MAX_GRADE));
        assert_eq!(cost_factor(f64::NAN), 1.0);
    }

    #[test]
    fn downhill_auto_laps_are_not_intervals() {
        // 1 km auto-laps on a trail: fast downhill (−5%) and slow uphill (+6%), heart rate as high or higher
        // climbing. Raw lap speeds alternate 4.0 / 2.4 m/s: 1.67× apart.
        let mut blocks = vec![(600.0, 2.8, 0.0, Some(140.0))];
        for _ in 0..5 {
            blocks.push((250.0, 4.0, -0.05, Some(148.0)));
            blocks.push((415.0, 2.4, 0.06, Some(152.0)));
        }
        let a = hill_run(&blocks, "distance");
        let c = classify(&a, &history(10, 8.0));
        assert!(!c.has(RunLabel::Intervals), "{c:#?}");
        assert!(c.has(RunLabel::Trail), "{c:#?}");
        let check = c.reasons.iter().find(|f| f.name == "speed work check").expect("says why");
        assert!(check.note.contains("downhill") || check.note.contains("heart rate"), "{check:?}");
        // The same laps without heart rate: automatic laps alone do not make a workout.
        let blocks: Vec<_> = blocks.iter().map(|b| (b.0, b.1, b.2, None)).collect();
        assert!(!classify(&hill_run(&blocks, "distance"), &[]).has(RunLabel::Intervals));
    }

    #[test]
    fn uphill_trail_run_with_surges_is_trail_not_intervals() {
        // A trail run climbing 1 km at +15% in pieces, with flatter, faster stretches between, no laps pressed,
        // heart rate highest on the climbs.
        let mut blocks = vec![(300.0, 2.5, 0.02, Some(140.0))];
        for _ in 0..6 {
            blocks.push((120.0, 3.6, 0.0, Some(150.0)));
            blocks.push((240.0, 1.6, 0.15, Some(158.0)));
        }
        let mut a = hill_run(&blocks, "distance");
        a.laps.clear();
        a.sub_sport = Some("trail".into());
        let c = classify(&a, &[]);
        assert_eq!(c.label, RunLabel::Trail, "{c:#?}");
        assert!(c.reasons.iter().any(|f| f.name == "trail sub-sport"));
        assert!(c.reasons.iter().any(|f| f.name == "climbing"), "{c:#?}");
    }

    #[test]
    fn real_intervals_on_a_hill_still_count() {
        // 6 × 400 m uphill (+4%) repeats with jog-downs: slower uphill than the jog's raw speed would suggest
        // on the flat, but the heart rate rises in each repeat.
        let mut blocks = vec![(600.0, 2.8, 0.0, Some(135.0))];
        for _ in 0..6 {
            blocks.push((110.0, 3.7, 0.04, Some(172.0)));
            blocks.push((180.0, 2.2, -0.024, Some(140.0)));
        }
        let a = hill_run(&blocks, "manual");
        let c = classify(&a, &[]);
        assert_eq!(c.label, RunLabel::Intervals, "{c:#?}");
        let f = c.reasons.iter().find(|f| f.name == "laps").expect("laps");
        assert!(f.note.contains("grade-adjusted") && f.note.contains("heart rate"), "{f:?}");
    }

    #[test]
    fn implausible_values_do_not_make_labels() {
        let mut a = run(&[(1500.0, 1000.0 / 300.0)], false, Some((172.0, 185.0)));
        a.quality.implausible.push(Implausible::HeartRate);
        a.avg_hr_bpm = Some(300.0);
        a.max_hr_bpm = Some(310.0);
        assert!(!classify(&a, &[]).reasons.iter().any(|f| f.name == "race heart rate"));
        a.quality.implausible.push(Implausible::Pace);
        let c = classify(&six_by_800(true), &history(10, 8.0));
        assert_eq!(c.label, RunLabel::Intervals);
        let mut fast = six_by_800(true);
        fast.quality.implausible.push(Implausible::Pace);
        let c = classify(&fast, &history(10, 8.0));
        assert_eq!(c.label, RunLabel::Easy, "{c:#?}");
        assert!(c.reasons.iter().any(|f| f.value == "implausible pace"));
    }

    #[test]
    fn labels_map_to_plan_run_types() {
        assert_eq!(RunLabel::Intervals.run_type(), RunType::Speed);
        assert_eq!(RunLabel::Tempo.run_type(), RunType::Speed);
        assert_eq!(RunLabel::Long.run_type(), RunType::Long);
        assert_eq!(RunLabel::Race.run_type(), RunType::Race);
        assert_eq!(RunLabel::Trail.run_type(), RunType::Trail);
        assert_eq!(RunLabel::Easy.run_type(), RunType::Easy);
    }
}
