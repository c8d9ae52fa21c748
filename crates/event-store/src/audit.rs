//! What auditors read from the log: tree heads at any committed size, inclusion and consistency
//! proofs assembled from the stored nodes, events by leaf hash, and the signed checkpoints.
//!
//! Proofs are generated here and never verified here: the store hands out hashes, and whoever relies
//! on them checks them against a signed checkpoint (`ledger`, `medaid-verify`). Every read is bounded
//! by the committed head, so a proof is always over committed, immutable nodes, and costs one query
//! of O(log n) primary-key probes whatever the log's size.
//!
//! Two things are answered from memory, both sound because what they hold never changes:
//! - the committed head, as this handle last heard it (its own commits, other processes' by
//!   notification): it never exceeds the database's head, so a size within it is committed; only a
//!   size beyond it asks the database;
//! - checkpoints by tree size, once read: a stored checkpoint is never updated or deleted, and
//!   there is at most one per size.

use std::collections::HashMap;
use std::sync::Mutex;

use ledger::{
    Hash, NodeCoordinate, ProofError, TreeHead, assemble, consistency_ranges, inclusion_ranges,
    nodes_needed,
};
use tokio::sync::oneshot;

use crate::error::StoreError;
use crate::store::EventStore;
use crate::writer::{Command, closed_store};

/// A signed checkpoint as the store keeps it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredCheckpoint {
    pub tree_size: u64,
    pub root: Hash,
    /// The C2SP signed note exactly as signed.
    pub note: String,
    /// The name of the key that signed it.
    pub key_name: String,
    /// When it was signed, in microseconds since the Unix epoch; not part of the signed text.
    pub signed_at_us: i64,
}

/// Why an audit read could not be answered.
#[derive(Debug, thiserror::Error)]
pub enum AuditError {
    /// The request names an index or sizes no proof exists for.
    #[error(transparent)]
    Proof(#[from] ProofError),
    /// The request names a tree larger than the committed log.
    #[error("tree size {size} is beyond the committed head of the log ({head})")]
    BeyondHead { size: u64, head: u64 },
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// How many checkpoints [`CheckpointCache`] keeps before it starts afresh.
const CACHED_CHECKPOINTS: usize = 4_096;

/// Checkpoints by tree size, as read from the table. Rows of that table are never changed or
/// deleted and there is one per size, so an entry never goes stale; sizes without a checkpoint are
/// not remembered (one may be signed later).
#[derive(Default)]
pub(crate) struct CheckpointCache {
    by_size: Mutex<HashMap<u64, StoredCheckpoint>>,
}

impl CheckpointCache {
    fn get(&self, size: u64) -> Option<StoredCheckpoint> {
        let by_size = self.by_size.lock().unwrap_or_else(|p| p.into_inner());
        by_size.get(&size).cloned()
    }

    fn keep(&self, checkpoint: &StoredCheckpoint) {
        let mut by_size = self.by_size.lock().unwrap_or_else(|p| p.into_inner());
        if by_size.len() >= CACHED_CHECKPOINTS {
            by_size.clear();
        }
        by_size.insert(checkpoint.tree_size, checkpoint.clone());
    }
}

fn missing_is_corrupt(error: ProofError) -> AuditError {
    match error {
        // A committed node that is not there is corruption, not a bad request.
        ProofError::MissingNode { level, index } => AuditError::Store(StoreError::Corrupt(
            format!("merkle node at level {level} index {index} is missing"),
        )),
        other => AuditError::Proof(other),
    }
}

impl EventStore {
    /// Checks that `size` leaves are committed: from the head in memory when it is that far, else
    /// from the database (another process may have committed more than this one has heard).
    async fn within_head(&self, size: u64) -> Result<(), AuditError> {
        if size <= self.committed_size() {
            return Ok(());
        }
        let head = self.head().await?.size;
        if size > head {
            return Err(AuditError::BeyondHead { size, head });
        }
        Ok(())
    }

    /// The stored hashes at these coordinates: from the tree cache where it has them, the rest in one
    /// query. Coordinates with nothing stored are absent from the map.
    async fn nodes_at(
        &self,
        coordinates: &[NodeCoordinate],
    ) -> Result<HashMap<NodeCoordinate, Hash>, StoreError> {
        let cache = self.tree_cache();
        let mut found = HashMap::with_capacity(coordinates.len());
        let mut missing = Vec::new();
        for &coordinate in coordinates {
            match cache.get(coordinate) {
                Some(hash) => {
                    found.insert(coordinate, hash);
                }
                None => missing.push(coordinate),
            }
        }
        if !missing.is_empty() {
            found.extend(self.readers().nodes(&missing).await?);
        }
        Ok(found)
    }

    async fn hashes_of(&self, ranges: &[std::ops::Range<u64>]) -> Result<Vec<Hash>, AuditError> {
        let nodes = self.nodes_at(&nodes_needed(ranges)).await?;
        assemble(ranges, |c| nodes.get(&c).copied()).map_err(missing_is_corrupt)
    }

    /// The root of the first `size` leaves of the log; `size` must not exceed the committed head.
    pub async fn tree_head(&self, size: u64) -> Result<TreeHead, AuditError> {
        self.within_head(size).await?;
        let root = crate::backend::root_at(self.readers(), size).await?;
        Ok(TreeHead { size, root })
    }

    /// The inclusion proof of the leaf at `index` in the tree of `size` leaves (RFC 9162 §2.1.3).
    pub async fn inclusion_proof(&self, index: u64, size: u64) -> Result<Vec<Hash>, AuditError> {
        let ranges = inclusion_ranges(index, size)?;
        self.within_head(size).await?;
        self.hashes_of(&ranges).await
    }

    /// The inclusion proof of the leaf at `index` in the tree of `size` leaves, and that leaf's hash,
    /// read together in one query.
    pub async fn inclusion_proof_with_leaf(
        &self,
        index: u64,
        size: u64,
    ) -> Result<(Vec<Hash>, Hash), AuditError> {
        let ranges = inclusion_ranges(index, size)?;
        self.within_head(size).await?;
        let leaf = NodeCoordinate { level: 0, index };
        let mut needed = nodes_needed(&ranges);
        needed.push(leaf);
        let nodes = self.nodes_at(&needed).await?;
        let proof = assemble(&ranges, |c| nodes.get(&c).copied()).map_err(missing_is_corrupt)?;
        let leaf_hash = nodes.get(&leaf).copied().ok_or_else(|| {
            missing_is_corrupt(ProofError::MissingNode {
                level: 0,
                index: leaf.index,
            })
        })?;
        Ok((proof, leaf_hash))
    }

    /// The consistency proof from the tree of `first` leaves to the tree of `second` (RFC 9162 §2.1.4).
    pub async fn consistency_proof(
        &self,
        first: u64,
        second: u64,
    ) -> Result<Vec<Hash>, AuditError> {
        let ranges = consistency_ranges(first, second)?;
        self.within_head(second).await?;
        self.hashes_of(&ranges).await
    }

    /// The event with this id, if it is in the log.
    pub async fn get_event_by_id(
        &self,
        event_id: uuid::Uuid,
    ) -> Result<Option<crate::StoredEvent>, StoreError> {
        self.readers().get_event_by_id(event_id).await
    }

    /// The position of the first event whose leaf hash is `leaf`.
    pub async fn position_of_leaf(&self, leaf: &Hash) -> Result<Option<u64>, StoreError> {
        self.readers().position_of_leaf(leaf).await
    }

    /// Keeps a signed checkpoint. Checkpoints are append-only and one per size: if one of this size
    /// is already stored (another replica signed it first), that one is returned and nothing changes.
    ///
    /// The row goes through the writer's queue, so SQLite keeps a single writing connection; it is one
    /// small insert and never waits for signing, which happens before.
    pub async fn store_checkpoint(
        &self,
        checkpoint: StoredCheckpoint,
    ) -> Result<StoredCheckpoint, StoreError> {
        let size = checkpoint.tree_size;
        let (reply, answer) = oneshot::channel();
        self.send(Command::Checkpoint(checkpoint, reply))
            .await
            .map_err(|_| closed_store())?;
        answer.await.map_err(|_| closed_store())??;
        self.checkpoint_of_size(size)
            .await?
            .ok_or_else(|| StoreError::Corrupt(format!("checkpoint {size} vanished after insert")))
    }

    /// The checkpoint of the largest signed tree.
    pub async fn latest_checkpoint(&self) -> Result<Option<StoredCheckpoint>, StoreError> {
        let latest = self.readers().latest_checkpoint().await?;
        if let Some(latest) = &latest {
            self.checkpoint_cache().keep(latest);
        }
        Ok(latest)
    }

    /// The checkpoint signed for exactly `size` leaves (from memory once read: it never changes).
    pub async fn checkpoint_of_size(
        &self,
        size: u64,
    ) -> Result<Option<StoredCheckpoint>, StoreError> {
        if let Some(cached) = self.checkpoint_cache().get(size) {
            return Ok(Some(cached));
        }
        let stored = self.readers().checkpoint_of_size(size).await?;
        if let Some(stored) = &stored {
            self.checkpoint_cache().keep(stored);
        }
        Ok(stored)
    }

    /// The last checkpoint signed at or before `time_us`.
    pub async fn checkpoint_at_or_before(
        &self,
        time_us: i64,
    ) -> Result<Option<StoredCheckpoint>, StoreError> {
        self.readers().checkpoint_at_or_before(time_us).await
    }

    /// Checkpoints with `from <= tree_size <= to`, smallest first, at most `limit`.
    pub async fn checkpoints_between(
        &self,
        from: u64,
        to: u64,
        limit: usize,
    ) -> Result<Vec<StoredCheckpoint>, StoreError> {
        self.readers()
            .checkpoints_between(from, to, limit.min(crate::MAX_READ_LIMIT))
            .await
    }
}
