//! The projector handle: start, status, active tables, rebuild, retry, wait, shutdown.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use event_store::EventStore;
use sqlx::any::AnyPoolOptions;
use sqlx::{AnyConnection, AnyPool, Connection};
use tokio::sync::{mpsc, oneshot};
use tokio::task::JoinHandle;
use tokio::time::Instant;

use crate::checkpoint::{self, GenKey};
use crate::error::{ProjectorError, WaitError};
use crate::leader::{self, Conductor, Request};
use crate::projection::{Projection, is_valid_name};
use crate::slot::{Context, ProjectorOptions, Slot};
use crate::status::{Phase, ProjectionFailure, ProjectionStatus, Snapshot, shown_state};
use crate::write::{self, Backend};
use crate::{open, rebuild, wait};

/// The tables queries should read for a projection, and the log position they reflect.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActiveTables {
    pub version: u32,
    pub generation: u32,
    pub table_prefix: String,
    /// Every event before this position is reflected in the tables.
    pub position: u64,
}

/// Runs every registered projection, each in its own task, when this replica is the leader (see
/// [`Projector::is_leader`]); answers for them in any case.
pub struct Projector {
    context: Arc<Context>,
    slots: Vec<Arc<Slot>>,
    conductor: mpsc::Sender<Request>,
    conductor_task: Option<JoinHandle<()>>,
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
            leader: AtomicBool::new(false),
        });
        let mut slots = Vec::with_capacity(projections.len());
        for projection in projections {
            slots.push(open::slot(&context, projection).await?);
        }
        // SQLite is always led by its one process; on PostgreSQL the first replica to take the lock leads.
        let mut lock = None;
        let leads = match backend {
            Backend::Sqlite => true,
            Backend::Postgres => {
                let mut conn = AnyConnection::connect(url).await?;
                let got = leader::try_lock(&mut conn).await?;
                lock = Some(conn);
                got
            }
        };
        if leads {
            leader::take_over(&context, &slots).await?;
        } else {
            tracing::info!("another replica runs the projections; following it");
        }
        let (conductor, requests) = mpsc::channel(16);
        let task = tokio::spawn(
            Conductor {
                context: context.clone(),
                slots: slots.clone(),
                url: url.to_owned(),
                lock,
                requests,
            }
            .run(),
        );
        Ok(Projector {
            context,
            slots,
            conductor,
            conductor_task: Some(task),
        })
    }

    /// Whether this replica runs the projections now. On PostgreSQL exactly one replica of a
    /// database does; the others answer queries from the tables it writes and take over when it
    /// goes away. On SQLite always true.
    pub fn is_leader(&self) -> bool {
        self.context.leader.load(Ordering::SeqCst)
    }

    /// Every projection's name and the position its active tables reflect (0 before the first
    /// build), from memory: cheap enough for a metrics callback.
    pub fn positions(&self) -> Vec<(&'static str, u64)> {
        self.slots
            .iter()
            .map(|slot| (slot.projection.name(), slot.active.borrow().position))
            .collect()
    }

    /// Asks the conductor to bring the runners in line with the tables, and waits for it.
    async fn reconcile_now(&self) {
        let (done, finished) = oneshot::channel();
        if self.conductor.send(Request::Reconcile(done)).await.is_ok() {
            let _ = finished.await;
        }
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

    /// Where the active generation of `name` stopped, when this replica runs it and it failed:
    /// until a retry or rebuild it will not move, so waiting for a later position is pointless.
    /// `None` while it runs, for an unknown name, and on a replica that does not run it.
    pub fn active_failure(&self, name: &str) -> Option<ProjectionFailure> {
        let slot = self.slot(name)?;
        let key = slot.active.borrow().key?;
        slot.with_runners(|runners| {
            let snapshot = runners.iter().find(|r| r.key == key)?.status.get();
            match snapshot.phase {
                Phase::Failed => snapshot.failure,
                Phase::CatchingUp | Phase::Live | Phase::Stopped => None,
            }
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
        let generation = rebuild::start(&self.context, slot).await?;
        self.reconcile_now().await;
        Ok(generation)
    }

    /// Restarts the failed generations of `name` from their checkpoints (after a fix of the code or
    /// of the data); returns how many were restarted.
    pub async fn retry(&self, name: &str) -> Result<usize, ProjectorError> {
        let slot = self
            .slot(name)
            .ok_or_else(|| ProjectorError::Unknown(name.to_owned()))?;
        let failed: Vec<GenKey> = {
            let mut conn = self.context.pool.acquire().await?;
            checkpoint::load_all(&mut conn, slot.projection.name())
                .await?
                .into_iter()
                .filter(|r| r.key.version == slot.projection.version() && r.state == "failed")
                .map(|r| r.key)
                .collect()
        };
        let mut restarted = 0;
        for key in failed {
            let mut tx = write::begin(&self.context).await?;
            let cleared = checkpoint::clear_failure(&mut tx, key).await?;
            tx.commit().await?;
            if cleared {
                restarted += 1;
            }
        }
        // The leader's runners start from the cleared checkpoints (here at once when this replica
        // leads, else on the leader's next reconcile).
        self.reconcile_now().await;
        Ok(restarted)
    }

    /// The status of every running or failed generation, with its lag behind the log's head.
    pub async fn status(&self) -> Result<Vec<ProjectionStatus>, ProjectorError> {
        let head = self.context.store.head().await?;
        let mut statuses = Vec::new();
        for slot in &self.slots {
            let mut runners: Vec<_> = slot
                .with_runners(|runners| runners.iter().map(|r| (r.key, r.status.get())).collect());
            // Generations this replica does not run (it follows, or the runner is not started yet),
            // as the tables have them. An active generation of a version no longer registered
            // (being replaced after an upgrade) is read, frozen, and shown as stopped.
            let rows = {
                let mut conn = self.context.pool.acquire().await?;
                checkpoint::load_all(&mut conn, slot.projection.name()).await?
            };
            for row in rows {
                if row.state == "retired" || runners.iter().any(|(key, _)| *key == row.key) {
                    continue;
                }
                let snapshot = if row.key.version == slot.projection.version() {
                    Snapshot::stored(&row, head.size)
                } else {
                    Snapshot::frozen(row.position)
                };
                runners.push((row.key, snapshot));
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

    /// Stops every runner after its current transaction, gives up leadership, then closes the pool.
    pub async fn shutdown(mut self) {
        let (done, finished) = oneshot::channel();
        if self.conductor.send(Request::Stop(done)).await.is_ok() {
            let _ = finished.await;
        }
        if let Some(task) = self.conductor_task.take() {
            let _ = task.await;
        }
        self.context.pool.close().await;
    }
}

impl Drop for Projector {
    /// A projector dropped without [`Projector::shutdown`] still stops its runners (each after its
    /// current transaction) and gives up leadership: its conductor sees the handle gone.
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
