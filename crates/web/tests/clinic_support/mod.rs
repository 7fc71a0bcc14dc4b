//! The clinic server in-process for tests: `runtall server` over a temporary SQLite file, and clients that sign
//! in as clinicians and athletes the way people do (admin code → /reset, invitation → /signup), each with its own
//! session cookie and CSRF token.
#![allow(dead_code)]

use axum::Router;
use axum::body::Body;
use axum::http::{HeaderMap, Request, StatusCode, header};
use http_body_util::BodyExt;
use runtall_web::{AppState, Db, router};
use serde_json::Value;
use tempfile::TempDir;
use tower::ServiceExt;

/// One `#[tokio::test]` per backend for each case: the same behaviour on SQLite and PostgreSQL (the file that uses it
/// declares `#[macro_use] mod clinic_support;` and brings `Clinic` and `Backend` into scope).
#[allow(unused_macros)]
macro_rules! on_both {
    ($($case:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $case() {
                    super::$case(super::Clinic::new()).await;
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $case() {
                    let Some(clinic) = super::Clinic::on(super::Backend::Postgres) else { return };
                    super::$case(clinic).await;
                }
            )*
        }
    };
}

pub const PASSWORD: &str = "a long enough password";

/// The throwaway PostgreSQL cluster of the store's own tests (one per test binary).
pub use runtall_store_postgres::test_support as pg;

pub struct Clinic {
    pub router: Router,
    /// The state behind `router` (its caches), for work the server does outside requests.
    pub state: AppState,
    pub db: Db,
    pub dir: TempDir,
    /// The PostgreSQL database of a clinic on PostgreSQL (dropped with it).
    pub pg: Option<pg::TestDatabase>,
}

/// Which database a clinic runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

#[derive(Clone, Default)]
pub struct Client {
    pub cookie: String,
    pub csrf: String,
    /// A device token sent as `Authorization: Bearer` instead of the cookie.
    pub bearer: Option<String>,
}

#[derive(Debug)]
pub struct Reply {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: String,
}

impl Reply {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }
    pub fn location(&self) -> &str {
        self.headers.get(header::LOCATION).and_then(|v| v.to_str().ok()).unwrap_or("")
    }
    pub fn has(&self, text: &str) -> bool {
        self.body.contains(text)
    }
    /// The text of the first `<code class="token">` (a code or token shown once).
    pub fn token(&self) -> String {
        let start = self.body.find("class=\"token\">").unwrap_or_else(|| panic!("no token shown: {}", self.body));
        let rest = &self.body[start + "class=\"token\">".len()..];
        rest[..rest.find('<').expect("end of token")].to_string()
    }
    fn cookie(&self) -> Option<String> {
        self.headers
            .get_all(header::SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find_map(|v| v.split(';').next().filter(|kv| kv.starts_with("runtall_session=")).map(str::to_string))
    }
    fn csrf(&self) -> Option<String> {
        let start = self.body.find("name=\"csrf-token\" content=\"")?;
        let rest = &self.body[start + "name=\"csrf-token\" content=\"".len()..];
        Some(rest[..rest.find('"')?].to_string())
    }
}

/// Runs `f` on a plain thread (the `postgres` client must not be opened or closed on the test's runtime).
pub fn off_runtime<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    std::thread::spawn(f).join().expect("thread")
}

impl Drop for Clinic {
    fn drop(&mut self) {
        if let Some(database) = self.pg.take() {
            off_runtime(move || drop(database));
        }
    }
}

impl Clinic {
    pub fn new() -> Clinic {
        Clinic::on(Backend::Sqlite).expect("SQLite is always there")
    }

    /// A clinic on `backend`; `None` (after saying "skipped") for PostgreSQL when there is none outside CI.
    pub fn on(backend: Backend) -> Option<Clinic> {
        let dir = tempfile::tempdir().expect("temp dir");
        match backend {
            Backend::Sqlite => {
                let db = Db::open_clinic(&dir.path().join("clinic.db")).expect("clinic db");
                Some(Clinic::over(db, dir, None))
            }
            Backend::Postgres => {
                let Some(server) = off_runtime(pg::server) else {
                    pg::skipped("the clinic server on PostgreSQL");
                    return None;
                };
                // The synchronous client runs a runtime of its own: connect (and later close) off the test's.
                let (database, pool) = off_runtime(move || {
                    let database = server.fresh_database();
                    let pool = database.connect();
                    (database, pool)
                });
                // Opened as `runtall server --database-url` opens it, on the test's runtime: that also finishes any
                // athlete's pending relabelling pass before serving, which must not run the client on this runtime.
                let db =
                    runtall_web::ClinicDatabase::Shared { database: Box::new(pool), files: dir.path().to_path_buf() }
                        .open()
                        .expect("clinic database");
                Some(Clinic::over(db, dir, Some(database)))
            }
        }
    }

    /// The server over an opened database.
    pub fn over(db: Db, dir: TempDir, pg: Option<pg::TestDatabase>) -> Clinic {
        let state = AppState::new(db.clone(), None).expect("state");
        Clinic { router: router(state.clone()), state, db, dir, pg }
    }

    /// A new server process over the same database (its own connections).
    pub fn restart(mut self) -> Clinic {
        let pg = self.pg.take();
        let dir = tempfile::tempdir().expect("placeholder");
        let dir = std::mem::replace(&mut self.dir, dir);
        drop(self);
        let files = dir.path().to_path_buf();
        let (db, pg) = match pg {
            Some(database) => off_runtime(move || {
                let pool = database.connect();
                (Db::shared(Box::new(pool), &files), Some(database))
            }),
            None => (Db::open_clinic(&files.join("clinic.db")).expect("reopen"), None),
        };
        Clinic::over(db, dir, pg)
    }

    /// The account with this email, read from the database.
    pub fn account(&self, email: &str) -> runtall_store::accounts::Account {
        let (db, email) = (self.db.clone(), email.to_string());
        let found = off_runtime(move || db.blocking_accounts(|a| a.account_by_email(&email)));
        found.expect("accounts").expect("lookup").expect("no such account").0
    }

    /// Runs `f` on the database, off the test's runtime.
    pub fn with_db<T: Send + 'static>(&self, f: impl FnOnce(&Db) -> T + Send + 'static) -> T {
        let db = self.db.clone();
        off_runtime(move || f(&db))
    }

    pub async fn send(&self, req: Request<Body>) -> Reply {
        let res = self.router.clone().oneshot(req).await.expect("infallible");
        let status = res.status();
        let headers = res.headers().clone();
        let bytes = res.into_body().collect().await.expect("body").to_bytes();
        Reply { status, headers, body: String::from_utf8_lossy(&bytes).into_owned() }
    }

    fn with_auth(&self, who: &Client, mut req: axum::http::request::Builder) -> axum::http::request::Builder {
        if let Some(token) = &who.bearer {
            req = req.header(header::AUTHORIZATION, format!("Bearer {token}"));
        } else if !who.cookie.is_empty() {
            req = req.header(header::COOKIE, &who.cookie);
        }
        req
    }

    pub async fn get(&self, who: &Client, path: &str) -> Reply {
        let req = self.with_auth(who, Request::get(path));
        self.send(req.body(Body::empty()).expect("request")).await
    }

    pub async fn form(&self, who: &Client, path: &str, pairs: &[(&str, &str)]) -> Reply {
        let mut all: Vec<(&str, &str)> = vec![("_csrf", who.csrf.as_str())];
        all.extend_from_slice(pairs);
        let body: String = form_urlencoded::Serializer::new(String::new()).extend_pairs(all).finish();
        let req = self
            .with_auth(who, Request::post(path))
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(body))
            .expect("request");
        self.send(req).await
    }

    pub async fn api(&self, who: &Client, path: &str, body: Value) -> Reply {
        let req = self
            .with_auth(who, Request::post(path))
            .header("x-csrf-token", &who.csrf)
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(body.to_string()))
            .expect("request");
        self.send(req).await
    }

    /// A browser that has opened the sign-in page: an anonymous session and its token.
    pub async fn visitor(&self) -> Client {
        let r = self.get(&Client::default(), "/login").await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        Client { cookie: r.cookie().expect("session cookie"), csrf: r.csrf().expect("csrf"), bearer: None }
    }

    /// Follows a sign-in's redirect: takes the new session cookie and the token of a page of the new session.
    async fn signed_in(&self, mut who: Client, r: Reply, page: &str) -> Client {
        assert_eq!(r.status, StatusCode::SEE_OTHER, "signed in: {}", r.body);
        who.cookie = r.cookie().expect("the account session's cookie");
        assert!(who.cookie.starts_with("runtall_session=a."), "an account session: {}", who.cookie);
        let page = self.get(&who, page).await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.body);
        who.csrf = page.csrf().expect("csrf");
        who
    }

    /// A clinician made with the admin command, who sets the password with the printed code.
    pub async fn clinician(&self, email: &str, name: &str) -> Client {
        let (db, email_, name) = (self.db.clone(), email.to_string(), name.to_string());
        let code = off_runtime(move || runtall_web::admin::add_clinician(&db, &email_, &name)).expect("add clinician");
        let v = self.visitor().await;
        let r = self.form(&v, "/reset", &[("step", "set"), ("code", &code), ("password", PASSWORD)]).await;
        self.signed_in(v, r, "/clinic").await
    }

    /// A new invitation code of this clinician.
    pub async fn invite(&self, clinician: &Client) -> String {
        let r = self.form(clinician, "/clinic/invitations", &[]).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        r.token()
    }

    /// An athlete who signs up with an invitation code.
    pub async fn athlete(&self, code: &str, email: &str, name: &str) -> Client {
        let v = self.visitor().await;
        let r =
            self.form(&v, "/signup", &[("code", code), ("name", name), ("email", email), ("password", PASSWORD)]).await;
        self.signed_in(v, r, "/account").await
    }

    pub async fn sign_in(&self, email: &str, password: &str) -> Result<Client, Reply> {
        let v = self.visitor().await;
        let r = self.form(&v, "/login", &[("email", email), ("password", password)]).await;
        if r.status != StatusCode::SEE_OTHER {
            return Err(r);
        }
        let to = r.location().to_string();
        Ok(self.signed_in(v, r, if to.starts_with("/clinic") { "/clinic" } else { "/account" }).await)
    }

    /// Screen clear and the example assessment, as this athlete.
    pub async fn onboard(&self, who: &Client) {
        let r = self.api(who, "/api/screen", serde_json::json!({ "yes": [], "others": "no" })).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let r = self.api(who, "/api/assessment", example_assessment()).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    }
}

pub fn example_assessment() -> Value {
    serde_json::json!({
        "regions": ["neck", "upper-trap-right", "between-shoulder-blades"],
        "when": ["long-runs", "after-runs", "at-desk", "with-pack"],
        "baseline_pain": 5, "conditions": [], "equipment": ["mat", "band", "foam-roller", "towel"], "age": 38,
        "exposures": { "runs_per_week": 4, "weekly_km": 42, "long_run_km": 18, "speed_sessions_per_week": 1,
            "surfaces": ["road", "trail"], "hydration_pack": "long-runs", "sitting_hours_per_day": 9,
            "car_hours_per_week": 4, "years_running": 3, "destination_race": true },
        "psfs": [ { "activity": "Run 90 minutes", "score": 4 }, { "activity": "Laptop morning", "score": 5 },
                  { "activity": "Sleep through", "score": 7 } ]
    })
}

/// The clinician's dashboard as (name, athlete id, row) in its order, through its JSON twin.
pub async fn dashboard(clinic: &Clinic, who: &Client) -> Vec<(String, i64, Value)> {
    let r = clinic.get(who, "/api/clinic/dashboard").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    r.json()
        .as_array()
        .expect("rows")
        .iter()
        .map(|row| (row["name"].as_str().expect("name").to_string(), row["athlete"].as_i64().expect("id"), row.clone()))
        .collect()
}
