//! Bayesian model averaging over small logistic models: the part of the engine that separates factors that travel
//! together.
//!
//! Why this design: a runner's journal holds a few dozen runs and a dozen candidate factors, most of them irrelevant.
//! Fitting one big regression spreads the signal over correlated factors and overfits; testing factors one at a time
//! blames whatever travels with the real trigger. Instead every model with at most [`BmaConfig::max_size`] factors is
//! fitted (a Newton solve with a normal prior on each log odds ratio), weighed by its Laplace-approximated marginal
//! likelihood times a prior that makes each extra factor a priori unlikely, and averaged. The prior inclusion
//! probability shrinks as the number of candidates grows, which is how testing many factors at once is paid for: with
//! twelve candidates a factor needs much stronger data to be believed than with two. If pack and long runs travel
//! together but pain follows long runs without the pack too, the "long runs" model explains the data better and takes
//! the weight; if the data cannot tell them apart, the weight is split and the engine says so.

use crate::special::{ln_gamma, log1p_exp, logistic, normal_cdf};

/// Settings of the model average. Defaults are the ones the simulator's rates were measured with.
#[derive(Debug, Clone, PartialEq)]
pub struct BmaConfig {
    /// Prior mean of a factor's log odds ratio when it is in the model. Factors are coded so that "yes" is the
    /// suspected side, and a factor worth acting on raises pain noticeably, so the slab is centred above zero.
    pub slab_mean: f64,
    /// Prior standard deviation of a factor's log odds ratio when it is in the model (the "slab").
    pub slab_sd: f64,
    /// Prior standard deviation of the intercept (covariates are centred, so this is about the runner's base rate).
    pub intercept_sd: f64,
    /// Expected number of factors that truly go with pain; the inclusion probability is this over the candidates.
    pub expected_links: f64,
    /// Largest number of factors in one model.
    pub max_size: usize,
}

impl Default for BmaConfig {
    fn default() -> Self {
        BmaConfig { slab_mean: 1.2, slab_sd: 0.8, intercept_sd: 3.0, expected_links: 0.5, max_size: 2 }
    }
}

/// What the average says about each factor.
#[derive(Debug, Clone, PartialEq)]
pub struct BmaFit {
    /// Posterior probability that the factor is in the model.
    pub inclusion: Vec<f64>,
    /// Posterior probability that the factor is in the model with a positive log odds ratio (goes with more pain).
    pub positive: Vec<f64>,
    /// Mean and standard deviation of the log odds ratio, given the factor is in the model.
    pub cond_mean: Vec<f64>,
    pub cond_sd: Vec<f64>,
    /// Posterior probability of the models with no factor at all.
    pub null_probability: f64,
    /// Posterior probability of each outcome family, in the order given.
    pub family_probability: Vec<f64>,
    pub models: usize,
}

/// One way of modelling the outcome. All families in one average must describe the same data, so that their
/// evidences are comparable: e.g. "factors shift the whole pain scale" (ordinal bands) against "factors only change
/// whether pain reaches 3/10, and the finer bands are noise" (yes/no plus a factor-free split within each side,
/// whose evidence is `extra_log_evidence`).
#[derive(Debug, Clone, PartialEq)]
pub struct Family<'a> {
    pub name: &'static str,
    /// Ordered categories `0..categories` the regression part is fitted to.
    pub y: &'a [usize],
    pub categories: usize,
    /// Log evidence of the part of the data the regression does not model (0 if none).
    pub extra_log_evidence: f64,
    /// Prior log weight of the family.
    pub log_prior: f64,
}

/// Fits the model average over every family and every factor subset up to [`BmaConfig::max_size`]; `columns` holds
/// one vector per factor (values 0/1, or the factor's exposure share where a value is missing).
pub fn bma(families: &[Family], columns: &[Vec<f64>], cfg: &BmaConfig) -> BmaFit {
    let k = columns.len();
    let centred: Vec<Vec<f64>> = columns
        .iter()
        .map(|c| {
            let m = c.iter().sum::<f64>() / c.len().max(1) as f64;
            c.iter().map(|v| v - m).collect()
        })
        .collect();
    let pi = (cfg.expected_links / k.max(1) as f64).clamp(1e-6, 0.5);
    let log_in = pi.ln();
    let log_out = (1.0 - pi).ln();

    let mut subsets: Vec<Vec<usize>> = vec![Vec::new()];
    for a in 0..k {
        subsets.push(vec![a]);
    }
    if cfg.max_size >= 2 {
        for a in 0..k {
            for b in a + 1..k {
                subsets.push(vec![a, b]);
            }
        }
    }
    if cfg.max_size >= 3 {
        for a in 0..k {
            for b in a + 1..k {
                for c in b + 1..k {
                    subsets.push(vec![a, b, c]);
                }
            }
        }
    }

    // (family, subset, fit, log weight)
    let mut fits = Vec::with_capacity(subsets.len() * families.len());
    for (fi, fam) in families.iter().enumerate() {
        for (si, m) in subsets.iter().enumerate() {
            let cols: Vec<&[f64]> = m.iter().map(|&j| centred[j].as_slice()).collect();
            let fit = fit_ordinal(fam.y, fam.categories, &cols, cfg.intercept_sd, cfg.slab_mean, cfg.slab_sd);
            let prior = m.len() as f64 * log_in + (k - m.len()) as f64 * log_out + fam.log_prior;
            let lw = fit.log_evidence + fam.extra_log_evidence + prior;
            fits.push((fi, si, fit, lw));
        }
    }
    let best = fits.iter().map(|f| f.3).fold(f64::NEG_INFINITY, f64::max);
    let weights: Vec<f64> = fits.iter().map(|f| (f.3 - best).exp()).collect();
    let total: f64 = weights.iter().sum();

    let mut inclusion = vec![0.0; k];
    let mut positive = vec![0.0; k];
    let mut m1 = vec![0.0; k];
    let mut m2 = vec![0.0; k];
    let mut family_probability = vec![0.0; families.len()];
    let mut null_probability = 0.0;
    for ((fi, si, fit, _), w) in fits.iter().zip(&weights) {
        let w = w / total;
        family_probability[*fi] += w;
        let thresholds = families[*fi].categories.saturating_sub(1).max(1);
        if subsets[*si].is_empty() {
            null_probability += w;
        }
        for (slot, &j) in subsets[*si].iter().enumerate() {
            let (mean, sd) = fit.slope(thresholds, slot);
            inclusion[j] += w;
            positive[j] += w * normal_cdf(mean / sd);
            m1[j] += w * mean;
            m2[j] += w * (sd * sd + mean * mean);
        }
    }
    let mut cond_mean = vec![0.0; k];
    let mut cond_sd = vec![0.0; k];
    for j in 0..k {
        if inclusion[j] > 0.0 {
            cond_mean[j] = m1[j] / inclusion[j];
            cond_sd[j] = (m2[j] / inclusion[j] - cond_mean[j] * cond_mean[j]).max(0.0).sqrt();
        }
    }
    BmaFit { inclusion, positive, cond_mean, cond_sd, null_probability, family_probability, models: fits.len() }
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
    let t = categories.saturating_sub(1).max(1);
    let d = t + cols.len();
    let n = y.len();
    let prec: Vec<f64> = (0..d).map(|j| if j < t { 1.0 / (s0 * s0) } else { 1.0 / (s1 * s1) }).collect();
    let mu: Vec<f64> = (0..d).map(|j| if j < t { 0.0 } else { m1 }).collect();
    let eta = |b: &[f64], i: usize| -> f64 { cols.iter().enumerate().map(|(j, c)| b[t + j] * c[i]).sum() };
    // Upper cumulative probability G_k = P(Y ≥ k) and its derivatives, with G_0 = 1 and G_C = 0.
    let upper = |b: &[f64], k: usize, e: f64| -> (f64, f64, f64) {
        if k == 0 {
            (1.0, 0.0, 0.0)
        } else if k > t {
            (0.0, 0.0, 0.0)
        } else {
            let g = logistic(b[k - 1] + e);
            let f = g * (1.0 - g);
            (g, f, f * (1.0 - 2.0 * g))
        }
    };
    let objective = |b: &[f64]| -> f64 {
        let mut ll = 0.0;
        for (i, &yi) in y.iter().enumerate() {
            let e = eta(b, i);
            let c = yi.min(t);
            let p = if t == 1 {
                // Stable form for the yes/no case.
                let z = b[0] + e;
                return_ll_binary(c, z)
            } else {
                let pr = upper(b, c, e).0 - upper(b, c + 1, e).0;
                if pr <= 0.0 {
                    return f64::NEG_INFINITY;
                }
                pr.ln()
            };
            ll += p;
        }
        ll - 0.5 * (0..d).map(|j| prec[j] * (b[j] - mu[j]) * (b[j] - mu[j])).sum::<f64>()
    };
    // Start at the observed cumulative shares, slopes at 0.
    let mut beta = vec![0.0; d];
    for k in 1..=t {
        let above = y.iter().filter(|&&c| c >= k).count() as f64;
        let share = (above + 0.5) / (n as f64 + 1.0);
        beta[k - 1] = (share / (1.0 - share)).ln();
    }
    let mut obj = objective(&beta);
    let mut hess = vec![0.0; d * d];
    let mut grad = vec![0.0; d];
    // Fills `grad` and `hess` with the gradient and the negative Hessian of the log posterior at `b`.
    let derivatives = |b: &[f64], grad: &mut [f64], hess: &mut [f64]| {
        grad.iter_mut().for_each(|g| *g = 0.0);
        hess.iter_mut().for_each(|h| *h = 0.0);
        let mut gp = vec![0.0; d];
        for i in 0..n {
            let e = eta(b, i);
            let c = y[i].min(t);
            let (g_lo, f_lo, fp_lo) = upper(b, c, e);
            let (g_hi, f_hi, fp_hi) = upper(b, c + 1, e);
            let p = (g_lo - g_hi).max(1e-300);
            // v_k = e_{α_k} + (0, x): the direction G_k moves in.
            let v = |k: usize, out: &mut [f64], w: f64| {
                if k >= 1 && k <= t {
                    out[k - 1] += w;
                    for (j, col) in cols.iter().enumerate() {
                        out[t + j] += w * col[i];
                    }
                }
            };
            gp.iter_mut().for_each(|g| *g = 0.0);
            v(c, &mut gp, f_lo);
            v(c + 1, &mut gp, -f_hi);
            for a in 0..d {
                grad[a] += gp[a] / p;
            }
            // −∇² log p = g gᵀ / p² − H_p / p, with H_p = f'_lo v_lo v_loᵀ − f'_hi v_hi v_hiᵀ.
            let mut vlo = vec![0.0; d];
            let mut vhi = vec![0.0; d];
            v(c, &mut vlo, 1.0);
            v(c + 1, &mut vhi, 1.0);
            for a in 0..d {
                for bb in 0..=a {
                    let hp = fp_lo * vlo[a] * vlo[bb] - fp_hi * vhi[a] * vhi[bb];
                    hess[a * d + bb] += gp[a] * gp[bb] / (p * p) - hp / p;
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
        // Factor 0 is pain exactly; factor 1 overlaps it half the time.
        let y: Vec<usize> = (0..40).map(|i| usize::from(i % 4 == 0)).collect();
        let a: Vec<f64> = y.iter().map(|&v| v as f64).collect();
        let b: Vec<f64> = (0..40).map(|i| if i % 8 == 0 || i % 8 == 1 { 1.0 } else { 0.0 }).collect();
        let fam = Family { name: "yes/no", y: &y, categories: 2, extra_log_evidence: 0.0, log_prior: 0.0 };
        let fit = bma(&[fam], &[a, b], &BmaConfig::default());
        assert!(fit.inclusion[0] > 0.9 && fit.inclusion[0] > fit.inclusion[1], "{fit:?}");
    }
}
