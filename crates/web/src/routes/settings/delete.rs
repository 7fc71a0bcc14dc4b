//! Deleting all of the runner's data (and the kept posture photos), from the form and the JSON API.

use super::json;
use crate::AppState;
use crate::error::HttpError;
use crate::form::FormData;
use axum::Router;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::post;
use serde::Deserialize;
use serde_json::json;

pub(super) fn router() -> Router<AppState> {
    Router::new().route("/settings/delete-all", post(delete_all)).route("/api/delete-all", post(api_delete_all))
}

async fn delete_all(State(st): State<AppState>, f: FormData) -> Result<Response, HttpError> {
    if f.get("confirm") != Some("yes") {
        return Err(HttpError::field("confirm", "Tick the box to confirm you want everything deleted."));
    }
    let photos = st.photos()?;
    st.db.run(move |store| Ok(runtall_app::posture::delete_all(store, &photos)?)).await?;
    Ok(Redirect::to("/settings?deleted=1").into_response())
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
