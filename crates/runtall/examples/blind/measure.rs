//! One runner through the path a real journal takes — JSON Lines text, `journal_file::import_records` into a fresh
//! SQLite store (what `runtall journal import` runs), `observations::observations` (what the Insights page reads) —
//! then the engine's report and the two baselines on the first 40 and first 80 runs.

use crate::logbook::Written;
use jiff::Timestamp;
use jiff::civil::Date;
use runtall_app::observations::{observations, report_of};
use runtall_domain::journal_format::JsonlReader;
use runtall_insights::scenarios::{rank_by_ridge, rank_by_risk_ratio, top_factor};
use runtall_insights::{AnalysisConfig, Factor, RunObservation, Verdict};
use runtall_store::{SqliteStore, Store};

/// The checkpoints, in runs.
pub const CHECKPOINTS: [usize; 2] = [40, 80];

/// What happened at one checkpoint for one runner.
#[derive(Clone, Debug, Default)]
pub struct Check {
    pub engine_first: bool,
    pub rr_first: bool,
    pub ridge_first: bool,
    pub engine_first_r: bool,
    pub rr_first_r: bool,
    pub ridge_first_r: bool,
    pub planted_likely: bool,
    pub other_likely: bool,
    pub any_likely: bool,
    pub any_possible: bool,
    /// The engine judged a planted factor (not "not enough data"): the runner logged enough of it.
    pub planted_judged: bool,
    /// A planted factor among the first three (engine: among judged factors).
    pub engine_top3: bool,
    pub rr_top3: bool,
    pub ridge_top3: bool,
    /// The engine's first factor (None: nothing judged yet).
    pub engine_top: Option<Factor>,
    pub runs_with_pain: usize,
    /// The oracle (`oracle.rs`, from the true season) ranked a planted factor first: knowing the base and flare
    /// weeks, and not knowing them.
    pub oracle_first: bool,
    pub oracle_u_first: bool,
    /// The oracle with base and flare weeks unknown and one base range for every plan.
    pub oracle_c_first: bool,
    /// The same, not knowing the effect sizes either.
    pub oracle_r_first: bool,
    /// `oracle-c` reading the pain as the journal shows it (not a ceiling: where the loss is).
    pub oracle_l_first: bool,
    /// The knowing oracle's first factor, and whether "no trigger" fitted better than every plan.
    pub oracle_top: Option<Factor>,
    pub oracle_none: bool,
}

/// The import check failed: what was written and what came back differ.
#[derive(Debug)]
pub struct Lossy(pub String);

impl std::fmt::Display for Lossy {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Lossy {}

type Res<T> = Result<T, Box<dyn std::error::Error + Send + Sync>>;

fn lossy(what: &str, wrote: usize, got: usize) -> Res<()> {
    if wrote == got { Ok(()) } else { Err(Box::new(Lossy(format!("{what}: wrote {wrote}, the store has {got}")))) }
}

/// Imports the journal text into a fresh store, checks nothing was lost, and measures the engine and baselines.
/// Returns the checks at each checkpoint and, per run in date order, whether pain followed it as the engine sees it.
pub fn measure(
    text: &str,
    written: &Written,
    planted: &[Factor],
    plantable: &[Factor],
) -> Res<(Vec<Check>, Vec<bool>)> {
    let store = SqliteStore::in_memory()?;
    let mut reader = JsonlReader::new("blind.jsonl", text.as_bytes(), Timestamp::now());
    let stats = runtall_app::journal_file::import_records(&store, &mut reader)?;
    // The import check: what the importer says it added, what the store holds, and what the engine is given.
    lossy("runs and rides added", written.runs + written.rides, stats.runs_added)?;
    lossy("pain reports added", written.pain, stats.pain_added)?;
    lossy("days imported", written.days, stats.days)?;
    lossy("pain reports stored", written.pain, store.pain_reports(Timestamp::MIN, Timestamp::MAX)?.len())?;
    lossy("day logs stored", written.days, store.day_logs(Date::MIN, Date::MAX)?.len())?;
    let obs: Vec<RunObservation> = observations(&store)?.into_iter().map(|(_, o)| o).collect();
    lossy("runs the engine sees", written.runs, obs.len())?;
    lossy("runs with pain that followed", written.runs_with_pain, obs.iter().filter(|o| o.pain_followed).count())?;
    let config = AnalysisConfig::default();
    let mut out = Vec::new();
    for n in CHECKPOINTS {
        let part = &obs[..n.min(obs.len())];
        let expect = if n == 40 { written.runs_with_pain_40 } else { written.runs_with_pain_80 };
        lossy("runs with pain in the checkpoint", expect, part.iter().filter(|o| o.pain_followed).count())?;
        let report = report_of(part)?;
        let rr = rank_by_risk_ratio(part, &config);
        let ridge = rank_by_ridge(part, &config);
        let is_planted = |f: &Factor| planted.contains(f);
        let first_of = |ranked: &[Factor]| ranked.iter().find(|f| plantable.contains(f)).copied();
        let engine_top = top_factor(&report);
        let engine_r =
            report.factors.iter().filter(|r| r.verdict.judged()).map(|r| r.factor).find(|f| plantable.contains(f));
        let likely: Vec<Factor> =
            report.factors.iter().filter(|r| r.verdict == Verdict::LikelyLink).map(|r| r.factor).collect();
        out.push(Check {
            engine_first: engine_top.as_ref().is_some_and(is_planted),
            rr_first: rr.first().is_some_and(is_planted),
            ridge_first: ridge.first().is_some_and(is_planted),
            engine_first_r: engine_r.as_ref().is_some_and(is_planted),
            rr_first_r: first_of(&rr).as_ref().is_some_and(is_planted),
            ridge_first_r: first_of(&ridge).as_ref().is_some_and(is_planted),
            planted_likely: likely.iter().any(is_planted),
            other_likely: likely.iter().any(|f| !is_planted(f)),
            any_likely: !likely.is_empty(),
            any_possible: report
                .factors
                .iter()
                .any(|r| matches!(r.verdict, Verdict::LikelyLink | Verdict::PossibleLink)),
            engine_top3: report.factors.iter().filter(|r| r.verdict.judged()).take(3).any(|r| is_planted(&r.factor)),
            rr_top3: rr.iter().take(3).any(is_planted),
            ridge_top3: ridge.iter().take(3).any(is_planted),
            planted_judged: report.factors.iter().any(|r| is_planted(&r.factor) && r.verdict.judged()),
            engine_top,
            runs_with_pain: part.iter().filter(|o| o.pain_followed).count(),
            ..Check::default()
        });
    }
    Ok((out, obs.iter().map(|o| o.pain_followed).collect()))
}

/// Wilson score interval for `k` of `n` at 95%.
pub fn wilson(k: usize, n: usize) -> (f64, f64) {
    if n == 0 {
        return (0.0, 1.0);
    }
    let (k, n, z) = (k as f64, n as f64, 1.959_963_984_540_054_f64);
    let p = k / n;
    let d = 1.0 + z * z / n;
    let c = (p + z * z / (2.0 * n)) / d;
    let h = z * (p * (1.0 - p) / n + z * z / (4.0 * n * n)).sqrt() / d;
    ((c - h).max(0.0), (c + h).min(1.0))
}
