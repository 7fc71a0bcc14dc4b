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

/// Athletes whose attention (the dashboard's) is kept at once. Far more than [`KEEP`]: a clinician's dashboard reads
/// every athlete they follow on each load, so 100 clinicians with 100 athletes each would otherwise evict each
/// other's on every request; one athlete's attention is a few hundred bytes.
const KEEP_ATTENTION: usize = 50_000;

/// One athlete's derived state.
#[derive(Default)]
pub struct Derived {
    pub insights: Arc<InsightsCache>,
    pub plans: Arc<PlanCache>,
    /// Where each exercise's dose stands (Today, the plan and the player read it on every view).
    pub doses: Arc<runtall_app::doses::ProgressCache>,
    pub breaks: Arc<crate::routes::breaks::BreakSlot>,
}

#[derive(Default)]
pub struct PerAthlete {
    kept: Mutex<HashMap<AthleteId, (Arc<Derived>, u64)>>,
    clock: AtomicU64,
    /// What needs a clinician's look (the dashboard), kept per journal revision, day and "since"; apart from
    /// [`Derived`] for its larger bound.
    attention: Mutex<HashMap<AthleteId, (Arc<runtall_app::clinic::AttentionCache>, u64)>>,
    /// Each clinician's last dashboard rows, kept while nothing they were made from changed.
    dashboards: runtall_app::clinic::KeptDashboards,
    /// What a clinician's page of each athlete shows whoever looks, kept per journal revision and day.
    pub pages: crate::routes::clinic::KeptPages,
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

    /// Forgets what is kept for `athlete`: a request's writes were rolled back after its caches may have kept what
    /// they made from them (`one_transaction`), and the journal revision they were keyed on will be reached again.
    pub fn forget(&self, athlete: AthleteId) {
        self.kept.lock().unwrap_or_else(|e| e.into_inner()).remove(&athlete);
    }

    /// The clinicians' kept dashboards.
    pub fn dashboards(&self) -> &runtall_app::clinic::KeptDashboards {
        &self.dashboards
    }

    /// The athlete's kept attention, made empty on first use.
    pub fn attention(&self, athlete: AthleteId) -> Arc<runtall_app::clinic::AttentionCache> {
        let tick = self.clock.fetch_add(1, Ordering::Relaxed);
        let mut kept = self.attention.lock().unwrap_or_else(|e| e.into_inner());
        if let Some((cache, used)) = kept.get_mut(&athlete) {
            *used = tick;
            return cache.clone();
        }
        if kept.len() >= KEEP_ATTENTION {
            // Drop the least recently used tenth at once, so that the scan is paid once per many insertions.
            let mut ticks: Vec<u64> = kept.values().map(|(_, used)| *used).collect();
            let cut = KEEP_ATTENTION / 10;
            let (_, nth, _) = ticks.select_nth_unstable(cut);
            let limit = *nth;
            kept.retain(|_, (_, used)| *used > limit);
        }
        let cache = Arc::new(runtall_app::clinic::AttentionCache::default());
        kept.insert(athlete, (cache.clone(), tick));
        cache
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
