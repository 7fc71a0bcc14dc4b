//! The guided session player: a routine as this runner does it, timed in the browser, recorded in the journal.
//!
//! The page embeds the timeline (see [`crate::timeline`]) as JSON data and `player.js` runs it: breathing pacer,
//! hold timers, set/rep counter, next-up, pause/skip, optional voice and vibration, screen wake lock. Completion is
//! recorded by routine kind: daily mobility and rest-day strength tick the day log, pre-run and post-run routines
//! tick the run context of the run they belong to (the explicit `run`, or the run linked by time as pain reports
//! are). Without JavaScript the step list and a "Mark as done" form still work.

use super::{Snapshot, api_needs_first, json, needs_first, snapshot};
use crate::AppState;
use crate::error::HttpError;
use crate::form::FormData;
use crate::layout::{Nav, Page, csrf_field, minutes, sources};
use crate::session::Session;
use crate::timeline::{Timeline, build_timeline};
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use jiff::{SignedDuration, Timestamp};
use maud::{PreEscaped, html};
use runtall_content::RoutineKind;
use runtall_domain::journal::{DayLog, PainTiming, RunContext, link_run};
use runtall_domain::plan::{self, Mode};
use runtall_domain::screen::ProgramState;
use runtall_store::{ActivityFilter, Store};
use serde::{Deserialize, Serialize};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/session/{routine}", get(player))
        .route("/session/{routine}/complete", post(complete_form))
        .route("/api/sessions/{routine}/timeline", get(api_timeline))
        .route("/api/sessions/{routine}/complete", post(api_complete))
}

#[derive(Deserialize)]
struct RunQuery {
    run: Option<i64>,
}

fn timeline_for(st: &AppState, s: &Snapshot, routine: &str) -> Result<Timeline, HttpError> {
    let a = api_needs_first(s)?;
    let r = st.program.routine(routine).ok_or(HttpError::NotFound)?;
    let mode = if matches!(s.state, ProgramState::Reduced { .. }) { Mode::Reduced } else { Mode::Full };
    let view = plan::routine_view(st.program, r, &a.assessment, mode);
    Ok(build_timeline(st.program, &view))
}

/// JSON inside `<script type="application/json">`: `</` is escaped so content can never close the element.
fn embed_json<T: Serialize>(value: &T) -> Result<String, HttpError> {
    let text = serde_json::to_string(value).map_err(HttpError::internal)?;
    Ok(text.replace("</", "<\\/"))
}

async fn player(
    State(st): State<AppState>,
    session: Session,
    Path(routine): Path<String>,
    Query(q): Query<RunQuery>,
) -> Result<Response, HttpError> {
    let s = snapshot(&st).await?;
    if let Some(to) = needs_first(&s) {
        return Ok(Redirect::to(to).into_response());
    }
    let t = timeline_for(&st, &s, &routine)?;
    let r = st.program.routine(&routine).ok_or(HttpError::NotFound)?;
    let data = embed_json(&t)?;
    let complete = format!("/api/sessions/{}/complete", t.routine);
    let body = html! {
        h1 { (t.name) }
        p class="lead" { "About " (minutes(t.total_seconds.round() as u32)) ", " (t.steps.len()) " exercises. "
            "Stop if anything brings sharp, spreading or chest pain." }
        section id="player" class="player" data-complete=(complete) data-run=[q.run] hidden {
            div class="player-head" {
                p class="stepno" id="stepno" { "" }
                h2 id="step-name" { "Ready when you are" }
                p id="step-dose" class="muted" {}
            }
            div class="pacer" aria-hidden="true" { div class="ring" {} div id="circle" class="circle" {} }
            p id="phase" class="phase" aria-live="assertive" { "Press Start" }
            p id="count" class="count" aria-hidden="true" { "" }
            p id="detail" class="detail" {}
            progress id="progress" max="1" value="0" aria-label="Session progress" {}
            div class="controls" {
                button type="button" id="start" class="button primary" { "Start" }
                button type="button" id="pause" class="button" disabled { "Pause" }
                button type="button" id="skip" class="button" disabled { "Skip exercise" }
            }
            fieldset class="options-inline" {
                legend class="visually-hidden" { "Session options" }
                label class="check" { input type="checkbox" id="voice"; " Voice cues" }
                label class="check" { input type="checkbox" id="vibrate"; " Vibrate" }
            }
            p id="next-up" class="next-up" {}
            div id="cues" class="cues-box" {}
            div id="finished" class="notice ok" role="status" hidden {}
        }
        section class="card" {
            h2 { "The steps" }
            ol class="steps-list" {
                @for step in &t.steps {
                    li { a href={ "/library/exercises/" (step.exercise) } { (step.name) } " — " (step.dose)
                        @if let Some(n) = &step.note { br; span class="note" { (n) } } }
                }
            }
            form method="post" action={ "/session/" (t.routine) "/complete" } class="stack" {
                (csrf_field(&session))
                @if let Some(id) = q.run { input type="hidden" name="run" value=(id); }
                p class="hint" { "Did it without the player? Record it here." }
                button type="submit" class="button" { "Mark as done" }
            }
            (sources(st.program, &r.cite, r.evidence))
        }
        script type="application/json" id="timeline" { (PreEscaped(data)) }
    };
    Ok(Page::new(t.name.clone(), Nav::Today, body).script("player.js").render(&session))
}

/// What recording a completion did.
#[derive(Debug, Serialize)]
pub struct Completion {
    pub recorded: bool,
    /// `day` (day log), `run` (run context) or nothing.
    pub stored_in: Option<&'static str>,
    pub run_id: Option<i64>,
    pub message: String,
}

/// The run a pre- or post-run routine done now belongs to, linked by time like a pain report.
fn linked_run(store: &dyn Store, kind: RoutineKind, now: Timestamp) -> Result<Option<i64>, HttpError> {
    let span = SignedDuration::from_hours(12);
    let filter = ActivityFilter {
        from: now.checked_sub(span).ok(),
        to: now.checked_add(span).ok(),
        label: None,
        limit: Some(20),
    };
    let runs: Vec<(i64, Timestamp, Timestamp)> = store
        .activities(&filter)?
        .into_iter()
        .filter(|r| r.sport.is_run())
        .map(|r| {
            let end = r.start.checked_add(SignedDuration::from_secs_f64(r.elapsed_s.max(0.0))).unwrap_or(r.start);
            (r.id, r.start, end)
        })
        .collect();
    let timing = if kind == RoutineKind::PreRun { PainTiming::Before } else { PainTiming::RightAfter };
    Ok(link_run(now, timing, &runs))
}

pub fn record_completion(
    store: &dyn Store,
    kind: RoutineKind,
    name: &str,
    run: Option<i64>,
) -> Result<Completion, HttpError> {
    let now = Timestamp::now();
    match kind {
        RoutineKind::DailyMobility | RoutineKind::RestDayStrength => {
            let date = super::today();
            let mut log = store.day_logs(date, date)?.into_iter().next().unwrap_or_else(|| empty_day(date));
            if kind == RoutineKind::DailyMobility {
                log.mobility_done = true;
            } else {
                log.strength_done = true;
            }
            store.put_day_log(&log)?;
            Ok(Completion {
                recorded: true,
                stored_in: Some("day"),
                run_id: None,
                message: format!("{name} done: recorded in today's log ({date})."),
            })
        }
        RoutineKind::PreRun | RoutineKind::PostRun => {
            let run_id = match run {
                Some(id) => {
                    store.activity(id)?.ok_or_else(|| HttpError::field("run", format!("no run with id {id}")))?;
                    Some(id)
                }
                None => linked_run(store, kind, now)?,
            };
            let Some(run_id) = run_id else {
                let which = if kind == RoutineKind::PreRun { "pre-run routine" } else { "post-run reset" };
                return Ok(Completion {
                    recorded: false,
                    stored_in: None,
                    run_id: None,
                    message: format!(
                        "{name} done. There is no run near this time to attach it to yet: once the run is imported, \
                         tick \"{which} done\" on its page."
                    ),
                });
            };
            let mut ctx = store.run_context(run_id)?.unwrap_or(RunContext {
                run_id,
                pack: None,
                surface: None,
                ate_within_2h: None,
                pre_run_done: None,
                post_run_done: None,
            });
            if kind == RoutineKind::PreRun {
                ctx.pre_run_done = Some(true);
            } else {
                ctx.post_run_done = Some(true);
            }
            store.put_run_context(&ctx)?;
            Ok(Completion {
                recorded: true,
                stored_in: Some("run"),
                run_id: Some(run_id),
                message: format!("{name} done: recorded with run #{run_id}."),
            })
        }
        RoutineKind::DeskBreak | RoutineKind::Travel => Ok(Completion {
            recorded: false,
            stored_in: None,
            run_id: None,
            message: format!("{name} done. Well done — the journal does not track these, so nothing was saved."),
        }),
    }
}

pub fn empty_day(date: jiff::civil::Date) -> DayLog {
    DayLog::empty(date)
}

async fn complete(st: &AppState, routine: &str, run: Option<i64>) -> Result<Completion, HttpError> {
    let s = snapshot(st).await?;
    api_needs_first(&s)?;
    let r = st.program.routine(routine).ok_or(HttpError::NotFound)?;
    let (kind, name) = (r.kind, r.name.clone());
    st.db.run(move |store| record_completion(store, kind, &name, run)).await
}

async fn complete_form(
    State(st): State<AppState>,
    session: Session,
    Path(routine): Path<String>,
    form: FormData,
) -> Result<Response, HttpError> {
    let run = match form.get("run") {
        Some(v) => Some(v.parse::<i64>().map_err(|_| HttpError::field("run", "not a run id"))?),
        None => None,
    };
    let done = complete(&st, &routine, run).await?;
    let body = html! {
        h1 { "Session complete" }
        div class={ "notice " @if done.recorded { "ok" } } role="status" { p { (done.message) } }
        p { a class="button primary" href="/today" { "Back to Today" } " " a class="button" href="/pain" { "Log pain" } }
    };
    Ok(Page::new("Session complete", Nav::Today, body).render(&session))
}

#[derive(Deserialize, Default)]
struct CompleteBody {
    #[serde(default)]
    run: Option<i64>,
}

async fn api_complete(
    State(st): State<AppState>,
    Path(routine): Path<String>,
    body: Option<axum::Json<CompleteBody>>,
) -> Result<Response, HttpError> {
    let run = body.map(|b| b.0.run).unwrap_or_default();
    Ok(json(complete(&st, &routine, run).await?))
}

async fn api_timeline(State(st): State<AppState>, Path(routine): Path<String>) -> Result<Response, HttpError> {
    let s = snapshot(&st).await?;
    Ok(json(timeline_for(&st, &s, &routine)?))
}
