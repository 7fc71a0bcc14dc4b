//! Browsing the program content: exercises, routines, lessons, relief options and habits.

use super::Ctx;
use crate::args::{ExerciseArgs, HabitArgs, ItemArgs, LearnArgs};
use crate::error::{CliError, CliResult};
use crate::render;
use runtall_app::completion;
use runtall_content::HabitArea;

fn unknown(kind: &str, id: &str, known: impl Iterator<Item = String>) -> CliError {
    let known: Vec<String> = known.collect();
    let close: Vec<&String> = known.iter().filter(|k| k.contains(id) || id.contains(k.as_str())).take(3).collect();
    let hint = if close.is_empty() {
        format!("run `runtall {kind}` to list them")
    } else {
        format!("did you mean {}?", close.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(", "))
    };
    match kind {
        "learn" => CliError::user(format!(
            "no lesson '{id}': lessons are numbered 1 to {}, or named by id; {hint}",
            known.len()
        )),
        other => CliError::user(format!("no {} with id '{id}': {hint}", other.trim_end_matches('s'))),
    }
}

pub fn exercises(ctx: &Ctx, args: ExerciseArgs) -> CliResult {
    let p = ctx.program;
    match args.id {
        None if ctx.json => ctx.print_json(&p.exercises),
        None => {
            render::exercise_list(p);
            Ok(())
        }
        Some(id) => {
            let ex =
                p.exercise(&id).ok_or_else(|| unknown("exercises", &id, p.exercises.iter().map(|e| e.id.clone())))?;
            if let Some(path) = &args.svg {
                let svg = runtall_figures::exercise_svg(p, &ex.id)
                    .ok_or_else(|| CliError::user(format!("{} has no drawing", ex.name)))?;
                std::fs::write(path, svg)
                    .map_err(|e| CliError::user(format!("cannot write {}: {e}", path.display())))?;
                eprintln!("Wrote the drawing of {} to {}.", ex.name, path.display());
                return Ok(());
            }
            if ctx.json {
                return ctx.print_json(ex);
            }
            render::exercise(p, ex);
            Ok(())
        }
    }
}

pub fn routines(ctx: &Ctx, args: ItemArgs) -> CliResult {
    let p = ctx.program;
    match args.id {
        None if ctx.json => ctx.print_json(&p.routines),
        None => {
            render::routine_list(p);
            Ok(())
        }
        Some(id) => {
            let r = p.routine(&id).ok_or_else(|| unknown("routines", &id, p.routines.iter().map(|r| r.id.clone())))?;
            if ctx.json {
                return ctx.print_json(r);
            }
            render::routine(p, r);
            Ok(())
        }
    }
}

/// The course with the runner's progress, shared with the web course page. Reading a lesson in the terminal
/// (the whole lesson is printed) marks it done; `--json` is for scripts and changes nothing. Progress is a
/// convenience: without a database, or when it cannot be opened, the lessons are still shown.
pub fn learn(ctx: &Ctx, args: LearnArgs) -> CliResult {
    let p = ctx.program;
    // Browsing never creates a database: progress is kept only once the runner has one (screen, assess, log…).
    let store = match ctx.db_path.exists().then(|| ctx.store()) {
        None => None,
        Some(Ok(s)) => Some(s),
        Some(Err(e)) => {
            if !ctx.json {
                eprintln!("note: lesson progress is not available ({e})");
            }
            None
        }
    };
    match args.lesson {
        None if ctx.json => ctx.print_json(&p.lessons),
        None => {
            render::lesson_list(p);
            if let Some(store) = &store {
                print_progress(&completion::course_progress(store, p)?);
            }
            Ok(())
        }
        Some(key) => {
            let lesson = completion::find_lesson(p, &key)
                .ok_or_else(|| unknown("learn", &key, p.lessons.iter().map(|l| l.id.clone())))?;
            if args.undone {
                // Undoing needs the progress itself, so here a database is opened (or created) like any logging.
                let store = match store {
                    Some(s) => s,
                    None => ctx.store()?,
                };
                let progress = completion::mark_lesson(&store, p, lesson, false, jiff::Timestamp::now())?;
                if ctx.json {
                    return ctx.print_json(&progress);
                }
                println!("Lesson {} marked as not done: {}.", lesson.number, progress.summary());
                return Ok(());
            }
            if ctx.json {
                return ctx.print_json(lesson);
            }
            render::lesson(p, lesson);
            if let Some(store) = &store {
                let progress = completion::mark_lesson(store, p, lesson, true, jiff::Timestamp::now())?;
                println!("\n✓ Lesson {} marked as read: {}.", lesson.number, progress.summary());
            }
            Ok(())
        }
    }
}

fn print_progress(progress: &completion::CourseProgress) {
    let done: Vec<String> =
        progress.lessons.iter().filter(|l| l.done_at.is_some()).map(|l| l.number.to_string()).collect();
    if done.is_empty() {
        println!("Progress: {} (the web app's course page shares it).", progress.summary());
    } else {
        println!("Progress: {} (✓ {}).", progress.summary(), done.join(", "));
    }
    match &progress.next {
        Some(next) => println!("Next: `runtall learn {}` — {}", next.number, next.title),
        None => println!("Every lesson is done: well done."),
    }
}

pub fn relief(ctx: &Ctx, args: ItemArgs) -> CliResult {
    let p = ctx.program;
    match args.id {
        None if ctx.json => ctx.print_json(&serde_json::json!({ "relief": p.relief, "alternatives": p.alternatives })),
        None => {
            render::relief_list(p);
            Ok(())
        }
        Some(id) => {
            if let Some(r) = p.relief_option(&id) {
                if ctx.json {
                    return ctx.print_json(r);
                }
                render::relief(p, r);
                return Ok(());
            }
            if let Some(a) = p.alternative(&id) {
                if ctx.json {
                    return ctx.print_json(a);
                }
                render::alternative(p, a);
                return Ok(());
            }
            Err(unknown(
                "relief",
                &id,
                p.relief.iter().map(|r| r.id.clone()).chain(p.alternatives.iter().map(|a| a.id.clone())),
            ))
        }
    }
}

pub fn habits(ctx: &Ctx, args: HabitArgs) -> CliResult {
    let p = ctx.program;
    let area = args.area.as_deref().map(|a| match a {
        "sitting" => HabitArea::Sitting,
        "travel" => HabitArea::Travel,
        "pack" => HabitArea::Pack,
        "load" => HabitArea::Load,
        "posture" => HabitArea::Posture,
        _ => HabitArea::Care,
    });
    let habits: Vec<_> = p.habits.iter().filter(|h| area.is_none_or(|a| h.area == a)).collect();
    if ctx.json {
        return ctx.print_json(&serde_json::json!({ "defaults": p.habit_defaults, "habits": habits }));
    }
    render::habits(p, &habits);
    Ok(())
}

/// `runtall sources`: every source named in full (title, who, when, what kind) and what the evidence levels mean,
/// the page every "from:" line points to.
pub fn sources(ctx: &Ctx) -> CliResult {
    let p = ctx.program;
    if ctx.json {
        let levels: Vec<serde_json::Value> = runtall_content::Evidence::ALL
            .iter()
            .map(|e| serde_json::json!({ "level": e, "label": e.label(), "meaning": e.explanation() }))
            .collect();
        return ctx.print_json(&serde_json::json!({ "sources": p.sources, "evidence_levels": levels }));
    }
    render::sources(p);
    Ok(())
}
