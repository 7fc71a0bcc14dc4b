//! The command line's error type: user errors exit 1, internal errors exit 2.

use runtall_domain::InputError;
use runtall_domain::plan::PlanError;
use runtall_store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum CliError {
    /// Something the runner can fix: bad input, a missing step, a locked program.
    #[error("{0}")]
    User(String),
    /// The command did part of its job (an import that stored some files and refused others); the output said
    /// what. Exit code 3.
    #[error("{0}")]
    Partial(String),
    /// A bug or an environment failure the runner cannot fix from the command line.
    #[error("internal error: {0:#}")]
    Internal(#[from] anyhow::Error),
}

impl CliError {
    pub fn user(msg: impl Into<String>) -> Self {
        CliError::User(msg.into())
    }

    pub fn exit_code(&self) -> u8 {
        match self {
            CliError::User(_) => 1,
            CliError::Internal(_) => 2,
            CliError::Partial(_) => 3,
        }
    }
}

impl From<InputError> for CliError {
    fn from(e: InputError) -> Self {
        CliError::User(e.to_string())
    }
}

impl From<PlanError> for CliError {
    fn from(e: PlanError) -> Self {
        CliError::User(e.to_string())
    }
}

impl From<StoreError> for CliError {
    fn from(e: StoreError) -> Self {
        match e {
            // The store says what is wrong; the command line adds what to do about it here.
            StoreError::Corrupt { .. } => CliError::User(format!("{e}. Move it aside or pass another file with --db")),
            StoreError::Locked { .. } => CliError::User(format!("{e} (is another runtall using this file?)")),
            StoreError::DiskFull { .. }
            | StoreError::Journal(_)
            | StoreError::Open { .. }
            | StoreError::TooNew { .. }
            | StoreError::NotFound { .. }
            | StoreError::Invalid(_)
            | StoreError::Exists { .. } => CliError::User(e.to_string()),
            StoreError::Encode { .. } | StoreError::Decode { .. } | StoreError::Sql(_) => {
                CliError::Internal(anyhow::Error::new(e))
            }
        }
    }
}

impl From<std::io::Error> for CliError {
    fn from(e: std::io::Error) -> Self {
        CliError::Internal(anyhow::Error::new(e))
    }
}

impl From<inquire::InquireError> for CliError {
    fn from(e: inquire::InquireError) -> Self {
        match e {
            inquire::InquireError::OperationCanceled | inquire::InquireError::OperationInterrupted => {
                CliError::user("cancelled; nothing was saved")
            }
            inquire::InquireError::NotTTY => {
                CliError::user("no terminal to ask questions on: pass --answers FILE (see docs/answers.md)")
            }
            other => CliError::Internal(anyhow::Error::new(other)),
        }
    }
}

pub type CliResult<T = ()> = Result<T, CliError>;

impl From<runtall_app::AppError> for CliError {
    fn from(e: runtall_app::AppError) -> Self {
        match e {
            runtall_app::AppError::Store(e) => e.into(),
            e if e.is_user_error() => CliError::User(e.to_string()),
            e => CliError::Internal(anyhow::Error::new(e)),
        }
    }
}
