//! GPX 1.0 and 1.1.
//!
//! Read: the `creator` and `version` attributes, the document name and time (`<metadata>` in
//! 1.1, top level in 1.0), tracks with their segments and points (position, elevation, time,
//! GPX 1.0 `<speed>`, and sensor values from any extension: Garmin TrackPointExtension v1/v2
//! `hr`/`cad`/`atemp`, Strava `<power>`, Cluetrust `gpxdata:hr`/`temp`/`distance`, and the
//! like). Routes and waypoints are only counted: they plan a way, they do not record one.
//! Everything else (links, descriptions, unknown extensions) is skipped without complaint.

use quick_xml::events::BytesStart;

mod plain;

use crate::error::{Dropped, TrackXmlError, WarningKind};
use crate::value::ParsedTime;
use crate::xml::{self, Doc, Ending, Handler};
use crate::{NotActivity, ParseOptions};

/// A GPX file as read.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct GpxFile {
    /// The `version` attribute of `<gpx>` ("1.0", "1.1"), if present.
    pub version: Option<String>,
    /// The `creator` attribute of `<gpx>` (the app or device that wrote the file).
    pub creator: Option<String>,
    /// The document name (`<metadata><name>` in GPX 1.1, `<name>` under `<gpx>` in 1.0).
    pub name: Option<String>,
    /// The document time in Unix milliseconds (`<metadata><time>` or 1.0 `<time>`).
    pub time_ms: Option<i64>,
    /// The UTC offset the document time was written with, in minutes (`Some(0)` for `Z`).
    pub time_utc_offset_min: Option<i16>,
    /// The recorded tracks, in file order.
    pub tracks: Vec<GpxTrack>,
    /// Number of complete `<rte>` elements (planned routes: counted, not read).
    pub route_count: usize,
    /// Number of complete `<rtept>` elements in all routes.
    pub route_point_count: usize,
    /// Number of complete `<wpt>` elements (waypoints: counted, not read).
    pub waypoint_count: usize,
    /// Everything that was skipped or doubtful, in file order (at most
    /// [`ParseOptions::max_warnings`]).
    pub warnings: Vec<crate::Warning>,
    /// Warnings beyond the cap that were counted but not kept.
    pub warnings_omitted: usize,
    /// Units of work the reader did (XML events plus bytes its own code looked at: names, joined text, line
    /// positions). Linear in the input by design: tests and the fuzz target compare it with the input size.
    pub work_units: u64,
}

/// One `<trk>`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct GpxTrack {
    /// `<name>` of the track.
    pub name: Option<String>,
    /// `<type>` of the track as written (e.g. "running", or Strava's "9").
    pub kind: Option<String>,
    /// The `<trkseg>` segments (a new segment usually follows a pause or signal loss).
    pub segments: Vec<GpxSegment>,
}

/// One `<trkseg>`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct GpxSegment {
    /// The points, in file order.
    pub points: Vec<GpxPoint>,
}

/// One `<trkpt>`. Values the file does not give, or gave out of range, are `None`.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct GpxPoint {
    /// Latitude, WGS84 degrees, within -90..=90.
    pub lat_deg: f64,
    /// Longitude, WGS84 degrees, within -180..=180.
    pub lon_deg: f64,
    /// Elevation in metres (`<ele>`).
    pub ele_m: Option<f64>,
    /// Time in Unix milliseconds (`<time>`).
    pub time_ms: Option<i64>,
    /// UTC offset the time was written with, in minutes: `Some(0)` for `Z`, `None` when no zone
    /// was written (the time is then read as UTC).
    pub utc_offset_min: Option<i16>,
    /// Heart rate in beats per minute (`hr`, `heartrate`, ... in an extension).
    pub hr_bpm: Option<f32>,
    /// Cadence in revolutions (for running: strides of one leg) per minute (`cad`, `cadence`).
    pub cadence_rpm: Option<f32>,
    /// Power in watts (`power`, `PowerInWatts`, `watts`).
    pub power_w: Option<f32>,
    /// Air temperature in °C (`atemp`, `temp`).
    pub temp_c: Option<f32>,
    /// Speed in metres per second (GPX 1.0 `<speed>` or an extension `speed`).
    pub speed_m_s: Option<f64>,
    /// Distance from the start in metres, when an extension gives it (`distance`).
    pub distance_m: Option<f64>,
}

impl GpxFile {
    /// Number of track points in all tracks.
    pub fn point_count(&self) -> usize {
        self.tracks.iter().flat_map(|t| &t.segments).map(|s| s.points.len()).sum()
    }

    /// All track points, in file order, across tracks and segments.
    pub fn points(&self) -> impl Iterator<Item = &GpxPoint> {
        self.tracks.iter().flat_map(|t| &t.segments).flat_map(|s| &s.points)
    }

    /// Why this file is not a recorded activity, or `None` if it is one (it has track points,
    /// and at least one of them has a time).
    pub fn not_activity(&self) -> Option<NotActivity> {
        let points = self.point_count();
        if points == 0 {
            if self.route_count > 0 || self.waypoint_count > 0 {
                return Some(NotActivity::RoutesOrWaypointsOnly {
                    routes: self.route_count,
                    route_points: self.route_point_count,
                    waypoints: self.waypoint_count,
                });
            }
            return Some(NotActivity::NoTrackPoints);
        }
        if !self.points().any(|p| p.time_ms.is_some()) {
            return Some(NotActivity::NoTimestamps { points });
        }
        None
    }
}

/// Reads a GPX 1.0 or 1.1 file with the default [`ParseOptions`].
///
/// See [`parse_gpx_with`].
pub fn parse_gpx(bytes: &[u8]) -> Result<GpxFile, TrackXmlError> {
    parse_gpx_with(bytes, &ParseOptions::default())
}

/// Reads a GPX 1.0 or 1.1 file.
///
/// Returns an error only when nothing usable can be read: empty, binary, too large, not XML,
/// not GPX, a `<!DOCTYPE`, or XML broken before the first complete track point. Anything less
/// is a [`Warning`](crate::Warning) in [`GpxFile::warnings`]: a point with a bad number or time
/// is dropped, an implausible value is dropped, and if the XML breaks part-way (truncated
/// upload, missing end tag) every point completed before the break is kept.
pub fn parse_gpx_with(bytes: &[u8], options: &ParseOptions) -> Result<GpxFile, TrackXmlError> {
    read_gpx(bytes, options, None)
}

/// [`parse_gpx_with`], telling `watch` the byte position about every 64 KiB; when it returns
/// [`std::ops::ControlFlow::Break`] (a time limit, a cancelled import) reading stops with
/// [`TrackXmlError::Stopped`]. For progress within a large file and for stopping one that takes too long.
///
/// # Errors
/// As [`parse_gpx_with`], plus [`TrackXmlError::Stopped`].
pub fn parse_gpx_watched(
    bytes: &[u8],
    options: &ParseOptions,
    watch: &mut dyn FnMut(usize) -> std::ops::ControlFlow<()>,
) -> Result<GpxFile, TrackXmlError> {
    read_gpx(bytes, options, Some(watch))
}

fn read_gpx(bytes: &[u8], options: &ParseOptions, watch: xml::Watch<'_>) -> Result<GpxFile, TrackXmlError> {
    let prepared = crate::input::prepare(bytes, options.max_bytes)?;
    let mut doc = Doc::over(&prepared, options.max_warnings, options.now_ms());
    let mut reader = GpxReader::default();
    let ending = xml::run(
        &mut doc,
        &mut reader,
        "gpx",
        |root, line, column| TrackXmlError::NotGpx {
            root: root.to_owned(),
            hint: match root {
                "TrainingCenterDatabase" => " (this looks like a TCX file)",
                "html" => " (this is a web page)",
                "kml" => " (this is a KML file)",
                _ => "",
            },
            line,
            column,
        },
        watch,
    )?;
    let usable = reader.complete_points > 0;
    if matches!(ending, Ending::Stopped { .. }) {
        reader.drop_unfinished();
    }
    ending.salvage(&mut doc, usable)?;
    let mut file = reader.file;
    (file.warnings, file.warnings_omitted, file.work_units) = doc.finish();
    Ok(file)
}

/// Extension values recognised at any depth inside a point's `<extensions>`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Ext {
    Hr,
    Cadence,
    Power,
    Temp,
    Speed,
    Distance,
}

fn ext_field(local: &str) -> Option<Ext> {
    Some(match local {
        "hr" | "heartrate" | "HeartRate" | "heart_rate" | "heartRate" => Ext::Hr,
        "cad" | "cadence" | "Cadence" => Ext::Cadence,
        "power" | "PowerInWatts" | "watts" | "Watts" | "Power" => Ext::Power,
        "atemp" | "temp" | "temperature" | "Temperature" => Ext::Temp,
        "speed" | "Speed" => Ext::Speed,
        "distance" | "Distance" => Ext::Distance,
        _ => return None,
    })
}

/// What an element means where it is.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
enum Node {
    Gpx,
    Metadata,
    DocName,
    DocTime,
    Wpt,
    Rte,
    Rtept,
    Trk,
    TrkName,
    TrkType,
    Seg,
    Pt,
    PtEle,
    PtTime,
    PtSpeed,
    PtExt,
    PtExtValue(Ext),
    #[default]
    Skip,
}

/// The point being read: values are filled in as its children end, and it is kept only if it
/// ends (so a truncated file never yields a half point) and nothing in it was bad.
#[derive(Default)]
struct PendingPoint {
    point: GpxPoint,
    lat: Option<f64>,
    lon: Option<f64>,
    offset: usize,
    bad: bool,
}

#[derive(Default)]
struct GpxReader {
    file: GpxFile,
    pt: PendingPoint,
    complete_points: usize,
    /// Whether the last track / segment was opened but not yet closed.
    trk_open: bool,
    seg_open: bool,
    /// The last point read by the plain path (`gpx/plain.rs`), kept to be filled again.
    plain: plain::PlainPoint,
}

impl GpxReader {
    /// After a stop: remove a segment or track that was cut off before any point was complete.
    fn drop_unfinished(&mut self) {
        if self.seg_open
            && let Some(t) = self.file.tracks.last_mut()
            && t.segments.last().is_some_and(|s| s.points.is_empty())
        {
            t.segments.pop();
        }
        if self.trk_open && self.file.tracks.last().is_some_and(|t| t.segments.is_empty()) {
            self.file.tracks.pop();
        }
    }

    fn start_point<'a>(&mut self, doc: &mut Doc<'a>, start: &BytesStart<'a>, offset: usize) {
        self.pt = PendingPoint { offset, ..PendingPoint::default() };
        for attr in start.attributes().with_checks(false) {
            let attr = match attr {
                Ok(a) => a,
                Err(e) => {
                    doc.warn(
                        offset,
                        WarningKind::Malformed,
                        "trkpt",
                        None,
                        Dropped::Point,
                        format!("bad attribute: {e}"),
                    );
                    self.pt.bad = true;
                    break;
                }
            };
            let (is_lat, name) = match attr.key.local_name().into_inner() {
                "lat" => (true, "trkpt@lat"),
                "lon" => (false, "trkpt@lon"),
                _ => continue,
            };
            let at = doc.offset_of(&attr.value).unwrap_or(offset);
            let slot = if is_lat { &mut self.pt.lat } else { &mut self.pt.lon };
            if slot.is_some() {
                doc.warn(at, WarningKind::Duplicate, name, Some(&attr.value), Dropped::Point, "given twice");
                self.pt.bad = true;
                continue;
            }
            let raw = if attr.value.contains('&') {
                attr.normalized_value(quick_xml::XmlVersion::Implicit1_0).unwrap_or_else(|_| attr.value.clone())
            } else {
                attr.value.clone()
            };
            self.coordinate(doc, is_lat, &raw, at);
        }
    }

    /// Reads the `lat` or `lon` attribute of the pending point from its text (`at`: where it is), warning and
    /// marking the point bad when it is not a number within range. Shared by [`Self::start_point`] and the plain
    /// point reader ([`crate::plain_point`]), so both read coordinates alike.
    fn coordinate(&mut self, doc: &mut Doc<'_>, is_lat: bool, raw: &str, at: usize) {
        let name = if is_lat { "trkpt@lat" } else { "trkpt@lon" };
        let range = if is_lat { &xml::LAT } else { &xml::LON };
        match doc.number(raw, at, name, Dropped::Point) {
            Ok(Some(v)) if v >= range.lo && v <= range.hi => {
                if is_lat {
                    self.pt.lat = Some(v);
                } else {
                    self.pt.lon = Some(v);
                }
            }
            Ok(Some(v)) => {
                doc.warn(
                    at,
                    WarningKind::OutOfRange,
                    name,
                    Some(&v.to_string()),
                    Dropped::Point,
                    format!("{} must be within {}..={} degrees", range.what, range.lo, range.hi),
                );
                self.pt.bad = true;
            }
            Ok(None) => {
                doc.warn(at, WarningKind::MissingValue, name, None, Dropped::Point, "the attribute is empty");
                self.pt.bad = true;
            }
            Err(()) => self.pt.bad = true,
        }
    }

    fn finish_point(&mut self, doc: &mut Doc<'_>) {
        let pt = std::mem::take(&mut self.pt);
        if pt.bad {
            return;
        }
        let (Some(lat), Some(lon)) = (pt.lat, pt.lon) else {
            let missing = if pt.lat.is_none() { "lat" } else { "lon" };
            doc.warn(
                pt.offset,
                WarningKind::MissingValue,
                "trkpt",
                None,
                Dropped::Point,
                format!("the {missing} attribute is missing"),
            );
            return;
        };
        let mut point = pt.point;
        point.lat_deg = lat;
        point.lon_deg = lon;
        if self.complete_points >= crate::MAX_POINTS {
            let detail = format!("more than {} points; the rest of the track was skipped", crate::MAX_POINTS);
            doc.warn(pt.offset, WarningKind::TooManyPoints, "trkpt", None, Dropped::Point, detail);
            return;
        }
        if let Some(seg) = self.file.tracks.last_mut().and_then(|t| t.segments.last_mut()) {
            seg.points.push(point);
            self.complete_points += 1;
        }
    }

    fn ext_value(&mut self, doc: &mut Doc<'_>, ext: Ext, text: &str, at: usize) {
        let (range, element) = match ext {
            Ext::Hr => (&xml::HR, "hr"),
            Ext::Cadence => (&xml::CADENCE, "cad"),
            Ext::Power => (&xml::POWER, "power"),
            Ext::Temp => (&xml::TEMP, "atemp"),
            Ext::Speed => (&xml::SPEED, "speed"),
            Ext::Distance => (&xml::DISTANCE, "distance"),
        };
        let Ok(v) = doc.ranged(text, at, element, range, Dropped::Point) else {
            self.pt.bad = true;
            return;
        };
        let p = &mut self.pt.point;
        match ext {
            Ext::Hr => p.hr_bpm = v.map(|v| v as f32),
            Ext::Cadence => p.cadence_rpm = v.map(|v| v as f32),
            Ext::Power => p.power_w = v.map(|v| v as f32),
            Ext::Temp => p.temp_c = v.map(|v| v as f32),
            Ext::Speed => p.speed_m_s = v,
            Ext::Distance => p.distance_m = v,
        }
    }
}

/// Trimmed, owned copy of a name; `None` when blank.
fn name_text(text: &str) -> Option<String> {
    let t = text.trim();
    (!t.is_empty()).then(|| t.to_owned())
}

impl<'a> Handler<'a> for GpxReader {
    type Node = Node;

    fn captures(node: Node) -> bool {
        matches!(
            node,
            Node::DocName
                | Node::DocTime
                | Node::TrkName
                | Node::TrkType
                | Node::PtEle
                | Node::PtTime
                | Node::PtSpeed
                | Node::PtExtValue(_)
        )
    }

    fn root(&mut self, _doc: &mut Doc<'a>, start: &BytesStart<'a>) -> Node {
        for attr in start.attributes().with_checks(false).flatten() {
            let value = attr
                .normalized_value(quick_xml::XmlVersion::Implicit1_0)
                .map(|v| v.trim().to_owned())
                .ok()
                .filter(|v| !v.is_empty());
            match attr.key.local_name().into_inner() {
                "version" => self.file.version = value,
                "creator" => self.file.creator = value,
                _ => {}
            }
        }
        Node::Gpx
    }

    fn enter(
        &mut self,
        doc: &mut Doc<'a>,
        parent: Node,
        local: &str,
        start: &BytesStart<'a>,
        offset: usize,
    ) -> Result<Node, String> {
        Ok(match (parent, local) {
            (Node::Seg, "trkpt") => {
                self.start_point(doc, start, offset);
                Node::Pt
            }
            (Node::Pt, "ele") => Node::PtEle,
            (Node::Pt, "time") => Node::PtTime,
            (Node::Pt, "extensions") => Node::PtExt,
            (Node::Pt, "speed") => Node::PtSpeed,
            (Node::PtExt, name) => ext_field(name).map_or(Node::PtExt, Node::PtExtValue),
            (Node::Pt, "trkpt") => {
                let (line, column) = doc.locate(self.pt.offset);
                return Err(format!(
                    "<trkpt> starts inside the <trkpt> opened at line {line}, column {column}: its </trkpt> is missing"
                ));
            }
            (Node::Trk, "trkseg") => {
                if let Some(t) = self.file.tracks.last_mut() {
                    t.segments.push(GpxSegment::default());
                }
                self.seg_open = true;
                Node::Seg
            }
            (Node::Trk, "trkpt") => {
                // A point straight under <trk> (no <trkseg>): some writers do this; the meaning
                // is unambiguous, so read it into the track's last (or a new) segment.
                if let Some(t) = self.file.tracks.last_mut()
                    && t.segments.is_empty()
                {
                    t.segments.push(GpxSegment::default());
                }
                self.start_point(doc, start, offset);
                Node::Pt
            }
            (Node::Trk, "name") => Node::TrkName,
            (Node::Trk, "type") => Node::TrkType,
            (Node::Gpx, "trk") => {
                self.file.tracks.push(GpxTrack::default());
                self.trk_open = true;
                Node::Trk
            }
            (Node::Gpx, "metadata") => Node::Metadata,
            (Node::Gpx | Node::Metadata, "name") => Node::DocName,
            (Node::Gpx | Node::Metadata, "time") => Node::DocTime,
            (Node::Gpx, "wpt") => Node::Wpt,
            (Node::Gpx, "rte") => Node::Rte,
            (Node::Rte, "rtept") => Node::Rtept,
            _ => Node::Skip,
        })
    }

    /// Track points of the common shape, read in one pass (see `gpx/plain.rs` for why and what shape): the same
    /// calls, in the same order, as their events make through `enter` and `leave`.
    fn plain_child(&mut self, doc: &mut Doc<'a>, parent: Node, at: usize) -> Result<usize, usize> {
        if parent != Node::Seg {
            return Err(at);
        }
        let end = plain::read(doc.src, at, &mut self.plain)?;
        let src = doc.src;
        let text = |start: u32, end: u32| src.get(start as usize..end as usize).unwrap_or("");
        doc.work += self.plain.work;
        self.pt = PendingPoint { offset: self.plain.offset, ..PendingPoint::default() };
        for (is_lat, start, end) in self.plain.coordinates {
            self.coordinate(doc, is_lat, text(start, end), start as usize);
        }
        for i in 0..self.plain.value_count {
            let (node, start, end, at) = self.plain.values[i];
            self.leave(doc, node, text(start, end), at as usize);
        }
        self.finish_point(doc);
        Ok(end)
    }

    fn leave(&mut self, doc: &mut Doc<'a>, node: Node, text: &str, at: usize) {
        match node {
            Node::PtEle => match doc.ranged(text, at, "ele", &xml::ELE, Dropped::Point) {
                Ok(v) => self.pt.point.ele_m = v,
                Err(()) => self.pt.bad = true,
            },
            Node::PtTime => match doc.time(text, at, "time", Dropped::Point) {
                Ok(t) => {
                    self.pt.point.time_ms = t.map(|t| t.unix_ms);
                    self.pt.point.utc_offset_min = t.and_then(|t| t.utc_offset_min);
                }
                Err(()) => self.pt.bad = true,
            },
            Node::PtSpeed => self.ext_value(doc, Ext::Speed, text, at),
            Node::PtExtValue(ext) => self.ext_value(doc, ext, text, at),
            Node::Pt => self.finish_point(doc),
            Node::Seg => self.seg_open = false,
            Node::Trk => self.trk_open = false,
            Node::TrkName => {
                if let Some(t) = self.file.tracks.last_mut() {
                    t.name = name_text(text);
                }
            }
            Node::TrkType => {
                if let Some(t) = self.file.tracks.last_mut() {
                    t.kind = name_text(text);
                }
            }
            Node::DocName => {
                if self.file.name.is_none() {
                    self.file.name = name_text(text);
                }
            }
            Node::DocTime => {
                if let Ok(Some(ParsedTime { unix_ms, utc_offset_min })) = doc.time(text, at, "time", Dropped::Value) {
                    self.file.time_ms = Some(unix_ms);
                    self.file.time_utc_offset_min = utc_offset_min;
                }
            }
            Node::Wpt => self.file.waypoint_count += 1,
            Node::Rte => self.file.route_count += 1,
            Node::Rtept => self.file.route_point_count += 1,
            Node::Gpx | Node::Metadata | Node::PtExt | Node::Skip => {}
        }
    }
}
