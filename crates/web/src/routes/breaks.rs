//! The break page (`/breaks`): a countdown to the next sitting break, the prompt when one is due with its
//! micro-exercise and drawing, done / snooze / skip, pause, and notifications where the browser allows them.
//!
//! The server runs one reminder scheduler for the browser — the same pure `Scheduler` as `runtall remind`, built
//! and kept in step by `runtall_app::breaks` (the saved settings, the safety gate, the day's history from both
//! front ends). The page asks it where things stand (`GET /api/breaks`, which also advances it to now) and posts
//! the runner's answers; every event goes to the shared history. Without JavaScript the page reloads itself every
//! minute and the answers are plain forms.

use super::{json, snapshot};
use crate::AppState;
use crate::error::HttpError;
use crate::form::FormData;
use crate::layout::{Nav, Page, csrf_field, figure_img};
use crate::session::Session;
use axum::Router;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use jiff::{SignedDuration, Timestamp, Zoned};
use maud::{PreEscaped, html};
use runtall_app::breaks;
use runtall_companion::remind::settings::ReminderSettings;
use runtall_companion::remind::{
    BreakStatus, BreakSummary, PromptKind, RemindError, ReminderConfig, Response as Answer, Scheduler, summarize,
};
use runtall_domain::safety::Permissions;
use serde::{Deserialize, Serialize};
use std::sync::Mutex;

/// The browser's scheduler, made when the page is first asked and remade when the settings change.
#[derive(Default)]
pub struct BreakSlot(Mutex<Option<Running>>);

struct Running {
    scheduler: Scheduler,
    config: ReminderConfig,
}

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/breaks", get(page))
        .route("/breaks/respond", post(respond_form))
        .route("/breaks/pause", post(pause_form))
        .route("/api/breaks", get(api_state))
        .route("/api/breaks/respond", post(api_respond))
        .route("/api/breaks/pause", post(api_pause))
}

/// Where the reminders stand, as the page and the API show it. Made once per request, so the size of the `On`
/// variant does not matter.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "state", rename_all = "kebab-case")]
enum View {
    /// Switched off in the settings.
    Off { settings: String },
    /// The safety gate allows no reminders now.
    NotAllowed { reason: String },
    On {
        status: BreakStatus,
        /// Seconds until the next break, when one is coming.
        next_in_s: Option<i64>,
        settings: String,
        today: BreakSummary,
        /// The last seven days: (date, taken, skipped, snoozed).
        week: Vec<(String, u32, u32, u32)>,
    },
}

fn week(events: &[runtall_store::BreakEventRow]) -> Vec<(String, u32, u32, u32)> {
    let mut days: std::collections::BTreeMap<String, (u32, u32, u32)> = Default::default();
    for e in events {
        let day = e.at.to_zoned(jiff::tz::TimeZone::system()).strftime("%Y-%m-%d").to_string();
        let entry = days.entry(day).or_default();
        match e.kind.as_str() {
            "taken" | "taken-idle" => entry.0 += 1,
            "skipped" => entry.1 += 1,
            "snoozed" => entry.2 += 1,
            _ => {}
        }
    }
    days.into_iter().rev().map(|(d, (t, s, z))| (d, t, s, z)).collect()
}

/// What to do to the scheduler before reading its state.
enum Act {
    Look,
    Answer(u64, Answer),
    Pause(bool),
}

fn remind_error(e: RemindError) -> HttpError {
    match e {
        RemindError::NothingPending | RemindError::NoSuchPrompt(_) => HttpError::Conflict(e.to_string()),
        RemindError::SkipCapReached { .. } | RemindError::SnoozeLimit { .. } => HttpError::Conflict(e.to_string()),
        other => HttpError::bad(other.to_string()),
    }
}

/// Advances the browser's scheduler to now (after following the terminal's breaks), does `act`, stores every
/// event in the shared history, and says where things stand.
async fn run(st: &AppState, permissions: Permissions, act: Act) -> Result<View, HttpError> {
    let program = st.program;
    let slot = st.mine()?.breaks.clone();
    st.db
        .run(move |store| {
            let now = Zoned::now();
            let settings: ReminderSettings = breaks::saved_settings(store, program).map_err(app_error)?;
            let mut guard = slot.0.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
            if !settings.enabled {
                *guard = None;
                return Ok(View::Off { settings: settings.summary() });
            }
            if !permissions.reminders.allowed {
                *guard = None;
                return Ok(View::NotAllowed { reason: permissions.reminders.reason.clone().unwrap_or_default() });
            }
            let config = settings.config(&program.habit_defaults);
            if guard.as_ref().is_none_or(|r| r.config != config) {
                let scheduler = breaks::start(store, program, &permissions, config.clone(), breaks::BROWSER, &now)
                    .map_err(app_error)?;
                *guard = Some(Running { scheduler, config });
            }
            let Some(running) = guard.as_mut() else {
                return Err(HttpError::internal("the break scheduler was not started"));
            };
            let s = &mut running.scheduler;
            s.sync(&now, &breaks::recent_events(store, &now).map_err(app_error)?);
            s.tick(&now, None);
            let outcome = match act {
                Act::Look => Ok(()),
                Act::Answer(id, answer) => s.respond(&now, id, answer),
                Act::Pause(on) => {
                    s.set_dnd(&now, on);
                    Ok(())
                }
            };
            for e in s.take_log() {
                breaks::store_event(store, &e).map_err(app_error)?;
            }
            outcome.map_err(remind_error)?;
            let since = now.timestamp().checked_sub(SignedDuration::from_hours(24 * 7)).unwrap_or(Timestamp::MIN);
            let rows = store.break_events(since, Timestamp::MAX)?;
            let today_events = breaks::todays_events(store, &now).map_err(app_error)?;
            let status = s.status(&now);
            let next_in_s = status.next.as_ref().map(|n| n.at.duration_since(now.timestamp()).as_secs().max(0));
            Ok(View::On {
                status,
                next_in_s,
                settings: settings.summary(),
                today: summarize(&today_events),
                week: week(&rows),
            })
        })
        .await
}

fn app_error(e: runtall_app::AppError) -> HttpError {
    match e {
        runtall_app::AppError::Store(e) => e.into(),
        runtall_app::AppError::State(m) => HttpError::Conflict(m),
        other => HttpError::internal(other),
    }
}

async fn permissions(st: &AppState) -> Result<Permissions, HttpError> {
    Ok(snapshot(st).await?.safety)
}

fn clock(s: i64) -> String {
    format!("{}:{:02}", s / 60, s % 60)
}

fn kind_label(k: PromptKind) -> &'static str {
    match k {
        PromptKind::Walk => "walk",
        PromptKind::Shift => "change position",
    }
}

fn embed<T: Serialize>(value: &T) -> Result<String, HttpError> {
    Ok(serde_json::to_string(value).map_err(HttpError::internal)?.replace("</", "<\\/"))
}

async fn page(State(st): State<AppState>, session: Session) -> Result<Response, HttpError> {
    let s = snapshot(&st).await?;
    if s.safety.mode == runtall_domain::safety::Mode::NotScreened {
        return Ok(Redirect::to("/welcome").into_response());
    }
    let view = run(&st, s.safety.clone(), Act::Look).await?;
    let data = embed(&view)?;
    let program = st.program;
    let body = html! {
        h1 { "Sitting breaks" }
        @match &view {
            View::Off { .. } => {
                div class="notice" { p { "Sitting-break reminders are switched off. "
                    a href="/settings#reminders" { "Turn them on in Settings" } " to get a walk every 30 minutes and a "
                    "change of position every 20 while you work." } }
            }
            View::NotAllowed { reason } => {
                div class="notice warn" { p { "No break reminders for now: " (reason) "." } }
            }
            View::On { status, next_in_s, settings, today, week } => {
                section id="breaks" class="player breaks" data-next-in=[*next_in_s] data-prompt=[status.pending.as_ref().map(|p| p.id)] {
                    @if let Some(p) = &status.pending {
                        p class="stepno" { "Break due now" }
                        h2 { (p.title) }
                        p { (p.body) }
                        @if let Some(sg) = &p.suggestion {
                            div class="with-figure break-exercise" {
                                (figure_img(program, &sg.exercise, "thumb"))
                                div { "Try: " a href={ "/library/exercises/" (sg.exercise) } { (sg.name) }
                                    " " span class="muted" { "(~" (crate::layout::minutes(sg.seconds)) ")" } }
                            }
                        }
                        div class="controls" {
                            @for (answer, label, primary) in [("done", "Done", true), ("snooze", "Snooze 5 min", false), ("skip", "Skip", false)] {
                                form method="post" action="/breaks/respond" class="inline-form" {
                                    (csrf_field(&session))
                                    input type="hidden" name="prompt" value=(p.id);
                                    input type="hidden" name="response" value=(answer);
                                    button type="submit" class={ "button" @if primary { " primary" } } data-answer=(answer) {
                                        (label) @if answer == "skip" { " (" (status.skips_left) " left today)" }
                                    }
                                }
                            }
                        }
                    } @else if status.dnd {
                        p class="stepno" { "Paused" }
                        p class="count" id="countdown" { "—" }
                        p { "No reminders until you resume them." }
                    } @else if !status.in_hours {
                        p class="stepno" { "Outside your working hours" }
                        p class="count" id="countdown" { "—" }
                        p { "Reminders start again in your working hours." }
                    } @else if let (Some(n), Some(secs)) = (&status.next, next_in_s) {
                        p class="stepno" { "Next break: " (kind_label(n.kind)) }
                        p class="count" id="countdown" aria-live="off" { (clock(*secs)) }
                        p class="muted" { "at " (n.at.to_zoned(jiff::tz::TimeZone::system()).strftime("%H:%M")) }
                    }
                    form method="post" action="/breaks/pause" class="inline-form pause-form" {
                        (csrf_field(&session))
                        input type="hidden" name="on" value=(if status.dnd { "no" } else { "yes" });
                        button type="submit" class="button" { @if status.dnd { "Resume reminders" } @else { "Pause reminders" } }
                    }
                    p id="notify-row" hidden {
                        button type="button" id="notify" class="button small" { "Notify me when a break is due" }
                        " " span id="notify-state" class="muted" {}
                    }
                }
                section class="card" {
                    h2 { "Today" }
                    p { (today.taken) " taken · " (today.skipped) " skipped · " (today.snoozed) " snoozed" }
                    @if week.len() > 1 {
                        h3 class="small" { "The last 7 days" }
                        ul class="plain" { @for (d, t, sk, z) in week { li { (d) ": " (t) " taken, " (sk) " skipped, " (z) " snoozed" } } }
                    }
                    p class="muted" { (settings) ". " a href="/settings#reminders" { "Change" } }
                    p class="hint" { "In a terminal, " code { "runtall remind" } " runs the same timers: a break taken there counts here." }
                }
            }
        }
        script type="application/json" id="break-state" { (PreEscaped(data)) }
    };
    Ok(Page::new("Sitting breaks", Nav::Today, body).script("breaks.js").reload_without_script(60).render(&session))
}

fn answer_of(raw: &str) -> Result<Answer, HttpError> {
    match raw {
        "done" => Ok(Answer::Done),
        "snooze" => Ok(Answer::Snooze),
        "skip" => Ok(Answer::Skip),
        other => Err(HttpError::field("response", format!("'{other}' is not done, snooze or skip"))),
    }
}

async fn respond_form(State(st): State<AppState>, f: FormData) -> Result<Response, HttpError> {
    let id: u64 = f.get("prompt").unwrap_or("").parse().map_err(|_| HttpError::field("prompt", "not a prompt id"))?;
    let answer = answer_of(f.get("response").unwrap_or(""))?;
    run(&st, permissions(&st).await?, Act::Answer(id, answer)).await?;
    Ok(Redirect::to("/breaks").into_response())
}

async fn pause_form(State(st): State<AppState>, f: FormData) -> Result<Response, HttpError> {
    let on = match f.get("on") {
        Some("yes") => true,
        Some("no") => false,
        _ => return Err(HttpError::field("on", "yes or no")),
    };
    run(&st, permissions(&st).await?, Act::Pause(on)).await?;
    Ok(Redirect::to("/breaks").into_response())
}

async fn api_state(State(st): State<AppState>) -> Result<Response, HttpError> {
    Ok(json(run(&st, permissions(&st).await?, Act::Look).await?))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RespondBody {
    prompt: u64,
    response: String,
}

async fn api_respond(
    State(st): State<AppState>,
    axum::Json(b): axum::Json<RespondBody>,
) -> Result<Response, HttpError> {
    let answer = answer_of(&b.response)?;
    Ok(json(run(&st, permissions(&st).await?, Act::Answer(b.prompt, answer)).await?))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct PauseBody {
    on: bool,
}

async fn api_pause(State(st): State<AppState>, axum::Json(b): axum::Json<PauseBody>) -> Result<Response, HttpError> {
    Ok(json(run(&st, permissions(&st).await?, Act::Pause(b.on)).await?))
}
