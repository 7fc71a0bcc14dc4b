//! The dashboard over many athletes: its order, each athlete's row with the clinician's last visit, the audit
//! entry a dashboard look writes, and the attention kept between views.

use super::signals_from;
use crate::Result;
use crate::progress::{Progress, progress_in};
use jiff::Timestamp;
use jiff::civil::Date;
use jiff::tz::TimeZone;
use runtall_domain::clinic::AuditEntry;
use runtall_domain::clinic::attention::{self, Attention};
use runtall_store::dashboard::{DashboardAthlete, Dashboards};
use runtall_store::{AthleteId, Store};
use serde::Serialize;

/// One athlete on a clinician's dashboard.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DashboardRow {
    pub athlete: AthleteId,
    pub name: String,
    /// The clinician's last look at this athlete's data, if any.
    pub last_visit: Option<Timestamp>,
    pub attention: Attention,
}

/// The dashboard's order: most urgent first ([`Attention::urgency`]); on a tie, the athlete not looked at for
/// longest (never first), then by name.
pub fn dashboard(mut rows: Vec<DashboardRow>) -> Vec<DashboardRow> {
    rows.sort_by(|a, b| {
        a.attention
            .urgency(&b.attention)
            .then_with(|| a.last_visit.cmp(&b.last_visit))
            .then_with(|| a.name.cmp(&b.name))
            .then_with(|| a.athlete.cmp(&b.athlete))
    });
    rows
}

/// The audit log's words for what a clinician did (the `action` of an [`AuditEntry`]).
pub mod actions {
    /// The dashboard read the athlete's signals (not a visit: the dashboard is not the athlete's page).
    pub const DASHBOARD: &str = "viewed-dashboard";
    /// The athlete's page: report summary, trends, runs, journal, program.
    pub const ATHLETE: &str = "viewed-athlete";
    pub const REPORT: &str = "viewed-report";
    /// One run with its chart and comments.
    pub const RUN: &str = "viewed-run";
    pub const CHANGED_PROGRAM: &str = "changed-program";
    pub const COMMENTED: &str = "commented";
    /// The views that count as a visit: red flags and finished experiments before the last one are not news.
    pub const VISITS: [&str; 3] = [ATHLETE, REPORT, RUN];
}

/// When `account` last visited the athlete (opened their page or report), from the athlete's audit log.
pub fn last_visit(store: &dyn Store, account: i64) -> Result<Option<Timestamp>> {
    Ok(store.last_audit(account, &actions::VISITS)?)
}

/// The dashboard's look at an athlete is written at most this often per clinician: a dashboard left open and
/// reloaded would otherwise bury the athlete's log in identical lines (the first look of each hour is kept).
pub const DASHBOARD_AUDIT_EVERY: jiff::SignedDuration = jiff::SignedDuration::from_hours(1);

/// The day attention is computed for at `now` (the server's time zone): the pain trend's window moves with it.
pub fn attention_day(now: Timestamp) -> Date {
    now.to_zoned(TimeZone::system()).date()
}

/// "Since" for one clinician's view of an athlete: their last visit, or when the athlete started sharing.
fn since_of(athlete: &DashboardAthlete) -> Timestamp {
    athlete.last_visit.unwrap_or(athlete.since)
}

/// The athlete's dashboard row from what is kept in memory, when `cache` holds attention for the athlete's current
/// journal revision, `day` and this clinician's "since" (all known from the dashboard's one read,
/// [`Dashboards::dashboard_state`]); `None` when it must be computed from the athlete's records ([`fresh_row`]).
pub fn kept_row(athlete: &DashboardAthlete, cache: &AttentionCache, day: Date) -> Option<DashboardRow> {
    let attention = cache.kept(athlete.revision, day, since_of(athlete))?;
    Some(DashboardRow { athlete: athlete.id, name: athlete.name.clone(), last_visit: athlete.last_visit, attention })
}

/// The athlete's dashboard row computed from their records (`store` is theirs), kept in `cache` for the next view.
pub fn fresh_row(
    store: &dyn Store,
    cache: &AttentionCache,
    athlete: &DashboardAthlete,
    now: Timestamp,
) -> Result<DashboardRow> {
    let attention = cache.attention(store, now, since_of(athlete))?;
    Ok(DashboardRow { athlete: athlete.id, name: athlete.name.clone(), last_visit: athlete.last_visit, attention })
}

/// Computes and keeps the athlete's attention for this clinician's view unless it is kept already; returns whether
/// it computed. For work ahead of the dashboard (at start, after a journal changed), off the request path.
pub fn warm(store: &dyn Store, cache: &AttentionCache, athlete: &DashboardAthlete, now: Timestamp) -> Result<bool> {
    if cache.kept(athlete.revision, attention_day(now), since_of(athlete)).is_some() {
        return Ok(false);
    }
    cache.attention(store, now, since_of(athlete))?;
    Ok(true)
}

/// The dashboard's look written to the audit log of each athlete whose last one by this clinician is
/// [`DASHBOARD_AUDIT_EVERY`] old or more (or who has none), all in one transaction; returns how many were written.
/// The times come from the same read as the dashboard ([`Dashboards::dashboard_state`]), so the rule holds across
/// server processes and restarts.
pub fn record_dashboard_looks(
    dashboards: &dyn Dashboards,
    athletes: &[DashboardAthlete],
    entry: &AuditEntry,
) -> Result<usize> {
    let due: Vec<(AthleteId, AuditEntry)> = athletes
        .iter()
        .filter(|a| a.last_look.is_none_or(|last| entry.at.duration_since(last) >= DASHBOARD_AUDIT_EVERY))
        .map(|a| (a.id, entry.clone()))
        .collect();
    dashboards.add_audit_entries(&due)?;
    Ok(due.len())
}

/// The attention of one athlete kept between dashboard views: computing it reads the whole journal (the pain
/// trend, adherence, experiments), while the answer changes only when the journal does, when the day turns (the
/// trend's window moves) or for another "since" (another clinician, or a new visit). A few "since"s are kept, one
/// per clinician who looked recently. The progress it rests on (outcome measures and adherence: most of the cost)
/// does not depend on "since" and is kept once per journal revision and day, so a new visit — which moves "since"
/// — and the athlete's page, which shows that progress, do not compute it again.
#[derive(Default)]
pub struct AttentionCache {
    kept: std::sync::Mutex<Vec<(AttentionKey, Attention)>>,
    progress: std::sync::Mutex<Option<KeptProgress>>,
}

/// The progress kept for a (journal revision, day): `None` before any assessment.
type KeptProgress = ((u64, Date), Option<Progress>);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct AttentionKey {
    revision: u64,
    day: Date,
    since: Timestamp,
}

/// "Since"s kept per athlete: the clinicians who follow one athlete are few.
const ATTENTION_KEEP: usize = 4;

impl AttentionCache {
    /// The attention kept for this journal revision, day and "since", if any (reads nothing).
    pub fn kept(&self, revision: u64, day: Date, since: Timestamp) -> Option<Attention> {
        let key = AttentionKey { revision, day, since };
        let kept = self.kept.lock().unwrap_or_else(|e| e.into_inner());
        kept.iter().find(|(k, _)| *k == key).map(|(_, a)| a.clone())
    }

    /// [`attention`] of the athlete of `store`, computed again only when its inputs changed.
    pub fn attention(&self, store: &dyn Store, now: Timestamp, since: Timestamp) -> Result<Attention> {
        let tz = TimeZone::system();
        let key = AttentionKey { revision: store.journal_revision()?, day: now.to_zoned(tz.clone()).date(), since };
        let lock = |m: &std::sync::Mutex<Vec<(AttentionKey, Attention)>>| {
            m.lock().unwrap_or_else(|e| e.into_inner()).iter().find(|(k, _)| *k == key).map(|(_, a)| a.clone())
        };
        if let Some(hit) = lock(&self.kept) {
            return Ok(hit);
        }
        let progress = self.progress_at(store, key.revision, key.day, &tz)?;
        let fresh = attention::attention(&signals_from(store, now, since, &tz, progress.as_ref())?);
        let mut kept = self.kept.lock().unwrap_or_else(|e| e.into_inner());
        kept.retain(|(k, _)| k.since != since);
        if kept.len() >= ATTENTION_KEEP {
            kept.remove(0);
        }
        kept.push((key, fresh.clone()));
        Ok(fresh)
    }

    /// The athlete's progress as of `today` in `tz` (`None` before any assessment), computed again only when the
    /// journal or the day changed.
    pub fn progress(&self, store: &dyn Store, today: Date, tz: &TimeZone) -> Result<Option<Progress>> {
        self.progress_at(store, store.journal_revision()?, today, tz)
    }

    fn progress_at(&self, store: &dyn Store, revision: u64, today: Date, tz: &TimeZone) -> Result<Option<Progress>> {
        let key = (revision, today);
        if let Some((k, p)) = &*self.progress.lock().unwrap_or_else(|e| e.into_inner())
            && *k == key
        {
            return Ok(p.clone());
        }
        let fresh = match store.latest_assessment()? {
            Some(_) => Some(progress_in(store, today, tz)?),
            None => None,
        };
        *self.progress.lock().unwrap_or_else(|e| e.into_inner()) = Some((key, fresh.clone()));
        Ok(fresh)
    }
}
