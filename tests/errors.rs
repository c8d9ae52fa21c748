//! Refusals as a client sees them: code, `ErrorInfo` reason and the detail that says what to fix.

use api::medaid::v1 as pb;
use api::medaid::v1::event_service_client::EventServiceClient;
use api::medaid::v1::hospital_service_client::HospitalServiceClient;
use api::medaid::v1::pairing_service_client::PairingServiceClient;
use tonic::{Code, Request};
use tonic_types::StatusExt;

use crate::common::{TestServer, assert_refused, authed, backends, huining, lzu_first, request_id};
use crate::flow::{register_request, seed};

#[tokio::test]
async fn refusals_carry_error_info() {
    for database in backends() {
        let server = TestServer::start(database.as_deref()).await;
        let channel = server.channel().await;
        let token = server.admin_token();
        let mut hospitals = HospitalServiceClient::new(channel.clone());

        // No token at all.
        let status = hospitals
            .register_hospital(Request::new(register_request(&huining(), "会宁", "620422")))
            .await
            .unwrap_err();
        assert_refused(&status, Code::Unauthenticated, "TOKEN_MISSING");

        // A recorder for Guangdong may not write a Gansu hospital.
        let outside = server.token(&["recorder", "reader"], &["44"]);
        let status = hospitals
            .register_hospital(authed(
                &outside,
                register_request(&huining(), "会宁", "620422"),
            ))
            .await
            .unwrap_err();
        assert_eq!(status.code(), Code::PermissionDenied, "{status:?}");
        assert_eq!(
            status.get_details_error_info().map(|i| i.domain),
            Some("medaid.v1".to_owned())
        );

        // A bad check character names the field in BadRequest.
        let seeded = seed(channel.clone(), &token).await;
        let mut bad_org = lzu_first();
        let last = if bad_org.ends_with('0') { "1" } else { "0" };
        bad_org.replace_range(17.., last);
        let status = PairingServiceClient::new(channel.clone())
            .establish_pairing(authed(
                &token,
                pb::EstablishPairingRequest {
                    request_id: request_id(),
                    program_id: seeded.program_id.clone(),
                    supporting_orgs: vec![lzu_first(), bad_org],
                    recipient_org: huining(),
                    region_codes: vec!["620422".into()],
                    start: "2022-03-01".into(),
                    ..Default::default()
                },
            ))
            .await
            .unwrap_err();
        assert_eq!(status.code(), Code::InvalidArgument, "{status:?}");
        let details = status.get_error_details();
        let violation = details
            .bad_request()
            .and_then(|b| b.field_violations.first().cloned())
            .expect("a BadRequest field violation");
        assert_eq!(violation.field, "supporting_orgs[1]");
        assert!(details.error_info().is_some());

        // The same supporting hospital cannot pair twice with the same recipient: errors.proto
        // documents that as ALREADY_EXISTS, naming the stream in ResourceInfo.
        let status = PairingServiceClient::new(channel.clone())
            .establish_pairing(authed(
                &token,
                pb::EstablishPairingRequest {
                    request_id: request_id(),
                    program_id: seeded.program_id.clone(),
                    supporting_orgs: vec![lzu_first()],
                    recipient_org: huining(),
                    region_codes: vec!["620422".into()],
                    start: "2022-04-01".into(),
                    ..Default::default()
                },
            ))
            .await
            .unwrap_err();
        assert_refused(&status, Code::AlreadyExists, "DUPLICATE_ACTIVE_PAIRING");
        let resource = status.get_error_details().resource_info().cloned();
        assert!(
            resource.is_some_and(|r| r.resource_name.starts_with("pairing-")),
            "{status:?}"
        );

        // A hospital registered twice (another request id): ALREADY_EXISTS, so that a loader can
        // take it as "already recorded".
        let status = hospitals
            .register_hospital(authed(
                &token,
                register_request(&huining(), "会宁县人民医院", "620422"),
            ))
            .await
            .unwrap_err();
        assert_refused(&status, Code::AlreadyExists, "STREAM_ALREADY_EXISTS");

        // A stale expected version is ABORTED.
        let mut stale = register_request(&huining(), "会宁县人民医院", "620422");
        stale.expected_version = Some(pb::ExpectedVersion {
            expectation: Some(pb::expected_version::Expectation::NoStream(true)),
        });
        let status = hospitals
            .register_hospital(authed(&token, stale))
            .await
            .unwrap_err();
        assert_refused(&status, Code::Aborted, "STREAM_VERSION_CONFLICT");

        // A repeated request id returns the same response and writes nothing.
        let mut events = EventServiceClient::new(channel.clone());
        let line = pb::RecordCenterCertificationRequest {
            request_id: request_id(),
            hospital: huining(),
            center: pb::CenterType::Stroke.into(),
            certifier: "国家卫健委脑防委".into(),
            certified_on: "2024-01-10".into(),
            ..Default::default()
        };
        let first = hospitals
            .record_center_certification(authed(&token, line.clone()))
            .await
            .unwrap()
            .into_inner();
        let head_before = head(&mut events, &token).await;
        let again = hospitals
            .record_center_certification(authed(&token, line))
            .await
            .unwrap()
            .into_inner();
        assert_eq!(first, again);
        assert_eq!(head(&mut events, &token).await, head_before);

        // Paging: a negative size and a token reused with another filter are bad arguments.
        let status = events
            .list_events(authed(
                &token,
                pb::ListEventsRequest {
                    page_size: -1,
                    ..Default::default()
                },
            ))
            .await
            .unwrap_err();
        assert_eq!(status.code(), Code::InvalidArgument);
        server.stop().await;
    }
}

/// The number of events in the log, read by paging through it.
pub(crate) async fn head(
    events: &mut EventServiceClient<tonic::transport::Channel>,
    token: &str,
) -> usize {
    let mut count = 0;
    let mut page_token = String::new();
    loop {
        let page = events
            .list_events(authed(
                token,
                pb::ListEventsRequest {
                    page_size: 1000,
                    page_token: page_token.clone(),
                    filter: String::new(),
                },
            ))
            .await
            .unwrap()
            .into_inner();
        count += page.events.len();
        if page.next_page_token.is_empty() {
            return count;
        }
        page_token = page.next_page_token;
    }
}
