//! TCX → drafts: one per `<Activity>` that has laps (multi-sport files give several).

use runtall_domain::activity::{LapIntensity, Sport};
use runtall_trackxml::{TcxActivity, TcxFile, TcxIntensity, TcxSport, TcxTriggerMethod};

use super::{
    Draft, DraftLap, MAX_ACTIVITIES_PER_FILE, Point, cadence_is_strides, f32_clean, is_foot_sport, too_many_activities,
};
use crate::error::ImportError;

fn sport_of(s: Option<TcxSport>) -> Sport {
    match s {
        Some(TcxSport::Running) => Sport::Running,
        Some(TcxSport::Biking) => Sport::Cycling,
        Some(TcxSport::Other) | None => Sport::Other,
    }
}

fn trigger(t: TcxTriggerMethod) -> String {
    match t {
        TcxTriggerMethod::Manual => "manual",
        TcxTriggerMethod::Distance => "distance",
        TcxTriggerMethod::Location => "position",
        TcxTriggerMethod::Time => "time",
        TcxTriggerMethod::HeartRate => "heart-rate",
    }
    .to_string()
}

pub(crate) fn map_tcx(file: &TcxFile) -> Result<Vec<Draft>, ImportError> {
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
    let with_laps = file.activities.iter().filter(|a| !a.laps.is_empty());
    // Trackpoints mostly without a time cannot say when anything happened (see the GPX mapper).
    let points = || with_laps.clone().flat_map(|a| &a.laps).flat_map(|l| l.trackpoints());
    let (timed, total) = (points().filter(|p| p.time_ms.is_some()).count(), points().count());
    if timed > 0 && (total - timed) * 2 > total {
        return Err(ImportError::not_enough_data(format!(
            "{} of its {total} trackpoints have no time, so the recording's timing cannot be trusted",
            total - timed
        )));
    }
    let mut drafts: Vec<Draft> = with_laps
        .clone()
        .take(MAX_ACTIVITIES_PER_FILE)
        .map(|a| {
            let mut d = map_activity(a, &file_warnings);
            d.damaged = damaged;
            d
        })
        .collect();
    let found = with_laps.count();
    if let (true, Some(first)) = (found > MAX_ACTIVITIES_PER_FILE, drafts.first_mut()) {
        first.warnings.push(too_many_activities(found));
    }
    Ok(drafts)
}

fn map_activity(a: &TcxActivity, file_warnings: &[String]) -> Draft {
    let sport = sport_of(a.sport);
    let foot = is_foot_sport(sport);
    let mut d = Draft::new(sport);
    d.device = a.creator_name.clone();
    d.warnings = file_warnings.to_vec();
    if a.sport.is_none() {
        d.sub_sport = None;
    }

    // Running cadence: `RunCadence` (strides), or `Cadence` that some apps (Polar) write for runs.
    let run_cad = |p: &runtall_trackxml::TcxTrackpoint| p.run_cadence_rpm.or(p.cadence_rpm).map(f32_clean);
    let strides = cadence_is_strides(a.laps.iter().flat_map(|l| l.trackpoints()).filter_map(run_cad));
    let factor = if foot && strides { 2.0 } else { 1.0 };

    let first_lap_start = a.laps.iter().find_map(|l| l.start_time_ms).map(|t| t as f64 / 1000.0);
    d.start = a.id_time_ms.map(|t| t as f64 / 1000.0).or(first_lap_start);
    if let (Some(id), Some(lap)) = (d.start, first_lap_start)
        && (id - lap).abs() > 3600.0
    {
        // Some writers put the upload time in <Id>; the first lap tells when the run started.
        d.start = Some(lap);
    }
    d.utc_offset_s = a.laps.iter().find_map(|l| l.start_utc_offset_min).filter(|m| *m != 0).map(|m| i32::from(m) * 60);

    let mut timer = 0.0;
    let mut all_timer = true;
    let mut dist = 0.0;
    let mut all_dist = true;
    let mut end: Option<f64> = None;
    let (mut hr_sum, mut hr_w) = (0.0, 0.0);
    let mut max_hr: Option<f64> = None;
    for l in &a.laps {
        let lap_s = l.start_time_ms.map(|t| t as f64 / 1000.0);
        match l.total_time_s {
            Some(t) => {
                timer += t;
                if let Some(s) = lap_s {
                    end = Some(end.map_or(s + t, |e: f64| e.max(s + t)));
                }
                if let Some(h) = l.avg_hr_bpm {
                    hr_sum += f32_clean(h) * t;
                    hr_w += t;
                }
            }
            None => all_timer = false,
        }
        match l.distance_m {
            Some(x) => dist += x,
            None => all_dist = false,
        }
        if let Some(m) = l.max_hr_bpm {
            max_hr = Some(max_hr.map_or(f32_clean(m), |x: f64| x.max(f32_clean(m))));
        }
        let avg_cad = l.avg_run_cadence_rpm.or(if foot { l.cadence_rpm } else { None }).map(|c| f32_clean(c) * factor);
        d.laps.push(DraftLap {
            start: lap_s,
            elapsed_s: l.total_time_s,
            timer_s: l.total_time_s,
            distance_m: l.distance_m,
            avg_speed_mps: l.avg_speed_m_s,
            max_speed_mps: l.max_speed_m_s,
            avg_hr_bpm: l.avg_hr_bpm.map(f32_clean),
            max_hr_bpm: l.max_hr_bpm.map(f32_clean),
            avg_cadence_spm: avg_cad,
            intensity: l.intensity.map(|i| match i {
                TcxIntensity::Active => LapIntensity::Active,
                TcxIntensity::Resting => LapIntensity::Rest,
            }),
            trigger: l.trigger_method.map(trigger),
        });
        for (k, trk) in l.tracks.iter().enumerate() {
            for (j, p) in trk.trackpoints.iter().enumerate() {
                let Some(t) = p.time_ms else { continue };
                d.points.push(Point {
                    t: t as f64 / 1000.0,
                    distance_m: p.distance_m,
                    speed_mps: p.speed_m_s,
                    hr_bpm: p.hr_bpm.map(f32_clean),
                    cadence_spm: if foot { run_cad(p).map(|c| c * factor) } else { None },
                    altitude_m: p.altitude_m,
                    lat_deg: p.lat_deg,
                    lon_deg: p.lon_deg,
                    // A new <Track> inside a lap follows a pause; a new lap does not.
                    after_break: j == 0 && k > 0,
                });
            }
        }
    }
    if all_timer && timer > 0.0 {
        d.timer_s = Some(timer);
    }
    if let (Some(s), Some(e)) = (d.start, end) {
        d.elapsed_s = Some(e - s).filter(|x| *x > 0.0);
    }
    if all_dist && dist > 0.0 {
        d.distance_m = Some(dist);
    }
    // TCX has no session summary: the totals are the laps' sums, to be checked against the track.
    d.totals_from_laps = true;
    if hr_w > 0.0 {
        d.avg_hr_bpm = Some(hr_sum / hr_w);
    }
    d.max_hr_bpm = max_hr;
    // Elapsed must cover the last sample too (lap totals can be timer time only).
    if let (Some(s), Some(last)) = (d.start, d.points.last())
        && d.elapsed_s.is_none_or(|e| last.t - s > e)
    {
        d.elapsed_s = Some(last.t - s);
    }
    d
}
