//! Bearer tokens: the dev-token round trip, refusals with ErrorInfo, and trace context.

use server::auth::dev_keys::{DevKeyPair, TokenRequest, claims_for};
use server::cli::dev_token;

use crate::common::{TestServer, assert_unauthenticated, bearer, token_args, who_am_i};

#[tokio::test]
async fn calls_without_a_valid_token_are_unauthenticated_with_error_info() {
    let server = TestServer::configured(|_| {}).await;
    let missing = who_am_i(server.channel().await, &[], String::new())
        .await
        .unwrap_err();
    assert_unauthenticated(&missing, "TOKEN_MISSING");
    let garbage = who_am_i(
        server.channel().await,
        &[bearer("not-a-jwt")],
        String::new(),
    )
    .await
    .unwrap_err();
    assert_unauthenticated(&garbage, "TOKEN_INVALID");
    assert!(
        !garbage.message().contains("JWT"),
        "no verifier details leak: {}",
        garbage.message()
    );
    let basic = who_am_i(
        server.channel().await,
        &[("authorization", "Basic abc".into())],
        String::new(),
    )
    .await;
    assert_unauthenticated(&basic.unwrap_err(), "TOKEN_INVALID");
    server.shut_down().await.unwrap();
}

#[tokio::test]
async fn a_dev_token_round_trips_to_its_principal() {
    let server = TestServer::configured(|_| {}).await;
    let token = dev_token(
        &server.config,
        &token_args(&["recorder", "reader"], &["62", "12100000400000624D"]),
    )
    .unwrap();
    let me = who_am_i(server.channel().await, &[bearer(&token)], String::new())
        .await
        .unwrap();
    assert_eq!(me["subject"], "tester");
    assert_eq!(me["roles"], serde_json::json!(["recorder", "reader"]));
    assert_eq!(me["provinces"], serde_json::json!(["62"]));
    assert_eq!(
        me["organisations"],
        serde_json::json!(["12100000400000624D"])
    );
    assert_eq!(me["all"], false);
    server.shut_down().await.unwrap();
}

#[tokio::test]
async fn foreign_expired_and_misaddressed_tokens_are_refused() {
    let server = TestServer::configured(|_| {}).await;
    let request = TokenRequest {
        subject: "x".into(),
        roles: vec!["admin".into()],
        scope: vec!["*".into()],
        ttl_secs: 600,
    };

    let foreign = DevKeyPair::ephemeral()
        .sign(&claims_for(&server.config.auth, &request))
        .unwrap();
    let status = who_am_i(server.channel().await, &[bearer(&foreign)], String::new())
        .await
        .unwrap_err();
    assert_unauthenticated(&status, "TOKEN_INVALID");

    let pair = DevKeyPair::load_or_create(&server.config.data_dir).unwrap();
    let now = server::clock::unix_seconds();
    let mut expired = claims_for(&server.config.auth, &request);
    expired.iat = now - 7_200;
    expired.exp = now - 3_600;
    let status = who_am_i(
        server.channel().await,
        &[bearer(&pair.sign(&expired).unwrap())],
        String::new(),
    )
    .await;
    assert_unauthenticated(&status.unwrap_err(), "TOKEN_EXPIRED");

    let mut elsewhere = claims_for(&server.config.auth, &request);
    elsewhere.aud = "another-service".into();
    let status = who_am_i(
        server.channel().await,
        &[bearer(&pair.sign(&elsewhere).unwrap())],
        String::new(),
    )
    .await;
    assert_unauthenticated(&status.unwrap_err(), "TOKEN_INVALID");

    let mut unknown_role = claims_for(&server.config.auth, &request);
    unknown_role.roles = vec!["superuser".into()];
    let status = who_am_i(
        server.channel().await,
        &[bearer(&pair.sign(&unknown_role).unwrap())],
        String::new(),
    )
    .await;
    assert_unauthenticated(&status.unwrap_err(), "TOKEN_INVALID");
    server.shut_down().await.unwrap();
}

#[tokio::test]
async fn the_callers_traceparent_becomes_the_request_trace() {
    let server = TestServer::configured(|_| {}).await;
    let token = dev_token(&server.config, &token_args(&["reader"], &["*"])).unwrap();
    let trace_id = "4bf92f3577b34da6a3ce929d0e0e4736";
    let traceparent = ("traceparent", format!("00-{trace_id}-00f067aa0ba902b7-01"));
    let me = who_am_i(
        server.channel().await,
        &[bearer(&token), traceparent],
        String::new(),
    )
    .await
    .unwrap();
    assert_eq!(me["trace_id"], trace_id);
    // Without a caller context the server still starts a trace, so events always get a trace id.
    let me = who_am_i(server.channel().await, &[bearer(&token)], String::new())
        .await
        .unwrap();
    let own = me["trace_id"].as_str().unwrap();
    assert_eq!(own.len(), 32);
    assert_ne!(own, trace_id);
    server.shut_down().await.unwrap();
}

#[tokio::test]
async fn production_refuses_dev_keys_at_start() {
    let dir = tempfile::tempdir().unwrap();
    let mut config = crate::common::test_config(dir.path());
    config.environment = server::config::Environment::Production;
    let error = config.validate().unwrap_err().to_string();
    assert!(
        error.contains("production") && error.contains("development keys"),
        "{error}"
    );
    let refused = dev_token(&config, &token_args(&["admin"], &["*"])).unwrap_err();
    assert!(refused.to_string().contains("production"), "{refused}");
}
