//! The event loop shared by the GPX and TCX readers.
//!
//! The loop pulls events from `quick-xml` over borrowed input (no copies of the document), keeps
//! a small stack of "what this element means here" nodes chosen by the format handler from the
//! element's local name (so any namespace prefix works), collects the text of value elements,
//! and stops at the first structural problem so the handler can keep what was complete before
//! it. It refuses `<!DOCTYPE` outright and never expands entities other than the five
//! predefined ones and character references.

use std::borrow::Cow;
use std::ops::ControlFlow;

use quick_xml::Reader;
use quick_xml::errors::{Error as XmlError, IllFormedError, SyntaxError};
use quick_xml::events::{BytesStart, Event};
use std::io::BufRead;

use crate::simple::{self, Simple};

use crate::error::{Dropped, TrackXmlError, Warning, WarningKind, shorten};
use crate::input::LineIndex;
use crate::value::{self, EARLIEST_PLAUSIBLE_MS, FUTURE_SLACK_MS, ParsedTime};

/// Deepest element nesting accepted. Real GPX/TCX files nest under 12 levels; the cap bounds the
/// stack on hostile input.
pub(crate) const MAX_DEPTH: usize = 256;

/// How often (in input bytes) the reader tells a watcher its position.
const TICK_BYTES: usize = 64 * 1024;

/// Told the byte position every [`TICK_BYTES`] or so; `Break` stops reading (a time limit, a cancel).
pub(crate) type Watch<'w> = Option<&'w mut dyn FnMut(usize) -> ControlFlow<()>>;

/// Per-document state shared by the driver and the handlers: the text, the way back from
/// offsets to lines, the warnings and the clock used for plausibility checks.
pub(crate) struct Doc<'a> {
    pub src: &'a str,
    lines: LineIndex<'a>,
    /// Warnings so far; their line and column are filled in by [`Doc::finish`] from `offsets`.
    warnings: Vec<Warning>,
    /// Byte offset of each warning in `warnings`.
    offsets: Vec<usize>,
    warnings_omitted: usize,
    max_warnings: usize,
    now_ms: i64,
    zoneless_reported: bool,
    seen: Vec<Seen>,
    /// Units of work: events read plus bytes our own code looked at beyond the XML reader (names, joined text,
    /// line positions). Linear in the input by design; the tests compare it with the input size.
    pub work: u64,
}

/// How many warnings of one kind for one element are listed before the rest are summed up.
pub(crate) const SAME_KIND_LISTED: usize = 5;

/// Count of warnings by kind and element, for summing up repeats.
struct Seen {
    kind: WarningKind,
    element: String,
    count: usize,
    first_unlisted: Option<(usize, Dropped)>,
}

impl<'a> Doc<'a> {
    pub(crate) fn new(src: &'a str, max_warnings: usize, now_ms: i64) -> Self {
        Self {
            src,
            lines: LineIndex::new(src),
            warnings: Vec::new(),
            offsets: Vec::new(),
            warnings_omitted: 0,
            max_warnings,
            now_ms,
            zoneless_reported: false,
            seen: Vec::new(),
            work: 0,
        }
    }

    /// A document over prepared input, noting (as a warning, not an error) where bytes that were not UTF-8 were
    /// replaced: the GPX and TCX readers both start this way.
    pub(crate) fn over(prepared: &'a crate::input::Prepared<'_>, max_warnings: usize, now_ms: i64) -> Self {
        let mut doc = Doc::new(&prepared.text, max_warnings, now_ms);
        if let Some(at) = prepared.replaced_at {
            doc.warn(
                at,
                WarningKind::InvalidEncoding,
                "file",
                None,
                Dropped::Nothing,
                "bytes that are not valid UTF-8 were replaced by U+FFFD",
            );
        }
        doc
    }

    /// Byte offset of a slice borrowed from the document (`None` if it is not from it, e.g. an
    /// unescaped copy).
    #[inline]
    pub(crate) fn offset_of(&self, s: &str) -> Option<usize> {
        let base = self.src.as_ptr() as usize;
        let p = s.as_ptr() as usize;
        (p >= base && p <= base + self.src.len()).then(|| p - base)
    }

    /// Line and column of an offset, now. Used only for errors and for the few messages that
    /// quote another place; warnings get theirs in one pass at the end (see [`Doc::finish`]).
    pub(crate) fn locate(&mut self, offset: usize) -> (u32, u32) {
        let before = self.lines.scanned;
        let at = self.lines.locate(offset);
        self.work += (self.lines.scanned - before) as u64;
        at
    }

    /// Records a warning. The first [`SAME_KIND_LISTED`] warnings of each kind and element are
    /// kept; later ones are counted and summed up in one warning by [`Doc::finish`], so one
    /// systematic fault (every time in 1901) gives a short list, not one line per point. Past
    /// `max_warnings` in all, warnings are only counted.
    pub(crate) fn warn(
        &mut self,
        offset: usize,
        kind: WarningKind,
        element: &str,
        value: Option<&str>,
        dropped: Dropped,
        detail: impl Into<String>,
    ) {
        let seen = match self.seen.iter_mut().find(|s| s.kind == kind && s.element == element) {
            Some(seen) => seen,
            None => {
                self.seen.push(Seen { kind, element: element.to_owned(), count: 0, first_unlisted: None });
                let last = self.seen.len() - 1;
                &mut self.seen[last]
            }
        };
        seen.count += 1;
        if seen.count > SAME_KIND_LISTED {
            if seen.first_unlisted.is_none() {
                seen.first_unlisted = Some((offset, dropped));
            }
            return;
        }
        self.push_warning(offset, kind, element, value, dropped, detail.into());
    }

    fn push_warning(
        &mut self,
        offset: usize,
        kind: WarningKind,
        element: &str,
        value: Option<&str>,
        dropped: Dropped,
        detail: String,
    ) {
        if self.warnings.len() >= self.max_warnings {
            self.warnings_omitted += 1;
            return;
        }
        self.offsets.push(offset);
        self.warnings.push(Warning {
            line: 0,
            column: 0,
            kind,
            element: element.to_owned(),
            value: value.map(shorten),
            dropped,
            detail,
        });
    }

    /// Adds the "N more like this" summaries, fills in every warning's line and column in one
    /// forward pass over the text (warnings are not raised in file order: a point's "missing
    /// lon" comes after its values), and hands the warnings over in file order.
    pub(crate) fn finish(mut self) -> (Vec<Warning>, usize, u64) {
        for seen in std::mem::take(&mut self.seen) {
            if let Some((offset, dropped)) = seen.first_unlisted {
                let more = seen.count - SAME_KIND_LISTED;
                self.push_warning(
                    offset,
                    seen.kind,
                    &seen.element,
                    None,
                    dropped,
                    format!(
                        "{more} more warnings of the same kind for <{}> from here on were not listed one by one",
                        seen.element
                    ),
                );
            }
        }
        let mut placed: Vec<(usize, Warning)> = self.offsets.into_iter().zip(self.warnings).collect();
        placed.sort_by_key(|(offset, _)| *offset);
        let mut lines = LineIndex::new(self.src);
        let warnings = placed
            .into_iter()
            .map(|(offset, mut w)| {
                (w.line, w.column) = lines.locate(offset);
                w
            })
            .collect();
        self.work += lines.scanned as u64;
        (warnings, self.warnings_omitted, self.work)
    }

    /// Reads a number. `Ok(None)` for an empty element; `Err(())` (after a warning saying what
    /// was dropped) when the text is not a number.
    pub(crate) fn number(
        &mut self,
        raw: &str,
        offset: usize,
        element: &str,
        on_bad: Dropped,
    ) -> Result<Option<f64>, ()> {
        if let Some(v) = value::parse_number(raw) {
            return Ok(Some(v));
        }
        let t = value::trim_xml(raw);
        if t.is_empty() {
            return Ok(None);
        }
        self.warn(offset, WarningKind::BadNumber, element, Some(t), on_bad, "not a number");
        Err(())
    }

    /// Keeps `v` if it lies within `range`, otherwise warns and drops the value.
    pub(crate) fn in_range(&mut self, v: f64, range: &Range, offset: usize, element: &str) -> Option<f64> {
        if v >= range.lo && v <= range.hi {
            return Some(v);
        }
        self.warn(
            offset,
            WarningKind::OutOfRange,
            element,
            Some(&v.to_string()),
            Dropped::Value,
            format!("{} must be within {}..={} {}", range.what, range.lo, range.hi, range.unit),
        );
        None
    }

    /// `number` followed by `in_range`.
    pub(crate) fn ranged(
        &mut self,
        raw: &str,
        offset: usize,
        element: &str,
        range: &Range,
        on_bad: Dropped,
    ) -> Result<Option<f64>, ()> {
        Ok(self.number(raw, offset, element, on_bad)?.and_then(|v| self.in_range(v, range, offset, element)))
    }

    /// Reads a date-time. `Ok(None)` when empty or implausible (before 1980, or more than a day
    /// after now: warned, value dropped); `Err(())` (after a warning) when it is not a date-time.
    pub(crate) fn time(
        &mut self,
        raw: &str,
        offset: usize,
        element: &str,
        on_bad: Dropped,
    ) -> Result<Option<ParsedTime>, ()> {
        let Some(t) = value::parse_time(raw) else {
            let trimmed = value::trim_xml(raw);
            if trimmed.is_empty() {
                return Ok(None);
            }
            self.warn(
                offset,
                WarningKind::BadTime,
                element,
                Some(trimmed),
                on_bad,
                "not an ISO 8601 date-time such as 2024-05-01T07:30:00Z",
            );
            return Err(());
        };
        if t.unix_ms < EARLIEST_PLAUSIBLE_MS || t.unix_ms > self.now_ms.saturating_add(FUTURE_SLACK_MS) {
            self.warn(
                offset,
                WarningKind::OutOfRange,
                element,
                Some(value::trim_xml(raw)),
                Dropped::Value,
                "time must be between 1980-01-01 and one day from now",
            );
            return Ok(None);
        }
        if t.utc_offset_min.is_none() && !self.zoneless_reported {
            self.zoneless_reported = true;
            self.warn(
                offset,
                WarningKind::TimeWithoutZone,
                element,
                Some(value::trim_xml(raw)),
                Dropped::Nothing,
                "time has no Z or UTC offset: read as UTC, as the schema defines (reported once per file)",
            );
        }
        Ok(Some(t))
    }
}

/// A plausible range for a measured value, with words for the warning.
pub(crate) struct Range {
    pub lo: f64,
    pub hi: f64,
    pub what: &'static str,
    pub unit: &'static str,
}

pub(crate) const LAT: Range = Range { lo: -90.0, hi: 90.0, what: "latitude", unit: "degrees" };
pub(crate) const LON: Range = Range { lo: -180.0, hi: 180.0, what: "longitude", unit: "degrees" };
pub(crate) const ELE: Range = Range { lo: -1000.0, hi: 10000.0, what: "elevation", unit: "m" };
pub(crate) const HR: Range = Range { lo: 1.0, hi: 300.0, what: "heart rate", unit: "bpm" };
pub(crate) const CADENCE: Range = Range { lo: 0.0, hi: 300.0, what: "cadence", unit: "per minute" };
pub(crate) const POWER: Range = Range { lo: 0.0, hi: 5000.0, what: "power", unit: "W" };
pub(crate) const TEMP: Range = Range { lo: -60.0, hi: 70.0, what: "temperature", unit: "°C" };
pub(crate) const SPEED: Range = Range { lo: 0.0, hi: 100.0, what: "speed", unit: "m/s" };
pub(crate) const DISTANCE: Range = Range { lo: 0.0, hi: 100_000_000.0, what: "distance", unit: "m" };
pub(crate) const DURATION: Range = Range { lo: 0.0, hi: 31_622_400.0, what: "duration", unit: "s" };
pub(crate) const CALORIES: Range = Range { lo: 0.0, hi: 100_000.0, what: "calories", unit: "kcal" };
pub(crate) const COUNT: Range = Range { lo: 0.0, hi: 10_000_000.0, what: "count", unit: "" };

/// What a format reader does with the elements the driver finds.
pub(crate) trait Handler<'a> {
    /// What an element means in its place (e.g. "the `<ele>` of a track point", "ignored").
    type Node: Copy;

    /// Whether the text of elements of this node is collected and given to `leave`.
    fn captures(node: Self::Node) -> bool;

    /// Called for the root element (whose local name the driver has checked).
    fn root(&mut self, doc: &mut Doc<'a>, start: &BytesStart<'a>) -> Self::Node;

    /// Called for every element under the root, with the parent's node and the element's local
    /// name. `Err(reason)` stops reading: a structural problem such as a missing end tag.
    fn enter(
        &mut self,
        doc: &mut Doc<'a>,
        parent: Self::Node,
        local: &str,
        start: &BytesStart<'a>,
        offset: usize,
    ) -> Result<Self::Node, String>;

    /// Called when the element ends, with its collected text (empty unless `captures`), the
    /// offset of that text (or of the element when there is none).
    fn leave(&mut self, doc: &mut Doc<'a>, node: Self::Node, text: &str, text_offset: usize);

    /// Reads one whole child of a `parent` element (with the text before it) from `at` by the format's own path
    /// for the shape nearly all of them have (GPX track points: see `gpx/plain.rs`), handing it on exactly as its
    /// events would have been. `Ok(end)`: read up to `end`. `Err(looked)`: not that shape, nothing handed on, and
    /// bytes up to `looked` were examined (the path is not tried again before the reader has passed them, so the
    /// work stays linear). Such a path may open at most [`PLAIN_CHILD_DEPTH`] levels. Formats without one keep
    /// this `Err(usize::MAX)`.
    fn plain_child(&mut self, _doc: &mut Doc<'a>, _parent: Self::Node, _at: usize) -> Result<usize, usize> {
        Err(usize::MAX)
    }
}

/// Most element levels a [`Handler::plain_child`] path opens: it is tried only where that many fit under
/// [`MAX_DEPTH`], so it never has to reproduce the depth error.
pub(crate) const PLAIN_CHILD_DEPTH: usize = 8;

/// How reading ended.
pub(crate) enum Ending {
    /// The root element was closed.
    Complete,
    /// Reading stopped at a problem; everything before `offset` was handed to the handler.
    Stopped { offset: usize, kind: WarningKind, reason: String },
}

impl Ending {
    /// Turns a stop into the salvage warning, or into an error when nothing usable was read.
    pub(crate) fn salvage(self, doc: &mut Doc<'_>, usable: bool) -> Result<(), TrackXmlError> {
        let Ending::Stopped { offset, kind, reason } = self else {
            return Ok(());
        };
        if usable {
            doc.warn(offset, kind, "file", None, Dropped::RestOfFile, reason);
            Ok(())
        } else {
            let (line, column) = doc.locate(offset);
            Err(TrackXmlError::Malformed {
                line,
                column,
                reason: format!("{reason}; nothing usable was read before it"),
            })
        }
    }
}

struct Frame<'a, N> {
    node: N,
    offset: usize,
    captures: bool,
    /// Local name, for messages: taken once when the element opens, since a value element can hold any number
    /// of entity references and scanning its (maybe very long, prefixed) name for each was quadratic.
    local: &'a str,
}

/// Collected text of the current value element. One borrowed piece (the usual case) costs
/// nothing; several pieces (entities, CDATA, comments in the middle) are joined in a reused
/// buffer.
struct TextBuf<'a> {
    first: &'a str,
    joined: String,
    pieces: u32,
    offset: Option<usize>,
}

impl<'a> TextBuf<'a> {
    fn reset(&mut self) {
        self.first = "";
        self.pieces = 0;
        self.offset = None;
    }

    /// Adds a piece; returns the bytes copied (for the work count).
    fn push(&mut self, s: Cow<'a, str>, offset: Option<usize>) -> usize {
        let before = self.joined.len();
        if self.offset.is_none() {
            self.offset = offset;
        }
        match (self.pieces, s) {
            (0, Cow::Borrowed(b)) => self.first = b,
            (0, Cow::Owned(o)) => {
                self.joined.clear();
                self.joined.push_str(&o);
                self.pieces = 1;
            }
            (1, s) => {
                self.joined.clear();
                self.joined.push_str(self.first);
                self.joined.push_str(&s);
            }
            (_, s) => self.joined.push_str(&s),
        }
        self.pieces += 1;
        self.joined.len().saturating_sub(before)
    }

    fn get(&self) -> &str {
        if self.pieces <= 1 { self.first } else { &self.joined }
    }
}

/// The local name of the element whose `<` is at `offset`, for messages.
pub(crate) fn name_at(src: &str, offset: usize) -> &str {
    let rest = src.get(offset + 1..).unwrap_or("");
    let ends = |c: char| c.is_whitespace() || c == '>' || c == '/';
    // Byte by byte while the name is ASCII (every GPX and TCX element name): this runs for every value element,
    // and the `char` search was 2-3% of a GPX import. From the first non-ASCII byte (a char boundary, since all
    // before it are ASCII) the `char` search decides, so Unicode whitespace still ends a name.
    let mut end = rest.len();
    for (i, &b) in rest.as_bytes().iter().enumerate() {
        if !b.is_ascii() {
            end = rest[i..].find(ends).map_or(rest.len(), |j| i + j);
            break;
        }
        if ends(char::from(b)) {
            end = i;
            break;
        }
    }
    let name = &rest[..end];
    name.rfind(':').map_or(name, |i| &name[i + 1..])
}

/// Describes a `quick-xml` error in words.
fn describe(err: &XmlError) -> (WarningKind, String) {
    let text = match err {
        XmlError::IllFormed(IllFormedError::MismatchedEndTag { expected, found }) => {
            format!("end tag </{found}> does not match the open element <{expected}>")
        }
        XmlError::IllFormed(IllFormedError::UnmatchedEndTag(name)) => format!("end tag </{name}> has no start tag"),
        XmlError::Syntax(
            e @ (SyntaxError::UnclosedTag
            | SyntaxError::UnclosedComment
            | SyntaxError::UnclosedCData
            | SyntaxError::UnclosedPI
            | SyntaxError::UnclosedXmlDecl
            | SyntaxError::UnclosedDoctype
            | SyntaxError::UnclosedDoubleQuotedAttributeValue
            | SyntaxError::UnclosedSingleQuotedAttributeValue),
        ) => return (WarningKind::Truncated, format!("the file is cut off in the middle of markup ({e})")),
        other => other.to_string(),
    };
    (WarningKind::Malformed, text)
}

/// Reads the document, checking the root element's local name is `root_name`.
///
/// Returns how reading ended; errors only for problems that leave nothing to salvage (no root,
/// wrong root, DOCTYPE).
///
/// Inside the root, runs of plain markup are found by [`simple::scan`] instead of `quick-xml` (see that module
/// for why) and go through the same event handling below; `quick-xml` reads everything else.
pub(crate) fn run<'a, H: Handler<'a>>(
    doc: &mut Doc<'a>,
    handler: &mut H,
    root_name: &str,
    wrong_root: impl FnOnce(&str, u32, u32) -> TrackXmlError,
    mut watch: Watch<'_>,
) -> Result<Ending, TrackXmlError> {
    let src = doc.src;
    let mut reader = Reader::from_str(src);
    {
        let config = reader.config_mut();
        // Tolerate "Run & Fun" in names: a lone ampersand is kept as text.
        config.allow_dangling_amp = true;
        config.check_end_names = true;
    }
    let mut st = State {
        src,
        root_name,
        stack: Vec::with_capacity(16),
        text: TextBuf { first: "", joined: String::new(), pieces: 0, offset: None },
        root_seen: false,
        wrong_root: Some(wrong_root),
    };
    let mut next_tick = TICK_BYTES;
    // Where `quick-xml` must have read past before the next scan (see `simple::Stop::Unusual`), and whether it
    // stands where it reads text next (not after a text event, when it already stands on a `<` or `&`).
    let mut scan_from = 0usize;
    let mut at_text = false;
    let mut scanned: Vec<Simple> = Vec::new();
    // Events one scan gathers at most: small at first, doubled while scans fill up (see `SCAN_FIRST_EVENTS`).
    let mut scan_limit = SCAN_FIRST_EVENTS;
    // Where the handler's own path (see `Handler::plain_child`) may be tried next.
    let mut plain_from = 0usize;

    loop {
        let position = usize::try_from(reader.buffer_position()).unwrap_or(usize::MAX);
        if position >= next_tick {
            next_tick = position.saturating_add(TICK_BYTES);
            if let Some(w) = watch.as_mut()
                && w(position).is_break()
            {
                return Err(TrackXmlError::Stopped { at: position });
            }
        }
        if at_text
            && scan_enabled()
            && position >= plain_from
            && let Some(parent) = st.stack.last().map(|f| f.node)
            && st.stack.len() + PLAIN_CHILD_DEPTH <= MAX_DEPTH
        {
            let mut at = position;
            loop {
                if at >= next_tick {
                    next_tick = at.saturating_add(TICK_BYTES);
                    if let Some(w) = watch.as_mut()
                        && w(at).is_break()
                    {
                        return Err(TrackXmlError::Stopped { at });
                    }
                }
                match handler.plain_child(doc, parent, at) {
                    Ok(end) => at = end,
                    Err(looked) => {
                        plain_from = looked;
                        break;
                    }
                }
            }
            if at > position {
                BufRead::consume(&mut reader.stream(), at - position);
                continue;
            }
        }
        if at_text && scan_enabled() && !st.stack.is_empty() && position >= scan_from {
            scanned.clear();
            let (end, stop) = simple::scan(src, position, scan_limit, &mut scanned);
            if let simple::Stop::Unusual(at) | simple::Stop::Enter(at) = stop {
                scan_from = at;
            }
            if stop == simple::Stop::Done && scanned.len() >= scan_limit {
                scan_limit = (scan_limit * 2).min(SCAN_EVENTS);
            }
            if end > position {
                for ev in &scanned {
                    let at = ev.start();
                    if at >= next_tick {
                        next_tick = at.saturating_add(TICK_BYTES);
                        if let Some(w) = watch.as_mut()
                            && w(at).is_break()
                        {
                            return Err(TrackXmlError::Stopped { at });
                        }
                    }
                    doc.work += 1;
                    let step = match *ev {
                        Simple::Start { start, content_end, name_len, empty } => {
                            let tag = BytesStart::from_content(&src[start + 1..content_end], name_len);
                            st.start(doc, handler, &tag, empty)
                        }
                        Simple::End { .. } => st.end(doc, handler),
                        Simple::Text { start, end } => st.text(doc, Cow::Borrowed(&src[start..end])),
                    };
                    if let Some(done) = step {
                        return done;
                    }
                }
                BufRead::consume(&mut reader.stream(), end - position);
                continue;
            }
        }
        doc.work += 1;
        let event = match reader.read_event() {
            Ok(event) => event,
            Err(err) => {
                let offset = usize::try_from(reader.error_position()).unwrap_or(src.len()).min(src.len());
                if !st.root_seen {
                    let (line, column) = doc.locate(offset);
                    let (_, reason) = describe(&err);
                    return Err(TrackXmlError::Malformed { line, column, reason });
                }
                if st.stack.is_empty() {
                    // Broken markup after the root was closed: the document itself is complete.
                    doc.warn(
                        offset,
                        WarningKind::TrailingContent,
                        "file",
                        None,
                        Dropped::RestOfFile,
                        "broken markup after the end of the root element was ignored",
                    );
                    return Ok(Ending::Complete);
                }
                let (kind, reason) = describe(&err);
                return Ok(Ending::Stopped { offset, kind, reason });
            }
        };
        at_text = !matches!(event, Event::Text(_));
        let step = match event {
            Event::Start(ref start) => st.start(doc, handler, start, false),
            Event::Empty(ref start) => st.start(doc, handler, start, true),
            Event::End(_) => st.end(doc, handler),
            Event::Text(t) => st.text(doc, t.into_inner()),
            Event::CData(c) => {
                if st.stack.last().is_some_and(|f| f.captures) {
                    let inner = c.into_inner();
                    let at = doc.offset_of(&inner);
                    doc.work += st.text.push(inner, at) as u64;
                }
                None
            }
            Event::GeneralRef(r) => {
                if st.stack.last().is_some_and(|f| f.captures) {
                    let at = doc.offset_of(&r).map(|o| o.saturating_sub(1));
                    let resolved: Option<char> = match r.resolve_char_ref() {
                        Ok(Some(c)) => Some(c),
                        Ok(None) => match &*r {
                            "lt" => Some('<'),
                            "gt" => Some('>'),
                            "amp" => Some('&'),
                            "apos" => Some('\''),
                            "quot" => Some('"'),
                            _ => None,
                        },
                        Err(_) => None,
                    };
                    match resolved {
                        Some(c) => doc.work += st.text.push(Cow::Owned(c.to_string()), at) as u64,
                        None => {
                            let literal = format!("&{};", &*r);
                            doc.work += literal.len() as u64;
                            let element = st.stack.last().map_or("file", |f| f.local);
                            doc.warn(
                                at.unwrap_or(0),
                                WarningKind::UnknownEntity,
                                element,
                                Some(&literal),
                                Dropped::Nothing,
                                "entity is not one of the five XML defines and was left as written",
                            );
                            doc.work += st.text.push(Cow::Owned(literal), at) as u64;
                        }
                    }
                }
                None
            }
            Event::DocType(d) => {
                let inner = doc.offset_of(&d).unwrap_or(0);
                let offset = src.get(..inner).and_then(|s| s.rfind("<!")).unwrap_or(inner);
                let (line, column) = doc.locate(offset);
                let content = value::trim_xml(&d);
                if content.get(..4).is_some_and(|s| s.eq_ignore_ascii_case("html"))
                    && let Some(make) = st.wrong_root.take()
                {
                    return Err(make("html", line, column));
                }
                return Err(TrackXmlError::DoctypeRefused { line, column });
            }
            Event::Decl(_) | Event::PI(_) | Event::Comment(_) => None,
            Event::Eof => break,
        };
        if let Some(done) = step {
            return done;
        }
    }

    if !st.root_seen {
        let (line, column) = doc.locate(src.len());
        return Err(TrackXmlError::Malformed { line, column, reason: "the file has no root element".into() });
    }
    if let Some(innermost) = st.stack.last() {
        let name = name_at(src, innermost.offset);
        let (line, column) = doc.locate(innermost.offset);
        return Ok(Ending::Stopped {
            offset: src.len(),
            kind: WarningKind::Truncated,
            reason: format!("the file is cut off inside <{name}> (opened at line {line}, column {column})"),
        });
    }
    Ok(Ending::Complete)
}

#[cfg(any(test, feature = "differential"))]
thread_local! {
    /// Tests and the fuzz target turn the simple scan and the handlers' own paths (`Handler::plain_child`) off to
    /// compare against `quick-xml` alone.
    pub(crate) static NO_SCAN: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

#[inline]
fn scan_enabled() -> bool {
    #[cfg(any(test, feature = "differential"))]
    {
        !NO_SCAN.with(std::cell::Cell::get)
    }
    #[cfg(not(any(test, feature = "differential")))]
    {
        true
    }
}

/// Runs `f` with the simple scan and the handlers' own paths turned off on this thread, so that everything is read by `quick-xml` alone: for
/// the `track_xml` fuzz target's differential check. Only with the `differential` feature.
#[cfg(feature = "differential")]
pub fn with_quick_xml_only<T>(f: impl FnOnce() -> T) -> T {
    NO_SCAN.with(|c| c.set(true));
    let out = f();
    NO_SCAN.with(|c| c.set(false));
    out
}

/// Most events one [`simple::scan`] gathers before they are handled (a few hundred track points): the buffer
/// stays near 128 KiB per reader (65,536 events cost 2 MiB each and broke the import's in-flight memory budget,
/// `crates/import/tests/in_flight_memory.rs`); a larger element is opened by `quick-xml` and scanned inside.
const SCAN_EVENTS: usize = 4_096;

/// Events the first scan gathers at most. A scan whose first child is larger than its limit gives the events it
/// gathered up (`quick-xml` opens the child): in a GPX file that happens at `<gpx>`, `<trk>` and `<trkseg>`, and at
/// 4,096 events each that was about 650 track points (of a 45-minute run's 2,700) scanned for nothing. The limit doubles up to [`SCAN_EVENTS`] while
/// scans fill up, so long runs of small elements still go in large scans.
const SCAN_FIRST_EVENTS: usize = 64;

/// What `run` keeps between events, and the handling of start, end and text events shared by both readers
/// (`quick-xml` and [`simple::scan`]). `Some` ends the reading with that result.
struct State<'a, 'r, N, F> {
    src: &'a str,
    root_name: &'r str,
    stack: Vec<Frame<'a, N>>,
    text: TextBuf<'a>,
    root_seen: bool,
    wrong_root: Option<F>,
}

type Step = Option<Result<Ending, TrackXmlError>>;

impl<'a, N: Copy, F: FnOnce(&str, u32, u32) -> TrackXmlError> State<'a, '_, N, F> {
    fn start<H: Handler<'a, Node = N>>(
        &mut self,
        doc: &mut Doc<'a>,
        handler: &mut H,
        start: &BytesStart<'a>,
        is_empty: bool,
    ) -> Step {
        let offset = doc.offset_of(start).map_or(0, |o| o.saturating_sub(1));
        if self.stack.is_empty() && self.root_seen {
            doc.warn(
                offset,
                WarningKind::TrailingContent,
                start.local_name().into_inner(),
                None,
                Dropped::RestOfFile,
                "elements after the end of the root element were ignored",
            );
            return Some(Ok(Ending::Complete));
        }
        let local = start.local_name().into_inner();
        let node = match self.stack.last() {
            None => {
                if local != self.root_name {
                    let (line, column) = doc.locate(offset);
                    let Some(make) = self.wrong_root.take() else {
                        return Some(Err(TrackXmlError::Malformed {
                            line,
                            column,
                            reason: "unexpected root element".into(),
                        }));
                    };
                    return Some(Err(make(local, line, column)));
                }
                self.root_seen = true;
                handler.root(doc, start)
            }
            Some(parent) => match handler.enter(doc, parent.node, local, start, offset) {
                Ok(node) => node,
                Err(reason) => return Some(Ok(Ending::Stopped { offset, kind: WarningKind::Malformed, reason })),
            },
        };
        if is_empty {
            handler.leave(doc, node, "", offset);
            if self.stack.is_empty() {
                // `<gpx/>`: a complete, empty document.
                return Some(Ok(Ending::Complete));
            }
        } else {
            if self.stack.len() >= MAX_DEPTH {
                return Some(Ok(Ending::Stopped {
                    offset,
                    kind: WarningKind::Malformed,
                    reason: format!("elements are nested deeper than {MAX_DEPTH} levels"),
                }));
            }
            let captures = H::captures(node);
            if captures {
                self.text.reset();
            }
            let local = if captures { name_at(self.src, offset) } else { "" };
            doc.work += local.len() as u64;
            self.stack.push(Frame { node, offset, captures, local });
        }
        None
    }

    fn end<H: Handler<'a, Node = N>>(&mut self, doc: &mut Doc<'a>, handler: &mut H) -> Step {
        // quick-xml (or the simple scan) has checked that the name matches the open element.
        if let Some(frame) = self.stack.pop() {
            if frame.captures {
                let at = self.text.offset.unwrap_or(frame.offset);
                handler.leave(doc, frame.node, self.text.get(), at);
            } else {
                handler.leave(doc, frame.node, "", frame.offset);
            }
        }
        None
    }

    fn text(&mut self, doc: &mut Doc<'a>, t: Cow<'a, str>) -> Step {
        if let Some(frame) = self.stack.last() {
            if frame.captures {
                let at = doc.offset_of(&t);
                doc.work += self.text.push(t, at) as u64;
            }
        } else if self.root_seen && !value::trim_xml(&t).is_empty() {
            let at = doc.offset_of(&t).unwrap_or(self.src.len());
            doc.warn(
                at,
                WarningKind::TrailingContent,
                "file",
                Some(value::trim_xml(&t)),
                Dropped::RestOfFile,
                "text after the end of the root element was ignored",
            );
            return Some(Ok(Ending::Complete));
        }
        None
    }
}

/// Milliseconds since the Unix epoch according to the system clock (0 if the clock is before
/// 1970, which only makes every time "in the future" and so dropped with a warning).
pub(crate) fn system_now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

#[cfg(test)]
mod tests {
    use super::{NO_SCAN, name_at};
    use crate::{ParseOptions, parse_gpx_with, parse_tcx_with};

    /// Parses `doc` as GPX and as TCX with the simple scan and with `quick-xml` alone; everything read (points,
    /// warnings with their lines and columns, work units, errors) must be the same.
    fn same_both_ways(doc: &[u8]) {
        let options = ParseOptions { now_ms: Some(1_800_000_000_000), ..ParseOptions::default() };
        let with = (parse_gpx_with(doc, &options), parse_tcx_with(doc, &options));
        NO_SCAN.with(|c| c.set(true));
        let without = (parse_gpx_with(doc, &options), parse_tcx_with(doc, &options));
        NO_SCAN.with(|c| c.set(false));
        assert_eq!(with.0, without.0, "GPX differs on {:?}", String::from_utf8_lossy(doc));
        assert_eq!(with.1, without.1, "TCX differs on {:?}", String::from_utf8_lossy(doc));
    }

    const GPX: &str = "<?xml version=\"1.0\"?>\n<gpx version=\"1.1\" creator=\"a &amp; b\" \
        xmlns:gpxtpx=\"http://www.garmin.com/xmlschemas/TrackPointExtension/v1\">\n\
        <metadata><name>Run &amp; Fun</name><time>2024-05-01T07:00:00Z</time></metadata>\n\
        <trk><name>Morning</name><type>running</type><trkseg>\n\
        <trkpt lat=\"48.2\" lon=\"16.37\"><ele>200.5</ele><time>2024-05-01T07:00:00Z</time>\
        <extensions><gpxtpx:TrackPointExtension><gpxtpx:hr>150</gpxtpx:hr><gpxtpx:cad>85</gpxtpx:cad>\
        </gpxtpx:TrackPointExtension></extensions></trkpt>\n\
        <trkpt lat='48.20001' lon=\"16.37\" ><ele>  201 </ele><time>2024-05-01T07:00:01Z</time><speed/></trkpt>\n\
        <trkpt lat=\"48.20002\" lon=\"16.37\"><ele>x</ele><time>2024-05-01T07:00:02Z</time></trkpt>\n\
        <trkpt lat=\"91\" lon=\"16.37\"><time>2024-05-01T07:00:03Z</time></trkpt>\n\
        <trkpt lat=\"48.20003\" lon=\"16.37\"><!-- c --><ele>202</ele><time>2024-05-01T07:00:04Z</time></trkpt>\n\
        <trkpt lat=\"48.20004\" lon=\"16.37\"><ele><![CDATA[203]]></ele><time>2024-05-01T07:00:05Z</time></trkpt>\n\
        <trkpt lat=\"48.20005\" lon=\"16.37\"><ele>2&#48;4</ele><time>2024-05-01T07:00:06Z</time ></trkpt>\n\
        <trkpt lat=\"48.20006\" lon=\"16.37\" note=\"a>b\"><ele>205</ele><time>2024-05-01T07:00:07Z</time></trkpt>\n\
        <trkpt lat=\"48.20007\" lon=\"16.37\"><ele>206</ele><time>2024-05-01T07:00:08</time><x:unknown a='1'/></trkpt>\n\
        <trkpt lat=\"48.20008\" lon=\"16.37\"><ele>207</ele><time>2024-05-01T07:00:09Z</time></trkpt></trkseg>\n\
        <trkseg><trkpt lat=\"48.3\" lon=\"16.4\"><time>2024-05-01T07:10:00Z</time></trkpt></trkseg></trk>\n\
        <wpt lat=\"1\" lon=\"2\"/><rte><rtept lat=\"1\" lon=\"2\"/></rte>\n</gpx>\n";

    /// Track points of the shape the GPX reader's own path reads (`gpx/plain.rs`), with values it must warn about
    /// exactly as the event loop does: coordinates in either order, out of range or empty, prefixed names, nested
    /// extension containers, empty and bad values, more bad values of one kind than are listed one by one.
    const GPX_PLAIN: &str = "<gpx version=\"1.1\"><trk><trkseg>\n\
        <trkpt lon=\"16.37\" lat=\"48.2\"><ele>200.5</ele><time>2024-05-01T07:00:00Z</time><speed>3.1</speed></trkpt>\n\
        <trkpt lat=\"48.20001\"\tlon='16.37' ><gpx:ele> 201 </gpx:ele><time>2024-05-01T07:00:01</time><extensions>\
        <ns3:TrackPointExtension><ns3:atemp>21</ns3:atemp><ns3:hr>400</ns3:hr><ns3:cad></ns3:cad>\
        </ns3:TrackPointExtension><power>250</power><gpxdata:distance>12.5</gpxdata:distance></extensions></trkpt>\n\
        <trkpt lat=\"95\" lon=\"16.37\"><time>2024-05-01T07:00:02Z</time></trkpt>\
        <trkpt lat=\"\" lon=\"16.37\"><time>2024-05-01T07:00:03Z</time></trkpt>\
        <trkpt lat=\"48.3\" lon=\"x\"><time>2024-05-01T07:00:04Z</time></trkpt>\n\
        <trkpt lat=\"48.3\" lon=\"16.4\"><ele>x</ele><time>1970-01-01T00:00:00Z</time></trkpt>\
        <trkpt lat=\"48.3\" lon=\"16.4\"><ele>y</ele><time>2024-05-01T07:00:05Z</time></trkpt>\
        <trkpt lat=\"48.3\" lon=\"16.4\"><ele>z</ele><time>2024-05-01T07:00:06Z</time></trkpt>\
        <trkpt lat=\"48.3\" lon=\"16.4\"><ele>-</ele><time>2024-05-01T07:00:07Z</time></trkpt>\
        <trkpt lat=\"48.3\" lon=\"16.4\"><ele>.</ele><time>2024-05-01T07:00:08Z</time></trkpt>\
        <trkpt lat=\"48.3\" lon=\"16.4\"><ele>e</ele><time>2024-05-01T07:00:09Z</time></trkpt>\
        <trkpt lat=\"48.3\" lon=\"16.4\"><ele>1,5</ele><time>2024-05-01T07:00:10Z</time></trkpt>\n\
        <trkpt lat=\"48.3\" lon=\"16.4\"><time>soon</time><extensions><a><b><c><hr>150</hr></c></b></a></extensions></trkpt>\
        <trkpt lat=\"48.3\" lon=\"16.4\"><ele>99999</ele><time>2024-05-01T07:00:11Z</time></trkpt>\n\
        </trkseg></trk></gpx>\n";

    const TCX: &str = "<?xml version=\"1.0\"?><TrainingCenterDatabase><Activities><Activity Sport=\"Running\">\
        <Id>2024-05-01T07:00:00Z</Id><Lap StartTime=\"2024-05-01T07:00:00Z\"><TotalTimeSeconds>60</TotalTimeSeconds>\
        <DistanceMeters>180.5</DistanceMeters><Intensity>Active</Intensity><TriggerMethod>Manual</TriggerMethod>\
        <Track><Trackpoint><Time>2024-05-01T07:00:00Z</Time><Position><LatitudeDegrees>48.2</LatitudeDegrees>\
        <LongitudeDegrees>16.37</LongitudeDegrees></Position><AltitudeMeters>200</AltitudeMeters>\
        <DistanceMeters>0</DistanceMeters><HeartRateBpm><Value>150</Value></HeartRateBpm></Trackpoint>\
        <Trackpoint><Time>2024-05-01T07:01:00Z</Time><DistanceMeters>180</DistanceMeters><!-- x -->\
        <HeartRateBpm><Value>15&amp;1</Value></HeartRateBpm></Trackpoint></Track></Lap>\
        <Creator><Name>Forerunner &lt;945&gt;</Name></Creator></Activity></Activities></TrainingCenterDatabase>";

    #[test]
    fn the_simple_scan_reads_what_quick_xml_reads() {
        for doc in [GPX, GPX_PLAIN, TCX] {
            // Every prefix (cut-off files), and the whole document with each byte changed to markup that matters.
            for cut in 0..=doc.len() {
                same_both_ways(&doc.as_bytes()[..cut]);
            }
            for (i, _) in doc.char_indices().step_by(3) {
                for with in ["<", ">", "/", "&", "\"", " ", "</trkpt>", "<!--", "x"] {
                    let mut changed = doc.to_string();
                    let end = changed[i..].chars().next().map_or(i, |c| i + c.len_utf8());
                    changed.replace_range(i..end, with);
                    same_both_ways(changed.as_bytes());
                }
            }
        }
        // Text after the root, and elements after it, and a document that is only plain markup.
        same_both_ways(b"<gpx><trk><trkseg><trkpt lat=\"1\" lon=\"2\"><time>2024-05-01T07:00:00Z</time></trkpt></trkseg></trk></gpx> x <a/>");
        same_both_ways(b"<gpx><trk><trkseg><trkpt lat=\"1\" lon=\"2\"><time>2024-05-01T07:00:00Z</time></trkpt></trkseg></trk></gpx><gpx/>");
    }

    #[test]
    fn plain_points_keep_their_warnings() {
        let options = ParseOptions { now_ms: Some(1_800_000_000_000), ..ParseOptions::default() };
        let file = parse_gpx_with(GPX_PLAIN.as_bytes(), &options).expect("gpx");
        assert_eq!(file.point_count(), 3, "{:?}", file.tracks);
        assert!(
            file.warnings.iter().any(|w| w.detail.contains("more warnings of the same kind")),
            "{:?}",
            file.warnings
        );
        assert!(file.warnings.iter().any(|w| w.kind == crate::WarningKind::TimeWithoutZone), "{:?}", file.warnings);
    }

    /// Files of the shared corpus (when it is next to the repository), read both ways.
    #[test]
    fn the_simple_scan_reads_the_corpus_as_quick_xml_does() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let Some(corpus) = [root.join("../../../shared/corpus"), root.join("../../../../shared/corpus")]
            .into_iter()
            .find(|p| p.is_dir())
        else {
            println!("skipped: corpus not found");
            return;
        };
        let mut files = 0;
        for dir in ["gpx", "tcx", "bad"] {
            let Ok(entries) = std::fs::read_dir(corpus.join(dir)) else { continue };
            for e in entries.flatten() {
                if let Ok(bytes) = std::fs::read(e.path()) {
                    same_both_ways(&bytes);
                    files += 1;
                }
            }
        }
        println!("{files} corpus files read both ways");
    }

    /// `name_at` as it was written first (a `char` search), the reference for the byte scan.
    fn reference(src: &str, offset: usize) -> &str {
        let rest = src.get(offset + 1..).unwrap_or("");
        let end = rest.find(|c: char| c.is_whitespace() || c == '>' || c == '/').unwrap_or(rest.len());
        let name = &rest[..end];
        name.rsplit(':').next().unwrap_or(name)
    }

    #[test]
    fn element_names_are_read_as_the_char_search_reads_them() {
        let docs = [
            "<gpxtpx:hr>150</gpxtpx:hr>",
            "<ele>1</ele>",
            "<a:b:c attr='1'>",
            "<x/>",
            "<x\u{0B}y>",
            "<x\u{0C}y>",
            "<naïve\u{00A0}x>",
            "<ns:名前\u{2028}z>",
            "<ab\u{85}c>",
            "<",
            "<a:",
            "",
            "<élan:hr>",
        ];
        for doc in docs {
            for offset in 0..=doc.len() + 1 {
                assert_eq!(name_at(doc, offset), reference(doc, offset), "{doc:?} at {offset}");
            }
        }
    }
}
