//! Fuzz the GPX and TCX readers: any input gives a file or an error with a position, never a panic; every point
//! that comes out has values inside the documented plausibility ranges; and the work done stays linear in the
//! input (`work_units` against a fixed budget per byte: the super-linear check, which holds at any input size); and
//! the plain-markup scanner gives exactly what quick-xml alone gives (points, warnings, work units, errors).
//!
//! `cd fuzz && cargo +nightly fuzz run track_xml -- -max_len=8192` (seed with copies of
//! `../../shared/corpus/{gpx,tcx}/*` in `corpus/track_xml/` — never commit those files). See docs/reliability.md.
#![no_main]

use libfuzzer_sys::fuzz_target;

/// Work units allowed per input byte (as in `crates/trackxml/tests/linear_work.rs`).
const UNITS_PER_BYTE: u64 = 4;

fuzz_target!(|data: &[u8]| {
    let budget = UNITS_PER_BYTE * data.len() as u64 + 1024;
    // One clock for both readings, so a time at the "one day from now" limit is judged alike.
    let opts = runtall_trackxml::ParseOptions { now_ms: Some(1_800_000_000_000), ..Default::default() };
    let gpx = runtall_trackxml::parse_gpx_with(data, &opts);
    let tcx = runtall_trackxml::parse_tcx_with(data, &opts);
    let (gpx_alone, tcx_alone) = runtall_trackxml::with_quick_xml_only(|| {
        (runtall_trackxml::parse_gpx_with(data, &opts), runtall_trackxml::parse_tcx_with(data, &opts))
    });
    assert_eq!(gpx, gpx_alone, "GPX: the scanner and quick-xml alone read differently");
    assert_eq!(tcx, tcx_alone, "TCX: the scanner and quick-xml alone read differently");
    if let Ok(g) = gpx {
        assert!(g.work_units <= budget, "gpx: {} work units for {} bytes", g.work_units, data.len());
        for p in g.points() {
            assert!(p.lat_deg.abs() <= 90.0 && p.lon_deg.abs() <= 180.0);
        }
    }
    if let Ok(t) = tcx {
        assert!(t.work_units <= budget, "tcx: {} work units for {} bytes", t.work_units, data.len());
        let points = t.activities.iter().flat_map(|a| &a.laps).flat_map(|l| &l.tracks).flat_map(|tr| &tr.trackpoints);
        for p in points {
            assert!(p.lat_deg.is_none_or(|v| v.abs() <= 90.0));
            assert!(p.lon_deg.is_none_or(|v| v.abs() <= 180.0));
            assert!(p.hr_bpm.is_none_or(|v| v > 0.0 && v <= 300.0));
        }
    }
});
