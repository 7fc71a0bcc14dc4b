//! Routines as one runner does them: each step as the safety gate decided (kept, swapped or left out).

use super::*;
use crate::safety::{ExerciseVerdict, Permissions};

pub use crate::safety::equipment_label;

/// A routine as this runner does it: steps the gate swapped are replaced by their alternative (once per
/// routine), steps it left out are listed with the reason. A swapped-in step carries its own cautions, not the
/// note written for the exercise it replaces.
pub fn routine_view(program: &Program, r: &Routine, permissions: &Permissions) -> RoutineView {
    let mut steps: Vec<StepView> = Vec::new();
    let mut skipped = Vec::new();
    for step in &r.steps {
        let Some(ex) = program.exercise(&step.exercise) else {
            continue;
        };
        let (chosen, substituted) = match permissions.exercise(&ex.id) {
            ExerciseVerdict::Allowed => (ex, None),
            ExerciseVerdict::Swapped { to, reason } => match program.exercise(&to) {
                // The alternative is already a step of this routine: doing it twice adds nothing.
                Some(alt)
                    if !steps.iter().any(|s| s.exercise == alt.id) && !r.steps.iter().any(|s| s.exercise == alt.id) =>
                {
                    skipped.push(Excluded {
                        kind: RefKind::Exercise,
                        id: ex.id.clone(),
                        reason: reason.clone(),
                        instead: Some(alt.id.clone()),
                    });
                    (alt, Some((ex.id.clone(), reason)))
                }
                _ => {
                    skipped.push(Excluded { kind: RefKind::Exercise, id: ex.id.clone(), reason, instead: None });
                    continue;
                }
            },
            ExerciseVerdict::LeftOut { reason } => {
                skipped.push(Excluded { kind: RefKind::Exercise, id: ex.id.clone(), reason, instead: None });
                continue;
            }
        };
        let dose = if substituted.is_none() { step_dose(ex, step) } else { chosen.dose.clone() };
        // The routine's note explains the step it was written for; a substitute speaks for itself.
        let note = if substituted.is_none() { step.note.clone() } else { None };
        steps.push(step_view(chosen, dose, note, substituted, permissions));
    }
    let seconds = steps.iter().map(|s| s.seconds).sum::<u32>() + 15 * steps.len().saturating_sub(1) as u32;
    RoutineView {
        id: r.id.clone(),
        name: r.name.clone(),
        kind: r.kind,
        summary: r.summary.clone(),
        frequency: r.frequency.clone(),
        steps,
        skipped,
        seconds,
        cite: r.cite.clone(),
        evidence: r.evidence,
    }
}

/// One exercise as this runner does it at `dose`: a clinician's dose for it wins, within the content's limits (the
/// gate already decided which exercise is done).
pub(crate) fn step_view(
    chosen: &runtall_content::Exercise,
    dose: runtall_content::Dose,
    note: Option<String>,
    substituted: Option<(String, String)>,
    permissions: &Permissions,
) -> StepView {
    let (dose, clinician) = match permissions.clinician.dose_for(&chosen.id, &dose) {
        Some((d, words)) => (d, Some(words)),
        None => (dose, None),
    };
    StepView {
        exercise: chosen.id.clone(),
        name: chosen.name.clone(),
        seconds: dose.estimated_seconds(),
        dose,
        note,
        cautions: permissions.cautions_for(chosen),
        substituted_for: substituted,
        clinician,
        progression: None,
    }
}

impl RoutineView {
    /// Whether the runner does the routine exactly as written.
    pub fn is_as_written(&self) -> bool {
        self.skipped.is_empty()
    }

    /// The routine's description as this runner does it: the written summary when nothing changed, otherwise
    /// the steps that remain and what was left out, so a plan never describes exercises it does not contain.
    pub fn summary_for_runner(&self, program: &Program) -> String {
        if self.is_as_written() {
            return self.summary.clone();
        }
        let name = |id: &str| program.exercise(id).map(|e| e.name.to_lowercase()).unwrap_or_else(|| id.to_string());
        let done: Vec<String> = self.steps.iter().map(|s| name(&s.exercise)).collect();
        let mut text = format!("Adapted for you (about {} min): {}.", (self.seconds + 30) / 60, done.join(", "));
        text.push_str(" Some of its steps are swapped or left out for now (listed with the reasons).");
        text
    }
}
