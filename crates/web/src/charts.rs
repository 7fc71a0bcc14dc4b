//! Server-side SVG charts of a run: pace, heart rate and elevation stacked on one distance axis (time when the
//! file has no distance).
//!
//! Hand-written SVG (no chart library): a few polylines and labels are all a phone needs, the output is plain
//! text that also works in an export, and it builds in no time. Values are smoothed over ±[`SMOOTH_S`] seconds
//! (speed before it becomes pace, since averaging paces overweights slow seconds), then bucketed to at most
//! `MAX_POINTS` means; gaps in the recording stay gaps. The value range ignores the extreme 2% so one GPS spike
//! does not flatten the line, and never shrinks below a span a runner reads as meaningful (a minute per km, 20
//! bpm, 20 m), so an even run looks even instead of zoomed into a 3-second wobble. Two drawings are made, narrow
//! for phones and wide for desktops (CSS shows one), so labels stay readable at both sizes. Each chart comes with
//! a text summary for screen readers.

use crate::units::{KM_PER_MI, pace_seconds, pace_text, unit_name};
use maud::{Markup, html};
use runtall_domain::activity::Samples;
use runtall_domain::profile::Units;

/// Width of the phone drawing; the desktop one is [`WIDE`].
const WIDTH: f64 = 400.0;
pub const WIDE: f64 = 760.0;
const PANEL_H: f64 = 90.0;
/// Smoothing half-window, seconds.
pub const SMOOTH_S: f64 = 15.0;
const GAP: f64 = 30.0;
const LEFT: f64 = 68.0;
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
    /// The smallest value span drawn, so small wobbles stay small.
    min_span: f64,
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

/// The drawn value range: the middle 96% of the values, padded, at least `min_span` wide, and for pace no slower
/// than half as slow again as the median (values beyond the range are drawn at its edge).
fn robust_range(points: &[(f64, Option<f64>)], min_span: f64, cap_slow: bool) -> Option<(f64, f64)> {
    let mut v: Vec<f64> = points.iter().filter_map(|p| p.1).collect();
    if v.len() < 2 {
        return None;
    }
    v.sort_by(f64::total_cmp);
    let slowest = cap_slow.then(|| v[v.len() / 2] * 1.5);
    let lo = v[v.len() / 50];
    let hi = v[v.len() - 1 - v.len() / 50];
    let pad = ((hi - lo) * 0.08).max(0.5);
    let (mut lo, mut hi) = (lo - pad, hi + pad);
    if let Some(slowest) = slowest {
        // Pace: standing and walking stretches would stretch the scale to 20 min/km and flatten the running.
        hi = hi.min(slowest);
    }
    if hi - lo < min_span {
        let mid = (lo + hi) / 2.0;
        (lo, hi) = (mid - min_span / 2.0, mid + min_span / 2.0);
    }
    Some((lo, hi))
}

/// Centred moving average over ±`half_s` seconds of time `t`; gaps (no value) stay gaps. Also colours the route map.
pub(crate) fn smooth(t: &[f64], values: &[Option<f64>], half_s: f64) -> Vec<Option<f64>> {
    let n = t.len().min(values.len());
    let mut sum = vec![0.0; n + 1];
    let mut cnt = vec![0usize; n + 1];
    for i in 0..n {
        let v = values[i].filter(|v| v.is_finite());
        sum[i + 1] = sum[i] + v.unwrap_or(0.0);
        cnt[i + 1] = cnt[i] + usize::from(v.is_some());
    }
    let (mut lo, mut hi) = (0usize, 0usize);
    (0..n)
        .map(|i| {
            values[i]?;
            while t[lo] < t[i] - half_s {
                lo += 1;
            }
            hi = hi.max(i);
            while hi + 1 < n && t[hi + 1] <= t[i] + half_s {
                hi += 1;
            }
            let c = cnt[hi + 1] - cnt[lo];
            (c > 0).then(|| (sum[hi + 1] - sum[lo]) / c as f64)
        })
        .collect()
}

/// The distance axis: cumulative distance per sample (carried over gaps), when most samples have one and the run
/// covers at least 200 m.
fn distance_axis(s: &Samples) -> Option<Vec<f64>> {
    let known = s.distance_m.iter().flatten().filter(|d| d.is_finite()).count();
    if known * 2 < s.len() {
        return None;
    }
    let mut last = 0.0_f64;
    let x: Vec<f64> = s
        .distance_m
        .iter()
        .map(|d| {
            if let Some(d) = d.filter(|d| d.is_finite()) {
                last = last.max(d);
            }
            last
        })
        .collect();
    (last >= 200.0).then_some(x)
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

/// The run's chart (a phone and a desktop drawing, CSS shows one) and its text alternative, or `None` when the
/// run has no usable sample stream.
pub fn run_chart(s: &Samples, units: Units) -> Option<(Markup, String)> {
    let (narrow, text) = chart_svg(s, units, WIDTH, "narrow")?;
    let (wide, _) = chart_svg(s, units, WIDE, "wide")?;
    Some((html! { (narrow) (wide) }, text))
}

/// One drawing `width` wide (the standalone `chart.svg` uses the desktop one).
pub fn chart_svg(s: &Samples, units: Units, width: f64, variant: &str) -> Option<(Markup, String)> {
    if s.len() < 2 {
        return None;
    }
    let speed = smooth(&s.t_s, &s.speed_mps, SMOOTH_S);
    let pace: Vec<Option<f64>> =
        speed.iter().map(|v| v.and_then(|x| pace_seconds(x, units)).filter(|p| *p < 20.0 * 60.0)).collect();
    let dist = distance_axis(s);
    let axis: &[f64] = dist.as_deref().unwrap_or(&s.t_s);
    let u = units;
    let mut series = vec![
        Series {
            title: "Pace",
            class: "pace",
            points: bucket(axis, &pace),
            invert: true,
            min_span: 60.0,
            fmt: Box::new(move |v| pace_text(v, u)),
        },
        Series {
            title: "Heart rate",
            class: "hr",
            points: bucket(axis, &smooth(&s.t_s, &s.hr_bpm, SMOOTH_S)),
            invert: false,
            min_span: 20.0,
            fmt: Box::new(|v| format!("{v:.0} bpm")),
        },
        Series {
            title: "Elevation",
            class: "elev",
            points: bucket(axis, &smooth(&s.t_s, &s.altitude_m, SMOOTH_S)),
            invert: false,
            min_span: 20.0,
            fmt: Box::new(|v| format!("{v:.0} m")),
        },
    ];
    series.retain(|x| robust_range(&x.points, x.min_span, x.invert).is_some());
    if series.is_empty() {
        return None;
    }
    let t0 = axis.first().copied().unwrap_or(0.0);
    let t1 = axis.last().copied().unwrap_or(1.0).max(t0 + 1.0);
    let plot_w = width - LEFT - RIGHT;
    let x = |t: f64| LEFT + (t - t0) / (t1 - t0) * plot_w;
    let height = TOP + series.len() as f64 * (PANEL_H + GAP);
    let (ticks, tick_label): (Vec<f64>, Box<dyn Fn(f64) -> String>) = match &dist {
        Some(_) => {
            let unit_m = if units == Units::Mi { 1000.0 * KM_PER_MI } else { 1000.0 };
            let total = (t1 - t0) / unit_m;
            let most = if width > WIDTH { 12.0 } else { 6.0 };
            let every = [0.5, 1.0, 2.0, 5.0, 10.0, 20.0, 50.0].into_iter().find(|e| total / e <= most).unwrap_or(100.0);
            let ticks = (0..)
                .map(|i| i as f64 * every * unit_m)
                .take_while(|d| *d <= (t1 - t0) * 0.97)
                .map(|d| t0 + d)
                .collect();
            let name = unit_name(units);
            (ticks, Box::new(move |d: f64| format!("{} {name}", num(d / unit_m))))
        }
        None => {
            let step = tick_minutes(t1 - t0) * 60.0;
            let ticks = (0..).map(|i| t0 + i as f64 * step).take_while(|t| *t <= t1).collect();
            (ticks, Box::new(clock))
        }
    };

    let mut summary = Vec::new();
    let panels: Vec<Markup> = series
        .iter()
        .enumerate()
        .filter_map(|(i, ser)| {
            let (lo, hi) = robust_range(&ser.points, ser.min_span, ser.invert)?;
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
            let (vmin, vmax) = vals.iter().fold((f64::MAX, f64::MIN), |(a, b), v| (a.min(*v), b.max(*v)));
            let (from, to) = if ser.invert { (vmax, vmin) } else { (vmin, vmax) };
            summary.push(format!("{} from {} to {} (average {})", ser.title, (ser.fmt)(from), (ser.fmt)(to), (ser.fmt)(mean)));
            let mid = (lo + hi) / 2.0;
            Some(html! {
                g class={ "panel " (ser.class) } {
                    text x=(LEFT) y={ (format!("{:.1}", top - 6.0)) } class="ptitle" { (ser.title) }
                    rect x=(LEFT) y=(top) width=(plot_w) height=(PANEL_H) class="frame" {}
                    @for v in [lo, mid, hi] {
                        line x1=(LEFT) x2=(width - RIGHT) y1={ (format!("{:.1}", y(v))) } y2={ (format!("{:.1}", y(v))) } class="grid" {}
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
    let over = if dist.is_some() { "distance" } else { "time" };
    let (title_id, desc_id) = (format!("chart-title-{variant}"), format!("chart-desc-{variant}"));
    let svg = html! {
        svg class={ "chart " (variant) } viewBox={ "0 0 " (width) " " (format!("{height:.0}")) } role="img"
            aria-labelledby={ (title_id) " " (desc_id) }
            xmlns="http://www.w3.org/2000/svg" preserveAspectRatio="xMidYMid meet" {
            title id=(title_id) { "Pace, heart rate and elevation over " (over) }
            desc id=(desc_id) { (summary.join(". ")) "." }
            @for p in &panels { (p) }
            @for t in &ticks {
                text x={ (format!("{:.1}", x(*t))) } y=(axis_y) class="xlab" text-anchor="middle" { (tick_label(*t - t0)) }
            }
        }
    };
    Some((svg, summary.join(". ") + "."))
}

/// A number without a pointless ".0".
fn num(x: f64) -> String {
    if (x - x.round()).abs() < 1e-6 { format!("{}", x.round() as i64) } else { format!("{x:.1}") }
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
        let (svg, text) = chart_svg(&samples(1000), Units::Km, WIDTH, "narrow").expect("chart");
        let svg = svg.into_string();
        assert_eq!(svg.matches("class=\"panel").count(), 3);
        assert!(svg.matches("<polyline").count() >= 3);
        assert!(svg.contains("<desc"), "{svg}");
        assert!(text.contains("Pace from") && text.contains("/km"), "{text}");
        assert!(text.contains("bpm") && text.contains(" m"), "{text}");
        assert!(!svg.contains("NaN"));
    }

    #[test]
    fn an_even_run_looks_even_and_the_axis_is_distance() {
        // 3.00–3.05 m/s: a 5:28–5:33/km wobble. The pace scale spans at least a minute, so the line stays in the
        // middle fifth of the panel instead of filling it.
        let mut s = Samples::default();
        for i in 0..1200 {
            let v = 3.0 + (i % 3) as f64 * 0.025;
            s.push(i as f64, Some(i as f64 * 3.0), Some(v), Some(150.0), None, Some(100.0), None, None);
        }
        let (svg, text) = chart_svg(&s, Units::Km, WIDTH, "narrow").expect("chart");
        let svg = svg.into_string();
        assert!(svg.contains(">1 km<") && svg.contains(">3 km<"), "distance ticks: {svg}");
        assert!(text.contains("Heart rate from 150 bpm to 150 bpm"), "{text}");
        let pace_line =
            svg.split("class=\"panel pace\"").nth(1).and_then(|p| p.split("points=\"").nth(1)).expect("line");
        let ys: Vec<f64> = pace_line
            .split('"')
            .next()
            .unwrap_or_default()
            .split_whitespace()
            .filter_map(|p| p.split(',').nth(1)?.parse().ok())
            .collect();
        let (lo, hi) = ys.iter().fold((f64::MAX, f64::MIN), |(a, b), y| (a.min(*y), b.max(*y)));
        assert!(hi - lo < PANEL_H / 5.0, "pace line spans {:.1} of {PANEL_H}", hi - lo);
        // Both drawings are there for the page, with their own ids.
        let (both, _) = run_chart(&s, Units::Km).expect("chart");
        let both = both.into_string();
        assert!(both.contains("chart narrow") && both.contains("chart wide"));
        assert!(both.contains("chart-desc-narrow") && both.contains("chart-desc-wide"));
    }

    #[test]
    fn no_chart_without_samples() {
        assert!(run_chart(&Samples::default(), Units::Km).is_none());
    }
}
