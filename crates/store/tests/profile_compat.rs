//! The stored profile across binaries: one saved here with a daily budget is still read by the previous binary's
//! reader (which refused unknown fields), and one saved by a newer binary with fields this one does not know is
//! read here.

use runtall_domain::plan::DayBudget;
use runtall_domain::profile::{Profile, Units};
use runtall_store::{SqliteStore, Store};
use serde::Deserialize;

/// The profile as the previous binary read it: its fields, and nothing else allowed.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)] // Read only to prove the record decodes.
struct PreviousProfile {
    name: String,
    #[serde(default)]
    units: Units,
    #[serde(default)]
    country: Option<String>,
    #[serde(default)]
    demo: bool,
}

fn raw_profile(path: &std::path::Path) -> String {
    let conn = rusqlite::Connection::open(path).expect("open");
    conn.query_row("SELECT data FROM profile", [], |r| r.get(0)).expect("one profile")
}

#[test]
fn a_profile_with_a_budget_stays_readable_by_the_previous_binary() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("p.db");
    let store = SqliteStore::open(&path).expect("open");
    let budget = DayBudget::new(10, 35).expect("budget");
    let profile =
        Profile { name: "Ana".into(), country: Some("AT".into()), day_budget: Some(budget), ..Profile::default() };
    store.save_profile(&profile).expect("save");
    let json = raw_profile(&path);
    let previous: PreviousProfile = serde_json::from_str(&json).unwrap_or_else(|e| panic!("{e}: {json}"));
    assert_eq!((previous.name.as_str(), previous.country.as_deref()), ("Ana", Some("AT")));
    // And this binary still has the budget.
    assert_eq!(store.profile().expect("read"), Some(profile));
}

#[test]
fn a_newer_binarys_profile_fields_do_not_stop_this_one() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("p.db");
    let store = SqliteStore::open(&path).expect("open");
    store.save_profile(&Profile { name: "Ben".into(), ..Profile::default() }).expect("save");
    // A newer binary wrote fields this one does not know, in the record and beside it.
    let conn = rusqlite::Connection::open(&path).expect("open");
    conn.execute(
        "UPDATE profile SET data = ?1",
        [r#"{"name":"Ben","units":"mi","country":null,"demo":false,"pronouns":"he","theme":{"dark":true}}"#],
    )
    .expect("newer record");
    conn.execute(
        "UPDATE settings SET data = ?1 WHERE key = 'profile.extra'",
        [r#"{"day_budget":{"run_day_min":12,"rest_day_min":18},"reminder_voice":"calm"}"#],
    )
    .expect("newer extra");
    let read = store.profile().expect("read despite unknown fields").expect("some");
    assert_eq!((read.name.as_str(), read.units), ("Ben", Units::Mi));
    assert_eq!(read.day_budget, Some(DayBudget::new(12, 18).expect("budget")));
    // A profile saved by session 5's binary kept the budget in the record itself: still read.
    conn.execute("DELETE FROM settings WHERE key = 'profile.extra'", []).expect("no extra");
    conn.execute(
        "UPDATE profile SET data = ?1",
        [r#"{"name":"Ben","units":"km","demo":false,"day_budget":{"run_day_min":20,"rest_day_min":25}}"#],
    )
    .expect("session 5 record");
    assert_eq!(store.profile().expect("read").expect("some").day_budget, Some(DayBudget::new(20, 25).expect("b")));
}

/// Pain reports are stored state too: a newer binary's extra field in a stored report does not stop this one.
#[test]
fn stored_pain_reports_with_newer_fields_are_read() {
    use runtall_domain::journal::PainReport;
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("p.db");
    let store = SqliteStore::open(&path).expect("open");
    let at: jiff::Timestamp = "2026-12-01T08:00:00Z".parse().expect("ts");
    let report: PainReport = serde_json::from_value(serde_json::json!({
        "at": at, "timing": "right-after", "region": "neck", "intensity": 4.0
    }))
    .expect("report");
    store.add_pain_report(&report).expect("add");
    let conn = rusqlite::Connection::open(&path).expect("open");
    let json: String = conn.query_row("SELECT data FROM pain_reports", [], |r| r.get(0)).expect("row");
    let mut v: serde_json::Value = serde_json::from_str(&json).expect("json");
    v["felt_like"] = "burning".into();
    conn.execute("UPDATE pain_reports SET data = ?1", [v.to_string()]).expect("newer field");
    let back = store.pain_reports(at - jiff::SignedDuration::from_hours(1), jiff::Timestamp::MAX).expect("read");
    assert_eq!(back.len(), 1);
    assert_eq!(back[0].intensity, report.intensity);
}
