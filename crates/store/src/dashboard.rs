//! What a clinician's dashboard reads and writes across the athletes they follow, as one statement each way.
//!
//! The per-athlete [`Store`](crate::Store) answers for one athlete at a time, which at a hundred athletes per
//! dashboard is three hundred statements (on PostgreSQL three hundred transactions, each naming its athlete for
//! row-level security). [`Dashboards`] answers the dashboard's questions for all of one clinician's athletes at
//! once: who they are, each one's journal revision (whether the attention kept in memory is still true), and this
//! clinician's last visit and last dashboard look (from the audit log). It never returns journal content, and only
//! ever the athletes that clinician follows now.

use crate::accounts::AccountId;
use crate::{AthleteId, Result};
use jiff::Timestamp;
use runtall_domain::clinic::AuditEntry;

/// One athlete a clinician follows, as the dashboard needs it before touching the athlete's own records.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct DashboardAthlete {
    pub id: AthleteId,
    /// The athlete's account.
    pub account: AccountId,
    pub name: String,
    /// When the athlete accepted this clinician's invitation.
    pub since: Timestamp,
    /// The athlete's journal revision (see [`Store::journal_revision`](crate::Store::journal_revision)).
    pub revision: u64,
    /// The newest audit entry of this clinician at this athlete with one of the visit actions.
    pub last_visit: Option<Timestamp>,
    /// The newest audit entry of this clinician at this athlete with the dashboard-look action.
    pub last_look: Option<Timestamp>,
}

/// The dashboard's reads and writes across the athletes one clinician follows. Each method is one statement or
/// one transaction.
pub trait Dashboards {
    /// Every athlete `clinician` follows now (a revoked link is gone at once), by name, each with their journal
    /// revision and this clinician's last entries in their audit log: `last_visit` the newest with an action in
    /// `visits`, `last_look` the newest with the action `look`. Nothing about athletes the clinician does not
    /// follow; an account that is not a clinician's follows nobody.
    fn dashboard_state(&self, clinician: AccountId, visits: &[&str], look: &str) -> Result<Vec<DashboardAthlete>>;

    /// Adds each entry to its athlete's audit log, all in one transaction (a dashboard's looks at its athletes):
    /// either every entry is kept or none is.
    fn add_audit_entries(&self, entries: &[(AthleteId, AuditEntry)]) -> Result<()>;

    /// Adds a dashboard's looks (`entries`, each by `clinician`) as [`Dashboards::add_audit_entries`] does, and
    /// returns the clinician's dashboard version just before them and just after them, as seen by their own
    /// transaction. Each look moves the version; when `before` is the version a dashboard's state was read at,
    /// nothing else moved it in between, and that dashboard holds at `after`.
    fn add_dashboard_looks(&self, clinician: AccountId, entries: &[(AthleteId, AuditEntry)]) -> Result<(u64, u64)>;

    /// A number that moves, in the same transaction, with every write that can change what `dashboard_state` returns
    /// for `clinician` (a followed athlete's journal revision, a link made or ended, a followed athlete's account
    /// renamed or deleted, an audit entry by this clinician at an athlete they follow), whoever writes it; writes
    /// about athletes the clinician does not follow leave it alone. One primary-key read: a dashboard kept at this
    /// version may be shown again without reading its state. 0 for a clinician who never followed anyone.
    fn dashboard_version(&self, clinician: AccountId) -> Result<u64>;

    /// The clinicians who follow at least one athlete, for work done ahead of their dashboards.
    fn clinicians_following(&self) -> Result<Vec<AccountId>>;
}
