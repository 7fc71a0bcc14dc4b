//! One run day: pre-run routine, mid-run cues, post-run reset, and notes for this runner.

use super::routine::routine_view;
use super::rules::{reason, run_reason, uses_pack};
use super::*;
use crate::assess::When;

/// The day's pre-run routine, mid-run cues and post-run reset for one run type, if the safety gate allows that
/// run; otherwise the gate's reason as [`PlanError::RunNotAllowed`].
pub fn for_run(
    program: &Program,
    a: &Assessment,
    permissions: &Permissions,
    run: RunType,
) -> Result<RunDay, PlanError> {
    if let Some(refusal) = PlanError::refusal(permissions) {
        return Err(refusal);
    }
    let decision = permissions.run(run);
    if !decision.allowed {
        return Err(PlanError::RunNotAllowed { run, reason: decision.reason.clone().unwrap_or_default() });
    }
    let mode = permissions.mode;
    let pre = program
        .pre_run_routine(run)
        .ok_or_else(|| PlanError::UnknownItem(format!("pre-run routine for {}", run.as_str())))?;
    let post = program
        .post_run_routine(run)
        .ok_or_else(|| PlanError::UnknownItem(format!("post-run routine for {}", run.as_str())))?;
    let sched =
        program.schedule(run).ok_or_else(|| PlanError::UnknownItem(format!("cue schedule for {}", run.as_str())))?;
    let pack = uses_pack(a) && matches!(run, RunType::Long | RunType::Trail | RunType::Race);
    let cues = program
        .cues
        .iter()
        .filter(|c| {
            // Pack cues follow the pack, whatever run type they were written for.
            if c.kind == runtall_content::CueKind::Pack { pack } else { c.run_types.contains(&run) }
        })
        .map(|c| CueView { id: c.id.clone(), text: c.text.clone(), phases: c.phases.clone() })
        .collect();
    let mut notes = vec![run_reason(a, run)];
    if pack {
        notes.push(reason(super::PACK_ANSWER, "Pack on: wide straps and the waist strap snug, carry only what you need, and take it off whenever you stop for more than a couple of minutes."));
    }
    if matches!(run, RunType::Long | RunType::Race)
        && (a.exposures.car_hours_per_week.get() > 0.0 || a.has(When::AfterDriving))
    {
        notes.push(reason("exposures.car_hours_per_week", "Avoid a long drive straight before or after this run; if you must drive, stop to walk at least every hour."));
    }
    if mode != Mode::Full {
        let caution = decision.reason.clone().unwrap_or_default();
        notes.push(reason(
            format!("safety: {}", mode.name()),
            format!("{} ({caution}).", permissions.headline.trim_end_matches('.')),
        ));
    }
    Ok(RunDay {
        run_type: run,
        mode,
        pre_run: routine_view(program, pre, permissions),
        during: CueSchedule {
            run_type: run,
            every_min: sched.every_min,
            last_third_every_min: sched.last_third_every_min,
            per_rep: sched.per_rep,
            notes: sched.notes.clone(),
            cues,
            cite: sched.cite.clone(),
            evidence: sched.evidence,
        },
        post_run: routine_view(program, post, permissions),
        notes,
    })
}
