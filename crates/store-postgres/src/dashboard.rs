//! [`Dashboards`] on PostgreSQL. The dashboard's read spans many athletes, which row-level security keeps the
//! application role from doing in one transaction: it calls `runtall_dashboard_state` (migration step 5), a
//! function that runs as the tables' owner and confines itself to the clinician's current links. The batched audit
//! write stays under row-level security: one transaction that names each athlete before writing their entry.

use crate::PgDatabase;
use crate::athlete_tx::AthleteTx;
use runtall_domain::clinic::AuditEntry;
use runtall_store::accounts::AccountId;
use runtall_store::columns::{from_micros, micros, parse_ts};
use runtall_store::dashboard::{DashboardAthlete, Dashboards};
use runtall_store::{AthleteId, Result};

impl Dashboards for PgDatabase {
    fn dashboard_state(&self, clinician: AccountId, visits: &[&str], look: &str) -> Result<Vec<DashboardAthlete>> {
        let visits: Vec<&str> = visits.to_vec();
        let rows = self
            .conn()?
            .query(
                "SELECT athlete_id, account_id, name, since, revision, last_visit_us, last_look_us
                 FROM runtall_dashboard_state($1, $2, $3)",
                &[&clinician.get(), &visits, &look],
            )
            .map_err(|e| self.err(e))?;
        rows.iter()
            .map(|r| {
                let athlete: i64 = r.get(0);
                let at = |us: Option<i64>| us.map(|us| from_micros(us, "audit entry", athlete)).transpose();
                Ok(DashboardAthlete {
                    id: AthleteId::new(athlete),
                    account: AccountId::new(r.get(1)),
                    name: r.get(2),
                    since: parse_ts(r.get(3), "clinician link", athlete)?,
                    revision: u64::try_from(r.get::<_, i64>(4)).unwrap_or(0),
                    last_visit: at(r.get(5))?,
                    last_look: at(r.get(6))?,
                })
            })
            .collect()
    }

    fn add_audit_entries(&self, entries: &[(AthleteId, AuditEntry)]) -> Result<()> {
        if entries.is_empty() {
            return Ok(());
        }
        let mut conn = self.conn()?;
        let mut tx = AthleteTx::begin(&mut conn, entries[0].0.get()).map_err(|e| self.err(e))?;
        self.insert_audit(&mut tx, entries)?;
        tx.commit().map_err(|e| self.err(e))
    }

    fn add_dashboard_looks(&self, clinician: AccountId, entries: &[(AthleteId, AuditEntry)]) -> Result<(u64, u64)> {
        let mut conn = self.conn()?;
        // Names the first entry's athlete (or nobody's: an athlete id of 0 is no athlete's).
        let first = entries.first().map_or(0, |(a, _)| a.get());
        let mut tx = AthleteTx::begin(&mut conn, first).map_err(|e| self.err(e))?;
        self.insert_audit(&mut tx, entries)?;
        // The application role may not lock the counter row itself (it only reads it), but the first look that
        // moved it took the row's lock for this transaction, so after the inserts nobody else can move it until the
        // commit. "Before" is then "after" less the moves of these looks: one per entry by this clinician at an
        // athlete they follow (links changed by others wait on the same lock, so this transaction's view of them
        // is the one its triggers saw). With no move at all, no lock is held, and both are the one read.
        let after = version_of(&mut tx, clinician).map_err(|e| self.err(e))?;
        let athletes: Vec<i64> = entries.iter().map(|(a, _)| a.get()).collect();
        let linked: Vec<i64> = tx
            .query(
                "SELECT athlete_id FROM clinician_links WHERE clinician_id = $1 AND athlete_id = ANY($2)",
                &[&clinician.get(), &athletes],
            )
            .map_err(|e| self.err(e))?
            .iter()
            .map(|r| r.get(0))
            .collect();
        let moves =
            entries.iter().filter(|(a, e)| e.actor_account == clinician.get() && linked.contains(&a.get())).count()
                as u64;
        tx.commit().map_err(|e| self.err(e))?;
        Ok((after.saturating_sub(moves), after))
    }

    fn dashboard_version(&self, clinician: AccountId) -> Result<u64> {
        // Read on every dashboard view: a statement the connection keeps prepared, so one round trip.
        let row = self.conn()?.query_opt(VERSION, &[&clinician.get()]).map_err(|e| self.err(e))?;
        Ok(row.map_or(0, |r| u64::try_from(r.get::<_, i64>(0)).unwrap_or(0)))
    }

    fn clinicians_following(&self) -> Result<Vec<AccountId>> {
        let rows = self
            .conn()?
            .query("SELECT DISTINCT clinician_id FROM clinician_links ORDER BY clinician_id", &[])
            .map_err(|e| self.err(e))?;
        Ok(rows.iter().map(|r| AccountId::new(r.get(0))).collect())
    }
}

impl PgDatabase {
    /// Each entry into its athlete's audit log, named for row-level security like any other write. `tx` names the
    /// first entry's athlete.
    fn insert_audit(&self, tx: &mut AthleteTx<'_>, entries: &[(AthleteId, AuditEntry)]) -> Result<()> {
        let mut named = entries.first().map(|(a, _)| *a);
        for (athlete, e) in entries {
            // Each entry is written as its athlete: the policy checks it like any other write.
            if named != Some(*athlete) {
                tx.name(athlete.get()).map_err(|e| self.err(e))?;
                named = Some(*athlete);
            }
            tx.execute(
                "INSERT INTO audit_log (athlete_id, at_us, actor_account, actor_name, action, detail)
                 VALUES ($1, $2, $3, $4, $5, $6)",
                &[&athlete.get(), &micros(e.at), &e.actor_account, &e.actor_name, &e.action, &e.detail],
            )
            .map_err(|e| self.err(e))?;
        }
        Ok(())
    }
}

/// The clinician's dashboard version.
const VERSION: &str = "SELECT version FROM clinician_dashboard WHERE clinician_id = $1";

/// The clinician's dashboard version as the transaction sees it.
fn version_of(tx: &mut AthleteTx<'_>, clinician: AccountId) -> std::result::Result<u64, postgres::Error> {
    let row = tx.query_opt(VERSION, &[&clinician.get()])?;
    Ok(row.map_or(0, |r| u64::try_from(r.get::<_, i64>(0)).unwrap_or(0)))
}
