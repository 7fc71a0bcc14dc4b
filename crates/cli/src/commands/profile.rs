//! `runtall profile`: name, country (emergency number) and units.

use super::Ctx;
use crate::args::ProfileArgs;
use crate::error::{CliError, CliResult};
use runtall_domain::emergency::is_known_country;
use runtall_domain::profile::Units;

pub fn run(ctx: &Ctx, args: ProfileArgs) -> CliResult {
    let store = ctx.store()?;
    let mut profile = ctx.profile_or_default(&store)?;
    let changing = args.name.is_some()
        || args.country.is_some()
        || args.units.is_some()
        || args.run_day_minutes.is_some()
        || args.rest_day_minutes.is_some();
    if let Some(name) = args.name {
        let name = name.trim().to_string();
        let max = runtall_domain::text::PROFILE_NAME_MAX_CHARS;
        if name.is_empty() || runtall_domain::text::longer_than(&name, max) {
            return Err(CliError::user(format!("--name must be 1–{max} characters")));
        }
        profile.name = name;
        profile.demo = false;
    }
    if let Some(country) = args.country {
        let code = country.trim().to_ascii_uppercase();
        if code.len() != 2 || !code.chars().all(|c| c.is_ascii_alphabetic()) {
            return Err(CliError::user(format!("--country '{country}' must be a two-letter code such as US, GB, DE")));
        }
        if !is_known_country(&code) {
            eprintln!("note: no emergency number on file for {code}; screens will show 911 (US/Canada) or 112.");
        }
        profile.country = Some(code);
        profile.demo = false;
    }
    if let Some(units) = args.units {
        profile.units = if units == "mi" { Units::Mi } else { Units::Km };
    }
    if args.run_day_minutes.is_some() || args.rest_day_minutes.is_some() {
        let now = profile.budget();
        let budget = runtall_domain::plan::DayBudget::new(
            args.run_day_minutes.unwrap_or(now.run_day_min),
            args.rest_day_minutes.unwrap_or(now.rest_day_min),
        )
        .map_err(CliError::user)?;
        profile.day_budget = Some(budget);
    }
    if changing {
        runtall_app::profile::save(&store, &profile)?;
    }
    if ctx.json {
        return ctx.print_json(&serde_json::json!({
            "profile": profile,
            "emergency_number": profile.emergency_number(),
            "database": ctx.db_path,
        }));
    }
    println!("Name:             {}", if profile.name.is_empty() { "(not set)" } else { &profile.name });
    println!("Country:          {}", profile.country.as_deref().unwrap_or("(not set)"));
    println!("Emergency number: {}", profile.emergency_number());
    println!("Units:            {}", if profile.units == Units::Mi { "miles" } else { "kilometres" });
    let budget = profile.budget();
    println!("Daily minutes:    {} on run days, {} on rest days", budget.run_day_min, budget.rest_day_min);
    println!("Database:         {}", ctx.db_path.display());
    Ok(())
}
