//! The router: each module owns its pages and their `/api/` twins, and this file stacks the cross-cutting layers.
//!
//! Layers, outermost first: security headers (CSP and friends, `Cache-Control: no-store` on data) → error
//! rendering (HTML page or JSON by path; touches only responses) → the `Host` allow-list and cross-site check →
//! the declared body size → sessions, login gate and CSRF → one transaction for the pages that share one
//! (`one_transaction`) → the emergency lock (level A shows only the emergency screen) → handlers.
//!
//! The watch-file upload (`import`) sets its own larger body limit on its own routes.

mod accounts;
mod audit;
pub(crate) mod breaks;
mod breathe;
pub(crate) mod clinic;
mod experiments;
mod guided;
mod home;
mod import;
pub(crate) mod insights;
mod journal;
mod library;
mod onboarding;
mod plan;
mod posture;
mod report;
mod rescore;
mod run_mode;
mod runs;
mod settings;
mod sources;
mod sync;
mod travel;

use crate::error::HttpError;
use crate::layout;
use crate::{AppState, BODY_LIMIT};
use axum::Router;
use axum::extract::{DefaultBodyLimit, Request, State};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::{Next, from_fn, from_fn_with_state};
use axum::response::{IntoResponse, Redirect, Response};
use runtall_domain::assess::AssessmentRecord;
use runtall_domain::profile::Profile;
use runtall_domain::safety::{Mode, Permissions};
use runtall_domain::screen::{ProgramState, ScreeningRecord, program_state};

pub(crate) use accounts::{FIRST_PASSWORD_VALID, RESET_VALID, check_new_account, make_reset_code};

pub fn router(state: AppState) -> Router {
    Router::new()
        .merge(home::router())
        .merge(onboarding::router())
        .merge(plan::router())
        .merge(posture::router())
        .merge(guided::router())
        .merge(breathe::router())
        .merge(breaks::router())
        .merge(journal::router())
        .merge(runs::router())
        .merge(import::router())
        .merge(insights::router())
        .merge(experiments::router())
        .merge(rescore::router())
        .merge(report::router())
        .merge(travel::router())
        .merge(run_mode::router())
        .merge(library::router())
        .merge(sources::router())
        .merge(settings::router())
        .merge(audit::router())
        .merge(accounts::router())
        .merge(clinic::router())
        .merge(sync::router())
        .merge(crate::auth::router())
        .merge(crate::assets::router())
        .merge(crate::pwa::router())
        .merge(crate::openapi::router())
        .fallback(|| async { HttpError::NotFound })
        .layer(from_fn_with_state(state.clone(), lock_guard))
        .layer(from_fn_with_state(state.clone(), crate::one_transaction::layer))
        .layer(from_fn_with_state(state.clone(), crate::session::layer))
        .layer(from_fn(crate::body_limits::guard))
        .layer(from_fn_with_state(state.hosts.clone(), crate::hosts::guard))
        .layer(from_fn(render_errors))
        .layer(from_fn(security_headers))
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .with_state(state)
}

/// What most pages need to know first: who, where the program stands, and what the safety gate allows.
pub struct Snapshot {
    pub profile: Profile,
    pub screening: Option<ScreeningRecord>,
    pub state: ProgramState,
    pub assessment: Option<AssessmentRecord>,
    /// The safety gate's decisions for the screen and assessment above (see `runtall_domain::safety`), with a
    /// clinician's program changes applied inside them.
    pub safety: Permissions,
}

pub async fn snapshot(st: &AppState) -> Result<Snapshot, HttpError> {
    let program = st.program;
    st.db
        .run(move |store| {
            let screening = store.latest_screening()?;
            let assessment = store.latest_assessment()?;
            let safety = runtall_app::safety::with_records(
                program,
                store,
                screening.as_ref(),
                assessment.as_ref(),
                jiff::Timestamp::now(),
            )?;
            Ok(Snapshot {
                profile: store.profile()?.unwrap_or_default(),
                state: program_state(screening.as_ref()),
                screening,
                assessment,
                safety,
            })
        })
        .await
}

/// Pages that stay reachable while the program is locked: the emergency screen itself, the screen (to take it
/// again), settings (to fix the country and so the number), sign-in and assets.
fn allowed_when_locked(path: &str) -> bool {
    path == "/emergency"
        || path.starts_with("/screen")
        || path == "/settings"
        || path == "/login"
        || crate::pwa::public(path)
        || path.starts_with("/assets/")
        || path.starts_with("/api/")
}

/// Level A: every page but the allowed ones redirects to the emergency screen.
async fn lock_guard(State(st): State<AppState>, request: Request, next: Next) -> Response {
    // A request about no athlete (a clinician's) has no emergency screen of its own to show.
    if request.method() == Method::GET && !allowed_when_locked(request.uri().path()) && st.db.serving().is_some() {
        let locked = st
            .db
            .run(|store| Ok(matches!(program_state(store.latest_screening()?.as_ref()), ProgramState::Locked { .. })))
            .await;
        match locked {
            Ok(true) => return Redirect::to("/emergency").into_response(),
            Ok(false) => {}
            Err(e) => return e.into_response(),
        }
    }
    next.run(request).await
}

/// Turns error responses into a friendly page (or a JSON object under `/api/`), whatever produced them: an
/// [`HttpError`] from a handler, or axum's own rejections (bad JSON, too large, unknown method).
async fn render_errors(request: Request, next: Next) -> Response {
    let is_api = request.uri().path().starts_with("/api/");
    let session = request.extensions().get::<crate::session::Session>().cloned();
    let response = next.run(request).await;
    let status = response.status();
    if !(status.is_client_error() || status.is_server_error()) {
        return response;
    }
    let own = response.extensions().get::<HttpError>().cloned();
    let already_rendered = own.is_none()
        && response
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("text/html") || v.starts_with("application/json"));
    if already_rendered {
        return response;
    }
    let (parts, body) = response.into_parts();
    let (code, message, fields) = match &own {
        Some(e) => {
            let fields = match e {
                HttpError::Invalid(f) => Some(f.clone()),
                _ => None,
            };
            (e.code(), e.message(), fields)
        }
        None => {
            // axum's rejection text describes the request (e.g. which JSON field is missing), never server
            // internals; it is kept for API clients on 4xx and dropped on 5xx.
            let text = match axum::body::to_bytes(body, 16 * 1024).await {
                Ok(b) if status.is_client_error() => String::from_utf8_lossy(&b).into_owned(),
                _ => String::new(),
            };
            let generic = match status {
                StatusCode::NOT_FOUND => "There is nothing at this address.".to_string(),
                StatusCode::METHOD_NOT_ALLOWED => "That action is not available here.".to_string(),
                StatusCode::PAYLOAD_TOO_LARGE => "That upload is too large.".to_string(),
                s if s.is_server_error() => "Something went wrong on our side.".to_string(),
                _ => "The request could not be used.".to_string(),
            };
            let message = if is_api && !text.is_empty() { text } else { generic };
            let code = match status {
                StatusCode::NOT_FOUND => "not-found",
                StatusCode::METHOD_NOT_ALLOWED => "method-not-allowed",
                StatusCode::PAYLOAD_TOO_LARGE => "too-large",
                s if s.is_server_error() => "internal",
                _ => "bad-request",
            };
            (code, message, None)
        }
    };
    let mut out = if is_api {
        let mut body = serde_json::json!({ "error": code, "message": message });
        if let Some(f) = fields {
            body["fields"] = serde_json::json!(f);
        }
        (status, axum::Json(body)).into_response()
    } else {
        let details: Vec<String> = fields
            .iter()
            .flatten()
            .map(|(field, why)| format!("{}: {why}", layout::capitalised(&field.replace('_', " "))))
            .collect();
        let page = layout::error_page(status.as_u16(), &message, &details, session.as_ref());
        (status, layout::maud_response(page)).into_response()
    };
    // Keep cookies and the like set by inner layers.
    for (name, value) in parts.headers.iter() {
        if name == header::SET_COOKIE
            || name == header::WWW_AUTHENTICATE
            || name == header::ALLOW
            || name == header::RETRY_AFTER
        {
            out.headers_mut().append(name.clone(), value.clone());
        }
    }
    out
}

/// A strict Content-Security-Policy (scripts and styles only from this server, no inline script, no framing) and
/// the usual hardening headers.
pub const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
                       connect-src 'self'; worker-src 'self'; manifest-src 'self'; object-src 'none'; \
                       base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/// The posture page alone runs WebAssembly (MediaPipe Pose, served from `/assets/pose/`) and plays the runner's own
/// video from a `blob:` URL in the page: it adds `'wasm-unsafe-eval'` (compiling WebAssembly, not JavaScript `eval`)
/// and `blob:` for media and images. Everything else stays as strict as [`CSP`].
pub const CSP_POSTURE: &str = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; \
                               img-src 'self' data: blob:; media-src 'self' blob:; connect-src 'self'; \
                               worker-src 'self'; manifest-src 'self'; object-src 'none'; base-uri 'none'; \
                               form-action 'self'; frame-ancestors 'none'";

/// Whether a response holds the runner's data in a form a browser or proxy might keep on disk: JSON, downloads
/// (exports) and charts. Pages are HTML and assets are public; neither is marked.
fn holds_data(headers: &axum::http::HeaderMap) -> bool {
    let content_type = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("");
    content_type.starts_with("application/")
        || content_type.starts_with("image/svg")
        || headers.contains_key(header::CONTENT_DISPOSITION)
}

async fn security_headers(request: Request, next: Next) -> Response {
    let path = request.uri().path();
    let asset = path.starts_with("/assets/") || path == "/favicon.ico";
    let posture = path == "/posture";
    let mut response = next.run(request).await;
    let h = response.headers_mut();
    if !asset && holds_data(h) {
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    h.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(if posture { CSP_POSTURE } else { CSP }));
    h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    // `same-origin`, not `no-referrer`: no other site ever learns a URL of this app, and the browser sends this
    // app's own origin with its form posts (under `no-referrer` it sends `Origin: null`, which the cross-site
    // check in `hosts` could not tell from a sandboxed attacker's frame).
    h.insert(header::REFERRER_POLICY, HeaderValue::from_static("same-origin"));
    h.insert(
        header::HeaderName::from_static("permissions-policy"),
        HeaderValue::from_static("camera=(), microphone=(), geolocation=(), screen-wake-lock=(self)"),
    );
    response
}

/// The safety gate must allow a plan (screened, not locked or paused) and an assessment must exist; otherwise the
/// runner is sent to the step that comes first.
pub fn needs_first(s: &Snapshot) -> Option<&'static str> {
    match s.safety.mode {
        Mode::NotScreened => Some("/welcome"),
        Mode::Locked => Some("/emergency"),
        Mode::Paused => Some("/screen/result"),
        _ if s.assessment.is_none() => Some("/assess"),
        _ => None,
    }
}

/// The same check for the API, as a 409 with the next step.
pub fn api_needs_first(s: &Snapshot) -> Result<&AssessmentRecord, HttpError> {
    match runtall_domain::plan::PlanError::refusal(&s.safety) {
        Some(refusal) => Err(refusal.into()),
        None => s.assessment.as_ref().ok_or_else(|| HttpError::Conflict("Answer the assessment first.".into())),
    }
}

/// The local "today" of the machine the server runs on (the runner's own machine).
pub fn today() -> jiff::civil::Date {
    jiff::Timestamp::now().to_zoned(jiff::tz::TimeZone::system()).date()
}

pub fn json<T: serde::Serialize>(value: T) -> Response {
    axum::Json(value).into_response()
}
