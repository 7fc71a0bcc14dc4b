//! Where each exercise's dose stands, from the journal: the program's week (from the first plan), and per exercise
//! the weekly signals the progression rule reads (`runtall_domain::plan::progression`) — sessions in which it was
//! completed, how the runner found it (too easy / too hard, when marked), and how much next-morning pain rose.

use crate::Result;
use jiff::{SignedDuration, Timestamp};
use runtall_content::Program;
use runtall_domain::journal::PainTiming;
use runtall_domain::plan::Progress;
use runtall_domain::plan::progression::{WeekSignals, replay, rule_for};
use runtall_store::Store;
use std::collections::BTreeMap;

const WEEK: SignedDuration = SignedDuration::from_hours(24 * 7);

/// The runner's progress as of `now`: week 1 and nothing stepped before the first plan or within its first week.
pub fn progress(store: &dyn Store, program: &Program, now: Timestamp) -> Result<Progress> {
    let Some(start) = store.plans()?.iter().map(|p| p.created_at).min() else { return Ok(Progress::default()) };
    progress_from(store, program, start, now)
}

/// Whole weeks from the first plan to `now`.
fn full_weeks(start: Timestamp, now: Timestamp) -> usize {
    (now.duration_since(start).as_secs().max(0) / WEEK.as_secs()) as usize
}

/// The progress kept for a long-running front end (the web app), per athlete: [`progress`] reads every stored plan
/// and the sessions of the whole program, about 10 ms on a ten-year journal, and Today, the plan and the player
/// each ask for it on every view. It only changes when the journal does (a new revision) or a week turns over.
#[derive(Default)]
pub struct ProgressCache {
    kept: std::sync::Mutex<Option<KeptProgress>>,
}

struct KeptProgress {
    revision: u64,
    start: Option<Timestamp>,
    progress: Progress,
}

impl ProgressCache {
    /// [`progress`] as of `now`, computed again only after a write to the journal or when the program's week changed.
    pub fn progress(&self, store: &dyn Store, program: &Program, now: Timestamp) -> Result<Progress> {
        let revision = store.journal_revision()?;
        {
            let kept = self.kept.lock().unwrap_or_else(|e| e.into_inner());
            if let Some(k) = kept.as_ref()
                && k.revision == revision
                && k.start.is_none_or(|start| full_weeks(start, now) as u32 + 1 == k.progress.week)
            {
                return Ok(k.progress.clone());
            }
        }
        let start = store.plans()?.iter().map(|p| p.created_at).min();
        let progress = match start {
            Some(start) => progress_from(store, program, start, now)?,
            None => Progress::default(),
        };
        *self.kept.lock().unwrap_or_else(|e| e.into_inner()) =
            Some(KeptProgress { revision, start, progress: progress.clone() });
        Ok(progress)
    }
}

fn progress_from(store: &dyn Store, program: &Program, start: Timestamp, now: Timestamp) -> Result<Progress> {
    let full_weeks = full_weeks(start, now);
    let week = full_weeks as u32 + 1;
    let mut weeks: BTreeMap<String, Vec<WeekSignals>> = BTreeMap::new();
    let mut morning: Vec<f64> = Vec::new();
    let end = start.checked_add(WEEK * full_weeks as i32).unwrap_or(now);
    let mut pain = store.pain_reports(start, end)?;
    pain.retain(|p| p.timing == PainTiming::NextMorning);
    pain.sort_by_key(|p| p.at);
    let sessions = store.sessions(start, end)?;
    for w in 0..full_weeks {
        let (from, to) = (start + WEEK * w as i32, start + WEEK * (w as i32 + 1));
        // The largest rise of a next-morning report over the one before it, within this week.
        let mut rise: f64 = 0.0;
        for pair in pain.windows(2) {
            if pair[1].at >= from && pair[1].at < to {
                rise = rise.max(pair[1].intensity.get() - pair[0].intensity.get());
            }
        }
        morning.push(rise);
        for row in sessions.iter().filter(|r| r.started_at >= from && r.started_at < to) {
            let steps = row.record.get("steps").and_then(|s| s.as_array()).cloned().unwrap_or_default();
            for step in steps {
                let Some(id) = step.get("exercise").and_then(|e| e.as_str()) else { continue };
                let signals = weeks.entry(id.to_string()).or_insert_with(|| vec![WeekSignals::default(); full_weeks]);
                let s = &mut signals[w];
                if step.get("outcome").and_then(|o| o.as_str()) == Some("completed") {
                    s.sessions += 1;
                }
                match step.get("effort").and_then(|e| e.as_str()) {
                    Some("too-easy") => s.too_easy += 1,
                    Some("too-hard") => s.too_hard += 1,
                    _ => {}
                }
            }
        }
    }
    let mut steps = BTreeMap::new();
    for (id, mut signals) in weeks {
        for (s, rise) in signals.iter_mut().zip(&morning) {
            s.morning_pain_rise = *rise;
        }
        let Some(rule) = program.exercise(&id).and_then(|ex| rule_for(program, ex)) else { continue };
        let standing = replay(rule, &signals);
        if standing.step > 0 {
            steps.insert(id, standing.step);
        }
    }
    Ok(Progress { week, steps })
}
