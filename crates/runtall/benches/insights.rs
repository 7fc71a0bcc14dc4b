//! How long the insights take, as the runner meets them: `runtall insights --json` (the real binary, a fresh
//! process each time) and the web app's Insights page right after the journal changed, over journals of 300, 3,000
//! and 10,000 runs.
//!
//! ```sh
//! cargo bench -p runtall --bench insights                       # 300 / 3,000 / 10,000 runs
//! cargo bench -p runtall --bench insights -- --db /tmp/ten.db   # also a database you already have
//! cargo bench -p runtall --bench insights -- --keep /tmp/j       # keep the generated journals there
//! ```
//!
//! The journals are simulated runners (`runtall_insights::scenarios`) written as a journal file and imported through
//! the normal journal import: runs with their context, pain reports, day logs. The ten-year journal of the web
//! latency benchmark can be kept with `RUNTALL_BENCH_DB=/tmp/ten.db` (see `crates/web/benches/latency`) and timed
//! here with `--db /tmp/ten.db`. Each figure is the median of several runs; "per run" divides by the number of
//! runs, so linear growth shows as a flat column. Wall time is what a runner waits; CPU time (user + system, of the
//! child process or of this process during the request) is the work done, and is what to compare on a machine
//! shared with other jobs, where waiting for a core inflates the wall time.

use axum::body::Body;
use axum::http::{Request, header};
use http_body_util::BodyExt;
use jiff::civil::Date;
use jiff::{SignedDuration, Timestamp, ToSpan};
use runtall_domain::activity::Sport;
use runtall_domain::assess::{DayHours, Region, Score, Surface};
use runtall_domain::classify::RunLabel;
use runtall_domain::journal::{DayLog, PainTiming};
use runtall_domain::journal_format::{Journal, JournalPain, JournalRun};
use runtall_insights::scenarios::{World, simulate, suite};
use runtall_insights::{RunLabel as SimLabel, RunObservation, SurfaceKind};
use runtall_store::{SqliteStore, Store};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};
use tower::ServiceExt;

const SIZES: [usize; 3] = [300, 3_000, 10_000];
const CLI_REPEATS: usize = 7;
const PAGE_REPEATS: usize = 5;
/// Targets from issue 13.
const TARGET_CLI: Duration = Duration::from_millis(100);
const TARGET_PAGE: Duration = Duration::from_millis(150);

fn main() {
    let mut extra: Vec<PathBuf> = Vec::new();
    let mut keep: Option<PathBuf> = None;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--db" => extra.extend(args.next().map(PathBuf::from)),
            "--keep" => keep = args.next().map(PathBuf::from),
            "--bench" => {}
            other => eprintln!("ignoring argument {other}"),
        }
    }
    let temp = tempfile::tempdir().expect("temp dir");
    let dir = keep.unwrap_or_else(|| temp.path().to_path_buf());
    std::fs::create_dir_all(&dir).expect("journal folder");
    let mut rows: Vec<(String, usize, Timing, Timing)> = Vec::new();
    for n in SIZES {
        let path = dir.join(format!("runs-{n}.db"));
        let _ = std::fs::remove_file(&path);
        eprint!("writing a journal of {n} runs… ");
        let t = Instant::now();
        write_journal(&path, n);
        eprintln!("{:.1} s", t.elapsed().as_secs_f64());
        rows.push((format!("{n} runs"), n, time_cli(&path), time_page(&path)));
    }
    for path in extra {
        let n = SqliteStore::open(&path)
            .and_then(|s| s.activities(&Default::default()))
            .map(|a| a.iter().filter(|r| r.sport.is_run()).count())
            .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        rows.push((path.display().to_string(), n, time_cli(&path), time_page(&path)));
    }
    println!(
        "\n{:<28} {:>7} | {:>26} {:>10} | {:>26} {:>10}",
        "journal", "runs", "insights --json: wall/CPU", "CPU µs/run", "page after change: wall/CPU", "CPU µs/run"
    );
    for (name, n, cli, page) in &rows {
        let per = |d: Duration| d.as_secs_f64() * 1e6 / (*n).max(1) as f64;
        println!(
            "{:<28} {:>7} | {:>14.1} / {:>6.1} ms {:>10.1} | {:>14.1} / {:>6.1} ms {:>10.1}",
            name,
            n,
            ms(cli.wall),
            ms(cli.cpu),
            per(cli.cpu),
            ms(page.wall),
            ms(page.cpu),
            per(page.cpu)
        );
    }
    let (small, large) = (&rows[0], &rows[SIZES.len() - 1]);
    // Growth of the part that depends on the journal: the largest journal against the smallest, per run.
    let growth = |a: Duration, b: Duration| (b.as_secs_f64() / a.as_secs_f64()) / (large.1 as f64 / small.1 as f64);
    println!(
        "\ngrowth {} → {} runs, CPU time relative to linear (1.0 = linear, below = better): insights --json {:.2}, \
         page {:.2}",
        small.1,
        large.1,
        growth(small.2.cpu, large.2.cpu),
        growth(small.3.cpu, large.3.cpu)
    );
    println!(
        "targets: insights --json < {} ms over the ten-year journal; Insights page after a change < {} ms; growth ≤ 1",
        TARGET_CLI.as_millis(),
        TARGET_PAGE.as_millis()
    );
    println!("load average while measuring: {}", load_average());
}

/// Wall and CPU time of one measurement.
#[derive(Debug, Clone, Copy)]
struct Timing {
    wall: Duration,
    cpu: Duration,
}

fn medians(v: Vec<Timing>) -> Timing {
    Timing { wall: median(v.iter().map(|t| t.wall).collect()), cpu: median(v.iter().map(|t| t.cpu).collect()) }
}

fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "unknown".into())
}

/// CPU time (user + system) of finished child processes, or of this process.
#[allow(unsafe_code)]
fn cpu_time(who: i32) -> Duration {
    // SAFETY: getrusage only writes into the zeroed struct we pass.
    let mut u: libc::rusage = unsafe { std::mem::zeroed() };
    unsafe { libc::getrusage(who, &mut u) };
    let tv = |t: libc::timeval| Duration::from_secs(t.tv_sec as u64) + Duration::from_micros(t.tv_usec as u64);
    tv(u.ru_utime) + tv(u.ru_stime)
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

/// `runtall --db PATH insights --json`, a fresh process each time (the first run is a warm-up for the file cache).
fn time_cli(db: &Path) -> Timing {
    let exe = env!("CARGO_BIN_EXE_runtall");
    let once = || {
        let cpu = cpu_time(libc::RUSAGE_CHILDREN);
        let t = Instant::now();
        let out = Command::new(exe).arg("--db").arg(db).args(["insights", "--json"]).output().expect("runs");
        let wall = t.elapsed();
        assert!(out.status.success(), "runtall insights failed: {}", String::from_utf8_lossy(&out.stderr));
        assert!(out.stdout.starts_with(b"{"), "JSON expected");
        Timing { wall, cpu: cpu_time(libc::RUSAGE_CHILDREN).saturating_sub(cpu) }
    };
    once();
    medians((0..CLI_REPEATS).map(|_| once()).collect())
}

/// The web app's `/insights` right after a change to the journal: each round logs a day (which bumps the journal
/// revision, so the cached report is stale) and then asks for the page.
fn time_page(db: &Path) -> Timing {
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().expect("runtime");
    rt.block_on(async {
        let state = runtall_web::AppState::new(runtall_web::Db::open(db).expect("db"), None).expect("state");
        let app = runtall_web::router(state);
        let get = |path: &str, cookie: Option<String>| {
            let mut req = Request::get(path);
            if let Some(c) = cookie {
                req = req.header(header::COOKIE, c);
            }
            let app = app.clone();
            let req = req.body(Body::empty()).expect("request");
            async move {
                let res = app.oneshot(req).await.expect("infallible");
                let status = res.status();
                let cookie =
                    res.headers().get_all(header::SET_COOKIE).iter().filter_map(|v| v.to_str().ok()).find_map(|v| {
                        v.split(';').next().filter(|kv| kv.starts_with("runtall_session=")).map(String::from)
                    });
                let body = res.into_body().collect().await.expect("body").to_bytes();
                (status, cookie, body)
            }
        };
        let (_, cookie, _) = get("/api/session", None).await;
        let store = SqliteStore::open(db).expect("store");
        let today = Timestamp::now().to_zoned(jiff::tz::TimeZone::system()).date();
        let mut times = Vec::new();
        for round in 0..=PAGE_REPEATS {
            let mut log = DayLog::empty(today);
            log.sleep_h = Some(DayHours::new(6.0 + round as f64 * 0.25).expect("hours"));
            store.put_day_log(&log).expect("day log");
            let cpu = cpu_time(libc::RUSAGE_SELF);
            let t = Instant::now();
            let (status, _, body) = get("/insights", cookie.clone()).await;
            let took = Timing { wall: t.elapsed(), cpu: cpu_time(libc::RUSAGE_SELF).saturating_sub(cpu) };
            assert!(status.is_success(), "/insights answered {status}");
            assert!(body.len() > 1000, "a page");
            if round > 0 {
                times.push(took);
            }
        }
        medians(times)
    })
}

/// A simulated runner's journal of `n` runs, ending this week, imported like `runtall journal import`.
fn write_journal(path: &Path, n: usize) {
    let mut scenario = suite().into_iter().find(|s| s.id == "yes-no-triggers").expect("scenario");
    // Six runs a week, so ten thousand runs stay within the journal's 1980-onwards dates.
    scenario.world = World { runs_per_week: (6, 6), ..scenario.world };
    let runner = simulate(&scenario, 2026, 0, n).expect("simulated");
    let today = Timestamp::now().to_zoned(jiff::tz::TimeZone::UTC).date();
    let last = runner.runs.last().map(|r| r.date).expect("runs");
    // Whole weeks, so weekdays stay weekdays.
    let shift = ((today - last).get_days() - 7).div_euclid(7) * 7;
    let journal = journal_of(&runner.runs, shift);
    let store = SqliteStore::open(path).expect("store");
    runtall_app::journal_file::import(&store, &journal).expect("import");
}

fn journal_of(runs: &[RunObservation], shift_days: i32) -> Journal {
    let mut j = Journal::default();
    let mut days: BTreeMap<Date, DayLog> = BTreeMap::new();
    let hours = |h: Option<f64>| h.and_then(|h| DayHours::new(h.min(24.0)).ok());
    for (i, r) in runs.iter().enumerate() {
        let date = r.date.checked_add(shift_days.days()).expect("date");
        let start = date.at(7, 0, 0, 0).to_zoned(jiff::tz::TimeZone::UTC).expect("time").timestamp();
        let key = format!("sim-{i}");
        let moving = r.duration_min.unwrap_or(r.distance_km * 6.0) * 60.0;
        j.runs.push(JournalRun {
            key: key.clone(),
            start,
            sport: Sport::Running,
            label: Some(match r.run_type {
                SimLabel::Easy => RunLabel::Easy,
                SimLabel::Long => RunLabel::Long,
                SimLabel::Intervals => RunLabel::Intervals,
                SimLabel::Tempo => RunLabel::Tempo,
                SimLabel::Race => RunLabel::Race,
                SimLabel::Trail => RunLabel::Trail,
            }),
            distance_m: r.distance_km * 1000.0,
            moving_s: moving,
            elapsed_s: moving,
            name: None,
            pack: r.context.pack_worn,
            surface: r.context.surface.map(|s| if s == SurfaceKind::Hard { Surface::Road } else { Surface::Trail }),
            ate_within_2h: r.context.ate_within_2h,
            pre_run_done: r.context.pre_run_routine_done,
            post_run_done: r.context.post_run_reset_done,
            utc_offset_s: None,
            avg_hr_bpm: None,
        });
        if r.max_pain > 0 {
            j.pain.push(JournalPain {
                at: start + SignedDuration::from_secs(moving as i64 + 1800),
                timing: PainTiming::RightAfter,
                region: Region::Neck,
                intensity: Score::new(f64::from(r.max_pain)).expect("rating"),
                run: Some(key),
                notes: None,
            });
        }
        let c = &r.context;
        let log = days.entry(date).or_insert_with(|| DayLog::empty(date));
        log.sitting_h = hours(c.sitting_hours);
        log.longest_sitting_h = hours(c.longest_sitting_hours.zip(c.sitting_hours).map(|(l, s)| l.min(s)));
        log.car_h = hours(c.car_hours_same_day);
        log.sleep_h = hours(c.sleep_hours);
        log.stress = c.stress.and_then(|s| Score::new(f64::from(s)).ok());
    }
    j.days = days.into_values().collect();
    j
}
