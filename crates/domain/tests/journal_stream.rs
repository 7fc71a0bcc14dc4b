//! Journal import streams: reading a large CSV or JSON Lines journal record by record takes memory that does not
//! grow with the file, only a little with the number of runs (their keys, kept as 16-byte hashes for the rules
//! across records). Measured with a counting allocator (issue 12: a 45 MB CSV took 809 MB, about 18 times its
//! size, because every cell was copied next to a copy of its column name).
//!
//! One test per file: the allocator counts every thread of the test binary.

use jiff::Timestamp;
use runtall_domain::journal_format::{CsvReader, JsonlReader};

#[path = "support/counting_alloc.rs"]
mod counting_alloc;

#[global_allocator]
static ALLOC: counting_alloc::Counting = counting_alloc::Counting;

const RUNS: usize = 100_000;

fn now() -> Timestamp {
    "2026-12-01T00:00:00Z".parse().expect("now")
}

/// A runs.csv of `RUNS` rows (about 18 MB) with long names and a pain.csv naming every run.
fn csv_files() -> (String, String) {
    let mut runs = String::from("key,start,sport,label,distance_m,moving_s,elapsed_s,name,pack,surface\n");
    let mut pain = String::from("at,timing,region,intensity,run,notes\n");
    let first: Timestamp = "2000-01-01T07:00:00Z".parse().expect("ts");
    for i in 0..RUNS {
        let start = first.checked_add(jiff::SignedDuration::from_hours(2 * i as i64)).expect("ts");
        let key = format!("{i:064x}");
        runs.push_str(&format!(
            "{key},{start},running,easy,10000,3600,3700,\"Morning run number {i}, along the river, with a vest and some hills\",true,road\n"
        ));
        let at = start.checked_add(jiff::SignedDuration::from_hours(1)).expect("ts");
        pain.push_str(&format!("{at},right-after,neck,3,{key},\"tight after the hills, eased by evening\"\n"));
    }
    (runs, pain)
}

/// Reads every record, keeping none, and counts them.
fn count_valid<E: std::fmt::Display>(
    records: impl Iterator<Item = Result<runtall_domain::journal_format::Record, E>>,
) -> usize {
    let mut n = 0;
    for r in records {
        if let Err(e) = r {
            panic!("record {n}: {e}");
        }
        n += 1;
    }
    n
}

fn peak_while(f: impl FnOnce() -> usize) -> (usize, usize) {
    let before = counting_alloc::reset_peak();
    let n = f();
    (counting_alloc::peak_since(before), n)
}

#[test]
fn large_journals_stream_in_memory_that_does_not_follow_the_file() {
    let (runs, pain) = csv_files();
    let size = runs.len() + pain.len();
    let (peak, n) = peak_while(|| {
        let reader = CsvReader::new(
            Some(("runs.csv".into(), Box::new(runs.as_bytes()))),
            Some(("pain.csv".into(), Box::new(pain.as_bytes()))),
            None,
            now(),
        );
        count_valid(reader)
    });
    println!("CSV: {:.1} MB read, peak {:.1} MB", size as f64 / 1e6, peak as f64 / 1e6);
    assert_eq!(n, 2 * RUNS);
    // Keys: 16 bytes each in a hash set (about 32 with its table); the rest is one record at a time.
    assert!(peak < 64 * RUNS + (1 << 20), "peak {peak} bytes for {size} bytes of CSV");
    assert!(peak < size / 5, "peak {peak} bytes for {size} bytes of CSV");

    drop(runs);
    drop(pain);

    // The same runs as JSON Lines.
    let first: Timestamp = "2000-01-01T07:00:00Z".parse().expect("ts");
    let text: String = (0..RUNS)
        .map(|i| {
            let start = first.checked_add(jiff::SignedDuration::from_hours(2 * i as i64)).expect("ts");
            format!(
                "{{\"type\":\"run\",\"key\":\"{i:064x}\",\"start\":\"{start}\",\"sport\":\"running\",\"distance_m\":10000.0,\"moving_s\":3600.0,\"elapsed_s\":3700.0,\"name\":\"Morning run number {i}\"}}\n"
            )
        })
        .collect();
    let (peak, n) = peak_while(|| count_valid(JsonlReader::new("j.jsonl", text.as_bytes(), now())));
    println!("JSON Lines: {:.1} MB read, peak {:.1} MB", text.len() as f64 / 1e6, peak as f64 / 1e6);
    assert_eq!(n, RUNS);
    assert!(peak < 64 * RUNS + (1 << 20), "peak {peak} bytes for {} bytes of JSON Lines", text.len());
    assert!(peak < text.len() / 5, "peak {peak} bytes for {} bytes of JSON Lines", text.len());
}
