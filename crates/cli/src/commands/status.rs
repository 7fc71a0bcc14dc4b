//! `runtall status`: where the program stands, and the next step.

use super::Ctx;
use crate::error::CliResult;
use jiff::Timestamp;
use runtall_domain::safety::Mode;
use runtall_domain::screen::{is_stale, program_state};
use runtall_store::Store;

pub fn run(ctx: &Ctx) -> CliResult {
    let store = ctx.store()?;
    let profile = ctx.profile_or_default(&store)?;
    let screening = store.latest_screening()?;
    let assessment = store.latest_assessment()?;
    let plan = store.latest_plan()?;
    let state = program_state(screening.as_ref());
    let perm = ctx.permissions(&store)?;
    let next = match (perm.mode, &assessment, &plan) {
        (Mode::NotScreened, _, _) => "runtall screen".to_string(),
        (Mode::Locked | Mode::Paused, _, _) => "see a clinician, then `runtall screen --clinician-checked`".into(),
        (_, None, _) => "runtall assess".into(),
        (_, Some(_), None) => "runtall plan".into(),
        (Mode::NoRunning, _, _) => {
            "see a clinician before you run, then `runtall screen --clinician-checked`; meanwhile `runtall plan`".into()
        }
        _ => format!("runtall plan --for-run {}", perm.allowed_runs().first().map(|r| r.as_str()).unwrap_or("easy")),
    };
    if ctx.json {
        return ctx.print_json(&serde_json::json!({
            "database": ctx.db_path,
            "schema_version": store.schema_version()?,
            "profile": profile,
            "state": state,
            "safety": perm,
            "safety_level": perm.level_name(),
            "allowed_runs": perm.allowed_runs(),
            "latest_screening": screening.as_ref().map(|s| s.taken_at),
            "latest_assessment": assessment.as_ref().map(|a| a.taken_at),
            "latest_plan": plan.as_ref().map(|p| p.created_at),
            "next": next,
            "psfs_rescore_due": super::rescore::due_line(&store)?.is_some(),
        }));
    }
    println!("Database:    {} (schema v{})", ctx.db_path.display(), store.schema_version()?);
    if !profile.name.is_empty() {
        println!("Runner:      {}", profile.name);
    }
    let screen_text = match &screening {
        None => "not done".to_string(),
        Some(s) => {
            let stale = if is_stale(s.taken_at, Timestamp::now()) { " (older than 4 weeks: screen again)" } else { "" };
            format!("{} → program {}{}", s.taken_at.strftime("%Y-%m-%d"), perm.mode.name(), stale)
        }
    };
    println!("Screen:      {screen_text}");
    if perm.mode != Mode::Full {
        let runs: Vec<&str> = perm.allowed_runs().iter().map(|r| r.as_str()).collect();
        let runs = if runs.is_empty() { "none".to_string() } else { runs.join(", ") };
        crate::render::println_labelled("Safety:      ", &format!("{} Runs allowed: {runs}.", perm.headline));
    }
    println!(
        "Assessment:  {}",
        assessment
            .as_ref()
            .map(|a| format!(
                "{} (pain {}/10, function {:.1}/10)",
                a.taken_at.strftime("%Y-%m-%d"),
                a.assessment.baseline_pain.get(),
                a.assessment.psfs_score()
            ))
            .unwrap_or_else(|| "not done".into())
    );
    println!(
        "Plan:        {}",
        plan.as_ref().map(|p| p.created_at.strftime("%Y-%m-%d").to_string()).unwrap_or_else(|| "not made".into())
    );
    println!("Next:        {next}");
    if let Some(n) = &perm.clinician.note {
        crate::render::println_labelled(
            "Clinician:   ",
            &format!("{} ({}): {}", n.by, n.at.strftime("%Y-%m-%d"), n.text),
        );
    }
    // The journal's own reason to see a physical therapist belongs where the runner looks first.
    if store.latest_assessment()?.is_some() {
        let today = jiff::Timestamp::now().to_zoned(jiff::tz::TimeZone::system()).date();
        if let Some(e) = runtall_app::progress::progress(&store, today)?.escalation {
            crate::render::println_fitted(&format!("! {} See `runtall habits --area care`.", e.sentence), None);
        }
    }
    if let Some(line) = super::insights::experiment_line(&store)? {
        crate::render::println_fitted(&line, None);
    }
    if let Some(line) = super::rescore::due_line(&store)? {
        crate::render::println_fitted(&line, None);
    }
    Ok(())
}
