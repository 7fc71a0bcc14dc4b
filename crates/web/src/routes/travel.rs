//! Race travel in the browser: the same plan as `runtall travel`.

use crate::AppState;
use axum::Router;

pub fn router() -> Router<AppState> {
    Router::new()
}
