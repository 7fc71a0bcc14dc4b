//! [`Accounts`] on SQLite: the clinic server on one machine, in the same file as the athletes' records.

use super::{SqliteDatabase, insert_athlete, write_tx};
use crate::accounts::{
    Acceptance, Account, AccountId, Accounts, ClinicianView, Device, LinkedAthlete, LinkedClinician, Purged, Role,
    SessionInfo, SignedIn, email_key, last_seen_is_stale, plain_action,
};
use crate::columns::{from_micros, parse_ts, ts};
use crate::{AthleteId, Result, StoreError};
use jiff::Timestamp;
use rusqlite::types::Value;
use rusqlite::{Connection, ErrorCode, OptionalExtension, Row, params};

const ACCOUNT_COLUMNS: &str = "id, email, name, role, athlete_id";

fn account_row(r: &Row<'_>) -> rusqlite::Result<(i64, String, String, String, Option<i64>)> {
    Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
}

fn to_account((id, email, name, role, athlete): (i64, String, String, String, Option<i64>)) -> Result<Account> {
    let role = Role::parse(&role).ok_or(StoreError::Decode { what: "account", id, detail: format!("role {role}") })?;
    Ok(Account { id: AccountId::new(id), email, name, role, athlete: athlete.map(AthleteId::new) })
}

fn opt_ts(text: Option<String>, what: &'static str, id: i64) -> Result<Option<Timestamp>> {
    text.map(|t| parse_ts(&t, what, id)).transpose()
}

fn is_unique_violation(e: &rusqlite::Error) -> bool {
    matches!(e, rusqlite::Error::SqliteFailure(f, _) if f.code == ErrorCode::ConstraintViolation)
}

impl SqliteDatabase {
    fn one_account(&self, conn: &Connection, id: i64) -> Result<Option<Account>> {
        conn.prepare_cached(&format!("SELECT {ACCOUNT_COLUMNS} FROM accounts WHERE id = ?1"))
            .and_then(|mut s| s.query_row([id], account_row).optional())
            .map_err(|e| self.err(e))?
            .map(to_account)
            .transpose()
    }
}

impl Accounts for SqliteDatabase {
    fn create_account(&self, email: &str, name: &str, role: Role, password: Option<&str>) -> Result<Account> {
        let conn = self.conn();
        let tx = write_tx(&conn).map_err(|e| self.err(e))?;
        let athlete = match role {
            Role::Athlete => Some(insert_athlete(&tx, name).map_err(|e| self.err(e))?),
            Role::Clinician => None,
        };
        let inserted = tx.execute(
            "INSERT INTO accounts (email, email_key, name, role, password, athlete_id, created_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            params![email.trim(), email_key(email), name, role.as_str(), password, athlete, ts(Timestamp::now())],
        );
        match inserted {
            Err(e) if is_unique_violation(&e) => return Err(StoreError::Exists { what: "an account with this email" }),
            other => other.map_err(|e| self.err(e))?,
        };
        let id = tx.last_insert_rowid();
        tx.commit().map_err(|e| self.err(e))?;
        Ok(Account {
            id: AccountId::new(id),
            email: email.trim().to_string(),
            name: name.to_string(),
            role,
            athlete: athlete.map(AthleteId::new),
        })
    }

    fn account(&self, id: AccountId) -> Result<Option<Account>> {
        self.one_account(&self.conn(), id.get())
    }

    fn account_by_email(&self, email: &str) -> Result<Option<(Account, Option<String>)>> {
        let conn = self.conn();
        let row = conn
            .query_row(
                &format!("SELECT {ACCOUNT_COLUMNS}, password FROM accounts WHERE email_key = ?1"),
                [email_key(email)],
                |r| Ok((account_row(r)?, r.get::<_, Option<String>>(5)?)),
            )
            .optional()
            .map_err(|e| self.err(e))?;
        row.map(|(a, p)| Ok((to_account(a)?, p))).transpose()
    }

    fn password_of(&self, id: AccountId) -> Result<Option<String>> {
        let found: Option<Option<String>> = self
            .conn()
            .query_row("SELECT password FROM accounts WHERE id = ?1", [id.get()], |r| r.get(0))
            .optional()
            .map_err(|e| self.err(e))?;
        Ok(found.flatten())
    }

    fn set_password(&self, id: AccountId, password: &str) -> Result<()> {
        let n = self
            .conn()
            .execute("UPDATE accounts SET password = ?2 WHERE id = ?1", params![id.get(), password])
            .map_err(|e| self.err(e))?;
        if n == 0 {
            return Err(StoreError::NotFound { what: "account", id: id.get() });
        }
        Ok(())
    }

    fn delete_account(&self, id: AccountId) -> Result<bool> {
        let conn = self.conn();
        let tx = write_tx(&conn).map_err(|e| self.err(e))?;
        let athlete: Option<Option<i64>> = tx
            .query_row("SELECT athlete_id FROM accounts WHERE id = ?1", [id.get()], |r| r.get(0))
            .optional()
            .map_err(|e| self.err(e))?;
        let Some(athlete) = athlete else { return Ok(false) };
        (|| {
            if let Some(athlete) = athlete {
                tx.execute("DELETE FROM clinician_links WHERE athlete_id = ?1", [athlete])?;
                tx.execute("UPDATE athletes SET name = '' WHERE id = ?1", [athlete])?;
            }
            // Sessions, devices, invitations, reset codes and a clinician's links go with the account (cascade).
            tx.execute("DELETE FROM accounts WHERE id = ?1", [id.get()])?;
            tx.commit()
        })()
        .map_err(|e| self.err(e))?;
        Ok(true)
    }

    fn add_session(&self, token_hash: &str, account: AccountId, now: Timestamp, expires_at: Timestamp) -> Result<()> {
        let conn = self.conn();
        let tx = write_tx(&conn).map_err(|e| self.err(e))?;
        (|| {
            // The account's expired sessions go as a new one starts, so the table holds live sessions only.
            tx.execute(
                "DELETE FROM account_sessions WHERE account_id = ?1 AND expires_epoch <= ?2",
                params![account.get(), now.as_second()],
            )?;
            tx.execute(
                "INSERT INTO account_sessions (token_hash, account_id, created_at, last_seen, expires_epoch)
                 VALUES (?1, ?2, ?3, ?3, ?4)",
                params![token_hash, account.get(), ts(now), expires_at.as_second()],
            )?;
            tx.commit()
        })()
        .map_err(|e| self.err(e))
    }

    fn session(&self, token_hash: &str, now: Timestamp) -> Result<Option<SessionInfo>> {
        Ok(self.signed_in(token_hash, now)?.map(|s| s.session))
    }

    fn signed_in(&self, token_hash: &str, now: Timestamp) -> Result<Option<SignedIn>> {
        type Found = (i64, String, String, i64, (i64, String, String, String, Option<i64>), i64);
        let conn = self.conn();
        let row: Option<Found> = conn
            .prepare_cached(
                "SELECT s.account_id, s.created_at, s.last_seen, s.expires_epoch,
                        a.id, a.email, a.name, a.role, a.athlete_id,
                        coalesce((SELECT d.version FROM clinician_dashboard d WHERE d.clinician_id = a.id), 0)
                 FROM account_sessions s JOIN accounts a ON a.id = s.account_id
                 WHERE s.token_hash = ?1 AND s.expires_epoch > ?2",
            )
            .and_then(|mut s| {
                s.query_row(params![token_hash, now.as_second()], |r| {
                    Ok((
                        r.get(0)?,
                        r.get(1)?,
                        r.get(2)?,
                        r.get(3)?,
                        (r.get(4)?, r.get(5)?, r.get(6)?, r.get(7)?, r.get(8)?),
                        r.get(9)?,
                    ))
                })
                .optional()
            })
            .map_err(|e| self.err(e))?;
        let Some((account, created_at, last_seen, expires, row, version)) = row else { return Ok(None) };
        // Kept to the minute: every page view is a session look-up, and a write each time would take SQLite's one
        // write lock on every request of every user.
        let last_seen = parse_ts(&last_seen, "session", account)?;
        let last_seen = if last_seen_is_stale(last_seen, now) {
            conn.execute(
                "UPDATE account_sessions SET last_seen = ?2 WHERE token_hash = ?1",
                params![token_hash, ts(now)],
            )
            .map_err(|e| self.err(e))?;
            now
        } else {
            last_seen
        };
        Ok(Some(SignedIn {
            session: SessionInfo {
                account: AccountId::new(account),
                created_at: parse_ts(&created_at, "session", account)?,
                last_seen,
                expires_at: Timestamp::from_second(expires).unwrap_or(Timestamp::MAX),
            },
            account: to_account(row)?,
            dashboard_version: u64::try_from(version).unwrap_or(0),
        }))
    }

    fn delete_session(&self, token_hash: &str) -> Result<bool> {
        let n = self
            .conn()
            .execute("DELETE FROM account_sessions WHERE token_hash = ?1", [token_hash])
            .map_err(|e| self.err(e))?;
        Ok(n > 0)
    }

    fn delete_sessions_of(&self, account: AccountId) -> Result<usize> {
        self.conn()
            .execute("DELETE FROM account_sessions WHERE account_id = ?1", [account.get()])
            .map_err(|e| self.err(e))
    }

    fn add_invitation(
        &self,
        code_hash: &str,
        clinician: AccountId,
        now: Timestamp,
        expires_at: Timestamp,
    ) -> Result<()> {
        let conn = self.conn();
        match self.one_account(&conn, clinician.get())? {
            Some(a) if a.role == Role::Clinician => {}
            _ => return Err(StoreError::NotFound { what: "clinician", id: clinician.get() }),
        }
        conn.execute(
            "INSERT INTO invitations (code_hash, clinician_id, created_at, expires_epoch) VALUES (?1, ?2, ?3, ?4)",
            params![code_hash, clinician.get(), ts(now), expires_at.as_second()],
        )
        .map_err(|e| self.err(e))?;
        Ok(())
    }

    fn accept_invitation(&self, code_hash: &str, athlete_account: AccountId, now: Timestamp) -> Result<Acceptance> {
        let conn = self.conn();
        let tx = write_tx(&conn).map_err(|e| self.err(e))?;
        let outcome = (|| {
            let athlete: Option<i64> = tx
                .query_row(
                    "SELECT athlete_id FROM accounts WHERE id = ?1 AND role = 'athlete'",
                    [athlete_account.get()],
                    |r| r.get(0),
                )
                .optional()?;
            let clinician: Option<i64> = tx
                .query_row(
                    "SELECT clinician_id FROM invitations WHERE code_hash = ?1 AND used_by IS NULL AND used_at IS NULL
                     AND expires_epoch > ?2",
                    params![code_hash, now.as_second()],
                    |r| r.get(0),
                )
                .optional()?;
            let (Some(athlete), Some(clinician)) = (athlete, clinician) else { return Ok(Acceptance::Invalid) };
            tx.execute(
                "UPDATE invitations SET used_by = ?2, used_at = ?3 WHERE code_hash = ?1",
                params![code_hash, athlete_account.get(), ts(now)],
            )?;
            tx.execute(
                "INSERT INTO clinician_links (clinician_id, athlete_id, since) VALUES (?1, ?2, ?3)
                 ON CONFLICT (clinician_id, athlete_id) DO NOTHING",
                params![clinician, athlete, ts(now)],
            )?;
            tx.commit()?;
            Ok(Acceptance::Linked { clinician: AccountId::new(clinician) })
        })();
        outcome.map_err(|e: rusqlite::Error| self.err(e))
    }

    fn clinician_sees(&self, clinician: AccountId, athlete: AthleteId) -> Result<bool> {
        let found: Option<i64> = self
            .conn()
            .query_row(
                "SELECT 1 FROM clinician_links WHERE clinician_id = ?1 AND athlete_id = ?2",
                params![clinician.get(), athlete.get()],
                |r| r.get(0),
            )
            .optional()
            .map_err(|e| self.err(e))?;
        Ok(found.is_some())
    }

    fn link(&self, clinician: AccountId, athlete: AthleteId) -> Result<Option<LinkedAthlete>> {
        let found: Option<(i64, String, String)> = self
            .conn()
            .prepare_cached(
                "SELECT a.id, a.name, l.since FROM clinician_links l
                 JOIN accounts a ON a.athlete_id = l.athlete_id
                 WHERE l.clinician_id = ?1 AND l.athlete_id = ?2",
            )
            .and_then(|mut s| {
                s.query_row(params![clinician.get(), athlete.get()], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
                    .optional()
            })
            .map_err(|e| self.err(e))?;
        found
            .map(|(account, name, since)| {
                Ok(LinkedAthlete {
                    id: athlete,
                    account: AccountId::new(account),
                    name,
                    since: parse_ts(&since, "clinician link", athlete.get())?,
                })
            })
            .transpose()
    }

    fn clinician_view(
        &self,
        clinician: AccountId,
        athlete: AthleteId,
        visits: &[&str],
    ) -> Result<Option<ClinicianView>> {
        if let Some(odd) = visits.iter().find(|v| !plain_action(v)) {
            return Err(StoreError::Sql(format!("an audit action named {odd:?} cannot be looked up")));
        }
        // One column per action, each a single seek on `audit_log_actor` (as the dashboard's query).
        let mut columns = String::new();
        for i in 0..visits.len() {
            columns.push_str(&format!(
                ", (SELECT g.at_us FROM audit_log g
                    WHERE g.athlete_id = l.athlete_id AND g.actor_account = ?1 AND g.action = ?{}
                    ORDER BY g.at_us DESC LIMIT 1)",
                3 + i
            ));
        }
        let sql = format!(
            "SELECT a.id, a.name, l.since, r.n{columns}
             FROM clinician_links l
             JOIN accounts a ON a.athlete_id = l.athlete_id
             JOIN journal_revision r ON r.athlete_id = l.athlete_id
             WHERE l.clinician_id = ?1 AND l.athlete_id = ?2"
        );
        let mut values = vec![Value::Integer(clinician.get()), Value::Integer(athlete.get())];
        values.extend(visits.iter().map(|v| Value::Text(v.to_string())));
        let conn = self.conn();
        let mut stmt = conn.prepare_cached(&sql).map_err(|e| self.err(e))?;
        let found = stmt
            .query_row(rusqlite::params_from_iter(values), |r| {
                let mut visit: Option<i64> = None;
                for i in 0..visits.len() {
                    visit = visit.max(r.get::<_, Option<i64>>(4 + i)?);
                }
                Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?, r.get::<_, String>(2)?, r.get::<_, i64>(3)?, visit))
            })
            .optional()
            .map_err(|e| self.err(e))?;
        let Some((account, name, since, revision, visit)) = found else { return Ok(None) };
        Ok(Some(ClinicianView {
            link: LinkedAthlete {
                id: athlete,
                account: AccountId::new(account),
                name,
                since: parse_ts(&since, "clinician link", athlete.get())?,
            },
            revision: u64::try_from(revision).unwrap_or(0),
            last_visit: visit.map(|us| from_micros(us, "audit entry", athlete.get())).transpose()?,
        }))
    }

    fn athletes_of(&self, clinician: AccountId) -> Result<Vec<LinkedAthlete>> {
        let conn = self.conn();
        let mut stmt = conn
            .prepare(
                "SELECT l.athlete_id, a.id, a.name, l.since FROM clinician_links l
                 JOIN accounts a ON a.athlete_id = l.athlete_id
                 WHERE l.clinician_id = ?1 ORDER BY a.name, l.athlete_id",
            )
            .map_err(|e| self.err(e))?;
        let rows = stmt
            .query_map([clinician.get()], |r| {
                Ok((r.get::<_, i64>(0)?, r.get::<_, i64>(1)?, r.get::<_, String>(2)?, r.get::<_, String>(3)?))
            })
            .map_err(|e| self.err(e))?;
        let mut out = Vec::new();
        for row in rows {
            let (athlete, account, name, since) = row.map_err(|e| self.err(e))?;
            out.push(LinkedAthlete {
                id: AthleteId::new(athlete),
                account: AccountId::new(account),
                name,
                since: parse_ts(&since, "clinician link", athlete)?,
            });
        }
        Ok(out)
    }

    fn clinicians_of(&self, athlete: AthleteId) -> Result<Vec<LinkedClinician>> {
        let conn = self.conn();
        let mut stmt = conn
            .prepare(
                "SELECT a.id, a.name, a.email, l.since FROM clinician_links l
                 JOIN accounts a ON a.id = l.clinician_id
                 WHERE l.athlete_id = ?1 ORDER BY l.since, a.id",
            )
            .map_err(|e| self.err(e))?;
        let rows = stmt
            .query_map([athlete.get()], |r| {
                Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?, r.get::<_, String>(2)?, r.get::<_, String>(3)?))
            })
            .map_err(|e| self.err(e))?;
        let mut out = Vec::new();
        for row in rows {
            let (account, name, email, since) = row.map_err(|e| self.err(e))?;
            let since = parse_ts(&since, "clinician link", account)?;
            out.push(LinkedClinician { account: AccountId::new(account), name, email, since });
        }
        Ok(out)
    }

    fn revoke_link(&self, athlete: AthleteId, clinician: AccountId) -> Result<bool> {
        let n = self
            .conn()
            .execute(
                "DELETE FROM clinician_links WHERE athlete_id = ?1 AND clinician_id = ?2",
                params![athlete.get(), clinician.get()],
            )
            .map_err(|e| self.err(e))?;
        Ok(n > 0)
    }

    fn add_device(&self, token_hash: &str, account: AccountId, name: &str, now: Timestamp) -> Result<i64> {
        let conn = self.conn();
        match self.one_account(&conn, account.get())? {
            Some(a) if a.role == Role::Athlete => {}
            _ => return Err(StoreError::NotFound { what: "athlete account", id: account.get() }),
        }
        conn.execute(
            "INSERT INTO devices (token_hash, account_id, name, created_at) VALUES (?1, ?2, ?3, ?4)",
            params![token_hash, account.get(), name, ts(now)],
        )
        .map_err(|e| self.err(e))?;
        Ok(conn.last_insert_rowid())
    }

    fn device(&self, token_hash: &str) -> Result<Option<(AccountId, AthleteId)>> {
        let conn = self.conn();
        let found: Option<(i64, i64)> = conn
            .query_row(
                "SELECT a.id, a.athlete_id FROM devices d JOIN accounts a ON a.id = d.account_id
                 WHERE d.token_hash = ?1 AND a.athlete_id IS NOT NULL",
                [token_hash],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()
            .map_err(|e| self.err(e))?;
        let Some((account, athlete)) = found else { return Ok(None) };
        conn.execute(
            "UPDATE devices SET last_used = ?2 WHERE token_hash = ?1",
            params![token_hash, ts(Timestamp::now())],
        )
        .map_err(|e| self.err(e))?;
        Ok(Some((AccountId::new(account), AthleteId::new(athlete))))
    }

    fn devices(&self, account: AccountId) -> Result<Vec<Device>> {
        let conn = self.conn();
        let mut stmt = conn
            .prepare("SELECT id, name, created_at, last_used FROM devices WHERE account_id = ?1 ORDER BY id")
            .map_err(|e| self.err(e))?;
        let rows = stmt
            .query_map([account.get()], |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, Option<String>>(3)?,
                ))
            })
            .map_err(|e| self.err(e))?;
        let mut out = Vec::new();
        for row in rows {
            let (id, name, created_at, last_used) = row.map_err(|e| self.err(e))?;
            out.push(Device {
                id,
                name,
                created_at: parse_ts(&created_at, "device", id)?,
                last_used: opt_ts(last_used, "device", id)?,
            });
        }
        Ok(out)
    }

    fn revoke_device(&self, account: AccountId, id: i64) -> Result<bool> {
        let n = self
            .conn()
            .execute("DELETE FROM devices WHERE id = ?1 AND account_id = ?2", params![id, account.get()])
            .map_err(|e| self.err(e))?;
        Ok(n > 0)
    }

    fn add_reset_code(&self, code_hash: &str, account: AccountId, expires_at: Timestamp) -> Result<()> {
        let conn = self.conn();
        if self.one_account(&conn, account.get())?.is_none() {
            return Err(StoreError::NotFound { what: "account", id: account.get() });
        }
        conn.execute(
            "INSERT INTO reset_codes (code_hash, account_id, expires_epoch) VALUES (?1, ?2, ?3)",
            params![code_hash, account.get(), expires_at.as_second()],
        )
        .map_err(|e| self.err(e))?;
        Ok(())
    }

    fn use_reset_code(&self, code_hash: &str, now: Timestamp) -> Result<Option<AccountId>> {
        let conn = self.conn();
        let tx = write_tx(&conn).map_err(|e| self.err(e))?;
        let outcome = (|| {
            let account: Option<i64> = tx
                .query_row(
                    "SELECT account_id FROM reset_codes WHERE code_hash = ?1 AND used = 0 AND expires_epoch > ?2",
                    params![code_hash, now.as_second()],
                    |r| r.get(0),
                )
                .optional()?;
            let Some(account) = account else { return Ok(None) };
            tx.execute("UPDATE reset_codes SET used = 1 WHERE code_hash = ?1", [code_hash])?;
            tx.commit()?;
            Ok(Some(AccountId::new(account)))
        })();
        outcome.map_err(|e: rusqlite::Error| self.err(e))
    }

    fn purge_expired(&self, now: Timestamp) -> Result<Purged> {
        let conn = self.conn();
        let tx = write_tx(&conn).map_err(|e| self.err(e))?;
        let outcome = (|| {
            let now = now.as_second();
            let purged = Purged {
                sessions: tx.execute("DELETE FROM account_sessions WHERE expires_epoch <= ?1", [now])?,
                invitations: tx.execute("DELETE FROM invitations WHERE expires_epoch <= ?1", [now])?,
                reset_codes: tx.execute("DELETE FROM reset_codes WHERE expires_epoch <= ?1 OR used <> 0", [now])?,
            };
            tx.commit()?;
            Ok(purged)
        })();
        outcome.map_err(|e: rusqlite::Error| self.err(e))
    }
}
