//! A typical week: which run on which day, with its routines.

use super::rules::does_long_runs;
use super::*;
use crate::assess::{Surface, When};

/// Run days by runs per week; the last day listed takes the long run when there is one.
pub(super) fn run_days(n: usize) -> Vec<Weekday> {
    use Weekday::*;
    match n {
        0 => vec![],
        1 => vec![Sun],
        2 => vec![Wed, Sun],
        3 => vec![Tue, Thu, Sun],
        4 => vec![Tue, Thu, Sat, Sun],
        5 => vec![Mon, Tue, Thu, Sat, Sun],
        6 => vec![Mon, Tue, Wed, Thu, Sat, Sun],
        _ => Weekday::ALL.to_vec(),
    }
}

/// A typical week: which run on which day, with its routines; strength on rest days, not the day before the
/// long run; mobility daily; desk breaks on workdays. Only what the safety gate allows: a run type it holds back
/// becomes the run it offers instead (an easy run in the reduced program) or a rest day; with no running there
/// are no run days at all.
pub(super) fn week(program: &Program, a: &Assessment, permissions: &Permissions) -> Vec<DayPlan> {
    let e = &a.exposures;
    let any_run = !permissions.allowed_runs().is_empty();
    let n = if any_run { e.runs_per_week.get().round() as usize } else { 0 };
    let days = run_days(n);
    let long = does_long_runs(a) && !days.is_empty();
    let speed_sessions = e.speed_sessions_per_week.get().round() as usize;
    let mut speed_left = speed_sessions.min(n.saturating_sub(usize::from(long)));
    let trail_only = !e.surfaces.is_empty() && e.surfaces.iter().all(|s| *s == Surface::Trail);
    let mut plan: Vec<DayPlan> =
        Weekday::ALL.iter().map(|d| DayPlan { day: *d, run: None, routines: vec![], notes: vec![] }).collect();
    for (i, day) in days.iter().enumerate() {
        let is_last = i + 1 == days.len();
        let run = if long && is_last {
            RunType::Long
        } else if speed_left > 0 && matches!(day, Weekday::Tue | Weekday::Thu | Weekday::Wed) {
            speed_left -= 1;
            RunType::Speed
        } else if trail_only {
            RunType::Trail
        } else {
            RunType::Easy
        };
        plan[*day as usize].run = Some(run);
    }
    // What the gate holds back becomes what it offers instead, or a rest day.
    for d in plan.iter_mut() {
        if let Some(run) = d.run {
            let decision = permissions.run(run);
            if !decision.allowed {
                d.run = decision.instead.filter(|i| permissions.run(*i).allowed);
            }
        }
    }
    // Any speed sessions not yet placed go on remaining easy days, earliest first.
    for d in plan.iter_mut() {
        if speed_left > 0 && matches!(d.run, Some(RunType::Easy) | Some(RunType::Trail)) {
            d.run = Some(RunType::Speed);
            speed_left -= 1;
        }
    }
    let long_day = plan.iter().position(|d| d.run == Some(RunType::Long));
    let allowed = |r: &Routine| permissions.routine(&r.id).allowed;
    let strength = program.routines_of(RoutineKind::RestDayStrength).find(|r| allowed(r)).map(|r| r.id.clone());
    let mobility = program.routines_of(RoutineKind::DailyMobility).find(|r| allowed(r)).map(|r| r.id.clone());
    let desk = program.routines_of(RoutineKind::DeskBreak).find(|r| allowed(r)).map(|r| r.id.clone());
    let strength_days: Vec<usize> = {
        let day_before_long = long_day.map(|l| (l + 6) % 7);
        let mut rest: Vec<usize> = (0..7).filter(|i| plan[*i].run.is_none() && Some(*i) != day_before_long).collect();
        if rest.len() < 2 {
            // Few rest days: strength after easy runs instead.
            rest.extend((0..7).filter(|i| plan[*i].run == Some(RunType::Easy) && Some(*i) != day_before_long));
        }
        let target = if n <= 3 { 3 } else { 2 };
        spread(&rest, target)
    };
    for (i, d) in plan.iter_mut().enumerate() {
        if let Some(run) = d.run {
            if let Some(r) = program.pre_run_routine(run).filter(|r| allowed(r)) {
                d.routines.push(r.id.clone());
            }
            d.notes.push(format!("{} run: mid-run cues for {} runs", capitalise(run.as_str()), run.as_str()));
            if let Some(r) = program.post_run_routine(run).filter(|r| allowed(r)) {
                d.routines.push(r.id.clone());
            }
        }
        if strength_days.contains(&i)
            && let Some(s) = &strength
        {
            d.routines.push(s.clone());
        }
        if let Some(m) = &mobility
            && !d.routines.contains(m)
        {
            d.routines.push(m.clone());
        }
        if d.day.is_workday()
            && (a.has(When::AtDesk) || e.sitting_hours_per_day.get() >= SITTING_SOME_H)
            && let Some(k) = &desk
        {
            d.routines.push(k.clone());
            d.notes.push(format!(
                "Desk: walk every {} min, shift position every {} min",
                program.habit_defaults.walk_every_min, program.habit_defaults.shift_every_min
            ));
        }
        let next_to_long_run = Some((i + 1) % 7) == long_day || Some((i + 6) % 7) == long_day;
        if next_to_long_run && (e.car_hours_per_week.get() > 0.0 || a.has(When::AfterDriving)) {
            d.notes.push("No long drive today: it is next to the long run".into());
        }
    }
    plan
}

/// Picks `n` entries spread out over the sorted candidates (so strength days are not back to back).
pub(super) fn spread(candidates: &[usize], n: usize) -> Vec<usize> {
    let mut c = candidates.to_vec();
    c.sort_unstable();
    c.dedup();
    if c.len() <= n {
        return c;
    }
    let mut chosen: Vec<usize> = Vec::new();
    for &day in &c {
        if chosen.len() < n && chosen.last().is_none_or(|last| day >= last + 2) {
            chosen.push(day);
        }
    }
    for &day in &c {
        if chosen.len() < n && !chosen.contains(&day) {
            chosen.push(day);
        }
    }
    chosen.sort_unstable();
    chosen
}

pub(super) fn capitalise(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(f) => f.to_uppercase().collect::<String>() + chars.as_str(),
        None => String::new(),
    }
}
