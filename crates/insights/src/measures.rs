//! Is the program working? Pain against the baseline, the Patient-Specific Functional Scale (PSFS) every two weeks,
//! and how many planned routines were actually done.
//!
//! Change is judged against clinically meaningful thresholds (evidence brief §3), not against zero: on a 0–10 pain
//! scale about 2 points or 30% is "much improved" and about 1 point or 15% is the smallest change people notice;
//! on the PSFS a change of 2 in the mean (or 3 on one activity) is real. Anything smaller is reported as no clear
//! change, because day-to-day ratings wobble by that much on their own.

use crate::error::{InsightsError, check_f64, check_rating};
use jiff::civil::Date;
use serde::{Deserialize, Serialize};

/// Pain change of at least this many points, or [`MEANINGFUL_PERCENT`], is meaningful.
pub const MEANINGFUL_POINTS: f64 = 2.0;
pub const MEANINGFUL_PERCENT: f64 = 30.0;
/// The smallest change people notice.
pub const NOTICEABLE_POINTS: f64 = 1.0;
pub const NOTICEABLE_PERCENT: f64 = 15.0;
/// PSFS is re-scored every this many days.
pub const PSFS_INTERVAL_DAYS: i64 = 14;
/// A change of this much in the PSFS mean is real …
pub const PSFS_MEAN_MEANINGFUL: f64 = 2.0;
/// … and so is this much on one activity.
pub const PSFS_ITEM_MEANINGFUL: f64 = 3.0;

/// One pain rating on a day (any timing; the trend uses each day's highest).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct PainPoint {
    pub date: Date,
    pub intensity: u8,
}

/// How a change compares with the meaningful-change rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ChangeCategory {
    MeaningfullyBetter,
    SlightlyBetter,
    NoClearChange,
    SlightlyWorse,
    MeaningfullyWorse,
    NotEnoughData,
}

/// Average pain of one calendar week (Monday start).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WeekPain {
    pub week_start: Date,
    pub mean_daily_max: f64,
    pub days_with_reports: usize,
}

/// Pain now against the baseline.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PainTrend {
    pub baseline: f64,
    /// Mean of the daily highest rating over the last `window_days`.
    pub current: Option<f64>,
    pub window_days: u32,
    pub days_with_reports: usize,
    /// Current minus baseline (negative = better).
    pub change_points: Option<f64>,
    /// Percentage change from baseline (negative = better); `None` when the baseline is 0.
    pub change_percent: Option<f64>,
    pub category: ChangeCategory,
    pub weekly: Vec<WeekPain>,
    pub sentence: String,
}

/// Compares recent pain with the baseline. `window_days` (7–56) ending on `today` is the "now"; it needs reports on
/// at least 3 days of it. Reports after `today` are refused (a future date is a typo, not data).
pub fn pain_trend(
    baseline: f64,
    points: &[PainPoint],
    today: Date,
    window_days: u32,
) -> Result<PainTrend, InsightsError> {
    check_f64("baseline", baseline, 0.0, 10.0)?;
    if !(7..=56).contains(&window_days) {
        return Err(InsightsError::out_of_range("window_days", window_days, "7–56"));
    }
    let mut daily: std::collections::BTreeMap<Date, u8> = std::collections::BTreeMap::new();
    for (i, p) in points.iter().enumerate() {
        check_rating(&format!("pain point #{}: intensity", i + 1), p.intensity)?;
        if p.date > today {
            return Err(InsightsError::invalid(
                &format!("pain point #{}: date", i + 1),
                format!("{} is in the future", p.date),
            ));
        }
        let e = daily.entry(p.date).or_insert(0);
        *e = (*e).max(p.intensity);
    }
    let start = today.checked_sub(jiff::Span::new().days(i64::from(window_days) - 1)).unwrap_or(today);
    let recent: Vec<f64> = daily.range(start..=today).map(|(_, v)| f64::from(*v)).collect();
    let current = (recent.len() >= 3).then(|| recent.iter().sum::<f64>() / recent.len() as f64);

    let mut weekly: Vec<WeekPain> = Vec::new();
    for (d, v) in &daily {
        let offset = i64::from(d.weekday().to_monday_zero_offset());
        let ws = d.checked_sub(jiff::Span::new().days(offset)).unwrap_or(*d);
        match weekly.last_mut() {
            Some(w) if w.week_start == ws => {
                let n = w.days_with_reports as f64;
                w.mean_daily_max = (w.mean_daily_max * n + f64::from(*v)) / (n + 1.0);
                w.days_with_reports += 1;
            }
            _ => weekly.push(WeekPain { week_start: ws, mean_daily_max: f64::from(*v), days_with_reports: 1 }),
        }
    }

    let change_points = current.map(|c| c - baseline);
    let change_percent = match (current, baseline > 0.0) {
        (Some(c), true) => Some(100.0 * (c - baseline) / baseline),
        _ => None,
    };
    let category = match change_points {
        None => ChangeCategory::NotEnoughData,
        Some(d) => classify_change(-d, change_percent.map(|p| -p)),
    };
    let sentence = match (current, category) {
        (None, _) => format!(
            "Not enough pain ratings in the last {window_days} days to compare with your baseline ({} rated; 3 \
             needed).",
            runtall_domain::text::count(recent.len(), "day", "days")
        ),
        (Some(c), cat) => {
            let pct = change_percent.map(|p| format!(" ({p:+.0}%)")).unwrap_or_default();
            let verdict = match cat {
                ChangeCategory::MeaningfullyBetter => "a meaningful improvement (2 points or 30% is the bar)",
                ChangeCategory::SlightlyBetter => "a small improvement, about the smallest change people notice",
                ChangeCategory::NoClearChange => "no clear change: within the usual day-to-day wobble",
                ChangeCategory::SlightlyWorse => "slightly worse, about the smallest change people notice",
                ChangeCategory::MeaningfullyWorse => "meaningfully worse; if it keeps rising, check with a clinician",
                ChangeCategory::NotEnoughData => "not enough data",
            };
            format!(
                "Pain averages {c:.1}/10 over the last {window_days} days against a baseline of {baseline:.1}{pct}: {verdict}."
            )
        }
    };
    Ok(PainTrend {
        baseline,
        current,
        window_days,
        days_with_reports: recent.len(),
        change_points,
        change_percent,
        category,
        weekly,
        sentence,
    })
}

/// The pain ratings around `baseline` that are *not* a meaningful change: a change counts when it reaches
/// [`MEANINGFUL_POINTS`] or [`MEANINGFUL_PERCENT`] of the baseline, so the band's half-width is the smaller of the
/// two (with a baseline of 0 only the points apply). Charts draw it, clipped to the 0–10 scale, so a reader sees at
/// a glance whether recent pain left the band.
pub fn meaningful_change_band(baseline: f64) -> (f64, f64) {
    let half =
        if baseline > 0.0 { MEANINGFUL_POINTS.min(baseline * MEANINGFUL_PERCENT / 100.0) } else { MEANINGFUL_POINTS };
    (baseline - half, baseline + half)
}

/// `improvement` in points (positive = better) and in percent of baseline.
fn classify_change(improvement: f64, improvement_pct: Option<f64>) -> ChangeCategory {
    let pct = improvement_pct.unwrap_or(0.0);
    let eps = 1e-9;
    if improvement >= MEANINGFUL_POINTS - eps || pct >= MEANINGFUL_PERCENT - eps {
        ChangeCategory::MeaningfullyBetter
    } else if -improvement >= MEANINGFUL_POINTS - eps || -pct >= MEANINGFUL_PERCENT - eps {
        ChangeCategory::MeaningfullyWorse
    } else if improvement >= NOTICEABLE_POINTS - eps || pct >= NOTICEABLE_PERCENT - eps {
        ChangeCategory::SlightlyBetter
    } else if -improvement >= NOTICEABLE_POINTS - eps || -pct >= NOTICEABLE_PERCENT - eps {
        ChangeCategory::SlightlyWorse
    } else {
        ChangeCategory::NoClearChange
    }
}

/// One PSFS scoring: 3–5 activities the runner chose, each rated 0 (unable) to 10 (as before the problem).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PsfsScore {
    pub date: Date,
    pub items: Vec<f64>,
}

impl PsfsScore {
    /// The PSFS score: the mean of the items.
    pub fn mean(&self) -> Result<f64, InsightsError> {
        if !(3..=5).contains(&self.items.len()) {
            return Err(InsightsError::out_of_range("psfs.items", self.items.len(), "3–5 activities"));
        }
        for (i, v) in self.items.iter().enumerate() {
            check_f64(&format!("psfs.items[{}]", i + 1), *v, 0.0, 10.0)?;
        }
        Ok(self.items.iter().sum::<f64>() / self.items.len() as f64)
    }
}

/// PSFS now against the first scoring.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PsfsChange {
    pub baseline_mean: f64,
    pub latest_mean: f64,
    /// Latest minus baseline (positive = better function).
    pub change: f64,
    /// Per-activity changes, by position (activities are kept in the same order).
    pub item_changes: Vec<f64>,
    /// Mean change of 2 or more, or 3 or more on one activity.
    pub meaningful: bool,
    pub sentence: String,
}

/// Compares two PSFS scorings of the same activities.
pub fn psfs_change(baseline: &PsfsScore, latest: &PsfsScore) -> Result<PsfsChange, InsightsError> {
    let b = baseline.mean()?;
    let l = latest.mean()?;
    if baseline.items.len() != latest.items.len() {
        return Err(InsightsError::invalid(
            "psfs.items",
            format!(
                "{} activities now but {} at baseline; rate the same activities",
                latest.items.len(),
                baseline.items.len()
            ),
        ));
    }
    let item_changes: Vec<f64> = latest.items.iter().zip(&baseline.items).map(|(l, b)| l - b).collect();
    let change = l - b;
    let item_real = item_changes.iter().any(|c| c.abs() >= PSFS_ITEM_MEANINGFUL - 1e-9);
    let meaningful = change.abs() >= PSFS_MEAN_MEANINGFUL - 1e-9 || item_real;
    let sentence = if change.abs() >= PSFS_MEAN_MEANINGFUL - 1e-9 {
        format!(
            "Function score {l:.1}/10 against {b:.1} at the start: a real {} (2 points on the mean is the bar).",
            if change > 0.0 { "improvement" } else { "decline" }
        )
    } else if item_real {
        format!(
            "Function score {l:.1}/10 against {b:.1}; at least one activity changed by 3 points or more, which is real."
        )
    } else {
        format!("Function score {l:.1}/10 against {b:.1}: no clear change yet (2 points on the mean is the bar).")
    };
    Ok(PsfsChange { baseline_mean: b, latest_mean: l, change, item_changes, meaningful, sentence })
}

/// When the next PSFS scoring is due.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PsfsDue {
    pub next_due: Date,
    pub due_now: bool,
    /// Days until due (negative when overdue).
    pub days_until: i64,
}

/// The next PSFS re-score: [`PSFS_INTERVAL_DAYS`] after the last one.
pub fn psfs_next_due(last_scored: Date, today: Date) -> Result<PsfsDue, InsightsError> {
    if last_scored > today {
        return Err(InsightsError::invalid("last_scored", format!("{last_scored} is in the future")));
    }
    let next_due = last_scored
        .checked_add(jiff::Span::new().days(PSFS_INTERVAL_DAYS))
        .map_err(|e| InsightsError::invalid("last_scored", e.to_string()))?;
    let days_until = (next_due - today).get_days().into();
    Ok(PsfsDue { next_due, due_now: today >= next_due, days_until })
}

/// Planned and done routines in one week.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct WeekRoutines {
    pub week_start: Date,
    pub planned: u32,
    pub done: u32,
}

/// Share of planned routines done.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AdherenceSummary {
    pub planned: u32,
    /// Done, counting at most the planned number per week (extra sessions do not make up for missed weeks).
    pub done: u32,
    pub share: Option<f64>,
    /// The same over the last 4 weeks given.
    pub recent_share: Option<f64>,
    pub weeks: Vec<WeekShare>,
    pub sentence: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WeekShare {
    pub week_start: Date,
    pub share: Option<f64>,
}

/// Adherence over the given weeks (any order; sorted by week).
pub fn adherence(weeks: &[WeekRoutines]) -> Result<AdherenceSummary, InsightsError> {
    let mut sorted = weeks.to_vec();
    sorted.sort_by_key(|w| w.week_start);
    for pair in sorted.windows(2) {
        if pair[0].week_start == pair[1].week_start {
            return Err(InsightsError::invalid("week_start", format!("{} is given twice", pair[0].week_start)));
        }
    }
    let share = |p: u32, d: u32| (p > 0).then(|| f64::from(d) / f64::from(p));
    let sum = |ws: &[WeekRoutines]| {
        ws.iter().fold((0u32, 0u32), |(p, d), w| (p.saturating_add(w.planned), d.saturating_add(w.done.min(w.planned))))
    };
    let (planned, done) = sum(&sorted);
    let recent = &sorted[sorted.len().saturating_sub(4)..];
    let (rp, rd) = sum(recent);
    let overall = share(planned, done);
    let sentence = match overall {
        None => "No routines planned yet.".to_string(),
        Some(s) => format!(
            "{done} of {planned} planned routines done ({:.0}%){}.",
            100.0 * s,
            share(rp, rd)
                .map(|r| format!("; {:.0}% in the last {} weeks", 100.0 * r, recent.len()))
                .unwrap_or_default()
        ),
    };
    Ok(AdherenceSummary {
        planned,
        done,
        share: overall,
        recent_share: share(rp, rd),
        weeks: sorted
            .iter()
            .map(|w| WeekShare { week_start: w.week_start, share: share(w.planned, w.done.min(w.planned)) })
            .collect(),
        sentence,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    #[test]
    fn meaningful_change_rule() {
        let today = date(2025, 6, 30);
        let pts = |v: &[u8]| -> Vec<PainPoint> {
            v.iter().enumerate().map(|(i, &x)| PainPoint { date: date(2025, 6, 20 + i as i8), intensity: x }).collect()
        };
        // 6 → 4: 2 points, 33%.
        let t = pain_trend(6.0, &pts(&[4, 4, 4, 4]), today, 14).unwrap();
        assert_eq!(t.category, ChangeCategory::MeaningfullyBetter);
        assert!((t.change_percent.unwrap() + 33.3).abs() < 0.1);
        // 6 → 5: 1 point, 17%: noticeable only.
        assert_eq!(pain_trend(6.0, &pts(&[5, 5, 5]), today, 14).unwrap().category, ChangeCategory::SlightlyBetter);
        // 8 → 7.5: neither.
        assert_eq!(pain_trend(8.0, &pts(&[7, 8, 7, 8]), today, 14).unwrap().category, ChangeCategory::NoClearChange);
        // 3 → 2: 33%, meaningful by percentage even though only one point.
        assert_eq!(pain_trend(3.0, &pts(&[2, 2, 2]), today, 14).unwrap().category, ChangeCategory::MeaningfullyBetter);
        assert_eq!(pain_trend(3.0, &pts(&[5, 5, 5]), today, 14).unwrap().category, ChangeCategory::MeaningfullyWorse);
        assert_eq!(pain_trend(3.0, &pts(&[2, 2]), today, 14).unwrap().category, ChangeCategory::NotEnoughData);
        assert!(pain_trend(3.0, &[PainPoint { date: date(2025, 7, 1), intensity: 2 }], today, 14).is_err());
        assert!(pain_trend(11.0, &[], today, 14).is_err());
    }

    #[test]
    fn the_band_holds_exactly_the_changes_the_rule_calls_not_meaningful() {
        let today = date(2025, 6, 30);
        for baseline in [0.0, 2.0, 3.0, 5.0, 6.5, 8.0, 10.0] {
            let (lo, hi) = meaningful_change_band(baseline);
            assert!(lo <= baseline && baseline <= hi, "{baseline}: {lo}–{hi}");
            for v in 0..=10u8 {
                let pts: Vec<PainPoint> =
                    (0..3).map(|i| PainPoint { date: date(2025, 6, 25 + i), intensity: v }).collect();
                let cat = pain_trend(baseline, &pts, today, 14).unwrap().category;
                let meaningful = matches!(cat, ChangeCategory::MeaningfullyBetter | ChangeCategory::MeaningfullyWorse);
                let inside = f64::from(v) > lo + 1e-9 && f64::from(v) < hi - 1e-9;
                assert_eq!(!meaningful, inside, "baseline {baseline}, now {v}");
            }
        }
    }

    #[test]
    fn psfs_rules() {
        let s = |items: Vec<f64>| PsfsScore { date: date(2025, 1, 1), items };
        let c = psfs_change(&s(vec![3.0, 4.0, 5.0]), &s(vec![5.0, 6.0, 7.0])).unwrap();
        assert!(c.meaningful && (c.change - 2.0).abs() < 1e-9);
        let c = psfs_change(&s(vec![3.0, 4.0, 5.0]), &s(vec![6.0, 4.0, 5.0])).unwrap();
        assert!(c.meaningful, "one item by 3");
        let c = psfs_change(&s(vec![3.0, 4.0, 5.0]), &s(vec![4.0, 5.0, 6.0])).unwrap();
        assert!(!c.meaningful);
        assert!(s(vec![1.0, 2.0]).mean().is_err());
        let due = psfs_next_due(date(2025, 1, 1), date(2025, 1, 10)).unwrap();
        assert_eq!(due.next_due, date(2025, 1, 15));
        assert!(!due.due_now && due.days_until == 5);
        assert!(psfs_next_due(date(2025, 1, 1), date(2025, 1, 20)).unwrap().due_now);
    }

    #[test]
    fn adherence_caps_extra_sessions() {
        let w = |d: i8, planned, done| WeekRoutines { week_start: date(2025, 3, d), planned, done };
        let a = adherence(&[w(10, 5, 7), w(3, 5, 2)]).unwrap();
        assert_eq!((a.planned, a.done), (10, 7));
        assert!((a.share.unwrap() - 0.7).abs() < 1e-9);
        assert_eq!(a.weeks[0].week_start, date(2025, 3, 3));
        assert!(adherence(&[w(3, 1, 1), w(3, 2, 2)]).is_err());
    }
}
