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
