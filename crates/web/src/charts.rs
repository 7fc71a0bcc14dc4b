//! Server-side SVG charts of a run: pace, heart rate and elevation over time, stacked on one time axis.
//!
//! Hand-written SVG (no chart library): a few polylines and labels are all a phone needs, the output is plain
//! text that also works in an export, and it builds in no time. Series are bucketed to at most `MAX_POINTS`
//! means, gaps in the recording stay gaps, and the value range ignores the extreme 2% so one GPS spike does not
//! flatten the line. Each chart comes with a text summary for screen readers.

use crate::units::{pace_seconds, pace_text};
use maud::{Markup, html};
use runtall_domain::activity::Samples;
use runtall_domain::profile::Units;

const WIDTH: f64 = 400.0;
const PANEL_H: f64 = 90.0;
const GAP: f64 = 30.0;
const LEFT: f64 = 60.0;
const RIGHT: f64 = 12.0;
const TOP: f64 = 22.0;
const MAX_POINTS: usize = 300;

struct Series {
    title: &'static str,
    class: &'static str,
    /// (t seconds, value) with `None` for gaps.
    points: Vec<(f64, Option<f64>)>,
    /// Draw larger values lower (pace: faster = smaller number = higher on the chart).
    invert: bool,
    fmt: Box<dyn Fn(f64) -> String>,
}

/// Means of consecutive buckets, keeping a bucket empty when it has no value.
fn bucket(t: &[f64], values: &[Option<f64>]) -> Vec<(f64, Option<f64>)> {
    let n = t.len().min(values.len());
    if n == 0 {
        return vec![];
    }
    let per = n.div_ceil(MAX_POINTS).max(1);
    (0..n)
        .step_by(per)
        .map(|start| {
            let end = (start + per).min(n);
            let vals: Vec<f64> = values[start..end].iter().flatten().copied().filter(|v| v.is_finite()).collect();
            let mean = (!vals.is_empty()).then(|| vals.iter().sum::<f64>() / vals.len() as f64);
            (t[start], mean)
        })
        .collect()
}

fn robust_range(points: &[(f64, Option<f64>)]) -> Option<(f64, f64)> {
    let mut v: Vec<f64> = points.iter().filter_map(|p| p.1).collect();
    if v.len() < 2 {
        return None;
    }
    v.sort_by(f64::total_cmp);
    let lo = v[v.len() / 50];
    let hi = v[v.len() - 1 - v.len() / 50];
    let pad = ((hi - lo) * 0.08).max(0.5);
    Some((lo - pad, hi + pad))
}

fn clock(seconds: f64) -> String {
    let m = (seconds / 60.0).round() as i64;
    if m >= 60 { format!("{}:{:02}", m / 60, m % 60) } else { format!("{m} min") }
}

/// A tick spacing in minutes that gives about five labels.
fn tick_minutes(total_s: f64) -> f64 {
    let minutes = total_s / 60.0;
    [1.0, 2.0, 5.0, 10.0, 15.0, 20.0, 30.0, 60.0, 120.0].into_iter().find(|s| minutes / s <= 6.0).unwrap_or(240.0)
}

/// The run's chart and its text alternative, or `None` when the run has no usable sample stream.
pub fn run_chart(s: &Samples, units: Units) -> Option<(Markup, String)> {
    if s.len() < 2 {
        return None;
    }
    let pace: Vec<Option<f64>> =
        s.speed_mps.iter().map(|v| v.and_then(|x| pace_seconds(x, units)).filter(|p| *p < 20.0 * 60.0)).collect();
    let u = units;
    let mut series = vec![
        Series {
            title: "Pace",
            class: "pace",
            points: bucket(&s.t_s, &pace),
            invert: true,
            fmt: Box::new(move |v| pace_text(v, u)),
        },
        Series {
            title: "Heart rate",
            class: "hr",
            points: bucket(&s.t_s, &s.hr_bpm),
            invert: false,
            fmt: Box::new(|v| format!("{v:.0} bpm")),
        },
        Series {
            title: "Elevation",
            class: "elev",
            points: bucket(&s.t_s, &s.altitude_m),
            invert: false,
            fmt: Box::new(|v| format!("{v:.0} m")),
        },
    ];
    series.retain(|x| robust_range(&x.points).is_some());
    if series.is_empty() {
        return None;
    }
    let t0 = s.t_s.first().copied().unwrap_or(0.0);
    let t1 = s.t_s.last().copied().unwrap_or(1.0).max(t0 + 1.0);
    let plot_w = WIDTH - LEFT - RIGHT;
    let x = |t: f64| LEFT + (t - t0) / (t1 - t0) * plot_w;
    let height = TOP + series.len() as f64 * (PANEL_H + GAP);
    let step = tick_minutes(t1 - t0) * 60.0;
    let ticks: Vec<f64> = (0..).map(|i| t0 + i as f64 * step).take_while(|t| *t <= t1).collect();

    let mut summary = Vec::new();
    let panels: Vec<Markup> = series
        .iter()
        .enumerate()
        .filter_map(|(i, ser)| {
            let (lo, hi) = robust_range(&ser.points)?;
            let top = TOP + i as f64 * (PANEL_H + GAP);
            let y = |v: f64| {
                let f = ((v - lo) / (hi - lo)).clamp(0.0, 1.0);
                if ser.invert { top + f * PANEL_H } else { top + PANEL_H - f * PANEL_H }
            };
            // Split the line at gaps.
            let mut lines: Vec<String> = vec![String::new()];
            for (t, v) in &ser.points {
                match v {
                    Some(v) => {
                        if let Some(cur) = lines.last_mut() {
                            cur.push_str(&format!("{:.1},{:.1} ", x(*t), y(*v)));
                        }
                    }
                    None => {
                        if lines.last().is_some_and(|l| !l.is_empty()) {
                            lines.push(String::new());
                        }
                    }
                }
            }
            let vals: Vec<f64> = ser.points.iter().filter_map(|p| p.1).collect();
            let mean = vals.iter().sum::<f64>() / vals.len().max(1) as f64;
            let (best, worst) = if ser.invert { (lo, hi) } else { (hi, lo) };
            summary.push(format!(
                "{} from {} to {} (average {})",
                ser.title,
                (ser.fmt)(if ser.invert { best } else { worst }),
                (ser.fmt)(if ser.invert { worst } else { best }),
                (ser.fmt)(mean)
            ));
            let mid = (lo + hi) / 2.0;
            Some(html! {
                g class={ "panel " (ser.class) } {
                    text x=(LEFT) y={ (format!("{:.1}", top - 6.0)) } class="ptitle" { (ser.title) }
                    rect x=(LEFT) y=(top) width=(plot_w) height=(PANEL_H) class="frame" {}
                    @for v in [lo, mid, hi] {
                        line x1=(LEFT) x2=(WIDTH - RIGHT) y1={ (format!("{:.1}", y(v))) } y2={ (format!("{:.1}", y(v))) } class="grid" {}
                        text x={ (LEFT - 6.0) } y={ (format!("{:.1}", y(v) + 4.0)) } class="ylab" text-anchor="end" { ((ser.fmt)(v)) }
                    }
                    @for l in lines.iter().filter(|l| !l.is_empty()) {
                        polyline points=(l.trim_end()) class="line" {}
                    }
                }
            })
        })
        .collect();
    let axis_y = TOP + series.len() as f64 * (PANEL_H + GAP) - GAP + 16.0;
    let svg = html! {
        svg class="chart" viewBox={ "0 0 " (WIDTH) " " (format!("{height:.0}")) } role="img" aria-labelledby="chart-title chart-desc"
            xmlns="http://www.w3.org/2000/svg" preserveAspectRatio="xMidYMid meet" {
            title id="chart-title" { "Pace, heart rate and elevation over the run" }
            desc id="chart-desc" { (summary.join(". ")) "." }
            @for p in &panels { (p) }
            @for t in &ticks {
                text x={ (format!("{:.1}", x(*t))) } y=(axis_y) class="xlab" text-anchor="middle" { (clock(*t - t0)) }
            }
        }
    };
    Some((svg, summary.join(". ") + "."))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn samples(n: usize) -> Samples {
        let mut s = Samples::default();
        for i in 0..n {
            let gap = (100..120).contains(&i);
            s.push(
                i as f64 * 5.0,
                Some(i as f64 * 15.0),
                if gap { None } else { Some(3.0 + (i % 10) as f64 * 0.05) },
                Some(140.0 + (i % 20) as f64),
                None,
                Some(50.0 + (i as f64 / 10.0).sin() * 10.0),
                None,
                None,
            );
        }
        s
    }

    #[test]
    fn chart_has_three_panels_a_gap_and_a_text_alternative() {
        let (svg, text) = run_chart(&samples(1000), Units::Km).expect("chart");
        let svg = svg.into_string();
        assert_eq!(svg.matches("class=\"panel").count(), 3);
        assert!(svg.matches("<polyline").count() >= 3);
        assert!(svg.contains("<desc"), "{svg}");
        assert!(text.contains("Pace from") && text.contains("/km"), "{text}");
        assert!(text.contains("bpm") && text.contains(" m"), "{text}");
        assert!(!svg.contains("NaN"));
    }

    #[test]
    fn no_chart_without_samples() {
        assert!(run_chart(&Samples::default(), Units::Km).is_none());
    }
}
