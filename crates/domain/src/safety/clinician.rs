//! A clinician's program changes (`runtall_domain::clinic`) applied after the gate, never beyond it.
//!
//! The gate decides first from the runner's own answers; [`within_gate`] then only narrows or tunes what it
//! allowed: switching an exercise off always works, switching one on works only when the gate allows it (else the
//! change is listed in [`ClinicianChanges::refused`] with the gate's reason, for the clinician), and a dose is
//! capped by the content's limits (`runtall_content::dose_caps`). Locked, paused and not-screened programs offer
//! nothing, so no change applies there. Every surface that asks the gate and passes the result on (plans, run
//! days, routines, the guided player) shows the changes without knowing about clinicians.

use super::{ExerciseVerdict, Permissions};
use crate::clinic::{Active, Change, DoseChange, ProgramChange};
use jiff::Timestamp;
use runtall_content::{Dose, Program, dose_caps};
use serde::{Deserialize, Serialize};

/// The clinician's changes the gate let through, and those it did not.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ClinicianChanges {
    /// Dose changes in force (already grown by their weekly progression), per exercise.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub doses: Vec<DoseSet>,
    /// Exercises switched off by a clinician (each also left out in [`Permissions::exercises`]).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub off: Vec<Switch>,
    /// Exercises switched on by a clinician that the gate allows (the plan adds those its rules had not chosen).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub on: Vec<Switch>,
    /// Changes the gate kept out, with its reason: shown to the clinician, never applied.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub refused: Vec<Refused>,
    /// Doses applied only up to the content's limits, with what was capped.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub capped: Vec<Refused>,
    /// The clinician's note for Today.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<TodayNote>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DoseSet {
    pub key: String,
    pub exercise: String,
    /// The parts set, as of now (the weekly progression added).
    pub set: DoseChange,
    pub by: String,
    pub note: Option<String>,
    /// Full weeks of progression included.
    pub weeks: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Switch {
    pub key: String,
    pub exercise: String,
    pub by: String,
    pub note: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Refused {
    pub key: String,
    pub exercise: String,
    pub reason: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TodayNote {
    pub key: String,
    pub at: Timestamp,
    pub by: String,
    pub text: String,
}

impl ClinicianChanges {
    /// Nothing in force and nothing refused: no clinician has changed this program.
    pub fn is_empty(&self) -> bool {
        self.doses.is_empty()
            && self.off.is_empty()
            && self.on.is_empty()
            && self.note.is_none()
            && self.refused.is_empty()
            && self.capped.is_empty()
    }

    /// The dose change in force for `exercise`, if any.
    pub fn dose_set(&self, exercise: &str) -> Option<&DoseSet> {
        self.doses.iter().find(|d| d.exercise == exercise)
    }

    /// `base` (the routine's dose for the exercise) with the clinician's dose applied and capped, and the words
    /// that say so; `None` when no dose change is in force for `exercise`.
    pub fn dose_for(&self, exercise: &str, base: &Dose) -> Option<(Dose, String)> {
        let d = self.dose_set(exercise)?;
        let (dose, capped) = apply_dose(base, &d.set);
        let mut words = format!("Dose set by {}", d.by);
        if d.weeks > 0 {
            words.push_str(&format!(" (week {} of its progression)", d.weeks + 1));
        }
        if let Some(n) = &d.note {
            words.push_str(&format!(": {n}"));
        }
        if capped {
            words.push_str(" — capped at the program's limits");
        }
        Some((dose, words))
    }
}

/// `base` with the parts of `set` applied, then held inside the content's limits; whether a cap was needed.
pub fn apply_dose(base: &Dose, set: &DoseChange) -> (Dose, bool) {
    let mut d = base.clone();
    if let Some(s) = set.sets {
        d.sets = s;
    }
    if let Some(r) = set.reps {
        d.reps = Some(r);
    }
    if let Some(h) = set.hold_s {
        d.hold_s = Some(h);
    }
    if let Some(w) = set.work_s {
        d.work_s = Some(w);
    }
    let wanted = d.clone();
    d.sets = d.sets.clamp(1, dose_caps::MAX_SETS);
    d.reps = d.reps.map(|r| r.clamp(1, dose_caps::MAX_REPS));
    d.hold_s = d.hold_s.map(|h| h.clamp(1, dose_caps::MAX_HOLD_S));
    d.work_s = d.work_s.map(|w| w.max(1));
    // The whole dose stays under the content's time limit: fewer sets first, then shorter work, then fewer reps
    // (each loop runs at most the cap's count of steps).
    while d.estimated_seconds() > dose_caps::MAX_SECONDS && d.sets > 1 {
        d.sets -= 1;
    }
    while d.estimated_seconds() > dose_caps::MAX_SECONDS && d.work_s.is_some_and(|w| w > 10) {
        d.work_s = d.work_s.map(|w| w - w.div_ceil(10));
    }
    while d.estimated_seconds() > dose_caps::MAX_SECONDS && d.reps.is_some_and(|r| r > 1) {
        d.reps = d.reps.map(|r| r - 1);
    }
    let capped = d != wanted;
    (d, capped)
}

/// Full weeks from `since` to `now` (0 before a week has passed, or when the clock is behind).
fn weeks_between(since: Timestamp, now: Timestamp) -> u32 {
    let secs = now.as_second().saturating_sub(since.as_second()).max(0);
    u32::try_from(secs / (7 * 86_400)).unwrap_or(u32::MAX)
}

/// The next moment after `now` at which `changes` apply differently with no new record: a dose with a weekly
/// progression grows a step at each full week since it was made. `None` when nothing grows. A page that keeps what
/// [`within_gate`] answered (per journal revision) keeps it until then.
pub fn next_step(changes: &[ProgramChange], now: Timestamp) -> Option<Timestamp> {
    changes
        .iter()
        .filter(|c| matches!(&c.change, Change::Dose { dose, .. } if dose.weekly.is_some()))
        .filter_map(|c| {
            let weeks = i64::from(weeks_between(c.at, now)) + 1;
            c.at.checked_add(jiff::SignedDuration::from_secs(weeks * 7 * 86_400)).ok()
        })
        .filter(|at| *at > now)
        .min()
}

/// The dose change as of `now`: its weekly steps added for each full week since it was made.
fn grown(set: &DoseChange, weeks: u32) -> DoseChange {
    let Some(step) = set.weekly else { return *set };
    let add = |v: Option<u32>, per: u32| v.map(|v| v.saturating_add(per.saturating_mul(weeks)));
    DoseChange {
        sets: set.sets,
        reps: add(set.reps, step.reps),
        hold_s: add(set.hold_s, step.hold_s),
        work_s: add(set.work_s, step.work_s),
        weekly: set.weekly,
    }
}

/// Applies the clinician's `changes` to `permissions` as of `now` (see the module documentation). The gate's own
/// decisions are never widened: an exercise it leaves out stays out whatever a clinician asked.
pub fn within_gate(
    program: &Program,
    mut permissions: Permissions,
    changes: &[ProgramChange],
    now: Timestamp,
) -> Permissions {
    let active: Active = crate::clinic::active(changes);
    let mut out = ClinicianChanges::default();
    if !permissions.allows_plan() {
        // Nothing is offered at all: the changes wait until the program opens again, and the clinician sees why.
        for c in active.switches.iter().chain(&active.doses) {
            out.refused.push(Refused {
                key: c.key.clone(),
                exercise: c.change.exercise().unwrap_or_default().to_string(),
                reason: format!("waits until the program opens again: {}", permissions.headline),
            });
        }
        permissions.clinician = out;
        return permissions;
    }
    if let Some(n) = &active.note
        && let Change::Note { text } = &n.change
    {
        out.note = Some(TodayNote { key: n.key.clone(), at: n.at, by: n.by.clone(), text: text.clone() });
    }
    for c in &active.switches {
        match &c.change {
            Change::ExerciseOff { exercise, note } => {
                let Some(decision) = permissions.exercises.iter_mut().find(|d| d.id == *exercise) else {
                    out.refused.push(unknown(c, exercise));
                    continue;
                };
                if !matches!(decision.verdict, ExerciseVerdict::LeftOut { .. }) {
                    let mut reason = format!("switched off by {}", c.by);
                    if let Some(n) = note {
                        reason.push_str(&format!(": {n}"));
                    }
                    decision.verdict = ExerciseVerdict::LeftOut { reason };
                }
                out.off.push(Switch {
                    key: c.key.clone(),
                    exercise: exercise.clone(),
                    by: c.by.clone(),
                    note: note.clone(),
                });
            }
            Change::ExerciseOn { exercise, note } => match permissions.exercise(exercise) {
                ExerciseVerdict::Allowed => out.on.push(Switch {
                    key: c.key.clone(),
                    exercise: exercise.clone(),
                    by: c.by.clone(),
                    note: note.clone(),
                }),
                ExerciseVerdict::Swapped { to, reason } => out.refused.push(Refused {
                    key: c.key.clone(),
                    exercise: exercise.clone(),
                    reason: format!("the safety check swaps it for {}: {reason}", name_of(program, &to)),
                }),
                ExerciseVerdict::LeftOut { reason } => out.refused.push(Refused {
                    key: c.key.clone(),
                    exercise: exercise.clone(),
                    reason: format!("the safety check leaves it out: {reason}"),
                }),
            },
            _ => {}
        }
    }
    for c in &active.doses {
        let Change::Dose { exercise, dose, note } = &c.change else { continue };
        let Some(ex) = program.exercise(exercise) else {
            out.refused.push(unknown(c, exercise));
            continue;
        };
        let weeks = weeks_between(c.at, now);
        let set = grown(dose, weeks);
        // A dose for an exercise the runner does not do now is kept for the day it comes back, but the clinician
        // learns it is not applied.
        let waits = match permissions.exercise(exercise) {
            ExerciseVerdict::Allowed => None,
            ExerciseVerdict::LeftOut { reason } => Some(format!("the dose waits: the exercise is left out ({reason})")),
            ExerciseVerdict::Swapped { to, reason } => {
                Some(format!("the dose waits: the safety check swaps it for {} ({reason})", name_of(program, &to)))
            }
        };
        if let Some(reason) = waits {
            out.refused.push(Refused { key: c.key.clone(), exercise: exercise.clone(), reason });
        } else if apply_dose(&ex.dose, &set).1 {
            out.capped.push(Refused {
                key: c.key.clone(),
                exercise: exercise.clone(),
                reason: "capped at the program's limits (at most 10 sets, 30 reps, 120 s holds, 20 minutes in all)"
                    .into(),
            });
        }
        out.doses.push(DoseSet {
            key: c.key.clone(),
            exercise: exercise.clone(),
            set,
            by: c.by.clone(),
            note: note.clone(),
            weeks,
        });
    }
    permissions.clinician = out;
    permissions
}

/// An exercise's name as the clinician reads it, else its id.
fn name_of(program: &Program, id: &str) -> String {
    program.exercise(id).map(|e| e.name.clone()).unwrap_or_else(|| id.to_string())
}

fn unknown(c: &ProgramChange, exercise: &str) -> Refused {
    Refused {
        key: c.key.clone(),
        exercise: exercise.to_string(),
        reason: format!("'{exercise}' is not an exercise of the program"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clinic::Progression;

    fn dose(key: &str, at: &str, weekly: Option<Progression>) -> ProgramChange {
        let dose = DoseChange { reps: Some(8), weekly, ..DoseChange::default() };
        ProgramChange {
            key: key.into(),
            at: at.parse().expect("time"),
            by: "Pat".into(),
            change: Change::Dose { exercise: "chin-tuck".into(), dose, note: None },
        }
    }

    #[test]
    fn the_next_step_is_the_next_full_week_of_a_growing_dose() {
        let t = |s: &str| s.parse::<Timestamp>().expect("time");
        let step = Some(Progression { reps: 1, ..Progression::default() });
        let grows = dose("pc-1", "2026-10-05T09:30:00Z", step);
        let fixed = dose("pc-2", "2026-10-01T00:00:00Z", None);
        let changes = [fixed.clone(), grows];
        assert_eq!(next_step(&changes, t("2026-10-08T12:00:00Z")), Some(t("2026-10-12T09:30:00Z")));
        assert_eq!(
            next_step(&changes, t("2026-10-12T09:30:00Z")),
            Some(t("2026-10-19T09:30:00Z")),
            "at the step itself, the one after"
        );
        assert_eq!(next_step(&[fixed], t("2026-10-08T12:00:00Z")), None, "a dose without progression never grows");
    }
}
