//! Isolation on `runtall server`, route by route: two athletes (Ana, Ben) and two clinicians (Pat follows Ana only,
//! Kim follows Ben only), on SQLite and on PostgreSQL.
//!
//! The routes are read from the web app's own sources (every `.route("…", …)` with its methods), so a route added
//! later is swept without touching this file. Each is requested, with each method it has, by everyone who must not
//! see Ana's records: Ben, Ben's device token (API routes), Kim, nobody signed in, and Pat outside the clinician
//! pages. Paths with a parameter get the id of one of Ana's records (her run, pain report, posture check, import
//! job, device, athlete, her link to Pat) — except the routes of the program's own content (exercises, lessons,
//! routines, assets), which hold nobody's data. The suite checks that:
//! - no answer carries anything of Ana's (her name, her notes, her run's name, her clinician's name);
//! - a route naming one of Ana's records answers 404 — not 403, so ids reveal nothing — to everyone else;
//! - nobody signed in gets anything but the sign-in page, 401 or 403 outside the public pages;
//! - after the whole sweep nothing of Ana's changed (her journal revision, her link to Pat, her device);
//! - when Ana stops sharing with Pat, Pat's access ends at once.
//!
//! On PostgreSQL it also reads every per-athlete table as the application role the server connects as, without an
//! athlete named: row-level security answers no rows.

mod clinic_support;

use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use clinic_support::*;
use runtall_store::AthleteId;
use serde_json::json;
use std::path::Path;
use std::time::Duration;

/// Strings only Ana's records (and her clinician's account) hold.
const MARKERS: [&str; 5] = ["AnaSecretName", "ana-pain-marker", "ana-run-marker", "Ana Q. Zebra", "PatSeesOne"];

/// One route as the sources declare it.
#[derive(Debug, Clone)]
struct Route {
    path: String,
    methods: Vec<Method>,
}

/// Every `.route("path", handlers)` in the web app's sources, with the methods its handlers name.
fn routes() -> Vec<Route> {
    let mut files = Vec::new();
    collect(&Path::new(env!("CARGO_MANIFEST_DIR")).join("src"), &mut files);
    let mut out: Vec<Route> = Vec::new();
    for file in files {
        let text = std::fs::read_to_string(&file).expect("source");
        let mut rest = text.as_str();
        while let Some(at) = rest.find(".route(") {
            rest = &rest[at + ".route(".len()..];
            let Some(open) = rest.find('"') else { break };
            let Some(close) = rest[open + 1..].find('"') else { break };
            let path = rest[open + 1..open + 1 + close].to_string();
            // The handlers run to the end of this call: up to the next `.route(`, `.merge(` or `.layer(`.
            let end = ["\n        .route(", ".merge(", ".layer(", ";\n"]
                .iter()
                .filter_map(|m| rest[open + 1 + close..].find(m))
                .min()
                .unwrap_or(rest.len() - open - 1 - close);
            let handlers = &rest[open + 1 + close..open + 1 + close + end];
            let mut methods = Vec::new();
            for (word, method) in
                [("get(", Method::GET), ("post(", Method::POST), ("put(", Method::PUT), ("delete(", Method::DELETE)]
            {
                let named = handlers.match_indices(word).any(|(i, _)| {
                    i == 0 || !handlers.as_bytes()[i - 1].is_ascii_alphanumeric() && handlers.as_bytes()[i - 1] != b'_'
                });
                if named {
                    methods.push(method);
                }
            }
            assert!(!methods.is_empty(), "{}: no method found for {path} in {handlers:?}", file.display());
            match out.iter_mut().find(|r| r.path == path) {
                Some(r) => r.methods.extend(methods),
                None => out.push(Route { path, methods }),
            }
        }
    }
    out
}

fn collect(dir: &Path, files: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("sources").flatten() {
        let path = entry.path();
        if path.is_dir() {
            collect(&path, files);
        } else if path.extension().is_some_and(|e| e == "rs") {
            files.push(path);
        }
    }
}

/// Pages anyone may open.
fn public(path: &str) -> bool {
    matches!(path, "/login" | "/signup" | "/reset" | "/manifest.webmanifest" | "/sw.js" | "/offline" | "/favicon.ico")
        || path.starts_with("/assets")
}

/// Routes whose parameter names the program's own content, not anybody's records.
fn content_route(path: &str) -> bool {
    [
        "/assets/",
        "/library/",
        "/api/exercises/",
        "/api/routines/",
        "/api/lessons/",
        "/learn/",
        "/session/",
        "/api/sessions/",
        "/api/plan/for-run/",
    ]
    .iter()
    .any(|p| path.starts_with(p))
}

/// The clinician pages: Pat may see Ana there (and only there).
fn clinician_route(path: &str) -> bool {
    path.starts_with("/clinic") || path.starts_with("/api/clinic")
}

/// Ana's records, for the parameters.
struct Ana {
    athlete: AthleteId,
    run: i64,
    pain: i64,
    posture: i64,
    job: u64,
    device: i64,
    pat: i64,
}

impl Ana {
    /// The path with an id no record has, where [`Ana::fill`] puts one of hers.
    fn fill_missing(&self, path: &str) -> (String, bool) {
        let nobody = Ana {
            athlete: AthleteId::new(987_654_321),
            run: 987_654_321,
            pain: 987_654_321,
            posture: 987_654_321,
            job: 987_654_321,
            device: 987_654_321,
            pat: 987_654_321,
        };
        nobody.fill(path)
    }

    /// The path with Ana's ids, and whether it names one of her records.
    fn fill(&self, path: &str) -> (String, bool) {
        if !path.contains('{') {
            return (path.to_string(), false);
        }
        if content_route(path) {
            let filled = path
                .replace("{name}", "app.css")
                .replace("{routine}", "pre-run-easy")
                .replace("{run}", "long")
                .replace("{id}", "no-such-content");
            return (filled, false);
        }
        // Each parameter by the segment before it: `/clinic/athletes/{id}/runs/{run}` names Ana and her run.
        let segments: Vec<&str> = path.split('/').collect();
        let mut names_record = false;
        let mut filled = Vec::with_capacity(segments.len());
        for (i, segment) in segments.iter().enumerate() {
            if !segment.starts_with('{') {
                filled.push(segment.to_string());
                continue;
            }
            let value = match segments[..i].last().copied().unwrap_or_default() {
                "export" => {
                    filled.push("journal.jsonl".to_string());
                    continue;
                }
                "pain" => self.pain.to_string(),
                "posture" => self.posture.to_string(),
                "jobs" => self.job.to_string(),
                "devices" => self.device.to_string(),
                "clinicians" => self.pat.to_string(),
                "athletes" => self.athlete.get().to_string(),
                // Runs, and a parameter this suite does not know yet: Ana's run, the safe default.
                _ => self.run.to_string(),
            };
            names_record = true;
            filled.push(value);
        }
        (filled.join("/"), names_record)
    }
}

/// A GPX run named `name`: two minutes of one-second points.
fn gpx(name: &str) -> Vec<u8> {
    let mut s = format!("<?xml version=\"1.0\"?><gpx version=\"1.1\" creator=\"t\"><trk><name>{name}</name><trkseg>\n");
    let t0: jiff::Timestamp = "2026-11-01T07:00:00Z".parse().expect("time");
    for i in 0..120 {
        let t = t0 + jiff::SignedDuration::from_secs(i);
        s.push_str(&format!("<trkpt lat=\"{:.6}\" lon=\"2.0\"><time>{t}</time></trkpt>\n", 48.0 + i as f64 * 3e-5));
    }
    s.push_str("</trkseg></trk></gpx>\n");
    s.into_bytes()
}

const BOUNDARY: &str = "----runtall-isolation";

async fn upload(clinic: &Clinic, who: &Client, name: &str, bytes: &[u8]) -> u64 {
    let mut body = format!(
        "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"files\"; filename=\"{name}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
    )
    .into_bytes();
    body.extend_from_slice(bytes);
    body.extend_from_slice(format!("\r\n--{BOUNDARY}--\r\n").as_bytes());
    let req = Request::post("/api/import")
        .header(header::COOKIE, &who.cookie)
        .header("x-csrf-token", &who.csrf)
        .header(header::CONTENT_TYPE, format!("multipart/form-data; boundary={BOUNDARY}"))
        .body(Body::from(body))
        .expect("request");
    let r = clinic.send(req).await;
    assert_eq!(r.status, StatusCode::ACCEPTED, "{}", r.body);
    let job = r.json()["job"].as_u64().expect("job");
    for _ in 0..400 {
        let state = clinic.get(who, &format!("/api/import/jobs/{job}")).await.json();
        if state["status"] != "running" {
            assert_eq!(state["status"], "done", "{state}");
            return job;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    panic!("the import did not finish");
}

/// Ana's records, made through the app as she would make them.
async fn ana_records(clinic: &Clinic, ana: &Client) -> Ana {
    clinic.onboard(ana).await;
    assert_eq!(clinic.api(ana, "/api/profile", json!({ "name": "AnaSecretName" })).await.status, StatusCode::OK);
    let job = upload(clinic, ana, "morning.gpx", &gpx("ana-run-marker")).await;
    let runs = clinic.get(ana, "/api/runs").await.json();
    let run = runs.as_array().and_then(|r| r.first()).and_then(|r| r["id"].as_i64()).expect("Ana's run");
    let pain =
        json!({ "region": "neck", "intensity": 4, "timing": "right-after", "run_id": run, "notes": "ana-pain-marker" });
    let r = clinic.api(ana, "/api/pain", pain).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let pains = clinic.get(ana, "/api/pain").await.json();
    let pain = pains.as_array().and_then(|p| p.first()).and_then(|p| p["id"].as_i64()).expect("Ana's report");
    let athlete = clinic.account("ana@example.org").athlete.expect("athlete");
    let landmarks = json!({
        "image": { "width": 1000, "height": 1000 },
        "points": {
            "tragus": { "x": 600, "y": 200 }, "c7": { "x": 500, "y": 300 }, "shoulder": { "x": 520, "y": 330 },
            "hip": { "x": 520, "y": 730 }, "ankle": { "x": 500, "y": 980 }, "nose": { "x": 680, "y": 190 }
        }
    });
    let r = clinic.api(ana, "/api/posture", json!({ "landmarks": landmarks, "taken_on": "2026-11-02" })).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let posture = r.json()["id"].as_i64().expect("Ana's posture check");
    clinic.form(ana, "/devices", &[("name", "ana-laptop")]).await;
    let account = clinic.account("ana@example.org").id;
    let device =
        clinic.with_db(move |db| db.blocking_accounts(|a| a.devices(account))).expect("db").expect("devices")[0].id;
    let pat = clinic.account("pat@example.org").id.get();
    Ana { athlete, run, pain, posture, job, device, pat }
}

/// The request one actor makes on one route: forms carry the session's token, API calls JSON and the header.
async fn request(clinic: &Clinic, who: &Client, method: &Method, path: &str) -> Reply {
    if *method == Method::GET {
        return clinic.get(who, path).await;
    }
    if path.starts_with("/api/") {
        let mut req =
            Request::builder().method(method.clone()).uri(path).header(header::CONTENT_TYPE, "application/json");
        if let Some(token) = &who.bearer {
            req = req.header(header::AUTHORIZATION, format!("Bearer {token}"));
        } else {
            req = req.header(header::COOKIE, &who.cookie).header("x-csrf-token", &who.csrf);
        }
        return clinic.send(req.body(Body::from("{}")).expect("request")).await;
    }
    let req = Request::builder()
        .method(method.clone())
        .uri(path)
        .header(header::COOKIE, &who.cookie)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from(format!("_csrf={}", who.csrf)))
        .expect("request");
    clinic.send(req).await
}

/// Requests that end the actor's own session: they touch nothing of anyone else's and would cut the sweep short
/// (the account tests cover them).
fn ends_own_session(path: &str) -> bool {
    matches!(path, "/logout" | "/account/sign-out-everywhere")
}

async fn revision(clinic: &Clinic, athlete: AthleteId) -> u64 {
    clinic.with_db(move |db| db.blocking_store(athlete, |s| s.journal_revision())).expect("db").expect("revision")
}

async fn isolation_on_every_route(mut clinic: Clinic) {
    let pat = clinic.clinician("pat@example.org", "PatSeesOne").await;
    let kim = clinic.clinician("kim@example.org", "Kim").await;
    let ana = clinic.athlete(&clinic.invite(&pat).await, "ana@example.org", "Ana Q. Zebra").await;
    let ben = clinic.athlete(&clinic.invite(&kim).await, "ben@example.org", "Ben").await;
    clinic.onboard(&ben).await;
    upload(&clinic, &ben, "bens.gpx", &gpx("ben-run")).await;
    let ana_ids = ana_records(&clinic, &ana).await;
    let ben_device =
        Client { bearer: Some(clinic.form(&ben, "/devices", &[("name", "bens")]).await.token()), ..Client::default() };
    let nobody = clinic.visitor().await;
    let before = revision(&clinic, ana_ids.athlete).await;

    let routes = routes();
    assert!(routes.len() >= 100, "the sweep found the app's routes ({})", routes.len());
    let actors: [(&str, &Client); 5] =
        [("Ben", &ben), ("Ben's device", &ben_device), ("Kim", &kim), ("nobody", &nobody), ("Pat", &pat)];
    let mut requests = 0;
    for (name, who) in actors {
        for route in &routes {
            let (path, names_record) = ana_ids.fill(&route.path);
            if name == "Ben's device" && !path.starts_with("/api/") {
                continue;
            }
            for method in &route.methods {
                if *method != Method::GET && ends_own_session(&path) {
                    continue;
                }
                let r = request(&clinic, who, method, &path).await;
                requests += 1;
                let what = format!("{name}: {method} {path} → {}", r.status);
                let pat_on_clinic_pages = name == "Pat" && clinician_route(&route.path);
                if !pat_on_clinic_pages {
                    for marker in MARKERS {
                        // Pat's own pages name him.
                        if name == "Pat" && marker == "PatSeesOne" {
                            continue;
                        }
                        assert!(!r.has(marker), "{what} shows Ana's {marker}: {}", r.body);
                    }
                }
                if name == "nobody" && !public(&path) {
                    assert!(
                        [StatusCode::SEE_OTHER, StatusCode::UNAUTHORIZED, StatusCode::FORBIDDEN].contains(&r.status),
                        "{what}: only the sign-in page for nobody"
                    );
                    if r.status == StatusCode::SEE_OTHER {
                        assert!(r.location().starts_with("/login"), "{what} → {}", r.location());
                    }
                } else if names_record && !pat_on_clinic_pages && !public(&path) {
                    if *method == Method::GET {
                        assert_eq!(
                            r.status,
                            StatusCode::NOT_FOUND,
                            "{what}: another's record is not found: {}",
                            r.body
                        );
                    } else {
                        // A change may check its form first (422 for any id); either way Ana's id must answer
                        // exactly as an id that exists nowhere, never 403 and never success.
                        let (missing, _) = ana_ids.fill_missing(&route.path);
                        let m = request(&clinic, who, method, &missing).await;
                        assert_eq!(r.status, m.status, "{what}: Ana's id answers as a missing one ({missing})");
                        assert!(
                            !r.status.is_success() && r.status != StatusCode::FORBIDDEN && !r.status.is_redirection(),
                            "{what}: {}",
                            r.body
                        );
                    }
                }
            }
        }
        if name != "Pat" {
            assert_eq!(revision(&clinic, ana_ids.athlete).await, before, "{name} changed nothing of Ana's");
        }
    }
    assert!(requests > 300, "{requests} requests");

    // Ana's own access, her link and her device are as they were.
    let ana_device = {
        let made = clinic.form(&ana, "/devices", &[("name", "phone")]).await;
        Client { bearer: Some(made.token()), ..Client::default() }
    };
    assert_eq!(clinic.get(&ana_device, "/api/profile").await.json()["profile"]["name"], "AnaSecretName");
    let run = clinic.get(&ana, &format!("/api/runs/{}", ana_ids.run)).await;
    assert_eq!(run.status, StatusCode::OK, "Ana still sees her run");
    assert!(clinic.get(&ana, "/account").await.has("PatSeesOne"), "Ana still shares with Pat");
    assert!(clinic.get(&pat, "/clinic").await.has("Ana Q. Zebra"));

    // Stopping sharing ends Pat's access at once, on every clinician route naming Ana.
    let athlete_pages: Vec<String> = routes
        .iter()
        .filter(|r| clinician_route(&r.path) && r.path.contains("{id}") && r.methods.contains(&Method::GET))
        .map(|r| ana_ids.fill(&r.path).0)
        .collect();
    for page in &athlete_pages {
        assert_eq!(clinic.get(&pat, page).await.status, StatusCode::OK, "Pat sees {page} while Ana shares");
    }
    let r = clinic.form(&ana, &format!("/account/clinicians/{}/revoke", ana_ids.pat), &[]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert!(!clinic.get(&pat, "/clinic").await.has("Ana Q. Zebra"), "gone from Pat's list");
    for page in &athlete_pages {
        let r = clinic.get(&pat, page).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{page} after Ana stopped sharing");
        assert!(!MARKERS[..4].iter().any(|m| r.has(m)), "{page}: {}", r.body);
    }

    // The second line of defence on PostgreSQL: the server's role without an athlete named reads no rows.
    if let Some(database) = clinic.pg.take() {
        let counts = off_runtime(move || {
            let counts: Vec<(&str, i64)> = ["activities", "pain_reports", "profile", "posture_checks", "settings"]
                .into_iter()
                .map(|t| (t, database.rows_as_app_role_without_athlete(t)))
                .collect();
            drop(database);
            counts
        });
        for (table, n) in counts {
            assert_eq!(n, 0, "{table} read as the application role with no athlete set");
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_every_route_keeps_each_athlete_to_their_own() {
    isolation_on_every_route(Clinic::new()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_every_route_keeps_each_athlete_to_their_own() {
    let Some(clinic) = Clinic::on(Backend::Postgres) else { return };
    isolation_on_every_route(clinic).await;
}

#[test]
fn the_sweep_reads_every_route_with_its_methods() {
    let routes = routes();
    let find = |p: &str| routes.iter().find(|r| r.path == p).unwrap_or_else(|| panic!("{p} not found"));
    assert_eq!(find("/api/runs/{id}/context").methods, [Method::GET, Method::POST]);
    assert_eq!(find("/runs/{id}/delete").methods, [Method::POST]);
    assert_eq!(find("/login").methods, [Method::GET, Method::POST]);
    assert_eq!(find("/export/{file}").methods, [Method::GET]);
    assert!(routes.iter().all(|r| r.path.starts_with('/')));
}
