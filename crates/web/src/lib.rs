//! runtall in the browser.
//!
//! Server-rendered HTML (maud) and a JSON API under `/api/`, both thin over the same library calls the CLI makes
//! (`runtall_domain::{screen, assess, plan, journal}`, `runtall_store::Store`). Everything the browser loads is
//! embedded in the binary, so the app works offline and from a phone on the same network.
//!
//! Safety by default: the server binds 127.0.0.1; binding any other address needs a password (hashed with
//! argon2id, checked under a throttle; session cookie `HttpOnly; SameSite=Strict`, `Secure` over TLS) or
//! [`serve`] refuses to start. It answers only to known host names (no DNS rebinding) and refuses cross-site
//! writes; every POST carries a per-session CSRF token (hidden form field, or the `X-CSRF-Token` header for the
//! API); responses carry a strict Content-Security-Policy (no inline scripts); request bodies are size-limited up
//! front; connections have header-read and idle timeouts and a cap ([`Server`]); errors are rendered from one type
//! ([`HttpError`]) without internal detail. `docs/security.md` has the threat model.
//!
//! Maud rather than askama: templates are plain Rust functions, so page fragments compose like any other code
//! (the plan item renderer is reused by Today and the plan page), escaping is on by default, and there are no
//! template files to keep in sync with field names; it also builds faster here.

mod assets;
pub mod attention_warming;
mod audit_writer;
mod auth;
mod body_limits;
mod charts;
mod comments;
mod db;
mod error;
mod form;
mod hosts;
pub mod housekeeping;
mod import_jobs;
mod insight_charts;
mod insights_cache;
mod layout;
mod one_transaction;
mod openapi;
mod per_athlete;
mod posture_charts;
pub mod principal;
mod pwa;
pub mod report_page;
pub mod route_map;
mod routes;
mod server;
mod session;
mod sign_in_guard;
mod units;

pub use db::{Db, SharedDatabase};
pub use error::{HttpError, WebError};
pub use hosts::HostPolicy;
pub use server::{Limits, Peer, Server, ServerStats, TlsFiles, tls_config};

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

pub use body_limits::{BODY_LIMIT, UPLOAD_LIMIT};

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
    /// Host names the server answers to besides localhost, the loopback addresses and the address it is reached
    /// at (`--allow-host`): a name the phone uses, such as `runtall.local`.
    pub allow_hosts: Vec<String>,
    /// Serve HTTPS with this certificate and key (`--tls-cert`, `--tls-key`).
    pub tls: Option<TlsFiles>,
    /// Timeouts and the connection cap.
    pub limits: Limits,
}

impl Default for ServeConfig {
    fn default() -> Self {
        ServeConfig {
            addr: SocketAddr::from(([127, 0, 0, 1], 8080)),
            db_path: PathBuf::from("runtall.db"),
            password: None,
            allow_hosts: Vec::new(),
            tls: None,
            limits: Limits::default(),
        }
    }
}

/// Shared state of every handler: the database pool, the sessions, the optional password, and the program.
#[derive(Clone)]
pub struct AppState {
    pub(crate) db: Db,
    pub(crate) sessions: Arc<session::Sessions>,
    pub(crate) password: Option<Arc<auth::PasswordHash>>,
    /// Throttling of password checks (see `sign_in_guard`).
    pub(crate) sign_in: Arc<sign_in_guard::SignInGuard>,
    /// The `Host` names this server answers to (see `hosts`).
    pub(crate) hosts: Arc<HostPolicy>,
    pub(crate) program: &'static runtall_content::Program,
    pub(crate) imports: Arc<import_jobs::ImportJobs>,
    /// Per athlete: what the insights page computes from the journal, kept until the journal changes (see
    /// `insights_cache`), the current plan, kept per journal revision (see `runtall_app::plan`), and the browser's
    /// sitting-break scheduler (see `routes::breaks`).
    pub(crate) derived: Arc<per_athlete::PerAthlete>,
    /// Clinicians' looks, written to the athletes' audit logs together (see `audit_writer`).
    pub(crate) audit: Arc<audit_writer::AuditWriter>,
}

impl AppState {
    /// State over an opened database. `password` as in [`ServeConfig::password`]; hashing it takes ~50 ms. The
    /// server answers to loopback names only until [`AppState::allow_hosts`] adds more.
    pub fn new(db: Db, password: Option<&str>) -> Result<AppState, WebError> {
        let password = password.map(auth::PasswordHash::from_config).transpose()?.map(Arc::new);
        Ok(AppState {
            audit: Arc::new(audit_writer::AuditWriter::new(&db)),
            db,
            sessions: Arc::new(session::Sessions::default()),
            password,
            sign_in: Arc::default(),
            hosts: Arc::default(),
            program: runtall_content::program(),
            imports: Arc::default(),
            derived: Arc::default(),
        })
    }

    /// Also answers to these host names or addresses (`--allow-host`); refuses what is not a host name.
    pub fn allow_hosts<S: AsRef<str>>(mut self, names: &[S]) -> Result<AppState, WebError> {
        let mut policy = (*self.hosts).clone();
        for name in names {
            policy.allow(name.as_ref())?;
        }
        self.hosts = Arc::new(policy);
        Ok(self)
    }

    /// Also answers to this address (the one the server listens on).
    pub fn allow_ip(mut self, ip: std::net::IpAddr) -> AppState {
        let mut policy = (*self.hosts).clone();
        policy.allow_ip(ip);
        self.hosts = Arc::new(policy);
        self
    }

    /// The derived state of the athlete the request serves; 404 for a request about no athlete (a clinician).
    pub(crate) fn mine(&self) -> Result<Arc<per_athlete::Derived>, HttpError> {
        self.db.serving().map(|a| self.derived.get(a)).ok_or(HttpError::NotFound)
    }

    /// The kept posture photos of the athlete the request serves; 404 for a request about no athlete.
    pub(crate) fn photos(&self) -> Result<runtall_app::posture::PhotoStore, HttpError> {
        let athlete = self.db.serving().ok_or(HttpError::NotFound)?;
        Ok(runtall_app::posture::PhotoStore::beside(&self.db.files_path(athlete)))
    }

    /// Whether pages and API calls need a login.
    pub fn requires_login(&self) -> bool {
        self.password.is_some() || self.db.is_multi_user()
    }

    /// Sessions held in server memory: only signed-in ones (anonymous sessions store nothing).
    pub fn stored_sessions(&self) -> usize {
        self.sessions.stored()
    }
}

/// The whole app as an axum router, for `serve` and for in-process tests.
pub fn router(state: AppState) -> axum::Router {
    routes::router(state)
}

/// What `serve` prints when the server is reachable from other machines over plain HTTP.
pub const CLEAR_TEXT_WARNING: &str = "warning: this server is reachable from other machines over plain HTTP: your \
     password and your health data cross the network unencrypted, readable by anyone on it. Serve HTTPS with \
     --tls-cert and --tls-key (docs/security.md shows how to make a certificate for your phone).";

/// The warning for a server other machines reach without TLS, if this one is such a server.
fn clear_text_warning(bound: SocketAddr, tls: bool) -> Option<&'static str> {
    (!tls && !bound.ip().is_loopback()).then_some(CLEAR_TEXT_WARNING)
}

/// Where a clinic server keeps its data.
pub enum ClinicDatabase {
    /// One SQLite file (`--db`, default `clinic.db`): one clinic on one machine, nothing to install.
    Sqlite(PathBuf),
    /// Another database, such as PostgreSQL (`--database-url`), with the folder for uploads and posture photos.
    Shared { database: Box<dyn SharedDatabase>, files: PathBuf },
}

impl ClinicDatabase {
    /// Opens it (a SQLite file is created and migrated).
    pub fn open(self) -> Result<Db, WebError> {
        Ok(match self {
            ClinicDatabase::Sqlite(path) => Db::open_clinic(&path)?,
            ClinicDatabase::Shared { database, files } => {
                // Every athlete's relabelling pass an import left unfinished is finished before serving, as a SQLite
                // clinic database does on opening; on a plain thread, because the PostgreSQL client blocks on a
                // runtime of its own and panics when called on the server's.
                std::thread::scope(|s| {
                    s.spawn(|| database.settle_labels());
                });
                Db::shared(database, &files)
            }
        })
    }
}

/// How `runtall server` starts: the web app with accounts, many athletes and their clinicians.
pub struct ClinicConfig {
    pub addr: SocketAddr,
    pub database: ClinicDatabase,
    /// As [`ServeConfig::allow_hosts`].
    pub allow_hosts: Vec<String>,
    pub tls: Option<TlsFiles>,
    pub limits: Limits,
}

/// The commands an administrator runs on the server's machine (`runtall server admin ...`): there is no email
/// service, so codes are printed for the administrator to hand over.
pub mod admin {
    use crate::Db;
    use crate::error::HttpError;
    use runtall_store::accounts::Role;

    /// Why an admin command failed, in words.
    #[derive(Debug, thiserror::Error)]
    pub enum AdminError {
        #[error(transparent)]
        Store(#[from] runtall_store::StoreError),
        #[error("{0}")]
        User(String),
    }

    fn blocking<T>(
        r: Result<Result<T, runtall_store::StoreError>, runtall_store::StoreError>,
    ) -> Result<T, AdminError> {
        Ok(r??)
    }

    /// Makes a clinician account without a password and returns a one-time code (valid 7 days) with which the
    /// clinician sets it on the server's `/reset` page.
    pub fn add_clinician(db: &Db, email: &str, name: &str) -> Result<String, AdminError> {
        if let Err(problem) = crate::routes::check_new_account(name.trim(), email.trim()) {
            return Err(AdminError::User(problem.to_string()));
        }
        let made = blocking(db.blocking_accounts(|a| {
            a.create_account(email, name.trim(), Role::Clinician, None)?;
            crate::routes::make_reset_code(a, email, crate::routes::FIRST_PASSWORD_VALID)
        }))?;
        made.map(|(_, code)| code).ok_or_else(|| AdminError::User("the account was not found after making it".into()))
    }

    /// A one-time password reset code (valid one hour) for the account with this email.
    pub fn reset_code(db: &Db, email: &str) -> Result<String, AdminError> {
        let made =
            blocking(db.blocking_accounts(|a| crate::routes::make_reset_code(a, email, crate::routes::RESET_VALID)))?;
        made.map(|(_, code)| code).ok_or_else(|| AdminError::User(format!("no account has the email {email}")))
    }

    impl From<AdminError> for HttpError {
        fn from(e: AdminError) -> Self {
            HttpError::internal(e)
        }
    }
}

/// Starts the clinic server and blocks until Ctrl-C. Sign-in is always required; other machines reach it only
/// through `addr`, and off loopback without TLS it warns as [`serve`] does.
pub fn serve_clinic(config: ClinicConfig) -> Result<(), WebError> {
    let tls = config.tls.as_ref().map(server::tls_config).transpose()?;
    for name in &config.allow_hosts {
        HostPolicy::default().allow(name)?;
    }
    let db = config.database.open()?;
    import_jobs::remove_stale_uploads(db.path());
    housekeeping::purge_and_say(&db);
    let purging = db.clone();
    let state = AppState::new(db, None)?.allow_hosts(&config.allow_hosts)?.allow_ip(config.addr.ip());
    run_server(
        state,
        config.addr,
        tls,
        config.limits,
        "Clinic server: sign in with an account (runtall server admin add-clinician makes the first).",
        Some(purging),
    )
}

/// Starts the web app and blocks until Ctrl-C. Starts its own tokio runtime, so the CLI stays synchronous.
pub fn serve(config: ServeConfig) -> Result<(), WebError> {
    if !config.addr.ip().is_loopback() && config.password.as_deref().is_none_or(|p| p.trim().is_empty()) {
        return Err(WebError::PasswordRequired { addr: config.addr });
    }
    // Check everything given (password, host names, certificate) before touching the database, so a refused
    // start changes nothing.
    let hashed = config.password.as_deref().map(auth::PasswordHash::from_config).transpose()?;
    let tls = config.tls.as_ref().map(server::tls_config).transpose()?;
    for name in &config.allow_hosts {
        HostPolicy::default().allow(name)?;
    }
    let db = Db::open(&config.db_path)?;
    import_jobs::remove_stale_uploads(&config.db_path);
    let state = AppState::new(db, hashed.as_ref().map(auth::PasswordHash::as_phc))?
        .allow_hosts(&config.allow_hosts)?
        .allow_ip(config.addr.ip());
    let note = if state.requires_login() { "A password is required to sign in." } else { "" };
    run_server(state, config.addr, tls, config.limits, note, None)
}

/// The accept loop of both servers, on a runtime of its own, until Ctrl-C.
fn run_server(
    state: AppState,
    addr: SocketAddr,
    tls: Option<Arc<rustls::ServerConfig>>,
    limits: Limits,
    note: &str,
    housekeeping: Option<Db>,
) -> Result<(), WebError> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| WebError::Runtime(e.to_string()))?;
    runtime.block_on(async move {
        let listener =
            tokio::net::TcpListener::bind(addr).await.map_err(|e| WebError::Bind { addr, detail: e.to_string() })?;
        let bound = listener.local_addr().map_err(|e| WebError::Bind { addr, detail: e.to_string() })?;
        let scheme = if tls.is_some() { "https" } else { "http" };
        println!("runtall is at {scheme}://{bound}/  (Ctrl-C to stop)");
        if !note.is_empty() {
            println!("{note}");
        }
        if let Some(warning) = clear_text_warning(bound, tls.is_some()) {
            eprintln!("{warning}");
        }
        if let Some(db) = housekeeping {
            housekeeping::spawn(db, housekeeping::EVERY);
            attention_warming::spawn(state.clone(), attention_warming::EVERY);
        }
        let mut server = Server::new(router(state)).limits(limits);
        if let Some(tls) = tls {
            server = server.tls(tls);
        }
        server
            .run(listener, async {
                let _ = tokio::signal::ctrl_c().await;
            })
            .await
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_http_off_loopback_is_warned_about() {
        let at = |a: &str| a.parse::<SocketAddr>().expect("address");
        assert!(clear_text_warning(at("0.0.0.0:8080"), false).is_some_and(|w| w.contains("unencrypted")));
        assert!(clear_text_warning(at("192.168.1.20:8080"), false).is_some());
        assert!(clear_text_warning(at("[::]:8080"), false).is_some());
        assert!(clear_text_warning(at("0.0.0.0:8443"), true).is_none(), "TLS");
        assert!(clear_text_warning(at("127.0.0.1:8080"), false).is_none(), "loopback");
        assert!(clear_text_warning(at("[::1]:8080"), false).is_none(), "loopback");
    }
}
