//! Converting between columns and values, as the SQLite store does (`runtall_store`'s `sqlite/rows.rs`), so both
//! stores write the same text: timestamps, enum names, JSON documents, with the error variants that say which
//! record failed.

use jiff::Timestamp;
use runtall_store::{Result, StoreError};
use serde::Serialize;
use serde::de::DeserializeOwned;

pub(crate) fn ts(t: Timestamp) -> String {
    t.to_string()
}

/// A timestamp column of record `what` #`id`.
pub(crate) fn parse_ts(text: &str, what: &'static str, id: i64) -> Result<Timestamp> {
    text.parse().map_err(|e: jiff::Error| StoreError::Decode { what, id, detail: e.to_string() })
}

/// The kebab-case name serde gives an enum value, for the indexed text columns.
pub(crate) fn enum_name<T: Serialize>(v: &T) -> String {
    serde_json::to_value(v).ok().and_then(|j| j.as_str().map(str::to_string)).unwrap_or_default()
}

pub(crate) fn from_name<T: DeserializeOwned>(name: &str) -> Option<T> {
    serde_json::from_value(serde_json::Value::String(name.to_string())).ok()
}

/// A record as the JSON document the store keeps.
pub(crate) fn encode<T: Serialize + ?Sized>(what: &'static str, value: &T) -> Result<String> {
    serde_json::to_string(value).map_err(|e| StoreError::Encode { what, detail: e.to_string() })
}

/// A stored JSON document of record `what` #`id`.
pub(crate) fn decode<T: DeserializeOwned>(what: &'static str, id: i64, json: &str) -> Result<T> {
    serde_json::from_str(json).map_err(|e| StoreError::Decode { what, id, detail: e.to_string() })
}
