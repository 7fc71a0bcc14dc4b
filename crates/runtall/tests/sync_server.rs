//! `runtall sync` end to end against the real clinic server (runtall-web's router over a SQLite clinic database,
//! on a random loopback port): an athlete account with a device token, the demo season synced up, a clinician's
//! program change brought down and shown by `runtall plan` and `runtall status`, and connections cut in the middle
//! of a batch (by a proxy that drops them) resumed without storing anything twice.

use runtall_domain::clinic::{Change, DoseChange, ProgramChange};
use runtall_store::accounts::{Accounts, Role};
use runtall_store::{AthleteId, Database, SqliteDatabase, SqliteStore, Store};
use std::io::{Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::path::Path;
use std::process::{Command, Output};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

const BIN: &str = env!("CARGO_BIN_EXE_runtall");

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

fn text(o: &Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr))
}

/// The clinic server on a random loopback port; its base URL.
fn start_server(clinic_db: &Path) -> String {
    let db = runtall_web::Db::open_clinic(clinic_db).expect("clinic db");
    let app = runtall_web::router(runtall_web::AppState::new(db, None).expect("state"));
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().expect("runtime");
    let listener = rt.block_on(tokio::net::TcpListener::bind("127.0.0.1:0")).expect("bind");
    let url = format!("http://{}", listener.local_addr().expect("addr"));
    std::thread::spawn(move || rt.block_on(async { axum::serve(listener, app).await }));
    url
}

/// An athlete account with a device token (as the "Connect a device" page makes one); (athlete, token).
fn athlete_with_device(clinic_db: &Path, email: &str, name: &str) -> (AthleteId, String) {
    let db = SqliteDatabase::open(clinic_db).expect("open");
    let account = db.create_account(email, name, Role::Athlete, Some("a long enough password")).expect("account");
    let (token, hash) = runtall_web::principal::new_secret();
    db.add_device(&hash, account.id, "laptop", jiff::Timestamp::now()).expect("device");
    (account.athlete.expect("an athlete account owns an athlete"), token)
}

fn server_store(clinic_db: &Path, athlete: AthleteId) -> SqliteStore {
    SqliteDatabase::open(clinic_db).expect("open").athlete(athlete).expect("athlete")
}

fn journal(store: &dyn Store) -> String {
    runtall_domain::journal_format::to_jsonl(&runtall_app::journal_file::export(store).expect("export"))
}

/// A TCP proxy in front of the server that, from the `nth` batch request it forwards on (counting from 0, retries
/// included) and while `cuts` is above zero, drops the connection in the middle of the request, once per cut: the
/// server sees the start of the request and never its body.
struct Proxy {
    url: String,
    cuts: Arc<AtomicUsize>,
}

fn proxy(server: &str, nth: usize) -> Proxy {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let url = format!("http://{}", listener.local_addr().expect("addr"));
    let upstream = server.trim_start_matches("http://").to_string();
    let cuts = Arc::new(AtomicUsize::new(0));
    let seen = Arc::new(AtomicUsize::new(0));
    let cuts2 = cuts.clone();
    std::thread::spawn(move || {
        for client in listener.incoming().flatten() {
            let Ok(server) = TcpStream::connect(&upstream) else { continue };
            let (cuts, seen) = (cuts2.clone(), seen.clone());
            let (mut c_read, mut s_write) = (client.try_clone().expect("clone"), server.try_clone().expect("clone"));
            let (mut s_read, mut c_write) = (server, client);
            std::thread::spawn(move || {
                let mut buf = vec![0u8; 64 * 1024];
                loop {
                    let n = match s_read.read(&mut buf) {
                        Ok(0) | Err(_) => break,
                        Ok(n) => n,
                    };
                    if c_write.write_all(&buf[..n]).is_err() {
                        break;
                    }
                }
                let _ = c_write.shutdown(Shutdown::Both);
            });
            std::thread::spawn(move || {
                let mut buf = vec![0u8; 16 * 1024];
                let mut window: Vec<u8> = Vec::new();
                let mut cutting_after: Option<usize> = None;
                loop {
                    let n = match c_read.read(&mut buf) {
                        Ok(0) | Err(_) => break,
                        Ok(n) => n,
                    };
                    window.extend_from_slice(&buf[..n]);
                    let starts = window.windows(20).filter(|w| w == b"POST /api/sync/batch").count();
                    if starts > 0 {
                        let before = seen.fetch_add(starts, Ordering::SeqCst);
                        if before + starts > nth && cuts.load(Ordering::SeqCst) > 0 {
                            cuts.fetch_sub(1, Ordering::SeqCst);
                            // The request line and a few headers get through, the body never does.
                            cutting_after = Some(200);
                        }
                        window.clear();
                    }
                    let keep = window.len().saturating_sub(19);
                    window.drain(..keep);
                    if let Some(left) = cutting_after {
                        let _ = s_write.write_all(&buf[..n.min(left)]);
                        let _ = s_write.shutdown(Shutdown::Both);
                        let _ = c_read.shutdown(Shutdown::Both);
                        break;
                    }
                    if s_write.write_all(&buf[..n]).is_err() {
                        break;
                    }
                }
                let _ = s_write.shutdown(Shutdown::Both);
            });
        }
    });
    Proxy { url, cuts }
}

#[test]
fn the_demo_season_reaches_the_server_and_the_clinicians_change_reaches_the_runners_plan() {
    let dir = tempfile::tempdir().expect("dir");
    let clinic_db = dir.path().join("clinic.db");
    let url = start_server(&clinic_db);
    let (athlete, token) = athlete_with_device(&clinic_db, "ana@example.org", "Ana");
    let (other, _) = athlete_with_device(&clinic_db, "ben@example.org", "Ben");
    let local = dir.path().join("local.db");
    assert!(runtall(&local, &["demo"]).status.success());

    let first = runtall(&local, &["sync", "--server", &url, "--token", &token]);
    assert!(first.status.success(), "{}", text(&first));
    assert!(text(&first).contains("Synced with"), "{}", text(&first));
    let local_store = SqliteStore::open(&local).expect("local");
    let server = server_store(&clinic_db, athlete);
    assert_eq!(journal(&server), journal(&local_store), "the server holds Ana's journal");
    let runs = server.activities(&Default::default()).expect("runs");
    assert_eq!(runs.len(), local_store.activities(&Default::default()).expect("runs").len());
    assert!(server.activity(runs[0].id).expect("read").expect("run").activity.samples.len() > 100, "with samples");
    assert!(server_store(&clinic_db, other).activities(&Default::default()).expect("runs").is_empty(), "Ben: nothing");

    // Pat adjusts Ana's program on the server; the next sync brings it to the laptop.
    let by = "Pat Physio".to_string();
    let at = jiff::Timestamp::now();
    server
        .add_program_change(&ProgramChange {
            key: "change-pat-1".into(),
            at,
            by: by.clone(),
            change: Change::Note { text: "Easy week: keep every run conversational.".into() },
        })
        .expect("note");
    server
        .add_program_change(&ProgramChange {
            key: "change-pat-2".into(),
            at,
            by,
            change: Change::Dose {
                exercise: "chin-tuck".into(),
                dose: DoseChange { sets: Some(3), reps: Some(12), ..DoseChange::default() },
                note: None,
            },
        })
        .expect("dose");
    let second = runtall(&local, &["sync", "--token", &token]);
    assert!(second.status.success(), "{}", text(&second));
    assert!(text(&second).contains("From your clinician: 2 program changes"), "{}", text(&second));
    let status = runtall(&local, &["status"]);
    assert!(text(&status).contains("Easy week: keep every run conversational."), "{}", text(&status));
    let plan = runtall(&local, &["plan"]);
    assert!(text(&plan).contains("Changed by your clinician"), "{}", text(&plan));
    assert!(text(&plan).contains("3 × 12") || text(&plan).contains("3 x 12"), "the dose: {}", text(&plan));
    // The plan `runtall plan` kept with the change applied is Ana's own record: it goes up, the changes do not
    // come down again.
    let again = runtall(&local, &["sync", "--token", &token]);
    assert!(again.status.success() && !text(&again).contains("From your clinician"), "{}", text(&again));
    assert_eq!(local_store.program_changes().expect("changes").len(), 2, "stored once");
    let idle = runtall(&local, &["sync", "--token", &token]);
    assert!(text(&idle).contains("nothing changed"), "{}", text(&idle));
    assert_eq!(journal(&server), journal(&local_store));
    assert!(today_page(&local).contains("Easy week: keep every run conversational."), "the local web app's Today");

    // The server loses Ana's records (a restore from an old backup): the next sync notices and sends all again.
    server.delete_all().expect("wipe");
    let restored = runtall(&local, &["sync", "--token", &token]);
    assert!(restored.status.success(), "{}", text(&restored));
    assert!(text(&restored).contains("sending everything again"), "{}", text(&restored));
    assert_eq!(journal(&server), journal(&local_store), "the server has everything again");
}

/// The local web app's Today page (`runtall serve` over the runner's database), as a browser gets it.
fn today_page(local: &Path) -> String {
    use tower::ServiceExt;
    let db = runtall_web::Db::open(local).expect("local db");
    let app = runtall_web::router(runtall_web::AppState::new(db, None).expect("state"));
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
    rt.block_on(async {
        let req = axum::http::Request::get("/today").body(axum::body::Body::empty()).expect("request");
        let res = app.oneshot(req).await.expect("infallible");
        assert_eq!(res.status(), axum::http::StatusCode::OK);
        let bytes = http_body_util::BodyExt::collect(res.into_body()).await.expect("body").to_bytes();
        String::from_utf8_lossy(&bytes).into_owned()
    })
}

#[test]
fn a_connection_cut_in_the_middle_of_a_batch_resumes_without_duplicates() {
    let dir = tempfile::tempdir().expect("dir");
    let clinic_db = dir.path().join("clinic.db");
    let url = start_server(&clinic_db);
    let (athlete, token) = athlete_with_device(&clinic_db, "ana@example.org", "Ana");
    let local = dir.path().join("local.db");
    assert!(runtall(&local, &["demo"]).status.success());
    let cut = proxy(&url, 2);

    // Every attempt at the third batch is cut: the sync stops after two acknowledged batches.
    cut.cuts.store(3, Ordering::SeqCst);
    let broken = runtall(&local, &["sync", "--server", &cut.url, "--token", &token, "--batch-records", "30"]);
    assert_eq!(broken.status.code(), Some(1), "{}", text(&broken));
    assert!(text(&broken).contains("2 of"), "{}", text(&broken));
    assert!(text(&broken).contains("again to send the rest"), "{}", text(&broken));
    let server = server_store(&clinic_db, athlete);
    let partial = server.activities(&Default::default()).expect("runs").len();
    assert!(partial > 0, "the acknowledged batches are stored");

    // One cut this time: the retry inside the same run carries on.
    let cut_again = proxy(&url, 0);
    cut_again.cuts.store(1, Ordering::SeqCst);
    let resumed = runtall(&local, &["sync", "--server", &cut_again.url, "--token", &token, "--batch-records", "30"]);
    assert!(resumed.status.success(), "{}", text(&resumed));
    let local_store = SqliteStore::open(&local).expect("local");
    assert_eq!(journal(&server), journal(&local_store), "everything arrived, each record once");
    assert_eq!(
        server.pain_reports(jiff::Timestamp::MIN, jiff::Timestamp::MAX).expect("pain").len(),
        local_store.pain_reports(jiff::Timestamp::MIN, jiff::Timestamp::MAX).expect("pain").len()
    );
}

/// `runtall server` as a child process, killed when the test ends.
struct ServerProcess(std::process::Child);

impl Drop for ServerProcess {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
fn the_real_server_over_https_with_a_self_signed_certificate_needs_ca_cert() {
    use std::io::BufRead;
    let dir = tempfile::tempdir().expect("dir");
    let rcgen::CertifiedKey { cert, signing_key } =
        rcgen::generate_simple_self_signed(vec!["localhost".to_string()]).expect("certificate");
    let (cert_path, key_path) = (dir.path().join("cert.pem"), dir.path().join("key.pem"));
    std::fs::write(&cert_path, cert.pem()).expect("cert");
    std::fs::write(&key_path, signing_key.serialize_pem()).expect("key");
    let clinic_db = dir.path().join("clinic.db");
    let mut child = Command::new(BIN)
        .args(["server", "--db"])
        .arg(&clinic_db)
        .args(["--bind", "127.0.0.1:0", "--tls-cert"])
        .arg(&cert_path)
        .arg("--tls-key")
        .arg(&key_path)
        .env_remove("DATABASE_URL")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("start runtall server");
    let stdout = child.stdout.take().expect("stdout");
    let _server = ServerProcess(child);
    // Read its first line (where it listens), then keep draining: a closed pipe would end the server at its next
    // line of output.
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in std::io::BufReader::new(stdout).lines().map_while(Result::ok) {
            let _ = tx.send(line);
        }
    });
    let line = rx.recv_timeout(std::time::Duration::from_secs(30)).expect("the server says where it is");
    let port = line
        .split("://")
        .nth(1)
        .and_then(|rest| rest.split('/').next())
        .and_then(|addr| addr.parse::<std::net::SocketAddr>().ok())
        .map(|addr| addr.port());
    let url = format!("https://localhost:{}", port.unwrap_or_else(|| panic!("no port in {line:?}")));
    let (athlete, token) = athlete_with_device(&clinic_db, "ana@example.org", "Ana");
    let local = dir.path().join("local.db");
    assert!(runtall(&local, &["demo"]).status.success());

    let untrusted = runtall(&local, &["sync", "--server", &url, "--token", &token]);
    assert_eq!(untrusted.status.code(), Some(1), "{}", text(&untrusted));
    assert!(text(&untrusted).contains("--ca-cert"), "{}", text(&untrusted));

    let ca = cert_path.to_str().expect("path");
    let synced = runtall(&local, &["sync", "--server", &url, "--token", &token, "--ca-cert", ca]);
    assert!(synced.status.success(), "{}", text(&synced));
    let local_store = SqliteStore::open(&local).expect("local");
    assert_eq!(journal(&server_store(&clinic_db, athlete)), journal(&local_store));
}

/// `runtall sync` against a stand-in server (a few lines over `runtall_app::sync::apply_batch` instead of the
/// real route): the client's errors, its resume after a lost acknowledgement, nothing stored twice.
mod stand_in {
    use super::{BIN, runtall};
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

    const TOKEN: &str = "device-token-for-tests";

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

    async fn pull(State(s): State<Server>, headers: HeaderMap, body: Bytes) -> Response {
        if !authorised(&headers) {
            return json_error(StatusCode::UNAUTHORIZED, "unknown device token");
        }
        let store = SqliteStore::open(&s.db).expect("server store");
        match runtall_app::sync::answer_pull(&store, &body, jiff::Timestamp::now()) {
            Ok(bytes) => (StatusCode::OK, bytes).into_response(),
            Err(e) => json_error(StatusCode::BAD_REQUEST, &e.to_string()),
        }
    }

    /// Starts a stand-in server; `with_sync` false answers 404 on the sync routes (a server too old for sync).
    fn start(server: Server, with_sync: bool) -> String {
        let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(1).enable_all().build().expect("runtime");
        let listener = rt.block_on(tokio::net::TcpListener::bind("127.0.0.1:0")).expect("bind");
        let url = format!("http://{}", listener.local_addr().expect("addr"));
        let app = if with_sync {
            Router::new()
                .route("/api/sync/hello", get(hello))
                .route("/api/sync/batch", post(batch))
                .route("/api/sync/pull", post(pull))
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

    #[test]
    fn plain_http_to_another_machine_is_refused_unless_allowed() {
        let dir = tempfile::tempdir().expect("dir");
        let local = dir.path().join("local.db");
        let out = runtall(&local, &["sync", "--server", "http://clinic.example", "--token", TOKEN]);
        assert_eq!(out.status.code(), Some(1));
        assert!(stderr(&out).contains("unencrypted"), "{}", stderr(&out));
        assert!(stderr(&out).contains("--allow-http"), "{}", stderr(&out));
    }
}

#[test]
fn deletions_travel_both_ways_and_what_ana_enters_in_the_browser_reaches_her_laptop() {
    use runtall_domain::assess::{Region, Score};
    use runtall_domain::journal::{PainReport, PainTiming};
    let dir = tempfile::tempdir().expect("dir");
    let clinic_db = dir.path().join("clinic.db");
    let url = start_server(&clinic_db);
    let (ana, ana_token) = athlete_with_device(&clinic_db, "ana@example.org", "Ana");
    let (ben, ben_token) = athlete_with_device(&clinic_db, "ben@example.org", "Ben");
    // Both run the same demo season: the same stable ids in two accounts.
    let (ana_local, ben_local) = (dir.path().join("ana.db"), dir.path().join("ben.db"));
    for (db, token) in [(&ana_local, &ana_token), (&ben_local, &ben_token)] {
        assert!(runtall(db, &["demo"]).status.success());
        let first = runtall(db, &["sync", "--server", &url, "--token", token]);
        assert!(first.status.success(), "{}", text(&first));
    }
    let (ana_server, ben_server) = (server_store(&clinic_db, ana), server_store(&clinic_db, ben));
    let ben_before = journal(&ben_server);
    let laptop = SqliteStore::open(&ana_local).expect("Ana's laptop");

    // On the laptop Ana deletes a run and a pain report.
    let run = laptop.activities(&Default::default()).expect("runs")[1].clone();
    assert!(laptop.delete_activity(run.id).expect("delete the run"));
    let pains = laptop.pain_reports(jiff::Timestamp::MIN, jiff::Timestamp::MAX).expect("pain");
    let gone_pain = pains.last().expect("a pain report").clone();
    assert!(laptop.delete_pain_report(gone_pain.id.expect("id")).expect("delete the report"));
    // In the browser on the server she logs a pain report and deletes another one.
    let at = jiff::Timestamp::now().checked_sub(jiff::SignedDuration::from_hours(2)).expect("time");
    let typed = PainReport {
        id: None,
        at,
        timing: PainTiming::AtDesk,
        region: Region::Neck,
        intensity: Score::new(3.0).expect("score"),
        run_id: None,
        notes: Some("logged in the browser".into()),
    };
    ana_server.add_pain_report(&typed).expect("typed in the browser");
    let on_server = ana_server.pain_reports(jiff::Timestamp::MIN, jiff::Timestamp::MAX).expect("pain");
    let deleted_there = on_server.iter().find(|p| p.at != gone_pain.at && p.at != at).expect("another report");
    assert!(ana_server.delete_pain_report(deleted_there.id.expect("id")).expect("deleted in the browser"));

    let synced = runtall(&ana_local, &["sync", "--token", &ana_token, "--json"]);
    assert!(synced.status.success(), "{}", text(&synced));
    let summary: serde_json::Value = serde_json::from_slice(&synced.stdout).expect("json");
    assert_eq!(summary["deleted_on_server"], 2, "{summary}");
    assert_eq!(summary["pulled"]["deleted"], 1, "{summary}");
    assert!(summary["pulled"]["records"].as_u64().expect("count") >= 1, "{summary}");

    assert!(ana_server.activities(&Default::default()).expect("runs").iter().all(|r| r.key != run.key));
    let laptop_pain = laptop.pain_reports(jiff::Timestamp::MIN, jiff::Timestamp::MAX).expect("pain");
    assert!(laptop_pain.iter().any(|p| p.notes.as_deref() == Some("logged in the browser")), "came down");
    assert!(laptop_pain.iter().all(|p| p.at != deleted_there.at), "deleted on the laptop too");
    assert_eq!(journal(&ana_server), journal(&laptop), "the laptop and the server hold the same journal");
    assert_eq!(journal(&ben_server), ben_before, "nothing of Ben's changed");
    assert!(ben_server.activities(&Default::default()).expect("runs").iter().any(|r| r.key == run.key));

    // The next sync neither sends nor brings anything.
    let idle = runtall(&ana_local, &["sync", "--token", &ana_token]);
    assert!(text(&idle).contains("nothing changed"), "{}", text(&idle));
    assert!(!text(&idle).contains("From the server"), "{}", text(&idle));
}
