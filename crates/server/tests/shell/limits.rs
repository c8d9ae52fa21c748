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
    TestServer::start_with_options(configure, options).await
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
    server.stop().await.unwrap();
}

#[tokio::test]
async fn requests_over_the_connection_limit_are_shed() {
    let server = start(|c| {
        c.limits.concurrency_per_connection = 1;
        c.limits.load_shed = true;
    })
    .await;
    let token = dev_token(&server.config, &token_args(&["reader"], &["*"])).unwrap();
    let channel = server.channel().await;
    let (busy_channel, busy_token) = (channel.clone(), token.clone());
    let busy = tokio::spawn(async move { sleep_call(busy_channel, &busy_token, 500).await });
    tokio::time::sleep(Duration::from_millis(100)).await;
    let shed = sleep_call(channel, &token, 0).await.unwrap_err();
    assert_eq!(shed.code(), Code::ResourceExhausted, "{shed:?}");
    assert_eq!(busy.await.unwrap().unwrap(), "awake");
    server.stop().await.unwrap();
}
