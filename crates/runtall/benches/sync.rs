//! How long one athlete's ten-year journal takes to sync to a clinic server (issue 19 asks for under 10 s on
//! loopback), and how many bytes it sends.
//!
//! The journal is the web latency benchmark's seeded ten years (about 2,900 runs with 1 Hz streams, pain, day
//! logs, run context, monthly screens, quarterly assessments and plans), written to a temporary SQLite file. Then:
//!
//! 1. **protocol**: the two halves in one process, no network — the client collects and encodes every batch,
//!    the server half applies each to a fresh SQLite database;
//! 2. **pull and second sync**: the pull that ends a sync (nothing comes down after a first sync) and a sync with
//!    nothing changed (the cost of finding that out);
//! 3. **over loopback HTTP**: the clinic server's router (runtall-web, SQLite clinic database, or with
//!    `--backend postgres` a PostgreSQL one on the throwaway cluster of `crates/store-postgres/tests/support`) on a
//!    random port and the release `runtall sync` binary against it, with a device token, timed from start to exit —
//!    what a runner waits for.
//!
//! ```sh
//! cargo bench -p runtall --bench sync
//! cargo bench -p runtall --bench sync -- --backend postgres   # step 3 against a PostgreSQL clinic server
//! RUNTALL_BENCH_DB=/tmp/ten.db cargo bench -p runtall --bench sync   # reuse or keep the journal
//! ```
//!
//! `RUNTALL_BENCH_BIN=/path/to/runtall` runs another build's client (with this build's server) for a before and
//! after comparison.

#[allow(dead_code)]
#[path = "../../web/benches/latency/journal.rs"]
mod journal;

use runtall_app::sync;
use runtall_store::{SqliteStore, Store};
use runtall_store_postgres::test_support as pg;
use std::time::{Duration, Instant};

const SEED: u64 = 20_261_206;

fn secs(d: Duration) -> String {
    format!("{:.2} s", d.as_secs_f64())
}

/// CPU seconds (user + system) of this process and of its waited-for children, from `/proc/self/stat` (Linux;
/// zeros elsewhere). On a shared, loaded machine wall time mostly measures waiting for a core: CPU time is what
/// the sync itself costs.
fn cpu() -> (f64, f64) {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    // Fields after the command name (which is in parentheses and may hold spaces): utime is field 14 overall.
    let rest = stat.rsplit_once(')').map_or("", |(_, r)| r);
    let f: Vec<f64> = rest.split_whitespace().map(|v| v.parse().unwrap_or(0.0)).collect();
    let tick = 100.0; // USER_HZ on Linux
    let at = |i: usize| f.get(i).copied().unwrap_or(0.0) / tick;
    (at(11) + at(12), at(13) + at(14))
}

fn load() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .unwrap_or_default()
        .split_whitespace()
        .take(3)
        .collect::<Vec<_>>()
        .join(" ")
}

fn main() {
    let temp = tempfile::tempdir().expect("temp dir");
    let path = std::env::var_os("RUNTALL_BENCH_DB")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| temp.path().join("ten.db"));
    let fresh = !path.exists();
    let local = SqliteStore::open(&path).expect("database");
    if fresh {
        let t = Instant::now();
        let w = journal::generate(&local, 10, SEED).expect("journal");
        println!(
            "generated {} runs ({} samples), {} pain reports, {} screens, {} plans in {:.1} s",
            w.run_ids.len(),
            w.samples,
            w.pain_reports,
            w.screenings,
            w.plans,
            t.elapsed().as_secs_f64()
        );
    }
    // Start from "never synced" even when the journal is reused.
    local.put_setting(sync::SETTING, &serde_json::json!({})).expect("reset the cursor");
    let runs = local.activities(&Default::default()).expect("runs").len();
    println!("journal: {runs} activities in {}", path.display());

    let server_db = temp.path().join("server.db");
    let server = SqliteStore::open(&server_db).expect("server database");

    println!("load average before: {}", load());
    let cpu_before = cpu().0;
    let t = Instant::now();
    let out = sync::outgoing(&local).expect("outgoing");
    let collect = t.elapsed();
    let (mut encode, mut apply, mut bytes) = (Duration::ZERO, Duration::ZERO, 0usize);
    let mut largest = 0usize;
    for (i, batch) in out.batches.iter().enumerate() {
        let t = Instant::now();
        let body = sync::encode_batch(&local, batch, i + 1 == out.batches.len(), &[]).expect("encode");
        encode += t.elapsed();
        bytes += body.len();
        largest = largest.max(body.len());
        let t = Instant::now();
        sync::apply_batch(&server, &body, jiff::Timestamp::now()).expect("apply");
        apply += t.elapsed();
        let t = Instant::now();
        sync::acknowledge(&local, "bench", batch, &[]).expect("ack");
        encode += t.elapsed();
    }
    let total = collect + encode + apply;
    let protocol_cpu = cpu().0 - cpu_before;
    println!(
        "protocol (in process): {} records in {} batches, {:.1} MB sent (largest batch {:.1} MB)",
        out.pending_records(),
        out.batches.len(),
        bytes as f64 / 1e6,
        largest as f64 / 1e6
    );
    println!(
        "  collect {} + encode and acknowledge {} + server applies {} = {} (target < 10 s: {:.2} of it); CPU {:.2} s",
        secs(collect),
        secs(encode),
        secs(apply),
        secs(total),
        total.as_secs_f64() / 10.0,
        protocol_cpu
    );
    let server_runs = server.activities(&Default::default()).expect("runs").len();
    assert_eq!(server_runs, runs, "every run arrived");

    // The pull that ends every sync: after a first sync the server holds what the runner sent, so nothing comes
    // down, but both sides compare every record's fingerprint to find that out.
    let t = Instant::now();
    let request = sync::pull_request(&local).expect("pull request");
    let answer = sync::answer_pull(&server, &request, jiff::Timestamp::now()).expect("pull");
    let pulled = sync::apply_pull(&local, &answer, jiff::Timestamp::now()).expect("apply the pull");
    println!(
        "pull after the first sync: {} records down, {} deleted, {:.0} KB up and {:.0} KB down in {}",
        pulled.records,
        pulled.deleted,
        request.len() as f64 / 1e3,
        answer.len() as f64 / 1e3,
        secs(t.elapsed())
    );
    assert_eq!(pulled.records + pulled.deleted, 0, "the runner's own records do not come back down");

    let t = Instant::now();
    let again = sync::outgoing(&local).expect("outgoing");
    println!(
        "second sync, nothing changed: {} records to send, found in {}",
        again.pending_records(),
        secs(t.elapsed())
    );

    // The same journal through `runtall sync` and the real route.
    local.put_setting(sync::SETTING, &serde_json::json!({})).expect("reset the cursor");
    drop(local);
    let postgres = std::env::args().skip_while(|a| a != "--backend").nth(1).is_some_and(|b| b.starts_with("p"));
    let clinic = if postgres { Clinic::postgres() } else { Clinic::Sqlite(temp.path().join("clinic.db")) };
    let (url, token) = clinic_server(&clinic, temp.path());
    println!("clinic server on {}", clinic.name());
    // RUNTALL_BENCH_BIN runs another build's `runtall` (a copy kept to compare before and after a change).
    let bin = std::env::var_os("RUNTALL_BENCH_BIN").unwrap_or_else(|| env!("CARGO_BIN_EXE_runtall").into());
    println!("load average before: {}", load());
    let (server_before, client_before) = cpu();
    let t = Instant::now();
    let out = std::process::Command::new(&bin)
        .arg("--db")
        .arg(&path)
        .args(["sync", "--server", &url, "--json"])
        .env("RUNTALL_SYNC_TOKEN", &token)
        .output()
        .expect("runtall sync");
    let wall = t.elapsed();
    let (server_after, client_after) = cpu();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let summary: serde_json::Value = serde_json::from_slice(&out.stdout).expect("summary");
    println!(
        "runtall sync over loopback HTTP: {} records, {} batches, {:.1} MB sent in {} (target < 10 s: {:.2} of it)",
        summary["records_sent"],
        summary["batches"],
        summary["bytes_sent"].as_f64().unwrap_or(0.0) / 1e6,
        secs(wall),
        wall.as_secs_f64() / 10.0
    );
    println!(
        "  CPU: client (runtall sync) {:.2} s, server (this process) {:.2} s",
        client_after - client_before,
        server_after - server_before
    );
    let t = Instant::now();
    let idle = std::process::Command::new(&bin)
        .arg("--db")
        .arg(&path)
        .args(["sync", "--json"])
        .env("RUNTALL_SYNC_TOKEN", &token)
        .output()
        .expect("runtall sync");
    assert!(idle.status.success());
    println!("runtall sync again, nothing changed: {}", secs(t.elapsed()));
}

/// The clinic server's database: a SQLite file, or a fresh database on the throwaway PostgreSQL cluster (dropped
/// when this is).
enum Clinic {
    Sqlite(std::path::PathBuf),
    Postgres(Box<pg::TestDatabase>),
}

impl Clinic {
    fn postgres() -> Clinic {
        let Some(server) = pg::server() else {
            pg::skipped("the sync benchmark on PostgreSQL");
            std::process::exit(0);
        };
        Clinic::Postgres(Box::new(server.fresh_database()))
    }

    fn name(&self) -> &'static str {
        match self {
            Clinic::Sqlite(_) => "SQLite",
            Clinic::Postgres(_) => "PostgreSQL (its own processes' CPU is not counted below)",
        }
    }
}

/// The clinic server's router on a random loopback port, with one athlete and a device token: (URL, token).
fn clinic_server(clinic: &Clinic, files: &std::path::Path) -> (String, String) {
    use runtall_store::accounts::{Accounts, Role};
    let (token, hash) = runtall_web::principal::new_secret();
    let add_athlete = |db: &dyn Accounts| {
        let account = db.create_account("alex@example.org", "Alex", Role::Athlete, None).expect("account");
        db.add_device(&hash, account.id, "bench", jiff::Timestamp::now()).expect("device");
    };
    let web = match clinic {
        Clinic::Sqlite(path) => {
            add_athlete(&runtall_store::SqliteDatabase::open(path).expect("clinic db"));
            runtall_web::Db::open_clinic(path).expect("clinic db")
        }
        Clinic::Postgres(database) => {
            add_athlete(&database.connect());
            let pool = runtall_store_postgres::PgDatabase::connect_config(
                database.app.clone(),
                runtall_store_postgres::DEFAULT_POOL_SIZE,
            )
            .expect("connect as the application role");
            runtall_web::Db::shared(Box::new(pool), files)
        }
    };
    let app = runtall_web::router(runtall_web::AppState::new(web, None).expect("state"));
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().expect("runtime");
    let listener = rt.block_on(tokio::net::TcpListener::bind("127.0.0.1:0")).expect("bind");
    let url = format!("http://{}", listener.local_addr().expect("addr"));
    std::thread::spawn(move || rt.block_on(async { axum::serve(listener, app).await }));
    (url, token)
}
