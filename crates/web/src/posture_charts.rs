//! Posture charts as server-side SVG with a text alternative: the CVA over time with its error band, and a run
//! video's head-forward offset and trunk lean over the minutes.

use maud::{Markup, PreEscaped, html};
use runtall_domain::posture::{MeasureTrend, VideoSummary};
use std::fmt::Write;

const W: f64 = 400.0;
const H: f64 = 170.0;
const L: f64 = 44.0;
const R: f64 = 12.0;
const T: f64 = 14.0;
const B: f64 = 28.0;

fn scale(v: f64, lo: f64, hi: f64, a: f64, b: f64) -> f64 {
    if hi <= lo { (a + b) / 2.0 } else { a + (v - lo) / (hi - lo) * (b - a) }
}

/// Day means of the CVA as dots joined by a line, with the error band (first day ± error) shaded: dots outside
/// the band are measurable changes.
pub fn history_chart(t: &MeasureTrend) -> Markup {
    let pts = &t.points;
    if pts.is_empty() {
        return html! {};
    }
    let base = pts[0].value;
    let err = t.error.unwrap_or(0.0);
    let mut lo = pts.iter().map(|p| p.value).fold(base - err, f64::min) - 2.0;
    let mut hi = pts.iter().map(|p| p.value).fold(base + err, f64::max) + 2.0;
    if hi - lo < 10.0 {
        let mid = (hi + lo) / 2.0;
        lo = mid - 5.0;
        hi = mid + 5.0;
    }
    let d0 = pts[0].date;
    let span = (pts[pts.len() - 1].date - d0).get_days().max(1) as f64;
    let x = |d: jiff::civil::Date| {
        if pts.len() == 1 { (L + W - R) / 2.0 } else { scale((d - d0).get_days() as f64, 0.0, span, L, W - R) }
    };
    let y = |v: f64| scale(v, lo, hi, H - B, T);
    let mut svg = String::new();
    let _ = write!(
        svg,
        r#"<svg class="chart posture-chart" viewBox="0 0 {W} {H}" role="img" aria-labelledby="cva-chart-desc"><rect class="frame" x="{L}" y="{T}" width="{}" height="{}"/>"#,
        W - L - R,
        H - T - B
    );
    if err > 0.0 {
        let _ = write!(
            svg,
            r#"<rect class="band" x="{L}" y="{:.1}" width="{}" height="{:.1}"/>"#,
            y(base + err),
            W - L - R,
            y(base - err) - y(base + err)
        );
    }
    for v in [lo, (lo + hi) / 2.0, hi] {
        let _ =
            write!(svg, r#"<text class="ylab" x="{}" y="{:.1}" text-anchor="end">{v:.0}°</text>"#, L - 4.0, y(v) + 4.0);
    }
    let line: Vec<String> = pts.iter().map(|p| format!("{:.1},{:.1}", x(p.date), y(p.value))).collect();
    let _ = write!(svg, r#"<polyline class="line cva-line" points="{}"/>"#, line.join(" "));
    for p in pts {
        let _ = write!(svg, r#"<circle class="dot" cx="{:.1}" cy="{:.1}" r="3.5"/>"#, x(p.date), y(p.value));
    }
    let _ = write!(svg, r#"<text class="xlab" x="{L}" y="{}">{}</text>"#, H - 8.0, pts[0].date);
    if pts.len() > 1 {
        let _ = write!(
            svg,
            r#"<text class="xlab" x="{}" y="{}" text-anchor="end">{}</text>"#,
            W - R,
            H - 8.0,
            pts[pts.len() - 1].date
        );
    }
    svg.push_str("</svg>");
    let desc: Vec<String> = pts.iter().map(|p| format!("{} {:.1}°", p.date, p.value)).collect();
    html! {
        figure class="chart-figure" {
            (PreEscaped(svg))
            figcaption id="cva-chart-desc" { "CVA by day: " (desc.join(", ")) "."
                @if err > 0.0 { " Shaded: the first day ± " (format!("{err:.1}")) "° measurement error." } }
        }
    }
}

/// A run video's smoothed head-forward offset (top) and trunk lean (bottom) over time, with the per-minute medians
/// as steps.
pub fn video_chart(s: &VideoSummary) -> Markup {
    if s.series.is_empty() {
        return html! {};
    }
    let t_end = s.series.iter().map(|p| p.0).fold(s.duration_s, f64::max).max(1.0);
    let panel = |title: &str,
                 get: fn(&(f64, f64, f64)) -> f64,
                 med: Vec<(u32, f64)>,
                 top: f64,
                 fmt: fn(f64) -> String| {
        let h = 70.0;
        let vals: Vec<f64> = s.series.iter().map(get).collect();
        let mut lo = vals.iter().cloned().fold(f64::MAX, f64::min);
        let mut hi = vals.iter().cloned().fold(f64::MIN, f64::max);
        let pad = ((hi - lo) * 0.1).max(0.02);
        lo -= pad;
        hi += pad;
        let x = |t: f64| scale(t, 0.0, t_end, L, W - R);
        let y = |v: f64| scale(v, lo, hi, top + h, top);
        let mut out = String::new();
        let _ = write!(out, r#"<text class="ptitle" x="{L}" y="{}">{title}</text>"#, top - 4.0);
        let _ = write!(out, r#"<rect class="frame" x="{L}" y="{top}" width="{}" height="{h}"/>"#, W - L - R);
        let line: Vec<String> = s.series.iter().map(|p| format!("{:.1},{:.1}", x(p.0), y(get(p)))).collect();
        let _ = write!(out, r#"<polyline class="line series" points="{}"/>"#, line.join(" "));
        for (m, v) in med {
            let (x0, x1) = (x(f64::from(m) * 60.0), x((f64::from(m + 1) * 60.0).min(t_end)));
            let _ =
                write!(out, r#"<line class="median" x1="{x0:.1}" x2="{x1:.1}" y1="{:.1}" y2="{:.1}"/>"#, y(v), y(v));
        }
        for v in [lo, hi] {
            let _ = write!(
                out,
                r#"<text class="ylab" x="{}" y="{:.1}" text-anchor="end">{}</text>"#,
                L - 4.0,
                y(v) + 4.0,
                fmt(v)
            );
        }
        out
    };
    let mut svg = format!(
        r#"<svg class="chart video-chart" viewBox="0 0 {W} 220" role="img" aria-labelledby="video-chart-desc">"#
    );
    svg.push_str(&panel(
        "Head forward (trunk lengths)",
        |p| p.1,
        s.minutes.iter().map(|m| (m.minute, m.head_forward)).collect(),
        18.0,
        |v| format!("{v:.2}"),
    ));
    svg.push_str(&panel(
        "Trunk lean (°)",
        |p| p.2,
        s.minutes.iter().map(|m| (m.minute, m.trunk_lean_deg)).collect(),
        122.0,
        |v| format!("{v:.0}°"),
    ));
    let _ = write!(
        svg,
        r#"<text class="xlab" x="{L}" y="212">0 s</text><text class="xlab" x="{}" y="212" text-anchor="end">{t_end:.0} s</text></svg>"#,
        W - R
    );
    let desc: Vec<String> = s
        .minutes
        .iter()
        .map(|m| format!("minute {}: head forward {:.2}, lean {:.1}°", m.minute + 1, m.head_forward, m.trunk_lean_deg))
        .collect();
    html! {
        figure class="chart-figure" {
            (PreEscaped(svg))
            figcaption id="video-chart-desc" { "Smoothed over the stride; bars are the medians per minute. " (desc.join("; ")) "." }
        }
    }
}
