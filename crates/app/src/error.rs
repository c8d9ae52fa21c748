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
    /// The command would record again what the log already holds (ALREADY_EXISTS); `reason` is one
    /// of [`domain::ALREADY_RECORDED`].
    #[error("{message}")]
    AlreadyExists {
        reason: &'static str,
        message: String,
        /// The subject, such as `("stream_id", "hospital-…")`.
        facts: Vec<(String, String)>,
    },
    /// The command addresses a stream, or names a program, pairing or agreement, that the log does
    /// not hold (NOT_FOUND); `reason` is one of [`domain::NOT_FOUND`], `resource_type` its kind and
    /// `resource_name` the missing stream id or entity id (`google.rpc.ResourceInfo`).
    #[error("{message}")]
    ReferenceNotFound {
        reason: &'static str,
        message: String,
        resource_type: &'static str,
        resource_name: String,
        /// The stream the command addresses.
        stream_id: String,
    },
    /// The stream is not at the version the caller expected (ABORTED): reload and decide again.
    #[error("stream {stream_id} is at version {actual}, but the request expected {expected}")]
    Conflict {
        stream_id: String,
        expected: u64,
        actual: u64,
    },
    /// The facts of a cross-stream rule changed while the command was decided on them, on every
    /// attempt (ABORTED): decide again. `facts` names their tags (`practitioner:…`), `position`
    /// the event that changed them last.
    #[error(
        "the facts this command was decided on ({facts}) changed at position {position} while it \
         was decided; send it again"
    )]
    ConcurrentDecision {
        stream_id: String,
        facts: String,
        position: u64,
    },
    /// The request id was already used for a write with different content, on this stream or
    /// another (INVALID_ARGUMENT, as `errors.proto` documents REQUEST_ID_REUSED).
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
    /// A read model stopped at an event it could not apply and will not reach the position the
    /// caller asked for until an operator retries or rebuilds it (FAILED_PRECONDITION, never
    /// retryable: a client retrying PROJECTION_BEHIND for ever is what this prevents).
    #[error(
        "read model {projection} stopped at position {failed_position} and needs an operator \
         (RetryProjection or RebuildProjection)"
    )]
    ProjectionFailed {
        projection: String,
        failed_position: u64,
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
            Error::InvalidArgument { reason, .. }
            | Error::FailedPrecondition { reason, .. }
            | Error::AlreadyExists { reason, .. }
            | Error::ReferenceNotFound { reason, .. } => reason,
            Error::Conflict { .. } => "STREAM_VERSION_CONFLICT",
            Error::ConcurrentDecision { .. } => "CONCURRENT_DECISION",
            Error::RequestIdReused { .. } => "REQUEST_ID_REUSED",
            Error::NotFound { reason, .. } => reason,
            Error::ProjectionBehind { .. } => "PROJECTION_BEHIND",
            Error::ProjectionFailed { .. } => "PROJECTION_FAILED",
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
            Error::FailedPrecondition { facts, .. } | Error::AlreadyExists { facts, .. } => {
                facts.clone()
            }
            Error::ReferenceNotFound {
                resource_type,
                resource_name,
                stream_id,
                ..
            } => vec![
                pair("stream_id", stream_id.clone()),
                pair("resource_type", (*resource_type).to_owned()),
                pair("resource_name", resource_name.clone()),
            ],
            Error::Conflict {
                stream_id,
                expected,
                actual,
            } => vec![
                pair("stream_id", stream_id.clone()),
                pair("expected", expected.to_string()),
                pair("actual", actual.to_string()),
            ],
            Error::ConcurrentDecision {
                stream_id,
                facts,
                position,
            } => vec![
                pair("stream_id", stream_id.clone()),
                pair("facts", facts.clone()),
                pair("position", position.to_string()),
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
            Error::ProjectionFailed {
                projection,
                failed_position,
            } => vec![
                pair("projection", projection.clone()),
                pair("failed_position", failed_position.to_string()),
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

    /// A domain refusal on `stream_id`: value errors and rules about one field are bad arguments,
    /// something named that does not exist NOT_FOUND, a fact recorded already ALREADY_EXISTS, the
    /// rest broken rules.
    pub(crate) fn from_domain(error: &DomainError, stream_id: &str) -> Error {
        match error {
            DomainError::Invalid(invalid) => Error::InvalidArgument {
                field: invalid.field.clone(),
                reason: error.reason(),
                message: error.to_string(),
            },
            _ => Error::refusal(
                error.reason(),
                error.to_string(),
                stream_id,
                error.missing_id(),
            ),
        }
    }

    /// A rule's refusal by its reason, with the code `errors.proto` documents for it: a rule about
    /// one field ([`domain::FIELD_RULES`]) INVALID_ARGUMENT naming the field, something named that
    /// does not exist ([`domain::NOT_FOUND`]) NOT_FOUND, a fact recorded already
    /// ([`domain::ALREADY_RECORDED`]) ALREADY_EXISTS, any other broken rule FAILED_PRECONDITION.
    /// `missing_id` is the id of the missing entity (`None`: the stream the command addresses).
    fn refusal(
        reason: &'static str,
        message: String,
        stream_id: &str,
        missing_id: Option<&str>,
    ) -> Error {
        if let Some(field) = domain::rule_field(reason) {
            return Error::InvalidArgument {
                field: field.to_owned(),
                reason,
                message,
            };
        }
        if let Some((_, resource_type)) = domain::NOT_FOUND.iter().find(|(r, _)| *r == reason) {
            return Error::ReferenceNotFound {
                reason,
                message,
                resource_type,
                resource_name: missing_id.unwrap_or(stream_id).to_owned(),
                stream_id: stream_id.to_owned(),
            };
        }
        let facts = vec![("stream_id".to_owned(), stream_id.to_owned())];
        if domain::ALREADY_RECORDED.contains(&reason) {
            Error::AlreadyExists {
                reason,
                message,
                facts,
            }
        } else {
            Error::FailedPrecondition {
                reason,
                message,
                facts,
            }
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

#[cfg(test)]
mod tests {
    use super::Error;

    #[test]
    fn every_rule_refusal_answers_the_code_errors_proto_documents() {
        let documented = test_support::errors_proto::documented_codes();
        let mut wrong = Vec::new();
        for reason in domain::all_reasons() {
            let code = match Error::refusal(reason, String::new(), "hospital-x", None) {
                Error::InvalidArgument { .. } => "INVALID_ARGUMENT",
                Error::ReferenceNotFound { .. } => "NOT_FOUND",
                Error::AlreadyExists { .. } => "ALREADY_EXISTS",
                Error::FailedPrecondition { .. } => "FAILED_PRECONDITION",
                other => panic!("a refusal became {other:?}"),
            };
            let expected = documented
                .get(reason)
                .unwrap_or_else(|| panic!("{reason} is not in errors.proto"));
            if expected.as_str() != code {
                wrong.push(format!("{reason}: documented {expected}, answered {code}"));
            }
        }
        assert!(wrong.is_empty(), "{wrong:#?}");
    }

    #[test]
    fn a_missing_program_names_it_and_a_missing_stream_names_the_stream() {
        let missing = domain::DomainError::from(domain::CommonError::ProgramNotFound {
            program: "p-1".to_owned(),
        });
        let error = Error::from_domain(&missing, "pairing-x");
        assert!(
            matches!(&error, Error::ReferenceNotFound { resource_type: "program", resource_name, .. } if resource_name == "p-1"),
            "{error:?}"
        );
        let missing = domain::DomainError::from(domain::CommonError::NotFound {
            stream: "pairing".to_owned(),
        });
        let error = Error::from_domain(&missing, "pairing-x");
        assert!(
            matches!(&error, Error::ReferenceNotFound { resource_type: "stream", resource_name, .. } if resource_name == "pairing-x"),
            "{error:?}"
        );
    }
}
