//! What auditors read from the log: tree heads at any committed size, inclusion and consistency
//! proofs assembled from the stored nodes, events by leaf hash, and the signed checkpoints.
//!
//! Proofs are generated here and never verified here: the store hands out hashes, and whoever relies
//! on them checks them against a signed checkpoint (`ledger`, `medaid-verify`). Every read is bounded
//! by the committed head read first, so a proof is always over committed, immutable nodes, and costs
//! a few point reads whatever the log's size.

use ledger::{
    Hash, ProofError, TreeHead, assemble, consistency_ranges, inclusion_ranges, nodes_needed,
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

impl EventStore {
    async fn within_head(&self, size: u64) -> Result<(), AuditError> {
        let head = self.head().await?.size;
        if size > head {
            return Err(AuditError::BeyondHead { size, head });
        }
        Ok(())
    }

    async fn hashes_of(&self, ranges: &[std::ops::Range<u64>]) -> Result<Vec<Hash>, AuditError> {
        let nodes = self.readers().nodes(&nodes_needed(ranges)).await?;
        assemble(ranges, |c| nodes.get(&c).copied()).map_err(|error| match error {
            // A committed node that is not there is corruption, not a bad request.
            ProofError::MissingNode { level, index } => AuditError::Store(StoreError::Corrupt(
                format!("merkle node at level {level} index {index} is missing"),
            )),
            other => AuditError::Proof(other),
        })
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
        self.readers().latest_checkpoint().await
    }

    /// The checkpoint signed for exactly `size` leaves.
    pub async fn checkpoint_of_size(
        &self,
        size: u64,
    ) -> Result<Option<StoredCheckpoint>, StoreError> {
        self.readers().checkpoint_of_size(size).await
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
