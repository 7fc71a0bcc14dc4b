//! A [`RunPlan`](crate::cues::RunPlan) for a watch or a phone: a FIT workout file ([`fit`]) and voice-cue files
//! ([`voice`]: iCalendar alarms, JSON, SSML).

pub mod fit;
pub mod voice;

pub use fit::{
    FitOptions, StepIntensity, StepLength, WatchStep, WorkoutCheck, check_workout, watch_name, watch_steps, workout_fit,
};
pub use voice::{IcsOptions, SsmlOptions, VoiceFormat, to_ics, to_json, to_ssml};

/// Why an export failed.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error("the FIT encoder refused the workout: {0}")]
    Fit(String),
    #[error("{what} {value} is out of range (allowed {range})")]
    OutOfRange { what: &'static str, value: String, range: String },
    #[error("unknown cue format '{0}' (expected ics, json or ssml)")]
    UnknownFormat(String),
    #[error("could not write JSON: {0}")]
    Json(String),
    #[error("the plan has no cues to export")]
    Empty,
}
