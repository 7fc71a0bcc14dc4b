//! Fuzz the FIT decoder: any input must give a result or an error, never a panic; the typed decode and the raw
//! walk must agree on how many data messages the input holds; and the work done must stay linear in the input
//! (the super-linear check: `work_units`, counted by the decoder, against a fixed budget per input byte — both
//! quadratic paths found in issue 12 break it at 8 KiB, where they cost no measurable time).
//!
//! `cd fuzz && cargo +nightly fuzz run fit_decode -- -max_len=8192` (seed the corpus with
//! `cp ../../shared/corpus/fit/*.fit corpus/fit_decode/` — never commit those files). See docs/reliability.md.
#![no_main]

use libfuzzer_sys::fuzz_target;

/// Work units allowed per input byte (as in `crates/fit/tests/linear_work.rs`).
const UNITS_PER_BYTE: u64 = 8;

fuzz_target!(|data: &[u8]| {
    let budget = UNITS_PER_BYTE * data.len() as u64 + 1024;
    let typed = runtall_fit::decode(data);
    let raw = runtall_fit::count_messages(data);
    if let Ok(c) = &raw {
        let work = c.summary.stats.work_units;
        assert!(work <= budget, "raw walk: {work} work units for {} bytes", data.len());
    }
    match (&typed, &raw) {
        (Ok(a), Ok(c)) => {
            assert!(a.stats.work_units <= budget, "decode: {} work units for {} bytes", a.stats.work_units, data.len());
            assert_eq!(a.stats.data_messages, c.summary.stats.data_messages);
            assert_eq!(a.stats.data_messages, c.by_global.values().sum::<usize>());
            assert!(a.stats.data_messages > 0);
            assert!(a.records.len() <= a.stats.data_messages);
        }
        (Err(runtall_fit::FitError::NoMessages { .. }), Ok(c)) => {
            assert_eq!(c.summary.stats.data_messages, 0);
        }
        (Err(_), Err(_)) => {}
        (t, r) => panic!("typed and raw decodes disagree: {t:?} vs {r:?}"),
    }
});
