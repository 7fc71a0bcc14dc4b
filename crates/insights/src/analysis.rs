//! Which factors go with pain after runs, for one runner.
//!
//! For every candidate factor the engine reports the plain counts, a beta-binomial risk ratio with a 95% credible
//! interval, and — from [`AnalysisConfig::min_runs_for_model`] runs on — the factor's weight in a Bayesian model
//! average of small regression models ([`crate::model`]). The average separates factors that travel together, pays
//! for testing many factors at once through its prior (each factor's prior chance of mattering shrinks as more
//! factors are tested), and lets the runner's own ratings decide how much the pain intensity adds to the plain
//! "pain followed the run" outcome (see `outcome_families`). Each factor gets one of four verdicts:
//!
//! * **not enough data yet** — fewer than 3 runs with the factor or 3 without (and how many more would help);
//! * **likely link** — the model gives the factor at least [`AnalysisConfig::likely_bar`] probability of going with
//!   more pain, the raw counts point the same way (risk ratio above 1 with probability ≥ 0.9), and no other factor
//!   travels with it too closely to tell them apart;
//! * **possible link** — probability at least [`AnalysisConfig::possible_bar`], or a likely link that cannot be
//!   separated from another factor;
//! * **no clear link** — everything else.
//!
//! Before the model is used, each factor is judged alone against a Bonferroni-style bar (one-sided 2.5% divided by
//! the number of factors judged, for a likely link).
//!
//! The bars were set on simulated runners with no trigger at all ([`crate::sim`]) so that a likely link is called
//! for well under 1 null runner in 20 (about 1 in 100 measured). The wording is always "goes with": a journal shows
//! association, and only an experiment that switches one factor on and off can show more.

use crate::error::InsightsError;
use crate::experiment::{ExperimentFactor, ExperimentUnit};
use crate::factors::{Cutoffs, Factor};
use crate::model::{BmaConfig, Family, bma, dirichlet_multinomial_log_evidence, fit_ordinal};
use crate::observation::RunObservation;
use crate::special::{digamma, normal_cdf, trigamma};
use jiff::civil::Date;
use serde::{Deserialize, Serialize};

/// Everything the analysis can be tuned with. The defaults are what the measured rates in the README refer to.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AnalysisConfig {
    pub cutoffs: Cutoffs,
    /// Candidate factors, in the order they are listed when nothing else ranks them.
    pub factors: Vec<Factor>,
    /// A factor needs at least this many runs with it and this many without before it is judged.
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
    /// … and their correlation (phi, absolute value) is at least this.
    pub entangled_phi: f64,
    /// Let the model use pain intensity bands as well as pain yes/no (see `outcome_families`).
    pub use_intensity: bool,
    /// Prior probability that factors shift the whole pain scale rather than only whether pain reaches 3/10.
    pub graded_prior: f64,
    /// Weight, in runs, of the prior that pulls each group's pain rate towards the runner's overall rate.
    pub prior_runs: f64,
    pub model: ModelSettings,
}

/// The model-average settings, exposed so `--json` output can state them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ModelSettings {
    pub slab_mean: f64,
    pub slab_sd: f64,
    pub expected_links: f64,
    pub max_factors_per_model: usize,
}

impl Default for AnalysisConfig {
    fn default() -> Self {
        let m = BmaConfig::default();
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
            model: ModelSettings {
                slab_mean: m.slab_mean,
                slab_sd: m.slab_sd,
                expected_links: m.expected_links,
                max_factors_per_model: m.max_size,
            },
        }
    }
}

/// Verdict for one factor, strongest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Verdict {
    LikelyLink,
    PossibleLink,
    NoClearLink,
    NotEnoughData,
}

impl Verdict {
    pub fn label(self) -> &'static str {
        match self {
            Verdict::LikelyLink => "likely link",
            Verdict::PossibleLink => "possible link",
            Verdict::NoClearLink => "no clear link",
            Verdict::NotEnoughData => "not enough data yet",
        }
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
    /// Credible level of `lower`–`upper`.
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
    /// Probability the factor belongs in the model at all.
    pub inclusion_probability: f64,
    /// Probability it belongs in the model and goes with more pain.
    pub prob_more_pain: f64,
    /// Odds ratio given the factor matters (model-averaged), with a 95% interval: the odds of pain, or of a higher
    /// pain band when the graded outcome carries weight.
    pub odds_ratio: f64,
    pub odds_ratio_lower: f64,
    pub odds_ratio_upper: f64,
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
    pub cut_point: String,
    pub with: Counts,
    pub without: Counts,
    /// Runs where this factor was not logged.
    pub unknown: usize,
    pub risk_ratio: Option<RiskRatio>,
    pub model: Option<ModelEstimate>,
    /// The number the ranking uses: the model's probability of "goes with more pain", or, before the model is used,
    /// the risk ratio's probability of being above 1.
    pub score: f64,
    pub verdict: Verdict,
    pub more_runs_needed: Option<MoreRuns>,
    /// Factors this one cannot be separated from in the data.
    pub entangled_with: Vec<Factor>,
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
    pub unit: ExperimentUnit,
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
    /// Ranked: strongest "goes with pain" first, factors without enough data last.
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

/// Analyses a runner's runs. Runs may come in any order; invalid values are refused with the run and field named.
pub fn analyze(runs: &[RunObservation], config: &AnalysisConfig) -> Result<InsightsReport, InsightsError> {
    check_config(config)?;
    for (i, r) in runs.iter().enumerate() {
        r.validate(i)?;
    }
    let n = runs.len();
    let y: Vec<bool> = runs.iter().map(|r| r.pain_followed).collect();
    let pain_runs = y.iter().filter(|&&p| p).count();
    let overall = if n > 0 { Some(pain_runs as f64 / n as f64) } else { None };
    // Prior centre for the risk ratio: the overall rate, pulled slightly towards 1/2 so it is never 0 or 1.
    let centre = (pain_runs as f64 + 1.0) / (n as f64 + 2.0);

    let mut factors: Vec<Factor> = Vec::with_capacity(config.factors.len());
    for f in &config.factors {
        if !factors.contains(f) {
            factors.push(*f);
        }
    }
    let values: Vec<Vec<Option<bool>>> =
        factors.iter().map(|f| runs.iter().map(|r| f.value(r, &config.cutoffs)).collect()).collect();

    let mut results: Vec<FactorResult> = Vec::with_capacity(factors.len());
    let mut eligible: Vec<usize> = Vec::new();
    for (fi, &f) in factors.iter().enumerate() {
        let (with, without, unknown) = split_counts(runs, &values[fi]);
        let enough = with.runs >= config.min_runs_each_side && without.runs >= config.min_runs_each_side;
        let risk_ratio = if with.runs > 0 && without.runs > 0 {
            Some(risk_ratio(&with, &without, centre, config.prior_runs))
        } else {
            None
        };
        let more = if enough { None } else { Some(more_runs(&with, &without, config.min_runs_each_side)) };
        if enough {
            eligible.push(fi);
        }
        results.push(FactorResult {
            rank: 0,
            factor: f,
            label: f.label().to_string(),
            cut_point: f.cut_point(&config.cutoffs),
            counts_sentence: counts_sentence(f, &with, &without),
            with,
            without,
            unknown,
            risk_ratio,
            model: None,
            score: 0.0,
            verdict: Verdict::NotEnoughData,
            more_runs_needed: more,
            entangled_with: Vec::new(),
            sentence: String::new(),
        });
    }

    // The model average, once there is enough data.
    let model_used = n >= config.min_runs_for_model && pain_runs >= 3 && n - pain_runs >= 3 && !eligible.is_empty();
    let bma_cfg = BmaConfig {
        slab_mean: config.model.slab_mean,
        slab_sd: config.model.slab_sd,
        intercept_sd: 3.0,
        expected_links: config.model.expected_links,
        max_size: config.model.max_factors_per_model,
    };
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
    };
    if model_used {
        let (yes_no, bands, nbands) = outcome_families(runs, config.use_intensity);
        let columns: Vec<Vec<f64>> = eligible.iter().map(|&fi| impute(&values[fi])).collect();
        let mut families =
            vec![Family { name: "yes/no", y: &yes_no, categories: 2, extra_log_evidence: 0.0, log_prior: 0.0 }];
        if nbands > 2 && config.graded_prior > 0.0 {
            // Within-side split of the yes/no family: counts of each band among pain-free runs and among pain runs.
            let raw: Vec<usize> = runs.iter().map(band).collect();
            let side = |lo: usize, hi: usize| -> Vec<usize> {
                (lo..=hi).map(|b| raw.iter().filter(|&&x| x == b).count()).filter(|&c| c > 0).collect()
            };
            let extra = dirichlet_multinomial_log_evidence(&side(0, 2))
                + dirichlet_multinomial_log_evidence(&side(3, BANDS - 1));
            families[0].extra_log_evidence = extra;
            families[0].log_prior = (1.0 - config.graded_prior).max(1e-300).ln();
            // The two families describe the same bands, and with no factor both are saturated: they differ only
            // through their priors on the thresholds. Level them there, so the family weight is decided by how
            // factors fit, not by a prior artefact.
            let null_yes_no = fit_ordinal(&yes_no, 2, &[], bma_cfg.intercept_sd, 0.0, 1.0).log_evidence + extra;
            let null_graded = fit_ordinal(&bands, nbands, &[], bma_cfg.intercept_sd, 0.0, 1.0).log_evidence;
            families.push(Family {
                name: "graded",
                y: &bands,
                categories: nbands,
                extra_log_evidence: null_yes_no - null_graded,
                log_prior: config.graded_prior.ln(),
            });
        }
        let fit = bma(&families, &columns, &bma_cfg);
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
        method.models_compared = fit.models;
        method.prior_inclusion_probability = Some((config.model.expected_links / eligible.len() as f64).min(0.5));
        method.null_model_probability = Some(fit.null_probability);
        method.model_note = format!(
            "Bayesian average of {} regression models (logistic and ordinal) with up to {} factors each; each factor \
             starts with a {:.0}% chance of mattering, so evidence must be stronger when more factors are tested",
            fit.models,
            config.model.max_factors_per_model,
            100.0 * method.prior_inclusion_probability.unwrap_or(0.0)
        );
        for (slot, &fi) in eligible.iter().enumerate() {
            let (m, s) = (fit.cond_mean[slot], fit.cond_sd[slot]);
            results[fi].model = Some(ModelEstimate {
                inclusion_probability: fit.inclusion[slot],
                prob_more_pain: fit.positive[slot],
                odds_ratio: m.exp(),
                odds_ratio_lower: (m - 1.96 * s).exp(),
                odds_ratio_upper: (m + 1.96 * s).exp(),
            });
            results[fi].score = fit.positive[slot];
        }
    } else {
        method.model_note = format!(
            "the combined model needs {} runs with at least 3 followed by pain and 3 without (now {} runs, {} with \
             pain); until then each factor is judged alone against a stricter bar",
            config.min_runs_for_model, n, pain_runs
        );
        for &fi in &eligible {
            results[fi].score = results[fi].risk_ratio.as_ref().map_or(0.0, |r| r.prob_higher);
        }
    }

    // Entanglement among judged factors.
    let mut entangled = Vec::new();
    for (ia, &fa) in eligible.iter().enumerate() {
        for &fb in &eligible[ia + 1..] {
            if let Some(e) = entanglement(factors[fa], factors[fb], &values[fa], &values[fb], config) {
                entangled.push((fa, fb, e));
            }
        }
    }

    // Verdicts.
    let m = eligible.len().max(1) as f64;
    for &fi in &eligible {
        let prob_higher = results[fi].risk_ratio.as_ref().map_or(0.0, |r| r.prob_higher);
        let score = results[fi].score;
        let (likely, possible) = if model_used {
            (score >= config.likely_bar && prob_higher >= 0.9, score >= config.possible_bar)
        } else {
            // Alone, each factor gets a Bonferroni-style bar: 2.5% / m one-sided for likely, 25% / m for possible.
            (score >= 1.0 - 0.025 / m, score >= 1.0 - 0.25 / m)
        };
        let partners: Vec<usize> = entangled
            .iter()
            .filter_map(|(a, b, _)| {
                if *a == fi {
                    Some(*b)
                } else if *b == fi {
                    Some(*a)
                } else {
                    None
                }
            })
            .collect();
        results[fi].entangled_with = partners.iter().map(|&p| factors[p]).collect();
        results[fi].verdict = if likely && partners.is_empty() {
            Verdict::LikelyLink
        } else if likely || possible {
            Verdict::PossibleLink
        } else {
            Verdict::NoClearLink
        };
    }

    // Rank: judged factors by score (ties: the counts' probability, then list order), then the rest in list order.
    let mut order: Vec<usize> = (0..results.len()).collect();
    order.sort_by(|&a, &b| {
        let ra = &results[a];
        let rb = &results[b];
        let judged_a = ra.verdict != Verdict::NotEnoughData;
        let judged_b = rb.verdict != Verdict::NotEnoughData;
        judged_b
            .cmp(&judged_a)
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
        .filter(|(a, b, _)| {
            // Only worth saying when at least one of the pair looks like it goes with pain.
            [*a, *b].iter().any(|&i| matches!(results[i].verdict, Verdict::LikelyLink | Verdict::PossibleLink))
        })
        .map(|(_, _, e)| e)
        .collect();

    for r in results.iter_mut() {
        r.sentence = verdict_sentence(r);
    }
    let mut ranked = Vec::with_capacity(results.len());
    for (rank, &i) in order.iter().enumerate() {
        let mut r = results[i].clone();
        r.rank = rank + 1;
        ranked.push(r);
    }

    let suggestion = suggest(&ranked, &entangled_out);
    let summary = summarize(n, pain_runs, &ranked, &entangled_out, suggestion.as_ref(), model_used);
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

fn check_config(c: &AnalysisConfig) -> Result<(), InsightsError> {
    let unit = |name: &str, v: f64| crate::error::check_f64(name, v, 0.0, 1.0).map(|_| ());
    unit("likely_bar", c.likely_bar)?;
    unit("possible_bar", c.possible_bar)?;
    unit("entangled_phi", c.entangled_phi)?;
    unit("graded_prior", c.graded_prior)?;
    crate::error::check_f64("prior_runs", c.prior_runs, 0.01, 1000.0)?;
    crate::error::check_f64("model.slab_mean", c.model.slab_mean, -10.0, 10.0)?;
    crate::error::check_f64("model.slab_sd", c.model.slab_sd, 0.01, 100.0)?;
    crate::error::check_f64("model.expected_links", c.model.expected_links, 0.001, 100.0)?;
    if !(1..=3).contains(&c.model.max_factors_per_model) {
        return Err(InsightsError::out_of_range("model.max_factors_per_model", c.model.max_factors_per_model, "1–3"));
    }
    if c.min_runs_each_side == 0 {
        return Err(InsightsError::out_of_range("min_runs_each_side", 0, "1 or more"));
    }
    Ok(())
}

/// Pain bands for the model: the rating itself, with 6 and above pooled (few runs rate higher, and the top of the
/// scale says little more about a factor). Bands 0–2 are pain-free runs and 3+ pain runs under the caller's rule,
/// so the bands refine the yes/no outcome without contradicting it (a run whose pain was already there before
/// counts as pain-free, at most band 2).
fn band(r: &RunObservation) -> usize {
    if r.pain_followed { usize::from(r.max_pain.clamp(3, BAND_TOP)) } else { usize::from(r.max_pain.min(2)) }
}

/// Ratings at or above this share the top band.
const BAND_TOP: u8 = 6;
const BANDS: usize = BAND_TOP as usize + 1;

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
/// journals where it does not. Bands nobody used are merged away; with no split inside either side, only the yes/no
/// family is fitted.
fn outcome_families(runs: &[RunObservation], use_intensity: bool) -> (Vec<usize>, Vec<usize>, usize) {
    let yes_no: Vec<usize> = runs.iter().map(|r| usize::from(r.pain_followed)).collect();
    if !use_intensity {
        return (yes_no, Vec::new(), 0);
    }
    let raw: Vec<usize> = runs.iter().map(band).collect();
    let mut used = [false; BANDS];
    raw.iter().for_each(|&b| used[b] = true);
    let mut map = [0usize; BANDS];
    let mut next = 0;
    for (b, slot) in map.iter_mut().enumerate() {
        *slot = next;
        if used[b] {
            next += 1;
        }
    }
    if next <= 2 {
        return (yes_no, Vec::new(), 0);
    }
    (yes_no, raw.iter().map(|&b| map[b]).collect(), next)
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
    let counts = |(runs, pain, sum): (usize, usize, u32)| Counts {
        runs,
        with_pain: pain,
        pain_rate: (runs > 0).then(|| pain as f64 / runs as f64),
        mean_max_pain: (runs > 0).then(|| f64::from(sum) / runs as f64),
    };
    (counts(acc[1]), counts(acc[0]), unknown)
}

/// Missing values become the factor's exposure share among runs where it is known, so a run with one unlogged field
/// still informs the other factors without being counted for or against this one.
fn impute(values: &[Option<bool>]) -> Vec<f64> {
    let known: Vec<bool> = values.iter().flatten().copied().collect();
    let share = if known.is_empty() { 0.0 } else { known.iter().filter(|&&v| v).count() as f64 / known.len() as f64 };
    values.iter().map(|v| v.map_or(share, |b| if b { 1.0 } else { 0.0 })).collect()
}

fn risk_ratio(with: &Counts, without: &Counts, centre: f64, prior_runs: f64) -> RiskRatio {
    let a0 = prior_runs * centre;
    let b0 = prior_runs * (1.0 - centre);
    let (a1, b1) = (a0 + with.with_pain as f64, b0 + (with.runs - with.with_pain) as f64);
    let (a2, b2) = (a0 + without.with_pain as f64, b0 + (without.runs - without.with_pain) as f64);
    // E[ln p] = ψ(a) − ψ(a+b); Var[ln p] = ψ′(a) − ψ′(a+b), exactly, for p ~ Beta(a, b).
    let mean = digamma(a1) - digamma(a1 + b1) - (digamma(a2) - digamma(a2 + b2));
    let var = trigamma(a1) - trigamma(a1 + b1) + trigamma(a2) - trigamma(a2 + b2);
    let sd = var.max(1e-12).sqrt();
    RiskRatio {
        estimate: mean.exp(),
        lower: (mean - 1.96 * sd).exp(),
        upper: (mean + 1.96 * sd).exp(),
        level: 0.95,
        prob_higher: normal_cdf(mean / sd),
    }
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

fn counts_sentence(f: Factor, with: &Counts, without: &Counts) -> String {
    let (w, wo) = f.phrases();
    format!("Pain followed {} of {} {w} and {} of {} {wo}.", with.with_pain, with.runs, without.with_pain, without.runs)
}

fn entanglement(
    fa: Factor,
    fb: Factor,
    a: &[Option<bool>],
    b: &[Option<bool>],
    config: &AnalysisConfig,
) -> Option<Entanglement> {
    let mut t = [[0usize; 2]; 2];
    for (x, y) in a.iter().zip(b) {
        if let (Some(x), Some(y)) = (x, y) {
            t[usize::from(*x)][usize::from(*y)] += 1;
        }
    }
    let (n11, n10, n01, n00) = (t[1][1], t[1][0], t[0][1], t[0][0]);
    let (r1, r0, c1, c0) = ((n11 + n10) as f64, (n01 + n00) as f64, (n11 + n01) as f64, (n10 + n00) as f64);
    let denom = (r1 * r0 * c1 * c0).sqrt();
    if denom <= 0.0 {
        return None;
    }
    let phi = (n11 as f64 * n00 as f64 - n10 as f64 * n01 as f64) / denom;
    if phi.abs() < config.entangled_phi {
        return None;
    }
    let together = phi > 0.0;
    // The two explanations ("it is a" vs "it is b") predict different pain only on runs where the factors disagree
    // (in the sense of their association): those runs are all the data has to separate them.
    let discordant = if together { n10 + n01 } else { n11 + n00 };
    if discordant >= config.separating_runs {
        return None;
    }
    let (la, lb) = (fa.label(), fb.label());
    let sentence = if together {
        format!(
            "{} and {} travel together in your journal ({} runs had both, {} only the first, {} only the second), so \
             the data cannot tell which of them goes with pain.",
            capitalize(la),
            lb,
            n11,
            n10,
            n01
        )
    } else {
        format!(
            "{} and {} almost never happen together in your journal ({} runs had both, {} runs had neither), so the data \
             cannot tell which of them goes with pain.",
            capitalize(la),
            lb,
            n11,
            n00
        )
    };
    let experiment = separating_experiment(fa, fb);
    let sentence = if experiment.is_none() {
        format!(
            "{sentence} Neither can be switched on and off at will, so only runs that have one without the other will \
             tell them apart."
        )
    } else {
        sentence
    };
    Some(Entanglement {
        a: fa,
        b: fb,
        together,
        both: n11,
        only_a: n10,
        only_b: n01,
        neither: n00,
        phi,
        sentence,
        experiment,
    })
}

/// The experiment that would pull two entangled factors apart: switch the one the runner controls while holding the
/// other in place.
fn separating_experiment(fa: Factor, fb: Factor) -> Option<ExperimentSuggestion> {
    let (ea, eb) = (fa.experiment(), fb.experiment());
    let (switch, keep, ef) = match (ea, eb) {
        (Some(e), None) => (fa, fb, e),
        (None, Some(e)) => (fb, fa, e),
        (Some(e), Some(_)) => (fa, fb, e),
        (None, None) => return None,
    };
    let only_on = (keep.experiment().is_none()).then_some(keep);
    let sentence = match (only_on, keep.experiment() == Some(ef)) {
        (Some(k), _) => format!(
            "To separate them, keep your {} as they are and alternate {} in blocks (an experiment on {} only).",
            k.phrases().0,
            ef.label(),
            k.phrases().0
        ),
        // Two descriptions of one switch (trail runs are soft ground): vary the ground on runs that are not trails.
        (None, true) => format!(
            "To separate them, alternate {} on runs that are not {} (for example road against grass or track).",
            ef.label(),
            if switch == Factor::TrailRun || keep == Factor::TrailRun { "trail runs" } else { "of that kind" }
        ),
        (None, false) => format!(
            "To separate them, change one at a time: alternate {} in blocks while keeping {} as usual.",
            ef.label(),
            keep.label()
        ),
    };
    Some(ExperimentSuggestion {
        factor: ef,
        unit: ef.natural_unit(),
        only_on,
        reason: format!("{} and {} cannot be told apart from the journal", switch.label(), keep.label()),
        sentence,
    })
}

fn capitalize(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().collect::<String>() + c.as_str(),
        None => String::new(),
    }
}

fn verdict_sentence(r: &FactorResult) -> String {
    let label = r.factor.label();
    match r.verdict {
        Verdict::NotEnoughData => {
            let more = r.more_runs_needed.as_ref();
            let need = |n: usize, what: &str| -> Option<String> { (n > 0).then(|| format!("{n} more {what}")) };
            let (w, wo) = r.factor.phrases();
            let parts: Vec<String> = more
                .map(|m| [need(m.with_factor, w), need(m.without_factor, wo)].into_iter().flatten().collect())
                .unwrap_or_default();
            let est = more
                .and_then(|m| m.estimated_runs)
                .map(|e| format!(" (about {e} more runs at your usual mix)"))
                .unwrap_or_default();
            if parts.is_empty() {
                format!("Not enough data yet on {label}.")
            } else {
                format!("Not enough data yet on {label}: {} would help{est}.", parts.join(" and "))
            }
        }
        Verdict::LikelyLink => format!(
            "{} likely goes with pain for you ({}). It is a pattern in your journal, not proof: an experiment can check it.",
            capitalize(label),
            rr_words(r)
        ),
        Verdict::PossibleLink if !r.entangled_with.is_empty() => format!(
            "{} may go with pain ({}), but it travels with {} too closely to tell them apart.",
            capitalize(label),
            rr_words(r),
            r.entangled_with.iter().map(|f| f.label()).collect::<Vec<_>>().join(" and ")
        ),
        Verdict::PossibleLink => {
            format!("{} possibly goes with pain ({}); more runs will tell.", capitalize(label), rr_words(r))
        }
        Verdict::NoClearLink => format!("No clear link between {label} and pain so far."),
    }
}

fn rr_words(r: &FactorResult) -> String {
    match &r.risk_ratio {
        Some(rr) => {
            format!("pain about {:.1} times as often, 95% interval {:.1}–{:.1}", rr.estimate, rr.lower, rr.upper)
        }
        None => "no comparison yet".to_string(),
    }
}

fn suggest(ranked: &[FactorResult], entangled: &[Entanglement]) -> Option<ExperimentSuggestion> {
    for r in ranked {
        if !matches!(r.verdict, Verdict::LikelyLink | Verdict::PossibleLink) {
            continue;
        }
        if let Some(e) = entangled.iter().find(|e| (e.a == r.factor || e.b == r.factor) && e.experiment.is_some()) {
            return e.experiment.clone();
        }
        if let Some(ef) = r.factor.experiment() {
            return Some(ExperimentSuggestion {
                factor: ef,
                unit: ef.natural_unit(),
                only_on: None,
                reason: format!("{} is the strongest candidate you can switch on and off", r.factor.label()),
                sentence: format!(
                    "Test it: alternate {} in blocks of {} for a few weeks, changing nothing else on purpose.",
                    ef.label(),
                    if ef.natural_unit() == ExperimentUnit::Days { "days" } else { "runs" }
                ),
            });
        }
    }
    None
}

fn summarize(
    n: usize,
    pain: usize,
    ranked: &[FactorResult],
    entangled: &[Entanglement],
    suggestion: Option<&ExperimentSuggestion>,
    model_used: bool,
) -> Vec<String> {
    let mut out = vec![format!("Based on {n} runs, {pain} followed by pain.")];
    let flagged: Vec<&FactorResult> =
        ranked.iter().filter(|r| matches!(r.verdict, Verdict::LikelyLink | Verdict::PossibleLink)).collect();
    if flagged.is_empty() {
        out.push("No factor clearly goes with pain yet.".to_string());
    }
    for r in flagged {
        out.push(format!("{} {}", r.counts_sentence, r.sentence));
    }
    for e in entangled {
        out.push(e.sentence.clone());
        if let Some(x) = &e.experiment {
            out.push(x.sentence.clone());
        }
    }
    let waiting = ranked.iter().filter(|r| r.verdict == Verdict::NotEnoughData).count();
    if waiting > 0 {
        out.push(format!("{waiting} factors need more runs before they can be judged."));
    }
    if !model_used && n > 0 {
        out.push("Factors are judged one at a time until there are enough runs for the combined model.".to_string());
    }
    if let Some(s) = suggestion
        && !entangled.iter().any(|e| e.experiment.as_ref() == Some(s))
    {
        out.push(s.sentence.clone());
    }
    out.push("These are patterns in your own journal: they show what goes with pain, and only an experiment that changes one \
         thing at a time can show more.".to_string());
    out
}
