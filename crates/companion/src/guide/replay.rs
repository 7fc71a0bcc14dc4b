//! A session played somewhere else (the browser's player), turned into the same [`CompletionRecord`] the terminal
//! player writes, by playing the reported positions through the one [`Session`] engine.
//!
//! A remote player cannot be trusted to judge steps itself, and should not need to: it reports where it is on the
//! timeline it was given and where "Skip exercise" was pressed, and [`replay`] plays exactly that. So a step is
//! completed, partial, skipped or not started by the same rule in both players, and the sets done are counted per
//! set as the terminal counts them.

use super::SessionError;
use super::session::Effort;
use super::session::{CompletionRecord, EndReason, Session};
use super::timeline::Timeline;
use std::time::Duration;

/// Slack for positions reported in floating-point seconds (a browser's clock arithmetic).
const EPS_S: f64 = 1e-3;

/// What a remote player reports about one session, in seconds of session time from the start of its timeline.
#[derive(Debug, Clone, PartialEq)]
pub struct PlayedReport<'a> {
    /// Where each "Skip exercise" was pressed, in the order pressed.
    pub skips_s: &'a [f64],
    /// Where playback is now (the end of the timeline once finished).
    pub position_s: f64,
    /// `in-progress` for a checkpoint, `quit` when the page was left, `finished` at the end.
    pub ended: EndReason,
    /// How the runner found each exercise they marked: (step index, effort).
    pub efforts: &'a [(usize, Effort)],
}

/// Why a report does not describe a way through this timeline.
#[derive(Debug, thiserror::Error)]
pub enum ReplayError {
    /// The timeline itself cannot be played (empty or malformed).
    #[error(transparent)]
    Session(#[from] SessionError),
    #[error("more skips than exercises")]
    TooManySkips,
    #[error("a skip at {0} s does not fit this session")]
    Skip(f64),
    #[error("{position} s does not fit this session ({total:.0} s)")]
    Position { position: f64, total: f64 },
    #[error("a finished session ends at the end of the timeline")]
    NotAtEnd,
    #[error("exercise {0} is marked but was not reached in this session")]
    Effort(usize),
}

/// Plays the report through a [`Session`] and returns its record, with `ended` as the player reported it.
/// Wall-clock fields (`started_at`, `ended_at`, `elapsed_s`, `paused_s`, `speed`) are left for the caller, who
/// knows them from the player.
pub fn replay(timeline: Timeline, report: &PlayedReport<'_>) -> Result<CompletionRecord, ReplayError> {
    let total = timeline.total_ms() as f64 / 1000.0;
    if report.skips_s.len() > timeline.steps.len() {
        return Err(ReplayError::TooManySkips);
    }
    let mut session = Session::new(timeline, 1.0)?;
    session.start(Duration::ZERO);
    for &x in report.skips_s {
        let cursor = session.position() / 1000.0;
        if !x.is_finite() || x + EPS_S < cursor || x > total + EPS_S {
            return Err(ReplayError::Skip(x));
        }
        session.advance_to((x * 1000.0).min(total * 1000.0));
        session.skip_exercise(Duration::ZERO);
    }
    let position = report.position_s;
    let cursor = session.position() / 1000.0;
    if !position.is_finite() || position + EPS_S < cursor || position > total + EPS_S {
        return Err(ReplayError::Position { position, total });
    }
    if report.ended == EndReason::Finished && position + EPS_S < total {
        return Err(ReplayError::NotAtEnd);
    }
    session.advance_to((position * 1000.0).min(total * 1000.0));
    for &(step, effort) in report.efforts {
        if !session.mark(step, effort) {
            return Err(ReplayError::Effort(step));
        }
    }
    let mut record = session.record();
    record.ended = report.ended;
    Ok(record)
}
