//! One error type for the shared use cases; each front end maps it to its own (exit codes, HTTP statuses).

use runtall_insights::InsightsError;
use runtall_store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The engine refused a value (out of range, before the start, …); the message names the field.
    #[error("{0}")]
    Insights(#[from] InsightsError),
    /// Something the runner asked for that does not fit the current state ("no experiment running").
    #[error("{0}")]
    State(String),
    /// A value the runner supplied is unusable (a landmark file, a date); the message names the field.
    #[error("{0}")]
    Input(#[from] runtall_domain::InputError),
    /// A kept posture photo could not be written or removed (disk full, permissions).
    #[error("posture photo: {0}")]
    Photo(String),
    /// A stored experiment no longer decodes: a bug or a hand-edited database, never the runner's input.
    #[error("stored experiment #{id} cannot be read: {source}")]
    Corrupt { id: i64, source: serde_json::Error },
}

impl AppError {
    /// Errors the runner can act on (as opposed to bugs or a broken environment).
    pub fn is_user_error(&self) -> bool {
        match self {
            AppError::Store(e) => {
                !matches!(e, StoreError::Encode { .. } | StoreError::Decode { .. } | StoreError::Sql(_))
            }
            AppError::Insights(_) | AppError::State(_) | AppError::Input(_) => true,
            AppError::Corrupt { .. } | AppError::Photo(_) => false,
        }
    }
}
