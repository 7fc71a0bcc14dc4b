//! Where runtall keeps a runner's data.
//!
//! Domain code talks to the [`Store`] trait only, so the embedded SQLite store used on a runner's machine and a
//! PostgreSQL store for a multi-athlete server can share every rule above them. Records are stored as JSON
//! documents with a few indexed columns: the domain types evolve quickly, and a document column keeps old rows
//! readable while migrations stay small.

pub mod codec;
mod migrations;
pub mod private_files;
mod sqlite;

pub use sqlite::SqliteStore;

/// The schema version a database is at once this build has opened it (one per migration).
pub const SCHEMA_VERSION: i64 = migrations::MIGRATIONS.len() as i64;

use jiff::Timestamp;
use jiff::civil::Date;
use runtall_domain::activity::{Activity, Sport};
use runtall_domain::assess::AssessmentRecord;
use runtall_domain::classify::{Classification, RunLabel, RunSummary};
use runtall_domain::journal::{DayLog, PainReport, RunContext};
use runtall_domain::plan::PlanRecord;
use runtall_domain::profile::Profile;
use runtall_domain::screen::ScreeningRecord;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database {path} is locked by another program (is another runtall running?); try again in a moment")]
    Locked { path: String },
    #[error(
        "{path} is not a runtall database or is damaged ({detail}); nothing was changed. Move it aside or pass another file with --db"
    )]
    Corrupt { path: String, detail: String },
    #[error("cannot open database {path}: {detail}")]
    Open { path: String, detail: String },
    #[error(
        "database {path} was written by a newer runtall (schema version {found}, this build knows up to {known}); upgrade runtall"
    )]
    TooNew { path: String, found: i64, known: i64 },
    #[error("stored record {what} #{id} cannot be read: {detail}")]
    Decode { what: &'static str, id: i64, detail: String },
    #[error("no {what} with id {id}")]
    NotFound { what: &'static str, id: i64 },
    /// SQLite could not write because the disk (or the file system's quota) is full. The transaction that hit it
    /// was rolled back; everything committed before it is kept.
    #[error(
        "the disk holding {path} is full: everything saved before this point is kept, and the step that failed \
         was not saved. Free some space and try again (an import skips the files it already stored)"
    )]
    DiskFull { path: String },
    /// A journal being imported has a bad record; nothing of it was stored.
    #[error("{0}; nothing was imported")]
    Journal(runtall_domain::journal_format::LineError),
    #[error("database error: {0}")]
    Sql(String),
}

pub type Result<T> = std::result::Result<T, StoreError>;

/// What happened to an activity handed to [`Store::add_activity`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "outcome", rename_all = "kebab-case")]
pub enum AddOutcome {
    Added {
        id: i64,
    },
    /// The very same file (same content hash) is already stored.
    DuplicateFile {
        existing: i64,
    },
    /// The same recording from another export or a partial copy (time spans overlap, tracks agree).
    DuplicateRun {
        existing: i64,
    },
}

/// One stored activity without its samples, for lists.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct ActivityRow {
    pub id: i64,
    pub start: Timestamp,
    pub utc_offset_s: Option<i32>,
    pub sport: Sport,
    pub name: Option<String>,
    pub distance_m: f64,
    pub elapsed_s: f64,
    pub moving_s: f64,
    pub ascent_m: Option<f64>,
    pub avg_hr_bpm: Option<f64>,
    pub label: Option<RunLabel>,
    pub source_path: String,
}

/// One stored activity in full.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct StoredActivity {
    pub id: i64,
    pub activity: Activity,
    pub classification: Option<Classification>,
}

/// What a journal import did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct JournalImportStats {
    /// Runs created from journal rows (no watch file for them here).
    pub runs_added: usize,
    /// Runs that matched a stored activity (same key/content hash or the same run).
    pub runs_matched: usize,
    pub pain_added: usize,
    /// Pain reports already present (same time, region, timing and intensity).
    pub pain_duplicates: usize,
    pub days: usize,
}

/// A guided routine session as stored: the companion's completion record, kept as JSON.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct SessionRow {
    pub started_at: Timestamp,
    pub routine_id: String,
    /// Every step completed.
    pub completed: bool,
    pub record: serde_json::Value,
}

/// A sitting-break reminder event (taken, skipped, snoozed, ...), kept as JSON.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct BreakEventRow {
    pub at: Timestamp,
    pub kind: String,
    pub event: serde_json::Value,
}

/// A breathing-course lesson the runner marked done.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct LessonDone {
    pub lesson_id: String,
    /// When it was first marked done (marking it again keeps this).
    pub done_at: Timestamp,
}

/// A stored posture check: a side photo's landmarks or a run video's summary, as `runtall_app::posture` writes
/// them.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct PostureRow {
    pub id: i64,
    pub taken_on: Date,
    /// `standing`, `stacked`, `desk` or `run-video`.
    pub kind: String,
    pub created_at: Timestamp,
    /// File name of the kept photo in the private folder beside the database, if the runner kept it.
    pub photo: Option<String>,
    pub data: serde_json::Value,
}

/// Which activities to list. Empty means all, newest first.
#[derive(Debug, Clone, Default)]
pub struct ActivityFilter {
    pub from: Option<Timestamp>,
    pub to: Option<Timestamp>,
    pub label: Option<RunLabel>,
    pub limit: Option<usize>,
    /// Runs only, other sports only (cross-training), or everything (the default).
    pub kind: ActivityKind,
}

/// Which activities a list wants: the journal shows runs, and other sports apart as cross-training.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum ActivityKind {
    #[default]
    All,
    /// Road, trail, treadmill and track runs ([`Sport::is_run`]).
    Runs,
    /// Everything else: rides, swims, walks, hikes and sports the file did not name.
    CrossTraining,
}

/// Everything runtall persists. Each method is one transaction: a failure leaves earlier data untouched.
pub trait Store {
    fn profile(&self) -> Result<Option<Profile>>;
    fn save_profile(&self, profile: &Profile) -> Result<()>;

    fn add_screening(&self, record: &ScreeningRecord) -> Result<i64>;
    fn latest_screening(&self) -> Result<Option<ScreeningRecord>>;
    fn screenings(&self) -> Result<Vec<ScreeningRecord>>;
    /// Records that a clinician has checked the flags of a screen.
    fn mark_clinician_checked(&self, screening_id: i64, at: Timestamp) -> Result<()>;

    fn add_assessment(&self, record: &AssessmentRecord) -> Result<i64>;
    fn latest_assessment(&self) -> Result<Option<AssessmentRecord>>;
    fn assessments(&self) -> Result<Vec<AssessmentRecord>>;

    fn add_plan(&self, record: &PlanRecord) -> Result<i64>;
    fn latest_plan(&self) -> Result<Option<PlanRecord>>;
    fn plans(&self) -> Result<Vec<PlanRecord>>;

    /// The run a pain report at `at` with this timing belongs to (see `journal::link_run`), among runs within two
    /// days of it.
    fn nearest_run(&self, at: Timestamp, timing: runtall_domain::journal::PainTiming) -> Result<Option<i64>> {
        let span = jiff::SignedDuration::from_hours(48);
        let filter = ActivityFilter {
            from: at.checked_sub(span).ok(),
            to: at.checked_add(span).ok(),
            label: None,
            limit: Some(50),
            kind: ActivityKind::Runs,
        };
        let runs: Vec<(i64, Timestamp, Timestamp)> = self
            .activities(&filter)?
            .into_iter()
            .filter(|r| r.sport.is_run())
            .map(|r| {
                let end =
                    r.start.checked_add(jiff::SignedDuration::from_secs_f64(r.elapsed_s.max(0.0))).unwrap_or(r.start);
                (r.id, r.start, end)
            })
            .collect();
        Ok(runtall_domain::journal::link_run(at, timing, &runs))
    }

    /// Stores one activity in one transaction, unless it duplicates a stored one.
    fn add_activity(&self, activity: &Activity, classification: Option<&Classification>) -> Result<AddOutcome>;
    /// Replaces the stored activity `id` with a better copy of the same recording (an intact file for a damaged
    /// one, FIT for GPX), in one transaction. The row keeps its id, so the runner's context and linked pain reports
    /// stay with the run; labels from the earlier of the two starts are marked stale. Returns whether it existed.
    fn replace_activity(&self, id: i64, activity: &Activity, classification: Option<&Classification>) -> Result<bool>;
    fn activity(&self, id: i64) -> Result<Option<StoredActivity>>;
    fn activities(&self, filter: &ActivityFilter) -> Result<Vec<ActivityRow>>;
    /// Runs that started in `[from, to)`, oldest first: the history classification compares a run against.
    fn run_summaries(&self, from: Timestamp, to: Timestamp) -> Result<Vec<RunSummary>>;
    fn set_classification(&self, id: i64, classification: &Classification) -> Result<()>;
    /// Run labels depend on the runs before them, so every run added or deleted marks labels from its start on as
    /// stale, in the same transaction as the change. This is the earliest such start not yet relabelled, with a
    /// generation that changes with every mark; `None` when every label is current.
    fn labels_stale_from(&self) -> Result<Option<(Timestamp, u64)>>;
    /// Clears the mark after a relabelling pass that started at `generation`, unless a writer marked again since
    /// (then the mark stays for the next pass). Returns whether it was cleared.
    fn finish_label_pass(&self, generation: u64) -> Result<bool>;

    /// Adds a pain report; returns its id.
    fn add_pain_report(&self, report: &PainReport) -> Result<i64>;
    /// Pain reports in `[from, to)`, oldest first.
    fn pain_reports(&self, from: Timestamp, to: Timestamp) -> Result<Vec<PainReport>>;
    /// Inserts or replaces the day's log.
    fn put_day_log(&self, log: &DayLog) -> Result<()>;
    fn day_logs(&self, from: Date, to: Date) -> Result<Vec<DayLog>>;
    /// Deletes one pain report (a mistaken entry). Returns whether it existed.
    fn delete_pain_report(&self, id: i64) -> Result<bool>;
    /// Deletes one imported activity (a wrongly imported file, someone else's ride) with its run context, in one
    /// transaction. Pain reports linked to it are kept, unlinked: they are the runner's words, not the file's.
    /// Returns whether it existed. Importing the same file again brings the activity back.
    fn delete_activity(&self, id: i64) -> Result<bool>;

    /// Inserts or replaces a run's context.
    fn put_run_context(&self, ctx: &RunContext) -> Result<()>;
    fn run_context(&self, run_id: i64) -> Result<Option<RunContext>>;
    fn run_contexts(&self) -> Result<Vec<RunContext>>;

    /// Everything the journal formats carry: runs with context, pain reports, day logs.
    fn export_journal(&self) -> Result<runtall_domain::journal_format::Journal>;
    /// Applies a validated journal in one transaction: all of it or nothing.
    fn import_journal(&self, journal: &runtall_domain::journal_format::Journal) -> Result<JournalImportStats> {
        self.import_journal_records(&mut journal.records().map(Ok))
    }
    /// Applies a stream of journal records (as `JsonlReader` or `CsvReader` read them) in one transaction: the
    /// first bad record ([`StoreError::Journal`]) or failure rolls everything back. Memory does not grow with the
    /// stream. Pain reports may name a run that comes later in the stream.
    fn import_journal_records(
        &self,
        records: &mut dyn Iterator<
            Item = std::result::Result<
                runtall_domain::journal_format::Record,
                runtall_domain::journal_format::LineError,
            >,
        >,
    ) -> Result<JournalImportStats>;

    /// Inserts or updates (same `started_at` and routine) a guided-session record: checkpoints of a running
    /// session overwrite each other, so a killed session still leaves what was completed.
    fn put_session(
        &self,
        started_at: Timestamp,
        routine_id: &str,
        completed: bool,
        record: &serde_json::Value,
    ) -> Result<()>;
    fn sessions(&self, from: Timestamp, to: Timestamp) -> Result<Vec<SessionRow>>;
    fn add_break_event(&self, at: Timestamp, kind: &str, event: &serde_json::Value) -> Result<()>;
    fn break_events(&self, from: Timestamp, to: Timestamp) -> Result<Vec<BreakEventRow>>;

    /// Lessons marked done, in the order they were marked.
    fn lessons_done(&self) -> Result<Vec<LessonDone>>;
    /// Marks a lesson done at `at`, or clears the mark with `None`. Marking a done lesson again keeps the first
    /// time, so "when did I read this" stays true.
    fn set_lesson_done(&self, lesson_id: &str, at: Option<Timestamp>) -> Result<()>;

    /// A setting stored under `key` (e.g. `reminders`), as the front end wrote it; `None` when never saved.
    fn setting(&self, key: &str) -> Result<Option<serde_json::Value>>;
    /// Inserts or replaces the setting under `key`.
    fn put_setting(&self, key: &str, value: &serde_json::Value) -> Result<()>;

    /// Stores an experiment (new when `id` is None) and returns its id. At most one is active at a time.
    fn put_experiment(&self, id: Option<i64>, started: Date, active: bool, data: &serde_json::Value) -> Result<i64>;
    /// The active experiment, if any: (id, data).
    fn active_experiment(&self) -> Result<Option<(i64, serde_json::Value)>>;
    /// Every experiment, stopped ones included, newest first: (id, active, data).
    fn experiments(&self) -> Result<Vec<(i64, bool, serde_json::Value)>>;

    /// Stores a posture check and returns its id.
    fn add_posture(&self, taken_on: Date, kind: &str, data: &serde_json::Value) -> Result<i64>;
    /// Every posture check, oldest first (by date, then id).
    fn postures(&self) -> Result<Vec<PostureRow>>;
    fn posture(&self, id: i64) -> Result<Option<PostureRow>>;
    /// Records (or clears) the file name of a posture check's kept photo.
    fn set_posture_photo(&self, id: i64, photo: Option<&str>) -> Result<()>;
    /// Deletes one posture check; returns whether it existed.
    fn delete_posture(&self, id: i64) -> Result<bool>;

    /// A number that grows with every change to the runner's records (profile, screens, assessments, plans, runs,
    /// pain, day logs, run context, guided sessions, experiments), whoever made it: equal numbers mean nothing those
    /// views read has changed, so results computed from them (the insights report) can be reused.
    fn journal_revision(&self) -> Result<u64>;

    /// Whether the store holds anything that is not the bundled sample runner.
    fn holds_real_data(&self) -> Result<bool>;
    /// Deletes every record (used by `runtall demo --force` and "delete all my data").
    fn delete_all(&self) -> Result<()>;
}
