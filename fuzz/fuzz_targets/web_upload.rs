//! Fuzz the web app's watch-file upload: the input is the body of `POST /api/import` (multipart, boundary `B`),
//! sent through the real router with a session and its CSRF token, over a database in a temporary folder. Any
//! body gives 202 (a job, which must then finish: done or failed, never stuck) or a 4xx with a message — never a
//! 500 and never a panic — and the upload folder is empty again once the job ends.
//!
//! `cd fuzz && cargo +nightly fuzz run web_upload -- -max_len=65536` (seed `corpus/web_upload/` with multipart
//! bodies holding small FIT/GPX files or zips: `B` as the boundary). See docs/reliability.md.
#![no_main]

use std::sync::OnceLock;
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use http_body_util::BodyExt;
use libfuzzer_sys::fuzz_target;
use tower::ServiceExt;

struct Harness {
    rt: tokio::runtime::Runtime,
    router: axum::Router,
    cookie: String,
    csrf: String,
    uploads: std::path::PathBuf,
    _dir: tempfile::TempDir,
}

async fn send(router: &axum::Router, req: Request<Body>) -> (StatusCode, Vec<u8>, axum::http::HeaderMap) {
    let res = router.clone().oneshot(req).await.expect("infallible");
    let status = res.status();
    let headers = res.headers().clone();
    let body = res.into_body().collect().await.map(|b| b.to_bytes().to_vec()).unwrap_or_default();
    (status, body, headers)
}

fn harness() -> &'static Harness {
    static H: OnceLock<Harness> = OnceLock::new();
    H.get_or_init(|| {
        let dir = tempfile::tempdir().expect("tempdir");
        let db_path = dir.path().join("fuzz.db");
        let db = runtall_web::Db::open(&db_path).expect("db");
        let state = runtall_web::AppState::new(db, None).expect("state");
        let router = runtall_web::router(state);
        let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(1).enable_all().build().expect("rt");
        let (_, body, headers) =
            rt.block_on(send(&router, Request::get("/api/session").body(Body::empty()).expect("request")));
        let cookie = headers
            .get_all(header::SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find_map(|v| v.split(';').next().filter(|kv| kv.starts_with("runtall_session=")).map(str::to_string))
            .expect("session cookie");
        let json: serde_json::Value = serde_json::from_slice(&body).expect("session json");
        let csrf = json["csrf_token"].as_str().expect("token").to_string();
        let uploads = dir.path().join(".runtall-uploads");
        Harness { rt, router, cookie, csrf, uploads, _dir: dir }
    })
}

fuzz_target!(|data: &[u8]| {
    let h = harness();
    let req = Request::post("/api/import")
        .header(header::COOKIE, &h.cookie)
        .header("x-csrf-token", &h.csrf)
        .header(header::CONTENT_TYPE, "multipart/form-data; boundary=B")
        .body(Body::from(data.to_vec()))
        .expect("request");
    let (status, body, _) = h.rt.block_on(send(&h.router, req));
    assert!(status != StatusCode::INTERNAL_SERVER_ERROR, "500 for a hostile upload: {}", String::from_utf8_lossy(&body));
    if status != StatusCode::ACCEPTED {
        assert!(status.is_client_error(), "{status}");
        return;
    }
    let job: serde_json::Value = serde_json::from_slice(&body).expect("job json");
    let id = job["job"].as_u64().expect("job id");
    let started = Instant::now();
    loop {
        let req = Request::get(format!("/api/import/jobs/{id}"))
            .header(header::COOKIE, &h.cookie)
            .body(Body::empty())
            .expect("request");
        let (_, body, _) = h.rt.block_on(send(&h.router, req));
        let view: serde_json::Value = serde_json::from_slice(&body).expect("job json");
        if view["status"] != "running" {
            assert!(view["status"] == "done", "job ended {}: {}", view["status"], view["error"]);
            break;
        }
        assert!(started.elapsed() < Duration::from_secs(60), "job {id} still running after 60 s");
        std::thread::sleep(Duration::from_millis(2));
    }
    let left = std::fs::read_dir(&h.uploads).map(|d| d.count()).unwrap_or(0);
    assert_eq!(left, 0, "uploads left behind");
});
