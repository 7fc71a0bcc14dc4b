//! Breathing sessions on their own: one of the course's breathing patterns (or box breathing, or the long
//! exhale) for as many minutes as the runner chooses, played by the same engine as a guided routine and recorded
//! the same way.
//!
//! Patterns are the breathing exercises' own breath (`dose.breath` in the content), so a session and the exercise
//! card can never disagree on the counts. The safety gate decides as for the exercises: box breathing's holds are
//! swapped for the long exhale in pregnancy, and nothing runs while the program is locked or paused (the caller
//! checks that, as for `guide`).

use crate::guide::{
    CompletionRecord, EndReason, GuideStep, Session, SessionError, SessionState, Timeline, timeline_of_steps,
};
use runtall_content::{BreathPattern, Dose, Program};
use runtall_domain::safety::Permissions;
use serde::Serialize;
use std::time::Duration;

/// The short names a runner types, and the breathing exercise each one plays.
pub const PATTERNS: [(&str, &str); 5] = [
    ("long-exhale", "extended-exhale-breathing"),
    ("box", "box-breathing"),
    ("diaphragmatic", "diaphragmatic-breathing"),
    ("90-90", "hooklying-90-90-breathing"),
    ("rock-back", "rock-back-breathing"),
];

/// The pattern when none is chosen: no holds, calm, and allowed for everyone the gate lets breathe at all.
pub const DEFAULT_PATTERN: &str = "long-exhale";
pub const DEFAULT_MINUTES: u32 = 5;
pub const MIN_MINUTES: u32 = 1;
pub const MAX_MINUTES: u32 = 30;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BreatheError {
    #[error("unknown breathing pattern '{0}' (choose one of: {list})", list = pattern_names())]
    UnknownPattern(String),
    #[error("{0} minutes is out of range (allowed {MIN_MINUTES}–{MAX_MINUTES})")]
    Minutes(u32),
    #[error("{name} is not in your program now: {reason}")]
    NotAllowed { name: String, reason: String },
    #[error("{0}")]
    Session(String),
}

fn pattern_names() -> String {
    PATTERNS.iter().map(|(p, _)| *p).collect::<Vec<_>>().join(", ")
}

/// One pattern as the runner may choose it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PatternChoice {
    pub id: String,
    pub exercise: String,
    pub name: String,
    pub breath: BreathPattern,
    /// "in 4 s · hold 4 s · out 4 s · hold 4 s".
    pub rhythm: String,
    pub breaths_per_minute: f32,
    pub summary: String,
    /// What the gate says: `None` when allowed as it is; the pattern played instead, or why it is not offered.
    pub instead: Option<String>,
    pub reason: Option<String>,
}

fn seconds(v: f32) -> String {
    if v.fract() == 0.0 { format!("{v:.0} s") } else { format!("{v} s") }
}

/// "in 4 s · hold 4 s · out 4 s · hold 4 s"
pub fn rhythm(b: &BreathPattern) -> String {
    let mut parts = vec![format!("in {}", seconds(b.inhale_s))];
    if b.hold_in_s > 0.0 {
        parts.push(format!("hold {}", seconds(b.hold_in_s)));
    }
    parts.push(format!("out {}", seconds(b.exhale_s)));
    if b.hold_out_s > 0.0 {
        parts.push(format!("pause {}", seconds(b.hold_out_s)));
    }
    parts.join(" · ")
}

/// Every pattern with the gate's verdict for this runner.
pub fn patterns(program: &Program, permissions: &Permissions) -> Vec<PatternChoice> {
    PATTERNS
        .iter()
        .filter_map(|(id, exercise)| {
            let e = program.exercise(exercise)?;
            let breath = e.dose.breath?;
            let (instead, reason) = match permissions.exercise_to_do(exercise) {
                Ok(to) if to == *exercise => (None, None),
                Ok(to) => (Some(to), Some(format!("{} is swapped for this runner", e.name))),
                Err(why) => (None, Some(why)),
            };
            Some(PatternChoice {
                id: id.to_string(),
                exercise: exercise.to_string(),
                name: e.name.clone(),
                breath,
                rhythm: rhythm(&breath),
                breaths_per_minute: 60.0 / breath.cycle_s(),
                summary: e.summary.clone(),
                instead,
                reason,
            })
        })
        .collect()
}

/// What will be played: the pattern (after the gate's swap) and its length.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BreathingPlan {
    /// The pattern asked for.
    pub asked: String,
    /// The exercise whose breath is played (the gate's alternative when it swapped one).
    pub exercise: String,
    pub name: String,
    pub breath: BreathPattern,
    pub minutes: u32,
    /// Why another pattern is played than the one asked for.
    pub swapped: Option<String>,
}

/// The pattern a runner asked for (its short name or the exercise id), checked against the gate and the range.
pub fn choose(
    program: &Program,
    permissions: &Permissions,
    pattern: &str,
    minutes: u32,
) -> Result<BreathingPlan, BreatheError> {
    if !(MIN_MINUTES..=MAX_MINUTES).contains(&minutes) {
        return Err(BreatheError::Minutes(minutes));
    }
    let wanted = pattern.trim().to_ascii_lowercase();
    let (_, exercise) = PATTERNS
        .iter()
        .find(|(id, ex)| *id == wanted || *ex == wanted)
        .ok_or_else(|| BreatheError::UnknownPattern(pattern.to_string()))?;
    let asked_name = program.exercise(exercise).map(|e| e.name.clone()).unwrap_or_default();
    let to = permissions
        .exercise_to_do(exercise)
        .map_err(|reason| BreatheError::NotAllowed { name: asked_name.clone(), reason })?;
    let e = program.exercise(&to).ok_or_else(|| BreatheError::UnknownPattern(to.clone()))?;
    let breath = e.dose.breath.ok_or_else(|| BreatheError::UnknownPattern(to.clone()))?;
    let swapped = (to != *exercise).then(|| format!("{asked_name} is swapped for {} in your program", e.name));
    Ok(BreathingPlan { asked: wanted, exercise: to, name: e.name.clone(), breath, minutes, swapped })
}

/// The session as a timeline: getting ready, then whole breaths of the pattern filling the minutes.
pub fn timeline(program: &Program, plan: &BreathingPlan) -> Result<Timeline, BreatheError> {
    let e = program.exercise(&plan.exercise).ok_or_else(|| BreatheError::UnknownPattern(plan.exercise.clone()))?;
    let dose = Dose {
        sets: 1,
        reps: None,
        per_side: false,
        hold_s: None,
        rep_s: None,
        work_s: Some(plan.minutes * 60),
        rest_s: 0,
        breath: Some(plan.breath),
        frequency: e.dose.frequency.clone(),
        load: None,
    };
    let step = GuideStep {
        exercise: e.id.clone(),
        name: e.name.clone(),
        dose,
        note: plan.swapped.clone(),
        position: e.position.clone(),
        cues: e.cues.clone(),
        stop_if: e.stop_if.clone(),
        cautions: e.cautions.clone(),
    };
    timeline_of_steps(e.id.clone(), format!("{}, {} min", e.name, plan.minutes), false, vec![step])
        .map_err(|err: SessionError| BreatheError::Session(err.to_string()))
}

/// The record of a session played in a browser up to `position_s` seconds of the timeline: the same engine
/// replays it, so a breathing session from the web is recorded exactly as one from the terminal.
pub fn replay(timeline: Timeline, position_s: f64, ended: EndReason) -> Result<CompletionRecord, BreatheError> {
    let total_s = timeline.total_ms() as f64 / 1000.0;
    if !position_s.is_finite() || position_s < 0.0 || position_s > total_s + 1.0 {
        return Err(BreatheError::Session(format!("{position_s} s does not fit this session ({total_s:.0} s)")));
    }
    let mut session = Session::new(timeline, 1.0).map_err(|e| BreatheError::Session(e.to_string()))?;
    session.start(Duration::ZERO);
    let at = Duration::from_secs_f64(position_s.min(total_s));
    session.tick(at);
    if session.state() != SessionState::Finished && ended != EndReason::InProgress {
        session.quit(at);
    }
    let mut record = session.record();
    if ended == EndReason::InProgress && !session.is_over() {
        record.ended = EndReason::InProgress;
    }
    Ok(record)
}
