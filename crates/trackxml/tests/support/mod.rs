//! Test support: a tiny GPX / TCX writer for fixtures, and access to the shared corpus.
//!
//! The writer makes the variations real files show (namespace prefixes, extension versions,
//! byte order marks) without copying any file into the repository.

#![allow(dead_code)]

use std::fmt::Write as _;
use std::path::PathBuf;

/// Where the shared corpus lives relative to this crate (outside the repository).
pub fn corpus_dir() -> Option<PathBuf> {
    let dir = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/corpus"));
    if dir.is_dir() {
        Some(dir)
    } else {
        println!("skipped: corpus not found");
        None
    }
}

/// A fixed "now" for tests: 2030-01-01T00:00:00Z.
pub const NOW_MS: i64 = 1_893_456_000_000;

pub fn options() -> runtall_trackxml::ParseOptions {
    runtall_trackxml::ParseOptions { now_ms: Some(NOW_MS), ..Default::default() }
}

/// One point to write; `None` fields are left out.
#[derive(Clone, Debug, Default)]
pub struct Pt {
    pub lat: String,
    pub lon: String,
    pub ele: Option<String>,
    pub time: Option<String>,
    pub hr: Option<String>,
    pub cad: Option<String>,
    pub atemp: Option<String>,
    pub power: Option<String>,
}

impl Pt {
    /// A plain point `i` seconds after 2024-05-01T07:30:00Z, with elevation and sensors.
    pub fn nth(i: u32) -> Self {
        Pt {
            lat: format!("{:.6}", 48.2 + f64::from(i) * 0.0001),
            lon: format!("{:.6}", 16.37 + f64::from(i) * 0.0001),
            ele: Some(format!("{}.5", 150 + i)),
            time: Some(format!("2024-05-01T07:{:02}:{:02}Z", 30 + i / 60, i % 60)),
            hr: Some(format!("{}", 120 + i % 50)),
            cad: Some(format!("{}", 80 + i % 10)),
            atemp: Some("21.5".into()),
            power: None,
        }
    }
}

/// Garmin TrackPointExtension namespace versions.
#[derive(Clone, Copy, Debug)]
pub enum Tpx {
    V1,
    V2,
}

/// Writes GPX 1.1 with configurable prefixes.
#[derive(Clone, Debug)]
pub struct GpxWriter {
    /// Prefix for the GPX elements (`None`: default namespace).
    pub prefix: Option<&'static str>,
    /// Prefix for the TrackPointExtension elements.
    pub tpx_prefix: &'static str,
    pub tpx: Tpx,
    pub bom: bool,
    pub declaration: bool,
    pub creator: Option<&'static str>,
    pub name: Option<&'static str>,
}

impl Default for GpxWriter {
    fn default() -> Self {
        Self {
            prefix: None,
            tpx_prefix: "gpxtpx",
            tpx: Tpx::V1,
            bom: false,
            declaration: true,
            creator: Some("test writer"),
            name: Some("Morning run"),
        }
    }
}

impl GpxWriter {
    fn tag(&self, name: &str) -> String {
        match self.prefix {
            Some(p) => format!("{p}:{name}"),
            None => name.to_owned(),
        }
    }

    /// The document with one track holding the given segments.
    pub fn write(&self, segments: &[Vec<Pt>]) -> String {
        let mut s = String::new();
        if self.bom {
            s.push('\u{FEFF}');
        }
        if self.declaration {
            s.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
        }
        let gpx_ns = "http://www.topografix.com/GPX/1/1";
        let tpx_ns = match self.tpx {
            Tpx::V1 => "http://www.garmin.com/xmlschemas/TrackPointExtension/v1",
            Tpx::V2 => "http://www.garmin.com/xmlschemas/TrackPointExtension/v2",
        };
        let ns_decl = match self.prefix {
            Some(p) => format!("xmlns:{p}=\"{gpx_ns}\""),
            None => format!("xmlns=\"{gpx_ns}\""),
        };
        let creator = self.creator.map(|c| format!(" creator=\"{c}\"")).unwrap_or_default();
        let _ = writeln!(
            s,
            "<{} version=\"1.1\"{creator} {ns_decl} xmlns:{}=\"{tpx_ns}\">",
            self.tag("gpx"),
            self.tpx_prefix
        );
        if let Some(name) = self.name {
            let _ = writeln!(
                s,
                " <{m}><{n}>{name}</{n}><{t}>2024-05-01T07:29:00Z</{t}></{m}>",
                m = self.tag("metadata"),
                n = self.tag("name"),
                t = self.tag("time")
            );
        }
        let _ = writeln!(s, " <{}>", self.tag("trk"));
        for seg in segments {
            let _ = writeln!(s, "  <{}>", self.tag("trkseg"));
            for p in seg {
                s.push_str(&self.point(p));
            }
            let _ = writeln!(s, "  </{}>", self.tag("trkseg"));
        }
        let _ = writeln!(s, " </{}>", self.tag("trk"));
        let _ = writeln!(s, "</{}>", self.tag("gpx"));
        s
    }

    /// One `<trkpt>` element.
    pub fn point(&self, p: &Pt) -> String {
        let mut s = String::new();
        let _ = writeln!(s, "   <{} lat=\"{}\" lon=\"{}\">", self.tag("trkpt"), p.lat, p.lon);
        if let Some(e) = &p.ele {
            let _ = writeln!(s, "    <{t}>{e}</{t}>", t = self.tag("ele"));
        }
        if let Some(t) = &p.time {
            let _ = writeln!(s, "    <{n}>{t}</{n}>", n = self.tag("time"));
        }
        if p.hr.is_some() || p.cad.is_some() || p.atemp.is_some() || p.power.is_some() {
            let x = self.tpx_prefix;
            let _ = writeln!(s, "    <{}>", self.tag("extensions"));
            if let Some(w) = &p.power {
                let _ = writeln!(s, "     <power>{w}</power>");
            }
            let _ = writeln!(s, "     <{x}:TrackPointExtension>");
            for (name, v) in [("atemp", &p.atemp), ("hr", &p.hr), ("cad", &p.cad)] {
                if let Some(v) = v {
                    let _ = writeln!(s, "      <{x}:{name}>{v}</{x}:{name}>");
                }
            }
            let _ = writeln!(s, "     </{x}:TrackPointExtension>");
            let _ = writeln!(s, "    </{}>", self.tag("extensions"));
        }
        let _ = writeln!(s, "   </{}>", self.tag("trkpt"));
        s
    }
}

/// One TCX trackpoint to write.
#[derive(Clone, Debug, Default)]
pub struct Tp {
    pub time: String,
    pub lat: Option<String>,
    pub lon: Option<String>,
    pub alt: Option<String>,
    pub dist: Option<String>,
    pub hr: Option<String>,
    pub cadence: Option<String>,
    pub speed: Option<String>,
    pub run_cadence: Option<String>,
    pub watts: Option<String>,
}

impl Tp {
    pub fn nth(i: u32) -> Self {
        Tp {
            time: format!("2024-05-01T07:{:02}:{:02}.250Z", 30 + i / 60, i % 60),
            lat: Some(format!("{:.7}", 40.75 + f64::from(i) * 0.0001)),
            lon: Some(format!("{:.7}", -73.99 - f64::from(i) * 0.0001)),
            alt: Some("12.0".into()),
            dist: Some(format!("{}.0", i * 3)),
            hr: Some(format!("{}", 130 + i % 20)),
            cadence: None,
            speed: Some("2.75".into()),
            run_cadence: Some("82".into()),
            watts: None,
        }
    }
}

/// One lap to write.
#[derive(Clone, Debug)]
pub struct LapSpec {
    pub start: String,
    pub total_time_s: String,
    pub distance_m: String,
    pub points: Vec<Tp>,
}

/// Writes TCX v2 with the `ns3` prefix for Garmin's ActivityExtension (as Garmin Connect does),
/// or another prefix.
#[derive(Clone, Debug)]
pub struct TcxWriter {
    pub ext_prefix: &'static str,
    pub sport: &'static str,
    pub creator: &'static str,
}

impl Default for TcxWriter {
    fn default() -> Self {
        Self { ext_prefix: "ns3", sport: "Running", creator: "Forerunner 945" }
    }
}

impl TcxWriter {
    pub fn write(&self, activities: &[Vec<LapSpec>]) -> String {
        let x = self.ext_prefix;
        let mut s = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
        let _ = writeln!(
            s,
            "<TrainingCenterDatabase xmlns=\"http://www.garmin.com/xmlschemas/TrainingCenterDatabase/v2\" \
             xmlns:{x}=\"http://www.garmin.com/xmlschemas/ActivityExtension/v2\">"
        );
        s.push_str(" <Activities>\n");
        for laps in activities {
            let id = laps.first().map(|l| l.start.clone()).unwrap_or_default();
            let _ = writeln!(s, "  <Activity Sport=\"{}\">\n   <Id>{id}</Id>", self.sport);
            for lap in laps {
                let _ = writeln!(s, "   <Lap StartTime=\"{}\">", lap.start);
                let _ = writeln!(s, "    <TotalTimeSeconds>{}</TotalTimeSeconds>", lap.total_time_s);
                let _ = writeln!(s, "    <DistanceMeters>{}</DistanceMeters>", lap.distance_m);
                s.push_str("    <MaximumSpeed>3.5</MaximumSpeed>\n    <Calories>133</Calories>\n");
                s.push_str("    <AverageHeartRateBpm><Value>140</Value></AverageHeartRateBpm>\n");
                s.push_str("    <MaximumHeartRateBpm><Value>162</Value></MaximumHeartRateBpm>\n");
                s.push_str("    <Intensity>Active</Intensity>\n    <TriggerMethod>Distance</TriggerMethod>\n");
                s.push_str("    <Track>\n");
                for p in &lap.points {
                    s.push_str(&self.trackpoint(p));
                }
                s.push_str("    </Track>\n");
                let _ = writeln!(
                    s,
                    "    <Extensions><{x}:LX><{x}:AvgSpeed>2.5</{x}:AvgSpeed><{x}:AvgRunCadence>80</{x}:AvgRunCadence>\
                     <{x}:MaxRunCadence>90</{x}:MaxRunCadence></{x}:LX></Extensions>"
                );
                s.push_str("   </Lap>\n");
            }
            let _ = writeln!(s, "   <Creator><Name>{}</Name></Creator>\n  </Activity>", self.creator);
        }
        s.push_str(" </Activities>\n</TrainingCenterDatabase>\n");
        s
    }

    pub fn trackpoint(&self, p: &Tp) -> String {
        let x = self.ext_prefix;
        let mut s = String::from("     <Trackpoint>\n");
        let _ = writeln!(s, "      <Time>{}</Time>", p.time);
        if p.lat.is_some() || p.lon.is_some() {
            s.push_str("      <Position>\n");
            if let Some(v) = &p.lat {
                let _ = writeln!(s, "       <LatitudeDegrees>{v}</LatitudeDegrees>");
            }
            if let Some(v) = &p.lon {
                let _ = writeln!(s, "       <LongitudeDegrees>{v}</LongitudeDegrees>");
            }
            s.push_str("      </Position>\n");
        }
        if let Some(v) = &p.alt {
            let _ = writeln!(s, "      <AltitudeMeters>{v}</AltitudeMeters>");
        }
        if let Some(v) = &p.dist {
            let _ = writeln!(s, "      <DistanceMeters>{v}</DistanceMeters>");
        }
        if let Some(v) = &p.hr {
            let _ = writeln!(s, "      <HeartRateBpm><Value>{v}</Value></HeartRateBpm>");
        }
        if let Some(v) = &p.cadence {
            let _ = writeln!(s, "      <Cadence>{v}</Cadence>");
        }
        if p.speed.is_some() || p.run_cadence.is_some() || p.watts.is_some() {
            let _ = writeln!(s, "      <Extensions>\n       <{x}:TPX>");
            for (name, v) in [("Speed", &p.speed), ("RunCadence", &p.run_cadence), ("Watts", &p.watts)] {
                if let Some(v) = v {
                    let _ = writeln!(s, "        <{x}:{name}>{v}</{x}:{name}>");
                }
            }
            let _ = writeln!(s, "       </{x}:TPX>\n      </Extensions>");
        }
        s.push_str("     </Trackpoint>\n");
        s
    }
}

/// A lap of `n` trackpoints starting at point index `from`.
pub fn lap(from: u32, n: u32) -> LapSpec {
    let points: Vec<Tp> = (from..from + n).map(Tp::nth).collect();
    LapSpec {
        start: points.first().map(|p| p.time.clone()).unwrap_or_else(|| "2024-05-01T07:30:00Z".into()),
        total_time_s: format!("{n}.0"),
        distance_m: format!("{}.0", n * 3),
        points,
    }
}

/// A GPX document with one segment of `n` standard points.
pub fn simple_gpx(n: u32) -> String {
    GpxWriter::default().write(&[(0..n).map(Pt::nth).collect()])
}
