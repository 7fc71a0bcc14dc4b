//! Converting between columns and values: timestamps, enum names, JSON documents, with the error variants that say
//! which record failed. Shared by every store implementation, so the SQLite and PostgreSQL stores write the same
//! text and a journal moves between them unchanged.

use crate::{Result, StoreError};
use jiff::Timestamp;
use runtall_domain::activity::Sport;
use serde::Serialize;
use serde::de::DeserializeOwned;

pub fn ts(t: Timestamp) -> String {
    t.to_string()
}

/// A timestamp column of record `what` #`id`.
pub fn parse_ts(text: &str, what: &'static str, id: i64) -> Result<Timestamp> {
    text.parse().map_err(|e: jiff::Error| StoreError::Decode { what, id, detail: e.to_string() })
}

/// The kebab-case name serde gives an enum value, for the indexed text columns.
pub fn enum_name<T: Serialize>(v: &T) -> String {
    serde_json::to_value(v).ok().and_then(|j| j.as_str().map(str::to_string)).unwrap_or_default()
}

pub fn from_name<T: DeserializeOwned>(name: &str) -> Option<T> {
    serde_json::from_value(serde_json::Value::String(name.to_string())).ok()
}

/// A record as the JSON document the store keeps.
pub fn encode<T: Serialize + ?Sized>(what: &'static str, value: &T) -> Result<String> {
    serde_json::to_string(value).map_err(|e| StoreError::Encode { what, detail: e.to_string() })
}

/// A stored JSON document of record `what` #`id`.
pub fn decode<T: DeserializeOwned>(what: &'static str, id: i64, json: &str) -> Result<T> {
    serde_json::from_str(json).map_err(|e| StoreError::Decode { what, id, detail: e.to_string() })
}

/// How long before a new activity's start a stored one may have started and still overlap it, seconds: longer than
/// any single recording, short enough to stay on the start index.
pub const OVERLAP_LOOKBACK_S: i64 = 2 * 86_400;

/// The sports [`Sport::is_run`] accepts, for filtering on the `sport` column.
pub const RUN_SPORTS: [Sport; 4] = [Sport::Running, Sport::TrailRunning, Sport::TreadmillRunning, Sport::TrackRunning];

/// A timestamp as microseconds since the epoch, for columns that sort and compare times (jiff's whole range fits
/// an `i64` of microseconds; text timestamps of varying precision would not sort).
pub fn micros(t: Timestamp) -> i64 {
    t.as_microsecond()
}

/// The timestamp of a microseconds column of record `what` #`id`.
pub fn from_micros(us: i64, what: &'static str, id: i64) -> Result<Timestamp> {
    Timestamp::from_microsecond(us).map_err(|e| StoreError::Decode { what, id, detail: e.to_string() })
}

/// The indexed columns of what a comment is about: its kind and the run key or week.
pub fn comment_target(on: &runtall_domain::clinic::CommentOn) -> (&'static str, String) {
    match on {
        runtall_domain::clinic::CommentOn::Run { run } => ("run", run.clone()),
        runtall_domain::clinic::CommentOn::Report { week } => ("report", week.to_string()),
    }
}

/// A clinician record's own check, as the store's error.
pub fn checked(result: std::result::Result<(), runtall_domain::clinic::ClinicError>) -> Result<()> {
    result.map_err(|e| StoreError::Invalid(e.to_string()))
}
