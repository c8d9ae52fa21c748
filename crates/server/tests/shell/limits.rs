//! Deadlines and load shedding, observed on a deliberately slow test service.

use std::convert::Infallible;
use std::task::{Context, Poll};
use std::time::Duration;

use futures_util::future::BoxFuture;
use server::RunOptions;
use server::cli::dev_token;
use tonic::body::Body;
use tonic::codegen::http;
use tonic::codegen::http::uri::PathAndQuery;
use tonic::server::{Grpc, NamedService};
use tonic::transport::Channel;
use tonic::{Code, Request, Response, Status};
use tonic_prost::ProstCodec;
use tonic_types::StatusExt;
use tower::Service;

use crate::common::{TestServer, bearer, token_args};

/// `medaid.test.Slow/Sleep` answers after the number of milliseconds in its request.
#[derive(Clone)]
struct Slow;

impl NamedService for Slow {
    const NAME: &'static str = "medaid.test.Slow";
}

impl Service<http::Request<Body>> for Slow {
    type Response = http::Response<Body>;
    type Error = Infallible;
    type Future = BoxFuture<'static, Result<Self::Response, Infallible>>;

    fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, request: http::Request<Body>) -> Self::Future {
        let mut grpc = Grpc::new(ProstCodec::<String, String>::default());
        let sleep = tower::service_fn(|request: Request<String>| async move {
            let millis: u64 = request.into_inner().parse().unwrap_or(0);
            tokio::time::sleep(Duration::from_millis(millis)).await;
            Ok::<_, Status>(Response::new("awake".to_owned()))
        });
        Box::pin(async move { Ok(grpc.unary(sleep, request).await) })
    }
}

async fn start(configure: impl FnOnce(&mut server::Config)) -> TestServer {
    let options = RunOptions {
        extra_services: Some(Box::new(|routes| {
            routes.add_service(Slow);
        })),
        ..RunOptions::default()
    };
    TestServer::launch(None, configure, options).await
}

async fn sleep_call(channel: Channel, token: &str, millis: u64) -> Result<String, Status> {
    let mut grpc = tonic::client::Grpc::new(channel);
    grpc.ready().await.unwrap();
    let mut request = Request::new(millis.to_string());
    let (key, value) = bearer(token);
    request.metadata_mut().insert(key, value.parse().unwrap());
    let path = PathAndQuery::from_static("/medaid.test.Slow/Sleep");
    let codec = ProstCodec::<String, String>::default();
    grpc.unary(request, path, codec)
        .await
        .map(Response::into_inner)
}

#[tokio::test]
async fn the_request_timeout_answers_deadline_exceeded_with_error_info() {
    let server = start(|c| c.limits.request_timeout_ms = 100).await;
    let token = dev_token(&server.config, &token_args(&["reader"], &["*"])).unwrap();
    assert_eq!(
        sleep_call(server.channel().await, &token, 0).await.unwrap(),
        "awake"
    );
    let status = sleep_call(server.channel().await, &token, 2_000)
        .await
        .unwrap_err();
    assert_eq!(status.code(), Code::DeadlineExceeded, "{status:?}");
    let info = status.get_error_details().error_info().cloned().unwrap();
    assert_eq!(info.reason, "DEADLINE_EXCEEDED");
    assert_eq!(info.domain, "medaid.v1");
    assert_eq!(
        info.metadata.get("limit_ms").map(String::as_str),
        Some("100")
    );
    server.shut_down().await.unwrap();
}

#[tokio::test]
async fn many_calls_on_one_connection_queue_and_are_all_served() {
    // 128 concurrent calls multiplexed on one connection, as ordinary gRPC clients send them, with
    // only 16 running at once: every one is served, none shed.
    let server = start(|c| {
        c.limits.max_in_flight = 16;
        c.limits.max_queued = 256;
        c.limits.queue_timeout_ms = 10_000;
    })
    .await;
    let token = dev_token(&server.config, &token_args(&["reader"], &["*"])).unwrap();
    let channel = server.channel().await;
    let calls: Vec<_> = (0..128)
        .map(|_| {
            let (channel, token) = (channel.clone(), token.clone());
            tokio::spawn(async move { sleep_call(channel, &token, 20).await })
        })
        .collect();
    for call in calls {
        assert_eq!(call.await.unwrap().unwrap(), "awake");
    }
    server.shut_down().await.unwrap();
}

#[tokio::test]
async fn requests_beyond_the_queue_budget_are_shed_with_retry_info() {
    let server = start(|c| {
        c.limits.max_in_flight = 1;
        c.limits.max_queued = 1;
        c.limits.queue_timeout_ms = 10_000;
    })
    .await;
    let token = dev_token(&server.config, &token_args(&["reader"], &["*"])).unwrap();
    let channel = server.channel().await;
    let busy: Vec<_> = (0..2)
        .map(|_| {
            let (channel, token) = (channel.clone(), token.clone());
            tokio::spawn(async move { sleep_call(channel, &token, 800).await })
        })
        .collect();
    tokio::time::sleep(Duration::from_millis(200)).await;
    let shed = sleep_call(channel, &token, 0).await.unwrap_err();
    assert_eq!(shed.code(), Code::Unavailable, "{shed:?}");
    let details = shed.get_error_details();
    assert_eq!(details.error_info().unwrap().reason, "SERVER_OVERLOADED");
    assert!(details.retry_info().is_some(), "{shed:?}");
    for call in busy {
        assert_eq!(call.await.unwrap().unwrap(), "awake");
    }
    server.shut_down().await.unwrap();
}
