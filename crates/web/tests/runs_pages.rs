//! The runs pages: runs by default, other sports apart as cross-training with their own units and without run
//! forms; a pain marker per run in the list.

mod common;

use common::{add_activity, add_run, app};
use runtall_domain::activity::Sport;
use runtall_store::Store;

#[tokio::test]
async fn rides_and_swims_are_cross_training_not_runs() {
    let app = app().await;
    let store = app.store();
    let run = add_run(&store, 30, "run");
    // A 92 km ride in 3 h and a 1.5 km swim in 30 min.
    let ride = add_activity(&store, Sport::Cycling, 50, "ride", 92_000.0, 3.0 * 3600.0);
    let swim = add_activity(&store, Sport::Swimming, 70, "swim", 1500.0, 1800.0);

    let list = app.get("/runs").await;
    assert!(list.has(&format!("/runs/{run}\"")), "{}", list.body);
    assert!(!list.has(&format!("/runs/{ride}\"")), "rides are not in the runs list");
    assert!(!list.has(&format!("/runs/{swim}\"")));

    let other = app.get("/runs?kind=cross-training").await;
    assert!(other.has(&format!("/runs/{ride}\"")) && other.has(&format!("/runs/{swim}\"")), "{}", other.body);
    assert!(!other.has(&format!("/runs/{run}\"")));
    assert!(other.has("30.7 km/h"), "a ride reads in km/h: {}", other.body);
    assert!(other.has("2:00/100 m"), "a swim reads per 100 m");
    assert!(!other.has("1:57/km"), "no running pace for a ride");

    let page = app.get(&format!("/runs/{ride}")).await;
    assert!(page.has("Ride #") || page.has("Test activity"), "{}", page.body);
    assert!(page.has("cross-training"));
    assert!(page.has("30.7 km/h"));
    assert!(!page.has("post-run reset"), "no post-run routine for a ride");
    assert!(!page.has("Hydration pack"), "no run-context form for a ride");
    // A run keeps both.
    let page = app.get(&format!("/runs/{run}")).await;
    assert!(page.has("Hydration pack"));

    let all = app.get("/runs?kind=all").await;
    assert!(all.has(&format!("/runs/{ride}\"")) && all.has(&format!("/runs/{run}\"")));
    assert_eq!(app.get("/runs?kind=boats").await.status, axum::http::StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn the_list_marks_runs_with_pain() {
    let app = app().await;
    let store = app.store();
    let sore = add_run(&store, 30, "sore");
    let fine = add_run(&store, 80, "fine");
    let start = store.activity(sore).expect("read").expect("run").activity.start;
    store
        .add_pain_report(&runtall_domain::journal::PainReport {
            id: None,
            at: start.checked_add(jiff::SignedDuration::from_mins(45)).expect("t"),
            timing: runtall_domain::journal::PainTiming::RightAfter,
            region: runtall_domain::assess::Region::Neck,
            intensity: runtall_domain::assess::Score::new(6.0).expect("score"),
            run_id: Some(sore),
            notes: None,
        })
        .expect("pain");
    let list = app.get("/runs").await;
    let row = |id: i64| {
        let at = list.body.find(&format!("/runs/{id}\"")).expect("row");
        let end = list.body[at..].find("</li>").map_or(list.body.len(), |e| at + e);
        list.body[at..end].to_string()
    };
    assert!(row(sore).contains("pain 6/10"), "{}", row(sore));
    assert!(!row(fine).contains("pain"), "{}", row(fine));
}

#[tokio::test]
async fn a_run_page_draws_its_route_and_a_readable_chart() {
    let app = app().await;
    let store = app.store();
    let id = add_activity(&store, Sport::Running, 30, "map", 6000.0, 1990.0);
    let page = app.get(&format!("/runs/{id}")).await;
    assert!(page.has("class=\"route\""), "{}", page.body);
    assert!(page.has("class=\"start\"") && page.has("class=\"finish\""));
    assert!(page.has("Route of 6.0 km"), "the map's text alternative");
    // The chart runs along the distance, in a phone and a desktop drawing.
    assert!(page.has("chart narrow") && page.has("chart wide"));
    assert!(page.has(">5 km<"), "distance ticks");
    // The standalone chart is one SVG.
    let svg = app.get(&format!("/runs/{id}/chart.svg")).await;
    assert_eq!(svg.body.matches("<svg").count(), 1);
}
