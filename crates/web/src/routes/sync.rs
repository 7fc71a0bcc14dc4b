//! Sync from a runner's own machine (`runtall sync`, docs/sync.md): the server half of `runtall_app::sync`.
//!
//! Only an athlete of a clinic server reaches these routes — through a device token (`Authorization: Bearer`, made
//! on the "Connect a device" page) or a signed-in session — and what a batch carries lands in that athlete's store
//! and nowhere else. The one-runner `runtall serve` and clinicians get 404, as for any address that is not theirs.
//! A batch may be 16 MiB (`body_limits::SYNC_LIMIT`); it is applied all or nothing on a blocking thread.

use crate::AppState;
use crate::body_limits::SYNC_LIMIT;
use crate::error::HttpError;
use crate::principal::Principal;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use runtall_app::sync::{self, SyncError};
use runtall_store::AthleteId;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/sync/hello", get(hello))
        .route("/api/sync/batch", post(batch))
        .route("/api/sync/pull", post(pull))
        .layer(DefaultBodyLimit::max(SYNC_LIMIT))
}

/// The athlete a sync request is for: an athlete account's own, never anyone else's.
fn athlete_of(who: &Principal) -> Result<AthleteId, HttpError> {
    match who {
        Principal::Athlete { athlete, .. } => Ok(*athlete),
        Principal::Owner | Principal::Clinician { .. } => Err(HttpError::NotFound),
    }
}

/// What the client checks before it sends anything: the token works, the protocol version, and how many of the
/// athlete's runs the server holds (a client whose cursor claims more starts over).
async fn hello(State(st): State<AppState>, who: Principal) -> Result<Response, HttpError> {
    let athlete = athlete_of(&who)?;
    let hello = st.db.run_for(athlete, |store| Ok(sync::hello(store))).await?;
    match hello {
        Ok(h) => Ok(axum::Json(h).into_response()),
        Err(SyncError::App(e)) => Err(e.into()),
        Err(e) => Err(HttpError::internal(e)),
    }
}

/// What the athlete made or changed on the server (in the browser, or from another device) and what was deleted
/// here, for a device that says what it holds; a batch in the sync format.
async fn pull(State(st): State<AppState>, who: Principal, body: Bytes) -> Result<Response, HttpError> {
    let athlete = athlete_of(&who)?;
    let answer =
        st.db.run_for(athlete, move |store| Ok(sync::answer_pull(store, &body, jiff::Timestamp::now()))).await?;
    match answer {
        Ok(bytes) => Ok(([(header::CONTENT_TYPE, "application/gzip")], bytes).into_response()),
        Err(e) => refusal(e),
    }
}

/// A sync error as the client hears it: 426 "upgrade" for a newer protocol, 400 with the reason for an unusable
/// body.
fn refusal(e: SyncError) -> Result<Response, HttpError> {
    match e {
        e @ SyncError::Protocol { .. } => Ok((
            StatusCode::UPGRADE_REQUIRED,
            axum::Json(serde_json::json!({ "error": "upgrade", "message": e.to_string() })),
        )
            .into_response()),
        e @ (SyncError::Body(_) | SyncError::Record(_)) => Err(HttpError::bad(e.to_string())),
        SyncError::App(e) => Err(e.into()),
    }
}

/// Applies one batch to the athlete's store and answers with the acknowledgement.
async fn batch(State(st): State<AppState>, who: Principal, body: Bytes) -> Result<Response, HttpError> {
    let athlete = athlete_of(&who)?;
    let applied =
        st.db.run_for(athlete, move |store| Ok(sync::apply_batch(store, &body, jiff::Timestamp::now()))).await?;
    match applied {
        Ok(ack) => Ok(([(header::CONTENT_TYPE, "application/json")], sync::encode_ack(&ack)).into_response()),
        Err(e) => refusal(e),
    }
}
