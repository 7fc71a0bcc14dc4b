//! The player: a state machine over a [`Timeline`] driven by clock readings the caller passes in.
//!
//! Time is a [`Duration`] since any origin the caller likes (the terminal front end uses an `Instant`; tests
//! use plain numbers), so the whole behaviour — pause, skip, speed, quitting half-way — is tested without
//! sleeping. The player never reads a clock itself.

use super::SessionError;
use super::timeline::{Segment, SegmentKind, Side, Timeline};
use serde::{Deserialize, Serialize};
use std::time::Duration;

/// Slowest and fastest playback; `--speed 60` plays a 25-minute routine in 25 seconds for a demo.
pub const MIN_SPEED: f64 = 0.1;
pub const MAX_SPEED: f64 = 100.0;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum SessionState {
    /// Built, not started.
    Ready,
    Running,
    Paused,
    /// Played to the end.
    Finished,
    /// Stopped early by the runner (`q`), or by a signal.
    Stopped,
}

/// Something the front end may want to react to (a bell, a spoken word).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SessionEvent {
    /// Playback entered the segment with this index.
    SegmentStarted(usize),
    Paused,
    Resumed,
    Finished,
}

/// How a session ended, as recorded in the journal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum EndReason {
    /// Played to the end (steps may still have been skipped).
    Finished,
    /// The runner quit.
    Quit,
    /// Ctrl-C, a kill signal, or a terminal failure.
    Interrupted,
    /// Still running: a checkpoint record taken mid-session.
    InProgress,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum StepOutcome {
    /// Every rep, breath and hold of the step was played.
    Completed,
    /// Some of it was done, then skipped or stopped.
    Partial,
    /// Reached but skipped before any of it was done.
    Skipped,
    /// The session ended before this step.
    NotStarted,
}

impl StepOutcome {
    /// Judges one step from what was played: `planned_s` and `done_s` are its active seconds, `passed` whether the
    /// runner skipped it or went beyond it. The terminal and the browser players record steps by this one rule.
    ///
    /// A step skipped after less than a tenth of it (or under 2 s) counts as skipped, not as partly done: the
    /// moment between landing on an exercise and pressing skip again is not exercise.
    pub fn judge(all_done: bool, planned_s: f64, done_s: f64, passed: bool) -> StepOutcome {
        let barely = done_s < (planned_s * 0.1).max(2.0);
        if all_done && planned_s > 0.0 {
            StepOutcome::Completed
        } else if passed && barely {
            StepOutcome::Skipped
        } else if done_s > 0.0 {
            StepOutcome::Partial
        } else {
            StepOutcome::NotStarted
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StepRecord {
    pub exercise: String,
    pub name: String,
    pub outcome: StepOutcome,
    /// Sets in which every rep and hold was played.
    pub sets_done: u32,
    pub sets: u32,
    /// Seconds of exercise done (session time: a `--speed 10` demo records the routine's own seconds).
    pub active_s: u32,
    pub planned_active_s: u32,
    /// How the runner found it, when they said (too easy / about right / too hard): read by the dose progression.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub effort: Option<Effort>,
}

pub use runtall_domain::plan::progression::Effort;

/// What the runner did, for the journal. Built at any moment, so it survives a quit or an interrupt.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CompletionRecord {
    /// Routine id, or the exercise id of a single-exercise session.
    pub id: String,
    pub title: String,
    pub is_routine: bool,
    pub ended: EndReason,
    /// Wall-clock start and end, filled in by the front end that owns a real clock.
    pub started_at: Option<jiff::Timestamp>,
    pub ended_at: Option<jiff::Timestamp>,
    pub steps: Vec<StepRecord>,
    /// Seconds of exercise done, summed over steps.
    pub active_s: u32,
    pub planned_active_s: u32,
    /// Real seconds from start to end, pauses included.
    pub elapsed_s: u32,
    pub paused_s: u32,
    pub speed: f64,
}

impl CompletionRecord {
    pub fn count(&self, outcome: StepOutcome) -> usize {
        self.steps.iter().filter(|s| s.outcome == outcome).count()
    }

    /// Whether every step was completed.
    pub fn all_completed(&self) -> bool {
        self.steps.iter().all(|s| s.outcome == StepOutcome::Completed)
    }

    /// One line for the terminal after the session.
    pub fn summary(&self) -> String {
        let completed = self.count(StepOutcome::Completed);
        let how = match self.ended {
            EndReason::Finished if completed == self.steps.len() => "finished",
            EndReason::Finished if completed == 0 && self.count(StepOutcome::Partial) == 0 => "skipped through",
            EndReason::Finished => "reached the end",
            EndReason::Quit => "stopped early",
            EndReason::Interrupted => "interrupted",
            EndReason::InProgress => "in progress",
        };
        format!(
            "{}: {how} — {} of {} completed, {} partly, {} skipped; {} of exercise",
            self.title,
            completed,
            runtall_domain::text::count(self.steps.len(), "step", "steps"),
            self.count(StepOutcome::Partial),
            self.count(StepOutcome::Skipped),
            super::clock(self.active_s),
        )
    }
}

/// Everything the screen shows at one moment.
#[derive(Debug, Clone, PartialEq)]
pub struct Snapshot<'a> {
    pub title: &'a str,
    pub state: SessionState,
    /// `None` once the session has ended.
    pub segment: Option<&'a Segment>,
    pub step_index: usize,
    pub step_count: usize,
    pub step_name: &'a str,
    pub note: Option<&'a str>,
    /// Position while preparing, one form cue while working.
    pub hint: Option<&'a str>,
    /// Whole seconds left in the current segment (rounded up: a 3-2-1 count).
    pub count_s: u32,
    /// Seconds elapsed in the current segment.
    pub elapsed_in_segment_s: f64,
    /// Fill of the pacer bar, 0.0–1.0: grows on the breath in, full on the hold, shrinks on the breath out.
    pub bar: f64,
    /// Fraction of the whole session played.
    pub progress: f64,
    pub remaining_s: u32,
    pub set: u32,
    pub sets: u32,
    pub rep: Option<u32>,
    pub reps: Option<u32>,
    pub side: Option<Side>,
    pub next_up: Option<String>,
    pub speed: f64,
}

/// A session being played.
#[derive(Debug, Clone)]
pub struct Session {
    timeline: Timeline,
    speed: f64,
    state: SessionState,
    /// Session time played, in milliseconds (fractional so high speeds do not lose time to rounding).
    position: f64,
    current: usize,
    last_now: Option<Duration>,
    started: Option<Duration>,
    ended: Option<Duration>,
    paused_since: Option<Duration>,
    paused_total: Duration,
    /// Milliseconds of each segment actually played.
    done: Vec<f64>,
    /// Steps the runner skipped out of.
    skipped: Vec<bool>,
    /// How the runner found each step, when marked.
    efforts: Vec<Option<Effort>>,
    end_reason: Option<EndReason>,
}

impl Session {
    /// A player for a validated timeline. `speed` multiplies the clock (1.0 = real time).
    pub fn new(timeline: Timeline, speed: f64) -> Result<Session, SessionError> {
        if !speed.is_finite() || !(MIN_SPEED..=MAX_SPEED).contains(&speed) {
            return Err(SessionError::InvalidSpeed(speed));
        }
        if timeline.segments.is_empty() || timeline.steps.is_empty() {
            return Err(SessionError::EmptyRoutine(timeline.id.clone()));
        }
        // Timelines normally come from `build_timeline`; one assembled by hand must still be playable.
        let tiled = timeline.segments.windows(2).all(|w| w[0].end_ms() == w[1].start_ms && w[0].step <= w[1].step);
        let steps_ok = timeline.segments.iter().all(|s| s.step < timeline.steps.len());
        if timeline.segments[0].start_ms != 0 || !tiled || !steps_ok {
            return Err(SessionError::InvalidInput(format!(
                "timeline '{}' is malformed: segments must start at 0, follow each other without gaps and refer to its steps",
                timeline.id
            )));
        }
        let n = timeline.segments.len();
        let steps = timeline.steps.len();
        Ok(Session {
            timeline,
            speed,
            state: SessionState::Ready,
            position: 0.0,
            current: 0,
            last_now: None,
            started: None,
            ended: None,
            paused_since: None,
            paused_total: Duration::ZERO,
            done: vec![0.0; n],
            skipped: vec![false; steps],
            efforts: vec![None; steps],
            end_reason: None,
        })
    }

    pub fn timeline(&self) -> &Timeline {
        &self.timeline
    }

    pub fn state(&self) -> SessionState {
        self.state
    }

    pub fn speed(&self) -> f64 {
        self.speed
    }

    pub fn is_over(&self) -> bool {
        matches!(self.state, SessionState::Finished | SessionState::Stopped)
    }

    /// Index of the segment playing now (the last one once finished).
    pub fn current_segment(&self) -> usize {
        self.current
    }

    /// Session milliseconds played so far.
    pub fn position_ms(&self) -> u64 {
        self.position as u64
    }

    pub fn start(&mut self, now: Duration) -> Vec<SessionEvent> {
        if self.state != SessionState::Ready {
            return Vec::new();
        }
        self.state = SessionState::Running;
        self.started = Some(now);
        self.last_now = Some(now);
        vec![SessionEvent::SegmentStarted(0)]
    }

    /// Advances playback to `now`. Readings that go backwards are ignored rather than rewinding.
    pub fn tick(&mut self, now: Duration) -> Vec<SessionEvent> {
        if self.state != SessionState::Running {
            return Vec::new();
        }
        let last = self.last_now.unwrap_or(now);
        self.last_now = Some(now.max(last));
        let dt = now.saturating_sub(last).as_secs_f64() * 1000.0 * self.speed;
        self.advance(dt, now)
    }

    /// Session milliseconds played so far, unrounded.
    pub(super) fn position(&self) -> f64 {
        self.position
    }

    /// Moves playback forward to session millisecond `position_ms`, as if that much had been played since the last
    /// reading (for [`replay`](super::replay), which knows positions rather than clock readings). Nothing happens
    /// once the session is over or for a position behind the current one.
    pub(super) fn advance_to(&mut self, position_ms: f64) {
        if !self.is_over() && position_ms > self.position {
            let now = self.last_now.unwrap_or_default();
            self.advance(position_ms - self.position, now);
        }
    }

    fn advance(&mut self, dt_ms: f64, now: Duration) -> Vec<SessionEvent> {
        let total = self.timeline.total_ms() as f64;
        let from = self.position;
        let to = (from + dt_ms).min(total);
        let mut events = Vec::new();
        let mut i = self.current;
        while i < self.timeline.segments.len() {
            let seg = &self.timeline.segments[i];
            let (s, e) = (seg.start_ms as f64, seg.end_ms() as f64);
            let overlap = to.min(e) - from.max(s);
            if overlap > 0.0 {
                self.done[i] = (self.done[i] + overlap).min(seg.duration_ms as f64);
            }
            if to < e {
                break;
            }
            i += 1;
        }
        self.position = to;
        let new_current = i.min(self.timeline.segments.len() - 1);
        for k in (self.current + 1)..=new_current {
            events.push(SessionEvent::SegmentStarted(k));
        }
        self.current = new_current;
        if to >= total {
            self.finish(now, EndReason::Finished);
            events.push(SessionEvent::Finished);
        }
        events
    }

    fn finish(&mut self, now: Duration, reason: EndReason) {
        if let Some(p) = self.paused_since.take() {
            self.paused_total += now.saturating_sub(p);
        }
        self.state = if reason == EndReason::Finished { SessionState::Finished } else { SessionState::Stopped };
        self.ended = Some(now);
        self.end_reason = Some(reason);
    }

    pub fn pause(&mut self, now: Duration) -> Vec<SessionEvent> {
        if self.state != SessionState::Running {
            return Vec::new();
        }
        // Count the time up to the pause before freezing.
        let mut events = self.tick(now);
        if self.state == SessionState::Running {
            self.state = SessionState::Paused;
            self.paused_since = Some(now);
            events.push(SessionEvent::Paused);
        }
        events
    }

    pub fn resume(&mut self, now: Duration) -> Vec<SessionEvent> {
        if self.state != SessionState::Paused {
            return Vec::new();
        }
        if let Some(p) = self.paused_since.take() {
            self.paused_total += now.saturating_sub(p);
        }
        self.state = SessionState::Running;
        self.last_now = Some(now);
        vec![SessionEvent::Resumed]
    }

    pub fn toggle_pause(&mut self, now: Duration) -> Vec<SessionEvent> {
        match self.state {
            SessionState::Running => self.pause(now),
            SessionState::Paused => self.resume(now),
            _ => Vec::new(),
        }
    }

    /// Skips forward. In a rest, a side change or the getting-ready time it ends that wait; during the work
    /// it skips the rest of the exercise and moves to getting ready for the next one. Pressing it twice in a
    /// transition therefore skips the next exercise too, which is what a runner who does not want it expects.
    pub fn skip(&mut self, now: Duration) -> Vec<SessionEvent> {
        self.skip_with(now, false)
    }

    /// The browser player's "Skip exercise": wherever playback is in an exercise (getting ready, a rest, the work),
    /// it moves to getting ready for the next one, and the exercise counts as skipped out of.
    pub fn skip_exercise(&mut self, now: Duration) -> Vec<SessionEvent> {
        self.skip_with(now, true)
    }

    fn skip_with(&mut self, now: Duration, whole_exercise: bool) -> Vec<SessionEvent> {
        if !matches!(self.state, SessionState::Running | SessionState::Paused) {
            return Vec::new();
        }
        let mut events = if self.state == SessionState::Running { self.tick(now) } else { Vec::new() };
        if self.is_over() {
            return events;
        }
        let seg = &self.timeline.segments[self.current];
        let target_index = match seg.kind {
            SegmentKind::Prepare | SegmentKind::Rest | SegmentKind::SwitchSides if !whole_exercise => {
                Some(self.current + 1)
            }
            _ => {
                self.skipped[seg.step] = true;
                self.timeline.step_start(seg.step + 1)
            }
        };
        match target_index.and_then(|t| self.timeline.segments.get(t).map(|s| (t, s.start_ms))) {
            Some((t, start)) => {
                self.position = start as f64;
                self.current = t;
                events.push(SessionEvent::SegmentStarted(t));
            }
            None => {
                self.position = self.timeline.total_ms() as f64;
                self.current = self.timeline.segments.len() - 1;
                self.finish(now, EndReason::Finished);
                events.push(SessionEvent::Finished);
            }
        }
        events
    }

    /// Stops the session at `now`; the record then shows what was done.
    pub fn quit(&mut self, now: Duration) {
        self.stop(now, EndReason::Quit);
    }

    /// Like [`quit`](Self::quit), for Ctrl-C, a kill signal or a failed terminal.
    pub fn interrupt(&mut self, now: Duration) {
        self.stop(now, EndReason::Interrupted);
    }

    fn stop(&mut self, now: Duration, reason: EndReason) {
        if self.is_over() {
            return;
        }
        if self.state == SessionState::Running {
            self.tick(now);
            if self.is_over() {
                return;
            }
        }
        if self.state == SessionState::Ready {
            self.started = Some(now);
        }
        self.finish(now, reason);
    }

    /// The record as of now. Mid-session it is a checkpoint (`ended: in-progress`).
    pub fn record(&self) -> CompletionRecord {
        let t = &self.timeline;
        let reached_step = t.segments.get(self.current).map_or(0, |s| s.step);
        let steps = t
            .steps
            .iter()
            .enumerate()
            .map(|(i, step)| {
                let mut planned = 0.0;
                let mut done = 0.0;
                let mut all_done = true;
                let mut set_done = vec![true; step.dose.sets as usize];
                for (k, seg) in t.segments.iter().enumerate().filter(|(_, s)| s.step == i && s.kind.is_active()) {
                    planned += seg.duration_ms as f64;
                    done += self.done[k];
                    if self.done[k] + 1.0 < seg.duration_ms as f64 {
                        all_done = false;
                        if let Some(slot) = set_done.get_mut(seg.set.saturating_sub(1) as usize) {
                            *slot = false;
                        }
                    }
                }
                let outcome = StepOutcome::judge(all_done, planned, done, self.skipped[i] || i < reached_step);
                StepRecord {
                    exercise: step.exercise.clone(),
                    name: step.name.clone(),
                    outcome,
                    sets_done: set_done.iter().filter(|d| **d).count() as u32,
                    sets: step.dose.sets,
                    active_s: secs(done),
                    planned_active_s: secs(planned),
                    effort: self.efforts.get(i).copied().flatten(),
                }
            })
            .collect::<Vec<_>>();
        let end = self.ended.or(self.last_now).unwrap_or_default();
        let start = self.started.unwrap_or(end);
        let mut paused = self.paused_total;
        if let (Some(p), None) = (self.paused_since, self.ended) {
            paused += end.saturating_sub(p);
        }
        CompletionRecord {
            id: t.id.clone(),
            title: t.title.clone(),
            is_routine: t.is_routine,
            ended: self.end_reason.unwrap_or(EndReason::InProgress),
            started_at: None,
            ended_at: None,
            active_s: steps.iter().map(|s| s.active_s).sum(),
            planned_active_s: steps.iter().map(|s| s.planned_active_s).sum(),
            steps,
            elapsed_s: end.saturating_sub(start).as_secs_f64().round() as u32,
            paused_s: paused.as_secs_f64().round() as u32,
            speed: self.speed,
        }
    }

    /// Marks how the runner found step `step` (too easy / about right / too hard). Only a step already reached
    /// can be marked; a later mark of the same step replaces the earlier one. False when the step is not reached.
    pub fn mark(&mut self, step: usize, effort: Effort) -> bool {
        let reached = self.timeline.segments.get(self.current).map_or(usize::MAX, |s| s.step);
        let over = self.is_over();
        match self.efforts.get_mut(step) {
            Some(slot) if step <= reached || over => {
                *slot = Some(effort);
                true
            }
            _ => false,
        }
    }

    /// What to draw now.
    pub fn snapshot(&self) -> Snapshot<'_> {
        let t = &self.timeline;
        let total = t.total_ms();
        let over = self.is_over();
        let seg = (!over).then(|| &t.segments[self.current]);
        let step_index = t.segments.get(self.current).map_or(0, |s| s.step);
        let step = &t.steps[step_index.min(t.steps.len() - 1)];
        let (elapsed, remaining) = match seg {
            Some(s) => {
                let e = (self.position - s.start_ms as f64).clamp(0.0, s.duration_ms as f64);
                (e, s.duration_ms as f64 - e)
            }
            None => (0.0, 0.0),
        };
        let frac = seg.map_or(0.0, |s| if s.duration_ms == 0 { 1.0 } else { elapsed / s.duration_ms as f64 });
        let bar = match seg.map(|s| s.kind) {
            Some(SegmentKind::Breathe(super::BreathPhase::Inhale)) => frac,
            Some(SegmentKind::Breathe(super::BreathPhase::HoldIn)) => 1.0,
            Some(SegmentKind::Breathe(super::BreathPhase::Exhale)) => 1.0 - frac,
            Some(SegmentKind::Breathe(super::BreathPhase::HoldOut)) => 0.0,
            // Timers (holds, rests, work) drain as time runs out.
            Some(_) => 1.0 - frac,
            None => 0.0,
        };
        let hint = match seg.map(|s| s.kind) {
            Some(SegmentKind::Prepare) => Some(step.position.as_str()),
            Some(_) if !step.cues.is_empty() => {
                let s = seg.map_or(1, |s| s.set) as usize;
                Some(step.cues[(s - 1) % step.cues.len()].as_str())
            }
            _ => None,
        };
        Snapshot {
            title: &t.title,
            state: self.state,
            segment: seg,
            step_index,
            step_count: t.steps.len(),
            step_name: &step.name,
            note: step.note.as_deref(),
            hint,
            count_s: (remaining / 1000.0).ceil() as u32,
            elapsed_in_segment_s: elapsed / 1000.0,
            bar: bar.clamp(0.0, 1.0),
            progress: if total == 0 { 1.0 } else { (self.position / total as f64).clamp(0.0, 1.0) },
            remaining_s: ((total as f64 - self.position) / 1000.0).max(0.0).ceil() as u32,
            set: seg.map_or(0, |s| s.set),
            sets: seg.map_or(0, |s| s.sets),
            rep: seg.and_then(|s| s.rep),
            reps: seg.and_then(|s| s.reps),
            side: seg.and_then(|s| s.side),
            next_up: seg.map(|s| self.next_up(s)).unwrap_or(None),
            speed: self.speed,
        }
    }

    /// What comes after the current piece of work: the next set, the other side, or the next exercise. While
    /// getting ready it is the exercise after this one: the header already names the one about to start.
    fn next_up(&self, seg: &Segment) -> Option<String> {
        let t = &self.timeline;
        let step = &t.steps[seg.step];
        if seg.kind == SegmentKind::Rest {
            return Some(format!("set {} of {} — {}", seg.set + 1, seg.sets, step.name));
        }
        if seg.kind == SegmentKind::SwitchSides {
            return Some(format!("{} — {}", seg.side.map_or("other side", Side::label), step.name));
        }
        match t.steps.get(seg.step + 1) {
            Some(next) => Some(format!("{} — {}", next.name, next.dose_summary())),
            None => Some("last exercise".to_string()),
        }
    }
}

fn secs(ms: f64) -> u32 {
    (ms / 1000.0).round() as u32
}
