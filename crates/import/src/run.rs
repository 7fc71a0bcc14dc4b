//! Running a plan: one reader thread, N decoding threads, results in plan order on the caller's
//! thread.
//!
//! ```text
//!  reader ──(bounded queue)──▶ worker × N ──▶ reorder buffer ──▶ caller (next())
//!    ▲                                                              │
//!    └──────────── waits while more than `window` results are ahead ┘
//! ```
//!
//! Why this shape: decoding is CPU-bound and parallel, but the caller writes to SQLite one
//! activity per transaction on its own thread and wants a stable order (the plan's) so that
//! re-running an interrupted import gives the same sequence. The reader walks directories and
//! archives in order and hands out files (plain files as paths, read by the workers; archive
//! entries as bytes, since a zip can only be read sequentially cheaply). The window caps how far
//! decoding may run ahead of the caller, so memory stays at about `window` files however big the
//! archive. std threads and channels only: the pipeline is small and rayon's work stealing would
//! not keep order.

use std::collections::BTreeMap;
use std::ops::ControlFlow;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicIsize, Ordering};
use std::sync::mpsc::{self, Receiver, SyncSender};
use std::sync::{Arc, Condvar, Mutex, PoisonError};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use runtall_domain::activity::Activity;

use crate::archive::{Sink, Walker};
use crate::decode::{EntryMeta, decode_with_meta};
use crate::error::{ErrorKind, ImportError};
use crate::format::{self, Format, ReadError, ReadLimits};
use crate::plan::{ImportOptions, JobKind, Plan, SkipCounts};

/// The outcome for one file (or archive entry), delivered in plan order.
#[derive(Debug)]
pub struct JobResult {
    /// 0-based position in the run.
    pub seq: usize,
    /// The file as shown to the runner: a path, or `archive.zip!inner/path` (nested archives
    /// chain: `export.zip!part1.zip!123.fit`).
    pub source: String,
    /// The format found, when the file got that far.
    pub format: Option<Format>,
    /// Bytes read from disk or from the archive (compressed size for archive entries).
    pub input_bytes: u64,
    /// Bytes decoded (after gzip), 0 when the file failed before that.
    pub bytes: u64,
    /// The activities (several for multisport FIT and multi-activity TCX), or why there are none.
    pub result: Result<Vec<Activity>, ImportError>,
}

impl JobResult {
    /// `source: reason` for a failed job, the line an import summary prints.
    #[must_use]
    pub fn failure(&self) -> Option<String> {
        self.result.as_ref().err().map(|e| format!("{}: {e}", self.source))
    }
}

/// Counters for a progress bar and the final summary. Counted as results are delivered to the
/// caller, so they match what the caller has seen.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Progress {
    /// Results delivered.
    pub files_done: usize,
    /// Files expected: the plan's count, corrected as nested archives are opened.
    pub files_total: usize,
    /// Bytes read from disk/archives for the delivered results.
    pub input_bytes_done: u64,
    /// Size on disk of everything planned.
    pub input_bytes_total: u64,
    /// Decoded bytes (after decompression) of the delivered results.
    pub bytes_done: u64,
    /// Activities delivered.
    pub activities: usize,
    /// Of those, activities read from damaged files or with dropped values (they carry warnings).
    pub with_warnings: usize,
    /// Files that are not activities (courses, workouts, settings, routes).
    pub not_activities: usize,
    /// Files refused by a safety limit (size, ratio, nesting, unsafe name, encryption).
    pub refused: usize,
    /// Files that failed (damaged beyond salvage, not a watch file).
    pub failed: usize,
    /// Files left out by the directory walk and inside archives.
    pub skipped: SkipCounts,
    /// Time since the run started.
    pub elapsed: Duration,
}

impl Progress {
    /// Activities per second so far.
    #[must_use]
    pub fn activities_per_s(&self) -> f64 {
        let s = self.elapsed.as_secs_f64();
        if s > 0.0 { self.activities as f64 / s } else { 0.0 }
    }

    /// Decoded megabytes (10^6 bytes) per second so far.
    #[must_use]
    pub fn mb_per_s(&self) -> f64 {
        let s = self.elapsed.as_secs_f64();
        if s > 0.0 { self.bytes_done as f64 / 1e6 / s } else { 0.0 }
    }
}

/// One unit handed from the reader to the workers.
pub(crate) struct Item {
    pub source: String,
    pub input_bytes: u64,
    pub payload: Payload,
    pub meta: Option<EntryMeta>,
}

pub(crate) enum Payload {
    /// A plain file, read by the worker.
    Path(PathBuf),
    /// An archive entry, already decompressed by the reader.
    Bytes(Vec<u8>),
    /// The reader already knows it failed.
    Error(ImportError),
}

struct Shared {
    cancel: AtomicBool,
    /// Results delivered to the caller (the reader may run `window` ahead of it).
    delivered: Mutex<usize>,
    cv: Condvar,
    files_total: AtomicIsize,
    skipped: Mutex<SkipCounts>,
}

impl Shared {
    fn cancelled(&self) -> bool {
        self.cancel.load(Ordering::Relaxed)
    }
}

struct ReaderSink {
    shared: Arc<Shared>,
    tx: SyncSender<(usize, Item)>,
    seq: usize,
    window: usize,
}

impl Sink for ReaderSink {
    fn emit(&mut self, item: Item) -> bool {
        {
            let mut delivered = self.shared.delivered.lock().unwrap_or_else(PoisonError::into_inner);
            while self.seq >= *delivered + self.window && !self.shared.cancelled() {
                delivered = self.shared.cv.wait(delivered).unwrap_or_else(PoisonError::into_inner);
            }
        }
        if self.shared.cancelled() || self.tx.send((self.seq, item)).is_err() {
            return false;
        }
        self.seq += 1;
        true
    }

    fn adjust_total(&mut self, delta: isize) {
        self.shared.files_total.fetch_add(delta, Ordering::Relaxed);
    }

    fn skipped(&mut self, s: SkipCounts) {
        self.shared.skipped.lock().unwrap_or_else(PoisonError::into_inner).add(&s);
    }
}

/// A plan being run: an iterator of [`JobResult`]s in plan order. Decoding happens on
/// background threads; dropping the iterator early cancels the rest and joins the threads.
pub struct Running {
    shared: Arc<Shared>,
    results: Receiver<(usize, JobResult)>,
    pending: BTreeMap<usize, JobResult>,
    next: usize,
    progress: Progress,
    started: Instant,
    threads: Vec<JoinHandle<()>>,
}

impl std::fmt::Debug for Running {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Running").field("next", &self.next).field("progress", &self.progress).finish_non_exhaustive()
    }
}

impl Plan {
    /// Start decoding on background threads and return the results as an iterator, in plan
    /// order. Read [`Running::progress`] between results for a progress bar.
    #[must_use]
    pub fn start(self) -> Running {
        let workers = self.options.worker_count();
        let window = self.options.window_size();
        let shared = Arc::new(Shared {
            cancel: AtomicBool::new(false),
            delivered: Mutex::new(0),
            cv: Condvar::new(),
            files_total: AtomicIsize::new(self.files() as isize),
            skipped: Mutex::new(self.skipped),
        });
        let progress = Progress { input_bytes_total: self.bytes(), files_total: self.files(), ..Progress::default() };
        let (work_tx, work_rx) = mpsc::sync_channel::<(usize, Item)>(workers * 2);
        let (res_tx, res_rx) = mpsc::channel::<(usize, JobResult)>();
        let work_rx = Arc::new(Mutex::new(work_rx));
        let options = Arc::new(self.options);
        let mut threads = Vec::with_capacity(workers + 1);

        let jobs = self.jobs;
        let sh = Arc::clone(&shared);
        let opts = Arc::clone(&options);
        threads.push(
            std::thread::Builder::new()
                .name("import-reader".into())
                .spawn(move || {
                    let mut sink = ReaderSink { shared: Arc::clone(&sh), tx: work_tx, seq: 0, window };
                    for job in jobs {
                        if sh.cancelled() {
                            break;
                        }
                        let go_on = match job.kind {
                            JobKind::File => sink.emit(Item {
                                source: job.display,
                                input_bytes: job.size,
                                payload: Payload::Path(job.path),
                                meta: None,
                            }),
                            JobKind::Failed(e) => sink.emit(Item {
                                source: job.display,
                                input_bytes: job.size,
                                payload: Payload::Error(e),
                                meta: None,
                            }),
                            JobKind::Archive => {
                                Walker::new(&opts, &mut sink).walk_file(&job.path, &job.display, job.files)
                            }
                        };
                        if !go_on {
                            break;
                        }
                    }
                })
                .expect("spawning the import reader thread"),
        );
        for n in 0..workers {
            let rx = Arc::clone(&work_rx);
            let tx = res_tx.clone();
            let sh = Arc::clone(&shared);
            let opts = Arc::clone(&options);
            threads.push(
                std::thread::Builder::new()
                    .name(format!("import-worker-{n}"))
                    .spawn(move || {
                        loop {
                            let msg = rx.lock().unwrap_or_else(PoisonError::into_inner).recv();
                            let Ok((seq, item)) = msg else { break };
                            if sh.cancelled() {
                                continue;
                            }
                            let r = process(seq, item, &opts);
                            if tx.send((seq, r)).is_err() {
                                break;
                            }
                        }
                    })
                    .expect("spawning an import worker thread"),
            );
        }
        drop(res_tx);
        Running {
            shared,
            results: res_rx,
            pending: BTreeMap::new(),
            next: 0,
            progress,
            started: Instant::now(),
            threads,
        }
    }

    /// Run the plan, calling `on_result` for each result in plan order with the progress so far
    /// (return [`ControlFlow::Break`] to stop early). Returns the final progress, which is also
    /// the import summary.
    pub fn run(self, mut on_result: impl FnMut(JobResult, &Progress) -> ControlFlow<()>) -> Progress {
        let mut running = self.start();
        while let Some(r) = running.next() {
            let p = running.progress();
            if on_result(r, &p).is_break() {
                break;
            }
        }
        running.progress()
    }
}

impl Running {
    /// Counters so far (see [`Progress`]).
    #[must_use]
    pub fn progress(&self) -> Progress {
        let mut p = self.progress;
        p.elapsed = self.started.elapsed();
        let total = self.shared.files_total.load(Ordering::Relaxed).max(0) as usize;
        p.files_total = total.max(p.files_done);
        p.skipped = *self.shared.skipped.lock().unwrap_or_else(PoisonError::into_inner);
        p
    }

    /// Stop reading and decoding; results not yet delivered are dropped.
    pub fn cancel(&mut self) {
        self.shared.cancel.store(true, Ordering::Relaxed);
        let _guard = self.shared.delivered.lock().unwrap_or_else(PoisonError::into_inner);
        self.shared.cv.notify_all();
    }

    fn deliver(&mut self, r: &JobResult) {
        self.next += 1;
        let p = &mut self.progress;
        p.files_done += 1;
        p.input_bytes_done += r.input_bytes;
        p.bytes_done += r.bytes;
        match &r.result {
            Ok(acts) => {
                p.activities += acts.len();
                p.with_warnings += acts.iter().filter(|a| !a.warnings.is_empty()).count();
            }
            Err(e) => match e.kind() {
                ErrorKind::NotActivity => p.not_activities += 1,
                ErrorKind::Refused => p.refused += 1,
                ErrorKind::Failed => p.failed += 1,
            },
        }
        let mut delivered = self.shared.delivered.lock().unwrap_or_else(PoisonError::into_inner);
        *delivered = self.next;
        self.shared.cv.notify_all();
    }
}

impl Iterator for Running {
    type Item = JobResult;

    fn next(&mut self) -> Option<JobResult> {
        loop {
            if let Some(r) = self.pending.remove(&self.next) {
                self.deliver(&r);
                return Some(r);
            }
            match self.results.recv() {
                Ok((seq, r)) => {
                    self.pending.insert(seq, r);
                }
                // Every worker is done. Anything still pending (only if a sequence number was
                // lost, which would be a bug) is delivered in order rather than dropped.
                Err(_) => {
                    let (_, r) = self.pending.pop_first()?;
                    self.next = r.seq;
                    self.deliver(&r);
                    return Some(r);
                }
            }
        }
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        self.cancel();
        for t in self.threads.drain(..) {
            let _ = t.join();
        }
    }
}

/// Decode one item on a worker. A panic in a decoder becomes an error for this file only.
fn process(seq: usize, item: Item, opts: &ImportOptions) -> JobResult {
    let Item { source, input_bytes, payload, meta } = item;
    let mut out = JobResult { seq, source, format: None, input_bytes, bytes: 0, result: Ok(Vec::new()) };
    let bytes = match payload {
        Payload::Error(e) => {
            out.result = Err(e);
            return out;
        }
        Payload::Bytes(b) => b,
        Payload::Path(p) => match read_file(&p, opts) {
            Ok(b) => b,
            Err(e) => {
                out.result = Err(e);
                return out;
            }
        },
    };
    let decoded = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        decode_with_meta(&bytes, &out.source, meta.as_ref(), opts)
    }));
    match decoded {
        Ok(Ok(d)) => {
            out.format = Some(d.format);
            out.bytes = d.bytes;
            out.result = Ok(d.activities);
        }
        Ok(Err(e)) => out.result = Err(e),
        Err(panic) => {
            let detail = panic
                .downcast_ref::<&str>()
                .map(|s| (*s).to_string())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "unknown panic".into());
            out.result = Err(ImportError::Internal { detail });
        }
    }
    out
}

/// Read a plain file, refusing one larger than the single-file limit without reading it all.
pub(crate) fn read_file(path: &std::path::Path, opts: &ImportOptions) -> Result<Vec<u8>, ImportError> {
    let f = std::fs::File::open(path).map_err(ImportError::Io)?;
    let size = f.metadata().map(|m| m.len()).unwrap_or(0);
    if size > opts.max_file_bytes {
        return Err(ImportError::TooLarge { limit: opts.max_file_bytes, declared: Some(size) });
    }
    format::read_limited(f, ReadLimits { max_bytes: opts.max_file_bytes, ratio: None }, size).map_err(|e| match e {
        ReadError::Io(e) => ImportError::Io(e),
        ReadError::Limit(e) => e,
    })
}
