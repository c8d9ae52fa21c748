//! The server's request deadline: every call ends after `limits.request_timeout_ms`, answered
//! DEADLINE_EXCEEDED with `ErrorInfo`.
//!
//! tonic's own `Server::timeout` answers CANCELLED ("Timeout expired"), which tells a client its
//! call was abandoned rather than that time ran out, and carries no `ErrorInfo`; gRPC's status
//! code guide says DEADLINE_EXCEEDED. A client's shorter `grpc-timeout` is still enforced by
//! tonic's transport, which wraps every service in its own timeout outside this layer; a client
//! that tracks its deadline (as gRPC clients do) reports that one as DEADLINE_EXCEEDED itself.
//! A server-streaming call is bounded only until its response starts: the event feed's
//! subscription runs for as long as the client keeps it.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use tonic::codegen::http;
use tonic::{Code, Status};
use tower::{Layer, Service};

/// The `ErrorInfo` reason of a request that ran out of time.
pub const DEADLINE_REASON: &str = "DEADLINE_EXCEEDED";

/// A tower layer that bounds every request by its deadline.
#[derive(Debug, Clone, Copy)]
pub struct DeadlineLayer {
    limit: Duration,
}

impl DeadlineLayer {
    /// Bounds requests by `limit`.
    pub fn new(limit: Duration) -> DeadlineLayer {
        DeadlineLayer { limit }
    }
}

impl<S> Layer<S> for DeadlineLayer {
    type Service = DeadlineService<S>;

    fn layer(&self, inner: S) -> DeadlineService<S> {
        DeadlineService {
            inner,
            limit: self.limit,
        }
    }
}

/// The service made by [`DeadlineLayer`].
#[derive(Debug, Clone)]
pub struct DeadlineService<S> {
    inner: S,
    limit: Duration,
}

type BoxFuture<T> = Pin<Box<dyn Future<Output = T> + Send>>;

impl<S, B, ResBody> Service<http::Request<B>> for DeadlineService<S>
where
    S: Service<http::Request<B>, Response = http::Response<ResBody>>,
    S::Future: Send + 'static,
    ResBody: Default,
{
    type Response = S::Response;
    type Error = S::Error;
    type Future = BoxFuture<Result<S::Response, S::Error>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: http::Request<B>) -> Self::Future {
        let limit = self.limit;
        let call = self.inner.call(request);
        Box::pin(async move {
            match tokio::time::timeout(limit, call).await {
                Ok(answer) => answer,
                Err(_) => {
                    tracing::info!(limit_ms = limit.as_millis(), "request deadline exceeded");
                    Ok(deadline_status(limit).into_http())
                }
            }
        })
    }
}

fn deadline_status(limit: Duration) -> Status {
    crate::status::status(
        Code::DeadlineExceeded,
        format!(
            "the request did not finish within its deadline of {} ms",
            limit.as_millis()
        ),
        DEADLINE_REASON,
        vec![("limit_ms".to_owned(), limit.as_millis().to_string())],
        |_| {},
    )
}
