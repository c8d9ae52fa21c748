//! The event feed: single events, AIP-158 pages, and a live subscription with heartbeats.

use std::time::Duration;

use api::medaid::v1 as pb;
use api::medaid::v1::event_service_client::EventServiceClient;
use api::medaid::v1::hospital_service_client::HospitalServiceClient;
use futures_util::StreamExt;
use tonic::Code;

use crate::common::{TestServer, authed, backends, huining, lzu_first, org};
use crate::coverage::{Tour, assert_tour_called};
use crate::flow::register_request;

#[tokio::test]
async fn the_feed_pages_and_follows_the_log() {
    for database in backends() {
        let server = TestServer::start(database.as_deref()).await;
        let channel = server.channel().await;
        let token = server.admin_token();
        let mut hospitals = HospitalServiceClient::new(channel.clone());
        let mut events = EventServiceClient::new(channel.clone());

        // Subscribe first, with a short heartbeat, then write.
        let mut stream = events
            .subscribe_events(authed(
                &token,
                pb::SubscribeEventsRequest {
                    heartbeat_interval: Some(prost_types::Duration {
                        seconds: 0,
                        nanos: 200_000_000,
                    }),
                    ..Default::default()
                },
            ))
            .await
            .unwrap()
            .into_inner();
        let codes = [lzu_first(), huining(), org("620421", 3)];
        for (i, code) in codes.iter().enumerate() {
            let division = ["620102", "620422", "620421"][i];
            hospitals
                .register_hospital(authed(&token, register_request(code, "医院", division)))
                .await
                .unwrap();
        }
        let mut seen = Vec::new();
        let mut heartbeats = 0;
        while seen.len() < codes.len() || heartbeats == 0 {
            let item = tokio::time::timeout(Duration::from_secs(10), stream.next())
                .await
                .expect("the feed delivers within the timeout")
                .expect("the feed stays open")
                .unwrap();
            match item.item {
                Some(pb::subscribe_events_response::Item::Event(event)) => seen.push(event),
                Some(pb::subscribe_events_response::Item::Heartbeat(beat)) => {
                    assert!(beat.head_position.is_some());
                    heartbeats += 1;
                }
                None => panic!("an empty feed item"),
            }
        }
        let positions: Vec<u64> = seen.iter().map(|e| e.position).collect();
        assert_eq!(positions, vec![0, 1, 2], "in log order");
        let streams: Vec<String> = seen.iter().map(|e| e.stream_id.clone()).collect();
        let expected: Vec<String> = codes.iter().map(|c| format!("hospital-{c}")).collect();
        assert_eq!(streams, expected);
        drop(stream);

        // GetEvent and NOT_FOUND past the head.
        let first = events
            .get_event(authed(&token, pb::GetEventRequest { position: 0 }))
            .await
            .unwrap()
            .into_inner()
            .event
            .unwrap();
        assert_eq!(first.event_type, "HospitalRegistered");
        assert_eq!(first.leaf_hash.len(), 32);
        let missing = events
            .get_event(authed(&token, pb::GetEventRequest { position: 99 }))
            .await
            .unwrap_err();
        assert_eq!(missing.code(), Code::NotFound);

        // ListEvents in pages of two; the token is bound to its filter.
        let page = events
            .list_events(authed(
                &token,
                pb::ListEventsRequest {
                    page_size: 2,
                    page_token: String::new(),
                    filter: "category=hospital".into(),
                },
            ))
            .await
            .unwrap()
            .into_inner();
        assert_eq!(page.events.len(), 2);
        assert!(!page.next_page_token.is_empty());
        let reused = events
            .list_events(authed(
                &token,
                pb::ListEventsRequest {
                    page_size: 2,
                    page_token: page.next_page_token.clone(),
                    filter: "category=pairing".into(),
                },
            ))
            .await
            .unwrap_err();
        assert_eq!(reused.code(), Code::InvalidArgument);
        let rest = events
            .list_events(authed(
                &token,
                pb::ListEventsRequest {
                    page_size: 2,
                    page_token: page.next_page_token,
                    filter: "category=hospital".into(),
                },
            ))
            .await
            .unwrap()
            .into_inner();
        assert_eq!(rest.events.len(), 1);
        assert!(rest.next_page_token.is_empty());

        // ListStreamEvents of one hospital.
        let stream_page = events
            .list_stream_events(authed(
                &token,
                pb::ListStreamEventsRequest {
                    stream_id: format!("hospital-{}", huining()),
                    page_size: 0,
                    ..Default::default()
                },
            ))
            .await
            .unwrap()
            .into_inner();
        assert_eq!(stream_page.events.len(), 1);
        assert!(stream_page.next_page_token.is_empty());
        assert_tour_called(&server, Tour::Feed);
        server.stop().await;
    }
}
