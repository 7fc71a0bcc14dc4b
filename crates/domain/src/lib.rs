//! runtall's domain rules, free of I/O so they can be tested exhaustively and reused by the CLI and web app.
//!
//! The flow is: [`screen`] for red flags first, then [`assess`] likely contributors, then build a [`plan`] whose
//! every item says why it is there and where the advice comes from. Content (what to do) lives in
//! `runtall-content`; this crate decides *which* content applies to a runner.
//!
//! **Safety rules live in one place, [`safety::gate`]**: from the latest screen and the assessment it decides the
//! program mode and what every surface may offer (runs, exercises, routines, experiments, relief with limits).
//! The plan, run days, routines, cue plans, experiments and reminders all ask it; see `docs/safety.md`.

pub mod activity;
pub mod assess;
pub mod classify;
pub mod clinic;
pub mod emergency;
pub mod error;
pub mod journal;
pub mod journal_format;
pub mod journal_records;
pub mod plan;
pub mod posture;
pub mod profile;
pub mod safety;
pub mod screen;
pub mod text;
pub mod units;

pub use error::InputError;
pub use runtall_content as content;
