//! The rules: from answers to plan items, each with the answer that triggered it.

use super::named::{self, Named};
use super::routine::routine_view;
use super::*;
use crate::assess::{PackUse, Region, Surface, When};
use crate::safety::{ExerciseVerdict, Mode};

/// Collects items, merging reasons when two rules pick the same item.
struct Builder<'p> {
    program: &'p Program,
    permissions: &'p Permissions,
    a: &'p Assessment,
    /// The run types this runner does that the gate allows.
    runs: Vec<RunType>,
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
            limits: Vec::new(),
        });
    }

    /// Adds a routine if the gate allows it; otherwise lists it as left out, with the gate's reason.
    fn routine(&mut self, section: Section, priority: Priority, id: &str, reason: Reason) {
        let decision = self.permissions.routine(id);
        if !decision.allowed {
            self.excluded.push(Excluded {
                kind: RefKind::Routine,
                id: id.to_string(),
                reason: decision.reason.unwrap_or_default(),
                instead: None,
            });
            return;
        }
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

    /// An exercise the rules name (see [`named`](super::named)).
    fn exercise(&mut self, section: Section, priority: Priority, n: Named, reason: Reason) {
        self.exercise_id(section, priority, n.id, reason);
    }

    /// An exercise by its library id (a swapped-in alternative the gate names).
    fn exercise_id(&mut self, section: Section, priority: Priority, id: &str, reason: Reason) {
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

    /// A habit the rules name (see [`named`](super::named)).
    fn habit(&mut self, section: Section, priority: Priority, n: Named, reason: Reason) {
        self.habit_id(section, priority, n.id, reason);
    }

    fn habit_id(&mut self, section: Section, priority: Priority, id: &str, reason: Reason) {
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
            self.habit_id(section, priority, &id, reason.clone());
        }
    }

    fn schedule(&mut self, run: RunType, priority: Priority, reason: Reason) {
        if let Some(s) = self.program.schedule(run) {
            let title = format!("Mid-run cues for {} runs", run.as_str());
            let summary = schedule_words(s);
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

/// A cue schedule in one sentence: "A posture and breathing check about every 10 min, …".
pub(super) fn schedule_words(s: &runtall_content::CueSchedule) -> String {
    let mut words = format!("A posture and breathing check about every {} min", s.every_min);
    if let Some(m) = s.last_third_every_min {
        words.push_str(&format!(", every {m} min in the last third"));
    }
    if s.per_rep {
        words.push_str(", before each fast rep and in each recovery");
    }
    words.push('.');
    words
}

pub(super) fn reason(answer: impl Into<String>, text: impl Into<String>) -> Reason {
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

pub(super) fn does_long_runs(a: &Assessment) -> bool {
    let e = &a.exposures;
    let long = e.long_run_km.get();
    a.has(When::LongRuns)
        || long >= LONG_RUN_KM
        || (long > 0.0 && e.weekly_km.get() > 0.0 && long / e.weekly_km.get() >= LONG_RUN_SHARE)
}

pub(super) fn uses_pack(a: &Assessment) -> bool {
    a.exposures.hydration_pack != PackUse::Never || a.has(When::WithPack)
}

/// The plan's sections, in the order they are built (the first section to pick an item gives its reason first).
const SECTIONS: [fn(&mut Builder<'_>); 12] =
    [safety, around_runs, long_term, regions, breathing, desk, travel, pack, training, relief, learn, care];

/// Builds the plan within what the safety gate allows. Fails when the gate makes no plan (not screened, locked,
/// paused).
pub fn build(program: &Program, a: &Assessment, permissions: &Permissions) -> Result<Plan, PlanError> {
    if let Some(refusal) = PlanError::refusal(permissions) {
        return Err(refusal);
    }
    let mut b = Builder { program, permissions, a, runs: Vec::new(), items: Vec::new(), excluded: Vec::new() };
    allowed_runs(&mut b);
    for section in SECTIONS {
        section(&mut b);
    }
    clinician(&mut b);
    apply_exercise_verdicts(&mut b);
    let (routine_seconds, week) = time_routines(&mut b);
    b.excluded.sort_by(|x, y| (x.kind, &x.id).cmp(&(y.kind, &y.id)));
    b.excluded.dedup();

    let mode = permissions.mode;
    let mut items = b.items;
    items.sort_by_key(|i| (i.section, i.priority));
    Ok(Plan {
        mode,
        open_flags: permissions.open_flags.clone(),
        items,
        week,
        excluded: b.excluded,
        routine_seconds,
        safety: (mode != Mode::Full).then(|| permissions.headline.clone()),
        review_in_days: REVIEW_DAYS,
        baseline_pain: a.baseline_pain.get(),
        baseline_psfs: a.psfs_score(),
        clinician: permissions.clinician.clone(),
    })
}

/// Exercises a clinician switched on that the plan's own rules did not choose (the gate allowed them already, see
/// `safety::clinician`); the clinician's other changes reach the plan through the gate's decisions and doses.
fn clinician(b: &mut Builder<'_>) {
    let in_routines: Vec<String> = b
        .items
        .iter()
        .filter(|i| i.kind == RefKind::Routine)
        .filter_map(|i| b.program.routine(&i.id))
        .flat_map(|r| r.steps.iter().map(|s| s.exercise.clone()))
        .collect();
    for on in &b.permissions.clinician.on {
        if in_routines.contains(&on.exercise) {
            continue;
        }
        let text = match &on.note {
            Some(n) => format!("Added by {}: {n}", on.by),
            None => format!("Added by {}.", on.by),
        };
        b.exercise_id(
            Section::Daily,
            Priority::Recommended,
            &on.exercise,
            reason(format!("clinician: {}", on.by), text),
        );
    }
}

/// The runs this runner does, as far as the gate allows; the others are listed with its reason.
fn allowed_runs(b: &mut Builder<'_>) {
    for run in run_types(b.a) {
        let d = b.permissions.run(run);
        if d.allowed {
            b.runs.push(run);
        } else {
            b.excluded.push(Excluded {
                kind: RefKind::Schedule,
                id: run.as_str().to_string(),
                reason: d.reason.clone().unwrap_or_default(),
                instead: d.instead.map(|r| format!("{} runs", r.as_str())),
            });
        }
    }
}

/// Safety: flags under review, holds from the assessment, and rib pain that is never assumed harmless.
fn safety(b: &mut Builder<'_>) {
    let program = b.program;
    let permissions = b.permissions;
    let a = b.a;
    let mode = b.permissions.mode;
    let open_flags = b.permissions.open_flags.clone();
    let flag_text = match mode {
        Mode::NoRunning => {
            "You answered yes to this screening question; until a clinician has checked it, there is no running."
        }
        _ => "You answered yes to this screening question; until a clinician has checked it, the plan stays gentle.",
    };
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
                reason(format!("screen: {}", f.id), flag_text),
            );
        }
    }
    let rib_flag = program.red_flag(named::RIB_FLAG.id);
    for hold in &permissions.holds {
        if let Some(f) = rib_flag {
            b.push(
                Section::Safety,
                Priority::Core,
                RefKind::RedFlag,
                &f.id,
                "No running until your rib pain is checked".into(),
                f.advice.clone(),
                f.cite.clone(),
                f.evidence,
                hold.clone(),
            );
        }
    }
    let rib_region = a.regions.iter().any(|r| r.is_rib());
    if (rib_region || a.has(When::AfterEatingBeforeRun))
        && permissions.holds.is_empty()
        && let Some(f) = rib_flag
    {
        let answer = if rib_region { "regions: rib-side" } else { "when: after-eating-before-run" };
        b.push(
            Section::Safety,
            Priority::Recommended,
            RefKind::RedFlag,
            &f.id,
            "Get rib or chest pain checked if it comes with effort or food".into(),
            f.advice.clone(),
            f.cite.clone(),
            f.evidence,
            reason(answer, "If this pain ever comes with effort or after food, or sits in the chest, take the safety check again before you run: the same pattern can come from the heart, so it is never assumed to be a side stitch."),
        );
    }
}

/// Before, during and after runs: the podcast's three moments, tuned to the run types this runner does.
fn around_runs(b: &mut Builder<'_>) {
    let program = b.program;
    let a = b.a;
    let runs = b.runs.clone();
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
}

/// Rest days and every day: strength and thoracic mobility (the article's long-term work).
fn long_term(b: &mut Builder<'_>) {
    let program = b.program;
    let a = b.a;
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
}

/// Region-specific emphasis.
fn regions(b: &mut Builder<'_>) {
    let a = b.a;
    if a.hurts(Region::UpperTrapLeft) || a.hurts(Region::UpperTrapRight) {
        b.exercise(
            Section::Daily,
            Priority::Core,
            named::LOWER_TRAP_SET,
            reason("regions: upper-trap", "When the top of the shoulder works overtime, practising shoulder blades back and down brings the lower trapezius into the job."),
        );
    }
    if a.hurts(Region::Neck) || a.hurts(Region::UpperTrapLeft) || a.hurts(Region::UpperTrapRight) {
        b.exercise(
            Section::Daily,
            Priority::Recommended,
            named::CHIN_TUCK,
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
            named::OPEN_BOOK_ROTATION,
            reason(
                format!("regions: {}", region_list(a)),
                "Slow rotation moves the ribs and mid-back through their range.",
            ),
        );
    }
    if a.hurts(Region::Shoulder) {
        if a.has_condition(Condition::ShoulderInjury) {
            b.exercise(
                Section::Daily,
                Priority::Recommended,
                named::LOWER_TRAP_SET,
                reason("conditions: shoulder-injury", "With a current shoulder injury, overhead and loaded shoulder exercises are left out until your clinician clears them; the lower-trap set trains the shoulder blades without loading the arm."),
            );
        } else {
            b.exercise(
                Section::RestDays,
                Priority::Recommended,
                named::BAND_ROW,
                reason(
                    "regions: shoulder",
                    "Keep overhead moves (wall slides, prone Y) in a pain-free range; stop if the shoulder pinches.",
                ),
            );
        }
    }
}

/// Breathing: the podcast's thread through all of it.
fn breathing(b: &mut Builder<'_>) {
    b.exercise(
        Section::Daily,
        Priority::Recommended,
        named::DIAPHRAGMATIC_BREATHING,
        reason("program", "Breathing low and wide instead of with the neck is the habit the mid-run cues call on."),
    );
}

/// Desk and sitting.
fn desk(b: &mut Builder<'_>) {
    let program = b.program;
    let a = b.a;
    let e = &b.a.exposures;
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
}

/// Travel.
///
/// A race trip's habits follow the gate's word on race runs (and, for the drive next to a long run, on long runs
/// too): with no running or in the reduced program there is no race to travel to, so they are listed as left out with
/// the gate's reason, as held-back runs are. When the race was the only reason for the section, nothing else of it
/// stays; a runner whose pain comes after driving, or who drives a lot, keeps the rest.
fn travel(b: &mut Builder<'_>) {
    let program = b.program;
    let a = b.a;
    let e = &b.a.exposures;
    let car = e.car_hours_per_week.get();
    let race = b.permissions.run(RunType::Race).clone();
    let long = b.permissions.run(RunType::Long).clone();
    let race_trip = e.destination_race && race.allowed;
    let driving = a.has(When::AfterDriving) || car >= CAR_HOURS_WEEK;
    if e.destination_race && !race.allowed {
        for n in [named::ARRIVE_EARLY_FOR_RACES, named::NO_LONG_DRIVE_NEXT_TO_LONG_RUN, named::RETURN_HOME_DAY_AFTER] {
            b.excluded.push(Excluded {
                kind: RefKind::Habit,
                id: n.id.to_string(),
                reason: race.reason.clone().unwrap_or_default(),
                instead: None,
            });
        }
    }
    if !(driving || race_trip) {
        return;
    }
    let why = if a.has(When::AfterDriving) {
        reason("when: after-driving", "Your pain shows up after long drives or travel.")
    } else if race_trip {
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
    let ids: Vec<String> =
        program.habits.iter().filter(|h| h.area == HabitArea::Travel).map(|h| h.id.clone()).collect();
    for id in ids {
        let race_only = id == named::ARRIVE_EARLY_FOR_RACES.id || id == named::RETURN_HOME_DAY_AFTER.id;
        let next_to_long_run = id == named::NO_LONG_DRIVE_NEXT_TO_LONG_RUN.id;
        // Listed as left out above for a runner with a race to travel to; for anyone else they are beside the point.
        if (race_only && !race.allowed) || (next_to_long_run && !race.allowed && !long.allowed) {
            continue;
        }
        b.habit_id(Section::Travel, Priority::Recommended, &id, why.clone());
    }
    for r in program.routines_of(RoutineKind::Travel) {
        b.routine(Section::Travel, Priority::Recommended, &r.id.clone(), why.clone());
    }
}

/// Hydration pack.
fn pack(b: &mut Builder<'_>) {
    let permissions = b.permissions;
    let a = b.a;
    let e = &b.a.exposures;
    let runs = b.runs.clone();
    // The pack is worn on runs: with no run allowed its habits are left out with the gate's reason.
    if uses_pack(a) && runs.is_empty() {
        let reason = permissions.run(RunType::Easy).reason.clone().unwrap_or_default();
        let ids: Vec<String> =
            b.program.habits.iter().filter(|h| h.area == HabitArea::Pack).map(|h| h.id.clone()).collect();
        for id in ids {
            b.excluded.push(Excluded { kind: RefKind::Habit, id, reason: reason.clone(), instead: None });
        }
        return;
    }
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
        if runs.contains(&RunType::Trail) || (permissions.run(RunType::Trail).allowed && !runs.is_empty()) {
            b.schedule(RunType::Trail, priority, why);
        }
    }
}

/// Training load: let pain guide the load, one change at a time.
fn training(b: &mut Builder<'_>) {
    let program = b.program;
    let permissions = b.permissions;
    let a = b.a;
    let e = &b.a.exposures;
    let runs = b.runs.clone();
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
    b.habit(Section::Training, monitoring_priority, named::PAIN_MONITORING, monitoring);
    // Changing one thing at a time is a self-experiment: while the gate holds every experiment back, the habit is
    // left out with the gate's reason rather than advised beside the "experiments wait" notice.
    let held = permissions
        .experiments
        .iter()
        .find(|d| !d.allowed)
        .filter(|_| !permissions.experiments.iter().any(|d| d.allowed));
    if a.when.is_empty() {
        // Nothing to tell apart: the habit is neither advised nor left out.
    } else if let Some(held) = held {
        b.excluded.push(Excluded {
            kind: RefKind::Habit,
            id: named::ONE_CHANGE_AT_A_TIME.id.to_string(),
            reason: held.reason.clone().unwrap_or_default(),
            instead: None,
        });
    } else {
        let whens: Vec<&str> = a.when.iter().map(|w| w.label()).collect();
        b.habit(
            Section::Training,
            Priority::Recommended,
            named::ONE_CHANGE_AT_A_TIME,
            reason(
                format!("when: {}", whens.join("; ")),
                "Your pain has more than one possible trigger; changing one thing at a time is how you find which one is yours.",
            ),
        );
    }
    if (pain >= HIGH_PAIN || a.has(When::NextMorning)) && !runs.is_empty() {
        let answer =
            if pain >= HIGH_PAIN { format!("baseline_pain: {pain}") } else { "when: next-morning".to_string() };
        b.habit(
            Section::Training,
            Priority::Core,
            named::TAPER_DONT_STOP,
            reason(answer, "Cut distance or run days back for a while instead of stopping: you keep your fitness while the habits take hold."),
        );
    }
    if does_long_runs(a) && runs.contains(&RunType::Long) {
        let why = reason(
            format!("exposures.long_run_km: {}", e.long_run_km.get()),
            "Long runs are where the distance jumps happen; sudden jumps are only weakly linked to injury, so treat this as a gentle check.",
        );
        b.habit(Section::Training, Priority::Optional, named::SINGLE_RUN_LENGTH_JUMP, why.clone());
        b.habit(Section::Training, Priority::Optional, named::WEEKLY_DISTANCE_JUMP, why.clone());
        b.habit(Section::Training, Priority::Optional, named::TEN_PERCENT_RULE, why);
    }
    if pain >= HIGH_PAIN && !permissions.cardio_alternatives.allowed {
        for alt in &program.alternatives {
            b.excluded.push(Excluded {
                kind: RefKind::Alternative,
                id: alt.id.clone(),
                reason: permissions.cardio_alternatives.reason.clone().unwrap_or_default(),
                instead: None,
            });
        }
    }
    if pain >= HIGH_PAIN && permissions.cardio_alternatives.allowed {
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
    if runs.contains(&RunType::Easy)
        && (a.has(When::HardSurfaces) || (!e.surfaces.is_empty() && e.surfaces.iter().all(|s| s.is_hard())))
    {
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
    if (a.hurts(Region::Neck) || a.hurts(Region::UpperTrapLeft) || a.hurts(Region::UpperTrapRight)) && !runs.is_empty()
    {
        b.habit(
            Section::Daily,
            Priority::Recommended,
            named::HEAD_BACK_WHILE_RUNNING,
            reason(
                format!("regions: {}", region_list(a)),
                "A head that drifts forward loads the neck and upper shoulders on every stride.",
            ),
        );
    }
    b.habit(
        Section::Daily,
        Priority::Optional,
        named::EXPECT_EFFORT_AT_FIRST,
        reason(
            "program",
            "Holding a new posture takes effort at first; that is the muscles adapting, not a sign to stop.",
        ),
    );
}

/// Relief options: comfort only, as the gate decided, each with its limits. Magnesium is nutrition, not relief.
fn relief(b: &mut Builder<'_>) {
    let program = b.program;
    let permissions = b.permissions;
    let pain = b.a.baseline_pain.get();
    for d in &permissions.relief {
        let Some(r) = program.relief_option(&d.id) else { continue };
        if !d.allowed {
            b.excluded.push(Excluded {
                kind: RefKind::Relief,
                id: r.id.clone(),
                reason: d.reason.clone().unwrap_or_default(),
                instead: d.instead.clone(),
            });
            continue;
        }
        let (section, text) = match r.kind {
            ReliefKind::NotRecommended => (Section::Relief, "Listed so you know why it is not part of the plan."),
            ReliefKind::Supplement => (
                Section::Nutrition,
                "General nutrition information, not a pain treatment: food first, and a supplement only after a pharmacist or doctor has agreed.",
            ),
            _ => (Section::Relief, "For comfort while the posture, mobility and strength work does the long-term job."),
        };
        b.push(
            section,
            Priority::Optional,
            RefKind::Relief,
            &r.id,
            r.name.clone(),
            r.what.clone(),
            r.cite.clone(),
            r.evidence,
            reason(format!("baseline_pain: {pain}"), text),
        );
        if let Some(item) = b.items.iter_mut().find(|i| i.kind == RefKind::Relief && i.id == r.id) {
            item.limits = d.limits.clone();
        }
    }
}

/// Learn: the breathing course, starting where this runner's pain points.
fn learn(b: &mut Builder<'_>) {
    let program = b.program;
    let a = b.a;
    let runs = b.runs.clone();
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
}

/// Care: when to get a physical therapist involved, and who the new runner is.
fn care(b: &mut Builder<'_>) {
    let a = b.a;
    let e = &b.a.exposures;
    let pain = b.a.baseline_pain.get();
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
    b.habit(Section::Care, pt_priority, named::SEE_A_PT_IF_NO_PROGRESS, pt_reason.clone());
    b.habit(Section::Care, Priority::Optional, named::DIRECT_ACCESS_TO_PT, pt_reason);
    b.habit(
        Section::Care,
        Priority::Recommended,
        named::CHEST_PAIN_FIRST,
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
        b.habit(Section::Care, Priority::Recommended, named::NEW_RUNNER_ACHES_AND_FUEL, why);
    }
}

/// Exercises as the gate decided: kept, replaced by their alternative (with the reason), or left out.
fn apply_exercise_verdicts(b: &mut Builder<'_>) {
    let permissions = b.permissions;
    for item in std::mem::take(&mut b.items) {
        if item.kind != RefKind::Exercise {
            b.items.push(item);
            continue;
        }
        match permissions.exercise(&item.id) {
            ExerciseVerdict::Allowed => b.items.push(item),
            ExerciseVerdict::Swapped { to, reason: why_not } => {
                b.excluded.push(Excluded {
                    kind: RefKind::Exercise,
                    id: item.id.clone(),
                    reason: why_not.clone(),
                    instead: Some(to.clone()),
                });
                let mut why = item.why.clone();
                why.push(reason(
                    format!("instead of: {}", item.id),
                    format!("Swapped in because {} is {why_not}.", item.title),
                ));
                for w in why {
                    b.exercise_id(item.section, item.priority, &to, w);
                }
            }
            ExerciseVerdict::LeftOut { reason: why_not } => {
                b.excluded.push(Excluded {
                    kind: RefKind::Exercise,
                    id: item.id.clone(),
                    reason: why_not,
                    instead: None,
                });
            }
        }
    }
}

/// Routines as this runner does them: described with their real steps, timed after swaps; every step that was
/// swapped or left out is listed once. Returns the routines' times and the week.
fn time_routines(b: &mut Builder<'_>) -> (BTreeMap<String, u32>, Vec<DayPlan>) {
    let (program, permissions, a) = (b.program, b.permissions, b.a);
    let mut routine_seconds = BTreeMap::new();
    for item in b.items.iter_mut().filter(|i| i.kind == RefKind::Routine) {
        if let Some(r) = program.routine(&item.id) {
            let view = routine_view(program, r, permissions);
            item.summary = view.summary_for_runner(program);
            routine_seconds.insert(r.id.clone(), view.seconds);
            b.excluded.extend(view.skipped);
        }
    }
    let week = super::week::week(program, a, permissions);
    for id in week.iter().flat_map(|d| d.routines.iter()) {
        if !routine_seconds.contains_key(id)
            && let Some(r) = program.routine(id)
        {
            routine_seconds.insert(id.clone(), routine_view(program, r, permissions).seconds);
        }
    }
    (routine_seconds, week)
}

pub(super) fn region_list(a: &Assessment) -> String {
    a.regions.iter().map(|r| r.id()).collect::<Vec<_>>().join(", ")
}

pub(super) fn run_reason(a: &Assessment, run: RunType) -> Reason {
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
