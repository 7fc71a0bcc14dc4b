//! The harness every handler test shares: the app in-process over a temporary SQLite file, a session with its
//! CSRF token, and helpers to onboard and to add runs.
#![allow(dead_code)]

use axum::Router;
use axum::body::Body;
use axum::http::{HeaderMap, Request, StatusCode, header};
use http_body_util::BodyExt;
use jiff::{SignedDuration, Timestamp};
use runtall_domain::activity::{Activity, Samples, SourceFile, Sport};
use runtall_store::{SqliteStore, Store};
use runtall_web::{AppState, Db, router};
use serde_json::{Value, json};
use tempfile::TempDir;
use tower::ServiceExt;

pub struct App {
    pub router: Router,
    pub dir: TempDir,
    pub cookie: String,
    pub csrf: String,
}

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
}

pub fn session_cookie(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|v| v.split(';').next().filter(|kv| kv.starts_with("runtall_session=")).map(str::to_string))
}

pub async fn app_with(password: Option<&str>) -> App {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = Db::open(&dir.path().join("t.db")).expect("db opens");
    let state = AppState::new(db, password).expect("state");
    let mut app = App { router: router(state), dir, cookie: String::new(), csrf: String::new() };
    if password.is_none() {
        let r = app.get("/api/session").await;
        app.cookie = session_cookie(&r.headers).expect("session cookie");
        app.csrf = r.json()["csrf_token"].as_str().expect("token").to_string();
    }
    app
}

pub async fn app() -> App {
    app_with(None).await
}

impl App {
    pub async fn send(&self, req: Request<Body>) -> Reply {
        let res = self.router.clone().oneshot(req).await.expect("infallible");
        let status = res.status();
        let headers = res.headers().clone();
        let bytes = res.into_body().collect().await.expect("body").to_bytes();
        Reply { status, headers, body: String::from_utf8_lossy(&bytes).into_owned() }
    }

    pub async fn get(&self, path: &str) -> Reply {
        let mut req = Request::get(path);
        if !self.cookie.is_empty() {
            req = req.header(header::COOKIE, &self.cookie);
        }
        self.send(req.body(Body::empty()).expect("request")).await
    }

    pub async fn form(&self, path: &str, pairs: &[(&str, &str)]) -> Reply {
        let mut all: Vec<(&str, &str)> = vec![("_csrf", self.csrf.as_str())];
        all.extend_from_slice(pairs);
        self.form_raw(path, &all).await
    }

    pub async fn form_raw(&self, path: &str, pairs: &[(&str, &str)]) -> Reply {
        let body: String = form_urlencoded::Serializer::new(String::new()).extend_pairs(pairs).finish();
        let req = Request::post(path)
            .header(header::COOKIE, &self.cookie)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(body))
            .expect("request");
        self.send(req).await
    }

    /// A JSON POST with the given CSRF token (None: without one).
    pub async fn api_with(&self, path: &str, body: Value, csrf: Option<&str>) -> Reply {
        let mut req = Request::post(path).header(header::COOKIE, &self.cookie);
        if let Some(token) = csrf {
            req = req.header("x-csrf-token", token);
        }
        let req =
            req.header(header::CONTENT_TYPE, "application/json").body(Body::from(body.to_string())).expect("request");
        self.send(req).await
    }

    pub async fn api(&self, path: &str, body: Value) -> Reply {
        let req = Request::post(path)
            .header(header::COOKIE, &self.cookie)
            .header("x-csrf-token", &self.csrf)
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(body.to_string()))
            .expect("request");
        self.send(req).await
    }

    pub fn store(&self) -> SqliteStore {
        SqliteStore::open(&self.dir.path().join("t.db")).expect("store")
    }

    /// Screen clear and the documented example assessment, through the API.
    pub async fn onboard(&self) {
        assert_eq!(self.api("/api/screen", json!({ "yes": [], "others": "no" })).await.status, StatusCode::OK);
        let r = self.api("/api/assessment", example_assessment()).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    }
}

pub fn example_assessment() -> Value {
    json!({
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

pub fn assessment_form() -> Vec<(&'static str, &'static str)> {
    vec![
        ("regions", "neck"),
        ("regions", "mid-back"),
        ("when", "long-runs"),
        ("baseline_pain", "4"),
        ("exposures.runs_per_week", "4"),
        ("exposures.weekly_km", "40"),
        ("exposures.long_run_km", "16"),
        ("exposures.speed_sessions_per_week", "1"),
        ("exposures.surfaces", "road"),
        ("exposures.hydration_pack", "never"),
        ("exposures.sitting_hours_per_day", "8"),
        ("exposures.years_running", "3"),
        ("psfs[0].activity", "Run an hour"),
        ("psfs[0].score", "4"),
        ("psfs[1].activity", "Desk morning"),
        ("psfs[1].score", "5"),
        ("psfs[2].activity", "Sleep"),
        ("psfs[2].score", "6"),
    ]
}

pub fn all_no(app_flags: &Value) -> Vec<(String, String)> {
    app_flags["questions"]
        .as_array()
        .expect("questions")
        .iter()
        .map(|q| (format!("q-{}", q["id"].as_str().expect("id")), "no".to_string()))
        .collect()
}

pub async fn screen_form(app: &App, yes: Option<&str>) -> Reply {
    let flags = app.get("/api/screen/questions").await.json();
    let mut pairs = all_no(&flags);
    if let Some(id) = yes {
        for p in pairs.iter_mut().filter(|p| p.0 == format!("q-{id}")) {
            p.1 = "yes".into();
        }
    }
    let refs: Vec<(&str, &str)> = pairs.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
    app.form("/screen", &refs).await
}

pub fn flag_of_level(flags: &Value, level: &str) -> String {
    flags["questions"].as_array().expect("questions").iter().find(|q| q["level"] == level).expect("flag")["id"]
        .as_str()
        .expect("id")
        .to_string()
}

pub fn add_run(store: &dyn Store, hours_ago: i64, hash: &str) -> i64 {
    add_activity(store, Sport::Running, hours_ago, hash, 6000.0, 1990.0)
}

/// An activity of `sport` covering `distance_m` in `moving_s`, heading north-east from Vienna (positions given).
pub fn add_activity(
    store: &dyn Store,
    sport: Sport,
    hours_ago: i64,
    hash: &str,
    distance_m: f64,
    moving_s: f64,
) -> i64 {
    let start = Timestamp::now().checked_sub(SignedDuration::from_hours(hours_ago)).expect("time");
    let mut samples = Samples::default();
    let v = distance_m / moving_s;
    for i in 0..200 {
        let t = i as f64 * moving_s / 200.0;
        let (d, lat, lon) = (t * v, 48.2 + t * v / 111_195.0 * 0.7, 16.37 + t * v / 74_000.0 * 0.7);
        samples.push(t, Some(d), Some(v + (i % 7) as f64 * 0.05), Some(140.0), None, Some(50.0), Some(lat), Some(lon));
    }
    let a = Activity {
        sport,
        sub_sport: None,
        name: Some(if sport.is_run() { "Test run" } else { "Test activity" }.into()),
        start,
        utc_offset_s: None,
        elapsed_s: moving_s + 10.0,
        moving_s,
        distance_m,
        ascent_m: None,
        descent_m: None,
        avg_hr_bpm: Some(140.0),
        max_hr_bpm: None,
        avg_cadence_spm: None,
        avg_respiration_brpm: None,
        dynamics: None,
        device: None,
        quality: Default::default(),
        laps: vec![],
        samples,
        source: SourceFile { path: "t.fit".into(), format: "fit".into(), content_hash: hash.into() },
        warnings: vec![],
    };
    match store.add_activity(&a, None).expect("add") {
        runtall_store::AddOutcome::Added { id } => id,
        other => panic!("{other:?}"),
    }
}

/// The multipart boundary of [`multipart`].
pub const BOUNDARY: &str = "----runtall-test-boundary";

/// A multipart body of files in the field `files`, as the import page's form sends them.
pub fn multipart(files: &[(&str, &[u8])]) -> Vec<u8> {
    let mut body = Vec::new();
    for (name, bytes) in files {
        body.extend_from_slice(format!("--{BOUNDARY}\r\n").as_bytes());
        body.extend_from_slice(
            format!("Content-Disposition: form-data; name=\"files\"; filename=\"{name}\"\r\n").as_bytes(),
        );
        body.extend_from_slice(b"Content-Type: application/octet-stream\r\n\r\n");
        body.extend_from_slice(bytes);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{BOUNDARY}--\r\n").as_bytes());
    body
}
