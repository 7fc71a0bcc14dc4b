//! [`Accounts`] on PostgreSQL: the server-level tables of migration step 2, outside row-level security (see
//! `migrations::SERVER_TABLES`). The same rules as the SQLite implementation, held to the same suite
//! (`runtall_store_tests::accounts_suite!`).

use crate::{PgDatabase, insert_athlete};
use jiff::Timestamp;
use postgres::error::SqlState;
use postgres::types::Type;
use postgres::{GenericClient, Row, SimpleQueryMessage};
use runtall_store::accounts::{
    Acceptance, Account, AccountId, Accounts, ClinicianView, Device, LAST_SEEN_EVERY, LinkedAthlete, LinkedClinician,
    Purged, Role, SessionInfo, SignedIn, email_key, plain_action,
};
use runtall_store::columns::{from_micros, parse_ts, ts};
use runtall_store::{AthleteId, Result, StoreError};

const ACCOUNT_COLUMNS: &str = "id, email, name, role, athlete_id";

/// A live session, its account and the account's dashboard version, its `last_seen` written in the same statement when a minute or more old or ahead
/// of now (`$3` is now, `$4` a minute before; the text is cast to compare times, not characters). A session ended or
/// expired finds no row, whatever was seen before.
const SIGNED_IN: &str = "
    WITH s AS (
        SELECT token_hash, account_id, created_at, last_seen, expires_epoch FROM account_sessions
         WHERE token_hash = $1 AND expires_epoch > $2),
    seen AS (
        UPDATE account_sessions t SET last_seen = $3 FROM s
         WHERE t.token_hash = s.token_hash
           AND (s.last_seen::timestamptz <= $4::timestamptz OR s.last_seen::timestamptz > $3::timestamptz)
        RETURNING t.token_hash)
    SELECT s.account_id, s.created_at, s.last_seen, s.expires_epoch, EXISTS (SELECT 1 FROM seen),
           a.id, a.email, a.name, a.role, a.athlete_id,
           coalesce((SELECT d.version FROM clinician_dashboard d WHERE d.clinician_id = a.id), 0)
      FROM s JOIN accounts a ON a.id = s.account_id";

/// The read of [`Accounts::clinician_view`]: the link, the account's name, the journal revision and this clinician's
/// newest entry among the actions `$3` (the newest of each action's newest: one seek each on `audit_log_actor`),
/// read under the policies of the athlete the transaction names. The link is in the `WHERE`: with no link, no row
/// and nothing of the athlete's records comes back. Prepared with SQL's own `PREPARE` so that a simple query can
/// run it with `EXECUTE` (see [`clinician_view_sql`]).
const CLINICIAN_VIEW: (&str, &str) = (
    "runtall_clinician_view",
    "PREPARE runtall_clinician_view (BIGINT, BIGINT, TEXT[]) AS
     SELECT a.id, a.name, l.since, r.n,
            (SELECT max(v.at_us) FROM unnest($3) AS act (action),
                    LATERAL (SELECT g.at_us FROM audit_log g
                             WHERE g.athlete_id = l.athlete_id AND g.actor_account = $1 AND g.action = act.action
                             ORDER BY g.at_us DESC LIMIT 1) AS v)
       FROM clinician_links l
       JOIN accounts a ON a.athlete_id = l.athlete_id
       JOIN journal_revision r ON r.athlete_id = l.athlete_id
      WHERE l.clinician_id = $1 AND l.athlete_id = $2",
);

/// The two statements of [`Accounts::clinician_view`], sent as one simple query: PostgreSQL runs a query of several
/// statements as one transaction, so the first names the athlete for row-level security
/// (`set_config(…, true)` lasts until that transaction ends, so the pooled connection names nobody afterwards) and
/// the second runs [`CLINICIAN_VIEW`] under the policies: one round trip where `BEGIN`, naming, the statement and
/// `COMMIT` take three, and the read is planned once per connection, not on every view as a simple query's
/// statements are (profiled: 364 µs of planning against 93 µs of running, under load). The simple protocol has no
/// parameters, so the values are written into the text: two numbers, and action names held to [`plain_action`]
/// (refused otherwise), which need no escaping.
fn clinician_view_sql(clinician: AccountId, athlete: AthleteId, visits: &[&str]) -> Result<String> {
    if let Some(odd) = visits.iter().find(|v| !plain_action(v)) {
        return Err(StoreError::Sql(format!("an audit action named {odd:?} cannot be looked up")));
    }
    let (c, a) = (clinician.get(), athlete.get());
    let actions: Vec<String> = visits.iter().map(|v| format!("'{v}'")).collect();
    Ok(format!(
        "SELECT set_config('app.athlete_id', '{a}', true);
         EXECUTE {} ({c}, {a}, ARRAY[{}]::TEXT[])",
        CLINICIAN_VIEW.0,
        actions.join(", ")
    ))
}

fn to_account(r: &Row) -> Result<Account> {
    to_account_at(r, 0)
}

/// The account in the five columns of [`ACCOUNT_COLUMNS`] from column `at` on.
fn to_account_at(r: &Row, at: usize) -> Result<Account> {
    let id: i64 = r.get(at);
    let role: String = r.get(at + 3);
    let role = Role::parse(&role).ok_or(StoreError::Decode { what: "account", id, detail: format!("role {role}") })?;
    Ok(Account {
        id: AccountId::new(id),
        email: r.get(at + 1),
        name: r.get(at + 2),
        role,
        athlete: r.get::<_, Option<i64>>(at + 4).map(AthleteId::new),
    })
}

impl PgDatabase {
    fn one_account(&self, c: &mut impl GenericClient, id: i64) -> Result<Option<Account>> {
        c.query_opt(&format!("SELECT {ACCOUNT_COLUMNS} FROM accounts WHERE id = $1"), &[&id])
            .map_err(|e| self.err(e))?
            .as_ref()
            .map(to_account)
            .transpose()
    }

    fn execute(&self, sql: &str, params: &[&(dyn postgres::types::ToSql + Sync)]) -> Result<u64> {
        self.conn()?.execute(sql, params).map_err(|e| self.err(e))
    }
}

impl Accounts for PgDatabase {
    fn create_account(&self, email: &str, name: &str, role: Role, password: Option<&str>) -> Result<Account> {
        let mut conn = self.conn()?;
        let mut tx = conn.transaction().map_err(|e| self.err(e))?;
        let athlete = match role {
            Role::Athlete => Some(insert_athlete(&mut tx, name).map_err(|e| self.err(e))?),
            Role::Clinician => None,
        };
        let inserted = tx.query_one(
            "INSERT INTO accounts (email, email_key, name, role, password, athlete_id, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
            &[&email.trim(), &email_key(email), &name, &role.as_str(), &password, &athlete, &ts(Timestamp::now())],
        );
        let id: i64 = match inserted {
            Ok(row) => row.get(0),
            Err(e) if e.code() == Some(&SqlState::UNIQUE_VIOLATION) => {
                return Err(StoreError::Exists { what: "an account with this email" });
            }
            Err(e) => return Err(self.err(e)),
        };
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
        self.one_account(&mut **self.conn()?, id.get())
    }

    fn account_by_email(&self, email: &str) -> Result<Option<(Account, Option<String>)>> {
        let row = self
            .conn()?
            .query_opt(
                &format!("SELECT {ACCOUNT_COLUMNS}, password FROM accounts WHERE email_key = $1"),
                &[&email_key(email)],
            )
            .map_err(|e| self.err(e))?;
        row.map(|r| Ok((to_account(&r)?, r.get(5)))).transpose()
    }

    fn password_of(&self, id: AccountId) -> Result<Option<String>> {
        let row = self
            .conn()?
            .query_opt("SELECT password FROM accounts WHERE id = $1", &[&id.get()])
            .map_err(|e| self.err(e))?;
        Ok(row.and_then(|r| r.get(0)))
    }

    fn set_password(&self, id: AccountId, password: &str) -> Result<()> {
        if self.execute("UPDATE accounts SET password = $2 WHERE id = $1", &[&id.get(), &password])? == 0 {
            return Err(StoreError::NotFound { what: "account", id: id.get() });
        }
        Ok(())
    }

    fn delete_account(&self, id: AccountId) -> Result<bool> {
        let mut conn = self.conn()?;
        let mut tx = conn.transaction().map_err(|e| self.err(e))?;
        let Some(row) = tx
            .query_opt("SELECT athlete_id FROM accounts WHERE id = $1 FOR UPDATE", &[&id.get()])
            .map_err(|e| self.err(e))?
        else {
            return Ok(false);
        };
        if let Some(athlete) = row.get::<_, Option<i64>>(0) {
            tx.execute("DELETE FROM clinician_links WHERE athlete_id = $1", &[&athlete]).map_err(|e| self.err(e))?;
            tx.execute("UPDATE athletes SET name = '' WHERE id = $1", &[&athlete]).map_err(|e| self.err(e))?;
        }
        // Sessions, devices, invitations, reset codes and a clinician's links go with the account (cascade).
        tx.execute("DELETE FROM accounts WHERE id = $1", &[&id.get()]).map_err(|e| self.err(e))?;
        tx.commit().map_err(|e| self.err(e))?;
        Ok(true)
    }

    fn add_session(&self, token_hash: &str, account: AccountId, now: Timestamp, expires_at: Timestamp) -> Result<()> {
        let mut conn = self.conn()?;
        let mut tx = conn.transaction().map_err(|e| self.err(e))?;
        // The account's expired sessions go as a new one starts, so the table holds live sessions only.
        tx.execute(
            "DELETE FROM account_sessions WHERE account_id = $1 AND expires_epoch <= $2",
            &[&account.get(), &now.as_second()],
        )
        .map_err(|e| self.err(e))?;
        tx.execute(
            "INSERT INTO account_sessions (token_hash, account_id, created_at, last_seen, expires_epoch)
             VALUES ($1, $2, $3, $3, $4)",
            &[&token_hash, &account.get(), &ts(now), &expires_at.as_second()],
        )
        .map_err(|e| self.err(e))?;
        tx.commit().map_err(|e| self.err(e))
    }

    fn session(&self, token_hash: &str, now: Timestamp) -> Result<Option<SessionInfo>> {
        Ok(self.signed_in(token_hash, now)?.map(|s| s.session))
    }

    fn signed_in(&self, token_hash: &str, now: Timestamp) -> Result<Option<SignedIn>> {
        // One statement the connection keeps prepared (with its parameters' types: two are times as text): one
        // round trip. The session's time is written only when stale (`last_seen_is_stale`, the same rule in SQL):
        // the data-modifying part touches no row otherwise, so most look-ups write nothing.
        let row = self
            .conn()?
            .query_opt_typed(
                SIGNED_IN,
                &[Type::TEXT, Type::INT8, Type::TEXT, Type::TEXT],
                &[&token_hash, &now.as_second(), &ts(now), &ts(now - LAST_SEEN_EVERY)],
            )
            .map_err(|e| self.err(e))?;
        let Some(r) = row else { return Ok(None) };
        let account: i64 = r.get(0);
        let written: bool = r.get(4);
        Ok(Some(SignedIn {
            session: SessionInfo {
                account: AccountId::new(account),
                created_at: parse_ts(r.get(1), "session", account)?,
                last_seen: if written { now } else { parse_ts(r.get(2), "session", account)? },
                expires_at: Timestamp::from_second(r.get(3)).unwrap_or(Timestamp::MAX),
            },
            account: to_account_at(&r, 5)?,
            dashboard_version: u64::try_from(r.get::<_, i64>(10)).unwrap_or(0),
        }))
    }

    fn delete_session(&self, token_hash: &str) -> Result<bool> {
        Ok(self.execute("DELETE FROM account_sessions WHERE token_hash = $1", &[&token_hash])? > 0)
    }

    fn delete_sessions_of(&self, account: AccountId) -> Result<usize> {
        Ok(self.execute("DELETE FROM account_sessions WHERE account_id = $1", &[&account.get()])? as usize)
    }

    fn add_invitation(
        &self,
        code_hash: &str,
        clinician: AccountId,
        now: Timestamp,
        expires_at: Timestamp,
    ) -> Result<()> {
        let mut conn = self.conn()?;
        match self.one_account(&mut **conn, clinician.get())? {
            Some(a) if a.role == Role::Clinician => {}
            _ => return Err(StoreError::NotFound { what: "clinician", id: clinician.get() }),
        }
        conn.execute(
            "INSERT INTO invitations (code_hash, clinician_id, created_at, expires_epoch) VALUES ($1, $2, $3, $4)",
            &[&code_hash, &clinician.get(), &ts(now), &expires_at.as_second()],
        )
        .map_err(|e| self.err(e))?;
        Ok(())
    }

    fn accept_invitation(&self, code_hash: &str, athlete_account: AccountId, now: Timestamp) -> Result<Acceptance> {
        let mut conn = self.conn()?;
        let mut tx = conn.transaction().map_err(|e| self.err(e))?;
        let athlete = tx
            .query_opt("SELECT athlete_id FROM accounts WHERE id = $1 AND role = 'athlete'", &[&athlete_account.get()])
            .map_err(|e| self.err(e))?
            .and_then(|r| r.get::<_, Option<i64>>(0));
        // Marking it used in the same statement that finds it: two athletes racing for one code cannot both win.
        let clinician = tx
            .query_opt(
                "UPDATE invitations SET used_by = $3, used_at = $4
                 WHERE code_hash = $1 AND used_by IS NULL AND used_at IS NULL AND expires_epoch > $2
                 RETURNING clinician_id",
                &[&code_hash, &now.as_second(), &athlete_account.get(), &ts(now)],
            )
            .map_err(|e| self.err(e))?
            .map(|r| r.get::<_, i64>(0));
        let (Some(athlete), Some(clinician)) = (athlete, clinician) else {
            // Rolled back on drop: a code offered by a clinician's account stays unused.
            return Ok(Acceptance::Invalid);
        };
        tx.execute(
            "INSERT INTO clinician_links (clinician_id, athlete_id, since) VALUES ($1, $2, $3)
             ON CONFLICT (clinician_id, athlete_id) DO NOTHING",
            &[&clinician, &athlete, &ts(now)],
        )
        .map_err(|e| self.err(e))?;
        tx.commit().map_err(|e| self.err(e))?;
        Ok(Acceptance::Linked { clinician: AccountId::new(clinician) })
    }

    fn clinician_sees(&self, clinician: AccountId, athlete: AthleteId) -> Result<bool> {
        let row = self
            .conn()?
            .query_opt(
                "SELECT 1 FROM clinician_links WHERE clinician_id = $1 AND athlete_id = $2",
                &[&clinician.get(), &athlete.get()],
            )
            .map_err(|e| self.err(e))?;
        Ok(row.is_some())
    }

    fn link(&self, clinician: AccountId, athlete: AthleteId) -> Result<Option<LinkedAthlete>> {
        let row = self
            .conn()?
            .query_opt(
                "SELECT a.id, a.name, l.since FROM clinician_links l
                 JOIN accounts a ON a.athlete_id = l.athlete_id
                 WHERE l.clinician_id = $1 AND l.athlete_id = $2",
                &[&clinician.get(), &athlete.get()],
            )
            .map_err(|e| self.err(e))?;
        row.map(|r| {
            Ok(LinkedAthlete {
                id: athlete,
                account: AccountId::new(r.get(0)),
                name: r.get(1),
                since: parse_ts(r.get(2), "clinician link", athlete.get())?,
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
        let sql = clinician_view_sql(clinician, athlete, visits)?;
        let mut conn = self.conn()?;
        let (name, definition) = CLINICIAN_VIEW;
        conn.prepare_named(name, definition).map_err(|e| self.err(e))?;
        let messages = conn.simple_query(&sql).map_err(|e| {
            conn.forget_if_gone(&e);
            self.err(e)
        })?;
        // The first statement (naming the athlete) answers one row of its own; the view is the second's.
        let mut done = 0;
        let mut found = None;
        for m in &messages {
            match m {
                SimpleQueryMessage::CommandComplete(_) => done += 1,
                SimpleQueryMessage::Row(r) if done == 1 => found = Some(r),
                _ => {}
            }
        }
        let Some(r) = found else { return Ok(None) };
        let id = athlete.get();
        let text = |i: usize| -> Result<&str> {
            r.try_get(i).ok().flatten().ok_or(StoreError::Decode {
                what: "clinician view",
                id,
                detail: format!("column {i} missing"),
            })
        };
        let number = |i: usize| -> Result<i64> {
            text(i)?.parse().map_err(|e| StoreError::Decode { what: "clinician view", id, detail: format!("{e}") })
        };
        let last_visit = match r.try_get(4).ok().flatten() {
            Some(_) => Some(from_micros(number(4)?, "audit entry", id)?),
            None => None,
        };
        Ok(Some(ClinicianView {
            link: LinkedAthlete {
                id: athlete,
                account: AccountId::new(number(0)?),
                name: text(1)?.to_string(),
                since: parse_ts(text(2)?, "clinician link", id)?,
            },
            revision: u64::try_from(number(3)?).unwrap_or(0),
            last_visit,
        }))
    }

    fn athletes_of(&self, clinician: AccountId) -> Result<Vec<LinkedAthlete>> {
        let rows = self
            .conn()?
            .query(
                "SELECT l.athlete_id, a.id, a.name, l.since FROM clinician_links l
                 JOIN accounts a ON a.athlete_id = l.athlete_id
                 WHERE l.clinician_id = $1 ORDER BY a.name COLLATE \"C\", l.athlete_id",
                &[&clinician.get()],
            )
            .map_err(|e| self.err(e))?;
        rows.iter()
            .map(|r| {
                let athlete: i64 = r.get(0);
                Ok(LinkedAthlete {
                    id: AthleteId::new(athlete),
                    account: AccountId::new(r.get(1)),
                    name: r.get(2),
                    since: parse_ts(r.get(3), "clinician link", athlete)?,
                })
            })
            .collect()
    }

    fn clinicians_of(&self, athlete: AthleteId) -> Result<Vec<LinkedClinician>> {
        let rows = self
            .conn()?
            .query(
                "SELECT a.id, a.name, a.email, l.since FROM clinician_links l
                 JOIN accounts a ON a.id = l.clinician_id
                 WHERE l.athlete_id = $1 ORDER BY l.since, a.id",
                &[&athlete.get()],
            )
            .map_err(|e| self.err(e))?;
        rows.iter()
            .map(|r| {
                let account: i64 = r.get(0);
                Ok(LinkedClinician {
                    account: AccountId::new(account),
                    name: r.get(1),
                    email: r.get(2),
                    since: parse_ts(r.get(3), "clinician link", account)?,
                })
            })
            .collect()
    }

    fn revoke_link(&self, athlete: AthleteId, clinician: AccountId) -> Result<bool> {
        let n = self.execute(
            "DELETE FROM clinician_links WHERE athlete_id = $1 AND clinician_id = $2",
            &[&athlete.get(), &clinician.get()],
        )?;
        Ok(n > 0)
    }

    fn add_device(&self, token_hash: &str, account: AccountId, name: &str, now: Timestamp) -> Result<i64> {
        let mut conn = self.conn()?;
        match self.one_account(&mut **conn, account.get())? {
            Some(a) if a.role == Role::Athlete => {}
            _ => return Err(StoreError::NotFound { what: "athlete account", id: account.get() }),
        }
        let row = conn
            .query_one(
                "INSERT INTO devices (token_hash, account_id, name, created_at) VALUES ($1, $2, $3, $4) RETURNING id",
                &[&token_hash, &account.get(), &name, &ts(now)],
            )
            .map_err(|e| self.err(e))?;
        Ok(row.get(0))
    }

    fn device(&self, token_hash: &str) -> Result<Option<(AccountId, AthleteId)>> {
        let row = self
            .conn()?
            .query_opt(
                "UPDATE devices d SET last_used = $2 FROM accounts a
                 WHERE d.token_hash = $1 AND a.id = d.account_id AND a.athlete_id IS NOT NULL
                 RETURNING a.id, a.athlete_id",
                &[&token_hash, &ts(Timestamp::now())],
            )
            .map_err(|e| self.err(e))?;
        Ok(row.map(|r| (AccountId::new(r.get(0)), AthleteId::new(r.get(1)))))
    }

    fn devices(&self, account: AccountId) -> Result<Vec<Device>> {
        let rows = self
            .conn()?
            .query(
                "SELECT id, name, created_at, last_used FROM devices WHERE account_id = $1 ORDER BY id",
                &[&account.get()],
            )
            .map_err(|e| self.err(e))?;
        rows.iter()
            .map(|r| {
                let id: i64 = r.get(0);
                Ok(Device {
                    id,
                    name: r.get(1),
                    created_at: parse_ts(r.get(2), "device", id)?,
                    last_used: r.get::<_, Option<&str>>(3).map(|t| parse_ts(t, "device", id)).transpose()?,
                })
            })
            .collect()
    }

    fn revoke_device(&self, account: AccountId, id: i64) -> Result<bool> {
        Ok(self.execute("DELETE FROM devices WHERE id = $1 AND account_id = $2", &[&id, &account.get()])? > 0)
    }

    fn add_reset_code(&self, code_hash: &str, account: AccountId, expires_at: Timestamp) -> Result<()> {
        let mut conn = self.conn()?;
        if self.one_account(&mut **conn, account.get())?.is_none() {
            return Err(StoreError::NotFound { what: "account", id: account.get() });
        }
        conn.execute(
            "INSERT INTO reset_codes (code_hash, account_id, expires_epoch) VALUES ($1, $2, $3)",
            &[&code_hash, &account.get(), &expires_at.as_second()],
        )
        .map_err(|e| self.err(e))?;
        Ok(())
    }

    fn use_reset_code(&self, code_hash: &str, now: Timestamp) -> Result<Option<AccountId>> {
        let row = self
            .conn()?
            .query_opt(
                "UPDATE reset_codes SET used = TRUE WHERE code_hash = $1 AND NOT used AND expires_epoch > $2
                 RETURNING account_id",
                &[&code_hash, &now.as_second()],
            )
            .map_err(|e| self.err(e))?;
        Ok(row.map(|r| AccountId::new(r.get(0))))
    }

    fn purge_expired(&self, now: Timestamp) -> Result<Purged> {
        let mut conn = self.conn()?;
        let mut tx = conn.transaction().map_err(|e| self.err(e))?;
        let now = now.as_second();
        let mut delete = |sql: &str| tx.execute(sql, &[&now]).map(|n| n as usize);
        let purged = (|| {
            Ok(Purged {
                sessions: delete("DELETE FROM account_sessions WHERE expires_epoch <= $1")?,
                invitations: delete("DELETE FROM invitations WHERE expires_epoch <= $1")?,
                reset_codes: delete("DELETE FROM reset_codes WHERE expires_epoch <= $1 OR used")?,
            })
        })()
        .map_err(|e: postgres::Error| self.err(e))?;
        tx.commit().map_err(|e| self.err(e))?;
        Ok(purged)
    }
}
