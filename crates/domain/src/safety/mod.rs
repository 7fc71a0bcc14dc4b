//! The safety gate: the one place that decides what a runner may do right now.
//!
//! [`gate`] takes the latest red-flag screen, the assessment (conditions, regions, timing, equipment) and returns
//! [`Permissions`]: the program mode, which run types are allowed, which exercises are allowed, swapped or left
//! out, which routines, self-experiments, relief options (with their limits) and cardio alternatives. Every
//! decision carries its reason in words the runner sees.
//!
//! Every surface asks it and none re-implements a rule: the plan and its week, one run day (`plan --for-run`,
//! Today), routines as the runner does them (`guide`, the web player), cue plans and their exports (`cues`,
//! `export`, run mode), experiments, the reminders' micro-exercises, and `status`. A surface that offered
//! something the gate forbids would fail the safety matrix test (`tests/safety_matrix.rs`).
//!
//! The levels (evidence brief §1 and §7; see `docs/safety.md`):
//!
//! | mode | when | what the runner gets |
//! |---|---|---|
//! | not screened | no screen yet | nothing but the screen |
//! | locked | a level A answer | the emergency screen only, until a clinician has checked them |
//! | paused | a level B answer (not about the chest) | no plan, no running, no training; see a clinician today |
//! | no running | a level B chest answer, or rib pain that comes with running or meals (assessment) | a gentle plan (breathing, neck and desk-break work), no runs, no cues, no experiments |
//! | reduced | a level C answer | short easy runs and the gentle plan; no long runs, speed work, races, trail runs, loaded strength or foam roller |
//! | full | no flags | the whole program, with per-exercise swaps for conditions and equipment |
//!
//! The rules are fixed and cautious on purpose (symptom checkers get urgency right only about half the time,
//! brief §7): the most restrictive finding wins, and chest or rib pain is never explained away.

pub mod clinician;
mod decide;

use crate::assess::{Assessment, Region, When};
use crate::plan::Reason;
use crate::screen::{ProgramState, ScreeningRecord, TriggeredFlag, program_state};
use runtall_content::{Condition, FlagLevel, Program, RunType};
use serde::{Deserialize, Serialize};

pub use decide::{equipment_label, has_equipment};

/// What the gate looks at: the latest screen and the latest assessment (either may be missing).
#[derive(Debug, Clone, Copy, Default)]
pub struct SafetyInputs<'a> {
    pub screening: Option<&'a ScreeningRecord>,
    pub assessment: Option<&'a Assessment>,
}

/// Where the program stands, least to most restrictive.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Mode {
    Full,
    /// Level C: easy runs and gentle items until a clinician has checked.
    Reduced,
    /// Chest or rib pain with effort (screen level B, or the assessment): gentle items, no running.
    NoRunning,
    /// Level B: no plan at all; see a clinician today.
    Paused,
    /// Level A: emergency; locked until a clinician has checked.
    Locked,
    /// No screen yet.
    NotScreened,
}

impl Mode {
    pub fn name(self) -> &'static str {
        match self {
            Mode::Full => "full",
            Mode::Reduced => "reduced",
            Mode::NoRunning => "no-running",
            Mode::Paused => "paused",
            Mode::Locked => "locked",
            Mode::NotScreened => "not-screened",
        }
    }

    /// Whether a plan (of gentle items at least) is made.
    pub fn allows_plan(self) -> bool {
        matches!(self, Mode::Full | Mode::Reduced | Mode::NoRunning)
    }
}

/// Allowed or not, and why not.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Decision {
    pub allowed: bool,
    /// Why it is not allowed (or, for allowed items, a caution to keep in mind); None when there is nothing to say.
    pub reason: Option<String>,
}

impl Decision {
    fn yes() -> Self {
        Decision { allowed: true, reason: None }
    }
    fn no(reason: impl Into<String>) -> Self {
        Decision { allowed: false, reason: Some(reason.into()) }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RunDecision {
    pub run: RunType,
    pub allowed: bool,
    pub reason: Option<String>,
    /// The run to do instead, when one is allowed.
    pub instead: Option<RunType>,
}

/// One exercise: as it is, replaced by an alternative, or left out.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "verdict", rename_all = "kebab-case")]
pub enum ExerciseVerdict {
    Allowed,
    /// Not suitable as it is; `to` (the end of its alternative chain) is.
    Swapped {
        to: String,
        reason: String,
    },
    LeftOut {
        reason: String,
    },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExerciseDecision {
    pub id: String,
    #[serde(flatten)]
    pub verdict: ExerciseVerdict,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NamedDecision {
    pub id: String,
    pub allowed: bool,
    pub reason: Option<String>,
}

/// A relief option: offered or withheld, and the limits that always travel with it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReliefDecision {
    pub id: String,
    pub allowed: bool,
    pub reason: Option<String>,
    /// Who to ask or what to do instead, when withheld.
    pub instead: Option<String>,
    /// Shown wherever the option appears: time, days, dose, who must agree first.
    pub limits: Vec<String>,
}

/// Everything a surface may offer right now, with reasons.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Permissions {
    pub mode: Mode,
    /// The most urgent level behind the mode; None means no flag at all (the ordinary runner).
    pub level: Option<FlagLevel>,
    /// One sentence every surface shows when the mode is not full.
    pub headline: String,
    /// Screen answers awaiting a clinician's check.
    pub open_flags: Vec<TriggeredFlag>,
    /// Findings from the assessment that hold something back (rib pain with running or meals), with the answer.
    pub holds: Vec<Reason>,
    pub runs: Vec<RunDecision>,
    pub exercises: Vec<ExerciseDecision>,
    pub routines: Vec<NamedDecision>,
    pub experiments: Vec<NamedDecision>,
    pub relief: Vec<ReliefDecision>,
    pub cardio_alternatives: Decision,
    pub reminders: Decision,
    /// The runner's conditions, for the cautions that concern them.
    #[serde(default)]
    pub conditions: Vec<Condition>,
    /// A clinician's program changes as the gate let them through ([`clinician::within_gate`]); empty as the gate
    /// itself decides.
    #[serde(default, skip_serializing_if = "clinician::ClinicianChanges::is_empty")]
    pub clinician: clinician::ClinicianChanges,
}

/// Self-experiment factors the gate knows (the ids of `runtall-insights`' `ExperimentFactor`); a test in
/// `runtall-app` checks that every factor the engine offers is here.
pub const EXPERIMENT_FACTORS: [&str; 5] = ["pack", "pre-run-breathing", "foam-roller", "surface", "eating-before"];

/// Pain timings that do not involve running or eating before it: rib pain only at these times is advice, not a
/// hold.
const NON_EFFORT: [When; 4] = [When::AtDesk, When::AfterDriving, When::NextMorning, When::WithPack];

/// Rib pain that comes with running or meals (or whose timing was not given): the angina pattern is not ruled
/// out by its location, so no running until a clinician has checked it (brief §1).
pub fn rib_pain_with_effort(a: &Assessment) -> bool {
    a.regions.iter().any(|r| r.is_rib() || *r == Region::Chest)
        && (a.when.is_empty() || a.when.iter().any(|w| !NON_EFFORT.contains(w)))
}

/// Decides what the runner may do. Pure: the same inputs give the same permissions.
pub fn gate(program: &Program, inputs: &SafetyInputs) -> Permissions {
    let state = program_state(inputs.screening);
    let checked = inputs.screening.is_some_and(|s| s.clinician_checked_at.is_some());
    let (mut mode, mut level, open_flags) = match state {
        ProgramState::NotScreened => (Mode::NotScreened, None, vec![]),
        ProgramState::Locked { flags } => (Mode::Locked, Some(FlagLevel::A), flags),
        // Level B chest answers keep a gentle plan without running (the runner still has somewhere to look);
        // any other level B answer pauses everything.
        ProgramState::Paused { flags } if flags.iter().all(|f| f.chest) => (Mode::NoRunning, Some(FlagLevel::B), flags),
        ProgramState::Paused { flags } => (Mode::Paused, Some(FlagLevel::B), flags),
        ProgramState::Reduced { flags } => (Mode::Reduced, Some(FlagLevel::C), flags),
        ProgramState::Open => (Mode::Full, None, vec![]),
    };
    let mut holds = Vec::new();
    if let Some(a) = inputs.assessment
        && matches!(mode, Mode::Full | Mode::Reduced | Mode::NoRunning)
        && !checked
        && rib_pain_with_effort(a)
    {
        let regions: Vec<&str> = a.regions.iter().filter(|r| r.is_rib()).map(|r| r.id()).collect();
        let whens: Vec<&str> = a.when.iter().map(|w| w.id()).collect();
        holds.push(Reason {
            answer: format!(
                "regions: {}; when: {}",
                regions.join(", "),
                if whens.is_empty() { "not given".to_string() } else { whens.join(", ") }
            ),
            text: "Rib or side pain that comes with running or after a meal is checked by a clinician before you \
                   run again: the same pattern can come from the heart, so it is never assumed to be a side stitch."
                .into(),
        });
        mode = Mode::NoRunning;
        level = Some(FlagLevel::B);
    }
    let headline = headline(mode, &open_flags, !holds.is_empty());
    let why = ModeReason::new(mode, &open_flags, !holds.is_empty());
    let mut p = Permissions {
        mode,
        level,
        headline,
        open_flags,
        holds,
        runs: RunType::ALL.iter().map(|r| decide::run(*r, &why)).collect(),
        exercises: vec![],
        routines: vec![],
        experiments: vec![],
        relief: program.relief.iter().map(|r| decide::relief(r, inputs.assessment, &why)).collect(),
        cardio_alternatives: match mode {
            Mode::Full | Mode::Reduced => Decision::yes(),
            _ => Decision::no(why.no_training()),
        },
        reminders: match mode {
            Mode::NotScreened | Mode::Locked | Mode::Paused => Decision::no(why.nothing()),
            _ => Decision::yes(),
        },
        conditions: inputs.assessment.map(|a| a.conditions.clone()).unwrap_or_default(),
        clinician: clinician::ClinicianChanges::default(),
    };
    p.exercises = program
        .exercises
        .iter()
        .map(|e| ExerciseDecision { id: e.id.clone(), verdict: decide::exercise(program, e, inputs.assessment, &why) })
        .collect();
    p.routines = program.routines.iter().map(|r| decide::routine(program, r, &p, &why)).collect();
    p.experiments = EXPERIMENT_FACTORS.iter().map(|f| decide::experiment(f, &p, &why)).collect();
    p
}

/// The words each decision uses for "because of the mode", so every surface says the same thing.
pub(crate) struct ModeReason {
    mode: Mode,
    what: String,
}

impl ModeReason {
    fn new(mode: Mode, flags: &[TriggeredFlag], hold: bool) -> Self {
        let mut shorts: Vec<String> = flags.iter().map(|f| f.short.to_lowercase()).collect();
        if hold {
            shorts.push("rib pain with running or meals".into());
        }
        let what = if shorts.is_empty() { "your screening answers".to_string() } else { shorts.join("; ") };
        ModeReason { mode, what }
    }

    /// Why nothing at all is offered (not screened, locked, paused).
    fn nothing(&self) -> String {
        match self.mode {
            Mode::NotScreened => "take the safety check (red-flag screen) first".into(),
            Mode::Locked => {
                "the program is locked after an emergency-level answer, until a clinician has checked you".into()
            }
            _ => format!("the program is paused until a clinician has checked you today ({})", self.what),
        }
    }

    /// Why runs are not offered.
    fn no_running(&self) -> String {
        match self.mode {
            Mode::NoRunning => format!("no running until a clinician has checked {}", self.what),
            Mode::Reduced => format!("only short easy runs until a clinician has checked {}", self.what),
            _ => self.nothing(),
        }
    }

    /// Why training beyond gentle items is not offered.
    fn no_training(&self) -> String {
        match self.mode {
            Mode::NoRunning => {
                format!("only gentle breathing, neck and desk-break work until a clinician has checked {}", self.what)
            }
            Mode::Reduced => {
                format!("left out of the reduced program until a clinician has checked {}", self.what)
            }
            _ => self.nothing(),
        }
    }

    fn no_experiments(&self) -> String {
        match self.mode {
            Mode::NoRunning | Mode::Reduced => {
                format!("experiments wait until a clinician has checked {}", self.what)
            }
            _ => self.nothing(),
        }
    }
}

fn headline(mode: Mode, flags: &[TriggeredFlag], hold: bool) -> String {
    let why = ModeReason::new(mode, flags, hold);
    match mode {
        Mode::Full => "No red flags: the full program.".into(),
        Mode::Reduced => format!(
            "Reduced program until a clinician has checked {}: short easy runs, gentle breathing, neck and \
             desk-break work only.",
            why.what
        ),
        Mode::NoRunning if flags.iter().any(|f| f.chest) => format!(
            "No running: see a doctor today about {}. Until then, gentle breathing and desk breaks only.",
            why.what
        ),
        Mode::NoRunning => format!(
            "No running until a clinician has checked {}. Until then, gentle breathing and desk breaks only.",
            why.what
        ),
        Mode::Paused => format!("Paused: see a clinician today about {}. No running or training until then.", why.what),
        Mode::Locked => {
            "Emergency-level answer: call your emergency number now. The program is locked until a clinician has \
             checked you."
                .into()
        }
        Mode::NotScreened => "No safety check yet: take the red-flag screen (about 2 minutes) first.".into(),
    }
}

impl Permissions {
    pub fn allows_plan(&self) -> bool {
        self.mode.allows_plan()
    }

    pub fn run(&self, run: RunType) -> &RunDecision {
        // Every run type is decided; the fallback is unreachable but never panics.
        self.runs.iter().find(|d| d.run == run).unwrap_or(&self.runs[0])
    }

    pub fn allowed_runs(&self) -> Vec<RunType> {
        self.runs.iter().filter(|d| d.allowed).map(|d| d.run).collect()
    }

    /// The verdict for an exercise id; an unknown id is left out.
    pub fn exercise(&self, id: &str) -> ExerciseVerdict {
        self.exercises
            .iter()
            .find(|d| d.id == id)
            .map(|d| d.verdict.clone())
            .unwrap_or_else(|| ExerciseVerdict::LeftOut { reason: format!("'{id}' is not an exercise") })
    }

    /// The exercise to do for `id`: itself, its allowed alternative, or None with the reason.
    pub fn exercise_to_do(&self, id: &str) -> Result<String, String> {
        match self.exercise(id) {
            ExerciseVerdict::Allowed => Ok(id.to_string()),
            ExerciseVerdict::Swapped { to, .. } => Ok(to),
            ExerciseVerdict::LeftOut { reason } => Err(reason),
        }
    }

    pub fn routine(&self, id: &str) -> Decision {
        self.routines
            .iter()
            .find(|d| d.id == id)
            .map(|d| Decision { allowed: d.allowed, reason: d.reason.clone() })
            .unwrap_or_else(|| Decision::no(format!("'{id}' is not a routine")))
    }

    pub fn experiment(&self, factor: &str) -> Decision {
        self.experiments
            .iter()
            .find(|d| d.id == factor)
            .map(|d| Decision { allowed: d.allowed, reason: d.reason.clone() })
            .unwrap_or_else(|| Decision::no(format!("'{factor}' is not an experiment factor")))
    }

    pub fn relief(&self, id: &str) -> Option<&ReliefDecision> {
        self.relief.iter().find(|r| r.id == id)
    }

    /// The one-line level name: "none", "A", "B" or "C".
    pub fn level_name(&self) -> &'static str {
        match self.level {
            None => "none",
            Some(FlagLevel::A) => "A",
            Some(FlagLevel::B) => "B",
            Some(FlagLevel::C) => "C",
        }
    }

    /// The exercise's cautions that concern this runner: the general ones, and those about a condition they told
    /// us about (a caution about pregnancy is not shown to everyone; the library shows every caution).
    pub fn cautions_for(&self, ex: &runtall_content::Exercise) -> Vec<String> {
        ex.cautions
            .iter()
            .filter(|c| {
                let text = c.to_lowercase();
                Condition::ALL
                    .iter()
                    .all(|cond| self.conditions.contains(cond) || !cond.keywords().iter().any(|k| text.contains(k)))
            })
            .cloned()
            .collect()
    }

    /// Whether a clinician's check would change anything (flags or holds are open).
    pub fn awaits_clinician(&self) -> bool {
        !self.open_flags.is_empty() || !self.holds.is_empty()
    }
}

#[cfg(test)]
mod tests;
