//! A routine as a flat list of timed segments for the browser's guided player.
//!
//! The server decides *what* happens (from the runner's own routine view: substitutions and the reduced mode
//! already applied); the player script only counts down segments, so the same list is tested here without a
//! browser. Each breath of a breathing exercise is four segments (in, hold, out, hold; zero holds dropped), each
//! rep of a held exercise is a move then a hold, timed work is one segment, and sets are separated by rests.

use runtall_content::{Dose, Program, RoutineKind};
use runtall_domain::plan::RoutineView;
use serde::Serialize;

/// Pause before the first exercise, and between exercises (the content's duration estimate allows 15 s).
pub const FIRST_READY_S: f32 = 8.0;
pub const BETWEEN_S: f32 = 15.0;
/// A runaway dose (e.g. a long timed breathing block at a fast breath) is capped per set.
const MAX_BREATHS_PER_SET: u32 = 80;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum SegmentKind {
    Ready,
    Inhale,
    HoldIn,
    Exhale,
    HoldOut,
    Move,
    Hold,
    Work,
    Rest,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Segment {
    /// Index into [`Timeline::steps`].
    pub step: usize,
    pub kind: SegmentKind,
    pub seconds: f32,
    /// What to do now, in a few words ("Breathe in", "Hold", "Rest").
    pub label: String,
    /// Where in the dose this is ("Set 1 of 2 · rep 3 of 8 · left side").
    pub detail: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TimelineStep {
    pub exercise: String,
    pub name: String,
    pub dose: String,
    pub cues: Vec<String>,
    pub stop_if: Vec<String>,
    /// The exercise's own cautions (a swapped-in exercise shows its own).
    pub cautions: Vec<String>,
    pub note: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Timeline {
    pub routine: String,
    pub name: String,
    pub kind: RoutineKind,
    pub steps: Vec<TimelineStep>,
    pub segments: Vec<Segment>,
    pub total_seconds: f32,
}

fn detail(set: u32, sets: u32, rep: Option<(u32, u32)>, side: Option<&str>) -> String {
    let mut parts = Vec::new();
    if sets > 1 {
        parts.push(format!("Set {set} of {sets}"));
    }
    if let Some((r, n)) = rep {
        parts.push(format!("rep {r} of {n}"));
    }
    if let Some(s) = side {
        parts.push(format!("{s} side"));
    }
    parts.join(" · ")
}

fn step_segments(step: usize, dose: &Dose, out: &mut Vec<Segment>) {
    let sides: &[Option<&str>] = if dose.per_side { &[Some("left"), Some("right")] } else { &[None] };
    let sets = dose.sets.max(1);
    let seg = |kind, seconds: f32, label: &str, detail: String| Segment {
        step,
        kind,
        seconds,
        label: label.to_string(),
        detail,
    };
    for set in 1..=sets {
        for side in sides {
            if let Some(b) = &dose.breath {
                let cycle = b.cycle_s().max(1.0);
                let breaths = dose
                    .reps
                    .unwrap_or_else(|| (dose.work_s.unwrap_or(60) as f32 / cycle).round().max(1.0) as u32)
                    .min(MAX_BREATHS_PER_SET);
                for n in 1..=breaths {
                    let d = || detail(set, sets, None, *side) + &format!("{}breath {n} of {breaths}", sep(sets, *side));
                    out.push(seg(SegmentKind::Inhale, b.inhale_s, "Breathe in", d()));
                    if b.hold_in_s > 0.0 {
                        out.push(seg(SegmentKind::HoldIn, b.hold_in_s, "Hold", d()));
                    }
                    out.push(seg(SegmentKind::Exhale, b.exhale_s, "Breathe out", d()));
                    if b.hold_out_s > 0.0 {
                        out.push(seg(SegmentKind::HoldOut, b.hold_out_s, "Pause", d()));
                    }
                }
            } else {
                if let Some(reps) = dose.reps {
                    let move_s = dose.rep_s.unwrap_or(if dose.hold_s.is_some() { 2 } else { 3 }) as f32;
                    for r in 1..=reps {
                        let d = detail(set, sets, Some((r, reps)), *side);
                        out.push(seg(SegmentKind::Move, move_s, "Move", d.clone()));
                        if let Some(h) = dose.hold_s {
                            out.push(seg(SegmentKind::Hold, h as f32, "Hold", d));
                        }
                    }
                }
                if let Some(w) = dose.work_s {
                    out.push(seg(SegmentKind::Work, w as f32, "Keep going", detail(set, sets, None, *side)));
                }
            }
        }
        if set < sets && dose.rest_s > 0 {
            out.push(seg(SegmentKind::Rest, dose.rest_s as f32, "Rest", format!("Next: set {} of {sets}", set + 1)));
        }
    }
}

fn sep(sets: u32, side: Option<&str>) -> &'static str {
    if sets > 1 || side.is_some() { " · " } else { "" }
}

/// The guided timeline of one routine as this runner does it.
pub fn build_timeline(program: &Program, view: &RoutineView) -> Timeline {
    let mut segments = Vec::new();
    let mut steps = Vec::new();
    for (i, s) in view.steps.iter().enumerate() {
        let ex = program.exercise(&s.exercise);
        let ready = if i == 0 { FIRST_READY_S } else { BETWEEN_S };
        segments.push(Segment {
            step: i,
            kind: SegmentKind::Ready,
            seconds: ready,
            label: if i == 0 { "Get ready".into() } else { "Next up".into() },
            detail: ex.map(|e| e.position.clone()).unwrap_or_default(),
        });
        step_segments(i, &s.dose, &mut segments);
        steps.push(TimelineStep {
            exercise: s.exercise.clone(),
            name: s.name.clone(),
            dose: crate::layout::dose_line(&s.dose),
            cues: ex.map(|e| e.cues.clone()).unwrap_or_default(),
            stop_if: ex.map(|e| e.stop_if.clone()).unwrap_or_default(),
            cautions: s.cautions.clone(),
            note: s.note.clone(),
        });
    }
    let total_seconds = segments.iter().map(|s| s.seconds).sum();
    Timeline { routine: view.id.clone(), name: view.name.clone(), kind: view.kind, steps, segments, total_seconds }
}

#[cfg(test)]
mod tests {
    use super::*;
    use runtall_content::program;
    use runtall_domain::assess::{Assessment, parse_answers};
    use runtall_domain::plan::routine_view;
    use runtall_domain::safety::{Permissions, SafetyInputs, gate};
    use runtall_domain::screen::{ScreenAnswers, ScreeningRecord, evaluate};

    fn sample() -> Assessment {
        parse_answers("a.toml", include_str!("../../../examples/assessment.toml")).expect("example parses")
    }

    /// The sample runner with a clear screen: the full program.
    fn open(a: &Assessment) -> Permissions {
        let p = program();
        let answers = ScreenAnswers::all_no(p);
        let outcome = evaluate(p, &answers).expect("complete");
        let s = ScreeningRecord {
            id: None,
            taken_at: jiff::Timestamp::UNIX_EPOCH,
            answers,
            outcome,
            clinician_checked_at: None,
        };
        gate(p, &SafetyInputs { screening: Some(&s), assessment: Some(a) })
    }

    #[test]
    fn every_routine_gives_a_timeline_close_to_its_estimate() {
        let p = program();
        let a = sample();
        for r in &p.routines {
            let view = routine_view(p, r, &open(&a));
            let t = build_timeline(p, &view);
            assert_eq!(t.steps.len(), view.steps.len(), "{}", r.id);
            assert!(t.segments.iter().all(|s| s.seconds > 0.0 && s.step < t.steps.len()), "{}", r.id);
            let estimate = view.seconds as f32;
            // The player adds a short lead-in and counts each breath exactly; stay within a third of the estimate.
            assert!(
                (t.total_seconds - estimate).abs() <= estimate / 3.0 + 30.0,
                "{}: timeline {} s vs estimate {} s",
                r.id,
                t.total_seconds,
                estimate
            );
        }
    }

    #[test]
    fn breathing_steps_cycle_through_the_pacer_phases() {
        let p = program();
        let a = sample();
        let breathing = p
            .routines
            .iter()
            .map(|r| build_timeline(p, &routine_view(p, r, &open(&a))))
            .find(|t| t.segments.iter().any(|s| s.kind == SegmentKind::Inhale))
            .expect("some routine has a breathing exercise");
        let first_in = breathing.segments.iter().position(|s| s.kind == SegmentKind::Inhale).expect("inhale");
        let next = &breathing.segments[first_in + 1];
        assert!(matches!(next.kind, SegmentKind::HoldIn | SegmentKind::Exhale), "{next:?}");
    }
}
