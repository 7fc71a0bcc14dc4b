//! One session engine for both players: the timeline the browser's player gets for every routine is the one
//! `runtall guide` plays in the terminal (same segments, timings, words), and a session reported by the browser is
//! recorded exactly as the terminal's state machine records the same session.

mod common;

use axum::http::StatusCode;
use common::*;
use jiff::{SignedDuration, Timestamp};
use runtall_companion::guide::{GuideInput, Session, Timeline, build_timeline, kind_name};
use runtall_content::program;
use runtall_domain::plan::routine_view;
use runtall_domain::safety::{Permissions, SafetyInputs, gate};
use runtall_store::Store;
use serde_json::{Value, json};
use std::time::Duration;

/// The onboarded runner's permissions, from what the app stored.
fn permissions(app: &App) -> Permissions {
    let store = app.store();
    let screening = store.latest_screening().expect("screening");
    let assessment = store.latest_assessment().expect("assessment");
    gate(
        program(),
        &SafetyInputs { screening: screening.as_ref(), assessment: assessment.as_ref().map(|a| &a.assessment) },
    )
}

/// What `runtall guide ROUTINE` plays for this runner.
fn terminal_timeline(perm: &Permissions, routine: &str) -> Timeline {
    let r = program().routine(routine).expect("routine");
    build_timeline(program(), &GuideInput::Routine(&routine_view(program(), r, perm))).expect("playable")
}

/// Routines the gate lets this runner play, with the web's timeline for each.
async fn web_timelines(app: &App, perm: &Permissions) -> Vec<(String, Value)> {
    let mut out = Vec::new();
    for r in &program().routines {
        if !perm.routine(&r.id).allowed {
            continue;
        }
        let reply = app.get(&format!("/api/sessions/{}/timeline", r.id)).await;
        assert_eq!(reply.status, StatusCode::OK, "{}: {}", r.id, reply.body);
        out.push((r.id.clone(), reply.json()));
    }
    out
}

#[tokio::test]
async fn the_browser_and_the_terminal_play_the_same_timeline_for_every_routine() {
    let app = app().await;
    app.onboard().await;
    let perm = permissions(&app);
    let web = web_timelines(&app, &perm).await;
    assert!(web.len() >= program().routines.len() / 2, "only {} routines compared", web.len());
    for (id, w) in &web {
        let t = terminal_timeline(&perm, id);
        let captions = t.captions();
        let steps = w["steps"].as_array().expect("steps");
        assert_eq!(steps.len(), t.steps.len(), "{id}: steps");
        for (ws, ts) in steps.iter().zip(&t.steps) {
            assert_eq!(ws["exercise"], ts.exercise.as_str(), "{id}");
            assert_eq!(ws["dose"], ts.dose.line().as_str(), "{id}: {}", ts.exercise);
        }
        let segs = w["segments"].as_array().expect("segments");
        assert_eq!(segs.len(), t.segments.len(), "{id}: segments");
        let mut at_ms = 0.0;
        for (k, (ws, ts)) in segs.iter().zip(&t.segments).enumerate() {
            let seconds = ws["seconds"].as_f64().expect("seconds");
            assert_eq!(ws["step"].as_u64(), Some(ts.step as u64), "{id} #{k}");
            assert_eq!(ws["kind"], kind_name(ts.kind), "{id} #{k}");
            assert_eq!((seconds * 1000.0).round(), ts.duration_ms as f64, "{id} #{k}: length");
            // The browser sums lengths to place segments; the sum lands on the terminal's start times.
            assert!((at_ms - ts.start_ms as f64).abs() < 1e-6, "{id} #{k}: starts at {at_ms} ms vs {}", ts.start_ms);
            at_ms += seconds * 1000.0;
            assert_eq!(ws["label"], captions[k].label.as_str(), "{id} #{k}");
            assert_eq!(ws["detail"], captions[k].detail.as_str(), "{id} #{k}");
        }
        assert_eq!((w["total_seconds"].as_f64().expect("total") * 1000.0).round(), t.total_ms() as f64, "{id}");
    }
}

fn started(ago_s: i64) -> String {
    Timestamp::now().checked_sub(SignedDuration::from_secs(ago_s)).expect("time").to_string()
}

#[tokio::test]
async fn a_session_left_part_way_is_recorded_as_the_terminal_records_it() {
    let app = app().await;
    app.onboard().await;
    let perm = permissions(&app);
    let web = web_timelines(&app, &perm).await;
    for (n, (id, _)) in web.iter().enumerate() {
        let t = terminal_timeline(&perm, id);
        let total = t.total_ms();
        // Skip out of whatever plays at 15% of the session, then leave at 60% of it.
        let skip_at = total * 15 / 100;
        let skipped_step = t.segments.iter().find(|s| s.start_ms <= skip_at && skip_at < s.end_ms()).expect("seg").step;
        let resume_at = t.step_start(skipped_step + 1).map_or(total, |k| t.segments[k].start_ms);
        let leave_at = (total * 60 / 100).max(resume_at);

        // The terminal: a wall clock at speed 1, "Skip exercise" then quit.
        let mut s = Session::new(t.clone(), 1.0).expect("session");
        s.start(Duration::ZERO);
        s.tick(Duration::from_millis(skip_at));
        s.skip_exercise(Duration::from_millis(skip_at));
        assert_eq!(s.position_ms(), resume_at, "{id}: skip lands on the next exercise");
        let wall_end = skip_at + (leave_at - resume_at);
        s.tick(Duration::from_millis(wall_end));
        s.quit(Duration::from_millis(wall_end));
        let terminal = s.record();

        // The browser: the same session as positions.
        let body = json!({
            "started_at": started(600 + n as i64), "ended": "quit",
            "position_s": leave_at as f64 / 1000.0, "skips": [skip_at as f64 / 1000.0],
        });
        let r = app.api(&format!("/api/sessions/{id}/progress"), body).await;
        assert_eq!(r.status, StatusCode::OK, "{id}: {}", r.body);
        let browser = &r.json()["record"];
        let expected = serde_json::to_value(&terminal.steps).expect("json");
        assert_eq!(browser["steps"], expected, "{id}: per-exercise record");
        assert_eq!(browser["active_s"], terminal.active_s, "{id}");
        assert_eq!(browser["ended"], "quit", "{id}");
    }
}

/// "Too easy / about right / too hard": the browser's marks go through the same engine as the terminal's, are
/// stored with the session, and a mark on an exercise the session never reached is refused.
#[tokio::test]
async fn how_an_exercise_felt_is_recorded_the_same_in_both_players() {
    use runtall_companion::guide::Effort;
    let app = app().await;
    app.onboard().await;
    let perm = permissions(&app);
    let id = "daily-mobility";
    let t = terminal_timeline(&perm, id);
    assert!(t.steps.len() >= 2);
    let total = t.total_ms();
    // The terminal: play it through, mark the first exercise too hard and the last one too easy.
    let mut s = Session::new(t.clone(), 1.0).expect("session");
    s.start(Duration::ZERO);
    assert!(!s.mark(t.steps.len() - 1, Effort::TooEasy), "an exercise not reached yet cannot be marked");
    s.tick(Duration::from_millis(total + 1000));
    assert!(s.mark(0, Effort::TooHard) && s.mark(t.steps.len() - 1, Effort::TooEasy));
    let terminal = s.record();
    assert_eq!(terminal.steps[0].effort, Some(Effort::TooHard));

    let body = json!({
        "started_at": started(900), "ended": "finished", "position_s": total as f64 / 1000.0,
        "efforts": [{ "step": 0, "effort": "too-hard" }, { "step": t.steps.len() - 1, "effort": "too-easy" }],
    });
    let r = app.api(&format!("/api/sessions/{id}/progress"), body).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let browser = &r.json()["record"];
    assert_eq!(browser["steps"], serde_json::to_value(&terminal.steps).expect("json"));
    assert_eq!(browser["steps"][0]["effort"], "too-hard");
    // Stored with the session, where the dose progression reads it.
    let stored = app.store().sessions(Timestamp::UNIX_EPOCH, Timestamp::now() + SignedDuration::from_hours(1));
    let stored = stored.expect("sessions");
    assert!(stored.iter().any(|row| row.record["steps"][0]["effort"] == "too-hard"), "stored with the session");

    // A checkpoint early in the session cannot mark the last exercise.
    let early = json!({
        "started_at": started(960), "ended": "in-progress", "position_s": 1.0,
        "efforts": [{ "step": t.steps.len() - 1, "effort": "too-hard" }],
    });
    let r = app.api(&format!("/api/sessions/{id}/progress"), early).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(r.has("efforts"), "{}", r.body);
    // The player asks at the end of each exercise.
    let page = app.get(&format!("/session/{id}")).await;
    for text in ["data-effort=\"too-easy\"", "data-effort=\"about-right\"", "data-effort=\"too-hard\""] {
        assert!(page.has(text), "{text}");
    }
}
