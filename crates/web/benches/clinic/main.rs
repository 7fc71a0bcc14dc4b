//! The clinic server under load: many athletes with a year of records each, clinicians following them, on loopback.
//!
//! ```sh
//! cargo bench -p runtall-web --bench clinic                                       # 1,000 athletes on SQLite
//! cargo bench -p runtall-web --bench clinic -- --backend postgres                 # the same on PostgreSQL
//! cargo bench -p runtall-web --bench clinic -- --athletes 10000 --secs 20         # the issue's full size
//! ```
//!
//! Options: `--backend sqlite|postgres` (sqlite), `--athletes N` (1000), `--clinicians C` (100; each follows
//! N / C athletes), `--secs S` per load level (10), `--clients K` (concurrent clients per level, default the number
//! of clinicians), `--full-samples F` (3: athletes whose runs keep their 1 Hz samples), `--pool P` (PostgreSQL
//! connections, the server's default 8), `--with-laps` (copies keep their runs' laps: about 2.5 times the database),
//! `--only NAME` (only the levels whose name contains NAME, for profiling), `--cold` (no attention worked out ahead:
//! the first dashboards compute every athlete's, as a server does without `attention_warming`), `--statements`
//! (PostgreSQL: each level's statements from `pg_stat_statements`, see `runtall_store_tests::pg_profile`).
//!
//! 1. Seeds a clinic database: accounts, invitations, links and sessions through `Accounts`; the first athlete's
//!    year generated second by second through the `Store` trait (the latency benchmark's generator: runs with 1 Hz
//!    samples, pain reports, day logs, run context, monthly screens, quarterly assessments and plans); every other
//!    athlete a copy of that year made inside the database in bulk (`runtall_store_tests::bulk`: every other run, as summaries
//!    without sample streams, except for the first F athletes). On PostgreSQL the database is a throwaway cluster
//!    started like the store's tests start theirs (`RUNTALL_TEST_DATABASE_URL` names a running server instead).
//! 2. Serves the real router through the real accept loop (`runtall_web::Server`) on 127.0.0.1:0. As
//!    `runtall server` does, works out every followed athlete's attention before the first dashboard
//!    (`runtall_web::attention_warming`, timed and printed) and then keeps it up in the background.
//! 3. Drives it with K keep-alive clients, each signed in as a clinician (or, for the athlete levels, as an
//!    athlete) with a session cookie: each clinician's first dashboard of the day (one request each, nothing
//!    cached), then S seconds each of the dashboard (`/clinic`), one athlete's page (`/clinic/athletes/{id}`), and
//!    an athlete's own Today and `/api/state`.
//! 4. Prints p50/p99/max per page, requests per second, errors, peak memory and the database's size, against the
//!    issue's targets (dashboard p99 < 50 ms, athlete page p99 < 100 ms).
//!
//! The load generator shares the machine's cores with the server (and with PostgreSQL): the figures are an upper
//! bound. The database is deleted at the end.

#[allow(dead_code)]
#[path = "../latency/client.rs"]
mod client;
#[allow(dead_code)]
#[path = "../latency/journal.rs"]
mod journal;

use jiff::{SignedDuration, Timestamp};
use runtall_domain::activity::Samples;
use runtall_store::accounts::{AccountId, Accounts, Role};
use runtall_store::{AthleteId, Database, SqliteDatabase};
use runtall_store_postgres::test_support as pg;
use runtall_store_tests::bulk::{self, Sql};
use runtall_store_tests::pg_profile;
use runtall_web::{AppState, Db, Server, router};
use std::net::SocketAddr;
use std::time::{Duration, Instant};

const SEED: u64 = 19_0019;
const TARGET_DASHBOARD_P99: Duration = Duration::from_millis(50);
const TARGET_ATHLETE_P99: Duration = Duration::from_millis(100);

#[derive(Clone, Copy, PartialEq, Eq)]
enum Backend {
    Sqlite,
    Postgres,
}

struct Config {
    backend: Backend,
    athletes: usize,
    clinicians: usize,
    secs: u64,
    clients: usize,
    full_samples: usize,
    pool: u32,
    /// Only the levels whose name contains this (for profiling one page).
    only: Option<String>,
    /// Copies keep their runs' laps.
    laps: bool,
    /// No attention worked out ahead of the dashboards.
    cold: bool,
    /// PostgreSQL: print each level's statements (`pg_stat_statements`, which the cluster must preload).
    statements: bool,
}

fn config() -> Config {
    let args: Vec<String> = std::env::args().collect();
    let text = |name: &str| args.iter().position(|a| a == name).and_then(|i| args.get(i + 1)).cloned();
    let value = |name: &str| text(name).and_then(|v| v.parse::<usize>().ok());
    let backend = match text("--backend").as_deref() {
        None | Some("sqlite") => Backend::Sqlite,
        Some("postgres" | "postgresql" | "pg") => Backend::Postgres,
        Some(other) => {
            eprintln!("--backend: {other:?} is neither sqlite nor postgres");
            std::process::exit(2);
        }
    };
    let athletes = value("--athletes").unwrap_or(1000).max(1);
    let clinicians = value("--clinicians").unwrap_or(100).clamp(1, athletes);
    Config {
        backend,
        athletes,
        clinicians,
        secs: value("--secs").unwrap_or(10) as u64,
        clients: value("--clients").unwrap_or(clinicians),
        full_samples: value("--full-samples").unwrap_or(3).max(1),
        pool: value("--pool").map(|p| p as u32).unwrap_or(runtall_store_postgres::DEFAULT_POOL_SIZE),
        only: text("--only"),
        laps: args.iter().any(|a| a == "--with-laps"),
        cold: args.iter().any(|a| a == "--cold"),
        statements: args.iter().any(|a| a == "--statements"),
    }
}

/// A session token for account `n` (the benchmark signs people in by writing sessions, not by argon2id).
fn token(kind: &str, n: usize) -> String {
    format!("{kind}{n:060}")
}

struct Seeded {
    /// Per clinician: the athletes they follow.
    follows: Vec<Vec<AthleteId>>,
    runs: i64,
    seconds: f64,
}

/// Accounts, links and sessions through `Accounts`; the first athlete's year through the `Store`. Returns the
/// athletes in order and who follows whom.
fn seed_accounts<D>(db: &D, c: &Config, started: Instant) -> (Vec<AthleteId>, Vec<Vec<AthleteId>>)
where
    D: Database + Accounts,
    D::Store: 'static,
{
    let now = Timestamp::now();
    let later = now + SignedDuration::from_hours(24);
    let phc = "$argon2id$v=19$m=19456,t=2,p=1$YmVuY2htYXJrc2FsdA$YmVuY2htYXJrYmVuY2htYXJrYmVuY2htYXJrYmVuYw";
    let clinicians: Vec<AccountId> = (0..c.clinicians)
        .map(|i| {
            let a = db
                .create_account(
                    &format!("clinician{i}@bench.example"),
                    &format!("Clinician {i}"),
                    Role::Clinician,
                    Some(phc),
                )
                .expect("clinician");
            db.add_session(&runtall_web::principal::hash_secret(&token("c", i)), a.id, now, later).expect("session");
            a.id
        })
        .collect();
    let mut follows = vec![Vec::new(); c.clinicians];
    let mut athletes = Vec::with_capacity(c.athletes);
    let bar = progress_bar(c.athletes as u64, "accounts");
    for i in 0..c.athletes {
        let a = db
            .create_account(&format!("athlete{i}@bench.example"), &format!("Athlete {i:05}"), Role::Athlete, Some(phc))
            .expect("athlete");
        let athlete = a.athlete.expect("athlete id");
        if i == 0 {
            let store = db.athlete(athlete).expect("store");
            journal::generate(&store, 1, SEED).expect("one year");
        }
        db.add_session(&runtall_web::principal::hash_secret(&token("a", i)), a.id, now, later).expect("session");
        let clinician = i % c.clinicians;
        let code = runtall_web::principal::hash_secret(&format!("invite-{i}"));
        db.add_invitation(&code, clinicians[clinician], now, later).expect("invite");
        db.accept_invitation(&code, a.id, now).expect("accept");
        follows[clinician].push(athlete);
        athletes.push(athlete);
        bar.inc(1);
        if (i + 1) % (c.athletes / 10).max(1) == 0 {
            say(&bar, format!("  {} accounts in {:.0} s", i + 1, started.elapsed().as_secs_f64()));
        }
    }
    bar.finish_and_clear();
    (athletes, follows)
}

/// A line above the bar, or on its own when there is no bar (output to a file: indicatif hides it, and its lines).
fn say(bar: &indicatif::ProgressBar, line: String) {
    if bar.is_hidden() {
        println!("{line}");
    } else {
        bar.println(line);
    }
}

fn progress_bar(len: u64, what: &str) -> indicatif::ProgressBar {
    let bar = indicatif::ProgressBar::new(len);
    if let Ok(style) = indicatif::ProgressStyle::with_template("{msg} {wide_bar} {pos}/{len} ({elapsed})") {
        bar.set_style(style);
    }
    bar.set_message(what.to_string());
    bar
}

/// The template athlete's year copied to all others in bulk.
fn seed_copies(sql: &mut dyn bulk::Sql, athletes: &[AthleteId], c: &Config, started: Instant) {
    let bar = progress_bar(athletes.len().saturating_sub(1) as u64, "copies");
    let targets: Vec<i64> = athletes[1..].iter().map(|a| a.get()).collect();
    let empty = runtall_store::codec::encode(&Samples::default());
    let tenth = (targets.len() / 10).max(1);
    let mut said = 0;
    bulk::copy_template(sql, athletes[0].get(), &targets, c.full_samples, c.laps, &empty, |done| {
        bar.set_position(done as u64);
        if done / tenth > said {
            said = done / tenth;
            say(&bar, format!("  {done} copies in {:.0} s", started.elapsed().as_secs_f64()));
        }
    })
    .expect("bulk copy");
    bar.finish_and_clear();
}

/// A database the benchmark seeded and the server opens.
enum SeededDb {
    Sqlite { dir: tempfile::TempDir, path: std::path::PathBuf },
    Postgres { database: Box<pg::TestDatabase> },
}

fn seed(c: &Config) -> (SeededDb, Seeded) {
    let started = Instant::now();
    match c.backend {
        Backend::Sqlite => {
            let dir = tempfile::tempdir().expect("temporary directory");
            let path = dir.path().join("clinic.db");
            let (athletes, follows) = {
                let db = SqliteDatabase::open(&path).expect("clinic database");
                seed_accounts(&db, c, started)
            };
            let mut sql = bulk::Sqlite::open(&path).expect("open for the copies");
            // The whole copy in one transaction (each slice a savepoint).
            sql.execute("BEGIN").expect("begin");
            seed_copies(&mut sql, &athletes, c, started);
            sql.execute("COMMIT").expect("commit");
            let runs = sql.runs().unwrap_or(0);
            let seeded = Seeded { follows, runs, seconds: started.elapsed().as_secs_f64() };
            (SeededDb::Sqlite { dir, path }, seeded)
        }
        Backend::Postgres => {
            let Some(server) = pg::server() else {
                pg::skipped("the clinic benchmark on PostgreSQL");
                std::process::exit(0);
            };
            let database = server.fresh_database();
            let (athletes, follows) = {
                let db = database.connect();
                seed_accounts(&db, c, started)
            };
            let mut sql = bulk::Postgres::connect(&database.owner).expect("connect as the owner");
            seed_copies(&mut sql, &athletes, c, started);
            let runs = sql.runs().unwrap_or(0);
            let seeded = Seeded { follows, runs, seconds: started.elapsed().as_secs_f64() };
            (SeededDb::Postgres { database: Box::new(database) }, seeded)
        }
    }
}

/// The database's size in MB, and its largest tables.
fn size(db: &SeededDb) -> (f64, String) {
    let words = |tables: Result<Vec<(String, i64)>, String>| match tables {
        Ok(t) => t.iter().map(|(n, b)| format!("{n} {:.0} MB", *b as f64 / 1e6)).collect::<Vec<_>>().join(", "),
        Err(e) => format!("(per table: {e})"),
    };
    match db {
        SeededDb::Sqlite { dir, path } => {
            let tables = bulk::Sqlite::open(path).and_then(|mut s| s.largest_tables());
            (dir_mb(dir.path()), words(tables))
        }
        SeededDb::Postgres { database } => match bulk::Postgres::connect(&database.owner) {
            Ok(mut s) => {
                let total = s.database_bytes().unwrap_or(0) as f64 / 1e6;
                (total, words(s.largest_tables()))
            }
            Err(e) => (f64::NAN, e),
        },
    }
}

/// Timings of one page.
#[derive(Default)]
struct Timings {
    micros: Vec<u32>,
    errors: usize,
    first_error: Option<String>,
    /// CPU time this process (server and load generator) spent during the level.
    cpu: Duration,
    /// CPU time PostgreSQL's processes spent during the level (PostgreSQL runs on this machine only).
    db_cpu: Option<Duration>,
}

/// CPU time this process has used so far (user and system), from `/proc/self/stat` (in USER_HZ, 100 a second).
fn process_cpu() -> Duration {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    // The fields after the command name (which is in parentheses and may hold spaces): utime and stime are the
    // 12th and 13th of them.
    let rest = stat.rsplit_once(')').map(|(_, r)| r).unwrap_or("");
    let field = |i: usize| rest.split_whitespace().nth(i).and_then(|v| v.parse::<u64>().ok()).unwrap_or(0);
    Duration::from_millis((field(11) + field(12)) * 10)
}

/// K clients for `secs` seconds (or, with `secs` 0, one request each), client `k` signed in with `cookie(k)` and
/// asking `path(k, n)` for its n-th request.
async fn level(
    addr: SocketAddr,
    cluster: Option<&pg_profile::Cluster>,
    clients: usize,
    secs: u64,
    cookie: impl Fn(usize) -> String,
    path: impl Fn(usize, usize) -> String,
) -> Timings {
    let deadline = Instant::now() + Duration::from_secs(secs);
    let cpu_before = process_cpu();
    let db_cpu_before = cluster.map(|c| c.cpu());
    let mut tasks = Vec::new();
    for k in 0..clients {
        let cookie = cookie(k);
        let paths: Vec<String> = (0..64).map(|n| path(k, n)).collect();
        tasks.push(tokio::spawn(async move {
            let mut t = Timings::default();
            let Ok(mut conn) = client::Connection::open(addr).await else {
                t.errors += 1;
                return t;
            };
            conn.cookie = Some(cookie.clone());
            let mut n = 0;
            while Instant::now() < deadline || (secs == 0 && n == 0) {
                let p = &paths[n % paths.len()];
                n += 1;
                let start = Instant::now();
                match conn.get(p).await {
                    Ok(r) if r.status == 200 => t.micros.push(start.elapsed().as_micros().min(u32::MAX as u128) as u32),
                    Ok(r) => {
                        t.errors += 1;
                        t.first_error.get_or_insert(format!("{p} → {}", r.status));
                    }
                    Err(e) => {
                        t.errors += 1;
                        t.first_error.get_or_insert(format!("{p}: {e}"));
                        match client::Connection::open(addr).await {
                            Ok(c) => conn = c,
                            Err(_) => break,
                        }
                        conn.cookie = Some(cookie.clone());
                    }
                }
            }
            t
        }));
    }
    let mut all = Timings::default();
    for task in tasks {
        if let Ok(t) = task.await {
            all.micros.extend(t.micros);
            all.errors += t.errors;
            if all.first_error.is_none() {
                all.first_error = t.first_error;
            }
        }
    }
    all.cpu = process_cpu().saturating_sub(cpu_before);
    all.db_cpu = cluster.zip(db_cpu_before).map(|(c, before)| c.cpu().saturating_sub(before));
    all.micros.sort_unstable();
    all
}

fn pct(sorted: &[u32], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    Duration::from_micros(u64::from(sorted[rank.clamp(1, sorted.len()) - 1]))
}

fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1e3)
}

/// Prints one level; whether its p99 met `target`.
fn report(name: &str, clients: usize, secs: u64, t: &Timings, target: Option<Duration>) -> bool {
    let p99 = pct(&t.micros, 99.0);
    let verdict = match target {
        Some(target) if p99 < target && t.errors == 0 => format!(" (target < {}: PASS)", ms(target)),
        Some(target) => format!(" (target < {}: MISS)", ms(target)),
        None => String::new(),
    };
    println!(
        "{name:<34} {clients:>4} clients: {:>7} requests, {:>7.0}/s, p50 {:>9}, p99 {:>9}, max {:>9}, errors {}{verdict}",
        t.micros.len(),
        t.micros.len() as f64 / secs as f64,
        ms(pct(&t.micros, 50.0)),
        ms(p99),
        ms(pct(&t.micros, 100.0)),
        t.errors
    );
    if !t.micros.is_empty() {
        println!(
            "    CPU of this process (server and load generator): {:.2} ms a request",
            t.cpu.as_secs_f64() * 1e3 / t.micros.len() as f64
        );
        if let Some(db) = t.db_cpu {
            println!(
                "    CPU of PostgreSQL's processes: {:.2} ms a request",
                db.as_secs_f64() * 1e3 / t.micros.len() as f64
            );
        }
    }
    if let Some(e) = &t.first_error {
        println!("    first error: {e}");
    }
    target.is_none_or(|target| p99 < target && t.errors == 0)
}

fn proc_status_mb(field: &str) -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with(field) && l[field.len()..].starts_with(':'))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024.0)
}

fn dir_mb(dir: &std::path::Path) -> f64 {
    std::fs::read_dir(dir)
        .map(|entries| entries.flatten().filter_map(|e| e.metadata().ok()).map(|m| m.len()).sum::<u64>())
        .unwrap_or(0) as f64
        / 1e6
}

fn main() {
    let c = config();
    println!(
        "runtall clinic benchmark on {}: {} athletes with a year each, {} clinicians ({} athletes each), {} clients, \
         {} s per level",
        match c.backend {
            Backend::Sqlite => "SQLite",
            Backend::Postgres => "PostgreSQL",
        },
        c.athletes,
        c.clinicians,
        c.athletes.div_ceil(c.clinicians),
        c.clients,
        c.secs
    );
    let (database, seeded) = seed(&c);
    let (mb, tables) = size(&database);
    println!(
        "seeded in {:.1} s: {} runs ({} athletes with 1 Hz samples), database {mb:.0} MB; largest: {tables}",
        seeded.seconds,
        seeded.runs,
        c.full_samples.min(c.athletes),
    );

    let cluster = match &database {
        SeededDb::Postgres { database } => pg_profile::Cluster::find(&database.owner),
        SeededDb::Sqlite { .. } => None,
    };
    let mut statements = match &database {
        SeededDb::Postgres { database } if c.statements => match pg_profile::Statements::open(&database.owner) {
            Ok(s) => Some(s),
            Err(e) => {
                eprintln!(
                    "--statements: {e} (start the cluster with RUNTALL_TEST_PG_OPTIONS, see runtall_store_tests::pg_profile)"
                );
                None
            }
        },
        _ => None,
    };
    let cluster = cluster.as_ref();
    let reset = std::fs::write("/proc/self/clear_refs", "5").is_ok();
    let db = match &database {
        SeededDb::Sqlite { path, .. } => Db::open_clinic(path).expect("server database"),
        SeededDb::Postgres { database } => {
            let pool = runtall_store_postgres::PgDatabase::connect_config(database.app.clone(), c.pool)
                .expect("connect as the application role");
            let files = std::env::temp_dir();
            Db::shared(Box::new(pool), &files)
        }
    };
    let server =
        tokio::runtime::Builder::new_multi_thread().enable_all().thread_name("server").build().expect("runtime");
    // Kept here so that the last handle on the PostgreSQL pool is dropped on this thread, off the runtimes.
    let keep = db.clone();
    let state = AppState::new(db, None).expect("state");
    let listener = server.block_on(tokio::net::TcpListener::bind("127.0.0.1:0")).expect("bind");
    let addr = listener.local_addr().expect("address");
    // Every client of this benchmark comes from 127.0.0.1, where the default cap of 64 connections per client
    // address (a defence against one greedy client) would close the rest: raise it, and the total, for the load.
    let limits = runtall_web::Limits {
        per_client: 4 * c.clients + 16,
        max_connections: 4 * c.clients + 64,
        ..Default::default()
    };
    let mut warming = None;
    if !c.cold {
        // What `runtall server` does as it starts, here timed before the load begins; then the background passes.
        let warmed = runtall_web::attention_warming::warm_once(&state).expect("warm");
        println!(
            "attention worked out ahead: {} links, {} computed, {} athlete pages gathered, {} failed, in {:.1} s",
            warmed.links,
            warmed.computed,
            warmed.pages,
            warmed.failed,
            warmed.elapsed.as_secs_f64()
        );
        let _entered = server.enter();
        warming = Some(runtall_web::attention_warming::spawn(state.clone(), runtall_web::attention_warming::EVERY));
    }
    server.spawn(Server::new(router(state)).limits(limits).run(listener, std::future::pending()));
    let load = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("load runtime");

    let clinician_cookie = |k: usize| format!("runtall_session=a.{}", token("c", k % c.clinicians));
    let athlete_cookie = |k: usize| format!("runtall_session=a.{}", token("a", k % c.athletes));
    let follows = &seeded.follows;
    let athlete_page = |k: usize, n: usize| {
        let theirs = &follows[k % follows.len()];
        format!("/clinic/athletes/{}", theirs[n % theirs.len()])
    };

    let wanted = |name: &str| c.only.as_deref().is_none_or(|o| name.contains(o));
    let mut ok = true;
    // Each clinician's first look today, written to the audit log; with `--cold`, nothing derived is kept yet.
    let t = load.block_on(level(addr, cluster, c.clinicians, 0, clinician_cookie, |_, _| "/clinic".to_string()));
    report("first dashboard (each clinician once)", c.clinicians, 1, &t, None);
    // Warm-up, not recorded.
    load.block_on(level(addr, cluster, 8, 2, clinician_cookie, |_, _| "/clinic".to_string()));

    // Each level: its name, its clients' cookies and paths, its target.
    type Paths<'a> = Box<dyn Fn(usize, usize) -> String + 'a>;
    type Level<'a> = (&'a str, &'a dyn Fn(usize) -> String, Paths<'a>, Option<Duration>);
    let levels: [Level<'_>; 4] = [
        (
            "dashboard /clinic (clinicians)",
            &clinician_cookie,
            Box::new(|_, _| "/clinic".to_string()),
            Some(TARGET_DASHBOARD_P99),
        ),
        ("athlete page (clinicians)", &clinician_cookie, Box::new(athlete_page), Some(TARGET_ATHLETE_P99)),
        ("Today (athletes, their own)", &athlete_cookie, Box::new(|_, _| "/today".to_string()), None),
        ("/api/state (athletes, their own)", &athlete_cookie, Box::new(|_, _| "/api/state".to_string()), None),
    ];
    for (name, cookie, path, target) in levels {
        if !wanted(name) {
            continue;
        }
        if let Some(s) = statements.as_mut() {
            s.reset();
        }
        let t = load.block_on(level(addr, cluster, c.clients, c.secs, cookie, path));
        ok &= report(name, c.clients, c.secs, &t, target);
        if let Some(s) = statements.as_mut() {
            s.print(t.micros.len() + t.errors);
        }
    }

    let hwm = proc_status_mb("VmHWM").unwrap_or(f64::NAN);
    if let Some(warming) = warming {
        warming.abort();
    }
    server.shutdown_timeout(Duration::from_secs(2));
    println!(
        "memory: peak RSS while serving {hwm:.0} MB ({}; server and load generator in one process{})",
        if reset { "VmHWM reset after seeding" } else { "includes seeding: clear_refs refused" },
        if c.backend == Backend::Postgres { ", PostgreSQL's own processes not counted" } else { "" }
    );
    println!("load average: {}", std::fs::read_to_string("/proc/loadavg").unwrap_or_default().trim());
    println!("{}", if ok { "all targets met" } else { "a target was missed" });
    drop(load);
    drop(keep);
    drop(database);
}
