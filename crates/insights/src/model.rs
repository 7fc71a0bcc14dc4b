//! The model average behind the ranking: every way of reading every factor is one small regression, and the data
//! decide how much each deserves.
//!
//! Why this design: a runner's journal holds a few dozen runs and a dozen or more candidate factors, most of them
//! irrelevant, some measured on a scale with no agreed cut point. Testing factors one at a time and keeping the best
//! manufactures links; one big regression spreads the signal over correlated factors and overfits. Instead the
//! engine uses a *single-effect* model average (the building block of "sum of single effects" regression): either
//! nothing goes with pain, or one factor does, read in one of its ways (its yes/no rule, a cut point on its
//! measure, or a dose-response slope). Each reading is a one-factor ordinal or logistic model fitted with a normal
//! prior on its slope and weighed by its Laplace-approximated evidence times its prior. The prior is where
//! multiplicity is paid for: the chance that *some* factor matters is fixed, shared equally among the factors
//! judged, and each factor's share is split among its readings — so more factors, or more candidate cut points,
//! make each one harder to believe, not easier. Factors that travel together compete for the same pain runs: the one
//! that explains them better takes the weight, and when the data cannot tell, the weight is split and the engine
//! says so.

use crate::special::{ln_gamma, log1p_exp, logistic, normal_cdf};

/// Pain runs summarised for one reading of one factor: rows of (covariate value, pain band, number of runs), and,
/// when the reading is tried as a second factor, the value of the first factor's reading (`z`, else empty).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Table {
    pub x: Vec<f64>,
    pub z: Vec<f64>,
    pub band: Vec<usize>,
    pub count: Vec<f64>,
}

impl Table {
    pub fn push(&mut self, x: f64, band: usize, count: f64) {
        if count > 0.0 {
            self.x.push(x);
            self.band.push(band);
            self.count.push(count);
        }
    }

    pub fn push_given(&mut self, x: f64, z: f64, band: usize, count: f64) {
        if count > 0.0 {
            self.z.push(z);
            self.push(x, band, count);
        }
    }
}

/// A factor already in every model (the first effect, when the average looks for a second): its reading's values
/// per row of a [`Table`] (in `x`) for the null model, and the normal prior on its slope.
#[derive(Debug, Clone, PartialEq)]
pub struct Given {
    pub table: Table,
    pub prior: (f64, f64),
}

/// One way of modelling the outcome. All families in one average must describe the same data, so that their
/// evidences are comparable: e.g. "factors shift the whole pain scale" (ordinal bands) against "factors only change
/// whether pain reaches 3/10, and the finer bands are noise" (yes/no plus a factor-free split within each side,
/// whose evidence is `extra_log_evidence`).
#[derive(Debug, Clone, PartialEq)]
pub struct Family {
    pub name: &'static str,
    /// The category (0..`categories`) each pain band is fitted as.
    pub category_of_band: Vec<usize>,
    pub categories: usize,
    /// Log evidence of the part of the data the regression does not model (0 if none).
    pub extra_log_evidence: f64,
    /// Prior log weight of the family.
    pub log_prior: f64,
}

/// One candidate explanation: a factor read one way.
#[derive(Debug, Clone, PartialEq)]
pub struct Hypothesis {
    pub table: Table,
    /// Prior log weight (the factor's share of "something matters" times the reading's share of the factor).
    pub log_prior: f64,
    /// Normal prior on the slope: mean and standard deviation.
    pub slab_mean: f64,
    pub slab_sd: f64,
}

/// What the average says about each hypothesis.
#[derive(Debug, Clone, PartialEq)]
pub struct SingleEffectFit {
    /// Posterior probability of each hypothesis (all families together).
    pub probability: Vec<f64>,
    /// Posterior probability that the hypothesis holds with a positive slope (more pain on the suspected side).
    pub positive: Vec<f64>,
    /// Mean and standard deviation of the slope given the hypothesis (mixed over families).
    pub slope_mean: Vec<f64>,
    pub slope_sd: Vec<f64>,
    /// Posterior probability that no factor goes with pain.
    pub null_probability: f64,
    /// Posterior probability of each outcome family.
    pub family_probability: Vec<f64>,
    /// Number of models fitted (hypotheses × families, plus each family's null model).
    pub models: usize,
}

/// Prior standard deviation of the thresholds (covariates are centred, so this is about the runner's base rate).
pub const INTERCEPT_SD: f64 = 3.0;

/// Fits the single-effect average. `null_log_prior` is the prior log weight of "nothing (else) goes with pain";
/// with `given`, every model, the null included, also holds that factor (hypothesis tables then carry its values in
/// `z`), which is how a second factor is looked for once a first one is in.
pub fn single_effect(
    families: &[Family],
    hypotheses: &[Hypothesis],
    null_log_prior: f64,
    given: Option<&Given>,
) -> SingleEffectFit {
    let h = hypotheses.len();
    // Log weights: [family][0] = null, [family][1 + j] = hypothesis j; slope summaries per (family, j).
    let mut lw = vec![vec![f64::NEG_INFINITY; h + 1]; families.len()];
    let mut slopes = vec![vec![(0.0, 1.0); h]; families.len()];
    let mut models = 0;
    for (fi, fam) in families.iter().enumerate() {
        // The null model: band totals only, or the given factor alone.
        let null = match given {
            Some(g) => {
                let y: Vec<usize> = g.table.band.iter().map(|b| fam.category_of_band[*b]).collect();
                fit_ordinal_weighted(&y, &g.table.count, fam.categories, &[&g.table.x], INTERCEPT_SD, &[g.prior])
            }
            None => {
                let mut totals = vec![0.0; fam.categories];
                if let Some(first) = hypotheses.first() {
                    for (b, c) in first.table.band.iter().zip(&first.table.count) {
                        totals[fam.category_of_band[*b]] += c;
                    }
                }
                let ys: Vec<usize> = (0..fam.categories).collect();
                fit_ordinal_weighted(&ys, &totals, fam.categories, &[], INTERCEPT_SD, &[])
            }
        };
        lw[fi][0] = null.log_evidence + fam.extra_log_evidence + fam.log_prior + null_log_prior;
        models += 1;
        for (j, hyp) in hypotheses.iter().enumerate() {
            let y: Vec<usize> = hyp.table.band.iter().map(|b| fam.category_of_band[*b]).collect();
            let slab = (hyp.slab_mean, hyp.slab_sd);
            let fit = match given {
                Some(g) => fit_ordinal_weighted(
                    &y,
                    &hyp.table.count,
                    fam.categories,
                    &[&hyp.table.x, &hyp.table.z],
                    INTERCEPT_SD,
                    &[slab, g.prior],
                ),
                None => {
                    fit_ordinal_weighted(&y, &hyp.table.count, fam.categories, &[&hyp.table.x], INTERCEPT_SD, &[slab])
                }
            };
            let thresholds = fam.categories.saturating_sub(1).max(1);
            slopes[fi][j] = fit.slope(thresholds, 0);
            lw[fi][j + 1] = fit.log_evidence + fam.extra_log_evidence + fam.log_prior + hyp.log_prior;
            models += 1;
        }
    }
    let best = lw.iter().flatten().copied().fold(f64::NEG_INFINITY, f64::max);
    let total: f64 = lw.iter().flatten().map(|l| (l - best).exp()).sum();
    let weight = |l: f64| if total > 0.0 { (l - best).exp() / total } else { 0.0 };
    let mut probability = vec![0.0; h];
    let mut positive = vec![0.0; h];
    let mut m1 = vec![0.0; h];
    let mut m2 = vec![0.0; h];
    let mut family_probability = vec![0.0; families.len()];
    let mut null_probability = 0.0;
    for fi in 0..families.len() {
        let w0 = weight(lw[fi][0]);
        null_probability += w0;
        family_probability[fi] += w0;
        for j in 0..h {
            let w = weight(lw[fi][j + 1]);
            let (mean, sd) = slopes[fi][j];
            family_probability[fi] += w;
            probability[j] += w;
            positive[j] += w * normal_cdf(mean / sd.max(1e-12));
            m1[j] += w * mean;
            m2[j] += w * (sd * sd + mean * mean);
        }
    }
    let mut slope_mean = vec![0.0; h];
    let mut slope_sd = vec![0.0; h];
    for j in 0..h {
        if probability[j] > 0.0 {
            slope_mean[j] = m1[j] / probability[j];
            slope_sd[j] = (m2[j] / probability[j] - slope_mean[j] * slope_mean[j]).max(0.0).sqrt();
        }
    }
    SingleEffectFit { probability, positive, slope_mean, slope_sd, null_probability, family_probability, models }
}

/// Log evidence of category counts under a symmetric Dirichlet(1, …, 1) prior (every split equally likely a
/// priori): the factor-free part of a family.
pub fn dirichlet_multinomial_log_evidence(counts: &[usize]) -> f64 {
    let k = counts.len() as f64;
    let n: usize = counts.iter().sum();
    ln_gamma(k) - ln_gamma(k + n as f64) + counts.iter().map(|&c| ln_gamma(1.0 + c as f64)).sum::<f64>()
}

/// One penalised fit and its Laplace evidence.
#[derive(Debug, Clone, PartialEq)]
pub struct LogisticFit {
    /// Thresholds first (one for a yes/no outcome: the intercept), then one coefficient per column.
    pub beta: Vec<f64>,
    /// Laplace posterior standard deviations, same order.
    pub sd: Vec<f64>,
    /// Log marginal likelihood (Laplace approximation).
    pub log_evidence: f64,
}

impl LogisticFit {
    /// Coefficient and its sd for column `j`.
    pub fn slope(&self, thresholds: usize, j: usize) -> (f64, f64) {
        (self.beta[thresholds + j], self.sd[thresholds + j])
    }
}

/// A yes/no logistic regression: [`fit_ordinal`] with two categories.
pub fn fit_logistic(y: &[f64], cols: &[&[f64]], s0: f64, m1: f64, s1: f64) -> LogisticFit {
    let cats: Vec<usize> = y.iter().map(|&v| usize::from(v >= 0.5)).collect();
    fit_ordinal(&cats, 2, cols, s0, m1, s1)
}

/// Proportional-odds (cumulative logit) regression: P(Y ≥ k) = logistic(α_k + xβ) for k = 1 … C−1, with normal
/// priors N(0, s0²) on the thresholds and N(m1, s1²) on the slopes. For C = 2 this is ordinary logistic regression.
///
/// Why ordinal: pain ratings are graded, and a 2/10 twinge after a run says more than "no pain"; a trigger that makes
/// pain more likely usually nudges the whole scale up. One common slope across the thresholds keeps the model as
/// small as the yes/no one. Every category in 0..C must occur at least once (callers merge empty ones).
///
/// The log posterior is concave (the logistic is log-concave), so damped Newton converges; steps that would break
/// the ordering of the thresholds are rejected by the line search because they make a probability non-positive.
pub fn fit_ordinal(y: &[usize], categories: usize, cols: &[&[f64]], s0: f64, m1: f64, s1: f64) -> LogisticFit {
    let w = vec![1.0; y.len()];
    fit_ordinal_weighted(y, &w, categories, cols, s0, &vec![(m1, s1); cols.len()])
}

/// [`fit_ordinal`] where row `i` stands for `w[i]` identical runs and each column has its own normal prior
/// (mean, standard deviation). The engine fits small models to tables of (values, pain band, count) rather than to
/// every run, so a fit costs the same for 40 runs and for 10,000.
pub fn fit_ordinal_weighted(
    y: &[usize],
    w: &[f64],
    categories: usize,
    cols: &[&[f64]],
    s0: f64,
    priors: &[(f64, f64)],
) -> LogisticFit {
    let t = categories.saturating_sub(1).max(1);
    let k = cols.len();
    let d = t + k;
    let total: f64 = w.iter().sum();
    let prior = |j: usize| if j < t { (0.0, s0) } else { priors.get(j - t).copied().unwrap_or((0.0, 1.0)) };
    let prec: Vec<f64> = (0..d).map(|j| 1.0 / (prior(j).1 * prior(j).1)).collect();
    let mu: Vec<f64> = (0..d).map(|j| prior(j).0).collect();
    let eta = |b: &[f64], i: usize| -> f64 { cols.iter().enumerate().map(|(j, c)| b[t + j] * c[i]).sum() };
    // Upper cumulative probability G_k = P(Y ≥ k) and its derivatives, with G_0 = 1 and G_C = 0.
    let upper = |b: &[f64], k: usize, e: f64| -> (f64, f64, f64) {
        if k == 0 || k > t {
            (if k == 0 { 1.0 } else { 0.0 }, 0.0, 0.0)
        } else {
            let g = logistic(b[k - 1] + e);
            let f = g * (1.0 - g);
            (g, f, f * (1.0 - 2.0 * g))
        }
    };
    let objective = |b: &[f64]| -> f64 {
        let mut ll = 0.0;
        for (i, &yi) in y.iter().enumerate() {
            if w[i] == 0.0 {
                continue;
            }
            let e = eta(b, i);
            let c = yi.min(t);
            let p = if t == 1 {
                // Stable form for the yes/no case.
                return_ll_binary(c, b[0] + e)
            } else {
                let pr = upper(b, c, e).0 - upper(b, c + 1, e).0;
                if pr <= 0.0 {
                    return f64::NEG_INFINITY;
                }
                pr.ln()
            };
            ll += w[i] * p;
        }
        ll - 0.5 * (0..d).map(|j| prec[j] * (b[j] - mu[j]) * (b[j] - mu[j])).sum::<f64>()
    };
    // Start at the observed cumulative shares, slopes at 0.
    let mut beta = vec![0.0; d];
    for kk in 1..=t {
        let above: f64 = y.iter().zip(w).filter(|(c, _)| **c >= kk).map(|(_, w)| w).sum();
        let share = (above + 0.5) / (total + 1.0);
        beta[kk - 1] = (share / (1.0 - share)).ln();
    }
    let mut obj = objective(&beta);
    let mut hess = vec![0.0; d * d];
    let mut grad = vec![0.0; d];
    // Fills `grad` and `hess` with the gradient and the negative Hessian of the log posterior at `b`.
    // Per row, the gradient of p is f_lo·v_lo − f_hi·v_hi with v_k = e_{α_k} + (0, x): only two threshold entries
    // and the slope entries are non-zero, which the loops below use instead of building the vectors.
    let derivatives = |b: &[f64], grad: &mut [f64], hess: &mut [f64]| {
        grad.iter_mut().for_each(|g| *g = 0.0);
        hess.iter_mut().for_each(|h| *h = 0.0);
        let mut gp = vec![0.0; d];
        let mut vlo = vec![0.0; d];
        let mut vhi = vec![0.0; d];
        for i in 0..y.len() {
            let wi = w[i];
            if wi == 0.0 {
                continue;
            }
            let e = eta(b, i);
            let c = y[i].min(t);
            let (g_lo, f_lo, fp_lo) = upper(b, c, e);
            let (g_hi, f_hi, fp_hi) = upper(b, c + 1, e);
            let p = (g_lo - g_hi).max(1e-300);
            let fill = |kk: usize, out: &mut [f64]| {
                out.iter_mut().for_each(|v| *v = 0.0);
                if kk >= 1 && kk <= t {
                    out[kk - 1] = 1.0;
                    for (j, col) in cols.iter().enumerate() {
                        out[t + j] = col[i];
                    }
                }
            };
            fill(c, &mut vlo);
            fill(c + 1, &mut vhi);
            for a in 0..d {
                gp[a] = f_lo * vlo[a] - f_hi * vhi[a];
                grad[a] += wi * gp[a] / p;
            }
            // −∇² log p = g gᵀ / p² − H_p / p, with H_p = f'_lo v_lo v_loᵀ − f'_hi v_hi v_hiᵀ.
            let (p2, a_lo, a_hi) = (p * p, fp_lo / p, fp_hi / p);
            for a in 0..d {
                if gp[a] == 0.0 && vlo[a] == 0.0 && vhi[a] == 0.0 {
                    continue;
                }
                for bb in 0..=a {
                    let hp = a_lo * vlo[a] * vlo[bb] - a_hi * vhi[a] * vhi[bb];
                    hess[a * d + bb] += wi * (gp[a] * gp[bb] / p2 - hp);
                }
            }
        }
        for a in 0..d {
            grad[a] -= prec[a] * (b[a] - mu[a]);
            hess[a * d + a] += prec[a];
            for bb in 0..a {
                hess[bb * d + a] = hess[a * d + bb];
            }
        }
    };
    for _ in 0..100 {
        derivatives(&beta, &mut grad, &mut hess);
        let Some(step) = solve_spd(&hess, &grad, d) else { break };
        let mut scale = 1.0;
        let mut improved = false;
        let mut moved = false;
        for _ in 0..40 {
            let cand: Vec<f64> = beta.iter().zip(&step).map(|(b, s)| b + scale * s).collect();
            let c = objective(&cand);
            if c >= obj - 1e-12 {
                improved = c - obj > 1e-10;
                beta = cand;
                obj = c;
                moved = true;
                break;
            }
            scale *= 0.5;
        }
        let size: f64 = step.iter().map(|s| s * s).sum::<f64>().sqrt() * scale;
        if !moved || !improved || size < 1e-9 {
            break;
        }
    }
    derivatives(&beta, &mut grad, &mut hess);
    let (log_det, inv_diag) = match cholesky(&hess, d) {
        Some(l) => {
            let log_det = 2.0 * (0..d).map(|i| l[i * d + i].ln()).sum::<f64>();
            let inv_diag = (0..d)
                .map(|j| {
                    let mut e = vec![0.0; d];
                    e[j] = 1.0;
                    chol_solve(&l, &e, d)[j]
                })
                .collect::<Vec<_>>();
            (log_det, inv_diag)
        }
        // Not expected with a positive prior precision; if it happens the model simply gets no weight.
        None => (f64::INFINITY, (0..d).map(|j| 1.0 / prec[j]).collect()),
    };
    let log_prior_norm: f64 = prec.iter().map(|p| 0.5 * p.ln()).sum();
    LogisticFit {
        sd: inv_diag.iter().map(|v| v.max(0.0).sqrt()).collect(),
        beta,
        log_evidence: obj + log_prior_norm - 0.5 * log_det,
    }
}

/// log P(y = c) for a yes/no outcome with linear predictor z, without overflow.
fn return_ll_binary(c: usize, z: f64) -> f64 {
    if c == 1 { -log1p_exp(-z) } else { -log1p_exp(z) }
}

fn cholesky(a: &[f64], d: usize) -> Option<Vec<f64>> {
    let mut l = vec![0.0; d * d];
    for i in 0..d {
        for j in 0..=i {
            let mut s = a[i * d + j];
            for k in 0..j {
                s -= l[i * d + k] * l[j * d + k];
            }
            if i == j {
                if s <= 0.0 || !s.is_finite() {
                    return None;
                }
                l[i * d + i] = s.sqrt();
            } else {
                l[i * d + j] = s / l[j * d + j];
            }
        }
    }
    Some(l)
}

fn chol_solve(l: &[f64], b: &[f64], d: usize) -> Vec<f64> {
    let mut z = b.to_vec();
    for i in 0..d {
        for k in 0..i {
            z[i] -= l[i * d + k] * z[k];
        }
        z[i] /= l[i * d + i];
    }
    for i in (0..d).rev() {
        for k in i + 1..d {
            z[i] -= l[k * d + i] * z[k];
        }
        z[i] /= l[i * d + i];
    }
    z
}

fn solve_spd(a: &[f64], b: &[f64], d: usize) -> Option<Vec<f64>> {
    cholesky(a, d).map(|l| chol_solve(&l, b, d))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn laplace_evidence_matches_exact_for_intercept_only() {
        // With no covariates and a wide prior the evidence is close to the beta-binomial one; check the fit itself.
        let y = [1.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 0.0];
        let f = fit_logistic(&y, &[], 10.0, 0.0, 1.0);
        let p = logistic(f.beta[0]);
        assert!((p - 0.25).abs() < 0.01, "{p}");
    }

    #[test]
    fn ordinal_fit_recovers_a_shift() {
        // Exposed runs sit one category higher on average.
        let x: Vec<f64> = (0..60).map(|i| f64::from(u8::from(i % 2 == 0))).collect();
        let y: Vec<usize> = (0..60).map(|i| (i % 3) + usize::from(i % 2 == 0 && i % 3 < 2)).collect();
        let f = fit_ordinal(&y, 3, &[&x], 3.0, 0.0, 2.0);
        assert!(f.beta[0] > f.beta[1], "thresholds stay ordered: {:?}", f.beta);
        assert!(f.slope(2, 0).0 > 0.5, "{:?}", f.beta);
        assert!(f.log_evidence.is_finite());
        // Two categories give the same answer as the logistic wrapper.
        let yb: Vec<usize> = y.iter().map(|&c| usize::from(c >= 1)).collect();
        let yf: Vec<f64> = yb.iter().map(|&c| c as f64).collect();
        let a = fit_ordinal(&yb, 2, &[&x], 3.0, 0.0, 2.0);
        let b = fit_logistic(&yf, &[&x], 3.0, 0.0, 2.0);
        assert!((a.log_evidence - b.log_evidence).abs() < 1e-9);
    }

    #[test]
    fn separated_data_stays_finite() {
        let y = [1.0, 1.0, 1.0, 0.0, 0.0, 0.0];
        let x = [1.0, 1.0, 1.0, 0.0, 0.0, 0.0];
        let f = fit_logistic(&y, &[&x], 3.0, 0.0, 1.2);
        assert!(f.beta.iter().all(|b| b.is_finite()) && f.log_evidence.is_finite());
        assert!(f.beta[1] > 1.0);
    }

    #[test]
    fn model_average_prefers_the_factor_that_explains_pain() {
        // 40 runs. Factor A: pain on 9 of 10 exposed runs, 1 of 30 others. Factor B: overlaps A on half its runs.
        let table = |exp_pain: f64, exp_free: f64, un_pain: f64, un_free: f64| {
            let share = (exp_pain + exp_free) / 40.0;
            let mut t = Table::default();
            t.push(1.0 - share, 1, exp_pain);
            t.push(1.0 - share, 0, exp_free);
            t.push(-share, 1, un_pain);
            t.push(-share, 0, un_free);
            t
        };
        let hyp = |table| Hypothesis { table, log_prior: (0.25f64).ln(), slab_mean: 1.2, slab_sd: 0.8 };
        let yes_no = Family {
            name: "yes/no",
            category_of_band: vec![0, 1],
            categories: 2,
            extra_log_evidence: 0.0,
            log_prior: 0.0,
        };
        let fit = single_effect(
            &[yes_no],
            &[hyp(table(9.0, 1.0, 1.0, 29.0)), hyp(table(5.0, 5.0, 5.0, 25.0))],
            0.5f64.ln(),
            None,
        );
        assert!(fit.probability[0] > 0.9 && fit.probability[1] < 0.05, "{fit:?}");
        assert!(fit.positive[0] > 0.89 && fit.slope_mean[0] > 1.0, "{fit:?}");
        assert!((fit.probability.iter().sum::<f64>() + fit.null_probability - 1.0).abs() < 1e-9);
    }

    #[test]
    fn weighted_rows_give_the_same_fit_as_repeated_rows() {
        let x = [1.0, 1.0, 1.0, 0.0, 0.0, 0.0, 0.0, 0.0];
        let y = [2, 1, 2, 0, 0, 1, 0, 0];
        let full = fit_ordinal(&y, 3, &[&x], 3.0, 0.0, 2.0);
        let (xs, ys, ws) = ([1.0, 1.0, 0.0, 0.0], [2, 1, 0, 1], [2.0, 1.0, 4.0, 1.0]);
        let table = fit_ordinal_weighted(&ys, &ws, 3, &[&xs], 3.0, &[(0.0, 2.0)]);
        assert!((full.log_evidence - table.log_evidence).abs() < 1e-9);
        assert!((full.beta[2] - table.beta[2]).abs() < 1e-9);
    }
}
