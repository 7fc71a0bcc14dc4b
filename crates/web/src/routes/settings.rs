//! Settings: name, units, country (and so the emergency number), export, and deleting all data —
//! `runtall profile` and `runtall journal export` for people who never open a terminal.

use super::{json, snapshot};
use crate::AppState;
use crate::error::HttpError;
use crate::form::{Errors, FormData};
use crate::layout::{Nav, Page, csrf_field, described, error_summary, field_error};
use crate::session::Session;
use axum::Router;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use maud::{Markup, html};
use runtall_domain::emergency::is_known_country;
use runtall_domain::profile::{Profile, Units};
use runtall_store::Store;
use serde::Deserialize;
use serde_json::json;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/settings", get(page).post(save))
        .route("/settings/delete-all", post(delete_all))
        .route("/api/profile", get(api_profile).post(api_profile_put))
        .route("/api/delete-all", post(api_delete_all))
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

fn form(session: &Session, p: &Profile, errors: &Errors, db_path: &str) -> Markup {
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
            button type="submit" class="button primary" { "Save settings" }
        }
        section class="card" {
            h2 { "Your data" }
            p { "Everything stays in one file on this machine: " code { (db_path) } }
            p { "Download your journal in open formats (documented in the project's journal-format guide):" }
            ul {
                li { a href="/export/journal.jsonl" download { "Journal (JSON Lines)" } }
                li { a href="/export/runs.csv" download { "Runs (CSV)" } " · " a href="/export/pain.csv" download { "Pain (CSV)" } " · " a href="/export/days.csv" download { "Days (CSV)" } }
            }
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
    let db_path = st.db.path().display().to_string();
    let body = html! {
        h1 { "Settings" }
        @if f.saved.is_some() { div class="notice ok" role="status" { p { "Saved." } } }
        @if f.deleted.is_some() { div class="notice ok" role="status" { p { "All data was deleted." } } }
        (form(&session, &s.profile, &Errors::default(), &db_path))
    };
    Ok(Page::new("Settings", Nav::Settings, body).render(&session))
}

/// Applies the changes the runner asked for, with the CLI's checks.
fn apply(mut p: Profile, name: Option<&str>, country: Option<&str>, units: Option<&str>) -> Result<Profile, Errors> {
    let mut e = Errors::default();
    if let Some(name) = name {
        let name = name.trim();
        if name.chars().count() > 80 {
            e.add("name", "at most 80 characters");
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
    match apply(s.profile.clone(), name, country, f.get("units")) {
        Ok(p) => {
            st.db.run(move |store| Ok(store.save_profile(&p)?)).await?;
            Ok(Redirect::to("/settings?saved=1").into_response())
        }
        Err(errors) => {
            let db_path = st.db.path().display().to_string();
            let body = html! { h1 { "Settings" } (form(&session, &s.profile, &errors, &db_path)) };
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
    st.db.run(|store| Ok(store.delete_all()?)).await?;
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
}

async fn api_profile_put(
    State(st): State<AppState>,
    axum::Json(b): axum::Json<ProfileBody>,
) -> Result<Response, HttpError> {
    let current = snapshot(&st).await?.profile;
    let p = apply(current, b.name.as_deref(), b.country.as_deref(), b.units.as_deref()).map_err(Errors::into_http)?;
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
    st.db.run(|store| Ok(store.delete_all()?)).await?;
    Ok(json(json!({ "deleted": true })))
}
