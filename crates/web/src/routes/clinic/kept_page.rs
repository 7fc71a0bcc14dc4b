//! What the athlete's page shows that is the same whoever looks ([`Shown`]), kept per athlete between views.
//!
//! Gathering it reads the whole year (the weekly distance chart, the outcome measures) and asks the safety gate:
//! milliseconds per view, when 100 clinicians looking at once leave well under one. It changes only when
//! - the athlete's journal revision moves: every record the page shows (runs and their labels, pain, day logs,
//!   screens, assessments, the profile's units, a clinician's program changes and comments) moves it, in the
//!   same transaction as the write; audit entries do not;
//! - the day turns: the 30 days of journal, the 12 weeks of the chart and the outcome measures are counted in days;
//! - a dose a clinician set with a weekly progression grows a step (a full week after it was set, to the second:
//!   [`runtall_domain::safety::clinician::next_step`]).
//!
//! The revision is read before the records, so what is kept is never older than its revision: a write in between
//! only makes the next view gather again. What depends on the clinician looking (their last visit, and the
//! attention counted from it) is never kept here.

use super::athlete::Shown;
use jiff::Timestamp;
use jiff::civil::Date;
use runtall_store::AthleteId;
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

/// Athletes whose page is kept at once; the least recently viewed tenth goes when full. A kept page takes about
/// 25 KB, so this is at most about 400 MB: enough for a clinic of 10,000 athletes to have every page ready (the
/// warming pass gathers them ahead), measured in `docs/scaling.md`.
const KEEP: usize = 16_384;

/// When a kept page is still the page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Key {
    pub revision: u64,
    pub day: Date,
}

struct Kept {
    key: Key,
    /// The next moment it would read differently with the same records (`None`: not before the day turns).
    until: Option<Timestamp>,
    shown: Arc<Shown>,
    used: u64,
}

/// Every athlete's kept page, bounded.
#[derive(Default)]
pub struct KeptPages {
    kept: Mutex<HashMap<AthleteId, Kept>>,
    clock: AtomicU64,
}

impl KeptPages {
    /// The athlete's kept page if it is still the page for `key` at `now`.
    pub(super) fn get(&self, athlete: AthleteId, key: Key, now: Timestamp) -> Option<Arc<Shown>> {
        let tick = self.clock.fetch_add(1, Ordering::Relaxed);
        let mut kept = self.kept.lock().unwrap_or_else(|e| e.into_inner());
        let k = kept.get_mut(&athlete)?;
        if k.key != key || k.until.is_some_and(|until| now >= until) {
            return None;
        }
        k.used = tick;
        Some(k.shown.clone())
    }

    /// Whether the athlete's kept page still holds for this journal revision and day at `now`, without a store
    /// (the warming pass asks before it takes a connection).
    pub(crate) fn holds(&self, athlete: AthleteId, revision: u64, day: Date, now: Timestamp) -> bool {
        let kept = self.kept.lock().unwrap_or_else(|e| e.into_inner());
        kept.get(&athlete).is_some_and(|k| k.key == Key { revision, day } && k.until.is_none_or(|until| now < until))
    }

    /// Keeps the athlete's page as gathered for `key`, until `until` at the latest.
    pub(super) fn keep(&self, athlete: AthleteId, key: Key, until: Option<Timestamp>, shown: Arc<Shown>) {
        let tick = self.clock.fetch_add(1, Ordering::Relaxed);
        let mut kept = self.kept.lock().unwrap_or_else(|e| e.into_inner());
        if kept.len() >= KEEP && !kept.contains_key(&athlete) {
            // The least recently viewed tenth at once, so the scan is paid once per many insertions.
            let mut ticks: Vec<u64> = kept.values().map(|k| k.used).collect();
            let (_, nth, _) = ticks.select_nth_unstable(KEEP / 10);
            let limit = *nth;
            kept.retain(|_, k| k.used > limit);
        }
        kept.insert(athlete, Kept { key, until, shown, used: tick });
    }

    /// Athletes whose page is kept now.
    #[cfg(test)]
    fn len(&self) -> usize {
        self.kept.lock().unwrap_or_else(|e| e.into_inner()).len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(revision: u64) -> Key {
        Key { revision, day: jiff::civil::date(2026, 12, 7) }
    }

    #[test]
    fn a_page_is_kept_for_its_revision_and_day_until_a_dose_grows_and_memory_stays_bounded() {
        let pages = KeptPages::default();
        let a = AthleteId::new(2);
        let now: Timestamp = "2026-12-07T10:00:00Z".parse().expect("time");
        let step: Timestamp = "2026-12-07T12:00:00Z".parse().expect("time");
        pages.keep(a, key(5), Some(step), Arc::new(Shown::empty()));
        assert!(pages.get(a, key(5), now).is_some(), "the same revision and day");
        assert!(pages.get(a, key(6), now).is_none(), "a write moved the revision");
        let tomorrow = Key { day: jiff::civil::date(2026, 12, 8), ..key(5) };
        assert!(pages.get(a, tomorrow, now).is_none(), "the day turned");
        assert!(pages.get(a, key(5), step).is_none(), "a dose grew a step");
        assert!(pages.get(AthleteId::new(3), key(5), now).is_none(), "another athlete's is their own");

        for i in 10..10 + KEEP as i64 {
            pages.keep(AthleteId::new(i), key(1), None, Arc::new(Shown::empty()));
        }
        assert!(pages.len() <= KEEP, "{} kept", pages.len());
        assert!(pages.get(a, key(5), now).is_none(), "the least recently viewed went first");
    }
}
