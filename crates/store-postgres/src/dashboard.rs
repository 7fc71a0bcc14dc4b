//! [`Dashboards`] on PostgreSQL. The dashboard's read spans many athletes, which row-level security keeps the
//! application role from doing in one transaction: it calls `runtall_dashboard_state` (migration step 5), a
//! function that runs as the tables' owner and confines itself to the clinician's current links. The batched audit
//! write stays under row-level security: one statement per athlete that names the athlete and writes their entries
//! (see `AUDIT_INSERT`), in one transaction when the batch holds several athletes.

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
        let groups = by_athlete(entries);
        if let [only] = groups.as_slice() {
            // One athlete's entries: one statement, which is its own transaction (one round trip).
            conn.execute(AUDIT_INSERT, &only.params()).map_err(|e| self.err(e))?;
            return Ok(());
        }
        let mut tx = AthleteTx::begin(&mut conn, entries[0].0.get()).map_err(|e| self.err(e))?;
        for group in &groups {
            tx.execute(AUDIT_INSERT, &group.params()).map_err(|e| self.err(e))?;
        }
        tx.commit().map_err(|e| self.err(e))
    }

    fn add_dashboard_looks(&self, clinician: AccountId, entries: &[(AthleteId, AuditEntry)]) -> Result<(u64, u64)> {
        let mut conn = self.conn()?;
        // Names the first entry's athlete (or nobody's: an athlete id of 0 is no athlete's).
        let first = entries.first().map_or(0, |(a, _)| a.get());
        let mut tx = AthleteTx::begin(&mut conn, first).map_err(|e| self.err(e))?;
        for group in &by_athlete(entries) {
            tx.execute(AUDIT_INSERT, &group.params()).map_err(|e| self.err(e))?;
        }
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

/// Audit entries of one athlete into that athlete's log, in one statement that names the athlete for row-level
/// security itself: the `MATERIALIZED` step runs `set_config('app.athlete_id', $1, true)` and the rows written take
/// their `athlete_id` from what it returns, so no row exists before the naming ran, and the policy's check of each
/// row (`WITH CHECK`, evaluated as the row is written) sees that athlete. Written like any other write, under the
/// policies; the naming lasts until the transaction ends (this statement's own when sent alone). The entries come
/// as arrays, in order.
const AUDIT_INSERT: &str = "
    WITH named AS MATERIALIZED (SELECT set_config('app.athlete_id', $1::TEXT, true) AS athlete)
    INSERT INTO audit_log (athlete_id, at_us, actor_account, actor_name, action, detail)
    SELECT named.athlete::BIGINT, e.at_us, e.actor_account, e.actor_name, e.action, e.detail
      FROM named, unnest($2::BIGINT[], $3::BIGINT[], $4::TEXT[], $5::TEXT[], $6::TEXT[])
                  WITH ORDINALITY AS e (at_us, actor_account, actor_name, action, detail, n)
     ORDER BY e.n";

/// One athlete's consecutive entries of a batch, as the arrays of [`AUDIT_INSERT`].
struct AuditGroup<'a> {
    athlete: String,
    at_us: Vec<i64>,
    actors: Vec<i64>,
    names: Vec<&'a str>,
    actions: Vec<&'a str>,
    details: Vec<&'a str>,
}

impl AuditGroup<'_> {
    fn params(&self) -> [&(dyn postgres::types::ToSql + Sync); 6] {
        [&self.athlete, &self.at_us, &self.actors, &self.names, &self.actions, &self.details]
    }
}

/// The batch in runs of one athlete's entries, in the batch's order.
fn by_athlete(entries: &[(AthleteId, AuditEntry)]) -> Vec<AuditGroup<'_>> {
    let mut groups: Vec<AuditGroup<'_>> = Vec::new();
    let mut last = None;
    for (athlete, e) in entries {
        if last != Some(*athlete) {
            groups.push(AuditGroup {
                athlete: athlete.get().to_string(),
                at_us: Vec::new(),
                actors: Vec::new(),
                names: Vec::new(),
                actions: Vec::new(),
                details: Vec::new(),
            });
            last = Some(*athlete);
        }
        if let Some(g) = groups.last_mut() {
            g.at_us.push(micros(e.at));
            g.actors.push(e.actor_account);
            g.names.push(&e.actor_name);
            g.actions.push(&e.action);
            g.details.push(&e.detail);
        }
    }
    groups
}

/// The clinician's dashboard version.
const VERSION: &str = "SELECT version FROM clinician_dashboard WHERE clinician_id = $1";

/// The clinician's dashboard version as the transaction sees it.
fn version_of(tx: &mut AthleteTx<'_>, clinician: AccountId) -> std::result::Result<u64, postgres::Error> {
    let row = tx.query_opt(VERSION, &[&clinician.get()])?;
    Ok(row.map_or(0, |r| u64::try_from(r.get::<_, i64>(0)).unwrap_or(0)))
}
