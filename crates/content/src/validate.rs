//! Structural and safety checks over the whole program.
//!
//! These run in the test suite. Each problem names the file and item so whoever edits the content can find it.

use crate::Program;
use crate::model::*;
use std::collections::{BTreeSet, HashSet};

/// Rules implemented in code that the traceability table may point at as `rule:NAME`.
pub const KNOWN_RULES: &[&str] =
    &["screen", "assess", "plan", "plan-weekly-schedule", "plan-for-run", "pain-monitoring", "contraindications"];

/// Words the program must never use about itself: it gives wellness guidance, not diagnosis or treatment.
const FORBIDDEN_CLAIMS: &[&str] = &["treats", "cures", "diagnos", "heals", "rehabilitates", "fixes neck pain"];

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub file: &'static str,
    pub item: String,
    pub message: String,
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "data/{} [{}]: {}", self.file, self.item, self.message)
    }
}

struct Checker<'a> {
    program: &'a Program,
    problems: Vec<Problem>,
}

impl Checker<'_> {
    fn fail(&mut self, file: &'static str, item: &str, message: impl Into<String>) {
        self.problems.push(Problem { file, item: item.to_string(), message: message.into() });
    }

    fn unique_ids<'b>(&mut self, file: &'static str, ids: impl Iterator<Item = &'b str>) {
        let mut seen = HashSet::new();
        for id in ids {
            if !seen.insert(id) {
                self.fail(file, id, "duplicate id");
            }
            let ok = !id.is_empty()
                && id.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
                && !id.starts_with('-')
                && !id.ends_with('-');
            if !ok {
                self.fail(file, id, "id must be kebab-case ascii (a-z, 0-9, -)");
            }
        }
    }

    fn cites(&mut self, file: &'static str, item: &str, cite: &[Citation]) {
        if cite.is_empty() {
            self.fail(file, item, "no source cited");
        }
        for c in cite {
            if self.program.source(&c.source).is_none() {
                self.fail(file, item, format!("cites unknown source '{}'", c.source));
            }
            if c.section.trim().is_empty() {
                self.fail(file, item, "citation without a section");
            }
            // A seed may be cited only by one of its own headings: the claim must be findable in that part.
            if let Some(src) = self.program.source(&c.source)
                && src.kind == SourceKind::Seed
                && !src.sections.iter().any(|s| s == &c.section)
            {
                self.fail(
                    file,
                    item,
                    format!("cites {} section '{}', which is not one of its headings", c.source, c.section),
                );
            }
        }
    }

    fn nonempty(&mut self, file: &'static str, item: &str, field: &str, values: &[String]) {
        if values.is_empty() || values.iter().any(|v| v.trim().is_empty()) {
            self.fail(file, item, format!("{field} must list at least one non-empty entry"));
        }
    }

    fn text(&mut self, file: &'static str, item: &str, field: &str, value: &str) {
        if value.trim().is_empty() {
            self.fail(file, item, format!("{field} is empty"));
        }
        let lower = value.to_lowercase();
        for word in FORBIDDEN_CLAIMS {
            if lower.contains(word) {
                self.fail(file, item, format!("{field} uses '{word}': say what the habit or routine supports instead"));
            }
        }
    }

    fn texts(&mut self, file: &'static str, item: &str, field: &str, values: &[String]) {
        for v in values {
            self.text(file, item, field, v);
        }
    }
}

/// Checks referential integrity, doses, citations, wording and the safety limits. Empty means valid.
pub fn validate(p: &Program) -> Vec<Problem> {
    let mut c = Checker { program: p, problems: Vec::new() };

    c.unique_ids("sources.toml", p.sources.iter().map(|s| s.id.as_str()));
    c.unique_ids("exercises.toml", p.exercises.iter().map(|s| s.id.as_str()));
    c.unique_ids("routines.toml", p.routines.iter().map(|s| s.id.as_str()));
    c.unique_ids("cues.toml", p.cues.iter().map(|s| s.id.as_str()));
    c.unique_ids("habits.toml", p.habits.iter().map(|s| s.id.as_str()));
    c.unique_ids(
        "relief.toml",
        p.relief.iter().map(|s| s.id.as_str()).chain(p.alternatives.iter().map(|a| a.id.as_str())),
    );
    c.unique_ids("lessons.toml", p.lessons.iter().map(|s| s.id.as_str()));
    c.unique_ids("red_flags.toml", p.red_flags.iter().map(|s| s.id.as_str()));

    sources(&mut c);
    exercises(&mut c);
    routines(&mut c);
    cues(&mut c);
    habits(&mut c);
    relief(&mut c);
    lessons(&mut c);
    red_flags(&mut c);
    trace(&mut c);
    figures(&mut c);
    progression(&mut c);
    c.problems
}

fn sources(c: &mut Checker) {
    const F: &str = "sources.toml";
    for s in &c.program.sources {
        for (field, v) in [("title", &s.title), ("who", &s.who), ("date", &s.date), ("form", &s.form)] {
            if v.trim().is_empty() {
                c.fail(F, &s.id, format!("{field} is empty: every source is named in full"));
            }
        }
        if s.kind == SourceKind::Seed && s.sections.is_empty() {
            c.fail(F, &s.id, "a seed lists its headings, so citations can be checked against them");
        }
    }
    for kind in [SourceKind::Seed, SourceKind::Evidence, SourceKind::Program] {
        if !c.program.sources.iter().any(|s| s.kind == kind) {
            c.fail(F, &format!("{kind:?}"), "no source of this kind");
        }
    }
}

fn exercises(c: &mut Checker) {
    let p = c.program;
    const F: &str = "exercises.toml";
    for e in &p.exercises {
        let id = e.id.as_str();
        c.cites(F, id, &e.cite);
        c.text(F, id, "name", &e.name);
        c.text(F, id, "summary", &e.summary);
        c.text(F, id, "position", &e.position);
        c.nonempty(F, id, "steps", &e.steps);
        c.nonempty(F, id, "cues", &e.cues);
        c.nonempty(F, id, "mistakes", &e.mistakes);
        c.nonempty(F, id, "stop_if", &e.stop_if);
        c.nonempty(F, id, "progression", &e.progression);
        for (field, v) in [
            ("steps", &e.steps),
            ("cues", &e.cues),
            ("mistakes", &e.mistakes),
            ("stop_if", &e.stop_if),
            ("progression", &e.progression),
            ("cautions", &e.cautions),
        ] {
            c.texts(F, id, field, v);
        }
        feel(c, e);
        for problem in crate::card_problems(e) {
            c.fail(F, id, format!("steps and cues disagree: {problem}"));
        }
        if e.equipment.is_empty() {
            c.fail(F, id, "equipment must be listed (use [\"none\"] when nothing is needed)");
        }
        let d = &e.dose;
        if d.sets == 0 || d.sets > dose_caps::MAX_SETS {
            c.fail(F, id, format!("dose.sets {} outside 1..={}", d.sets, dose_caps::MAX_SETS));
        }
        if d.reps.is_none() && d.work_s.is_none() {
            c.fail(F, id, "dose needs reps or work_s");
        }
        if let Some(r) = d.reps
            && (r == 0 || r > dose_caps::MAX_REPS)
        {
            c.fail(F, id, format!("dose.reps {r} outside 1..={}", dose_caps::MAX_REPS));
        }
        if let Some(h) = d.hold_s
            && (h == 0 || h > dose_caps::MAX_HOLD_S)
        {
            c.fail(F, id, format!("dose.hold_s {h} outside 1..={}", dose_caps::MAX_HOLD_S));
        }
        if d.frequency.trim().is_empty() {
            c.fail(F, id, "dose.frequency is empty");
        }
        if e.category == ExerciseCategory::Breathing && d.breath.is_none() {
            c.fail(F, id, "breathing exercises need dose.breath for the pacer");
        }
        if let Some(b) = &d.breath {
            let parts = [b.inhale_s, b.hold_in_s, b.exhale_s, b.hold_out_s];
            if parts.iter().any(|x| !x.is_finite() || *x < 0.0 || *x > 20.0) || b.inhale_s < 1.0 || b.exhale_s < 1.0 {
                c.fail(F, id, "breath phases must be 0..=20 s with inhale and exhale ≥ 1 s");
            }
        }
        if let Some(alt) = &e.alternative
            && p.exercise(alt).is_none()
        {
            c.fail(F, id, format!("alternative '{alt}' is not an exercise"));
        }
        let secs = d.estimated_seconds();
        if !(dose_caps::MIN_SECONDS..=dose_caps::MAX_SECONDS).contains(&secs) {
            c.fail(F, id, format!("estimated dose time {secs}s is outside 10 s..20 min"));
        }
    }
    // The foam roller loads the thoracic spine: never offered with bone-density risks (evidence brief §2).
    for e in p.exercises.iter().filter(|e| e.equipment.contains(&Equipment::FoamRoller)) {
        for cond in [Condition::Osteoporosis, Condition::LongTermSteroids] {
            if !e.contraindicated_with.contains(&cond) {
                c.fail(F, &e.id, format!("foam-roller exercise must be contraindicated with {cond:?}"));
            }
        }
    }
}

/// Body words a "where" may name: the card must point at a place, not only describe an effort.
const BODY_WORDS: &[&str] =
    &["neck", "shoulder", "rib", "belly", "back", "chest", "chin", "skull", "arm", "thigh", "hip", "leg", "sit bone"];

/// "What you should feel" names a place in the body and never presents pain as the goal.
fn feel(c: &mut Checker, e: &Exercise) {
    const F: &str = "exercises.toml";
    let id = e.id.as_str();
    c.text(F, id, "feel.where", &e.feel.place);
    c.text(F, id, "feel.what", &e.feel.what);
    let place = e.feel.place.to_lowercase();
    if !BODY_WORDS.iter().any(|w| place.contains(w)) {
        c.fail(F, id, "feel.where must name a part of the body");
    }
    for text in [&e.feel.place, &e.feel.what] {
        let lower = text.to_lowercase();
        let negated = ["not", "never", "no ", "nothing"].iter().any(|n| lower.contains(n));
        if (lower.contains("pain") || lower.contains("hurt")) && !negated {
            c.fail(F, id, "feel must not present pain as what the exercise should feel like");
        }
    }
}

fn routines(c: &mut Checker) {
    let p = c.program;
    const F: &str = "routines.toml";
    for r in &p.routines {
        let id = r.id.as_str();
        c.cites(F, id, &r.cite);
        c.text(F, id, "summary", &r.summary);
        if r.steps.is_empty() {
            c.fail(F, id, "routine has no steps");
        }
        for s in &r.steps {
            match p.exercise(&s.exercise) {
                None => c.fail(F, id, format!("step exercise '{}' does not exist", s.exercise)),
                Some(ex) => {
                    let dose = crate::step_dose(ex, s);
                    if dose.sets == 0 || dose.reps == Some(0) || dose.work_s == Some(0) {
                        c.fail(F, id, format!("step '{}' overrides the dose to zero", s.exercise));
                    }
                }
            }
        }
        let run_specific = matches!(r.kind, RoutineKind::PreRun | RoutineKind::PostRun);
        if run_specific && r.for_runs.is_empty() {
            c.fail(F, id, "pre- and post-run routines must say which run types they are for");
        }
        if !run_specific && !r.for_runs.is_empty() {
            c.fail(F, id, "only pre- and post-run routines are tied to run types");
        }
        let secs = p.routine_seconds(r);
        let target = r.target_minutes * 60;
        if target == 0 || secs * 10 < target * 6 || secs * 10 > target * 14 {
            c.fail(
                F,
                id,
                format!("computed length {}s is not within ±40% of target_minutes {}", secs, r.target_minutes),
            );
        }
    }
    for kind in [RoutineKind::PreRun, RoutineKind::PostRun] {
        for run in RunType::ALL {
            let n = p.routines.iter().filter(|r| r.kind == kind && r.for_runs.contains(&run)).count();
            if n != 1 {
                c.fail(F, run.as_str(), format!("{n} {kind:?} routines for this run type; expected exactly 1"));
            }
        }
    }
    for kind in [RoutineKind::RestDayStrength, RoutineKind::DailyMobility, RoutineKind::DeskBreak] {
        if p.routines_of(kind).next().is_none() {
            c.fail(F, &format!("{kind:?}"), "no routine of this kind");
        }
    }
}

fn cues(c: &mut Checker) {
    let p = c.program;
    const F: &str = "cues.toml";
    for q in &p.cues {
        let id = q.id.as_str();
        c.cites(F, id, &q.cite);
        c.text(F, id, "text", &q.text);
        c.text(F, id, "spoken", &q.spoken);
        if q.watch.chars().count() > 24 || q.watch.trim().is_empty() {
            c.fail(F, id, format!("watch text '{}' must be 1..=24 characters", q.watch));
        }
        if q.run_types.is_empty() || q.phases.is_empty() {
            c.fail(F, id, "cue needs run_types and phases");
        }
    }
    for run in RunType::ALL {
        match p.schedule(run) {
            None => c.fail(F, run.as_str(), "no cue schedule for this run type"),
            Some(s) => {
                c.cites(F, run.as_str(), &s.cite);
                if s.every_min == 0 {
                    c.fail(F, run.as_str(), "every_min must be > 0");
                }
                let steady = p.cues.iter().any(|q| q.run_types.contains(&run) && q.phases.contains(&CuePhase::Steady));
                if !steady {
                    c.fail(F, run.as_str(), "no steady-running cue for this run type");
                }
            }
        }
    }
    if let Some(long) = p.schedule(RunType::Long) {
        match long.last_third_every_min {
            Some(m) if m < long.every_min => {}
            _ => c.fail(F, "long", "long runs need more frequent cues in the last third"),
        }
    }
    if let Some(speed) = p.schedule(RunType::Speed) {
        if !speed.per_rep {
            c.fail(F, "speed", "speed work needs a cue before each rep and in each recovery");
        }
        for phase in [CuePhase::BeforeRep, CuePhase::Recovery] {
            if !p.cues.iter().any(|q| q.run_types.contains(&RunType::Speed) && q.phases.contains(&phase)) {
                c.fail(F, "speed", format!("no speed cue for phase {phase:?}"));
            }
        }
    }
}

fn habits(c: &mut Checker) {
    let p = c.program;
    const F: &str = "habits.toml";
    for h in &p.habits {
        c.cites(F, &h.id, &h.cite);
        c.text(F, &h.id, "what", &h.what);
        c.text(F, &h.id, "why", &h.why);
    }
    let d = &p.habit_defaults;
    if d.walk_every_min != 30 || d.shift_every_min != 20 {
        c.fail(F, "defaults", "sitting defaults must be a walk every 30 min and a position shift every 20 min");
    }
    if d.arrive_days_before_min < 1 || d.arrive_days_before_max < d.arrive_days_before_min {
        c.fail(F, "defaults", "arrive at least a day before a destination race");
    }
    for area in [HabitArea::Sitting, HabitArea::Travel, HabitArea::Pack, HabitArea::Load, HabitArea::Care] {
        if !p.habits.iter().any(|h| h.area == area) {
            c.fail(F, &format!("{area:?}"), "no habit in this area");
        }
    }
}

fn relief(c: &mut Checker) {
    let p = c.program;
    const F: &str = "relief.toml";
    for r in &p.relief {
        let id = r.id.as_str();
        c.cites(F, id, &r.cite);
        c.text(F, id, "what", &r.what);
        c.nonempty(F, id, "limits", &r.limits);
        c.texts(F, id, "how", &r.how);
        c.texts(F, id, "limits", &r.limits);
        if r.kind == ReliefKind::Supplement {
            match r.max_daily_mg {
                Some(mg) if mg <= 350 => {}
                _ => c.fail(F, id, "supplements need max_daily_mg ≤ 350 (supplemental magnesium upper limit)"),
            }
            if let (Some(start), Some(max)) = (r.start_mg, r.max_daily_mg)
                && start > max
            {
                c.fail(F, id, "start_mg above max_daily_mg");
            }
            for cond in [Condition::KidneyDisease, Condition::Pregnancy, Condition::InteractingMedicines] {
                if !r.avoid_with.contains(&cond) {
                    c.fail(F, id, format!("supplement must be withheld (pharmacist referral) with {cond:?}"));
                }
            }
            if r.refer.is_empty() {
                c.fail(F, id, "supplement must say who to ask (a pharmacist)");
            }
        }
    }
    if !p.relief.iter().any(|r| r.kind == ReliefKind::NotRecommended) {
        c.fail(F, "brace", "the brace must be listed as not recommended");
    }
    if p.alternatives.len() < 3 {
        c.fail(F, "alternative", "need at least three cardio alternatives");
    }
    for a in &p.alternatives {
        c.cites(F, &a.id, &a.cite);
        c.text(F, &a.id, "how", &a.how);
        c.text(F, &a.id, "why", &a.why);
    }
}

fn lessons(c: &mut Checker) {
    let p = c.program;
    const F: &str = "lessons.toml";
    if p.lessons.len() < 6 {
        c.fail(F, "course", format!("{} lessons; the breathing course needs at least 6", p.lessons.len()));
    }
    for (i, l) in p.lessons.iter().enumerate() {
        let id = l.id.as_str();
        if l.number as usize != i + 1 {
            c.fail(
                F,
                id,
                format!("lesson numbers must run 1..n without gaps (found {} at position {})", l.number, i + 1),
            );
        }
        c.cites(F, id, &l.cite);
        c.nonempty(F, id, "body", &l.body);
        c.nonempty(F, id, "key_points", &l.key_points);
        c.texts(F, id, "body", &l.body);
        if !(1..=15).contains(&l.minutes) {
            c.fail(F, id, "lessons are short: 1..=15 minutes");
        }
        if let Some(ex) = &l.practice
            && p.exercise(ex).is_none()
        {
            c.fail(F, id, format!("practice exercise '{ex}' does not exist"));
        }
    }
}

fn red_flags(c: &mut Checker) {
    let p = c.program;
    const F: &str = "red_flags.toml";
    for level in [FlagLevel::A, FlagLevel::B, FlagLevel::C] {
        if p.level_info(level).is_none() {
            c.fail(F, &format!("{level:?}"), "level description missing");
        }
        if !p.red_flags.iter().any(|f| f.level == level) {
            c.fail(F, &format!("{level:?}"), "no red flag at this level");
        }
    }
    for f in &p.red_flags {
        c.cites(F, &f.id, &f.cite);
        c.text(F, &f.id, "question", &f.question);
        c.text(F, &f.id, "advice", &f.advice);
        let lower = format!("{} {}", f.question, f.advice).to_lowercase();
        if lower.contains("chest") && !f.chest {
            c.fail(F, &f.id, "mentions the chest but is not marked chest = true");
        }
        // Chest pain is never explained away: a chest flag may mention a stitch only to say it is not assumed.
        if f.chest && lower.contains("stitch") && !lower.contains("not") {
            c.fail(F, &f.id, "a chest flag may mention a side stitch only to say it must not be assumed");
        }
    }
    // New chest or rib pain with effort means no running until a clinician has seen it: never lower than B.
    for f in p.red_flags.iter().filter(|f| f.chest && f.level == FlagLevel::C) {
        c.fail(F, &f.id, "a chest flag must be level A or B");
    }
    if !p.red_flags.iter().any(|f| f.chest && f.level == FlagLevel::A) {
        c.fail(F, "chest", "chest pain during or after a run must be a level A flag");
    }
}

fn trace(c: &mut Checker) {
    let p = c.program;
    const F: &str = "trace.toml";
    let mut parts = BTreeSet::new();
    for row in &p.trace {
        let id = row.part.as_str();
        if !parts.insert(id) {
            c.fail(F, id, "duplicate part");
        }
        if p.source(&row.seed).is_none_or(|s| s.kind != SourceKind::Seed) {
            c.fail(F, id, format!("seed '{}' is not a seed source", row.seed));
        }
        if let Some(src) = p.source(&row.seed)
            && !src.sections.iter().any(|s| s == &row.section)
        {
            c.fail(F, id, format!("section '{}' is not one of the seed's headings", row.section));
        }
        if !id.starts_with(&format!("{}.", row.seed)) {
            c.fail(F, id, "part id must start with its seed id");
        }
        if row.items.is_empty() {
            c.fail(F, id, "no item implements this part");
        }
        for item in &row.items {
            let Some((kind, ref_id)) = item.split_once(':') else {
                c.fail(F, id, format!("item '{item}' must be kind:id"));
                continue;
            };
            let exists = match kind {
                "exercise" => p.exercise(ref_id).is_some(),
                "routine" => p.routine(ref_id).is_some(),
                "cue" => p.cue(ref_id).is_some(),
                "schedule" => ref_id.parse::<RunType>().ok().and_then(|r| p.schedule(r)).is_some(),
                "habit" => p.habit(ref_id).is_some(),
                "relief" => p.relief_option(ref_id).is_some(),
                "alternative" => p.alternative(ref_id).is_some(),
                "lesson" => p.lesson(ref_id).is_some(),
                "red-flag" => p.red_flag(ref_id).is_some(),
                "rule" => KNOWN_RULES.contains(&ref_id),
                _ => false,
            };
            if !exists {
                c.fail(F, id, format!("item '{item}' does not exist"));
            }
        }
    }
}

/// Every exercise has exactly one drawing, and each drawing's numbers are finite and its labels short enough to
/// sit under a picture.
/// Progression rules: one per kind, each stepping at most once a week (the brief's ceiling) and adding something.
fn progression(c: &mut Checker) {
    let p = c.program;
    const F: &str = "progression.toml";
    for (i, r) in p.progression.iter().enumerate() {
        let item = format!("{:?}", r.category);
        if p.progression[..i].iter().any(|o| o.category == r.category) {
            c.fail(F, &item, "a second rule for the same kind of exercise");
        }
        if r.every_weeks == 0 || r.min_sessions == 0 {
            c.fail(F, &item, "every_weeks and min_sessions must be at least 1");
        }
        if r.add_reps == 0 && r.add_hold_s == 0 {
            c.fail(F, &item, "a step must add reps or hold time");
        }
        c.cites(F, &item, &r.cite);
    }
}

fn figures(c: &mut Checker) {
    let p = c.program;
    const F: &str = "figures.toml";
    for e in &p.exercises {
        let n = p.figures.iter().filter(|f| f.exercise == e.id).count();
        if n != 1 {
            c.fail(F, &e.id, format!("{n} figures for this exercise; expected exactly 1"));
        }
    }
    for f in &p.figures {
        if p.exercise(&f.exercise).is_none() {
            c.fail(F, &f.exercise, "figure of an exercise that does not exist");
        }
        for pose in [&f.start, &f.end] {
            c.text(F, &f.exercise, "label", &pose.label);
            if let Some(e) = p.exercise(&f.exercise) {
                for problem in crate::text_problems(e, "label", &pose.label) {
                    c.fail(F, &f.exercise, format!("the drawing disagrees with the dose: {problem}"));
                }
            }
            if pose.label.chars().count() > 60 {
                c.fail(F, &f.exercise, format!("label '{}' is longer than 60 characters", pose.label));
            }
            let mut numbers = vec![pose.hip[0], pose.hip[1], pose.trunk, pose.head];
            numbers.extend(pose.chest);
            numbers.extend(pose.facing);
            for limb in [Some(&pose.arm), pose.arm2.as_ref(), Some(&pose.leg), pose.leg2.as_ref()].into_iter().flatten()
            {
                match limb {
                    Limb::Angles(a) => numbers.extend(a),
                    Limb::Reach { to, bend, foot } => {
                        numbers.extend(to);
                        numbers.push(*bend);
                        numbers.extend(foot);
                    }
                }
            }
            if numbers.iter().any(|x| !x.is_finite() || x.abs() > 720.0) {
                c.fail(F, &f.exercise, "pose numbers must be finite angles (degrees) or positions (body heights)");
            }
        }
    }
}
