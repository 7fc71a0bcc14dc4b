//! What the server derives from one athlete's records and keeps between requests (the insights report, the current
//! plan, the browser's sitting-break scheduler), kept apart per athlete: the caches key on the journal revision,
//! which counts per athlete, so one shared cache would hand one athlete's report to another at the same revision.

use crate::insights_cache::InsightsCache;
use runtall_app::plan::PlanCache;
use runtall_store::AthleteId;
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

/// Athletes whose derived state is kept at once; the least recently served goes first (it is only a cache).
const KEEP: usize = 256;

/// One athlete's derived state.
#[derive(Default)]
pub struct Derived {
    pub insights: Arc<InsightsCache>,
    pub plans: Arc<PlanCache>,
    pub breaks: Arc<crate::routes::breaks::BreakSlot>,
    /// What needs a clinician's look (the dashboard), kept per journal revision, day and "since".
    pub attention: Arc<runtall_app::clinic::AttentionCache>,
}

#[derive(Default)]
pub struct PerAthlete {
    kept: Mutex<HashMap<AthleteId, (Arc<Derived>, u64)>>,
    clock: AtomicU64,
}

impl PerAthlete {
    /// The athlete's derived state, made empty on first use.
    pub fn get(&self, athlete: AthleteId) -> Arc<Derived> {
        let tick = self.clock.fetch_add(1, Ordering::Relaxed);
        let mut kept = self.kept.lock().unwrap_or_else(|e| e.into_inner());
        if let Some((derived, used)) = kept.get_mut(&athlete) {
            *used = tick;
            return derived.clone();
        }
        if kept.len() >= KEEP
            && let Some(oldest) = kept.iter().min_by_key(|(_, (_, used))| *used).map(|(a, _)| *a)
        {
            kept.remove(&oldest);
        }
        let derived = Arc::new(Derived::default());
        kept.insert(athlete, (derived.clone(), tick));
        derived
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_athlete_has_their_own_and_memory_stays_bounded() {
        let per = PerAthlete::default();
        let (a, b) = (AthleteId::new(2), AthleteId::new(3));
        assert!(Arc::ptr_eq(&per.get(a), &per.get(a)));
        assert!(!Arc::ptr_eq(&per.get(a), &per.get(b)));
        let first = per.get(a);
        for i in 10..10 + KEEP as i64 {
            per.get(AthleteId::new(i));
        }
        assert_eq!(per.kept.lock().expect("lock").len(), KEEP);
        assert!(!Arc::ptr_eq(&first, &per.get(a)), "the least recently used was dropped");
    }
}
