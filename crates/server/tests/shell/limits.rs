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

/// The server advertises `limits.max_concurrent_streams` in its HTTP/2 SETTINGS, so a client
/// multiplexing on one connection queues its own calls instead of having them refused.
#[tokio::test]
async fn the_stream_limit_is_advertised_in_the_http2_settings() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    let server = start(|config| config.limits.max_concurrent_streams = 77).await;
    let mut socket = tokio::net::TcpStream::connect(server.addr).await.unwrap();
    // The client preface and an empty SETTINGS frame (RFC 9113 §3.4, §6.5).
    socket
        .write_all(b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n\x00\x00\x00\x04\x00\x00\x00\x00\x00")
        .await
        .unwrap();
    // The server's preface is a SETTINGS frame: 9-byte header, then 6-byte (id, value) pairs.
    let mut header = [0u8; 9];
    socket.read_exact(&mut header).await.unwrap();
    assert_eq!(header[3], 0x4, "the first frame is SETTINGS: {header:?}");
    let length =
        usize::from(header[0]) << 16 | usize::from(header[1]) << 8 | usize::from(header[2]);
    let mut payload = vec![0u8; length];
    socket.read_exact(&mut payload).await.unwrap();
    let advertised = payload.chunks_exact(6).find_map(|setting| {
        let id = u16::from_be_bytes([setting[0], setting[1]]);
        // SETTINGS_MAX_CONCURRENT_STREAMS
        (id == 0x3).then(|| u32::from_be_bytes([setting[2], setting[3], setting[4], setting[5]]))
    });
    assert_eq!(advertised, Some(77));
    drop(socket);
    server.stop().await;
}
