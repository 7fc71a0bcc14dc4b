//! `/report`, `/report.pdf` and `/api/report`: the same report as `runtall report`, as a page that prints, a PDF
//! download and data; options from the form, and bad dates named by field.

mod common;

use axum::http::{StatusCode, header};
use common::{add_run, app};

#[tokio::test]
async fn the_report_page_shows_every_section_with_the_journals_figures() {
    let app = app().await;
    app.onboard().await;
    let store = app.store();
    add_run(&store, 30, "r1");
    add_run(&store, 80, "r2");

    // The runs are older than today's assessment, so the period is chosen to include them.
    let week_ago = jiff::Timestamp::now().to_zoned(jiff::tz::TimeZone::system()).date() - jiff::ToSpan::days(7);
    let data = app.get(&format!("/api/report?from={week_ago}")).await;
    assert_eq!(data.status, StatusCode::OK, "{}", data.body);
    let v = data.json();
    assert_eq!(v["load"]["runs"], 2);
    assert_eq!(v["safety"]["screens"].as_array().map(Vec::len), Some(1));

    let page = app.get(&format!("/report?from={week_ago}&initials=1&note=See+you+on+Tuesday")).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    for heading in [
        "Report for a physical therapist",
        "Safety screen",
        "The complaint",
        "Outcome measures",
        "Training load and pain",
        "What goes with pain after runs",
        "Self-experiments",
        "The program",
        "The runner's notes",
        "About this report",
    ] {
        assert!(page.has(heading), "missing {heading}");
    }
    assert!(page.has("See you on Tuesday"), "the note");
    assert!(page.has("2 runs over"), "the load sentence from the journal");
    assert!(page.has("aria-label=\"Back-view body outline with these regions marked"), "the outline names the regions");
    assert!(page.has("formaction=\"/report.pdf\""), "Download PDF");
    assert!(page.has("/report/report.css?paper=a4"), "print styles for the runner's paper");
    assert!(page.has("checked"), "the initials box stays ticked");
    assert!(page.has("Nothing recorded"), "no experiment: says so");

    let css = app.get("/report/report.css?paper=letter").await;
    assert!(css.has("@media print") && css.has("size: letter"), "{}", css.body);
}

#[tokio::test]
async fn the_pdf_downloads_as_an_attachment() {
    let app = app().await;
    app.onboard().await;
    let r = app.get("/report.pdf?from=2026-01-05").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()), Some("application/pdf"));
    let disposition = r.headers.get(header::CONTENT_DISPOSITION).and_then(|v| v.to_str().ok()).unwrap_or("");
    assert!(disposition.starts_with("attachment; filename=\"runtall-report-"), "{disposition}");
    assert!(r.body.starts_with("%PDF-"), "a PDF");
}

#[tokio::test]
async fn bad_options_are_named_by_field() {
    let app = app().await;
    app.onboard().await;
    let r = app.get("/api/report?from=yesterday").await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.json()["fields"]["from"].as_str().is_some_and(|m| m.contains("not a date")), "{}", r.body);
    let r = app.get("/api/report?to=2999-01-01").await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.json()["fields"]["to"].as_str().is_some_and(|m| m.contains("in the future")), "{}", r.body);
    let long = "x".repeat(1001);
    let r = app.get(&format!("/api/report?note={long}")).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.json()["fields"]["note"].is_string(), "{}", r.body);
    let page = app.get("/report?from=2026-06-01&to=2026-05-01").await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    // The page says which answer and why, not only that one needs a look.
    assert!(page.has("From: 2026-06-01 is after the end of the period (2026-05-01)"), "{}", page.body);
}

#[tokio::test]
async fn a_locked_program_shows_the_emergency_screen_instead() {
    let app = app().await;
    let r =
        app.api("/api/screen", serde_json::json!({ "yes": ["chest-pain-during-or-after-run"], "others": "no" })).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let page = app.get("/report").await;
    assert_eq!(page.location(), "/emergency", "level A: only the emergency screen, as everywhere");
    // The data stays available to the runner's own tools.
    let data = app.get("/api/report").await;
    assert_eq!(data.json()["safety"]["mode"], "locked");
}
