//! Typed output of [`crate::decode`]: what runtall needs from a watch file, in SI-ish units
//! named in every field (`_s`, `_m`, `_mps`, `_bpm`, ...).
//!
//! Conventions:
//! - Times are `i64` Unix seconds (`*_s` for instants named `timestamp_s`/`start_time_s`; FIT
//!   counts from 1989-12-31T00:00:00Z, Unix 631065600). FIT values below 0x10000000 are
//!   device-relative times, not dates; they are converted the same way and look like 1990.
//! - Durations are `f64` seconds (`*_time_s`).
//! - Positions are degrees (converted from semicircles).
//! - Every measurement is an `Option`: `None` when the file does not have it or stores the
//!   base type's invalid value.

use crate::error::Warning;

/// Degrees per semicircle (2^31 semicircles = 180°).
pub const DEG_PER_SEMICIRCLE: f64 = 180.0 / 2_147_483_648.0;

/// Convert FIT semicircles to degrees.
#[must_use]
pub fn semicircles_to_deg(v: i32) -> f64 {
    f64::from(v) * DEG_PER_SEMICIRCLE
}

/// Convert FIT date_time seconds to Unix seconds.
#[must_use]
pub fn fit_time_to_unix_s(fit_s: u32) -> i64 {
    i64::from(fit_s) + crate::engine::FIT_EPOCH_UNIX_S
}

/// Everything decoded from one file (chained FIT files are merged in file order).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FitActivity {
    /// The first `file_id` message.
    pub file_id: Option<FileId>,
    /// `session` messages (one per sport in a multisport file).
    pub sessions: Vec<Session>,
    /// `lap` messages.
    pub laps: Vec<Lap>,
    /// `record` messages (the time series).
    pub records: Vec<Record>,
    /// `event` messages (timer start/stop, markers, ...).
    pub events: Vec<Event>,
    /// `device_info` messages (watch, sensors).
    pub devices: Vec<DeviceInfo>,
    /// The last `activity` message.
    pub activity: Option<ActivityInfo>,
    /// The first `sport` message.
    pub sport: Option<SportInfo>,
    /// The first `workout` message (workout files, or activities that followed one).
    pub workout: Option<Workout>,
    /// `workout_step` messages.
    pub workout_steps: Vec<WorkoutStep>,
    /// `developer_data_id` messages (which apps added developer fields).
    pub developer_data_ids: Vec<DeveloperDataId>,
    /// `field_description` messages (names and units of developer fields; their values are skipped).
    pub developer_fields: Vec<DeveloperFieldDescription>,
    /// Damage found and recovered from, in file order.
    pub warnings: Vec<Warning>,
    /// Counters about the decode.
    pub stats: DecodeStats,
}

/// Counters describing a decode.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DecodeStats {
    /// Input size in bytes.
    pub bytes: usize,
    /// Messages read: definitions plus data messages.
    pub messages: usize,
    /// Data messages read.
    pub data_messages: usize,
    /// Data messages of types we do not decode, skipped by their size.
    pub skipped_messages: usize,
    /// FIT files (headers) found; more than 1 for chained files.
    pub chained_files: usize,
    /// Every header CRC present matched.
    pub header_crc_ok: bool,
    /// Every FIT file ended with a file CRC, and each matched.
    pub file_crc_ok: bool,
    /// Units of work the walk did: bytes checksummed or searched for a header, fields of definitions read,
    /// messages read, fields decoded, problems looked up. Linear in the input by design; the tests and the fuzz
    /// target's super-linear check compare it with [`DecodeStats::bytes`] instead of timing anything.
    pub work_units: u64,
}

/// `file_id`: what the file is and which device wrote it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FileId {
    /// `file` type (4 = activity, 5 = workout, ...).
    pub file_type: Option<u8>,
    /// Manufacturer id; see [`crate::profile::manufacturer_name`].
    pub manufacturer: Option<u16>,
    /// Product id (meaning depends on the manufacturer).
    pub product: Option<u16>,
    /// Serial number.
    pub serial_number: Option<u32>,
    /// Creation time.
    pub time_created_s: Option<i64>,
    /// File number.
    pub number: Option<u16>,
    /// Product name, when the writer gave one.
    pub product_name: Option<String>,
}

/// Broad activity kind from `sport` + `sub_sport`, for the kinds runtall treats differently.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ActivityKind {
    /// Running, road or unspecified.
    Running,
    /// Trail running.
    TrailRunning,
    /// Treadmill or indoor running.
    TreadmillRunning,
    /// Track running.
    TrackRunning,
    /// Walking.
    Walking,
    /// Hiking.
    Hiking,
    /// Cycling, outdoor.
    Cycling,
    /// Indoor / virtual cycling.
    IndoorCycling,
    /// Pool swimming.
    PoolSwimming,
    /// Open-water swimming.
    OpenWaterSwimming,
    /// Swimming, unspecified.
    Swimming,
    /// Rowing (also indoor rowing).
    Rowing,
    /// Multisport transition.
    Transition,
    /// Generic / unspecified.
    Generic,
    /// Anything else.
    Other,
}

impl ActivityKind {
    /// Classify FIT `sport` and `sub_sport` values.
    #[must_use]
    pub fn from_sport(sport: Option<u8>, sub_sport: Option<u8>) -> Self {
        let sub = sub_sport.unwrap_or(0);
        match sport {
            Some(1) => match sub {
                3 => Self::TrailRunning,
                1 | 45 => Self::TreadmillRunning,
                4 => Self::TrackRunning,
                _ => Self::Running,
            },
            Some(11) => Self::Walking,
            Some(17) => Self::Hiking,
            Some(2) => match sub {
                6 | 58 => Self::IndoorCycling,
                _ => Self::Cycling,
            },
            Some(5) => match sub {
                17 => Self::PoolSwimming,
                18 => Self::OpenWaterSwimming,
                _ => Self::Swimming,
            },
            Some(15) => Self::Rowing,
            Some(4) if sub == 14 => Self::Rowing,
            Some(4) if sub == 1 => Self::TreadmillRunning,
            Some(3) => Self::Transition,
            Some(0) | None => Self::Generic,
            Some(_) => Self::Other,
        }
    }
}

/// `session`: totals for one sport in the activity.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Session {
    /// Message index within the file.
    pub message_index: Option<u16>,
    /// End time of the session (`timestamp`).
    pub timestamp_s: Option<i64>,
    /// Start time.
    pub start_time_s: Option<i64>,
    /// FIT `sport` value; see [`crate::profile::sport_name`].
    pub sport: Option<u8>,
    /// FIT `sub_sport` value; see [`crate::profile::sub_sport_name`].
    pub sub_sport: Option<u8>,
    /// Elapsed time including pauses.
    pub total_elapsed_time_s: Option<f64>,
    /// Timer time (excludes pauses).
    pub total_timer_time_s: Option<f64>,
    /// Moving time as the watch judged it (stops excluded even when the timer ran); not every watch writes it.
    pub total_moving_time_s: Option<f64>,
    /// Distance.
    pub total_distance_m: Option<f64>,
    /// Ascent.
    pub total_ascent_m: Option<u16>,
    /// Descent.
    pub total_descent_m: Option<u16>,
    /// Energy.
    pub total_calories_kcal: Option<u16>,
    /// Average heart rate.
    pub avg_heart_rate_bpm: Option<u8>,
    /// Maximum heart rate.
    pub max_heart_rate_bpm: Option<u8>,
    /// Average cadence as stored (cycles per minute: strides/min for running, see [`Record`]).
    pub avg_cadence_rpm: Option<u8>,
    /// Fractional part of the average cadence.
    pub avg_fractional_cadence_rpm: Option<f32>,
    /// Maximum cadence as stored.
    pub max_cadence_rpm: Option<u8>,
    /// Average speed (`enhanced_avg_speed` preferred).
    pub avg_speed_mps: Option<f64>,
    /// Maximum speed (`enhanced_max_speed` preferred).
    pub max_speed_mps: Option<f64>,
    /// Average power.
    pub avg_power_w: Option<u16>,
    /// Maximum power.
    pub max_power_w: Option<u16>,
    /// Index of the first lap of this session.
    pub first_lap_index: Option<u16>,
    /// Number of laps.
    pub num_laps: Option<u16>,
    /// Start position latitude.
    pub start_position_lat_deg: Option<f64>,
    /// Start position longitude.
    pub start_position_long_deg: Option<f64>,
    /// Pool length for pool swims.
    pub pool_length_m: Option<f64>,
    /// Average vertical oscillation.
    pub avg_vertical_oscillation_mm: Option<f32>,
    /// Average ground contact time.
    pub avg_stance_time_ms: Option<f32>,
    /// Average step length.
    pub avg_step_length_mm: Option<f32>,
    /// Average vertical ratio.
    pub avg_vertical_ratio_percent: Option<f32>,
    /// `session_trigger`.
    pub trigger: Option<u8>,
}

impl Session {
    /// Broad kind from sport and sub-sport.
    #[must_use]
    pub fn kind(&self) -> ActivityKind {
        ActivityKind::from_sport(self.sport, self.sub_sport)
    }
}

impl Lap {
    /// Broad kind from sport and sub-sport.
    #[must_use]
    pub fn kind(&self) -> ActivityKind {
        ActivityKind::from_sport(self.sport, self.sub_sport)
    }
}

impl SportInfo {
    /// Broad kind from sport and sub-sport.
    #[must_use]
    pub fn kind(&self) -> ActivityKind {
        ActivityKind::from_sport(self.sport, self.sub_sport)
    }
}

impl Workout {
    /// Broad kind from sport and sub-sport.
    #[must_use]
    pub fn kind(&self) -> ActivityKind {
        ActivityKind::from_sport(self.sport, self.sub_sport)
    }
}

/// Lap intensity (FIT `intensity`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Intensity {
    /// 0
    Active,
    /// 1
    Rest,
    /// 2
    Warmup,
    /// 3
    Cooldown,
    /// 4
    Recovery,
    /// 5
    Interval,
    /// 6
    Other,
    /// A value the profile does not name.
    Unknown(u8),
}

impl Intensity {
    /// From the FIT value.
    #[must_use]
    pub fn from_raw(v: u8) -> Self {
        match v {
            0 => Self::Active,
            1 => Self::Rest,
            2 => Self::Warmup,
            3 => Self::Cooldown,
            4 => Self::Recovery,
            5 => Self::Interval,
            6 => Self::Other,
            x => Self::Unknown(x),
        }
    }

    /// The FIT value.
    #[must_use]
    pub fn raw(self) -> u8 {
        match self {
            Self::Active => 0,
            Self::Rest => 1,
            Self::Warmup => 2,
            Self::Cooldown => 3,
            Self::Recovery => 4,
            Self::Interval => 5,
            Self::Other => 6,
            Self::Unknown(x) => x,
        }
    }
}

/// What closed a lap (FIT `lap_trigger`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LapTrigger {
    /// 0: lap button.
    Manual,
    /// 1: auto lap by time.
    Time,
    /// 2: auto lap by distance.
    Distance,
    /// 3
    PositionStart,
    /// 4
    PositionLap,
    /// 5
    PositionWaypoint,
    /// 6
    PositionMarked,
    /// 7: end of session.
    SessionEnd,
    /// 8
    FitnessEquipment,
    /// A value the profile does not name.
    Unknown(u8),
}

impl LapTrigger {
    /// From the FIT value.
    #[must_use]
    pub fn from_raw(v: u8) -> Self {
        match v {
            0 => Self::Manual,
            1 => Self::Time,
            2 => Self::Distance,
            3 => Self::PositionStart,
            4 => Self::PositionLap,
            5 => Self::PositionWaypoint,
            6 => Self::PositionMarked,
            7 => Self::SessionEnd,
            8 => Self::FitnessEquipment,
            x => Self::Unknown(x),
        }
    }
}

/// `lap`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Lap {
    /// Message index within the file.
    pub message_index: Option<u16>,
    /// End time of the lap (`timestamp`).
    pub timestamp_s: Option<i64>,
    /// Start time.
    pub start_time_s: Option<i64>,
    /// Elapsed time including pauses.
    pub total_elapsed_time_s: Option<f64>,
    /// Timer time.
    pub total_timer_time_s: Option<f64>,
    /// Distance.
    pub total_distance_m: Option<f64>,
    /// Average speed (`enhanced_avg_speed` preferred).
    pub avg_speed_mps: Option<f64>,
    /// Maximum speed (`enhanced_max_speed` preferred).
    pub max_speed_mps: Option<f64>,
    /// Average heart rate.
    pub avg_heart_rate_bpm: Option<u8>,
    /// Maximum heart rate.
    pub max_heart_rate_bpm: Option<u8>,
    /// Average cadence as stored.
    pub avg_cadence_rpm: Option<u8>,
    /// Fractional part of the average cadence.
    pub avg_fractional_cadence_rpm: Option<f32>,
    /// Maximum cadence as stored.
    pub max_cadence_rpm: Option<u8>,
    /// Average power.
    pub avg_power_w: Option<u16>,
    /// Maximum power.
    pub max_power_w: Option<u16>,
    /// Ascent.
    pub total_ascent_m: Option<u16>,
    /// Descent.
    pub total_descent_m: Option<u16>,
    /// Energy.
    pub total_calories_kcal: Option<u16>,
    /// Intensity (active, rest, warm-up, cool-down, ...).
    pub intensity: Option<Intensity>,
    /// What closed the lap.
    pub lap_trigger: Option<LapTrigger>,
    /// Workout step this lap ran, for laps of a structured workout.
    pub wkt_step_index: Option<u16>,
    /// FIT `sport`.
    pub sport: Option<u8>,
    /// FIT `sub_sport`.
    pub sub_sport: Option<u8>,
    /// Start latitude.
    pub start_position_lat_deg: Option<f64>,
    /// Start longitude.
    pub start_position_long_deg: Option<f64>,
    /// End latitude.
    pub end_position_lat_deg: Option<f64>,
    /// End longitude.
    pub end_position_long_deg: Option<f64>,
}

/// `record`: one sample of the time series.
///
/// Cadence: FIT stores `cadence` in cycles per minute. For running that is strides (one foot)
/// per minute, about half the steps per minute runners know. We keep the stored value in
/// [`cadence_rpm`](Self::cadence_rpm) and [`fractional_cadence_rpm`](Self::fractional_cadence_rpm)
/// and do **not** double it; [`Record::running_cadence_spm`] doubles it for running and walking.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Record {
    /// Sample time (from the `timestamp` field or a compressed-timestamp header).
    pub timestamp_s: Option<i64>,
    /// Latitude.
    pub position_lat_deg: Option<f64>,
    /// Longitude.
    pub position_long_deg: Option<f64>,
    /// Cumulative distance (from `distance`, or accumulated from `compressed_speed_distance`).
    pub distance_m: Option<f64>,
    /// Speed (`enhanced_speed` preferred, then `speed`, then `compressed_speed_distance`).
    pub speed_mps: Option<f64>,
    /// Altitude (`enhanced_altitude` preferred).
    pub altitude_m: Option<f64>,
    /// Heart rate.
    pub heart_rate_bpm: Option<u8>,
    /// Cadence as stored: cycles per minute (strides/min running, crank rpm cycling).
    pub cadence_rpm: Option<u8>,
    /// Fractional cadence (0..1 cycles per minute, 1/128 resolution), added to `cadence_rpm`.
    pub fractional_cadence_rpm: Option<f32>,
    /// Power.
    pub power_w: Option<u16>,
    /// Temperature.
    pub temperature_c: Option<i8>,
    /// Breathing rate (`enhanced_respiration_rate` preferred, then `respiration_rate`).
    pub respiration_rate_brpm: Option<f32>,
    /// Vertical oscillation (running dynamics).
    pub vertical_oscillation_mm: Option<f32>,
    /// Ground contact time (running dynamics).
    pub stance_time_ms: Option<f32>,
    /// Ground contact time as a share of the step.
    pub stance_time_percent: Option<f32>,
    /// Ground contact time balance (left share).
    pub stance_time_balance_percent: Option<f32>,
    /// Step length (running dynamics).
    pub step_length_mm: Option<f32>,
    /// Vertical ratio (running dynamics).
    pub vertical_ratio_percent: Option<f32>,
    /// Core body temperature (CORE sensor, profile field).
    pub core_temperature_c: Option<f32>,
}

impl Record {
    /// Cadence in cycles per minute including the fractional part (not doubled).
    #[must_use]
    pub fn cadence_cycles_per_min(&self) -> Option<f32> {
        cadence_with_fraction(self.cadence_rpm, self.fractional_cadence_rpm)
    }

    /// Running/walking cadence in steps per minute: the stored strides per minute (plus the
    /// fraction) doubled. Meaningless for cycling, where cadence is crank rpm.
    #[must_use]
    pub fn running_cadence_spm(&self) -> Option<f32> {
        running_cadence_spm(self.cadence_rpm, self.fractional_cadence_rpm)
    }
}

/// Stored cadence plus its fractional part, in cycles per minute.
#[must_use]
pub fn cadence_with_fraction(cadence_rpm: Option<u8>, fractional_rpm: Option<f32>) -> Option<f32> {
    cadence_rpm.map(|c| f32::from(c) + fractional_rpm.unwrap_or(0.0))
}

/// Steps per minute from FIT running cadence (strides per minute) and its fraction.
#[must_use]
pub fn running_cadence_spm(cadence_rpm: Option<u8>, fractional_rpm: Option<f32>) -> Option<f32> {
    cadence_with_fraction(cadence_rpm, fractional_rpm).map(|c| c * 2.0)
}

/// `event`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Event {
    /// Event time.
    pub timestamp_s: Option<i64>,
    /// FIT `event`; see [`crate::profile::event_name`] (0 = timer).
    pub event: Option<u8>,
    /// FIT `event_type`; see [`crate::profile::event_type_name`] (0 = start, 1 = stop, 4 = stop_all).
    pub event_type: Option<u8>,
    /// Event data (`data`, or `data16` when only that is present).
    pub data: Option<u32>,
    /// Event group.
    pub event_group: Option<u8>,
}

/// `device_info`: the watch and each sensor.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DeviceInfo {
    /// Time of the message.
    pub timestamp_s: Option<i64>,
    /// Device index (0 = the recording device).
    pub device_index: Option<u8>,
    /// Device type (ANT+ device type or local type depending on `source_type`).
    pub device_type: Option<u8>,
    /// Manufacturer id.
    pub manufacturer: Option<u16>,
    /// Product id.
    pub product: Option<u16>,
    /// Serial number.
    pub serial_number: Option<u32>,
    /// Software version.
    pub software_version: Option<f32>,
    /// Hardware version.
    pub hardware_version: Option<u8>,
    /// Battery voltage.
    pub battery_voltage_v: Option<f32>,
    /// FIT `battery_status`.
    pub battery_status: Option<u8>,
    /// FIT `source_type` (antplus, bluetooth, local, ...).
    pub source_type: Option<u8>,
    /// Product name.
    pub product_name: Option<String>,
}

/// `activity`: the summary message at the end of an activity file.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ActivityInfo {
    /// UTC time of the message.
    pub timestamp_s: Option<i64>,
    /// Total timer time.
    pub total_timer_time_s: Option<f64>,
    /// Number of sessions.
    pub num_sessions: Option<u16>,
    /// FIT `activity` type (0 manual, 1 auto multisport).
    pub activity_type: Option<u8>,
    /// FIT `event`.
    pub event: Option<u8>,
    /// FIT `event_type`.
    pub event_type: Option<u8>,
    /// The same instant in local wall-clock time, as seconds in the Unix scale
    /// (i.e. `local_timestamp` + the FIT epoch offset).
    pub local_timestamp_s: Option<i64>,
    /// Local offset from UTC when the activity was saved: `local_timestamp_s - timestamp_s`.
    pub utc_offset_s: Option<i64>,
}

/// `sport`: the sport profile used.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SportInfo {
    /// FIT `sport`.
    pub sport: Option<u8>,
    /// FIT `sub_sport`.
    pub sub_sport: Option<u8>,
    /// Sport profile name.
    pub name: Option<String>,
}

/// `workout`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Workout {
    /// Workout name.
    pub wkt_name: Option<String>,
    /// FIT `sport`.
    pub sport: Option<u8>,
    /// FIT `sub_sport`.
    pub sub_sport: Option<u8>,
    /// Number of steps.
    pub num_valid_steps: Option<u16>,
    /// FIT `workout_capabilities` bits.
    pub capabilities: Option<u32>,
    /// Pool length.
    pub pool_length_m: Option<f64>,
    /// Description.
    pub wkt_description: Option<String>,
}

/// A heart-rate value in a workout step: FIT stores 0..=100 as % of max HR, and bpm + 100 above.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WorkoutHr {
    /// Percent of maximum heart rate.
    PercentMax(u32),
    /// Beats per minute.
    Bpm(u32),
}

impl WorkoutHr {
    /// Decode the FIT `workout_hr` value.
    #[must_use]
    pub fn from_raw(v: u32) -> Self {
        if v <= 100 { Self::PercentMax(v) } else { Self::Bpm(v - 100) }
    }
}

/// A power value in a workout step: FIT stores 0..=1000 as % of FTP, and watts + 1000 above.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WorkoutPower {
    /// Percent of functional threshold power.
    PercentFtp(u32),
    /// Watts.
    Watts(u32),
}

impl WorkoutPower {
    /// Decode the FIT `workout_power` value.
    #[must_use]
    pub fn from_raw(v: u32) -> Self {
        if v <= 1000 { Self::PercentFtp(v) } else { Self::Watts(v - 1000) }
    }
}

/// How a workout step ends, converted from `duration_type` + `duration_value`
/// (the profile stores time in ms and distance in cm).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum StepDuration {
    /// Ends after a time (duration types `time` and `repetition_time`).
    Time {
        /// Seconds.
        s: f64,
    },
    /// Ends after a distance.
    Distance {
        /// Metres.
        m: f64,
    },
    /// Ends when heart rate drops below a value.
    HrLessThan(WorkoutHr),
    /// Ends when heart rate rises above a value.
    HrGreaterThan(WorkoutHr),
    /// Ends after an energy amount.
    Calories {
        /// Kilocalories.
        kcal: u32,
    },
    /// Ends on the lap button.
    Open,
    /// Repeat the steps from `from_step` until they have run `times` times.
    RepeatUntilStepsComplete {
        /// Message index of the first step to repeat.
        from_step: u32,
        /// Total number of repetitions (`repeat_steps`).
        times: Option<u32>,
    },
    /// Repeat the steps from `from_step` until a time has passed.
    RepeatUntilTime {
        /// First step to repeat.
        from_step: u32,
        /// Seconds.
        s: Option<f64>,
    },
    /// Repeat the steps from `from_step` until a distance is covered.
    RepeatUntilDistance {
        /// First step to repeat.
        from_step: u32,
        /// Metres.
        m: Option<f64>,
    },
    /// Ends when power drops below a value.
    PowerLessThan(WorkoutPower),
    /// Ends when power rises above a value.
    PowerGreaterThan(WorkoutPower),
    /// Ends after a number of repetitions (strength).
    Reps(u32),
    /// A duration type we do not convert (raw values kept).
    Other {
        /// FIT `wkt_step_duration`.
        duration_type: u8,
        /// Raw `duration_value`.
        value: Option<u32>,
    },
}

/// A step's target, converted from `target_type`, `target_value` and the custom range.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum StepTarget {
    /// No target.
    Open,
    /// Speed: a zone (1..) or, when the zone is 0/absent, a custom range.
    Speed {
        /// Speed zone.
        zone: Option<u32>,
        /// Custom low bound.
        low_mps: Option<f64>,
        /// Custom high bound.
        high_mps: Option<f64>,
    },
    /// Heart rate: a zone or a custom range.
    HeartRate {
        /// HR zone.
        zone: Option<u32>,
        /// Custom low bound.
        low: Option<WorkoutHr>,
        /// Custom high bound.
        high: Option<WorkoutHr>,
    },
    /// Cadence: a zone or a custom range.
    Cadence {
        /// Cadence zone.
        zone: Option<u32>,
        /// Custom low bound (cycles per minute as stored).
        low_rpm: Option<u32>,
        /// Custom high bound.
        high_rpm: Option<u32>,
    },
    /// Power: a zone or a custom range.
    Power {
        /// Power zone.
        zone: Option<u32>,
        /// Custom low bound.
        low: Option<WorkoutPower>,
        /// Custom high bound.
        high: Option<WorkoutPower>,
    },
    /// A target type we do not convert.
    Other {
        /// FIT `wkt_step_target`.
        target_type: u8,
        /// Raw `target_value`.
        value: Option<u32>,
        /// Raw custom low.
        low: Option<u32>,
        /// Raw custom high.
        high: Option<u32>,
    },
}

/// `workout_step`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct WorkoutStep {
    /// Step index (`message_index`), referenced by repeat steps and laps.
    pub message_index: Option<u16>,
    /// Step name.
    pub wkt_step_name: Option<String>,
    /// Raw FIT `wkt_step_duration`.
    pub duration_type: Option<u8>,
    /// Raw `duration_value` (ms for time, cm for distance, ...).
    pub duration_value: Option<u32>,
    /// Raw FIT `wkt_step_target`.
    pub target_type: Option<u8>,
    /// Raw `target_value` (a zone, or the repeat count of a repeat step).
    pub target_value: Option<u32>,
    /// Raw `custom_target_value_low`.
    pub custom_target_value_low: Option<u32>,
    /// Raw `custom_target_value_high`.
    pub custom_target_value_high: Option<u32>,
    /// Intensity.
    pub intensity: Option<Intensity>,
    /// Notes (the cue text).
    pub notes: Option<String>,
    /// FIT `workout_equipment`.
    pub equipment: Option<u8>,
    /// Raw secondary target type.
    pub secondary_target_type: Option<u8>,
    /// Raw secondary target value.
    pub secondary_target_value: Option<u32>,
    /// Raw secondary custom low.
    pub secondary_custom_target_value_low: Option<u32>,
    /// Raw secondary custom high.
    pub secondary_custom_target_value_high: Option<u32>,
}

impl WorkoutStep {
    /// The duration in units (seconds, metres, ...). `None` when `duration_type` is absent.
    #[must_use]
    pub fn duration(&self) -> Option<StepDuration> {
        let t = self.duration_type?;
        let v = self.duration_value;
        Some(match t {
            0 | 28 => match v {
                Some(ms) => StepDuration::Time { s: f64::from(ms) / 1000.0 },
                None => StepDuration::Open,
            },
            1 => match v {
                Some(cm) => StepDuration::Distance { m: f64::from(cm) / 100.0 },
                None => StepDuration::Open,
            },
            2 => v.map_or(StepDuration::Other { duration_type: t, value: v }, |x| {
                StepDuration::HrLessThan(WorkoutHr::from_raw(x))
            }),
            3 => v.map_or(StepDuration::Other { duration_type: t, value: v }, |x| {
                StepDuration::HrGreaterThan(WorkoutHr::from_raw(x))
            }),
            4 => v.map_or(StepDuration::Other { duration_type: t, value: v }, |kcal| StepDuration::Calories { kcal }),
            5 => StepDuration::Open,
            6 => StepDuration::RepeatUntilStepsComplete { from_step: v.unwrap_or(0), times: self.target_value },
            7 => StepDuration::RepeatUntilTime {
                from_step: v.unwrap_or(0),
                s: self.target_value.map(|ms| f64::from(ms) / 1000.0),
            },
            8 => StepDuration::RepeatUntilDistance {
                from_step: v.unwrap_or(0),
                m: self.target_value.map(|cm| f64::from(cm) / 100.0),
            },
            14 => v.map_or(StepDuration::Other { duration_type: t, value: v }, |x| {
                StepDuration::PowerLessThan(WorkoutPower::from_raw(x))
            }),
            15 => v.map_or(StepDuration::Other { duration_type: t, value: v }, |x| {
                StepDuration::PowerGreaterThan(WorkoutPower::from_raw(x))
            }),
            29 => v.map_or(StepDuration::Other { duration_type: t, value: v }, StepDuration::Reps),
            _ => StepDuration::Other { duration_type: t, value: v },
        })
    }

    /// Whether this step repeats earlier steps (its `target_value` is then a count, not a zone).
    #[must_use]
    pub fn is_repeat(&self) -> bool {
        matches!(self.duration_type, Some(6..=13 | 17 | 18 | 27))
    }

    /// The target in units. `None` when `target_type` is absent or the step is a repeat.
    #[must_use]
    pub fn target(&self) -> Option<StepTarget> {
        if self.is_repeat() {
            return None;
        }
        let t = self.target_type?;
        let zone = self.target_value.filter(|&z| z != 0);
        let (lo, hi) =
            if zone.is_none() { (self.custom_target_value_low, self.custom_target_value_high) } else { (None, None) };
        Some(match t {
            2 => StepTarget::Open,
            0 => StepTarget::Speed {
                zone,
                low_mps: lo.map(|v| f64::from(v) / 1000.0),
                high_mps: hi.map(|v| f64::from(v) / 1000.0),
            },
            1 => StepTarget::HeartRate { zone, low: lo.map(WorkoutHr::from_raw), high: hi.map(WorkoutHr::from_raw) },
            3 => StepTarget::Cadence { zone, low_rpm: lo, high_rpm: hi },
            4 => StepTarget::Power { zone, low: lo.map(WorkoutPower::from_raw), high: hi.map(WorkoutPower::from_raw) },
            _ => StepTarget::Other {
                target_type: t,
                value: self.target_value,
                low: self.custom_target_value_low,
                high: self.custom_target_value_high,
            },
        })
    }
}

/// `developer_data_id`: an app that added developer fields.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DeveloperDataId {
    /// Index the app's fields refer to.
    pub developer_data_index: Option<u8>,
    /// Connect IQ application id (16 bytes), when present.
    pub application_id: Option<Vec<u8>>,
    /// Developer id, when present.
    pub developer_id: Option<Vec<u8>>,
    /// Manufacturer id.
    pub manufacturer_id: Option<u16>,
    /// Application version.
    pub application_version: Option<u32>,
}

/// `field_description`: name and units of a developer field. Values of developer fields are
/// skipped by size; this tells what was there.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DeveloperFieldDescription {
    /// Which app (see [`DeveloperDataId`]).
    pub developer_data_index: Option<u8>,
    /// Field number within the app.
    pub field_definition_number: Option<u8>,
    /// FIT base type byte.
    pub fit_base_type: Option<u8>,
    /// Field name.
    pub field_name: Option<String>,
    /// Units.
    pub units: Option<String>,
    /// Scale.
    pub scale: Option<u8>,
    /// Offset.
    pub offset: Option<i8>,
    /// Profile message this field stands in for, if any.
    pub native_mesg_num: Option<u16>,
    /// Profile field this field stands in for, if any.
    pub native_field_num: Option<u8>,
}
