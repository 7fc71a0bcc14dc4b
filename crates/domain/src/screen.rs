//! Red-flag screening: fixed, cautious rules from the evidence brief (§1).
//!
//! The rules are deliberately simple: any "yes" triggers its flag, the most urgent level wins, and an unanswered
//! question is never taken as "no". Symptom checkers get urgency right only about half the time, so this is a
//! lookup table, not a judgement. Chest or rib pain is never explained away (e.g. as a side stitch).

use crate::error::InputError;
use jiff::Timestamp;
use runtall_content::{FlagLevel, Program, RedFlag};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Yes/no answers keyed by red-flag id.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScreenAnswers(pub BTreeMap<String, bool>);

impl ScreenAnswers {
    pub fn all_no(program: &Program) -> Self {
        ScreenAnswers(program.red_flags.iter().map(|f| (f.id.clone(), false)).collect())
    }

    pub fn with_yes(mut self, id: &str) -> Self {
        self.0.insert(id.to_string(), true);
        self
    }

    /// Every question answered: `yes` with yes, all the others no (the answers-file form `yes = [...]`,
    /// `others = "no"`).
    pub fn yes(program: &Program, yes: &[&str]) -> Self {
        yes.iter().fold(ScreenAnswers::all_no(program), |answers, id| answers.with_yes(id))
    }
}

/// Screen answers as a file or an API body gives them: every question id with true or false in `answers`, or
/// the ids answered yes in `yes` together with `others = "no"`, said explicitly (an unanswered safety question is
/// never taken as no). `runtall screen --answers` and `POST /api/screen` both read this shape.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AnswersFile {
    #[serde(default)]
    pub answers: Option<BTreeMap<String, bool>>,
    #[serde(default)]
    pub yes: Option<Vec<String>>,
    #[serde(default)]
    pub others: Option<String>,
}

impl AnswersFile {
    /// The answers, or an error naming the field (`yes`, `others`, or none for a wrong shape). Unknown ids in
    /// `answers` are left for [`evaluate`], which names them.
    pub fn into_answers(self, program: &Program) -> Result<ScreenAnswers, InputError> {
        match (self.answers, self.yes, self.others.as_deref()) {
            (Some(map), None, None) => Ok(ScreenAnswers(map)),
            (None, Some(yes), Some("no")) => {
                let mut answers = ScreenAnswers::all_no(program);
                for id in yes {
                    if program.red_flag(&id).is_none() {
                        return Err(InputError::new("yes", format!("'{id}' is not a screening question")));
                    }
                    answers.0.insert(id, true);
                }
                Ok(answers)
            }
            (None, Some(_), _) => Err(InputError::new(
                "others",
                "with the ids answered yes in `yes`, set `others` to \"no\" to answer every other question no",
            )),
            _ => Err(InputError::new(
                "",
                "give either `answers` (every question id with true or false) or `yes` (the ids answered yes) with \
                 `others` set to \"no\"",
            )),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TriggeredFlag {
    pub id: String,
    pub level: FlagLevel,
    pub short: String,
    pub advice: String,
    pub chest: bool,
}

impl From<&RedFlag> for TriggeredFlag {
    fn from(f: &RedFlag) -> Self {
        TriggeredFlag {
            id: f.id.clone(),
            level: f.level,
            short: f.short.clone(),
            advice: f.advice.clone(),
            chest: f.chest,
        }
    }
}

/// What the screen found: the most urgent level (none if every answer was no) and every flag answered yes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScreenOutcome {
    pub level: Option<FlagLevel>,
    pub triggered: Vec<TriggeredFlag>,
}

/// Evaluates a complete set of answers. Every question must be answered and every id must be known.
pub fn evaluate(program: &Program, answers: &ScreenAnswers) -> Result<ScreenOutcome, InputError> {
    if let Some(unknown) = answers.0.keys().find(|id| program.red_flag(id).is_none()) {
        return Err(InputError::new(
            format!("answers.{unknown}"),
            "is not a screening question (run `runtall screen --list` for the ids)",
        ));
    }
    let mut triggered: Vec<TriggeredFlag> =
        program.red_flags.iter().filter(|f| answers.0.get(&f.id) == Some(&true)).map(TriggeredFlag::from).collect();
    triggered.sort_by_key(|f| f.level);
    let emergency = triggered.first().is_some_and(|f| f.level == FlagLevel::A);
    let missing: Vec<&str> =
        program.red_flags.iter().filter(|f| !answers.0.contains_key(&f.id)).map(|f| f.id.as_str()).collect();
    // Questions may stay unanswered only once an emergency-level answer has made the rest moot.
    if !missing.is_empty() && !emergency {
        return Err(InputError::new(
            "answers",
            format!(
                "{} unanswered: {} (an unanswered safety question is never taken as no)",
                crate::text::count(missing.len(), "question", "questions"),
                missing.join(", ")
            ),
        ));
    }
    Ok(ScreenOutcome { level: triggered.first().map(|f| f.level), triggered })
}

/// One completed screen, as stored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScreeningRecord {
    #[serde(default)]
    pub id: Option<i64>,
    pub taken_at: Timestamp,
    pub answers: ScreenAnswers,
    pub outcome: ScreenOutcome,
    /// When the runner confirmed that a clinician has checked the flags of this screen.
    #[serde(default)]
    pub clinician_checked_at: Option<Timestamp>,
}

impl ScreeningRecord {
    /// A screen evaluated from its answers, taken at `taken_at` and not yet stored (no id, no clinician check).
    pub fn new(program: &Program, answers: ScreenAnswers, taken_at: Timestamp) -> Result<Self, InputError> {
        let outcome = evaluate(program, &answers)?;
        Ok(ScreeningRecord { id: None, taken_at, answers, outcome, clinician_checked_at: None })
    }
}

/// Where the program stands after the latest screen.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "kebab-case")]
pub enum ProgramState {
    /// No screen yet: nothing else is offered until one is done.
    NotScreened,
    /// Level A: emergency. Locked until the runner confirms a clinician has checked them.
    Locked { flags: Vec<TriggeredFlag> },
    /// Level B: paused; see a clinician today.
    Paused { flags: Vec<TriggeredFlag> },
    /// Level C: a reduced, gentle program until a clinician has checked; asked again at each plan.
    Reduced { flags: Vec<TriggeredFlag> },
    /// No active flags.
    Open,
}

impl ProgramState {
    pub fn allows_plan(&self) -> bool {
        matches!(self, ProgramState::Reduced { .. } | ProgramState::Open)
    }

    pub fn name(&self) -> &'static str {
        match self {
            ProgramState::NotScreened => "not-screened",
            ProgramState::Locked { .. } => "locked",
            ProgramState::Paused { .. } => "paused",
            ProgramState::Reduced { .. } => "reduced",
            ProgramState::Open => "open",
        }
    }
}

/// The program state implied by the latest screen. A clinician check clears the flags of that screen; a new
/// screen starts over.
pub fn program_state(latest: Option<&ScreeningRecord>) -> ProgramState {
    let Some(record) = latest else {
        return ProgramState::NotScreened;
    };
    if record.clinician_checked_at.is_some() {
        return ProgramState::Open;
    }
    let of = |level| -> Vec<TriggeredFlag> {
        record.outcome.triggered.iter().filter(|f| f.level == level).cloned().collect()
    };
    match record.outcome.level {
        None => ProgramState::Open,
        Some(FlagLevel::A) => ProgramState::Locked { flags: of(FlagLevel::A) },
        Some(FlagLevel::B) => ProgramState::Paused { flags: of(FlagLevel::B) },
        Some(FlagLevel::C) => ProgramState::Reduced { flags: of(FlagLevel::C) },
    }
}

/// Days after which the plan asks for a fresh screen: symptoms change, and the screen is cheap.
pub const RESCREEN_AFTER_DAYS: i64 = 28;

/// Whether a screen taken at `taken_at` is stale at `now`.
pub fn is_stale(taken_at: Timestamp, now: Timestamp) -> bool {
    now.as_second() - taken_at.as_second() > RESCREEN_AFTER_DAYS * 86_400
}

#[cfg(test)]
mod tests {
    use super::*;
    use runtall_content::program;

    fn at(s: &str) -> Timestamp {
        s.parse().expect("timestamp")
    }

    #[test]
    fn every_flag_alone_gives_exactly_its_level_and_state() {
        let p = program();
        assert!(!p.red_flags.is_empty());
        for flag in &p.red_flags {
            let answers = ScreenAnswers::all_no(p).with_yes(&flag.id);
            let outcome = evaluate(p, &answers).expect("complete answers");
            assert_eq!(outcome.level, Some(flag.level), "{}", flag.id);
            assert_eq!(outcome.triggered.len(), 1);
            let record = ScreeningRecord {
                id: None,
                taken_at: at("2026-11-01T08:00:00Z"),
                answers,
                outcome,
                clinician_checked_at: None,
            };
            let state = program_state(Some(&record));
            let expected = match flag.level {
                FlagLevel::A => "locked",
                FlagLevel::B => "paused",
                FlagLevel::C => "reduced",
            };
            assert_eq!(state.name(), expected, "{}", flag.id);
            assert_eq!(state.allows_plan(), flag.level == FlagLevel::C, "{}", flag.id);
        }
    }

    #[test]
    fn all_no_opens_the_program_and_the_most_urgent_level_wins() {
        let p = program();
        let outcome = evaluate(p, &ScreenAnswers::all_no(p)).expect("complete");
        assert_eq!(outcome.level, None);
        let a = p.red_flags.iter().find(|f| f.level == FlagLevel::A).expect("A flag");
        let c = p.red_flags.iter().find(|f| f.level == FlagLevel::C).expect("C flag");
        let both = ScreenAnswers::all_no(p).with_yes(&a.id).with_yes(&c.id);
        let outcome = evaluate(p, &both).expect("complete");
        assert_eq!(outcome.level, Some(FlagLevel::A));
        assert_eq!(outcome.triggered[0].level, FlagLevel::A, "most urgent listed first");
    }

    #[test]
    fn after_an_emergency_answer_the_rest_may_stay_unanswered() {
        let p = program();
        let a = p.red_flags.iter().find(|f| f.level == FlagLevel::A).expect("A flag");
        let mut answers = ScreenAnswers::default();
        answers.0.insert(a.id.clone(), true);
        let outcome = evaluate(p, &answers).expect("an A answer alone is enough");
        assert_eq!(outcome.level, Some(FlagLevel::A));
        let c = p.red_flags.iter().find(|f| f.level == FlagLevel::C).expect("C flag");
        let mut answers = ScreenAnswers::default();
        answers.0.insert(c.id.clone(), true);
        assert!(evaluate(p, &answers).is_err(), "a C answer alone is not a complete screen");
    }

    #[test]
    fn unanswered_and_unknown_questions_are_refused() {
        let p = program();
        let mut answers = ScreenAnswers::all_no(p);
        let first = p.red_flags[0].id.clone();
        answers.0.remove(&first);
        let err = evaluate(p, &answers).expect_err("missing");
        assert!(err.message.contains(&first), "{err}");
        let err = evaluate(p, &ScreenAnswers::all_no(p).with_yes("made-up-flag")).expect_err("unknown");
        assert_eq!(err.field, "answers.made-up-flag");
    }

    #[test]
    fn a_clinician_check_unlocks_and_a_new_screen_starts_over() {
        let p = program();
        let a = p.red_flags.iter().find(|f| f.level == FlagLevel::A && f.chest).expect("chest A");
        let answers = ScreenAnswers::all_no(p).with_yes(&a.id);
        let outcome = evaluate(p, &answers).expect("complete");
        let mut record = ScreeningRecord {
            id: None,
            taken_at: at("2026-11-01T08:00:00Z"),
            answers,
            outcome,
            clinician_checked_at: None,
        };
        assert_eq!(program_state(Some(&record)).name(), "locked");
        record.clinician_checked_at = Some(at("2026-11-03T08:00:00Z"));
        assert_eq!(program_state(Some(&record)), ProgramState::Open);
        assert_eq!(program_state(None), ProgramState::NotScreened);
    }

    #[test]
    fn chest_flags_never_call_chest_pain_a_stitch() {
        for f in program().red_flags.iter().filter(|f| f.chest) {
            let advice = f.advice.to_lowercase();
            if advice.contains("stitch") {
                assert!(advice.contains("not"), "{}: {}", f.id, f.advice);
            }
            assert!(f.level <= FlagLevel::C);
        }
    }

    #[test]
    fn stale_after_four_weeks() {
        assert!(!is_stale(at("2026-11-01T00:00:00Z"), at("2026-11-20T00:00:00Z")));
        assert!(is_stale(at("2026-10-01T00:00:00Z"), at("2026-11-20T00:00:00Z")));
    }

    #[test]
    fn the_answers_file_takes_either_shape_and_names_what_is_wrong() {
        let p = program();
        let file = |json: &str| serde_json::from_str::<AnswersFile>(json).expect("json");
        let id = p.red_flags[0].id.clone();
        let yes = file(&format!(r#"{{"yes": ["{id}"], "others": "no"}}"#)).into_answers(p).expect("shape");
        assert_eq!(yes.0.len(), p.red_flags.len(), "every question answered");
        assert_eq!(yes.0.values().filter(|v| **v).count(), 1);
        assert_eq!(yes, ScreenAnswers::yes(p, &[id.as_str()]));
        let map = file(&format!(r#"{{"answers": {{"{id}": false}}}}"#)).into_answers(p).expect("shape");
        assert_eq!(map.0.len(), 1, "an incomplete map is left for evaluate to refuse");
        assert!(evaluate(p, &map).is_err());
        let field = |json: &str| file(json).into_answers(p).expect_err("refused").field;
        assert_eq!(field(r#"{"yes": []}"#), "others", "others must be said explicitly");
        assert_eq!(field(r#"{"yes": ["no-such-question"], "others": "no"}"#), "yes");
        assert_eq!(field(r#"{"yes": [], "others": "yes"}"#), "others");
        assert_eq!(field("{}"), "");
        assert!(serde_json::from_str::<AnswersFile>(r#"{"yes": [], "others": "no", "extra": 1}"#).is_err());
    }
}
