//! The seam: [`run`] serves the configured server on a listener the caller bound, until `shutdown` resolves.
//!
//! Tests bind `127.0.0.1:0` and pass the listener in; `main` binds `config.listen`.

use std::sync::Arc;

use api::medaid::v1::event_service_server::EventServiceServer;
use tokio::net::TcpListener;
use tokio::sync::{oneshot, watch};
use tonic::server::NamedService;
use tonic::service::{Routes, RoutesBuilder};
use tonic::transport::Server;
use tonic::transport::server::TcpIncoming;
use tower::ServiceBuilder;

use crate::admission::AdmissionLayer;
use crate::auth::dev_keys::{DevKeyError, DevKeyPair};
use crate::auth::jwt::{KeyLoadError, TokenVerifier, TrustedKey};
use crate::auth::mtls::ClientIdentities;
use crate::auth::{AuthLayer, Authenticator};
use crate::call_log::{CallLog, CallLogLayer};
use crate::config::Config;
use crate::deadline::DeadlineLayer;
use crate::health::{Health, HealthProbe};
use crate::metrics::{self, Metrics, MetricsLayer};
use crate::services::events::Events;
use crate::session::SessionService;
use crate::telemetry::TraceLayer;
use crate::tls::{TlsError, server_tls_config};
use crate::transport_errors::TransportErrorLayer;
use crate::{limits, reflection, rpc, startup, store_wiring};

/// Why the server could not start or stopped with an error.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    #[error("cannot create the data directory {path}")]
    DataDir {
        path: std::path::PathBuf,
        source: std::io::Error,
    },
    #[error(transparent)]
    DevKeys(#[from] DevKeyError),
    #[error(transparent)]
    Key(#[from] KeyLoadError),
    #[error(transparent)]
    Tls(#[from] TlsError),
    #[error("cannot build the reflection service")]
    Reflection(#[from] tonic_reflection::server::Error),
    #[error(transparent)]
    Store(#[from] store_wiring::OpenError),
    #[error(transparent)]
    CheckpointKey(#[from] crate::audit::CheckpointKeyError),
    #[error("the gRPC transport failed")]
    Transport(#[from] tonic::transport::Error),
    #[error("cannot listen for metrics on {address}")]
    MetricsListen {
        address: std::net::SocketAddr,
        source: std::io::Error,
    },
}

/// Mounts extra services behind the same layers (trace, auth, limits) as the built-in ones.
pub type ExtraServices = Box<dyn FnOnce(&mut RoutesBuilder) + Send>;

/// Extra wiring for [`run_with`]; the default has none.
#[derive(Default)]
pub struct RunOptions {
    /// Polled every `server.health_probe_interval_ms`; a failure turns health NOT_SERVING until it passes.
    pub health_probe: Option<Arc<dyn HealthProbe>>,
    /// Services mounted besides [`mount_services`], for tests that need a handler of their own.
    pub extra_services: Option<ExtraServices>,
    /// Records the method path of every authenticated call, for the tests' RPC coverage check.
    pub call_log: Option<CallLog>,
    /// Installed metrics (see [`crate::metrics`]): the scrape endpoint is served on
    /// `metrics_listener`, else on `metrics.listen` when configured.
    pub metrics: Option<Arc<Metrics>>,
    /// A listener the caller bound for the scrape endpoint (tests bind port 0).
    pub metrics_listener: Option<TcpListener>,
}

/// Serves until `shutdown` resolves, then drains as described in `deploy/config.default.toml` (`[server]`).
pub async fn run(
    config: Config,
    listener: TcpListener,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(), RunError> {
    run_with(config, listener, shutdown, RunOptions::default()).await
}

/// [`run`] with a health probe or other wiring.
pub async fn run_with(
    config: Config,
    listener: TcpListener,
    shutdown: impl Future<Output = ()> + Send + 'static,
    options: RunOptions,
) -> Result<(), RunError> {
    std::fs::create_dir_all(&config.data_dir).map_err(|source| RunError::DataDir {
        path: config.data_dir.clone(),
        source,
    })?;
    let authenticator = authenticator(&config)?;
    let tls = server_tls_config(&config.tls)?;

    let mut shutdown: std::pin::Pin<Box<dyn Future<Output = ()> + Send>> = Box::pin(shutdown);
    let (store, listener) =
        match startup::open_store_waiting(&config, listener, &mut shutdown).await? {
            startup::Opened::Store(store, listener) => (store, listener),
            startup::Opened::ShutDown => return Ok(()),
        };
    let projector = store_wiring::start_projector(&config, store.clone()).await?;
    let app = app::App::with_read_models(store.clone(), projector);
    let audit = crate::audit::start(&config, &store)?;
    let (stop_streams, streams_stopping) = watch::channel(false);
    let _observers = metrics::observe_read_side(&app);
    let metrics_task = match options.metrics {
        Some(installed) => {
            let listener = match (options.metrics_listener, config.metrics.listen) {
                (Some(listener), _) => Some(listener),
                (None, Some(address)) => Some(
                    TcpListener::bind(address)
                        .await
                        .map_err(|source| RunError::MetricsListen { address, source })?,
                ),
                (None, None) => None,
            };
            listener.map(|listener| {
                tokio::spawn(metrics::serve(
                    installed,
                    listener,
                    streams_stopping.clone(),
                ))
            })
        }
        None => None,
    };

    let (reporter, health_service) = tonic_health::server::health_reporter();
    let mut builder = RoutesBuilder::default();
    builder.add_service(health_service);
    let mut names = mount_services(&config, &mut builder, &app, streams_stopping);
    let max_request_bytes = config.limits.max_request_bytes;
    crate::audit::mount(
        &mut builder,
        &app,
        &audit.audit,
        max_request_bytes,
        &mut names,
    );
    if let Some(mount) = options.extra_services {
        mount(&mut builder);
    }
    if config.server.reflection {
        reflection::mount(&mut builder)?;
    }
    let routes: Routes = builder.routes();
    let health = Health::new(reporter, names);
    health.starting().await;

    let mut server = limits::apply(Server::builder(), &config.limits);
    if let Some(tls) = tls {
        server = server.tls_config(tls)?;
    }
    let layers = ServiceBuilder::new()
        .layer(MetricsLayer::new())
        .layer(TraceLayer)
        .layer(TransportErrorLayer::new(config.limits.max_request_bytes))
        .layer(DeadlineLayer::new(config.limits.request_timeout()))
        .layer(AdmissionLayer::new(limits::budget(&config.limits)))
        .layer(AuthLayer::new(authenticator))
        .layer(CallLogLayer(options.call_log))
        .into_inner();
    let router = server.layer(layers).add_routes(routes);

    let probe = options
        .health_probe
        .unwrap_or_else(|| Arc::new(store_wiring::AppProbe(app.clone())));
    let probe_task = tokio::spawn(
        health
            .clone()
            .watch(probe, config.server.health_probe_interval()),
    );

    let local = listener.local_addr().unwrap_or(config.listen);
    tracing::info!(
        listen = %local,
        tls = config.tls.cert_path.is_some(),
        storage = if config.database_url.is_some() { "postgres" } else { "sqlite" },
        "serving"
    );

    // Shutdown runs in three steps: health turns NOT_SERVING at once, requests are still accepted for
    // `drain_delay` so load balancers can notice, then tonic stops accepting and lets in-flight requests
    // finish. Streams that never end on their own (health Watch, later the event feed) would hold the
    // drain open forever, so it is cut after `grace_period`.
    let (draining_tx, draining_rx) = oneshot::channel::<()>();
    let drain_delay = config.server.drain_delay();
    let signal = {
        let health = health.clone();
        async move {
            shutdown.await;
            let _ = stop_streams.send(true);
            tracing::info!("shutdown requested; health is not serving");
            health.shutting_down().await;
            tokio::time::sleep(drain_delay).await;
            tracing::info!("no longer accepting connections; draining in-flight requests");
            let _ = draining_tx.send(());
        }
    };
    let incoming = TcpIncoming::from(listener).with_nodelay(Some(true));
    let serve = router.serve_with_incoming_shutdown(incoming, signal);
    let grace = config.server.grace_period();
    let cut_off = async move {
        if draining_rx.await.is_err() {
            // The server stopped without a shutdown request; `serve` has finished and wins the select.
            std::future::pending::<()>().await;
        }
        tokio::time::sleep(grace).await;
    };

    let result = tokio::select! {
        result = serve => result.map_err(RunError::from),
        () = cut_off => {
            tracing::warn!(grace_period_ms = config.server.grace_period_ms, "grace period over; closing remaining requests");
            Ok(())
        }
    };
    probe_task.abort();
    let _ = probe_task.await;
    audit.signer_task.abort();
    let _ = audit.signer_task.await;
    drop(audit.audit);
    if let Some(task) = metrics_task {
        task.abort();
    }
    // In-flight requests have finished (or were cut off): stop the projections after their current
    // transaction, then let the writer flush and close. A projector still shared with a request
    // the grace period cut off stops when that last handle drops.
    let projector = app.projector().cloned();
    drop(app);
    if let Some(projector) = projector.and_then(std::sync::Arc::into_inner) {
        projector.shutdown().await;
    }
    store.close().await;
    tracing::info!("server stopped");
    result
}

/// Mounts the authenticated services and returns their names for health reporting.
///
/// This is where the `medaid.v1` services go once the `api` and `app` crates provide them, e.g.
/// `builder.add_service(api::v1::record_service_server::RecordServiceServer::new(handler)
///     .max_decoding_message_size(config.limits.max_request_bytes))`, pushing `RecordServiceServer::<H>::NAME`.
pub fn mount_services(
    config: &Config,
    builder: &mut RoutesBuilder,
    app: &app::App,
    stopping: watch::Receiver<bool>,
) -> Vec<String> {
    let max = config.limits.max_request_bytes;
    builder.add_service(SessionService::new(max));
    builder.add_service(
        EventServiceServer::new(Events::new(app.clone(), &config.limits, stopping))
            .max_decoding_message_size(max),
    );
    let mut names = vec![
        SessionService::NAME.to_owned(),
        <EventServiceServer<Events> as NamedService>::NAME.to_owned(),
    ];
    rpc::mount_commands(builder, app, max, &mut names);
    rpc::mount_reads(builder, app, &config.limits, &mut names);
    names
}

/// The token verifier and certificate table for this configuration, creating dev keys if they are in use.
pub fn authenticator(config: &Config) -> Result<Authenticator, RunError> {
    let mut keys = Vec::with_capacity(config.auth.keys.len());
    for key in &config.auth.keys {
        keys.push(TrustedKey::load(
            &key.id,
            &key.algorithm,
            key.public_key_path.clone(),
        )?);
    }
    if config.uses_dev_keys() {
        let pair = DevKeyPair::load_or_create(&config.data_dir)?;
        tracing::warn!(path = %pair.path().display(), "trusting the development key; mint tokens with `medaid dev-token`");
        keys.push(pair.trusted_key()?);
    }
    let verifier = TokenVerifier::new(&config.auth, keys);
    let certificates = ClientIdentities::from_config(&config.tls.client_identities);
    if !verifier.has_keys() && certificates.is_empty() {
        tracing::warn!(
            "no token keys and no client identities: every authenticated call will be refused"
        );
    }
    Ok(Authenticator::new(verifier, certificates))
}
