//! Posture checks as both front ends use them: add one from a landmark file, list, show, delete (with its kept
//! photo), and the history a report or the Insights page needs.
//!
//! A photo is stored as its landmarks and re-measured on every read, so an improved rule applies to old photos too;
//! a video is stored as its summary only (per-minute medians, drift, a 2-second series), never as frames or the
//! video. A photo file is kept only when the runner asks, in a private folder beside the database.

use crate::{AppError, Result};
use jiff::Timestamp;
use jiff::civil::Date;
use runtall_domain::InputError;
use runtall_domain::posture::{
    self, CVA_MDC_DEG, CVA_MDC_SOURCE, LandmarkFile, PhotoLandmarks, PhotoMeasures, PostureHistory, PostureKind,
    Sample, VideoSummary,
};
use runtall_store::{PostureRow, Store, StoreError};
use serde::{Deserialize, Serialize};
use std::io::Write;
use std::path::{Path, PathBuf};

/// What the `data` column holds.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "kebab-case")]
enum Stored {
    Photo { landmarks: PhotoLandmarks },
    Video { summary: VideoSummary },
}

/// A photo's landmarks with their measures, or a video's summary.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "type", rename_all = "kebab-case")]
pub enum Detail {
    Photo { landmarks: PhotoLandmarks, measures: PhotoMeasures },
    Video { summary: VideoSummary },
}

/// One stored posture check.
#[derive(Debug, Clone, Serialize)]
pub struct PostureCheck {
    pub id: i64,
    pub taken_on: Date,
    pub kind: PostureKind,
    pub created_at: Timestamp,
    /// Whether a photo file is kept beside the database.
    pub photo_kept: bool,
    #[serde(flatten)]
    pub detail: Detail,
}

impl PostureCheck {
    pub fn measures(&self) -> Option<&PhotoMeasures> {
        match &self.detail {
            Detail::Photo { measures, .. } => Some(measures),
            Detail::Video { .. } => None,
        }
    }

    pub fn summary(&self) -> Option<&VideoSummary> {
        match &self.detail {
            Detail::Video { summary } => Some(summary),
            Detail::Photo { .. } => None,
        }
    }
}

/// Measures a landmark file without storing anything: the live preview while markers are dragged.
pub fn preview(file: &LandmarkFile) -> Result<Detail> {
    Ok(match file {
        LandmarkFile::Photo(l) => Detail::Photo { landmarks: l.clone(), measures: posture::measure_photo(l)? },
        LandmarkFile::Video(v) => Detail::Video { summary: posture::summarize_video(v)? },
    })
}

/// Stores a posture check. `kind` and `taken_on` override the file's own; the kind defaults to `standing` for a
/// photo and must be `run-video` for frames; the date defaults to `today` and may not lie after it. Nothing is
/// stored when the landmarks cannot be measured.
pub fn add(
    store: &dyn Store,
    file: LandmarkFile,
    kind: Option<PostureKind>,
    taken_on: Option<Date>,
    today: Date,
) -> Result<PostureCheck> {
    let taken_on = taken_on.or(file.taken_on()).unwrap_or(today);
    if taken_on > today {
        return Err(InputError::new("taken_on", format!("{taken_on} is after today ({today})")).into());
    }
    let kind = kind.or(file.kind());
    let (kind, stored) = match file {
        LandmarkFile::Photo(mut l) => {
            let kind = kind.unwrap_or(PostureKind::Standing);
            if !kind.is_photo() {
                return Err(
                    InputError::new("kind", "a photo's landmarks cannot be a run video (it needs frames)").into()
                );
            }
            posture::measure_photo(&l)?;
            l.kind = Some(kind);
            l.taken_on = Some(taken_on);
            (kind, Stored::Photo { landmarks: l })
        }
        LandmarkFile::Video(v) => {
            if kind.is_some_and(PostureKind::is_photo) {
                return Err(InputError::new("kind", "frames are a run video (kind run-video)").into());
            }
            (PostureKind::RunVideo, Stored::Video { summary: posture::summarize_video(&v)? })
        }
    };
    let data = serde_json::to_value(&stored).map_err(|e| AppError::State(format!("cannot encode the check: {e}")))?;
    let id = store.add_posture(taken_on, kind.name(), &data)?;
    get(store, id)
}

fn decode(row: PostureRow) -> Result<PostureCheck> {
    let bad = |detail: String| AppError::Store(StoreError::Decode { what: "posture check", id: row.id, detail });
    let kind = PostureKind::parse(&row.kind).ok_or_else(|| bad(format!("unknown kind {}", row.kind)))?;
    let stored: Stored = serde_json::from_value(row.data.clone()).map_err(|e| bad(e.to_string()))?;
    let detail = match stored {
        Stored::Photo { landmarks } => {
            let measures = posture::measure_photo(&landmarks).map_err(|e| bad(e.to_string()))?;
            Detail::Photo { landmarks, measures }
        }
        Stored::Video { summary } => Detail::Video { summary },
    };
    Ok(PostureCheck {
        id: row.id,
        taken_on: row.taken_on,
        kind,
        created_at: row.created_at,
        photo_kept: row.photo.is_some(),
        detail,
    })
}

/// Every check, oldest first.
pub fn list(store: &dyn Store) -> Result<Vec<PostureCheck>> {
    store.postures()?.into_iter().map(decode).collect()
}

/// One check; `StoreError::NotFound` when there is none with that id.
pub fn get(store: &dyn Store, id: i64) -> Result<PostureCheck> {
    decode(store.posture(id)?.ok_or(StoreError::NotFound { what: "posture check", id })?)
}

/// Deletes a check and its kept photo. Returns whether it existed. The row goes first: a photo left behind by a
/// failed removal is private and is swept by [`PhotoStore::remove_orphans`], while a row pointing at a deleted
/// photo would show a broken picture.
pub fn delete(store: &dyn Store, photos: &PhotoStore, id: i64) -> Result<bool> {
    let Some(row) = store.posture(id)? else { return Ok(false) };
    let existed = store.delete_posture(id)?;
    if let Some(name) = row.photo {
        photos.remove(&name)?;
    }
    Ok(existed)
}

/// Keeps a check's photo (JPEG or PNG bytes) beside the database and records it.
pub fn keep_photo(store: &dyn Store, photos: &PhotoStore, id: i64, bytes: &[u8]) -> Result<()> {
    store.posture(id)?.ok_or(StoreError::NotFound { what: "posture check", id })?;
    let name = photos.save(id, bytes)?;
    if let Err(e) = store.set_posture_photo(id, Some(&name)) {
        let _ = photos.remove(&name);
        return Err(e.into());
    }
    Ok(())
}

/// "Delete everything": every record, and then the kept posture photos beside the database (files, not rows, so
/// the store alone cannot remove them).
pub fn delete_all(store: &dyn Store, photos: &PhotoStore) -> Result<()> {
    store.delete_all()?;
    photos.remove_orphans(store)?;
    Ok(())
}

/// One run video in the history.
#[derive(Debug, Clone, Serialize)]
pub struct VideoEntry {
    pub id: i64,
    pub taken_on: Date,
    pub summary: VideoSummary,
}

/// Everything a posture report needs: the trend of each photo kind with its error, every run video's drift, and
/// where the published error comes from.
#[derive(Debug, Clone, Serialize)]
pub struct PostureReport {
    pub checks: usize,
    /// One history per photo kind that has photos (standing first).
    pub histories: Vec<PostureHistory>,
    pub videos: Vec<VideoEntry>,
    pub cva_mdc_deg: f64,
    pub cva_mdc_source: &'static str,
}

impl PostureReport {
    pub fn history(&self, kind: PostureKind) -> Option<&PostureHistory> {
        self.histories.iter().find(|h| h.kind == kind)
    }
}

/// The posture report from stored checks.
pub fn report(store: &dyn Store) -> Result<PostureReport> {
    Ok(report_of(&list(store)?))
}

/// The posture report from checks already read.
pub fn report_of(checks: &[PostureCheck]) -> PostureReport {
    let samples: Vec<Sample> = checks
        .iter()
        .filter_map(|c| c.measures().map(|m| Sample { id: c.id, date: c.taken_on, kind: c.kind, measures: m.clone() }))
        .collect();
    let histories =
        PostureKind::ALL.into_iter().filter(|k| k.is_photo()).filter_map(|k| posture::trend(&samples, k)).collect();
    let videos = checks
        .iter()
        .filter_map(|c| c.summary().map(|s| VideoEntry { id: c.id, taken_on: c.taken_on, summary: s.clone() }))
        .collect();
    PostureReport { checks: checks.len(), histories, videos, cva_mdc_deg: CVA_MDC_DEG, cva_mdc_source: CVA_MDC_SOURCE }
}

/// Largest photo kept: a phone's full-resolution JPEG fits.
pub const MAX_PHOTO_BYTES: usize = 20 * 1024 * 1024;

/// The private folder of kept posture photos beside the database (`posture-photos/`, mode 0700; files 0600).
#[derive(Debug, Clone)]
pub struct PhotoStore {
    dir: PathBuf,
}

impl PhotoStore {
    /// The folder for the database at `db_path`.
    pub fn beside(db_path: &Path) -> PhotoStore {
        let parent = db_path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
        PhotoStore { dir: parent.join("posture-photos") }
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The file of a stored name; `None` for anything that is not a name this store wrote.
    pub fn path(&self, name: &str) -> Option<PathBuf> {
        let ok = name.starts_with("check-")
            && (name.ends_with(".jpg") || name.ends_with(".png"))
            && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.')
            && !name.contains("..");
        ok.then(|| self.dir.join(name))
    }

    /// Writes the photo privately and returns its name. Only JPEG and PNG are accepted (by content).
    pub fn save(&self, id: i64, bytes: &[u8]) -> Result<String> {
        if bytes.len() > MAX_PHOTO_BYTES {
            return Err(InputError::new("photo", format!("larger than {} MB", MAX_PHOTO_BYTES / (1024 * 1024))).into());
        }
        let ext = if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
            "jpg"
        } else if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
            "png"
        } else {
            return Err(InputError::new("photo", "not a JPEG or PNG image").into());
        };
        let name = format!("check-{id}.{ext}");
        let io = |e: std::io::Error| AppError::Photo(format!("{}: {e}", self.dir.display()));
        create_private_dir(&self.dir).map_err(io)?;
        let mut tmp = tempfile::NamedTempFile::new_in(&self.dir).map_err(io)?;
        tmp.write_all(bytes).map_err(io)?;
        tmp.as_file().sync_all().map_err(io)?;
        set_private(tmp.path(), 0o600).map_err(io)?;
        tmp.persist(self.dir.join(&name)).map_err(|e| io(e.error))?;
        Ok(name)
    }

    /// Removes a kept photo; a photo already gone is fine.
    pub fn remove(&self, name: &str) -> Result<()> {
        let Some(path) = self.path(name) else { return Ok(()) };
        match std::fs::remove_file(&path) {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(e) => Err(AppError::Photo(format!("{}: {e}", path.display()))),
        }
    }

    /// Removes photos no stored check points to (after "delete everything", or a removal that failed), and
    /// returns how many.
    pub fn remove_orphans(&self, store: &dyn Store) -> Result<usize> {
        let kept: Vec<String> = store.postures()?.into_iter().filter_map(|r| r.photo).collect();
        let Ok(entries) = std::fs::read_dir(&self.dir) else { return Ok(0) };
        let mut removed = 0;
        for entry in entries.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            if !kept.contains(&name) && std::fs::remove_file(entry.path()).is_ok() {
                removed += 1;
            }
        }
        Ok(removed)
    }
}

fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    set_private(dir, 0o700)
}

#[cfg(unix)]
fn set_private(path: &Path, mode: u32) -> std::io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode))
}

#[cfg(not(unix))]
fn set_private(_path: &Path, _mode: u32) -> std::io::Result<()> {
    Ok(())
}

/// How a measure is named and printed in sentences.
fn measure_words(measure: &str) -> (&'static str, fn(f64) -> String, &'static str, &'static str) {
    match measure {
        "cva" => (
            "CVA",
            |v| format!("{v:.1}°"),
            "larger (head more upright over the shoulders)",
            "smaller (head further forward)",
        ),
        "head-forward" => (
            "Head forward",
            |v| format!("{v:.2} trunk lengths"),
            "further ahead of the shoulder",
            "closer over the shoulder",
        ),
        _ => ("Trunk lean", |v| format!("{v:.1}°"), "leaning further forward", "more upright"),
    }
}

/// One sentence on a measure's trend, the same in the CLI, the web app and a report: first day → latest day, the
/// change, and whether it exceeds the error ("no measurable change" when it does not).
pub fn trend_sentence(t: &posture::MeasureTrend) -> String {
    let (name, fmt, up, down) = measure_words(&t.measure);
    let (Some(first), Some(last)) = (t.points.first(), t.points.last()) else { return format!("{name}: no photos") };
    let Some(c) = t.change else {
        return format!(
            "{name} {} on {} — one day of photos so far; repeat it in a few weeks.",
            fmt(last.value),
            last.date
        );
    };
    let delta = fmt(c.delta.abs());
    let head = format!("{name} {} ({}) → {} ({})", fmt(first.value), first.date, fmt(last.value), last.date);
    match (c.verdict, c.error) {
        (posture::Verdict::NoMeasurableChange, Some(e)) => {
            format!("{head}: no measurable change ({delta} is within the ±{} measurement error).", fmt(e))
        }
        (posture::Verdict::Up, Some(e)) => format!("{head}: {delta} {up}, beyond the ±{} measurement error.", fmt(e)),
        (posture::Verdict::Down, Some(e)) => {
            format!("{head}: {delta} {down}, beyond the ±{} measurement error.", fmt(e))
        }
        _ => format!(
            "{head}: a change of {delta}, not judged — there is no error estimate for this measure yet (take two photos \
             on one day)."
        ),
    }
}

/// One sentence on a run video's drift from the first minute to the last.
pub fn drift_sentence(s: &VideoSummary) -> String {
    let Some(d) = &s.drift else {
        return format!("No drift yet: {}.", s.drift_note.as_deref().unwrap_or("too few usable frames"));
    };
    let part = |name: &str, c: &posture::Change, f: fn(f64) -> String, up: &str, down: &str| match (c.verdict, c.error)
    {
        (posture::Verdict::Up, Some(e)) => {
            format!("{name} {} → {}: {} {up} (error ±{})", f(c.from), f(c.to), f(c.delta.abs()), f(e))
        }
        (posture::Verdict::Down, Some(e)) => {
            format!("{name} {} → {}: {} {down} (error ±{})", f(c.from), f(c.to), f(c.delta.abs()), f(e))
        }
        (_, e) => format!(
            "{name} {} → {}: no measurable change{}",
            f(c.from),
            f(c.to),
            e.map(|e| format!(" (within ±{})", f(e))).unwrap_or_default()
        ),
    };
    format!(
        "From minute {} to minute {}: {}; {}.",
        d.first_minute + 1,
        d.last_minute + 1,
        part("head forward", &d.head_forward, |v| format!("{v:.2}"), "further ahead", "further back"),
        part("trunk lean", &d.trunk_lean, |v| format!("{v:.1}°"), "more forward lean", "more upright"),
    )
}
