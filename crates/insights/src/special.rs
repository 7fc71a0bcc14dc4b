//! The handful of special functions the engine needs (log-gamma, digamma, trigamma, incomplete beta and gamma, normal
//! and Student-t distributions). Hand-written so the crate stays dependency-light and bit-for-bit deterministic; the
//! accuracy (~1e-10 relative) is far beyond what a pain journal can resolve.

use std::f64::consts::PI;

/// ln Γ(x) for x > 0 (Lanczos, g = 7, nine coefficients), with reflection for x < 0.5.
pub fn ln_gamma(x: f64) -> f64 {
    const G: f64 = 7.0;
    const C: [f64; 9] = [
        0.999_999_999_999_809_9,
        676.520_368_121_885_1,
        -1_259.139_216_722_402_8,
        771.323_428_777_653_1,
        -176.615_029_162_140_6,
        12.507_343_278_686_905,
        -0.138_571_095_265_720_12,
        9.984_369_578_019_572e-6,
        1.505_632_735_149_311_6e-7,
    ];
    if x < 0.5 {
        // Γ(x)Γ(1−x) = π / sin(πx)
        return (PI / (PI * x).sin()).abs().ln() - ln_gamma(1.0 - x);
    }
    let x = x - 1.0;
    let mut a = C[0];
    let t = x + G + 0.5;
    for (i, c) in C.iter().enumerate().skip(1) {
        a += c / (x + i as f64);
    }
    0.5 * (2.0 * PI).ln() + (x + 0.5) * t.ln() - t + a.ln()
}

/// ψ(x), the derivative of ln Γ, for x > 0: shift up with the recurrence, then the asymptotic series.
pub fn digamma(mut x: f64) -> f64 {
    let mut acc = 0.0;
    while x < 10.0 {
        acc -= 1.0 / x;
        x += 1.0;
    }
    let inv = 1.0 / x;
    let inv2 = inv * inv;
    acc + x.ln() - 0.5 * inv - inv2 * (1.0 / 12.0 - inv2 * (1.0 / 120.0 - inv2 * (1.0 / 252.0 - inv2 / 240.0)))
}

/// ψ′(x) for x > 0, same approach as [`digamma`].
pub fn trigamma(mut x: f64) -> f64 {
    let mut acc = 0.0;
    while x < 10.0 {
        acc += 1.0 / (x * x);
        x += 1.0;
    }
    let inv = 1.0 / x;
    let inv2 = inv * inv;
    acc + inv + 0.5 * inv2 + inv * inv2 * (1.0 / 6.0 - inv2 * (1.0 / 30.0 - inv2 * (1.0 / 42.0 - inv2 / 30.0)))
}

/// Regularized lower incomplete gamma P(a, x).
pub fn gamma_p(a: f64, x: f64) -> f64 {
    if x <= 0.0 {
        return 0.0;
    }
    let log_prefix = a * x.ln() - x - ln_gamma(a);
    if x < a + 1.0 {
        // Series: P = e^{-x} x^a / Γ(a+1) Σ x^n / ((a+1)…(a+n))
        let mut term = 1.0 / a;
        let mut sum = term;
        let mut ap = a;
        for _ in 0..500 {
            ap += 1.0;
            term *= x / ap;
            sum += term;
            if term.abs() < sum.abs() * 1e-15 {
                break;
            }
        }
        (sum.ln() + log_prefix).exp().clamp(0.0, 1.0)
    } else {
        // Continued fraction for Q = 1 − P (modified Lentz).
        let tiny = 1e-300;
        let mut b = x + 1.0 - a;
        let mut c = 1.0 / tiny;
        let mut d = 1.0 / b;
        let mut h = d;
        for i in 1..500 {
            let an = -(i as f64) * (i as f64 - a);
            b += 2.0;
            d = an * d + b;
            if d.abs() < tiny {
                d = tiny;
            }
            c = b + an / c;
            if c.abs() < tiny {
                c = tiny;
            }
            d = 1.0 / d;
            let delta = d * c;
            h *= delta;
            if (delta - 1.0).abs() < 1e-15 {
                break;
            }
        }
        (1.0 - (log_prefix.exp() * h)).clamp(0.0, 1.0)
    }
}

/// Standard normal CDF Φ(z), via erf(x) = P(½, x²).
pub fn normal_cdf(z: f64) -> f64 {
    if z.is_nan() {
        return f64::NAN;
    }
    let half = 0.5 * gamma_p(0.5, z * z / 2.0);
    if z >= 0.0 { 0.5 + half } else { 0.5 - half }
}

/// Standard normal quantile Φ⁻¹(p), by bisection on [`normal_cdf`] (called rarely, so simplicity wins).
pub fn normal_quantile(p: f64) -> f64 {
    bisect(normal_cdf, p, -40.0, 40.0)
}

/// Regularized incomplete beta I_x(a, b).
pub fn beta_inc(a: f64, b: f64, x: f64) -> f64 {
    if x <= 0.0 {
        return 0.0;
    }
    if x >= 1.0 {
        return 1.0;
    }
    let log_front = a * x.ln() + b * (1.0 - x).ln() - (ln_gamma(a) + ln_gamma(b) - ln_gamma(a + b));
    // The continued fraction converges fast for x < (a+1)/(a+b+2); use the symmetry otherwise.
    if x < (a + 1.0) / (a + b + 2.0) {
        (log_front.exp() * beta_cf(a, b, x) / a).clamp(0.0, 1.0)
    } else {
        (1.0 - log_front.exp() * beta_cf(b, a, 1.0 - x) / b).clamp(0.0, 1.0)
    }
}

fn beta_cf(a: f64, b: f64, x: f64) -> f64 {
    let tiny = 1e-300;
    let mut c = 1.0;
    let mut d = 1.0 - (a + b) * x / (a + 1.0);
    if d.abs() < tiny {
        d = tiny;
    }
    d = 1.0 / d;
    let mut h = d;
    for m in 1..500 {
        let m = m as f64;
        // Even step.
        let num = m * (b - m) * x / ((a + 2.0 * m - 1.0) * (a + 2.0 * m));
        d = 1.0 + num * d;
        if d.abs() < tiny {
            d = tiny;
        }
        c = 1.0 + num / c;
        if c.abs() < tiny {
            c = tiny;
        }
        d = 1.0 / d;
        h *= d * c;
        // Odd step.
        let num = -(a + m) * (a + b + m) * x / ((a + 2.0 * m) * (a + 2.0 * m + 1.0));
        d = 1.0 + num * d;
        if d.abs() < tiny {
            d = tiny;
        }
        c = 1.0 + num / c;
        if c.abs() < tiny {
            c = tiny;
        }
        d = 1.0 / d;
        let delta = d * c;
        h *= delta;
        if (delta - 1.0).abs() < 1e-15 {
            break;
        }
    }
    h
}

/// Quantile of Beta(a, b).
pub fn beta_quantile(a: f64, b: f64, p: f64) -> f64 {
    bisect(|x| beta_inc(a, b, x), p, 0.0, 1.0)
}

/// Student-t CDF with `nu` degrees of freedom.
pub fn t_cdf(t: f64, nu: f64) -> f64 {
    if t.is_nan() {
        return f64::NAN;
    }
    let x = nu / (nu + t * t);
    let tail = 0.5 * beta_inc(nu / 2.0, 0.5, x);
    if t >= 0.0 { 1.0 - tail } else { tail }
}

/// Student-t quantile.
pub fn t_quantile(p: f64, nu: f64) -> f64 {
    bisect(|t| t_cdf(t, nu), p, -1e4, 1e4)
}

/// Finds x in [lo, hi] with f(x) = target for a non-decreasing f.
fn bisect(f: impl Fn(f64) -> f64, target: f64, mut lo: f64, mut hi: f64) -> f64 {
    if target.is_nan() {
        return f64::NAN;
    }
    for _ in 0..200 {
        let mid = 0.5 * (lo + hi);
        if f(mid) < target {
            lo = mid;
        } else {
            hi = mid;
        }
        if hi - lo < 1e-12 * (1.0 + mid.abs()) {
            break;
        }
    }
    0.5 * (lo + hi)
}

/// Logistic function, written to avoid overflow for large |x|.
pub fn logistic(x: f64) -> f64 {
    if x >= 0.0 {
        1.0 / (1.0 + (-x).exp())
    } else {
        let e = x.exp();
        e / (1.0 + e)
    }
}

/// ln(1 + e^x) without overflow.
pub fn log1p_exp(x: f64) -> f64 {
    if x > 35.0 { x } else { x.exp().ln_1p() }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64, tol: f64) -> bool {
        (a - b).abs() <= tol
    }

    #[test]
    fn gamma_family_matches_known_values() {
        assert!(close(ln_gamma(5.0), 24f64.ln(), 1e-12));
        assert!(close(ln_gamma(0.5), PI.sqrt().ln(), 1e-12));
        assert!(close(digamma(1.0), -0.577_215_664_901_532_9, 1e-12));
        assert!(close(trigamma(1.0), PI * PI / 6.0, 1e-12));
        assert!(close(digamma(0.5), -1.963_510_026_021_423_4, 1e-12));
    }

    #[test]
    fn normal_and_t_match_tables() {
        assert!(close(normal_cdf(0.0), 0.5, 1e-14));
        assert!(close(normal_cdf(1.959_963_984_540_054), 0.975, 1e-10));
        assert!(close(normal_cdf(-1.0), 0.158_655_253_931_457_05, 1e-10));
        assert!(close(normal_quantile(0.975), 1.959_963_984_540_054, 1e-8));
        assert!(close(t_quantile(0.975, 2.0), 4.302_652_729_911_275, 1e-7));
        assert!(close(t_quantile(0.975, 10.0), 2.228_138_851_986_273_5, 1e-7));
        assert!(close(t_cdf(0.0, 3.0), 0.5, 1e-14));
    }

    #[test]
    fn beta_matches_closed_forms() {
        // Beta(1,1) is uniform; Beta(2,1) has CDF x².
        assert!(close(beta_inc(1.0, 1.0, 0.3), 0.3, 1e-12));
        assert!(close(beta_inc(2.0, 1.0, 0.3), 0.09, 1e-12));
        assert!(close(beta_quantile(2.0, 1.0, 0.25), 0.5, 1e-9));
        assert!(close(beta_inc(3.5, 7.25, 0.4) + beta_inc(7.25, 3.5, 0.6), 1.0, 1e-12));
    }
}
