//! Runs the scenario suite and prints every scenario's figures beside the two baselines and the oracle.
//!
//! `cargo run --release -p runtall-insights --example scenarios -- [--set dev|report|all] [--runners N]
//!  [--scenario ID] [--threads N] [--json] [--config JSON]`
//!
//! Defaults: both sets, 500 runners per scenario (the figures in docs/insights.md), all cores. Progress goes to
//! stderr; the table (or JSON) to stdout.
//! Same arguments, same numbers.

#[path = "support/config.rs"]
mod config;
use config::merged_config;
use runtall_insights::AnalysisConfig;
use runtall_insights::scenarios::{Set, measure, render, suite};
use std::io::{IsTerminal, Write};
use std::time::Instant;

fn main() {
    let mut runners = 500usize;
    let mut sets = vec![Set::Development, Set::Report];
    let mut only: Option<String> = None;
    let mut threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let mut json = false;
    let mut config = AnalysisConfig::default();
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--runners" => match args.next().and_then(|v| v.parse().ok()) {
                Some(n) if n > 0 => runners = n,
                _ => exit_usage("--runners needs a number above 0"),
            },
            "--threads" => match args.next().and_then(|v| v.parse().ok()) {
                Some(n) if n > 0 => threads = n,
                _ => exit_usage("--threads needs a number above 0"),
            },
            "--set" => match args.next().as_deref() {
                Some("dev") => sets = vec![Set::Development],
                Some("report") => sets = vec![Set::Report],
                Some("all") => sets = vec![Set::Development, Set::Report],
                _ => exit_usage("--set needs dev, report or all"),
            },
            "--scenario" => only = args.next(),
            "--json" => json = true,
            // Tuning on the development set: settings over the defaults, e.g. --config '{"likely_bar":0.8}'.
            "--config" => match args.next().map(|v| merged_config(&v)) {
                Some(Ok(c)) => config = c,
                Some(Err(e)) => exit_usage(&format!("--config: {e}")),
                None => exit_usage("--config needs a JSON object"),
            },
            other => exit_usage(&format!("unknown argument {other}")),
        }
    }
    let scenarios: Vec<_> =
        suite().into_iter().filter(|s| sets.contains(&s.set) && only.as_deref().is_none_or(|id| id == s.id)).collect();
    if scenarios.is_empty() {
        let ids: Vec<&str> = suite().iter().map(|s| s.id).collect();
        exit_usage(&format!("no such scenario; the suite has: {}", ids.join(", ")));
    }
    let started = Instant::now();
    let mut reports = Vec::new();
    let count = scenarios.len();
    for (i, sc) in scenarios.iter().enumerate() {
        let label = format!("[{}/{count}] {} {}", i + 1, sc.set.id(), sc.id);
        // On a terminal one line is redrawn; in a log, one line per scenario.
        let tty = std::io::stderr().is_terminal();
        let progress = |done: usize| {
            if tty && (done.is_multiple_of(10) || done == runners) {
                eprint!("\r{label}: {done}/{runners} runners ({:.0} s)   ", started.elapsed().as_secs_f64());
                let _ = std::io::stderr().flush();
            } else if !tty && done == runners {
                eprintln!("{label}: {runners} runners done ({:.0} s)", started.elapsed().as_secs_f64());
            }
        };
        match measure(sc, runners, &config, threads, &progress) {
            Ok(r) => reports.push(r),
            Err(e) => {
                eprintln!("\nerror in {}: {e}", sc.id);
                std::process::exit(2);
            }
        }
    }
    eprintln!("\rdone: {count} scenarios × {runners} runners in {:.0} s{:30}", started.elapsed().as_secs_f64(), "");
    if json {
        match serde_json::to_string_pretty(&reports) {
            Ok(s) => println!("{s}"),
            Err(e) => {
                eprintln!("error: {e}");
                std::process::exit(2);
            }
        }
    } else {
        println!(
            "runtall insights scenario suite: {runners} runners per scenario (development seed and report seed fixed)"
        );
        print!("{}", render(&reports));
    }
}

fn exit_usage(msg: &str) -> ! {
    eprintln!(
        "{msg}\nusage: scenarios [--set dev|report|all] [--runners N] [--scenario ID] [--threads N] [--json] [--config JSON]"
    );
    std::process::exit(1);
}
