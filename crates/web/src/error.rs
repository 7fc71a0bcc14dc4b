//! Errors: [`WebError`] stops the server from starting; [`HttpError`] is the one error type of every request.
//!
//! A handler returns `HttpError`; its `IntoResponse` puts the error itself into the response extensions with an
//! empty body, and the `render_errors` middleware turns it into a friendly HTML page or a JSON object depending on
//! whether the request was for `/api/`. Rendering in one place keeps internal detail out of every response: an
//! internal error is logged to stderr with a reference number and the runner sees only the number.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use runtall_domain::InputError;
use runtall_domain::plan::PlanError;
use runtall_store::StoreError;
use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};

/// Why the server did not start.
#[derive(Debug, thiserror::Error)]
pub enum WebError {
    #[error(
        "refusing to listen on {addr} without a password: anyone on that network could read and change your data. \
         Set a password (e.g. RUNTALL_WEB_PASSWORD) or bind 127.0.0.1"
    )]
    PasswordRequired { addr: SocketAddr },
    #[error("the password must be at least 8 characters")]
    WeakPassword,
    #[error("the password hash is not a valid argon2id PHC string")]
    BadPasswordHash,
    #[error("cannot listen on {addr}: {detail}")]
    Bind { addr: SocketAddr, detail: String },
    #[error(
        "--allow-host {name:?} is not a host name (give a name like runtall.local or an IP address, no scheme or path)"
    )]
    BadHostName { name: String },
    #[error("TLS: {path}: {detail}")]
    Tls { path: String, detail: String },
    #[error("TLS needs both --tls-cert and --tls-key")]
    TlsIncomplete,
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("web server stopped: {0}")]
    Runtime(String),
}

/// The error of one request, mapped to a status code.
#[derive(Debug, Clone)]
pub enum HttpError {
    /// 400: the request cannot be used; the message is for the runner.
    BadRequest(String),
    /// 422: a form or JSON body failed validation; messages by field name.
    Invalid(BTreeMap<String, String>),
    /// 401: a password is set and this session has not signed in.
    Unauthorized,
    /// 403: the CSRF token is missing or wrong.
    Forbidden,
    /// 403: a state-changing request whose `Origin` is another site's, or that the browser marks cross-site.
    CrossSite,
    /// 421: the `Host` is not one this server answers to (DNS rebinding), refused before any handler runs.
    WrongHost,
    /// 413: the declared body is larger than this route accepts; refused before reading it.
    TooLarge,
    /// 429: too many sign-in attempts; try again after this many seconds (also sent as `Retry-After`).
    TooMany { retry_after: u64 },
    /// 404.
    NotFound,
    /// 409: the program state does not allow this yet (no screen, locked, paused, no assessment).
    Conflict(String),
    /// 503: the database is busy (another runtall is writing); try again.
    Busy,
    /// 507: the disk holding the database (or the uploads) is full; what was saved before is kept.
    DiskFull,
    /// 500: logged with this reference; the detail never reaches the response.
    Internal(u64),
    /// 500: the athlete's audit log could not record a clinician's look, so the page is not shown (every look at an
    /// athlete's records is in their log). The cause is logged once per failed write (see `audit_writer`).
    NotAudited,
}

static INCIDENT: AtomicU64 = AtomicU64::new(1);

impl HttpError {
    /// Logs an internal failure and returns the error the runner sees (with a reference number only).
    pub fn internal(detail: impl std::fmt::Display) -> HttpError {
        let id = INCIDENT.fetch_add(1, Ordering::Relaxed);
        eprintln!("runtall web: internal error #{id}: {detail}");
        HttpError::Internal(id)
    }

    pub fn bad(msg: impl Into<String>) -> HttpError {
        HttpError::BadRequest(msg.into())
    }

    pub fn field(field: &str, msg: impl Into<String>) -> HttpError {
        HttpError::Invalid(BTreeMap::from([(field.to_string(), msg.into())]))
    }

    pub fn status(&self) -> StatusCode {
        match self {
            HttpError::BadRequest(_) => StatusCode::BAD_REQUEST,
            HttpError::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
            HttpError::Unauthorized => StatusCode::UNAUTHORIZED,
            HttpError::Forbidden | HttpError::CrossSite => StatusCode::FORBIDDEN,
            HttpError::WrongHost => StatusCode::MISDIRECTED_REQUEST,
            HttpError::TooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            HttpError::TooMany { .. } => StatusCode::TOO_MANY_REQUESTS,
            HttpError::NotFound => StatusCode::NOT_FOUND,
            HttpError::Conflict(_) => StatusCode::CONFLICT,
            HttpError::Busy => StatusCode::SERVICE_UNAVAILABLE,
            HttpError::DiskFull => StatusCode::INSUFFICIENT_STORAGE,
            HttpError::Internal(_) | HttpError::NotAudited => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// A short machine-readable name for the JSON body.
    pub fn code(&self) -> &'static str {
        match self {
            HttpError::BadRequest(_) => "bad-request",
            HttpError::Invalid(_) => "invalid",
            HttpError::Unauthorized => "unauthorized",
            HttpError::Forbidden => "forbidden",
            HttpError::CrossSite => "cross-site",
            HttpError::WrongHost => "wrong-host",
            HttpError::TooLarge => "too-large",
            HttpError::TooMany { .. } => "too-many-attempts",
            HttpError::NotFound => "not-found",
            HttpError::Conflict(_) => "conflict",
            HttpError::Busy => "busy",
            HttpError::DiskFull => "disk-full",
            HttpError::Internal(_) => "internal",
            HttpError::NotAudited => "not-audited",
        }
    }

    /// The runner-facing message: never contains internal detail.
    pub fn message(&self) -> String {
        match self {
            HttpError::BadRequest(m) | HttpError::Conflict(m) => m.clone(),
            HttpError::Invalid(fields) => {
                let n = fields.len();
                format!("{n} answer{} need{} a look", if n == 1 { "" } else { "s" }, if n == 1 { "s" } else { "" })
            }
            HttpError::Unauthorized => "Please sign in first.".into(),
            HttpError::Forbidden => {
                "This form has expired or did not come from this app. Go back, reload the page and try again.".into()
            }
            HttpError::CrossSite => "This request came from another site, so runtall refused it.".into(),
            HttpError::WrongHost => "runtall does not answer to this address. Open it as http://localhost or \
                                     127.0.0.1, or start it with --allow-host and the name you use."
                .into(),
            HttpError::TooLarge => "That request is larger than this page accepts.".into(),
            HttpError::TooMany { retry_after } => {
                format!("Too many sign-in attempts. Wait {} and try again.", seconds(*retry_after))
            }
            HttpError::NotFound => "There is nothing at this address.".into(),
            HttpError::Busy => "The database is busy (another runtall may be writing). Try again in a moment.".into(),
            HttpError::DiskFull => "The disk that holds your data is full. Everything saved before is kept; what you \
                                    just sent was not saved. Free some space on this computer and try again."
                .into(),
            HttpError::NotAudited => "This page is not shown because the athlete's audit log could not record this \
                                        look (every look at an athlete's records is recorded). Try again in a moment."
                .into(),
            HttpError::Internal(id) => {
                format!("Something went wrong on our side (reference {id}). Nothing you entered was lost.")
            }
        }
    }
}

/// "1 second", "40 seconds", "3 minutes".
pub fn seconds(s: u64) -> String {
    match s {
        1 => "1 second".into(),
        s if s < 120 => format!("{s} seconds"),
        s => format!("{} minutes", s.div_ceil(60)),
    }
}

impl IntoResponse for HttpError {
    fn into_response(self) -> Response {
        let mut response = self.status().into_response();
        if let HttpError::TooMany { retry_after } = self {
            response.headers_mut().insert(axum::http::header::RETRY_AFTER, retry_after.into());
        }
        response.extensions_mut().insert(self);
        response
    }
}

impl From<StoreError> for HttpError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Locked { .. } => HttpError::Busy,
            StoreError::DiskFull { .. } => HttpError::DiskFull,
            StoreError::Journal(e) => HttpError::field("journal", format!("{e}; nothing was imported")),
            StoreError::NotFound { .. } => HttpError::NotFound,
            StoreError::Exists { what } => HttpError::field("email", format!("{what} already exists")),
            e @ StoreError::Invalid(_) => HttpError::BadRequest(e.to_string()),
            other => HttpError::internal(other),
        }
    }
}

impl HttpError {
    /// A failed write to disk: a full disk says so (507, with what was kept), anything else is internal.
    pub fn from_io(e: std::io::Error) -> HttpError {
        if e.kind() == std::io::ErrorKind::StorageFull || e.kind() == std::io::ErrorKind::QuotaExceeded {
            HttpError::DiskFull
        } else {
            HttpError::internal(e)
        }
    }
}

impl From<InputError> for HttpError {
    fn from(e: InputError) -> Self {
        HttpError::field(&e.field, e.message)
    }
}

impl From<PlanError> for HttpError {
    fn from(e: PlanError) -> Self {
        match e {
            PlanError::UnknownItem(_) => HttpError::NotFound,
            PlanError::NotScreened => HttpError::Conflict("Take the safety check (red-flag screen) first.".into()),
            PlanError::Locked(_) => HttpError::Conflict(
                "The program is locked after an emergency-level answer. Once a clinician has checked you, confirm it \
                 on the safety check page."
                    .into(),
            ),
            PlanError::Paused(_) => HttpError::Conflict(
                "The program is paused: see a clinician today, then confirm it on the safety check page.".into(),
            ),
            e @ PlanError::RunNotAllowed { .. } => HttpError::Conflict(e.to_string()),
        }
    }
}

impl From<runtall_app::AppError> for HttpError {
    fn from(e: runtall_app::AppError) -> Self {
        use runtall_insights::InsightsError;
        match e {
            runtall_app::AppError::Store(e) => e.into(),
            runtall_app::AppError::Insights(InsightsError::OutOfRange { field, value, allowed }) => {
                HttpError::field(&field, format!("{value} is out of range (allowed {allowed})"))
            }
            runtall_app::AppError::Insights(InsightsError::Invalid { field, reason }) => {
                HttpError::field(&field, reason)
            }
            runtall_app::AppError::State(m) => HttpError::Conflict(m),
            runtall_app::AppError::Input(e) => e.into(),
            e @ (runtall_app::AppError::Corrupt { .. } | runtall_app::AppError::Photo(_)) => HttpError::internal(e),
        }
    }
}

#[cfg(test)]
mod disk_full_tests {
    use super::*;

    #[test]
    fn a_full_disk_is_a_507_that_says_what_was_kept() {
        let e = HttpError::from(StoreError::DiskFull { path: "/data/runtall.db".into() });
        assert_eq!(e.status(), StatusCode::INSUFFICIENT_STORAGE);
        assert_eq!(e.code(), "disk-full");
        let m = e.message();
        assert!(m.contains("full") && m.contains("kept") && m.contains("Free some space"), "{m}");
        let io = std::io::Error::from(std::io::ErrorKind::StorageFull);
        assert_eq!(HttpError::from_io(io).status(), StatusCode::INSUFFICIENT_STORAGE);
    }
}
