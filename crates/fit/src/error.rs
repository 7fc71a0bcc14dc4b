//! The crate's one error type and its warnings.
//!
//! Decoding is salvage-first: damage that still leaves readable messages (a bad CRC, a truncated
//! tail, an undefined local message type, trailing garbage) becomes a [`Warning`] carried in the
//! result, never an error and never a line on stderr. [`FitError`] is returned only when nothing
//! usable can be read at all.

use std::fmt;

/// Why a file could not be decoded at all.
#[derive(Debug, thiserror::Error)]
pub enum FitError {
    /// The input has no bytes.
    #[error("empty file: a FIT file starts with a 12- or 14-byte header")]
    Empty,
    /// The input does not start with a FIT file header.
    #[error("not a FIT file: {reason}")]
    NotFit {
        /// What did not match.
        reason: String,
    },
    /// The input ends inside the FIT file header.
    #[error("FIT header truncated: the header needs {needed} bytes but the file has only {len}")]
    HeaderTruncated {
        /// Bytes the header declares (or the 12-byte minimum).
        needed: usize,
        /// Bytes in the file.
        len: usize,
    },
    /// The header is fine but not a single data message could be decoded.
    #[error("no readable FIT messages: {reason}")]
    NoMessages {
        /// The first problem met, with its byte offset, or "file holds no data messages".
        reason: String,
    },
    /// The caller's watcher stopped decoding (see [`crate::decode_watched`]): a time limit or a cancel.
    #[error("decoding stopped at byte {at} (time limit or cancelled)")]
    Stopped {
        /// Byte position reached.
        at: usize,
    },
    /// Reading the file from disk failed.
    #[error("cannot read {path}: {source}")]
    Io {
        /// The path given.
        path: String,
        /// The underlying error.
        source: std::io::Error,
    },
}

/// Something wrong with the file that did not stop decoding: what and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Warning {
    /// Byte offset in the input where the problem was found.
    pub offset: usize,
    /// What was found.
    pub kind: WarningKind,
}

impl fmt::Display for Warning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "at byte {}: {}", self.offset, self.kind)
    }
}

/// The kinds of damage the decoder recovers from.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum WarningKind {
    /// The 14-byte header's CRC does not match its first 12 bytes; decoding went on.
    HeaderCrcMismatch {
        /// CRC stored in the header.
        stored: u16,
        /// CRC computed from the header bytes.
        computed: u16,
    },
    /// The file CRC after the data section does not match; every readable message is returned (the caller learns
    /// from [`crate::FitActivity::stats`] whether there were any).
    FileCrcMismatch {
        /// CRC stored in the file.
        stored: u16,
        /// CRC computed over header and data.
        computed: u16,
    },
    /// The file ends before its trailing 2-byte CRC.
    MissingFileCrc,
    /// The header declares more data than the file holds.
    DataSizeBeyondFile {
        /// Data size in the header.
        declared: u32,
        /// Bytes actually available after the header.
        available: usize,
    },
    /// A message runs past the end of the data (truncated file); decoding stopped here.
    Truncated {
        /// Bytes the message needs (header byte included).
        needed: usize,
        /// Bytes left in the data section.
        available: usize,
    },
    /// A data message uses a local message type that was never defined; decoding stopped here.
    UndefinedLocalType {
        /// The local message type (0..=15).
        local: u8,
    },
    /// Bytes after the last FIT file that are not another FIT file.
    TrailingBytes {
        /// How many bytes were ignored.
        len: usize,
    },
    /// Decoding skipped damaged bytes and resumed at a following FIT header.
    Resynced {
        /// How many bytes were skipped.
        skipped: usize,
    },
    /// A field's size is not a whole number of its base type (e.g. a 1-byte uint32): the field
    /// is treated as invalid and the rest of the message is read normally.
    MisalignedField {
        /// Global message number.
        global: u16,
        /// Field definition number.
        field: u8,
        /// Declared size in bytes.
        size: u8,
        /// Declared base-type byte.
        base_type: u8,
    },
    /// A field declares a base type the protocol does not define; the field is ignored.
    UnknownBaseType {
        /// Global message number.
        global: u16,
        /// Field definition number.
        field: u8,
        /// Declared base-type byte.
        base_type: u8,
    },
    /// A definition's architecture byte is neither 0 (little endian) nor 1 (big endian); it was
    /// read as big endian.
    UnknownArchitecture {
        /// The byte found.
        value: u8,
    },
    /// More warnings than the decoder keeps; the rest were counted, not stored.
    TooManyWarnings {
        /// How many were dropped.
        dropped: usize,
    },
    /// More messages of one kind than the decoder keeps (see [`crate::MAX_RECORDS`]); the rest were skipped.
    TooManyMessages {
        /// What kind ("record", "lap", ...).
        kind: &'static str,
        /// How many were kept.
        kept: usize,
        /// How many were skipped.
        skipped: usize,
    },
}

impl WarningKind {
    /// Whether the warning means the file is damaged (cut short, corrupted, checksums wrong), as opposed to a
    /// writer's quirk that loses nothing of the recording (a misaligned or unknown field, too many messages).
    #[must_use]
    pub fn is_damage(&self) -> bool {
        matches!(
            self,
            Self::HeaderCrcMismatch { .. }
                | Self::FileCrcMismatch { .. }
                | Self::MissingFileCrc
                | Self::DataSizeBeyondFile { .. }
                | Self::Truncated { .. }
                | Self::UndefinedLocalType { .. }
                | Self::TrailingBytes { .. }
                | Self::Resynced { .. }
        )
    }
}

impl fmt::Display for WarningKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::HeaderCrcMismatch { stored, computed } => {
                write!(f, "header CRC mismatch (stored {stored:#06x}, computed {computed:#06x})")
            }
            Self::FileCrcMismatch { stored, computed } => {
                write!(
                    f,
                    "file CRC mismatch (stored {stored:#06x}, computed {computed:#06x}): some data may be damaged"
                )
            }
            Self::MissingFileCrc => write!(f, "file ends before its CRC"),
            Self::DataSizeBeyondFile { declared, available } => {
                write!(f, "header declares {declared} data bytes but only {available} follow; reading what is there")
            }
            Self::Truncated { needed, available } => {
                write!(f, "message needs {needed} bytes but only {available} remain (truncated); decoding stopped")
            }
            Self::UndefinedLocalType { local } => {
                write!(f, "data message uses undefined local message type {local}; decoding stopped")
            }
            Self::TrailingBytes { len } => write!(f, "{len} trailing bytes after the FIT data ignored"),
            Self::Resynced { skipped } => write!(f, "skipped {skipped} damaged bytes up to the next FIT header"),
            Self::MisalignedField { global, field, size, base_type } => write!(
                f,
                "message {global} field {field}: size {size} is not a multiple of base type {base_type:#04x}; field ignored"
            ),
            Self::UnknownBaseType { global, field, base_type } => {
                write!(f, "message {global} field {field}: unknown base type {base_type:#04x}; field ignored")
            }
            Self::UnknownArchitecture { value } => {
                write!(f, "definition architecture byte {value} is not 0 or 1; read as big endian")
            }
            Self::TooManyWarnings { dropped } => write!(f, "{dropped} further warnings dropped"),
            Self::TooManyMessages { kind, kept, skipped } => {
                write!(f, "more {kind} messages than any activity has: the first {kept} were kept, {skipped} skipped")
            }
        }
    }
}
