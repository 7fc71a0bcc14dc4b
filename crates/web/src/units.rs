//! Distances, paces and durations in the runner's units: the domain's one set of formatters
//! (`runtall_domain::units`), the same the CLI prints.

pub use runtall_domain::units::{distance, duration, from_km, pace, pace_seconds, pace_text, to_km, unit_name};
