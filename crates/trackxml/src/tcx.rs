//! Garmin Training Center XML (TCX) v2.
//!
//! Read: every `<Activity>` (also those inside a `<MultiSportSession>`), its `Sport`, `<Id>`,
//! `<Creator><Name>`, laps with their summary values and the Garmin `LX` lap extension, tracks
//! and trackpoints with position, altitude, distance, heart rate, cadence and the `TPX`
//! extension (speed, run cadence, watts). `<Courses>` and `<Workouts>` are counted so the
//! importer can say "this is a course / a planned workout, not an activity". `<Folders>`,
//! `<Author>` build details and unknown elements are skipped.

use quick_xml::events::BytesStart;

use crate::error::{Dropped, TrackXmlError, WarningKind};
use crate::xml::{self, Doc, Ending, Handler, Range};
use crate::{NotActivity, ParseOptions};

/// A TCX file as read.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TcxFile {
    /// The activities, in file order.
    pub activities: Vec<TcxActivity>,
    /// Number of complete `<Course>` elements under `<Courses>` (planned routes: not read).
    pub course_count: usize,
    /// Number of complete `<Workout>` elements under `<Workouts>` (planned workouts: not read).
    pub workout_count: usize,
    /// `<Author><Name>`: the program that wrote the file (e.g. "Garmin Connect API").
    pub author_name: Option<String>,
    /// Everything that was skipped or doubtful, in file order (at most
    /// [`ParseOptions::max_warnings`]).
    pub warnings: Vec<crate::Warning>,
    /// Warnings beyond the cap that were counted but not kept.
    pub warnings_omitted: usize,
    /// Units of work the reader did (XML events plus bytes its own code looked at: names, joined text, line
    /// positions). Linear in the input by design: tests and the fuzz target compare it with the input size.
    pub work_units: u64,
}

/// The `Sport` attribute of an activity (the only three values the schema allows).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TcxSport {
    /// `Running`.
    Running,
    /// `Biking`.
    Biking,
    /// `Other` (Garmin writes it for swims, walks, skiing, ...).
    Other,
}

/// `<Intensity>` of a lap.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TcxIntensity {
    /// `Active`.
    Active,
    /// `Resting`.
    Resting,
}

/// `<TriggerMethod>`: what started the lap.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TcxTriggerMethod {
    /// `Manual` (lap button).
    Manual,
    /// `Distance` (auto lap by distance).
    Distance,
    /// `Location` (auto lap at a place).
    Location,
    /// `Time` (auto lap by time).
    Time,
    /// `HeartRate`.
    HeartRate,
}

/// One `<Activity>`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TcxActivity {
    /// The `Sport` attribute; `None` if missing or not one of the three schema values.
    pub sport: Option<TcxSport>,
    /// `<Id>` as written (normally the start time).
    pub id: Option<String>,
    /// `<Id>` read as a time, in Unix milliseconds.
    pub id_time_ms: Option<i64>,
    /// `<Creator><Name>`: the device that recorded it (e.g. "Forerunner 945").
    pub creator_name: Option<String>,
    /// For activities inside a `<MultiSportSession>`: which session (0-based, in file order).
    pub multisport_session: Option<u32>,
    /// The laps, in file order.
    pub laps: Vec<TcxLap>,
}

/// One `<Lap>`. Summary values are as the device wrote them; `None` when absent or refused.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TcxLap {
    /// `StartTime` attribute, Unix milliseconds.
    pub start_time_ms: Option<i64>,
    /// UTC offset `StartTime` was written with, in minutes (`Some(0)` for `Z`).
    pub start_utc_offset_min: Option<i16>,
    /// `<TotalTimeSeconds>`.
    pub total_time_s: Option<f64>,
    /// `<DistanceMeters>`.
    pub distance_m: Option<f64>,
    /// `<MaximumSpeed>`, metres per second.
    pub max_speed_m_s: Option<f64>,
    /// `<Calories>`, kilocalories.
    pub calories_kcal: Option<f64>,
    /// `<AverageHeartRateBpm><Value>`.
    pub avg_hr_bpm: Option<f32>,
    /// `<MaximumHeartRateBpm><Value>`.
    pub max_hr_bpm: Option<f32>,
    /// `<Intensity>`.
    pub intensity: Option<TcxIntensity>,
    /// `<Cadence>` (bike cadence), revolutions per minute.
    pub cadence_rpm: Option<f32>,
    /// `<TriggerMethod>`.
    pub trigger_method: Option<TcxTriggerMethod>,
    /// `LX` `<AvgSpeed>`, metres per second.
    pub avg_speed_m_s: Option<f64>,
    /// `LX` `<AvgRunCadence>`: strides of one leg per minute, as Garmin writes it (steps per
    /// minute is twice this).
    pub avg_run_cadence_rpm: Option<f32>,
    /// `LX` `<MaxRunCadence>`, strides of one leg per minute.
    pub max_run_cadence_rpm: Option<f32>,
    /// `LX` `<MaxBikeCadence>`, revolutions per minute.
    pub max_bike_cadence_rpm: Option<f32>,
    /// `LX` `<AvgWatts>`.
    pub avg_power_w: Option<f32>,
    /// `LX` `<MaxWatts>`.
    pub max_power_w: Option<f32>,
    /// `LX` `<Steps>`.
    pub steps: Option<u32>,
    /// The `<Track>`s of the lap (a new track usually follows a pause).
    pub tracks: Vec<TcxTrack>,
}

/// One `<Track>`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TcxTrack {
    /// The trackpoints, in file order.
    pub trackpoints: Vec<TcxTrackpoint>,
}

/// One `<Trackpoint>`. Values the file does not give, or gave out of range, are `None`
/// (treadmill runs have no position).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct TcxTrackpoint {
    /// `<Time>`, Unix milliseconds.
    pub time_ms: Option<i64>,
    /// UTC offset the time was written with, in minutes (`Some(0)` for `Z`).
    pub utc_offset_min: Option<i16>,
    /// `<Position><LatitudeDegrees>`.
    pub lat_deg: Option<f64>,
    /// `<Position><LongitudeDegrees>`.
    pub lon_deg: Option<f64>,
    /// `<AltitudeMeters>`.
    pub altitude_m: Option<f64>,
    /// `<DistanceMeters>`: distance from the start of the activity.
    pub distance_m: Option<f64>,
    /// `<HeartRateBpm><Value>`.
    pub hr_bpm: Option<f32>,
    /// `<Cadence>` (bike cadence), revolutions per minute.
    pub cadence_rpm: Option<f32>,
    /// `TPX` `<Speed>`, metres per second.
    pub speed_m_s: Option<f64>,
    /// `TPX` `<RunCadence>`: strides of one leg per minute, as Garmin writes it (steps per minute
    /// is twice this).
    pub run_cadence_rpm: Option<f32>,
    /// `TPX` `<Watts>`.
    pub power_w: Option<f32>,
}

impl TcxLap {
    /// All trackpoints of the lap, across its tracks.
    pub fn trackpoints(&self) -> impl Iterator<Item = &TcxTrackpoint> {
        self.tracks.iter().flat_map(|t| &t.trackpoints)
    }

    /// Number of trackpoints in the lap.
    pub fn trackpoint_count(&self) -> usize {
        self.tracks.iter().map(|t| t.trackpoints.len()).sum()
    }
}

impl TcxActivity {
    /// Number of trackpoints in all laps.
    pub fn trackpoint_count(&self) -> usize {
        self.laps.iter().map(TcxLap::trackpoint_count).sum()
    }
}

impl TcxFile {
    /// Number of laps in all activities.
    pub fn lap_count(&self) -> usize {
        self.activities.iter().map(|a| a.laps.len()).sum()
    }

    /// Number of trackpoints in all activities.
    pub fn trackpoint_count(&self) -> usize {
        self.activities.iter().map(TcxActivity::trackpoint_count).sum()
    }

    /// The creator (device) name of the first activity that names one.
    pub fn creator_name(&self) -> Option<&str> {
        self.activities.iter().find_map(|a| a.creator_name.as_deref())
    }

    /// Why this file is not a recorded activity, or `None` if it is one (it has an activity
    /// with at least one lap).
    pub fn not_activity(&self) -> Option<NotActivity> {
        if self.activities.iter().any(|a| !a.laps.is_empty()) {
            return None;
        }
        if self.course_count > 0 {
            return Some(NotActivity::Course { courses: self.course_count });
        }
        if self.workout_count > 0 {
            return Some(NotActivity::Workout { workouts: self.workout_count });
        }
        Some(NotActivity::NoActivities)
    }
}

/// Reads a TCX file with the default [`ParseOptions`].
///
/// See [`parse_tcx_with`].
pub fn parse_tcx(bytes: &[u8]) -> Result<TcxFile, TrackXmlError> {
    parse_tcx_with(bytes, &ParseOptions::default())
}

/// Reads a TCX file.
///
/// Returns an error only when nothing usable can be read: empty, binary, too large, not XML,
/// not TCX, a `<!DOCTYPE`, or XML broken before the first complete lap or trackpoint. Anything
/// less is a [`Warning`](crate::Warning) in [`TcxFile::warnings`]: a trackpoint with a bad number
/// or time is dropped, an implausible value is dropped, and if the XML breaks part-way every
/// trackpoint completed before the break is kept (with the laps and activities holding them).
pub fn parse_tcx_with(bytes: &[u8], options: &ParseOptions) -> Result<TcxFile, TrackXmlError> {
    read_tcx(bytes, options, None)
}

/// [`parse_tcx_with`], telling `watch` the byte position about every 64 KiB; when it returns
/// [`std::ops::ControlFlow::Break`] (a time limit, a cancelled import) reading stops with
/// [`TrackXmlError::Stopped`]. For progress within a large file and for stopping one that takes too long.
///
/// # Errors
/// As [`parse_tcx_with`], plus [`TrackXmlError::Stopped`].
pub fn parse_tcx_watched(
    bytes: &[u8],
    options: &ParseOptions,
    watch: &mut dyn FnMut(usize) -> std::ops::ControlFlow<()>,
) -> Result<TcxFile, TrackXmlError> {
    read_tcx(bytes, options, Some(watch))
}

fn read_tcx(bytes: &[u8], options: &ParseOptions, watch: xml::Watch<'_>) -> Result<TcxFile, TrackXmlError> {
    let prepared = crate::input::prepare(bytes, options.max_bytes)?;
    let mut doc = Doc::over(&prepared, options.max_warnings, options.now_ms());
    let mut reader = TcxReader::default();
    let ending = xml::run(
        &mut doc,
        &mut reader,
        "TrainingCenterDatabase",
        |root, line, column| TrackXmlError::NotTcx {
            root: root.to_owned(),
            hint: match root {
                "gpx" => " (this looks like a GPX file)",
                "html" => " (this is a web page)",
                _ => "",
            },
            line,
            column,
        },
        watch,
    )?;
    let usable = reader.complete_trackpoints + reader.complete_laps > 0;
    if matches!(ending, Ending::Stopped { .. }) {
        reader.drop_unfinished();
    }
    ending.salvage(&mut doc, usable)?;
    let mut file = reader.file;
    (file.warnings, file.warnings_omitted, file.work_units) = doc.finish();
    Ok(file)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum LapField {
    TotalTime,
    Distance,
    MaxSpeed,
    Calories,
    Intensity,
    Cadence,
    Trigger,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum HrSlot {
    LapAvg,
    LapMax,
    Point,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum LxField {
    AvgSpeed,
    AvgRunCadence,
    MaxRunCadence,
    MaxBikeCadence,
    AvgWatts,
    MaxWatts,
    Steps,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum TpxField {
    Speed,
    RunCadence,
    Watts,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum TpField {
    Time,
    Lat,
    Lon,
    Altitude,
    Distance,
    Cadence,
}

/// What an element means where it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Node {
    Root,
    Activities,
    MultiSportSession,
    MultiSportPart,
    Activity,
    ActivityId,
    Creator,
    CreatorName,
    Lap,
    LapValue(LapField),
    Hr(HrSlot),
    HrValue(HrSlot),
    LapExt,
    LapExtValue(LxField),
    Track,
    Point,
    PointValue(TpField),
    Position,
    PointExt,
    PointExtValue(TpxField),
    Courses,
    Course,
    Workouts,
    Workout,
    Author,
    AuthorName,
    Skip,
}

/// The trackpoint being read; kept only if it ends and nothing in it was bad.
#[derive(Default)]
struct PendingPoint {
    point: TcxTrackpoint,
    offset: usize,
    position_offset: usize,
    bad: bool,
}

#[derive(Default)]
struct TcxReader {
    file: TcxFile,
    pt: PendingPoint,
    complete_trackpoints: usize,
    complete_laps: usize,
    sessions_seen: u32,
    session: Option<u32>,
    activity_open: bool,
    lap_open: bool,
    track_open: bool,
}

fn lap_element(f: LapField) -> &'static str {
    match f {
        LapField::TotalTime => "TotalTimeSeconds",
        LapField::Distance => "DistanceMeters",
        LapField::MaxSpeed => "MaximumSpeed",
        LapField::Calories => "Calories",
        LapField::Intensity => "Intensity",
        LapField::Cadence => "Cadence",
        LapField::Trigger => "TriggerMethod",
    }
}

fn lx_field(local: &str) -> Option<LxField> {
    Some(match local {
        "AvgSpeed" => LxField::AvgSpeed,
        "AvgRunCadence" => LxField::AvgRunCadence,
        "MaxRunCadence" => LxField::MaxRunCadence,
        "MaxBikeCadence" => LxField::MaxBikeCadence,
        "AvgWatts" => LxField::AvgWatts,
        "MaxWatts" => LxField::MaxWatts,
        "Steps" => LxField::Steps,
        _ => return None,
    })
}

fn tpx_field(local: &str) -> Option<TpxField> {
    Some(match local {
        "Speed" => TpxField::Speed,
        "RunCadence" => TpxField::RunCadence,
        "Watts" => TpxField::Watts,
        _ => return None,
    })
}

fn name_text(text: &str) -> Option<String> {
    let t = text.trim();
    (!t.is_empty()).then(|| t.to_owned())
}

impl TcxReader {
    fn lap(&mut self) -> Option<&mut TcxLap> {
        self.file.activities.last_mut().and_then(|a| a.laps.last_mut())
    }

    /// After a stop: remove a track, lap or activity that was cut off before holding anything.
    fn drop_unfinished(&mut self) {
        let Some(activity) = self.file.activities.last_mut() else {
            return;
        };
        if let Some(lap) = activity.laps.last_mut()
            && self.track_open
            && lap.tracks.last().is_some_and(|t| t.trackpoints.is_empty())
        {
            lap.tracks.pop();
        }
        if self.lap_open && activity.laps.last().is_some_and(|l| l.trackpoint_count() == 0) {
            activity.laps.pop();
        }
        if self.activity_open && activity.laps.is_empty() {
            self.file.activities.pop();
        }
    }

    fn start_activity<'a>(&mut self, doc: &mut Doc<'a>, start: &BytesStart<'a>, offset: usize) {
        let mut activity = TcxActivity { multisport_session: self.session, ..TcxActivity::default() };
        for attr in start.attributes().with_checks(false).flatten() {
            if attr.key.local_name().into_inner() == "Sport" {
                let at = doc.offset_of(&attr.value).unwrap_or(offset);
                activity.sport = match attr.value.trim() {
                    "Running" => Some(TcxSport::Running),
                    "Biking" => Some(TcxSport::Biking),
                    "Other" => Some(TcxSport::Other),
                    other => {
                        doc.warn(
                            at,
                            WarningKind::UnknownValue,
                            "Activity@Sport",
                            Some(other),
                            Dropped::Value,
                            "not one of Running, Biking, Other",
                        );
                        None
                    }
                };
            }
        }
        self.file.activities.push(activity);
        self.activity_open = true;
    }

    fn start_lap<'a>(&mut self, doc: &mut Doc<'a>, start: &BytesStart<'a>, offset: usize) {
        let mut lap = TcxLap::default();
        for attr in start.attributes().with_checks(false).flatten() {
            if attr.key.local_name().into_inner() == "StartTime" {
                let at = doc.offset_of(&attr.value).unwrap_or(offset);
                if let Ok(Some(t)) = doc.time(&attr.value, at, "Lap@StartTime", Dropped::Value) {
                    lap.start_time_ms = Some(t.unix_ms);
                    lap.start_utc_offset_min = t.utc_offset_min;
                }
            }
        }
        if let Some(a) = self.file.activities.last_mut() {
            a.laps.push(lap);
            self.lap_open = true;
        }
    }

    fn lap_value(&mut self, doc: &mut Doc<'_>, field: LapField, text: &str, at: usize) {
        let element = lap_element(field);
        let range: &Range = match field {
            LapField::Intensity => {
                let v = match text.trim() {
                    "" => None,
                    "Active" => Some(TcxIntensity::Active),
                    "Resting" => Some(TcxIntensity::Resting),
                    other => {
                        doc.warn(
                            at,
                            WarningKind::UnknownValue,
                            element,
                            Some(other),
                            Dropped::Value,
                            "not Active or Resting",
                        );
                        None
                    }
                };
                if let Some(lap) = self.lap() {
                    lap.intensity = v;
                }
                return;
            }
            LapField::Trigger => {
                let v = match text.trim() {
                    "" => None,
                    "Manual" => Some(TcxTriggerMethod::Manual),
                    "Distance" => Some(TcxTriggerMethod::Distance),
                    "Location" => Some(TcxTriggerMethod::Location),
                    "Time" => Some(TcxTriggerMethod::Time),
                    "HeartRate" => Some(TcxTriggerMethod::HeartRate),
                    other => {
                        doc.warn(
                            at,
                            WarningKind::UnknownValue,
                            element,
                            Some(other),
                            Dropped::Value,
                            "not one of Manual, Distance, Location, Time, HeartRate",
                        );
                        None
                    }
                };
                if let Some(lap) = self.lap() {
                    lap.trigger_method = v;
                }
                return;
            }
            LapField::TotalTime => &xml::DURATION,
            LapField::Distance => &xml::DISTANCE,
            LapField::MaxSpeed => &xml::SPEED,
            LapField::Calories => &xml::CALORIES,
            LapField::Cadence => &xml::CADENCE,
        };
        let v = doc.ranged(text, at, element, range, Dropped::Value).ok().flatten();
        if let Some(lap) = self.lap() {
            match field {
                LapField::TotalTime => lap.total_time_s = v,
                LapField::Distance => lap.distance_m = v,
                LapField::MaxSpeed => lap.max_speed_m_s = v,
                LapField::Calories => lap.calories_kcal = v,
                LapField::Cadence => lap.cadence_rpm = v.map(|v| v as f32),
                LapField::Intensity | LapField::Trigger => {}
            }
        }
    }

    fn lx_value(&mut self, doc: &mut Doc<'_>, field: LxField, text: &str, at: usize) {
        let (element, range) = match field {
            LxField::AvgSpeed => ("AvgSpeed", &xml::SPEED),
            LxField::AvgRunCadence => ("AvgRunCadence", &xml::CADENCE),
            LxField::MaxRunCadence => ("MaxRunCadence", &xml::CADENCE),
            LxField::MaxBikeCadence => ("MaxBikeCadence", &xml::CADENCE),
            LxField::AvgWatts => ("AvgWatts", &xml::POWER),
            LxField::MaxWatts => ("MaxWatts", &xml::POWER),
            LxField::Steps => ("Steps", &xml::COUNT),
        };
        let v = doc.ranged(text, at, element, range, Dropped::Value).ok().flatten();
        if let Some(lap) = self.lap() {
            let f = v.map(|v| v as f32);
            match field {
                LxField::AvgSpeed => lap.avg_speed_m_s = v,
                LxField::AvgRunCadence => lap.avg_run_cadence_rpm = f,
                LxField::MaxRunCadence => lap.max_run_cadence_rpm = f,
                LxField::MaxBikeCadence => lap.max_bike_cadence_rpm = f,
                LxField::AvgWatts => lap.avg_power_w = f,
                LxField::MaxWatts => lap.max_power_w = f,
                // Within COUNT's range, so the conversion is exact for whole numbers.
                LxField::Steps => lap.steps = v.map(|v| v.round() as u32),
            }
        }
    }

    fn hr_value(&mut self, doc: &mut Doc<'_>, slot: HrSlot, text: &str, at: usize) {
        let on_bad = if slot == HrSlot::Point { Dropped::Point } else { Dropped::Value };
        let v = match doc.ranged(text, at, "Value", &xml::HR, on_bad) {
            Ok(v) => v.map(|v| v as f32),
            Err(()) => {
                if slot == HrSlot::Point {
                    self.pt.bad = true;
                }
                return;
            }
        };
        match slot {
            HrSlot::Point => self.pt.point.hr_bpm = v,
            HrSlot::LapAvg => {
                if let Some(lap) = self.lap() {
                    lap.avg_hr_bpm = v;
                }
            }
            HrSlot::LapMax => {
                if let Some(lap) = self.lap() {
                    lap.max_hr_bpm = v;
                }
            }
        }
    }

    fn point_value(&mut self, doc: &mut Doc<'_>, field: TpField, text: &str, at: usize) {
        let p = &mut self.pt.point;
        let (element, range) = match field {
            TpField::Time => {
                match doc.time(text, at, "Time", Dropped::Point) {
                    Ok(t) => {
                        p.time_ms = t.map(|t| t.unix_ms);
                        p.utc_offset_min = t.and_then(|t| t.utc_offset_min);
                    }
                    Err(()) => self.pt.bad = true,
                }
                return;
            }
            TpField::Lat | TpField::Lon => {
                let element = if field == TpField::Lat { "LatitudeDegrees" } else { "LongitudeDegrees" };
                match doc.number(text, at, element, Dropped::Point) {
                    Ok(v) if field == TpField::Lat => p.lat_deg = v,
                    Ok(v) => p.lon_deg = v,
                    Err(()) => self.pt.bad = true,
                }
                return;
            }
            TpField::Altitude => ("AltitudeMeters", &xml::ELE),
            TpField::Distance => ("DistanceMeters", &xml::DISTANCE),
            TpField::Cadence => ("Cadence", &xml::CADENCE),
        };
        match doc.ranged(text, at, element, range, Dropped::Point) {
            Ok(v) => match field {
                TpField::Altitude => p.altitude_m = v,
                TpField::Distance => p.distance_m = v,
                _ => p.cadence_rpm = v.map(|v| v as f32),
            },
            Err(()) => self.pt.bad = true,
        }
    }

    fn tpx_value(&mut self, doc: &mut Doc<'_>, field: TpxField, text: &str, at: usize) {
        let (element, range) = match field {
            TpxField::Speed => ("Speed", &xml::SPEED),
            TpxField::RunCadence => ("RunCadence", &xml::CADENCE),
            TpxField::Watts => ("Watts", &xml::POWER),
        };
        match doc.ranged(text, at, element, range, Dropped::Point) {
            Ok(v) => {
                let p = &mut self.pt.point;
                match field {
                    TpxField::Speed => p.speed_m_s = v,
                    TpxField::RunCadence => p.run_cadence_rpm = v.map(|v| v as f32),
                    TpxField::Watts => p.power_w = v.map(|v| v as f32),
                }
            }
            Err(()) => self.pt.bad = true,
        }
    }

    /// Both coordinates or neither; each within range. Otherwise the position (only) is dropped.
    fn finish_position(&mut self, doc: &mut Doc<'_>) {
        let at = self.pt.position_offset;
        let p = &mut self.pt.point;
        match (p.lat_deg, p.lon_deg) {
            (Some(lat), Some(lon)) => {
                let lat_ok = doc.in_range(lat, &xml::LAT, at, "LatitudeDegrees").is_some();
                let lon_ok = doc.in_range(lon, &xml::LON, at, "LongitudeDegrees").is_some();
                if !(lat_ok && lon_ok) {
                    p.lat_deg = None;
                    p.lon_deg = None;
                }
            }
            (None, None) => {}
            (lat, _) => {
                let missing = if lat.is_none() { "LatitudeDegrees" } else { "LongitudeDegrees" };
                doc.warn(
                    at,
                    WarningKind::MissingValue,
                    "Position",
                    None,
                    Dropped::Value,
                    format!("<{missing}> is missing, so the position is ignored"),
                );
                p.lat_deg = None;
                p.lon_deg = None;
            }
        }
    }

    fn finish_point(&mut self, doc: &mut Doc<'_>) {
        let pt = std::mem::take(&mut self.pt);
        if pt.bad {
            return;
        }
        if self.complete_trackpoints >= crate::MAX_POINTS {
            let detail = format!("more than {} trackpoints; the rest were skipped", crate::MAX_POINTS);
            doc.warn(pt.offset, WarningKind::TooManyPoints, "Trackpoint", None, Dropped::Point, detail);
            return;
        }
        let track = self.file.activities.last_mut().and_then(|a| a.laps.last_mut()).and_then(|l| l.tracks.last_mut());
        if let Some(track) = track {
            track.trackpoints.push(pt.point);
            self.complete_trackpoints += 1;
        }
    }
}

impl<'a> Handler<'a> for TcxReader {
    type Node = Node;

    fn captures(node: Node) -> bool {
        matches!(
            node,
            Node::ActivityId
                | Node::CreatorName
                | Node::LapValue(_)
                | Node::HrValue(_)
                | Node::LapExtValue(_)
                | Node::PointValue(_)
                | Node::PointExtValue(_)
                | Node::AuthorName
        )
    }

    fn root(&mut self, _doc: &mut Doc<'a>, _start: &BytesStart<'a>) -> Node {
        Node::Root
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
            // Trackpoint values first: they are by far the most frequent.
            (Node::Point, "Time") => Node::PointValue(TpField::Time),
            (Node::Point, "Position") => {
                self.pt.position_offset = offset;
                Node::Position
            }
            (Node::Position, "LatitudeDegrees") => Node::PointValue(TpField::Lat),
            (Node::Position, "LongitudeDegrees") => Node::PointValue(TpField::Lon),
            (Node::Point, "AltitudeMeters") => Node::PointValue(TpField::Altitude),
            (Node::Point, "DistanceMeters") => Node::PointValue(TpField::Distance),
            (Node::Point, "HeartRateBpm") => Node::Hr(HrSlot::Point),
            (Node::Hr(slot), "Value") => Node::HrValue(slot),
            (Node::Point, "Cadence") => Node::PointValue(TpField::Cadence),
            (Node::Point, "Extensions") => Node::PointExt,
            (Node::PointExt, name) => tpx_field(name).map_or(Node::PointExt, Node::PointExtValue),
            (Node::Point, "Trackpoint") => {
                let (line, column) = doc.locate(self.pt.offset);
                return Err(format!(
                    "<Trackpoint> starts inside the <Trackpoint> opened at line {line}, column {column}: \
                     its </Trackpoint> is missing"
                ));
            }
            (Node::Track, "Trackpoint") => {
                self.pt = PendingPoint { offset, ..PendingPoint::default() };
                Node::Point
            }
            (Node::Lap, "Track") => {
                if let Some(lap) = self.lap() {
                    lap.tracks.push(TcxTrack::default());
                    self.track_open = true;
                }
                Node::Track
            }
            (Node::Lap, "TotalTimeSeconds") => Node::LapValue(LapField::TotalTime),
            (Node::Lap, "DistanceMeters") => Node::LapValue(LapField::Distance),
            (Node::Lap, "MaximumSpeed") => Node::LapValue(LapField::MaxSpeed),
            (Node::Lap, "Calories") => Node::LapValue(LapField::Calories),
            (Node::Lap, "AverageHeartRateBpm") => Node::Hr(HrSlot::LapAvg),
            (Node::Lap, "MaximumHeartRateBpm") => Node::Hr(HrSlot::LapMax),
            (Node::Lap, "Intensity") => Node::LapValue(LapField::Intensity),
            (Node::Lap, "Cadence") => Node::LapValue(LapField::Cadence),
            (Node::Lap, "TriggerMethod") => Node::LapValue(LapField::Trigger),
            (Node::Lap, "Extensions") => Node::LapExt,
            (Node::LapExt, name) => lx_field(name).map_or(Node::LapExt, Node::LapExtValue),
            (Node::Activity, "Lap") => {
                self.start_lap(doc, start, offset);
                Node::Lap
            }
            (Node::Activity, "Id") => Node::ActivityId,
            (Node::Activity, "Creator") => Node::Creator,
            (Node::Creator, "Name") => Node::CreatorName,
            (Node::Activities | Node::MultiSportPart, "Activity") => {
                self.start_activity(doc, start, offset);
                Node::Activity
            }
            (Node::Activities, "MultiSportSession") => {
                self.session = Some(self.sessions_seen);
                self.sessions_seen = self.sessions_seen.saturating_add(1);
                Node::MultiSportSession
            }
            (Node::MultiSportSession, "FirstSport" | "NextSport") => Node::MultiSportPart,
            (Node::Root, "Activities") => Node::Activities,
            (Node::Root, "Courses") => Node::Courses,
            (Node::Courses, "Course") => Node::Course,
            (Node::Root, "Workouts") => Node::Workouts,
            (Node::Workouts, "Workout") => Node::Workout,
            (Node::Root, "Author") => Node::Author,
            (Node::Author, "Name") => Node::AuthorName,
            _ => Node::Skip,
        })
    }

    fn leave(&mut self, doc: &mut Doc<'a>, node: Node, text: &str, at: usize) {
        match node {
            Node::PointValue(field) => self.point_value(doc, field, text, at),
            Node::HrValue(slot) => self.hr_value(doc, slot, text, at),
            Node::PointExtValue(field) => self.tpx_value(doc, field, text, at),
            Node::Position => self.finish_position(doc),
            Node::Point => self.finish_point(doc),
            Node::Track => self.track_open = false,
            Node::LapValue(field) => self.lap_value(doc, field, text, at),
            Node::LapExtValue(field) => self.lx_value(doc, field, text, at),
            Node::Lap => {
                self.lap_open = false;
                self.complete_laps += 1;
            }
            Node::ActivityId => {
                let id = name_text(text);
                let time = match &id {
                    Some(id) => doc.time(id, at, "Id", Dropped::Value).ok().flatten(),
                    None => None,
                };
                if let Some(a) = self.file.activities.last_mut() {
                    a.id = id;
                    a.id_time_ms = time.map(|t| t.unix_ms);
                }
            }
            Node::CreatorName => {
                if let Some(a) = self.file.activities.last_mut() {
                    a.creator_name = name_text(text);
                }
            }
            Node::Activity => self.activity_open = false,
            Node::MultiSportSession => self.session = None,
            Node::Course => self.file.course_count += 1,
            Node::Workout => self.file.workout_count += 1,
            Node::AuthorName => self.file.author_name = name_text(text),
            Node::Root
            | Node::Activities
            | Node::MultiSportPart
            | Node::Creator
            | Node::Hr(_)
            | Node::LapExt
            | Node::PointExt
            | Node::Courses
            | Node::Workouts
            | Node::Author
            | Node::Skip => {}
        }
    }
}
