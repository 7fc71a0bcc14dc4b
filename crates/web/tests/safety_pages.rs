//! The safety gate on the web surfaces (issue 10): Today, the plan, the player, run mode and its downloads, the
//! experiments form, the emergency screen and the Sources page all follow the same decisions.

mod common;

use axum::http::StatusCode;
use common::*;
use serde_json::json;

async fn screen_yes(app: &App, yes: &[&str]) {
    let r = app.api("/api/screen", json!({ "yes": yes, "others": "no" })).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
}

async fn assess(app: &App, edit: impl FnOnce(&mut serde_json::Value)) {
    let mut a = example_assessment();
    edit(&mut a);
    let r = app.api("/api/assessment", a).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
}

fn rib_after_eating(a: &mut serde_json::Value) {
    a["regions"] = json!(["rib-side-left"]);
    a["when"] = json!(["after-eating-before-run"]);
}

#[tokio::test]
async fn rib_pain_with_meals_means_no_run_on_today_or_in_run_mode() {
    let app = app().await;
    screen_yes(&app, &[]).await;
    assess(&app, rib_after_eating).await;
    let today = app.get("/today?run=speed").await;
    assert_eq!(today.status, StatusCode::OK);
    assert!(today.has("No running"), "Today must say why there is no run: {}", today.body);
    assert!(!today.has("Start guided session\" href=\"/session/pre-run-speed"));
    assert!(!today.has("/session/pre-run-speed"), "the speed routine is offered");
    let api = app.get("/api/plan/for-run/speed").await;
    assert_eq!(api.status, StatusCode::CONFLICT, "{}", api.body);
    let plan = app.get("/api/plan").await.json();
    assert!(plan["plan"]["week"].as_array().expect("week").iter().all(|d| d["run"].is_null()), "runs in the week");
    assert_eq!(app.get("/session/pre-run-speed").await.status, StatusCode::CONFLICT);
    let fit = app.get("/run-mode/workout.fit?run=long&minutes=90").await;
    assert_ne!(fit.status, StatusCode::OK, "a long-run workout is downloaded");
    let api = app.get("/api/run-mode?run=easy&minutes=30").await;
    assert_eq!(api.status, StatusCode::CONFLICT, "{}", api.body);
    // No race trip: it would plan a race day with its pre-race routine and a shake-out run.
    let race = jiff::Zoned::now().date().checked_add(jiff::Span::new().days(30)).expect("date");
    let trip = app.get(&format!("/travel?race={race}&mode=drive&hours=4")).await;
    assert_eq!(trip.status, StatusCode::CONFLICT, "{}", trip.body);
    assert!(trip.has("No race trip to plan now") && trip.has("No running until"), "{}", trip.body);
    assert!(!trip.has("race day") && !trip.has("/session/pre-run-speed"), "{}", trip.body);
    let api = app.get(&format!("/api/travel?race={race}&mode=drive&hours=4")).await;
    assert_eq!(api.status, StatusCode::CONFLICT, "{}", api.body);
    assert_eq!(app.get("/api/travel").await.status, StatusCode::CONFLICT, "nor the example plan");
    // The plan asks again; a clinician's check clears the hold although the screen itself flagged nothing.
    assert!(app.get("/plan").await.has("A clinician has checked me"));
    let r = app.form("/screen/clinician-checked", &[("confirm", "yes")]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert_eq!(app.get("/api/plan/for-run/speed").await.status, StatusCode::OK);
}

#[tokio::test]
async fn the_reduced_program_offers_easy_runs_only_on_every_surface() {
    let app = app().await;
    screen_yes(&app, &["night-pain-that-wakes"]).await;
    assess(&app, |_| {}).await;
    let plan = app.get("/api/plan").await.json();
    for d in plan["plan"]["week"].as_array().expect("week") {
        assert!(d["run"].is_null() || d["run"] == "easy", "{d}");
    }
    assert_eq!(app.get("/api/plan/for-run/long").await.status, StatusCode::CONFLICT);
    assert_eq!(app.get("/api/plan/for-run/easy").await.status, StatusCode::OK);
    assert_eq!(app.get("/session/rest-day-strength").await.status, StatusCode::CONFLICT);
    let r = app.get("/run-mode/cues.ics?run=speed&reps=6x800m").await;
    assert_ne!(r.status, StatusCode::OK, "speed cues in the reduced program");
    let race = jiff::Zoned::now().date().checked_add(jiff::Span::new().days(30)).expect("date");
    let trip = app.get(&format!("/api/travel?race={race}&mode=flight&hours=3")).await;
    assert_eq!(trip.status, StatusCode::CONFLICT, "races wait in the reduced program: {}", trip.body);
    let r = app.api("/api/experiments", json!({ "factor": "pack" })).await;
    assert!(r.status.is_client_error(), "{}", r.body);
    let page = app.get("/experiments").await;
    assert!(page.has("until a clinician has checked"), "{}", page.body);
}

#[tokio::test]
async fn the_emergency_screen_has_a_tap_to_call_link_for_the_country() {
    let app = app().await;
    let r = app.api("/api/profile", json!({ "name": "", "units": "km", "country": "GB" })).await;
    assert!(r.status.is_success(), "{}", r.body);
    let a = app.get("/api/screen/questions").await.json();
    let emergency = flag_of_level(&a, "A");
    screen_yes(&app, &[&emergency]).await;
    let page = app.get("/emergency").await;
    assert!(page.has("href=\"tel:999\""), "{}", page.body);
    assert!(page.has("do not drive yourself"), "{}", page.body);
}

#[tokio::test]
async fn the_sources_page_names_every_source_and_from_lines_link_to_it() {
    let app = app().await;
    let page = app.get("/sources").await;
    assert_eq!(page.status, StatusCode::OK);
    for needle in [
        "Episode 26",
        "How to Avoid Upper Back Pain When Running",
        "Ben Shatto",
        "Feb 2025",
        "Evidence brief",
        "runtall program design",
        "expert opinion",
    ] {
        assert!(page.has(needle), "the Sources page lacks '{needle}'");
    }
    let ex = app.get("/library/exercises/chin-tuck").await;
    assert!(ex.has("href=\"/sources#"), "the from: line does not link to the Sources page");
}

/// The web surfaces against the gate, table-driven: for each screen and assessment, every run type, routine,
/// cue plan, download and experiment factor is offered exactly when `/api/safety` allows it.
#[tokio::test]
async fn every_web_surface_offers_exactly_what_the_gate_allows() {
    use runtall_domain::content::{RunType, program};
    use runtall_domain::safety::Permissions;
    type Edit = fn(&mut serde_json::Value);
    let same: Edit = |_| {};
    let osteoporosis: Edit = |a| {
        a["conditions"] = json!(["osteoporosis"]);
        a["equipment"] = json!(["mat"]);
    };
    let shoulder: Edit = |a| {
        a["conditions"] = json!(["shoulder-injury"]);
        a["regions"] = json!(["shoulder"]);
    };
    let cases: [(&str, &[&str], Edit); 8] = [
        ("clear", &[], same),
        ("rib pain with meals", &[], rib_after_eating),
        ("osteoporosis, no roller", &[], osteoporosis),
        ("shoulder injury", &[], shoulder),
        ("level C", &["night-pain-that-wakes"], same),
        ("level B chest", &["chest-or-rib-pain-with-effort-or-meals"], same),
        ("level B fever", &["pain-with-fever-or-feeling-unwell"], same),
        ("level A", &["chest-pain-during-or-after-run"], same),
    ];
    for (name, yes, edit) in cases {
        let app = app().await;
        // The assessment first (on a clear screen), then the screen of the case: a later screen applies to it.
        screen_yes(&app, &[]).await;
        assess(&app, edit).await;
        screen_yes(&app, yes).await;
        let perm: Permissions = serde_json::from_str(&app.get("/api/safety").await.body).expect("permissions");
        let plan = app.get("/api/plan").await;
        if !perm.allows_plan() {
            assert_eq!(plan.status, StatusCode::CONFLICT, "{name}");
        } else {
            let plan = plan.json();
            for d in plan["plan"]["week"].as_array().expect("week") {
                if let Some(run) = d["run"].as_str() {
                    assert!(perm.run(run.parse().expect("run")).allowed, "{name}: {run} in the week");
                }
            }
        }
        for run in RunType::ALL {
            let allowed = perm.allows_plan() && perm.run(run).allowed;
            let r = run.as_str();
            let api = app.get(&format!("/api/plan/for-run/{r}")).await;
            assert_eq!(api.status == StatusCode::OK, allowed, "{name}: /api/plan/for-run/{r} {}", api.status);
            let cues = app.get(&format!("/api/run-mode?run={r}&minutes=30")).await;
            assert_eq!(cues.status == StatusCode::OK, allowed, "{name}: run mode {r} {}", cues.status);
            let fit = app.get(&format!("/run-mode/workout.fit?run={r}&minutes=30")).await;
            assert_eq!(fit.status == StatusCode::OK, allowed, "{name}: workout {r} {}", fit.status);
            let today = app.get(&format!("/today?run={r}")).await;
            if perm.allows_plan() {
                let pre = program().pre_run_routine(run).expect("pre-run").id.clone();
                let start = format!("href=\"/session/{pre}?today=1&amp;for={r}\"");
                assert_eq!(today.has(&start), allowed, "{name}: Today {r}");
            }
        }
        for routine in &program().routines {
            let allowed = perm.allows_plan() && perm.routine(&routine.id).allowed;
            let page = app.get(&format!("/session/{}", routine.id)).await;
            assert_eq!(page.status == StatusCode::OK, allowed, "{name}: player {} {}", routine.id, page.status);
            if allowed {
                let t = app.get(&format!("/api/sessions/{}/timeline", routine.id)).await.json();
                for step in t["steps"].as_array().expect("steps") {
                    let ex = step["exercise"].as_str().expect("id");
                    assert_eq!(perm.exercise(ex), runtall_domain::safety::ExerciseVerdict::Allowed, "{name}: {ex}");
                }
            }
        }
        for factor in runtall_domain::safety::EXPERIMENT_FACTORS {
            let r = app.api("/api/experiments", json!({ "factor": factor })).await;
            assert_eq!(r.status == StatusCode::CREATED, perm.experiment(factor).allowed, "{name}: {factor} {}", r.body);
            if r.status == StatusCode::CREATED {
                assert_eq!(app.api("/api/experiments/stop", json!({})).await.status, StatusCode::OK);
            }
        }
    }
}
