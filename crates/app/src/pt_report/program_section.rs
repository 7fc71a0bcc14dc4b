//! The program: what the plan in force asks for, the routines done week by week, what the safety gate leaves out
//! and why (its own reasons, never re-derived here), relief used with amounts, and every self-experiment.

use super::safety_section::permissions_at_end;
use super::words::{count, percent};
use super::{Ctx, DayLine, ExperimentLine, LeftOut, PlanSummary, ProgramSection, ReliefLine, WeekAdherenceLine};
use crate::Result;
use crate::experiments::{self, StoredExperiment};
use crate::progress::{Progress, monday};
use jiff::civil::Date;
use runtall_domain::assess::AssessmentRecord;
use runtall_domain::journal::{MAGNESIUM_LIMIT_MG, ReliefUse};
use runtall_domain::plan::{Priority, RefKind};
use runtall_domain::safety::{ExerciseVerdict, Permissions};
use runtall_domain::screen::ScreeningRecord;
use runtall_insights::ExperimentUnit;

pub(super) fn program_section(
    ctx: &Ctx,
    screenings: &[ScreeningRecord],
    assessments: &[AssessmentRecord],
    progress: Option<&Progress>,
) -> Result<ProgramSection> {
    let permissions = permissions_at_end(ctx, screenings, assessments);
    let plans = ctx.store.plans()?;
    let plan = plans.iter().rev().find(|p| ctx.date(p.created_at) <= ctx.to).map(|p| {
        let program = ctx.program;
        PlanSummary {
            made_on: ctx.date(p.created_at),
            mode: p.plan.mode.name().to_string(),
            safety: p.plan.safety.clone(),
            week: p
                .plan
                .week
                .iter()
                .map(|d| DayLine {
                    day: d.day.name().to_string(),
                    run: d.run.map(|r| r.as_str().to_string()),
                    routines: d
                        .routines
                        .iter()
                        .map(|id| program.routine(id).map_or_else(|| id.clone(), |r| r.name.clone()))
                        .collect(),
                })
                .collect(),
            // Routines already show in the week; the core habits, cues and checks are what the week cannot show.
            core: p
                .plan
                .items
                .iter()
                .filter(|i| i.priority == Priority::Core && i.kind != RefKind::Routine)
                .map(|i| i.title.clone())
                .collect(),
        }
    });
    let no_plan = plan.is_none().then(|| {
        if permissions.allows_plan() {
            "No plan had been made by the end of the period.".to_string()
        } else {
            format!("No plan: {}", permissions.headline)
        }
    });
    let (adherence, adherence_sentence) = match progress {
        None => (Vec::new(), "No assessment and plan, so nothing was planned to measure against.".to_string()),
        Some(p) => {
            let weeks: Vec<WeekAdherenceLine> = p
                .adherence
                .weeks
                .iter()
                .filter(|w| w.week_start >= monday(ctx.from) && w.week_start <= ctx.to)
                .map(|w| WeekAdherenceLine {
                    week_start: w.week_start,
                    planned: w.total.planned,
                    done: w.total.done,
                    share: w.share,
                })
                .collect();
            let planned: u32 = weeks.iter().map(|w| w.planned).sum();
            let done: u32 = weeks.iter().map(|w| w.done).sum();
            let sentence = if p.adherence.summary.is_none() {
                p.adherence.sentence.clone()
            } else if planned == 0 {
                "No routines were planned in this period.".to_string()
            } else {
                format!(
                    "{done} of {planned} planned routines done in this period ({}). Planned: the pre-run routine and \
                     post-run reset around each imported run, strength and mobility on the plan's days.",
                    percent(f64::from(done) / f64::from(planned))
                )
            };
            (weeks, sentence)
        }
    };
    let mut left_out = left_out(ctx, &permissions);
    if let Some(p) = plans.iter().rev().find(|p| ctx.date(p.created_at) <= ctx.to) {
        for e in &p.plan.excluded {
            let name = item_name(ctx, e.kind, &e.id);
            add(&mut left_out, name, &e.reason);
        }
    }
    let left_out = left_out_lines(ctx, left_out);
    Ok(ProgramSection { plan, no_plan, adherence, adherence_sentence, left_out, relief: relief(ctx)? })
}

fn item_name(ctx: &Ctx, kind: RefKind, id: &str) -> String {
    let p = ctx.program;
    let name = match kind {
        RefKind::Exercise => p.exercise(id).map(|e| e.name.clone()),
        RefKind::Routine => p.routine(id).map(|r| r.name.clone()),
        RefKind::Relief => p.relief_option(id).map(|r| r.name.clone()),
        RefKind::Habit => p.habit(id).map(|h| h.title.clone()),
        _ => None,
    };
    name.unwrap_or_else(|| id.replace('-', " "))
}

/// Adds `name` under `reason`, once.
fn add(groups: &mut Vec<(String, Vec<String>)>, name: String, reason: &str) {
    match groups.iter_mut().find(|(r, _)| r == reason) {
        Some((_, names)) => {
            if !names.contains(&name) {
                names.push(name);
            }
        }
        None => groups.push((reason.to_string(), vec![name])),
    }
}

/// Everything the gate does not allow (or swaps), grouped by the gate's own reason.
fn left_out(ctx: &Ctx, p: &Permissions) -> Vec<(String, Vec<String>)> {
    let program = ctx.program;
    let mut groups: Vec<(String, Vec<String>)> = Vec::new();
    for r in p.runs.iter().filter(|r| !r.allowed) {
        add(&mut groups, format!("{} runs", r.run.as_str()), r.reason.as_deref().unwrap_or(""));
    }
    for e in &p.exercises {
        let name = program.exercise(&e.id).map_or_else(|| e.id.clone(), |x| x.name.clone());
        match &e.verdict {
            ExerciseVerdict::Allowed => {}
            ExerciseVerdict::Swapped { to, reason } => {
                let to = program.exercise(to).map_or_else(|| to.clone(), |x| x.name.clone());
                add(&mut groups, format!("{name} (swapped for {to})"), reason);
            }
            ExerciseVerdict::LeftOut { reason } => add(&mut groups, name, reason),
        }
    }
    for r in p.routines.iter().filter(|r| !r.allowed) {
        let name = program.routine(&r.id).map_or_else(|| r.id.clone(), |x| x.name.clone());
        add(&mut groups, name, r.reason.as_deref().unwrap_or(""));
    }
    for e in p.experiments.iter().filter(|e| !e.allowed) {
        add(&mut groups, format!("experiment: {}", e.id.replace('-', " ")), e.reason.as_deref().unwrap_or(""));
    }
    for r in p.relief.iter().filter(|r| !r.allowed) {
        let name = program.relief_option(&r.id).map_or_else(|| r.id.clone(), |x| x.name.clone());
        add(&mut groups, name, r.reason.as_deref().unwrap_or(""));
    }
    if !p.cardio_alternatives.allowed {
        add(&mut groups, "cardio alternatives".into(), p.cardio_alternatives.reason.as_deref().unwrap_or(""));
    }
    groups
}

/// The groups as lines; a group naming every exercise says so instead of listing twenty names.
fn left_out_lines(ctx: &Ctx, groups: Vec<(String, Vec<String>)>) -> Vec<LeftOut> {
    let all_exercises = ctx.program.exercises.len();
    groups
        .into_iter()
        .map(|(reason, names)| {
            let exercises = names.iter().filter(|n| ctx.program.exercises.iter().any(|e| &e.name == *n)).count();
            let what = if exercises == all_exercises && names.len() > all_exercises / 2 {
                let others: Vec<&String> =
                    names.iter().filter(|n| !ctx.program.exercises.iter().any(|e| &e.name == *n)).collect();
                let mut w = "every exercise".to_string();
                for o in others {
                    w.push_str(", ");
                    w.push_str(o);
                }
                w
            } else {
                names.join(", ")
            };
            LeftOut { what, reason: if reason.is_empty() { "(no reason given)".into() } else { reason } }
        })
        .collect()
}

fn relief_name(r: ReliefUse) -> &'static str {
    match r {
        ReliefUse::Heat => "Heat",
        ReliefUse::Ice => "Ice or cold pack",
        ReliefUse::Topical => "Topical rub or gel",
        ReliefUse::Magnesium => "Magnesium",
        ReliefUse::Tape => "Kinesiology tape",
    }
}

/// Relief logged on the period's days, with amounts: magnesium in mg against the daily limit, tape in days and the
/// longest stretch in a row against the content's limit.
fn relief(ctx: &Ctx) -> Result<Vec<ReliefLine>> {
    let days = ctx.store.day_logs(ctx.from, ctx.to)?;
    let kinds = [ReliefUse::Heat, ReliefUse::Ice, ReliefUse::Topical, ReliefUse::Magnesium, ReliefUse::Tape];
    let mut out = Vec::new();
    for kind in kinds {
        let used: Vec<Date> = days.iter().filter(|d| d.relief.contains(&kind)).map(|d| d.date).collect();
        let mg: Vec<u32> = if kind == ReliefUse::Magnesium {
            days.iter().filter_map(|d| d.magnesium_mg.filter(|m| *m > 0)).collect()
        } else {
            vec![]
        };
        let n = if kind == ReliefUse::Magnesium {
            days.iter().filter(|d| d.relief.contains(&kind) || d.magnesium_mg.is_some_and(|m| m > 0)).count()
        } else {
            used.len()
        };
        if n == 0 {
            continue;
        }
        let detail = match kind {
            ReliefUse::Magnesium if !mg.is_empty() => {
                let (lo, hi) = (mg.iter().min().copied().unwrap_or(0), mg.iter().max().copied().unwrap_or(0));
                let over = mg.iter().filter(|m| **m > MAGNESIUM_LIMIT_MG).count();
                let mean = f64::from(mg.iter().sum::<u32>()) / mg.len() as f64;
                format!(
                    "{} with an amount: {lo}–{hi} mg (mean {mean:.0} mg); above the {MAGNESIUM_LIMIT_MG} mg/day \
                     supplement limit on {}",
                    count(mg.len(), "day", "days"),
                    count(over, "day", "days")
                )
            }
            ReliefUse::Magnesium => "no amounts logged".into(),
            ReliefUse::Tape => {
                let limit = ctx.program.relief_option("kinesiology-tape").and_then(|r| r.max_days);
                let longest = longest_stretch(&used);
                match limit {
                    Some(l) => format!(
                        "longest stretch {} in a row (the program's limit is {l})",
                        count(longest, "day", "days")
                    ),
                    None => format!("longest stretch {} in a row", count(longest, "day", "days")),
                }
            }
            _ => String::new(),
        };
        out.push(ReliefLine { what: relief_name(kind).to_string(), days: n, detail });
    }
    Ok(out)
}

fn longest_stretch(days: &[Date]) -> usize {
    let mut best = 0;
    let mut run = 0;
    let mut prev: Option<Date> = None;
    for d in days {
        run = match prev.and_then(|p| p.tomorrow().ok()) {
            Some(next) if next == *d => run + 1,
            _ => 1,
        };
        best = best.max(run);
        prev = Some(*d);
    }
    best
}

/// Every experiment that ran during the period, oldest first: what was alternated, the design, how many runs or
/// days followed the assignment, and the verdict as the engine words it (hidden until the minimum, as everywhere).
pub(super) fn experiments(ctx: &Ctx, today: Date) -> Result<Vec<ExperimentLine>> {
    // The running one is brought up to date first, exactly as its status page does.
    let status = experiments::status(ctx.store, today, false)?;
    let mut out = Vec::new();
    for (id, active, value) in ctx.store.experiments()? {
        let stored: StoredExperiment =
            serde_json::from_value(value).map_err(|source| crate::AppError::Corrupt { id, source })?;
        let e = match (&status, active) {
            (Some(s), true) if s.id == id => s.experiment.clone(),
            _ => stored.experiment,
        };
        let end = e.stopped.unwrap_or(today);
        if e.started > ctx.to || end < ctx.from {
            continue;
        }
        let result = match (&status, active) {
            (Some(s), true) if s.id == id => s.result.clone(),
            _ => e.result(true),
        };
        let d = &e.design;
        let unit = match d.unit {
            ExperimentUnit::Runs => ("run", "runs"),
            ExperimentUnit::Days => ("day", "days"),
        };
        let design = format!(
            "alternating blocks of {} in a seeded random order, at least {} before the verdict{}",
            count(d.block_length as usize, unit.0, unit.1),
            count(d.min_units() as usize, unit.0, unit.1),
            if d.washout > 0 {
                format!(", the first {} of each block not analysed", count(d.washout as usize, unit.0, unit.1))
            } else {
                String::new()
            }
        );
        let a = &result.adherence;
        let adherence = match a.share {
            Some(s) => format!("{} of {} {} as assigned ({})", a.followed, a.recorded, unit.1, percent(s)),
            None => format!("no {} recorded yet", unit.1),
        };
        out.push(ExperimentLine {
            what: d.factor.label().to_string(),
            started: e.started,
            stopped: e.stopped,
            design,
            adherence,
            verdict: result.sentence.clone(),
        });
    }
    out.sort_by_key(|l| l.started);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    #[test]
    fn tape_stretches_count_consecutive_days() {
        let d = [date(2026, 3, 1), date(2026, 3, 2), date(2026, 3, 3), date(2026, 3, 5), date(2026, 3, 6)];
        assert_eq!(longest_stretch(&d), 3);
        assert_eq!(longest_stretch(&[]), 0);
    }
}
