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
/// [`DASHBOARD_AUDIT_EVERY`] old or more (or who has none), all in one transaction. The times come from the same read
/// as the dashboard ([`Dashboards::dashboard_state`]), so the rule holds across server processes and restarts.
/// Returns `None` when no look was due, else the clinician's dashboard version just before and just after the looks
/// ([`Dashboards::add_dashboard_looks`]): the looks move it, and a dashboard read at `before` holds at `after`.
pub fn record_dashboard_looks(
    dashboards: &dyn Dashboards,
    athletes: &[DashboardAthlete],
    entry: &AuditEntry,
) -> Result<Option<(u64, u64)>> {
    let due: Vec<(AthleteId, AuditEntry)> =
        athletes.iter().filter(|a| look_due(a.last_look, entry.at)).map(|a| (a.id, entry.clone())).collect();
    if due.is_empty() {
        return Ok(None);
    }
    let clinician = runtall_store::accounts::AccountId::new(entry.actor_account);
    Ok(Some(dashboards.add_dashboard_looks(clinician, &due)?))
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

/// Each clinician's last dashboard with what it was made from: the dashboard version it was read at
/// ([`Dashboards::dashboard_version`]), the day, the state ([`Dashboards::dashboard_state`]) and when its next
/// hourly look falls due. While the version has not moved, the day is the same and no look is due, a view is the
/// version's one read and nothing else ([`KeptDashboards::current`]): no state read, no per-athlete look-up, no
/// sorting, and the rows as the front end rendered them last time. When the version moved but the state makes the
/// same rows (it moved for a dashboard look, which shows nothing), the rows are kept again under the new version
/// ([`KeptDashboards::same`]).
#[derive(Default)]
pub struct KeptDashboards {
    kept: std::sync::Mutex<std::collections::HashMap<i64, std::sync::Arc<KeptDashboard>>>,
}

/// One clinician's kept dashboard (see [`KeptDashboards`]).
pub struct KeptDashboard {
    version: u64,
    day: Date,
    /// When the first of the athletes' next hourly looks falls due; `None` with no athletes.
    look_due: Option<Timestamp>,
    athletes: Vec<DashboardAthlete>,
    rows: std::sync::Arc<Vec<DashboardRow>>,
    /// The rows as the front end rendered them, made on the first view that needs them and shared by every
    /// dashboard kept from the same rows.
    rendered: std::sync::Arc<std::sync::OnceLock<String>>,
}

impl KeptDashboard {
    pub fn rows(&self) -> &std::sync::Arc<Vec<DashboardRow>> {
        &self.rows
    }

    /// The rows as `render` renders them, rendered once per kept dashboard (the front end's markup, kept opaque
    /// here; it must not hold anything of one session, such as a CSRF token, since every view shares it).
    pub fn rendered(&self, render: impl FnOnce(&[DashboardRow]) -> String) -> &str {
        self.rendered.get_or_init(|| render(&self.rows))
    }
}

/// Clinicians whose last dashboard is kept at once; past it, all are dropped (each is rebuilt from kept attention
/// on its next view, which is cheap).
const KEEP_DASHBOARDS: usize = 1_000;

/// Whether two reads of a dashboard's state make the same rows (the last dashboard look does not show).
fn same_rows(a: &[DashboardAthlete], b: &[DashboardAthlete]) -> bool {
    a.len() == b.len()
        && a.iter().zip(b).all(|(a, b)| {
            a.id == b.id
                && a.revision == b.revision
                && a.last_visit == b.last_visit
                && a.since == b.since
                && a.name == b.name
        })
}

/// Whether the dashboard's look at an athlete last looked at `last` is to be written at `now`: the rule of
/// [`DASHBOARD_AUDIT_EVERY`].
fn look_due(last: Option<Timestamp>, now: Timestamp) -> bool {
    last.is_none_or(|last| now.duration_since(last) >= DASHBOARD_AUDIT_EVERY)
}

/// When the first athlete's next look falls due, given the state read before a dashboard shown at `now` that
/// wrote the looks due then ([`record_dashboard_looks`]).
fn next_look_due(athletes: &[DashboardAthlete], now: Timestamp) -> Option<Timestamp> {
    athletes
        .iter()
        .map(|a| if look_due(a.last_look, now) { now } else { a.last_look.unwrap_or(now) })
        .min()
        .map(|last| last + DASHBOARD_AUDIT_EVERY)
}

impl KeptDashboards {
    /// The dashboard kept for this clinician if nothing it was made from can have changed: the database's dashboard
    /// version is still `version`, it is still `day`, and no athlete's hourly look is due at `now`.
    pub fn current(
        &self,
        clinician: i64,
        version: u64,
        day: Date,
        now: Timestamp,
    ) -> Option<std::sync::Arc<KeptDashboard>> {
        let kept = self.kept.lock().unwrap_or_else(|e| e.into_inner()).get(&clinician).cloned()?;
        (kept.version == version && kept.day == day && kept.look_due.is_none_or(|due| now < due)).then_some(kept)
    }

    /// The rows kept for this clinician, if they were made from the same state (`athletes`) on the same day.
    pub fn same(
        &self,
        clinician: i64,
        athletes: &[DashboardAthlete],
        day: Date,
    ) -> Option<std::sync::Arc<KeptDashboard>> {
        let kept = self.kept.lock().unwrap_or_else(|e| e.into_inner()).get(&clinician).cloned()?;
        (kept.day == day && same_rows(&kept.athletes, athletes)).then_some(kept)
    }

    /// Keeps `rows`, made on `day` from `athletes` (read at dashboard version `version` or later, before the looks
    /// due at `now` were written), for this clinician's next view.
    pub fn keep(
        &self,
        clinician: i64,
        version: u64,
        day: Date,
        athletes: Vec<DashboardAthlete>,
        now: Timestamp,
        rows: std::sync::Arc<Vec<DashboardRow>>,
    ) -> std::sync::Arc<KeptDashboard> {
        let look_due = next_look_due(&athletes, now);
        self.put(clinician, KeptDashboard { version, day, look_due, athletes, rows, rendered: Default::default() })
    }

    /// Keeps the rows of `same` (found by [`KeptDashboards::same`] for `athletes`), rendered or not, again under
    /// `version`.
    pub fn keep_again(
        &self,
        clinician: i64,
        version: u64,
        same: &KeptDashboard,
        athletes: Vec<DashboardAthlete>,
        now: Timestamp,
    ) -> std::sync::Arc<KeptDashboard> {
        let look_due = next_look_due(&athletes, now);
        let (day, rows, rendered) = (same.day, same.rows.clone(), same.rendered.clone());
        self.put(clinician, KeptDashboard { version, day, look_due, athletes, rows, rendered })
    }

    /// A dashboard kept at a later version stays: two views at once may finish in either order.
    fn put(&self, clinician: i64, fresh: KeptDashboard) -> std::sync::Arc<KeptDashboard> {
        let fresh = std::sync::Arc::new(fresh);
        let mut kept = self.kept.lock().unwrap_or_else(|e| e.into_inner());
        if kept.get(&clinician).is_some_and(|k| k.version > fresh.version) {
            return fresh;
        }
        if kept.len() >= KEEP_DASHBOARDS && !kept.contains_key(&clinician) {
            kept.clear();
        }
        kept.insert(clinician, fresh.clone());
        fresh
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use runtall_store::accounts::AccountId;
    use std::sync::Arc;

    fn athlete(id: i64, last_look: Option<Timestamp>) -> DashboardAthlete {
        DashboardAthlete {
            id: AthleteId::new(id),
            account: AccountId::new(100 + id),
            name: format!("athlete {id}"),
            since: "2026-12-01T08:00:00Z".parse().expect("since"),
            revision: 1,
            last_visit: None,
            last_look,
        }
    }

    #[test]
    fn a_kept_dashboard_is_current_only_at_its_version_on_its_day_until_a_look_is_due() {
        let now: Timestamp = "2026-12-07T10:30:00Z".parse().expect("now");
        let day = attention_day(now);
        let min = |m: i64| now + jiff::SignedDuration::from_mins(m);
        let kept = KeptDashboards::default();
        // Ana was looked at 40 minutes ago (not due now, due in 20 minutes); Ben is due now, so this view looks.
        let athletes = vec![athlete(1, Some(min(-40))), athlete(2, None)];
        kept.keep(7, 5, day, athletes.clone(), now, Arc::new(Vec::new()));
        assert!(kept.current(7, 5, day, min(19)).is_some(), "same version, day, no look due");
        assert!(kept.current(7, 6, day, min(1)).is_none(), "the version moved");
        assert!(kept.current(7, 5, day, min(20)).is_none(), "Ana's hourly look is due");
        assert!(kept.current(7, 5, day.tomorrow().expect("tomorrow"), min(1)).is_none(), "another day");
        assert!(kept.current(8, 5, day, min(1)).is_none(), "another clinician");

        // Kept again at a later version with the same rows; an older version does not replace it.
        let same = kept.same(7, &athletes, day).expect("same state");
        kept.keep_again(7, 9, &same, athletes.clone(), now);
        kept.keep(7, 8, day, athletes, now, Arc::new(Vec::new()));
        assert!(kept.current(7, 9, day, min(1)).is_some() && kept.current(7, 8, day, min(1)).is_none());
    }
}
