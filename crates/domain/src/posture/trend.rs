//! Posture over time: day means, the measurement error, and whether a change is larger than it.
//!
//! The error of the CVA is the larger of two numbers: the minimum detectable change (MDC95) published for
//! smartphone photos marked by hand, and the runner's own test–retest spread once they have taken two or more photos
//! on one day. The other measures have no published MDC we can cite for this method, so they are judged only
//! against the runner's own spread, and say so until there is one. A change smaller than the error is "no
//! measurable change".

use crate::posture::geometry::PhotoMeasures;
use crate::posture::input::PostureKind;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The CVA's minimum detectable change (95%) for a smartphone app with hand-placed landmarks, in degrees: the
/// inter-rater figure, because a runner marking their own photo weeks apart is closer to a second rater than to a
/// trained one repeating themselves.
pub const CVA_MDC_DEG: f64 = 5.5;

/// Where [`CVA_MDC_DEG`] comes from, shown wherever the figure is.
pub const CVA_MDC_SOURCE: &str = "Gallego-Izquierdo et al., Int J Environ Res Public Health 2020 (smartphone app, \
                                  MDC 5.0° intra-rater and 5.5° inter-rater); studies with skin markers report \
                                  1.3–1.7°";

/// z for 95% times √2: the MDC95 of one measurement's standard error.
const MDC95_FACTOR: f64 = 1.96 * std::f64::consts::SQRT_2;

/// One stored photo's measures with its date and kind.
#[derive(Debug, Clone, PartialEq)]
pub struct Sample {
    pub id: i64,
    pub date: Date,
    pub kind: PostureKind,
    pub measures: PhotoMeasures,
}

/// Which way a measure moved beyond its error, or why it is not judged.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Verdict {
    /// The change is within the measurement error.
    NoMeasurableChange,
    /// Larger than the error, upwards.
    Up,
    /// Larger than the error, downwards.
    Down,
    /// There is no error estimate for this measure yet (take two photos on one day).
    NotJudged,
}

/// A change from one value to another with its error.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Change {
    pub from: f64,
    pub to: f64,
    pub delta: f64,
    /// The smallest change that is more than measurement error (same unit), when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<f64>,
    pub verdict: Verdict,
}

impl Change {
    /// Judges `to - from` against `error`: within it is "no measurable change".
    pub fn judge(from: f64, to: f64, error: Option<f64>) -> Change {
        let delta = to - from;
        let verdict = match error {
            None => Verdict::NotJudged,
            Some(e) if delta.abs() <= e => Verdict::NoMeasurableChange,
            Some(_) if delta > 0.0 => Verdict::Up,
            Some(_) => Verdict::Down,
        };
        Change { from, to, delta, error, verdict }
    }
}

/// One day's mean of a measure.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct TrendPoint {
    pub date: Date,
    pub value: f64,
    /// Photos that day.
    pub n: usize,
}

/// One measure over time.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MeasureTrend {
    /// `cva`, `head-forward` or `trunk-lean`.
    pub measure: String,
    pub unit: String,
    pub points: Vec<TrendPoint>,
    /// The published MDC95 (CVA only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub literature_mdc: Option<f64>,
    /// The runner's own MDC95 from same-day repeats.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub own_mdc: Option<f64>,
    /// Days with two or more photos, which the own MDC comes from.
    pub repeat_days: usize,
    /// The error a change is judged against: the larger of the two when both exist.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<f64>,
    /// First day against the latest day; `None` with one day only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub change: Option<Change>,
}

/// The history of one kind of photo.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PostureHistory {
    pub kind: PostureKind,
    pub photos: usize,
    pub days: usize,
    pub trends: Vec<MeasureTrend>,
}

impl PostureHistory {
    pub fn measure(&self, name: &str) -> Option<&MeasureTrend> {
        self.trends.iter().find(|t| t.measure == name)
    }
}

/// The runner's own MDC95 from photos repeated on the same day: the within-day standard deviation pooled over every
/// day with two or more photos, times 1.96·√2. Returns the MDC and how many days it rests on.
pub fn own_mdc(values_by_day: &[Vec<f64>]) -> Option<(f64, usize)> {
    let (mut ss, mut df, mut days) = (0.0, 0usize, 0usize);
    for day in values_by_day.iter().filter(|d| d.len() >= 2) {
        let mean = day.iter().sum::<f64>() / day.len() as f64;
        ss += day.iter().map(|v| (v - mean).powi(2)).sum::<f64>();
        df += day.len() - 1;
        days += 1;
    }
    (df > 0).then(|| ((ss / df as f64).sqrt() * MDC95_FACTOR, days))
}

/// The history of one kind: day means of CVA, head-forward offset and trunk lean, each with its error and the
/// change from the first day to the latest. `None` when there is no photo of that kind.
pub fn trend(samples: &[Sample], kind: PostureKind) -> Option<PostureHistory> {
    let mut by_day: BTreeMap<Date, Vec<&PhotoMeasures>> = BTreeMap::new();
    for s in samples.iter().filter(|s| s.kind == kind) {
        by_day.entry(s.date).or_default().push(&s.measures);
    }
    if by_day.is_empty() {
        return None;
    }
    type Get = fn(&PhotoMeasures) -> f64;
    let measures: [(&str, &str, Get, Option<f64>); 3] = [
        ("cva", "°", |m| m.cva_deg, Some(CVA_MDC_DEG)),
        ("head-forward", "trunk lengths", |m| m.head_forward, None),
        ("trunk-lean", "°", |m| m.trunk_lean_deg, None),
    ];
    let trends = measures
        .into_iter()
        .map(|(name, unit, get, literature)| {
            let values: Vec<Vec<f64>> = by_day.values().map(|d| d.iter().map(|m| get(m)).collect()).collect();
            let points: Vec<TrendPoint> = by_day
                .keys()
                .zip(&values)
                .map(|(date, v)| TrendPoint { date: *date, value: v.iter().sum::<f64>() / v.len() as f64, n: v.len() })
                .collect();
            let own = own_mdc(&values);
            let error = match (literature, own.map(|o| o.0)) {
                (Some(l), Some(o)) => Some(l.max(o)),
                (l, o) => l.or(o),
            };
            let change = (points.len() >= 2).then(|| {
                let (first, last) = (points[0].value, points[points.len() - 1].value);
                Change::judge(first, last, error)
            });
            MeasureTrend {
                measure: name.into(),
                unit: unit.into(),
                points,
                literature_mdc: literature,
                own_mdc: own.map(|o| o.0),
                repeat_days: own.map_or(0, |o| o.1),
                error,
                change,
            }
        })
        .collect();
    Some(PostureHistory { kind, photos: by_day.values().map(Vec::len).sum(), days: by_day.len(), trends })
}
