//! Settings: name, units, country (and so the emergency number), sitting-break reminders, export and import of
//! the journal, and deleting all data — `runtall profile` and `runtall journal export|import` for people who never
//! open a terminal.
//!
//! The reminder settings are those `runtall remind` uses when started without flags (the reminders themselves run
//! on the desktop, where they can notify); the checks are the companion's own
//! ([`ReminderSettings::apply`]), so the form, the API and the CLI refuse the same values with the same words.
//!
//! Journal import reads the formats of docs/journal-format.md with the CLI's calls (`journal_format::{JsonlReader,
//! CsvReader}` streamed into `runtall_app::journal_file::import_records`): every line is checked as it is stored, in one
//! transaction dropped at the first bad line, so a bad line names itself and nothing changes. A journal can
//! outgrow the global body limit, so its two routes get their own ([`JOURNAL_LIMIT`]); the upload is text held in
//! memory, and parsing it adds only one record at a time.

use super::{json, snapshot};
use crate::AppState;
use crate::error::HttpError;
use crate::form::{Errors, FormData};
use crate::layout::{Nav, Page, csrf_field, described, error_summary, field_error};
use crate::session::Session;
use axum::Router;
use axum::extract::multipart::MultipartError;
use axum::extract::{DefaultBodyLimit, FromRequest, Multipart, Query, Request, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use maud::{Markup, html};
use runtall_companion::remind::settings::{self as reminders, ReminderChanges, ReminderSettings, days_label};
use runtall_domain::emergency::is_known_country;
use runtall_domain::journal_format;
use runtall_domain::plan::Weekday;
use runtall_domain::profile::{Profile, Units};
use runtall_store::JournalImportStats;
use serde::Deserialize;
use serde_json::json;

use crate::body_limits::JOURNAL_LIMIT;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/settings/journal-import", post(import_form))
        .route("/api/journal/import", post(import_api))
        .layer(DefaultBodyLimit::max(JOURNAL_LIMIT))
        .route("/settings", get(page).post(save))
        .route("/settings/delete-all", post(delete_all))
        .route("/settings/reminders", post(save_reminders))
        .route("/api/profile", get(api_profile).post(api_profile_put))
        .route("/api/delete-all", post(api_delete_all))
        .route("/api/reminders", get(api_reminders).post(api_reminders_put))
}

/// Countries offered in the list (the rest can be typed as a two-letter code).
const COMMON: [(&str, &str); 16] = [
    ("US", "United States"),
    ("CA", "Canada"),
    ("GB", "United Kingdom"),
    ("IE", "Ireland"),
    ("AU", "Australia"),
    ("NZ", "New Zealand"),
    ("DE", "Germany"),
    ("FR", "France"),
    ("ES", "Spain"),
    ("IT", "Italy"),
    ("NL", "Netherlands"),
    ("SE", "Sweden"),
    ("CH", "Switzerland"),
    ("IN", "India"),
    ("JP", "Japan"),
    ("ZA", "South Africa"),
];

#[derive(Deserialize, Default)]
struct Flash {
    saved: Option<String>,
    deleted: Option<String>,
}

fn form(
    session: &Session,
    p: &Profile,
    errors: &Errors,
    db_path: &str,
    reminders: Markup,
    journal_import: Markup,
) -> Markup {
    html! {
        (error_summary(errors))
        form method="post" action="/settings" class="stack card" novalidate {
            (csrf_field(session))
            div class={ "field" @if errors.get("name").is_some() { " has-error" } } {
                label for="f-name" { "Your name (optional)" }
                (field_error(errors, "name"))
                input id="f-name" name="name" type="text" maxlength="80" value=(p.name) autocomplete="given-name" aria-describedby=[described(errors, "name")];
            }
            fieldset class="group" {
                legend { "Distances in" }
                div class="options" {
                    label class="check" { input type="radio" name="units" value="km" checked[p.units == Units::Km]; " kilometres" }
                    label class="check" { input type="radio" name="units" value="mi" checked[p.units == Units::Mi]; " miles" }
                }
            }
            div class={ "field" @if errors.get("country").is_some() { " has-error" } } {
                label for="f-country" { "Country (two-letter code), for the emergency number" }
                p class="hint" id="h-country" { "Emergency number now: " strong { (p.emergency_number()) } }
                (field_error(errors, "country"))
                input id="f-country" name="country" type="text" maxlength="2" list="countries" autocomplete="country"
                    value=(p.country.as_deref().unwrap_or("")) aria-describedby="h-country";
                datalist id="countries" { @for (code, name) in COMMON { option value=(code) { (name) } } }
            }
            @let budget = p.budget();
            fieldset class="group" {
                legend { "Minutes a day for Today" }
                p class="hint" { "Today picks the day's few things to fit: 15 minutes on a run day and 20 on a rest "
                    "day unless you choose more (5–60). Programs people keep doing take about 10–20 minutes a day." }
                div class={ "field" @if errors.get("run_day_minutes").is_some() { " has-error" } } {
                    label for="f-run-min" { "On a run day (besides the run)" }
                    (field_error(errors, "run_day_minutes"))
                    input id="f-run-min" name="run_day_minutes" type="number" min="5" max="60" inputmode="numeric"
                        value=(budget.run_day_min);
                }
                div class={ "field" @if errors.get("rest_day_minutes").is_some() { " has-error" } } {
                    label for="f-rest-min" { "On a rest day" }
                    (field_error(errors, "rest_day_minutes"))
                    input id="f-rest-min" name="rest_day_minutes" type="number" min="5" max="60" inputmode="numeric"
                        value=(budget.rest_day_min);
                }
            }
            button type="submit" class="button primary" { "Save settings" }
        }
        (reminders)
        section class="card" {
            h2 { "Your data" }
            @if db_path.is_empty() {
                p { "Your records are kept on this clinic server. Your " a href="/account" { "account page" }
                    " shows who sees them, stops sharing, and connects a device." }
            } @else {
                p { "Everything stays in one file on this machine: " code { (db_path) } }
            }
            p { "Download your journal in open formats (documented in the project's journal-format guide):" }
            ul {
                li { a href="/export/journal.jsonl" download { "Journal (JSON Lines)" } ": everything you recorded — runs, pain, days, screens, assessments, plans, sessions, experiments, posture landmarks (not the photos) and lessons" }
                li { a href="/export/runs.csv" download { "Runs (CSV)" } " · " a href="/export/pain.csv" download { "Pain (CSV)" } " · " a href="/export/days.csv" download { "Days (CSV)" } ": runs, pain and days only, for a spreadsheet" }
            }
            (journal_import)
            p { a href="/settings/audit" { "Who has looked at your data" } " — every view or change by a clinician you share your records with." }
        }
        section class="card danger-zone" {
            h2 { "Delete all data" }
            p { "Removes your screens, assessments, plans, runs and journal from this machine. It cannot be undone: "
                "download your journal first if you want to keep it." }
            form method="post" action="/settings/delete-all" class="stack" {
                (csrf_field(session))
                label class="check" { input type="checkbox" name="confirm" value="yes" required; " Yes, delete everything" }
                button type="submit" class="button danger" { "Delete all my data" }
            }
        }
    }
}

async fn page(State(st): State<AppState>, session: Session, Query(f): Query<Flash>) -> Result<Response, HttpError> {
    let s = snapshot(&st).await?;
    let (r, problem) = load_reminders(&st).await?;
    let db_path = where_kept(&st);
    let body = html! {
        h1 { "Settings" }
        @if f.saved.is_some() { div class="notice ok" role="status" { p { "Saved." } } }
        @if f.deleted.is_some() { div class="notice ok" role="status" { p { "All data was deleted." } } }
        (form(&session, &s.profile, &Errors::default(), &db_path, reminder_card(&session, &r, &Errors::default(), problem.as_deref()), import_block(&session, &Errors::default(), None)))
    };
    Ok(Page::new("Settings", Nav::Settings, body).render(&session))
}

/// The daily minutes the runner asked for, as typed (either may be left out to keep the current one).
#[derive(Default)]
struct BudgetInput<'a> {
    run_day: Option<&'a str>,
    rest_day: Option<&'a str>,
}

/// Applies the changes the runner asked for, with the CLI's checks.
fn apply(
    mut p: Profile,
    name: Option<&str>,
    country: Option<&str>,
    units: Option<&str>,
    budget: BudgetInput<'_>,
) -> Result<Profile, Errors> {
    let mut e = Errors::default();
    if budget.run_day.is_some() || budget.rest_day.is_some() {
        let now = p.budget();
        let mut minutes = |field: &str, raw: Option<&str>, current: u32| match raw.map(str::trim) {
            None | Some("") => Some(current),
            Some(v) => match v.parse::<u32>() {
                Ok(m) if runtall_domain::plan::DayBudget::RANGE.contains(&m) => Some(m),
                _ => {
                    e.add(field, format!("'{v}' is not a number of minutes from 5 to 60"));
                    None
                }
            },
        };
        let run = minutes("run_day_minutes", budget.run_day, now.run_day_min);
        let rest = minutes("rest_day_minutes", budget.rest_day, now.rest_day_min);
        if let (Some(run), Some(rest)) = (run, rest)
            && let Ok(b) = runtall_domain::plan::DayBudget::new(run, rest)
            && b != now
        {
            p.day_budget = Some(b);
        }
    }
    if let Some(name) = name {
        let name = name.trim();
        let max = runtall_domain::text::PROFILE_NAME_MAX_CHARS;
        if runtall_domain::text::longer_than(name, max) {
            e.add("name", format!("at most {max} characters"));
        } else if name != p.name {
            p.name = name.to_string();
            p.demo = false;
        }
    }
    if let Some(c) = country {
        let code = c.trim().to_ascii_uppercase();
        if code.is_empty() {
            p.country = None;
        } else if code.len() != 2 || !code.chars().all(|c| c.is_ascii_alphabetic()) {
            e.add("country", format!("'{c}' is not a two-letter code such as US, GB, DE"));
        } else if p.country.as_deref() != Some(code.as_str()) {
            p.country = Some(code);
            p.demo = false;
        }
    }
    match units {
        None => {}
        Some("km") => p.units = Units::Km,
        Some("mi") => p.units = Units::Mi,
        Some(other) => e.add("units", format!("'{other}' is not km or mi")),
    }
    if e.is_empty() { Ok(p) } else { Err(e) }
}

async fn save(State(st): State<AppState>, session: Session, f: FormData) -> Result<Response, HttpError> {
    let s = snapshot(&st).await?;
    // A blank name field clears the name; a blank country clears it (the default wording is then shown).
    let name = Some(f.get("name").unwrap_or(""));
    let country = Some(f.get("country").unwrap_or(""));
    let budget = BudgetInput { run_day: f.get("run_day_minutes"), rest_day: f.get("rest_day_minutes") };
    match apply(s.profile.clone(), name, country, f.get("units"), budget) {
        Ok(p) => {
            st.db.run(move |store| Ok(store.save_profile(&p)?)).await?;
            Ok(Redirect::to("/settings?saved=1").into_response())
        }
        Err(errors) => {
            let db_path = where_kept(&st);
            let (r, problem) = load_reminders(&st).await?;
            let card = reminder_card(&session, &r, &Errors::default(), problem.as_deref());
            let import = import_block(&session, &Errors::default(), None);
            let body = html! { h1 { "Settings" } (form(&session, &s.profile, &errors, &db_path, card, import)) };
            let mut r = Page::new("Settings", Nav::Settings, body).render(&session);
            *r.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
            Ok(r)
        }
    }
}

async fn delete_all(State(st): State<AppState>, f: FormData) -> Result<Response, HttpError> {
    if f.get("confirm") != Some("yes") {
        return Err(HttpError::field("confirm", "Tick the box to confirm you want everything deleted."));
    }
    let photos = st.photos()?;
    st.db.run(move |store| Ok(runtall_app::posture::delete_all(store, &photos)?)).await?;
    Ok(Redirect::to("/settings?deleted=1").into_response())
}

fn profile_json(p: &Profile) -> serde_json::Value {
    let known = p.country.as_deref().is_none_or(is_known_country);
    json!({ "profile": p, "emergency_number": p.emergency_number(), "country_known": known })
}

async fn api_profile(State(st): State<AppState>) -> Result<Response, HttpError> {
    Ok(json(profile_json(&snapshot(&st).await?.profile)))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ProfileBody {
    name: Option<String>,
    country: Option<String>,
    units: Option<String>,
    run_day_minutes: Option<u32>,
    rest_day_minutes: Option<u32>,
}

async fn api_profile_put(
    State(st): State<AppState>,
    axum::Json(b): axum::Json<ProfileBody>,
) -> Result<Response, HttpError> {
    let current = snapshot(&st).await?.profile;
    let (run, rest) = (b.run_day_minutes.map(|m| m.to_string()), b.rest_day_minutes.map(|m| m.to_string()));
    let budget = BudgetInput { run_day: run.as_deref(), rest_day: rest.as_deref() };
    let p = apply(current, b.name.as_deref(), b.country.as_deref(), b.units.as_deref(), budget)
        .map_err(Errors::into_http)?;
    let saved = p.clone();
    st.db.run(move |store| Ok(store.save_profile(&p)?)).await?;
    Ok(json(profile_json(&saved)))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DeleteBody {
    confirm: bool,
}

async fn api_delete_all(
    State(st): State<AppState>,
    axum::Json(b): axum::Json<DeleteBody>,
) -> Result<Response, HttpError> {
    if !b.confirm {
        return Err(HttpError::field("confirm", "send {\"confirm\": true} to delete everything"));
    }
    let photos = st.photos()?;
    st.db.run(move |store| Ok(runtall_app::posture::delete_all(store, &photos)?)).await?;
    Ok(json(json!({ "deleted": true })))
}

/// The saved reminder settings (the program's defaults when none were saved). A saved value that no longer reads
/// is reported on the page with the defaults shown, so saving the form repairs it.
async fn load_reminders(st: &AppState) -> Result<(ReminderSettings, Option<String>), HttpError> {
    let defaults = &st.program.habit_defaults;
    let saved = st.db.run(|store| Ok(store.setting(reminders::KEY)?)).await?;
    Ok(match ReminderSettings::from_stored(saved.as_ref(), defaults) {
        Ok(r) => (r, None),
        Err(problem) => (ReminderSettings::from_defaults(defaults), Some(problem)),
    })
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

fn field_class(errors: &Errors, field: &str) -> &'static str {
    if errors.get(field).is_some() { "field has-error" } else { "field" }
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

fn reminder_card(session: &Session, r: &ReminderSettings, errors: &Errors, problem: Option<&str>) -> Markup {
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
    let value = serde_json::to_value(r).map_err(HttpError::internal)?;
    st.db.run(move |store| Ok(store.put_setting(reminders::KEY, &value)?)).await
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

/// The import form inside "Your data": a file upload (the token rides in the action URL, since a multipart body
/// is not read by the CSRF check), with the last import's errors or summary.
fn import_block(session: &Session, errors: &Errors, done: Option<&JournalImportStats>) -> Markup {
    let action = format!("/settings/journal-import?{}={}", crate::session::CSRF_FIELD, session.csrf);
    html! {
        h3 id="journal-import" { "Import a journal" }
        @if let Some(stats) = done { div class="notice ok" role="status" { p { (import_summary(stats)) } } }
        (error_summary(errors))
        form method="post" action=(action) enctype="multipart/form-data" class="stack" {
            div class=(field_class(errors, "journal")) {
                label for="f-journal" { "Journal file" }
                p class="hint" id="h-journal" {
                    "A journal.jsonl, or any of runs.csv, pain.csv and days.csv together — as downloaded above or "
                    "written by hand. All or nothing: a line with a problem is named and nothing is imported. "
                    "Runs already here are matched, not doubled."
                }
                (field_error(errors, "journal"))
                input type="file" id="f-journal" name="journal" multiple accept=".jsonl,.json,.ndjson,.csv,.txt,text/csv,application/json"
                    aria-describedby={ "h-journal" @if errors.get("journal").is_some() { " e-journal" } };
            }
            button type="submit" class="button" { "Import" }
        }
    }
}

fn import_summary(s: &JournalImportStats) -> String {
    let others = if s.others_added + s.others_matched > 0 {
        format!(
            "; {} other records: screens, plans, sessions and the like ({} already there)",
            s.others_added, s.others_matched
        )
    } else {
        String::new()
    };
    use runtall_domain::text::count;
    format!(
        "Imported: {} new, {} matched stored runs; {} ({} already there); {}{others}.",
        count(s.runs_added, "run", "runs"),
        s.runs_matched,
        count(s.pain_added, "pain report", "pain reports"),
        s.pain_duplicates,
        count(s.days, "day", "days")
    )
}

fn upload_error(e: MultipartError) -> HttpError {
    if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
        HttpError::field("journal", "That file is larger than 32 MB. Import it with `runtall journal import`.")
    } else {
        HttpError::field("journal", "The upload was interrupted or malformed. Choose the file again.")
    }
}

/// Every file of the upload as (name, text); a file input with nothing chosen sends an empty part, skipped.
async fn read_files(mut multipart: Multipart) -> Result<Vec<(String, String)>, HttpError> {
    let mut files = Vec::new();
    while let Some(field) = multipart.next_field().await.map_err(upload_error)? {
        let name = field.file_name().unwrap_or("journal.jsonl").to_string();
        let name: String =
            name.rsplit(['/', '\\']).next().unwrap_or("").chars().filter(|c| !c.is_control()).take(120).collect();
        let bytes = field.bytes().await.map_err(upload_error)?;
        if name.is_empty() && bytes.is_empty() {
            continue;
        }
        let text = String::from_utf8(bytes.to_vec())
            .map_err(|_| HttpError::field("journal", format!("{name} is not a text file (UTF-8)")))?;
        files.push((name, text));
    }
    Ok(files)
}

/// Which of the three CSV files a text is, by its header row (a download may be renamed `runs (1).csv`).
fn csv_kind(name: &str, text: &str) -> Result<usize, HttpError> {
    let header: Vec<String> =
        text.lines().next().unwrap_or("").split(',').map(|c| c.trim().trim_matches('"').to_string()).collect();
    let has = |c: &str| header.iter().any(|h| h == c);
    if has("key") {
        Ok(0)
    } else if has("region") {
        Ok(1)
    } else if has("date") {
        Ok(2)
    } else {
        Err(HttpError::field(
            "journal",
            format!("{name}: line 1 is not the header of runs.csv, pain.csv or days.csv (docs/journal-format.md)"),
        ))
    }
}

/// What was uploaded: one JSON Lines file, or up to three CSV files in their slots (runs, pain, days).
enum JournalUpload {
    Jsonl(String, String),
    Csv([Option<(String, String)>; 3]),
}

impl JournalUpload {
    /// Sorts the uploaded files by kind (from their names and header rows; nothing is parsed yet).
    fn pick(files: Vec<(String, String)>) -> Result<JournalUpload, HttpError> {
        let (csv, mut jsonl): (Vec<_>, Vec<_>) =
            files.into_iter().partition(|(name, _)| name.to_ascii_lowercase().ends_with(".csv"));
        match (jsonl.len(), csv.is_empty()) {
            (0, true) => {
                Err(HttpError::field("journal", "Choose a journal file: a .jsonl, or runs.csv, pain.csv and days.csv."))
            }
            (1, true) => jsonl.pop().map(|(n, t)| JournalUpload::Jsonl(n, t)).ok_or(HttpError::NotFound),
            (0, false) => {
                const NAMES: [&str; 3] = ["runs.csv", "pain.csv", "days.csv"];
                let mut slots: [Option<(String, String)>; 3] = [None, None, None];
                for (name, text) in csv {
                    let kind = csv_kind(&name, &text)?;
                    if slots[kind].replace((name, text)).is_some() {
                        return Err(HttpError::field("journal", format!("two files hold {}; choose one", NAMES[kind])));
                    }
                }
                Ok(JournalUpload::Csv(slots))
            }
            _ => Err(HttpError::field(
                "journal",
                "Import one JSON Lines file, or CSV files — not several JSON Lines files or both kinds at once.",
            )),
        }
    }

    /// Streams the records into the store in one transaction (all or nothing; a bad line names itself).
    fn import_into(
        &self,
        store: &dyn runtall_store::Store,
        now: jiff::Timestamp,
    ) -> Result<JournalImportStats, HttpError> {
        let stats = match self {
            JournalUpload::Jsonl(name, text) => runtall_app::journal_file::import_records(
                store,
                &mut journal_format::JsonlReader::new(name, text.as_bytes(), now),
            )?,
            JournalUpload::Csv(slots) => {
                let open = |i: usize| {
                    slots[i].as_ref().map(|(n, t)| (n.clone(), Box::new(t.as_bytes()) as Box<dyn std::io::BufRead>))
                };
                runtall_app::journal_file::import_records(
                    store,
                    &mut journal_format::CsvReader::new(open(0), open(1), open(2), now),
                )?
            }
        };
        Ok(stats)
    }
}

/// The database file the settings page names, or nothing on a clinic server (whose files are not the athlete's to
/// see).
fn where_kept(st: &AppState) -> String {
    if st.db.is_multi_user() { String::new() } else { st.db.path().display().to_string() }
}

async fn import(st: &AppState, files: Vec<(String, String)>) -> Result<JournalImportStats, HttpError> {
    let upload = JournalUpload::pick(files)?;
    st.db.run(move |store| upload.import_into(store, jiff::Timestamp::now())).await
}

/// The settings page with the import's outcome: the summary (200) or the problem next to the file box (422).
async fn import_form(
    State(st): State<AppState>,
    session: Session,
    multipart: Multipart,
) -> Result<Response, HttpError> {
    let outcome = match read_files(multipart).await {
        Ok(files) => import(&st, files).await,
        Err(e) => Err(e),
    };
    let (block, status) = match outcome {
        Ok(stats) => (import_block(&session, &Errors::default(), Some(&stats)), StatusCode::OK),
        Err(HttpError::Invalid(fields)) => {
            (import_block(&session, &Errors(fields), None), StatusCode::UNPROCESSABLE_ENTITY)
        }
        Err(other) => return Err(other),
    };
    let s = snapshot(&st).await?;
    let (r, problem) = load_reminders(&st).await?;
    let db_path = where_kept(&st);
    let card = reminder_card(&session, &r, &Errors::default(), problem.as_deref());
    let body = html! { h1 { "Settings" } (form(&session, &s.profile, &Errors::default(), &db_path, card, block)) };
    let mut response = Page::new("Settings", Nav::Settings, body).render(&session);
    *response.status_mut() = status;
    Ok(response)
}

/// `runtall journal import` over HTTP: multipart (the form's `journal` field, one .jsonl or CSV files) or the
/// JSON Lines text as the raw body (any other content type). Answers the counts, as `--json` prints them.
async fn import_api(State(st): State<AppState>, request: Request) -> Result<Response, HttpError> {
    let multipart = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("multipart/form-data"));
    let files = if multipart {
        let m = Multipart::from_request(request, &()).await.map_err(|e| HttpError::field("journal", e.body_text()))?;
        read_files(m).await?
    } else {
        let bytes = axum::body::to_bytes(request.into_body(), JOURNAL_LIMIT)
            .await
            .map_err(|_| HttpError::field("journal", "larger than 32 MB, or interrupted"))?;
        let text = String::from_utf8(bytes.to_vec())
            .map_err(|_| HttpError::field("journal", "the body is not JSON Lines text (UTF-8)"))?;
        vec![("journal.jsonl".to_string(), text)]
    };
    let stats = import(&st, files).await?;
    Ok(json(json!({ "imported": stats, "summary": import_summary(&stats) })))
}
