//! Opening the event store the configuration names, and the health probe over the use cases.

use event_store::{EventStore, StoreError, StoreOptions};
use secrecy::ExposeSecret;

use crate::config::Config;
use crate::health::HealthProbe;
use futures_util::future::BoxFuture;

/// The store URL: `database_url` when set, else `sqlite:<data_dir>/medaid.db`.
///
/// The URL may hold a password, so callers must not log it.
pub fn store_url(config: &Config) -> String {
    match &config.database_url {
        Some(url) => url.expose_secret().to_owned(),
        None => format!("sqlite:{}", config.data_dir.join("medaid.db").display()),
    }
}

/// Opens (and migrates) the store the configuration names, and tags the events recorded before
/// the current tag scheme (`app::backfill_tags`) before anything is decided on tags.
pub async fn open_store(config: &Config) -> Result<EventStore, OpenError> {
    let mut options = StoreOptions::new(store_url(config));
    options.acquire_timeout = config.limits.store_timeout();
    options.tree_cache_bytes = config.audit.tree_cache_mib.saturating_mul(1 << 20);
    let store = on_helper_thread("medaid-open-store", move || EventStore::open(options))
        .await?
        .map_err(OpenError::Store)?;
    let tagged = store.clone();
    on_helper_thread("medaid-backfill-tags", move || async move {
        app::backfill_tags(&tagged).await
    })
    .await?
    .map_err(OpenError::Backfill)?;
    Ok(store)
}

/// Starts the projector of every read model over the store, in the store's own database.
pub async fn start_projector(
    config: &Config,
    store: EventStore,
) -> Result<projector::Projector, OpenError> {
    let url = store_url(config);
    on_helper_thread("medaid-start-projector", move || async move {
        projector::Projector::start(store, &url, read_models::all()).await
    })
    .await?
    .map_err(OpenError::Projector)
}

/// Runs a future that is not `Send` to completion on a thread of its own, on the caller's runtime.
///
/// Opening the store and starting the projector connect through sqlx, whose futures are not `Send`
/// (higher-ranked lifetimes); awaited directly they would make the whole server future non-`Send`.
/// Through the runtime handle, the tasks they spawn (the writer, the projection runners) still
/// live on the caller's runtime, and only the result crosses threads.
async fn on_helper_thread<F, Fut, T>(name: &str, make: F) -> Result<T, OpenError>
where
    F: FnOnce() -> Fut + Send + 'static,
    Fut: Future<Output = T>,
    T: Send + 'static,
{
    let handle = tokio::runtime::Handle::current();
    let (tx, rx) = tokio::sync::oneshot::channel();
    std::thread::Builder::new()
        .name(name.to_owned())
        .spawn(move || {
            let _ = tx.send(handle.block_on(make()));
        })
        .map_err(OpenError::Thread)?;
    rx.await.map_err(|_| OpenError::Lost)
}

/// Why the store or the projector could not be opened.
#[derive(Debug, thiserror::Error)]
pub enum OpenError {
    #[error("cannot open the event store")]
    Store(#[source] StoreError),
    #[error("cannot tag the events recorded before the tag scheme")]
    Backfill(#[source] app::Error),
    #[error("cannot start the read-model projector")]
    Projector(#[source] projector::ProjectorError),
    #[error("cannot start the thread that opens the event store or starts the projector")]
    Thread(#[source] std::io::Error),
    #[error(
        "the thread that opened the event store or started the projector ended without an answer"
    )]
    Lost,
}

/// Health follows whether the store answers.
pub struct AppProbe(pub app::App);

impl HealthProbe for AppProbe {
    fn check(&self) -> BoxFuture<'_, Result<(), String>> {
        Box::pin(async move { self.0.health().await.map_err(|e| e.to_string()) })
    }
}
