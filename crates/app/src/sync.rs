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
}

/// The first bytes of a decompressed batch.
pub const MAGIC: &[u8; 8] = b"RTSYNC1\n";

impl Batch {
    /// The batch's bytes: gzip of magic, header length (8 bytes, little-endian), JSON header, sample blobs.
    pub fn encode(mut self) -> Result<Vec<u8>> {
        use std::io::Write;
        let mut blobs = std::mem::take(&mut self.sample_blobs);
        for a in self.activities.iter_mut().skip(blobs.len()) {
            blobs.push(runtall_store::codec::encode(&std::mem::take(&mut a.samples)));
        }
        blobs.truncate(self.activities.len());
        self.sample_bytes = blobs.iter().map(|b| b.len() as u64).collect();
        let header = serde_json::to_vec(&self).map_err(|e| SyncError::Body(e.to_string()))?;
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        let write = |gz: &mut flate2::write::GzEncoder<Vec<u8>>| -> std::io::Result<()> {
            gz.write_all(MAGIC)?;
            gz.write_all(&(header.len() as u64).to_le_bytes())?;
            gz.write_all(&header)?;
            for b in &blobs {
                gz.write_all(b)?;
            }
            Ok(())
        };
        write(&mut gz).map_err(|e| SyncError::Body(e.to_string()))?;
        gz.finish().map_err(|e| SyncError::Body(e.to_string()))
    }

    /// Reads a batch's bytes in bounded memory: the protocol is checked before the rest of the header is read, so
    /// a newer client hears "upgrade" rather than a parse error. Each activity's samples are checked with the
    /// codec's [`scan`](runtall_store::codec::scan) (damaged, or more than [`MAX_SAMPLES`]) and kept in
    /// `sample_blobs` as they came, for the store to keep as they are.
    pub fn decode(body: &[u8]) -> Result<Batch> {
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
        let rest = data
            .strip_prefix(MAGIC.as_slice())
            .ok_or_else(|| SyncError::Body("not a runtall sync batch (no RTSYNC header)".into()))?;
        let (len, rest) = rest.split_at_checked(8).ok_or_else(|| SyncError::Body("the header is cut".into()))?;
        let len = u64::from_le_bytes(len.try_into().unwrap_or_default());
        let (header, mut blobs) = usize::try_from(len)
            .ok()
            .and_then(|len| rest.split_at_checked(len))
            .ok_or_else(|| SyncError::Body("the header is cut".into()))?;
        #[derive(Deserialize)]
        struct Version {
            protocol: u32,
        }
        let version: Version =
            serde_json::from_slice(header).map_err(|e| SyncError::Body(format!("not a sync batch ({e})")))?;
        if version.protocol > PROTOCOL {
            return Err(SyncError::Protocol { theirs: version.protocol, ours: PROTOCOL });
        }
        let mut batch: Batch =
            serde_json::from_slice(header).map_err(|e| SyncError::Body(format!("not a sync batch ({e})")))?;
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
    let with_activity: HashMap<String, i64> = store
        .activities(&Default::default())
        .map_err(AppError::from)?
        .into_iter()
        .filter(|r| r.source_path != runtall_domain::journal_format::JOURNAL_SOURCE)
        .map(|r| (r.key, r.id))
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
        let mut activity = None;
        if let (true, Record::Run(r)) = (new, &record)
            && let Some(&id) = with_activity.get(&r.key)
        {
            activity = Some(id);
            // Samples dominate a batch's size: about 8 columns of 8 bytes per sample once decoded.
            let estimate = (r.elapsed_s.max(0.0) as usize + 1) * 64;
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
    Ok(out)
}

/// Client half, step 2: the bytes of one batch, with the whole activity of every new run in it. `last` asks the
/// server for the clinician's records in its answer (a sync with nothing to send sends one empty, last batch).
/// The samples go as the store keeps them, in its codec: never decoded here.
pub fn encode_batch(store: &dyn Store, batch: &[Pending], last: bool) -> Result<Vec<u8>> {
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
    }
    .encode()
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
    /// How many of the athlete's runs the server holds.
    #[serde(default)]
    pub runs: Option<usize>,
}

/// The server's hello for the athlete of `store`.
pub fn hello(store: &dyn Store) -> Result<Hello> {
    let runs = store.activities(&Default::default()).map_err(AppError::from)?.len();
    Ok(Hello { protocol: PROTOCOL, runs: Some(runs) })
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
    let mut lines = Vec::with_capacity(batch.records.len() * 200);
    for r in &batch.records {
        if r.contains('\n') {
            return Err(SyncError::Body("a record spans more than one line".into()));
        }
        lines.extend_from_slice(r.as_bytes());
        lines.push(b'\n');
    }
    // Decoding checked every sample blob (whole, at most MAX_SAMPLES): they are stored as they came.
    let mut activities: HashMap<String, (Activity, Option<Vec<u8>>)> = batch
        .activities
        .into_iter()
        .zip(batch.sample_blobs.into_iter().map(Some))
        .map(|(a, blob)| (a.source.content_hash.clone(), (a, blob)))
        .collect();
    let mut reader = JsonlReader::part("sync batch", lines.as_slice(), now);
    let stats =
        journal_file::import_with(store, &mut reader, &mut |key| activities.remove(key)).map_err(|e| match e {
            AppError::Store(s) => SyncError::from(s),
            other => SyncError::App(other),
        })?;
    let inbox = if batch.want_inbox { inbox_for(store)? } else { Inbox::default() };
    Ok(Ack { protocol: PROTOCOL, applied: batch.records.len(), stats: stats.into(), inbox })
}

/// Most samples one activity may bring: two days at one per second. (The codec itself makes every column as
/// long as the time column, with finite values, so a blob that scans is one the charts can index.)
pub const MAX_SAMPLES: usize = 172_800;

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
