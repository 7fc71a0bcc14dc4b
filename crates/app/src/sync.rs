//! Sync between a runner's local database and a clinic server: both halves of the protocol, over a
//! [`Store`] and bytes, with no HTTP inside (the CLI's `runtall sync` carries the bytes one way, the server's
//! `/api/sync` route the other). `docs/sync.md` describes the protocol and its conflict rules.
//!
//! The records travel as journal lines ([`Record`], JSON Lines) with their stable ids, so applying a batch twice
//! stores once. The client remembers, in its settings, the fingerprint of every record the server has
//! acknowledged (the cursor): a sync sends only the records that are new or changed since, in bounded batches;
//! a batch that was cut or never acknowledged is simply still "changed" next time, so a sync resumes where the
//! last acknowledged batch ended. A run the server has never seen travels with its whole activity (samples,
//! laps, device) in the same gzip-compressed batch.

use crate::{AppError, journal_file};
use jiff::Timestamp;
use runtall_domain::activity::Activity;
use runtall_domain::journal_format::{JsonlReader, LineError, Record};
use runtall_store::{JournalImportStats, Store};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};
use std::io::Read;

/// The protocol version both halves speak. A server answers a newer client's batch with
/// [`SyncError::Protocol`]; the client tells the runner to upgrade whichever side is older.
pub const PROTOCOL: u32 = 1;

/// The settings key the client keeps its sync state under.
pub const SETTING: &str = "sync";

/// Records per batch at most.
pub const BATCH_RECORDS: usize = 250;

/// Uncompressed bytes of activities per batch at most (one run longer than this travels alone).
pub const BATCH_ACTIVITY_BYTES: usize = 24 << 20;

/// The largest compressed batch a server accepts (its route's body limit).
pub const MAX_BATCH_BYTES: usize = 16 << 20;

/// The largest batch once decompressed: a gzip bomb stops here, in bounded memory.
pub const MAX_BATCH_INFLATED: u64 = 160 << 20;

#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    /// The other side speaks a newer protocol than this build.
    #[error(
        "the sync protocol of the other side is version {theirs}; this runtall speaks version {ours}: upgrade the older one"
    )]
    Protocol { theirs: u32, ours: u32 },
    /// The batch bytes are not a batch (cut in transfer, not gzip, not the expected JSON, too large).
    #[error("sync batch unusable: {0}; nothing of it was stored")]
    Body(String),
    /// A record of the batch breaks the journal's rules; nothing of the batch was stored.
    #[error("sync batch: {0}; nothing of it was stored")]
    Record(LineError),
    #[error(transparent)]
    App(#[from] AppError),
}

impl From<runtall_store::StoreError> for SyncError {
    fn from(e: runtall_store::StoreError) -> Self {
        match e {
            runtall_store::StoreError::Journal(line) => SyncError::Record(line),
            other => SyncError::App(AppError::Store(other)),
        }
    }
}

pub type Result<T> = std::result::Result<T, SyncError>;

/// What the client remembers between syncs (in the settings under [`SETTING`]).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct SyncState {
    /// The server last synced with (`runtall sync` remembers it).
    #[serde(default)]
    pub server: Option<String>,
    /// Fingerprint of every record the server acknowledged, by stable id: the cursor.
    #[serde(default)]
    pub acknowledged: BTreeMap<String, String>,
    /// When the last sync finished with nothing left to send.
    #[serde(default)]
    pub last_complete: Option<Timestamp>,
    /// Stable ids of clinician records received (program changes, notes), so each is applied once.
    #[serde(default)]
    pub received: Vec<String>,
}

impl SyncState {
    pub fn load(store: &dyn Store) -> Result<SyncState> {
        Ok(store
            .setting(SETTING)
            .map_err(AppError::from)?
            .and_then(|v| serde_json::from_value(v).ok())
            .unwrap_or_default())
    }

    pub fn save(&self, store: &dyn Store) -> Result<()> {
        let value = serde_json::to_value(self).map_err(|e| SyncError::Body(e.to_string()))?;
        store.put_setting(SETTING, &value).map_err(AppError::from)?;
        Ok(())
    }
}

/// One batch as it travels (gzip-compressed JSON).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Batch {
    pub protocol: u32,
    /// Journal lines, in the journal's export order (runs before the pain that names them).
    pub records: Vec<String>,
    /// Whole activities of runs the server has not acknowledged yet, keyed by the run's journal key.
    #[serde(default)]
    pub activities: Vec<Activity>,
}

/// The server's answer to a batch.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Ack {
    pub protocol: u32,
    /// Stable ids of the records applied (all of the batch: a batch is applied whole or not at all).
    pub applied: usize,
    pub stats: AckStats,
    /// Records the clinician made for this athlete (program changes, notes), as JSON documents with a stable
    /// `id`; the client applies each once. Empty until the clinic records exist on the server.
    #[serde(default)]
    pub inbox: Vec<serde_json::Value>,
}

/// What applying a batch did (the store's journal import figures).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AckStats {
    pub runs_added: usize,
    pub runs_matched: usize,
    pub pain_added: usize,
    pub pain_duplicates: usize,
    pub days: usize,
    pub others_added: usize,
    pub others_matched: usize,
}

impl From<JournalImportStats> for AckStats {
    fn from(s: JournalImportStats) -> Self {
        AckStats {
            runs_added: s.runs_added,
            runs_matched: s.runs_matched,
            pain_added: s.pain_added,
            pain_duplicates: s.pain_duplicates,
            days: s.days,
            others_added: s.others_added,
            others_matched: s.others_matched,
        }
    }
}

/// One record waiting to be sent: its stable id, the fingerprint acknowledging it will store, and the record.
#[derive(Debug, Clone)]
pub struct Pending {
    pub id: String,
    pub fingerprint: String,
    pub record: Record,
    /// Whether the server has never acknowledged this record (a new run travels with its activity).
    pub new: bool,
}

/// What the client has to send: every record new or changed since the last acknowledgement, cut into batches.
#[derive(Debug, Clone, Default)]
pub struct Outgoing {
    pub batches: Vec<Vec<Pending>>,
    /// Records in the journal, sent or not.
    pub total_records: usize,
}

impl Outgoing {
    pub fn pending_records(&self) -> usize {
        self.batches.iter().map(Vec::len).sum()
    }
}

/// How big a batch may grow.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BatchLimits {
    pub records: usize,
    pub activity_bytes: usize,
}

impl Default for BatchLimits {
    fn default() -> Self {
        BatchLimits { records: BATCH_RECORDS, activity_bytes: BATCH_ACTIVITY_BYTES }
    }
}

/// Client half, step 1: the records that changed since the last acknowledged cursor, in batches of at most
/// [`BATCH_RECORDS`] records and about [`BATCH_ACTIVITY_BYTES`] of new runs' activities.
pub fn outgoing(store: &dyn Store) -> Result<Outgoing> {
    outgoing_in(store, BatchLimits::default())
}

/// [`outgoing`] with other batch limits (smaller batches for a slow link, or for tests).
pub fn outgoing_in(store: &dyn Store, limits: BatchLimits) -> Result<Outgoing> {
    let limits = BatchLimits { records: limits.records.clamp(1, BATCH_RECORDS), ..limits };
    let state = SyncState::load(store)?;
    let journal = journal_file::export(store)?;
    // Runs stored with an activity of their own (not only a journal line) travel with it when new.
    let with_activity: std::collections::HashSet<String> = store
        .activities(&Default::default())
        .map_err(AppError::from)?
        .into_iter()
        .filter(|r| r.source_path != runtall_domain::journal_format::JOURNAL_SOURCE)
        .map(|r| r.key)
        .collect();
    let mut out = Outgoing::default();
    let mut batch: Vec<Pending> = Vec::new();
    let mut activity_bytes = 0usize;
    for record in journal.records() {
        out.total_records += 1;
        let id = record.stable_id();
        let fingerprint = crate::journal_others::fingerprint(&record.to_jsonl_line());
        let known = state.acknowledged.get(&id);
        if known == Some(&fingerprint) {
            continue;
        }
        let new = known.is_none();
        if let (true, Record::Run(r)) = (new, &record)
            && with_activity.contains(&r.key)
        {
            // Samples dominate a batch's size: about 8 columns of 8 bytes per sample once decoded.
            let estimate = (r.elapsed_s.max(0.0) as usize + 1) * 64;
            if activity_bytes + estimate > limits.activity_bytes && !batch.is_empty() {
                out.batches.push(std::mem::take(&mut batch));
                activity_bytes = 0;
            }
            activity_bytes += estimate;
        }
        batch.push(Pending { id, fingerprint, record, new });
        if batch.len() >= limits.records {
            out.batches.push(std::mem::take(&mut batch));
            activity_bytes = 0;
        }
    }
    if !batch.is_empty() {
        out.batches.push(batch);
    }
    Ok(out)
}

/// Client half, step 2: the bytes of one batch, with the whole activity of every new run in it.
pub fn encode_batch(store: &dyn Store, batch: &[Pending]) -> Result<Vec<u8>> {
    let new_runs: std::collections::HashSet<&str> = batch
        .iter()
        .filter(|p| p.new)
        .filter_map(|p| match &p.record {
            Record::Run(r) => Some(r.key.as_str()),
            _ => None,
        })
        .collect();
    let mut activities = Vec::new();
    if !new_runs.is_empty() {
        for row in store.activities(&Default::default()).map_err(AppError::from)? {
            if new_runs.contains(row.key.as_str())
                && let Some(stored) = store.activity(row.id).map_err(AppError::from)?
            {
                activities.push(stored.activity);
            }
        }
    }
    let body =
        Batch { protocol: PROTOCOL, records: batch.iter().map(|p| p.record.to_jsonl_line()).collect(), activities };
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    serde_json::to_writer(&mut gz, &body).map_err(|e| SyncError::Body(e.to_string()))?;
    gz.finish().map_err(|e| SyncError::Body(e.to_string()))
}

/// Client half, step 3: the server acknowledged `batch`; its records' fingerprints become the cursor. Saved at
/// once, so a sync cut after this point resumes after this batch.
pub fn acknowledge(store: &dyn Store, server: &str, batch: &[Pending]) -> Result<()> {
    let mut state = SyncState::load(store)?;
    state.server = Some(server.to_string());
    for p in batch {
        state.acknowledged.insert(p.id.clone(), p.fingerprint.clone());
    }
    state.save(store)
}

/// Client half, last step: nothing was left to send.
pub fn finish(store: &dyn Store, server: &str, now: Timestamp) -> Result<()> {
    let mut state = SyncState::load(store)?;
    state.server = Some(server.to_string());
    state.last_complete = Some(now);
    state.save(store)
}

/// Server half: applies one batch to the athlete's store, all or nothing, and answers with an acknowledgement.
/// Applying the same batch again changes nothing (records are matched by their stable ids).
pub fn apply_batch(store: &dyn Store, body: &[u8], now: Timestamp) -> Result<Ack> {
    if body.len() > MAX_BATCH_BYTES {
        return Err(SyncError::Body(format!("{} bytes is over the {MAX_BATCH_BYTES}-byte limit", body.len())));
    }
    let mut text = Vec::new();
    flate2::read::GzDecoder::new(body)
        .take(MAX_BATCH_INFLATED + 1)
        .read_to_end(&mut text)
        .map_err(|e| SyncError::Body(format!("not a complete gzip stream ({e})")))?;
    if text.len() as u64 > MAX_BATCH_INFLATED {
        return Err(SyncError::Body(format!("more than {MAX_BATCH_INFLATED} bytes once decompressed")));
    }
    // The protocol first, so a newer client hears "upgrade" rather than a parse error.
    #[derive(Deserialize)]
    struct Version {
        protocol: u32,
    }
    let version: Version =
        serde_json::from_slice(&text).map_err(|e| SyncError::Body(format!("not a sync batch ({e})")))?;
    if version.protocol > PROTOCOL {
        return Err(SyncError::Protocol { theirs: version.protocol, ours: PROTOCOL });
    }
    let batch: Batch = serde_json::from_slice(&text).map_err(|e| SyncError::Body(format!("not a sync batch ({e})")))?;
    drop(text);
    let mut lines = Vec::with_capacity(batch.records.len() * 200);
    for r in &batch.records {
        if r.contains('\n') {
            return Err(SyncError::Body("a record spans more than one line".into()));
        }
        lines.extend_from_slice(r.as_bytes());
        lines.push(b'\n');
    }
    let mut activities: HashMap<String, Activity> =
        batch.activities.into_iter().map(|a| (a.source.content_hash.clone(), a)).collect();
    let mut reader = JsonlReader::part("sync batch", lines.as_slice(), now);
    let stats =
        journal_file::import_with(store, &mut reader, &mut |key| activities.remove(key)).map_err(|e| match e {
            AppError::Store(s) => SyncError::from(s),
            other => SyncError::App(other),
        })?;
    Ok(Ack { protocol: PROTOCOL, applied: batch.records.len(), stats: stats.into(), inbox: vec![] })
}

/// Reads an acknowledgement the server sent (JSON).
pub fn decode_ack(bytes: &[u8]) -> Result<Ack> {
    #[derive(Deserialize)]
    struct Version {
        protocol: u32,
    }
    let v: Version = serde_json::from_slice(bytes)
        .map_err(|e| SyncError::Body(format!("the server's answer is not a sync acknowledgement ({e})")))?;
    if v.protocol > PROTOCOL {
        return Err(SyncError::Protocol { theirs: v.protocol, ours: PROTOCOL });
    }
    serde_json::from_slice(bytes)
        .map_err(|e| SyncError::Body(format!("the server's answer is not a sync acknowledgement ({e})")))
}

/// Makes the acknowledgement's bytes (JSON).
pub fn encode_ack(ack: &Ack) -> Vec<u8> {
    serde_json::to_vec(ack).unwrap_or_default()
}
