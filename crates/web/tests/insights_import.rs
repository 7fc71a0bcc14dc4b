//! Handler tests for watch-file upload (multipart, CSRF, hostile names, per-file results), insights (charts,
//! forest plot, empty state) and self-experiments (create, refuse a second, validate the design, stop).

mod common;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use common::*;
use jiff::Timestamp;
use runtall_domain::assess::Score;
use runtall_domain::journal::{PainReport, PainTiming, RunContext};
use runtall_store::Store;
use serde_json::{Value, json};
use std::time::Duration;

async fn upload(app: &App, path: &str, files: &[(&str, &[u8])], csrf_header: bool) -> Reply {
    let mut req = Request::post(path)
        .header(header::COOKIE, &app.cookie)
        .header(header::CONTENT_TYPE, format!("multipart/form-data; boundary={BOUNDARY}"));
    if csrf_header {
        req = req.header("x-csrf-token", &app.csrf);
    }
    app.send(req.body(Body::from(multipart(files))).expect("request")).await
}

/// A real FIT activity: 5 km at 5:30/km, yesterday morning, encoded by the sample writer.
fn fit_run(hours_ago: i64) -> Vec<u8> {
    use runtall_sample::fit::{LapKind, SimLap, SimRun, SimSample, encode};
    let start = Timestamp::now().checked_sub(jiff::SignedDuration::from_hours(hours_ago)).expect("time");
    let speed = 1000.0 / 330.0;
    let samples: Vec<SimSample> = (0..1650u32)
        .map(|t| SimSample {
            t_s: t,
            distance_m: f64::from(t) * speed,
            speed_mps: speed,
            hr_bpm: 145,
            cadence_spm: 172.0,
            altitude_m: 30.0,
            lat_deg: 51.5 + f64::from(t) * 1e-5,
            lon_deg: -0.12,
        })
        .collect();
    let laps = vec![SimLap { start: 0, end: samples.len(), kind: LapKind::Active }];
    encode(&SimRun { start, utc_offset_s: 0, trail: false, samples, laps }).expect("encode")
}

async fn wait_for_job(app: &App, id: u64) -> Value {
    for _ in 0..400 {
        let job = app.get(&format!("/api/import/jobs/{id}")).await.json();
        if job["status"] != "running" {
            return job;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    panic!("import job {id} did not finish");
}

#[tokio::test(flavor = "multi_thread")]
async fn uploaded_files_are_imported_with_a_result_per_file() {
    let app = app().await;
    let page = app.get("/import").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.has("id=\"dropzone\"") && page.has("enctype=\"multipart/form-data\""), "{}", page.body);
    assert!(page.has(&format!("action=\"/import?_csrf={}\"", app.csrf)), "the no-script form carries its token");

    let fit = fit_run(30);
    let r = upload(&app, "/api/import", &[("Morning Run.fit", &fit), ("notes.fit", b"not a watch file")], true).await;
    assert_eq!(r.status, StatusCode::ACCEPTED, "{}", r.body);
    let id = r.json()["job"].as_u64().expect("job id");
    let job = wait_for_job(&app, id).await;
    assert_eq!(job["status"], "done", "{job}");
    assert_eq!(job["imported"], 1, "{job}");
    assert_eq!(job["failed"], 1, "{job}");
    let files = job["files"].as_array().expect("files");
    let good = files.iter().find(|f| f["source"] == "Morning Run.fit").expect("shown by the runner's own name");
    let run_id = good["added"][0].as_i64().expect("run id");
    let bad = files.iter().find(|f| f["source"] == "notes.fit").expect("the bad file is listed");
    assert!(bad["error"].as_str().is_some_and(|e| !e.is_empty()), "{bad}");

    // The page shows the same, and the run is in the journal, classified.
    let page = app.get(&format!("/import/jobs/{id}")).await;
    assert!(
        page.has("Import finished") && page.has("Morning Run.fit") && page.has("could not be read"),
        "{}",
        page.body
    );
    assert!(page.has(&format!("href=\"/runs/{run_id}\"")));
    let fragment = app.get(&format!("/import/jobs/{id}/status")).await;
    assert!(fragment.has("data-running=\"false\"") && !fragment.has("<html"), "{}", fragment.body);
    let run = app.get(&format!("/api/runs/{run_id}")).await.json();
    assert!((run["activity"]["distance_m"].as_f64().unwrap_or(0.0) - 5000.0).abs() < 50.0, "{run}");

    // The same file again is recognised; nothing already stored changes.
    let again = upload(&app, "/api/import", &[("copy.fit", &fit)], true).await;
    let job = wait_for_job(&app, again.json()["job"].as_u64().expect("id")).await;
    assert_eq!((job["imported"].as_u64(), job["duplicates"].as_u64()), (Some(0), Some(1)), "{job}");
    assert_eq!(app.get("/api/runs").await.json().as_array().map(Vec::len), Some(1));
    // The uploaded copies are gone once the job ends.
    let uploads = app.dir.path().join(".runtall-uploads");
    let left: Vec<_> = std::fs::read_dir(&uploads).expect("upload dir").collect();
    assert!(left.is_empty(), "uploads left behind: {left:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn uploads_need_the_token_refuse_empty_forms_and_keep_hostile_names_inside() {
    let app = app().await;
    let fit = fit_run(50);
    // No token at all: refused before anything is written.
    let r = upload(&app, "/import", &[("a.fit", &fit)], false).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert!(!app.dir.path().join(".runtall-uploads").exists());
    // The plain form: token in the action URL, redirect to the job page.
    let r = upload(&app, &format!("/import?_csrf={}", app.csrf), &[("../../../escape.fit", &fit)], false).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert!(r.location().starts_with("/import/jobs/"), "{}", r.location());
    let id: u64 = r.location().rsplit('/').next().and_then(|s| s.parse().ok()).expect("id");
    let job = wait_for_job(&app, id).await;
    assert_eq!(job["imported"], 1, "{job}");
    assert_eq!(job["files"][0]["source"], "escape.fit");
    assert!(!app.dir.path().parent().expect("parent").join("escape.fit").exists());
    // A wrong token in the URL is refused too.
    let r = upload(&app, "/import?_csrf=wrong", &[("b.fit", &fit)], false).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    // Nothing chosen.
    let r = upload(&app, "/api/import", &[], true).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(r.json()["fields"]["files"].as_str().is_some_and(|m| m.contains("Choose at least one")));
    // Unknown job.
    assert_eq!(app.get("/import/jobs/999").await.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn insights_without_runs_say_how_to_start() {
    let app = app().await;
    let page = app.get("/insights").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.has("Import your first run") && page.has("Answer the assessment first"), "{}", page.body);
    let report = app.get("/api/insights").await.json();
    assert_eq!(report["runs"], 0);
    assert_eq!(app.get("/api/progress").await.status, StatusCode::CONFLICT);
}

/// Twenty runs over five weeks: the long ones with a pack are followed by pain, the others not.
fn season(app: &App) {
    let store = app.store();
    for i in 0..20 {
        let id = add_run(&store, 24 * (35 - i as i64 * 7 / 4) + 5, &format!("season-{i}"));
        let pack = i % 3 == 0;
        store
            .put_run_context(&RunContext {
                run_id: id,
                pack: Some(pack),
                surface: None,
                ate_within_2h: Some(false),
                pre_run_done: Some(i % 2 == 0),
                post_run_done: None,
            })
            .expect("context");
        let run = store.activity(id).expect("read").expect("run");
        let at = run.activity.start.checked_add(jiff::SignedDuration::from_hours(2)).expect("time");
        let intensity = Score::new(if pack { 6.0 } else { 1.0 }).expect("score");
        let report = PainReport {
            id: None,
            at,
            timing: PainTiming::RightAfter,
            region: runtall_domain::assess::Region::Neck,
            intensity,
            run_id: Some(id),
            notes: None,
        };
        store.add_pain_report(&report).expect("pain");
    }
}

#[tokio::test]
async fn insights_show_the_trend_chart_the_forest_plot_and_the_numbers() {
    let app = app().await;
    app.onboard().await;
    season(&app);
    let page = app.get("/insights").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.has("Is the program working?") && page.has("Pain and weekly distance"));
    assert!(page.has("class=\"km\"") && page.has("class=\"pain-line\""), "weekly bars and the pain line");
    assert!(page.has("<desc id=\"trend-desc\">") && page.has("km run in all"), "text alternative");
    let report = app.get("/api/insights").await.json();
    let factors = report["factors"].as_array().expect("factors");
    assert!(!factors.is_empty());
    assert_eq!(page.body.matches("class=\"chart forest-row\"").count(), factors.len(), "one forest row per factor");
    assert!(page.has("hydration pack or vest"), "{}", page.body);
    assert!(!page.body.to_lowercase().contains("causes pain"), "never says causes");
    let weekly = app.get("/api/insights/weekly?weeks=8").await.json();
    assert_eq!(weekly.as_array().map(Vec::len), Some(8));
    let total: f64 = weekly.as_array().expect("weeks").iter().map(|w| w["km"].as_f64().unwrap_or(0.0)).sum();
    assert!(total > 0.0, "{weekly}");
    let r = app.get("/insights?weeks=500").await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let progress = app.get("/api/progress").await.json();
    assert_eq!(progress["pain"]["baseline"], 5.0, "{progress}");

    // The report is reused between reads but follows every change to the journal, from any writer.
    let before = report["runs_with_pain"].as_u64().expect("count");
    assert_eq!(app.get("/api/insights").await.json()["runs_with_pain"].as_u64(), Some(before));
    let store = app.store();
    let quiet = store
        .pain_reports(Timestamp::MIN, Timestamp::MAX)
        .expect("reports")
        .into_iter()
        .find(|p| p.intensity.get() < 3.0)
        .and_then(|p| p.run_id)
        .expect("a run without pain");
    let run = store.activity(quiet).expect("read").expect("run");
    store
        .add_pain_report(&PainReport {
            id: None,
            at: run.activity.start.checked_add(jiff::SignedDuration::from_hours(3)).expect("time"),
            timing: PainTiming::RightAfter,
            region: runtall_domain::assess::Region::Neck,
            intensity: Score::new(7.0).expect("score"),
            run_id: Some(quiet),
            notes: None,
        })
        .expect("pain");
    assert_eq!(app.get("/api/insights").await.json()["runs_with_pain"].as_u64(), Some(before + 1));
}

#[tokio::test]
async fn an_experiment_runs_from_start_to_stop_one_at_a_time() {
    let app = app().await;
    app.onboard().await;
    let page = app.get("/experiments").await;
    assert!(page.has("Start the experiment") && page.has("value=\"pack\""), "{}", page.body);
    assert_eq!(app.get("/api/experiments").await.json()["running"], false);
    // The form needs its token.
    let r = app.form_raw("/experiments", &[("factor", "pack")]).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    // A design out of range is refused by field, with the form shown again.
    let r = app.form("/experiments", &[("factor", "pack"), ("block_length", "20")]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(r.has("blocks are 1 to 14") || r.has("block_length"), "{}", r.body);
    let r = app.api("/api/experiments", json!({ "factor": "pack", "washout": 2, "block_length": 2 })).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(r.json()["fields"]["washout"].is_string(), "{}", r.body);
    let r = app.api("/api/experiments", json!({ "factor": "coffee" })).await;
    assert!(r.json()["fields"]["factor"].as_str().is_some_and(|m| m.contains("pack")), "{}", r.body);

    let r = app.form("/experiments", &[("factor", "pack"), ("block_length", "3"), ("min_units", "12")]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let page = app.get("/experiments").await;
    assert!(page.has("Your next run") && page.has("class=\"assignment\""), "{}", page.body);
    assert!(page.has("Blocks of 3 runs") && page.has("at least 12 runs"), "{}", page.body);
    assert_eq!(page.body.matches("<li class=\"usual").count() + page.body.matches("<li class=\"change").count(), 12);
    let status = app.get("/api/experiments").await.json();
    assert_eq!(status["running"], true);
    // Today says what the experiment asks of the next run.
    let next = status["experiment"]["next"]["instruction"].as_str().expect("instruction").to_string();
    let today = app.get("/today").await;
    assert!(today.has("Your experiment, next run") && today.has(&next), "{}", today.body);
    assert_eq!(status["experiment"]["result"]["status"], "hidden");
    // One factor at a time.
    let r = app.form("/experiments", &[("factor", "surface")]).await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    // Insights offer no second experiment while one runs.
    let early = app.get("/experiments?early=1").await;
    assert!(early.has("Early look") || early.has("0 of 12"), "{}", early.body);
    let stopped = app.form("/experiments/stop", &[]).await;
    assert_eq!(stopped.status, StatusCode::OK);
    assert!(stopped.has("Experiment stopped"));
    assert_eq!(app.get("/api/experiments").await.json()["running"], false);
    // What was tested stays on the page, ready for the next factor.
    let page = app.get("/experiments").await;
    assert!(page.has("What you have tested") && page.has("Start the experiment"), "{}", page.body);
    assert_eq!(app.get("/api/experiments/history").await.json().as_array().map(Vec::len), Some(1));
}

#[tokio::test]
async fn no_progress_after_four_weeks_points_to_a_physical_therapist() {
    let app = app().await;
    app.onboard().await;
    let store = app.store();
    // The same assessment, taken five weeks ago, is the baseline (pain 5); pain has stayed at 5 since.
    let mut first = store.latest_assessment().expect("read").expect("assessment");
    first.id = None;
    first.taken_at = Timestamp::now().checked_sub(jiff::SignedDuration::from_hours(24 * 35)).expect("time");
    store.add_assessment(&first).expect("older assessment");
    for days_ago in 1..8 {
        let at = Timestamp::now().checked_sub(jiff::SignedDuration::from_hours(24 * days_ago)).expect("time");
        let report = PainReport {
            id: None,
            at,
            timing: PainTiming::AtDesk,
            region: runtall_domain::assess::Region::Neck,
            intensity: Score::new(5.0).expect("score"),
            run_id: None,
            notes: None,
        };
        store.add_pain_report(&report).expect("pain");
    }
    let progress = app.get("/api/progress").await.json();
    assert_eq!(progress["escalation"]["reason"], "no-progress", "{progress}");
    let page = app.get("/insights").await;
    assert!(page.has("Time to see a physical therapist") && page.has("#see-a-pt-if-no-progress"), "{}", page.body);
    let today = app.get("/today").await;
    assert!(today.has("Time to see a physical therapist"), "Today shows it too: {}", today.body);
}
