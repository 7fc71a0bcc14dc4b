//! The embedded SQLite store: one file, WAL journal, migrations on open.

use crate::migrations::MIGRATIONS;
use crate::{Result, Store, StoreError};
use jiff::Timestamp;
use runtall_domain::assess::AssessmentRecord;
use runtall_domain::plan::PlanRecord;
use runtall_domain::profile::Profile;
use runtall_domain::screen::ScreeningRecord;
use rusqlite::{Connection, ErrorCode, OptionalExtension, params};
use serde::Serialize;
use serde::de::DeserializeOwned;
use std::path::{Path, PathBuf};
use std::time::Duration;

pub struct SqliteStore {
    conn: Connection,
    path: PathBuf,
}

impl SqliteStore {
    /// Opens (creating if needed) the database at `path` and brings its schema up to date.
    pub fn open(path: &Path) -> Result<SqliteStore> {
        let shown = path.display().to_string();
        if let Some(parent) = path.parent()
            && !parent.as_os_str().is_empty()
        {
            std::fs::create_dir_all(parent).map_err(|e| StoreError::Open {
                path: shown.clone(),
                detail: format!("cannot create {}: {e}", parent.display()),
            })?;
        }
        let conn = Connection::open(path).map_err(|e| classify(&shown, e))?;
        let store = SqliteStore { conn, path: path.to_path_buf() };
        store.configure()?;
        store.migrate()?;
        Ok(store)
    }

    /// A private in-memory database, for tests and previews.
    pub fn in_memory() -> Result<SqliteStore> {
        let conn = Connection::open_in_memory().map_err(|e| classify(":memory:", e))?;
        let store = SqliteStore { conn, path: PathBuf::from(":memory:") };
        store.configure()?;
        store.migrate()?;
        Ok(store)
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The schema version this database is at.
    pub fn schema_version(&self) -> Result<i64> {
        self.conn.query_row("PRAGMA user_version", [], |r| r.get(0)).map_err(|e| self.err(e))
    }

    fn configure(&self) -> Result<()> {
        self.conn.busy_timeout(Duration::from_secs(3)).map_err(|e| self.err(e))?;
        // WAL lets the web app read while an import writes; NORMAL is durable at checkpoints and much faster.
        let mode: String =
            self.conn.query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0)).map_err(|e| self.err(e))?;
        if mode != "wal" && mode != "memory" {
            return Err(StoreError::Open {
                path: self.shown(),
                detail: format!("cannot switch to WAL journal (got {mode})"),
            });
        }
        self.conn.execute_batch("PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON;").map_err(|e| self.err(e))
    }

    fn migrate(&self) -> Result<()> {
        let version = self.schema_version()?;
        let known = MIGRATIONS.len() as i64;
        if version > known {
            return Err(StoreError::TooNew { path: self.shown(), found: version, known });
        }
        for (i, sql) in MIGRATIONS.iter().enumerate().skip(version as usize) {
            let next = i as i64 + 1;
            let tx = self.conn.unchecked_transaction().map_err(|e| self.err(e))?;
            tx.execute_batch(sql).map_err(|e| self.err(e))?;
            tx.execute_batch(&format!("PRAGMA user_version = {next}")).map_err(|e| self.err(e))?;
            tx.commit().map_err(|e| self.err(e))?;
        }
        Ok(())
    }

    fn shown(&self) -> String {
        self.path.display().to_string()
    }

    fn err(&self, e: rusqlite::Error) -> StoreError {
        classify(&self.shown(), e)
    }

    fn insert_doc<T: Serialize>(&self, sql: &str, cols: &[&dyn rusqlite::ToSql], doc: &T) -> Result<i64> {
        let json = serde_json::to_string(doc).map_err(|e| StoreError::Sql(format!("cannot encode record: {e}")))?;
        let mut values: Vec<&dyn rusqlite::ToSql> = cols.to_vec();
        values.push(&json);
        self.conn.execute(sql, values.as_slice()).map_err(|e| self.err(e))?;
        Ok(self.conn.last_insert_rowid())
    }

    fn docs<T: DeserializeOwned>(&self, what: &'static str, sql: &str) -> Result<Vec<(i64, T)>> {
        let mut stmt = self.conn.prepare(sql).map_err(|e| self.err(e))?;
        let rows =
            stmt.query_map([], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?))).map_err(|e| self.err(e))?;
        let mut out = Vec::new();
        for row in rows {
            let (id, json) = row.map_err(|e| self.err(e))?;
            let doc =
                serde_json::from_str(&json).map_err(|e| StoreError::Decode { what, id, detail: e.to_string() })?;
            out.push((id, doc));
        }
        Ok(out)
    }
}

/// Turns SQLite's errors into messages a runner can act on.
fn classify(path: &str, e: rusqlite::Error) -> StoreError {
    if let rusqlite::Error::SqliteFailure(f, ref msg) = e {
        match f.code {
            ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked => {
                return StoreError::Locked { path: path.to_string() };
            }
            ErrorCode::NotADatabase | ErrorCode::DatabaseCorrupt => {
                return StoreError::Corrupt {
                    path: path.to_string(),
                    detail: msg.clone().unwrap_or_else(|| f.to_string()),
                };
            }
            ErrorCode::CannotOpen | ErrorCode::PermissionDenied | ErrorCode::ReadOnly => {
                return StoreError::Open {
                    path: path.to_string(),
                    detail: msg.clone().unwrap_or_else(|| f.to_string()),
                };
            }
            _ => {}
        }
    }
    StoreError::Sql(e.to_string())
}

fn ts(t: Timestamp) -> String {
    t.to_string()
}

impl Store for SqliteStore {
    fn profile(&self) -> Result<Option<Profile>> {
        let json: Option<String> = self
            .conn
            .query_row("SELECT data FROM profile WHERE id = 1", [], |r| r.get(0))
            .optional()
            .map_err(|e| self.err(e))?;
        json.map(|j| {
            serde_json::from_str(&j).map_err(|e| StoreError::Decode { what: "profile", id: 1, detail: e.to_string() })
        })
        .transpose()
    }

    fn save_profile(&self, profile: &Profile) -> Result<()> {
        let json = serde_json::to_string(profile).map_err(|e| StoreError::Sql(e.to_string()))?;
        self.conn
            .execute(
                "INSERT INTO profile (id, data, updated_at) VALUES (1, ?1, ?2)
                 ON CONFLICT (id) DO UPDATE SET data = excluded.data, updated_at = excluded.updated_at",
                params![json, ts(Timestamp::now())],
            )
            .map_err(|e| self.err(e))?;
        Ok(())
    }

    fn add_screening(&self, r: &ScreeningRecord) -> Result<i64> {
        let level = r.outcome.level.map(|l| format!("{l:?}"));
        let checked = r.clinician_checked_at.map(ts);
        self.insert_doc(
            "INSERT INTO screenings (taken_at, level, clinician_checked_at, data) VALUES (?1, ?2, ?3, ?4)",
            &[&ts(r.taken_at), &level, &checked],
            r,
        )
    }

    fn latest_screening(&self) -> Result<Option<ScreeningRecord>> {
        Ok(self.screenings()?.pop())
    }

    fn screenings(&self) -> Result<Vec<ScreeningRecord>> {
        let rows: Vec<(i64, ScreeningRecord)> =
            self.docs("screening", "SELECT id, data FROM screenings ORDER BY taken_at, id")?;
        let mut out = Vec::with_capacity(rows.len());
        let mut stmt =
            self.conn.prepare("SELECT clinician_checked_at FROM screenings WHERE id = ?1").map_err(|e| self.err(e))?;
        for (id, mut r) in rows {
            r.id = Some(id);
            let checked: Option<String> = stmt.query_row([id], |row| row.get(0)).map_err(|e| self.err(e))?;
            r.clinician_checked_at = checked.and_then(|c| c.parse().ok());
            out.push(r);
        }
        Ok(out)
    }

    fn mark_clinician_checked(&self, screening_id: i64, at: Timestamp) -> Result<()> {
        let n = self
            .conn
            .execute("UPDATE screenings SET clinician_checked_at = ?1 WHERE id = ?2", params![ts(at), screening_id])
            .map_err(|e| self.err(e))?;
        if n == 0 {
            return Err(StoreError::NotFound { what: "screening", id: screening_id });
        }
        Ok(())
    }

    fn add_assessment(&self, r: &AssessmentRecord) -> Result<i64> {
        self.insert_doc("INSERT INTO assessments (taken_at, data) VALUES (?1, ?2)", &[&ts(r.taken_at)], r)
    }

    fn latest_assessment(&self) -> Result<Option<AssessmentRecord>> {
        Ok(self.assessments()?.pop())
    }

    fn assessments(&self) -> Result<Vec<AssessmentRecord>> {
        let rows: Vec<(i64, AssessmentRecord)> =
            self.docs("assessment", "SELECT id, data FROM assessments ORDER BY taken_at, id")?;
        Ok(rows
            .into_iter()
            .map(|(id, mut r)| {
                r.id = Some(id);
                r
            })
            .collect())
    }

    fn add_plan(&self, r: &PlanRecord) -> Result<i64> {
        let mode = format!("{:?}", r.plan.mode).to_lowercase();
        self.insert_doc(
            "INSERT INTO plans (created_at, screening_id, assessment_id, mode, data) VALUES (?1, ?2, ?3, ?4, ?5)",
            &[&ts(r.created_at), &r.screening_id, &r.assessment_id, &mode],
            r,
        )
    }

    fn latest_plan(&self) -> Result<Option<PlanRecord>> {
        Ok(self.plans()?.pop())
    }

    fn plans(&self) -> Result<Vec<PlanRecord>> {
        let rows: Vec<(i64, PlanRecord)> = self.docs("plan", "SELECT id, data FROM plans ORDER BY created_at, id")?;
        Ok(rows
            .into_iter()
            .map(|(id, mut r)| {
                r.id = Some(id);
                r
            })
            .collect())
    }

    fn holds_real_data(&self) -> Result<bool> {
        if let Some(p) = self.profile()? {
            return Ok(!p.demo);
        }
        let count: i64 = self
            .conn
            .query_row(
                "SELECT (SELECT COUNT(*) FROM screenings) + (SELECT COUNT(*) FROM assessments) + (SELECT COUNT(*) FROM plans)",
                [],
                |r| r.get(0),
            )
            .map_err(|e| self.err(e))?;
        Ok(count > 0)
    }

    fn delete_all(&self) -> Result<()> {
        let tx = self.conn.unchecked_transaction().map_err(|e| self.err(e))?;
        tx.execute_batch("DELETE FROM plans; DELETE FROM assessments; DELETE FROM screenings; DELETE FROM profile; DELETE FROM meta;")
            .map_err(|e| self.err(e))?;
        tx.commit().map_err(|e| self.err(e))
    }
}
