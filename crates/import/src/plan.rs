//! What to import: paths expanded into jobs before anything is decoded, so the caller can show
//! how much there is (files, bytes) and what was left out, and then run the plan.

use std::path::{Path, PathBuf};

use crate::error::ImportError;
use crate::format::{NameKind, name_kind};
use crate::types::{ImportOptions, SkipCounts};

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
