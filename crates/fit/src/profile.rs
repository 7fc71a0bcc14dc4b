//! The slice of the FIT profile runtall uses: global message numbers, field numbers, and the
//! enumerations we name. Values come from the FIT profile (messages and types tables).

/// Global message numbers of the messages decoded into typed output.
pub mod mesg {
    /// `file_id`
    pub const FILE_ID: u16 = 0;
    /// `sport`
    pub const SPORT: u16 = 12;
    /// `session`
    pub const SESSION: u16 = 18;
    /// `lap`
    pub const LAP: u16 = 19;
    /// `record`
    pub const RECORD: u16 = 20;
    /// `event`
    pub const EVENT: u16 = 21;
    /// `device_info`
    pub const DEVICE_INFO: u16 = 23;
    /// `workout`
    pub const WORKOUT: u16 = 26;
    /// `workout_step`
    pub const WORKOUT_STEP: u16 = 27;
    /// `activity`
    pub const ACTIVITY: u16 = 34;
    /// `field_description` (describes developer fields)
    pub const FIELD_DESCRIPTION: u16 = 206;
    /// `developer_data_id`
    pub const DEVELOPER_DATA_ID: u16 = 207;
}

/// Field numbers common to many messages.
pub mod common {
    /// `timestamp` (date_time, s)
    pub const TIMESTAMP: u8 = 253;
    /// `message_index`
    pub const MESSAGE_INDEX: u8 = 254;
}

/// `file_id` fields.
pub mod file_id {
    pub const TYPE: u8 = 0;
    pub const MANUFACTURER: u8 = 1;
    pub const PRODUCT: u8 = 2;
    pub const SERIAL_NUMBER: u8 = 3;
    pub const TIME_CREATED: u8 = 4;
    pub const NUMBER: u8 = 5;
    pub const PRODUCT_NAME: u8 = 8;
}

/// `record` fields (scale / offset / units as in the profile).
pub mod record {
    /// sint32 semicircles
    pub const POSITION_LAT: u8 = 0;
    /// sint32 semicircles
    pub const POSITION_LONG: u8 = 1;
    /// uint16, scale 5, offset 500, m
    pub const ALTITUDE: u8 = 2;
    /// uint8 bpm
    pub const HEART_RATE: u8 = 3;
    /// uint8 rpm
    pub const CADENCE: u8 = 4;
    /// uint32, scale 100, m
    pub const DISTANCE: u8 = 5;
    /// uint16, scale 1000, m/s
    pub const SPEED: u8 = 6;
    /// uint16 W
    pub const POWER: u8 = 7;
    /// `byte[3]`: speed (12 bits, scale 100, m/s) + distance (12 bits, scale 16, m, accumulated)
    pub const COMPRESSED_SPEED_DISTANCE: u8 = 8;
    /// sint8 °C
    pub const TEMPERATURE: u8 = 13;
    /// uint16, scale 10, mm
    pub const VERTICAL_OSCILLATION: u8 = 39;
    /// uint16, scale 100, %
    pub const STANCE_TIME_PERCENT: u8 = 40;
    /// uint16, scale 10, ms
    pub const STANCE_TIME: u8 = 41;
    /// uint8, scale 128, rpm
    pub const FRACTIONAL_CADENCE: u8 = 53;
    /// uint32, scale 1000, m/s
    pub const ENHANCED_SPEED: u8 = 73;
    /// uint32, scale 5, offset 500, m
    pub const ENHANCED_ALTITUDE: u8 = 78;
    /// uint16, scale 100, %
    pub const VERTICAL_RATIO: u8 = 83;
    /// uint16, scale 100, % (left foot share)
    pub const STANCE_TIME_BALANCE: u8 = 84;
    /// uint16, scale 10, mm
    pub const STEP_LENGTH: u8 = 85;
    /// uint8 breaths/min
    pub const RESPIRATION_RATE: u8 = 99;
    /// uint16, scale 100, breaths/min
    pub const ENHANCED_RESPIRATION_RATE: u8 = 108;
    /// uint16, scale 100, °C
    pub const CORE_TEMPERATURE: u8 = 139;
}

/// `session` fields.
pub mod session {
    pub const EVENT: u8 = 0;
    pub const EVENT_TYPE: u8 = 1;
    pub const START_TIME: u8 = 2;
    pub const START_POSITION_LAT: u8 = 3;
    pub const START_POSITION_LONG: u8 = 4;
    pub const SPORT: u8 = 5;
    pub const SUB_SPORT: u8 = 6;
    /// uint32, scale 1000, s
    pub const TOTAL_ELAPSED_TIME: u8 = 7;
    /// uint32, scale 1000, s
    pub const TOTAL_TIMER_TIME: u8 = 8;
    /// uint32, scale 100, m
    pub const TOTAL_DISTANCE: u8 = 9;
    pub const TOTAL_CALORIES: u8 = 11;
    /// uint16, scale 1000, m/s
    pub const AVG_SPEED: u8 = 14;
    pub const MAX_SPEED: u8 = 15;
    pub const AVG_HEART_RATE: u8 = 16;
    pub const MAX_HEART_RATE: u8 = 17;
    pub const AVG_CADENCE: u8 = 18;
    pub const MAX_CADENCE: u8 = 19;
    pub const AVG_POWER: u8 = 20;
    pub const MAX_POWER: u8 = 21;
    pub const TOTAL_ASCENT: u8 = 22;
    pub const TOTAL_DESCENT: u8 = 23;
    pub const FIRST_LAP_INDEX: u8 = 25;
    pub const NUM_LAPS: u8 = 26;
    pub const TRIGGER: u8 = 28;
    /// uint16, scale 100, m
    pub const POOL_LENGTH: u8 = 44;
    /// uint32, scale 1000, s: time moving, as the watch judged it (stops excluded even without auto-pause)
    pub const TOTAL_MOVING_TIME: u8 = 59;
    /// uint16, scale 10, mm
    pub const AVG_VERTICAL_OSCILLATION: u8 = 89;
    /// uint16, scale 10, ms
    pub const AVG_STANCE_TIME: u8 = 91;
    /// uint8, scale 128, rpm
    pub const AVG_FRACTIONAL_CADENCE: u8 = 92;
    /// uint32, scale 1000, m/s
    pub const ENHANCED_AVG_SPEED: u8 = 124;
    pub const ENHANCED_MAX_SPEED: u8 = 125;
    /// uint16, scale 100, %
    pub const AVG_VERTICAL_RATIO: u8 = 132;
    /// uint16, scale 10, mm
    pub const AVG_STEP_LENGTH: u8 = 134;
}

/// `lap` fields.
pub mod lap {
    pub const EVENT: u8 = 0;
    pub const EVENT_TYPE: u8 = 1;
    pub const START_TIME: u8 = 2;
    pub const START_POSITION_LAT: u8 = 3;
    pub const START_POSITION_LONG: u8 = 4;
    pub const END_POSITION_LAT: u8 = 5;
    pub const END_POSITION_LONG: u8 = 6;
    pub const TOTAL_ELAPSED_TIME: u8 = 7;
    pub const TOTAL_TIMER_TIME: u8 = 8;
    pub const TOTAL_DISTANCE: u8 = 9;
    pub const TOTAL_CALORIES: u8 = 11;
    pub const AVG_SPEED: u8 = 13;
    pub const MAX_SPEED: u8 = 14;
    pub const AVG_HEART_RATE: u8 = 15;
    pub const MAX_HEART_RATE: u8 = 16;
    pub const AVG_CADENCE: u8 = 17;
    pub const MAX_CADENCE: u8 = 18;
    pub const AVG_POWER: u8 = 19;
    pub const MAX_POWER: u8 = 20;
    pub const TOTAL_ASCENT: u8 = 21;
    pub const TOTAL_DESCENT: u8 = 22;
    pub const INTENSITY: u8 = 23;
    pub const LAP_TRIGGER: u8 = 24;
    pub const SPORT: u8 = 25;
    pub const SUB_SPORT: u8 = 39;
    pub const WKT_STEP_INDEX: u8 = 71;
    pub const AVG_FRACTIONAL_CADENCE: u8 = 80;
    pub const ENHANCED_AVG_SPEED: u8 = 110;
    pub const ENHANCED_MAX_SPEED: u8 = 111;
}

/// `event` fields.
pub mod event {
    pub const EVENT: u8 = 0;
    pub const EVENT_TYPE: u8 = 1;
    /// uint16; expands into `data`
    pub const DATA16: u8 = 2;
    pub const DATA: u8 = 3;
    pub const EVENT_GROUP: u8 = 4;
}

/// `device_info` fields.
pub mod device_info {
    pub const DEVICE_INDEX: u8 = 0;
    pub const DEVICE_TYPE: u8 = 1;
    pub const MANUFACTURER: u8 = 2;
    pub const SERIAL_NUMBER: u8 = 3;
    pub const PRODUCT: u8 = 4;
    /// uint16, scale 100
    pub const SOFTWARE_VERSION: u8 = 5;
    pub const HARDWARE_VERSION: u8 = 6;
    /// uint16, scale 256, V
    pub const BATTERY_VOLTAGE: u8 = 10;
    pub const BATTERY_STATUS: u8 = 11;
    pub const SOURCE_TYPE: u8 = 25;
    pub const PRODUCT_NAME: u8 = 27;
}

/// `activity` fields.
pub mod activity {
    pub const TOTAL_TIMER_TIME: u8 = 0;
    pub const NUM_SESSIONS: u8 = 1;
    pub const TYPE: u8 = 2;
    pub const EVENT: u8 = 3;
    pub const EVENT_TYPE: u8 = 4;
    /// local_date_time: seconds since the FIT epoch in local time
    pub const LOCAL_TIMESTAMP: u8 = 5;
}

/// `sport` fields.
pub mod sport {
    pub const SPORT: u8 = 0;
    pub const SUB_SPORT: u8 = 1;
    pub const NAME: u8 = 3;
}

/// `workout` fields.
pub mod workout {
    pub const SPORT: u8 = 4;
    pub const CAPABILITIES: u8 = 5;
    pub const NUM_VALID_STEPS: u8 = 6;
    pub const WKT_NAME: u8 = 8;
    pub const SUB_SPORT: u8 = 11;
    pub const POOL_LENGTH: u8 = 14;
    pub const WKT_DESCRIPTION: u8 = 17;
}

/// `workout_step` fields.
pub mod workout_step {
    pub const WKT_STEP_NAME: u8 = 0;
    pub const DURATION_TYPE: u8 = 1;
    pub const DURATION_VALUE: u8 = 2;
    pub const TARGET_TYPE: u8 = 3;
    pub const TARGET_VALUE: u8 = 4;
    pub const CUSTOM_TARGET_VALUE_LOW: u8 = 5;
    pub const CUSTOM_TARGET_VALUE_HIGH: u8 = 6;
    pub const INTENSITY: u8 = 7;
    pub const NOTES: u8 = 8;
    pub const EQUIPMENT: u8 = 9;
    pub const SECONDARY_TARGET_TYPE: u8 = 19;
    pub const SECONDARY_TARGET_VALUE: u8 = 20;
    pub const SECONDARY_CUSTOM_TARGET_VALUE_LOW: u8 = 21;
    pub const SECONDARY_CUSTOM_TARGET_VALUE_HIGH: u8 = 22;
}

/// `developer_data_id` fields.
pub mod developer_data_id {
    pub const DEVELOPER_ID: u8 = 0;
    pub const APPLICATION_ID: u8 = 1;
    pub const MANUFACTURER_ID: u8 = 2;
    pub const DEVELOPER_DATA_INDEX: u8 = 3;
    pub const APPLICATION_VERSION: u8 = 4;
}

/// `field_description` fields.
pub mod field_description {
    pub const DEVELOPER_DATA_INDEX: u8 = 0;
    pub const FIELD_DEFINITION_NUMBER: u8 = 1;
    pub const FIT_BASE_TYPE_ID: u8 = 2;
    pub const FIELD_NAME: u8 = 3;
    pub const SCALE: u8 = 6;
    pub const OFFSET: u8 = 7;
    pub const UNITS: u8 = 8;
    pub const NATIVE_MESG_NUM: u8 = 14;
    pub const NATIVE_FIELD_NUM: u8 = 15;
}

/// Profile name of a `sport` value.
#[must_use]
pub fn sport_name(v: u8) -> Option<&'static str> {
    Some(match v {
        0 => "generic",
        1 => "running",
        2 => "cycling",
        3 => "transition",
        4 => "fitness_equipment",
        5 => "swimming",
        6 => "basketball",
        7 => "soccer",
        8 => "tennis",
        9 => "american_football",
        10 => "training",
        11 => "walking",
        12 => "cross_country_skiing",
        13 => "alpine_skiing",
        14 => "snowboarding",
        15 => "rowing",
        16 => "mountaineering",
        17 => "hiking",
        18 => "multisport",
        19 => "paddling",
        21 => "e_biking",
        30 => "inline_skating",
        31 => "rock_climbing",
        35 => "snowshoeing",
        37 => "stand_up_paddleboarding",
        41 => "kayaking",
        62 => "hiit",
        65 => "wheelchair_push_walk",
        66 => "wheelchair_push_run",
        84 => "jump_rope",
        254 => "all",
        _ => return None,
    })
}

/// Profile name of a `sub_sport` value.
#[must_use]
pub fn sub_sport_name(v: u8) -> Option<&'static str> {
    Some(match v {
        0 => "generic",
        1 => "treadmill",
        2 => "street",
        3 => "trail",
        4 => "track",
        5 => "spin",
        6 => "indoor_cycling",
        7 => "road",
        8 => "mountain",
        9 => "downhill",
        10 => "recumbent",
        11 => "cyclocross",
        12 => "hand_cycling",
        13 => "track_cycling",
        14 => "indoor_rowing",
        15 => "elliptical",
        16 => "stair_climbing",
        17 => "lap_swimming",
        18 => "open_water",
        19 => "flexibility_training",
        20 => "strength_training",
        21 => "warm_up",
        26 => "cardio_training",
        27 => "indoor_walking",
        30 => "casual_walking",
        31 => "speed_walking",
        32 => "bike_to_run_transition",
        33 => "run_to_bike_transition",
        34 => "swim_to_bike_transition",
        43 => "yoga",
        44 => "pilates",
        45 => "indoor_running",
        46 => "gravel_cycling",
        48 => "commuting",
        49 => "mixed_surface",
        58 => "virtual_activity",
        59 => "obstacle",
        67 => "ultra",
        254 => "all",
        _ => return None,
    })
}

/// Profile name of a `manufacturer` value (the ones seen in runners' files).
#[must_use]
pub fn manufacturer_name(v: u16) -> Option<&'static str> {
    Some(match v {
        1 => "garmin",
        2 => "garmin_fr405_antfs",
        13 => "dynastream_oem",
        15 => "dynastream",
        16 => "timex",
        23 => "suunto",
        32 => "wahoo_fitness",
        70 => "sigmasport",
        71 => "tomtom",
        76 => "moxy",
        89 => "tacx",
        95 => "stryd",
        123 => "polar_electro",
        255 => "development",
        258 => "lezyne",
        260 => "zwift",
        265 => "strava",
        267 => "bryton",
        289 => "hammerhead",
        294 => "coros",
        307 => "onelap",
        339 => "zepp",
        348 => "huawei",
        _ => return None,
    })
}

/// Profile name of an `event` value.
#[must_use]
pub fn event_name(v: u8) -> Option<&'static str> {
    Some(match v {
        0 => "timer",
        3 => "workout",
        4 => "workout_step",
        5 => "power_down",
        6 => "power_up",
        7 => "off_course",
        8 => "session",
        9 => "lap",
        10 => "course_point",
        11 => "battery",
        12 => "virtual_partner_pace",
        13 => "hr_high_alert",
        14 => "hr_low_alert",
        15 => "speed_high_alert",
        16 => "speed_low_alert",
        17 => "cad_high_alert",
        18 => "cad_low_alert",
        19 => "power_high_alert",
        20 => "power_low_alert",
        21 => "recovery_hr",
        22 => "battery_low",
        23 => "time_duration_alert",
        24 => "distance_duration_alert",
        25 => "calorie_duration_alert",
        26 => "activity",
        27 => "fitness_equipment",
        28 => "length",
        32 => "user_marker",
        33 => "sport_point",
        36 => "calibration",
        42 => "front_gear_change",
        43 => "rear_gear_change",
        44 => "rider_position_change",
        45 => "elev_high_alert",
        46 => "elev_low_alert",
        47 => "comm_timeout",
        54 => "auto_activity_detect",
        _ => return None,
    })
}

/// Profile name of an `event_type` value.
#[must_use]
pub fn event_type_name(v: u8) -> Option<&'static str> {
    Some(match v {
        0 => "start",
        1 => "stop",
        2 => "consecutive_depreciated",
        3 => "marker",
        4 => "stop_all",
        5 => "begin_depreciated",
        6 => "end_depreciated",
        7 => "end_all_depreciated",
        8 => "stop_disable",
        9 => "stop_disable_all",
        _ => return None,
    })
}
