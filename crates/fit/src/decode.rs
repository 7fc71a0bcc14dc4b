//! The typed decoder: walks the file with the engine and fills [`FitActivity`].
//!
//! Speed comes from doing as little as possible per message. When a definition message arrives
//! we build, for its local type, a compact plan listing only the fields runtall keeps (offset,
//! size, base type, field number); data messages of types we do not use are skipped by their
//! size without looking at a single field, and data messages we do use read only their planned
//! fields.

use std::ops::ControlFlow;

use crate::base::{BaseType, read_f64, read_int, read_string};
use crate::engine::{Engine, Step};
use crate::error::FitError;
use crate::model::*;
use crate::profile::{self as p, mesg};

/// Most `record` messages kept from one input: about 11.5 days at one per second, far beyond any activity. A
/// record can be a single byte of input but is 184 bytes decoded, so without a cap a crafted file of one-byte
/// records would decode to 180 times its size.
pub const MAX_RECORDS: usize = 1_000_000;

/// Most messages of each other kept kind (laps, sessions, events, devices, workout steps, developer fields).
pub const MAX_OTHER_MESSAGES: usize = 100_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Skip,
    FileId,
    Session,
    Lap,
    Record,
    Event,
    DeviceInfo,
    Activity,
    Sport,
    Workout,
    WorkoutStep,
    DeveloperDataId,
    FieldDescription,
}

fn kind_of(global: u16) -> Kind {
    match global {
        mesg::FILE_ID => Kind::FileId,
        mesg::SESSION => Kind::Session,
        mesg::LAP => Kind::Lap,
        mesg::RECORD => Kind::Record,
        mesg::EVENT => Kind::Event,
        mesg::DEVICE_INFO => Kind::DeviceInfo,
        mesg::ACTIVITY => Kind::Activity,
        mesg::SPORT => Kind::Sport,
        mesg::WORKOUT => Kind::Workout,
        mesg::WORKOUT_STEP => Kind::WorkoutStep,
        mesg::DEVELOPER_DATA_ID => Kind::DeveloperDataId,
        mesg::FIELD_DESCRIPTION => Kind::FieldDescription,
        _ => Kind::Skip,
    }
}

/// Whether we decode field `num` of a message of kind `kind`.
fn keeps(kind: Kind, num: u8) -> bool {
    use p::record as r;
    match kind {
        Kind::Skip => false,
        Kind::Record => matches!(
            num,
            r::POSITION_LAT
                | r::POSITION_LONG
                | r::ALTITUDE
                | r::HEART_RATE
                | r::CADENCE
                | r::DISTANCE
                | r::SPEED
                | r::POWER
                | r::COMPRESSED_SPEED_DISTANCE
                | r::TEMPERATURE
                | r::VERTICAL_OSCILLATION
                | r::STANCE_TIME_PERCENT
                | r::STANCE_TIME
                | r::FRACTIONAL_CADENCE
                | r::ENHANCED_SPEED
                | r::ENHANCED_ALTITUDE
                | r::VERTICAL_RATIO
                | r::STANCE_TIME_BALANCE
                | r::STEP_LENGTH
                | r::RESPIRATION_RATE
                | r::ENHANCED_RESPIRATION_RATE
                | r::CORE_TEMPERATURE
        ),
        Kind::Session => {
            matches!(num, 0..=11 | 14..=23 | 25 | 26 | 28 | 44 | 59 | 89 | 91 | 92 | 124 | 125 | 132 | 134 | 254)
        }
        Kind::Lap => matches!(num, 0..=11 | 13..=25 | 39 | 71 | 80 | 110 | 111 | 254),
        Kind::Event => matches!(num, 0..=4),
        Kind::DeviceInfo => matches!(num, 0..=6 | 10 | 11 | 25 | 27),
        Kind::Activity => matches!(num, 0..=5),
        Kind::Sport => matches!(num, 0 | 1 | 3),
        Kind::FileId => matches!(num, 0..=5 | 8),
        Kind::Workout => matches!(num, 4..=6 | 8 | 11 | 14 | 17),
        Kind::WorkoutStep => matches!(num, 0..=9 | 19..=22 | 254),
        Kind::DeveloperDataId => matches!(num, 0..=4),
        Kind::FieldDescription => matches!(num, 0..=3 | 6..=8 | 14 | 15),
    }
}

/// One field to read: where it is in the body and how to read it.
#[derive(Debug, Clone, Copy)]
struct Entry {
    off: u32,
    size: u32,
    base: BaseType,
    num: u8,
    /// Dense index of the field in `RECORD_SLOTS` (records only).
    slot: u8,
    /// Bytes of one element (1, 2, 4 or 8) for the integer fast path; 0 for other types.
    width: u8,
    signed: bool,
    /// `64 - 8 * width`: moves a `width`-byte value to the top of a u64 and back.
    shift: u32,
    /// The raw bit pattern meaning "invalid" for this base type.
    invalid: u64,
}

impl Entry {
    fn new(off: u32, size: u8, base: BaseType, num: u8, slot: u8) -> Self {
        let (width, signed, invalid) = match base {
            BaseType::Enum | BaseType::Uint8 | BaseType::Byte => (1, false, 0xFF),
            BaseType::Sint8 => (1, true, 0x7F),
            BaseType::Uint8z => (1, false, 0),
            BaseType::Sint16 => (2, true, 0x7FFF),
            BaseType::Uint16 => (2, false, 0xFFFF),
            BaseType::Uint16z => (2, false, 0),
            BaseType::Sint32 => (4, true, 0x7FFF_FFFF),
            BaseType::Uint32 => (4, false, 0xFFFF_FFFF),
            BaseType::Uint32z => (4, false, 0),
            BaseType::Sint64 => (8, true, 0x7FFF_FFFF_FFFF_FFFF),
            BaseType::Uint64 => (8, false, u64::MAX),
            BaseType::Uint64z => (8, false, 0),
            BaseType::Float32 | BaseType::Float64 | BaseType::String | BaseType::Unknown(_) => (0, false, 0),
        };
        let shift = if width == 0 { 0 } else { 64 - 8 * u32::from(width) };
        Self { off, size: u32::from(size), base, num, slot, width, signed, shift, invalid }
    }

    /// Like [`Entry::raw`], reading from the whole input with the message body at `start`.
    /// Every integer field is read with one unaligned 8-byte load and a shift, with no branch on
    /// its width; only the last bytes of the input (where 8 bytes are not available) take the
    /// byte-exact path.
    #[inline(always)]
    fn raw_at(&self, buf: &[u8], start: usize, body: &[u8], be: bool) -> Option<i64> {
        let s = start + self.off as usize;
        let wide = if self.width == 0 { None } else { buf.get(s..s + 8) };
        let Some(b) = wide else { return self.raw(body, be) };
        let x = u64::from_le_bytes([b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7]]);
        let v = if be { x.swap_bytes() >> self.shift } else { (x << self.shift) >> self.shift };
        if v == self.invalid {
            return None;
        }
        if self.signed { Some(((v << self.shift) as i64) >> self.shift) } else { i64::try_from(v).ok() }
    }

    /// First element as a raw integer, sentinel mapped to `None`. Floats (never used by the
    /// profile for record fields, but legal) are rounded to the nearest raw unit.
    #[inline(always)]
    fn raw(&self, body: &[u8], be: bool) -> Option<i64> {
        let s = self.off as usize;
        let v: u64 = match self.width {
            1 => u64::from(*body.get(s)?),
            2 => {
                let b = body.get(s..s + 2)?;
                let a = [b[0], b[1]];
                u64::from(if be { u16::from_be_bytes(a) } else { u16::from_le_bytes(a) })
            }
            4 => {
                let b = body.get(s..s + 4)?;
                let a = [b[0], b[1], b[2], b[3]];
                u64::from(if be { u32::from_be_bytes(a) } else { u32::from_le_bytes(a) })
            }
            8 => {
                let b = body.get(s..s + 8)?;
                let a = [b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7]];
                if be { u64::from_be_bytes(a) } else { u64::from_le_bytes(a) }
            }
            _ => {
                let b = body.get(s..s + self.size as usize)?;
                return read_f64(b, self.base, be).map(|f| f.round() as i64);
            }
        };
        if v == self.invalid {
            return None;
        }
        if self.signed {
            let sh = 64 - 8 * u32::from(self.width);
            Some(((v << sh) as i64) >> sh)
        } else {
            i64::try_from(v).ok()
        }
    }
}

/// Record fields we keep, in slot order.
const RECORD_SLOTS: [u8; 22] = {
    use p::record as r;
    [
        r::POSITION_LAT,
        r::POSITION_LONG,
        r::ALTITUDE,
        r::HEART_RATE,
        r::CADENCE,
        r::DISTANCE,
        r::SPEED,
        r::POWER,
        r::COMPRESSED_SPEED_DISTANCE,
        r::TEMPERATURE,
        r::VERTICAL_OSCILLATION,
        r::STANCE_TIME_PERCENT,
        r::STANCE_TIME,
        r::FRACTIONAL_CADENCE,
        r::ENHANCED_SPEED,
        r::ENHANCED_ALTITUDE,
        r::VERTICAL_RATIO,
        r::STANCE_TIME_BALANCE,
        r::STEP_LENGTH,
        r::RESPIRATION_RATE,
        r::ENHANCED_RESPIRATION_RATE,
        r::CORE_TEMPERATURE,
    ]
};
const SLOT_CSD: u8 = 8;

fn record_slot(num: u8) -> u8 {
    RECORD_SLOTS.iter().position(|&n| n == num).map_or(u8::MAX, |i| i as u8)
}

#[derive(Debug)]
struct Plan {
    kind: Kind,
    entries: Vec<Entry>,
}

impl Default for Plan {
    fn default() -> Self {
        Self { kind: Kind::Skip, entries: Vec::new() }
    }
}

/// Reads planned fields out of one message body.
#[derive(Clone, Copy)]
struct Msg<'b> {
    body: &'b [u8],
    be: bool,
}

impl Msg<'_> {
    #[inline(always)]
    fn bytes(&self, e: &Entry) -> &[u8] {
        let start = e.off as usize;
        self.body.get(start..start + e.size as usize).unwrap_or(&[])
    }
    #[inline(always)]
    fn int(&self, e: &Entry) -> Option<i64> {
        read_int(self.bytes(e), e.base, self.be)
    }
    #[inline(always)]
    fn u8(&self, e: &Entry) -> Option<u8> {
        self.int(e).and_then(|v| u8::try_from(v).ok())
    }
    #[inline(always)]
    fn i8(&self, e: &Entry) -> Option<i8> {
        self.int(e).and_then(|v| i8::try_from(v).ok())
    }
    #[inline(always)]
    fn u16(&self, e: &Entry) -> Option<u16> {
        self.int(e).and_then(|v| u16::try_from(v).ok())
    }
    #[inline(always)]
    fn u32(&self, e: &Entry) -> Option<u32> {
        self.int(e).and_then(|v| u32::try_from(v).ok())
    }
    #[inline(always)]
    fn i32(&self, e: &Entry) -> Option<i32> {
        self.int(e).and_then(|v| i32::try_from(v).ok())
    }
    /// Value / scale - offset, as the profile defines scaled fields.
    #[inline(always)]
    fn scaled(&self, e: &Entry, scale: f64, offset: f64) -> Option<f64> {
        let v = match e.base {
            BaseType::Float32 | BaseType::Float64 => read_f64(self.bytes(e), e.base, self.be)?,
            _ => self.int(e)? as f64,
        };
        Some(v / scale - offset)
    }
    #[inline(always)]
    fn scaled32(&self, e: &Entry, scale: f32) -> Option<f32> {
        self.scaled(e, f64::from(scale), 0.0).map(|v| v as f32)
    }
    #[inline(always)]
    fn deg(&self, e: &Entry) -> Option<f64> {
        self.i32(e).map(semicircles_to_deg)
    }
    #[inline(always)]
    fn time(&self, e: &Entry) -> Option<i64> {
        self.u32(e).map(fit_time_to_unix_s)
    }
    fn string(&self, e: &Entry) -> Option<String> {
        read_string(self.bytes(e))
    }
    fn byte_array(&self, e: &Entry) -> Option<Vec<u8>> {
        let b = self.bytes(e);
        if b.is_empty() || b.iter().all(|&x| x == 0xFF) { None } else { Some(b.to_vec()) }
    }
}

/// Accumulates the 12-bit distance of `compressed_speed_distance` into a running total.
#[derive(Debug, Default, Clone, Copy)]
struct CompressedDistance {
    total_16ths: u64,
    last: u32,
    started: bool,
}

impl CompressedDistance {
    /// Returns (speed m/s, distance m) from the 3-byte field.
    fn apply(&mut self, b: &[u8]) -> (Option<f64>, Option<f64>) {
        let (Some(&b0), Some(&b1), Some(&b2)) = (b.first(), b.get(1), b.get(2)) else {
            return (None, None);
        };
        if b0 == 0xFF && b1 == 0xFF && b2 == 0xFF {
            return (None, None);
        }
        let v = u32::from(b0) | (u32::from(b1) << 8) | (u32::from(b2) << 16);
        let speed = v & 0xFFF;
        let dist = (v >> 12) & 0xFFF;
        if self.started {
            self.total_16ths += u64::from(dist.wrapping_sub(self.last) & 0xFFF);
        } else {
            self.total_16ths = u64::from(dist);
            self.started = true;
        }
        self.last = dist;
        (Some(f64::from(speed) / 100.0), Some(self.total_16ths as f64 / 16.0))
    }
}

/// Build one `Record`. Records are the bulk of every file, so this is the hot path: each
/// planned field is read into a dense slot array (one generic read, no per-field dispatch on the
/// field number), then the slots are converted in straight-line code into a struct literal that
/// the compiler can write straight into the output vector.
#[inline(always)]
fn build_record(
    m: Msg<'_>,
    buf: &[u8],
    start: usize,
    entries: &[Entry],
    ts: Option<u32>,
    csd: &mut CompressedDistance,
) -> Record {
    let mut v = [0i64; 32];
    let mut have: u32 = 0;
    let mut csd_entry = None;
    for e in entries {
        if e.slot == SLOT_CSD {
            csd_entry = Some(e);
        } else if let Some(x) = e.raw_at(buf, start, m.body, m.be) {
            let s = u32::from(e.slot & 31);
            v[s as usize] = x;
            have |= 1 << s;
        }
    }
    let get = |num: u8| {
        let s = record_slot_const(num);
        (have & (1 << s) != 0).then(|| v[s as usize])
    };
    let u8v = |num: u8| get(num).and_then(|x| u8::try_from(x).ok());
    let deg = |num: u8| get(num).and_then(|x| i32::try_from(x).ok()).map(semicircles_to_deg);
    let scaled = |num: u8, scale: f64, offset: f64| get(num).map(|x| x as f64 / scale - offset);
    let scaled32 = |num: u8, scale: f64| get(num).map(|x| (x as f64 / scale) as f32);
    use p::record as f;
    let mut speed_mps = scaled(f::ENHANCED_SPEED, 1000.0, 0.0).or_else(|| scaled(f::SPEED, 1000.0, 0.0));
    let mut distance_m = scaled(f::DISTANCE, 100.0, 0.0);
    if let Some(e) = csd_entry {
        let (s, d) = csd.apply(m.bytes(e));
        speed_mps = speed_mps.or(s);
        distance_m = distance_m.or(d);
    }
    // Running dynamics, breathing and core temperature are absent from most files: test the
    // whole group once instead of each of its slots.
    let dynamics_mask = slot_mask(&[
        f::VERTICAL_OSCILLATION,
        f::STANCE_TIME,
        f::STANCE_TIME_PERCENT,
        f::STANCE_TIME_BALANCE,
        f::STEP_LENGTH,
        f::VERTICAL_RATIO,
    ]);
    let extra_mask = slot_mask(&[f::RESPIRATION_RATE, f::ENHANCED_RESPIRATION_RATE, f::CORE_TEMPERATURE]);
    let mut r = Record {
        timestamp_s: ts.map(fit_time_to_unix_s),
        position_lat_deg: deg(f::POSITION_LAT),
        position_long_deg: deg(f::POSITION_LONG),
        distance_m,
        speed_mps,
        altitude_m: scaled(f::ENHANCED_ALTITUDE, 5.0, 500.0).or_else(|| scaled(f::ALTITUDE, 5.0, 500.0)),
        heart_rate_bpm: u8v(f::HEART_RATE),
        cadence_rpm: u8v(f::CADENCE),
        fractional_cadence_rpm: scaled32(f::FRACTIONAL_CADENCE, 128.0),
        power_w: get(f::POWER).and_then(|x| u16::try_from(x).ok()),
        temperature_c: get(f::TEMPERATURE).and_then(|x| i8::try_from(x).ok()),
        ..Record::default()
    };
    if have & dynamics_mask != 0 {
        r.vertical_oscillation_mm = scaled32(f::VERTICAL_OSCILLATION, 10.0);
        r.stance_time_ms = scaled32(f::STANCE_TIME, 10.0);
        r.stance_time_percent = scaled32(f::STANCE_TIME_PERCENT, 100.0);
        r.stance_time_balance_percent = scaled32(f::STANCE_TIME_BALANCE, 100.0);
        r.step_length_mm = scaled32(f::STEP_LENGTH, 10.0);
        r.vertical_ratio_percent = scaled32(f::VERTICAL_RATIO, 100.0);
    }
    if have & extra_mask != 0 {
        r.respiration_rate_brpm =
            scaled32(f::ENHANCED_RESPIRATION_RATE, 100.0).or_else(|| scaled32(f::RESPIRATION_RATE, 1.0));
        r.core_temperature_c = scaled32(f::CORE_TEMPERATURE, 100.0);
    }
    r
}

/// Bit mask of the slots of `nums`.
#[inline(always)]
const fn slot_mask(nums: &[u8]) -> u32 {
    let mut m = 0;
    let mut i = 0;
    while i < nums.len() {
        m |= 1 << record_slot_const(nums[i]);
        i += 1;
    }
    m
}

/// Slot of a record field number, for the constant field numbers used in `fill_record`
/// (folds to a constant after inlining).
#[inline(always)]
const fn record_slot_const(num: u8) -> u32 {
    let mut i = 0;
    while i < RECORD_SLOTS.len() {
        if RECORD_SLOTS[i] == num {
            return i as u32;
        }
        i += 1;
    }
    31
}

fn session(m: Msg<'_>, entries: &[Entry], ts: Option<u32>) -> Session {
    use p::session as f;
    let mut s = Session { timestamp_s: ts.map(fit_time_to_unix_s), ..Session::default() };
    let (mut avg, mut max, mut eavg, mut emax) = (None, None, None, None);
    for e in entries {
        match e.num {
            p::common::MESSAGE_INDEX => s.message_index = m.u16(e),
            f::START_TIME => s.start_time_s = m.time(e),
            f::START_POSITION_LAT => s.start_position_lat_deg = m.deg(e),
            f::START_POSITION_LONG => s.start_position_long_deg = m.deg(e),
            f::SPORT => s.sport = m.u8(e),
            f::SUB_SPORT => s.sub_sport = m.u8(e),
            f::TOTAL_ELAPSED_TIME => s.total_elapsed_time_s = m.scaled(e, 1000.0, 0.0),
            f::TOTAL_TIMER_TIME => s.total_timer_time_s = m.scaled(e, 1000.0, 0.0),
            f::TOTAL_DISTANCE => s.total_distance_m = m.scaled(e, 100.0, 0.0),
            f::TOTAL_CALORIES => s.total_calories_kcal = m.u16(e),
            f::AVG_SPEED => avg = m.scaled(e, 1000.0, 0.0),
            f::MAX_SPEED => max = m.scaled(e, 1000.0, 0.0),
            f::AVG_HEART_RATE => s.avg_heart_rate_bpm = m.u8(e),
            f::MAX_HEART_RATE => s.max_heart_rate_bpm = m.u8(e),
            f::AVG_CADENCE => s.avg_cadence_rpm = m.u8(e),
            f::MAX_CADENCE => s.max_cadence_rpm = m.u8(e),
            f::AVG_POWER => s.avg_power_w = m.u16(e),
            f::MAX_POWER => s.max_power_w = m.u16(e),
            f::TOTAL_ASCENT => s.total_ascent_m = m.u16(e),
            f::TOTAL_DESCENT => s.total_descent_m = m.u16(e),
            f::FIRST_LAP_INDEX => s.first_lap_index = m.u16(e),
            f::NUM_LAPS => s.num_laps = m.u16(e),
            f::TRIGGER => s.trigger = m.u8(e),
            f::POOL_LENGTH => s.pool_length_m = m.scaled(e, 100.0, 0.0),
            f::TOTAL_MOVING_TIME => s.total_moving_time_s = m.scaled(e, 1000.0, 0.0),
            f::AVG_VERTICAL_OSCILLATION => s.avg_vertical_oscillation_mm = m.scaled32(e, 10.0),
            f::AVG_STANCE_TIME => s.avg_stance_time_ms = m.scaled32(e, 10.0),
            f::AVG_FRACTIONAL_CADENCE => s.avg_fractional_cadence_rpm = m.scaled32(e, 128.0),
            f::ENHANCED_AVG_SPEED => eavg = m.scaled(e, 1000.0, 0.0),
            f::ENHANCED_MAX_SPEED => emax = m.scaled(e, 1000.0, 0.0),
            f::AVG_VERTICAL_RATIO => s.avg_vertical_ratio_percent = m.scaled32(e, 100.0),
            f::AVG_STEP_LENGTH => s.avg_step_length_mm = m.scaled32(e, 10.0),
            _ => {}
        }
    }
    s.avg_speed_mps = eavg.or(avg);
    s.max_speed_mps = emax.or(max);
    s
}

fn lap(m: Msg<'_>, entries: &[Entry], ts: Option<u32>) -> Lap {
    use p::lap as f;
    let mut l = Lap { timestamp_s: ts.map(fit_time_to_unix_s), ..Lap::default() };
    let (mut avg, mut max, mut eavg, mut emax) = (None, None, None, None);
    for e in entries {
        match e.num {
            p::common::MESSAGE_INDEX => l.message_index = m.u16(e),
            f::START_TIME => l.start_time_s = m.time(e),
            f::START_POSITION_LAT => l.start_position_lat_deg = m.deg(e),
            f::START_POSITION_LONG => l.start_position_long_deg = m.deg(e),
            f::END_POSITION_LAT => l.end_position_lat_deg = m.deg(e),
            f::END_POSITION_LONG => l.end_position_long_deg = m.deg(e),
            f::TOTAL_ELAPSED_TIME => l.total_elapsed_time_s = m.scaled(e, 1000.0, 0.0),
            f::TOTAL_TIMER_TIME => l.total_timer_time_s = m.scaled(e, 1000.0, 0.0),
            f::TOTAL_DISTANCE => l.total_distance_m = m.scaled(e, 100.0, 0.0),
            f::TOTAL_CALORIES => l.total_calories_kcal = m.u16(e),
            f::AVG_SPEED => avg = m.scaled(e, 1000.0, 0.0),
            f::MAX_SPEED => max = m.scaled(e, 1000.0, 0.0),
            f::AVG_HEART_RATE => l.avg_heart_rate_bpm = m.u8(e),
            f::MAX_HEART_RATE => l.max_heart_rate_bpm = m.u8(e),
            f::AVG_CADENCE => l.avg_cadence_rpm = m.u8(e),
            f::MAX_CADENCE => l.max_cadence_rpm = m.u8(e),
            f::AVG_POWER => l.avg_power_w = m.u16(e),
            f::MAX_POWER => l.max_power_w = m.u16(e),
            f::TOTAL_ASCENT => l.total_ascent_m = m.u16(e),
            f::TOTAL_DESCENT => l.total_descent_m = m.u16(e),
            f::INTENSITY => l.intensity = m.u8(e).map(Intensity::from_raw),
            f::LAP_TRIGGER => l.lap_trigger = m.u8(e).map(LapTrigger::from_raw),
            f::SPORT => l.sport = m.u8(e),
            f::SUB_SPORT => l.sub_sport = m.u8(e),
            f::WKT_STEP_INDEX => l.wkt_step_index = m.u16(e),
            f::AVG_FRACTIONAL_CADENCE => l.avg_fractional_cadence_rpm = m.scaled32(e, 128.0),
            f::ENHANCED_AVG_SPEED => eavg = m.scaled(e, 1000.0, 0.0),
            f::ENHANCED_MAX_SPEED => emax = m.scaled(e, 1000.0, 0.0),
            _ => {}
        }
    }
    l.avg_speed_mps = eavg.or(avg);
    l.max_speed_mps = emax.or(max);
    l
}

fn event(m: Msg<'_>, entries: &[Entry], ts: Option<u32>) -> Event {
    use p::event as f;
    let mut ev = Event { timestamp_s: ts.map(fit_time_to_unix_s), ..Event::default() };
    let mut data16 = None;
    for e in entries {
        match e.num {
            f::EVENT => ev.event = m.u8(e),
            f::EVENT_TYPE => ev.event_type = m.u8(e),
            f::DATA16 => data16 = m.u32(e),
            f::DATA => ev.data = m.u32(e),
            f::EVENT_GROUP => ev.event_group = m.u8(e),
            _ => {}
        }
    }
    if ev.data.is_none() {
        ev.data = data16;
    }
    ev
}

fn device_info(m: Msg<'_>, entries: &[Entry], ts: Option<u32>) -> DeviceInfo {
    use p::device_info as f;
    let mut d = DeviceInfo { timestamp_s: ts.map(fit_time_to_unix_s), ..DeviceInfo::default() };
    for e in entries {
        match e.num {
            f::DEVICE_INDEX => d.device_index = m.u8(e),
            f::DEVICE_TYPE => d.device_type = m.u8(e),
            f::MANUFACTURER => d.manufacturer = m.u16(e),
            f::SERIAL_NUMBER => d.serial_number = m.u32(e),
            f::PRODUCT => d.product = m.u16(e),
            f::SOFTWARE_VERSION => d.software_version = m.scaled32(e, 100.0),
            f::HARDWARE_VERSION => d.hardware_version = m.u8(e),
            f::BATTERY_VOLTAGE => d.battery_voltage_v = m.scaled32(e, 256.0),
            f::BATTERY_STATUS => d.battery_status = m.u8(e),
            f::SOURCE_TYPE => d.source_type = m.u8(e),
            f::PRODUCT_NAME => d.product_name = m.string(e),
            _ => {}
        }
    }
    d
}

fn activity(m: Msg<'_>, entries: &[Entry], ts: Option<u32>) -> ActivityInfo {
    use p::activity as f;
    let mut a = ActivityInfo { timestamp_s: ts.map(fit_time_to_unix_s), ..ActivityInfo::default() };
    for e in entries {
        match e.num {
            f::TOTAL_TIMER_TIME => a.total_timer_time_s = m.scaled(e, 1000.0, 0.0),
            f::NUM_SESSIONS => a.num_sessions = m.u16(e),
            f::TYPE => a.activity_type = m.u8(e),
            f::EVENT => a.event = m.u8(e),
            f::EVENT_TYPE => a.event_type = m.u8(e),
            f::LOCAL_TIMESTAMP => a.local_timestamp_s = m.time(e),
            _ => {}
        }
    }
    if let (Some(local), Some(utc)) = (a.local_timestamp_s, a.timestamp_s) {
        a.utc_offset_s = Some(local - utc);
    }
    a
}

fn file_id(m: Msg<'_>, entries: &[Entry]) -> FileId {
    use p::file_id as f;
    let mut x = FileId::default();
    for e in entries {
        match e.num {
            f::TYPE => x.file_type = m.u8(e),
            f::MANUFACTURER => x.manufacturer = m.u16(e),
            f::PRODUCT => x.product = m.u16(e),
            f::SERIAL_NUMBER => x.serial_number = m.u32(e),
            f::TIME_CREATED => x.time_created_s = m.time(e),
            f::NUMBER => x.number = m.u16(e),
            f::PRODUCT_NAME => x.product_name = m.string(e),
            _ => {}
        }
    }
    x
}

fn sport(m: Msg<'_>, entries: &[Entry]) -> SportInfo {
    use p::sport as f;
    let mut x = SportInfo::default();
    for e in entries {
        match e.num {
            f::SPORT => x.sport = m.u8(e),
            f::SUB_SPORT => x.sub_sport = m.u8(e),
            f::NAME => x.name = m.string(e),
            _ => {}
        }
    }
    x
}

fn workout(m: Msg<'_>, entries: &[Entry]) -> Workout {
    use p::workout as f;
    let mut x = Workout::default();
    for e in entries {
        match e.num {
            f::SPORT => x.sport = m.u8(e),
            f::CAPABILITIES => x.capabilities = m.u32(e),
            f::NUM_VALID_STEPS => x.num_valid_steps = m.u16(e),
            f::WKT_NAME => x.wkt_name = m.string(e),
            f::SUB_SPORT => x.sub_sport = m.u8(e),
            f::POOL_LENGTH => x.pool_length_m = m.scaled(e, 100.0, 0.0),
            f::WKT_DESCRIPTION => x.wkt_description = m.string(e),
            _ => {}
        }
    }
    x
}

fn workout_step(m: Msg<'_>, entries: &[Entry]) -> WorkoutStep {
    use p::workout_step as f;
    let mut x = WorkoutStep::default();
    for e in entries {
        match e.num {
            p::common::MESSAGE_INDEX => x.message_index = m.u16(e),
            f::WKT_STEP_NAME => x.wkt_step_name = m.string(e),
            f::DURATION_TYPE => x.duration_type = m.u8(e),
            f::DURATION_VALUE => x.duration_value = m.u32(e),
            f::TARGET_TYPE => x.target_type = m.u8(e),
            f::TARGET_VALUE => x.target_value = m.u32(e),
            f::CUSTOM_TARGET_VALUE_LOW => x.custom_target_value_low = m.u32(e),
            f::CUSTOM_TARGET_VALUE_HIGH => x.custom_target_value_high = m.u32(e),
            f::INTENSITY => x.intensity = m.u8(e).map(Intensity::from_raw),
            f::NOTES => x.notes = m.string(e),
            f::EQUIPMENT => x.equipment = m.u8(e),
            f::SECONDARY_TARGET_TYPE => x.secondary_target_type = m.u8(e),
            f::SECONDARY_TARGET_VALUE => x.secondary_target_value = m.u32(e),
            f::SECONDARY_CUSTOM_TARGET_VALUE_LOW => x.secondary_custom_target_value_low = m.u32(e),
            f::SECONDARY_CUSTOM_TARGET_VALUE_HIGH => x.secondary_custom_target_value_high = m.u32(e),
            _ => {}
        }
    }
    x
}

fn developer_data_id(m: Msg<'_>, entries: &[Entry]) -> DeveloperDataId {
    use p::developer_data_id as f;
    let mut x = DeveloperDataId::default();
    for e in entries {
        match e.num {
            f::DEVELOPER_ID => x.developer_id = m.byte_array(e),
            f::APPLICATION_ID => x.application_id = m.byte_array(e),
            f::MANUFACTURER_ID => x.manufacturer_id = m.u16(e),
            f::DEVELOPER_DATA_INDEX => x.developer_data_index = m.u8(e),
            f::APPLICATION_VERSION => x.application_version = m.u32(e),
            _ => {}
        }
    }
    x
}

fn field_description(m: Msg<'_>, entries: &[Entry]) -> DeveloperFieldDescription {
    use p::field_description as f;
    let mut x = DeveloperFieldDescription::default();
    for e in entries {
        match e.num {
            f::DEVELOPER_DATA_INDEX => x.developer_data_index = m.u8(e),
            f::FIELD_DEFINITION_NUMBER => x.field_definition_number = m.u8(e),
            f::FIT_BASE_TYPE_ID => x.fit_base_type = m.u8(e),
            f::FIELD_NAME => x.field_name = m.string(e),
            f::SCALE => x.scale = m.u8(e),
            f::OFFSET => x.offset = m.i8(e),
            f::UNITS => x.units = m.string(e),
            f::NATIVE_MESG_NUM => x.native_mesg_num = m.u16(e),
            f::NATIVE_FIELD_NUM => x.native_field_num = m.u8(e),
            _ => {}
        }
    }
    x
}

/// Decode a whole FIT file held in memory.
///
/// Salvage-first: everything readable is returned, with a [`crate::Warning`] (byte offset and
/// reason) for each problem met. Fails only when nothing usable can be read: an empty input, an
/// input that does not start with a FIT header, a header cut short, or a file in which not a
/// single data message could be read.
///
/// # Errors
/// [`FitError::Empty`], [`FitError::NotFit`], [`FitError::HeaderTruncated`] or
/// [`FitError::NoMessages`].
pub fn decode(bytes: &[u8]) -> Result<FitActivity, FitError> {
    decode_walk(Engine::new(bytes)?, bytes)
}

/// [`decode`], telling `watch` the byte position about every 64 KiB; when it returns
/// [`ControlFlow::Break`] (a time limit, a cancelled import) decoding stops with
/// [`FitError::Stopped`]. For progress within a large file and for stopping one that takes too long.
///
/// # Errors
/// As [`decode`], plus [`FitError::Stopped`].
pub fn decode_watched(bytes: &[u8], watch: &mut dyn FnMut(usize) -> ControlFlow<()>) -> Result<FitActivity, FitError> {
    decode_walk(Engine::watched(bytes, Some(watch))?, bytes)
}

fn decode_walk(mut eng: Engine<'_, '_>, bytes: &[u8]) -> Result<FitActivity, FitError> {
    let mut plans: [Plan; 16] = Default::default();
    let mut out = FitActivity::default();
    let mut csd = CompressedDistance::default();
    // Messages skipped by the caps, per kind (index: `Kind as usize`).
    let mut over_cap = [0usize; 13];
    loop {
        match eng.step() {
            Step::End => break,
            Step::FileStart => {
                for plan in &mut plans {
                    plan.kind = Kind::Skip;
                    plan.entries.clear();
                }
                csd = CompressedDistance::default();
            }
            Step::Definition { local } => {
                let def = &eng.defs[usize::from(local)];
                let plan = &mut plans[usize::from(local)];
                plan.entries.clear();
                plan.kind = kind_of(def.global);
                if plan.kind == Kind::Record && out.records.capacity() == 0 {
                    // Size the record buffer to the data once: at most one record per message of this size in
                    // the rest of the file. Growing by doubling would leave a 100,000-record file with room for
                    // 131,072 and copy every record along the way (about 24 MB touched instead of 17).
                    let left = bytes.len().saturating_sub(eng.position());
                    out.records.reserve_exact((left / (def.size + 1)).min(MAX_RECORDS));
                }
                if plan.kind != Kind::Skip {
                    for f in &def.fields {
                        if keeps(plan.kind, f.num) && f.base.fits(usize::from(f.size)) {
                            let slot = if plan.kind == Kind::Record { record_slot(f.num) } else { 0 };
                            plan.entries.push(Entry::new(f.offset, f.size, f.base, f.num, slot));
                        }
                    }
                }
            }
            Step::Data { local, start, timestamp: ts } => {
                let plan = &plans[usize::from(local)];
                if plan.kind == Kind::Skip {
                    eng.stats.skipped_messages += 1;
                    continue;
                }
                let def = &eng.defs[usize::from(local)];
                let Some(body) = bytes.get(start..start + def.size) else { continue };
                let m = Msg { body, be: def.big_endian };
                let en = plan.entries.as_slice();
                eng.stats.work_units += en.len() as u64;
                let kept = match plan.kind {
                    Kind::Record => out.records.len(),
                    Kind::Lap => out.laps.len(),
                    Kind::Session => out.sessions.len(),
                    Kind::Event => out.events.len(),
                    Kind::DeviceInfo => out.devices.len(),
                    Kind::WorkoutStep => out.workout_steps.len(),
                    Kind::DeveloperDataId => out.developer_data_ids.len(),
                    Kind::FieldDescription => out.developer_fields.len(),
                    _ => 0,
                };
                let cap = if plan.kind == Kind::Record { MAX_RECORDS } else { MAX_OTHER_MESSAGES };
                if kept >= cap {
                    over_cap[plan.kind as usize] += 1;
                    continue;
                }
                match plan.kind {
                    Kind::Record => out.records.push(build_record(m, bytes, start, en, ts, &mut csd)),
                    Kind::Lap => out.laps.push(lap(m, en, ts)),
                    Kind::Session => out.sessions.push(session(m, en, ts)),
                    Kind::Event => out.events.push(event(m, en, ts)),
                    Kind::DeviceInfo => out.devices.push(device_info(m, en, ts)),
                    Kind::Activity => out.activity = Some(activity(m, en, ts)),
                    Kind::FileId => {
                        if out.file_id.is_none() {
                            out.file_id = Some(file_id(m, en));
                        }
                    }
                    Kind::Sport => {
                        if out.sport.is_none() {
                            out.sport = Some(sport(m, en));
                        }
                    }
                    Kind::Workout => {
                        if out.workout.is_none() {
                            out.workout = Some(workout(m, en));
                        }
                    }
                    Kind::WorkoutStep => out.workout_steps.push(workout_step(m, en)),
                    Kind::DeveloperDataId => out.developer_data_ids.push(developer_data_id(m, en)),
                    Kind::FieldDescription => out.developer_fields.push(field_description(m, en)),
                    Kind::Skip => {}
                }
            }
        }
    }
    if eng.stopped {
        return Err(FitError::Stopped { at: eng.position() });
    }
    out.stats = eng.stats;
    out.warnings = eng.take_warnings();
    for (kind, name, kept) in [
        (Kind::Record, "record", MAX_RECORDS),
        (Kind::Lap, "lap", MAX_OTHER_MESSAGES),
        (Kind::Session, "session", MAX_OTHER_MESSAGES),
        (Kind::Event, "event", MAX_OTHER_MESSAGES),
        (Kind::DeviceInfo, "device_info", MAX_OTHER_MESSAGES),
        (Kind::WorkoutStep, "workout_step", MAX_OTHER_MESSAGES),
        (Kind::DeveloperDataId, "developer_data_id", MAX_OTHER_MESSAGES),
        (Kind::FieldDescription, "field_description", MAX_OTHER_MESSAGES),
    ] {
        let skipped = over_cap[kind as usize];
        if skipped > 0 {
            out.warnings.push(crate::Warning {
                offset: bytes.len(),
                kind: crate::WarningKind::TooManyMessages { kind: name, kept, skipped },
            });
        }
    }
    if out.stats.data_messages == 0 {
        let reason =
            out.warnings.first().map_or_else(|| "the file holds no data messages".to_string(), ToString::to_string);
        return Err(FitError::NoMessages { reason });
    }
    Ok(out)
}

/// Read and decode a FIT file from disk. See [`decode`].
///
/// # Errors
/// [`FitError::Io`] when the file cannot be read, otherwise as [`decode`].
pub fn decode_file(path: impl AsRef<std::path::Path>) -> Result<FitActivity, FitError> {
    let path = path.as_ref();
    let bytes = std::fs::read(path).map_err(|source| FitError::Io { path: path.display().to_string(), source })?;
    decode(&bytes)
}
