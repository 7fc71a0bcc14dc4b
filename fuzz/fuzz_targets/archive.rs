//! Fuzz the archive reader (zip, nested zips, gzip entries, Strava's activities.csv) with the importer's own
//! walker, budget and decoders, in memory on one thread (no file written, no thread started: about 20 times the
//! executions per second of going through a temporary file and the worker pool). Any bytes must give results or
//! errors per entry, never a panic, and never more than the limits allow.
//!
//! `cd fuzz && cargo +nightly fuzz run archive -- -max_len=65536` (seed `corpus/archive/` with small zips of
//! corpus files — never commit them). See docs/reliability.md.
#![no_main]

use libfuzzer_sys::fuzz_target;
use runtall_import::{ImportOptions, decode_archive_in_memory};

const MAX_ENTRIES: usize = 64;
const MAX_FILE: u64 = 4 << 20;
const MAX_IN_FLIGHT: u64 = 8 << 20;

fuzz_target!(|data: &[u8]| {
    let options = ImportOptions {
        workers: 1,
        max_archive_bytes: 8 << 20,
        max_file_bytes: MAX_FILE,
        max_entries: MAX_ENTRIES,
        max_in_flight_bytes: MAX_IN_FLIGHT,
        ..ImportOptions::default()
    };
    let mut results = 0usize;
    let progress = decode_archive_in_memory(data, "fuzz.zip", &options, |r| {
        results += 1;
        // Each file, after any gzip layer, is within the single-file limit.
        assert!(r.bytes <= MAX_FILE, "{}: {} decoded bytes", r.source, r.bytes);
    });
    // Every entry counts against the entry limit (nested ones included); a few more results are the errors that
    // say an archive or index could not be read.
    assert!(results <= 2 * MAX_ENTRIES + 8, "{results} results");
    assert!(progress.bytes_done <= (MAX_ENTRIES as u64 + 8) * MAX_FILE, "{} bytes decoded", progress.bytes_done);
    // One file and its gzip allowance at most, when it goes alone; otherwise the budget.
    assert!(progress.peak_in_flight_bytes <= MAX_IN_FLIGHT.max(2 * MAX_FILE), "{}", progress.peak_in_flight_bytes);
});
