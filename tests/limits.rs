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

/// A `RecordContext` with one evidence item whose SHA-256 has `bytes` bytes (32 is the documented size).
fn evidence(bytes: usize) -> pb::RecordContext {
    pb::RecordContext {
        evidence: vec![pb::Evidence {
            uri: "https://wsjkw.gansu.gov.cn/notice/2024/1.html".into(),
            sha256: vec![7; bytes],
            description: String::new(),
        }],
        ..Default::default()
    }
}

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
            (evidence(31), "context.evidence[0].sha256"),
            (evidence(33), "context.evidence[0].sha256"),
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
        request.context = Some(pb::RecordContext {
            evidence: evidence(32).evidence,
            ..context("c".repeat(128), "0192f1c4-7a2b-7c3d-8e4f-5a6b7c8d9e0f")
        });
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
        // page_size: larger than the maximum is lowered to it, negative is refused.
        events
            .list_events(authed(
                &token,
                pb::ListEventsRequest {
                    page_size: 1001,
                    ..Default::default()
                },
            ))
            .await
            .unwrap();
        let negative = events
            .list_events(authed(
                &token,
                pb::ListEventsRequest {
                    page_size: -1,
                    ..Default::default()
                },
            ))
            .await
            .unwrap_err();
        assert_refused(&negative, Code::InvalidArgument, "INVALID_FIELD");
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

/// Every RPC with a `filter` field (from the descriptor) refuses what it cannot evaluate, and a
/// filter one character past the documented 2048, with INVALID_FILTER: one parser behind them all.
#[tokio::test]
async fn every_filtered_rpc_refuses_what_it_cannot_evaluate() {
    use prost::Message;
    use prost_reflect::{DynamicMessage, Value};

    use crate::descriptor::rpcs;
    use crate::recorder::unary;

    let server = TestServer::start(None).await;
    let token = server.admin_token();
    let channel = server.channel().await;
    let filtered: Vec<_> = rpcs()
        .into_iter()
        .filter(|rpc| rpc.input.get_field_by_name("filter").is_some())
        .collect();
    assert!(filtered.len() >= 4, "{} filtered RPCs", filtered.len());
    for rpc in &filtered {
        for filter in [
            "no_such_field = 1".to_owned(),
            format!("a = \"{}\"", "x".repeat(2048)),
            "(".to_owned(),
        ] {
            let mut request = DynamicMessage::new(rpc.input.clone());
            request.set_field_by_name("filter", Value::String(filter.clone()));
            let refused = unary(&channel, &rpc.path, request.encode_to_vec(), Some(&token))
                .await
                .expect_err(&format!("{} accepted filter {filter:.40}", rpc.path));
            assert_refused(&refused, Code::InvalidArgument, "INVALID_FILTER");
        }
    }
    server.stop().await;
}

/// Every numeric limit a request field's comment states is pinned by a test: "at most N
/// characters/entries" generically by `tests/poison.rs` (through `descriptor::limits`), anything
/// else ("exactly 32 bytes", "at most 64 values") by a test named here. A new limit in a comment
/// that neither reads fails this test until it is pinned.
#[test]
fn every_limit_a_comment_states_is_pinned() {
    use crate::descriptor::{comment, limits};

    /// Limits in other words than the generic reader understands, with the test that pins each.
    const PINNED_ELSEWHERE: &[(&str, &str)] = &[
        (
            "medaid.v1.Evidence.sha256",
            "limits::unknown_streams_are_stream_not_found_and_context_limits_hold",
        ),
        (
            "medaid.v1.SubscribeEventsRequest.stream_categories",
            "feed_filters::the_event_feed_filter_is_aip160_and_refuses_what_it_cannot_evaluate",
        ),
    ];
    let units = [
        "characters",
        "entries",
        "values",
        "bytes",
        "items",
        "comparisons",
        "levels",
    ];
    // The request messages and every message reachable from them: what callers send.
    let mut sent: Vec<prost_reflect::MessageDescriptor> = crate::descriptor::rpcs()
        .into_iter()
        .map(|rpc| rpc.input)
        .collect();
    let mut seen = std::collections::BTreeSet::new();
    let mut unpinned = Vec::new();
    while let Some(message) = sent.pop() {
        if message.package_name() != "medaid.v1" || !seen.insert(message.full_name().to_owned()) {
            continue;
        }
        for field in message.fields() {
            if let prost_reflect::Kind::Message(inner) = field.kind() {
                sent.push(inner);
            }
            let text = comment(&field);
            let words: Vec<&str> = text.split_whitespace().collect();
            let states_a_limit = words.windows(2).any(|pair| {
                pair[0].replace(',', "").parse::<usize>().is_ok()
                    && units.contains(&pair[1].trim_end_matches(['.', ',', ';', ')']))
            });
            let read = limits(&text);
            let generic = read.characters.is_some() || read.entries.is_some();
            let name = field.full_name().to_owned();
            let listed = PINNED_ELSEWHERE.iter().any(|(f, _)| *f == name);
            if states_a_limit && !generic && !listed {
                unpinned.push(format!("{name}: {text}"));
            }
            if listed && (!states_a_limit || generic) {
                unpinned.push(format!("{name} is listed but needs no entry: {text}"));
            }
        }
    }
    assert!(
        unpinned.is_empty(),
        "limits no test pins (pin them and list them in PINNED_ELSEWHERE):\n{}",
        unpinned.join("\n")
    );
}
