//! Reading zip archives (Strava and Garmin bulk exports) one entry at a time, with limits.
//!
//! Nothing is ever extracted under an entry's own name, so a crafted name cannot write
//! anywhere; such names are still refused, because only crafted archives have them. Each entry
//! is decompressed into memory on its own (memory follows the largest file, not the archive),
//! counting bytes as they come: a "zip bomb" is stopped at the ratio or size limit, whatever its
//! headers claim. Nested archives (Garmin puts zips of FIT files inside its export zip) are read
//! in place when stored, or decompressed to memory (small) or an anonymous temporary file
//! (large) and then read entry by entry the same way.

use std::collections::HashMap;
use std::io::{BufReader, Cursor, Read, Seek};
use std::path::Path;

use zip::ZipArchive;

use crate::budget::Reservation;
use crate::csv;
use crate::error::ImportError;
use crate::format::{self, NameKind, RATIO_FLOOR_BYTES, ReadError, ReadLimits, name_kind};
use crate::types::{EntryMeta, ImportOptions, Item, Payload, SkipCounts};

/// Nested archives up to this size (and up to the single-file limit) are decompressed into
/// memory; larger ones into an anonymous temporary file (deleted when closed), so memory stays
/// bounded by the largest file.
const NESTED_IN_MEMORY_BYTES: u64 = 64 << 20;

/// Largest `activities.csv` read (a 20-year Strava history is a few MB).
const MAX_INDEX_BYTES: u64 = 64 << 20;

/// Read + Seek as one object type, so nested archives of any depth share one code path.
pub(crate) trait ReadSeek: Read + Seek {}
impl<T: Read + Seek> ReadSeek for T {}

/// Where the archive walker sends what it finds.
pub(crate) trait Sink {
    /// Hand one item on; `false` when the run was cancelled.
    fn emit(&mut self, item: Item) -> bool;
    /// More (or fewer) files to expect than the plan counted.
    fn adjust_total(&mut self, delta: isize);
    /// Entries left out.
    fn skipped(&mut self, s: SkipCounts);
    /// Hold `bytes` of the in-flight budget, waiting for room unless everything held is the caller's (`own`);
    /// `None` when the run was cancelled.
    fn reserve(&mut self, bytes: u64, own: u64) -> Option<Reservation>;
    /// Hold `more` bytes in `r` too; `false` when cancelled.
    fn grow(&mut self, r: &mut Reservation, more: u64, own: u64) -> bool;
}

/// An entry name that climbs out of the archive or is absolute.
pub(crate) fn unsafe_name(name: &str) -> bool {
    let n = name.replace('\\', "/");
    n.starts_with('/') || n.as_bytes().get(1) == Some(&b':') || n.split('/').any(|c| c == "..") || n.contains('\0')
}

fn hidden(name: &str) -> bool {
    name.split(['/', '\\']).any(|c| (c.starts_with('.') && c != "." && c != "..") || c == "__MACOSX")
}

fn is_index(name: &str) -> bool {
    name.rsplit('/').next().is_some_and(|f| f.eq_ignore_ascii_case("activities.csv"))
}

/// Activity files and nested archives a zip's directory lists (for the plan's file count).
pub(crate) fn count_candidates(path: &Path) -> Result<usize, ImportError> {
    let file = format::open_regular(path)?;
    let zip = ZipArchive::new(BufReader::new(file)).map_err(ImportError::zip)?;
    Ok(candidates(&zip))
}

fn candidates<R: Read + Seek>(zip: &ZipArchive<R>) -> usize {
    zip.file_names_raw()
        .filter(|raw| {
            let n = String::from_utf8_lossy(raw);
            !n.ends_with('/') && !hidden(&n) && name_kind(&n) != NameKind::Other
        })
        .count()
}

/// Walks one top-level archive.
pub(crate) struct Walker<'a, S: Sink> {
    pub opts: &'a ImportOptions,
    pub sink: &'a mut S,
    budget_left: u64,
    entries: usize,
    stopped: bool,
    /// In-flight bytes the walker itself holds (nested archives in memory), so its own waits never block on
    /// them.
    own: u64,
}

impl<'a, S: Sink> Walker<'a, S> {
    pub fn new(opts: &'a ImportOptions, sink: &'a mut S) -> Self {
        Self { opts, sink, budget_left: opts.max_archive_bytes, entries: 0, stopped: false, own: 0 }
    }

    fn fail(&mut self, source: String, input_bytes: u64, e: ImportError) -> bool {
        self.sink.emit(Item { source, input_bytes, payload: Payload::Error(e), meta: None, reservation: None })
    }

    /// Read an archive held in memory (the fuzz target and tests: no file, no threads). Returns `false` when
    /// the run was cancelled.
    pub fn walk_bytes(&mut self, bytes: &[u8], display: &str) -> bool {
        let mut cur = Cursor::new(bytes);
        let rd: &mut dyn ReadSeek = &mut cur;
        match ZipArchive::new(rd) {
            Ok(mut zip) => {
                self.sink.adjust_total(candidates(&zip) as isize - 1);
                self.walk(&mut zip, display, 1)
            }
            Err(e) => self.fail(display.to_string(), bytes.len() as u64, ImportError::zip(e)),
        }
    }

    /// Read a top-level archive file. Returns `false` when the run was cancelled.
    pub fn walk_file(&mut self, path: &Path, display: &str, planned_files: usize) -> bool {
        let file = match format::open_regular(path) {
            Ok(f) => f,
            Err(e) => {
                self.sink.adjust_total(1 - planned_files as isize);
                return self.fail(display.to_string(), 0, e);
            }
        };
        let mut r = BufReader::new(file);
        let rd: &mut dyn ReadSeek = &mut r;
        match ZipArchive::new(rd) {
            Ok(mut zip) => self.walk(&mut zip, display, 1),
            Err(e) => {
                self.sink.adjust_total(1 - planned_files as isize);
                self.fail(display.to_string(), 0, ImportError::zip(e))
            }
        }
    }

    /// Walk an opened archive at nesting `depth` (1 = top level).
    fn walk(&mut self, zip: &mut ZipArchive<&mut dyn ReadSeek>, prefix: &str, depth: usize) -> bool {
        let index = self.read_index(zip, prefix);
        let mut skipped = SkipCounts::default();
        for i in 0..zip.len() {
            if self.stopped {
                break;
            }
            self.entries += 1;
            if self.entries > self.opts.max_entries {
                self.stopped = true;
                let limit = self.opts.max_entries;
                if !self.fail(prefix.to_string(), 0, ImportError::TooManyEntries { limit }) {
                    return false;
                }
                break;
            }
            let (name, compressed, size, is_dir, encrypted, stored) = match zip.by_index_data(i) {
                Ok(e) => (
                    String::from_utf8_lossy(e.name_raw()).into_owned(),
                    e.compressed_size(),
                    e.size(),
                    e.is_dir(),
                    e.encrypted(),
                    e.compression() == zip::CompressionMethod::Stored,
                ),
                Err(e) => {
                    if !self.fail(format!("{prefix}!#{i}"), 0, ImportError::zip(e)) {
                        return false;
                    }
                    continue;
                }
            };
            if is_dir || name.ends_with('/') {
                continue;
            }
            let source = format!("{prefix}!{name}");
            if unsafe_name(&name) {
                if !self.fail(source, compressed, ImportError::UnsafePath { name }) {
                    return false;
                }
                continue;
            }
            if hidden(&name) {
                skipped.hidden += 1;
                continue;
            }
            let kind = name_kind(&name);
            if kind == NameKind::Other {
                if !is_index(&name) {
                    skipped.unknown_extension += 1;
                }
                continue;
            }
            if encrypted {
                if !self.fail(source, compressed, ImportError::Encrypted) {
                    return false;
                }
                continue;
            }
            let go_on = if kind == NameKind::Zip {
                self.nested(zip, i, &source, compressed, size, stored, depth)
            } else {
                let meta = index.as_ref().and_then(|(dir, m)| lookup(m, dir, &name));
                self.leaf(zip, i, source, compressed, size, meta)
            };
            if !go_on {
                return false;
            }
        }
        self.sink.skipped(skipped);
        true
    }

    /// Refusals that the central directory alone justifies, before reading a byte.
    fn refuse_from_header(&self, compressed: u64, size: u64) -> Option<ImportError> {
        if size > self.opts.max_file_bytes {
            return Some(ImportError::TooLarge { limit: self.opts.max_file_bytes, declared: Some(size) });
        }
        if size > RATIO_FLOOR_BYTES && size / compressed.max(1) > self.opts.max_ratio {
            return Some(ImportError::CompressionRatio { compressed, expanded: size, limit: self.opts.max_ratio });
        }
        None
    }

    fn leaf(
        &mut self,
        zip: &mut ZipArchive<&mut dyn ReadSeek>,
        i: usize,
        source: String,
        compressed: u64,
        size: u64,
        meta: Option<EntryMeta>,
    ) -> bool {
        if let Some(e) = self.refuse_from_header(compressed, size) {
            return self.fail(source, compressed, e);
        }
        if size > self.budget_left {
            return self.stop_on_budget(source, compressed);
        }
        let cap = self.opts.max_file_bytes.min(self.budget_left);
        // Hold memory for the entry before reading it: its declared size now, the rest (a lying header, a gzip
        // layer to come) once its bytes are here.
        let Some(mut held) = self.sink.reserve(size.min(cap), self.own) else { return false };
        let read = match zip.by_index(i) {
            Ok(f) => format::read_limited(
                f,
                ReadLimits { max_bytes: cap, ratio: Some((self.opts.max_ratio, compressed)) },
                size,
            ),
            Err(e) => return self.fail(source, compressed, ImportError::zip(e)),
        };
        match read {
            Ok(bytes) => {
                self.budget_left = self.budget_left.saturating_sub(bytes.len() as u64);
                let gz = if bytes.starts_with(&[0x1f, 0x8b]) {
                    format::gzip_allowance(bytes.len() as u64, self.opts)
                } else {
                    0
                };
                let more = (bytes.len() as u64 + gz).saturating_sub(held.bytes());
                if more > 0 && !self.sink.grow(&mut held, more, self.own) {
                    return false;
                }
                self.sink.emit(Item {
                    source,
                    input_bytes: compressed,
                    payload: Payload::Bytes(bytes),
                    meta,
                    reservation: Some(held),
                })
            }
            Err(ReadError::Limit(ImportError::TooLarge { .. })) if cap < self.opts.max_file_bytes => {
                self.stop_on_budget(source, compressed)
            }
            Err(ReadError::Limit(e)) => self.fail(source, compressed, e),
            Err(ReadError::Io(e)) => self.fail(source, compressed, ImportError::zip(e)),
            Err(ReadError::Stopped) => false,
        }
    }

    fn stop_on_budget(&mut self, source: String, compressed: u64) -> bool {
        self.stopped = true;
        self.fail(source, compressed, ImportError::ArchiveTooLarge { limit: self.opts.max_archive_bytes })
    }

    #[allow(clippy::too_many_arguments)]
    fn nested(
        &mut self,
        zip: &mut ZipArchive<&mut dyn ReadSeek>,
        i: usize,
        source: &str,
        compressed: u64,
        size: u64,
        stored: bool,
        depth: usize,
    ) -> bool {
        if depth >= self.opts.max_depth {
            return self.fail(
                source.to_string(),
                compressed,
                ImportError::NestingTooDeep { limit: self.opts.max_depth },
            );
        }
        // The plan counted this archive as one file; its entries replace it.
        self.sink.adjust_total(-1);
        if stored {
            let mut seek = match zip.by_index_seek(i) {
                Ok(s) => s,
                Err(e) => return self.fail(source.to_string(), compressed, ImportError::zip(e)),
            };
            let rd: &mut dyn ReadSeek = &mut seek;
            return match ZipArchive::new(rd) {
                Ok(mut inner) => {
                    self.sink.adjust_total(candidates(&inner) as isize);
                    self.walk(&mut inner, source, depth + 1)
                }
                Err(e) => self.fail(source.to_string(), compressed, ImportError::zip(e)),
            };
        }
        if size > self.opts.max_archive_bytes {
            return self.fail(
                source.to_string(),
                compressed,
                ImportError::ArchiveTooLarge { limit: self.opts.max_archive_bytes },
            );
        }
        let limits =
            ReadLimits { max_bytes: self.opts.max_archive_bytes, ratio: Some((self.opts.max_ratio, compressed)) };
        let entry = match zip.by_index(i) {
            Ok(f) => f,
            Err(e) => return self.fail(source.to_string(), compressed, ImportError::zip(e)),
        };
        if size <= NESTED_IN_MEMORY_BYTES.min(self.opts.max_file_bytes) {
            // Held in memory while its entries are walked: counted in the budget as the walker's own.
            let Some(held) = self.sink.reserve(size, self.own) else { return false };
            let limits = ReadLimits { max_bytes: limits.max_bytes.min(NESTED_IN_MEMORY_BYTES), ..limits };
            let bytes = match format::read_limited(entry, limits, size) {
                Ok(b) => b,
                Err(ReadError::Limit(e)) => return self.fail(source.to_string(), compressed, e),
                Err(ReadError::Io(e)) => return self.fail(source.to_string(), compressed, ImportError::zip(e)),
                Err(ReadError::Stopped) => return false,
            };
            self.own += held.bytes();
            let mut cur = Cursor::new(bytes);
            let go_on = self.walk_nested(&mut cur, source, compressed, depth);
            self.own -= held.bytes();
            go_on
        } else {
            let mut tmp = match tempfile::tempfile() {
                Ok(t) => t,
                Err(e) => return self.fail(source.to_string(), compressed, ImportError::Io(e)),
            };
            if let Err(e) = copy_limited(entry, &mut tmp, limits) {
                return self.fail(source.to_string(), compressed, e);
            }
            if let Err(e) = tmp.rewind() {
                return self.fail(source.to_string(), compressed, ImportError::Io(e));
            }
            let mut r = BufReader::new(tmp);
            self.walk_nested(&mut r, source, compressed, depth)
        }
    }

    fn walk_nested(&mut self, r: &mut dyn ReadSeek, source: &str, compressed: u64, depth: usize) -> bool {
        match ZipArchive::new(r) {
            Ok(mut inner) => {
                self.sink.adjust_total(candidates(&inner) as isize);
                self.walk(&mut inner, source, depth + 1)
            }
            Err(e) => self.fail(source.to_string(), compressed, ImportError::zip(e)),
        }
    }

    /// The Strava index of this archive level, if any: the shallowest `activities.csv`, and the
    /// folder it is in (its `Filename` column is relative to that folder).
    fn read_index(
        &mut self,
        zip: &mut ZipArchive<&mut dyn ReadSeek>,
        prefix: &str,
    ) -> Option<(String, HashMap<String, EntryMeta>)> {
        let (i, name) = (0..zip.len())
            .filter_map(|i| {
                let e = zip.by_index_data(i).ok()?;
                let n = String::from_utf8_lossy(e.name_raw()).into_owned();
                (is_index(&n) && !hidden(&n) && !unsafe_name(&n)).then_some((i, n))
            })
            .min_by_key(|(_, n)| n.matches('/').count())?;
        let dir = name.rsplit_once('/').map(|(d, _)| format!("{d}/")).unwrap_or_default();
        let source = format!("{prefix}!{name}");
        let text = zip
            .by_index(i)
            .map_err(|e| e.to_string())
            .and_then(|f| {
                format::read_limited(f, ReadLimits { max_bytes: MAX_INDEX_BYTES, ratio: None }, 0).map_err(
                    |e| match e {
                        ReadError::Io(e) => e.to_string(),
                        ReadError::Limit(e) => e.to_string(),
                        ReadError::Stopped => "stopped".into(),
                    },
                )
            })
            .map(|b| String::from_utf8_lossy(&b).into_owned());
        let parsed = text.and_then(|t| csv::strava_index(&t).map_err(|e| e.0));
        match parsed {
            Ok(m) => Some((dir, m)),
            Err(reason) => {
                let e = ImportError::NoUsableData {
                    reason: format!(
                        "cannot read the export's activity index ({reason}); names and types from it are not used"
                    ),
                };
                self.fail(source, 0, e);
                None
            }
        }
    }
}

fn lookup(index: &HashMap<String, EntryMeta>, dir: &str, name: &str) -> Option<EntryMeta> {
    let n = csv::normalize(name);
    let rel = n.strip_prefix(dir).unwrap_or(&n);
    index.get(rel).or_else(|| index.get(&n)).cloned()
}

fn copy_limited(mut r: impl Read, w: &mut impl std::io::Write, limits: ReadLimits) -> Result<u64, ImportError> {
    let cap = match limits.ratio {
        Some((ratio, compressed)) => limits.max_bytes.min(ratio.saturating_mul(compressed).max(RATIO_FLOOR_BYTES)),
        None => limits.max_bytes,
    };
    let mut buf = vec![0u8; 256 * 1024];
    let mut total = 0u64;
    loop {
        let n = match r.read(&mut buf) {
            Ok(0) => return Ok(total),
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(ImportError::zip(e)),
        };
        total += n as u64;
        if total > cap {
            return Err(match limits.ratio {
                Some((limit, compressed)) if cap < limits.max_bytes => {
                    ImportError::CompressionRatio { compressed, expanded: cap, limit }
                }
                _ => ImportError::ArchiveTooLarge { limit: limits.max_bytes },
            });
        }
        w.write_all(&buf[..n]).map_err(ImportError::Io)?;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        assert!(unsafe_name("../etc/passwd"));
        assert!(unsafe_name("a/../../x.fit"));
        assert!(unsafe_name("/abs.fit"));
        assert!(unsafe_name("C:\\x.fit"));
        assert!(unsafe_name("..\\x.fit"));
        assert!(!unsafe_name("activities/1.fit.gz"));
        assert!(!unsafe_name("a..b.fit"));
        assert!(hidden("__MACOSX/activities/._1.fit"));
        assert!(hidden("x/.DS_Store"));
        assert!(!hidden("activities/1.fit"));
    }
}
