//! Records the cases store: small, valid domain values built the way the front ends build them.

use jiff::Timestamp;
use jiff::civil::Date;
use runtall_domain::activity::{Activity, Samples, SourceFile, Sport};
use runtall_domain::assess::{Assessment, AssessmentRecord, Region, Score, parse_answers};
use runtall_domain::classify::{Classification, RunLabel};
use runtall_domain::content::program;
use runtall_domain::journal::{DayLog, PainReport, PainTiming, RunContext};
use runtall_domain::plan::{self, PlanRecord};
use runtall_domain::profile::Profile;
use runtall_domain::screen::{ScreenAnswers, ScreeningRecord, evaluate};

const SAMPLE_ASSESSMENT: &str = include_str!("../../../examples/assessment.toml");

pub fn ts(s: &str) -> Timestamp {
    s.parse().expect("timestamp")
}

pub fn date(s: &str) -> Date {
    s.parse().expect("date")
}

pub fn profile(name: &str) -> Profile {
    Profile { name: name.into(), ..Profile::default() }
}

/// A completed screen at `at` answering yes to the red-flag questions `yes` (ids from the program).
pub fn screening(at: &str, yes: &[&str]) -> ScreeningRecord {
    let mut answers = ScreenAnswers::all_no(program());
    for id in yes {
        answers = answers.with_yes(id);
    }
    let outcome = evaluate(program(), &answers).expect("complete screen");
    ScreeningRecord { id: None, taken_at: ts(at), answers, outcome, clinician_checked_at: None }
}

pub fn assessment(at: &str) -> AssessmentRecord {
    let a: Assessment = parse_answers("assessment.toml", SAMPLE_ASSESSMENT).expect("sample assessment");
    AssessmentRecord { id: None, taken_at: ts(at), assessment: a }
}

/// A plan built from the sample assessment after a screen without flags, naming the screen and assessment ids
/// given (the store only checks that they are the athlete's).
pub fn plan(at: &str, screening_id: Option<i64>, assessment_id: Option<i64>) -> PlanRecord {
    let a = self::assessment(at).assessment;
    let screen = self::screening(at, &[]);
    let permissions = runtall_domain::safety::gate(
        program(),
        &runtall_domain::safety::SafetyInputs { screening: Some(&screen), assessment: Some(&a) },
    );
    let built = plan::build(program(), &a, &permissions).expect("plan");
    PlanRecord { id: None, created_at: ts(at), screening_id, assessment_id, plan: built }
}

/// A run with one sample per second, stored under `hash` as its file's content hash.
pub fn run(start: &str, minutes: f64, km: f64, hash: &str) -> Activity {
    let mut samples = Samples::default();
    let n = (minutes * 60.0) as usize;
    for i in 0..n {
        let t = i as f64;
        samples.push(
            t,
            Some(km * 1000.0 * t / n as f64),
            Some(km * 1000.0 / (minutes * 60.0)),
            Some(150.0),
            Some(170.0),
            Some(100.0),
            Some(46.0),
            Some(14.0),
        );
    }
    Activity {
        sport: Sport::Running,
        sub_sport: None,
        name: Some(format!("Run {hash}")),
        start: ts(start),
        utc_offset_s: Some(3600),
        elapsed_s: minutes * 60.0,
        moving_s: minutes * 60.0 - 30.0,
        distance_m: km * 1000.0,
        ascent_m: Some(40.0),
        descent_m: Some(38.0),
        avg_hr_bpm: Some(150.0),
        max_hr_bpm: Some(171.0),
        avg_cadence_spm: Some(170.0),
        avg_respiration_brpm: None,
        dynamics: None,
        device: Some("test watch".into()),
        quality: Default::default(),
        laps: vec![],
        samples,
        source: SourceFile { path: format!("{hash}.fit"), format: "fit".into(), content_hash: hash.into() },
        warnings: vec![],
    }
}

/// A ride: stored like a run but never a run (no run label history, no pain link).
pub fn ride(start: &str, hash: &str) -> Activity {
    Activity { sport: Sport::Cycling, ..run(start, 60.0, 25.0, hash) }
}

pub fn labelled(label: RunLabel) -> Classification {
    Classification { label, also: vec![], reasons: vec![] }
}

pub fn pain(at: &str, intensity: f64, run_id: Option<i64>) -> PainReport {
    PainReport {
        id: None,
        at: ts(at),
        timing: PainTiming::RightAfter,
        region: Region::Neck,
        intensity: Score::new(intensity).expect("score"),
        run_id,
        notes: Some("stiff".into()),
    }
}

pub fn day(on: &str, mobility_done: bool) -> DayLog {
    serde_json::from_value(serde_json::json!({ "date": on, "mobility_done": mobility_done })).expect("day log")
}

pub fn context(run_id: i64, pack: bool) -> RunContext {
    RunContext { run_id, pack: Some(pack), surface: None, ate_within_2h: None, pre_run_done: None, post_run_done: None }
}
