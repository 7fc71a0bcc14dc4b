//! Routines as one runner does them: contraindications, equipment and the reduced mode applied.

use super::*;

/// Why an exercise cannot be offered to this runner, if it cannot.
pub(super) fn unsuitable(ex: &runtall_content::Exercise, a: &Assessment, mode: Mode) -> Option<String> {
    if let Some(c) = ex.contraindicated_with.iter().find(|c| a.has_condition(**c)) {
        return Some(format!("not offered with {}", crate::profile::condition_label(*c)));
    }
    if mode == Mode::Reduced && !gentle(ex) {
        return Some("left out of the reduced program until a clinician has checked your screening answers".into());
    }
    if let Some(eq) = ex.equipment.iter().find(|eq| !has_equipment(a, **eq)) {
        return Some(format!("needs {} (not in your equipment list)", equipment_label(*eq)));
    }
    None
}

/// Gentle items that stay in the reduced program: breathing, micro-breaks and unloaded neck work.
pub(super) fn gentle(ex: &runtall_content::Exercise) -> bool {
    matches!(ex.category, ExerciseCategory::Breathing | ExerciseCategory::MicroBreak | ExerciseCategory::Neck)
}

pub(super) fn has_equipment(a: &Assessment, eq: Equipment) -> bool {
    // Household items everyone has; the rest must be listed.
    matches!(eq, Equipment::None | Equipment::Wall | Equipment::Chair | Equipment::Towel | Equipment::Mat) || a.owns(eq)
}

pub fn equipment_label(eq: Equipment) -> &'static str {
    match eq {
        Equipment::None => "nothing",
        Equipment::Mat => "a mat",
        Equipment::Wall => "a wall",
        Equipment::Chair => "a chair",
        Equipment::Band => "a resistance band",
        Equipment::FoamRoller => "a foam roller",
        Equipment::Towel => "a towel",
        Equipment::LightWeights => "light weights",
    }
}

/// A routine as this runner does it: unsuitable steps replaced by their alternative, or skipped with a reason.
pub fn routine_view(program: &Program, r: &Routine, a: &Assessment, mode: Mode) -> RoutineView {
    let mut steps = Vec::new();
    let mut skipped = Vec::new();
    for step in &r.steps {
        let Some(ex) = program.exercise(&step.exercise) else {
            continue;
        };
        let mut chosen = ex;
        let mut substituted = None;
        let mut why_not = unsuitable(ex, a, mode);
        // Follow the alternative chain (bounded) until something fits.
        let mut hops = 0;
        while let Some(reason_text) = why_not.clone() {
            let next = chosen.alternative.as_deref().and_then(|id| program.exercise(id));
            match next {
                Some(alt) if hops < 3 && !steps.iter().any(|s: &StepView| s.exercise == alt.id) => {
                    substituted.get_or_insert((ex.id.clone(), reason_text));
                    chosen = alt;
                    why_not = unsuitable(alt, a, mode);
                    hops += 1;
                }
                _ => break,
            }
        }
        if let Some(last_reason) = why_not {
            // Report why the routine's own exercise was unsuitable, not why its last substitute was.
            let first = substituted.map(|(_, r)| r).unwrap_or(last_reason);
            skipped.push(Excluded { kind: RefKind::Exercise, id: ex.id.clone(), reason: first, instead: None });
            continue;
        }
        if let Some((from, _)) = &substituted {
            // Record the substitution among the exclusions too, so the plan lists it once.
            let instead = Some(chosen.id.clone());
            let text = substituted.as_ref().map(|(_, t)| t.clone()).unwrap_or_default();
            skipped.push(Excluded { kind: RefKind::Exercise, id: from.clone(), reason: text, instead });
        }
        let dose = if chosen.id == ex.id { step_dose(ex, step) } else { chosen.dose.clone() };
        let seconds = dose.estimated_seconds();
        steps.push(StepView {
            exercise: chosen.id.clone(),
            name: chosen.name.clone(),
            dose,
            seconds,
            note: step.note.clone(),
            substituted_for: substituted,
        });
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
