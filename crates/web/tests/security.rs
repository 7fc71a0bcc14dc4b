//! The web app on a real network, tested in-process as an attacker would: DNS rebinding (foreign `Host`),
//! cross-site writes, anonymous floods against the owner's session, open redirects after sign-in, server paths in
//! the API, caching of data, oversized bodies, the `Secure` cookie and private upload folders. The tests over real
//! loopback sockets (timeouts, the connection cap, TLS) are in `security_server.rs`, the sign-in burst in
//! `sign_in_burst.rs`.

mod common;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use common::*;
use runtall_store::Store;
use runtall_web::{AppState, Db, Peer, router};
use serde_json::json;
use std::time::Duration;

const PASSWORD: &str = "correct horse battery";

/// A GET with this `Host` and the app's session.
async fn get_with_host(app: &App, path: &str, host: &str) -> Reply {
    let req = Request::get(path).header(header::HOST, host).header(header::COOKIE, &app.cookie);
    app.send(req.body(Body::empty()).expect("request")).await
}

/// One page, API call, export and asset each: the route classes a rebinding page would read.
const ROUTE_CLASSES: [&str; 6] =
    ["/welcome", "/api/runs/1", "/api/session", "/export/journal.jsonl", "/api/journal/export", "/assets/app.css"];

#[tokio::test]
async fn a_foreign_host_is_refused_on_every_route_class_before_any_handler() {
    let app = app().await;
    let id = add_run(&app.store(), 2, "rebinding");
    let run = format!("/api/runs/{id}");
    for path in ROUTE_CLASSES.iter().copied().chain([run.as_str()]) {
        for host in ["evil.example", "evil.example:8080", "127.0.0.1.nip.io:8080", "localhost.evil.example"] {
            let r = get_with_host(&app, path, host).await;
            assert_eq!(r.status, StatusCode::MISDIRECTED_REQUEST, "{path} with Host {host}");
            assert!(!r.has("\"samples\"") && !r.has("Test run"), "{path}: no data in the refusal: {}", r.body);
        }
    }
    // The refusal says what to do, as JSON under /api/ and as a page elsewhere.
    let r = get_with_host(&app, &run, "evil.example").await;
    assert_eq!(r.json()["error"], "wrong-host");
    assert!(get_with_host(&app, "/welcome", "evil.example").await.has("--allow-host"));
    // A state-changing request to a foreign host changes nothing.
    let req = Request::post("/api/delete-all")
        .header(header::HOST, "evil.example:8080")
        .header(header::COOKIE, &app.cookie)
        .header("x-csrf-token", &app.csrf)
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from("{}"))
        .expect("request");
    assert_eq!(app.send(req).await.status, StatusCode::MISDIRECTED_REQUEST);
    assert_eq!(app.get(&run).await.status, StatusCode::OK, "the run is still there");
    // An absolute-form request target names its host too.
    let req = Request::get("http://evil.example/api/session").body(Body::empty()).expect("request");
    assert_eq!(app.send(req).await.status, StatusCode::MISDIRECTED_REQUEST);
}

#[tokio::test]
async fn loopback_names_and_allowed_hosts_are_served() {
    let dir = tempfile::tempdir().expect("dir");
    let db = Db::open(&dir.path().join("t.db")).expect("db");
    let state = AppState::new(db, None).expect("state").allow_hosts(&["runtall.local", "192.168.1.20"]).expect("names");
    let app = App { router: router(state), dir, cookie: String::new(), csrf: String::new() };
    for path in ROUTE_CLASSES {
        if path.starts_with("/api/runs/") {
            continue;
        }
        for host in
            ["localhost:8080", "127.0.0.1:8080", "[::1]:8080", "LOCALHOST", "runtall.local:8443", "192.168.1.20"]
        {
            let r = get_with_host(&app, path, host).await;
            assert_eq!(r.status, StatusCode::OK, "{path} with Host {host}");
        }
        assert_eq!(get_with_host(&app, path, "runtall.evil").await.status, StatusCode::MISDIRECTED_REQUEST);
    }
    // The address a client reached (a server bound to 0.0.0.0 is reached at the machine's LAN address).
    let peer = Peer {
        remote: "192.168.1.30:50000".parse().expect("addr"),
        local: "10.1.2.3:8080".parse().expect("addr"),
        tls: false,
    };
    let mut req =
        Request::get("/api/state").header(header::HOST, "10.1.2.3:8080").body(Body::empty()).expect("request");
    req.extensions_mut().insert(peer);
    assert_eq!(app.send(req).await.status, StatusCode::OK);
    let mut req =
        Request::get("/api/state").header(header::HOST, "10.1.2.4:8080").body(Body::empty()).expect("request");
    req.extensions_mut().insert(peer);
    assert_eq!(app.send(req).await.status, StatusCode::MISDIRECTED_REQUEST);
    assert!(
        AppState::new(Db::open(&app.dir.path().join("u.db")).expect("db"), None)
            .expect("state")
            .allow_hosts(&["http://x/"])
            .is_err(),
        "a URL is not a host name"
    );
}

#[tokio::test]
async fn cross_site_writes_are_refused_even_with_a_valid_token() {
    let app = app().await;
    let post = |origin: Option<&str>, fetch_site: Option<&str>| {
        let mut req = Request::post("/api/pain")
            .header(header::HOST, "127.0.0.1:8080")
            .header(header::COOKIE, &app.cookie)
            .header("x-csrf-token", &app.csrf)
            .header(header::CONTENT_TYPE, "application/json");
        if let Some(o) = origin {
            req = req.header(header::ORIGIN, o);
        }
        if let Some(s) = fetch_site {
            req = req.header("sec-fetch-site", s);
        }
        req.body(Body::from(json!({ "region": "neck", "intensity": 3, "timing": "at-desk" }).to_string()))
            .expect("request")
    };
    for (origin, site) in [
        (Some("http://evil.example"), None),
        (Some("http://127.0.0.1:9999"), None),
        (Some("null"), None),
        (None, Some("cross-site")),
        (Some("http://127.0.0.1:8080"), Some("cross-site")),
    ] {
        let r = app.send(post(origin, site)).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{origin:?} {site:?}");
        assert_eq!(r.json()["error"], "cross-site");
    }
    assert!(app.get("/api/pain").await.json().as_array().is_some_and(|a| a.is_empty()), "nothing stored");
    // The app's own pages, and tools that send no Origin, still write.
    // (`Origin: null` with the browser's word that it is same-origin: a page under a privacy extension's stricter
    // referrer policy.)
    for (origin, site) in
        [(Some("http://127.0.0.1:8080"), Some("same-origin")), (None, None), (Some("null"), Some("same-origin"))]
    {
        let r = app.send(post(origin, site)).await;
        assert_eq!(r.status, StatusCode::OK, "{origin:?} {site:?}: {}", r.body);
    }
    // A form from another site, with a stolen token, is refused too.
    let req = Request::post("/settings/delete-all")
        .header(header::HOST, "localhost:8080")
        .header(header::ORIGIN, "https://evil.example")
        .header(header::COOKIE, &app.cookie)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from(format!("_csrf={}", app.csrf)))
        .expect("request");
    assert_eq!(app.send(req).await.status, StatusCode::FORBIDDEN);
}

/// Signs in with the password through the form; returns the signed-in app and the redirect target.
async fn sign_in(app: &App, next: &str) -> (App, String) {
    let login =
        app.get(&format!("/login?next={}", form_urlencoded::byte_serialize(next.as_bytes()).collect::<String>())).await;
    assert_eq!(login.status, StatusCode::OK);
    let cookie = session_cookie(&login.headers).expect("cookie");
    let csrf = login.body.split("name=\"_csrf\" value=\"").nth(1).and_then(|s| s.split('"').next()).expect("token");
    let shown_next = login.body.split("name=\"next\" value=\"").nth(1).and_then(|s| s.split('"').next()).expect("next");
    let form = App { router: app.router.clone(), dir: tempfile::tempdir().expect("dir"), cookie, csrf: csrf.into() };
    let r = form.form("/login", &[("password", PASSWORD), ("next", next)]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{next:?}: {}", r.body);
    if r.location() == "/" {
        assert_eq!(shown_next, "/", "{next:?}: the sign-in page does not carry it either");
    }
    let cookie = session_cookie(&r.headers).expect("signed-in cookie");
    let signed =
        App { router: app.router.clone(), dir: tempfile::tempdir().expect("dir"), cookie, csrf: String::new() };
    (signed, r.location().to_string())
}

#[tokio::test]
async fn after_sign_in_only_a_path_on_this_server_is_followed() {
    let app = app_with(Some(PASSWORD)).await;
    for next in [
        "/%09/evil.example",
        "/\t/evil.example",
        "/%0a/x",
        "/\n/x",
        "//evil.example",
        "/\\evil.example",
        "https://evil.example/",
        "/%5Cevil.example",
    ] {
        let (_, location) = sign_in(&app, next).await;
        assert_eq!(location, "/", "{next:?}");
    }
    let (signed, location) = sign_in(&app, "/runs?type=long").await;
    assert_eq!(location, "/runs?type=long");
    assert_eq!(signed.get("/api/state").await.status, StatusCode::OK);
}

#[tokio::test]
async fn a_flood_of_anonymous_requests_does_not_sign_the_owner_out() {
    let dir = tempfile::tempdir().expect("dir");
    let state = AppState::new(Db::open(&dir.path().join("t.db")).expect("db"), Some(PASSWORD)).expect("state");
    let app = App { router: router(state.clone()), dir, cookie: String::new(), csrf: String::new() };
    let (mut owner, _) = sign_in(&app, "/").await;
    owner.csrf = owner.get("/api/session").await.json()["csrf_token"].as_str().expect("token").to_string();
    // 5,200 cookie-less requests, each of which used to store a session and, past 5,000, evict the oldest.
    for _ in 0..5_200 {
        let r = app.send(Request::get("/api/session").body(Body::empty()).expect("request")).await;
        assert!(session_cookie(&r.headers).is_some());
    }
    assert_eq!(state.stored_sessions(), 1, "only the signed-in session is held in memory");
    assert_eq!(owner.get("/api/state").await.status, StatusCode::OK, "still signed in");
    let r = owner.api("/api/pain", json!({ "region": "neck", "intensity": 2, "timing": "at-desk" })).await;
    assert_eq!(r.status, StatusCode::OK, "the owner's token still works: {}", r.body);

    // Without a password the runner's session is anonymous; its token must survive the flood as well.
    let open = common::app().await;
    for _ in 0..5_200 {
        open.send(Request::get("/welcome").body(Body::empty()).expect("request")).await;
    }
    let r = open.api("/api/pain", json!({ "region": "neck", "intensity": 2, "timing": "at-desk" })).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
}

#[tokio::test]
async fn the_api_shows_the_original_file_name_never_a_server_path() {
    let app = app().await;
    let store = app.store();
    let template = add_run(&store, 30, "template");
    // A run as the web import stores an uploaded file: with the full path of the private upload folder.
    let mut activity = store.activity(template).expect("read").expect("stored").activity;
    let stored = app.dir.path().join(".runtall-uploads").join("upload-Xy12").join("0001-Morning Run.fit");
    activity.source.path = stored.display().to_string();
    activity.source.content_hash = "uploaded".into();
    activity.start = jiff::Timestamp::now();
    let id = match store.add_activity(&activity, None).expect("add") {
        runtall_store::AddOutcome::Added { id } => id,
        other => panic!("{other:?}"),
    };
    let detail = app.get(&format!("/api/runs/{id}")).await;
    assert_eq!(detail.status, StatusCode::OK);
    assert_eq!(detail.json()["activity"]["source"]["path"], "Morning Run.fit");
    let list = app.get("/api/runs").await;
    assert_eq!(list.json()[0]["source_path"], "Morning Run.fit");
    assert_eq!(list.json()[1]["source_path"], "t.fit");
    let server_dir = app.dir.path().display().to_string();
    for r in [&detail, &list, &app.get(&format!("/runs/{id}")).await, &app.get("/api/journal/export").await] {
        assert!(!r.body.contains(&server_dir), "no server path: {}", &r.body[..r.body.len().min(400)]);
        assert!(!r.body.contains(".runtall-uploads"));
    }
}

#[tokio::test]
async fn data_is_never_cached_and_assets_are() {
    let app = app().await;
    app.onboard().await;
    let id = add_run(&app.store(), 2, "cache");
    for path in [
        "/api/state".to_string(),
        format!("/api/runs/{id}"),
        "/api/journal/export".into(),
        "/export/journal.jsonl".into(),
        "/export/runs.csv".into(),
        format!("/runs/{id}/chart.svg"),
        "/run-mode/cues.ics?run=long&minutes=60".into(),
        "/api/nope".into(),
    ] {
        let r = app.get(&path).await;
        let cache = r.headers.get(header::CACHE_CONTROL).and_then(|v| v.to_str().ok()).unwrap_or("");
        assert_eq!(cache, "no-store", "{path} ({})", r.status);
    }
    // Assets stay cacheable at the (content-keyed) URL the pages use.
    let page = app.get("/welcome").await.body;
    let start = page.find("/assets/app.").expect("the style sheet's URL");
    let css = app.get(&page[start..start + page[start..].find('"').expect("closing quote")]).await;
    assert!(css.headers[header::CACHE_CONTROL].to_str().unwrap_or("").contains("max-age"), "assets stay cacheable");
}

#[tokio::test]
async fn an_oversized_declared_body_is_refused_before_it_is_read() {
    let app = app().await;
    let declared = |path: &str, content_type: &str, length: usize| {
        Request::post(path)
            .header(header::COOKIE, &app.cookie)
            .header("x-csrf-token", &app.csrf)
            .header(header::CONTENT_TYPE, content_type)
            .header(header::CONTENT_LENGTH, length.to_string())
            .body(Body::empty())
            .expect("request")
    };
    // No body follows the header: had the server read it, the answer would be about the body (400) or the token.
    for (path, ty) in [("/api/pain", "application/json"), ("/pain", "application/x-www-form-urlencoded")] {
        let r = app.send(declared(path, ty, runtall_web::BODY_LIMIT + 1)).await;
        assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE, "{path}");
    }
    assert_eq!(app.send(declared("/api/pain", "application/json", 100 << 20)).await.json()["error"], "too-large");
    let r = app.send(declared("/api/journal/import", "application/x-ndjson", 64 << 20)).await;
    assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE, "over the journal's 32 MB");
    // Routes with larger limits are not refused for a size within them.
    let r = app.send(declared("/api/import", "multipart/form-data; boundary=x", 300 << 10)).await;
    assert_ne!(r.status, StatusCode::PAYLOAD_TOO_LARGE, "an upload of 300 KB is fine");
    let r = app.send(declared("/api/journal/import", "application/x-ndjson", 1 << 20)).await;
    assert_ne!(r.status, StatusCode::PAYLOAD_TOO_LARGE);
}

#[tokio::test]
async fn the_session_cookie_is_secure_over_tls_only() {
    let app = app().await;
    let cookie_of =
        |r: &Reply| r.headers.get(header::SET_COOKIE).and_then(|v| v.to_str().ok()).unwrap_or("").to_string();
    let peer = |tls| Peer {
        remote: "127.0.0.1:40000".parse().expect("addr"),
        local: "127.0.0.1:8443".parse().expect("addr"),
        tls,
    };
    let mut req =
        Request::get("/api/session").header(header::HOST, "localhost:8443").body(Body::empty()).expect("request");
    req.extensions_mut().insert(peer(true));
    let tls = cookie_of(&app.send(req).await);
    assert!(tls.contains("; Secure") && tls.contains("HttpOnly") && tls.contains("SameSite=Strict"), "{tls}");
    let mut req = Request::get("/api/session").body(Body::empty()).expect("request");
    req.extensions_mut().insert(peer(false));
    let plain = cookie_of(&app.send(req).await);
    assert!(!plain.contains("Secure") && plain.contains("HttpOnly"), "{plain}");
    // An https page posting to an http server (or the reverse) is another origin.
    let mut req = Request::post("/api/pain")
        .header(header::HOST, "localhost:8443")
        .header(header::ORIGIN, "http://localhost:8443")
        .header(header::COOKIE, &app.cookie)
        .header("x-csrf-token", &app.csrf)
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from("{}"))
        .expect("request");
    req.extensions_mut().insert(peer(true));
    assert_eq!(app.send(req).await.status, StatusCode::FORBIDDEN);
}

#[cfg(unix)]
#[tokio::test]
async fn the_upload_folder_is_private_whatever_the_umask() {
    use std::os::unix::fs::PermissionsExt;
    // The usual umask; other tests in this process create files too, and 022 is what they would get anyway.
    rustix::process::umask(rustix::fs::Mode::from_raw_mode(0o022));
    let app = app().await;
    let boundary = "XyZ";
    let body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"files\"; filename=\"run.gpx\"\r\n\
         Content-Type: application/octet-stream\r\n\r\nnot really a gpx\r\n--{boundary}--\r\n"
    );
    let req = Request::post("/api/import")
        .header(header::COOKIE, &app.cookie)
        .header("x-csrf-token", &app.csrf)
        .header(header::CONTENT_TYPE, format!("multipart/form-data; boundary={boundary}"))
        .body(Body::from(body))
        .expect("request");
    let r = app.send(req).await;
    assert_eq!(r.status, StatusCode::ACCEPTED, "{}", r.body);
    let uploads = app.dir.path().join(".runtall-uploads");
    let mode = std::fs::metadata(&uploads).expect("upload folder").permissions().mode() & 0o777;
    assert_eq!(format!("{mode:o}"), "700", "the upload folder");
    let db = std::fs::metadata(app.dir.path().join("t.db")).expect("db").permissions().mode() & 0o777;
    assert_eq!(format!("{db:o}"), "600", "the database");
    // The job deletes its copy when it ends; wait for it so the temp dir goes cleanly.
    let job = r.json()["job"].as_u64().expect("job id");
    for _ in 0..100 {
        if app.get(&format!("/api/import/jobs/{job}")).await.json()["status"] != "running" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}
