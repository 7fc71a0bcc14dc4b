//! The clinic server's account pages: sign up with an invitation, reset a password with a one-time code, the
//! account page (the clinicians who see your records, accepting an invitation, signing out everywhere) and
//! "connect a device" (tokens for `runtall sync`). A one-runner `runtall serve` has no accounts: every page here
//! answers 404 there.
//!
//! Sign-up and reset hash a new password with argon2id, under the sign-in throttle (`sign_in_guard`) so that
//! neither memory nor CPU grows with the request rate. Codes and tokens are shown once and stored as hashes.

use crate::AppState;
use crate::auth::{ACCOUNT_SESSION, PasswordHash};
use crate::error::HttpError;
use crate::form::FormData;
use crate::layout::{self, Page};
use crate::principal::{Principal, hash_secret, new_secret};
use crate::server::Peer;
use crate::session::{ACCOUNT_PREFIX, Session, set_cookie};
use crate::sign_in_guard::ClientKey;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Extension, Router};
use jiff::{SignedDuration, Timestamp};
use maud::{Markup, html};
use runtall_store::StoreError;
use runtall_store::accounts::{Acceptance, AccountId, Role};
use serde::Deserialize;
use std::sync::{Arc, Mutex};

/// How long a reset code works.
pub const RESET_VALID: SignedDuration = SignedDuration::from_hours(1);
/// How long the one-time code of a clinician made by `runtall server admin add-clinician` works.
pub const FIRST_PASSWORD_VALID: SignedDuration = SignedDuration::from_hours(7 * 24);
/// Longest name and email accepted.
const MAX_NAME: usize = 100;
const MAX_EMAIL: usize = 254;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/signup", get(signup_page).post(signup))
        .route("/reset", get(reset_page).post(reset))
        .route("/account", get(account_page))
        .route("/account/invitations", post(accept))
        .route("/account/clinicians/{id}/revoke", post(revoke))
        .route("/account/sign-out-everywhere", post(sign_out_everywhere))
        .route("/account/delete", post(delete_account))
        .route("/devices", get(devices_page).post(add_device))
        .route("/devices/{id}/revoke", post(revoke_device))
}

/// 404 on a one-runner app.
fn multi_user(st: &AppState) -> Result<(), HttpError> {
    if st.db.is_multi_user() { Ok(()) } else { Err(HttpError::NotFound) }
}

/// A bare page with a status.
fn bare(session: &Session, title: &str, body: Markup, status: StatusCode) -> Response {
    let mut response = Page::bare(title, body).render(session);
    *response.status_mut() = status;
    response
}

fn error_line(message: Option<&str>) -> Markup {
    html! { @if let Some(m) = message { p class="field-error" role="alert" { (m) } } }
}

/// The athlete's and clinician's own pages share this header: where to go next.
fn account_links(who: &Principal) -> Markup {
    html! {
        p {
            @if who.is_clinician() { a href="/clinic" { "← Your athletes" } } @else { a href="/today" { "← Today" } }
        }
    }
}

/// Why a new password was not hashed: the words to show the runner and the status to answer with.
type PasswordRefusal = (String, StatusCode);

/// Hashes a new password on the throttle's threads; `Err` with what to show when throttled or refused.
async fn hash_new_password(
    st: &AppState,
    peer: Option<&Extension<Peer>>,
    password: String,
) -> Result<String, PasswordRefusal> {
    let wait = |seconds: u64| (throttled(seconds), StatusCode::TOO_MANY_REQUESTS);
    let key = ClientKey::of(peer.map(|p| p.remote.ip()));
    let mut ticket = st.sign_in.admit(key).map_err(wait)?;
    ticket.turn().await.map_err(wait)?;
    let out = Arc::new(Mutex::new(None));
    let slot = out.clone();
    let done = ticket
        .check(move || {
            let hashed = PasswordHash::new_password(&password).map(|h| h.as_phc().to_string());
            let ok = hashed.is_ok();
            if let Ok(mut s) = slot.lock() {
                *s = Some(hashed);
            }
            ok
        })
        .await;
    // Not recorded as a sign-in: a success must not clear a client's record of wrong passwords.
    drop(ticket);
    let hashed = out.lock().ok().and_then(|mut s| s.take());
    let refused = |words: &str| Err((words.to_string(), StatusCode::UNPROCESSABLE_ENTITY));
    match (done, hashed) {
        (Some(_), Some(Ok(phc))) => Ok(phc),
        (Some(_), Some(Err(_))) => refused("Choose a password of at least 8 characters."),
        _ => refused("The password could not be saved; try again."),
    }
}

fn throttled(seconds: u64) -> String {
    format!("Too many attempts. Wait {} and try again.", crate::error::seconds(seconds))
}

/// Starts an account session and sends the browser on.
async fn start_session(
    st: &AppState,
    session: &Session,
    peer: Option<&Extension<Peer>>,
    account: AccountId,
    to: &str,
) -> Result<Response, HttpError> {
    let (token, hash) = new_secret();
    st.db
        .accounts(move |a| {
            let now = Timestamp::now();
            Ok(a.add_session(&hash, account, now, now + ACCOUNT_SESSION)?)
        })
        .await?;
    let mut response = Redirect::to(to).into_response();
    set_cookie(response.headers_mut(), &format!("{ACCOUNT_PREFIX}{token}"), peer.is_some_and(|p| p.tls));
    st.sessions.remove(&session.id);
    Ok(response)
}

#[derive(Deserialize)]
struct CodeQuery {
    code: Option<String>,
}

fn signup_form(session: &Session, code: &str, form: Option<&FormData>, error: Option<&str>) -> Markup {
    let value = |name: &str| form.and_then(|f| f.get(name)).unwrap_or_default().to_string();
    html! {
        h1 { "Create your runtall account" }
        p { "Your physiotherapist or coach gave you an invitation code. With an account you use runtall in this "
            "browser or sync it from the app on your computer, and the person who invited you sees your records "
            "until you stop sharing them (on your account page, at any time)." }
        form method="post" action="/signup" class="card stack" {
            (layout::csrf_field(session))
            (error_line(error))
            div class="field" {
                label for="code" { "Invitation code" }
                input id="code" name="code" type="text" required autocomplete="off" value=(code);
            }
            div class="field" {
                label for="name" { "Your name" }
                input id="name" name="name" type="text" required maxlength=(MAX_NAME) autocomplete="name"
                    value=(value("name"));
            }
            div class="field" {
                label for="email" { "Email" }
                input id="email" name="email" type="email" required maxlength=(MAX_EMAIL) autocomplete="username"
                    value=(value("email"));
            }
            div class="field" {
                label for="password" { "Password (at least 8 characters)" }
                input id="password" name="password" type="password" required minlength="8" autocomplete="new-password";
            }
            button type="submit" class="button primary" { "Create account" }
        }
        p { "Already have an account? " a href="/login" { "Sign in" } " and enter the code on your account page." }
    }
}

async fn signup_page(
    State(st): State<AppState>,
    session: Session,
    Query(q): Query<CodeQuery>,
) -> Result<Response, HttpError> {
    multi_user(&st)?;
    let code = q.code.unwrap_or_default();
    Ok(bare(&session, "Create account", signup_form(&session, code.trim(), None, None), StatusCode::OK))
}

/// What a new account's fields must be; the first problem in words.
pub(crate) fn check_new_account(name: &str, email: &str) -> Result<(), &'static str> {
    if name.is_empty() || name.chars().count() > MAX_NAME {
        return Err("Enter your name (up to 100 characters).");
    }
    let at = email.find('@');
    if email.len() > MAX_EMAIL
        || at.is_none_or(|i| i == 0 || i + 1 == email.len())
        || email.contains(char::is_whitespace)
    {
        return Err("Enter an email address such as name@example.org.");
    }
    Ok(())
}

async fn signup(
    State(st): State<AppState>,
    session: Session,
    peer: Option<Extension<Peer>>,
    form: FormData,
) -> Result<Response, HttpError> {
    multi_user(&st)?;
    let code = form.get("code").unwrap_or_default().to_string();
    let again = |message: &str, status: StatusCode| {
        bare(&session, "Create account", signup_form(&session, &code, Some(&form), Some(message)), status)
    };
    let (name, email) =
        (form.get("name").unwrap_or_default().to_string(), form.get("email").unwrap_or_default().to_string());
    if let Err(problem) = check_new_account(&name, &email) {
        return Ok(again(problem, StatusCode::UNPROCESSABLE_ENTITY));
    }
    if code.is_empty() {
        return Ok(again("Enter the invitation code you were given.", StatusCode::UNPROCESSABLE_ENTITY));
    }
    let password = form.get("password").unwrap_or_default().to_string();
    let phc = match hash_new_password(&st, peer.as_ref(), password).await {
        Ok(phc) => phc,
        Err((words, status)) => return Ok(again(&words, status)),
    };
    let code_hash = hash_secret(&code);
    let made = st
        .db
        .accounts(move |a| {
            let account = match a.create_account(&email, &name, Role::Athlete, Some(&phc)) {
                Err(StoreError::Exists { .. }) => return Ok(Err(SignupProblem::EmailTaken)),
                other => other?,
            };
            match a.accept_invitation(&code_hash, account.id, Timestamp::now())? {
                Acceptance::Linked { .. } => Ok(Ok(account.id)),
                Acceptance::Invalid => {
                    // No account without an invitation: undo it (its empty athlete row stays, nameless).
                    a.delete_account(account.id)?;
                    Ok(Err(SignupProblem::BadCode))
                }
            }
        })
        .await?;
    match made {
        Ok(account) => start_session(&st, &session, peer.as_ref(), account, "/").await,
        Err(SignupProblem::EmailTaken) => Ok(again(
            "An account with this email exists already: sign in, and enter the code on your account page.",
            StatusCode::UNPROCESSABLE_ENTITY,
        )),
        Err(SignupProblem::BadCode) => Ok(again(
            "That invitation code does not work: it may be mistyped, used already or expired. Ask for a new one.",
            StatusCode::UNPROCESSABLE_ENTITY,
        )),
    }
}

enum SignupProblem {
    EmailTaken,
    BadCode,
}

fn reset_form(session: &Session, code: &str, notice: Option<&str>, error: Option<&str>) -> Markup {
    html! {
        h1 { "Set a new password" }
        @if let Some(n) = notice { p role="status" class="notice" { (n) } }
        section class="card" {
            h2 { "1. Get a one-time code" }
            p { "This server sends no email. Ask for a code here and the person who runs the server reads it from "
                "the server's log and gives it to you, or they make one for you with "
                code { "runtall server admin reset --email you@example.org" } ". A code works once, for one hour." }
            form method="post" action="/reset" class="stack" {
                (layout::csrf_field(session))
                input type="hidden" name="step" value="ask";
                div class="field" {
                    label for="reset-email" { "Email" }
                    input id="reset-email" name="email" type="email" required autocomplete="username";
                }
                button type="submit" class="button" { "Ask for a code" }
            }
        }
        section class="card" {
            h2 { "2. Choose the new password" }
            form method="post" action="/reset" class="stack" {
                (layout::csrf_field(session))
                input type="hidden" name="step" value="set";
                (error_line(error))
                div class="field" {
                    label for="reset-code" { "One-time code" }
                    input id="reset-code" name="code" type="text" required autocomplete="off" value=(code);
                }
                div class="field" {
                    label for="reset-password" { "New password (at least 8 characters)" }
                    input id="reset-password" name="password" type="password" required minlength="8"
                        autocomplete="new-password";
                }
                button type="submit" class="button primary" { "Set password" }
            }
            p class="muted" { "Setting a password signs you out on every other device." }
        }
    }
}

async fn reset_page(
    State(st): State<AppState>,
    session: Session,
    Query(q): Query<CodeQuery>,
) -> Result<Response, HttpError> {
    multi_user(&st)?;
    let code = q.code.unwrap_or_default();
    Ok(bare(&session, "Set a new password", reset_form(&session, code.trim(), None, None), StatusCode::OK))
}

/// Makes a reset code for the account with this email, if there is one: `(email as stored, code)`.
pub fn make_reset_code(
    accounts: &dyn runtall_store::accounts::Accounts,
    email: &str,
    valid: SignedDuration,
) -> Result<Option<(String, String)>, StoreError> {
    let Some((account, _)) = accounts.account_by_email(email)? else { return Ok(None) };
    let (code, hash) = new_secret();
    accounts.add_reset_code(&hash, account.id, Timestamp::now() + valid)?;
    Ok(Some((account.email, code)))
}

async fn reset(
    State(st): State<AppState>,
    session: Session,
    peer: Option<Extension<Peer>>,
    form: FormData,
) -> Result<Response, HttpError> {
    multi_user(&st)?;
    if form.get("step") == Some("ask") {
        // Under the throttle, so a flood of requests cannot fill the log or the table; the answer is the same
        // whether the email has an account or not.
        let key = ClientKey::of(peer.as_ref().map(|p| p.remote.ip()));
        let answer = match st.sign_in.admit(key) {
            Err(seconds) => {
                return Ok(bare(
                    &session,
                    "Set a new password",
                    reset_form(&session, "", None, Some(&throttled(seconds))),
                    StatusCode::TOO_MANY_REQUESTS,
                ));
            }
            Ok(ticket) => {
                let email = form.get("email").unwrap_or_default().to_string();
                let made = st.db.accounts(move |a| Ok(make_reset_code(a, &email, RESET_VALID)?)).await?;
                if let Some((email, code)) = made {
                    eprintln!("runtall server: password reset code for {email}: {code} (works once, for one hour)");
                }
                // Counted as a failure: asking again and again slows down like wrong passwords do.
                ticket.record(false);
                "If that email has an account, a code was made: the person who runs this server can give it to you."
            }
        };
        return Ok(bare(&session, "Set a new password", reset_form(&session, "", Some(answer), None), StatusCode::OK));
    }
    let code = form.get("code").unwrap_or_default().to_string();
    let again = |message: &str, status: StatusCode| {
        bare(&session, "Set a new password", reset_form(&session, &code, None, Some(message)), status)
    };
    if code.is_empty() {
        return Ok(again("Enter the one-time code.", StatusCode::UNPROCESSABLE_ENTITY));
    }
    let password = form.get("password").unwrap_or_default().to_string();
    let phc = match hash_new_password(&st, peer.as_ref(), password).await {
        Ok(phc) => phc,
        Err((words, status)) => return Ok(again(&words, status)),
    };
    let code_hash = hash_secret(&code);
    let account = st
        .db
        .accounts(move |a| {
            let Some(account) = a.use_reset_code(&code_hash, Timestamp::now())? else { return Ok(None) };
            a.set_password(account, &phc)?;
            a.delete_sessions_of(account)?;
            Ok(Some(account))
        })
        .await?;
    match account {
        Some(account) => start_session(&st, &session, peer.as_ref(), account, "/").await,
        None => Ok(again(
            "That code does not work: it may be mistyped, used already or expired. Ask for a new one.",
            StatusCode::UNPROCESSABLE_ENTITY,
        )),
    }
}

async fn account_page(State(st): State<AppState>, session: Session, who: Principal) -> Result<Response, HttpError> {
    multi_user(&st)?;
    let account_id = who.account().ok_or(HttpError::NotFound)?;
    let athlete = who.athlete();
    let (account, clinicians) = st
        .db
        .accounts(move |a| {
            let account = a.account(account_id)?.ok_or(HttpError::NotFound)?;
            let clinicians = match athlete {
                Some(athlete) => a.clinicians_of(athlete)?,
                None => Vec::new(),
            };
            Ok((account, clinicians))
        })
        .await?;
    let body = html! {
        (account_links(&who))
        h1 { "Your account" }
        p { (account.name) " · " (account.email) " · "
            @if account.role == Role::Clinician { "physiotherapist or coach" } @else { "athlete" } }
        @if athlete.is_some() {
            section class="card" id="clinicians" {
                h2 { "Who sees your records" }
                @if clinicians.is_empty() {
                    p { "Nobody: your records are yours alone." }
                } @else {
                    p { "These people see your runs, pain reports, screens, assessments and plan, and may adjust your "
                        "program. Every time they look, it is written to your audit log. Stop sharing at any time: "
                        "their access ends at once." }
                    ul {
                        @for c in &clinicians {
                            li {
                                (c.name) " (" (c.email) "), since " (c.since.strftime("%Y-%m-%d")) " "
                                form method="post" action={ "/account/clinicians/" (c.account) "/revoke" } class="inline" {
                                    (layout::csrf_field(&session))
                                    button type="submit" class="button danger" { "Stop sharing with " (c.name) }
                                }
                            }
                        }
                    }
                }
                h3 { "Accept an invitation" }
                form method="post" action="/account/invitations" class="stack" {
                    (layout::csrf_field(&session))
                    div class="field" {
                        label for="invite-code" { "Invitation code" }
                        input id="invite-code" name="code" type="text" required autocomplete="off";
                    }
                    button type="submit" class="button" { "Share my records" }
                }
            }
            section class="card" {
                h2 { "Devices" }
                p { a href="/devices" { "Connect a device" } " to sync the runtall app on your computer with this server." }
            }
        }
        section class="card" {
            h2 { "Sign out everywhere" }
            p { "Ends every session of this account, on every browser (devices keep their tokens; revoke those on the "
                "devices page)." }
            form method="post" action="/account/sign-out-everywhere" {
                (layout::csrf_field(&session))
                button type="submit" class="button" { "Sign out everywhere" }
            }
        }
        form method="post" action="/logout" {
            (layout::csrf_field(&session))
            button type="submit" class="button" { "Sign out" }
        }
        (delete_card(&session, athlete.is_some(), None))
    };
    Ok(bare(&session, "Your account", body, StatusCode::OK))
}

/// Deleting the account, confirmed by the password: an athlete's records go with it (download them first).
fn delete_card(session: &Session, athlete: bool, error: Option<&str>) -> Markup {
    html! {
        section class="card danger-zone" id="delete" {
            h2 { "Delete your account" }
            @if athlete {
                p { "Deletes your account and every record in it (runs, pain reports, screens, assessments, plans, "
                    "sessions, posture checks and photos), ends every clinician's access and every device token. "
                    "It cannot be undone: " a href="/export/journal.jsonl" download { "download your journal" }
                    " first to keep a copy (it imports into the runtall app on your computer)." }
            } @else {
                p { "Deletes your account and your invitations; your athletes' records stay theirs." }
            }
            form method="post" action="/account/delete" class="stack" {
                (layout::csrf_field(session))
                (error_line(error))
                div class="field" {
                    label for="delete-password" { "Your password, to confirm" }
                    input id="delete-password" name="password" type="password" required autocomplete="current-password";
                }
                button type="submit" class="button danger" { "Delete my account" }
            }
        }
    }
}

/// Deletes the signed-in account after checking its password (under the sign-in throttle): an athlete's records
/// and kept photos first, then the account with its sessions, devices, links and codes.
async fn delete_account(
    State(st): State<AppState>,
    session: Session,
    who: Principal,
    peer: Option<Extension<Peer>>,
    form: FormData,
) -> Result<Response, HttpError> {
    multi_user(&st)?;
    let account = who.account().ok_or(HttpError::NotFound)?;
    let again = |message: &str, status: StatusCode| {
        let body = html! { (account_links(&who)) (delete_card(&session, who.athlete().is_some(), Some(message))) };
        bare(&session, "Delete your account", body, status)
    };
    let key = ClientKey::of(peer.as_ref().map(|p| p.remote.ip()));
    let mut ticket = match st.sign_in.admit(key) {
        Ok(ticket) => ticket,
        Err(seconds) => return Ok(again(&throttled(seconds), StatusCode::TOO_MANY_REQUESTS)),
    };
    if let Err(seconds) = ticket.turn().await {
        return Ok(again(&throttled(seconds), StatusCode::TOO_MANY_REQUESTS));
    }
    let phc = st.db.accounts(move |a| Ok(a.password_of(account)?)).await?;
    let candidate = form.get("password").unwrap_or_default().to_string();
    let ok = ticket
        .check(move || phc.is_some_and(|phc| PasswordHash::stored(phc).verify(&candidate)))
        .await
        .ok_or_else(|| HttpError::internal("the password check thread stopped"))?;
    ticket.record(ok);
    if !ok {
        return Ok(again("That password is not right; nothing was deleted.", StatusCode::UNAUTHORIZED));
    }
    if let Some(athlete) = who.athlete() {
        let photos = runtall_app::posture::PhotoStore::beside(&st.db.files_path(athlete));
        st.db.run_for(athlete, move |store| Ok(runtall_app::posture::delete_all(store, &photos)?)).await?;
    }
    st.db.accounts(move |a| Ok(a.delete_account(account)?)).await?;
    Ok(Redirect::to("/login").into_response())
}

async fn accept(
    State(st): State<AppState>,
    session: Session,
    who: Principal,
    form: FormData,
) -> Result<Response, HttpError> {
    multi_user(&st)?;
    let Principal::Athlete { account, .. } = who else { return Err(HttpError::NotFound) };
    let code_hash = hash_secret(form.get("code").unwrap_or_default());
    let outcome = st.db.accounts(move |a| Ok(a.accept_invitation(&code_hash, account, Timestamp::now())?)).await?;
    match outcome {
        Acceptance::Linked { .. } => Ok(Redirect::to("/account#clinicians").into_response()),
        Acceptance::Invalid => Ok(bare(
            &session,
            "Invitation",
            html! {
                p { a href="/account" { "← Your account" } }
                h1 { "That invitation code does not work" }
                p { "It may be mistyped, used already or expired. Ask the person who invited you for a new one." }
            },
            StatusCode::UNPROCESSABLE_ENTITY,
        )),
    }
}

async fn revoke(State(st): State<AppState>, who: Principal, Path(clinician): Path<i64>) -> Result<Response, HttpError> {
    multi_user(&st)?;
    let athlete = match who {
        Principal::Athlete { athlete, .. } => athlete,
        _ => return Err(HttpError::NotFound),
    };
    let clinician = AccountId::new(clinician);
    if st.db.accounts(move |a| Ok(a.revoke_link(athlete, clinician)?)).await? {
        Ok(Redirect::to("/account#clinicians").into_response())
    } else {
        Err(HttpError::NotFound)
    }
}

async fn sign_out_everywhere(State(st): State<AppState>, who: Principal) -> Result<Response, HttpError> {
    multi_user(&st)?;
    let account = who.account().ok_or(HttpError::NotFound)?;
    st.db.accounts(move |a| Ok(a.delete_sessions_of(account)?)).await?;
    Ok(Redirect::to("/login").into_response())
}

fn devices_body(session: &Session, devices: &[runtall_store::accounts::Device], new: Option<(&str, &str)>) -> Markup {
    html! {
        p { a href="/account" { "← Your account" } }
        h1 { "Connect a device" }
        p { "A device token lets the runtall app on your computer sync your journal with this server: "
            code { "runtall sync --server <this server's address> --token <token>" } ". Make one per device, and "
            "revoke it when the device is gone." }
        @if let Some((name, token)) = new {
            section class="card" role="status" {
                h2 { "Token for " (name) }
                p { "Copy it now: it is shown only this once (the server keeps only a fingerprint of it)." }
                p { code class="token" { (token) } }
            }
        }
        section class="card" {
            h2 { "Your devices" }
            @if devices.is_empty() { p { "None yet." } }
            ul {
                @for d in devices {
                    li {
                        (d.name) ", made " (d.created_at.strftime("%Y-%m-%d"))
                        @if let Some(used) = d.last_used { ", last used " (used.strftime("%Y-%m-%d %H:%M UTC")) }
                        @else { ", not used yet" }
                        " "
                        form method="post" action={ "/devices/" (d.id) "/revoke" } class="inline" {
                            (layout::csrf_field(session))
                            button type="submit" class="button small danger" { "Revoke" }
                        }
                    }
                }
            }
            form method="post" action="/devices" class="stack" {
                (layout::csrf_field(session))
                div class="field" {
                    label for="device-name" { "Name of the new device" }
                    input id="device-name" name="name" type="text" required maxlength="60" placeholder="My laptop";
                }
                button type="submit" class="button primary" { "Make a token" }
            }
        }
    }
}

fn athlete_account(st: &AppState, who: &Principal) -> Result<AccountId, HttpError> {
    multi_user(st)?;
    match who {
        Principal::Athlete { account, .. } => Ok(*account),
        _ => Err(HttpError::NotFound),
    }
}

async fn devices_page(State(st): State<AppState>, session: Session, who: Principal) -> Result<Response, HttpError> {
    let account = athlete_account(&st, &who)?;
    let devices = st.db.accounts(move |a| Ok(a.devices(account)?)).await?;
    Ok(bare(&session, "Connect a device", devices_body(&session, &devices, None), StatusCode::OK))
}

async fn add_device(
    State(st): State<AppState>,
    session: Session,
    who: Principal,
    form: FormData,
) -> Result<Response, HttpError> {
    let account = athlete_account(&st, &who)?;
    let name: String = form.get("name").unwrap_or("device").chars().take(60).collect();
    let (token, hash) = new_secret();
    let shown = name.clone();
    let devices = st
        .db
        .accounts(move |a| {
            a.add_device(&hash, account, &name, Timestamp::now())?;
            Ok(a.devices(account)?)
        })
        .await?;
    let mut response =
        bare(&session, "Connect a device", devices_body(&session, &devices, Some((&shown, &token))), StatusCode::OK);
    response.headers_mut().insert(axum::http::header::CACHE_CONTROL, axum::http::HeaderValue::from_static("no-store"));
    Ok(response)
}

async fn revoke_device(State(st): State<AppState>, who: Principal, Path(id): Path<i64>) -> Result<Response, HttpError> {
    let account = athlete_account(&st, &who)?;
    if st.db.accounts(move |a| Ok(a.revoke_device(account, id)?)).await? {
        Ok(Redirect::to("/devices").into_response())
    } else {
        Err(HttpError::NotFound)
    }
}

#[cfg(test)]
mod tests {
    use super::check_new_account;

    #[test]
    fn new_accounts_need_a_name_and_an_email_shaped_address() {
        assert!(check_new_account("Ana", "ana@example.org").is_ok());
        for (name, email) in
            [("", "ana@example.org"), ("Ana", "ana"), ("Ana", "@example.org"), ("Ana", "ana@"), ("Ana", "a na@x.org")]
        {
            assert!(check_new_account(name, email).is_err(), "{name:?} {email:?}");
        }
        assert!(check_new_account(&"x".repeat(101), "ana@example.org").is_err());
    }
}
