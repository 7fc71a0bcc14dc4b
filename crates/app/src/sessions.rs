//! Completed guided sessions (the terminal or browser player's stored records) as routine completions.
//!
//! The player stores a session with its routine id, start and completion record; it cannot know which run a pre-run
//! routine was for, because the run is imported later from the watch. The run is matched here, at read time, so no
//! stored row ever has to be rewritten and a hand-logged answer always stays the runner's own.

use crate::Result;
use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp};
use runtall_domain::content::{RoutineKind, program};
use runtall_store::Store;

/// A pre-run routine finished up to this long before the run's start counts as done for that run: warm-up walks,
/// changing and getting to the start fit in it, the previous day's routine does not.
pub const PRE_RUN_WINDOW: SignedDuration = SignedDuration::from_hours(2);
/// A post-run reset started up to this long after the run's end counts as done for that run: time to get home,
/// shower and stretch, but not the evening's unrelated session.
pub const POST_RUN_WINDOW: SignedDuration = SignedDuration::from_hours(3);
/// Watches are often started a few minutes after the routine ends (or stopped a few minutes late), so the windows
/// reach this far past the run's edge.
pub const CLOCK_SLACK: SignedDuration = SignedDuration::from_mins(10);

/// One guided session whose every step was completed, of a routine the program knows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CompletedSession {
    pub routine_id: String,
    pub kind: RoutineKind,
    pub started_at: Timestamp,
    /// The record's own end, else its start plus its elapsed time, else its start.
    pub ended_at: Timestamp,
}

impl CompletedSession {
    /// The local calendar date the session started on.
    pub fn date(&self, tz: &TimeZone) -> jiff::civil::Date {
        self.started_at.to_zoned(tz.clone()).date()
    }
}

/// Every completed guided routine session, oldest first. Single-exercise sessions and partly done routines are left
/// out: a routine counts as done only when all of it was done.
pub fn completed_sessions(store: &dyn Store) -> Result<Vec<CompletedSession>> {
    let program = program();
    let mut out = Vec::new();
    for row in store.sessions(Timestamp::MIN, Timestamp::MAX)? {
        if !row.completed {
            continue;
        }
        let Some(kind) = program.routine(&row.routine_id).map(|r| r.kind) else { continue };
        let ended_at = ended_at(&row);
        out.push(CompletedSession { routine_id: row.routine_id, kind, started_at: row.started_at, ended_at });
    }
    Ok(out)
}

/// The record's own end time when it has one; else start plus elapsed seconds; else the start. Records come from
/// two players (terminal and browser) and older versions, so every field is optional here.
fn ended_at(row: &runtall_store::SessionRow) -> Timestamp {
    let record = &row.record;
    if let Some(t) = record.get("ended_at").and_then(|v| v.as_str()).and_then(|s| s.parse::<Timestamp>().ok()) {
        return t;
    }
    let elapsed = record.get("elapsed_s").and_then(serde_json::Value::as_f64).unwrap_or(0.0);
    SignedDuration::try_from_secs_f64(elapsed.max(0.0))
        .ok()
        .and_then(|d| row.started_at.checked_add(d).ok())
        .unwrap_or(row.started_at)
}

/// What the guided sessions say about one run's routines: `Some(true)` when a matching session was completed,
/// `None` when none was (the runner may have done it without the player, so absence is not a "no").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct InferredRoutines {
    pub pre_run_done: Option<bool>,
    pub post_run_done: Option<bool>,
}

/// Matches completed pre-run and post-run sessions to a run from `start` to `end` (see the window constants).
pub fn infer_for_run(start: Timestamp, end: Timestamp, sessions: &[CompletedSession]) -> InferredRoutines {
    let within = |t: Timestamp, from: Timestamp, to: Timestamp| from <= t && t <= to;
    let pre_from = start.checked_sub(PRE_RUN_WINDOW).unwrap_or(start);
    let pre_to = start.checked_add(CLOCK_SLACK).unwrap_or(start);
    let post_from = end.checked_sub(CLOCK_SLACK).unwrap_or(end);
    let post_to = end.checked_add(POST_RUN_WINDOW).unwrap_or(end);
    let pre = sessions.iter().any(|s| s.kind == RoutineKind::PreRun && within(s.ended_at, pre_from, pre_to));
    let post = sessions.iter().any(|s| s.kind == RoutineKind::PostRun && within(s.started_at, post_from, post_to));
    InferredRoutines { pre_run_done: pre.then_some(true), post_run_done: post.then_some(true) }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    fn session(kind: RoutineKind, start: &str, minutes: i64) -> CompletedSession {
        let started_at = t(start);
        let ended_at = started_at + SignedDuration::from_mins(minutes);
        CompletedSession { routine_id: String::new(), kind, started_at, ended_at }
    }

    #[test]
    fn sessions_match_the_run_they_surround() {
        let (start, end) = (t("2026-03-01T08:00:00Z"), t("2026-03-01T09:30:00Z"));
        let s = [session(RoutineKind::PreRun, "2026-03-01T06:20:00Z", 8)];
        let r = infer_for_run(start, end, &s);
        assert_eq!(r.pre_run_done, Some(true), "finished 1 h 32 min before the start");
        assert_eq!(r.post_run_done, None);
        let s = [session(RoutineKind::PreRun, "2026-03-01T05:40:00Z", 8)];
        assert_eq!(infer_for_run(start, end, &s).pre_run_done, None, "finished 2 h 12 min before: too early");
        let s = [session(RoutineKind::PostRun, "2026-03-01T12:20:00Z", 6)];
        assert_eq!(infer_for_run(start, end, &s).post_run_done, Some(true), "2 h 50 min after the end");
        let s = [session(RoutineKind::PostRun, "2026-03-01T12:40:00Z", 6)];
        assert_eq!(infer_for_run(start, end, &s).post_run_done, None, "3 h 10 min after: too late");
        let s = [session(RoutineKind::DailyMobility, "2026-03-01T07:30:00Z", 10)];
        assert_eq!(infer_for_run(start, end, &s), InferredRoutines::default(), "mobility is not a pre-run routine");
        let s = [session(RoutineKind::PostRun, "2026-03-01T07:00:00Z", 6)];
        assert_eq!(infer_for_run(start, end, &s).post_run_done, None, "a reset before the run is not after it");
    }
}
