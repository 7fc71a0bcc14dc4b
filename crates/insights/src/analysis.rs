//! Which factors go with pain after runs, for one runner.
//!
//! For every candidate factor the engine reports the plain counts, a beta-binomial risk ratio with its interval,
//! and — from [`AnalysisConfig::min_runs_for_model`] runs on — the factor's weight in the single-effect model
//! average of [`crate::model`]. A factor logged as yes/no is read one way; a factor measured on a scale is also
//! read against cut points taken from the runner's own spread of values and as a dose ([`crate::features`]). The
//! average pays for every reading it tries: the chance that *some* factor goes with pain is fixed, shared equally
//! among the factors judged, and split among each factor's readings. Each factor gets one of six verdicts:
//!
//! * **not enough data yet** — no reading has 3 runs with the factor and 3 without (and how many more would help);
//! * **no pain events yet** — nothing to compare: no pain followed any run where the factor was logged;
//! * **likely link** — the model gives "goes with more pain" at least [`AnalysisConfig::likely_bar`], the counts
//!   point the same way (risk ratio above 1 with probability ≥ 0.9, after paying for a searched cut point), and no
//!   other factor travels with it too closely to tell them apart;
//! * **possible link** — probability at least [`AnalysisConfig::possible_bar`], or a likely link that travels with
//!   another factor;
//! * **goes with less pain** — the risk ratio's interval lies below 1 even after widening it for the number of
//!   factors judged (Bonferroni);
//! * **no clear link** — everything else.
//!
//! A cut point ("pain followed days with 8 h or more of sitting") is shown only when the factor is flagged and the
//! cut, with its neighbouring candidates, holds at least [`ModelSettings::pattern_support`] of the factor's weight;
//! its counts then come with an interval widened for the number of cuts tried. Before the model is used, each
//! factor is judged alone at its fixed cut against a Bonferroni-style bar.
//!
//! The bars were set on the development scenarios of [`crate::scenarios`] so that a likely link is called for well
//! under 1 null runner in 20. The wording is always "goes with": a journal shows association, and only an experiment
//! that switches one factor on and off can show more.

use crate::error::InsightsError;
use crate::experiment::ExperimentFactor;
use crate::exposures::Lag;
use crate::factors::{Cutoffs, Factor};
use crate::features::{BANDS, Condition, FactorColumns, Features, Reading, values_table, values_table_given};
use crate::model::{
    Family, Given, Hypothesis, INTERCEPT_SD, Table, dirichlet_multinomial_log_evidence, fit_ordinal_weighted,
    single_effect,
};
use crate::observation::RunObservation;
use crate::special::{digamma, normal_cdf, normal_quantile, trigamma};
use crate::wording;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};

/// Everything the analysis can be tuned with. The defaults are what the measured rates in the README refer to.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AnalysisConfig {
    pub cutoffs: Cutoffs,
    /// Candidate factors, in the order they are listed when nothing else ranks them.
    pub factors: Vec<Factor>,
    /// A reading needs at least this many runs with the factor and this many without before it is judged.
    pub min_runs_each_side: usize,
    /// The model average is used from this many runs on (and at least 3 with pain and 3 without).
    pub min_runs_for_model: usize,
    /// Model probability of "goes with more pain" needed for a likely link.
    pub likely_bar: f64,
    /// Model probability needed for a possible link.
    pub possible_bar: f64,
    /// Two factors are too entangled to separate when, among runs where both are known, fewer than this many runs
    /// have one without the other (counting both directions; for factors that exclude each other, runs with both or
    /// neither) …
    pub separating_runs: usize,
    /// … and their correlation (phi, absolute value) is at least this. Two flagged factors this correlated are also
    /// reported as a pair.
    pub entangled_phi: f64,
    /// Let the model use pain intensity bands as well as pain yes/no (see `outcome_families`).
    pub use_intensity: bool,
    /// Prior probability that factors shift the whole pain scale rather than only whether pain reaches 3/10.
    pub graded_prior: f64,
    /// Weight, in runs, of the prior that pulls each group's pain rate towards the runner's overall rate.
    pub prior_runs: f64,
    /// Read measured factors against searched cut points and as a dose (off: each factor at its fixed cut only).
    pub search: bool,
    pub model: ModelSettings,
}

/// The model-average settings, exposed so `--json` output can state them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ModelSettings {
    /// Normal prior on a yes/no reading's log odds ratio when it matters: factors are coded so that "yes" is the
    /// suspected side, and a factor worth acting on raises pain noticeably, so the prior is centred above zero.
    pub slab_mean: f64,
    pub slab_sd: f64,
    /// Normal prior on a dose reading's log odds ratio per standard deviation of the measure.
    pub dose_slab_mean: f64,
    pub dose_slab_sd: f64,
    /// Prior probability that some factor goes with pain; each judged factor gets an equal share.
    pub prior_any_link: f64,
    /// Share of a measure's prior weight on its dose reading (the rest is split among its cut points).
    pub dose_share: f64,
    /// Weight of a measure read from the day before, against 1 for the same day.
    pub day_before_weight: f64,
    /// Share of a factor's prior weight on its own yes/no rule when measures can also read it (long run: the label
    /// against distance and duration cuts).
    pub rule_share: f64,
    /// Share of a flagged factor's weight a cut point (with its neighbouring candidates) needs to be shown.
    pub pattern_support: f64,
    /// Once one factor holds at least this probability, the others are weighed again beside it for a second effect.
    pub second_effect_from: f64,
}

impl Default for AnalysisConfig {
    fn default() -> Self {
        AnalysisConfig {
            cutoffs: Cutoffs::default(),
            factors: Factor::ALL.to_vec(),
            min_runs_each_side: 3,
            min_runs_for_model: 20,
            likely_bar: 0.7,
            possible_bar: 0.35,
            separating_runs: 5,
            entangled_phi: 0.5,
            prior_runs: 2.0,
            use_intensity: true,
            graded_prior: 2.0 / 3.0,
            search: true,
            model: ModelSettings {
                slab_mean: 1.2,
                slab_sd: 0.8,
                dose_slab_mean: 0.6,
                dose_slab_sd: 0.5,
                prior_any_link: 0.5,
                dose_share: 0.25,
                day_before_weight: 0.5,
                rule_share: 0.5,
                pattern_support: 0.5,
                second_effect_from: 0.5,
            },
        }
    }
}

/// Verdict for one factor, strongest "goes with pain" first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Verdict {
    LikelyLink,
    PossibleLink,
    NoClearLink,
    /// Pain was less common with the factor, clearly enough to survive the number of factors tested.
    LessPain,
    /// No pain followed any run where the factor was logged: nothing to compare yet.
    NoPainYet,
    NotEnoughData,
}

impl Verdict {
    pub fn label(self) -> &'static str {
        match self {
            Verdict::LikelyLink => "likely link",
            Verdict::PossibleLink => "possible link",
            Verdict::NoClearLink => "no clear link",
            Verdict::LessPain => "goes with less pain",
            Verdict::NoPainYet => "no pain events yet",
            Verdict::NotEnoughData => "not enough data yet",
        }
    }

    /// Whether the factor was compared at all (it has an estimate worth drawing).
    pub fn judged(self) -> bool {
        !matches!(self, Verdict::NoPainYet | Verdict::NotEnoughData)
    }

    /// Likely or possible link.
    pub fn flagged(self) -> bool {
        matches!(self, Verdict::LikelyLink | Verdict::PossibleLink)
    }
}

/// Runs in one group and how many were followed by pain.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Counts {
    pub runs: usize,
    pub with_pain: usize,
    /// Share of runs followed by pain (`None` with no runs).
    pub pain_rate: Option<f64>,
    /// Average of the runs' max pain (0 for pain-free runs).
    pub mean_max_pain: Option<f64>,
}

/// Beta-binomial risk ratio: each group's pain rate gets a Beta prior worth [`AnalysisConfig::prior_runs`] runs
/// centred on the runner's overall rate, and the ratio of the two posteriors is summarised on the log scale (its
/// exact mean and variance, then a normal approximation) — the shrinkage keeps 2-of-2 from reading as certainty.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RiskRatio {
    pub estimate: f64,
    pub lower: f64,
    pub upper: f64,
    /// Credible level of `lower`–`upper`: 0.95, or wider when the cut point was searched for.
    pub level: f64,
    /// Posterior probability that pain is more common with the factor than without.
    pub prob_higher: f64,
}

/// A risk ratio or interval end as text for people: tiny samples give intervals running to thousands, which say
/// no more than "very wide", so the extremes read `>100` and `<0.01`; below 1 two decimals, above one.
pub fn ratio_text(x: f64) -> String {
    if x >= 100.0 {
        ">100".into()
    } else if x < 0.01 {
        "<0.01".into()
    } else if x < 1.0 {
        format!("{x:.2}")
    } else {
        format!("{x:.1}")
    }
}

/// The factor's share of the model average.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ModelEstimate {
    /// Probability that this factor is the one going with pain (any direction, any reading).
    pub inclusion_probability: f64,
    /// Probability that it is, and goes with more pain.
    pub prob_more_pain: f64,
    /// Probability that it is, and goes with less pain.
    pub prob_less_pain: f64,
    /// The factor's most probable reading and its share of the factor's weight.
    pub best_reading: Reading,
    pub best_reading_share: f64,
    /// Odds ratio of the best reading given it holds (per standard deviation for a dose), with a 95% interval: the
    /// odds of pain, or of a higher pain band when the graded outcome carries weight.
    pub odds_ratio: f64,
    pub odds_ratio_lower: f64,
    pub odds_ratio_upper: f64,
    /// How many readings of this factor the average tried.
    pub readings_tried: usize,
}

/// How many more runs would let a factor be judged.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MoreRuns {
    pub with_factor: usize,
    pub without_factor: usize,
    /// Rough number of further runs at the runner's usual mix, when that can be estimated.
    pub estimated_runs: Option<usize>,
}

/// Result for one factor.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FactorResult {
    /// 1 = most strongly goes with pain.
    pub rank: usize,
    pub factor: Factor,
    pub label: String,
    /// The reading the counts and the risk ratio use, in words.
    pub cut_point: String,
    /// That reading: the factor's rule, its fixed cut, or a searched cut that the data support.
    pub reading: Reading,
    /// The pattern found, in words ("pain followed days with 8 h or more of sitting", "the less sleep the night
    /// before, the more pain"), shown only when the factor is flagged and the data support it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pattern: Option<String>,
    pub with: Counts,
    pub without: Counts,
    /// Runs where this factor was not logged.
    pub unknown: usize,
    /// `None` before there are runs on both sides, and when no pain event is among the runs compared.
    pub risk_ratio: Option<RiskRatio>,
    pub model: Option<ModelEstimate>,
    /// The number the ranking uses: the model's probability of "goes with more pain", or, before the model is used,
    /// the risk ratio's probability of being above 1.
    pub score: f64,
    pub verdict: Verdict,
    pub more_runs_needed: Option<MoreRuns>,
    /// Factors this one cannot be separated from in the data.
    pub entangled_with: Vec<Factor>,
    /// For a factor that is not flagged although its counts lean one way: the flagged factor it travels with (or
    /// avoids), which explains those runs better.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub explained_by: Option<Factor>,
    /// "Pain followed 6 of 7 long runs and 1 of 8 shorter runs."
    pub counts_sentence: String,
    /// The verdict in plain words.
    pub sentence: String,
}

/// Two factors that travel together too closely for the data to separate.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Entanglement {
    pub a: Factor,
    pub b: Factor,
    /// Whether they go together (true) or exclude each other (false, e.g. trail runs and hard ground).
    pub together: bool,
    pub both: usize,
    pub only_a: usize,
    pub only_b: usize,
    pub neither: usize,
    pub phi: f64,
    pub sentence: String,
    pub experiment: Option<ExperimentSuggestion>,
}

/// An experiment the runner could run next.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExperimentSuggestion {
    pub factor: ExperimentFactor,
    pub unit: crate::experiment::ExperimentUnit,
    /// Restrict the experiment to these runs (e.g. long runs), when that is what separates two factors.
    pub only_on: Option<Factor>,
    pub reason: String,
    pub sentence: String,
}

/// How the numbers were made, so `--json` readers can judge them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MethodInfo {
    pub model_used: bool,
    pub model_note: String,
    pub models_compared: usize,
    /// Prior probability of each judged factor being the one that goes with pain.
    pub prior_inclusion_probability: Option<f64>,
    pub null_model_probability: Option<f64>,
    pub likely_bar: f64,
    pub possible_bar: f64,
    pub min_runs_each_side: usize,
    pub pain_rule: String,
    /// What the model average was fitted to.
    pub outcome: String,
    /// Posterior weight of the graded (whole pain scale) outcome family, when intensity was used.
    pub graded_outcome_probability: Option<f64>,
    /// Factors judged (the number the multiplicity corrections use).
    pub factors_judged: usize,
}

/// The full analysis, ranked.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InsightsReport {
    pub runs: usize,
    pub runs_with_pain: usize,
    pub pain_rate: Option<f64>,
    pub first_run: Option<Date>,
    pub last_run: Option<Date>,
    pub method: MethodInfo,
    /// Ranked: strongest "goes with pain" first, then factors with no pain events yet, then those without enough
    /// data.
    pub factors: Vec<FactorResult>,
    pub entangled: Vec<Entanglement>,
    /// The experiment most worth running now, if any.
    pub suggestion: Option<ExperimentSuggestion>,
    /// Plain-language summary, one sentence per line.
    pub summary: Vec<String>,
}

impl InsightsReport {
    /// The result for one factor.
    pub fn factor(&self, f: Factor) -> Option<&FactorResult> {
        self.factors.iter().find(|r| r.factor == f)
    }

    /// Factors called a likely link.
    pub fn likely_links(&self) -> Vec<Factor> {
        self.factors.iter().filter(|r| r.verdict == Verdict::LikelyLink).map(|r| r.factor).collect()
    }
}

/// One reading of one factor that has enough runs on each side to be tried.
struct Candidate {
    reading: Reading,
    table: Table,
    /// Share of the factor's prior weight.
    weight: f64,
    /// For cuts and doses: the measure column.
    column: Option<usize>,
    /// For cuts: (cut bin, position among that measure's cuts).
    cut: Option<(usize, usize)>,
}

/// What the analysis works out per factor before ranking.
struct Work {
    candidates: Vec<Candidate>,
    /// The reading shown when no searched pattern is: the rule or fixed cut, or the candidate cut nearest to it.
    fallback: Option<(Reading, Vec<Option<bool>>)>,
    /// Posterior per candidate (model only): from the first effect, or from the second when that holds more.
    posterior: Vec<f64>,
    positive: Vec<f64>,
    slopes: Vec<(f64, f64)>,
    /// The factor's inclusion and "more pain" probabilities as a first effect, and as a second effect given the
    /// first (0 when no second was looked for); combined as in sum-of-single-effects regression.
    first: (f64, f64),
    second: (f64, f64),
}

/// Analyses a runner's runs. Runs may come in any order; invalid values are refused with the run and field named.
pub fn analyze(runs: &[RunObservation], config: &AnalysisConfig) -> Result<InsightsReport, InsightsError> {
    check_config(config)?;
    for (i, r) in runs.iter().enumerate() {
        r.validate(i)?;
    }
    let n = runs.len();
    let pain_runs = runs.iter().filter(|r| r.pain_followed).count();
    let overall = if n > 0 { Some(pain_runs as f64 / n as f64) } else { None };
    // Prior centre for the risk ratio: the overall rate, pulled slightly towards 1/2 so it is never 0 or 1.
    let centre = (pain_runs as f64 + 1.0) / (n as f64 + 2.0);
    let mut factors: Vec<Factor> = Vec::with_capacity(config.factors.len());
    for f in &config.factors {
        if !factors.contains(f) {
            factors.push(*f);
        }
    }
    let features = Features::build(runs, &factors, &config.cutoffs);
    let mut work: Vec<Work> = features.factors.iter().map(|fc| candidates(fc, &features.bands, config)).collect();
    let judged: Vec<usize> = (0..factors.len()).filter(|&i| work[i].fallback.is_some()).collect();
    let k = judged.len();

    let model_used = n >= config.min_runs_for_model && pain_runs >= 3 && n - pain_runs >= 3 && k > 0;
    let mut method = MethodInfo {
        model_used,
        model_note: String::new(),
        models_compared: 0,
        prior_inclusion_probability: None,
        null_model_probability: None,
        likely_bar: config.likely_bar,
        possible_bar: config.possible_bar,
        min_runs_each_side: config.min_runs_each_side,
        outcome: String::new(),
        graded_outcome_probability: None,
        pain_rule: format!(
            "pain of {}/10 or more during, right after or the next morning, and worse than before the run",
            crate::PAIN_THRESHOLD
        ),
        factors_judged: k,
    };
    if model_used {
        fit_model(&mut work, &judged, &features, config, &mut method);
    } else {
        method.model_note = format!(
            "the combined model needs {} runs with at least 3 followed by pain and 3 without (now {}, {} with \
             pain); until then each factor is judged alone at its fixed cut against a stricter bar",
            config.min_runs_for_model,
            runtall_domain::text::count(n, "run", "runs"),
            pain_runs
        );
    }

    // Per factor: the reading shown, its counts and risk ratio, the score and a first verdict.
    let mut results: Vec<FactorResult> = Vec::with_capacity(factors.len());
    let mut shown: Vec<Vec<Option<bool>>> = Vec::with_capacity(factors.len());
    let kf = k.max(1) as f64;
    for (fi, &f) in factors.iter().enumerate() {
        let w = &work[fi];
        let fc = &features.factors[fi];
        let model = model_used.then(|| model_estimate(w)).flatten();
        let score_model = model.as_ref().map(|m| m.prob_more_pain);
        let pattern = match (&model, score_model) {
            (Some(_), Some(s)) if s >= config.possible_bar => supported_pattern(w, fc, config.model.pattern_support),
            _ => None,
        };
        let (reading, values, cuts_paid) = match &pattern {
            Some((r @ Reading::Cut { .. }, values)) => (*r, values.clone(), cut_readings(w).max(1)),
            _ => match &w.fallback {
                Some((r, v)) => (*r, v.clone(), 1),
                None => (default_reading(f, &config.cutoffs), fc.default.clone(), 1),
            },
        };
        let (with, without, unknown) = split_counts(runs, &values);
        let no_pain = with.with_pain + without.with_pain == 0;
        let rr_parts = (with.runs > 0 && without.runs > 0 && !no_pain)
            .then(|| log_risk_ratio(&with, &without, centre, config.prior_runs));
        // A searched cut pays for the search in its interval: Bonferroni over the cuts tried.
        let level = 1.0 - 0.05 / cuts_paid as f64;
        let risk_ratio = rr_parts.map(|(mean, sd)| risk_ratio(mean, sd, level));
        let prob_higher_paid = risk_ratio.as_ref().map_or(0.0, |r| 1.0 - (1.0 - r.prob_higher) * cuts_paid as f64);
        let judged_here = w.fallback.is_some();
        let score = if !judged_here {
            0.0
        } else if let Some(s) = score_model {
            s
        } else {
            risk_ratio.as_ref().map_or(0.0, |r| r.prob_higher)
        };
        let (likely, possible) = if !judged_here || no_pain {
            (false, false)
        } else if model_used {
            (score >= config.likely_bar && prob_higher_paid >= 0.9, score >= config.possible_bar)
        } else {
            // Alone, each factor gets a Bonferroni-style bar: 2.5% / k one-sided for likely, 25% / k for possible.
            (score >= 1.0 - 0.025 / kf, score >= 1.0 - 0.25 / kf)
        };
        // Less pain, clearly: the interval widened for every factor judged (and every cut tried) lies below 1.
        let less =
            rr_parts.is_some_and(|(mean, sd)| mean + normal_quantile(1.0 - 0.025 / (kf * cuts_paid as f64)) * sd < 0.0);
        let verdict = if !judged_here {
            Verdict::NotEnoughData
        } else if no_pain {
            Verdict::NoPainYet
        } else if likely {
            Verdict::LikelyLink
        } else if possible {
            Verdict::PossibleLink
        } else if less {
            Verdict::LessPain
        } else {
            Verdict::NoClearLink
        };
        let more = (!judged_here).then(|| more_runs(&with, &without, config.min_runs_each_side));
        let cut_point = match reading {
            Reading::Rule => f.cut_point(&config.cutoffs),
            Reading::Cut { measure, lag, cut } => measure.cut_phrases(lag, cut).0,
            Reading::Dose { measure, lag } => measure.dose_words(lag),
        };
        let pattern_words = pattern.as_ref().and_then(|(r, _)| match r {
            Reading::Cut { measure, lag, cut } => Some(format!("pain followed {}", measure.cut_words(*lag, *cut))),
            Reading::Dose { measure, lag } => Some(format!("{}, the more pain", measure.dose_words(*lag))),
            Reading::Rule => None,
        });
        results.push(FactorResult {
            rank: 0,
            factor: f,
            label: f.label().to_string(),
            counts_sentence: wording::counts_sentence(f, reading, &with, &without),
            cut_point,
            reading,
            pattern: pattern_words,
            with,
            without,
            unknown,
            risk_ratio,
            model,
            score,
            verdict,
            more_runs_needed: more,
            entangled_with: Vec::new(),
            explained_by: None,
            sentence: String::new(),
        });
        shown.push(values);
    }

    // Entanglement among judged factors: too few runs to separate them, or both flagged and strongly correlated.
    let mut entangled: Vec<(usize, usize, Entanglement)> = Vec::new();
    for (ia, &fa) in judged.iter().enumerate() {
        for &fb in &judged[ia + 1..] {
            let both_flagged = results[fa].verdict.flagged() && results[fb].verdict.flagged();
            if let Some(e) =
                wording::entanglement(factors[fa], factors[fb], &shown[fa], &shown[fb], both_flagged, config)
            {
                entangled.push((fa, fb, e));
            }
        }
    }
    for (fi, r) in results.iter_mut().enumerate() {
        let partners: Vec<Factor> = entangled
            .iter()
            .filter_map(|(a, b, _)| match (*a == fi, *b == fi) {
                (true, _) => Some(factors[*b]),
                (_, true) => Some(factors[*a]),
                _ => None,
            })
            .collect();
        if r.verdict == Verdict::LikelyLink && !partners.is_empty() {
            r.verdict = Verdict::PossibleLink;
        }
        r.entangled_with = partners;
    }

    // A factor whose plain counts lean one way while the model puts the weight elsewhere: name the flagged factor
    // that travels with it (for more pain) or avoids it (for less), when there is one, rather than blaming chance.
    let flagged: Vec<usize> = judged.iter().copied().filter(|&i| results[i].verdict.flagged()).collect();
    for &fi in &judged {
        if !matches!(results[fi].verdict, Verdict::NoClearLink | Verdict::LessPain) {
            continue;
        }
        let Some(rr) = &results[fi].risk_ratio else { continue };
        let lean = if rr.lower > 1.0 {
            1.0
        } else if rr.upper < 1.0 {
            -1.0
        } else {
            continue;
        };
        results[fi].explained_by = flagged
            .iter()
            .filter(|&&g| g != fi)
            .filter_map(|&g| wording::crosstab(&shown[fi], &shown[g]).map(|(_, phi)| (g, lean * phi)))
            .filter(|(_, aligned)| *aligned >= EXPLAINED_PHI)
            .max_by(|a, b| a.1.total_cmp(&b.1))
            .map(|(g, _)| factors[g]);
    }

    // Rank: judged factors by score (ties: the counts' probability, then list order), then the rest in list order.
    let tier = |v: Verdict| match v {
        Verdict::NotEnoughData => 2,
        Verdict::NoPainYet => 1,
        _ => 0,
    };
    let mut order: Vec<usize> = (0..results.len()).collect();
    order.sort_by(|&a, &b| {
        let (ra, rb) = (&results[a], &results[b]);
        tier(ra.verdict)
            .cmp(&tier(rb.verdict))
            .then(rb.score.total_cmp(&ra.score))
            .then_with(|| {
                let pa = ra.risk_ratio.as_ref().map_or(0.0, |r| r.prob_higher);
                let pb = rb.risk_ratio.as_ref().map_or(0.0, |r| r.prob_higher);
                pb.total_cmp(&pa)
            })
            .then(a.cmp(&b))
    });
    let entangled_out: Vec<Entanglement> = entangled
        .into_iter()
        .filter(|(a, b, _)| results[*a].verdict.flagged() || results[*b].verdict.flagged())
        .map(|(_, _, e)| e)
        .collect();
    for r in results.iter_mut() {
        r.sentence = wording::verdict_sentence(r, k);
    }
    let ranked: Vec<FactorResult> =
        order.iter().enumerate().map(|(rank, &i)| FactorResult { rank: rank + 1, ..results[i].clone() }).collect();
    let suggestion = wording::suggest(&ranked, &entangled_out);
    let summary = wording::summarize(n, pain_runs, &ranked, &entangled_out, suggestion.as_ref(), model_used);
    Ok(InsightsReport {
        runs: n,
        runs_with_pain: pain_runs,
        pain_rate: overall,
        first_run: runs.iter().map(|r| r.date).min(),
        last_run: runs.iter().map(|r| r.date).max(),
        method,
        factors: ranked,
        entangled: entangled_out,
        suggestion,
        summary,
    })
}

/// How strongly a factor must travel with (or avoid) a flagged one for that one to be named as the better
/// explanation of its leaning counts.
const EXPLAINED_PHI: f64 = 0.2;

/// The factor's rule, or its fixed cut, as a reading.
fn default_reading(f: Factor, c: &Cutoffs) -> Reading {
    match f.default_cut(c) {
        Some((measure, lag, cut)) => Reading::Cut { measure, lag, cut },
        None => Reading::Rule,
    }
}

/// The readings of one factor that can be tried, with their share of the factor's prior weight, and the reading
/// shown when no searched pattern is.
fn candidates(fc: &FactorColumns, bands: &[usize], config: &AnalysisConfig) -> Work {
    let f = fc.factor;
    let m = config.min_runs_each_side;
    let known: Vec<bool> = fc.default.iter().filter_map(|v| *v).collect();
    let yes = known.iter().filter(|v| **v).count();
    let default_ok = yes >= m && known.len() - yes >= m;
    let default = default_reading(f, &config.cutoffs);
    let mut groups: Vec<(f64, Vec<Candidate>)> = Vec::new();
    if f.has_rule() && default_ok {
        groups.push((
            1.0,
            vec![Candidate {
                reading: Reading::Rule,
                table: values_table(&fc.default, bands),
                weight: 1.0,
                column: None,
                cut: None,
            }],
        ));
    }
    let mut fallback = default_ok.then(|| (default, fc.default.clone()));
    for (mi, col) in fc.measures.iter().enumerate() {
        let fixed = f.default_cut(&config.cutoffs).filter(|(mm, l, _)| *mm == col.measure && *l == col.lag);
        let cuts = col.candidate_cuts(fixed.map(|x| x.2), m);
        // A measure-only factor whose fixed cut has too few runs on one side is shown at the candidate cut nearest
        // to it (chosen from the values, not from pain).
        if fallback.is_none()
            && let Some((_, _, fixed_cut)) = fixed
            && let Some(&nearest) = cuts.iter().min_by_key(|&&c| c.abs_diff(col.measure.bin(fixed_cut)))
        {
            let r = Reading::Cut { measure: col.measure, lag: col.lag, cut: col.measure.edge(nearest) };
            fallback = Some((r, col.cut_values(nearest)));
        }
        if !config.search {
            continue;
        }
        // A cut that splits the runs exactly as the factor's own rule does (every trail run climbs, no other run
        // does) is the rule again, not a pattern of its own: it is not tried twice.
        let cuts: Vec<usize> = if f.has_rule() && default_ok {
            cuts.into_iter().filter(|&c| !same_split(&col.cut_values(c), &fc.default)).collect()
        } else {
            cuts
        };
        let dose = col.dose_table().filter(|_| !cuts.is_empty());
        let cut_share = if dose.is_some() { 1.0 - config.model.dose_share } else { 1.0 };
        let mut group: Vec<Candidate> = cuts
            .iter()
            .enumerate()
            .map(|(pos, &c)| Candidate {
                reading: Reading::Cut { measure: col.measure, lag: col.lag, cut: col.measure.edge(c) },
                table: col.cut_table(c),
                weight: cut_share / cuts.len() as f64,
                column: Some(mi),
                cut: Some((c, pos)),
            })
            .collect();
        if let Some(table) = dose {
            group.push(Candidate {
                reading: Reading::Dose { measure: col.measure, lag: col.lag },
                table,
                weight: config.model.dose_share,
                column: Some(mi),
                cut: None,
            });
        }
        if !group.is_empty() {
            let w = if col.lag == Lag::DayBefore { config.model.day_before_weight } else { 1.0 };
            groups.push((w, group));
        }
    }
    if !config.search
        && let Some((r, values)) = &fallback
        && !f.has_rule()
    {
        let table = values_table(values, bands);
        groups.push((1.0, vec![Candidate { reading: *r, table, weight: 1.0, column: None, cut: None }]));
    }
    // The factor's own rule keeps its share whatever number of measures refine it (distance and duration both
    // refine "long run"); the measures share the rest by their weights.
    let has_rule_group = groups.first().is_some_and(|(_, g)| g.first().is_some_and(|c| c.reading == Reading::Rule));
    let measured: f64 = groups.iter().skip(usize::from(has_rule_group)).map(|(w, _)| w).sum();
    let rule_share = match (has_rule_group, measured > 0.0) {
        (true, true) => config.model.rule_share,
        (true, false) => 1.0,
        (false, _) => 0.0,
    };
    let candidates: Vec<Candidate> = groups
        .into_iter()
        .enumerate()
        .flat_map(|(gi, (w, g))| {
            let share = if has_rule_group && gi == 0 { rule_share } else { (1.0 - rule_share) * w / measured };
            g.into_iter().map(move |c| Candidate { weight: c.weight * share, ..c })
        })
        .collect();
    if candidates.is_empty() {
        fallback = None;
    }
    Work {
        candidates,
        fallback,
        posterior: Vec::new(),
        positive: Vec::new(),
        slopes: Vec::new(),
        first: (0.0, 0.0),
        second: (0.0, 0.0),
    }
}

/// Whether two yes/no readings agree on every run where both are known.
fn same_split(a: &[Option<bool>], b: &[Option<bool>]) -> bool {
    a.iter().zip(b).all(|(x, y)| match (x, y) {
        (Some(x), Some(y)) => x == y,
        _ => true,
    })
}

/// Number of cut readings a factor tried (what a shown cut pays for).
fn cut_readings(w: &Work) -> usize {
    w.candidates.iter().filter(|c| matches!(c.reading, Reading::Cut { .. })).count()
}

/// Fits the single-effect average over every candidate reading of every judged factor.
/// The normal prior on a reading's slope.
fn slab(r: Reading, config: &AnalysisConfig) -> (f64, f64) {
    match r {
        Reading::Dose { .. } => (config.model.dose_slab_mean, config.model.dose_slab_sd),
        _ => (config.model.slab_mean, config.model.slab_sd),
    }
}

/// Fits the model average over every candidate reading of every judged factor: a first effect, then — when one
/// factor probably goes with pain — a second effect given that one (a long journal can hold more than one pattern).
fn fit_model(
    work: &mut [Work],
    judged: &[usize],
    features: &Features,
    config: &AnalysisConfig,
    method: &mut MethodInfo,
) {
    let bands = &features.bands;
    let families = outcome_families(bands, config);
    let k = judged.len() as f64;
    let per_factor = config.model.prior_any_link / k;
    let null_prior = (1.0 - config.model.prior_any_link).ln();
    let mut hypotheses = Vec::new();
    let mut owner = Vec::new();
    for &fi in judged {
        for (ci, c) in work[fi].candidates.iter().enumerate() {
            let (slab_mean, slab_sd) = slab(c.reading, config);
            hypotheses.push(Hypothesis {
                table: c.table.clone(),
                log_prior: (per_factor * c.weight).ln(),
                slab_mean,
                slab_sd,
            });
            owner.push((fi, ci));
        }
    }
    let fit = single_effect(&families, &hypotheses, null_prior, None);
    for &fi in judged {
        let len = work[fi].candidates.len();
        work[fi].posterior = vec![0.0; len];
        work[fi].positive = vec![0.0; len];
        work[fi].slopes = vec![(0.0, 1.0); len];
    }
    for (j, &(fi, ci)) in owner.iter().enumerate() {
        work[fi].posterior[ci] = fit.probability[j];
        work[fi].positive[ci] = fit.positive[j];
        work[fi].slopes[ci] = (fit.slope_mean[j], fit.slope_sd[j]);
    }
    for &fi in judged {
        let w = &mut work[fi];
        w.first = (w.posterior.iter().sum(), w.positive.iter().sum());
    }
    let mut models = fit.models;
    if let Some(&top) = judged.iter().max_by(|&&a, &&b| work[a].first.0.total_cmp(&work[b].first.0))
        && work[top].first.0 >= config.model.second_effect_from
        && judged.len() > 1
    {
        models += second_effect(work, judged, top, features, &families, config);
    }
    method.graded_outcome_probability = fit.family_probability.get(1).copied();
    method.outcome = match method.graded_outcome_probability {
        Some(p) => format!(
            "pain ratings in ordered bands (0, 1, 2, 3, 4, 5, 6+): {:.0}% weight on factors shifting the whole \
             scale, {:.0}% on factors changing only whether pain reaches 3/10",
            100.0 * p,
            100.0 * (1.0 - p)
        ),
        None => "pain followed the run or not".to_string(),
    };
    method.models_compared = models;
    method.prior_inclusion_probability = Some(per_factor);
    method.null_model_probability = Some(fit.null_probability);
    method.model_note = format!(
        "Bayesian average of {} small models (logistic and ordinal): each of the {} factors judged starts with a \
         {:.1}% chance of being the one that goes with pain, shared among the ways it is read (its rule, cut points \
         from your own range of values, a dose), so every extra factor or cut point tried makes each one harder to \
         believe; once one factor probably goes with pain, the others are weighed again beside it for a second",
        models,
        judged.len(),
        100.0 * per_factor
    );
}

/// The second effect: every reading of every other judged factor, each fitted beside the first factor's most
/// probable reading (which is also in the null model). Returns the number of models fitted.
fn second_effect(
    work: &mut [Work],
    judged: &[usize],
    top: usize,
    features: &Features,
    families: &[Family],
    config: &AnalysisConfig,
) -> usize {
    let bands = &features.bands;
    let Some(best) =
        (0..work[top].candidates.len()).max_by(|&a, &b| work[top].posterior[a].total_cmp(&work[top].posterior[b]))
    else {
        return 0;
    };
    let top_fc = &features.factors[top];
    let top_c = &work[top].candidates[best];
    let as_num = |v: &Option<bool>| v.map(|b| if b { 1.0 } else { 0.0 });
    let x: Vec<Option<f64>> = match (top_c.reading, top_c.column, top_c.cut) {
        (Reading::Cut { .. }, Some(mi), Some((bin, _))) => {
            top_fc.measures[mi].cut_values(bin).iter().map(as_num).collect()
        }
        (Reading::Dose { .. }, Some(mi), _) => match top_fc.measures[mi].dose_values() {
            Some(v) => v,
            None => return 0,
        },
        _ => top_fc.default.iter().map(as_num).collect(),
    };
    let cond = Condition::new(&x);
    let given = Given { table: cond.table(bands), prior: slab(top_c.reading, config) };
    let others: Vec<usize> = judged.iter().copied().filter(|&f| f != top).collect();
    let per_factor = config.model.prior_any_link / others.len() as f64;
    let mut hypotheses = Vec::new();
    let mut owner = Vec::new();
    for &fi in &others {
        let fc = &features.factors[fi];
        // One pass over the runs per measure column, then every cut and the dose from its histograms.
        let coded: Vec<_> = fc.measures.iter().map(|col| col.coded_hist(&cond, bands)).collect();
        for (ci, c) in work[fi].candidates.iter().enumerate() {
            let table = match (c.reading, c.column, c.cut) {
                (Reading::Cut { .. }, Some(mi), Some((bin, _))) => {
                    fc.measures[mi].cut_table_coded(bin, &coded[mi].0, &coded[mi].1, &cond.values)
                }
                (Reading::Dose { .. }, Some(mi), _) => {
                    match fc.measures[mi].dose_table_coded(&coded[mi].0, &coded[mi].1, &cond.values) {
                        Some(t) => t,
                        None => continue,
                    }
                }
                // The rule, or a fixed cut read from the default values (no search).
                _ => values_table_given(&fc.default, bands, &cond),
            };
            let (slab_mean, slab_sd) = slab(c.reading, config);
            hypotheses.push(Hypothesis { table, log_prior: (per_factor * c.weight).ln(), slab_mean, slab_sd });
            owner.push((fi, ci));
        }
    }
    let fit = single_effect(families, &hypotheses, (1.0 - config.model.prior_any_link).ln(), Some(&given));
    // Per other factor: posterior, "more pain" and slope of each candidate as a second effect.
    type Second = (Vec<f64>, Vec<f64>, Vec<(f64, f64)>);
    let mut per: Vec<Second> = others
        .iter()
        .map(|&fi| {
            let n = work[fi].candidates.len();
            (vec![0.0; n], vec![0.0; n], vec![(0.0, 1.0); n])
        })
        .collect();
    for (j, &(fi, ci)) in owner.iter().enumerate() {
        let slot = others.iter().position(|&o| o == fi).unwrap_or(0);
        per[slot].0[ci] = fit.probability[j];
        per[slot].1[ci] = fit.positive[j];
        per[slot].2[ci] = (fit.slope_mean[j], fit.slope_sd[j]);
    }
    for (&fi, (post, pos, slopes)) in others.iter().zip(per) {
        let w = &mut work[fi];
        w.second = (post.iter().sum(), pos.iter().sum());
        // Show the factor as the effect that holds more of it.
        if w.second.0 > w.first.0 {
            w.posterior = post;
            w.positive = pos;
            w.slopes = slopes;
        }
    }
    fit.models
}

/// The factor's summary from the model average.
fn model_estimate(w: &Work) -> Option<ModelEstimate> {
    if w.candidates.is_empty() || w.posterior.is_empty() {
        return None;
    }
    // As in sum-of-single-effects regression: the factor is in when it is the first effect or the second.
    let inclusion = 1.0 - (1.0 - w.first.0) * (1.0 - w.second.0);
    let positive = 1.0 - (1.0 - w.first.1) * (1.0 - w.second.1);
    let best = (0..w.candidates.len()).max_by(|&a, &b| w.posterior[a].total_cmp(&w.posterior[b]))?;
    let (m, s) = w.slopes[best];
    Some(ModelEstimate {
        inclusion_probability: inclusion,
        prob_more_pain: positive,
        prob_less_pain: (inclusion - positive).max(0.0),
        best_reading: w.candidates[best].reading,
        best_reading_share: {
            let shown: f64 = w.posterior.iter().sum();
            if shown > 0.0 { w.posterior[best] / shown } else { 0.0 }
        },
        odds_ratio: m.exp(),
        odds_ratio_lower: (m - 1.96 * s).exp(),
        odds_ratio_upper: (m + 1.96 * s).exp(),
        readings_tried: w.candidates.len(),
    })
}

/// The searched pattern the data support, if any: the most probable reading is a cut whose weight, with its
/// neighbouring candidate cuts on the same measure, is at least `support` of the factor's; or a dose holding that
/// much on its own. Returns the reading and, for a cut, its yes/no per run.
fn supported_pattern(w: &Work, fc: &FactorColumns, support: f64) -> Option<(Reading, Vec<Option<bool>>)> {
    let total: f64 = w.posterior.iter().sum();
    if total <= 0.0 {
        return None;
    }
    let best = (0..w.candidates.len()).max_by(|&a, &b| w.posterior[a].total_cmp(&w.posterior[b]))?;
    let c = &w.candidates[best];
    match (c.reading, c.column, c.cut) {
        (Reading::Cut { .. }, Some(mi), Some((bin, pos))) => {
            let near: f64 = w
                .candidates
                .iter()
                .zip(&w.posterior)
                .filter(|(o, _)| o.column == Some(mi) && o.cut.is_some_and(|(_, op)| op.abs_diff(pos) <= 1))
                .map(|(_, p)| p)
                .sum();
            (near / total >= support).then(|| (c.reading, fc.measures[mi].cut_values(bin)))
        }
        (Reading::Dose { .. }, _, _) => (w.posterior[best] / total >= support).then(|| (c.reading, Vec::new())),
        _ => None,
    }
}

fn check_config(c: &AnalysisConfig) -> Result<(), InsightsError> {
    let unit = |name: &str, v: f64| crate::error::check_f64(name, v, 0.0, 1.0).map(|_| ());
    unit("likely_bar", c.likely_bar)?;
    unit("possible_bar", c.possible_bar)?;
    unit("entangled_phi", c.entangled_phi)?;
    unit("graded_prior", c.graded_prior)?;
    unit("model.dose_share", c.model.dose_share)?;
    unit("model.rule_share", c.model.rule_share)?;
    unit("model.second_effect_from", c.model.second_effect_from)?;
    unit("model.pattern_support", c.model.pattern_support)?;
    crate::error::check_f64("model.prior_any_link", c.model.prior_any_link, 0.001, 0.999)?;
    crate::error::check_f64("model.day_before_weight", c.model.day_before_weight, 0.0, 10.0)?;
    crate::error::check_f64("prior_runs", c.prior_runs, 0.01, 1000.0)?;
    crate::error::check_f64("model.slab_mean", c.model.slab_mean, -10.0, 10.0)?;
    crate::error::check_f64("model.slab_sd", c.model.slab_sd, 0.01, 100.0)?;
    crate::error::check_f64("model.dose_slab_mean", c.model.dose_slab_mean, -10.0, 10.0)?;
    crate::error::check_f64("model.dose_slab_sd", c.model.dose_slab_sd, 0.01, 100.0)?;
    if c.min_runs_each_side == 0 {
        return Err(InsightsError::out_of_range("min_runs_each_side", 0, "1 or more"));
    }
    Ok(())
}

/// The outcome families the model average weighs against each other (see [`crate::model::Family`]):
///
/// * **yes/no** — factors change only whether pain reaches 3/10; the finer bands are factor-free noise;
/// * **graded** — factors shift the whole pain scale (proportional odds over the bands that occur), so a 2/10
///   twinge after a run counts for a little and a 6/10 for more than a 3/10.
///
/// Both describe the same band data, so the runner's own ratings decide how much the finer bands are trusted: a
/// journal whose twinges and strong pains follow the same factors as pain leans graded; one where they are noise
/// leans yes/no. The prior favours graded 2 : 1 ([`AnalysisConfig::graded_prior`]) because a factor that changes how
/// often pain reaches 3/10 almost always moves twinges and strong pain too; the yes/no family is the safeguard for
/// journals where it does not. Bands nobody used are merged away; with no split inside either side, or fewer than
/// [`AnalysisConfig::min_runs_each_side`] pain-free runs rated above 0 (no twinges to see the scale move), only the
/// yes/no family is fitted.
fn outcome_families(bands: &[usize], config: &AnalysisConfig) -> Vec<Family> {
    let mut counts = [0usize; BANDS];
    bands.iter().for_each(|&b| counts[b] += 1);
    let yes_no_map: Vec<usize> = (0..BANDS).map(|b| usize::from(b >= usize::from(crate::PAIN_THRESHOLD))).collect();
    let mut families = vec![Family {
        name: "yes/no",
        category_of_band: yes_no_map.clone(),
        categories: 2,
        extra_log_evidence: 0.0,
        log_prior: 0.0,
    }];
    let used: Vec<usize> = (0..BANDS).filter(|&b| counts[b] > 0).collect();
    // Twinges: pain-free runs rated above 0. A journal that (almost) never has them records pain and its strength,
    // not a scale: the graded family's premise — a factor moves twinges and strong pain alike — cannot show in it,
    // and grading the strength of a handful of pain runs adds noise without telling factors apart (measured on the
    // development scenario `pain-only-ratings`: 2 points of ranking lost after 80 runs).
    let threshold = usize::from(crate::PAIN_THRESHOLD);
    let twinges: usize = counts[1..threshold].iter().sum();
    if !config.use_intensity || used.len() <= 2 || config.graded_prior <= 0.0 || twinges < config.min_runs_each_side {
        return families;
    }
    let mut map = vec![0usize; BANDS];
    let mut next = 0;
    for (b, slot) in map.iter_mut().enumerate() {
        *slot = next.min(used.len() - 1);
        if counts[b] > 0 {
            *slot = next;
            next += 1;
        }
    }
    // Within-side split of the yes/no family: counts of each band among pain-free runs and among pain runs.
    let side = |lo: usize, hi: usize| -> Vec<usize> { (lo..hi).map(|b| counts[b]).filter(|&c| c > 0).collect() };
    let extra = dirichlet_multinomial_log_evidence(&side(0, threshold))
        + dirichlet_multinomial_log_evidence(&side(threshold, BANDS));
    families[0].extra_log_evidence = extra;
    families[0].log_prior = (1.0 - config.graded_prior).max(1e-300).ln();
    // The two families describe the same bands, and with no factor both are saturated: they differ only through
    // their priors on the thresholds. Level them there, so the family weight is decided by how factors fit, not by
    // a prior artefact.
    let fit_null = |map: &[usize], cats: usize| {
        let mut totals = vec![0.0; cats];
        for (b, &c) in counts.iter().enumerate() {
            totals[map[b]] += c as f64;
        }
        let ys: Vec<usize> = (0..cats).collect();
        fit_ordinal_weighted(&ys, &totals, cats, &[], INTERCEPT_SD, &[]).log_evidence
    };
    let null_yes_no = fit_null(&yes_no_map, 2) + extra;
    let null_graded = fit_null(&map, used.len());
    families.push(Family {
        name: "graded",
        category_of_band: map,
        categories: used.len(),
        extra_log_evidence: null_yes_no - null_graded,
        log_prior: config.graded_prior.ln(),
    });
    families
}

fn split_counts(runs: &[RunObservation], values: &[Option<bool>]) -> (Counts, Counts, usize) {
    let mut acc = [(0usize, 0usize, 0u32); 2];
    let mut unknown = 0;
    for (r, v) in runs.iter().zip(values) {
        match v {
            Some(v) => {
                let slot = &mut acc[usize::from(*v)];
                slot.0 += 1;
                slot.1 += usize::from(r.pain_followed);
                slot.2 += u32::from(r.max_pain);
            }
            None => unknown += 1,
        }
    }
    // A run past the end of `values` (none in practice) counts as unknown.
    unknown += runs.len().saturating_sub(values.len());
    let counts = |(runs, pain, sum): (usize, usize, u32)| Counts {
        runs,
        with_pain: pain,
        pain_rate: (runs > 0).then(|| pain as f64 / runs as f64),
        mean_max_pain: (runs > 0).then(|| f64::from(sum) / runs as f64),
    };
    (counts(acc[1]), counts(acc[0]), unknown)
}

/// Mean and standard deviation of the log risk ratio under the beta-binomial model (see [`RiskRatio`]).
fn log_risk_ratio(with: &Counts, without: &Counts, centre: f64, prior_runs: f64) -> (f64, f64) {
    let a0 = prior_runs * centre;
    let b0 = prior_runs * (1.0 - centre);
    let (a1, b1) = (a0 + with.with_pain as f64, b0 + (with.runs - with.with_pain) as f64);
    let (a2, b2) = (a0 + without.with_pain as f64, b0 + (without.runs - without.with_pain) as f64);
    // E[ln p] = ψ(a) − ψ(a+b); Var[ln p] = ψ′(a) − ψ′(a+b), exactly, for p ~ Beta(a, b).
    let mean = digamma(a1) - digamma(a1 + b1) - (digamma(a2) - digamma(a2 + b2));
    let var = trigamma(a1) - trigamma(a1 + b1) + trigamma(a2) - trigamma(a2 + b2);
    (mean, var.max(1e-12).sqrt())
}

fn risk_ratio(mean: f64, sd: f64, level: f64) -> RiskRatio {
    let z = if (level - 0.95).abs() < 1e-12 { 1.959_963_984_540_054 } else { normal_quantile(0.5 + level / 2.0) };
    RiskRatio {
        estimate: mean.exp(),
        lower: (mean - z * sd).exp(),
        upper: (mean + z * sd).exp(),
        level,
        prob_higher: normal_cdf(mean / sd),
    }
}

/// The risk ratio of one yes/no reading, as the simple per-factor figures use it.
pub fn simple_risk_ratio(runs: &[RunObservation], values: &[Option<bool>], prior_runs: f64) -> Option<RiskRatio> {
    let pain = runs.iter().filter(|r| r.pain_followed).count();
    let centre = (pain as f64 + 1.0) / (runs.len() as f64 + 2.0);
    let (with, without, _) = split_counts(runs, values);
    (with.runs > 0 && without.runs > 0).then(|| {
        let (m, s) = log_risk_ratio(&with, &without, centre, prior_runs);
        risk_ratio(m, s, 0.95)
    })
}

fn more_runs(with: &Counts, without: &Counts, min: usize) -> MoreRuns {
    let need_with = min.saturating_sub(with.runs);
    let need_without = min.saturating_sub(without.runs);
    let total = with.runs + without.runs;
    // Expected runs until each side reaches the minimum, at the runner's current mix; unknown if one side has never
    // happened (there is no mix to extrapolate from).
    let estimate = |need: usize, have: usize| -> Option<f64> {
        if need == 0 {
            Some(0.0)
        } else if have == 0 || total == 0 {
            None
        } else {
            Some(need as f64 * total as f64 / have as f64)
        }
    };
    let estimated_runs = match (estimate(need_with, with.runs), estimate(need_without, without.runs)) {
        (Some(a), Some(b)) => Some(a.max(b).ceil() as usize),
        _ => None,
    };
    MoreRuns { with_factor: need_with, without_factor: need_without, estimated_runs }
}
