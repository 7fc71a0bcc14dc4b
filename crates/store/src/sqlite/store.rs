//! [`Store`] on SQLite: every statement names the handle's athlete (`athlete_id = ?`), so another athlete's rows
//! are invisible and their ids behave as ids that do not exist.
//!
//! Each method takes the connection once and never calls another trait method while holding it (the lock is not
//! re-entrant); shared steps are private helpers that take the connection or transaction.

use super::{SqliteStore, write_tx};
use crate::codec;
use crate::columns::{
    OVERLAP_LOOKBACK_S, RUN_SPORTS, checked, comment_target, decode, encode, enum_name, from_micros, from_name, micros,
    parse_ts, ts,
};
use crate::{
    ActivityFilter, ActivityKind, ActivityRow, AddOutcome, AthleteId, BreakEventRow, EncodedActivity, JournalEntry,
    JournalImportStats, LessonDone, PostureRow, SessionRow, StoredActivity,
};
use crate::{PreparedActivity, Result, Store, StoreError, summary_json};
use jiff::civil::Date;
use jiff::{SignedDuration, Timestamp};
use runtall_domain::activity::{Activity, Sport, same_run, same_track};
use runtall_domain::assess::AssessmentRecord;
use runtall_domain::classify::{Classification, RunLabel, RunSummary};
use runtall_domain::clinic::{AuditEntry, Comment, ProgramChange};
use runtall_domain::journal::{DayLog, PainReport, RunContext};
use runtall_domain::journal_format::LineError;
use runtall_domain::plan::PlanRecord;
use runtall_domain::profile::Profile;
use runtall_domain::screen::ScreeningRecord;
use rusqlite::{Connection, OptionalExtension, Transaction, params};
use serde::de::DeserializeOwned;

/// The columns an activity row is written with (besides its athlete), in the order of [`activity_values`].
const ACTIVITY_COLUMNS: [&str; 18] = [
    "start_epoch",
    "start_utc",
    "utc_offset_s",
    "sport",
    "label",
    "name",
    "distance_m",
    "elapsed_s",
    "moving_s",
    "ascent_m",
    "avg_hr_bpm",
    "content_hash",
    "source_path",
    "format",
    "imported_at",
    "summary",
    "classification",
    "samples",
];

/// An activity's stored form when the caller made it beforehand ([`PreparedActivity`]) or brought the samples
/// already in the codec (a journal's run): used as they are instead of encoding `a` again.
#[derive(Clone, Copy, Default)]
struct Made<'a> {
    /// The summary document ([`summary_json`] of the activity).
    summary: Option<&'a str>,
    /// The samples in the codec (checked by the caller).
    blob: Option<&'a [u8]>,
}

impl<'a> Made<'a> {
    fn blob(blob: Option<&'a [u8]>) -> Self {
        Made { summary: None, blob }
    }

    fn prepared(p: &'a PreparedActivity) -> Self {
        Made { summary: Some(p.summary()), blob: Some(p.samples_blob()) }
    }
}

/// The values of [`ACTIVITY_COLUMNS`] for one activity, for inserting it or replacing a stored copy. What `made`
/// holds is bound as it is (borrowed, not copied); the rest is encoded from `a`.
fn activity_values<'a>(
    a: &Activity,
    c: Option<&Classification>,
    made: Made<'a>,
) -> Result<Vec<Box<dyn rusqlite::ToSql + 'a>>> {
    let summary: Box<dyn rusqlite::ToSql + 'a> = match made.summary {
        Some(s) => Box::new(s),
        None => Box::new(summary_json(a)?),
    };
    let samples: Box<dyn rusqlite::ToSql + 'a> = match made.blob {
        Some(b) => Box::new(b),
        None => Box::new(codec::encode(&a.samples)),
    };
    Ok(vec![
        Box::new(a.start.as_second()),
        Box::new(ts(a.start)),
        Box::new(a.utc_offset_s),
        Box::new(enum_name(&a.sport)),
        Box::new(c.map(|c| enum_name(&c.label))),
        Box::new(a.name.clone()),
        Box::new(a.distance_m),
        Box::new(a.elapsed_s),
        Box::new(a.moving_s),
        Box::new(a.ascent_m),
        Box::new(a.avg_hr_bpm),
        Box::new(a.source.content_hash.clone()),
        Box::new(a.source.path.clone()),
        Box::new(a.source.format.clone()),
        Box::new(ts(Timestamp::now())),
        summary,
        Box::new(c.map(|c| encode("classification", c)).transpose()?),
        samples,
    ])
}

const ATHLETE_TABLES: [&str; 17] = [
    "experiments",
    "routine_sessions",
    "break_events",
    "run_context",
    "pain_reports",
    "day_logs",
    "activities",
    "plans",
    "assessments",
    "screenings",
    "profile",
    "lesson_progress",
    "settings",
    "posture_checks",
    "program_changes",
    "clinician_comments",
    "audit_log",
];

impl SqliteStore {
    /// `(id, document)` rows of `sql`, which selects those two columns and takes the athlete as `?1`.
    fn docs<T: DeserializeOwned>(&self, conn: &Connection, what: &'static str, sql: &str) -> Result<Vec<(i64, T)>> {
        let mut stmt = conn.prepare(sql).map_err(|e| self.err(e))?;
        let rows = stmt
            .query_map([self.me()], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?)))
            .map_err(|e| self.err(e))?;
        let mut out = Vec::new();
        for row in rows {
            let (id, json) = row.map_err(|e| self.err(e))?;
            out.push((id, decode(what, id, &json)?));
        }
        Ok(out)
    }

    /// Inserts a document row: `sql` takes the athlete as `?1`, then `cols`, then the document.
    fn insert_doc<T: serde::Serialize>(
        &self,
        conn: &Connection,
        what: &'static str,
        sql: &str,
        cols: &[&dyn rusqlite::ToSql],
        doc: &T,
    ) -> Result<i64> {
        let json = encode(what, doc)?;
        let me = self.me();
        let mut values: Vec<&dyn rusqlite::ToSql> = vec![&me];
        values.extend_from_slice(cols);
        values.push(&json);
        conn.execute(sql, values.as_slice()).map_err(|e| self.err(e))?;
        Ok(conn.last_insert_rowid())
    }

    /// Whether the athlete has a row with this id in `table` (for references a record makes to another).
    fn owns(&self, conn: &Connection, table: &str, id: i64) -> Result<bool> {
        conn.query_row(
            &format!("SELECT EXISTS (SELECT 1 FROM {table} WHERE id = ?1 AND athlete_id = ?2)"),
            params![id, self.me()],
            |r| r.get(0),
        )
        .map_err(|e| self.err(e))
    }

    /// Screening records from `sql` (selecting `id, data, clinician_checked_at` for athlete `?1`), with the id and
    /// the clinician check taken from their columns (the check is set after the record is written).
    fn screening_rows(&self, sql: &str) -> Result<Vec<ScreeningRecord>> {
        let conn = self.conn();
        let mut stmt = conn.prepare(sql).map_err(|e| self.err(e))?;
        let rows = stmt
            .query_map([self.me()], |r| {
                Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?, r.get::<_, Option<String>>(2)?))
            })
            .map_err(|e| self.err(e))?;
        let mut out = Vec::new();
        for row in rows {
            let (id, json, checked) = row.map_err(|e| self.err(e))?;
            let mut r: ScreeningRecord = decode("screening", id, &json)?;
            r.id = Some(id);
            r.clinician_checked_at = checked.map(|c| parse_ts(&c, "screening", id)).transpose()?;
            out.push(r);
        }
        Ok(out)
    }

    /// Documents that carry their id in an `id` field (assessments, plans) from `sql`, with the id set.
    fn records<T: DeserializeOwned>(&self, what: &'static str, sql: &str, set_id: fn(&mut T, i64)) -> Result<Vec<T>> {
        let rows: Vec<(i64, T)> = self.docs(&self.conn(), what, sql)?;
        Ok(rows
            .into_iter()
            .map(|(id, mut r)| {
                set_id(&mut r, id);
                r
            })
            .collect())
    }

    fn posture_rows(&self, tail: &str, id: Option<i64>) -> Result<Vec<PostureRow>> {
        let sql = format!(
            "SELECT id, taken_on, kind, created_at, photo, data FROM posture_checks
             WHERE athlete_id = ?1 AND (?2 IS NULL OR id = ?2) {tail}"
        );
        let conn = self.conn();
        let mut stmt = conn.prepare(&sql).map_err(|e| self.err(e))?;
        let rows = stmt
            .query_map(params![self.me(), id], |r| {
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
            let bad = |detail: String| StoreError::Decode { what: "posture check", id, detail };
            out.push(PostureRow {
                id,
                taken_on: taken_on.parse().map_err(|e: jiff::Error| bad(e.to_string()))?,
                kind,
                created_at: parse_ts(&created_at, "posture check", id)?,
                photo,
                data: decode("posture check", id, &data)?,
            });
        }
        Ok(out)
    }

    /// [`Store::add_activities`], with the stored forms made beforehand when `prepared` is given.
    fn add_batch(
        &self,
        batch: &[Activity],
        prepared: Option<&[PreparedActivity]>,
        history: SignedDuration,
        label: &mut dyn FnMut(&Activity, &[RunSummary]) -> Classification,
    ) -> Result<Vec<AddOutcome>> {
        let conn = self.conn();
        let tx = write_tx(&conn).map_err(|e| self.err(e))?;
        let mut out = Vec::with_capacity(batch.len());
        let mut stale_from: Option<i64> = None;
        for (i, a) in batch.iter().enumerate() {
            if let Some(existing) = self.run_id_by_key(&tx, &a.source.content_hash)? {
                out.push(AddOutcome::DuplicateFile { existing });
                continue;
            }
            if let Some(existing) = self.same_recording(&tx, a)? {
                out.push(AddOutcome::DuplicateRun { existing });
                continue;
            }
            let c = if a.sport.is_run() {
                let from = a.start.checked_sub(history).unwrap_or(Timestamp::MIN);
                Some(label(a, &self.summaries(&tx, from, a.start)?))
            } else {
                None
            };
            let made = prepared.and_then(|p| p.get(i)).map_or_else(Made::default, Made::prepared);
            let id = self.insert_activity(&tx, a, c.as_ref(), made)?;
            if a.sport.is_run() {
                let start = a.start.as_second();
                stale_from = Some(stale_from.map_or(start, |s| s.min(start)));
            }
            out.push(AddOutcome::Added { id });
        }
        if let Some(start) = stale_from {
            self.mark_labels_stale(&tx, start)?;
        }
        tx.commit().map_err(|e| self.err(e))?;
        Ok(out)
    }

    /// Marks run labels from `start` on as needing the pass again (inside the caller's write transaction).
    fn mark_labels_stale(&self, tx: &Transaction<'_>, start: i64) -> Result<()> {
        tx.execute(
            "UPDATE label_pass SET stale_from_epoch = MIN(COALESCE(stale_from_epoch, ?1), ?1), generation = generation + 1
             WHERE athlete_id = ?2",
            params![start, self.me()],
        )
        .map_err(|e| self.err(e))?;
        Ok(())
    }

    /// The athlete's stored run with this journal key (its content hash), if any.
    fn run_id_by_key(&self, tx: &Transaction<'_>, key: &str) -> Result<Option<i64>> {
        // Cached statements here and below: an import's batch runs them once per activity in one transaction.
        tx.prepare_cached("SELECT id FROM activities WHERE athlete_id = ?1 AND content_hash = ?2")
            .and_then(|mut stmt| stmt.query_row(params![self.me(), key], |row| row.get(0)).optional())
            .map_err(|e| self.err(e))
    }

    /// Inserts an activity row (no duplicate checks) and returns its id.
    fn insert_activity(
        &self,
        tx: &Transaction<'_>,
        a: &Activity,
        c: Option<&Classification>,
        made: Made<'_>,
    ) -> Result<i64> {
        static INSERT: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
            let slots: Vec<String> = (1..=ACTIVITY_COLUMNS.len() + 1).map(|i| format!("?{i}")).collect();
            format!(
                "INSERT INTO activities (athlete_id, {}) VALUES ({})",
                ACTIVITY_COLUMNS.join(", "),
                slots.join(", ")
            )
        });
        let mut values: Vec<Box<dyn rusqlite::ToSql + '_>> = vec![Box::new(self.me())];
        values.extend(activity_values(a, c, made)?);
        tx.prepare_cached(&INSERT)
            .and_then(|mut stmt| stmt.execute(rusqlite::params_from_iter(values.iter().map(Box::as_ref))))
            .map_err(|e| self.err(e))?;
        Ok(tx.last_insert_rowid())
    }

    /// A stored activity of this athlete that is the same recording as `a` (see [`same_run`] and [`same_track`]):
    /// time spans that overlap enough, and tracks that do not go different ways. Candidates are found on the start
    /// index: any activity starting up to [`OVERLAP_LOOKBACK_S`] before `a` and before it ends.
    fn same_recording(&self, tx: &Transaction<'_>, a: &Activity) -> Result<Option<i64>> {
        let start = a.start.as_second();
        let end = start + a.elapsed_s.max(0.0).ceil() as i64;
        let window = runtall_domain::activity::SAME_RUN_START_S;
        let mut candidates = Vec::new();
        {
            let mut stmt = tx
                .prepare_cached(
                    "SELECT id, start_utc, sport, elapsed_s FROM activities
                     WHERE athlete_id = ?1 AND start_epoch BETWEEN ?2 AND ?3 AND start_epoch + elapsed_s >= ?4",
                )
                .map_err(|e| self.err(e))?;
            let rows = stmt
                .query_map(
                    params![self.me(), start - OVERLAP_LOOKBACK_S, end.max(start + window), start - window],
                    |r| Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?, r.get::<_, String>(2)?, r.get::<_, f64>(3)?)),
                )
                .map_err(|e| self.err(e))?;
            for row in rows {
                let (id, start_utc, sport, elapsed) = row.map_err(|e| self.err(e))?;
                let (Ok(other_start), Some(other_sport)) = (start_utc.parse::<Timestamp>(), from_name(&sport)) else {
                    continue;
                };
                if same_run(a.start, a.sport, a.elapsed_s, other_start, other_sport, elapsed) {
                    candidates.push((id, other_start));
                }
            }
        }
        for (id, other_start) in candidates {
            // Two people's runs at the same hour (a shared account, a partner's watch) are told apart by position.
            let blob: Vec<u8> = tx
                .prepare_cached("SELECT samples FROM activities WHERE id = ?1")
                .and_then(|mut stmt| stmt.query_row([id], |r| r.get(0)))
                .map_err(|e| self.err(e))?;
            let other =
                codec::decode(&blob).map_err(|e| StoreError::Decode { what: "activity", id, detail: e.to_string() })?;
            if same_track(&a.samples, a.start, &other, other_start) != Some(false) {
                return Ok(Some(id));
            }
        }
        Ok(None)
    }

    /// Runs that started in `[from, to)`, oldest first (see [`Store::run_summaries`]), inside `conn`'s
    /// transaction when it has one.
    fn summaries(&self, conn: &Connection, from: Timestamp, to: Timestamp) -> Result<Vec<RunSummary>> {
        let mut stmt = conn
            .prepare_cached(
                "SELECT start_utc, sport, distance_m, moving_s FROM activities
                 WHERE athlete_id = ?1 AND start_epoch >= ?2 AND start_epoch < ?3 ORDER BY start_epoch",
            )
            .map_err(|e| self.err(e))?;
        let rows = stmt
            .query_map(params![self.me(), from.as_second(), to.as_second()], |r| {
                Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?, r.get::<_, f64>(2)?, r.get::<_, f64>(3)?))
            })
            .map_err(|e| self.err(e))?;
        let mut out = Vec::new();
        for row in rows {
            let (start, sport, distance_m, moving_s) = row.map_err(|e| self.err(e))?;
            let is_run = from_name::<Sport>(&sport).is_some_and(|s| s.is_run());
            if let (true, Ok(start)) = (is_run, start.parse()) {
                out.push(RunSummary { start, distance_m, moving_s });
            }
        }
        Ok(out)
    }

    /// Inserts or replaces a run's context (the run is known to be the athlete's).
    fn upsert_run_context(&self, tx: &Connection, ctx: &RunContext) -> Result<usize> {
        let json = encode("run context", ctx)?;
        tx.execute(
            "INSERT INTO run_context (run_id, athlete_id, data)
             SELECT ?1, ?2, ?3 WHERE EXISTS (SELECT 1 FROM activities WHERE id = ?1 AND athlete_id = ?2)
             ON CONFLICT (run_id) DO UPDATE SET data = excluded.data",
            params![ctx.run_id, self.me(), json],
        )
        .map_err(|e| self.err(e))
    }

    fn upsert_day_log(&self, conn: &Connection, log: &DayLog) -> Result<()> {
        let json = encode("day log", log)?;
        conn.execute(
            "INSERT INTO day_logs (athlete_id, date, data) VALUES (?1, ?2, ?3)
             ON CONFLICT (athlete_id, date) DO UPDATE SET data = excluded.data",
            params![self.me(), log.date.to_string(), json],
        )
        .map_err(|e| self.err(e))?;
        Ok(())
    }

    fn pain_rows(&self, conn: &Connection, from: Timestamp, to: Timestamp) -> Result<Vec<PainReport>> {
        let mut stmt = conn
            .prepare(
                "SELECT id, data FROM pain_reports WHERE athlete_id = ?1 AND at_epoch >= ?2 AND at_epoch < ?3
                 ORDER BY at_epoch, id",
            )
            .map_err(|e| self.err(e))?;
        let rows = stmt
            .query_map(params![self.me(), from.as_second(), to.as_second()], |r| {
                Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?))
            })
            .map_err(|e| self.err(e))?;
        let mut out = Vec::new();
        for row in rows {
            let (id, json) = row.map_err(|e| self.err(e))?;
            let mut report: PainReport = decode("pain report", id, &json)?;
            report.id = Some(id);
            out.push(report);
        }
        Ok(out)
    }

    /// Sets (or clears) the run a stored pain report names, in its column and in its document alike.
    fn relink_pain(&self, tx: &Transaction<'_>, pain_id: i64, run_id: Option<i64>) -> Result<()> {
        let json: String = tx
            .query_row(
                "SELECT data FROM pain_reports WHERE id = ?1 AND athlete_id = ?2",
                params![pain_id, self.me()],
                |r| r.get(0),
            )
            .map_err(|e| self.err(e))?;
        let mut report: PainReport = decode("pain report", pain_id, &json)?;
        report.run_id = run_id;
        report.id = None;
        let json = encode("pain report", &report)?;
        tx.execute(
            "UPDATE pain_reports SET run_id = ?2, data = ?3 WHERE id = ?1 AND athlete_id = ?4",
            params![pain_id, run_id, json, self.me()],
        )
        .map_err(|e| self.err(e))?;
        Ok(())
    }

    /// One journal run: matched to the athlete's stored run by key, or stored; then its context.
    fn import_run(
        &self,
        tx: &Transaction<'_>,
        activity: &Activity,
        classification: Option<&Classification>,
        context: Option<&RunContext>,
        blob: Option<&[u8]>,
        stats: &mut JournalImportStats,
    ) -> Result<()> {
        let id = match self.run_id_by_key(tx, &activity.source.content_hash)? {
            Some(id) => {
                stats.runs_matched += 1;
                id
            }
            None => {
                stats.runs_added += 1;
                self.insert_activity(tx, activity, classification, Made::blob(blob))?
            }
        };
        if let Some(c) = context {
            self.upsert_run_context(tx, &RunContext { run_id: id, ..c.clone() })?;
        }
        Ok(())
    }
}

impl Store for SqliteStore {
    fn athlete_id(&self) -> AthleteId {
        self.athlete
    }

    fn profile(&self) -> Result<Option<Profile>> {
        let json: Option<String> = self
            .conn()
            .query_row("SELECT data FROM profile WHERE athlete_id = ?1", [self.me()], |r| r.get(0))
            .optional()
            .map_err(|e| self.err(e))?;
        let Some(base) = json.map(|j| decode::<Profile>("profile", self.me(), &j)).transpose()? else {
            return Ok(None);
        };
        let extra = self.setting(crate::profile_shape::PROFILE_EXTRA_KEY)?;
        Ok(Some(crate::profile_shape::join(base, extra.as_ref())))
    }

    /// The record in the shape earlier binaries read, and the later fields beside it, in one transaction (see
    /// `profile_shape`).
    fn save_profile(&self, profile: &Profile) -> Result<()> {
        let (base, extra) = crate::profile_shape::split(profile);
        let json = encode("profile", &base)?;
        let now = ts(Timestamp::now());
        let conn = self.conn();
        let tx = write_tx(&conn).map_err(|e| self.err(e))?;
        tx.execute(
            "INSERT INTO profile (athlete_id, data, updated_at) VALUES (?1, ?2, ?3)
             ON CONFLICT (athlete_id) DO UPDATE SET data = excluded.data, updated_at = excluded.updated_at",
            params![self.me(), json, now],
        )
        .map_err(|e| self.err(e))?;
        tx.execute(
            "INSERT INTO settings (athlete_id, key, data, updated_at) VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT (athlete_id, key) DO UPDATE SET data = excluded.data, updated_at = excluded.updated_at",
            params![self.me(), crate::profile_shape::PROFILE_EXTRA_KEY, extra.to_string(), now],
        )
        .map_err(|e| self.err(e))?;
        tx.commit().map_err(|e| self.err(e))?;
        Ok(())
    }

    fn add_screening(&self, r: &ScreeningRecord) -> Result<i64> {
        let level = r.outcome.level.map(|l| format!("{l:?}"));
        let checked = r.clinician_checked_at.map(ts);
        self.insert_doc(
            &self.conn(),
            "screening",
            "INSERT INTO screenings (athlete_id, taken_at, level, clinician_checked_at, data) VALUES (?1, ?2, ?3, ?4, ?5)",
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
                 WHERE id = (SELECT id FROM screenings WHERE athlete_id = ?1 ORDER BY taken_at DESC, id DESC LIMIT 1)",
            )?
            .pop())
    }

    fn screenings(&self) -> Result<Vec<ScreeningRecord>> {
        self.screening_rows(
            "SELECT id, data, clinician_checked_at FROM screenings WHERE athlete_id = ?1 ORDER BY taken_at, id",
        )
    }

    fn mark_clinician_checked(&self, screening_id: i64, at: Timestamp) -> Result<()> {
        let n = self
            .conn()
            .execute(
                "UPDATE screenings SET clinician_checked_at = ?1 WHERE id = ?2 AND athlete_id = ?3",
                params![ts(at), screening_id, self.me()],
            )
            .map_err(|e| self.err(e))?;
        if n == 0 {
            return Err(StoreError::NotFound { what: "screening", id: screening_id });
        }
        Ok(())
    }

    fn add_assessment(&self, r: &AssessmentRecord) -> Result<i64> {
        self.insert_doc(
            &self.conn(),
            "assessment",
            "INSERT INTO assessments (athlete_id, taken_at, data) VALUES (?1, ?2, ?3)",
            &[&ts(r.taken_at)],
            r,
        )
    }

    fn latest_assessment(&self) -> Result<Option<AssessmentRecord>> {
        // The newest only, in `assessments()`'s order (see `latest_screening`).
        Ok(self
            .records(
                "assessment",
                "SELECT id, data FROM assessments
                 WHERE id = (SELECT id FROM assessments WHERE athlete_id = ?1 ORDER BY taken_at DESC, id DESC LIMIT 1)",
                |r: &mut AssessmentRecord, id| r.id = Some(id),
            )?
            .pop())
    }

    fn assessments(&self) -> Result<Vec<AssessmentRecord>> {
        self.records(
            "assessment",
            "SELECT id, data FROM assessments WHERE athlete_id = ?1 ORDER BY taken_at, id",
            |r: &mut AssessmentRecord, id| r.id = Some(id),
        )
    }

    fn add_plan(&self, r: &PlanRecord) -> Result<i64> {
        let conn = self.conn();
        let tx = write_tx(&conn).map_err(|e| self.err(e))?;
        // The screen and assessment a plan was built from are the same athlete's.
        if let Some(id) = r.screening_id
            && !self.owns(&tx, "screenings", id)?
        {
            return Err(StoreError::NotFound { what: "screening", id });
        }
        if let Some(id) = r.assessment_id
            && !self.owns(&tx, "assessments", id)?
        {
            return Err(StoreError::NotFound { what: "assessment", id });
        }
        let mode = format!("{:?}", r.plan.mode).to_lowercase();
        let id = self.insert_doc(
            &tx,
            "plan",
            "INSERT INTO plans (athlete_id, created_at, screening_id, assessment_id, mode, data)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            &[&ts(r.created_at), &r.screening_id, &r.assessment_id, &mode],
            r,
        )?;
        tx.commit().map_err(|e| self.err(e))?;
        Ok(id)
    }

    fn latest_plan(&self) -> Result<Option<PlanRecord>> {
        // The newest only, in `plans()`'s order: plan documents are ~30 KB, and Today and the plan page compare
        // against the latest on every view (see `latest_screening`).
        Ok(self
            .records(
                "plan",
                "SELECT id, data FROM plans
                 WHERE id = (SELECT id FROM plans WHERE athlete_id = ?1 ORDER BY created_at DESC, id DESC LIMIT 1)",
                |r: &mut PlanRecord, id| r.id = Some(id),
            )?
            .pop())
    }

    fn plans(&self) -> Result<Vec<PlanRecord>> {
        self.records(
            "plan",
            "SELECT id, data FROM plans WHERE athlete_id = ?1 ORDER BY created_at, id",
            |r: &mut PlanRecord, id| r.id = Some(id),
        )
    }

    fn add_activity(&self, a: &Activity, classification: Option<&Classification>) -> Result<AddOutcome> {
        let conn = self.conn();
        let tx = write_tx(&conn).map_err(|e| self.err(e))?;
        if let Some(existing) = self.run_id_by_key(&tx, &a.source.content_hash)? {
            return Ok(AddOutcome::DuplicateFile { existing });
        }
        let start = a.start.as_second();
        if let Some(existing) = self.same_recording(&tx, a)? {
            return Ok(AddOutcome::DuplicateRun { existing });
        }
        let id = self.insert_activity(&tx, a, classification, Made::default())?;
        if a.sport.is_run() {
            self.mark_labels_stale(&tx, start)?;
        }
        tx.commit().map_err(|e| self.err(e))?;
        Ok(AddOutcome::Added { id })
    }

    fn replace_activity(&self, id: i64, a: &Activity, classification: Option<&Classification>) -> Result<bool> {
        let conn = self.conn();
        let tx = write_tx(&conn).map_err(|e| self.err(e))?;
        let old: Option<(i64, String)> = tx
            .query_row(
                "SELECT start_epoch, sport FROM activities WHERE id = ?1 AND athlete_id = ?2",
                params![id, self.me()],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()
            .map_err(|e| self.err(e))?;
        let Some((old_start, old_sport)) = old else { return Ok(false) };
        let mut values = activity_values(a, classification, Made::default())?;
        values.push(Box::new(id));
        values.push(Box::new(self.me()));
        let n = ACTIVITY_COLUMNS.len();
        let set: Vec<String> = ACTIVITY_COLUMNS.iter().enumerate().map(|(i, c)| format!("{c} = ?{}", i + 1)).collect();
        // The row keeps its id, so the runner's context and the pain reports linked to the run stay with it.
        tx.execute(
            &format!("UPDATE activities SET {} WHERE id = ?{} AND athlete_id = ?{}", set.join(", "), n + 1, n + 2),
            rusqlite::params_from_iter(values.iter().map(Box::as_ref)),
        )
        .map_err(|e| self.err(e))?;
        if a.sport.is_run() || from_name::<Sport>(&old_sport).is_some_and(Sport::is_run) {
            self.mark_labels_stale(&tx, a.start.as_second().min(old_start))?;
        }
        tx.commit().map_err(|e| self.err(e))?;
        Ok(true)
    }

    fn add_activities(
        &self,
        batch: &[Activity],
        history: SignedDuration,
        label: &mut dyn FnMut(&Activity, &[RunSummary]) -> Classification,
    ) -> Result<Vec<AddOutcome>> {
        self.add_batch(batch, None, history, label)
    }

    fn takes_prepared_activities(&self) -> bool {
        true
    }

    fn add_prepared_activities(
        &self,
        batch: &[Activity],
        prepared: &[PreparedActivity],
        history: SignedDuration,
        label: &mut dyn FnMut(&Activity, &[RunSummary]) -> Classification,
    ) -> Result<Vec<AddOutcome>> {
        if prepared.len() != batch.len() {
            return Err(StoreError::Invalid(format!(
                "{} prepared forms for a batch of {} activities",
                prepared.len(),
                batch.len()
            )));
        }
        self.add_batch(batch, Some(prepared), history, label)
    }

    fn activity(&self, id: i64) -> Result<Option<StoredActivity>> {
        let row: Option<(String, Option<String>, Vec<u8>)> = self
            .conn()
            .query_row(
                "SELECT summary, classification, samples FROM activities WHERE id = ?1 AND athlete_id = ?2",
                params![id, self.me()],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .optional()
            .map_err(|e| self.err(e))?;
        let Some((summary, class, blob)) = row else { return Ok(None) };
        let mut activity: Activity = decode("activity", id, &summary)?;
        activity.samples =
            codec::decode(&blob).map_err(|e| StoreError::Decode { what: "activity", id, detail: e.to_string() })?;
        let classification = class.map(|c| decode("activity", id, &c)).transpose()?;
        Ok(Some(StoredActivity { id, activity, classification }))
    }

    fn activity_encoded(&self, id: i64) -> Result<Option<EncodedActivity>> {
        let row: Option<(String, Vec<u8>)> = self
            .conn()
            .query_row(
                "SELECT summary, samples FROM activities WHERE id = ?1 AND athlete_id = ?2",
                params![id, self.me()],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()
            .map_err(|e| self.err(e))?;
        let Some((summary, samples_blob)) = row else { return Ok(None) };
        Ok(Some(EncodedActivity { id, activity: decode("activity", id, &summary)?, samples_blob }))
    }

    fn activities(&self, f: &ActivityFilter) -> Result<Vec<ActivityRow>> {
        // Every field a list shows is a column: lists read many rows (the runs page 200 on every view, insights all
        // of them), and decoding each summary document (mostly laps) cost more than the rest of the page.
        let mut sql = String::from(
            "SELECT id, start_utc, utc_offset_s, sport, name, distance_m, elapsed_s, moving_s, ascent_m, avg_hr_bpm,
                    label, source_path, content_hash
             FROM activities WHERE athlete_id = ?",
        );
        let mut args: Vec<Box<dyn rusqlite::ToSql>> = vec![Box::new(self.me())];
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
        let conn = self.conn();
        let mut stmt = conn.prepare(&sql).map_err(|e| self.err(e))?;
        let params: Vec<&dyn rusqlite::ToSql> = args.iter().map(|b| b.as_ref()).collect();
        let rows = stmt
            .query_map(params.as_slice(), |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, Option<i32>>(2)?,
                    r.get::<_, String>(3)?,
                    r.get::<_, Option<String>>(4)?,
                    (r.get::<_, f64>(5)?, r.get::<_, f64>(6)?, r.get::<_, f64>(7)?),
                    (r.get::<_, Option<f64>>(8)?, r.get::<_, Option<f64>>(9)?),
                    r.get::<_, Option<String>>(10)?,
                    r.get::<_, String>(11)?,
                    r.get::<_, String>(12)?,
                ))
            })
            .map_err(|e| self.err(e))?;
        let mut out = Vec::new();
        for row in rows {
            let (
                id,
                start,
                utc_offset_s,
                sport,
                name,
                (distance_m, elapsed_s, moving_s),
                (ascent_m, avg_hr_bpm),
                label,
                source_path,
                key,
            ) = row.map_err(|e| self.err(e))?;
            let sport: Sport = from_name(&sport).ok_or_else(|| StoreError::Decode {
                what: "activity",
                id,
                detail: format!("unknown sport {sport:?}"),
            })?;
            out.push(ActivityRow {
                id,
                start: parse_ts(&start, "activity", id)?,
                utc_offset_s,
                sport,
                name,
                distance_m,
                elapsed_s,
                moving_s,
                ascent_m,
                avg_hr_bpm,
                label: label.as_deref().and_then(from_name::<RunLabel>),
                source_path,
                key,
            });
        }
        Ok(out)
    }

    fn run_summaries(&self, from: Timestamp, to: Timestamp) -> Result<Vec<RunSummary>> {
        self.summaries(&self.conn(), from, to)
    }

    fn set_classification(&self, id: i64, c: &Classification) -> Result<()> {
        let json = encode("classification", c)?;
        let n = self
            .conn()
            .execute(
                "UPDATE activities SET classification = ?1, label = ?2 WHERE id = ?3 AND athlete_id = ?4",
                params![json, enum_name(&c.label), id, self.me()],
            )
            .map_err(|e| self.err(e))?;
        if n == 0 {
            return Err(StoreError::NotFound { what: "activity", id });
        }
        Ok(())
    }
    fn labels_stale_from(&self) -> Result<Option<(Timestamp, u64)>> {
        let (from, generation): (Option<i64>, i64) = self
            .conn()
            .query_row("SELECT stale_from_epoch, generation FROM label_pass WHERE athlete_id = ?1", [self.me()], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })
            .map_err(|e| self.err(e))?;
        Ok(from.and_then(|s| Timestamp::from_second(s).ok()).map(|t| (t, u64::try_from(generation).unwrap_or(0))))
    }

    fn finish_label_pass(&self, generation: u64) -> Result<bool> {
        let n = self
            .conn()
            .execute(
                "UPDATE label_pass SET stale_from_epoch = NULL WHERE athlete_id = ?1 AND generation = ?2",
                params![self.me(), i64::try_from(generation).unwrap_or(i64::MAX)],
            )
            .map_err(|e| self.err(e))?;
        Ok(n > 0)
    }

    fn add_pain_report(&self, r: &PainReport) -> Result<i64> {
        let conn = self.conn();
        let tx = write_tx(&conn).map_err(|e| self.err(e))?;
        if let Some(run) = r.run_id
            && !self.owns(&tx, "activities", run)?
        {
            return Err(StoreError::NotFound { what: "run", id: run });
        }
        let stored = PainReport { id: None, ..r.clone() };
        let id = self.insert_doc(
            &tx,
            "pain report",
            "INSERT INTO pain_reports (athlete_id, at_epoch, run_id, data) VALUES (?1, ?2, ?3, ?4)",
            &[&r.at.as_second(), &r.run_id],
            &stored,
        )?;
        tx.commit().map_err(|e| self.err(e))?;
        Ok(id)
    }

    fn pain_reports(&self, from: Timestamp, to: Timestamp) -> Result<Vec<PainReport>> {
        self.pain_rows(&self.conn(), from, to)
    }

    fn put_day_log(&self, log: &DayLog) -> Result<()> {
        self.upsert_day_log(&self.conn(), log)
    }

    fn day_logs(&self, from: Date, to: Date) -> Result<Vec<DayLog>> {
        let conn = self.conn();
        let mut stmt = conn
            .prepare(
                "SELECT rowid, data FROM day_logs WHERE athlete_id = ?1 AND date >= ?2 AND date <= ?3 ORDER BY date",
            )
            .map_err(|e| self.err(e))?;
        let rows = stmt
            .query_map(params![self.me(), from.to_string(), to.to_string()], |r| {
                Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?))
            })
            .map_err(|e| self.err(e))?;
        let mut out = Vec::new();
        for row in rows {
            let (id, json) = row.map_err(|e| self.err(e))?;
            out.push(decode("day log", id, &json)?);
        }
        Ok(out)
    }

    fn delete_pain_report(&self, id: i64) -> Result<bool> {
        let n = self
            .conn()
            .execute("DELETE FROM pain_reports WHERE id = ?1 AND athlete_id = ?2", params![id, self.me()])
            .map_err(|e| self.err(e))?;
        Ok(n > 0)
    }

    fn delete_activity(&self, id: i64) -> Result<bool> {
        let conn = self.conn();
        let tx = write_tx(&conn).map_err(|e| self.err(e))?;
        let start: Option<i64> = tx
            .query_row(
                "SELECT start_epoch FROM activities WHERE id = ?1 AND athlete_id = ?2",
                params![id, self.me()],
                |r| r.get(0),
            )
            .optional()
            .map_err(|e| self.err(e))?;
        let Some(start) = start else { return Ok(false) };
        // Later runs were labelled with this one in their history.
        self.mark_labels_stale(&tx, start)?;
        // The report's own record names the run too (the column is for the index): unlink both.
        let linked: Vec<i64> = {
            let mut stmt = tx
                .prepare("SELECT id FROM pain_reports WHERE run_id = ?1 AND athlete_id = ?2")
                .map_err(|e| self.err(e))?;
            let rows = stmt.query_map(params![id, self.me()], |r| r.get(0)).map_err(|e| self.err(e))?;
            rows.collect::<std::result::Result<_, _>>().map_err(|e| self.err(e))?
        };
        for pain_id in linked {
            self.relink_pain(&tx, pain_id, None)?;
        }
        // run_context goes with it (ON DELETE CASCADE).
        let n = tx
            .execute("DELETE FROM activities WHERE id = ?1 AND athlete_id = ?2", params![id, self.me()])
            .map_err(|e| self.err(e))?;
        tx.commit().map_err(|e| self.err(e))?;
        Ok(n > 0)
    }

    fn put_run_context(&self, ctx: &RunContext) -> Result<()> {
        if self.upsert_run_context(&self.conn(), ctx)? == 0 {
            return Err(StoreError::NotFound { what: "run", id: ctx.run_id });
        }
        Ok(())
    }

    fn run_context(&self, run_id: i64) -> Result<Option<RunContext>> {
        let json: Option<String> = self
            .conn()
            .query_row(
                "SELECT data FROM run_context WHERE run_id = ?1 AND athlete_id = ?2",
                params![run_id, self.me()],
                |r| r.get(0),
            )
            .optional()
            .map_err(|e| self.err(e))?;
        json.map(|j| decode("run context", run_id, &j)).transpose()
    }

    fn run_contexts(&self) -> Result<Vec<RunContext>> {
        Ok(self
            .docs(
                &self.conn(),
                "run context",
                "SELECT run_id, data FROM run_context WHERE athlete_id = ?1 ORDER BY run_id",
            )?
            .into_iter()
            .map(|(_, c)| c)
            .collect())
    }

    fn import_journal_entries(
        &self,
        entries: &mut dyn Iterator<Item = std::result::Result<JournalEntry, LineError>>,
    ) -> Result<JournalImportStats> {
        let mut stats = JournalImportStats::default();
        let conn = self.conn();
        // One write transaction for the whole stream: any error below drops it, and nothing is kept.
        let tx = write_tx(&conn).map_err(|e| self.err(e))?;
        // Pain reports that named a run appearing later in the stream: linked once the stream is through.
        let mut forward: Vec<(i64, String)> = Vec::new();
        for entry in entries {
            match entry.map_err(StoreError::Journal)? {
                JournalEntry::Run { activity, classification, context, samples_blob } => {
                    self.import_run(
                        &tx,
                        &activity,
                        classification.as_ref(),
                        context.as_ref(),
                        samples_blob.as_deref(),
                        &mut stats,
                    )?;
                }
                JournalEntry::Pain { report, run_key } => {
                    let run_id = match &run_key {
                        Some(k) => self.run_id_by_key(&tx, k)?,
                        None => None,
                    };
                    let report = PainReport { id: None, run_id, ..report };
                    let json = encode("pain report", &report)?;
                    let dup: bool = tx
                        .query_row(
                            "SELECT EXISTS (SELECT 1 FROM pain_reports WHERE athlete_id = ?1 AND at_epoch = ?2 AND data = ?3)",
                            params![self.me(), report.at.as_second(), json],
                            |row| row.get(0),
                        )
                        .map_err(|e| self.err(e))?;
                    if dup {
                        stats.pain_duplicates += 1;
                        continue;
                    }
                    tx.execute(
                        "INSERT INTO pain_reports (athlete_id, at_epoch, run_id, data) VALUES (?1, ?2, ?3, ?4)",
                        params![self.me(), report.at.as_second(), run_id, json],
                    )
                    .map_err(|e| self.err(e))?;
                    if let (Some(k), None) = (run_key, run_id) {
                        forward.push((tx.last_insert_rowid(), k));
                    }
                    stats.pain_added += 1;
                }
                JournalEntry::Day(d) => {
                    self.upsert_day_log(&tx, &d)?;
                    stats.days += 1;
                }
            }
        }
        for (pain_id, key) in forward {
            if let Some(run_id) = self.run_id_by_key(&tx, &key)? {
                self.relink_pain(&tx, pain_id, Some(run_id))?;
            }
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
        self.conn()
            .execute(
                "INSERT INTO routine_sessions (athlete_id, key, started_epoch, routine_id, completed, data)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)
                 ON CONFLICT (athlete_id, key) DO UPDATE SET completed = excluded.completed, data = excluded.data",
                params![self.me(), key, started_at.as_second(), routine_id, completed, record.to_string()],
            )
            .map_err(|e| self.err(e))?;
        Ok(())
    }

    fn sessions(&self, from: Timestamp, to: Timestamp) -> Result<Vec<SessionRow>> {
        let conn = self.conn();
        let mut stmt = conn
            .prepare(
                "SELECT rowid, key, routine_id, completed, data FROM routine_sessions
                 WHERE athlete_id = ?1 AND started_epoch >= ?2 AND started_epoch < ?3 ORDER BY started_epoch",
            )
            .map_err(|e| self.err(e))?;
        let rows = stmt
            .query_map(params![self.me(), from.as_second(), to.as_second()], |r| {
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
            let record = decode("session", id, &data)?;
            out.push(SessionRow { started_at, routine_id, completed, record });
        }
        Ok(out)
    }

    fn add_break_event(&self, at: Timestamp, kind: &str, event: &serde_json::Value) -> Result<()> {
        self.conn()
            .execute(
                "INSERT INTO break_events (athlete_id, at_epoch, kind, data) VALUES (?1, ?2, ?3, ?4)",
                params![self.me(), at.as_second(), kind, event.to_string()],
            )
            .map_err(|e| self.err(e))?;
        Ok(())
    }

    fn break_events(&self, from: Timestamp, to: Timestamp) -> Result<Vec<BreakEventRow>> {
        let conn = self.conn();
        let mut stmt = conn
            .prepare(
                "SELECT id, at_epoch, kind, data FROM break_events
                 WHERE athlete_id = ?1 AND at_epoch >= ?2 AND at_epoch < ?3 ORDER BY at_epoch, id",
            )
            .map_err(|e| self.err(e))?;
        let rows = stmt
            .query_map(params![self.me(), from.as_second(), to.as_second()], |r| {
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
            let event = decode("break event", id, &data)?;
            out.push(BreakEventRow { at, kind, event });
        }
        Ok(out)
    }

    fn lessons_done(&self) -> Result<Vec<LessonDone>> {
        let conn = self.conn();
        let mut stmt = conn
            .prepare(
                "SELECT rowid, lesson_id, done_at FROM lesson_progress WHERE athlete_id = ?1 ORDER BY done_at, rowid",
            )
            .map_err(|e| self.err(e))?;
        let rows = stmt
            .query_map([self.me()], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?, r.get::<_, String>(2)?)))
            .map_err(|e| self.err(e))?;
        let mut out = Vec::new();
        for row in rows {
            let (id, lesson_id, at) = row.map_err(|e| self.err(e))?;
            out.push(LessonDone { lesson_id, done_at: parse_ts(&at, "lesson progress", id)? });
        }
        Ok(out)
    }

    fn set_lesson_done(&self, lesson_id: &str, at: Option<Timestamp>) -> Result<()> {
        let conn = self.conn();
        match at {
            Some(at) => conn.execute(
                "INSERT INTO lesson_progress (athlete_id, lesson_id, done_at) VALUES (?1, ?2, ?3)
                 ON CONFLICT (athlete_id, lesson_id) DO NOTHING",
                params![self.me(), lesson_id, ts(at)],
            ),
            None => conn.execute(
                "DELETE FROM lesson_progress WHERE athlete_id = ?1 AND lesson_id = ?2",
                params![self.me(), lesson_id],
            ),
        }
        .map_err(|e| self.err(e))?;
        Ok(())
    }

    fn setting(&self, key: &str) -> Result<Option<serde_json::Value>> {
        let row: Option<(i64, String)> = self
            .conn()
            .query_row(
                "SELECT rowid, data FROM settings WHERE athlete_id = ?1 AND key = ?2",
                params![self.me(), key],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()
            .map_err(|e| self.err(e))?;
        row.map(|(id, data)| decode("setting", id, &data)).transpose()
    }

    fn put_setting(&self, key: &str, value: &serde_json::Value) -> Result<()> {
        self.conn()
            .execute(
                "INSERT INTO settings (athlete_id, key, data, updated_at) VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT (athlete_id, key) DO UPDATE SET data = excluded.data, updated_at = excluded.updated_at",
                params![self.me(), key, value.to_string(), ts(Timestamp::now())],
            )
            .map_err(|e| self.err(e))?;
        Ok(())
    }

    fn put_experiment(&self, id: Option<i64>, started: Date, active: bool, data: &serde_json::Value) -> Result<i64> {
        let conn = self.conn();
        let tx = write_tx(&conn).map_err(|e| self.err(e))?;
        if let Some(id) = id {
            let n = tx
                .execute(
                    "UPDATE experiments SET started = ?1, active = ?2, data = ?3 WHERE id = ?4 AND athlete_id = ?5",
                    params![started.to_string(), active, data.to_string(), id, self.me()],
                )
                .map_err(|e| self.err(e))?;
            if n == 0 {
                return Err(StoreError::NotFound { what: "experiment", id });
            }
        } else {
            tx.execute(
                "INSERT INTO experiments (athlete_id, started, active, data) VALUES (?1, ?2, ?3, ?4)",
                params![self.me(), started.to_string(), active, data.to_string()],
            )
            .map_err(|e| self.err(e))?;
        }
        let id = id.unwrap_or_else(|| tx.last_insert_rowid());
        if active {
            // At most one active experiment per athlete: starting one stops the athlete's others.
            tx.execute(
                "UPDATE experiments SET active = 0 WHERE athlete_id = ?1 AND id <> ?2 AND active = 1",
                params![self.me(), id],
            )
            .map_err(|e| self.err(e))?;
        }
        tx.commit().map_err(|e| self.err(e))?;
        Ok(id)
    }

    fn active_experiment(&self) -> Result<Option<(i64, serde_json::Value)>> {
        let row: Option<(i64, String)> = self
            .conn()
            .query_row(
                "SELECT id, data FROM experiments WHERE athlete_id = ?1 AND active = 1 ORDER BY id DESC LIMIT 1",
                [self.me()],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()
            .map_err(|e| self.err(e))?;
        row.map(|(id, data)| decode("experiment", id, &data).map(|v| (id, v))).transpose()
    }

    fn experiments(&self) -> Result<Vec<(i64, bool, serde_json::Value)>> {
        let conn = self.conn();
        let mut stmt = conn
            .prepare("SELECT id, active, data FROM experiments WHERE athlete_id = ?1 ORDER BY id DESC")
            .map_err(|e| self.err(e))?;
        let rows = stmt
            .query_map([self.me()], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, bool>(1)?, r.get::<_, String>(2)?)))
            .map_err(|e| self.err(e))?;
        let mut out = Vec::new();
        for row in rows {
            let (id, active, data) = row.map_err(|e| self.err(e))?;
            out.push((id, active, decode("experiment", id, &data)?));
        }
        Ok(out)
    }

    fn add_posture(&self, taken_on: Date, kind: &str, data: &serde_json::Value) -> Result<i64> {
        let conn = self.conn();
        conn.execute(
            "INSERT INTO posture_checks (athlete_id, taken_on, kind, created_at, data) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![self.me(), taken_on.to_string(), kind, ts(Timestamp::now()), data.to_string()],
        )
        .map_err(|e| self.err(e))?;
        Ok(conn.last_insert_rowid())
    }

    fn postures(&self) -> Result<Vec<PostureRow>> {
        self.posture_rows("ORDER BY taken_on, id", None)
    }

    fn posture(&self, id: i64) -> Result<Option<PostureRow>> {
        Ok(self.posture_rows("", Some(id))?.pop())
    }

    fn set_posture_photo(&self, id: i64, photo: Option<&str>) -> Result<()> {
        let n = self
            .conn()
            .execute(
                "UPDATE posture_checks SET photo = ?1 WHERE id = ?2 AND athlete_id = ?3",
                params![photo, id, self.me()],
            )
            .map_err(|e| self.err(e))?;
        if n == 0 {
            return Err(StoreError::NotFound { what: "posture check", id });
        }
        Ok(())
    }

    fn delete_posture(&self, id: i64) -> Result<bool> {
        let n = self
            .conn()
            .execute("DELETE FROM posture_checks WHERE id = ?1 AND athlete_id = ?2", params![id, self.me()])
            .map_err(|e| self.err(e))?;
        Ok(n > 0)
    }

    fn add_program_change(&self, change: &ProgramChange) -> Result<bool> {
        checked(change.check())?;
        let data = encode("program change", change)?;
        let n = self
            .conn()
            .execute(
                "INSERT INTO program_changes (athlete_id, key, at_us, data) VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT (athlete_id, key) DO NOTHING",
                params![self.me(), change.key, micros(change.at), data],
            )
            .map_err(|e| self.err(e))?;
        Ok(n > 0)
    }

    fn program_changes(&self) -> Result<Vec<ProgramChange>> {
        let rows = self.docs(
            &self.conn(),
            "program change",
            "SELECT seq, data FROM program_changes WHERE athlete_id = ?1 ORDER BY at_us, key",
        )?;
        Ok(rows.into_iter().map(|(_, c)| c).collect())
    }

    fn add_comment(&self, comment: &Comment) -> Result<bool> {
        checked(comment.check())?;
        let data = encode("comment", comment)?;
        let (kind, target) = comment_target(&comment.on);
        let n = self
            .conn()
            .execute(
                "INSERT INTO clinician_comments (athlete_id, key, at_us, on_kind, on_ref, data)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT (athlete_id, key) DO NOTHING",
                params![self.me(), comment.key, micros(comment.at), kind, target, data],
            )
            .map_err(|e| self.err(e))?;
        Ok(n > 0)
    }

    fn comments(&self) -> Result<Vec<Comment>> {
        let rows = self.docs(
            &self.conn(),
            "comment",
            "SELECT seq, data FROM clinician_comments WHERE athlete_id = ?1 ORDER BY at_us, key",
        )?;
        Ok(rows.into_iter().map(|(_, c)| c).collect())
    }

    fn add_audit(&self, entry: &AuditEntry) -> Result<()> {
        self.conn()
            .execute(
                "INSERT INTO audit_log (athlete_id, at_us, actor_account, actor_name, action, detail)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                params![self.me(), micros(entry.at), entry.actor_account, entry.actor_name, entry.action, entry.detail],
            )
            .map_err(|e| self.err(e))?;
        Ok(())
    }

    fn audit_log(&self, from: Timestamp, to: Timestamp) -> Result<Vec<AuditEntry>> {
        let conn = self.conn();
        let mut stmt = conn
            .prepare(
                "SELECT id, at_us, actor_account, actor_name, action, detail FROM audit_log
                 WHERE athlete_id = ?1 AND at_us >= ?2 AND at_us < ?3 ORDER BY at_us, id",
            )
            .map_err(|e| self.err(e))?;
        let rows = stmt
            .query_map(params![self.me(), micros(from), micros(to)], |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get::<_, i64>(1)?,
                    r.get::<_, i64>(2)?,
                    r.get::<_, String>(3)?,
                    r.get::<_, String>(4)?,
                    r.get::<_, String>(5)?,
                ))
            })
            .map_err(|e| self.err(e))?;
        let mut out = Vec::new();
        for row in rows {
            let (id, at, actor_account, actor_name, action, detail) = row.map_err(|e| self.err(e))?;
            out.push(AuditEntry { at: from_micros(at, "audit entry", id)?, actor_account, actor_name, action, detail });
        }
        Ok(out)
    }

    fn last_audit(&self, actor_account: i64, actions: &[&str]) -> Result<Option<Timestamp>> {
        // The newest of each action's newest: one seek each on `audit_log_actor`.
        let conn = self.conn();
        let mut stmt = conn
            .prepare_cached(
                "SELECT id, at_us FROM audit_log WHERE athlete_id = ?1 AND actor_account = ?2 AND action = ?3
                 ORDER BY at_us DESC, id DESC LIMIT 1",
            )
            .map_err(|e| self.err(e))?;
        let mut newest: Option<(i64, i64)> = None;
        for action in actions {
            let found = stmt
                .query_row(params![self.me(), actor_account, action], |r| {
                    Ok((r.get::<_, i64>(1)?, r.get::<_, i64>(0)?))
                })
                .optional()
                .map_err(|e| self.err(e))?;
            newest = newest.max(found);
        }
        newest.map(|(at_us, id)| from_micros(at_us, "audit entry", id)).transpose()
    }

    fn journal_revision(&self) -> Result<u64> {
        let n: i64 = self
            .conn()
            .prepare_cached("SELECT n FROM journal_revision WHERE athlete_id = ?1")
            .and_then(|mut s| s.query_row([self.me()], |r| r.get(0)))
            .map_err(|e| self.err(e))?;
        Ok(u64::try_from(n).unwrap_or(0))
    }

    fn holds_real_data(&self) -> Result<bool> {
        let conn = self.conn();
        let profile: Option<String> = conn
            .query_row("SELECT data FROM profile WHERE athlete_id = ?1", [self.me()], |r| r.get(0))
            .optional()
            .map_err(|e| self.err(e))?;
        if let Some(json) = profile {
            let p: Profile = decode("profile", self.me(), &json)?;
            return Ok(!p.demo);
        }
        let tables = [
            "screenings",
            "assessments",
            "plans",
            "activities",
            "pain_reports",
            "day_logs",
            "lesson_progress",
            "settings",
            "posture_checks",
        ];
        let any = tables.map(|t| format!("EXISTS (SELECT 1 FROM {t} WHERE athlete_id = ?1)")).join(" OR ");
        conn.query_row(&format!("SELECT {any}"), [self.me()], |r| r.get(0)).map_err(|e| self.err(e))
    }

    fn delete_all(&self) -> Result<()> {
        let conn = self.conn();
        let tx = write_tx(&conn).map_err(|e| self.err(e))?;
        tx.execute(
            "UPDATE label_pass SET stale_from_epoch = NULL, generation = generation + 1 WHERE athlete_id = ?1",
            [self.me()],
        )
        .map_err(|e| self.err(e))?;
        for table in ATHLETE_TABLES {
            tx.execute(&format!("DELETE FROM {table} WHERE athlete_id = ?1"), [self.me()]).map_err(|e| self.err(e))?;
        }
        tx.commit().map_err(|e| self.err(e))
    }
}
