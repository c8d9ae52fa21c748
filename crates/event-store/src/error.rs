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
    #[error("event {index} has a malformed tag {tag:?}: {rule}")]
    InvalidTag {
        index: usize,
        tag: String,
        rule: &'static str,
    },
    #[error("event {index} has {count} tags, over the limit of {max}")]
    TooManyTags {
        index: usize,
        count: usize,
        max: usize,
    },
    #[error("condition {index} is malformed: {rule}")]
    InvalidCondition { index: usize, rule: &'static str },
    /// A concurrent decision: an event matching condition `index`'s query was written at
    /// `position`, at or after the condition's `from_position`, so the facts the append was decided
    /// on are stale. Like a stream conflict, deciding again on fresh facts may succeed.
    #[error("condition {index} is violated: the event at position {position} matches its query")]
    ConditionViolated { index: usize, position: u64 },
    /// A concurrent decision on a fact read by id: stream condition `index` names a stream read at
    /// version `read` that is at `actual` now. Deciding again on fresh facts may succeed.
    #[error("stream {stream_id} was read at version {read} and is at {actual} now")]
    StreamMoved {
        index: usize,
        stream_id: String,
        read: u64,
        actual: u64,
    },
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
    /// A tag query that breaks the grammar (`limits::check_tag_query`): the caller's bug.
    #[error("malformed tag query: {0}")]
    InvalidQuery(&'static str),
    #[error("injected fault: {0}")]
    Injected(String),
    /// The database could not be reached for a group this request was part of.
    #[error("the database is unreachable: {0}")]
    Unreachable(String),
}

impl StoreError {
    /// Whether the failure is likely to pass if the same request is retried later.
    pub fn is_transient(&self) -> bool {
        match self {
            StoreError::Database(error) => is_transient_database_error(error),
            StoreError::Closed | StoreError::Injected(_) | StoreError::Unreachable(_) => true,
            StoreError::Migrate(_)
            | StoreError::UnsupportedUrl(_)
            | StoreError::Corrupt(_)
            | StoreError::InvalidQuery(_) => false,
        }
    }
}

/// Failures of the connection, the pool or the server's state pass; errors about the data or the
/// query (decode errors, constraint violations, bad SQL) do not.
fn is_transient_database_error(error: &sqlx::Error) -> bool {
    match error {
        sqlx::Error::Io(_)
        | sqlx::Error::Tls(_)
        | sqlx::Error::Protocol(_)
        | sqlx::Error::PoolTimedOut
        | sqlx::Error::PoolClosed
        | sqlx::Error::WorkerCrashed => true,
        sqlx::Error::Database(database) => database
            .code()
            .is_some_and(|code| is_transient_sqlstate(&code)),
        _ => false,
    }
}

/// PostgreSQL SQLSTATE classes 08 (connection), 53 (insufficient resources), 57 (operator
/// intervention: shutdown, cancel, `statement_timeout`), 58 (system I/O), 40 (serialization failure,
/// deadlock) and 55P03 (lock not available); SQLite's BUSY (5), LOCKED (6), IOERR (10) and FULL (13)
/// primary result codes, reported as numbers (extended codes carry the primary code in their low byte).
pub(crate) fn is_transient_sqlstate(code: &str) -> bool {
    // A SQLSTATE is five characters; SQLite result codes are shorter decimal numbers.
    if code.len() != 5
        && let Ok(number) = code.parse::<u32>()
    {
        return matches!(number & 0xff, 5 | 6 | 10 | 13);
    }
    ["08", "53", "57", "58", "40"]
        .iter()
        .any(|class| code.starts_with(class))
        || code == "55P03"
}

pub(crate) fn corrupt(what: impl Into<String>) -> StoreError {
    StoreError::Corrupt(what.into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn connection_and_shutdown_states_are_transient_and_data_errors_are_not() {
        for code in [
            "08006", "57P01", "57P03", "57014", "53300", "40001", "40P01", "55P03", "5", "517",
            "6", "10",
        ] {
            assert!(is_transient_sqlstate(code), "{code}");
        }
        for code in ["23505", "22P02", "42601", "22021", "19", "2067"] {
            assert!(!is_transient_sqlstate(code), "{code}");
        }
        assert!(StoreError::Database(sqlx::Error::PoolTimedOut).is_transient());
        assert!(!StoreError::Database(sqlx::Error::RowNotFound).is_transient());
        assert!(!StoreError::Corrupt("x".into()).is_transient());
    }
}
