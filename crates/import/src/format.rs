//! Telling formats apart by content, and reading compressed data with hard limits.
//!
//! File names lie (a FIT file renamed `.gpx`, a GPX saved as `.fit`, an HTML error page saved as
//! `.tcx`), so the content decides and the extension is only a hint for the error message and
//! for text we cannot classify from its first bytes.

use std::io::Read;

use crate::error::ImportError;

/// The activity formats runtall reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    /// Garmin's binary Flexible and Interoperable Data Transfer format.
    Fit,
    /// GPS Exchange Format 1.0 / 1.1.
    Gpx,
    /// Garmin Training Center XML.
    Tcx,
}

impl Format {
    /// `fit`, `gpx` or `tcx`: the value stored in [`SourceFile::format`](runtall_domain::activity::SourceFile).
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Fit => "fit",
            Self::Gpx => "gpx",
            Self::Tcx => "tcx",
        }
    }
}

/// What a file name says about its content.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum NameKind {
    /// An activity file, maybe gzipped (`.fit`, `.gpx.gz`, ...).
    Activity {
        /// The format the name claims.
        format: Format,
        /// Ends in `.gz`.
        gzipped: bool,
    },
    /// A zip archive.
    Zip,
    /// Anything else.
    Other,
}

/// Classify a file name by its extension (case-insensitive).
#[must_use]
pub fn name_kind(name: &str) -> NameKind {
    let lower = name.to_ascii_lowercase();
    let (stem, gzipped) = match lower.strip_suffix(".gz") {
        Some(s) => (s, true),
        None => (lower.as_str(), false),
    };
    let format = if stem.ends_with(".fit") {
        Format::Fit
    } else if stem.ends_with(".gpx") {
        Format::Gpx
    } else if stem.ends_with(".tcx") {
        Format::Tcx
    } else if !gzipped && stem.ends_with(".zip") {
        return NameKind::Zip;
    } else {
        return NameKind::Other;
    };
    NameKind::Activity { format, gzipped }
}

/// What the first bytes of a file are.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Sniffed {
    Gzip,
    Zip,
    Format(Format),
    /// XML (or text starting with `<`) whose root we could not recognise.
    OtherXml,
    /// Text that is not XML.
    Text,
    /// Binary that is not FIT, gzip or zip.
    Binary,
    Empty,
}

/// Look at the first bytes only (at most a few KiB).
pub(crate) fn sniff(bytes: &[u8]) -> Sniffed {
    if bytes.is_empty() {
        return Sniffed::Empty;
    }
    if bytes.starts_with(&[0x1f, 0x8b]) {
        return Sniffed::Gzip;
    }
    if bytes.starts_with(b"PK\x03\x04") || bytes.starts_with(b"PK\x05\x06") {
        return Sniffed::Zip;
    }
    // FIT: header size 12 or 14, ".FIT" at bytes 8..12. A damaged signature is left to the FIT
    // decoder only when the name says .fit (see `decode`), so its precise error is shown.
    if bytes.len() >= 12 && matches!(bytes[0], 12 | 14) && &bytes[8..12] == b".FIT" {
        return Sniffed::Format(Format::Fit);
    }
    let head = &bytes[..bytes.len().min(4096)];
    let text = text_head(head);
    let Some(text) = text else { return Sniffed::Binary };
    let t = text.trim_start();
    if t.is_empty() {
        return Sniffed::Empty;
    }
    if !t.starts_with('<') {
        return Sniffed::Text;
    }
    match root_element(t) {
        Some(root) if root.eq_ignore_ascii_case("gpx") => Sniffed::Format(Format::Gpx),
        Some("TrainingCenterDatabase") => Sniffed::Format(Format::Tcx),
        _ => Sniffed::OtherXml,
    }
}

/// The head of the file as text (UTF-8 with or without BOM, UTF-16 LE/BE with BOM reduced to
/// its ASCII part), or `None` if it holds control bytes that text never has.
fn text_head(head: &[u8]) -> Option<String> {
    let utf16 = |be: bool, b: &[u8]| -> String {
        b.chunks_exact(2)
            .map(|c| {
                let u = if be { u16::from_be_bytes([c[0], c[1]]) } else { u16::from_le_bytes([c[0], c[1]]) };
                char::from_u32(u32::from(u)).unwrap_or('\u{fffd}')
            })
            .collect()
    };
    let s = if let Some(rest) = head.strip_prefix(&[0xef, 0xbb, 0xbf]) {
        String::from_utf8_lossy(rest).into_owned()
    } else if let Some(rest) = head.strip_prefix(&[0xff, 0xfe]) {
        utf16(false, rest)
    } else if let Some(rest) = head.strip_prefix(&[0xfe, 0xff]) {
        utf16(true, rest)
    } else {
        String::from_utf8_lossy(head).into_owned()
    };
    let control = s.chars().filter(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t')).count();
    (control == 0).then_some(s)
}

/// Local name of the first element after the prolog (declaration, comments, processing
/// instructions, doctype).
fn root_element(mut t: &str) -> Option<&str> {
    loop {
        t = t.trim_start();
        if let Some(rest) = t.strip_prefix("<?") {
            t = &rest[rest.find("?>")? + 2..];
        } else if let Some(rest) = t.strip_prefix("<!--") {
            t = &rest[rest.find("-->")? + 3..];
        } else if let Some(rest) = t.strip_prefix("<!") {
            t = &rest[rest.find('>')? + 1..];
        } else if let Some(rest) = t.strip_prefix('<') {
            let end = rest.find(|c: char| c.is_whitespace() || c == '>' || c == '/').unwrap_or(rest.len());
            let name = &rest[..end];
            return Some(name.rsplit(':').next().unwrap_or(name));
        } else {
            return None;
        }
    }
}

/// Open a file for reading only if it is a regular file. On Unix the open itself does not wait (a named pipe
/// with no writer would block `open` forever), and the type is checked on the open file, so a file swapped for a
/// pipe after the directory walk is still refused.
pub(crate) fn open_regular(path: &std::path::Path) -> Result<std::fs::File, ImportError> {
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc::O_NONBLOCK);
    }
    let f = options.open(path).map_err(ImportError::Io)?;
    let meta = f.metadata().map_err(ImportError::Io)?;
    if !meta.is_file() {
        return Err(ImportError::NotRegularFile);
    }
    Ok(f)
}

/// Hard limits for one stream of decompressed bytes.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ReadLimits {
    /// Refuse more than this many bytes.
    pub max_bytes: u64,
    /// Refuse expanding more than this ratio over `compressed` bytes (None: no ratio check).
    pub ratio: Option<(u64, u64)>,
}

/// Bytes a tiny entry may always expand to, whatever its ratio: small enough to be harmless, so
/// a 100-byte entry holding a short GPX is never refused as a "bomb".
pub(crate) const RATIO_FLOOR_BYTES: u64 = 1 << 20;

/// The most a gzip layer of `compressed` bytes may expand to under the limits: what the in-flight budget holds
/// for a gzipped file before it is decompressed.
pub(crate) fn gzip_allowance(compressed: u64, opts: &crate::types::ImportOptions) -> u64 {
    opts.max_ratio.saturating_mul(compressed).max(RATIO_FLOOR_BYTES).min(opts.max_file_bytes)
}

/// Read a whole stream into memory, counting bytes as they come rather than trusting any
/// header, and stop as soon as a limit is crossed (so a bomb costs at most the limit, never its
/// claimed size). `size_hint` only sizes the first allocation, capped, so a lying header cannot
/// make us allocate.
pub(crate) fn read_limited(r: impl Read, limits: ReadLimits, size_hint: u64) -> Result<Vec<u8>, ReadError> {
    read_limited_watched(r, limits, size_hint, &mut |_| std::ops::ControlFlow::Continue(()))
}

/// [`read_limited`], asking `watch` (with the bytes read so far) before each chunk whether to go on; a
/// `Break` ends the read with [`ReadError::Stopped`].
pub(crate) fn read_limited_watched(
    mut r: impl Read,
    limits: ReadLimits,
    size_hint: u64,
    watch: &mut dyn FnMut(usize) -> std::ops::ControlFlow<()>,
) -> Result<Vec<u8>, ReadError> {
    let ratio_cap = limits.ratio.map(|(ratio, compressed)| ratio.saturating_mul(compressed).max(RATIO_FLOOR_BYTES));
    let cap = limits.max_bytes.min(ratio_cap.unwrap_or(u64::MAX));
    // The caller has held room for `size_hint` in the in-flight budget, so a truthful header gets an exact
    // buffer (no doubling past it); a lying one costs at most the cap.
    let initial = size_hint.min(cap);
    let mut out = Vec::with_capacity(usize::try_from(initial).unwrap_or(0));
    let mut chunk = vec![0u8; 64 * 1024];
    loop {
        if watch(out.len()).is_break() {
            return Err(ReadError::Stopped);
        }
        let n = match r.read(&mut chunk) {
            Ok(0) => return Ok(out),
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(ReadError::Io(e)),
        };
        out.extend_from_slice(&chunk[..n]);
        let len = out.len() as u64;
        if len > cap {
            if let (Some((ratio, compressed)), Some(rc)) = (limits.ratio, ratio_cap)
                && len > rc
                && rc < limits.max_bytes
            {
                return Err(ReadError::Limit(ImportError::CompressionRatio { compressed, expanded: rc, limit: ratio }));
            }
            return Err(ReadError::Limit(ImportError::TooLarge { limit: limits.max_bytes, declared: None }));
        }
    }
}

/// Why [`read_limited`] stopped.
#[derive(Debug)]
pub(crate) enum ReadError {
    /// The underlying reader failed (damaged data, I/O).
    Io(std::io::Error),
    /// A limit was crossed.
    Limit(ImportError),
    /// The watcher asked to stop (a cancel or a time limit).
    Stopped,
}

/// Decompress one gzip layer (all members, as `gzip -d` does) within the limits.
#[cfg(test)]
pub(crate) fn gunzip(bytes: &[u8], max_bytes: u64, max_ratio: u64) -> Result<Vec<u8>, ImportError> {
    gunzip_watched(bytes, max_bytes, max_ratio, &mut |_| std::ops::ControlFlow::Continue(()))
}

/// [`gunzip`] with a watcher that may stop it (see [`read_limited_watched`]).
pub(crate) fn gunzip_watched(
    bytes: &[u8],
    max_bytes: u64,
    max_ratio: u64,
    watch: &mut dyn FnMut(usize) -> std::ops::ControlFlow<()>,
) -> Result<Vec<u8>, ImportError> {
    let dec = flate2::read::MultiGzDecoder::new(bytes);
    let limits = ReadLimits { max_bytes, ratio: Some((max_ratio, bytes.len() as u64)) };
    // The gzip trailer holds the size modulo 2^32: a hint only.
    let hint = bytes
        .len()
        .checked_sub(4)
        .and_then(|i| bytes.get(i..))
        .and_then(|b| <[u8; 4]>::try_from(b).ok())
        .map_or(0, |b| u64::from(u32::from_le_bytes(b)));
    read_limited_watched(dec, limits, hint, watch).map_err(|e| match e {
        ReadError::Io(e) => ImportError::Gzip { detail: e.to_string() },
        ReadError::Limit(e) => e,
        ReadError::Stopped => ImportError::Cancelled,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sniffs_formats_by_content() {
        assert_eq!(sniff(b""), Sniffed::Empty);
        assert_eq!(sniff(b"  \n"), Sniffed::Empty);
        assert_eq!(sniff(b"\x1f\x8b\x08\x00"), Sniffed::Gzip);
        assert_eq!(sniff(b"PK\x03\x04rest"), Sniffed::Zip);
        let mut fit = vec![14u8, 0x10, 0, 0, 0, 0, 0, 0];
        fit.extend_from_slice(b".FIT\0\0");
        assert_eq!(sniff(&fit), Sniffed::Format(Format::Fit));
        assert_eq!(
            sniff(b"\xef\xbb\xbf<?xml version=\"1.0\"?>\n<!-- hi --><gpx version=\"1.1\">"),
            Sniffed::Format(Format::Gpx)
        );
        assert_eq!(sniff(b"<?xml version='1.0'?><ns:TrainingCenterDatabase>"), Sniffed::Format(Format::Tcx));
        assert_eq!(sniff(b"<html><body>"), Sniffed::OtherXml);
        assert_eq!(sniff(b"id,name\n1,x"), Sniffed::Text);
        assert_eq!(sniff(&[0u8, 1, 2, 3, 200, 4]), Sniffed::Binary);
        let utf16: Vec<u8> =
            [0xff, 0xfe].into_iter().chain("<gpx>".encode_utf16().flat_map(u16::to_le_bytes)).collect();
        assert_eq!(sniff(&utf16), Sniffed::Format(Format::Gpx));
    }

    #[test]
    fn names_are_hints() {
        assert_eq!(name_kind("a/B.FIT.GZ"), NameKind::Activity { format: Format::Fit, gzipped: true });
        assert_eq!(name_kind("x.tcx"), NameKind::Activity { format: Format::Tcx, gzipped: false });
        assert_eq!(name_kind("x.zip"), NameKind::Zip);
        assert_eq!(name_kind("x.zip.gz"), NameKind::Other);
        assert_eq!(name_kind("notes.txt"), NameKind::Other);
    }

    #[test]
    fn gunzip_counts_and_refuses_bombs() {
        use std::io::Write;
        let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
        enc.write_all(&vec![0u8; 8 << 20]).expect("write");
        let gz = enc.finish().expect("finish");
        let err = gunzip(&gz, 256 << 20, 200).expect_err("bomb");
        assert!(matches!(err, ImportError::CompressionRatio { .. }), "{err}");
        let err = gunzip(&gz, 1 << 20, 100_000).expect_err("size");
        assert!(matches!(err, ImportError::TooLarge { .. }), "{err}");
        assert_eq!(gunzip(&gz, 256 << 20, 100_000).expect("ok").len(), 8 << 20);
        assert!(matches!(gunzip(&gz[..gz.len() / 2], 256 << 20, 100_000), Err(ImportError::Gzip { .. })));
    }
}
