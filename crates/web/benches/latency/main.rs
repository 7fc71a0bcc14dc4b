//! Latency of the web app over a ten-year journal, under concurrent load on loopback.
//!
//! ```sh
//! cargo bench -p runtall-web --bench latency
//! RUNTALL_BENCH_YEARS=2 RUNTALL_BENCH_SECS=5 RUNTALL_BENCH_CLIENTS=8 cargo bench -p runtall-web --bench latency
//! ```
//!
//! Settings (environment): `RUNTALL_BENCH_YEARS` (10), `RUNTALL_BENCH_SECS` per load level (10),
//! `RUNTALL_BENCH_CLIENTS` (`1,8,32`), `RUNTALL_BENCH_ROUTES` (only the routes containing one of these
//! comma-separated strings, and none containing one prefixed with `-`: `runs`, `-insights`), `RUNTALL_BENCH_DB`
//! (keep the journal at this path).
//!
//! 1. Generates a ten-year journal (~3,000 runs with 1 Hz sample streams, pain reports, day logs, run context, a
//!    decade of safety checks, assessments and plans) into a fresh SQLite file through the `Store` trait.
//! 2. Serves the real router (`runtall_web::router`) through the real accept loop (`runtall_web::Server`, with its
//!    timeouts, connection caps and `Host` check) on 127.0.0.1:0 on its own multi-threaded tokio runtime, and
//!    drives it from a single-threaded runtime with N keep-alive HTTP/1.1 clients (each with its session cookie,
//!    like a browser), each picking a random route from [`ROUTES`] (and a random run for run pages) for a fixed
//!    time. A response with another status than the route expects counts as an error.
//! 3. Prints p50/p90/p99/max per route and overall (exact: sorted vectors, nearest rank), requests per second,
//!    errors, and peak memory, against the targets (p99 < 20 ms, memory < 100 MB).
//!
//! The load generator shares the machine's cores with the server, so the figures are an upper bound of what a
//! browser would see; the load average is printed with them.

mod client;
mod journal;

use runtall_store::{SqliteStore, Store};
use runtall_web::{AppState, Db, Server, router};
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// A page or API call under load: its path (`{run}` becomes a random run id) and the status it must answer with.
struct Route {
    path: &'static str,
    expect: u16,
}

const fn page(path: &'static str) -> Route {
    Route { path, expect: 200 }
}

/// Every GET the benchmark exercises. Append new pages here (`/insights`, `/api/insights`, `/experiments`,
/// `/import`, ... as they land in `routes/mod.rs`).
const ROUTES: &[Route] = &[
    // `/` sends the runner to the next step of the program: with a plan, Today.
    Route { path: "/", expect: 303 },
    page("/today"),
    page("/plan"),
    page("/runs"),
    page("/runs/{run}"),
    page("/runs/{run}/chart.svg"),
    // The journal pages: the pain log (body map and the last 30 days) and the day's context.
    page("/pain"),
    page("/day"),
    page("/library"),
    page("/learn"),
    page("/api/state"),
    page("/api/plan"),
    page("/api/runs"),
    page("/api/runs/{run}"),
    page("/api/pain"),
    page("/api/day"),
    page("/api/exercises"),
    // Insights, experiments and import, added to the app while this benchmark was written.
    page("/insights"),
    page("/api/insights"),
    page("/experiments"),
    page("/api/experiments"),
    page("/import"),
];

/// Targets from the issue.
const TARGET_P99: Duration = Duration::from_millis(20);
const TARGET_MEMORY_MB: f64 = 100.0;
const SEED: u64 = 20_161_122;

struct Config {
    years: i64,
    secs: u64,
    clients: Vec<usize>,
    /// Indexes into [`ROUTES`] under load.
    routes: Vec<usize>,
}

fn env_or<T: std::str::FromStr>(name: &str, default: T) -> T {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

impl Config {
    fn from_env() -> Config {
        let clients = std::env::var("RUNTALL_BENCH_CLIENTS")
            .ok()
            .map(|v| v.split(',').filter_map(|c| c.trim().parse().ok()).collect::<Vec<usize>>())
            .filter(|v| !v.is_empty())
            .unwrap_or_else(|| vec![1, 8, 32]);
        let only = std::env::var("RUNTALL_BENCH_ROUTES").unwrap_or_default();
        let words: Vec<&str> = only.split(',').map(str::trim).filter(|w| !w.is_empty()).collect();
        let (unwanted, wanted): (Vec<&str>, Vec<&str>) = words.iter().partition(|w| w.starts_with('-'));
        let routes = (0..ROUTES.len())
            .filter(|&i| wanted.is_empty() || wanted.iter().any(|w| ROUTES[i].path.contains(w)))
            .filter(|&i| !unwanted.iter().any(|w| ROUTES[i].path.contains(&w[1..])))
            .collect::<Vec<_>>();
        assert!(!routes.is_empty(), "RUNTALL_BENCH_ROUTES={only} matches no route");
        Config { years: env_or("RUNTALL_BENCH_YEARS", 10), secs: env_or("RUNTALL_BENCH_SECS", 10), clients, routes }
    }
}

/// One timed request.
#[derive(Clone, Copy)]
struct Sample {
    route: u16,
    micros: u32,
    ok: bool,
}

/// What one client saw.
#[derive(Default)]
struct ClientResult {
    samples: Vec<Sample>,
    /// A few failures in words, for the report.
    failures: Vec<String>,
}

fn main() {
    // `cargo bench` passes `--bench`; any other argument is a filter we do not support, so say what runs.
    let config = Config::from_env();
    let dir = tempfile::tempdir().expect("temporary directory for the journal");
    // RUNTALL_BENCH_DB keeps the generated journal at that path (for `sqlite3`, or `runtall --db` on it).
    let path = match std::env::var_os("RUNTALL_BENCH_DB") {
        Some(p) => {
            let p = std::path::PathBuf::from(p);
            assert!(!p.exists(), "RUNTALL_BENCH_DB {} exists; the journal goes into a fresh file", p.display());
            p
        }
        None => dir.path().join("journal.db"),
    };

    println!("runtall web latency benchmark: {} years of journal, {} s per load level", config.years, config.secs);
    let started = Instant::now();
    let written = {
        let store = SqliteStore::open(&path).expect("fresh database opens");
        journal::generate(&store, config.years, SEED).expect("journal generation")
    };
    let generation = started.elapsed();
    let db_mb = file_mb(&path);
    println!(
        "generated in {:.1} s: {} runs ({:.1} M samples), {} pain reports, {} day logs, {} run contexts, \
         {} safety checks, {} assessments, {} plans; database {:.0} MB",
        generation.as_secs_f64(),
        written.run_ids.len(),
        written.samples as f64 / 1e6,
        written.pain_reports,
        written.day_logs,
        written.run_contexts,
        written.screenings,
        written.assessments,
        written.plans,
        db_mb
    );

    // Measure memory from here: the generator's peak is not the server's.
    let reset = std::fs::write("/proc/self/clear_refs", "5").is_ok();
    let rss_before = proc_status_mb("VmRSS");

    let server =
        tokio::runtime::Builder::new_multi_thread().enable_all().thread_name("server").build().expect("server runtime");
    let state = AppState::new(Db::open(&path).expect("web database opens"), None).expect("app state");
    let listener = server.block_on(tokio::net::TcpListener::bind("127.0.0.1:0")).expect("bind loopback");
    let addr = listener.local_addr().expect("bound address");
    server.spawn(Server::new(router(state)).run(listener, std::future::pending()));

    let load = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("load runtime");
    let run_ids = Arc::new(written.run_ids.clone());
    let routes = Arc::new(config.routes.clone());
    // Warm up (connections, the connection pool, caches), not recorded.
    load.block_on(run_level(addr, 8, Duration::from_secs(2), &run_ids, &routes, 0));
    let mut all_ok = true;
    for (level, &clients) in config.clients.iter().enumerate() {
        let elapsed = Duration::from_secs(config.secs);
        let results = load.block_on(run_level(addr, clients, elapsed, &run_ids, &routes, level as u64 + 1));
        all_ok &= report(clients, elapsed, &results);
    }
    let hwm = proc_status_mb("VmHWM");
    server.shutdown_timeout(Duration::from_secs(2));

    let store = SqliteStore::open(&path).expect("database reopens");
    let plans_after = store.plans().map(|p| p.len()).unwrap_or(0);
    let memory_ok = hwm.is_some_and(|m| m < TARGET_MEMORY_MB);
    println!();
    match (hwm, rss_before) {
        (Some(hwm), Some(before)) => println!(
            "memory: peak RSS while serving {hwm:.1} MB (VmHWM{}; server and load generator in one process — the \
             generator keeps a 32 KB buffer per connection and its timings, under 2 MB for {} clients), RSS before \
             the server started {before:.1} MB → {} (target < {TARGET_MEMORY_MB:.0} MB)",
            if reset { ", reset after generation" } else { ", includes generation: clear_refs refused" },
            config.clients.iter().max().copied().unwrap_or(0),
            if memory_ok { "PASS" } else { "MISS" },
        ),
        _ => println!("memory: /proc/self/status not readable on this system"),
    }
    if plans_after != written.plans {
        println!(
            "note: {} plan(s) were stored while serving (a page found the plan changed)",
            plans_after - written.plans
        );
    }
    println!("load average: {}", load_average());
    println!("overall: {}", if all_ok && memory_ok { "PASS" } else { "MISS" });
}

/// Runs `clients` clients for `duration` and returns what each saw.
async fn run_level(
    addr: SocketAddr,
    clients: usize,
    duration: Duration,
    run_ids: &Arc<Vec<i64>>,
    routes: &Arc<Vec<usize>>,
    level: u64,
) -> Vec<ClientResult> {
    let deadline = Instant::now() + duration;
    let tasks: Vec<_> = (0..clients)
        .map(|c| {
            let (run_ids, routes) = (Arc::clone(run_ids), Arc::clone(routes));
            tokio::spawn(client_loop(addr, deadline, run_ids, routes, SEED ^ (level << 32) ^ c as u64))
        })
        .collect();
    let mut out = Vec::with_capacity(clients);
    for t in tasks {
        out.push(t.await.unwrap_or_else(|e| ClientResult { samples: vec![], failures: vec![format!("client: {e}")] }));
    }
    out
}

/// One browser-like client: takes a session cookie, then requests random routes back to back until the deadline.
async fn client_loop(
    addr: SocketAddr,
    deadline: Instant,
    run_ids: Arc<Vec<i64>>,
    routes: Arc<Vec<usize>>,
    seed: u64,
) -> ClientResult {
    let mut rng = journal::SplitMix64::new(seed);
    let mut result = ClientResult { samples: Vec::with_capacity(4096), failures: vec![] };
    let mut conn = None;
    let mut cookie = None;
    while Instant::now() < deadline {
        let c = match conn.as_mut() {
            Some(c) => c,
            None => match client::Connection::open(addr).await {
                Ok(mut c) => {
                    c.cookie = cookie.clone();
                    if c.cookie.is_none() {
                        let _ = c.get("/api/session").await;
                        cookie = c.cookie.clone();
                    }
                    conn.insert(c)
                }
                Err(e) => {
                    result.failures.push(format!("connect: {e}"));
                    tokio::time::sleep(Duration::from_millis(10)).await;
                    continue;
                }
            },
        };
        let r = routes[rng.index(routes.len())];
        let route = &ROUTES[r];
        let path = if route.path.contains("{run}") {
            let id = run_ids.get(rng.index(run_ids.len().max(1))).copied().unwrap_or(1);
            route.path.replace("{run}", &id.to_string())
        } else {
            route.path.to_string()
        };
        let t0 = Instant::now();
        let reply = c.get(&path).await;
        let micros = t0.elapsed().as_micros().min(u128::from(u32::MAX)) as u32;
        let ok = match reply {
            Ok(reply) if reply.status == route.expect => true,
            Ok(reply) => {
                if result.failures.len() < 5 {
                    result.failures.push(format!("{path} → {} ({} bytes)", reply.status, reply.body_len));
                }
                false
            }
            Err(e) => {
                if result.failures.len() < 5 {
                    result.failures.push(format!("{path} → {e}"));
                }
                conn = None;
                false
            }
        };
        result.samples.push(Sample { route: r as u16, micros, ok });
    }
    result
}

/// Latency percentiles of one set of requests (exact: nearest rank over the sorted values).
struct Stats {
    n: usize,
    errors: usize,
    p50: u32,
    p90: u32,
    p99: u32,
    max: u32,
}

impl Stats {
    fn of(samples: &[Sample]) -> Stats {
        let mut v: Vec<u32> = samples.iter().map(|s| s.micros).collect();
        v.sort_unstable();
        let rank = |p: f64| -> u32 {
            if v.is_empty() {
                return 0;
            }
            let i = ((p * v.len() as f64).ceil() as usize).clamp(1, v.len()) - 1;
            v[i]
        };
        Stats {
            n: v.len(),
            errors: samples.iter().filter(|s| !s.ok).count(),
            p50: rank(0.50),
            p90: rank(0.90),
            p99: rank(0.99),
            max: v.last().copied().unwrap_or(0),
        }
    }
}

fn ms(micros: u32) -> String {
    format!("{:.2}", f64::from(micros) / 1000.0)
}

/// Prints one load level; true when its overall p99 meets the target and nothing failed.
fn report(clients: usize, elapsed: Duration, results: &[ClientResult]) -> bool {
    let all: Vec<Sample> = results.iter().flat_map(|r| r.samples.iter().copied()).collect();
    println!();
    println!("── {clients} concurrent client(s), {} s ──", elapsed.as_secs());
    println!(
        "{:<24} {:>7} {:>8} {:>8} {:>8} {:>8} {:>6}",
        "route", "n", "p50 ms", "p90 ms", "p99 ms", "max ms", "errors"
    );
    let target_us = TARGET_P99.as_micros() as u32;
    for (i, route) in ROUTES.iter().enumerate() {
        let mine: Vec<Sample> = all.iter().copied().filter(|s| usize::from(s.route) == i).collect();
        let s = Stats::of(&mine);
        if s.n == 0 {
            continue;
        }
        println!(
            "{:<24} {:>7} {:>8} {:>8} {:>8} {:>8} {:>6}{}",
            route.path,
            s.n,
            ms(s.p50),
            ms(s.p90),
            ms(s.p99),
            ms(s.max),
            s.errors,
            if s.p99 >= target_us { "  ← p99 over target" } else { "" }
        );
    }
    let s = Stats::of(&all);
    let rps = s.n as f64 / elapsed.as_secs_f64();
    let pass = s.p99 < target_us && s.errors == 0;
    println!(
        "{:<24} {:>7} {:>8} {:>8} {:>8} {:>8} {:>6}",
        "all",
        s.n,
        ms(s.p50),
        ms(s.p90),
        ms(s.p99),
        ms(s.max),
        s.errors
    );
    println!(
        "{rps:.0} requests/s; p99 {} ms vs target < {} ms → {}",
        ms(s.p99),
        TARGET_P99.as_millis(),
        if pass { "PASS" } else { "MISS" }
    );
    for f in results.iter().flat_map(|r| &r.failures).take(5) {
        println!("  failure: {f}");
    }
    pass
}

/// A field of /proc/self/status in MB (the kernel reports kB).
fn proc_status_mb(field: &str) -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with(field) && l[field.len()..].starts_with(':'))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024.0)
}

fn file_mb(path: &std::path::Path) -> f64 {
    let wal = path.with_extension("db-wal");
    let size = |p: &std::path::Path| std::fs::metadata(p).map(|m| m.len()).unwrap_or(0);
    (size(path) + size(&wal)) as f64 / 1_048_576.0
}

fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|l| l.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "unknown".into())
}
