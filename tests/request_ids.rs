//! Issue 9 items 1 and 2 as a client sees them: a request id is a canonical UUIDv4, a repeat with the
//! same content answers the original result, and the same id with any other content is
//! INVALID_ARGUMENT, reason REQUEST_ID_REUSED, naming request_id, with nothing written: on the same
//! stream, on another stream, when only the context differs, and when the two requests race so
//! that both are decided before either is committed.

use api::medaid::v1 as pb;
use api::medaid::v1::event_service_client::EventServiceClient;
use api::medaid::v1::hospital_service_client::HospitalServiceClient;
use tonic::transport::Channel;
use tonic::{Code, Status};
use tonic_types::StatusExt;

use crate::common::{TestServer, assert_refused, authed, backends, huining, request_id};
use crate::errors::head;
use crate::flow::{register_request, seed};

fn certification(id: &str, center: pb::CenterType) -> pb::RecordCenterCertificationRequest {
    pb::RecordCenterCertificationRequest {
        request_id: id.to_owned(),
        hospital: huining(),
        center: center.into(),
        certifier: "国家卫健委脑防委".into(),
        certified_on: "2024-01-10".into(),
        ..Default::default()
    }
}

/// REQUEST_ID_REUSED as errors.proto documents it, naming request_id in BadRequest and ErrorInfo.
fn assert_reused(status: &Status, id: &str) {
    assert_refused(status, Code::InvalidArgument, "REQUEST_ID_REUSED");
    let details = status.get_error_details();
    let field = details
        .bad_request()
        .and_then(|b| b.field_violations.first().map(|v| v.field.clone()));
    assert_eq!(field.as_deref(), Some("request_id"), "{status:?}");
    let info = details.error_info().expect("ErrorInfo");
    assert_eq!(
        info.metadata.get("request_id").map(String::as_str),
        Some(id)
    );
}

/// The event types of the hospital stream of 会宁.
async fn huining_events(channel: &Channel, token: &str) -> Vec<String> {
    EventServiceClient::new(channel.clone())
        .list_stream_events(authed(
            token,
            pb::ListStreamEventsRequest {
                stream_id: format!("hospital-{}", huining()),
                ..Default::default()
            },
        ))
        .await
        .unwrap()
        .into_inner()
        .events
        .into_iter()
        .map(|e| e.event_type)
        .collect()
}

#[tokio::test]
async fn a_reused_request_id_with_other_content_is_refused_and_writes_nothing() {
    for database in backends() {
        let server = TestServer::start(database.as_deref()).await;
        let channel = server.channel().await;
        let token = server.admin_token();
        seed(channel.clone(), &token).await;
        let mut hospitals = HospitalServiceClient::new(channel.clone());
        let mut events = EventServiceClient::new(channel.clone());

        // The reproduction: one request id, first STROKE then CHEST_PAIN, on one stream.
        let id = request_id();
        let first = hospitals
            .record_center_certification(authed(&token, certification(&id, pb::CenterType::Stroke)))
            .await
            .unwrap()
            .into_inner();
        let before = head(&mut events, &token).await;
        let status = hospitals
            .record_center_certification(authed(
                &token,
                certification(&id, pb::CenterType::ChestPain),
            ))
            .await
            .unwrap_err();
        assert_reused(&status, &id);
        assert_eq!(head(&mut events, &token).await, before);
        assert_eq!(
            huining_events(&channel, &token)
                .await
                .iter()
                .filter(|t| *t == "CenterCertified")
                .count(),
            1
        );

        // The same content again answers the original result and writes nothing.
        let again = hospitals
            .record_center_certification(authed(&token, certification(&id, pb::CenterType::Stroke)))
            .await
            .unwrap()
            .into_inner();
        assert_eq!(again, first);
        assert_eq!(head(&mut events, &token).await, before);

        // Only the context differs: the content of a write includes it.
        let mut with_context = certification(&id, pb::CenterType::Stroke);
        with_context.context = Some(pb::RecordContext {
            source: pb::RecordSource::Bulk.into(),
            ..Default::default()
        });
        let status = hospitals
            .record_center_certification(authed(&token, with_context))
            .await
            .unwrap_err();
        assert_reused(&status, &id);

        // RegisterHospital repeated with another name (the stream creation replays by id).
        let register =
            register_request(&crate::common::org("620422", 77), "会宁县中医院", "620422");
        hospitals
            .register_hospital(authed(&token, register.clone()))
            .await
            .unwrap();
        let mut renamed = register.clone();
        renamed.name = "会宁县第二人民医院".into();
        let status = hospitals
            .register_hospital(authed(&token, renamed))
            .await
            .unwrap_err();
        assert_reused(&status, &register.request_id);

        // The same id on another stream.
        let mut elsewhere = certification(&register.request_id, pb::CenterType::Trauma);
        elsewhere.hospital = huining();
        let status = hospitals
            .record_center_certification(authed(&token, elsewhere))
            .await
            .unwrap_err();
        assert_reused(&status, &register.request_id);
        assert_eq!(head(&mut events, &token).await, before + 1);
        server.stop().await;
    }
}

/// Two requests with one id and different content sent at once: both are decided against the same
/// stream version and may reach the store in one group commit. Exactly one is recorded; the other
/// is REQUEST_ID_REUSED, never a silent success answering the first one's result. The pairs differ
/// in their events (the centre type) or only in the context, which the store's own comparison of
/// the appended events cannot see.
#[tokio::test]
async fn a_reused_request_id_racing_its_original_is_refused() {
    for database in backends() {
        let server = TestServer::start(database.as_deref()).await;
        let channel = server.channel().await;
        let token = server.admin_token();
        seed(channel.clone(), &token).await;
        let mut events = EventServiceClient::new(channel.clone());
        let centers = [
            pb::CenterType::Stroke,
            pb::CenterType::ChestPain,
            pb::CenterType::Trauma,
            pb::CenterType::CriticalMaternal,
            pb::CenterType::CriticalNeonatal,
        ];
        let mut written = 0;
        for round in 0..20 {
            // Each round certifies a centre not yet certified, so the first of the pair is valid.
            let center = centers[round % centers.len()];
            let id = request_id();
            let first = certification(&id, center);
            let mut second = first.clone();
            if round % 2 == 0 {
                second.context = Some(pb::RecordContext {
                    correlation_id: format!("upload-{round}"),
                    ..Default::default()
                });
            } else {
                second.certified_on = "2024-01-11".into();
            }
            let before = head(&mut events, &token).await;
            let mut a = HospitalServiceClient::new(channel.clone());
            let mut b = HospitalServiceClient::new(channel.clone());
            let (one, two) = tokio::join!(
                a.record_center_certification(authed(&token, first)),
                b.record_center_certification(authed(&token, second)),
            );
            let answers = [one.map(|_| ()), two.map(|_| ())];
            let ok = answers.iter().filter(|a| a.is_ok()).count();
            assert_eq!(ok, 1, "round {round}: {answers:?}");
            for answer in &answers {
                if let Err(status) = answer {
                    assert_reused(status, &id);
                }
            }
            assert_eq!(head(&mut events, &token).await, before + 1, "round {round}");
            written += 1;
            // Retract it, so that the next round of this centre type is valid again.
            let version = u64::try_from(huining_events(&channel, &token).await.len()).unwrap();
            api::medaid::v1::correction_service_client::CorrectionServiceClient::new(
                channel.clone(),
            )
            .retract_event(authed(
                &token,
                pb::RetractEventRequest {
                    request_id: request_id(),
                    stream_id: format!("hospital-{}", huining()),
                    stream_version: version,
                    reason: "测试".into(),
                    ..Default::default()
                },
            ))
            .await
            .unwrap();
        }
        assert_eq!(written, 20);
        server.stop().await;
    }
}

#[tokio::test]
async fn a_request_id_must_be_a_canonical_uuid4() {
    for database in backends() {
        let server = TestServer::start(database.as_deref()).await;
        let channel = server.channel().await;
        let token = server.admin_token();
        let mut hospitals = HospitalServiceClient::new(channel.clone());
        let mut events = EventServiceClient::new(channel.clone());
        let v4 = uuid::Uuid::new_v4();
        for bad in [
            "not-a-uuid".to_owned(),
            String::new(),
            v4.to_string().to_uppercase(),
            v4.simple().to_string(),
            format!("{{{v4}}}"),
            // A UUIDv7 is a UUID, but not the documented version 4.
            "0192f1c4-7a2b-7c3d-8e4f-5a6b7c8d9e0f".to_owned(),
        ] {
            let mut request = register_request(&huining(), "会宁县人民医院", "620422");
            request.request_id = bad.clone();
            let status = hospitals
                .register_hospital(authed(&token, request))
                .await
                .unwrap_err();
            let reason = if bad.is_empty() {
                "VALUE_EMPTY"
            } else {
                "VALUE_OUT_OF_RANGE"
            };
            assert_refused(&status, Code::InvalidArgument, reason);
            let field = status
                .get_error_details()
                .bad_request()
                .and_then(|b| b.field_violations.first().map(|v| v.field.clone()));
            assert_eq!(field.as_deref(), Some("request_id"), "{bad:?}: {status:?}");
        }
        assert_eq!(head(&mut events, &token).await, 0);
        hospitals
            .register_hospital(authed(
                &token,
                register_request(&huining(), "会宁县人民医院", "620422"),
            ))
            .await
            .unwrap();
        server.stop().await;
    }
}
