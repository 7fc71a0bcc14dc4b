//! Corpus-independent tests on files built byte by byte with the writer in `support/`.

mod support;

use runtall_fit::{FitError, Intensity, StepDuration, StepTarget, WarningKind, WorkoutHr, decode};
use runtall_insights::rng::SplitMix64;
use support::*;

const T0_UNIX: i64 = 1_700_000_000;

/// Record fields used by most fixtures: timestamp, lat, long, altitude, HR, cadence, distance, speed.
const RECORD_FIELDS: [(u8, u8, u8); 8] = [
    (253, 4, UINT32),
    (0, 4, SINT32),
    (1, 4, SINT32),
    (2, 2, UINT16),
    (3, 1, UINT8),
    (4, 1, UINT8),
    (5, 4, UINT32),
    (6, 2, UINT16),
];

fn record_body(be: bool, t: u32, i: u32) -> Vec<u8> {
    let b = if be { Body::be() } else { Body::le() };
    b.u32(t)
        .i32(536_870_912) // 45°
        .i32(-1_073_741_824) // -90°
        .u16(2500u16.wrapping_add(i as u16)) // (2500 + i) / 5 - 500 m
        .u8(150)
        .u8(85)
        .u32(1000 * i) // 10 m per record
        .u16(3000)
        .done()
}

/// A small activity: file_id, `n` records, a lap and a session.
fn small_activity(be: bool, n: u32) -> FitWriter {
    let mut w = FitWriter::new();
    w.define(0, 0, be, &[(0, 1, ENUM), (1, 2, UINT16), (2, 2, UINT16), (4, 4, UINT32)], &[]);
    let b = if be { Body::be() } else { Body::le() };
    w.data(0, &b.u8(4).u16(1).u16(2697).u32(fit_time(T0_UNIX)).done());
    w.define(1, 20, be, &RECORD_FIELDS, &[]);
    for i in 0..n {
        w.data(1, &record_body(be, fit_time(T0_UNIX) + i, i));
    }
    w.define(2, 19, be, &[(253, 4, UINT32), (2, 4, UINT32), (7, 4, UINT32), (9, 4, UINT32), (23, 1, ENUM)], &[]);
    let b = if be { Body::be() } else { Body::le() };
    w.data(2, &b.u32(fit_time(T0_UNIX) + n).u32(fit_time(T0_UNIX)).u32(n * 1000).u32(n * 1000).u8(2).done());
    w.define(3, 18, be, &[(253, 4, UINT32), (5, 1, ENUM), (6, 1, ENUM), (9, 4, UINT32), (26, 2, UINT16)], &[]);
    let b = if be { Body::be() } else { Body::le() };
    w.data(3, &b.u32(fit_time(T0_UNIX) + n).u8(1).u8(3).u32(n * 1000).u16(1).done());
    w
}

#[test]
fn little_endian_values_are_converted() {
    let a = decode(&small_activity(false, 3).finish(14)).expect("decode");
    assert!(a.warnings.is_empty(), "{:?}", a.warnings);
    assert!(a.stats.header_crc_ok && a.stats.file_crc_ok);
    assert_eq!(a.stats.data_messages, 6);
    assert_eq!(a.stats.messages, 10);
    let fid = a.file_id.as_ref().expect("file_id");
    assert_eq!((fid.file_type, fid.manufacturer, fid.product), (Some(4), Some(1), Some(2697)));
    assert_eq!(fid.time_created_s, Some(T0_UNIX));
    assert_eq!(a.records.len(), 3);
    let r = &a.records[2];
    assert_eq!(r.timestamp_s, Some(T0_UNIX + 2));
    assert_eq!(r.position_lat_deg, Some(45.0));
    assert_eq!(r.position_long_deg, Some(-90.0));
    assert_eq!(r.altitude_m, Some(2502.0 / 5.0 - 500.0));
    assert_eq!(r.heart_rate_bpm, Some(150));
    assert_eq!(r.cadence_rpm, Some(85));
    assert_eq!(r.running_cadence_spm(), Some(170.0));
    assert_eq!(r.distance_m, Some(20.0));
    assert_eq!(r.speed_mps, Some(3.0));
    let lap = &a.laps[0];
    assert_eq!(lap.intensity, Some(Intensity::Warmup));
    assert_eq!(lap.total_elapsed_time_s, Some(3.0));
    assert_eq!(lap.start_time_s, Some(T0_UNIX));
    let s = &a.sessions[0];
    assert_eq!(s.kind(), runtall_fit::ActivityKind::TrailRunning);
    assert_eq!(s.total_distance_m, Some(30.0));
    assert_eq!(s.num_laps, Some(1));
}

#[test]
fn big_endian_definitions_decode_like_little_endian() {
    let le = decode(&small_activity(false, 5).finish(14)).expect("le");
    let be = decode(&small_activity(true, 5).finish(12)).expect("be");
    assert_eq!(le.records, be.records);
    assert_eq!(le.laps, be.laps);
    assert_eq!(le.sessions, be.sessions);
    assert_eq!(le.file_id, be.file_id);
    assert!(be.warnings.is_empty());
}

#[test]
fn compressed_timestamps_follow_the_last_timestamp_with_rollover() {
    let mut w = FitWriter::new();
    w.define(0, 20, false, &[(3, 1, UINT8)], &[]);
    // Before any timestamp a compressed header cannot be resolved.
    w.compressed(0, 5, &[100]);
    w.define(1, 20, false, &[(253, 4, UINT32), (3, 1, UINT8)], &[]);
    let t = 1_000_000_030u32; // low 5 bits = 30
    assert_eq!(t & 0x1F, 30);
    w.data(1, &Body::le().u32(t).u8(101).done());
    w.compressed(0, 31, &[102]); // t + 1
    w.compressed(0, 2, &[103]); // rollover: t + 4
    w.compressed(0, 2, &[104]); // same offset: t + 4
    w.compressed(0, 1, &[105]); // rollover again: t + 35
    let a = decode(&w.finish(14)).expect("decode");
    let ts: Vec<Option<i64>> = a.records.iter().map(|r| r.timestamp_s).collect();
    let base = i64::from(t) + 631_065_600;
    assert_eq!(ts, vec![None, Some(base), Some(base + 1), Some(base + 4), Some(base + 4), Some(base + 35)]);
    let hr: Vec<Option<u8>> = a.records.iter().map(|r| r.heart_rate_bpm).collect();
    assert_eq!(hr, vec![Some(100), Some(101), Some(102), Some(103), Some(104), Some(105)]);
}

#[test]
fn compressed_header_local_types_use_two_bits() {
    let mut w = FitWriter::new();
    w.define(3, 20, false, &[(253, 4, UINT32), (3, 1, UINT8)], &[]);
    w.data(3, &Body::le().u32(64).u8(1).done());
    w.define(2, 20, false, &[(3, 1, UINT8)], &[]);
    w.compressed(2, 3, &[2]);
    let a = decode(&w.finish(12)).expect("decode");
    assert_eq!(a.records.len(), 2);
    assert_eq!(a.records[1].timestamp_s, Some(67 + 631_065_600));
    assert_eq!(a.records[1].heart_rate_bpm, Some(2));
}

#[test]
fn developer_fields_are_skipped_by_size() {
    let mut w = FitWriter::new();
    // developer_data_id and field_description
    w.define(0, 207, false, &[(1, 16, BYTE), (3, 1, UINT8)], &[]);
    w.data(0, &Body::le().raw(&[7; 16]).u8(0).done());
    w.define(1, 206, false, &[(0, 1, UINT8), (1, 1, UINT8), (2, 1, UINT8), (3, 16, STRING), (8, 8, STRING)], &[]);
    w.data(1, &Body::le().u8(0).u8(0).u8(UINT16).str("Power", 16).str("Watts", 8).done());
    w.data(1, &Body::le().u8(0).u8(1).u8(STRING).str("Label", 16).str("", 8).done());
    // A record with two developer fields (2 bytes and 5 bytes) after the profile fields.
    w.define(2, 20, false, &[(253, 4, UINT32), (3, 1, UINT8)], &[(0, 2, 0), (1, 5, 0)]);
    for i in 0..3u8 {
        w.data(2, &Body::le().u32(1000 + u32::from(i)).u8(120 + i).u16(250).raw(b"abcde").done());
    }
    let a = decode(&w.finish(14)).expect("decode");
    assert!(a.warnings.is_empty(), "{:?}", a.warnings);
    assert_eq!(a.records.len(), 3);
    assert_eq!(a.records[2].heart_rate_bpm, Some(122));
    assert_eq!(a.developer_data_ids.len(), 1);
    assert_eq!(a.developer_data_ids[0].application_id.as_deref(), Some(&[7u8; 16][..]));
    assert_eq!(a.developer_fields.len(), 2);
    assert_eq!(a.developer_fields[0].field_name.as_deref(), Some("Power"));
    assert_eq!(a.developer_fields[0].units.as_deref(), Some("Watts"));
    assert_eq!(a.developer_fields[1].units, None);
    // The raw walk exposes the developer field bytes.
    let mut dev = Vec::new();
    runtall_fit::visit_messages(&w.finish(14), |m| {
        if m.global() == 20 {
            dev.extend(m.developer_fields().map(|f| (f.num, f.bytes.to_vec())));
        }
    })
    .expect("walk");
    assert_eq!(dev[1], (1, b"abcde".to_vec()));
}

#[test]
fn chained_files_are_merged_and_definitions_do_not_leak() {
    let mut file = small_activity(false, 4).finish(14);
    file.extend(small_activity(true, 2).finish(12));
    let a = decode(&file).expect("decode");
    assert_eq!(a.stats.chained_files, 2);
    assert_eq!(a.records.len(), 6);
    assert_eq!(a.sessions.len(), 2);
    assert!(a.warnings.is_empty(), "{:?}", a.warnings);
    assert!(a.stats.file_crc_ok);

    // A second file that uses a local type without defining it: the first file's definitions
    // must not carry over.
    let mut second = FitWriter::new();
    second.data(1, &record_body(false, 5, 0));
    let mut file = small_activity(false, 4).finish(14);
    file.extend(second.finish(14));
    let a = decode(&file).expect("decode");
    assert_eq!(a.records.len(), 4);
    assert!(a.warnings.iter().any(|w| matches!(w.kind, WarningKind::UndefinedLocalType { local: 1 })));
}

#[test]
fn garbage_between_files_is_skipped_up_to_the_next_header() {
    let mut file = small_activity(false, 4).finish(14);
    file.extend_from_slice(&[0x5A; 37]);
    file.extend(small_activity(false, 3).finish(14));
    let a = decode(&file).expect("decode");
    assert_eq!(a.records.len(), 7);
    assert!(a.warnings.iter().any(|w| matches!(w.kind, WarningKind::Resynced { skipped: 37 })));

    // Damage inside the first file's data: resume at the second file.
    let mut first = small_activity(false, 4);
    first.raw(&[0x0E, 1, 2, 3]); // data message for undefined local 14
    let mut file = first.finish(14);
    file.extend(small_activity(false, 3).finish(14));
    let a = decode(&file).expect("decode");
    assert_eq!(a.records.len(), 7);
    assert_eq!(a.stats.chained_files, 2);
    assert!(a.warnings.iter().any(|w| matches!(w.kind, WarningKind::UndefinedLocalType { local: 14 })));
    assert!(a.warnings.iter().any(|w| matches!(w.kind, WarningKind::Resynced { .. })));
}

#[test]
fn truncation_at_every_offset_never_panics_and_salvage_is_monotone() {
    let file = small_activity(false, 12).finish(14);
    let mut last_messages = 0;
    let mut last_records = 0;
    for n in 0..=file.len() {
        let cut = &file[..n];
        match decode(cut) {
            Ok(a) => {
                assert!(a.stats.data_messages >= last_messages, "n={n}");
                assert!(a.records.len() >= last_records, "n={n}");
                last_messages = a.stats.data_messages;
                last_records = a.records.len();
                if n < file.len() {
                    assert!(!a.warnings.is_empty(), "n={n}: truncated file without warning");
                    assert!(!a.stats.file_crc_ok);
                } else {
                    assert!(a.warnings.is_empty());
                }
            }
            Err(e) => {
                assert_eq!(last_messages, 0, "n={n}: error {e} after salvage started");
                if n == 0 {
                    assert!(matches!(e, FitError::Empty));
                } else if n < 14 {
                    assert!(matches!(e, FitError::HeaderTruncated { .. }), "n={n}: {e}");
                } else {
                    assert!(matches!(e, FitError::NoMessages { .. }), "n={n}: {e}");
                }
            }
        }
        let _ = runtall_fit::count_messages(cut);
    }
    assert_eq!(last_records, 12);
}

#[test]
fn invalid_values_are_none() {
    let mut w = FitWriter::new();
    w.define(0, 20, false, &RECORD_FIELDS, &[]);
    w.data(
        0,
        &Body::le()
            .u32(u32::MAX)
            .i32(i32::MAX)
            .i32(i32::MAX)
            .u16(u16::MAX)
            .u8(u8::MAX)
            .u8(u8::MAX)
            .u32(u32::MAX)
            .u16(u16::MAX)
            .done(),
    );
    w.define(1, 20, false, &[(13, 1, SINT8), (73, 4, UINT32), (78, 4, UINT32), (83, 2, UINT16)], &[]);
    w.data(1, &Body::le().i8(i8::MAX).u32(u32::MAX).u32(u32::MAX).u16(u16::MAX).done());
    let a = decode(&w.finish(14)).expect("decode");
    for r in &a.records {
        assert_eq!(r, &runtall_fit::Record::default(), "all invalid");
    }
}

#[test]
fn enhanced_fields_win_over_16_bit_ones() {
    let mut w = FitWriter::new();
    w.define(0, 20, false, &[(6, 2, UINT16), (73, 4, UINT32), (78, 4, UINT32), (2, 2, UINT16)], &[]);
    w.data(0, &Body::le().u16(1000).u32(70_000).u32(5000).u16(2600).done());
    let a = decode(&w.finish(14)).expect("decode");
    assert_eq!(a.records[0].speed_mps, Some(70.0));
    assert_eq!(a.records[0].altitude_m, Some(500.0));
}

#[test]
fn misaligned_fields_are_invalid_and_the_rest_is_read() {
    let mut w = FitWriter::new();
    // distance as a 3-byte uint32 and speed as a 1-byte uint16, then heart rate.
    w.define(0, 20, false, &[(253, 4, UINT32), (5, 3, UINT32), (6, 1, UINT16), (3, 1, UINT8)], &[]);
    w.data(0, &Body::le().u32(5000).raw(&[1, 2, 3]).u8(9).u8(140).done());
    w.data(0, &Body::le().u32(5001).raw(&[1, 2, 3]).u8(9).u8(141).done());
    let a = decode(&w.finish(14)).expect("decode");
    assert_eq!(a.records.len(), 2);
    assert_eq!(a.records[1].distance_m, None);
    assert_eq!(a.records[1].speed_mps, None);
    assert_eq!(a.records[1].heart_rate_bpm, Some(141));
    let mis: Vec<_> =
        a.warnings.iter().filter(|w| matches!(w.kind, WarningKind::MisalignedField { global: 20, .. })).collect();
    assert_eq!(mis.len(), 2, "{:?}", a.warnings);
    // An unknown base type is reported and ignored too.
    let mut w = FitWriter::new();
    w.define(0, 20, false, &[(3, 1, 0x1F), (4, 1, UINT8)], &[]);
    w.data(0, &[150, 80]);
    let a = decode(&w.finish(14)).expect("decode");
    assert_eq!(a.records[0].heart_rate_bpm, None);
    assert_eq!(a.records[0].cadence_rpm, Some(80));
    assert!(a.warnings.iter().any(|w| matches!(w.kind, WarningKind::UnknownBaseType { .. })));
}

#[test]
fn array_fields_give_their_first_element() {
    let mut w = FitWriter::new();
    w.define(0, 20, false, &[(3, 3, UINT8)], &[]);
    w.data(0, &[120, 121, 122]);
    let a = decode(&w.finish(14)).expect("decode");
    assert_eq!(a.records[0].heart_rate_bpm, Some(120));
    assert!(a.warnings.is_empty());
}

#[test]
fn crc_problems_are_warnings() {
    let mut file = small_activity(false, 3).finish(14);
    let n = file.len();
    file[n - 1] ^= 0xFF;
    let a = decode(&file).expect("decode");
    assert_eq!(a.records.len(), 3);
    assert!(!a.stats.file_crc_ok);
    file[n - 1] ^= 0xFF;
    file[12] ^= 0x01;
    let a = decode(&file).expect("decode");
    assert_eq!(a.records.len(), 3);
    assert!(!a.stats.header_crc_ok);
    assert!(a.stats.file_crc_ok);
    // A 14-byte header whose CRC field is 0 means "not computed".
    let mut file = small_activity(false, 3).finish(14);
    file[12] = 0;
    file[13] = 0;
    let body_end = file.len() - 2;
    let c = crc(&file[..body_end]);
    file[body_end..].copy_from_slice(&c.to_le_bytes());
    let a = decode(&file).expect("decode");
    assert!(a.warnings.is_empty(), "{:?}", a.warnings);
    assert!(a.stats.file_crc_ok);
}

#[test]
fn data_size_beyond_the_file_reads_what_is_there() {
    // 14-byte header: the header CRC no longer matches, and the data CRC at the end of the file
    // checks against the intact-header state, so the real end of the data is found.
    let mut file = small_activity(false, 3).finish(14);
    file[5] = file[5].wrapping_add(1); // +256 bytes
    let a = decode(&file).expect("decode");
    assert_eq!(a.records.len(), 3);
    assert!(a.stats.file_crc_ok);
    assert!(a.warnings.iter().any(|w| matches!(w.kind, WarningKind::DataSizeBeyondFile { .. })));
    // 12-byte header: the file CRC covers the altered header, so the end is not recognised; the
    // data is read to the end of the file and every message is still kept.
    let mut file = small_activity(false, 3).finish(12);
    file[5] = file[5].wrapping_add(1);
    let a = decode(&file).expect("decode");
    assert_eq!(a.records.len(), 3);
    assert_eq!(a.sessions.len(), 1);
    assert!(a.warnings.iter().any(|w| matches!(w.kind, WarningKind::DataSizeBeyondFile { .. })));
}

#[test]
fn workout_steps_expose_converted_durations_and_targets() {
    let mut w = FitWriter::new();
    w.define(0, 0, false, &[(0, 1, ENUM)], &[]);
    w.data(0, &[5]);
    w.define(1, 26, false, &[(8, 16, STRING), (4, 1, ENUM), (6, 2, UINT16)], &[]);
    w.data(1, &Body::le().str("Easy intervals", 16).u8(1).u16(4).done());
    let step_fields = [
        (254, 2, UINT16),
        (0, 8, STRING),
        (1, 1, ENUM),
        (2, 4, UINT32),
        (3, 1, ENUM),
        (4, 4, UINT32),
        (5, 4, UINT32),
        (6, 4, UINT32),
        (7, 1, ENUM),
        (8, 32, STRING),
    ];
    w.define(2, 27, false, &step_fields, &[]);
    let step = |i: u16, name: &str, dt: u8, dv: u32, tt: u8, tv: u32, lo: u32, hi: u32, int: u8, notes: &str| {
        Body::le().u16(i).str(name, 8).u8(dt).u32(dv).u8(tt).u32(tv).u32(lo).u32(hi).u8(int).str(notes, 32).done()
    };
    w.data(2, &step(0, "Warm up", 0, 600_000, 1, 2, 0, 0, 2, "Easy, chatty pace"));
    w.data(2, &step(1, "Run", 1, 40_000, 1, 0, 240, 260, 0, "Breathe out long"));
    w.data(2, &step(2, "Walk", 0, 90_000, 2, u32::MAX, u32::MAX, u32::MAX, 1, ""));
    w.data(2, &step(3, "", 6, 1, 2, 5, u32::MAX, u32::MAX, u8::MAX, ""));
    let a = decode(&w.finish(14)).expect("decode");
    let wk = a.workout.as_ref().expect("workout");
    assert_eq!(wk.wkt_name.as_deref(), Some("Easy intervals"));
    assert_eq!(wk.num_valid_steps, Some(4));
    let s = &a.workout_steps;
    assert_eq!(s.len(), 4);
    assert_eq!(s[0].duration(), Some(StepDuration::Time { s: 600.0 }));
    assert_eq!(s[0].target(), Some(StepTarget::HeartRate { zone: Some(2), low: None, high: None }));
    assert_eq!(s[0].intensity, Some(Intensity::Warmup));
    assert_eq!(s[0].notes.as_deref(), Some("Easy, chatty pace"));
    assert_eq!(s[1].duration(), Some(StepDuration::Distance { m: 400.0 }));
    assert_eq!(
        s[1].target(),
        Some(StepTarget::HeartRate { zone: None, low: Some(WorkoutHr::Bpm(140)), high: Some(WorkoutHr::Bpm(160)) })
    );
    assert_eq!(s[2].target(), Some(StepTarget::Open));
    assert_eq!(s[2].notes, None);
    assert_eq!(s[3].duration(), Some(StepDuration::RepeatUntilStepsComplete { from_step: 1, times: Some(5) }));
    assert_eq!(s[3].target(), None);
    assert_eq!(s[3].wkt_step_name, None);
}

#[test]
fn workout_written_by_rustyfit_reads_back() {
    use rustyfit::profile::{mesgdef, typedef};
    use rustyfit::proto::{FIT, Message};
    let mut file_id = mesgdef::FileId::new();
    file_id.r#type = typedef::File::WORKOUT;
    file_id.manufacturer = typedef::Manufacturer::DEVELOPMENT;
    let mut wk = mesgdef::Workout::new();
    wk.wkt_name = "Run-walk 1".into();
    wk.sport = typedef::Sport::RUNNING;
    wk.num_valid_steps = 3;
    let mut messages = vec![Message::from(file_id), Message::from(wk)];
    let steps = [(0u16, "Run", 0u8, 60_000u32, "Run gently"), (1, "Walk", 0, 90_000, "Walk tall"), (2, "", 6, 0, "")];
    for (i, name, dt, dv, notes) in steps {
        let mut s = mesgdef::WorkoutStep::new();
        s.message_index = typedef::MessageIndex(i);
        s.wkt_step_name = name.into();
        s.duration_type = typedef::WktStepDuration(dt);
        s.duration_value = dv;
        s.target_type = typedef::WktStepTarget::OPEN;
        if dt == 6 {
            s.target_value = 8;
        }
        s.intensity = if i == 1 { typedef::Intensity::REST } else { typedef::Intensity::ACTIVE };
        s.notes = notes.into();
        messages.push(Message::from(s));
    }
    let mut fit = FIT { messages, ..Default::default() };
    let mut cursor = std::io::Cursor::new(Vec::new());
    {
        let mut writer = embedded_io_adapters::std::FromStd::new(&mut cursor);
        rustyfit::Encoder::new().encode(&mut writer, &mut fit).expect("encode");
    }
    let bytes = cursor.into_inner();
    let a = decode(&bytes).expect("decode");
    assert!(a.warnings.is_empty(), "{:?}", a.warnings);
    assert!(a.stats.file_crc_ok && a.stats.header_crc_ok);
    assert_eq!(a.file_id.as_ref().and_then(|f| f.file_type), Some(5));
    let w = a.workout.as_ref().expect("workout");
    assert_eq!(w.wkt_name.as_deref(), Some("Run-walk 1"));
    assert_eq!(w.sport, Some(1));
    assert_eq!(w.num_valid_steps, Some(3));
    assert_eq!(a.workout_steps.len(), 3);
    assert_eq!(a.workout_steps[0].duration(), Some(StepDuration::Time { s: 60.0 }));
    assert_eq!(a.workout_steps[0].notes.as_deref(), Some("Run gently"));
    assert_eq!(a.workout_steps[1].intensity, Some(Intensity::Rest));
    assert_eq!(a.workout_steps[1].wkt_step_name.as_deref(), Some("Walk"));
    assert_eq!(
        a.workout_steps[2].duration(),
        Some(StepDuration::RepeatUntilStepsComplete { from_step: 0, times: Some(8) })
    );
    assert_eq!(a.workout_steps[2].message_index, Some(2));
}

#[test]
fn activity_local_timestamp_gives_utc_offset() {
    let mut w = FitWriter::new();
    w.define(0, 20, false, &[(253, 4, UINT32)], &[]);
    w.data(0, &Body::le().u32(fit_time(T0_UNIX)).done());
    w.define(1, 34, false, &[(253, 4, UINT32), (1, 2, UINT16), (5, 4, UINT32)], &[]);
    w.data(1, &Body::le().u32(fit_time(T0_UNIX)).u16(1).u32(fit_time(T0_UNIX + 7200)).done());
    let a = decode(&w.finish(14)).expect("decode");
    let act = a.activity.expect("activity");
    assert_eq!(act.utc_offset_s, Some(7200));
    assert_eq!(act.num_sessions, Some(1));
}

#[test]
fn raw_walk_sees_every_message_and_field() {
    let file = small_activity(true, 3).finish(14);
    let mut seen = Vec::new();
    let summary = runtall_fit::visit_messages(&file, |m| {
        seen.push(m.global());
        if m.global() == 20 {
            assert!(m.big_endian());
            assert_eq!(m.field(3).and_then(|f| f.as_i64()), Some(150));
            assert_eq!(m.field(6).and_then(|f| f.as_f64()), Some(3000.0));
            assert!(m.timestamp_s().is_some());
        }
    })
    .expect("walk");
    assert_eq!(seen, vec![0, 20, 20, 20, 19, 18]);
    assert_eq!(summary.stats.data_messages, 6);
    let counts = runtall_fit::count_messages(&file).expect("count");
    assert_eq!(counts.count(20), 3);
    assert_eq!(counts.count(19), 1);
    assert_eq!(counts.count(999), 0);
}

#[test]
fn empty_data_section_is_no_messages() {
    let file = FitWriter::new().finish(14);
    assert!(matches!(decode(&file), Err(FitError::NoMessages { .. })));
    let c = runtall_fit::count_messages(&file).expect("a valid, empty FIT file");
    assert!(c.by_global.is_empty());
}

#[test]
fn random_bytes_never_panic() {
    let mut rng = SplitMix64::new(0x5EED_F17E);
    let valid = small_activity(false, 20).finish(14);
    let rounds: usize = std::env::var("FIT_FUZZ_ROUNDS").ok().and_then(|v| v.parse().ok()).unwrap_or(3000);
    for round in 0..rounds {
        let mut buf: Vec<u8> = match round % 3 {
            // Pure noise.
            0 => (0..rng.index(400)).map(|_| rng.next_u64() as u8).collect(),
            // A valid header then noise.
            1 => {
                let mut b = valid[..14].to_vec();
                b.extend((0..rng.index(400)).map(|_| rng.next_u64() as u8));
                b
            }
            // A valid file with a few bytes changed.
            _ => {
                let mut b = valid.clone();
                for _ in 0..1 + rng.index(6) {
                    let i = rng.index(b.len());
                    b[i] = rng.next_u64() as u8;
                }
                b
            }
        };
        if round % 7 == 0 {
            let n = rng.index(buf.len() + 1);
            buf.truncate(n);
        }
        let _ = decode(&buf);
        let _ = runtall_fit::count_messages(&buf);
    }
}

#[test]
fn mutated_corpus_files_never_panic() {
    let Some(corpus) = corpus_dir() else {
        println!("skipped: corpus not found");
        return;
    };
    let mut rng = SplitMix64::new(20_241_122);
    let rounds: usize = std::env::var("FIT_FUZZ_ROUNDS").ok().and_then(|v| v.parse().ok()).unwrap_or(3000) / 10;
    for name in ["fenix5-run.fit", "compressed-speed-distance.fit", "elemnt-bolt-no-application-id.fit"] {
        let Ok(orig) = std::fs::read(corpus.join("fit").join(name)) else { continue };
        for _ in 0..rounds {
            let mut b = orig.clone();
            for _ in 0..1 + rng.index(8) {
                let i = rng.index(b.len());
                b[i] ^= 1 << rng.index(8);
            }
            if let Ok(a) = decode(&b) {
                assert!(a.stats.data_messages > 0);
            }
        }
    }
}

#[test]
fn the_record_buffer_is_sized_to_the_data() {
    // 100,000 records: growing by doubling would leave room for 131,072 and copy the records four times over.
    let a = decode(&small_activity(false, 100_000).finish(14)).expect("decode");
    assert_eq!(a.records.len(), 100_000);
    assert!(a.records.capacity() <= 100_100, "capacity {}", a.records.capacity());
}
