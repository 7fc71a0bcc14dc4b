//! The crate's one error type.
//!
//! An [`ImportError`] is about one file (or one archive entry): the caller gets it inside a
//! [`JobResult`](crate::JobResult) next to the file's name, and the import goes on with the next
//! file. Problems that still leave something usable are not errors but warnings, kept as data in
//! [`Activity::warnings`](runtall_domain::activity::Activity::warnings).

use runtall_fit::FitError;
use runtall_trackxml::TrackXmlError;

/// Why one file gave no activity.
///
/// The `Display` text is written for the runner who picked the file: it says what is wrong and,
/// where it helps, what to do. It never repeats the file name; [`JobResult`](crate::JobResult)
/// carries that.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ImportError {
    /// The file could not be read from disk.
    #[error("cannot read the file: {0}")]
    Io(#[source] std::io::Error),

    /// The file was read but is not an activity (a course, a planned workout, a settings file,
    /// a GPX of routes or waypoints). Not a failure of runtall or of the file: it is refused.
    #[error("not an activity: {reason}")]
    NotActivity {
        /// What the file is instead, in words.
        reason: String,
    },

    /// The file holds a recording, but too little of one to be an activity (under two minutes), or one whose
    /// timing cannot be trusted (most points without a time). Refused rather than kept as a 57-second "run".
    #[error("not enough data: {reason}")]
    NotEnoughData {
        /// What was recorded, in words.
        reason: String,
    },

    /// Neither the content nor the name says FIT, GPX or TCX.
    #[error("unknown file format: {detail}")]
    UnknownFormat {
        /// What the first bytes look like.
        detail: String,
    },

    /// A FIT file from which nothing could be read.
    #[error("unreadable FIT file: {0}")]
    Fit(#[source] FitError),

    /// A GPX file from which nothing could be read.
    #[error("unreadable GPX file: {0}")]
    Gpx(#[source] TrackXmlError),

    /// A TCX file from which nothing could be read.
    #[error("unreadable TCX file: {0}")]
    Tcx(#[source] TrackXmlError),

    /// Damaged gzip data.
    #[error("damaged gzip data: {detail}")]
    Gzip {
        /// What the decompressor said.
        detail: String,
    },

    /// A damaged or unsupported zip archive or entry.
    #[error("damaged or unsupported zip archive: {detail}")]
    Zip {
        /// What the zip reader said.
        detail: String,
    },

    /// A single file larger than [`ImportOptions::max_file_bytes`](crate::ImportOptions).
    #[error(
        "file too large: more than {limit} bytes{}; no single activity file is that big",
        declared.map(|d| format!(" ({d} bytes declared)")).unwrap_or_default()
    )]
    TooLarge {
        /// The limit in force.
        limit: u64,
        /// The size the archive header declared, when refused from the header.
        declared: Option<u64>,
    },

    /// An entry that expands far more than real activity files do: a zip bomb, refused while
    /// reading (the count is of bytes actually produced, not of what the header claims).
    #[error(
        "refused: the data expands more than {limit}:1 ({compressed} compressed bytes gave over {expanded} bytes), which real activity files never do"
    )]
    CompressionRatio {
        /// Compressed size.
        compressed: u64,
        /// Bytes produced when reading stopped.
        expanded: u64,
        /// The ratio limit in force.
        limit: u64,
    },

    /// The archive as a whole expands beyond [`ImportOptions::max_archive_bytes`](crate::ImportOptions).
    #[error("archive limit reached: it expands to more than {limit} bytes in total; the rest of it was not read")]
    ArchiveTooLarge {
        /// The limit in force.
        limit: u64,
    },

    /// More entries than [`ImportOptions::max_entries`](crate::ImportOptions).
    #[error("archive has too many entries (more than {limit}); the rest of it was not read")]
    TooManyEntries {
        /// The limit in force.
        limit: usize,
    },

    /// An archive inside an archive inside an archive (deeper than
    /// [`ImportOptions::max_depth`](crate::ImportOptions)).
    #[error("archive nested too deeply (more than {limit} levels); not opened")]
    NestingTooDeep {
        /// The limit in force.
        limit: usize,
    },

    /// An entry whose name climbs out of the archive (`../x`, `/etc/x`, `C:\x`). We never extract
    /// to disk, but such a name only appears in crafted archives, so the entry is refused.
    #[error("refused: unsafe entry name {name:?} (absolute, or climbing out with ..)")]
    UnsafePath {
        /// The name as stored.
        name: String,
    },

    /// Encrypted entries are not read.
    #[error("the entry is encrypted; export it again without a password")]
    Encrypted,

    /// The file was read but holds nothing usable after validation (no valid time, no samples
    /// and no totals).
    #[error("no usable data: {reason}")]
    NoUsableData {
        /// What was missing or out of range.
        reason: String,
    },

    /// A named pipe, socket or device: reading it could wait forever, so it is not read.
    #[error("not a regular file (a named pipe, socket or device); not read")]
    NotRegularFile,

    /// Decoding the file took longer than [`ImportOptions::file_time_limit`](crate::ImportOptions).
    #[error("gave up after {seconds} s: reading this file took longer than the time limit for one file")]
    TimedOut {
        /// The limit in force, in seconds.
        seconds: u64,
    },

    /// The import was cancelled while this file was being read.
    #[error("the import was cancelled before this file was read")]
    Cancelled,

    /// A bug in a decoder (it panicked). Reported for this file only; the import goes on.
    #[error("internal error while decoding (please report it): {detail}")]
    Internal {
        /// The panic message.
        detail: String,
    },
}

/// The broad kind of an [`ImportError`], for the import summary (failed vs refused vs unsafe).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ErrorKind {
    /// The file is not an activity (course, workout, settings, routes): refused, nothing wrong.
    NotActivity,
    /// A safety limit refused it (size, ratio, entries, nesting, unsafe name, encryption).
    Refused,
    /// The file is damaged or not a watch file at all.
    Failed,
}

impl ImportError {
    /// Which summary bucket this error belongs to.
    #[must_use]
    pub fn kind(&self) -> ErrorKind {
        match self {
            Self::NotActivity { .. } | Self::NotEnoughData { .. } => ErrorKind::NotActivity,
            Self::TooLarge { .. }
            | Self::CompressionRatio { .. }
            | Self::ArchiveTooLarge { .. }
            | Self::TooManyEntries { .. }
            | Self::NestingTooDeep { .. }
            | Self::UnsafePath { .. }
            | Self::NotRegularFile
            | Self::TimedOut { .. }
            | Self::Encrypted => ErrorKind::Refused,
            _ => ErrorKind::Failed,
        }
    }

    pub(crate) fn not_activity(reason: impl Into<String>) -> Self {
        Self::NotActivity { reason: reason.into() }
    }

    pub(crate) fn not_enough_data(reason: impl Into<String>) -> Self {
        Self::NotEnoughData { reason: reason.into() }
    }

    pub(crate) fn no_data(reason: impl Into<String>) -> Self {
        Self::NoUsableData { reason: reason.into() }
    }

    pub(crate) fn zip(e: impl std::fmt::Display) -> Self {
        Self::Zip { detail: e.to_string() }
    }
}
