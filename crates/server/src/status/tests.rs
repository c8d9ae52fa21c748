//! Each error kind becomes its status code with `ErrorInfo` and the detail AIP-193 asks for.

use tonic::Code;
use tonic_types::StatusExt;

use super::*;

fn info(status: &Status) -> (String, String, HashMap<String, String>) {
    let details = status.get_error_details();
    let info = details.error_info().cloned().unwrap_or_else(|| {
        panic!("no ErrorInfo in {status:?}");
    });
    (info.reason, info.domain, info.metadata)
}

#[test]
fn invalid_argument_names_the_field() {
    let status = from_app_error(app::Error::InvalidArgument {
        field: "supporting_orgs[1]".to_owned(),
        reason: "CREDIT_CODE_CHECK_MISMATCH",
        message: "supporting_orgs[1]: check character must be 'X'".to_owned(),
    });
    assert_eq!(status.code(), Code::InvalidArgument);
    let (reason, domain, metadata) = info(&status);
    assert_eq!(reason, "CREDIT_CODE_CHECK_MISMATCH");
    assert_eq!(domain, "medaid.v1");
    assert_eq!(
        metadata.get("field").map(String::as_str),
        Some("supporting_orgs[1]")
    );
    let details = status.get_error_details();
    let violations = details
        .bad_request()
        .map(|b| b.field_violations.clone())
        .unwrap_or_default();
    assert_eq!(violations.len(), 1);
    assert_eq!(violations[0].field, "supporting_orgs[1]");
    // The field is named once, by the violation; the description says what is wrong.
    assert_eq!(violations[0].description, "check character must be 'X'");
}

#[test]
fn broken_rule_is_a_failed_precondition() {
    let status = from_app_error(app::Error::FailedPrecondition {
        reason: "PAIRING_NOT_ACTIVE",
        message: "the pairing has ended".to_owned(),
        facts: vec![("stream_id".to_owned(), "pairing-1".to_owned())],
    });
    assert_eq!(status.code(), Code::FailedPrecondition);
    let (reason, _, metadata) = info(&status);
    assert_eq!(reason, "PAIRING_NOT_ACTIVE");
    assert_eq!(
        metadata.get("stream_id").map(String::as_str),
        Some("pairing-1")
    );
    let details = status.get_error_details();
    let violations = details
        .precondition_failure()
        .map(|p| p.violations.clone())
        .unwrap_or_default();
    assert_eq!(violations[0].r#type, "PAIRING_NOT_ACTIVE");
    assert_eq!(violations[0].subject, "pairing-1");
}

#[test]
fn codes_map_directly() {
    let cases = [
        (
            app::Error::Conflict {
                stream_id: "s-1".to_owned(),
                expected: 1,
                actual: 2,
            },
            Code::Aborted,
        ),
        (
            app::Error::ConcurrentDecision {
                stream_id: "batch-1".to_owned(),
                facts: "practitioner:P1".to_owned(),
                position: 7,
            },
            Code::Aborted,
        ),
        (
            app::Error::NotFound {
                reason: "EVENT_NOT_FOUND",
                what: "event 9".to_owned(),
            },
            Code::NotFound,
        ),
        (app::Error::Unauthenticated, Code::Unauthenticated),
        (
            app::Error::PermissionDenied {
                message: "no".to_owned(),
                missing: vec![("missing_role".to_owned(), "recorder".to_owned())],
            },
            Code::PermissionDenied,
        ),
        (
            app::Error::RequestIdReused {
                request_id: "r".to_owned(),
            },
            Code::InvalidArgument,
        ),
    ];
    for (error, code) in cases {
        let reason = error.reason();
        let status = from_app_error(error);
        assert_eq!(status.code(), code);
        assert_eq!(info(&status).0, reason);
    }
}

#[test]
fn internal_errors_hide_their_cause() {
    let source: Box<dyn std::error::Error + Send + Sync> = "SELECT secret FROM t failed".into();
    let status = from_app_error(app::Error::Internal { source });
    assert_eq!(status.code(), Code::Internal);
    assert!(!status.message().contains("SELECT"));
    let (reason, _, metadata) = info(&status);
    assert_eq!(reason, "INTERNAL");
    assert!(metadata.is_empty());
}

#[test]
fn page_errors_name_their_field() {
    let status = from_page_error(&PageError::NegativePageSize(-3));
    assert_eq!(status.code(), Code::InvalidArgument);
    let details = status.get_error_details();
    let field = details
        .bad_request()
        .and_then(|b| b.field_violations.first().map(|v| v.field.clone()));
    assert_eq!(field.as_deref(), Some("page_size"));
}

/// Every reason the domain can refuse with is a value of `ErrorReason` in errors.proto, so that a
/// client can decode each one (and a new domain reason cannot ship undocumented).
#[test]
fn every_domain_reason_is_an_error_reason() {
    let missing: Vec<&str> = domain::all_reasons()
        .into_iter()
        .filter(|reason| api::medaid::v1::ErrorReason::from_str_name(reason).is_none())
        .collect();
    assert_eq!(missing, Vec::<&str>::new(), "add these to errors.proto");
}

#[test]
fn a_transient_store_failure_is_unavailable_with_retry_info() {
    let status = from_app_error(app::Error::Unavailable {
        source: event_store::StoreError::Closed,
    });
    assert_eq!(status.code(), Code::Unavailable);
    assert_eq!(info(&status).0, "UNAVAILABLE");
    let retry = status.get_error_details().retry_info().cloned();
    assert_eq!(retry.and_then(|r| r.retry_delay), Some(STORE_RETRY_DELAY));
    let status = from_app_error(app::Error::ReadModelsUnavailable);
    assert!(status.get_error_details().retry_info().is_some());
}

#[test]
fn echoed_inputs_are_bounded_so_the_trailers_stay_small() {
    let huge = "x".repeat(100_000);
    let status = from_app_error(app::Error::InvalidArgument {
        field: huge.clone(),
        reason: "INVALID_FILTER",
        message: format!("filter {huge} is bad"),
    });
    assert!(status.message().chars().count() <= MAX_MESSAGE_CHARS);
    assert!(status.message().ends_with('…'));
    let (_, _, metadata) = info(&status);
    assert!(
        metadata
            .values()
            .all(|v| v.chars().count() <= MAX_METADATA_VALUE_CHARS)
    );
    let details = status.get_error_details();
    let violation = details.bad_request().unwrap().field_violations[0].clone();
    assert!(violation.field.chars().count() <= MAX_METADATA_VALUE_CHARS);
    assert!(violation.description.chars().count() <= MAX_MESSAGE_CHARS);
    // Everything a client receives for this error fits well inside a 16 KiB trailer block.
    assert!(status.details().len() + status.message().len() < 8 * 1024);
}
