//! Today: the day's few things in order — before the run, during, after, any time, at the desk — within a daily
//! budget of minutes.
//!
//! The week lists whole routines, and done in full they add up to 25–27 minutes on a run day and about 40 on a
//! rest day, with chin tucks in five routines and 90/90 breathing before and after runs. Home programs people keep
//! doing are short (the evidence brief's adherence notes: about 10–20 minutes a day), so Today chooses rather than
//! lists: each exercise once a day (its first place in the day's order), the exercises the assessment's findings
//! (or a clinician) asked for always, one anchor step per routine, and the rest as the budget allows, rotated by
//! weekday so what is rested today comes back on another day. Every step comes from the routine as the safety
//! gate shaped it ([`routine_view`]), so Today never holds an exercise the gate forbids.

use super::routine::{routine_view, step_view};
use super::*;
use crate::safety::ExerciseVerdict;

/// Seconds between two steps of one block, as [`routine_view`] counts them.
const BETWEEN_STEPS_S: u32 = 15;

/// Minutes of routines a day: the engine keeps Today within them. The runner may choose more (or less) in settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct DayBudget {
    pub run_day_min: u32,
    pub rest_day_min: u32,
}

impl Default for DayBudget {
    /// 15 minutes on a run day (on top of the run), 20 on a rest day: the top of the 10–20 minutes that home
    /// programs people keep take.
    fn default() -> Self {
        DayBudget { run_day_min: 15, rest_day_min: 20 }
    }
}

impl DayBudget {
    /// The range a runner may set: below 5 minutes no routine keeps its anchor steps; above 60 is no longer "a few
    /// things".
    pub const RANGE: std::ops::RangeInclusive<u32> = 5..=60;

    /// A budget the runner chose, or an error naming the value out of range.
    pub fn new(run_day_min: u32, rest_day_min: u32) -> Result<DayBudget, String> {
        for (what, v) in [("run-day", run_day_min), ("rest-day", rest_day_min)] {
            if !Self::RANGE.contains(&v) {
                return Err(format!(
                    "{what} minutes must be between {} and {}, not {v}",
                    Self::RANGE.start(),
                    Self::RANGE.end()
                ));
            }
        }
        Ok(DayBudget { run_day_min, rest_day_min })
    }

    pub fn minutes(&self, run_day: bool) -> u32 {
        if run_day { self.run_day_min } else { self.rest_day_min }
    }
}

/// When in the day a block is done, in the order Today shows them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Moment {
    BeforeRun,
    DuringRun,
    AfterRun,
    AnyTime,
    AtDesk,
}

impl Moment {
    pub fn title(self) -> &'static str {
        match self {
            Moment::BeforeRun => "Before the run",
            Moment::DuringRun => "During the run",
            Moment::AfterRun => "After the run",
            Moment::AnyTime => "Any time today",
            Moment::AtDesk => "At the desk",
        }
    }
}

/// One of the day's few things: the steps chosen from one routine (or the findings' exercises no routine of the
/// day holds), or the run's cues.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TodayBlock {
    pub moment: Moment,
    /// The routine the steps come from; none for the run's cues and for the findings' own block.
    pub routine: Option<String>,
    pub title: String,
    pub steps: Vec<StepView>,
    pub seconds: u32,
    /// How often to repeat it (desk breaks), or what the cues do during the run.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
}

/// The day's plan as the runner does it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Today {
    pub day: Weekday,
    pub run: Option<RunType>,
    pub budget_min: u32,
    pub blocks: Vec<TodayBlock>,
    /// Minutes of all blocks together, in seconds (the run itself not counted).
    pub seconds: u32,
    /// Exercises the findings or a clinician asked for: always in Today.
    pub priorities: Vec<String>,
    /// Exercises of the day's routines rested today to stay within the budget (they come back on other days).
    pub rested: Vec<String>,
    /// A strength routine the week put on this rest day, left out because the runner runs today after all.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dropped: Option<DroppedStrength>,
}

/// Strength work left out of a planned rest day that became a run day: the week keeps strength off run days (see
/// `week`: strength on rest days, a day apart), so today's is dropped rather than squeezed in next to the run, and
/// the next strength day of the week follows as planned.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DroppedStrength {
    pub routine: String,
    /// The next day the week has this routine on, if it has another.
    pub next: Option<Weekday>,
}

impl DroppedStrength {
    /// "Strength is left out today because you are running (strength stays off run days); next on Friday."
    pub fn words(&self, program: &Program) -> String {
        let name = program.routine(&self.routine).map_or(self.routine.as_str(), |r| r.name.as_str());
        let next = self.next.map(|d| format!(" The next one is on {}.", d.name())).unwrap_or_default();
        format!("{name} is left out today because you are running: strength stays off run days.{next}")
    }
}

impl Today {
    /// `view` as Today does it: only the steps Today chose from that routine, at their progressed doses and timed as
    /// Today times them, so both
    /// players play what Today shows. A routine Today does not hold stays whole (false).
    pub fn trim(&self, view: &mut RoutineView) -> bool {
        let Some(block) = self.blocks.iter().find(|b| b.routine.as_deref() == Some(view.id.as_str())) else {
            return false;
        };
        view.steps = block.steps.clone();
        view.seconds = block.seconds;
        true
    }

    /// Every exercise of the day, in order.
    pub fn exercises(&self) -> impl Iterator<Item = &StepView> {
        self.blocks.iter().flat_map(|b| b.steps.iter())
    }
}

/// The exercises the assessment's findings or a clinician put in the plan (not those every plan has), most
/// important first.
pub fn priorities(plan: &Plan) -> Vec<String> {
    let mut items: Vec<&PlanItem> = plan
        .items
        .iter()
        .filter(|i| i.kind == RefKind::Exercise && i.why.iter().any(|w| w.answer != "program"))
        .collect();
    items.sort_by_key(|i| i.priority);
    items.iter().map(|i| i.id.clone()).collect()
}

/// How a candidate step ranks: findings first, then each routine's first step (its anchor), then the rest.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Rank {
    Finding,
    Anchor,
    Rest,
}

/// Today for `day`, running `run` (or not): see the module documentation. `run` is the run the runner does today,
/// usually the week's; one the gate does not allow adds no routines.
pub fn today(
    program: &Program,
    plan: &Plan,
    permissions: &Permissions,
    day: Weekday,
    run: Option<RunType>,
    budget: DayBudget,
    progress: &super::Progress,
) -> Today {
    let run = run.filter(|r| permissions.run(*r).allowed);
    let budget_min = budget.minutes(run.is_some());
    let allowed = |r: &&Routine| permissions.routine(&r.id).allowed;
    // The day's routines, each as the gate shaped it, in the day's order.
    let mut sources: Vec<(Moment, &Routine)> = Vec::new();
    if let Some(run) = run {
        sources.extend(program.pre_run_routine(run).filter(allowed).map(|r| (Moment::BeforeRun, r)));
        sources.extend(program.post_run_routine(run).filter(allowed).map(|r| (Moment::AfterRun, r)));
    }
    let planned = plan.week.iter().find(|d| d.day == day);
    // A run on a day the week planned as a rest day: its strength work is left out (strength stays off run days).
    let unplanned_run = run.is_some() && planned.is_some_and(|d| d.run.is_none());
    let mut dropped = None;
    for id in planned.map(|d| d.routines.as_slice()).unwrap_or_default() {
        let Some(r) = program.routine(id).filter(|r| allowed(r)) else { continue };
        if unplanned_run && r.kind == RoutineKind::RestDayStrength {
            dropped = Some(DroppedStrength { routine: r.id.clone(), next: next_day_with(plan, day, &r.id) });
            continue;
        }
        let moment = match r.kind {
            RoutineKind::PreRun | RoutineKind::PostRun => continue,
            RoutineKind::DeskBreak => Moment::AtDesk,
            _ => Moment::AnyTime,
        };
        if !sources.iter().any(|(_, s)| s.id == r.id) {
            sources.push((moment, r));
        }
    }
    sources.sort_by_key(|(m, _)| *m);

    let wanted = priorities(plan);
    let wanted: Vec<String> =
        wanted.into_iter().filter(|id| permissions.exercise(id) == ExerciseVerdict::Allowed).collect();
    let mut blocks: Vec<TodayBlock> = Vec::new();
    // Every candidate step once: (block, step, rank); the first place an exercise appears in the day wins.
    let mut candidates: Vec<(usize, StepView, Rank)> = Vec::new();
    for (moment, r) in &sources {
        let view = routine_view(program, r, permissions);
        let detail = (r.kind == RoutineKind::DeskBreak).then(|| r.frequency.clone());
        blocks.push(TodayBlock {
            moment: *moment,
            routine: Some(r.id.clone()),
            title: r.name.clone(),
            steps: vec![],
            seconds: 0,
            detail,
        });
        let block = blocks.len() - 1;
        let mut first = true;
        for mut step in view.steps {
            progress.apply(program, &mut step);
            if candidates.iter().any(|(_, s, _)| s.exercise == step.exercise) {
                continue;
            }
            let rank = if wanted.contains(&step.exercise) {
                Rank::Finding
            } else if first {
                Rank::Anchor
            } else {
                Rank::Rest
            };
            first = false;
            candidates.push((block, step, rank));
        }
    }
    // The findings' exercises no routine of the day holds get a block of their own.
    let missing: Vec<&String> =
        wanted.iter().filter(|id| !candidates.iter().any(|(_, s, _)| &s.exercise == *id)).collect();
    if !missing.is_empty() {
        blocks.push(TodayBlock {
            moment: Moment::AnyTime,
            routine: None,
            title: "For what your assessment found".into(),
            steps: vec![],
            seconds: 0,
            detail: None,
        });
        let block = blocks.len() - 1;
        for id in missing {
            if let Some(ex) = program.exercise(id) {
                let mut step = step_view(ex, ex.dose.clone(), None, None, permissions);
                progress.apply(program, &mut step);
                candidates.push((block, step, Rank::Finding));
            }
        }
    }

    // Choose: findings, then anchors, then the rest in an order that turns with the weekday, while they fit.
    let n = candidates.len().max(1);
    let turn = day as usize * 3;
    let mut order: Vec<usize> = (0..candidates.len()).collect();
    order.sort_by_key(|&i| (candidates[i].2, (i + n - turn % n) % n));
    let budget_s = budget_min * 60;
    let mut chosen = vec![false; candidates.len()];
    let mut in_block = vec![0usize; blocks.len()];
    let mut total = 0u32;
    for i in order {
        let (block, step, rank) = &candidates[i];
        let cost = step.seconds + if in_block[*block] > 0 { BETWEEN_STEPS_S } else { 0 };
        if *rank == Rank::Finding || total + cost <= budget_s {
            chosen[i] = true;
            in_block[*block] += 1;
            total += cost;
        }
    }
    let mut rested = Vec::new();
    for (i, (block, step, _)) in candidates.into_iter().enumerate() {
        if chosen[i] {
            blocks[block].steps.push(step);
        } else {
            rested.push(step.exercise);
        }
    }
    blocks.retain(|b| !b.steps.is_empty());
    for b in &mut blocks {
        b.seconds =
            b.steps.iter().map(|s| s.seconds).sum::<u32>() + BETWEEN_STEPS_S * b.steps.len().saturating_sub(1) as u32;
    }
    if let Some(run) = run
        && let Some(s) = program.schedule(run)
    {
        let detail = super::rules::schedule_words(s);
        blocks.push(TodayBlock {
            moment: Moment::DuringRun,
            routine: None,
            title: format!("Mid-run cues for {} runs", run.as_str()),
            steps: vec![],
            seconds: 0,
            detail: Some(detail),
        });
    }
    blocks.sort_by_key(|b| b.moment);
    let seconds = blocks.iter().map(|b| b.seconds).sum();
    Today { day, run, budget_min, blocks, seconds, priorities: wanted, rested, dropped }
}

/// The next day after `day` (through the week, wrapping to next week's) that has `routine`.
fn next_day_with(plan: &Plan, day: Weekday, routine: &str) -> Option<Weekday> {
    (1..7)
        .map(|k| (day as usize + k) % 7)
        .filter_map(|i| plan.week.iter().find(|d| d.day as usize == i))
        .find(|d| d.routines.iter().any(|r| r == routine))
        .map(|d| d.day)
}
