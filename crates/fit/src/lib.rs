//! runtall's FIT decoder.
//!
//! FIT is the binary format of Garmin, COROS, Suunto, Wahoo and most other watches and bike
//! computers. We wrote our own decoder instead of using an existing crate for two reasons,
//! both measured on our test corpus:
//!
//! - **Speed.** Importing a runner's history means thousands of files. fitparser 0.11 decodes
//!   about 6 MB/s and rustyfit 0.11 about 43 MB/s, because both decode every field of every
//!   message into dynamic values. We precompute, per local message type, a plan of only the
//!   fields runtall keeps and skip every other message by its size.
//! - **Salvage.** Watch files are often damaged: a battery dies mid-write (truncated file, no
//!   CRC), an app writes an undefined local message type, a copy adds trailing bytes. fitparser
//!   returns nothing for such files (and panics on some fuzzed inputs). We keep every message
//!   read before the damage, resume at a following FIT header when there is one, and report the
//!   damage as [`Warning`]s (byte offset + reason). CRC mismatches are warnings, not errors.
//!
//! The library never panics on input, never prints, and bounds its allocations by the input
//! size.
//!
//! Entry points: [`decode`] / [`decode_file`] give a typed [`FitActivity`]; [`visit_messages`]
//! and [`count_messages`] give raw access to every data message.
//!
//! ```no_run
//! let bytes = std::fs::read("run.fit")?;
//! let activity = runtall_fit::decode(&bytes)?;
//! for w in &activity.warnings {
//!     eprintln!("damaged file, kept what was readable: {w}");
//! }
//! for r in &activity.records {
//!     if let (Some(t), Some(hr)) = (r.timestamp_s, r.heart_rate_bpm) {
//!         println!("{t} {hr} bpm, {:?} steps/min", r.running_cadence_spm());
//!     }
//! }
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! Units: every field name carries its unit (`_s`, `_m`, `_mps`, `_deg`, `_bpm`, `_rpm`, `_w`,
//! `_c`, `_mm`, `_ms`); times are Unix seconds; see [`Record`] for the
//! cadence convention (stored strides/min, doubled only by [`Record::running_cadence_spm`]).
//!
//! Memory: output grows with the number of messages kept, and at most [`MAX_RECORDS`] records and
//! [`MAX_OTHER_MESSAGES`] messages of each other kind are kept (a one-byte record decodes to 184
//! bytes, so a crafted file of them would otherwise grow 180-fold); nothing is preallocated from
//! sizes the file declares. Time is linear in the input on every path (see `tests/linear_work.rs`).

#![warn(missing_docs)]

mod base;
mod crc;
mod decode;
mod engine;
mod error;
mod model;
#[allow(missing_docs)]
pub mod profile;
mod raw;

pub use base::BaseType;
pub use crc::{crc16, crc16_update};
pub use decode::{MAX_OTHER_MESSAGES, MAX_RECORDS, decode, decode_file, decode_watched};
pub use engine::FIT_EPOCH_UNIX_S;
pub use error::{FitError, Warning, WarningKind};
pub use model::*;
pub use raw::{MessageCounts, RawDeveloperField, RawField, RawMessage, ScanSummary, count_messages, visit_messages};
