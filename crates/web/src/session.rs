//! Sessions, CSRF and the login gate, as one middleware in front of every route.
//!
//! Every browser gets a session cookie (`HttpOnly; SameSite=Strict`, and `Secure` over TLS) holding a random id
//! signed by the server. Every state-changing request (any method but GET/HEAD) must carry the session's CSRF
//! token, either as the `_csrf` form field (pages) or the `X-CSRF-Token` header (the JSON API;
//! `GET /api/session` hands it to scripts). A token rather than an Origin check alone: it works the same for
//! forms, `fetch` and scripts whatever headers a browser or proxy sends (the Origin check in `hosts` comes on top).
//!
//! Only signed-in sessions are stored. An anonymous session is its signed id alone: its CSRF token is derived
//! from the id with a key that lives only in this process (HMAC-SHA256), so a flood of cookie-less requests
//! stores nothing and can never push the owner's signed-in session out. Signed-in sessions exist only after the
//! right password, so their store cannot be flooded; it is still bounded, by evicting the least recently used
//! signed-in session when the owner signs in on yet another device.

use crate::AppState;
use crate::error::HttpError;
use crate::principal::Principal;
use crate::server::Peer;
use axum::body::Body;
use axum::extract::{FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, Method, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use ring::hmac;
use runtall_store::accounts::Role;
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

pub const COOKIE: &str = "runtall_session";
pub const CSRF_FIELD: &str = "_csrf";
pub const CSRF_HEADER: &str = "x-csrf-token";
/// Signed-in sessions unused this long are forgotten.
const IDLE: Duration = Duration::from_secs(12 * 3600);
/// Signed-in sessions kept at once: the owner's devices, with room to spare.
const MAX_SIGNED_IN: usize = 64;
/// Hex characters of a session id: 16 random bytes and a 16-byte signature.
const ID_LEN: usize = 64;

/// One browser's session, as handlers see it.
#[derive(Debug, Clone)]
pub struct Session {
    pub id: String,
    pub csrf: String,
    pub signed_in: bool,
}

struct Entry {
    csrf: String,
    seen: Instant,
}

pub struct Sessions {
    /// Signs session ids and derives anonymous CSRF tokens; random per process, so a restart ends every session.
    key: hmac::Key,
    signed_in: Mutex<HashMap<String, Entry>>,
}

impl Default for Sessions {
    fn default() -> Self {
        let mut secret = [0u8; 32];
        fill_random(&mut secret);
        Sessions { key: hmac::Key::new(hmac::HMAC_SHA256, &secret), signed_in: Mutex::default() }
    }
}

fn fill_random(bytes: &mut [u8]) {
    if getrandom::fill(bytes).is_err() {
        // The OS random source failing is unrecoverable for security tokens: refuse rather than weaken them.
        panic!("the operating system's random number source failed");
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// 32 random bytes as hex.
pub fn random_token() -> String {
    let mut bytes = [0u8; 32];
    fill_random(&mut bytes);
    hex(&bytes)
}

impl Sessions {
    fn tag(&self, purpose: &[u8], data: &str) -> String {
        let mut ctx = hmac::Context::with_key(&self.key);
        ctx.update(purpose);
        ctx.update(data.as_bytes());
        hex(ctx.sign().as_ref())
    }

    /// A new signed id, valid for this process only.
    fn new_id(&self) -> String {
        let mut nonce = [0u8; 16];
        fill_random(&mut nonce);
        let nonce = hex(&nonce);
        let tag = self.tag(b"session-id\0", &nonce);
        format!("{nonce}{}", &tag[..32])
    }

    /// Whether `id` was made by this process (not guessed, not left from before a restart).
    fn genuine(&self, id: &str) -> bool {
        if id.len() != ID_LEN || !id.bytes().all(|b| b.is_ascii_hexdigit()) {
            return false;
        }
        let (nonce, tag) = id.split_at(32);
        same(tag, &self.tag(b"session-id\0", nonce)[..32])
    }

    fn anonymous(&self, id: String) -> Session {
        let csrf = self.tag(b"csrf\0", &id);
        Session { id, csrf, signed_in: false }
    }

    /// A fresh anonymous session: nothing is stored.
    pub fn create_anonymous(&self) -> Session {
        self.anonymous(self.new_id())
    }

    /// A fresh signed-in session (after the right password), stored until sign-out or [`IDLE`].
    pub fn sign_in(&self) -> Session {
        let id = self.new_id();
        let csrf = random_token();
        if let Ok(mut map) = self.signed_in.lock() {
            let now = Instant::now();
            map.retain(|_, e| now.duration_since(e.seen) < IDLE);
            while map.len() >= MAX_SIGNED_IN {
                let Some(oldest) = map.iter().min_by_key(|(_, e)| e.seen).map(|(k, _)| k.clone()) else { break };
                map.remove(&oldest);
            }
            map.insert(id.clone(), Entry { csrf: csrf.clone(), seen: now });
        }
        Session { id, csrf, signed_in: true }
    }

    /// The session a cookie names: signed in if stored, anonymous if merely genuine, none otherwise.
    fn get(&self, id: &str) -> Option<Session> {
        if !self.genuine(id) {
            return None;
        }
        let mut map = self.signed_in.lock().ok()?;
        if let Some(entry) = map.get_mut(id) {
            if entry.seen.elapsed() <= IDLE {
                entry.seen = Instant::now();
                return Some(Session { id: id.to_string(), csrf: entry.csrf.clone(), signed_in: true });
            }
            map.remove(id);
        }
        drop(map);
        Some(self.anonymous(id.to_string()))
    }

    pub fn remove(&self, id: &str) {
        if let Ok(mut map) = self.signed_in.lock() {
            map.remove(id);
        }
    }

    /// Sessions held in memory (signed-in ones only).
    pub fn stored(&self) -> usize {
        self.signed_in.lock().map(|m| m.len()).unwrap_or(0)
    }
}

fn cookie_value(headers: &HeaderMap) -> Option<String> {
    headers.get_all(header::COOKIE).iter().filter_map(|v| v.to_str().ok()).flat_map(|v| v.split(';')).find_map(|kv| {
        let (k, v) = kv.trim().split_once('=')?;
        (k == COOKIE).then(|| v.to_string())
    })
}

/// Sets the session cookie; `secure` (the connection is TLS) keeps the browser from ever sending it in clear.
pub fn set_cookie(headers: &mut HeaderMap, id: &str, secure: bool) {
    let secure = if secure { "; Secure" } else { "" };
    if let Ok(v) = HeaderValue::from_str(&format!("{COOKIE}={id}; Path=/; HttpOnly; SameSite=Strict{secure}")) {
        headers.append(header::SET_COOKIE, v);
    }
}

/// Constant-time comparison, so the token cannot be guessed byte by byte from response times.
fn same(a: &str, b: &str) -> bool {
    a.len() == b.len() && a.bytes().zip(b.bytes()).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Paths reachable without signing in: the sign-in page itself and the assets it needs, and on a clinic server
/// signing up with an invitation and resetting a password.
fn public_path(path: &str) -> bool {
    matches!(path, "/login" | "/signup" | "/reset") || path.starts_with("/assets/") || crate::pwa::public(path)
}

/// The prefix of a clinic server's session cookie: a random token whose SHA-256 is stored with the account, so
/// sessions outlive restarts and "sign out everywhere" reaches every device.
pub const ACCOUNT_PREFIX: &str = "a.";

/// The CSRF token of an account session: derived from its secret token (never sent anywhere but this server's
/// pages), so every server process agrees on it without storing it.
pub fn account_csrf(token: &str) -> String {
    crate::principal::hash_secret(&format!("csrf\0{token}"))
}

/// Who a request is from and its session.
struct Resolved {
    session: Session,
    /// A new anonymous session whose cookie must be set.
    fresh: bool,
    principal: Option<Principal>,
    /// Authenticated by a device token: no cookie, so no CSRF check either (a browser never sends the header on
    /// its own).
    bearer: bool,
    /// A clinician's dashboard version, read with the session.
    dashboard_version: Option<u64>,
}

/// The one-runner app: the owner is whoever passed the password, or anyone when there is none.
fn resolve_local(state: &AppState, parts: &Parts) -> Resolved {
    let existing = cookie_value(&parts.headers).and_then(|id| state.sessions.get(&id));
    let fresh = existing.is_none();
    let session = existing.unwrap_or_else(|| state.sessions.create_anonymous());
    let principal = (session.signed_in || !state.requires_login()).then_some(Principal::Owner);
    Resolved { session, fresh, principal, bearer: false, dashboard_version: None }
}

/// A clinic server: a device token on the API, or an account session cookie, looked up in the database.
async fn resolve_account(state: &AppState, parts: &Parts) -> Result<Resolved, Response> {
    let bearer = parts
        .headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(crate::principal::hash_secret);
    if let Some(hash) = bearer.filter(|_| parts.uri.path().starts_with("/api/")) {
        let device = state.db.accounts(move |a| Ok(a.device(&hash)?)).await;
        return match device {
            Ok(Some((account, athlete))) => Ok(Resolved {
                session: Session { id: String::new(), csrf: String::new(), signed_in: true },
                fresh: false,
                principal: Some(Principal::Athlete { account, athlete }),
                bearer: true,
                dashboard_version: None,
            }),
            Ok(None) => Err(HttpError::Unauthorized.into_response()),
            Err(e) => Err(e.into_response()),
        };
    }
    let cookie = cookie_value(&parts.headers);
    if let Some(token) = cookie.as_deref().and_then(|c| c.strip_prefix(ACCOUNT_PREFIX)).map(str::to_string) {
        let hash = crate::principal::hash_secret(&token);
        // The session, its account and a clinician's dashboard version in one look-up (one round trip on
        // PostgreSQL), read from the database on every request: no copy is kept here, so an expiry, a sign-out or
        // "sign out everywhere" holds at once.
        let found = state.db.accounts(move |a| Ok(a.signed_in(&hash, jiff::Timestamp::now())?)).await;
        match found {
            Ok(Some(runtall_store::accounts::SignedIn { account, dashboard_version, .. })) => {
                let (principal, dashboard_version) = match (account.role, account.athlete) {
                    (Role::Athlete, Some(athlete)) => (Principal::Athlete { account: account.id, athlete }, None),
                    _ => (Principal::Clinician { account: account.id, name: account.name }, Some(dashboard_version)),
                };
                let session =
                    Session { id: format!("{ACCOUNT_PREFIX}{token}"), csrf: account_csrf(&token), signed_in: true };
                let principal = Some(principal);
                return Ok(Resolved { session, fresh: false, principal, bearer: false, dashboard_version });
            }
            Ok(None) => {}
            Err(e) => return Err(e.into_response()),
        }
    }
    let existing = cookie.and_then(|id| state.sessions.get(&id));
    let fresh = existing.is_none();
    let session = existing.unwrap_or_else(|| state.sessions.create_anonymous());
    Ok(Resolved { session, fresh, principal: None, bearer: false, dashboard_version: None })
}

/// The middleware: attach the session, gate on login, check CSRF on every state-changing request.
pub async fn layer(State(state): State<AppState>, request: Request, next: Next) -> Response {
    // Assets are public and read-only: no session is made for them (a cookie-less client fetching the stylesheet
    // would otherwise leave a session behind per request).
    if request.uri().path().starts_with("/assets/") && request.method() == Method::GET {
        return next.run(request).await;
    }
    let (mut parts, body) = request.into_parts();
    let resolved = if state.db.is_multi_user() {
        resolve_account(&state, &parts).await
    } else {
        Ok(resolve_local(&state, &parts))
    };
    let Resolved { session, fresh, principal, bearer, dashboard_version } = match resolved {
        Ok(r) => r,
        Err(response) => return response,
    };
    let secure = parts.extensions.get::<Peer>().is_some_and(|p| p.tls);
    let path = parts.uri.path().to_string();
    let is_api = path.starts_with("/api/");

    if principal.is_none() && !public_path(&path) {
        let mut response = if is_api || parts.method != Method::GET {
            HttpError::Unauthorized.into_response()
        } else {
            let next = parts.uri.path_and_query().map(|p| p.as_str()).unwrap_or("/");
            let encoded: String = form_urlencoded::byte_serialize(next.as_bytes()).collect();
            Redirect::to(&format!("/login?next={encoded}")).into_response()
        };
        if fresh {
            set_cookie(response.headers_mut(), &session.id, secure);
        }
        return response;
    }

    let mut body = body;
    if !bearer && !matches!(parts.method, Method::GET | Method::HEAD | Method::OPTIONS) {
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
            // carries its token in its action URL. The token is per session, and the Referer (`same-origin` policy)
            // never takes a URL of this app to another site.
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
                set_cookie(response.headers_mut(), &session.id, secure);
            }
            return response;
        }
    }

    parts.extensions.insert(session.clone());
    let athlete = principal.as_ref().and_then(Principal::athlete);
    if let Some(principal) = principal {
        parts.extensions.insert(principal);
    }
    if dashboard_version.is_some() {
        parts.extensions.insert(crate::principal::DashboardVersion(dashboard_version));
    }
    let mut response = crate::principal::scope(athlete, next.run(Request::from_parts(parts, body))).await;
    if fresh {
        set_cookie(response.headers_mut(), &session.id, secure);
    }
    response
}

impl<S: Send + Sync> FromRequestParts<S> for Session {
    type Rejection = HttpError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        parts.extensions.get::<Session>().cloned().ok_or_else(|| HttpError::internal("session middleware missing"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn anonymous_sessions_store_nothing_and_never_push_out_a_signed_in_one() {
        let sessions = Sessions::default();
        let owner = sessions.sign_in();
        for _ in 0..5_200 {
            let anonymous = sessions.create_anonymous();
            assert!(!anonymous.signed_in);
        }
        assert_eq!(sessions.stored(), 1, "only the signed-in session is held");
        let again = sessions.get(&owner.id).expect("still there");
        assert!(again.signed_in);
        assert_eq!(again.csrf, owner.csrf);
    }

    #[test]
    fn anonymous_tokens_follow_from_genuine_ids_only() {
        let sessions = Sessions::default();
        let a = sessions.create_anonymous();
        let back = sessions.get(&a.id).expect("a genuine id");
        assert_eq!(back.csrf, a.csrf, "the same token on every request");
        assert!(!back.signed_in);
        assert_ne!(sessions.create_anonymous().csrf, a.csrf);
        // Forged or foreign ids are not sessions: the browser gets a fresh one.
        let mut forged = a.id.clone();
        forged.replace_range(60.., "0000");
        let other = Sessions::default();
        for id in [forged.as_str(), "", "abc", &"f".repeat(ID_LEN), &other.create_anonymous().id] {
            assert!(sessions.get(id).is_none(), "{id:?}");
        }
        // Signing out forgets the signed-in session; the id stays a mere anonymous one.
        let owner = sessions.sign_in();
        sessions.remove(&owner.id);
        assert!(sessions.get(&owner.id).is_some_and(|s| !s.signed_in));
        assert_eq!(sessions.stored(), 0);
    }

    #[test]
    fn signing_in_on_many_devices_keeps_a_bounded_number() {
        let sessions = Sessions::default();
        let first = sessions.sign_in();
        for _ in 0..MAX_SIGNED_IN + 10 {
            sessions.sign_in();
        }
        assert_eq!(sessions.stored(), MAX_SIGNED_IN);
        assert!(sessions.get(&first.id).is_some_and(|s| !s.signed_in), "the least recently used went first");
    }
}
