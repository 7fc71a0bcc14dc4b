//! Measures the engine's detection and false-alarm rates on simulated runners and prints the tables.
//!
//! `cargo run --release -p runtall-insights --example simulate -- [--runners N] [--seed S] [--scenario ID] [--json]`
//!
//! N trigger runners and N null runners per scenario (default 2000 each); scenarios `reference` (the one the targets
//! refer to), `threshold-only`, `full-journal`, or all three when none is given. Same seed, same numbers.

use runtall_insights::AnalysisConfig;
use runtall_insights::sim::{Scenario, measure, render};

fn main() {
    let mut runners = 2000usize;
    let mut seed = 20_250_601u64;
    let mut scenarios: Vec<Scenario> = Scenario::ALL.to_vec();
    let mut json = false;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--runners" => match args.next().and_then(|v| v.parse().ok()) {
                Some(n) => runners = n,
                None => exit_usage("--runners needs a number"),
            },
            "--seed" => match args.next().and_then(|v| v.parse().ok()) {
                Some(s) => seed = s,
                None => exit_usage("--seed needs a number"),
            },
            "--scenario" => match args.next().and_then(|v| Scenario::ALL.into_iter().find(|s| s.id() == v)) {
                Some(s) => scenarios = vec![s],
                None => exit_usage("--scenario needs one of: reference, threshold-only, full-journal"),
            },
            "--json" => json = true,
            other => exit_usage(&format!("unknown argument {other}")),
        }
    }
    let config = AnalysisConfig::default();
    let mut reports = Vec::new();
    for sc in scenarios {
        match measure(&sc.settings(seed, runners), &config) {
            Ok(r) => reports.push((sc, r)),
            Err(e) => {
                eprintln!("error: {e}");
                std::process::exit(2);
            }
        }
    }
    if json {
        let value: Vec<_> =
            reports.iter().map(|(sc, r)| serde_json::json!({ "scenario": sc.id(), "report": r })).collect();
        match serde_json::to_string_pretty(&value) {
            Ok(s) => println!("{s}"),
            Err(e) => {
                eprintln!("error: {e}");
                std::process::exit(2);
            }
        }
    } else {
        for (sc, r) in &reports {
            println!("== scenario: {} ==", sc.id());
            println!("{}", render(r));
        }
    }
}

fn exit_usage(msg: &str) -> ! {
    eprintln!(
        "{msg}\nusage: simulate [--runners N] [--seed S] [--scenario reference|threshold-only|full-journal] [--json]"
    );
    std::process::exit(1);
}
