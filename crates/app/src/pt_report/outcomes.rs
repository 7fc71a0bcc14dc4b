//! The complaint, the outcome measures (NPRS and PSFS against the baseline), training load against pain, what goes
//! with pain, and the pain-log notes. The rules come from `runtall-insights` (meaningful change, the PSFS rule, the
//! factors and their verdicts); this module selects the period and words the numbers for a reader.

use super::words::{count, distance, num, unit};
use super::{
    Complaint, Ctx, FactorLine, FactorsSection, LoadSection, Note, Outcomes, PainOutcome, PsfsRow, PsfsTable,
    RegionPain, WeekLoad, WeekValue,
};
use crate::Result;
use crate::progress::{Progress, monday};
use jiff::Timestamp;
use jiff::ToSpan;
use jiff::civil::Date;
use runtall_domain::assess::{AssessmentRecord, PackUse, Region};
use runtall_domain::journal::PainTiming;
use runtall_domain::text::amount;
use runtall_insights::measures::{PSFS_ITEM_MEANINGFUL, PainPoint, meaningful_change_band};
use runtall_insights::{Cutoffs, Factor, RunObservation, ratio_text};
use std::collections::BTreeMap;

/// PSFS scorings shown at most: the first and the latest ones.
const MAX_SCORINGS: usize = 6;

fn timing_words(t: PainTiming) -> &'static str {
    match t {
        PainTiming::Before => "before a run",
        PainTiming::During => "during a run",
        PainTiming::RightAfter => "right after a run",
        PainTiming::NextMorning => "the morning after a run",
        PainTiming::AtDesk => "at the desk",
        PainTiming::Other => "other time",
    }
}

pub(super) fn complaint(ctx: &Ctx, assessments: &[AssessmentRecord]) -> Result<Option<Complaint>> {
    let Some(first) = assessments.first() else { return Ok(None) };
    let Some(latest) = assessments.iter().rev().find(|a| ctx.date(a.taken_at) <= ctx.to) else { return Ok(None) };
    let a = &latest.assessment;
    let e = &a.exposures;
    let u = unit(ctx.units);
    let mut exposures = vec![format!(
        "{} a week, about {} {u} a week; usual long run {} {u}; {} a week",
        amount(e.runs_per_week.get(), "run", "runs"),
        num(distance(e.weekly_km.get(), ctx.units)),
        num(distance(e.long_run_km.get(), ctx.units)),
        amount(e.speed_sessions_per_week.get(), "speed session", "speed sessions")
    )];
    exposures.push(format!(
        "sits about {} h a day; {} h in a car a week; running for {} years",
        num(e.sitting_hours_per_day.get()),
        num(e.car_hours_per_week.get()),
        num(e.years_running.get())
    ));
    if e.hydration_pack != PackUse::Never {
        exposures.push(format!("hydration pack or vest {}", e.hydration_pack.label()));
    }
    if e.destination_race {
        exposures.push("training for a race that needs travel".into());
    }
    let mut by_region: BTreeMap<Region, Vec<f64>> = BTreeMap::new();
    for r in ctx.store.pain_reports(Timestamp::MIN, Timestamp::MAX)? {
        if ctx.in_period(ctx.date(r.at)) {
            by_region.entry(r.region).or_default().push(r.intensity.get());
        }
    }
    let pain_by_region = by_region
        .into_iter()
        .map(|(region, v)| RegionPain {
            region: region.label().to_string(),
            reports: v.len(),
            worst: v.iter().copied().fold(0.0, f64::max).round() as u8,
            mean: v.iter().sum::<f64>() / v.len() as f64,
        })
        .collect();
    Ok(Some(Complaint {
        regions: a.regions.clone(),
        region_labels: a.regions.iter().map(|r| r.label().to_string()).collect(),
        when: a.when.iter().map(|w| w.label().to_string()).collect(),
        assessed_on: ctx.date(latest.taken_at),
        baseline_on: ctx.date(first.taken_at),
        baseline_pain: first.assessment.baseline_pain.get(),
        baseline_psfs: first.assessment.psfs_score(),
        exposures,
        pain_by_region,
    }))
}

/// The Mondays of every week the period touches.
fn weeks(ctx: &Ctx) -> Vec<Date> {
    let last = monday(ctx.to);
    let mut out = Vec::new();
    let mut w = monday(ctx.from);
    while w <= last {
        out.push(w);
        match w.checked_add(1.week()) {
            Ok(next) => w = next,
            Err(_) => break,
        }
    }
    out
}

/// Weekly distance, long runs and speed sessions (as the Insights factors define them) against the week's mean of
/// the daily worst pain, over the period's days only.
pub(super) fn load(ctx: &Ctx, obs: &[RunObservation], daily: &[PainPoint]) -> LoadSection {
    let cutoffs = Cutoffs::default();
    let mut out: Vec<WeekLoad> = weeks(ctx)
        .into_iter()
        .map(|w| WeekLoad { week_start: w, distance: 0.0, runs: 0, long_runs: 0, speed_sessions: 0, pain: None })
        .collect();
    let index = |d: Date| out.iter().position(|w| w.week_start == monday(d));
    let mut idx: Vec<(usize, f64, bool, bool)> = Vec::new();
    for o in obs.iter().filter(|o| ctx.in_period(o.date)) {
        if let Some(i) = index(o.date) {
            let long = Factor::LongRun.value(o, &cutoffs) == Some(true);
            let speed = Factor::SpeedWork.value(o, &cutoffs) == Some(true);
            idx.push((i, o.distance_km, long, speed));
        }
    }
    let mut pain: Vec<(usize, f64)> = Vec::new();
    for p in daily.iter().filter(|p| ctx.in_period(p.date)) {
        if let Some(i) = index(p.date) {
            pain.push((i, f64::from(p.intensity)));
        }
    }
    for (i, km, long, speed) in idx {
        let w = &mut out[i];
        w.distance += distance(km, ctx.units);
        w.runs += 1;
        w.long_runs += usize::from(long);
        w.speed_sessions += usize::from(speed);
    }
    let mut sums = vec![(0.0, 0usize); out.len()];
    for (i, v) in pain {
        sums[i].0 += v;
        sums[i].1 += 1;
    }
    for (w, (s, n)) in out.iter_mut().zip(sums) {
        w.pain = (n > 0).then(|| s / n as f64);
    }
    let runs: usize = out.iter().map(|w| w.runs).sum();
    let total: f64 = out.iter().map(|w| w.distance).sum();
    let long_runs = out.iter().map(|w| w.long_runs).sum();
    let speed_sessions = out.iter().map(|w| w.speed_sessions).sum();
    let u = unit(ctx.units);
    let rated = out.iter().filter(|w| w.pain.is_some()).count();
    let text = if runs == 0 && rated == 0 {
        "No runs and no pain ratings in this period.".to_string()
    } else {
        let busiest = out.iter().map(|w| w.distance).fold(0.0, f64::max);
        format!(
            "{} over {}: {total:.0} {u} in all ({busiest:.0} {u} in the busiest week), {} and {}; pain rated in {} of \
             {}.",
            count(runs, "run", "runs"),
            count(out.len(), "week", "weeks"),
            count(long_runs, "long run", "long runs"),
            count(speed_sessions, "speed session", "speed sessions"),
            rated,
            count(out.len(), "week", "weeks")
        )
    };
    LoadSection { weeks: out, runs, distance: total, unit: u, long_runs, speed_sessions, text }
}

pub(super) fn outcomes(
    ctx: &Ctx,
    progress: Option<&Progress>,
    assessments: &[AssessmentRecord],
    load: &LoadSection,
) -> Outcomes {
    let Some(p) = progress else { return Outcomes { pain: None, psfs: None, escalation: None } };
    let weeks: Vec<WeekValue> =
        load.weeks.iter().map(|w| WeekValue { week_start: w.week_start, value: w.pain }).collect();
    let weeks_rated = load.weeks.iter().filter(|w| w.pain.is_some()).count();
    let pain = PainOutcome {
        baseline: p.pain.baseline,
        band: meaningful_change_band(p.pain.baseline),
        weeks,
        weeks_rated,
        sentence: p.pain.sentence.clone(),
        category: p.pain.category,
    };
    Outcomes {
        pain: Some(pain),
        psfs: psfs_table(ctx, p, assessments),
        escalation: p.escalation.as_ref().map(|e| e.sentence.clone()),
    }
}

fn key(s: &str) -> String {
    s.trim().to_lowercase()
}

/// Every scoring of the activities rated at the end of the period: the first scoring of those activities, then
/// the ones in the period (the first and the latest kept when there are more than fit).
fn psfs_table(ctx: &Ctx, p: &Progress, assessments: &[AssessmentRecord]) -> Option<PsfsTable> {
    let upto: Vec<&AssessmentRecord> = assessments.iter().filter(|a| ctx.date(a.taken_at) <= ctx.to).collect();
    let latest = upto.last()?;
    let activities: Vec<String> = latest.assessment.psfs.iter().map(|i| i.activity.clone()).collect();
    let mut wanted: Vec<String> = activities.iter().map(|a| key(a)).collect();
    wanted.sort();
    let same = |a: &AssessmentRecord| {
        let mut k: Vec<String> = a.assessment.psfs.iter().map(|i| key(&i.activity)).collect();
        k.sort();
        k == wanted
    };
    let scorings: Vec<&AssessmentRecord> = upto.iter().copied().filter(|a| same(a)).collect();
    let first = scorings.first()?;
    let mut shown: Vec<&AssessmentRecord> = vec![first];
    let in_period: Vec<&AssessmentRecord> =
        scorings.iter().copied().skip(1).filter(|a| ctx.date(a.taken_at) >= ctx.from).collect();
    let room = MAX_SCORINGS - 1;
    let hidden = in_period.len().saturating_sub(room);
    shown.extend(in_period.iter().skip(hidden));
    let score_of = |a: &AssessmentRecord, activity: &str| {
        a.assessment.psfs.iter().find(|i| key(&i.activity) == key(activity)).map(|i| i.score.get()).unwrap_or(0.0)
    };
    let rows: Vec<PsfsRow> = activities
        .iter()
        .map(|act| {
            let scores: Vec<f64> = shown.iter().map(|a| score_of(a, act)).collect();
            let change = (shown.len() > 1).then(|| scores[scores.len() - 1] - scores[0]);
            PsfsRow {
                activity: act.clone(),
                real: change.is_some_and(|c| c.abs() >= PSFS_ITEM_MEANINGFUL - 1e-9),
                change,
                scores,
            }
        })
        .collect();
    Some(PsfsTable {
        dates: shown.iter().map(|a| ctx.date(a.taken_at)).collect(),
        means: shown.iter().map(|a| a.assessment.psfs_score()).collect(),
        rows,
        hidden_scorings: hidden,
        change: p.psfs.change.as_ref().map(|c| c.sentence.clone()),
    })
}

/// What goes with pain among the period's runs, in the Insights engine's own words.
pub(super) fn factors(obs: &[RunObservation]) -> Result<FactorsSection> {
    let r = crate::observations::report_of(obs)?;
    let mut lines = Vec::new();
    let mut without: Vec<(String, Vec<String>)> = Vec::new();
    for f in &r.factors {
        match &f.risk_ratio {
            Some(rr) => lines.push(FactorLine {
                label: f.label.clone(),
                verdict: f.verdict,
                verdict_label: f.verdict.label().to_string(),
                counts: f.counts_sentence.clone(),
                ratio: format!(
                    "risk ratio {} ({:.0}% interval {}–{})",
                    ratio_text(rr.estimate),
                    (100.0 * rr.level).floor(),
                    ratio_text(rr.lower),
                    ratio_text(rr.upper)
                ),
                estimate: rr.estimate,
                lower: rr.lower,
                upper: rr.upper,
            }),
            None => {
                let why = f.verdict.label().to_string();
                match without.iter_mut().find(|(w, _)| *w == why) {
                    Some((_, names)) => names.push(f.label.to_lowercase()),
                    None => without.push((why, vec![f.label.to_lowercase()])),
                }
            }
        }
    }
    let intro = format!(
        "{} run{} in this period; pain followed {}. Read from this period's runs alone, so a verdict can differ \
         from the runner's Insights over all their runs. These are associations in the runner's own journal, not \
         causes; only an experiment that changes one thing at a time can tell more.",
        r.runs,
        if r.runs == 1 { "" } else { "s" },
        r.runs_with_pain
    );
    Ok(FactorsSection {
        runs: r.runs,
        runs_with_pain: r.runs_with_pain,
        intro,
        lines,
        not_judged: without
            .into_iter()
            .map(|(why, names)| format!("{}: {}.", capitalised(&why), names.join(", ")))
            .collect(),
        entangled: r.entangled.iter().map(|e| e.sentence.clone()).collect(),
        suggestion: r.suggestion.as_ref().map(|s| s.sentence.clone()),
        summary: r.summary.clone(),
    })
}

fn capitalised(s: &str) -> String {
    let mut c = s.chars();
    c.next().map(|f| f.to_uppercase().chain(c).collect()).unwrap_or_default()
}

/// The notes typed with pain reports in the period, newest first, at most [`super::MAX_PAIN_NOTES`].
pub(super) fn pain_notes(ctx: &Ctx) -> Result<Vec<Note>> {
    let start = ctx.from.checked_sub(1.day()).unwrap_or(ctx.from);
    let from = start.to_zoned(ctx.tz.clone()).map(|z| z.timestamp()).unwrap_or(Timestamp::MIN);
    let mut notes: Vec<Note> = ctx
        .store
        .pain_reports(from, Timestamp::MAX)?
        .into_iter()
        .filter(|r| ctx.in_period(ctx.date(r.at)))
        .filter_map(|r| {
            let text = r.notes.as_deref().map(str::trim).filter(|n| !n.is_empty())?.to_string();
            Some(Note {
                date: Some(ctx.date(r.at)),
                context: Some(format!(
                    "pain log: {} {}/10, {}",
                    r.region.label(),
                    num(r.intensity.get()),
                    timing_words(r.timing)
                )),
                text,
            })
        })
        .collect();
    notes.reverse();
    notes.truncate(super::MAX_PAIN_NOTES);
    Ok(notes)
}
