//! The journal's records beyond runs, pain and days: screens, assessments, plans, guided and breathing sessions,
//! experiments, posture checks and lessons done (JSON Lines only; the CSV files keep their three tables).
//!
//! Every record has a **stable id** ([`super::journal_format::Record::stable_id`]) built from what identifies it
//! in any database — its time, its date, its name — never from a database row id, so the same record imported
//! twice, or synced twice to a clinic server, is stored once. Records that point at other records (a plan at
//! the screen and assessment it was built from, an experiment at the runs it recorded) point by those stable
//! parts too, and the importer maps them back to its own rows.

use crate::assess::AssessmentRecord;
use crate::plan::PlanRecord;
use crate::screen::ScreeningRecord;
use jiff::Timestamp;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};

/// A red-flag screen: the stored record without its database id. Stable id: `screening:<taken_at>`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct JournalScreening {
    pub taken_at: Timestamp,
    pub answers: crate::screen::ScreenAnswers,
    pub outcome: crate::screen::ScreenOutcome,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub clinician_checked_at: Option<Timestamp>,
}

impl JournalScreening {
    pub fn from_record(r: ScreeningRecord) -> Self {
        JournalScreening {
            taken_at: r.taken_at,
            answers: r.answers,
            outcome: r.outcome,
            clinician_checked_at: r.clinician_checked_at,
        }
    }

    pub fn to_record(&self) -> ScreeningRecord {
        ScreeningRecord {
            id: None,
            taken_at: self.taken_at,
            answers: self.answers.clone(),
            outcome: self.outcome.clone(),
            clinician_checked_at: self.clinician_checked_at,
        }
    }
}

/// An assessment without its database id. Stable id: `assessment:<taken_at>`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct JournalAssessment {
    pub taken_at: Timestamp,
    pub assessment: crate::assess::Assessment,
}

impl JournalAssessment {
    pub fn from_record(r: AssessmentRecord) -> Self {
        JournalAssessment { taken_at: r.taken_at, assessment: r.assessment }
    }

    pub fn to_record(&self) -> AssessmentRecord {
        AssessmentRecord { id: None, taken_at: self.taken_at, assessment: self.assessment.clone() }
    }
}

/// A plan, naming the screen and assessment it was built from by their times (their stable ids) rather than by
/// row ids. Stable id: `plan:<created_at>`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct JournalPlan {
    pub created_at: Timestamp,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub screening_taken_at: Option<Timestamp>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub assessment_taken_at: Option<Timestamp>,
    pub plan: crate::plan::Plan,
}

impl JournalPlan {
    /// The record to store, with the row ids the importer found for the screen and assessment.
    pub fn to_record(&self, screening_id: Option<i64>, assessment_id: Option<i64>) -> PlanRecord {
        PlanRecord { id: None, created_at: self.created_at, screening_id, assessment_id, plan: self.plan.clone() }
    }
}

/// A guided routine or breathing session (the companion's completion record, kept as the app wrote it).
/// Stable id: `session:<started_at>:<routine_id>` — the same pair the store upserts checkpoints on.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct JournalSession {
    pub started_at: Timestamp,
    pub routine_id: String,
    pub completed: bool,
    pub record: serde_json::Value,
}

/// A self-experiment as the app stores it, with the runs it recorded named by their journal keys.
/// Stable id: `id`, made by the exporting app from the start date and the design (two experiments may start on
/// one day, never with the same design).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct JournalExperiment {
    pub id: String,
    pub started: Date,
    pub active: bool,
    /// Journal keys of the runs the experiment recorded.
    #[serde(default)]
    pub runs: Vec<String>,
    /// The stored experiment document, its run ids emptied (they are `runs`).
    pub data: serde_json::Value,
}

/// A posture check's landmarks and measures. The photo itself is not in the journal (a picture of the runner is
/// not something a text export should carry): only the landmarks measured on it. Stable id: `id`, made by the
/// exporting app from the date, the kind and the measured content.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct JournalPosture {
    pub id: String,
    pub taken_on: Date,
    pub kind: String,
    pub data: serde_json::Value,
}

/// A breathing-course lesson marked done. Stable id: `lesson:<lesson_id>`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct JournalLesson {
    pub lesson_id: String,
    pub done_at: Timestamp,
}
