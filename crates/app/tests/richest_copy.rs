//! The same run arriving twice keeps the better copy, whatever the order: an intact file over a damaged one,
//! TCX (laps) over GPX, a whole recording over a cut-short one. The run keeps its number, its context and the
//! pain reports linked to it. Two runs at the same time in different places stay two runs.

use std::path::{Path, PathBuf};

use jiff::Timestamp;
use runtall_app::import::{ImportSummary, import_paths};
use runtall_domain::assess::Surface;
use runtall_domain::journal::{PainReport, PainTiming, RunContext};
use runtall_store::{ActivityFilter, SqliteStore, Store};

/// 2024-05-01T07:00:00Z.
const T0: i64 = 1_714_546_800;

fn iso(t: i64) -> String {
    Timestamp::from_second(t).expect("time").to_string()
}

/// (t, lat, lon, distance, heart rate): 40 min north at 3 m/s from `lat0`.
fn points(lat0: f64) -> Vec<(i64, f64, f64, f64, u8)> {
    (0..2400).map(|i| (T0 + i, lat0 + 3.0 * i as f64 / 111_195.0, 16.37, 3.0 * i as f64, 150)).collect()
}

fn gpx(points: &[(i64, f64, f64, f64, u8)]) -> String {
    let mut s = String::from(
        "<?xml version=\"1.0\"?>\n<gpx version=\"1.1\" creator=\"test\" xmlns=\"http://www.topografix.com/GPX/1/1\">\
         <trk><type>running</type><trkseg>\n",
    );
    for (t, lat, lon, _, _) in points {
        s.push_str(&format!(
            "<trkpt lat=\"{lat:.7}\" lon=\"{lon:.7}\"><ele>200</ele><time>{}</time></trkpt>\n",
            iso(*t)
        ));
    }
    s.push_str("</trkseg></trk></gpx>\n");
    s
}

fn tcx(points: &[(i64, f64, f64, f64, u8)]) -> String {
    let mut s = String::from(
        "<?xml version=\"1.0\"?>\n<TrainingCenterDatabase xmlns=\"http://www.garmin.com/xmlschemas/TrainingCenterDatabase/v2\">\
         <Activities><Activity Sport=\"Running\">",
    );
    s.push_str(&format!("<Id>{}</Id>", iso(T0)));
    for chunk in points.chunks(600) {
        let (a, b) = (chunk[0], chunk[chunk.len() - 1]);
        s.push_str(&format!(
            "<Lap StartTime=\"{}\"><TotalTimeSeconds>{}</TotalTimeSeconds><DistanceMeters>{:.1}</DistanceMeters>\
             <TriggerMethod>Manual</TriggerMethod><Track>\n",
            iso(a.0),
            b.0 - a.0 + 1,
            b.3 + 3.0 - a.3
        ));
        for (t, lat, lon, d, hr) in chunk {
            s.push_str(&format!(
                "<Trackpoint><Time>{}</Time><Position><LatitudeDegrees>{lat:.7}</LatitudeDegrees>\
                 <LongitudeDegrees>{lon:.7}</LongitudeDegrees></Position><AltitudeMeters>200</AltitudeMeters>\
                 <DistanceMeters>{d:.1}</DistanceMeters><HeartRateBpm><Value>{hr}</Value></HeartRateBpm></Trackpoint>\n",
                iso(*t)
            ));
        }
        s.push_str("</Track></Lap>");
    }
    s.push_str("</Activity></Activities></TrainingCenterDatabase>\n");
    s
}

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, text).expect("write");
    p
}

fn import(store: &SqliteStore, path: &Path) -> ImportSummary {
    import_paths(store, &[path.to_path_buf()], 1, |_, _, _| {}).expect("import")
}

fn ids(store: &SqliteStore) -> Vec<i64> {
    store.activities(&ActivityFilter::default()).expect("list").iter().map(|r| r.id).collect()
}

#[test]
fn tcx_replaces_gpx_and_the_run_keeps_its_number_context_and_pain() {
    let dir = tempfile::tempdir().expect("dir");
    let store = SqliteStore::open(&dir.path().join("j.db")).expect("store");
    let p = points(48.2);
    let first = import(&store, &write(dir.path(), "run.gpx", &gpx(&p)));
    assert_eq!(first.imported, 1);
    let id = first.imported_ids[0];
    let ctx = RunContext { surface: Some(Surface::Trail), pack: Some(true), ..RunContext::empty(id) };
    store.put_run_context(&ctx).expect("context");
    let pain = PainReport {
        id: None,
        at: Timestamp::from_second(T0 + 3000).expect("t"),
        timing: PainTiming::RightAfter,
        region: runtall_domain::assess::Region::Neck,
        intensity: runtall_domain::assess::Score::new(4.0).expect("score"),
        run_id: Some(id),
        notes: None,
    };
    store.add_pain_report(&pain).expect("pain");

    let second = import(&store, &write(dir.path(), "run.tcx", &tcx(&p)));
    assert_eq!((second.imported, second.replaced_count, second.duplicate_count), (0, 1, 0), "{second:?}");
    assert_eq!(second.replaced[0].existing, id);
    assert!(second.replaced[0].why.contains("TCX over GPX"), "{:?}", second.replaced);
    assert_eq!(ids(&store), vec![id], "one run, same number");
    let stored = store.activity(id).expect("read").expect("run");
    assert_eq!(stored.activity.source.format, "tcx");
    assert_eq!(stored.activity.laps.len(), 4);
    assert_eq!(store.run_context(id).expect("ctx"), Some(ctx), "context kept");
    let reports = store.pain_reports(Timestamp::MIN, Timestamp::MAX).expect("pain");
    assert_eq!(reports.len(), 1);
    assert_eq!(reports[0].run_id, Some(id), "pain link kept");

    // The GPX again: the better copy is stored, so it is a duplicate and nothing changes.
    let third = import(&store, &dir.path().join("run.gpx"));
    assert_eq!((third.imported, third.replaced_count, third.duplicate_count), (0, 0, 1), "{third:?}");
    assert_eq!(store.activity(id).expect("read").expect("run").activity.source.format, "tcx");
}

#[test]
fn a_cut_short_copy_is_recognised_and_the_whole_file_wins() {
    let dir = tempfile::tempdir().expect("dir");
    let store = SqliteStore::open(&dir.path().join("j.db")).expect("store");
    let whole = gpx(&points(48.2));
    // The first 45% of the bytes: an unclosed file holding the first ~18 minutes.
    let cut = &whole[..whole.len() * 45 / 100];
    let first = import(&store, &write(dir.path(), "cut.gpx", cut));
    assert_eq!((first.imported, first.salvaged), (1, 1), "{first:?}");
    let id = first.imported_ids[0];
    let second = import(&store, &write(dir.path(), "whole.gpx", &whole));
    assert_eq!(second.replaced_count, 1, "{second:?}");
    assert!(second.replaced[0].why.contains("intact"), "{:?}", second.replaced);
    assert_eq!(ids(&store), vec![id]);
    let a = store.activity(id).expect("read").expect("run").activity;
    assert!((a.elapsed_s - 2399.0).abs() < 1.0, "{}", a.elapsed_s);
    assert!(!a.quality.salvaged);
    // And in the other order the cut copy is a duplicate, never a second run.
    let third = import(&store, &dir.path().join("cut.gpx"));
    assert_eq!((third.imported, third.duplicate_count), (0, 1), "{third:?}");
}

#[test]
fn two_runners_at_the_same_time_in_different_places_are_two_runs() {
    let dir = tempfile::tempdir().expect("dir");
    let store = SqliteStore::open(&dir.path().join("j.db")).expect("store");
    import(&store, &write(dir.path(), "a.gpx", &gpx(&points(48.2))));
    // 6 km further north, same minutes.
    let b = import(&store, &write(dir.path(), "b.gpx", &gpx(&points(48.255))));
    assert_eq!((b.imported, b.duplicate_count), (1, 0), "{b:?}");
    assert_eq!(ids(&store).len(), 2);
}

/// `shared/corpus` next to the repository, if present.
fn corpus() -> Option<PathBuf> {
    let p = Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/corpus"));
    if p.is_dir() {
        Some(p.to_path_buf())
    } else {
        println!("skipped: corpus not found");
        None
    }
}

#[test]
fn corpus_intact_fit_wins_over_its_damaged_copy_in_either_order() {
    let Some(c) = corpus() else { return };
    let (bad, good) = (c.join("bad/fit-bad-file-crc.fit"), c.join("fit/fenix2-run-small.fit"));
    for order in [[&bad, &good], [&good, &bad]] {
        let dir = tempfile::tempdir().expect("dir");
        let store = SqliteStore::open(&dir.path().join("j.db")).expect("store");
        let first = import(&store, order[0]);
        let second = import(&store, order[1]);
        assert_eq!(ids(&store).len(), 1, "{first:?} {second:?}");
        let kept = store.activity(ids(&store)[0]).expect("read").expect("run").activity;
        assert!(kept.source.path.ends_with("fenix2-run-small.fit"), "{}", kept.source.path);
        assert!(!kept.quality.salvaged);
    }
}
