//! Turning the caller's bytes into UTF-8 text the XML reader can borrow from, and turning byte
//! offsets back into line and column for messages.
//!
//! Checks happen in order of cost: size cap, emptiness, binary sniffing, encoding. Valid UTF-8
//! input (nearly every file) is borrowed as-is; only UTF-16, Latin-1/windows-1252 or broken
//! UTF-8 is copied.

use std::borrow::Cow;

use crate::error::TrackXmlError;

/// How many leading bytes are inspected to tell binary data from text.
const SNIFF_BYTES: usize = 1024;

/// The text to parse, and the offset of the first byte that had to be replaced, if any.
pub(crate) struct Prepared<'a> {
    pub text: Cow<'a, str>,
    pub replaced_at: Option<usize>,
}

/// Validates and decodes `bytes`. The returned text has no byte order mark.
pub(crate) fn prepare(bytes: &[u8], max_bytes: usize) -> Result<Prepared<'_>, TrackXmlError> {
    if bytes.len() > max_bytes {
        return Err(TrackXmlError::TooLarge { size: bytes.len(), limit: max_bytes });
    }
    // UTF-16 with a byte order mark: decode to UTF-8 first (rare, but some Windows tools do it).
    if let Some(rest) = bytes.strip_prefix(&[0xFF, 0xFE]) {
        return decode_utf16(rest, u16::from_le_bytes);
    }
    if let Some(rest) = bytes.strip_prefix(&[0xFE, 0xFF]) {
        return decode_utf16(rest, u16::from_be_bytes);
    }
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let first = bytes.iter().position(|b| !is_xml_space(*b));
    let Some(first) = first else {
        return Err(TrackXmlError::Empty);
    };
    let head = &bytes[..bytes.len().min(SNIFF_BYTES)];
    if looks_binary(head) {
        return Err(TrackXmlError::Binary);
    }
    if bytes[first] != b'<' {
        // Plain text that is not XML: say what it starts with.
        let shown = String::from_utf8_lossy(&bytes[first..bytes.len().min(first + 60)]);
        let (line, column) = LineIndex::new(&String::from_utf8_lossy(&bytes[..first])).locate(first);
        return Err(TrackXmlError::NotXml { line, column, found: crate::error::shorten(shown.trim_end()) });
    }
    match std::str::from_utf8(bytes) {
        Ok(text) => Ok(Prepared { text: Cow::Borrowed(text), replaced_at: None }),
        Err(utf8_err) => {
            let declared = declared_encoding(head);
            match declared.as_deref() {
                Some("iso-8859-1" | "latin1" | "latin-1" | "iso8859-1" | "iso-8859-15" | "windows-1252" | "cp1252") => {
                    Ok(Prepared { text: Cow::Owned(decode_single_byte(bytes)), replaced_at: None })
                }
                Some(enc) if !matches!(enc, "utf-8" | "utf8") => {
                    Err(TrackXmlError::UnsupportedEncoding { encoding: enc.to_owned() })
                }
                _ => {
                    // Declared (or assumed) UTF-8 but some bytes are not: keep the file, replace
                    // the bad bytes, and say where the first one was (everything before it is
                    // unchanged, so the offset holds in the new text).
                    let text = String::from_utf8_lossy(bytes).into_owned();
                    Ok(Prepared { text: Cow::Owned(text), replaced_at: Some(utf8_err.valid_up_to()) })
                }
            }
        }
    }
}

fn decode_utf16(rest: &[u8], read: fn([u8; 2]) -> u16) -> Result<Prepared<'_>, TrackXmlError> {
    let units = rest.chunks_exact(2).map(|c| read([c[0], c[1]]));
    let text: String = char::decode_utf16(units).map(|r| r.unwrap_or(char::REPLACEMENT_CHARACTER)).collect();
    let trimmed = text.trim_start_matches(['\u{FEFF}', ' ', '\t', '\r', '\n']);
    if trimmed.is_empty() {
        return Err(TrackXmlError::Empty);
    }
    if !trimmed.starts_with('<') || trimmed.chars().take(SNIFF_BYTES).any(is_binary_char) {
        return Err(TrackXmlError::Binary);
    }
    Ok(Prepared { text: Cow::Owned(text), replaced_at: None })
}

fn is_binary_char(c: char) -> bool {
    (c as u32) < 0x20 && !matches!(c, '\t' | '\n' | '\r')
}

/// XML whitespace (space, tab, CR, LF).
pub(crate) fn is_xml_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\r' | b'\n')
}

/// True when the head holds control bytes no text file has, or is not text in any encoding we
/// accept (invalid UTF-8 near the start with no declaration of a single-byte encoding).
fn looks_binary(head: &[u8]) -> bool {
    if head.iter().any(|&b| b < 0x20 && !is_xml_space(b)) {
        return true;
    }
    match std::str::from_utf8(head) {
        Ok(_) => false,
        // A cut in the middle of a multi-byte character at the end of the head is fine.
        Err(e) if e.error_len().is_none() => false,
        Err(_) => declared_encoding(head).is_none() && !head.starts_with(b"<"),
    }
}

/// The `encoding="..."` of an XML declaration at the very start, lowercased.
fn declared_encoding(head: &[u8]) -> Option<String> {
    let decl_end = head.windows(2).position(|w| w == b"?>")?;
    let decl = &head[..decl_end];
    if !decl.starts_with(b"<?xml") {
        return None;
    }
    let at = decl.windows(8).position(|w| w == b"encoding")?;
    let rest = &decl[at + 8..];
    let rest = &rest[rest.iter().position(|b| !is_xml_space(*b))?..];
    let rest = rest.strip_prefix(b"=")?;
    let rest = &rest[rest.iter().position(|b| !is_xml_space(*b))?..];
    let quote = *rest.first()?;
    if quote != b'"' && quote != b'\'' {
        return None;
    }
    let value = &rest[1..];
    let end = value.iter().position(|&b| b == quote)?;
    Some(String::from_utf8_lossy(&value[..end]).to_ascii_lowercase())
}

/// Decodes ISO-8859-1 / windows-1252 text (windows-1252 differs only in 0x80..=0x9F, where
/// ISO-8859-1 has unused control codes, so decoding those as windows-1252 is right for both).
fn decode_single_byte(bytes: &[u8]) -> String {
    const CP1252_80: [char; 32] = [
        '€', '\u{81}', '‚', 'ƒ', '„', '…', '†', '‡', 'ˆ', '‰', 'Š', '‹', 'Œ', '\u{8D}', 'Ž', '\u{8F}', '\u{90}', '‘',
        '’', '“', '”', '•', '–', '—', '˜', '™', 'š', '›', 'œ', '\u{9D}', 'ž', 'Ÿ',
    ];
    bytes
        .iter()
        .map(|&b| match b {
            0x80..=0x9F => CP1252_80[usize::from(b - 0x80)],
            _ => char::from(b),
        })
        .collect()
}

/// Maps byte offsets in the text to 1-based line and column (in characters).
///
/// Lookups in increasing order continue from the previous one, so locating any number of
/// sorted offsets costs one pass over the text; a lookup behind the previous one starts again
/// from the beginning. It is only used for warnings and errors, never per point.
pub(crate) struct LineIndex<'a> {
    text: &'a str,
    at: usize,
    line: u32,
    column: u32,
    /// Bytes looked at in all, restarts included (the work count).
    pub scanned: usize,
}

impl<'a> LineIndex<'a> {
    pub(crate) fn new(text: &'a str) -> Self {
        Self { text, at: 0, line: 1, column: 1, scanned: 0 }
    }

    pub(crate) fn locate(&mut self, offset: usize) -> (u32, u32) {
        let bytes = self.text.as_bytes();
        let offset = offset.min(bytes.len());
        if offset < self.at {
            let scanned = self.scanned;
            *self = Self::new(self.text);
            self.scanned = scanned;
        }
        self.scanned += offset - self.at;
        for i in self.at..offset {
            let b = bytes[i];
            // LF, CRLF and a lone CR each end a line.
            if b == b'\n' || (b == b'\r' && bytes.get(i + 1) != Some(&b'\n')) {
                self.line = self.line.saturating_add(1);
                self.column = 1;
            } else if (b & 0xC0) != 0x80 {
                // Not a UTF-8 continuation byte: a new character.
                self.column = self.column.saturating_add(1);
            }
        }
        self.at = offset;
        (self.line, self.column)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_index_counts_lines_and_chars() {
        let text = "ab\ncé\r\nx\ry";
        let mut idx = LineIndex::new(text);
        assert_eq!(idx.locate(0), (1, 1));
        assert_eq!(idx.locate(3), (2, 1));
        assert_eq!(idx.locate(6), (2, 3)); // after 'c', 'é' (2 bytes)
        assert_eq!(idx.locate(8), (3, 1));
        assert_eq!(idx.locate(10), (4, 1));
        assert_eq!(idx.locate(1), (1, 2)); // going back restarts
    }

    #[test]
    fn empty_binary_and_text_are_told_apart() {
        assert!(matches!(prepare(b"", 100), Err(TrackXmlError::Empty)));
        assert!(matches!(prepare(b" \n\t", 100), Err(TrackXmlError::Empty)));
        assert!(matches!(prepare(b"\xEF\xBB\xBF", 100), Err(TrackXmlError::Empty)));
        assert!(matches!(prepare(b"\x0e\x10\x43\x08.FIT", 100), Err(TrackXmlError::Binary)));
        assert!(matches!(prepare(b"\xff\xd8\xff\xe0", 100), Err(TrackXmlError::Binary)));
        assert!(matches!(prepare(b"lat,lon\n1,2", 100), Err(TrackXmlError::NotXml { line: 1, column: 1, .. })));
        assert!(matches!(prepare(b"<a/>", 3), Err(TrackXmlError::TooLarge { size: 4, limit: 3 })));
    }

    #[test]
    fn latin1_is_decoded_when_declared() {
        let p = prepare(b"<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><a>Z\xfcrich</a>", 1000).unwrap();
        assert!(p.text.contains("Zürich"));
        assert!(p.replaced_at.is_none());
    }

    #[test]
    fn broken_utf8_is_replaced_and_its_place_kept() {
        let p = prepare(b"<a>\n  ok \xff</a>", 1000).unwrap();
        assert!(p.text.contains('\u{FFFD}'));
        let at = p.replaced_at.unwrap();
        assert_eq!(LineIndex::new(&p.text).locate(at), (2, 6));
    }

    #[test]
    fn utf16_is_decoded() {
        let s = "<a>é</a>";
        let mut b = vec![0xFF, 0xFE];
        for u in s.encode_utf16() {
            b.extend_from_slice(&u.to_le_bytes());
        }
        assert_eq!(prepare(&b, 1000).unwrap().text, s);
    }
}
