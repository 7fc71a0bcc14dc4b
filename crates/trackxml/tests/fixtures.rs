//! Behaviour on files made by the test writer or written inline: namespaces and prefixes, BOM,
//! extensions, times, refusal of DOCTYPE and entities, salvage, positions in messages.

mod support;

use runtall_trackxml::{
    Dropped, NotActivity, ParseOptions, TcxIntensity, TcxSport, TcxTriggerMethod, TrackXmlError, WarningKind,
    parse_gpx, parse_gpx_with, parse_tcx_with,
};
use support::{GpxWriter, NOW_MS, Pt, TcxWriter, Tp, Tpx, lap, options, simple_gpx};

fn gpx(s: &str) -> Result<runtall_trackxml::GpxFile, TrackXmlError> {
    parse_gpx_with(s.as_bytes(), &options())
}

fn tcx(s: &str) -> Result<runtall_trackxml::TcxFile, TrackXmlError> {
    parse_tcx_with(s.as_bytes(), &options())
}

fn ms(s: &str) -> i64 {
    runtall_trackxml::parse_time(s).map(|t| t.unix_ms).unwrap_or(i64::MIN)
}

#[test]
fn writer_round_trip_reads_every_value() {
    let f = gpx(&simple_gpx(3)).unwrap();
    assert_eq!(f.creator.as_deref(), Some("test writer"));
    assert_eq!(f.name.as_deref(), Some("Morning run"));
    assert_eq!(f.time_ms, Some(ms("2024-05-01T07:29:00Z")));
    assert_eq!(f.point_count(), 3);
    let p = f.tracks[0].segments[0].points[2];
    assert_eq!((p.lat_deg, p.lon_deg), (48.2002, 16.3702));
    assert_eq!(p.ele_m, Some(152.5));
    assert_eq!(p.time_ms, Some(ms("2024-05-01T07:30:02Z")));
    assert_eq!((p.hr_bpm, p.cadence_rpm, p.temp_c), (Some(122.0), Some(82.0), Some(21.5)));
    assert!(f.warnings.is_empty());
    assert_eq!(f.not_activity(), None);
}

#[test]
fn any_namespace_prefix_and_both_extension_versions() {
    let points: Vec<Pt> = (0..4).map(Pt::nth).collect();
    for prefix in [None, Some("gpx"), Some("g")] {
        for tpx in [Tpx::V1, Tpx::V2] {
            for tpx_prefix in ["gpxtpx", "ns3", "tpx"] {
                let w = GpxWriter { prefix, tpx, tpx_prefix, ..GpxWriter::default() };
                let f = gpx(&w.write(std::slice::from_ref(&points))).unwrap();
                assert_eq!(f.point_count(), 4, "{prefix:?} {tpx:?} {tpx_prefix}");
                assert!(f.points().all(|p| p.hr_bpm.is_some() && p.cadence_rpm.is_some()), "{prefix:?} {tpx_prefix}");
                assert_eq!(f.name.as_deref(), Some("Morning run"));
            }
        }
    }
}

#[test]
fn bom_and_missing_declaration() {
    let w = GpxWriter { bom: true, ..GpxWriter::default() };
    assert_eq!(gpx(&w.write(&[vec![Pt::nth(0)]])).unwrap().point_count(), 1);
    let w = GpxWriter { bom: true, declaration: false, creator: None, ..GpxWriter::default() };
    let f = gpx(&w.write(&[vec![Pt::nth(0)]])).unwrap();
    assert_eq!((f.point_count(), f.creator), (1, None));
    // Positions count from after the BOM, like an editor shows them.
    let s = "\u{FEFF}<gpx><trk><trkseg><trkpt lat=\"x\" lon=\"1\"/></trkseg></trk></gpx>";
    let w = &gpx(s).unwrap().warnings[0];
    assert_eq!((w.line, w.column, w.kind), (1, 31, WarningKind::BadNumber));
}

#[test]
fn other_extension_spellings() {
    let s = r#"<gpx version="1.0" xmlns:gpxdata="http://www.cluetrust.com/XML/GPXDATA/1/0"><trk><trkseg>
<trkpt lat="1" lon="2"><time>2020-01-01T00:00:00Z</time><speed>3.5</speed>
 <extensions><gpxdata:hr>101.5</gpxdata:hr><gpxdata:temp>20.7</gpxdata:temp><gpxdata:distance>12</gpxdata:distance>
 <gpxpx:PowerExtension xmlns:gpxpx="x"><gpxpx:PowerInWatts>250</gpxpx:PowerInWatts></gpxpx:PowerExtension>
 <heartrate>ignored-if-later</heartrate></extensions></trkpt>
<trkpt lat="1" lon="2"><time>2020-01-01T00:00:01Z</time><extensions><heartrate>140</heartrate><cadence>88</cadence>
 <unknown><deep><x>1</x></deep></unknown></extensions></trkpt>
</trkseg></trk></gpx>"#;
    let f = gpx(s).unwrap();
    // The first point has a non-number <heartrate>: it is dropped with a warning.
    assert_eq!(f.point_count(), 1);
    assert_eq!(f.warnings.len(), 1);
    assert_eq!((f.warnings[0].line, f.warnings[0].kind), (5, WarningKind::BadNumber));
    let p = f.points().next().copied().unwrap_or_default();
    assert_eq!((p.hr_bpm, p.cadence_rpm), (Some(140.0), Some(88.0)));

    let s = s.replace("ignored-if-later", "101.5");
    let f = gpx(&s).unwrap();
    let p = f.points().next().copied().unwrap_or_default();
    assert_eq!(
        (p.hr_bpm, p.temp_c, p.distance_m, p.power_w, p.speed_m_s),
        (Some(101.5), Some(20.7), Some(12.0), Some(250.0), Some(3.5))
    );
}

#[test]
fn fractional_seconds_and_offsets() {
    let mut a = Pt::nth(0);
    a.time = Some("2024-05-01T09:30:00.123+02:00".into());
    let mut b = Pt::nth(1);
    b.time = Some("2024-05-01T07:30:01.5Z".into());
    let mut c = Pt::nth(2);
    c.time = Some("2024-05-01T03:30:02.1234567-0400".into());
    let mut d = Pt::nth(3);
    d.time = Some(" 2024-05-01T07:30:03 ".into());
    let f = gpx(&GpxWriter::default().write(&[vec![a, b, c, d]])).unwrap();
    let times: Vec<_> = f.points().map(|p| (p.time_ms, p.utc_offset_min)).collect();
    assert_eq!(
        times,
        [
            (Some(ms("2024-05-01T07:30:00.123Z")), Some(120)),
            (Some(ms("2024-05-01T07:30:01.500Z")), Some(0)),
            (Some(ms("2024-05-01T07:30:02.123Z")), Some(-240)),
            (Some(ms("2024-05-01T07:30:03Z")), None),
        ]
    );
    // The zone-less time is noted once.
    assert_eq!(f.warnings.len(), 1);
    assert_eq!((f.warnings[0].kind, f.warnings[0].dropped), (WarningKind::TimeWithoutZone, Dropped::Nothing));
}

#[test]
fn doctype_is_refused_with_its_position() {
    let s = "<?xml version=\"1.0\"?>\n  <!DOCTYPE gpx SYSTEM \"gpx.dtd\">\n<gpx></gpx>";
    assert_eq!(gpx(s), Err(TrackXmlError::DoctypeRefused { line: 2, column: 3 }));
    let e = gpx(s).unwrap_err();
    assert!(e.to_string().contains("DOCTYPE") && e.position() == Some((2, 3)));
    assert!(matches!(tcx(s), Err(TrackXmlError::DoctypeRefused { .. })));
    // An HTML page (a login page saved as .gpx) is named as such.
    let e = gpx("<!DOCTYPE html>\n<html><body>Sign in</body></html>").unwrap_err();
    assert!(e.to_string().contains("web page"), "{e}");
}

#[test]
fn billion_laughs_is_refused_quickly() {
    let mut s = String::from("<?xml version=\"1.0\"?>\n<!DOCTYPE gpx [\n <!ENTITY lol \"lol\">\n");
    for i in 1..10 {
        let prev = if i == 1 { "lol".to_owned() } else { format!("lol{}", i - 1) };
        s.push_str(&format!(" <!ENTITY lol{i} \"{}\">\n", format!("&{prev};").repeat(10)));
    }
    s.push_str("]>\n<gpx creator=\"&lol9;\"><metadata><name>&lol9;</name></metadata></gpx>");
    // Refused at the DOCTYPE, before a single entity could be defined, let alone expanded.
    let r = gpx(&s);
    assert_eq!(r, Err(TrackXmlError::DoctypeRefused { line: 2, column: 1 }));

    let xxe = "<?xml version=\"1.0\"?><!DOCTYPE gpx [<!ENTITY xxe SYSTEM \"file:///etc/passwd\">]><gpx>&xxe;</gpx>";
    assert!(matches!(gpx(xxe), Err(TrackXmlError::DoctypeRefused { .. })));
}

#[test]
fn undeclared_entities_are_never_expanded() {
    let s = "<gpx><metadata><name>A &amp; B &lt;3 &#233;&#x41; &xxe;</name></metadata><trk><trkseg>\
             <trkpt lat=\"1\" lon=\"2\"><time>2020-01-01T00:00:00Z</time></trkpt></trkseg></trk></gpx>";
    let f = gpx(s).unwrap();
    assert_eq!(f.name.as_deref(), Some("A & B <3 éA &xxe;"));
    assert_eq!(f.warnings.len(), 1);
    assert_eq!((f.warnings[0].kind, f.warnings[0].value.as_deref()), (WarningKind::UnknownEntity, Some("&xxe;")));
    // A lone ampersand in a name is kept, not an error.
    let f = gpx("<gpx><metadata><name>Run & Fun</name></metadata></gpx>").unwrap();
    assert_eq!(f.name.as_deref(), Some("Run & Fun"));
    // An entity in a number makes it a bad number, never a guess.
    let f = gpx("<gpx><trk><trkseg><trkpt lat=\"1\" lon=\"2\"><ele>&big;</ele></trkpt>\
                 <trkpt lat=\"1\" lon=\"2\"/></trkseg></trk></gpx>")
    .unwrap();
    assert_eq!(f.point_count(), 1);
    assert!(f.warnings.iter().any(|w| w.kind == WarningKind::BadNumber && w.element == "ele"));
}

#[test]
fn bad_values_drop_the_point_and_name_place_element_and_value() {
    let mut bad_lat = Pt::nth(1);
    bad_lat.lat = "north".into();
    let mut bad_ele = Pt::nth(2);
    bad_ele.ele = Some("1,5".into());
    let mut bad_time = Pt::nth(3);
    bad_time.time = Some("not-a-timestamp".into());
    let mut long = Pt::nth(4);
    long.hr = Some("x".repeat(100));
    let mut nan = Pt::nth(5);
    nan.lon = "NaN".into();
    let mut missing = Pt::nth(6);
    missing.lon = String::new();
    let points = vec![Pt::nth(0), bad_lat, bad_ele, bad_time, long, nan, missing, Pt::nth(7)];
    let f = gpx(&GpxWriter::default().write(&[points])).unwrap();
    assert_eq!(f.point_count(), 2);
    let got: Vec<_> =
        f.warnings.iter().map(|w| (w.kind, w.element.as_str(), w.value.as_deref().unwrap_or(""), w.dropped)).collect();
    let long_shown = format!("{}…", "x".repeat(40));
    assert_eq!(
        got,
        [
            (WarningKind::BadNumber, "trkpt@lat", "north", Dropped::Point),
            (WarningKind::BadNumber, "ele", "1,5", Dropped::Point),
            (WarningKind::BadTime, "time", "not-a-timestamp", Dropped::Point),
            (WarningKind::BadNumber, "hr", long_shown.as_str(), Dropped::Point),
            (WarningKind::BadNumber, "trkpt@lon", "NaN", Dropped::Point),
            (WarningKind::MissingValue, "trkpt@lon", "", Dropped::Point),
        ]
    );
    // Each warning points at the value: the writer puts point i's <trkpt> on line 5 + ...;
    // check the first one exactly and that lines increase.
    let text = GpxWriter::default().write(&[vec![Pt::nth(0), {
        let mut p = Pt::nth(1);
        p.lat = "north".into();
        p
    }]]);
    let line = text.lines().position(|l| l.contains("north")).unwrap_or(0) + 1;
    let column = text.lines().nth(line - 1).and_then(|l| l.find("north")).unwrap_or(0) + 1;
    let w = &gpx(&text).unwrap().warnings[0];
    assert_eq!((w.line as usize, w.column as usize), (line, column));
    assert!(f.warnings.windows(2).all(|w| w[0].line < w[1].line));
    let shown = f.warnings[0].to_string();
    assert!(shown.contains("trkpt@lat") && shown.contains("\"north\"") && shown.contains("point dropped"), "{shown}");
}

#[test]
fn out_of_range_values_are_dropped_with_warnings() {
    let mut lat = Pt::nth(0);
    lat.lat = "91.5".into();
    let mut lon = Pt::nth(1);
    lon.lon = "-180.0001".into();
    let mut hr = Pt::nth(2);
    hr.hr = Some("301".into());
    let mut old = Pt::nth(3);
    old.time = Some("1979-12-31T23:59:59Z".into());
    let mut future = Pt::nth(4);
    future.time = Some("2030-01-02T00:00:01Z".into()); // now (2030-01-01) + 1 day + 1 s
    let mut soon = Pt::nth(5);
    soon.time = Some("2030-01-01T23:00:00Z".into()); // within a day: accepted
    let f = gpx(&GpxWriter::default().write(&[vec![lat, lon, hr, old, future, soon]])).unwrap();
    assert_eq!(f.point_count(), 4);
    let pts: Vec<_> = f.points().copied().collect();
    assert_eq!(pts[0].hr_bpm, None);
    assert!(pts[0].time_ms.is_some());
    assert_eq!((pts[1].time_ms, pts[2].time_ms), (None, None));
    assert_eq!(pts[3].time_ms, Some(ms("2030-01-01T23:00:00Z")));
    let kinds: Vec<_> = f.warnings.iter().map(|w| (w.kind, w.element.as_str(), w.dropped)).collect();
    assert_eq!(
        kinds,
        [
            (WarningKind::OutOfRange, "trkpt@lat", Dropped::Point),
            (WarningKind::OutOfRange, "trkpt@lon", Dropped::Point),
            (WarningKind::OutOfRange, "hr", Dropped::Value),
            (WarningKind::OutOfRange, "time", Dropped::Value),
            (WarningKind::OutOfRange, "time", Dropped::Value),
        ]
    );
    assert!(f.warnings[2].detail.contains("heart rate"));
}

#[test]
fn wrong_kind_of_file_gives_a_clear_error() {
    assert_eq!(gpx(""), Err(TrackXmlError::Empty));
    assert_eq!(gpx("\n \t\r\n"), Err(TrackXmlError::Empty));
    assert_eq!(parse_gpx(b"\x0e\x10\x43\x08\x9a\x01\x00\x00.FIT\x00\x00"), Err(TrackXmlError::Binary));
    assert!(matches!(
        gpx("\n{\"type\": \"FeatureCollection\"}"),
        Err(TrackXmlError::NotXml { line: 2, column: 1, .. })
    ));

    let e = gpx(&TcxWriter::default().write(&[vec![lap(0, 2)]])).unwrap_err();
    assert_eq!(e.to_string(), "not a GPX file: root element is TrainingCenterDatabase (this looks like a TCX file)");
    assert_eq!(e.position(), Some((2, 1)));
    let e = tcx(&simple_gpx(1)).unwrap_err();
    assert_eq!(e.to_string(), "not a TCX file: root element is gpx (this looks like a GPX file)");
    assert!(
        gpx("<kml xmlns=\"http://www.opengis.net/kml/2.2\"><Document/></kml>").unwrap_err().to_string().contains("KML")
    );
    assert!(matches!(gpx("<?xml version=\"1.0\"?><!-- nothing -->"), Err(TrackXmlError::Malformed { .. })));

    let opts = ParseOptions { max_bytes: 100, ..options() };
    assert_eq!(
        parse_gpx_with(simple_gpx(1).as_bytes(), &opts).map(|_| ()),
        Err(TrackXmlError::TooLarge { size: simple_gpx(1).len(), limit: 100 })
    );
}

#[test]
fn routes_and_waypoints_only_is_not_an_activity() {
    let s = r#"<gpx version="1.1" creator="planner"><wpt lat="1" lon="2"><name>Start</name></wpt>
<rte><name>Loop</name><rtept lat="1" lon="2"/><rtept lat="1.1" lon="2.1"/></rte></gpx>"#;
    let f = gpx(s).unwrap();
    let reason = f.not_activity();
    assert_eq!(reason, Some(NotActivity::RoutesOrWaypointsOnly { routes: 1, route_points: 2, waypoints: 1 }));
    assert!(reason.map(|r| r.to_string()).unwrap_or_default().contains("not a recorded activity"));
    let f = gpx("<gpx><trk><trkseg><trkpt lat=\"1\" lon=\"2\"/></trkseg></trk></gpx>").unwrap();
    assert_eq!(f.not_activity(), Some(NotActivity::NoTimestamps { points: 1 }));
    assert_eq!(gpx("<gpx/>").unwrap().not_activity(), Some(NotActivity::NoTrackPoints));
}

#[test]
fn salvage_keeps_complete_points_before_the_problem() {
    let text = simple_gpx(10);
    // Cut inside the 7th point's <time>.
    let cut = text.match_indices("<time>").nth(7).map_or(0, |(i, _)| i + 9);
    let f = gpx(&text[..cut]).unwrap();
    assert_eq!(f.point_count(), 6);
    let w = f.warnings.last().cloned().unwrap_or_else(|| panic!("no warning"));
    assert_eq!((w.kind, w.dropped), (WarningKind::Truncated, Dropped::RestOfFile));
    assert!(w.detail.contains("<time>"), "{w}");

    // Mismatched end tag in the 4th point.
    let at = text.match_indices("</ele>").nth(3).map_or(0, |(i, _)| i);
    let broken = format!("{}</elevation>{}", &text[..at], &text[at + "</ele>".len()..]);
    let f = gpx(&broken).unwrap();
    assert_eq!(f.point_count(), 3);
    let w = f.warnings.last().cloned().unwrap_or_else(|| panic!("no warning"));
    assert_eq!(w.kind, WarningKind::Malformed);
    assert!(w.detail.contains("</elevation>") && w.detail.contains("<ele>"), "{w}");
}

#[test]
fn broken_before_anything_usable_is_an_error_with_position() {
    let text = simple_gpx(3);
    let cut = text.find("<trkpt").unwrap_or(0) + 10;
    let e = gpx(&text[..cut]).unwrap_err();
    let (line, column) = e.position().unwrap_or((0, 0));
    assert!(line >= 4 && column > 0, "{e}");
    assert!(e.to_string().contains("nothing usable"), "{e}");

    let e = gpx("<gpx>\n  <trk>\n    </trkseg>\n</gpx>").unwrap_err();
    assert_eq!(e.position(), Some((3, 5)), "{e}");
    // Missing </trkpt> before the first point was complete.
    let e = gpx(&simple_gpx(3).replacen("   </trkpt>\n", "", 1)).unwrap_err();
    assert!(e.to_string().contains("</trkpt> is missing"), "{e}");
}

#[test]
fn missing_end_tag_is_placed_where_the_next_point_starts() {
    let text = simple_gpx(6);
    let broken = text.replacen("   </trkpt>\n", "", 3); // removes the first three: point 3 unclosed
    let e = gpx(&broken);
    assert!(e.is_err());
    let mut pieces: Vec<&str> = text.split_inclusive("   </trkpt>\n").collect();
    let tail = pieces.split_off(3).concat();
    let head = pieces.concat();
    let broken = format!("{head}{}", tail.replacen("   </trkpt>\n", "", 1));
    let f = gpx(&broken).unwrap();
    assert_eq!(f.point_count(), 3);
    let w = f.warnings.last().cloned().unwrap_or_else(|| panic!("no warning"));
    let next_at = broken.match_indices("<trkpt").nth(4).map_or(0, |(i, _)| i);
    let next_line = broken[..next_at].matches('\n').count() + 1;
    assert_eq!((w.line as usize, w.column), (next_line, 4));
    assert!(w.detail.contains("</trkpt> is missing"));
}

#[test]
fn encodings() {
    let latin1 =
        b"<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><gpx><metadata><name>Z\xfcrich Lauf</name></metadata></gpx>";
    assert_eq!(parse_gpx_with(latin1, &options()).unwrap().name.as_deref(), Some("Zürich Lauf"));
    let utf16: Vec<u8> =
        std::iter::once(0xFEFFu16).chain(simple_gpx(2).encode_utf16()).flat_map(u16::to_le_bytes).collect();
    assert_eq!(parse_gpx_with(&utf16, &options()).unwrap().point_count(), 2);
    let mut broken = simple_gpx(2).into_bytes();
    let at = broken.windows(7).position(|w| w == b"Morning").unwrap_or(0);
    broken[at] = 0xFF;
    let f = parse_gpx_with(&broken, &options()).unwrap();
    assert_eq!(f.point_count(), 2);
    assert_eq!(f.warnings[0].kind, WarningKind::InvalidEncoding);
    let sjis = b"<?xml version=\"1.0\" encoding=\"Shift_JIS\"?><gpx><metadata><name>\x93\xfa</name></metadata></gpx>";
    assert!(matches!(parse_gpx_with(sjis, &options()), Err(TrackXmlError::UnsupportedEncoding { .. })));
}

#[test]
fn repeated_warnings_are_summed_up_and_capped() {
    let points: Vec<Pt> = (0..50)
        .map(|i| {
            let mut p = Pt::nth(i);
            p.hr = Some("999".into());
            p
        })
        .collect();
    let f = gpx(&GpxWriter::default().write(std::slice::from_ref(&points))).unwrap();
    assert_eq!(f.point_count(), 50);
    assert_eq!(f.warnings.len(), 6, "{:#?}", f.warnings);
    assert!(f.warnings[5].detail.starts_with("45 more warnings"), "{}", f.warnings[5]);
    let opts = ParseOptions { max_warnings: 3, ..options() };
    let f = parse_gpx_with(GpxWriter::default().write(&[points]).as_bytes(), &opts).unwrap();
    assert_eq!((f.warnings.len(), f.warnings_omitted), (3, 3));
}

#[test]
fn trailing_content_and_deep_nesting() {
    let text = format!("{}<gpx><trk><trkseg><trkpt lat=\"1\" lon=\"1\"/></trkseg></trk></gpx>", simple_gpx(2));
    let f = gpx(&text).unwrap();
    assert_eq!(f.point_count(), 2);
    assert_eq!(f.warnings.last().map(|w| w.kind), Some(WarningKind::TrailingContent));

    let deep = format!(
        "<gpx><trk><trkseg><trkpt lat=\"1\" lon=\"2\"/><trkpt lat=\"1\" lon=\"2\"><extensions>{}{}</extensions></trkpt></trkseg></trk></gpx>",
        "<a>".repeat(100_000),
        "</a>".repeat(100_000)
    );
    let f = gpx(&deep).unwrap();
    assert_eq!(f.point_count(), 1);
    assert!(f.warnings.iter().any(|w| w.kind == WarningKind::Malformed && w.detail.contains("nested")));
}

#[test]
fn gpx_one_zero_and_oddities() {
    // GPX 1.0 top-level name and time; a point straight under <trk>; CDATA; comments inside values.
    let s = r#"<gpx version="1.0"><name>Old</name><time>2010-08-06T10:00:00Z</time>
<trk><name><![CDATA[Track <1>]]></name><type>running</type>
<trkpt lat="46" lon="14"><ele>4<!-- c -->50</ele><time>2010-08-06T10:00:01Z</time></trkpt></trk></gpx>"#;
    let f = gpx(s).unwrap();
    assert_eq!((f.name.as_deref(), f.time_ms), (Some("Old"), Some(ms("2010-08-06T10:00:00Z"))));
    assert_eq!((f.tracks[0].name.as_deref(), f.tracks[0].kind.as_deref()), (Some("Track <1>"), Some("running")));
    assert_eq!(f.points().next().and_then(|p| p.ele_m), Some(450.0));
    // Duplicate attribute.
    let f = gpx(
        "<gpx><trk><trkseg><trkpt lat=\"1\" lat=\"2\" lon=\"3\"/><trkpt lat=\"1\" lon=\"3\"/></trkseg></trk></gpx>",
    )
    .unwrap();
    assert_eq!(f.point_count(), 1);
    assert_eq!(f.warnings[0].kind, WarningKind::Duplicate);
}

#[test]
fn tcx_writer_round_trip_with_prefixes() {
    for ext_prefix in ["ns3", "ax", "ActivityExtension"] {
        let w = TcxWriter { ext_prefix, ..TcxWriter::default() };
        let f = tcx(&w.write(&[vec![lap(0, 5), lap(5, 4)], vec![lap(20, 3)]])).unwrap();
        assert_eq!((f.activities.len(), f.lap_count(), f.trackpoint_count()), (2, 3, 12), "{ext_prefix}");
        let a = &f.activities[0];
        assert_eq!((a.sport, a.creator_name.as_deref()), (Some(TcxSport::Running), Some("Forerunner 945")));
        assert_eq!(a.id_time_ms, Some(ms("2024-05-01T07:30:00.250Z")));
        assert_eq!(a.multisport_session, None);
        let l = &a.laps[1];
        assert_eq!(l.start_time_ms, Some(ms("2024-05-01T07:30:05.250Z")));
        assert_eq!(
            (l.total_time_s, l.distance_m, l.max_speed_m_s, l.calories_kcal),
            (Some(4.0), Some(12.0), Some(3.5), Some(133.0))
        );
        assert_eq!((l.avg_hr_bpm, l.max_hr_bpm), (Some(140.0), Some(162.0)));
        assert_eq!((l.intensity, l.trigger_method), (Some(TcxIntensity::Active), Some(TcxTriggerMethod::Distance)));
        assert_eq!(
            (l.avg_speed_m_s, l.avg_run_cadence_rpm, l.max_run_cadence_rpm),
            (Some(2.5), Some(80.0), Some(90.0))
        );
        let p = l.trackpoints().next().copied().unwrap_or_default();
        assert_eq!(p.time_ms, Some(ms("2024-05-01T07:30:05.250Z")));
        assert_eq!((p.lat_deg, p.lon_deg), (Some(40.7505), Some(-73.9905)));
        assert_eq!((p.altitude_m, p.distance_m, p.hr_bpm), (Some(12.0), Some(15.0), Some(135.0)));
        assert_eq!((p.speed_m_s, p.run_cadence_rpm), (Some(2.75), Some(82.0)));
        assert!(f.warnings.is_empty(), "{:?}", f.warnings);
    }
}

#[test]
fn tcx_bad_values() {
    let mut pts: Vec<Tp> = (0..6).map(Tp::nth).collect();
    pts[1].time = "not-a-timestamp".into();
    pts[2].lat = None; // position without latitude: position dropped, point kept
    pts[3].hr = Some("400".into()); // implausible: value dropped
    pts[4].dist = Some("12.5.1".into()); // bad number: point dropped
    pts[5].lat = Some("95".into()); // out of range: position dropped
    let spec = support::LapSpec {
        start: "bad-start".into(),
        total_time_s: "abc".into(),
        distance_m: "18".into(),
        points: pts,
    };
    let f = tcx(&TcxWriter { sport: "Swimming", ..TcxWriter::default() }.write(&[vec![spec]])).unwrap();
    assert_eq!(f.trackpoint_count(), 4);
    let a = &f.activities[0];
    assert_eq!(a.sport, None);
    let l = &a.laps[0];
    assert_eq!((l.start_time_ms, l.total_time_s, l.distance_m), (None, None, Some(18.0)));
    let tps: Vec<_> = l.trackpoints().copied().collect();
    assert_eq!((tps[1].lat_deg, tps[1].lon_deg, tps[1].time_ms.is_some()), (None, None, true));
    assert_eq!(tps[2].hr_bpm, None);
    assert_eq!((tps[3].lat_deg, tps[3].lon_deg), (None, None));
    let got: Vec<_> = f.warnings.iter().map(|w| (w.kind, w.element.as_str(), w.dropped)).collect();
    assert_eq!(
        got,
        [
            (WarningKind::UnknownValue, "Activity@Sport", Dropped::Value),
            (WarningKind::BadTime, "Id", Dropped::Value),
            (WarningKind::BadTime, "Lap@StartTime", Dropped::Value),
            (WarningKind::BadNumber, "TotalTimeSeconds", Dropped::Value),
            (WarningKind::BadTime, "Time", Dropped::Point),
            (WarningKind::MissingValue, "Position", Dropped::Value),
            (WarningKind::OutOfRange, "Value", Dropped::Value),
            (WarningKind::BadNumber, "DistanceMeters", Dropped::Point),
            (WarningKind::OutOfRange, "LatitudeDegrees", Dropped::Value),
        ]
    );
}

#[test]
fn tcx_multisport_course_workout() {
    let s = r#"<TrainingCenterDatabase xmlns="http://www.garmin.com/xmlschemas/TrainingCenterDatabase/v2">
<Activities><MultiSportSession><Id>2011-11-29T12:12:00Z</Id>
<FirstSport><Activity Sport="Running"><Id>2011-11-29T12:12:00Z</Id><Lap StartTime="2011-11-29T12:12:00Z"><Track>
<Trackpoint><Time>2011-11-29T12:12:00Z</Time></Trackpoint></Track></Lap></Activity></FirstSport>
<NextSport><Transition StartTime="2011-11-29T13:12:00Z"><TotalTimeSeconds>60</TotalTimeSeconds></Transition>
<Activity Sport="Biking"><Id>2011-11-29T13:13:00Z</Id><Lap StartTime="2011-11-29T13:13:00Z"/></Activity></NextSport>
</MultiSportSession><Activity Sport="Other"><Id>2011-12-01T10:00:00Z</Id><Lap StartTime="2011-12-01T10:00:00Z"/></Activity>
</Activities><Author><Name>Garmin Connect API</Name></Author></TrainingCenterDatabase>"#;
    let f = tcx(s).unwrap();
    let sessions: Vec<_> = f.activities.iter().map(|a| (a.sport, a.multisport_session)).collect();
    assert_eq!(
        sessions,
        [(Some(TcxSport::Running), Some(0)), (Some(TcxSport::Biking), Some(0)), (Some(TcxSport::Other), None)]
    );
    assert_eq!((f.lap_count(), f.trackpoint_count()), (3, 1));
    assert_eq!(f.author_name.as_deref(), Some("Garmin Connect API"));

    let course = "<TrainingCenterDatabase><Courses><Course><Name>Loop</Name><Lap/><Track><Trackpoint>\
                  <Time>2020-01-01T00:00:00Z</Time></Trackpoint></Track></Course></Courses></TrainingCenterDatabase>";
    let f = tcx(course).unwrap();
    assert_eq!(f.not_activity(), Some(NotActivity::Course { courses: 1 }));
    let empty = tcx("<TrainingCenterDatabase><Activities/></TrainingCenterDatabase>").unwrap();
    assert_eq!(empty.not_activity(), Some(NotActivity::NoActivities));
}

#[test]
fn tcx_missing_end_tag_and_truncation() {
    let text = TcxWriter::default().write(&[vec![lap(0, 4), lap(4, 4)]]);
    let broken = text.replacen("     </Trackpoint>\n", "", 6); // 6th trackpoint's end removed...
    let f = tcx(&broken);
    assert!(f.is_err() || f.is_ok_and(|f| f.trackpoint_count() < 8));
    let mut parts: Vec<&str> = text.split_inclusive("     </Trackpoint>\n").collect();
    let tail = parts.split_off(5).concat();
    let broken = format!("{}{}", parts.concat(), tail.replacen("     </Trackpoint>\n", "", 1));
    let f = tcx(&broken).unwrap();
    assert_eq!((f.lap_count(), f.trackpoint_count()), (2, 5));
    assert!(f.warnings.last().is_some_and(|w| w.detail.contains("</Trackpoint> is missing")));

    let cut = text.find("<Creator>").unwrap_or(0);
    let f = tcx(&text[..cut]).unwrap();
    assert_eq!((f.lap_count(), f.trackpoint_count()), (2, 8));
    // Cut inside the first trackpoint: nothing usable.
    let cut = text.find("<AltitudeMeters>").unwrap_or(0);
    let e = tcx(&text[..cut]).unwrap_err();
    assert!(matches!(e, TrackXmlError::Malformed { .. }) && e.position().is_some(), "{e}");
}

#[test]
fn now_is_taken_from_options() {
    let mut p = Pt::nth(0);
    p.time = Some("2031-01-01T00:00:00Z".into());
    let text = GpxWriter::default().write(&[vec![p]]);
    let f = gpx(&text).unwrap();
    assert_eq!(f.points().next().and_then(|p| p.time_ms), None);
    let later = ParseOptions { now_ms: Some(NOW_MS + 400 * 86_400_000), ..options() };
    let f = parse_gpx_with(text.as_bytes(), &later).unwrap();
    assert!(f.points().next().and_then(|p| p.time_ms).is_some());
}
