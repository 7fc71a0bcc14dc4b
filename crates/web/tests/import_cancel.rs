//! A web import job can be stopped (issue 12, item 8: a slow or hostile upload left a job "running" with no way to
//! stop it): the API answers 202 while it stops, the job ends "cancelled" with what was stored kept, and the page
//! offers the button while it runs. Also: progress within a large file is reported.

mod common;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use common::*;
use std::time::Duration;

/// A GPX of `points` one-second points (about 110 bytes each).
fn big_gpx(points: u32) -> Vec<u8> {
    let mut s = String::from("<?xml version=\"1.0\"?><gpx version=\"1.1\" creator=\"t\"><trk><trkseg>\n");
    let t0: jiff::Timestamp = "2026-05-01T07:00:00Z".parse().expect("time");
    for i in 0..points {
        let t = t0.checked_add(jiff::SignedDuration::from_secs(i64::from(i))).expect("time");
        s.push_str(&format!(
            "<trkpt lat=\"{:.6}\" lon=\"2.0\"><ele>100</ele><time>{t}</time></trkpt>\n",
            48.0 + f64::from(i) * 1e-6
        ));
    }
    s.push_str("</trkseg></trk></gpx>\n");
    s.into_bytes()
}

async fn post(app: &App, path: &str, body: Body, multipart: bool) -> Reply {
    let mut req = Request::post(path).header(header::COOKIE, &app.cookie).header("x-csrf-token", &app.csrf);
    if multipart {
        req = req.header(header::CONTENT_TYPE, format!("multipart/form-data; boundary={BOUNDARY}"));
    }
    app.send(req.body(body).expect("request")).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_running_import_can_be_stopped_and_shows_progress_within_a_file() {
    let app = app().await;
    let big = big_gpx(300_000);
    let r =
        post(&app, "/api/import", Body::from(multipart(&[("a.gpx", &big), ("b.gpx", &big), ("c.gpx", &big)])), true)
            .await;
    assert_eq!(r.status, StatusCode::ACCEPTED, "{}", r.body);
    let id = r.json()["job"].as_u64().expect("id");

    // While it runs: the page has the button, and the API says how far into the files it is.
    let mut seen_inside = false;
    for _ in 0..400 {
        let job = app.get(&format!("/api/import/jobs/{id}")).await.json();
        let (done, total) = (job["current_bytes_done"].as_u64(), job["current_bytes_total"].as_u64());
        if let (Some(d), Some(t)) = (done, total)
            && d > 0
            && d < t
        {
            seen_inside = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert!(seen_inside, "progress within the large files was reported");
    let page = app.get(&format!("/import/jobs/{id}")).await;
    assert!(page.has("Stop the import") && page.has(&format!("/import/jobs/{id}/cancel")), "{}", page.body);

    let r = post(&app, &format!("/api/import/jobs/{id}/cancel"), Body::empty(), false).await;
    assert_eq!(r.status, StatusCode::ACCEPTED, "{}", r.body);
    let mut job = serde_json::Value::Null;
    for _ in 0..1200 {
        job = app.get(&format!("/api/import/jobs/{id}")).await.json();
        if job["status"] != "running" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    assert_eq!(job["status"], "cancelled", "{job}");
    assert!(job["imported"].as_u64().is_some_and(|n| n < 3), "stopped before the end: {job}");
    assert_eq!(job["failed"], 0, "files not read because of the stop are not failures");
    let page = app.get(&format!("/import/jobs/{id}")).await;
    assert!(page.has("Import stopped") && !page.has("Stop the import"), "{}", page.body);
    // Already ended: 409; no such job: 404.
    let again = post(&app, &format!("/api/import/jobs/{id}/cancel"), Body::empty(), false).await;
    assert_eq!(again.status, StatusCode::CONFLICT);
    let none = post(&app, "/api/import/jobs/999/cancel", Body::empty(), false).await;
    assert_eq!(none.status, StatusCode::NOT_FOUND);
    // The page's form works without JavaScript: a plain POST with the token redirects back to the job.
    let form = app.form(&format!("/import/jobs/{id}/cancel"), &[]).await;
    assert_eq!(form.status, StatusCode::SEE_OTHER, "{}", form.body);
}
