//! Fuzz the JSON Lines journal reader: any bytes give records or an error naming a line and a field, never a
//! panic; and whatever it accepts round-trips exactly (the README promises a lossless round trip): writing it
//! out and reading it back gives the same journal, in both formats.
//!
//! `cd fuzz && cargo +nightly fuzz run journal_jsonl -- -max_len=8192` (seed `corpus/journal_jsonl/` with
//! `runtall journal export` output of a demo database). See docs/reliability.md.
#![no_main]

use libfuzzer_sys::fuzz_target;
use runtall_domain::journal_format::{Journal, JsonlReader, from_csv, from_jsonl, to_csv, to_jsonl};

fuzz_target!(|data: &[u8]| {
    let now: jiff::Timestamp = "2026-12-01T00:00:00Z".parse().expect("now");
    let Ok(journal) = Journal::collect(JsonlReader::new("fuzz.jsonl", data, now)) else { return };
    let text = to_jsonl(&journal);
    let back = from_jsonl("again.jsonl", &text, now).expect("our own export reads back");
    assert_eq!(back, journal, "JSON Lines round trip");
    let (r, p, d) = to_csv(&journal);
    let back = from_csv(("runs.csv", &r), ("pain.csv", &p), ("days.csv", &d), now).expect("our own CSV reads back");
    assert_eq!(back, journal, "CSV round trip");
});
