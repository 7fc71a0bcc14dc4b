//! Every FIT, GPX and TCX file of the shared corpus imports (or is refused with a reason when it is not an
//! activity), with the values SOURCES.md states checked; every file in `bad/` gives salvaged activities with
//! warnings or a clear error, never a panic.

mod support;

use std::path::Path;

use runtall_domain::activity::{Activity, Sport};
use runtall_import::{ErrorKind, ImportError, ImportOptions, decode_path};

fn options() -> ImportOptions {
    // A fixed "now" after every corpus file, so the tests do not depend on the clock.
    ImportOptions { now: Some("2026-06-01T00:00:00Z".parse().expect("now")), ..ImportOptions::default() }
}

/// One row of a SOURCES.md table: file name and the "contents" column.
fn sources_rows(corpus: &Path, section: &str) -> Vec<(String, String)> {
    let text = std::fs::read_to_string(corpus.join("SOURCES.md")).unwrap_or_default();
    let mut out = Vec::new();
    let mut in_section = false;
    for line in text.lines() {
        if let Some(h) = line.strip_prefix("## ") {
            in_section = h.trim() == section;
            continue;
        }
        if !in_section || !line.starts_with("| ") || line.starts_with("| file") || line.starts_with("|---") {
            continue;
        }
        let cols: Vec<&str> = line.split(" | ").collect();
        if cols.len() >= 2 {
            let name = cols[0].trim_start_matches("| ").trim().to_string();
            let contents = cols.last().map(|c| c.trim_end_matches(" |").to_string()).unwrap_or_default();
            out.push((name, contents));
        }
    }
    out
}

fn hms(s: &str) -> Option<f64> {
    let p: Vec<f64> = s.split(':').map(|x| x.parse::<f64>().ok()).collect::<Option<Vec<_>>>()?;
    (p.len() == 3).then(|| p[0] * 3600.0 + p[1] * 60.0 + p[2])
}

fn number_after(s: &str, marker: &str) -> Option<usize> {
    let i = s.find(marker)? + marker.len();
    let t = &s[i..];
    let end = t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len());
    t[..end].parse().ok()
}

fn number_before(s: &str, marker: &str) -> Option<usize> {
    let i = s.find(marker)?;
    let head = s[..i].trim_end();
    let start = head.rfind(|c: char| !c.is_ascii_digit()).map_or(0, |j| j + 1);
    head[start..].parse().ok()
}

fn check_activity_invariants(file: &str, a: &Activity) {
    assert!(a.samples.is_consistent(), "{file}: sample columns differ in length");
    assert!(a.elapsed_s > 0.0 && a.elapsed_s.is_finite(), "{file}: elapsed {}", a.elapsed_s);
    assert!(
        a.moving_s > 0.0 && a.moving_s <= a.elapsed_s + 1e-6,
        "{file}: moving {} elapsed {}",
        a.moving_s,
        a.elapsed_s
    );
    assert!(a.distance_m >= 0.0 && a.distance_m.is_finite(), "{file}: distance {}", a.distance_m);
    assert!(a.samples.t_s.windows(2).all(|w| w[1] >= w[0]), "{file}: sample times go backwards");
    assert!(a.samples.t_s.first().is_none_or(|t| *t >= -1.0), "{file}: samples before start");
    assert_eq!(a.source.content_hash.split('#').next().map(str::len), Some(64), "{file}: hash");
    for h in a.samples.hr_bpm.iter().flatten() {
        assert!((25.0..=300.0).contains(h), "{file}: hr {h}");
    }
    if let Some(c) = a.avg_cadence_spm {
        assert!(
            a.sport.is_run() || matches!(a.sport, Sport::Walking | Sport::Hiking),
            "{file}: cadence on {:?}",
            a.sport
        );
        assert!((40.0..=260.0).contains(&c), "{file}: cadence {c}");
    }
}

fn sport_word(s: &str) -> Option<Sport> {
    Some(match s {
        "running" => Sport::Running,
        "cycling" => Sport::Cycling,
        "walking" => Sport::Walking,
        "swimming" => Sport::Swimming,
        _ => return None,
    })
}

#[test]
fn every_fit_file_imports_with_the_stated_values() {
    let Some(corpus) = support::corpus_or_skip() else { return };
    let rows = sources_rows(&corpus, "fit/");
    assert!(rows.len() >= 40, "SOURCES.md fit/ table: {} rows", rows.len());
    let (mut checked, mut short) = (0, 0);
    for (name, contents) in rows {
        let path = corpus.join("fit").join(&name);
        let stated = contents.split("; ").nth(1).and_then(hms);
        let d = match decode_path(&path, &options()) {
            Ok(d) => d,
            // A recording of under a minute is refused as not enough data, with its figures.
            Err(e @ ImportError::NotEnoughData { .. }) if stated.is_some_and(|s| s < 60.0) => {
                assert!(e.to_string().contains(" m were recorded"), "{name}: {e}");
                short += 1;
                continue;
            }
            Err(e) => panic!("{name}: {e}"),
        };
        for a in &d.activities {
            check_activity_invariants(&name, a);
            assert_eq!(a.source.format, "fit");
        }
        // "running; 0:43:45; ...": the sport, and the timer time (summed over sessions).
        let mut parts = contents.split("; ");
        let sport = parts.next().unwrap_or_default();
        let duration = parts.next().and_then(hms);
        if let Some(want) = duration {
            // The watch's own moving time wins where it wrote one (a pool swim's rests are not moving); SOURCES
            // states the timer time.
            let fit = runtall_fit::decode(&std::fs::read(&path).expect("read")).expect("decode");
            let watch_moving: Option<f64> = fit.sessions.iter().map(|s| s.total_moving_time_s).sum();
            let moving: f64 = d.activities.iter().map(|a| a.moving_s).sum();
            let want = watch_moving.filter(|m| *m > 0.0).map_or(want, |m| m.min(want));
            assert!((moving - want).abs() <= 2.0 + want * 0.001, "{name}: moving {moving} s, expected {want} s");
        }
        if !sport.contains('+')
            && let Some(s) = sport_word(sport.split('/').next().unwrap_or_default())
        {
            assert_eq!(d.activities[0].sport, s, "{name}");
        }
        if sport.contains('+') {
            let kinds = sport.split('+').count();
            assert!(d.activities.len() >= kinds, "{name}: {} activities for {sport}", d.activities.len());
        }
        if let Some(records) = number_before(&contents, " record / ") {
            let samples: usize = d.activities.iter().map(|a| a.samples.len()).sum();
            // Every record becomes a sample, except the few dropped with a warning (out of order, outside sessions).
            let warned = d.activities.iter().any(|a| !a.warnings.is_empty());
            assert!(samples <= records, "{name}: {samples} samples > {records} records");
            assert!(samples == records || warned, "{name}: {samples} samples of {records} records without a warning");
        }
        if let Some(laps) = number_after(&contents, "; laps ") {
            let got: usize = d.activities.iter().map(|a| a.laps.len()).sum();
            assert_eq!(got, laps, "{name}: laps");
        }
        checked += 1;
    }
    println!("{checked} FIT files checked, {short} refused as under a minute");
    assert!(short <= 3, "{short} short files refused");
}

#[test]
fn fit_values_spot_checks() {
    let Some(corpus) = support::corpus_or_skip() else { return };
    let d = decode_path(corpus.join("fit/fenix2-run-small.fit"), &options()).expect("fenix2");
    let a = &d.activities[0];
    assert_eq!(a.sport, Sport::Running);
    assert_eq!(a.start.to_string(), "2015-08-15T14:45:08Z");
    assert!((a.distance_m - 9008.0).abs() < 5.0, "{}", a.distance_m);
    // FIT stores strides per minute; runners read steps per minute.
    let cad = a.avg_cadence_spm.expect("cadence");
    assert!((150.0..190.0).contains(&cad), "{cad}");
    assert!(a.dynamics.is_some(), "fenix 2 records running dynamics");
    // Multisport: one activity per session, in time order.
    let d = decode_path(corpus.join("fit/chained-multiple-headers.fit"), &options()).expect("chained");
    let sports: Vec<Sport> = d.activities.iter().map(|a| a.sport).collect();
    assert_eq!(sports, [Sport::Swimming, Sport::Other, Sport::Cycling, Sport::Other, Sport::Running]);
    assert!(d.activities.windows(2).all(|w| w[0].start < w[1].start));
    let hashes: std::collections::HashSet<&str> = d.activities.iter().map(|a| a.source.content_hash.as_str()).collect();
    assert_eq!(hashes.len(), 5, "each session of a file has its own identity");
    // Respiration from a watch that records it.
    let d = decode_path(corpus.join("fit/fr955-stryd-run.fit"), &options()).expect("fr955");
    assert!(d.activities[0].avg_respiration_brpm.is_some());
    // A watch without a clock: kept, and said so.
    let d = decode_path(corpus.join("fit/antfs-dump.63.fit"), &options()).expect("antfs");
    assert!(d.activities[0].warnings.iter().any(|w| w.contains("clock was not set")));
}

#[test]
fn every_gpx_file_imports_or_is_refused_with_a_reason() {
    let Some(corpus) = support::corpus_or_skip() else { return };
    let rows = sources_rows(&corpus, "gpx/");
    assert!(rows.len() >= 30);
    let (mut ok, mut refused) = (0, 0);
    for (name, contents) in rows {
        let path = corpus.join("gpx").join(&name);
        let trkpt = number_after(&contents, "trkpt ").unwrap_or(0);
        let timed = contents.contains("time yes");
        match decode_path(&path, &options()) {
            Ok(d) => {
                assert!(trkpt > 0 && timed, "{name}: imported, but SOURCES says {contents}");
                let samples: usize = d.activities.iter().map(|a| a.samples.len()).sum();
                assert!(samples <= trkpt, "{name}: {samples} samples of {trkpt} points");
                for a in &d.activities {
                    check_activity_invariants(&name, a);
                    assert_eq!(a.source.format, "gpx");
                }
                ok += 1;
            }
            Err(e) => {
                // Routes, waypoints, metadata only, untimed tracks, a single point: not activities.
                assert_eq!(e.kind(), ErrorKind::NotActivity, "{name}: {e}");
                assert!(!e.to_string().is_empty());
                refused += 1;
            }
        }
    }
    println!("GPX: {ok} imported, {refused} refused");
    // Library fixtures of three to nine points covering seconds are refused as not enough data.
    assert!(ok >= 14 && refused >= 10, "{ok} {refused}");
}

#[test]
fn gpx_values_spot_checks() {
    let Some(corpus) = support::corpus_or_skip() else { return };
    let d = decode_path(corpus.join("gpx/garmin-activity.gpx"), &options()).expect("garmin");
    let a = &d.activities[0];
    assert_eq!(a.sport, Sport::Running);
    assert_eq!(a.samples.len(), 988);
    assert_eq!(a.name.as_deref(), Some("casual stroll"));
    assert!(a.avg_hr_bpm.is_some() && a.avg_cadence_spm.is_some());
    assert!(a.distance_m > 12_000.0 && a.ascent_m.is_some());
    // Strava's numeric type 1 is a ride.
    let d = decode_path(corpus.join("gpx/strava-4078723797.gpx"), &options()).expect("strava");
    assert_eq!(d.activities[0].sport, Sport::Cycling);
    assert_eq!(d.activities[0].samples.len(), 8357);
    // Routes are refused with that reason.
    let e = decode_path(corpus.join("gpx/route.gpx"), &options()).expect_err("route");
    assert!(e.to_string().contains("route"), "{e}");
}

#[test]
fn every_tcx_file_imports_or_is_refused_with_a_reason() {
    let Some(corpus) = support::corpus_or_skip() else { return };
    let rows = sources_rows(&corpus, "tcx/");
    assert!(rows.len() >= 20);
    for (name, contents) in rows {
        let path = corpus.join("tcx").join(&name);
        let result = decode_path(&path, &options());
        if contents.contains("course") || contents.contains("workout;") {
            let e = result.expect_err(&name);
            assert_eq!(e.kind(), ErrorKind::NotActivity, "{name}: {e}");
            continue;
        }
        let d = result.unwrap_or_else(|e| panic!("{name}: {e}"));
        let activities = contents.split(' ').next().and_then(|n| n.parse::<usize>().ok()).expect("count");
        assert_eq!(d.activities.len(), activities, "{name}");
        if let Some(laps) = number_after(&contents, "; laps ") {
            assert_eq!(d.activities.iter().map(|a| a.laps.len()).sum::<usize>(), laps, "{name}: laps");
        }
        if let Some(lap_time) = contents.split("; ").nth(1).and_then(|s| s.strip_suffix(" lap time")).and_then(hms) {
            let moving: f64 = d.activities.iter().map(|a| a.moving_s).sum();
            assert!((moving - lap_time).abs() <= 2.0 + lap_time * 0.001, "{name}: moving {moving}, laps {lap_time}");
        }
        if let Some(tp) = number_after(&contents, "; trackpoints ") {
            let samples: usize = d.activities.iter().map(|a| a.samples.len()).sum();
            let warned = d.activities.iter().any(|a| !a.warnings.is_empty());
            assert!(samples <= tp && (samples == tp || warned), "{name}: {samples} samples of {tp} trackpoints");
        }
        let want = if contents.contains("(Running)") {
            Some(Sport::Running)
        } else if contents.contains("(Biking)") {
            Some(Sport::Cycling)
        } else {
            None
        };
        for a in &d.activities {
            check_activity_invariants(&name, a);
            if let Some(s) = want {
                assert_eq!(a.sport, s, "{name}");
            }
        }
    }
}

#[test]
fn every_bad_file_is_salvaged_with_warnings_or_refused_clearly() {
    let Some(corpus) = support::corpus_or_skip() else { return };
    let dir = corpus.join("bad");
    let mut paths: Vec<_> = std::fs::read_dir(&dir).expect("bad/").filter_map(Result::ok).map(|e| e.path()).collect();
    paths.sort();
    assert!(paths.len() >= 20);
    for path in paths {
        let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        let r = std::panic::catch_unwind(|| decode_path(&path, &options()));
        let r = r.unwrap_or_else(|_| panic!("{name}: panicked"));
        match r {
            Ok(d) => {
                for a in &d.activities {
                    check_activity_invariants(&name, a);
                }
                // A well-formed file here (the BOM/no-namespace GPX) needs no warning; the others are damaged.
                if name != "gpx-bom-no-namespace-no-creator.gpx" {
                    assert!(d.activities.iter().all(|a| !a.warnings.is_empty()), "{name}: salvaged without a warning");
                }
            }
            Err(e) => {
                let msg = e.to_string();
                assert!(msg.len() > 10, "{name}: unclear error {msg:?}");
                assert!(!matches!(e, ImportError::Internal { .. }), "{name}: {msg}");
            }
        }
    }
    // Specific outcomes.
    let bad = |n: &str| decode_path(dir.join(n), &options());
    assert!(matches!(bad("fit-empty.fit"), Err(ImportError::Fit(_))));
    assert!(matches!(bad("gpx-empty.gpx"), Err(ImportError::Gpx(_))));
    assert!(matches!(bad("fit-bad-header-signature.fit"), Err(ImportError::Fit(_))));
    let nick = bad("sigma-badly-terminated-nick.fit").expect("salvaged");
    assert_eq!(nick.activities[0].samples.len(), 14391);
    let half = bad("fit-truncated-half.fit").expect("salvaged");
    assert!(half.activities[0].samples.len() > 1000);
    // Content decides: a GPX saved as .fit is read as GPX; cut off after 4 KB it holds 15 s of a run, which is
    // refused as not enough data rather than stored as a run.
    let renamed = bad("not-a-fit-file.fit").expect_err("too short");
    assert!(matches!(renamed, ImportError::NotEnoughData { .. }), "{renamed}");
    assert!(renamed.to_string().contains("0:15"), "{renamed}");
    let crc = bad("fit-bad-file-crc.fit").expect("kept");
    assert!(crc.activities[0].warnings.iter().any(|w| w.contains("CRC")));
}

#[test]
fn same_run_exported_three_ways_is_recognised() {
    let Some(corpus) = support::corpus_or_skip() else { return };
    let tcx = decode_path(corpus.join("tcx/garmin-activity_4801048867.tcx"), &options()).expect("tcx");
    let gpx = decode_path(corpus.join("gpx/garmin-activity_4801048867.gpx"), &options()).expect("gpx");
    let strava = decode_path(corpus.join("gpx/strava-4801048867.gpx"), &options()).expect("strava");
    let (a, b, c) = (&tcx.activities[0], &gpx.activities[0], &strava.activities[0]);
    assert_ne!(a.source.content_hash, b.source.content_hash);
    assert!(runtall_import::same_run(a, &b.into()));
    assert!(runtall_import::same_run(b, &c.into()));
    let known = vec![runtall_import::RunKey::from(b)];
    assert_eq!(runtall_import::find_duplicate(a, &known), Some((0, runtall_import::Duplicate::SameRun)));
    assert_eq!(runtall_import::find_duplicate(b, &known), Some((0, runtall_import::Duplicate::SameFile)));
    let other = decode_path(corpus.join("fit/fenix2-run-small.fit"), &options()).expect("fit");
    assert_eq!(runtall_import::find_duplicate(&other.activities[0], &known), None);
}
