//! Recording what the runner completed: guided sessions (stored, and ticked in the journal) and breathing-course
//! lessons.
//!
//! The terminal player (`runtall guide`) and the browser player both end here, so a session counts the same way
//! wherever it was played: one `routine_sessions` row per session (checkpoints and the final record share its
//! start as key), and a completed daily-mobility or rest-day-strength session ticks that day's log. Lesson
//! progress is shared the same way by `runtall learn` and the web course page.

use crate::{AppError, Result};
use jiff::civil::Date;
use jiff::{SignedDuration, Timestamp};
use runtall_domain::content::{Lesson, Program, RoutineKind};
use runtall_domain::journal::{DayLog, PainTiming, RunContext};
use runtall_store::Store;
use serde::Serialize;

/// Stores a session record under its start as the front end saw it: every checkpoint of one session overwrites
/// the same row, so a session cut short still leaves what was done.
pub fn save_session(
    store: &dyn Store,
    started_at: Timestamp,
    routine_id: &str,
    all_completed: bool,
    record: &serde_json::Value,
) -> Result<()> {
    Ok(store.put_session(started_at, routine_id, all_completed, record)?)
}

/// A completed daily-mobility or rest-day-strength session ticks `today`'s day log, as logging it by hand would.
/// Other kinds are left alone (pre- and post-run routines belong to a run, see [`record_completion`]). Returns
/// whether the log was ticked.
pub fn tick_day_log(store: &dyn Store, kind: RoutineKind, today: Date) -> Result<bool> {
    if !matches!(kind, RoutineKind::DailyMobility | RoutineKind::RestDayStrength) {
        return Ok(false);
    }
    let mut day = store.day_logs(today, today)?.into_iter().next().unwrap_or_else(|| DayLog::empty(today));
    match kind {
        RoutineKind::DailyMobility => day.mobility_done = true,
        _ => day.strength_done = true,
    }
    store.put_day_log(&day)?;
    Ok(true)
}

/// What recording a completed routine did.
#[derive(Debug, Clone, Serialize)]
pub struct Completion {
    pub recorded: bool,
    /// `day` (day log), `run` (run context) or nothing.
    pub stored_in: Option<&'static str>,
    pub run_id: Option<i64>,
    pub message: String,
}

/// The run a pre- or post-run routine done at `now` belongs to, linked by time as pain reports are.
pub fn linked_run(store: &dyn Store, kind: RoutineKind, now: Timestamp) -> Result<Option<i64>> {
    let timing = if kind == RoutineKind::PreRun { PainTiming::Before } else { PainTiming::RightAfter };
    crate::run_link::nearest_within(store, now, timing, SignedDuration::from_hours(12), 20)
}

/// Records a completed routine in the journal by kind: daily mobility and rest-day strength tick `today`'s day
/// log; pre- and post-run routines tick the run context of `run` (or the run linked by time). An unknown `run`
/// is the runner's error ([`AppError::State`], naming the run).
pub fn record_completion(
    store: &dyn Store,
    kind: RoutineKind,
    name: &str,
    run: Option<i64>,
    now: Timestamp,
    today: Date,
) -> Result<Completion> {
    match kind {
        RoutineKind::DailyMobility | RoutineKind::RestDayStrength => {
            tick_day_log(store, kind, today)?;
            Ok(Completion {
                recorded: true,
                stored_in: Some("day"),
                run_id: None,
                message: format!("{name} done: recorded in today's log ({today})."),
            })
        }
        RoutineKind::PreRun | RoutineKind::PostRun => {
            let run_id = match run {
                Some(id) => {
                    store.activity(id)?.ok_or_else(|| AppError::State(format!("no run with id {id}")))?;
                    Some(id)
                }
                None => linked_run(store, kind, now)?,
            };
            let Some(run_id) = run_id else {
                let which = if kind == RoutineKind::PreRun { "pre-run routine" } else { "post-run reset" };
                return Ok(Completion {
                    recorded: false,
                    stored_in: None,
                    run_id: None,
                    message: format!(
                        "{name} done. There is no run near this time to attach it to yet: once the run is imported, \
                         tick \"{which} done\" on its page."
                    ),
                });
            };
            let mut ctx = store.run_context(run_id)?.unwrap_or(RunContext::empty(run_id));
            if kind == RoutineKind::PreRun {
                ctx.pre_run_done = Some(true);
            } else {
                ctx.post_run_done = Some(true);
            }
            store.put_run_context(&ctx)?;
            Ok(Completion {
                recorded: true,
                stored_in: Some("run"),
                run_id: Some(run_id),
                message: format!("{name} done: recorded with run #{run_id}."),
            })
        }
        RoutineKind::DeskBreak | RoutineKind::Travel => Ok(Completion {
            recorded: false,
            stored_in: None,
            run_id: None,
            message: format!("{name} done. Well done — the journal does not track these, so nothing was saved."),
        }),
    }
}

/// A lesson by id or by number (`runtall learn 3`, `/learn/3`).
pub fn find_lesson<'p>(program: &'p Program, key: &str) -> Option<&'p Lesson> {
    match key.parse::<u32>() {
        Ok(n) => program.lessons.iter().find(|l| l.number == n),
        Err(_) => program.lesson(key),
    }
}

/// One lesson of the course with its mark.
#[derive(Debug, Clone, Serialize)]
pub struct LessonMark {
    pub id: String,
    pub number: u32,
    pub title: String,
    pub minutes: u32,
    pub done_at: Option<Timestamp>,
}

/// Where the runner stands in the breathing course.
#[derive(Debug, Clone, Serialize)]
pub struct CourseProgress {
    pub done: usize,
    pub total: usize,
    /// The first lesson not done yet, in course order; `None` when all are done.
    pub next: Option<LessonMark>,
    pub lessons: Vec<LessonMark>,
}

impl CourseProgress {
    /// "3 of 8 lessons done".
    pub fn summary(&self) -> String {
        format!("{} of {} lessons done", self.done, self.total)
    }
}

/// The course with the stored marks. Marks of lessons no longer in the content are ignored.
pub fn course_progress(store: &dyn Store, program: &Program) -> Result<CourseProgress> {
    let marks = store.lessons_done()?;
    let mut lessons: Vec<LessonMark> = program
        .lessons
        .iter()
        .map(|l| LessonMark {
            id: l.id.clone(),
            number: l.number,
            title: l.title.clone(),
            minutes: l.minutes,
            done_at: marks.iter().find(|m| m.lesson_id == l.id).map(|m| m.done_at),
        })
        .collect();
    lessons.sort_by_key(|l| l.number);
    let done = lessons.iter().filter(|l| l.done_at.is_some()).count();
    let next = lessons.iter().find(|l| l.done_at.is_none()).cloned();
    Ok(CourseProgress { done, total: lessons.len(), next, lessons })
}

/// Marks a lesson done at `now` (or clears the mark) and returns the course progress after it.
pub fn mark_lesson(
    store: &dyn Store,
    program: &Program,
    lesson: &Lesson,
    done: bool,
    now: Timestamp,
) -> Result<CourseProgress> {
    store.set_lesson_done(&lesson.id, done.then_some(now))?;
    course_progress(store, program)
}

#[cfg(test)]
mod tests {
    use super::*;
    use runtall_domain::content::program;
    use runtall_store::SqliteStore;

    fn date(s: &str) -> Date {
        s.parse().expect("date")
    }

    #[test]
    fn only_mobility_and_strength_tick_the_day_log_and_other_fields_are_kept() {
        let store = SqliteStore::in_memory().expect("store");
        let day = date("2026-11-02");
        let mut log = DayLog::empty(day);
        log.magnesium_mg = Some(100);
        store.put_day_log(&log).expect("log");
        assert!(!tick_day_log(&store, RoutineKind::DeskBreak, day).expect("tick"));
        assert!(!tick_day_log(&store, RoutineKind::PreRun, day).expect("tick"));
        assert!(tick_day_log(&store, RoutineKind::DailyMobility, day).expect("tick"));
        assert!(tick_day_log(&store, RoutineKind::RestDayStrength, day).expect("tick"));
        let stored = store.day_logs(day, day).expect("read").remove(0);
        assert!(stored.mobility_done && stored.strength_done);
        assert_eq!(stored.magnesium_mg, Some(100));
    }

    #[test]
    fn a_pre_run_routine_with_an_unknown_run_is_the_runners_error() {
        let store = SqliteStore::in_memory().expect("store");
        let e =
            record_completion(&store, RoutineKind::PreRun, "Pre-run", Some(9), Timestamp::now(), date("2026-11-02"))
                .expect_err("unknown run");
        assert!(matches!(e, AppError::State(ref m) if m.contains("no run with id 9")), "{e}");
        let c = record_completion(&store, RoutineKind::PostRun, "Reset", None, Timestamp::now(), date("2026-11-02"))
            .expect("no run near");
        assert!(!c.recorded && c.message.contains("no run near"));
    }

    #[test]
    fn course_progress_counts_marks_and_points_at_the_first_lesson_not_done() {
        let p = program();
        let store = SqliteStore::in_memory().expect("store");
        let fresh = course_progress(&store, p).expect("progress");
        assert_eq!((fresh.done, fresh.total), (0, p.lessons.len()));
        assert_eq!(fresh.next.as_ref().map(|l| l.number), Some(1));
        let first = find_lesson(p, "1").expect("lesson 1");
        let third = find_lesson(p, "3").expect("lesson 3");
        assert_eq!(find_lesson(p, &third.id).map(|l| l.number), Some(3));
        assert!(find_lesson(p, "99").is_none() && find_lesson(p, "nope").is_none());
        mark_lesson(&store, p, third, true, Timestamp::now()).expect("mark");
        let after = mark_lesson(&store, p, first, true, Timestamp::now()).expect("mark");
        assert_eq!(after.done, 2);
        assert_eq!(after.summary(), format!("2 of {} lessons done", p.lessons.len()));
        assert_eq!(after.next.as_ref().map(|l| l.number), Some(2));
        let undone = mark_lesson(&store, p, first, false, Timestamp::now()).expect("clear");
        assert_eq!((undone.done, undone.next.map(|l| l.number)), (1, Some(1)));
        // A mark for a lesson that left the content is ignored.
        store.set_lesson_done("retired-lesson", Some(Timestamp::now())).expect("mark");
        assert_eq!(course_progress(&store, p).expect("progress").done, 1);
    }
}
