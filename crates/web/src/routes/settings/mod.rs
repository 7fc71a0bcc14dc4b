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
//! outgrow the global body limit, so its two routes get their own
//! ([`JOURNAL_LIMIT`](crate::body_limits::JOURNAL_LIMIT)); the upload is text held in
//! memory, and parsing it adds only one record at a time.

mod delete;
mod journal_import;
mod profile;
mod reminders;

use super::{json, snapshot};
use crate::AppState;
use crate::error::HttpError;
use crate::form::Errors;
use crate::layout::{Nav, Page, csrf_field, described, error_summary, field_error};
use crate::session::Session;
use axum::Router;
use axum::extract::{Query, State};
use axum::response::Response;
use axum::routing::get;
use maud::{Markup, html};
use runtall_domain::profile::{Profile, Units};
use serde::Deserialize;

use journal_import::import_block;
use reminders::{load_reminders, reminder_card};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/settings", get(page).post(profile::save))
        .merge(journal_import::router())
        .merge(reminders::router())
        .merge(delete::router())
        .merge(profile::router())
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

pub(super) fn form(
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

pub(super) fn field_class(errors: &Errors, field: &str) -> &'static str {
    if errors.get(field).is_some() { "field has-error" } else { "field" }
}

/// The database file the settings page names, or nothing on a clinic server (whose files are not the athlete's to
/// see).
pub(super) fn where_kept(st: &AppState) -> String {
    if st.db.is_multi_user() { String::new() } else { st.db.path().display().to_string() }
}
