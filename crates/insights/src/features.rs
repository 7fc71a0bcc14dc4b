//! Per-run features, computed once per analysis: each run's pain band, each factor's yes/no rule, and each measure
//! binned, with a histogram of pain bands per bin. Every reading the model average tries — a cut point, a dose —
//! is then a small table built from these histograms, so trying twenty cut points on ten thousand runs costs about
//! as much as trying them on forty (one pass over the runs per measure, then work per bin).

use crate::exposures::{Lag, Measure};
use crate::factors::{Cutoffs, Factor};
use crate::model::Table;
use crate::observation::RunObservation;
use serde::{Deserialize, Serialize};

/// Ratings at or above this share the top band.
pub const BAND_TOP: u8 = 6;
/// Number of pain bands (0, 1, 2, 3, 4, 5, 6+).
pub const BANDS: usize = BAND_TOP as usize + 1;

/// Pain bands for the model: the rating itself, with 6 and above pooled (few runs rate higher, and the top of the
/// scale says little more about a factor). Bands 0–2 are pain-free runs and 3+ pain runs under the caller's rule,
/// so the bands refine the yes/no outcome without contradicting it (a run whose pain was already there before
/// counts as pain-free, at most band 2).
pub fn band(r: &RunObservation) -> usize {
    if r.pain_followed { usize::from(r.max_pain.clamp(3, BAND_TOP)) } else { usize::from(r.max_pain.min(2)) }
}

/// One way of reading a factor for a run.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Reading {
    /// The factor's own yes/no rule (a label or a logged answer).
    Rule,
    /// Exposed on the suspected side of `cut` ("8 h or more", "less than 6 h").
    Cut { measure: Measure, lag: Lag, cut: f64 },
    /// The measure itself: the more of it (or the less, for sleep and pace), the more pain.
    Dose { measure: Measure, lag: Lag },
}

impl Reading {
    /// What the reading says in words, for the sentences.
    pub fn words(&self) -> Option<String> {
        match *self {
            Reading::Rule => None,
            Reading::Cut { measure, lag, cut } => Some(measure.cut_words(lag, cut)),
            Reading::Dose { measure, lag } => Some(measure.dose_words(lag)),
        }
    }
}

/// A measure binned for every run, with pain-band histograms per bin.
#[derive(Debug, Clone)]
pub struct MeasureColumn {
    pub measure: Measure,
    pub lag: Lag,
    /// The bin of each run, `None` where not logged.
    pub bins: Vec<Option<u16>>,
    /// Runs per bin and pain band.
    pub hist: Vec<[u32; BANDS]>,
    /// Runs without a value, per pain band.
    pub missing: [u32; BANDS],
    pub known: usize,
}

impl MeasureColumn {
    fn build(measure: Measure, lag: Lag, runs: &[RunObservation], bands: &[usize]) -> MeasureColumn {
        let mut hist = vec![[0u32; BANDS]; measure.bins()];
        let mut missing = [0u32; BANDS];
        let mut known = 0;
        let bins = runs
            .iter()
            .zip(bands)
            .map(|(r, &b)| match measure.value(r, lag).filter(|v| !v.is_nan()) {
                Some(v) => {
                    let bin = measure.bin(v);
                    hist[bin][b] += 1;
                    known += 1;
                    Some(bin as u16)
                }
                None => {
                    missing[b] += 1;
                    None
                }
            })
            .collect();
        MeasureColumn { measure, lag, bins, hist, missing, known }
    }

    /// Runs in each bin, all bands together.
    fn totals(&self) -> Vec<usize> {
        self.hist.iter().map(|h| h.iter().map(|&c| c as usize).sum()).collect()
    }

    /// Whether a run in `bin` is on the exposed side of the cut at `cut_bin`.
    pub fn exposed_bin(&self, bin: usize, cut_bin: usize) -> bool {
        if self.measure.higher_is_exposed() { bin >= cut_bin } else { bin < cut_bin }
    }

    /// Candidate cut points (as bins): the runner's own quantiles rounded to readable values, plus the fixed cut
    /// when there is one, keeping those with at least `min_each_side` known runs on each side. Chosen from the
    /// values alone, never from the pain data.
    pub fn candidate_cuts(&self, fixed: Option<f64>, min_each_side: usize) -> Vec<usize> {
        const LEVELS: [f64; 11] = [0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95];
        if self.known == 0 {
            return Vec::new();
        }
        let totals = self.totals();
        let mut cum = Vec::with_capacity(totals.len());
        let mut acc = 0usize;
        for t in &totals {
            acc += t;
            cum.push(acc);
        }
        let mut cuts: Vec<usize> = LEVELS
            .iter()
            .map(|q| {
                let target = (q * self.known as f64).ceil().max(1.0) as usize;
                let bin = cum.partition_point(|&c| c < target);
                // The quantile's value (bin centre), rounded to a cut point a person would say.
                let v = self.measure.edge(bin) + 0.5 * self.measure.bin_width();
                self.measure.readable_cut_bin(v)
            })
            .collect();
        if let Some(f) = fixed {
            cuts.push(self.measure.bin(f));
        }
        if let Some(min) = self.measure.min_cut() {
            let min_bin = self.measure.bin(min);
            cuts.iter_mut().for_each(|c| *c = (*c).max(min_bin));
        }
        cuts.sort_unstable();
        cuts.dedup();
        let below = |c: usize| -> usize { cum.get(c.wrapping_sub(1)).copied().unwrap_or(0) };
        cuts.retain(|&c| {
            let exposed = if self.measure.higher_is_exposed() { self.known - below(c) } else { below(c) };
            exposed >= min_each_side && self.known - exposed >= min_each_side
        });
        // Cuts with no value between them split the runs the same way: one reading, stated at the cut next to the
        // exposed runs ("8.5 h or more" when nobody sat between 8 and 8.5 h).
        let mut distinct: Vec<usize> = Vec::with_capacity(cuts.len());
        for c in cuts {
            match distinct.last_mut() {
                Some(last) if below(*last) == below(c) => {
                    if self.measure.higher_is_exposed() {
                        *last = c;
                    }
                }
                _ => distinct.push(c),
            }
        }
        distinct
    }

    /// The model table for the cut at `cut_bin`: exposed, unexposed and unlogged runs per pain band, with the
    /// covariate centred (unlogged runs sit at the mean, so they inform the other factors and not this one).
    pub fn cut_table(&self, cut_bin: usize) -> Table {
        self.cut_table_coded(cut_bin, &self.hist, std::slice::from_ref(&self.missing), &[0.0])
    }

    /// The model table for the dose reading: each bin at its standardised value (sign turned so that positive is
    /// the suspected side), unlogged runs at the mean. `None` when the values do not vary.
    pub fn dose_table(&self) -> Option<Table> {
        self.dose_table_coded(&self.hist, std::slice::from_ref(&self.missing), &[0.0])
    }

    /// The dose reading per run (standardised, suspected side positive), `None` where not logged.
    pub fn dose_values(&self) -> Option<Vec<Option<f64>>> {
        let (mean, sd, sign) = self.dose_scale()?;
        let centre = |bin: usize| self.measure.edge(bin) + 0.5 * self.measure.bin_width();
        Some(self.bins.iter().map(|b| b.map(|b| sign * (centre(usize::from(b)) - mean) / sd)).collect())
    }

    /// Histograms per code of a [`Condition`]: `[code × bins + bin]`, and unlogged runs per code. With these, every
    /// cut and the dose of this measure are tabled beside the first factor without another pass over the runs.
    pub fn coded_hist(&self, c: &Condition, bands: &[usize]) -> (Vec<[u32; BANDS]>, Vec<[u32; BANDS]>) {
        let bins = self.hist.len();
        let codes = c.values.len();
        let mut hist = vec![[0u32; BANDS]; codes * bins];
        let mut missing = vec![[0u32; BANDS]; codes];
        for ((b, &code), &band) in self.bins.iter().zip(&c.code).zip(bands) {
            let code = usize::from(code);
            match b {
                Some(b) => hist[code * bins + usize::from(*b)][band] += 1,
                None => missing[code][band] += 1,
            }
        }
        (hist, missing)
    }

    /// [`Self::cut_table`] from histograms per code ([`Self::coded_hist`]), with the condition's values `z`.
    pub fn cut_table_coded(&self, cut_bin: usize, hist: &[[u32; BANDS]], missing: &[[u32; BANDS]], z: &[f64]) -> Table {
        let bins = self.hist.len();
        let mut sides = vec![[[0u32; BANDS]; 2]; z.len()];
        for (i, h) in hist.iter().enumerate() {
            let side = usize::from(!self.exposed_bin(i % bins, cut_bin));
            for b in 0..BANDS {
                sides[i / bins][side][b] += h[b];
            }
        }
        let rows: Vec<[[u32; BANDS]; 3]> = sides.iter().zip(missing).map(|(s, m)| [s[0], s[1], *m]).collect();
        binary_rows(&rows, z)
    }

    /// Mean, standard deviation and sign of the dose reading's scale, or `None` when a dose makes no sense here.
    fn dose_scale(&self) -> Option<(f64, f64, f64)> {
        if self.known < 3 || !self.measure.dose_allowed() {
            return None;
        }
        let centre = |bin: usize| self.measure.edge(bin) + 0.5 * self.measure.bin_width();
        let totals = self.totals();
        let n = self.known as f64;
        let mean = totals.iter().enumerate().map(|(b, &t)| t as f64 * centre(b)).sum::<f64>() / n;
        let var = totals.iter().enumerate().map(|(b, &t)| t as f64 * (centre(b) - mean).powi(2)).sum::<f64>() / n;
        if var <= 1e-12 || totals.iter().filter(|&&t| t > 0).count() < 3 {
            return None;
        }
        Some((mean, var.sqrt(), if self.measure.higher_is_exposed() { 1.0 } else { -1.0 }))
    }

    /// [`Self::dose_table`] from histograms per code, with the condition's values `z`.
    pub fn dose_table_coded(&self, hist: &[[u32; BANDS]], missing: &[[u32; BANDS]], z: &[f64]) -> Option<Table> {
        let (mean, sd, sign) = self.dose_scale()?;
        let bins = self.hist.len();
        let centre = |bin: usize| self.measure.edge(bin) + 0.5 * self.measure.bin_width();
        let mut t = Table::default();
        for (i, h) in hist.iter().enumerate() {
            let x = sign * (centre(i % bins) - mean) / sd;
            for (b, &c) in h.iter().enumerate() {
                t.push_given(x, z[i / bins], b, f64::from(c));
            }
        }
        for (code, m) in missing.iter().enumerate() {
            for (b, &c) in m.iter().enumerate() {
                t.push_given(0.0, z[code], b, f64::from(c));
            }
        }
        Some(t)
    }

    /// Yes/no per run for the cut at `cut_bin`.
    pub fn cut_values(&self, cut_bin: usize) -> Vec<Option<bool>> {
        self.bins.iter().map(|b| b.map(|b| self.exposed_bin(usize::from(b), cut_bin))).collect()
    }
}

/// A centred yes/no covariate as a model table: per code of the condition, exposed, unexposed and unlogged runs
/// per pain band; the share exposed (for centring) is over all codes.
fn binary_rows(rows: &[[[u32; BANDS]; 3]], z: &[f64]) -> Table {
    let sum = |side: usize| -> u32 { rows.iter().map(|r| r[side].iter().sum::<u32>()).sum() };
    let (e, u) = (sum(0), sum(1));
    let share = if e + u == 0 { 0.0 } else { f64::from(e) / f64::from(e + u) };
    let mut t = Table::default();
    for (r, &zv) in rows.iter().zip(z) {
        for (b, ((&e, &u), &m)) in r[0].iter().zip(&r[1]).zip(&r[2]).enumerate() {
            t.push_given(1.0 - share, zv, b, f64::from(e));
            t.push_given(-share, zv, b, f64::from(u));
            t.push_given(0.0, zv, b, f64::from(m));
        }
    }
    t
}

/// Yes/no values per run as a model table.
pub fn values_table(values: &[Option<bool>], bands: &[usize]) -> Table {
    values_table_coded(values, bands, None)
}

/// [`values_table`] with the first factor's reading alongside.
pub fn values_table_given(values: &[Option<bool>], bands: &[usize], c: &Condition) -> Table {
    values_table_coded(values, bands, Some(c))
}

fn values_table_coded(values: &[Option<bool>], bands: &[usize], c: Option<&Condition>) -> Table {
    let codes = c.map_or(1, |c| c.values.len());
    let mut rows = vec![[[0u32; BANDS]; 3]; codes];
    for (i, (v, &b)) in values.iter().zip(bands).enumerate() {
        let slot = match v {
            Some(true) => 0,
            Some(false) => 1,
            None => 2,
        };
        let code = c.map_or(0, |c| usize::from(c.code[i]));
        rows[code][slot][b] += 1;
    }
    binary_rows(&rows, c.map_or(&[0.0][..], |c| &c.values))
}

/// The first factor's reading per run, when the average looks for a second one: each run's code into a short list
/// of centred values (unlogged runs at the mean, 0).
#[derive(Debug, Clone, PartialEq)]
pub struct Condition {
    pub code: Vec<u16>,
    pub values: Vec<f64>,
}

impl Condition {
    /// From the reading's value per run (1/0 for yes/no readings, the standardised value for a dose).
    pub fn new(x: &[Option<f64>]) -> Condition {
        let known: Vec<f64> = x.iter().flatten().copied().collect();
        let mean = if known.is_empty() { 0.0 } else { known.iter().sum::<f64>() / known.len() as f64 };
        let mut values: Vec<f64> = vec![0.0];
        let code = x
            .iter()
            .map(|v| {
                let z = v.map_or(0.0, |v| v - mean);
                match values.iter().position(|&u| (u - z).abs() < 1e-12) {
                    Some(p) => p as u16,
                    None => {
                        values.push(z);
                        (values.len() - 1) as u16
                    }
                }
            })
            .collect();
        Condition { code, values }
    }

    /// The null model's table when this reading is the only factor: rows of (its value, band, count).
    pub fn table(&self, bands: &[usize]) -> Table {
        let mut counts = vec![[0u32; BANDS]; self.values.len()];
        for (&c, &b) in self.code.iter().zip(bands) {
            counts[usize::from(c)][b] += 1;
        }
        let mut t = Table::default();
        for (z, row) in self.values.iter().zip(&counts) {
            for (b, &n) in row.iter().enumerate() {
                t.push(*z, b, f64::from(n));
            }
        }
        t
    }
}

/// Everything the analysis reads from the runs, for one factor.
#[derive(Debug, Clone)]
pub struct FactorColumns {
    pub factor: Factor,
    /// The default reading per run: the factor's rule, or its fixed cut.
    pub default: Vec<Option<bool>>,
    pub measures: Vec<MeasureColumn>,
}

/// The features of a journal.
#[derive(Debug, Clone)]
pub struct Features {
    pub bands: Vec<usize>,
    pub factors: Vec<FactorColumns>,
}

impl Features {
    pub fn build(runs: &[RunObservation], factors: &[Factor], cutoffs: &Cutoffs) -> Features {
        let bands: Vec<usize> = runs.iter().map(band).collect();
        let factors = factors
            .iter()
            .map(|&f| FactorColumns {
                factor: f,
                default: runs.iter().map(|r| f.value(r, cutoffs)).collect(),
                measures: f.measures().iter().map(|&(m, lag)| MeasureColumn::build(m, lag, runs, &bands)).collect(),
            })
            .collect();
        Features { bands, factors }
    }
}
