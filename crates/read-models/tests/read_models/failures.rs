//! Events a read model cannot parse stop it with the reason; event types it does not read are
//! filtered out and never reach it.

use std::time::Duration;

use event_store::{AppendMetadata, BusinessTime, ExpectedVersion, NewEvent, TimePrecision};
use projector::ProjectionState;
use serde_json::json;

use crate::support::{Env, on_both};

async fn append_raw(env: &Env, stream: &str, event_type: &str, payload: serde_json::Value) -> u64 {
    env.store
        .append(
            stream,
            ExpectedVersion::Any,
            vec![NewEvent {
                event_type: event_type.into(),
                schema_version: 1,
                payload,
                occurred: BusinessTime {
                    from_us: 0,
                    to_us: 0,
                    precision: TimePrecision::Day,
                },
                tags: Vec::new(),
            }],
            &uuid::Uuid::new_v4().to_string(),
            AppendMetadata {
                actor: "recorder:test".into(),
                ..AppendMetadata::default()
            },
        )
        .await
        .unwrap()
        .first_position
}

async fn malformed_payload_stops_only_the_models_that_read_it(env: Env) {
    append_raw(&env, "other-1", "SomethingNobodyReads", json!({"x": 1})).await;
    let bad = append_raw(
        &env,
        "deployment-00000000-0000-0000-0000-000000000001",
        "MemberArrived",
        json!({"deployment_id": "not a uuid"}),
    )
    .await;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    // The scoreboard does not read MemberArrived: it passes the bad event.
    env.projector
        .wait_for("pairing_scoreboard", bad + 1, deadline)
        .await
        .unwrap();
    loop {
        let statuses = env.projector.status().await.unwrap();
        let roster = statuses
            .iter()
            .find(|s| s.name == "on_site_roster" && s.active)
            .unwrap();
        if roster.state == ProjectionState::Failed {
            let failure = roster.failure.clone().unwrap();
            assert_eq!(failure.position, bad);
            assert!(
                failure.reason.contains("EVENT_PAYLOAD_MALFORMED"),
                "{}",
                failure.reason
            );
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "the roster never failed: {roster:?}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}
on_both!(malformed_payload_stops_only_the_models_that_read_it);
