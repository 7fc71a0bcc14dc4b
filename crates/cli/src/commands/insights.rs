//! `runtall insights`, `runtall experiment` and `runtall progress`: the journal turned into observations for the
//! statistics engine (`runtall-insights`), and the engine's answers printed with honest uncertainty.

use super::Ctx;
use crate::args::{ExperimentArgs, ExperimentCommand};
use crate::error::{CliError, CliResult};
use jiff::Timestamp;
use jiff::civil::Date;
use jiff::tz::TimeZone;
use runtall_app::experiments;
use runtall_insights::{ExperimentDesign, ExperimentUnit, InsightsReport};
use runtall_store::Store;

fn today() -> Date {
    Timestamp::now().to_zoned(TimeZone::system()).date()
}

pub use runtall_app::report;

pub fn insights(ctx: &Ctx) -> CliResult {
    let store = ctx.store()?;
    let report = report(&store)?;
    if ctx.json {
        return ctx.print_json(&report);
    }
    print_report(&report);
    Ok(())
}

pub fn print_report(r: &InsightsReport) {
    println!("What goes with your pain — {} runs, pain after {} of them.", r.runs, r.runs_with_pain);
    println!("These are associations in your own journal, not causes: test one with `runtall experiment new`.\n");
    for line in &r.summary {
        println!("  {line}");
    }
    println!("\n{:<4} {:<34} {:>14} {:>22}  verdict", "#", "factor", "with / without", "risk ratio (95% CI)");
    for f in &r.factors {
        let counts = format!("{}/{} vs {}/{}", f.with.with_pain, f.with.runs, f.without.with_pain, f.without.runs);
        let rr = f
            .risk_ratio
            .as_ref()
            .map(|x| format!("{:.1} ({:.1}–{:.1})", x.estimate, x.lower, x.upper))
            .unwrap_or_else(|| "–".into());
        println!("{:<4} {:<34} {:>14} {:>22}  {}", f.rank, truncate(&f.label, 34), counts, rr, f.verdict.label());
    }
    for e in &r.entangled {
        println!("\n! {}", e.sentence);
    }
    if let Some(s) = &r.suggestion {
        println!("\nSuggested experiment: {}", s.sentence);
        println!("  start it: runtall experiment new --factor {}", s.factor.id());
    }
}

fn truncate(s: &str, n: usize) -> String {
    if s.chars().count() <= n { s.to_string() } else { s.chars().take(n - 1).collect::<String>() + "…" }
}

/// Starts an experiment from a design (the demo's, or `experiment new`'s) and feeds it the runs logged since.
pub fn start_experiment(store: &dyn Store, design: ExperimentDesign, started: Date) -> CliResult<i64> {
    Ok(experiments::start(store, design, started)?)
}

/// Prints where the running experiment stands (nothing when none is running).
pub fn print_status(store: &dyn Store) -> CliResult {
    let Some(s) = experiments::status(store, today(), false)? else { return Ok(()) };
    let result = &s.result;
    println!(
        "Experiment: {} — {} of {} runs or days done, {} of {} as assigned.",
        s.experiment.design.factor.label(),
        result.units_done,
        result.units_needed,
        result.adherence.followed,
        result.adherence.recorded
    );
    if let Some(next) = &s.next {
        println!("  Next: {}{}", next.instruction, if next.washout { " (wash-out: not analysed)" } else { "" });
    }
    println!("  {}", result.sentence);
    Ok(())
}

pub fn experiment(ctx: &Ctx, a: ExperimentArgs) -> CliResult {
    let store = ctx.store()?;
    let none_running = || CliError::user("no experiment running: `runtall experiment new`");
    match a.command {
        ExperimentCommand::New { factor, unit, seed } => {
            let factor = experiments::factor(&factor)?;
            let unit = match unit.as_deref() {
                None => factor.natural_unit(),
                Some("runs") => ExperimentUnit::Runs,
                Some("days") => ExperimentUnit::Days,
                Some(other) => return Err(CliError::user(format!("--unit '{other}': runs or days"))),
            };
            // The block order is randomized; the seed is recorded so the design can be reproduced.
            let seed = seed.unwrap_or_else(|| Timestamp::now().as_nanosecond() as u64);
            let design = ExperimentDesign::recommended(factor, unit, seed);
            start_experiment(&store, design, today())?;
            let s = experiments::status(&store, today(), false)?.ok_or_else(none_running)?;
            if ctx.json {
                return ctx.print_json(&s.experiment);
            }
            println!(
                "Experiment started: {} — alternating blocks of {} {}, order randomized, at least {} in all.",
                factor.label(),
                s.experiment.design.block_length,
                if unit == ExperimentUnit::Runs { "runs" } else { "days" },
                s.experiment.design.min_units()
            );
            println!("Change only this one thing; keep everything else as usual.");
            if let Some(first) = &s.next {
                println!("Next: {}", first.instruction);
            }
            println!(
                "Log each run's context (`runtall log run --pack/--no-pack ...`) and any pain; the verdict is hidden until the minimum length."
            );
            Ok(())
        }
        ExperimentCommand::Status => {
            let s = experiments::status(&store, today(), false)?.ok_or_else(none_running)?;
            if ctx.json {
                return ctx.print_json(&serde_json::json!({ "next": s.next, "result": s.result }));
            }
            print_status(&store)
        }
        ExperimentCommand::Result { early } => {
            let s = experiments::status(&store, today(), early)?.ok_or_else(none_running)?;
            if ctx.json {
                return ctx.print_json(&s.result);
            }
            println!("{}", s.result.sentence);
            for w in &s.result.warnings {
                println!("! {w}");
            }
            Ok(())
        }
        ExperimentCommand::Stop => {
            let result = experiments::stop(&store, today())?;
            if ctx.json {
                return ctx.print_json(&result);
            }
            println!("Experiment stopped. {}", result.sentence);
            Ok(())
        }
    }
}

/// `runtall progress`: pain against the baseline with the meaningful-change rule, the functional-scale re-score
/// date, and routine adherence.
pub fn progress(ctx: &Ctx) -> CliResult {
    let store = ctx.store()?;
    let p = runtall_app::progress::progress(&store, today())?;
    if ctx.json {
        return ctx.print_json(&p);
    }
    println!("Pain: baseline {}/10 (assessment of {}).", p.pain.baseline, p.psfs.baseline_date);
    println!("  {}", p.pain.sentence);
    println!(
        "Function (PSFS): {:.1}/10 at baseline, {:.1}/10 at the latest re-score ({}).",
        p.psfs.baseline, p.psfs.latest, p.psfs.latest_date,
    );
    if p.psfs.next.due_now {
        println!("  Time to re-score your activities: run `runtall assess` again (every 14 days).");
    } else {
        println!("  Next re-score due {} (in {} days).", p.psfs.next.next_due, p.psfs.next.days_until);
    }
    Ok(())
}
