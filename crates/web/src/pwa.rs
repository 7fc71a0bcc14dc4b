//! The installable app: the web app manifest, the service worker (`assets/sw.js`, served from the root so it
//! controls every page) and the page shown offline.
//!
//! The service worker keeps the guided player, run mode, breathing sessions and the pain and day forms usable
//! without the server, and queues the logs made offline until it is back (see the comments in `sw.js`). It is
//! served with the asset list (each file keyed by its content) and their joint fingerprint filled in, so a build that
//! changed any file replaces the old cache.

use crate::AppState;
use crate::layout::asset;
use axum::Router;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use maud::{DOCTYPE, html};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/manifest.webmanifest", get(manifest))
        .route("/sw.js", get(service_worker))
        .route("/offline", get(offline))
}

/// Paths the browser fetches before (or without) signing in and while the program is locked: none holds data.
pub fn public(path: &str) -> bool {
    matches!(path, "/manifest.webmanifest" | "/sw.js" | "/offline")
}

/// Icons, for the manifest and the page head.
pub const ICONS: [(&str, &str, &str, &str); 4] = [
    ("icon-192.png", "192x192", "image/png", "any"),
    ("icon-512.png", "512x512", "image/png", "any"),
    ("icon-maskable-512.png", "512x512", "image/png", "maskable"),
    ("icon.svg", "any", "image/svg+xml", "any"),
];

/// The brand colour, for the browser's toolbar and the splash screen.
pub const THEME: &str = "#0b5d55";

pub fn manifest_json() -> serde_json::Value {
    serde_json::json!({
        "name": "runtall",
        "short_name": "runtall",
        "description": "Posture and breathing habits for runners with neck and upper-back ache: today's routines, \
                        a guided player, breathing sessions, break reminders and a pain log.",
        "id": "/",
        "start_url": "/today",
        "scope": "/",
        "display": "standalone",
        "orientation": "portrait",
        "background_color": "#f6f7f5",
        "theme_color": THEME,
        "lang": "en",
        "categories": ["health", "fitness"],
        "icons": ICONS.iter().map(|(name, sizes, kind, purpose)| serde_json::json!({
            "src": asset(name), "sizes": sizes, "type": kind, "purpose": purpose,
        })).collect::<Vec<_>>(),
        "shortcuts": [
            { "name": "Breathe", "url": "/breathe" },
            { "name": "Log pain", "url": "/pain" },
            { "name": "Sitting breaks", "url": "/breaks" },
        ],
    })
}

async fn manifest() -> Response {
    (
        [
            (header::CONTENT_TYPE, HeaderValue::from_static("application/manifest+json")),
            (header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=3600")),
        ],
        manifest_json().to_string(),
    )
        .into_response()
}

/// Every embedded file the pages load, by the URL they load it with, for the worker to keep.
fn asset_urls() -> Vec<String> {
    crate::assets::names().map(asset).collect()
}

pub fn service_worker_js() -> String {
    let assets = serde_json::to_string(&asset_urls()).unwrap_or_else(|_| "[]".into());
    include_str!("../assets/sw.js").replace("__VERSION__", &crate::assets::fingerprint()).replace("__ASSETS__", &assets)
}

async fn service_worker() -> Response {
    (
        [
            (header::CONTENT_TYPE, HeaderValue::from_static("text/javascript; charset=utf-8")),
            // Browsers check for a new worker on every visit; never serve them an old one from a cache.
            (header::CACHE_CONTROL, HeaderValue::from_static("no-cache")),
        ],
        service_worker_js(),
    )
        .into_response()
}

/// What the app shows offline for a page it has not kept, and after a log saved on the device (the worker turns
/// `data-saved` on then).
async fn offline() -> Response {
    let markup = html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { "Offline · runtall" }
                link rel="stylesheet" href=(asset("app.css"));
            }
            body {
                header class="top" { a class="brand" href="/today" { "runtall" } }
                main id="main" class="offline-page" data-saved="no" {
                    div class="notice ok saved" role="status" {
                        p { strong { "Saved on this device. " } "It will be sent to runtall when the server is back "
                            "(open the app again then)." }
                    }
                    h1 { "You are offline" }
                    p { "runtall cannot reach its server just now. These still work, as you last opened them:" }
                    ul {
                        li { a href="/today" { "Today" } }
                        li { a href="/breathe" { "Breathe" } " — a breathing session" }
                        li { a href="/run-mode" { "Run mode" } " — spoken cues on the run" }
                        li { a href="/pain" { "Log pain" } " and " a href="/day" { "My day" } " — saved here until the server is back" }
                        li { "guided sessions you have opened before" }
                    }
                    p class="hint" { "Chest pain, new weakness or numbness: call your emergency number." }
                }
            }
        }
    };
    let mut r = crate::layout::maud_response(markup);
    r.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    r
}
