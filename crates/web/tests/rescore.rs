//! The functional-scale (PSFS) re-score page, its API twin, and the prompt on Today when it is due.

mod common;
use common::*;

use axum::http::StatusCode;
use jiff::{SignedDuration, Timestamp};
use runtall_domain::assess::{Assessment, AssessmentRecord};
use runtall_store::Store;
use serde_json::json;

/// Ratings of the example assessment's three activities, in order.
const FIRST: [f64; 3] = [4.0, 5.0, 7.0];

fn ratings(store: &dyn Store) -> Vec<f64> {
    let latest = store.latest_assessment().expect("query").expect("an assessment");
    latest.assessment.psfs.iter().map(|i| i.score.get()).collect()
}

#[tokio::test]
async fn without_an_assessment_the_page_sends_the_runner_to_it() {
    let app = app().await;
    assert_eq!(app.api("/api/screen", json!({ "yes": [], "others": "no" })).await.status, StatusCode::OK);
    let r = app.get("/rescore").await;
    assert!(r.status.is_redirection(), "{}", r.status);
    assert_eq!(r.location(), "/assess");
    let r = app.get("/api/rescore").await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.body);
}

#[tokio::test]
async fn the_page_lists_each_activity_with_its_last_rating_and_a_label() {
    let app = app().await;
    app.onboard().await;
    let r = app.get("/rescore").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    for (i, name) in ["Run 90 minutes", "Laptop morning", "Sleep through"].iter().enumerate() {
        assert!(r.has(&format!(r#"<label for="f-rating-{}">{name}</label>"#, i + 1)), "{name}: {}", r.body);
        assert!(r.has(&format!(r#"id="f-rating-{}" name="rating-{}" type="number""#, i + 1, i + 1)));
    }
    assert!(r.has("Last rating 4/10") && r.has("Last rating 5/10") && r.has("Last rating 7/10"));
    assert!(r.has("0 = cannot do it at all, 10 = as well as before the problem"));
    assert!(r.has(r#"name="_csrf""#));
}

#[tokio::test]
async fn a_post_without_the_csrf_token_is_refused_and_nothing_is_stored() {
    let app = app().await;
    app.onboard().await;
    let r = app.form_raw("/rescore", &[("rating-1", "6"), ("rating-2", "7"), ("rating-3", "8")]).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_eq!(app.store().assessments().expect("query").len(), 1);
    let r = app.api_with("/api/rescore", json!({ "ratings": [6, 7, 8] }), None).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_eq!(app.store().assessments().expect("query").len(), 1);
}

#[tokio::test]
async fn a_bad_or_missing_rating_is_named_by_field_and_the_answers_are_kept() {
    let app = app().await;
    app.onboard().await;
    let r = app.form("/rescore", &[("rating-1", "6"), ("rating-2", "11")]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.has(r##"href="#f-rating-2""##) && r.has("11 is out of range (allowed 0–10)"), "{}", r.body);
    assert!(r.has(r##"href="#f-rating-3""##) && r.has("required (allowed 0–10)"), "{}", r.body);
    assert!(!r.has(r##"href="#f-rating-1""##), "a good rating is not flagged");
    assert!(
        r.has(r#"name="rating-1" type="number" min="0" max="10" step="any" inputmode="decimal" required value="6""#)
    );
    assert!(r.has(r#"aria-describedby="h-rating-2 scale e-rating-2""#), "the error is tied to its input");
    assert_eq!(app.store().assessments().expect("query").len(), 1, "nothing stored");
}

#[tokio::test]
async fn a_rescore_stores_only_new_ratings_and_shows_the_change() {
    let app = app().await;
    app.onboard().await;
    let before = app.store().latest_assessment().expect("query").expect("assessment");
    let r = app.form("/rescore", &[("rating-1", "7"), ("rating-2", "8"), ("rating-3", "9")]).await;
    assert!(r.status.is_redirection(), "{}: {}", r.status, r.body);
    assert_eq!(r.location(), "/rescore/done");

    let all = app.store().assessments().expect("query");
    assert_eq!(all.len(), 2, "a new assessment, the first one kept");
    let after = &all[1];
    assert_eq!(ratings(&app.store()), vec![7.0, 8.0, 9.0]);
    // Everything but the ratings is as it was.
    let mut copy = after.assessment.clone();
    for (item, old) in copy.psfs.iter_mut().zip(&before.assessment.psfs) {
        item.score = old.score;
    }
    assert_eq!(copy, before.assessment);

    let r = app.get("/rescore/done").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    // Mean 5.3 → 8.0: past the 2-point bar.
    assert!(r.has("Function score 8.0/10 against 5.3 at the start: a real improvement"), "{}", r.body);
    assert!(r.has(r#"class="notice ok""#));
    assert!(r.has("4 → 7/10") && r.has("5 → 8/10") && r.has("7 → 9/10"), "{}", r.body);
    assert!(r.has(r#"href="/insights""#) && r.has(r#"href="/today""#));
}

#[tokio::test]
async fn the_api_reads_and_rescores_with_field_errors() {
    let app = app().await;
    app.onboard().await;
    let r = app.get("/api/rescore").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let v = r.json();
    let acts = v["activities"].as_array().expect("activities");
    assert_eq!(acts.len(), 3);
    assert_eq!(acts[0]["activity"], "Run 90 minutes");
    let last: Vec<f64> = acts.iter().map(|a| a["last_rating"].as_f64().expect("rating")).collect();
    assert_eq!(last, FIRST);
    assert_eq!(v["due"]["due_now"], false);
    assert!(v["due"]["next_due"].is_string());

    let r = app.api("/api/rescore", json!({ "ratings": [6, 12, "x"] })).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    let f = &r.json()["fields"];
    assert!(f["ratings[1]"].as_str().expect("field").contains("12 is out of range"), "{f}");
    assert!(f["ratings[2]"].as_str().expect("field").contains("not a number"), "{f}");
    assert!(f.get("ratings[0]").is_none());
    let r = app.api("/api/rescore", json!({ "ratings": [6, 7] })).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.json()["fields"]["ratings"].as_str().expect("field").contains("2 ratings given for 3 activities"));
    let r = app.api("/api/rescore", json!({})).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.json()["fields"]["ratings"].is_string());
    assert_eq!(app.store().assessments().expect("query").len(), 1, "nothing stored from bad input");

    let r = app.api("/api/rescore", json!({ "ratings": [4, 5, 7.5] })).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let v = r.json();
    assert_eq!(v["psfs"]["change"]["meaningful"], false);
    assert!(v["psfs"]["change"]["sentence"].as_str().expect("sentence").contains("no clear change yet"));
    assert_eq!(ratings(&app.store()), vec![4.0, 5.0, 7.5]);
}

#[tokio::test]
async fn today_prompts_when_due_and_not_right_after_a_rescore() {
    let app = app().await;
    assert_eq!(app.api("/api/screen", json!({ "yes": [], "others": "no" })).await.status, StatusCode::OK);
    // An assessment taken three weeks ago: the re-score (every 14 days) is due.
    let assessment: Assessment = serde_json::from_value(example_assessment()).expect("assessment");
    let taken_at = Timestamp::now().checked_sub(SignedDuration::from_hours(24 * 21)).expect("time");
    app.store().add_assessment(&AssessmentRecord { id: None, taken_at, assessment }).expect("stored");

    let r = app.get("/today").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(r.has(r#"<a href="/rescore">Time to re-rate your activities (every 2 weeks)</a>"#), "{}", r.body);
    assert_eq!(app.get("/api/rescore").await.json()["due"]["due_now"], true);
    assert!(app.get("/insights").await.has(r#"href="/rescore""#), "insights links the re-score when due");

    let r = app.form("/rescore", &[("rating-1", "6"), ("rating-2", "6"), ("rating-3", "7")]).await;
    assert!(r.status.is_redirection(), "{}: {}", r.status, r.body);
    let r = app.get("/today").await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(!r.has("Time to re-rate"), "no prompt right after a re-score");
}
