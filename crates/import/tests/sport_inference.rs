//! A GPX without `<type>` gets its sport from what was recorded (speed, and the app that wrote it), with the
//! reason kept; a run keeps its cadence; and the same run's FIT file is then recognised as the same recording.

mod support;

use runtall_domain::activity::Sport;
use runtall_import::{ImportOptions, decode_bytes, find_duplicate};
use support::{T0, blocks_run, fit_run, gpx_run, steady_run};

fn opts() -> ImportOptions {
    ImportOptions { now: Some("2026-06-01T00:00:00Z".parse().expect("now")), ..ImportOptions::default() }
}

#[test]
fn an_untyped_gpx_run_is_a_run_with_its_reason_and_cadence() {
    let samples = steady_run(T0, 1800, 3.1);
    let d = decode_bytes(gpx_run(&samples, "Morning", "").as_bytes(), "run.gpx", &opts()).expect("gpx");
    let a = &d.activities[0];
    assert_eq!(a.sport, Sport::Running);
    let why = a.quality.sport_reason.as_deref().expect("reason shown");
    assert!(why.contains("does not name its sport") && why.contains("/km"), "{why}");
    // 85 strides per minute in the file: 170 steps per minute kept.
    let cad = a.avg_cadence_spm.expect("cadence kept");
    assert!((cad - 170.0).abs() < 1.0, "{cad}");
    // A typed file says nothing about inference.
    let d = decode_bytes(gpx_run(&samples, "Morning", "running").as_bytes(), "typed.gpx", &opts()).expect("gpx");
    assert_eq!(d.activities[0].quality.sport_reason, None);
}

#[test]
fn an_untyped_gpx_ride_is_a_ride() {
    // 30 km/h with bursts: no runner.
    let samples = blocks_run(T0, &[(1200, 8.3), (300, 11.0), (1200, 8.0)]);
    let d = decode_bytes(gpx_run(&samples, "Spin", "").as_bytes(), "ride.gpx", &opts()).expect("gpx");
    let a = &d.activities[0];
    assert_eq!(a.sport, Sport::Cycling);
    assert!(a.quality.sport_reason.as_deref().is_some_and(|w| w.contains("km/h")), "{:?}", a.quality);
    assert_eq!(a.avg_cadence_spm, None, "a ride's cadence is not steps");
    // A walk.
    let d = decode_bytes(gpx_run(&steady_run(T0, 2400, 1.3), "Dog", "").as_bytes(), "walk.gpx", &opts()).expect("gpx");
    assert_eq!(d.activities[0].sport, Sport::Walking);
}

#[test]
fn fit_and_its_untyped_gpx_export_are_one_recording() {
    let samples = steady_run(T0, 1800, 3.1);
    let fit = decode_bytes(&fit_run(&samples, 600), "run.fit", &opts()).expect("fit");
    let gpx = decode_bytes(gpx_run(&samples, "", "").as_bytes(), "run.gpx", &opts()).expect("gpx");
    let (f, g) = (&fit.activities[0], &gpx.activities[0]);
    assert_eq!(g.sport, Sport::Running);
    assert!(runtall_domain::activity::same_recording(f, g));
    let known = vec![runtall_import::RunKey::from(f)];
    assert!(find_duplicate(g, &known).is_some());
    // And the FIT is the richer copy.
    let r = runtall_domain::activity::Richness::of;
    assert!(r(f).better_than(&r(g)).is_some_and(|w| w.contains("FIT over GPX")), "{:?}", r(f).better_than(&r(g)));
}

#[test]
fn corpus_untyped_gpx_files_get_a_sport_with_a_reason() {
    let Some(corpus) = support::corpus_or_skip() else { return };
    let sport = |name: &str| {
        let d = runtall_import::decode_path(corpus.join("gpx").join(name), &opts()).expect(name);
        let a = &d.activities[0];
        assert!(a.quality.sport_reason.is_some(), "{name}: no reason");
        a.sport
    };
    // Urban Biker (an Android cycling app) and a GoldenCheetah ride at 24 km/h.
    assert_eq!(sport("urbanbiker-2019-04-18.gpx"), Sport::Cycling);
    assert_eq!(sport("gc-1292585194-20906.gpx"), Sport::Cycling);
    // A Suunto run at 4:50/km.
    assert_eq!(sport("movescount-2014-01-17.gpx"), Sport::Running);
    // Ten hours in the mountains with a handheld GPS, 1,250 m up.
    assert_eq!(sport("garmin_with_extensions.gpx"), Sport::Hiking);
}
