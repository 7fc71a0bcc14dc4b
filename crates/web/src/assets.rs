//! Static files, embedded in the binary so the app works offline and from any directory. No CDN, ever.

use crate::AppState;
use crate::error::HttpError;
use axum::Router;
use axum::extract::Path;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;

/// (name, content type, bytes).
const FILES: [(&str, &str, &[u8]); 6] = [
    ("app.css", "text/css; charset=utf-8", include_bytes!("../assets/app.css")),
    ("app.js", "text/javascript; charset=utf-8", include_bytes!("../assets/app.js")),
    ("player.js", "text/javascript; charset=utf-8", include_bytes!("../assets/player.js")),
    ("import.js", "text/javascript; charset=utf-8", include_bytes!("../assets/import.js")),
    ("runmode.js", "text/javascript; charset=utf-8", include_bytes!("../assets/runmode.js")),
    ("icon.svg", "image/svg+xml", include_bytes!("../assets/icon.svg")),
];

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/assets/{name}", get(asset))
        .route("/favicon.ico", get(|| async { asset(Path("icon.svg".into())).await }))
}

async fn asset(Path(name): Path<String>) -> Result<Response, HttpError> {
    let (_, content_type, bytes) = FILES.iter().find(|(n, _, _)| *n == name).ok_or(HttpError::NotFound)?;
    Ok((
        [
            (header::CONTENT_TYPE, HeaderValue::from_static(content_type)),
            // URLs carry the version (`?v=`), so a day of caching is safe and makes phones fast.
            (header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=86400")),
        ],
        *bytes,
    )
        .into_response())
}
