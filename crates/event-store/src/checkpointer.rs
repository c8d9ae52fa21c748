//! Signing checkpoints: the log's signed word on its size and root, made beside the writer.
//!
//! [`Checkpointer::sign_head`] signs the committed head unless it is already signed. Before it signs,
//! it proves that the new tree extends the last signed one (a consistency proof from the stored nodes,
//! checked against the stored root), so the server never signs a history that contradicts what it
//! signed before: if someone rewrote the tables, signing stops and the error is logged.
//!
//! [`Checkpointer::run`] signs while the log grows: once an interval (one second) has passed since the
//! last signing, or as soon as 1,000 events are unsigned, whichever comes first. An event therefore
//! waits at most an interval for its checkpoint, and a quiet log is signed once per burst. It runs in a task of its own and reads through the readers' pool;
//! only the finished row is queued to the writer, so signing never holds up an append.

use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use ledger::note::NoteSigner;
use ledger::{Checkpoint, CheckpointError, TreeHead, verify_consistency};
use tokio::sync::Mutex;
use tokio::time::Instant;

use crate::audit::{AuditError, StoredCheckpoint};
use crate::error::StoreError;
use crate::store::EventStore;

/// When the background task signs.
#[derive(Debug, Clone, Copy)]
pub struct CheckpointPolicy {
    /// The longest an event waits for a checkpoint that covers it, and the shortest gap between two
    /// checkpoints signed for time's sake.
    pub interval: Duration,
    /// Sign as soon as this many events are unsigned.
    pub max_events: u64,
}

impl Default for CheckpointPolicy {
    fn default() -> CheckpointPolicy {
        CheckpointPolicy {
            interval: Duration::from_secs(1),
            max_events: 1_000,
        }
    }
}

/// Why a checkpoint was not signed.
#[derive(Debug, thiserror::Error)]
pub enum CheckpointerError {
    #[error(transparent)]
    Audit(#[from] AuditError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("cannot sign the checkpoint")]
    Sign(#[from] CheckpointError),
    /// The stored log no longer extends the last signed checkpoint. This is never signed over.
    #[error(
        "the log of size {size} is not consistent with the checkpoint signed at size {previous}: {reason}"
    )]
    Inconsistent {
        previous: u64,
        size: u64,
        reason: String,
    },
}

/// Signs checkpoints of one store under one origin and key.
pub struct Checkpointer {
    store: EventStore,
    origin: String,
    signer: NoteSigner,
    /// One signing at a time, so two callers never race for the same size.
    signing: Mutex<()>,
    /// The checkpoint [`Checkpointer::sign_head`] last returned, for [`Checkpointer::current`].
    last: std::sync::Mutex<Option<StoredCheckpoint>>,
}

impl Checkpointer {
    pub fn new(store: EventStore, origin: &str, signer: NoteSigner) -> Checkpointer {
        Checkpointer {
            store,
            origin: origin.to_owned(),
            signer,
            signing: Mutex::new(()),
            last: std::sync::Mutex::new(None),
        }
    }

    pub fn origin(&self) -> &str {
        &self.origin
    }

    pub fn signer(&self) -> &NoteSigner {
        &self.signer
    }

    /// The checkpoint of the committed head as this process knows it ([`EventStore::committed_size`]:
    /// its own commits, and on PostgreSQL other processes' as their notifications arrive): the one
    /// signed last, from memory, while the head has not moved since; otherwise [`Checkpointer::sign_head`].
    ///
    /// This is what answers auditors who name no tree size, so that asking for proofs against the
    /// signed head costs no query for the head or the checkpoint.
    pub async fn current(&self) -> Result<StoredCheckpoint, CheckpointerError> {
        let size = self.store.committed_size();
        let last = self.last.lock().unwrap_or_else(|p| p.into_inner()).clone();
        match last {
            Some(last) if last.tree_size == size => Ok(last),
            _ => self.sign_head().await,
        }
    }

    /// Signs the committed head if no checkpoint of its size exists yet, and returns the checkpoint
    /// of the head (new or already stored). The head and the last checkpoint are read from the
    /// database.
    pub async fn sign_head(&self) -> Result<StoredCheckpoint, CheckpointerError> {
        let _one_at_a_time = self.signing.lock().await;
        let signed = self.sign_head_locked().await?;
        let mut last = self.last.lock().unwrap_or_else(|p| p.into_inner());
        if last
            .as_ref()
            .is_none_or(|l| l.tree_size <= signed.tree_size)
        {
            *last = Some(signed.clone());
        }
        Ok(signed)
    }

    async fn sign_head_locked(&self) -> Result<StoredCheckpoint, CheckpointerError> {
        let size = self.store.head().await?.size;
        let previous = self.store.latest_checkpoint().await?;
        if let Some(previous) = &previous {
            if previous.tree_size == size {
                return Ok(previous.clone());
            }
            if previous.tree_size > size {
                return Err(CheckpointerError::Inconsistent {
                    previous: previous.tree_size,
                    size,
                    reason: "the log is shorter than its last checkpoint".to_owned(),
                });
            }
        }
        let head = self.store.tree_head(size).await?;
        if let Some(previous) = previous.filter(|p| p.tree_size > 0) {
            let old = TreeHead {
                size: previous.tree_size,
                root: previous.root,
            };
            let proof = self
                .store
                .consistency_proof(previous.tree_size, size)
                .await?;
            verify_consistency(&old, &head, &proof).map_err(|error| {
                CheckpointerError::Inconsistent {
                    previous: previous.tree_size,
                    size,
                    reason: error.to_string(),
                }
            })?;
        }
        let note = Checkpoint::new(&self.origin, head).sign(&self.signer)?;
        let stored = self
            .store
            .store_checkpoint(StoredCheckpoint {
                tree_size: size,
                root: head.root,
                note,
                key_name: self.signer.verifier().name().to_owned(),
                signed_at_us: now_us(),
            })
            .await?;
        if stored.root != head.root {
            // Another replica signed this size with a different root: the tables disagree.
            return Err(CheckpointerError::Inconsistent {
                previous: stored.tree_size,
                size,
                reason: "a checkpoint of this size with another root is already stored".to_owned(),
            });
        }
        Ok(stored)
    }

    /// Signs while the log grows, following `policy`, until the task is aborted.
    pub async fn run(self: Arc<Self>, policy: CheckpointPolicy) {
        let mut head = self.store.watch_head();
        let mut signed = match self.store.latest_checkpoint().await {
            Ok(latest) => latest.map_or(0, |c| c.tree_size),
            Err(error) => {
                tracing::warn!(%error, "cannot read the last checkpoint; signing from scratch");
                0
            }
        };
        let mut last_signing = Instant::now() - policy.interval;
        loop {
            // Wait for an unsigned event.
            while *head.borrow_and_update() <= signed {
                if head.changed().await.is_err() {
                    return;
                }
            }
            // Then until an interval has passed since the last signing (at once, if the log was
            // quiet for longer) or enough events have arrived.
            let deadline = last_signing + policy.interval;
            loop {
                if *head.borrow_and_update() >= signed.saturating_add(policy.max_events) {
                    break;
                }
                tokio::select! {
                    () = tokio::time::sleep_until(deadline) => break,
                    changed = head.changed() => if changed.is_err() { return },
                }
            }
            last_signing = Instant::now();
            match self.sign_head().await {
                Ok(checkpoint) => signed = checkpoint.tree_size,
                Err(error) => {
                    tracing::error!(%error, "checkpoint not signed");
                    tokio::time::sleep(policy.interval).await;
                }
            }
        }
    }
}

/// The signing time of a checkpoint, in microseconds since the Unix epoch.
#[expect(
    clippy::disallowed_methods,
    reason = "the store's clock: a checkpoint's signing time is record time, set by the store"
)]
fn now_us() -> i64 {
    let since_epoch = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default();
    i64::try_from(since_epoch.as_micros()).unwrap_or(i64::MAX)
}
