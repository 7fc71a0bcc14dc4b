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

pub const PASSWORD: &str = "a long enough password";

pub struct Clinic {
    pub router: Router,
    pub db: Db,
    pub dir: TempDir,
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

impl Clinic {
    pub fn new() -> Clinic {
        let dir = tempfile::tempdir().expect("temp dir");
        let db = Db::open_clinic(&dir.path().join("clinic.db")).expect("clinic db");
        Clinic::over(db, dir)
    }

    /// The server over an opened database (a restart is a new `Clinic` over the same file).
    pub fn over(db: Db, dir: TempDir) -> Clinic {
        let state = AppState::new(db.clone(), None).expect("state");
        Clinic { router: router(state), db, dir }
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
        let code = runtall_web::admin::add_clinician(&self.db, email, name).expect("add clinician");
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
