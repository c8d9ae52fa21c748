//! The one mapping from `app::Error` to `tonic::Status`.
//!
//! Every status carries a `google.rpc.ErrorInfo` in the `medaid.v1` domain whose reason is the error's
//! stable reason and whose metadata holds the dynamic values of the message (AIP-193). Bad arguments add
//! a `BadRequest` naming the request field, broken rules a `PreconditionFailure`. Internal errors are
//! logged with their cause chain and reach the client only as a generic message.

use std::collections::{BTreeSet, HashMap};
use std::sync::{Mutex, OnceLock, PoisonError};

use tonic::{Code, Status};
use tonic_types::{ErrorDetails, StatusExt};

use crate::auth::ERROR_DOMAIN;
use crate::page_token::PageError;

/// The message clients see for a bug; the cause stays in the server's log.
const INTERNAL_MESSAGE: &str = "internal error; the server has logged the cause";

/// How long a client should wait before asking again for a read model that had not yet reached the
/// position it wanted; projections usually apply a new event within milliseconds.
const PROJECTION_RETRY_DELAY: std::time::Duration = std::time::Duration::from_secs(1);

/// How long a client should wait before retrying after the store was unavailable: long enough for a
/// restarting database or a failed-over pool to answer again, short enough to keep writes flowing.
pub const STORE_RETRY_DELAY: std::time::Duration = std::time::Duration::from_secs(1);

/// The most characters of a message, and of each metadata value, sent to a client. Messages quote
/// inputs; gRPC trailers are limited (16 KiB by default in many clients), so an echoed 10 KB filter
/// would otherwise turn a clear INVALID_ARGUMENT into a transport error.
pub const MAX_MESSAGE_CHARS: usize = 1024;
pub const MAX_METADATA_VALUE_CHARS: usize = 256;

/// `text` cut to at most `max` characters, marked when cut.
pub fn bounded(text: String, max: usize) -> String {
    if text.chars().count() <= max {
        return text;
    }
    let mut cut: String = text.chars().take(max.saturating_sub(1)).collect();
    cut.push('…');
    cut
}

/// The `(reason, code)` of every status built since [`observe_reasons`], so that the end-to-end
/// tests can hold each reason the server answers to the code `errors.proto` documents for it
/// (`test_support::TestServer` checks them when it stops). Unset in production: the cost there is
/// one atomic load per refusal.
static OBSERVED: OnceLock<Mutex<BTreeSet<(String, i32)>>> = OnceLock::new();

/// Starts recording the reason and code of every status this process builds.
pub fn observe_reasons() {
    OBSERVED.get_or_init(Mutex::default);
}

/// Every `(reason, code)` built since [`observe_reasons`] (empty if it was never called).
pub fn observed_reasons() -> Vec<(String, Code)> {
    OBSERVED.get().map_or_else(Vec::new, |set| {
        set.lock()
            .unwrap_or_else(PoisonError::into_inner)
            .iter()
            .map(|(reason, code)| (reason.clone(), Code::from_i32(*code)))
            .collect()
    })
}

/// Builds a status with `ErrorInfo` and whatever other details `extra` adds: the one place a
/// status is made (the auth, deadline, admission and transport-error layers call it too). The
/// message and every metadata value are bounded (`MAX_MESSAGE_CHARS`, `MAX_METADATA_VALUE_CHARS`).
#[expect(
    clippy::disallowed_methods,
    reason = "the one error mapping: every status is built here, with ErrorInfo"
)]
pub(crate) fn status(
    code: Code,
    message: String,
    reason: &str,
    metadata: Vec<(String, String)>,
    extra: impl FnOnce(&mut ErrorDetails),
) -> Status {
    let message = bounded(message, MAX_MESSAGE_CHARS);
    let metadata: HashMap<String, String> = metadata
        .into_iter()
        .map(|(key, value)| (key, bounded(value, MAX_METADATA_VALUE_CHARS)))
        .collect();
    if let Some(observed) = OBSERVED.get() {
        observed
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert((reason.to_owned(), i32::from(code)));
    }
    let mut details = ErrorDetails::with_error_info(reason, ERROR_DOMAIN, metadata);
    extra(&mut details);
    Status::with_error_details(code, message, details)
}

/// Writes an error and its sources on one line.
fn cause_chain(error: &dyn std::error::Error) -> String {
    let mut chain = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        chain.push_str(": ");
        chain.push_str(&cause.to_string());
        source = cause.source();
    }
    chain
}

/// The answer to a path no service of this server has (tonic's own answer for unknown methods).
#[expect(
    clippy::disallowed_methods,
    reason = "the one error mapping: every status is built here"
)]
pub(crate) fn unknown_method() -> Status {
    Status::unimplemented("unknown method")
}

/// The status of a stream the client stopped reading: it never reaches the client, it only ends
/// the stream's task.
#[expect(
    clippy::disallowed_methods,
    reason = "the one error mapping: every status is built here"
)]
pub(crate) fn cancelled(message: &str) -> Status {
    Status::cancelled(message)
}

/// The status for a use-case error.
pub fn from_app_error(error: app::Error) -> Status {
    let reason = error.reason();
    let metadata = error.metadata();
    let message = error.to_string();
    match &error {
        app::Error::InvalidArgument { field, .. } => {
            // The violation names the field already; its description says only what is wrong.
            let problem = message
                .strip_prefix(field.as_str())
                .and_then(|rest| rest.strip_prefix(": "))
                .unwrap_or(&message);
            let description = bounded(problem.to_owned(), MAX_MESSAGE_CHARS);
            let field = bounded(field.clone(), MAX_METADATA_VALUE_CHARS);
            status(Code::InvalidArgument, message, reason, metadata, |d| {
                d.add_bad_request_violation(field, description);
            })
        }
        app::Error::RequestIdReused { .. } => {
            let description = bounded(message.clone(), MAX_MESSAGE_CHARS);
            status(Code::InvalidArgument, message, reason, metadata, |d| {
                d.add_bad_request_violation("request_id", description);
            })
        }
        app::Error::FailedPrecondition { facts, .. } => {
            let subject = facts
                .iter()
                .find(|(key, _)| key == "stream_id")
                .or_else(|| facts.first())
                .map(|(_, value)| bounded(value.clone(), MAX_METADATA_VALUE_CHARS))
                .unwrap_or_default();
            let description = bounded(message.clone(), MAX_MESSAGE_CHARS);
            status(Code::FailedPrecondition, message, reason, metadata, |d| {
                d.add_precondition_failure_violation(reason, subject, description);
            })
        }
        app::Error::AlreadyExists { facts, .. } => {
            // AIP-193: ALREADY_EXISTS names the resource that exists.
            let stream = facts
                .iter()
                .find(|(key, _)| key == "stream_id")
                .map(|(_, value)| bounded(value.clone(), MAX_METADATA_VALUE_CHARS))
                .unwrap_or_default();
            let description = bounded(message.clone(), MAX_MESSAGE_CHARS);
            status(Code::AlreadyExists, message, reason, metadata, |d| {
                d.set_resource_info("stream", stream, "", description);
            })
        }
        app::Error::ReferenceNotFound {
            resource_type,
            resource_name,
            ..
        } => {
            // AIP-193: NOT_FOUND names the resource that is missing.
            let name = bounded(resource_name.clone(), MAX_METADATA_VALUE_CHARS);
            let description = bounded(message.clone(), MAX_MESSAGE_CHARS);
            status(Code::NotFound, message, reason, metadata, |d| {
                d.set_resource_info(*resource_type, name, "", description);
            })
        }
        app::Error::Conflict { .. } | app::Error::ConcurrentDecision { .. } => {
            status(Code::Aborted, message, reason, metadata, |_| {})
        }
        app::Error::NotFound { .. } => status(Code::NotFound, message, reason, metadata, |_| {}),
        app::Error::OutOfRange { .. } => {
            status(Code::OutOfRange, message, reason, metadata, |_| {})
        }
        app::Error::Unauthenticated => {
            status(Code::Unauthenticated, message, reason, metadata, |_| {})
        }
        app::Error::PermissionDenied { .. } => {
            status(Code::PermissionDenied, message, reason, metadata, |_| {})
        }
        app::Error::ProjectionBehind { .. } => {
            // The read model will catch up on its own, so the client is told when to try again.
            status(Code::Unavailable, message, reason, metadata, |d| {
                d.set_retry_info(Some(PROJECTION_RETRY_DELAY));
            })
        }
        app::Error::ProjectionFailed { .. } => {
            let description = bounded(message.clone(), MAX_MESSAGE_CHARS);
            status(Code::FailedPrecondition, message, reason, metadata, |d| {
                d.add_precondition_failure_violation(reason, "projection", description);
            })
        }
        app::Error::ReadModelsUnavailable => {
            status(Code::Unavailable, message, reason, metadata, |d| {
                d.set_retry_info(Some(STORE_RETRY_DELAY));
            })
        }
        app::Error::Unavailable { .. } => {
            tracing::warn!(error = %cause_chain(&error), "store unavailable");
            status(Code::Unavailable, message, reason, metadata, |d| {
                d.set_retry_info(Some(STORE_RETRY_DELAY));
            })
        }
        app::Error::Internal { .. } => {
            tracing::error!(error = %cause_chain(&error), "internal error");
            status(
                Code::Internal,
                INTERNAL_MESSAGE.to_owned(),
                reason,
                Vec::new(),
                |_| {},
            )
        }
    }
}

/// The status for a refused page size or page token.
pub fn from_page_error(error: &PageError) -> Status {
    let field = error.field();
    let message = error.to_string();
    let description = message.clone();
    status(
        Code::InvalidArgument,
        message,
        error.reason(),
        vec![("field".to_owned(), field.to_owned())],
        |d| {
            d.add_bad_request_violation(field, description);
        },
    )
}

/// The status for a request field that fails validation before any use case runs.
pub fn invalid_field(error: &domain::values::ValidationError) -> Status {
    from_app_error(app::Error::InvalidArgument {
        field: error.field.clone(),
        reason: error.reason(),
        message: error.to_string(),
    })
}

#[cfg(test)]
mod read_tests;
#[cfg(test)]
mod tests;
