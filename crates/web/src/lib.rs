//! runtall in the browser.
//!
//! Server-rendered HTML (maud) and a JSON API under `/api/`, both thin over the same library calls the CLI makes
//! (`runtall_domain::{screen, assess, plan, journal}`, `runtall_store::Store`). Everything the browser loads is
//! embedded in the binary, so the app works offline and from a phone on the same network.
//!
//! Safety by default: the server binds 127.0.0.1; binding any other address needs a password (hashed with
//! argon2id, session cookie `HttpOnly; SameSite=Strict`) or [`serve`] refuses to start. Every POST carries a
//! per-session CSRF token (hidden form field, or the `X-CSRF-Token` header for the API), responses carry a strict
//! Content-Security-Policy (no inline scripts), request bodies are size-limited, and errors are rendered from one
//! type ([`HttpError`]) without internal detail.
//!
//! Maud rather than askama: templates are plain Rust functions, so page fragments compose like any other code
//! (the plan item renderer is reused by Today and the plan page), escaping is on by default, and there are no
//! template files to keep in sync with field names; it also builds faster here.

mod assets;
mod auth;
mod charts;
mod db;
mod error;
mod form;
mod import_jobs;
mod insight_charts;
mod insights_cache;
mod layout;
mod openapi;
mod posture_charts;
mod routes;
mod session;
mod timeline;
mod units;

pub use db::Db;
pub use error::{HttpError, WebError};
pub use timeline::{Segment, SegmentKind, Timeline, build_timeline};

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

/// Largest request body accepted anywhere (forms and JSON) but the watch-file upload.
pub const BODY_LIMIT: usize = 256 * 1024;

/// Largest upload of watch files in one request: a whole Strava or Garmin export fits (they run to a few hundred
/// MB); the files are streamed to disk beside the database, never held in memory.
pub const UPLOAD_LIMIT: usize = 2 * 1024 * 1024 * 1024;

/// How `runtall serve` starts the web app.
#[derive(Debug, Clone)]
pub struct ServeConfig {
    /// Address to listen on. `127.0.0.1:8080` by default; a non-loopback address requires `password`.
    pub addr: SocketAddr,
    /// The SQLite database, the same file the CLI uses.
    pub db_path: PathBuf,
    /// Password for a server reachable from other machines: plain text (hashed with argon2id at start and then
    /// dropped) or an argon2id PHC string (`$argon2id$...`). When set, sign-in is required on loopback too.
    pub password: Option<String>,
}

impl Default for ServeConfig {
    fn default() -> Self {
        ServeConfig {
            addr: SocketAddr::from(([127, 0, 0, 1], 8080)),
            db_path: PathBuf::from("runtall.db"),
            password: None,
        }
    }
}

/// Shared state of every handler: the database pool, the sessions, the optional password, and the program.
#[derive(Clone)]
pub struct AppState {
    pub(crate) db: Db,
    pub(crate) sessions: Arc<session::Sessions>,
    pub(crate) password: Option<Arc<auth::PasswordHash>>,
    pub(crate) program: &'static runtall_content::Program,
    pub(crate) imports: Arc<import_jobs::ImportJobs>,
    /// What the insights page computes from the journal, kept until the journal changes (see `insights_cache`).
    pub(crate) insights_cache: Arc<insights_cache::InsightsCache>,
}

impl AppState {
    /// State over an opened database. `password` as in [`ServeConfig::password`]; hashing it takes ~50 ms.
    pub fn new(db: Db, password: Option<&str>) -> Result<AppState, WebError> {
        let password = password.map(auth::PasswordHash::from_config).transpose()?.map(Arc::new);
        Ok(AppState {
            db,
            sessions: Arc::new(session::Sessions::default()),
            password,
            program: runtall_content::program(),
            imports: Arc::default(),
            insights_cache: Arc::default(),
        })
    }

    /// Whether pages and API calls need a login.
    pub fn requires_login(&self) -> bool {
        self.password.is_some()
    }
}

/// The whole app as an axum router, for `serve` and for in-process tests.
pub fn router(state: AppState) -> axum::Router {
    routes::router(state)
}

/// Starts the web app and blocks until Ctrl-C. Starts its own tokio runtime, so the CLI stays synchronous.
pub fn serve(config: ServeConfig) -> Result<(), WebError> {
    if !config.addr.ip().is_loopback() && config.password.as_deref().is_none_or(|p| p.trim().is_empty()) {
        return Err(WebError::PasswordRequired { addr: config.addr });
    }
    // Check (and hash) the password before touching the database, so a refused start changes nothing.
    let hashed = config.password.as_deref().map(auth::PasswordHash::from_config).transpose()?;
    let db = Db::open(&config.db_path)?;
    import_jobs::remove_stale_uploads(&config.db_path);
    let state = AppState::new(db, hashed.as_ref().map(auth::PasswordHash::as_phc))?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| WebError::Runtime(e.to_string()))?;
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind(config.addr)
            .await
            .map_err(|e| WebError::Bind { addr: config.addr, detail: e.to_string() })?;
        let bound = listener.local_addr().map_err(|e| WebError::Bind { addr: config.addr, detail: e.to_string() })?;
        println!("runtall is at http://{bound}/  (Ctrl-C to stop)");
        if state.requires_login() {
            println!("A password is required to sign in.");
        }
        axum::serve(listener, router(state))
            .with_graceful_shutdown(async {
                let _ = tokio::signal::ctrl_c().await;
            })
            .await
            .map_err(|e| WebError::Runtime(e.to_string()))
    })
}
