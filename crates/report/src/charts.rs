//! The report's charts, drawn as vectors: pain against the baseline with the meaningful-change band, weekly load
//! against pain, routines done per week, and a small forest plot per factor. Each chart is a figure in the PDF's
//! structure with a text alternative built from the same numbers.

use crate::draw::{Op, Rgb, Role, Shape};
use crate::flow::{Flow, MUTED, RULE};
use jiff::civil::Date;
use runtall_app::pt_report::{FactorLine, LoadSection, PainOutcome, WeekAdherenceLine};
use runtall_insights::Verdict;

pub const PAIN: Rgb = Rgb(0xb3, 0x26, 0x1e);
pub const BAR: Rgb = Rgb(0x9c, 0xc9, 0xc2);
pub const BAND: Rgb = Rgb(0xe2, 0xee, 0xec);
pub const BASELINE: Rgb = Rgb(0x0b, 0x5d, 0x55);
const GRID: Rgb = Rgb(0xe3, 0xe6, 0xe9);
const LABEL: f32 = 6.6;
/// Heights of the charts, in points (the HTML report uses the same drawings).
pub const PAIN_H: f32 = 76.0;
pub const LOAD_H: f32 = 104.0;
pub const ADHERENCE_H: f32 = 40.0;

fn nice_max(v: f64) -> f64 {
    let v = v.max(1.0);
    let mag = 10f64.powf(v.log10().floor());
    [1.0, 2.0, 2.5, 5.0, 10.0].into_iter().map(|m| m * mag).find(|m| *m >= v).unwrap_or(10.0 * mag)
}

fn label(f: &mut Flow, x: f32, y: f32, text: String, anchor_right: bool, centre: bool) {
    let w = f.fonts.regular.width(&text, LABEL);
    let x = if anchor_right {
        x - w
    } else if centre {
        x - w / 2.0
    } else {
        x
    };
    f.emit(Op::Text { x, y, size: LABEL, bold: false, color: MUTED, text });
}

fn hline(f: &mut Flow, x0: f32, x1: f32, y: f32, color: Rgb, width: f32, dash: Option<(f32, f32)>) {
    f.emit(Op::Stroke { shape: Shape::line(&[(x0, y), (x1, y)]), color, width, dash });
}

fn week_label(d: Date) -> String {
    d.strftime("%-d %b").to_string()
}

/// How often to label the x axis so labels do not collide.
fn every(n: usize, slot: f32) -> usize {
    ((34.0 / slot.max(0.1)).ceil() as usize).clamp(1, n.max(1))
}

/// A line through the points that have values, broken where a week has none, with a dot on each.
fn broken_line(f: &mut Flow, pts: &[Option<(f32, f32)>], color: Rgb) {
    let mut seg: Vec<(f32, f32)> = Vec::new();
    let flush = |f: &mut Flow, seg: &mut Vec<(f32, f32)>| {
        if seg.len() > 1 {
            f.emit(Op::Stroke { shape: Shape::line(seg), color, width: 1.4, dash: None });
        }
        seg.clear();
    };
    for p in pts {
        match p {
            Some(xy) => seg.push(*xy),
            None => flush(f, &mut seg),
        }
    }
    flush(f, &mut seg);
    for (x, y) in pts.iter().flatten() {
        f.emit(Op::Fill { shape: Shape::circle(*x, *y, 1.7), color });
    }
}

/// Weekly pain (0–10) with the baseline dashed and the band of no meaningful change shaded.
pub fn pain(f: &mut Flow, p: &PainOutcome, height: f32) {
    let (lo, hi) = p.band;
    let rated: Vec<&runtall_app::pt_report::WeekValue> = p.weeks.iter().filter(|w| w.value.is_some()).collect();
    let alt = format!(
        "Chart of weekly pain from {} to {}: the mean of each day's worst rating, 0 to 10. Baseline {:.1} (dashed); \
         shaded from {:.1} to {:.1}: no meaningful change. {}",
        p.weeks.first().map(|w| w.week_start.to_string()).unwrap_or_default(),
        p.weeks.last().map(|w| w.week_start.to_string()).unwrap_or_default(),
        p.baseline,
        lo.max(0.0),
        hi.min(10.0),
        match (rated.first(), rated.last()) {
            (Some(a), Some(b)) => format!(
                "Rated in {} of {}, from {:.1} (week of {}) to {:.1} (week of {}).",
                rated.len(),
                runtall_domain::text::count(p.weeks.len(), "week", "weeks"),
                a.value.unwrap_or(0.0),
                a.week_start,
                b.value.unwrap_or(0.0),
                b.week_start
            ),
            _ => "No pain was rated in these weeks.".into(),
        }
    );
    f.keep(height + 4.0);
    f.doc.open(Role::Figure(alt));
    let (x0, x1) = (f.x + 22.0, f.x + f.w - 36.0);
    let (top, bottom) = (f.y + 4.0, f.y + height - 12.0);
    let y = |v: f64| bottom - (v.clamp(0.0, 10.0) as f32) / 10.0 * (bottom - top);
    f.emit(Op::Fill { shape: Shape::Rect { x: x0, y: y(hi), w: x1 - x0, h: y(lo) - y(hi) }, color: BAND });
    for v in [0.0, 5.0, 10.0] {
        hline(f, x0, x1, y(v), GRID, 0.5, None);
        label(f, x0 - 4.0, y(v) + 2.3, format!("{v:.0}"), true, false);
    }
    hline(f, x0, x1, y(p.baseline), BASELINE, 1.0, Some((3.0, 2.0)));
    label(f, x1 + 3.0, y(p.baseline) + 2.3, format!("baseline {:.1}", p.baseline), false, false);
    let n = p.weeks.len().max(1);
    let slot = (x1 - x0) / n as f32;
    let pts: Vec<Option<(f32, f32)>> =
        p.weeks.iter().enumerate().map(|(i, w)| w.value.map(|v| (x0 + slot * (i as f32 + 0.5), y(v)))).collect();
    broken_line(f, &pts, PAIN);
    let k = every(n, slot);
    for (i, w) in p.weeks.iter().enumerate().filter(|(i, _)| i % k == 0) {
        label(f, x0 + slot * (i as f32 + 0.5), bottom + 9.0, week_label(w.week_start), false, true);
    }
    f.doc.close();
    f.y += height;
}

/// Weekly distance as bars (left axis), weekly pain as a line (right axis, 0–10), and under each week the number of
/// long runs and speed sessions.
pub fn load(f: &mut Flow, l: &LoadSection, height: f32) {
    f.keep(height + 4.0);
    f.doc.open(Role::Figure(format!("Chart of weekly distance and weekly pain. {}", l.text)));
    let (x0, x1) = (f.x + 26.0, f.x + f.w - 22.0);
    let rows = 20.0;
    // The axis titles sit above the plot, clear of the top tick label and inside the figure.
    let (top, bottom) = (f.y + 15.0, f.y + height - 12.0 - rows);
    // At least 10 (km or miles) a week on the axis, so an empty or tiny period still gets distinct tick labels.
    let max_d = nice_max(l.weeks.iter().map(|w| w.distance).fold(0.0, f64::max)).max(10.0);
    let yd = |v: f64| bottom - (v / max_d) as f32 * (bottom - top);
    let yp = |v: f64| bottom - (v.clamp(0.0, 10.0) as f32) / 10.0 * (bottom - top);
    for frac in [0.0, 0.5, 1.0] {
        hline(f, x0, x1, yd(max_d * frac), GRID, 0.5, None);
        label(f, x0 - 4.0, yd(max_d * frac) + 2.3, format!("{:.0}", max_d * frac), true, false);
        label(f, x1 + 4.0, yd(max_d * frac) + 2.3, format!("{:.0}", 10.0 * frac), false, false);
    }
    label(f, x0 - 4.0, top - 7.0, format!("{}/week", l.unit), true, false);
    label(f, x1 + 4.0, top - 7.0, "pain".into(), false, false);
    let n = l.weeks.len().max(1);
    let slot = (x1 - x0) / n as f32;
    let bar = (slot * 0.66).max(0.8);
    for (i, w) in l.weeks.iter().enumerate() {
        if w.distance > 0.0 {
            let xc = x0 + slot * (i as f32 + 0.5);
            f.emit(Op::Fill {
                shape: Shape::Rect { x: xc - bar / 2.0, y: yd(w.distance), w: bar, h: bottom - yd(w.distance) },
                color: BAR,
            });
        }
    }
    hline(f, x0, x1, bottom, MUTED, 0.6, None);
    let pts: Vec<Option<(f32, f32)>> =
        l.weeks.iter().enumerate().map(|(i, w)| w.pain.map(|v| (x0 + slot * (i as f32 + 0.5), yp(v)))).collect();
    broken_line(f, &pts, PAIN);
    let k = every(n, slot);
    // The two count rows: a number only where there is something, so a glance finds the long and fast weeks.
    let (r1, r2) = (bottom + 8.0, bottom + 16.0);
    label(f, x0 - 4.0, r1, "long".into(), true, false);
    label(f, x0 - 4.0, r2, "speed".into(), true, false);
    let count_every = if slot < 7.0 { 0 } else { 1 };
    for (i, w) in l.weeks.iter().enumerate() {
        let xc = x0 + slot * (i as f32 + 0.5);
        if count_every > 0 {
            if w.long_runs > 0 {
                label(f, xc, r1, w.long_runs.to_string(), false, true);
            }
            if w.speed_sessions > 0 {
                label(f, xc, r2, w.speed_sessions.to_string(), false, true);
            }
        } else {
            // Too many weeks for digits: a tick per long run week and speed week instead.
            if w.long_runs > 0 {
                f.emit(Op::Fill { shape: Shape::Rect { x: xc - 0.4, y: r1 - 4.5, w: 0.8, h: 5.0 }, color: MUTED });
            }
            if w.speed_sessions > 0 {
                f.emit(Op::Fill { shape: Shape::Rect { x: xc - 0.4, y: r2 - 4.5, w: 0.8, h: 5.0 }, color: MUTED });
            }
        }
        if i % k == 0 {
            label(f, xc, bottom + rows + 9.0, week_label(w.week_start), false, true);
        }
    }
    hline(f, x0, x1, bottom + rows + 1.5, RULE, 0.4, None);
    f.doc.close();
    f.y += height;
}

/// The share of planned routines done each week, as bars against a full-height frame.
pub fn adherence(f: &mut Flow, weeks: &[WeekAdherenceLine], height: f32) {
    let text: Vec<String> = weeks
        .iter()
        .map(|w| match w.share {
            Some(s) => format!("week of {}: {} of {} ({:.0}%)", w.week_start, w.done, w.planned, 100.0 * s),
            None => format!("week of {}: nothing planned", w.week_start),
        })
        .collect();
    f.keep(height + 2.0);
    f.doc.open(Role::Figure(format!("Chart of planned routines done per week: {}.", text.join("; "))));
    let (x0, x1) = (f.x + 26.0, f.x + f.w);
    let (top, bottom) = (f.y + 8.0, f.y + height - 10.0);
    let n = weeks.len().max(1);
    let slot = (x1 - x0) / n as f32;
    let bar = (slot * 0.66).clamp(0.8, 26.0);
    label(f, x0 - 4.0, top + 2.3, "100%".into(), true, false);
    label(f, x0 - 4.0, bottom + 2.3, "0%".into(), true, false);
    let k = every(n, slot);
    for (i, w) in weeks.iter().enumerate() {
        let xc = x0 + slot * (i as f32 + 0.5);
        f.emit(Op::Fill { shape: Shape::Rect { x: xc - bar / 2.0, y: top, w: bar, h: bottom - top }, color: GRID });
        if let Some(s) = w.share {
            let h = (bottom - top) * s as f32;
            f.emit(Op::Fill { shape: Shape::Rect { x: xc - bar / 2.0, y: bottom - h, w: bar, h }, color: BAR });
            if slot >= 16.0 {
                label(f, xc, top - 1.5, format!("{:.0}%", 100.0 * s), false, true);
            }
        }
        if i % k == 0 {
            label(f, xc, bottom + 8.0, week_label(w.week_start), false, true);
        }
    }
    f.doc.close();
    f.y += height;
}

/// Colour of a verdict, as on the Insights page: likely red, possible amber, the rest grey.
pub fn verdict_color(v: Verdict) -> Rgb {
    match v {
        Verdict::LikelyLink => PAIN,
        Verdict::PossibleLink => Rgb(0xb0, 0x60, 0x00),
        _ => MUTED,
    }
}

/// Log axis of the small forest plots: risk ratios from 1/5 to 5.
const LO: f64 = 0.2;
const HI: f64 = 5.0;

fn fx(rr: f64, x: f32, w: f32) -> f32 {
    let t = (rr.clamp(LO, HI).ln() - LO.ln()) / (HI.ln() - LO.ln());
    x + 4.0 + t as f32 * (w - 8.0)
}

/// One factor's risk ratio as a dot and its interval as a bar, with the line of "no difference" dashed.
pub fn forest(f: &mut Flow, x: f32, y: f32, w: f32, line: &FactorLine) {
    let (estimate, lower, upper) = (line.estimate, line.lower, line.upper);
    let color = verdict_color(line.verdict);
    let mid = y + 4.5;
    f.emit(Op::Stroke {
        shape: Shape::line(&[(fx(1.0, x, w), y), (fx(1.0, x, w), y + 9.0)]),
        color: MUTED,
        width: 0.5,
        dash: Some((1.5, 1.5)),
    });
    f.emit(Op::Stroke {
        shape: Shape::line(&[(fx(lower, x, w), mid), (fx(upper, x, w), mid)]),
        color,
        width: 1.3,
        dash: None,
    });
    if upper > HI {
        let e = fx(HI, x, w);
        f.emit(Op::Fill {
            shape: Shape::polygon(&[(e + 3.0, mid), (e - 1.0, mid - 2.5), (e - 1.0, mid + 2.5)]),
            color,
        });
    }
    if lower < LO {
        let s = fx(LO, x, w);
        f.emit(Op::Fill {
            shape: Shape::polygon(&[(s - 3.0, mid), (s + 1.0, mid - 2.5), (s + 1.0, mid + 2.5)]),
            color,
        });
    }
    f.emit(Op::Fill { shape: Shape::circle(fx(estimate, x, w), mid, 2.3), color });
}

/// The forest plots' shared axis labels.
pub fn forest_axis(f: &mut Flow, x: f32, y: f32, w: f32) {
    for (v, t) in [(0.25, "¼×"), (0.5, "½×"), (1.0, "same"), (2.0, "2×"), (4.0, "4×")] {
        label(f, fx(v, x, w), y, t.into(), false, true);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn axes_round_up_and_the_forest_is_logarithmic() {
        assert_eq!(nice_max(37.0), 50.0);
        assert_eq!(nice_max(0.0), 1.0);
        let (x, w) = (0.0, 108.0);
        let mid = fx(1.0, x, w);
        assert!((fx(2.0, x, w) - mid - (mid - fx(0.5, x, w))).abs() < 1e-3);
        assert!(fx(1000.0, x, w) <= w && fx(0.0001, x, w) >= 0.0);
        assert_eq!(every(13, 30.0), 2);
        assert_eq!(every(5, 80.0), 1);
    }
}
