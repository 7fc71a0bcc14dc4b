//! Shared test helpers: where the corpus is, what SOURCES.md says about each file, and a tiny
//! raw FIT writer for building fixtures byte by byte.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

/// `shared/corpus` next to the repository, if present.
pub fn corpus_dir() -> Option<PathBuf> {
    let p = Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/corpus"));
    p.is_dir().then(|| p.to_path_buf())
}

/// The corpus directory, or `None` after printing the skip notice.
pub fn corpus_or_skip() -> Option<PathBuf> {
    let d = corpus_dir();
    if d.is_none() {
        println!("skipped: corpus not found");
    }
    d
}

/// Sorted `*.fit` files of `dir`.
pub fn fit_files(dir: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|rd| {
            rd.filter_map(Result::ok)
                .map(|e| e.path())
                .filter(|p| p.extension().is_some_and(|e| e.eq_ignore_ascii_case("fit")))
                .collect()
        })
        .unwrap_or_default();
    v.sort();
    v
}

/// What SOURCES.md states about one FIT file.
#[derive(Debug, Clone, Default)]
pub struct Expected {
    pub file: String,
    pub records: Option<usize>,
    pub data_messages: Option<usize>,
    pub laps: Option<usize>,
    pub chained_headers: Option<usize>,
}

fn number_before(s: &str, marker: &str) -> Option<usize> {
    let i = s.find(marker)?;
    let head = s[..i].trim_end();
    let start = head.rfind(|c: char| !c.is_ascii_digit()).map_or(0, |j| j + 1);
    head[start..].parse().ok()
}

fn number_after(s: &str, marker: &str) -> Option<usize> {
    let i = s.find(marker)? + marker.len();
    let tail = s[i..].trim_start();
    let end = tail.find(|c: char| !c.is_ascii_digit()).unwrap_or(tail.len());
    tail[..end].parse().ok()
}

/// Parse the FIT rows of SOURCES.md (both `fit/` and `bad/` tables).
pub fn expectations(corpus: &Path) -> Vec<Expected> {
    let text = std::fs::read_to_string(corpus.join("SOURCES.md")).unwrap_or_default();
    let mut out = Vec::new();
    for line in text.lines() {
        let Some(rest) = line.strip_prefix("| ") else { continue };
        let Some((name, _)) = rest.split_once(" |") else { continue };
        if !name.ends_with(".fit") {
            continue;
        }
        out.push(Expected {
            file: name.to_string(),
            records: number_before(line, " record / "),
            data_messages: number_after(line, " record / ").filter(|_| line.contains(" data msgs")),
            laps: number_after(line, "; laps "),
            chained_headers: number_before(line, " chained FIT headers"),
        });
    }
    out
}

// ---------------------------------------------------------------------------------------------
// Raw FIT writer
// ---------------------------------------------------------------------------------------------

/// FIT CRC-16, written independently of the crate (bitwise, reflected poly 0xA001).
pub fn crc(bytes: &[u8]) -> u16 {
    let mut c: u16 = 0;
    for &b in bytes {
        c ^= u16::from(b);
        for _ in 0..8 {
            c = if c & 1 != 0 { (c >> 1) ^ 0xA001 } else { c >> 1 };
        }
    }
    c
}

pub const ENUM: u8 = 0x00;
pub const SINT8: u8 = 0x01;
pub const UINT8: u8 = 0x02;
pub const SINT16: u8 = 0x83;
pub const UINT16: u8 = 0x84;
pub const SINT32: u8 = 0x85;
pub const UINT32: u8 = 0x86;
pub const STRING: u8 = 0x07;
pub const BYTE: u8 = 0x0D;
pub const UINT32Z: u8 = 0x8C;

/// Builds the data section of a FIT file, then wraps it in a header and CRC.
#[derive(Debug, Clone, Default)]
pub struct FitWriter {
    pub data: Vec<u8>,
}

impl FitWriter {
    pub fn new() -> Self {
        Self::default()
    }

    /// A definition message. `fields`: (number, size, base type); `dev`: (number, size, developer index).
    pub fn define(
        &mut self,
        local: u8,
        global: u16,
        big_endian: bool,
        fields: &[(u8, u8, u8)],
        dev: &[(u8, u8, u8)],
    ) -> &mut Self {
        let dev_flag = if dev.is_empty() { 0 } else { 0x20 };
        self.data.push(0x40 | dev_flag | (local & 0x0F));
        self.data.push(0); // reserved
        self.data.push(u8::from(big_endian));
        let g = if big_endian { global.to_be_bytes() } else { global.to_le_bytes() };
        self.data.extend_from_slice(&g);
        self.data.push(fields.len() as u8);
        for &(n, s, b) in fields {
            self.data.extend_from_slice(&[n, s, b]);
        }
        if !dev.is_empty() {
            self.data.push(dev.len() as u8);
            for &(n, s, i) in dev {
                self.data.extend_from_slice(&[n, s, i]);
            }
        }
        self
    }

    /// A data message with a normal header.
    pub fn data(&mut self, local: u8, body: &[u8]) -> &mut Self {
        self.data.push(local & 0x0F);
        self.data.extend_from_slice(body);
        self
    }

    /// A data message with a compressed-timestamp header (local 0..=3, offset 0..=31).
    pub fn compressed(&mut self, local: u8, time_offset: u8, body: &[u8]) -> &mut Self {
        self.data.push(0x80 | ((local & 0x03) << 5) | (time_offset & 0x1F));
        self.data.extend_from_slice(body);
        self
    }

    /// Raw bytes appended to the data section.
    pub fn raw(&mut self, bytes: &[u8]) -> &mut Self {
        self.data.extend_from_slice(bytes);
        self
    }

    /// Header (12 or 14 bytes) + data + file CRC.
    pub fn finish(&self, header_size: u8) -> Vec<u8> {
        let mut out = Vec::new();
        out.push(header_size);
        out.push(0x20); // protocol 2.0
        out.extend_from_slice(&2132u16.to_le_bytes());
        out.extend_from_slice(&(self.data.len() as u32).to_le_bytes());
        out.extend_from_slice(b".FIT");
        if header_size == 14 {
            let c = crc(&out);
            out.extend_from_slice(&c.to_le_bytes());
        }
        out.extend_from_slice(&self.data);
        let c = crc(&out);
        out.extend_from_slice(&c.to_le_bytes());
        out
    }
}

/// Little helper to build message bodies in either byte order.
#[derive(Debug, Clone, Default)]
pub struct Body {
    pub be: bool,
    pub bytes: Vec<u8>,
}

impl Body {
    pub fn le() -> Self {
        Self { be: false, bytes: Vec::new() }
    }
    pub fn be() -> Self {
        Self { be: true, bytes: Vec::new() }
    }
    pub fn u8(mut self, v: u8) -> Self {
        self.bytes.push(v);
        self
    }
    pub fn i8(self, v: i8) -> Self {
        self.u8(v as u8)
    }
    pub fn u16(mut self, v: u16) -> Self {
        let b = if self.be { v.to_be_bytes() } else { v.to_le_bytes() };
        self.bytes.extend_from_slice(&b);
        self
    }
    pub fn u32(mut self, v: u32) -> Self {
        let b = if self.be { v.to_be_bytes() } else { v.to_le_bytes() };
        self.bytes.extend_from_slice(&b);
        self
    }
    pub fn i32(self, v: i32) -> Self {
        self.u32(v as u32)
    }
    pub fn raw(mut self, b: &[u8]) -> Self {
        self.bytes.extend_from_slice(b);
        self
    }
    pub fn str(mut self, s: &str, size: usize) -> Self {
        let mut b = s.as_bytes().to_vec();
        b.resize(size, 0);
        self.bytes.extend_from_slice(&b);
        self
    }
    pub fn done(self) -> Vec<u8> {
        self.bytes
    }
}

/// FIT seconds for a Unix time.
pub fn fit_time(unix_s: i64) -> u32 {
    (unix_s - 631_065_600) as u32
}
