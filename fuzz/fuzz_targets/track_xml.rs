//! Fuzz the GPX and TCX readers: any input gives a file or an error with a position, never a panic, and every
//! point that comes out has values inside the documented plausibility ranges.
//!
//! `cd fuzz && cargo +nightly fuzz run track_xml` (seed with copies of `../../shared/corpus/{gpx,tcx}/*` in
//! `corpus/track_xml/` — never commit those files).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(g) = runtall_trackxml::parse_gpx(data) {
        for p in g.points() {
            assert!(p.lat_deg.abs() <= 90.0 && p.lon_deg.abs() <= 180.0);
        }
    }
    if let Ok(t) = runtall_trackxml::parse_tcx(data) {
        let points = t.activities.iter().flat_map(|a| &a.laps).flat_map(|l| &l.tracks).flat_map(|tr| &tr.trackpoints);
        for p in points {
            assert!(p.lat_deg.is_none_or(|v| v.abs() <= 90.0));
            assert!(p.lon_deg.is_none_or(|v| v.abs() <= 180.0));
            assert!(p.hr_bpm.is_none_or(|v| v > 0.0 && v <= 300.0));
        }
    }
});
