//! [`Store`] on PostgreSQL. Each method is one transaction (see `PgDatabase::in_tx`), or on a scoped handle one
//! step of the scope's transaction (`self.tx` for reads, `self.write` for writes, which a scope runs under a
//! savepoint; see `scope.rs`), whose statements all name the handle's athlete (`athlete_id = $n`), so another
//! athlete's rows are invisible and their ids behave as ids that do not exist, with row-level security behind that.
//!
//! Writes whose check and change must not interleave with another writer of the same athlete (duplicate detection,
//! replacing a copy, the one active experiment, a journal import, delete-all) first take a transaction-level
//! advisory lock keyed by the athlete: PostgreSQL's default isolation would otherwise let two imports of one file
//! both find no duplicate. Other athletes' writers never wait for it.

use crate::athlete_tx::AthleteTx;
use crate::{PgStore, migrations};
use jiff::civil::Date;
use jiff::{SignedDuration, Timestamp};
use postgres::types::ToSql;
use runtall_domain::activity::{Activity, Samples, Sport, same_run, same_track};
use runtall_domain::assess::AssessmentRecord;
use runtall_domain::classify::{Classification, RunLabel, RunSummary};
use runtall_domain::clinic::{AuditEntry, Comment, ProgramChange};
use runtall_domain::journal::{DayLog, PainReport, RunContext};
use runtall_domain::journal_format::LineError;
use runtall_domain::plan::PlanRecord;
use runtall_domain::profile::Profile;
use runtall_domain::screen::ScreeningRecord;
use runtall_store::codec;
use runtall_store::columns::{
    OVERLAP_LOOKBACK_S, RUN_SPORTS, checked, comment_target, decode, encode, enum_name, from_micros, from_name, micros,
    parse_ts, ts,
};
use runtall_store::{
    ActivityFilter, ActivityKind, ActivityRow, AddOutcome, AthleteId, BreakEventRow, EncodedActivity, JournalEntry,
    JournalImportStats, LessonDone, PostureRow, Result, SessionRow, Store, StoreError, StoredActivity,
};
use serde::de::DeserializeOwned;

type Tx<'a, 'b> = &'a mut AthleteTx<'b>;
type Params<'a> = [&'a (dyn ToSql + Sync)];

/// The columns an activity row is written with besides its athlete, in the order of [`activity_values`].
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

/// The values of [`ACTIVITY_COLUMNS`] for one activity, for inserting it or replacing a stored copy. `blob` is the
/// samples already in the codec (checked by the caller), stored as they are instead of encoding `a.samples`.
fn activity_values(
    a: &Activity,
    c: Option<&Classification>,
    blob: Option<&[u8]>,
) -> Result<Vec<Box<dyn ToSql + Sync>>> {
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
        Box::new(summary_json(a)?),
        Box::new(c.map(|c| encode("classification", c)).transpose()?),
        Box::new(blob.map_or_else(|| codec::encode(&a.samples), <[u8]>::to_vec)),
    ])
}

/// The athlete's run with a journal key (its content hash): the look-up before every run a batch stores.
const RUN_BY_KEY: &str = "SELECT id FROM activities WHERE athlete_id = $1 AND content_hash = $2";

/// Inserts or replaces a run's context when the run is the athlete's.
const RUN_CONTEXT_UPSERT: &str = "INSERT INTO run_context (run_id, athlete_id, data)
             SELECT $1, $2, $3 WHERE EXISTS (SELECT 1 FROM activities WHERE id = $1 AND athlete_id = $2)
             ON CONFLICT (run_id) DO UPDATE SET data = excluded.data";

/// The summary document: the activity without its sample stream (stored separately, compactly).
fn summary_json(a: &Activity) -> Result<String> {
    let copy = Activity { samples: Samples::default(), ..a.clone() };
    encode("activity", &copy)
}

impl PgStore {
    /// Waits for the athlete's other writers that hold the same lock (until this transaction ends).
    fn lock_athlete(&self, tx: Tx<'_, '_>) -> Result<()> {
        tx.execute("SELECT pg_advisory_xact_lock($1)", &[&self.me()]).map_err(|e| self.err(e))?;
        Ok(())
    }

    /// After a batch that stored runs, in its transaction: statistics for a new server's runs table, once
    /// (`runtall_analyze_runs_once`, PostgreSQL step 8, which says why). Until the function has found statistics
    /// there, each batch asks (one round trip); from then on this pool no longer asks.
    fn analyze_runs_once(&self, tx: Tx<'_, '_>) -> Result<()> {
        if self.database().runs_have_statistics() {
            return Ok(());
        }
        let analyzed: bool = tx.query_one("SELECT runtall_analyze_runs_once()", &[]).map_err(|e| self.err(e))?.get(0);
        // Analyzed now, the statistics are this transaction's until it commits: the next batch asks again.
        if !analyzed {
            self.database().found_run_statistics();
        }
        Ok(())
    }

    /// `(id, document)` rows of `sql`, which selects those two columns and takes the athlete as `$1`.
    fn docs<T: DeserializeOwned>(&self, what: &'static str, sql: &str) -> Result<Vec<(i64, T)>> {
        self.tx(|tx| {
            let rows = tx.query(sql, &[&self.me()]).map_err(|e| self.err(e))?;
            rows.iter()
                .map(|r| {
                    let id: i64 = r.get(0);
                    Ok((id, decode(what, id, r.get(1))?))
                })
                .collect()
        })
    }

    /// Inserts a row and returns its id: `sql` ends in `RETURNING id` and takes the athlete as `$1`, then `cols`,
    /// then the document.
    fn insert_doc<T: serde::Serialize>(
        &self,
        tx: Tx<'_, '_>,
        what: &'static str,
        sql: &str,
        cols: &Params<'_>,
        doc: &T,
    ) -> Result<i64> {
        let json = encode(what, doc)?;
        let me = self.me();
        let mut values: Vec<&(dyn ToSql + Sync)> = vec![&me];
        values.extend_from_slice(cols);
        values.push(&json);
        Ok(tx.query_one(sql, &values).map_err(|e| self.err(e))?.get(0))
    }

    /// Whether the athlete has a row with this id in `table` (for references a record makes to another).
    fn owns(&self, tx: Tx<'_, '_>, table: &str, id: i64) -> Result<bool> {
        let sql = format!("SELECT 1 FROM {table} WHERE id = $1 AND athlete_id = $2");
        Ok(tx.query_opt(&sql, &[&id, &self.me()]).map_err(|e| self.err(e))?.is_some())
    }

    /// Screening records from `sql` (selecting `id, data, clinician_checked_at` for athlete `$1`), with the id and
    /// the clinician check taken from their columns (the check is set after the record is written).
    fn screening_rows(&self, sql: &str) -> Result<Vec<ScreeningRecord>> {
        self.tx(|tx| self.screening_rows_in(tx, sql))
    }

    /// [`screening_rows`](Self::screening_rows) inside `tx`.
    fn screening_rows_in(&self, tx: Tx<'_, '_>, sql: &str) -> Result<Vec<ScreeningRecord>> {
        let rows = tx.query(sql, &[&self.me()]).map_err(|e| self.err(e))?;
        rows.iter()
            .map(|row| {
                let id: i64 = row.get(0);
                let mut r: ScreeningRecord = decode("screening", id, row.get(1))?;
                r.id = Some(id);
                r.clinician_checked_at =
                    row.get::<_, Option<&str>>(2).map(|c| parse_ts(c, "screening", id)).transpose()?;
                Ok(r)
            })
            .collect()
    }

    /// Documents that carry their id in an `id` field (assessments, plans) from `sql`, with the id set.
    fn records<T: DeserializeOwned>(&self, what: &'static str, sql: &str, set_id: fn(&mut T, i64)) -> Result<Vec<T>> {
        Ok(self
            .docs(what, sql)?
            .into_iter()
            .map(|(id, mut r)| {
                set_id(&mut r, id);
                r
            })
            .collect())
    }

    fn posture_rows(&self, sql: &str, params: &Params<'_>) -> Result<Vec<PostureRow>> {
        self.tx(|tx| {
            let rows = tx.query(sql, params).map_err(|e| self.err(e))?;
            rows.iter()
                .map(|r| {
                    let id: i64 = r.get(0);
                    let bad = |detail: String| StoreError::Decode { what: "posture check", id, detail };
                    Ok(PostureRow {
                        id,
                        taken_on: r.get::<_, &str>(1).parse().map_err(|e: jiff::Error| bad(e.to_string()))?,
                        kind: r.get(2),
                        created_at: parse_ts(r.get(3), "posture check", id)?,
                        photo: r.get(4),
                        data: decode("posture check", id, r.get(5))?,
                    })
                })
                .collect()
        })
    }

    /// Marks run labels from `start` on as needing the pass again (inside the caller's transaction).
    fn mark_labels_stale(&self, tx: Tx<'_, '_>, start: i64) -> Result<()> {
        tx.execute(
            "UPDATE label_pass SET stale_from_epoch = LEAST(COALESCE(stale_from_epoch, $1), $1),
                                   generation = generation + 1
             WHERE athlete_id = $2",
            &[&start, &self.me()],
        )
        .map_err(|e| self.err(e))?;
        Ok(())
    }

    /// The athlete's stored run with this journal key (its content hash), if any.
    fn run_id_by_key(&self, tx: Tx<'_, '_>, key: &str) -> Result<Option<i64>> {
        Ok(tx.query_opt(RUN_BY_KEY, &[&self.me(), &key]).map_err(|e| self.err(e))?.map(|r| r.get(0)))
    }

    /// Runs that started in `[from, to)`, oldest first (see [`Store::run_summaries`]), inside `tx`.
    fn summaries(&self, tx: Tx<'_, '_>, from: Timestamp, to: Timestamp) -> Result<Vec<RunSummary>> {
        let rows = tx
            .query(
                "SELECT start_utc, sport, distance_m, moving_s FROM activities
                 WHERE athlete_id = $1 AND start_epoch >= $2 AND start_epoch < $3 ORDER BY start_epoch",
                &[&self.me(), &from.as_second(), &to.as_second()],
            )
            .map_err(|e| self.err(e))?;
        Ok(rows
            .iter()
            .filter_map(|r| {
                let is_run = from_name::<Sport>(r.get(1)).is_some_and(|s| s.is_run());
                let start = r.get::<_, &str>(0).parse().ok()?;
                is_run.then(|| RunSummary { start, distance_m: r.get(2), moving_s: r.get(3) })
            })
            .collect())
    }

    /// Inserts an activity row (no duplicate checks) and returns its id.
    fn insert_activity(
        &self,
        tx: Tx<'_, '_>,
        a: &Activity,
        c: Option<&Classification>,
        blob: Option<&[u8]>,
    ) -> Result<i64> {
        let me = self.me();
        let values = activity_values(a, c, blob)?;
        let mut params: Vec<&(dyn ToSql + Sync)> = vec![&me];
        params.extend(values.iter().map(|v| v.as_ref()));
        let slots: Vec<String> = (1..=params.len()).map(|i| format!("${i}")).collect();
        let sql = format!(
            "INSERT INTO activities (athlete_id, {}) VALUES ({}) RETURNING id",
            ACTIVITY_COLUMNS.join(", "),
            slots.join(", ")
        );
        Ok(tx.query_one(&sql, &params).map_err(|e| self.err(e))?.get(0))
    }

    /// A stored activity of this athlete that is the same recording as `a` (see [`same_run`] and [`same_track`]):
    /// time spans that overlap enough, and tracks that do not go different ways, found on the start index.
    fn same_recording(&self, tx: Tx<'_, '_>, a: &Activity) -> Result<Option<i64>> {
        let start = a.start.as_second();
        let end = start + a.elapsed_s.max(0.0).ceil() as i64;
        let window = runtall_domain::activity::SAME_RUN_START_S;
        let rows = tx
            .query(
                "SELECT id, start_utc, sport, elapsed_s FROM activities
                 WHERE athlete_id = $1 AND start_epoch BETWEEN $2 AND $3 AND start_epoch + elapsed_s >= $4::BIGINT
                 ORDER BY id",
                &[&self.me(), &(start - OVERLAP_LOOKBACK_S), &end.max(start + window), &(start - window)],
            )
            .map_err(|e| self.err(e))?;
        for row in rows {
            let (Ok(other_start), Some(other_sport)) =
                (row.get::<_, &str>(1).parse::<Timestamp>(), from_name::<Sport>(row.get(2)))
            else {
                continue;
            };
            if !same_run(a.start, a.sport, a.elapsed_s, other_start, other_sport, row.get(3)) {
                continue;
            }
            // Two people's runs at the same hour (a shared account, a partner's watch) are told apart by position.
            let id: i64 = row.get(0);
            let blob = tx
                .query_one("SELECT samples FROM activities WHERE id = $1 AND athlete_id = $2", &[&id, &self.me()])
                .map_err(|e| self.err(e))?;
            let other = codec::decode(blob.get(0)).map_err(|e| StoreError::Decode {
                what: "activity",
                id,
                detail: e.to_string(),
            })?;
            if same_track(&a.samples, a.start, &other, other_start) != Some(false) {
                return Ok(Some(id));
            }
        }
        Ok(None)
    }

    /// Inserts or replaces a run's context when the run is the athlete's; returns how many rows it wrote.
    fn upsert_run_context(&self, tx: Tx<'_, '_>, ctx: &RunContext) -> Result<u64> {
        let json = encode("run context", ctx)?;
        tx.execute(RUN_CONTEXT_UPSERT, &[&ctx.run_id, &self.me(), &json]).map_err(|e| self.err(e))
    }

    fn upsert_day_log(&self, tx: Tx<'_, '_>, log: &DayLog) -> Result<()> {
        let json = encode("day log", log)?;
        tx.execute(
            "INSERT INTO day_logs (athlete_id, date, data) VALUES ($1, $2, $3)
             ON CONFLICT (athlete_id, date) DO UPDATE SET data = excluded.data",
            &[&self.me(), &log.date.to_string(), &json],
        )
        .map_err(|e| self.err(e))?;
        Ok(())
    }

    /// Sets (or clears) the run a stored pain report names, in its column and in its document alike.
    fn relink_pain(&self, tx: Tx<'_, '_>, pain_id: i64, run_id: Option<i64>) -> Result<()> {
        let row = tx
            .query_one("SELECT data FROM pain_reports WHERE id = $1 AND athlete_id = $2", &[&pain_id, &self.me()])
            .map_err(|e| self.err(e))?;
        let mut report: PainReport = decode("pain report", pain_id, row.get(0))?;
        report.run_id = run_id;
        report.id = None;
        let json = encode("pain report", &report)?;
        tx.execute(
            "UPDATE pain_reports SET run_id = $2, data = $3 WHERE id = $1 AND athlete_id = $4",
            &[&pain_id, &run_id, &json, &self.me()],
        )
        .map_err(|e| self.err(e))?;
        Ok(())
    }

    /// One journal run: matched to the athlete's stored run by key, or stored; then its context.
    fn import_run(
        &self,
        tx: Tx<'_, '_>,
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
                self.insert_activity(tx, activity, classification, blob)?
            }
        };
        if let Some(c) = context {
            self.upsert_run_context(tx, &RunContext { run_id: id, ..c.clone() })?;
        }
        Ok(())
    }

    /// One journal pain report: skipped when the very same report is stored, else stored and linked to its run
    /// when the athlete has it. Returns the new id when the run has to be linked after the stream.
    fn import_pain(
        &self,
        tx: Tx<'_, '_>,
        report: PainReport,
        run_key: Option<String>,
        stats: &mut JournalImportStats,
    ) -> Result<Option<(i64, String)>> {
        let run_id = match &run_key {
            Some(k) => self.run_id_by_key(tx, k)?,
            None => None,
        };
        let report = PainReport { id: None, run_id, ..report };
        let json = encode("pain report", &report)?;
        let at = report.at.as_second();
        let dup = tx
            .query_opt(
                "SELECT 1 FROM pain_reports WHERE athlete_id = $1 AND at_epoch = $2 AND data = $3",
                &[&self.me(), &at, &json],
            )
            .map_err(|e| self.err(e))?
            .is_some();
        if dup {
            stats.pain_duplicates += 1;
            return Ok(None);
        }
        let id: i64 = tx
            .query_one(
                "INSERT INTO pain_reports (athlete_id, at_epoch, run_id, data) VALUES ($1, $2, $3, $4) RETURNING id",
                &[&self.me(), &at, &run_id, &json],
            )
            .map_err(|e| self.err(e))?
            .get(0);
        stats.pain_added += 1;
        Ok(match (run_key, run_id) {
            (Some(k), None) => Some((id, k)),
            _ => None,
        })
    }
}

impl Store for PgStore {
    fn athlete_id(&self) -> AthleteId {
        self.athlete
    }

    fn end_scope(&self, commit: bool) -> Result<()> {
        self.end(commit)
    }

    fn profile(&self) -> Result<Option<Profile>> {
        self.tx(|tx| {
            let row = tx
                .query_opt("SELECT data FROM profile WHERE athlete_id = $1", &[&self.me()])
                .map_err(|e| self.err(e))?;
            let Some(base) = row.map(|r| decode::<Profile>("profile", self.me(), r.get(0))).transpose()? else {
                return Ok(None);
            };
            let extra = tx
                .query_opt(
                    "SELECT seq, data FROM settings WHERE athlete_id = $1 AND key = $2",
                    &[&self.me(), &runtall_store::profile_shape::PROFILE_EXTRA_KEY],
                )
                .map_err(|e| self.err(e))?
                .map(|r| decode::<serde_json::Value>("setting", r.get(0), r.get(1)))
                .transpose()?;
            Ok(Some(runtall_store::profile_shape::join(base, extra.as_ref())))
        })
    }

    /// The record in the shape earlier binaries read, and the later fields beside it, in one transaction (see
    /// `runtall_store::profile_shape`).
    fn save_profile(&self, profile: &Profile) -> Result<()> {
        let (base, extra) = runtall_store::profile_shape::split(profile);
        let json = encode("profile", &base)?;
        let now = ts(Timestamp::now());
        self.write(|tx| {
            tx.execute(
                "INSERT INTO profile (athlete_id, data, updated_at) VALUES ($1, $2, $3)
                 ON CONFLICT (athlete_id) DO UPDATE SET data = excluded.data, updated_at = excluded.updated_at",
                &[&self.me(), &json, &now],
            )
            .map_err(|e| self.err(e))?;
            tx.execute(
                "INSERT INTO settings (athlete_id, key, data, updated_at) VALUES ($1, $2, $3, $4)
                 ON CONFLICT (athlete_id, key) DO UPDATE SET data = excluded.data, updated_at = excluded.updated_at",
                &[&self.me(), &runtall_store::profile_shape::PROFILE_EXTRA_KEY, &extra.to_string(), &now],
            )
            .map_err(|e| self.err(e))?;
            Ok(())
        })
    }

    fn add_screening(&self, r: &ScreeningRecord) -> Result<i64> {
        let level = r.outcome.level.map(|l| format!("{l:?}"));
        let checked = r.clinician_checked_at.map(ts);
        self.write(|tx| {
            self.insert_doc(
                tx,
                "screening",
                "INSERT INTO screenings (athlete_id, taken_at, level, clinician_checked_at, data)
                 VALUES ($1, $2, $3, $4, $5) RETURNING id",
                &[&ts(r.taken_at), &level, &checked],
                r,
            )
        })
    }

    fn latest_screening(&self) -> Result<Option<ScreeningRecord>> {
        // Only the newest row (the last of `screenings()`'s order): every page asks for it, a scoped page twice.
        const LATEST: &str = "SELECT id, data, clinician_checked_at FROM screenings WHERE athlete_id = $1
                 ORDER BY taken_at DESC, id DESC LIMIT 1";
        match &self.scope {
            None => Ok(self.screening_rows(LATEST)?.pop()),
            Some(scope) => scope.remembered(|m| &mut m.screening, |tx| Ok(self.screening_rows_in(tx, LATEST)?.pop())),
        }
    }

    fn screenings(&self) -> Result<Vec<ScreeningRecord>> {
        self.screening_rows(
            "SELECT id, data, clinician_checked_at FROM screenings WHERE athlete_id = $1 ORDER BY taken_at, id",
        )
    }

    fn mark_clinician_checked(&self, screening_id: i64, at: Timestamp) -> Result<()> {
        let n = self.write(|tx| {
            tx.execute(
                "UPDATE screenings SET clinician_checked_at = $1 WHERE id = $2 AND athlete_id = $3",
                &[&ts(at), &screening_id, &self.me()],
            )
            .map_err(|e| self.err(e))
        })?;
        if n == 0 {
            return Err(StoreError::NotFound { what: "screening", id: screening_id });
        }
        Ok(())
    }

    fn add_assessment(&self, r: &AssessmentRecord) -> Result<i64> {
        self.write(|tx| {
            self.insert_doc(
                tx,
                "assessment",
                "INSERT INTO assessments (athlete_id, taken_at, data) VALUES ($1, $2, $3) RETURNING id",
                &[&ts(r.taken_at)],
                r,
            )
        })
    }

    fn latest_assessment(&self) -> Result<Option<AssessmentRecord>> {
        let read = |tx: Tx<'_, '_>| {
            let rows = tx
                .query(
                    "SELECT id, data FROM assessments WHERE athlete_id = $1 ORDER BY taken_at DESC, id DESC LIMIT 1",
                    &[&self.me()],
                )
                .map_err(|e| self.err(e))?;
            rows.first()
                .map(|r| {
                    let id: i64 = r.get(0);
                    let mut record: AssessmentRecord = decode("assessment", id, r.get(1))?;
                    record.id = Some(id);
                    Ok(record)
                })
                .transpose()
        };
        match &self.scope {
            None => self.tx(read),
            Some(scope) => scope.remembered(|m| &mut m.assessment, read),
        }
    }

    fn assessments(&self) -> Result<Vec<AssessmentRecord>> {
        self.records(
            "assessment",
            "SELECT id, data FROM assessments WHERE athlete_id = $1 ORDER BY taken_at, id",
            |r: &mut AssessmentRecord, id| r.id = Some(id),
        )
    }

    fn add_plan(&self, r: &PlanRecord) -> Result<i64> {
        let mode = format!("{:?}", r.plan.mode).to_lowercase();
        self.write(|tx| {
            // The screen and assessment a plan was built from are the same athlete's (the schema's keys say so
            // too; this names what is missing).
            if let Some(id) = r.screening_id
                && !self.owns(tx, "screenings", id)?
            {
                return Err(StoreError::NotFound { what: "screening", id });
            }
            if let Some(id) = r.assessment_id
                && !self.owns(tx, "assessments", id)?
            {
                return Err(StoreError::NotFound { what: "assessment", id });
            }
            self.insert_doc(
                tx,
                "plan",
                "INSERT INTO plans (athlete_id, created_at, screening_id, assessment_id, mode, data)
                 VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
                &[&ts(r.created_at), &r.screening_id, &r.assessment_id, &mode],
                r,
            )
        })
    }

    fn latest_plan(&self) -> Result<Option<PlanRecord>> {
        Ok(self
            .records(
                "plan",
                "SELECT id, data FROM plans WHERE athlete_id = $1 ORDER BY created_at DESC, id DESC LIMIT 1",
                |r: &mut PlanRecord, id| r.id = Some(id),
            )?
            .pop())
    }

    fn plans(&self) -> Result<Vec<PlanRecord>> {
        self.records(
            "plan",
            "SELECT id, data FROM plans WHERE athlete_id = $1 ORDER BY created_at, id",
            |r: &mut PlanRecord, id| r.id = Some(id),
        )
    }

    fn add_activity(&self, a: &Activity, classification: Option<&Classification>) -> Result<AddOutcome> {
        self.write(|tx| {
            self.lock_athlete(tx)?;
            if let Some(existing) = self.run_id_by_key(tx, &a.source.content_hash)? {
                return Ok(AddOutcome::DuplicateFile { existing });
            }
            if let Some(existing) = self.same_recording(tx, a)? {
                return Ok(AddOutcome::DuplicateRun { existing });
            }
            let id = self.insert_activity(tx, a, classification, None)?;
            if a.sport.is_run() {
                self.mark_labels_stale(tx, a.start.as_second())?;
            }
            Ok(AddOutcome::Added { id })
        })
    }

    fn add_activities(
        &self,
        batch: &[Activity],
        history: SignedDuration,
        label: &mut dyn FnMut(&Activity, &[RunSummary]) -> Classification,
    ) -> Result<Vec<AddOutcome>> {
        self.write(|tx| {
            self.lock_athlete(tx)?;
            let mut out = Vec::with_capacity(batch.len());
            let mut stale_from: Option<i64> = None;
            for a in batch {
                if let Some(existing) = self.run_id_by_key(tx, &a.source.content_hash)? {
                    out.push(AddOutcome::DuplicateFile { existing });
                    continue;
                }
                if let Some(existing) = self.same_recording(tx, a)? {
                    out.push(AddOutcome::DuplicateRun { existing });
                    continue;
                }
                let c = if a.sport.is_run() {
                    let from = a.start.checked_sub(history).unwrap_or(Timestamp::MIN);
                    Some(label(a, &self.summaries(tx, from, a.start)?))
                } else {
                    None
                };
                let id = self.insert_activity(tx, a, c.as_ref(), None)?;
                if a.sport.is_run() {
                    let start = a.start.as_second();
                    stale_from = Some(stale_from.map_or(start, |s| s.min(start)));
                }
                out.push(AddOutcome::Added { id });
            }
            if let Some(start) = stale_from {
                self.mark_labels_stale(tx, start)?;
            }
            if out.iter().any(|o| matches!(o, AddOutcome::Added { .. })) {
                self.analyze_runs_once(tx)?;
            }
            Ok(out)
        })
    }

    fn replace_activity(&self, id: i64, a: &Activity, classification: Option<&Classification>) -> Result<bool> {
        let values = activity_values(a, classification, None)?;
        self.write(|tx| {
            self.lock_athlete(tx)?;
            let old = tx
                .query_opt(
                    "SELECT start_epoch, sport FROM activities WHERE id = $1 AND athlete_id = $2 FOR UPDATE",
                    &[&id, &self.me()],
                )
                .map_err(|e| self.err(e))?;
            let Some(old) = old else { return Ok(false) };
            let (old_start, old_sport): (i64, &str) = (old.get(0), old.get(1));
            let me = self.me();
            let mut params: Vec<&(dyn ToSql + Sync)> = values.iter().map(|v| v.as_ref()).collect();
            params.push(&id);
            params.push(&me);
            let n = ACTIVITY_COLUMNS.len();
            let set: Vec<String> =
                ACTIVITY_COLUMNS.iter().enumerate().map(|(i, c)| format!("{c} = ${}", i + 1)).collect();
            // The row keeps its id, so the runner's context and the pain reports linked to the run stay with it.
            let sql =
                format!("UPDATE activities SET {} WHERE id = ${} AND athlete_id = ${}", set.join(", "), n + 1, n + 2);
            tx.execute(&sql, &params).map_err(|e| self.err(e))?;
            if a.sport.is_run() || from_name::<Sport>(old_sport).is_some_and(Sport::is_run) {
                self.mark_labels_stale(tx, a.start.as_second().min(old_start))?;
            }
            Ok(true)
        })
    }

    fn activity(&self, id: i64) -> Result<Option<StoredActivity>> {
        let row = self.tx(|tx| {
            tx.query_opt(
                "SELECT summary, classification, samples FROM activities WHERE id = $1 AND athlete_id = $2",
                &[&id, &self.me()],
            )
            .map_err(|e| self.err(e))
        })?;
        let Some(row) = row else { return Ok(None) };
        let mut activity: Activity = decode("activity", id, row.get(0))?;
        activity.samples = codec::decode(row.get(2)).map_err(|e| StoreError::Decode {
            what: "activity",
            id,
            detail: e.to_string(),
        })?;
        let classification = row.get::<_, Option<&str>>(1).map(|c| decode("activity", id, c)).transpose()?;
        Ok(Some(StoredActivity { id, activity, classification }))
    }

    fn activity_encoded(&self, id: i64) -> Result<Option<EncodedActivity>> {
        let row = self.tx(|tx| {
            tx.query_opt(
                "SELECT summary, samples FROM activities WHERE id = $1 AND athlete_id = $2",
                &[&id, &self.me()],
            )
            .map_err(|e| self.err(e))
        })?;
        let Some(row) = row else { return Ok(None) };
        Ok(Some(EncodedActivity { id, activity: decode("activity", id, row.get(0))?, samples_blob: row.get(1) }))
    }

    fn activities(&self, f: &ActivityFilter) -> Result<Vec<ActivityRow>> {
        // Every field a list shows is a column, so lists never decode summary documents.
        let mut sql = String::from(
            "SELECT id, start_utc, utc_offset_s, sport, name, distance_m, elapsed_s, moving_s, ascent_m, avg_hr_bpm,
                    label, source_path, content_hash
             FROM activities WHERE athlete_id = $1",
        );
        let me = self.me();
        let from = f.from.map(|t| t.as_second());
        let to = f.to.map(|t| t.as_second());
        let label = f.label.map(|l| enum_name(&l));
        let mut args: Vec<&(dyn ToSql + Sync)> = vec![&me];
        if let Some(from) = &from {
            args.push(from);
            sql.push_str(&format!(" AND start_epoch >= ${}", args.len()));
        }
        if let Some(to) = &to {
            args.push(to);
            sql.push_str(&format!(" AND start_epoch < ${}", args.len()));
        }
        if let Some(label) = &label {
            args.push(label);
            sql.push_str(&format!(" AND label = ${}", args.len()));
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
        let rows = self.tx(|tx| tx.query(&sql, &args).map_err(|e| self.err(e)))?;
        rows.iter()
            .map(|r| {
                let id: i64 = r.get(0);
                let sport: &str = r.get(3);
                let sport: Sport = from_name(sport).ok_or_else(|| StoreError::Decode {
                    what: "activity",
                    id,
                    detail: format!("unknown sport {sport:?}"),
                })?;
                Ok(ActivityRow {
                    id,
                    start: parse_ts(r.get(1), "activity", id)?,
                    utc_offset_s: r.get(2),
                    sport,
                    name: r.get(4),
                    distance_m: r.get(5),
                    elapsed_s: r.get(6),
                    moving_s: r.get(7),
                    ascent_m: r.get(8),
                    avg_hr_bpm: r.get(9),
                    label: r.get::<_, Option<&str>>(10).and_then(from_name::<RunLabel>),
                    source_path: r.get(11),
                    key: r.get(12),
                })
            })
            .collect()
    }

    fn run_summaries(&self, from: Timestamp, to: Timestamp) -> Result<Vec<RunSummary>> {
        self.tx(|tx| self.summaries(tx, from, to))
    }

    fn set_classification(&self, id: i64, c: &Classification) -> Result<()> {
        let json = encode("classification", c)?;
        let n = self.write(|tx| {
            tx.execute(
                "UPDATE activities SET classification = $1, label = $2 WHERE id = $3 AND athlete_id = $4",
                &[&json, &enum_name(&c.label), &id, &self.me()],
            )
            .map_err(|e| self.err(e))
        })?;
        if n == 0 {
            return Err(StoreError::NotFound { what: "activity", id });
        }
        Ok(())
    }

    fn labels_stale_from(&self) -> Result<Option<(Timestamp, u64)>> {
        let row = self.tx(|tx| {
            tx.query_one("SELECT stale_from_epoch, generation FROM label_pass WHERE athlete_id = $1", &[&self.me()])
                .map_err(|e| self.err(e))
        })?;
        let (from, generation): (Option<i64>, i64) = (row.get(0), row.get(1));
        Ok(from.and_then(|s| Timestamp::from_second(s).ok()).map(|t| (t, u64::try_from(generation).unwrap_or(0))))
    }

    fn finish_label_pass(&self, generation: u64) -> Result<bool> {
        let generation = i64::try_from(generation).unwrap_or(i64::MAX);
        let n = self.write(|tx| {
            tx.execute(
                "UPDATE label_pass SET stale_from_epoch = NULL WHERE athlete_id = $1 AND generation = $2",
                &[&self.me(), &generation],
            )
            .map_err(|e| self.err(e))
        })?;
        Ok(n > 0)
    }

    fn add_pain_report(&self, r: &PainReport) -> Result<i64> {
        let stored = PainReport { id: None, ..r.clone() };
        self.write(|tx| {
            if let Some(run) = r.run_id
                && !self.owns(tx, "activities", run)?
            {
                return Err(StoreError::NotFound { what: "run", id: run });
            }
            self.insert_doc(
                tx,
                "pain report",
                "INSERT INTO pain_reports (athlete_id, at_epoch, run_id, data) VALUES ($1, $2, $3, $4) RETURNING id",
                &[&r.at.as_second(), &r.run_id],
                &stored,
            )
        })
    }

    fn pain_reports(&self, from: Timestamp, to: Timestamp) -> Result<Vec<PainReport>> {
        let rows = self.tx(|tx| {
            tx.query(
                "SELECT id, data FROM pain_reports WHERE athlete_id = $1 AND at_epoch >= $2 AND at_epoch < $3
                 ORDER BY at_epoch, id",
                &[&self.me(), &from.as_second(), &to.as_second()],
            )
            .map_err(|e| self.err(e))
        })?;
        rows.iter()
            .map(|r| {
                let id: i64 = r.get(0);
                let mut report: PainReport = decode("pain report", id, r.get(1))?;
                report.id = Some(id);
                Ok(report)
            })
            .collect()
    }

    fn put_day_log(&self, log: &DayLog) -> Result<()> {
        self.write(|tx| self.upsert_day_log(tx, log))
    }

    fn day_logs(&self, from: Date, to: Date) -> Result<Vec<DayLog>> {
        let rows = self.tx(|tx| {
            tx.query(
                "SELECT seq, data FROM day_logs WHERE athlete_id = $1 AND date >= $2 AND date <= $3 ORDER BY date",
                &[&self.me(), &from.to_string(), &to.to_string()],
            )
            .map_err(|e| self.err(e))
        })?;
        rows.iter().map(|r| decode("day log", r.get(0), r.get(1))).collect()
    }

    fn delete_pain_report(&self, id: i64) -> Result<bool> {
        let n = self.write(|tx| {
            tx.execute("DELETE FROM pain_reports WHERE id = $1 AND athlete_id = $2", &[&id, &self.me()])
                .map_err(|e| self.err(e))
        })?;
        Ok(n > 0)
    }

    fn delete_activity(&self, id: i64) -> Result<bool> {
        self.write(|tx| {
            let start = tx
                .query_opt(
                    "SELECT start_epoch FROM activities WHERE id = $1 AND athlete_id = $2 FOR UPDATE",
                    &[&id, &self.me()],
                )
                .map_err(|e| self.err(e))?;
            let Some(start) = start.map(|r| r.get::<_, i64>(0)) else { return Ok(false) };
            // Later runs were labelled with this one in their history.
            self.mark_labels_stale(tx, start)?;
            // The report's own record names the run too (the column is for the index): unlink both.
            let linked = tx
                .query("SELECT id FROM pain_reports WHERE run_id = $1 AND athlete_id = $2", &[&id, &self.me()])
                .map_err(|e| self.err(e))?;
            for row in linked {
                self.relink_pain(tx, row.get(0), None)?;
            }
            // run_context goes with it (ON DELETE CASCADE).
            let n = tx
                .execute("DELETE FROM activities WHERE id = $1 AND athlete_id = $2", &[&id, &self.me()])
                .map_err(|e| self.err(e))?;
            Ok(n > 0)
        })
    }

    fn put_run_context(&self, ctx: &RunContext) -> Result<()> {
        if self.write(|tx| self.upsert_run_context(tx, ctx))? == 0 {
            return Err(StoreError::NotFound { what: "run", id: ctx.run_id });
        }
        Ok(())
    }

    fn run_context(&self, run_id: i64) -> Result<Option<RunContext>> {
        let row = self.tx(|tx| {
            tx.query_opt("SELECT data FROM run_context WHERE run_id = $1 AND athlete_id = $2", &[&run_id, &self.me()])
                .map_err(|e| self.err(e))
        })?;
        row.map(|r| decode("run context", run_id, r.get(0))).transpose()
    }

    fn run_contexts(&self) -> Result<Vec<RunContext>> {
        Ok(self
            .docs("run context", "SELECT run_id, data FROM run_context WHERE athlete_id = $1 ORDER BY run_id")?
            .into_iter()
            .map(|(_, c)| c)
            .collect())
    }

    fn import_journal_entries(
        &self,
        entries: &mut dyn Iterator<Item = std::result::Result<JournalEntry, LineError>>,
    ) -> Result<JournalImportStats> {
        // One transaction for the whole stream: any error below drops it, and nothing is kept.
        self.write(|tx| {
            self.lock_athlete(tx)?;
            let mut stats = JournalImportStats::default();
            // Pain reports that named a run appearing later in the stream: linked once the stream is through.
            let mut forward: Vec<(i64, String)> = Vec::new();
            for entry in entries {
                match entry.map_err(StoreError::Journal)? {
                    JournalEntry::Run { activity, classification, context, samples_blob } => {
                        self.import_run(
                            tx,
                            &activity,
                            classification.as_ref(),
                            context.as_ref(),
                            samples_blob.as_deref(),
                            &mut stats,
                        )?;
                    }
                    JournalEntry::Pain { report, run_key } => {
                        forward.extend(self.import_pain(tx, report, run_key, &mut stats)?);
                    }
                    JournalEntry::Day(d) => {
                        self.upsert_day_log(tx, &d)?;
                        stats.days += 1;
                    }
                }
            }
            for (pain_id, key) in forward {
                if let Some(run_id) = self.run_id_by_key(tx, &key)? {
                    self.relink_pain(tx, pain_id, Some(run_id))?;
                }
            }
            if stats.runs_added > 0 {
                self.analyze_runs_once(tx)?;
            }
            Ok(stats)
        })
    }

    fn put_session(
        &self,
        started_at: Timestamp,
        routine_id: &str,
        completed: bool,
        record: &serde_json::Value,
    ) -> Result<()> {
        let key = format!("{}|{routine_id}", started_at.as_millisecond());
        self.write(|tx| {
            tx.execute(
                "INSERT INTO routine_sessions (athlete_id, key, started_epoch, routine_id, completed, data)
                 VALUES ($1, $2, $3, $4, $5, $6)
                 ON CONFLICT (athlete_id, key) DO UPDATE SET completed = excluded.completed, data = excluded.data",
                &[&self.me(), &key, &started_at.as_second(), &routine_id, &completed, &record.to_string()],
            )
            .map_err(|e| self.err(e))?;
            Ok(())
        })
    }

    fn sessions(&self, from: Timestamp, to: Timestamp) -> Result<Vec<SessionRow>> {
        let rows = self.tx(|tx| {
            tx.query(
                "SELECT seq, key, routine_id, completed, data FROM routine_sessions
                 WHERE athlete_id = $1 AND started_epoch >= $2 AND started_epoch < $3 ORDER BY started_epoch, seq",
                &[&self.me(), &from.as_second(), &to.as_second()],
            )
            .map_err(|e| self.err(e))
        })?;
        rows.iter()
            .map(|r| {
                let id: i64 = r.get(0);
                let key: &str = r.get(1);
                let millis: i64 = key.split('|').next().and_then(|m| m.parse().ok()).unwrap_or(0);
                let started_at = Timestamp::from_millisecond(millis).map_err(|e| StoreError::Decode {
                    what: "session",
                    id,
                    detail: e.to_string(),
                })?;
                Ok(SessionRow {
                    started_at,
                    routine_id: r.get(2),
                    completed: r.get(3),
                    record: decode("session", id, r.get(4))?,
                })
            })
            .collect()
    }

    fn add_break_event(&self, at: Timestamp, kind: &str, event: &serde_json::Value) -> Result<()> {
        self.write(|tx| {
            tx.execute(
                "INSERT INTO break_events (athlete_id, at_epoch, kind, data) VALUES ($1, $2, $3, $4)",
                &[&self.me(), &at.as_second(), &kind, &event.to_string()],
            )
            .map_err(|e| self.err(e))?;
            Ok(())
        })
    }

    fn break_events(&self, from: Timestamp, to: Timestamp) -> Result<Vec<BreakEventRow>> {
        let rows = self.tx(|tx| {
            tx.query(
                "SELECT id, at_epoch, kind, data FROM break_events
                 WHERE athlete_id = $1 AND at_epoch >= $2 AND at_epoch < $3 ORDER BY at_epoch, id",
                &[&self.me(), &from.as_second(), &to.as_second()],
            )
            .map_err(|e| self.err(e))
        })?;
        rows.iter()
            .map(|r| {
                let id: i64 = r.get(0);
                let at = Timestamp::from_second(r.get(1)).map_err(|e| StoreError::Decode {
                    what: "break event",
                    id,
                    detail: e.to_string(),
                })?;
                Ok(BreakEventRow { at, kind: r.get(2), event: decode("break event", id, r.get(3))? })
            })
            .collect()
    }

    fn lessons_done(&self) -> Result<Vec<LessonDone>> {
        let rows = self.tx(|tx| {
            tx.query(
                "SELECT seq, lesson_id, done_at FROM lesson_progress WHERE athlete_id = $1 ORDER BY done_at, seq",
                &[&self.me()],
            )
            .map_err(|e| self.err(e))
        })?;
        rows.iter()
            .map(|r| Ok(LessonDone { lesson_id: r.get(1), done_at: parse_ts(r.get(2), "lesson progress", r.get(0))? }))
            .collect()
    }

    fn set_lesson_done(&self, lesson_id: &str, at: Option<Timestamp>) -> Result<()> {
        self.write(|tx| {
            match at {
                Some(at) => tx.execute(
                    "INSERT INTO lesson_progress (athlete_id, lesson_id, done_at) VALUES ($1, $2, $3)
                     ON CONFLICT (athlete_id, lesson_id) DO NOTHING",
                    &[&self.me(), &lesson_id, &ts(at)],
                ),
                None => tx.execute(
                    "DELETE FROM lesson_progress WHERE athlete_id = $1 AND lesson_id = $2",
                    &[&self.me(), &lesson_id],
                ),
            }
            .map_err(|e| self.err(e))?;
            Ok(())
        })
    }

    fn setting(&self, key: &str) -> Result<Option<serde_json::Value>> {
        let row = self.tx(|tx| {
            tx.query_opt("SELECT seq, data FROM settings WHERE athlete_id = $1 AND key = $2", &[&self.me(), &key])
                .map_err(|e| self.err(e))
        })?;
        row.map(|r| decode("setting", r.get(0), r.get(1))).transpose()
    }

    fn put_setting(&self, key: &str, value: &serde_json::Value) -> Result<()> {
        self.write(|tx| {
            tx.execute(
                "INSERT INTO settings (athlete_id, key, data, updated_at) VALUES ($1, $2, $3, $4)
                 ON CONFLICT (athlete_id, key) DO UPDATE SET data = excluded.data, updated_at = excluded.updated_at",
                &[&self.me(), &key, &value.to_string(), &ts(Timestamp::now())],
            )
            .map_err(|e| self.err(e))?;
            Ok(())
        })
    }

    fn put_experiment(&self, id: Option<i64>, started: Date, active: bool, data: &serde_json::Value) -> Result<i64> {
        let (started, data) = (started.to_string(), data.to_string());
        self.write(|tx| {
            self.lock_athlete(tx)?;
            let id = match id {
                Some(id) => {
                    let n = tx
                        .execute(
                            "UPDATE experiments SET started = $1, active = $2, data = $3 WHERE id = $4 AND athlete_id = $5",
                            &[&started, &active, &data, &id, &self.me()],
                        )
                        .map_err(|e| self.err(e))?;
                    if n == 0 {
                        return Err(StoreError::NotFound { what: "experiment", id });
                    }
                    id
                }
                None => tx
                    .query_one(
                        "INSERT INTO experiments (athlete_id, started, active, data) VALUES ($1, $2, $3, $4)
                         RETURNING id",
                        &[&self.me(), &started, &active, &data],
                    )
                    .map_err(|e| self.err(e))?
                    .get(0),
            };
            if active {
                // At most one active experiment per athlete: starting one stops the athlete's others.
                tx.execute(
                    "UPDATE experiments SET active = false WHERE athlete_id = $1 AND id <> $2 AND active",
                    &[&self.me(), &id],
                )
                .map_err(|e| self.err(e))?;
            }
            Ok(id)
        })
    }

    fn active_experiment(&self) -> Result<Option<(i64, serde_json::Value)>> {
        let row = self.tx(|tx| {
            tx.query_opt(
                "SELECT id, data FROM experiments WHERE athlete_id = $1 AND active ORDER BY id DESC LIMIT 1",
                &[&self.me()],
            )
            .map_err(|e| self.err(e))
        })?;
        row.map(|r| {
            let id: i64 = r.get(0);
            decode("experiment", id, r.get(1)).map(|v| (id, v))
        })
        .transpose()
    }

    fn experiments(&self) -> Result<Vec<(i64, bool, serde_json::Value)>> {
        let rows = self.tx(|tx| {
            tx.query("SELECT id, active, data FROM experiments WHERE athlete_id = $1 ORDER BY id DESC", &[&self.me()])
                .map_err(|e| self.err(e))
        })?;
        rows.iter()
            .map(|r| {
                let id: i64 = r.get(0);
                Ok((id, r.get(1), decode("experiment", id, r.get(2))?))
            })
            .collect()
    }

    fn add_posture(&self, taken_on: Date, kind: &str, data: &serde_json::Value) -> Result<i64> {
        self.write(|tx| {
            Ok(tx
                .query_one(
                    "INSERT INTO posture_checks (athlete_id, taken_on, kind, created_at, data)
                     VALUES ($1, $2, $3, $4, $5) RETURNING id",
                    &[&self.me(), &taken_on.to_string(), &kind, &ts(Timestamp::now()), &data.to_string()],
                )
                .map_err(|e| self.err(e))?
                .get(0))
        })
    }

    fn postures(&self) -> Result<Vec<PostureRow>> {
        self.posture_rows(
            "SELECT id, taken_on, kind, created_at, photo, data FROM posture_checks WHERE athlete_id = $1
             ORDER BY taken_on, id",
            &[&self.me()],
        )
    }

    fn posture(&self, id: i64) -> Result<Option<PostureRow>> {
        Ok(self
            .posture_rows(
                "SELECT id, taken_on, kind, created_at, photo, data FROM posture_checks
                 WHERE athlete_id = $1 AND id = $2",
                &[&self.me(), &id],
            )?
            .pop())
    }

    fn set_posture_photo(&self, id: i64, photo: Option<&str>) -> Result<()> {
        let n = self.write(|tx| {
            tx.execute(
                "UPDATE posture_checks SET photo = $1 WHERE id = $2 AND athlete_id = $3",
                &[&photo, &id, &self.me()],
            )
            .map_err(|e| self.err(e))
        })?;
        if n == 0 {
            return Err(StoreError::NotFound { what: "posture check", id });
        }
        Ok(())
    }

    fn delete_posture(&self, id: i64) -> Result<bool> {
        let n = self.write(|tx| {
            tx.execute("DELETE FROM posture_checks WHERE id = $1 AND athlete_id = $2", &[&id, &self.me()])
                .map_err(|e| self.err(e))
        })?;
        Ok(n > 0)
    }

    fn add_program_change(&self, change: &ProgramChange) -> Result<bool> {
        checked(change.check())?;
        let data = encode("program change", change)?;
        let n = self.write(|tx| {
            tx.execute(
                "INSERT INTO program_changes (athlete_id, key, at_us, data) VALUES ($1, $2, $3, $4)
                 ON CONFLICT (athlete_id, key) DO NOTHING",
                &[&self.me(), &change.key, &micros(change.at), &data],
            )
            .map_err(|e| self.err(e))
        })?;
        Ok(n > 0)
    }

    fn program_changes(&self) -> Result<Vec<ProgramChange>> {
        let rows = self.docs(
            "program change",
            "SELECT seq, data FROM program_changes WHERE athlete_id = $1 ORDER BY at_us, key COLLATE \"C\"",
        )?;
        Ok(rows.into_iter().map(|(_, c)| c).collect())
    }

    fn add_comment(&self, comment: &Comment) -> Result<bool> {
        checked(comment.check())?;
        let data = encode("comment", comment)?;
        let (kind, target) = comment_target(&comment.on);
        let n = self.write(|tx| {
            tx.execute(
                "INSERT INTO clinician_comments (athlete_id, key, at_us, on_kind, on_ref, data)
                 VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (athlete_id, key) DO NOTHING",
                &[&self.me(), &comment.key, &micros(comment.at), &kind, &target, &data],
            )
            .map_err(|e| self.err(e))
        })?;
        Ok(n > 0)
    }

    fn comments(&self) -> Result<Vec<Comment>> {
        let rows = self.docs(
            "comment",
            "SELECT seq, data FROM clinician_comments WHERE athlete_id = $1 ORDER BY at_us, key COLLATE \"C\"",
        )?;
        Ok(rows.into_iter().map(|(_, c)| c).collect())
    }

    fn add_audit(&self, entry: &AuditEntry) -> Result<()> {
        self.write(|tx| {
            tx.execute(
                "INSERT INTO audit_log (athlete_id, at_us, actor_account, actor_name, action, detail)
                 VALUES ($1, $2, $3, $4, $5, $6)",
                &[&self.me(), &micros(entry.at), &entry.actor_account, &entry.actor_name, &entry.action, &entry.detail],
            )
            .map_err(|e| self.err(e))?;
            Ok(())
        })
    }

    fn audit_log(&self, from: Timestamp, to: Timestamp) -> Result<Vec<AuditEntry>> {
        let rows = self.tx(|tx| {
            tx.query(
                "SELECT id, at_us, actor_account, actor_name, action, detail FROM audit_log
                 WHERE athlete_id = $1 AND at_us >= $2 AND at_us < $3 ORDER BY at_us, id",
                &[&self.me(), &micros(from), &micros(to)],
            )
            .map_err(|e| self.err(e))
        })?;
        rows.iter()
            .map(|r| {
                let id: i64 = r.get(0);
                Ok(AuditEntry {
                    at: from_micros(r.get(1), "audit entry", id)?,
                    actor_account: r.get(2),
                    actor_name: r.get(3),
                    action: r.get(4),
                    detail: r.get(5),
                })
            })
            .collect()
    }

    fn last_audit(&self, actor_account: i64, actions: &[&str]) -> Result<Option<Timestamp>> {
        let actions: Vec<String> = actions.iter().map(|a| a.to_string()).collect();
        let row = self.tx(|tx| {
            // The newest of each action's newest (one seek each on `audit_log_actor`).
            tx.query_opt(
                "SELECT a.id, a.at_us FROM unnest($3::text[]) AS act (action),
                 LATERAL (SELECT id, at_us FROM audit_log
                          WHERE athlete_id = $1 AND actor_account = $2 AND action = act.action
                          ORDER BY at_us DESC, id DESC LIMIT 1) AS a
                 ORDER BY a.at_us DESC, a.id DESC LIMIT 1",
                &[&self.me(), &actor_account, &actions],
            )
            .map_err(|e| self.err(e))
        })?;
        row.map(|r| from_micros(r.get(1), "audit entry", r.get(0))).transpose()
    }

    fn journal_revision(&self) -> Result<u64> {
        let read = |tx: Tx<'_, '_>| {
            let row = tx
                .query_one("SELECT n FROM journal_revision WHERE athlete_id = $1", &[&self.me()])
                .map_err(|e| self.err(e))?;
            Ok(u64::try_from(row.get::<_, i64>(0)).unwrap_or(0))
        };
        match &self.scope {
            None => self.tx(read),
            Some(scope) => scope.remembered(|m| &mut m.revision, read),
        }
    }

    fn holds_real_data(&self) -> Result<bool> {
        self.tx(|tx| {
            let profile = tx
                .query_opt("SELECT data FROM profile WHERE athlete_id = $1", &[&self.me()])
                .map_err(|e| self.err(e))?;
            if let Some(row) = profile {
                let p: Profile = decode("profile", self.me(), row.get(0))?;
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
            let any = tables.map(|t| format!("EXISTS (SELECT 1 FROM {t} WHERE athlete_id = $1)")).join(" OR ");
            Ok(tx.query_one(&format!("SELECT {any}"), &[&self.me()]).map_err(|e| self.err(e))?.get(0))
        })
    }

    fn delete_all(&self) -> Result<()> {
        self.write(|tx| {
            self.lock_athlete(tx)?;
            tx.execute(
                "UPDATE label_pass SET stale_from_epoch = NULL, generation = generation + 1 WHERE athlete_id = $1",
                &[&self.me()],
            )
            .map_err(|e| self.err(e))?;
            // Children before the rows they refer to; the counters stay (the athlete does).
            for table in migrations::ATHLETE_TABLES.iter().rev() {
                if ["journal_revision", "label_pass"].contains(table) {
                    continue;
                }
                tx.execute(&format!("DELETE FROM {table} WHERE athlete_id = $1"), &[&self.me()])
                    .map_err(|e| self.err(e))?;
            }
            // The revision moves on even when there was nothing to delete: "everything" changed, as far as caches
            // know.
            tx.execute("UPDATE journal_revision SET n = n + 1 WHERE athlete_id = $1", &[&self.me()])
                .map_err(|e| self.err(e))?;
            Ok(())
        })
    }
}
