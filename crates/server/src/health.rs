//! The gRPC health status: SERVING once the server is up, NOT_SERVING while a [`HealthProbe`] fails
//! (for example while the database is unreachable) and from the moment shutdown begins.

use std::sync::Arc;
use std::time::Duration;

use futures_util::future::BoxFuture;
use tokio::sync::Mutex;
use tonic_health::ServingStatus;
use tonic_health::server::HealthReporter;

/// A check of something the server needs, such as storage. `Err` carries a reason for the logs.
///
/// The storage layer implements this once it exists; `run_with` polls it every
/// `server.health_probe_interval_ms`.
pub trait HealthProbe: Send + Sync + 'static {
    fn check(&self) -> BoxFuture<'_, Result<(), String>>;
}

/// Any `Fn() -> future` closure is a probe, which keeps tests and simple wiring short.
impl<F, Fut> HealthProbe for F
where
    F: Fn() -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<(), String>> + Send + 'static,
{
    fn check(&self) -> BoxFuture<'_, Result<(), String>> {
        Box::pin(self())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    Starting,
    Serving,
    Unhealthy,
    ShuttingDown,
}

/// Owns the health reporter and decides the status of the whole server and each mounted service.
#[derive(Clone)]
pub struct Health {
    reporter: HealthReporter,
    services: Arc<Vec<String>>,
    phase: Arc<Mutex<Phase>>,
}

impl Health {
    /// `services` are the fully qualified names reported alongside the empty name (the whole server).
    pub fn new(reporter: HealthReporter, services: Vec<String>) -> Health {
        Health {
            reporter,
            services: Arc::new(services),
            phase: Arc::new(Mutex::new(Phase::Starting)),
        }
    }

    async fn set(&self, status: ServingStatus) {
        self.reporter.set_service_status("", status).await;
        for name in self.services.iter() {
            self.reporter.set_service_status(name, status).await;
        }
    }

    /// Reports NOT_SERVING before the listener accepts, so an early probe does not see a default SERVING.
    pub async fn starting(&self) {
        self.set(ServingStatus::NotServing).await;
    }

    /// Reports SERVING unless shutdown has begun.
    pub async fn serving(&self) {
        let mut phase = self.phase.lock().await;
        if *phase == Phase::ShuttingDown {
            return;
        }
        if *phase == Phase::Unhealthy {
            tracing::info!("health probe recovered; serving");
        }
        *phase = Phase::Serving;
        self.set(ServingStatus::Serving).await;
    }

    /// Reports NOT_SERVING because a dependency is down; a later success reports SERVING again.
    pub async fn unhealthy(&self, reason: &str) {
        let mut phase = self.phase.lock().await;
        if *phase == Phase::ShuttingDown {
            return;
        }
        if *phase != Phase::Unhealthy {
            tracing::warn!(reason, "health probe failed; not serving");
        }
        *phase = Phase::Unhealthy;
        self.set(ServingStatus::NotServing).await;
    }

    /// Reports NOT_SERVING for good.
    pub async fn shutting_down(&self) {
        let mut phase = self.phase.lock().await;
        *phase = Phase::ShuttingDown;
        self.set(ServingStatus::NotServing).await;
    }

    /// Polls `probe` every `interval` until shutdown; the first check runs at once.
    pub async fn watch(self, probe: Arc<dyn HealthProbe>, interval: Duration) {
        let mut ticker = tokio::time::interval(interval);
        ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            ticker.tick().await;
            if *self.phase.lock().await == Phase::ShuttingDown {
                return;
            }
            // A probe that hangs (a database that stopped answering without closing its connections)
            // counts as failed once the interval has passed, so health follows an outage within
            // about two intervals.
            match tokio::time::timeout(interval, probe.check()).await {
                Ok(Ok(())) => self.serving().await,
                Ok(Err(reason)) => self.unhealthy(&reason).await,
                Err(_) => {
                    self.unhealthy("the health probe did not answer in time")
                        .await
                }
            }
        }
    }
}
