//! Sessions, CSRF and the login gate, as one middleware in front of every route.
//!
//! Every browser gets a session cookie (`HttpOnly; SameSite=Strict`) holding a random id; the server keeps the
//! session's CSRF token and whether it has signed in. Every state-changing request (any method but GET/HEAD)
//! must carry the token, either as the `_csrf` form field (pages) or the `X-CSRF-Token` header (the JSON API;
//! `GET /api/session` hands it to scripts). A token rather than an Origin check: it works the same for forms,
//! `fetch` and scripts, and does not depend on which headers a browser or proxy sends.

use crate::AppState;
use crate::error::HttpError;
use axum::body::Body;
use axum::extract::{FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, Method, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

pub const COOKIE: &str = "runtall_session";
pub const CSRF_FIELD: &str = "_csrf";
pub const CSRF_HEADER: &str = "x-csrf-token";
/// Sessions unused this long are forgotten.
const IDLE: Duration = Duration::from_secs(12 * 3600);
/// Bound on live sessions, so a client that never keeps cookies cannot grow memory without limit.
const MAX_SESSIONS: usize = 5_000;

/// One browser's session, as handlers see it.
#[derive(Debug, Clone)]
pub struct Session {
    pub id: String,
    pub csrf: String,
    pub signed_in: bool,
}

struct Entry {
    csrf: String,
    signed_in: bool,
    seen: Instant,
}

#[derive(Default)]
pub struct Sessions {
    map: Mutex<HashMap<String, Entry>>,
}

/// 32 random bytes as hex.
pub fn random_token() -> String {
    let mut bytes = [0u8; 32];
    if getrandom::fill(&mut bytes).is_err() {
        // The OS random source failing is unrecoverable for security tokens: refuse rather than weaken them.
        panic!("the operating system's random number source failed");
    }
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

impl Sessions {
    pub fn create(&self, signed_in: bool) -> Session {
        let id = random_token();
        let csrf = random_token();
        if let Ok(mut map) = self.map.lock() {
            if map.len() >= MAX_SESSIONS {
                let now = Instant::now();
                map.retain(|_, e| now.duration_since(e.seen) < IDLE);
                if map.len() >= MAX_SESSIONS
                    && let Some(oldest) = map.iter().min_by_key(|(_, e)| e.seen).map(|(k, _)| k.clone())
                {
                    map.remove(&oldest);
                }
            }
            map.insert(id.clone(), Entry { csrf: csrf.clone(), signed_in, seen: Instant::now() });
        }
        Session { id, csrf, signed_in }
    }

    fn get(&self, id: &str) -> Option<Session> {
        let mut map = self.map.lock().ok()?;
        let entry = map.get_mut(id)?;
        if entry.seen.elapsed() > IDLE {
            map.remove(id);
            return None;
        }
        entry.seen = Instant::now();
        Some(Session { id: id.to_string(), csrf: entry.csrf.clone(), signed_in: entry.signed_in })
    }

    pub fn remove(&self, id: &str) {
        if let Ok(mut map) = self.map.lock() {
            map.remove(id);
        }
    }
}

fn cookie_value(headers: &HeaderMap) -> Option<String> {
    headers.get_all(header::COOKIE).iter().filter_map(|v| v.to_str().ok()).flat_map(|v| v.split(';')).find_map(|kv| {
        let (k, v) = kv.trim().split_once('=')?;
        (k == COOKIE).then(|| v.to_string())
    })
}

pub fn set_cookie(headers: &mut HeaderMap, id: &str) {
    if let Ok(v) = HeaderValue::from_str(&format!("{COOKIE}={id}; Path=/; HttpOnly; SameSite=Strict")) {
        headers.append(header::SET_COOKIE, v);
    }
}

/// Constant-time comparison, so the token cannot be guessed byte by byte from response times.
fn same(a: &str, b: &str) -> bool {
    a.len() == b.len() && a.bytes().zip(b.bytes()).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Paths reachable without signing in: the sign-in page itself and the assets it needs.
fn public_path(path: &str) -> bool {
    path == "/login" || path.starts_with("/assets/")
}

/// The middleware: attach the session, gate on login, check CSRF on every state-changing request.
pub async fn layer(State(state): State<AppState>, request: Request, next: Next) -> Response {
    // Assets are public and read-only: no session is made for them (a cookie-less client fetching the stylesheet
    // would otherwise leave a session behind per request).
    if request.uri().path().starts_with("/assets/") && request.method() == Method::GET {
        return next.run(request).await;
    }
    let (mut parts, body) = request.into_parts();
    let existing = cookie_value(&parts.headers).and_then(|id| state.sessions.get(&id));
    let fresh = existing.is_none();
    let session = existing.unwrap_or_else(|| state.sessions.create(false));
    let path = parts.uri.path().to_string();
    let is_api = path.starts_with("/api/");

    if state.requires_login() && !session.signed_in && !public_path(&path) {
        let mut response = if is_api || parts.method != Method::GET {
            HttpError::Unauthorized.into_response()
        } else {
            let next = parts.uri.path_and_query().map(|p| p.as_str()).unwrap_or("/");
            let encoded: String = form_urlencoded::byte_serialize(next.as_bytes()).collect();
            Redirect::to(&format!("/login?next={encoded}")).into_response()
        };
        if fresh {
            set_cookie(response.headers_mut(), &session.id);
        }
        return response;
    }

    let mut body = body;
    if !matches!(parts.method, Method::GET | Method::HEAD | Method::OPTIONS) {
        let header_token = parts.headers.get(CSRF_HEADER).and_then(|v| v.to_str().ok()).map(str::to_string);
        let is_form = parts
            .headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
        let is_multipart = parts
            .headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("multipart/form-data"));
        let token = match header_token {
            Some(t) => Some(t),
            // A file upload without JavaScript: the body is the files (too large to buffer here), so the form
            // carries its token in its action URL. The token is per session and the app sends no Referer.
            None if is_multipart => parts
                .uri
                .query()
                .and_then(|q| form_urlencoded::parse(q.as_bytes()).find(|(k, _)| k == CSRF_FIELD))
                .map(|(_, v)| v.into_owned()),
            None if is_form => {
                // Read the form to find the token, then hand the same bytes on to the handler.
                let bytes = match axum::body::to_bytes(body, crate::BODY_LIMIT).await {
                    Ok(b) => b,
                    Err(_) => return HttpError::bad("The form is too large.").into_response(),
                };
                let found = form_urlencoded::parse(&bytes).find(|(k, _)| k == CSRF_FIELD).map(|(_, v)| v.into_owned());
                body = Body::from(bytes);
                found
            }
            None => None,
        };
        if fresh || !token.is_some_and(|t| same(&t, &session.csrf)) {
            let mut response = HttpError::Forbidden.into_response();
            if fresh {
                set_cookie(response.headers_mut(), &session.id);
            }
            return response;
        }
    }

    parts.extensions.insert(session.clone());
    let mut response = next.run(Request::from_parts(parts, body)).await;
    if fresh {
        set_cookie(response.headers_mut(), &session.id);
    }
    response
}

impl<S: Send + Sync> FromRequestParts<S> for Session {
    type Rejection = HttpError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        parts.extensions.get::<Session>().cloned().ok_or_else(|| HttpError::internal("session middleware missing"))
    }
}
