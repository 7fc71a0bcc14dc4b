//! The GPX and TCX readers do work linear in the input whatever the file repeats: a generated worst case per
//! pattern, at two sizes, must stay within a fixed budget of work units per byte (`work_units` on the parsed file:
//! XML events plus the bytes our own code looks at besides the XML reader). Nothing is timed.

use runtall_trackxml::{ParseOptions, parse_gpx_with, parse_tcx_with};

const UNITS_PER_BYTE: u64 = 4;

fn options() -> ParseOptions {
    ParseOptions { now_ms: Some(1_800_000_000_000), ..ParseOptions::default() }
}

fn gpx_with_points(n: usize, point: &str) -> Vec<u8> {
    let mut s = String::from(r#"<gpx version="1.1" creator="t"><trk><trkseg>"#);
    while s.len() < n {
        s.push_str(point);
    }
    s.push_str("</trkseg></trk></gpx>");
    s.into_bytes()
}

/// Unknown entities inside a value element whose prefixed name is long: the element's name used to be looked up
/// again for every entity.
fn entities_in_a_long_named_element(n: usize) -> Vec<u8> {
    let prefix = "p".repeat(n / 4);
    let mut s = format!(r#"<gpx version="1.1" creator="t"><trk><trkseg><trkpt lat="1" lon="2"><{prefix}:ele>"#);
    while s.len() < n {
        s.push_str("&x;");
    }
    s.push_str(&format!("</{prefix}:ele><time>2024-05-01T07:30:00Z</time></trkpt></trkseg></trk></gpx>"));
    s.into_bytes()
}

/// Points whose values are all wrong: warnings by the thousand, summed up per kind.
fn bad_values(n: usize) -> Vec<u8> {
    gpx_with_points(n, r#"<trkpt lat="1" lon="2"><ele>x</ele><time>never</time></trkpt>"#)
}

/// Points with many attributes each.
fn many_attributes(n: usize) -> Vec<u8> {
    let attrs: String = (0..200).map(|i| format!(r#" a{i}="{i}""#)).collect();
    gpx_with_points(n, &format!(r#"<trkpt lat="1" lon="2"{attrs}><time>2024-05-01T07:30:00Z</time></trkpt>"#))
}

/// Values made of many pieces (character references and CDATA) joined together.
fn pieced_values(n: usize) -> Vec<u8> {
    let mut s = String::from(r#"<gpx version="1.1" creator="t"><trk><trkseg><trkpt lat="1" lon="2"><ele>"#);
    while s.len() < n {
        s.push_str("&#49;<![CDATA[0]]>");
    }
    s.push_str("</ele><time>2024-05-01T07:30:00Z</time></trkpt></trkseg></trk></gpx>");
    s.into_bytes()
}

/// Nesting to the depth limit, again and again.
fn deep_nesting(n: usize) -> Vec<u8> {
    let open: String = (0..250).map(|_| "<x>").collect();
    let close: String = (0..250).map(|_| "</x>").collect();
    gpx_with_points(n, &format!("{open}{close}<trkpt lat=\"1\" lon=\"2\"><time>2024-05-01T07:30:00Z</time></trkpt>"))
}

/// TCX laps full of trackpoints with bad numbers.
fn tcx_bad_trackpoints(n: usize) -> Vec<u8> {
    let mut s = String::from(
        r#"<TrainingCenterDatabase><Activities><Activity Sport="Running"><Id>2024-05-01T07:30:00Z</Id><Lap StartTime="2024-05-01T07:30:00Z"><TotalTimeSeconds>60</TotalTimeSeconds><Track>"#,
    );
    while s.len() < n {
        s.push_str("<Trackpoint><Time>2024-05-01T07:30:01Z</Time><HeartRateBpm><Value>x</Value></HeartRateBpm><DistanceMeters>&y;</DistanceMeters></Trackpoint>");
    }
    s.push_str("</Track></Lap></Activity></Activities></TrainingCenterDatabase>");
    s.into_bytes()
}

fn work(bytes: &[u8]) -> u64 {
    if bytes.starts_with(b"<gpx") {
        parse_gpx_with(bytes, &options()).expect("a GPX with a usable point").work_units
    } else {
        parse_tcx_with(bytes, &options()).expect("a TCX with a lap").work_units
    }
}

fn assert_linear(name: &str, make: fn(usize) -> Vec<u8>) {
    let mut per_byte = Vec::new();
    for n in [256 << 10, 1 << 20] {
        let bytes = make(n);
        let w = work(&bytes);
        let budget = UNITS_PER_BYTE * bytes.len() as u64 + 1024;
        assert!(w <= budget, "{name}: {w} work units for {} bytes, over the budget of {budget}", bytes.len());
        per_byte.push(w as f64 / bytes.len() as f64);
    }
    assert!(per_byte[1] <= per_byte[0] * 1.25 + 0.01, "{name}: work per byte grows with size: {per_byte:?}");
}

#[test]
fn entity_references_in_long_named_elements_cost_linear_work() {
    assert_linear("entities in a long-named element", entities_in_a_long_named_element);
}

#[test]
fn bad_values_attributes_pieces_and_nesting_cost_linear_work() {
    assert_linear("bad values", bad_values);
    assert_linear("many attributes", many_attributes);
    assert_linear("pieced values", pieced_values);
    assert_linear("deep nesting", deep_nesting);
    assert_linear("tcx bad trackpoints", tcx_bad_trackpoints);
}

#[test]
fn a_watcher_sees_the_position_and_can_stop_reading() {
    let bytes = bad_values(1 << 20);
    let mut seen = Vec::new();
    let err = runtall_trackxml::parse_gpx_watched(&bytes, &options(), &mut |at| {
        seen.push(at);
        if at > 512 << 10 { std::ops::ControlFlow::Break(()) } else { std::ops::ControlFlow::Continue(()) }
    })
    .expect_err("stopped half-way");
    assert!(matches!(err, runtall_trackxml::TrackXmlError::Stopped { at } if at > 512 << 10), "{err}");
    assert!(seen.len() >= 8 && seen.windows(2).all(|w| w[0] < w[1]), "{seen:?}");
}
