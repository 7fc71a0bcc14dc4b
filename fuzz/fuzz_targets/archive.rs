//! Fuzz the archive reader (zip, nested zips, gzip entries, Strava's activities.csv) through the importer's
//! planner and workers: any bytes named `.zip` must give results or errors per entry, never a panic, and never
//! more decoded bytes than the limits allow.
//!
//! `cd fuzz && cargo +nightly fuzz run archive` (seed `corpus/archive/` with small zips of corpus files — never
//! commit them).
#![no_main]

use libfuzzer_sys::fuzz_target;
use runtall_import::{ImportOptions, Importer};
use std::ops::ControlFlow;

fuzz_target!(|data: &[u8]| {
    let path = std::env::temp_dir().join(format!("runtall-fuzz-{}.zip", std::process::id()));
    if std::fs::write(&path, data).is_err() {
        return;
    }
    let options = ImportOptions {
        workers: 1,
        max_archive_bytes: 8 << 20,
        max_file_bytes: 4 << 20,
        max_entries: 64,
        ..ImportOptions::default()
    };
    let plan = Importer::new(options).plan([&path]);
    let progress = plan.run(|_, _| ControlFlow::Continue(()));
    assert!(progress.bytes_done <= 8 << 20 + 4 << 20, "decoded more than the limits allow");
});
