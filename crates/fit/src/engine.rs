//! The byte-level walk shared by the typed decoder and the raw visitor.
//!
//! The engine owns the 16 local definitions, tracks the compressed-timestamp reference, checks
//! header and file CRCs, follows chained files, and turns every kind of damage into a warning
//! plus a decision (stop, or resume at the next FIT header). It never allocates per message and
//! never reads outside the input: every length is checked against the current data section
//! before it is used.

use std::collections::HashSet;
use std::ops::ControlFlow;

use crate::base::BaseType;
use crate::crc::{crc16, crc16_update};
use crate::error::{FitError, Warning, WarningKind};
use crate::model::DecodeStats;

/// FIT epoch (1989-12-31T00:00:00Z) as Unix seconds.
pub const FIT_EPOCH_UNIX_S: i64 = 631_065_600;

/// At most this many warnings are stored; the rest are counted.
const MAX_WARNINGS: usize = 1000;

/// How often (in input bytes) the walk reports its position to a watcher, which may stop it.
const TICK_BYTES: usize = 64 * 1024;

/// Called with the byte position every [`TICK_BYTES`] or so; `Break` stops the walk (a time limit, a cancel).
pub(crate) type Watch<'w> = &'w mut dyn FnMut(usize) -> ControlFlow<()>;

/// One field of a definition message.
#[derive(Debug, Clone, Copy)]
pub(crate) struct FieldDef {
    pub num: u8,
    pub size: u8,
    pub base_byte: u8,
    pub base: BaseType,
    /// Offset of the field inside the message body.
    pub offset: u32,
}

/// One developer field of a definition message.
#[derive(Debug, Clone, Copy)]
pub(crate) struct DevFieldDef {
    pub num: u8,
    pub size: u8,
    pub dev_index: u8,
    pub offset: u32,
}

/// What a local message type currently means.
#[derive(Debug, Default)]
pub(crate) struct LocalDef {
    pub defined: bool,
    pub global: u16,
    pub big_endian: bool,
    /// Body size in bytes (all fields and developer fields).
    pub size: usize,
    /// Offset of a 4-byte uint32 timestamp field (253), if the message has one.
    pub ts_offset: Option<usize>,
    pub fields: Vec<FieldDef>,
    pub dev_fields: Vec<DevFieldDef>,
}

/// A parsed file header.
#[derive(Debug, Clone, Copy)]
struct Header {
    size: usize,
    data_size: u32,
    /// Stored header CRC when the header has one and it is not 0 ("not computed").
    stored_crc: Option<u16>,
}

enum HeaderProblem {
    Truncated { needed: usize },
    BadSize(u8),
    BadSignature,
}

fn parse_header(buf: &[u8], pos: usize) -> Result<Header, HeaderProblem> {
    let rest = buf.get(pos..).unwrap_or(&[]);
    let Some(&size_byte) = rest.first() else {
        return Err(HeaderProblem::Truncated { needed: 12 });
    };
    let size = usize::from(size_byte);
    if size < 12 {
        return Err(HeaderProblem::BadSize(size_byte));
    }
    // Check the signature as soon as its bytes are there, so a short non-FIT file is "not FIT".
    if let Some(sig) = rest.get(8..12)
        && sig != b".FIT"
    {
        return Err(HeaderProblem::BadSignature);
    }
    let Some(h) = rest.get(..size) else {
        return Err(HeaderProblem::Truncated { needed: size });
    };
    let data_size = u32::from_le_bytes([h[4], h[5], h[6], h[7]]);
    let stored_crc = if size >= 14 {
        let c = u16::from_le_bytes([h[12], h[13]]);
        (c != 0).then_some(c)
    } else {
        None
    };
    Ok(Header { size, data_size, stored_crc })
}

/// A hint for files that are text (GPX and TCX files renamed to .fit are common).
fn text_hint(buf: &[u8]) -> &'static str {
    let b = buf.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(buf);
    let b = b.trim_ascii_start();
    if b.starts_with(b"<") { "; the file starts like XML (a GPX or TCX file?)" } else { "" }
}

/// Where a plausible FIT header starts at or after `from`, if anywhere. Used to resume after
/// damage; stricter than the first-header check (12 or 14 bytes, sane protocol version, matching
/// header CRC when present) so that random bytes are not taken for a file. Adds the bytes it
/// looked at to `work` (callers only ever search forward, so the total stays linear).
fn find_header(buf: &[u8], from: usize, work: &mut u64) -> Option<usize> {
    let mut i = from.checked_add(8)?;
    while let Some(w) = buf.get(i..i + 4) {
        *work += 1;
        if w == b".FIT" {
            let start = i - 8;
            if let Some(&s) = buf.get(start)
                && (s == 12 || s == 14)
                && let Some(&proto) = buf.get(start + 1)
                && (proto >> 4) <= 3
                && let Ok(h) = parse_header(buf, start)
            {
                let crc_ok = match h.stored_crc {
                    Some(c) => buf.get(start..start + 12).is_some_and(|b| crc16(b) == c),
                    None => true,
                };
                if crc_ok {
                    return Some(start);
                }
            }
        }
        i += 1;
    }
    None
}

/// What the walk found next.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Step {
    /// A new FIT file header was read; all local definitions were reset.
    FileStart,
    /// A definition message for this local type was read.
    Definition { local: u8 },
    /// A data message: its body starts at `start`, its length is the local definition's size.
    /// `timestamp` is FIT seconds from field 253 or from a compressed-timestamp header.
    Data { local: u8, start: usize, timestamp: Option<u32> },
    /// Nothing more can be read.
    End,
}

pub(crate) struct Engine<'a, 'w> {
    pub buf: &'a [u8],
    pos: usize,
    data_end: usize,
    /// CRC state right after the current header (see `start_file`).
    crc_start: u16,
    header_end: usize,
    in_file: bool,
    done: bool,
    pub defs: [LocalDef; 16],
    last_ts: Option<u32>,
    pub stats: DecodeStats,
    pub warnings: Vec<Warning>,
    dropped_warnings: usize,
    /// Field problems already reported, packed from (global, field, size, base type byte). A set, not a
    /// list: a crafted file can hold hundreds of thousands of distinct bad definitions, and a linear search per
    /// field made such a file quadratic (1 MB took 16 s). It stops growing once the warnings are full.
    reported_fields: HashSet<u64>,
    /// Bytes the "declared data size is beyond the end" check may still CRC. That check reads to the end of
    /// the input, so a file of many such headers would cost the square of its size; the budget (one input
    /// length in all) keeps the walk linear, and real files need the check at most once.
    tail_check_budget: usize,
    watch: Option<Watch<'w>>,
    next_tick: usize,
    /// The watcher stopped the walk.
    pub stopped: bool,
}

impl<'a, 'w> Engine<'a, 'w> {
    /// Start on `buf`; fails only when `buf` does not begin with a usable FIT header.
    pub fn new(buf: &'a [u8]) -> Result<Self, FitError> {
        Self::watched(buf, None)
    }

    /// [`Engine::new`] with a watcher told the position as the walk goes, which may stop it.
    pub fn watched(buf: &'a [u8], watch: Option<Watch<'w>>) -> Result<Self, FitError> {
        if buf.is_empty() {
            return Err(FitError::Empty);
        }
        match parse_header(buf, 0) {
            Ok(_) => {}
            Err(HeaderProblem::Truncated { needed }) => {
                return Err(FitError::HeaderTruncated { needed, len: buf.len() });
            }
            Err(HeaderProblem::BadSize(b)) => {
                return Err(FitError::NotFit {
                    reason: format!("first byte is {b}, not a FIT header size (12 or 14){}", text_hint(buf)),
                });
            }
            Err(HeaderProblem::BadSignature) => {
                return Err(FitError::NotFit {
                    reason: format!("bytes 8..12 are not the \".FIT\" signature{}", text_hint(buf)),
                });
            }
        }
        Ok(Self {
            buf,
            pos: 0,
            data_end: 0,
            crc_start: 0,
            header_end: 0,
            in_file: false,
            done: false,
            defs: Default::default(),
            last_ts: None,
            stats: DecodeStats { bytes: buf.len(), header_crc_ok: true, file_crc_ok: true, ..DecodeStats::default() },
            warnings: Vec::new(),
            dropped_warnings: 0,
            reported_fields: HashSet::new(),
            tail_check_budget: buf.len(),
            watch,
            next_tick: TICK_BYTES,
            stopped: false,
        })
    }

    /// Where the walk is, in bytes from the start of the input.
    pub fn position(&self) -> usize {
        self.pos
    }

    /// Tell the watcher how far the walk is; stop when it says so.
    fn tick(&mut self) {
        if self.pos < self.next_tick {
            return;
        }
        self.next_tick = self.pos.saturating_add(TICK_BYTES);
        if let Some(w) = self.watch.as_mut()
            && w(self.pos).is_break()
        {
            self.stopped = true;
            self.done = true;
        }
    }

    fn warn(&mut self, offset: usize, kind: WarningKind) {
        if self.warnings.len() < MAX_WARNINGS {
            self.warnings.push(Warning { offset, kind });
        } else {
            self.dropped_warnings += 1;
        }
    }

    /// Take the warnings, with a final note if some were dropped.
    pub fn take_warnings(&mut self) -> Vec<Warning> {
        let mut w = std::mem::take(&mut self.warnings);
        if self.dropped_warnings > 0 {
            w.push(Warning {
                offset: self.buf.len(),
                kind: WarningKind::TooManyWarnings { dropped: self.dropped_warnings },
            });
            self.dropped_warnings = 0;
        }
        w
    }

    fn start_file(&mut self, h: Header) {
        let pos = self.pos;
        let len = self.buf.len();
        let header_end = pos + h.size;
        self.stats.chained_files += 1;
        let mut crc_start = self.buf.get(pos..header_end).map_or(0, crc16);
        self.stats.work_units += 2 * h.size as u64;
        if let Some(stored) = h.stored_crc {
            let computed = self.buf.get(pos..pos + 12).map_or(0, crc16);
            if computed != stored {
                self.stats.header_crc_ok = false;
                self.warn(pos, WarningKind::HeaderCrcMismatch { stored, computed });
                // The stored file CRC was most likely computed with an intact, self-consistent
                // header, after which the CRC state is 0: check the data against that.
                crc_start = 0;
            }
        }
        let declared_end = header_end.saturating_add(h.data_size as usize);
        let data_end = if declared_end <= len {
            declared_end
        } else {
            let available = len - header_end;
            self.warn(pos + 4, WarningKind::DataSizeBeyondFile { declared: h.data_size, available });
            // If the last two bytes are a valid CRC of everything before them, the data section
            // simply ends there; otherwise read to the end of the file.
            if available >= 2 && available - 2 <= self.tail_check_budget {
                let tail = len - 2;
                self.tail_check_budget -= available - 2;
                self.stats.work_units += (available - 2) as u64;
                let stored = u16::from_le_bytes([self.buf[tail], self.buf[tail + 1]]);
                let computed = crc16_update(crc_start, self.buf.get(header_end..tail).unwrap_or(&[]));
                if stored == computed { tail } else { len }
            } else {
                len
            }
        };
        self.crc_start = crc_start;
        self.header_end = header_end;
        self.data_end = data_end;
        self.pos = header_end;
        self.in_file = true;
        for d in &mut self.defs {
            d.defined = false;
        }
        self.last_ts = None;
    }

    fn finish_file(&mut self) {
        let end = self.data_end;
        self.in_file = false;
        match self.buf.get(end..end + 2) {
            Some(c) => {
                let stored = u16::from_le_bytes([c[0], c[1]]);
                self.stats.work_units += end.saturating_sub(self.header_end) as u64;
                let computed = crc16_update(self.crc_start, self.buf.get(self.header_end..end).unwrap_or(&[]));
                if stored != computed {
                    self.stats.file_crc_ok = false;
                    self.warn(end, WarningKind::FileCrcMismatch { stored, computed });
                }
                self.pos = end + 2;
            }
            None => {
                self.stats.file_crc_ok = false;
                self.warn(end, WarningKind::MissingFileCrc);
                self.pos = self.buf.len();
            }
        }
    }

    /// Give up on the current position: resume at the next FIT header after `from`, or stop.
    fn abandon(&mut self, from: usize) {
        self.in_file = false;
        self.stats.file_crc_ok = false;
        match find_header(self.buf, from, &mut self.stats.work_units) {
            Some(q) => {
                self.warn(from, WarningKind::Resynced { skipped: q - from });
                self.pos = q;
            }
            None => {
                self.pos = self.buf.len();
                self.done = true;
            }
        }
    }

    fn report_field(&mut self, offset: usize, global: u16, f: FieldDef) {
        let key =
            (u64::from(global) << 24) | (u64::from(f.num) << 16) | (u64::from(f.size) << 8) | u64::from(f.base_byte);
        self.stats.work_units += 1;
        if self.reported_fields.len() >= MAX_WARNINGS {
            // Every warning slot is taken: further problems are only counted, so the set need not grow (a
            // crafted file holds up to a third of its size in distinct ones).
            if !self.reported_fields.contains(&key) {
                self.dropped_warnings += 1;
            }
            return;
        }
        if !self.reported_fields.insert(key) {
            return;
        }
        let kind = if matches!(f.base, BaseType::Unknown(_)) {
            WarningKind::UnknownBaseType { global, field: f.num, base_type: f.base_byte }
        } else {
            WarningKind::MisalignedField { global, field: f.num, size: f.size, base_type: f.base_byte }
        };
        self.warn(offset, kind);
    }

    /// Parse a definition message at `pos`. On success the position moves past it.
    fn definition(&mut self, pos: usize, header: u8) -> Result<u8, WarningKind> {
        let buf = self.buf;
        let end = self.data_end;
        let local = header & 0x0F;
        let has_dev = header & 0x20 != 0;
        let truncated = |needed: usize| WarningKind::Truncated { needed, available: end - pos };
        let fixed = buf.get(pos..pos + 6).filter(|_| pos + 6 <= end).ok_or_else(|| truncated(6))?;
        let arch = fixed[2];
        let big_endian = arch != 0;
        let global = if big_endian {
            u16::from_be_bytes([fixed[3], fixed[4]])
        } else {
            u16::from_le_bytes([fixed[3], fixed[4]])
        };
        let n = usize::from(fixed[5]);
        let mut p = pos + 6;
        let need = 6 + 3 * n + usize::from(has_dev);
        let field_bytes = buf.get(p..p + 3 * n).filter(|_| pos + need <= end).ok_or_else(|| truncated(need))?;
        p += 3 * n;
        let mut dev_bytes: &[u8] = &[];
        if has_dev {
            let m = usize::from(buf.get(p).copied().ok_or_else(|| truncated(need))?);
            p += 1;
            let need = need + 3 * m;
            dev_bytes = buf.get(p..p + 3 * m).filter(|_| pos + need <= end).ok_or_else(|| truncated(need))?;
            p += 3 * m;
        }
        if arch > 1 {
            self.warn(pos + 2, WarningKind::UnknownArchitecture { value: arch });
        }

        let mut def = std::mem::take(&mut self.defs[usize::from(local)]);
        def.fields.clear();
        def.dev_fields.clear();
        def.ts_offset = None;
        let mut offset: u32 = 0;
        self.stats.work_units += 1 + n as u64 + dev_bytes.len() as u64 / 3;
        for c in field_bytes.chunks_exact(3) {
            let f = FieldDef { num: c[0], size: c[1], base_byte: c[2], base: BaseType::from_byte(c[2]), offset };
            if f.num == 253 && f.size == 4 && matches!(f.base, BaseType::Uint32) {
                def.ts_offset = Some(offset as usize);
            }
            if !f.base.fits(usize::from(f.size)) {
                self.report_field(pos, global, f);
            }
            def.fields.push(f);
            offset += u32::from(c[1]);
        }
        for c in dev_bytes.chunks_exact(3) {
            def.dev_fields.push(DevFieldDef { num: c[0], size: c[1], dev_index: c[2], offset });
            offset += u32::from(c[1]);
        }
        def.defined = true;
        def.global = global;
        def.big_endian = big_endian;
        def.size = offset as usize;
        self.defs[usize::from(local)] = def;
        self.pos = p;
        Ok(local)
    }

    /// Advance to the next event.
    pub fn step(&mut self) -> Step {
        loop {
            self.tick();
            if self.done {
                return Step::End;
            }
            if !self.in_file {
                let pos = self.pos;
                if pos >= self.buf.len() {
                    self.done = true;
                    return Step::End;
                }
                match parse_header(self.buf, pos) {
                    Ok(h) => {
                        self.start_file(h);
                        return Step::FileStart;
                    }
                    Err(_) => {
                        match find_header(self.buf, pos + 1, &mut self.stats.work_units) {
                            Some(q) => {
                                self.warn(pos, WarningKind::Resynced { skipped: q - pos });
                                self.pos = q;
                            }
                            None => {
                                self.warn(pos, WarningKind::TrailingBytes { len: self.buf.len() - pos });
                                self.pos = self.buf.len();
                                self.done = true;
                            }
                        }
                        continue;
                    }
                }
            }
            let pos = self.pos;
            if pos >= self.data_end {
                self.finish_file();
                continue;
            }
            let header = self.buf[pos];
            let (local, compressed) = if header & 0x80 != 0 {
                ((header >> 5) & 0x03, Some(u32::from(header & 0x1F)))
            } else if header & 0x40 != 0 {
                match self.definition(pos, header) {
                    Ok(local) => {
                        self.stats.messages += 1;
                        return Step::Definition { local };
                    }
                    Err(kind) => {
                        self.warn(pos, kind);
                        self.abandon(pos + 1);
                        continue;
                    }
                }
            } else {
                (header & 0x0F, None)
            };

            let def = &self.defs[usize::from(local)];
            if !def.defined {
                self.warn(pos, WarningKind::UndefinedLocalType { local });
                self.abandon(pos + 1);
                continue;
            }
            let start = pos + 1;
            let end = start + def.size;
            if end > self.data_end {
                let needed = def.size + 1;
                let available = self.data_end - pos;
                self.warn(pos, WarningKind::Truncated { needed, available });
                self.abandon(pos + 1);
                continue;
            }
            let mut timestamp = None;
            if let Some(off) = def.ts_offset
                && let Some(b) = self.buf.get(start + off..start + off + 4)
            {
                let arr = [b[0], b[1], b[2], b[3]];
                let v = if def.big_endian { u32::from_be_bytes(arr) } else { u32::from_le_bytes(arr) };
                if v != u32::MAX {
                    timestamp = Some(v);
                    self.last_ts = Some(v);
                }
            }
            if timestamp.is_none()
                && let Some(offset) = compressed
                && let Some(last) = self.last_ts
            {
                let t = last.wrapping_add(offset.wrapping_sub(last & 0x1F) & 0x1F);
                self.last_ts = Some(t);
                timestamp = Some(t);
            }
            self.pos = end;
            self.stats.work_units += 1;
            self.stats.messages += 1;
            self.stats.data_messages += 1;
            return Step::Data { local, start, timestamp };
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_problems() {
        assert!(matches!(Engine::new(&[]), Err(FitError::Empty)));
        assert!(matches!(Engine::new(&[14, 0x10, 0, 0]), Err(FitError::HeaderTruncated { needed: 14, len: 4 })));
        assert!(matches!(Engine::new(b"<?xml version"), Err(FitError::NotFit { .. })));
        let mut h = [14u8, 0x10, 0, 0, 0, 0, 0, 0, b'.', b'F', b'T', b'I', 0, 0];
        assert!(matches!(Engine::new(&h), Err(FitError::NotFit { .. })));
        h[10] = b'I';
        h[11] = b'T';
        assert!(Engine::new(&h).is_ok());
    }

    #[test]
    fn finds_headers_after_garbage() {
        let mut v = vec![0xAAu8; 20];
        v.extend_from_slice(&[12, 0x10, 0, 0, 0, 0, 0, 0, b'.', b'F', b'I', b'T']);
        let mut work = 0;
        assert_eq!(find_header(&v, 0, &mut work), Some(20));
        assert_eq!(find_header(&v, 21, &mut work), None);
        assert_eq!(find_header(&v[..25], 0, &mut work), None);
    }
}
