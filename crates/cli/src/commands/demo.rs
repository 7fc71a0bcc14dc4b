//! `runtall demo`: a realistic sample runner, screened and assessed, and their real plan.
//!
//! The demo goes through the same store and rules as a real runner, so what it prints is what the program does.
//! It never overwrites a real runner's data without `--force`.

use super::Ctx;
use crate::args::DemoArgs;
use crate::error::{CliError, CliResult};
use jiff::{Timestamp, ToSpan};
use runtall_app::plan::PlanInputs;
use runtall_domain::assess::{Assessment, parse_answers};
use runtall_domain::plan;
use runtall_domain::profile::{Profile, Units};
use runtall_domain::screen::ScreenAnswers;
use runtall_store::Store;

/// The sample runner's answers: the documented example file, so the README's example and the demo agree.
const SAMPLE_ASSESSMENT: &str = include_str!("../../../../examples/assessment.toml");

pub fn sample_assessment() -> CliResult<Assessment> {
    parse_answers("examples/assessment.toml", SAMPLE_ASSESSMENT).map_err(|e| CliError::Internal(anyhow::anyhow!("{e}")))
}

pub fn run(ctx: &Ctx, args: DemoArgs) -> CliResult {
    let store = ctx.store()?;
    if store.holds_real_data()? && !args.force {
        return Err(CliError::user(format!(
            "{} already holds a real runner's data; the demo will not touch it. Use another file \
             (`runtall --db /tmp/demo.db demo`) or pass --force to replace everything.",
            ctx.db_path.display()
        )));
    }
    runtall_app::posture::delete_all(&store, &runtall_app::posture::PhotoStore::beside(&ctx.db_path))?;
    let now = Timestamp::now();
    let profile =
        Profile { name: "Sam (sample runner)".into(), units: Units::Km, country: None, demo: true, day_budget: None };
    runtall_app::profile::save(&store, &profile)?;

    // Sam started the program when the season began: screen, assessment and plan on its first morning, so progress
    // has a season of adherence to show; a re-score of the functional scale six weeks in; and a fresh screen today.
    let first_day = season_first_day(now);
    let started = first_day.to_zoned(jiff::tz::TimeZone::UTC).map(|z| z.timestamp()).unwrap_or(now);
    let answers = ScreenAnswers::all_no(ctx.program);
    let (screening, _) = runtall_app::screen::record(&store, ctx.program, answers.clone(), started)?;

    let assessment = sample_assessment()?;
    assessment.check()?;
    let assessed = runtall_app::assessment::record(&store, assessment, started)?;

    let perm = runtall_domain::safety::gate(
        ctx.program,
        &runtall_domain::safety::SafetyInputs { screening: Some(&screening), assessment: Some(&assessed.assessment) },
    );
    let built = plan::build(ctx.program, &assessed.assessment, &perm)?;
    let planned_at = started.checked_add(10.minutes()).unwrap_or(started);
    // A fresh journal has no plan yet, so the plan-storage rule stores this one.
    let inputs = PlanInputs::of(Some(&screening), &assessed, &perm);
    runtall_app::plan::keep_current(&store, inputs, built, planned_at)?;
    let mut rescored = assessed.assessment.clone();
    let rescored_at = started.checked_add(jiff::SignedDuration::from_hours(24 * 7 * 6)).unwrap_or(started);
    for (item, score) in rescored.psfs.iter_mut().zip([7.0, 6.0, 8.0]) {
        item.score = runtall_domain::assess::Score::new(score)?;
    }
    runtall_app::assessment::record(&store, rescored, rescored_at)?;
    let today_screen = now.checked_sub(10.minutes()).unwrap_or(now);
    runtall_app::screen::record(&store, ctx.program, answers, today_screen)?;

    let season = load_season(ctx, &store)?;
    // The season-start plan above stays in the history (progress counts adherence from it); what is shown is the
    // plan `runtall plan` shows from now on: for today's screen and the re-scored assessment, with today on top.
    let perm = ctx.permissions(&store)?;
    let screening = store.latest_screening()?;
    let assessment =
        store.latest_assessment()?.ok_or_else(|| CliError::Internal(anyhow::anyhow!("the demo's assessment")))?;
    let record = super::plan::keep_current(ctx, &store, &perm, screening.as_ref(), &assessment)?;

    if ctx.json {
        return ctx.print_json(&serde_json::json!({ "plan": record, "season": season }));
    }
    println!(
        "Sample runner loaded into {}.\n{} weeks of Sam's runs were written as FIT files to {} and imported \
         ({} runs, {} pain reports, {} days of context).\n",
        ctx.db_path.display(),
        SEASON_WEEKS,
        season.watch_dir.display(),
        season.runs,
        season.pain_reports,
        season.days
    );
    println!(
        "Sam runs 4 times a week (42 km, long run 18 km, one speed session), sits 9 h a \
         day, wears a pack on long runs, and has neck, right upper-trapezius and between-the-shoulder-blades pain \
         (5/10). Their red-flag screen was clear. This is Sam's plan:\n"
    );
    super::plan::render_with_today(ctx, &store, &perm, &record, &profile)?;
    let report = super::insights::report(&store)?;
    println!();
    super::insights::print_report(&report);
    println!();
    super::insights::print_status(&store)?;
    let today = now.to_zoned(jiff::tz::TimeZone::system()).date();
    let progress = runtall_app::progress::progress(&store, today)?;
    println!("Routines: {}", progress.adherence.sentence);
    println!(
        "\nTry next:  runtall progress    runtall insights    runtall experiment status    runtall assess --rescore"
    );
    println!(
        "           runtall plan --for-run long    runtall exercises foam-roller-thoracic-extension    runtall learn 1\n\
         Your own:  runtall --db my.db screen   (then assess, then plan)\n\
         Sam's runs: runtall runs    (and `runtall runs show ID` for one)"
    );
    Ok(())
}

const SEASON_WEEKS: i64 = 12;

/// The season's last day: the latest Saturday before today (UTC), so its weeks always run Sunday to Saturday.
///
/// Why not simply yesterday: the generator draws its random numbers day by day and schedules runs by weekday, so a
/// season ending on another weekday is a different season. With yesterday the demo's insights changed with the day
/// of the week (the planted pack pattern ranked 2nd on some days and 4th on others, behind the trail runs it travels
/// with); anchored to one weekday, every `runtall demo` shows the same season, shifted in time.
fn season_last_day(now: Timestamp) -> jiff::civil::Date {
    let today = now.to_zoned(jiff::tz::TimeZone::UTC).date();
    let mut day = today.yesterday().unwrap_or(today);
    while day.weekday() != jiff::civil::Weekday::Saturday {
        day = day.yesterday().unwrap_or(day);
    }
    day
}

/// The season's first day, as [`load_season`] lays it out: `SEASON_WEEKS` weeks ending on [`season_last_day`].
fn season_first_day(now: Timestamp) -> jiff::civil::DateTime {
    let last_day = season_last_day(now);
    let first = last_day.checked_sub(jiff::SignedDuration::from_hours(24 * (7 * SEASON_WEEKS - 1))).unwrap_or(last_day);
    first.at(6, 30, 0, 0)
}
const SEASON_SEED: u64 = 20_261_122;

#[derive(serde::Serialize)]
struct SeasonLoaded {
    watch_dir: std::path::PathBuf,
    runs: usize,
    pain_reports: usize,
    days: usize,
}

/// Writes Sam's season as FIT files next to the database, imports them through the normal import path, and
/// logs the season's run context, pain reports and day logs.
fn load_season(ctx: &Ctx, store: &dyn Store) -> CliResult<SeasonLoaded> {
    use runtall_domain::journal::{PainReport, RunContext, link_run};
    use runtall_sample::{fit, season};

    let now = Timestamp::now();
    let last_day = season_last_day(now);
    // Sam started a pack-on/pack-off experiment two weeks ago, as the insights suggested.
    let experiment_start = last_day.checked_sub(jiff::SignedDuration::from_hours(24 * 13)).unwrap_or(last_day);
    let design = runtall_insights::ExperimentDesign::recommended(
        runtall_insights::ExperimentFactor::Pack,
        runtall_insights::ExperimentUnit::Runs,
        SEASON_SEED,
    );
    let s = season::generate(last_day, SEASON_WEEKS, SEASON_SEED, Some((experiment_start, &design)));
    let dir = ctx.db_path.parent().map(|p| p.to_path_buf()).unwrap_or_default().join("demo-watch-files");
    std::fs::create_dir_all(&dir).map_err(|e| CliError::user(format!("cannot create {}: {e}", dir.display())))?;
    for r in &s.runs {
        let bytes = fit::encode(&r.sim).map_err(|e| CliError::Internal(anyhow::anyhow!(e)))?;
        let kind = format!("{:?}", r.kind).to_lowercase();
        let name = format!("{}-{kind}.fit", r.sim.start.strftime("%Y-%m-%d-%H%M"));
        let path = dir.join(name);
        std::fs::write(&path, bytes).map_err(|e| CliError::user(format!("cannot write {}: {e}", path.display())))?;
    }
    let summary = super::import::import_paths(store, std::slice::from_ref(&dir), 0, false)?;
    if !summary.failed.is_empty() {
        return Err(CliError::Internal(anyhow::anyhow!("demo files failed to import: {:?}", summary.failed)));
    }
    // Find each season run among the stored activities by its start time.
    let stored = store.activities(&runtall_store::ActivityFilter::default())?;
    let mut ids = Vec::with_capacity(s.runs.len());
    for r in &s.runs {
        let id = stored.iter().find(|a| a.start == r.sim.start).map(|a| a.id);
        ids.push(id);
        if let Some(run_id) = id {
            runtall_app::journal::save_run_context(
                store,
                &RunContext {
                    run_id,
                    pack: Some(r.pack),
                    surface: Some(r.surface),
                    ate_within_2h: Some(r.ate_within_2h),
                    pre_run_done: Some(r.pre_run_done),
                    post_run_done: Some(r.post_run_done),
                },
            )?;
        }
    }
    let spans: Vec<(i64, Timestamp, Timestamp)> = stored
        .iter()
        .map(|a| {
            (a.id, a.start, a.start.checked_add(jiff::SignedDuration::from_secs_f64(a.elapsed_s)).unwrap_or(a.start))
        })
        .collect();
    for p in &s.pain {
        let run_id = match p.run {
            Some(i) => ids.get(i).copied().flatten(),
            None => link_run(p.at, p.timing, &spans),
        };
        let report = PainReport {
            id: None,
            at: p.at,
            timing: p.timing,
            region: p.region,
            intensity: runtall_domain::assess::Score::new(p.intensity)?,
            run_id,
            notes: None,
        };
        runtall_app::journal::log_pain(store, report, now)?;
    }
    let today = now.to_zoned(jiff::tz::TimeZone::UTC).date();
    for d in &s.days {
        runtall_app::journal::save_day(store, d, today)?;
    }
    super::insights::start_experiment(store, design, experiment_start)?;
    Ok(SeasonLoaded { watch_dir: dir, runs: summary.imported, pain_reports: s.pain.len(), days: s.days.len() })
}
