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
use runtall_domain::clinic::{Comment, ProgramChange};
use runtall_domain::journal_format::{JsonlReader, LineError, Record};
use runtall_store::{JournalImportStats, Store};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};
use std::io::Read;

/// The protocol version both halves speak. A server answers a newer client's batch with
/// [`SyncError::Protocol`]; the client tells the runner to upgrade whichever side is older. Version 2 added
/// deletions (both ways) and the pull of what the athlete made on the server; a version-2 server still takes a
/// version-1 client's batches.
pub const PROTOCOL: u32 = 2;

/// The settings key a server keeps its own sync state under, per athlete ([`ServerState`]).
pub const SERVER_SETTING: &str = "sync_server";

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
}

impl SyncState {
    pub fn load(store: &dyn Store) -> Result<SyncState> {
        load_setting(store, SETTING)
    }

    pub fn save(&self, store: &dyn Store) -> Result<()> {
        save_setting(store, SETTING, self)
    }
}

/// A sync state kept in the athlete's settings; an unreadable one counts as none (sending again is safe).
fn load_setting<T: serde::de::DeserializeOwned + Default>(store: &dyn Store, key: &str) -> Result<T> {
    Ok(store.setting(key).map_err(AppError::from)?.and_then(|v| serde_json::from_value(v).ok()).unwrap_or_default())
}

fn save_setting<T: Serialize>(store: &dyn Store, key: &str, state: &T) -> Result<()> {
    let value = serde_json::to_value(state).map_err(|e| SyncError::Body(e.to_string()))?;
    store.put_setting(key, &value).map_err(AppError::from)?;
    Ok(())
}

/// Gzip of `parts`, one after the other, at the fastest level (the samples inside are compact already).
fn gzip(parts: &[&[u8]]) -> Result<Vec<u8>> {
    use std::io::Write;
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    for part in parts {
        gz.write_all(part).map_err(|e| SyncError::Body(e.to_string()))?;
    }
    gz.finish().map_err(|e| SyncError::Body(e.to_string()))
}

/// The bytes of a gzip body, refused past [`MAX_BATCH_BYTES`] compressed or [`MAX_BATCH_INFLATED`] once
/// decompressed (a gzip bomb stops there, in bounded memory).
fn gunzip(body: &[u8]) -> Result<Vec<u8>> {
    if body.len() > MAX_BATCH_BYTES {
        return Err(SyncError::Body(format!("{} bytes is over the {MAX_BATCH_BYTES}-byte limit", body.len())));
    }
    let mut data = Vec::new();
    flate2::read::GzDecoder::new(body)
        .take(MAX_BATCH_INFLATED + 1)
        .read_to_end(&mut data)
        .map_err(|e| SyncError::Body(format!("not a complete gzip stream ({e})")))?;
    if data.len() as u64 > MAX_BATCH_INFLATED {
        return Err(SyncError::Body(format!("more than {MAX_BATCH_INFLATED} bytes once decompressed")));
    }
    Ok(data)
}

/// Reads a JSON document of the protocol, its `protocol` first, so a newer peer hears "upgrade" rather than a
/// parse error about fields this build does not know. `not_it` is the error's words ("not a sync batch").
fn parse_versioned<T: serde::de::DeserializeOwned>(json: &[u8], not_it: &str) -> Result<T> {
    #[derive(Deserialize)]
    struct Version {
        protocol: u32,
    }
    let version: Version = serde_json::from_slice(json).map_err(|e| SyncError::Body(format!("{not_it} ({e})")))?;
    if version.protocol > PROTOCOL {
        return Err(SyncError::Protocol { theirs: version.protocol, ours: PROTOCOL });
    }
    serde_json::from_slice(json).map_err(|e| SyncError::Body(format!("{not_it} ({e})")))
}

/// One batch. On the wire (see [`Batch::encode`]) it is gzip of the [`MAGIC`] line, the length of a JSON header,
/// the header (this struct, with the activities' samples left out) and each activity's samples in the store's
/// compact codec (`runtall_store::codec`, about 46 KB for an hour at 1 Hz against 355 KB as JSON).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Batch {
    pub protocol: u32,
    /// Journal lines, in the journal's export order (runs before the pain that names them).
    pub records: Vec<String>,
    /// Whole activities of runs the server has not acknowledged yet, keyed by the run's journal key
    /// (`source.content_hash`).
    #[serde(default)]
    pub activities: Vec<Activity>,
    /// On the wire: the byte length of each activity's sample blob, in order.
    #[serde(default)]
    pub sample_bytes: Vec<u64>,
    /// Each activity's samples in the store's codec, in order, when the sender has them so (a client reads them
    /// from its store as they are; [`Batch::decode`] gives them so, checked). An activity past the end of this
    /// list has its `samples` encoded instead.
    #[serde(skip)]
    pub sample_blobs: Vec<Vec<u8>>,
    /// The client wants the clinician's records in the acknowledgement (it asks on the last batch of a sync).
    #[serde(default)]
    pub want_inbox: bool,
    /// Stable ids of records deleted on the sending side that the other side holds (tombstones). A client's first
    /// batch carries the records the runner deleted since the last sync; a pull's answer the records deleted on
    /// the server. Applied before the batch's records.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub deleted: Vec<String>,
    /// In a pull's answer: more is waiting (the answer stopped at the batch limits); pull again.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub more: bool,
}

/// The first bytes of a decompressed batch.
pub const MAGIC: &[u8; 8] = b"RTSYNC1\n";

impl Batch {
    /// The batch's bytes: gzip of magic, header length (8 bytes, little-endian), JSON header, sample blobs.
    pub fn encode(mut self) -> Result<Vec<u8>> {
        let mut blobs = std::mem::take(&mut self.sample_blobs);
        for a in self.activities.iter_mut().skip(blobs.len()) {
            blobs.push(runtall_store::codec::encode(&std::mem::take(&mut a.samples)));
        }
        blobs.truncate(self.activities.len());
        self.sample_bytes = blobs.iter().map(|b| b.len() as u64).collect();
        let header = serde_json::to_vec(&self).map_err(|e| SyncError::Body(e.to_string()))?;
        let length = (header.len() as u64).to_le_bytes();
        let mut parts: Vec<&[u8]> = vec![MAGIC, &length, &header];
        parts.extend(blobs.iter().map(Vec::as_slice));
        gzip(&parts)
    }

    /// Reads a batch's bytes in bounded memory: the protocol is checked before the rest of the header is read, so
    /// a newer client hears "upgrade" rather than a parse error. Each activity's samples are checked with the
    /// codec's [`scan`](runtall_store::codec::scan) (damaged, or more than [`MAX_SAMPLES`]) and kept in
    /// `sample_blobs` as they came, for the store to keep as they are.
    pub fn decode(body: &[u8]) -> Result<Batch> {
        let data = gunzip(body)?;
        let rest = data
            .strip_prefix(MAGIC.as_slice())
            .ok_or_else(|| SyncError::Body("not a runtall sync batch (no RTSYNC header)".into()))?;
        let (len, rest) = rest.split_at_checked(8).ok_or_else(|| SyncError::Body("the header is cut".into()))?;
        let len = u64::from_le_bytes(len.try_into().unwrap_or_default());
        let (header, mut blobs) = usize::try_from(len)
            .ok()
            .and_then(|len| rest.split_at_checked(len))
            .ok_or_else(|| SyncError::Body("the header is cut".into()))?;
        let mut batch: Batch = parse_versioned(header, "not a sync batch")?;
        if batch.sample_bytes.len() != batch.activities.len() {
            return Err(SyncError::Body("one sample length per activity expected".into()));
        }
        for (a, &n) in batch.activities.iter_mut().zip(&batch.sample_bytes) {
            let key = &a.source.content_hash;
            let (blob, next) = usize::try_from(n)
                .ok()
                .and_then(|n| blobs.split_at_checked(n))
                .ok_or_else(|| SyncError::Body(format!("run {key}: its samples are cut")))?;
            let samples = runtall_store::codec::scan(blob)
                .map_err(|e| SyncError::Body(format!("run {key}: samples unusable ({e})")))?;
            if samples > MAX_SAMPLES {
                return Err(SyncError::Body(format!("run {key}: {samples} samples (at most {MAX_SAMPLES})")));
            }
            // The header's own samples, if a sender put any there, are not what is stored: the blob is.
            a.samples = Default::default();
            batch.sample_blobs.push(blob.to_vec());
            blobs = next;
        }
        if !blobs.is_empty() {
            return Err(SyncError::Body(format!("{} bytes after the last activity's samples", blobs.len())));
        }
        Ok(batch)
    }
}

/// The server's answer to a batch.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Ack {
    pub protocol: u32,
    /// Stable ids of the records applied (all of the batch: a batch is applied whole or not at all).
    pub applied: usize,
    pub stats: AckStats,
    /// How many of the batch's deletions removed a record the server held (the others were gone already).
    #[serde(default)]
    pub deleted: usize,
    /// What the athlete's clinicians made for them, when the batch asked for it.
    #[serde(default)]
    pub inbox: Inbox,
}

/// The clinician's records for one athlete: program changes (exercises off or on, doses, notes for Today,
/// retirements) and comments on runs and reports. Each has a stable key, so the client stores each once however
/// often it receives it; they are few, so the server sends them all.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Inbox {
    #[serde(default)]
    pub program_changes: Vec<ProgramChange>,
    #[serde(default)]
    pub comments: Vec<Comment>,
}

/// What the client stored of an inbox.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Received {
    pub program_changes: usize,
    pub comments: usize,
}

/// Server half: the clinician's records for the athlete of `store`.
pub fn inbox_for(store: &dyn Store) -> Result<Inbox> {
    Ok(Inbox {
        program_changes: store.program_changes().map_err(AppError::from)?,
        comments: store.comments().map_err(AppError::from)?,
    })
}

/// Client half: stores the clinician's records not stored yet (matched by key; a stored change is never
/// altered). The plan engine applies the changes within what the safety gate allows, as on the server.
pub fn receive(store: &dyn Store, inbox: &Inbox) -> Result<Received> {
    let mut received = Received::default();
    for change in &inbox.program_changes {
        if store.add_program_change(change).map_err(AppError::from)? {
            received.program_changes += 1;
        }
    }
    for comment in &inbox.comments {
        if store.add_comment(comment).map_err(AppError::from)? {
            received.comments += 1;
        }
    }
    Ok(received)
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
    /// For a new run stored with an activity of its own: the activity's row id, to send it whole.
    pub activity: Option<i64>,
}

/// What the client has to send: every record new or changed since the last acknowledgement, cut into batches.
#[derive(Debug, Clone, Default)]
pub struct Outgoing {
    pub batches: Vec<Vec<Pending>>,
    /// Records in the journal, sent or not.
    pub total_records: usize,
    /// Stable ids of records the server acknowledged that are no longer in the runner's journal: the runner
    /// deleted them. They travel in the first batch (before records that may have changed because of them, such
    /// as a pain report no longer linked to a deleted run).
    pub deleted: Vec<String>,
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

/// The runs stored with an activity of their own (samples, laps: not only a journal line), by journal key: they
/// travel with it to a side that does not hold them yet.
fn runs_with_activity(store: &dyn Store) -> Result<HashMap<String, i64>> {
    Ok(store
        .activities(&Default::default())
        .map_err(AppError::from)?
        .into_iter()
        .filter(|r| r.source_path != runtall_domain::journal_format::JOURNAL_SOURCE)
        .map(|r| (r.key, r.id))
        .collect())
}

/// About how many bytes a run's decoded samples take: about 8 columns of 8 bytes per second. Samples dominate a
/// batch's size; the estimate bounds a batch without reading the run.
fn activity_estimate(r: &runtall_domain::journal_format::JournalRun) -> usize {
    (r.elapsed_s.max(0.0) as usize + 1) * 64
}

/// [`outgoing`] with other batch limits (smaller batches for a slow link, or for tests).
pub fn outgoing_in(store: &dyn Store, limits: BatchLimits) -> Result<Outgoing> {
    let limits = BatchLimits { records: limits.records.clamp(1, BATCH_RECORDS), ..limits };
    let state = SyncState::load(store)?;
    let journal = journal_file::export(store)?;
    let with_activity = runs_with_activity(store)?;
    let mut out = Outgoing::default();
    let mut batch: Vec<Pending> = Vec::new();
    let mut activity_bytes = 0usize;
    let mut present = std::collections::HashSet::new();
    for record in journal.records() {
        out.total_records += 1;
        let id = record.stable_id();
        present.insert(id.clone());
        let fingerprint = crate::journal_others::fingerprint(&record.to_jsonl_line());
        let known = state.acknowledged.get(&id);
        if known == Some(&fingerprint) {
            continue;
        }
        let new = known.is_none();
        let mut activity = None;
        if let (true, Record::Run(r)) = (new, &record)
            && let Some(&id) = with_activity.get(&r.key)
        {
            activity = Some(id);
            let estimate = activity_estimate(r);
            if activity_bytes + estimate > limits.activity_bytes && !batch.is_empty() {
                out.batches.push(std::mem::take(&mut batch));
                activity_bytes = 0;
            }
            activity_bytes += estimate;
        }
        batch.push(Pending { id, fingerprint, record, new, activity });
        if batch.len() >= limits.records {
            out.batches.push(std::mem::take(&mut batch));
            activity_bytes = 0;
        }
    }
    if !batch.is_empty() {
        out.batches.push(batch);
    }
    out.deleted = state.acknowledged.keys().filter(|id| !present.contains(*id)).cloned().collect();
    Ok(out)
}

/// Client half, step 2: the bytes of one batch, with the whole activity of every new run in it. `last` asks the
/// server for the clinician's records in its answer (a sync with nothing to send sends one empty, last batch);
/// `deleted` are the runner's deletions ([`Outgoing::deleted`], in the first batch only).
/// The samples go as the store keeps them, in its codec: never decoded here.
pub fn encode_batch(store: &dyn Store, batch: &[Pending], last: bool, deleted: &[String]) -> Result<Vec<u8>> {
    let mut activities = Vec::new();
    let mut sample_blobs = Vec::new();
    for id in batch.iter().filter(|p| p.new).filter_map(|p| p.activity) {
        if let Some(stored) = store.activity_encoded(id).map_err(AppError::from)? {
            activities.push(stored.activity);
            sample_blobs.push(stored.samples_blob);
        }
    }
    Batch {
        protocol: PROTOCOL,
        records: batch.iter().map(|p| p.record.to_jsonl_line()).collect(),
        activities,
        sample_bytes: vec![],
        sample_blobs,
        want_inbox: last,
        deleted: deleted.to_vec(),
        more: false,
    }
    .encode()
}

/// Client half, step 3: the server acknowledged `batch` (and the `deleted` it carried); its records'
/// fingerprints become the cursor, and the deleted records leave it. Saved at once, so a sync cut after this
/// point resumes after this batch.
pub fn acknowledge(store: &dyn Store, server: &str, batch: &[Pending], deleted: &[String]) -> Result<()> {
    let mut state = SyncState::load(store)?;
    state.server = Some(server.to_string());
    for p in batch {
        state.acknowledged.insert(p.id.clone(), p.fingerprint.clone());
    }
    for id in deleted {
        state.acknowledged.remove(id);
    }
    state.save(store)
}

/// Why the client forgot its cursor before a sync.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Restart {
    /// The cursor was about another server: this one has acknowledged nothing yet.
    OtherServer,
    /// The server holds fewer of the athlete's runs than it acknowledged (restored from a backup, or the account
    /// was deleted and made again): everything is sent again, and what it still holds is matched, not doubled.
    ServerLostRecords,
}

/// Client half, step 0: starts over when the cursor cannot be trusted for `server`, which says it holds
/// `server_runs` of the athlete's runs. Sending again is safe (stable ids), trusting a wrong cursor is not.
pub fn check_cursor(store: &dyn Store, server: &str, server_runs: Option<usize>) -> Result<Option<Restart>> {
    let mut state = SyncState::load(store)?;
    if state.acknowledged.is_empty() {
        return Ok(None);
    }
    let restart = if state.server.as_deref() != Some(server) {
        Some(Restart::OtherServer)
    } else {
        let acknowledged_runs = state.acknowledged.keys().filter(|id| id.starts_with("run:")).count();
        server_runs.filter(|&n| n < acknowledged_runs).map(|_| Restart::ServerLostRecords)
    };
    if restart.is_some() {
        state.acknowledged.clear();
        state.last_complete = None;
        state.server = Some(server.to_string());
        state.save(store)?;
    }
    Ok(restart)
}

/// Server half of the hello: what the client needs to trust its cursor.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Hello {
    pub protocol: u32,
    /// How many of the athlete's runs the server holds, or knows were deleted (on the server, or by one of the
    /// athlete's devices): a device's cursor never names more runs than that unless the server lost some.
    #[serde(default)]
    pub runs: Option<usize>,
}

/// The server's hello for the athlete of `store`.
pub fn hello(store: &dyn Store) -> Result<Hello> {
    let keys: std::collections::HashSet<String> =
        store.activities(&Default::default()).map_err(AppError::from)?.into_iter().map(|r| r.key).collect();
    let state = ServerState::load(store)?;
    let gone: std::collections::HashSet<&str> = state
        .deleted
        .keys()
        .chain(&state.held)
        .filter_map(|id| id.strip_prefix("run:"))
        .filter(|key| !keys.contains(*key))
        .collect();
    Ok(Hello { protocol: PROTOCOL, runs: Some(keys.len() + gone.len()) })
}

/// What a server remembers per athlete for sync (in the athlete's settings under [`SERVER_SETTING`]), so that
/// records deleted on the server reach the athlete's devices: a device deletes only what the server says was
/// deleted, never what it merely does not find (a server restored from a backup must not empty a runner's
/// machine).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ServerState {
    /// Stable ids of the records the server held when it last answered a pull: what devices may hold.
    #[serde(default)]
    pub held: std::collections::BTreeSet<String>,
    /// Records deleted since a device may have received them — in the browser, or by a device's sync — and
    /// when. A device that holds one deletes it at its next pull; a record stored again under the same id (a
    /// runner's edit, a file imported again) leaves this list.
    #[serde(default)]
    pub deleted: BTreeMap<String, Timestamp>,
}

impl ServerState {
    pub fn load(store: &dyn Store) -> Result<ServerState> {
        load_setting(store, SERVER_SETTING)
    }

    pub fn save(&self, store: &dyn Store) -> Result<()> {
        save_setting(store, SERVER_SETTING, self)
    }

    /// Brings the state up to date with the records the server holds now (`current`): what devices were told
    /// of and is gone was deleted; what is back is not deleted any more.
    fn catch_up(&mut self, current: &std::collections::HashSet<String>, now: Timestamp) {
        for id in self.held.iter().filter(|id| !current.contains(*id)) {
            self.deleted.entry(id.clone()).or_insert(now);
        }
        self.deleted.retain(|id, _| !current.contains(id));
    }
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
    let batch = Batch::decode(body)?;
    let (applied, want_inbox, deleted_ids) = (batch.records.len(), batch.want_inbox, batch.deleted.clone());
    let (stats, deleted, _) = apply(store, batch, now)?;
    if !deleted_ids.is_empty() {
        // The athlete's other devices learn of these deletions at their next pull.
        let mut state = ServerState::load(store)?;
        for id in deleted_ids {
            state.held.remove(&id);
            state.deleted.entry(id).or_insert(now);
        }
        state.save(store)?;
    }
    let inbox = if want_inbox { inbox_for(store)? } else { Inbox::default() };
    Ok(Ack { protocol: PROTOCOL, applied, stats: stats.into(), deleted, inbox })
}

/// Applies a decoded batch to `store`, on either side: every record is read and checked by the journal's rules
/// first (a bad one keeps nothing), then the deletions, then the records (one store transaction) with the
/// activities of new runs, their samples stored as they came. Returns the import figures, how many records were
/// deleted and the stable id of each record, in order.
fn apply(store: &dyn Store, batch: Batch, now: Timestamp) -> Result<(JournalImportStats, usize, Vec<String>)> {
    let mut lines = Vec::with_capacity(batch.records.len() * 200);
    for r in &batch.records {
        if r.contains('\n') {
            return Err(SyncError::Body("a record spans more than one line".into()));
        }
        lines.extend_from_slice(r.as_bytes());
        lines.push(b'\n');
    }
    let records: Vec<Record> = JsonlReader::part("sync batch", lines.as_slice(), now)
        .collect::<std::result::Result<_, LineError>>()
        .map_err(SyncError::Record)?;
    let ids = records.iter().map(Record::stable_id).collect();
    // Deletions first: a pain report that was linked to a deleted run arrives unlinked and must match the
    // stored report once that run is gone.
    let deleted = crate::journal_others::delete(store, &batch.deleted)?;
    // A pain report is one record by its time, place and timing: a changed copy replaces the stored one.
    crate::journal_others::clear_replaced_pain(store, &records)?;
    // Decoding checked every sample blob (whole, at most MAX_SAMPLES): they are stored as they came.
    let mut activities: HashMap<String, (Activity, Option<Vec<u8>>)> = batch
        .activities
        .into_iter()
        .zip(batch.sample_blobs.into_iter().map(Some))
        .map(|(a, blob)| (a.source.content_hash.clone(), (a, blob)))
        .collect();
    let stats = journal_file::import_with(store, &mut records.into_iter().map(Ok), &mut |key| activities.remove(key))
        .map_err(|e| match e {
        AppError::Store(s) => SyncError::from(s),
        other => SyncError::App(other),
    })?;
    Ok((stats, deleted, ids))
}

/// What a client sends to pull: the fingerprint of every record it holds as the server last had it (its
/// cursor). The server answers with what differs.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct PullRequest {
    pub protocol: u32,
    #[serde(default)]
    pub known: BTreeMap<String, String>,
}

/// Client half, after the last batch: the body of a pull (gzip of the [`PullRequest`] JSON).
pub fn pull_request(store: &dyn Store) -> Result<Vec<u8>> {
    let state = SyncState::load(store)?;
    let json = serde_json::to_vec(&PullRequest { protocol: PROTOCOL, known: state.acknowledged })
        .map_err(|e| SyncError::Body(e.to_string()))?;
    gzip(&[&json])
}

/// Server half of a pull: the athlete's records the client does not hold as the server holds them — made or
/// changed in the browser, or by another of the athlete's devices — with the whole activity of runs new to the
/// client, and the records deleted on the server that the client holds. A batch in the usual format (at most
/// [`BATCH_RECORDS`] records and about [`BATCH_ACTIVITY_BYTES`] of activities; `more` says to pull again).
pub fn answer_pull(store: &dyn Store, body: &[u8], now: Timestamp) -> Result<Vec<u8>> {
    answer_pull_in(store, body, now, BatchLimits::default())
}

/// [`answer_pull`] with other batch limits (for tests).
pub fn answer_pull_in(store: &dyn Store, body: &[u8], now: Timestamp, limits: BatchLimits) -> Result<Vec<u8>> {
    let request = decode_pull_request(body)?;
    let limits = BatchLimits { records: limits.records.clamp(1, BATCH_RECORDS), ..limits };
    let journal = journal_file::export(store)?;
    let with_activity = runs_with_activity(store)?;
    let mut current = std::collections::HashSet::new();
    let (mut records, mut activities, mut sample_blobs) = (Vec::new(), Vec::new(), Vec::new());
    let (mut activity_bytes, mut more) = (0usize, false);
    for record in journal.records() {
        let id = record.stable_id();
        current.insert(id.clone());
        if more {
            continue;
        }
        let line = record.to_jsonl_line();
        let known = request.known.get(&id);
        if known.is_some_and(|fp| *fp == crate::journal_others::fingerprint(&line)) {
            continue;
        }
        if records.len() >= limits.records {
            more = true;
            continue;
        }
        if let (None, Record::Run(r)) = (known, &record)
            && let Some(&row) = with_activity.get(&r.key)
        {
            let estimate = activity_estimate(r);
            if activity_bytes + estimate > limits.activity_bytes && !records.is_empty() {
                more = true;
                continue;
            }
            if let Some(a) = store.activity_encoded(row).map_err(AppError::from)? {
                activity_bytes += estimate;
                activities.push(a.activity);
                sample_blobs.push(a.samples_blob);
            }
        }
        records.push(line);
    }
    let mut state = ServerState::load(store)?;
    state.catch_up(&current, now);
    let deleted = state.deleted.keys().filter(|id| request.known.contains_key(*id)).cloned().collect();
    state.held = current.into_iter().collect();
    state.save(store)?;
    Batch {
        protocol: PROTOCOL,
        records,
        activities,
        sample_bytes: vec![],
        sample_blobs,
        want_inbox: false,
        deleted,
        more,
    }
    .encode()
}

/// Reads a pull's body in bounded memory, protocol first.
fn decode_pull_request(body: &[u8]) -> Result<PullRequest> {
    parse_versioned(&gunzip(body)?, "not a pull request")
}

/// What a pull brought to the runner's machine.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Pulled {
    /// Records received (new, or changed on the server).
    pub records: usize,
    pub stats: AckStats,
    /// Records deleted here because they were deleted on the server.
    pub deleted: usize,
    /// The server has more: pull again.
    pub more: bool,
}

/// Client half of a pull: stores what the server sent, deletes what it deleted, and records each received record
/// in the cursor as the server holds it, so it is neither sent back up nor pulled again. Applying the same answer
/// twice changes nothing.
pub fn apply_pull(store: &dyn Store, body: &[u8], now: Timestamp) -> Result<Pulled> {
    let batch = Batch::decode(body)?;
    let mut state = SyncState::load(store)?;
    // Only what this machine received from the server (it is in the cursor) is deleted; and never on the word
    // of absence alone.
    let deleted_ids: Vec<String> =
        batch.deleted.iter().filter(|id| state.acknowledged.contains_key(*id)).cloned().collect();
    // The cursor keeps the fingerprint of each line as the server sent it: the server's version.
    let fingerprints: Vec<String> = batch.records.iter().map(|l| crate::journal_others::fingerprint(l)).collect();
    let more = batch.more;
    let records = batch.records.len();
    let batch = Batch { deleted: deleted_ids.clone(), ..batch };
    let (stats, deleted, ids) = apply(store, batch, now)?;
    for id in &deleted_ids {
        state.acknowledged.remove(id);
    }
    state.acknowledged.extend(ids.into_iter().zip(fingerprints));
    state.save(store)?;
    Ok(Pulled { records, stats: stats.into(), deleted, more })
}

/// Most samples one activity may bring: two days at one per second. (The codec itself makes every column as
/// long as the time column, with finite values, so a blob that scans is one the charts can index.)
pub const MAX_SAMPLES: usize = 172_800;

/// Reads an acknowledgement the server sent (JSON).
pub fn decode_ack(bytes: &[u8]) -> Result<Ack> {
    parse_versioned(bytes, "the server's answer is not a sync acknowledgement")
}

/// Makes the acknowledgement's bytes (JSON).
pub fn encode_ack(ack: &Ack) -> Vec<u8> {
    serde_json::to_vec(ack).unwrap_or_default()
}
