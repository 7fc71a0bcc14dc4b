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
}

#[tokio::test]
async fn breathing_waits_for_the_screen_then_plays_the_chosen_pattern() {
    let app = app().await;
    let r = app.get("/breathe").await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(r.location(), "/welcome");
    assert_eq!(app.get("/api/breathe").await.status, StatusCode::CONFLICT);
    app.onboard().await;
    let r = app.get("/breathe?pattern=box&minutes=3").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(r.has("Box breathing · 3 min") && r.has(r#"id="breath-timeline""#), "{}", r.body);
    assert!(r.has("in 4 s · hold 4 s · out 4 s · pause 4 s"));
    assert!(r.has("<noscript>"), "says what to do without JavaScript");
    let r = app.get("/breathe?pattern=box&minutes=90").await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.has("90 minutes is out of range"), "{}", r.body);
    let api = app.get("/api/breathe/timeline?pattern=long-exhale&minutes=2").await.json();
    assert_eq!(api["plan"]["exercise"], "extended-exhale-breathing");
    assert!(api["timeline"]["segments"].as_array().is_some_and(|s| s.len() > 20));
}

#[tokio::test]
async fn a_breathing_session_from_the_browser_is_recorded_like_a_guided_one() {
    let app = app().await;
    app.onboard().await;
    let started = jiff::Timestamp::now().checked_sub(jiff::SignedDuration::from_mins(4)).expect("time").to_string();
    let body = |position: f64, ended: &str| json!({ "pattern": "long-exhale", "minutes": 2, "started_at": started, "position_s": position, "ended": ended });
    let r = app.api("/api/breathe/sessions", body(40.0, "in-progress")).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let r = app.api("/api/breathe/sessions", body(10.0 + 11.0 * 10.5, "finished")).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let v = r.json();
    assert_eq!(v["record"]["ended"], "finished");
    assert!(v["message"].as_str().is_some_and(|m| m.contains("done")), "{v}");
    // One row per session (keyed by its start): the checkpoint was overwritten by the end.
    use runtall_store::Store;
    let rows = app.store().sessions(jiff::Timestamp::MIN, jiff::Timestamp::MAX).expect("sessions");
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].routine_id, "extended-exhale-breathing");
    assert!(rows[0].completed);
    let page = app.get("/breathe").await;
    assert!(page.has("Slow long-exhale breathing, 2 min"), "listed under recent sessions");
    // A report that does not fit the session is refused by field.
    let r = app.api("/api/breathe/sessions", body(9999.0, "finished")).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.json()["fields"]["position_s"].is_string(), "{}", r.body);
    let mut stale = body(30.0, "quit");
    stale["started_at"] = json!("2020-01-01T00:00:00Z");
    assert_eq!(app.api("/api/breathe/sessions", stale).await.status, StatusCode::UNPROCESSABLE_ENTITY);
}

/// A walk taken in the terminal 40 minutes ago, as `runtall remind` stores it.
fn terminal_walk(store: &dyn runtall_store::Store, minutes_ago: i64) {
    let at = jiff::Timestamp::now().checked_sub(jiff::SignedDuration::from_mins(minutes_ago)).expect("time");
    let e = runtall_companion::remind::BreakEvent {
        at,
        outcome: runtall_companion::remind::BreakOutcome::Taken,
        kind: Some(runtall_companion::remind::PromptKind::Walk),
        prompt: Some(1),
        exercise: None,
        source: Some("terminal".into()),
    };
    runtall_app::breaks::store_event(store, &e).expect("stored");
}

#[tokio::test]
async fn the_break_page_shares_the_terminals_timers_and_history() {
    // The schedulers start from a history window that crosses local midnight, so this holds at any hour.
    let app = app().await;
    app.onboard().await;
    // Any time of day, so the test does not depend on when it runs.
    let r = app.api("/api/reminders", json!({ "enabled": true, "any_time": true })).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    // The last walk was taken in the terminal 40 minutes ago: a walk is due now, not in 30 minutes.
    terminal_walk(&app.store(), 40);
    let v = app.get("/api/breaks").await.json();
    assert_eq!(v["state"], "on", "{v}");
    let prompt = &v["status"]["pending"];
    assert_eq!(prompt["kind"], "walk", "{v}");
    let id = prompt["id"].as_u64().expect("prompt id");
    assert!(prompt["suggestion"]["exercise"].is_string(), "a micro-exercise with the prompt");
    let page = app.get("/breaks").await;
    assert!(page.has("Time to stand up and walk") && page.has("/assets/figures/"), "the prompt with its drawing");
    assert!(page.has(r#"name="response" value="snooze""#), "plain forms answer without JavaScript");
    // Snooze, then the prompt is gone and the countdown runs to the snooze's end.
    let v = app.api("/api/breaks/respond", json!({ "prompt": id, "response": "snooze" })).await.json();
    assert!(v["status"]["pending"].is_null(), "{v}");
    let left = v["next_in_s"].as_i64().expect("countdown");
    assert!((240..=300).contains(&left), "snoozed 5 min: {left}");
    // Answering a prompt that is no longer open says so.
    let r = app.api("/api/breaks/respond", json!({ "prompt": id, "response": "done" })).await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.body);
    // Pause and resume through the page's form; each is in the shared history, tagged as the browser's.
    let r = app.form("/breaks/pause", &[("on", "yes")]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(app.get("/api/breaks").await.json()["status"]["dnd"], true);
    app.form("/breaks/pause", &[("on", "no")]).await;
    let events = runtall_app::breaks::todays_events(&app.store(), &jiff::Zoned::now()).expect("events");
    let browser: Vec<_> = events.iter().filter(|e| e.source.as_deref() == Some("browser")).collect();
    for outcome in ["prompted", "snoozed", "dnd-on", "dnd-off"] {
        assert!(
            browser.iter().any(|e| serde_json::to_value(e.outcome).ok() == Some(json!(outcome))),
            "{outcome} missing from {browser:?}"
        );
    }
    // The day's counts on the page come from the shared history.
    let text = app.get("/breaks").await;
    assert!(text.has("Today") && text.has("1 snoozed"), "{}", text.body);
}

#[tokio::test]
async fn the_break_page_says_when_reminders_are_off() {
    let app = app().await;
    app.onboard().await;
    app.api("/api/reminders", json!({ "enabled": false })).await;
    let v = app.get("/api/breaks").await.json();
    assert_eq!(v["state"], "off");
    let page = app.get("/breaks").await;
    assert!(page.has("switched off") && page.has("/settings#reminders"), "{}", page.body);
}

/// Width and height from a PNG file's header (the IHDR chunk comes first).
fn png_size(bytes: &[u8]) -> (u32, u32) {
    assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n", "a PNG file");
    assert_eq!(&bytes[12..16], b"IHDR");
    let be = |s: &[u8]| u32::from_be_bytes([s[0], s[1], s[2], s[3]]);
    (be(&bytes[16..20]), be(&bytes[20..24]))
}

#[tokio::test]
async fn the_app_installs_from_a_manifest_whose_icons_load_at_their_stated_sizes() {
    let app = app().await;
    app.onboard().await;
    let today = app.get("/today").await;
    assert!(today.has(r#"rel="manifest" href="/manifest.webmanifest""#), "pages link the manifest");
    let r = app.get("/manifest.webmanifest").await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(content_type(&r), "application/manifest+json");
    let m = r.json();
    assert_eq!(m["display"], "standalone");
    assert_eq!(m["start_url"], "/today");
    let icons = m["icons"].as_array().expect("icons");
    assert!(icons.iter().any(|i| i["sizes"] == "192x192"), "Chromium wants a 192 px icon to install");
    assert!(icons.iter().any(|i| i["sizes"] == "512x512" && i["purpose"] == "maskable"), "a maskable icon");
    for icon in icons {
        let src = icon["src"].as_str().expect("src");
        let r = app.get(src).await;
        assert_eq!(r.status, StatusCode::OK, "{src}");
        assert_eq!(content_type(&r), icon["type"], "{src}");
        if icon["type"] == "image/png" {
            // `/assets/icon-192.<content key>.png`: the file on disk is `icon-192.png`.
            let keyed = src.trim_start_matches("/assets/");
            let (rest, ext) = keyed.rsplit_once('.').expect("extension");
            let name = format!("{}.{ext}", rest.rsplit_once('.').expect("content key").0);
            let bytes = std::fs::read(format!("{}/assets/{name}", env!("CARGO_MANIFEST_DIR"))).expect("icon file");
            let (w, h) = png_size(&bytes);
            assert_eq!(format!("{w}x{h}"), icon["sizes"].as_str().expect("sizes"), "{src}");
        }
    }
    for shortcut in m["shortcuts"].as_array().expect("shortcuts") {
        let url = shortcut["url"].as_str().expect("url");
        assert_ne!(app.get(url).await.status, StatusCode::NOT_FOUND, "{url}");
    }
}

#[tokio::test]
async fn the_service_worker_keeps_every_file_the_pages_load() {
    let app = app().await;
    app.onboard().await;
    let r = app.get("/sw.js").await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(content_type(&r).starts_with("text/javascript"));
    let cache = r.headers.get(header::CACHE_CONTROL).and_then(|v| v.to_str().ok()).unwrap_or("");
    assert_eq!(cache, "no-cache", "browsers must see a new worker after an upgrade");
    assert!(!r.has("__VERSION__") && !r.has("__ASSETS__"), "placeholders filled in");
    assert!(
        r.has("var VERSION = '") && !r.has(&format!("'{}'", env!("CARGO_PKG_VERSION"))),
        "the cache is named after the files"
    );
    // Every script and style sheet the offline pages load is in the worker's list, at the URL the page uses.
    for page in ["/today", "/session/daily-mobility", "/run-mode", "/breathe", "/pain", "/day"] {
        let p = app.get(page).await;
        assert_eq!(p.status, StatusCode::OK, "{page}");
        for attr in [r#"src="/assets/"#, r#"href="/assets/"#] {
            for (i, _) in p.body.match_indices(attr) {
                let start = i + attr.len() - "/assets/".len();
                let url = &p.body[start..start + p.body[start..].find('"').expect("closing quote")];
                if url.contains("/figures/") {
                    continue; // drawings are kept as the pages load them
                }
                assert!(r.has(&format!("\"{url}\"")), "{page} loads {url}, which the worker does not keep");
            }
        }
    }
    // The offline page it falls back to stands on its own.
    let offline = app.get("/offline").await;
    assert_eq!(offline.status, StatusCode::OK);
    assert!(offline.has(r#"data-saved="no""#) && offline.has("You are offline"));
}

#[tokio::test]
async fn the_installable_apps_files_need_no_sign_in_and_hold_no_data() {
    let app = app_with(Some("correct horse battery")).await;
    for path in ["/manifest.webmanifest", "/sw.js", "/offline"] {
        assert_eq!(app.get(path).await.status, StatusCode::OK, "{path} before signing in");
    }
    assert_eq!(app.get("/today").await.status, StatusCode::SEE_OTHER, "pages still need the password");
    // Signing in starts afresh: the pages an earlier runner kept on this device are dropped.
    let login = app.get("/login").await;
    assert!(login.has(r#"name="runtall-offline" content="purge""#), "{}", login.body);
    // The policy lets the worker and the manifest load from this server, and nothing else.
    let csp = login.headers.get(header::CONTENT_SECURITY_POLICY).and_then(|v| v.to_str().ok()).unwrap_or("");
    assert!(csp.contains("worker-src 'self'") && csp.contains("manifest-src 'self'"), "{csp}");
}

#[tokio::test]
async fn today_never_says_pack_on_and_leave_the_pack_at_home_together() {
    let app = app().await;
    app.onboard().await;
    assert!(
        app.get("/today?run=long").await.has("Pack on: wide straps"),
        "the example runner wears a pack on long runs"
    );
    // The order of the blocks is random: start experiments until both sides have been seen on Today.
    let (mut seen_on, mut seen_off) = (false, false);
    for _ in 0..30 {
        let r = app.api("/api/experiments", json!({ "factor": "pack", "block_length": 3, "min_units": 12 })).await;
        assert!(r.status.is_success(), "{}", r.body);
        let status = app.get("/api/experiments").await.json();
        let condition = status["experiment"]["next"]["condition"].as_str().expect("condition").to_string();
        let today = app.get("/today?run=long").await;
        if condition == "change" {
            seen_off = true;
            assert!(today.has("Leave the pack at home"), "{}", today.body);
            assert!(!today.has("Pack on: wide straps"), "a pack-off run still gets pack advice: {}", today.body);
        } else {
            seen_on = true;
            assert!(today.has("Pack on: wide straps"), "{}", today.body);
        }
        app.form("/experiments/stop", &[]).await;
        if seen_on && seen_off {
            break;
        }
    }
    assert!(seen_on && seen_off, "both sides of the experiment came up");
}

#[tokio::test]
async fn without_javascript_the_players_say_why_there_is_no_start() {
    let app = app().await;
    app.onboard().await;
    let r = app.get("/session/daily-mobility").await;
    let note = r.body.split("<noscript>").nth(1).and_then(|s| s.split("</noscript>").next()).unwrap_or("");
    assert!(note.contains("needs JavaScript") && note.contains("steps below"), "{}", r.body);
    assert!(r.has(r#"id="player" class="player""#) && r.has("hidden"), "the script-only player stays hidden");
    let run = app.get("/run-mode?run=easy&minutes=30").await;
    assert!(run.has("<noscript>") && run.has("Speaking the cues needs JavaScript"), "{}", run.body);
    let breathe = app.get("/breathe").await;
    assert!(breathe.has("<noscript>"), "{}", breathe.body);
}

/// Counts read as words do, on every surface outside the CLI too: "1 run", "1 minute", "1 week", never "1 runs"
/// (one helper, `runtall_domain::text::count`, writes them all).
#[tokio::test]
async fn one_and_two_read_in_the_singular_and_the_plural() {
    let app = app().await;
    app.onboard().await;
    add_run(&app.store(), 30, "first");
    let runs = app.get("/runs").await;
    assert!(runs.has(">1 run.") && !runs.has("1 runs") && !runs.has("run(s)"), "{}", runs.body);
    let insights = app.get("/insights").await;
    assert!(insights.has(", 1 run<") && !insights.has("1 runs"), "{}", insights.body);
    add_run(&app.store(), 54, "second");
    assert!(app.get("/runs").await.has(">2 runs."));
    let one = app.get("/breathe?pattern=long-exhale&minutes=1").await;
    assert!(one.has(", for 1 minute.") && !one.has("1 minutes"), "{}", one.body);
    assert!(app.get("/breathe?pattern=long-exhale&minutes=2").await.has(", for 2 minutes."));
}
