//! What an athlete sees of a clinician's records (as a sync or the clinic server stores them): the adjusted dose and
//! the note on Today, the changes on the plan with the gate still winning, comments on a run and the report, and
//! their own audit log.

mod common;

use axum::http::StatusCode;
use common::*;
use jiff::Timestamp;
use runtall_domain::clinic::{AuditEntry, Change, Comment, CommentOn, DoseChange, ProgramChange};
use runtall_store::Store;

fn change(key: &str, change: Change) -> ProgramChange {
    ProgramChange { key: key.into(), at: Timestamp::now(), by: "Ines Ferreira, PT".into(), change }
}

#[tokio::test]
async fn an_adjusted_dose_and_the_note_appear_on_today() {
    let app = app().await;
    app.onboard().await;
    let before = app.get("/today?run=easy").await;
    assert_eq!(before.status, StatusCode::OK);
    assert!(before.has("Chin tuck</a> — 1 × 5, hold 10 s"), "the routine's own dose before");
    assert!(!before.has("Note from"));

    let store = app.store();
    let dose = DoseChange { sets: Some(2), reps: Some(8), ..DoseChange::default() };
    store
        .add_program_change(&change(
            "pc-1",
            Change::Dose { exercise: "chin-tuck".into(), dose, note: Some("slow".into()) },
        ))
        .expect("dose");
    store.add_program_change(&change("pc-2", Change::Note { text: "Easy week before the race".into() })).expect("note");

    let today = app.get("/today?run=easy").await;
    assert!(today.has("Chin tuck</a> — 2 × 8, hold 10 s"), "the clinician's dose on Today");
    assert!(today.has("Dose set by Ines Ferreira, PT: slow"));
    assert!(today.has("Note from Ines Ferreira, PT") && today.has("Easy week before the race"));
    let plan = app.get("/plan").await;
    assert!(plan.has("Changed by your clinician") && plan.has("2 × 8"), "the plan lists the change");
    let api = app.get("/api/plan").await.json();
    assert_eq!(api["plan"]["clinician"]["doses"][0]["exercise"], "chin-tuck", "{}", api["plan"]["clinician"]);
}

#[tokio::test]
async fn the_gate_wins_over_a_clinicians_change() {
    let app = app().await;
    app.onboard().await;
    // A level C answer: the reduced program leaves some exercises out.
    let flags = app.get("/api/screen/questions").await.json();
    let c = flag_of_level(&flags, "C");
    assert_eq!(app.api("/api/screen", serde_json::json!({ "yes": [c], "others": "no" })).await.status, StatusCode::OK);
    let safety = app.get("/api/safety").await.json();
    let held = safety["exercises"]
        .as_array()
        .expect("exercises")
        .iter()
        .find(|e| e["verdict"] == "left-out")
        .and_then(|e| e["id"].as_str())
        .expect("the reduced program leaves an exercise out")
        .to_string();
    let store = app.store();
    store.add_program_change(&change("pc-1", Change::ExerciseOn { exercise: held.clone(), note: None })).expect("on");
    let safety = app.get("/api/safety").await.json();
    let verdict = safety["exercises"].as_array().expect("exercises").iter().find(|e| e["id"] == held.as_str()).cloned();
    assert_eq!(verdict.expect("decided")["verdict"], "left-out", "{held} stays out");
    assert_eq!(
        safety["clinician"]["refused"][0]["key"], "pc-1",
        "and the refusal is recorded: {}",
        safety["clinician"]
    );
    let plan = app.get("/api/plan").await.json();
    let items = plan["plan"]["items"].as_array().expect("items");
    assert!(!items.iter().any(|i| i["id"] == held.as_str()), "{held} is not added to the plan");
    assert!(!app.get("/plan").await.has("switched on by"));
}

#[tokio::test]
async fn comments_show_on_the_run_and_the_report_and_the_athlete_reads_the_audit_log() {
    let app = app().await;
    app.onboard().await;
    let store = app.store();
    let id = add_run(&store, 30, "run-hash-1");
    let week = Timestamp::now().to_zoned(jiff::tz::TimeZone::system()).date();
    for (key, on, text) in [
        ("c-1", CommentOn::Run { run: "run-hash-1".into() }, "Even pace, well done"),
        ("c-2", CommentOn::Run { run: "another-run".into() }, "Not this run"),
        ("c-3", CommentOn::Report { week }, "Pain is settling"),
    ] {
        let c =
            Comment { key: key.into(), at: Timestamp::now(), by: "Ines Ferreira, PT".into(), on, text: text.into() };
        store.add_comment(&c).expect("comment");
    }
    let page = app.get(&format!("/runs/{id}")).await;
    assert!(page.has("From your clinician") && page.has("Even pace, well done"));
    assert!(!page.has("Not this run"), "another run's comment stays there");
    let api = app.get(&format!("/api/runs/{id}/comments")).await.json();
    assert_eq!(api.as_array().map(Vec::len), Some(1));
    assert_eq!(app.get("/api/runs/999/comments").await.status, StatusCode::NOT_FOUND);
    assert!(app.get("/report").await.has("Pain is settling"));

    assert!(app.get("/settings/audit").await.has("Nobody has looked at your data"));
    let entry = AuditEntry {
        at: Timestamp::now(),
        actor_account: 3,
        actor_name: "Ines Ferreira".into(),
        action: "viewed-runs".into(),
        detail: "your runs".into(),
    };
    store.add_audit(&entry).expect("audit");
    let audit = app.get("/settings/audit").await;
    assert!(audit.has("Ines Ferreira") && audit.has("your runs"));
    assert_eq!(app.get("/api/settings/audit").await.json()[0]["action"], "viewed-runs");
}
