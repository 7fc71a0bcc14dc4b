//! The password for a server reachable from other machines, and the sign-in pages.
//!
//! The password is hashed with argon2id (19 MiB, 2 passes) at start and the plain text dropped; verification runs
//! on a blocking thread so a login never stalls other requests. A failed login waits a second before answering,
//! which makes guessing slow without locking the owner out.

use crate::AppState;
use crate::error::{HttpError, WebError};
use crate::form::FormData;
use crate::layout::{self, Page};
use crate::session::{Session, set_cookie};
use argon2::Argon2;
use argon2::password_hash::phc::PasswordHash as Phc;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use axum::Router;
use axum::extract::{Query, State};
use axum::http::HeaderMap;
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

    pub fn as_phc(&self) -> &str {
        &self.0
    }

    pub fn verify(&self, candidate: &str) -> bool {
        match Phc::new(&self.0) {
            Ok(parsed) => Argon2::default().verify_password(candidate.as_bytes(), &parsed).is_ok(),
            Err(_) => false,
        }
    }
}

pub fn router() -> Router<AppState> {
    Router::new().route("/login", get(login_page).post(login)).route("/logout", axum::routing::post(logout))
}

#[derive(Deserialize)]
struct Next {
    next: Option<String>,
}

/// Only same-site paths are followed after sign-in (no open redirect).
fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(n) if n.starts_with('/') && !n.starts_with("//") && !n.contains('\\') => n.to_string(),
        _ => "/".to_string(),
    }
}

fn login_form(session: &Session, next: &str, error: Option<&str>) -> maud::Markup {
    html! {
        h1 { "Sign in" }
        p { "This runtall is reachable from other devices, so it asks for the password its owner set." }
        form method="post" action="/login" class="card" {
            (layout::csrf_field(session))
            input type="hidden" name="next" value=(next);
            @if let Some(e) = error { p class="field-error" role="alert" id="password-error" { (e) } }
            label for="password" { "Password" }
            input id="password" name="password" type="password" autocomplete="current-password" required
                aria-describedby=[error.map(|_| "password-error")];
            button type="submit" class="button primary" { "Sign in" }
        }
    }
}

async fn login_page(session: Session, Query(q): Query<Next>) -> Response {
    let next = safe_next(q.next.as_deref());
    Page::bare("Sign in", login_form(&session, &next, None)).render(&session).into_response()
}

async fn login(State(state): State<AppState>, session: Session, form: FormData) -> Result<Response, HttpError> {
    let next = safe_next(form.get("next"));
    let Some(hash) = state.password.clone() else {
        return Ok(Redirect::to(&next).into_response());
    };
    let candidate = form.get("password").unwrap_or_default().to_string();
    let ok = tokio::task::spawn_blocking(move || hash.verify(&candidate))
        .await
        .map_err(|e| HttpError::internal(format!("password check failed: {e}")))?;
    if !ok {
        tokio::time::sleep(std::time::Duration::from_secs(1)).await;
        let page = Page::bare("Sign in", login_form(&session, &next, Some("That password is not right.")));
        let mut response = page.render(&session).into_response();
        *response.status_mut() = axum::http::StatusCode::UNAUTHORIZED;
        return Ok(response);
    }
    // A fresh session id at sign-in, so a session id planted before login is worthless.
    let fresh = state.sessions.create(true);
    let mut response = Redirect::to(&next).into_response();
    set_cookie(response.headers_mut(), &fresh.id);
    state.sessions.remove(&session.id);
    Ok(response)
}

async fn logout(State(state): State<AppState>, session: Session, _headers: HeaderMap) -> Response {
    state.sessions.remove(&session.id);
    Redirect::to("/login").into_response()
}
