//! The single decisions the gate is made of: one run type, one exercise, one routine, one experiment, one relief
//! option. Each returns its reason in the runner's words.

use super::{Decision, ExerciseVerdict, Mode, ModeReason, NamedDecision, Permissions, ReliefDecision, RunDecision};
use crate::assess::Assessment;
use runtall_content::{
    Equipment, Exercise, ExerciseCategory, Program, Relief, ReliefKind, Routine, RoutineKind, RunType,
};

pub(super) fn run(run: RunType, why: &ModeReason) -> RunDecision {
    let (allowed, reason, instead) = match why.mode {
        Mode::Full => (true, None, None),
        Mode::Reduced => match run {
            RunType::Easy => (true, Some("keep it short and easy, and stop if symptoms change".to_string()), None),
            RunType::Long => (false, Some(format!("long runs wait: {}", why.no_running())), Some(RunType::Easy)),
            RunType::Trail => (
                false,
                Some(format!("trail runs (climbs and rough ground) wait: {}", why.no_running())),
                Some(RunType::Easy),
            ),
            RunType::Speed | RunType::Race => {
                (false, Some(format!("hard efforts wait: {}", why.no_running())), Some(RunType::Easy))
            }
        },
        _ => (false, Some(why.no_running()), None),
    };
    RunDecision { run, allowed, reason, instead }
}

/// Gentle items that stay when the program is reduced or running is held: breathing, micro-breaks and unloaded
/// neck work.
fn gentle(ex: &Exercise) -> bool {
    matches!(ex.category, ExerciseCategory::Breathing | ExerciseCategory::MicroBreak | ExerciseCategory::Neck)
}

/// Household items everyone has; the rest must be in the runner's equipment list. Without an assessment the
/// equipment is unknown and the runner's own choice is trusted.
pub fn has_equipment(a: Option<&Assessment>, eq: Equipment) -> bool {
    matches!(eq, Equipment::None | Equipment::Wall | Equipment::Chair | Equipment::Towel | Equipment::Mat)
        || a.is_none_or(|a| a.owns(eq))
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

/// Why this exercise, as written, does not suit the runner now; None when it does.
fn unsuitable(ex: &Exercise, a: Option<&Assessment>, why: &ModeReason) -> Option<String> {
    if !why.mode.allows_plan() {
        return Some(why.nothing());
    }
    if let Some(a) = a
        && let Some(c) = ex.contraindicated_with.iter().find(|c| a.has_condition(**c))
    {
        return Some(format!("not offered with {}", crate::profile::condition_label(*c)));
    }
    if why.mode != Mode::Full && !gentle(ex) {
        return Some(why.no_training());
    }
    if let Some(eq) = ex.equipment.iter().find(|eq| !has_equipment(a, **eq)) {
        return Some(format!("needs {} (not in your equipment list)", equipment_label(*eq)));
    }
    None
}

/// As it is, or the first suitable exercise along its alternative chain (at most three steps), or left out.
pub(super) fn exercise(program: &Program, ex: &Exercise, a: Option<&Assessment>, why: &ModeReason) -> ExerciseVerdict {
    let Some(reason) = unsuitable(ex, a, why) else { return ExerciseVerdict::Allowed };
    let mut current = ex;
    for _ in 0..3 {
        let Some(alt) = current.alternative.as_deref().and_then(|id| program.exercise(id)) else { break };
        if unsuitable(alt, a, why).is_none() {
            return ExerciseVerdict::Swapped { to: alt.id.clone(), reason };
        }
        current = alt;
    }
    ExerciseVerdict::LeftOut { reason }
}

pub(super) fn routine(program: &Program, r: &Routine, p: &Permissions, why: &ModeReason) -> NamedDecision {
    let no = |reason: String| NamedDecision { id: r.id.clone(), allowed: false, reason: Some(reason) };
    if !why.mode.allows_plan() {
        return no(why.nothing());
    }
    match r.kind {
        // A run routine goes with the runs it is for: none of them allowed, no routine.
        RoutineKind::PreRun | RoutineKind::PostRun if !r.for_runs.iter().any(|run| p.run(*run).allowed) => {
            let reason = r.for_runs.first().and_then(|run| p.run(*run).reason.clone());
            return no(reason.unwrap_or_else(|| why.no_running()));
        }
        RoutineKind::RestDayStrength if why.mode != Mode::Full => return no(why.no_training()),
        _ => {}
    }
    let view = crate::plan::routine_view(program, r, p);
    if view.steps.is_empty() {
        return no("none of its exercises suits you now".into());
    }
    NamedDecision { id: r.id.clone(), allowed: true, reason: None }
}

pub(super) fn experiment(factor: &str, p: &Permissions, why: &ModeReason) -> NamedDecision {
    let decision = if p.mode != Mode::Full {
        Decision::no(why.no_experiments())
    } else {
        match factor {
            // The experiment is about the roller itself: a swap would test something else.
            "foam-roller" => match p.exercise("foam-roller-thoracic-extension") {
                super::ExerciseVerdict::Allowed => Decision::yes(),
                super::ExerciseVerdict::Swapped { reason, .. } | super::ExerciseVerdict::LeftOut { reason } => {
                    Decision::no(format!("the foam-roller routine is {reason}"))
                }
            },
            "pre-run-breathing" => match p.exercise("hooklying-90-90-breathing") {
                super::ExerciseVerdict::Allowed if !p.allowed_runs().is_empty() => Decision::yes(),
                super::ExerciseVerdict::Allowed => Decision::no(why.no_running()),
                super::ExerciseVerdict::Swapped { reason, .. } | super::ExerciseVerdict::LeftOut { reason } => {
                    Decision::no(reason)
                }
            },
            "pack" | "surface" | "eating-before" if !p.allowed_runs().is_empty() => Decision::yes(),
            "pack" | "surface" | "eating-before" => Decision::no(why.no_running()),
            other => Decision::no(format!("'{other}' is not an experiment factor")),
        }
    };
    NamedDecision { id: factor.to_string(), allowed: decision.allowed, reason: decision.reason }
}

pub(super) fn relief(r: &Relief, a: Option<&Assessment>, why: &ModeReason) -> ReliefDecision {
    let mut limits = r.limits.clone();
    if let Some(mg) = r.max_daily_mg {
        limits.push(format!("At most {mg} mg a day from supplements and medicines together (food not counted)."));
    }
    if let Some(d) = r.max_days {
        limits.push(format!("At most {d} days per application."));
    }
    limits.extend(r.refer.iter().map(|who| format!("Ask first: {who}")));
    let withheld = |reason: String, instead: &str| ReliefDecision {
        id: r.id.clone(),
        allowed: false,
        reason: Some(reason),
        instead: Some(instead.to_string()),
        limits: limits.clone(),
    };
    if !why.mode.allows_plan() {
        return withheld(why.nothing(), "see a clinician first");
    }
    if let Some(a) = a {
        let blocked: Vec<&str> =
            r.avoid_with.iter().filter(|c| a.has_condition(**c)).map(|c| crate::profile::condition_label(*c)).collect();
        if !blocked.is_empty() {
            let instead = if r.kind == ReliefKind::Supplement {
                "ask a pharmacist or your doctor first"
            } else {
                "ask your clinician"
            };
            return withheld(format!("not suggested with {}", blocked.join(", ")), instead);
        }
    }
    if r.kind == ReliefKind::Supplement && why.mode != Mode::Full {
        return withheld(
            format!("supplements wait until a clinician has checked {}", why.what),
            "food first; ask the clinician you see",
        );
    }
    ReliefDecision { id: r.id.clone(), allowed: true, reason: None, instead: None, limits }
}
