//! Doses that progress over the weeks: each kind of exercise steps up by its rule in the content
//! (`data/progression.toml`), by the pain-monitoring model of the evidence brief (§2 Doses): step up only when the
//! sessions were done and none was too hard, hold when one was, go back one step when next-morning pain rose by 2
//! points or more. Two "too easy" marks step up early. No I/O: the caller reads the weeks from the journal.
//!
//! Order of authority, as everywhere in the plan: the safety gate chooses the exercise, progression sets its dose
//! from the written one, a clinician's dose for it replaces both ([`crate::safety::clinician`]), and every dose stays
//! within the content's caps ([`runtall_content::dose_caps`]).

use runtall_content::{Dose, Exercise, Program, ProgressionRule, dose_caps};
use serde::{Deserialize, Serialize};

/// How a runner found an exercise at the end of a session (both players ask).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Effort {
    TooEasy,
    AboutRight,
    TooHard,
}

/// One week of the journal as progression reads it, for one exercise.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
pub struct WeekSignals {
    /// Sessions with the exercise done.
    pub sessions: u32,
    pub too_easy: u32,
    pub too_hard: u32,
    /// The largest rise of next-morning pain over the day before (0–10 points; 0 when it did not rise).
    pub morning_pain_rise: f64,
}

/// Where an exercise stands after the weeks so far.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Standing {
    /// Steps above the written dose.
    pub step: u32,
    /// Weeks since the dose last changed (or since the start).
    pub since_change: u32,
}

/// Where the program stands: its week, and each exercise's steps above the written dose (exercises not listed
/// stay as written).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Progress {
    /// The program's week, from 1.
    pub week: u32,
    pub steps: std::collections::BTreeMap<String, u32>,
}

/// The length of the program the plan is reviewed against, in weeks.
pub const PROGRAM_WEEKS: u32 = 12;

impl Progress {
    /// `step` with its dose grown by the exercise's rule, unless a clinician set the dose (theirs wins); the step
    /// says what changed ("week 3 of 12: 8 → 10 reps").
    pub fn apply(&self, program: &Program, step: &mut super::StepView) {
        if step.clinician.is_some() {
            return;
        }
        let (Some(n), Some(ex)) = (self.steps.get(&step.exercise), program.exercise(&step.exercise)) else { return };
        let Some(rule) = rule_for(program, ex) else { return };
        let grown = stepped(&step.dose, rule, *n);
        if let Some(words) = change_words(&step.dose, &grown) {
            step.progression = Some(format!("week {} of {PROGRAM_WEEKS}: {words}", self.week.max(1)));
            step.seconds = grown.estimated_seconds();
            step.dose = grown;
        }
    }
}

/// Next-morning pain rising this much goes back one step (the brief: "rises ≥2 points").
pub const STEP_BACK_RISE: f64 = 2.0;

/// The standing after `weeks` (oldest first) under `rule`.
pub fn replay(rule: &ProgressionRule, weeks: &[WeekSignals]) -> Standing {
    let mut s = Standing::default();
    let (mut sessions, mut too_easy) = (0u32, 0u32);
    for w in weeks {
        if w.morning_pain_rise >= STEP_BACK_RISE {
            s.step = s.step.saturating_sub(1);
            (s.since_change, sessions, too_easy) = (0, 0, 0);
            continue;
        }
        if w.too_hard > 0 {
            // Hold: the period starts again from here.
            (s.since_change, sessions, too_easy) = (0, 0, 0);
            continue;
        }
        s.since_change += 1;
        sessions += w.sessions;
        too_easy += w.too_easy;
        let due = s.since_change >= rule.every_weeks.max(1) && sessions >= rule.min_sessions;
        if (due || too_easy >= 2) && s.step < rule.max_steps {
            s.step += 1;
            (s.since_change, sessions, too_easy) = (0, 0, 0);
        }
    }
    s
}

/// The rule for an exercise's kind, if its dose progresses at all.
pub fn rule_for<'p>(program: &'p Program, exercise: &Exercise) -> Option<&'p ProgressionRule> {
    program.progression.iter().find(|r| r.category == exercise.category)
}

/// `dose` stepped `step` times by `rule`, within the content's caps: reps first, hold time where there are no
/// reps to add; a step that would take the dose past a cap is not taken.
pub fn stepped(dose: &Dose, rule: &ProgressionRule, step: u32) -> Dose {
    let mut best = dose.clone();
    for n in 1..=step.min(rule.max_steps) {
        let mut d = dose.clone();
        if let Some(r) = d.reps.filter(|_| rule.add_reps > 0) {
            d.reps = Some(r + rule.add_reps * n);
        } else if let Some(h) = d.hold_s.filter(|_| rule.add_hold_s > 0) {
            d.hold_s = Some(h + rule.add_hold_s * n);
        } else {
            break;
        }
        let within = d.reps.is_none_or(|r| r <= dose_caps::MAX_REPS)
            && d.hold_s.is_none_or(|h| h <= dose_caps::MAX_HOLD_S)
            && d.estimated_seconds() <= dose_caps::MAX_SECONDS;
        if !within {
            break;
        }
        best = d;
    }
    best
}

/// What changed, in words: "8 → 10 reps", "hold 10 → 15 s"; none when nothing did.
pub fn change_words(from: &Dose, to: &Dose) -> Option<String> {
    match (from.reps, to.reps, from.hold_s, to.hold_s) {
        (Some(a), Some(b), _, _) if a != b => Some(format!("{a} → {b} reps")),
        (_, _, Some(a), Some(b)) if a != b => Some(format!("hold {a} → {b} s")),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(every: u32, min: u32, max: u32) -> ProgressionRule {
        ProgressionRule {
            category: runtall_content::ExerciseCategory::Scapular,
            every_weeks: every,
            min_sessions: min,
            add_reps: 2,
            add_hold_s: 0,
            max_steps: max,
            cite: vec![],
            evidence: runtall_content::Evidence::ExpertOpinion,
        }
    }

    fn week(sessions: u32) -> WeekSignals {
        WeekSignals { sessions, ..WeekSignals::default() }
    }

    #[test]
    fn too_few_sessions_do_not_step_up() {
        let r = rule(2, 3, 5);
        assert_eq!(replay(&r, &[week(1), week(1)]).step, 0);
        assert_eq!(replay(&r, &[week(1), week(1), week(1)]).step, 1, "the third week brings the sessions to 3");
    }
}
