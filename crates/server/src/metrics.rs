//! Metrics: OpenTelemetry instruments, read by a Prometheus scrape endpoint on a port of its own
//! and, when `OTEL_EXPORTER_OTLP_ENDPOINT` is set, pushed over OTLP/gRPC.
//!
//! Instruments are made from the global meter provider, which [`Metrics::install`] sets (as
//! `telemetry::init` sets the tracer provider); without it every instrument is a no-op. The list,
//! with the Prometheus names the exporter gives them:
//!
//! | instrument | kind | where | Prometheus |
//! |---|---|---|---|
//! | `rpc.server.duration` (ms; `rpc.system`, `rpc.service`, `rpc.method`, `rpc.grpc.status_code`) | histogram | [`MetricsLayer`] | `rpc_server_duration_milliseconds_*` |
//! | `medaid.subscriptions.active` | up-down counter | [`MetricsLayer`], for [`STREAMING_METHODS`] | `medaid_subscriptions_active` |
//! | `medaid.log.appends` (`outcome`) | counter | `event-store` | `medaid_log_appends_total` |
//! | `medaid.log.appended_events` | counter | `event-store` | `medaid_log_appended_events_total` |
//! | `medaid.log.append.duration` (s; `outcome`) | histogram | `event-store` | `medaid_log_append_duration_seconds_*` |
//! | `medaid.log.group_commit.size` (appends per transaction) | histogram | `event-store` | `medaid_log_group_commit_size_*` |
//! | `medaid.log.head` | gauge | [`observe_read_side`] | `medaid_log_head` |
//! | `medaid.projection.position`, `medaid.projection.lag` (`projection`) | gauges | [`observe_read_side`] | `medaid_projection_position`, `medaid_projection_lag` |
//! | `medaid.projection.leader` | gauge, 1 on the replica running the projections | [`observe_read_side`] | `medaid_projection_leader` |
//! | `medaid.relay.position`, `medaid.relay.lag` (`stream`) | gauges | [`observe_relay`] (`medaid relay`) | `medaid_relay_position`, `medaid_relay_lag` |

use std::convert::Infallible;
use std::pin::Pin;
use std::sync::{Arc, Weak};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use http_body_util::Full;
use hyper::body::{Body, Bytes, Frame, Incoming, SizeHint};
use hyper::service::service_fn;
use opentelemetry::metrics::{Histogram, Meter, ObservableGauge, UpDownCounter};
use opentelemetry::{KeyValue, global};
use opentelemetry_sdk::Resource;
use opentelemetry_sdk::metrics::{PeriodicReader, SdkMeterProvider};
use prometheus::{Encoder, TextEncoder};
use tokio::net::TcpListener;
use tokio::sync::watch;
use tonic::codegen::http;
use tower::{Layer, Service};

use crate::config::{MetricsConfig, TelemetryConfig};

/// Server-streaming methods, counted in `medaid.subscriptions.active` while their response is open.
pub const STREAMING_METHODS: [&str; 1] = ["/medaid.v1.EventService/SubscribeEvents"];

/// Why metrics could not start.
#[derive(Debug, thiserror::Error)]
pub enum MetricsError {
    #[error("cannot build the Prometheus exporter")]
    Prometheus(#[from] opentelemetry_sdk::error::OTelSdkError),
    #[error("cannot build the OTLP metric exporter")]
    Otlp(#[from] opentelemetry_otlp::ExporterBuildError),
}

/// The installed meter provider and the registry the scrape endpoint renders.
pub struct Metrics {
    provider: SdkMeterProvider,
    registry: prometheus::Registry,
}

impl Metrics {
    /// Builds the meter provider (Prometheus always, OTLP when `OTEL_EXPORTER_OTLP_ENDPOINT` is set)
    /// and makes it the global one. Must be called before the store is opened, inside a Tokio runtime.
    pub fn install(
        config: &MetricsConfig,
        telemetry: &TelemetryConfig,
    ) -> Result<Metrics, MetricsError> {
        let registry = prometheus::Registry::new();
        let exporter = opentelemetry_prometheus::exporter()
            .with_registry(registry.clone())
            .build()?;
        let mut resource = Resource::builder();
        if std::env::var_os("OTEL_SERVICE_NAME").is_none() {
            resource = resource.with_service_name(telemetry.service_name.clone());
        }
        let mut builder = SdkMeterProvider::builder()
            .with_resource(resource.build())
            .with_reader(exporter);
        if std::env::var_os("OTEL_EXPORTER_OTLP_ENDPOINT").is_some() {
            let otlp = opentelemetry_otlp::MetricExporter::builder()
                .with_tonic()
                .build()?;
            builder = builder.with_reader(
                PeriodicReader::builder(otlp)
                    .with_interval(Duration::from_millis(config.otlp_interval_ms))
                    .build(),
            );
        }
        let provider = builder.build();
        global::set_meter_provider(provider.clone());
        Ok(Metrics { provider, registry })
    }

    /// Every metric in the Prometheus text format.
    pub fn render(&self) -> String {
        let mut text = Vec::new();
        if let Err(error) = TextEncoder::new().encode(&self.registry.gather(), &mut text) {
            tracing::warn!(%error, "cannot encode the metrics");
        }
        String::from_utf8(text).unwrap_or_default()
    }

    /// Flushes the OTLP exporter, if any.
    pub fn shutdown(&self) {
        if let Err(error) = self.provider.shutdown() {
            tracing::debug!(%error, "metric exporter did not shut down cleanly");
        }
    }
}

/// Serves `GET /metrics` (any other path is 404) until `stopping` turns true.
pub async fn serve(
    metrics: Arc<Metrics>,
    listener: TcpListener,
    mut stopping: watch::Receiver<bool>,
) {
    loop {
        let accepted = tokio::select! {
            accepted = listener.accept() => accepted,
            _ = stopping.wait_for(|s| *s) => return,
        };
        let (stream, _) = match accepted {
            Ok(accepted) => accepted,
            Err(error) => {
                tracing::warn!(%error, "metrics endpoint cannot accept");
                tokio::time::sleep(Duration::from_millis(100)).await;
                continue;
            }
        };
        let metrics = metrics.clone();
        tokio::spawn(async move {
            let service = service_fn(move |request: http::Request<Incoming>| {
                let metrics = metrics.clone();
                async move { Ok::<_, Infallible>(answer(&metrics, request.uri().path())) }
            });
            let io = hyper_util::rt::TokioIo::new(stream);
            if let Err(error) = hyper::server::conn::http1::Builder::new()
                .serve_connection(io, service)
                .await
            {
                tracing::debug!(%error, "metrics connection ended with an error");
            }
        });
    }
}

fn answer(metrics: &Metrics, path: &str) -> http::Response<Full<Bytes>> {
    let (status, content_type, body) = if path == "/metrics" {
        (
            http::StatusCode::OK,
            "text/plain; version=0.0.4; charset=utf-8",
            metrics.render(),
        )
    } else {
        (
            http::StatusCode::NOT_FOUND,
            "text/plain; charset=utf-8",
            "not found: metrics are at /metrics\n".to_owned(),
        )
    };
    let mut response = http::Response::new(Full::new(Bytes::from(body)));
    *response.status_mut() = status;
    response.headers_mut().insert(
        http::header::CONTENT_TYPE,
        http::HeaderValue::from_static(content_type),
    );
    response
}

fn meter() -> Meter {
    global::meter("medaid.server")
}

/// Keeps observable instruments registered; dropping it stops their callbacks.
pub struct Observers {
    _gauges: Vec<ObservableGauge<u64>>,
}

/// Observes the log head and, per projection, the position the active tables reflect and how far
/// they are behind, and whether this replica leads.
pub fn observe_read_side(app: &app::App) -> Observers {
    let meter = meter();
    let store = app.store().clone();
    let head = meter
        .u64_observable_gauge("medaid.log.head")
        .with_description("Events in the log (the next position to be written)")
        .with_callback(move |observer| observer.observe(store.committed_size(), &[]))
        .build();
    let mut gauges = vec![head];
    if let Some(projector) = app.projector() {
        let weak: Weak<projector::Projector> = Arc::downgrade(projector);
        let position = meter
            .u64_observable_gauge("medaid.projection.position")
            .with_description("Log position the active read-model tables reflect")
            .with_callback(move |observer| {
                if let Some(projector) = weak.upgrade() {
                    for (name, position) in projector.positions() {
                        observer.observe(position, &[KeyValue::new("projection", name)]);
                    }
                }
            })
            .build();
        let weak = Arc::downgrade(projector);
        let store = app.store().clone();
        let lag = meter
            .u64_observable_gauge("medaid.projection.lag")
            .with_description("Events in the log not yet reflected in the active read-model tables")
            .with_callback(move |observer| {
                if let Some(projector) = weak.upgrade() {
                    let head = store.committed_size();
                    for (name, position) in projector.positions() {
                        observer.observe(
                            head.saturating_sub(position),
                            &[KeyValue::new("projection", name)],
                        );
                    }
                }
            })
            .build();
        let weak = Arc::downgrade(projector);
        let leader = meter
            .u64_observable_gauge("medaid.projection.leader")
            .with_description("1 on the replica that runs the projections, 0 on the others")
            .with_callback(move |observer| {
                if let Some(projector) = weak.upgrade() {
                    observer.observe(u64::from(projector.is_leader()), &[]);
                }
            })
            .build();
        gauges.extend([position, lag, leader]);
    }
    Observers { _gauges: gauges }
}

/// Observes the relay's position and lag behind the log head.
pub fn observe_relay(
    store: &event_store::EventStore,
    stream: &str,
    status: watch::Receiver<relay::RelayStatus>,
) -> Observers {
    let meter = meter();
    let label = KeyValue::new("stream", stream.to_owned());
    let (status_a, label_a) = (status.clone(), label.clone());
    let position = meter
        .u64_observable_gauge("medaid.relay.position")
        .with_description(
            "Next log position the relay publishes; every event before it is in the stream",
        )
        .with_callback(move |observer| {
            observer.observe(status_a.borrow().position, std::slice::from_ref(&label_a));
        })
        .build();
    let store = store.clone();
    let lag = meter
        .u64_observable_gauge("medaid.relay.lag")
        .with_description("Events in the log not yet acknowledged by the JetStream stream")
        .with_callback(move |observer| {
            let position = status.borrow().position;
            observer.observe(
                store.committed_size().saturating_sub(position),
                std::slice::from_ref(&label),
            );
        })
        .build();
    Observers {
        _gauges: vec![position, lag],
    }
}

/// Instruments every request: `rpc.server.duration` by method and status code, and the number of
/// open subscriptions. Outermost, so refusals by the other layers are counted too.
#[derive(Clone)]
pub struct MetricsLayer {
    instruments: Arc<RpcInstruments>,
}

struct RpcInstruments {
    duration: Histogram<f64>,
    subscriptions: UpDownCounter<i64>,
}

impl MetricsLayer {
    pub fn new() -> MetricsLayer {
        let meter = meter();
        MetricsLayer {
            instruments: Arc::new(RpcInstruments {
                duration: meter
                    .f64_histogram("rpc.server.duration")
                    .with_unit("ms")
                    .with_description("Duration of inbound RPCs")
                    .with_boundaries(vec![
                        0.5, 1.0, 2.5, 5.0, 10.0, 25.0, 50.0, 100.0, 250.0, 500.0, 1000.0, 2500.0,
                        5000.0, 10000.0, 30000.0,
                    ])
                    .build(),
                subscriptions: meter
                    .i64_up_down_counter("medaid.subscriptions.active")
                    .with_description("Event subscriptions open now")
                    .build(),
            }),
        }
    }
}

impl Default for MetricsLayer {
    fn default() -> MetricsLayer {
        MetricsLayer::new()
    }
}

impl<S> Layer<S> for MetricsLayer {
    type Service = MetricsService<S>;

    fn layer(&self, inner: S) -> MetricsService<S> {
        MetricsService {
            inner,
            instruments: self.instruments.clone(),
        }
    }
}

/// The service made by [`MetricsLayer`].
#[derive(Clone)]
pub struct MetricsService<S> {
    inner: S,
    instruments: Arc<RpcInstruments>,
}

type BoxFuture<T> = Pin<Box<dyn Future<Output = T> + Send>>;

impl<S, B, ResBody> Service<http::Request<B>> for MetricsService<S>
where
    S: Service<http::Request<B>, Response = http::Response<ResBody>>,
    S::Future: Send + 'static,
    S::Error: Send + 'static,
    ResBody: Send + 'static,
{
    type Response = http::Response<MeteredBody<ResBody>>;
    type Error = S::Error;
    type Future = BoxFuture<Result<Self::Response, S::Error>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: http::Request<B>) -> Self::Future {
        let path = request.uri().path().to_owned();
        let instruments = self.instruments.clone();
        let started = Instant::now();
        let call = self.inner.call(request);
        Box::pin(async move {
            let response = call.await?;
            // An error answered at once travels in the headers (trailers-only); otherwise the
            // status comes in the trailers at the end of the body.
            let early = grpc_status(response.headers());
            let streaming = early.is_none() && STREAMING_METHODS.contains(&path.as_str());
            if streaming {
                instruments.subscriptions.add(1, &[]);
            }
            let (parts, body) = response.into_parts();
            let mut metered = MeteredBody {
                inner: body,
                record: Some(Record {
                    instruments,
                    path,
                    started,
                    status: early,
                    streaming,
                }),
            };
            if early.is_some() {
                metered.finish();
            }
            Ok(http::Response::from_parts(parts, metered))
        })
    }
}

fn grpc_status(headers: &http::HeaderMap) -> Option<i32> {
    headers
        .get("grpc-status")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse().ok())
}

/// What is recorded once the call ends.
struct Record {
    instruments: Arc<RpcInstruments>,
    path: String,
    started: Instant,
    status: Option<i32>,
    streaming: bool,
}

impl Record {
    fn finish(self) {
        let (service, method) = self
            .path
            .trim_start_matches('/')
            .split_once('/')
            .unwrap_or((self.path.as_str(), ""));
        // A body dropped before its trailers is a call the client (or the drain) cancelled.
        let code = self.status.unwrap_or(1);
        let attributes = [
            KeyValue::new("rpc.system", "grpc"),
            KeyValue::new("rpc.service", service.to_owned()),
            KeyValue::new("rpc.method", method.to_owned()),
            KeyValue::new("rpc.grpc.status_code", i64::from(code)),
        ];
        self.instruments
            .duration
            .record(self.started.elapsed().as_secs_f64() * 1000.0, &attributes);
        if self.streaming {
            self.instruments.subscriptions.add(-1, &[]);
        }
    }
}

/// A response body that records the call when its trailers pass or when it is dropped.
pub struct MeteredBody<B> {
    inner: B,
    record: Option<Record>,
}

impl<B> MeteredBody<B> {
    fn finish(&mut self) {
        if let Some(record) = self.record.take() {
            record.finish();
        }
    }
}

impl<B> Drop for MeteredBody<B> {
    fn drop(&mut self) {
        self.finish();
    }
}

impl<B> Body for MeteredBody<B>
where
    B: Body + Unpin,
{
    type Data = B::Data;
    type Error = B::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Self::Data>, Self::Error>>> {
        let polled = Pin::new(&mut self.inner).poll_frame(cx);
        match &polled {
            Poll::Ready(Some(Ok(frame))) => {
                if let Some(trailers) = frame.trailers_ref() {
                    let status = grpc_status(trailers);
                    if let Some(record) = self.record.as_mut() {
                        record.status = status.or(record.status);
                    }
                    self.finish();
                }
            }
            Poll::Ready(None) => {
                if let Some(record) = self.record.as_mut() {
                    // Ended without trailers: an HTTP-level answer, not a gRPC status.
                    record.status = record.status.or(Some(2));
                }
                self.finish();
            }
            Poll::Ready(Some(Err(_))) | Poll::Pending => {}
        }
        polled
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}
