//! Every corpus file (shared/corpus, outside the repository) is read with the counts
//! `shared/corpus/SOURCES.md` states, and every bad file gives a salvage with a positioned
//! warning or a clear error.

mod support;

use std::path::Path;

use runtall_trackxml::{
    Dropped, GpxFile, NotActivity, TcxFile, TcxSport, TrackXmlError, WarningKind, parse_gpx_with, parse_tcx_with,
};
use support::{corpus_dir, options};

fn gpx(dir: &Path, name: &str) -> GpxFile {
    let bytes = std::fs::read(dir.join(name)).unwrap_or_else(|e| panic!("{name}: {e}"));
    parse_gpx_with(&bytes, &options()).unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn tcx(dir: &Path, name: &str) -> TcxFile {
    let bytes = std::fs::read(dir.join(name)).unwrap_or_else(|e| panic!("{name}: {e}"));
    parse_tcx_with(&bytes, &options()).unwrap_or_else(|e| panic!("{name}: {e}"))
}

/// (file, tracks, segments, track points, route points, waypoints, has time, has HR, has cadence,
/// has power) as SOURCES.md lists them.
type GpxRow = (&'static str, usize, usize, usize, usize, usize, bool, bool, bool, bool);

const GPX: &[GpxRow] = &[
    ("around-visnjan-with-car.gpx", 1, 1, 104, 0, 0, true, false, false, false),
    ("caltopo-export.gpx", 2, 2, 6, 0, 0, true, false, false, false),
    ("cerknicko-jezero.gpx", 8, 8, 296, 0, 7, true, false, false, false),
    ("cerknicko-without-times.gpx", 8, 8, 296, 0, 7, true, false, false, false),
    ("ecology-trail-and-lovers-lane-loop.gpx", 0, 0, 0, 139, 0, false, false, false, false),
    ("empty_name_tag.gpx", 1, 1, 0, 0, 0, false, false, false, false),
    ("garmin-activity.gpx", 1, 1, 988, 0, 0, true, true, true, false),
    ("garmin-activity_4801048867.gpx", 1, 1, 5159, 0, 0, true, true, false, false),
    ("garmin-activity_5039744860.gpx", 1, 1, 96, 0, 0, true, true, true, false),
    ("garmin_with_extensions.gpx", 1, 2, 3540, 0, 0, true, false, false, false),
    ("gc-1292585194-20906.gpx", 1, 16, 5935, 0, 14, true, false, false, false),
    ("gpsies_example.gpx", 1, 1, 41, 0, 0, true, false, false, false),
    ("gpx1.0_with_all_fields.gpx", 2, 2, 1, 5, 2, true, false, false, false),
    ("gpx1.1_with_all_fields.gpx", 2, 2, 1, 5, 2, true, false, false, false),
    ("gpx1.1_with_extensions.gpx", 0, 0, 0, 0, 1, false, false, false, false),
    ("gpx_with_garmin_extension.gpx", 0, 0, 0, 0, 1, false, false, false, false),
    ("korita-zbevnica.gpx", 4, 4, 871, 0, 2, true, false, false, false),
    ("metadata-only.gpx", 0, 0, 0, 0, 0, false, false, false, false),
    // SOURCES.md says "time yes", but every track point's time is 1901-12-13T20:45:52 (the
    // smallest 32-bit Unix time, a device's "no time"): those are refused as implausible.
    ("Mojstrovka.gpx", 1, 1, 184, 0, 0, false, false, false, false),
    // Here and in outdooractive-export.gpx SOURCES.md's "time yes" is the document's
    // <metadata><time>: the track points have none.
    ("mousehole_to_paul.gpx", 1, 1, 111, 0, 2, false, false, false, false),
    ("movescount-2014-01-17.gpx", 1, 1, 1405, 0, 0, true, true, false, false),
    ("outdooractive-export.gpx", 1, 1, 9, 0, 0, false, false, false, false),
    ("route.gpx", 0, 0, 0, 55, 0, false, false, false, false),
    ("strava-4078723797.gpx", 1, 1, 8357, 0, 0, true, true, true, true),
    ("strava-4801048867.gpx", 1, 1, 5159, 0, 0, true, true, false, false),
    ("strava_route_example.gpx", 1, 1, 113, 0, 0, false, false, false, false),
    ("track-with-empty-segment.gpx", 1, 2, 9, 0, 0, true, false, false, false),
    ("unicode.gpx", 0, 0, 0, 0, 6, false, false, false, false),
    ("unicode_with_bom.gpx", 0, 0, 0, 0, 1, false, false, false, false),
    ("urbanbiker-2019-04-18.gpx", 1, 3, 2870, 0, 0, true, true, true, true),
    ("viking_with_route_extensions.gpx", 1, 1, 5, 0, 1, false, false, false, false),
    ("wahoo_example.gpx", 1, 1, 3, 0, 0, true, false, false, false),
    ("wikipedia_example.gpx", 1, 1, 3, 0, 0, true, false, false, false),
    ("with_accuracy.gpx", 1, 1, 3, 0, 0, true, false, false, false),
];

#[test]
fn every_gpx_file_has_the_counts_sources_md_states() {
    let Some(corpus) = corpus_dir() else { return };
    let dir = corpus.join("gpx");
    let mut listed = 0;
    for &(name, trk, seg, trkpt, rtept, wpt, time, hr, cad, power) in GPX {
        let f = gpx(&dir, name);
        let segs: usize = f.tracks.iter().map(|t| t.segments.len()).sum();
        assert_eq!((f.tracks.len(), segs, f.point_count()), (trk, seg, trkpt), "{name}: trk/seg/trkpt");
        assert_eq!((f.route_point_count, f.waypoint_count), (rtept, wpt), "{name}: rtept/wpt");
        assert_eq!(f.points().any(|p| p.time_ms.is_some()), time, "{name}: time");
        assert_eq!(f.points().any(|p| p.hr_bpm.is_some()), hr, "{name}: HR");
        assert_eq!(f.points().any(|p| p.cadence_rpm.is_some()), cad, "{name}: cadence");
        assert_eq!(f.points().any(|p| p.power_w.is_some()), power, "{name}: power");
        for p in f.points() {
            assert!((-90.0..=90.0).contains(&p.lat_deg) && (-180.0..=180.0).contains(&p.lon_deg), "{name}");
        }
        // No warnings other than the notes about zone-less or implausible times.
        for w in &f.warnings {
            assert!(
                matches!(w.kind, WarningKind::TimeWithoutZone | WarningKind::OutOfRange) && w.element == "time",
                "{name}: unexpected warning {w}"
            );
        }
        listed += 1;
    }
    let on_disk = std::fs::read_dir(&dir).map(|d| d.count()).unwrap_or(0);
    assert_eq!(listed, on_disk, "a GPX corpus file is missing from the table");
}

#[test]
fn gpx_activity_classification() {
    let Some(corpus) = corpus_dir() else { return };
    let dir = corpus.join("gpx");
    assert_eq!(gpx(&dir, "garmin-activity.gpx").not_activity(), None);
    assert_eq!(
        gpx(&dir, "route.gpx").not_activity(),
        Some(NotActivity::RoutesOrWaypointsOnly { routes: 1, route_points: 55, waypoints: 0 })
    );
    assert!(matches!(
        gpx(&dir, "ecology-trail-and-lovers-lane-loop.gpx").not_activity(),
        Some(NotActivity::RoutesOrWaypointsOnly { route_points: 139, .. })
    ));
    assert!(matches!(
        gpx(&dir, "unicode.gpx").not_activity(),
        Some(NotActivity::RoutesOrWaypointsOnly { waypoints: 6, .. })
    ));
    assert_eq!(gpx(&dir, "metadata-only.gpx").not_activity(), Some(NotActivity::NoTrackPoints));
    assert_eq!(gpx(&dir, "empty_name_tag.gpx").not_activity(), Some(NotActivity::NoTrackPoints));
    assert_eq!(gpx(&dir, "strava_route_example.gpx").not_activity(), Some(NotActivity::NoTimestamps { points: 113 }));
    let reason = gpx(&dir, "route.gpx").not_activity().map(|r| r.to_string()).unwrap_or_default();
    assert!(reason.contains("not a recorded activity"), "{reason}");
}

#[test]
fn gpx_values_from_real_files() {
    let Some(corpus) = corpus_dir() else { return };
    let dir = corpus.join("gpx");

    let f = gpx(&dir, "garmin-activity.gpx");
    assert_eq!(f.creator.as_deref(), Some("Garmin Connect"));
    assert_eq!(f.version.as_deref(), Some("1.1"));
    let first = f.points().next().copied().unwrap_or_default();
    assert!(first.time_ms.is_some() && first.ele_m.is_some() && first.hr_bpm.is_some());
    assert_eq!(first.utc_offset_min, Some(0));

    // Strava: <power> directly in <extensions>, TrackPointExtension v1 under "gpxtpx".
    let f = gpx(&dir, "strava-4078723797.gpx");
    let p = f.points().next().copied().unwrap_or_default();
    assert_eq!((p.power_w, p.temp_c, p.hr_bpm, p.cadence_rpm), (Some(0.0), Some(18.0), Some(111.0), Some(0.0)));
    assert_eq!(p.ele_m, Some(473.8));

    // Movescount: Cluetrust gpxdata:hr with a fraction, temp and distance.
    let f = gpx(&dir, "movescount-2014-01-17.gpx");
    assert!(f.points().any(|p| p.hr_bpm.is_some_and(|h| h.fract() != 0.0)));
    assert!(f.points().any(|p| p.distance_m.is_some()) && f.points().any(|p| p.temp_c.is_some()));

    // GPX 1.0 file with every element (magvar, geoidheight, ...), which the gpx crate refuses.
    let f = gpx(&dir, "gpx1.0_with_all_fields.gpx");
    assert_eq!(f.version.as_deref(), Some("1.0"));
    assert_eq!(f.name.as_deref(), Some("example name"));

    // BOM and no version attribute, which the gpx crate refuses.
    let f = gpx(&dir, "unicode_with_bom.gpx");
    assert_eq!(f.version, None);
}

/// (file, activities, laps, trackpoints, first sport, creator, has HR, has cadence, has power)
type TcxRow = (&'static str, usize, usize, usize, TcxSport, Option<&'static str>, bool, bool, bool);

const TCX: &[TcxRow] = &[
    ("3173437224.tcx", 1, 2, 3507, TcxSport::Running, Some("Polar M400"), true, true, false),
    ("activity_5039744860.tcx", 1, 5, 100, TcxSport::Biking, Some("Garmin Edge 1000"), true, true, true),
    ("cross-country-skiing_activity_1.tcx", 1, 2, 486, TcxSport::Other, Some("vívoactive HR"), true, true, false),
    ("fr15-10k-run.tcx", 1, 11, 686, TcxSport::Running, Some("Forerunner 15"), false, false, false),
    ("garmin-activity_4801048867.tcx", 1, 8, 5166, TcxSport::Biking, Some("Forerunner 935"), true, false, false),
    (
        "multi-session-165850259.tcx",
        4,
        4,
        1893,
        TcxSport::Running,
        Some("Forerunner305 (Unit ID 3815748186)"),
        true,
        false,
        false,
    ),
    ("multisport-20090528.tcx", 1, 1, 494, TcxSport::Running, None, true, false, false),
    ("ow-swim.tcx", 1, 2, 2870, TcxSport::Other, Some("Coros Wearables"), true, true, false),
    ("pool_swim-activity_1.tcx", 1, 1, 32, TcxSport::Other, Some("vívoactive HR"), false, false, false),
    ("running_activity_1.tcx", 1, 15, 1254, TcxSport::Running, Some("Garmin Forerunner 910XT"), true, false, false),
    ("running_activity_2.tcx", 1, 11, 1463, TcxSport::Running, Some("Garmin Forerunner 910XT"), false, false, false),
    ("running_workout_1.tcx", 1, 16, 1042, TcxSport::Running, Some("Forerunner 945"), true, true, false),
    ("sup_activity_2.tcx", 1, 4, 261, TcxSport::Other, Some("vívoactive HR"), true, false, false),
    ("swim_activity_1.tcx", 1, 1, 1317, TcxSport::Other, Some("vívoactive HR"), true, false, false),
    (
        "tcxparser-no_hr.tcx",
        1,
        3,
        384,
        TcxSport::Running,
        Some("Forerunner 410 Software Version 2.20"),
        false,
        false,
        false,
    ),
    (
        "tcxparser-test.tcx",
        1,
        3,
        384,
        TcxSport::Running,
        Some("Forerunner 410 Software Version 2.20"),
        true,
        false,
        false,
    ),
    ("training-with-notes-2020.tcx", 1, 3, 6862, TcxSport::Biking, Some("Polar Vantage V"), true, true, false),
    ("treadmill_1.tcx", 1, 3, 215, TcxSport::Running, Some("Forerunner 945"), true, true, false),
    ("walking_activity_1.tcx", 1, 4, 660, TcxSport::Other, Some("vívoactive HR"), true, false, false),
];

#[test]
fn every_tcx_activity_file_has_the_counts_sources_md_states() {
    let Some(corpus) = corpus_dir() else { return };
    let dir = corpus.join("tcx");
    for &(name, activities, laps, trackpoints, sport, creator, hr, cad, power) in TCX {
        let f = tcx(&dir, name);
        assert_eq!(
            (f.activities.len(), f.lap_count(), f.trackpoint_count()),
            (activities, laps, trackpoints),
            "{name}: activities/laps/trackpoints"
        );
        assert_eq!(f.activities.first().and_then(|a| a.sport), Some(sport), "{name}: sport");
        assert_eq!(f.creator_name(), creator, "{name}: creator");
        let tps = || f.activities.iter().flat_map(|a| &a.laps).flat_map(|l| l.trackpoints());
        assert_eq!(tps().any(|p| p.hr_bpm.is_some()), hr, "{name}: HR");
        assert_eq!(tps().any(|p| p.cadence_rpm.is_some() || p.run_cadence_rpm.is_some()), cad, "{name}: cadence");
        assert_eq!(tps().any(|p| p.power_w.is_some()), power, "{name}: power");
        assert_eq!(f.not_activity(), None, "{name}");
        assert!(f.warnings.is_empty(), "{name}: {:?}", f.warnings);
        for a in &f.activities {
            assert!(a.id_time_ms.is_some(), "{name}: activity Id is a time");
            for l in &a.laps {
                assert!(l.start_time_ms.is_some() && l.total_time_s.is_some(), "{name}: lap summary");
            }
        }
    }
}

#[test]
fn tcx_courses_workouts_and_multisport() {
    let Some(corpus) = corpus_dir() else { return };
    let dir = corpus.join("tcx");

    let course = tcx(&dir, "course-brighton-beach.tcx");
    assert_eq!((course.activities.len(), course.course_count), (0, 1));
    assert_eq!(course.not_activity(), Some(NotActivity::Course { courses: 1 }));

    let workout = tcx(&dir, "workout-simple_workout_1.tcx");
    assert_eq!((workout.activities.len(), workout.workout_count), (0, 1));
    assert_eq!(workout.not_activity(), Some(NotActivity::Workout { workouts: 1 }));
    assert!(workout.not_activity().map(|r| r.to_string()).unwrap_or_default().contains("planned workout"));

    // Four activities of one multisport session; the build <Time> in <Author> ("Jan 5 2012,
    // 14:56:11") is not read as a trackpoint time and gives no warning.
    let multi = tcx(&dir, "multi-session-165850259.tcx");
    let sports: Vec<_> = multi.activities.iter().map(|a| a.sport).collect();
    assert_eq!(
        sports,
        [Some(TcxSport::Running), Some(TcxSport::Biking), Some(TcxSport::Running), Some(TcxSport::Biking)]
    );
    assert!(multi.activities.iter().all(|a| a.multisport_session == Some(0)));

    // <Folders> listing courses and workouts does not make an activity file a course.
    let folders = tcx(&dir, "multisport-20090528.tcx");
    assert_eq!((folders.course_count, folders.workout_count, folders.not_activity()), (0, 0, None));

    // Lap details: treadmill run with LX and TPX under the ns3 prefix, no position.
    let f = tcx(&dir, "treadmill_1.tcx");
    let lap = &f.activities[0].laps[0];
    assert!(lap.avg_speed_m_s.is_some() && lap.avg_run_cadence_rpm.is_some() && lap.max_run_cadence_rpm.is_some());
    assert!(lap.avg_hr_bpm.is_some() && lap.max_hr_bpm.is_some() && lap.calories_kcal.is_some());
    assert!(lap.intensity.is_some() && lap.trigger_method.is_some());
    assert!(lap.trackpoints().all(|p| p.lat_deg.is_none() && p.time_ms.is_some()));
    assert!(lap.trackpoints().any(|p| p.speed_m_s.is_some() && p.run_cadence_rpm.is_some()));
}

fn bad(name: &str) -> Option<Vec<u8>> {
    let dir = corpus_dir()?.join("bad");
    Some(std::fs::read(dir.join(name)).unwrap_or_else(|e| panic!("{name}: {e}")))
}

#[test]
fn bad_gpx_files() {
    let Some(b) = bad("gpx-empty.gpx") else { return };
    assert_eq!(parse_gpx_with(&b, &options()), Err(TrackXmlError::Empty));

    let b = bad("gpx-binary.gpx").unwrap_or_default();
    assert_eq!(parse_gpx_with(&b, &options()), Err(TrackXmlError::Binary));
    assert_eq!(parse_gpx_with(&b, &options()).map(|_| ()).unwrap_err().to_string(), "binary data, not XML");

    // BOM, no namespace, no creator: read like any other.
    let b = bad("gpx-bom-no-namespace-no-creator.gpx").unwrap_or_default();
    let f = parse_gpx_with(&b, &options()).unwrap();
    assert_eq!((f.point_count(), f.creator.as_deref(), f.warnings.len()), (3497, None, 0));

    // One lat="north": that point is dropped, the 987 others kept.
    let b = bad("gpx-bad-lat.gpx").unwrap_or_default();
    let f = parse_gpx_with(&b, &options()).unwrap();
    assert_eq!(f.point_count(), 987);
    assert_eq!(f.warnings.len(), 1, "{:?}", f.warnings);
    let w = &f.warnings[0];
    assert_eq!((w.line, w.column, w.kind, w.dropped), (3317, 19, WarningKind::BadNumber, Dropped::Point));
    assert_eq!((w.element.as_str(), w.value.as_deref()), ("trkpt@lat", Some("north")));

    // One </trkpt> removed: the points before it are kept, the problem is placed where the
    // next <trkpt> opens inside the unclosed one.
    let b = bad("gpx-malformed-xml.gpx").unwrap_or_default();
    let f = parse_gpx_with(&b, &options()).unwrap();
    assert!(f.point_count() > 400 && f.point_count() < 988, "{}", f.point_count());
    let w = f.warnings.last().cloned().unwrap_or_else(|| panic!("no warning"));
    assert_eq!((w.line, w.column, w.kind, w.dropped), (4957, 7, WarningKind::Malformed, Dropped::RestOfFile));
    assert!(w.detail.contains("line 4947"), "{w}");

    // Cut at 60%: every complete point before the cut is kept.
    let b = bad("gpx-truncated.gpx").unwrap_or_default();
    let f = parse_gpx_with(&b, &options()).unwrap();
    assert_eq!(f.point_count(), 592);
    let w = f.warnings.last().cloned().unwrap_or_else(|| panic!("no warning"));
    assert_eq!((w.line, w.column, w.kind, w.dropped), (5937, 7, WarningKind::Truncated, Dropped::RestOfFile));
}

#[test]
fn bad_tcx_files() {
    let Some(b) = bad("tcx-bad-time.tcx") else { return };
    let f = parse_tcx_with(&b, &options()).unwrap();
    assert_eq!((f.lap_count(), f.trackpoint_count()), (3, 214));
    assert_eq!(f.warnings.len(), 1, "{:?}", f.warnings);
    let w = &f.warnings[0];
    assert_eq!((w.line, w.column, w.kind, w.dropped), (1448, 19, WarningKind::BadTime, Dropped::Point));
    assert_eq!((w.element.as_str(), w.value.as_deref()), ("Time", Some("not-a-timestamp")));

    let b = bad("tcx-malformed-xml.tcx").unwrap_or_default();
    let f = parse_tcx_with(&b, &options()).unwrap();
    assert!(f.trackpoint_count() > 50 && f.trackpoint_count() < 215);
    let w = f.warnings.last().cloned().unwrap_or_else(|| panic!("no warning"));
    assert_eq!((w.line, w.column, w.kind), (1446, 11, WarningKind::Malformed));
    assert!(w.detail.contains("</Trackpoin>"), "{w}");

    let b = bad("tcx-truncated.tcx").unwrap_or_default();
    let f = parse_tcx_with(&b, &options()).unwrap();
    assert!(f.trackpoint_count() > 50 && f.trackpoint_count() < 215);
    let w = f.warnings.last().cloned().unwrap_or_else(|| panic!("no warning"));
    assert_eq!((w.line, w.column, w.kind), (1728, 15, WarningKind::Truncated));
}

#[test]
fn other_bad_files_give_clear_errors() {
    let Some(corpus) = corpus_dir() else { return };
    // A FIT file is binary whichever reader it is given to; a truncated GPX is not a TCX.
    for name in ["fit-empty.fit", "not-a-fit-file.fit", "fit-truncated-half.fit", "sigma-badly-terminated-nick.fit"] {
        let b = std::fs::read(corpus.join("bad").join(name)).unwrap_or_default();
        let g = parse_gpx_with(&b, &options());
        let t = parse_tcx_with(&b, &options());
        if name == "not-a-fit-file.fit" {
            // The first 4096 bytes of a GPX: salvaged as GPX, refused as TCX with the root named.
            assert!(
                g.is_ok_and(|f| f.point_count() > 0 && f.warnings.iter().any(|w| w.kind == WarningKind::Truncated))
            );
            assert!(matches!(t, Err(TrackXmlError::NotTcx { ref root, .. }) if root == "gpx"), "{t:?}");
        } else if name == "fit-empty.fit" {
            assert_eq!((g.err(), t.err()), (Some(TrackXmlError::Empty), Some(TrackXmlError::Empty)));
        } else {
            assert_eq!((g.err(), t.err()), (Some(TrackXmlError::Binary), Some(TrackXmlError::Binary)), "{name}");
        }
    }
}
