//! What the CLI and the web app both do with a stored journal: observations for the statistics engine, the running
//! self-experiment, and progress against the baseline. Kept in one crate so the two front ends cannot drift apart;
//! it does I/O only through the [`Store`](runtall_store::Store) trait and takes "today" as an argument.

pub mod assessment;
pub mod completion;
mod error;
pub mod experiments;
pub mod import;
pub mod observations;
pub mod plan;
pub mod posture;
pub mod progress;
pub mod pt_report;
pub mod safety;
pub mod screen;
pub mod sessions;

pub use error::AppError;
pub use observations::{observations, report};

pub type Result<T, E = AppError> = std::result::Result<T, E>;
