//! Self-experiments fed from the stored journal: run experiments from each run's context, day experiments from
//! the day log, both with pain from the linked or same-day reports.

use jiff::Timestamp;
use jiff::civil::{Date, date};
use runtall_app::experiments::{self, status};
use runtall_domain::journal_format::from_jsonl;
use runtall_insights::{Condition, ExperimentDesign, ExperimentFactor, ExperimentUnit};
use runtall_store::{SqliteStore, Store};

/// A store whose runner has screened clear and taken the sample assessment (foam roller owned): experiments ask
/// the safety gate before they start.
fn store() -> (tempfile::TempDir, SqliteStore) {
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open(&dir.path().join("t.db")).unwrap();
    let program = runtall_domain::content::program();
    let answers = runtall_domain::screen::ScreenAnswers::all_no(program);
    let outcome = runtall_domain::screen::evaluate(program, &answers).unwrap();
    let at: Timestamp = "2026-09-01T08:00:00Z".parse().unwrap();
    let screening = runtall_domain::screen::ScreeningRecord {
        id: None,
        taken_at: at,
        answers,
        outcome,
        clinician_checked_at: None,
    };
    store.add_screening(&screening).unwrap();
    let text = include_str!("../../../examples/assessment.toml");
    let assessment = runtall_domain::assess::parse_answers("assessment.toml", text).unwrap();
    store.add_assessment(&runtall_domain::assess::AssessmentRecord { id: None, taken_at: at, assessment }).unwrap();
    (dir, store)
}

fn journal(store: &dyn Store, lines: &[String]) {
    let j = from_jsonl("test.jsonl", &lines.join("\n"), "2026-12-31T00:00:00Z".parse::<Timestamp>().unwrap()).unwrap();
    runtall_app::journal_file::import(store, &j).unwrap();
}

fn day(d: Date, mobility: bool) -> String {
    format!(
        r#"{{"type":"day","date":"{d}","sitting_h":null,"longest_sitting_h":null,"car_h":null,"sleep_h":null,"stress":null,"strength_done":false,"mobility_done":{mobility},"relief":[],"magnesium_mg":null}}"#
    )
}

fn pain(at: &str, intensity: u8, run: Option<&str>) -> String {
    let run = run.map(|r| format!("\"{r}\"")).unwrap_or_else(|| "null".into());
    format!(
        r#"{{"type":"pain","at":"{at}","timing":"right-after","region":"neck","intensity":{intensity}.0,"run":{run},"notes":null}}"#
    )
}

fn run(key: &str, d: Date, pack: bool) -> String {
    format!(
        r#"{{"type":"run","key":"{key}","start":"{d}T07:00:00Z","sport":"running","label":"long","distance_m":18000.0,"moving_s":6000.0,"elapsed_s":6100.0,"name":null,"pack":{pack},"surface":null,"ate_within_2h":null,"pre_run_done":null,"post_run_done":null}}"#
    )
}

#[test]
fn a_foam_roller_experiment_counts_days_from_the_day_log_and_skips_empty_days() {
    let (_dir, store) = store();
    let start = date(2026, 11, 1);
    let design = ExperimentDesign::recommended(ExperimentFactor::FoamRoller, ExperimentUnit::Days, 7);
    let mut lines = Vec::new();
    // Days 0–19 kept as assigned, except day 5 (logged the other way) and day 9 (nothing logged at all). Pain 5
    // on "usual" days, 1 on "change" days.
    for i in 0..20u32 {
        let d = start + jiff::Span::new().days(i64::from(i));
        if i == 9 {
            continue;
        }
        let change = design.assignment(i).condition == Condition::Change;
        let kept = if i == 5 { !change } else { change };
        lines.push(day(d, kept));
        lines.push(pain(&format!("{d}T20:00:00Z"), if change { 1 } else { 5 }, None));
    }
    journal(&store, &lines);
    experiments::start(&store, design, start).unwrap();
    // "Today" is day 20: days 0–19 are over.
    let s = status(&store, start + jiff::Span::new().days(20), true).unwrap().expect("running");
    assert_eq!(s.experiment.observations.len(), 19, "day 9 had nothing logged");
    assert_eq!(s.result.adherence.followed, 18, "day 5 was logged the other way");
    assert_eq!(s.result.units_done, 20);
    let d = s.result.mean_pain_difference.expect("an estimate after 20 of 24 days, shown early");
    assert!(d.estimate < -2.0, "pain is lower on foam-roller days: {d:?}");
    // Reading again adds nothing new; a later day does.
    let again = status(&store, start + jiff::Span::new().days(20), true).unwrap().expect("running");
    assert_eq!(again.experiment.observations.len(), 19);
    journal(&store, &[day(start + jiff::Span::new().days(20), true)]);
    let later = status(&store, start + jiff::Span::new().days(22), false).unwrap().expect("running");
    assert_eq!(later.experiment.observations.len(), 20);
}

#[test]
fn a_pack_experiment_records_each_run_by_its_context_and_pain() {
    let (_dir, store) = store();
    let start = date(2026, 10, 1);
    let design = ExperimentDesign::recommended(ExperimentFactor::Pack, ExperimentUnit::Runs, 11);
    let mut lines = Vec::new();
    for i in 0..12u32 {
        let d = start + jiff::Span::new().days(i64::from(i) * 3);
        let change = design.assignment(i).condition == Condition::Change;
        let key = format!("r{i}");
        // Run 4 was done with the pack although the schedule said to leave it.
        let pack = if i == 4 { true } else { !change };
        lines.push(run(&key, d, pack));
        lines.push(pain(&format!("{d}T10:00:00Z"), if pack { 6 } else { 1 }, Some(&key)));
    }
    // A run before the start is not part of it.
    lines.push(run("before", start - jiff::Span::new().days(2), true));
    journal(&store, &lines);
    experiments::start(&store, design, start).unwrap();
    let s = status(&store, date(2026, 11, 30), false).unwrap().expect("running");
    assert_eq!(s.result.units_done, 12);
    let followed = s.result.adherence.followed;
    let change_at_4 = s.experiment.design.assignment(4).condition == Condition::Change;
    assert_eq!(followed, if change_at_4 { 11 } else { 12 }, "run 4 only breaks the schedule on a change block");
    assert!(s.result.mean_pain_difference.is_some(), "ready at the minimum length: {}", s.result.sentence);
    // One at a time; stopping keeps the result.
    let second = ExperimentDesign::recommended(ExperimentFactor::Surface, ExperimentUnit::Runs, 1);
    assert!(experiments::start(&store, second, date(2026, 11, 30)).is_err());
    assert!(experiments::history(&store).unwrap().is_empty(), "nothing finished yet");
    let result = experiments::stop(&store, date(2026, 11, 30)).unwrap();
    assert!(result.stopped);
    assert!(status(&store, date(2026, 11, 30), false).unwrap().is_none());
    // The finished experiment stays readable with its verdict, and a next one can start.
    let past = experiments::history(&store).unwrap();
    assert_eq!(past.len(), 1);
    assert_eq!(past[0].experiment.design.factor, ExperimentFactor::Pack);
    assert_eq!(past[0].result.sentence, result.sentence);
    let next = ExperimentDesign::recommended(ExperimentFactor::Surface, ExperimentUnit::Runs, 2);
    experiments::start(&store, next, date(2026, 12, 1)).unwrap();
    assert_eq!(experiments::history(&store).unwrap().len(), 1, "the running one is not history");
}
