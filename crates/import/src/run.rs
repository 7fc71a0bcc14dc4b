//! Running a plan: one reader thread, N decoding threads, results in plan order on the caller's
//! thread.
//!
//! ```text
//!  reader ──(queue)──▶ worker × N ──▶ reorder buffer ──▶ caller (next(), poll())
//!    ▲          └──── small files, while the caller would wait ────▶ │
//!    └──────────── waits while more than `window` results are ahead ──┘
//! ```
//!
//! Why this shape: decoding is CPU-bound and parallel, but the caller writes to SQLite on its own
//! thread and wants a stable order (the plan's) so that re-running an interrupted import gives the
//! same sequence. The reader walks directories and archives in order and hands out files (plain
//! files as paths, read by the workers; archive entries as bytes, since a zip can only be read
//! sequentially cheaply). The window caps how far decoding may run ahead of the caller, so memory
//! stays at about `window` files however big the archive. The caller's pure per-activity work
//! runs on the workers ([`Plan::start_prepared`]), and a caller that would wait for the next
//! result decodes a small queued file instead: on a machine busy with other work a waiting thread
//! gives its share of the CPU away, and a descheduled worker would otherwise hold everyone up.
//! std threads and channels only: the pipeline is small and rayon's work stealing would not keep
//! order.

use std::collections::BTreeMap;
use std::ops::ControlFlow;
use std::sync::atomic::{AtomicBool, AtomicIsize, AtomicU64, Ordering};
use std::sync::mpsc::{self, Receiver, SyncSender};
use std::sync::{Arc, Condvar, Mutex, PoisonError};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use runtall_domain::activity::Activity;

use crate::archive::{Sink, Walker};
use crate::budget::{Budget, Reservation};
use crate::decode::decode_with_meta;
use crate::error::{ErrorKind, ImportError};
use crate::format::{self, Format, ReadError, ReadLimits};
use crate::plan::{JobKind, Plan};
use crate::types::{ImportOptions, Item, Payload, SkipCounts};

/// The outcome for one file (or archive entry), delivered in plan order. `P` is what the run's `prepare` step made
/// of each activity on the worker thread (see [`Plan::start_prepared`]; nothing for a plain [`Plan::start`]).
#[derive(Debug)]
pub struct JobResult<P = ()> {
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
    /// What `prepare` made of each activity of `result`, in the same order; empty when the file failed.
    pub prepared: Vec<P>,
}

impl<P> JobResult<P> {
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
    /// Files being decoded right now: bytes read so far and their sizes (for progress within a large file).
    pub partial_bytes_done: u64,
    /// See [`Progress::partial_bytes_done`].
    pub partial_bytes_total: u64,
    /// The most bytes of file data held in memory at once so far (see [`ImportOptions::max_in_flight_bytes`]).
    pub peak_in_flight_bytes: u64,
}

impl Progress {
    /// Counts one delivered result.
    fn count<P>(&mut self, r: &JobResult<P>) {
        self.files_done += 1;
        self.input_bytes_done += r.input_bytes;
        self.bytes_done += r.bytes;
        match &r.result {
            Ok(acts) => {
                self.activities += acts.len();
                self.with_warnings += acts.iter().filter(|a| !a.warnings.is_empty()).count();
            }
            Err(e) => match e.kind() {
                ErrorKind::NotActivity => self.not_activities += 1,
                ErrorKind::Refused => self.refused += 1,
                ErrorKind::Failed => self.failed += 1,
            },
        }
    }

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

/// Stops an import from another thread (the web app's Cancel button): reading and decoding stop at the next
/// check, within about 64 KiB of the file being decoded.
#[derive(Debug, Clone, Default)]
pub struct CancelToken(Arc<AtomicBool>);

impl CancelToken {
    /// A token nobody has cancelled yet.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Ask the import to stop.
    pub fn cancel(&self) {
        self.0.store(true, Ordering::Relaxed);
    }

    /// Whether [`CancelToken::cancel`] was called.
    #[must_use]
    pub fn is_cancelled(&self) -> bool {
        self.0.load(Ordering::Relaxed)
    }
}

/// What one worker is decoding, for progress within a file.
#[derive(Default)]
struct Slot {
    busy: AtomicBool,
    pos: AtomicU64,
    len: AtomicU64,
}

struct Shared {
    cancel: CancelToken,
    budget: Arc<Budget>,
    slots: Vec<Slot>,
    /// Results delivered to the caller (the reader may run `window` ahead of it).
    delivered: Mutex<usize>,
    cv: Condvar,
    files_total: AtomicIsize,
    skipped: Mutex<SkipCounts>,
}

impl Shared {
    fn cancelled(&self) -> bool {
        self.cancel.is_cancelled()
    }
}

/// The reader's files waiting for a decoder. Workers take them in order, blocking (holding the lock) while there
/// are none. The caller takes one only when it would otherwise wait for a result (see [`Running::help`]), only
/// without blocking, and only a small one: a file it cannot take goes back in `front` for the next worker, so the
/// order is kept.
struct WorkQueue {
    inner: Mutex<Queued>,
}

struct Queued {
    rx: Receiver<(usize, Item)>,
    /// A file the caller looked at and left (too large for it): the next worker's.
    front: Option<(usize, Item)>,
}

impl WorkQueue {
    /// The next file for a worker; `None` when the reader is done and every file was taken.
    fn take(&self) -> Option<(usize, Item)> {
        let mut q = self.inner.lock().unwrap_or_else(PoisonError::into_inner);
        match q.front.take() {
            Some(item) => Some(item),
            None => q.rx.recv().ok(),
        }
    }

    /// A file of at most `max_bytes` ready right now, for the caller; `None` when a worker is waiting for the
    /// next one (then there is none), none is queued, or the next is larger.
    fn try_take_small(&self, max_bytes: u64) -> Option<(usize, Item)> {
        let mut q = self.inner.try_lock().ok()?;
        let item = match q.front.take() {
            Some(item) => item,
            None => q.rx.try_recv().ok()?,
        };
        if item.1.input_bytes <= max_bytes {
            Some(item)
        } else {
            q.front = Some(item);
            None
        }
    }
}

/// Largest file (bytes read from disk or the archive) the caller decodes itself while it waits: a few
/// milliseconds of work, so a caller that shows progress between results is never held up long.
const HELP_MAX_BYTES: u64 = 1 << 20;

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

    fn reserve(&mut self, bytes: u64, own: u64) -> Option<Reservation> {
        self.shared.budget.acquire(bytes, own, &self.shared.cancel.0)
    }

    fn grow(&mut self, r: &mut Reservation, more: u64, own: u64) -> bool {
        r.grow(more, own, &self.shared.cancel.0)
    }
}

/// Memory to hold for a plain file before its worker reads it: its size, plus what a gzip layer may expand to
/// (only the first two bytes are looked at, without waiting on anything but a regular file).
fn plain_file_need(path: &std::path::Path, size: u64, opts: &ImportOptions) -> u64 {
    use std::io::Read;
    let mut head = [0u8; 2];
    let gz = format::open_regular(path).is_ok_and(|mut f| f.read_exact(&mut head).is_ok()) && head == [0x1f, 0x8b];
    size.min(opts.max_file_bytes) + if gz { format::gzip_allowance(size, opts) } else { 0 }
}

/// A plan being run: an iterator of [`JobResult`]s in plan order. Decoding happens on
/// background threads; dropping the iterator early cancels the rest and joins the threads.
pub struct Running<P = ()> {
    shared: Arc<Shared>,
    results: Receiver<(usize, JobResult<P>)>,
    pending: BTreeMap<usize, JobResult<P>>,
    next: usize,
    progress: Progress,
    started: Instant,
    threads: Vec<JoinHandle<()>>,
    /// Decodes one small queued file on the caller's thread, if there is one (see [`Running::help`]).
    helper: Box<dyn Fn() -> Option<(usize, JobResult<P>)> + Send>,
}

impl<P> std::fmt::Debug for Running<P> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Running").field("next", &self.next).field("progress", &self.progress).finish_non_exhaustive()
    }
}

impl Plan {
    /// Start decoding on background threads and return the results as an iterator, in plan
    /// order. Read [`Running::progress`] between results for a progress bar.
    #[must_use]
    pub fn start(self) -> Running {
        self.start_cancellable(CancelToken::new())
    }

    /// [`Plan::start`], stopped early when `cancel` is cancelled (from any thread). Dropping the returned
    /// [`Running`] cancels `cancel` too (that is how its threads are told to stop).
    #[must_use]
    pub fn start_cancellable(self, cancel: CancelToken) -> Running {
        self.start_prepared(cancel, |_| ())
    }

    /// [`Plan::start_cancellable`], with `prepare` run on the decoding thread for each activity as soon as it is
    /// decoded; what it makes comes with the result ([`JobResult::prepared`]). For the caller's pure per-activity
    /// work (an importer that stores runs encodes them here), so that work runs on all the workers instead of
    /// adding to the one thread that consumes the results in order. A panic in `prepare` fails that file only.
    #[must_use]
    pub fn start_prepared<P, F>(self, cancel: CancelToken, prepare: F) -> Running<P>
    where
        P: Send + 'static,
        F: Fn(&Activity) -> P + Send + Sync + 'static,
    {
        let prepare = Arc::new(prepare);
        let workers = self.options.worker_count();
        let window = self.options.window_size();
        let shared = Arc::new(Shared {
            cancel,
            budget: Budget::new(self.options.max_in_flight_bytes),
            // One per worker, and the last for the caller (see `Running::help`).
            slots: (0..=workers).map(|_| Slot::default()).collect(),
            delivered: Mutex::new(0),
            cv: Condvar::new(),
            files_total: AtomicIsize::new(self.files() as isize),
            skipped: Mutex::new(self.skipped),
        });
        let progress = Progress { input_bytes_total: self.bytes(), files_total: self.files(), ..Progress::default() };
        let (work_tx, work_rx) = mpsc::sync_channel::<(usize, Item)>(window);
        let (res_tx, res_rx) = mpsc::channel::<(usize, JobResult<P>)>();
        let queue = Arc::new(WorkQueue { inner: Mutex::new(Queued { rx: work_rx, front: None }) });
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
                            JobKind::File => {
                                let need = plain_file_need(&job.path, job.size, &opts);
                                match sink.reserve(need, 0) {
                                    Some(r) => sink.emit(Item {
                                        source: job.display,
                                        input_bytes: job.size,
                                        payload: Payload::Path(job.path),
                                        meta: None,
                                        reservation: Some(r),
                                    }),
                                    None => false,
                                }
                            }
                            JobKind::Failed(e) => sink.emit(Item {
                                source: job.display,
                                input_bytes: job.size,
                                payload: Payload::Error(e),
                                meta: None,
                                reservation: None,
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
            let queue = Arc::clone(&queue);
            let tx = res_tx.clone();
            let sh = Arc::clone(&shared);
            let opts = Arc::clone(&options);
            let prepare = Arc::clone(&prepare);
            threads.push(
                std::thread::Builder::new()
                    .name(format!("import-worker-{n}"))
                    .spawn(move || {
                        loop {
                            let Some((seq, item)) = queue.take() else { break };
                            if sh.cancelled() {
                                continue;
                            }
                            let r = with_prepared(process(seq, item, &opts, &sh.cancel, &sh.slots[n]), &*prepare);
                            if tx.send((seq, r)).is_err() {
                                break;
                            }
                        }
                    })
                    .expect("spawning an import worker thread"),
            );
        }
        drop(res_tx);
        let sh = Arc::clone(&shared);
        let helper = Box::new(move || {
            if sh.cancelled() {
                return None;
            }
            let (seq, item) = queue.try_take_small(HELP_MAX_BYTES)?;
            Some((seq, with_prepared(process(seq, item, &options, &sh.cancel, &sh.slots[workers]), &*prepare)))
        });
        Running {
            shared,
            results: res_rx,
            pending: BTreeMap::new(),
            next: 0,
            progress,
            started: Instant::now(),
            threads,
            helper,
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

impl<P> Running<P> {
    /// Counters so far (see [`Progress`]).
    #[must_use]
    pub fn progress(&self) -> Progress {
        let mut p = self.progress;
        p.elapsed = self.started.elapsed();
        let total = self.shared.files_total.load(Ordering::Relaxed).max(0) as usize;
        p.files_total = total.max(p.files_done);
        p.skipped = *self.shared.skipped.lock().unwrap_or_else(PoisonError::into_inner);
        for slot in self.shared.slots.iter().filter(|s| s.busy.load(Ordering::Relaxed)) {
            p.partial_bytes_done += slot.pos.load(Ordering::Relaxed);
            p.partial_bytes_total += slot.len.load(Ordering::Relaxed);
        }
        p.peak_in_flight_bytes = self.shared.budget.peak();
        p
    }

    /// A token that cancels this run from another thread.
    #[must_use]
    pub fn cancel_token(&self) -> CancelToken {
        self.shared.cancel.clone()
    }

    /// Stop reading and decoding; results not yet delivered are dropped.
    pub fn cancel(&mut self) {
        self.shared.cancel.cancel();
        self.shared.budget.wake();
        let _guard = self.shared.delivered.lock().unwrap_or_else(PoisonError::into_inner);
        self.shared.cv.notify_all();
    }

    /// The next result if one arrives within `wait`: [`Poll::Pending`] otherwise, so a caller can show
    /// progress within a large file (or notice a cancel) while it decodes. [`Poll::Done`] at the end.
    pub fn poll(&mut self, wait: Duration) -> Poll<P> {
        let deadline = Instant::now() + wait;
        loop {
            if let Some(r) = self.pending.remove(&self.next) {
                self.deliver(&r);
                return Poll::Ready(r);
            }
            // Help only when asked to wait: a caller polling without waiting has work of its own to do.
            if !wait.is_zero() && self.help() {
                continue;
            }
            let left = deadline.saturating_duration_since(Instant::now());
            match self.results.recv_timeout(left) {
                Ok((seq, r)) => {
                    self.pending.insert(seq, r);
                }
                Err(mpsc::RecvTimeoutError::Timeout) => {
                    if self.shared.cancelled() {
                        // Keep the budget's waiters moving; the reader stops at its next check.
                        self.shared.budget.wake();
                        let _guard = self.shared.delivered.lock().unwrap_or_else(PoisonError::into_inner);
                        self.shared.cv.notify_all();
                    }
                    return Poll::Pending;
                }
                Err(mpsc::RecvTimeoutError::Disconnected) => {
                    let Some((_, r)) = self.pending.pop_first() else { return Poll::Done };
                    self.next = r.seq;
                    self.deliver(&r);
                    return Poll::Ready(r);
                }
            }
        }
    }

    /// Instead of waiting for the next result: takes the results already sent, and when the one needed is not
    /// among them, decodes one small queued file on this thread. Returns whether it got anything. Why: the caller
    /// (the importer's writer) has less to do than each decoder, and a thread that waits gives its share of a busy
    /// machine away; decoding while it would wait keeps every thread of the import working, on a quiet machine and
    /// a loaded one alike, without starting another thread.
    fn help(&mut self) -> bool {
        let mut got = false;
        while let Ok((seq, r)) = self.results.try_recv() {
            self.pending.insert(seq, r);
            got = true;
        }
        if got && self.pending.contains_key(&self.next) {
            return true;
        }
        match (self.helper)() {
            Some((seq, r)) => {
                self.pending.insert(seq, r);
                true
            }
            None => got,
        }
    }

    fn deliver(&mut self, r: &JobResult<P>) {
        self.next += 1;
        self.progress.count(r);
        let mut delivered = self.shared.delivered.lock().unwrap_or_else(PoisonError::into_inner);
        *delivered = self.next;
        self.shared.cv.notify_all();
    }
}

/// What [`Running::poll`] found.
#[derive(Debug)]
pub enum Poll<P = ()> {
    /// The next result in plan order.
    Ready(JobResult<P>),
    /// Nothing yet; call again.
    Pending,
    /// Every result was delivered.
    Done,
}

impl<P> Iterator for Running<P> {
    type Item = JobResult<P>;

    fn next(&mut self) -> Option<JobResult<P>> {
        loop {
            if let Some(r) = self.pending.remove(&self.next) {
                self.deliver(&r);
                return Some(r);
            }
            if self.help() {
                continue;
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

impl<P> Drop for Running<P> {
    fn drop(&mut self) {
        self.cancel();
        for t in self.threads.drain(..) {
            let _ = t.join();
        }
    }
}

/// Decode one item on a worker. A panic in a decoder becomes an error for this file only. The decoders tell
/// `slot` how far they are, and stop when the import is cancelled or the file's time is up.
fn process(seq: usize, item: Item, opts: &ImportOptions, cancel: &CancelToken, slot: &Slot) -> JobResult {
    let Item { source, input_bytes, payload, meta, reservation } = item;
    let mut out =
        JobResult { seq, source, format: None, input_bytes, bytes: 0, result: Ok(Vec::new()), prepared: Vec::new() };
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
    slot.pos.store(0, Ordering::Relaxed);
    slot.len.store(bytes.len() as u64, Ordering::Relaxed);
    slot.busy.store(true, Ordering::Relaxed);
    let deadline = opts.file_time_limit.map(|d| Instant::now() + d);
    let mut stopped: Option<ImportError> = None;
    let mut watch = |pos: usize| {
        slot.pos.store(pos as u64, Ordering::Relaxed);
        if cancel.is_cancelled() {
            stopped = Some(ImportError::Cancelled);
            return ControlFlow::Break(());
        }
        if deadline.is_some_and(|d| Instant::now() > d) {
            let seconds = opts.file_time_limit.map_or(0, |d| d.as_secs());
            stopped = Some(ImportError::TimedOut { seconds });
            return ControlFlow::Break(());
        }
        ControlFlow::Continue(())
    };
    let decoded = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        decode_with_meta(&bytes, &out.source, meta.as_ref(), opts, Some(&mut watch))
    }));
    slot.busy.store(false, Ordering::Relaxed);
    drop(bytes);
    drop(reservation);
    match decoded {
        Ok(Ok(d)) => {
            out.format = Some(d.format);
            out.bytes = d.bytes;
            out.result = Ok(d.activities);
        }
        Ok(Err(e)) => out.result = Err(stopped.unwrap_or(e)),
        Err(panic) => out.result = Err(ImportError::Internal { detail: panic_detail(&*panic) }),
    }
    out
}

/// Runs the caller's `prepare` on each activity of a decoded file. A panic in it becomes an error for this file
/// only, as in the decoders.
fn with_prepared<P>(r: JobResult, prepare: &(dyn Fn(&Activity) -> P + Sync)) -> JobResult<P> {
    let JobResult { seq, source, format, input_bytes, bytes, result, prepared: _ } = r;
    let mut out = JobResult { seq, source, format, input_bytes, bytes, result, prepared: Vec::new() };
    if let Ok(activities) = &out.result {
        match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| activities.iter().map(prepare).collect())) {
            Ok(prepared) => out.prepared = prepared,
            Err(panic) => out.result = Err(ImportError::Internal { detail: panic_detail(&*panic) }),
        }
    }
    out
}

/// The message of a caught panic.
fn panic_detail(panic: &(dyn std::any::Any + Send)) -> String {
    panic
        .downcast_ref::<&str>()
        .map(|s| (*s).to_string())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown panic".into())
}

/// Read a plain file, refusing one larger than the single-file limit without reading it all.
pub(crate) fn read_file(path: &std::path::Path, opts: &ImportOptions) -> Result<Vec<u8>, ImportError> {
    let f = format::open_regular(path)?;
    let size = f.metadata().map(|m| m.len()).unwrap_or(0);
    if size > opts.max_file_bytes {
        return Err(ImportError::TooLarge { limit: opts.max_file_bytes, declared: Some(size) });
    }
    format::read_limited(f, ReadLimits { max_bytes: opts.max_file_bytes, ratio: None }, size).map_err(|e| match e {
        ReadError::Io(e) => ImportError::Io(e),
        ReadError::Limit(e) => e,
        ReadError::Stopped => ImportError::Cancelled,
    })
}

/// Decodes every entry of a zip archive held in memory on the calling thread, in order, with the same limits,
/// budget and decoders as a [`Plan`] run, and hands each result to `on_result`. For the fuzz target and tests:
/// no file is written and no thread is started, so one call costs only the decoding. Returns the counters.
pub fn decode_archive_in_memory(
    bytes: &[u8],
    display: &str,
    options: &ImportOptions,
    mut on_result: impl FnMut(JobResult),
) -> Progress {
    struct Inline<'o, F: FnMut(JobResult)> {
        opts: &'o ImportOptions,
        budget: Arc<Budget>,
        cancel: CancelToken,
        slot: Slot,
        seq: usize,
        progress: Progress,
        on_result: F,
    }
    impl<F: FnMut(JobResult)> Sink for Inline<'_, F> {
        fn emit(&mut self, item: Item) -> bool {
            let r = process(self.seq, item, self.opts, &self.cancel, &self.slot);
            self.seq += 1;
            self.progress.count(&r);
            (self.on_result)(r);
            true
        }
        fn adjust_total(&mut self, delta: isize) {
            self.progress.files_total = self.progress.files_total.saturating_add_signed(delta);
        }
        fn skipped(&mut self, s: SkipCounts) {
            self.progress.skipped.add(&s);
        }
        fn reserve(&mut self, bytes: u64, own: u64) -> Option<Reservation> {
            self.budget.acquire(bytes, own, &self.cancel.0)
        }
        fn grow(&mut self, r: &mut Reservation, more: u64, own: u64) -> bool {
            r.grow(more, own, &self.cancel.0)
        }
    }
    let started = Instant::now();
    let mut sink = Inline {
        opts: options,
        budget: Budget::new(options.max_in_flight_bytes),
        cancel: CancelToken::new(),
        slot: Slot::default(),
        seq: 0,
        progress: Progress { files_total: 1, input_bytes_total: bytes.len() as u64, ..Progress::default() },
        on_result: &mut on_result,
    };
    Walker::new(options, &mut sink).walk_bytes(bytes, display);
    let mut p = sink.progress;
    p.elapsed = started.elapsed();
    p.peak_in_flight_bytes = sink.budget.peak();
    p
}
