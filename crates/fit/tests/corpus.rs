//! Corpus tests: every real file decodes with the counts SOURCES.md states, the expected CSVs
//! agree with our records, and every damaged file gives salvaged data or a clear error.

mod support;

use runtall_fit::{FitError, WarningKind, decode};
use support::{corpus_or_skip, expectations, fit_files};

#[test]
fn every_corpus_file_decodes_with_the_stated_counts() {
    let Some(corpus) = corpus_or_skip() else { return };
    let expected = expectations(&corpus);
    let files = fit_files(&corpus.join("fit"));
    assert!(files.len() >= 40, "corpus has {} FIT files", files.len());
    let mut checked = 0;
    for path in &files {
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or_default().to_string();
        let bytes = std::fs::read(path).expect("read corpus file");
        let a = decode(&bytes).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert!(a.stats.header_crc_ok && a.stats.file_crc_ok, "{name}: CRC problem {:?}", a.warnings);
        for w in &a.warnings {
            assert!(matches!(w.kind, WarningKind::MisalignedField { .. }), "{name}: unexpected warning {w}");
        }
        assert!(!a.records.is_empty(), "{name}: no records");
        assert!(a.file_id.is_some(), "{name}: no file_id");
        let Some(exp) = expected.iter().find(|e| e.file == name) else {
            panic!("{name} is not described in SOURCES.md");
        };
        if let Some(n) = exp.records {
            assert_eq!(a.records.len(), n, "{name}: records");
        }
        if let Some(n) = exp.data_messages {
            assert_eq!(a.stats.data_messages, n, "{name}: data messages");
        }
        if let Some(n) = exp.laps {
            assert_eq!(a.laps.len(), n, "{name}: laps");
        }
        assert_eq!(a.stats.chained_files, exp.chained_headers.unwrap_or(1), "{name}: chained FIT headers");
        checked += 1;
    }
    assert_eq!(checked, files.len());
}

#[test]
fn chained_multiple_headers_has_four_files() {
    let Some(corpus) = corpus_or_skip() else { return };
    let bytes = std::fs::read(corpus.join("fit/chained-multiple-headers.fit")).expect("read");
    let a = decode(&bytes).expect("decode");
    assert_eq!(a.stats.chained_files, 4);
    assert_eq!(a.records.len(), 1773);
    assert!(a.warnings.is_empty());
}

#[test]
fn misaligned_fields_are_reported_once_and_the_rest_decodes() {
    let Some(corpus) = corpus_or_skip() else { return };
    let bytes = std::fs::read(corpus.join("fit/coros-pace2-cycling-misaligned-fields.fit")).expect("read");
    let a = decode(&bytes).expect("decode");
    let misaligned: Vec<_> =
        a.warnings.iter().filter(|w| matches!(w.kind, WarningKind::MisalignedField { .. })).collect();
    assert!(!misaligned.is_empty());
    assert_eq!(a.records.len(), 11272);
    assert!(a.records.iter().filter(|r| r.heart_rate_bpm.is_some()).count() > 8_000);
}

#[test]
fn session_average_speed_matches_python_fitparse() {
    let Some(corpus) = corpus_or_skip() else { return };
    let bytes = std::fs::read(corpus.join("fit/wahoo-elemnt-2019-02-17.fit")).expect("read");
    let a = decode(&bytes).expect("decode");
    let v = a.sessions[0].avg_speed_mps.expect("avg speed");
    assert!((v - 5.86).abs() < 1e-9, "{v}");
}

#[test]
fn activity_message_gives_local_offset() {
    let Some(corpus) = corpus_or_skip() else { return };
    let bytes = std::fs::read(corpus.join("fit/fenix5-run.fit")).expect("read");
    let a = decode(&bytes).expect("decode");
    let act = a.activity.expect("activity message");
    // Recorded in California in June: PDT, UTC-7.
    assert_eq!(act.utc_offset_s, Some(-7 * 3600));
    let s = &a.sessions[0];
    assert_eq!(s.kind(), runtall_fit::ActivityKind::Running);
    let r = a.records.iter().find(|r| r.running_cadence_spm().is_some_and(|c| c > 100.0));
    assert!(r.is_some(), "running cadence doubled to steps/min");
}

// ---------------------------------------------------------------------------------------------
// expected/*.csv
// ---------------------------------------------------------------------------------------------

fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// "Sun Sep 25 06:00:22 PDT 2011" -> Unix seconds.
fn parse_java_date(s: &str) -> i64 {
    let p: Vec<&str> = s.split_whitespace().collect();
    assert_eq!(p.len(), 6, "date {s}");
    let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
    let mon = months.iter().position(|&m| m == p[1]).expect("month") as i64 + 1;
    let day: i64 = p[2].parse().expect("day");
    let hms: Vec<i64> = p[3].split(':').map(|x| x.parse().expect("hms")).collect();
    let offset_h = match p[4] {
        "PDT" => -7,
        "PST" => -8,
        "UTC" | "GMT" => 0,
        z => panic!("zone {z}"),
    };
    let year: i64 = p[5].parse().expect("year");
    days_from_civil(year, mon, day) * 86_400 + hms[0] * 3600 + hms[1] * 60 + hms[2] - offset_h * 3600
}

fn opt_f64(s: &str) -> Option<f64> {
    let s = s.trim();
    if s.is_empty() || s == "null" || s == "None" { None } else { Some(s.parse().expect("number")) }
}

fn close(a: Option<f64>, b: Option<f64>, tol: f64) -> bool {
    match (a, b) {
        (None, None) => true,
        (Some(x), Some(y)) => (x - y).abs() <= tol,
        _ => false,
    }
}

#[test]
fn expected_csv_files_agree_with_our_records() {
    let Some(corpus) = corpus_or_skip() else { return };
    let dir = corpus.join("fit/expected");
    let mut csvs: Vec<_> = std::fs::read_dir(&dir)
        .expect("expected dir")
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "csv"))
        .collect();
    csvs.sort();
    assert_eq!(csvs.len(), 6);
    for csv in csvs {
        let stem = csv.file_name().and_then(|n| n.to_str()).expect("name").trim_end_matches("-records.csv");
        let fit = corpus.join("fit").join(format!("{stem}.fit"));
        let a = decode(&std::fs::read(&fit).expect("fit")).expect("decode");
        let text = std::fs::read_to_string(&csv).expect("csv");
        let mut lines = text.lines();
        let header: Vec<String> =
            lines.next().expect("header").split(',').map(|h| h.trim().to_ascii_lowercase()).collect();
        let rows: Vec<Vec<&str>> = lines.filter(|l| !l.trim().is_empty()).map(|l| l.split(',').collect()).collect();
        // python-fitparse's CSV for compressed-speed-distance leaves out the first record, which
        // holds only a timestamp; skip records without any value the CSV has.
        let skip = a.records.len() - rows.len();
        assert!(skip <= 1, "{stem}: {} rows for {} records", rows.len(), a.records.len());
        for r in &a.records[..skip] {
            assert!(r.heart_rate_bpm.is_none() && r.speed_mps.is_none() && r.distance_m.is_none(), "{stem}");
        }
        let col = |name: &str| header.iter().position(|h| h.starts_with(name));
        // The CSVs come from the FIT SDK dump tool, which prints an invalid cadence as 0 and an
        // invalid position as the last valid one; undo that as python-fitparse's tests do.
        let (mut last_lat, mut last_long) = (None, None);
        for (i, (row, r)) in rows.iter().zip(&a.records[skip..]).enumerate() {
            let ctx = format!("{stem} row {}", i + 1);
            let get = |name: &str| col(name).and_then(|c| row.get(c).copied());
            let ts = get("timestamp").expect("timestamp column");
            let expected_ts = if ts.contains(' ') {
                parse_java_date(ts)
            } else {
                ts.trim().parse::<i64>().expect("fit seconds") + 631_065_600
            };
            assert_eq!(r.timestamp_s, Some(expected_ts), "{ctx}: timestamp");
            if let Some(v) = get("heart rate").or_else(|| get("heart_rate")) {
                assert!(close(r.heart_rate_bpm.map(f64::from), opt_f64(v), 0.0), "{ctx}: heart rate {v} vs {r:?}");
            }
            if let Some(v) = get("cadence") {
                let v = if r.cadence_rpm.is_none() && v.trim() == "0" { "" } else { v };
                assert!(close(r.cadence_rpm.map(f64::from), opt_f64(v), 0.0), "{ctx}: cadence {v} vs {r:?}");
            }
            if let Some(v) = get("speed") {
                assert!(close(r.speed_mps, opt_f64(v), 5e-4), "{ctx}: speed {v} vs {r:?}");
            }
            if let Some(v) = get("distance") {
                assert!(close(r.distance_m, opt_f64(v), 5e-3), "{ctx}: distance {v} vs {r:?}");
            }
            let deg = |s: &str| opt_f64(s).map(|v| v * 180.0 / 2_147_483_648.0);
            last_lat = r.position_lat_deg.or(last_lat);
            last_long = r.position_long_deg.or(last_long);
            if let Some(v) = get("position_lat") {
                assert!(close(last_lat, deg(v), 1e-9), "{ctx}: lat {v} vs {r:?}");
            }
            if let Some(v) = get("position_long") {
                assert!(close(last_long, deg(v), 1e-9), "{ctx}: long {v} vs {r:?}");
            }
            if let Some(v) = get("altitude") {
                assert!(close(r.altitude_m, opt_f64(v), 1e-6), "{ctx}: altitude {v} vs {r:?}");
            }
            if let Some(v) = get("temperature") {
                assert!(close(r.temperature_c.map(f64::from), opt_f64(v), 0.0), "{ctx}: temperature {v} vs {r:?}");
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// bad/
// ---------------------------------------------------------------------------------------------

fn read_bad(name: &str) -> Option<Vec<u8>> {
    let corpus = corpus_or_skip()?;
    Some(std::fs::read(corpus.join("bad").join(name)).expect("read bad file"))
}

#[test]
fn every_bad_file_salvages_or_fails_clearly() {
    let Some(corpus) = corpus_or_skip() else { return };
    let files = fit_files(&corpus.join("bad"));
    assert!(files.len() >= 12);
    for path in files {
        let bytes = std::fs::read(&path).expect("read");
        match decode(&bytes) {
            Ok(a) => assert!(!a.warnings.is_empty(), "{}: decoded without a warning", path.display()),
            Err(e) => assert!(!e.to_string().is_empty()),
        }
        // The raw walk agrees on the message count.
        if let (Ok(a), Ok(c)) = (decode(&bytes), runtall_fit::count_messages(&bytes)) {
            assert_eq!(a.stats.data_messages, c.by_global.values().sum::<usize>());
        }
    }
}

#[test]
fn sigma_badly_terminated_keeps_all_readable_messages() {
    let Some(b) = read_bad("sigma-badly-terminated-nick.fit") else { return };
    let a = decode(&b).expect("salvaged");
    assert_eq!(a.stats.data_messages, 14_412);
    assert_eq!(a.records.len(), 14_391);
    assert!(!a.stats.file_crc_ok);
    assert!(a.warnings.iter().any(|w| matches!(w.kind, WarningKind::Truncated { .. })));
}

#[test]
fn strava_undefined_local_message_stops_with_a_warning() {
    let Some(b) = read_bad("strava-android-app-undefined-local-msg.fit") else { return };
    let a = decode(&b).expect("salvaged");
    assert_eq!(a.stats.data_messages, 488);
    assert_eq!(a.records.len(), 473);
    let w = a.warnings.iter().find(|w| matches!(w.kind, WarningKind::UndefinedLocalType { local: 11 }));
    assert_eq!(w.map(|w| w.offset), Some(7471));
}

#[test]
fn truncated_half_keeps_the_first_half() {
    let Some(b) = read_bad("fit-truncated-half.fit") else { return };
    let a = decode(&b).expect("salvaged");
    assert!(a.stats.data_messages >= 1415, "{}", a.stats.data_messages);
    assert!(a.warnings.iter().any(|w| matches!(w.kind, WarningKind::Truncated { .. })));
    assert!(!a.stats.file_crc_ok);
}

#[test]
fn truncated_in_header_is_a_clear_error() {
    let Some(b) = read_bad("fit-truncated-in-header.fit") else { return };
    let e = decode(&b).expect_err("no data");
    assert!(matches!(e, FitError::HeaderTruncated { needed: 14, len: 10 }), "{e}");
}

#[test]
fn empty_file_is_a_clear_error() {
    let Some(b) = read_bad("fit-empty.fit") else { return };
    assert!(matches!(decode(&b), Err(FitError::Empty)));
}

#[test]
fn not_fit_files_are_rejected() {
    for name in ["not-a-fit-file.fit", "fit-bad-header-signature.fit"] {
        let Some(b) = read_bad(name) else { return };
        let e = decode(&b).expect_err(name);
        assert!(matches!(e, FitError::NotFit { .. }), "{name}: {e}");
    }
}

#[test]
fn bad_file_crc_keeps_every_message() {
    let Some(b) = read_bad("fit-bad-file-crc.fit") else { return };
    let a = decode(&b).expect("decoded");
    assert_eq!(a.stats.data_messages, 2825);
    assert!(!a.stats.file_crc_ok);
    assert!(a.stats.header_crc_ok);
    assert!(a.warnings.iter().any(|w| matches!(w.kind, WarningKind::FileCrcMismatch { .. })));
}

#[test]
fn bad_header_crc_decodes_with_a_warning() {
    let Some(b) = read_bad("fit-bad-header-crc.fit") else { return };
    let a = decode(&b).expect("decoded");
    assert_eq!(a.stats.data_messages, 2825);
    assert!(!a.stats.header_crc_ok);
    // The data itself is intact: its CRC checks against the intact-header state.
    assert!(a.stats.file_crc_ok);
    assert_eq!(a.warnings.len(), 1);
    assert!(matches!(a.warnings[0].kind, WarningKind::HeaderCrcMismatch { .. }));
}

#[test]
fn data_size_too_large_reads_what_is_there() {
    let Some(b) = read_bad("fit-datasize-too-large.fit") else { return };
    let a = decode(&b).expect("decoded");
    assert_eq!(a.stats.data_messages, 2825);
    assert!(a.warnings.iter().any(|w| matches!(w.kind, WarningKind::DataSizeBeyondFile { .. })));
    // The trailing CRC still matches the data once the real end is found.
    assert!(a.stats.file_crc_ok);
}

#[test]
fn bitflips_keep_messages_up_to_the_damage() {
    let Some(b) = read_bad("fit-bitflips-valid-crc.fit") else { return };
    let a = decode(&b).expect("decoded");
    assert!(a.stats.data_messages >= 1163, "{}", a.stats.data_messages);
    assert!(!a.warnings.is_empty());
}

#[test]
fn trailing_garbage_is_ignored_with_a_warning() {
    let Some(b) = read_bad("fit-trailing-garbage.fit") else { return };
    let a = decode(&b).expect("decoded");
    assert_eq!(a.stats.data_messages, 2825);
    assert!(a.stats.file_crc_ok);
    assert!(a.warnings.iter().any(|w| matches!(w.kind, WarningKind::TrailingBytes { len: 100 })));
}
