//! The plan engine: plain rules from the screen and the assessment to a prioritized, explained plan.
//!
//! Every rule is a few lines below that adds items with a *reason* naming the answer that triggered it. Items
//! carry their citations and evidence strength from the content, so the runner always sees why an item is there
//! and where the advice comes from. The engine is deterministic: the same answers give the same plan.

use crate::assess::{Assessment, PackUse, Region, Surface, When};
use crate::screen::{ProgramState, TriggeredFlag};
use runtall_content::{
    Citation, Condition, CuePhase, Equipment, Evidence, ExerciseCategory, HabitArea, Program, ReliefKind, Routine,
    RoutineKind, RunType, step_dose,
};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

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
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Mode {
    Full,
    /// Level C screen: gentle items only until a clinician has checked.
    Reduced,
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

/// The answer behind an item, and what it means for the runner.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Reason {
    /// The answer, as `field: value` (e.g. `when: long-runs`, `exposures.sitting_hours_per_day: 9`).
    pub answer: String,
    pub text: String,
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
    /// The exercise this one replaces, and why.
    pub substituted_for: Option<(String, String)>,
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
    /// Days until the functional scale (PSFS) and pain are re-scored.
    pub review_in_days: u32,
    pub baseline_pain: f64,
    pub baseline_psfs: f64,
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
const LONG_RUN_KM: f64 = 15.0;
const LONG_RUN_SHARE: f64 = 0.3;
/// Daily sitting hours from which desk habits are core rather than recommended.
const SITTING_CORE_H: f64 = 6.0;
const SITTING_SOME_H: f64 = 4.0;
const CAR_HOURS_WEEK: f64 = 5.0;
/// Baseline pain from which the plan suggests easing the load rather than pushing on.
const HIGH_PAIN: f64 = 6.0;
pub const REVIEW_DAYS: u32 = 14;

/// Collects items, merging reasons when two rules pick the same item.
struct Builder<'p> {
    program: &'p Program,
    items: Vec<PlanItem>,
    excluded: Vec<Excluded>,
}

impl Builder<'_> {
    #[allow(clippy::too_many_arguments)]
    fn push(
        &mut self,
        section: Section,
        priority: Priority,
        kind: RefKind,
        id: &str,
        title: String,
        summary: String,
        cite: Vec<Citation>,
        evidence: Evidence,
        reason: Reason,
    ) {
        if let Some(existing) = self.items.iter_mut().find(|i| i.kind == kind && i.id == id) {
            existing.priority = existing.priority.min(priority);
            if !existing.why.contains(&reason) {
                existing.why.push(reason);
            }
            return;
        }
        self.items.push(PlanItem {
            section,
            priority,
            kind,
            id: id.to_string(),
            title,
            summary,
            why: vec![reason],
            cite,
            evidence,
        });
    }

    fn routine(&mut self, section: Section, priority: Priority, id: &str, reason: Reason) {
        if let Some(r) = self.program.routine(id) {
            self.push(
                section,
                priority,
                RefKind::Routine,
                id,
                r.name.clone(),
                r.summary.clone(),
                r.cite.clone(),
                r.evidence,
                reason,
            );
        }
    }

    fn exercise(&mut self, section: Section, priority: Priority, id: &str, reason: Reason) {
        if let Some(e) = self.program.exercise(id) {
            self.push(
                section,
                priority,
                RefKind::Exercise,
                id,
                e.name.clone(),
                e.summary.clone(),
                e.cite.clone(),
                e.evidence,
                reason,
            );
        }
    }

    fn habit(&mut self, section: Section, priority: Priority, id: &str, reason: Reason) {
        if let Some(h) = self.program.habit(id) {
            self.push(
                section,
                priority,
                RefKind::Habit,
                id,
                h.title.clone(),
                h.what.clone(),
                h.cite.clone(),
                h.evidence,
                reason,
            );
        }
    }

    fn habits_in(&mut self, area: HabitArea, section: Section, priority: Priority, reason: &Reason) {
        let ids: Vec<String> = self.program.habits.iter().filter(|h| h.area == area).map(|h| h.id.clone()).collect();
        for id in ids {
            self.habit(section, priority, &id, reason.clone());
        }
    }

    fn schedule(&mut self, run: RunType, priority: Priority, reason: Reason) {
        if let Some(s) = self.program.schedule(run) {
            let title = format!("Mid-run cues for {} runs", run.as_str());
            let mut summary = format!("A posture and breathing check about every {} min", s.every_min);
            if let Some(m) = s.last_third_every_min {
                summary.push_str(&format!(", every {m} min in the last third"));
            }
            if s.per_rep {
                summary.push_str(", before each fast rep and in each recovery");
            }
            summary.push('.');
            self.push(
                Section::DuringRuns,
                priority,
                RefKind::Schedule,
                run.as_str(),
                title,
                summary,
                s.cite.clone(),
                s.evidence,
                reason,
            );
        }
    }

    fn lesson(&mut self, priority: Priority, id: &str, reason: Reason) {
        if let Some(l) = self.program.lesson(id) {
            let title = format!("Lesson {}: {}", l.number, l.title);
            let summary = format!("{} min. {}", l.minutes, l.key_points.first().cloned().unwrap_or_default());
            self.push(
                Section::Learn,
                priority,
                RefKind::Lesson,
                id,
                title,
                summary,
                l.cite.clone(),
                l.evidence,
                reason,
            );
        }
    }
}

fn reason(answer: impl Into<String>, text: impl Into<String>) -> Reason {
    Reason { answer: answer.into(), text: text.into() }
}

/// The run types this runner does in a normal week, from the exposures.
pub fn run_types(a: &Assessment) -> Vec<RunType> {
    let e = &a.exposures;
    let mut types = vec![RunType::Easy];
    if does_long_runs(a) {
        types.push(RunType::Long);
    }
    if e.speed_sessions_per_week.get() > 0.0 || a.has(When::SpeedWork) {
        types.push(RunType::Speed);
    }
    if e.surfaces.contains(&Surface::Trail) {
        types.push(RunType::Trail);
    }
    if e.destination_race {
        types.push(RunType::Race);
    }
    types
}

fn does_long_runs(a: &Assessment) -> bool {
    let e = &a.exposures;
    let long = e.long_run_km.get();
    a.has(When::LongRuns)
        || long >= LONG_RUN_KM
        || (long > 0.0 && e.weekly_km.get() > 0.0 && long / e.weekly_km.get() >= LONG_RUN_SHARE)
}

fn uses_pack(a: &Assessment) -> bool {
    a.exposures.hydration_pack != PackUse::Never || a.has(When::WithPack)
}

/// Builds the plan. Fails when the screen does not allow one.
pub fn build(program: &Program, a: &Assessment, state: &ProgramState) -> Result<Plan, PlanError> {
    let (mode, open_flags) = mode_for(state)?;
    let mut b = Builder { program, items: Vec::new(), excluded: Vec::new() };
    let e = &a.exposures;
    let mut runs = run_types(a);
    if mode == Mode::Reduced {
        // Hard efforts wait until a clinician has checked the flagged answers; easy running goes on.
        for hard in [RunType::Speed, RunType::Race] {
            if runs.contains(&hard) {
                runs.retain(|r| *r != hard);
                b.excluded.push(Excluded {
                    kind: RefKind::Schedule,
                    id: hard.as_str().to_string(),
                    reason:
                        "hard efforts wait in the reduced program until a clinician has checked your screening answers"
                            .into(),
                    instead: Some("easy runs".into()),
                });
            }
        }
    }

    // Safety: flags under review, and rib pain that must never be assumed to be harmless.
    for flag in &open_flags {
        if let Some(f) = program.red_flag(&flag.id) {
            b.push(
                Section::Safety,
                Priority::Core,
                RefKind::RedFlag,
                &f.id,
                format!("See a clinician about: {}", f.short),
                f.advice.clone(),
                f.cite.clone(),
                f.evidence,
                reason(format!("screen: {}", f.id), "You answered yes to this screening question; until a clinician has checked it, the plan stays gentle."),
            );
        }
    }
    if a.regions.iter().any(|r| r.is_rib()) || a.has(When::AfterEatingBeforeRun) {
        let rib_flags: Vec<_> =
            program.red_flags.iter().filter(|f| f.chest && f.level == runtall_content::FlagLevel::C).collect();
        for f in rib_flags {
            let answer = if a.regions.iter().any(|r| r.is_rib()) {
                "regions: rib-side"
            } else {
                "when: after-eating-before-run"
            };
            b.push(
                Section::Safety,
                Priority::Core,
                RefKind::RedFlag,
                &f.id,
                format!("Get rib or chest pain checked: {}", f.short),
                f.advice.clone(),
                f.cite.clone(),
                f.evidence,
                reason(answer, "Side or rib pain that comes with effort, fast starts or food is not assumed to be a side stitch: the same pattern can come from the heart, so a clinician should check it."),
            );
        }
    }

    // Before, during and after runs: the podcast's three moments, tuned to the run types this runner does.
    for &run in &runs {
        let why = run_reason(a, run);
        if let Some(r) = program.pre_run_routine(run) {
            b.routine(Section::BeforeRuns, Priority::Core, &r.id.clone(), why.clone());
        }
        b.schedule(run, Priority::Core, why);
    }
    let run_names: Vec<&str> = runs.iter().map(|r| r.as_str()).collect();
    for &run in &runs {
        if let Some(r) = program.post_run_routine(run) {
            b.routine(
                Section::AfterRuns,
                Priority::Core,
                &r.id.clone(),
                reason(
                    format!("runs: {}", run_names.join(", ")),
                    "A reset after every kind of run, easy or hard, so the run's posture and breathing do not follow you into the day.",
                ),
            );
        }
    }

    // Rest days and every day: strength and thoracic mobility (the article's long-term work).
    if mode == Mode::Full {
        for r in program.routines_of(RoutineKind::RestDayStrength) {
            b.routine(
                Section::RestDays,
                Priority::Core,
                &r.id.clone(),
                reason(
                    format!("regions: {}", region_list(a)),
                    "Upper-back postural muscles that tire let the head and shoulders round forward; strength on 2–3 rest days a week builds their endurance.",
                ),
            );
        }
    }
    for r in program.routines_of(RoutineKind::DailyMobility) {
        let priority = if a.hurts(Region::BetweenShoulderBlades) || a.hurts(Region::MidBack) {
            Priority::Core
        } else {
            Priority::Recommended
        };
        b.routine(
            Section::Daily,
            priority,
            &r.id.clone(),
            reason(
                format!("regions: {}", region_list(a)),
                "A few minutes a day of upper-back (thoracic) mobility keeps the rib cage and spine moving so you can stand and run tall.",
            ),
        );
    }

    // Region-specific emphasis.
    if a.hurts(Region::UpperTrapLeft) || a.hurts(Region::UpperTrapRight) {
        b.exercise(
            Section::Daily,
            Priority::Core,
            "lower-trap-set",
            reason("regions: upper-trap", "When the top of the shoulder works overtime, practising shoulder blades back and down brings the lower trapezius into the job."),
        );
    }
    if a.hurts(Region::Neck) || a.hurts(Region::UpperTrapLeft) || a.hurts(Region::UpperTrapRight) {
        b.exercise(
            Section::Daily,
            Priority::Recommended,
            "chin-tuck",
            reason(
                "regions: neck",
                "Gentle chin tucks train the deep front neck muscles that hold the head over the shoulders.",
            ),
        );
    }
    if a.hurts(Region::BetweenShoulderBlades) || a.hurts(Region::MidBack) || a.regions.iter().any(|r| r.is_rib()) {
        b.exercise(
            Section::Daily,
            Priority::Recommended,
            "open-book-rotation",
            reason(
                format!("regions: {}", region_list(a)),
                "Slow rotation moves the ribs and mid-back through their range.",
            ),
        );
    }
    if a.hurts(Region::Shoulder) {
        let text = if a.has_condition(Condition::ShoulderInjury) {
            "With a current shoulder injury, overhead and loaded shoulder exercises are left out until your clinician clears them."
        } else {
            "Keep overhead moves (wall slides, prone Y) in a pain-free range; stop if the shoulder pinches."
        };
        b.exercise(Section::RestDays, Priority::Recommended, "band-row", reason("regions: shoulder", text));
    }

    // Breathing: the podcast's thread through all of it.
    b.exercise(
        Section::Daily,
        Priority::Recommended,
        "diaphragmatic-breathing",
        reason("program", "Breathing low and wide instead of with the neck is the habit the mid-run cues call on."),
    );

    // Desk and sitting.
    let sit = e.sitting_hours_per_day.get();
    if a.has(When::AtDesk) || sit >= SITTING_SOME_H {
        let priority =
            if a.has(When::AtDesk) || sit >= SITTING_CORE_H { Priority::Core } else { Priority::Recommended };
        let why = if a.has(When::AtDesk) {
            reason(
                "when: at-desk",
                "Your pain shows up at the desk: long slouched sitting strains the same muscles running does.",
            )
        } else {
            reason(
                format!("exposures.sitting_hours_per_day: {sit}"),
                format!(
                    "You sit about {sit} h a day; breaking it up and sitting well keeps posture from sliding into a slouch."
                ),
            )
        };
        b.habits_in(HabitArea::Sitting, Section::Desk, priority, &why);
        for r in program.routines_of(RoutineKind::DeskBreak) {
            b.routine(Section::Desk, priority, &r.id.clone(), why.clone());
        }
    }

    // Travel.
    let car = e.car_hours_per_week.get();
    if a.has(When::AfterDriving) || car >= CAR_HOURS_WEEK || e.destination_race {
        let why = if a.has(When::AfterDriving) {
            reason("when: after-driving", "Your pain shows up after long drives or travel.")
        } else if e.destination_race {
            reason(
                "exposures.destination_race: true",
                "You are training for a race you travel to: the trip is part of the plan.",
            )
        } else {
            reason(
                format!("exposures.car_hours_per_week: {car}"),
                format!("About {car} h a week in the car is a lot of slouched sitting."),
            )
        };
        b.habits_in(HabitArea::Travel, Section::Travel, Priority::Recommended, &why);
        for r in program.routines_of(RoutineKind::Travel) {
            b.routine(Section::Travel, Priority::Recommended, &r.id.clone(), why.clone());
        }
    }

    // Hydration pack.
    if uses_pack(a) {
        let why = if a.has(When::WithPack) {
            reason(
                "when: with-pack",
                "Your pain shows up with the pack on: its load and straps pull the shoulders forward and down.",
            )
        } else {
            reason(
                format!("exposures.hydration_pack: {}", e.hydration_pack.id()),
                "You run with a hydration pack; fit and wear time change how much it loads the upper back.",
            )
        };
        let priority = if a.has(When::WithPack) { Priority::Core } else { Priority::Recommended };
        b.habits_in(HabitArea::Pack, Section::Pack, priority, &why);
        b.schedule(RunType::Trail, priority, why);
    }

    // Training load: let pain guide the load, one change at a time.
    let pain = a.baseline_pain.get();
    let monitoring = if a.has(When::NextMorning) {
        reason(
            "when: next-morning",
            "Pain the next morning is the signal the pain-monitoring rule uses to step back or go on.",
        )
    } else {
        reason(
            format!("baseline_pain: {pain}"),
            "Let pain during and after runs decide whether to repeat, progress or step back.",
        )
    };
    let monitoring_priority =
        if a.has(When::NextMorning) || pain >= 4.0 { Priority::Core } else { Priority::Recommended };
    b.habit(Section::Training, monitoring_priority, "pain-monitoring", monitoring);
    if !a.when.is_empty() {
        let whens: Vec<&str> = a.when.iter().map(|w| w.label()).collect();
        b.habit(
            Section::Training,
            Priority::Recommended,
            "one-change-at-a-time",
            reason(
                format!("when: {}", whens.join("; ")),
                "Your pain has more than one possible trigger; changing one thing at a time is how you find which one is yours.",
            ),
        );
    }
    if pain >= HIGH_PAIN || a.has(When::NextMorning) {
        let answer =
            if pain >= HIGH_PAIN { format!("baseline_pain: {pain}") } else { "when: next-morning".to_string() };
        b.habit(
            Section::Training,
            Priority::Core,
            "taper-dont-stop",
            reason(answer, "Cut distance or run days back for a while instead of stopping: you keep your fitness while the habits take hold."),
        );
    }
    if does_long_runs(a) {
        let why = reason(
            format!("exposures.long_run_km: {}", e.long_run_km.get()),
            "Long runs are where the distance jumps happen; sudden jumps are only weakly linked to injury, so treat this as a gentle check.",
        );
        b.habit(Section::Training, Priority::Optional, "single-run-length-jump", why.clone());
        b.habit(Section::Training, Priority::Optional, "weekly-distance-jump", why.clone());
        b.habit(Section::Training, Priority::Optional, "ten-percent-rule-not-a-guarantee", why);
    }
    if pain >= HIGH_PAIN {
        for alt in &program.alternatives {
            b.push(
                Section::Training,
                Priority::Recommended,
                RefKind::Alternative,
                &alt.id,
                alt.name.clone(),
                alt.how.clone(),
                alt.cite.clone(),
                alt.evidence,
                reason(format!("baseline_pain: {pain}"), "With pain this high, swap some runs for cardio that loads the upper back less, and cut mileage back rather than stopping altogether."),
            );
        }
    }
    if a.has(When::HardSurfaces) || (!e.surfaces.is_empty() && e.surfaces.iter().all(|s| s.is_hard())) {
        let answer = if a.has(When::HardSurfaces) {
            "when: hard-surfaces".to_string()
        } else {
            "exposures.surfaces: road/concrete only".to_string()
        };
        b.schedule(
            RunType::Easy,
            Priority::Core,
            reason(answer, "The article notes pain is often worse on longer runs on hard surfaces: the posture checks matter most there, and some runs on softer ground may help."),
        );
    }
    if a.hurts(Region::Neck) || a.hurts(Region::UpperTrapLeft) || a.hurts(Region::UpperTrapRight) {
        b.habit(
            Section::Daily,
            Priority::Recommended,
            "head-back-while-running",
            reason(
                format!("regions: {}", region_list(a)),
                "A head that drifts forward loads the neck and upper shoulders on every stride.",
            ),
        );
    }
    b.habit(
        Section::Daily,
        Priority::Optional,
        "expect-effort-at-first",
        reason(
            "program",
            "Holding a new posture takes effort at first; that is the muscles adapting, not a sign to stop.",
        ),
    );

    // Relief options: comfort only, filtered by conditions.
    for r in &program.relief {
        let blocked: Vec<Condition> = r.avoid_with.iter().copied().filter(|c| a.has_condition(*c)).collect();
        if !blocked.is_empty() {
            let names: Vec<&str> = blocked.iter().map(|c| crate::profile::condition_label(*c)).collect();
            b.excluded.push(Excluded {
                kind: RefKind::Relief,
                id: r.id.clone(),
                reason: format!("not suggested with {}", names.join(", ")),
                instead: Some(match r.kind {
                    ReliefKind::Supplement => "ask a pharmacist or your doctor first".to_string(),
                    _ => "ask your clinician".to_string(),
                }),
            });
            continue;
        }
        if r.kind == ReliefKind::Supplement && mode == Mode::Reduced {
            continue;
        }
        let priority = Priority::Optional;
        let text = if r.kind == ReliefKind::NotRecommended {
            "Listed so you know why it is not part of the plan."
        } else {
            "For comfort while the posture, mobility and strength work does the long-term job."
        };
        b.push(
            Section::Relief,
            priority,
            RefKind::Relief,
            &r.id,
            r.name.clone(),
            r.what.clone(),
            r.cite.clone(),
            r.evidence,
            reason(format!("baseline_pain: {pain}"), text),
        );
    }

    // Learn: the breathing course, starting where this runner's pain points.
    if let Some(first) = program.lessons.first() {
        b.lesson(
            Priority::Recommended,
            &first.id.clone(),
            reason("program", "Start the breathing course: why posture and breathing are linked."),
        );
    }
    if runs.contains(&RunType::Speed)
        && let Some(l) = program.lessons.iter().find(|l| l.title.to_lowercase().contains("speed"))
    {
        b.lesson(Priority::Recommended, &l.id.clone(), run_reason(a, RunType::Speed));
    }

    // Care: when to get a physical therapist involved, and who the new runner is.
    let pt_priority = if pain >= 8.0 { Priority::Core } else { Priority::Recommended };
    let pt_reason = if pain >= 8.0 {
        reason(
            format!("baseline_pain: {pain}"),
            "With pain this high, consider booking a physical therapist now rather than waiting for the review.",
        )
    } else {
        reason(
            "program",
            format!(
                "If pain and function have not improved by the review in {REVIEW_DAYS} days, and certainly after 4 weeks, get a physical therapist's view."
            ),
        )
    };
    b.habit(Section::Care, pt_priority, "see-a-pt-if-no-progress", pt_reason.clone());
    b.habit(Section::Care, Priority::Optional, "direct-access-to-pt", pt_reason);
    b.habit(
        Section::Care,
        Priority::Recommended,
        "chest-pain-first",
        reason("program", "Part of every plan: chest pain, or rib pain with effort or food, is checked by a clinician before anything else."),
    );
    if e.years_running.get() < 1.0 || a.has(When::AfterEatingBeforeRun) {
        let why = if a.has(When::AfterEatingBeforeRun) {
            reason(
                "when: after-eating-before-run",
                "Your pain shows up when you ate shortly before running: give meals a few hours, and have any rib or chest pain checked.",
            )
        } else {
            reason(
                format!("exposures.years_running: {}", e.years_running.get()),
                "You are new to running: some unfamiliar aches are common while the body adapts.",
            )
        };
        b.habit(Section::Care, Priority::Recommended, "new-runner-aches-and-fuel", why);
    }

    // Contraindications and reduced mode: drop or replace exercises that do not fit.
    let mut kept = Vec::new();
    for item in std::mem::take(&mut b.items) {
        if item.kind == RefKind::Exercise
            && let Some(ex) = program.exercise(&item.id)
            && let Some(why_not) = unsuitable(ex, a, mode)
        {
            b.excluded.push(Excluded { kind: RefKind::Exercise, id: item.id.clone(), reason: why_not, instead: None });
            continue;
        }
        kept.push(item);
    }
    b.items = kept;

    // Routines in the plan: record any step that had to be skipped or replaced for this runner.
    let routine_ids: Vec<String> =
        b.items.iter().filter(|i| i.kind == RefKind::Routine).map(|i| i.id.clone()).collect();
    for id in routine_ids {
        if let Some(r) = program.routine(&id) {
            let view = routine_view(program, r, a, mode);
            b.excluded.extend(view.skipped);
        }
    }
    b.excluded.sort_by(|x, y| (x.kind, &x.id).cmp(&(y.kind, &y.id)));
    b.excluded.dedup();

    let mut items = b.items;
    items.sort_by_key(|i| (i.section, i.priority));
    Ok(Plan {
        mode,
        open_flags,
        items,
        week: week(program, a, mode),
        excluded: b.excluded,
        review_in_days: REVIEW_DAYS,
        baseline_pain: pain,
        baseline_psfs: a.psfs_score(),
    })
}

fn mode_for(state: &ProgramState) -> Result<(Mode, Vec<TriggeredFlag>), PlanError> {
    match state {
        ProgramState::NotScreened => Err(PlanError::NotScreened),
        ProgramState::Locked { flags } => Err(PlanError::Locked(flags.clone())),
        ProgramState::Paused { flags } => Err(PlanError::Paused(flags.clone())),
        ProgramState::Reduced { flags } => Ok((Mode::Reduced, flags.clone())),
        ProgramState::Open => Ok((Mode::Full, Vec::new())),
    }
}

fn region_list(a: &Assessment) -> String {
    a.regions.iter().map(|r| r.id()).collect::<Vec<_>>().join(", ")
}

fn run_reason(a: &Assessment, run: RunType) -> Reason {
    let e = &a.exposures;
    match run {
        RunType::Long if a.has(When::LongRuns) => reason(
            "when: long-runs",
            "Your pain shows up on long runs, when tired postural muscles let you hunch: the long-run routine and more frequent checks late in the run target that.",
        ),
        RunType::Long => reason(
            format!("exposures.long_run_km: {}", e.long_run_km.get()),
            "Your long runs are where posture fades first, usually in the last third.",
        ),
        RunType::Speed if a.has(When::SpeedWork) => reason(
            "when: speed-work",
            "Your pain shows up during speed work, when hard breathing recruits the neck: a reset before each rep and full exhales in recoveries target that.",
        ),
        RunType::Speed => reason(
            format!("exposures.speed_sessions_per_week: {}", e.speed_sessions_per_week.get()),
            "Speed sessions change how you breathe; they get their own routine and cues.",
        ),
        RunType::Trail => reason(
            "exposures.surfaces: trail",
            "Trail runs bring climbs, descents and often a pack: they get their own cues.",
        ),
        RunType::Race => reason(
            "exposures.destination_race: true",
            "You have a race coming: race-day cues and travel habits are part of the plan.",
        ),
        RunType::Easy => reason(
            format!("exposures.runs_per_week: {}", e.runs_per_week.get()),
            "Easy runs are where new posture and breathing habits are practised most often.",
        ),
    }
}

/// Why an exercise cannot be offered to this runner, if it cannot.
fn unsuitable(ex: &runtall_content::Exercise, a: &Assessment, mode: Mode) -> Option<String> {
    if let Some(c) = ex.contraindicated_with.iter().find(|c| a.has_condition(**c)) {
        return Some(format!("not offered with {}", crate::profile::condition_label(*c)));
    }
    if mode == Mode::Reduced && !gentle(ex) {
        return Some("left out of the reduced program until a clinician has checked your screening answers".into());
    }
    if let Some(eq) = ex.equipment.iter().find(|eq| !has_equipment(a, **eq)) {
        return Some(format!("needs {} (not in your equipment list)", equipment_label(*eq)));
    }
    None
}

/// Gentle items that stay in the reduced program: breathing, micro-breaks and unloaded neck work.
fn gentle(ex: &runtall_content::Exercise) -> bool {
    matches!(ex.category, ExerciseCategory::Breathing | ExerciseCategory::MicroBreak | ExerciseCategory::Neck)
}

fn has_equipment(a: &Assessment, eq: Equipment) -> bool {
    // Household items everyone has; the rest must be listed.
    matches!(eq, Equipment::None | Equipment::Wall | Equipment::Chair | Equipment::Towel | Equipment::Mat) || a.owns(eq)
}

pub fn equipment_label(eq: Equipment) -> &'static str {
    match eq {
        Equipment::None => "nothing",
        Equipment::Mat => "a mat",
        Equipment::Wall => "a wall",
        Equipment::Chair => "a chair",
        Equipment::Band => "a resistance band",
        Equipment::FoamRoller => "a foam roller",
        Equipment::Towel => "a towel",
        Equipment::LightWeights => "light weights",
    }
}

/// A routine as this runner does it: unsuitable steps replaced by their alternative, or skipped with a reason.
pub fn routine_view(program: &Program, r: &Routine, a: &Assessment, mode: Mode) -> RoutineView {
    let mut steps = Vec::new();
    let mut skipped = Vec::new();
    for step in &r.steps {
        let Some(ex) = program.exercise(&step.exercise) else {
            continue;
        };
        let mut chosen = ex;
        let mut substituted = None;
        let mut why_not = unsuitable(ex, a, mode);
        // Follow the alternative chain (bounded) until something fits.
        let mut hops = 0;
        while let Some(reason_text) = why_not.clone() {
            let next = chosen.alternative.as_deref().and_then(|id| program.exercise(id));
            match next {
                Some(alt) if hops < 3 && !steps.iter().any(|s: &StepView| s.exercise == alt.id) => {
                    substituted.get_or_insert((ex.id.clone(), reason_text));
                    chosen = alt;
                    why_not = unsuitable(alt, a, mode);
                    hops += 1;
                }
                _ => break,
            }
        }
        if let Some(last_reason) = why_not {
            // Report why the routine's own exercise was unsuitable, not why its last substitute was.
            let first = substituted.map(|(_, r)| r).unwrap_or(last_reason);
            skipped.push(Excluded { kind: RefKind::Exercise, id: ex.id.clone(), reason: first, instead: None });
            continue;
        }
        if let Some((from, _)) = &substituted {
            // Record the substitution among the exclusions too, so the plan lists it once.
            let instead = Some(chosen.id.clone());
            let text = substituted.as_ref().map(|(_, t)| t.clone()).unwrap_or_default();
            skipped.push(Excluded { kind: RefKind::Exercise, id: from.clone(), reason: text, instead });
        }
        let dose = if chosen.id == ex.id { step_dose(ex, step) } else { chosen.dose.clone() };
        let seconds = dose.estimated_seconds();
        steps.push(StepView {
            exercise: chosen.id.clone(),
            name: chosen.name.clone(),
            dose,
            seconds,
            note: step.note.clone(),
            substituted_for: substituted,
        });
    }
    let seconds = steps.iter().map(|s| s.seconds).sum::<u32>() + 15 * steps.len().saturating_sub(1) as u32;
    RoutineView {
        id: r.id.clone(),
        name: r.name.clone(),
        kind: r.kind,
        summary: r.summary.clone(),
        frequency: r.frequency.clone(),
        steps,
        skipped,
        seconds,
        cite: r.cite.clone(),
        evidence: r.evidence,
    }
}

/// The day's pre-run routine, mid-run cues and post-run reset for one run type.
pub fn for_run(program: &Program, a: &Assessment, state: &ProgramState, run: RunType) -> Result<RunDay, PlanError> {
    let (mode, _) = mode_for(state)?;
    let pre = program
        .pre_run_routine(run)
        .ok_or_else(|| PlanError::UnknownItem(format!("pre-run routine for {}", run.as_str())))?;
    let post = program
        .post_run_routine(run)
        .ok_or_else(|| PlanError::UnknownItem(format!("post-run routine for {}", run.as_str())))?;
    let sched =
        program.schedule(run).ok_or_else(|| PlanError::UnknownItem(format!("cue schedule for {}", run.as_str())))?;
    let pack = uses_pack(a) && matches!(run, RunType::Long | RunType::Trail | RunType::Race);
    let cues = program
        .cues
        .iter()
        .filter(|c| {
            // Pack cues follow the pack, whatever run type they were written for.
            if c.kind == runtall_content::CueKind::Pack { pack } else { c.run_types.contains(&run) }
        })
        .map(|c| CueView { id: c.id.clone(), text: c.text.clone(), phases: c.phases.clone() })
        .collect();
    let mut notes = vec![run_reason(a, run)];
    if pack {
        notes.push(reason("exposures.hydration_pack", "Pack on: wide straps and the waist strap snug, carry only what you need, and take it off whenever you stop for more than a couple of minutes."));
    }
    if matches!(run, RunType::Long | RunType::Race)
        && (a.exposures.car_hours_per_week.get() > 0.0 || a.has(When::AfterDriving))
    {
        notes.push(reason("exposures.car_hours_per_week", "Avoid a long drive straight before or after this run; if you must drive, stop to walk at least every hour."));
    }
    if mode == Mode::Reduced {
        notes.push(reason("screen: level C", "Reduced program: keep this run easy and stop if symptoms change, until a clinician has checked your screening answers."));
    }
    Ok(RunDay {
        run_type: run,
        mode,
        pre_run: routine_view(program, pre, a, mode),
        during: CueSchedule {
            run_type: run,
            every_min: sched.every_min,
            last_third_every_min: sched.last_third_every_min,
            per_rep: sched.per_rep,
            notes: sched.notes.clone(),
            cues,
            cite: sched.cite.clone(),
            evidence: sched.evidence,
        },
        post_run: routine_view(program, post, a, mode),
        notes,
    })
}

/// Run days by runs per week; the last day listed takes the long run when there is one.
fn run_days(n: usize) -> Vec<Weekday> {
    use Weekday::*;
    match n {
        0 => vec![],
        1 => vec![Sun],
        2 => vec![Wed, Sun],
        3 => vec![Tue, Thu, Sun],
        4 => vec![Tue, Thu, Sat, Sun],
        5 => vec![Mon, Tue, Thu, Sat, Sun],
        6 => vec![Mon, Tue, Wed, Thu, Sat, Sun],
        _ => Weekday::ALL.to_vec(),
    }
}

/// A typical week: which run on which day, with its routines; strength on rest days, not the day before the
/// long run; mobility daily; desk breaks on workdays.
fn week(program: &Program, a: &Assessment, mode: Mode) -> Vec<DayPlan> {
    let e = &a.exposures;
    let n = e.runs_per_week.get().round() as usize;
    let days = run_days(n);
    let long = does_long_runs(a) && !days.is_empty();
    let speed_sessions = if mode == Mode::Reduced { 0 } else { e.speed_sessions_per_week.get().round() as usize };
    let mut speed_left = speed_sessions.min(n.saturating_sub(usize::from(long)));
    let trail_only = !e.surfaces.is_empty() && e.surfaces.iter().all(|s| *s == Surface::Trail);
    let mut plan: Vec<DayPlan> =
        Weekday::ALL.iter().map(|d| DayPlan { day: *d, run: None, routines: vec![], notes: vec![] }).collect();
    for (i, day) in days.iter().enumerate() {
        let is_last = i + 1 == days.len();
        let run = if long && is_last {
            RunType::Long
        } else if speed_left > 0 && matches!(day, Weekday::Tue | Weekday::Thu | Weekday::Wed) {
            speed_left -= 1;
            RunType::Speed
        } else if trail_only {
            RunType::Trail
        } else {
            RunType::Easy
        };
        plan[*day as usize].run = Some(run);
    }
    // Any speed sessions not yet placed go on remaining easy days, earliest first.
    for d in plan.iter_mut() {
        if speed_left > 0 && matches!(d.run, Some(RunType::Easy) | Some(RunType::Trail)) {
            d.run = Some(RunType::Speed);
            speed_left -= 1;
        }
    }
    let long_day = plan.iter().position(|d| d.run == Some(RunType::Long));
    let strength = program.routines_of(RoutineKind::RestDayStrength).next().map(|r| r.id.clone());
    let mobility = program.routines_of(RoutineKind::DailyMobility).next().map(|r| r.id.clone());
    let desk = program.routines_of(RoutineKind::DeskBreak).next().map(|r| r.id.clone());
    let strength_days: Vec<usize> = {
        let day_before_long = long_day.map(|l| (l + 6) % 7);
        let mut rest: Vec<usize> = (0..7).filter(|i| plan[*i].run.is_none() && Some(*i) != day_before_long).collect();
        if rest.len() < 2 {
            // Few rest days: strength after easy runs instead.
            rest.extend((0..7).filter(|i| plan[*i].run == Some(RunType::Easy) && Some(*i) != day_before_long));
        }
        let target = if n <= 3 { 3 } else { 2 };
        spread(&rest, target)
    };
    for (i, d) in plan.iter_mut().enumerate() {
        if let Some(run) = d.run {
            if let Some(r) = program.pre_run_routine(run) {
                d.routines.push(r.id.clone());
            }
            d.notes.push(format!("{} run: mid-run cues for {} runs", capitalise(run.as_str()), run.as_str()));
            if let Some(r) = program.post_run_routine(run) {
                d.routines.push(r.id.clone());
            }
        }
        if mode == Mode::Full
            && strength_days.contains(&i)
            && let Some(s) = &strength
        {
            d.routines.push(s.clone());
        }
        if let Some(m) = &mobility
            && !d.routines.contains(m)
        {
            d.routines.push(m.clone());
        }
        if d.day.is_workday()
            && (a.has(When::AtDesk) || e.sitting_hours_per_day.get() >= SITTING_SOME_H)
            && let Some(k) = &desk
        {
            d.routines.push(k.clone());
            d.notes.push(format!(
                "Desk: walk every {} min, shift position every {} min",
                program.habit_defaults.walk_every_min, program.habit_defaults.shift_every_min
            ));
        }
        let next_to_long_run = Some((i + 1) % 7) == long_day || Some((i + 6) % 7) == long_day;
        if next_to_long_run && (e.car_hours_per_week.get() > 0.0 || a.has(When::AfterDriving)) {
            d.notes.push("No long drive today: it is next to the long run".into());
        }
    }
    plan
}

/// Picks `n` entries spread out over the sorted candidates (so strength days are not back to back).
fn spread(candidates: &[usize], n: usize) -> Vec<usize> {
    let mut c = candidates.to_vec();
    c.sort_unstable();
    c.dedup();
    if c.len() <= n {
        return c;
    }
    let mut chosen: Vec<usize> = Vec::new();
    for &day in &c {
        if chosen.len() < n && chosen.last().is_none_or(|last| day >= last + 2) {
            chosen.push(day);
        }
    }
    for &day in &c {
        if chosen.len() < n && !chosen.contains(&day) {
            chosen.push(day);
        }
    }
    chosen.sort_unstable();
    chosen
}

fn capitalise(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(f) => f.to_uppercase().collect::<String>() + chars.as_str(),
        None => String::new(),
    }
}
