//! Adherence, guided sessions matched to runs, and the functional-scale re-score, over a real SQLite store.

use jiff::Timestamp;
use jiff::civil::{Date, date};
use jiff::tz::TimeZone;
use runtall_app::progress::{adherence, progress_in, psfs_due, rescore_psfs};
use runtall_domain::assess::{AssessmentRecord, parse_answers};
use runtall_domain::journal_format::from_jsonl;
use runtall_domain::plan::{DayPlan, Mode, Plan, PlanRecord, Weekday};
use runtall_store::{SqliteStore, Store};

const ASSESSMENT: &str = include_str!("../../../examples/assessment.toml");

fn t(s: &str) -> Timestamp {
    s.parse().unwrap()
}

fn store() -> (tempfile::TempDir, SqliteStore) {
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open(&dir.path().join("t.db")).unwrap();
    (dir, store)
}

/// A plan whose week asks for strength on Monday and Thursday and mobility every day.
fn plan_at(store: &dyn Store, at: &str) {
    let week = Weekday::ALL
        .iter()
        .map(|d| {
            let mut routines = vec!["daily-mobility".to_string()];
            if matches!(d, Weekday::Mon | Weekday::Thu) {
                routines.push("rest-day-strength".into());
            }
            DayPlan { day: *d, run: None, routines, notes: vec![] }
        })
        .collect();
    let plan = Plan {
        mode: Mode::Full,
        open_flags: vec![],
        items: vec![],
        week,
        excluded: vec![],
        routine_seconds: Default::default(),
        safety: None,
        review_in_days: 14,
        baseline_pain: 5.0,
        baseline_psfs: 5.0,
        clinician: Default::default(),
    };
    store.add_plan(&PlanRecord { id: None, created_at: t(at), screening_id: None, assessment_id: None, plan }).unwrap();
}

fn journal(store: &dyn Store, lines: &[&str]) {
    let j = from_jsonl("test.jsonl", &lines.join("\n"), t("2026-04-01T00:00:00Z")).unwrap();
    runtall_app::journal_file::import(store, &j).unwrap();
}

fn run_line(key: &str, start: &str, pre: &str, post: &str) -> String {
    format!(
        r#"{{"type":"run","key":"{key}","start":"{start}","sport":"running","label":"easy","distance_m":8000.0,"moving_s":3000.0,"elapsed_s":3600.0,"name":null,"pack":null,"surface":null,"ate_within_2h":null,"pre_run_done":{pre},"post_run_done":{post}}}"#
    )
}

fn day_line(d: &str, strength: bool, mobility: bool) -> String {
    format!(
        r#"{{"type":"day","date":"{d}","sitting_h":8.0,"longest_sitting_h":null,"car_h":null,"sleep_h":null,"stress":null,"strength_done":{strength},"mobility_done":{mobility},"relief":[],"magnesium_mg":null}}"#
    )
}

fn session(store: &dyn Store, routine: &str, start: &str, minutes: i64, completed: bool) {
    let started = t(start);
    let ended = started + jiff::SignedDuration::from_mins(minutes);
    let record =
        serde_json::json!({ "id": routine, "started_at": started, "ended_at": ended, "elapsed_s": minutes * 60 });
    store.put_session(started, routine, completed, &record).unwrap();
}

/// Two weeks of a plan made on Monday 2 March 2026, with runs, day logs and guided sessions.
fn season(store: &dyn Store) {
    plan_at(store, "2026-03-02T08:00:00Z");
    let lines = [
        run_line("before-plan", "2026-02-20T07:00:00Z", "true", "true"),
        // r1: nothing logged by hand; guided pre-run before and post-run reset after.
        run_line("r1", "2026-03-03T07:00:00Z", "null", "null"),
        // r2: the runner said no pre-run routine (that wins over the session) and left the reset open.
        run_line("r2", "2026-03-05T07:00:00Z", "false", "null"),
        run_line("r3", "2026-03-10T07:00:00Z", "true", "true"),
        day_line("2026-03-02", true, true),
        day_line("2026-03-03", false, true),
        // Strength on Friday instead of Thursday still counts for the week.
        day_line("2026-03-06", true, false),
        day_line("2026-03-10", false, false),
    ];
    journal(store, &lines.iter().map(String::as_str).collect::<Vec<_>>());
    session(store, "pre-run-standard", "2026-03-03T06:30:00Z", 10, true);
    session(store, "post-run-reset", "2026-03-03T08:30:00Z", 6, true);
    session(store, "pre-run-standard", "2026-03-05T06:30:00Z", 10, true);
    session(store, "daily-mobility", "2026-03-04T19:00:00Z", 10, true);
    // Stopped halfway: not a completed routine.
    session(store, "daily-mobility", "2026-03-07T19:00:00Z", 10, false);
}

#[test]
fn adherence_joins_plan_logs_and_guided_sessions_week_by_week() {
    let (_dir, store) = store();
    season(&store);
    let a = adherence(&store, date(2026, 3, 15), &TimeZone::UTC).unwrap();
    assert_eq!(a.since, Some(date(2026, 3, 2)));
    assert_eq!(a.weeks.len(), 2);
    let w1 = &a.weeks[0];
    assert_eq!((w1.pre_run.planned, w1.pre_run.done), (2, 1), "r1 by session; r2's hand-logged no wins");
    assert_eq!((w1.post_run.planned, w1.post_run.done, w1.post_run.unrecorded), (2, 1, 1));
    assert_eq!((w1.strength.planned, w1.strength.done), (2, 2), "Monday and the moved Thursday session");
    assert_eq!((w1.mobility.planned, w1.mobility.done, w1.mobility.unrecorded), (7, 3, 2));
    assert_eq!((w1.total.planned, w1.total.done), (13, 7));
    let w2 = &a.weeks[1];
    assert_eq!((w2.total.planned, w2.total.done), (10, 2), "today's mobility is not missed yet");
    let s = a.summary.as_ref().expect("data");
    assert_eq!((s.planned, s.done), (23, 9));
    assert!((s.share.unwrap() - 9.0 / 23.0).abs() < 1e-9);
    assert!(
        a.sentence.starts_with("Since your plan of 2026-03-02: 9 of 23 planned routines done (39%)"),
        "{}",
        a.sentence
    );
    assert!(a.notes.iter().any(|n| n.contains("nothing logged either way")), "{:?}", a.notes);
    // Mid-week, today's routines are not missed yet: Thursday 12 March counts Mon–Wed plus today only if done.
    let a = adherence(&store, date(2026, 3, 12), &TimeZone::UTC).unwrap();
    let w2 = &a.weeks[1];
    assert_eq!((w2.strength.planned, w2.mobility.planned), (1, 3), "Thursday's strength and mobility not yet due");
}

#[test]
fn adherence_is_honest_without_a_plan_or_without_data() {
    let (_dir, store) = store();
    let a = adherence(&store, date(2026, 3, 15), &TimeZone::UTC).unwrap();
    assert!(a.summary.is_none() && a.since.is_none());
    assert!(a.sentence.starts_with("No plan yet"), "{}", a.sentence);
    plan_at(&store, "2026-03-02T08:00:00Z");
    let a = adherence(&store, date(2026, 3, 15), &TimeZone::UTC).unwrap();
    assert!(a.summary.is_none(), "nothing logged is unknown, not 0%");
    assert!(a.sentence.contains("adherence is unknown (not 0%)"), "{}", a.sentence);
}

#[test]
fn guided_sessions_fill_open_pre_and_post_run_answers_in_the_observations() {
    let (_dir, store) = store();
    season(&store);
    let obs = runtall_app::observations(&store).unwrap();
    let on = |d: Date| obs.iter().find(|(_, o)| o.date == d).unwrap();
    let (r1_id, r1) = on(date(2026, 3, 3));
    assert_eq!((r1.context.pre_run_routine_done, r1.context.post_run_reset_done), (Some(true), Some(true)));
    let (_, r2) = on(date(2026, 3, 5));
    assert_eq!(
        (r2.context.pre_run_routine_done, r2.context.post_run_reset_done),
        (Some(false), None),
        "the hand-logged no wins; no session after the run leaves the reset open"
    );
    // The stored context is untouched: inference happens at read time.
    let stored = store.run_context(*r1_id).unwrap();
    assert!(stored.is_none_or(|c| c.pre_run_done.is_none() && c.post_run_done.is_none()));
}

fn assess_at(store: &dyn Store, at: &str) -> AssessmentRecord {
    let assessment = parse_answers("assessment.toml", ASSESSMENT).unwrap();
    let mut r = AssessmentRecord { id: None, taken_at: t(at), assessment };
    r.id = Some(store.add_assessment(&r).unwrap());
    r
}

#[test]
fn psfs_rescore_changes_only_the_ratings_and_progress_judges_the_change() {
    let (_dir, store) = store();
    let first = assess_at(&store, "2026-03-01T09:00:00Z");
    let today = date(2026, 3, 16);
    let due = psfs_due(&store, today, &TimeZone::UTC).unwrap().unwrap();
    assert!(due.due_now && due.next_due == date(2026, 3, 15), "{due:?}");
    let p = progress_in(&store, today, &TimeZone::UTC).unwrap();
    assert!(p.psfs.change.is_none(), "not re-scored yet");

    // Baseline 4, 5, 7: +2, +2, +1 is 1.7 on the mean, below the bar of 2.
    let r = rescore_psfs(&store, &[6.0, 7.0, 8.0], t("2026-03-16T09:00:00Z")).unwrap();
    assert_eq!(r.assessment.exposures, first.assessment.exposures);
    assert_eq!(r.assessment.psfs[0].activity, first.assessment.psfs[0].activity);
    let p = progress_in(&store, today, &TimeZone::UTC).unwrap();
    let c = p.psfs.change.as_ref().unwrap();
    assert!(!c.meaningful && (c.change - 5.0 / 3.0).abs() < 1e-9, "{c:?}");
    assert_eq!(p.psfs.compared_with, Some(date(2026, 3, 1)));
    assert!(!p.psfs.next.due_now);
    assert!(!psfs_due(&store, today, &TimeZone::UTC).unwrap().unwrap().due_now);

    // +4 on the first activity is a real change even though the mean moved by less than 2.
    rescore_psfs(&store, &[8.0, 5.0, 7.0], t("2026-03-30T09:00:00Z")).unwrap();
    let p = progress_in(&store, date(2026, 3, 30), &TimeZone::UTC).unwrap();
    assert!(p.psfs.change.unwrap().meaningful);

    let e = rescore_psfs(&store, &[6.0, 7.0], t("2026-03-30T10:00:00Z")).unwrap_err().to_string();
    assert!(e.contains("2 ratings given for 3 activities"), "{e}");
    let e = rescore_psfs(&store, &[11.0, 7.0, 7.0], t("2026-03-30T10:00:00Z")).unwrap_err().to_string();
    assert!(e.starts_with("psfs[1] (Run 90 minutes without neck pain): 11"), "{e}");
    assert_eq!(store.assessments().unwrap().len(), 3, "failed re-scores store nothing");
}

#[test]
fn experiment_design_choices_are_checked_and_name_the_field() {
    use runtall_app::experiments::{DesignChoice, design};
    use runtall_insights::{ExperimentFactor, ExperimentUnit};
    let d = design(ExperimentFactor::Pack, ExperimentUnit::Runs, 1, DesignChoice::default()).unwrap();
    assert_eq!((d.block_length, d.min_units(), d.washout), (2, 12, 0), "the recommended design");
    let choice = DesignChoice { block_length: Some(3), min_units: Some(20), washout: Some(1) };
    let d = design(ExperimentFactor::Pack, ExperimentUnit::Runs, 1, choice).unwrap();
    assert_eq!((d.block_length, d.min_units(), d.washout), (3, 24, 1));
    // Days default to a 1-day wash-out; with 1-day blocks it shrinks to 0 instead of failing.
    let choice = DesignChoice { block_length: Some(1), ..Default::default() };
    assert_eq!(design(ExperimentFactor::FoamRoller, ExperimentUnit::Days, 1, choice).unwrap().washout, 0);
    let err = |c: DesignChoice| design(ExperimentFactor::Pack, ExperimentUnit::Runs, 1, c).unwrap_err().to_string();
    assert!(err(DesignChoice { block_length: Some(0), ..Default::default() }).starts_with("block_length: 0"));
    assert!(err(DesignChoice { washout: Some(2), ..Default::default() }).starts_with("washout: 2 must be less"));
    assert!(err(DesignChoice { min_units: Some(4), ..Default::default() }).starts_with("min_units: 4"));
}
