//! One file's bytes → activities: unwrap gzip, sniff the format, decode, map, validate.

use std::ops::ControlFlow;

use jiff::Timestamp;
use runtall_domain::activity::{Activity, SourceFile, Sport};
use sha2::{Digest, Sha256};

use crate::error::ImportError;
use crate::format::{self, Format, NameKind, Sniffed};
use crate::map::{self, Draft, Finish};
use crate::types::{EntryMeta, ImportOptions};

/// The sport a Strava activity type names, `None` for types runtall has no sport for.
#[must_use]
pub fn sport_from_strava_type(t: &str) -> Option<Sport> {
    let k: String = t.chars().filter(|c| c.is_ascii_alphanumeric()).collect::<String>().to_ascii_lowercase();
    Some(match k.as_str() {
        "run" => Sport::Running,
        "trailrun" => Sport::TrailRunning,
        "virtualrun" => Sport::TreadmillRunning,
        "walk" => Sport::Walking,
        "hike" => Sport::Hiking,
        "ride" | "virtualride" | "ebikeride" | "mountainbikeride" | "emountainbikeride" | "gravelride"
        | "velomobile" | "handcycle" => Sport::Cycling,
        "swim" => Sport::Swimming,
        _ => return None,
    })
}

/// SHA-256 of `bytes` as lowercase hex: the identity of a file's content, used to recognise a
/// file imported before whatever its name or container.
#[must_use]
pub fn content_hash(bytes: &[u8]) -> String {
    let digest = Sha256::digest(bytes);
    let mut s = String::with_capacity(64);
    for b in digest {
        s.push(char::from(b"0123456789abcdef"[usize::from(b >> 4)]));
        s.push(char::from(b"0123456789abcdef"[usize::from(b & 15)]));
    }
    s
}

/// The result of decoding one file.
#[derive(Debug)]
pub struct Decoded {
    /// The format found (after any gzip layer).
    pub format: Format,
    /// Size of the decoded (decompressed) file.
    pub bytes: u64,
    /// One activity per session (FIT), `<Activity>` (TCX) or group of tracks (GPX).
    pub activities: Vec<Activity>,
}

/// Decode one file held in memory: `bytes` may be FIT, GPX or TCX, plain or gzipped; `source` is
/// the name shown to the runner and stored as the source path (`archive.zip!inner/name` for
/// archive entries); its extension is only a hint.
///
/// # Errors
/// An [`ImportError`] when the file is not an activity or nothing usable could be read.
pub fn decode_bytes(bytes: &[u8], source: &str, options: &ImportOptions) -> Result<Decoded, ImportError> {
    decode_with_meta(bytes, source, None, options, None)
}

/// Told the byte position as decoding goes; `Break` stops it.
pub(crate) type Watch<'w> = &'w mut dyn FnMut(usize) -> ControlFlow<()>;

/// [`decode_bytes`] plus what an export index says about the file, and a watcher for progress and stopping.
pub(crate) fn decode_with_meta(
    bytes: &[u8],
    source: &str,
    meta: Option<&EntryMeta>,
    options: &ImportOptions,
    mut watch: Option<Watch<'_>>,
) -> Result<Decoded, ImportError> {
    let mut keep_going = |_: usize| ControlFlow::Continue(());
    let watch: Watch<'_> = match watch.take() {
        Some(w) => w,
        None => &mut keep_going,
    };
    let hint = format::name_kind(source);
    let mut notes = Vec::new();
    let unzipped;
    let mut data = bytes;
    match format::sniff(data) {
        Sniffed::Gzip => {
            // Decompressing is not progress through the file yet: report the start while it runs.
            unzipped = format::gunzip_watched(data, options.max_file_bytes, options.max_ratio, &mut |_| watch(0))?;
            data = &unzipped;
        }
        _ if matches!(hint, NameKind::Activity { gzipped: true, .. }) => {
            notes.push("the file name ends in .gz but the file is not gzipped; read as is".to_string());
        }
        _ => {}
    }
    if data.len() as u64 > options.max_file_bytes {
        return Err(ImportError::TooLarge { limit: options.max_file_bytes, declared: None });
    }
    let hinted = match hint {
        NameKind::Activity { format, .. } => Some(format),
        _ => None,
    };
    let format = match format::sniff(data) {
        Sniffed::Format(f) => {
            if let Some(h) = hinted.filter(|h| *h != f) {
                notes.push(format!(
                    "the file is named .{} but holds {} data; read as {}",
                    h.as_str(),
                    f.as_str().to_uppercase(),
                    f.as_str().to_uppercase()
                ));
            }
            f
        }
        Sniffed::Gzip => {
            return Err(ImportError::UnknownFormat {
                detail: "gzip inside gzip; decompress it once and import it again".into(),
            });
        }
        Sniffed::Zip => {
            return Err(ImportError::UnknownFormat {
                detail: "this is a zip archive; import it with a .zip name so its entries are read".into(),
            });
        }
        // The name decides which decoder explains what is wrong (e.g. "binary data, not XML").
        other => match hinted {
            Some(f) => f,
            None => {
                return Err(ImportError::UnknownFormat {
                    detail: match other {
                        Sniffed::Empty => "the file is empty".into(),
                        Sniffed::Binary => "binary data that is not FIT".into(),
                        Sniffed::Text => "text that is not XML".into(),
                        _ => "XML that is neither GPX nor TCX".into(),
                    },
                });
            }
        },
    };

    let drafts = match format {
        Format::Fit => {
            let fit = runtall_fit::decode_watched(data, watch).map_err(ImportError::Fit)?;
            map::fit::map_fit(&fit)?
        }
        Format::Gpx => {
            let gpx =
                runtall_trackxml::parse_gpx_watched(data, &xml_options(options), watch).map_err(ImportError::Gpx)?;
            map::gpx::map_gpx(&gpx)?
        }
        Format::Tcx => {
            let tcx =
                runtall_trackxml::parse_tcx_watched(data, &xml_options(options), watch).map_err(ImportError::Tcx)?;
            map::tcx::map_tcx(&tcx)?
        }
    };

    let hash = content_hash(data);
    let now_s = options.now.unwrap_or_else(Timestamp::now).as_second();
    let n = drafts.len();
    let mut activities = Vec::with_capacity(n);
    let mut first_error = None;
    let mut failed = Vec::new();
    for (i, mut d) in drafts.into_iter().enumerate() {
        apply_meta(&mut d, meta, n);
        d.warnings.extend(notes.iter().cloned());
        // Each activity of a multi-activity file needs its own identity for duplicate checks.
        let content_hash = if n == 1 { hash.clone() } else { format!("{hash}#{}", i + 1) };
        let src = SourceFile { path: source.to_string(), format: format.as_str().to_string(), content_hash };
        match map::finalize(d, &Finish { now_s, source: &src, part_of_many: n > 1 }) {
            Ok(a) => activities.push(a),
            Err(e) => {
                failed.push(format!("activity {} of {n} in the file was skipped: {e}", i + 1));
                first_error.get_or_insert(e);
            }
        }
    }
    if activities.is_empty() {
        return Err(first_error.unwrap_or_else(|| ImportError::no_data("the file holds no activity")));
    }
    for a in &mut activities {
        a.warnings.extend(failed.iter().cloned());
    }
    Ok(Decoded { format, bytes: data.len() as u64, activities })
}

fn xml_options(options: &ImportOptions) -> runtall_trackxml::ParseOptions {
    runtall_trackxml::ParseOptions {
        max_bytes: usize::try_from(options.max_file_bytes).unwrap_or(usize::MAX),
        now_ms: options.now.map(|t| t.as_millisecond()),
        ..runtall_trackxml::ParseOptions::default()
    }
}

/// The export index knows what the runner called the activity and what type they set; both win
/// over the file (the runner may have corrected a mis-detected sport on the website). The type
/// only applies to a file holding one activity.
fn apply_meta(d: &mut Draft, meta: Option<&EntryMeta>, activities_in_file: usize) {
    let Some(m) = meta else { return };
    if let Some(name) = m.name.as_deref().map(str::trim).filter(|n| !n.is_empty()) {
        d.name = Some(name.to_string());
    }
    if activities_in_file != 1 {
        return;
    }
    if let Some(t) = m.activity_type.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
        match sport_from_strava_type(t) {
            Some(s) => {
                if s != d.sport {
                    if map::is_foot_sport(s) != map::is_foot_sport(d.sport) {
                        // Cadence units differ between step and crank sports: drop, do not guess.
                        for p in &mut d.points {
                            p.cadence_spm = None;
                        }
                        d.avg_cadence_spm = None;
                        for l in &mut d.laps {
                            l.avg_cadence_spm = None;
                        }
                    }
                    d.sport = s;
                }
            }
            None => {
                if d.sport == Sport::Other {
                    d.sub_sport = Some(t.to_string());
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hash_is_sha256_hex() {
        assert_eq!(content_hash(b"abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    }

    #[test]
    fn strava_types() {
        assert_eq!(sport_from_strava_type("Run"), Some(Sport::Running));
        assert_eq!(sport_from_strava_type("Trail Run"), Some(Sport::TrailRunning));
        assert_eq!(sport_from_strava_type("E-Bike Ride"), Some(Sport::Cycling));
        assert_eq!(sport_from_strava_type("Yoga"), None);
    }
}
