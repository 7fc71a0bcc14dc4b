//! Memory stays within the in-flight budget however large the archive's entries and however many workers: the
//! heap is measured with a counting allocator while a generated export of large entries is imported (issue 12: a
//! 32 MB zip of ten 258 MB entries peaked at 1.78 GB with 2 workers and 2.54 GB with 4, because the reader ran
//! ahead by the channel and the reorder window, each slot holding a whole decompressed entry).
//!
//! One test per file: the allocator counts every thread of the test binary.

mod support;

use std::alloc::{GlobalAlloc, Layout, System};
use std::ops::ControlFlow;
use std::sync::atomic::{AtomicUsize, Ordering};

use runtall_import::{ImportOptions, Importer};
use support::{Method, zip};

struct Counting;

static CURRENT: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

// SAFETY: forwards to the system allocator unchanged; only counts sizes.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() {
            let now = CURRENT.fetch_add(layout.size(), Ordering::Relaxed) + layout.size();
            PEAK.fetch_max(now, Ordering::Relaxed);
        }
        p
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) };
        CURRENT.fetch_sub(layout.size(), Ordering::Relaxed);
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let p = unsafe { System.realloc(ptr, layout, new_size) };
        if !p.is_null() {
            if new_size >= layout.size() {
                let now = CURRENT.fetch_add(new_size - layout.size(), Ordering::Relaxed) + new_size - layout.size();
                PEAK.fetch_max(now, Ordering::Relaxed);
            } else {
                CURRENT.fetch_sub(layout.size() - new_size, Ordering::Relaxed);
            }
        }
        p
    }
}

#[global_allocator]
static ALLOC: Counting = Counting;

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
    let before = CURRENT.load(Ordering::Relaxed);
    PEAK.store(before, Ordering::Relaxed);
    let mut results = 0;
    let progress = plan.run(|_, _| {
        results += 1;
        ControlFlow::Continue(())
    });
    let peak = PEAK.load(Ordering::Relaxed) - before;
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
