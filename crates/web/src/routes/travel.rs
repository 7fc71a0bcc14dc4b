//! Race travel in the browser: the same plan as `runtall travel` (`runtall_companion::travel::plan_travel`) —
//! arrive one to two days early, stops on long drives, no long journey next to the race or a long run, home the
//! day after — shown day by day with the routines, the warnings and the habits it is built from.
//!
//! The plan is a race plan, so it follows the safety gate as run mode does: while race runs are held back the page
//! says why instead of planning (409), and `/api/travel` answers 409 with the gate's reason.
//!
//! A GET form, since planning changes nothing: the plan's address can be bookmarked or shared. Repeated
//! `long_run` fields are read with [`FormData`] (serde's query reader cannot collect them).

use super::{json, needs_first, snapshot, today};
use crate::AppState;
use crate::error::HttpError;
use crate::form::{Errors, FormData};
use crate::layout::{Nav, Page, described, error_summary, field_error, sources};
use crate::session::Session;
use axum::Router;
use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use jiff::ToSpan;
use jiff::civil::Date;
use maud::{Markup, html};
use runtall_companion::travel::{TravelError, TravelMode, TravelOptions, TravelPlan, plan_travel};
use runtall_content::Program;
use runtall_domain::plan::PlanError;
use runtall_domain::safety::Permissions;

pub fn router() -> Router<AppState> {
    Router::new().route("/travel", get(page)).route("/api/travel", get(api))
}

/// Long-run date boxes on the form; the API takes any number.
const LONG_RUN_FIELDS: usize = 3;

/// What the runner asked for, checked: everything `plan_travel` needs.
struct Request {
    race: Date,
    mode: TravelMode,
    long_runs: Vec<Date>,
    options: TravelOptions,
}

fn date(errors: &mut Errors, field: &str, raw: &str) -> Option<Date> {
    raw.parse().map_err(|_| errors.add(field, format!("'{raw}' is not a date like 2027-04-18"))).ok()
}

/// Reads the form (or the API's query) with the CLI's rules: a race date, a drive or a flight with its hours,
/// optional long-run dates (repeated or comma-separated), departure and return.
fn read(f: &FormData, today: Date) -> Result<Request, Errors> {
    let mut e = Errors::default();
    let race = match f.get("race") {
        Some(raw) => date(&mut e, "race", raw),
        None => {
            e.add("race", "required (a date like 2027-04-18)");
            None
        }
    };
    let hours = match f.get("hours") {
        None => {
            e.add("hours", "required (hours of driving or flying each way)");
            None
        }
        Some(raw) => raw
            .replace(',', ".")
            .parse::<f32>()
            .map_err(|_| e.add("hours", format!("'{raw}' is not a number of hours")))
            .ok(),
    };
    let mode = match (f.get("mode").unwrap_or("drive"), hours) {
        ("drive", Some(hours)) => Some(TravelMode::Drive { hours }),
        ("flight", Some(hours)) => Some(TravelMode::Flight { hours }),
        ("drive" | "flight", None) => None,
        (other, _) => {
            e.add("mode", format!("'{other}' is not drive or flight"));
            None
        }
    };
    let long_runs: Vec<Date> = f
        .all("long_run")
        .into_iter()
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .filter_map(|raw| date(&mut e, "long_run", raw))
        .collect();
    let mut options = TravelOptions::new(today);
    options.depart = f.get("depart").and_then(|raw| date(&mut e, "depart", raw));
    options.return_on = f.get("return").and_then(|raw| date(&mut e, "return", raw));
    match (race, mode) {
        (Some(race), Some(mode)) if e.is_empty() => Ok(Request { race, mode, long_runs, options }),
        _ => Err(e),
    }
}

/// The form field a planner error is about.
fn travel_field(e: &TravelError) -> &'static str {
    match e {
        TravelError::InThePast { what: "the departure", .. } | TravelError::DepartAfterRace { .. } => "depart",
        TravelError::ReturnBeforeRace { .. } | TravelError::ReturnTooLate { .. } => "return",
        TravelError::Hours { .. } => "hours",
        TravelError::InThePast { .. }
        | TravelError::TooFarAhead(_)
        | TravelError::Date(_)
        | TravelError::NotAllowed(_) => "race",
    }
}

/// Why there is no plan: the safety gate holds race runs back (its reason), or the form's fields.
enum Refusal {
    Gate(String),
    Fields(Errors),
}

fn plan(program: &Program, perm: &Permissions, r: &Request) -> Result<TravelPlan, Refusal> {
    plan_travel(program, perm, r.race, r.mode, &r.long_runs, &r.options).map_err(|err| match err {
        TravelError::NotAllowed(reason) => Refusal::Gate(reason),
        err => {
            let mut e = Errors::default();
            e.add(travel_field(&err), err.to_string());
            Refusal::Fields(e)
        }
    })
}

/// The plan as `runtall travel` prints it: the trip in one line, warnings, each day with what to do and its
/// routines (linked to the guided player), and the habits it comes from with their sources.
fn plan_view(program: &Program, p: &TravelPlan) -> Markup {
    let how = p.travel.label();
    html! {
        section class="card" id="plan" aria-labelledby="plan-title" {
            h2 id="plan-title" { "Race on " (p.race) }
            p class="lead" { (how) ": leave " strong { (p.depart) } ", home " strong { (p.return_on) } "." }
            @if !p.warnings.is_empty() {
                div class="notice warn" role="status" {
                    @for w in &p.warnings { p { (w.message) } }
                }
            }
            @for d in &p.days {
                article class="item" {
                    h3 { (d.date.strftime("%a")) " " (d.date) " — " (d.role.label()) }
                    ul { @for i in &d.items { li { (i) } } }
                    @if !d.routines.is_empty() {
                        p { span class="label" { "Routines: " }
                            @for (n, id) in d.routines.iter().enumerate() {
                                @if n > 0 { ", " }
                                a href={ "/session/" (id) } { (program.routine(id).map_or(id.as_str(), |r| r.name.as_str())) }
                            }
                        }
                    }
                }
            }
            @if !p.advice.is_empty() {
                h3 { "Based on" }
                @for a in &p.advice {
                    div class="item" {
                        p { a href={ "/habits#" (a.habit) } { (a.title) } }
                        @if let Some(h) = program.habit(&a.habit) { (sources(program, &h.cite, h.evidence)) }
                    }
                }
            }
        }
    }
}

fn field_class(errors: &Errors, field: &str) -> &'static str {
    if errors.get(field).is_some() { "field has-error" } else { "field" }
}

fn date_field(f: &FormData, errors: &Errors, field: &'static str, label: &str, hint: &str) -> Markup {
    html! {
        div class=(field_class(errors, field)) {
            label for={ "f-" (field) } { (label) }
            p class="hint" id={ "h-" (field) } { (hint) }
            (field_error(errors, field))
            input id={ "f-" (field) } name=(field) type="date" value=(f.get(field).unwrap_or(""))
                aria-describedby={ "h-" (field) @if errors.get(field).is_some() { " e-" (field) } };
        }
    }
}

fn form(f: &FormData, errors: &Errors) -> Markup {
    let flight = f.get("mode") == Some("flight");
    let long_runs = f.all("long_run");
    html! {
        (error_summary(errors))
        form method="get" action="/travel" class="card stack" novalidate {
            (date_field(f, errors, "race", "Race day", "The date of the race."))
            fieldset class={ "group" @if errors.get("mode").is_some() { " has-error" } } id="f-mode" {
                legend { "Getting there" }
                (field_error(errors, "mode"))
                div class="options" {
                    label class="check" { input type="radio" name="mode" value="drive" checked[!flight]; " Driving" }
                    label class="check" { input type="radio" name="mode" value="flight" checked[flight]; " Flying" }
                }
            }
            div class=(field_class(errors, "hours")) {
                label for="f-hours" { "Hours each way" }
                p class="hint" id="h-hours" { "Door to door: up to 16 hours of driving or 30 of flying." }
                (field_error(errors, "hours"))
                input id="f-hours" name="hours" type="number" inputmode="decimal" min="0.5" max="30" step="0.5"
                    value=(f.get("hours").unwrap_or("")) aria-describedby={ "h-hours" @if errors.get("hours").is_some() { " e-hours" } };
            }
            fieldset class={ "group" @if errors.get("long_run").is_some() { " has-error" } } {
                legend { "Long runs planned near the trip (optional)" }
                (field_error(errors, "long_run"))
                @for i in 0..LONG_RUN_FIELDS {
                    @let id = if i == 0 { "f-long_run".to_string() } else { format!("f-long_run-{}", i + 1) };
                    div class="field" {
                        label for=(id) { "Long run " (i + 1) }
                        input id=(id) name="long_run" type="date" value=(long_runs.get(i).copied().unwrap_or(""))
                            aria-describedby=[if i == 0 { described(errors, "long_run") } else { None }];
                    }
                }
            }
            div class="grid2" {
                (date_field(f, errors, "depart", "Your departure (optional)", "Leave empty and the plan picks the day."))
                (date_field(f, errors, "return", "Your return (optional)", "Leave empty: the day after the race."))
            }
            button type="submit" class="button primary" { "Plan the trip" }
        }
    }
}

async fn page(State(st): State<AppState>, session: Session, RawQuery(q): RawQuery) -> Result<Response, HttpError> {
    let f = FormData::parse(q.unwrap_or_default().as_bytes());
    // An empty form is the first visit, not a mistake: no errors until something was asked.
    let asked = f.has("race") || f.has("hours");
    let s = snapshot(&st).await?;
    if let Some(to) = needs_first(&s) {
        return Ok(Redirect::to(to).into_response());
    }
    let perm = s.safety;
    let result = if asked {
        Some(read(&f, today()).map_err(Refusal::Fields).and_then(|r| plan(st.program, &perm, &r)))
    } else {
        None
    };
    let (errors, refusal) = match &result {
        Some(Err(Refusal::Fields(e))) => (e.clone(), None),
        Some(Err(Refusal::Gate(reason))) => (Errors::default(), Some(reason.as_str())),
        _ => (Errors::default(), None),
    };
    let body = html! {
        p { a href="/habits?area=travel" { "← Travel habits" } }
        h1 { "Race trip" }
        p class="lead" { "Hours in a car or plane seat stiffen the neck and upper back. Plan the trip so you arrive a day "
            "or two early, break up the journey, and keep long travel away from the race and your long runs." }
        @if let Some(reason) = refusal {
            div class="notice warn" role="alert" { p { strong { "No race trip to plan now. " } (crate::layout::capitalised(reason)) "." } }
        }
        (form(&f, &errors))
        @if let Some(Ok(p)) = &result { (plan_view(st.program, p)) }
    };
    let mut response = Page::new("Race trip", Nav::Library, body).render(&session);
    if !errors.is_empty() {
        *response.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    } else if refusal.is_some() {
        *response.status_mut() = StatusCode::CONFLICT;
    }
    Ok(response)
}

/// The plan as `runtall travel --json`. Without any parameter: an example (a race six weeks from today after a
/// 3-hour drive), so the address answers on its own; otherwise the page's fields and checks, errors as 422.
async fn api(State(st): State<AppState>, RawQuery(q): RawQuery) -> Result<Response, HttpError> {
    let today = today();
    let q = q.unwrap_or_default();
    let f = if q.trim().is_empty() {
        let race = today.checked_add(42.days()).map_err(HttpError::internal)?;
        FormData::parse(format!("race={race}&mode=drive&hours=3").as_bytes())
    } else {
        FormData::parse(q.as_bytes())
    };
    let perm = snapshot(&st).await?.safety;
    if let Some(refusal) = PlanError::refusal(&perm) {
        return Err(refusal.into());
    }
    let request = read(&f, today).map_err(Errors::into_http)?;
    match plan(st.program, &perm, &request) {
        Ok(plan) => Ok(json(plan)),
        Err(Refusal::Gate(reason)) => Err(HttpError::Conflict(reason)),
        Err(Refusal::Fields(errors)) => Err(errors.into_http()),
    }
}
