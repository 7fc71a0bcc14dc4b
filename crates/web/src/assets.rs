//! Static files, embedded in the binary so the app works offline and from any directory. No CDN, ever.

use crate::AppState;
use crate::error::HttpError;
use axum::Router;
use axum::extract::Path;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;

/// (name, content type, bytes).
const FILES: [(&str, &str, &[u8]); 14] = [
    ("app.css", "text/css; charset=utf-8", include_bytes!("../assets/app.css")),
    ("app.js", "text/javascript; charset=utf-8", include_bytes!("../assets/app.js")),
    ("player.js", "text/javascript; charset=utf-8", include_bytes!("../assets/player.js")),
    ("import.js", "text/javascript; charset=utf-8", include_bytes!("../assets/import.js")),
    ("runmode.js", "text/javascript; charset=utf-8", include_bytes!("../assets/runmode.js")),
    ("breathe.js", "text/javascript; charset=utf-8", include_bytes!("../assets/breathe.js")),
    ("breaks.js", "text/javascript; charset=utf-8", include_bytes!("../assets/breaks.js")),
    ("posture.js", "text/javascript; charset=utf-8", include_bytes!("../assets/posture.js")),
    ("icon.svg", "image/svg+xml", include_bytes!("../assets/icon.svg")),
    // The installable app's icons: icon.svg and icon-maskable.svg (the figure on a full-bleed square, inside the
    // maskable safe zone) rasterised at each size by headless Chromium, committed as files (README, "Installing
    // the web app").
    ("icon-maskable.svg", "image/svg+xml", include_bytes!("../assets/icon-maskable.svg")),
    ("icon-192.png", "image/png", include_bytes!("../assets/icon-192.png")),
    ("icon-512.png", "image/png", include_bytes!("../assets/icon-512.png")),
    ("icon-maskable-512.png", "image/png", include_bytes!("../assets/icon-maskable-512.png")),
    ("apple-touch-icon.png", "image/png", include_bytes!("../assets/apple-touch-icon.png")),
];

/// The names of the embedded files pages load (not the posture model), for the service worker to keep.
pub fn names() -> impl Iterator<Item = &'static str> {
    FILES.iter().map(|(n, _, _)| *n).filter(|n| *n != "posture.js")
}

/// MediaPipe Pose (npm `@mediapipe/pose` 0.5.1675469404, Apache-2.0), vendored unmodified in `assets/pose/` with its
/// LICENSE and NOTICE: the posture page runs the model in the browser from these, never from a CDN. About 18.7 MB of
/// the binary: the SIMD WebAssembly build, its packed assets (the person detector) and the lite and full landmark
/// models. pose.js asks for the other files by name, relative to `/assets/pose/`.
const POSE: [(&str, &str, &[u8]); 8] = [
    ("pose.js", "text/javascript; charset=utf-8", include_bytes!("../assets/pose/pose.js")),
    (
        "pose_solution_packed_assets_loader.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../assets/pose/pose_solution_packed_assets_loader.js"),
    ),
    (
        "pose_solution_simd_wasm_bin.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../assets/pose/pose_solution_simd_wasm_bin.js"),
    ),
    (
        "pose_solution_simd_wasm_bin.wasm",
        "application/wasm",
        include_bytes!("../assets/pose/pose_solution_simd_wasm_bin.wasm"),
    ),
    (
        "pose_solution_packed_assets.data",
        "application/octet-stream",
        include_bytes!("../assets/pose/pose_solution_packed_assets.data"),
    ),
    ("pose_web.binarypb", "application/octet-stream", include_bytes!("../assets/pose/pose_web.binarypb")),
    (
        "pose_landmark_lite.tflite",
        "application/octet-stream",
        include_bytes!("../assets/pose/pose_landmark_lite.tflite"),
    ),
    (
        "pose_landmark_full.tflite",
        "application/octet-stream",
        include_bytes!("../assets/pose/pose_landmark_full.tflite"),
    ),
];

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/assets/{name}", get(asset))
        .route("/assets/pose/{name}", get(pose_asset))
        .route("/assets/figures/{name}", get(figure))
        .route("/favicon.ico", get(|| async { asset(Path("icon.svg".into())).await }))
}

type Files = [(&'static str, &'static str, &'static [u8])];

/// One embedded file by name, with its type and how long browsers may keep it.
fn serve(files: &Files, name: &str, cache: &'static str) -> Result<Response, HttpError> {
    let (_, content_type, bytes) = files.iter().find(|(n, _, _)| *n == name).ok_or(HttpError::NotFound)?;
    Ok((
        [
            (header::CONTENT_TYPE, HeaderValue::from_static(content_type)),
            (header::CACHE_CONTROL, HeaderValue::from_static(cache)),
        ],
        *bytes,
    )
        .into_response())
}

async fn asset(Path(name): Path<String>) -> Result<Response, HttpError> {
    // URLs carry the version (`?v=`), so a day of caching is safe and makes phones fast.
    serve(&FILES, &name, "public, max-age=86400")
}

async fn pose_asset(Path(name): Path<String>) -> Result<Response, HttpError> {
    // Fixed files of one pinned package version: a week of caching spares a phone re-loading 10 MB.
    serve(&POSE, &name, "public, max-age=604800")
}

/// An exercise's drawing, drawn from the content's pose data: `chin-tuck.svg` (start and end, labelled),
/// `chin-tuck.plain.svg` (without labels), `chin-tuck.start.svg` and `chin-tuck.end.svg` (one position each).
/// Fixed at build time like the other assets, so it is cached like them.
async fn figure(Path(name): Path<String>) -> Result<Response, HttpError> {
    use runtall_figures::svg::Part;
    let stem = name.strip_suffix(".svg").ok_or(HttpError::NotFound)?;
    let (id, part) = match stem.rsplit_once('.') {
        None => (stem, Part::Both),
        Some((id, "plain")) => (id, Part::Plain),
        Some((id, "start")) => (id, Part::Start),
        Some((id, "end")) => (id, Part::End),
        Some(_) => return Err(HttpError::NotFound),
    };
    let svg = runtall_figures::exercise_svg_part(runtall_content::program(), id, part).ok_or(HttpError::NotFound)?;
    Ok((
        [
            (header::CONTENT_TYPE, HeaderValue::from_static("image/svg+xml")),
            (header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=86400")),
        ],
        svg,
    )
        .into_response())
}
