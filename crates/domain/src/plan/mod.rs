//! The plan engine: plain rules from the screen and the assessment to a prioritized, explained plan.
//!
//! Every rule is a few lines below that adds items with a *reason* naming the answer that triggered it. Items
//! carry their citations and evidence strength from the content, so the runner always sees why an item is there
//! and where the advice comes from. The engine is deterministic: the same answers give the same plan.
//!
//! What the runner may do at all is not decided here but by the safety gate ([`crate::safety::gate`]): the plan,
//! its week, one run day and each routine view compose only what its [`Permissions`] allow, and list the rest
//! with the gate's reason.

use crate::assess::Assessment;
pub use crate::safety::Mode;
use crate::safety::Permissions;
use crate::screen::TriggeredFlag;
use runtall_content::{
    Citation, Condition, CuePhase, Evidence, HabitArea, Program, ReliefKind, Routine, RoutineKind, RunType, step_dose,
};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

pub mod named;
pub mod progression;
mod routine;
mod rules;
mod run_day;
mod today;
mod week;

pub use progression::Progress;
pub use routine::{equipment_label, routine_view};
pub use rules::{build, run_types};
pub use run_day::for_run;
pub use today::{DayBudget, DroppedStrength, Moment, Today, TodayBlock, priorities, today};

/// Why a plan cannot be made right now.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum PlanError {
    #[error("no red-flag screen yet: run `runtall screen` first")]
    NotScreened,
    #[error(
        "the program is locked after an emergency-level answer; see a clinician, then confirm with `runtall screen --clinician-checked`"
    )]
    Locked(Vec<TriggeredFlag>),
    #[error(
        "the program is paused: see a clinician today, then confirm with `runtall screen --clinician-checked` or screen again"
    )]
    Paused(Vec<TriggeredFlag>),
    #[error("unknown routine or exercise '{0}'")]
    UnknownItem(String),
    /// The safety gate does not allow this run type now.
    #[error("{} runs are not in your program now: {reason}", run.as_str())]
    RunNotAllowed { run: RunType, reason: String },
}

impl PlanError {
    /// Why the gate makes no plan at all, if it makes none.
    pub fn refusal(p: &Permissions) -> Option<PlanError> {
        match p.mode {
            Mode::NotScreened => Some(PlanError::NotScreened),
            Mode::Locked => Some(PlanError::Locked(p.open_flags.clone())),
            Mode::Paused => Some(PlanError::Paused(p.open_flags.clone())),
            Mode::Full | Mode::Reduced | Mode::NoRunning => None,
        }
    }
}

/// Plan sections, in the order they are shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Section {
    Safety,
    BeforeRuns,
    DuringRuns,
    AfterRuns,
    RestDays,
    Daily,
    Desk,
    Travel,
    Pack,
    Training,
    Relief,
    Nutrition,
    Learn,
    Care,
}

impl Section {
    pub fn title(self) -> &'static str {
        match self {
            Section::Safety => "Safety first",
            Section::BeforeRuns => "Before runs",
            Section::DuringRuns => "During runs",
            Section::AfterRuns => "After runs",
            Section::RestDays => "Rest days",
            Section::Daily => "Every day",
            Section::Desk => "At the desk",
            Section::Travel => "Travel",
            Section::Pack => "Hydration pack",
            Section::Training => "Training load",
            Section::Relief => "Relief options (comfort, not a fix)",
            Section::Nutrition => "Food and supplements (general nutrition, not for pain)",
            Section::Learn => "Learn",
            Section::Care => "When to get help",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum RefKind {
    Routine,
    Exercise,
    Schedule,
    Habit,
    Relief,
    Alternative,
    Lesson,
    RedFlag,
}

/// Priority 1 is the core of the plan; 3 is optional.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Priority {
    Core = 1,
    Recommended = 2,
    Optional = 3,
}

/// The answer behind a run's pack advice (a pack experiment's pack-off runs leave that advice out).
pub const PACK_ANSWER: &str = "exposures.hydration_pack";

/// The answer behind an item, and what it means for the runner.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Reason {
    /// The answer, as `field: value` (e.g. `when: long-runs`, `exposures.sitting_hours_per_day: 9`).
    pub answer: String,
    pub text: String,
}

impl Reason {
    /// The answer in words for pages and the terminal ("your answer: hours in the car a week, 4"); `answer` stays
    /// the traceable `field: value` form for JSON and exports. Several answers are joined with "; ".
    pub fn answer_words(&self) -> String {
        if self.answer == "program" {
            return "part of the program for everyone".into();
        }
        if let Some(by) = self.answer.strip_prefix("clinician: ") {
            return format!("added by your clinician, {by}");
        }
        let parts: Vec<String> = self.answer.split("; ").map(answer_part_words).collect();
        format!("your answer: {}", parts.join("; "))
    }
}

/// One `field: value` in words: the question's short name, then the value without ids' hyphens.
fn answer_part_words(part: &str) -> String {
    let (field, value) = match part.split_once(": ") {
        Some((f, v)) => (f.trim(), Some(v.trim())),
        None => (part.trim(), None),
    };
    let name = match field {
        "when" => "when it hurts".to_string(),
        "regions" => "where it hurts".to_string(),
        "conditions" => "health conditions".to_string(),
        "baseline_pain" => "usual pain (0–10)".to_string(),
        "screen" | "safety" => "safety check".to_string(),
        "exposures.hydration_pack" => "hydration pack".to_string(),
        "exposures.car_hours_per_week" => "hours in the car a week".to_string(),
        "exposures.sitting_hours_per_day" => "hours sitting a day".to_string(),
        "exposures.destination_race" => "a race you travel to".to_string(),
        other => other.trim_start_matches("exposures.").replace(['_', '.'], " "),
    };
    match value {
        None => name,
        Some("true") => format!("{name}, yes"),
        Some("false") => format!("{name}, no"),
        Some(v) => format!("{name}, {}", v.replace('-', " ")),
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PlanItem {
    pub section: Section,
    pub priority: Priority,
    pub kind: RefKind,
    pub id: String,
    pub title: String,
    pub summary: String,
    pub why: Vec<Reason>,
    pub cite: Vec<Citation>,
    pub evidence: Evidence,
    /// Safety limits that always show with the item (relief: time, days, dose, who must agree first).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub limits: Vec<String>,
}

/// An item the rules would have offered but a condition, missing equipment or the reduced mode ruled out.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Excluded {
    pub kind: RefKind,
    pub id: String,
    pub reason: String,
    /// What is offered instead, if anything.
    pub instead: Option<String>,
}

/// One step of a routine as this runner does it, after substitutions.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StepView {
    pub exercise: String,
    pub name: String,
    pub dose: runtall_content::Dose,
    pub seconds: u32,
    pub note: Option<String>,
    /// The exercise's own cautions (a swapped-in exercise shows its own, never the replaced one's).
    #[serde(default)]
    pub cautions: Vec<String>,
    /// The exercise this one replaces, and why.
    pub substituted_for: Option<(String, String)>,
    /// A clinician set this step's dose: who, and their note.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub clinician: Option<String>,
    /// The dose grew by its progression rule: "week 3 of 12: 8 → 10 reps".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub progression: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RoutineView {
    pub id: String,
    pub name: String,
    pub kind: RoutineKind,
    pub summary: String,
    pub frequency: String,
    pub steps: Vec<StepView>,
    /// Steps left out entirely (no safe substitute), with the reason.
    pub skipped: Vec<Excluded>,
    pub seconds: u32,
    pub cite: Vec<Citation>,
    pub evidence: Evidence,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CueView {
    pub id: String,
    pub text: String,
    pub phases: Vec<CuePhase>,
}

/// How the runner is cued during one kind of run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CueSchedule {
    pub run_type: RunType,
    pub every_min: u32,
    pub last_third_every_min: Option<u32>,
    pub per_rep: bool,
    pub notes: Vec<String>,
    pub cues: Vec<CueView>,
    pub cite: Vec<Citation>,
    pub evidence: Evidence,
}

/// What to do on the day of one run: before, during, after, and notes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunDay {
    pub run_type: RunType,
    pub mode: Mode,
    pub pre_run: RoutineView,
    pub during: CueSchedule,
    pub post_run: RoutineView,
    pub notes: Vec<Reason>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Weekday {
    Mon,
    Tue,
    Wed,
    Thu,
    Fri,
    Sat,
    Sun,
}

impl Weekday {
    pub const ALL: [Weekday; 7] =
        [Weekday::Mon, Weekday::Tue, Weekday::Wed, Weekday::Thu, Weekday::Fri, Weekday::Sat, Weekday::Sun];

    pub fn name(self) -> &'static str {
        match self {
            Weekday::Mon => "Mon",
            Weekday::Tue => "Tue",
            Weekday::Wed => "Wed",
            Weekday::Thu => "Thu",
            Weekday::Fri => "Fri",
            Weekday::Sat => "Sat",
            Weekday::Sun => "Sun",
        }
    }

    pub fn is_workday(self) -> bool {
        !matches!(self, Weekday::Sat | Weekday::Sun)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DayPlan {
    pub day: Weekday,
    pub run: Option<RunType>,
    /// Routine ids to do that day, in order.
    pub routines: Vec<String>,
    /// Short reminders (desk breaks, no long drive, ...).
    pub notes: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Plan {
    pub mode: Mode,
    /// Flags that reduced the plan, to be asked about again at each plan.
    pub open_flags: Vec<TriggeredFlag>,
    pub items: Vec<PlanItem>,
    pub week: Vec<DayPlan>,
    pub excluded: Vec<Excluded>,
    /// Minutes of each routine in the plan as this runner does it (after swaps), keyed by routine id.
    #[serde(default)]
    pub routine_seconds: BTreeMap<String, u32>,
    /// The safety gate's one-line summary when the program is not full (reduced, no running).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub safety: Option<String>,
    /// Days until the functional scale (PSFS) and pain are re-scored.
    pub review_in_days: u32,
    pub baseline_pain: f64,
    pub baseline_psfs: f64,
    /// A clinician's changes in force when the plan was made (which exercises they switched off or on, the doses
    /// they set, their note), and those the safety gate kept out.
    #[serde(default, skip_serializing_if = "crate::safety::clinician::ClinicianChanges::is_empty")]
    pub clinician: crate::safety::clinician::ClinicianChanges,
}

impl Plan {
    pub fn sections(&self) -> BTreeMap<Section, Vec<&PlanItem>> {
        let mut map: BTreeMap<Section, Vec<&PlanItem>> = BTreeMap::new();
        for item in &self.items {
            map.entry(item.section).or_default().push(item);
        }
        map
    }
}

/// A plan as stored, with the screen and assessment it was built from, so its history can be replayed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PlanRecord {
    #[serde(default)]
    pub id: Option<i64>,
    pub created_at: jiff::Timestamp,
    pub screening_id: Option<i64>,
    pub assessment_id: Option<i64>,
    pub plan: Plan,
}

/// Long runs: at least this long, or this share of the week, count as "long" for the plan.
pub(crate) const LONG_RUN_KM: f64 = 15.0;
pub(crate) const LONG_RUN_SHARE: f64 = 0.3;
/// Daily sitting hours from which desk habits are core rather than recommended.
pub(crate) const SITTING_CORE_H: f64 = 6.0;
pub(crate) const SITTING_SOME_H: f64 = 4.0;
pub(crate) const CAR_HOURS_WEEK: f64 = 5.0;
/// Baseline pain from which the plan suggests easing the load rather than pushing on.
pub(crate) const HIGH_PAIN: f64 = 6.0;
pub const REVIEW_DAYS: u32 = 14;

#[cfg(test)]
mod answer_words_tests {
    use super::Reason;

    fn words(answer: &str) -> String {
        Reason { answer: answer.into(), text: String::new() }.answer_words()
    }

    #[test]
    fn answers_are_shown_in_words_not_field_ids() {
        assert_eq!(words("exposures.car_hours_per_week: 4"), "your answer: hours in the car a week, 4");
        assert_eq!(words("exposures.car_hours_per_week"), "your answer: hours in the car a week");
        assert_eq!(words("when: long-runs"), "your answer: when it hurts, long runs");
        assert_eq!(words("exposures.destination_race: true"), "your answer: a race you travel to, yes");
        assert_eq!(
            words("regions: rib-left; when: after-meals"),
            "your answer: where it hurts, rib left; when it hurts, after meals"
        );
        assert_eq!(words("program"), "part of the program for everyone");
        assert!(!words("exposures.some_new_field: 3").contains(['_', '.']), "an unknown field is still words");
    }
}
