//! Is the program working? Pain against the baseline with the meaningful-change rule, the functional scale
//! (PSFS) with its two-weekly re-score, and adherence (the share of planned routines done).

mod adherence;

pub(crate) use adherence::monday;

pub use adherence::{Adherence, Tally, WeekAdherence, adherence};

use crate::observations::local_date;
use crate::{AppError, Result};
use jiff::Timestamp;
use jiff::civil::Date;
use jiff::tz::TimeZone;
use runtall_domain::assess::{AssessmentRecord, Score};
use runtall_insights::measures::{self, ChangeCategory, PainPoint, PainTrend, PsfsChange, PsfsDue, PsfsScore};
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
    /// The latest scoring against the first scoring of the same activities, judged by the meaningful-change rule;
    /// None until the activities have been re-scored at least once.
    pub change: Option<PsfsChange>,
    /// The scoring `change` is measured from (it differs from `baseline_date` when the activities were changed).
    pub compared_with: Option<Date>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Progress {
    pub pain: PainTrend,
    pub psfs: Psfs,
    pub adherence: Adherence,
    /// Set when the journal says it is time to see a physical therapist.
    pub escalation: Option<Escalation>,
}

/// The day's worst report is the day's pain.
pub fn daily_pain(store: &dyn Store) -> Result<Vec<PainPoint>> {
    daily_pain_from(store, Timestamp::MIN)
}

/// [`daily_pain`] of the reports made at `from` or later (a chart of the last weeks reads only those; a day that
/// starts before `from` may be incomplete, so start a day early).
pub fn daily_pain_from(store: &dyn Store, from: Timestamp) -> Result<Vec<PainPoint>> {
    let mut by_day: BTreeMap<Date, u8> = BTreeMap::new();
    for r in store.pain_reports(from, Timestamp::MAX)? {
        let e = by_day.entry(local_date(r.at, None)).or_insert(0);
        *e = (*e).max(r.intensity.get().round().clamp(0.0, 10.0) as u8);
    }
    Ok(by_day.into_iter().map(|(date, intensity)| PainPoint { date, intensity }).collect())
}

/// Progress since the first assessment; an error (the runner's to fix) when there is no assessment yet. Dates are
/// taken in the system time zone; see [`progress_in`].
pub fn progress(store: &dyn Store, today: Date) -> Result<Progress> {
    progress_in(store, today, &TimeZone::system())
}

/// [`progress`] with dates taken in `tz`.
pub fn progress_in(store: &dyn Store, today: Date, tz: &TimeZone) -> Result<Progress> {
    progress_of(store, store.assessments()?, today, tz)
}

/// Progress as it stood at the end of `day` (a report for an earlier period): assessments taken after that day are
/// left out, as are pain reports (see [`progress_in`]).
pub fn progress_until(store: &dyn Store, day: Date, tz: &TimeZone) -> Result<Progress> {
    let mut assessments = store.assessments()?;
    assessments.retain(|a| a.taken_at.to_zoned(tz.clone()).date() <= day);
    progress_of(store, assessments, day, tz)
}

fn progress_of(store: &dyn Store, assessments: Vec<AssessmentRecord>, today: Date, tz: &TimeZone) -> Result<Progress> {
    let first =
        assessments.first().ok_or_else(|| AppError::State("no assessment yet: answer the assessment".into()))?;
    let latest = assessments.last().unwrap_or(first);
    let baseline = first.assessment.baseline_pain.get();
    let points = daily_pain(store)?;
    // Reports dated after "today" (a clock moved back, a future date typed) are left out here rather than failing
    // the whole page; the journal's own input checks refuse them at entry.
    let points: Vec<PainPoint> = points.into_iter().filter(|p| p.date <= today).collect();
    let pain = measures::pain_trend(baseline, &points, today, WINDOW_DAYS)?;
    let date_of = |r: &AssessmentRecord| r.taken_at.to_zoned(tz.clone()).date().min(today);
    let latest_date = date_of(latest);
    let change = psfs_change(&assessments, tz)?;
    let mut p = Progress {
        pain,
        psfs: Psfs {
            baseline: first.assessment.psfs_score(),
            latest: latest.assessment.psfs_score(),
            baseline_date: date_of(first),
            latest_date,
            next: measures::psfs_next_due(latest_date, today)?,
            compared_with: change.as_ref().map(|(d, _)| *d),
            change: change.map(|(_, c)| c),
        },
        adherence: adherence(store, today, tz)?,
        escalation: None,
    };
    let days = i64::from((today - p.psfs.baseline_date).get_days().max(0));
    p.escalation = escalation(days, &p.pain, p.psfs.change.as_ref());
    Ok(p)
}

/// Why the journal suggests seeing a physical therapist.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum EscalationReason {
    /// Pain meaningfully worse than at the start, two weeks or more in.
    Worse,
    /// Four weeks or more and neither pain nor function meaningfully better.
    NoProgress,
}

/// A prompt to get a physical therapist's view, with the program's habit that explains it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Escalation {
    pub reason: EscalationReason,
    pub weeks: i64,
    pub sentence: String,
    /// The program's habit behind the rule (see a physical therapist if nothing changes in 2 to 4 weeks).
    pub habit: &'static str,
}

/// The habit the prompt points to.
pub const SEE_A_PT_HABIT: &str = "see-a-pt-if-no-progress";

/// The program's rule (PT article; evidence brief §1, "no improvement after 2–4 weeks" is a see-a-clinician
/// answer): meaningfully worse after two weeks, or no meaningful improvement in pain or function after four,
/// is a reason to be assessed in person. Pure, so the rule is tested on its own; `days` counts from the first
/// assessment.
pub fn escalation(days: i64, pain: &PainTrend, psfs: Option<&PsfsChange>) -> Option<Escalation> {
    let weeks = days / 7;
    if days >= 14 && pain.category == ChangeCategory::MeaningfullyWorse {
        return Some(Escalation {
            reason: EscalationReason::Worse,
            weeks,
            sentence: format!(
                "After {} your pain is meaningfully worse than at the start: book a physical therapist \
                 now rather than waiting (in most places you can go without a doctor's referral).",
                runtall_domain::text::count(weeks, "week", "weeks")
            ),
            habit: SEE_A_PT_HABIT,
        });
    }
    let function_better = psfs.is_some_and(|c| c.meaningful && c.change > 0.0);
    if days >= 28 && pain.category != ChangeCategory::MeaningfullyBetter && !function_better {
        let how = if pain.category == ChangeCategory::NotEnoughData {
            "runtall cannot see a meaningful improvement (log pain a few times a week so it can tell)"
        } else {
            "neither your pain nor your activities are meaningfully better"
        };
        return Some(Escalation {
            reason: EscalationReason::NoProgress,
            weeks,
            sentence: format!(
                "After {} {how}. The program's rule is to see a physical therapist when nothing changes \
                 in 2 to 4 weeks: an in-person assessment can find what an app cannot.",
                runtall_domain::text::count(weeks, "week", "weeks")
            ),
            habit: SEE_A_PT_HABIT,
        });
    }
    None
}

/// The activities' names as the runner would recognise them, for matching scorings of the same activities.
fn activity_key(s: &str) -> String {
    s.trim().to_lowercase()
}

/// The latest scoring against the earliest one of the same activities (in any order). None when there is no such
/// earlier scoring: a first assessment, or activities changed at the latest full assessment.
fn psfs_change(all: &[AssessmentRecord], tz: &TimeZone) -> Result<Option<(Date, PsfsChange)>> {
    let Some((latest, earlier)) = all.split_last() else { return Ok(None) };
    let keys: Vec<String> = latest.assessment.psfs.iter().map(|i| activity_key(&i.activity)).collect();
    let mut sorted = keys.clone();
    sorted.sort();
    let same = |r: &&AssessmentRecord| {
        let mut k: Vec<String> = r.assessment.psfs.iter().map(|i| activity_key(&i.activity)).collect();
        k.sort();
        k == sorted
    };
    let Some(base) = earlier.iter().find(same) else { return Ok(None) };
    // Baseline ratings in the latest scoring's order, so per-activity changes line up.
    let base_items: Vec<f64> = keys
        .iter()
        .filter_map(|k| base.assessment.psfs.iter().find(|i| activity_key(&i.activity) == *k))
        .map(|i| i.score.get())
        .collect();
    let date = |r: &AssessmentRecord| r.taken_at.to_zoned(tz.clone()).date();
    let b = PsfsScore { date: date(base), items: base_items };
    let l = PsfsScore { date: date(latest), items: latest.assessment.psfs.iter().map(|i| i.score.get()).collect() };
    Ok(Some((b.date, measures::psfs_change(&b, &l)?)))
}

/// When the functional scale is next due; None before the first assessment. Dates in `tz`.
pub fn psfs_due(store: &dyn Store, today: Date, tz: &TimeZone) -> Result<Option<PsfsDue>> {
    let Some(latest) = store.latest_assessment()? else { return Ok(None) };
    let last = latest.taken_at.to_zoned(tz.clone()).date().min(today);
    Ok(Some(measures::psfs_next_due(last, today)?))
}

/// Re-scores only the functional scale: the latest assessment is copied with new ratings for its activities (in
/// their order), so the plan, exposures and everything else stay as they were and the change can be compared
/// activity by activity. Returns the stored record.
pub fn rescore_psfs(store: &dyn Store, ratings: &[f64], at: Timestamp) -> Result<AssessmentRecord> {
    let latest =
        store.latest_assessment()?.ok_or_else(|| AppError::State("no assessment yet: answer the assessment".into()))?;
    let mut assessment = latest.assessment;
    if ratings.len() != assessment.psfs.len() {
        return Err(AppError::State(format!(
            "psfs: {} ratings given for {} activities; rate every activity",
            ratings.len(),
            assessment.psfs.len()
        )));
    }
    for (i, (item, r)) in assessment.psfs.iter_mut().zip(ratings).enumerate() {
        item.score = Score::new(*r)
            .map_err(|e| AppError::State(format!("psfs[{}] ({}): {}", i + 1, item.activity, e.message)))?;
    }
    assessment.check().map_err(|e| AppError::State(e.to_string()))?;
    let mut record = AssessmentRecord { id: None, taken_at: at, assessment };
    record.id = Some(store.add_assessment(&record)?);
    Ok(record)
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    fn trend(baseline: f64, recent: u8) -> PainTrend {
        let today = date(2026, 6, 30);
        let pts: Vec<PainPoint> = (20..30).map(|d| PainPoint { date: date(2026, 6, d), intensity: recent }).collect();
        measures::pain_trend(baseline, &pts, today, WINDOW_DAYS).expect("trend")
    }

    fn psfs(before: [f64; 3], after: [f64; 3]) -> PsfsChange {
        let s = |items: [f64; 3]| PsfsScore { date: date(2026, 6, 1), items: items.to_vec() };
        measures::psfs_change(&s(before), &s(after)).expect("change")
    }

    #[test]
    fn no_prompt_while_getting_better_or_before_two_weeks() {
        assert_eq!(escalation(40, &trend(6.0, 2), None), None, "meaningfully better pain");
        assert_eq!(escalation(10, &trend(3.0, 7), None), None, "too early even when worse");
        assert_eq!(escalation(20, &trend(5.0, 5), None), None, "no change yet, but under four weeks");
        assert_eq!(
            escalation(40, &trend(5.0, 5), Some(&psfs([3.0, 4.0, 5.0], [6.0, 7.0, 7.0]))),
            None,
            "function better"
        );
    }

    #[test]
    fn worse_after_two_weeks_or_no_progress_after_four_points_to_a_physical_therapist() {
        let worse = escalation(15, &trend(3.0, 7), None).expect("worse");
        assert_eq!((worse.reason, worse.weeks, worse.habit), (EscalationReason::Worse, 2, SEE_A_PT_HABIT));
        assert!(worse.sentence.contains("physical therapist"), "{}", worse.sentence);
        let stuck = escalation(30, &trend(5.0, 5), Some(&psfs([4.0, 4.0, 4.0], [4.5, 4.0, 5.0]))).expect("stuck");
        assert_eq!((stuck.reason, stuck.weeks), (EscalationReason::NoProgress, 4));
        assert!(stuck.sentence.contains("neither your pain nor your activities"), "{}", stuck.sentence);
        let unknown = PainTrend { category: ChangeCategory::NotEnoughData, ..trend(5.0, 5) };
        let thin = escalation(35, &unknown, None).expect("cannot see improvement");
        assert!(thin.sentence.contains("log pain"), "{}", thin.sentence);
        // The program's content names the habit the prompt points to.
        assert!(runtall_domain::content::program().habit(SEE_A_PT_HABIT).is_some());
    }
}
