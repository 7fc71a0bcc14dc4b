//! runtall's statistics engine: which factors go with a runner's neck and upper-back pain, whether the program is
//! working, and self-experiments that test one factor at a time.
//!
//! Pure and deterministic: no I/O, no clock (dates come in as parameters), and every random choice comes from a
//! seeded generator. The caller (the CLI) builds [`RunObservation`]s from its journal, calls [`analyze`], and prints
//! the serde-serializable [`InsightsReport`] as text or JSON.
//!
//! * [`observation`] — the input model and the "pain followed the run" rule ([`run_outcome`]), training-load flags;
//! * [`factors`] — the candidate factors and their fixed cut points;
//! * [`analysis`] — counts, risk ratios, the model average, verdicts, entangled factors, suggested experiments;
//! * [`measures`] — pain trend against baseline, PSFS every two weeks, routine adherence;
//! * [`experiment`] — alternating-block self-experiments with hidden-until-done verdicts;
//! * [`sim`] — synthetic runners with planted triggers, and the measured detection and false-alarm rates.

pub mod analysis;
pub mod error;
pub mod experiment;
pub mod factors;
pub mod measures;
pub mod model;
pub mod observation;
pub mod rng;
pub mod sim;
pub mod special;

pub use analysis::{AnalysisConfig, FactorResult, InsightsReport, Verdict, analyze, ratio_text};
pub use error::InsightsError;
pub use experiment::{Assignment, Condition, Experiment, ExperimentDesign, ExperimentFactor, ExperimentUnit};
pub use factors::{Cutoffs, Factor};
pub use observation::{
    LinkedPainReport, LoadFlags, PAIN_THRESHOLD, PainOutcome, PainTiming, RunContext, RunDistance, RunObservation,
    RunType, SurfaceKind, compute_load_flags, fill_load_flags, run_outcome,
};
