//! `runtall insights`, `runtall experiment` and `runtall progress`: the journal turned into observations for the
//! statistics engine (`runtall-insights`), and the engine's answers printed with honest uncertainty.

use super::Ctx;
use crate::args::{ExperimentArgs, ExperimentCommand};
use crate::error::{CliError, CliResult};
use crate::render_insights;
use jiff::Timestamp;
use jiff::civil::Date;
use jiff::tz::TimeZone;
use runtall_app::experiments::{self, DesignChoice};
use runtall_app::progress::{Progress, Tally};
use runtall_domain::text::count;
use runtall_insights::{ExperimentDesign, ExperimentUnit, InsightsError, InsightsReport, Verdict, ratio_text};
use runtall_store::Store;

fn today() -> Date {
    Timestamp::now().to_zoned(TimeZone::system()).date()
}

pub use runtall_app::report;

pub fn insights(ctx: &Ctx) -> CliResult {
    let store = ctx.store()?;
    let report = report(&store)?;
    if ctx.json {
        return ctx.print_json(&report);
    }
    print_report(&report);
    Ok(())
}

/// `runtall insights` fits an 80-column terminal: prose is wrapped, each factor takes a line of numbers and a line of
/// picture.
const WIDTH: usize = 80;

pub fn print_report(r: &InsightsReport) {
    for line in report_lines(r) {
        println!("{line}");
    }
}

/// The text of `runtall insights`, one entry per printed line (kept apart from printing so it can be tested).
pub fn report_lines(r: &InsightsReport) -> Vec<String> {
    let mut out = wrap(
        &format!(
            "What goes with your pain — {}, pain after {} of them.",
            count(r.runs as u64, "run", "runs"),
            r.runs_with_pain
        ),
        "",
        "",
    );
    out.extend(wrap(
        "These are associations in your own journal, not causes: test one with `runtall experiment new`.",
        "",
        "",
    ));
    out.push(String::new());
    for line in &r.summary {
        out.extend(wrap(line, "  ", "    "));
    }
    out.push(String::new());
    out.extend(factor_lines(r));
    for e in &r.entangled {
        out.push(String::new());
        out.extend(wrap(&format!("! {}", e.sentence), "", "  "));
    }
    if let Some(s) = &r.suggestion {
        out.push(String::new());
        out.extend(wrap(&format!("Suggested experiment: {}", s.sentence), "", "  "));
        out.push(format!("  start it: runtall experiment new --factor {}", s.factor.id()));
    }
    out
}

/// Words wrapped to [`WIDTH`] columns (counted in characters), the first line after `first`, the others after
/// `rest`.
fn wrap(text: &str, first: &str, rest: &str) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = first.to_string();
    let mut empty = true;
    for word in text.split_whitespace() {
        if !empty && line.chars().count() + 1 + word.chars().count() > WIDTH {
            lines.push(std::mem::replace(&mut line, rest.to_string()));
            empty = true;
        }
        if !empty {
            line.push(' ');
        }
        line.push_str(word);
        empty = false;
    }
    if !empty {
        lines.push(line);
    }
    lines
}

/// The factor table of `runtall insights`: per factor a line of numbers and, under it, the forest plot drawn in text
/// on the axis printed once at the top, then the searched pattern when the data support it.
pub fn factor_lines(r: &InsightsReport) -> Vec<String> {
    const FOREST_INDENT: &str = "      ";
    let mut out = Vec::with_capacity(2 * r.factors.len() + 4);
    out.push(format!("{:>2}  {:<23} {:>13}  {:<16}  verdict", "#", "factor", "pain with/out", "risk ratio"));
    out.push(format!("{FOREST_INDENT}{}  ← less pain | more pain →", render_insights::forest_axis()));
    for f in &r.factors {
        let counts = format!("{}/{} vs {}/{}", f.with.with_pain, f.with.runs, f.without.with_pain, f.without.runs);
        // No pain events: nothing to draw, and an estimate would only show the prior.
        let rr = f.risk_ratio.as_ref().filter(|_| f.verdict != Verdict::NoPainYet);
        let rr_text = match rr {
            Some(x) => format!(
                "{} ({}–{}){}",
                ratio_text(x.estimate),
                ratio_text(x.lower),
                ratio_text(x.upper),
                if x.level > 0.951 { "*" } else { "" }
            ),
            None if f.verdict == Verdict::NoPainYet => "no pain yet".into(),
            None => "–".into(),
        };
        out.push(format!(
            "{:>2}  {:<23} {:>13}  {:<16}  {}",
            f.rank,
            truncate(&f.label, 23),
            counts,
            rr_text,
            f.verdict.label()
        ));
        if rr.is_some() {
            out.push(format!("{FOREST_INDENT}{}", render_insights::forest_line(rr)));
        }
        if let Some(p) = &f.pattern {
            out.extend(wrap(&format!("└ {p}"), FOREST_INDENT, "        "));
        }
    }
    out.extend(wrap(
        "● risk ratio, ├─┤ its 95% interval (◀ ▶ beyond the axis; * wider because a cut point was searched for); \
         right of │ = more pain with the factor, left = less.",
        "  ",
        "  ",
    ));
    out
}

fn truncate(s: &str, n: usize) -> String {
    if s.chars().count() <= n { s.to_string() } else { s.chars().take(n - 1).collect::<String>() + "…" }
}

/// Starts an experiment from a design (the demo's, or `experiment new`'s) and feeds it the runs logged since.
pub fn start_experiment(store: &dyn Store, design: ExperimentDesign, started: Date) -> CliResult<i64> {
    Ok(experiments::start(store, design, started)?)
}

/// One line on what the running experiment asks of the next run (or today), for `status` and `plan --for-run`:
/// the assignment belongs where the run is prepared.
pub fn experiment_line(store: &dyn Store) -> CliResult<Option<String>> {
    let Some(s) = experiments::status(store, today(), false)? else { return Ok(None) };
    if let Some(hold) = s.hold {
        return Ok(Some(format!("Experiment: {hold}")));
    }
    let unit = if s.experiment.design.unit == ExperimentUnit::Runs { "next run" } else { "today" };
    Ok(s.next.map(|a| format!("Experiment, {unit}: {} (`runtall experiment status`)", a.instruction)))
}

/// Prints where the running experiment stands (nothing when none is running).
pub fn print_status(store: &dyn Store) -> CliResult {
    let Some(s) = experiments::status(store, today(), false)? else { return Ok(()) };
    let result = &s.result;
    let fitted = |line: String| crate::render::println_fitted(&line, None);
    fitted(format!(
        "Experiment: {} — {} of {} runs or days done, {} of {} as assigned.",
        s.experiment.design.factor.label(),
        result.units_done,
        result.units_needed,
        result.adherence.followed,
        result.adherence.recorded
    ));
    match (&s.hold, &s.next) {
        (Some(hold), _) => fitted(format!("  {hold}")),
        (None, Some(next)) => fitted(format!(
            "  Next: {}{}",
            next.instruction,
            if next.washout { " (wash-out: not analysed)" } else { "" }
        )),
        (None, None) => {}
    }
    fitted(format!("  {}", result.sentence));
    Ok(())
}

/// The engine names its design fields; the runner typed flags, so the error names the flag.
fn design_error(e: runtall_app::AppError) -> CliError {
    let runtall_app::AppError::Insights(ie) = &e else { return e.into() };
    let (field, detail) = match ie {
        InsightsError::OutOfRange { field, value, allowed } => (field, format!("{value} is out of range ({allowed})")),
        InsightsError::Invalid { field, reason } => (field, reason.clone()),
    };
    let flag = match field.as_str() {
        "block_length" => "--block",
        "min_units" | "min_pairs" => "--min",
        "washout" => "--washout",
        _ => return e.into(),
    };
    CliError::user(format!("{flag}: {detail}"))
}

pub fn experiment(ctx: &Ctx, a: ExperimentArgs) -> CliResult {
    let store = ctx.store()?;
    let none_running = || CliError::user("no experiment running: `runtall experiment new`");
    match a.command {
        ExperimentCommand::New { factor, unit, seed, block, min, washout } => {
            let factor = experiments::factor(&factor)?;
            let unit = match unit.as_deref() {
                None => factor.natural_unit(),
                Some("runs") => ExperimentUnit::Runs,
                Some("days") => ExperimentUnit::Days,
                Some(other) => return Err(CliError::user(format!("--unit '{other}': runs or days"))),
            };
            // The block order is randomized; the seed is recorded so the design can be reproduced.
            let seed = seed.unwrap_or_else(|| Timestamp::now().as_nanosecond() as u64);
            let choice = DesignChoice { block_length: block, min_units: min, washout };
            let design = experiments::design(factor, unit, seed, choice).map_err(design_error)?;
            let rounded = min.filter(|m| *m != design.min_units()).map(|m| {
                format!(
                    "--min {m} rounded up to {} so both conditions get the same number of blocks.",
                    design.min_units()
                )
            });
            start_experiment(&store, design, today())?;
            let s = experiments::status(&store, today(), false)?.ok_or_else(none_running)?;
            if ctx.json {
                return ctx.print_json(&s.experiment);
            }
            if let Some(note) = rounded {
                println!("{note}");
            }
            let d = &s.experiment.design;
            println!(
                "Experiment started: {} — alternating blocks of {} {}, order randomized, at least {} in all{}.",
                factor.label(),
                d.block_length,
                if unit == ExperimentUnit::Runs { "runs" } else { "days" },
                d.min_units(),
                match (d.washout, unit) {
                    (0, _) => String::new(),
                    (1, ExperimentUnit::Runs) => ", the first run of each block a wash-out".into(),
                    (1, ExperimentUnit::Days) => ", the first day of each block a wash-out".into(),
                    (n, ExperimentUnit::Runs) => format!(", the first {n} runs of each block a wash-out"),
                    (n, ExperimentUnit::Days) => format!(", the first {n} days of each block a wash-out"),
                }
            );
            println!("Change only this one thing; keep everything else as usual.");
            if let Some(first) = &s.next {
                println!("Next: {}", first.instruction);
            }
            match unit {
                ExperimentUnit::Runs => println!(
                    "Log each run's context (`runtall log run --pack/--no-pack ...`) and any pain; the verdict is hidden \
                     until the minimum length."
                ),
                ExperimentUnit::Days => println!(
                    "Log each day (`runtall log day --mobility` on days you did the routine, any other `runtall log day` \
                     entry on days you did not) and any pain; days with nothing logged are left out. The verdict is hidden until the minimum \
                     length."
                ),
            }
            Ok(())
        }
        ExperimentCommand::Status => {
            let s = experiments::status(&store, today(), false)?.ok_or_else(none_running)?;
            if ctx.json {
                return ctx.print_json(&serde_json::json!({ "next": s.next, "result": s.result }));
            }
            print_status(&store)
        }
        ExperimentCommand::Result { early } => {
            let s = experiments::status(&store, today(), early)?.ok_or_else(none_running)?;
            if ctx.json {
                return ctx.print_json(&s.result);
            }
            println!("{}", s.result.sentence);
            for w in &s.result.warnings {
                println!("! {w}");
            }
            Ok(())
        }
        ExperimentCommand::List => {
            let past = experiments::history(&store)?;
            if ctx.json {
                return ctx.print_json(&past);
            }
            if past.is_empty() {
                println!("No finished experiments yet. Start one: `runtall experiment new --factor pack`.");
                return Ok(());
            }
            for p in &past {
                let e = &p.experiment;
                let stopped = e.stopped.map(|d| d.to_string()).unwrap_or_else(|| "–".into());
                println!("#{} {} — {} to {}:", p.id, e.design.factor.label(), e.started, stopped);
                println!("  {}", p.result.sentence);
            }
            Ok(())
        }
        ExperimentCommand::Stop => {
            let result = experiments::stop(&store, today())?;
            if ctx.json {
                return ctx.print_json(&result);
            }
            println!("Experiment stopped. {}", result.sentence);
            Ok(())
        }
    }
}

/// `runtall progress`: pain against the baseline with the meaningful-change rule, the functional-scale re-score
/// date, and routine adherence.
pub fn progress(ctx: &Ctx) -> CliResult {
    let store = ctx.store()?;
    let p = runtall_app::progress::progress(&store, today())?;
    let posture = runtall_app::posture::report(&store)?;
    if ctx.json {
        let mut v = serde_json::to_value(&p).map_err(|e| CliError::Internal(e.into()))?;
        v["posture"] = serde_json::to_value(&posture).map_err(|e| CliError::Internal(e.into()))?;
        return ctx.print_json(&v);
    }
    for line in progress_lines(&p).into_iter().chain(super::posture::progress_lines(&posture)) {
        crate::render::println_fitted(&line, None);
    }
    Ok(())
}

fn tally(name: &str, t: &Tally) -> Option<String> {
    (t.planned > 0).then(|| format!("{name} {}/{}", t.done, t.planned))
}

/// The text of `runtall progress`, one line per entry (kept apart from printing so it can be tested).
pub fn progress_lines(p: &Progress) -> Vec<String> {
    let mut out = vec![
        format!("Pain: baseline {}/10 (assessment of {}).", p.pain.baseline, p.psfs.baseline_date),
        format!("  {}", p.pain.sentence),
        format!(
            "Function (PSFS): {:.1}/10 at baseline, {:.1}/10 at the latest re-score ({}).",
            p.psfs.baseline, p.psfs.latest, p.psfs.latest_date,
        ),
    ];
    match (&p.psfs.change, p.psfs.compared_with) {
        (Some(c), Some(from)) if from != p.psfs.baseline_date => {
            out.push(format!("  Since the activities were last changed ({from}): {}", c.sentence));
        }
        (Some(c), _) => out.push(format!("  {}", c.sentence)),
        (None, _) => out.push("  Not re-scored yet, so no change to judge.".into()),
    }
    if p.psfs.next.due_now {
        out.push("  Time to re-score your activities: `runtall assess --rescore` (every 14 days).".into());
    } else {
        out.push(format!("  Next re-score due {} (in {} days).", p.psfs.next.next_due, p.psfs.next.days_until));
    }
    let a = &p.adherence;
    out.push(format!("Routines: {}", a.sentence));
    for w in &a.weeks {
        let parts: Vec<String> = [
            tally("pre-run", &w.pre_run),
            tally("post-run", &w.post_run),
            tally("strength", &w.strength),
            tally("mobility", &w.mobility),
        ]
        .into_iter()
        .flatten()
        .collect();
        let share = w.share.map(|s| format!("{:>3.0}%", 100.0 * s)).unwrap_or_else(|| "   –".into());
        let bar = render_insights::share_bars(&[w.share]);
        out.push(format!("  week of {}: {share} {bar} ({})", w.week_start, parts.join(", ")));
    }
    for n in &a.notes {
        out.push(format!("  {n}"));
    }
    if a.summary.is_none() && a.since.is_some() {
        out.push(
            "  Log them with `runtall log day --strength --mobility` and `runtall log run --pre-run --post-run`, or \
             do them guided with `runtall guide ID` (recorded automatically)."
                .into(),
        );
    }
    if a.since.is_none() {
        out.push("  Make your plan with `runtall plan`.".into());
    }
    if let Some(e) = &p.escalation {
        out.push(format!("! {} See `runtall habits --area care`.", e.sentence));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;
    use runtall_app::progress::{Adherence, Psfs, WeekAdherence};
    use runtall_insights::measures::{self, PainPoint, PsfsScore, WeekRoutines};

    fn progress(adherence: Adherence, rescored: bool) -> Progress {
        let today = date(2026, 3, 15);
        let pts: Vec<PainPoint> = (10..15).map(|d| PainPoint { date: date(2026, 3, d), intensity: 3 }).collect();
        let s = |items: Vec<f64>| PsfsScore { date: today, items };
        Progress {
            pain: measures::pain_trend(5.0, &pts, today, 14).unwrap(),
            psfs: Psfs {
                baseline: 5.3,
                latest: 7.7,
                baseline_date: date(2026, 3, 1),
                latest_date: date(2026, 3, 15),
                next: measures::psfs_next_due(date(2026, 3, 15), today).unwrap(),
                change: rescored
                    .then(|| measures::psfs_change(&s(vec![4.0, 5.0, 7.0]), &s(vec![7.0, 8.0, 8.0])).unwrap()),
                compared_with: rescored.then_some(date(2026, 3, 1)),
            },
            adherence,
            escalation: None,
        }
    }

    fn adherence_with_data() -> Adherence {
        let t = |planned, done| Tally { planned, done, unrecorded: 0 };
        let week = WeekAdherence {
            week_start: date(2026, 3, 9),
            pre_run: t(3, 2),
            post_run: t(3, 1),
            strength: t(2, 2),
            mobility: t(7, 5),
            total: t(15, 10),
            share: Some(10.0 / 15.0),
        };
        let summary =
            measures::adherence(&[WeekRoutines { week_start: date(2026, 3, 9), planned: 15, done: 10 }]).unwrap();
        Adherence {
            since: Some(date(2026, 3, 9)),
            sentence: format!("Since your plan of 2026-03-09: {}", summary.sentence),
            summary: Some(summary),
            weeks: vec![week],
            pre_run: t(3, 2),
            post_run: t(3, 1),
            strength: t(2, 2),
            mobility: t(7, 5),
            notes: vec![],
        }
    }

    #[test]
    fn progress_shows_adherence_per_week_and_the_judged_psfs_change() {
        let text = progress_lines(&progress(adherence_with_data(), true)).join("\n");
        assert!(
            text.contains("Routines: Since your plan of 2026-03-09: 10 of 15 planned routines done (67%)"),
            "{text}"
        );
        assert!(
            text.contains("week of 2026-03-09:  67% ▆ (pre-run 2/3, post-run 1/3, strength 2/2, mobility 5/7)"),
            "{text}"
        );
        assert!(text.contains("a real improvement (2 points on the mean is the bar)"), "{text}");
        assert!(text.contains("Next re-score due 2026-03-29"), "{text}");
    }

    #[test]
    fn progress_says_so_when_there_is_no_plan_or_no_data_instead_of_zero() {
        let mut a = adherence_with_data();
        a.summary = None;
        a.weeks.clear();
        a.sentence = "Nothing logged since the plan was made on 2026-03-09, so adherence is unknown (not 0%).".into();
        let text = progress_lines(&progress(a, false)).join("\n");
        assert!(text.contains("adherence is unknown (not 0%)") && !text.contains(" 0%  ("), "{text}");
        assert!(text.contains("runtall log day --strength --mobility"), "{text}");
        assert!(text.contains("Not re-scored yet"), "{text}");
    }

    /// The insights text fits an 80-column terminal, draws no estimate without pain events, and shows a pattern the
    /// data support under its factor.
    #[test]
    fn insights_fit_80_columns_and_say_no_pain_yet_in_words() {
        use runtall_insights::{AnalysisConfig, RunLabel, RunObservation, analyze};
        let run = |i: i64, sitting: f64, pain: u8| {
            let mut r = RunObservation::new(date(2026, 1, 1) + jiff::Span::new().days(i), RunLabel::Easy, 8.0);
            r.context.sitting_hours = Some(sitting);
            r.context.pack_worn = Some(i % 3 == 0);
            r.max_pain = pain;
            r.pain_followed = pain >= 3;
            r
        };
        // Pain after the 8.5 h and 9.5 h days, rarely otherwise.
        let runs: Vec<RunObservation> = (0..90)
            .map(|i| {
                let sitting = [2.0, 4.0, 6.5, 7.5, 8.5, 9.5][i as usize % 6];
                let p = if sitting >= 8.0 { i % 5 != 0 } else { i % 11 == 3 };
                run(i, sitting, if p { 5 } else { 0 })
            })
            .collect();
        let lines = report_lines(&analyze(&runs, &AnalysisConfig::default()).unwrap());
        for l in &lines {
            assert!(l.chars().count() <= WIDTH, "{} columns: {l}", l.chars().count());
        }
        let text = lines.join("\n");
        assert!(text.contains("└ pain followed days with 8.5 h or more of sitting"), "{text}");
        let quiet: Vec<RunObservation> = (0..30).map(|i| run(i, 5.0, 0)).collect();
        let text = report_lines(&analyze(&quiet, &AnalysisConfig::default()).unwrap()).join("\n");
        assert!(text.contains("no pain yet") && text.contains("no pain events yet"), "{text}");
        assert!(!text.contains('●') || text.contains("● risk ratio"), "no dot without pain events: {text}");
    }

    #[test]
    fn experiment_flags_parse_and_bad_values_name_the_flag() {
        use clap::Parser;
        let cli = crate::Cli::try_parse_from([
            "runtall",
            "experiment",
            "new",
            "--factor",
            "pack",
            "--block",
            "3",
            "--min",
            "12",
            "--washout",
            "1",
        ])
        .unwrap();
        let crate::args::Command::Experiment(ExperimentArgs {
            command: ExperimentCommand::New { block, min, washout, .. },
        }) = cli.command
        else {
            panic!("not experiment new")
        };
        assert_eq!((block, min, washout), (Some(3), Some(12), Some(1)));
        let err = |c: DesignChoice| {
            let e =
                experiments::design(runtall_insights::ExperimentFactor::Pack, ExperimentUnit::Runs, 1, c).unwrap_err();
            design_error(e).to_string()
        };
        assert_eq!(
            err(DesignChoice { block_length: Some(20), ..Default::default() }),
            "--block: 20 is out of range (1–14)"
        );
        assert!(err(DesignChoice { washout: Some(2), ..Default::default() }).starts_with("--washout: 2 must be less"));
        let e = err(DesignChoice { block_length: Some(2), min_units: Some(6), ..Default::default() });
        assert!(e.starts_with("--min: 6 is out of range (8–48 runs with blocks of 2"), "{e}");
    }
}
