//! [`Dashboards`] on SQLite: one query over the links, the accounts, the journal revisions and the audit log.

use super::{SqliteDatabase, write_tx};
use crate::accounts::AccountId;
use crate::columns::{from_micros, micros, parse_ts};
use crate::dashboard::{DashboardAthlete, Dashboards};
use crate::{AthleteId, Result};
use runtall_domain::clinic::AuditEntry;
use rusqlite::types::Value;
use rusqlite::{OptionalExtension, params};

/// This clinician's newest audit entry of one action at the linked athlete: one seek on `audit_log_actor`.
const NEWEST: &str = "(SELECT g.at_us FROM audit_log g
     WHERE g.athlete_id = l.athlete_id AND g.actor_account = ?1 AND g.action = ?
     ORDER BY g.at_us DESC LIMIT 1)";

impl Dashboards for SqliteDatabase {
    fn dashboard_state(&self, clinician: AccountId, visits: &[&str], look: &str) -> Result<Vec<DashboardAthlete>> {
        // One column per action (the look first): each is a single index seek, where one subquery over all the
        // visit actions would read every visit this clinician ever made to the athlete.
        let mut columns = String::new();
        for _ in 0..=visits.len() {
            columns.push_str(", ");
            columns.push_str(NEWEST);
        }
        let sql = format!(
            "SELECT l.athlete_id, a.id, a.name, l.since, r.n{columns}
             FROM clinician_links l
             JOIN accounts a ON a.athlete_id = l.athlete_id
             JOIN journal_revision r ON r.athlete_id = l.athlete_id
             WHERE l.clinician_id = ?1 ORDER BY a.name, l.athlete_id"
        );
        let mut values = vec![Value::Integer(clinician.get()), Value::Text(look.to_string())];
        values.extend(visits.iter().map(|v| Value::Text(v.to_string())));
        let conn = self.conn();
        let mut stmt = conn.prepare_cached(&sql).map_err(|e| self.err(e))?;
        let mut rows = stmt.query(rusqlite::params_from_iter(values)).map_err(|e| self.err(e))?;
        let mut out = Vec::new();
        while let Some(r) = rows.next().map_err(|e| self.err(e))? {
            let athlete: i64 = r.get(0).map_err(|e| self.err(e))?;
            let since: String = r.get(3).map_err(|e| self.err(e))?;
            let revision: i64 = r.get(4).map_err(|e| self.err(e))?;
            let look: Option<i64> = r.get(5).map_err(|e| self.err(e))?;
            let mut visit: Option<i64> = None;
            for i in 0..visits.len() {
                visit = visit.max(r.get::<_, Option<i64>>(6 + i).map_err(|e| self.err(e))?);
            }
            out.push(DashboardAthlete {
                id: AthleteId::new(athlete),
                account: AccountId::new(r.get(1).map_err(|e| self.err(e))?),
                name: r.get(2).map_err(|e| self.err(e))?,
                since: parse_ts(&since, "clinician link", athlete)?,
                revision: u64::try_from(revision).unwrap_or(0),
                last_visit: visit.map(|us| from_micros(us, "audit entry", athlete)).transpose()?,
                last_look: look.map(|us| from_micros(us, "audit entry", athlete)).transpose()?,
            });
        }
        Ok(out)
    }

    fn add_audit_entries(&self, entries: &[(AthleteId, AuditEntry)]) -> Result<()> {
        if entries.is_empty() {
            return Ok(());
        }
        let conn = self.conn();
        let tx = write_tx(&conn).map_err(|e| self.err(e))?;
        self.insert_audit(&tx, entries)?;
        tx.commit().map_err(|e| self.err(e))
    }

    fn add_dashboard_looks(&self, clinician: AccountId, entries: &[(AthleteId, AuditEntry)]) -> Result<(u64, u64)> {
        // The write transaction holds SQLite's one write lock from its start, so no other writer moves the version
        // between the two reads.
        let conn = self.conn();
        let tx = write_tx(&conn).map_err(|e| self.err(e))?;
        let before = self.version_in(&tx, clinician)?;
        self.insert_audit(&tx, entries)?;
        let after = self.version_in(&tx, clinician)?;
        tx.commit().map_err(|e| self.err(e))?;
        Ok((before, after))
    }

    fn dashboard_version(&self, clinician: AccountId) -> Result<u64> {
        self.version_in(&self.conn(), clinician)
    }

    fn clinicians_following(&self) -> Result<Vec<AccountId>> {
        let conn = self.conn();
        let mut stmt = conn
            .prepare_cached("SELECT DISTINCT clinician_id FROM clinician_links ORDER BY clinician_id")
            .map_err(|e| self.err(e))?;
        let rows = stmt.query_map([], |r| r.get::<_, i64>(0)).map_err(|e| self.err(e))?;
        rows.map(|r| r.map(AccountId::new).map_err(|e| self.err(e))).collect()
    }
}

impl SqliteDatabase {
    fn version_in(&self, conn: &rusqlite::Connection, clinician: AccountId) -> Result<u64> {
        let mut stmt = conn
            .prepare_cached("SELECT version FROM clinician_dashboard WHERE clinician_id = ?1")
            .map_err(|e| self.err(e))?;
        let version: Option<i64> =
            stmt.query_row([clinician.get()], |r| r.get(0)).optional().map_err(|e| self.err(e))?;
        Ok(version.map_or(0, |v| u64::try_from(v).unwrap_or(0)))
    }

    fn insert_audit(&self, tx: &rusqlite::Transaction<'_>, entries: &[(AthleteId, AuditEntry)]) -> Result<()> {
        {
            let mut insert = tx
                .prepare_cached(
                    "INSERT INTO audit_log (athlete_id, at_us, actor_account, actor_name, action, detail)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                )
                .map_err(|e| self.err(e))?;
            for (athlete, e) in entries {
                insert
                    .execute(params![athlete.get(), micros(e.at), e.actor_account, e.actor_name, e.action, e.detail])
                    .map_err(|e| self.err(e))?;
            }
        }
        Ok(())
    }
}
