//! Memory stays within the in-flight budget however large the archive's entries and however many workers: the
//! heap is measured with a counting allocator while a generated export of large entries is imported (issue 12: a
//! 32 MB zip of ten 258 MB entries peaked at 1.78 GB with 2 workers and 2.54 GB with 4, because the reader ran
//! ahead by the channel and the reorder window, each slot holding a whole decompressed entry).
//!
//! One test per file: the allocator counts every thread of the test binary.

mod support;

use std::ops::ControlFlow;

use runtall_import::{ImportOptions, Importer};
use support::{Method, zip};

#[path = "../../domain/tests/support/counting_alloc.rs"]
mod counting_alloc;

#[global_allocator]
static ALLOC: counting_alloc::Counting = counting_alloc::Counting;

const MIB: usize = 1 << 20;

#[test]
fn an_archive_of_large_entries_stays_within_the_in_flight_budget() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("export.zip");
    {
        // Twelve 8 MiB GPX entries of empty elements: slow to read through (so the workers fall behind the
        // reader, as with large real files) and without a single point (so what is measured is the file data).
        let mut body = b"<gpx version=\"1.1\">".to_vec();
        while body.len() < 8 * MIB - 16 {
            body.extend_from_slice(b"<x/>");
        }
        body.extend_from_slice(b"</gpx>");
        let names: Vec<String> = (0..12).map(|i| format!("activities/{i}.gpx")).collect();
        let entries: Vec<(&str, &[u8], Method)> =
            names.iter().map(|n| (n.as_str(), body.as_slice(), Method::Stored)).collect();
        std::fs::write(&path, zip(&entries)).expect("write the archive");
    }
    let budget = 24 * MIB as u64;
    let options = ImportOptions {
        workers: 4,
        max_in_flight_bytes: budget,
        max_file_bytes: 20 * MIB as u64,
        ..ImportOptions::default()
    };
    let plan = Importer::new(options).plan([&path]);
    let before = counting_alloc::reset_peak();
    let mut results = 0;
    let progress = plan.run(|_, _| {
        results += 1;
        ControlFlow::Continue(())
    });
    let peak = counting_alloc::peak_since(before);
    println!(
        "peak heap {:.1} MiB over the baseline; budget {:.0} MiB; peak reserved {:.1} MiB; {results} results",
        peak as f64 / MIB as f64,
        budget as f64 / MIB as f64,
        progress.peak_in_flight_bytes as f64 / MIB as f64
    );
    assert_eq!(results, 12, "every entry has its result");
    assert!(progress.peak_in_flight_bytes <= budget, "{} reserved", progress.peak_in_flight_bytes);
    assert!(progress.peak_in_flight_bytes >= 16 * MIB as u64, "more than one entry was in flight at a time");
    // The budget plus room for the zip reader's and decoders' own buffers.
    assert!(peak <= budget as usize + 6 * MIB, "peak heap {peak} bytes for a budget of {budget}");
}
