//! A [`Timeline`] as a player in another process receives it: the browser's `player.js` gets this as JSON inside
//! the session page and only counts it down. Segments carry their length in seconds and their words already
//! written (see [`Timeline::captions`]), so the page shows exactly what the terminal shows, at the same timings.

use super::timeline::{BreathPhase, SegmentKind, Timeline};
use serde::Serialize;

/// The timeline for a remote player: the routine, its steps with what the page shows beside the timer, and the
/// segments in order.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PlayerTimeline {
    /// Routine id (or exercise id for a single-exercise session).
    pub routine: String,
    pub name: String,
    pub steps: Vec<PlayerStep>,
    pub segments: Vec<PlayerSegment>,
    /// Sum of the segments' seconds.
    pub total_seconds: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PlayerStep {
    pub exercise: String,
    pub name: String,
    /// The dose in words ([`runtall_content::Dose::line`]).
    pub dose: String,
    pub cues: Vec<String>,
    pub stop_if: Vec<String>,
    pub cautions: Vec<String>,
    pub note: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PlayerSegment {
    /// Index into [`PlayerTimeline::steps`].
    pub step: usize,
    /// `ready`, `inhale`, `hold-in`, `exhale`, `hold-out`, `move`, `hold`, `work`, `switch-sides` or `rest`: what
    /// the page animates (the pacer circle grows on `inhale`, shrinks on `exhale`).
    pub kind: &'static str,
    pub seconds: f64,
    pub label: String,
    pub detail: String,
}

/// The name a page uses for a segment kind.
pub fn kind_name(kind: SegmentKind) -> &'static str {
    match kind {
        SegmentKind::Prepare => "ready",
        SegmentKind::Breathe(BreathPhase::Inhale) => "inhale",
        SegmentKind::Breathe(BreathPhase::HoldIn) => "hold-in",
        SegmentKind::Breathe(BreathPhase::Exhale) => "exhale",
        SegmentKind::Breathe(BreathPhase::HoldOut) => "hold-out",
        SegmentKind::Move => "move",
        SegmentKind::Hold => "hold",
        SegmentKind::Work => "work",
        SegmentKind::SwitchSides => "switch-sides",
        SegmentKind::Rest => "rest",
    }
}

impl Timeline {
    /// This timeline for a remote player (see [`PlayerTimeline`]).
    pub fn for_player(&self) -> PlayerTimeline {
        let steps = self
            .steps
            .iter()
            .map(|s| PlayerStep {
                exercise: s.exercise.clone(),
                name: s.name.clone(),
                dose: s.dose.line(),
                cues: s.cues.clone(),
                stop_if: s.stop_if.clone(),
                cautions: s.cautions.clone(),
                note: s.note.clone(),
            })
            .collect();
        let segments = self
            .segments
            .iter()
            .zip(self.captions())
            .map(|(seg, c)| PlayerSegment {
                step: seg.step,
                kind: kind_name(seg.kind),
                seconds: seg.duration_ms as f64 / 1000.0,
                label: c.label,
                detail: c.detail,
            })
            .collect();
        PlayerTimeline {
            routine: self.id.clone(),
            name: self.title.clone(),
            steps,
            segments,
            total_seconds: self.total_ms() as f64 / 1000.0,
        }
    }
}
