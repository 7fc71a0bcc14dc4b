//! The sitting-break reminder settings `runtall remind` starts from: the card on the settings page, its form and
//! the JSON API. The checks are the companion's own ([`ReminderSettings::apply`]), so every surface refuses the
//! same values with the same words.

use super::{field_class, import_block, json, snapshot};
use super::{form, where_kept};
use crate::AppState;
use crate::error::HttpError;
use crate::form::{Errors, FormData};
use crate::layout::{Nav, Page};
use crate::layout::{csrf_field, described, error_summary, field_error};
use crate::session::Session;
use axum::Router;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use maud::{Markup, html};
use runtall_companion::remind::settings::{self as reminders, ReminderChanges, ReminderSettings, days_label};
use runtall_domain::plan::Weekday;
use serde_json::json;

pub(super) fn router() -> Router<AppState> {
    Router::new()
        .route("/settings/reminders", post(save_reminders))
        .route("/api/reminders", get(api_reminders).post(api_reminders_put))
}

/// The saved reminder settings (the program's defaults when none were saved). A saved value that no longer reads
/// is reported on the page with the defaults shown, so saving the form repairs it.
pub(super) async fn load_reminders(st: &AppState) -> Result<(ReminderSettings, Option<String>), HttpError> {
    let program = st.program;
    st.db.run(move |store| Ok(runtall_app::breaks::settings_for_editing(store, program)?)).await
}

/// The values the form shows: what was submitted when it failed, otherwise what is saved.
struct ReminderForm {
    enabled: bool,
    walk: String,
    shift: String,
    skips: String,
    any_time: bool,
    start: String,
    end: String,
    days: Vec<String>,
}

impl ReminderForm {
    fn of(r: &ReminderSettings) -> ReminderForm {
        let (start, end) = r.hours_hhmm();
        let days = match &r.working_hours {
            Some(h) => h.days.iter().map(id_of).collect(),
            None => Weekday::ALL.iter().filter(|d| d.is_workday()).map(id_of).collect(),
        };
        ReminderForm {
            enabled: r.enabled,
            walk: r.walk_every_min.to_string(),
            shift: r.shift_every_min.to_string(),
            skips: r.max_skips_per_day.to_string(),
            any_time: r.working_hours.is_none(),
            start,
            end,
            days,
        }
    }

    fn submitted(f: &FormData) -> ReminderForm {
        let text = |name: &str| f.get(name).unwrap_or("").to_string();
        ReminderForm {
            enabled: f.get("enabled") == Some("yes"),
            walk: text("walk_every_min"),
            shift: text("shift_every_min"),
            skips: text("max_skips_per_day"),
            any_time: f.get("any_time") == Some("yes"),
            start: text("start"),
            end: text("end"),
            days: f.all("days").into_iter().map(str::to_string).collect(),
        }
    }
}

fn id_of<T: serde::Serialize>(v: &T) -> String {
    crate::form::id_of(v)
}

fn reminder_fields(session: &Session, v: &ReminderForm, errors: &Errors) -> Markup {
    let number = |field: &'static str, label: &'static str, hint: &'static str, value: &str, min: u32, max: u32| {
        html! {
            div class=(field_class(errors, field)) {
                label for={ "f-" (field) } { (label) }
                p class="hint" id={ "h-" (field) } { (hint) }
                (field_error(errors, field))
                input id={ "f-" (field) } name=(field) type="number" inputmode="numeric" min=(min) max=(max) step="1"
                    value=(value) aria-describedby={ "h-" (field) @if errors.get(field).is_some() { " e-" (field) } };
            }
        }
    };
    html! {
        form method="post" action="/settings/reminders" class="stack" novalidate {
            (csrf_field(session))
            label class="check" { input type="checkbox" id="f-enabled" name="enabled" value="yes" checked[v.enabled]; " Sitting-break reminders on" }
            (number("walk_every_min", "Walk break every (minutes)", "5–240. The program suggests 30.", &v.walk, 5, 240))
            (number("shift_every_min", "Change position every (minutes)", "5–120, or 0 for no position prompts. The program suggests 20.", &v.shift, 0, 120))
            (number("max_skips_per_day", "Breaks you may skip a day", "0–20.", &v.skips, 0, 20))
            fieldset class={ "group" @if errors.get("start").is_some() || errors.get("end").is_some() || errors.get("days").is_some() { " has-error" } } {
                legend { "Working hours" }
                label class="check" { input type="checkbox" id="f-any_time" name="any_time" value="yes" checked[v.any_time]; " Any time of day (ignore the hours below)" }
                div class="grid2" {
                    div class=(field_class(errors, "start")) {
                        label for="f-start" { "From" }
                        (field_error(errors, "start"))
                        input id="f-start" name="start" type="time" value=(v.start) aria-describedby=[described(errors, "start")];
                    }
                    div class=(field_class(errors, "end")) {
                        label for="f-end" { "To" }
                        (field_error(errors, "end"))
                        input id="f-end" name="end" type="time" value=(v.end) aria-describedby=[described(errors, "end")];
                    }
                }
                fieldset class="group" id="f-days" {
                    legend { "On" }
                    (field_error(errors, "days"))
                    div class="options" {
                        @for d in Weekday::ALL {
                            @let id = id_of(&d);
                            label class="check" { input type="checkbox" name="days" value=(id) checked[v.days.contains(&id)]; " " (d.name()) }
                        }
                    }
                }
            }
            button type="submit" class="button primary" { "Save reminders" }
        }
    }
}

pub(super) fn reminder_card(session: &Session, r: &ReminderSettings, errors: &Errors, problem: Option<&str>) -> Markup {
    reminder_card_with(session, r, &ReminderForm::of(r), errors, problem)
}

fn reminder_card_with(
    session: &Session,
    r: &ReminderSettings,
    v: &ReminderForm,
    errors: &Errors,
    problem: Option<&str>,
) -> Markup {
    html! {
        section class="card" id="reminders" {
            h2 { "Sitting-break reminders" }
            p { "Reminders to walk and to change position while you sit, with a short exercise each time. They run on "
                "this computer with " code { "runtall remind" } ", which uses these settings when started without options." }
            p class="hint" { "Now: " (r.summary()) }
            @if let Some(p) = problem { div class="notice warn" role="status" { p { (p) } } }
            (error_summary(errors))
            (reminder_fields(session, v, errors))
        }
    }
}

fn number_field(errors: &mut Errors, f: &FormData, field: &str) -> Option<u32> {
    match f.get(field) {
        None => {
            errors.add(field, "required (a whole number of minutes)");
            None
        }
        Some(raw) => match raw.parse::<u32>() {
            Ok(n) => Some(n),
            Err(_) => {
                errors.add(field, format!("'{raw}' is not a whole number"));
                None
            }
        },
    }
}

/// The form as changes: every field is sent, so an unticked box or an empty day list is a change too.
fn changes_from_form(f: &FormData, errors: &mut Errors) -> ReminderChanges {
    let any_time = f.get("any_time") == Some("yes");
    let mut c = ReminderChanges {
        enabled: Some(f.get("enabled") == Some("yes")),
        walk_every_min: number_field(errors, f, "walk_every_min"),
        shift_every_min: number_field(errors, f, "shift_every_min"),
        max_skips_per_day: number_field(errors, f, "max_skips_per_day"),
        any_time: Some(any_time),
        ..ReminderChanges::default()
    };
    if !any_time {
        for (field, slot) in [("start", &mut c.start), ("end", &mut c.end)] {
            match f.get(field) {
                Some(t) => *slot = Some(t.to_string()),
                None => errors.add(field, "required (a time like 09:00), or tick \"Any time of day\""),
            }
        }
        c.days = Some(f.all("days").into_iter().map(str::to_string).collect());
    }
    c
}

fn field_errors(list: Vec<reminders::FieldError>) -> Errors {
    let mut e = Errors::default();
    for fe in list {
        e.add(fe.field, fe.message);
    }
    e
}

async fn store_reminders(st: &AppState, r: &ReminderSettings) -> Result<(), HttpError> {
    let r = r.clone();
    st.db.run(move |store| Ok(runtall_app::breaks::save_settings(store, &r)?)).await
}

async fn save_reminders(State(st): State<AppState>, session: Session, f: FormData) -> Result<Response, HttpError> {
    let (current, _) = load_reminders(&st).await?;
    let mut errors = Errors::default();
    let changes = changes_from_form(&f, &mut errors);
    let result = if errors.is_empty() {
        current.apply(&changes, &st.program.habit_defaults).map_err(field_errors)
    } else {
        Err(errors)
    };
    match result {
        Ok(r) => {
            store_reminders(&st, &r).await?;
            Ok(Redirect::to("/settings?saved=1#reminders").into_response())
        }
        Err(errors) => {
            let s = snapshot(&st).await?;
            let db_path = where_kept(&st);
            let card = reminder_card_with(&session, &current, &ReminderForm::submitted(&f), &errors, None);
            let import = import_block(&session, &Errors::default(), None);
            let body =
                html! { h1 { "Settings" } (form(&session, &s.profile, &Errors::default(), &db_path, card, import)) };
            let mut r = Page::new("Settings", Nav::Settings, body).render(&session);
            *r.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
            Ok(r)
        }
    }
}

fn reminders_json(r: &ReminderSettings) -> serde_json::Value {
    let days = r.working_hours.as_ref().map(|h| days_label(&h.days));
    json!({ "settings": r, "summary": r.summary(), "days": days, "used_by": "runtall remind (without options)" })
}

async fn api_reminders(State(st): State<AppState>) -> Result<Response, HttpError> {
    let (r, problem) = load_reminders(&st).await?;
    let mut body = reminders_json(&r);
    if let Some(p) = problem {
        body["problem"] = json!(p);
    }
    Ok(json(body))
}

async fn api_reminders_put(
    State(st): State<AppState>,
    axum::Json(c): axum::Json<ReminderChanges>,
) -> Result<Response, HttpError> {
    let (current, _) = load_reminders(&st).await?;
    let r = current.apply(&c, &st.program.habit_defaults).map_err(|e| field_errors(e).into_http())?;
    store_reminders(&st, &r).await?;
    Ok(json(reminders_json(&r)))
}
