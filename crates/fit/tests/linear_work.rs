//! Every decoder path is linear in the input: for each pattern a hostile file can repeat, a generated worst case
//! at two sizes must stay within a fixed budget of work units per input byte ([`DecodeStats::work_units`]: bytes
//! checksummed or searched, definition fields read, messages read, fields decoded, problems looked up). No wall
//! time is measured, so the tests say the same thing on a slow machine. Two of these patterns were quadratic
//! before (issue 12: 1 MB of repeated headers took 4.6 s, 1 MB of distinct bad field definitions 16 s).

use runtall_fit::{DecodeStats, count_messages, decode};

/// Work units allowed per input byte. The walk checksums each byte at most twice (the file CRC, and once in all
/// for "declared size beyond the end"), searches each byte for a header at most once, and does constant work per
/// message, definition field and decoded field; 8 leaves room without hiding a factor of the input size.
const UNITS_PER_BYTE: u64 = 8;

/// A file header: `size` 12 or 14, protocol 1.0, profile 21.32, the given data size, no header CRC.
fn header(size: u8, data_size: u32) -> Vec<u8> {
    let mut h = vec![size, 0x10];
    h.extend_from_slice(&2132u16.to_le_bytes());
    h.extend_from_slice(&data_size.to_le_bytes());
    h.extend_from_slice(b".FIT");
    if size == 14 {
        h.extend_from_slice(&[0, 0]);
    }
    h
}

/// `unit` repeated to about `n` bytes.
fn repeat_to(unit: &[u8], n: usize) -> Vec<u8> {
    unit.iter().copied().cycle().take(n.div_ceil(unit.len()) * unit.len()).collect()
}

/// Issue 12, 1(a): 14-byte headers that each claim data past the end of the file, back to back.
fn headers_claiming_past_the_end(n: usize) -> Vec<u8> {
    repeat_to(&header(14, u32::MAX), n)
}

/// Issue 12, 1(b): one file of definition messages whose fields are all distinct and misaligned (a 1-byte
/// uint32), so every field is a new problem to report once.
fn distinct_bad_field_definitions(n: usize) -> Vec<u8> {
    let mut body = Vec::with_capacity(n);
    let mut global: u16 = 0;
    while body.len() < n {
        body.extend_from_slice(&[0x40, 0, 0]);
        body.extend_from_slice(&global.to_le_bytes());
        body.push(255);
        for num in 0..255u8 {
            body.extend_from_slice(&[num, 1, 0x86]);
        }
        global = global.wrapping_add(1);
    }
    let mut f = header(14, body.len() as u32);
    f.extend_from_slice(&body);
    f
}

/// Tiny chained files: each a header with no data and a wrong CRC.
fn many_tiny_chained_files(n: usize) -> Vec<u8> {
    let mut unit = header(12, 0);
    unit.extend_from_slice(&[0xAB, 0xCD]);
    repeat_to(&unit, n)
}

/// Data messages of an undefined local type, each followed by a plausible header: every one makes the walk give
/// up on the file and search for the next header.
fn undefined_types_and_resyncs(n: usize) -> Vec<u8> {
    let mut unit = vec![0x05];
    unit.extend_from_slice(&header(12, 1));
    let mut f = header(14, 1);
    f.extend_from_slice(&repeat_to(&unit, n));
    f
}

/// Garbage full of ".FIT" signatures that never form a valid header (wrong header size byte).
fn signatures_without_headers(n: usize) -> Vec<u8> {
    let mut f = header(14, 0);
    f.extend_from_slice(&[0, 0]);
    f.extend_from_slice(&repeat_to(b"\x0d.FIT.FIT", n));
    f
}

/// One-byte records: a record definition with no fields, then nothing but record headers.
fn one_byte_records(n: usize) -> Vec<u8> {
    let mut body = vec![0x40, 0, 0, 20, 0, 0];
    body.extend(std::iter::repeat_n(0u8, n));
    let mut f = header(14, body.len() as u32);
    f.extend_from_slice(&body);
    f
}

/// A record definition of 255 kept fields redefined before every data message: the decoder builds a plan per
/// definition and reads every planned field.
fn redefined_wide_records(n: usize) -> Vec<u8> {
    let mut body = Vec::with_capacity(n);
    while body.len() < n {
        body.extend_from_slice(&[0x40, 0, 0, 20, 0, 255]);
        for _ in 0..255 {
            body.extend_from_slice(&[3, 1, 0x02]); // heart rate, uint8
        }
        body.push(0x00);
        body.extend(std::iter::repeat_n(120u8, 255));
    }
    let mut f = header(14, body.len() as u32);
    f.extend_from_slice(&body);
    f
}

/// The walk's counters for `bytes`, from the typed decode when it reads anything, else from the raw walk (which
/// reports its counters even when no data message was found).
fn stats(bytes: &[u8]) -> DecodeStats {
    match decode(bytes) {
        Ok(a) => a.stats,
        Err(_) => count_messages(bytes).map(|c| c.summary.stats).expect("the raw walk starts on these inputs"),
    }
}

fn assert_linear(name: &str, make: fn(usize) -> Vec<u8>) {
    let mut per_byte = Vec::new();
    for n in [256 << 10, 1 << 20] {
        let bytes = make(n);
        let s = stats(&bytes);
        let budget = UNITS_PER_BYTE * bytes.len() as u64 + 1024;
        assert!(
            s.work_units <= budget,
            "{name}: {} work units for {} bytes, over the budget of {budget}",
            s.work_units,
            bytes.len()
        );
        per_byte.push(s.work_units as f64 / bytes.len() as f64);
    }
    // Four times the input may not cost much more than four times the work.
    assert!(per_byte[1] <= per_byte[0] * 1.25 + 0.01, "{name}: work per byte grows with size: {per_byte:?}");
}

#[test]
fn headers_claiming_data_past_the_end_cost_linear_work() {
    assert_linear("headers past the end", headers_claiming_past_the_end);
}

#[test]
fn distinct_bad_field_definitions_cost_linear_work() {
    assert_linear("distinct bad fields", distinct_bad_field_definitions);
    // They are still reported (up to the warning cap), once each.
    let a = count_messages(&distinct_bad_field_definitions(64 << 10)).expect("walk");
    assert!(a.summary.warnings.len() > 100, "{} warnings", a.summary.warnings.len());
}

#[test]
fn chained_files_resyncs_and_signatures_cost_linear_work() {
    assert_linear("tiny chained files", many_tiny_chained_files);
    assert_linear("undefined types", undefined_types_and_resyncs);
    assert_linear("signatures without headers", signatures_without_headers);
}

#[test]
fn records_and_wide_definitions_cost_linear_work() {
    assert_linear("one-byte records", one_byte_records);
    assert_linear("wide redefined records", redefined_wide_records);
}

#[test]
fn a_file_whose_data_size_is_too_large_is_still_salvaged() {
    // The budget only limits repeated checks: the usual damage (one file whose header claims more data than
    // there is) still finds its real end by the CRC at the end of the file.
    let mut body = vec![0x40, 0, 0, 20, 0, 1, 3, 1, 0x02];
    for hr in 100..140u8 {
        body.extend_from_slice(&[0x00, hr]);
    }
    let mut f = header(12, 1_000_000);
    f.extend_from_slice(&body);
    let crc = runtall_fit::crc16(&f);
    f.extend_from_slice(&crc.to_le_bytes());
    let a = decode(&f).expect("salvaged");
    assert_eq!(a.records.len(), 40);
    assert!(a.stats.file_crc_ok, "{:?}", a.warnings);
}

#[test]
fn records_beyond_the_cap_are_skipped_with_a_warning() {
    let a = decode(&one_byte_records(runtall_fit::MAX_RECORDS + 5_000)).expect("decoded");
    assert_eq!(a.records.len(), runtall_fit::MAX_RECORDS);
    let w = a.warnings.iter().map(ToString::to_string).collect::<Vec<_>>().join("; ");
    assert!(w.contains("the first 1000000 were kept"), "{w}");
}
