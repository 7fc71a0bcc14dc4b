//! Cross-check against rustyfit 0.11 on every corpus file: every record's time, position,
//! distance, speed, altitude, heart rate and cadence, and the session and lap totals, must agree
//! (within the rounding of rustyfit's component expansion).

mod support;

use rustyfit::profile::{mesgdef, typedef::MesgNum};
use support::{corpus_or_skip, fit_files};

/// All messages of all chained FIT files, via rustyfit. Its checksum is off: with a 14-byte
/// header whose CRC field is 0 ("not computed") rustyfit checks the file CRC over the data only
/// and rejects valid files (2013-02-06-12-11-14.fit); the FIT spec covers header and data, which
/// is what we check.
fn rustyfit_messages(bytes: &[u8]) -> Result<Vec<rustyfit::proto::Message>, String> {
    let mut dec = rustyfit::Decoder::builder().checksum(false).build();
    let mut reader: &[u8] = bytes;
    let mut out = Vec::new();
    loop {
        match dec.decode(&mut reader) {
            Ok(Some(fit)) => out.extend(fit.messages),
            Ok(None) => return Ok(out),
            Err(e) => return Err(format!("{e:?}")),
        }
    }
}

fn time(v: u32) -> Option<i64> {
    (v != u32::MAX).then(|| i64::from(v) + 631_065_600)
}
fn u8v(v: u8) -> Option<u8> {
    (v != u8::MAX).then_some(v)
}
fn u16v(v: u16) -> Option<u16> {
    (v != u16::MAX).then_some(v)
}
fn scaled32(v: u32, scale: f64, offset: f64) -> Option<f64> {
    (v != u32::MAX).then(|| f64::from(v) / scale - offset)
}
fn scaled16(v: u16, scale: f64, offset: f64) -> Option<f64> {
    (v != u16::MAX).then(|| f64::from(v) / scale - offset)
}
fn deg(v: i32) -> Option<f64> {
    (v != i32::MAX).then(|| f64::from(v) * 180.0 / 2_147_483_648.0)
}
/// Enhanced field when valid, else the 16-bit one.
fn prefer(enhanced: Option<f64>, plain: Option<f64>) -> Option<f64> {
    enhanced.or(plain)
}

#[track_caller]
fn same_f(what: &str, ours: Option<f64>, theirs: Option<f64>, tol: f64) {
    match (ours, theirs) {
        (None, None) => {}
        (Some(a), Some(b)) if (a - b).abs() <= tol => {}
        _ => panic!("{what}: ours {ours:?} rustyfit {theirs:?}"),
    }
}

#[track_caller]
fn same<T: PartialEq + std::fmt::Debug>(what: &str, ours: T, theirs: T) {
    assert_eq!(ours, theirs, "{what}");
}

#[test]
fn records_sessions_and_laps_agree_with_rustyfit() {
    let Some(corpus) = corpus_or_skip() else { return };
    let files = fit_files(&corpus.join("fit"));
    assert!(!files.is_empty());
    let mut total_records = 0usize;
    for path in files {
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or_default().to_string();
        let bytes = std::fs::read(&path).expect("read");
        let ours = runtall_fit::decode(&bytes).unwrap_or_else(|e| panic!("{name}: {e}"));
        let theirs = rustyfit_messages(&bytes).unwrap_or_else(|e| panic!("{name}: rustyfit: {e}"));

        let recs: Vec<mesgdef::Record> =
            theirs.iter().filter(|m| m.num == MesgNum::RECORD).map(mesgdef::Record::from).collect();
        assert_eq!(ours.records.len(), recs.len(), "{name}: record count");
        for (i, (o, t)) in ours.records.iter().zip(&recs).enumerate() {
            let w = |f: &str| format!("{name} record {i} {f}");
            same(&w("timestamp"), o.timestamp_s, time(t.timestamp.0));
            same_f(&w("lat"), o.position_lat_deg, deg(t.position_lat), 1e-12);
            same_f(&w("long"), o.position_long_deg, deg(t.position_long), 1e-12);
            let speed = prefer(scaled32(t.enhanced_speed, 1000.0, 0.0), scaled16(t.speed, 1000.0, 0.0));
            let distance = scaled32(t.distance, 100.0, 0.0);
            // rustyfit 0.11 does not expand `compressed_speed_distance` into speed and distance;
            // those records are checked against python-fitparse's CSV in tests/corpus.rs.
            let compressed_only = t.compressed_speed_distance != [0xFF; 3] && speed.is_none() && distance.is_none();
            if !compressed_only {
                same_f(&w("distance"), o.distance_m, distance, 0.011);
                same_f(&w("speed"), o.speed_mps, speed, 0.0011);
            }
            let alt = prefer(scaled32(t.enhanced_altitude, 5.0, 500.0), scaled16(t.altitude, 5.0, 500.0));
            same_f(&w("altitude"), o.altitude_m, alt, 0.21);
            same(&w("heart rate"), o.heart_rate_bpm, u8v(t.heart_rate));
            same(&w("cadence"), o.cadence_rpm, u8v(t.cadence));
            same(&w("power"), o.power_w, u16v(t.power));
        }
        total_records += recs.len();

        let sessions: Vec<mesgdef::Session> =
            theirs.iter().filter(|m| m.num == MesgNum::SESSION).map(mesgdef::Session::from).collect();
        assert_eq!(ours.sessions.len(), sessions.len(), "{name}: session count");
        for (i, (o, t)) in ours.sessions.iter().zip(&sessions).enumerate() {
            let w = |f: &str| format!("{name} session {i} {f}");
            same(&w("start"), o.start_time_s, time(t.start_time.0));
            same(&w("sport"), o.sport, u8v(t.sport.0));
            same(&w("sub_sport"), o.sub_sport, u8v(t.sub_sport.0));
            same_f(&w("elapsed"), o.total_elapsed_time_s, scaled32(t.total_elapsed_time, 1000.0, 0.0), 1e-9);
            same_f(&w("timer"), o.total_timer_time_s, scaled32(t.total_timer_time, 1000.0, 0.0), 1e-9);
            same_f(&w("distance"), o.total_distance_m, scaled32(t.total_distance, 100.0, 0.0), 1e-9);
            same(&w("ascent"), o.total_ascent_m, u16v(t.total_ascent));
            same(&w("descent"), o.total_descent_m, u16v(t.total_descent));
            same(&w("avg hr"), o.avg_heart_rate_bpm, u8v(t.avg_heart_rate));
            same(&w("max hr"), o.max_heart_rate_bpm, u8v(t.max_heart_rate));
            same(&w("avg cadence"), o.avg_cadence_rpm, u8v(t.avg_cadence));
            let avg = prefer(scaled32(t.enhanced_avg_speed, 1000.0, 0.0), scaled16(t.avg_speed, 1000.0, 0.0));
            same_f(&w("avg speed"), o.avg_speed_mps, avg, 0.0011);
            let max = prefer(scaled32(t.enhanced_max_speed, 1000.0, 0.0), scaled16(t.max_speed, 1000.0, 0.0));
            same_f(&w("max speed"), o.max_speed_mps, max, 0.0011);
            same(&w("num laps"), o.num_laps, u16v(t.num_laps));
        }

        let laps: Vec<mesgdef::Lap> = theirs.iter().filter(|m| m.num == MesgNum::LAP).map(mesgdef::Lap::from).collect();
        assert_eq!(ours.laps.len(), laps.len(), "{name}: lap count");
        for (i, (o, t)) in ours.laps.iter().zip(&laps).enumerate() {
            let w = |f: &str| format!("{name} lap {i} {f}");
            same(&w("start"), o.start_time_s, time(t.start_time.0));
            same_f(&w("elapsed"), o.total_elapsed_time_s, scaled32(t.total_elapsed_time, 1000.0, 0.0), 1e-9);
            same_f(&w("timer"), o.total_timer_time_s, scaled32(t.total_timer_time, 1000.0, 0.0), 1e-9);
            same_f(&w("distance"), o.total_distance_m, scaled32(t.total_distance, 100.0, 0.0), 1e-9);
            let avg = prefer(scaled32(t.enhanced_avg_speed, 1000.0, 0.0), scaled16(t.avg_speed, 1000.0, 0.0));
            same_f(&w("avg speed"), o.avg_speed_mps, avg, 0.0011);
            let max = prefer(scaled32(t.enhanced_max_speed, 1000.0, 0.0), scaled16(t.max_speed, 1000.0, 0.0));
            same_f(&w("max speed"), o.max_speed_mps, max, 0.0011);
            same(&w("avg hr"), o.avg_heart_rate_bpm, u8v(t.avg_heart_rate));
            same(&w("max hr"), o.max_heart_rate_bpm, u8v(t.max_heart_rate));
            same(&w("intensity"), o.intensity.map(runtall_fit::Intensity::raw), u8v(t.intensity.0));
            same(&w("wkt step"), o.wkt_step_index, u16v(t.wkt_step_index.0));
        }

        // Message counts agree too.
        assert_eq!(ours.stats.data_messages, theirs.len(), "{name}: data messages");
    }
    assert!(total_records > 200_000, "{total_records}");
}

#[test]
#[ignore = "debugging aid"]
fn dump_rustyfit_record() {
    let path = std::env::var("FIT_FILE").unwrap_or_default();
    let idx: usize = std::env::var("FIT_INDEX").ok().and_then(|s| s.parse().ok()).unwrap_or(0);
    let bytes = std::fs::read(path).expect("read");
    let msgs = rustyfit_messages(&bytes).expect("decode");
    let recs: Vec<_> = msgs.iter().filter(|m| m.num == MesgNum::RECORD).collect();
    for m in recs.iter().skip(idx).take(3) {
        println!("{:?}", m.fields);
    }
}
