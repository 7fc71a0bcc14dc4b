//! Adjusting an athlete's program and commenting, for their clinician: switch an exercise off or on, set a dose
//! and its weekly progression, leave a note for Today, retire an earlier change; comment on a run or a report.
//! Each change is a record of its own (`runtall_domain::clinic`), applied after the safety gate
//! (`runtall_domain::safety::clinician`): the page lists what the gate kept out or capped, with its reason. Every
//! change is written to the athlete's audit log.

use super::athlete::AthleteView;
use super::{Viewer, access, parse_id};
use crate::AppState;
use crate::error::HttpError;
use crate::form::FormData;
use crate::layout::csrf_field;
use crate::principal::Principal;
use crate::routes::json;
use crate::session::Session;
use axum::Router;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::post;
use jiff::Timestamp;
use jiff::civil::Date;
use maud::{Markup, html};
use runtall_app::clinic::{ChangeOutcome, actions, change_program, new_key, week_of};
use runtall_domain::clinic::{Change, Comment, CommentOn, DoseChange, ProgramChange, Progression};
use runtall_domain::content::Program;
use runtall_domain::safety::{ExerciseVerdict, Mode};
use runtall_store::AthleteId;
use serde::{Deserialize, Serialize};

/// The largest number a dose field takes from a form; the content's caps apply after (`dose_caps`).
const MAX_FIELD: u32 = 3600;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/clinic/athletes/{id}/program", post(program_form))
        .route("/clinic/athletes/{id}/comments", post(comment_form_post))
        .route("/api/clinic/athletes/{id}/program", post(api_program))
        .route("/api/clinic/athletes/{id}/comments", post(api_comment))
}

fn exercise_name(program: &Program, id: &str) -> String {
    program.exercise(id).map(|e| e.name.clone()).unwrap_or_else(|| id.to_string())
}

/// A change in words, for the history and the audit log.
pub(super) fn describe(program: &Program, change: &Change) -> String {
    let note = |n: &Option<String>| n.as_deref().map(|n| format!(" ({n})")).unwrap_or_default();
    match change {
        Change::ExerciseOff { exercise, note: n } => {
            format!("switched off {}{}", exercise_name(program, exercise), note(n))
        }
        Change::ExerciseOn { exercise, note: n } => {
            format!("switched on {}{}", exercise_name(program, exercise), note(n))
        }
        Change::Dose { exercise, dose, note: n } => {
            let mut parts = Vec::new();
            if let Some(s) = dose.sets {
                parts.push(format!("{s} sets"));
            }
            if let Some(r) = dose.reps {
                parts.push(format!("{r} reps"));
            }
            if let Some(h) = dose.hold_s {
                parts.push(format!("{h} s holds"));
            }
            if let Some(w) = dose.work_s {
                parts.push(format!("{w} s of work"));
            }
            if let Some(p) = dose.weekly {
                let mut step = Vec::new();
                if p.reps > 0 {
                    step.push(format!("+{} reps", p.reps));
                }
                if p.hold_s > 0 {
                    step.push(format!("+{} s hold", p.hold_s));
                }
                if p.work_s > 0 {
                    step.push(format!("+{} s work", p.work_s));
                }
                if !step.is_empty() {
                    parts.push(format!("then {} a week", step.join(", ")));
                }
            }
            format!("set the dose of {}: {}{}", exercise_name(program, exercise), parts.join(", "), note(n))
        }
        Change::Note { text } => format!("note for Today: {text}"),
        Change::Retire { key } => format!("withdrew change {key}"),
    }
}

fn verdict_words(program: &Program, v: &ExerciseVerdict) -> String {
    match v {
        ExerciseVerdict::Allowed => "allowed".into(),
        ExerciseVerdict::Swapped { to, .. } => {
            format!("swapped for {} by the safety check", exercise_name(program, to))
        }
        ExerciseVerdict::LeftOut { reason } => format!("left out: {reason}"),
    }
}

/// The form that comments on a run (`target` = its id) or a report (`target` = the week's Monday).
pub(super) fn comment_form(session: &Session, athlete: AthleteId, on: &str, target: &str) -> Markup {
    html! {
        form method="post" action={ "/clinic/athletes/" (athlete) "/comments" } class="stack" {
            (csrf_field(session))
            input type="hidden" name="on" value=(on);
            input type="hidden" name="target" value=(target);
            label { "Comment (the athlete sees it there)" textarea name="text" required maxlength="2000" {} }
            button type="submit" class="button" { "Add comment" }
        }
    }
}

/// The program section of the athlete's page: where the program stands, the changes in force (each can be
/// withdrawn), what the gate kept out, the forms, and the history.
pub(super) fn section(session: &Session, st: &AppState, v: &AthleteView) -> Markup {
    let program = st.program;
    let action = format!("/clinic/athletes/{}/program", v.athlete);
    let c = &v.shown.clinician;
    let retire = |key: &str| {
        html! {
            form method="post" action=(action) class="withdraw-form" {
                (csrf_field(session))
                input type="hidden" name="kind" value="retire";
                input type="hidden" name="key" value=(key);
                button type="submit" class="button small" { "Withdraw" }
            }
        }
    };
    let options = html! {
        @for d in &v.shown.exercises {
            option value=(d.id) { (exercise_name(program, &d.id)) " — " (verdict_words(program, &d.verdict)) }
        }
    };
    html! {
        section class="card" id="program" aria-labelledby="program-h" {
            h2 id="program-h" { "Program" }
            p { strong { "Safety check: " } (v.shown.mode.name()) @if v.shown.mode != Mode::Full { " — " (v.shown.headline) } }
            p class="muted" { "Your changes apply only within what the safety check allows: an exercise it holds back "
                "stays out, and doses are capped at the program's limits." }
            @if let Some(n) = &c.note {
                div { strong { "Note on Today: " } (n.text) " " span class="muted" { "(" (n.by) ", " (n.at.strftime("%Y-%m-%d")) ")" } (retire(&n.key)) }
            }
            @if !(c.off.is_empty() && c.on.is_empty() && c.doses.is_empty()) {
                h3 { "In force" }
                ul {
                    @for s in &c.off { li { (exercise_name(program, &s.exercise)) " switched off by " (s.by) (retire(&s.key)) } }
                    @for s in &c.on { li { (exercise_name(program, &s.exercise)) " switched on by " (s.by) (retire(&s.key)) } }
                    @for d in &c.doses {
                        @if let Some(ex) = program.exercise(&d.exercise) {
                            @if let Some((dose, words)) = c.dose_for(&d.exercise, &ex.dose) {
                                li { (ex.name) ": " (dose.line()) " — " (words) (retire(&d.key)) }
                            }
                        }
                    }
                }
            }
            @if !(c.refused.is_empty() && c.capped.is_empty()) {
                div class="notice warn" role="status" {
                    p { strong { "Not applied as asked" } }
                    ul {
                        @for r in &c.refused { li { (exercise_name(program, &r.exercise)) ": " (r.reason) (retire(&r.key)) } }
                        @for r in &c.capped { li { (exercise_name(program, &r.exercise)) ": " (r.reason) } }
                    }
                }
            }
            details {
                summary { "Switch an exercise off or on" }
                form method="post" action=(action) class="stack" {
                    (csrf_field(session))
                    label { "Exercise" select name="exercise" required { (options) } }
                    fieldset {
                        legend { "Switch" }
                        label class="check" { input type="radio" name="kind" value="off" checked; " off" }
                        label class="check" { input type="radio" name="kind" value="on"; " on" }
                    }
                    label { "Note for the athlete (optional)" input type="text" name="note" maxlength="2000"; }
                    button type="submit" class="button primary" { "Save" }
                }
            }
            details {
                summary { "Set a dose" }
                form method="post" action=(action) class="stack" {
                    (csrf_field(session))
                    input type="hidden" name="kind" value="dose";
                    label { "Exercise" select name="exercise" required { (options) } }
                    p class="hint" { "Leave a field empty to keep the routine's own value." }
                    label { "Sets" input type="number" name="sets" min="1" max="10"; }
                    label { "Reps" input type="number" name="reps" min="1" max="30"; }
                    label { "Hold (seconds)" input type="number" name="hold_s" min="1" max="120"; }
                    label { "Work per set (seconds)" input type="number" name="work_s" min="1" max="1200"; }
                    fieldset {
                        legend { "Each week, add (optional)" }
                        label { "Reps" input type="number" name="weekly_reps" min="0" max="10"; }
                        label { "Hold seconds" input type="number" name="weekly_hold_s" min="0" max="30"; }
                        label { "Work seconds" input type="number" name="weekly_work_s" min="0" max="300"; }
                    }
                    label { "Note for the athlete (optional)" input type="text" name="note" maxlength="2000"; }
                    button type="submit" class="button primary" { "Set dose" }
                }
            }
            details {
                summary { "A note for Today" }
                form method="post" action=(action) class="stack" {
                    (csrf_field(session))
                    input type="hidden" name="kind" value="note";
                    label { "Note (the athlete sees the latest one on Today)" textarea name="text" required maxlength="2000" {} }
                    button type="submit" class="button primary" { "Save note" }
                }
            }
            @if !v.shown.program_changes.is_empty() {
                details {
                    summary { "History of changes (" (v.shown.program_changes.len()) ")" }
                    ol { @for p in &v.shown.program_changes {
                        li { (p.at.strftime("%Y-%m-%d %H:%M")) " · " (p.by) ": " (describe(program, &p.change)) }
                    } }
                }
            }
        }
    }
}

fn number(form: &FormData, field: &str, min: u32) -> Result<Option<u32>, HttpError> {
    match form.get(field) {
        None => Ok(None),
        Some(s) => match s.parse::<u32>() {
            Ok(n) if (min..=MAX_FIELD).contains(&n) => Ok(Some(n)),
            _ => Err(HttpError::field(field, format!("a whole number from {min} to {MAX_FIELD}"))),
        },
    }
}

fn exercise(program: &Program, form: &FormData) -> Result<String, HttpError> {
    let id = form.get("exercise").ok_or_else(|| HttpError::field("exercise", "choose an exercise"))?;
    program
        .exercise(id)
        .map(|e| e.id.clone())
        .ok_or_else(|| HttpError::field("exercise", "not an exercise of the program"))
}

/// The change a form asks for.
fn change_from(program: &Program, form: &FormData) -> Result<Change, HttpError> {
    let note = form.get("note").map(str::to_string);
    match form.get("kind") {
        Some("off") => Ok(Change::ExerciseOff { exercise: exercise(program, form)?, note }),
        Some("on") => Ok(Change::ExerciseOn { exercise: exercise(program, form)?, note }),
        Some("dose") => {
            let weekly = Progression {
                reps: number(form, "weekly_reps", 0)?.unwrap_or(0),
                hold_s: number(form, "weekly_hold_s", 0)?.unwrap_or(0),
                work_s: number(form, "weekly_work_s", 0)?.unwrap_or(0),
            };
            let dose = DoseChange {
                sets: number(form, "sets", 1)?,
                reps: number(form, "reps", 1)?,
                hold_s: number(form, "hold_s", 1)?,
                work_s: number(form, "work_s", 1)?,
                weekly: (weekly != Progression::default()).then_some(weekly),
            };
            if dose.sets.is_none() && dose.reps.is_none() && dose.hold_s.is_none() && dose.work_s.is_none() {
                return Err(HttpError::field("sets", "set at least one of sets, reps, hold or work"));
            }
            Ok(Change::Dose { exercise: exercise(program, form)?, dose, note })
        }
        Some("note") => Ok(Change::Note { text: form.get("text").unwrap_or_default().to_string() }),
        Some("retire") => Ok(Change::Retire {
            key: form.get("key").ok_or_else(|| HttpError::field("key", "which change to withdraw"))?.to_string(),
        }),
        _ => Err(HttpError::field("kind", "off, on, dose, note or retire")),
    }
}

/// Stores `change` by `viewer` for `athlete` (after its own checks), writes the audit entry, and reports what the
/// gate made of it.
async fn apply(
    st: &AppState,
    viewer: Viewer,
    athlete: AthleteId,
    change: Change,
) -> Result<(String, ChangeOutcome), HttpError> {
    let now = Timestamp::now();
    let record =
        ProgramChange { key: new_key("pc", viewer.account.get(), now), at: now, by: viewer.name.clone(), change };
    record.check().map_err(|e| HttpError::field("text", e.to_string()))?;
    let program = st.program;
    st.db
        .run_for(athlete, move |store| {
            if let Change::Retire { key } = &record.change
                && !store.program_changes()?.iter().any(|c| &c.key == key)
            {
                return Err(HttpError::field("key", "no such change for this athlete"));
            }
            let outcome = change_program(program, store, &record, now)?;
            runtall_app::clinic::audit(
                store,
                &viewer.entry(actions::CHANGED_PROGRAM, describe(program, &record.change)),
            )?;
            Ok((record.key, outcome))
        })
        .await
}

async fn program_form(
    State(st): State<AppState>,
    who: Principal,
    Path(id): Path<String>,
    form: FormData,
) -> Result<Response, HttpError> {
    let athlete = parse_id(&id)?;
    let viewer = access(&st, &who, athlete).await?;
    let change = change_from(st.program, &form)?;
    apply(&st, viewer, athlete, change).await?;
    Ok(Redirect::to(&format!("/clinic/athletes/{athlete}#program")).into_response())
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ChangeBody {
    change: Change,
}

#[derive(Serialize)]
struct Applied {
    key: String,
    #[serde(flatten)]
    outcome: ChangeOutcome,
}

/// `{"change": {"kind": "dose", "exercise": "chin-tuck", "dose": {"reps": 12}}}` → the change's key, whether it was
/// new, and what the gate refused or capped.
async fn api_program(
    State(st): State<AppState>,
    who: Principal,
    Path(id): Path<String>,
    axum::Json(body): axum::Json<ChangeBody>,
) -> Result<Response, HttpError> {
    let athlete = parse_id(&id)?;
    let viewer = access(&st, &who, athlete).await?;
    if let Some(ex) = body.change.exercise()
        && st.program.exercise(ex).is_none()
    {
        return Err(HttpError::field("change.exercise", "not an exercise of the program"));
    }
    let (key, outcome) = apply(&st, viewer, athlete, body.change).await?;
    Ok(json(Applied { key, outcome }))
}

/// What a comment is about, as a form or the API names it: a run by its id on this server, or a report's week.
enum Target {
    Run(i64),
    Week(Date),
}

async fn add_comment(
    st: &AppState,
    viewer: Viewer,
    athlete: AthleteId,
    target: Target,
    text: String,
) -> Result<Comment, HttpError> {
    let now = Timestamp::now();
    st.db
        .run_for(athlete, move |store| {
            let (on, what) = match target {
                Target::Run(id) => {
                    let run = store.activity(id)?.ok_or(HttpError::NotFound)?;
                    let when = run.activity.start.strftime("%Y-%m-%d").to_string();
                    (
                        CommentOn::Run { run: run.activity.source.content_hash },
                        format!("a comment on your run of {when}"),
                    )
                }
                Target::Week(day) => {
                    let week = week_of(day);
                    (CommentOn::Report { week }, format!("a comment on your report, week of {week}"))
                }
            };
            let comment =
                Comment { key: new_key("c", viewer.account.get(), now), at: now, by: viewer.name.clone(), on, text };
            comment.check().map_err(|e| HttpError::field("text", e.to_string()))?;
            runtall_app::clinic::comment(store, &comment, &viewer.entry(actions::COMMENTED, what))?;
            Ok(comment)
        })
        .await
}

async fn comment_form_post(
    State(st): State<AppState>,
    who: Principal,
    Path(id): Path<String>,
    form: FormData,
) -> Result<Response, HttpError> {
    let athlete = parse_id(&id)?;
    let viewer = access(&st, &who, athlete).await?;
    let target = form.get("target").unwrap_or_default();
    let (target, back) = match form.get("on") {
        Some("run") => (
            Target::Run(target.parse().map_err(|_| HttpError::field("target", "which run"))?),
            format!("/clinic/athletes/{athlete}#runs"),
        ),
        Some("report") => (
            Target::Week(target.parse().map_err(|_| HttpError::field("target", "a date like 2026-11-16"))?),
            format!("/clinic/athletes/{athlete}/report"),
        ),
        _ => return Err(HttpError::field("on", "run or report")),
    };
    let text = form.get("text").unwrap_or_default().to_string();
    add_comment(&st, viewer, athlete, target, text).await?;
    Ok(Redirect::to(&back).into_response())
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CommentBody {
    #[serde(default)]
    run: Option<i64>,
    #[serde(default)]
    week: Option<Date>,
    text: String,
}

/// `{"run": 12, "text": "..."}` or `{"week": "2026-11-16", "text": "..."}` → the stored comment.
async fn api_comment(
    State(st): State<AppState>,
    who: Principal,
    Path(id): Path<String>,
    axum::Json(body): axum::Json<CommentBody>,
) -> Result<Response, HttpError> {
    let athlete = parse_id(&id)?;
    let viewer = access(&st, &who, athlete).await?;
    let target = match (body.run, body.week) {
        (Some(run), None) => Target::Run(run),
        (None, Some(week)) => Target::Week(week),
        _ => return Err(HttpError::field("run", "give either run or week")),
    };
    Ok(json(add_comment(&st, viewer, athlete, target, body.text).await?))
}
