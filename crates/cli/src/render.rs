//! Text rendering for the terminal. Every piece of advice is printed with why it is there and where it comes from.

use runtall_content::*;
use runtall_domain::assess::AssessmentRecord;
use runtall_domain::plan::{Plan, PlanItem, PlanRecord, RoutineView, RunDay, StepView};
use runtall_domain::profile::Profile;
use runtall_domain::safety::clinician::ClinicianChanges;
use runtall_domain::safety::{Mode, Permissions};
use runtall_domain::screen::{ScreeningRecord, TriggeredFlag};
use std::fmt::Write as _;

/// Text width: the terminal's (or `COLUMNS`) less one, between 60 and 100, so an 80-column terminal wraps at word
/// boundaries rather than mid-word; 100 when printing to a file or pipe.
pub(crate) fn width() -> usize {
    use std::io::IsTerminal;
    static WIDTH: std::sync::OnceLock<usize> = std::sync::OnceLock::new();
    *WIDTH.get_or_init(|| {
        let columns = std::env::var("COLUMNS").ok().and_then(|c| c.trim().parse::<usize>().ok()).or_else(|| {
            std::io::stdout().is_terminal().then(crossterm::terminal::size).and_then(Result::ok).map(|(w, _)| w.into())
        });
        columns.map(|c| c.saturating_sub(1)).unwrap_or(100).clamp(60, 100)
    })
}

/// Wraps text to the terminal width with a hanging indent.
pub(crate) fn wrap(text: &str, indent: &str) -> String {
    let mut out = String::new();
    let mut line = String::from(indent);
    for word in text.split_whitespace() {
        if line.chars().count() + word.chars().count() + 1 > width() && !line.trim().is_empty() {
            out.push_str(line.trim_end());
            out.push('\n');
            line = String::from(indent);
        }
        if !line.trim().is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    if !line.trim().is_empty() {
        out.push_str(line.trim_end());
    }
    out
}

/// Wrapped under a label ("Safety:      …"), the following lines indented to where the text starts.
pub fn println_labelled(label: &str, text: &str) {
    let indent = " ".repeat(label.chars().count());
    let wrapped = wrap(text, &indent);
    println!("{label}{}", wrapped.strip_prefix(indent.as_str()).unwrap_or(&wrapped));
}

pub fn println_wrapped(text: &str, indent: &str) {
    println!("{}", wrap(text, indent));
}

/// A line laid out elsewhere (a table row, a timed cue, an indented note), fitted to the terminal: printed as it is
/// when it fits, else wrapped with its first `hang` characters kept and the rest under where its text starts;
/// `None` keeps the line's own indent and hangs the rest two further in.
pub fn println_fitted(line: &str, hang: Option<usize>) {
    if line.chars().count() <= width() {
        println!("{line}");
        return;
    }
    match hang.filter(|h| *h < width() / 2) {
        Some(h) => {
            let split = line.char_indices().nth(h).map_or(line.len(), |(i, _)| i);
            let (prefix, rest) = line.split_at(split);
            println_labelled(prefix, rest.trim_start());
        }
        None => {
            let lead = line.chars().take_while(|c| *c == ' ').count();
            let indent = " ".repeat(lead + 2);
            let wrapped = wrap(line.trim_start(), &indent);
            println!("{}{}", " ".repeat(lead), wrapped.strip_prefix(indent.as_str()).unwrap_or(&wrapped));
        }
    }
}

/// "PT article › Foam Roller (or Towel Roll) Stretches; evidence brief › §2 Doses — practical advice, not studied".
/// Every source is named in full by `runtall sources`.
pub fn sources_line(program: &Program, cite: &[Citation], evidence: Evidence) -> String {
    let mut s = String::new();
    for (i, c) in cite.iter().enumerate() {
        if i > 0 {
            s.push_str("; ");
        }
        let name = match program.source(&c.source).map(|src| src.kind) {
            Some(SourceKind::Seed) if c.source == "podcast" => "podcast ep. 26",
            Some(SourceKind::Seed) => "PT article",
            Some(SourceKind::Evidence) => "evidence brief",
            Some(SourceKind::Program) => "runtall program design",
            None => c.source.as_str(),
        };
        let _ = write!(s, "{name} › {}", c.section);
    }
    let _ = write!(s, " — {}", evidence.label());
    s
}

fn heading(text: &str) {
    println!("\n{text}\n{}", "─".repeat(text.chars().count().min(width())));
}

pub use runtall_content::minutes_label as minutes;

// ---------------------------------------------------------------------------------------------- screening

pub fn flag_list(program: &Program) {
    for level in [FlagLevel::A, FlagLevel::B, FlagLevel::C] {
        if let Some(info) = program.level_info(level) {
            heading(&format!("Level {level:?}: {}", info.title));
        }
        for f in program.red_flags.iter().filter(|f| f.level == level) {
            println!("  {}", f.id);
            println_wrapped(&f.question, "      ");
        }
    }
}

fn flags(list: &[TriggeredFlag]) {
    for f in list {
        println!("  • {}", f.short);
        println_wrapped(&f.advice, "    ");
    }
}

/// What the screen (with the assessment, if any) means now, as the safety gate decided.
/// What the screen means and the next step; `assessed`: an assessment is already stored, so the next step is the
/// plan (a returning runner who screens again is not sent to answer the assessment again).
pub fn screen_outcome(program: &Program, perm: &Permissions, profile: &Profile, assessed: bool) {
    let list = &perm.open_flags;
    let next = if assessed { "Next: `runtall plan`." } else { "Next: `runtall assess`, then `runtall plan`." };
    match perm.mode {
        Mode::Locked => {
            println!("\n!!  STOP — this needs emergency care now  !!\n");
            println!("Call {} now, or have someone take you to an emergency department.", profile.emergency_number());
            println!("Do not run, and do not drive yourself.\n");
            flags(list);
            if let Some(info) = program.level_info(FlagLevel::A) {
                println!();
                println_wrapped(&info.action, "");
            }
            println!(
                "\nThe program is locked. Once a clinician has checked you, run `runtall screen --clinician-checked`."
            );
        }
        Mode::Paused => {
            println!("\nSee a clinician today.\n");
            flags(list);
            if let Some(info) = program.level_info(FlagLevel::B) {
                println!();
                println_wrapped(&info.action, "");
            }
            println!(
                "\nThe program is paused. If it gets worse, or chest pain, breathlessness or weakness appears, call {}.\n\
                 After you have been seen: `runtall screen --clinician-checked`.",
                profile.emergency_number()
            );
        }
        Mode::NoRunning => {
            println!("\nNO RUNNING until a clinician has checked this.\n");
            flags(list);
            for h in &perm.holds {
                println_wrapped(&format!("  • {} ({})", h.text, h.answer_words()), "    ");
            }
            let level = if list.is_empty() { FlagLevel::C } else { FlagLevel::B };
            if let Some(info) = program.level_info(level) {
                println!();
                println_wrapped(&info.action, "");
            }
            println!(
                "\n{}\nIf the pain lasts more than a few minutes, comes at rest or spreads, call {}.\n\
                 After you have been seen: `runtall screen --clinician-checked`.",
                perm.headline,
                profile.emergency_number()
            );
        }
        Mode::Reduced => {
            println!("\nBook a visit with your GP or a physiotherapist before the full program.\n");
            flags(list);
            if let Some(info) = program.level_info(FlagLevel::C) {
                println!();
                println_wrapped(&info.action, "");
            }
            println!("\nMeanwhile you get a reduced, gentle program. {next}");
        }
        Mode::Full => {
            println!("Screen clear: none of the red flags applies to you today.");
            println!("This is a safety check, not a diagnosis: if symptoms change, screen again.");
            println!("{next}");
        }
        Mode::NotScreened => println!("No screen yet: run `runtall screen`."),
    }
}

pub fn screen_history(all: &[ScreeningRecord]) {
    if all.is_empty() {
        println!("No screens yet: run `runtall screen`.");
        return;
    }
    for r in all {
        let level = r.outcome.level.map(|l| format!("level {l:?}")).unwrap_or_else(|| "clear".into());
        let checked = r
            .clinician_checked_at
            .map(|t| format!(", clinician checked {}", t.strftime("%Y-%m-%d")))
            .unwrap_or_default();
        println!("#{:<4} {}  {level}{checked}", r.id.unwrap_or(0), r.taken_at.strftime("%Y-%m-%d %H:%M"));
        for f in &r.outcome.triggered {
            println!("        {:?} {}", f.level, f.short);
        }
    }
}

// --------------------------------------------------------------------------------------------- assessment

pub fn assessment_saved(r: &AssessmentRecord, screened: bool) {
    let a = &r.assessment;
    println!("Assessment saved (#{}).", r.id.unwrap_or(0));
    println!("  Regions:   {}", a.regions.iter().map(|r| r.label()).collect::<Vec<_>>().join(", "));
    println!("  When:      {}", a.when.iter().map(|w| w.label()).collect::<Vec<_>>().join(", "));
    println!("  Baseline:  pain {}/10, function (PSFS) {:.1}/10", a.baseline_pain.get(), a.psfs_score());
    if screened {
        println!("Next: `runtall plan`.");
    } else {
        println!("Next: the safety check, `runtall screen`, then `runtall plan`.");
    }
}

pub fn assessment_history(all: &[AssessmentRecord]) {
    if all.is_empty() {
        println!("No assessments yet: run `runtall assess`.");
        return;
    }
    println!("{:<6} {:<17} {:>5} {:>6}", "#", "date", "pain", "PSFS");
    for r in all {
        println!(
            "{:<6} {:<17} {:>5} {:>6.1}",
            r.id.unwrap_or(0),
            r.taken_at.strftime("%Y-%m-%d %H:%M").to_string(),
            r.assessment.baseline_pain.get(),
            r.assessment.psfs_score()
        );
    }
}

// --------------------------------------------------------------------------------------------------- plan

fn item(program: &Program, i: &PlanItem) {
    let tag = match i.priority {
        runtall_domain::plan::Priority::Core => "core",
        runtall_domain::plan::Priority::Recommended => "recommended",
        runtall_domain::plan::Priority::Optional => "optional",
    };
    println!("  ■ {} [{tag}]", i.title);
    if !i.summary.is_empty() {
        println_wrapped(&i.summary, "      ");
    }
    for r in &i.why {
        println_wrapped(&format!("why: {} ({})", r.text, r.answer_words()), "      ");
    }
    for l in &i.limits {
        println_wrapped(&format!("limit: {l}"), "      ");
    }
    println_wrapped(&format!("from: {}", sources_line(program, &i.cite, i.evidence)), "      ");
}

/// The whole plan; `runs` are the run types the safety gate allows now (the only ones `plan --for-run` will show).
pub fn plan(
    program: &Program,
    record: &PlanRecord,
    profile: &Profile,
    today: Option<&runtall_domain::plan::Today>,
    runs: &[RunType],
) {
    let p: &Plan = &record.plan;
    let who = if profile.name.is_empty() { String::new() } else { format!(" for {}", profile.name) };
    println!("PLAN{who} — {} (#{})", record.created_at.strftime("%Y-%m-%d"), record.id.unwrap_or(0));
    println_wrapped(
        &format!(
            "Baseline: pain {}/10, function {:.1}/10. Review in {} days: re-rate pain and your activities.",
            p.baseline_pain, p.baseline_psfs, p.review_in_days
        ),
        "",
    );
    println_wrapped("Posture and breathing habits for running: wellness guidance, not treatment or diagnosis.", "");
    let headline = p.safety.as_deref().unwrap_or_default();
    match p.mode {
        Mode::Reduced => {
            println!();
            println_wrapped(&format!("REDUCED PROGRAM: {headline}"), "");
        }
        Mode::NoRunning => {
            println!();
            println_wrapped(&format!("NO RUNNING: {headline}"), "");
        }
        _ => {}
    }
    if let Some(t) = today {
        heading(&format!("Today, {}: {} of your {} min", t.day.name(), minutes(t.seconds), t.budget_min));
        for b in &t.blocks {
            let time = if b.seconds > 0 { format!(" ({})", minutes(b.seconds)) } else { String::new() };
            println_wrapped(&format!("• {}: {}{time}", b.moment.title(), b.title), "  ");
        }
        for s in t.exercises() {
            if let Some(p) = &s.progression {
                println_wrapped(&format!("◦ {}, {p}", s.name), "    ");
            }
        }
        println!("  Step by step: `runtall today`. The whole plan follows.");
    }
    for (section, items) in p.sections() {
        heading(section.title());
        for i in items {
            item(program, i);
        }
    }
    heading("Your week");
    for d in &p.week {
        let run = d.run.map(|r| format!("{} run", r.as_str())).unwrap_or_else(|| "rest".into());
        let routines: Vec<String> = d
            .routines
            .iter()
            .map(|id| {
                let r = program.routine(id);
                // As this runner does it (after swaps), falling back to the written length for older plans.
                let seconds = p.routine_seconds.get(id).copied().or_else(|| r.map(|r| program.routine_seconds(r)));
                format!("{} ({})", r.map(|r| r.name.as_str()).unwrap_or(id), seconds.map(minutes).unwrap_or_default())
            })
            .collect();
        println_fitted(&format!("  {:<4} {:<11} {}", d.day.name(), run, routines.join(" · ")), Some(19));
        for n in &d.notes {
            println_fitted(&format!("  {:<4} {:<11} {}", "", "", n), Some(19));
        }
    }
    clinician_changes(program, &p.clinician);
    if !p.excluded.is_empty() {
        heading("Left out or swapped for you");
        for e in &p.excluded {
            let instead =
                e.instead.as_deref().map(|i| format!(" → instead: {}", program.title_of(i))).unwrap_or_default();
            println!("  - {}: {}{instead}", program.title_of(&e.id), e.reason);
        }
    }
    println!();
    // Only the runs the gate allows: with no running, every `--for-run` would be refused.
    let for_run = (!runs.is_empty()).then(|| {
        let names: Vec<&str> = runs.iter().map(|r| r.as_str()).collect();
        format!("For one run: `runtall plan --for-run {}`.", names.join("|"))
    });
    for line in [
        Some("Stop any exercise that brings sharp, spreading or chest pain; pain up to 3/10 is fine, 4–5 acceptable, more \
         is too much."
            .to_string()),
        for_run,
        Some("Every source named in full, and what the evidence levels mean: `runtall sources`.".to_string()),
    ]
    .into_iter()
    .flatten()
    {
        println_wrapped(&line, "");
    }
}

pub fn plan_history(plans: &[PlanRecord]) {
    if plans.is_empty() {
        println!("No plans yet: run `runtall plan`.");
        return;
    }
    for p in plans {
        println!(
            "#{:<4} {}  {:?} program, {} items, baseline pain {}",
            p.id.unwrap_or(0),
            p.created_at.strftime("%Y-%m-%d %H:%M"),
            p.plan.mode,
            p.plan.items.len(),
            p.plan.baseline_pain
        );
    }
}

fn step_line(i: usize, s: &StepView) {
    println_fitted(&format!("  {}. {} — {} (~{})", i + 1, s.name, s.dose.line(), minutes(s.seconds)), Some(5));
    if let Some(n) = &s.note {
        println_wrapped(n, "       ");
    }
    if let Some((from, why)) = &s.substituted_for {
        println_wrapped(&format!("instead of {from}: {why}"), "       ");
    }
    if let Some(c) = &s.clinician {
        println_wrapped(c, "       ");
    }
    for c in &s.cautions {
        println_wrapped(&format!("caution: {c}"), "       ");
    }
}

fn routine_view(program: &Program, title: &str, r: &RoutineView) {
    heading(&format!("{title}: {} (~{})", r.name, minutes(r.seconds)));
    for (i, s) in r.steps.iter().enumerate() {
        step_line(i, s);
    }
    for s in &r.skipped {
        if s.instead.is_none() {
            println!("  (left out: {} — {})", s.id, s.reason);
        }
    }
    println_wrapped(&format!("from: {}", sources_line(program, &r.cite, r.evidence)), "  ");
}

pub fn run_day(program: &Program, day: &RunDay) {
    println!("{} RUN — before, during and after", day.run_type.as_str().to_uppercase());
    for n in &day.notes {
        println_wrapped(&format!("• {} ({})", n.text, n.answer_words()), "  ");
    }
    routine_view(program, "Before", &day.pre_run);
    let d = &day.during;
    let mut rhythm = format!("a check about every {} min", d.every_min);
    if let Some(m) = d.last_third_every_min {
        let _ = write!(rhythm, ", every {m} min in the last third");
    }
    if d.per_rep {
        rhythm.push_str(", before each rep and in each recovery");
    }
    heading(&format!("During: {rhythm}"));
    for n in &d.notes {
        println_wrapped(&format!("• {n}"), "  ");
    }
    for c in &d.cues {
        let phases: Vec<&str> = c.phases.iter().map(|p| phase_label(*p)).collect();
        println_fitted(&format!("  ◦ {:<48} [{}]", c.text, phases.join(", ")), Some(4));
    }
    println_wrapped(&format!("from: {}", sources_line(program, &d.cite, d.evidence)), "  ");
    routine_view(program, "After", &day.post_run);
}

/// Today: each block under its moment, with its minutes and the day's total against the budget.
pub fn today(program: &Program, t: &runtall_domain::plan::Today, mode: Mode) {
    let run = t.run.map(|r| format!("{} run", r.as_str())).unwrap_or_else(|| "no run".into());
    println!("TODAY — {} · {run} · {} of your {} min", t.day.name(), minutes(t.seconds), t.budget_min);
    if mode == Mode::Reduced {
        println_wrapped("Reduced program: keep any run short and easy.", "");
    }
    for b in &t.blocks {
        let time = if b.seconds > 0 { format!(" ({})", minutes(b.seconds)) } else { String::new() };
        heading(&format!("{} — {}{time}", b.moment.title(), b.title));
        if let Some(d) = &b.detail {
            println_wrapped(d, "  ");
        }
        for (i, s) in b.steps.iter().enumerate() {
            let why = if t.priorities.contains(&s.exercise) { " · for your findings" } else { "" };
            println_labelled(
                &format!("  {}. ", i + 1),
                &format!("{} — {} (~{}){why}", s.name, s.dose.line(), minutes(s.seconds)),
            );
            if let Some(p) = &s.progression {
                println_wrapped(&format!("Progressed: {p}"), "     ");
            }
            if let Some(c) = &s.clinician {
                println_wrapped(c, "     ");
            }
            for c in &s.cautions {
                println_wrapped(&format!("Caution: {c}"), "     ");
            }
        }
        if let Some(r) = &b.routine {
            println!("  Guided: runtall guide {r} --today");
        }
    }
    if let Some(m) = &t.dropped {
        println!();
        println_wrapped(&m.words(program), "");
    }
    if !t.rested.is_empty() {
        let names: Vec<String> = t
            .rested
            .iter()
            .map(|id| program.exercise(id).map(|e| e.name.clone()).unwrap_or_else(|| id.clone()))
            .collect();
        println!();
        println_wrapped(
            &format!("Rested today to keep to your minutes (back on other days): {}.", names.join(", ")),
            "",
        );
    }
    println!();
    println_wrapped(
        "The full plan: `runtall plan`. More or fewer minutes a day: `runtall profile --run-day-minutes N --rest-day-minutes N`.",
        "",
    );
}

fn phase_label(p: CuePhase) -> &'static str {
    match p {
        CuePhase::Start => "start",
        CuePhase::Steady => "steady",
        CuePhase::LastThird => "last third",
        CuePhase::BeforeRep => "before each rep",
        CuePhase::Recovery => "recoveries",
        CuePhase::Finish => "finish",
        CuePhase::After => "after",
    }
}

// ------------------------------------------------------------------------------------------------ library

pub fn exercise_list(program: &Program) {
    let mut last = None;
    for e in &program.exercises {
        if last != Some(e.category) {
            heading(e.category.label());
            last = Some(e.category);
        }
        println!("  {:<34} {}", e.id, e.name);
    }
    println!("\nShow one: `runtall exercises ID`.");
}

fn bullets(title: &str, items: &[String]) {
    if items.is_empty() {
        return;
    }
    println!("{title}:");
    for i in items {
        println_wrapped(&format!("- {i}"), "  ");
    }
}

pub fn exercise(program: &Program, e: &Exercise) {
    println!("{} ({})", e.name, e.id);
    println_wrapped(&e.summary, "");
    if let Some(lines) = runtall_figures::exercise_text(program, &e.id, 44, 5) {
        println!();
        for l in lines {
            println!("  {l}");
        }
        println!("  (as a picture: `runtall exercises {} --svg {}.svg`)", e.id, e.id);
    }
    println!();
    println_labelled("Dose:      ", &format!("{} — {}", e.dose.line(), e.dose.frequency));
    println!("Takes:     ~{}", minutes(e.dose.estimated_seconds()));
    println_labelled("Position:  ", &e.position);
    let eq: Vec<&str> = e.equipment.iter().map(|q| runtall_domain::plan::equipment_label(*q)).collect();
    println_labelled("Equipment: ", &eq.join(", "));
    println!();
    bullets("Steps", &e.steps);
    bullets("Cues", &e.cues);
    println!("What you should feel:");
    println_wrapped(&format!("- where: {}", e.feel.place), "  ");
    println_wrapped(&format!("- how: {}", e.feel.what), "  ");
    bullets("Common mistakes", &e.mistakes);
    bullets("Stop if", &e.stop_if);
    if !e.contraindicated_with.is_empty() {
        let c: Vec<&str> =
            e.contraindicated_with.iter().map(|c| runtall_domain::profile::condition_label(*c)).collect();
        println!("Not offered with: {}", c.join(", "));
    }
    bullets("Cautions", &e.cautions);
    bullets("Progression (one change a week)", &e.progression);
    if let Some(alt) = e.alternative.as_deref().and_then(|id| program.exercise(id)) {
        println!("Alternative: {} ({})", alt.name, alt.id);
    }
    println_wrapped(&format!("From: {}", sources_line(program, &e.cite, e.evidence)), "");
    println!("{SOURCES_HINT}");
}

/// Where every "from:" line's sources are named in full.
const SOURCES_HINT: &str = "Sources in full, and what the evidence levels mean: `runtall sources`.";

pub fn routine_list(program: &Program) {
    for line in routine_lines(program, width()) {
        println!("{line}");
    }
    println!("\nShow one: `runtall routines ID`.");
}

/// One line per routine in three columns (id, name, minutes), and the runs it is for on the next line under the
/// name: five run types do not fit beside the columns at 80 columns, and wrapping them there broke the columns.
fn routine_lines(program: &Program, width: usize) -> Vec<String> {
    let mut out = Vec::new();
    for r in &program.routines {
        let main = format!("  {:<20} {:<40} ~{}", r.id, r.name, minutes(program.routine_seconds(r)));
        let runs: Vec<&str> = r.for_runs.iter().map(|r| r.as_str()).collect();
        let fits = |line: &str| line.chars().count() <= width;
        out.push(main);
        if !runs.is_empty() {
            let line = format!("{:23}for {} runs", "", runs.join(", "));
            out.push(if fits(&line) { line } else { wrap(line.trim_start(), &" ".repeat(23)) });
        }
    }
    out
}

pub fn routine(program: &Program, r: &Routine) {
    println!("{} ({}) — ~{}, {}", r.name, r.id, minutes(program.routine_seconds(r)), r.frequency);
    println_wrapped(&r.summary, "");
    println!();
    for (i, s) in r.steps.iter().enumerate() {
        if let Some(ex) = program.exercise(&s.exercise) {
            let dose = step_dose(ex, s);
            let view = StepView {
                exercise: ex.id.clone(),
                name: ex.name.clone(),
                seconds: dose.estimated_seconds(),
                dose,
                note: s.note.clone(),
                cautions: Vec::new(),
                substituted_for: None,
                clinician: None,
                progression: None,
            };
            step_line(i, &view);
        }
    }
    println_wrapped(&format!("From: {}", sources_line(program, &r.cite, r.evidence)), "");
    println!("{SOURCES_HINT}");
}

pub fn lesson_list(program: &Program) {
    println!("Breathing course: {} short lessons\n", program.lessons.len());
    for line in lesson_rows(program) {
        println!("{line}");
    }
    println!("\nRead one: `runtall learn 1`.");
}

/// One row per lesson with the minutes in one column: the title column is as wide as the longest title.
fn lesson_rows(program: &Program) -> Vec<String> {
    let w = program.lessons.iter().map(|l| l.title.chars().count()).max().unwrap_or(0);
    program.lessons.iter().map(|l| format!("  {:>2}. {:<w$}  {:>2} min", l.number, l.title, l.minutes)).collect()
}

pub fn lesson(program: &Program, l: &Lesson) {
    println!("Lesson {} of {}: {} ({} min)\n", l.number, program.lessons.len(), l.title, l.minutes);
    for para in &l.body {
        println_wrapped(para, "");
        println!();
    }
    bullets("Key points", &l.key_points);
    if let Some(ex) = l.practice.as_deref().and_then(|id| program.exercise(id)) {
        println!();
        println_wrapped(&format!("Practise: {} — `runtall exercises {}`", ex.name, ex.id), "  ");
    }
    println_wrapped(&format!("From: {}", sources_line(program, &l.cite, l.evidence)), "");
    if let Some(next) = program.lessons.iter().find(|n| n.number == l.number + 1) {
        println_wrapped(&format!("Next: `runtall learn {}` — {}", next.number, next.title), "  ");
    }
}

pub fn relief_list(program: &Program) {
    heading("Relief options: for comfort while the real work (mobility and strength) happens");
    for r in program.relief.iter().filter(|r| r.kind != ReliefKind::Supplement) {
        let kind = match r.kind {
            ReliefKind::NotRecommended => "not recommended",
            ReliefKind::Comfort => "comfort",
            ReliefKind::Topical => "topical",
            _ => "support",
        };
        println_fitted(&format!("  {:<20} {} ({kind})", r.id, r.name), Some(23));
    }
    heading("Food and supplements: general nutrition, not a pain treatment");
    for r in program.relief.iter().filter(|r| r.kind == ReliefKind::Supplement) {
        println_fitted(&format!("  {:<20} {} (only after a pharmacist or doctor has agreed)", r.id, r.name), Some(23));
    }
    heading("Cardio that feels close to running, for weeks when running hurts");
    for a in &program.alternatives {
        println!("  {:<24} {}", a.id, a.name);
    }
    println!("\nShow one with its limits: `runtall relief ID`.");
}

pub fn relief(program: &Program, r: &Relief) {
    println!("{} ({})", r.name, r.id);
    println_wrapped(&r.what, "");
    println!();
    bullets("How", &r.how);
    bullets("Limits", &r.limits);
    if let Some(mg) = r.max_daily_mg {
        println!("Upper limit: {mg} mg a day from supplements (food not counted).");
    }
    if let Some(mg) = r.start_mg {
        println!("Starting amount: {mg} mg.");
    }
    if let Some(d) = r.max_days {
        println!("Use for at most {d} days at a time.");
    }
    if !r.avoid_with.is_empty() {
        let c: Vec<&str> = r.avoid_with.iter().map(|c| runtall_domain::profile::condition_label(*c)).collect();
        println_wrapped(&format!("Not without advice if you have: {}", c.join("; ")), "");
    }
    bullets("Ask first", &r.refer);
    println_wrapped(&format!("From: {}", sources_line(program, &r.cite, r.evidence)), "");
    println!("{SOURCES_HINT}");
}

pub fn alternative(program: &Program, a: &CardioAlternative) {
    println!("{} ({})", a.name, a.id);
    println_wrapped(&a.how, "");
    println_wrapped(&format!("Why: {}", a.why), "");
    println_wrapped(&format!("From: {}", sources_line(program, &a.cite, a.evidence)), "");
}

pub fn habits(program: &Program, habits: &[&Habit]) {
    let mut last = None;
    for h in habits {
        if last != Some(h.area) {
            heading(h.area.label());
            last = Some(h.area);
        }
        println!("  ■ {}", h.title);
        println_wrapped(&h.what, "      ");
        println_wrapped(&format!("why: {}", h.why), "      ");
        println_wrapped(&format!("from: {}", sources_line(program, &h.cite, h.evidence)), "      ");
    }
}

// ------------------------------------------------------------------------------------------------ sources

/// Every source named in full, and the evidence levels: what each "from:" line refers to.
pub fn sources(program: &Program) {
    heading("Sources: where the advice comes from");
    for s in &program.sources {
        println!();
        println_fitted(&format!("  {} [{}]", s.title, s.id), None);
        println_wrapped(&format!("who:  {}", s.who), "      ");
        println_wrapped(&format!("when: {}", s.date), "      ");
        println_wrapped(&format!("what: {} ({})", s.form, s.kind.label()), "      ");
        println_wrapped(&s.description, "      ");
        if !s.works.is_empty() {
            println!("      Studies and guidelines it names:");
            for w in &s.works {
                println_wrapped(&format!("- {w}"), "        ");
            }
        }
    }
    heading("Evidence levels: how strong the support is");
    for e in Evidence::ALL {
        println!("  {}", e.label());
        println_wrapped(e.explanation(), "      ");
    }
    println!();
    println_wrapped(
        "A \"from:\" line names the source and the part of it (a seed's own heading, or a section of the brief).",
        "",
    );
}

/// The clinician's note for Today, as `plan --for-run` and `status` show it.
pub fn clinician_note(changes: &ClinicianChanges) {
    if let Some(n) = &changes.note {
        println!();
        println_wrapped(&format!("Note from {} ({}): {}", n.by, n.at.strftime("%Y-%m-%d"), n.text), "");
    }
}

/// What a clinician changed in the plan: their note, exercises switched off or on, doses they set.
pub fn clinician_changes(program: &Program, c: &ClinicianChanges) {
    if c.note.is_none() && c.off.is_empty() && c.on.is_empty() && c.doses.is_empty() {
        return;
    }
    heading("Changed by your clinician");
    let name = |id: &str| program.exercise(id).map(|e| e.name.clone()).unwrap_or_else(|| id.to_string());
    let note = |n: &Option<String>| n.as_deref().map(|n| format!(": {n}")).unwrap_or_default();
    if let Some(n) = &c.note {
        println_wrapped(&format!("  Note from {} ({}): {}", n.by, n.at.strftime("%Y-%m-%d"), n.text), "  ");
    }
    for s in &c.off {
        println_wrapped(&format!("  - {} switched off by {}{}", name(&s.exercise), s.by, note(&s.note)), "    ");
    }
    for s in &c.on {
        println_wrapped(&format!("  - {} switched on by {}{}", name(&s.exercise), s.by, note(&s.note)), "    ");
    }
    for d in &c.doses {
        if let Some(ex) = program.exercise(&d.exercise)
            && let Some((dose, words)) = c.dose_for(&d.exercise, &ex.dose)
        {
            println_wrapped(&format!("  - {}: {} — {words}", ex.name, dose.line()), "    ");
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn lesson_minutes_line_up_in_one_column_within_80() {
        let rows = super::lesson_rows(runtall_content::program());
        assert!(rows.len() >= 8);
        // Every row ends with "N min" at the same column, so rows are equally long.
        let lengths: std::collections::BTreeSet<usize> = rows.iter().map(|r| r.chars().count()).collect();
        assert_eq!(lengths.len(), 1, "{rows:#?}");
        assert!(rows.iter().all(|r| r.ends_with(" min") && r.chars().count() <= 80), "{rows:#?}");
    }

    /// At 80 columns every routine's minutes start in the same column and no line wraps: the post-run reset's
    /// five run types used to push its line past the edge and the wrap broke the columns.
    #[test]
    fn routine_minutes_line_up_in_one_column_within_80() {
        let lines = super::routine_lines(runtall_content::program(), 79);
        assert!(lines.iter().all(|l| l.chars().count() <= 79), "{lines:#?}");
        let columns: std::collections::BTreeSet<usize> = lines.iter().filter_map(|l| l.find(" ~")).collect();
        assert_eq!(columns.len(), 1, "{lines:#?}");
        assert!(lines.iter().any(|l| l.trim_start().starts_with("for easy, long")), "{lines:#?}");
    }
}
