//! Test support: where the shared corpus is, and small writers for FIT, GPX, TCX and zip fixtures so tests run
//! anywhere. Also used by `benches/import.rs` (included by path).
#![allow(dead_code)]

use std::io::Write;
use std::path::{Path, PathBuf};

/// `shared/corpus` next to the repository, if present.
pub fn corpus_dir() -> Option<PathBuf> {
    let p = Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/corpus"));
    p.is_dir().then(|| p.to_path_buf())
}

/// The corpus directory, or `None` after printing the skip notice.
pub fn corpus_or_skip() -> Option<PathBuf> {
    let d = corpus_dir();
    if d.is_none() {
        println!("skipped: corpus not found");
    }
    d
}

/// Files of `dir` with extension `ext`, sorted.
pub fn files(dir: &Path, ext: &str) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|rd| {
            rd.filter_map(Result::ok)
                .map(|e| e.path())
                .filter(|p| p.extension().is_some_and(|e| e.eq_ignore_ascii_case(ext)))
                .collect()
        })
        .unwrap_or_default();
    v.sort();
    v
}

/// 2024-05-01T07:00:00Z, the start of generated runs.
pub const T0: i64 = 1_714_546_800;

/// Seconds between the Unix and FIT epochs.
pub const FIT_EPOCH: i64 = 631_065_600;

/// One generated sample.
#[derive(Debug, Clone, Copy)]
pub struct Sample {
    pub t: i64,
    pub lat: f64,
    pub lon: f64,
    pub dist_m: f64,
    pub speed_mps: f64,
    pub hr: u8,
    /// Strides per minute, as FIT/TCX/GPX store running cadence.
    pub cad: u8,
    pub alt_m: f64,
}

/// A steady run of `secs` seconds at `speed` m/s starting at `start`, one sample per second, heading north.
pub fn steady_run(start: i64, secs: i64, speed: f64) -> Vec<Sample> {
    blocks_run(start, &[(secs, speed)])
}

/// A run made of (seconds, speed) blocks, one sample per second.
pub fn blocks_run(start: i64, blocks: &[(i64, f64)]) -> Vec<Sample> {
    let mut out = Vec::new();
    let (mut t, mut d) = (start, 0.0);
    for &(secs, v) in blocks {
        for _ in 0..secs {
            out.push(Sample {
                t,
                lat: 48.2 + d / 111_195.0,
                lon: 16.37,
                dist_m: d,
                speed_mps: v,
                hr: (130.0 + v * 8.0) as u8,
                cad: 85,
                alt_m: 200.0 + (d / 100.0).sin() * 3.0,
            });
            t += 1;
            d += v;
        }
    }
    out
}

// ---------------------------------------------------------------------------------------------------------------
// FIT writer: just the messages the importer reads, little-endian, with header and file CRC.

fn crc16(bytes: &[u8]) -> u16 {
    runtall_fit::crc16(bytes)
}

/// Builds a FIT file message by message.
pub struct FitWriter {
    data: Vec<u8>,
}

/// (field number, size, base type)
type FieldDef = (u8, u8, u8);

const FILE_ID: (u16, &[FieldDef]) = (0, &[(0, 1, 0x00), (1, 2, 0x84), (2, 2, 0x84), (4, 4, 0x86)]);
const RECORD: (u16, &[FieldDef]) = (
    20,
    &[(253, 4, 0x86), (0, 4, 0x85), (1, 4, 0x85), (5, 4, 0x86), (6, 2, 0x84), (3, 1, 0x02), (4, 1, 0x02), (2, 2, 0x84)],
);
const LAP: (u16, &[FieldDef]) = (19, &[(253, 4, 0x86), (2, 4, 0x86), (7, 4, 0x86), (8, 4, 0x86), (9, 4, 0x86)]);
const SESSION: (u16, &[FieldDef]) =
    (18, &[(253, 4, 0x86), (2, 4, 0x86), (5, 1, 0x00), (6, 1, 0x00), (7, 4, 0x86), (8, 4, 0x86), (9, 4, 0x86)]);
/// A session that also names its laps: `first_lap_index` (25) and `num_laps` (26).
const SESSION_LAPS: (u16, &[FieldDef]) = (
    18,
    &[
        (253, 4, 0x86),
        (2, 4, 0x86),
        (5, 1, 0x00),
        (6, 1, 0x00),
        (7, 4, 0x86),
        (8, 4, 0x86),
        (9, 4, 0x86),
        (25, 2, 0x84),
        (26, 2, 0x84),
    ],
);
const ACTIVITY: (u16, &[FieldDef]) = (34, &[(253, 4, 0x86), (1, 2, 0x84), (5, 4, 0x86)]);

impl Default for FitWriter {
    fn default() -> Self {
        Self::new()
    }
}

impl FitWriter {
    pub fn new() -> Self {
        Self { data: Vec::new() }
    }

    fn define(&mut self, local: u8, (global, fields): (u16, &[FieldDef])) {
        self.data.push(0x40 | local);
        self.data.push(0); // reserved
        self.data.push(0); // little endian
        self.data.extend_from_slice(&global.to_le_bytes());
        self.data.push(fields.len() as u8);
        for &(num, size, base) in fields {
            self.data.extend_from_slice(&[num, size, base]);
        }
    }

    fn fit_time(unix: i64) -> u32 {
        (unix - FIT_EPOCH) as u32
    }

    /// file_id of an activity (`file_type` 4) or anything else.
    pub fn file_id(&mut self, file_type: u8, time: i64) -> &mut Self {
        self.define(0, FILE_ID);
        self.data.push(0);
        self.data.push(file_type);
        self.data.extend_from_slice(&1u16.to_le_bytes()); // garmin
        self.data.extend_from_slice(&2697u16.to_le_bytes());
        self.data.extend_from_slice(&Self::fit_time(time).to_le_bytes());
        self
    }

    pub fn records(&mut self, samples: &[Sample]) -> &mut Self {
        self.define(1, RECORD);
        for s in samples {
            self.data.push(1);
            self.data.extend_from_slice(&Self::fit_time(s.t).to_le_bytes());
            let semi = |deg: f64| (deg * 2_147_483_648.0 / 180.0) as i32;
            self.data.extend_from_slice(&semi(s.lat).to_le_bytes());
            self.data.extend_from_slice(&semi(s.lon).to_le_bytes());
            self.data.extend_from_slice(&((s.dist_m * 100.0) as u32).to_le_bytes());
            self.data.extend_from_slice(&((s.speed_mps * 1000.0) as u16).to_le_bytes());
            self.data.push(s.hr);
            self.data.push(s.cad);
            self.data.extend_from_slice(&(((s.alt_m + 500.0) * 5.0) as u16).to_le_bytes());
        }
        self
    }

    /// A lap from `start` lasting `secs` over `dist_m`.
    pub fn lap(&mut self, start: i64, secs: f64, dist_m: f64) -> &mut Self {
        self.define(2, LAP);
        self.data.push(2);
        self.data.extend_from_slice(&Self::fit_time(start + secs as i64).to_le_bytes());
        self.data.extend_from_slice(&Self::fit_time(start).to_le_bytes());
        self.data.extend_from_slice(&((secs * 1000.0) as u32).to_le_bytes());
        self.data.extend_from_slice(&((secs * 1000.0) as u32).to_le_bytes());
        self.data.extend_from_slice(&((dist_m * 100.0) as u32).to_le_bytes());
        self
    }

    pub fn session(&mut self, start: i64, secs: f64, dist_m: f64, sport: u8, sub_sport: u8) -> &mut Self {
        self.define(3, SESSION);
        self.data.push(3);
        self.session_fields(start, secs, dist_m, sport, sub_sport)
    }

    /// The fields [`SESSION`] and [`SESSION_LAPS`] share, in their order.
    fn session_fields(&mut self, start: i64, secs: f64, dist_m: f64, sport: u8, sub_sport: u8) -> &mut Self {
        self.data.extend_from_slice(&Self::fit_time(start + secs as i64).to_le_bytes());
        self.data.extend_from_slice(&Self::fit_time(start).to_le_bytes());
        self.data.push(sport);
        self.data.push(sub_sport);
        self.data.extend_from_slice(&((secs * 1000.0) as u32).to_le_bytes());
        self.data.extend_from_slice(&((secs * 1000.0) as u32).to_le_bytes());
        self.data.extend_from_slice(&((dist_m * 100.0) as u32).to_le_bytes());
        self
    }

    /// A session as [`FitWriter::session`] that names its laps by index in the file (`first_lap`, `num_laps`).
    #[allow(clippy::too_many_arguments)]
    pub fn session_with_laps(
        &mut self,
        start: i64,
        secs: f64,
        dist_m: f64,
        sport: u8,
        sub_sport: u8,
        first_lap: u16,
        num_laps: u16,
    ) -> &mut Self {
        self.define(5, SESSION_LAPS);
        self.data.push(5);
        self.session_fields(start, secs, dist_m, sport, sub_sport);
        self.data.extend_from_slice(&first_lap.to_le_bytes());
        self.data.extend_from_slice(&num_laps.to_le_bytes());
        self
    }

    /// activity message with a local-time offset of `utc_offset_s`.
    pub fn activity(&mut self, end: i64, utc_offset_s: i64) -> &mut Self {
        self.define(4, ACTIVITY);
        self.data.push(4);
        self.data.extend_from_slice(&Self::fit_time(end).to_le_bytes());
        self.data.extend_from_slice(&1u16.to_le_bytes());
        self.data.extend_from_slice(&Self::fit_time(end + utc_offset_s).to_le_bytes());
        self
    }

    /// The file: 14-byte header with CRC, the messages, the file CRC.
    pub fn finish(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(self.data.len() + 16);
        out.push(14);
        out.push(0x20);
        out.extend_from_slice(&2132u16.to_le_bytes());
        out.extend_from_slice(&(self.data.len() as u32).to_le_bytes());
        out.extend_from_slice(b".FIT");
        let hcrc = crc16(&out);
        out.extend_from_slice(&hcrc.to_le_bytes());
        out.extend_from_slice(&self.data);
        let fcrc = crc16(&out);
        out.extend_from_slice(&fcrc.to_le_bytes());
        out
    }
}

/// A complete FIT activity of one running session (sub-sport 0) with one lap per `lap_s` seconds.
pub fn fit_run(samples: &[Sample], lap_s: i64) -> Vec<u8> {
    let start = samples.first().map_or(T0, |s| s.t);
    let end = samples.last().map_or(T0, |s| s.t) + 1;
    let dist = samples.last().map_or(0.0, |s| s.dist_m + s.speed_mps);
    let mut w = FitWriter::new();
    w.file_id(4, start).records(samples);
    for chunk in samples.chunks(lap_s.max(1) as usize) {
        let (a, b) = (chunk[0], chunk[chunk.len() - 1]);
        w.lap(a.t, (b.t - a.t + 1) as f64, b.dist_m + b.speed_mps - a.dist_m);
    }
    w.session(start, (end - start) as f64, dist, 1, 0).activity(end, 7200);
    w.finish()
}

// ---------------------------------------------------------------------------------------------------------------
// GPX and TCX as strings.

fn iso(t: i64) -> String {
    jiff::Timestamp::from_second(t).map(|ts| ts.to_string()).unwrap_or_default()
}

/// A GPX 1.1 track with Garmin TrackPointExtension heart rate and cadence.
pub fn gpx_run(samples: &[Sample], name: &str, kind: &str) -> String {
    let mut s = String::with_capacity(samples.len() * 260 + 600);
    s.push_str(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<gpx version=\"1.1\" creator=\"runtall tests\" \
         xmlns=\"http://www.topografix.com/GPX/1/1\" \
         xmlns:gpxtpx=\"http://www.garmin.com/xmlschemas/TrackPointExtension/v1\">\n",
    );
    s.push_str(&format!(" <trk><name>{name}</name><type>{kind}</type><trkseg>\n"));
    for p in samples {
        s.push_str(&format!(
            "  <trkpt lat=\"{:.7}\" lon=\"{:.7}\"><ele>{:.1}</ele><time>{}</time><extensions><gpxtpx:TrackPointExtension>\
             <gpxtpx:hr>{}</gpxtpx:hr><gpxtpx:cad>{}</gpxtpx:cad></gpxtpx:TrackPointExtension></extensions></trkpt>\n",
            p.lat,
            p.lon,
            p.alt_m,
            iso(p.t),
            p.hr,
            p.cad
        ));
    }
    s.push_str(" </trkseg></trk>\n</gpx>\n");
    s
}

/// A TCX activity with one lap per `lap_s` seconds.
pub fn tcx_run(samples: &[Sample], sport: &str, lap_s: usize) -> String {
    let mut s = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<TrainingCenterDatabase \
         xmlns=\"http://www.garmin.com/xmlschemas/TrainingCenterDatabase/v2\">\n<Activities>\n",
    );
    let start = samples.first().map_or(T0, |p| p.t);
    s.push_str(&format!("<Activity Sport=\"{sport}\"><Id>{}</Id>\n", iso(start)));
    for chunk in samples.chunks(lap_s.max(1)) {
        let (a, b) = (chunk[0], chunk[chunk.len() - 1]);
        s.push_str(&format!(
            "<Lap StartTime=\"{}\"><TotalTimeSeconds>{}</TotalTimeSeconds><DistanceMeters>{:.1}</DistanceMeters>\
             <Intensity>Active</Intensity><TriggerMethod>Manual</TriggerMethod><Track>\n",
            iso(a.t),
            b.t - a.t + 1,
            b.dist_m + b.speed_mps - a.dist_m
        ));
        for p in chunk {
            s.push_str(&format!(
                "<Trackpoint><Time>{}</Time><Position><LatitudeDegrees>{:.7}</LatitudeDegrees><LongitudeDegrees>{:.7}\
                 </LongitudeDegrees></Position><AltitudeMeters>{:.1}</AltitudeMeters><DistanceMeters>{:.1}</DistanceMeters>\
                 <HeartRateBpm><Value>{}</Value></HeartRateBpm></Trackpoint>\n",
                iso(p.t),
                p.lat,
                p.lon,
                p.alt_m,
                p.dist_m,
                p.hr
            ));
        }
        s.push_str("</Track></Lap>\n");
    }
    s.push_str("<Creator><Name>Forerunner 945</Name></Creator></Activity>\n</Activities>\n</TrainingCenterDatabase>\n");
    s
}

/// Gzip bytes.
pub fn gz(bytes: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    e.write_all(bytes).expect("gzip write");
    e.finish().expect("gzip finish")
}

/// Gzip bytes at the best compression (for bombs).
pub fn gz_best(bytes: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    e.write_all(bytes).expect("gzip write");
    e.finish().expect("gzip finish")
}

/// How to store a zip entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    Stored,
    Deflated,
}

/// A zip archive in memory from (name, bytes, method) entries.
pub fn zip(entries: &[(&str, &[u8], Method)]) -> Vec<u8> {
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for (name, bytes, method) in entries {
        let opts = zip::write::SimpleFileOptions::default()
            .compression_method(match method {
                Method::Stored => zip::CompressionMethod::Stored,
                Method::Deflated => zip::CompressionMethod::Deflated,
            })
            .large_file(bytes.len() > (1 << 31));
        w.start_file(*name, opts).expect("zip entry");
        w.write_all(bytes).expect("zip write");
    }
    w.finish().expect("zip finish").into_inner()
}
