//! Development aid: on one development scenario, runner by runner, where the engine and the simple per-factor risk
//! ratio (per-RR) disagree about the first factor, and why.
//!
//! `cargo run --release -p runtall-insights --example diagnose -- SCENARIO RUNS [CONFIG_JSON] [RUNNERS] [-v]`
//!
//! Prints how often each ranks the planted factor first, the weight of the graded outcome family (quantiles over
//! runners), and the engine's share when its ranking is restricted to the factors per-RR can rank (factors whose
//! fixed cut has 3 runs on each side). With `-v`, each runner where they disagree: the planted factor's and the
//! winner's score, most probable reading, counts and per-RR probability. Development set only: the report set is
//! not for tuning.
#[path = "support/config.rs"]
mod config;
use config::merged_config;
use runtall_insights::AnalysisConfig;
use runtall_insights::analysis::simple_risk_ratio;
use runtall_insights::scenarios::{DEV_SEED, Set, rank_by_risk_ratio, simulate, suite, top_factor};
use runtall_insights::{Factor, analyze};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let id = args.first().cloned().unwrap_or_else(|| "yes-no-only-ratings".into());
    let n: usize = args.get(1).and_then(|v| v.parse().ok()).unwrap_or(40);
    let config = match args.get(2) {
        Some(j) => merged_config(j).unwrap_or_else(|e| panic!("settings {j}: {e}")),
        None => AnalysisConfig::default(),
    };
    let runners: usize = args.get(3).and_then(|v| v.parse().ok()).unwrap_or(500);
    let sc = suite().into_iter().find(|s| s.id == id && s.set == Set::Development).expect("dev scenario");
    let seed = sc.id.bytes().fold(DEV_SEED, |s, b| s.rotate_left(5) ^ u64::from(b));
    let (mut both, mut eng_only, mut rr_only) = (0, 0, 0);
    let mut graded = Vec::new();
    let mut restricted_hits = 0;
    for i in 0..runners {
        let r = simulate(&sc, seed, i, 80).expect("sim");
        let runs = &r.runs[..n];
        let planted: Vec<Factor> = r.triggers.iter().map(|g| g.exposure.factor()).collect();
        let rep = analyze(runs, &config).expect("analyze");
        if let Some(g) = rep.method.graded_outcome_probability {
            graded.push(g);
        }
        let e = top_factor(&rep).is_some_and(|f| planted.contains(&f));
        let rr_rank = rank_by_risk_ratio(runs, &config);
        let rr_top = rr_rank.first().copied();
        // The engine's order restricted to the factors per-RR ranks.
        let restricted = rep.factors.iter().find(|r| rr_rank.contains(&r.factor)).map(|r| r.factor);
        if restricted.is_some_and(|f| planted.contains(&f)) {
            restricted_hits += 1;
        }
        let p = rr_top.is_some_and(|f| planted.contains(&f));
        match (e, p) {
            (true, true) => both += 1,
            (true, false) => eng_only += 1,
            (false, true) => rr_only += 1,
            _ => {}
        }
        if e != p && args.iter().any(|a| a == "-v") {
            let pain = runs.iter().filter(|o| o.pain_followed).count();
            println!(
                "runner {i} base {:.2} pain {pain}/{n} graded {:?} engine {} rr {}",
                r.base_rate,
                rep.method.graded_outcome_probability.map(|p| (p * 100.0).round()),
                e,
                p
            );
            let show = |f: Factor| {
                let fr = rep.factor(f).expect("factor");
                let vals: Vec<Option<bool>> = runs.iter().map(|o| f.value(o, &config.cutoffs)).collect();
                let rr = simple_risk_ratio(runs, &vals, config.prior_runs);
                let m = fr.model.as_ref();
                println!(
                    "   {:<26} rank {:>2} score {:.3} incl {:.3} best {:?} ({:.2}) | {}/{} vs {}/{} P(RR>1) {:.3}",
                    f.id(),
                    fr.rank,
                    fr.score,
                    m.map_or(0.0, |m| m.inclusion_probability),
                    m.map(|m| m.best_reading),
                    m.map_or(0.0, |m| m.best_reading_share),
                    fr.with.with_pain,
                    fr.with.runs,
                    fr.without.with_pain,
                    fr.without.runs,
                    rr.map_or(0.0, |r| r.prob_higher)
                );
            };
            for f in &planted {
                show(*f);
            }
            if let Some(t) = top_factor(&rep)
                && !planted.contains(&t)
            {
                show(t);
            }
            if let Some(t) = rr_top
                && !planted.contains(&t)
            {
                show(t);
            }
        }
    }
    graded.sort_by(|a, b| a.total_cmp(b));
    let q = |p: f64| graded.get(((graded.len() as f64 - 1.0) * p) as usize).copied().unwrap_or(f64::NAN);
    println!(
        "graded weight: mean {:.2} q10 {:.2} q50 {:.2} q90 {:.2}",
        graded.iter().sum::<f64>() / graded.len().max(1) as f64,
        q(0.1),
        q(0.5),
        q(0.9)
    );
    println!("engine restricted to per-RR's factors: {:.1}%", 100.0 * restricted_hits as f64 / runners as f64);
    println!(
        "{id} @{n}: both {both}, engine only {eng_only}, per-RR only {rr_only}, engine {:.1}% per-RR {:.1}%",
        100.0 * (both + eng_only) as f64 / runners as f64,
        100.0 * (both + rr_only) as f64 / runners as f64
    );
}
