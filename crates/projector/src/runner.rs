//! One generation's task: catch up in batches, then follow the log live.
//!
//! Every batch is one transaction holding the read-model changes and the checkpoint move, so a crash
//! at any point leaves the tables and the checkpoint agreeing: no event is applied twice or missed.
//! An event the projection cannot apply stops this generation (recorded in its checkpoint row) and
//! nothing else; transient errors are retried with a growing pause.

use std::sync::Arc;
use std::time::Duration;

use event_store::StoredEvent;
use futures_util::FutureExt;
use tokio::sync::watch;
use tokio::time::MissedTickBehavior;

use crate::checkpoint::{self, GenKey};
use crate::error::{ProjectorError, error_chain};
use crate::projection::ProjectionError;
use crate::rebuild::try_switch;
use crate::slot::{Context, RunnerHandle, Slot};
use crate::status::{Phase, ProjectionFailure, StatusCell};
use crate::write::{self, Backend};

/// Starts a runner for a generation at its stored position; a failed generation gets a handle
/// (for its status and a later retry) but no task.
pub(crate) fn spawn(
    context: Arc<Context>,
    slot: Arc<Slot>,
    key: GenKey,
    position: u64,
    failure: Option<ProjectionFailure>,
) -> RunnerHandle {
    let failed = failure.is_some();
    let status = StatusCell::new(position, failure);
    let (stop, stop_receiver) = watch::channel(false);
    let task = (!failed).then(|| {
        let runner = Runner {
            context,
            slot,
            key,
            prefix: key.prefix(),
            status: status.clone(),
            stop: stop_receiver,
        };
        tokio::spawn(runner.run())
    });
    RunnerHandle {
        key,
        status,
        stop,
        task,
    }
}

/// Whether to keep going after a batch.
enum Flow {
    Continue,
    Exit,
}

struct Runner {
    context: Arc<Context>,
    slot: Arc<Slot>,
    key: GenKey,
    prefix: String,
    status: StatusCell,
    stop: watch::Receiver<bool>,
}

impl Runner {
    async fn run(mut self) {
        let mut backoff = Duration::from_millis(50);
        loop {
            match self.run_once().await {
                Ok(()) => break,
                Err(error) => {
                    let text = error_chain(&error);
                    tracing::warn!(
                        projection = self.key.name,
                        version = self.key.version,
                        generation = self.key.generation,
                        error = %text,
                        "projection runner retrying after a transient error"
                    );
                    self.status.update(|s| s.last_error = Some(text));
                    if self.sleep_or_stop(backoff).await {
                        break;
                    }
                    backoff = (backoff * 2).min(self.context.options.max_retry_backoff);
                }
            }
        }
        self.status.update(|s| {
            if s.phase != Phase::Failed {
                s.phase = Phase::Stopped;
            }
        });
    }

    fn stopping(&self) -> bool {
        *self.stop.borrow()
    }

    /// Sleeps, unless asked to stop first; true when stopping.
    async fn sleep_or_stop(&mut self, pause: Duration) -> bool {
        if self.stopping() {
            return true;
        }
        tokio::select! {
            _ = tokio::time::sleep(pause) => self.stopping(),
            _ = self.stop.changed() => true,
        }
    }

    async fn run_once(&mut self) -> Result<(), ProjectorError> {
        let filter = self.slot.projection.filter();
        // The store never returns more than `MAX_READ_LIMIT` events a page; a larger batch would make
        // every page look like the end of the log.
        let batch = self
            .context
            .options
            .batch_size
            .clamp(1, event_store::MAX_READ_LIMIT);
        let mut position = self.status.get().position;
        self.status.update(|s| s.phase = Phase::CatchingUp);

        // Catch-up: pages of the log, one transaction each. With a filter, `next_position` jumps
        // over events that do not match, and the checkpoint jumps with it.
        loop {
            if self.stopping() {
                return Ok(());
            }
            let page = self
                .context
                .store
                .read_all(position, batch, &filter)
                .await?;
            let caught_up = page.events.len() < batch;
            if page.next_position > position {
                match self
                    .commit(position, &page.events, page.next_position)
                    .await?
                {
                    Flow::Continue => position = page.next_position,
                    Flow::Exit => return Ok(()),
                }
            }
            if caught_up {
                break;
            }
        }
        if !self.slot.is_active(self.key) {
            try_switch(&self.context, &self.slot, self.key, position).await?;
        }
        self.status.update(|s| {
            s.phase = Phase::Live;
            s.last_error = None;
        });

        // Live: the subscription wakes on every commit; a tick records progress over events the
        // filter skips, and retries a pending switch.
        let mut subscription = self.context.store.subscribe(position, filter);
        let mut tick = tokio::time::interval(self.context.options.idle_checkpoint_interval);
        tick.set_missed_tick_behavior(MissedTickBehavior::Delay);
        loop {
            let mut events = Vec::new();
            tokio::select! {
                biased;
                _ = self.stop.changed() => return Ok(()),
                event = subscription.next() => {
                    events.push(event?);
                    // Take what is already buffered, up to a batch, without waiting: `next` is
                    // cancel-safe, so a read dropped here loses nothing.
                    while events.len() < batch {
                        match subscription.next().now_or_never() {
                            Some(event) => events.push(event?),
                            None => break,
                        }
                    }
                }
                _ = tick.tick() => {}
            }
            let next = subscription.resume_position();
            if next > position {
                match self.commit(position, &events, next).await? {
                    Flow::Continue => position = next,
                    Flow::Exit => return Ok(()),
                }
            }
            if !self.slot.is_active(self.key) {
                try_switch(&self.context, &self.slot, self.key, position).await?;
            }
        }
    }

    /// Applies events and moves the checkpoint from `from` to `next` in one transaction.
    async fn commit(
        &self,
        from: u64,
        events: &[StoredEvent],
        next: u64,
    ) -> Result<Flow, ProjectorError> {
        let mut tx = write::begin(&self.context).await?;
        // Another replica may have run this generation since this runner last looked (leadership
        // moved while it was busy): nothing is applied unless the checkpoint is still ours.
        if self.context.backend == Backend::Postgres
            && !checkpoint::claim(&mut tx, self.key, from).await?
        {
            let _ = tx.rollback().await;
            tracing::info!(
                projection = self.key.name,
                generation = self.key.generation,
                "checkpoint moved elsewhere; this runner stops"
            );
            return Ok(Flow::Exit);
        }
        for event in events {
            let applied = self
                .slot
                .projection
                .apply(&mut tx, &self.prefix, event)
                .await;
            if let Err(error) = applied {
                // Nothing of this batch is kept: the failure is recorded at the batch's start.
                let _ = tx.rollback().await;
                if is_transient(&error) {
                    return Err(error.into());
                }
                return self.fail(from, event.position, &error).await;
            }
        }
        if !checkpoint::advance(&mut tx, self.key, from, next).await? {
            // A switch retired this generation (or it failed elsewhere): keep nothing, stop.
            let _ = tx.rollback().await;
            tracing::info!(
                projection = self.key.name,
                generation = self.key.generation,
                "generation no longer running; its runner stops"
            );
            return Ok(Flow::Exit);
        }
        tx.commit().await?;
        self.status.update(|s| {
            s.position = next;
            s.last_error = None;
        });
        self.slot.publish(self.key, next);
        Ok(Flow::Continue)
    }

    /// Records that the event at `position` cannot be applied and stops this generation.
    async fn fail(
        &self,
        from: u64,
        position: u64,
        error: &ProjectionError,
    ) -> Result<Flow, ProjectorError> {
        let reason = error_chain(error);
        let mut tx = write::begin(&self.context).await?;
        let marked = checkpoint::mark_failed(&mut tx, self.key, from, position, &reason).await?;
        tx.commit().await?;
        if marked {
            tracing::error!(
                projection = self.key.name,
                version = self.key.version,
                generation = self.key.generation,
                position,
                reason = %reason,
                "projection stopped at an event it cannot apply"
            );
            self.status.update(|s| {
                s.phase = Phase::Failed;
                s.failure = Some(ProjectionFailure { position, reason });
            });
        }
        Ok(Flow::Exit)
    }
}

/// Errors that say nothing about the event: the connection or the lock, not the data.
fn is_transient(error: &ProjectionError) -> bool {
    match error {
        ProjectionError::Database(error) => match error {
            sqlx::Error::Io(_)
            | sqlx::Error::Tls(_)
            | sqlx::Error::Protocol(_)
            | sqlx::Error::PoolTimedOut
            | sqlx::Error::PoolClosed
            | sqlx::Error::WorkerCrashed
            | sqlx::Error::BeginFailed => true,
            // SQLite busy or locked; PostgreSQL serialization failure or deadlock.
            sqlx::Error::Database(db) => db
                .code()
                .is_some_and(|code| matches!(code.as_ref(), "5" | "6" | "40001" | "40P01")),
            _ => false,
        },
        ProjectionError::Unapplicable { .. } => false,
    }
}
