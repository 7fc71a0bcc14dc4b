//! Fuzz the CSV journal reader: the input is split at 0xFF bytes (never in UTF-8 text) into runs.csv, pain.csv
//! and days.csv; any bytes give records or an error naming the file, line and field, never a panic; whatever is
//! accepted round-trips exactly through CSV (formula guard included) and through JSON Lines.
//!
//! `cd fuzz && cargo +nightly fuzz run journal_csv -- -max_len=8192`. See docs/reliability.md.
#![no_main]

use libfuzzer_sys::fuzz_target;
use runtall_domain::journal_format::{CsvReader, Journal, from_csv, from_jsonl, to_csv, to_jsonl};

fuzz_target!(|data: &[u8]| {
    let now: jiff::Timestamp = "2026-12-01T00:00:00Z".parse().expect("now");
    let mut parts = data.split(|b| *b == 0xFF);
    let mut next = |name: &str| {
        parts.next().filter(|p| !p.is_empty()).map(|p| (name.to_string(), Box::new(p) as Box<dyn std::io::BufRead>))
    };
    let (runs, pain, days) = (next("runs.csv"), next("pain.csv"), next("days.csv"));
    let Ok(journal) = Journal::collect(CsvReader::new(runs, pain, days, now)) else { return };
    let (r, p, d) = to_csv(&journal);
    let back = from_csv(("runs.csv", &r), ("pain.csv", &p), ("days.csv", &d), now).expect("our own CSV reads back");
    assert_eq!(back, journal, "CSV round trip");
    assert_eq!(to_csv(&back), (r, p, d), "CSV text round trip");
    let text = to_jsonl(&journal);
    assert_eq!(from_jsonl("again.jsonl", &text, now).expect("our own export reads back"), journal);
});
