//! The vocabulary the import stages share: the options, what an export's index says about a file, the counts of
//! files left out, and the unit of work the reader hands to the workers.
//!
//! Why a module of its own: the stages (`plan` expands paths, `archive` walks zips, `csv` reads Strava's index,
//! `decode` turns bytes into activities, `run` drives the threads) all speak these types. Kept here, every stage
//! depends on this module and on the ones below it, never on a sibling that depends back on it (they used to form
//! a five-module circle through each other's types).

use std::path::PathBuf;

use jiff::Timestamp;

use crate::budget::Reservation;
use crate::error::ImportError;

/// Limits and knobs for an import. The defaults suit a runner's whole history on a laptop.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportOptions {
    /// Decoding threads; 0 means one per available core.
    pub workers: usize,
    /// Largest single activity file, after decompression (default 256 MiB; a 24-hour run with
    /// every sensor at 1 s is about 40 MB of XML).
    pub max_file_bytes: u64,
    /// Most bytes one archive may expand to, all entries and nested archives together (default
    /// 4 GiB). Reaching it stops that archive with an error; other paths go on.
    pub max_archive_bytes: u64,
    /// Highest expansion ratio of one compressed entry or gzip file (default 200:1; real FIT and
    /// XML files compress 3:1 to 30:1). Counted while reading, not taken from headers.
    pub max_ratio: u64,
    /// Most entries in one archive, nested ones included (default 200,000).
    pub max_entries: usize,
    /// Deepest archive nesting: 1 reads a zip, 2 also zips inside it (Garmin's export), and so
    /// on (default 2).
    pub max_depth: usize,
    /// How many files may be decoded ahead of the one the caller is waiting for (default 8 per
    /// worker). Bounds memory: at most this many decoded files wait in the reorder buffer. Why 8: on a
    /// busy machine a descheduled caller or worker stalls the others once the window is full; with 4
    /// per worker the import got 0.53–0.55 of its session's CPU next to two busy loops, with 8 0.57–0.58
    /// (three threads' fair share is 0.6), for about 6 MB more at the peak on a 3,000-run export.
    pub window: usize,
    /// Most bytes of file data held in memory at once by the reader and all workers together: each file's
    /// size plus what its gzip layer may expand to, reserved before it is read (default 256 MiB). A single
    /// file that needs more is read alone. See `budget.rs`.
    pub max_in_flight_bytes: u64,
    /// Longest time one file may take to decode before it is given up with an error (default 60 s; the
    /// decoders are linear, so only a huge file on a very slow machine gets near it). `None`: no limit.
    pub file_time_limit: Option<std::time::Duration>,
    /// "Now" for refusing times in the future; `None` uses the system clock. Tests set it.
    pub now: Option<Timestamp>,
}

impl Default for ImportOptions {
    fn default() -> Self {
        Self {
            workers: 0,
            max_file_bytes: 256 << 20,
            max_archive_bytes: 4 << 30,
            max_ratio: 200,
            max_entries: 200_000,
            max_depth: 2,
            window: 0,
            max_in_flight_bytes: 256 << 20,
            file_time_limit: Some(std::time::Duration::from_secs(60)),
            now: None,
        }
    }
}

impl ImportOptions {
    /// Worker threads to use.
    #[must_use]
    pub fn worker_count(&self) -> usize {
        if self.workers > 0 {
            self.workers
        } else {
            std::thread::available_parallelism().map_or(2, std::num::NonZero::get)
        }
    }

    pub(crate) fn window_size(&self) -> usize {
        if self.window > 0 { self.window } else { 8 * self.worker_count() }
    }
}

/// Files left out while expanding directories and archives, by reason.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SkipCounts {
    /// Hidden files and folders (`.DS_Store`, `.git/`, `__MACOSX/`).
    pub hidden: usize,
    /// Files whose extension is not `.fit`, `.gpx`, `.tcx` (optionally `.gz`) or `.zip`
    /// (photos, JSON, the export's own HTML pages).
    pub unknown_extension: usize,
    /// Symbolic links to directories (not followed, so a link loop cannot trap the walk).
    pub symlinked_dirs: usize,
    /// Named pipes, sockets and devices: reading one could block the import forever.
    pub not_regular: usize,
}

impl SkipCounts {
    /// All skipped files.
    #[must_use]
    pub fn total(&self) -> usize {
        self.hidden + self.unknown_extension + self.symlinked_dirs + self.not_regular
    }

    pub(crate) fn add(&mut self, o: &SkipCounts) {
        self.hidden += o.hidden;
        self.unknown_extension += o.unknown_extension;
        self.symlinked_dirs += o.symlinked_dirs;
        self.not_regular += o.not_regular;
    }
}

/// What an export's index (Strava `activities.csv`) says about one file.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EntryMeta {
    /// The activity's name as the runner gave it.
    pub name: Option<String>,
    /// The activity type as written (`Run`, `Trail Run`, `Ride`, ...).
    pub activity_type: Option<String>,
}

/// One unit handed from the reader to the workers.
pub(crate) struct Item {
    pub source: String,
    pub input_bytes: u64,
    pub payload: Payload,
    pub meta: Option<EntryMeta>,
    /// The memory held for this file's bytes, given back when the worker is done with it.
    pub reservation: Option<Reservation>,
}

pub(crate) enum Payload {
    /// A plain file, read by the worker.
    Path(PathBuf),
    /// An archive entry, already decompressed by the reader.
    Bytes(Vec<u8>),
    /// The reader already knows it failed.
    Error(ImportError),
}
