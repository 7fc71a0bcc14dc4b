//! The sync routes of a clinic server: an athlete's device token reaches them for that athlete only; a clinician,
//! a visitor and the one-runner app get nothing; a batch that is not one, or too large, is refused by name.

mod clinic_support;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use clinic_support::{Client, Clinic};

async fn post_batch(clinic: &Clinic, who: &Client, body: Vec<u8>) -> clinic_support::Reply {
    let mut req = Request::post("/api/sync/batch").header(header::CONTENT_TYPE, "application/gzip");
    if let Some(token) = &who.bearer {
        req = req.header(header::AUTHORIZATION, format!("Bearer {token}"));
    }
    clinic.send(req.body(Body::from(body)).expect("request")).await
}

#[tokio::test]
async fn only_the_athletes_own_device_reaches_sync_and_bad_batches_are_refused_by_name() {
    let clinic = Clinic::new();
    let pat = clinic.clinician("pat@example.org", "Pat").await;
    let ana = clinic.athlete(&clinic.invite(&pat).await, "ana@example.org", "Ana").await;
    let made = clinic.form(&ana, "/devices", &[("name", "laptop")]).await;
    assert_eq!(made.status, StatusCode::OK, "{}", made.body);
    let device = Client { bearer: Some(made.token()), ..Client::default() };

    let hello = clinic.get(&device, "/api/sync/hello").await;
    assert_eq!(hello.status, StatusCode::OK, "{}", hello.body);
    assert_eq!(hello.json()["protocol"], runtall_app::sync::PROTOCOL);
    assert_eq!(hello.json()["runs"], 0);
    assert_eq!(clinic.get(&pat, "/api/sync/hello").await.status, StatusCode::NOT_FOUND, "a clinician has no journal");
    let nobody = Client { bearer: Some("0".repeat(64)), ..Client::default() };
    assert_eq!(clinic.get(&nobody, "/api/sync/hello").await.status, StatusCode::UNAUTHORIZED);
    assert_eq!(post_batch(&clinic, &nobody, vec![1, 2, 3]).await.status, StatusCode::UNAUTHORIZED);

    let junk = post_batch(&clinic, &device, b"not a batch".to_vec()).await;
    assert_eq!(junk.status, StatusCode::BAD_REQUEST, "{}", junk.body);
    assert!(junk.json()["message"].as_str().is_some_and(|m| m.contains("gzip")), "{}", junk.body);

    let too_large = Request::post("/api/sync/batch")
        .header(header::AUTHORIZATION, format!("Bearer {}", device.bearer.as_deref().unwrap_or("")))
        .header(header::CONTENT_LENGTH, (runtall_app::sync::MAX_BATCH_BYTES + 1).to_string())
        .body(Body::empty())
        .expect("request");
    assert_eq!(clinic.send(too_large).await.status, StatusCode::PAYLOAD_TOO_LARGE);
}

#[tokio::test]
async fn the_one_runner_app_has_no_sync_routes() {
    let dir = tempfile::tempdir().expect("dir");
    let db = runtall_web::Db::open(&dir.path().join("r.db")).expect("db");
    let local = Clinic::over(db, dir, None);
    assert_eq!(local.get(&Client::default(), "/api/sync/hello").await.status, StatusCode::NOT_FOUND);
}
