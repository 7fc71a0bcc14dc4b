//! The clinician's dashboard over built journals: who needs a look first, and why; and a clinician's program
//! changes reaching the runner's plan through the gate and the plan cache.

use jiff::tz::TimeZone;
use jiff::{Span, Timestamp};
use runtall_app::clinic::{DashboardRow, attention_in, dashboard};
use runtall_app::plan::{PlanCache, PlanInputs};
use runtall_content::program;
use runtall_domain::assess::Score;
use runtall_domain::clinic::attention::{Level, ReasonKind};
use runtall_domain::clinic::{Change, DoseChange, ProgramChange};
use runtall_domain::plan;
use runtall_store::{Database, SqliteDatabase, Store};
use runtall_store_tests::fixtures::{assessment, pain, screening};

const NOW: &str = "2026-11-20T12:00:00Z";

fn t(s: &str) -> Timestamp {
    s.parse().expect("timestamp")
}

fn days_before(days: i64) -> Timestamp {
    t(NOW) - Span::new().hours(24 * days)
}

/// A runner screened clear and assessed five weeks ago with `baseline` pain, who has logged `recent` pain on
/// most of the last two weeks.
fn runner(store: &dyn Store, baseline: f64, recent: f64) {
    store.add_screening(&screening(&days_before(36).to_string(), &[])).expect("screen");
    let mut a = assessment(&days_before(35).to_string());
    a.assessment.baseline_pain = Score::new(baseline).expect("score");
    store.add_assessment(&a).expect("assessment");
    for d in 1..=12 {
        store.add_pain_report(&pain(&days_before(d).to_string(), recent, None)).expect("pain");
    }
}

fn row(db: &SqliteDatabase, name: &str, since: Timestamp, build: impl FnOnce(&dyn Store)) -> DashboardRow {
    let id = db.create_athlete(name).expect("athlete");
    let store = db.athlete(id).expect("handle");
    build(&store);
    let attention = attention_in(&store, t(NOW), since, &TimeZone::UTC).expect("attention");
    DashboardRow { athlete: id, name: name.into(), last_visit: Some(since), attention }
}

#[test]
fn the_worsening_runner_comes_first_with_the_reason_and_an_improving_runner_is_not_flagged() {
    let db = SqliteDatabase::in_memory().expect("db");
    let since = days_before(7);
    let rows = vec![
        row(&db, "Ana (improving)", since, |s| runner(s, 6.0, 2.0)),
        row(&db, "Ben (worse)", since, |s| runner(s, 3.0, 7.0)),
        row(&db, "Cai (steady)", since, |s| runner(s, 4.0, 4.0)),
    ];
    let sorted = dashboard(rows);
    let names: Vec<&str> = sorted.iter().map(|r| r.name.as_str()).collect();
    assert_eq!(names[0], "Ben (worse)", "{names:?}");
    let ben = &sorted[0].attention;
    assert_eq!(ben.level, Level::Soon);
    assert_eq!(ben.reasons[0].kind, ReasonKind::PainWorse);
    assert!(ben.reasons[0].text.contains("7.0") && ben.reasons[0].text.contains("3.0"), "{:?}", ben.reasons);
    assert_eq!(ben.reasons.len(), 1, "the see-a-PT prompt for the same worsening is not a second reason");

    let ana = sorted.iter().find(|r| r.name.starts_with("Ana")).expect("Ana");
    assert_eq!(ana.attention.level, Level::None, "{:?}", ana.attention.reasons);
    assert!(ana.attention.reasons.is_empty());
    // Five weeks with no change: the runner is told to see a physical therapist, and so is the clinician.
    let cai = sorted.iter().find(|r| r.name.starts_with("Cai")).expect("Cai");
    assert_eq!(cai.attention.reasons.iter().map(|r| r.kind).collect::<Vec<_>>(), [ReasonKind::SeeAPt]);
    assert_eq!(names, ["Ben (worse)", "Cai (steady)", "Ana (improving)"]);
}

#[test]
fn a_red_flag_screen_since_the_last_visit_always_comes_first_and_an_older_one_does_not_count() {
    let db = SqliteDatabase::in_memory().expect("db");
    let since = days_before(7);
    let flagged_at = days_before(2).to_string();
    let rows = vec![
        row(&db, "Ben (worse)", since, |s| runner(s, 3.0, 7.0)),
        row(&db, "Dee (flag)", since, |s| {
            runner(s, 6.0, 2.0);
            s.add_screening(&screening(&flagged_at, &["night-pain-that-wakes"])).expect("flagged screen");
        }),
        row(&db, "Eve (old flag)", days_before(1), |s| {
            runner(s, 6.0, 2.0);
            s.add_screening(&screening(&flagged_at, &["night-pain-that-wakes"])).expect("flagged screen");
        }),
    ];
    let sorted = dashboard(rows);
    assert_eq!(sorted[0].name, "Dee (flag)");
    let dee = &sorted[0].attention;
    assert_eq!((dee.level, dee.reasons[0].kind), (Level::Urgent, ReasonKind::RedFlagC));
    assert!(dee.reasons[0].text.contains("Red-flag screen"), "{:?}", dee.reasons);
    let eve = sorted.iter().find(|r| r.name.starts_with("Eve")).expect("Eve");
    assert_eq!(eve.attention.level, Level::None, "a flag seen before the last visit is not news");
}

#[test]
fn a_new_program_change_reaches_the_kept_plan_and_its_dose_grows_without_a_write() {
    let db = SqliteDatabase::in_memory().expect("db");
    let store = db.athlete(db.create_athlete("Ana").expect("athlete")).expect("handle");
    runner(&store, 5.0, 4.0);
    let cache = PlanCache::default();
    let current = |now: Timestamp| {
        let perm = runtall_app::safety::permissions_at(program(), &store, now).expect("permissions");
        let screen = store.latest_screening().expect("screen");
        let a = store.latest_assessment().expect("read").expect("assessment");
        let inputs = PlanInputs::of(screen.as_ref(), &a, &perm);
        let build =
            || plan::build(program(), &a.assessment, &perm).map_err(|e| runtall_app::AppError::State(e.to_string()));
        cache.current(&store, inputs, build, now).expect("plan")
    };
    let first = current(t(NOW));
    assert!(first.plan.clinician.is_empty());
    let dose = ProgramChange {
        key: "pc-1".into(),
        at: t(NOW),
        by: "Ines Ferreira, PT".into(),
        change: Change::Dose {
            exercise: "chin-tuck".into(),
            dose: DoseChange {
                reps: Some(6),
                weekly: Some(runtall_domain::clinic::Progression { reps: 2, ..Default::default() }),
                ..DoseChange::default()
            },
            note: None,
        },
    };
    store.add_program_change(&dose).expect("change");
    let second = current(t(NOW));
    assert_eq!(second.plan.clinician.doses.len(), 1, "the cache noticed the new change");
    assert_eq!(second.plan.clinician.doses[0].set.reps, Some(6));
    assert_ne!(second.id, first.id, "a plan with a clinician's change is a new plan in the history");
    // A week later nothing was written, but the progression moved the dose on.
    let later = current(t(NOW) + Span::new().hours(24 * 8));
    assert_eq!(later.plan.clinician.doses[0].set.reps, Some(8));
}

#[test]
fn a_change_the_gate_keeps_out_is_stored_once_and_reported_back() {
    let db = SqliteDatabase::in_memory().expect("db");
    let store = db.athlete(db.create_athlete("Ana").expect("athlete")).expect("handle");
    runner(&store, 5.0, 4.0);
    store.add_screening(&screening(&days_before(1).to_string(), &["night-pain-that-wakes"])).expect("flag");
    let perm = runtall_app::safety::permissions_at(program(), &store, t(NOW)).expect("permissions");
    let held = perm
        .exercises
        .iter()
        .find(|d| matches!(d.verdict, runtall_domain::safety::ExerciseVerdict::LeftOut { .. }))
        .expect("the reduced program holds something back")
        .id
        .clone();
    let key = runtall_app::clinic::new_key("pc", 7, t(NOW));
    let on = ProgramChange {
        key: key.clone(),
        at: t(NOW),
        by: "Ines Ferreira, PT".into(),
        change: Change::ExerciseOn { exercise: held, note: None },
    };
    let outcome = runtall_app::clinic::change_program(program(), &store, &on, t(NOW)).expect("change");
    assert!(outcome.new);
    assert!(outcome.refused.as_deref().is_some_and(|r| r.contains("safety check")), "{outcome:?}");
    let again = runtall_app::clinic::change_program(program(), &store, &on, t(NOW)).expect("again");
    assert!(!again.new, "sent twice, stored once");
    assert_eq!(store.program_changes().expect("changes").len(), 1);
    assert_ne!(runtall_app::clinic::new_key("pc", 7, t(NOW)), key, "keys made in the same instant differ");
}

#[test]
fn adherence_falling_over_the_last_two_complete_weeks_is_a_reason_and_steady_adherence_is_not() {
    use runtall_store_tests::fixtures::{day, plan};
    let db = SqliteDatabase::in_memory().expect("db");
    let since = days_before(7);
    let journal = |s: &dyn Store, stopped_days_ago: Option<i64>| {
        runner(s, 5.0, 4.0);
        s.add_plan(&plan(&days_before(42).to_string(), None, None)).expect("plan");
        for d in 1..=41 {
            let on = (t(NOW) - Span::new().hours(24 * d)).to_zoned(TimeZone::UTC).date().to_string();
            s.put_day_log(&day(&on, stopped_days_ago.is_none_or(|x| d > x))).expect("day");
        }
    };
    let rows = vec![
        row(&db, "Fay (stopped)", since, |s| journal(s, Some(16))),
        row(&db, "Gus (steady)", since, |s| journal(s, None)),
    ];
    let fay = &rows[0].attention;
    let kinds: Vec<ReasonKind> = fay.reasons.iter().map(|r| r.kind).collect();
    assert!(kinds.contains(&ReasonKind::AdherenceFalling), "{:?}", fay.reasons);
    let text = &fay.reasons.iter().find(|r| r.kind == ReasonKind::AdherenceFalling).expect("reason").text;
    assert!(text.contains("last 2 weeks"), "{text}");
    let gus = &rows[1].attention;
    assert!(!gus.reasons.iter().any(|r| r.kind == ReasonKind::AdherenceFalling), "{:?}", gus.reasons);
    assert_eq!(dashboard(rows)[0].name, "Fay (stopped)");
}

#[test]
fn the_attention_cache_notices_a_new_pain_report_and_a_new_visit() {
    let db = SqliteDatabase::in_memory().expect("db");
    let store = db.athlete(db.create_athlete("Ana").expect("athlete")).expect("handle");
    runner(&store, 5.0, 5.0);
    let cache = runtall_app::clinic::AttentionCache::default();
    let since = days_before(7);
    let calm = cache.attention(&store, t(NOW), since).expect("attention");
    assert!(!calm.reasons.iter().any(|r| r.kind == ReasonKind::PainWorse));
    assert_eq!(cache.attention(&store, t(NOW), since).expect("again"), calm, "same journal, same answer");
    for d in 1..=12 {
        store.add_pain_report(&pain(&days_before(d).to_string(), 9.0, None)).expect("pain");
    }
    let worse = cache.attention(&store, t(NOW), since).expect("attention");
    assert_eq!(worse.reasons[0].kind, ReasonKind::PainWorse, "the new reports are seen: {:?}", worse.reasons);
    store.add_screening(&screening(&days_before(3).to_string(), &["night-pain-that-wakes"])).expect("flag");
    let flagged = cache.attention(&store, t(NOW), since).expect("attention");
    assert_eq!(flagged.reasons[0].kind, ReasonKind::RedFlagC);
    let after_visit = cache.attention(&store, t(NOW), days_before(1)).expect("attention");
    assert!(!after_visit.reasons.iter().any(|r| r.kind == ReasonKind::RedFlagC), "a visit since the flag");
}

#[test]
fn an_experiment_stopped_since_the_last_visit_is_a_reason_to_discuss() {
    use runtall_app::experiments::{DesignChoice, design, factor, start, stop};
    use runtall_insights::ExperimentUnit;
    let db = SqliteDatabase::in_memory().expect("db");
    let store = db.athlete(db.create_athlete("Ana").expect("athlete")).expect("handle");
    runner(&store, 5.0, 2.0);
    let today = t(NOW).to_zoned(TimeZone::UTC).date();
    let d = design(factor("pre-run-breathing").expect("factor"), ExperimentUnit::Runs, 7, DesignChoice::default())
        .expect("design");
    start(&store, d, today.checked_sub(Span::new().days(20)).expect("date")).expect("start");
    let before = attention_in(&store, t(NOW), days_before(7), &TimeZone::UTC).expect("attention");
    assert!(!before.reasons.iter().any(|r| r.kind == ReasonKind::ExperimentFinished), "still running");
    stop(&store, today).expect("stop");
    let after = attention_in(&store, t(NOW), days_before(7), &TimeZone::UTC).expect("attention");
    let reason = after.reasons.iter().find(|r| r.kind == ReasonKind::ExperimentFinished).expect("finished");
    assert!(reason.text.contains("the pre-run breathing routine and no routine"), "{}", reason.text);
    assert_eq!(after.level, Level::Info, "{:?}", after.reasons);
    let next_visit =
        attention_in(&store, t(NOW) + Span::new().hours(48), t(NOW) + Span::new().hours(24), &TimeZone::UTC)
            .expect("attention");
    assert!(!next_visit.reasons.iter().any(|r| r.kind == ReasonKind::ExperimentFinished), "seen at the last visit");
}
