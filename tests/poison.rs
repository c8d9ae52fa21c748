//! No input can poison the log or a read model: a property test over the write RPCs that carry free
//! text and dates, with valid and hostile values (NUL, C0/C1 controls, DEL, bidi overrides and
//! isolates, noncharacters, blank, maximum and over-maximum lengths, dates outside what a
//! `google.protobuf.Timestamp` holds, a division outside the credit code's province).
//!
//! Each request is either refused with INVALID_ARGUMENT naming a field that was given a hostile value,
//! or recorded; then every projection on the backend has applied every event (none failed), and every
//! event is served back by the feed in binary and in a form JSON clients decode (timestamps inside
//! 0001-01-01..9999-12-31, payload and metadata valid JSON free of control characters).

use std::time::Duration;

use api::medaid::v1 as pb;
use api::medaid::v1::correction_service_client::CorrectionServiceClient;
use api::medaid::v1::event_service_client::EventServiceClient;
use api::medaid::v1::hospital_service_client::HospitalServiceClient;
use api::medaid::v1::projection_admin_service_client::ProjectionAdminServiceClient;
use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::{Config as ProptestConfig, TestRng, TestRunner};
use tonic::Code;
use tonic::transport::Channel;
use tonic_types::StatusExt;

use crate::common::{TestServer, authed, backends, org, request_id};

/// A generated value and whether the server must accept it.
#[derive(Debug, Clone)]
struct Value {
    text: String,
    valid: bool,
}

fn valid(text: impl Into<String>) -> Value {
    Value {
        text: text.into(),
        valid: true,
    }
}

fn hostile(text: impl Into<String>) -> Value {
    Value {
        text: text.into(),
        valid: false,
    }
}

/// Text of at most `max` characters; `multiline` fields may also hold line feeds and tabs.
fn text(max: usize, multiline: bool) -> impl Strategy<Value = Value> {
    let poison = prop::sample::select(vec![
        '\u{0}', '\u{7}', '\u{1b}', '\n', '\r', '\t', '\u{7f}', '\u{85}', '\u{9f}', '\u{202a}',
        '\u{202e}', '\u{2066}', '\u{2069}', '\u{2028}', '\u{fffe}', '\u{ffff}',
    ]);
    let base = prop::sample::select(vec![
        "会宁县人民医院",
        "Huining County People's Hospital",
        "胸痛中心 № 1 — 2024",
        "ç'è (é) ü",
    ]);
    prop_oneof![
        base.clone().prop_map(valid),
        (base, poison, 0usize..8).prop_map(move |(base, c, at)| {
            let mut chars: Vec<char> = base.chars().collect();
            chars.insert(at.min(chars.len()), c);
            let text: String = chars.into_iter().collect();
            if multiline && matches!(c, '\n' | '\t') {
                valid(text)
            } else {
                hostile(text)
            }
        }),
        Just(valid("医".repeat(max))),
        Just(hostile("医".repeat(max + 1))),
        Just(hostile("   ")),
        Just(hostile("")),
    ]
}

fn date() -> impl Strategy<Value = Value> {
    prop_oneof![
        prop::sample::select(vec!["2024-09-15", "1900-01-01", "2010-02-28", "2020-02-29"])
            .prop_map(valid),
        prop::sample::select(vec![
            "0000-01-01",
            "0001-01-01",
            "1899-12-31",
            "2200-01-01",
            "9999-12-31",
            "2024-02-30",
            "24-01-01",
            "+12024-01-01",
            "2024-01-01\u{0}",
        ])
        .prop_map(hostile),
    ]
}

/// A division in the credit code's province (Gansu), or in another one.
fn division() -> impl Strategy<Value = Value> {
    prop_oneof![
        prop::sample::select(vec!["620422", "620000", "620102"]).prop_map(valid),
        prop::sample::select(vec!["520627", "110000"]).prop_map(hostile),
    ]
}

#[derive(Debug, Clone)]
struct Case {
    name: Value,
    division: Value,
    registered_on: Value,
    certifier: Value,
    certified_on: Value,
    retraction_reason: Value,
}

fn case() -> impl Strategy<Value = Case> {
    (
        text(100, false),
        division(),
        date(),
        text(200, false),
        date(),
        text(500, true),
    )
        .prop_map(
            |(name, division, registered_on, certifier, certified_on, retraction_reason)| Case {
                name,
                division,
                registered_on,
                certifier,
                certified_on,
                retraction_reason,
            },
        )
}

/// Checks a write's answer against the oracle: recorded when every field is valid, otherwise
/// INVALID_ARGUMENT naming one of the hostile fields.
fn check_answer<T: std::fmt::Debug>(
    answer: &Result<tonic::Response<T>, tonic::Status>,
    fields: &[(&str, &Value)],
) -> bool {
    let hostile: Vec<&str> = fields
        .iter()
        .filter(|(_, v)| !v.valid)
        .map(|(f, _)| *f)
        .collect();
    match answer {
        Ok(_) => {
            assert!(
                hostile.is_empty(),
                "recorded despite hostile {hostile:?}: {fields:?}"
            );
            true
        }
        Err(status) => {
            assert_eq!(
                status.code(),
                Code::InvalidArgument,
                "{status:?} for {fields:?}"
            );
            assert!(status.get_details_error_info().is_some(), "{status:?}");
            let details = status.get_error_details();
            let named = details
                .bad_request()
                .and_then(|b| b.field_violations.first().map(|v| v.field.clone()))
                .unwrap_or_default();
            assert!(
                hostile.contains(&named.as_str()),
                "refused naming {named:?}, hostile were {hostile:?}: {status:?}"
            );
            // The message names the problem without echoing a raw control character.
            assert!(
                !status.message().chars().any(|c| c.is_control()),
                "{:?}",
                status.message()
            );
            false
        }
    }
}

async fn run_case(channel: &Channel, token: &str, n: u32, case: &Case) {
    let mut hospitals = HospitalServiceClient::new(channel.clone());
    let code = org("620422", 10_000 + n);
    let registered = hospitals
        .register_hospital(authed(
            token,
            pb::RegisterHospitalRequest {
                request_id: request_id(),
                hospital: code.clone(),
                name: case.name.text.clone(),
                division: case.division.text.clone(),
                category: "A100".into(),
                registered_on: case.registered_on.text.clone(),
                ..Default::default()
            },
        ))
        .await;
    let recorded = check_answer(
        &registered,
        &[
            ("name", &case.name),
            ("division", &case.division),
            ("registered_on", &case.registered_on),
        ],
    );
    if !recorded {
        return;
    }
    let certified = hospitals
        .record_center_certification(authed(
            token,
            pb::RecordCenterCertificationRequest {
                request_id: request_id(),
                hospital: code.clone(),
                center: pb::CenterType::Stroke.into(),
                certifier: case.certifier.text.clone(),
                certified_on: case.certified_on.text.clone(),
                ..Default::default()
            },
        ))
        .await;
    if !check_answer(
        &certified,
        &[
            ("certifier", &case.certifier),
            ("certified_on", &case.certified_on),
        ],
    ) {
        return;
    }
    let retracted = CorrectionServiceClient::new(channel.clone())
        .retract_event(authed(
            token,
            pb::RetractEventRequest {
                request_id: request_id(),
                stream_id: format!("hospital-{code}"),
                stream_version: 2,
                reason: case.retraction_reason.text.clone(),
                ..Default::default()
            },
        ))
        .await;
    check_answer(&retracted, &[("reason", &case.retraction_reason)]);
}

/// Inside what `google.protobuf.Timestamp` (and so its JSON form) holds.
fn decodable(timestamp: Option<&prost_types::Timestamp>) -> bool {
    timestamp.is_none_or(|t| {
        (-62_135_596_800..=253_402_300_799).contains(&t.seconds)
            && (0..1_000_000_000).contains(&t.nanos)
    })
}

/// Every event of the log, through ListEvents pages, each checked for JSON clients.
async fn check_feed(channel: &Channel, token: &str) -> usize {
    let mut events = EventServiceClient::new(channel.clone());
    let mut page_token = String::new();
    let mut count = 0;
    loop {
        let page = events
            .list_events(authed(
                token,
                pb::ListEventsRequest {
                    page_size: 1000,
                    page_token: page_token.clone(),
                    ..Default::default()
                },
            ))
            .await
            .unwrap()
            .into_inner();
        for event in &page.events {
            count += 1;
            assert!(decodable(event.occurred_from.as_ref()), "{event:?}");
            assert!(decodable(event.occurred_to.as_ref()), "{event:?}");
            assert!(decodable(event.recorded_at.as_ref()), "{event:?}");
            for json in [&event.payload, &event.metadata_json] {
                let _: serde_json::Value = serde_json::from_str(json).unwrap();
                assert!(
                    !json.chars().any(|c| c.is_control() && c != '\n'),
                    "raw control character in {json:?}"
                );
            }
            // GetEvent serves the same event in binary.
            let single = events
                .get_event(authed(
                    token,
                    pb::GetEventRequest {
                        position: event.position,
                    },
                ))
                .await
                .unwrap()
                .into_inner();
            assert_eq!(single.event.as_ref(), Some(event));
        }
        if page.next_page_token.is_empty() {
            return count;
        }
        page_token = page.next_page_token;
    }
}

/// Waits until every projection has applied the whole log; fails if one stopped.
async fn check_projections(channel: &Channel, token: &str, head: u64) {
    let mut admin = ProjectionAdminServiceClient::new(channel.clone());
    for _ in 0..200 {
        let list = admin
            .list_projections(authed(token, pb::ListProjectionsRequest {}))
            .await
            .unwrap()
            .into_inner();
        for projection in &list.projections {
            assert_ne!(
                projection.state(),
                pb::ProjectionState::Failed,
                "projection {} failed: {:?}",
                projection.name,
                projection.failure
            );
        }
        if list
            .projections
            .iter()
            .filter(|p| p.active)
            .all(|p| p.position >= head)
        {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("the projections did not reach position {head}");
}

#[tokio::test]
async fn hostile_writes_are_refused_naming_the_field_or_applied_and_served_everywhere() {
    for database in backends() {
        let server = TestServer::start(database.as_deref()).await;
        let channel = server.channel().await;
        let token = server.admin_token();
        let mut runner = TestRunner::new_with_rng(
            ProptestConfig::default(),
            TestRng::deterministic_rng(proptest::test_runner::RngAlgorithm::ChaCha),
        );
        let strategy = case();
        for n in 0..48 {
            let case = strategy.new_tree(&mut runner).unwrap().current();
            run_case(&channel, &token, n, &case).await;
        }
        let count = check_feed(&channel, &token).await;
        assert!(count > 0, "no case was recorded");
        let admin = server.token(&["admin"], &["*"]);
        check_projections(&channel, &admin, count as u64).await;
        server.stop().await;
    }
}
