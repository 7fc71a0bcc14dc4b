//! What to import: paths expanded into jobs before anything is decoded, so the caller can show
//! how much there is (files, bytes) and what was left out, and then run the plan.

use std::path::{Path, PathBuf};

use jiff::Timestamp;

use crate::error::ImportError;
use crate::format::{NameKind, name_kind};

/// Limits and knobs for an import. The defaults suit a runner's whole history on a laptop.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportOptions {
    /// Decoding threads; 0 means one per available core.
    pub workers: usize,
    /// Largest single activity file, after decompression (default 256 MiB; a 24-hour run with
    /// every sensor at 1 s is about 40 MB of XML).
    pub max_file_bytes: u64,
    /// Most bytes one archive may expand to, all entries and nested archives together (default
    /// 4 GiB). Reaching it stops that archive with an error; other paths go on.
    pub max_archive_bytes: u64,
    /// Highest expansion ratio of one compressed entry or gzip file (default 200:1; real FIT and
    /// XML files compress 3:1 to 30:1). Counted while reading, not taken from headers.
    pub max_ratio: u64,
    /// Most entries in one archive, nested ones included (default 200,000).
    pub max_entries: usize,
    /// Deepest archive nesting: 1 reads a zip, 2 also zips inside it (Garmin's export), and so
    /// on (default 2).
    pub max_depth: usize,
    /// How many files may be decoded ahead of the one the caller is waiting for (default 4 per
    /// worker). Bounds memory: at most this many decoded files wait in the reorder buffer.
    pub window: usize,
    /// Most bytes of file data held in memory at once by the reader and all workers together: each file's
    /// size plus what its gzip layer may expand to, reserved before it is read (default 256 MiB). A single
    /// file that needs more is read alone. See `budget.rs`.
    pub max_in_flight_bytes: u64,
    /// Longest time one file may take to decode before it is given up with an error (default 60 s; the
    /// decoders are linear, so only a huge file on a very slow machine gets near it). `None`: no limit.
    pub file_time_limit: Option<std::time::Duration>,
    /// "Now" for refusing times in the future; `None` uses the system clock. Tests set it.
    pub now: Option<Timestamp>,
}

impl Default for ImportOptions {
    fn default() -> Self {
        Self {
            workers: 0,
            max_file_bytes: 256 << 20,
            max_archive_bytes: 4 << 30,
            max_ratio: 200,
            max_entries: 200_000,
            max_depth: 2,
            window: 0,
            max_in_flight_bytes: 256 << 20,
            file_time_limit: Some(std::time::Duration::from_secs(60)),
            now: None,
        }
    }
}

impl ImportOptions {
    /// Worker threads to use.
    #[must_use]
    pub fn worker_count(&self) -> usize {
        if self.workers > 0 {
            self.workers
        } else {
            std::thread::available_parallelism().map_or(2, std::num::NonZero::get)
        }
    }

    pub(crate) fn window_size(&self) -> usize {
        if self.window > 0 { self.window } else { 4 * self.worker_count() }
    }
}

/// Files left out while expanding directories and archives, by reason.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SkipCounts {
    /// Hidden files and folders (`.DS_Store`, `.git/`, `__MACOSX/`).
    pub hidden: usize,
    /// Files whose extension is not `.fit`, `.gpx`, `.tcx` (optionally `.gz`) or `.zip`
    /// (photos, JSON, the export's own HTML pages).
    pub unknown_extension: usize,
    /// Symbolic links to directories (not followed, so a link loop cannot trap the walk).
    pub symlinked_dirs: usize,
    /// Named pipes, sockets and devices: reading one could block the import forever.
    pub not_regular: usize,
}

impl SkipCounts {
    /// All skipped files.
    #[must_use]
    pub fn total(&self) -> usize {
        self.hidden + self.unknown_extension + self.symlinked_dirs + self.not_regular
    }

    pub(crate) fn add(&mut self, o: &SkipCounts) {
        self.hidden += o.hidden;
        self.unknown_extension += o.unknown_extension;
        self.symlinked_dirs += o.symlinked_dirs;
        self.not_regular += o.not_regular;
    }
}

#[derive(Debug)]
pub(crate) enum JobKind {
    File,
    Archive,
    Failed(ImportError),
}

/// One top-level unit of work: a file, an archive (whose entries become many results), or a
/// path that could not even be looked at.
#[derive(Debug)]
pub struct Job {
    pub(crate) path: PathBuf,
    pub(crate) display: String,
    pub(crate) size: u64,
    pub(crate) kind: JobKind,
    /// Activity files (and nested archives) the archive's directory lists; 1 for a file.
    pub(crate) files: usize,
}

impl Job {
    /// The path as shown to the runner.
    #[must_use]
    pub fn display(&self) -> &str {
        &self.display
    }

    /// Size on disk in bytes.
    #[must_use]
    pub fn size(&self) -> u64 {
        self.size
    }

    /// Whether this job is an archive.
    #[must_use]
    pub fn is_archive(&self) -> bool {
        matches!(self.kind, JobKind::Archive)
    }
}

/// Builds [`Plan`]s. Cheap to create; holds only the options.
#[derive(Debug, Clone, Default)]
pub struct Importer {
    options: ImportOptions,
}

impl Importer {
    /// An importer with these limits.
    #[must_use]
    pub fn new(options: ImportOptions) -> Self {
        Self { options }
    }

    /// The options in force.
    #[must_use]
    pub fn options(&self) -> &ImportOptions {
        &self.options
    }

    /// Expand paths into jobs: a file is one job whatever its extension (the content decides
    /// its format); a directory is walked recursively, skipping hidden entries and unknown
    /// extensions (counted in [`Plan::skipped`]); a `.zip` (or any file starting like one) is
    /// an archive job whose directory is read now, to count its files.
    ///
    /// Never fails as a whole: a path that does not exist or cannot be read becomes a job that
    /// yields its error when run, so one bad path does not stop the others.
    pub fn plan<P: AsRef<Path>>(&self, paths: impl IntoIterator<Item = P>) -> Plan {
        let mut plan = Plan { options: self.options.clone(), jobs: Vec::new(), skipped: SkipCounts::default() };
        for p in paths {
            let p = p.as_ref();
            match std::fs::metadata(p) {
                Ok(m) if m.is_dir() => walk_dir(p, &mut plan, 0),
                Ok(m) if !m.is_file() => plan.jobs.push(Job {
                    path: p.to_path_buf(),
                    display: p.display().to_string(),
                    size: 0,
                    kind: JobKind::Failed(ImportError::NotRegularFile),
                    files: 1,
                }),
                Ok(m) => plan.jobs.push(file_job(p, m.len(), true)),
                Err(e) => plan.jobs.push(Job {
                    path: p.to_path_buf(),
                    display: p.display().to_string(),
                    size: 0,
                    kind: JobKind::Failed(ImportError::Io(e)),
                    files: 1,
                }),
            }
        }
        plan
    }
}

/// A zip archive, by name or by its first bytes.
fn looks_like_zip(path: &Path) -> bool {
    use std::io::Read;
    let mut head = [0u8; 4];
    crate::format::open_regular(path).is_ok_and(|mut f| f.read_exact(&mut head).is_ok()) && &head == b"PK\x03\x04"
}

fn file_job(path: &Path, size: u64, explicit: bool) -> Job {
    let display = path.display().to_string();
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let is_zip = name_kind(&name) == NameKind::Zip || (explicit && looks_like_zip(path));
    if !is_zip {
        return Job { path: path.to_path_buf(), display, size, kind: JobKind::File, files: 1 };
    }
    match crate::archive::count_candidates(path) {
        Ok(files) => Job { path: path.to_path_buf(), display, size, kind: JobKind::Archive, files },
        Err(e) => Job { path: path.to_path_buf(), display, size, kind: JobKind::Failed(e), files: 1 },
    }
}

/// Deepest directory recursion; deeper trees are almost certainly a mistake (or a loop through
/// bind mounts) and their deeper parts are left out.
const MAX_DIR_DEPTH: usize = 64;

fn walk_dir(dir: &Path, plan: &mut Plan, depth: usize) {
    let entries = match std::fs::read_dir(dir) {
        Ok(rd) => rd,
        Err(e) => {
            plan.jobs.push(Job {
                path: dir.to_path_buf(),
                display: dir.display().to_string(),
                size: 0,
                kind: JobKind::Failed(ImportError::Io(e)),
                files: 1,
            });
            return;
        }
    };
    let mut children: Vec<PathBuf> = entries.filter_map(Result::ok).map(|e| e.path()).collect();
    children.sort();
    for path in children {
        let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        if name.starts_with('.') || name == "__MACOSX" {
            plan.skipped.hidden += 1;
            continue;
        }
        let Ok(lmeta) = std::fs::symlink_metadata(&path) else { continue };
        let meta = if lmeta.file_type().is_symlink() {
            match std::fs::metadata(&path) {
                Ok(m) if m.is_dir() => {
                    plan.skipped.symlinked_dirs += 1;
                    continue;
                }
                Ok(m) => m,
                Err(_) => continue,
            }
        } else {
            lmeta
        };
        if meta.is_dir() {
            if depth < MAX_DIR_DEPTH {
                walk_dir(&path, plan, depth + 1);
            }
            continue;
        }
        if !meta.is_file() {
            plan.skipped.not_regular += 1;
            continue;
        }
        match name_kind(&name) {
            NameKind::Activity { .. } | NameKind::Zip => plan.jobs.push(file_job(&path, meta.len(), false)),
            NameKind::Other => plan.skipped.unknown_extension += 1,
        }
    }
}

/// The expanded work: run it with [`Plan::start`] (an iterator of results in plan order) or
/// [`Plan::run`] (a callback per result).
#[derive(Debug)]
pub struct Plan {
    pub(crate) options: ImportOptions,
    pub(crate) jobs: Vec<Job>,
    pub(crate) skipped: SkipCounts,
}

impl Plan {
    /// The jobs, in the order their results will come.
    #[must_use]
    pub fn jobs(&self) -> &[Job] {
        &self.jobs
    }

    /// Activity files to decode as far as known before running: plain files plus the entries
    /// archive directories list (entries of nested archives are discovered while running, see
    /// [`Progress::files_total`](crate::Progress)).
    #[must_use]
    pub fn files(&self) -> usize {
        self.jobs.iter().map(|j| j.files).sum()
    }

    /// Bytes on disk of all jobs.
    #[must_use]
    pub fn bytes(&self) -> u64 {
        self.jobs.iter().map(|j| j.size).sum()
    }

    /// What the directory walk left out.
    #[must_use]
    pub fn skipped(&self) -> SkipCounts {
        self.skipped
    }

    /// The options the plan runs with.
    #[must_use]
    pub fn options(&self) -> &ImportOptions {
        &self.options
    }
}
