//! Classification on corpus files whose structure is known from their laps.

mod support;

use runtall_domain::activity::Activity;
use runtall_domain::classify::{RunLabel, RunSummary, classify};
use runtall_import::{ImportOptions, decode_path};

fn load(rel: &str) -> Option<Activity> {
    let corpus = support::corpus_or_skip()?;
    let d = decode_path(corpus.join(rel), &ImportOptions::default()).unwrap_or_else(|e| panic!("{rel}: {e}"));
    d.activities.into_iter().rfind(|a| a.sport.is_run())
}

/// Easy runs of `km` at `pace_s` per km, every other day before `a`.
fn history_before(a: &Activity, n: i64, km: f64, pace_s: f64) -> Vec<RunSummary> {
    (1..=n)
        .map(|i| RunSummary {
            start: jiff::Timestamp::from_second(a.start.as_second() - 2 * 86_400 * i).expect("ts"),
            distance_m: km * 1000.0,
            moving_s: km * pace_s,
        })
        .collect()
}

#[test]
fn running_workout_is_six_800s_found_from_its_laps() {
    let Some(a) = load("tcx/running_workout_1.tcx") else { return };
    // 2 × 1 mile warm-up, 6 × (800 m fast, 400 m recovery), 1 mile + cool-down: 16 laps.
    assert_eq!(a.laps.len(), 16);
    let fast: Vec<&runtall_domain::activity::Lap> =
        a.laps.iter().filter(|l| (l.distance_m - 800.0).abs() < 5.0).collect();
    assert_eq!(fast.len(), 6);
    let c = classify(&a, &[]);
    assert_eq!(c.label, RunLabel::Intervals, "{c:#?}");
    let f = c.reasons.iter().find(|f| f.label() == Some(RunLabel::Intervals)).expect("reason");
    assert_eq!(f.name, "laps");
    assert!(f.value.starts_with("6 fast laps"), "{f:?}");
    // The same with a history of easy runs.
    let h = history_before(&a, 12, 10.0, 380.0);
    assert_eq!(classify(&a, &h).label, RunLabel::Intervals);
}

#[test]
fn five_lap_run_is_not_intervals_by_laps() {
    let Some(a) = load("fit/2013-02-06-12-11-14.fit") else { return };
    // Four automatic 1 km laps and a closing manual one; only the fourth is fast: no alternation.
    assert_eq!(a.laps.len(), 5);
    assert_eq!(a.laps.iter().filter(|l| l.trigger.as_deref() == Some("distance")).count(), 4);
    let c = classify(&a, &[]);
    assert!(c.reasons.iter().all(|f| f.name != "laps"), "{c:#?}");
    // Every label comes with the features that decided it.
    assert!(c.reasons.iter().any(|f| f.label() == Some(c.label)), "{c:#?}");
}

#[test]
fn even_paced_ten_k_is_a_race_against_the_runners_history() {
    let Some(a) = load("fit/fr15-10k-run.fit") else { return };
    // 10 × 1 km auto laps all within 3:32–3:51/km: even, no intervals.
    assert_eq!(a.laps.len(), 11);
    let c = classify(&a, &[]);
    assert_ne!(c.label, RunLabel::Intervals);
    // No heart rate in the file; against a history of 5:30/km runs, 3:42/km over 10 km is an all-out effort.
    let c = classify(&a, &history_before(&a, 12, 8.0, 330.0));
    assert_eq!(c.label, RunLabel::Race, "{c:#?}");
    assert!(c.reasons.iter().any(|f| f.name == "race distance"));
}

#[test]
fn triathlon_run_leg_is_a_race_by_heart_rate() {
    let Some(a) = load("fit/chained-multiple-headers.fit") else { return };
    // The run leg: 9.8 km held at 94% of its maximum heart rate.
    let c = classify(&a, &[]);
    assert_eq!(c.label, RunLabel::Race, "{c:#?}");
    assert!(c.reasons.iter().any(|f| f.name == "race heart rate"));
}

#[test]
fn mountain_run_is_hilly_and_a_long_one_is_long() {
    let Some(corpus) = support::corpus_or_skip() else { return };
    let d = decode_path(corpus.join("fit/fenix2-multisport-large.fit"), &ImportOptions::default()).expect("fenix2");
    let runs: Vec<&Activity> = d.activities.iter().filter(|a| a.sport.is_run()).collect();
    assert_eq!(runs.len(), 2);
    // 732 m of climbing over 2.2 km.
    let c = classify(runs[0], &[]);
    assert_eq!(c.label, RunLabel::Trail, "{c:#?}");
    // 1 h 53 min with 455 m up: long (little history), and hilly.
    let c = classify(runs[1], &[]);
    assert!(c.has(RunLabel::Long) && c.has(RunLabel::Trail), "{c:#?}");
}

#[test]
fn long_is_relative_to_history() {
    let Some(a) = load("fit/fr920xt-devfields-mornindew.fit") else { return };
    // 16.8 km, 1 h 54 min moving.
    assert_eq!(classify(&a, &history_before(&a, 10, 8.0, 390.0)).label, RunLabel::Long);
    assert_ne!(classify(&a, &history_before(&a, 10, 18.0, 390.0)).label, RunLabel::Long);
}
