//! What the CLI and the web app both do with a stored journal: observations for the statistics engine, the running
//! self-experiment, and progress against the baseline. Kept in one crate so the two front ends cannot drift apart;
//! it does I/O only through the [`Store`](runtall_store::Store) trait (and opens the local store for both, see
//! [`open_local`]) and takes "today" as an argument.

pub mod assessment;
pub mod breaks;
pub mod clinic;
pub mod completion;
pub mod doses;
mod error;
pub mod experiments;
pub mod import;
pub mod journal;
pub mod journal_file;
mod journal_others;
mod local;
pub mod observations;
pub mod plan;
pub mod posture;
pub mod profile;
pub mod progress;
pub mod pt_report;
pub mod run_defaults;
pub mod run_link;
pub mod safety;
pub mod screen;
pub mod sessions;
pub mod sync;

pub use error::AppError;
pub use local::{
    LocalStore, connect_clinic_postgres, connect_local, migrate_clinic_postgres, open_clinic, open_clinic_settled,
    open_local,
};
pub use observations::{observations, report};

pub type Result<T, E = AppError> = std::result::Result<T, E>;
