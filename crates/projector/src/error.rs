//! The projector's errors.

use crate::projection::ProjectionError;

/// Why the projector, or one of its operations, failed.
#[derive(Debug, thiserror::Error)]
pub enum ProjectorError {
    #[error("read-model database error")]
    Database(#[from] sqlx::Error),
    #[error("event store error")]
    Store(#[from] event_store::StoreError),
    /// A projection error the runner treats as transient (a lost connection, say); it retries.
    #[error("projection could not apply a batch")]
    Apply(#[from] ProjectionError),
    #[error("projection name {0:?} is not lowercase ascii letters, digits and `_`")]
    InvalidName(String),
    #[error("projection {0} is registered twice")]
    Duplicate(String),
    #[error("no projection named {0} is registered")]
    Unknown(String),
    #[error("projection {0} is already being rebuilt")]
    AlreadyRebuilding(String),
    #[error("projection {name} creates table {table:?} outside its prefix {prefix}")]
    Schema {
        name: String,
        prefix: String,
        table: String,
    },
    #[error("unsupported database url {0:?}: expected sqlite:… or postgres://…")]
    UnsupportedUrl(String),
    #[error("stored bookkeeping is inconsistent: {0}")]
    Corrupt(String),
}

/// Why [`crate::Projector::wait_for`] returned without reaching the position.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WaitError {
    /// The deadline passed; `reached` is the active generation's checkpoint at that moment.
    #[error("timed out with the read model at position {reached}")]
    Timeout { reached: u64 },
    #[error("no projection named {0} is registered")]
    Unknown(String),
}

/// An error and its sources as one line, for statuses and the checkpoint table.
pub(crate) fn error_chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

/// A stored integer as a position or counter; negative values mean the row was tampered with.
pub(crate) fn to_u64(value: i64, what: &str) -> Result<u64, ProjectorError> {
    u64::try_from(value).map_err(|_| ProjectorError::Corrupt(format!("{what} is {value}")))
}

/// A stored integer as a version or generation number.
pub(crate) fn to_u32(value: i64, what: &str) -> Result<u32, ProjectorError> {
    u32::try_from(value).map_err(|_| ProjectorError::Corrupt(format!("{what} is {value}")))
}

/// A position as a SQL `BIGINT`. Log positions are far below `i64::MAX`; saturating keeps this
/// total without a panic path.
pub(crate) fn to_i64(value: u64) -> i64 {
    i64::try_from(value).unwrap_or(i64::MAX)
}
