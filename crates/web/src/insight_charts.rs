//! The insights pictures, as server-side SVG: weekly distance against weekly pain, and the factor effects as a
//! forest plot (one risk ratio with its interval per row, on a log axis where 1 means "no difference").
//!
//! Hand-written like the run chart: a few shapes, readable at 360 px, and each picture carries a text alternative
//! built from the same numbers. The forest plot is drawn per row inside an HTML list rather than as one big SVG,
//! so the factor names wrap like text on a phone instead of shrinking with the drawing.

use jiff::civil::Date;
use maud::{Markup, html};
use runtall_domain::text::count;
use runtall_insights::{FactorResult, Verdict, ratio_text};

/// One calendar week (Monday start) of the trend chart.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct WeekPoint {
    pub week_start: Date,
    pub km: f64,
    pub runs: usize,
    /// Mean of each day's highest pain rating that week; None when nothing was logged.
    pub pain: Option<f64>,
}

/// The Monday of `date`'s week.
pub fn week_start(date: Date) -> Date {
    let back = i64::from(date.weekday().to_monday_zero_offset());
    date.checked_sub(jiff::Span::new().days(back)).unwrap_or(date)
}

/// `weeks` consecutive weeks ending with the week of `today`, filled from per-run distances and per-day pain.
pub fn weekly_series(runs: &[(Date, f64)], daily_pain: &[(Date, u8)], today: Date, weeks: usize) -> Vec<WeekPoint> {
    let last = week_start(today);
    let first = last.checked_sub(jiff::Span::new().weeks(weeks.saturating_sub(1) as i64)).unwrap_or(last);
    let mut out: Vec<WeekPoint> = (0..weeks)
        .filter_map(|i| first.checked_add(jiff::Span::new().weeks(i as i64)).ok())
        .map(|w| WeekPoint { week_start: w, km: 0.0, runs: 0, pain: None })
        .collect();
    let index = |d: Date| -> Option<usize> {
        if d < first || d > today {
            return None;
        }
        usize::try_from((week_start(d) - first).get_days() / 7).ok()
    };
    for &(d, km) in runs {
        if let Some(w) = index(d).and_then(|i| out.get_mut(i)) {
            w.km += km;
            w.runs += 1;
        }
    }
    let mut sums = vec![(0.0, 0usize); out.len()];
    for &(d, p) in daily_pain {
        if let Some(s) = index(d).and_then(|i| sums.get_mut(i)) {
            s.0 += f64::from(p);
            s.1 += 1;
        }
    }
    for (w, (sum, n)) in out.iter_mut().zip(sums) {
        w.pain = (n > 0).then(|| sum / n as f64);
    }
    out
}

const W: f64 = 400.0;
const H: f64 = 210.0;
const L: f64 = 34.0;
const R: f64 = 26.0;
const T: f64 = 16.0;
const B: f64 = 34.0;

fn nice_max(v: f64) -> f64 {
    let v = v.max(1.0);
    let mag = 10f64.powf(v.log10().floor());
    [1.0, 2.0, 2.5, 5.0, 10.0].into_iter().map(|m| m * mag).find(|m| *m >= v).unwrap_or(10.0 * mag)
}

/// Weekly distance (bars, left axis) and weekly pain (line, right axis, 0–10), with its text alternative.
pub fn trend_chart(weeks: &[WeekPoint], units_km: bool) -> (Markup, String) {
    let factor = if units_km { 1.0 } else { 0.621_371 };
    let unit = if units_km { "km" } else { "mi" };
    let max_d = nice_max(weeks.iter().map(|w| w.km * factor).fold(0.0, f64::max));
    let plot_w = W - L - R;
    let plot_h = H - T - B;
    let n = weeks.len().max(1) as f64;
    let slot = plot_w / n;
    let bar_w = (slot * 0.7).max(1.0);
    let yd = |v: f64| T + plot_h - v / max_d * plot_h;
    let yp = |p: f64| T + plot_h - p / 10.0 * plot_h;
    let xc = |i: usize| L + slot * (i as f64 + 0.5);
    let mut segments: Vec<String> = vec![String::new()];
    for (i, w) in weeks.iter().enumerate() {
        match w.pain {
            Some(p) => {
                if let Some(s) = segments.last_mut() {
                    s.push_str(&format!("{:.1},{:.1} ", xc(i), yp(p)));
                }
            }
            None if segments.last().is_some_and(|s| !s.is_empty()) => segments.push(String::new()),
            None => {}
        }
    }
    let label_every = (weeks.len() / 4).max(1);
    let total: f64 = weeks.iter().map(|w| w.km * factor).sum();
    let with_pain: Vec<&WeekPoint> = weeks.iter().filter(|w| w.pain.is_some()).collect();
    let text = if weeks.is_empty() {
        "No weeks to show.".to_string()
    } else {
        let first = &weeks[0];
        let last = &weeks[weeks.len() - 1];
        let busiest = weeks.iter().max_by(|a, b| a.km.total_cmp(&b.km)).map(|w| w.km * factor).unwrap_or(0.0);
        let pain_text = match (with_pain.first(), with_pain.last()) {
            (Some(a), Some(b)) => format!(
                "Weekly pain went from {:.1} (week of {}) to {:.1} (week of {}) out of 10, with pain logged in {} of \
                 {}",
                a.pain.unwrap_or(0.0),
                a.week_start,
                b.pain.unwrap_or(0.0),
                b.week_start,
                with_pain.len(),
                count(weeks.len(), "week", "weeks")
            ),
            _ => "No pain was logged in these weeks".to_string(),
        };
        format!(
            "{} from {} to {}: {:.0} {unit} run in all, {:.0} {unit} in the busiest week. {pain_text}.",
            count(weeks.len(), "week", "weeks"),
            first.week_start,
            last.week_start,
            total,
            busiest
        )
    };
    let svg = html! {
        svg class="chart" viewBox={ "0 0 " (W) " " (H) } role="img" aria-labelledby="trend-title trend-desc"
            xmlns="http://www.w3.org/2000/svg" {
            title id="trend-title" { "Weekly distance and weekly pain" }
            desc id="trend-desc" { (text) }
            @for f in [0.0, 0.5, 1.0] {
                line class="grid" x1=(L) x2=(W - R) y1=(format!("{:.1}", T + plot_h * (1.0 - f))) y2=(format!("{:.1}", T + plot_h * (1.0 - f))) {}
                text x=(L - 6.0) y=(format!("{:.1}", T + plot_h * (1.0 - f) + 4.0)) text-anchor="end" { (format!("{:.0}", max_d * f)) }
                text x=(W - R + 6.0) y=(format!("{:.1}", T + plot_h * (1.0 - f) + 4.0)) { (format!("{:.0}", 10.0 * f)) }
            }
            text x="4" y="11" { (unit) "/week" }
            text x=(W - 4.0) y="11" text-anchor="end" { "pain 0–10" }
            @for (i, w) in weeks.iter().enumerate() {
                @if w.km > 0.0 {
                    rect class="km" x=(format!("{:.1}", xc(i) - bar_w / 2.0)) y=(format!("{:.1}", yd(w.km * factor)))
                        width=(format!("{bar_w:.1}")) height=(format!("{:.1}", T + plot_h - yd(w.km * factor))) {
                        title { "Week of " (w.week_start) ": " (format!("{:.1}", w.km * factor)) " " (unit) ", " (count(w.runs, "run", "runs")) }
                    }
                }
                @if i % label_every == 0 {
                    text x=(format!("{:.1}", xc(i))) y=(H - B + 16.0) text-anchor="middle" { (w.week_start.strftime("%d %b")) }
                }
            }
            line class="axis" x1=(L) x2=(W - R) y1=(T + plot_h) y2=(T + plot_h) {}
            @for s in segments.iter().filter(|s| !s.is_empty()) {
                polyline class="pain-line" points=(s.trim_end()) {}
            }
            @for (i, w) in weeks.iter().enumerate() {
                @if let Some(p) = w.pain {
                    circle class="pain-dot" cx=(format!("{:.1}", xc(i))) cy=(format!("{:.1}", yp(p))) r="3" {
                        title { "Week of " (w.week_start) ": pain " (format!("{p:.1}")) "/10" }
                    }
                }
            }
        }
    };
    (svg, text)
}

/// The share of planned routines done in each of the last 12 weeks, as bars against a full-height frame, with
/// the shares written under them (the text alternative).
pub fn adherence_chart(weeks: &[runtall_insights::measures::WeekShare]) -> Markup {
    let shown = &weeks[weeks.len().saturating_sub(12)..];
    let w = 400.0;
    let h = 110.0;
    // Room either side for a date label centred under the first and last bars (12 px text, see app.css).
    let margin = 8.0;
    let slot = w / shown.len().max(1) as f64;
    let bar = (slot * 0.66).min(36.0);
    let text: Vec<String> = shown
        .iter()
        .map(|s| match s.share {
            Some(v) => format!("week of {}: {:.0}%", s.week_start, v * 100.0),
            None => format!("week of {}: nothing planned", s.week_start),
        })
        .collect();
    html! {
        figure class="chart-figure" {
            svg class="chart" viewBox={ (-margin) " 0 " (w + 2.0 * margin) " " (h) } role="img" aria-label="Share of planned routines done per week"
                xmlns="http://www.w3.org/2000/svg" {
                @for (i, s) in shown.iter().enumerate() {
                    @let x = slot * i as f64 + (slot - bar) / 2.0;
                    // With more than six weeks, "100%" and "21 Sep" are wider than a week's slot: every other week
                    // is labelled, and the caption gives every week's share.
                    @let labelled = shown.len() <= 6 || i % 2 == 0;
                    rect class="grid" x=(format!("{x:.1}")) y="8" width=(format!("{bar:.1}")) height="76" fill="#eef0f2" {}
                    @if let Some(v) = s.share {
                        rect class="km" x=(format!("{x:.1}")) y=(format!("{:.1}", 84.0 - 76.0 * v)) width=(format!("{bar:.1}"))
                            height=(format!("{:.1}", 76.0 * v)) {}
                        @if labelled {
                            text x=(format!("{:.1}", x + bar / 2.0)) y=(format!("{:.1}", (80.0 - 76.0 * v).clamp(20.0, 70.0))) text-anchor="middle" {
                                (format!("{:.0}%", v * 100.0)) }
                        }
                    }
                    @if labelled {
                        text x=(format!("{:.1}", x + bar / 2.0)) y="102" text-anchor="middle" { (s.week_start.strftime("%d %b")) }
                    }
                }
            }
            figcaption class="visually-hidden" { (text.join("; ")) }
        }
    }
}

/// Log-scale axis of the forest plot: risk ratios from 1/5 to 5; beyond that the interval ends in an arrow.
const LO: f64 = 0.2;
const HI: f64 = 5.0;
const FW: f64 = 300.0;
const FH: f64 = 26.0;
const PAD: f64 = 14.0;

fn fx(rr: f64) -> f64 {
    let f = (rr.clamp(LO, HI).ln() - LO.ln()) / (HI.ln() - LO.ln());
    PAD + f * (FW - 2.0 * PAD)
}

pub fn verdict_class(v: Verdict) -> &'static str {
    match v {
        Verdict::LikelyLink => "v-likely",
        Verdict::PossibleLink => "v-possible",
        Verdict::NoClearLink => "v-none",
        Verdict::LessPain => "v-less",
        Verdict::NoPainYet | Verdict::NotEnoughData => "v-thin",
    }
}

/// The shared axis drawn above and below the rows.
pub fn forest_axis() -> Markup {
    html! {
        svg class="chart forest-axis" viewBox={ "0 0 " (FW) " 22" } aria-hidden="true" xmlns="http://www.w3.org/2000/svg" {
            @for (v, label) in [(0.25, "¼×"), (0.5, "½×"), (1.0, "same"), (2.0, "2×"), (4.0, "4×")] {
                line class="axis" x1=(format!("{:.1}", fx(v))) x2=(format!("{:.1}", fx(v))) y1="14" y2="20" {}
                text x=(format!("{:.1}", fx(v))) y="11" text-anchor="middle" { (label) }
            }
            line class="axis" x1=(PAD) x2=(FW - PAD) y1="20" y2="20" {}
        }
    }
}

/// One row's picture: the interval as a bar, the estimate as a dot, the line of "no difference" dashed. Without an
/// estimate — no pain events among the runs compared, or too few runs — the row says which instead of drawing a
/// dot the data cannot place.
pub fn forest_row(f: &FactorResult) -> Markup {
    let class = verdict_class(f.verdict);
    let mid = FH / 2.0;
    let missing = if f.verdict == Verdict::NoPainYet { "no pain events yet" } else { "not enough runs yet" };
    html! {
        svg class="chart forest-row" viewBox={ "0 0 " (FW) " " (FH) } role="img" xmlns="http://www.w3.org/2000/svg"
            aria-label=(match &f.risk_ratio {
                Some(r) => format!(
                    "risk ratio {}, interval {} to {}",
                    ratio_text(r.estimate),
                    ratio_text(r.lower),
                    ratio_text(r.upper)
                ),
                None => missing.to_string(),
            }) {
            line class="one" x1=(format!("{:.1}", fx(1.0))) x2=(format!("{:.1}", fx(1.0))) y1="0" y2=(FH) {}
            @match f.risk_ratio.as_ref().filter(|_| f.verdict != Verdict::NoPainYet) {
                Some(r) => {
                    line class={ "ci " (class) } x1=(format!("{:.1}", fx(r.lower))) x2=(format!("{:.1}", fx(r.upper)))
                        y1=(mid) y2=(mid) {}
                    @if r.upper > HI { path class=(class) d=(format!("M{:.1},{:.1} l-7,-5 l0,10 z", FW - PAD + 4.0, mid)) {} }
                    @if r.lower < LO { path class=(class) d=(format!("M{:.1},{:.1} l7,-5 l0,10 z", PAD - 4.0, mid)) {} }
                    circle class=(class) cx=(format!("{:.1}", fx(r.estimate))) cy=(mid) r="5.5" {}
                }
                None => {
                    text class="v-thin" x=(FW / 2.0) y=(mid + 4.0) text-anchor="middle" { (missing) }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::{Weekday, date};

    #[test]
    fn weeks_start_on_monday_and_sum_distance_and_pain() {
        assert_eq!(week_start(date(2026, 12, 6)), date(2026, 11, 30));
        assert_eq!(week_start(date(2026, 11, 30)).weekday(), Weekday::Monday);
        let runs = [(date(2026, 11, 30), 10.0), (date(2026, 12, 2), 5.5), (date(2026, 11, 1), 20.0)];
        let pain = [(date(2026, 12, 1), 4), (date(2026, 12, 3), 2)];
        let weeks = weekly_series(&runs, &pain, date(2026, 12, 6), 4);
        assert_eq!(weeks.len(), 4);
        assert_eq!(weeks[3].week_start, date(2026, 11, 30));
        assert!((weeks[3].km - 15.5).abs() < 1e-9);
        assert_eq!(weeks[3].runs, 2);
        assert_eq!(weeks[3].pain, Some(3.0));
        // 1 November is five weeks back: outside a 4-week window.
        assert_eq!(weeks.iter().map(|w| w.runs).sum::<usize>(), 2);
        assert_eq!(weeks[0].pain, None);
    }

    #[test]
    fn trend_chart_draws_bars_and_a_broken_pain_line_with_a_text_alternative() {
        let runs: Vec<(Date, f64)> = (0..40).map(|i| (date(2026, 9, 1) + jiff::Span::new().days(i * 2), 8.0)).collect();
        let pain = [(date(2026, 9, 2), 5), (date(2026, 9, 9), 4), (date(2026, 10, 20), 2)];
        let weeks = weekly_series(&runs, &pain, date(2026, 10, 25), 8);
        let (svg, text) = trend_chart(&weeks, true);
        let svg = svg.into_string();
        assert!(svg.matches("class=\"km\"").count() >= 6, "{svg}");
        // Pain in weeks 1–2, then a gap, then week 8: two line pieces (the last a single point has no polyline).
        assert!(svg.contains("pain-line"));
        assert_eq!(svg.matches("class=\"pain-dot\"").count(), 3);
        assert!(text.contains("km run in all"), "{text}");
        assert!(text.contains("pain logged in 3 of 8 weeks"), "{text}");
        assert!(!svg.contains("NaN"));
        let (_, miles) = trend_chart(&weeks, false);
        assert!(miles.contains(" mi "), "{miles}");
    }

    /// Twelve weeks of bars: every label (dates and shares) fits inside the chart, the first date included, at the
    /// chart's 12 px text with a generous 0.6 em per character.
    #[test]
    fn adherence_labels_stay_inside_the_chart() {
        let weeks: Vec<runtall_insights::measures::WeekShare> = (0..12)
            .map(|i| runtall_insights::measures::WeekShare {
                week_start: date(2026, 9, 21) + jiff::Span::new().weeks(i),
                share: Some(if i == 11 { 1.0 } else { 0.5 }),
            })
            .collect();
        let svg = adherence_chart(&weeks).into_string();
        let view: Vec<f64> = svg
            .split("viewBox=\"")
            .nth(1)
            .and_then(|r| r.split('"').next())
            .map(|v| v.split(' ').filter_map(|n| n.parse().ok()).collect())
            .unwrap_or_default();
        let (left, right) = (view[0], view[0] + view[2]);
        let mut labels = 0;
        for piece in svg.split("<text x=\"").skip(1) {
            let x: f64 = piece.split('"').next().and_then(|x| x.parse().ok()).expect("x");
            let label = piece.split('>').nth(1).and_then(|t| t.split('<').next()).unwrap_or("");
            let half = label.chars().count() as f64 * 12.0 * 0.6 / 2.0;
            assert!(x - half >= left && x + half <= right, "'{label}' at {x} is cut off by the chart edge {view:?}");
            labels += 1;
        }
        assert_eq!(labels, 6 + 6, "shares and dates of every other week: {labels}");
    }

    #[test]
    fn forest_positions_are_on_a_log_scale_centred_on_one() {
        let mid = fx(1.0);
        assert!((fx(2.0) - mid - (mid - fx(0.5))).abs() < 1e-9, "2× and ½× are equally far from 1");
        assert!(fx(100.0) <= FW - PAD && fx(0.0001) >= PAD, "clamped to the axis");
    }

    /// A factor with no pain events on either side has nothing to place: the row says so in words instead of a dot
    /// (the prior alone used to put one at 3.0 with an interval from <0.01 to >100).
    #[test]
    fn a_factor_without_pain_events_is_not_drawn_as_an_estimate() {
        use runtall_insights::{AnalysisConfig, RunLabel, RunObservation, analyze};
        let runs: Vec<RunObservation> = (0..30)
            .map(|i| {
                let mut r = RunObservation::new(date(2026, 9, 1) + jiff::Span::new().days(i), RunLabel::Easy, 8.0);
                r.context.pack_worn = Some(i % 3 == 0);
                r
            })
            .collect();
        let report = analyze(&runs, &AnalysisConfig::default()).expect("analysis");
        let pack = report.factor(runtall_insights::Factor::PackWorn).expect("pack");
        assert_eq!(pack.verdict, Verdict::NoPainYet);
        let svg = forest_row(pack).into_string();
        assert!(svg.contains("no pain events yet"), "{svg}");
        assert!(!svg.contains("<circle"), "no dot: {svg}");
    }
}
