//! What a clinician (a physiotherapist or a running coach on a clinic server) adds to an athlete's records:
//! program changes, comments, and the audit log of what they looked at.
//!
//! A clinician never edits the athlete's own records. Each change is a record of its own with a stable key, so a
//! sync can send it twice and it is stored once, and a change is undone by another record that retires it (the
//! history of who changed what stays readable). Which changes are in force is [`active`]; how they meet the
//! safety gate is decided in `runtall_domain::safety::clinician` (the gate always wins).

pub mod attention;

use jiff::Timestamp;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};

/// The longest note or comment kept, in characters: a note is read on Today, not a letter.
pub const MAX_TEXT_CHARS: usize = 2000;

/// One change a clinician made to an athlete's program.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProgramChange {
    /// Stable across machines (sync matches records by it): the same key twice is one change.
    pub key: String,
    pub at: Timestamp,
    /// The clinician's name as the athlete sees it.
    pub by: String,
    pub change: Change,
}

/// What a program change does.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Change {
    /// Leave this exercise out of every routine and the plan.
    ExerciseOff {
        exercise: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        note: Option<String>,
    },
    /// Put this exercise in (again): cancels an earlier "off", and adds the exercise to the plan when the plan's
    /// own rules had not chosen it. Only ever within what the safety gate allows.
    ExerciseOn {
        exercise: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        note: Option<String>,
    },
    /// A dose for this exercise wherever it appears, optionally growing every week, capped by the content's limits.
    Dose {
        exercise: String,
        dose: DoseChange,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        note: Option<String>,
    },
    /// A note the athlete reads on Today.
    Note { text: String },
    /// Undoes the change with this key (the record stays in the history).
    Retire { key: String },
}

impl Change {
    /// The exercise the change is about, if any.
    pub fn exercise(&self) -> Option<&str> {
        match self {
            Change::ExerciseOff { exercise, .. }
            | Change::ExerciseOn { exercise, .. }
            | Change::Dose { exercise, .. } => Some(exercise),
            Change::Note { .. } | Change::Retire { .. } => None,
        }
    }

    /// The clinician's words that travel with the change, if any.
    pub fn note(&self) -> Option<&str> {
        match self {
            Change::ExerciseOff { note, .. } | Change::ExerciseOn { note, .. } | Change::Dose { note, .. } => {
                note.as_deref()
            }
            Change::Note { text } => Some(text),
            Change::Retire { .. } => None,
        }
    }
}

/// The parts of a dose a clinician sets; what is left `None` keeps the routine's own value.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DoseChange {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sets: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reps: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hold_s: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub work_s: Option<u32>,
    /// Added once per full week since the change was made.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub weekly: Option<Progression>,
}

/// How a dose grows each week.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Progression {
    #[serde(default)]
    pub reps: u32,
    #[serde(default)]
    pub hold_s: u32,
    #[serde(default)]
    pub work_s: u32,
}

/// What a comment is about.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(tag = "on", rename_all = "kebab-case")]
pub enum CommentOn {
    /// A run, by its journal key (the content hash of its file): the same on the runner's machine and the server.
    Run { run: String },
    /// The report of the week starting on `week` (a Monday).
    Report { week: Date },
}

/// A clinician's comment on a run or a weekly report, shown to the athlete there.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Comment {
    /// Stable across machines, as for [`ProgramChange::key`].
    pub key: String,
    pub at: Timestamp,
    pub by: String,
    #[serde(flatten)]
    pub on: CommentOn,
    pub text: String,
}

/// One view or change of an athlete's data by someone other than the athlete, as the athlete reads it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditEntry {
    pub at: Timestamp,
    /// The account of whoever did it (a server account id).
    pub actor_account: i64,
    pub actor_name: String,
    /// What was done, a short stable word: `viewed-dashboard`, `viewed-report`, `changed-program`, ...
    pub action: String,
    /// Which page or record, in words.
    pub detail: String,
}

/// A program change or comment the store or a form refuses: an empty key or text, or a text too long.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ClinicError {
    #[error("a clinician record needs a key")]
    NoKey,
    #[error("the {what} is empty")]
    Empty { what: &'static str },
    #[error("the {what} is {chars} characters long; keep it under {MAX_TEXT_CHARS}")]
    TooLong { what: &'static str, chars: usize },
}

fn check_text(what: &'static str, text: &str) -> Result<(), ClinicError> {
    let chars = text.chars().count();
    if text.trim().is_empty() {
        Err(ClinicError::Empty { what })
    } else if chars > MAX_TEXT_CHARS {
        Err(ClinicError::TooLong { what, chars })
    } else {
        Ok(())
    }
}

impl ProgramChange {
    /// Whether the change can be stored: a key, and notes of a readable length.
    pub fn check(&self) -> Result<(), ClinicError> {
        if self.key.trim().is_empty() {
            return Err(ClinicError::NoKey);
        }
        match &self.change {
            Change::Note { text } => check_text("note", text),
            Change::Retire { key } if key.trim().is_empty() => Err(ClinicError::NoKey),
            c => match c.note() {
                Some(n) => check_text("note", n),
                None => Ok(()),
            },
        }
    }
}

impl Comment {
    pub fn check(&self) -> Result<(), ClinicError> {
        if self.key.trim().is_empty() {
            return Err(ClinicError::NoKey);
        }
        check_text("comment", &self.text)
    }
}

/// The changes in force: retired ones dropped, and for each exercise the latest on/off and the latest dose; the
/// latest note. `changes` in any order; ties in time go by key, so every machine agrees.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Active {
    /// Exercises switched off or on, latest per exercise, in time order.
    pub switches: Vec<ProgramChange>,
    /// The latest dose change per exercise, in time order.
    pub doses: Vec<ProgramChange>,
    pub note: Option<ProgramChange>,
}

impl Active {
    pub fn is_empty(&self) -> bool {
        self.switches.is_empty() && self.doses.is_empty() && self.note.is_none()
    }
}

/// See [`Active`].
pub fn active(changes: &[ProgramChange]) -> Active {
    let retired: std::collections::BTreeSet<&str> = changes
        .iter()
        .filter_map(|c| match &c.change {
            Change::Retire { key } => Some(key.as_str()),
            _ => None,
        })
        .collect();
    let mut sorted: Vec<&ProgramChange> = changes.iter().filter(|c| !retired.contains(c.key.as_str())).collect();
    sorted.sort_by(|a, b| (a.at, &a.key).cmp(&(b.at, &b.key)));
    let mut out = Active::default();
    for c in sorted {
        match &c.change {
            Change::ExerciseOff { exercise, .. } | Change::ExerciseOn { exercise, .. } => {
                out.switches.retain(|s| s.change.exercise() != Some(exercise));
                out.switches.push(c.clone());
            }
            Change::Dose { exercise, .. } => {
                out.doses.retain(|s| s.change.exercise() != Some(exercise));
                out.doses.push(c.clone());
            }
            Change::Note { .. } => out.note = Some(c.clone()),
            Change::Retire { .. } => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn change(key: &str, secs: i64, change: Change) -> ProgramChange {
        ProgramChange { key: key.into(), at: Timestamp::from_second(secs).unwrap(), by: "Dr Ines".into(), change }
    }

    #[test]
    fn the_latest_switch_per_exercise_wins_and_retired_changes_drop_out() {
        let changes = vec![
            change("b", 20, Change::ExerciseOn { exercise: "chin-tuck".into(), note: None }),
            change("a", 10, Change::ExerciseOff { exercise: "chin-tuck".into(), note: None }),
            change("c", 30, Change::Note { text: "Easy week".into() }),
            change("d", 40, Change::Note { text: "Race week".into() }),
            change("e", 50, Change::Retire { key: "d".into() }),
        ];
        let a = active(&changes);
        assert_eq!(a.switches.len(), 1);
        assert!(matches!(a.switches[0].change, Change::ExerciseOn { .. }));
        assert_eq!(a.note.as_ref().and_then(|n| n.change.note()), Some("Easy week"));
        assert!(a.doses.is_empty());
    }

    #[test]
    fn empty_or_overlong_notes_and_missing_keys_are_refused() {
        assert_eq!(change("", 1, Change::Note { text: "x".into() }).check(), Err(ClinicError::NoKey));
        assert!(matches!(change("k", 1, Change::Note { text: " ".into() }).check(), Err(ClinicError::Empty { .. })));
        let long = "x".repeat(MAX_TEXT_CHARS + 1);
        assert!(matches!(change("k", 1, Change::Note { text: long }).check(), Err(ClinicError::TooLong { .. })));
        assert_eq!(change("k", 1, Change::ExerciseOff { exercise: "a".into(), note: None }).check(), Ok(()));
    }
}
