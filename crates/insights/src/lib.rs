//! runtall's statistics engine: which factors go with a runner's neck and upper-back pain, whether the program is
//! working, and self-experiments that test one factor at a time.
//!
//! Pure and deterministic: no I/O, no clock (dates come in as parameters), and every random choice comes from a
//! seeded generator. The caller (the CLI) builds [`RunObservation`]s from its journal, calls [`analyze`], and prints
//! the serde-serializable [`InsightsReport`] as text or JSON.
//!
//! * [`observation`] — the input model and the "pain followed the run" rule ([`run_outcome`]), training-load flags;
//! * [`factors`] — the candidate factors, their rules and fixed cut points, and the measures they are read on;
//! * [`exposures`] — measured exposures (hours, distances, pace…), their cut points and words;
//! * [`features`] — per-run features and the small tables every reading of a factor is fitted to;
//! * [`model`] — the single-effect model average over one-factor regressions;
//! * [`analysis`] — counts, risk ratios, verdicts, entangled factors, and (with its `wording`) the sentences;
//! * [`measures`] — pain trend against baseline, PSFS every two weeks, routine adherence;
//! * [`experiment`] — alternating-block self-experiments with hidden-until-done verdicts;
//! * [`scenarios`] — a suite of synthetic runners with planted triggers (development and report sets), and the
//!   engine measured against two simple baselines on them.

pub mod analysis;
pub mod error;
pub mod experiment;
pub mod exposures;
pub mod factors;
pub mod features;
pub mod measures;
pub mod model;
pub mod observation;
pub mod rng;
pub mod scenarios;
pub mod special;
mod wording;

pub use analysis::{AnalysisConfig, FactorResult, InsightsReport, Verdict, analyze, ratio_text};
pub use error::InsightsError;
pub use experiment::{Assignment, Condition, Experiment, ExperimentDesign, ExperimentFactor, ExperimentUnit};
pub use exposures::{Lag, Measure};
pub use factors::{Cutoffs, Factor};
pub use features::Reading;
pub use observation::{
    LinkedPainReport, LoadFlags, PAIN_THRESHOLD, PainOutcome, PainTiming, RunContext, RunDistance, RunLabel,
    RunObservation, SurfaceKind, compute_load_flags, fill_load_flags, run_outcome,
};
