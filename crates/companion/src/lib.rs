//! runtall's run companion: the parts of the program a runner uses *while* doing it.
//!
//! - [`guide`]: guided sessions (a breathing pacer, hold and rest timers, sets and reps) as a pure timeline and
//!   state machine driven by a clock the caller passes in; the terminal player (`runtall-tui`) and the browser
//!   player (`runtall-web`) both play it.
//! - [`cues`]: a timed list of posture and breathing cues for one run, from the content's cue schedules.
//! - [`run_defaults`]: the run a cue plan starts from when the runner has not said (today's plan, the last run).
//! - [`export`]: that cue plan as a FIT workout for a watch, or as voice-cue files (`ics`, `json`, `ssml`).
//! - [`remind`]: the sitting-break reminder scheduler (pure, fake-clock tested); `runtall-tui` drives it in real
//!   time.
//! - [`travel`]: a day-by-day plan for a destination race that keeps long drives away from the race and long runs.
//!
//! Everything here decides *what* happens, is pure and takes time as an argument, so it is tested without
//! sleeping and links no terminal library; terminals, sound, notifications and the wall clock live in
//! `runtall-tui`. Nothing here writes to the journal: each
//! feature hands back a record (completion, break log, plan) for the caller to store.

pub mod breathe;
pub mod cues;
pub mod export;
pub mod guide;
pub mod remind;
pub mod run_defaults;
pub mod travel;

pub use cues::{CueError, CueOptions, RepLength, RepSpec, RunPlan, Spec, TimedCue, plan_cues, plan_run};
pub use guide::{CompletionRecord, GuideInput, Session, SessionError, StepOutcome, Timeline, build_timeline};
pub use travel::{TravelError, TravelMode, TravelOptions, TravelPlan, plan_travel};

/// Any error of this crate, for callers that handle them all the same way (print the message, exit 1).
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Session(#[from] guide::SessionError),
    #[error(transparent)]
    Cue(#[from] cues::CueError),
    #[error(transparent)]
    Export(#[from] export::ExportError),
    #[error(transparent)]
    Remind(#[from] remind::RemindError),
    #[error(transparent)]
    Travel(#[from] travel::TravelError),
}
