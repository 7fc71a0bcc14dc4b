//! `runtall runs`: the imported runs, filtered by date and type, and one run in detail.

use super::Ctx;
use crate::args::{RunsArgs, RunsCommand};
use crate::error::{CliError, CliResult};
use crate::render_runs;
use jiff::Timestamp;
use jiff::civil::Date;
use runtall_domain::classify::RunLabel;
use runtall_store::{ActivityFilter, ActivityKind, Store};

fn parse_date(flag: &str, s: &str) -> CliResult<Timestamp> {
    let date: Date = s.parse().map_err(|_| CliError::user(format!("{flag} '{s}' is not a date like 2026-05-31")))?;
    date.to_zoned(jiff::tz::TimeZone::UTC)
        .map(|z| z.timestamp())
        .map_err(|e| CliError::user(format!("{flag} '{s}': {e}")))
}

pub fn parse_label(s: &str) -> CliResult<RunLabel> {
    serde_json::from_value(serde_json::Value::String(s.to_string())).map_err(|_| {
        CliError::user(format!("unknown run type '{s}' (expected easy, long, intervals, tempo, race or trail)"))
    })
}

pub fn run(ctx: &Ctx, args: RunsArgs) -> CliResult {
    let store = ctx.store()?;
    let profile = ctx.profile_or_default(&store)?;
    if let Some(RunsCommand::Delete { id, yes }) = args.command {
        let run =
            store.activity(id)?.ok_or_else(|| CliError::user(format!("no run with id {id} (see `runtall runs`)")))?;
        let what = format!(
            "#{id}: {} {:.1} km on {}",
            run.activity.sport.as_str(),
            run.activity.distance_m / 1000.0,
            run.activity.start.strftime("%Y-%m-%d %H:%M UTC")
        );
        if !yes {
            return Err(CliError::user(format!(
                "this would delete {what} and its run context (its pain reports stay, unlinked); add --yes to do it"
            )));
        }
        runtall_app::journal::delete_run(&store, id)?;
        if ctx.json {
            return ctx.print_json(&serde_json::json!({ "deleted": id }));
        }
        println!("Deleted {what}. Importing the same file again brings it back.");
        return Ok(());
    }
    if let Some(RunsCommand::Show { id }) = args.command {
        let run =
            store.activity(id)?.ok_or_else(|| CliError::user(format!("no run with id {id} (see `runtall runs`)")))?;
        if ctx.json {
            return ctx.print_json(&run);
        }
        render_runs::show(&run, profile.units);
        return Ok(());
    }
    let to = match &args.to {
        // --to is inclusive of that day.
        Some(s) => Some(
            parse_date("--to", s)?
                .checked_add(jiff::SignedDuration::from_hours(24))
                .map_err(|e| CliError::user(e.to_string()))?,
        ),
        None => None,
    };
    if args.limit == 0 {
        return Err(CliError::user("--limit 0: choose 1 or more runs to list"));
    }
    let filter = ActivityFilter {
        from: args.from.as_deref().map(|s| parse_date("--from", s)).transpose()?,
        to,
        label: args.r#type.as_deref().map(parse_label).transpose()?,
        limit: Some(args.limit),
        // Runs by default; rides, swims and walks are cross-training, listed on request.
        kind: if args.all {
            ActivityKind::All
        } else if args.cross_training {
            ActivityKind::CrossTraining
        } else {
            ActivityKind::Runs
        },
    };
    let asked = if filter.from.is_some() || filter.to.is_some() || filter.label.is_some() {
        render_runs::Asked::Filtered
    } else if args.cross_training {
        render_runs::Asked::CrossTraining
    } else {
        render_runs::Asked::Runs
    };
    let rows = store.activities(&filter)?;
    if ctx.json {
        return ctx.print_json(&rows);
    }
    render_runs::list(&rows, profile.units, asked);
    Ok(())
}
