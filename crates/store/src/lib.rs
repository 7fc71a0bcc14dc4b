//! Where runtall keeps a runner's data.
//!
//! Everything above this crate talks to the [`Store`] trait, so the embedded SQLite store used on a runner's machine
//! and a PostgreSQL store for a clinic server can share every rule above them. A [`Store`] is a handle confined to
//! one athlete: every read and write it makes is about that athlete's rows, and ids of another athlete's rows
//! answer as if they did not exist. A [`Database`] makes those handles and keeps the list of athletes; the local
//! app uses one athlete, [`AthleteId::LOCAL`]. `docs/storage.md` describes the boundary, and the
//! `runtall-store-tests` crate is the conformance suite every implementation passes.
//!
//! The store only stores: turning journal lines into activities or choosing the run a pain report belongs to are
//! rules of the domain and the app. Records are kept as JSON documents next to the columns that queries filter,
//! sort or list by: the domain types evolve quickly, and a document column keeps old rows readable while
//! migrations stay small.

pub mod accounts;
pub mod codec;
pub mod columns;
pub mod dashboard;
mod migrations;
pub mod private_files;
pub mod profile_shape;
mod sqlite;

pub use sqlite::{SqliteDatabase, SqliteStore};

/// The schema version a database is at once this build has opened it (one per migration).
pub const SCHEMA_VERSION: i64 = migrations::MIGRATIONS.len() as i64;

/// The schema steps in order, for upgrade tests that build a database as an older runtall left it.
#[doc(hidden)]
pub use migrations::MIGRATIONS;

use jiff::civil::Date;
use jiff::{SignedDuration, Timestamp};
use runtall_domain::activity::{Activity, Sport};
use runtall_domain::assess::AssessmentRecord;
use runtall_domain::classify::{Classification, RunLabel, RunSummary};
use runtall_domain::clinic::{AuditEntry, Comment, ProgramChange};
use runtall_domain::journal::{DayLog, PainReport, RunContext};
use runtall_domain::journal_format::LineError;
use runtall_domain::plan::PlanRecord;
use runtall_domain::profile::Profile;
use runtall_domain::screen::ScreeningRecord;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// Another writer held the data this call needed for longer than the store waits (a second program on a SQLite
    /// file, a conflicting transaction on a server). Nothing was changed and the same call can simply be retried.
    #[error("database {path} is busy with another writer; nothing was changed, try again in a moment")]
    Locked { path: String },
    /// Front ends add what the runner can do about it (the CLI names `--db`).
    #[error("{path} is not a runtall database or is damaged ({detail}); nothing was changed")]
    Corrupt { path: String, detail: String },
    #[error("cannot open database {path}: {detail}")]
    Open { path: String, detail: String },
    #[error(
        "database {path} was written by a newer runtall (schema version {found}, this build knows up to {known}); upgrade runtall"
    )]
    TooNew { path: String, found: i64, known: i64 },
    /// A record could not be turned into its stored form (serde refused it): a bug, never the runner's input.
    #[error("cannot store {what}: {detail}")]
    Encode { what: &'static str, detail: String },
    /// A stored record no longer reads back as its type: a bug or a hand-edited database.
    #[error("stored record {what} #{id} cannot be read: {detail}")]
    Decode { what: &'static str, id: i64, detail: String },
    /// No such record for this athlete. Another athlete's record answers the same: ids never reveal that a row
    /// exists elsewhere.
    #[error("no {what} with id {id}")]
    NotFound { what: &'static str, id: i64 },
    /// A unique thing is taken (an account's email, in any case); nothing was changed.
    #[error("{what} already exists")]
    Exists { what: &'static str },
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
    /// A record the store refuses to keep as it is (a clinician record without a key, an empty note); nothing was
    /// stored.
    #[error("{0}; nothing was stored")]
    Invalid(String),
    /// Any other failure of the database engine (a bug, or an environment problem without a better name).
    #[error("database error: {0}")]
    Sql(String),
}

pub type Result<T> = std::result::Result<T, StoreError>;

/// Whose records a [`Store`] handle reads and writes. Ids are the database's own; a server maps its accounts to
/// them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize)]
#[serde(transparent)]
pub struct AthleteId(i64);

impl AthleteId {
    /// The one runner of a local database: it owns every row written before athletes existed (schema 10).
    pub const LOCAL: AthleteId = AthleteId(1);

    pub const fn new(id: i64) -> AthleteId {
        AthleteId(id)
    }

    pub const fn get(self) -> i64 {
        self.0
    }
}

impl std::fmt::Display for AthleteId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

/// An athlete as the database lists them.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Athlete {
    pub id: AthleteId,
    pub name: String,
    pub created_at: Timestamp,
}

/// A database that holds athletes' records and hands out [`Store`] handles, each confined to one athlete.
pub trait Database {
    type Store: Store;
    /// Adds an athlete with no records (revision 0, no label pass pending) and returns its id.
    fn create_athlete(&self, name: &str) -> Result<AthleteId>;
    /// Every athlete, in the order they were added.
    fn athletes(&self) -> Result<Vec<Athlete>>;
    /// A handle whose every call reads and writes `athlete`'s records only; [`StoreError::NotFound`] when there is
    /// no such athlete.
    fn athlete(&self, athlete: AthleteId) -> Result<Self::Store>;
    /// A handle like [`Database::athlete`]'s for the calls of one request, which a backend may run in one
    /// transaction on one connection until [`Store::end_scope`]: a server page's dozen reads then name the athlete
    /// and commit once instead of once each. Each call stays all-or-nothing (a failed write leaves nothing of itself
    /// behind), but the scope's writes are durable only once `end_scope(true)` has succeeded, and a failed read
    /// ends the scope's chance to commit (later calls fail, `end_scope` rolls back and reports it). By default the
    /// plain handle, whose calls each commit at once (SQLite, where a call costs no round trip).
    fn scope(&self, athlete: AthleteId) -> Result<Self::Store> {
        self.athlete(athlete)
    }
}

/// One record of a journal import as the store keeps it, mapped from the journal's lines by the app
/// (`runtall_app::journal_file`). The store only matches keys and skips what it already holds.
#[derive(Debug, Clone, PartialEq)]
pub enum JournalEntry {
    /// A run under its journal key (`activity.source.content_hash`): matched to the athlete's stored activity with
    /// that key, or else stored as `activity` with `classification`. `context`, when given, replaces the run's
    /// stored context; its `run_id` is ignored (the store sets the run it matched or stored).
    ///
    /// `samples_blob`, when given, is the run's sample stream already in the store's codec ([`codec::encode`]),
    /// checked by the caller with [`codec::scan`]: it is stored as it is and `activity.samples` is ignored. A
    /// sync batch brings runs this way, so the server never decodes a stream only to encode it again.
    Run {
        activity: Box<Activity>,
        classification: Option<Classification>,
        context: Option<RunContext>,
        samples_blob: Option<Vec<u8>>,
    },
    /// A pain report, linked to the run whose key is `run_key` when the athlete has it (the run may come later in
    /// the stream); `report.run_id` is ignored. Skipped when the very same report is stored already.
    Pain { report: PainReport, run_key: Option<String> },
    /// A day's log; replaces the stored one of that date.
    Day(DayLog),
}

/// What happened to an activity handed to [`Store::add_activity`] or [`Store::add_activities`].
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
    /// The run's journal key: the content hash of its source file, or the key a journal gave a run that came
    /// without a file.
    pub key: String,
}

/// One stored activity in full.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct StoredActivity {
    pub id: i64,
    pub activity: Activity,
    pub classification: Option<Classification>,
}

/// One stored activity with its sample stream as the store keeps it (the codec's bytes), for a caller that only
/// passes the stream on (sync sends it to a server as it is, instead of decoding and encoding it again).
#[derive(Debug, Clone, PartialEq)]
pub struct EncodedActivity {
    pub id: i64,
    /// The activity with empty `samples`.
    pub activity: Activity,
    /// The samples in [`codec`]'s format.
    pub samples_blob: Vec<u8>,
}

/// An activity's stored form, made before it is written: its summary document and its samples in [`codec`]'s
/// format. Making it is pure work, about a tenth of an import's CPU, so an import makes it on its decoding threads
/// and its one writer only looks up and writes ([`Store::add_prepared_activities`]).
#[derive(Debug, Clone, PartialEq)]
pub struct PreparedActivity {
    summary: String,
    samples_blob: Vec<u8>,
}

impl PreparedActivity {
    /// The stored form of `a`, the same bytes the store would make when writing it.
    pub fn of(a: &Activity) -> Result<Self> {
        Ok(Self { summary: summary_json(a)?, samples_blob: codec::encode(&a.samples) })
    }

    /// The summary document (the activity without its samples, as JSON).
    pub fn summary(&self) -> &str {
        &self.summary
    }

    /// The samples in [`codec`]'s format.
    pub fn samples_blob(&self) -> &[u8] {
        &self.samples_blob
    }
}

/// The summary document of an activity: everything but its sample stream (stored separately, compactly). Built
/// field by field rather than from a clone, which would copy the samples only to drop them (a tenth of a
/// 3,000-run import's writer time); a field added to [`Activity`] fails to compile here until it is placed.
pub(crate) fn summary_json(a: &Activity) -> Result<String> {
    let Activity {
        sport,
        sub_sport,
        name,
        start,
        utc_offset_s,
        elapsed_s,
        moving_s,
        distance_m,
        ascent_m,
        descent_m,
        avg_hr_bpm,
        max_hr_bpm,
        avg_cadence_spm,
        avg_respiration_brpm,
        dynamics,
        device,
        quality,
        laps,
        samples: _,
        source,
        warnings,
    } = a;
    let copy = Activity {
        sport: *sport,
        sub_sport: sub_sport.clone(),
        name: name.clone(),
        start: *start,
        utc_offset_s: *utc_offset_s,
        elapsed_s: *elapsed_s,
        moving_s: *moving_s,
        distance_m: *distance_m,
        ascent_m: *ascent_m,
        descent_m: *descent_m,
        avg_hr_bpm: *avg_hr_bpm,
        max_hr_bpm: *max_hr_bpm,
        avg_cadence_spm: *avg_cadence_spm,
        avg_respiration_brpm: *avg_respiration_brpm,
        dynamics: dynamics.clone(),
        device: device.clone(),
        quality: quality.clone(),
        laps: laps.clone(),
        samples: runtall_domain::activity::Samples::default(),
        source: source.clone(),
        warnings: warnings.clone(),
    };
    columns::encode("activity", &copy)
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
    /// Screens, assessments, plans, sessions, experiments, posture checks and lessons stored anew (the app
    /// applies these; the store's own import leaves them at 0).
    pub others_added: usize,
    /// The same records already stored under their stable id (updated where they changed).
    pub others_matched: usize,
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

/// Everything runtall persists about one athlete. Each method is one transaction: a failure leaves earlier data
/// untouched. A handle from [`Database::scope`] may instead run its calls in one shared transaction, committed by
/// [`Store::end_scope`]: each call is still all or nothing, and the scope's writes are kept together or not at all. Every call is confined to the handle's athlete; an id of another athlete's record behaves as an id
/// that does not exist (`None`, `false` or [`StoreError::NotFound`]).
pub trait Store {
    /// The athlete this handle is confined to (caches of derived results key on it with the revision).
    fn athlete_id(&self) -> AthleteId;

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

    /// Stores one activity in one transaction, unless it duplicates a stored one.
    fn add_activity(&self, activity: &Activity, classification: Option<&Classification>) -> Result<AddOutcome>;
    /// Replaces the stored activity `id` with a better copy of the same recording (an intact file for a damaged
    /// one, FIT for GPX), in one transaction. The row keeps its id, so the runner's context and linked pain reports
    /// stay with the run; labels from the earlier of the two starts are marked stale. Returns whether it existed.
    fn replace_activity(&self, id: i64, activity: &Activity, classification: Option<&Classification>) -> Result<bool>;
    /// Stores `batch` in one transaction, in order, with the outcome [`Store::add_activity`] gives each one: an
    /// import's batch, so a large export costs one commit per batch rather than per run. Each new run is labelled
    /// by `label` against the runs that started in the `history` before it as stored so far (earlier runs of the
    /// batch included), the same history [`Store::run_summaries`] would give one call later; other sports get no
    /// label. An error stores none of the batch.
    fn add_activities(
        &self,
        batch: &[Activity],
        history: SignedDuration,
        label: &mut dyn FnMut(&Activity, &[RunSummary]) -> Classification,
    ) -> Result<Vec<AddOutcome>>;
    /// Whether [`Store::add_prepared_activities`] uses the prepared forms; when not (the default), a caller does
    /// not make them, as they would be made for nothing and again at the write.
    fn takes_prepared_activities(&self) -> bool {
        false
    }
    /// [`Store::add_activities`] with each activity's stored form made beforehand: `prepared[i]` is
    /// [`PreparedActivity::of`] `batch[i]`. A backend that keeps another form ignores `prepared` (the default).
    fn add_prepared_activities(
        &self,
        batch: &[Activity],
        prepared: &[PreparedActivity],
        history: SignedDuration,
        label: &mut dyn FnMut(&Activity, &[RunSummary]) -> Classification,
    ) -> Result<Vec<AddOutcome>> {
        let _ = prepared;
        self.add_activities(batch, history, label)
    }
    fn activity(&self, id: i64) -> Result<Option<StoredActivity>>;
    /// [`Store::activity`] without decoding the samples: they come as the codec's bytes.
    fn activity_encoded(&self, id: i64) -> Result<Option<EncodedActivity>>;
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

    /// Applies a stream of journal entries in one transaction: the first error (a bad line,
    /// [`StoreError::Journal`], or a failed write) rolls everything back. Memory does not grow with the stream.
    fn import_journal_entries(
        &self,
        entries: &mut dyn Iterator<Item = std::result::Result<JournalEntry, LineError>>,
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

    /// Stores a clinician's program change unless one with the same key is stored already (a sync may send it
    /// again); returns whether it was new. A stored change is never altered: it is undone by a change that retires
    /// it. [`StoreError::Invalid`] when the change fails its check (no key, an empty note).
    fn add_program_change(&self, change: &ProgramChange) -> Result<bool>;
    /// Every program change, oldest first (by time, then key).
    fn program_changes(&self) -> Result<Vec<ProgramChange>>;
    /// Stores a clinician's comment unless one with the same key is stored already; returns whether it was new.
    fn add_comment(&self, comment: &Comment) -> Result<bool>;
    /// Every comment, oldest first (by time, then key).
    fn comments(&self) -> Result<Vec<Comment>>;
    /// Records one view or change of the athlete's data by someone else.
    fn add_audit(&self, entry: &AuditEntry) -> Result<()>;
    /// Audit entries at `[from, to)`, oldest first.
    fn audit_log(&self, from: Timestamp, to: Timestamp) -> Result<Vec<AuditEntry>>;
    /// When `actor_account` last did one of `actions` (the clinician's last visit), without reading the whole log.
    fn last_audit(&self, actor_account: i64, actions: &[&str]) -> Result<Option<Timestamp>>;

    /// A number that grows with every change to the athlete's records (profile, screens, assessments, plans, runs,
    /// pain, day logs, run context, guided sessions, experiments, a clinician's program changes and comments),
    /// whoever made it, and with no other athlete's:
    /// equal numbers mean nothing those views read has changed, so results computed from them (the insights
    /// report) can be reused.
    fn journal_revision(&self) -> Result<u64>;

    /// Whether the athlete has anything that is not the bundled sample runner.
    fn holds_real_data(&self) -> Result<bool>;
    /// Deletes every record of the athlete, and nobody else's (used by `runtall demo --force` and "delete all my
    /// data"). The athlete stays, and its journal revision keeps growing.
    fn delete_all(&self) -> Result<()>;

    /// Ends a handle from [`Database::scope`]: commits the calls' writes when `commit` and every call of the scope
    /// could be kept, else rolls them all back. An error says the writes were not kept (a commit that failed, or a
    /// read that failed earlier in the scope). Later calls on the handle fail. On a handle whose calls commit one by
    /// one (any handle from [`Database::athlete`], every SQLite handle) there is nothing to end: `Ok(())`.
    fn end_scope(&self, commit: bool) -> Result<()> {
        let _ = commit;
        Ok(())
    }
}
