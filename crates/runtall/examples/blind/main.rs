//! Issue 13's check, done again on a simulator written without reading the engine or its own scenario suite:
//! seeded runners with habits and logging habits of their own, a planted trigger (or two, or none), their journal
//! written as JSON Lines and imported the way `runtall journal import` does, and the engine's report on the first 40
//! and 80 runs beside the two simple baselines, per scenario, with 95% intervals; beside them, a ceiling
//! (`oracle.rs`): a Bayes oracle that reads each runner's true exposures and pain events and knows the planted plans.
//!
//! `cargo run --release -p runtall --example blind [-- --runners 400 --threads 2 --seed 13 --only sit8,pack
//!  --perfect-logs --journal sit8:0:/tmp/sit8-0.jsonl]`
//!
//! `--perfect-logs`: the same runners, logging everything; `--journal S:I:PATH`: write runner I of scenario S's
//! journal to PATH (for `runtall journal import`) instead of measuring. The engine runs with the settings the
//! Insights page uses (`report_of`), the baselines with `AnalysisConfig::default()`.
//!
//! Written without reading `crates/insights/src/{analysis,model,features,exposures,factors,measures,scenarios,
//! special,wording}.rs`, the engine's examples or the method sections of `docs/insights.md`: only the engine's input
//! types, the journal format and the app code that turns a journal into observations. The baselines
//! (`rank_by_risk_ratio`, `rank_by_ridge`) and `top_factor` are used as black boxes.

mod logbook;
mod measure;
mod oracle;
mod rng;
mod runner;
mod scenarios;

use measure::{CHECKPOINTS, Check, wilson};
use rng::{Rng, seed_for};
use runtall_insights::Factor;
use scenarios::{SCENARIOS, Scenario, plantable};
use std::collections::BTreeMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

struct Args {
    runners: usize,
    threads: usize,
    seed: u64,
    only: Option<Vec<String>>,
    perfect_logs: bool,
    journal: Option<(String, usize, String)>,
}

fn args() -> Result<Args, String> {
    let mut a = Args { runners: 400, threads: 2, seed: 13, only: None, perfect_logs: false, journal: None };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let mut value = || it.next().ok_or_else(|| format!("{flag} needs a value"));
        match flag.as_str() {
            "--runners" => a.runners = value()?.parse().map_err(|e| format!("--runners: {e}"))?,
            "--perfect-logs" => a.perfect_logs = true,
            "--threads" => a.threads = value()?.parse::<usize>().map_err(|e| format!("--threads: {e}"))?.max(1),
            "--seed" => a.seed = value()?.parse().map_err(|e| format!("--seed: {e}"))?,
            "--only" => a.only = Some(value()?.split(',').map(str::to_string).collect()),
            "--journal" => {
                let v = value()?;
                let mut parts = v.splitn(3, ':');
                let (Some(s), Some(i), Some(p)) = (parts.next(), parts.next(), parts.next()) else {
                    return Err("--journal wants SCENARIO:RUNNER:PATH".into());
                };
                a.journal = Some((s.into(), i.parse().map_err(|e| format!("--journal: {e}"))?, p.into()));
            }
            other => return Err(format!("unknown argument {other}")),
        }
    }
    if a.runners == 0 {
        return Err("--runners must be at least 1".into());
    }
    Ok(a)
}

/// One simulated runner's season, as lived (before anything is written down), and the generator to write the
/// journal with. `runs` replaces the drawn season length (84–100 runs) for the oracle's tests; the draw is made
/// either way, so the streams are the same.
fn live_with_rng(
    s: &Scenario,
    si: usize,
    ri: usize,
    seed: u64,
    perfect_logs: bool,
    runs: Option<usize>,
) -> (runner::Season, Rng) {
    let mut rng = Rng::new(seed_for(seed, si, ri));
    let mut habits = runner::Habits::draw(&mut rng);
    s.population.adjust(&mut habits, &mut rng);
    habits.base = rng.range(s.base.0, s.base.1);
    if perfect_logs {
        habits.log_everything();
    }
    let start = jiff::civil::date(2025, 1, 6)
        .checked_add(jiff::Span::new().days(7 * rng.below(20) as i64))
        .unwrap_or(jiff::civil::date(2025, 1, 6));
    let drawn = 84 + rng.below(17) as usize;
    let target = runs.unwrap_or(drawn);
    let season = runner::simulate(&habits, start, target, &mut rng, &|e| s.multiplier(e));
    (season, rng)
}

#[cfg(test)]
fn live(s: &Scenario, si: usize, ri: usize, seed: u64, perfect_logs: bool, runs: Option<usize>) -> runner::Season {
    live_with_rng(s, si, ri, seed, perfect_logs, runs).0
}

/// One simulated runner's journal text and what was written in it. With `perfect_logs` the same runners live the
/// same seasons but log every day, every field and every pain, so the loss that logging gaps cause can be told apart
/// from the loss in the analysis.
fn journal(
    s: &Scenario,
    si: usize,
    ri: usize,
    seed: u64,
    perfect_logs: bool,
) -> (String, logbook::Written, runner::Season) {
    let (season, mut rng) = live_with_rng(s, si, ri, seed, perfect_logs, None);
    let (text, written) = logbook::write(&season, &mut rng);
    (text, written, season)
}

/// What one runner contributes to its scenario's table.
struct Outcome {
    checks: Vec<Check>,
    /// Share of the first 80 runs where a planted trigger was present.
    prevalence: f64,
    /// Among the first 80 runs: [trigger present, absent] x [runs, runs after which the engine sees pain].
    table: [[usize; 2]; 2],
}

fn run_one(s: &Scenario, si: usize, ri: usize, a: &Args, plantable: &[Factor]) -> Result<Outcome, String> {
    let (text, written, season) = journal(s, si, ri, a.seed, a.perfect_logs);
    let (mut checks, pain) = measure::measure(&text, &written, s.planted, plantable)
        .map_err(|e| format!("scenario {} runner {ri}: {e}", s.name))?;
    let plans = oracle::plans();
    let truth = oracle::Truth::of(&season, &plans);
    let logged = truth.with_events(pain.iter().copied().take(season.runs.len()).collect());
    for (c, n) in checks.iter_mut().zip(CHECKPOINTS) {
        let pick = oracle::judge(&truth, &plans, n);
        c.oracle_first = s.planted.contains(&pick.known);
        c.oracle_u_first = s.planted.contains(&pick.unknown);
        c.oracle_c_first = s.planted.contains(&pick.common);
        c.oracle_r_first = s.planted.contains(&pick.effect_unknown);
        c.oracle_l_first = s.planted.contains(&oracle::judge_common(&logged, &plans, n));
        c.oracle_top = Some(pick.known);
        c.oracle_none = pick.best_vs_none < 0.0;
    }
    let mut table = [[0usize; 2]; 2];
    for (r, &pain) in season.runs.iter().zip(&pain).take(80) {
        let e = runner::Exposure {
            run: r,
            day: &season.days[r.day],
            yesterday: r.day.checked_sub(1).map(|i| &season.days[i]),
        };
        let row = usize::from(s.multiplier(&e) <= 1.0);
        table[row][0] += 1;
        table[row][1] += usize::from(pain);
    }
    let n = (table[0][0] + table[1][0]).max(1);
    Ok(Outcome { checks, prevalence: table[0][0] as f64 / n as f64, table })
}

fn pct(k: usize, n: usize) -> String {
    let (lo, hi) = wilson(k, n);
    format!("{:.0} ({:.0}–{:.0})", 100.0 * k as f64 / n.max(1) as f64, 100.0 * lo, 100.0 * hi)
}

fn name(f: Option<Factor>) -> String {
    f.map_or("nothing judged".into(), |f| format!("{f:?}"))
}

fn main() {
    let a = match args() {
        Ok(a) => a,
        Err(e) => {
            eprintln!("blind: {e}");
            std::process::exit(2);
        }
    };
    let chosen: Vec<(usize, &Scenario)> = SCENARIOS
        .iter()
        .enumerate()
        .filter(|(_, s)| a.only.as_ref().is_none_or(|o| o.iter().any(|n| n == s.name)))
        .collect();
    if chosen.is_empty() {
        let names: Vec<&str> = SCENARIOS.iter().map(|s| s.name).collect();
        eprintln!("blind: no such scenario; there are {}", names.join(", "));
        std::process::exit(2);
    }
    if let Some((sname, ri, path)) = &a.journal {
        let Some((si, s)) = SCENARIOS.iter().enumerate().find(|(_, s)| s.name == sname) else {
            eprintln!("blind: no scenario {sname}");
            std::process::exit(2);
        };
        let (text, w, _) = journal(s, si, *ri, a.seed, a.perfect_logs);
        if let Err(e) = std::fs::write(path, text) {
            eprintln!("blind: cannot write {path}: {e}");
            std::process::exit(1);
        }
        eprintln!("wrote {path}: {w:?}");
        return;
    }
    let plantable = plantable();
    let jobs: Vec<(usize, usize)> = chosen.iter().flat_map(|&(si, _)| (0..a.runners).map(move |ri| (si, ri))).collect();
    let next = AtomicUsize::new(0);
    let done = AtomicUsize::new(0);
    let results: Mutex<BTreeMap<usize, Vec<Outcome>>> = Mutex::new(BTreeMap::new());
    let failure: Mutex<Option<String>> = Mutex::new(None);
    let started = Instant::now();
    std::thread::scope(|scope| {
        for _ in 0..a.threads {
            scope.spawn(|| {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(&(si, ri)) = jobs.get(i) else { break };
                    if failure.lock().map(|f| f.is_some()).unwrap_or(true) {
                        break;
                    }
                    match run_one(&SCENARIOS[si], si, ri, &a, &plantable) {
                        Ok(o) => {
                            if let Ok(mut r) = results.lock() {
                                r.entry(si).or_default().push(o);
                            }
                        }
                        Err(e) => {
                            if let Ok(mut f) = failure.lock() {
                                *f = Some(e);
                            }
                            break;
                        }
                    }
                    let d = done.fetch_add(1, Ordering::Relaxed) + 1;
                    if d.is_multiple_of(20) || d == jobs.len() {
                        eprint!("\r[blind] {d}/{} runners, {:.0} s   ", jobs.len(), started.elapsed().as_secs_f64());
                    }
                }
            });
        }
    });
    eprintln!();
    if let Some(e) = failure.into_inner().ok().flatten() {
        eprintln!("blind: the import was not lossless or the engine failed: {e}");
        std::process::exit(1);
    }
    let secs = started.elapsed().as_secs_f64();
    let results = results.into_inner().unwrap_or_default();
    print_tables(&chosen, &results, &a, secs, &plantable);
}

fn count(outs: &[Outcome], k: usize, f: impl Fn(&Check) -> bool) -> usize {
    outs.iter().filter(|o| f(&o.checks[k])).count()
}

fn print_tables(
    chosen: &[(usize, &Scenario)],
    results: &BTreeMap<usize, Vec<Outcome>>,
    a: &Args,
    secs: f64,
    plantable: &[Factor],
) {
    let total: usize = results.values().map(Vec::len).sum();
    println!(
        "# blind simulator{}: {} scenarios x {} runners (seed {}), {total} journals imported losslessly, {secs:.0} s on {} threads\n",
        if a.perfect_logs { " (perfect logs)" } else { "" },
        chosen.len(),
        a.runners,
        a.seed,
        a.threads
    );
    println!(
        "Restricted rankings look only at: {}\n",
        plantable.iter().map(|f| format!("{f:?}")).collect::<Vec<_>>().join(", ")
    );
    println!("Realised RR: pain as the engine sees it (after logging and rating noise) on runs with the trigger truly");
    println!("present against runs without, pooled over the runners' first 80 runs. Planted judged: the engine had");
    println!("enough logged runs to judge a planted factor after 80 runs.\n");
    println!(
        "| scenario | planted | trigger on runs | realised RR | planted judged @80 | engine first @80 when judged | pain runs/80 | what |"
    );
    println!("|---|---|---|---|---|---|---|---|");
    for &(si, s) in chosen {
        let outs = &results[&si];
        let n = outs.len().max(1) as f64;
        let prev = outs.iter().map(|o| o.prevalence).sum::<f64>() / n;
        let pain = outs.iter().map(|o| o.checks[1].runs_with_pain as f64).sum::<f64>() / n;
        let planted = s.planted.iter().map(|f| format!("{f:?}")).collect::<Vec<_>>().join(" + ");
        let sum = |r: usize, c: usize| outs.iter().map(|o| o.table[r][c]).sum::<usize>() as f64;
        let rr = (sum(0, 1) / sum(0, 0).max(1.0)) / (sum(1, 1) / sum(1, 0).max(1.0)).max(1e-9);
        let judged_n = count(outs, 1, |c| c.planted_judged);
        let (planted, rr, judged, when) = if s.is_null() {
            ("—".to_string(), "—".to_string(), "—".to_string(), "—".to_string())
        } else {
            (
                planted,
                format!("{rr:.2}"),
                pct(judged_n, outs.len()),
                pct(count(outs, 1, |c| c.planted_judged && c.engine_first), judged_n),
            )
        };
        println!(
            "| {} | {planted} | {:.0}% | {rr} | {judged} | {when} | {pain:.1} | {} |",
            s.name,
            100.0 * prev,
            s.what
        );
    }
    let triggers: Vec<&(usize, &Scenario)> = chosen.iter().filter(|(_, s)| !s.is_null()).collect();
    let pooled_in: Vec<&(usize, &Scenario)> = triggers.iter().copied().filter(|(_, s)| s.counts()).collect();
    let pooled = |k: usize, f: &dyn Fn(&Check) -> bool| -> String {
        let outs: Vec<&Outcome> = pooled_in.iter().flat_map(|(si, _)| results[si].iter()).collect();
        pct(outs.iter().filter(|o| f(&o.checks[k])).count(), outs.len())
    };
    type Col<'a> = (&'a str, &'a dyn Fn(&Check) -> bool);
    let ranked: [Col; 11] = [
        ("engine", &|c| c.engine_first),
        ("per-RR", &|c| c.rr_first),
        ("ridge", &|c| c.ridge_first),
        ("oracle", &|c| c.oracle_first),
        ("oracle-u", &|c| c.oracle_u_first),
        ("oracle-c", &|c| c.oracle_c_first),
        ("oracle-r", &|c| c.oracle_r_first),
        ("oracle-l", &|c| c.oracle_l_first),
        ("engine R", &|c| c.engine_first_r),
        ("per-RR R", &|c| c.rr_first_r),
        ("ridge R", &|c| c.ridge_first_r),
    ];
    for line in [
        "",
        "The oracle (a ceiling; see oracle.rs) reads each runner's true exposures and pain events (never the journal),",
        "knows the 12 plans of the pooled scenarios, and names the factor of the most likely plan. `oracle` also knows",
        "the runner's base chance, flare weeks and the plans' effect sizes; `oracle-u` averages over base and flares,",
        "the base over the plan's scenario range (so the overall pain rate hints at the plan); `oracle-c` averages the",
        "base over one range for every plan; `oracle-r` is `oracle-c` not knowing the effect sizes either (RR 1.5-5).",
        "`oracle-l` is `oracle-c` reading the pain as the journal shows it (not a ceiling: the loss in the logged pain).",
    ] {
        println!("{line}");
    }
    for (title, cols) in [
        ("Planted trigger ranked first, % (95% interval)", &ranked[..8]),
        ("… restricted to the plantable factors (R)", &ranked[8..]),
    ] {
        println!("\n## {title}\n");
        print!("| scenario | n |");
        for k in CHECKPOINTS {
            for (c, _) in cols {
                print!(" {c} @{k} |");
            }
        }
        println!();
        println!("|---|---|{}", "---|".repeat(cols.len() * CHECKPOINTS.len()));
        for &&(si, s) in &triggers {
            let outs = &results[&si];
            print!("| {} | {} |", s.name, outs.len());
            for k in 0..CHECKPOINTS.len() {
                for (_, f) in cols {
                    print!(" {} |", pct(count(outs, k, f), outs.len()));
                }
            }
            println!();
        }
        if pooled_in.is_empty() {
            continue;
        }
        print!(
            "| **all trigger scenarios, control excluded** | {} |",
            pooled_in.iter().map(|(si, _)| results[si].len()).sum::<usize>()
        );
        for k in 0..CHECKPOINTS.len() {
            for (_, f) in cols {
                print!(" {} |", pooled(k, *f));
            }
        }
        println!();
    }
    if !pooled_in.is_empty() {
        let outs: Vec<&Outcome> = pooled_in.iter().flat_map(|(si, _)| results[si].iter()).collect();
        let rate = |k: usize, f: &dyn Fn(&Check) -> bool| {
            outs.iter().filter(|o| f(&o.checks[k])).count() as f64 / outs.len().max(1) as f64
        };
        println!("\n## The engine against the ceiling (all trigger scenarios, control excluded)\n");
        let oracles: [Col; 5] = [
            ("oracle", &|c| c.oracle_first),
            ("oracle-u", &|c| c.oracle_u_first),
            ("oracle-c", &|c| c.oracle_c_first),
            ("oracle-r", &|c| c.oracle_r_first),
            ("oracle-l", &|c| c.oracle_l_first),
        ];
        // The engine's share of the three ceilings that read the true events without hints from the suite's design.
        let ceilings = [0, 2, 3];
        print!("| |");
        oracles.iter().for_each(|(t, _)| print!(" {t} |"));
        ceilings.iter().for_each(|&i| print!(" engine / {} |", oracles[i].0));
        ceilings.iter().for_each(|&i| print!(" engine R / {} |", oracles[i].0));
        println!("\n|---|{}", "---|".repeat(oracles.len() + 2 * ceilings.len()));
        for (k, n) in CHECKPOINTS.iter().enumerate() {
            let (e, er) = (rate(k, &|c| c.engine_first), rate(k, &|c| c.engine_first_r));
            let o: Vec<f64> = oracles.iter().map(|(_, f)| rate(k, *f)).collect();
            let share = |x: f64, y: f64| if y > 0.0 { format!("{:.0}%", 100.0 * x / y) } else { "—".into() };
            print!("| after {n} runs |");
            o.iter().for_each(|r| print!(" {:.1}% |", 100.0 * r));
            ceilings.iter().for_each(|&i| print!(" {} |", share(e, o[i])));
            ceilings.iter().for_each(|&i| print!(" {} |", share(er, o[i])));
            println!();
        }
    }
    println!("\n## A planted factor among the first three after 80 runs, % (95% interval)\n");
    println!("| scenario | engine | per-RR | ridge |");
    println!("|---|---|---|---|");
    let top3: [Col; 3] = [("engine", &|c| c.engine_top3), ("per-RR", &|c| c.rr_top3), ("ridge", &|c| c.ridge_top3)];
    for &&(si, s) in &triggers {
        let outs = &results[&si];
        let cells: Vec<String> = top3.iter().map(|(_, f)| pct(count(outs, 1, f), outs.len())).collect();
        println!("| {} | {} |", s.name, cells.join(" | "));
    }
    if !pooled_in.is_empty() {
        let cells: Vec<String> = top3.iter().map(|(_, f)| pooled(1, *f)).collect();
        println!("| **all trigger scenarios, control excluded** | {} |", cells.join(" | "));
    }
    println!("\n## Verdicts, % of runners (95% interval)\n");
    println!(
        "| scenario | planted likely @40 | other likely @40 | planted likely @80 | other likely @80 | any possible-or-likely @80 |"
    );
    println!("|---|---|---|---|---|---|");
    for &(si, s) in chosen {
        let outs = &results[&si];
        let n = outs.len();
        if s.is_null() {
            println!(
                "| {} (null) | — | any likely {} | — | any likely {} | {} |",
                s.name,
                pct(count(outs, 0, |c| c.any_likely), n),
                pct(count(outs, 1, |c| c.any_likely), n),
                pct(count(outs, 1, |c| c.any_possible), n)
            );
        } else {
            println!(
                "| {} | {} | {} | {} | {} | {} |",
                s.name,
                pct(count(outs, 0, |c| c.planted_likely), n),
                pct(count(outs, 0, |c| c.other_likely), n),
                pct(count(outs, 1, |c| c.planted_likely), n),
                pct(count(outs, 1, |c| c.other_likely), n),
                pct(count(outs, 1, |c| c.any_possible), n)
            );
        }
    }
    println!("\n## Where the first place goes when it is not the planted factor (after 80 runs)\n");
    println!(
        "The oracle columns are the knowing oracle's; on null rows, `no trigger fits best` is the share of runners"
    );
    println!("whose true events fit \"no trigger\" better than every plan (the oracle still has to name one).\n");
    println!(
        "| scenario | engine misses | engine's first places instead (% of misses) | oracle misses | oracle's first places instead |"
    );
    println!("|---|---|---|---|---|");
    let instead = |outs: &[Outcome], miss: &dyn Fn(&Check) -> bool, top: &dyn Fn(&Check) -> Option<Factor>| {
        let mut by: BTreeMap<String, usize> = BTreeMap::new();
        let mut misses = 0;
        for o in outs.iter().filter(|o| miss(&o.checks[1])) {
            misses += 1;
            *by.entry(name(top(&o.checks[1]))).or_default() += 1;
        }
        let mut v: Vec<(String, usize)> = by.into_iter().collect();
        v.sort_by(|x, y| y.1.cmp(&x.1).then(x.0.cmp(&y.0)));
        let top: Vec<String> =
            v.iter().take(4).map(|(f, c)| format!("{f} {:.0}", 100.0 * *c as f64 / misses.max(1) as f64)).collect();
        (misses, top.join(", "))
    };
    for &(si, s) in chosen {
        let outs = &results[&si];
        let (em, et) = instead(outs, &|c| !c.engine_first, &|c| c.engine_top);
        let (om, ot) = instead(outs, &|c| !c.oracle_first, &|c| c.oracle_top);
        let ot = if s.is_null() {
            format!("{ot}; no trigger fits best {}", pct(count(outs, 1, |c| c.oracle_none), outs.len()))
        } else {
            ot
        };
        println!("| {} | {em}/{} | {et} | {om}/{} | {ot} |", s.name, outs.len(), outs.len());
    }
}
