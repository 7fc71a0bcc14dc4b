//! Guided sessions in the terminal: [`run_session`] plays a `runtall_companion` timeline with a breathing pacer,
//! hold and rest timers, set and rep counters and what comes next; [`render`] draws one frame and is tested with
//! ratatui's `TestBackend`.

mod player;
mod sound;

pub use player::{
    FIGURE_COLS, FIGURE_ROWS, GuideOptions, MIN_HEIGHT, MIN_WIDTH, Palette, frame_text, render, render_with_figure,
    run_session, run_session_with, run_timeline_with, step_figures,
};
pub use sound::{Speaker, find_on_path, spoken_text};

use runtall_companion::guide::{CompletionRecord, SessionError};

/// Why a terminal session cannot start, or how it failed.
#[derive(Debug, thiserror::Error)]
pub enum PlayerError {
    /// The routine, exercise or dose cannot be played (checked before the terminal is touched).
    #[error(transparent)]
    Session(#[from] SessionError),
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

impl PlayerError {
    /// The record of a session that failed part-way, if this error carries one.
    pub fn partial_record(&self) -> Option<&CompletionRecord> {
        match self {
            PlayerError::Failed { partial, .. } => Some(partial),
            _ => None,
        }
    }
}
