//! `runtall insights`, `runtall experiment` and `runtall progress`: the journal turned into observations for the
//! statistics engine (`runtall-insights`), and the engine's answers printed with honest uncertainty.

use super::Ctx;
use crate::args::{ExperimentArgs, ExperimentCommand};
use crate::error::{CliError, CliResult};
use jiff::civil::Date;
use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp};
use runtall_domain::assess::Surface;
use runtall_domain::classify::RunLabel;
use runtall_domain::journal::{DayLog, PainTiming};
use runtall_insights::{
    AnalysisConfig, Experiment, ExperimentDesign, ExperimentUnit, InsightsReport, LinkedPainReport, RunObservation,
    RunType, SurfaceKind, analyze, fill_load_flags, run_outcome,
};
use runtall_store::{ActivityFilter, Store};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};

fn err(e: impl std::fmt::Display) -> CliError {
    CliError::user(e.to_string())
}

fn local_date(t: Timestamp, offset_s: Option<i32>) -> Date {
    let shifted = t.checked_add(SignedDuration::from_secs(i64::from(offset_s.unwrap_or(0)))).unwrap_or(t);
    shifted.to_zoned(TimeZone::UTC).date()
}

fn run_type(label: Option<RunLabel>) -> RunType {
    match label {
        Some(RunLabel::Long) => RunType::Long,
        Some(RunLabel::Intervals) => RunType::Intervals,
        Some(RunLabel::Tempo) => RunType::Tempo,
        Some(RunLabel::Race) => RunType::Race,
        Some(RunLabel::Trail) => RunType::Trail,
        Some(RunLabel::Easy) | None => RunType::Easy,
    }
}

fn timing(t: PainTiming) -> runtall_insights::PainTiming {
    use runtall_insights::PainTiming as P;
    match t {
        PainTiming::Before => P::Before,
        PainTiming::During => P::During,
        PainTiming::RightAfter => P::RightAfter,
        PainTiming::NextMorning => P::NextMorning,
        PainTiming::AtDesk => P::AtDesk,
        PainTiming::Other => P::Other,
    }
}

/// One observation per run, oldest first, with the run's id (as text) so results can point back at it.
pub fn observations(store: &dyn Store) -> CliResult<Vec<(i64, RunObservation)>> {
    let mut rows = store.activities(&ActivityFilter::default())?;
    rows.retain(|r| r.sport.is_run());
    rows.reverse();
    let contexts: HashMap<i64, runtall_domain::journal::RunContext> =
        store.run_contexts()?.into_iter().map(|c| (c.run_id, c)).collect();
    let days: HashMap<Date, DayLog> = store.day_logs(Date::MIN, Date::MAX)?.into_iter().map(|d| (d.date, d)).collect();
    let mut pain: HashMap<i64, Vec<LinkedPainReport>> = HashMap::new();
    for p in store.pain_reports(Timestamp::MIN, Timestamp::MAX)? {
        if let Some(run) = p.run_id {
            let intensity = p.intensity.get().round().clamp(0.0, 10.0) as u8;
            pain.entry(run).or_default().push(LinkedPainReport { timing: timing(p.timing), intensity });
        }
    }
    let mut out = Vec::with_capacity(rows.len());
    for r in &rows {
        let date = local_date(r.start, r.utc_offset_s);
        let mut o = RunObservation::new(date, run_type(r.label), r.distance_m / 1000.0);
        o.id = Some(r.id.to_string());
        if let Some(c) = contexts.get(&r.id) {
            o.context.pack_worn = c.pack;
            o.context.surface = c.surface.map(|s| {
                if matches!(s, Surface::Road | Surface::Concrete) { SurfaceKind::Hard } else { SurfaceKind::Soft }
            });
            o.context.ate_within_2h = c.ate_within_2h;
            o.context.pre_run_routine_done = c.pre_run_done;
            o.context.post_run_reset_done = c.post_run_done;
        }
        if let Some(d) = days.get(&date) {
            o.context.sitting_hours = d.sitting_h.map(|h| h.get());
            o.context.longest_sitting_hours = d.longest_sitting_h.map(|h| h.get());
            o.context.car_hours_same_day = d.car_h.map(|h| h.get());
            o.context.sleep_hours = d.sleep_h.map(|h| h.get());
            o.context.stress = d.stress.map(|s| s.get().round() as u8);
        }
        if let Some(prev) = date.yesterday().ok().and_then(|y| days.get(&y)) {
            o.context.car_hours_day_before = prev.car_h.map(|h| h.get());
        }
        let outcome = run_outcome(pain.get(&r.id).map(Vec::as_slice).unwrap_or(&[])).map_err(err)?;
        o.pain_followed = outcome.pain_followed;
        o.max_pain = outcome.max_pain;
        out.push((r.id, o));
    }
    let mut obs: Vec<RunObservation> = out.iter().map(|(_, o)| o.clone()).collect();
    fill_load_flags(&mut obs, &[]).map_err(err)?;
    Ok(out.into_iter().zip(obs).map(|((id, _), o)| (id, o)).collect())
}

pub fn report(store: &dyn Store) -> CliResult<InsightsReport> {
    let obs: Vec<RunObservation> = observations(store)?.into_iter().map(|(_, o)| o).collect();
    analyze(&obs, &AnalysisConfig::default()).map_err(err)
}

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

/// An experiment as stored: the engine's state plus which runs or days have been fed into it.
#[derive(Serialize, Deserialize)]
struct StoredExperiment {
    experiment: Experiment,
    recorded_runs: Vec<i64>,
}

fn today() -> Date {
    Timestamp::now().to_zoned(TimeZone::system()).date()
}

fn load(store: &dyn Store) -> CliResult<Option<(i64, StoredExperiment)>> {
    store
        .active_experiment()?
        .map(|(id, v)| serde_json::from_value(v).map(|e| (id, e)).map_err(|e| CliError::Internal(e.into())))
        .transpose()
}

fn save(store: &dyn Store, id: Option<i64>, e: &StoredExperiment, active: bool) -> CliResult<i64> {
    let json = serde_json::to_value(e).map_err(|e| CliError::Internal(e.into()))?;
    Ok(store.put_experiment(id, e.experiment.started, active, &json)?)
}

/// Feeds runs logged since the experiment started into it: whether the assignment was followed comes from the
/// run's context (pack worn, routine done, surface, eating), pain from the linked reports.
fn sync(store: &dyn Store, e: &mut StoredExperiment) -> CliResult<usize> {
    use runtall_insights::{Condition, ExperimentFactor};
    if e.experiment.design.unit != ExperimentUnit::Runs {
        return Ok(0);
    }
    let factor = e.experiment.design.factor;
    let contexts: HashMap<i64, runtall_domain::journal::RunContext> =
        store.run_contexts()?.into_iter().map(|c| (c.run_id, c)).collect();
    let mut added = 0;
    for (id, o) in observations(store)? {
        if o.date < e.experiment.started || e.recorded_runs.contains(&id) {
            continue;
        }
        let Ok(assignment) = e.experiment.assignment_for(o.date) else { continue };
        let change = assignment.condition == Condition::Change;
        let c = contexts.get(&id);
        let did_change = match factor {
            ExperimentFactor::Pack => c.and_then(|c| c.pack).map(|p| !p),
            ExperimentFactor::PreRunBreathing | ExperimentFactor::FoamRoller => c.and_then(|c| c.pre_run_done),
            ExperimentFactor::Surface => {
                c.and_then(|c| c.surface).map(|s| !matches!(s, Surface::Road | Surface::Concrete))
            }
            ExperimentFactor::EatingBefore => c.and_then(|c| c.ate_within_2h).map(|a| !a),
        };
        // Unknown context counts as not followed: adherence is reported, never assumed.
        let followed = did_change == Some(change);
        if e.experiment.record(o.date, followed, o.pain_followed, o.max_pain).is_ok() {
            e.recorded_runs.push(id);
            added += 1;
        }
    }
    Ok(added)
}

/// Starts an experiment from a design (the demo's, or `experiment new`'s) and feeds it the runs logged since.
pub fn start_experiment(store: &dyn Store, design: ExperimentDesign, started: Date) -> CliResult<i64> {
    let experiment = Experiment::new(design, started).map_err(err)?;
    let mut stored = StoredExperiment { experiment, recorded_runs: vec![] };
    sync(store, &mut stored)?;
    save(store, None, &stored, true)
}

/// Prints where the running experiment stands (nothing when none is running).
pub fn print_status(store: &dyn Store) -> CliResult {
    let Some((id, mut e)) = load(store)? else { return Ok(()) };
    sync(store, &mut e)?;
    save(store, Some(id), &e, true)?;
    let next = e.experiment.assignment_for(today()).map_err(err)?;
    let result = e.experiment.result(false);
    println!(
        "Experiment: {} — {} of {} runs or days done, {} of {} as assigned.",
        e.experiment.design.factor.label(),
        result.units_done,
        result.units_needed,
        result.adherence.followed,
        result.adherence.recorded
    );
    println!("  Next: {}{}", next.instruction, if next.washout { " (wash-out: not analysed)" } else { "" });
    println!("  {}", result.sentence);
    Ok(())
}

pub fn experiment(ctx: &Ctx, a: ExperimentArgs) -> CliResult {
    use runtall_insights::ExperimentFactor;
    let store = ctx.store()?;
    match a.command {
        ExperimentCommand::New { factor, unit, seed } => {
            if load(&store)?.is_some() {
                return Err(CliError::user("an experiment is already running: `runtall experiment stop` first"));
            }
            let factor = ExperimentFactor::ALL.into_iter().find(|f| f.id() == factor).ok_or_else(|| {
                CliError::user(format!(
                    "unknown factor '{factor}' (expected pack, pre-run-breathing, foam-roller, surface or eating-before)"
                ))
            })?;
            let unit = match unit.as_deref() {
                None => factor.natural_unit(),
                Some("runs") => ExperimentUnit::Runs,
                Some("days") => ExperimentUnit::Days,
                Some(other) => return Err(CliError::user(format!("--unit '{other}': runs or days"))),
            };
            // The block order is randomized; the seed is recorded so the design can be reproduced.
            let seed = seed.unwrap_or_else(|| Timestamp::now().as_nanosecond() as u64);
            let design = ExperimentDesign::recommended(factor, unit, seed);
            let id = start_experiment(&store, design, today())?;
            let Some((_, stored)) = load(&store)? else {
                return Err(CliError::Internal(anyhow::anyhow!("experiment #{id} was not stored")));
            };
            if ctx.json {
                return ctx.print_json(&stored.experiment);
            }
            let first = stored.experiment.assignment_for(today()).map_err(err)?;
            println!(
                "Experiment started: {} — alternating blocks of {} {}, order randomized, at least {} in all.",
                factor.label(),
                stored.experiment.design.block_length,
                if unit == ExperimentUnit::Runs { "runs" } else { "days" },
                stored.experiment.design.min_units()
            );
            println!("Change only this one thing; keep everything else as usual.");
            println!("Next: {}", first.instruction);
            println!(
                "Log each run's context (`runtall log run --pack/--no-pack ...`) and any pain; the verdict is hidden until the minimum length."
            );
            Ok(())
        }
        ExperimentCommand::Status => {
            let (id, mut e) =
                load(&store)?.ok_or_else(|| CliError::user("no experiment running: `runtall experiment new`"))?;
            if ctx.json {
                sync(&store, &mut e)?;
                save(&store, Some(id), &e, true)?;
                let next = e.experiment.assignment_for(today()).map_err(err)?;
                return ctx.print_json(&serde_json::json!({ "next": next, "result": e.experiment.result(false) }));
            }
            print_status(&store)
        }
        ExperimentCommand::Result { early } => {
            let (id, mut e) =
                load(&store)?.ok_or_else(|| CliError::user("no experiment running: `runtall experiment new`"))?;
            sync(&store, &mut e)?;
            save(&store, Some(id), &e, true)?;
            let result = e.experiment.result(early);
            if ctx.json {
                return ctx.print_json(&result);
            }
            println!("{}", result.sentence);
            for w in &result.warnings {
                println!("! {w}");
            }
            Ok(())
        }
        ExperimentCommand::Stop => {
            let (id, mut e) = load(&store)?.ok_or_else(|| CliError::user("no experiment running"))?;
            sync(&store, &mut e)?;
            e.experiment.stop(today()).map_err(err)?;
            save(&store, Some(id), &e, false)?;
            let result = e.experiment.result(true);
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
    use runtall_insights::measures;
    let store = ctx.store()?;
    let assessments = store.assessments()?;
    let first = assessments.first().ok_or_else(|| CliError::user("no assessment yet: run `runtall assess`"))?;
    let latest = assessments.last().unwrap_or(first);
    let baseline = first.assessment.baseline_pain.get();
    let reports = store.pain_reports(Timestamp::MIN, Timestamp::MAX)?;
    // The day's worst report is the day's pain.
    let mut by_day: BTreeMap<Date, u8> = BTreeMap::new();
    for r in &reports {
        let e = by_day.entry(local_date(r.at, None)).or_insert(0);
        *e = (*e).max(r.intensity.get().round().clamp(0.0, 10.0) as u8);
    }
    let points: Vec<measures::PainPoint> =
        by_day.into_iter().map(|(date, intensity)| measures::PainPoint { date, intensity }).collect();
    let today = today();
    let trend = measures::pain_trend(baseline, &points, today, 14).map_err(err)?;
    let last_scored = latest.taken_at.to_zoned(TimeZone::UTC).date();
    let due = measures::psfs_next_due(last_scored, today).map_err(err)?;
    if ctx.json {
        return ctx.print_json(&serde_json::json!({
            "pain": trend,
            "psfs": { "baseline": first.assessment.psfs_score(), "latest": latest.assessment.psfs_score(), "next": due },
        }));
    }
    println!("Pain: baseline {baseline}/10 (assessment of {}).", first.taken_at.strftime("%Y-%m-%d"));
    println!("  {}", trend.sentence);
    println!(
        "Function (PSFS): {:.1}/10 at baseline, {:.1}/10 at the latest re-score ({}).",
        first.assessment.psfs_score(),
        latest.assessment.psfs_score(),
        latest.taken_at.strftime("%Y-%m-%d"),
    );
    if due.due_now {
        println!("  Time to re-score your activities: run `runtall assess` again (every 14 days).");
    } else {
        println!("  Next re-score due {} (in {} days).", due.next_due, due.days_until);
    }
    Ok(())
}
