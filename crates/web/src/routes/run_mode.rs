//! Run mode: the mid-run cues spoken on schedule by the phone (Web Speech API), for runners without a watch that
//! takes workout files — the same cue plan as `runtall cues`, with the screen kept awake while it runs.
//!
//! The same page offers the cue plan as downloads, like `runtall export workout` (a FIT workout for the watch) and
//! `runtall export cues --format ics` (calendar alarms): one GET form with the CLI's options and checks, since a
//! download changes nothing. A bad value re-renders this page with the field named (422) instead of a file.

use super::{needs_first, snapshot};
use crate::AppState;
use crate::error::HttpError;
use crate::form::Errors;
use crate::layout::{Nav, Page, described, error_summary, field_error, sources};
use crate::session::Session;
use axum::Router;
use axum::extract::{Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use maud::{Markup, PreEscaped, html};
use runtall_companion::cues::{CueError, CueOptions, RepLength, RepSpec, RunPlan, Spec, plan_run};
use runtall_companion::export::{ExportError, FitOptions, IcsOptions, to_ics, workout_fit};
use runtall_content::{Program, RunType};
use runtall_domain::plan::PlanError;
use runtall_domain::safety::Permissions;
use serde::Deserialize;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/run-mode", get(page))
        .route("/run-mode/workout.fit", get(download_fit))
        .route("/run-mode/cues.ics", get(download_ics))
        .route("/api/run-mode", get(api))
}

#[derive(Deserialize)]
struct RunModeQuery {
    run: Option<String>,
    minutes: Option<u32>,
    pack: Option<String>,
}

/// The cue plan for run mode, within what the safety gate allows; a run it holds back is a 409 with its reason.
fn plan(st: &AppState, perm: &Permissions, q: &RunModeQuery) -> Result<Option<RunPlan>, HttpError> {
    let (Some(run), Some(minutes)) = (&q.run, q.minutes) else { return Ok(None) };
    let run: RunType = run.parse().map_err(|e: String| HttpError::field("run", e))?;
    let options = CueOptions { pack: q.pack.as_deref() == Some("on"), ..CueOptions::default() };
    plan_run(st.program, perm, run, &Spec::Minutes(minutes), &options).map(Some).map_err(|e| match e {
        CueError::NotAllowed(reason) => HttpError::Conflict(reason),
        e => HttpError::field("minutes", e.to_string()),
    })
}

/// Downloads and the API need a screen that allows a plan at all (not locked or paused).
async fn permissions(st: &AppState) -> Result<Permissions, HttpError> {
    let s = snapshot(st).await?;
    match PlanError::refusal(&s.safety) {
        Some(refusal) => Err(refusal.into()),
        None => Ok(s.safety),
    }
}

/// The download form's fields: `runtall export workout|cues` options, kept as text so a bad value comes back as
/// a field error on the page (not the extractor's bare 400) and the form shows what was typed.
#[derive(Deserialize, Default)]
struct ExportQuery {
    run: Option<String>,
    minutes: Option<String>,
    reps: Option<String>,
    recovery: Option<String>,
    warmup: Option<String>,
    cooldown: Option<String>,
    pack: Option<String>,
    /// Calendar only: when the run starts (`datetime-local`, the server's time zone); blank is now.
    start: Option<String>,
}

/// A submitted value, trimmed; blank counts as absent (an empty number box is sent as `minutes=`).
fn given(v: &Option<String>) -> Option<&str> {
    v.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

/// Which form field a cue-planner error belongs to, so the message sits next to the box that caused it.
fn cue_field(e: &CueError, reps: bool) -> &'static str {
    match e {
        CueError::Minutes(_) => "minutes",
        CueError::BadDuration { .. } => "recovery",
        CueError::OutOfRange { what, .. } => match *what {
            "a recovery" => "recovery",
            "a warm-up" => "warmup",
            "a cool-down" => "cooldown",
            _ => "reps",
        },
        CueError::NoSchedule(_) | CueError::NotAllowed(_) => "run",
        CueError::TooLong { .. } if !reps => "minutes",
        CueError::Reps(_) | CueError::BadReps { .. } | CueError::TooLong { .. } | CueError::Pace(_) => "reps",
    }
}

fn whole(errors: &mut Errors, value: &Option<String>, field: &str, default: u32) -> u32 {
    match given(value) {
        None => default,
        Some(raw) => raw.parse().unwrap_or_else(|_| {
            errors.add(field, format!("'{raw}' is not a whole number of minutes"));
            default
        }),
    }
}

/// The cue plan for the download, with the CLI's rules (`runtall export`: minutes or reps, recovery 2min,
/// warm-up 15 and cool-down 10 by default) and the companion's own checks and messages.
fn export_plan(program: &Program, perm: &Permissions, q: &ExportQuery) -> Result<RunPlan, Errors> {
    let mut errors = Errors::default();
    let run = match given(&q.run).map(str::parse::<RunType>) {
        Some(Ok(r)) => Some(r),
        Some(Err(e)) => {
            errors.add("run", e);
            None
        }
        None => {
            errors.add("run", "choose easy, long, speed, race or trail");
            None
        }
    };
    let warmup = whole(&mut errors, &q.warmup, "warmup", 15);
    let cooldown = whole(&mut errors, &q.cooldown, "cooldown", 10);
    let minutes = given(&q.minutes).and_then(|raw| match raw.parse::<u32>() {
        Ok(m) => Some(m),
        Err(_) => {
            errors.add("minutes", format!("'{raw}' is not a whole number of minutes"));
            None
        }
    });
    let spec = match (given(&q.reps), minutes, given(&q.minutes)) {
        (Some(_), _, Some(_)) => {
            errors.add("minutes", "give either minutes or reps, not both");
            None
        }
        (Some(reps), _, None) => {
            let recovery = given(&q.recovery).unwrap_or("2min");
            match RepSpec::parse(reps, recovery, warmup, cooldown) {
                Ok(r) => Some(Spec::Reps(r)),
                Err(e) => {
                    errors.add(cue_field(&e, true), e.to_string());
                    None
                }
            }
        }
        (None, Some(m), _) => Some(Spec::Minutes(m)),
        (None, None, None) => {
            errors.add("minutes", "give minutes, or reps like 6x800m with a recovery like 2min");
            None
        }
        (None, None, Some(_)) => None,
    };
    let (Some(run), Some(spec), true) = (run, spec, errors.is_empty()) else { return Err(errors) };
    let options = CueOptions { pack: q.pack.as_deref() == Some("on"), ..CueOptions::default() };
    plan_run(program, perm, run, &spec, &options).map_err(|e| {
        let mut errors = Errors::default();
        errors.add(cue_field(&e, matches!(spec, Spec::Reps(_))), e.to_string());
        errors
    })
}

/// A file name that says what is inside (`runtall-speed-6x800m.fit`), built only from the parsed plan.
fn file_stem(plan: &RunPlan) -> String {
    let what = match plan.spec {
        Spec::Minutes(m) => format!("{m}min"),
        Spec::Reps(r) => match r.length {
            RepLength::Distance { m } => format!("{}x{m}m", r.reps),
            RepLength::Time { s } => format!("{}x{s}s", r.reps),
        },
    };
    format!("runtall-{}-{what}", plan.run_type.as_str())
}

fn download(bytes: Vec<u8>, content_type: &'static str, file: &str) -> Response {
    let mut response = bytes.into_response();
    let h = response.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{file}\"")) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// `runtall export workout` in the browser: the cues as a FIT workout for the watch's `GARMIN/NewFiles` folder.
async fn download_fit(
    State(st): State<AppState>,
    session: Session,
    Query(q): Query<ExportQuery>,
) -> Result<Response, HttpError> {
    let perm = permissions(&st).await?;
    let plan = match export_plan(st.program, &perm, &q) {
        Ok(p) => p,
        Err(errors) => return invalid(&st, &session, &perm, &q, &errors),
    };
    // The encoder checks its own output with our decoder; a failure there is ours, not the runner's.
    let bytes = workout_fit(&plan, &FitOptions::default()).map_err(HttpError::internal)?;
    Ok(download(bytes, "application/vnd.ant.fit", &format!("{}.fit", file_stem(&plan))))
}

/// `runtall export cues --format ics` in the browser: one calendar alarm per cue from the start time.
async fn download_ics(
    State(st): State<AppState>,
    session: Session,
    Query(q): Query<ExportQuery>,
) -> Result<Response, HttpError> {
    let mut errors = Errors::default();
    let start = match given(&q.start) {
        None => Some(jiff::Timestamp::now()),
        Some(raw) => match raw.parse::<jiff::civil::DateTime>().map(|t| t.to_zoned(jiff::tz::TimeZone::system())) {
            Ok(Ok(z)) => Some(z.timestamp()),
            _ => {
                errors.add("start", format!("'{raw}' is not a date and time like 2027-04-18T07:30"));
                None
            }
        },
    };
    let perm = permissions(&st).await?;
    let plan = export_plan(st.program, &perm, &q);
    let (Ok(plan), Some(start)) = (&plan, start) else {
        if let Err(e) = plan {
            errors.0.extend(e.0);
        }
        return invalid(&st, &session, &perm, &q, &errors);
    };
    let text = match to_ics(plan, &IcsOptions::new(start)) {
        Ok(t) => t,
        Err(e @ ExportError::OutOfRange { .. }) => {
            errors.add("start", e.to_string());
            return invalid(&st, &session, &perm, &q, &errors);
        }
        Err(e) => return Err(HttpError::internal(e)),
    };
    Ok(download(text.into_bytes(), "text/calendar; charset=utf-8", &format!("{}.ics", file_stem(plan))))
}

/// The run-mode page again with the download form's errors, as 422.
fn invalid(
    st: &AppState,
    session: &Session,
    perm: &Permissions,
    q: &ExportQuery,
    errors: &Errors,
) -> Result<Response, HttpError> {
    let live = RunModeQuery { run: None, minutes: None, pack: None };
    let mut response = render(st, session, perm, &live, None, None, q, errors)?;
    *response.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    Ok(response)
}

/// The run-mode page with the safety gate's reason instead of the cues, as 409.
fn refused(
    st: &AppState,
    session: &Session,
    perm: &Permissions,
    q: &RunModeQuery,
    reason: &str,
) -> Result<Response, HttpError> {
    let export = ExportQuery { run: Some("easy".into()), minutes: Some("30".into()), ..ExportQuery::default() };
    let mut response = render(st, session, perm, q, None, Some(reason), &export, &Errors::default())?;
    *response.status_mut() = StatusCode::CONFLICT;
    Ok(response)
}

fn field_class(errors: &Errors, field: &str) -> &'static str {
    if errors.get(field).is_some() { "field has-error" } else { "field" }
}

/// The download form: the options of `runtall export workout|cues`, two buttons for the two files.
fn export_card(q: &ExportQuery, errors: &Errors) -> Markup {
    let selected = given(&q.run).unwrap_or("easy");
    let text = |field: &'static str, label: &'static str, hint: &'static str, value: Option<&str>, kind: &str| {
        html! {
            div class=(field_class(errors, field)) {
                label for={ "f-" (field) } { (label) }
                p class="hint" id={ "h-" (field) } { (hint) }
                (field_error(errors, field))
                input id={ "f-" (field) } name=(field) type=(kind) value=(value.unwrap_or(""))
                    aria-describedby={ "h-" (field) @if errors.get(field).is_some() { " e-" (field) } };
            }
        }
    };
    html! {
        section class="card" id="downloads" {
            h2 { "Take the cues with you" }
            p { "A watch workout whose steps carry the cues (copy the file to the watch's " code { "GARMIN/NewFiles" }
                " folder over USB; it appears under Training › Workouts), or calendar alarms at each cue for a phone "
                "without this page open." }
            (error_summary(errors))
            form method="get" action="/run-mode/workout.fit" class="stack" novalidate {
                div class=(field_class(errors, "run")) {
                    label for="f-run" { "Run type" }
                    (field_error(errors, "run"))
                    select id="f-run" name="run" aria-describedby=[described(errors, "run")] {
                        @for r in RunType::ALL {
                            option value=(r.as_str()) selected[r.as_str() == selected] { (r.as_str()) }
                        }
                    }
                }
                (text("minutes", "Minutes", "1–360, for a steady run. Leave empty for reps.", given(&q.minutes), "number"))
                (text("reps", "Or reps", "Speed work, e.g. 6x800m, 5x3min, 8x1km.", given(&q.reps), "text"))
                div class="grid2" {
                    (text("recovery", "Recovery between reps", "e.g. 2min, 90s, 1:30 (default 2min).", given(&q.recovery), "text"))
                    (text("warmup", "Warm-up minutes", "Before the reps, 0–60 (default 15).", given(&q.warmup), "number"))
                    (text("cooldown", "Cool-down minutes", "After the reps, 0–60 (default 10).", given(&q.cooldown), "number"))
                    (text("start", "Calendar: run starts at", "For the calendar file only; empty means now.", given(&q.start), "datetime-local"))
                }
                label class="check" { input type="checkbox" name="pack" value="on" checked[q.pack.as_deref() == Some("on")]; " Wearing a pack or vest" }
                div class="controls" {
                    button type="submit" class="button primary" { "Download watch workout (.fit)" }
                    button type="submit" class="button" formaction="/run-mode/cues.ics" { "Download calendar cues (.ics)" }
                }
            }
        }
    }
}

// A page is naturally described by many small pieces; a struct for them would only rename the arguments.
#[allow(clippy::too_many_arguments)]
fn render(
    st: &AppState,
    session: &Session,
    perm: &Permissions,
    q: &RunModeQuery,
    plan: Option<&RunPlan>,
    refusal: Option<&str>,
    export: &ExportQuery,
    export_errors: &Errors,
) -> Result<Response, HttpError> {
    let selected = q.run.as_deref().unwrap_or("easy");
    let body = html! {
        h1 { "Run mode" }
        p class="lead" { "Your phone reads the posture and breathing cues aloud at the right moments. Start it as you start running; keep the screen on." }
        @if perm.mode != runtall_domain::safety::Mode::Full {
            div class="notice warn" role="status" { p { (perm.headline) } }
        }
        @if let Some(reason) = refusal {
            div class="notice warn" role="alert" { p { strong { "No cues for this run now. " } (crate::layout::capitalised(reason)) "." } }
        }
        form method="get" action="/run-mode" class="card stack" {
            label for="run" { "Run type" }
            select id="run" name="run" {
                @for r in RunType::ALL {
                    @let allowed = perm.run(r).allowed;
                    option value=(r.as_str()) selected[r.as_str() == selected] disabled[!allowed] {
                        (r.as_str()) @if !allowed { " (not now)" }
                    }
                }
            }
            label for="minutes" { "Minutes" }
            input id="minutes" name="minutes" type="number" min="1" max="360" required value=(q.minutes.unwrap_or(45));
            label class="check" { input type="checkbox" name="pack" value="on" checked[q.pack.as_deref() == Some("on")]; " Wearing a pack or vest" }
            button type="submit" class="button" { "Plan the cues" }
        }
        @if let Some(p) = plan {
            section id="run-mode" class="card" {
                h2 { (p.cues.len()) " cues over " (p.total_s / 60) " min" }
                noscript { p class="notice warn" { "Speaking the cues needs JavaScript, so Start does nothing without "
                    "it. The cues and their times are listed below: a watch workout (Export) carries them too." } }
                p id="rm-status" class="phase" aria-live="assertive" { "Press Start when you set off" }
                p id="rm-clock" class="count" { "0:00" }
                p id="rm-next" class="detail" {}
                div class="controls" {
                    button type="button" id="rm-start" class="button primary" { "Start" }
                    button type="button" id="rm-stop" class="button" disabled { "Stop" }
                }
                ol class="steps-list" {
                    @for c in &p.cues {
                        li { strong { (c.at_s / 60) ":" (format!("{:02}", c.at_s % 60)) } " — " (c.text) }
                    }
                }
                @for n in &p.notes { p class="hint" { (n) } }
                (sources(st.program, &p.cite, p.evidence))
            }
            script type="application/json" id="run-cues" {
                (PreEscaped(serde_json::to_string(&p.cues).map_err(HttpError::internal)?.replace("</", "<\\/")))
            }
        }
        (export_card(export, export_errors))
    };
    Ok(Page::new("Run mode", Nav::Today, body).script("runmode.js").render(session))
}

async fn page(
    State(st): State<AppState>,
    session: Session,
    Query(q): Query<RunModeQuery>,
) -> Result<Response, HttpError> {
    let s = snapshot(&st).await?;
    if let Some(to) = needs_first(&s) {
        return Ok(Redirect::to(to).into_response());
    }
    let plan = match plan(&st, &s.safety, &q) {
        Ok(p) => p,
        Err(HttpError::Conflict(reason)) => return refused(&st, &session, &s.safety, &q, &reason),
        Err(e) => return Err(e),
    };
    // The download form starts from the run planned above, so "plan, then take it along" is one click.
    let export = ExportQuery {
        run: Some(q.run.clone().unwrap_or_else(|| "easy".into())),
        minutes: Some(q.minutes.unwrap_or(45).to_string()),
        pack: q.pack.clone(),
        ..ExportQuery::default()
    };
    render(&st, &session, &s.safety, &q, plan.as_ref(), None, &export, &Errors::default())
}

/// Without parameters: a 45-minute easy run, the most common case.
async fn api(State(st): State<AppState>, Query(mut q): Query<RunModeQuery>) -> Result<Response, HttpError> {
    q.run.get_or_insert_with(|| "easy".into());
    q.minutes.get_or_insert(45);
    let perm = permissions(&st).await?;
    let plan = plan(&st, &perm, &q)?.ok_or_else(|| HttpError::bad("give run and minutes"))?;
    Ok(axum::Json(plan).into_response())
}
