//! The guided session player: a routine as this runner does it, timed in the browser, recorded in the journal.
//!
//! The page embeds the one session engine's timeline (`runtall_companion::guide::build_timeline`, the same the
//! terminal player runs, in its [`PlayerTimeline`] form) as JSON data and `player.js` runs it: breathing pacer,
//! hold timers, set/rep counter, next-up, pause/skip, optional voice and vibration, screen wake lock. Completion is
//! recorded by routine kind: daily mobility and rest-day strength tick the day log, pre-run and post-run routines
//! tick the run context of the run they belong to (the explicit `run`, or the run linked by time as pain reports
//! are). Without JavaScript the step list and a "Mark as done" form still work.
//!
//! The player also reports where it is (`/api/sessions/{routine}/progress`): on pause, at each new exercise, when
//! the page is hidden or left, and at the end. Each report is played through the engine's session state machine
//! ([`replay`]) into the same completion record the terminal player stores, one row per session (keyed by its start), so a session cut short keeps what was done; a session
//! finished with every exercise completed is then recorded in the journal as above, through the same
//! [`runtall_app::completion`] calls as `runtall guide`.

use super::{Snapshot, api_needs_first, json, needs_first, snapshot};
use crate::AppState;
use crate::error::HttpError;
use crate::form::FormData;
use crate::layout::{Nav, Page, csrf_field, minutes, sources};
use crate::session::Session;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use jiff::{SignedDuration, Timestamp};
use maud::{PreEscaped, html};
use runtall_app::AppError;
use runtall_app::completion::{self, Completion};
use runtall_companion::guide::{
    CompletionRecord, EndReason, GuideInput, PlayedReport, PlayerTimeline, ReplayError, StepOutcome, Timeline,
    build_timeline, replay,
};
use runtall_content::RoutineKind;
use runtall_domain::journal::DayLog;
use runtall_domain::plan::{self, RoutineView};
use serde::{Deserialize, Serialize};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/session/{routine}", get(player))
        .route("/session/{routine}/complete", post(complete_form))
        .route("/api/sessions/{routine}/timeline", get(api_timeline))
        .route("/api/sessions/{routine}/complete", post(api_complete))
        .route("/api/sessions/{routine}/progress", post(api_progress))
}

#[derive(Deserialize, Default)]
struct RunQuery {
    run: Option<i64>,
    /// Play only the steps Today chose from the routine (`plan::today`), for the run `for` when it is a run's
    /// routine.
    #[serde(default)]
    today: Option<u8>,
    #[serde(default, rename = "for")]
    for_run: Option<String>,
}

impl RunQuery {
    /// The query string that brings a report back to the same steps (`?today=1&for=easy`), empty for the whole
    /// routine.
    fn today_query(&self) -> String {
        match (self.today, &self.for_run) {
            (Some(1), Some(run)) => format!("?today=1&for={run}"),
            (Some(1), None) => "?today=1".into(),
            _ => String::new(),
        }
    }
}

/// The routine as the player plays it: whole, or with `?today=1` only the steps Today chose (as the Today page
/// shows them), so the page, the timeline and the reports all describe the same session.
async fn view_played(st: &AppState, s: &Snapshot, routine: &str, q: &RunQuery) -> Result<RoutineView, HttpError> {
    let mut view = view_for(st, s, routine)?;
    if q.today == Some(1) {
        let record = super::plan::current_plan(st, s).await?;
        let day = super::plan::today_weekday();
        let run = match q.for_run.as_deref() {
            Some(r) => Some(r.parse().map_err(HttpError::bad)?),
            None => record.plan.week.iter().find(|d| d.day == day).and_then(|d| d.run),
        };
        let program = st.program;
        let progress = {
            let doses = st.mine()?.doses.clone();
            st.db.run(move |store| Ok(doses.progress(store, program, Timestamp::now())?)).await?
        };
        let t = plan::today(st.program, &record.plan, &s.safety, day, run, s.profile.budget(), &progress);
        t.trim(&mut view);
    }
    Ok(view)
}

/// The routine as this runner does it, if the safety gate allows it now; otherwise 409 with the gate's reason.
fn view_for(st: &AppState, s: &Snapshot, routine: &str) -> Result<RoutineView, HttpError> {
    api_needs_first(s)?;
    let r = st.program.routine(routine).ok_or(HttpError::NotFound)?;
    let decision = s.safety.routine(&r.id);
    if !decision.allowed {
        return Err(HttpError::Conflict(format!(
            "{} is not in your program now: {}.",
            r.name,
            decision.reason.unwrap_or_default()
        )));
    }
    Ok(plan::routine_view(st.program, r, &s.safety))
}

/// The engine's timeline of a routine view. The library's doses are checked by the content tests, so a refusal
/// here is a bug, not the runner's to fix.
fn engine_timeline(st: &AppState, view: &RoutineView) -> Result<Timeline, HttpError> {
    build_timeline(st.program, &GuideInput::Routine(view)).map_err(HttpError::internal)
}

fn timeline_for(st: &AppState, s: &Snapshot, routine: &str) -> Result<PlayerTimeline, HttpError> {
    Ok(engine_timeline(st, &view_for(st, s, routine)?)?.for_player())
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
    let t = engine_timeline(&st, &view_played(&st, &s, &routine, &q).await?)?.for_player();
    let r = st.program.routine(&routine).ok_or(HttpError::NotFound)?;
    let data = embed_json(&t)?;
    let progress = format!("/api/sessions/{}/progress{}", t.routine, q.today_query());
    let body = html! {
        h1 { (t.name) }
        p class="lead" { "About " (minutes(t.total_seconds.round() as u32)) ", " (runtall_domain::text::count(t.steps.len(), "exercise", "exercises")) ". "
            "Stop if anything brings sharp, spreading or chest pain." }
        // The player is shown by its script; without JavaScript the page says why there is no Start button.
        noscript { div class="notice warn" { p { strong { "The guided player needs JavaScript" } " to count, pace the "
            "breathing and time each hold. Without it, do the steps below at your own pace: each one links to its card "
            "with the drawing, the dose and what you should feel." } } }
        section id="player" class="player" data-progress=(progress) data-run=[q.run] hidden {
            div class="player-head" {
                p class="stepno" id="stepno" { "" }
                h2 id="step-name" { "Ready when you are" }
                p id="step-dose" class="muted" {}
            }
            img id="step-figure" class="step-figure" alt="" hidden;
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
            div id="effort" class="effort" role="group" aria-labelledby="effort-q" hidden {
                p id="effort-q" { "How was " strong id="effort-name" {} "?" }
                button type="button" class="button" data-effort="too-easy" { "Too easy" }
                " " button type="button" class="button" data-effort="about-right" { "About right" }
                " " button type="button" class="button" data-effort="too-hard" { "Too hard" }
                " " button type="button" class="button link" data-effort="none" { "Skip" }
                p class="hint" { "Your answers set how the dose grows: too hard holds it, too easy twice steps it up early." }
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
        script type="application/json" id="exercise-info" { (PreEscaped(exercise_info(st.program, &t)?)) }
    };
    Ok(Page::new(t.name.clone(), Nav::Today, body).script("player.js").render(&session))
}

/// What the player shows beside the timer for each exercise, by id: its drawing and what the runner should feel.
/// Kept apart from the timeline so the timing data stays what the session engine produces.
fn exercise_info(program: &runtall_content::Program, t: &PlayerTimeline) -> Result<String, HttpError> {
    let mut info = serde_json::Map::new();
    for step in &t.steps {
        let Some(e) = program.exercise(&step.exercise) else { continue };
        let figure = program.figure(&e.id).map(|f| {
            serde_json::json!({
                "src": crate::layout::asset(&format!("figures/{}.plain.svg", e.id)),
                "alt": format!("Drawing of {}. Start: {}. End: {}.", e.name, f.start.label, f.end.label),
            })
        });
        info.insert(
            e.id.clone(),
            serde_json::json!({ "figure": figure, "feel": format!("Feel it: {} {}", e.feel.place, e.feel.what) }),
        );
    }
    embed_json(&info)
}

pub fn empty_day(date: jiff::civil::Date) -> DayLog {
    DayLog::empty(date)
}

/// The shared use case's errors as HTTP ones: an unknown run is the runner's to fix, on the `run` field.
fn app_error(e: AppError) -> HttpError {
    match e {
        AppError::Store(e) => e.into(),
        AppError::State(m) => HttpError::field("run", m),
        other => HttpError::internal(other),
    }
}

async fn complete(st: &AppState, routine: &str, run: Option<i64>) -> Result<Completion, HttpError> {
    let s = snapshot(st).await?;
    api_needs_first(&s)?;
    let r = st.program.routine(routine).ok_or(HttpError::NotFound)?;
    let (kind, name) = (r.kind, r.name.clone());
    st.db
        .run(move |store| {
            completion::record_completion(store, kind, &name, run, Timestamp::now(), super::today()).map_err(app_error)
        })
        .await
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

/// How far the browser's clock may run ahead of the server's, and how old a session may be when reported.
const FUTURE_SKEW: SignedDuration = SignedDuration::from_mins(10);
const MAX_AGE: SignedDuration = SignedDuration::from_hours(48);

/// Where the player is, as it reports it. Positions are timeline seconds (from the start of the timeline the
/// server sent): the current position, and where each "Skip exercise" was pressed (a skip jumps to the next
/// exercise, so these and the position describe exactly what was played).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ProgressBody {
    /// When the runner pressed Start (the browser's clock); every report of one session carries the same value.
    started_at: String,
    /// `in-progress` (a checkpoint), `quit` (the page was left) or `finished`.
    ended: EndReason,
    position_s: f64,
    #[serde(default)]
    skips: Vec<f64>,
    /// Real seconds since Start, pauses included, and of those paused.
    #[serde(default)]
    elapsed_s: u32,
    #[serde(default)]
    paused_s: u32,
    #[serde(default = "one")]
    speed: f64,
    #[serde(default)]
    run: Option<i64>,
    /// How the runner found the exercises they marked at their end.
    #[serde(default)]
    efforts: Vec<EffortMark>,
}

/// "Too easy / about right / too hard" for one exercise of the session, by its index in the timeline's steps.
#[derive(Debug, Deserialize)]
struct EffortMark {
    step: usize,
    effort: runtall_companion::guide::Effort,
}

fn one() -> f64 {
    1.0
}

/// What a progress report did.
#[derive(Debug, Serialize)]
struct ProgressReply {
    /// False when a late checkpoint arrived after the session was already stored as finished (it is ignored).
    stored: bool,
    completed_steps: usize,
    steps: usize,
    all_completed: bool,
    /// The journal entry of a session finished with every exercise completed.
    completion: Option<Completion>,
    message: String,
    record: CompletionRecord,
}

/// The completion record the terminal player would have written for the same session: the report played through
/// the engine's [`Session`](runtall_companion::guide::Session), with the wall-clock figures the player measured.
fn record_from(
    t: Timeline,
    b: &ProgressBody,
    started: Timestamp,
    now: Timestamp,
) -> Result<CompletionRecord, HttpError> {
    if b.efforts.len() > 200 {
        return Err(HttpError::field("efforts", "at most one mark per exercise"));
    }
    let efforts: Vec<(usize, runtall_companion::guide::Effort)> =
        b.efforts.iter().map(|m| (m.step, m.effort)).collect();
    let report = PlayedReport { skips_s: &b.skips, position_s: b.position_s, ended: b.ended, efforts: &efforts };
    let mut record = replay(t, &report).map_err(|e| match e {
        ReplayError::TooManySkips | ReplayError::Skip(_) => HttpError::field("skips", e.to_string()),
        ReplayError::Position { .. } | ReplayError::NotAtEnd => HttpError::field("position_s", e.to_string()),
        ReplayError::Effort(_) => HttpError::field("efforts", e.to_string()),
        ReplayError::Session(e) => HttpError::internal(e),
    })?;
    record.started_at = Some(started);
    record.ended_at = (b.ended != EndReason::InProgress).then_some(now);
    record.elapsed_s = b.elapsed_s;
    record.paused_s = b.paused_s.min(b.elapsed_s);
    record.speed = b.speed;
    Ok(record)
}

/// The session's start as the player reports it: a real moment, not far in the future nor days ago.
pub(super) fn started_at(raw: &str, now: Timestamp) -> Result<Timestamp, HttpError> {
    let t: Timestamp =
        raw.parse().map_err(|_| HttpError::field("started_at", "not a time like 2026-11-02T07:30:00Z"))?;
    let too_new = now.checked_add(FUTURE_SKEW).is_ok_and(|limit| t > limit);
    let too_old = now.checked_sub(MAX_AGE).is_ok_and(|limit| t < limit);
    if too_new || too_old {
        return Err(HttpError::field("started_at", "is not within the last two days (check the device's clock)"));
    }
    Ok(t)
}

/// Stores the player's report as the session's record (a checkpoint, a session left part-way, or finished), and
/// records a session finished with every exercise completed in the journal.
async fn api_progress(
    State(st): State<AppState>,
    Path(routine): Path<String>,
    Query(q): Query<RunQuery>,
    axum::Json(b): axum::Json<ProgressBody>,
) -> Result<Response, HttpError> {
    if !b.speed.is_finite() || !(0.1..=500.0).contains(&b.speed) {
        return Err(HttpError::field("speed", "allowed 0.1–500"));
    }
    if b.ended == EndReason::Interrupted {
        return Err(HttpError::field("ended", "in-progress, quit or finished"));
    }
    let s = snapshot(&st).await?;
    let view = view_played(&st, &s, &routine, &q).await?;
    let t = engine_timeline(&st, &view)?;
    let now = Timestamp::now();
    let started = started_at(&b.started_at, now)?;
    let record = record_from(t, &b, started, now)?;
    let json_record = serde_json::to_value(&record).map_err(HttpError::internal)?;
    let (kind, run, today) = (view.kind, b.run, super::today());
    let name = view.name.clone();
    let (id, ended, all_completed) = (record.id.clone(), record.ended, record.all_completed());
    let task_name = name.clone();
    let (stored, completion) = st
        .db
        .run(move |store| {
            // Reports can arrive out of order (a checkpoint still in flight when the session ends): once a
            // session is stored as finished, later reports of it change nothing. (Rows are keyed to the
            // millisecond.)
            let until = started.checked_add(SignedDuration::from_secs(1)).unwrap_or(started);
            let already_finished = store.sessions(started, until)?.iter().any(|row| {
                row.routine_id == id
                    && row.started_at.as_millisecond() == started.as_millisecond()
                    && row.record.get("ended").and_then(|e| e.as_str()) == Some("finished")
            });
            if already_finished && ended != EndReason::Finished {
                return Ok((false, None));
            }
            completion::save_session(store, started, &id, all_completed, &json_record).map_err(app_error)?;
            // Desk breaks and travel-day routines have no journal flag: the stored session is their record.
            let tracked = !matches!(kind, RoutineKind::DeskBreak | RoutineKind::Travel);
            let completion = if ended == EndReason::Finished && all_completed && tracked {
                Some(completion::record_completion(store, kind, &task_name, run, now, today).map_err(app_error)?)
            } else {
                None
            };
            Ok((true, completion))
        })
        .await?;
    let completed_steps = record.count(StepOutcome::Completed);
    let steps = record.steps.len();
    let message = match (stored, record.ended, &completion) {
        (false, ..) => "This session is already recorded as finished.".to_string(),
        (true, EndReason::Finished, Some(c)) => format!("Session recorded in your journal. {}", c.message),
        (true, EndReason::Finished, None) if record.all_completed() => {
            format!("{name} done: the session is recorded in your journal.")
        }
        (true, EndReason::Finished, None) => format!(
            "Session recorded in your journal: {completed_steps} of {} completed. The day's log is \
             ticked only when every exercise is done — use \"Mark as done\" below if you did the rest on your own.",
            runtall_domain::text::count(steps, "exercise", "exercises")
        ),
        _ => format!(
            "Progress saved: {completed_steps} of {} completed so far.",
            runtall_domain::text::count(steps, "exercise", "exercises")
        ),
    };
    Ok(json(ProgressReply {
        stored,
        completed_steps,
        steps,
        all_completed: record.all_completed(),
        completion,
        message,
        record,
    }))
}
