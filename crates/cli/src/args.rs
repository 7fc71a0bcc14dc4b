//! Command-line arguments. Every subcommand has `--help`; `--json` prints data instead of text.

use clap::{Args, Parser, Subcommand};
use std::path::PathBuf;

#[derive(Debug, Parser)]
#[command(
    name = "runtall",
    version,
    about = "Posture and breathing habits for runners with neck and upper-back pain",
    long_about = "runtall screens for red flags, assesses likely contributors and builds a personal plan of \
                  posture and breathing habits for before, during and after runs, rest days and the desk. It gives \
                  wellness guidance, not diagnosis: see a clinician for anything the screen flags.\n\n\
                  Data stays on this machine, in an SQLite file (see --db).",
    after_help = "Start with `runtall demo` to see a sample runner's plan, or `runtall screen` for your own."
)]
pub struct Cli {
    /// Database file [default: $XDG_DATA_HOME/runtall/runtall.db]
    #[arg(long, global = true, env = "RUNTALL_DB", value_name = "PATH")]
    pub db: Option<PathBuf>,

    /// Print machine-readable JSON instead of text
    #[arg(long, global = true)]
    pub json: bool,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Red-flag screen: answer safety questions before anything else
    Screen(ScreenArgs),
    /// Assessment: where and when it hurts, exposures, baseline and functional scale
    Assess(AssessArgs),
    /// Today's few things in order (before, during and after the run, any time, at the desk) within your daily minutes
    Today(TodayArgs),
    /// Your personal plan, or what to do around one run with --for-run
    Plan(PlanArgs),
    /// The exercise library, or one exercise in full
    Exercises(ExerciseArgs),
    /// The routines (pre-run, post-run, strength, mobility, desk, travel), or one routine step by step
    Routines(ItemArgs),
    /// The breathing course, or one lesson
    Learn(LearnArgs),
    /// Relief options with their safety limits, and cardio alternatives
    Relief(ItemArgs),
    /// Where the advice comes from: every source named in full, and what the evidence levels mean
    Sources,
    /// Habits for sitting, travel, the hydration pack, training load and getting help
    Habits(HabitArgs),
    /// Import watch files: FIT, GPX, TCX (also .gz), folders, Strava and Garmin export zips
    Import(ImportArgs),
    /// Imported runs: list (filter by date and type) or `runs show ID`
    Runs(RunsArgs),
    /// Log pain, daily context or a run's context in a few seconds
    Log(LogArgs),
    /// Which factors go with your pain, with honest uncertainty (needs runs and pain reports)
    Insights,
    /// One-factor-at-a-time self-experiments: new, status, result, stop
    Experiment(ExperimentArgs),
    /// Is the program working: pain against the baseline, functional scale re-scores, routines done
    Progress,
    /// Export or import the whole journal (runs with context, pain, days, screens, plans, sessions, ...) as JSON Lines or CSV
    Journal(JournalArgs),
    /// Send your journal to your clinic's runtall server and bring back what your clinician set
    Sync(SyncArgs),
    /// Posture checks from side-photo or run-video landmarks: add, list, show, delete (CVA, head drift, trunk stack)
    Posture(PostureArgs),
    /// A guided session in the terminal: a routine (e.g. pre-run-long) or one exercise, with a breathing pacer
    Guide(GuideArgs),
    /// A breathing session on its own: a pattern (long-exhale, box, diaphragmatic, 90-90, rock-back) for N minutes
    Breathe(BreatheArgs),
    /// Mid-run posture and breathing cues for one run, timed by run type
    Cues(CueSpecArgs),
    /// Export cues as a FIT workout for a watch, or as a voice-cue file (ics, json, ssml)
    Export(ExportArgs),
    /// Sitting-break reminders at the desk: walk every 30 min, change position every 20
    Remind(RemindArgs),
    /// Plan the trip to a destination race: arrive early, no long drive next to the race or a long run
    Travel(TravelArgs),
    /// The web app in your browser (http://127.0.0.1:8080 by default)
    Serve(ServeArgs),
    /// The clinic server: runners and their physiotherapist or coach, with accounts (SQLite --db, default
    /// clinic.db, or PostgreSQL with --database-url)
    Server(ServerArgs),
    /// A report to bring to a physical therapist: one or two pages as PDF or HTML, from your journal
    Report(ReportArgs),
    /// Your name, country (for the emergency number) and units
    Profile(ProfileArgs),
    /// Fill the database with a realistic sample runner and print their plan
    Demo(DemoArgs),
    /// Where the program stands: screen, assessment, plan and database
    Status,
}

#[derive(Debug, Args)]
pub struct ScreenArgs {
    /// Read answers from a TOML or JSON file instead of asking (see docs/answers.md)
    #[arg(long, value_name = "FILE")]
    pub answers: Option<PathBuf>,
    /// List the screening questions and their ids, without answering
    #[arg(long, conflicts_with_all = ["answers", "clinician_checked"])]
    pub list: bool,
    /// Confirm that a clinician has checked the flags of your latest screen
    #[arg(long, conflicts_with = "answers")]
    pub clinician_checked: bool,
    /// Show the screening history
    #[arg(long, conflicts_with_all = ["answers", "clinician_checked", "list"])]
    pub history: bool,
}

#[derive(Debug, Args)]
pub struct AssessArgs {
    /// Read answers from a TOML or JSON file instead of asking (see examples/assessment.toml)
    #[arg(long, value_name = "FILE")]
    pub answers: Option<PathBuf>,
    /// Show the assessment history (baseline pain and functional scale over time)
    #[arg(long, conflicts_with = "answers")]
    pub history: bool,
    /// Re-score only the functional-scale activities (due every 14 days); everything else is kept
    #[arg(long, conflicts_with_all = ["answers", "history"])]
    pub rescore: bool,
    /// Re-score without prompts: every activity as NAME=RATING, by a word of its name or its number
    /// (e.g. "run=6,laptop=7,sleep=8" or "1=6,2=7,3=8")
    #[arg(long, value_name = "LIST", conflicts_with_all = ["answers", "history"])]
    pub psfs: Option<String>,
}

#[derive(Debug, Args)]
pub struct PlanArgs {
    /// What to do before, during and after one run of this type
    #[arg(long, value_name = "TYPE", value_parser = ["easy", "long", "speed", "race", "trail"])]
    pub for_run: Option<String>,
    /// List the plans made so far
    #[arg(long, conflicts_with = "for_run")]
    pub history: bool,
}

#[derive(Debug, Args)]
pub struct ItemArgs {
    /// Show one item in full
    pub id: Option<String>,
}

#[derive(Debug, Args)]
pub struct ExerciseArgs {
    /// Show one exercise in full, with its drawing
    pub id: Option<String>,
    /// Write the exercise's drawing (start and end positions) to this SVG file
    #[arg(long, value_name = "FILE", requires = "id")]
    pub svg: Option<std::path::PathBuf>,
}

#[derive(Debug, Args)]
pub struct LearnArgs {
    /// Lesson id or number
    pub lesson: Option<String>,
    /// Mark the lesson as not done (reading a lesson marks it done)
    #[arg(long, requires = "lesson")]
    pub undone: bool,
}

#[derive(Debug, Args)]
pub struct HabitArgs {
    /// Only this area: sitting, travel, pack, load, posture, care
    #[arg(long, value_parser = ["sitting", "travel", "pack", "load", "posture", "care"])]
    pub area: Option<String>,
}

#[derive(Debug, Args)]
pub struct ProfileArgs {
    /// Your name (shown on plans)
    #[arg(long)]
    pub name: Option<String>,
    /// Two-letter country code for the emergency number (e.g. US, GB, DE, AU)
    #[arg(long)]
    pub country: Option<String>,
    /// Distance units for prompts and output
    #[arg(long, value_parser = ["km", "mi"])]
    pub units: Option<String>,
    /// Minutes of routines Today keeps to on a run day (default 15; 5–60)
    #[arg(long, value_name = "MIN")]
    pub run_day_minutes: Option<u32>,
    /// Minutes of routines Today keeps to on a rest day (default 20; 5–60)
    #[arg(long, value_name = "MIN")]
    pub rest_day_minutes: Option<u32>,
}

#[derive(Debug, Args)]
pub struct TodayArgs {
    /// The run you do today instead of the week's ("none" for a rest day)
    #[arg(long, value_name = "TYPE", value_parser = ["easy", "long", "speed", "race", "trail", "none"])]
    pub run: Option<String>,
    /// Another day of the week (mon … sun) instead of today
    #[arg(long, value_name = "DAY", value_parser = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"])]
    pub day: Option<String>,
}

#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Replace the data in this database even if it holds a real runner's data
    #[arg(long)]
    pub force: bool,
}

#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct RunsArgs {
    #[command(subcommand)]
    pub command: Option<RunsCommand>,
    /// Only runs on or after this date (YYYY-MM-DD)
    #[arg(long, value_name = "DATE")]
    pub from: Option<String>,
    /// Only runs on or before this date (YYYY-MM-DD)
    #[arg(long, value_name = "DATE")]
    pub to: Option<String>,
    /// Only this type: easy, long, intervals, tempo, race, trail
    #[arg(long = "type", value_name = "TYPE")]
    pub r#type: Option<String>,
    /// At most this many runs, newest first
    #[arg(long, default_value_t = 50)]
    pub limit: usize,
    /// Show other sports (rides, swims, walks) as cross-training instead of runs
    #[arg(long, conflicts_with = "all")]
    pub cross_training: bool,
    /// Show runs and other sports together
    #[arg(long)]
    pub all: bool,
}

#[derive(Debug, Subcommand)]
pub enum RunsCommand {
    /// One run: summary, laps, why it got its type, and charts of pace, heart rate and elevation
    Show {
        /// The run's id (from `runtall runs`)
        id: i64,
    },
    /// Delete an imported activity (a wrong file, someone else's ride); its pain reports are kept, unlinked
    Delete {
        /// The run's id (from `runtall runs`)
        id: i64,
        /// Really delete it (without this, only says what would go)
        #[arg(long)]
        yes: bool,
    },
}

#[derive(Debug, Args)]
pub struct PostureArgs {
    #[command(subcommand)]
    pub command: Option<PostureCommand>,
}

#[derive(Debug, Subcommand)]
pub enum PostureCommand {
    /// Add a check from a landmark file (JSON: a photo's points or a video's frames; see docs/posture-format.md)
    Add {
        /// The landmark file, as the web page saves it or written by hand
        #[arg(long, value_name = "FILE")]
        landmarks: PathBuf,
        /// The day the photo or video was taken (YYYY-MM-DD) [default: the file's, else today]
        #[arg(long, value_name = "DATE")]
        photo_date: Option<String>,
        /// What it shows [default: the file's, else standing for a photo, run-video for frames]
        #[arg(long, value_parser = ["standing", "stacked", "desk", "run-video"])]
        kind: Option<String>,
    },
    /// Every check with its main figure (the default)
    List,
    /// One check in full: every measure, its quality flags and its error; a video's minutes and drift
    Show {
        /// The check's id (from `runtall posture list`)
        id: i64,
    },
    /// Delete a check (and its kept photo, if any)
    Delete {
        /// The check's id (from `runtall posture list`)
        id: i64,
    },
}

#[derive(Debug, Args)]
pub struct LogArgs {
    #[command(subcommand)]
    pub what: LogCommand,
}

#[derive(Debug, Subcommand)]
pub enum LogCommand {
    /// Pain: `runtall log pain neck 4 --after` (auto-linked to the nearest run)
    Pain(PainArgs),
    /// Daily context: sitting, car travel, sleep, stress, routines and relief used
    Day(DayArgs),
    /// A run's context: pack, surface, eating before, routines done (`--run ID`, default the latest run)
    Run(RunContextArgs),
    /// The pain reports of the last days, with their ids
    List {
        /// How many days back
        #[arg(long, default_value_t = 30)]
        days: u32,
    },
    /// Delete a mistaken pain report by its id (from `runtall log list`)
    Delete {
        /// The report's id
        id: i64,
    },
}

#[derive(Debug, Args)]
pub struct PainArgs {
    /// neck, upper-trap-left, upper-trap-right, between-shoulder-blades, mid-back, rib-side-left, rib-side-right,
    /// shoulder
    pub region: String,
    /// 0 (none) to 10 (worst imaginable)
    pub intensity: f64,
    /// Felt before a run
    #[arg(long, group = "timing")]
    pub before: bool,
    /// Felt during a run
    #[arg(long, group = "timing")]
    pub during: bool,
    /// Felt right after a run
    #[arg(long, group = "timing")]
    pub after: bool,
    /// Felt the morning after a run
    #[arg(long, group = "timing")]
    pub next_morning: bool,
    /// Felt at the desk
    #[arg(long, group = "timing")]
    pub desk: bool,
    /// When (RFC 3339 like 2026-11-21T18:30:00+01:00, or YYYY-MM-DD HH:MM local); default now
    #[arg(long)]
    pub at: Option<String>,
    /// Link to this run instead of the nearest one
    #[arg(long)]
    pub run: Option<i64>,
    /// A short note
    #[arg(long)]
    pub note: Option<String>,
}

#[derive(Debug, Args)]
pub struct DayArgs {
    /// The day (YYYY-MM-DD); default today
    #[arg(long)]
    pub date: Option<String>,
    /// Hours sitting
    #[arg(long)]
    pub sitting: Option<f64>,
    /// Longest unbroken sitting, hours
    #[arg(long)]
    pub longest_sitting: Option<f64>,
    /// Hours in a car (a day logged without it counts as no driving, once you have logged car hours)
    #[arg(long)]
    pub car: Option<f64>,
    /// Hours of sleep last night
    #[arg(long)]
    pub sleep: Option<f64>,
    /// Stress 0–10
    #[arg(long)]
    pub stress: Option<f64>,
    /// Did the rest-day strength routine
    #[arg(long)]
    pub strength: bool,
    /// Did the daily mobility routine
    #[arg(long)]
    pub mobility: bool,
    /// Relief used, comma-separated: heat, ice, topical, magnesium, tape
    #[arg(long, value_delimiter = ',')]
    pub relief: Vec<String>,
    /// Supplemental magnesium taken, mg
    #[arg(long)]
    pub magnesium_mg: Option<u32>,
}

#[derive(Debug, Args)]
pub struct RunContextArgs {
    /// The run (default: the latest imported run)
    #[arg(long)]
    pub run: Option<i64>,
    /// Wore a hydration pack or vest
    #[arg(long, overrides_with = "no_pack")]
    pub pack: bool,
    /// Did not wear a pack
    #[arg(long)]
    pub no_pack: bool,
    /// road, concrete, track, treadmill, trail, grass
    #[arg(long)]
    pub surface: Option<String>,
    /// Ate within 2 hours before the run
    #[arg(long, overrides_with = "no_ate")]
    pub ate: bool,
    /// Did not eat within 2 hours before
    #[arg(long)]
    pub no_ate: bool,
    /// Did the pre-run routine
    #[arg(long, overrides_with = "no_pre_run")]
    pub pre_run: bool,
    /// Skipped the pre-run routine
    #[arg(long)]
    pub no_pre_run: bool,
    /// Did the post-run reset
    #[arg(long, overrides_with = "no_post_run")]
    pub post_run: bool,
    /// Skipped the post-run reset
    #[arg(long)]
    pub no_post_run: bool,
}

#[derive(Debug, Args)]
pub struct SyncArgs {
    /// The clinic server's address (https://...); remembered after the first sync
    #[arg(long)]
    pub server: Option<String>,
    /// The device token from the server's "Connect a device" page
    #[arg(long, env = "RUNTALL_SYNC_TOKEN", hide_env_values = true)]
    pub token: Option<String>,
    /// A PEM certificate to trust for a server with a self-signed certificate (a home or clinic network)
    #[arg(long, value_name = "PEM")]
    pub ca_cert: Option<PathBuf>,
    /// Records per batch (at most 250): smaller batches lose less on a link that keeps dropping
    #[arg(long, default_value_t = 250)]
    pub batch_records: usize,
    /// Allow plain http:// to a server that is not on this machine (the token and your health data then travel
    /// unencrypted)
    #[arg(long)]
    pub allow_http: bool,
}

#[derive(Debug, Args)]
pub struct JournalArgs {
    #[command(subcommand)]
    pub command: JournalCommand,
}

#[derive(Debug, Subcommand)]
pub enum JournalCommand {
    /// Write the journal: JSON Lines to stdout or a file, or CSV (runs.csv, pain.csv, days.csv) into a folder
    Export {
        /// jsonl or csv
        #[arg(long, default_value = "jsonl", value_parser = ["jsonl", "csv"])]
        format: String,
        /// File (jsonl) or folder (csv); jsonl defaults to stdout
        #[arg(long, short)]
        out: Option<PathBuf>,
    },
    /// Read a journal: a .jsonl file, or a folder with runs.csv / pain.csv / days.csv. All or nothing
    Import {
        /// A .jsonl file or a folder of CSV files
        path: PathBuf,
    },
}

#[derive(Debug, Args)]
pub struct ImportArgs {
    /// Files, folders (searched recursively) or export zips
    #[arg(required_unless_present_any = ["watch", "device"])]
    pub paths: Vec<PathBuf>,
    /// Keep running and import watch files as they appear in DIR (with --device: the watch's GARMIN/Activity),
    /// one line per file; Ctrl-C stops
    #[arg(long, value_name = "DIR", num_args = 0..=1)]
    pub watch: Option<Option<PathBuf>>,
    /// Import what is new from a mounted Garmin-style watch (finds GARMIN/Activity under /media, /run/media,
    /// /mnt or /Volumes)
    #[arg(long)]
    pub device: bool,
    /// Decoding threads [default: one per core]
    #[arg(long)]
    pub workers: Option<usize>,
    /// No progress bar and no per-file lines: one summary line (problems still go to stderr)
    #[arg(long, short)]
    pub quiet: bool,
}

#[derive(Debug, Args)]
pub struct GuideArgs {
    /// A routine id (`runtall routines`) or an exercise id (`runtall exercises`)
    pub id: String,
    /// Clock speed-up for demos and tests (e.g. 10)
    #[arg(long, default_value_t = 1.0)]
    pub speed: f64,
    /// Ring the terminal bell at each phase change
    #[arg(long)]
    pub bell: bool,
    /// Speak phase changes with espeak-ng when it is installed
    #[arg(long)]
    pub speak: bool,
    /// Play only the steps `runtall today` chose from this routine for today
    #[arg(long)]
    pub today: bool,
    /// Sets (single exercise only)
    #[arg(long)]
    pub sets: Option<u32>,
    /// Reps or breaths per set (single exercise only)
    #[arg(long)]
    pub reps: Option<u32>,
    /// Minutes of timed work (single exercise only)
    #[arg(long)]
    pub minutes: Option<u32>,
}

#[derive(Debug, Args)]
pub struct BreatheArgs {
    /// The pattern: long-exhale (default), box, diaphragmatic, 90-90 or rock-back
    pub pattern: Option<String>,
    /// How long, in minutes (1–30)
    #[arg(long, short, default_value_t = runtall_companion::breathe::DEFAULT_MINUTES)]
    pub minutes: u32,
    /// List the patterns with their counts and what the safety gate says, and stop
    #[arg(long)]
    pub list: bool,
    /// Speak "breathe in", "hold", "breathe out" with espeak-ng when it is installed
    #[arg(long)]
    pub speak: bool,
    /// Ring the terminal bell at each phase change
    #[arg(long)]
    pub bell: bool,
    /// Clock speed-up for demos and tests (e.g. 10)
    #[arg(long, default_value_t = 1.0)]
    pub speed: f64,
}

#[derive(Debug, Args, Clone)]
pub struct CueSpecArgs {
    /// easy, long, speed, race or trail; default today's planned run, else the type of your last run
    #[arg(long)]
    pub run: Option<String>,
    /// Length of the run in minutes; default about as long as your last run of the type
    #[arg(long)]
    pub minutes: Option<u32>,
    /// Repetitions for speed work, e.g. 6x800m or 5x3min
    #[arg(long)]
    pub reps: Option<String>,
    /// Recovery between reps, e.g. 2min or 90s
    #[arg(long)]
    pub recovery: Option<String>,
    /// Warm-up minutes before the reps
    #[arg(long, default_value_t = 15)]
    pub warmup: u32,
    /// Cool-down minutes after the reps
    #[arg(long, default_value_t = 10)]
    pub cooldown: u32,
    /// Wearing a hydration pack or vest (adds pack cues)
    #[arg(long)]
    pub pack: bool,
}

#[derive(Debug, Args)]
pub struct ExportArgs {
    #[command(subcommand)]
    pub command: ExportCommand,
}

#[derive(Debug, Subcommand)]
pub enum ExportCommand {
    /// A FIT workout file whose steps carry the cues (copy it to GARMIN/NewFiles on the watch)
    Workout {
        #[command(flatten)]
        spec: CueSpecArgs,
        /// Output file
        #[arg(long, short, required_unless_present = "device")]
        out: Option<PathBuf>,
        /// Write it straight to GARMIN/NewFiles on a mounted watch
        #[arg(long, conflicts_with = "out")]
        device: bool,
    },
    /// A voice-cue file for phones and speakers: ics (calendar alarms), json or ssml
    Cues {
        #[command(flatten)]
        spec: CueSpecArgs,
        /// ics, json or ssml
        #[arg(long, default_value = "json")]
        format: String,
        /// When the run starts (for ics/json times); default now
        #[arg(long)]
        start: Option<String>,
        /// Output file; default stdout
        #[arg(long, short)]
        out: Option<PathBuf>,
    },
}

#[derive(Debug, Args)]
pub struct RemindArgs {
    /// Minutes between walk breaks
    #[arg(long)]
    pub walk_every: Option<u32>,
    /// Minutes between position changes
    #[arg(long)]
    pub shift_every: Option<u32>,
    /// Working hours, e.g. 09:00-17:30, or `any`
    #[arg(long)]
    pub hours: Option<String>,
    /// Skips allowed per day
    #[arg(long)]
    pub max_skips: Option<u32>,
    /// Start with do-not-disturb on (toggle with p)
    #[arg(long)]
    pub dnd: bool,
    /// Show breaks taken and skipped over the last two weeks instead of starting reminders
    #[arg(long)]
    pub history: bool,
}

#[derive(Debug, Args)]
pub struct TravelArgs {
    /// Race day (YYYY-MM-DD)
    #[arg(long)]
    pub race: String,
    /// Hours of driving each way
    #[arg(long, conflicts_with = "flight_hours")]
    pub drive_hours: Option<f32>,
    /// Hours of flying each way
    #[arg(long)]
    pub flight_hours: Option<f32>,
    /// Planned long-run dates near the trip (repeatable)
    #[arg(long)]
    pub long_run: Vec<String>,
    /// Your planned departure date, to check it
    #[arg(long)]
    pub depart: Option<String>,
    /// Your planned return date, to check it
    #[arg(long = "return")]
    pub return_on: Option<String>,
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address to listen on; anything but loopback needs a password (and should use TLS)
    #[arg(long, default_value = "127.0.0.1:8080")]
    pub bind: std::net::SocketAddr,
    /// Password (plain text or an argon2id hash); required when binding a non-loopback address. Visible to other
    /// users of this machine in the process list: prefer RUNTALL_WEB_PASSWORD or --password-file
    #[arg(long)]
    pub password: Option<String>,
    /// Read the password from this file (or set RUNTALL_WEB_PASSWORD)
    #[arg(long, conflicts_with = "password")]
    pub password_file: Option<PathBuf>,
    /// Also answer to this host name, e.g. runtall.local (repeatable); localhost, 127.0.0.1, [::1] and the
    /// address the server is reached at are always accepted
    #[arg(long = "allow-host", value_name = "NAME")]
    pub allow_host: Vec<String>,
    /// Serve HTTPS with this certificate chain (PEM); needs --tls-key. See docs/security.md for making one
    #[arg(long, value_name = "FILE", requires = "tls_key")]
    pub tls_cert: Option<PathBuf>,
    /// The private key of --tls-cert (PEM)
    #[arg(long, value_name = "FILE", requires = "tls_cert")]
    pub tls_key: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct ServerArgs {
    #[command(subcommand)]
    pub command: Option<ServerCommand>,
    /// PostgreSQL connection string, as the application role (not the tables' owner); without it the server keeps
    /// everything in the SQLite file --db [default: clinic.db]
    #[arg(long, env = "DATABASE_URL", global = true, value_name = "URL", hide_env_values = true)]
    pub database_url: Option<String>,
    /// With --database-url: the folder for uploads in progress and kept posture photos [default: .]
    #[arg(long, global = true, value_name = "DIR")]
    pub files: Option<PathBuf>,
    /// Address to listen on; anything but loopback should use TLS
    #[arg(long, alias = "addr", default_value = "127.0.0.1:8080")]
    pub bind: std::net::SocketAddr,
    /// Also answer to this host name, e.g. clinic.example.org (repeatable)
    #[arg(long = "allow-host", value_name = "NAME")]
    pub allow_host: Vec<String>,
    /// Serve HTTPS with this certificate chain (PEM); needs --tls-key
    #[arg(long, value_name = "FILE", requires = "tls_key")]
    pub tls_cert: Option<PathBuf>,
    /// The private key of --tls-cert (PEM)
    #[arg(long, value_name = "FILE", requires = "tls_cert")]
    pub tls_key: Option<PathBuf>,
}

#[derive(Debug, Subcommand)]
pub enum ServerCommand {
    /// Accounts, from the server's machine: make the first clinician, or a password reset code
    Admin {
        #[command(subcommand)]
        command: AdminCommand,
    },
    /// PostgreSQL only: create or upgrade the schema as the tables' owner, and grant the application role what the
    /// server needs (run it once before the first start, and after each upgrade of runtall)
    Migrate {
        /// Connection string of the role that owns the tables (never the one the server runs as)
        #[arg(long, env = "RUNTALL_OWNER_URL", value_name = "URL", hide_env_values = true)]
        owner_url: String,
        /// The role the server connects as (it must exist; it is granted rights, never ownership)
        #[arg(long, default_value = "runtall_app", value_name = "ROLE")]
        app_role: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum AdminCommand {
    /// Make a clinician (physiotherapist or coach) account; prints a one-time code to set its password
    AddClinician {
        #[arg(long)]
        email: String,
        #[arg(long)]
        name: String,
    },
    /// Print a one-time code (valid one hour) with which the account's owner sets a new password on /reset
    Reset {
        #[arg(long)]
        email: String,
    },
}

#[derive(Debug, Args)]
pub struct ExperimentArgs {
    #[command(subcommand)]
    pub command: ExperimentCommand,
}

#[derive(Debug, Subcommand)]
pub enum ExperimentCommand {
    /// Start an experiment on one factor: pack, pre-run-breathing, foam-roller, surface, eating-before
    New {
        #[arg(long)]
        factor: String,
        /// runs or days [default: the factor's natural unit]
        #[arg(long)]
        unit: Option<String>,
        /// Seed for the randomized block order (recorded with the experiment)
        #[arg(long)]
        seed: Option<u64>,
        /// Runs or days per block, 1–14 [default: 2 runs, or 4 days]
        #[arg(long, value_name = "N")]
        block: Option<u32>,
        /// Minimum runs or days before the verdict, rounded up to whole pairs of blocks: 2–12 pairs
        /// [default: 3 pairs, e.g. 12 runs]
        #[arg(long, value_name = "N")]
        min: Option<u32>,
        /// Wash-out: runs or days at the start of each block that are followed but not analysed, less than the
        /// block [default: 0 for runs, 1 for days]
        #[arg(long, value_name = "N")]
        washout: Option<u32>,
    },
    /// What to do next, and how far along it is
    Status,
    /// The verdict (hidden until the minimum length unless --early)
    Result {
        /// Show an interim result, with a warning
        #[arg(long)]
        early: bool,
    },
    /// Stop the running experiment and show what it found
    Stop,
    /// Every stopped experiment with what it found, newest first
    List,
}

#[derive(Debug, Args)]
pub struct ReportArgs {
    /// Start of the period (YYYY-MM-DD); default: the first assessment, or 12 weeks back if that is longer ago
    #[arg(long, value_name = "DATE")]
    pub from: Option<String>,
    /// End of the period (YYYY-MM-DD); default: today
    #[arg(long, value_name = "DATE")]
    pub to: Option<String>,
    /// Show your initials instead of your full name
    #[arg(long)]
    pub initials: bool,
    /// A note for the physical therapist (repeat for up to 5 notes, each up to 1000 characters)
    #[arg(long, value_name = "TEXT")]
    pub note: Vec<String>,
    /// Include the notes you typed with your pain reports in the period (the latest 8)
    #[arg(long)]
    pub pain_notes: bool,
    /// The file to write: report.pdf or report.html (default: runtall-report-DATE.pdf in this folder)
    #[arg(short = 'o', long = "out", value_name = "FILE")]
    pub out: Option<PathBuf>,
}

#[cfg(test)]
mod tests {
    use super::Cli;
    use clap::CommandFactory;
    use runtall_domain::assess::Region;

    /// The help of `runtall log pain` names the regions by hand (clap needs a literal); this keeps it the domain's list.
    #[test]
    fn the_pain_help_lists_exactly_the_loggable_regions() {
        let mut cli = Cli::command();
        let pain = cli.find_subcommand_mut("log").and_then(|l| l.find_subcommand_mut("pain")).expect("log pain");
        let help = pain.get_arguments().find(|a| a.get_id() == "region").and_then(|a| a.get_help()).expect("help");
        let help = help.to_string();
        let listed: Vec<&str> = help.split(',').map(str::trim).collect();
        assert_eq!(listed, Region::LOGGABLE.map(|r| r.id()));
    }
}
