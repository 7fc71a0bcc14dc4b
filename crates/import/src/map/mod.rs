//! From decoded files to [`Activity`]: the format mappers fill a [`Draft`] with what the file
//! says, and [`finalize`] validates it and fills the gaps the same way for every format.
//!
//! Why one shared finishing step: FIT files carry totals written by the watch, GPX files carry
//! only points, TCX files something in between. Computing missing totals (distance from
//! positions, ascent from altitude, moving time from samples) and refusing impossible values in
//! one place means a run looks the same whatever file it came from, and every rule is tested once.

pub(crate) mod fit;
pub(crate) mod gpx;
mod infer;
pub(crate) mod tcx;

use jiff::Timestamp;
use runtall_domain::activity::{
    Activity, Implausible, Lap, LapIntensity, PLAUSIBLE_HR_BPM, Quality, RunningDynamics, Samples, SourceFile, Sport,
    record_speed_mps,
};
use runtall_domain::text;

use crate::error::ImportError;

/// 1990-01-01T00:00:00Z: no GPS watch recorded a run before it, and FIT device-relative times
/// (seconds since power-on) decode to dates just after 1989-12-31.
pub const MIN_VALID_UNIX_S: i64 = 631_152_000;

/// How far in the future a time may be (clock skew, time zones written wrong).
pub const FUTURE_TOLERANCE_S: i64 = 86_400;

/// Longest plausible single activity: 14 days (multi-day ultras and expeditions fit).
pub const MAX_ACTIVITY_S: f64 = 14.0 * 86_400.0;

/// Heart rates outside this range are sensor noise or corruption, not a heartbeat.
pub const HR_RANGE_BPM: (f64, f64) = (25.0, 300.0);

/// Altitudes outside this range (metres) are not on Earth's surface.
pub const ALTITUDE_RANGE_M: (f64, f64) = (-500.0, 9_000.0);

/// Step cadences above this are impossible (the fastest sprinters reach about 300).
pub const MAX_CADENCE_SPM: f64 = 400.0;

/// Hysteresis for ascent/descent computed from altitude samples: changes smaller than this are
/// noise (GPS altitude wobbles by a few metres on flat ground).
pub const ASCENT_HYSTERESIS_M: f64 = 4.0;

/// Longest gap between samples still counted as moving when no speed or distance tells.
pub const PAUSE_GAP_S: f64 = 30.0;

/// Shortest recording kept as an activity, seconds: anything shorter is a file cut off at its start, a button
/// pressed by mistake or a fragment (the junk seen in exports: 15 s, 57 s), and is refused as "not enough data"
/// rather than stored as a run. A minute keeps a short but whole recording (a 65-s ride to the shop).
pub const MIN_ACTIVITY_S: f64 = 60.0;

/// An altitude further than this (plus what [`MAX_VERTICAL_MPS`] allows over the time to its neighbours) from the
/// median of its neighbours is not terrain: a placeholder (0 m written before the GPS or barometer had a reading)
/// or a glitch. Dropped before anything is summed.
pub const ALTITUDE_JUMP_M: f64 = 40.0;

/// Fastest climb or descent allowed for when judging a jump, m/s (a bike descending a 20% road at 15 m/s).
pub const MAX_VERTICAL_MPS: f64 = 3.0;

/// Neighbours on each side the altitude filter compares a sample with.
const ALTITUDE_NEIGHBOURS: usize = 5;

/// Half-width of the centred moving average applied to altitude before ascent is summed, seconds: GPS and
/// barometric altitude wobble by metres from second to second, and every wobble would otherwise count as a climb.
pub const ALTITUDE_SMOOTHING_HALF_S: f64 = 15.0;

/// Most activities read from one file (multisport FIT sessions, TCX `<Activity>`s, GPX track groups). A
/// triathlon has five; a crafted file with a hundred thousand would make every per-activity step (and the
/// warnings each activity carries) cost the square of the file. Later ones are skipped with a warning.
pub const MAX_ACTIVITIES_PER_FILE: usize = 50;

/// The warning the first activity carries when a file held more than [`MAX_ACTIVITIES_PER_FILE`].
pub(crate) fn too_many_activities(found: usize) -> String {
    format!(
        "the file holds {found} activities; only the first {MAX_ACTIVITIES_PER_FILE} were read (no real file has that many)"
    )
}

/// Fastest plausible speed for a sport, m/s. Above it a value is a GPS spike or corruption.
#[must_use]
pub fn max_speed_mps(sport: Sport) -> f64 {
    match sport {
        // Usain Bolt's top speed is 12.4 m/s; nobody runs or walks faster.
        Sport::Running | Sport::TrailRunning | Sport::TreadmillRunning | Sport::TrackRunning => 12.5,
        Sport::Walking | Sport::Hiking => 12.5,
        // Fast descents on a road bike reach about 30 m/s.
        Sport::Cycling => 35.0,
        Sport::Swimming => 5.0,
        // Skiing, skating, rowing, motor-paced: generous.
        Sport::Other => 60.0,
    }
}

/// Slowest speed that still counts as moving, m/s.
fn moving_threshold_mps(sport: Sport) -> f64 {
    match sport {
        Sport::Cycling => 1.0,
        Sport::Swimming => 0.2,
        _ => 0.5,
    }
}

/// Whether a sport's cadence is steps (run, walk, hike) rather than crank or stroke rate.
#[must_use]
pub fn is_foot_sport(sport: Sport) -> bool {
    sport.is_run() || matches!(sport, Sport::Walking | Sport::Hiking)
}

/// One sample as the file gives it, times in Unix seconds.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Point {
    pub t: f64,
    pub distance_m: Option<f64>,
    pub speed_mps: Option<f64>,
    pub hr_bpm: Option<f64>,
    /// Steps per minute for foot sports (the mapper converts strides), otherwise as recorded.
    pub cadence_spm: Option<f64>,
    pub altitude_m: Option<f64>,
    pub lat_deg: Option<f64>,
    pub lon_deg: Option<f64>,
    /// The recording was paused or split before this point (GPX `trkseg`, TCX `Track`).
    pub after_break: bool,
}

/// One lap as the file gives it.
#[derive(Debug, Clone, Default)]
pub(crate) struct DraftLap {
    /// Unix seconds.
    pub start: Option<f64>,
    pub elapsed_s: Option<f64>,
    pub timer_s: Option<f64>,
    pub distance_m: Option<f64>,
    pub avg_speed_mps: Option<f64>,
    pub max_speed_mps: Option<f64>,
    pub avg_hr_bpm: Option<f64>,
    pub max_hr_bpm: Option<f64>,
    pub avg_cadence_spm: Option<f64>,
    pub intensity: Option<LapIntensity>,
    pub trigger: Option<String>,
}

/// What the file says about one activity, before validation.
#[derive(Debug, Clone)]
pub(crate) struct Draft {
    pub sport: Sport,
    pub sub_sport: Option<String>,
    pub name: Option<String>,
    /// Unix seconds.
    pub start: Option<f64>,
    pub utc_offset_s: Option<i32>,
    pub elapsed_s: Option<f64>,
    pub timer_s: Option<f64>,
    pub distance_m: Option<f64>,
    pub ascent_m: Option<f64>,
    pub descent_m: Option<f64>,
    pub avg_hr_bpm: Option<f64>,
    pub max_hr_bpm: Option<f64>,
    pub avg_cadence_spm: Option<f64>,
    pub avg_respiration_brpm: Option<f64>,
    pub dynamics: Option<RunningDynamics>,
    pub device: Option<String>,
    pub laps: Vec<DraftLap>,
    pub points: Vec<Point>,
    pub warnings: Vec<String>,
    /// The watch's own moving time (FIT `total_moving_time`): stops excluded even when the timer ran on.
    pub moving_s: Option<f64>,
    /// The totals (distance, timer time) are sums of lap totals, not the watch's own session figures (TCX): the
    /// track is checked against them.
    pub totals_from_laps: bool,
    /// The file was damaged (see [`Quality::salvaged`](runtall_domain::activity::Quality)).
    pub damaged: bool,
    /// How the sport was decided when the file did not name it.
    pub sport_reason: Option<String>,
}

impl Draft {
    pub fn new(sport: Sport) -> Self {
        Self {
            sport,
            sub_sport: None,
            name: None,
            start: None,
            utc_offset_s: None,
            elapsed_s: None,
            timer_s: None,
            distance_m: None,
            ascent_m: None,
            descent_m: None,
            avg_hr_bpm: None,
            max_hr_bpm: None,
            avg_cadence_spm: None,
            avg_respiration_brpm: None,
            dynamics: None,
            device: None,
            laps: Vec::new(),
            points: Vec::new(),
            warnings: Vec::new(),
            moving_s: None,
            totals_from_laps: false,
            damaged: false,
            sport_reason: None,
        }
    }
}

/// Counts of dropped values, reported as one warning per kind instead of one per sample.
#[derive(Debug, Default)]
struct Dropped {
    bad_time: usize,
    out_of_order: usize,
    before_start: usize,
    hr: usize,
    speed: usize,
    distance: usize,
    cadence: usize,
    altitude: usize,
    altitude_jumps: usize,
    position: usize,
}

/// A finite value within `[lo, hi]`, else `None` and a count.
fn keep(v: Option<f64>, lo: f64, hi: f64, count: &mut usize) -> Option<f64> {
    match v {
        Some(x) if x.is_finite() && x >= lo && x <= hi => Some(x),
        Some(_) => {
            *count += 1;
            None
        }
        None => None,
    }
}

/// A file total: finite and within range, else dropped with a warning naming it.
fn total(v: Option<f64>, lo: f64, hi: f64, what: &str, warnings: &mut Vec<String>) -> Option<f64> {
    match v {
        Some(x) if x.is_finite() && x >= lo && x <= hi => Some(x),
        Some(x) => {
            warnings
                .push(format!("the file's {what} ({x}) is impossible; it was ignored and computed from the samples"));
            None
        }
        None => None,
    }
}

/// Great-circle distance in metres (haversine, mean Earth radius).
#[must_use]
pub fn haversine_m(lat1: f64, lon1: f64, lat2: f64, lon2: f64) -> f64 {
    haversine_with_cos(lat1, lat1.to_radians().cos(), lon1, lat2, lat2.to_radians().cos(), lon2)
}

/// [`haversine_m`] given the cosines of both latitudes (in radians), so a track computes each point's once instead
/// of twice: the same operations on the same values, so the same result to the bit.
#[inline]
fn haversine_with_cos(lat1: f64, cos1: f64, lon1: f64, lat2: f64, cos2: f64, lon2: f64) -> f64 {
    const R: f64 = 6_371_008.8;
    let (p1, p2) = (lat1.to_radians(), lat2.to_radians());
    let dp = p2 - p1;
    let dl = (lon2 - lon1).to_radians();
    let a = (dp / 2.0).sin().powi(2) + cos1 * cos2 * (dl / 2.0).sin().powi(2);
    2.0 * R * a.sqrt().min(1.0).asin()
}

/// Ascent and descent with hysteresis: the reference altitude only moves once the signal has
/// left a band of ±`h` metres, so noise smaller than `h` adds nothing.
#[must_use]
pub fn ascent_descent(altitudes: impl IntoIterator<Item = f64>, h: f64) -> Option<(f64, f64)> {
    let mut it = altitudes.into_iter();
    let mut reference = it.next()?;
    let (mut up, mut down) = (0.0, 0.0);
    for a in it {
        if a > reference + h {
            up += a - reference;
            reference = a;
        } else if a < reference - h {
            down += reference - a;
            reference = a;
        }
    }
    Some((up, down))
}

fn ts_from_unix_s(t: f64) -> Option<Timestamp> {
    let ms = (t * 1000.0).round();
    if !ms.is_finite() || ms.abs() > 1e15 {
        return None;
    }
    Timestamp::from_millisecond(ms as i64).ok()
}

/// Context for validation: the clock and where the file came from.
pub(crate) struct Finish<'a> {
    pub now_s: i64,
    pub source: &'a SourceFile,
    /// The draft is one part of a multisport file (a transition between swim and bike is short by nature, and
    /// is kept so the parts stay together); [`MIN_ACTIVITY_S`] applies only to files holding one activity.
    pub part_of_many: bool,
}

/// Validate a draft and compute what the file did not give. Values that cannot be true are
/// dropped with a warning; an error is returned only when no start time or no duration remains.
pub(crate) fn finalize(mut d: Draft, ctx: &Finish<'_>) -> Result<Activity, ImportError> {
    let max_t = (ctx.now_s + FUTURE_TOLERANCE_S) as f64;
    let min_t = MIN_VALID_UNIX_S as f64;
    let valid_time = |t: f64| t.is_finite() && t >= min_t && t <= max_t;
    let mut warnings = std::mem::take(&mut d.warnings);
    let mut dropped = Dropped::default();
    let vmax = max_speed_mps(d.sport);
    let foot = is_foot_sport(d.sport);

    // Start: the file's, else the first valid sample.
    let file_start = match d.start {
        Some(t) if valid_time(t) => Some(t),
        Some(t) => {
            warnings.push(format!(
                "the file's start time ({}) is before 1990 or in the future; the first sample's time is used",
                ts_from_unix_s(t).map_or_else(|| format!("{t} s"), |ts| ts.to_string())
            ));
            None
        }
        None => None,
    };

    // A single sample whose time jumps ahead and then back (a flipped bit in a FIT timestamp)
    // would otherwise make every later sample look out of order; drop the spike instead.
    let mut points = std::mem::take(&mut d.points);
    let mut spike = vec![false; points.len()];
    for i in 1..points.len().saturating_sub(1) {
        let (a, b, c) = (points[i - 1].t, points[i].t, points[i + 1].t);
        if b - a > 60.0 && c < b && c >= a {
            spike[i] = true;
        }
    }
    dropped.out_of_order += spike.iter().filter(|s| **s).count();

    // Samples: drop invalid times, keep time order, clean every value (in place: this runs for
    // every sample of every file, so no second buffer).
    let mut kept = 0usize;
    let mut last_t = f64::NEG_INFINITY;
    let mut pending_break = false;
    for i in 0..points.len() {
        let p = points[i];
        if spike[i] {
            pending_break |= p.after_break;
            continue;
        }
        if !valid_time(p.t) {
            dropped.bad_time += 1;
            pending_break |= p.after_break;
            continue;
        }
        if p.t < last_t {
            dropped.out_of_order += 1;
            pending_break |= p.after_break;
            continue;
        }
        if let Some(s) = file_start
            && p.t < s - 1.0
        {
            dropped.before_start += 1;
            continue;
        }
        last_t = p.t;
        let mut q = p;
        q.after_break |= pending_break;
        pending_break = false;
        // 0 bpm is how many devices write "no strap", not a reading: absent, without a warning.
        q.hr_bpm = keep(q.hr_bpm.filter(|h| *h != 0.0), HR_RANGE_BPM.0, HR_RANGE_BPM.1, &mut dropped.hr);
        q.speed_mps = keep(q.speed_mps, 0.0, vmax, &mut dropped.speed);
        q.distance_m = keep(q.distance_m, 0.0, 5.0e6, &mut dropped.distance);
        q.cadence_spm = keep(q.cadence_spm, 0.0, MAX_CADENCE_SPM, &mut dropped.cadence);
        q.altitude_m = keep(q.altitude_m, ALTITUDE_RANGE_M.0, ALTITUDE_RANGE_M.1, &mut dropped.altitude);
        let lat = keep(q.lat_deg, -90.0, 90.0, &mut dropped.position);
        let lon = keep(q.lon_deg, -180.0, 180.0, &mut dropped.position);
        // A position needs both halves; (0, 0) is what broken GPS chips write for "no fix".
        (q.lat_deg, q.lon_deg) = match (lat, lon) {
            (Some(a), Some(b)) if !(a == 0.0 && b == 0.0) => (Some(a), Some(b)),
            (None, None) => (None, None),
            _ => {
                dropped.position += 1;
                (None, None)
            }
        };
        points[kept] = q;
        kept += 1;
    }
    points.truncate(kept);
    drop(spike);
    dropped.altitude_jumps = drop_altitude_jumps(&mut points);

    let Some(start) = file_start.or_else(|| points.first().map(|p| p.t)) else {
        return Err(ImportError::no_data(
            "no valid time in the file (every time is missing, before 1990 or in the future)",
        ));
    };

    // Distance column: from positions when the file gives none.
    let has_distance = points.iter().any(|p| p.distance_m.is_some());
    let has_position = points.iter().any(|p| p.lat_deg.is_some());
    if !has_distance && has_position {
        fill_distance_from_positions(&mut points, vmax);
    }
    // Speed column: from distance when the file gives none.
    if !points.iter().any(|p| p.speed_mps.is_some()) {
        fill_speed_from_distance(&mut points, vmax);
    }

    let sample_span = match (points.first(), points.last()) {
        (Some(a), Some(b)) => (b.t - start).max(0.0).max(b.t - a.t),
        _ => 0.0,
    };
    let sample_distance =
        points.iter().filter_map(|p| p.distance_m).fold(None, |m: Option<f64>, x| Some(m.map_or(x, |m| m.max(x))));

    // Totals: the file's when plausible, else computed.
    let elapsed_file = total(d.elapsed_s, 0.0, MAX_ACTIVITY_S, "elapsed time", &mut warnings);
    let elapsed = elapsed_file.filter(|e| *e > 0.0).unwrap_or(sample_span);
    if elapsed.is_nan() || elapsed <= 0.0 {
        // A single instant is a waypoint, not a recording: refused like routes are.
        return Err(ImportError::not_activity(match points.len() {
            0 => "no samples and no duration in the file".to_string(),
            1 => "only one point has a valid time, so nothing was recorded over time".to_string(),
            n => format!("{n} points but all at the same time, so nothing was recorded over time"),
        }));
    }
    if elapsed < MIN_ACTIVITY_S && !ctx.part_of_many {
        let metres = sample_distance.or(d.distance_m).filter(|m| m.is_finite()).unwrap_or(0.0);
        return Err(ImportError::not_enough_data(format!(
            "only {} and {metres:.0} m were recorded; an activity needs at least {:.0} s",
            clock(elapsed),
            MIN_ACTIVITY_S
        )));
    }
    let timer_file = total(d.timer_s, 0.0, MAX_ACTIVITY_S, "timer time", &mut warnings);
    // The watch's own moving time first (it knows when the runner stood still with the timer running), then the
    // timer time (pauses excluded), then our estimate from the samples.
    let moving_file = total(d.moving_s, 0.0, MAX_ACTIVITY_S, "moving time", &mut warnings);
    let computed_moving = || {
        let m = moving_time(&points, d.sport);
        if m > 0.0 { m.min(elapsed) } else { elapsed }
    };
    let mut moving = match moving_file.or(timer_file).filter(|t| *t > 0.0) {
        Some(t) => t.min(elapsed),
        None => computed_moving(),
    };
    let mut distance = total(d.distance_m, 0.0, 5.0e6, "distance", &mut warnings);
    if let Some(x) = distance
        && moving > 0.0
        && x / moving > vmax
    {
        warnings.push(format!(
            "the file's distance ({:.0} m in {:.0} s) means an impossible speed for {}; it was ignored",
            x,
            moving,
            d.sport.as_str()
        ));
        distance = None;
    }
    let mut distance = distance.or(sample_distance).unwrap_or(0.0);
    // Totals summed from laps (TCX) against a track that runs on without a break: when they disagree, the laps
    // are wrong (a watch that stopped counting laps, an export that cut them), and the track is what happened.
    if d.totals_from_laps
        && let (Some(track_m), Some(track_s)) = (sample_distance, continuous_span(&points))
        && track_m > 0.0
        && (track_m - distance).abs() / track_m.max(distance) > LAPS_VS_TRACK
    {
        let track_moving = computed_moving();
        warnings.push(format!(
            "the laps add up to {:.2} km in {} but the track covers {:.2} km in {} without a break; the track's \
             figures are used",
            distance / 1000.0,
            clock(moving),
            track_m / 1000.0,
            clock(track_s)
        ));
        distance = track_m;
        moving = track_moving;
    }

    let (ascent, descent) = match (
        total(d.ascent_m, 0.0, 50_000.0, "ascent", &mut warnings),
        total(d.descent_m, 0.0, 50_000.0, "descent", &mut warnings),
    ) {
        (Some(a), Some(b)) => (Some(a), Some(b)),
        (a, b) => {
            let computed = ascent_descent(smoothed_altitudes(&points), ASCENT_HYSTERESIS_M);
            (a.or(computed.map(|c| c.0)), b.or(computed.map(|c| c.1)))
        }
    };

    let mean = |f: &dyn Fn(&Point) -> Option<f64>| {
        let (s, n) = points.iter().filter_map(f).fold((0.0, 0usize), |(s, n), x| (s + x, n + 1));
        (n > 0).then(|| s / n as f64)
    };
    let avg_hr =
        total(d.avg_hr_bpm.filter(|h| *h != 0.0), HR_RANGE_BPM.0, HR_RANGE_BPM.1, "average heart rate", &mut warnings)
            .or_else(|| mean(&|p| p.hr_bpm));
    let max_hr =
        total(d.max_hr_bpm.filter(|h| *h != 0.0), HR_RANGE_BPM.0, HR_RANGE_BPM.1, "maximum heart rate", &mut warnings)
            .or_else(|| points.iter().filter_map(|p| p.hr_bpm).reduce(f64::max));
    let avg_cadence = if foot {
        total(d.avg_cadence_spm, 0.0, MAX_CADENCE_SPM, "average cadence", &mut warnings)
            .filter(|c| *c > 0.0)
            .or_else(|| mean(&|p| p.cadence_spm.filter(|c| *c > 0.0)))
    } else {
        None
    };
    let avg_resp = total(d.avg_respiration_brpm, 1.0, 100.0, "average respiration rate", &mut warnings);
    let implausible = plausibility(d.sport, distance, moving, avg_hr, max_hr, &mut warnings);
    let dynamics = d.dynamics.take().filter(|dy| !dynamics_empty(dy));

    let laps = finish_laps(&d.laps, start, vmax, foot);

    // Column by column (each a plain copy the compiler can vectorise) rather than `Samples::push` per point: that
    // call is not inlined across crates and was 3% of a 3,000-run import. Same values, same exact capacities.
    let column = |f: fn(&Point) -> Option<f64>| points.iter().map(f).collect::<Vec<_>>();
    let samples = Samples {
        t_s: points.iter().map(|p| p.t - start).collect(),
        distance_m: column(|p| p.distance_m),
        speed_mps: column(|p| p.speed_mps),
        hr_bpm: column(|p| p.hr_bpm),
        cadence_spm: if foot { column(|p| p.cadence_spm) } else { vec![None; points.len()] },
        altitude_m: column(|p| p.altitude_m),
        lat_deg: column(|p| p.lat_deg),
        lon_deg: column(|p| p.lon_deg),
    };

    dropped.report(&mut warnings, d.sport);
    let start_ts = ts_from_unix_s(start).ok_or_else(|| ImportError::no_data("start time out of range"))?;
    let sub_sport = file_text(d.sub_sport.as_deref(), text::SPORT_TEXT_MAX_CHARS, "sport name", &mut warnings);
    let name = file_text(d.name.as_deref(), text::ACTIVITY_NAME_MAX_CHARS, "activity name", &mut warnings);
    let device = file_text(d.device.as_deref(), text::DEVICE_MAX_CHARS, "device name", &mut warnings);
    Ok(Activity {
        sport: d.sport,
        sub_sport,
        name,
        start: start_ts,
        utc_offset_s: d.utc_offset_s.filter(|o| o.abs() <= 14 * 3600),
        elapsed_s: elapsed,
        moving_s: moving,
        distance_m: distance,
        ascent_m: ascent,
        descent_m: descent,
        avg_hr_bpm: avg_hr,
        max_hr_bpm: max_hr,
        avg_cadence_spm: avg_cadence,
        avg_respiration_brpm: avg_resp,
        dynamics,
        device,
        quality: Quality { salvaged: d.damaged, implausible, sport_reason: d.sport_reason.take() },
        laps,
        samples,
        source: ctx.source.clone(),
        warnings,
    })
}

/// How far lap sums and a continuous track may differ before the track is believed, as a share.
const LAPS_VS_TRACK: f64 = 0.1;

/// The time a track covers when it runs on without a recording break or a gap longer than [`PAUSE_GAP_S`];
/// `None` for a track with pauses (then lap totals, which know about the pauses, stay).
fn continuous_span(points: &[Point]) -> Option<f64> {
    let (first, last) = (points.first()?, points.last()?);
    let broken = points.windows(2).any(|w| w[1].after_break || w[1].t - w[0].t > PAUSE_GAP_S);
    (!broken && last.t > first.t).then_some(last.t - first.t)
}

/// Values no person produces, kept but flagged (see [`Implausible`]), each with a warning saying so.
fn plausibility(
    sport: Sport,
    distance_m: f64,
    moving_s: f64,
    avg_hr: Option<f64>,
    max_hr: Option<f64>,
    warnings: &mut Vec<String>,
) -> Vec<Implausible> {
    let mut out = Vec::new();
    if distance_m >= 100.0
        && moving_s > 0.0
        && let Some(record) = record_speed_mps(sport, distance_m)
        && distance_m / moving_s > record
    {
        warnings.push(format!(
            "the average speed ({}) is faster than the world record over {:.2} km: a recording fault (a GPS jump, \
             or another sport filed as {}); it is shown but left out of run labels and insights",
            speed_text(sport, distance_m / moving_s),
            distance_m / 1000.0,
            sport.as_str()
        ));
        out.push(Implausible::Pace);
    }
    let (lo, hi) = PLAUSIBLE_HR_BPM;
    let odd = |h: Option<f64>| h.is_some_and(|h| !(lo..=hi).contains(&h));
    if odd(avg_hr) || odd(max_hr) {
        warnings.push(format!(
            "the heart rate (average {}, maximum {} bpm) is outside {lo:.0}–{hi:.0} bpm: a sensor fault; it is shown \
             but left out of run labels and insights",
            avg_hr.map_or_else(|| "–".into(), |h| format!("{h:.0}")),
            max_hr.map_or_else(|| "–".into(), |h| format!("{h:.0}")),
        ));
        out.push(Implausible::HeartRate);
    }
    out
}

/// A speed the way each sport reads it: pace per km on foot, km/h on a bike, per 100 m in the water.
fn speed_text(sport: Sport, v: f64) -> String {
    match sport {
        Sport::Cycling | Sport::Other => format!("{:.1} km/h", v * 3.6),
        Sport::Swimming => format!("{}/100 m", clock(100.0 / v)),
        _ => format!("{}/km", clock(1000.0 / v)),
    }
}

/// m:ss, or h:mm:ss from an hour.
fn clock(s: f64) -> String {
    let s = s.max(0.0).round() as i64;
    if s >= 3600 {
        format!("{}:{:02}:{:02}", s / 3600, s / 60 % 60, s % 60)
    } else {
        format!("{}:{:02}", s / 60, s % 60)
    }
}

/// Drops altitudes that jump away from their neighbours (see [`ALTITUDE_JUMP_M`]); returns how many. A 0 m
/// reading on a point without a position, on a track whose altitudes are far from 0 m, is a placeholder whatever
/// its neighbours say (a file may start with several).
fn drop_altitude_jumps(points: &mut [Point]) -> usize {
    let with: Vec<(usize, f64, f64)> =
        points.iter().enumerate().filter_map(|(i, p)| p.altitude_m.map(|a| (i, p.t, a))).collect();
    let n = with.len();
    if n < 3 {
        return 0;
    }
    let mut all: Vec<f64> = with.iter().map(|w| w.2).collect();
    let mid = n / 2;
    let overall = *all.select_nth_unstable_by(mid, f64::total_cmp).1;
    let mut drop = Vec::new();
    let mut window: Vec<f64> = Vec::with_capacity(2 * ALTITUDE_NEIGHBOURS);
    let mut gaps: Vec<f64> = Vec::with_capacity(2 * ALTITUDE_NEIGHBOURS);
    for j in 0..n {
        let (i, t, a) = with[j];
        let placeholder = a == 0.0 && points[i].lat_deg.is_none() && overall.abs() > ALTITUDE_JUMP_M;
        window.clear();
        gaps.clear();
        let lo = j.saturating_sub(ALTITUDE_NEIGHBOURS);
        let hi = (j + ALTITUDE_NEIGHBOURS + 1).min(n);
        // The median lies between the lowest and highest neighbour: when both are within the jump of this
        // altitude (the rule's smallest allowance), it stays, and the two selections below are not needed. Most
        // points of a real track take this path; it was a tenth of an import's time.
        // Said as "every neighbour is within the jump of it", which stops at the first that is not and needs no
        // NaN-aware minimum and maximum (a NaN or infinite neighbour fails the test, as it failed the finiteness
        // check before): the same answer, as `a - min = max(a - x)` in floating point too, at a fraction of the cost.
        if !placeholder && a.is_finite() && with[lo..hi].iter().all(|&(_, _, ak)| (a - ak).abs() <= ALTITUDE_JUMP_M) {
            continue;
        }
        for (k, &(_, tk, ak)) in with.iter().enumerate().take(hi).skip(lo) {
            if k != j {
                window.push(ak);
                gaps.push((tk - t).abs());
            }
        }
        let m = window.len() / 2;
        let med = *window.select_nth_unstable_by(m, f64::total_cmp).1;
        let g = gaps.len() / 2;
        let gap = *gaps.select_nth_unstable_by(g, f64::total_cmp).1;
        if placeholder || (a - med).abs() > ALTITUDE_JUMP_M + MAX_VERTICAL_MPS * gap {
            drop.push(i);
        }
    }
    for &i in &drop {
        points[i].altitude_m = None;
    }
    drop.len()
}

/// Altitudes smoothed by a centred moving average over ±[`ALTITUDE_SMOOTHING_HALF_S`] (by time, so a file that
/// records every second and one that records every ten are smoothed alike), in sample order.
fn smoothed_altitudes(points: &[Point]) -> Vec<f64> {
    let with: Vec<(f64, f64)> = points.iter().filter_map(|p| p.altitude_m.map(|a| (p.t, a))).collect();
    let n = with.len();
    let mut prefix = Vec::with_capacity(n + 1);
    prefix.push(0.0);
    for w in &with {
        let last = prefix.last().copied().unwrap_or(0.0);
        prefix.push(last + w.1);
    }
    let (mut lo, mut hi) = (0usize, 0usize);
    let mut out = Vec::with_capacity(n);
    for j in 0..n {
        let t = with[j].0;
        while with[lo].0 < t - ALTITUDE_SMOOTHING_HALF_S {
            lo += 1;
        }
        hi = hi.max(j);
        while hi + 1 < n && with[hi + 1].0 <= t + ALTITUDE_SMOOTHING_HALF_S {
            hi += 1;
        }
        out.push((prefix[hi + 1] - prefix[lo]) / (hi + 1 - lo) as f64);
    }
    out
}

/// A text value from the file, trimmed, `None` when empty, and cut to `max` characters with a warning (a crafted
/// file's 100 MB track name must not end up on every page that lists runs).
fn file_text(value: Option<&str>, max: usize, what: &str, warnings: &mut Vec<String>) -> Option<String> {
    let v = value.map(str::trim).filter(|v| !v.is_empty())?;
    let (kept, cut) = text::truncate_chars(v, max);
    if cut {
        warnings
            .push(format!("the {what} in the file is longer than {max} characters; only the first {max} were kept"));
    }
    Some(kept.trim_end().to_string())
}

fn dynamics_empty(d: &RunningDynamics) -> bool {
    d.vertical_oscillation_mm.is_none()
        && d.stance_time_ms.is_none()
        && d.step_length_mm.is_none()
        && d.vertical_ratio_pct.is_none()
}

impl Dropped {
    fn report(&self, w: &mut Vec<String>, sport: Sport) {
        let mut say = |n: usize, what: String| {
            if n > 0 {
                w.push(format!("dropped {n} {what}"));
            }
        };
        say(self.bad_time, "samples with a time before 1990 or in the future".into());
        say(self.out_of_order, "samples whose time goes backwards".into());
        say(self.before_start, "samples before the activity start".into());
        say(self.hr, format!("heart-rate values outside {}–{} bpm", HR_RANGE_BPM.0, HR_RANGE_BPM.1));
        say(
            self.speed,
            format!(
                "speed values that are negative, not a number, or faster than {:.0} km/h ({})",
                max_speed_mps(sport) * 3.6,
                sport.as_str()
            ),
        );
        say(self.distance, "negative or impossible distance values".into());
        say(self.cadence, format!("cadence values above {MAX_CADENCE_SPM} per minute"));
        say(self.altitude, format!("altitudes outside {} to {} m", ALTITUDE_RANGE_M.0, ALTITUDE_RANGE_M.1));
        say(
            self.altitude_jumps,
            format!(
                "altitudes more than {ALTITUDE_JUMP_M:.0} m away from their neighbours (a placeholder such as 0 m, \
                 or a sensor glitch); climb is counted without them"
            ),
        );
        say(self.position, "positions out of range, half missing, or at 0°,0° (no GPS fix)".into());
    }
}

/// Cumulative distance from positions. A step implying a speed above `vmax` is a GPS jump and
/// adds nothing; samples without a position carry the previous distance.
fn fill_distance_from_positions(points: &mut [Point], vmax: f64) {
    let mut total = 0.0;
    let mut last: Option<(f64, f64, f64, f64)> = None;
    for p in points.iter_mut() {
        if let (Some(lat), Some(lon)) = (p.lat_deg, p.lon_deg) {
            let cos = lat.to_radians().cos();
            if let Some((plat, pcos, plon, pt)) = last {
                let d = haversine_with_cos(plat, pcos, plon, lat, cos, lon);
                let dt = (p.t - pt).max(1.0);
                if d / dt <= vmax {
                    total += d;
                }
            }
            last = Some((lat, cos, lon, p.t));
        }
        p.distance_m = Some(total);
    }
}

/// Speed from distance over a window of about ±5 s, so GPS jitter between 1-s samples does not
/// make a steady run look like intervals. Not across recording breaks.
fn fill_speed_from_distance(points: &mut [Point], vmax: f64) {
    const HALF_WINDOW_S: f64 = 5.0;
    let n = points.len();
    if n < 2 {
        return;
    }
    let mut speeds = vec![None; n];
    let (mut lo, mut hi) = (0usize, 0usize);
    let mut seg_start = 0usize;
    for i in 0..n {
        if points[i].after_break {
            seg_start = i;
        }
        let t = points[i].t;
        lo = lo.max(seg_start);
        while lo < i && points[lo].t < t - HALF_WINDOW_S {
            lo += 1;
        }
        hi = hi.max(i);
        while hi + 1 < n && !points[hi + 1].after_break && points[hi + 1].t <= t + HALF_WINDOW_S {
            hi += 1;
        }
        let (a, b) = (&points[lo], &points[hi]);
        if let (Some(da), Some(db)) = (a.distance_m, b.distance_m) {
            let dt = b.t - a.t;
            if dt > 0.0 {
                let v = (db - da) / dt;
                if v.is_finite() && (0.0..=vmax).contains(&v) {
                    speeds[i] = Some(v);
                }
            }
        }
    }
    for (p, s) in points.iter_mut().zip(speeds) {
        p.speed_mps = s;
    }
}

/// Moving time from samples: a step counts when its speed shows movement; without any speed or
/// distance, when the gap is short and not a recording break (autopause leaves gaps).
fn moving_time(points: &[Point], sport: Sport) -> f64 {
    let vmin = moving_threshold_mps(sport);
    let mut moving = 0.0;
    for w in points.windows(2) {
        let (a, b) = (&w[0], &w[1]);
        let dt = b.t - a.t;
        if dt <= 0.0 || b.after_break {
            continue;
        }
        let v = match (a.distance_m, b.distance_m) {
            (Some(da), Some(db)) => Some((db - da) / dt),
            _ => b.speed_mps,
        };
        let counts = match v {
            Some(v) => v >= vmin,
            None => dt <= PAUSE_GAP_S,
        };
        if counts {
            moving += dt;
        }
    }
    moving
}

fn finish_laps(laps: &[DraftLap], start: f64, vmax: f64, foot: bool) -> Vec<Lap> {
    let mut out = Vec::with_capacity(laps.len());
    let mut offset = 0.0;
    let ok = |v: Option<f64>, lo: f64, hi: f64| v.filter(|x| x.is_finite() && *x >= lo && *x <= hi);
    for l in laps {
        let elapsed = ok(l.elapsed_s, 0.0, MAX_ACTIVITY_S).or(ok(l.timer_s, 0.0, MAX_ACTIVITY_S)).unwrap_or(0.0);
        let start_offset = match l.start.filter(|t| t.is_finite()) {
            Some(t) if t - start > -1.0 && t - start < MAX_ACTIVITY_S => (t - start).max(0.0),
            _ => offset,
        };
        offset = start_offset + elapsed;
        let moving = ok(l.timer_s, 0.0, MAX_ACTIVITY_S);
        let distance = ok(l.distance_m, 0.0, 5.0e6).unwrap_or(0.0);
        let avg_speed = ok(l.avg_speed_mps, 0.0, vmax).or_else(|| {
            let t = moving.unwrap_or(elapsed);
            (t > 0.0 && distance > 0.0).then(|| distance / t).filter(|v| *v <= vmax)
        });
        out.push(Lap {
            start_offset_s: start_offset,
            elapsed_s: elapsed,
            moving_s: moving,
            distance_m: distance,
            avg_speed_mps: avg_speed,
            max_speed_mps: ok(l.max_speed_mps, 0.0, vmax),
            avg_hr_bpm: ok(l.avg_hr_bpm, HR_RANGE_BPM.0, HR_RANGE_BPM.1),
            max_hr_bpm: ok(l.max_hr_bpm, HR_RANGE_BPM.0, HR_RANGE_BPM.1),
            avg_cadence_spm: if foot { ok(l.avg_cadence_spm, 1.0, MAX_CADENCE_SPM) } else { None },
            intensity: l.intensity,
            trigger: l.trigger.clone(),
        });
    }
    out
}

/// An `f32` from a text file as the `f64` it was written as: `181.33f32` widens to
/// 181.33000183..., which would then show up in summaries; four decimals are more than any
/// heart rate, cadence or power needs.
pub(crate) fn f32_clean(x: f32) -> f64 {
    (f64::from(x) * 1e4).round() / 1e4
}

/// Decide whether a file's foot-sport cadence is strides per minute (Garmin's convention in FIT,
/// TCX `RunCadence` and GPX `cad`: one leg) and so must be doubled. Some apps write steps per
/// minute instead; a median above 130 cannot be strides (that would be 260+ steps/min).
pub(crate) fn cadence_is_strides(values: impl Iterator<Item = f64>) -> bool {
    let mut v: Vec<f64> = values.filter(|c| c.is_finite() && *c > 0.0).collect();
    if v.is_empty() {
        return true;
    }
    let mid = v.len() / 2;
    let (_, m, _) = v.select_nth_unstable_by(mid, f64::total_cmp);
    *m <= 130.0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn src() -> SourceFile {
        SourceFile { path: "t".into(), format: "gpx".into(), content_hash: "h".into() }
    }

    fn ctx(s: &SourceFile) -> Finish<'_> {
        Finish { now_s: 1_800_000_000, source: s, part_of_many: false }
    }

    #[test]
    fn hysteresis_ignores_noise() {
        let flat = [100.0, 102.0, 99.0, 101.0, 98.5, 100.0];
        assert_eq!(ascent_descent(flat, 4.0), Some((0.0, 0.0)));
        let climb: Vec<f64> = (0..=100).map(f64::from).collect();
        let (up, down) = ascent_descent(climb, 4.0).expect("some");
        assert!((up - 100.0).abs() <= 4.0 && down == 0.0, "{up} {down}");
        assert_eq!(ascent_descent(std::iter::empty(), 4.0), None);
    }

    #[test]
    fn haversine_one_degree_of_latitude() {
        let d = haversine_m(0.0, 0.0, 1.0, 0.0);
        assert!((d - 111_195.0).abs() < 50.0, "{d}");
    }

    #[test]
    fn absurd_values_are_dropped_with_warnings() {
        let s = src();
        let mut d = Draft::new(Sport::Running);
        let t0 = 1_700_000_000.0;
        for i in 0..200 {
            let mut p = Point {
                t: t0 + f64::from(i),
                hr_bpm: Some(150.0),
                speed_mps: Some(3.0),
                distance_m: Some(3.0 * f64::from(i)),
                ..Point::default()
            };
            if i == 10 {
                p.hr_bpm = Some(400.0);
                p.speed_mps = Some(100.0 / 3.6 * 1.5);
            }
            if i == 20 {
                p.speed_mps = Some(f64::NAN);
                p.distance_m = Some(-5.0);
            }
            d.points.push(p);
        }
        d.points.push(Point { t: 100.0, ..Point::default() }); // 1970
        d.points.push(Point { t: 4_000_000_000.0, ..Point::default() }); // 2096
        let a = finalize(d, &ctx(&s)).expect("activity");
        assert_eq!(a.samples.len(), 200);
        assert!(a.samples.is_consistent());
        assert_eq!(a.max_hr_bpm, Some(150.0));
        let w = a.warnings.join("\n");
        assert!(w.contains("dropped 1 heart-rate"), "{w}");
        assert!(w.contains("dropped 2 speed"), "{w}");
        assert!(w.contains("dropped 1 negative or impossible distance"), "{w}");
        assert!(w.contains("dropped 2 samples with a time before 1990"), "{w}");
        assert!((a.elapsed_s - 199.0).abs() < 1e-9);
    }

    #[test]
    fn nothing_usable_is_an_error() {
        let s = src();
        let mut d = Draft::new(Sport::Running);
        d.points.push(Point { t: 100.0, ..Point::default() });
        let e = finalize(d, &ctx(&s)).expect_err("1970 only");
        assert!(e.to_string().contains("no valid time"), "{e}");
        let mut d = Draft::new(Sport::Running);
        d.points.push(Point { t: 1_700_000_000.0, ..Point::default() });
        let e = finalize(d, &ctx(&s)).expect_err("one point");
        assert!(e.to_string().contains("only one point"), "{e}");
    }

    #[test]
    fn computes_distance_speed_moving_and_ascent_from_points() {
        let s = src();
        let mut d = Draft::new(Sport::Running);
        let t0 = 1_700_000_000.0;
        // 600 s north at ~3 m/s, a 120 s stop, then 300 s more.
        let mut lat = 45.0;
        let mut t = t0;
        for i in 0..=1020 {
            let moving = !(600..720).contains(&i);
            if moving && i > 0 {
                lat += 3.0 / 111_195.0;
            }
            d.points.push(Point {
                t,
                lat_deg: Some(lat),
                lon_deg: Some(7.0),
                altitude_m: Some(200.0 + f64::from(i.min(600)) / 10.0),
                ..Point::default()
            });
            t += 1.0;
        }
        let a = finalize(d, &ctx(&s)).expect("activity");
        assert!((a.distance_m - 2700.0).abs() < 10.0, "{}", a.distance_m);
        assert!((a.elapsed_s - 1020.0).abs() < 1e-6);
        assert!((a.moving_s - 900.0).abs() < 15.0, "{}", a.moving_s);
        assert!((a.ascent_m.expect("ascent") - 60.0).abs() <= 4.0);
        let mid = a.samples.speed_mps[300].expect("speed");
        assert!((mid - 3.0).abs() < 0.05, "{mid}");
    }

    /// A draft of `n` one-second points north at 3 m/s, altitude from `alt(i)`.
    fn northward(n: usize, alt: impl Fn(usize) -> Option<f64>) -> Draft {
        let mut d = Draft::new(Sport::Running);
        for i in 0..n {
            d.points.push(Point {
                t: 1_700_000_000.0 + i as f64,
                lat_deg: Some(45.0 + 3.0 * i as f64 / 111_195.0),
                lon_deg: Some(7.0),
                altitude_m: alt(i),
                ..Point::default()
            });
        }
        d
    }

    /// The neighbour test of `drop_altitude_jumps` as first written (NaN-aware minimum and maximum), the reference
    /// for the shorter form it has now.
    fn within_jump_reference(with: &[(usize, f64, f64)], j: usize, lo: usize, hi: usize) -> bool {
        let a = with[j].2;
        let (mut low, mut high) = (a, a);
        let mut finite = true;
        for (k, &(_, _, ak)) in with.iter().enumerate().take(hi).skip(lo) {
            if k != j {
                finite &= ak.is_finite();
                low = low.min(ak);
                high = high.max(ak);
            }
        }
        finite && a - low <= ALTITUDE_JUMP_M && high - a <= ALTITUDE_JUMP_M
    }

    #[test]
    fn altitude_jumps_and_distances_are_computed_as_before() {
        // A noisy, jumpy track with NaN, infinite and boundary values (40 m exactly, just above, tiny steps).
        let mut seed = 0x9E37_79B9_7F4A_7C15u64;
        let mut next = || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        let specials = [f64::NAN, f64::INFINITY, f64::NEG_INFINITY, 0.0, 40.0, -40.0, 40.000000000000014, 1e-300];
        let mut with = Vec::new();
        for i in 0..5_000 {
            let r = next();
            let a = match r % 17 {
                0 => specials[(r >> 8) as usize % specials.len()],
                1 => 300.0 + (r >> 20) as f64 % 120.0,
                _ => 300.0 + ((r >> 20) % 1000) as f64 / 25.0,
            };
            with.push((i, i as f64, a));
        }
        let n = with.len();
        for j in 0..n {
            let a = with[j].2;
            if !a.is_finite() {
                continue;
            }
            let lo = j.saturating_sub(ALTITUDE_NEIGHBOURS);
            let hi = (j + ALTITUDE_NEIGHBOURS + 1).min(n);
            let now = with[lo..hi].iter().all(|&(_, _, ak)| (a - ak).abs() <= ALTITUDE_JUMP_M);
            assert_eq!(now, within_jump_reference(&with, j, lo, hi), "at {j}: {:?}", &with[lo..hi]);
        }

        // Distances from positions: each point's cosine computed once gives the same metres, to the bit.
        let mut points: Vec<Point> = (0..2_000)
            .map(|i| {
                let r = next();
                Point {
                    t: 1_700_000_000.0 + i as f64,
                    lat_deg: (r % 50 != 0).then(|| 48.2 + (r >> 12) as f64 % 1000.0 * 1e-7 + i as f64 * 2.7e-5),
                    lon_deg: Some(16.37 + (r >> 24) as f64 % 1000.0 * 1e-7),
                    ..Point::default()
                }
            })
            .collect();
        for p in &mut points {
            if p.lat_deg.is_none() {
                p.lon_deg = None;
            }
        }
        let mut expected = Vec::new();
        let (mut total, mut last) = (0.0, None::<(f64, f64, f64)>);
        for p in &points {
            if let (Some(lat), Some(lon)) = (p.lat_deg, p.lon_deg) {
                if let Some((plat, plon, pt)) = last {
                    let d = haversine_m(plat, plon, lat, lon);
                    if d / (p.t - pt).max(1.0) <= 12.0 {
                        total += d;
                    }
                }
                last = Some((lat, lon, p.t));
            }
            expected.push(total.to_bits());
        }
        fill_distance_from_positions(&mut points, 12.0);
        let got: Vec<u64> = points.iter().map(|p| p.distance_m.unwrap_or(f64::NAN).to_bits()).collect();
        assert_eq!(got, expected);
    }

    #[test]
    fn placeholder_altitude_is_not_a_climb() {
        let s = src();
        // A TCX whose first trackpoint says 0.0 m and has no position, on a course at 560–600 m that climbs 40 m.
        let mut d = northward(1200, |i| Some(560.0 + 40.0 * i as f64 / 1200.0));
        d.points[0].altitude_m = Some(0.0);
        d.points[0].lat_deg = None;
        d.points[0].lon_deg = None;
        let a = finalize(d, &ctx(&s)).expect("activity");
        let up = a.ascent_m.expect("ascent");
        assert!((35.0..=45.0).contains(&up), "{up} m up (a placeholder would add 560 m)");
        assert!(a.samples.altitude_m[0].is_none(), "the placeholder is dropped");
        // A single glitch of +80 m in the middle is dropped too.
        let mut d = northward(1200, |_| Some(300.0));
        d.points[600].altitude_m = Some(380.0);
        let a = finalize(d, &ctx(&s)).expect("activity");
        assert!(a.ascent_m.expect("ascent") < 5.0, "{:?}", a.ascent_m);
    }

    #[test]
    fn altitude_wobble_is_smoothed_before_summing() {
        let s = src();
        // ±3 m of noise every 4 s on flat ground: with the 4 m hysteresis alone, each swing of 6 m counts.
        let d = northward(1800, |i| Some(100.0 + if (i / 4) % 2 == 0 { 3.0 } else { -3.0 }));
        let a = finalize(d, &ctx(&s)).expect("activity");
        assert!(a.ascent_m.expect("ascent") < 5.0, "{:?}", a.ascent_m);
        // A real 50 m hill survives smoothing.
        let d = northward(1800, |i| Some(100.0 + 50.0 * (i.min(900) as f64 / 900.0)));
        let a = finalize(d, &ctx(&s)).expect("activity");
        assert!((a.ascent_m.expect("ascent") - 50.0).abs() < 5.0, "{:?}", a.ascent_m);
    }

    #[test]
    fn lap_totals_that_disagree_with_the_track_give_way() {
        let s = src();
        // Laps say 2.00 km in 10:25; the continuous track covers 2.7 km in 15 min.
        let mut d = northward(901, |_| None);
        d.totals_from_laps = true;
        d.distance_m = Some(2000.0);
        d.timer_s = Some(625.0);
        let a = finalize(d, &ctx(&s)).expect("activity");
        assert!((a.distance_m - 2700.0).abs() < 10.0, "{}", a.distance_m);
        assert!((a.moving_s - 900.0).abs() < 5.0, "{}", a.moving_s);
        assert!(a.warnings.iter().any(|w| w.contains("the laps add up to 2.00 km")), "{:?}", a.warnings);
    }

    #[test]
    fn impossible_pace_and_heart_rate_are_flagged() {
        let s = src();
        // 2.7 km in 4 min is 1:29/km: faster than any runner.
        let mut d = northward(241, |_| None);
        d.distance_m = Some(2700.0);
        d.avg_hr_bpm = Some(268.0);
        let a = finalize(d, &ctx(&s)).expect("activity");
        // (The track itself says 720 m; the file's total is what the record check sees.)
        assert!(a.quality.is_implausible(Implausible::Pace), "{:?}", a.quality);
        assert!(a.quality.is_implausible(Implausible::HeartRate), "{:?}", a.quality);
        assert!(a.warnings.iter().any(|w| w.contains("world record")));
        // An ordinary run is clean.
        let a = finalize(northward(901, |_| None), &ctx(&s)).expect("activity");
        assert!(a.quality.is_clean(), "{:?}", a.quality);
    }

    #[test]
    fn short_recordings_are_refused_unless_part_of_a_multisport_file() {
        let s = src();
        let e = finalize(northward(40, |_| None), &ctx(&s)).expect_err("40 s");
        assert!(matches!(e, ImportError::NotEnoughData { .. }), "{e}");
        assert!(e.to_string().contains("0:39"), "{e}");
        let part = Finish { part_of_many: true, ..ctx(&s) };
        assert!(finalize(northward(40, |_| None), &part).is_ok());
    }

    #[test]
    fn cadence_units() {
        assert!(cadence_is_strides([85.0, 88.0, 90.0].into_iter()));
        assert!(!cadence_is_strides([170.0, 176.0, 180.0].into_iter()));
    }
}
