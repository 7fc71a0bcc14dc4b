//! Low-level access: every data message with its global number and raw fields.
//!
//! This is for callers that need messages the typed decoder does not keep, and for the
//! benchmark, which counts messages the same way for every decoder. It walks the file with the
//! same engine as [`crate::decode`] (same CRC checks, chaining and salvage) and hands each data
//! message to a closure without allocating.

use std::collections::BTreeMap;

use crate::base::{BaseType, read_f64, read_int, read_string};
use crate::engine::{DevFieldDef, Engine, FieldDef, Step};
use crate::error::{FitError, Warning};
use crate::model::{DecodeStats, fit_time_to_unix_s};

/// One data message, borrowed from the input.
#[derive(Debug, Clone, Copy)]
pub struct RawMessage<'a> {
    global: u16,
    local: u8,
    offset: usize,
    timestamp: Option<u32>,
    big_endian: bool,
    fields: &'a [FieldDef],
    dev_fields: &'a [DevFieldDef],
    body: &'a [u8],
}

impl<'a> RawMessage<'a> {
    /// Global message number (20 = record, 19 = lap, ...; see [`crate::profile::mesg`]).
    #[must_use]
    pub fn global(&self) -> u16 {
        self.global
    }

    /// Local message type (0..=15) the message used.
    #[must_use]
    pub fn local(&self) -> u8 {
        self.local
    }

    /// Byte offset of the message's record header in the input.
    #[must_use]
    pub fn offset(&self) -> usize {
        self.offset
    }

    /// Message time in Unix seconds: the `timestamp` field (253), or the time implied by a
    /// compressed-timestamp header.
    #[must_use]
    pub fn timestamp_s(&self) -> Option<i64> {
        self.timestamp.map(fit_time_to_unix_s)
    }

    /// Whether multi-byte values are big endian.
    #[must_use]
    pub fn big_endian(&self) -> bool {
        self.big_endian
    }

    /// The message body (all field bytes, developer fields last).
    #[must_use]
    pub fn body(&self) -> &'a [u8] {
        self.body
    }

    /// The profile fields, in definition order.
    pub fn fields(&self) -> impl Iterator<Item = RawField<'a>> + 'a {
        let body = self.body;
        let be = self.big_endian;
        self.fields.iter().map(move |f| RawField {
            num: f.num,
            base_type: f.base,
            bytes: field_bytes(body, f.offset, f.size),
            big_endian: be,
        })
    }

    /// The first field numbered `num`, if the message has one.
    #[must_use]
    pub fn field(&self, num: u8) -> Option<RawField<'a>> {
        self.fields().find(|f| f.num == num)
    }

    /// The developer fields, in definition order (values undecoded: their types come from
    /// `field_description` messages).
    pub fn developer_fields(&self) -> impl Iterator<Item = RawDeveloperField<'a>> + 'a {
        let body = self.body;
        self.dev_fields.iter().map(move |f| RawDeveloperField {
            num: f.num,
            developer_data_index: f.dev_index,
            bytes: field_bytes(body, f.offset, f.size),
        })
    }
}

fn field_bytes(body: &[u8], offset: u32, size: u8) -> &[u8] {
    let start = offset as usize;
    body.get(start..start + usize::from(size)).unwrap_or(&[])
}

/// One profile field of a [`RawMessage`].
#[derive(Debug, Clone, Copy)]
pub struct RawField<'a> {
    /// Field definition number.
    pub num: u8,
    /// Declared base type.
    pub base_type: BaseType,
    /// The field's bytes.
    pub bytes: &'a [u8],
    /// Whether multi-byte values are big endian.
    pub big_endian: bool,
}

impl RawField<'_> {
    /// Whether the size is a whole number of base-type elements (otherwise values are `None`).
    #[must_use]
    pub fn is_well_formed(&self) -> bool {
        self.base_type.fits(self.bytes.len())
    }

    /// Number of elements (1 for scalars, more for arrays; 0 when malformed).
    #[must_use]
    pub fn len(&self) -> usize {
        if self.is_well_formed() { self.bytes.len() / self.base_type.size() } else { 0 }
    }

    /// Whether the field has no readable element.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The first element as an integer (`None` when invalid or malformed). Raw: no scale or offset.
    #[must_use]
    pub fn as_i64(&self) -> Option<i64> {
        if !self.is_well_formed() {
            return None;
        }
        read_int(self.bytes, self.base_type, self.big_endian)
    }

    /// The first element as a float (`None` when invalid or malformed). Raw: no scale or offset.
    #[must_use]
    pub fn as_f64(&self) -> Option<f64> {
        if !self.is_well_formed() {
            return None;
        }
        read_f64(self.bytes, self.base_type, self.big_endian)
    }

    /// Element `i` of an array field as an integer.
    #[must_use]
    pub fn element_i64(&self, i: usize) -> Option<i64> {
        if !self.is_well_formed() {
            return None;
        }
        let n = self.base_type.size();
        let b = self.bytes.get(i * n..(i + 1) * n)?;
        read_int(b, self.base_type, self.big_endian)
    }

    /// The field as a string (up to the first NUL).
    #[must_use]
    pub fn as_string(&self) -> Option<String> {
        read_string(self.bytes)
    }
}

/// One developer field of a [`RawMessage`].
#[derive(Debug, Clone, Copy)]
pub struct RawDeveloperField<'a> {
    /// Field number within the developer's application.
    pub num: u8,
    /// Which developer (`developer_data_id`) defined it.
    pub developer_data_index: u8,
    /// The field's bytes.
    pub bytes: &'a [u8],
}

/// What a raw walk found besides the messages.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ScanSummary {
    /// Counters (`skipped_messages` stays 0: the raw walk skips nothing).
    pub stats: DecodeStats,
    /// Damage found and recovered from.
    pub warnings: Vec<Warning>,
}

/// Call `f` for every data message of `bytes`, in file order (chained files included).
///
/// # Errors
/// The same as [`crate::decode`], except that a file with no data messages is not an error here.
pub fn visit_messages<F>(bytes: &[u8], mut f: F) -> Result<ScanSummary, FitError>
where
    F: FnMut(&RawMessage<'_>),
{
    let mut eng = Engine::new(bytes)?;
    loop {
        match eng.step() {
            Step::End => break,
            Step::FileStart | Step::Definition { .. } => {}
            Step::Data { local, start, timestamp } => {
                let def = &eng.defs[usize::from(local)];
                let Some(body) = bytes.get(start..start + def.size) else { continue };
                let msg = RawMessage {
                    global: def.global,
                    local,
                    offset: start - 1,
                    timestamp,
                    big_endian: def.big_endian,
                    fields: &def.fields,
                    dev_fields: &def.dev_fields,
                    body,
                };
                f(&msg);
            }
        }
    }
    Ok(ScanSummary { stats: eng.stats, warnings: eng.take_warnings() })
}

/// Data-message counts by global message number.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct MessageCounts {
    /// Count per global message number.
    pub by_global: BTreeMap<u16, usize>,
    /// Counters and warnings of the walk.
    pub summary: ScanSummary,
}

impl MessageCounts {
    /// Data messages with this global number.
    #[must_use]
    pub fn count(&self, global: u16) -> usize {
        self.by_global.get(&global).copied().unwrap_or(0)
    }
}

/// Count data messages by global number (walks the file without decoding any field).
///
/// # Errors
/// As [`visit_messages`].
pub fn count_messages(bytes: &[u8]) -> Result<MessageCounts, FitError> {
    let mut small = [0usize; 256];
    let mut by_global = BTreeMap::new();
    let summary = visit_messages(bytes, |m| match small.get_mut(usize::from(m.global())) {
        Some(c) => *c += 1,
        None => *by_global.entry(m.global()).or_insert(0) += 1,
    })?;
    for (g, &c) in small.iter().enumerate() {
        if c > 0 {
            // g < 256 by construction.
            by_global.insert(g as u16, c);
        }
    }
    Ok(MessageCounts { by_global, summary })
}
