//! Two imports and a web upload at once, into one database: every writer waits its turn and every run is stored
//! (issue 12: two `runtall import`s failed fast with "database … is locked" well under the busy timeout, and a web
//! job beside a CLI import ended "failed" after 1,066 of 2,500 files — a deferred transaction that reads and then
//! writes gets "busy" at once, whatever the timeout).
//!
//! The imports run in-process on their own connections, exactly as two `runtall import` processes would (SQLite
//! locks the file, not the process); the upload goes through the web app's own handler and job.

mod common;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use common::*;
use runtall_sample::fit::{LapKind, SimLap, SimRun, SimSample, encode};
use runtall_store::{ActivityFilter, SqliteStore, Store};
use std::path::{Path, PathBuf};
use std::time::Duration;

const PER_WRITER: u32 = 300;

/// A short run, `day` days before 1 October 2026, at `hour` o'clock: every file is a different run.
fn fit_file(day: u32, hour: u32) -> Vec<u8> {
    let start: jiff::Timestamp = "2026-10-01T00:00:00Z".parse().expect("time");
    let start = start
        .checked_sub(jiff::SignedDuration::from_hours(24 * i64::from(day)))
        .and_then(|t| t.checked_add(jiff::SignedDuration::from_hours(i64::from(hour))))
        .expect("time");
    let samples: Vec<SimSample> = (0..120u32)
        .map(|t| SimSample {
            t_s: t * 5,
            distance_m: f64::from(t * 5) * 3.0,
            speed_mps: 3.0,
            hr_bpm: 140,
            cadence_spm: 170.0,
            altitude_m: 20.0,
            lat_deg: 48.0 + f64::from(t) * 1e-4,
            lon_deg: 2.0,
        })
        .collect();
    let laps = vec![SimLap { start: 0, end: samples.len(), kind: LapKind::Active }];
    encode(&SimRun { start, utc_offset_s: 0, trail: false, samples, laps }).expect("encode")
}

fn write_files(dir: &Path, hour: u32) -> PathBuf {
    let d = dir.join(format!("writer-{hour}"));
    std::fs::create_dir_all(&d).expect("dir");
    for day in 0..PER_WRITER {
        std::fs::write(d.join(format!("{day:04}.fit")), fit_file(day, hour)).expect("write");
    }
    d
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_imports_and_a_web_upload_at_once_store_every_run() {
    let app = app().await;
    let db = app.dir.path().join("t.db");
    let files = app.dir.path().join("files");
    let (a, b) = (write_files(&files, 6), write_files(&files, 12));
    let uploaded: Vec<(String, Vec<u8>)> =
        (0..PER_WRITER).map(|day| (format!("{day:04}.fit"), fit_file(day, 18))).collect();

    // Two "CLI" imports on their own connections, on their own threads.
    let cli = |dir: PathBuf, db: PathBuf| {
        std::thread::spawn(move || {
            let store = SqliteStore::open(&db).expect("open");
            runtall_app::import::import_paths(&store, &[dir], 1, |_, _, _| {})
        })
    };
    let first = cli(a, db.clone());
    let second = cli(b, db.clone());

    // And the web app's upload, while they run.
    let req = Request::post("/api/import")
        .header(header::COOKIE, &app.cookie)
        .header("x-csrf-token", &app.csrf)
        .header(header::CONTENT_TYPE, format!("multipart/form-data; boundary={BOUNDARY}"))
        .body(Body::from(multipart(&uploaded.iter().map(|(n, b)| (n.as_str(), b.as_slice())).collect::<Vec<_>>())))
        .expect("request");
    let r = app.send(req).await;
    assert_eq!(r.status, StatusCode::ACCEPTED, "{}", r.body);
    let job_id = r.json()["job"].as_u64().expect("job id");

    for (name, handle) in [("first", first), ("second", second)] {
        let summary = handle.join().expect("joined").unwrap_or_else(|e| panic!("{name} import failed: {e}"));
        assert_eq!(summary.imported, PER_WRITER as usize, "{name} import: {:?}", summary.failed);
        assert_eq!(summary.failed_count, 0);
    }
    let mut job = serde_json::Value::Null;
    for _ in 0..2400 {
        job = app.get(&format!("/api/import/jobs/{job_id}")).await.json();
        if job["status"] != "running" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    assert_eq!(job["status"], "done", "{}", job["error"]);
    assert_eq!(job["imported"], PER_WRITER, "web job: {job}");

    let store = app.store();
    let stored = store.activities(&ActivityFilter::default()).expect("list");
    assert_eq!(stored.len(), 3 * PER_WRITER as usize, "every run of the three writers, once");
    assert_eq!(store.integrity_check().expect("check"), "ok");
    assert!(store.labels_stale_from().expect("mark").is_none(), "the label pass finished");
}
