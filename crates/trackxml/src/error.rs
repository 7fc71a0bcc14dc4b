//! The one error type and the warnings.
//!
//! Errors mean "nothing usable could be read": the caller gets no file. Warnings mean "this file
//! was read, but something in it was skipped": they are returned as data in the parsed file so the
//! importer can show them to the person who uploaded the file; this crate never prints them.

use std::fmt;

/// Why a file could not be read at all.
///
/// Every variant that points into the file carries a 1-based `line` and `column` (columns count
/// characters, not bytes, so they match what a text editor shows).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TrackXmlError {
    /// Zero bytes, or only whitespace.
    #[error("file is empty")]
    Empty,
    /// The caller's watcher stopped reading (see `parse_gpx_watched`): a time limit or a cancel.
    #[error("reading stopped at byte {at} (time limit or cancelled)")]
    Stopped {
        /// Byte position reached.
        at: usize,
    },

    /// Larger than [`ParseOptions::max_bytes`](crate::ParseOptions::max_bytes): refused before
    /// reading, so a huge upload cannot exhaust memory.
    #[error("file is too large: {size} bytes, the limit is {limit} bytes")]
    TooLarge {
        /// Size of the input in bytes.
        size: usize,
        /// The limit that was in force.
        limit: usize,
    },

    /// Control bytes or bytes that are not text: e.g. a FIT file renamed to `.gpx`.
    #[error("binary data, not XML")]
    Binary,

    /// Text, but not XML (it does not start with `<`): e.g. CSV or JSON renamed to `.gpx`.
    #[error("line {line}, column {column}: not XML: the file starts with {found:?}")]
    NotXml {
        /// Line of the first non-blank character.
        line: u32,
        /// Column of the first non-blank character.
        column: u32,
        /// The start of the text found, shortened.
        found: String,
    },

    /// The XML declaration names an encoding this reader does not decode.
    #[error("unsupported text encoding {encoding:?} (UTF-8, UTF-16, ISO-8859-1 and windows-1252 are read)")]
    UnsupportedEncoding {
        /// The encoding name as written in the file.
        encoding: String,
    },

    /// Well-formed enough to find the root element, but it is not `<gpx>`.
    #[error("not a GPX file: root element is {root}{hint}")]
    NotGpx {
        /// Local name of the root element.
        root: String,
        /// Extra hint such as " (this looks like a TCX file)"; may be empty.
        hint: &'static str,
        /// Line of the root element.
        line: u32,
        /// Column of the root element.
        column: u32,
    },

    /// Well-formed enough to find the root element, but it is not `<TrainingCenterDatabase>`.
    #[error("not a TCX file: root element is {root}{hint}")]
    NotTcx {
        /// Local name of the root element.
        root: String,
        /// Extra hint such as " (this looks like a GPX file)"; may be empty.
        hint: &'static str,
        /// Line of the root element.
        line: u32,
        /// Column of the root element.
        column: u32,
    },

    /// A `<!DOCTYPE ...>` was found. Activity files never need one, and refusing it means entity
    /// definitions (the "billion laughs" and external-entity tricks) can never be expanded.
    #[error(
        "line {line}, column {column}: the file contains a <!DOCTYPE> declaration, which is refused \
         (GPX and TCX files never need one, and it could define entities)"
    )]
    DoctypeRefused {
        /// Line of the `<!DOCTYPE`.
        line: u32,
        /// Column of the `<!DOCTYPE`.
        column: u32,
    },

    /// The XML is broken before anything usable (a complete track point, or for TCX a complete
    /// lap or trackpoint) was read.
    #[error("line {line}, column {column}: malformed XML: {reason}")]
    Malformed {
        /// Line of the problem.
        line: u32,
        /// Column of the problem.
        column: u32,
        /// What is wrong, in words.
        reason: String,
    },
}

impl TrackXmlError {
    /// Line and column (1-based) of the problem, when it has a place in the file.
    pub fn position(&self) -> Option<(u32, u32)> {
        match self {
            Self::NotXml { line, column, .. }
            | Self::NotGpx { line, column, .. }
            | Self::NotTcx { line, column, .. }
            | Self::DoctypeRefused { line, column }
            | Self::Malformed { line, column, .. } => Some((*line, *column)),
            Self::Empty
            | Self::Stopped { .. }
            | Self::TooLarge { .. }
            | Self::Binary
            | Self::UnsupportedEncoding { .. } => None,
        }
    }
}

/// What kind of problem a [`Warning`] reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum WarningKind {
    /// A value that should be a number is not one (`lat="north"`, `<ele>1,5</ele>`, `NaN`).
    BadNumber,
    /// A value that should be an ISO 8601 / RFC 3339 date-time is not one.
    BadTime,
    /// A number or time that parses but cannot be true (latitude 91, HR 400, a time in 1970 or
    /// in the future).
    OutOfRange,
    /// A required value is missing (a `<trkpt>` without `lon`, a `<Position>` without latitude).
    MissingValue,
    /// The same value is given twice in one place (two `lat` attributes).
    Duplicate,
    /// A word from a fixed list is not one of the known words (`<Intensity>Sprint</Intensity>`).
    UnknownValue,
    /// The file ends before its elements are closed: everything complete before the end is kept.
    Truncated,
    /// The XML is broken (mismatched or missing end tag, bad syntax): everything complete before
    /// the problem is kept, the rest of the file is ignored.
    Malformed,
    /// Bytes that are not valid UTF-8 were replaced by U+FFFD.
    InvalidEncoding,
    /// An entity reference other than the five predefined ones (`&nbsp;`) was left unexpanded.
    UnknownEntity,
    /// Times without `Z` or an offset were read as UTC, as the GPX and TCX schemas define them.
    TimeWithoutZone,
    /// Elements after the end of the root element were ignored.
    TrailingContent,
    /// More points than any activity has (see [`crate::MAX_POINTS`]); the rest were skipped.
    TooManyPoints,
}

/// What was thrown away because of a [`Warning`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Dropped {
    /// Nothing: the value was read, the warning is informational.
    Nothing,
    /// Only the one value (the point or lap is kept without it).
    Value,
    /// The whole track point / trackpoint.
    Point,
    /// Everything from this position to the end of the file.
    RestOfFile,
}

/// One problem found while reading a file that was still read.
///
/// The text of a warning (its [`Display`](fmt::Display)) is meant for the person who uploaded
/// the file: it names the place, the element, the offending value and what was dropped.
#[derive(Debug, Clone, PartialEq)]
pub struct Warning {
    /// 1-based line of the problem.
    pub line: u32,
    /// 1-based column of the problem, in characters.
    pub column: u32,
    /// The kind of problem.
    pub kind: WarningKind,
    /// Local name of the element (or `element@attribute`) the problem is in; `"file"` for
    /// problems with the file as a whole (truncation, broken XML, encoding).
    pub element: String,
    /// The offending value, shortened to about 40 characters; `None` when there is no value.
    pub value: Option<String>,
    /// What was dropped because of it.
    pub dropped: Dropped,
    /// Why, in words (e.g. "latitude must be within -90..=90").
    pub detail: String,
}

impl Warning {
    /// Whether the warning means the file is damaged (cut short, broken XML, bytes that are not text, a point lost
    /// to a value that is not a number or a time), as opposed to a note that loses nothing of the recording (times
    /// without a zone, an unknown word, an impossible heart rate dropped on its own).
    #[must_use]
    pub fn is_damage(&self) -> bool {
        matches!(self.kind, WarningKind::Truncated | WarningKind::Malformed | WarningKind::InvalidEncoding)
            || (matches!(self.dropped, Dropped::Point | Dropped::RestOfFile)
                && matches!(
                    self.kind,
                    WarningKind::BadNumber | WarningKind::BadTime | WarningKind::MissingValue | WarningKind::Duplicate
                ))
    }
}

impl fmt::Display for Warning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}, column {}: ", self.line, self.column)?;
        // Problems with the file as a whole (truncation, broken XML) name no element.
        if !self.element.is_empty() && self.element != "file" {
            write!(f, "<{}>", self.element)?;
            if let Some(v) = &self.value {
                write!(f, " value {v:?}")?;
            }
            f.write_str(": ")?;
        }
        f.write_str(&self.detail)?;
        match self.dropped {
            Dropped::Nothing => Ok(()),
            Dropped::Value => f.write_str(" (value ignored)"),
            Dropped::Point => f.write_str(" (point dropped)"),
            Dropped::RestOfFile => f.write_str(" (the rest of the file was ignored)"),
        }
    }
}

/// Longest offending value (in characters) copied into a [`Warning`].
pub(crate) const MAX_SHOWN_VALUE_CHARS: usize = 40;

/// Shortens a value for display in a warning, on a character boundary, marking the cut with `…`.
pub(crate) fn shorten(value: &str) -> String {
    match value.char_indices().nth(MAX_SHOWN_VALUE_CHARS) {
        None => value.to_owned(),
        Some((cut, _)) => {
            let mut s = value[..cut].to_owned();
            s.push('…');
            s
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shorten_cuts_on_char_boundary() {
        assert_eq!(shorten("abc"), "abc");
        let long = "é".repeat(50);
        let s = shorten(&long);
        assert_eq!(s.chars().count(), MAX_SHOWN_VALUE_CHARS + 1);
        assert!(s.ends_with('…'));
    }

    #[test]
    fn warning_display_names_everything() {
        let w = Warning {
            line: 3,
            column: 7,
            kind: WarningKind::BadNumber,
            element: "trkpt@lat".into(),
            value: Some("north".into()),
            dropped: Dropped::Point,
            detail: "not a number".into(),
        };
        assert_eq!(w.to_string(), "line 3, column 7: <trkpt@lat> value \"north\": not a number (point dropped)");
        let whole = Warning {
            element: "file".into(),
            value: None,
            kind: WarningKind::Truncated,
            dropped: Dropped::RestOfFile,
            detail: "the file ends inside <trkpt>".into(),
            ..w
        };
        assert_eq!(
            whole.to_string(),
            "line 3, column 7: the file ends inside <trkpt> (the rest of the file was ignored)"
        );
    }
}
