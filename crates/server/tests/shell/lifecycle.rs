//! Health, reflection, shutdown and limits.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use server::health::HealthProbe;
use tonic::Code;
use tonic_health::pb::health_check_response::ServingStatus;
use tonic_reflection::pb::{v1, v1alpha};
use tonic_types::StatusExt;

use crate::common::{TestServer, bearer, token_args, who_am_i};
use server::cli::dev_token;

#[tokio::test]
async fn health_is_serving_then_not_serving_once_shutdown_begins() {
    let mut server = TestServer::configured(|c| c.server.drain_delay_ms = 2_000).await;
    server.wait_for_health(ServingStatus::Serving).await;
    server.begin_shutdown();
    // The drain delay keeps the server answering while health already says NOT_SERVING.
    server.wait_for_health(ServingStatus::NotServing).await;
    server.shut_down().await.unwrap();
}

#[tokio::test]
async fn a_failing_probe_turns_health_not_serving_until_it_recovers() {
    let healthy = Arc::new(AtomicBool::new(false));
    let flag = healthy.clone();
    let probe: Arc<dyn HealthProbe> = Arc::new(move || {
        let ok = flag.load(Ordering::SeqCst);
        async move {
            if ok {
                Ok(())
            } else {
                Err("database unreachable".to_owned())
            }
        }
    });
    let server = TestServer::launch(
        None,
        |c| c.server.health_probe_interval_ms = 20,
        server::RunOptions {
            health_probe: Some(probe),
            ..server::RunOptions::default()
        },
    )
    .await;
    server.wait_for_health(ServingStatus::NotServing).await;
    healthy.store(true, Ordering::SeqCst);
    server.wait_for_health(ServingStatus::Serving).await;
    server.shut_down().await.unwrap();
}

#[tokio::test]
async fn reflection_v1_and_v1alpha_list_the_services_to_authenticated_callers() {
    let server = TestServer::configured(|_| {}).await;
    let token = dev_token(&server.config, &token_args(&["reader"], &["62"])).unwrap();
    let (key, value) = bearer(&token);
    let mut client =
        v1::server_reflection_client::ServerReflectionClient::new(server.channel().await);
    let request = v1::ServerReflectionRequest {
        host: String::new(),
        message_request: Some(v1::server_reflection_request::MessageRequest::ListServices(
            String::new(),
        )),
    };
    let anonymous = client
        .server_reflection_info(futures_util::stream::iter([request.clone()]))
        .await
        .unwrap_err();
    assert_eq!(
        anonymous.code(),
        tonic::Code::Unauthenticated,
        "{anonymous:?}"
    );
    let mut authed = tonic::Request::new(futures_util::stream::iter([request]));
    authed.metadata_mut().insert(key, value.parse().unwrap());
    let mut stream = client
        .server_reflection_info(authed)
        .await
        .unwrap()
        .into_inner();
    let Some(v1::server_reflection_response::MessageResponse::ListServicesResponse(list)) =
        stream.message().await.unwrap().unwrap().message_response
    else {
        panic!("expected a service list");
    };
    let names: Vec<String> = list.service.into_iter().map(|s| s.name).collect();
    assert!(
        names.contains(&"medaid.internal.v1.Session".to_owned()),
        "{names:?}"
    );
    assert!(
        names.contains(&"grpc.health.v1.Health".to_owned()),
        "{names:?}"
    );

    let mut alpha =
        v1alpha::server_reflection_client::ServerReflectionClient::new(server.channel().await);
    let request = v1alpha::ServerReflectionRequest {
        host: String::new(),
        message_request: Some(
            v1alpha::server_reflection_request::MessageRequest::ListServices(String::new()),
        ),
    };
    let mut authed = tonic::Request::new(futures_util::stream::iter([request]));
    authed.metadata_mut().insert(key, value.parse().unwrap());
    let mut stream = alpha
        .server_reflection_info(authed)
        .await
        .unwrap()
        .into_inner();
    assert!(stream.message().await.unwrap().is_some());
    server.shut_down().await.unwrap();
}

#[tokio::test]
async fn requests_over_the_size_limit_are_refused() {
    let server = TestServer::configured(|c| c.limits.max_request_bytes = 1_024).await;
    let token = dev_token(&server.config, &token_args(&["reader"], &["*"])).unwrap();
    let small = who_am_i(server.channel().await, &[bearer(&token)], "x".repeat(100)).await;
    assert!(small.is_ok());
    let big = who_am_i(
        server.channel().await,
        &[bearer(&token)],
        "x".repeat(10_000),
    )
    .await
    .unwrap_err();
    // Too large for the server's limit: RESOURCE_EXHAUSTED naming the limit, with ErrorInfo.
    assert_eq!(big.code(), Code::ResourceExhausted, "{big:?}");
    let info = big.get_error_details().error_info().cloned().unwrap();
    assert_eq!(info.reason, "MESSAGE_TOO_LARGE");
    assert_eq!(
        info.metadata.get("limit_bytes").map(String::as_str),
        Some("1024")
    );
    server.shut_down().await.unwrap();
}

#[tokio::test]
async fn an_open_health_watch_sees_not_serving_and_cannot_hold_shutdown_open() {
    use tonic_health::pb::HealthCheckRequest;
    use tonic_health::pb::health_client::HealthClient;

    let mut server = TestServer::configured(|c| c.server.grace_period_ms = 300).await;
    server.wait_for_health(ServingStatus::Serving).await;
    let mut client = HealthClient::new(server.channel().await);
    let request = HealthCheckRequest {
        service: String::new(),
    };
    let mut watch = client.watch(request).await.unwrap().into_inner();
    let first = watch.message().await.unwrap().unwrap();
    assert_eq!(first.status, ServingStatus::Serving as i32);
    server.begin_shutdown();
    let next = watch.message().await.unwrap().unwrap();
    assert_eq!(next.status, ServingStatus::NotServing as i32);
    // The watch never ends on its own; the grace period cuts it so `run` returns.
    let started = std::time::Instant::now();
    server.shut_down().await.unwrap();
    assert!(started.elapsed() < std::time::Duration::from_secs(5));
}

#[tokio::test]
async fn a_malformed_message_is_invalid_argument_with_error_info() {
    use tonic::codegen::http::uri::PathAndQuery;
    let server = TestServer::configured(|_| {}).await;
    let token = dev_token(&server.config, &token_args(&["reader"], &["*"])).unwrap();
    let mut grpc = tonic::client::Grpc::new(server.channel().await);
    grpc.ready().await.unwrap();
    // Field 1 as bytes that are not UTF-8, where the request message has a string.
    let mut request = tonic::Request::new(vec![0xff_u8, 0xfe, 0x00]);
    let (key, value) = bearer(&token);
    request.metadata_mut().insert(key, value.parse().unwrap());
    let codec = tonic_prost::ProstCodec::<Vec<u8>, String>::default();
    let status = grpc
        .unary(
            request,
            PathAndQuery::from_static(server::session::WHO_AM_I_PATH),
            codec,
        )
        .await
        .unwrap_err();
    assert_eq!(status.code(), Code::InvalidArgument, "{status:?}");
    let info = status.get_error_details().error_info().cloned().unwrap();
    assert_eq!(info.reason, "MESSAGE_MALFORMED");
    server.shut_down().await.unwrap();
}

#[tokio::test]
async fn a_huge_token_is_refused_without_losing_the_connection() {
    let server = TestServer::configured(|_| {}).await;
    let token = dev_token(&server.config, &token_args(&["reader"], &["*"])).unwrap();
    let channel = server.channel().await;
    let huge = "A".repeat(64 * 1024);
    let refused = who_am_i(channel.clone(), &[bearer(&huge)], "x".into())
        .await
        .unwrap_err();
    assert_eq!(refused.code(), Code::Unauthenticated, "{refused:?}");
    let info = refused.get_error_details().error_info().cloned().unwrap();
    assert_eq!(info.reason, "TOKEN_INVALID");
    // The same connection still serves the next call.
    assert!(
        who_am_i(channel, &[bearer(&token)], "x".into())
            .await
            .is_ok()
    );
    server.shut_down().await.unwrap();
}
