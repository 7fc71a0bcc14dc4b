//! The profile part of the settings: name, units, country (and so the emergency number) and the daily minutes,
//! from the form and the JSON API, checked the way `runtall profile` checks them.

use super::{form, where_kept};
use super::{import_block, json, load_reminders, reminder_card, snapshot};
use crate::AppState;
use crate::error::HttpError;
use crate::form::{Errors, FormData};
use crate::layout::{Nav, Page};
use crate::session::Session;
use axum::Router;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use maud::html;
use runtall_domain::emergency::is_known_country;
use runtall_domain::profile::{Profile, Units};
use serde::Deserialize;
use serde_json::json;

/// The settings page's own form posts here; the page itself is drawn by the parent module.
pub(super) fn router() -> Router<AppState> {
    Router::new().route("/api/profile", get(api_profile).post(api_profile_put))
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

pub(super) async fn save(State(st): State<AppState>, session: Session, f: FormData) -> Result<Response, HttpError> {
    let s = snapshot(&st).await?;
    // A blank name field clears the name; a blank country clears it (the default wording is then shown).
    let name = Some(f.get("name").unwrap_or(""));
    let country = Some(f.get("country").unwrap_or(""));
    let budget = BudgetInput { run_day: f.get("run_day_minutes"), rest_day: f.get("rest_day_minutes") };
    match apply(s.profile.clone(), name, country, f.get("units"), budget) {
        Ok(p) => {
            st.db.run(move |store| Ok(runtall_app::profile::save(store, &p)?)).await?;
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
    st.db.run(move |store| Ok(runtall_app::profile::save(store, &p)?)).await?;
    Ok(json(profile_json(&saved)))
}
