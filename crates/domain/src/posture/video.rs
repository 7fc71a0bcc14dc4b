//! A run video's landmarks → per-frame head-forward offset and trunk lean → smoothed → one median per minute, and
//! the drift from the first minute to the last ("posture fades late in long runs", measured).
//!
//! Frames are autocorrelated (a stride lasts under a second), so the error of a minute's median is taken from the
//! spread of its 10-second block medians rather than from every frame as if independent; a minute with fewer than
//! three blocks falls back to the frames' own spread, which is larger still. The drift is judged against 1.96 times
//! the combined error of the two minutes: inside it is "no measurable change".

use crate::InputError;
use crate::posture::geometry::{Facing, FacingSource, Frame, decide_facing};
use crate::posture::input::{Point, VideoLandmarks};
use crate::posture::trend::Change;
use serde::{Deserialize, Serialize};

/// Frames the model saw with less confidence than this are left out.
const MIN_CONFIDENCE: f64 = 0.5;
/// Half-width of the rolling median that smooths out the stride, in seconds.
const SMOOTH_HALF_S: f64 = 0.5;
/// A minute needs this many usable frames to have a median.
const MIN_FRAMES_PER_MINUTE: usize = 5;
/// Block length for the error of a minute's median.
const BLOCK_S: f64 = 10.0;
/// Resolution of the stored smoothed series (for the chart).
const SERIES_STEP_S: f64 = 2.0;

/// One minute of a run video.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MinuteStat {
    /// 0 for the first minute.
    pub minute: u32,
    pub frames: usize,
    /// Seconds of the minute that had usable frames (first to last).
    pub covered_s: f64,
    /// Median head-forward offset (trunk lengths) and its quartiles.
    pub head_forward: f64,
    pub head_forward_q1: f64,
    pub head_forward_q3: f64,
    /// Standard error of that median.
    pub head_forward_se: f64,
    pub trunk_lean_deg: f64,
    pub trunk_lean_q1: f64,
    pub trunk_lean_q3: f64,
    pub trunk_lean_se: f64,
}

/// First minute against last.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunDrift {
    pub first_minute: u32,
    pub last_minute: u32,
    pub head_forward: Change,
    pub trunk_lean: Change,
}

/// What is stored of a run video (never the video itself).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VideoSummary {
    pub facing: Facing,
    pub facing_from: FacingSource,
    pub frames_total: usize,
    pub frames_used: usize,
    /// Length of the video (or of the frames when the file does not say).
    pub duration_s: f64,
    pub minutes: Vec<MinuteStat>,
    /// `None` when fewer than two minutes have enough frames (see `drift_note`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub drift: Option<RunDrift>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub drift_note: Option<String>,
    /// The smoothed series every 2 s: (seconds, head-forward, trunk lean°), for the chart.
    pub series: Vec<(f64, f64, f64)>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub model: Option<String>,
}

struct Measured {
    t: f64,
    head_forward: f64,
    lean: f64,
}

fn median_sorted(v: &[f64]) -> f64 {
    let n = v.len();
    if n % 2 == 1 { v[n / 2] } else { (v[n / 2 - 1] + v[n / 2]) / 2.0 }
}

fn quantile_sorted(v: &[f64], q: f64) -> f64 {
    let pos = q * (v.len() - 1) as f64;
    let (lo, hi) = (pos.floor() as usize, pos.ceil() as usize);
    v[lo] + (v[hi] - v[lo]) * (pos - lo as f64)
}

fn sorted(mut v: Vec<f64>) -> Vec<f64> {
    v.sort_by(f64::total_cmp);
    v
}

fn sd(v: &[f64]) -> f64 {
    if v.len() < 2 {
        return 0.0;
    }
    let m = v.iter().sum::<f64>() / v.len() as f64;
    (v.iter().map(|x| (x - m).powi(2)).sum::<f64>() / (v.len() - 1) as f64).sqrt()
}

/// Centered rolling median over ±`half` seconds (frames sorted by time). Linear in frames times window size.
fn rolling_median(t: &[f64], v: &[f64], half: f64) -> Vec<f64> {
    let (mut lo, mut hi) = (0usize, 0usize);
    let mut out = Vec::with_capacity(v.len());
    for i in 0..v.len() {
        while t[lo] < t[i] - half {
            lo += 1;
        }
        while hi < v.len() && t[hi] <= t[i] + half {
            hi += 1;
        }
        out.push(median_sorted(&sorted(v[lo..hi].to_vec())));
    }
    out
}

/// The error of a minute's median: spread of its 10-s block medians over √blocks, or the frames' own spread when
/// the minute has fewer than three blocks.
fn median_se(t: &[f64], v: &[f64]) -> f64 {
    let mut blocks: Vec<Vec<f64>> = Vec::new();
    let mut current = f64::NAN;
    for (ti, vi) in t.iter().zip(v) {
        let b = (ti / BLOCK_S).floor();
        if b != current {
            blocks.push(Vec::new());
            current = b;
        }
        if let Some(last) = blocks.last_mut() {
            last.push(*vi);
        }
    }
    let medians: Vec<f64> = blocks.into_iter().filter(|b| b.len() >= 2).map(|b| median_sorted(&sorted(b))).collect();
    if medians.len() >= 3 { sd(&medians) / (medians.len() as f64).sqrt() } else { sd(v) }
}

/// Summarises a run video's frames. Errors name the frame (`frames[12].t`) when a value is unusable, or say that no
/// frame had ear, shoulder and hip with enough confidence.
pub fn summarize_video(v: &VideoLandmarks) -> Result<VideoSummary, InputError> {
    if !v.tilt_deg.is_finite() || v.tilt_deg.abs() > 45.0 {
        return Err(InputError::new("tilt_deg", format!("{} is out of range (allowed -45–45)", v.tilt_deg)));
    }
    if v.frames.len() > super::MAX_FRAMES {
        return Err(InputError::new("frames", format!("too many frames (at most {})", super::MAX_FRAMES)));
    }
    // Validate every frame first, so the message names the first bad one.
    for (i, fr) in v.frames.iter().enumerate() {
        if !fr.t.is_finite() || fr.t < 0.0 || fr.t > 24.0 * 3600.0 {
            return Err(InputError::new(format!("frames[{i}].t"), format!("{} is not a time in the video", fr.t)));
        }
        for (name, p) in [("ear", fr.ear), ("shoulder", fr.shoulder), ("hip", fr.hip), ("nose", fr.nose)] {
            if let Some(p) = p {
                p.check(&format!("frames[{i}].{name}"))?;
            }
        }
    }
    let mut frames: Vec<_> = v.frames.iter().collect();
    frames.sort_by(|a, b| a.t.total_cmp(&b.t));
    let usable: Vec<(f64, Point, Point, Point, Option<Point>)> = frames
        .iter()
        .filter(|f| f.confidence.is_none_or(|c| c >= MIN_CONFIDENCE))
        .filter_map(|f| Some((f.t, f.ear?, f.shoulder?, f.hip?, f.nose)))
        .collect();

    // One facing for the whole video: given, or the majority of frames (nose first, then ear ahead of shoulder).
    let (facing, facing_from) = match v.facing {
        Some(f) => (f, FacingSource::Given),
        None => {
            let votes: Vec<(Facing, FacingSource)> =
                usable.iter().map(|(_, e, s, _, n)| decide_facing(None, v.tilt_deg, *n, *e, *s)).collect();
            let by_nose: Vec<Facing> =
                votes.iter().filter(|(_, s)| *s == FacingSource::Nose).map(|(f, _)| *f).collect();
            let pool: Vec<Facing> =
                if by_nose.is_empty() { votes.iter().map(|(f, _)| *f).collect() } else { by_nose.clone() };
            let left = pool.iter().filter(|f| **f == Facing::Left).count();
            let facing = if left * 2 > pool.len() { Facing::Left } else { Facing::Right };
            (facing, if by_nose.is_empty() { FacingSource::Assumed } else { FacingSource::Nose })
        }
    };
    let fr = Frame::new(v.tilt_deg, facing);
    let measured: Vec<Measured> = usable
        .iter()
        .filter_map(|(t, e, s, h, _)| {
            let (e, s, h) = (fr.to(*e), fr.to(*s), fr.to(*h));
            let (dx, dy) = (s.x - h.x, s.y - h.y);
            let trunk = dx.hypot(dy);
            (dy > 0.0 && trunk > 0.0).then(|| Measured {
                t: *t,
                head_forward: (e.x - s.x) / trunk,
                lean: dx.atan2(dy).to_degrees(),
            })
        })
        .collect();
    if measured.is_empty() {
        return Err(InputError::new(
            "frames",
            format!(
                "none of the {} frames has ear, shoulder and hip seen with enough confidence (film from the side, \
                 the whole body in the picture)",
                v.frames.len()
            ),
        ));
    }
    let t: Vec<f64> = measured.iter().map(|m| m.t).collect();
    let hf = rolling_median(&t, &measured.iter().map(|m| m.head_forward).collect::<Vec<_>>(), SMOOTH_HALF_S);
    let lean = rolling_median(&t, &measured.iter().map(|m| m.lean).collect::<Vec<_>>(), SMOOTH_HALF_S);

    let mut minutes = Vec::new();
    let mut start = 0;
    while start < t.len() {
        let minute = (t[start] / 60.0).floor();
        let end = start + t[start..].iter().take_while(|ti| (*ti / 60.0).floor() == minute).count();
        if end - start >= MIN_FRAMES_PER_MINUTE {
            let (mt, mh, ml) = (&t[start..end], &hf[start..end], &lean[start..end]);
            let (sh, sl) = (sorted(mh.to_vec()), sorted(ml.to_vec()));
            minutes.push(MinuteStat {
                minute: minute as u32,
                frames: end - start,
                covered_s: mt[mt.len() - 1] - mt[0],
                head_forward: median_sorted(&sh),
                head_forward_q1: quantile_sorted(&sh, 0.25),
                head_forward_q3: quantile_sorted(&sh, 0.75),
                head_forward_se: median_se(mt, mh),
                trunk_lean_deg: median_sorted(&sl),
                trunk_lean_q1: quantile_sorted(&sl, 0.25),
                trunk_lean_q3: quantile_sorted(&sl, 0.75),
                trunk_lean_se: median_se(mt, ml),
            });
        }
        start = end;
    }
    let (drift, drift_note) = match (minutes.first(), minutes.last()) {
        (Some(a), Some(b)) if minutes.len() >= 2 => {
            let err = |x: f64, y: f64| Some(1.96 * x.hypot(y));
            (
                Some(RunDrift {
                    first_minute: a.minute,
                    last_minute: b.minute,
                    head_forward: Change::judge(
                        a.head_forward,
                        b.head_forward,
                        err(a.head_forward_se, b.head_forward_se),
                    ),
                    trunk_lean: Change::judge(
                        a.trunk_lean_deg,
                        b.trunk_lean_deg,
                        err(a.trunk_lean_se, b.trunk_lean_se),
                    ),
                }),
                None,
            )
        }
        _ => (
            None,
            Some(format!(
                "the drift needs at least two minutes with {MIN_FRAMES_PER_MINUTE} or more usable frames; this video \
                 has {}",
                minutes.len()
            )),
        ),
    };
    let mut series = Vec::new();
    let mut next = f64::NEG_INFINITY;
    for i in 0..t.len() {
        if t[i] >= next {
            series.push((t[i], hf[i], lean[i]));
            next = t[i] + SERIES_STEP_S;
        }
    }
    let last_t = t[t.len() - 1];
    Ok(VideoSummary {
        facing,
        facing_from,
        frames_total: v.frames.len(),
        frames_used: measured.len(),
        duration_s: v.duration_s.filter(|d| d.is_finite() && *d >= last_t).unwrap_or(last_t),
        minutes,
        drift,
        drift_note,
        series,
        model: v.model.clone(),
    })
}
