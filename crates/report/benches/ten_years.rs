//! How long the report takes over a decade of journal: the web latency benchmark's seeded ten-year journal (2,900
//! runs with 1 Hz streams, pain, day logs, run context, monthly screens, quarterly assessments and plans) is written
//! to a temporary SQLite file, then `runtall report`'s two steps are timed: gathering the data (`pt_report::gather`,
//! the default twelve weeks and the longest period allowed, 104 weeks) and laying out and writing the PDF.
//!
//! ```sh
//! cargo bench -p runtall-report --bench ten_years
//! RUNTALL_BENCH_DB=/tmp/ten.db cargo bench -p runtall-report --bench ten_years   # reuse or keep the journal
//! ```
//!
//! Target (issue 17): the whole report in under a second on the 2-core machine. Each figure is the median of 5.

#[allow(dead_code)]
#[path = "../../web/benches/latency/journal.rs"]
mod journal;

use jiff::civil::Date;
use jiff::tz::TimeZone;
use runtall_app::pt_report::{ReportOptions, gather};
use runtall_store::{SqliteStore, Store};
use std::time::{Duration, Instant};

const SEED: u64 = 20_261_206;
const REPEATS: usize = 5;

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn ms(d: Duration) -> String {
    format!("{:.0} ms", d.as_secs_f64() * 1000.0)
}

fn main() {
    let temp = tempfile::tempdir().expect("temp dir");
    let path = std::env::var_os("RUNTALL_BENCH_DB")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| temp.path().join("ten.db"));
    let fresh = !path.exists();
    let store = SqliteStore::open(&path).expect("database");
    if fresh {
        let t = Instant::now();
        let w = journal::generate(&store, 10, SEED).expect("journal");
        println!(
            "generated {} runs, {} pain reports, {} screens, {} plans in {:.1} s",
            w.run_ids.len(),
            w.pain_reports,
            w.screenings,
            w.plans,
            t.elapsed().as_secs_f64()
        );
    }
    let today = jiff::Timestamp::now().to_zoned(TimeZone::system()).date();
    let runs = store.activities(&Default::default()).expect("runs").len();
    println!("journal: {runs} activities in {}", path.display());
    let long_ago: Date = today - jiff::ToSpan::days(104 * 7 - 1);
    let mut worst = Duration::ZERO;
    for (name, options) in [
        ("12 weeks (default)", ReportOptions::default()),
        ("104 weeks", ReportOptions { from: Some(long_ago), pain_notes: true, ..Default::default() }),
    ] {
        let mut gathers = Vec::new();
        let mut pdfs = Vec::new();
        let mut pages = 0;
        let mut size = 0;
        for _ in 0..REPEATS {
            let t = Instant::now();
            let data = gather(&store, &options, today, &TimeZone::system()).expect("report data");
            gathers.push(t.elapsed());
            let t = Instant::now();
            let pdf = runtall_report::pdf(&data).expect("pdf");
            pdfs.push(t.elapsed());
            pages = runtall_report::layout_text(&data).expect("layout").0;
            size = pdf.len();
        }
        let (g, p) = (median(gathers), median(pdfs));
        worst = worst.max(g + p);
        println!(
            "{name:<20} gather {:>7}  pdf {:>7}  total {:>7}  ({pages} pages, {} KB)",
            ms(g),
            ms(p),
            ms(g + p),
            size.div_ceil(1024)
        );
    }
    println!("slowest report {} against the 1 s target: {:.2} of the budget", ms(worst), worst.as_secs_f64() / 1.0);
}
