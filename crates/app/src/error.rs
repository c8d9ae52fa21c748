//! The one transport-agnostic error of every use case.
//!
//! The server maps each variant to one gRPC status code; [`Error::reason`] is the
//! `google.rpc.ErrorInfo.reason` (a value name of `medaid.v1.ErrorReason` in
//! `proto/medaid/v1/errors.proto`) and [`Error::metadata`] carries every dynamic value of the message.

use domain::DomainError;
use event_store::{AppendError, StoreError};

/// Why a use case failed. Nothing is written when a command fails.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The request itself is malformed (INVALID_ARGUMENT). `field` is a path in the request.
    #[error("{message}")]
    InvalidArgument {
        field: String,
        reason: &'static str,
        message: String,
    },
    /// A domain rule refused the command (FAILED_PRECONDITION); `reason` is [`DomainError::reason`].
    #[error("{message}")]
    FailedPrecondition {
        reason: &'static str,
        message: String,
        /// The subject of the broken rule, such as `("stream_id", "pairing-…")`.
        facts: Vec<(String, String)>,
    },
    /// The stream is not at the version the caller expected (ABORTED): reload and decide again.
    #[error("stream {stream_id} is at version {actual}, but the request expected {expected}")]
    Conflict {
        stream_id: String,
        expected: u64,
        actual: u64,
    },
    /// The request id was already used for a different write (INVALID_ARGUMENT).
    #[error("request id {request_id} was already used for a different write")]
    RequestIdReused { request_id: String },
    /// Nothing there, or nothing the caller may see (NOT_FOUND). `reason` says what kind of thing,
    /// such as `EVENT_NOT_FOUND` or `AGREEMENT_NOT_FOUND`.
    #[error("{what} not found")]
    NotFound { reason: &'static str, what: String },
    /// A position past the head of the log (OUT_OF_RANGE).
    #[error("position {position} is beyond the head of the log ({head})")]
    OutOfRange { position: u64, head: u64 },
    /// No verified caller (UNAUTHENTICATED). The server raises it before calling a use case.
    #[error("the request carries no valid credentials")]
    Unauthenticated,
    /// The caller's role or scope does not allow this (PERMISSION_DENIED); `missing` names what lacks.
    #[error("{message}")]
    PermissionDenied {
        message: String,
        /// `("missing_role", "recorder")`, `("missing_province", "62")`, `("missing_organisation", code)`.
        missing: Vec<(String, String)>,
    },
    /// A read model has not yet reached the position the caller asked for within the wait
    /// (UNAVAILABLE): the answer would not show the caller's own write yet, so retry shortly.
    #[error("read model {projection} is at position {reached}, short of the requested {wanted}")]
    ProjectionBehind {
        projection: String,
        reached: u64,
        wanted: u64,
    },
    /// This server runs no projector, so it has no read models to answer from (UNAVAILABLE).
    #[error("the read models are not available on this server")]
    ReadModelsUnavailable,
    /// The store is down, closed or shutting down (UNAVAILABLE): retry with backoff.
    #[error("the event store is unavailable")]
    Unavailable {
        #[source]
        source: StoreError,
    },
    /// A bug or corrupt data (INTERNAL). Log the source; never show it to clients.
    #[error("internal error")]
    Internal {
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
}

impl Error {
    /// The `medaid.v1.ErrorReason` value name for this error.
    pub fn reason(&self) -> &'static str {
        match self {
            Error::InvalidArgument { reason, .. } | Error::FailedPrecondition { reason, .. } => {
                reason
            }
            Error::Conflict { .. } => "STREAM_VERSION_CONFLICT",
            Error::RequestIdReused { .. } => "REQUEST_ID_REUSED",
            Error::NotFound { reason, .. } => reason,
            Error::ProjectionBehind { .. } => "PROJECTION_BEHIND",
            Error::ReadModelsUnavailable => "READ_MODELS_UNAVAILABLE",
            Error::OutOfRange { .. } => "POSITION_OUT_OF_RANGE",
            Error::Unauthenticated => "UNAUTHENTICATED",
            Error::PermissionDenied { .. } => "PERMISSION_DENIED",
            Error::Unavailable { .. } => "UNAVAILABLE",
            Error::Internal { .. } => "INTERNAL",
        }
    }

    /// The dynamic values of the message, as `ErrorInfo.metadata` entries.
    ///
    /// Internal errors expose nothing: their source is for the server's log only.
    pub fn metadata(&self) -> Vec<(String, String)> {
        let pair = |k: &str, v: String| (k.to_owned(), v);
        match self {
            Error::InvalidArgument { field, .. } => vec![pair("field", field.clone())],
            Error::FailedPrecondition { facts, .. } => facts.clone(),
            Error::Conflict {
                stream_id,
                expected,
                actual,
            } => vec![
                pair("stream_id", stream_id.clone()),
                pair("expected", expected.to_string()),
                pair("actual", actual.to_string()),
            ],
            Error::RequestIdReused { request_id } => vec![pair("request_id", request_id.clone())],
            Error::NotFound { what, .. } => vec![pair("what", what.clone())],
            Error::ProjectionBehind {
                projection,
                reached,
                wanted,
            } => vec![
                pair("projection", projection.clone()),
                pair("reached", reached.to_string()),
                pair("wanted", wanted.to_string()),
            ],
            Error::OutOfRange { position, head } => vec![
                pair("position", position.to_string()),
                pair("head_position", head.to_string()),
            ],
            Error::PermissionDenied { missing, .. } => missing.clone(),
            Error::Unauthenticated
            | Error::ReadModelsUnavailable
            | Error::Unavailable { .. }
            | Error::Internal { .. } => Vec::new(),
        }
    }

    /// Whether the client should retry the same request later (only UNAVAILABLE, AIP-194).
    pub fn is_retryable(&self) -> bool {
        matches!(
            self,
            Error::Unavailable { .. }
                | Error::ProjectionBehind { .. }
                | Error::ReadModelsUnavailable
        )
    }

    pub(crate) fn internal(source: impl Into<Box<dyn std::error::Error + Send + Sync>>) -> Error {
        Error::Internal {
            source: source.into(),
        }
    }

    /// A domain refusal on `stream_id`: value errors are bad arguments, the rest broken rules.
    pub(crate) fn from_domain(error: &DomainError, stream_id: &str) -> Error {
        match error.field() {
            Some(field) => Error::InvalidArgument {
                field: field.to_owned(),
                reason: error.reason(),
                message: error.to_string(),
            },
            None => Error::FailedPrecondition {
                reason: error.reason(),
                message: error.to_string(),
                facts: vec![("stream_id".to_owned(), stream_id.to_owned())],
            },
        }
    }
}

impl From<StoreError> for Error {
    fn from(source: StoreError) -> Error {
        // Only failures a later retry can fix are UNAVAILABLE; corrupt data or a bad URL is a bug.
        if source.is_transient() {
            Error::Unavailable { source }
        } else {
            Error::internal(source)
        }
    }
}

impl From<AppendError> for Error {
    /// Maps an append refusal. `WrongExpectedVersion` is handled by the retry loop before this.
    fn from(error: AppendError) -> Error {
        match error {
            AppendError::WrongExpectedVersion {
                stream_id,
                expected,
                actual,
            } => Error::Conflict {
                stream_id,
                expected: match expected {
                    event_store::ExpectedVersion::Exact(v) => v,
                    event_store::ExpectedVersion::NoStream | event_store::ExpectedVersion::Any => 0,
                },
                actual,
            },
            AppendError::RequestIdReused { request_id } => Error::RequestIdReused { request_id },
            AppendError::InvalidRequestId { rule } => Error::InvalidArgument {
                field: "request_id".to_owned(),
                reason: "INVALID_FIELD",
                message: format!("request id is malformed: {rule}"),
            },
            AppendError::InvalidMetadata { field, rule } => Error::InvalidArgument {
                field: format!("record_context.{field}"),
                reason: "INVALID_FIELD",
                message: format!("{field} is malformed: {rule}"),
            },
            AppendError::Store(source) => source.into(),
            // The domain builds every other part of the append; a refusal there is our bug.
            other => Error::internal(other),
        }
    }
}
