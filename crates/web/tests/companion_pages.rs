//! Handler tests for the CLI features the browser gained last: the watch workout and calendar downloads on the
//! run-mode page (`runtall export workout|cues`), the race travel plan (`runtall travel`) and journal import
//! (`runtall journal import`).

mod common;

use axum::body::Body;
use axum::http::{HeaderMap, Request, StatusCode, header};
use common::*;
use http_body_util::BodyExt;
use jiff::ToSpan;
use jiff::civil::Date;
use runtall_companion::cues::{CueOptions, RepSpec, Spec, plan_run};
use runtall_companion::export::{check_workout, watch_steps};
use runtall_content::RunType;
use runtall_store::Store;
use tower::ServiceExt;

/// A GET whose body stays bytes (the shared `Reply` holds text, which would mangle a FIT file).
async fn get_bytes(app: &App, path: &str) -> (StatusCode, HeaderMap, Vec<u8>) {
    let req = Request::get(path).header(header::COOKIE, &app.cookie).body(Body::empty()).expect("request");
    let res = app.router.clone().oneshot(req).await.expect("infallible");
    let (status, headers) = (res.status(), res.headers().clone());
    (status, headers, res.into_body().collect().await.expect("body").to_bytes().to_vec())
}

fn header_of(h: &HeaderMap, name: header::HeaderName) -> &str {
    h.get(name).and_then(|v| v.to_str().ok()).unwrap_or("")
}

fn today() -> Date {
    jiff::Zoned::now().date()
}

fn days_from_today(n: i64) -> Date {
    today().checked_add(n.days()).expect("date")
}

#[tokio::test]
async fn the_watch_workout_download_is_a_valid_fit_file_with_the_cue_steps() {
    let app = app().await;
    app.onboard().await;
    let (status, headers, bytes) =
        get_bytes(&app, "/run-mode/workout.fit?run=speed&minutes=&reps=6x800m&recovery=2min&warmup=15&cooldown=10")
            .await;
    assert_eq!(status, StatusCode::OK, "{}", String::from_utf8_lossy(&bytes));
    assert_eq!(header_of(&headers, header::CONTENT_TYPE), "application/vnd.ant.fit");
    assert_eq!(header_of(&headers, header::CONTENT_DISPOSITION), "attachment; filename=\"runtall-speed-6x800m.fit\"");
    // A FIT header: 14 bytes with ".FIT" at offset 8; then our decoder reads it back as an intact workout.
    assert_eq!(&bytes[8..12], b".FIT");
    let check = check_workout(&bytes).expect("a workout our decoder accepts");
    let decoded = runtall_fit::decode(&bytes).expect("decodes");
    assert!(decoded.stats.header_crc_ok && decoded.stats.file_crc_ok);
    // The steps are those the CLI writes for the same options.
    let spec = Spec::Reps(RepSpec::parse("6x800m", "2min", 15, 10).expect("reps"));
    let perm = serde_json::from_str::<runtall_domain::safety::Permissions>(&app.get("/api/safety").await.body)
        .expect("the gate's permissions as JSON");
    let plan =
        plan_run(runtall_content::program(), &perm, RunType::Speed, &spec, &CueOptions::default()).expect("plan");
    let expected: Vec<String> = watch_steps(&plan, 16).into_iter().map(|s| s.name).collect();
    let names: Vec<String> = decoded.workout_steps.iter().filter_map(|s| s.wkt_step_name.clone()).collect();
    assert_eq!(check.steps, expected.len());
    assert_eq!(names, expected);

    // Minutes and a pack work the same way.
    let (status, headers, bytes) = get_bytes(&app, "/run-mode/workout.fit?run=long&minutes=90&pack=on").await;
    assert_eq!(status, StatusCode::OK);
    assert!(header_of(&headers, header::CONTENT_DISPOSITION).contains("runtall-long-90min.fit"));
    assert!(check_workout(&bytes).expect("workout").steps > 5);
}

#[tokio::test]
async fn bad_download_options_come_back_as_field_errors_on_the_page() {
    let app = app().await;
    app.onboard().await;
    for (query, field, words) in [
        ("run=speed&minutes=30&reps=6x800m", "minutes", "not both"),
        ("run=speed&reps=lots", "reps", "cannot read the reps"),
        ("run=speed&reps=6x800m&recovery=soon", "recovery", "cannot read the duration"),
        ("run=speed&reps=6x800m&recovery=2s", "recovery", "out of range"),
        ("run=speed&reps=6x800m&warmup=90", "warmup", "out of range"),
        ("run=long&minutes=0", "minutes", "out of range"),
        ("run=long&minutes=ninety", "minutes", "not a whole number"),
        ("run=sprint&minutes=30", "run", "sprint"),
        ("run=long", "minutes", "give minutes"),
    ] {
        let r = app.get(&format!("/run-mode/workout.fit?{query}")).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{query}");
        assert!(header_of(&r.headers, header::CONTENT_TYPE).starts_with("text/html"), "{query}");
        assert!(r.has(&format!("id=\"e-{field}\"")) && r.has(words), "{query}: {}", r.body);
        assert!(r.has("href=\"#f-") && r.has("Take the cues with you"), "{query}");
    }
    let r = app.get("/run-mode/cues.ics?run=long&minutes=60&start=tomorrow").await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.has("id=\"e-start\""), "{}", r.body);
}

#[tokio::test]
async fn the_calendar_download_has_one_alarm_per_cue() {
    let app = app().await;
    app.onboard().await;
    let page = app.get("/run-mode?run=long&minutes=90").await;
    assert!(page.has("action=\"/run-mode/workout.fit\"") && page.has("formaction=\"/run-mode/cues.ics\""));
    let r = app.get("/run-mode/cues.ics?run=long&minutes=90&start=2027-04-18T07%3A30").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(header_of(&r.headers, header::CONTENT_TYPE).starts_with("text/calendar"));
    assert!(header_of(&r.headers, header::CONTENT_DISPOSITION).contains("runtall-long-90min.ics"));
    assert!(r.body.starts_with("BEGIN:VCALENDAR"), "{}", r.body);
    let plan = app.get("/api/run-mode?run=long&minutes=90").await.json();
    let cues = plan["cues"].as_array().expect("cues").len();
    assert!(r.body.contains("BEGIN:VEVENT"));
    assert_eq!(r.body.matches("BEGIN:VALARM").count(), cues);
    assert!(r.body.contains("20270418T"), "the start time is used");
}

#[tokio::test]
async fn the_travel_page_plans_a_drive_and_a_flight() {
    let app = app().await;
    app.onboard().await;
    let habits = app.get("/habits?area=travel").await;
    assert!(habits.has("href=\"/travel\""));
    let empty = app.get("/travel").await;
    assert_eq!(empty.status, StatusCode::OK);
    assert!(empty.has("for=\"f-race\"") && !empty.has("error-summary"), "a first visit shows no errors");

    let race = days_from_today(30);
    let long_run = days_from_today(28);
    let drive = app.get(&format!("/travel?race={race}&mode=drive&hours=4.5&long_run={long_run}&long_run=")).await;
    assert_eq!(drive.status, StatusCode::OK, "{}", drive.body);
    for text in ["race day", "travel out", "travel home", "Stops at about", "href=\"/session/travel-day\"", "Based on"]
    {
        assert!(drive.has(text), "{text} missing: {}", drive.body);
    }
    assert!(drive.has("class=\"ev "), "sources carry the evidence level");

    let flight = app.get(&format!("/travel?race={race}&mode=flight&hours=11")).await;
    assert_eq!(flight.status, StatusCode::OK);
    assert!(flight.has("Fly about 11 h") && !flight.has("Stops at about"), "{}", flight.body);
}

#[tokio::test]
async fn the_travel_api_answers_like_the_cli_and_names_bad_fields() {
    let app = app().await;
    app.onboard().await;
    let race = days_from_today(30);
    let p = app.get(&format!("/api/travel?race={race}&mode=drive&hours=6&long_run={}", days_from_today(29))).await;
    assert_eq!(p.status, StatusCode::OK, "{}", p.body);
    let p = p.json();
    assert_eq!(p["race"], race.to_string());
    assert_eq!(p["travel"]["drive"]["hours"], 6.0);
    assert!(!p["days"].as_array().expect("days").is_empty());
    assert!(!p["stops_min"].as_array().expect("stops").is_empty());
    assert!(p["advice"][0]["cite"].as_array().is_some_and(|c| !c.is_empty()));
    let flight = app.get(&format!("/api/travel?race={race}&mode=flight&hours=11")).await.json();
    assert_eq!(flight["travel"]["flight"]["hours"], 11.0);
    // Without parameters: an example plan, so the documented route answers on its own.
    assert_eq!(app.get("/api/travel").await.status, StatusCode::OK);

    let yesterday = days_from_today(-1);
    for (query, field) in [
        ("race=2027-13-40&hours=3".to_string(), "race"),
        (format!("race={yesterday}&hours=3"), "race"),
        (format!("race={race}&hours=40"), "hours"),
        (format!("race={race}"), "hours"),
        (format!("race={race}&hours=3&mode=boat"), "mode"),
        (format!("race={race}&hours=3&long_run=soon"), "long_run"),
        (format!("race={race}&hours=3&depart={}", days_from_today(31)), "depart"),
        (format!("race={race}&hours=3&return={}", days_from_today(29)), "return"),
    ] {
        let r = app.get(&format!("/api/travel?{query}")).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{query}: {}", r.body);
        assert!(r.json()["fields"][field].is_string(), "{query}: {}", r.body);
        let page = app.get(&format!("/travel?{query}")).await;
        assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY, "{query}");
        assert!(page.has(&format!("id=\"e-{field}\"")), "{query}: {}", page.body);
    }
}

const BOUNDARY: &str = "----runtall-journal-boundary";

fn multipart(files: &[(&str, &str)]) -> Body {
    let mut body = String::new();
    for (name, text) in files {
        body.push_str(&format!(
            "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"journal\"; filename=\"{name}\"\r\n\
             Content-Type: application/octet-stream\r\n\r\n{text}\r\n"
        ));
    }
    body.push_str(&format!("--{BOUNDARY}--\r\n"));
    Body::from(body)
}

/// The settings form's upload: the token in the action URL (`None`: without one).
async fn upload(app: &App, files: &[(&str, &str)], csrf: Option<&str>) -> Reply {
    let path = match csrf {
        Some(t) => format!("/settings/journal-import?_csrf={t}"),
        None => "/settings/journal-import".to_string(),
    };
    let req = Request::post(path)
        .header(header::COOKIE, &app.cookie)
        .header(header::CONTENT_TYPE, format!("multipart/form-data; boundary={BOUNDARY}"))
        .body(multipart(files))
        .expect("request");
    app.send(req).await
}

/// Two runs, two pain reports (one tied to a run) and a day, a week ago, as docs/journal-format.md writes them.
fn journal() -> String {
    let day = days_from_today(-7);
    format!(
        "# exported by hand\n\
         {{\"type\":\"run\",\"key\":\"r1\",\"start\":\"{day}T07:00:00Z\",\"sport\":\"running\",\"label\":\"long\",\"distance_m\":21000.0,\"moving_s\":7200.0,\"elapsed_s\":7300.0,\"pack\":true}}\n\
         {{\"type\":\"run\",\"key\":\"r2\",\"start\":\"{day}T18:00:00Z\",\"sport\":\"running\",\"distance_m\":5000.0,\"moving_s\":1500.0,\"elapsed_s\":1500.0}}\n\
         {{\"type\":\"pain\",\"at\":\"{day}T10:00:00Z\",\"timing\":\"right-after\",\"region\":\"neck\",\"intensity\":5.0,\"run\":\"r1\",\"notes\":\"stiff\"}}\n\
         {{\"type\":\"pain\",\"at\":\"{day}T12:00:00Z\",\"timing\":\"at-desk\",\"region\":\"mid-back\",\"intensity\":3.0}}\n\
         {{\"type\":\"day\",\"date\":\"{day}\",\"sitting_h\":9.0,\"mobility_done\":true}}\n"
    )
}

fn counts(store: &dyn Store) -> (usize, usize, usize) {
    let j = runtall_app::journal_file::export(store).expect("export");
    (j.runs.len(), j.pain.len(), j.days.len())
}

#[tokio::test]
async fn journal_import_adds_runs_pain_and_days_and_says_what_it_did() {
    let app = app().await;
    let page = app.get("/settings").await;
    assert!(page.has(&format!("action=\"/settings/journal-import?_csrf={}\"", app.csrf)));
    assert!(page.has("enctype=\"multipart/form-data\"") && page.has("for=\"f-journal\""));

    let r = upload(&app, &[("journal.jsonl", &journal())], Some(&app.csrf)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(
        r.has("Imported: 2 runs new, 0 matched stored runs; 2 pain reports (0 already there); 1 day."),
        "{}",
        r.body
    );
    assert_eq!(counts(&app.store()), (2, 2, 1));
    // Again: the runs are matched and the pain reports recognised, nothing doubles.
    let again = upload(&app, &[("journal.jsonl", &journal())], Some(&app.csrf)).await;
    assert!(again.has("0 runs new, 2 matched stored runs; 0 pain reports (2 already there)"), "{}", again.body);
    assert_eq!(counts(&app.store()), (2, 2, 1));
}

#[tokio::test]
async fn a_broken_journal_line_is_named_and_nothing_is_stored() {
    let app = app().await;
    let broken = journal().replace("\"run\":\"r1\"", "\"run\":\"r9\"");
    let r = upload(&app, &[("mine.jsonl", &broken)], Some(&app.csrf)).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(r.has("mine.jsonl: line 4: run: no run with key") && r.has("nothing was imported"), "{}", r.body);
    assert!(r.has("id=\"e-journal\""));
    assert_eq!(counts(&app.store()), (0, 0, 0));

    let unknown = journal().replace("\"pack\":true", "\"backpack\":true");
    let r = app.send(raw_import(&app, &unknown, Some(&app.csrf))).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let message = r.json()["fields"]["journal"].as_str().expect("message").to_string();
    assert!(message.contains("line 2") && message.contains("backpack"), "{message}");
    assert_eq!(counts(&app.store()), (0, 0, 0));

    let none = upload(&app, &[("", "")], Some(&app.csrf)).await;
    assert_eq!(none.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(none.has("Choose a journal file"));
}

#[tokio::test]
async fn journal_import_needs_the_csrf_token() {
    let app = app().await;
    assert_eq!(upload(&app, &[("journal.jsonl", &journal())], None).await.status, StatusCode::FORBIDDEN);
    assert_eq!(upload(&app, &[("journal.jsonl", &journal())], Some("forged")).await.status, StatusCode::FORBIDDEN);
    assert_eq!(app.send(raw_import(&app, &journal(), None)).await.status, StatusCode::FORBIDDEN);
    assert_eq!(counts(&app.store()), (0, 0, 0));
}

fn raw_import(app: &App, text: &str, csrf: Option<&str>) -> Request<Body> {
    let mut req = Request::post("/api/journal/import")
        .header(header::COOKIE, &app.cookie)
        .header(header::CONTENT_TYPE, "application/x-ndjson");
    if let Some(t) = csrf {
        req = req.header("x-csrf-token", t);
    }
    req.body(Body::from(text.to_string())).expect("request")
}

#[tokio::test]
async fn the_import_api_takes_json_lines_or_csv_files_beyond_the_form_limit() {
    let app = app().await;
    let r = app.send(raw_import(&app, &journal(), Some(&app.csrf))).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let body = r.json();
    assert_eq!(body["imported"]["runs_added"], 2);
    assert_eq!(body["imported"]["pain_added"], 2);

    // CSV, as the export writes it (runs and pain; the files recognised by their header, not their name).
    let other = common::app().await;
    let export = app.get("/export/runs.csv").await.body;
    let pain = app.get("/export/pain.csv").await.body;
    let req = Request::post("/api/journal/import")
        .header(header::COOKIE, &other.cookie)
        .header("x-csrf-token", &other.csrf)
        .header(header::CONTENT_TYPE, format!("multipart/form-data; boundary={BOUNDARY}"))
        .body(multipart(&[("runs (1).csv", &export), ("pain.csv", &pain)]))
        .expect("request");
    let r = other.send(req).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(counts(&other.store()), (2, 2, 0));

    // Four years of days: over the 256 KB form limit, well under the journal's own.
    let big: String = (1..=1500)
        .map(|n| {
            format!(
                "{{\"type\":\"day\",\"date\":\"{}\",\"sitting_h\":8.0,\"sleep_h\":7.5,\"stress\":3.0,\"strength_done\":false,\"mobility_done\":true,\"relief\":[\"heat\"],\"magnesium_mg\":null,\"car_h\":1.0,\"longest_sitting_h\":2.0}}\n",
                days_from_today(-n)
            )
        })
        .collect();
    assert!(big.len() > 256 * 1024, "{} bytes", big.len());
    let big_app = common::app().await;
    let r = upload(&big_app, &[("days.jsonl", &big)], Some(&big_app.csrf)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(counts(&big_app.store()), (0, 0, 1500));
}

/// Run mode for speed work: the reps, each rep's length (a distance or a time) and the recovery are fields, and
/// the cues the page embeds for the phone include one just before each rep, and inside each recovery only its
/// reset and the next rep's cue.
#[tokio::test]
async fn run_mode_takes_reps_and_recoveries_and_cues_each_rep() {
    let app = app().await;
    app.onboard().await;
    let page =
        app.get("/run-mode?run=speed&shape=reps&reps=6&length=800m&recovery=90s&warmup=10&cooldown=5&minutes=45").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.has("6×800 m, 1:30 recovery"), "the session is named");
    assert!(page.has("before rep 1") && page.has("before rep 6") && page.has("recovery 5"), "{}", page.body);
    let embedded = |id: &str| -> serde_json::Value {
        let start = format!("id=\"{id}\">");
        let json = page.body.split(&start).nth(1).and_then(|s| s.split("</script>").next()).expect(id);
        serde_json::from_str(json).expect("embedded json")
    };
    let (cues, blocks) = (embedded("run-cues"), embedded("run-blocks"));
    let (cues, blocks) = (cues.as_array().expect("cues"), blocks.as_array().expect("blocks"));
    let at = |c: &serde_json::Value| c["at_s"].as_u64().expect("at_s");
    let reps: Vec<&serde_json::Value> = blocks.iter().filter(|b| b["kind"] == "rep").collect();
    assert_eq!(reps.len(), 6);
    let before: Vec<u64> = cues.iter().filter(|c| c["phase"] == "before-rep").map(at).collect();
    let starts: Vec<u64> = reps.iter().map(|b| b["start_s"].as_u64().expect("start")).collect();
    assert_eq!(before, starts.iter().map(|s| s - 10).collect::<Vec<_>>(), "10 s before each rep");
    for rec in blocks.iter().filter(|b| b["kind"] == "recovery") {
        let (from, len) = (rec["start_s"].as_u64().expect("s"), rec["duration_s"].as_u64().expect("d"));
        let inside: Vec<&str> = cues
            .iter()
            .filter(|c| (from..from + len).contains(&at(c)))
            .map(|c| c["phase"].as_str().expect("phase"))
            .collect();
        assert_eq!(inside, ["recovery", "before-rep"], "recovery at {from} s");
    }
    // The form keeps what was typed; the steady minutes are ignored when the run is reps.
    assert!(page.has(r#"name="length" type="text" inputmode="text" value="800m""#), "{}", page.body);

    // The whole session in one box, as the CLI takes it, plans the same cues.
    let api = app.get("/api/run-mode?run=speed&reps=6x800m&recovery=90s&warmup=10&cooldown=5").await.json();
    assert_eq!(api["cues"].as_array().expect("cues"), cues);

    for (query, field, words) in [
        ("run=speed&shape=reps&reps=6", "length", "each rep's length"),
        ("run=speed&shape=reps&reps=6&length=800", "length", "add a unit"),
        ("run=speed&shape=reps&reps=six&length=800m", "reps", "not a whole number of reps"),
        ("run=speed&shape=reps&reps=6&length=20m", "length", "out of range"),
        ("run=speed&shape=reps&reps=6&length=3min&recovery=soon", "recovery", "cannot read the duration"),
        ("run=easy&shape=steady&minutes=", "minutes", "give minutes"),
    ] {
        let r = app.get(&format!("/run-mode?{query}")).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{query}");
        assert!(r.has(&format!("id=\"e-{field}\"")) && r.has(words), "{query}: {}", r.body);
    }
}

/// With nothing chosen, run mode starts from today's planned run (else the last run) at the last run's length,
/// not an easy 45 minutes for everyone; the API and the page agree.
#[tokio::test]
async fn run_mode_starts_from_todays_plan_and_the_last_run() {
    let app = app().await;
    app.onboard().await;
    // A 33-minute run yesterday, not yet labelled: it counts as an easy run.
    add_run(&app.store(), 24, "last-run");
    let plan = app.get("/api/plan").await.json();
    let weekday = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
        [jiff::Zoned::now().date().weekday().to_monday_zero_offset() as usize];
    let day = plan["plan"]["week"].as_array().expect("week").iter().find(|d| d["day"] == weekday).cloned();
    let planned = day.as_ref().and_then(|d| d["run"].as_str()).map(str::to_string);
    let api = app.get("/api/run-mode").await.json();
    let expected = planned.clone().unwrap_or_else(|| "easy".into());
    assert_eq!(api["run_type"], expected.as_str(), "today's plan: {planned:?}");
    match expected.as_str() {
        "easy" => assert_eq!(api["spec"], serde_json::json!({ "minutes": 35 }), "the last easy run's length"),
        "speed" => assert_eq!(api["spec"]["reps"]["reps"], 6, "speed days start as reps"),
        _ => assert!(api["spec"]["minutes"].as_u64().is_some_and(|m| m >= 45), "{}", api["spec"]),
    }
    let page = app.get("/run-mode").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.has("id=\"rm-defaults\"") && page.has("id=\"run-cues\""), "planned at once: {}", page.body);
    assert!(page.has(&format!(r#"<option value="{expected}" selected>"#)), "{}", page.body);
    // A run type alone (Today's link) takes the length of the latest run of that type, else its usual length.
    let easy = app.get("/api/run-mode?run=easy").await.json();
    assert_eq!((&easy["run_type"], &easy["spec"]["minutes"]), (&"easy".into(), &35.into()));
    let long = app.get("/run-mode?run=long").await;
    assert!(long.has("A long run; 90 minutes, a usual length.") && long.has("id=\"run-cues\""), "{}", long.body);
}
