//! Posture checks through the shared use cases: add from a landmark file, re-measured on read, the report's trend,
//! kept photos with private permissions that go with the check.

use jiff::civil::date;
use runtall_app::posture::{self, Detail, PhotoStore};
use runtall_domain::posture::{PostureKind, Verdict, parse_landmarks};
use runtall_store::{SqliteStore, Store};

/// A right-facing photo whose CVA is `cva` degrees (C7 at (500, 300), tragus 100 px away).
fn photo(cva: f64) -> String {
    let (tx, ty) = (500.0 + 100.0 * cva.to_radians().cos(), 300.0 - 100.0 * cva.to_radians().sin());
    format!(
        r#"{{"points":{{"tragus":{{"x":{tx},"y":{ty}}},"c7":{{"x":500,"y":300}},"shoulder":{{"x":520,"y":330}},
            "hip":{{"x":520,"y":730}},"nose":{{"x":{},"y":{ty}}}}}}}"#,
        tx + 60.0
    )
}

#[test]
fn add_list_report_and_delete() {
    let store = SqliteStore::in_memory().unwrap();
    let today = date(2026, 5, 1);
    let a = posture::add(&store, parse_landmarks(&photo(44.0)).unwrap(), None, Some(date(2026, 3, 1)), today).unwrap();
    assert_eq!(a.kind, PostureKind::Standing);
    assert!((a.measures().unwrap().cva_deg - 44.0).abs() < 1e-9);
    posture::add(&store, parse_landmarks(&photo(46.0)).unwrap(), None, Some(date(2026, 3, 1)), today).unwrap();
    let c = posture::add(&store, parse_landmarks(&photo(53.0)).unwrap(), None, Some(date(2026, 4, 20)), today).unwrap();
    posture::add(&store, parse_landmarks(&photo(30.0)).unwrap(), Some(PostureKind::Desk), None, today).unwrap();

    let checks = posture::list(&store).unwrap();
    assert_eq!(checks.len(), 4);
    assert_eq!(checks.last().unwrap().taken_on, today, "the date defaults to today");
    let r = posture::report(&store).unwrap();
    let standing = r.history(PostureKind::Standing).unwrap();
    assert_eq!((standing.photos, standing.days), (3, 2));
    let cva = standing.measure("cva").unwrap();
    // 45° (mean of the first day) → 53°: 8° is beyond both the published 5.5° and the own spread (2° apart → 2.8°).
    let change = cva.change.unwrap();
    assert!((change.delta - 8.0).abs() < 1e-9);
    assert_eq!(change.verdict, Verdict::Up);
    assert_eq!(cva.repeat_days, 1);
    assert!(r.history(PostureKind::Desk).unwrap().measure("cva").unwrap().change.is_none());

    let photos = PhotoStore::beside(std::path::Path::new(":memory:"));
    assert!(posture::delete(&store, &photos, c.id).unwrap());
    assert!(!posture::delete(&store, &photos, c.id).unwrap());
    assert!(posture::get(&store, c.id).is_err());
}

#[test]
fn bad_input_stores_nothing_and_names_the_field() {
    let store = SqliteStore::in_memory().unwrap();
    let today = date(2026, 5, 1);
    let e =
        posture::add(&store, parse_landmarks(&photo(44.0)).unwrap(), None, Some(date(2026, 5, 2)), today).unwrap_err();
    assert!(e.to_string().contains("after today"), "{e}");
    let e = posture::add(&store, parse_landmarks(&photo(44.0)).unwrap(), Some(PostureKind::RunVideo), None, today)
        .unwrap_err();
    assert!(e.to_string().starts_with("kind"), "{e}");
    let flat = r#"{"points":{"tragus":{"x":500,"y":300},"c7":{"x":500,"y":300},"shoulder":{"x":520,"y":330},"hip":{"x":520,"y":730}}}"#;
    let e = posture::add(&store, parse_landmarks(flat).unwrap(), None, None, today).unwrap_err();
    assert!(e.to_string().starts_with("points.c7"), "{e}");
    assert!(e.is_user_error());
    assert!(store.postures().unwrap().is_empty());
}

#[test]
fn a_video_is_stored_as_its_summary() {
    let store = SqliteStore::in_memory().unwrap();
    let frames: Vec<String> = (0..600)
        .map(|i| {
            let t = i as f64 / 5.0;
            let ear = 530.0 + 0.3 * t; // drifts forward
            format!(r#"{{"t":{t},"ear":{{"x":{ear},"y":100}},"shoulder":{{"x":500,"y":200}},"hip":{{"x":500,"y":500}},"confidence":0.9}}"#)
        })
        .collect();
    let file = format!(r#"{{"facing":"right","frames":[{}]}}"#, frames.join(","));
    let c = posture::add(&store, parse_landmarks(&file).unwrap(), None, None, date(2026, 5, 1)).unwrap();
    assert_eq!(c.kind, PostureKind::RunVideo);
    let s = c.summary().unwrap();
    assert_eq!(s.minutes.len(), 2);
    assert_eq!(s.drift.as_ref().unwrap().head_forward.verdict, Verdict::Up);
    // The frames are not stored, only the summary.
    let raw = store.posture(c.id).unwrap().unwrap().data;
    assert!(raw.get("frames").is_none() && raw["summary"]["minutes"].is_array());
    assert!(matches!(posture::get(&store, c.id).unwrap().detail, Detail::Video { .. }));
    assert_eq!(posture::report(&store).unwrap().videos.len(), 1);
}

#[cfg(unix)]
#[test]
fn a_kept_photo_is_private_and_goes_with_its_check() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("runtall.db");
    let store = SqliteStore::open(&db).unwrap();
    let photos = PhotoStore::beside(&db);
    let c = posture::add(&store, parse_landmarks(&photo(50.0)).unwrap(), None, None, date(2026, 5, 1)).unwrap();
    let e = posture::keep_photo(&store, &photos, c.id, b"GIF89a....").unwrap_err();
    assert!(e.to_string().contains("JPEG or PNG"), "{e}");
    posture::keep_photo(&store, &photos, c.id, &[0xFF, 0xD8, 0xFF, 0xE0, 1, 2, 3]).unwrap();
    assert!(posture::get(&store, c.id).unwrap().photo_kept);
    let file = photos.dir().join(format!("check-{}.jpg", c.id));
    assert_eq!(std::fs::metadata(&file).unwrap().permissions().mode() & 0o777, 0o600);
    assert_eq!(std::fs::metadata(photos.dir()).unwrap().permissions().mode() & 0o777, 0o700);
    assert!(photos.path("../runtall.db").is_none() && photos.path("check-1.jpg").is_some());

    assert!(posture::delete(&store, &photos, c.id).unwrap());
    assert!(!file.exists(), "delete removes the photo");

    // "Delete everything" empties the table; the orphan sweep removes the files.
    let c = posture::add(&store, parse_landmarks(&photo(50.0)).unwrap(), None, None, date(2026, 5, 1)).unwrap();
    posture::keep_photo(&store, &photos, c.id, b"\x89PNG\r\n\x1a\n....").unwrap();
    posture::delete_all(&store, &photos).unwrap();
    assert!(store.postures().unwrap().is_empty());
    assert_eq!(std::fs::read_dir(photos.dir()).unwrap().count(), 0, "delete everything removes the photo files");
}
