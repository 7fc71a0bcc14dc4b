//! A plan a runner follows: drawings of the exercises, breathing sessions on their own, the break page, the
//! installable app — served like the rest of the app.

mod common;

use axum::http::{StatusCode, header};
use common::*;
use serde_json::json;

fn content_type(r: &Reply) -> &str {
    r.headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("")
}

#[tokio::test]
async fn every_exercise_drawing_is_served_as_svg_in_each_part() {
    let app = app().await;
    for e in &runtall_content::program().exercises {
        for suffix in ["", ".plain", ".start", ".end"] {
            let r = app.get(&format!("/assets/figures/{}{suffix}.svg", e.id)).await;
            assert_eq!(r.status, StatusCode::OK, "{}{suffix}", e.id);
            assert_eq!(content_type(&r), "image/svg+xml");
            assert!(r.body.starts_with("<svg"), "{}{suffix}", e.id);
            let cache = r.headers.get(header::CACHE_CONTROL).and_then(|v| v.to_str().ok()).unwrap_or("");
            assert!(cache.starts_with("public"), "drawings are fixed assets: {cache}");
        }
    }
    assert_eq!(app.get("/assets/figures/no-such.svg").await.status, StatusCode::NOT_FOUND);
    assert_eq!(app.get("/assets/figures/chin-tuck.side.svg").await.status, StatusCode::NOT_FOUND);
    assert_eq!(app.get("/assets/figures/chin-tuck.png").await.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn the_exercise_page_shows_the_drawing_and_what_to_feel() {
    let app = app().await;
    let r = app.get("/library/exercises/chin-tuck").await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.has("/assets/figures/chin-tuck.start.svg") && r.has("/assets/figures/chin-tuck.end.svg"), "{}", r.body);
    assert!(r.has("What you should feel"));
    assert!(r.has("front of the neck"), "the card's own words");
    let list = app.get("/library").await;
    for e in &runtall_content::program().exercises {
        assert!(list.has(&format!("/assets/figures/{}.plain.svg", e.id)), "{} has no picture in the library", e.id);
    }
}

#[tokio::test]
async fn the_player_knows_each_steps_drawing_and_feel() {
    let app = app().await;
    app.onboard().await;
    let r = app.get("/session/daily-mobility").await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.has(r#"id="exercise-info""#) && r.has(r#"id="step-figure""#));
    assert!(r.has("figures/open-book-rotation.plain.svg"), "{}", r.body);
    assert!(r.has("Feel it:"));
    let _ = json!({});
}
