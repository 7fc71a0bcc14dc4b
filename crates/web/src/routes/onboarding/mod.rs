//! Onboarding: the red-flag screen first, then the assessment; and the clinician-check confirmation.
//!
//! The same rules as `runtall screen` / `runtall assess`: `screen::evaluate` decides, an unanswered question is
//! never taken as no, level A shows only the emergency screen, B pauses, C gives the reduced program and asks again
//! at each plan. The assessment is validated field by field (every bad answer named at once, with its range), then
//! by `Assessment::check`; chest pain sends the runner to the screen and nothing is stored.

use super::{Snapshot, api_needs_first, json, snapshot};
use crate::AppState;
use crate::error::HttpError;
use crate::form::{Errors, FormData, enum_id, id_of};
use crate::layout::{Page, csrf_field, described, error_summary, error_summary_list, field_error};
use crate::session::Session;
use crate::units::{from_km, to_km, unit_name};
use axum::Router;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use jiff::Timestamp;
use maud::{Markup, html};
use runtall_content::{Condition, Equipment, FlagLevel, Program};
use runtall_domain::assess::{
    Assessment, AssessmentRecord, DayHours, Exposures, PackUse, PerWeek, PsfsItem, Region, Routing, RunKm, Score,
    Surface, WeekHours, WeeklyKm, When, Years,
};
use runtall_domain::plan::PlanRecord;
use runtall_domain::profile::{ALL_CONDITIONS, Profile, Units, condition_label};
use runtall_domain::safety::Mode;
use runtall_domain::screen::{AnswersFile, ProgramState, ScreenAnswers, TriggeredFlag, evaluate, program_state};
use runtall_store::Store;
use serde::Deserialize;
use serde_json::json;
use std::collections::BTreeMap;

mod api;
mod assessment;
mod screen;

use api::*;
use assessment::*;
pub use screen::call_links_inline;
use screen::*;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/screen", get(screen_page).post(screen_submit))
        .route("/screen/result", get(screen_result))
        .route("/screen/clinician-checked", post(clinician_checked))
        .route("/emergency", get(emergency))
        .route("/assess", get(assess_page).post(assess_submit))
        .route("/api/screen/questions", get(api_questions))
        .route("/api/screen", get(api_screen_history).post(api_screen))
        .route("/api/screen/clinician-checked", post(api_clinician_checked))
        .route("/api/assessment", get(api_assessment).post(api_assess))
}
