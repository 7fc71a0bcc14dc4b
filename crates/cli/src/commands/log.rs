//! `runtall log`: pain, daily context and run context in a few seconds.

use super::Ctx;
use crate::args::{DayArgs, LogArgs, LogCommand, PainArgs, RunContextArgs};
use crate::error::{CliError, CliResult};
use crate::render_runs;
use jiff::Timestamp;
use jiff::civil::{Date, DateTime};
use jiff::tz::TimeZone;
use runtall_domain::assess::{DayHours, Region, Score, Surface};
use runtall_domain::journal::{DayLog, PainReport, PainTiming, ReliefUse, RunContext};
use runtall_store::{ActivityFilter, Store};

pub fn run(ctx: &Ctx, args: LogArgs) -> CliResult {
    match args.what {
        LogCommand::Pain(a) => pain(ctx, a),
        LogCommand::Day(a) => day(ctx, a),
        LogCommand::Run(a) => run_context(ctx, a),
        LogCommand::List { days } => return list(ctx, days),
        LogCommand::Delete { id } => return delete(ctx, id),
    }?;
    // Logging is when the runner is already thinking about how it goes: the moment to ask for the re-score.
    if !ctx.json {
        super::rescore::print_due(&ctx.store()?);
    }
    Ok(())
}

/// `runtall log list`: the recent pain reports with their ids, newest first, so a mistaken one can be deleted.
fn list(ctx: &Ctx, days: u32) -> CliResult {
    if !(1..=3660).contains(&days) {
        return Err(CliError::user(format!("--days {days}: choose 1 to 3660")));
    }
    let store = ctx.store()?;
    let from =
        Timestamp::now().checked_sub(jiff::SignedDuration::from_hours(24 * i64::from(days))).unwrap_or(Timestamp::MIN);
    let mut reports = store.pain_reports(from, Timestamp::MAX)?;
    reports.reverse();
    if ctx.json {
        return ctx.print_json(&reports);
    }
    if reports.is_empty() {
        println!("No pain logged in the last {}.", runtall_domain::text::count(days, "day", "days"));
        return Ok(());
    }
    let tz = TimeZone::system();
    for line in pain_rows(&reports, &tz) {
        println!("{line}");
    }
    println!("Delete a mistaken one: `runtall log delete ID`.");
    Ok(())
}

/// One row per report, in columns sized to what is listed (ids, region names), so they line up whatever the data.
fn pain_rows(reports: &[runtall_domain::journal::PainReport], tz: &TimeZone) -> Vec<String> {
    let id_w = reports.iter().map(|r| r.id.unwrap_or_default().to_string().len()).max().unwrap_or(1);
    let region_w = reports.iter().map(|r| r.region.label().chars().count()).max().unwrap_or(0);
    reports
        .iter()
        .map(|r| {
            let run = r.run_id.map(|id| format!("  run #{id}")).unwrap_or_default();
            format!(
                "#{:<id_w$}  {}  {:<region_w$}  {:>2}/10  {}{run}",
                r.id.unwrap_or_default(),
                r.at.to_zoned(tz.clone()).strftime("%Y-%m-%d %H:%M"),
                r.region.label(),
                r.intensity.get(),
                r.timing.id().replace('-', " ")
            )
        })
        .collect()
}

/// `runtall log delete ID`: removes one pain report.
fn delete(ctx: &Ctx, id: i64) -> CliResult {
    let store = ctx.store()?;
    if !runtall_app::journal::delete_pain_report(&store, id)? {
        return Err(CliError::user(format!("no pain report #{id} (see `runtall log list`)")));
    }
    if ctx.json {
        return ctx.print_json(&serde_json::json!({ "deleted": id }));
    }
    println!("Deleted pain report #{id}.");
    Ok(())
}

/// Accepts RFC 3339 (`2026-11-21T18:30:00+01:00`) or local `YYYY-MM-DD HH:MM`; errors name `flag` (`--at`,
/// `--start`), the option the runner typed.
pub fn parse_time(flag: &str, s: &str) -> CliResult<Timestamp> {
    if let Ok(t) = s.parse::<Timestamp>() {
        return Ok(t);
    }
    let civil: DateTime = s.replace(' ', "T").parse().map_err(|_| {
        CliError::user(format!("{flag} '{s}' is not a time like 2026-11-21T18:30:00+01:00 or 2026-11-21 18:30"))
    })?;
    civil.to_zoned(TimeZone::system()).map(|z| z.timestamp()).map_err(|e| CliError::user(format!("{flag} '{s}': {e}")))
}

fn today() -> Date {
    Timestamp::now().to_zoned(TimeZone::system()).date()
}

fn pain(ctx: &Ctx, a: PainArgs) -> CliResult {
    let region: Region = a.region.parse()?;
    if region == Region::Chest {
        return Err(CliError::user(
            "chest pain is not logged in the journal: it goes to the red-flag screen first. Run `runtall screen` now; \
             if you have chest pain right now, call your emergency number.",
        ));
    }
    let intensity = Score::new(a.intensity).map_err(|e| CliError::user(format!("intensity: {}", e.message)))?;
    let timing = if a.before {
        PainTiming::Before
    } else if a.during {
        PainTiming::During
    } else if a.after {
        PainTiming::RightAfter
    } else if a.next_morning {
        PainTiming::NextMorning
    } else if a.desk {
        PainTiming::AtDesk
    } else {
        PainTiming::Other
    };
    let at = match &a.at {
        Some(s) => parse_time("--at", s)?,
        None => Timestamp::now(),
    };
    let store = ctx.store()?;
    let report = PainReport { id: None, at, timing, region, intensity, run_id: a.run, notes: a.note };
    let report = match runtall_app::journal::log_pain(&store, report, Timestamp::now()) {
        Err(runtall_app::AppError::Input(e)) if e.field == "run" => {
            return Err(CliError::user(format!("{} (see `runtall runs`)", e.message)));
        }
        other => other?,
    };
    let run_id = report.run_id;
    if ctx.json {
        return ctx.print_json(&report);
    }
    let linked = match run_id {
        Some(id) => format!(", linked to run #{id}"),
        None if timing.is_about_a_run() => " (no run found near that time to link; pass --run ID)".into(),
        None => String::new(),
    };
    let id = report.id.unwrap_or_default();
    println!("Logged #{id}: {} {}/10, {}{linked}.", region.label(), intensity.get(), timing.id());
    if intensity.get() > 5.0 {
        println!(
            "Above 5/10 is more than the program aims for: ease the next run and see `runtall habits --area load`."
        );
    }
    Ok(())
}

fn hours(flag: &str, v: Option<f64>) -> CliResult<Option<DayHours>> {
    v.map(|h| DayHours::new(h).map_err(|e| CliError::user(format!("--{flag}: {}", e.message)))).transpose()
}

fn day(ctx: &Ctx, a: DayArgs) -> CliResult {
    let date = match &a.date {
        Some(s) => {
            s.parse::<Date>().map_err(|_| CliError::user(format!("--date '{s}' is not a date like 2026-11-21")))?
        }
        None => today(),
    };
    let mut relief = Vec::new();
    for r in &a.relief {
        let use_ = match r.trim() {
            "heat" => ReliefUse::Heat,
            "ice" => ReliefUse::Ice,
            "topical" => ReliefUse::Topical,
            "magnesium" => ReliefUse::Magnesium,
            "tape" => ReliefUse::Tape,
            other => {
                return Err(CliError::user(format!(
                    "--relief '{other}': expected heat, ice, topical, magnesium or tape"
                )));
            }
        };
        relief.push(use_);
    }
    if a.magnesium_mg.is_some() && !relief.contains(&ReliefUse::Magnesium) {
        relief.push(ReliefUse::Magnesium);
    }
    let store = ctx.store()?;
    // Merge into the day's existing entry so several quick logs in a day add up instead of overwriting.
    let existing = runtall_app::journal::day(&store, date)?;
    let mut log = existing.unwrap_or_else(|| DayLog::empty(date));
    if let Some(h) = hours("sitting", a.sitting)? {
        log.sitting_h = Some(h);
    }
    if let Some(h) = hours("longest-sitting", a.longest_sitting)? {
        log.longest_sitting_h = Some(h);
    }
    if let Some(h) = hours("car", a.car)? {
        log.car_h = Some(h);
    }
    if let Some(h) = hours("sleep", a.sleep)? {
        log.sleep_h = Some(h);
    }
    if let Some(s) = a.stress {
        log.stress = Some(Score::new(s).map_err(|e| CliError::user(format!("--stress: {}", e.message)))?);
    }
    log.strength_done |= a.strength;
    log.mobility_done |= a.mobility;
    for r in relief {
        if !log.relief.contains(&r) {
            log.relief.push(r);
        }
    }
    if a.magnesium_mg.is_some() {
        log.magnesium_mg = a.magnesium_mg;
    }
    let warnings = runtall_app::journal::save_day(&store, &log, today())?;
    if ctx.json {
        return ctx.print_json(&serde_json::json!({ "day": log, "warnings": warnings }));
    }
    println!("Logged the day {}.", log.date);
    for w in warnings {
        println!("! {w}");
    }
    Ok(())
}

fn yes_no(yes: bool, no: bool) -> Option<bool> {
    match (yes, no) {
        (true, _) => Some(true),
        (false, true) => Some(false),
        _ => None,
    }
}

fn run_context(ctx: &Ctx, a: RunContextArgs) -> CliResult {
    let store = ctx.store()?;
    let run_id = match a.run {
        Some(id) => id,
        None => store
            .activities(&ActivityFilter { limit: Some(1), ..Default::default() })?
            .first()
            .map(|r| r.id)
            .ok_or_else(|| CliError::user("no runs yet: import your watch files with `runtall import PATH`"))?,
    };
    let run = store.activity(run_id)?.ok_or_else(|| CliError::user(format!("no run with id {run_id}")))?;
    let surface = a
        .surface
        .as_deref()
        .map(|s| {
            Surface::ALL.into_iter().find(|x| x.id() == s).ok_or_else(|| {
                CliError::user(format!("--surface '{s}': expected road, concrete, track, treadmill, trail or grass"))
            })
        })
        .transpose()?;
    let mut c = store.run_context(run_id)?.unwrap_or(RunContext::empty(run_id));
    c.pack = yes_no(a.pack, a.no_pack).or(c.pack);
    c.surface = surface.or(c.surface);
    c.ate_within_2h = yes_no(a.ate, a.no_ate).or(c.ate_within_2h);
    c.pre_run_done = yes_no(a.pre_run, a.no_pre_run).or(c.pre_run_done);
    c.post_run_done = yes_no(a.post_run, a.no_post_run).or(c.post_run_done);
    runtall_app::journal::save_run_context(&store, &c)?;
    if ctx.json {
        return ctx.print_json(&c);
    }
    let a = &run.activity;
    println!(
        "Logged context for run #{run_id} ({} {}, {}).",
        a.start.strftime("%Y-%m-%d"),
        render_runs::distance(a.distance_m, runtall_domain::profile::Units::Km),
        render_runs::duration(a.moving_s)
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use runtall_domain::assess::{Region, Score};
    use runtall_domain::journal::{PainReport, PainTiming};

    #[test]
    fn pain_rows_line_up_whatever_the_ids_and_regions() {
        let report = |id, region, intensity| PainReport {
            id: Some(id),
            at: "2026-11-21T18:30:00Z".parse().expect("time"),
            timing: PainTiming::RightAfter,
            region,
            intensity: Score::new(intensity).expect("score"),
            run_id: None,
            notes: None,
        };
        let reports = [report(7, Region::Neck, 3.0), report(12345, Region::UpperTrapRight, 10.0)];
        let rows = super::pain_rows(&reports, &jiff::tz::TimeZone::UTC);
        let col = |r: &String| r.find("/10").expect("score column");
        assert_eq!(col(&rows[0]), col(&rows[1]), "{rows:#?}");
        assert!(rows[0].ends_with("right after") && !rows[0].contains("right-after"), "{rows:#?}");
    }
}
