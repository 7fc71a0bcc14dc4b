//! The journal formats (`docs/journal-format.md`) in and out of the store, for `runtall journal` and the web
//! app's settings page.
//!
//! Import maps each line to what the store keeps (the domain's [`JournalRun::to_activity`] and friends) and streams
//! the result into [`Store::import_journal_entries`], one transaction for the whole file; export reads the
//! athlete's runs, run context, pain reports and days back as lines. The store itself knows nothing of the format.
//!
//! The records beyond runs, pain and days (screens, assessments, plans, sessions, experiments, posture checks,
//! lessons) are few and small: import collects them while the store's transaction takes the runs, and applies
//! them once it has committed, each matched to the stored record with the same stable id (so importing twice
//! stores once). A bad line anywhere still keeps nothing, since the stream is read to its end before they are
//! applied; a failed write while applying them keeps what was applied before it, and importing again completes
//! it.

use crate::Result;
use jiff::Timestamp;
use jiff::civil::Date;
use runtall_domain::journal::RunContext;
use runtall_domain::journal_format::{Journal, JournalPain, JournalRun, LineError, Record};
use runtall_store::{ActivityFilter, ActivityRow, JournalEntry, JournalImportStats, Store};
use std::collections::HashMap;

/// What the store keeps for one run, pain or day line; the other kinds come back as they are, for the app to
/// apply itself (see `journal_others`).
fn entry(record: Record) -> Routed {
    Routed::Store(match record {
        Record::Run(r) => JournalEntry::Run {
            activity: Box::new(r.to_activity()),
            classification: r.classification(),
            // The store sets the run id of the run it matches or stores.
            context: r.context(0),
            samples_blob: None,
        },
        Record::Pain(p) => JournalEntry::Pain { report: p.to_report(None), run_key: p.run },
        Record::Day(d) => JournalEntry::Day(d),
        other => return Routed::App(Box::new(other)),
    })
}

/// Where a journal record is applied: by the store in its import transaction, or by the app afterwards.
enum Routed {
    Store(JournalEntry),
    App(Box<Record>),
}

/// Applies a stream of journal records (as `JsonlReader` or `CsvReader` read them) in one transaction: the first
/// bad line ([`runtall_store::StoreError::Journal`]) or failure keeps nothing. Memory does not grow with the
/// stream; a pain report may name a run that comes later in it.
pub fn import_records(
    store: &dyn Store,
    records: &mut dyn Iterator<Item = std::result::Result<Record, LineError>>,
) -> Result<JournalImportStats> {
    import_with(store, records, &mut |_| None)
}

/// [`import_records`], with `full` giving the whole activity (samples, laps, device) to store for a run key the
/// store does not hold yet, when the caller has it (a sync batch carries them); `None` stores the journal's
/// summary. The activity's samples may come already in the store's codec, checked with
/// `runtall_store::codec::scan` (a sync batch brings them so): they are stored as they are.
pub fn import_with(
    store: &dyn Store,
    records: &mut dyn Iterator<Item = std::result::Result<Record, LineError>>,
    full: &mut dyn FnMut(&str) -> Option<FullRun>,
) -> Result<JournalImportStats> {
    let mut others = Vec::new();
    let mut entries = records.filter_map(|r| match r {
        Ok(r) => {
            let mut e = match entry(r) {
                Routed::Store(e) => e,
                Routed::App(other) => {
                    others.push(*other);
                    return None;
                }
            };
            if let JournalEntry::Run { activity, samples_blob, .. } = &mut e
                && let Some((mut a, blob)) = full(&activity.source.content_hash)
            {
                // The line's context and label win; the activity brings what the line cannot carry.
                a.source.content_hash = activity.source.content_hash.clone();
                **activity = a;
                *samples_blob = blob;
            }
            Some(Ok(e))
        }
        Err(e) => Some(Err(e)),
    });
    let mut stats = store.import_journal_entries(&mut entries)?;
    drop(entries);
    crate::journal_others::apply(store, others, &mut stats)?;
    Ok(stats)
}

/// A run's whole activity for [`import_with`], with its samples in the store's codec when the caller has them
/// so (then `activity.samples` is not read).
pub type FullRun = (runtall_domain::activity::Activity, Option<Vec<u8>>);

/// Applies a whole, already validated journal (see [`import_records`]).
pub fn import(store: &dyn Store, journal: &Journal) -> Result<JournalImportStats> {
    import_records(store, &mut journal.records().map(Ok))
}

/// Everything the journal formats carry: runs (oldest first) with their context, pain reports naming their run
/// by key, and day logs.
pub fn export(store: &dyn Store) -> Result<Journal> {
    let mut rows = store.activities(&ActivityFilter::default())?;
    rows.reverse();
    let contexts: HashMap<i64, RunContext> = store.run_contexts()?.into_iter().map(|c| (c.run_id, c)).collect();
    let keys: HashMap<i64, String> = rows.iter().map(|r| (r.id, r.key.clone())).collect();
    let runs = rows
        .into_iter()
        .map(|r| {
            let context = contexts.get(&r.id);
            journal_run(r, context)
        })
        .collect();
    let pain = store
        .pain_reports(Timestamp::MIN, Timestamp::MAX)?
        .into_iter()
        .map(|p| JournalPain {
            at: p.at,
            timing: p.timing,
            region: p.region,
            intensity: p.intensity,
            run: p.run_id.and_then(|id| keys.get(&id).cloned()),
            notes: p.notes,
        })
        .collect();
    let days = store.day_logs(Date::MIN, Date::MAX)?;
    let mut journal = Journal { runs, pain, days, ..Journal::default() };
    crate::journal_others::export(store, &keys, &mut journal)?;
    Ok(journal)
}

/// The journal line of a stored run and its context.
fn journal_run(r: ActivityRow, c: Option<&RunContext>) -> JournalRun {
    JournalRun {
        key: r.key,
        start: r.start,
        sport: r.sport,
        label: r.label,
        distance_m: r.distance_m,
        moving_s: r.moving_s,
        elapsed_s: r.elapsed_s,
        name: r.name,
        pack: c.and_then(|c| c.pack),
        surface: c.and_then(|c| c.surface),
        ate_within_2h: c.and_then(|c| c.ate_within_2h),
        pre_run_done: c.and_then(|c| c.pre_run_done),
        post_run_done: c.and_then(|c| c.post_run_done),
        utc_offset_s: r.utc_offset_s,
        avg_hr_bpm: r.avg_hr_bpm,
    }
}
