//! The journal's records beyond runs, pain and days, out of and into the store (see `journal_file`).
//!
//! Each is matched to what the store holds by its stable id (`Record::stable_id`): screens and assessments by
//! the time they were taken, plans by when they were made, sessions by start and routine, lessons by name,
//! experiments and posture checks by a fingerprint of their content made here. A matched record is updated where
//! the store can update it (a clinician check, an experiment's progress, a session's checkpoint) and otherwise
//! left alone.

use crate::Result;
use jiff::Timestamp;
use jiff::civil::Date;
use runtall_domain::journal_format::{
    Journal, JournalAssessment, JournalExperiment, JournalLesson, JournalPlan, JournalPosture, JournalScreening,
    JournalSession, Record,
};
use runtall_store::{JournalImportStats, Store};
use sha2::{Digest, Sha256};
use std::collections::HashMap;

/// First 12 hex digits of the SHA-256 of `text`: enough to tell a runner's records apart, short enough to read.
pub(crate) fn fingerprint(text: &str) -> String {
    let digest = Sha256::digest(text.as_bytes());
    digest.iter().take(6).map(|b| format!("{b:02x}")).collect()
}

/// An experiment's stable id: its start date and its design (the design never changes once started).
fn experiment_id(started: Date, data: &serde_json::Value) -> String {
    let design = data.pointer("/experiment/design").map(|d| d.to_string()).unwrap_or_default();
    format!("{started}-{}", fingerprint(&design))
}

/// A posture check's stable id: date, kind and measured content (stored checks are never edited).
fn posture_id(taken_on: Date, kind: &str, data: &serde_json::Value) -> String {
    format!("{taken_on}-{kind}-{}", fingerprint(&data.to_string()))
}

/// The stored experiment document with its run ids taken out (they travel as run keys).
fn experiment_parts(data: &serde_json::Value, keys: &HashMap<i64, String>) -> (serde_json::Value, Vec<String>) {
    let mut data = data.clone();
    let mut runs = Vec::new();
    if let Some(ids) = data.get_mut("recorded_runs").and_then(|v| v.as_array_mut()) {
        runs = ids.iter().filter_map(|v| v.as_i64()).filter_map(|id| keys.get(&id).cloned()).collect();
        ids.clear();
    }
    (data, runs)
}

/// Adds the records beyond runs, pain and days to `journal`, in a stable order. `keys` maps run ids to keys.
pub(crate) fn export(store: &dyn Store, keys: &HashMap<i64, String>, journal: &mut Journal) -> Result<()> {
    let screenings = store.screenings()?;
    let screening_times: HashMap<i64, Timestamp> =
        screenings.iter().filter_map(|s| s.id.map(|id| (id, s.taken_at))).collect();
    journal.screenings = screenings.into_iter().map(JournalScreening::from_record).collect();
    journal.screenings.sort_by_key(|s| s.taken_at);
    let assessments = store.assessments()?;
    let assessment_times: HashMap<i64, Timestamp> =
        assessments.iter().filter_map(|a| a.id.map(|id| (id, a.taken_at))).collect();
    journal.assessments = assessments.into_iter().map(JournalAssessment::from_record).collect();
    journal.assessments.sort_by_key(|a| a.taken_at);
    journal.plans = store
        .plans()?
        .into_iter()
        .map(|p| JournalPlan {
            created_at: p.created_at,
            screening_taken_at: p.screening_id.and_then(|id| screening_times.get(&id).copied()),
            assessment_taken_at: p.assessment_id.and_then(|id| assessment_times.get(&id).copied()),
            plan: p.plan,
        })
        .collect();
    journal.plans.sort_by_key(|p| p.created_at);
    journal.sessions = store
        .sessions(Timestamp::MIN, Timestamp::MAX)?
        .into_iter()
        .map(|s| JournalSession {
            started_at: s.started_at,
            routine_id: s.routine_id,
            completed: s.completed,
            record: s.record,
        })
        .collect();
    journal.sessions.sort_by(|a, b| (a.started_at, &a.routine_id).cmp(&(b.started_at, &b.routine_id)));
    journal.experiments = store
        .experiments()?
        .into_iter()
        .map(|(_, active, data)| {
            let started = experiment_started(&data);
            let id = experiment_id(started, &data);
            let (data, runs) = experiment_parts(&data, keys);
            JournalExperiment { id, started, active, runs, data }
        })
        .collect();
    journal.experiments.sort_by(|a, b| (a.started, &a.id).cmp(&(b.started, &b.id)));
    journal.postures = store
        .postures()?
        .into_iter()
        .map(|p| JournalPosture {
            id: posture_id(p.taken_on, &p.kind, &p.data),
            taken_on: p.taken_on,
            kind: p.kind,
            data: p.data,
        })
        .collect();
    journal.lessons = store
        .lessons_done()?
        .into_iter()
        .map(|l| JournalLesson { lesson_id: l.lesson_id, done_at: l.done_at })
        .collect();
    Ok(())
}

/// The start date an experiment document records (the column and the document agree; the document is what the
/// app reads).
fn experiment_started(data: &serde_json::Value) -> Date {
    data.pointer("/experiment/started").and_then(|v| v.as_str()).and_then(|s| s.parse().ok()).unwrap_or(Date::MIN)
}

/// Applies the records beyond runs, pain and days, counting what was added and what matched.
pub(crate) fn apply(store: &dyn Store, records: Vec<Record>, stats: &mut JournalImportStats) -> Result<()> {
    if records.is_empty() {
        return Ok(());
    }
    let mut screenings: HashMap<Timestamp, (i64, Option<Timestamp>)> = store
        .screenings()?
        .into_iter()
        .filter_map(|s| s.id.map(|id| (s.taken_at, (id, s.clinician_checked_at))))
        .collect();
    let mut assessments: HashMap<Timestamp, i64> =
        store.assessments()?.into_iter().filter_map(|a| a.id.map(|id| (a.taken_at, id))).collect();
    let mut plans: std::collections::HashSet<Timestamp> = store.plans()?.into_iter().map(|p| p.created_at).collect();
    let mut sessions: std::collections::HashSet<(Timestamp, String)> =
        store.sessions(Timestamp::MIN, Timestamp::MAX)?.into_iter().map(|s| (s.started_at, s.routine_id)).collect();
    let mut experiments: HashMap<String, i64> = store
        .experiments()?
        .into_iter()
        .map(|(id, _, data)| (experiment_id(experiment_started(&data), &data), id))
        .collect();
    let mut postures: std::collections::HashSet<String> =
        store.postures()?.into_iter().map(|p| posture_id(p.taken_on, &p.kind, &p.data)).collect();
    let lessons: std::collections::HashSet<String> = store.lessons_done()?.into_iter().map(|l| l.lesson_id).collect();
    let mut run_ids: Option<HashMap<String, i64>> = None;
    let mut count = |added: bool| {
        if added {
            stats.others_added += 1;
        } else {
            stats.others_matched += 1;
        }
    };
    for record in records {
        match record {
            Record::Screening(s) => match screenings.get(&s.taken_at) {
                Some(&(id, checked)) => {
                    if let (None, Some(at)) = (checked, s.clinician_checked_at) {
                        store.mark_clinician_checked(id, at)?;
                    }
                    count(false);
                }
                None => {
                    let id = store.add_screening(&s.to_record())?;
                    screenings.insert(s.taken_at, (id, s.clinician_checked_at));
                    count(true);
                }
            },
            Record::Assessment(a) => {
                if let std::collections::hash_map::Entry::Vacant(slot) = assessments.entry(a.taken_at) {
                    slot.insert(store.add_assessment(&a.to_record())?);
                    count(true);
                } else {
                    count(false);
                }
            }
            Record::Plan(p) => {
                let added = plans.insert(p.created_at);
                if added {
                    let screening = p.screening_taken_at.and_then(|t| screenings.get(&t).map(|s| s.0));
                    let assessment = p.assessment_taken_at.and_then(|t| assessments.get(&t).copied());
                    store.add_plan(&p.to_record(screening, assessment))?;
                }
                count(added);
            }
            Record::Session(s) => {
                let added = sessions.insert((s.started_at, s.routine_id.clone()));
                store.put_session(s.started_at, &s.routine_id, s.completed, &s.record)?;
                count(added);
            }
            Record::Experiment(e) => {
                let ids = match &mut run_ids {
                    Some(ids) => ids,
                    None => run_ids
                        .insert(store.activities(&Default::default())?.into_iter().map(|r| (r.key, r.id)).collect()),
                };
                let mut data = e.data.clone();
                if let Some(list) = data.get_mut("recorded_runs").and_then(|v| v.as_array_mut()) {
                    *list = e.runs.iter().filter_map(|k| ids.get(k)).map(|&id| id.into()).collect();
                }
                let existing = experiments.get(&experiment_id(e.started, &data)).copied();
                let id = store.put_experiment(existing, e.started, e.active, &data)?;
                experiments.insert(experiment_id(e.started, &data), id);
                count(existing.is_none());
            }
            Record::Posture(p) => {
                if postures.insert(posture_id(p.taken_on, &p.kind, &p.data)) {
                    store.add_posture(p.taken_on, &p.kind, &p.data)?;
                    count(true);
                } else {
                    count(false);
                }
            }
            Record::Lesson(l) => {
                // Marking again keeps the first time, so a matched lesson stays as it was.
                store.set_lesson_done(&l.lesson_id, Some(l.done_at))?;
                count(!lessons.contains(&l.lesson_id));
            }
            Record::Run(_) | Record::Pain(_) | Record::Day(_) => {}
        }
    }
    Ok(())
}

/// Deletes the athlete's records with these stable ids — the kinds a runner can delete: runs (with their
/// context; pain reports stay, unlinked), pain reports, posture checks (the row; a kept photo is left for
/// `PhotoStore::remove_orphans`) and lessons marked done. Ids of other kinds, and ids of nothing stored, are
/// skipped: deleting twice is deleting once. Returns how many records were deleted.
pub(crate) fn delete(store: &dyn Store, ids: &[String]) -> Result<usize> {
    let mut wanted: std::collections::HashSet<&str> = ids.iter().map(String::as_str).collect();
    if wanted.is_empty() {
        return Ok(0);
    }
    let mut deleted = 0;
    if wanted.iter().any(|id| id.starts_with("run:")) {
        for row in store.activities(&Default::default())? {
            if wanted.remove(format!("run:{}", row.key).as_str()) && store.delete_activity(row.id)? {
                deleted += 1;
            }
        }
    }
    if wanted.iter().any(|id| id.starts_with("pain:")) {
        for p in store.pain_reports(Timestamp::MIN, Timestamp::MAX)? {
            let line = runtall_domain::journal_format::JournalPain {
                at: p.at,
                timing: p.timing,
                region: p.region,
                intensity: p.intensity,
                run: None,
                notes: None,
            };
            // Two copies of one report (same time, place and timing) are one record: both go.
            if let Some(id) = p.id
                && wanted.contains(Record::Pain(line).stable_id().as_str())
                && store.delete_pain_report(id)?
            {
                deleted += 1;
            }
        }
    }
    if wanted.iter().any(|id| id.starts_with("posture:")) {
        for p in store.postures()? {
            let id = format!("posture:{}", posture_id(p.taken_on, &p.kind, &p.data));
            if wanted.remove(id.as_str()) && store.delete_posture(p.id)? {
                deleted += 1;
            }
        }
    }
    for lesson in store.lessons_done()? {
        if wanted.remove(format!("lesson:{}", lesson.lesson_id).as_str()) {
            store.set_lesson_done(&lesson.lesson_id, None)?;
            deleted += 1;
        }
    }
    Ok(deleted)
}

/// Makes room for incoming pain reports that replace a stored one: a report with the same stable id (time, place
/// and timing) but other content — linked to another run, or unlinked because its run was deleted on the other
/// side — is deleted, so the incoming line is stored in its place instead of beside it. Returns how many went.
pub(crate) fn clear_replaced_pain(store: &dyn Store, incoming: &[Record]) -> Result<usize> {
    let lines: HashMap<String, String> =
        incoming.iter().filter(|r| matches!(r, Record::Pain(_))).map(|r| (r.stable_id(), r.to_jsonl_line())).collect();
    if lines.is_empty() {
        return Ok(0);
    }
    let keys: HashMap<i64, String> =
        store.activities(&Default::default())?.into_iter().map(|r| (r.id, r.key)).collect();
    let mut cleared = 0;
    for p in store.pain_reports(Timestamp::MIN, Timestamp::MAX)? {
        let record = Record::Pain(runtall_domain::journal_format::JournalPain {
            at: p.at,
            timing: p.timing,
            region: p.region,
            intensity: p.intensity,
            run: p.run_id.and_then(|id| keys.get(&id).cloned()),
            notes: p.notes.clone(),
        });
        if let (Some(line), Some(id)) = (lines.get(&record.stable_id()), p.id)
            && *line != record.to_jsonl_line()
            && store.delete_pain_report(id)?
        {
            cleared += 1;
        }
    }
    Ok(cleared)
}
