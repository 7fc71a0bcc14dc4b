//! Typed shape of the program content.
//!
//! The TOML files in `data/` are deserialized straight into these types, so a typo in a field name or an
//! unknown enum value fails at load time (and therefore in `cargo test`), never silently at run time.

use serde::{Deserialize, Serialize};

/// Where a piece of advice comes from. Every content item carries at least one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Citation {
    /// Id of an entry in `sources.toml` (`podcast`, `article`, `brief`).
    pub source: String,
    /// Section, heading or timestamp inside that source, so a reader can find the passage.
    pub section: String,
}

/// How strong the support for an item is, shown next to every piece of advice.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Evidence {
    /// Trials or systematic reviews support it (still: moderate, short-term).
    Moderate,
    /// Some trial or observational support, low certainty.
    Low,
    /// Clinical commentary or expert consensus without outcome data.
    ExpertOpinion,
    /// Sensible practical advice from the seed texts; not studied.
    PracticalAdvice,
}

impl Evidence {
    pub const ALL: [Evidence; 4] =
        [Evidence::Moderate, Evidence::Low, Evidence::ExpertOpinion, Evidence::PracticalAdvice];

    /// What the level means, for the Sources page.
    pub fn explanation(self) -> &'static str {
        match self {
            Evidence::Moderate => {
                "Trials or systematic reviews support it, with moderate certainty and mostly short-term effects."
            }
            Evidence::Low => {
                "Some trial or observational support, but few or small studies: the effect may be smaller or absent."
            }
            Evidence::ExpertOpinion => {
                "Clinical commentary or expert consensus without outcome data: sensible, not tested."
            }
            Evidence::PracticalAdvice => {
                "Practical advice from the source texts or the program that nobody has studied; try it and see."
            }
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Evidence::Moderate => "moderate evidence",
            Evidence::Low => "low-certainty evidence",
            Evidence::ExpertOpinion => "expert opinion",
            Evidence::PracticalAdvice => "practical advice, not studied",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum SourceKind {
    /// One of the two seed texts the program is built from.
    Seed,
    /// The evidence brief that summarises public research on each part.
    Evidence,
    /// The program's own choices, where neither a seed nor the brief says it: cited as such rather than hidden
    /// behind a seed's name.
    Program,
}

impl SourceKind {
    pub fn label(self) -> &'static str {
        match self {
            SourceKind::Seed => "source text the program is built from",
            SourceKind::Evidence => "evidence summary",
            SourceKind::Program => "the program's own design",
        }
    }
}

/// A source named in full, for the Sources page that every "from:" line links to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Source {
    pub id: String,
    pub title: String,
    /// Who made it, in words.
    pub who: String,
    /// When, as precisely as the source shows it.
    pub date: String,
    /// What kind of source it is, in words (podcast episode, blog article, ...).
    pub form: String,
    pub kind: SourceKind,
    /// File name under `shared/seeds` or `shared/domain`; empty for the program itself.
    pub file: String,
    pub description: String,
    /// The headings a citation of this source may name. For the seeds this is required, so an item can only
    /// claim what a real part of the seed says.
    #[serde(default)]
    pub sections: Vec<String>,
    /// Studies and guidelines this source names (the evidence brief's key sources).
    #[serde(default)]
    pub works: Vec<String>,
}

/// Health conditions that make an exercise or relief option unsuitable. A fixed list because the rules that
/// filter on them are code, and a typo in content must fail the build rather than silently allow an item.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Condition {
    Osteoporosis,
    LongTermSteroids,
    KidneyDisease,
    Pregnancy,
    /// Takes a medicine that interacts with magnesium (some antibiotics, bisphosphonates, diuretics, PPIs,
    /// digoxin, iron) or takes laxatives / magnesium antacids.
    InteractingMedicines,
    /// A current shoulder injury (e.g. the rotator cuff problem a reader describes in the article).
    ShoulderInjury,
    /// Skin that reacts to adhesives, or broken skin where tape would go.
    SensitiveSkin,
}

impl Condition {
    pub const ALL: [Condition; 7] = [
        Condition::Osteoporosis,
        Condition::LongTermSteroids,
        Condition::KidneyDisease,
        Condition::Pregnancy,
        Condition::InteractingMedicines,
        Condition::ShoulderInjury,
        Condition::SensitiveSkin,
    ];

    /// Words that mark a caution as being about this condition (lower case), so a caution about pregnancy is
    /// shown to a pregnant runner and not to everyone.
    pub fn keywords(self) -> &'static [&'static str] {
        match self {
            Condition::Osteoporosis => &["osteoporosis", "bone density"],
            Condition::LongTermSteroids => &["steroid"],
            Condition::KidneyDisease => &["kidney"],
            Condition::Pregnancy => &["pregnan"],
            Condition::InteractingMedicines => &["interacting medicine"],
            Condition::ShoulderInjury => &["shoulder injury"],
            Condition::SensitiveSkin => &["sensitive skin", "react to plasters"],
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ExerciseCategory {
    Breathing,
    Neck,
    Scapular,
    Mobility,
    MicroBreak,
}

impl ExerciseCategory {
    /// The heading a runner reads in the library (web and terminal), never the enum's name ("MicroBreak").
    pub fn label(self) -> &'static str {
        match self {
            ExerciseCategory::Breathing => "Breathing",
            ExerciseCategory::Neck => "Neck",
            ExerciseCategory::Scapular => "Shoulder blades",
            ExerciseCategory::Mobility => "Mobility",
            ExerciseCategory::MicroBreak => "Micro-breaks",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Equipment {
    None,
    Mat,
    Wall,
    Chair,
    Band,
    FoamRoller,
    Towel,
    LightWeights,
}

/// One breath for the pacer, in seconds. Zero-length holds are skipped.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BreathPattern {
    pub inhale_s: f32,
    #[serde(default)]
    pub hold_in_s: f32,
    pub exhale_s: f32,
    #[serde(default)]
    pub hold_out_s: f32,
}

impl BreathPattern {
    pub fn cycle_s(&self) -> f32 {
        self.inhale_s + self.hold_in_s + self.exhale_s + self.hold_out_s
    }
}

/// A dose precise enough for a guided session to time it and for a duration estimate.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Dose {
    /// Sets (or rounds of breaths). At least 1.
    pub sets: u32,
    /// Reps per set (or breaths per round). Absent for purely timed work.
    #[serde(default)]
    pub reps: Option<u32>,
    /// Reps are done on each side.
    #[serde(default)]
    pub per_side: bool,
    /// Hold at the end position of each rep, seconds.
    #[serde(default)]
    pub hold_s: Option<u32>,
    /// Seconds a rep takes without the hold (tempo), for timing and duration estimates.
    #[serde(default)]
    pub rep_s: Option<u32>,
    /// Timed work per set in seconds (e.g. 5 minutes of slow breathing, a 2-minute walk).
    #[serde(default)]
    pub work_s: Option<u32>,
    /// Rest between sets, seconds.
    #[serde(default)]
    pub rest_s: u32,
    /// The breath the pacer shows, for breathing exercises.
    #[serde(default)]
    pub breath: Option<BreathPattern>,
    /// How often, in words ("daily", "2–3 days a week").
    pub frequency: String,
    /// Load, in words ("bodyweight", "light band").
    #[serde(default)]
    pub load: Option<String>,
}

/// A duration as a runner reads it in lists: seconds under a minute and a half, else whole minutes.
pub fn minutes_label(seconds: u32) -> String {
    if seconds < 90 { format!("{seconds} s") } else { format!("{} min", (seconds + 30) / 60) }
}

/// The widest dose the program ever prescribes: every exercise's own dose is validated against these, and a
/// clinician's dose override (`runtall_domain::clinic`) is capped by them, so no surface shows a dose the content
/// would refuse.
/// How one kind of exercise's dose steps up over the weeks (`data/progression.toml`, described there).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProgressionRule {
    pub category: ExerciseCategory,
    /// Weeks between two steps up (at least 1).
    pub every_weeks: u32,
    /// Sessions with the exercise in those weeks needed to step up.
    pub min_sessions: u32,
    /// What one step adds.
    #[serde(default)]
    pub add_reps: u32,
    #[serde(default)]
    pub add_hold_s: u32,
    /// Steps at most above the written dose.
    pub max_steps: u32,
    pub cite: Vec<Citation>,
    pub evidence: Evidence,
}

pub mod dose_caps {
    pub const MAX_SETS: u32 = 10;
    pub const MAX_REPS: u32 = 30;
    pub const MAX_HOLD_S: u32 = 120;
    /// The whole dose, as [`Dose::estimated_seconds`](super::Dose::estimated_seconds) counts it.
    pub const MAX_SECONDS: u32 = 20 * 60;
    pub const MIN_SECONDS: u32 = 10;
}

impl Dose {
    /// "2 × 10 per side, hold 5 s, rest 30 s": the dose in words a runner reads at a glance, the same in the
    /// terminal, on the web pages and in the guided player.
    pub fn line(&self) -> String {
        let side = if self.per_side { " per side" } else { "" };
        let mut parts = vec![match (self.reps, self.work_s) {
            (Some(r), _) if self.breath.is_some() => format!("{} × {r} breaths", self.sets),
            (Some(r), _) => format!("{} × {r}{side}", self.sets),
            (None, Some(w)) => format!("{} × {}{side}", self.sets, minutes_label(w)),
            (None, None) => format!("{} sets", self.sets),
        }];
        if let Some(h) = self.hold_s {
            parts.push(format!("hold {h} s"));
        }
        if let Some(b) = &self.breath {
            let mut s = format!("in {} s", b.inhale_s);
            if b.hold_in_s > 0.0 {
                s.push_str(&format!(", hold {} s", b.hold_in_s));
            }
            s.push_str(&format!(", out {} s", b.exhale_s));
            if b.hold_out_s > 0.0 {
                s.push_str(&format!(", pause {} s", b.hold_out_s));
            }
            parts.push(s);
        }
        if self.rest_s > 0 && self.sets > 1 {
            parts.push(format!("rest {} s", self.rest_s));
        }
        if let Some(l) = &self.load {
            parts.push(l.clone());
        }
        parts.join(", ")
    }

    /// Estimated seconds for the whole dose, used for routine totals and the guided player.
    pub fn estimated_seconds(&self) -> u32 {
        let sides = if self.per_side { 2 } else { 1 };
        let per_rep = match (&self.breath, self.rep_s, self.hold_s) {
            (Some(b), _, _) => b.cycle_s().round() as u32,
            (None, rep, hold) => rep.unwrap_or(if hold.is_some() { 2 } else { 3 }) + hold.unwrap_or(0),
        };
        let reps_time = self.reps.map(|r| r * per_rep * sides).unwrap_or(0);
        let work = self.work_s.unwrap_or(0) * sides;
        let per_set = reps_time + work;
        self.sets * per_set + self.rest_s * self.sets.saturating_sub(1)
    }
}

/// What an exercise done well feels like. A home-exercise card without it leaves the runner guessing whether a
/// sensation is the point of the exercise or a reason to stop; `stop_if` says the second, this says the first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Feel {
    /// Where in the body the work or stretch should be felt.
    #[serde(rename = "where")]
    pub place: String,
    /// What it should feel like (effort, stretch, warmth), and what stays quiet.
    pub what: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Exercise {
    pub id: String,
    pub name: String,
    pub category: ExerciseCategory,
    /// One sentence: what it is for, in wellness terms.
    pub summary: String,
    /// Starting position.
    pub position: String,
    pub equipment: Vec<Equipment>,
    pub steps: Vec<String>,
    pub cues: Vec<String>,
    /// What the runner should feel, and where: how they can tell they are doing it right.
    pub feel: Feel,
    pub mistakes: Vec<String>,
    pub stop_if: Vec<String>,
    /// Conditions with which the exercise is not offered at all.
    #[serde(default)]
    pub contraindicated_with: Vec<Condition>,
    /// Free-text cautions shown with the exercise.
    #[serde(default)]
    pub cautions: Vec<String>,
    /// Ordered progressions, easiest first.
    pub progression: Vec<String>,
    /// An easier or equipment-free substitute (exercise id).
    #[serde(default)]
    pub alternative: Option<String>,
    pub dose: Dose,
    pub cite: Vec<Citation>,
    pub evidence: Evidence,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum RoutineKind {
    PreRun,
    PostRun,
    RestDayStrength,
    DailyMobility,
    DeskBreak,
    Travel,
}

/// The kinds of run the program distinguishes; cues and routines are tuned to each.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum RunType {
    Easy,
    Long,
    Speed,
    Race,
    Trail,
}

impl RunType {
    pub const ALL: [RunType; 5] = [RunType::Easy, RunType::Long, RunType::Speed, RunType::Race, RunType::Trail];

    pub fn as_str(self) -> &'static str {
        match self {
            RunType::Easy => "easy",
            RunType::Long => "long",
            RunType::Speed => "speed",
            RunType::Race => "race",
            RunType::Trail => "trail",
        }
    }
}

impl std::str::FromStr for RunType {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        RunType::ALL
            .into_iter()
            .find(|r| r.as_str() == s)
            .ok_or_else(|| format!("unknown run type '{s}' (expected one of: easy, long, speed, race, trail)"))
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RoutineStep {
    pub exercise: String,
    /// Replaces the exercise's default sets for this routine.
    #[serde(default)]
    pub sets: Option<u32>,
    /// Replaces the exercise's default reps for this routine.
    #[serde(default)]
    pub reps: Option<u32>,
    /// Replaces the exercise's default timed work for this routine.
    #[serde(default)]
    pub work_s: Option<u32>,
    /// Why this step is in this routine.
    #[serde(default)]
    pub note: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Routine {
    pub id: String,
    pub name: String,
    pub kind: RoutineKind,
    /// Run types this routine is meant for (pre- and post-run routines only).
    #[serde(default)]
    pub for_runs: Vec<RunType>,
    pub summary: String,
    pub frequency: String,
    /// The author's intended length; a test checks the computed total stays near it.
    pub target_minutes: u32,
    pub steps: Vec<RoutineStep>,
    pub cite: Vec<Citation>,
    pub evidence: Evidence,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum CueKind {
    Posture,
    Breathing,
    Relax,
    Pack,
}

/// When in a run a cue belongs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum CuePhase {
    /// First minutes of the run.
    Start,
    /// Any time during steady running.
    Steady,
    /// The last third of a long run, when posture fades.
    LastThird,
    /// Just before a fast rep.
    BeforeRep,
    /// During the recovery between reps.
    Recovery,
    /// Finishing stretch of a race or hard effort.
    Finish,
    /// After stopping.
    After,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Cue {
    pub id: String,
    pub kind: CueKind,
    /// At most 24 characters: fits a watch's workout-step name.
    pub watch: String,
    /// One short line for the screen.
    pub text: String,
    /// A sentence to be read aloud.
    pub spoken: String,
    pub run_types: Vec<RunType>,
    pub phases: Vec<CuePhase>,
    pub cite: Vec<Citation>,
    pub evidence: Evidence,
}

/// How cues are spaced for one run type; the cue planner turns this into a timed list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CueSchedule {
    pub run_type: RunType,
    /// Minutes between posture/breathing checks in steady running.
    pub every_min: u32,
    /// Minutes between checks in the last third (long runs); absent means no change.
    #[serde(default)]
    pub last_third_every_min: Option<u32>,
    /// Cue before each fast rep and in each recovery (speed work).
    #[serde(default)]
    pub per_rep: bool,
    /// Things to tell the runner about this run type (e.g. mouth breathing at speed is normal).
    pub notes: Vec<String>,
    pub cite: Vec<Citation>,
    pub evidence: Evidence,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum HabitArea {
    Sitting,
    Travel,
    Pack,
    Load,
    Posture,
    /// When and how to get a clinician involved.
    Care,
}

impl HabitArea {
    pub const ALL: [HabitArea; 6] =
        [HabitArea::Sitting, HabitArea::Travel, HabitArea::Pack, HabitArea::Load, HabitArea::Posture, HabitArea::Care];

    /// The heading a runner reads (web and terminal).
    pub const fn label(self) -> &'static str {
        match self {
            HabitArea::Sitting => "Sitting",
            HabitArea::Travel => "Travel",
            HabitArea::Pack => "Hydration pack",
            HabitArea::Load => "Training load",
            HabitArea::Posture => "Posture",
            HabitArea::Care => "Getting help",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Habit {
    pub id: String,
    pub area: HabitArea,
    pub title: String,
    /// What to do, concretely.
    pub what: String,
    /// Why, in one or two sentences.
    pub why: String,
    pub cite: Vec<Citation>,
    pub evidence: Evidence,
}

/// Numbers the reminder and travel planners use; kept beside the habits they come from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HabitDefaults {
    pub walk_every_min: u32,
    pub walk_break_min: u32,
    pub shift_every_min: u32,
    pub arrive_days_before_min: u32,
    pub arrive_days_before_max: u32,
    pub return_days_after: u32,
    /// A drive longer than this counts as a long drive for race-travel advice.
    pub long_drive_hours: f32,
    /// Break up drives at least this often.
    pub drive_break_every_min: u32,
    /// Pack: take it off whenever standing still longer than this.
    pub pack_off_when_stopped_min: u32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ReliefKind {
    Comfort,
    Topical,
    Supplement,
    Support,
    NotRecommended,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Relief {
    pub id: String,
    pub name: String,
    pub kind: ReliefKind,
    /// What it is and what it can and cannot do (never "treats").
    pub what: String,
    pub how: Vec<String>,
    /// Safety limits that always show with the option.
    pub limits: Vec<String>,
    /// Not offered with these conditions; the runner is referred instead.
    #[serde(default)]
    pub avoid_with: Vec<Condition>,
    /// Who to ask first, and when.
    #[serde(default)]
    pub refer: Vec<String>,
    /// Supplemental daily maximum in milligrams (magnesium).
    #[serde(default)]
    pub max_daily_mg: Option<u32>,
    /// Suggested starting dose in milligrams, if any.
    #[serde(default)]
    pub start_mg: Option<u32>,
    /// Longest sensible continuous use in days (tape), if limited.
    #[serde(default)]
    pub max_days: Option<u32>,
    pub cite: Vec<Citation>,
    pub evidence: Evidence,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CardioAlternative {
    pub id: String,
    pub name: String,
    pub how: String,
    pub why: String,
    pub cite: Vec<Citation>,
    pub evidence: Evidence,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Lesson {
    pub id: String,
    /// Position in the course, from 1.
    pub number: u32,
    pub title: String,
    pub minutes: u32,
    /// Paragraphs of the lesson, in our own words.
    pub body: Vec<String>,
    pub key_points: Vec<String>,
    /// Exercise to practise after the lesson.
    #[serde(default)]
    pub practice: Option<String>,
    pub cite: Vec<Citation>,
    pub evidence: Evidence,
}

/// Urgency levels of the red-flag screen, most urgent first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum FlagLevel {
    /// Emergency now: stop, call the emergency number.
    A,
    /// Same day: pause the program, see a clinician today.
    B,
    /// See a clinician before continuing: reduced program meanwhile.
    C,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FlagLevelInfo {
    pub level: FlagLevel,
    pub title: String,
    pub action: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RedFlag {
    pub id: String,
    pub level: FlagLevel,
    /// Yes/no question asked in the screen.
    pub question: String,
    /// A few words for summaries.
    pub short: String,
    /// What to do if the answer is yes.
    pub advice: String,
    /// The flag is about chest or rib pain; such pain is never explained away as a side stitch.
    #[serde(default)]
    pub chest: bool,
    pub cite: Vec<Citation>,
    pub evidence: Evidence,
}

/// One row of the traceability table: a part of a seed's program and the items that implement it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TraceRow {
    /// Stable id of the seed part, e.g. `podcast.pre-run-hooklying`.
    pub part: String,
    pub seed: String,
    pub section: String,
    pub description: String,
    /// References as `kind:id`, e.g. `exercise:chin-tuck`, `routine:pre-run-long`, `rule:screen`.
    pub items: Vec<String>,
}

/// How a figure panel looks at the body.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum FigureView {
    /// From the side, facing right: one arm and leg near the viewer, the other behind.
    Side,
    /// From the front, behind, above or the head end: left and right limbs spread in the picture.
    Front,
}

/// An arm or leg: either the direction of each segment in degrees (0 = right, 90 = up), or where its end should
/// be (the hand, or the ankle), with the elbow or knee bent to one side of the line to it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Limb {
    Angles(Vec<f32>),
    Reach {
        /// Where the hand (arm) or ankle (leg) goes, in body heights.
        to: [f32; 2],
        /// 1: the middle joint bends to the left of the line from the shoulder or hip to `to`; -1: to the right.
        bend: f32,
        /// Foot direction for a leg, degrees.
        #[serde(default)]
        foot: Option<f32>,
    },
}

/// Parts of the body drawn with no length, for views along them (the trunk seen from the head end).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum FlatPart {
    Trunk,
    Head,
    Legs,
}

/// One position of the body: joint directions from the hips up and out, in body heights (1 = standing height,
/// y up, 0 = the floor). `runtall_figures` draws it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Pose {
    /// Under the picture: what this position is ("Breathe in", "Lift and hold 2 s").
    #[serde(default)]
    pub label: String,
    pub view: FigureView,
    /// Centre of the hips.
    pub hip: [f32; 2],
    /// Direction from the hips to the middle of the back, degrees.
    pub trunk: f32,
    /// Direction from the middle of the back to the shoulders (the upper back bending); default: as `trunk`.
    #[serde(default)]
    pub chest: Option<f32>,
    /// Direction from the shoulders to the head.
    pub head: f32,
    /// Where the face points (side views and the view from above); default: a quarter turn clockwise of `head`.
    #[serde(default)]
    pub facing: Option<f32>,
    /// The near (side view) or the picture's left (front view) arm.
    pub arm: Limb,
    /// The other arm; default: as `arm` (mirrored in front views).
    #[serde(default)]
    pub arm2: Option<Limb>,
    pub leg: Limb,
    #[serde(default)]
    pub leg2: Option<Limb>,
    /// Upper-arm and forearm lengths as seen, when the arms point partly toward the viewer (1 = full length).
    #[serde(default)]
    pub arm_scale: Option<[f32; 2]>,
    #[serde(default)]
    pub flat: Vec<FlatPart>,
    /// Shoulder blades drawn on the back (front views from behind), moved by this much from where they rest.
    #[serde(default)]
    pub blades: Option<[f32; 2]>,
    /// Arrows at the lower ribs: "in" (widening) or "out" (sinking).
    #[serde(default)]
    pub breath: Option<BreathMark>,
    /// Draw the start position faintly behind this one (end panels of the same view); default true.
    #[serde(default = "yes")]
    pub trace: bool,
}

fn yes() -> bool {
    true
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum BreathMark {
    In,
    Out,
}

/// Things around the body: the floor, a wall, a chair, a roller, a band.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case", deny_unknown_fields)]
pub enum Prop {
    Floor,
    /// A wall standing at `x`.
    Wall {
        x: f32,
    },
    /// A wall behind the body in a front view (a pale panel).
    WallBehind,
    /// A chair whose seat back edge is at `x`, seat at `seat` height, with a backrest.
    Chair {
        x: f32,
        seat: f32,
    },
    /// A foam roller or towel roll: a circle.
    Roller {
        at: [f32; 2],
        r: f32,
    },
    /// A folded towel or cushion: a block `w` wide and `h` high (default 0.024) standing on `at`.
    Towel {
        at: [f32; 2],
        w: f32,
        #[serde(default)]
        h: Option<f32>,
    },
    /// An elastic band from an anchor to the hands.
    Band {
        anchor: [f32; 2],
    },
    /// An elastic band held between the hands.
    BandBetweenHands,
}

/// The drawing of one exercise: where it starts and where it ends.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Figure {
    pub exercise: String,
    /// Props per panel: `props` for both, `start_props` / `end_props` for one.
    #[serde(default)]
    pub props: Vec<Prop>,
    #[serde(default)]
    pub start_props: Vec<Prop>,
    #[serde(default)]
    pub end_props: Vec<Prop>,
    pub start: Pose,
    pub end: Pose,
    /// Drawn faintly behind the end when the start is seen from another view (where the movement starts).
    #[serde(default)]
    pub end_from: Option<Pose>,
}
