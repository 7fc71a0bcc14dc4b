//! GPX → drafts.
//!
//! A GPX file usually holds one recorded track. Files from GPS units (GPSBabel dumps) can hold
//! several tracks from different days; tracks more than [`SPLIT_GAP_S`] apart become separate
//! activities, closer ones are one activity with a pause between them.

use runtall_domain::activity::Sport;
use runtall_trackxml::GpxFile;

use super::infer::{Fix, infer_sport};
use super::{Draft, MAX_ACTIVITIES_PER_FILE, Point, cadence_is_strides, f32_clean, is_foot_sport, too_many_activities};
use crate::error::ImportError;

/// Tracks further apart than this are separate activities (one hour).
pub const SPLIT_GAP_S: f64 = 3600.0;

/// The sport a GPX `<type>` names. Garmin Connect writes words (`running`, `trail_running`),
/// Strava its activity-type numbers (`9` run, `1` ride) or words (`Run`).
#[must_use]
pub fn sport_from_type(kind: &str) -> Option<Sport> {
    let k = kind.trim().to_ascii_lowercase().replace([' ', '-'], "_");
    Some(match k.as_str() {
        "9" | "run" | "running" | "street_running" | "road_running" => Sport::Running,
        "trail_running" | "trail_run" | "trailrunning" => Sport::TrailRunning,
        "treadmill_running" | "treadmill" | "indoor_running" | "virtual_run" | "virtualrun" => Sport::TreadmillRunning,
        "track_running" => Sport::TrackRunning,
        "10" | "walk" | "walking" => Sport::Walking,
        "4" | "hike" | "hiking" => Sport::Hiking,
        "1" | "17" | "18" | "ride" | "cycling" | "biking" | "road_biking" | "mountain_biking" | "gravel_cycling"
        | "virtual_ride" | "virtualride" | "ebikeride" | "e_bike_ride" => Sport::Cycling,
        "16" | "swim" | "swimming" | "open_water_swimming" | "lap_swimming" => Sport::Swimming,
        _ => return None,
    })
}

pub(crate) fn map_gpx(file: &GpxFile) -> Result<Vec<Draft>, ImportError> {
    if let Some(why) = file.not_activity() {
        return Err(ImportError::not_activity(why.to_string()));
    }
    let damaged = file.warnings.iter().any(runtall_trackxml::Warning::is_damage);
    let file_warnings: Vec<String> = file
        .warnings
        .iter()
        .map(ToString::to_string)
        .chain((file.warnings_omitted > 0).then(|| format!("{} further problems not listed", file.warnings_omitted)))
        .collect();

    // Group tracks into activities by time gap.
    let mut groups: Vec<Vec<&runtall_trackxml::GpxTrack>> = Vec::new();
    let mut last_end: Option<f64> = None;
    for trk in &file.tracks {
        let times = || trk.segments.iter().flat_map(|s| &s.points).filter_map(|p| p.time_ms);
        let first = times().next().map(|t| t as f64 / 1000.0);
        let last = times().next_back().map(|t| t as f64 / 1000.0);
        let split = match (last_end, first) {
            (Some(e), Some(f)) => f - e > SPLIT_GAP_S || f < e - 60.0,
            _ => false,
        };
        if split || groups.is_empty() {
            groups.push(Vec::new());
        }
        if let Some(g) = groups.last_mut() {
            g.push(trk);
        }
        if last.is_some() {
            last_end = last;
        }
    }

    // A file whose points mostly have no time cannot say when anything happened: the few timed points would make
    // a "run" of seconds. (A file with no time at all is a route, refused below as not an activity.)
    let all = || file.tracks.iter().flat_map(|t| &t.segments).flat_map(|s| &s.points);
    let (timed, total) = (all().filter(|p| p.time_ms.is_some()).count(), all().count());
    if timed > 0 && (total - timed) * 2 > total {
        return Err(ImportError::not_enough_data(format!(
            "{} of its {total} track points have no time, so the recording's timing cannot be trusted",
            total - timed
        )));
    }

    let mut drafts = Vec::new();
    let found = groups.len();
    groups.truncate(MAX_ACTIVITIES_PER_FILE);
    for g in groups {
        let named = g.iter().find_map(|t| t.kind.as_deref().and_then(sport_from_type));
        let typed = g.iter().any(|t| t.kind.as_deref().is_some_and(|k| !k.trim().is_empty()));
        let (sport, sport_reason) = match named {
            Some(s) => (s, None),
            // A type runtall does not know ("alpineTour") stays "other" with the file's word.
            None if typed => (Sport::Other, None),
            None => {
                let fixes: Vec<Fix> = g
                    .iter()
                    .flat_map(|t| &t.segments)
                    .flat_map(|s| &s.points)
                    .filter_map(|p| {
                        p.time_ms.map(|t| Fix { t: t as f64 / 1000.0, lat: p.lat_deg, lon: p.lon_deg, ele: p.ele_m })
                    })
                    .collect();
                let (s, why) = infer_sport(&fixes, file.creator.as_deref());
                (s, Some(why))
            }
        };
        let mut d = Draft::new(sport);
        d.sport_reason = sport_reason;
        d.damaged = damaged;
        d.sub_sport =
            g.iter().find_map(|t| t.kind.clone()).filter(|k| sport_from_type(k).is_none() || sport == Sport::Other);
        d.name = g.iter().find_map(|t| t.name.clone()).or_else(|| file.name.clone());
        d.device = file.creator.clone();
        d.warnings = file_warnings.clone();
        let pts = || g.iter().flat_map(|t| &t.segments).flat_map(|s| &s.points);
        let strides = !is_foot_sport(sport) || cadence_is_strides(pts().filter_map(|p| p.cadence_rpm.map(f32_clean)));
        let cad_factor = if is_foot_sport(sport) && strides { 2.0 } else { 1.0 };
        let mut untimed = 0usize;
        let mut first_in_segment;
        for seg in g.iter().flat_map(|t| &t.segments) {
            first_in_segment = true;
            for p in &seg.points {
                let Some(t) = p.time_ms else {
                    untimed += 1;
                    continue;
                };
                if d.utc_offset_s.is_none() {
                    d.utc_offset_s = p.utc_offset_min.filter(|m| *m != 0).map(|m| i32::from(m) * 60);
                }
                d.points.push(Point {
                    t: t as f64 / 1000.0,
                    distance_m: p.distance_m,
                    speed_mps: p.speed_m_s,
                    hr_bpm: p.hr_bpm.map(f32_clean),
                    cadence_spm: p.cadence_rpm.map(|c| f32_clean(c) * cad_factor),
                    altitude_m: p.ele_m,
                    lat_deg: Some(p.lat_deg),
                    lon_deg: Some(p.lon_deg),
                    after_break: first_in_segment && !d.points.is_empty(),
                });
                first_in_segment = false;
            }
        }
        if untimed > 0 {
            d.warnings.push(format!("{untimed} track points without a time were not used"));
        }
        if !is_foot_sport(sport) {
            for p in &mut d.points {
                p.cadence_spm = None;
            }
        }
        if !d.points.is_empty() {
            drafts.push(d);
        }
    }
    if drafts.is_empty() {
        return Err(ImportError::not_activity("no track point has a time, so there is no recorded activity"));
    }
    if let (true, Some(first)) = (found > MAX_ACTIVITIES_PER_FILE, drafts.first_mut()) {
        first.warnings.push(too_many_activities(found));
    }
    Ok(drafts)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gpx_types() {
        assert_eq!(sport_from_type("running"), Some(Sport::Running));
        assert_eq!(sport_from_type("Trail Run"), Some(Sport::TrailRunning));
        assert_eq!(sport_from_type("9"), Some(Sport::Running));
        assert_eq!(sport_from_type("1"), Some(Sport::Cycling));
        assert_eq!(sport_from_type("alpineTour"), None);
    }
}
