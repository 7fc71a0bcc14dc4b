//! Self-experiments: change one thing at a time, in alternating blocks in a random order, and see whether pain
//! changes — the article author's advice to a reader, made into a schedule and a verdict.
//!
//! The same calls as `runtall experiment` (`runtall_app::experiments`): the page shows what to do on the next run
//! (or today), how far the experiment has come, and keeps the verdict hidden until the minimum length (an early
//! look is possible, with a warning).

use super::{json, snapshot, today};
use crate::AppState;
use crate::error::HttpError;
use crate::form::{Errors, FormData};
use crate::layout::{Nav, Page, csrf_field, error_summary, field_error};
use crate::session::Session;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use maud::{Markup, html};
use runtall_app::experiments::{self, Status};
use runtall_domain::safety::{Mode, Permissions};
use runtall_insights::experiment::{ExperimentResult, ResultStatus};
use runtall_insights::{Condition, ExperimentDesign, ExperimentFactor, ExperimentUnit};
use serde::Deserialize;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/experiments", get(page).post(create_form))
        .route("/experiments/stop", post(stop_form))
        .route("/api/experiments", get(api_status).post(api_create))
        .route("/api/experiments/stop", post(api_stop))
        .route("/api/experiments/history", get(api_history))
}

/// What a runner may choose when starting an experiment; everything but the factor has a recommended default.
#[derive(Debug, Default, Deserialize)]
pub struct NewExperiment {
    pub factor: String,
    #[serde(default)]
    pub unit: Option<String>,
    #[serde(default)]
    pub block_length: Option<u32>,
    #[serde(default)]
    pub min_units: Option<u32>,
    #[serde(default)]
    pub washout: Option<u32>,
    #[serde(default)]
    pub seed: Option<u64>,
}

fn unit_word(u: ExperimentUnit) -> &'static str {
    match u {
        ExperimentUnit::Runs => "runs",
        ExperimentUnit::Days => "days",
    }
}

/// The design from the runner's choices, validated field by field.
fn design(n: &NewExperiment) -> Result<ExperimentDesign, HttpError> {
    let factor = experiments::factor(&n.factor).map_err(|e| HttpError::field("factor", e.to_string()))?;
    let unit = match n.unit.as_deref() {
        None | Some("") => factor.natural_unit(),
        Some("runs") => ExperimentUnit::Runs,
        Some("days") => ExperimentUnit::Days,
        Some(other) => return Err(HttpError::field("unit", format!("'{other}': choose runs or days"))),
    };
    // The block order is randomized; the seed is stored so the schedule can be reproduced.
    let seed = n.seed.unwrap_or_else(|| jiff::Timestamp::now().as_nanosecond() as u64);
    let mut d = ExperimentDesign::recommended(factor, unit, seed);
    if let Some(b) = n.block_length {
        if !(1..=14).contains(&b) {
            return Err(HttpError::field("block_length", format!("{b}: blocks are 1 to 14 {}", unit_word(unit))));
        }
        d.block_length = b;
        d.washout = d.washout.min(b - 1);
    }
    if let Some(w) = n.washout {
        if w >= d.block_length {
            return Err(HttpError::field(
                "washout",
                format!("{w}: the wash-out must be shorter than a block ({} {})", d.block_length, unit_word(unit)),
            ));
        }
        d.washout = w;
    }
    if let Some(m) = n.min_units {
        d.set_min_units(m).map_err(|e| HttpError::field("min_units", e.to_string()))?;
    }
    Ok(d)
}

fn form_to_new(form: &FormData) -> Result<NewExperiment, HttpError> {
    let mut errors = Errors::default();
    let mut number = |field: &str, max: f64| errors.number(form, field, 0.0, max, "").map(|v| v.round() as u32);
    let block_length = number("block_length", 14.0);
    let min_units = number("min_units", 400.0);
    let washout = number("washout", 13.0);
    if !errors.is_empty() {
        return Err(errors.into_http());
    }
    Ok(NewExperiment {
        factor: form.get("factor").unwrap_or("").to_string(),
        unit: form.get("unit").map(str::to_string),
        block_length,
        min_units,
        washout,
        seed: None,
    })
}

async fn start(st: &AppState, n: NewExperiment) -> Result<Status, HttpError> {
    let d = design(&n)?;
    let today = today();
    st.db
        .run(move |store| {
            experiments::start(store, d, today)?;
            experiments::status(store, today, false)?.ok_or_else(|| HttpError::internal("experiment was not stored"))
        })
        .await
}

/// One square per run or day of the minimum length: which condition, wash-outs hatched, done ones bold, the next
/// one outlined.
fn blocks(s: &Status) -> Markup {
    let d = &s.experiment.design;
    let total = d.min_units().max(s.result.units_done);
    let next = s.next.as_ref().map(|a| a.index);
    html! {
        ol class="blocks" aria-label="The schedule: U = as usual, C = the change" {
            @for i in 0..total.min(200) {
                @let a = d.assignment(i);
                @let class = format!("{}{}{}{}",
                    if a.condition == Condition::Change { "change" } else { "usual" },
                    if a.washout { " washout" } else { "" },
                    if i < s.result.units_done { " done" } else { "" },
                    if Some(i) == next { " next" } else { "" });
                li class=(class) title=(format!("{} {}: {}{}", if d.unit == ExperimentUnit::Runs { "Run" } else { "Day" }, i + 1, a.instruction, if a.washout { " (wash-out)" } else { "" })) {
                    (if a.condition == Condition::Change { "C" } else { "U" })
                }
            }
        }
        ul class="legend" {
            li { "U = as usual (" (d.factor.instruction(Condition::Usual)) ")" }
            li { "C = the change (" (d.factor.instruction(Condition::Change)) ")" }
            @if d.washout > 0 { li { "hatched = wash-out, followed but not analysed" } }
        }
    }
}

fn result_section(r: &ExperimentResult) -> Markup {
    html! {
        @match r.status {
            ResultStatus::Hidden => {
                p { (r.sentence) }
            }
            _ => {
                @for w in &r.warnings { div class="notice warn" { p { (w) } } }
                p class="verdict" { (r.sentence) }
                @if let (Some(u), Some(c)) = (&r.usual, &r.change) {
                    div class="table-wrap" tabindex="0" role="region" aria-label="Both conditions (scrolls sideways)" {
                        table class="results" {
                            caption { "Both conditions side by side" }
                            thead { tr { th scope="col" { "" } th scope="col" { "As usual" } th scope="col" { "The change" } } }
                            tbody {
                                tr { th scope="row" { "Analysed" } td { (u.units) } td { (c.units) } }
                                tr { th scope="row" { "Followed by pain" } td { (u.with_pain) } td { (c.with_pain) } }
                                tr { th scope="row" { "Mean worst pain (0–10)" }
                                     td { (u.mean_pain.map(|v| format!("{v:.1}")).unwrap_or_else(|| "–".into())) }
                                     td { (c.mean_pain.map(|v| format!("{v:.1}")).unwrap_or_else(|| "–".into())) } }
                            }
                        }
                    }
                }
                @if let Some(d) = &r.mean_pain_difference {
                    p { "Difference in pain with the change: " strong { (format!("{:+.1}", d.estimate)) " points" }
                        " (95% interval " (format!("{:+.1}", d.lower)) " to " (format!("{:+.1}", d.upper)) "); "
                        "probability the change helps: " strong { (format!("{:.0}%", d.prob_change_helps * 100.0)) } "." }
                }
                @if let Some(c) = &r.carry_over { div class=(if c.suspected { "notice warn" } else { "notice" }) { p { (c.sentence) } } }
            }
        }
    }
}

fn running(session: &Session, s: &Status, early: bool) -> Markup {
    let d = &s.experiment.design;
    let unit = unit_word(d.unit);
    html! {
        h1 { "Experiment: " (d.factor.label()) }
        p class="muted" { "Started " (s.experiment.started) ". Blocks of " (d.block_length) " " (unit)
            @if d.washout > 0 { " (the first " (d.washout) " of each a wash-out)" }
            ", in a random order; at least " (d.min_units()) " " (unit) " before the verdict." }
        @if let Some(hold) = &s.hold {
            div class="notice warn" role="status" { p { (hold) } }
        }
        @match &s.next {
            Some(_) if s.hold.is_some() => {}
            Some(a) => {
                section class="card" aria-labelledby="h-next" {
                    h2 id="h-next" { @if d.unit == ExperimentUnit::Runs { "Your next run" } @else { "Today" } }
                    p class="assignment" { (a.instruction) }
                    @if a.washout { p class="muted" { "Wash-out: do it, but it is left out of the analysis so the last block's effect can fade." } }
                    p class="muted" { "Change only this one thing and keep everything else as usual. "
                        @if d.unit == ExperimentUnit::Runs { "After the run, log its context (" a href="/runs" { "Runs" } " → the run → context) and any pain, even 0." }
                        @else { "Log the day (" a href="/day" { "My day" } ") and any pain, even 0." } }
                }
            }
            None => { p { "This experiment is stopped." } }
        }
        section class="card" aria-labelledby="h-sched" {
            h2 id="h-sched" { "Schedule" }
            p { (s.result.units_done) " of " (s.result.units_needed) " " (unit) " done"
                @if s.result.adherence.recorded > 0 { "; " (s.result.adherence.followed) " of " (s.result.adherence.recorded) " as assigned" } "." }
            progress max=(s.result.units_needed.max(1)) value=(s.result.units_done.min(s.result.units_needed)) aria-label="Experiment progress" {}
            (blocks(s))
        }
        section class="card" aria-labelledby="h-result" {
            h2 id="h-result" { "Result" }
            (result_section(&s.result))
            @if s.result.status == ResultStatus::Hidden && !early {
                p { a href="/experiments?early=1" { "Take an early look anyway" } " (with a warning: early numbers swing widely)." }
            }
        }
        form method="post" action="/experiments/stop" class="stack" {
            (csrf_field(session))
            button type="submit" class="button danger" { "Stop the experiment" }
        }
    }
}

fn new_form(session: &Session, perm: &Permissions, errors: &Errors, chosen: Option<&str>) -> Markup {
    html! {
        h1 { "Self-experiments" }
        p { "Your insights show what goes with pain; an experiment tells whether changing it helps. Pick one thing, "
            "alternate it in blocks in a random order, log pain after each run, and runtall compares the two." }
        @if perm.mode != Mode::Full {
            div class="notice warn" role="status" { p { (perm.headline) } }
        }
        (error_summary(errors))
        form method="post" action="/experiments" class="stack" {
            (csrf_field(session))
            fieldset class="group" {
                legend { "What to test" }
                (field_error(errors, "factor"))
                div class="options" {
                    @for f in ExperimentFactor::ALL {
                        @let decision = perm.experiment(f.id());
                        label class="check" {
                            input type="radio" name="factor" value=(f.id()) checked[chosen == Some(f.id()) && decision.allowed]
                                disabled[!decision.allowed] required;
                            " "
                            span {
                                strong { (f.label()) } br;
                                @if decision.allowed {
                                    span class="muted" { "The change: " (f.instruction(Condition::Change)) }
                                } @else {
                                    span class="muted" { "Not now: " (decision.reason.as_deref().unwrap_or_default()) "." }
                                }
                            }
                        }
                    }
                }
            }
            details {
                summary { "Design (optional — the defaults are sensible)" }
                div class="stack" {
                    div class="field" {
                        label for="f-unit" { "Count in" }
                        select id="f-unit" name="unit" {
                            option value="" { "the natural unit (runs; days for the foam roller)" }
                            option value="runs" { "runs" }
                            option value="days" { "days" }
                        }
                    }
                    div class="field" {
                        label for="f-block" { "Block length (1–14; default 2 runs or 4 days)" }
                        (field_error(errors, "block_length"))
                        input id="f-block" name="block_length" type="number" min="1" max="14" inputmode="numeric";
                    }
                    div class="field" {
                        label for="f-min" { "Minimum length before the verdict (default 12 runs or 24 days)" }
                        (field_error(errors, "min_units"))
                        input id="f-min" name="min_units" type="number" min="2" max="400" inputmode="numeric";
                    }
                    div class="field" {
                        label for="f-washout" { "Wash-out at the start of each block (default 0 runs or 1 day)" }
                        (field_error(errors, "washout"))
                        input id="f-washout" name="washout" type="number" min="0" max="13" inputmode="numeric";
                    }
                }
            }
            button type="submit" class="button primary" { "Start the experiment" }
        }
    }
}

#[derive(Deserialize)]
struct PageQuery {
    early: Option<u8>,
    factor: Option<String>,
}

async fn page(State(st): State<AppState>, session: Session, Query(q): Query<PageQuery>) -> Result<Response, HttpError> {
    let early = q.early == Some(1);
    let today = today();
    let perm = snapshot(&st).await?.safety;
    let (status, past) =
        st.db.run(move |store| Ok((experiments::status(store, today, early)?, experiments::history(store)?))).await?;
    let body = html! {
        @match &status {
            Some(s) => (running(&session, s, early)),
            None => (new_form(&session, &perm, &Errors::default(), q.factor.as_deref())),
        }
        (history_section(&past))
    };
    Ok(Page::new("Experiments", Nav::Insights, body).render(&session))
}

async fn create_form(State(st): State<AppState>, session: Session, body: Bytes) -> Result<Response, HttpError> {
    let form = FormData::parse(&body);
    let outcome = match form_to_new(&form) {
        Ok(n) => start(&st, n).await.map(|_| ()),
        Err(e) => Err(e),
    };
    let outcome = match outcome {
        // The safety gate's refusal belongs next to the choice it refused.
        Err(HttpError::Conflict(message)) if !message.contains("already running") => {
            Err(HttpError::field("factor", message))
        }
        other => other,
    };
    match outcome {
        Ok(()) => Ok(Redirect::to("/experiments").into_response()),
        Err(HttpError::Invalid(fields)) => {
            let mut errors = Errors::default();
            for (k, v) in &fields {
                errors.add(k, v.clone());
            }
            let perm = snapshot(&st).await?.safety;
            let mut response =
                Page::new("Experiments", Nav::Insights, new_form(&session, &perm, &errors, form.get("factor")))
                    .render(&session);
            *response.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
            Ok(response)
        }
        Err(e) => Err(e),
    }
}

async fn stop_form(State(st): State<AppState>, session: Session) -> Result<Response, HttpError> {
    let today = today();
    let result = st.db.run(move |store| Ok(experiments::stop(store, today)?)).await?;
    let body = html! {
        h1 { "Experiment stopped" }
        (result_section(&result))
        p { a class="button" href="/experiments" { "Start another" } " " a class="button" href="/insights" { "Back to insights" } }
    };
    Ok(Page::new("Experiment stopped", Nav::Insights, body).render(&session))
}

async fn api_status(State(st): State<AppState>, Query(q): Query<PageQuery>) -> Result<Response, HttpError> {
    let early = q.early == Some(1);
    let today = today();
    let status = st.db.run(move |store| Ok(experiments::status(store, today, early)?)).await?;
    Ok(match status {
        Some(s) => json(serde_json::json!({ "running": s.next.is_some(), "experiment": s })),
        None => json(serde_json::json!({ "running": false })),
    })
}

async fn api_create(
    State(st): State<AppState>,
    axum::Json(n): axum::Json<NewExperiment>,
) -> Result<Response, HttpError> {
    let s = start(&st, n).await?;
    Ok((StatusCode::CREATED, axum::Json(s)).into_response())
}

async fn api_history(State(st): State<AppState>) -> Result<Response, HttpError> {
    Ok(json(st.db.run(|store| Ok(experiments::history(store)?)).await?))
}

/// What has been tested before, each with the verdict it reached: the whole point of one factor at a time.
fn history_section(past: &[experiments::Past]) -> Markup {
    html! {
        @if !past.is_empty() {
            section class="card" aria-labelledby="h-past" {
                h2 id="h-past" { "What you have tested" }
                ul class="summary-lines" {
                    @for p in past {
                        li {
                            strong { (p.experiment.design.factor.label()) }
                            " (" (p.experiment.started) " to " (p.experiment.stopped.map(|d| d.to_string()).unwrap_or_default()) "): "
                            (p.result.sentence)
                        }
                    }
                }
            }
        }
    }
}

async fn api_stop(State(st): State<AppState>) -> Result<Response, HttpError> {
    let today = today();
    Ok(json(st.db.run(move |store| Ok(experiments::stop(store, today)?)).await?))
}
