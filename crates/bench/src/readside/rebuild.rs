//! Projection rebuild: a copy of the written log, the projector started on it from position 0 with
//! the chosen read models, timed until every one of them has applied the whole log.

use std::sync::Arc;
use std::time::{Duration, Instant};

use event_store::{EventStore, StoreOptions};
use projector::{Projection, Projector, ProjectorOptions, WaitError};

use crate::scratch::Scratch;

/// A log with read models built over it, kept for queries until torn down.
pub(crate) struct Built {
    copy: Scratch,
    store: EventStore,
    pub(crate) projector: Projector,
    /// From the projector's start until the last projection reached the head.
    pub(crate) elapsed: Duration,
}

impl Built {
    /// Stops the projector and the store and drops the copy of the log.
    pub(crate) async fn teardown(self) -> anyhow::Result<()> {
        self.projector.shutdown().await;
        self.store.close().await;
        drop(self.store);
        self.copy.drop_it().await
    }
}

/// Copies `log` and builds `projections` over the copy from position 0. The copy is dropped again
/// if the build fails.
pub(crate) async fn build(
    log: &Scratch,
    projections: Vec<Arc<dyn Projection>>,
    options: ProjectorOptions,
) -> anyhow::Result<Built> {
    let copy = log.copy().await?;
    match build_in(copy.url(), projections, options).await {
        Ok((store, projector, elapsed)) => Ok(Built {
            copy,
            store,
            projector,
            elapsed,
        }),
        Err(error) => {
            copy.drop_it().await?;
            Err(error)
        }
    }
}

async fn build_in(
    url: &str,
    projections: Vec<Arc<dyn Projection>>,
    options: ProjectorOptions,
) -> anyhow::Result<(EventStore, Projector, Duration)> {
    let store = EventStore::open(StoreOptions::new(url)).await?;
    let head = store.head().await?.size;
    let names: Vec<&'static str> = projections.iter().map(|p| p.name()).collect();
    // The clock includes creating the tables and starting the runners, as a real rebuild would.
    let started = Instant::now();
    let projector = Projector::start_with(store.clone(), url, projections, options).await?;
    for name in names {
        // A failure drops the projector, which stops its runners.
        caught_up(&projector, name, head).await?;
    }
    let elapsed = started.elapsed();
    Ok((store, projector, elapsed))
}

/// Waits until `name` has applied every event before `head`, checking once a second that it has not
/// stopped at an event it cannot apply (which would otherwise look like a very slow rebuild).
async fn caught_up(projector: &Projector, name: &str, head: u64) -> anyhow::Result<()> {
    loop {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(1);
        match projector.wait_for(name, head, deadline).await {
            Ok(_) => return Ok(()),
            Err(WaitError::Timeout { .. }) => {
                let statuses = projector.status().await?;
                if let Some(failed) = statuses
                    .iter()
                    .find(|s| s.name == name && s.failure.is_some())
                {
                    anyhow::bail!("projection {name} stopped: {:?}", failed.failure);
                }
            }
            Err(other) => return Err(other.into()),
        }
    }
}
