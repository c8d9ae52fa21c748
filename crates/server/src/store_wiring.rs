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

/// Opens (and migrates) the store the configuration names.
///
/// `EventStore::open`'s future is not `Send` (sqlx's higher-ranked lifetimes), which would make the
/// whole server future non-`Send`. So it runs on a helper thread through the runtime handle: tasks it
/// spawns (the writer) still live on the caller's runtime, and only the result crosses threads.
pub async fn open_store(config: &Config) -> Result<EventStore, OpenError> {
    let options = StoreOptions::new(store_url(config));
    let handle = tokio::runtime::Handle::current();
    let (tx, rx) = tokio::sync::oneshot::channel();
    std::thread::Builder::new()
        .name("medaid-open-store".into())
        .spawn(move || {
            let _ = tx.send(handle.block_on(EventStore::open(options)));
        })
        .map_err(OpenError::Thread)?;
    rx.await
        .map_err(|_| OpenError::Lost)?
        .map_err(OpenError::Store)
}

/// Starts the projector of every read model over the store, in the store's own database.
///
/// Like [`open_store`], on a helper thread: the projector connects through sqlx too, and its
/// runner tasks land on the caller's runtime through the handle.
pub async fn start_projector(
    config: &Config,
    store: EventStore,
) -> Result<app::projector::Projector, OpenError> {
    let url = store_url(config);
    let handle = tokio::runtime::Handle::current();
    let (tx, rx) = tokio::sync::oneshot::channel();
    std::thread::Builder::new()
        .name("medaid-start-projector".into())
        .spawn(move || {
            let started = handle.block_on(app::projector::Projector::start(
                store,
                &url,
                app::read_models::all(),
            ));
            let _ = tx.send(started);
        })
        .map_err(OpenError::Thread)?;
    rx.await
        .map_err(|_| OpenError::Lost)?
        .map_err(OpenError::Projector)
}

/// Why the store or the projector could not be opened.
#[derive(Debug, thiserror::Error)]
pub enum OpenError {
    #[error("cannot open the event store")]
    Store(#[source] StoreError),
    #[error("cannot start the read-model projector")]
    Projector(#[source] app::projector::ProjectorError),
    #[error("cannot start the thread that opens the event store")]
    Thread(#[source] std::io::Error),
    #[error("the thread that opened the event store ended without an answer")]
    Lost,
}

/// Health follows whether the store answers.
pub struct AppProbe(pub app::App);

impl HealthProbe for AppProbe {
    fn check(&self) -> BoxFuture<'_, Result<(), String>> {
        Box::pin(async move { self.0.health().await.map_err(|e| e.to_string()) })
    }
}
