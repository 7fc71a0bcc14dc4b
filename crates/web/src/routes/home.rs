//! `/`: sends the runner to the next step of the program; `/welcome`: the first page a new runner sees;
//! `/api/state` and `/api/session`: where the program stands, and the CSRF token for scripts.

use super::{needs_first, snapshot};
use crate::AppState;
use crate::error::HttpError;
use crate::layout::Page;
use crate::session::Session;
use axum::Router;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use maud::html;
use runtall_domain::screen::ProgramState;
use serde_json::json;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/", get(home))
        .route("/welcome", get(welcome))
        .route("/api/state", get(api_state))
        .route("/api/session", get(api_session))
}

async fn home(State(st): State<AppState>) -> Result<Response, HttpError> {
    // A clinician owns no records: their start page lists their athletes.
    if st.db.is_multi_user() && st.db.serving().is_none() {
        return Ok(Redirect::to("/clinic").into_response());
    }
    let s = snapshot(&st).await?;
    Ok(Redirect::to(needs_first(&s).unwrap_or("/today")).into_response())
}

async fn welcome(State(st): State<AppState>, session: Session) -> Result<Response, HttpError> {
    let s = snapshot(&st).await?;
    let started = !matches!(s.state, ProgramState::NotScreened);
    let body = html! {
        section class="hero" {
            h1 { "Run tall, without the neck and upper-back ache" }
            p class="lead" {
                "Posture and breathing habits for runners whose neck and upper back hurt on long runs, in speed work, "
                "after a day at the desk or under a hydration pack."
            }
        }
        ol class="steps" {
            li { strong { "Safety check. " } "A few yes/no questions about warning signs, about 2 minutes. Anything "
                 "worrying goes to a clinician first." }
            li { strong { "Assessment. " } "Where and when it hurts, your training and your day, about 5 minutes." }
            li { strong { "Your plan. " } "What to do before, during and after each kind of run, on rest days and at "
                 "the desk — every item says why it is there and where the advice comes from." }
        }
        p {
            a class="button primary" href="/screen" { @if started { "Take the safety check again" } @else { "Start the safety check" } }
            @if started { " " a class="button" href="/" { "Continue where I left off" } }
        }
        p class="muted" { "Your data stays on this machine." }
    };
    Ok(Page::bare("Welcome", body).render(&session))
}

async fn api_state(State(st): State<AppState>) -> Result<Response, HttpError> {
    let s = snapshot(&st).await?;
    Ok(super::json(json!({
        "state": s.state,
        "safety": { "mode": s.safety.mode, "level": s.safety.level_name(), "headline": s.safety.headline },
        "profile": s.profile,
        "emergency_number": s.profile.emergency_number(),
        "latest_screening": s.screening.as_ref().map(|r| r.taken_at),
        "latest_assessment": s.assessment.as_ref().map(|a| a.taken_at),
        "next": needs_first(&s).unwrap_or("/today"),
    })))
}

/// The CSRF token of this session, for scripts calling the API (send it back as `X-CSRF-Token`).
async fn api_session(session: Session) -> Response {
    super::json(json!({ "csrf_token": session.csrf, "signed_in": session.signed_in }))
}
