//! No input makes the readers panic, hang or lose the position of a problem: truncation at
//! every offset of fixtures and at many offsets of corpus files, random bytes, random edits of
//! valid files.

mod support;

use proptest::prelude::*;
use runtall_trackxml::{GpxFile, TcxFile, TrackXmlError, WarningKind, parse_gpx_with, parse_tcx_with};
use support::{GpxWriter, Pt, TcxWriter, corpus_dir, lap, options, simple_gpx};

/// The invariants every result must hold.
fn check_gpx(r: &Result<GpxFile, TrackXmlError>) {
    match r {
        Ok(f) => {
            for p in f.points() {
                assert!((-90.0..=90.0).contains(&p.lat_deg) && (-180.0..=180.0).contains(&p.lon_deg));
                assert!(p.hr_bpm.is_none_or(|h| (1.0..=300.0).contains(&h)));
            }
            for w in &f.warnings {
                assert!(w.line >= 1 && w.column >= 1);
                assert!(w.value.as_ref().is_none_or(|v| v.chars().count() <= 41));
            }
        }
        Err(e @ (TrackXmlError::Malformed { .. } | TrackXmlError::DoctypeRefused { .. })) => {
            assert!(e.position().is_some_and(|(l, c)| l >= 1 && c >= 1), "{e}");
        }
        Err(_) => {}
    }
}

fn check_tcx(r: &Result<TcxFile, TrackXmlError>) {
    match r {
        Ok(f) => {
            for w in &f.warnings {
                assert!(w.line >= 1 && w.column >= 1);
            }
        }
        Err(e @ TrackXmlError::Malformed { .. }) => assert!(e.position().is_some(), "{e}"),
        Err(_) => {}
    }
}

#[test]
fn gpx_truncated_at_every_offset() {
    let text = simple_gpx(4);
    let full = parse_gpx_with(text.as_bytes(), &options()).unwrap();
    let mut previous = 0;
    for cut in 0..text.len() {
        let r = parse_gpx_with(&text.as_bytes()[..cut], &options());
        check_gpx(&r);
        if let Ok(f) = &r {
            // Cutting later never loses points, and never invents one.
            assert!(f.point_count() >= previous && f.point_count() <= full.point_count(), "cut {cut}");
            previous = f.point_count();
            if f.point_count() > 0 && cut < text.trim_end().len() {
                assert!(
                    f.warnings.iter().any(|w| matches!(w.kind, WarningKind::Truncated | WarningKind::Malformed)),
                    "cut {cut}: no warning"
                );
            }
            // Every kept point equals the full file's point.
            for (a, b) in f.points().zip(full.points()) {
                assert_eq!(a, b, "cut {cut}");
            }
        }
    }
    assert_eq!(previous, full.point_count());
}

#[test]
fn tcx_truncated_at_every_offset() {
    let text = TcxWriter::default().write(&[vec![lap(0, 2), lap(2, 2)]]);
    let full = parse_tcx_with(text.as_bytes(), &options()).unwrap();
    let mut previous = 0;
    for cut in 0..text.len() {
        let r = parse_tcx_with(&text.as_bytes()[..cut], &options());
        check_tcx(&r);
        if let Ok(f) = &r {
            assert!(f.trackpoint_count() >= previous && f.trackpoint_count() <= full.trackpoint_count(), "cut {cut}");
            previous = f.trackpoint_count();
        }
    }
    assert_eq!(previous, full.trackpoint_count());
}

#[test]
fn corpus_files_truncated_at_many_offsets() {
    let Some(corpus) = corpus_dir() else { return };
    for (dir, ext) in [("gpx", "gpx"), ("tcx", "tcx")] {
        let mut paths: Vec<_> = std::fs::read_dir(corpus.join(dir))
            .map(|d| d.filter_map(Result::ok).map(|e| e.path()).collect())
            .unwrap_or_default();
        paths.sort();
        for path in paths.iter().filter(|p| p.extension().is_some_and(|e| e == ext)) {
            let bytes = std::fs::read(path).unwrap_or_default();
            // About 40 cuts per small file and 8 per large one (debug builds are slow), at odd
            // offsets.
            let cuts = if bytes.len() > 200_000 { 8 } else { 40 };
            let step = (bytes.len() / cuts).max(1) | 1;
            for cut in (0..bytes.len()).step_by(step) {
                if ext == "gpx" {
                    check_gpx(&parse_gpx_with(&bytes[..cut], &options()));
                } else {
                    check_tcx(&parse_tcx_with(&bytes[..cut], &options()));
                }
            }
        }
    }
}

/// Characters that make up XML, to get past the "binary" and "not XML" checks more often.
fn xmlish() -> impl Strategy<Value = String> {
    proptest::collection::vec(
        prop_oneof![
            Just("<".to_owned()),
            Just(">".to_owned()),
            Just("</".to_owned()),
            Just("/>".to_owned()),
            Just("\"".to_owned()),
            Just("=".to_owned()),
            Just(" ".to_owned()),
            Just("\n".to_owned()),
            Just("&".to_owned()),
            Just(";".to_owned()),
            Just("<!".to_owned()),
            Just("<?".to_owned()),
            Just("]]>".to_owned()),
            Just("gpx".to_owned()),
            Just("trk".to_owned()),
            Just("trkseg".to_owned()),
            Just("trkpt".to_owned()),
            Just("lat".to_owned()),
            Just("lon".to_owned()),
            Just("ele".to_owned()),
            Just("time".to_owned()),
            Just("TrainingCenterDatabase".to_owned()),
            Just("Activity".to_owned()),
            Just("Lap".to_owned()),
            Just("Track".to_owned()),
            Just("Trackpoint".to_owned()),
            Just("Time".to_owned()),
            Just("2024-05-01T07:30:00Z".to_owned()),
            Just("12.5".to_owned()),
            Just("x:".to_owned()),
            "[a-z0-9é]{1,3}",
        ],
        0..200,
    )
    .prop_map(|parts| parts.concat())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

    #[test]
    fn random_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..2000)) {
        check_gpx(&parse_gpx_with(&bytes, &options()));
        check_tcx(&parse_tcx_with(&bytes, &options()));
    }

    #[test]
    fn xml_like_text_never_panics(text in xmlish()) {
        check_gpx(&parse_gpx_with(text.as_bytes(), &options()));
        check_tcx(&parse_tcx_with(text.as_bytes(), &options()));
        let wrapped = format!("<gpx><trk><trkseg>{text}</trkseg></trk></gpx>");
        check_gpx(&parse_gpx_with(wrapped.as_bytes(), &options()));
        let wrapped = format!("<TrainingCenterDatabase><Activities><Activity><Lap><Track>{text}</Track></Lap></Activity></Activities></TrainingCenterDatabase>");
        check_tcx(&parse_tcx_with(wrapped.as_bytes(), &options()));
    }

    #[test]
    fn edited_valid_files_never_panic(
        edits in proptest::collection::vec((any::<prop::sample::Index>(), 0u8..3, any::<u8>()), 1..8)
    ) {
        let gpx = GpxWriter { prefix: Some("g"), ..GpxWriter::default() }.write(&[(0..3).map(Pt::nth).collect()]);
        let tcx = TcxWriter::default().write(&[vec![lap(0, 3)]]);
        for (text, is_gpx) in [(gpx, true), (tcx, false)] {
            let mut bytes = text.into_bytes();
            for (at, op, byte) in &edits {
                if bytes.is_empty() {
                    break;
                }
                let i = at.index(bytes.len());
                match op {
                    0 => bytes[i] = *byte,
                    1 => { bytes.remove(i); }
                    _ => bytes.insert(i, *byte),
                }
            }
            if is_gpx {
                check_gpx(&parse_gpx_with(&bytes, &options()));
            } else {
                check_tcx(&parse_tcx_with(&bytes, &options()));
            }
        }
    }
}
