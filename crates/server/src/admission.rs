//! Admission: how many requests run at once, how long others may queue, and the honest answer to
//! those beyond that budget.
//!
//! HTTP/2 already bounds what one connection may open (`max_concurrent_streams`, advertised in the
//! SETTINGS frame, so a well-behaved client queues on its side). Beyond that, at most
//! `limits.max_in_flight` requests run at once across the server; the next ones wait in a queue of at
//! most `limits.max_queued` for at most `limits.queue_timeout_ms`. Only a request beyond that budget is
//! shed: UNAVAILABLE, reason SERVER_OVERLOADED, with `RetryInfo`, so a client backs off and tries again
//! instead of treating a busy server as a failure. A server-streaming call holds its slot only until
//! its response starts, so open subscriptions never starve unary calls.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::task::{Context, Poll};
use std::time::Duration;

use tokio::sync::Semaphore;
use tonic::codegen::http;
use tonic::{Code, Status};
#[cfg(test)]
use tonic_types::StatusExt;
use tower::{Layer, Service};

/// The `ErrorInfo` reason of a shed request.
pub const OVERLOADED_REASON: &str = "SERVER_OVERLOADED";

/// Calls that bypass admission.
const HEALTH_PREFIX: &str = "/grpc.health.v1.Health/";

/// How long a shed client should wait before trying again.
pub const OVERLOAD_RETRY_DELAY: Duration = Duration::from_millis(500);

/// The budget: running slots, queue places and the longest wait.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Budget {
    pub max_in_flight: usize,
    pub max_queued: usize,
    pub queue_timeout: Duration,
}

/// A tower layer sharing one budget between every connection of the server.
#[derive(Debug, Clone)]
pub struct AdmissionLayer {
    shared: Arc<Shared>,
}

#[derive(Debug)]
struct Shared {
    slots: Semaphore,
    waiting: AtomicUsize,
    budget: Budget,
}

impl AdmissionLayer {
    pub fn new(budget: Budget) -> AdmissionLayer {
        AdmissionLayer {
            shared: Arc::new(Shared {
                slots: Semaphore::new(budget.max_in_flight.max(1)),
                waiting: AtomicUsize::new(0),
                budget,
            }),
        }
    }
}

impl<S> Layer<S> for AdmissionLayer {
    type Service = AdmissionService<S>;

    fn layer(&self, inner: S) -> AdmissionService<S> {
        AdmissionService {
            inner,
            shared: self.shared.clone(),
        }
    }
}

/// The service made by [`AdmissionLayer`].
#[derive(Debug, Clone)]
pub struct AdmissionService<S> {
    inner: S,
    shared: Arc<Shared>,
}

type BoxFuture<T> = Pin<Box<dyn Future<Output = T> + Send>>;

/// Counts a queued request while it waits, also when its future is dropped.
struct Waiting<'a>(&'a AtomicUsize);

impl Drop for Waiting<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::Relaxed);
    }
}

impl<S, B, ResBody> Service<http::Request<B>> for AdmissionService<S>
where
    S: Service<http::Request<B>, Response = http::Response<ResBody>> + Clone + Send + 'static,
    S::Future: Send + 'static,
    B: Send + 'static,
    ResBody: Default,
{
    type Response = S::Response;
    type Error = S::Error;
    type Future = BoxFuture<Result<S::Response, S::Error>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: http::Request<B>) -> Self::Future {
        // The clone serves this request; `self.inner` was made ready by `poll_ready`, so swap them.
        let clone = self.inner.clone();
        let mut inner = std::mem::replace(&mut self.inner, clone);
        let shared = self.shared.clone();
        // Health checks are answered even when the server is saturated: that is when they matter.
        if request.uri().path().starts_with(HEALTH_PREFIX) {
            return Box::pin(inner.call(request));
        }
        Box::pin(async move {
            let permit = match shared.slots.try_acquire() {
                Ok(permit) => permit,
                Err(_) => {
                    let budget = shared.budget;
                    if shared.waiting.fetch_add(1, Ordering::Relaxed) >= budget.max_queued {
                        shared.waiting.fetch_sub(1, Ordering::Relaxed);
                        return Ok(overloaded(&budget, "the queue is full").into_http());
                    }
                    let waiting = Waiting(&shared.waiting);
                    let acquired =
                        tokio::time::timeout(budget.queue_timeout, shared.slots.acquire()).await;
                    drop(waiting);
                    match acquired {
                        Ok(Ok(permit)) => permit,
                        Ok(Err(_)) | Err(_) => {
                            return Ok(
                                overloaded(&budget, "no slot within the queue timeout").into_http()
                            );
                        }
                    }
                }
            };
            let answer = inner.call(request).await;
            drop(permit);
            answer
        })
    }
}

/// UNAVAILABLE with `ErrorInfo` (the budget in its metadata) and `RetryInfo`.
pub fn overloaded(budget: &Budget, why: &str) -> Status {
    tracing::warn!(why, "request shed");
    let metadata = vec![
        ("max_in_flight".to_owned(), budget.max_in_flight.to_string()),
        ("max_queued".to_owned(), budget.max_queued.to_string()),
        (
            "queue_timeout_ms".to_owned(),
            budget.queue_timeout.as_millis().to_string(),
        ),
    ];
    crate::status::status(
        Code::Unavailable,
        format!("the server is overloaded ({why}); retry after the RetryInfo delay"),
        OVERLOADED_REASON,
        metadata,
        |details| {
            details.set_retry_info(Some(OVERLOAD_RETRY_DELAY));
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::convert::Infallible;
    use tower::ServiceExt;

    /// A service that holds each request until `release` is notified.
    #[derive(Clone)]
    struct Held(Arc<tokio::sync::Notify>);

    impl Service<http::Request<()>> for Held {
        type Response = http::Response<String>;
        type Error = Infallible;
        type Future = BoxFuture<Result<Self::Response, Infallible>>;
        fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
            Poll::Ready(Ok(()))
        }
        fn call(&mut self, _: http::Request<()>) -> Self::Future {
            let release = self.0.clone();
            Box::pin(async move {
                release.notified().await;
                Ok(http::Response::new("served".to_owned()))
            })
        }
    }

    fn grpc_status(response: &http::Response<String>) -> Option<String> {
        response
            .headers()
            .get("grpc-status")
            .map(|v| v.to_str().unwrap_or_default().to_owned())
    }

    #[tokio::test]
    async fn requests_queue_within_the_budget_and_are_shed_beyond_it() {
        let release = Arc::new(tokio::sync::Notify::new());
        let budget = Budget {
            max_in_flight: 2,
            max_queued: 2,
            queue_timeout: Duration::from_secs(30),
        };
        let service = AdmissionLayer::new(budget).layer(Held(release.clone()));
        let mut calls = Vec::new();
        for _ in 0..4 {
            let service = service.clone();
            calls.push(tokio::spawn(async move {
                service.oneshot(http::Request::new(())).await
            }));
        }
        // Two run and two queue; the fifth finds the queue full and is shed at once.
        while service.shared.waiting.load(Ordering::Relaxed) < 2 {
            tokio::task::yield_now().await;
        }
        let shed = service
            .clone()
            .oneshot(http::Request::new(()))
            .await
            .unwrap();
        assert_eq!(grpc_status(&shed).as_deref(), Some("14"), "UNAVAILABLE");
        let status = Status::from_header_map(shed.headers()).unwrap();
        let details = status.get_error_details();
        assert_eq!(details.error_info().unwrap().reason, OVERLOADED_REASON);
        assert_eq!(
            details.retry_info().and_then(|r| r.retry_delay),
            Some(OVERLOAD_RETRY_DELAY)
        );
        // Every queued request is served once slots free up.
        for _ in 0..4 {
            release.notify_one();
            tokio::task::yield_now().await;
        }
        for call in calls {
            loop {
                if call.is_finished() {
                    break;
                }
                release.notify_one();
                tokio::task::yield_now().await;
            }
            let response = call.await.unwrap().unwrap();
            assert_eq!(response.body(), "served");
        }
    }

    #[tokio::test]
    async fn a_request_waits_at_most_the_queue_timeout() {
        let release = Arc::new(tokio::sync::Notify::new());
        let budget = Budget {
            max_in_flight: 1,
            max_queued: 10,
            queue_timeout: Duration::from_millis(50),
        };
        let service = AdmissionLayer::new(budget).layer(Held(release));
        let running = tokio::spawn(service.clone().oneshot(http::Request::new(())));
        tokio::task::yield_now().await;
        let shed = service
            .clone()
            .oneshot(http::Request::new(()))
            .await
            .unwrap();
        assert_eq!(grpc_status(&shed).as_deref(), Some("14"));
        assert_eq!(service.shared.waiting.load(Ordering::Relaxed), 0);
        running.abort();
    }
}
