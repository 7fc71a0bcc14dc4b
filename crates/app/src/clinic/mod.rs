//! What a clinician's dashboard asks of one athlete's journal: the signals the attention rule
//! (`runtall_domain::clinic::attention`) ranks, gathered with the same outcome measures the runner's own progress
//! page uses, and the dashboard's order over many athletes.
//!
//! `dashboard` orders athletes and keeps their attention between views; `records` stores a clinician's program
//! changes and comments and reads them back for the pages that show them.

mod dashboard;
mod records;

pub use dashboard::{
    AttentionCache, DASHBOARD_AUDIT_EVERY, DashboardRow, KeptDashboard, KeptDashboards, actions, attention_day,
    dashboard, fresh_row, kept_row, last_visit, record_dashboard_looks, warm,
};
pub use records::{
    ChangeOutcome, audit, audit_together, change_program, comment, comments_on_reports, comments_on_run, new_key,
    week_of,
};

use crate::Result;
use crate::experiments::history;
use crate::progress::{EscalationReason, progress_in};
use jiff::Timestamp;
use jiff::tz::TimeZone;
use runtall_domain::clinic::attention::{self, AdherenceNow, Attention, FlagSeen, PainNow, SeeAPt, Signals};
use runtall_insights::measures::ChangeCategory;
use runtall_store::Store;

/// Complete weeks compared for "adherence falling": the last two against the two before.
pub const ADHERENCE_WEEKS: usize = 2;

/// What needs a clinician's look for the athlete of `store`, with red-flag screens and finished experiments
/// counted from `since` (the clinician's last visit). Dates are taken in the server's time zone.
pub fn attention(store: &dyn Store, now: Timestamp, since: Timestamp) -> Result<Attention> {
    attention_in(store, now, since, &TimeZone::system())
}

/// [`attention`] with dates taken in `tz`.
pub fn attention_in(store: &dyn Store, now: Timestamp, since: Timestamp, tz: &TimeZone) -> Result<Attention> {
    Ok(attention::attention(&signals(store, now, since, tz)?))
}

/// The journal's signals for the attention rule.
pub fn signals(store: &dyn Store, now: Timestamp, since: Timestamp, tz: &TimeZone) -> Result<Signals> {
    let today = now.to_zoned(tz.clone()).date();
    let progress = match store.latest_assessment()? {
        Some(_) => Some(progress_in(store, today, tz)?),
        None => None,
    };
    signals_from(store, now, since, tz, progress.as_ref())
}

/// [`signals`] with the progress (outcome measures and adherence, `None` before any assessment) already known: it
/// is the costly part, and does not depend on `since`.
pub(crate) fn signals_from(
    store: &dyn Store,
    now: Timestamp,
    since: Timestamp,
    tz: &TimeZone,
    progress: Option<&crate::progress::Progress>,
) -> Result<Signals> {
    Ok(SinceInputs::read(store)?.signals(now, since, tz, progress))
}

/// What the attention rule counts from a clinician's last visit, read from the journal whatever the visit: every
/// flagged screen and every stopped experiment. A page that keeps these (per journal revision) works attention out
/// for any "since" without reading the journal again.
#[derive(Debug, Clone, Default)]
pub struct SinceInputs {
    flags: Vec<FlagSeen>,
    /// Stopped experiments: the day each stopped, and its factor in words.
    stopped: Vec<(jiff::civil::Date, String)>,
}

impl SinceInputs {
    pub fn read(store: &dyn Store) -> Result<SinceInputs> {
        let mut flags = Vec::new();
        for screen in store.screenings()? {
            if let Some(level) = screen.outcome.level {
                flags.push(FlagSeen {
                    at: screen.taken_at,
                    level,
                    answers: screen.outcome.triggered.iter().map(|f| f.short.clone()).collect(),
                });
            }
        }
        let stopped = history(store)?
            .into_iter()
            .filter_map(|past| {
                let stopped = past.experiment.stopped?;
                Some((stopped, past.experiment.design.factor.label().to_string()))
            })
            .collect();
        Ok(SinceInputs { flags, stopped })
    }

    /// What needs a look, with flags and finished experiments counted from `since`, for an athlete with this
    /// `progress`.
    pub fn attention(
        &self,
        now: Timestamp,
        since: Timestamp,
        tz: &TimeZone,
        progress: Option<&crate::progress::Progress>,
    ) -> Attention {
        attention::attention(&self.signals(now, since, tz, progress))
    }

    fn signals(
        &self,
        now: Timestamp,
        since: Timestamp,
        tz: &TimeZone,
        progress: Option<&crate::progress::Progress>,
    ) -> Signals {
        let today = now.to_zoned(tz.clone()).date();
        let mut s = Signals {
            flags: self.flags.iter().filter(|f| f.at >= since && f.at <= now).cloned().collect(),
            ..Signals::default()
        };
        if let Some(p) = progress {
            if let Some(current) = p.pain.current {
                s.pain = Some(PainNow {
                    baseline: p.pain.baseline,
                    current,
                    change_percent: p.pain.change_percent,
                    meaningfully_worse: p.pain.category == ChangeCategory::MeaningfullyWorse,
                });
            }
            s.see_a_pt = p
                .escalation
                .as_ref()
                .map(|e| SeeAPt { because_worse: e.reason == EscalationReason::Worse, weeks: e.weeks });
            // Only complete weeks: the current one is not missed yet.
            let mut shares: Vec<(jiff::civil::Date, f64)> = p
                .adherence
                .weeks
                .iter()
                .filter(|w| w.week_start.checked_add(jiff::Span::new().days(7)).is_ok_and(|end| end <= today))
                .filter_map(|w| w.share.map(|sh| (w.week_start, sh)))
                .collect();
            shares.sort_by_key(|(d, _)| *d);
            if shares.len() >= 2 * ADHERENCE_WEEKS {
                let tail = &shares[shares.len() - 2 * ADHERENCE_WEEKS..];
                let mean = |w: &[(jiff::civil::Date, f64)]| w.iter().map(|(_, s)| s).sum::<f64>() / w.len() as f64;
                s.adherence = Some(AdherenceNow {
                    before: mean(&tail[..ADHERENCE_WEEKS]),
                    recent: mean(&tail[ADHERENCE_WEEKS..]),
                    weeks: ADHERENCE_WEEKS as u32,
                });
            }
        }
        let since_day = since.to_zoned(tz.clone()).date();
        s.experiments_finished =
            self.stopped.iter().filter(|(day, _)| *day >= since_day).map(|(_, label)| label.clone()).collect();
        s
    }
}
