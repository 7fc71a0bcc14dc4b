//! The posture page and API: the gate, live measures, saving landmarks only, a kept photo that is private and goes
//! with delete, run-video summaries, the WebAssembly CSP on /posture only, and the vendored model files served by
//! runtall itself.

mod common;
use common::*;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use runtall_store::Store;
use serde_json::{Value, json};

/// A right-facing photo's landmarks whose CVA is 45° (C7 at (500, 300), tragus 100 px ahead and above).
fn photo() -> Value {
    json!({
        "image": { "width": 1000, "height": 1000 },
        "points": {
            "tragus": { "x": 600, "y": 200 }, "c7": { "x": 500, "y": 300 }, "shoulder": { "x": 520, "y": 330 },
            "hip": { "x": 520, "y": 730 }, "ankle": { "x": 500, "y": 980 }, "nose": { "x": 680, "y": 190 }
        }
    })
}

impl App {
    async fn raw(&self, path: &str, content_type: &str, body: Vec<u8>) -> Reply {
        let req = Request::post(path)
            .header(header::COOKIE, &self.cookie)
            .header("x-csrf-token", &self.csrf)
            .header(header::CONTENT_TYPE, content_type)
            .body(Body::from(body))
            .expect("request");
        self.send(req).await
    }
}

#[tokio::test]
async fn the_page_follows_the_safety_gate_and_carries_the_wasm_csp_alone() {
    let app = app().await;
    let r = app.get("/posture").await;
    assert!(r.status.is_redirection() && r.location() == "/welcome", "{} {}", r.status, r.location());
    assert_eq!(app.api("/api/posture", json!({ "landmarks": photo() })).await.status, StatusCode::CONFLICT);
    app.onboard().await;
    let r = app.get("/posture").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(r.has("C7 is estimated") && r.has(r#"id="photo-file""#) && r.has(r#"id="video-file""#));
    let csp = r.headers[header::CONTENT_SECURITY_POLICY].to_str().unwrap();
    assert!(csp.contains("'wasm-unsafe-eval'") && csp.contains("media-src 'self' blob:"), "{csp}");
    assert!(!csp.contains("'unsafe-eval'") && !csp.contains("unsafe-inline"), "{csp}");
    for other in ["/today", "/plan", "/insights", "/posture/1"] {
        let csp = app.get(other).await.headers[header::CONTENT_SECURITY_POLICY].to_str().unwrap().to_string();
        assert!(!csp.contains("wasm") && !csp.contains("blob:"), "{other}: {csp}");
    }
    // Linked from Today and the plan.
    assert!(app.get("/today").await.has(r#"href="/posture""#));
    assert!(app.get("/plan").await.has(r#"href="/posture""#));
}

#[tokio::test]
async fn the_model_files_are_served_by_runtall_with_their_types() {
    let app = app().await;
    for (name, kind, min) in [
        ("pose.js", "text/javascript", 40_000),
        ("pose_solution_simd_wasm_bin.wasm", "application/wasm", 6_000_000),
        ("pose_landmark_lite.tflite", "application/octet-stream", 2_800_000),
        ("pose_landmark_full.tflite", "application/octet-stream", 6_400_000),
        ("pose_solution_packed_assets.data", "application/octet-stream", 2_900_000),
    ] {
        let r = app.get(&format!("/assets/pose/{name}")).await;
        assert_eq!(r.status, StatusCode::OK, "{name}");
        assert!(r.headers[header::CONTENT_TYPE].to_str().unwrap().starts_with(kind), "{name}");
        assert!(r.headers[header::CONTENT_LENGTH].to_str().unwrap().parse::<usize>().unwrap() >= min, "{name}");
    }
    assert_eq!(app.get("/assets/pose/pose_landmark_heavy.tflite").await.status, StatusCode::NOT_FOUND);
    assert_eq!(app.get("/assets/pose/..%2Fapp.css").await.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn measure_previews_without_storing_and_names_bad_markers() {
    let app = app().await;
    app.onboard().await;
    let r = app.api("/api/posture/measure", photo()).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let v = r.json();
    assert!((v["measures"]["cva_deg"].as_f64().unwrap() - 45.0).abs() < 1e-9);
    assert_eq!(v["quality_text"].as_array().unwrap().len(), 0);
    // Without C7 the estimate comes back (the page places its marker there) and is flagged in words.
    let mut no_c7 = photo();
    no_c7["points"].as_object_mut().unwrap().remove("c7");
    let v = app.api("/api/posture/measure", no_c7).await.json();
    assert!(v["measures"]["c7"]["x"].as_f64().unwrap() < 520.0);
    assert!(v["quality_text"][0].as_str().unwrap().contains("C7 is estimated"));
    let mut flat = photo();
    flat["points"]["c7"] = json!({ "x": 600, "y": 200 });
    let r = app.api("/api/posture/measure", flat).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.json()["fields"]["points.c7"].as_str().unwrap().contains("same place"));
    assert!(app.store().postures().unwrap().is_empty(), "nothing stored by a preview");
    // A preview needs the CSRF token like every POST.
    assert_eq!(app.api_with("/api/posture/measure", photo(), None).await.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn a_saved_photo_keeps_landmarks_only_unless_the_photo_is_kept_then_delete_removes_both() {
    let app = app().await;
    app.onboard().await;
    let r = app.api("/api/posture", json!({ "landmarks": photo(), "kind": "stacked", "taken_on": "2026-01-10" })).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let check = r.json();
    let id = check["id"].as_i64().unwrap();
    assert_eq!(check["kind"], "stacked");
    assert_eq!(check["photo_kept"], false);
    let photos = app.dir.path().join("posture-photos");
    assert!(!photos.exists(), "no file unless asked");

    let r = app.raw(&format!("/api/posture/{id}/photo"), "image/gif", b"GIF89a....".to_vec()).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    let jpeg = [&[0xFF, 0xD8, 0xFF, 0xE0][..], &[7u8; 64][..]].concat();
    let r = app.raw(&format!("/api/posture/{id}/photo"), "image/jpeg", jpeg.clone()).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.body);
    let file = photos.join(format!("check-{id}.jpg"));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(std::fs::metadata(&file).unwrap().permissions().mode() & 0o777, 0o600);
        assert_eq!(std::fs::metadata(&photos).unwrap().permissions().mode() & 0o777, 0o700);
    }
    let r = app.get(&format!("/posture/{id}/photo")).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.headers[header::CACHE_CONTROL], "private, no-store");
    let page = app.get(&format!("/posture/{id}")).await;
    assert!(page.has("45.0°") && page.has("Delete this check and its photo"), "{}", page.body);

    let r = app.form(&format!("/posture/{id}/delete"), &[]).await;
    assert_eq!(r.location(), "/posture?deleted=1");
    assert!(!file.exists(), "the photo goes with the check");
    assert_eq!(app.get(&format!("/api/posture/{id}")).await.status, StatusCode::NOT_FOUND);
    assert_eq!(app.api(&format!("/api/posture/{id}/delete"), json!({})).await.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn bad_saves_name_the_field_and_store_nothing() {
    let app = app().await;
    app.onboard().await;
    for (body, field) in [
        (json!({ "landmarks": photo(), "kind": "yoga" }), "kind"),
        (json!({ "landmarks": photo(), "taken_on": "yesterday" }), "taken_on"),
        (json!({ "landmarks": photo(), "taken_on": "2999-01-01" }), "taken_on"),
        (json!({ "landmarks": { "points": { "tragus": { "x": 1, "y": 1 } } } }), "points"),
        (json!({ "landmarks": photo(), "kind": "run-video" }), "kind"),
    ] {
        let r = app.api("/api/posture", body).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{field}: {}", r.body);
        assert!(r.json()["fields"].get(field).is_some(), "{field}: {}", r.body);
    }
    assert!(app.store().postures().unwrap().is_empty());
}

#[tokio::test]
async fn a_run_video_is_summarised_charted_and_on_insights_and_progress() {
    let app = app().await;
    app.onboard().await;
    let frames: Vec<Value> = (0..900)
        .map(|i| {
            let t = f64::from(i) / 5.0;
            json!({ "t": t, "ear": { "x": 530.0 + 0.25 * t, "y": 100 }, "shoulder": { "x": 500, "y": 200 },
                    "hip": { "x": 500, "y": 500 }, "confidence": 0.9 })
        })
        .collect();
    let body = json!({ "landmarks": { "facing": "right", "frames": frames, "duration_s": 180 }, "kind": "run-video" });
    let r = app.api("/api/posture", body).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let v = r.json();
    assert_eq!(v["summary"]["minutes"].as_array().unwrap().len(), 3);
    assert_eq!(v["summary"]["drift"]["head_forward"]["verdict"], "up");
    let id = v["id"].as_i64().unwrap();
    let page = app.get(&format!("/posture/{id}")).await;
    assert!(page.has("video-chart") && page.has("From minute 1 to minute 3"), "{}", page.body);
    let insights = app.get("/insights").await;
    assert!(insights.has(r#"id="h-posture""#) && insights.has("Latest run video"), "{}", insights.body);
    let progress = app.get("/api/progress").await.json();
    assert_eq!(progress["posture"]["videos"][0]["id"], id);
    assert!(progress["pain"].is_object());
    let report = app.get("/api/posture/report").await.json();
    assert_eq!(report["checks"], 1);
}
