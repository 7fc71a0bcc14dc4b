//! Self-experiments: change one thing at a time, in alternating blocks, and see whether pain changes with it.
//!
//! Why this design: the journal can only show what *goes with* pain, and factors travel together. Switching one factor
//! on and off while the rest of life carries on is the way to see whether that factor matters for this runner — the
//! advice the article's author gave a reader who had noticed several possible triggers. Blocks come in pairs (usual,
//! change or change, usual) with the order of each pair drawn from a seeded generator, so slow drifts (a training
//! block, a stressful month) hit both conditions alike and the schedule can be reproduced from its seed. An optional
//! wash-out drops the first runs or days of each block from the analysis, for effects that linger.
//!
//! The verdict stays hidden until the planned minimum length is reached, because early looks at noisy data swing
//! widely and invite stopping at a lucky moment; it can be shown early only with an explicit flag, and then carries a
//! warning. The state is plain data (serde), so the caller stores it as JSON and hands it back.

use crate::error::{InsightsError, check_rating};
use crate::factors::Factor;
use crate::rng::SplitMix64;
use crate::special::{normal_cdf, t_cdf, t_quantile};
use jiff::civil::Date;
use serde::{Deserialize, Serialize};

/// Things a runner can switch on and off at will.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ExperimentFactor {
    Pack,
    PreRunBreathing,
    FoamRoller,
    Surface,
    EatingBefore,
}

impl ExperimentFactor {
    pub const ALL: [ExperimentFactor; 5] = [
        ExperimentFactor::Pack,
        ExperimentFactor::PreRunBreathing,
        ExperimentFactor::FoamRoller,
        ExperimentFactor::Surface,
        ExperimentFactor::EatingBefore,
    ];

    pub fn id(self) -> &'static str {
        match self {
            ExperimentFactor::Pack => "pack",
            ExperimentFactor::PreRunBreathing => "pre-run-breathing",
            ExperimentFactor::FoamRoller => "foam-roller",
            ExperimentFactor::Surface => "surface",
            ExperimentFactor::EatingBefore => "eating-before",
        }
    }

    /// Whether the experiment naturally counts runs or days: the foam-roller routine is a daily habit, the rest
    /// belong to a run.
    pub fn natural_unit(self) -> ExperimentUnit {
        match self {
            ExperimentFactor::FoamRoller => ExperimentUnit::Days,
            _ => ExperimentUnit::Runs,
        }
    }

    /// What is alternated, as a noun phrase ("pack on and off").
    pub fn label(self) -> &'static str {
        match self {
            ExperimentFactor::Pack => "pack on and pack off",
            ExperimentFactor::PreRunBreathing => "the pre-run breathing routine and no routine",
            ExperimentFactor::FoamRoller => "the foam-roller routine and no routine",
            ExperimentFactor::Surface => "hard and soft ground",
            ExperimentFactor::EatingBefore => "eating within 2 h before and not eating",
        }
    }

    /// What to do under each condition. "Usual" is the suspected side; "change" is what the runner hopes helps.
    pub fn instruction(self, c: Condition) -> &'static str {
        match (self, c) {
            (ExperimentFactor::Pack, Condition::Usual) => "Wear your pack or vest as usual.",
            (ExperimentFactor::Pack, Condition::Change) => {
                "Leave the pack at home: a handheld bottle, a belt, or a route past water."
            }
            (ExperimentFactor::PreRunBreathing, Condition::Usual) => "Skip the pre-run breathing routine.",
            (ExperimentFactor::PreRunBreathing, Condition::Change) => "Do the pre-run breathing routine before you go.",
            (ExperimentFactor::FoamRoller, Condition::Usual) => "Skip the foam-roller routine.",
            (ExperimentFactor::FoamRoller, Condition::Change) => "Do the foam-roller routine.",
            (ExperimentFactor::Surface, Condition::Usual) => "Run on road or pavement.",
            (ExperimentFactor::Surface, Condition::Change) => "Run on trail, grass, track or treadmill.",
            (ExperimentFactor::EatingBefore, Condition::Usual) => "Eat as usual, even within 2 h before the run.",
            (ExperimentFactor::EatingBefore, Condition::Change) => "Nothing to eat in the 2 h before the run.",
        }
    }
}

/// Whether an experiment counts runs or calendar days.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ExperimentUnit {
    Runs,
    Days,
}

/// The two conditions being compared.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Condition {
    /// The suspected side (pack on, routine skipped, hard ground, eating shortly before).
    Usual,
    /// The change being tested.
    Change,
}

impl Condition {
    pub fn other(self) -> Condition {
        match self {
            Condition::Usual => Condition::Change,
            Condition::Change => Condition::Usual,
        }
    }
}

/// Allowed runs or days per block. Up to two weeks: longer blocks let seasons and training blocks creep in.
pub const BLOCK_LENGTH: std::ops::RangeInclusive<u32> = 1..=14;
/// Allowed number of block pairs before the verdict.
pub const MIN_PAIRS: std::ops::RangeInclusive<u32> = 2..=12;

fn check_block_length(n: u32) -> Result<(), InsightsError> {
    if !BLOCK_LENGTH.contains(&n) {
        return Err(InsightsError::out_of_range("block_length", n, "1–14"));
    }
    Ok(())
}

/// How the experiment is laid out.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExperimentDesign {
    pub factor: ExperimentFactor,
    pub unit: ExperimentUnit,
    /// Runs or days per block (1–14).
    pub block_length: u32,
    /// Minimum number of block pairs before the verdict is shown (2–12); the minimum length is
    /// `2 × pairs × block_length`.
    pub min_pairs: u32,
    /// Runs or days at the start of each block that are followed but left out of the analysis (less than the block
    /// length).
    pub washout: u32,
    /// Only runs of this kind take part (e.g. long runs, to separate the pack from long runs); informational for the
    /// caller, which decides which runs to record.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub only_on: Option<Factor>,
    /// Seed of the block order.
    pub seed: u64,
}

impl ExperimentDesign {
    /// A sensible default: blocks of 2 runs, 3 pairs (12 runs), no wash-out; or blocks of 4 days with a 1-day
    /// wash-out, 3 pairs (24 days).
    pub fn recommended(factor: ExperimentFactor, unit: ExperimentUnit, seed: u64) -> Self {
        let (block_length, washout) = match unit {
            ExperimentUnit::Runs => (2, 0),
            ExperimentUnit::Days => (4, 1),
        };
        ExperimentDesign { factor, unit, block_length, min_pairs: 3, washout, only_on: None, seed }
    }

    /// Runs or days needed before the verdict is shown.
    pub fn min_units(&self) -> u32 {
        2 * self.min_pairs * self.block_length
    }

    /// The shortest and longest minimum length (in runs or days) this block length allows: 2 to 12 pairs of blocks.
    /// Fewer than 2 pairs leaves each condition a single block, which a slow drift can mimic; more than 12 is months.
    pub fn min_units_allowed(&self) -> (u32, u32) {
        let pair = self.block_length.saturating_mul(2);
        (pair.saturating_mul(*MIN_PAIRS.start()), pair.saturating_mul(*MIN_PAIRS.end()))
    }

    /// Sets the minimum length from a number of runs or days, rounded up to whole pairs of blocks so both conditions
    /// get the same number of blocks. Refuses lengths outside [`Self::min_units_allowed`] (field `min_units`).
    pub fn set_min_units(&mut self, units: u32) -> Result<(), InsightsError> {
        check_block_length(self.block_length)?;
        let (lo, hi) = self.min_units_allowed();
        if !(lo..=hi).contains(&units) {
            let unit = unit_word(self.unit);
            return Err(InsightsError::out_of_range(
                "min_units",
                units,
                &format!(
                    "{lo}–{hi} {unit} with blocks of {}: 2 to 12 pairs of blocks, one of each condition per pair",
                    self.block_length
                ),
            ));
        }
        self.min_pairs = units.div_ceil(2 * self.block_length);
        Ok(())
    }

    /// Checks the design can be run; the error names the field (`block_length`, `min_pairs`, `washout`).
    pub fn validate(&self) -> Result<(), InsightsError> {
        check_block_length(self.block_length)?;
        if !MIN_PAIRS.contains(&self.min_pairs) {
            return Err(InsightsError::out_of_range("min_pairs", self.min_pairs, "2–12"));
        }
        if self.washout >= self.block_length {
            return Err(InsightsError::invalid(
                "washout",
                format!(
                    "{} must be less than the block length ({}), or nothing in a block is analysed",
                    self.washout, self.block_length
                ),
            ));
        }
        Ok(())
    }

    /// Condition of the block pair's first block: a fair coin per pair, derived from the seed and the pair number
    /// so any unit's assignment can be computed without replaying the schedule.
    fn first_of_pair(&self, pair: u32) -> Condition {
        let mut r = SplitMix64::fork(self.seed, u64::from(pair));
        if r.next_u64() & 1 == 0 { Condition::Usual } else { Condition::Change }
    }

    /// The assignment for unit `index` (0-based: the n-th run or the n-th day of the experiment).
    pub fn assignment(&self, index: u32) -> Assignment {
        let block = index / self.block_length;
        let position = index % self.block_length;
        let first = self.first_of_pair(block / 2);
        let condition = if block.is_multiple_of(2) { first } else { first.other() };
        Assignment {
            index,
            block,
            condition,
            instruction: self.factor.instruction(condition).to_string(),
            washout: position < self.washout,
            left_in_block: self.block_length - position - 1,
        }
    }
}

/// What to do for one run or day.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Assignment {
    /// 0-based run or day number within the experiment.
    pub index: u32,
    pub block: u32,
    pub condition: Condition,
    pub instruction: String,
    /// This run or day is a wash-out: follow the instruction, but it is not analysed.
    pub washout: bool,
    /// Runs or days left in this block after this one.
    pub left_in_block: u32,
}

/// One recorded run or day.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExperimentObservation {
    pub index: u32,
    pub date: Date,
    /// The runner did what was assigned.
    pub followed: bool,
    pub pain_followed: bool,
    pub max_pain: u8,
}

/// An experiment's whole state, meant to be stored as JSON by the caller.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Experiment {
    pub design: ExperimentDesign,
    pub started: Date,
    pub observations: Vec<ExperimentObservation>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stopped: Option<Date>,
}

/// Where a result stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ResultStatus {
    /// Below the minimum length; numbers withheld.
    Hidden,
    /// Below the minimum length, shown on request with a warning.
    Early,
    /// Minimum length reached.
    Ready,
}

/// Pain under one condition.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ArmSummary {
    pub condition: Condition,
    pub units: usize,
    pub with_pain: usize,
    pub mean_pain: Option<f64>,
    pub pain_rate: Option<f64>,
}

/// Change minus usual, with a 95% interval and the probability that the change lowers pain.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Difference {
    pub estimate: f64,
    pub lower: f64,
    pub upper: f64,
    pub level: f64,
    pub prob_change_helps: f64,
}

/// Whether the first runs or days of a block look like the previous block.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CarryOver {
    pub suspected: bool,
    /// Average pull of a block's first analysed unit towards the previous condition, in pain points.
    pub estimate: f64,
    pub blocks_checked: usize,
    pub sentence: String,
}

/// Adherence to the assignments.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExperimentAdherence {
    pub followed: usize,
    pub recorded: usize,
    pub share: Option<f64>,
}

/// The experiment's result (or progress, while hidden).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExperimentResult {
    pub status: ResultStatus,
    pub stopped: bool,
    pub units_done: u32,
    pub units_needed: u32,
    pub adherence: ExperimentAdherence,
    /// Withheld (None) while hidden.
    pub usual: Option<ArmSummary>,
    pub change: Option<ArmSummary>,
    /// Difference in mean pain intensity (0–10 points).
    pub mean_pain_difference: Option<Difference>,
    /// Difference in the share of runs or days followed by pain.
    pub pain_rate_difference: Option<Difference>,
    pub carry_over: Option<CarryOver>,
    pub warnings: Vec<String>,
    pub sentence: String,
}

impl Experiment {
    pub fn new(design: ExperimentDesign, started: Date) -> Result<Self, InsightsError> {
        design.validate()?;
        Ok(Experiment { design, started, observations: Vec::new(), stopped: None })
    }

    /// The unit index that `date` (for day experiments) or the next recorded run (for run experiments) falls on.
    fn next_index(&self, date: Date) -> Result<u32, InsightsError> {
        if date < self.started {
            return Err(InsightsError::invalid(
                "date",
                format!("{date} is before the experiment started ({})", self.started),
            ));
        }
        match self.design.unit {
            ExperimentUnit::Runs => u32::try_from(self.observations.len())
                .map_err(|_| InsightsError::invalid("observations", "too many runs recorded")),
            ExperimentUnit::Days => {
                let days = (date - self.started).get_days();
                u32::try_from(days).map_err(|_| InsightsError::invalid("date", "too far from the start"))
            }
        }
    }

    /// What to do on the next run (run experiments) or on `date` (day experiments).
    pub fn assignment_for(&self, date: Date) -> Result<Assignment, InsightsError> {
        if let Some(s) = self.stopped {
            return Err(InsightsError::invalid("experiment", format!("stopped on {s}")));
        }
        Ok(self.design.assignment(self.next_index(date)?))
    }

    /// Records the next run (or the day `date`): whether the assignment was followed and the pain that followed.
    pub fn record(
        &mut self,
        date: Date,
        followed: bool,
        pain_followed: bool,
        max_pain: u8,
    ) -> Result<Assignment, InsightsError> {
        check_rating("max_pain", max_pain)?;
        if pain_followed && max_pain < crate::PAIN_THRESHOLD {
            return Err(InsightsError::invalid(
                "max_pain",
                format!("pain followed but max pain is {max_pain} (needs {} or more)", crate::PAIN_THRESHOLD),
            ));
        }
        let assignment = self.assignment_for(date)?;
        if let Some(last) = self.observations.last() {
            if date < last.date {
                return Err(InsightsError::invalid(
                    "date",
                    format!("{date} is before the last recorded entry ({})", last.date),
                ));
            }
            if self.design.unit == ExperimentUnit::Days && last.index == assignment.index {
                return Err(InsightsError::invalid("date", format!("{date} is already recorded")));
            }
        }
        self.observations.push(ExperimentObservation {
            index: assignment.index,
            date,
            followed,
            pain_followed,
            max_pain,
        });
        Ok(assignment)
    }

    /// Ends the experiment; the result stays available.
    pub fn stop(&mut self, date: Date) -> Result<(), InsightsError> {
        if date < self.started {
            return Err(InsightsError::invalid("date", "stop date is before the start"));
        }
        self.stopped = Some(date);
        Ok(())
    }

    /// Runs or days covered so far.
    pub fn units_done(&self) -> u32 {
        match self.design.unit {
            ExperimentUnit::Runs => u32::try_from(self.observations.len()).unwrap_or(u32::MAX),
            ExperimentUnit::Days => self.observations.last().map_or(0, |o| o.index + 1),
        }
    }

    /// The result; before the minimum length the numbers are withheld unless `show_early` is set.
    pub fn result(&self, show_early: bool) -> ExperimentResult {
        let design = &self.design;
        let done = self.units_done();
        let needed = design.min_units();
        let followed = self.observations.iter().filter(|o| o.followed).count();
        let adherence = ExperimentAdherence {
            followed,
            recorded: self.observations.len(),
            share: (!self.observations.is_empty()).then(|| followed as f64 / self.observations.len() as f64),
        };
        let status = if done >= needed {
            ResultStatus::Ready
        } else if show_early {
            ResultStatus::Early
        } else {
            ResultStatus::Hidden
        };
        let mut warnings = Vec::new();
        if status == ResultStatus::Hidden {
            let unit = unit_word(design.unit);
            return ExperimentResult {
                status,
                stopped: self.stopped.is_some(),
                units_done: done,
                units_needed: needed,
                adherence,
                usual: None,
                change: None,
                mean_pain_difference: None,
                pain_rate_difference: None,
                carry_over: None,
                warnings,
                sentence: format!(
                    "{done} of {needed} {unit} done. The result stays hidden until then, so an early lucky streak \
                     does not decide it."
                ),
            };
        }
        if status == ResultStatus::Early {
            warnings.push(format!(
                "Early look: only {done} of the planned {needed} {}. Estimates this early swing widely; do not act \
                 on them yet.",
                unit_word(design.unit)
            ));
        }
        if let Some(share) = adherence.share
            && share < 0.8
        {
            warnings.push(format!(
                "The assignment was followed {:.0}% of the time; runs are analysed by what was actually done, which \
                 lets other reasons for the choice creep back in.",
                100.0 * share
            ));
        }

        // As treated: a run where the assignment was not followed had the other condition.
        let analysed: Vec<(&ExperimentObservation, Assignment, Condition)> = self
            .observations
            .iter()
            .map(|o| {
                let a = design.assignment(o.index);
                let actual = if o.followed { a.condition } else { a.condition.other() };
                (o, a, actual)
            })
            .filter(|(_, a, _)| !a.washout)
            .collect();
        let arm = |c: Condition| -> (ArmSummary, Vec<f64>) {
            let vals: Vec<&ExperimentObservation> =
                analysed.iter().filter(|(_, _, actual)| *actual == c).map(|(o, _, _)| *o).collect();
            let pains: Vec<f64> = vals.iter().map(|o| f64::from(o.max_pain)).collect();
            let with_pain = vals.iter().filter(|o| o.pain_followed).count();
            let n = vals.len();
            (
                ArmSummary {
                    condition: c,
                    units: n,
                    with_pain,
                    mean_pain: (n > 0).then(|| pains.iter().sum::<f64>() / n as f64),
                    pain_rate: (n > 0).then(|| with_pain as f64 / n as f64),
                },
                pains,
            )
        };
        let (usual, usual_vals) = arm(Condition::Usual);
        let (change, change_vals) = arm(Condition::Change);
        let mean_diff = mean_difference(&usual_vals, &change_vals);
        let rate_diff = rate_difference(&usual, &change);
        let carry = carry_over(&analysed, design, &usual, &change);
        if let Some(c) = &carry
            && c.suspected
        {
            warnings.push(c.sentence.clone());
        }
        let sentence = match &mean_diff {
            Some(d) => {
                let dir = if d.estimate < 0.0 { "lower" } else { "higher" };
                format!(
                    "With {} pain was on average {:.1} points {dir} (95% interval {:+.1} to {:+.1}); probability that \
                     the change helps: {:.0}%.",
                    change_phrase(design.factor),
                    d.estimate.abs(),
                    d.lower,
                    d.upper,
                    100.0 * d.prob_change_helps
                )
            }
            None => "Not enough runs under each condition to compare yet.".to_string(),
        };
        ExperimentResult {
            status,
            stopped: self.stopped.is_some(),
            units_done: done,
            units_needed: needed,
            adherence,
            usual: Some(usual),
            change: Some(change),
            mean_pain_difference: mean_diff,
            pain_rate_difference: rate_diff,
            carry_over: carry,
            warnings,
            sentence,
        }
    }
}

fn unit_word(u: ExperimentUnit) -> &'static str {
    match u {
        ExperimentUnit::Runs => "runs",
        ExperimentUnit::Days => "days",
    }
}

fn change_phrase(f: ExperimentFactor) -> &'static str {
    match f {
        ExperimentFactor::Pack => "the pack left at home",
        ExperimentFactor::PreRunBreathing => "the pre-run breathing routine",
        ExperimentFactor::FoamRoller => "the foam-roller routine",
        ExperimentFactor::Surface => "softer ground",
        ExperimentFactor::EatingBefore => "no food in the 2 h before",
    }
}

/// Change minus usual in mean pain. Each arm's variance gets a weak prior worth one observation of one point squared
/// (a 0–10 rating moves by about a point from day to day), so an arm of identical ratings does not claim certainty;
/// the interval and probability come from the Welch–Satterthwaite t approximation.
fn mean_difference(usual: &[f64], change: &[f64]) -> Option<Difference> {
    if usual.len() < 2 || change.len() < 2 {
        return None;
    }
    let stats = |v: &[f64]| {
        let n = v.len() as f64;
        let m = v.iter().sum::<f64>() / n;
        let ss: f64 = v.iter().map(|x| (x - m) * (x - m)).sum();
        let var = (ss + 1.0) / n; // (n − 1) + 1 prior observation
        (n, m, var)
    };
    let (n1, m1, v1) = stats(usual);
    let (n2, m2, v2) = stats(change);
    let se2 = v1 / n1 + v2 / n2;
    let se = se2.sqrt();
    let df = se2 * se2 / ((v1 / n1).powi(2) / n1 + (v2 / n2).powi(2) / n2);
    let d = m2 - m1;
    let q = t_quantile(0.975, df);
    Some(Difference {
        estimate: d,
        lower: d - q * se,
        upper: d + q * se,
        level: 0.95,
        prob_change_helps: t_cdf(-d / se, df),
    })
}

/// Change minus usual in the pain-after rate, from Beta(1, 1) posteriors of each rate (normal approximation of the
/// difference, which is good enough at the counts an experiment produces and keeps this deterministic).
fn rate_difference(usual: &ArmSummary, change: &ArmSummary) -> Option<Difference> {
    if usual.units == 0 || change.units == 0 {
        return None;
    }
    let post = |a: &ArmSummary| {
        let (al, be) = (1.0 + a.with_pain as f64, 1.0 + (a.units - a.with_pain) as f64);
        let m = al / (al + be);
        (m, al * be / ((al + be).powi(2) * (al + be + 1.0)))
    };
    let (m1, v1) = post(usual);
    let (m2, v2) = post(change);
    let d = m2 - m1;
    let sd = (v1 + v2).sqrt();
    Some(Difference {
        estimate: d,
        lower: (d - 1.96 * sd).max(-1.0),
        upper: (d + 1.96 * sd).min(1.0),
        level: 0.95,
        prob_change_helps: normal_cdf(-d / sd),
    })
}

/// Looks at each block that follows a switch: if its first analysed unit sits closer to the previous condition's
/// average than the rest of the block does, the effect may be lingering. Needs at least two analysed units per block
/// and a difference between conditions of at least one point to be meaningful.
fn carry_over(
    analysed: &[(&ExperimentObservation, Assignment, Condition)],
    design: &ExperimentDesign,
    usual: &ArmSummary,
    change: &ArmSummary,
) -> Option<CarryOver> {
    if design.block_length - design.washout < 2 {
        return None;
    }
    let (Some(mu), Some(mc)) = (usual.mean_pain, change.mean_pain) else { return None };
    let gap = mc - mu;
    let mut pulls = Vec::new();
    let mut blocks: Vec<u32> = analysed.iter().map(|(_, a, _)| a.block).collect();
    blocks.dedup();
    for b in blocks {
        if b == 0 {
            continue;
        }
        let units: Vec<&(&ExperimentObservation, Assignment, Condition)> =
            analysed.iter().filter(|(_, a, _)| a.block == b).collect();
        if units.len() < 2 {
            continue;
        }
        let this = units[0].1.condition;
        let prev = design.assignment((b - 1) * design.block_length).condition;
        if this == prev {
            continue;
        }
        let first = f64::from(units[0].0.max_pain);
        let rest = units[1..].iter().map(|u| f64::from(u.0.max_pain)).sum::<f64>() / (units.len() - 1) as f64;
        // Positive when the first unit leans towards the previous condition's level.
        let towards_prev = match this {
            Condition::Change => -gap, // previous was usual: usual − change
            Condition::Usual => gap,
        };
        pulls.push((first - rest) * towards_prev.signum());
    }
    if pulls.is_empty() {
        return None;
    }
    let estimate = pulls.iter().sum::<f64>() / pulls.len() as f64;
    let suspected = gap.abs() >= 1.0 && pulls.len() >= 2 && estimate >= 0.5 * gap.abs();
    let sentence = if suspected {
        format!(
            "Carry-over: the first {} of each block looks like the block before (by {:.1} points on average), so the \
             effect may linger. A longer wash-out (now {}) would make the comparison cleaner.",
            if design.unit == ExperimentUnit::Runs { "run" } else { "day" },
            estimate,
            design.washout
        )
    } else {
        "No sign that effects linger from one block into the next.".to_string()
    };
    Some(CarryOver { suspected, estimate, blocks_checked: pulls.len(), sentence })
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    fn design() -> ExperimentDesign {
        ExperimentDesign::recommended(ExperimentFactor::Pack, ExperimentUnit::Runs, 42)
    }

    #[test]
    fn blocks_alternate_within_pairs_and_are_reproducible() {
        let d = design();
        for pair in 0..10 {
            let a = d.assignment(pair * 4).condition;
            let b = d.assignment(pair * 4 + 2).condition;
            assert_ne!(a, b, "the two blocks of a pair differ");
            assert_eq!(d.assignment(pair * 4 + 1).condition, a, "a block keeps its condition");
        }
        let firsts: Vec<Condition> = (0..20).map(|p| d.assignment(p * 4).condition).collect();
        assert!(firsts.contains(&Condition::Usual) && firsts.contains(&Condition::Change), "order is randomised");
        assert_eq!(d.assignment(7), design().assignment(7));
    }

    #[test]
    fn verdict_hidden_until_minimum() {
        let mut e = Experiment::new(design(), date(2025, 5, 1)).unwrap();
        for i in 0..11 {
            let a = e.assignment_for(date(2025, 5, 1)).unwrap();
            let pain = if a.condition == Condition::Usual { 5 } else { 1 };
            e.record(date(2025, 5, 1 + i), true, pain >= 3, pain).unwrap();
        }
        let r = e.result(false);
        assert_eq!(r.status, ResultStatus::Hidden);
        assert!(r.mean_pain_difference.is_none() && r.usual.is_none());
        let early = e.result(true);
        assert_eq!(early.status, ResultStatus::Early);
        assert!(early.warnings.iter().any(|w| w.starts_with("Early look")));
        e.record(date(2025, 5, 20), true, false, 1).unwrap();
        let r = e.result(false);
        assert_eq!(r.status, ResultStatus::Ready);
        let d = r.mean_pain_difference.unwrap();
        assert!(d.estimate < -3.0 && d.prob_change_helps > 0.99, "{d:?}");
    }

    #[test]
    fn minimum_length_rounds_up_to_whole_pairs_and_names_the_field() {
        let mut d = design();
        d.set_min_units(10).unwrap();
        assert_eq!((d.min_pairs, d.min_units()), (3, 12), "10 runs round up to 3 pairs of 2-run blocks");
        d.set_min_units(8).unwrap();
        assert_eq!(d.min_units(), 8);
        assert_eq!(d.min_units_allowed(), (8, 48));
        let e = d.set_min_units(6).unwrap_err().to_string();
        assert!(e.starts_with("min_units: 6 is out of range (allowed 8–48 runs"), "{e}");
        assert!(d.set_min_units(49).is_err());
        d.block_length = 15;
        assert!(d.validate().unwrap_err().to_string().starts_with("block_length: 15"));
        d.block_length = 3;
        d.washout = 3;
        assert!(d.validate().unwrap_err().to_string().starts_with("washout: 3 must be less"));
        d.washout = 2;
        d.validate().unwrap();
    }

    #[test]
    fn bad_input_is_refused() {
        let mut bad = design();
        bad.washout = 2;
        assert!(Experiment::new(bad, date(2025, 1, 1)).is_err());
        let mut e = Experiment::new(design(), date(2025, 5, 1)).unwrap();
        assert!(e.record(date(2025, 4, 30), true, false, 0).is_err());
        assert!(e.record(date(2025, 5, 2), true, false, 11).is_err());
        e.record(date(2025, 5, 3), true, false, 0).unwrap();
        assert!(e.record(date(2025, 5, 2), true, false, 0).is_err(), "dates go forward");
        e.stop(date(2025, 5, 4)).unwrap();
        assert!(e.assignment_for(date(2025, 5, 5)).is_err());
    }
}
