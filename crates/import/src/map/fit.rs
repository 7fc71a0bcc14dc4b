//! FIT → drafts: one per `session` (a multisport or chained file gives several).

use runtall_domain::activity::{LapIntensity, RunningDynamics, Sport};
use runtall_fit::{ActivityKind, FitActivity, Intensity, LapTrigger, Record, Session, profile};

use super::{Draft, DraftLap, MAX_ACTIVITIES_PER_FILE, Point, is_foot_sport, too_many_activities};
use crate::error::ImportError;

/// FIT `file` types that are certainly not recorded activities, with the words we show.
fn non_activity_file(t: u8) -> Option<&'static str> {
    Some(match t {
        1 => "device description",
        2 => "settings",
        3 => "sport settings",
        5 => "workout (a planned session)",
        6 => "course (a planned route)",
        7 => "schedules",
        9 => "weight",
        10 => "totals",
        11 => "goals",
        14 => "blood pressure",
        15 | 32 => "monitoring (all-day tracking)",
        20 => "activity summary",
        28 => "daily monitoring",
        34 => "segment",
        35 => "segment list",
        40 => "display configuration",
        _ => return None,
    })
}

/// The domain sport for a FIT sport/sub-sport pair.
fn sport_of(kind: ActivityKind) -> Sport {
    match kind {
        ActivityKind::Running => Sport::Running,
        ActivityKind::TrailRunning => Sport::TrailRunning,
        ActivityKind::TreadmillRunning => Sport::TreadmillRunning,
        ActivityKind::TrackRunning => Sport::TrackRunning,
        ActivityKind::Walking => Sport::Walking,
        ActivityKind::Hiking => Sport::Hiking,
        ActivityKind::Cycling | ActivityKind::IndoorCycling => Sport::Cycling,
        ActivityKind::PoolSwimming | ActivityKind::OpenWaterSwimming | ActivityKind::Swimming => Sport::Swimming,
        ActivityKind::Rowing | ActivityKind::Transition | ActivityKind::Generic | ActivityKind::Other => Sport::Other,
    }
}

/// The file's own words for the sport, kept for display: the sub-sport when it says more than
/// "generic", else the sport when our [`Sport`] cannot say it (rowing, transition, ...).
fn sub_sport_text(sport: Option<u8>, sub: Option<u8>, mapped: Sport) -> Option<String> {
    if let Some(s) = sub.filter(|s| *s != 0) {
        return Some(profile::sub_sport_name(s).map_or_else(|| format!("sub-sport {s}"), str::to_string));
    }
    if mapped == Sport::Other {
        return sport.map(|s| profile::sport_name(s).map_or_else(|| format!("sport {s}"), str::to_string));
    }
    None
}

/// Whether a product name from the file reads as a name: printable, at least two characters, at least half of
/// them letters or digits. A message read from damaged bytes (or a writer that fills the field with junk) gives
/// strings of control and replacement characters that must not become the watch's name on every page.
fn readable_name(s: &str) -> bool {
    let s = s.trim();
    let n = s.chars().count();
    let alnum = s.chars().filter(|c| c.is_alphanumeric()).count();
    n >= 2 && alnum * 2 >= n && !s.chars().any(|c| c.is_control() || c == '\u{fffd}')
}

fn device_name(fit: &FitActivity) -> Option<String> {
    let creator = fit.devices.iter().find(|d| d.device_index == Some(0));
    let fid = fit.file_id.as_ref();
    let manufacturer = fid.and_then(|f| f.manufacturer).or_else(|| creator.and_then(|c| c.manufacturer));
    let product_name = fid
        .and_then(|f| f.product_name.clone())
        .filter(|s| readable_name(s))
        .or_else(|| creator.and_then(|c| c.product_name.clone()))
        .filter(|s| readable_name(s));
    let product = fid.and_then(|f| f.product).or_else(|| creator.and_then(|c| c.product));
    let maker =
        manufacturer.map(|m| profile::manufacturer_name(m).map_or_else(|| format!("manufacturer {m}"), str::to_string));
    match (maker, product_name, product) {
        (Some(m), Some(p), _) => Some(format!("{m} {p}")),
        (Some(m), None, Some(p)) => Some(format!("{m} product {p}")),
        (Some(m), None, None) => Some(m),
        (None, Some(p), _) => Some(p),
        (None, None, _) => None,
    }
}

fn intensity(i: Intensity) -> Option<LapIntensity> {
    Some(match i {
        Intensity::Active => LapIntensity::Active,
        Intensity::Rest => LapIntensity::Rest,
        Intensity::Warmup => LapIntensity::Warmup,
        Intensity::Cooldown => LapIntensity::Cooldown,
        Intensity::Recovery => LapIntensity::Recovery,
        Intensity::Interval => LapIntensity::Interval,
        Intensity::Other | Intensity::Unknown(_) => return None,
    })
}

fn trigger(t: LapTrigger) -> Option<String> {
    Some(
        match t {
            LapTrigger::Manual => "manual",
            LapTrigger::Time => "time",
            LapTrigger::Distance => "distance",
            LapTrigger::PositionStart
            | LapTrigger::PositionLap
            | LapTrigger::PositionWaypoint
            | LapTrigger::PositionMarked => "position",
            LapTrigger::SessionEnd => "session-end",
            LapTrigger::FitnessEquipment => "fitness-equipment",
            LapTrigger::Unknown(_) => return None,
        }
        .to_string(),
    )
}

/// Cadence as a runner reads it: FIT stores cycles per minute, which for foot sports are
/// strides (one leg), so steps per minute are twice that.
fn cadence(c: Option<u8>, frac: Option<f32>, foot: bool) -> Option<f64> {
    let v = runtall_fit::cadence_with_fraction(c, frac).map(f64::from)?;
    Some(if foot { v * 2.0 } else { v })
}

fn point(r: &Record, foot: bool) -> Option<Point> {
    let t = r.timestamp_s? as f64;
    Some(Point {
        t,
        distance_m: r.distance_m,
        speed_mps: r.speed_mps,
        hr_bpm: r.heart_rate_bpm.map(f64::from),
        cadence_spm: cadence(r.cadence_rpm, r.fractional_cadence_rpm, foot),
        altitude_m: r.altitude_m,
        lat_deg: r.position_lat_deg,
        lon_deg: r.position_long_deg,
        after_break: false,
    })
}

/// Running sums for the per-record values an activity keeps only as averages (respiration,
/// running dynamics), so the sample stream stays small.
#[derive(Debug, Default, Clone, Copy)]
struct Means {
    sums: [f64; 5],
    counts: [u32; 5],
    dropped_respiration: usize,
}

impl Means {
    fn add(&mut self, r: &Record) {
        let mut put = |i: usize, v: Option<f32>, lo: f64, hi: f64| {
            if let Some(x) = v.map(f64::from) {
                if x.is_finite() && (lo..=hi).contains(&x) {
                    self.sums[i] += x;
                    self.counts[i] += 1;
                } else if i == 0 {
                    self.dropped_respiration += 1;
                }
            }
        };
        put(0, r.respiration_rate_brpm, 1.0, 100.0);
        put(1, r.vertical_oscillation_mm, 1.0, 500.0);
        put(2, r.stance_time_ms, 1.0, 2000.0);
        put(3, r.step_length_mm, 1.0, 5000.0);
        put(4, r.vertical_ratio_percent, 0.1, 100.0);
    }

    fn mean(&self, i: usize) -> Option<f64> {
        (self.counts[i] > 0).then(|| self.sums[i] / f64::from(self.counts[i]))
    }

    /// Fill what the session summary did not give.
    fn apply(&self, d: &mut Draft) {
        d.avg_respiration_brpm = d.avg_respiration_brpm.or(self.mean(0));
        let dy = d.dynamics.get_or_insert_with(RunningDynamics::default);
        dy.vertical_oscillation_mm = dy.vertical_oscillation_mm.or(self.mean(1));
        dy.stance_time_ms = dy.stance_time_ms.or(self.mean(2));
        dy.step_length_mm = dy.step_length_mm.or(self.mean(3));
        dy.vertical_ratio_pct = dy.vertical_ratio_pct.or(self.mean(4));
        if self.dropped_respiration > 0 {
            d.warnings
                .push(format!("dropped {} respiration values outside 1–100 breaths/min", self.dropped_respiration));
        }
    }
}

fn lap(l: &runtall_fit::Lap, foot: bool) -> DraftLap {
    DraftLap {
        start: lap_start(l).map(|t| t as f64),
        elapsed_s: l.total_elapsed_time_s,
        timer_s: l.total_timer_time_s,
        distance_m: l.total_distance_m,
        avg_speed_mps: l.avg_speed_mps,
        max_speed_mps: l.max_speed_mps,
        avg_hr_bpm: l.avg_heart_rate_bpm.map(f64::from),
        max_hr_bpm: l.max_heart_rate_bpm.map(f64::from),
        avg_cadence_spm: cadence(l.avg_cadence_rpm, l.avg_fractional_cadence_rpm, foot),
        intensity: l.intensity.and_then(intensity),
        trigger: l.lap_trigger.and_then(trigger),
    }
}

fn lap_start(l: &runtall_fit::Lap) -> Option<i64> {
    l.start_time_s.or_else(|| Some(l.timestamp_s? - l.total_elapsed_time_s? as i64))
}

/// Start and, when known, end of a session (Unix s).
type Window = (i64, Option<i64>);

/// Start and end (Unix s) of a session, from whichever fields it has.
///
/// `start_time` is normally right. Some watches (a fenix 2 in the corpus) write one later than
/// the session's first lap and samples; end minus elapsed then matches a lap start, and wins.
/// Others (a round-tripped fr955 file) write `timestamp` = start, so end minus elapsed alone
/// cannot be trusted either: it must be confirmed by a lap starting there.
fn session_window(s: &Session, lap_starts: &[i64]) -> Option<Window> {
    let elapsed = s.total_elapsed_time_s.filter(|e| e.is_finite() && *e >= 0.0).map(|e| e.ceil() as i64);
    let from_end = s.timestamp_s.zip(elapsed).map(|(ts, e)| ts - e);
    let start = match (s.start_time_s, from_end) {
        (Some(a), Some(b)) if b < a - 60 && lap_starts_near(lap_starts, b) => b,
        (a, b) => a.or(b)?,
    };
    let end = elapsed.map(|e| start + e).or(s.timestamp_s);
    Some((start, end))
}

/// Whether a lap starts within 5 s of `t`; `lap_starts` is sorted, so this is a binary search (a file can hold
/// many sessions and laps).
fn lap_starts_near(lap_starts: &[i64], t: i64) -> bool {
    let i = lap_starts.partition_point(|l| *l < t - 5);
    lap_starts.get(i).is_some_and(|l| *l <= t + 5)
}

/// The session each lap belongs to, by the sessions' own `first_lap_index` and `num_laps`, when every session
/// has both and together they name each lap once (laps counted in file order). `None` otherwise: then time decides.
fn laps_by_session_index(sessions: &[(&Session, Option<Window>)], laps: usize) -> Option<Vec<Option<usize>>> {
    let mut owners = vec![None; laps];
    for (i, (s, _)) in sessions.iter().enumerate() {
        let (first, n) = (usize::from(s.first_lap_index?), usize::from(s.num_laps?));
        for o in owners.get_mut(first..first.checked_add(n)?)? {
            if o.is_some() {
                return None;
            }
            *o = Some(i);
        }
    }
    owners.iter().all(Option::is_some).then_some(owners)
}

/// FIT times below 0x10000000 count seconds since the device was switched on, not since the
/// FIT epoch: the watch had no clock (no GPS fix yet, old ANT-FS devices). They decode to dates
/// in 1990-1998; we keep them, since the run itself is real, and say the date is not.
const FIT_RELATIVE_TIME_END_UNIX_S: i64 = runtall_fit::FIT_EPOCH_UNIX_S + 0x1000_0000;

fn warnings(fit: &FitActivity) -> Vec<String> {
    let mut w: Vec<String> = fit
        .warnings
        .iter()
        .map(|w| {
            if w.kind.is_damage() {
                format!("damaged FIT data, salvaged: {w}")
            } else {
                format!("unusual FIT data, read around it: {w}")
            }
        })
        .collect();
    let first = fit
        .sessions
        .iter()
        .filter_map(|s| s.start_time_s)
        .chain(fit.records.iter().filter_map(|r| r.timestamp_s))
        .min();
    if first.is_some_and(|t| t < FIT_RELATIVE_TIME_END_UNIX_S) {
        w.push(
            "the watch's clock was not set when it recorded this: its times count from when it was switched on, \
             so the date shown (1990s) is not the real date"
                .into(),
        );
    }
    w
}

/// How many sessions share the records, for sizing each session's buffer.
fn drafts_len_hint(fit: &FitActivity) -> usize {
    fit.sessions.len().max(1)
}

/// Map a decoded FIT file to one draft per session.
pub(crate) fn map_fit(fit: &FitActivity) -> Result<Vec<Draft>, ImportError> {
    let mut notes = Vec::new();
    if let Some(t) = fit.file_id.as_ref().and_then(|f| f.file_type)
        && t != 4
    {
        if let Some(what) = non_activity_file(t) {
            return Err(ImportError::not_activity(format!("this FIT file holds {what} data, not a recorded activity")));
        }
        notes.push(format!("the FIT file type is {t}, not 4 (activity); read as an activity anyway"));
    }
    if fit.sessions.is_empty() && fit.records.is_empty() {
        return Err(ImportError::not_activity(
            "the FIT file holds no session and no samples, so there is no activity in it",
        ));
    }
    let device = device_name(fit);
    let damaged = fit.warnings.iter().any(|w| w.kind.is_damage());
    let utc_offset = fit.activity.as_ref().and_then(|a| a.utc_offset_s).and_then(|o| i32::try_from(o).ok());
    let mut base_warnings = warnings(fit);
    base_warnings.extend(notes);

    if fit.sessions.is_empty() {
        let (sport, sub) = fit
            .sport
            .as_ref()
            .map(|s| (s.sport, s.sub_sport))
            .or_else(|| fit.laps.iter().find(|l| l.sport.is_some()).map(|l| (l.sport, l.sub_sport)))
            .unwrap_or((None, None));
        let mapped = sport_of(ActivityKind::from_sport(sport, sub));
        let foot = is_foot_sport(mapped);
        let mut d = Draft::new(mapped);
        d.sub_sport = sub_sport_text(sport, sub, mapped);
        d.device = device;
        d.utc_offset_s = utc_offset;
        d.warnings = base_warnings;
        d.warnings.push(
            "the file has no session summary (it was probably cut short); totals were computed from the samples".into(),
        );
        // No summary at the end of an activity file means the file stops early.
        d.damaged = true;
        d.points = fit.records.iter().filter_map(|r| point(r, foot)).collect();
        d.laps = fit.laps.iter().map(|l| lap(l, foot)).collect();
        let mut m = Means::default();
        fit.records.iter().for_each(|r| m.add(r));
        m.apply(&mut d);
        return Ok(vec![d]);
    }

    let mut lap_starts: Vec<i64> = fit.laps.iter().filter_map(lap_start).collect();
    lap_starts.sort_unstable();
    // Sessions in time order (chained files may list them out of order), each with its window.
    let mut sessions: Vec<(&Session, Option<Window>)> =
        fit.sessions.iter().map(|s| (s, session_window(s, &lap_starts))).collect();
    sessions.sort_by_key(|(_, w)| w.map_or(i64::MAX, |w| w.0));
    if sessions.len() > MAX_ACTIVITIES_PER_FILE {
        base_warnings.push(too_many_activities(sessions.len()));
        sessions.truncate(MAX_ACTIVITIES_PER_FILE);
    }
    let single = sessions.len() == 1;
    // Which session a time belongs to: the last one starting at or before it (1 s slack), as long
    // as it is not well past that session's end.
    let owner = |t: i64| -> Option<usize> {
        if single {
            return Some(0);
        }
        let i = sessions.iter().rposition(|(_, w)| w.is_some_and(|(s, _)| s <= t + 1))?;
        match sessions[i].1 {
            Some((_, Some(end))) if t > end + 5 => None,
            _ => Some(i),
        }
    };

    let mut drafts: Vec<Draft> = sessions
        .iter()
        .map(|(s, w)| {
            let mapped = sport_of(s.kind());
            let mut d = Draft::new(mapped);
            d.sub_sport = sub_sport_text(s.sport, s.sub_sport, mapped);
            d.start = w.map(|w| w.0 as f64);
            d.utc_offset_s = utc_offset;
            d.elapsed_s = s.total_elapsed_time_s;
            d.timer_s = s.total_timer_time_s;
            d.moving_s = s.total_moving_time_s;
            d.damaged = damaged;
            d.distance_m = s.total_distance_m;
            d.ascent_m = s.total_ascent_m.map(f64::from);
            d.descent_m = s.total_descent_m.map(f64::from);
            d.avg_hr_bpm = s.avg_heart_rate_bpm.map(f64::from);
            d.max_hr_bpm = s.max_heart_rate_bpm.map(f64::from);
            d.avg_cadence_spm = cadence(s.avg_cadence_rpm, s.avg_fractional_cadence_rpm, is_foot_sport(mapped));
            let dy = RunningDynamics {
                vertical_oscillation_mm: s.avg_vertical_oscillation_mm.map(f64::from),
                stance_time_ms: s.avg_stance_time_ms.map(f64::from),
                step_length_mm: s.avg_step_length_mm.map(f64::from),
                vertical_ratio_pct: s.avg_vertical_ratio_percent.map(f64::from),
            };
            d.dynamics = Some(dy);
            d.device = device.clone();
            d.warnings = base_warnings.clone();
            d
        })
        .collect();

    let mut outside = 0usize;
    let mut means = vec![Means::default(); drafts.len()];
    for d in &mut drafts {
        d.points.reserve(fit.records.len() / drafts_len_hint(fit));
    }
    for r in &fit.records {
        let Some(t) = r.timestamp_s else {
            outside += 1;
            continue;
        };
        match owner(t) {
            Some(i) => {
                let foot = is_foot_sport(drafts[i].sport);
                if let Some(p) = point(r, foot) {
                    drafts[i].points.push(p);
                }
                means[i].add(r);
            }
            None => outside += 1,
        }
    }
    let by_index = laps_by_session_index(&sessions, fit.laps.len());
    for (k, l) in fit.laps.iter().enumerate() {
        let i = if single {
            Some(0)
        } else if let Some(owners) = &by_index {
            owners[k]
        } else {
            // A lap belongs to the session its middle falls in: a transition's lap can start the second the
            // next session starts (the 1 s slack for samples would hand it to the wrong one).
            lap_start(l)
                .map(|s| {
                    s + l.total_elapsed_time_s.filter(|e| e.is_finite() && *e > 0.0).map_or(0, |e| (e / 2.0) as i64)
                })
                .and_then(owner)
        };
        if let Some(i) = i {
            let foot = is_foot_sport(drafts[i].sport);
            drafts[i].laps.push(lap(l, foot));
        }
    }
    for (d, m) in drafts.iter_mut().zip(&means) {
        m.apply(d);
    }
    if outside > 0 {
        for d in &mut drafts {
            d.warnings.push(format!("{outside} samples outside every session of the file were not used"));
        }
    }
    Ok(drafts)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn product_names_from_garbage_are_not_names() {
        assert!(readable_name("Forerunner 945"));
        assert!(readable_name("Edge 530"));
        assert!(!readable_name("\u{1}\u{2}\u{fffd}\u{fffd}"));
        assert!(!readable_name("~@#%&"), "mostly punctuation");
        assert!(!readable_name("x"));
        assert_eq!(profile::manufacturer_name(258), Some("lezyne"));
    }
}
