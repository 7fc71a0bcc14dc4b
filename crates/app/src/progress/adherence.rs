//! Adherence: the share of planned routines actually done, per week and overall, since the first plan was made.
//!
//! Planned is what the plan in force on each day asks for: the pre-run routine before each run and the post-run
//! reset after it, and strength and mobility on the days the plan's week puts them. Done is what the runner logged by
//! hand (day-log and run-context flags) or completed in the guided player, each planned item counted once. Desk
//! breaks are left out here: the reminders keep their own record (`remind --history`). Today is not over, so its
//! strength and mobility count only once done.
//!
//! Why pre- and post-run routines follow the imported runs rather than the plan's run days: the plan says "before
//! each run", and a run that moved from Tuesday to Wednesday still had its routine (or not). Strength and mobility
//! are matched by week, so a strength session done the day after its planned day still counts, while extra sessions
//! in one week do not make up for a missed week.

use crate::Result;
use crate::observations::{local_date, run_contexts, runs};
use crate::sessions::{CompletedSession, completed_sessions};
use jiff::ToSpan;
use jiff::civil::Date;
use jiff::tz::TimeZone;
use runtall_domain::content::{RoutineKind, program};
use runtall_domain::journal::DayLog;
use runtall_domain::plan::{Plan, PlanRecord, Weekday};
use runtall_insights::measures::{self, AdherenceSummary, WeekRoutines};
use runtall_store::Store;
use serde::Serialize;
use std::collections::{BTreeMap, HashMap, HashSet};

/// Planned and done for one kind of routine.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Tally {
    pub planned: u32,
    /// At most `planned`.
    pub done: u32,
    /// Planned items not done for which nothing at all was logged (no flag either way, no session): perhaps done
    /// but not logged.
    pub unrecorded: u32,
}

impl Tally {
    fn add(&mut self, other: Tally) {
        self.planned += other.planned;
        self.done += other.done;
        self.unrecorded += other.unrecorded;
    }
}

/// One calendar week (Monday start; the first week starts on the plan's date).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct WeekAdherence {
    pub week_start: Date,
    pub pre_run: Tally,
    pub post_run: Tally,
    pub strength: Tally,
    pub mobility: Tally,
    pub total: Tally,
    pub share: Option<f64>,
}

/// Adherence since the first plan.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Adherence {
    /// The day the first plan was made; None without a plan.
    pub since: Option<Date>,
    /// None when there is no plan or nothing has been logged since it was made: that is unknown, not 0%.
    pub summary: Option<AdherenceSummary>,
    pub weeks: Vec<WeekAdherence>,
    /// All weeks together, by kind.
    pub pre_run: Tally,
    pub post_run: Tally,
    pub strength: Tally,
    pub mobility: Tally,
    pub sentence: String,
    pub notes: Vec<String>,
}

/// Raw per-week counts before capping: strength and mobility count days done, which may exceed the days planned.
#[derive(Default)]
struct WeekCounts {
    pre_run: Tally,
    post_run: Tally,
    strength: DayCounts,
    mobility: DayCounts,
}

#[derive(Default)]
struct DayCounts {
    planned: u32,
    done_days: u32,
    planned_unrecorded: u32,
}

impl DayCounts {
    fn tally(&self) -> Tally {
        let done = self.done_days.min(self.planned);
        Tally { planned: self.planned, done, unrecorded: self.planned_unrecorded.min(self.planned - done) }
    }
}

pub(crate) fn monday(d: Date) -> Date {
    d.checked_sub(i64::from(d.weekday().to_monday_zero_offset()).days()).unwrap_or(d)
}

fn weekday(d: Date) -> Weekday {
    Weekday::ALL[usize::from(d.weekday().to_monday_zero_offset().unsigned_abs())]
}

/// The routine kinds the plan in force asks for on `d`.
fn planned_kinds(plan: &Plan, d: Date) -> HashSet<RoutineKind> {
    let program = program();
    plan.week
        .iter()
        .filter(|day| day.day == weekday(d))
        .flat_map(|day| day.routines.iter())
        .filter_map(|id| program.routine(id).map(|r| r.kind))
        .collect()
}

/// Adherence from the first plan's day to `today`, with dates taken in `tz`.
pub fn adherence(store: &dyn Store, today: Date, tz: &TimeZone) -> Result<Adherence> {
    let plans = store.plans()?;
    let dated: Vec<(Date, &PlanRecord)> =
        plans.iter().map(|p| (p.created_at.to_zoned(tz.clone()).date().min(today), p)).collect();
    let Some(since) = dated.first().map(|(d, _)| *d) else {
        return Ok(empty(None, "No plan yet, so there is nothing planned to measure against.".into()));
    };
    let sessions = completed_sessions(store)?;
    let session_days: HashSet<(Date, RoutineKind)> = sessions.iter().map(|s| (s.date(tz), s.kind)).collect();
    let logs: HashMap<Date, DayLog> = store.day_logs(since, today)?.into_iter().map(|d| (d.date, d)).collect();
    let mut weeks: BTreeMap<Date, WeekCounts> = BTreeMap::new();

    let mut d = since;
    while d <= today {
        let plan = dated.iter().rev().find(|(pd, _)| *pd <= d).map_or(&dated[0].1.plan, |(_, p)| &p.plan);
        let kinds = planned_kinds(plan, d);
        let log = logs.get(&d);
        let recorded = log.is_some() || sessions.iter().any(|s: &CompletedSession| s.date(tz) == d);
        let w = weeks.entry(monday(d)).or_default();
        for (kind, counts, logged) in [
            (RoutineKind::RestDayStrength, &mut w.strength, log.is_some_and(|l| l.strength_done)),
            (RoutineKind::DailyMobility, &mut w.mobility, log.is_some_and(|l| l.mobility_done)),
        ] {
            let done = logged || session_days.contains(&(d, kind));
            // Today is not over: its routines count once done, never as missed.
            let planned = kinds.contains(&kind) && (d < today || done);
            counts.planned += u32::from(planned);
            counts.done_days += u32::from(done);
            counts.planned_unrecorded += u32::from(planned && !done && !recorded);
        }
        let Ok(next) = d.tomorrow() else { break };
        d = next;
    }

    let rows = runs(store)?;
    let contexts = run_contexts(store, &rows)?;
    let mut imported_runs = 0;
    for r in &rows {
        let date = local_date(r.start, r.utc_offset_s);
        if date < since || date > today {
            continue;
        }
        imported_runs += 1;
        let c = contexts.get(&r.id);
        let w = weeks.entry(monday(date)).or_default();
        for (tally, flag) in
            [(&mut w.pre_run, c.and_then(|c| c.pre_run_done)), (&mut w.post_run, c.and_then(|c| c.post_run_done))]
        {
            tally.planned += 1;
            tally.done += u32::from(flag == Some(true));
            tally.unrecorded += u32::from(flag.is_none());
        }
    }

    let mut out = empty(Some(since), String::new());
    let mut routines = Vec::with_capacity(weeks.len());
    for (week_start, c) in &weeks {
        let (strength, mobility) = (c.strength.tally(), c.mobility.tally());
        let mut total = Tally::default();
        for t in [c.pre_run, c.post_run, strength, mobility] {
            total.add(t);
        }
        out.pre_run.add(c.pre_run);
        out.post_run.add(c.post_run);
        out.strength.add(strength);
        out.mobility.add(mobility);
        routines.push(WeekRoutines { week_start: *week_start, planned: total.planned, done: total.done });
        out.weeks.push(WeekAdherence {
            week_start: *week_start,
            pre_run: c.pre_run,
            post_run: c.post_run,
            strength,
            mobility,
            total,
            share: (total.planned > 0).then(|| f64::from(total.done) / f64::from(total.planned)),
        });
    }
    let mut total = Tally::default();
    for t in [out.pre_run, out.post_run, out.strength, out.mobility] {
        total.add(t);
    }
    if total.planned == 0 {
        out.sentence = format!("No routines planned since the plan was made on {since}.");
        return Ok(out);
    }
    if total.done == 0 && total.unrecorded == total.planned {
        out.sentence = format!(
            "Nothing logged since the plan was made on {since}, so adherence is unknown (not 0%): log the routines \
             you do, or do them in the guided player."
        );
        return Ok(out);
    }
    let summary = measures::adherence(&routines)?;
    out.sentence = format!("Since your plan of {since}: {}", summary.sentence);
    let missed = total.planned - total.done;
    if total.unrecorded > 0 {
        let (n, verb) = (total.unrecorded, if total.unrecorded == 1 { "has" } else { "have" });
        out.notes.push(format!(
            "{n} of the {missed} missed routines {verb} nothing logged either way; if you did them, log them."
        ));
    }
    if imported_runs == 0 {
        out.notes.push(
            "No runs imported since the plan, so pre- and post-run routines are not counted yet: they follow your \
             imported runs."
                .into(),
        );
    }
    out.summary = Some(summary);
    Ok(out)
}

fn empty(since: Option<Date>, sentence: String) -> Adherence {
    Adherence {
        since,
        summary: None,
        weeks: Vec::new(),
        pre_run: Tally::default(),
        post_run: Tally::default(),
        strength: Tally::default(),
        mobility: Tally::default(),
        sentence,
        notes: Vec::new(),
    }
}
