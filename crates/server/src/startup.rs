//! Opening the store when the database may not be up yet: `serve` keeps its port, answers health
//! NOT_SERVING, and retries with backoff until the database answers (or shutdown is asked for),
//! instead of exiting after one failed attempt.
//!
//! While it waits, a health-only server answers on a duplicate of the listener's socket; once the
//! store is open that server stops and the full server takes the same socket, so the port never
//! closes. Only PostgreSQL is waited for: an SQLite file that cannot be opened is a configuration
//! error that no wait repairs.

use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

use event_store::EventStore;
use tokio::net::TcpListener;
use tonic::transport::Server;
use tonic::transport::server::TcpIncoming;
use tonic_health::ServingStatus;

use crate::config::Config;
use crate::store_wiring::{self, OpenError};

/// The first wait between attempts, and the longest.
pub const FIRST_RETRY: Duration = Duration::from_millis(200);
pub const MAX_RETRY: Duration = Duration::from_secs(5);

/// The next wait after `current`: doubled, at most [`MAX_RETRY`].
pub fn next_retry(current: Duration) -> Duration {
    (current * 2).min(MAX_RETRY)
}

/// Whether another attempt may succeed.
fn worth_retrying(config: &Config, error: &OpenError) -> bool {
    config.database_url.is_some()
        && match error {
            OpenError::Store(store) => store.is_transient(),
            OpenError::Backfill(backfill) => backfill.is_retryable(),
            OpenError::Projector(_) | OpenError::Thread(_) | OpenError::Lost => false,
        }
}

/// What waiting for the store ended with.
pub enum Opened {
    Store(EventStore, TcpListener),
    /// Shutdown was asked for before the database answered.
    ShutDown,
}

/// Opens the store, waiting for the database while health says NOT_SERVING on `listener`.
pub async fn open_store_waiting(
    config: &Config,
    listener: TcpListener,
    shutdown: &mut Pin<Box<dyn Future<Output = ()> + Send>>,
) -> Result<Opened, OpenError> {
    let error = match store_wiring::open_store(config).await {
        Ok(store) => return Ok(Opened::Store(store, listener)),
        Err(error) if !worth_retrying(config, &error) => return Err(error),
        Err(error) => error,
    };
    tracing::warn!(error = %error, "the database is not reachable; waiting for it (health NOT_SERVING)");
    let std_listener = listener.into_std().map_err(OpenError::Thread)?;
    let interim = TcpListener::from_std(std_listener.try_clone().map_err(OpenError::Thread)?)
        .map_err(OpenError::Thread)?;
    let listener = TcpListener::from_std(std_listener).map_err(OpenError::Thread)?;
    let (stop_interim, interim_stopped) = tokio::sync::oneshot::channel::<()>();
    let interim_server = tokio::spawn(health_only(interim, interim_stopped));
    let mut wait = FIRST_RETRY;
    let outcome = loop {
        tokio::select! {
            () = tokio::time::sleep(wait) => {}
            () = shutdown.as_mut() => break Ok(Opened::ShutDown),
        }
        match store_wiring::open_store(config).await {
            Ok(store) => {
                tracing::info!("the database answers; starting");
                break Ok(Opened::Store(store, listener));
            }
            Err(error) if worth_retrying(config, &error) => {
                tracing::debug!(error = %error, retry_ms = wait.as_millis(), "still waiting for the database");
                wait = next_retry(wait);
            }
            Err(error) => break Err(error),
        }
    };
    let _ = stop_interim.send(());
    // Health Watch streams would hold a graceful stop open; the interim server has nothing else.
    if tokio::time::timeout(Duration::from_millis(200), interim_server)
        .await
        .is_err()
    {
        tracing::debug!("interim health server cut off");
    }
    outcome
}

/// Serves only `grpc.health.v1.Health`, NOT_SERVING for the server and every name, until `stop`.
async fn health_only(listener: TcpListener, stop: tokio::sync::oneshot::Receiver<()>) {
    let (reporter, service) = tonic_health::server::health_reporter();
    reporter
        .set_service_status("", ServingStatus::NotServing)
        .await;
    let incoming = TcpIncoming::from(listener).with_nodelay(Some(true));
    let served = Server::builder()
        .add_service(service)
        .serve_with_incoming_shutdown(incoming, async {
            let _ = stop.await;
        })
        .await;
    if let Err(error) = served {
        tracing::warn!(%error, "interim health server failed");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retries_back_off_to_a_bound() {
        let mut wait = FIRST_RETRY;
        let mut waits = vec![wait];
        for _ in 0..8 {
            wait = next_retry(wait);
            waits.push(wait);
        }
        assert_eq!(waits[1], Duration::from_millis(400));
        assert_eq!(*waits.last().unwrap(), MAX_RETRY);
        assert!(waits.windows(2).all(|w| w[0] <= w[1]));
    }
}
