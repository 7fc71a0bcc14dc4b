//! The password for a server reachable from other machines, and the sign-in pages.
//!
//! The password is hashed with argon2id (19 MiB, 2 passes) at start and the plain text dropped; verification runs
//! on a thread of its own so a login never stalls other requests, and only when the throttle in `sign_in_guard`
//! lets it (a few at a time, a growing wait per client after failures, a global cap), so neither memory nor the
//! guessing rate grows with the request rate.

use crate::AppState;
use crate::error::seconds as seconds_text;
use crate::error::{HttpError, WebError};
use crate::form::FormData;
use crate::layout::{self, Page};
use crate::server::Peer;
use crate::session::{Session, set_cookie};
use crate::sign_in_guard::ClientKey;
use argon2::Argon2;
use argon2::password_hash::PasswordHasher;
use argon2::password_hash::phc::PasswordHash as Phc;
use axum::Extension;
use axum::Router;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use maud::html;
use serde::Deserialize;

/// An argon2id PHC string, validated at start.
pub struct PasswordHash(String);

impl PasswordHash {
    /// Accepts a PHC string (`$argon2id$...`) as is, or hashes a plain-text password of at least 8 characters.
    pub fn from_config(secret: &str) -> Result<PasswordHash, WebError> {
        if secret.starts_with("$argon2") {
            Phc::new(secret).map_err(|_| WebError::BadPasswordHash)?;
            return Ok(PasswordHash(secret.to_string()));
        }
        if secret.chars().count() < 8 {
            return Err(WebError::WeakPassword);
        }
        let hash = Argon2::default().hash_password(secret.as_bytes()).map_err(|_| WebError::BadPasswordHash)?;
        Ok(PasswordHash(hash.to_string()))
    }

    /// Hashes a new password a person typed (sign-up, reset): always hashed, even when it looks like a PHC
    /// string, and at least 8 characters.
    pub fn new_password(plain: &str) -> Result<PasswordHash, WebError> {
        if plain.chars().count() < 8 {
            return Err(WebError::WeakPassword);
        }
        let hash = Argon2::default().hash_password(plain.as_bytes()).map_err(|_| WebError::BadPasswordHash)?;
        Ok(PasswordHash(hash.to_string()))
    }

    /// An account's stored PHC string, for [`verify`](Self::verify) (a damaged one matches nothing).
    pub fn stored(phc: String) -> PasswordHash {
        PasswordHash(phc)
    }

    pub fn as_phc(&self) -> &str {
        &self.0
    }

    /// Whether `candidate` is the password. Computes argon2id with the stored parameters in this thread's own
    /// memory block, reused from one check to the next: allocating the 19 MiB afresh for every check (as
    /// `verify_password` does) left most of each one resident — the allocator could not reuse the freed
    /// 64-byte-aligned blocks — and RSS grew by ~19 MiB per check up to ~160 MiB per thread.
    pub fn verify(&self, candidate: &str) -> bool {
        thread_local! {
            static MEMORY: std::cell::RefCell<Vec<argon2::Block>> = const { std::cell::RefCell::new(Vec::new()) };
        }
        let Ok(phc) = Phc::new(&self.0) else { return false };
        let (Some(salt), Some(expected)) = (&phc.salt, &phc.hash) else { return false };
        let Ok(params) = argon2::Params::try_from(&phc) else { return false };
        let Ok(algorithm) = argon2::Algorithm::try_from(phc.algorithm.as_str()) else { return false };
        let version = match phc.version.map(argon2::Version::try_from).transpose() {
            Ok(v) => v.unwrap_or_default(),
            Err(_) => return false,
        };
        let blocks = params.block_count();
        let mut out = vec![0u8; expected.len()];
        let hashed = MEMORY.with_borrow_mut(|memory| {
            if memory.len() < blocks {
                memory.resize(blocks, argon2::Block::new());
            }
            Argon2::new(algorithm, version, params).hash_password_into_with_memory(
                candidate.as_bytes(),
                salt.as_ref(),
                &mut out,
                &mut memory[..blocks],
            )
        });
        // `Output` compares in constant time.
        hashed.is_ok() && argon2::password_hash::phc::Output::new(&out).is_ok_and(|computed| computed == *expected)
    }
}

pub fn router() -> Router<AppState> {
    Router::new().route("/login", get(login_page).post(login)).route("/logout", axum::routing::post(logout))
}

#[derive(Deserialize)]
struct Next {
    next: Option<String>,
}

/// Only a path on this server is followed after sign-in (no open redirect): it starts with one `/`, and has no
/// backslash, whitespace or control character — raw or percent-encoded — since browsers drop tabs and newlines
/// and turn `\` into `/`, so `/%09/evil.example` or `/\evil.example` would lead to another site. Anything else
/// goes to `/`.
pub(crate) fn safe_next(next: Option<&str>) -> String {
    let Some(n) = next else { return "/".into() };
    let decoded: Vec<u8> = percent_encoding::percent_decode(n.as_bytes()).collect();
    let bad_byte = |b: &u8| b.is_ascii_control() || b.is_ascii_whitespace() || *b == b'\\' || *b >= 0x80;
    let fine = n.starts_with('/')
        && !n.starts_with("//")
        && n.len() <= 2048
        && !n.bytes().any(|b| bad_byte(&b))
        && !decoded.iter().any(bad_byte)
        && !decoded.starts_with(b"//");
    if fine { n.to_string() } else { "/".into() }
}

/// How long an account session lasts from sign-in (a clinic server's; `runtall serve` keeps its own in memory).
pub const ACCOUNT_SESSION: jiff::SignedDuration = jiff::SignedDuration::from_hours(14 * 24);

/// A hash nobody's password matches, checked when an email is unknown or has no password yet, so the answer takes
/// as long as for a real account and says nothing about which emails exist.
fn decoy() -> &'static PasswordHash {
    static DECOY: std::sync::OnceLock<PasswordHash> = std::sync::OnceLock::new();
    DECOY.get_or_init(|| {
        PasswordHash::new_password(&crate::session::random_token()).unwrap_or(PasswordHash(String::new()))
    })
}

fn login_form(session: &Session, next: &str, error: Option<&str>, accounts: bool) -> maud::Markup {
    html! {
        h1 { "Sign in" }
        @if accounts {
            p { "Sign in with the email and password of your runtall account. New here? Your physiotherapist or "
                "coach gives you an invitation code to " a href="/signup" { "create an account" } "." }
        } @else {
            p { "This runtall is reachable from other devices, so it asks for the password its owner set." }
        }
        form method="post" action="/login" class="card" {
            (layout::csrf_field(session))
            input type="hidden" name="next" value=(next);
            @if let Some(e) = error { p class="field-error" role="alert" id="password-error" { (e) } }
            @if accounts {
                label for="email" { "Email" }
                input id="email" name="email" type="email" autocomplete="username" required;
            }
            label for="password" { "Password" }
            input id="password" name="password" type="password" autocomplete="current-password" required
                aria-describedby=[error.map(|_| "password-error")];
            button type="submit" class="button primary" { "Sign in" }
        }
        @if accounts { p { a href="/reset" { "Forgot your password, or setting it for the first time?" } } }
    }
}

async fn login_page(State(state): State<AppState>, session: Session, Query(q): Query<Next>) -> Response {
    let next = safe_next(q.next.as_deref());
    let form = login_form(&session, &next, None, state.db.is_multi_user());
    Page::bare("Sign in", form).purge_offline().render(&session).into_response()
}

/// The sign-in form again, with a message and a status (401 wrong password, 429 wait first).
fn login_again(
    state: &AppState,
    session: &Session,
    next: &str,
    message: &str,
    status: StatusCode,
    wait: Option<u64>,
) -> Response {
    let page = Page::bare("Sign in", login_form(session, next, Some(message), state.db.is_multi_user()));
    let mut response = page.render(session).into_response();
    *response.status_mut() = status;
    if let Some(seconds) = wait {
        response.headers_mut().insert(header::RETRY_AFTER, seconds.into());
    }
    response
}

async fn login(
    State(state): State<AppState>,
    session: Session,
    peer: Option<Extension<Peer>>,
    form: FormData,
) -> Result<Response, HttpError> {
    if state.db.is_multi_user() {
        return account_login(state, session, peer, form).await;
    }
    let next = safe_next(form.get("next"));
    let Some(hash) = state.password.clone() else {
        return Ok(Redirect::to(&next).into_response());
    };
    let too_many = |seconds: u64| {
        let message = format!("Too many sign-in attempts. Wait {} and try again.", seconds_text(seconds));
        login_again(&state, &session, &next, &message, StatusCode::TOO_MANY_REQUESTS, Some(seconds))
    };
    let key = ClientKey::of(peer.as_ref().map(|p| p.remote.ip()));
    let mut ticket = match state.sign_in.admit(key) {
        Ok(ticket) => ticket,
        Err(seconds) => return Ok(too_many(seconds)),
    };
    if let Err(seconds) = ticket.turn().await {
        return Ok(too_many(seconds));
    }
    let candidate = form.get("password").unwrap_or_default().to_string();
    let ok = ticket
        .check(move || hash.verify(&candidate))
        .await
        .ok_or_else(|| HttpError::internal("the password check thread stopped"))?;
    let wait = ticket.record(ok);
    if !ok {
        let message = match wait.as_secs() {
            0 | 1 => "That password is not right.".to_string(),
            s => format!("That password is not right. Wait {} before the next try.", seconds_text(s)),
        };
        return Ok(login_again(&state, &session, &next, &message, StatusCode::UNAUTHORIZED, None));
    }
    // A fresh session id at sign-in, so a session id planted before login is worthless.
    let fresh = state.sessions.sign_in();
    let mut response = Redirect::to(&next).into_response();
    set_cookie(response.headers_mut(), &fresh.id, peer.is_some_and(|p| p.tls));
    state.sessions.remove(&session.id);
    Ok(response)
}

/// Sign-in to a clinic server: email and password, under the same throttle as the owner's password; a session in
/// the database (its token's hash), so it outlives restarts and "sign out everywhere" can end it.
async fn account_login(
    state: AppState,
    session: Session,
    peer: Option<Extension<Peer>>,
    form: FormData,
) -> Result<Response, HttpError> {
    let next = safe_next(form.get("next"));
    let too_many = |seconds: u64| {
        let message = format!("Too many sign-in attempts. Wait {} and try again.", seconds_text(seconds));
        login_again(&state, &session, &next, &message, StatusCode::TOO_MANY_REQUESTS, Some(seconds))
    };
    let key = ClientKey::of(peer.as_ref().map(|p| p.remote.ip()));
    let mut ticket = match state.sign_in.admit(key) {
        Ok(ticket) => ticket,
        Err(seconds) => return Ok(too_many(seconds)),
    };
    if let Err(seconds) = ticket.turn().await {
        return Ok(too_many(seconds));
    }
    let email = form.get("email").unwrap_or_default().to_string();
    let found = state.db.accounts(move |a| Ok(a.account_by_email(&email)?)).await?;
    let candidate = form.get("password").unwrap_or_default().to_string();
    let phc = found.as_ref().and_then(|(_, phc)| phc.clone());
    let ok = ticket
        .check(move || match phc {
            Some(phc) => PasswordHash::stored(phc).verify(&candidate),
            None => {
                decoy().verify(&candidate);
                false
            }
        })
        .await
        .ok_or_else(|| HttpError::internal("the password check thread stopped"))?;
    let wait = ticket.record(ok);
    let account = match found {
        Some((account, _)) if ok => account,
        _ => {
            let message = match wait.as_secs() {
                0 | 1 => "That email and password do not match an account.".to_string(),
                s => format!(
                    "That email and password do not match an account. Wait {} before the next try.",
                    seconds_text(s)
                ),
            };
            return Ok(login_again(&state, &session, &next, &message, StatusCode::UNAUTHORIZED, None));
        }
    };
    let (token, hash) = crate::principal::new_secret();
    let id = account.id;
    state
        .db
        .accounts(move |a| {
            let now = jiff::Timestamp::now();
            Ok(a.add_session(&hash, id, now, now + ACCOUNT_SESSION)?)
        })
        .await?;
    let to = match account.role {
        runtall_store::accounts::Role::Clinician if !next.starts_with("/clinic") => "/clinic".to_string(),
        _ => next,
    };
    let mut response = Redirect::to(&to).into_response();
    let cookie = format!("{}{token}", crate::session::ACCOUNT_PREFIX);
    set_cookie(response.headers_mut(), &cookie, peer.is_some_and(|p| p.tls));
    state.sessions.remove(&session.id);
    Ok(response)
}

async fn logout(State(state): State<AppState>, session: Session, _headers: HeaderMap) -> Result<Response, HttpError> {
    if let Some(token) = session.id.strip_prefix(crate::session::ACCOUNT_PREFIX) {
        let hash = crate::principal::hash_secret(token);
        state.db.accounts(move |a| Ok(a.delete_session(&hash)?)).await?;
    }
    state.sessions.remove(&session.id);
    Ok(Redirect::to("/login").into_response())
}

#[cfg(test)]
mod tests {
    use super::safe_next;

    #[test]
    fn only_paths_on_this_server_are_followed_after_sign_in() {
        for ok in ["/", "/today", "/runs/3?x=1&y=%2F", "/learn/1#top", "/api/state"] {
            assert_eq!(safe_next(Some(ok)), ok, "{ok}");
        }
        for bad in [
            "/%09/evil.example",
            "/%0a/x",
            "/%0D%0A/x",
            "//evil.example",
            "/\\evil.example",
            "/%5Cevil.example",
            "/%2F/evil.example",
            "https://evil.example/",
            "evil.example",
            "/\t/evil.example",
            "/ /x",
            "/%20/x",
            "/%00",
            "/caf%C3%A9",
            "",
        ] {
            assert_eq!(safe_next(Some(bad)), "/", "{bad:?}");
        }
        assert_eq!(safe_next(None), "/");
    }
}

#[cfg(test)]
mod verify_tests {
    use super::PasswordHash;
    use argon2::Argon2;
    use argon2::password_hash::PasswordVerifier;
    use argon2::password_hash::phc::PasswordHash as Phc;

    #[test]
    fn the_reused_memory_check_agrees_with_argon2s_own() {
        let stored = PasswordHash::from_config("correct horse battery").expect("hashed");
        let phc = Phc::new(stored.as_phc()).expect("phc");
        for candidate in ["correct horse battery", "correct horse batterY", "", "correct horse battery "] {
            let theirs = Argon2::default().verify_password(candidate.as_bytes(), &phc).is_ok();
            assert_eq!(stored.verify(candidate), theirs, "{candidate:?}");
            assert_eq!(stored.verify(candidate), theirs, "{candidate:?}, again in the same memory");
        }
        // A PHC string with other parameters (smaller memory, argon2i) is checked with its own.
        let other = Argon2::new(
            argon2::Algorithm::Argon2i,
            argon2::Version::V0x13,
            argon2::Params::new(8, 1, 1, None).expect("params"),
        );
        let phc = argon2::password_hash::PasswordHasher::hash_password(&other, b"another password")
            .expect("hash")
            .to_string();
        let stored = PasswordHash::from_config(&phc).expect("accepted");
        assert!(stored.verify("another password"));
        assert!(!stored.verify("correct horse battery"));
    }
}
