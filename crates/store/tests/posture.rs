//! Posture checks persist across reopening, list oldest first, keep the photo name, delete one by one, count as
//! real data, leave the insights cache's revision alone and go with "delete everything".

use jiff::civil::date;
use runtall_store::{SqliteStore, Store};

#[test]
fn posture_checks_round_trip_and_delete() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("p.db");
    let (a, b) = {
        let s = SqliteStore::open(&path).unwrap();
        assert!(!s.holds_real_data().unwrap());
        let rev = s.journal_revision().unwrap();
        let b = s.add_posture(date(2026, 3, 2), "standing", &serde_json::json!({"photo": {"x": 1}})).unwrap();
        let a = s.add_posture(date(2026, 2, 1), "run-video", &serde_json::json!({"video": {}})).unwrap();
        assert_eq!(s.journal_revision().unwrap(), rev, "posture is not part of the cached insights views");
        assert!(s.holds_real_data().unwrap());
        s.set_posture_photo(b, Some("posture-2.jpg")).unwrap();
        assert!(s.set_posture_photo(999, Some("x.jpg")).is_err());
        (a, b)
    };
    let s = SqliteStore::open(&path).unwrap();
    let rows = s.postures().unwrap();
    assert_eq!(rows.iter().map(|r| r.id).collect::<Vec<_>>(), vec![a, b], "oldest date first");
    assert_eq!(rows[1].kind, "standing");
    assert_eq!(rows[1].photo.as_deref(), Some("posture-2.jpg"));
    assert_eq!(rows[1].data["photo"]["x"], 1);
    assert_eq!(s.posture(a).unwrap().unwrap().taken_on, date(2026, 2, 1));
    assert!(s.delete_posture(a).unwrap());
    assert!(!s.delete_posture(a).unwrap());
    assert!(s.posture(a).unwrap().is_none());
    assert_eq!(s.postures().unwrap().len(), 1);
    s.delete_all().unwrap();
    assert!(s.postures().unwrap().is_empty());
}
