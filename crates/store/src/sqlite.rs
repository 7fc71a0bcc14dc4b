//! The embedded SQLite store: one file, WAL journal, migrations on open.

use crate::codec;
use crate::migrations::MIGRATIONS;
use crate::{
    ActivityFilter, ActivityKind, ActivityRow, AddOutcome, BreakEventRow, JournalImportStats, LessonDone, PostureRow,
    SessionRow, StoredActivity,
};
use crate::{Result, Store, StoreError};
use jiff::Timestamp;
use jiff::civil::Date;
use runtall_domain::activity::{Activity, Samples, Sport, same_run, same_track};
use runtall_domain::assess::AssessmentRecord;
use runtall_domain::classify::{Classification, RunLabel, RunSummary};
use runtall_domain::journal::{DayLog, PainReport, RunContext};
use runtall_domain::journal_format::{Journal, JournalPain, JournalRun, LineError, Record};
use runtall_domain::plan::PlanRecord;
use runtall_domain::profile::Profile;
use runtall_domain::screen::ScreeningRecord;
use rusqlite::{Connection, ErrorCode, OptionalExtension, Transaction, TransactionBehavior, params};
use serde::Serialize;
use serde::de::DeserializeOwned;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// How long before a new activity's start a stored one may have started and still overlap it, seconds: longer
/// than any single run or ride a person records (a 24-hour race), short enough to keep the look-up on the index.
const OVERLAP_LOOKBACK_S: i64 = 2 * 86_400;

/// The columns an activity row is written with, in the order of [`activity_values`].
const ACTIVITY_COLUMNS: [&str; 14] = [
    "start_epoch",
    "start_utc",
    "sport",
    "label",
    "distance_m",
    "elapsed_s",
    "moving_s",
    "content_hash",
    "source_path",
    "format",
    "imported_at",
    "summary",
    "classification",
    "samples",
];

/// The values of [`ACTIVITY_COLUMNS`] for one activity, for inserting it or replacing a stored copy.
fn activity_values(a: &Activity, c: Option<&Classification>) -> Result<Vec<Box<dyn rusqlite::ToSql>>> {
    let class_json = c
        .map(serde_json::to_string)
        .transpose()
        .map_err(|e| StoreError::Sql(format!("cannot encode classification: {e}")))?;
    Ok(vec![
        Box::new(a.start.as_second()),
        Box::new(ts(a.start)),
        Box::new(enum_name(&a.sport)),
        Box::new(c.map(|c| enum_name(&c.label))),
        Box::new(a.distance_m),
        Box::new(a.elapsed_s),
        Box::new(a.moving_s),
        Box::new(a.source.content_hash.clone()),
        Box::new(a.source.path.clone()),
        Box::new(a.source.format.clone()),
        Box::new(ts(Timestamp::now())),
        Box::new(summary_json(a)?),
        Box::new(class_json),
        Box::new(codec::encode(&a.samples)),
    ])
}

/// The sports [`Sport::is_run`] accepts, for filtering on the `sport` column.
const RUN_SPORTS: [Sport; 4] = [Sport::Running, Sport::TrailRunning, Sport::TreadmillRunning, Sport::TrackRunning];

/// How long a writer waits for another before giving up with "locked".
const BUSY_TIMEOUT: Duration = Duration::from_secs(30);

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
            crate::private_files::create_dir(parent, false).map_err(|e| StoreError::Open {
                path: shown.clone(),
                detail: format!("cannot create {}: {e}", parent.display()),
            })?;
        }
        let private = |e: std::io::Error| StoreError::Open { path: shown.clone(), detail: e.to_string() };
        crate::private_files::prepare_database(path).map_err(private)?;
        let conn = Connection::open(path).map_err(|e| classify(&shown, e))?;
        let store = SqliteStore { conn, path: path.to_path_buf() };
        store.configure()?;
        store.migrate()?;
        crate::private_files::secure_database(path).map_err(private)?;
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

    /// How long this connection's writers wait for another writer before answering "locked" (default 30 s).
    /// Tests of the locked case shorten it.
    pub fn set_busy_timeout(&self, wait: Duration) -> Result<()> {
        self.conn.busy_timeout(wait).map_err(|e| self.err(e))
    }

    /// The schema version this database is at.
    pub fn schema_version(&self) -> Result<i64> {
        self.conn.query_row("PRAGMA user_version", [], |r| r.get(0)).map_err(|e| self.err(e))
    }

    /// SQLite's own consistency check of the file, `"ok"` when it is sound: for checks after a crash or a kill.
    pub fn integrity_check(&self) -> Result<String> {
        self.conn.query_row("PRAGMA integrity_check", [], |r| r.get(0)).map_err(|e| self.err(e))
    }

    /// A write transaction that takes the write lock at `BEGIN`. A deferred transaction that reads and then
    /// writes cannot wait for another writer: when its read snapshot is older than the other's commit, SQLite
    /// answers "busy" at once whatever the busy timeout (two imports, or an import beside the web app, failed
    /// that way within seconds). Taking the lock first makes the busy handler wait its turn instead.
    fn write_tx(&self) -> Result<Transaction<'_>> {
        Transaction::new_unchecked(&self.conn, TransactionBehavior::Immediate).map_err(|e| self.err(e))
    }

    fn configure(&self) -> Result<()> {
        // Writers wait for each other this long. Every write transaction is short (one activity, one form), so a
        // wait this long only ends in "locked" when another program holds the database (an open sqlite3 shell).
        self.conn.busy_timeout(BUSY_TIMEOUT).map_err(|e| self.err(e))?;
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
        let known = MIGRATIONS.len() as i64;
        loop {
            let version = self.schema_version()?;
            if version > known {
                return Err(StoreError::TooNew { path: self.shown(), found: version, known });
            }
            if version == known {
                return Ok(());
            }
            // Each step under the write lock, reading the version again inside it: two programs opening a new
            // database at once must not both run the same step.
            let tx = self.write_tx()?;
            let version: i64 = tx.query_row("PRAGMA user_version", [], |r| r.get(0)).map_err(|e| self.err(e))?;
            if let Some(sql) = MIGRATIONS.get(version as usize) {
                tx.execute_batch(sql).map_err(|e| self.err(e))?;
                tx.execute_batch(&format!("PRAGMA user_version = {}", version + 1)).map_err(|e| self.err(e))?;
            }
            tx.commit().map_err(|e| self.err(e))?;
        }
    }

    /// Marks run labels from `start` on as needing the pass again (inside the caller's write transaction).
    fn mark_labels_stale(&self, tx: &Transaction<'_>, start: i64) -> Result<()> {
        tx.execute(
            "UPDATE label_pass SET stale_from_epoch = MIN(COALESCE(stale_from_epoch, ?1), ?1), generation = generation + 1 WHERE id = 1",
            params![start],
        )
        .map_err(|e| self.err(e))?;
        Ok(())
    }

    /// A stored activity that is the same recording as `a` (see [`same_run`] and [`same_track`]): time spans that
    /// overlap enough, and tracks that do not go different ways. Candidates are found on the start index: any
    /// activity starting up to [`OVERLAP_LOOKBACK_S`] before `a` and before it ends.
    fn same_recording(&self, tx: &Transaction<'_>, a: &Activity) -> Result<Option<i64>> {
        let start = a.start.as_second();
        let end = start + a.elapsed_s.max(0.0).ceil() as i64;
        let mut stmt = tx
            .prepare(
                "SELECT id, start_utc, sport, elapsed_s FROM activities
                 WHERE start_epoch BETWEEN ?1 AND ?2 AND start_epoch + elapsed_s >= ?3",
            )
            .map_err(|e| self.err(e))?;
        let window = runtall_domain::activity::SAME_RUN_START_S;
        let rows = stmt
            .query_map(params![start - OVERLAP_LOOKBACK_S, end.max(start + window), start - window], |r| {
                Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?, r.get::<_, String>(2)?, r.get::<_, f64>(3)?))
            })
            .map_err(|e| self.err(e))?;
        let mut candidates = Vec::new();
        for row in rows {
            let (id, start_utc, sport, elapsed) = row.map_err(|e| self.err(e))?;
            let (Ok(other_start), Some(other_sport)) = (start_utc.parse::<Timestamp>(), from_name(&sport)) else {
                continue;
            };
            if same_run(a.start, a.sport, a.elapsed_s, other_start, other_sport, elapsed) {
                candidates.push((id, other_start));
            }
        }
        drop(stmt);
        for (id, other_start) in candidates {
            // Two people's runs at the same hour (a shared account, a partner's watch) are told apart by position.
            let blob: Vec<u8> = tx
                .query_row("SELECT samples FROM activities WHERE id = ?1", [id], |r| r.get(0))
                .map_err(|e| self.err(e))?;
            let other =
                codec::decode(&blob).map_err(|e| StoreError::Decode { what: "activity", id, detail: e.to_string() })?;
            if same_track(&a.samples, a.start, &other, other_start) != Some(false) {
                return Ok(Some(id));
            }
        }
        Ok(None)
    }

    /// The stored run with this journal key (its content hash), if any.
    fn run_id_by_key(&self, tx: &Transaction<'_>, key: &str) -> Result<Option<i64>> {
        tx.query_row("SELECT id FROM activities WHERE content_hash = ?1", [key], |row| row.get(0))
            .optional()
            .map_err(|e| self.err(e))
    }

    /// One journal run: matched to a stored run by key, or stored without a sample stream; then its context.
    fn import_journal_run(&self, tx: &Transaction<'_>, r: &JournalRun, stats: &mut JournalImportStats) -> Result<()> {
        let id = match self.run_id_by_key(tx, &r.key)? {
            Some(id) => {
                stats.runs_matched += 1;
                id
            }
            None => {
                // A run known only from the journal: stored without a sample stream, under its journal key.
                let a = Activity {
                    sport: r.sport,
                    sub_sport: None,
                    name: r.name.clone(),
                    start: r.start,
                    utc_offset_s: None,
                    elapsed_s: r.elapsed_s,
                    moving_s: r.moving_s,
                    distance_m: r.distance_m,
                    ascent_m: None,
                    descent_m: None,
                    avg_hr_bpm: None,
                    max_hr_bpm: None,
                    avg_cadence_spm: None,
                    avg_respiration_brpm: None,
                    dynamics: None,
                    device: None,
                    quality: Default::default(),
                    laps: vec![],
                    samples: Samples::default(),
                    source: runtall_domain::activity::SourceFile {
                        path: "journal".into(),
                        format: "journal".into(),
                        content_hash: r.key.clone(),
                    },
                    warnings: vec![],
                };
                let classification = r.label.map(|label| Classification {
                    label,
                    also: vec![],
                    reasons: vec![runtall_domain::classify::Feature {
                        name: "journal".into(),
                        value: enum_name(&label),
                        note: "label given by the imported journal".into(),
                    }],
                });
                tx.execute(
                    "INSERT INTO activities (start_epoch, start_utc, sport, label, distance_m, elapsed_s, moving_s,
                         content_hash, source_path, format, imported_at, summary, classification, samples)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, 'journal', 'journal', ?9, ?10, ?11, ?12)",
                    params![
                        r.start.as_second(),
                        ts(r.start),
                        enum_name(&r.sport),
                        r.label.map(|l| enum_name(&l)),
                        r.distance_m,
                        r.elapsed_s,
                        r.moving_s,
                        r.key,
                        ts(Timestamp::now()),
                        summary_json(&a)?,
                        classification
                            .as_ref()
                            .map(serde_json::to_string)
                            .transpose()
                            .map_err(|e| StoreError::Sql(e.to_string()))?,
                        codec::encode(&a.samples),
                    ],
                )
                .map_err(|e| self.err(e))?;
                stats.runs_added += 1;
                tx.last_insert_rowid()
            }
        };
        let any_context = r.pack.is_some()
            || r.surface.is_some()
            || r.ate_within_2h.is_some()
            || r.pre_run_done.is_some()
            || r.post_run_done.is_some();
        if any_context {
            let c = RunContext {
                run_id: id,
                pack: r.pack,
                surface: r.surface,
                ate_within_2h: r.ate_within_2h,
                pre_run_done: r.pre_run_done,
                post_run_done: r.post_run_done,
            };
            let json = serde_json::to_string(&c).map_err(|e| StoreError::Sql(e.to_string()))?;
            tx.execute(
                "INSERT INTO run_context (run_id, data) VALUES (?1, ?2) ON CONFLICT (run_id) DO UPDATE SET data = excluded.data",
                params![id, json],
            )
            .map_err(|e| self.err(e))?;
        }
        Ok(())
    }

    fn posture_rows<P: rusqlite::Params>(&self, tail: &str, params: P) -> Result<Vec<PostureRow>> {
        let sql = format!("SELECT id, taken_on, kind, created_at, photo, data FROM posture_checks {tail}");
        let mut stmt = self.conn.prepare(&sql).map_err(|e| self.err(e))?;
        let rows = stmt
            .query_map(params, |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, String>(3)?,
                    r.get::<_, Option<String>>(4)?,
                    r.get::<_, String>(5)?,
                ))
            })
            .map_err(|e| self.err(e))?;
        let mut out = Vec::new();
        for row in rows {
            let (id, taken_on, kind, created_at, photo, data) = row.map_err(|e| self.err(e))?;
            let decode = |detail: String| StoreError::Decode { what: "posture check", id, detail };
            out.push(PostureRow {
                id,
                taken_on: taken_on.parse().map_err(|e: jiff::Error| decode(e.to_string()))?,
                kind,
                created_at: created_at.parse().map_err(|e: jiff::Error| decode(e.to_string()))?,
                photo,
                data: serde_json::from_str(&data).map_err(|e| decode(e.to_string()))?,
            });
        }
        Ok(out)
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

    /// Screening records from `sql` (selecting `id, data, clinician_checked_at`), with the id and the clinician
    /// check taken from their columns (the check is set after the record is written).
    fn screening_rows(&self, sql: &str) -> Result<Vec<ScreeningRecord>> {
        let mut stmt = self.conn.prepare(sql).map_err(|e| self.err(e))?;
        let rows = stmt
            .query_map([], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?, r.get::<_, Option<String>>(2)?)))
            .map_err(|e| self.err(e))?;
        let mut out = Vec::new();
        for row in rows {
            let (id, json, checked) = row.map_err(|e| self.err(e))?;
            let mut r: ScreeningRecord = serde_json::from_str(&json).map_err(|e| StoreError::Decode {
                what: "screening",
                id,
                detail: e.to_string(),
            })?;
            r.id = Some(id);
            r.clinician_checked_at = checked.and_then(|c| c.parse().ok());
            out.push(r);
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
            ErrorCode::DiskFull => return StoreError::DiskFull { path: path.to_string() },
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

/// The kebab-case name serde gives an enum value, for the indexed text columns.
fn enum_name<T: Serialize>(v: &T) -> String {
    serde_json::to_value(v).ok().and_then(|j| j.as_str().map(str::to_string)).unwrap_or_default()
}

fn from_name<T: DeserializeOwned>(name: &str) -> Option<T> {
    serde_json::from_value(serde_json::Value::String(name.to_string())).ok()
}

/// The fields of a stored summary that a list row shows (the source path comes from its column).
///
/// Lists decode many summaries — the runs page 200 on every view, insights all of them — and most of each summary
/// is its laps (a decade of auto-laps is ~700 KB of JSON per 200 runs). Every field here comes before `laps` in the
/// document ([`Activity`]'s field order), so [`listed_summary`] parses only the part before the laps; the test
/// `list_rows_read_only_the_part_before_the_laps` fails if that order changes.
#[derive(Debug, PartialEq, serde::Deserialize)]
struct ListedSummary {
    start: Timestamp,
    utc_offset_s: Option<i32>,
    sport: Sport,
    name: Option<String>,
    distance_m: f64,
    elapsed_s: f64,
    moving_s: f64,
    ascent_m: Option<f64>,
    avg_hr_bpm: Option<f64>,
}

/// A summary's list fields: from the part before `"laps"` closed as an object, or from the whole document if that
/// part does not parse. (`,"laps":` cannot occur inside a JSON string, whose quotes are escaped, and no object
/// before the laps has a `laps` key, so the first match is the activity's own.)
fn listed_summary(summary: &str) -> serde_json::Result<ListedSummary> {
    if let Some(end) = summary.find(",\"laps\":") {
        let head = format!("{}}}", &summary[..end]);
        if let Ok(listed) = serde_json::from_str(&head) {
            return Ok(listed);
        }
    }
    serde_json::from_str(summary)
}

/// The summary document: the activity without its sample stream (stored separately, compactly).
fn summary_json(a: &Activity) -> Result<String> {
    let copy = Activity { samples: Samples::default(), ..a.clone() };
    serde_json::to_string(&copy).map_err(|e| StoreError::Sql(format!("cannot encode activity: {e}")))
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
        // Only the newest row (the last of `screenings()`'s order): every page asks for it, and a runner re-screened
        // monthly for years has over a hundred documents that would otherwise all be decoded each time. The id is
        // picked first so that SQLite's sort only carries ids, not every document.
        Ok(self
            .screening_rows(
                "SELECT id, data, clinician_checked_at FROM screenings
                 WHERE id = (SELECT id FROM screenings ORDER BY taken_at DESC, id DESC LIMIT 1)",
            )?
            .pop())
    }

    fn screenings(&self) -> Result<Vec<ScreeningRecord>> {
        self.screening_rows("SELECT id, data, clinician_checked_at FROM screenings ORDER BY taken_at, id")
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
        // The newest only, in `assessments()`'s order (see `latest_screening`).
        let latest = self
            .docs::<AssessmentRecord>(
                "assessment",
                "SELECT id, data FROM assessments
                 WHERE id = (SELECT id FROM assessments ORDER BY taken_at DESC, id DESC LIMIT 1)",
            )?
            .pop();
        Ok(latest.map(|(id, mut r)| {
            r.id = Some(id);
            r
        }))
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
        // The newest only, in `plans()`'s order: plan documents are ~30 KB, and Today and the plan page compare
        // against the latest on every view (see `latest_screening`).
        let latest = self
            .docs::<PlanRecord>(
                "plan",
                "SELECT id, data FROM plans WHERE id = (SELECT id FROM plans ORDER BY created_at DESC, id DESC LIMIT 1)",
            )?
            .pop();
        Ok(latest.map(|(id, mut r)| {
            r.id = Some(id);
            r
        }))
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

    fn add_activity(&self, a: &Activity, classification: Option<&Classification>) -> Result<AddOutcome> {
        let tx = self.write_tx()?;
        let same_file: Option<i64> = tx
            .query_row("SELECT id FROM activities WHERE content_hash = ?1", [&a.source.content_hash], |r| r.get(0))
            .optional()
            .map_err(|e| self.err(e))?;
        if let Some(existing) = same_file {
            return Ok(AddOutcome::DuplicateFile { existing });
        }
        let start = a.start.as_second();
        if let Some(existing) = self.same_recording(&tx, a)? {
            return Ok(AddOutcome::DuplicateRun { existing });
        }
        let values = activity_values(a, classification)?;
        let columns = ACTIVITY_COLUMNS.join(", ");
        let slots: Vec<String> = (1..=ACTIVITY_COLUMNS.len()).map(|i| format!("?{i}")).collect();
        tx.execute(
            &format!("INSERT INTO activities ({columns}) VALUES ({})", slots.join(", ")),
            rusqlite::params_from_iter(values.iter().map(Box::as_ref)),
        )
        .map_err(|e| self.err(e))?;
        let id = tx.last_insert_rowid();
        if a.sport.is_run() {
            self.mark_labels_stale(&tx, start)?;
        }
        tx.commit().map_err(|e| self.err(e))?;
        Ok(AddOutcome::Added { id })
    }

    fn replace_activity(&self, id: i64, a: &Activity, classification: Option<&Classification>) -> Result<bool> {
        let tx = self.write_tx()?;
        let old: Option<(i64, String)> = tx
            .query_row("SELECT start_epoch, sport FROM activities WHERE id = ?1", [id], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()
            .map_err(|e| self.err(e))?;
        let Some((old_start, old_sport)) = old else { return Ok(false) };
        let start = a.start.as_second();
        let mut values = activity_values(a, classification)?;
        values.push(Box::new(id));
        let set: Vec<String> = ACTIVITY_COLUMNS.iter().enumerate().map(|(i, c)| format!("{c} = ?{}", i + 1)).collect();
        // The row keeps its id, so the runner's context and the pain reports linked to the run stay with it.
        tx.execute(
            &format!("UPDATE activities SET {} WHERE id = ?{}", set.join(", "), ACTIVITY_COLUMNS.len() + 1),
            rusqlite::params_from_iter(values.iter().map(Box::as_ref)),
        )
        .map_err(|e| self.err(e))?;
        if a.sport.is_run() || from_name(&old_sport).is_some_and(Sport::is_run) {
            self.mark_labels_stale(&tx, start.min(old_start))?;
        }
        tx.commit().map_err(|e| self.err(e))?;
        Ok(true)
    }

    fn activity(&self, id: i64) -> Result<Option<StoredActivity>> {
        let row: Option<(String, Option<String>, Vec<u8>)> = self
            .conn
            .query_row("SELECT summary, classification, samples FROM activities WHERE id = ?1", [id], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?))
            })
            .optional()
            .map_err(|e| self.err(e))?;
        let Some((summary, class, blob)) = row else { return Ok(None) };
        let decode = |detail: String| StoreError::Decode { what: "activity", id, detail };
        let mut activity: Activity = serde_json::from_str(&summary).map_err(|e| decode(e.to_string()))?;
        activity.samples = codec::decode(&blob).map_err(|e| decode(e.to_string()))?;
        let classification = class.map(|c| serde_json::from_str(&c)).transpose().map_err(|e| decode(e.to_string()))?;
        Ok(Some(StoredActivity { id, activity, classification }))
    }

    fn activities(&self, f: &ActivityFilter) -> Result<Vec<ActivityRow>> {
        let mut sql = String::from("SELECT id, summary, label, source_path FROM activities WHERE 1 = 1");
        let mut args: Vec<Box<dyn rusqlite::ToSql>> = Vec::new();
        if let Some(from) = f.from {
            sql.push_str(" AND start_epoch >= ?");
            args.push(Box::new(from.as_second()));
        }
        if let Some(to) = f.to {
            sql.push_str(" AND start_epoch < ?");
            args.push(Box::new(to.as_second()));
        }
        if let Some(label) = f.label {
            sql.push_str(" AND label = ?");
            args.push(Box::new(enum_name(&label)));
        }
        if f.kind != ActivityKind::All {
            let runs: Vec<String> = RUN_SPORTS.iter().map(|s| format!("'{}'", enum_name(s))).collect();
            let not = if f.kind == ActivityKind::Runs { "" } else { "NOT " };
            sql.push_str(&format!(" AND sport {not}IN ({})", runs.join(", ")));
        }
        sql.push_str(" ORDER BY start_epoch DESC, id DESC");
        if let Some(limit) = f.limit {
            sql.push_str(&format!(" LIMIT {limit}"));
        }
        let mut stmt = self.conn.prepare(&sql).map_err(|e| self.err(e))?;
        let params: Vec<&dyn rusqlite::ToSql> = args.iter().map(|b| b.as_ref()).collect();
        let mut rows = stmt.query(params.as_slice()).map_err(|e| self.err(e))?;
        let mut out = Vec::new();
        while let Some(row) = rows.next().map_err(|e| self.err(e))? {
            let id: i64 = row.get(0).map_err(|e| self.err(e))?;
            let label: Option<String> = row.get(2).map_err(|e| self.err(e))?;
            let source_path: String = row.get(3).map_err(|e| self.err(e))?;
            let decode = |detail: String| StoreError::Decode { what: "activity", id, detail };
            // The summary is read in place from SQLite's buffer rather than copied into a String per row.
            let summary = row.get_ref(1).map_err(|e| self.err(e))?.as_str().map_err(|e| decode(e.to_string()))?;
            let a = listed_summary(summary).map_err(|e| decode(e.to_string()))?;
            out.push(ActivityRow {
                id,
                start: a.start,
                utc_offset_s: a.utc_offset_s,
                sport: a.sport,
                name: a.name,
                distance_m: a.distance_m,
                elapsed_s: a.elapsed_s,
                moving_s: a.moving_s,
                ascent_m: a.ascent_m,
                avg_hr_bpm: a.avg_hr_bpm,
                label: label.as_deref().and_then(from_name::<RunLabel>),
                source_path,
            });
        }
        Ok(out)
    }

    fn run_summaries(&self, from: Timestamp, to: Timestamp) -> Result<Vec<RunSummary>> {
        let mut stmt = self
            .conn
            .prepare(
                "SELECT start_utc, sport, distance_m, moving_s FROM activities
                 WHERE start_epoch >= ?1 AND start_epoch < ?2 ORDER BY start_epoch",
            )
            .map_err(|e| self.err(e))?;
        let rows = stmt
            .query_map(params![from.as_second(), to.as_second()], |r| {
                Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?, r.get::<_, f64>(2)?, r.get::<_, f64>(3)?))
            })
            .map_err(|e| self.err(e))?;
        let mut out = Vec::new();
        for row in rows {
            let (start, sport, distance_m, moving_s) = row.map_err(|e| self.err(e))?;
            let is_run = from_name::<runtall_domain::activity::Sport>(&sport).is_some_and(|s| s.is_run());
            if let (true, Ok(start)) = (is_run, start.parse()) {
                out.push(RunSummary { start, distance_m, moving_s });
            }
        }
        Ok(out)
    }

    fn set_classification(&self, id: i64, c: &Classification) -> Result<()> {
        let json = serde_json::to_string(c).map_err(|e| StoreError::Sql(e.to_string()))?;
        let n = self
            .conn
            .execute(
                "UPDATE activities SET classification = ?1, label = ?2 WHERE id = ?3",
                params![json, enum_name(&c.label), id],
            )
            .map_err(|e| self.err(e))?;
        if n == 0 {
            return Err(StoreError::NotFound { what: "activity", id });
        }
        Ok(())
    }

    fn add_pain_report(&self, r: &PainReport) -> Result<i64> {
        let mut stored = r.clone();
        stored.id = None;
        self.insert_doc(
            "INSERT INTO pain_reports (at_epoch, run_id, data) VALUES (?1, ?2, ?3)",
            &[&r.at.as_second(), &r.run_id],
            &stored,
        )
    }

    fn pain_reports(&self, from: Timestamp, to: Timestamp) -> Result<Vec<PainReport>> {
        let mut stmt = self
            .conn
            .prepare("SELECT id, data FROM pain_reports WHERE at_epoch >= ?1 AND at_epoch < ?2 ORDER BY at_epoch, id")
            .map_err(|e| self.err(e))?;
        let rows = stmt
            .query_map(params![from.as_second(), to.as_second()], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?)))
            .map_err(|e| self.err(e))?;
        let mut out = Vec::new();
        for row in rows {
            let (id, json) = row.map_err(|e| self.err(e))?;
            let mut report: PainReport = serde_json::from_str(&json).map_err(|e| StoreError::Decode {
                what: "pain report",
                id,
                detail: e.to_string(),
            })?;
            report.id = Some(id);
            out.push(report);
        }
        Ok(out)
    }

    fn delete_pain_report(&self, id: i64) -> Result<bool> {
        let n = self.conn.execute("DELETE FROM pain_reports WHERE id = ?1", params![id]).map_err(|e| self.err(e))?;
        Ok(n > 0)
    }

    fn delete_activity(&self, id: i64) -> Result<bool> {
        let tx = self.write_tx()?;
        let start: Option<i64> = tx
            .query_row("SELECT start_epoch FROM activities WHERE id = ?1", [id], |r| r.get(0))
            .optional()
            .map_err(|e| self.err(e))?;
        if let Some(start) = start {
            // Later runs were labelled with this one in their history.
            self.mark_labels_stale(&tx, start)?;
        }
        // The report's own record names the run too (the column is for the index): unlink both.
        let linked: Vec<(i64, String)> = {
            let mut stmt =
                tx.prepare("SELECT id, data FROM pain_reports WHERE run_id = ?1").map_err(|e| self.err(e))?;
            let rows = stmt
                .query_map(params![id], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?)))
                .map_err(|e| self.err(e))?;
            rows.collect::<std::result::Result<_, _>>().map_err(|e| self.err(e))?
        };
        for (pain_id, json) in linked {
            let mut report: PainReport = serde_json::from_str(&json).map_err(|e| StoreError::Decode {
                what: "pain report",
                id: pain_id,
                detail: e.to_string(),
            })?;
            report.run_id = None;
            report.id = None;
            let json =
                serde_json::to_string(&report).map_err(|e| StoreError::Sql(format!("cannot encode record: {e}")))?;
            tx.execute("UPDATE pain_reports SET run_id = NULL, data = ?2 WHERE id = ?1", params![pain_id, json])
                .map_err(|e| self.err(e))?;
        }
        // run_context goes with it (ON DELETE CASCADE).
        let n = tx.execute("DELETE FROM activities WHERE id = ?1", params![id]).map_err(|e| self.err(e))?;
        tx.commit().map_err(|e| self.err(e))?;
        Ok(n > 0)
    }

    fn put_day_log(&self, log: &DayLog) -> Result<()> {
        let json = serde_json::to_string(log).map_err(|e| StoreError::Sql(e.to_string()))?;
        self.conn
            .execute(
                "INSERT INTO day_logs (date, data) VALUES (?1, ?2) ON CONFLICT (date) DO UPDATE SET data = excluded.data",
                params![log.date.to_string(), json],
            )
            .map_err(|e| self.err(e))?;
        Ok(())
    }

    fn day_logs(&self, from: Date, to: Date) -> Result<Vec<DayLog>> {
        let mut stmt = self
            .conn
            .prepare("SELECT rowid, data FROM day_logs WHERE date >= ?1 AND date <= ?2 ORDER BY date")
            .map_err(|e| self.err(e))?;
        let rows = stmt
            .query_map(params![from.to_string(), to.to_string()], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?)))
            .map_err(|e| self.err(e))?;
        let mut out = Vec::new();
        for row in rows {
            let (id, json) = row.map_err(|e| self.err(e))?;
            out.push(serde_json::from_str(&json).map_err(|e| StoreError::Decode {
                what: "day log",
                id,
                detail: e.to_string(),
            })?);
        }
        Ok(out)
    }

    fn put_run_context(&self, ctx: &RunContext) -> Result<()> {
        let json = serde_json::to_string(ctx).map_err(|e| StoreError::Sql(e.to_string()))?;
        let n = self
            .conn
            .execute(
                "INSERT INTO run_context (run_id, data) SELECT ?1, ?2 WHERE EXISTS (SELECT 1 FROM activities WHERE id = ?1)
                 ON CONFLICT (run_id) DO UPDATE SET data = excluded.data",
                params![ctx.run_id, json],
            )
            .map_err(|e| self.err(e))?;
        if n == 0 {
            return Err(StoreError::NotFound { what: "run", id: ctx.run_id });
        }
        Ok(())
    }

    fn run_context(&self, run_id: i64) -> Result<Option<RunContext>> {
        let json: Option<String> = self
            .conn
            .query_row("SELECT data FROM run_context WHERE run_id = ?1", [run_id], |r| r.get(0))
            .optional()
            .map_err(|e| self.err(e))?;
        json.map(|j| {
            serde_json::from_str(&j).map_err(|e| StoreError::Decode {
                what: "run context",
                id: run_id,
                detail: e.to_string(),
            })
        })
        .transpose()
    }

    fn run_contexts(&self) -> Result<Vec<RunContext>> {
        Ok(self
            .docs("run context", "SELECT run_id, data FROM run_context ORDER BY run_id")?
            .into_iter()
            .map(|(_, c)| c)
            .collect())
    }

    fn export_journal(&self) -> Result<Journal> {
        let mut stmt = self
            .conn
            .prepare("SELECT id, content_hash, summary, label FROM activities ORDER BY start_epoch, id")
            .map_err(|e| self.err(e))?;
        let rows = stmt
            .query_map([], |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, Option<String>>(3)?,
                ))
            })
            .map_err(|e| self.err(e))?;
        let contexts: std::collections::HashMap<i64, RunContext> =
            self.run_contexts()?.into_iter().map(|c| (c.run_id, c)).collect();
        let mut keys = std::collections::HashMap::new();
        let mut runs = Vec::new();
        for row in rows {
            let (id, key, summary, label) = row.map_err(|e| self.err(e))?;
            let a: Activity = serde_json::from_str(&summary).map_err(|e| StoreError::Decode {
                what: "activity",
                id,
                detail: e.to_string(),
            })?;
            let c = contexts.get(&id);
            keys.insert(id, key.clone());
            runs.push(JournalRun {
                key,
                start: a.start,
                sport: a.sport,
                label: label.as_deref().and_then(from_name),
                distance_m: a.distance_m,
                moving_s: a.moving_s,
                elapsed_s: a.elapsed_s,
                name: a.name,
                pack: c.and_then(|c| c.pack),
                surface: c.and_then(|c| c.surface),
                ate_within_2h: c.and_then(|c| c.ate_within_2h),
                pre_run_done: c.and_then(|c| c.pre_run_done),
                post_run_done: c.and_then(|c| c.post_run_done),
            });
        }
        let pain = self
            .pain_reports(Timestamp::MIN, Timestamp::MAX)?
            .into_iter()
            .map(|p| JournalPain {
                at: p.at,
                timing: p.timing,
                region: p.region,
                intensity: p.intensity,
                run: p.run_id.and_then(|id| keys.get(&id).cloned()),
                notes: p.notes,
            })
            .collect();
        let days = self.day_logs(Date::MIN, Date::MAX)?;
        Ok(Journal { runs, pain, days })
    }

    fn import_journal_records(
        &self,
        records: &mut dyn Iterator<Item = std::result::Result<Record, LineError>>,
    ) -> Result<JournalImportStats> {
        let mut stats = JournalImportStats::default();
        // One write transaction for the whole stream: any error below drops it, and nothing is kept.
        let tx = self.write_tx()?;
        // Pain reports that named a run appearing later in the file: linked once the stream is through.
        let mut forward: Vec<(i64, String)> = Vec::new();
        for record in records {
            match record.map_err(StoreError::Journal)? {
                Record::Run(r) => {
                    self.import_journal_run(&tx, &r, &mut stats)?;
                }
                Record::Pain(p) => {
                    let run_id = match &p.run {
                        Some(k) => self.run_id_by_key(&tx, k)?,
                        None => None,
                    };
                    let report = p.to_report(run_id);
                    let json = serde_json::to_string(&report).map_err(|e| StoreError::Sql(e.to_string()))?;
                    let dup: bool = tx
                        .query_row(
                            "SELECT EXISTS (SELECT 1 FROM pain_reports WHERE at_epoch = ?1 AND data = ?2)",
                            params![p.at.as_second(), json],
                            |row| row.get(0),
                        )
                        .map_err(|e| self.err(e))?;
                    if dup {
                        stats.pain_duplicates += 1;
                        continue;
                    }
                    tx.execute(
                        "INSERT INTO pain_reports (at_epoch, run_id, data) VALUES (?1, ?2, ?3)",
                        params![p.at.as_second(), run_id, json],
                    )
                    .map_err(|e| self.err(e))?;
                    if let (Some(k), None) = (&p.run, run_id) {
                        forward.push((tx.last_insert_rowid(), k.clone()));
                    }
                    stats.pain_added += 1;
                }
                Record::Day(d) => {
                    let json = serde_json::to_string(&d).map_err(|e| StoreError::Sql(e.to_string()))?;
                    tx.execute(
                        "INSERT INTO day_logs (date, data) VALUES (?1, ?2) ON CONFLICT (date) DO UPDATE SET data = excluded.data",
                        params![d.date.to_string(), json],
                    )
                    .map_err(|e| self.err(e))?;
                    stats.days += 1;
                }
            }
        }
        for (pain_id, key) in forward {
            let Some(run_id) = self.run_id_by_key(&tx, &key)? else { continue };
            let json: String = tx
                .query_row("SELECT data FROM pain_reports WHERE id = ?1", [pain_id], |r| r.get(0))
                .map_err(|e| self.err(e))?;
            let mut report: PainReport = serde_json::from_str(&json).map_err(|e| StoreError::Decode {
                what: "pain report",
                id: pain_id,
                detail: e.to_string(),
            })?;
            report.run_id = Some(run_id);
            let json = serde_json::to_string(&report).map_err(|e| StoreError::Sql(e.to_string()))?;
            tx.execute("UPDATE pain_reports SET run_id = ?2, data = ?3 WHERE id = ?1", params![pain_id, run_id, json])
                .map_err(|e| self.err(e))?;
        }
        tx.commit().map_err(|e| self.err(e))?;
        Ok(stats)
    }

    fn put_session(
        &self,
        started_at: Timestamp,
        routine_id: &str,
        completed: bool,
        record: &serde_json::Value,
    ) -> Result<()> {
        let key = format!("{}|{routine_id}", started_at.as_millisecond());
        self.conn
            .execute(
                "INSERT INTO routine_sessions (key, started_epoch, routine_id, completed, data) VALUES (?1, ?2, ?3, ?4, ?5)
                 ON CONFLICT (key) DO UPDATE SET completed = excluded.completed, data = excluded.data",
                params![key, started_at.as_second(), routine_id, completed, record.to_string()],
            )
            .map_err(|e| self.err(e))?;
        Ok(())
    }

    fn sessions(&self, from: Timestamp, to: Timestamp) -> Result<Vec<SessionRow>> {
        let mut stmt = self
            .conn
            .prepare(
                "SELECT rowid, key, routine_id, completed, data FROM routine_sessions
                 WHERE started_epoch >= ?1 AND started_epoch < ?2 ORDER BY started_epoch",
            )
            .map_err(|e| self.err(e))?;
        let rows = stmt
            .query_map(params![from.as_second(), to.as_second()], |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, bool>(3)?,
                    r.get::<_, String>(4)?,
                ))
            })
            .map_err(|e| self.err(e))?;
        let mut out = Vec::new();
        for row in rows {
            let (id, key, routine_id, completed, data) = row.map_err(|e| self.err(e))?;
            let millis: i64 = key.split('|').next().and_then(|m| m.parse().ok()).unwrap_or(0);
            let started_at = Timestamp::from_millisecond(millis).map_err(|e| StoreError::Decode {
                what: "session",
                id,
                detail: e.to_string(),
            })?;
            let record = serde_json::from_str(&data).map_err(|e| StoreError::Decode {
                what: "session",
                id,
                detail: e.to_string(),
            })?;
            out.push(SessionRow { started_at, routine_id, completed, record });
        }
        Ok(out)
    }

    fn add_break_event(&self, at: Timestamp, kind: &str, event: &serde_json::Value) -> Result<()> {
        self.conn
            .execute(
                "INSERT INTO break_events (at_epoch, kind, data) VALUES (?1, ?2, ?3)",
                params![at.as_second(), kind, event.to_string()],
            )
            .map_err(|e| self.err(e))?;
        Ok(())
    }

    fn break_events(&self, from: Timestamp, to: Timestamp) -> Result<Vec<BreakEventRow>> {
        let mut stmt = self
            .conn
            .prepare("SELECT id, at_epoch, kind, data FROM break_events WHERE at_epoch >= ?1 AND at_epoch < ?2 ORDER BY at_epoch, id")
            .map_err(|e| self.err(e))?;
        let rows = stmt
            .query_map(params![from.as_second(), to.as_second()], |r| {
                Ok((r.get::<_, i64>(0)?, r.get::<_, i64>(1)?, r.get::<_, String>(2)?, r.get::<_, String>(3)?))
            })
            .map_err(|e| self.err(e))?;
        let mut out = Vec::new();
        for row in rows {
            let (id, at, kind, data) = row.map_err(|e| self.err(e))?;
            let at = Timestamp::from_second(at).map_err(|e| StoreError::Decode {
                what: "break event",
                id,
                detail: e.to_string(),
            })?;
            let event = serde_json::from_str(&data).map_err(|e| StoreError::Decode {
                what: "break event",
                id,
                detail: e.to_string(),
            })?;
            out.push(BreakEventRow { at, kind, event });
        }
        Ok(out)
    }

    fn put_experiment(&self, id: Option<i64>, started: Date, active: bool, data: &serde_json::Value) -> Result<i64> {
        let tx = self.write_tx()?;
        if active {
            tx.execute("UPDATE experiments SET active = 0 WHERE id IS NOT ?1", [id]).map_err(|e| self.err(e))?;
        }
        let id = match id {
            Some(id) => {
                let n = tx
                    .execute(
                        "UPDATE experiments SET started = ?1, active = ?2, data = ?3 WHERE id = ?4",
                        params![started.to_string(), active, data.to_string(), id],
                    )
                    .map_err(|e| self.err(e))?;
                if n == 0 {
                    return Err(StoreError::NotFound { what: "experiment", id });
                }
                id
            }
            None => {
                tx.execute(
                    "INSERT INTO experiments (started, active, data) VALUES (?1, ?2, ?3)",
                    params![started.to_string(), active, data.to_string()],
                )
                .map_err(|e| self.err(e))?;
                tx.last_insert_rowid()
            }
        };
        tx.commit().map_err(|e| self.err(e))?;
        Ok(id)
    }

    fn active_experiment(&self) -> Result<Option<(i64, serde_json::Value)>> {
        let row: Option<(i64, String)> = self
            .conn
            .query_row("SELECT id, data FROM experiments WHERE active = 1 ORDER BY id DESC LIMIT 1", [], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })
            .optional()
            .map_err(|e| self.err(e))?;
        row.map(|(id, data)| {
            serde_json::from_str(&data).map(|v| (id, v)).map_err(|e| StoreError::Decode {
                what: "experiment",
                id,
                detail: e.to_string(),
            })
        })
        .transpose()
    }

    fn experiments(&self) -> Result<Vec<(i64, bool, serde_json::Value)>> {
        let mut stmt =
            self.conn.prepare("SELECT id, active, data FROM experiments ORDER BY id DESC").map_err(|e| self.err(e))?;
        let rows = stmt
            .query_map([], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, bool>(1)?, r.get::<_, String>(2)?)))
            .map_err(|e| self.err(e))?;
        let mut out = Vec::new();
        for row in rows {
            let (id, active, data) = row.map_err(|e| self.err(e))?;
            let value = serde_json::from_str(&data).map_err(|e| StoreError::Decode {
                what: "experiment",
                id,
                detail: e.to_string(),
            })?;
            out.push((id, active, value));
        }
        Ok(out)
    }

    fn lessons_done(&self) -> Result<Vec<LessonDone>> {
        let mut stmt = self
            .conn
            .prepare("SELECT rowid, lesson_id, done_at FROM lesson_progress ORDER BY done_at, rowid")
            .map_err(|e| self.err(e))?;
        let rows = stmt
            .query_map([], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?, r.get::<_, String>(2)?)))
            .map_err(|e| self.err(e))?;
        let mut out = Vec::new();
        for row in rows {
            let (id, lesson_id, at) = row.map_err(|e| self.err(e))?;
            let done_at = at.parse::<Timestamp>().map_err(|e| StoreError::Decode {
                what: "lesson progress",
                id,
                detail: e.to_string(),
            })?;
            out.push(LessonDone { lesson_id, done_at });
        }
        Ok(out)
    }

    fn set_lesson_done(&self, lesson_id: &str, at: Option<Timestamp>) -> Result<()> {
        match at {
            Some(at) => self.conn.execute(
                "INSERT INTO lesson_progress (lesson_id, done_at) VALUES (?1, ?2) ON CONFLICT (lesson_id) DO NOTHING",
                params![lesson_id, ts(at)],
            ),
            None => self.conn.execute("DELETE FROM lesson_progress WHERE lesson_id = ?1", [lesson_id]),
        }
        .map_err(|e| self.err(e))?;
        Ok(())
    }

    fn setting(&self, key: &str) -> Result<Option<serde_json::Value>> {
        let row: Option<(i64, String)> = self
            .conn
            .query_row("SELECT rowid, data FROM settings WHERE key = ?1", [key], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()
            .map_err(|e| self.err(e))?;
        row.map(|(id, data)| {
            serde_json::from_str(&data).map_err(|e| StoreError::Decode { what: "setting", id, detail: e.to_string() })
        })
        .transpose()
    }

    fn put_setting(&self, key: &str, value: &serde_json::Value) -> Result<()> {
        self.conn
            .execute(
                "INSERT INTO settings (key, data, updated_at) VALUES (?1, ?2, ?3)
                 ON CONFLICT (key) DO UPDATE SET data = excluded.data, updated_at = excluded.updated_at",
                params![key, value.to_string(), ts(Timestamp::now())],
            )
            .map_err(|e| self.err(e))?;
        Ok(())
    }

    fn labels_stale_from(&self) -> Result<Option<(Timestamp, u64)>> {
        let (from, generation): (Option<i64>, i64) = self
            .conn
            .query_row("SELECT stale_from_epoch, generation FROM label_pass WHERE id = 1", [], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })
            .map_err(|e| self.err(e))?;
        Ok(from.and_then(|s| Timestamp::from_second(s).ok()).map(|t| (t, u64::try_from(generation).unwrap_or(0))))
    }

    fn finish_label_pass(&self, generation: u64) -> Result<bool> {
        let n = self
            .conn
            .execute(
                "UPDATE label_pass SET stale_from_epoch = NULL WHERE id = 1 AND generation = ?1",
                params![i64::try_from(generation).unwrap_or(i64::MAX)],
            )
            .map_err(|e| self.err(e))?;
        Ok(n > 0)
    }

    fn add_posture(&self, taken_on: Date, kind: &str, data: &serde_json::Value) -> Result<i64> {
        self.conn
            .execute(
                "INSERT INTO posture_checks (taken_on, kind, created_at, data) VALUES (?1, ?2, ?3, ?4)",
                params![taken_on.to_string(), kind, ts(Timestamp::now()), data.to_string()],
            )
            .map_err(|e| self.err(e))?;
        Ok(self.conn.last_insert_rowid())
    }

    fn postures(&self) -> Result<Vec<PostureRow>> {
        self.posture_rows("ORDER BY taken_on, id", [])
    }

    fn posture(&self, id: i64) -> Result<Option<PostureRow>> {
        Ok(self.posture_rows("WHERE id = ?1", [id])?.pop())
    }

    fn set_posture_photo(&self, id: i64, photo: Option<&str>) -> Result<()> {
        let n = self
            .conn
            .execute("UPDATE posture_checks SET photo = ?1 WHERE id = ?2", params![photo, id])
            .map_err(|e| self.err(e))?;
        if n == 0 {
            return Err(StoreError::NotFound { what: "posture check", id });
        }
        Ok(())
    }

    fn delete_posture(&self, id: i64) -> Result<bool> {
        let n = self.conn.execute("DELETE FROM posture_checks WHERE id = ?1", [id]).map_err(|e| self.err(e))?;
        Ok(n > 0)
    }

    fn journal_revision(&self) -> Result<u64> {
        let n: i64 = self
            .conn
            .query_row("SELECT n FROM journal_revision WHERE id = 1", [], |r| r.get(0))
            .map_err(|e| self.err(e))?;
        Ok(u64::try_from(n).unwrap_or(0))
    }

    fn holds_real_data(&self) -> Result<bool> {
        if let Some(p) = self.profile()? {
            return Ok(!p.demo);
        }
        let count: i64 = self
            .conn
            .query_row(
                "SELECT (SELECT COUNT(*) FROM screenings) + (SELECT COUNT(*) FROM assessments) + (SELECT COUNT(*) FROM plans)
                        + (SELECT COUNT(*) FROM activities) + (SELECT COUNT(*) FROM pain_reports)
                        + (SELECT COUNT(*) FROM day_logs) + (SELECT COUNT(*) FROM lesson_progress)
                        + (SELECT COUNT(*) FROM settings) + (SELECT COUNT(*) FROM posture_checks)",
                [],
                |r| r.get(0),
            )
            .map_err(|e| self.err(e))?;
        Ok(count > 0)
    }

    fn delete_all(&self) -> Result<()> {
        let tx = self.write_tx()?;
        tx.execute_batch("UPDATE label_pass SET stale_from_epoch = NULL, generation = generation + 1; DELETE FROM experiments; DELETE FROM routine_sessions; DELETE FROM break_events; DELETE FROM run_context; DELETE FROM pain_reports; DELETE FROM day_logs; DELETE FROM activities; DELETE FROM plans; DELETE FROM assessments; DELETE FROM screenings; DELETE FROM profile; DELETE FROM meta; DELETE FROM lesson_progress; DELETE FROM settings; DELETE FROM posture_checks;")
            .map_err(|e| self.err(e))?;
        tx.commit().map_err(|e| self.err(e))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use runtall_domain::activity::{Lap, RunningDynamics, SourceFile};

    /// Every list field set, and laps after them: the shortcut of [`listed_summary`] must read the same values as
    /// the whole document, or a reordering of [`Activity`]'s fields would silently blank them in lists.
    #[test]
    fn list_rows_read_only_the_part_before_the_laps() {
        let lap = Lap {
            start_offset_s: 0.0,
            elapsed_s: 300.0,
            moving_s: Some(300.0),
            distance_m: 1000.0,
            avg_speed_mps: Some(3.3),
            max_speed_mps: None,
            avg_hr_bpm: Some(150.0),
            max_hr_bpm: None,
            avg_cadence_spm: None,
            intensity: None,
            trigger: Some("distance".into()),
        };
        let a = Activity {
            sport: Sport::TrailRunning,
            sub_sport: Some("trail \"laps\": not a key".into()),
            name: Some("Name with ,\"laps\": inside".into()),
            start: "2026-05-01T07:00:00.5Z".parse().expect("time"),
            utc_offset_s: Some(7200),
            elapsed_s: 3700.0,
            moving_s: 3600.0,
            distance_m: 10_000.0,
            ascent_m: Some(250.0),
            descent_m: Some(240.0),
            avg_hr_bpm: Some(148.0),
            max_hr_bpm: Some(171.0),
            avg_cadence_spm: Some(172.0),
            avg_respiration_brpm: Some(32.0),
            dynamics: Some(RunningDynamics::default()),
            device: Some("watch".into()),
            quality: Default::default(),
            laps: vec![lap; 3],
            samples: Samples::default(),
            source: SourceFile { path: "a.fit".into(), format: "fit".into(), content_hash: "h".into() },
            warnings: vec!["w".into()],
        };
        let json = summary_json(&a).expect("encodes");
        let whole: ListedSummary = serde_json::from_str(&json).expect("whole document");
        assert_eq!(listed_summary(&json).expect("head"), whole);
        assert_eq!(whole.name.as_deref(), Some("Name with ,\"laps\": inside"));
        assert_eq!((whole.utc_offset_s, whole.ascent_m, whole.avg_hr_bpm), (Some(7200), Some(250.0), Some(148.0)));
        // A document the shortcut cannot cut still reads whole.
        assert_eq!(listed_summary(&json.replace("\"laps\"", "\"lap_list\"")).expect("whole"), whole);
    }
}
