//! Run mode: the mid-run cues spoken on schedule by the phone (Web Speech API), for runners without a watch that
//! takes workout files — the same cue plan as `runtall cues`, with the screen kept awake while it runs.
//!
//! The same page offers the cue plan as downloads, like `runtall export workout` (a FIT workout for the watch) and
//! `runtall export cues --format ics` (calendar alarms): one GET form with the CLI's options and checks, since a
//! download changes nothing. A bad value re-renders this page with the field named (422) instead of a file.

use super::{Snapshot, api_needs_first, needs_first, snapshot};
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
use jiff::Timestamp;
use maud::{Markup, PreEscaped, html};
use runtall_companion::cues::{
    BlockKind, CueError, CueOptions, RepLength, RepSpec, RunPlan, Spec, TimedCue, duration_text, fmt_time,
    parse_duration_s, parse_rep_length, plan_run,
};
use runtall_companion::export::{ExportError, FitOptions, IcsOptions, to_ics, workout_fit};
use runtall_companion::run_defaults::{RunDefaults, usual_minutes};
use runtall_content::CuePhase;
use runtall_content::{Program, RunType};
use runtall_domain::plan::PlanError;
use runtall_domain::safety::Permissions;
use runtall_domain::text::count;
use serde::Deserialize;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/run-mode", get(page))
        .route("/run-mode/workout.fit", get(download_fit))
        .route("/run-mode/cues.ics", get(download_ics))
        .route("/api/run-mode", get(api))
}

/// Every field of run mode's one form — the live cues and both downloads — kept as text so a bad value comes back
/// as a field error next to its box (not the extractor's bare 400) and the form shows what was typed.
#[derive(Deserialize, Default, Clone)]
struct CueQuery {
    run: Option<String>,
    /// `steady` (minutes) or `reps`; absent (links, the API, older forms), whichever of minutes and reps is given.
    shape: Option<String>,
    minutes: Option<String>,
    /// The number of reps (`6`, with `length`), or the whole session as the CLI takes it (`6x800m`).
    reps: Option<String>,
    /// One rep's length: a distance (`800m`, `1km`) or a time (`3min`, `90s`).
    length: Option<String>,
    recovery: Option<String>,
    warmup: Option<String>,
    cooldown: Option<String>,
    pack: Option<String>,
    /// Calendar only: when the run starts (`datetime-local`, the server's time zone); blank is now.
    start: Option<String>,
}

impl CueQuery {
    /// The form filled with the defaults (today's planned run, else the last run; see `runtall_app::run_defaults`).
    fn from_defaults(d: &RunDefaults) -> CueQuery {
        let mut q = CueQuery { run: Some(d.run.as_str().into()), ..CueQuery::default() };
        match d.spec {
            Spec::Minutes(m) => {
                q.shape = Some("steady".into());
                q.minutes = Some(m.to_string());
            }
            Spec::Reps(r) => {
                q.shape = Some("reps".into());
                // Ready for a switch to steady running, at the usual length of this run type.
                q.minutes = Some(usual_minutes(d.run).to_string());
                q.reps = Some(r.reps.to_string());
                q.length = Some(r.length.text());
                q.recovery = Some(duration_text(r.recovery_s));
                q.warmup = Some(r.warmup_min.to_string());
                q.cooldown = Some(r.cooldown_min.to_string());
            }
        }
        q
    }

    fn options(&self) -> CueOptions {
        CueOptions { pack: self.pack.as_deref() == Some("on"), ..CueOptions::default() }
    }
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
            "a rep distance" | "a rep time" => "length",
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

/// The run the form describes: minutes, or reps (a count and a length, or `6x800m` in one box) with a recovery
/// (2 min by default), warm-up (15) and cool-down (10) — the CLI's rules and the companion's own checks and
/// messages, for the live cues and both downloads alike.
fn cue_spec(q: &CueQuery) -> Result<(RunType, Spec), Errors> {
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
    let reps_wanted = match given(&q.shape) {
        Some("reps") => true,
        Some("steady") => false,
        Some(other) => {
            errors.add("shape", format!("'{other}' is neither steady nor reps"));
            false
        }
        None => {
            if given(&q.reps).is_some() && given(&q.minutes).is_some() {
                errors.add("minutes", "give either minutes or reps, not both");
            }
            given(&q.reps).is_some()
        }
    };
    let spec = if reps_wanted {
        let warmup = whole(&mut errors, &q.warmup, "warmup", 15);
        let cooldown = whole(&mut errors, &q.cooldown, "cooldown", 10);
        let recovery = given(&q.recovery).unwrap_or("2min");
        let parsed = match (given(&q.reps), given(&q.length)) {
            (None, _) => Err(("reps", "give the number of reps, like 6".to_string())),
            // The whole session in one box, as `runtall cues --reps` takes it.
            (Some(all), None) if !all.chars().all(|c| c.is_ascii_digit()) => {
                RepSpec::parse(all, recovery, warmup, cooldown).map_err(|e| (cue_field(&e, true), e.to_string()))
            }
            (Some(_), None) => {
                Err(("length", "give each rep's length, a distance like 800m or a time like 3min".into()))
            }
            (Some(count), Some(length)) => count
                .parse::<u32>()
                .map_err(|_| ("reps", format!("'{count}' is not a whole number of reps")))
                .and_then(|reps| {
                    let length = parse_rep_length(length).map_err(|e| ("length", e.to_string()))?;
                    let recovery_s = parse_duration_s(recovery).map_err(|e| ("recovery", e.to_string()))?;
                    let spec = RepSpec { reps, length, recovery_s, warmup_min: warmup, cooldown_min: cooldown };
                    spec.validate().map_err(|e| (cue_field(&e, true), e.to_string()))?;
                    Ok(spec)
                }),
        };
        match parsed {
            Ok(r) => Some(Spec::Reps(r)),
            Err((field, message)) => {
                errors.add(field, message);
                None
            }
        }
    } else {
        match given(&q.minutes).map(str::parse::<u32>) {
            Some(Ok(m)) => Some(Spec::Minutes(m)),
            Some(Err(_)) => {
                let raw = given(&q.minutes).unwrap_or_default();
                errors.add("minutes", format!("'{raw}' is not a whole number of minutes"));
                None
            }
            None => {
                errors.add("minutes", "give minutes, or reps like 6x800m with a recovery like 2min");
                None
            }
        }
    };
    match (run, spec, errors.is_empty()) {
        (Some(run), Some(spec), true) => Ok((run, spec)),
        _ => Err(errors),
    }
}

/// What went wrong with a cue plan: the gate's refusal (its reason), or the form's fields.
enum Refusal {
    Gate(String),
    Fields(Errors),
}

/// The cue plan for the form's run within what the safety gate allows.
fn plan_of(program: &Program, perm: &Permissions, q: &CueQuery) -> Result<RunPlan, Refusal> {
    let (run, spec) = cue_spec(q).map_err(Refusal::Fields)?;
    plan_run(program, perm, run, &spec, &q.options()).map_err(|e| match e {
        CueError::NotAllowed(reason) => Refusal::Gate(reason),
        e => {
            let mut errors = Errors::default();
            errors.add(cue_field(&e, matches!(spec, Spec::Reps(_))), e.to_string());
            Refusal::Fields(errors)
        }
    })
}

/// Downloads: the gate's refusal is a field error on the run type, like any other reason there is no file.
fn export_plan(program: &Program, perm: &Permissions, q: &CueQuery) -> Result<RunPlan, Errors> {
    plan_of(program, perm, q).map_err(|r| match r {
        Refusal::Fields(errors) => errors,
        Refusal::Gate(reason) => {
            let mut errors = Errors::default();
            errors.add("run", reason);
            errors
        }
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

/// The run the form starts from: the run type the runner chose at the length of their latest run of that type,
/// or with none chosen today's planned run (when there is a plan), else the journal's latest run.
async fn defaults(st: &AppState, s: &Snapshot, chosen: Option<RunType>) -> Result<RunDefaults, HttpError> {
    let planned = match (chosen, api_needs_first(s)) {
        (None, Ok(_)) => {
            let record = super::plan::current_plan(st, s).await?;
            let weekday = super::plan::today_weekday();
            record.plan.week.iter().find(|d| d.day == weekday).and_then(|d| d.run)
        }
        _ => None,
    };
    let perm = s.safety.clone();
    st.db
        .run(move |store| {
            let now = Timestamp::now();
            Ok(match chosen {
                Some(run) => runtall_app::run_defaults::for_run(store, run, now)?,
                None => runtall_app::run_defaults::for_today(store, &perm, planned, now)?,
            })
        })
        .await
}

/// The form as submitted, or — when it says nothing about the length (a link such as Today's `?run=long`, or no
/// parameters at all) — filled from the runner's defaults, with the sentence saying where they came from.
async fn filled(st: &AppState, s: &Snapshot, q: CueQuery) -> Result<(CueQuery, Option<String>), HttpError> {
    let lengthless = [&q.shape, &q.minutes, &q.reps, &q.length].iter().all(|v| given(v).is_none());
    let chosen = match given(&q.run).map(str::parse::<RunType>) {
        Some(Ok(run)) => Some(run),
        // A bad run type is the form's to report.
        Some(Err(_)) => return Ok((q, None)),
        None => None,
    };
    if !lengthless {
        return Ok((q, None));
    }
    let d = defaults(st, s, chosen).await?;
    let mut form = CueQuery::from_defaults(&d);
    form.pack = q.pack;
    Ok((form, Some(d.words())))
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
    Query(q): Query<CueQuery>,
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
    Query(q): Query<CueQuery>,
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

/// The run-mode page again with the form's errors, as 422.
fn invalid(
    st: &AppState,
    session: &Session,
    perm: &Permissions,
    q: &CueQuery,
    errors: &Errors,
) -> Result<Response, HttpError> {
    let mut response = render(st, session, perm, &Form { q, errors, words: None }, None, None)?;
    *response.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    Ok(response)
}

fn field_class(errors: &Errors, field: &str) -> &'static str {
    if errors.get(field).is_some() { "field has-error" } else { "field" }
}

/// The form as the page shows it: what was typed (or the defaults), its errors, and where the defaults came from.
struct Form<'a> {
    q: &'a CueQuery,
    errors: &'a Errors,
    words: Option<String>,
}

/// The one form: the run (type, minutes or reps with recoveries), the live cues' button and both downloads.
fn form_card(perm: &Permissions, f: &Form) -> Markup {
    let (q, errors) = (f.q, f.errors);
    let selected = given(&q.run).unwrap_or("easy");
    let reps_shape = match given(&q.shape) {
        Some(shape) => shape == "reps",
        None => given(&q.reps).is_some(),
    };
    let text = |field: &'static str, label: &'static str, hint: &'static str, kind: &str, mode: &str| {
        let value = match field {
            "minutes" => given(&q.minutes),
            "reps" => given(&q.reps),
            "length" => given(&q.length),
            "recovery" => given(&q.recovery),
            "warmup" => given(&q.warmup),
            "cooldown" => given(&q.cooldown),
            _ => None,
        };
        html! {
            div class=(field_class(errors, field)) {
                label for={ "f-" (field) } { (label) }
                p class="hint" id={ "h-" (field) } { (hint) }
                (field_error(errors, field))
                input id={ "f-" (field) } name=(field) type=(kind) inputmode=(mode) value=(value.unwrap_or(""))
                    aria-describedby={ "h-" (field) @if errors.get(field).is_some() { " e-" (field) } };
            }
        }
    };
    html! {
        form method="get" action="/run-mode" class="card stack" id="cue-form" novalidate {
            h2 { "Your run" }
            @if let Some(w) = &f.words { p class="hint" id="rm-defaults" { (w) } }
            (error_summary(errors))
            div class=(field_class(errors, "run")) {
                label for="f-run" { "Run type" }
                (field_error(errors, "run"))
                select id="f-run" name="run" aria-describedby=[described(errors, "run")] {
                    @for r in RunType::ALL {
                        @let allowed = perm.run(r).allowed;
                        option value=(r.as_str()) selected[r.as_str() == selected] disabled[!allowed] {
                            (r.as_str()) @if !allowed { " (not now)" }
                        }
                    }
                }
            }
            fieldset class=(field_class(errors, "shape")) {
                legend { "This run is" }
                (field_error(errors, "shape"))
                label class="check" { input type="radio" name="shape" value="steady" checked[!reps_shape]; " steady running, for a number of minutes" }
                label class="check" { input type="radio" name="shape" value="reps" checked[reps_shape]; " reps with recoveries (speed work): a cue before each rep" }
            }
            (text("minutes", "Minutes", "Steady running: 1–360.", "number", "numeric"))
            fieldset class="reps" {
                legend { "Reps" }
                div class="grid2" {
                    (text("reps", "How many reps", "1–50; or the whole session, like 6x800m.", "text", "numeric"))
                    (text("length", "Each rep", "A distance (800m, 1km) or a time (3min, 90s).", "text", "text"))
                    (text("recovery", "Recovery between reps", "e.g. 2min, 90s, 1:30 (default 2min).", "text", "text"))
                    (text("warmup", "Warm-up minutes", "Before the reps, 0–60 (default 15).", "number", "numeric"))
                    (text("cooldown", "Cool-down minutes", "After the reps, 0–60 (default 10).", "number", "numeric"))
                }
            }
            label class="check" { input type="checkbox" name="pack" value="on" checked[q.pack.as_deref() == Some("on")]; " Wearing a pack or vest" }
            button type="submit" class="button primary" { "Plan the cues" }
        }
    }
}

/// The downloads, submitting the same form: a watch workout or calendar alarms.
fn export_card(f: &Form) -> Markup {
    let errors = f.errors;
    html! {
        section class="card" id="downloads" {
            h2 { "Take the cues with you" }
            p { "A watch workout whose steps carry the cues (copy the file to the watch's " code { "GARMIN/NewFiles" }
                " folder over USB; it appears under Training › Workouts), or calendar alarms at each cue for a phone "
                "without this page open. Both use the run in the form above." }
            div class=(field_class(errors, "start")) {
                label for="f-start" { "Calendar: run starts at" }
                p class="hint" id="h-start" { "For the calendar file only; empty means now." }
                (field_error(errors, "start"))
                input id="f-start" name="start" type="datetime-local" form="cue-form" value=(given(&f.q.start).unwrap_or(""))
                    aria-describedby={ "h-start" @if errors.get("start").is_some() { " e-start" } };
            }
            div class="controls" {
                button type="submit" class="button" form="cue-form" formaction="/run-mode/workout.fit" { "Download watch workout (.fit)" }
                button type="submit" class="button" form="cue-form" formaction="/run-mode/cues.ics" { "Download calendar cues (.ics)" }
            }
        }
    }
}

/// Where a cue falls in a rep session, for the list: "before rep 3", "recovery 2", "warm-up".
fn cue_place(p: &RunPlan, c: &TimedCue) -> Option<String> {
    let b = p.blocks.get(c.block)?;
    if c.phase == CuePhase::BeforeRep {
        let rep = p.blocks.iter().skip(c.block).find(|b| b.kind == BlockKind::Rep).and_then(|b| b.rep)?;
        return Some(format!("before rep {rep}"));
    }
    match b.kind {
        BlockKind::WarmUp => Some("warm-up".into()),
        BlockKind::Rep => b.rep.map(|n| format!("rep {n}")),
        BlockKind::Recovery => b.rep.map(|n| format!("recovery {n}")),
        BlockKind::CoolDown => Some("cool-down".into()),
        BlockKind::Steady | BlockKind::After => None,
    }
}

/// The page: the form, the live cues for a planned run (or the gate's reason), and the downloads.
fn render(
    st: &AppState,
    session: &Session,
    perm: &Permissions,
    form: &Form,
    plan: Option<&RunPlan>,
    refusal: Option<&str>,
) -> Result<Response, HttpError> {
    let body = html! {
        h1 { "Run mode" }
        p class="lead" { "Your phone reads the posture and breathing cues aloud at the right moments — on speed days "
            "just before each rep. Start it as you start running; keep the screen on." }
        @if perm.mode != runtall_domain::safety::Mode::Full {
            div class="notice warn" role="status" { p { (perm.headline) } }
        }
        @if let Some(reason) = refusal {
            div class="notice warn" role="alert" { p { strong { "No cues for this run now. " } (crate::layout::capitalised(reason)) "." } }
        }
        @if let Some(p) = plan {
            section id="run-mode" class="card" {
                h2 { (count(p.cues.len() as u64, "cue", "cues")) " over " (p.total_s / 60) " min"
                    @if let Spec::Reps(r) = p.spec { span class="muted" { " · " (r.label()) } } }
                noscript { p class="notice warn" { "Speaking the cues needs JavaScript, so Start does nothing without "
                    "it. The cues and their times are listed below: a watch workout (Export) carries them too." } }
                p id="rm-status" class="phase" aria-live="assertive" { "Press Start when you set off" }
                p id="rm-clock" class="count" { "0:00" }
                p id="rm-block" class="detail" {}
                p id="rm-next" class="detail" {}
                div class="controls" {
                    button type="button" id="rm-start" class="button primary" { "Start" }
                    button type="button" id="rm-stop" class="button" disabled { "Stop" }
                }
                ol class="steps-list cue-times" {
                    @for c in &p.cues {
                        li { strong { @if c.approximate { "~" } (fmt_time(c.at_s)) } " — "
                            @if let Some(place) = cue_place(p, c) { span class="muted" { (place) ": " } } (c.text) }
                    }
                }
                @if p.cues.iter().any(|c| c.approximate) {
                    p class="hint" { "Times marked ~ assume 4:30 per km for distance reps; run mode counts time, so "
                        "on a slower or faster rep the cue comes a little early or late." }
                }
                @for n in &p.notes { p class="hint" { (n) } }
                (sources(st.program, &p.cite, p.evidence))
            }
            script type="application/json" id="run-cues" {
                (PreEscaped(serde_json::to_string(&p.cues).map_err(HttpError::internal)?.replace("</", "<\\/")))
            }
            script type="application/json" id="run-blocks" {
                (PreEscaped(serde_json::to_string(&p.blocks).map_err(HttpError::internal)?.replace("</", "<\\/")))
            }
        }
        (form_card(perm, form))
        (export_card(form))
    };
    Ok(Page::new("Run mode", Nav::Today, body).script("runmode.js").render(session))
}

/// Run mode: with nothing chosen, the runner's defaults are planned at once (one tap to Start); a submitted form
/// is planned as given, its errors shown next to their boxes (422), a run the gate holds back with its reason (409).
async fn page(State(st): State<AppState>, session: Session, Query(q): Query<CueQuery>) -> Result<Response, HttpError> {
    let s = snapshot(&st).await?;
    if let Some(to) = needs_first(&s) {
        return Ok(Redirect::to(to).into_response());
    }
    let asked = given(&q.run).is_some();
    let (q, words) = filled(&st, &s, q).await?;
    let no_errors = Errors::default();
    let form = Form { q: &q, errors: &no_errors, words };
    match plan_of(st.program, &s.safety, &q) {
        Ok(plan) => render(&st, &session, &s.safety, &form, Some(&plan), None),
        // Defaults with no run the gate allows (no running now) just show the form, without cues.
        Err(Refusal::Gate(_)) if !asked => render(&st, &session, &s.safety, &form, None, None),
        Err(Refusal::Gate(reason)) => {
            let mut response = render(&st, &session, &s.safety, &form, None, Some(&reason))?;
            *response.status_mut() = StatusCode::CONFLICT;
            Ok(response)
        }
        Err(Refusal::Fields(errors)) => invalid(&st, &session, &s.safety, &q, &errors),
    }
}

/// The cue plan as JSON, with the page's fields; without any, the runner's defaults (today's plan, the last run).
async fn api(State(st): State<AppState>, Query(q): Query<CueQuery>) -> Result<Response, HttpError> {
    let s = snapshot(&st).await?;
    if let Some(refusal) = PlanError::refusal(&s.safety) {
        return Err(refusal.into());
    }
    let (q, _) = filled(&st, &s, q).await?;
    match plan_of(st.program, &s.safety, &q) {
        Ok(plan) => Ok(axum::Json(plan).into_response()),
        Err(Refusal::Gate(reason)) => Err(HttpError::Conflict(reason)),
        Err(Refusal::Fields(errors)) => Err(HttpError::Invalid(errors.0)),
    }
}
