//! The event feed's filters and resumption, and the trace id a caller's `traceparent` leaves in
//! the events it writes.

use std::time::Duration;

use api::medaid::v1 as pb;
use api::medaid::v1::event_service_client::EventServiceClient;
use api::medaid::v1::hospital_service_client::HospitalServiceClient;
use futures_util::StreamExt;
use tonic::Streaming;

use crate::common::{TestServer, authed, backends, org};
use crate::flow::register_request;

/// Reads events from a subscription until `count` have arrived, skipping heartbeats.
async fn next_events(
    stream: &mut Streaming<pb::SubscribeEventsResponse>,
    count: usize,
) -> Vec<pb::Event> {
    let mut events = Vec::new();
    while events.len() < count {
        let item = tokio::time::timeout(Duration::from_secs(10), stream.next())
            .await
            .expect("the feed delivers within the timeout")
            .expect("the feed stays open")
            .unwrap();
        if let Some(pb::subscribe_events_response::Item::Event(event)) = item.item {
            events.push(event);
        }
    }
    events
}

#[tokio::test]
async fn subscriptions_filter_by_province_and_resume_after_a_position() {
    for database in backends() {
        let server = TestServer::start(database.as_deref()).await;
        let channel = server.channel().await;
        let token = server.admin_token();
        let mut hospitals = HospitalServiceClient::new(channel.clone());
        // Gansu, Guizhou, Gansu, Guizhou: positions 0 to 3.
        let registered = [
            (org("620422", 1), "620422"),
            (org("520627", 2), "520627"),
            (org("620421", 3), "620421"),
            (org("520600", 4), "520600"),
        ];
        for (code, division) in &registered {
            hospitals
                .register_hospital(authed(&token, register_request(code, "医院", division)))
                .await
                .unwrap();
        }
        let mut events = EventServiceClient::new(channel.clone());
        let mut guizhou = events
            .subscribe_events(authed(
                &token,
                pb::SubscribeEventsRequest {
                    province_codes: vec!["52".into()],
                    ..Default::default()
                },
            ))
            .await
            .unwrap()
            .into_inner();
        let seen = next_events(&mut guizhou, 2).await;
        let positions: Vec<u64> = seen.iter().map(|e| e.position).collect();
        assert_eq!(positions, vec![1, 3], "only Guizhou's events, in order");

        // A client that saw position 1 resumes after it and misses nothing, repeats nothing.
        let mut resumed = events
            .subscribe_events(authed(
                &token,
                pb::SubscribeEventsRequest {
                    after_position: Some(1),
                    ..Default::default()
                },
            ))
            .await
            .unwrap()
            .into_inner();
        let seen = next_events(&mut resumed, 2).await;
        let positions: Vec<u64> = seen.iter().map(|e| e.position).collect();
        assert_eq!(positions, vec![2, 3]);
        // And it goes on live: a later write arrives on both subscriptions.
        let (code, division) = (org("520627", 5), "520627");
        hospitals
            .register_hospital(authed(&token, register_request(&code, "医院", division)))
            .await
            .unwrap();
        assert_eq!(next_events(&mut resumed, 1).await[0].position, 4);
        assert_eq!(next_events(&mut guizhou, 1).await[0].position, 4);
        server.stop().await;
    }
}

#[tokio::test]
async fn the_callers_traceparent_is_stored_with_the_events_it_writes() {
    for database in backends() {
        let server = TestServer::start(database.as_deref()).await;
        let channel = server.channel().await;
        let token = server.admin_token();
        let trace_id = "4bf92f3577b34da6a3ce929d0e0e4736";
        let mut request = authed(
            &token,
            register_request(&org("620422", 1), "医院", "620422"),
        );
        let traceparent = format!("00-{trace_id}-00f067aa0ba902b7-01");
        request
            .metadata_mut()
            .insert("traceparent", traceparent.parse().unwrap());
        let written = HospitalServiceClient::new(channel.clone())
            .register_hospital(request)
            .await
            .unwrap()
            .into_inner();
        let position = written.result.unwrap().positions[0];
        let event = EventServiceClient::new(channel)
            .get_event(authed(&token, pb::GetEventRequest { position }))
            .await
            .unwrap()
            .into_inner()
            .event
            .unwrap();
        assert_eq!(event.metadata.unwrap().trace_id, trace_id);
        server.stop().await;
    }
}

/// The positions `filter` lists, all pages followed.
async fn listed(
    events: &mut EventServiceClient<tonic::transport::Channel>,
    token: &str,
    filter: &str,
) -> Result<Vec<u64>, tonic::Status> {
    let mut positions = Vec::new();
    let mut page_token = String::new();
    loop {
        let page = events
            .list_events(authed(
                token,
                pb::ListEventsRequest {
                    page_size: 2,
                    page_token: page_token.clone(),
                    filter: filter.to_owned(),
                },
            ))
            .await?
            .into_inner();
        positions.extend(page.events.iter().map(|e| e.position));
        if page.next_page_token.is_empty() {
            return Ok(positions);
        }
        page_token = page.next_page_token;
    }
}

#[tokio::test]
async fn the_event_feed_filter_is_aip160_and_refuses_what_it_cannot_evaluate() {
    use crate::common::{assert_refused, request_id};
    use tonic::Code;
    for database in backends() {
        let server = TestServer::start(database.as_deref()).await;
        let channel = server.channel().await;
        let token = server.admin_token();
        let mut hospitals = HospitalServiceClient::new(channel.clone());
        // Positions 0-2: three hospitals; position 3: a certification of the first.
        let codes = [org("620422", 1), org("520627", 2), org("620421", 3)];
        for (code, division) in codes.iter().zip(["620422", "520627", "620421"]) {
            hospitals
                .register_hospital(authed(&token, register_request(code, "医院", division)))
                .await
                .unwrap();
        }
        hospitals
            .record_center_certification(authed(
                &token,
                pb::RecordCenterCertificationRequest {
                    request_id: request_id(),
                    hospital: codes[0].clone(),
                    center: pb::CenterType::Stroke.into(),
                    certifier: "国家卫生健康委脑卒中防治工程委员会".into(),
                    certified_on: "2023-05-01".into(),
                    ..Default::default()
                },
            ))
            .await
            .unwrap();
        let mut events = EventServiceClient::new(channel.clone());
        let first = format!("hospital-{}", codes[0]);
        for (filter, expected) in [
            ("", vec![0, 1, 2, 3]),
            (
                r#"event_type = "HospitalRegistered" OR event_type = "CenterCertified""#,
                vec![0, 1, 2, 3],
            ),
            (
                r#"event_type = "HospitalRegistered" AND event_type = "CenterCertified""#,
                vec![],
            ),
            (r#"event_type = "CenterCertified""#, vec![3]),
            ("position >= 1 AND position < 3", vec![1, 2]),
            ("position > 2", vec![3]),
            (&format!(r#"stream_id = "{first}""#), vec![0, 3]),
            (r#"province_code = "520000""#, vec![1]),
            (
                r#"stream_category = "hospital" AND NOT province_code = "520000""#,
                vec![0, 2, 3],
            ),
            (r#"recorded_at >= "2000-01-01T00:00:00Z""#, vec![0, 1, 2, 3]),
            (r#"recorded_at < "2000-01-01T00:00:00Z""#, vec![]),
        ] {
            assert_eq!(
                listed(&mut events, &token, filter).await.unwrap(),
                expected,
                "{filter}"
            );
        }
        let huge = format!(r#"event_type = "{}""#, "x".repeat(10_000));
        for bad in [
            r#"event_type = "HospitalRegistered" and position > 0"#,
            r#"event_type = "HospitalRegistred""#,
            "colour = red",
            "HospitalRegistered",
            huge.as_str(),
        ] {
            let refused = listed(&mut events, &token, bad).await.unwrap_err();
            assert_refused(&refused, Code::InvalidArgument, "INVALID_FILTER");
            assert!(
                refused.message().len() < 1024,
                "{}",
                refused.message().len()
            );
        }
        // Positions past i64::MAX exist nowhere: NOT_FOUND, not INTERNAL.
        let missing = events
            .get_event(authed(&token, pb::GetEventRequest { position: u64::MAX }))
            .await
            .unwrap_err();
        assert_refused(&missing, Code::NotFound, "EVENT_NOT_FOUND");
        let beyond = events
            .list_stream_events(authed(
                &token,
                pb::ListStreamEventsRequest {
                    stream_id: first.clone(),
                    after_version: Some(u64::MAX - 1),
                    ..Default::default()
                },
            ))
            .await
            .unwrap()
            .into_inner();
        assert!(beyond.events.is_empty());
        // Subscriptions refuse unknown values and oversized lists instead of matching nothing.
        for (request, reason) in [
            (
                pb::SubscribeEventsRequest {
                    event_types: vec!["NoSuchEvent".into()],
                    ..Default::default()
                },
                "INVALID_FIELD",
            ),
            (
                pb::SubscribeEventsRequest {
                    stream_categories: vec!["nurse".into()],
                    ..Default::default()
                },
                "INVALID_FIELD",
            ),
            (
                pb::SubscribeEventsRequest {
                    province_codes: vec!["99".into()],
                    ..Default::default()
                },
                "INVALID_FIELD",
            ),
            (
                pb::SubscribeEventsRequest {
                    event_types: vec!["HospitalRegistered".into(); 100_000],
                    ..Default::default()
                },
                "VALUE_TOO_LONG",
            ),
            // One past the documented 64 values, in each list.
            (
                pb::SubscribeEventsRequest {
                    event_types: vec!["HospitalRegistered".into(); 65],
                    ..Default::default()
                },
                "VALUE_TOO_LONG",
            ),
            (
                pb::SubscribeEventsRequest {
                    stream_categories: vec!["hospital".into(); 65],
                    ..Default::default()
                },
                "VALUE_TOO_LONG",
            ),
            (
                pb::SubscribeEventsRequest {
                    province_codes: vec!["62".into(); 65],
                    ..Default::default()
                },
                "VALUE_TOO_LONG",
            ),
        ] {
            let Err(refused) = events.subscribe_events(authed(&token, request)).await else {
                panic!("the subscription was accepted");
            };
            assert_refused(&refused, Code::InvalidArgument, reason);
        }
        // At the limit, every list at once is accepted.
        events
            .subscribe_events(authed(
                &token,
                pb::SubscribeEventsRequest {
                    event_types: vec!["HospitalRegistered".into(); 64],
                    stream_categories: vec!["hospital".into(); 64],
                    province_codes: vec!["62".into(); 64],
                    ..Default::default()
                },
            ))
            .await
            .expect("64 values in each list are accepted");
        server.stop().await;
    }
}
