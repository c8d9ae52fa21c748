//! The projector handle: start, status, active tables, rebuild, retry, wait, shutdown.

use std::sync::Arc;
use std::time::Duration;

use event_store::EventStore;
use sqlx::AnyPool;
use sqlx::any::AnyPoolOptions;
use tokio::time::Instant;

use crate::checkpoint;
use crate::error::{ProjectorError, WaitError};
use crate::projection::{Projection, is_valid_name};
use crate::slot::{Context, ProjectorOptions, Slot};
use crate::status::{ProjectionStatus, Snapshot, shown_state};
use crate::write::{self, Backend};
use crate::{open, rebuild, runner, wait};

/// The tables queries should read for a projection, and the log position they reflect.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActiveTables {
    pub version: u32,
    pub generation: u32,
    pub table_prefix: String,
    /// Every event before this position is reflected in the tables.
    pub position: u64,
}

/// Runs every registered projection, each in its own task.
pub struct Projector {
    context: Arc<Context>,
    slots: Vec<Arc<Slot>>,
}

impl Projector {
    /// Starts the projections with default options; see [`Projector::start_with`].
    pub async fn start(
        store: EventStore,
        url: &str,
        projections: Vec<Arc<dyn Projection>>,
    ) -> Result<Projector, ProjectorError> {
        Projector::start_with(store, url, projections, ProjectorOptions::default()).await
    }

    /// Connects to the read-model database (the store's own, at `url`, already migrated by the
    /// store), resumes or creates each projection's generations and starts their runners.
    pub async fn start_with(
        store: EventStore,
        url: &str,
        projections: Vec<Arc<dyn Projection>>,
        options: ProjectorOptions,
    ) -> Result<Projector, ProjectorError> {
        for (i, projection) in projections.iter().enumerate() {
            let name = projection.name();
            if !is_valid_name(name) {
                return Err(ProjectorError::InvalidName(name.to_owned()));
            }
            if projections[..i].iter().any(|p| p.name() == name) {
                return Err(ProjectorError::Duplicate(name.to_owned()));
            }
        }
        let backend = Backend::of_url(url)?;
        sqlx::any::install_default_drivers();
        let pool = AnyPoolOptions::new()
            .max_connections(options.max_connections.max(1))
            .connect(url)
            .await?;
        let context = Arc::new(Context {
            store,
            pool,
            backend,
            turn: Default::default(),
            options,
        });
        let mut projector = Projector {
            context: context.clone(),
            slots: Vec::new(),
        };
        for projection in projections {
            match open::open(&context, projection).await {
                Ok(slot) => projector.slots.push(slot),
                Err(error) => {
                    projector.stop_all().await;
                    return Err(error);
                }
            }
        }
        Ok(projector)
    }

    /// The read-model pool, for queries.
    pub fn pool(&self) -> &AnyPool {
        &self.context.pool
    }

    fn slot(&self, name: &str) -> Option<&Arc<Slot>> {
        self.slots.iter().find(|s| s.projection.name() == name)
    }

    /// The tables queries should read now, or `None` for an unknown name.
    pub fn active(&self, name: &str) -> Option<ActiveTables> {
        let view = *self.slot(name)?.active.borrow();
        let key = view.key?;
        Some(ActiveTables {
            version: key.version,
            generation: key.generation,
            table_prefix: key.prefix(),
            position: view.position,
        })
    }

    /// Waits until the active tables of `name` reflect every event before `position` (for an
    /// append, pass `AppendResult::positions().end`). Returns the position reached.
    pub async fn wait_for(
        &self,
        name: &str,
        position: u64,
        deadline: Instant,
    ) -> Result<u64, WaitError> {
        let slot = self
            .slot(name)
            .ok_or_else(|| WaitError::Unknown(name.to_owned()))?;
        wait::wait_for(slot, position, deadline).await
    }

    /// Starts a blue/green rebuild of the registered version into a new generation; returns the
    /// generation number. Queries switch to it when it has caught up.
    pub async fn rebuild(&self, name: &str) -> Result<u32, ProjectorError> {
        let slot = self
            .slot(name)
            .ok_or_else(|| ProjectorError::Unknown(name.to_owned()))?;
        rebuild::start(&self.context, slot).await
    }

    /// Restarts the failed generations of `name` from their checkpoints (after a fix of the code or
    /// of the data); returns how many were restarted.
    pub async fn retry(&self, name: &str) -> Result<usize, ProjectorError> {
        let slot = self
            .slot(name)
            .ok_or_else(|| ProjectorError::Unknown(name.to_owned()))?;
        let failed: Vec<_> = slot.with_runners(|runners| {
            runners
                .iter()
                .filter(|r| r.task.is_none() || r.task.as_ref().is_some_and(|t| t.is_finished()))
                .filter(|r| r.status.get().failure.is_some())
                .map(|r| r.key)
                .collect()
        });
        let mut restarted = 0;
        for key in failed {
            let mut tx = write::begin(&self.context).await?;
            let cleared = checkpoint::clear_failure(&mut tx, key).await?;
            tx.commit().await?;
            let Some(old) = slot.take_runner(key) else {
                continue;
            };
            let position = old.status.get().position;
            old.stop().await;
            if cleared {
                let handle = runner::spawn(self.context.clone(), slot.clone(), key, position, None);
                slot.with_runners(|runners| runners.push(handle));
                restarted += 1;
            }
        }
        Ok(restarted)
    }

    /// The status of every running or failed generation, with its lag behind the log's head.
    pub async fn status(&self) -> Result<Vec<ProjectionStatus>, ProjectorError> {
        let head = self.context.store.head().await?;
        let mut statuses = Vec::new();
        for slot in &self.slots {
            let mut runners: Vec<_> = slot
                .with_runners(|runners| runners.iter().map(|r| (r.key, r.status.get())).collect());
            // An active generation of a version no longer registered (being replaced after an
            // upgrade) has no runner: it is still read, frozen, and shown as stopped.
            let view = *slot.active.borrow();
            if let Some(key) = view.key.filter(|k| runners.iter().all(|(r, _)| r != k)) {
                runners.push((key, Snapshot::frozen(view.position)));
            }
            for (key, snapshot) in runners {
                let lag_events = head.size.saturating_sub(snapshot.position);
                let lag_seconds = if lag_events == 0 {
                    0.0
                } else {
                    match self.context.store.get_event(snapshot.position).await? {
                        Some(first) => {
                            let micros = head
                                .last_recorded_at_us
                                .saturating_sub(first.recorded_at_us);
                            Duration::from_micros(u64::try_from(micros).unwrap_or(0)).as_secs_f64()
                        }
                        None => 0.0,
                    }
                };
                let active = slot.is_active(key);
                statuses.push(ProjectionStatus {
                    name: key.name.to_owned(),
                    version: key.version,
                    generation: key.generation,
                    table_prefix: key.prefix(),
                    active,
                    state: shown_state(snapshot.phase, active),
                    position: snapshot.position,
                    lag_events,
                    lag_seconds,
                    failure: snapshot.failure,
                    last_error: snapshot.last_error,
                });
            }
        }
        Ok(statuses)
    }

    async fn stop_all(&self) {
        for slot in &self.slots {
            let runners = slot.with_runners(std::mem::take);
            for runner in runners {
                runner.stop().await;
            }
        }
    }

    /// Stops every runner after its current transaction, then closes the pool.
    pub async fn shutdown(self) {
        self.stop_all().await;
        self.context.pool.close().await;
    }
}

impl Drop for Projector {
    /// A projector dropped without [`Projector::shutdown`] still stops its runners (each after its
    /// current transaction), rather than leaving them running with no handle to stop them.
    fn drop(&mut self) {
        for slot in &self.slots {
            slot.with_runners(|runners| {
                for runner in runners.iter() {
                    runner.stop.send_replace(true);
                }
            });
        }
    }
}
