//! The stored journal (runs, their context, day logs, pain reports) as one observation per run for the engine.

use crate::Result;
use crate::sessions::{InferredRoutines, completed_sessions, infer_for_run};
use jiff::civil::Date;
use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp};
use runtall_domain::assess::Surface;
use runtall_domain::classify::RunLabel;
use runtall_domain::journal::{DayLog, PainTiming, RunContext};
use runtall_insights::{
    AnalysisConfig, InsightsReport, LinkedPainReport, RunObservation, SurfaceKind, analyze, fill_load_flags,
    run_outcome,
};
use runtall_store::{ActivityFilter, ActivityKind, ActivityRow, Store};
use std::collections::HashMap;

/// The calendar date a run happened on where the runner was (the watch's offset), falling back to UTC.
pub fn local_date(t: Timestamp, offset_s: Option<i32>) -> Date {
    let shifted = t.checked_add(SignedDuration::from_secs(i64::from(offset_s.unwrap_or(0)))).unwrap_or(t);
    shifted.to_zoned(TimeZone::UTC).date()
}

fn run_type(label: Option<RunLabel>) -> runtall_insights::RunLabel {
    use runtall_insights::RunLabel as Observed;
    match label {
        Some(RunLabel::Long) => Observed::Long,
        Some(RunLabel::Intervals) => Observed::Intervals,
        Some(RunLabel::Tempo) => Observed::Tempo,
        Some(RunLabel::Race) => Observed::Race,
        Some(RunLabel::Trail) => Observed::Trail,
        Some(RunLabel::Easy) | None => Observed::Easy,
    }
}

fn timing(t: PainTiming) -> runtall_insights::PainTiming {
    use runtall_insights::PainTiming as P;
    match t {
        PainTiming::Before => P::Before,
        PainTiming::During => P::During,
        PainTiming::RightAfter => P::RightAfter,
        PainTiming::NextMorning => P::NextMorning,
        PainTiming::AtDesk => P::AtDesk,
        PainTiming::Other => P::Other,
    }
}

/// Hard surfaces are the ones the article singles out (road, concrete); everything else counts as soft.
pub fn surface_kind(s: Surface) -> SurfaceKind {
    if matches!(s, Surface::Road | Surface::Concrete) { SurfaceKind::Hard } else { SurfaceKind::Soft }
}

/// When a run ended: its start plus the elapsed time (pauses included), or its start when that is unusable.
pub fn run_end(r: &ActivityRow) -> Timestamp {
    SignedDuration::try_from_secs_f64(r.elapsed_s.max(0.0))
        .ok()
        .and_then(|d| r.start.checked_add(d).ok())
        .unwrap_or(r.start)
}

/// Every run's context as the statistics should see it: what the runner logged by hand, with the pre-run and
/// post-run answers they left open filled in from completed guided sessions around the run ([`infer_for_run`]).
/// A hand-logged answer always wins, "no" included: the runner knows whether the session was for this run.
/// Runs without any context and without a matching session are left out, as before.
pub fn run_contexts(store: &dyn Store, runs: &[ActivityRow]) -> Result<HashMap<i64, RunContext>> {
    let mut contexts: HashMap<i64, RunContext> = store.run_contexts()?.into_iter().map(|c| (c.run_id, c)).collect();
    let sessions = completed_sessions(store)?;
    if sessions.is_empty() {
        return Ok(contexts);
    }
    for r in runs {
        let inferred = infer_for_run(r.start, run_end(r), &sessions);
        if inferred == InferredRoutines::default() {
            continue;
        }
        let c = contexts.entry(r.id).or_insert_with(|| RunContext::empty(r.id));
        c.pre_run_done = c.pre_run_done.or(inferred.pre_run_done);
        c.post_run_done = c.post_run_done.or(inferred.post_run_done);
    }
    Ok(contexts)
}

/// The stored runs (not rides or walks), oldest first.
pub fn runs(store: &dyn Store) -> Result<Vec<ActivityRow>> {
    let mut rows = store.activities(&ActivityFilter::default())?;
    rows.retain(|r| r.sport.is_run());
    rows.reverse();
    Ok(rows)
}

/// Hours of other sports (rides, swims, walks, hikes) per local date, from the imported activities that are not
/// runs. Empty when the journal has none, so runners who only import runs get no "0 h" readings.
pub fn cross_training_hours(store: &dyn Store) -> Result<HashMap<Date, f64>> {
    let rows = store.activities(&ActivityFilter { kind: ActivityKind::CrossTraining, ..Default::default() })?;
    let mut hours: HashMap<Date, f64> = HashMap::new();
    for r in rows.iter().filter(|r| r.moving_s.is_finite() && r.moving_s > 0.0) {
        *hours.entry(local_date(r.start, r.utc_offset_s)).or_default() += r.moving_s / 3600.0;
    }
    Ok(hours)
}

/// Pain reports from `from` on, by the run they are linked to, as the engine reads them.
pub fn linked_pain(store: &dyn Store, from: Timestamp) -> Result<HashMap<i64, Vec<LinkedPainReport>>> {
    let mut pain: HashMap<i64, Vec<LinkedPainReport>> = HashMap::new();
    for p in store.pain_reports(from, Timestamp::MAX)? {
        if let Some(run) = p.run_id {
            let intensity = p.intensity.get().round().clamp(0.0, 10.0) as u8;
            pain.entry(run).or_default().push(LinkedPainReport { timing: timing(p.timing), intensity });
        }
    }
    Ok(pain)
}

/// Hours in a car on a logged day, as the statistics read them. People note a drive when there was one and leave
/// the field empty on the days without: read as "unknown", car travel would have no runs without it and could
/// never be judged (issue 13: car travel was "not judged" for about a third of simulated runners who logged this
/// way). So once a journal holds car hours on any day, a day logged without them counts as no driving (0 h); a
/// runner who never fills the field keeps "unknown", and a day with no log at all stays unknown either way. The
/// journal itself is untouched: the blank stays blank in exports.
pub fn car_hours_of(days: &HashMap<Date, DayLog>) -> impl Fn(&DayLog) -> Option<f64> {
    let logs_car = days.values().any(|d| d.car_h.is_some());
    move |d: &DayLog| d.car_h.map(|h| h.get()).or(logs_car.then_some(0.0))
}

/// One observation per run, oldest first, with the run's id so results can point back at it.
pub fn observations(store: &dyn Store) -> Result<Vec<(i64, RunObservation)>> {
    let rows = runs(store)?;
    let contexts = run_contexts(store, &rows)?;
    let days: HashMap<Date, DayLog> = store.day_logs(Date::MIN, Date::MAX)?.into_iter().map(|d| (d.date, d)).collect();
    let car = car_hours_of(&days);
    let pain = linked_pain(store, Timestamp::MIN)?;
    let other_sports = cross_training_hours(store)?;
    let mut ids = Vec::with_capacity(rows.len());
    let mut obs = Vec::with_capacity(rows.len());
    for r in &rows {
        let date = local_date(r.start, r.utc_offset_s);
        let mut o = RunObservation::new(date, run_type(r.label), r.distance_m / 1000.0);
        o.id = Some(r.id.to_string());
        // Raw measurements, so the engine can look for the cut point that fits (see `runtall_insights::exposures`).
        o.duration_min = (r.moving_s > 0.0).then(|| r.moving_s / 60.0);
        o.ascent_m = r.ascent_m.filter(|a| (0.0..=20_000.0).contains(a));
        if let Some(c) = contexts.get(&r.id) {
            o.context.pack_worn = c.pack;
            o.context.surface = c.surface.map(surface_kind);
            o.context.ate_within_2h = c.ate_within_2h;
            o.context.pre_run_routine_done = c.pre_run_done;
            o.context.post_run_reset_done = c.post_run_done;
        }
        if let Some(d) = days.get(&date) {
            o.context.sitting_hours = d.sitting_h.map(|h| h.get());
            o.context.longest_sitting_hours = d.longest_sitting_h.map(|h| h.get());
            o.context.car_hours_same_day = car(d);
            o.context.sleep_hours = d.sleep_h.map(|h| h.get());
            o.context.stress = d.stress.map(|s| s.get().round() as u8);
        }
        // The day before is kept apart from the day itself: a Saturday run does not inherit Friday's drive; the
        // engine tests the day-before readings as lagged effects of their own.
        if let Some(prev) = date.yesterday().ok().and_then(|y| days.get(&y)) {
            o.context.car_hours_day_before = car(prev);
            o.context.sitting_hours_day_before = prev.sitting_h.map(|h| h.get());
        }
        // Other sports count as context: none the day before is a real zero once the journal holds any.
        if !other_sports.is_empty() {
            let yesterday = date.yesterday().ok();
            o.context.cross_training_hours_day_before =
                Some(yesterday.and_then(|y| other_sports.get(&y)).copied().unwrap_or(0.0).min(24.0));
        }
        let outcome = run_outcome(pain.get(&r.id).map(Vec::as_slice).unwrap_or(&[]))?;
        o.pain_followed = outcome.pain_followed;
        o.max_pain = outcome.max_pain;
        ids.push(r.id);
        obs.push(o);
    }
    fill_load_flags(&mut obs, &[])?;
    Ok(ids.into_iter().zip(obs).collect())
}

/// The engine's report on the whole journal.
pub fn report(store: &dyn Store) -> Result<InsightsReport> {
    let obs: Vec<RunObservation> = observations(store)?.into_iter().map(|(_, o)| o).collect();
    report_of(&obs)
}

/// The engine's report on some of the journal's observations (a report for one period), with the settings the
/// Insights page uses.
pub fn report_of(obs: &[RunObservation]) -> Result<InsightsReport> {
    Ok(analyze(obs, &AnalysisConfig::default())?)
}
