//! The runtall program as data.
//!
//! Every exercise, routine, cue, habit, relief option, lesson and red flag lives in a TOML file under `data/`,
//! is compiled into the binary with `include_str!`, and is checked by [`validate`] in the test suite. Keeping the
//! advice as data (rather than strings scattered through code) lets a physical therapist review it in one place
//! and lets tests enforce the safety limits (doses, contraindications, citations) on every item.

mod card;
mod model;
mod validate;

pub use card::{card_problems, text_problems};
pub use model::*;
pub use validate::{KNOWN_RULES, Problem, validate};

use serde::Deserialize;
use std::sync::OnceLock;

/// The whole program, loaded from the bundled TOML files.
#[derive(Debug, Clone)]
pub struct Program {
    pub sources: Vec<Source>,
    pub exercises: Vec<Exercise>,
    pub routines: Vec<Routine>,
    pub cues: Vec<Cue>,
    pub schedules: Vec<CueSchedule>,
    pub habit_defaults: HabitDefaults,
    pub habits: Vec<Habit>,
    pub relief: Vec<Relief>,
    pub alternatives: Vec<CardioAlternative>,
    pub lessons: Vec<Lesson>,
    pub flag_levels: Vec<FlagLevelInfo>,
    pub red_flags: Vec<RedFlag>,
    pub trace: Vec<TraceRow>,
    /// Start and end drawings of every exercise (`data/figures.toml`).
    pub figures: Vec<Figure>,
    /// How each kind of exercise's dose steps up over the weeks (`data/progression.toml`).
    pub progression: Vec<ProgressionRule>,
}

/// A content file failed to parse: names the file and, through `toml`'s message, the line and field.
#[derive(Debug, thiserror::Error)]
#[error("bundled content file data/{file}: {message}")]
pub struct LoadError {
    pub file: &'static str,
    pub message: String,
}

macro_rules! content_file {
    ($name:literal) => {
        ($name, include_str!(concat!("../data/", $name)))
    };
}

/// The bundled files, in the order they are read.
pub const FILES: [(&str, &str); 11] = [
    content_file!("sources.toml"),
    content_file!("exercises.toml"),
    content_file!("routines.toml"),
    content_file!("cues.toml"),
    content_file!("habits.toml"),
    content_file!("relief.toml"),
    content_file!("lessons.toml"),
    content_file!("red_flags.toml"),
    content_file!("trace.toml"),
    content_file!("figures.toml"),
    content_file!("progression.toml"),
];

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SourcesFile {
    source: Vec<Source>,
}
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ExercisesFile {
    exercise: Vec<Exercise>,
}
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RoutinesFile {
    routine: Vec<Routine>,
}
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CuesFile {
    cue: Vec<Cue>,
    schedule: Vec<CueSchedule>,
}
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct HabitsFile {
    defaults: HabitDefaults,
    habit: Vec<Habit>,
}
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ReliefFile {
    relief: Vec<Relief>,
    alternative: Vec<CardioAlternative>,
}
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct LessonsFile {
    lesson: Vec<Lesson>,
}
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RedFlagsFile {
    level: Vec<FlagLevelInfo>,
    flag: Vec<RedFlag>,
}
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FiguresFile {
    figure: Vec<Figure>,
}
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ProgressionFile {
    progression: Vec<ProgressionRule>,
}
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TraceFile {
    row: Vec<TraceRow>,
}

fn parse<T: serde::de::DeserializeOwned>(file: &'static str) -> Result<T, LoadError> {
    let text = FILES
        .iter()
        .find(|(name, _)| *name == file)
        .map(|(_, text)| *text)
        .ok_or_else(|| LoadError { file, message: "not bundled".into() })?;
    toml::from_str(text).map_err(|e| LoadError { file, message: e.to_string() })
}

impl Program {
    /// Parses every bundled file. Use [`program`] for the shared, validated instance.
    pub fn load() -> Result<Program, LoadError> {
        let sources: SourcesFile = parse("sources.toml")?;
        let exercises: ExercisesFile = parse("exercises.toml")?;
        let routines: RoutinesFile = parse("routines.toml")?;
        let cues: CuesFile = parse("cues.toml")?;
        let habits: HabitsFile = parse("habits.toml")?;
        let relief: ReliefFile = parse("relief.toml")?;
        let lessons: LessonsFile = parse("lessons.toml")?;
        let flags: RedFlagsFile = parse("red_flags.toml")?;
        let trace: TraceFile = parse("trace.toml")?;
        let figures: FiguresFile = parse("figures.toml")?;
        let progression: ProgressionFile = parse("progression.toml")?;
        let mut lessons = lessons.lesson;
        lessons.sort_by_key(|l| l.number);
        Ok(Program {
            sources: sources.source,
            exercises: exercises.exercise,
            routines: routines.routine,
            cues: cues.cue,
            schedules: cues.schedule,
            habit_defaults: habits.defaults,
            habits: habits.habit,
            relief: relief.relief,
            alternatives: relief.alternative,
            lessons,
            flag_levels: flags.level,
            red_flags: flags.flag,
            trace: trace.row,
            figures: figures.figure,
            progression: progression.progression,
        })
    }

    pub fn source(&self, id: &str) -> Option<&Source> {
        self.sources.iter().find(|s| s.id == id)
    }
    pub fn exercise(&self, id: &str) -> Option<&Exercise> {
        self.exercises.iter().find(|e| e.id == id)
    }
    pub fn routine(&self, id: &str) -> Option<&Routine> {
        self.routines.iter().find(|r| r.id == id)
    }
    pub fn cue(&self, id: &str) -> Option<&Cue> {
        self.cues.iter().find(|c| c.id == id)
    }
    pub fn schedule(&self, run: RunType) -> Option<&CueSchedule> {
        self.schedules.iter().find(|s| s.run_type == run)
    }
    pub fn habit(&self, id: &str) -> Option<&Habit> {
        self.habits.iter().find(|h| h.id == id)
    }
    /// What a person reads for an id that may name an exercise, a routine, a habit or a relief option (a plan's
    /// "left out" list mixes them); anything else, such as a run type, is shown as it is.
    pub fn title_of<'a>(&'a self, id: &'a str) -> &'a str {
        self.exercise(id)
            .map(|e| e.name.as_str())
            .or_else(|| self.routine(id).map(|r| r.name.as_str()))
            .or_else(|| self.habit(id).map(|h| h.title.as_str()))
            .or_else(|| self.relief_option(id).map(|r| r.name.as_str()))
            .unwrap_or(id)
    }
    pub fn relief_option(&self, id: &str) -> Option<&Relief> {
        self.relief.iter().find(|r| r.id == id)
    }
    pub fn alternative(&self, id: &str) -> Option<&CardioAlternative> {
        self.alternatives.iter().find(|a| a.id == id)
    }
    pub fn lesson(&self, id: &str) -> Option<&Lesson> {
        self.lessons.iter().find(|l| l.id == id)
    }
    pub fn red_flag(&self, id: &str) -> Option<&RedFlag> {
        self.red_flags.iter().find(|f| f.id == id)
    }
    pub fn figure(&self, exercise: &str) -> Option<&Figure> {
        self.figures.iter().find(|f| f.exercise == exercise)
    }
    pub fn level_info(&self, level: FlagLevel) -> Option<&FlagLevelInfo> {
        self.flag_levels.iter().find(|l| l.level == level)
    }

    /// The pre-run routine for a run type (validation guarantees exactly one).
    pub fn pre_run_routine(&self, run: RunType) -> Option<&Routine> {
        self.routines.iter().find(|r| r.kind == RoutineKind::PreRun && r.for_runs.contains(&run))
    }

    /// The post-run routine for a run type.
    pub fn post_run_routine(&self, run: RunType) -> Option<&Routine> {
        self.routines.iter().find(|r| r.kind == RoutineKind::PostRun && r.for_runs.contains(&run))
    }

    pub fn routines_of(&self, kind: RoutineKind) -> impl Iterator<Item = &Routine> {
        self.routines.iter().filter(move |r| r.kind == kind)
    }

    /// Estimated total seconds of a routine, from each step's dose with the routine's overrides.
    pub fn routine_seconds(&self, routine: &Routine) -> u32 {
        routine
            .steps
            .iter()
            .filter_map(|step| self.exercise(&step.exercise).map(|ex| step_dose(ex, step).estimated_seconds()))
            .sum::<u32>()
            + 15 * routine.steps.len().saturating_sub(1) as u32
    }
}

/// The dose of one routine step: the exercise's default with the routine's overrides applied.
pub fn step_dose(exercise: &Exercise, step: &RoutineStep) -> Dose {
    let mut dose = exercise.dose.clone();
    if let Some(sets) = step.sets {
        dose.sets = sets;
    }
    if let Some(reps) = step.reps {
        dose.reps = Some(reps);
    }
    if let Some(work) = step.work_s {
        dose.work_s = Some(work);
    }
    dose
}

/// The bundled program. The content is fixed at compile time and validated by the test suite, so a failure
/// here is a build defect, not a user error.
pub fn program() -> &'static Program {
    static PROGRAM: OnceLock<Program> = OnceLock::new();
    PROGRAM.get_or_init(|| match Program::load() {
        Ok(p) => p,
        Err(e) => panic!("{e}"),
    })
}
