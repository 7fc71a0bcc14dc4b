//! The insights page's results, kept until the journal changes.
//!
//! The analysis averages a few hundred small models (about 30 ms of CPU over ten years of runs), and the progress
//! section reads every stored plan (3 MB of JSON in a ten-year journal): together too slow for every page view,
//! while the journal changes far less often than pages are read. The store's journal revision (bumped by triggers on every
//! write, from any process) tells when to recompute. Simultaneous first views compute once: the others wait for
//! that result instead of each computing their own (and each holding its own copy of the plans in memory).

use crate::insight_charts::WeekPoint;
use jiff::civil::Date;
use runtall_app::progress::Progress;
use runtall_insights::InsightsReport;
use std::sync::{Arc, Mutex, MutexGuard};

/// Views (weeks on the chart × day) kept per journal revision; the page offers 3 ranges plus the default.
const VIEWS_KEPT: usize = 6;

/// What one page view shows besides the report: progress against the baseline and the weekly chart's data.
pub struct View {
    pub progress: Option<Progress>,
    pub weeks: Vec<WeekPoint>,
}

type ViewKey = (u64, Date, usize);

#[derive(Default)]
pub struct InsightsCache {
    report: Mutex<Option<(u64, Arc<InsightsReport>)>>,
    views: Mutex<Vec<(ViewKey, Arc<View>)>>,
    /// Held while computing, so concurrent misses compute once.
    computing: Mutex<()>,
}

/// A poisoned lock only means a request panicked while holding it; the data inside is still whole.
fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl InsightsCache {
    /// The report at `revision`, computing it with `compute` when it is not kept.
    pub fn report<E>(
        &self,
        revision: u64,
        compute: impl FnOnce() -> Result<InsightsReport, E>,
    ) -> Result<Arc<InsightsReport>, E> {
        let kept = || lock(&self.report).as_ref().filter(|(r, _)| *r == revision).map(|(_, rep)| rep.clone());
        if let Some(hit) = kept() {
            return Ok(hit);
        }
        let _one_at_a_time = lock(&self.computing);
        if let Some(hit) = kept() {
            return Ok(hit);
        }
        let report = Arc::new(compute()?);
        *lock(&self.report) = Some((revision, report.clone()));
        Ok(report)
    }

    /// The view for (`revision`, `today`, `weeks`), computing it with `compute` when it is not kept.
    pub fn view<E>(&self, key: (u64, Date, usize), compute: impl FnOnce() -> Result<View, E>) -> Result<Arc<View>, E> {
        let kept = || lock(&self.views).iter().find(|(k, _)| *k == key).map(|(_, v)| v.clone());
        if let Some(hit) = kept() {
            return Ok(hit);
        }
        let _one_at_a_time = lock(&self.computing);
        if let Some(hit) = kept() {
            return Ok(hit);
        }
        let view = Arc::new(compute()?);
        let mut views = lock(&self.views);
        views.retain(|(k, _)| k.0 == key.0 && k.1 == key.1);
        if views.len() >= VIEWS_KEPT {
            views.remove(0);
        }
        views.push((key, view.clone()));
        Ok(view)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    fn empty_report() -> InsightsReport {
        runtall_insights::analyze(&[], &runtall_insights::AnalysisConfig::default()).expect("empty journal")
    }

    #[test]
    fn a_report_is_computed_once_per_revision() {
        let cache = InsightsCache::default();
        let calls = AtomicUsize::new(0);
        let compute = || -> Result<InsightsReport, ()> {
            calls.fetch_add(1, Ordering::SeqCst);
            Ok(empty_report())
        };
        cache.report(1, compute).expect("first");
        cache.report(1, compute).expect("kept");
        assert_eq!(calls.load(Ordering::SeqCst), 1);
        cache.report(2, compute).expect("new revision");
        assert_eq!(calls.load(Ordering::SeqCst), 2);
        assert!(cache.report(3, || Err::<InsightsReport, _>("broken")).is_err(), "errors pass through");
        cache.report(2, compute).expect("still kept after a failed newer one");
        assert_eq!(calls.load(Ordering::SeqCst), 2);
    }

    #[test]
    fn views_are_kept_per_range_and_dropped_when_the_journal_or_day_changes() {
        let cache = InsightsCache::default();
        let calls = AtomicUsize::new(0);
        let d = Date::constant(2026, 12, 6);
        let compute = || -> Result<View, ()> {
            calls.fetch_add(1, Ordering::SeqCst);
            Ok(View { progress: None, weeks: vec![] })
        };
        for weeks in [13, 26, 13, 26] {
            cache.view((1, d, weeks), compute).expect("view");
        }
        assert_eq!(calls.load(Ordering::SeqCst), 2, "two ranges, each computed once");
        cache.view((2, d, 13), compute).expect("after a write");
        cache.view((2, d.tomorrow().expect("date"), 13), compute).expect("next day");
        assert_eq!(calls.load(Ordering::SeqCst), 4);
        assert_eq!(lock(&cache.views).len(), 1, "older revisions and days are dropped");
    }
}
