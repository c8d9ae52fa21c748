//! `medaid relay`: the NATS JetStream relay (crate `relay`) over the configured store, with its
//! own metrics endpoint. It runs as a process of its own so the broker's availability never
//! touches the gRPC service; two relays on one database and stream stay correct (JetStream refuses
//! the loser's publishes by expected sequence), one is enough.

use std::sync::Arc;

use tokio::net::TcpListener;
use tokio::sync::watch;

use crate::config::Config;
use crate::metrics::{self, Metrics};
use crate::store_wiring::{self, OpenError};

/// Why the relay could not start.
#[derive(Debug, thiserror::Error)]
pub enum RelayRunError {
    #[error(transparent)]
    Store(#[from] OpenError),
    #[error("cannot start the relay")]
    Relay(#[from] relay::RelayError),
    #[error("cannot listen for metrics on {address}")]
    MetricsListen {
        address: std::net::SocketAddr,
        source: std::io::Error,
    },
}

/// Relays until `shutdown` resolves, then closes the store.
pub async fn run(
    config: &Config,
    installed: Arc<Metrics>,
    shutdown: impl Future<Output = ()>,
) -> Result<(), RelayRunError> {
    let store = store_wiring::open_store(config).await?;
    let url = store_wiring::store_url(config);
    let relay = relay::Relay::connect(store.clone(), &url, config.relay.to_relay()).await?;
    let _observers = metrics::observe_relay(&store, &config.relay.stream, relay.status());
    let (stop, stopping) = watch::channel(false);
    if let Some(address) = config.metrics.listen {
        let listener = TcpListener::bind(address)
            .await
            .map_err(|source| RelayRunError::MetricsListen { address, source })?;
        tokio::spawn(metrics::serve(installed, listener, stopping));
    }
    tracing::info!(stream = %config.relay.stream, nats = %config.relay.nats_url, "relay started");
    relay.run(shutdown).await;
    let _ = stop.send(true);
    store.close().await;
    tracing::info!("relay stopped");
    Ok(())
}
