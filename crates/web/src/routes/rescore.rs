//! The functional-scale (PSFS) re-score: every two weeks the runner rates the activities they chose again.

use crate::AppState;
use axum::Router;

pub fn router() -> Router<AppState> {
    Router::new()
}
