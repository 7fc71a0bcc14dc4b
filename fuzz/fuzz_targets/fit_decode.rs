//! Fuzz the FIT decoder: any input must give a result or an error, never a panic, and the typed
//! decode and the raw walk must agree on how many data messages the input holds.
//!
//! `cd fuzz && cargo +nightly fuzz run fit_decode` (seed the corpus with
//! `cp ../../shared/corpus/fit/*.fit corpus/fit_decode/` — never commit those files).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let typed = runtall_fit::decode(data);
    let raw = runtall_fit::count_messages(data);
    match (&typed, &raw) {
        (Ok(a), Ok(c)) => {
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
