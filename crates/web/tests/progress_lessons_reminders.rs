//! Handler tests for the guided player's progress reports, breathing-course progress and reminder settings:
//! status, content, what is stored, and CSRF refusal.

mod common;

use axum::http::StatusCode;
use common::*;
use jiff::{SignedDuration, Timestamp};
use runtall_store::Store;
use serde_json::json;

/// The timeline's total seconds, and where the first active (not getting-ready, not rest) segment of each step
/// starts, summed as the player does.
async fn timeline(app: &App, routine: &str) -> (f64, Vec<f64>) {
    let t = app.get(&format!("/api/sessions/{routine}/timeline")).await.json();
    let segs = t["segments"].as_array().expect("segments");
    let mut at = 0.0;
    let mut first_active = vec![f64::NAN; t["steps"].as_array().expect("steps").len()];
    for s in segs {
        let step = s["step"].as_u64().expect("step") as usize;
        let kind = s["kind"].as_str().expect("kind");
        if kind != "ready" && kind != "rest" && first_active[step].is_nan() {
            first_active[step] = at;
        }
        at += s["seconds"].as_f64().expect("seconds");
    }
    (at, first_active)
}

fn started(ago_s: i64) -> String {
    Timestamp::now().checked_sub(SignedDuration::from_secs(ago_s)).expect("time").to_string()
}

fn sessions(app: &App) -> Vec<runtall_store::SessionRow> {
    app.store().sessions(Timestamp::MIN, Timestamp::MAX).expect("sessions")
}

#[tokio::test]
async fn the_player_checkpoints_then_finishes_into_one_row_and_ticks_the_day_log() {
    let app = app().await;
    app.onboard().await;
    let (total, _) = timeline(&app, "daily-mobility").await;
    let key = started(120);
    let url = "/api/sessions/daily-mobility/progress";
    let report = |ended: &str, position: f64| json!({ "started_at": key, "ended": ended, "position_s": position, "elapsed_s": 100, "paused_s": 10, "speed": 1 });
    let r = app.api(url, report("in-progress", total / 2.0)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let j = r.json();
    assert_eq!((j["stored"].as_bool(), j["all_completed"].as_bool()), (Some(true), Some(false)));
    assert!(j["message"].as_str().is_some_and(|m| m.starts_with("Progress saved")), "{j}");
    let rows = sessions(&app);
    assert_eq!(rows.len(), 1);
    assert!(!rows[0].completed);
    assert_eq!(rows[0].record["ended"], "in-progress");
    assert_ne!(app.get("/api/day").await.json()["mobility_done"], true, "a checkpoint ticks nothing");

    let r = app.api(url, report("finished", total)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let j = r.json();
    assert_eq!(j["completion"]["stored_in"], "day");
    let msg = j["message"].as_str().unwrap_or_default();
    assert!(msg.contains("recorded in your journal") && msg.contains("recorded in today's log"), "{msg}");
    assert_eq!(j["record"]["steps"].as_array().map(|s| s.iter().all(|s| s["outcome"] == "completed")), Some(true));
    // Still one row per session: the checkpoint was overwritten by the final record, as `runtall guide` does.
    let rows = sessions(&app);
    assert_eq!(rows.len(), 1);
    assert!(rows[0].completed);
    assert_eq!(rows[0].record["ended"], "finished");
    assert_eq!(rows[0].record["paused_s"], 10);
    assert!(rows[0].record["ended_at"].is_string());
    assert_eq!(app.get("/api/day").await.json()["mobility_done"], true);

    // A checkpoint still in flight when the session ended does not undo it.
    let r = app.api(url, report("in-progress", total / 2.0)).await.json();
    assert_eq!(r["stored"], false);
    assert_eq!(sessions(&app)[0].record["ended"], "finished");
}

#[tokio::test]
async fn skipped_or_left_sessions_are_stored_as_they_are_and_tick_nothing() {
    let app = app().await;
    app.onboard().await;
    let (total, active) = timeline(&app, "daily-mobility").await;
    assert!(active.len() >= 2, "a routine with at least two exercises");
    let url = "/api/sessions/daily-mobility/progress";
    // Skipped out of the first exercise a second into it (counted as skipped: under 2 s of it was done, the rule
    // both players share), then played to the end.
    let body =
        json!({ "started_at": started(300), "ended": "finished", "position_s": total, "skips": [active[0] + 1.0] });
    let r = app.api(url, body).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let j = r.json();
    assert_eq!(j["all_completed"], false);
    assert!(j["completion"].is_null());
    assert_eq!(j["record"]["steps"][0]["outcome"], "skipped");
    assert_eq!(j["record"]["steps"][1]["outcome"], "completed");
    assert!(j["message"].as_str().is_some_and(|m| m.contains("ticked only when every exercise is done")), "{j}");
    assert_ne!(app.get("/api/day").await.json()["mobility_done"], true);

    // Left during the second exercise: the first is skipped (never played), the rest not started.
    let body = json!({ "started_at": started(100), "ended": "quit", "position_s": active[1] + 2.0, "skips": [0.5] });
    let j = app.api(url, body).await.json();
    assert_eq!(j["record"]["ended"], "quit");
    assert_eq!(j["record"]["steps"][0]["outcome"], "skipped");
    assert_eq!(j["record"]["steps"][1]["outcome"], "partial");
    let last = j["record"]["steps"].as_array().map(|s| s.len()).unwrap_or(0) - 1;
    if last > 1 {
        assert_eq!(j["record"]["steps"][last]["outcome"], "not-started");
    }
    let rows = sessions(&app);
    assert_eq!(rows.len(), 2, "two sessions, two rows");
    assert!(rows.iter().all(|r| !r.completed));
}

#[tokio::test]
async fn progress_reports_are_checked_and_refused_without_csrf() {
    let app = app().await;
    let url = "/api/sessions/daily-mobility/progress";
    let ok = json!({ "started_at": started(10), "ended": "in-progress", "position_s": 1.0 });
    assert_eq!(app.api(url, ok.clone()).await.status, StatusCode::CONFLICT, "screen and assessment first");
    app.onboard().await;
    let r = app.api_with(url, ok.clone(), None).await;
    assert_eq!((r.status, r.json()["error"].as_str()), (StatusCode::FORBIDDEN, Some("forbidden")));
    assert_eq!(app.api_with(url, ok.clone(), Some("0000")).await.status, StatusCode::FORBIDDEN);
    assert!(sessions(&app).is_empty(), "refused reports store nothing");

    let (total, _) = timeline(&app, "daily-mobility").await;
    let cases = [
        (json!({ "started_at": started(10), "ended": "in-progress", "position_s": total + 60.0 }), "position_s"),
        (json!({ "started_at": started(-7200), "ended": "in-progress", "position_s": 1.0 }), "started_at"),
        (json!({ "started_at": "yesterday", "ended": "in-progress", "position_s": 1.0 }), "started_at"),
        (json!({ "started_at": started(10), "ended": "finished", "position_s": 1.0 }), "position_s"),
        (json!({ "started_at": started(10), "ended": "interrupted", "position_s": 1.0 }), "ended"),
        (json!({ "started_at": started(10), "ended": "in-progress", "position_s": 5.0, "skips": [9.0] }), "position_s"),
        (json!({ "started_at": started(10), "ended": "in-progress", "position_s": 1.0, "speed": 0 }), "speed"),
    ];
    for (body, field) in cases {
        let r = app.api(url, body.clone()).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{body}: {}", r.body);
        assert!(r.json()["fields"][field].is_string(), "{body}: {}", r.body);
    }
    assert_eq!(app.api("/api/sessions/nope/progress", ok.clone()).await.status, StatusCode::NOT_FOUND);
    let unknown = json!({ "started_at": started(10), "ended": "in-progress", "position_s": 1.0, "extra": 1 });
    assert_eq!(app.api(url, unknown).await.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(sessions(&app).is_empty());
    // The player page points the script at the progress route.
    assert!(app.get("/session/daily-mobility").await.has("data-progress=\"/api/sessions/daily-mobility/progress\""));
}

#[tokio::test]
async fn lessons_are_marked_done_by_form_and_api_and_shown_as_progress() {
    let app = app().await;
    let p = app.get("/api/lessons/progress").await.json();
    let total = p["total"].as_u64().expect("total");
    assert_eq!((p["done"].as_u64(), p["next"]["number"].as_u64()), (Some(0), Some(1)));
    assert!(app.get("/learn").await.has(&format!("0 of {total} lessons done")));
    let third = app.get("/api/lessons/3").await.json()["id"].as_str().expect("id").to_string();

    let r = app.form("/learn/3/done", &[("done", "yes")]).await;
    assert_eq!((r.status, r.location()), (StatusCode::SEE_OTHER, format!("/learn/{third}?marked=1").as_str()));
    let page = app.get(&format!("/learn/{third}?marked=1")).await;
    assert!(page.has("Marked as done") && page.has("Mark as not done"), "{}", page.body);
    let course = app.get("/learn").await;
    assert!(course.has(&format!("1 of {total} lessons done")), "{}", course.body);
    assert!(course.has("aria-current=\"step\"") && course.has("✓ done"));
    assert!(app.get("/library").await.has(&format!("1 of {total} lessons done")));

    let p = app.api("/api/lessons/1/done", json!({})).await.json();
    assert_eq!((p["done"].as_u64(), p["next"]["number"].as_u64()), (Some(2), Some(2)));
    let p = app.api("/api/lessons/1/done", json!({ "done": false })).await.json();
    assert_eq!((p["done"].as_u64(), p["next"]["number"].as_u64()), (Some(1), Some(1)));
    assert_eq!(app.store().lessons_done().expect("read").len(), 1, "stored server-side");

    assert_eq!(app.api("/api/lessons/99/done", json!({})).await.status, StatusCode::NOT_FOUND);
    assert_eq!(app.form("/learn/99/done", &[]).await.status, StatusCode::NOT_FOUND);
    assert_eq!(app.form("/learn/1/done", &[("done", "maybe")]).await.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(app.form_raw("/learn/1/done", &[("done", "yes")]).await.status, StatusCode::FORBIDDEN);
    assert_eq!(app.api_with("/api/lessons/1/done", json!({}), None).await.status, StatusCode::FORBIDDEN);
    assert_eq!(app.store().lessons_done().expect("read").len(), 1, "refused requests changed nothing");
}

fn reminder_form<'a>(walk: &'a str, days: &[&'a str]) -> Vec<(&'a str, &'a str)> {
    let mut f = vec![
        ("enabled", "yes"),
        ("walk_every_min", walk),
        ("shift_every_min", "0"),
        ("max_skips_per_day", "2"),
        ("start", "08:30"),
        ("end", "16:00"),
    ];
    f.extend(days.iter().map(|d| ("days", *d)));
    f
}

#[tokio::test]
async fn reminder_settings_are_saved_checked_by_field_and_refused_without_csrf() {
    let app = app().await;
    let r = app.get("/api/reminders").await.json();
    assert_eq!((r["settings"]["enabled"].as_bool(), r["settings"]["walk_every_min"].as_u64()), (Some(true), Some(30)));
    let page = app.get("/settings").await;
    for text in ["Sitting-break reminders", "for=\"f-walk_every_min\"", "for=\"f-start\"", "Save reminders"] {
        assert!(page.has(text), "settings page shows {text}");
    }

    let r = app.form("/settings/reminders", &reminder_form("45", &["mon", "wed"])).await;
    assert_eq!((r.status, r.location()), (StatusCode::SEE_OTHER, "/settings?saved=1#reminders"), "{}", r.body);
    let saved = app.store().setting("reminders").expect("read").expect("stored");
    assert_eq!(saved["walk_every_min"], 45);
    assert_eq!(saved["working_hours"]["days"], json!(["mon", "wed"]));
    let page = app.get("/settings?saved=1").await;
    assert!(page.has("walk every 45 min, no position-change prompts, Mon, Wed 08:30–16:00"), "{}", page.body);

    let r = app.form("/settings/reminders", &reminder_form("2", &[])).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.has("allowed 5–240 min") && r.has("choose at least one day"), "{}", r.body);
    assert!(r.has("value=\"2\""), "the submitted value is shown again");
    let r = app.form("/settings/reminders", &[("walk_every_min", "soon"), ("any_time", "yes")]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.has("'soon' is not a whole number") && r.has("required"));
    assert_eq!(app.store().setting("reminders").expect("read").expect("kept")["walk_every_min"], 45);

    let r = app.api("/api/reminders", json!({ "enabled": false, "any_time": true })).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(
        (r.json()["summary"].as_str(), r.json()["settings"]["walk_every_min"].as_u64()),
        (Some("Off"), Some(45))
    );
    let r = app.api("/api/reminders", json!({ "shift_every_min": 3, "end": "25:00" })).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let fields = &r.json()["fields"];
    assert!(fields["shift_every_min"].as_str().is_some_and(|m| m.contains("0 for off")), "{fields}");
    assert!(fields["end"].is_string(), "{fields}");
    assert_eq!(app.api("/api/reminders", json!({ "snooze": 5 })).await.status, StatusCode::UNPROCESSABLE_ENTITY);

    assert_eq!(app.form_raw("/settings/reminders", &reminder_form("60", &["mon"])).await.status, StatusCode::FORBIDDEN);
    assert_eq!(app.api_with("/api/reminders", json!({ "enabled": true }), None).await.status, StatusCode::FORBIDDEN);
    assert_eq!(app.store().setting("reminders").expect("read").expect("kept")["enabled"], false);
}
