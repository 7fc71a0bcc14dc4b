//! Breathing sessions on their own (`/breathe`, `runtall breathe`): a pattern and a length, played by a pacer with
//! optional voice, vibration and sound, and recorded like a guided session.
//!
//! The server builds the session with `runtall_companion::breathe` (the pattern the safety gate allows, whole
//! breaths filling the minutes) and embeds it in the page; `breathe.js` only times and shows it. Its reports are
//! replayed by the same engine as the terminal pacer into the same record. Choosing a pattern is a plain form
//! (GET), so each choice is its own page: it works without JavaScript and, once visited, offline.

use super::{json, snapshot};
use crate::AppState;
use crate::error::HttpError;
use crate::layout::{Nav, Page, minutes, sources};
use crate::session::Session;
use axum::Router;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use jiff::{SignedDuration, Timestamp};
use maud::{PreEscaped, html};
use runtall_companion::breathe::{self, BreatheError, BreathingPlan, DEFAULT_MINUTES, DEFAULT_PATTERN, PATTERNS};
use runtall_companion::guide::EndReason;
use runtall_domain::safety::Mode;
use serde::{Deserialize, Serialize};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/breathe", get(page))
        .route("/api/breathe", get(api_patterns))
        .route("/api/breathe/timeline", get(api_timeline))
        .route("/api/breathe/sessions", post(api_record))
}

#[derive(Debug, Deserialize, Default)]
struct Choice {
    pattern: Option<String>,
    minutes: Option<String>,
}

/// Breathing needs a screen that leaves the program open (as a guided exercise does), not an assessment.
fn first_step(mode: Mode) -> Option<&'static str> {
    match mode {
        Mode::NotScreened => Some("/welcome"),
        Mode::Locked => Some("/emergency"),
        Mode::Paused => Some("/screen/result"),
        _ => None,
    }
}

fn breathe_error(e: BreatheError) -> HttpError {
    match e {
        BreatheError::UnknownPattern(_) => HttpError::field("pattern", e.to_string()),
        BreatheError::Minutes(_) => HttpError::field("minutes", e.to_string()),
        BreatheError::NotAllowed { .. } => HttpError::Conflict(e.to_string()),
        BreatheError::Session(m) => HttpError::field("position_s", m),
    }
}

fn parse_minutes(raw: Option<&str>) -> Result<u32, HttpError> {
    match raw.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(DEFAULT_MINUTES),
        Some(m) => {
            m.parse().map_err(|_| HttpError::field("minutes", format!("'{m}' is not a whole number of minutes")))
        }
    }
}

fn plan_for(st: &AppState, s: &super::Snapshot, pattern: &str, mins: u32) -> Result<BreathingPlan, HttpError> {
    breathe::choose(st.program, &s.safety, pattern, mins).map_err(breathe_error)
}

/// The embedded JSON: `</` escaped so content can never close the script element.
fn embed<T: Serialize>(value: &T) -> Result<String, HttpError> {
    Ok(serde_json::to_string(value).map_err(HttpError::internal)?.replace("</", "<\\/"))
}

/// Recent breathing sessions, newest first, as (when, title, what happened).
async fn recent(st: &AppState) -> Result<Vec<(Timestamp, String, String)>, HttpError> {
    let since = Timestamp::now().checked_sub(SignedDuration::from_hours(24 * 30)).unwrap_or(Timestamp::MIN);
    let exercises: Vec<&str> = PATTERNS.iter().map(|(_, e)| *e).collect();
    let rows = st.db.run(move |store| Ok(store.sessions(since, Timestamp::MAX)?)).await?;
    let mut out: Vec<_> = rows
        .into_iter()
        .filter(|r| exercises.contains(&r.routine_id.as_str()))
        .map(|r| {
            let title = r.record.get("title").and_then(|t| t.as_str()).unwrap_or(&r.routine_id).to_string();
            let active = r.record.get("active_s").and_then(|a| a.as_u64()).unwrap_or(0) as u32;
            let how =
                if r.completed { format!("done, {}", minutes(active)) } else { format!("{} of it", minutes(active)) };
            (r.started_at, title, how)
        })
        .collect();
    out.sort_by_key(|r| std::cmp::Reverse(r.0));
    out.truncate(5);
    Ok(out)
}

async fn page(State(st): State<AppState>, session: Session, Query(q): Query<Choice>) -> Result<Response, HttpError> {
    let s = snapshot(&st).await?;
    if let Some(to) = first_step(s.safety.mode) {
        return Ok(Redirect::to(to).into_response());
    }
    let pattern = q.pattern.as_deref().filter(|p| !p.is_empty()).unwrap_or(DEFAULT_PATTERN).to_string();
    // A choice that cannot be played (a mistyped minutes, a pattern not offered) shows the default session with
    // the reason, rather than an error page without the form.
    let chosen = parse_minutes(q.minutes.as_deref()).and_then(|m| plan_for(&st, &s, &pattern, m));
    let (plan, problem) = match chosen {
        Ok(plan) => (plan, None),
        Err(e) => (plan_for(&st, &s, DEFAULT_PATTERN, DEFAULT_MINUTES)?, Some(e)),
    };
    let problem_text = problem.as_ref().map(|e| match e {
        HttpError::Invalid(fields) => fields.values().cloned().collect::<Vec<_>>().join("; "),
        other => other.message(),
    });
    let timeline = breathe::timeline(st.program, &plan).map_err(breathe_error)?;
    let choices = breathe::patterns(st.program, &s.safety);
    let history = recent(&st).await?;
    let exercise = st.program.exercise(&plan.exercise).ok_or(HttpError::NotFound)?;
    let zone = jiff::tz::TimeZone::system();
    let data = embed(&timeline)?;
    let body = html! {
        h1 { "Breathe" }
        @if let Some(p) = &problem_text { div class="error-summary" role="alert" { p { (p) ". Here is the default session instead." } } }
        p class="lead" { "A breathing session on its own: choose a pattern and how long. Sit or lie comfortably; "
            "if you feel light-headed or your fingers tingle, go back to normal breathing." }
        section id="breathe" class="player" data-record="/api/breathe/sessions" data-pattern=(plan.asked)
            data-minutes=(plan.minutes) {
            div class="player-head" {
                h2 { (plan.name) " · " (plan.minutes) " min" }
                p class="muted" { (breathe::rhythm(&plan.breath)) }
                @if let Some(w) = &plan.swapped { p class="note" { (w) "." } }
            }
            div class="pacer" aria-hidden="true" { div class="ring" {} div id="circle" class="circle" {} }
            p id="phase" class="phase" aria-live="assertive" { "Press Start" }
            p id="count" class="count" aria-hidden="true" {}
            p id="left" class="detail" { (plan.minutes) ":00 to go" }
            div class="controls" {
                button type="button" id="start" class="button primary" { "Start" }
                button type="button" id="pause" class="button" disabled { "Pause" }
                button type="button" id="stop" class="button" disabled { "Stop" }
            }
            fieldset class="options-inline" {
                legend class="visually-hidden" { "Session options" }
                label class="check" { input type="checkbox" id="voice"; " Voice" }
                label class="check" { input type="checkbox" id="vibrate"; " Vibrate" }
                label class="check" { input type="checkbox" id="sound"; " Sound" }
            }
            div id="finished" class="notice ok" role="status" hidden {}
            noscript { p class="notice" { "The pacer needs JavaScript. Without it, follow the counts above with a clock: "
                (breathe::rhythm(&plan.breath)) ", for " (runtall_domain::text::count(plan.minutes, "minute", "minutes")) "." } }
        }
        section class="card" {
            h2 { "Choose a pattern" }
            form method="get" action="/breathe" class="stack" {
                fieldset class="group" {
                    legend { "Pattern" }
                    div class="options one" {
                        @for c in &choices {
                            @let offered = c.reason.is_none() || c.instead.is_some();
                            label class="check" {
                                input type="radio" name="pattern" value=(c.id) checked[c.id == plan.asked || c.exercise == plan.asked] disabled[!offered];
                                " " span {
                                    strong { (c.name) } br;
                                    span class="muted" { (c.rhythm) " · about " (format!("{:.1}", c.breaths_per_minute)) " breaths a minute" }
                                    @if let Some(r) = &c.reason { br; span class="note" { (r) } }
                                }
                            }
                        }
                    }
                }
                div class="field" {
                    label for="f-minutes" { "Minutes" }
                    input id="f-minutes" name="minutes" type="number" min=(breathe::MIN_MINUTES) max=(breathe::MAX_MINUTES) value=(plan.minutes) inputmode="numeric";
                }
                button type="submit" class="button" { "Use this pattern" }
            }
        }
        section class="card" {
            h2 { "About this pattern" }
            p { (exercise.summary) }
            (crate::layout::bullets("Stop if", &exercise.stop_if))
            (crate::layout::bullets("Cautions", &exercise.cautions))
            (sources(st.program, &exercise.cite, exercise.evidence))
        }
        section class="card" {
            h2 { "Your recent breathing sessions" }
            @if history.is_empty() { p class="muted" { "None yet: they are kept like your guided sessions." } }
            @else {
                ul { @for (at, title, how) in &history {
                    li { (at.to_zoned(zone.clone()).strftime("%a %-d %b, %H:%M")) " — " (title) " (" (how) ")" }
                } }
            }
        }
        script type="application/json" id="breath-timeline" { (PreEscaped(data)) }
    };
    let mut response = Page::new("Breathe", Nav::Library, body).script("breathe.js").render(&session);
    if problem.is_some() {
        *response.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(response)
}

async fn api_patterns(State(st): State<AppState>) -> Result<Response, HttpError> {
    let s = snapshot(&st).await?;
    if first_step(s.safety.mode).is_some() {
        return Err(HttpError::Conflict(s.safety.headline.clone()));
    }
    Ok(json(serde_json::json!({
        "patterns": breathe::patterns(st.program, &s.safety),
        "default_pattern": DEFAULT_PATTERN,
        "default_minutes": DEFAULT_MINUTES,
        "min_minutes": breathe::MIN_MINUTES,
        "max_minutes": breathe::MAX_MINUTES,
    })))
}

async fn api_timeline(State(st): State<AppState>, Query(q): Query<Choice>) -> Result<Response, HttpError> {
    let s = snapshot(&st).await?;
    if first_step(s.safety.mode).is_some() {
        return Err(HttpError::Conflict(s.safety.headline.clone()));
    }
    let plan =
        plan_for(&st, &s, q.pattern.as_deref().unwrap_or(DEFAULT_PATTERN), parse_minutes(q.minutes.as_deref())?)?;
    let timeline = breathe::timeline(st.program, &plan).map_err(breathe_error)?;
    Ok(json(serde_json::json!({ "plan": plan, "timeline": timeline })))
}

/// What the pacer reports: which session, when it started, how far it got.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RecordBody {
    pattern: String,
    minutes: u32,
    started_at: String,
    /// Seconds of the session's timeline played.
    position_s: f64,
    /// `in-progress` (a checkpoint), `quit` (stopped or left) or `finished`.
    ended: EndReason,
}

async fn api_record(State(st): State<AppState>, axum::Json(b): axum::Json<RecordBody>) -> Result<Response, HttpError> {
    let s = snapshot(&st).await?;
    if first_step(s.safety.mode).is_some() {
        return Err(HttpError::Conflict(s.safety.headline.clone()));
    }
    if b.ended == EndReason::Interrupted {
        return Err(HttpError::field("ended", "is in-progress, quit or finished"));
    }
    let now = Timestamp::now();
    let started = super::guided::started_at(&b.started_at, now)?;
    let plan = plan_for(&st, &s, &b.pattern, b.minutes)?;
    let timeline = breathe::timeline(st.program, &plan).map_err(breathe_error)?;
    let mut record = breathe::replay(timeline, b.position_s, b.ended).map_err(breathe_error)?;
    record.started_at = Some(started);
    record.ended_at = (record.ended != EndReason::InProgress).then_some(now);
    let value = serde_json::to_value(&record).map_err(HttpError::internal)?;
    let (id, done) = (record.id.clone(), record.all_completed());
    st.db
        .run(move |store| runtall_app::completion::save_session(store, started, &id, done, &value).map_err(app_error))
        .await?;
    let message = match record.ended {
        EndReason::Finished if done => format!("{} done: recorded with your sessions.", record.title),
        EndReason::InProgress => format!("Saved so far: {} of breathing.", minutes(record.active_s)),
        _ => format!("Recorded: {} of breathing.", minutes(record.active_s)),
    };
    Ok(json(serde_json::json!({ "stored": true, "message": message, "record": record })))
}

fn app_error(e: runtall_app::AppError) -> HttpError {
    match e {
        runtall_app::AppError::Store(e) => e.into(),
        other => HttpError::internal(other),
    }
}
