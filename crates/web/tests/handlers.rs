//! Handler tests: every route in-process (`tower::ServiceExt::oneshot`) over a temporary SQLite file — status,
//! content, CSRF refusal, and the login gate when a password is set.

mod common;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use common::*;
use runtall_store::Store;
use runtall_web::{ServeConfig, WebError};
use serde_json::json;

// ------------------------------------------------------------------------------------------------ tests

#[tokio::test]
async fn pages_render_before_onboarding_and_steps_redirect_to_the_start() {
    let app = app().await;
    for path in [
        "/welcome",
        "/screen",
        "/library",
        "/library/exercises/chin-tuck",
        "/library/routines/daily-mobility",
        "/learn",
        "/learn/1",
        "/relief",
        "/habits",
        "/habits?area=pack",
        "/pain",
        "/pain/chest",
        "/day",
        "/settings",
        "/runs",
    ] {
        let r = app.get(path).await;
        assert_eq!(r.status, StatusCode::OK, "{path}");
        assert!(r.has("<html lang=\"en\">"), "{path}");
    }
    for (path, to) in [("/", "/welcome"), ("/today", "/welcome"), ("/plan", "/welcome"), ("/assess", "/welcome")] {
        let r = app.get(path).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{path}");
        assert_eq!(r.location(), to, "{path}");
    }
    assert!(app.get("/runs").await.has("Import your first run"));
    assert!(app.get("/pain").await.has("Nothing logged yet"));
    assert_eq!(app.get("/session/daily-mobility").await.location(), "/welcome");
}

#[tokio::test]
async fn unknown_addresses_get_friendly_pages_and_json_errors() {
    let app = app().await;
    let r = app.get("/no/such/page").await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert!(r.has("Not found") && r.has("<html"), "{}", r.body);
    let r = app.get("/api/no-such").await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert_eq!(r.json()["error"], "not-found");
    assert_eq!(app.get("/library/exercises/nope").await.status, StatusCode::NOT_FOUND);
    assert_eq!(app.get("/api/exercises/nope").await.status, StatusCode::NOT_FOUND);
    assert_eq!(app.get("/learn/99").await.status, StatusCode::NOT_FOUND);
    assert_eq!(app.get("/habits?area=nope").await.status, StatusCode::BAD_REQUEST);
    // Bad JSON: the API says what is wrong with the request, as JSON.
    let r = app.api("/api/pain", json!({ "region": "knee" })).await;
    assert!(r.status.is_client_error());
    assert!(r.json()["message"].as_str().is_some_and(|m| !m.is_empty()));
}

/// Pages load static files by URLs keyed by their content, cached for good; the plain name and another build's
/// key still answer with the current file, uncached; anything else is a clean 404.
#[tokio::test]
async fn asset_urls_are_keyed_by_content_and_old_ones_still_answer() {
    let app = app().await;
    let page = app.get("/welcome").await.body;
    let start = page.find("/assets/app.").expect("the style sheet's URL");
    let url = &page[start..start + page[start..].find('"').expect("closing quote")];
    let key = url.trim_start_matches("/assets/app.").trim_end_matches(".css");
    assert!(key.len() == 16 && key.bytes().all(|b| b.is_ascii_hexdigit()), "{url}");
    let cache = |r: &common::Reply| r.headers[header::CACHE_CONTROL].to_str().unwrap_or("").to_string();
    let current = app.get(url).await;
    assert_eq!(current.status, StatusCode::OK);
    assert!(
        cache(&current).contains("immutable") && cache(&current).contains("max-age=31536000"),
        "{}",
        cache(&current)
    );
    let css = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/assets/app.css")).expect("app.css");
    assert_eq!(current.body, css);
    for old in ["/assets/app.css", "/assets/app.css?v=0.0.1", "/assets/app.0123456789abcdef.css"] {
        let r = app.get(old).await;
        assert_eq!(r.status, StatusCode::OK, "{old}");
        assert_eq!(cache(&r), "no-cache", "{old}");
        assert_eq!(r.body, css, "{old}");
    }
    for bad in ["/assets/app.0123456789abcdeg.css", "/assets/nope.0123456789abcdef.css", "/assets/app.123.css"] {
        assert_eq!(app.get(bad).await.status, StatusCode::NOT_FOUND, "{bad}");
    }
    // The service worker keeps the files by the same keyed names the pages use.
    assert!(app.get("/sw.js").await.body.contains(&format!("\"{url}\"")), "the worker keeps {url}");
}

#[tokio::test]
async fn every_response_carries_a_strict_csp_and_assets_are_embedded() {
    let app = app().await;
    for path in ["/welcome", "/api/state", "/nope", "/assets/app.css"] {
        let r = app.get(path).await;
        let csp = r.headers.get(header::CONTENT_SECURITY_POLICY).and_then(|v| v.to_str().ok()).unwrap_or("");
        assert!(csp.contains("default-src 'self'") && csp.contains("script-src 'self'"), "{path}: {csp}");
        assert!(!csp.contains("unsafe"), "{path}: {csp}");
        assert_eq!(r.headers.get(header::X_CONTENT_TYPE_OPTIONS).map(|v| v.as_bytes()), Some(&b"nosniff"[..]));
    }
    for (path, ty) in [
        ("/assets/app.css", "text/css"),
        ("/assets/app.js", "text/javascript"),
        ("/assets/player.js", "text/javascript"),
        ("/assets/icon.svg", "image/svg+xml"),
    ] {
        let r = app.get(path).await;
        assert_eq!(r.status, StatusCode::OK, "{path}");
        assert!(r.headers[header::CONTENT_TYPE].to_str().unwrap_or("").starts_with(ty), "{path}");
    }
    assert_eq!(app.get("/assets/secret.txt").await.status, StatusCode::NOT_FOUND);
    // No inline scripts on any page: only data blocks and files from /assets/.
    let page = app.get("/welcome").await.body;
    for chunk in page.split("<script").skip(1) {
        assert!(chunk.starts_with(" src=\"/assets/") || chunk.starts_with(" type=\"application/json\""), "{chunk}");
    }
}

#[tokio::test]
async fn csrf_is_required_on_every_post() {
    let app = app().await;
    let r = app.form_raw("/screen", &[("q-x", "no")]).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "no token");
    assert!(r.has("expired"), "friendly page");
    let r = app.form_raw("/screen", &[("_csrf", "0000"), ("q-x", "no")]).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "wrong token");
    // API without the header.
    let req = Request::post("/api/screen")
        .header(header::COOKIE, &app.cookie)
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(r#"{"yes":[],"others":"no"}"#))
        .expect("request");
    let r = app.send(req).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_eq!(r.json()["error"], "forbidden");
    // A token without its session cookie is worthless.
    let req = Request::post("/api/screen")
        .header("x-csrf-token", &app.csrf)
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(r#"{"yes":[],"others":"no"}"#))
        .expect("request");
    assert_eq!(app.send(req).await.status, StatusCode::FORBIDDEN);
    for path in ["/pain", "/day", "/settings", "/settings/delete-all", "/assess", "/screen/clinician-checked"] {
        assert_eq!(app.form_raw(path, &[]).await.status, StatusCode::FORBIDDEN, "{path}");
    }
    // Nothing was stored by the refused requests.
    assert!(app.store().latest_screening().expect("read").is_none());
}

#[tokio::test]
async fn onboarding_by_forms_gives_a_plan_with_reasons_and_sources() {
    let app = app().await;
    let r = screen_form(&app, None).await;
    assert_eq!((r.status, r.location()), (StatusCode::SEE_OTHER, "/screen/result"));
    let r = app.get("/screen/result").await;
    assert!(r.has("Safety check clear"), "{}", r.body);
    assert_eq!(app.get("/").await.location(), "/assess");
    assert_eq!(app.get("/assess").await.status, StatusCode::OK);
    let r = app.form("/assess", &assessment_form()).await;
    assert_eq!((r.status, r.location()), (StatusCode::SEE_OTHER, "/plan"), "{}", r.body);
    let plan = app.get("/plan").await;
    assert_eq!(plan.status, StatusCode::OK);
    for text in [
        "Your plan",
        "Why: ",
        "From: ",
        "Your week",
        "class=\"ev ",
        "(your answer: when it hurts, long runs)",
        "id=\"plan-today\"",
        "href=\"/today\"",
    ] {
        assert!(plan.has(text), "plan shows {text}");
    }
    // Answers are named in words, never by their field ids.
    for page in [&plan, &app.get("/today?run=long").await] {
        assert!(!page.has("(exposures.") && !page.has("(when: ") && !page.has("_per_"), "{}", page.body);
    }
    // The form keeps the last answers when opened again.
    assert!(app.get("/assess").await.has("value=\"Run an hour\""));
    // One plan is stored per screen+assessment, not one per view.
    let before = app.store().plans().expect("plans").len();
    app.get("/plan").await;
    assert_eq!(app.store().plans().expect("plans").len(), before);
    assert_eq!(app.get("/").await.location(), "/today");
}

#[tokio::test]
async fn an_unanswered_safety_question_is_never_taken_as_no() {
    let app = app().await;
    let flags = app.get("/api/screen/questions").await.json();
    let pairs = all_no(&flags);
    let refs: Vec<(&str, &str)> = pairs.iter().skip(1).map(|(a, b)| (a.as_str(), b.as_str())).collect();
    let r = app.form("/screen", &refs).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.has("never taken as no"), "{}", r.body);
    // The summary names the question by its place and its words, not by its id.
    let first = flags["questions"].as_array().and_then(|a| a.first()).expect("questions");
    let words = first["question"].as_str().expect("question").replace('&', "&amp;").replace('"', "&quot;");
    assert!(r.has(&format!("Question 1: please answer — {words}")), "{}", r.body);
    assert!(r.has("Please check 1 answer<") && !r.has(">q-"), "{}", r.body);
    assert!(app.store().latest_screening().expect("read").is_none());
    let r = app.api("/api/screen", json!({ "answers": { "made-up": false } })).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn level_a_shows_only_the_emergency_screen_until_a_clinician_has_checked() {
    let app = app().await;
    app.form("/settings", &[("country", "au"), ("units", "km")]).await;
    let flags = app.get("/api/screen/questions").await.json();
    let a = flag_of_level(&flags, "A");
    screen_form(&app, Some(&a)).await;
    assert_eq!(app.get("/screen/result").await.location(), "/emergency");
    let r = app.get("/emergency").await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.has("000"), "Australia's number");
    assert!(!r.has("<nav"), "nothing else on the emergency screen");
    for path in ["/", "/plan", "/today", "/pain", "/runs", "/library", "/day"] {
        assert_eq!(app.get(path).await.location(), "/emergency", "{path}");
    }
    assert_eq!(app.get("/api/plan").await.status, StatusCode::CONFLICT);
    let r = app.form("/screen/clinician-checked", &[]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "the confirmation must be ticked");
    let r = app.form("/screen/clinician-checked", &[("confirm", "yes")]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(app.get("/emergency").await.location(), "/");
    assert_eq!(app.get("/").await.location(), "/assess");
}

#[tokio::test]
async fn level_b_pauses_and_level_c_gives_the_reduced_program_and_asks_again() {
    let app = app().await;
    let flags = app.get("/api/screen/questions").await.json();
    screen_form(&app, Some(&flag_of_level(&flags, "B"))).await;
    // Today says plainly that there is nothing to run or train, rather than sending the runner elsewhere.
    let today = app.get("/today").await;
    assert_eq!(today.status, StatusCode::OK);
    assert!(today.has("No running or training today") && today.has("/screen/result"), "{}", today.body);
    assert_eq!(app.get("/plan").await.location(), "/screen/result");
    assert!(app.get("/screen/result").await.has("See a clinician today"));
    assert_eq!(app.get("/assess").await.location(), "/screen/result");

    screen_form(&app, Some(&flag_of_level(&flags, "C"))).await;
    let r = app.get("/screen/result").await;
    assert!(r.has("reduced, gentle program") && r.has("clinician-checked"), "{}", r.body);
    assert_eq!(app.form("/assess", &assessment_form()).await.location(), "/plan");
    let plan = app.get("/plan").await;
    assert!(plan.has("Reduced program") && plan.has("A clinician has checked me"), "asked again at each plan");
    assert_eq!(app.get("/api/plan").await.json()["plan"]["mode"], "reduced");
}

#[tokio::test]
async fn assessment_errors_are_reported_by_field_with_their_range() {
    let app = app().await;
    screen_form(&app, None).await;
    let mut form = assessment_form();
    form.retain(|(k, _)| *k != "baseline_pain");
    form.push(("baseline_pain", "11"));
    let r = app.form("/assess", &form).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.has("11 is out of range (allowed 0–10)"), "{}", r.body);
    assert!(r.has("value=\"Run an hour\""), "answers are kept");

    let mut form = assessment_form();
    form.retain(|(k, _)| *k != "exposures.long_run_km");
    form.push(("exposures.long_run_km", "60"));
    assert!(app.form("/assess", &form).await.has("longer than the weekly distance"));

    let form: Vec<_> = assessment_form().into_iter().filter(|(k, _)| !k.starts_with("psfs[2]")).collect();
    assert!(app.form("/assess", &form).await.has("name 3 to 5"));

    let form: Vec<_> = assessment_form().into_iter().filter(|(k, _)| *k != "regions").collect();
    assert!(app.form("/assess", &form).await.has("at least one area"));

    let mut form = assessment_form();
    form.push(("regions", "chest"));
    let r = app.form("/assess", &form).await;
    assert_eq!(r.location(), "/screen?from=chest");
    assert!(app.store().latest_assessment().expect("read").is_none(), "nothing stored");
    assert!(app.get("/screen?from=chest").await.has("never logged as an ache"));

    // The API refuses the same things.
    let mut bad = example_assessment();
    bad["baseline_pain"] = json!(11);
    assert_eq!(app.api("/api/assessment", bad).await.status, StatusCode::UNPROCESSABLE_ENTITY);
    let mut chest = example_assessment();
    chest["regions"] = json!(["chest"]);
    assert_eq!(app.api("/api/assessment", chest).await.status, StatusCode::CONFLICT);
}

#[tokio::test]
async fn today_shows_the_run_day_and_the_player_gets_a_timeline() {
    let app = app().await;
    app.onboard().await;
    let r = app.get("/today?run=long").await;
    assert_eq!(r.status, StatusCode::OK);
    for text in [
        "Your few things today: ",
        "of your 15 min",
        "Before the run: ",
        "During the run: Mid-run cues for long runs",
        "After the run: ",
        "Start guided session",
        "href=\"/plan\"",
    ] {
        assert!(r.has(text), "today shows {text}");
    }
    // Before, during and after, in the day's order.
    let at = |t: &str| r.body.find(t).unwrap_or(usize::MAX);
    assert!(at("Before the run: ") < at("During the run: ") && at("During the run: ") < at("After the run: "));
    // Each exercise once in the day: 90/90 breathing is before the run, not again after it.
    assert_eq!(r.body.matches("href=\"/library/exercises/hooklying-90-90-breathing\"").count(), 1, "{}", r.body);
    // The guided start plays Today's steps of the routine, and reports back about the same steps.
    let whole = app.get("/api/sessions/post-run-reset/timeline").await.json();
    let played = app.get("/session/post-run-reset?today=1&for=long").await;
    assert_eq!(played.status, StatusCode::OK);
    assert!(
        played.has("data-progress=\"/api/sessions/post-run-reset/progress?today=1&amp;for=long\""),
        "{}",
        played.body
    );
    let whole_steps = whole["steps"].as_array().expect("steps").len();
    let played_steps = played.body.matches("<li><a href=\"/library/exercises/").count();
    assert!(played_steps < whole_steps, "Today plays {played_steps} of the reset's {whole_steps} steps");
    // A raised budget in the settings gives a longer day.
    let r = app.form("/settings", &[("run_day_minutes", "40"), ("rest_day_minutes", "40")]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert!(app.get("/today?run=long").await.has("of your 40 min"));
    let r = app.form("/settings", &[("run_day_minutes", "400")]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.has("not a number of minutes from 5 to 60"));
    assert_eq!(app.get("/today?run=sprint").await.status, StatusCode::BAD_REQUEST);
    assert_eq!(app.get("/today?run=none").await.status, StatusCode::OK);
    let day = app.get("/api/plan/for-run/speed").await.json();
    assert_eq!(day["run_type"], "speed");
    assert!(day["during"]["per_rep"].as_bool().unwrap_or(false));
    let page = app.get("/session/pre-run-long").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.has("id=\"timeline\"") && page.has("/assets/player."));
    let t = app.get("/api/sessions/pre-run-long/timeline").await.json();
    assert!(t["segments"].as_array().is_some_and(|s| s.iter().any(|x| x["kind"] == "inhale")));
    assert_eq!(app.get("/session/nope").await.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn run_mode_speaks_the_cue_plan_for_the_run() {
    let app = app().await;
    app.onboard().await;
    let page = app.get("/run-mode?run=long&minutes=90&pack=on").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.has("id=\"run-cues\"") && page.has("/assets/runmode."), "cues embedded, script loaded");
    let plan = app.get("/api/run-mode?run=long&minutes=90&pack=on").await.json();
    let cues = plan["cues"].as_array().expect("cues");
    let late = cues.iter().filter(|c| c["at_s"].as_u64().is_some_and(|s| s >= 3600)).count();
    let early = cues.iter().filter(|c| c["at_s"].as_u64().is_some_and(|s| s > 0 && s < 1800)).count();
    assert!(late > early, "more cues in the last third");
    assert!(cues.iter().any(|c| c["kind"] == "pack"), "pack cues when a pack is worn");
    assert_eq!(app.get("/run-mode?run=long&minutes=0").await.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(app.get("/run-mode?run=sprint&minutes=30").await.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(app.get("/assets/runmode.js").await.status, StatusCode::OK);
}

#[tokio::test]
async fn guided_completions_go_to_the_day_log_or_the_run() {
    let app = app().await;
    app.onboard().await;
    let r = app.api("/api/sessions/daily-mobility/complete", json!({})).await.json();
    assert_eq!((r["recorded"].as_bool(), r["stored_in"].as_str()), (Some(true), Some("day")));
    assert!(app.get("/api/day").await.json()["mobility_done"].as_bool().unwrap_or(false));

    // Post-run reset right after a run: linked to that run by time.
    let id = add_run(&app.store(), 1, "h1");
    let r = app.form("/session/post-run-reset/complete", &[]).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.has(&format!("run #{id}")), "{}", r.body);
    assert_eq!(app.get(&format!("/api/runs/{id}/context")).await.json()["post_run_done"], true);

    let r = app.api("/api/sessions/desk-micro-break/complete", json!({})).await.json();
    assert_eq!(r["recorded"], false);
    let r = app.api("/api/sessions/pre-run-long/complete", json!({ "run": 999 })).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn pain_is_logged_linked_and_chest_goes_to_the_screen() {
    let app = app().await;
    let id = add_run(&app.store(), 2, "h2");
    let r = app.form("/pain", &[("region", "neck"), ("intensity", "6"), ("timing", "right-after")]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert!(r.location().starts_with("/pain?logged="));
    let page = app.get(r.location()).await;
    assert!(
        page.has("Logged: Neck 6/10") && page.has(&format!("run #{id}")) && page.has("Above 5/10"),
        "{}",
        page.body
    );
    let r = app.form("/pain", &[("region", "chest"), ("intensity", "3"), ("timing", "during")]).await;
    assert_eq!(r.location(), "/pain/chest");
    assert_eq!(app.get("/pain?region=chest").await.location(), "/pain/chest");
    let r = app.form("/pain", &[("region", "neck"), ("intensity", "12"), ("timing", "other")]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.has("allowed 0–10"));
    let r = app.form("/pain", &[("intensity", "3"), ("timing", "other")]).await;
    assert!(r.has("tap where it hurts"));
    let r = app
        .form("/pain", &[("region", "neck"), ("intensity", "3"), ("timing", "other"), ("at", "2999-01-01T10:00")])
        .await;
    assert!(r.has("in the future"), "{}", r.body);

    let r = app.api("/api/pain", json!({ "region": "chest", "intensity": 3, "timing": "during" })).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("red-flag screen"));
    let r = app.api("/api/pain", json!({ "region": "mid-back", "intensity": 2.5, "timing": "at-desk" })).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(app.get("/api/pain?days=7").await.json().as_array().map(Vec::len), Some(2));
    let jsonl = app.get("/api/journal/export").await;
    assert!(jsonl.has("\"type\":\"pain\"") && jsonl.has("\"type\":\"run\""), "{}", jsonl.body);
    let csv = app.get("/export/pain.csv").await;
    assert!(csv.headers[header::CONTENT_DISPOSITION].to_str().unwrap_or("").contains("attachment"));
    assert_eq!(app.get("/export/secrets.txt").await.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn the_day_log_checks_ranges_and_warns_above_the_magnesium_limit() {
    let app = app().await;
    let r = app
        .form("/day", &[("sitting_h", "9"), ("longest_sitting_h", "3"), ("relief", "heat"), ("magnesium_mg", "500")])
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let page = app.get(r.location()).await;
    assert!(page.has("Saved.") && page.has("350 mg/day"), "{}", page.body);
    let r = app.form("/day", &[("sitting_h", "2"), ("longest_sitting_h", "5")]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.has("longer than the day"));
    let r = app.form("/day", &[("sleep_h", "25")]).await;
    assert!(r.has("allowed 0–24"));
    let today = app.get("/api/day").await.json();
    assert_eq!(today["magnesium_mg"], 500);
    let r = app.api("/api/day", json!({ "date": "2999-01-01" })).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(app.get("/day?date=yesterday").await.status, StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn runs_list_detail_chart_and_context() {
    let app = app().await;
    let id = add_run(&app.store(), 30, "h3");
    let list = app.get("/runs").await;
    assert!(list.has(&format!("/runs/{id}")) && list.has("6.00 km"));
    let detail = app.get(&format!("/runs/{id}")).await;
    assert_eq!(detail.status, StatusCode::OK);
    assert!(detail.has("<svg class=\"chart narrow\"") && detail.has("<figcaption>Pace from"), "{}", detail.body);
    let svg = app.get(&format!("/runs/{id}/chart.svg")).await;
    assert_eq!(svg.headers[header::CONTENT_TYPE], "image/svg+xml");
    let r = app
        .form(&format!("/runs/{id}/context"), &[("pack", "yes"), ("surface", "trail"), ("pre_run_done", "no")])
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let ctx = app.get(&format!("/api/runs/{id}/context")).await.json();
    assert_eq!(
        (ctx["pack"].clone(), ctx["surface"].clone(), ctx["pre_run_done"].clone()),
        (json!(true), json!("trail"), json!(false))
    );
    assert_eq!(
        app.api(&format!("/api/runs/{id}/context"), json!({ "ate_within_2h": true })).await.status,
        StatusCode::OK
    );
    assert_eq!(app.get("/runs/999").await.status, StatusCode::NOT_FOUND);
    assert_eq!(app.get("/api/runs/999").await.status, StatusCode::NOT_FOUND);
    assert_eq!(app.form("/runs/999/context", &[("pack", "yes")]).await.status, StatusCode::NOT_FOUND);
    assert_eq!(app.get("/api/runs").await.json().as_array().map(Vec::len), Some(1));
    assert_eq!(app.get("/api/runs?label=bogus").await.status, StatusCode::BAD_REQUEST);
    assert!(app.get("/runs?label=long").await.has("No runs of this type yet"));
}

#[tokio::test]
async fn settings_units_country_and_delete_all() {
    let app = app().await;
    app.onboard().await;
    let r = app.form("/settings", &[("name", "Ana"), ("country", "gb"), ("units", "mi")]).await;
    assert_eq!(r.location(), "/settings?saved=1");
    let p = app.get("/api/profile").await.json();
    assert_eq!((p["emergency_number"].as_str(), p["profile"]["units"].as_str()), (Some("999 or 112"), Some("mi")));
    assert!(app.get("/assess").await.has("Weekly distance (mi)"));
    let r = app.form("/settings", &[("country", "xyz")]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.has("two-letter code"));
    assert_eq!(app.api("/api/profile", json!({ "units": "furlongs" })).await.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(app.form("/settings/delete-all", &[]).await.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(app.form("/settings/delete-all", &[("confirm", "yes")]).await.location(), "/settings?deleted=1");
    assert!(app.store().latest_assessment().expect("read").is_none());
    assert_eq!(app.api("/api/delete-all", json!({ "confirm": false })).await.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(app.api("/api/delete-all", json!({ "confirm": true })).await.status, StatusCode::OK);
}

#[tokio::test]
async fn library_api_and_pages_show_sources_and_limits() {
    let app = app().await;
    let ex = app.get("/library/exercises/chin-tuck").await;
    for text in ["Stop if", "Cues", "From: ", "class=\"ev "] {
        assert!(ex.has(text), "exercise shows {text}");
    }
    let relief = app.get("/relief").await;
    assert!(relief.has("350 mg a day") && relief.has("Limits"));
    assert_eq!(app.get("/api/exercises").await.json().as_array().map(|a| a.len() >= 16), Some(true));
    assert_eq!(app.get("/api/exercises/chin-tuck").await.json()["id"], "chin-tuck");
    assert!(app.get("/api/routines").await.json().as_array().is_some_and(|a| !a.is_empty()));
    assert_eq!(app.get("/api/routines/daily-mobility").await.json()["routine"]["id"], "daily-mobility");
    assert!(app.get("/api/lessons").await.json().as_array().is_some_and(|a| a.len() >= 6));
    assert_eq!(app.get("/api/lessons/1").await.json()["number"], 1);
    assert!(app.get("/api/relief").await.json()["relief"].is_array());
    assert!(app.get("/api/habits?area=sitting").await.json()["habits"].is_array());
    assert!(app.get("/learn").await.has("data-total"));
}

#[tokio::test]
async fn a_password_gates_every_page_and_api_call() {
    let app = app_with(Some("correct horse battery")).await;
    let r = app.get("/today").await;
    assert_eq!((r.status, r.location()), (StatusCode::SEE_OTHER, "/login?next=%2Ftoday"));
    let r = app.get("/api/state").await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert_eq!(r.json()["error"], "unauthorized");
    assert_eq!(app.get("/api/openapi.json").await.status, StatusCode::UNAUTHORIZED);
    assert_eq!(app.get("/assets/app.css").await.status, StatusCode::OK, "the login page needs its styles");
    let login = app.get("/login").await;
    assert_eq!(login.status, StatusCode::OK);
    let cookie = session_cookie(&login.headers).expect("cookie");
    let csrf = login.body.split("name=\"_csrf\" value=\"").nth(1).and_then(|s| s.split('"').next()).expect("token");
    let mut signed =
        App { router: app.router.clone(), dir: tempfile::tempdir().expect("dir"), cookie, csrf: csrf.into() };
    // A POST without signing in is refused before anything else.
    assert_eq!(signed.api("/api/pain", json!({})).await.status, StatusCode::UNAUTHORIZED);
    let r = signed.form("/login", &[("password", "wrong"), ("next", "/today")]).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert!(r.has("not right"));
    // Right after a failure the next attempt must wait (a second), and is not checked at all.
    let r = signed.form("/login", &[("password", "correct horse battery"), ("next", "/today")]).await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(r.headers.get(header::RETRY_AFTER).and_then(|v| v.to_str().ok()), Some("1"));
    assert!(r.has("Too many sign-in attempts") && r.has("name=\"password\""), "the form again, with the wait");
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    let r = signed.form("/login", &[("password", "correct horse battery"), ("next", "//evil.example")]).await;
    assert_eq!((r.status, r.location()), (StatusCode::SEE_OTHER, "/"), "no open redirect");
    let fresh = session_cookie(&r.headers).expect("a new session at sign-in");
    assert_ne!(fresh, signed.cookie);
    signed.cookie = fresh;
    let cookie_header = r.headers.get(header::SET_COOKIE).and_then(|v| v.to_str().ok()).unwrap_or("");
    assert!(cookie_header.contains("HttpOnly") && cookie_header.contains("SameSite=Strict"), "{cookie_header}");
    assert_eq!(signed.get("/api/state").await.status, StatusCode::OK);
}

#[test]
fn the_server_refuses_a_public_address_without_a_password() {
    let dir = tempfile::tempdir().expect("dir");
    let config = ServeConfig {
        addr: "0.0.0.0:0".parse().expect("addr"),
        db_path: dir.path().join("x.db"),
        password: None,
        ..ServeConfig::default()
    };
    let err = runtall_web::serve(config).expect_err("refused");
    assert!(matches!(err, WebError::PasswordRequired { .. }));
    assert!(err.to_string().contains("without a password"), "{err}");
    let weak = ServeConfig {
        addr: "0.0.0.0:0".parse().expect("addr"),
        db_path: dir.path().join("x.db"),
        password: Some("short".into()),
        ..ServeConfig::default()
    };
    assert!(matches!(runtall_web::serve(weak), Err(WebError::WeakPassword)));
    assert!(!dir.path().join("x.db").exists(), "nothing created when refusing");
}

#[tokio::test]
async fn bodies_over_the_limit_are_refused() {
    let app = app().await;
    let big = "x".repeat(runtall_web::BODY_LIMIT + 10);
    let r = app.form("/pain", &[("notes", big.as_str())]).await;
    assert!(r.status == StatusCode::BAD_REQUEST || r.status == StatusCode::PAYLOAD_TOO_LARGE, "{}", r.status);
    let r = app.api("/api/pain", json!({ "notes": big })).await;
    assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE);
}

#[tokio::test]
async fn the_openapi_document_lists_every_api_route_and_each_answers() {
    let app = app().await;
    app.onboard().await;
    let id = add_run(&app.store(), 5, "h4");
    let posture = serde_json::json!({ "landmarks": { "points": { "tragus": { "x": 600, "y": 200 }, "c7": { "x": 500, "y": 300 },
        "shoulder": { "x": 520, "y": 330 }, "hip": { "x": 520, "y": 730 } } } });
    assert_eq!(app.api("/api/posture", posture).await.json()["id"], 1, "posture check 1 for GET /api/posture/{{id}}");
    let doc = app.get("/api/openapi.json").await.json();
    assert_eq!(doc["openapi"], "3.1.0");
    let paths = doc["paths"].as_object().expect("paths");
    // Every `/api/` route a module registers is documented.
    // Read from the source tree, so a new or split route module is covered without editing a list here. The clinic
    // server's own routes (clinic/, sync.rs) answer only in multi-user mode and are described in docs/clinic.md and
    // docs/sync.md, not in the personal app's document.
    fn rust_sources(dir: &std::path::Path, out: &mut Vec<String>) {
        for entry in std::fs::read_dir(dir).expect("routes folder").flatten() {
            let path = entry.path();
            if path.ends_with("clinic") || path.ends_with("sync.rs") {
                continue;
            }
            if path.is_dir() {
                rust_sources(&path, out);
            } else if path.extension().is_some_and(|x| x == "rs") {
                out.push(std::fs::read_to_string(&path).expect("route source"));
            }
        }
    }
    let src = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut sources = vec![std::fs::read_to_string(src.join("openapi.rs")).expect("openapi.rs")];
    rust_sources(&src.join("routes"), &mut sources);
    let mut registered = 0;
    for src in &sources {
        for chunk in src.split(".route(\"").skip(1) {
            let path = chunk.split('"').next().unwrap_or("");
            if path.starts_with("/api/") {
                registered += 1;
                assert!(paths.contains_key(path), "{path} is not in /api/openapi.json");
            }
        }
    }
    assert!(registered >= 25, "found {registered} API routes");
    // Every documented GET answers (no 404/405 from a typo in the document).
    for (path, ops) in paths {
        // An import job exists only after an upload (tested with uploads in insights_import.rs).
        if ops.get("get").is_none() || path.starts_with("/api/import/jobs/") {
            continue;
        }
        let concrete = path
            .replace("{run}", "long")
            .replace("{routine}", "daily-mobility")
            .replace("{id}", if path.contains("runs") { "RUN" } else { "1" })
            .replace("/api/exercises/1", "/api/exercises/chin-tuck")
            .replace("/api/routines/1", "/api/routines/daily-mobility")
            .replace("RUN", &id.to_string());
        let r = app.get(&concrete).await;
        assert_eq!(r.status, StatusCode::OK, "{concrete}: {}", r.body);
    }
}

#[tokio::test]
async fn a_long_journal_pages_back_through_older_runs() {
    let app = app().await;
    let store = app.store();
    let ids: Vec<i64> = (0..5).map(|i| add_run(&store, 24 * (i + 1), &format!("page-{i}"))).collect();
    let first = app.get("/runs?limit=2").await;
    assert_eq!(first.body.matches("class=\"run-row\"").count(), 2);
    assert!(first.has(&format!("/runs/{}", ids[0])) && !first.has(&format!("/runs/{}\"", ids[2])));
    let older = first.body.split("href=\"/runs?before=").nth(1).and_then(|r| r.split('"').next()).expect("older link");
    let second = app.get(&format!("/runs?limit=2&before={older}")).await;
    assert!(second.has(&format!("/runs/{}", ids[2])) && second.has(&format!("/runs/{}", ids[3])), "{}", second.body);
    assert!(!second.has(&format!("href=\"/runs/{}\"", ids[1])), "no repeats");
    assert!(second.has("Newest runs"));
    let api = app.get(&format!("/api/runs?limit=10&before={older}")).await.json();
    assert_eq!(api.as_array().map(Vec::len), Some(3));
    assert_eq!(app.get("/runs?before=99999999999999").await.status, StatusCode::UNPROCESSABLE_ENTITY);
    // A last page that is exactly full still offers "Older runs"; past the oldest run the page says so and leads
    // back, instead of asking a runner with five runs to import their first.
    let full = app.get("/runs?limit=5").await;
    let older = full.body.split("href=\"/runs?before=").nth(1).and_then(|r| r.split('"').next()).expect("older link");
    let past = app.get(&format!("/runs?before={older}")).await;
    assert_eq!(past.status, StatusCode::OK);
    assert!(past.has("No older runs") && past.has("Newest runs"), "{}", past.body);
    assert!(!past.has("Import your first run"), "{}", past.body);
}

#[tokio::test]
async fn mistaken_reports_and_wrong_runs_are_deleted_only_with_the_token_and_confirmation() {
    let app = app().await;
    app.onboard().await;
    let run = add_run(&app.store(), 3, "wrong-file");
    let r =
        app.api("/api/pain", json!({ "region": "neck", "intensity": 6, "timing": "right-after", "run_id": run })).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let report = r.json()["id"].as_i64().expect("report id");
    let page = app.get("/pain").await;
    assert!(page.has(&format!("action=\"/pain/{report}/delete\"")), "{}", page.body);

    // The run: refused without the token and without the box ticked; then gone, its report kept unlinked.
    assert_eq!(app.form_raw(&format!("/runs/{run}/delete"), &[("confirm", "yes")]).await.status, StatusCode::FORBIDDEN);
    assert_eq!(app.form(&format!("/runs/{run}/delete"), &[]).await.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        app.api(&format!("/api/runs/{run}/delete"), json!({ "confirm": false })).await.status,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    assert_eq!(app.get(&format!("/api/runs/{run}")).await.status, StatusCode::OK, "still there");
    let done = app.form(&format!("/runs/{run}/delete"), &[("confirm", "yes")]).await;
    assert_eq!((done.status, done.location()), (StatusCode::SEE_OTHER, "/runs?deleted=1"));
    assert!(app.get("/runs?deleted=1").await.has("Run deleted."));
    assert_eq!(app.get(&format!("/api/runs/{run}")).await.status, StatusCode::NOT_FOUND);
    let kept = app.get("/api/pain?days=2").await.json();
    let kept = kept.as_array().expect("reports").iter().find(|p| p["id"] == report).expect("report kept").clone();
    assert!(kept["run_id"].is_null(), "{kept}");

    // The report.
    assert_eq!(app.form_raw(&format!("/pain/{report}/delete"), &[]).await.status, StatusCode::FORBIDDEN);
    let done = app.form(&format!("/pain/{report}/delete"), &[]).await;
    assert_eq!((done.status, done.location()), (StatusCode::SEE_OTHER, "/pain?deleted=1"));
    assert!(app.get("/pain?deleted=1").await.has("Report deleted."));
    assert_eq!(app.api(&format!("/api/pain/{report}/delete"), json!({})).await.status, StatusCode::NOT_FOUND);
}
