//! What a clinician's dashboard asks of one athlete's journal: the signals the attention rule
//! (`runtall_domain::clinic::attention`) ranks, gathered with the same outcome measures the runner's own progress
//! page uses, and the dashboard's order over many athletes.

use crate::Result;
use crate::experiments::history;
use crate::progress::{EscalationReason, progress_in};
use jiff::Timestamp;
use jiff::civil::Date;
use jiff::tz::TimeZone;
use runtall_domain::clinic::attention::{self, AdherenceNow, Attention, FlagSeen, PainNow, SeeAPt, Signals};
use runtall_domain::clinic::{AuditEntry, Comment, CommentOn, ProgramChange};
use runtall_insights::measures::ChangeCategory;
use runtall_store::{AthleteId, Store};
use serde::Serialize;

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
    let mut s = Signals::default();
    for screen in store.screenings()? {
        if screen.taken_at < since || screen.taken_at > now {
            continue;
        }
        if let Some(level) = screen.outcome.level {
            s.flags.push(FlagSeen {
                at: screen.taken_at,
                level,
                answers: screen.outcome.triggered.iter().map(|f| f.short.clone()).collect(),
            });
        }
    }
    if store.latest_assessment()?.is_some() {
        let p = progress_in(store, today, tz)?;
        if let Some(current) = p.pain.current {
            s.pain = Some(PainNow {
                baseline: p.pain.baseline,
                current,
                change_percent: p.pain.change_percent,
                meaningfully_worse: p.pain.category == ChangeCategory::MeaningfullyWorse,
            });
        }
        s.see_a_pt =
            p.escalation.map(|e| SeeAPt { because_worse: e.reason == EscalationReason::Worse, weeks: e.weeks });
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
    for past in history(store)? {
        if past.experiment.stopped.is_some_and(|d| d >= since_day) {
            s.experiments_finished.push(past.experiment.design.factor.label().to_string());
        }
    }
    Ok(s)
}

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

/// What became of a clinician's program change: whether it was new (a sync or a double click may send it again),
/// and what the safety gate made of it, for the clinician to read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ChangeOutcome {
    pub new: bool,
    /// Why the gate keeps the change out (it is stored, and applies if the gate allows it later).
    pub refused: Option<String>,
    /// The dose was applied only up to the program's limits.
    pub capped: Option<String>,
}

/// Stores a clinician's program change and reports how the gate applies it as of `now`.
pub fn change_program(
    program: &runtall_domain::content::Program,
    store: &dyn Store,
    change: &ProgramChange,
    now: Timestamp,
) -> Result<ChangeOutcome> {
    let new = store.add_program_change(change)?;
    let permissions = crate::safety::permissions_at(program, store, now)?;
    let find = |list: &[runtall_domain::safety::clinician::Refused]| {
        list.iter().find(|r| r.key == change.key).map(|r| r.reason.clone())
    };
    Ok(ChangeOutcome {
        new,
        refused: find(&permissions.clinician.refused),
        capped: find(&permissions.clinician.capped),
    })
}

/// A key for a new clinician record (`kind` is `pc` for program changes, `c` for comments): unique per account
/// and instant, with a counter for records made within the same microsecond by one process.
pub fn new_key(kind: &str, account: i64, at: Timestamp) -> String {
    static COUNTER: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let n = COUNTER.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    format!("{kind}-{account}-{}-{n}", at.as_microsecond())
}

/// A clinician's comments on one run (by its journal key), oldest first.
pub fn comments_on_run(store: &dyn Store, run_key: &str) -> Result<Vec<Comment>> {
    let mut all = store.comments()?;
    all.retain(|c| matches!(&c.on, CommentOn::Run { run } if run == run_key));
    Ok(all)
}

/// A clinician's comments on the weekly reports of weeks that overlap `[from, to]`, oldest first.
pub fn comments_on_reports(store: &dyn Store, from: Date, to: Date) -> Result<Vec<Comment>> {
    let mut all = store.comments()?;
    all.retain(|c| match &c.on {
        CommentOn::Report { week } => {
            *week <= to && week.checked_add(jiff::Span::new().days(6)).is_ok_and(|end| end >= from)
        }
        CommentOn::Run { .. } => false,
    });
    Ok(all)
}

/// The audit log's words for what a clinician did (the `action` of an [`AuditEntry`]).
pub mod actions {
    /// The dashboard read the athlete's signals (not a visit: the dashboard is not the athlete's page).
    pub const DASHBOARD: &str = "viewed-dashboard";
    /// The athlete's page: report summary, trends, runs, journal, program.
    pub const ATHLETE: &str = "viewed-athlete";
    pub const REPORT: &str = "viewed-report";
    pub const CHANGED_PROGRAM: &str = "changed-program";
    pub const COMMENTED: &str = "commented";
    /// The views that count as a visit: red flags and finished experiments before the last one are not news.
    pub const VISITS: [&str; 2] = [ATHLETE, REPORT];
}

/// When `account` last visited the athlete (opened their page or report), from the athlete's audit log.
pub fn last_visit(store: &dyn Store, account: i64) -> Result<Option<Timestamp>> {
    Ok(store.last_audit(account, &actions::VISITS)?)
}

/// The dashboard's look at an athlete is written at most this often per clinician: a dashboard left open and
/// reloaded would otherwise bury the athlete's log in identical lines (the first look of each hour is kept).
pub const DASHBOARD_AUDIT_EVERY: jiff::SignedDuration = jiff::SignedDuration::from_hours(1);

/// Writes `entry` (a dashboard look) unless the same clinician's last dashboard look at this athlete is less than
/// [`DASHBOARD_AUDIT_EVERY`] old; returns whether it was written.
pub fn record_dashboard_look(store: &dyn Store, entry: &AuditEntry) -> Result<bool> {
    if let Some(last) = store.last_audit(entry.actor_account, &[actions::DASHBOARD])?
        && entry.at.duration_since(last) < DASHBOARD_AUDIT_EVERY
    {
        return Ok(false);
    }
    store.add_audit(entry)?;
    Ok(true)
}

/// One dashboard row for the athlete of `store`: attention since the clinician's last visit (or since the athlete
/// started sharing, `linked_since`), read before this look is written to the audit log.
pub fn dashboard_row(
    store: &dyn Store,
    cache: &AttentionCache,
    name: &str,
    account: i64,
    linked_since: Timestamp,
    now: Timestamp,
) -> Result<DashboardRow> {
    let last_visit = last_visit(store, account)?;
    let attention = cache.attention(store, now, last_visit.unwrap_or(linked_since))?;
    Ok(DashboardRow { athlete: store.athlete_id(), name: name.to_string(), last_visit, attention })
}

/// The Monday of `day`'s week: the week a report comment is about.
pub fn week_of(day: Date) -> Date {
    crate::progress::monday(day)
}

/// The attention of one athlete kept between dashboard views: computing it reads the whole journal (the pain
/// trend, adherence, experiments), while the answer changes only when the journal does, when the day turns (the
/// trend's window moves) or for another "since" (another clinician, or a new visit). A few "since"s are kept, one
/// per clinician who looked recently.
#[derive(Default)]
pub struct AttentionCache {
    kept: std::sync::Mutex<Vec<(AttentionKey, Attention)>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct AttentionKey {
    revision: u64,
    day: Date,
    since: Timestamp,
}

/// "Since"s kept per athlete: the clinicians who follow one athlete are few.
const ATTENTION_KEEP: usize = 4;

impl AttentionCache {
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
        let fresh = attention_in(store, now, since, &tz)?;
        let mut kept = self.kept.lock().unwrap_or_else(|e| e.into_inner());
        kept.retain(|(k, _)| k.since != since);
        if kept.len() >= ATTENTION_KEEP {
            kept.remove(0);
        }
        kept.push((key, fresh.clone()));
        Ok(fresh)
    }
}
