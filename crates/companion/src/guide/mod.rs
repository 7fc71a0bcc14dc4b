//! Guided sessions: a routine or one exercise with a breathing pacer, hold and rest timers, set and rep counters
//! and what comes next — the one session engine both players run.
//!
//! Two pure layers, each testable on its own:
//! - [`timeline`](build_timeline): validates the doses and unrolls them into timed segments, with the one set of
//!   timings (getting ready, transitions, side switches) and caps;
//! - [`Session`]: plays a timeline from clock readings passed in, with pause, skip, quit and a speed factor, and
//!   produces a [`CompletionRecord`] at any moment; [`replay`] does the same from the positions a remote player
//!   reports.
//!
//! The players only show and time them: `runtall_tui::guide` in the terminal, and the web app's `player.js`,
//! which receives this timeline as JSON.

mod player_data;
mod replay;
mod session;
mod timeline;

pub use player_data::{PlayerSegment, PlayerStep, PlayerTimeline, kind_name};
pub use replay::{PlayedReport, ReplayError, replay};
pub use session::{
    CompletionRecord, Effort, EndReason, MAX_SPEED, MIN_SPEED, Session, SessionEvent, SessionState, Snapshot,
    StepOutcome, StepRecord,
};
pub use timeline::{
    BreathPhase, Caption, DoseOverride, FIRST_PREPARE_S, GuideInput, GuideStep, MAX_BREATH_PHASE_S, MAX_HOLD_S,
    MAX_MINUTES, MAX_REP_S, MAX_REPS, MAX_REST_S, MAX_SESSION_S, MAX_SETS, MAX_WORK_S, SIDE_SWITCH_S, Segment,
    SegmentKind, Side, TRANSITION_S, Target, Timeline, build_timeline, clock, resolve, timeline_of_steps,
    validate_dose,
};

/// Why a guided session cannot start, or how it failed.
#[derive(Debug, thiserror::Error)]
pub enum SessionError {
    #[error("unknown routine or exercise '{id}'{}", did_you_mean(.suggestions))]
    UnknownId { id: String, suggestions: Vec<String> },
    #[error("routine '{0}' has no steps to guide (every step was left out for this runner)")]
    EmptyRoutine(String),
    #[error("{exercise}: {message}")]
    InvalidDose { exercise: String, message: String },
    #[error("{0}")]
    InvalidInput(String),
    #[error("this session would last about {minutes} minutes; the longest guided session is {max} minutes")]
    TooLong { minutes: u64, max: u32 },
    #[error("speed {0} is out of range (allowed {MIN_SPEED}–{MAX_SPEED})")]
    InvalidSpeed(f64),
}

fn did_you_mean(s: &[String]) -> String {
    if s.is_empty() {
        " (`runtall routines` and `runtall exercises` list the ids)".to_string()
    } else {
        format!(" — did you mean {}?", s.iter().map(|x| format!("'{x}'")).collect::<Vec<_>>().join(" or "))
    }
}
