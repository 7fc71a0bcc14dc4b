//! Interactive prompts. Safety questions have no default: an empty answer is asked again, never taken as "no".

use crate::error::{CliError, CliResult};
use inquire::validator::Validation;
use inquire::{Confirm, CustomType, MultiSelect, Select, Text};
use runtall_content::{Equipment, FlagLevel, Program};
use runtall_domain::assess::*;
use runtall_domain::profile::{ALL_CONDITIONS, Units, condition_label};
use runtall_domain::screen::{ScreenAnswers, TriggeredFlag};
use std::io::IsTerminal;

use runtall_domain::units::KM_PER_MI;

fn need_terminal() -> CliResult {
    if !std::io::stdin().is_terminal() {
        return Err(CliError::user("no terminal to ask questions on: pass --answers FILE (see docs/answers.md)"));
    }
    Ok(())
}

/// Asks every red-flag question, most urgent first. Stops at the first level A "yes": nothing else matters then,
/// and the remaining questions stay unanswered (never recorded as "no").
pub fn screen(program: &Program) -> CliResult<ScreenAnswers> {
    need_terminal()?;
    println!("Red-flag screen. Answer each question y or n. If you feel unwell right now, stop and call for help.\n");
    let mut answers = ScreenAnswers::default();
    let mut flags: Vec<_> = program.red_flags.iter().collect();
    flags.sort_by_key(|f| f.level);
    for f in flags {
        let yes = Confirm::new(&f.question).with_help_message("y or n (no default)").prompt()?;
        answers.0.insert(f.id.clone(), yes);
        if yes && f.level == FlagLevel::A {
            break;
        }
    }
    Ok(answers)
}

/// Level C: asked again at each plan.
pub fn clinician_checked(flags: &[TriggeredFlag], holds: &[runtall_domain::plan::Reason]) -> CliResult<bool> {
    println!("Your answers flagged something a clinician should check before the full program:");
    for f in flags {
        println!("  • {}", f.short);
    }
    for h in holds {
        println!("  • {}", h.text);
    }
    Ok(Confirm::new("Has a clinician checked this since?").with_default(false).prompt()?)
}

/// Multiple choice over a fixed list, shown by label.
fn pick_many<T: Copy>(question: &str, items: &[T], label: fn(T) -> &'static str) -> CliResult<Vec<T>> {
    let labels: Vec<&str> = items.iter().map(|i| label(*i)).collect();
    let chosen = MultiSelect::new(question, labels).raw_prompt()?;
    Ok(chosen.into_iter().filter_map(|o| items.get(o.index).copied()).collect())
}

/// Multiple choice that needs at least one answer, asked again on the spot: the assessment is refused without it,
/// and finding that out at the end would lose every answer given after it.
fn pick_at_least_one<T: Copy>(
    question: &str,
    items: &[T],
    label: fn(T) -> &'static str,
    why: &'static str,
) -> CliResult<Vec<T>> {
    let labels: Vec<&str> = items.iter().map(|i| label(*i)).collect();
    let chosen = MultiSelect::new(question, labels)
        .with_validator(move |chosen: &[inquire::list_option::ListOption<&&str>]| {
            Ok(if chosen.is_empty() { Validation::Invalid(why.into()) } else { Validation::Valid })
        })
        .raw_prompt()?;
    Ok(chosen.into_iter().filter_map(|o| items.get(o.index).copied()).collect())
}

fn pick_one<T: Copy>(question: &str, items: &[T], label: fn(T) -> &'static str) -> CliResult<T> {
    let labels: Vec<&str> = items.iter().map(|i| label(*i)).collect();
    let chosen = Select::new(question, labels).raw_prompt()?;
    items.get(chosen.index).copied().ok_or_else(|| CliError::Internal(anyhow::anyhow!("selection out of range")))
}

fn number(question: &str, min: f64, max: f64, unit: &str) -> CliResult<f64> {
    let help = format!("{min}–{max}{unit}");
    Ok(CustomType::<f64>::new(question)
        .with_help_message(&help)
        .with_error_message("type a number")
        .with_validator(move |v: &f64| {
            Ok(if v.is_finite() && *v >= min && *v <= max {
                Validation::Valid
            } else {
                Validation::Invalid(format!("allowed {min}–{max}").into())
            })
        })
        .prompt()?)
}

fn distance(question: &str, max_km: f64, units: Units) -> CliResult<f64> {
    match units {
        Units::Km => number(&format!("{question} (km)"), 0.0, max_km, " km"),
        Units::Mi => Ok(number(&format!("{question} (miles)"), 0.0, (max_km / KM_PER_MI).floor(), " mi")? * KM_PER_MI),
    }
}

fn bounded<T>(value: f64, make: fn(f64) -> Result<T, runtall_domain::InputError>) -> CliResult<T> {
    Ok(make(value)?)
}

pub fn assessment(units: Units) -> CliResult<Assessment> {
    need_terminal()?;
    println!("Assessment: about 3 minutes. Space selects, Enter confirms.\n");
    let regions = pick_at_least_one(
        "Where does it hurt?",
        &Region::ALL,
        Region::label,
        "choose at least one region where it hurts (space selects)",
    )?;
    if regions.contains(&Region::Chest) {
        return Ok(Assessment {
            regions,
            when: vec![],
            exposures: placeholder_exposures()?,
            baseline_pain: Score::new(0.0)?,
            psfs: vec![],
            conditions: vec![],
            equipment: vec![],
            age: None,
        });
    }
    let when = pick_many("When does it show up?", &When::ALL, When::label)?;
    let baseline = number("Usual pain over the last week, 0 (none) to 10 (worst imaginable)", 0.0, 10.0, "")?;
    let runs = number("Runs per week", 0.0, 14.0, "")?;
    let weekly = distance("Distance per week", 400.0, units)?;
    // Asked again on the spot when longer than the week's distance: the assessment is refused otherwise, at the end.
    let long = loop {
        let long = distance("Usual long run (0 if none)", 250.0, units)?;
        if weekly <= 0.0 || long <= weekly {
            break long;
        }
        let shown = |km: f64| match units {
            Units::Km => format!("{km:.1} km"),
            Units::Mi => format!("{:.1} miles", km / KM_PER_MI),
        };
        println!("  A usual long run of {} is longer than the week's {}: type it again.", shown(long), shown(weekly));
    };
    let speed = number("Speed sessions (intervals, tempo, hills) per week", 0.0, runs, "")?;
    let surfaces = pick_many("Surfaces you run on", &Surface::ALL, Surface::label)?;
    let pack =
        pick_one("Hydration pack or vest?", &[PackUse::Never, PackUse::LongRuns, PackUse::MostRuns], PackUse::label)?;
    let sitting = number("Hours sitting on a typical day", 0.0, 24.0, " h")?;
    let car = number("Hours in a car per week", 0.0, 168.0, " h")?;
    let years = number("Years running", 0.0, 80.0, " years")?;
    let destination = Confirm::new("Training for a race you will travel to?").with_default(false).prompt()?;
    println!(
        "\nFunctional scale: name 3 to 5 activities the pain makes hard, and rate each 0 (can't) to 10 (as before)."
    );
    let mut psfs = Vec::new();
    while psfs.len() < 5 {
        let optional = psfs.len() >= 3;
        let label = format!("Activity {}{}", psfs.len() + 1, if optional { " (Enter to finish)" } else { "" });
        let activity = Text::new(&label).prompt()?;
        if activity.trim().is_empty() {
            if optional {
                break;
            }
            continue;
        }
        let score = number("  How well can you do it now? 0–10", 0.0, 10.0, "")?;
        psfs.push(PsfsItem { activity: activity.trim().to_string(), score: Score::new(score)? });
    }
    let conditions = pick_many("Any of these? (rules some items out)", &ALL_CONDITIONS, condition_label)?;
    let equipment = pick_many(
        "Equipment you have",
        &[Equipment::Mat, Equipment::Band, Equipment::FoamRoller, Equipment::Towel, Equipment::LightWeights],
        runtall_domain::plan::equipment_label,
    )?;
    let age_text = Text::new("Age (optional, Enter to skip)")
        .with_validator(|v: &str| {
            let v = v.trim();
            Ok(if v.is_empty() || v.parse::<u32>().is_ok_and(|a| (10..=110).contains(&a)) {
                Validation::Valid
            } else {
                Validation::Invalid("a whole number of years, 10–110, or empty".into())
            })
        })
        .prompt()?;
    let age = age_text.trim().parse::<u32>().ok();
    Ok(Assessment {
        regions,
        when,
        exposures: Exposures {
            runs_per_week: bounded(runs, PerWeek::new)?,
            weekly_km: bounded(weekly, WeeklyKm::new)?,
            long_run_km: bounded(long, RunKm::new)?,
            speed_sessions_per_week: bounded(speed, PerWeek::new)?,
            surfaces,
            hydration_pack: pack,
            sitting_hours_per_day: bounded(sitting, DayHours::new)?,
            car_hours_per_week: bounded(car, WeekHours::new)?,
            years_running: bounded(years, Years::new)?,
            destination_race: destination,
        },
        baseline_pain: Score::new(baseline)?,
        psfs,
        conditions,
        equipment,
        age,
    })
}

/// The two-weekly functional-scale re-score: the same activities, each rated again, with the last rating shown so
/// the runner rates change rather than guessing from scratch.
pub fn psfs_rescore(items: &[PsfsItem]) -> CliResult<Vec<f64>> {
    if !std::io::stdin().is_terminal() {
        return Err(CliError::user(
            "no terminal to ask questions on: pass the ratings with --psfs \"1=6,2=7,3=8\" (see `runtall assess --help`)",
        ));
    }
    println!("Functional scale: how well can you do each activity now? 0 (can't) to 10 (as before the pain).\n");
    let mut out = Vec::with_capacity(items.len());
    for item in items {
        out.push(number(&format!("{} (last time {})", item.activity, item.score.get()), 0.0, 10.0, "")?);
    }
    Ok(out)
}

fn placeholder_exposures() -> CliResult<Exposures> {
    Ok(Exposures {
        runs_per_week: PerWeek::new(0.0)?,
        weekly_km: WeeklyKm::new(0.0)?,
        long_run_km: RunKm::new(0.0)?,
        speed_sessions_per_week: PerWeek::new(0.0)?,
        surfaces: vec![],
        hydration_pack: PackUse::Never,
        sitting_hours_per_day: DayHours::new(0.0)?,
        car_hours_per_week: WeekHours::new(0.0)?,
        years_running: Years::new(0.0)?,
        destination_race: false,
    })
}
