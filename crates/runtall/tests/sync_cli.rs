//! `runtall sync` against a stand-in clinic server on a random loopback port: the route here is a few lines over
//! `runtall_app::sync::apply_batch` (the real one lives in runtall-web), so these tests pin the client: its
//! errors, its resume after a lost acknowledgement, and that nothing is stored twice.

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use runtall_store::{SqliteStore, Store};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

const BIN: &str = env!("CARGO_BIN_EXE_runtall");
const TOKEN: &str = "device-token-for-tests";

fn runtall(db: &Path, args: &[&str]) -> Output {
    Command::new(BIN)
        .arg("--db")
        .arg(db)
        .args(args)
        .env_remove("RUNTALL_DB")
        .env_remove("RUNTALL_SYNC_TOKEN")
        .output()
        .expect("run runtall")
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

#[derive(Clone)]
struct Server {
    db: PathBuf,
    /// Batches received so far.
    batches: Arc<AtomicUsize>,
    /// Batch number from which the server stores the batch but answers 503 (the acknowledgement is lost).
    lose_ack_from: Arc<AtomicUsize>,
    /// The protocol the server says it speaks.
    protocol: u32,
}

fn json_error(status: StatusCode, msg: &str) -> Response {
    (status, axum::Json(serde_json::json!({ "error": msg }))).into_response()
}

fn authorised(headers: &HeaderMap) -> bool {
    headers.get("authorization").and_then(|v| v.to_str().ok()) == Some(&format!("Bearer {TOKEN}"))
}

async fn hello(State(s): State<Server>, headers: HeaderMap) -> Response {
    if !authorised(&headers) {
        return json_error(StatusCode::UNAUTHORIZED, "unknown device token");
    }
    axum::Json(serde_json::json!({ "protocol": s.protocol })).into_response()
}

async fn batch(State(s): State<Server>, headers: HeaderMap, body: Bytes) -> Response {
    if !authorised(&headers) {
        return json_error(StatusCode::UNAUTHORIZED, "unknown device token");
    }
    let n = s.batches.fetch_add(1, Ordering::SeqCst);
    let store = SqliteStore::open(&s.db).expect("server store");
    match runtall_app::sync::apply_batch(&store, &body, jiff::Timestamp::now()) {
        Ok(_) if n >= s.lose_ack_from.load(Ordering::SeqCst) => {
            json_error(StatusCode::SERVICE_UNAVAILABLE, "stored, but the answer got lost")
        }
        Ok(ack) => (StatusCode::OK, runtall_app::sync::encode_ack(&ack)).into_response(),
        Err(e) => json_error(StatusCode::BAD_REQUEST, &e.to_string()),
    }
}

/// Starts a stand-in server; `with_sync` false answers 404 on the sync routes (a server too old for sync).
fn start(server: Server, with_sync: bool) -> String {
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(1).enable_all().build().expect("runtime");
    let listener = rt.block_on(tokio::net::TcpListener::bind("127.0.0.1:0")).expect("bind");
    let url = format!("http://{}", listener.local_addr().expect("addr"));
    let app = if with_sync {
        Router::new().route("/api/sync/hello", get(hello)).route("/api/sync/batch", post(batch))
    } else {
        Router::new().route("/", get(|| async { "an older runtall" }))
    }
    .layer(axum::extract::DefaultBodyLimit::max(runtall_app::sync::MAX_BATCH_BYTES))
    .with_state(server);
    std::thread::spawn(move || rt.block_on(async { axum::serve(listener, app).await }));
    url
}

fn server(dir: &Path) -> Server {
    Server {
        db: dir.join("server.db"),
        batches: Arc::new(AtomicUsize::new(0)),
        lose_ack_from: Arc::new(AtomicUsize::new(usize::MAX)),
        protocol: runtall_app::sync::PROTOCOL,
    }
}

fn journal(db: &Path) -> String {
    let out = runtall(db, &["journal", "export"]);
    assert!(out.status.success(), "{}", stderr(&out));
    stdout(&out)
}

#[test]
fn the_demo_season_syncs_once_resumes_after_a_lost_answer_and_stores_nothing_twice() {
    let dir = tempfile::tempdir().expect("dir");
    let local = dir.path().join("local.db");
    assert!(runtall(&local, &["demo"]).status.success());
    let s = server(dir.path());
    s.lose_ack_from.store(2, Ordering::SeqCst);
    let url = start(s.clone(), true);

    // Batches 0 and 1 are acknowledged; from batch 2 on the server stores but the answer is lost.
    let cut = runtall(&local, &["sync", "--server", &url, "--token", TOKEN, "--batch-records", "40"]);
    assert!(!cut.status.success());
    assert!(stderr(&cut).contains("2 of"), "{}", stderr(&cut));
    assert!(stderr(&cut).contains("run `runtall sync` again"), "{}", stderr(&cut));
    let received_before = s.batches.load(Ordering::SeqCst);
    assert_eq!(received_before, 2 + 3, "two acknowledged, then the third tried three times");

    // The server URL is remembered; the token comes from the environment this time.
    s.lose_ack_from.store(usize::MAX, Ordering::SeqCst);
    let again = Command::new(BIN)
        .arg("--db")
        .arg(&local)
        .args(["sync", "--batch-records", "40", "--json"])
        .env("RUNTALL_SYNC_TOKEN", TOKEN)
        .output()
        .expect("run");
    assert!(again.status.success(), "{}", stderr(&again));
    let summary: serde_json::Value = serde_json::from_slice(&again.stdout).expect("json summary");
    assert!(summary["bytes_sent"].as_u64() > Some(0), "{summary}");
    assert_eq!(summary["server_stored"]["runs_added"].as_u64(), Some(0), "batch 2's runs were stored already");

    let server_db = dir.path().join("server.db");
    assert_eq!(journal(&server_db), journal(&local), "the server holds the runner's journal, each record once");
    let store = SqliteStore::open(&server_db).expect("open");
    let local_runs = SqliteStore::open(&local).expect("open").activities(&Default::default()).expect("runs");
    let server_runs = store.activities(&Default::default()).expect("runs");
    assert_eq!(server_runs.len(), local_runs.len());
    let with_samples = server_runs
        .iter()
        .filter(|r| store.activity(r.id).expect("read").is_some_and(|a| !a.activity.samples.is_empty()))
        .count();
    assert_eq!(with_samples, local_runs.len(), "every watch run arrived with its samples");

    let up_to_date = runtall(&local, &["sync", "--token", TOKEN]);
    assert!(up_to_date.status.success(), "{}", stderr(&up_to_date));
    assert!(stdout(&up_to_date).contains("nothing changed"), "{}", stdout(&up_to_date));
}

#[test]
fn clear_errors_for_an_unreachable_server_a_refused_token_and_a_server_without_sync() {
    let dir = tempfile::tempdir().expect("dir");
    let local = dir.path().join("local.db");
    assert!(runtall(&local, &["demo"]).status.success());

    let unreachable = {
        let port = std::net::TcpListener::bind("127.0.0.1:0").expect("bind").local_addr().expect("addr").port();
        runtall(&local, &["sync", "--server", &format!("http://127.0.0.1:{port}"), "--token", TOKEN])
    };
    assert_eq!(unreachable.status.code(), Some(1));
    assert!(stderr(&unreachable).contains("cannot reach the clinic server"), "{}", stderr(&unreachable));

    let url = start(server(dir.path()), true);
    let refused = runtall(&local, &["sync", "--server", &url, "--token", "wrong"]);
    assert_eq!(refused.status.code(), Some(1));
    assert!(stderr(&refused).contains("refused the device token"), "{}", stderr(&refused));

    let old = start(server(dir.path()), false);
    let too_old = runtall(&local, &["sync", "--server", &old, "--token", TOKEN]);
    assert!(stderr(&too_old).contains("too old"), "{}", stderr(&too_old));

    let older_protocol = start(Server { protocol: 0, ..server(dir.path()) }, true);
    let too_old = runtall(&local, &["sync", "--server", &older_protocol, "--token", TOKEN]);
    assert!(stderr(&too_old).contains("the server is too old"), "{}", stderr(&too_old));

    let no_token = runtall(&local, &["sync", "--server", &url]);
    assert!(stderr(&no_token).contains("RUNTALL_SYNC_TOKEN"), "{}", stderr(&no_token));
    assert!(!dir.path().join("server.db").exists(), "nothing reached a server");
}
