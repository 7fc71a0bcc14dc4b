//! Is the program working? Pain against the baseline with the meaningful-change rule, and the functional scale
//! (PSFS) with its two-weekly re-score.

use crate::observations::local_date;
use crate::{AppError, Result};
use jiff::Timestamp;
use jiff::civil::Date;
use runtall_insights::measures::{self, PainPoint, PainTrend, PsfsDue};
use runtall_store::Store;
use serde::Serialize;
use std::collections::BTreeMap;

/// Days of recent reports that make up "now" in the pain trend.
pub const WINDOW_DAYS: u32 = 14;

#[derive(Debug, Clone, Serialize)]
pub struct Psfs {
    pub baseline: f64,
    pub latest: f64,
    pub baseline_date: Date,
    pub latest_date: Date,
    pub next: PsfsDue,
}

#[derive(Debug, Clone, Serialize)]
pub struct Progress {
    pub pain: PainTrend,
    pub psfs: Psfs,
}

/// The day's worst report is the day's pain.
pub fn daily_pain(store: &dyn Store) -> Result<Vec<PainPoint>> {
    let mut by_day: BTreeMap<Date, u8> = BTreeMap::new();
    for r in store.pain_reports(Timestamp::MIN, Timestamp::MAX)? {
        let e = by_day.entry(local_date(r.at, None)).or_insert(0);
        *e = (*e).max(r.intensity.get().round().clamp(0.0, 10.0) as u8);
    }
    Ok(by_day.into_iter().map(|(date, intensity)| PainPoint { date, intensity }).collect())
}

/// Progress since the first assessment; an error (the runner's to fix) when there is no assessment yet.
pub fn progress(store: &dyn Store, today: Date) -> Result<Progress> {
    let assessments = store.assessments()?;
    let first =
        assessments.first().ok_or_else(|| AppError::State("no assessment yet: answer the assessment".into()))?;
    let latest = assessments.last().unwrap_or(first);
    let baseline = first.assessment.baseline_pain.get();
    let points = daily_pain(store)?;
    // Reports dated after "today" (a clock moved back, a future date typed) are left out here rather than failing
    // the whole page; the journal's own input checks refuse them at entry.
    let points: Vec<PainPoint> = points.into_iter().filter(|p| p.date <= today).collect();
    let pain = measures::pain_trend(baseline, &points, today, WINDOW_DAYS)?;
    let latest_date = local_date(latest.taken_at, None);
    Ok(Progress {
        pain,
        psfs: Psfs {
            baseline: first.assessment.psfs_score(),
            latest: latest.assessment.psfs_score(),
            baseline_date: local_date(first.taken_at, None),
            latest_date,
            next: measures::psfs_next_due(latest_date, today)?,
        },
    })
}
