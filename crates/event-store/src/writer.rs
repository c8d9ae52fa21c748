//! The single writer task and its group commit.
//!
//! Every append goes through one bounded queue to one task. The task takes what has queued up while
//! the previous commit ran, up to a group limit, and commits it in one transaction: under load, many
//! appends share one fsync. Each request is still checked and answered on its own. If the group's
//! transaction fails as a whole (a database error, a fault), every request of it is retried in a
//! transaction of its own, so one poisoned request fails alone and never takes its group with it.

use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use ledger::Frontier;
use tokio::sync::{mpsc, oneshot, watch};

use crate::audit::StoredCheckpoint;
use crate::backend::WriterConn;
use crate::error::{AppendError, StoreError};
use crate::limits::ValidatedAppend;
use crate::metrics::StoreMetrics;
use crate::model::AppendResult;
use crate::testing::FaultHook;

/// How many requests and events one group may hold at most.
#[derive(Debug, Clone, Copy)]
pub(crate) struct GroupLimits {
    pub(crate) max_requests: usize,
    pub(crate) max_events: usize,
}

pub(crate) type Reply = oneshot::Sender<Result<AppendResult, AppendError>>;

/// A message to the writer task.
pub(crate) enum Command {
    Append(ValidatedAppend, Reply),
    /// Keep a signed checkpoint (one small insert; signing happened before it was queued).
    Checkpoint(StoredCheckpoint, oneshot::Sender<Result<bool, StoreError>>),
    /// Tag events recorded before a tagging scheme existed (`EventStore::backfill_tags`).
    BackfillTags(TagBackfill, oneshot::Sender<Result<(), StoreError>>),
    /// Finish everything queued before this message, then stop.
    Close(oneshot::Sender<()>),
}

/// A batch of tags for events already in the log, and the scheme's new marker.
pub(crate) struct TagBackfill {
    pub(crate) scheme: String,
    pub(crate) rows: Vec<(u64, Vec<String>)>,
    pub(crate) through: u64,
}

pub(crate) struct Writer {
    pub(crate) conn: WriterConn,
    pub(crate) commands: mpsc::Receiver<Command>,
    pub(crate) head: Arc<watch::Sender<u64>>,
    pub(crate) limits: GroupLimits,
    pub(crate) faults: Option<Arc<dyn FaultHook>>,
    pub(crate) metrics: Arc<StoreMetrics>,
}

impl Writer {
    pub(crate) async fn run(mut self) {
        // The frontier after the last commit this task made; checked against the head on every use.
        let mut frontier: Option<Frontier> = None;
        while let Some(first) = self.commands.recv().await {
            let mut group = Vec::new();
            let mut close = None;
            match first {
                Command::Append(request, reply) => group.push((request, reply)),
                Command::Checkpoint(checkpoint, reply) => {
                    let _ = reply.send(self.conn.insert_checkpoint(&checkpoint).await);
                    continue;
                }
                Command::BackfillTags(backfill, reply) => {
                    let _ = reply.send(self.backfill(&backfill).await);
                    continue;
                }
                Command::Close(done) => close = Some(done),
            }
            let mut events: usize = group.iter().map(|(r, _)| r.events.len()).sum();
            while close.is_none()
                && group.len() < self.limits.max_requests
                && events < self.limits.max_events
            {
                match self.commands.try_recv() {
                    Ok(Command::Append(request, reply)) => {
                        events += request.events.len();
                        group.push((request, reply));
                    }
                    Ok(Command::Checkpoint(checkpoint, reply)) => {
                        let _ = reply.send(self.conn.insert_checkpoint(&checkpoint).await);
                    }
                    Ok(Command::BackfillTags(backfill, reply)) => {
                        let _ = reply.send(self.backfill(&backfill).await);
                    }
                    Ok(Command::Close(done)) => close = Some(done),
                    Err(_) => break,
                }
            }
            if !group.is_empty() {
                self.commit(group, &mut frontier).await;
            }
            if let Some(done) = close {
                let _ = done.send(());
                return;
            }
        }
    }

    async fn backfill(&mut self, backfill: &TagBackfill) -> Result<(), StoreError> {
        self.conn
            .backfill_tags(&backfill.scheme, &backfill.rows, backfill.through)
            .await
    }

    async fn commit(
        &mut self,
        group: Vec<(ValidatedAppend, Reply)>,
        frontier: &mut Option<Frontier>,
    ) {
        // A caller that stopped waiting (its deadline passed, or it cancelled) must not find its write
        // committed later: it was told nothing, and a retry under a new request id would record the
        // fact twice. The check runs just before the transaction starts.
        let (group, abandoned): (Vec<_>, Vec<_>) =
            group.into_iter().partition(|(_, reply)| !reply.is_closed());
        if !abandoned.is_empty() {
            tracing::info!(
                abandoned = abandoned.len(),
                "appends dropped before commit: their callers stopped waiting"
            );
        }
        if group.is_empty() {
            return;
        }
        let requests: Vec<&ValidatedAppend> = group.iter().map(|(r, _)| r).collect();
        let outcome = self
            .conn
            .commit_group(&requests, frontier.as_ref(), now_us(), self.faults.as_ref())
            .await;
        match outcome {
            Ok(committed) => {
                self.metrics.group_committed(group.len(), committed.written);
                self.head.send_if_modified(|size| {
                    let moved = committed.head.size > *size;
                    *size = (*size).max(committed.head.size);
                    moved
                });
                *frontier = Some(committed.frontier);
                for ((_, reply), outcome) in group.into_iter().zip(committed.outcomes) {
                    let _ = reply.send(outcome);
                }
            }
            // The database is unreachable: every request would wait for its own connection attempt,
            // so the whole group fails now and the callers retry (UNAVAILABLE).
            Err(StoreError::Database(error))
                if group.len() > 1 && is_connection_failure(&error) =>
            {
                tracing::warn!(%error, requests = group.len(), "group commit failed: database unreachable");
                *frontier = None;
                let message = error.to_string();
                for (_, reply) in group {
                    let _ = reply.send(Err(AppendError::Store(StoreError::Unreachable(
                        message.clone(),
                    ))));
                }
            }
            Err(error) if group.len() > 1 => {
                tracing::warn!(%error, requests = group.len(), "group commit failed; retrying each request alone");
                *frontier = None;
                for (request, reply) in group {
                    Box::pin(self.commit(vec![(request, reply)], frontier)).await;
                }
            }
            Err(error) => {
                tracing::warn!(%error, "append failed");
                *frontier = None;
                if let Some((_, reply)) = group.into_iter().next() {
                    let _ = reply.send(Err(AppendError::Store(error)));
                }
            }
        }
    }
}

/// Failures that say nothing about the requests, only that no connection works.
fn is_connection_failure(error: &sqlx::Error) -> bool {
    matches!(
        error,
        sqlx::Error::Io(_)
            | sqlx::Error::PoolTimedOut
            | sqlx::Error::PoolClosed
            | sqlx::Error::Tls(_)
    )
}

/// Microseconds since the Unix epoch; the store's only clock.
#[expect(
    clippy::disallowed_methods,
    reason = "record time is set by the store, here and only here"
)]
pub(crate) fn now_us() -> i64 {
    let since_epoch = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default();
    i64::try_from(since_epoch.as_micros()).unwrap_or(i64::MAX)
}

/// The error an append gets when the writer is gone.
pub(crate) fn closed() -> AppendError {
    AppendError::Store(closed_store())
}

/// The error any other command gets when the writer is gone.
pub(crate) fn closed_store() -> StoreError {
    StoreError::Closed
}
