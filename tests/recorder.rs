//! A recording proxy for the tours: an HTTP/2 server on `127.0.0.1:0` that forwards every gRPC call
//! to a real server and keeps the encoded request message of each, so that a test can run a tour
//! (the seed 000 flow, the read-model scenario) unchanged and then replay or mutate real requests
//! of every RPC the tour called (`tests/poison.rs`, `tests/authorization.rs`).
//!
//! The tours take a `Channel`, so a channel to the proxy is all they need; nothing in them knows
//! they are recorded.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, PoisonError};

use http_body_util::{BodyExt, Full};
use hyper::server::conn::http2;
use hyper_util::rt::{TokioExecutor, TokioIo};
use prost::bytes::{Buf, BufMut, Bytes};
use tokio::task::JoinHandle;
use tonic::codec::{Codec, DecodeBuf, Decoder, EncodeBuf, Encoder};
use tonic::codegen::http;
use tonic::transport::Channel;
use tower::ServiceExt;

/// One recorded call: the method path and the request message's bytes (without the gRPC frame).
#[derive(Debug, Clone)]
pub(crate) struct Call {
    pub(crate) path: String,
    pub(crate) message: Vec<u8>,
}

/// The proxy; dropping it stops accepting connections.
pub(crate) struct Recorder {
    addr: SocketAddr,
    calls: Arc<Mutex<Vec<Call>>>,
    accept: JoinHandle<()>,
}

impl Drop for Recorder {
    fn drop(&mut self) {
        self.accept.abort();
    }
}

impl Recorder {
    /// Starts a proxy in front of `upstream`.
    pub(crate) async fn start(upstream: Channel) -> Recorder {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let calls = Arc::new(Mutex::new(Vec::new()));
        let log = calls.clone();
        let accept = tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let upstream = upstream.clone();
                let log = log.clone();
                let service = hyper::service::service_fn(move |request| {
                    forward(upstream.clone(), log.clone(), request)
                });
                tokio::spawn(async move {
                    let _ = http2::Builder::new(TokioExecutor::new())
                        .serve_connection(TokioIo::new(stream), service)
                        .await;
                });
            }
        });
        Recorder {
            addr,
            calls,
            accept,
        }
    }

    /// A channel through the proxy.
    pub(crate) async fn channel(&self) -> Channel {
        Channel::from_shared(format!("http://{}", self.addr))
            .unwrap()
            .connect()
            .await
            .unwrap()
    }

    /// Every call so far, in the order the proxy received them.
    pub(crate) fn calls(&self) -> Vec<Call> {
        self.calls
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }
}

/// Records the request's message and forwards the call unchanged.
async fn forward(
    upstream: Channel,
    log: Arc<Mutex<Vec<Call>>>,
    request: http::Request<hyper::body::Incoming>,
) -> Result<http::Response<tonic::body::Body>, Infallible> {
    let (parts, body) = request.into_parts();
    let bytes = match body.collect().await {
        Ok(collected) => collected.to_bytes(),
        Err(_) => Bytes::new(),
    };
    // A unary or server-streaming request is one frame: a flag byte, a 4-byte length, the message.
    if bytes.len() >= 5 {
        log.lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(Call {
                path: parts.uri.path().to_owned(),
                message: bytes[5..].to_vec(),
            });
    }
    let request = http::Request::from_parts(parts, tonic::body::Body::new(Full::new(bytes)));
    match upstream.oneshot(request).await {
        Ok(response) => Ok(response),
        Err(error) => {
            let status = tonic::Status::from_error(Box::new(error));
            Ok(status.into_http())
        }
    }
}

/// A codec that sends and receives encoded messages as they are, for calls built from recorded or
/// mutated bytes.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct RawCodec;

impl Codec for RawCodec {
    type Encode = Vec<u8>;
    type Decode = Vec<u8>;
    type Encoder = RawCodec;
    type Decoder = RawCodec;

    fn encoder(&mut self) -> RawCodec {
        RawCodec
    }

    fn decoder(&mut self) -> RawCodec {
        RawCodec
    }
}

impl Encoder for RawCodec {
    type Item = Vec<u8>;
    type Error = tonic::Status;

    fn encode(&mut self, item: Vec<u8>, dst: &mut EncodeBuf<'_>) -> Result<(), tonic::Status> {
        dst.put_slice(&item);
        Ok(())
    }
}

impl Decoder for RawCodec {
    type Item = Vec<u8>;
    type Error = tonic::Status;

    fn decode(&mut self, src: &mut DecodeBuf<'_>) -> Result<Option<Vec<u8>>, tonic::Status> {
        let bytes = src.copy_to_bytes(src.remaining());
        Ok(Some(bytes.to_vec()))
    }
}

/// Calls the unary RPC `path` with an encoded request message; answers the encoded response.
pub(crate) async fn unary(
    channel: &Channel,
    path: &str,
    message: Vec<u8>,
    token: Option<&str>,
) -> Result<Vec<u8>, tonic::Status> {
    let mut grpc = tonic::client::Grpc::new(channel.clone());
    grpc.ready()
        .await
        .map_err(|e| tonic::Status::from_error(Box::new(e)))?;
    let request = with_token(message, token);
    let path = http::uri::PathAndQuery::try_from(path).expect("a method path");
    grpc.unary(request, path, RawCodec)
        .await
        .map(tonic::Response::into_inner)
}

/// Calls the server-streaming RPC `path` and answers its first message (or how it ended).
pub(crate) async fn first_of_stream(
    channel: &Channel,
    path: &str,
    message: Vec<u8>,
    token: Option<&str>,
) -> Result<Option<Vec<u8>>, tonic::Status> {
    let mut grpc = tonic::client::Grpc::new(channel.clone());
    grpc.ready()
        .await
        .map_err(|e| tonic::Status::from_error(Box::new(e)))?;
    let request = with_token(message, token);
    let path = http::uri::PathAndQuery::try_from(path).expect("a method path");
    let mut stream = grpc
        .server_streaming(request, path, RawCodec)
        .await?
        .into_inner();
    stream.message().await
}

fn with_token(message: Vec<u8>, token: Option<&str>) -> tonic::Request<Vec<u8>> {
    match token {
        Some(token) => crate::common::authed(token, message),
        None => tonic::Request::new(message),
    }
}

/// The last request each RPC got in the seed 000 flow (on `writes`) and the read-model tour (on
/// `reads`), by path, with whether it was sent to `writes`. The two tours register the same
/// hospitals, so a write is replayed on the server that ran the flow and a read on the other.
pub(crate) async fn tour_requests(
    writes: &crate::common::TestServer,
    reads: &crate::common::TestServer,
) -> std::collections::BTreeMap<String, (Vec<u8>, bool)> {
    let mut recorded = std::collections::BTreeMap::new();
    for (server, on_writes) in [(writes, true), (reads, false)] {
        let recorder = Recorder::start(server.channel().await).await;
        let token = server.admin_token();
        if on_writes {
            crate::flow::command_flow(recorder.channel().await, &token).await;
        } else {
            crate::read_models::read_tour(recorder.channel().await, &token).await;
        }
        for call in recorder.calls() {
            recorded
                .entry(call.path)
                .or_insert((call.message, on_writes));
        }
    }
    recorded
}

/// A valid request for the RPCs that no recorded tour calls: each names something that exists (the
/// first event, the first tree sizes) or, for a rebuild, a projection that does not, so the admin's
/// cell shows the role check passed without starting a rebuild that would disturb later reads.
pub(crate) fn handmade_request(path: &str) -> Option<Vec<u8>> {
    use api::medaid::v1 as pb;
    use prost::Message;
    let message = match path.rsplit('/').next()? {
        "GetEvent" => pb::GetEventRequest { position: 0 }.encode_to_vec(),
        "ListStreamEvents" => pb::ListStreamEventsRequest {
            stream_id: format!("hospital-{}", crate::common::huining()),
            ..Default::default()
        }
        .encode_to_vec(),
        "RebuildProjection" => pb::RebuildProjectionRequest {
            name: "no_such_projection".to_owned(),
        }
        .encode_to_vec(),
        "RetryProjection" => pb::RetryProjectionRequest {
            name: "no_such_projection".to_owned(),
        }
        .encode_to_vec(),
        "GetInclusionProof" => pb::GetInclusionProofRequest {
            leaf: Some(pb::get_inclusion_proof_request::Leaf::Position(0)),
            ..Default::default()
        }
        .encode_to_vec(),
        "GetEventWithProof" => pb::GetEventWithProofRequest {
            event: Some(pb::get_event_with_proof_request::Event::Position(0)),
            ..Default::default()
        }
        .encode_to_vec(),
        "GetConsistencyProof" => pb::GetConsistencyProofRequest {
            first_size: 1,
            second_size: Some(2),
        }
        .encode_to_vec(),
        _ => return None,
    };
    Some(message)
}
