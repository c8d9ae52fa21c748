//! The errors of the read-model queries keep the promises of `errors.proto`: UNAVAILABLE with the
//! projection's progress in the metadata, so that a client can tell "retry shortly" from a bug.

use std::time::Duration;

use tonic::Code;
use tonic_types::StatusExt;

use super::*;

#[test]
fn a_projection_behind_is_unavailable_with_its_progress_and_a_retry_delay() {
    let status = from_app_error(app::Error::ProjectionBehind {
        projection: "on_site_roster".to_owned(),
        reached: 41,
        wanted: 57,
    });
    assert_eq!(status.code(), Code::Unavailable);
    let details = status.get_error_details();
    let info = details.error_info().cloned().expect("an ErrorInfo");
    assert_eq!(info.reason, "PROJECTION_BEHIND");
    assert_eq!(info.domain, "medaid.v1");
    let get = |key: &str| info.metadata.get(key).map(String::as_str);
    assert_eq!(get("projection"), Some("on_site_roster"));
    assert_eq!(get("reached"), Some("41"));
    assert_eq!(get("wanted"), Some("57"));
    let delay = details.retry_info().and_then(|r| r.retry_delay);
    assert_eq!(delay, Some(Duration::from_secs(1)));
}

#[test]
fn a_server_without_read_models_is_unavailable() {
    let status = from_app_error(app::Error::ReadModelsUnavailable);
    assert_eq!(status.code(), Code::Unavailable);
    let info = status.get_details_error_info().expect("an ErrorInfo");
    assert_eq!(info.reason, "READ_MODELS_UNAVAILABLE");
}

#[test]
fn a_missing_projection_keeps_its_own_reason() {
    let status = from_app_error(app::Error::NotFound {
        reason: "PROJECTION_NOT_FOUND",
        what: "projection nothing".to_owned(),
    });
    assert_eq!(status.code(), Code::NotFound);
    let info = status.get_details_error_info().expect("an ErrorInfo");
    assert_eq!(info.reason, "PROJECTION_NOT_FOUND");
}
