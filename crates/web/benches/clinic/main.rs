//! The clinic server under load: many athletes with a year of records each, clinicians following them, on loopback.
//!
//! ```sh
//! cargo bench -p runtall-web --bench clinic                                   # 300 athletes, 100 clinicians
//! cargo bench -p runtall-web --bench clinic -- --athletes 10000 --secs 20     # the issue's full size
//! ```
//!
//! Options: `--athletes N` (300), `--clinicians C` (100; each follows N / C athletes), `--secs S` per load level
//! (10), `--clients K` (concurrent clients per level, default the number of clinicians).
//!
//! 1. Seeds a SQLite clinic database: one athlete's year is generated second by second (the latency benchmark's
//!    generator: runs with 1 Hz samples, pain reports, day logs, run context, monthly screens, quarterly
//!    assessments, plans); every other athlete gets a copy of that year through the `Store` trait (one journal
//!    import per athlete) with the runs' sample streams left out — their summaries, laps and labels kept — so that
//!    10,000 athletes fit on a small disk. Accounts, links and sessions go through `Accounts`.
//! 2. Serves the real router through the real accept loop (`runtall_web::Server`) on 127.0.0.1:0.
//! 3. Drives it with K keep-alive clients, each signed in as a clinician (or, for the athlete level, as an athlete)
//!    with a session cookie, for S seconds per level: the dashboard (`/clinic`), one athlete's page
//!    (`/clinic/athletes/{id}`, when this build has it), and an athlete's own Today and `/api/state`.
//! 4. Prints p50/p99/max per page, requests per second, errors, peak memory and the database's size, against the
//!    issue's targets (dashboard p99 < 50 ms, athlete page p99 < 100 ms).
//!
//! The load generator shares the machine's cores with the server: the figures are an upper bound.

#[allow(dead_code)]
#[path = "../latency/client.rs"]
mod client;
#[allow(dead_code)]
#[path = "../latency/journal.rs"]
mod journal;

use jiff::{SignedDuration, Timestamp};
use runtall_domain::activity::Samples;
use runtall_store::accounts::{AccountId, Accounts, Role};
use runtall_store::{ActivityFilter, AthleteId, Database, JournalEntry, SqliteDatabase, Store};
use runtall_web::{AppState, Db, Server, router};
use std::collections::HashMap;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

const SEED: u64 = 19_0019;
const TARGET_DASHBOARD_P99: Duration = Duration::from_millis(50);
const TARGET_ATHLETE_P99: Duration = Duration::from_millis(100);

struct Config {
    athletes: usize,
    clinicians: usize,
    secs: u64,
    clients: usize,
}

fn config() -> Config {
    let args: Vec<String> = std::env::args().collect();
    let value =
        |name: &str| args.iter().position(|a| a == name).and_then(|i| args.get(i + 1)).and_then(|v| v.parse().ok());
    let athletes = value("--athletes").unwrap_or(300).max(1);
    let clinicians = value("--clinicians").unwrap_or(100).clamp(1, athletes);
    Config {
        athletes,
        clinicians,
        secs: value("--secs").unwrap_or(10) as u64,
        clients: value("--clients").unwrap_or(clinicians),
    }
}

/// A session token for account `n` (the benchmark signs people in by writing sessions, not by argon2id).
fn token(kind: &str, n: usize) -> String {
    format!("{kind}{n:060}")
}

/// What one athlete's copied year holds, for the copies.
struct Template {
    runs: Vec<runtall_store::StoredActivity>,
    contexts: HashMap<i64, runtall_domain::journal::RunContext>,
    pain: Vec<runtall_domain::journal::PainReport>,
    days: Vec<runtall_domain::journal::DayLog>,
    screenings: Vec<runtall_domain::screen::ScreeningRecord>,
    assessments: Vec<runtall_domain::assess::AssessmentRecord>,
    profile: Option<runtall_domain::profile::Profile>,
}

fn template(store: &dyn Store) -> Template {
    let rows = store.activities(&ActivityFilter::default()).expect("runs");
    let runs = rows.iter().rev().map(|r| store.activity(r.id).expect("run").expect("stored")).collect();
    Template {
        runs,
        contexts: store.run_contexts().expect("contexts").into_iter().map(|c| (c.run_id, c)).collect(),
        pain: store.pain_reports(Timestamp::MIN, Timestamp::MAX).expect("pain"),
        days: store.day_logs(jiff::civil::Date::MIN, jiff::civil::Date::MAX).expect("days"),
        screenings: store.screenings().expect("screens"),
        assessments: store.assessments().expect("assessments"),
        profile: store.profile().expect("profile"),
    }
}

/// The template's year into another athlete's store, the runs without their sample streams.
fn copy(t: &Template, store: &dyn Store) {
    let keys: HashMap<i64, String> = t.runs.iter().map(|r| (r.id, r.activity.source.content_hash.clone())).collect();
    let runs = t.runs.iter().map(|r| {
        let mut activity = r.activity.clone();
        activity.samples = Samples::default();
        Ok(JournalEntry::Run {
            activity: Box::new(activity),
            classification: r.classification.clone(),
            context: t.contexts.get(&r.id).cloned(),
            samples_blob: None,
        })
    });
    let pain = t.pain.iter().map(|p| {
        let run_key = p.run_id.and_then(|id| keys.get(&id).cloned());
        Ok(JournalEntry::Pain { report: p.clone(), run_key })
    });
    let days = t.days.iter().map(|d| Ok(JournalEntry::Day(d.clone())));
    let mut entries = runs.chain(pain).chain(days);
    store.import_journal_entries(&mut entries).expect("copy of the year");
    for s in &t.screenings {
        store.add_screening(&runtall_domain::screen::ScreeningRecord { id: None, ..s.clone() }).expect("screen");
    }
    for a in &t.assessments {
        store.add_assessment(&runtall_domain::assess::AssessmentRecord { id: None, ..a.clone() }).expect("assessment");
    }
    if let Some(p) = &t.profile {
        store.save_profile(p).expect("profile");
    }
}

struct Seeded {
    /// Per clinician: the athletes they follow.
    follows: Vec<Vec<AthleteId>>,
    runs_per_athlete: usize,
    seconds: f64,
}

fn seed(db: &SqliteDatabase, c: &Config) -> Seeded {
    let started = Instant::now();
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
    let mut tpl: Option<Template> = None;
    let mut runs_per_athlete = 0;
    for i in 0..c.athletes {
        let a = db
            .create_account(&format!("athlete{i}@bench.example"), &format!("Athlete {i:05}"), Role::Athlete, Some(phc))
            .expect("athlete");
        let athlete = a.athlete.expect("athlete id");
        let store = db.athlete(athlete).expect("store");
        match &tpl {
            None => {
                let written = journal::generate(&store, 1, SEED).expect("one year");
                runs_per_athlete = written.run_ids.len();
                tpl = Some(template(&store));
            }
            Some(t) => copy(t, &store),
        }
        db.add_session(&runtall_web::principal::hash_secret(&token("a", i)), a.id, now, later).expect("session");
        let clinician = i % c.clinicians;
        let code = runtall_web::principal::hash_secret(&format!("invite-{i}"));
        db.add_invitation(&code, clinicians[clinician], now, later).expect("invite");
        db.accept_invitation(&code, a.id, now).expect("accept");
        follows[clinician].push(athlete);
        if (i + 1) % 500 == 0 {
            println!("  seeded {} athletes in {:.0} s", i + 1, started.elapsed().as_secs_f64());
        }
    }
    Seeded { follows, runs_per_athlete, seconds: started.elapsed().as_secs_f64() }
}

/// Timings of one page.
#[derive(Default)]
struct Timings {
    micros: Vec<u32>,
    errors: usize,
    first_error: Option<String>,
}

/// K clients for `secs` seconds, client `k` signed in with `cookie(k)` and asking `path(k, n)` for its n-th request.
async fn level(
    addr: SocketAddr,
    clients: usize,
    secs: u64,
    cookie: impl Fn(usize) -> String,
    path: impl Fn(usize, usize) -> String,
) -> Timings {
    let deadline = Instant::now() + Duration::from_secs(secs);
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
            while Instant::now() < deadline {
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
        "runtall clinic benchmark: {} athletes with a year each, {} clinicians ({} athletes each), {} clients, {} s per level",
        c.athletes,
        c.clinicians,
        c.athletes.div_ceil(c.clinicians),
        c.clients,
        c.secs
    );
    let dir = tempfile::tempdir().expect("temporary directory");
    let path = dir.path().join("clinic.db");
    let seeded = {
        let db = SqliteDatabase::open(&path).expect("clinic database");
        seed(&db, &c)
    };
    println!(
        "seeded in {:.1} s: {} runs per athlete (the first with 1 Hz samples), database {:.0} MB",
        seeded.seconds,
        seeded.runs_per_athlete,
        dir_mb(dir.path())
    );

    let reset = std::fs::write("/proc/self/clear_refs", "5").is_ok();
    let server =
        tokio::runtime::Builder::new_multi_thread().enable_all().thread_name("server").build().expect("runtime");
    let state = AppState::new(Db::open_clinic(&path).expect("server database"), None).expect("state");
    let listener = server.block_on(tokio::net::TcpListener::bind("127.0.0.1:0")).expect("bind");
    let addr = listener.local_addr().expect("address");
    // Every client of this benchmark comes from 127.0.0.1, where the default cap of 64 connections per client
    // address (a defence against one greedy client) would close the rest: raise it, and the total, for the load.
    let limits = runtall_web::Limits {
        per_client: 4 * c.clients + 16,
        max_connections: 4 * c.clients + 64,
        ..Default::default()
    };
    server.spawn(Server::new(router(state)).limits(limits).run(listener, std::future::pending()));
    let load = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("load runtime");

    let clinician_cookie = |k: usize| format!("runtall_session=a.{}", token("c", k % c.clinicians));
    let athlete_cookie = |k: usize| format!("runtall_session=a.{}", token("a", k % c.athletes));
    let follows = &seeded.follows;
    let athlete_page = |k: usize, n: usize| {
        let theirs = &follows[k % follows.len()];
        format!("/clinic/athletes/{}", theirs[n % theirs.len()])
    };
    // Warm-up, not recorded.
    load.block_on(level(addr, 8, 2, clinician_cookie, |_, _| "/clinic".to_string()));
    let has_athlete_page = load.block_on(level(addr, 1, 1, clinician_cookie, athlete_page)).errors == 0;

    let mut ok = true;
    let t = load.block_on(level(addr, c.clients, c.secs, clinician_cookie, |_, _| "/clinic".to_string()));
    ok &= report("dashboard /clinic (clinicians)", c.clients, c.secs, &t, Some(TARGET_DASHBOARD_P99));
    if has_athlete_page {
        let t = load.block_on(level(addr, c.clients, c.secs, clinician_cookie, athlete_page));
        ok &= report("athlete page (clinicians)", c.clients, c.secs, &t, Some(TARGET_ATHLETE_P99));
    } else {
        println!("athlete page (clinicians): /clinic/athletes/{{id}} is not in this build; not measured");
    }
    let t = load.block_on(level(addr, c.clients, c.secs, athlete_cookie, |_, _| "/today".to_string()));
    report("Today (athletes, their own)", c.clients, c.secs, &t, None);
    let t = load.block_on(level(addr, c.clients, c.secs, athlete_cookie, |_, _| "/api/state".to_string()));
    report("/api/state (athletes, their own)", c.clients, c.secs, &t, None);

    let hwm = proc_status_mb("VmHWM").unwrap_or(f64::NAN);
    server.shutdown_timeout(Duration::from_secs(2));
    println!(
        "memory: peak RSS while serving {hwm:.0} MB ({}; server and load generator in one process)",
        if reset { "VmHWM reset after seeding" } else { "includes seeding: clear_refs refused" }
    );
    println!("load average: {}", std::fs::read_to_string("/proc/loadavg").unwrap_or_default().trim());
    println!("{}", if ok { "all targets met" } else { "a target was missed" });
}
