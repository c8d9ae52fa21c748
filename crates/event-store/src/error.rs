//! Typed errors of the store.
//!
//! [`AppendError`] says why one append was refused; every refusal writes nothing. [`StoreError`] is an
//! infrastructure failure that the caller cannot fix by changing the request.

use crate::model::ExpectedVersion;

/// Why an append was refused. Nothing of a refused append is ever written.
#[derive(Debug, thiserror::Error)]
pub enum AppendError {
    #[error("an append must carry at least one event")]
    EmptyBatch,
    #[error("an append may carry at most {max} events, got {count}")]
    TooManyEvents { count: usize, max: usize },
    #[error("stream id {stream_id:?} is malformed: {rule}")]
    InvalidStreamId {
        stream_id: String,
        rule: &'static str,
    },
    #[error("event {index} has a malformed event type {event_type:?}: {rule}")]
    InvalidEventType {
        index: usize,
        event_type: String,
        rule: &'static str,
    },
    #[error("event {index} has schema version 0; schema versions start at 1")]
    InvalidSchemaVersion { index: usize },
    #[error("event {index} has a payload of {size} bytes, over the limit of {max}")]
    PayloadTooLarge {
        index: usize,
        size: usize,
        max: usize,
    },
    #[error("event {index} has a business time that ends before it starts")]
    InvalidBusinessTime { index: usize },
    #[error("request id is malformed: {rule}")]
    InvalidRequestId { rule: &'static str },
    #[error("metadata field {field} is malformed: {rule}")]
    InvalidMetadata {
        field: &'static str,
        rule: &'static str,
    },
    #[error("stream {stream_id} is at version {actual}, but the append expected {expected:?}")]
    WrongExpectedVersion {
        stream_id: String,
        expected: ExpectedVersion,
        actual: u64,
    },
    #[error("request id {request_id} was already used for a different append")]
    RequestIdReused { request_id: String },
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// An infrastructure failure: the database, the writer task, or stored data that fails its checks.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database error")]
    Database(#[from] sqlx::Error),
    #[error("database migration failed")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("the store is closed")]
    Closed,
    #[error("unsupported database url {0:?}: expected sqlite:… or postgres://…")]
    UnsupportedUrl(String),
    #[error("stored data is inconsistent: {0}")]
    Corrupt(String),
    #[error("injected fault: {0}")]
    Injected(String),
}

impl StoreError {
    /// Whether the failure is likely to pass if the same request is retried later.
    pub fn is_transient(&self) -> bool {
        match self {
            StoreError::Database(error) => !matches!(error, sqlx::Error::Database(_)),
            StoreError::Closed | StoreError::Injected(_) => true,
            StoreError::Migrate(_) | StoreError::UnsupportedUrl(_) | StoreError::Corrupt(_) => {
                false
            }
        }
    }
}

pub(crate) fn corrupt(what: impl Into<String>) -> StoreError {
    StoreError::Corrupt(what.into())
}
