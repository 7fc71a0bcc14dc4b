//! A routine (or one exercise) unrolled into timed segments: every breath phase, rep, hold, rest and
//! transition gets a start and a length, so the player only has to find where "now" falls.

use super::SessionError;
use runtall_content::{BreathPattern, Dose, Exercise, Program, Routine};
use runtall_domain::plan::RoutineView;
use serde::{Deserialize, Serialize};

/// Most sets any exercise in the library asks for is 5; 10 leaves room for a clinician's own dose.
pub const MAX_SETS: u32 = 10;
/// Reps (or breaths) per set. The library's highest is 10; 200 chin tucks is a typo, not a plan.
pub const MAX_REPS: u32 = 50;
/// Timed work per set (walks, slow breathing).
pub const MAX_WORK_S: u32 = 30 * 60;
/// A longer isometric hold than this is not what any exercise here intends.
pub const MAX_HOLD_S: u32 = 120;
/// Seconds one rep takes without its hold.
pub const MAX_REP_S: u32 = 30;
pub const MAX_REST_S: u32 = 10 * 60;
/// One phase of a paced breath (in, hold, out, hold). Longer holds are not wellness breathing any more.
pub const MAX_BREATH_PHASE_S: f32 = 20.0;
/// Longest guided session: the rest-day strength routine is about 25 minutes.
pub const MAX_SESSION_S: u32 = 2 * 60 * 60;
/// Time to get into position before the first exercise.
pub const FIRST_PREPARE_S: u32 = 10;
/// Time between exercises; the same 15 s the content's routine totals assume.
pub const TRANSITION_S: u32 = 15;
/// Time to change sides in per-side exercises.
pub const SIDE_SWITCH_S: u32 = 5;
/// Longest `--minutes` accepted for a single timed exercise.
pub const MAX_MINUTES: u32 = 30;

/// What to guide: a routine as this runner does it (after the plan's substitutions), or one exercise.
#[derive(Debug, Clone)]
pub enum GuideInput<'a> {
    /// A routine view from `runtall_domain::plan::routine_view` (or a run day's `pre_run` / `post_run`).
    Routine(&'a RoutineView),
    /// One exercise from the library, with its default dose or the runner's overrides.
    Exercise { id: &'a str, overrides: DoseOverride },
}

/// Changes to an exercise's default dose for a single-exercise session (`runtall guide chin-tuck --reps 5`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct DoseOverride {
    pub sets: Option<u32>,
    pub reps: Option<u32>,
    /// Timed work per set in minutes, for timed exercises (slow breathing, walking).
    pub minutes: Option<u32>,
}

/// A routine or exercise id, resolved against the library.
#[derive(Debug, Clone, Copy)]
pub enum Target<'p> {
    Routine(&'p Routine),
    Exercise(&'p Exercise),
}

/// Looks an id up among routines first, then exercises, so the CLI can take `runtall guide ID` for either.
/// Unknown ids get up to three close matches in the error, because a typo is the usual cause.
pub fn resolve<'p>(program: &'p Program, id: &str) -> Result<Target<'p>, SessionError> {
    if let Some(r) = program.routine(id) {
        return Ok(Target::Routine(r));
    }
    if let Some(e) = program.exercise(id) {
        return Ok(Target::Exercise(e));
    }
    let candidates =
        program.routines.iter().map(|r| r.id.as_str()).chain(program.exercises.iter().map(|e| e.id.as_str()));
    Err(SessionError::UnknownId { id: id.to_string(), suggestions: suggestions(id, candidates) })
}

/// Close matches for an unknown id: substring matches first, then small edit distances.
pub(crate) fn suggestions<'a>(id: &str, candidates: impl Iterator<Item = &'a str>) -> Vec<String> {
    let needle = id.to_lowercase();
    let mut scored: Vec<(usize, &str)> = candidates
        .filter_map(|c| {
            let score = if !needle.is_empty() && (c.contains(&needle) || needle.contains(c)) {
                0
            } else {
                let d = edit_distance(&needle, c);
                if d > 3 {
                    return None;
                }
                d
            };
            Some((score, c))
        })
        .collect();
    scored.sort();
    scored.into_iter().take(3).map(|(_, c)| c.to_string()).collect()
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != *cb);
            cur[j + 1] = (prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}

/// One exercise of a session, with what the screen shows besides the timer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GuideStep {
    pub exercise: String,
    pub name: String,
    pub dose: Dose,
    /// Why this step is in the routine (from the routine), shown under the timer.
    pub note: Option<String>,
    /// Starting position, shown while getting ready.
    pub position: String,
    /// Short form cues from the exercise, rotated through during the work.
    pub cues: Vec<String>,
    /// When to stop, from the exercise.
    #[serde(default)]
    pub stop_if: Vec<String>,
    /// The exercise's own cautions (a swapped-in exercise shows its own, never the replaced one's).
    #[serde(default)]
    pub cautions: Vec<String>,
}

impl GuideStep {
    /// "2 × 10, 10 s hold" style summary for "next up" lines.
    pub fn dose_summary(&self) -> String {
        let d = &self.dose;
        let mut parts = Vec::new();
        let sets = if d.sets > 1 { format!("{} × ", d.sets) } else { String::new() };
        if let Some(reps) = d.reps {
            let unit = if d.breath.is_some() { " breaths" } else { "" };
            let side = if d.per_side { " per side" } else { "" };
            parts.push(format!("{sets}{reps}{unit}{side}"));
        } else if let Some(w) = d.work_s {
            parts.push(format!("{sets}{}", clock(w)));
        }
        if let Some(h) = d.hold_s.filter(|h| *h > 0) {
            parts.push(format!("{h} s hold"));
        }
        parts.join(", ")
    }
}

/// Where a segment sits in the breath.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum BreathPhase {
    Inhale,
    HoldIn,
    Exhale,
    HoldOut,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Side {
    Left,
    Right,
}

impl Side {
    pub fn label(self) -> &'static str {
        match self {
            Side::Left => "left side",
            Side::Right => "right side",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", tag = "type", content = "phase")]
pub enum SegmentKind {
    /// Get into position for the exercise (first exercise, or the transition from the previous one).
    Prepare,
    /// One phase of a paced breath.
    Breathe(BreathPhase),
    /// The moving part of a rep (tempo), before its hold if it has one.
    Move,
    /// The hold at the end position of a rep.
    Hold,
    /// Timed work (a walk, a stretch of slow breathing without a pacer).
    Work,
    /// Change sides in a per-side exercise.
    SwitchSides,
    /// Rest between sets.
    Rest,
}

impl SegmentKind {
    /// Whether time in this segment counts as exercise done (for the completion record).
    pub fn is_active(self) -> bool {
        matches!(self, SegmentKind::Breathe(_) | SegmentKind::Move | SegmentKind::Hold | SegmentKind::Work)
    }
}

/// One timed piece of a session. Times are in milliseconds of session time (before the speed multiplier).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Segment {
    pub start_ms: u64,
    pub duration_ms: u64,
    /// Index into [`Timeline::steps`].
    pub step: usize,
    pub kind: SegmentKind,
    pub set: u32,
    pub sets: u32,
    /// Rep (or breath) number from 1, for reps and breaths.
    pub rep: Option<u32>,
    pub reps: Option<u32>,
    pub side: Option<Side>,
    /// Whether a [`SegmentKind::Move`] is followed by a hold (changes its label).
    pub then_hold: bool,
}

impl Segment {
    pub fn end_ms(&self) -> u64 {
        self.start_ms + self.duration_ms
    }

    /// The phase name shown large on screen.
    pub fn label(&self) -> &'static str {
        match self.kind {
            SegmentKind::Prepare => "Get ready",
            SegmentKind::Breathe(BreathPhase::Inhale) => "Breathe in",
            SegmentKind::Breathe(BreathPhase::HoldIn) => "Hold",
            SegmentKind::Breathe(BreathPhase::Exhale) => "Breathe out",
            SegmentKind::Breathe(BreathPhase::HoldOut) => "Pause, empty",
            SegmentKind::Move if self.then_hold => "Move into position",
            SegmentKind::Move => "Rep",
            SegmentKind::Hold => "Hold",
            SegmentKind::Work => "Go",
            SegmentKind::SwitchSides => "Switch sides",
            SegmentKind::Rest => "Rest",
        }
    }
}

/// What a player shows in words for one segment: the phase, and where in the dose it is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Caption {
    /// "Breathe in", "Hold", "Rest" (see [`Segment::label`]).
    pub label: String,
    /// "Set 1 of 2 · rep 3 of 8 · left side"; the starting position while getting ready; what follows a rest
    /// or a side change.
    pub detail: String,
}

impl Segment {
    /// Where in the dose this segment is, in words (see [`Caption::detail`]).
    pub fn detail(&self, step: &GuideStep) -> String {
        match self.kind {
            SegmentKind::Prepare => return step.position.clone(),
            SegmentKind::Rest => return format!("Next: set {} of {}", self.set + 1, self.sets),
            SegmentKind::SwitchSides => return format!("Next: {}", self.side.map_or("the other side", Side::label)),
            _ => {}
        }
        let mut parts = Vec::new();
        if self.sets > 1 {
            parts.push(format!("Set {} of {}", self.set, self.sets));
        }
        if let (Some(r), Some(n)) = (self.rep, self.reps) {
            let what = if matches!(self.kind, SegmentKind::Breathe(_)) { "breath" } else { "rep" };
            parts.push(format!("{what} {r} of {n}"));
        }
        if let Some(side) = self.side {
            parts.push(side.label().to_string());
        }
        parts.join(" · ")
    }
}

/// A whole session, ready to play.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Timeline {
    /// Routine id, or the exercise id for a single-exercise session.
    pub id: String,
    pub title: String,
    /// `true` when this is a routine rather than one exercise.
    pub is_routine: bool,
    pub steps: Vec<GuideStep>,
    pub segments: Vec<Segment>,
}

impl Timeline {
    pub fn total_ms(&self) -> u64 {
        self.segments.last().map_or(0, Segment::end_ms)
    }

    /// Session time spent exercising (no preparation, rests or side changes).
    pub fn active_ms(&self) -> u64 {
        self.segments.iter().filter(|s| s.kind.is_active()).map(|s| s.duration_ms).sum()
    }

    /// Planned active milliseconds of one step.
    pub fn step_active_ms(&self, step: usize) -> u64 {
        self.segments.iter().filter(|s| s.step == step && s.kind.is_active()).map(|s| s.duration_ms).sum()
    }

    /// Index of the first segment of a step (its preparation).
    pub fn step_start(&self, step: usize) -> Option<usize> {
        self.segments.iter().position(|s| s.step == step)
    }

    /// Each segment's words, in order, for a player that shows the timeline elsewhere (the browser).
    pub fn captions(&self) -> Vec<Caption> {
        self.segments
            .iter()
            .map(|seg| Caption { label: seg.label().to_string(), detail: seg.detail(&self.steps[seg.step]) })
            .collect()
    }
}

/// Validates the input and unrolls it into a timeline. All dose checks happen here, before any terminal is
/// touched, so a bad dose is a clear error and never a half-drawn screen.
pub fn build_timeline(program: &Program, input: &GuideInput<'_>) -> Result<Timeline, SessionError> {
    let (id, title, is_routine, steps) = match input {
        GuideInput::Routine(view) => {
            let mut steps = Vec::with_capacity(view.steps.len());
            for s in &view.steps {
                let ex = program.exercise(&s.exercise).ok_or_else(|| SessionError::UnknownId {
                    id: s.exercise.clone(),
                    suggestions: suggestions(&s.exercise, program.exercises.iter().map(|e| e.id.as_str())),
                })?;
                steps.push(GuideStep {
                    exercise: s.exercise.clone(),
                    name: s.name.clone(),
                    dose: s.dose.clone(),
                    // A swapped-in step has no note of its own in the routine: say what it stands in for, and why.
                    note: s.note.clone().or_else(|| {
                        s.substituted_for.as_ref().map(|(from, why)| {
                            let name = program.exercise(from).map(|e| e.name.as_str()).unwrap_or(from);
                            format!("In place of {name}: {why}.")
                        })
                    }),
                    position: ex.position.clone(),
                    cues: ex.cues.clone(),
                    stop_if: ex.stop_if.clone(),
                    cautions: s.cautions.clone(),
                });
            }
            if steps.is_empty() {
                return Err(SessionError::EmptyRoutine(view.id.clone()));
            }
            (view.id.clone(), view.name.clone(), true, steps)
        }
        GuideInput::Exercise { id, overrides } => {
            let ex = match resolve(program, id)? {
                Target::Exercise(ex) => ex,
                Target::Routine(r) => {
                    return Err(SessionError::InvalidInput(format!(
                        "'{}' is a routine; pass its view (GuideInput::Routine) to guide it with this runner's substitutions",
                        r.id
                    )));
                }
            };
            let dose = apply_override(ex, overrides)?;
            let step = GuideStep {
                exercise: ex.id.clone(),
                name: ex.name.clone(),
                dose,
                note: None,
                position: ex.position.clone(),
                cues: ex.cues.clone(),
                stop_if: ex.stop_if.clone(),
                cautions: ex.cautions.clone(),
            };
            (ex.id.clone(), ex.name.clone(), false, vec![step])
        }
    };
    timeline_of_steps(id, title, is_routine, steps)
}

/// A timeline from steps already chosen (a breathing session of the runner's own length): the same dose checks,
/// unrolling and length limit as [`build_timeline`].
pub fn timeline_of_steps(
    id: String,
    title: String,
    is_routine: bool,
    steps: Vec<GuideStep>,
) -> Result<Timeline, SessionError> {
    for s in &steps {
        validate_dose(&s.exercise, &s.dose)?;
    }
    let segments = unroll(&steps);
    let timeline = Timeline { id, title, is_routine, steps, segments };
    let total_s = timeline.total_ms().div_ceil(1000);
    if total_s > u64::from(MAX_SESSION_S) {
        return Err(SessionError::TooLong { minutes: total_s.div_ceil(60), max: MAX_SESSION_S / 60 });
    }
    Ok(timeline)
}

fn apply_override(ex: &Exercise, o: &DoseOverride) -> Result<Dose, SessionError> {
    let bad = |message: String| SessionError::InvalidDose { exercise: ex.id.clone(), message };
    let mut dose = ex.dose.clone();
    if let Some(sets) = o.sets {
        dose.sets = sets;
    }
    if let Some(reps) = o.reps {
        if dose.reps.is_none() {
            return Err(bad(format!("is timed, not counted in reps; use --minutes (1–{MAX_MINUTES})")));
        }
        dose.reps = Some(reps);
    }
    if let Some(min) = o.minutes {
        if dose.work_s.is_none() {
            return Err(bad("is counted in reps, not timed; use --reps".into()));
        }
        if min == 0 || min > MAX_MINUTES {
            return Err(bad(format!("{min} minutes is out of range (allowed 1–{MAX_MINUTES})")));
        }
        dose.work_s = Some(min * 60);
    }
    Ok(dose)
}

/// Refuses doses the player cannot time or that no exercise here intends, naming the value and the range.
pub fn validate_dose(exercise: &str, d: &Dose) -> Result<(), SessionError> {
    let bad = |message: String| Err(SessionError::InvalidDose { exercise: exercise.to_string(), message });
    if d.sets == 0 || d.sets > MAX_SETS {
        return bad(format!("{} sets is out of range (allowed 1–{MAX_SETS})", d.sets));
    }
    if let Some(r) = d.reps
        && (r == 0 || r > MAX_REPS)
    {
        return bad(format!("{r} reps is out of range (allowed 1–{MAX_REPS} per set)"));
    }
    if let Some(w) = d.work_s
        && (w == 0 || w > MAX_WORK_S)
    {
        return bad(format!("{} of work is out of range (allowed 1 s–{} min per set)", clock(w), MAX_WORK_S / 60));
    }
    if d.reps.is_none() && d.work_s.is_none() {
        return bad("the dose has neither reps nor timed work, so there is nothing to time".into());
    }
    if let Some(h) = d.hold_s
        && h > MAX_HOLD_S
    {
        return bad(format!("a {h} s hold is out of range (allowed 0–{MAX_HOLD_S} s)"));
    }
    if let Some(r) = d.rep_s
        && (r == 0 || r > MAX_REP_S)
    {
        return bad(format!("a rep tempo of {r} s is out of range (allowed 1–{MAX_REP_S} s)"));
    }
    if d.rest_s > MAX_REST_S {
        return bad(format!("{} of rest is out of range (allowed up to {} min)", clock(d.rest_s), MAX_REST_S / 60));
    }
    if let Some(b) = &d.breath {
        let phases =
            [("breath in", b.inhale_s), ("hold", b.hold_in_s), ("breath out", b.exhale_s), ("pause", b.hold_out_s)];
        for (name, v) in phases {
            if !v.is_finite() || !(0.0..=MAX_BREATH_PHASE_S).contains(&v) {
                return bad(format!("a {v} s {name} is out of range (allowed 0–{MAX_BREATH_PHASE_S} s)"));
            }
        }
        if b.inhale_s < 1.0 || b.exhale_s < 1.0 {
            return bad("the breath needs at least 1 s in and 1 s out".into());
        }
    }
    Ok(())
}

fn ms(seconds: u32) -> u64 {
    u64::from(seconds) * 1000
}

fn ms_f(seconds: f32) -> u64 {
    // Validated finite and bounded above, so the cast cannot overflow.
    (f64::from(seconds) * 1000.0).round().max(0.0) as u64
}

/// Phases of one breath, dropping zero-length holds.
fn breath_phases(b: &BreathPattern) -> Vec<(BreathPhase, u64)> {
    [
        (BreathPhase::Inhale, b.inhale_s),
        (BreathPhase::HoldIn, b.hold_in_s),
        (BreathPhase::Exhale, b.exhale_s),
        (BreathPhase::HoldOut, b.hold_out_s),
    ]
    .into_iter()
    .map(|(p, s)| (p, ms_f(s)))
    .filter(|(_, d)| *d > 0)
    .collect()
}

struct Builder {
    segments: Vec<Segment>,
    at: u64,
}

impl Builder {
    #[allow(clippy::too_many_arguments)]
    fn push(
        &mut self,
        duration_ms: u64,
        step: usize,
        kind: SegmentKind,
        set: u32,
        sets: u32,
        rep: Option<(u32, u32)>,
        side: Option<Side>,
    ) {
        if duration_ms == 0 {
            return;
        }
        self.segments.push(Segment {
            start_ms: self.at,
            duration_ms,
            step,
            kind,
            set,
            sets,
            rep: rep.map(|r| r.0),
            reps: rep.map(|r| r.1),
            side,
            then_hold: false,
        });
        self.at += duration_ms;
    }
}

fn unroll(steps: &[GuideStep]) -> Vec<Segment> {
    let mut b = Builder { segments: Vec::new(), at: 0 };
    for (i, step) in steps.iter().enumerate() {
        let d = &step.dose;
        let prepare = if i == 0 { FIRST_PREPARE_S } else { TRANSITION_S };
        b.push(ms(prepare), i, SegmentKind::Prepare, 1, d.sets, None, None);
        let sides: &[Option<Side>] = if d.per_side { &[Some(Side::Left), Some(Side::Right)] } else { &[None] };
        for set in 1..=d.sets {
            for (k, side) in sides.iter().enumerate() {
                if k > 0 {
                    b.push(ms(SIDE_SWITCH_S), i, SegmentKind::SwitchSides, set, d.sets, None, *side);
                }
                one_set(&mut b, i, d, set, *side);
            }
            if set < d.sets {
                b.push(ms(d.rest_s), i, SegmentKind::Rest, set, d.sets, None, None);
            }
        }
    }
    b.segments
}

fn one_set(b: &mut Builder, i: usize, d: &Dose, set: u32, side: Option<Side>) {
    match (&d.breath, d.reps) {
        (Some(breath), reps) => {
            let phases = breath_phases(breath);
            let cycle: u64 = phases.iter().map(|p| p.1).sum();
            // Breaths are counted by reps when given; timed breathing fits whole breaths into the time.
            let count = match reps {
                Some(r) => r,
                None => {
                    let work = ms(d.work_s.unwrap_or(0));
                    u32::try_from((work + cycle / 2) / cycle.max(1)).unwrap_or(u32::MAX).max(1)
                }
            };
            for n in 1..=count {
                for (phase, dur) in &phases {
                    b.push(*dur, i, SegmentKind::Breathe(*phase), set, d.sets, Some((n, count)), side);
                }
            }
        }
        (None, reps) => {
            if let Some(reps) = reps {
                let hold = d.hold_s.filter(|h| *h > 0);
                // The same tempo defaults as `Dose::estimated_seconds`, so totals match the content's estimates.
                let rep_s = d.rep_s.unwrap_or(if hold.is_some() { 2 } else { 3 });
                for n in 1..=reps {
                    b.push(ms(rep_s), i, SegmentKind::Move, set, d.sets, Some((n, reps)), side);
                    if let Some(h) = hold {
                        if let Some(last) = b.segments.last_mut() {
                            last.then_hold = true;
                        }
                        b.push(ms(h), i, SegmentKind::Hold, set, d.sets, Some((n, reps)), side);
                    }
                }
            }
            if let Some(w) = d.work_s {
                b.push(ms(w), i, SegmentKind::Work, set, d.sets, None, side);
            }
        }
    }
}

/// `m:ss` for durations on screen and in messages.
pub fn clock(seconds: u32) -> String {
    format!("{}:{:02}", seconds / 60, seconds % 60)
}
