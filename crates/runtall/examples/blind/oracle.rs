//! A ceiling for the ranking: a Bayes oracle that knows every trigger plan planted in the suite and reads the
//! runner's TRUE season (exposures as they were lived, pain events as they were drawn, before any logging), and
//! says which plan most likely brought this runner's pain. A journal holds less than this (logged pain after rating
//! noise and gaps, logged context after gaps and rounding, no climb at all), so no method that reads one can be
//! expected to rank the planted factor first more often, on these runners, unless it guessed the plan from who the
//! runner is (see the last paragraph).
//!
//! The likelihood is the generator's own (`runner::simulate`): a run brings a pain event with chance
//! `min(0.9, base × flare × multiplier)`, where `flare` is 2 in a flare week and 1 otherwise and `multiplier` is the
//! plan's (`Scenario::multiplier`). Pain strength does not depend on the trigger (an event's true intensity is
//! 3 + an exponential of mean 1.5 whatever brought it, and a run without an event has 0 or 0.5–2.4 either way), so
//! graded ratings carry nothing about the trigger beyond yes/no here: a reader of ratings cannot beat this oracle by
//! reading strength. Pain already there before a run
//! and desk pain exist only in the journal (`logbook`), not in the true events the oracle reads.
//!
//! Three ceilings and one check:
//! - `oracle`: also knows the runner's true base chance and which weeks were flare weeks (every hidden value: the
//!   most generous ceiling).
//! - `oracle-u`: knows the generator but not the runner: the base chance is averaged over the plan's scenario range
//!   (20 grid points, uniform), and flare weeks are marginalised with the generator's weekly flare process (a flare
//!   starts in a week with chance `flare_rate`, lasts one or two weeks and is followed by a week without one), the
//!   rate itself averaged over its range (0–8% a week, 4 grid points). The scenario ranges differ (the skipped reset
//!   has 15–30%, yesterday's sitting 5–12%), so this column also reads the runner's overall pain rate as a clue to the
//!   plan: an artefact of how the suite was built, which no journal reader can use.
//! - `oracle-c`: the same with one base range for every plan (5–30%, the union of the plans' ranges), so the overall
//!   pain rate says nothing about the plan: the fairer "realistic" ceiling.
//! - `oracle-r`: `oracle-c` not knowing the effect sizes either: each plan's effect (its RR; for the dose-response
//!   plan, the RR four hours above its start) averaged over 1.5–5, issue 13's range, log-uniform on 8 grid points,
//!   the base on 10. It still knows each plan's exposure (cut, day, lag), the shape the engine must search for.
//! - `oracle-l` (not a ceiling, a measure of where the loss is): `oracle-c` reading the pain as the engine receives it
//!   from the journal (pain that followed a run, after rating noise, unlogged events and pain already there before
//!   the run) instead of the true events, with the same true exposures. Its likelihood is then only approximate.
//!
//! Every plan gets the same prior. A plan whose population rule would not have recruited this runner (a desk-worker
//! plan for a runner without a desk job) is still scored on the runner's exposures: the oracle does not know which
//! scenario the runner came from. (A journal does hint at it — a desk job shows in the sitting hours — but using who
//! was recruited into which scenario would be reading the suite's design, not the runner's pain.)

use crate::runner::{Exposure, Season};
use crate::scenarios::{SCENARIOS, Scenario};
use runtall_insights::Factor;

/// The generator's cap on the chance of a pain event (`runner::simulate`).
const CAP: f64 = 0.9;
/// Flare weeks double the chance (`runner::simulate`).
const FLARE: f64 = 2.0;
/// `Habits::draw`'s range for the weekly chance that a flare starts (the trigger scenarios do not change it).
const FLARE_RATE: (f64, f64) = (0.0, 0.08);
const BASE_GRID: usize = 20;
const RATE_GRID: usize = 4;
/// Issue 13's range of effect sizes, for the oracle that does not know them.
const EFFECT: (f64, f64) = (1.5, 5.0);
const EFFECT_GRID: usize = 8;
const EFFECT_BASE_GRID: usize = 10;

/// The candidate plans: the trigger scenarios that count in the pooled figures (the positive control and the null
/// scenarios are not candidates).
pub fn plans() -> Vec<&'static Scenario> {
    SCENARIOS.iter().filter(|s| s.counts()).collect()
}

/// The oracle's first place after some runs.
#[derive(Clone, Copy, Debug)]
pub struct Pick {
    /// Knowing the runner's base and flare weeks.
    pub known: Factor,
    /// Base and flare weeks unknown (integrated over), the base over the plan's scenario range.
    pub unknown: Factor,
    /// The same, the base over one range for all plans.
    pub common: Factor,
    /// The same, not knowing the plans' effect sizes either.
    pub effect_unknown: Factor,
    /// Knowing base and flare weeks: the log Bayes factor of the best-fitting plan against "no trigger at all"
    /// (not a candidate for the ranking; shown for null runners, where it should stay small).
    pub best_vs_none: f64,
}

/// What the oracle reads of a season: per plan the multiplier on each run, the pain events, the flare weeks (for the
/// knowing column) and the week of each run (for the flare process).
pub struct Truth {
    mult: Vec<Vec<f64>>,
    /// Per plan and run, how many times the plan's effect applies (0 or 1 for a yes/no trigger, 2 when both of two
    /// are present, hours above the start over four for the dose-response plan).
    expo: Vec<Vec<f64>>,
    events: Vec<bool>,
    flares: Vec<bool>,
    weeks: Vec<usize>,
    base: f64,
}

impl Truth {
    pub fn of(season: &Season, plans: &[&Scenario]) -> Truth {
        // The flare process steps on the first day and on every Monday after it, as `simulate` does.
        let mut week_of_day = Vec::with_capacity(season.days.len());
        let mut w = 0usize;
        for (i, d) in season.days.iter().enumerate() {
            if i > 0 && d.weekday == 0 {
                w += 1;
            }
            week_of_day.push(w);
        }
        let exposures: Vec<Exposure> = season
            .runs
            .iter()
            .map(|r| Exposure {
                run: r,
                day: &season.days[r.day],
                yesterday: r.day.checked_sub(1).map(|i| &season.days[i]),
            })
            .collect();
        let expo = |s: &Scenario, e: &Exposure| -> f64 {
            s.triggers.iter().map(|t| t.multiplier(e).ln() / t.effect().ln()).sum()
        };
        Truth {
            mult: plans.iter().map(|p| exposures.iter().map(|e| p.multiplier(e)).collect()).collect(),
            expo: plans.iter().map(|p| exposures.iter().map(|e| expo(p, e)).collect()).collect(),
            events: season.runs.iter().map(|r| r.pain_event).collect(),
            flares: season.runs.iter().map(|r| r.flare).collect(),
            weeks: season.runs.iter().map(|r| week_of_day[r.day]).collect(),
            base: season.habits.base,
        }
    }

    /// The same exposures with other pain events (one per run, in run order): the pain as a journal shows it.
    pub fn with_events(&self, events: Vec<bool>) -> Truth {
        Truth {
            mult: self.mult.clone(),
            expo: self.expo.clone(),
            events,
            flares: self.flares.clone(),
            weeks: self.weeks.clone(),
            base: self.base,
        }
    }

    /// The chance of a pain event on run `i` under plan `p` (the generator's formula, in its order of operations).
    pub fn chance(&self, p: usize, i: usize, base: f64, flare: bool) -> f64 {
        (base * if flare { FLARE } else { 1.0 } * self.mult[p][i]).min(CAP)
    }

    /// The chance under plan `p` with its effect replaced by `exp(log_effect)`.
    fn chance_with_effect(&self, p: usize, i: usize, base: f64, flare: bool, log_effect: f64) -> f64 {
        let m = if self.expo[p][i] == 0.0 { 1.0 } else { (self.expo[p][i] * log_effect).exp() };
        (base * if flare { FLARE } else { 1.0 } * m).min(CAP)
    }

    fn log_bernoulli(&self, i: usize, q: f64) -> f64 {
        if self.events[i] { q.ln() } else { (1.0 - q).ln() }
    }

    /// Log-likelihood of the first `n` runs' events under plan `p`, knowing the base and the flare weeks.
    fn known(&self, p: usize, n: usize) -> f64 {
        (0..n).map(|i| self.log_bernoulli(i, self.chance(p, i, self.base, self.flares[i]))).sum()
    }

    /// Log-likelihood of the first `n` runs' events with no trigger, knowing the base and the flare weeks.
    fn none(&self, n: usize) -> f64 {
        (0..n).map(|i| self.log_bernoulli(i, (self.base * if self.flares[i] { FLARE } else { 1.0 }).min(CAP))).sum()
    }

    /// Log-likelihood of each week's runs (among the first `n`) under plan `p` for one base, outside and inside a
    /// flare.
    fn week_likes(&self, p: usize, n: usize, base: f64) -> Vec<[f64; 2]> {
        self.week_likes_by(n, |i, flare| self.chance(p, i, base, flare))
    }

    fn week_likes_by(&self, n: usize, chance: impl Fn(usize, bool) -> f64) -> Vec<[f64; 2]> {
        let weeks = if n == 0 { 0 } else { self.weeks[n - 1] + 1 };
        let mut likes = vec![[0.0; 2]; weeks];
        for i in 0..n {
            for (f, l) in likes[self.weeks[i]].iter_mut().enumerate() {
                *l += self.log_bernoulli(i, chance(i, f == 1));
            }
        }
        likes
    }

    /// Log-likelihood of the first `n` runs' events under plan `p` for one base and one flare rate, the flare weeks
    /// summed out.
    #[cfg(test)]
    fn forward(&self, p: usize, n: usize, base: f64, rate: f64) -> f64 {
        forward(&self.week_likes(p, n, base), rate)
    }

    /// Log of the likelihood averaged over the plan's base range and the flare rate's range (uniform priors).
    fn unknown(&self, p: usize, n: usize, range: (f64, f64)) -> f64 {
        let mut terms = Vec::with_capacity(BASE_GRID * RATE_GRID);
        for base in grid(range, BASE_GRID) {
            let likes = self.week_likes(p, n, base);
            terms.extend(grid(FLARE_RATE, RATE_GRID).map(|rate| forward(&likes, rate)));
        }
        log_mean_exp(&terms)
    }

    /// The same, the plan's effect also averaged over issue 13's range (log-uniform).
    fn unknown_effect(&self, p: usize, n: usize, range: (f64, f64)) -> f64 {
        let mut terms = Vec::with_capacity(EFFECT_BASE_GRID * EFFECT_GRID * RATE_GRID);
        for log_effect in grid((EFFECT.0.ln(), EFFECT.1.ln()), EFFECT_GRID) {
            for base in grid(range, EFFECT_BASE_GRID) {
                let likes = self.week_likes_by(n, |i, flare| self.chance_with_effect(p, i, base, flare, log_effect));
                terms.extend(grid(FLARE_RATE, RATE_GRID).map(|rate| forward(&likes, rate)));
            }
        }
        log_mean_exp(&terms)
    }
}

/// The weekly flare process summed out with a forward pass: the state is the weeks of flare left after the week's
/// step (0, 1 or 2; flared when above 0). From 0 a flare starts with chance `rate`, with one or two weeks left; any
/// other count steps down by one. `likes` holds each week's log-likelihood outside and inside a flare.
fn forward(likes: &[[f64; 2]], rate: f64) -> f64 {
    let mut a = [1.0, 0.0, 0.0];
    let mut log_z = 0.0;
    for like in likes {
        a = [a[0] * (1.0 - rate) + a[1], a[0] * rate / 2.0 + a[2], a[0] * rate / 2.0];
        // Scale by the better of the two so neither underflows.
        let top = like[0].max(like[1]);
        a[0] *= (like[0] - top).exp();
        a[1] *= (like[1] - top).exp();
        a[2] *= (like[1] - top).exp();
        let z = a[0] + a[1] + a[2];
        a.iter_mut().for_each(|x| *x /= z);
        log_z += top + z.ln();
    }
    log_z
}

/// `n` midpoints of equal cells over `range`.
fn grid(range: (f64, f64), n: usize) -> impl Iterator<Item = f64> {
    (0..n).map(move |k| range.0 + (range.1 - range.0) * (k as f64 + 0.5) / n as f64)
}

fn log_mean_exp(xs: &[f64]) -> f64 {
    let top = xs.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    top + (xs.iter().map(|x| (x - top).exp()).sum::<f64>() / xs.len() as f64).ln()
}

/// The posterior over plans from their log-likelihoods (equal priors).
pub fn posterior(log_like: &[f64]) -> Vec<f64> {
    let top = log_like.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let w: Vec<f64> = log_like.iter().map(|l| (l - top).exp()).collect();
    let z: f64 = w.iter().sum();
    w.into_iter().map(|x| x / z).collect()
}

/// The factor with the largest posterior summed over the plans that name it (a plan naming two factors, stress and
/// sleep, counts for both).
pub fn first_factor(plans: &[&Scenario], post: &[f64]) -> Factor {
    let mut by: Vec<(Factor, f64)> = Vec::new();
    for (s, &q) in plans.iter().zip(post) {
        for &f in s.planted {
            match by.iter_mut().find(|(g, _)| *g == f) {
                Some((_, v)) => *v += q,
                None => by.push((f, q)),
            }
        }
    }
    // The plans are never empty: the fallback only keeps this function total.
    by.into_iter().max_by(|x, y| x.1.total_cmp(&y.1)).map(|(f, _)| f).unwrap_or(Factor::LongRun)
}

/// The oracle's picks after the first `n` runs of the season.
pub fn judge(truth: &Truth, plans: &[&Scenario], n: usize) -> Pick {
    let n = n.min(truth.events.len());
    let known: Vec<f64> = (0..plans.len()).map(|p| truth.known(p, n)).collect();
    let unknown: Vec<f64> = plans.iter().enumerate().map(|(p, s)| truth.unknown(p, n, s.base)).collect();
    let best = known.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    Pick {
        known: first_factor(plans, &posterior(&known)),
        unknown: first_factor(plans, &posterior(&unknown)),
        common: judge_common(truth, plans, n),
        effect_unknown: {
            let range = common_range(plans);
            let l: Vec<f64> = (0..plans.len()).map(|p| truth.unknown_effect(p, n, range)).collect();
            first_factor(plans, &posterior(&l))
        },
        best_vs_none: best - truth.none(n),
    }
}

/// The first place with base and flare weeks unknown and one base range for every plan (`oracle-c`).
pub fn judge_common(truth: &Truth, plans: &[&Scenario], n: usize) -> Factor {
    let n = n.min(truth.events.len());
    let range = common_range(plans);
    let common: Vec<f64> = (0..plans.len()).map(|p| truth.unknown(p, n, range)).collect();
    first_factor(plans, &posterior(&common))
}

/// One base range for every plan: the union of the plans' ranges.
fn common_range(plans: &[&Scenario]) -> (f64, f64) {
    plans.iter().fold((f64::INFINITY, 0.0f64), |(lo, hi), s| (lo.min(s.base.0), hi.max(s.base.1)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::live;

    fn index(name: &str) -> usize {
        SCENARIOS.iter().position(|s| s.name == name).unwrap()
    }

    /// Under the runner's own plan, with its base and flare weeks, the oracle's chance is the generator's, run by run.
    #[test]
    fn the_likelihood_is_the_generators() {
        let plans = plans();
        for (p, s) in plans.iter().enumerate() {
            let si = index(s.name);
            for ri in 0..5 {
                let season = live(s, si, ri, 7, false, None);
                let truth = Truth::of(&season, &plans);
                let log_effect = s.triggers[0].effect().ln();
                for (i, r) in season.runs.iter().enumerate() {
                    assert_eq!(truth.chance(p, i, season.habits.base, r.flare), r.p_pain, "{} run {i}", s.name);
                    // At the plan's own effect (both of stress+sleep's are 1.8) the rescaled chance is the same.
                    let q = truth.chance_with_effect(p, i, season.habits.base, r.flare, log_effect);
                    assert!((q - r.p_pain).abs() < 1e-12, "{} run {i}: {q} against {}", s.name, r.p_pain);
                }
            }
        }
    }

    /// The weeks the oracle steps the flare process on are the generator's: every run of one week shares its flare
    /// state, no flare lasts three weeks, and flares do happen (runners with frequent flares, 400 runs each).
    #[test]
    fn the_weeks_are_the_generators() {
        let plans = plans();
        let si = index("null-gappy");
        let mut flare_weeks = 0;
        for ri in 0..20 {
            let season = live(&SCENARIOS[si], si, ri, 3, false, Some(400));
            let truth = Truth::of(&season, &plans);
            let last = truth.weeks[truth.weeks.len() - 1];
            let mut state: Vec<Option<bool>> = vec![None; last + 1];
            for (i, &w) in truth.weeks.iter().enumerate() {
                match state[w] {
                    None => state[w] = Some(truth.flares[i]),
                    Some(f) => assert_eq!(f, truth.flares[i], "runner {ri}: week {w} has runs in and out of a flare"),
                }
            }
            flare_weeks += state.iter().filter(|f| **f == Some(true)).count();
            for w in state.windows(3) {
                assert!(w.iter().any(|f| *f != Some(true)), "runner {ri}: a flare of three weeks");
            }
        }
        assert!(flare_weeks >= 20, "only {flare_weeks} flare weeks among 20 runners");
    }

    /// The forward pass sums the flare weeks out correctly: against every path of the flare process written out
    /// one by one (a flare starts with chance `rate` in a week without one left, with one or two weeks left, and a
    /// week's count steps down by one), on the first 15 runs, with flares made common so they matter.
    #[test]
    fn the_forward_pass_sums_every_flare_path() {
        fn paths(
            w: usize,
            last: usize,
            left: u32,
            rate: f64,
            prob: f64,
            flared: &mut Vec<bool>,
            out: &mut Vec<(f64, Vec<bool>)>,
        ) {
            if w > last {
                out.push((prob, flared.clone()));
                return;
            }
            let next: Vec<(u32, f64)> =
                if left > 0 { vec![(left - 1, 1.0)] } else { vec![(0, 1.0 - rate), (1, rate / 2.0), (2, rate / 2.0)] };
            for (l, q) in next {
                flared.push(l > 0);
                paths(w + 1, last, l, rate, prob * q, flared, out);
                flared.pop();
            }
        }
        let plans = plans();
        for name in ["sit8", "sleep6.5", "stress+sleep"] {
            let si = index(name);
            let season = live(&SCENARIOS[si], si, 3, 9, false, None);
            let truth = Truth::of(&season, &plans);
            let n = 15;
            let (base, rate) = (0.2, 0.3);
            let mut all = Vec::new();
            paths(0, truth.weeks[n - 1], 0, rate, 1.0, &mut Vec::new(), &mut all);
            for p in 0..plans.len() {
                let brute: f64 = all
                    .iter()
                    .map(|(prob, flared)| {
                        prob * (0..n)
                            .map(|i| truth.log_bernoulli(i, truth.chance(p, i, base, flared[truth.weeks[i]])))
                            .sum::<f64>()
                            .exp()
                    })
                    .sum();
                let fwd = truth.forward(p, n, base, rate);
                assert!((fwd - brute.ln()).abs() < 1e-9, "{name}, plan {p}: forward {fwd}, every path {}", brute.ln());
            }
        }
    }

    /// With 400 runs a planted trigger is plain to anyone who knows the plans: the oracle names it for nearly every
    /// runner of every scenario. A likelihood with a cut turned the wrong way (sleep over 6.5 h), a lag on the wrong
    /// day or a plan scored against another plan's multiplier fails here.
    #[test]
    fn many_runs_find_the_planted_trigger() {
        let plans = plans();
        let (mut hits_k, mut hits_u, mut hits_c, mut hits_r, mut all) = (0, 0, 0, 0, 0);
        for s in &plans {
            let si = index(s.name);
            let mut hit = 0;
            for ri in 0..6 {
                let season = live(s, si, ri, 11, false, Some(400));
                let pick = judge(&Truth::of(&season, &plans), &plans, 400);
                hit += usize::from(s.planted.contains(&pick.known));
                hits_u += usize::from(s.planted.contains(&pick.unknown));
                hits_c += usize::from(s.planted.contains(&pick.common));
                hits_r += usize::from(s.planted.contains(&pick.effect_unknown));
                all += 1;
            }
            eprintln!("{}: knowing oracle {hit}/6", s.name);
            hits_k += hit;
            assert!(hit >= 4, "{}: the knowing oracle named the planted factor for {hit} of 6 runners", s.name);
        }
        eprintln!(
            "all: knowing {hits_k}/{all}, base and flares unknown {hits_u}/{all}, one base range {hits_c}/{all}, effects unknown {hits_r}/{all}"
        );
        assert!(hits_k * 10 >= all * 9, "knowing oracle: {hits_k} of {all}");
        assert!(hits_u * 10 >= all * 8, "oracle with base and flares unknown: {hits_u} of {all}");
        assert!(hits_c * 10 >= all * 8, "oracle with one base range: {hits_c} of {all}");
        assert!(hits_r * 10 >= all * 8, "oracle not knowing the effect sizes: {hits_r} of {all}");
    }

    /// Null runners have no trigger: their first places are spread over the plans rather than piled on one, and
    /// the best plan is hardly more believable than "no trigger", while for trigger runners it is by far.
    #[test]
    fn null_runners_look_like_no_trigger() {
        let plans = plans();
        let bf = |name: &str, ri: usize| {
            let si = index(name);
            let season = live(&SCENARIOS[si], si, ri, 5, false, Some(200));
            judge(&Truth::of(&season, &plans), &plans, 200)
        };
        let n = 60;
        let mut firsts = std::collections::BTreeMap::<String, usize>::new();
        let mut null_bf = 0.0;
        for ri in 0..n {
            let pick = bf("null", ri);
            null_bf += pick.best_vs_none / n as f64;
            *firsts.entry(format!("{:?}", pick.known)).or_default() += 1;
        }
        let trigger_bf = plans.iter().map(|s| bf(s.name, 0).best_vs_none).sum::<f64>() / plans.len() as f64;
        eprintln!(
            "null: mean log BF best plan vs none {null_bf:.2}, trigger runners {trigger_bf:.2}; firsts {firsts:?}"
        );
        let most = firsts.values().copied().max().unwrap_or(0);
        assert!(most * 5 <= n * 2, "one factor was first for {most} of {n} null runners: {firsts:?}");
        assert!(null_bf < 1.5, "null runners: the best plan beat no trigger by a log Bayes factor of {null_bf:.2}");
        assert!(trigger_bf > 4.0, "trigger runners: the best plan beat no trigger by only {trigger_bf:.2}");
    }
}
