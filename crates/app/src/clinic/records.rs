//! A clinician's records as the pages store and read them: a program change with what the gate made of it, new
//! keys, comments on a run or a report week.

use crate::Result;
use jiff::Timestamp;
use jiff::civil::Date;
use runtall_domain::clinic::{AuditEntry, Comment, CommentOn, ProgramChange};
use runtall_store::dashboard::Dashboards;
use runtall_store::{AthleteId, Store};
use serde::Serialize;

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

/// Writes one line to the athlete's audit log: which clinician looked at or changed what, and when. Every clinician
/// page that reads or changes an athlete's records writes one, so the athlete can see who saw what.
pub fn audit(store: &dyn Store, entry: &AuditEntry) -> Result<()> {
    Ok(store.add_audit(entry)?)
}

/// Writes clinicians' looks at any athletes in one transaction, all or none: a clinic server gathers the entries
/// of concurrent views and writes them together, one write transaction for many views.
pub fn audit_together(dashboards: &dyn Dashboards, entries: &[(AthleteId, AuditEntry)]) -> Result<()> {
    Ok(dashboards.add_audit_entries(entries)?)
}

/// Stores a clinician's (checked) comment and the audit line that tells the athlete; whether it was new.
pub fn comment(store: &dyn Store, comment: &Comment, entry: &AuditEntry) -> Result<bool> {
    let new = store.add_comment(comment)?;
    store.add_audit(entry)?;
    Ok(new)
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

/// The Monday of `day`'s week: the week a report comment is about.
pub fn week_of(day: Date) -> Date {
    crate::progress::monday(day)
}
