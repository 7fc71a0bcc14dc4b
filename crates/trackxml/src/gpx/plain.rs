//! One `<trkpt>` of plain markup read in a single pass, straight into the values the GPX reader keeps.
//!
//! Why: a GPX track is hundreds of thousands of points written the same way, and going through the general event
//! loop for them (the plain-markup scan, then one start, text or end event at a time through the element stack)
//! was a third of the CPU of a 3,000-run archive import (profiled). This reader looks at each byte of a point once
//! and hands the point's coordinates and values to the very functions the event loop calls
//! ([`GpxReader::coordinate`](super::GpxReader) and [`Handler::leave`](crate::xml::Handler)), in the same order, with
//! the same texts and offsets, and adds the same work units: what a file reads as cannot differ, by construction,
//! and the differential tests (`xml.rs`: with and without the fast paths) check it.
//!
//! It reads only the common shape: `<trkpt lat=".." lon="..">` (both, once each, no other attribute, no `&`), then
//! `<ele>`, `<time>`, `<speed>` and `<extensions>` with any containers and known values inside (`gpxtpx:hr`, ...),
//! each value element holding plain text only, names ASCII with at most one `:`, end tags written as `</name>`.
//! Anything else (comments, references, empty tags, unknown children, a cut-off point) returns how far it looked,
//! before anything was handed on, and the general loop reads the point instead.

use super::{Node, ext_field};
use crate::simple::{is_name_byte, is_space};

/// Most values (and containers) one point may hold on this path; more goes the general way.
const MAX_VALUES: usize = 12;

/// Deepest nesting of containers inside `<extensions>` on this path (Garmin writes one).
const MAX_NESTING: usize = 4;

/// Element levels this path may open under the segment: the point, `<extensions>` and its containers, a value.
const MAX_DEPTH: usize = MAX_NESTING + 3;
const _: () = assert!(MAX_DEPTH <= crate::xml::PLAIN_CHILD_DEPTH);

/// A point read from plain markup, not yet handed on: positions in the document only, so the reader keeps one and
/// fills it again for each point (returning it by value copied its few hundred bytes for every point).
#[derive(Debug, Clone, Default)]
pub(super) struct PlainPoint {
    /// Where its `<` is.
    pub offset: usize,
    /// `lat` / `lon` in the order written: whether it is `lat`, and where its text starts and ends.
    pub coordinates: [(bool, u32, u32); 2],
    /// Value elements in file order: what it is, where its text starts and ends, and where it is placed (its text,
    /// or its `<` when empty).
    pub values: [(Node, u32, u32, u32); MAX_VALUES],
    pub value_count: usize,
    /// The work units the event loop would have counted for the same markup (events and captured names).
    pub work: u64,
}

/// A position as stored in a [`PlainPoint`]; documents past 4 GiB never take this path.
#[inline]
fn pos(at: usize) -> Result<u32, usize> {
    u32::try_from(at).map_err(|_| usize::MAX)
}

/// Reads optional text (not holding `&`) and then one whole `<trkpt>` element from `from` into `p`. Returns where
/// it ends, or `Err(looked)`: the markup is not of the plain shape (what `p` holds is then meaningless); bytes up to
/// `looked` were examined.
pub(super) fn read(src: &str, from: usize, p: &mut PlainPoint) -> Result<usize, usize> {
    let b = src.as_bytes();
    if u32::try_from(b.len()).is_err() {
        return Err(usize::MAX);
    }
    let mut work = 0u64;
    let point_lt = text_end(b, from)?;
    if point_lt > from {
        work += 1;
    }
    let name_end = point_lt + 6;
    if b.get(point_lt + 1..name_end) != Some(b"trkpt") {
        return Err(name_end.min(b.len()));
    }
    let mut i = name_end;
    let mut found = 0usize;
    loop {
        let spaces = i;
        while b.get(i).is_some_and(|&c| is_space(c)) {
            i += 1;
        }
        match b.get(i) {
            Some(b'>') => {
                i += 1;
                break;
            }
            Some(_) if i > spaces => {}
            _ => return Err((i + 1).min(b.len())),
        }
        let is_lat = match b.get(i..i + 4) {
            Some(b"lat=") => true,
            Some(b"lon=") => false,
            _ => return Err((i + 4).min(b.len())),
        };
        i += 4;
        let quote = match b.get(i) {
            Some(&q @ (b'"' | b'\'')) => q,
            _ => return Err((i + 1).min(b.len())),
        };
        let start = i + 1;
        let mut end = start;
        loop {
            match b.get(end) {
                Some(&c) if c == quote => break,
                Some(b'<' | b'&' | b'>') | None => return Err((end + 1).min(b.len())),
                Some(_) => end += 1,
            }
        }
        if found == 2 || (found == 1 && p.coordinates[0].0 == is_lat) {
            return Err(end + 1);
        }
        p.coordinates[found] = (is_lat, pos(start)?, pos(end)?);
        found += 1;
        i = end + 1;
    }
    if found != 2 {
        return Err(i);
    }
    work += 1;

    let mut value_count = 0usize;
    // Open containers: `trkpt` first, then `extensions` and what is inside it (name start and length).
    let mut open = [(0usize, 0usize); MAX_NESTING + 2];
    open[0] = (point_lt + 1, 5);
    let mut depth = 1usize;
    loop {
        let lt = text_end(b, i)?;
        if lt > i {
            work += 1;
        }
        match b.get(lt + 1) {
            Some(b'/') => {
                let (start, len) = open[depth - 1];
                i = end_tag(b, lt, start, len)?;
                work += 1;
                depth -= 1;
                if depth == 0 {
                    p.offset = point_lt;
                    p.value_count = value_count;
                    p.work = work;
                    return Ok(i);
                }
            }
            Some(&c) if is_name_byte(c) => {
                let (name_start, name_len, local) = start_tag(src, lt)?;
                let gt = name_start + name_len;
                let node = match (depth, local) {
                    (1, "ele") => Node::PtEle,
                    (1, "time") => Node::PtTime,
                    (1, "speed") => Node::PtSpeed,
                    (1, "extensions") => Node::PtExt,
                    (1, _) => return Err(gt + 1),
                    (_, name) => ext_field(name).map_or(Node::PtExt, Node::PtExtValue),
                };
                work += 1;
                if node == Node::PtExt {
                    if depth == open.len() {
                        return Err(gt + 1);
                    }
                    open[depth] = (name_start, name_len);
                    depth += 1;
                    i = gt + 1;
                    continue;
                }
                let text_start = gt + 1;
                let text_stop = text_end(b, text_start)?;
                if b.get(text_stop + 1) != Some(&b'/') || value_count == MAX_VALUES {
                    return Err(text_stop + 1);
                }
                i = end_tag(b, text_stop, name_start, name_len)?;
                let empty = text_stop == text_start;
                let at = if empty { lt } else { text_start };
                // Its text (when there is some) and end events, and the captured element's name (the start is counted).
                work += 1 + u64::from(!empty) + local.len() as u64;
                p.values[value_count] = (node, pos(text_start)?, pos(text_stop)?, pos(at)?);
                value_count += 1;
            }
            _ => return Err((lt + 2).min(b.len())),
        }
    }
}

/// The first `<` from `from`; `Err` at a `&` (a reference: the general loop reads it) or the end of the input.
#[inline]
fn text_end(b: &[u8], from: usize) -> Result<usize, usize> {
    let mut i = from;
    while let Some(&c) = b.get(i) {
        if c == b'<' {
            return Ok(i);
        }
        if c == b'&' {
            return Err(i + 1);
        }
        i += 1;
    }
    Err(b.len())
}

/// What a byte is in a name on this path: [`OTHER`] (ends it: not ASCII or not a name character), [`NAME`], or
/// [`COLON`]. One table look-up per byte: these loops run for every element of every point.
static NAME_CLASS: [u8; 256] = {
    let mut t = [OTHER; 256];
    let mut b = 0;
    while b < 128 {
        let c = b as u8;
        if c == b':' {
            t[b] = COLON;
        } else if c.is_ascii_alphanumeric() || matches!(c, b'_' | b'-' | b'.') {
            t[b] = NAME;
        }
        b += 1;
    }
    t
};
const OTHER: u8 = 0;
const NAME: u8 = 1;
const COLON: u8 = 2;

/// A start tag `<name>` at `lt` (no attributes, not empty): the name's start and length and its local part. The
/// name must be ASCII name characters with at most one `:`, so `quick-xml`'s local name (after the first `:`) and
/// the one messages use (after the last) are the same.
#[inline]
fn start_tag(src: &str, lt: usize) -> Result<(usize, usize, &str), usize> {
    let b = src.as_bytes();
    let start = lt + 1;
    let mut i = start;
    let mut colon = None;
    while let Some(&c) = b.get(i) {
        match NAME_CLASS[usize::from(c)] {
            NAME => {}
            COLON if colon.is_none() => colon = Some(i),
            COLON => return Err(i + 1),
            _ => break,
        }
        i += 1;
    }
    if b.get(i) != Some(&b'>') || colon == Some(i - 1) {
        return Err((i + 1).min(b.len()));
    }
    let local = &src[colon.map_or(start, |c| c + 1)..i];
    Ok((start, i - start, local))
}

/// An end tag written exactly `</name>` at `lt`, closing the element whose name is `b[start..start + len]`;
/// returns where it ends. Compared byte by byte: names are a few bytes, and a `memcmp` call cost more than that.
#[inline]
fn end_tag(b: &[u8], lt: usize, start: usize, len: usize) -> Result<usize, usize> {
    let name = lt + 2;
    let end = name + len;
    let fail = Err((end + 1).min(b.len()));
    if b.get(lt + 1) != Some(&b'/') || b.get(end) != Some(&b'>') {
        return fail;
    }
    // `end < b.len()` and `start + len <= name` (the open name comes first), so both ranges are in bounds.
    for k in 0..len {
        if b[name + k] != b[start + k] {
            return fail;
        }
    }
    Ok(end + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_a_garmin_point_and_says_where_it_ends() {
        let src = "\n  <trkpt lat=\"48.2\" lon='16.37'><ele>200.5</ele><time>2024-05-01T07:00:00Z</time>\
            <extensions><gpxtpx:TrackPointExtension><gpxtpx:hr>150</gpxtpx:hr><gpxtpx:cad></gpxtpx:cad>\
            </gpxtpx:TrackPointExtension></extensions></trkpt>\n";
        let mut p = PlainPoint::default();
        let end = read(src, 0, &mut p).expect("plain");
        assert_eq!(&src[end..], "\n");
        assert_eq!(p.offset, 3);
        let text = |start: u32, end: u32| &src[start as usize..end as usize];
        assert_eq!(p.coordinates.map(|c| (c.0, text(c.1, c.2))), [(true, "48.2"), (false, "16.37")]);
        let values: Vec<_> = p.values[..p.value_count].iter().map(|v| (v.0, text(v.1, v.2))).collect();
        assert_eq!(
            values,
            [
                (Node::PtEle, "200.5"),
                (Node::PtTime, "2024-05-01T07:00:00Z"),
                (Node::PtExtValue(super::super::Ext::Hr), "150"),
                (Node::PtExtValue(super::super::Ext::Cadence), "")
            ]
        );
        // The empty cadence is placed at its `<`.
        let at = p.values[3].3 as usize;
        assert_eq!(&src[at..at + 11], "<gpxtpx:cad");
    }

    #[test]
    fn anything_unusual_is_left_to_the_event_loop() {
        for src in [
            "<trkpt lat=\"1\" lon=\"2\"><!-- c --></trkpt>",
            "<trkpt lat=\"1\" lon=\"2\" x=\"3\"></trkpt>",
            "<trkpt lat=\"1\"></trkpt>",
            "<trkpt lat=\"1\" lat=\"2\"></trkpt>",
            "<trkpt lat=\"1\"lon=\"2\"></trkpt>",
            "<trkpt lat = \"1\" lon=\"2\"></trkpt>",
            "<trkpt lat=\"1&#48;\" lon=\"2\"></trkpt>",
            "<trkpt lat=\"1\" lon=\"2\"/>",
            "<trkpt lat=\"1\" lon=\"2\"><ele>1&amp;</ele></trkpt>",
            "<trkpt lat=\"1\" lon=\"2\"><ele/></trkpt>",
            "<trkpt lat=\"1\" lon=\"2\"><ele>1</ele ></trkpt>",
            "<trkpt lat=\"1\" lon=\"2\"><ele>1</elf></trkpt>",
            "<trkpt lat=\"1\" lon=\"2\"><name>x</name></trkpt>",
            "<trkpt lat=\"1\" lon=\"2\"><a:b:ele>1</a:b:ele></trkpt>",
            "<trkpt lat=\"1\" lon=\"2\"><ele a=\"1\">1</ele></trkpt>",
            "<trkpt lat=\"1\" lon=\"2\"><extensions><hr><x>1</x></hr></extensions></trkpt>",
            "<trkpt lat=\"1\" lon=\"2\"><ele>1</ele>",
            "<gpx:trkpt lat=\"1\" lon=\"2\"></gpx:trkpt>",
            "&amp;<trkpt lat=\"1\" lon=\"2\"></trkpt>",
            "</trkseg>",
        ] {
            let looked =
                read(src, 0, &mut PlainPoint::default()).err().unwrap_or_else(|| panic!("read as plain: {src}"));
            assert!(looked <= src.len(), "{src}");
        }
    }
}
