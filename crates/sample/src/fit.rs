//! Writes a simulated run as a real FIT activity file with `rustyfit`'s encoder.
//!
//! The demo season goes through the same import path as a runner's own watch files, so the sample data is
//! written as genuine FIT files (file id, timer events, records, laps, session, activity) rather than inserted
//! into the database directly.

use jiff::Timestamp;
use rustyfit::profile::{mesgdef, typedef};
use rustyfit::proto::{FIT, Message};

/// Seconds between the Unix epoch and the FIT epoch (1989-12-31T00:00:00Z).
const FIT_EPOCH: i64 = 631_065_600;

#[derive(Debug, Clone, Copy)]
pub struct SimSample {
    pub t_s: u32,
    pub distance_m: f64,
    pub speed_mps: f64,
    pub hr_bpm: u8,
    pub cadence_spm: f64,
    pub altitude_m: f64,
    pub lat_deg: f64,
    pub lon_deg: f64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LapKind {
    Warmup,
    Active,
    Rest,
    Cooldown,
}

/// A lap as sample index range `[start, end)`.
#[derive(Debug, Clone, Copy)]
pub struct SimLap {
    pub start: usize,
    pub end: usize,
    pub kind: LapKind,
}

#[derive(Debug, Clone)]
pub struct SimRun {
    pub start: Timestamp,
    pub utc_offset_s: i32,
    pub trail: bool,
    pub samples: Vec<SimSample>,
    pub laps: Vec<SimLap>,
}

fn fit_time(t: Timestamp, plus_s: u32) -> typedef::DateTime {
    typedef::DateTime((t.as_second() - FIT_EPOCH + i64::from(plus_s)).clamp(0, i64::from(u32::MAX - 1)) as u32)
}

fn semicircles(deg: f64) -> i32 {
    (deg * (2_147_483_648.0 / 180.0)).round() as i32
}

fn clamp_u16(v: f64) -> u16 {
    v.round().clamp(0.0, f64::from(u16::MAX - 1)) as u16
}

fn clamp_u32(v: f64) -> u32 {
    v.round().clamp(0.0, f64::from(u32::MAX - 1)) as u32
}

fn summary(samples: &[SimSample]) -> (f64, f64, u8, u8, u8, f64, f64) {
    let first = samples.first();
    let last = samples.last();
    let elapsed = match (first, last) {
        (Some(a), Some(b)) => f64::from(b.t_s.saturating_sub(a.t_s)),
        _ => 0.0,
    };
    let distance = match (first, last) {
        (Some(a), Some(b)) => b.distance_m - a.distance_m,
        _ => 0.0,
    };
    let n = samples.len().max(1) as f64;
    let avg_hr = (samples.iter().map(|s| f64::from(s.hr_bpm)).sum::<f64>() / n).round() as u8;
    let max_hr = samples.iter().map(|s| s.hr_bpm).max().unwrap_or(0);
    let avg_cad = (samples.iter().map(|s| s.cadence_spm).sum::<f64>() / n / 2.0).round() as u8;
    let max_speed = samples.iter().map(|s| s.speed_mps).fold(0.0, f64::max);
    let up: f64 = samples.windows(2).map(|w| (w[1].altitude_m - w[0].altitude_m).max(0.0)).sum();
    (elapsed, distance, avg_hr, max_hr, avg_cad, max_speed, up)
}

/// Encodes the run. Fails only if the encoder refuses the messages (a bug in the simulation).
pub fn encode(run: &SimRun) -> Result<Vec<u8>, String> {
    let s = &run.samples;
    if s.len() < 2 {
        return Err("a simulated run needs at least two samples".into());
    }
    let end_s = s.last().map(|x| x.t_s).unwrap_or(0);
    let mut messages = Vec::with_capacity(s.len() + run.laps.len() + 8);

    let mut file_id = mesgdef::FileId::new();
    file_id.r#type = typedef::File::ACTIVITY;
    file_id.manufacturer = typedef::Manufacturer::DEVELOPMENT;
    file_id.product = 1;
    file_id.serial_number = 20_261_122;
    file_id.time_created = fit_time(run.start, 0);
    file_id.product_name = "runtall sample watch".into();
    messages.push(Message::from(file_id));

    let mut start = mesgdef::Event::new();
    start.timestamp = fit_time(run.start, 0);
    start.event = typedef::Event::TIMER;
    start.event_type = typedef::EventType::START;
    messages.push(Message::from(start));

    for x in s {
        let mut r = mesgdef::Record::new();
        r.timestamp = fit_time(run.start, x.t_s);
        r.position_lat = semicircles(x.lat_deg);
        r.position_long = semicircles(x.lon_deg);
        r.distance = clamp_u32(x.distance_m * 100.0);
        r.speed = clamp_u16(x.speed_mps * 1000.0);
        r.altitude = clamp_u16((x.altitude_m + 500.0) * 5.0);
        r.heart_rate = x.hr_bpm;
        // FIT stores running cadence in strides per minute (one foot).
        r.cadence = (x.cadence_spm / 2.0).round().clamp(0.0, 254.0) as u8;
        messages.push(Message::from(r));
    }

    for (i, lap) in run.laps.iter().enumerate() {
        let part = &s[lap.start.min(s.len() - 1)..lap.end.min(s.len())];
        if part.len() < 2 {
            continue;
        }
        let (elapsed, distance, avg_hr, max_hr, avg_cad, max_speed, _) = summary(part);
        let mut l = mesgdef::Lap::new();
        l.message_index = typedef::MessageIndex(i as u16);
        l.timestamp = fit_time(run.start, part[part.len() - 1].t_s);
        l.start_time = fit_time(run.start, part[0].t_s);
        l.event = typedef::Event::LAP;
        l.event_type = typedef::EventType::STOP;
        l.total_elapsed_time = clamp_u32(elapsed * 1000.0);
        l.total_timer_time = clamp_u32(elapsed * 1000.0);
        l.total_distance = clamp_u32(distance * 100.0);
        l.avg_speed = clamp_u16(if elapsed > 0.0 { distance / elapsed * 1000.0 } else { 0.0 });
        l.max_speed = clamp_u16(max_speed * 1000.0);
        l.avg_heart_rate = avg_hr;
        l.max_heart_rate = max_hr;
        l.avg_cadence = avg_cad;
        l.intensity = match lap.kind {
            LapKind::Warmup => typedef::Intensity::WARMUP,
            LapKind::Active => typedef::Intensity::ACTIVE,
            LapKind::Rest => typedef::Intensity::REST,
            LapKind::Cooldown => typedef::Intensity::COOLDOWN,
        };
        l.lap_trigger = typedef::LapTrigger::DISTANCE;
        messages.push(Message::from(l));
    }

    let (elapsed, distance, avg_hr, max_hr, avg_cad, max_speed, ascent) = summary(s);
    let mut stop = mesgdef::Event::new();
    stop.timestamp = fit_time(run.start, end_s);
    stop.event = typedef::Event::TIMER;
    stop.event_type = typedef::EventType::STOP_ALL;
    messages.push(Message::from(stop));

    let mut session = mesgdef::Session::new();
    session.message_index = typedef::MessageIndex(0);
    session.timestamp = fit_time(run.start, end_s);
    session.start_time = fit_time(run.start, 0);
    session.event = typedef::Event::SESSION;
    session.event_type = typedef::EventType::STOP;
    session.sport = typedef::Sport::RUNNING;
    session.sub_sport = if run.trail { typedef::SubSport::TRAIL } else { typedef::SubSport::GENERIC };
    session.total_elapsed_time = clamp_u32(elapsed * 1000.0);
    session.total_timer_time = clamp_u32(elapsed * 1000.0);
    session.total_distance = clamp_u32(distance * 100.0);
    session.avg_speed = clamp_u16(if elapsed > 0.0 { distance / elapsed * 1000.0 } else { 0.0 });
    session.max_speed = clamp_u16(max_speed * 1000.0);
    session.avg_heart_rate = avg_hr;
    session.max_heart_rate = max_hr;
    session.avg_cadence = avg_cad;
    session.total_ascent = clamp_u16(ascent);
    session.first_lap_index = 0;
    session.num_laps = run.laps.len().max(1) as u16;
    messages.push(Message::from(session));

    let mut activity = mesgdef::Activity::new();
    activity.timestamp = fit_time(run.start, end_s);
    activity.total_timer_time = clamp_u32(elapsed * 1000.0);
    activity.num_sessions = 1;
    activity.r#type = typedef::Activity::MANUAL;
    activity.event = typedef::Event::ACTIVITY;
    activity.event_type = typedef::EventType::STOP;
    let local = run.start.as_second() - FIT_EPOCH + i64::from(end_s) + i64::from(run.utc_offset_s);
    activity.local_timestamp = typedef::LocalDateTime(local.clamp(0, i64::from(u32::MAX - 1)) as u32);
    messages.push(Message::from(activity));

    let mut fit = FIT { messages, ..Default::default() };
    let mut cursor = std::io::Cursor::new(Vec::new());
    {
        let mut writer = embedded_io_adapters::std::FromStd::new(&mut cursor);
        rustyfit::Encoder::new().encode(&mut writer, &mut fit).map_err(|e| format!("FIT encoder: {e:?}"))?;
    }
    Ok(cursor.into_inner())
}
