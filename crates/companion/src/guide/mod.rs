//! Guided sessions: a routine or one exercise, played in the terminal with a breathing pacer, hold and rest
//! timers, set and rep counters and what comes next.
//!
//! Three layers, each testable on its own:
//! - [`timeline`](build_timeline): validates the doses and unrolls them into timed segments (pure);
//! - [`Session`]: plays a timeline from clock readings passed in, with pause, skip, quit and a speed factor, and
//!   produces a [`CompletionRecord`] at any moment (pure);
//! - [`run_session`]: the ratatui/crossterm front end with keys, optional bell and `espeak-ng` speech, and
//!   terminal restoration on every exit path. [`render`] draws one frame and is tested with ratatui's
//!   `TestBackend`.

mod session;
mod sound;
mod timeline;
mod tui;

pub use session::{
    CompletionRecord, EndReason, MAX_SPEED, MIN_SPEED, Session, SessionEvent, SessionState, Snapshot, StepOutcome,
    StepRecord,
};
pub(crate) use sound::find_on_path;
pub use sound::{Speaker, spoken_text};
pub use timeline::{
    BreathPhase, DoseOverride, FIRST_PREPARE_S, GuideInput, GuideStep, MAX_BREATH_PHASE_S, MAX_HOLD_S, MAX_MINUTES,
    MAX_REP_S, MAX_REPS, MAX_REST_S, MAX_SESSION_S, MAX_SETS, MAX_WORK_S, SIDE_SWITCH_S, Segment, SegmentKind, Side,
    TRANSITION_S, Target, Timeline, build_timeline, clock, resolve, timeline_of_steps, validate_dose,
};
pub use tui::{
    FIGURE_COLS, FIGURE_ROWS, GuideOptions, MIN_HEIGHT, MIN_WIDTH, Palette, frame_text, render, render_with_figure,
    run_session, run_session_with, run_timeline_with, step_figures,
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
    #[error(
        "the terminal is {width}×{height}; a guided session needs at least {min_width}×{min_height} — enlarge the window or use a smaller font"
    )]
    TerminalTooSmall { width: u16, height: u16, min_width: u16, min_height: u16 },
    #[error("a guided session needs an interactive terminal (stdin and stdout must both be a terminal)")]
    NotATerminal,
    #[error("could not set up the terminal: {0}")]
    Terminal(#[from] std::io::Error),
    /// The terminal failed mid-session. The record of what was done so far is kept so the caller can still
    /// store it.
    #[error("the terminal failed during the session ({message}); what was done so far is kept")]
    Failed { message: String, partial: Box<CompletionRecord> },
}

impl SessionError {
    /// The record of a session that failed part-way, if this error carries one.
    pub fn partial_record(&self) -> Option<&CompletionRecord> {
        match self {
            SessionError::Failed { partial, .. } => Some(partial),
            _ => None,
        }
    }
}

fn did_you_mean(s: &[String]) -> String {
    if s.is_empty() {
        " (`runtall routines` and `runtall exercises` list the ids)".to_string()
    } else {
        format!(" — did you mean {}?", s.iter().map(|x| format!("'{x}'")).collect::<Vec<_>>().join(" or "))
    }
}
