//! Limits and answers the proto states, pinned: reads of unknown streams, the `RecordContext`
//! limits on a write, and the README's description of every `[limits]` key of
//! `deploy/config.default.toml`. The limits of every write request field are pinned generically by
//! `tests/poison.rs`, from the comments of the descriptor.

use api::medaid::v1 as pb;
use api::medaid::v1::event_service_client::EventServiceClient;
use api::medaid::v1::hospital_service_client::HospitalServiceClient;
use tonic::Code;

use crate::common::{TestServer, assert_refused, authed, backends, huining};
use crate::flow::register_request;

#[tokio::test]
async fn unknown_streams_are_stream_not_found_and_context_limits_hold() {
    for database in backends() {
        let server = TestServer::start(database.as_deref()).await;
        let channel = server.channel().await;
        let token = server.admin_token();
        let mut events = EventServiceClient::new(channel.clone());
        let unknown = events
            .list_stream_events(authed(
                &token,
                pb::ListStreamEventsRequest {
                    stream_id: format!("hospital-{}", huining()),
                    ..Default::default()
                },
            ))
            .await
            .unwrap_err();
        assert_refused(&unknown, Code::NotFound, "STREAM_NOT_FOUND");

        let mut hospitals = HospitalServiceClient::new(channel.clone());
        let context = |correlation_id: String, causation_id: &str| pb::RecordContext {
            correlation_id,
            causation_id: causation_id.to_owned(),
            ..Default::default()
        };
        for (bad, field) in [
            (context("c".repeat(129), ""), "context.correlation_id"),
            (
                context("upload\u{1b}[2J".into(), ""),
                "context.correlation_id",
            ),
            (context(String::new(), "not-a-uuid"), "context.causation_id"),
        ] {
            let mut request = register_request(&huining(), "会宁县人民医院", "620422");
            request.context = Some(bad);
            let refused = hospitals
                .register_hospital(authed(&token, request))
                .await
                .unwrap_err();
            assert_eq!(refused.code(), Code::InvalidArgument, "{refused:?}");
            let named = tonic_types::StatusExt::get_error_details(&refused)
                .bad_request()
                .and_then(|b| b.field_violations.first().map(|v| v.field.clone()));
            assert_eq!(named.as_deref(), Some(field), "{refused:?}");
        }
        let mut request = register_request(&huining(), "会宁县人民医院", "620422");
        request.context = Some(context(
            "c".repeat(128),
            "0192f1c4-7a2b-7c3d-8e4f-5a6b7c8d9e0f",
        ));
        hospitals
            .register_hospital(authed(&token, request))
            .await
            .unwrap();
        // The stream exists now: its events are listed.
        let listed = events
            .list_stream_events(authed(
                &token,
                pb::ListStreamEventsRequest {
                    stream_id: format!("hospital-{}", huining()),
                    ..Default::default()
                },
            ))
            .await
            .unwrap()
            .into_inner();
        assert_eq!(listed.events.len(), 1);
        // A reader of another province may not learn that the stream exists.
        let guizhou = server.token(&["reader"], &["52"]);
        let hidden = events
            .list_stream_events(authed(
                &guizhou,
                pb::ListStreamEventsRequest {
                    stream_id: format!("hospital-{}", huining()),
                    ..Default::default()
                },
            ))
            .await
            .unwrap_err();
        assert_refused(&hidden, Code::NotFound, "STREAM_NOT_FOUND");
        server.stop().await;
    }
}

/// Every key of `[limits]` in `deploy/config.default.toml` is described in the README's configure
/// section, so a new limit cannot go undocumented.
#[test]
fn the_readme_documents_every_limit_key() {
    let defaults = include_str!("../deploy/config.default.toml");
    let readme = include_str!("../README.md");
    let section = readme
        .split("## Configure it")
        .nth(1)
        .expect("README has a configure section");
    let mut in_limits = false;
    let mut keys = Vec::new();
    for line in defaults.lines() {
        let line = line.trim();
        if line.starts_with('[') {
            in_limits = line == "[limits]";
        } else if in_limits
            && !line.starts_with('#')
            && let Some((key, _)) = line.split_once('=')
        {
            keys.push(key.trim().to_owned());
        }
    }
    assert!(keys.len() >= 8, "{keys:?}");
    let missing: Vec<&String> = keys
        .iter()
        .filter(|k| !section.contains(&format!("`limits.{k}`")))
        .collect();
    assert!(
        missing.is_empty(),
        "README's configure section does not describe {missing:?}"
    );
}
