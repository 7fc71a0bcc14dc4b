//! Static files, embedded in the binary so the app works offline and from any directory. No CDN, ever.
//!
//! Pages load each file by a name keyed by its content (`app.css` as `/assets/app.1f0c9a3e5b7d2c46.css`, see
//! [`url`]), served with a year's `immutable` caching: a browser never asks again for a file it has, and a
//! changed file is a new URL, whatever the crate version says. The plain name and an older build's key still
//! answer, with the current file and no caching, so a page kept from before an upgrade keeps working.

use crate::AppState;
use crate::error::HttpError;
use axum::Router;
use axum::extract::Path;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use sha2::{Digest, Sha256};
use std::sync::LazyLock;

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

/// Hex digits of the content key in a file's URL: 64 bits of SHA-256, far beyond any chance of two versions of
/// one file colliding.
const KEY_LEN: usize = 16;

fn key_of(bytes: &[u8]) -> String {
    let digest = Sha256::digest(bytes);
    digest.iter().take(KEY_LEN / 2).map(|b| format!("{b:02x}")).collect()
}

/// `app.css` with `key` between stem and extension: `app.<key>.css`.
fn keyed(name: &str, key: &str) -> String {
    match name.rsplit_once('.') {
        Some((stem, ext)) => format!("{stem}.{key}.{ext}"),
        None => format!("{name}.{key}"),
    }
}

/// Each embedded file's keyed name, in the order of [`FILES`], worked out once.
static KEYED: LazyLock<Vec<String>> =
    LazyLock::new(|| FILES.iter().map(|(name, _, bytes)| keyed(name, &key_of(bytes))).collect());

/// The URL pages load an embedded file by: keyed by its content, so it can be cached for good.
/// A name that is not an embedded file (an exercise drawing under `figures/`) gets the crate version instead.
pub fn url(name: &str) -> String {
    match FILES.iter().position(|(n, _, _)| *n == name) {
        Some(i) => format!("/assets/{}", KEYED[i]),
        None => format!("/assets/{name}?v={}", env!("CARGO_PKG_VERSION")),
    }
}

/// One key for all the embedded files together: the service worker names its cache after it, so a build that
/// changed any file starts a fresh cache (and one that changed none keeps the old).
pub fn fingerprint() -> String {
    key_of(KEYED.join("\n").as_bytes())
}

/// The embedded file a request names and whether the name is the current key (cacheable for good). The plain name
/// and a key of another build name the same file, answered uncached.
fn lookup(name: &str) -> Option<(usize, bool)> {
    if let Some(i) = KEYED.iter().position(|k| k == name) {
        return Some((i, true));
    }
    if let Some(i) = FILES.iter().position(|(n, _, _)| *n == name) {
        return Some((i, false));
    }
    // `stem.<16 hex>.ext` of an older build.
    let (rest, ext) = name.rsplit_once('.')?;
    let (stem, key) = rest.rsplit_once('.')?;
    if key.len() != KEY_LEN || !key.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    let plain = format!("{stem}.{ext}");
    FILES.iter().position(|(n, _, _)| *n == plain).map(|i| (i, false))
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
        .route("/favicon.ico", get(|| async { serve(&FILES, "icon.svg", "public, max-age=86400") }))
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
    let (i, current) = lookup(&name).ok_or(HttpError::NotFound)?;
    let cache = if current { "public, max-age=31536000, immutable" } else { "no-cache" };
    serve(&FILES, FILES[i].0, cache)
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
