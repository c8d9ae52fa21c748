//! What the projector keeps per projection name: the active generation and the running ones.

use std::sync::atomic::AtomicBool;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use event_store::EventStore;
use sqlx::AnyPool;
use tokio::sync::watch;
use tokio::task::JoinHandle;

use crate::checkpoint::GenKey;
use crate::projection::Projection;
use crate::status::StatusCell;
use crate::write::{Backend, Turn};

/// Tuning of the runners.
#[derive(Debug, Clone)]
pub struct ProjectorOptions {
    /// Most events applied in one transaction. Small enough to keep SQLite's write lock short.
    pub batch_size: usize,
    /// How often a live runner records that the log moved past events its filter does not want, so
    /// that its position (and `wait_for`) follows the head even when nothing matches.
    pub idle_checkpoint_interval: Duration,
    /// Longest pause between retries after a transient error.
    pub max_retry_backoff: Duration,
    /// Connections of the read-model pool (runners and queries share it).
    pub max_connections: u32,
    /// PostgreSQL: how often a replica that does not run the projections tries to take over, and
    /// refreshes the positions its queries see from the checkpoint tables (see `leader`).
    pub follow_interval: Duration,
}

impl Default for ProjectorOptions {
    fn default() -> ProjectorOptions {
        ProjectorOptions {
            batch_size: 500,
            idle_checkpoint_interval: Duration::from_millis(100),
            max_retry_backoff: Duration::from_secs(5),
            max_connections: 8,
            follow_interval: Duration::from_millis(50),
        }
    }
}

/// What every runner shares.
pub(crate) struct Context {
    pub(crate) store: EventStore,
    pub(crate) pool: AnyPool,
    pub(crate) backend: Backend,
    /// Turn-taking of write transactions on SQLite (see `write`).
    pub(crate) turn: Turn,
    pub(crate) options: ProjectorOptions,
    /// Whether this replica runs the projections now (always on SQLite).
    pub(crate) leader: AtomicBool,
}

/// The generation queries read and the position its tables reflect.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct ActiveView {
    pub(crate) key: Option<GenKey>,
    pub(crate) position: u64,
}

/// One running (or failed) generation.
pub(crate) struct RunnerHandle {
    pub(crate) key: GenKey,
    pub(crate) status: StatusCell,
    pub(crate) stop: watch::Sender<bool>,
    pub(crate) task: Option<JoinHandle<()>>,
}

impl RunnerHandle {
    /// Asks the runner to stop after its current transaction and waits for it.
    pub(crate) async fn stop(mut self) {
        self.stop.send_replace(true);
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }
}

/// Everything about one projection name.
pub(crate) struct Slot {
    pub(crate) projection: Arc<dyn Projection>,
    pub(crate) active: watch::Sender<ActiveView>,
    pub(crate) runners: Mutex<Vec<RunnerHandle>>,
}

impl Slot {
    pub(crate) fn is_active(&self, key: GenKey) -> bool {
        self.active.borrow().key == Some(key)
    }

    /// Publishes a committed position if `key` is the active generation.
    pub(crate) fn publish(&self, key: GenKey, position: u64) {
        self.active.send_if_modified(|view| {
            let changed = view.key == Some(key) && view.position != position;
            if changed {
                view.position = position;
            }
            changed
        });
    }

    pub(crate) fn with_runners<T>(&self, f: impl FnOnce(&mut Vec<RunnerHandle>) -> T) -> T {
        f(&mut self.runners.lock().unwrap_or_else(PoisonError::into_inner))
    }

    /// Removes a runner's handle, so the caller can stop it.
    pub(crate) fn take_runner(&self, key: GenKey) -> Option<RunnerHandle> {
        self.with_runners(|runners| {
            let index = runners.iter().position(|r| r.key == key)?;
            Some(runners.remove(index))
        })
    }
}
