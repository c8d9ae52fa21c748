//! The auditor's use cases: checkpoints, inclusion and consistency proofs, events with their proof,
//! and the pieces of an export bundle. Every one needs the `auditor` or `admin` role.
//!
//! Proofs are always for a tree size that a signed checkpoint covers: a request that names no size
//! gets the checkpoint of the committed head, signed on the spot if the background signer has not
//! reached it yet, so what an auditor receives can be checked against a signature at once.

use std::sync::Arc;

use event_store::{
    AuditError, Checkpointer, CheckpointerError, EventFilter, EventStore, Hash, StoredCheckpoint,
    StoredEvent,
};
use ledger::ProofError;
use ledger::format::{EventRecord, TrustRoot};
use uuid::Uuid;

use crate::authorize::require_auditor;
use crate::error::Error;
use crate::principal::Principal;

/// Which checkpoint a caller wants.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CheckpointSelector {
    /// The largest one stored.
    Latest,
    /// The checkpoint of the committed head, signed now if none covers it yet.
    CurrentHead,
    /// Exactly this tree size.
    TreeSize(u64),
    /// The last one signed at or before this time (microseconds since the Unix epoch).
    AtOrBefore(i64),
}

/// Which leaf an inclusion proof is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LeafRef {
    Position(u64),
    LeafHash(Hash),
}

/// Which event a proof is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventRef {
    Position(u64),
    EventId(Uuid),
}

/// An inclusion proof with the checkpoint it verifies against, when one of its size is signed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InclusionAnswer {
    pub position: u64,
    pub leaf_hash: Hash,
    pub tree_size: u64,
    pub proof: Vec<Hash>,
    pub checkpoint: Option<StoredCheckpoint>,
}

/// A consistency proof between two tree sizes, with their checkpoints where signed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConsistencyAnswer {
    pub first_size: u64,
    pub second_size: u64,
    pub proof: Vec<Hash>,
    pub first_checkpoint: Option<StoredCheckpoint>,
    pub second_checkpoint: Option<StoredCheckpoint>,
}

/// The auditor's use cases over one store and its checkpoint signer. Cheap to clone.
#[derive(Clone)]
pub struct Audit {
    store: EventStore,
    checkpointer: Arc<Checkpointer>,
    trust_root: Arc<TrustRoot>,
}

fn invalid(field: &str, message: String) -> Error {
    Error::InvalidArgument {
        field: field.to_owned(),
        reason: "INVALID_FIELD",
        message,
    }
}

fn not_found(reason: &'static str, what: String) -> Error {
    Error::NotFound { reason, what }
}

/// Maps a store audit error; `field` names the request field a bad index or size came from.
fn from_audit(error: AuditError, field: &str) -> Error {
    match error {
        AuditError::Proof(proof) => invalid(field, proof.to_string()),
        AuditError::BeyondHead { size, head } => Error::OutOfRange {
            position: size,
            head,
        },
        AuditError::Store(store) => store.into(),
    }
}

fn from_signing(error: CheckpointerError) -> Error {
    match error {
        CheckpointerError::Store(store) | CheckpointerError::Audit(AuditError::Store(store)) => {
            store.into()
        }
        // A refusal to sign over an inconsistent log, or a signing failure, is for the operator.
        other => Error::internal(other),
    }
}

impl Audit {
    pub fn new(store: EventStore, checkpointer: Arc<Checkpointer>, trust_root: TrustRoot) -> Audit {
        Audit {
            store,
            checkpointer,
            trust_root: Arc::new(trust_root),
        }
    }

    /// The trust root: the origin, the signing keys and the format versions.
    pub fn trust_root(&self, principal: &Principal) -> Result<&TrustRoot, Error> {
        require_auditor(principal)?;
        Ok(&self.trust_root)
    }

    async fn current_checkpoint(&self) -> Result<StoredCheckpoint, Error> {
        self.checkpointer.current().await.map_err(from_signing)
    }

    /// A checkpoint by selector; NOT_FOUND (`CHECKPOINT_NOT_FOUND`) when none matches.
    pub async fn checkpoint(
        &self,
        principal: &Principal,
        selector: CheckpointSelector,
    ) -> Result<StoredCheckpoint, Error> {
        require_auditor(principal)?;
        let found = match selector {
            CheckpointSelector::CurrentHead => return self.current_checkpoint().await,
            CheckpointSelector::Latest => self.store.latest_checkpoint().await?,
            CheckpointSelector::TreeSize(size) => self.store.checkpoint_of_size(size).await?,
            CheckpointSelector::AtOrBefore(time) => {
                self.store.checkpoint_at_or_before(time).await?
            }
        };
        found.ok_or_else(|| {
            let what = match selector {
                CheckpointSelector::TreeSize(size) => format!("checkpoint of tree size {size}"),
                CheckpointSelector::AtOrBefore(time) => {
                    format!("checkpoint signed at or before {time} us")
                }
                CheckpointSelector::Latest | CheckpointSelector::CurrentHead => {
                    "checkpoint".to_owned()
                }
            };
            not_found("CHECKPOINT_NOT_FOUND", what)
        })
    }

    /// The tree size to prove against: the one asked for, or the signed committed head.
    async fn target_size(
        &self,
        tree_size: Option<u64>,
    ) -> Result<(u64, Option<StoredCheckpoint>), Error> {
        match tree_size {
            Some(size) => Ok((size, self.store.checkpoint_of_size(size).await?)),
            None => {
                let current = self.current_checkpoint().await?;
                Ok((current.tree_size, Some(current)))
            }
        }
    }

    /// The inclusion proof of one leaf, named by position or leaf hash, in the tree of `tree_size`
    /// leaves (the signed committed head when `None`).
    pub async fn inclusion(
        &self,
        principal: &Principal,
        leaf: LeafRef,
        tree_size: Option<u64>,
    ) -> Result<InclusionAnswer, Error> {
        require_auditor(principal)?;
        let position = match leaf {
            LeafRef::Position(position) => position,
            LeafRef::LeafHash(hash) => self
                .store
                .position_of_leaf(&hash)
                .await?
                .ok_or_else(|| not_found("LEAF_NOT_FOUND", format!("leaf {hash}")))?,
        };
        let (tree_size, checkpoint) = self.target_size(tree_size).await?;
        if position >= tree_size {
            let field = match leaf {
                LeafRef::Position(_) => "position",
                LeafRef::LeafHash(_) => "leaf_hash",
            };
            return Err(invalid(
                field,
                ProofError::IndexOutOfRange {
                    index: position,
                    size: tree_size,
                }
                .to_string(),
            ));
        }
        let (proof, leaf_hash) = self
            .store
            .inclusion_proof_with_leaf(position, tree_size)
            .await
            .map_err(|e| from_audit(e, "tree_size"))?;
        Ok(InclusionAnswer {
            position,
            leaf_hash,
            tree_size,
            proof,
            checkpoint,
        })
    }

    /// The consistency proof from the tree of `first_size` leaves to the tree of `second_size` (the
    /// signed committed head when `None`).
    pub async fn consistency(
        &self,
        principal: &Principal,
        first_size: u64,
        second_size: Option<u64>,
    ) -> Result<ConsistencyAnswer, Error> {
        require_auditor(principal)?;
        let (second_size, second_checkpoint) = self.target_size(second_size).await?;
        if first_size == 0 || first_size > second_size {
            return Err(invalid(
                "first_size",
                format!(
                    "first_size must be between 1 and the second size {second_size}, got {first_size}"
                ),
            ));
        }
        let proof = self
            .store
            .consistency_proof(first_size, second_size)
            .await
            .map_err(|e| from_audit(e, "second_size"))?;
        Ok(ConsistencyAnswer {
            first_size,
            second_size,
            proof,
            first_checkpoint: self.store.checkpoint_of_size(first_size).await?,
            second_checkpoint,
        })
    }

    /// One event with its inclusion proof; NOT_FOUND (`EVENT_NOT_FOUND`) when there is no such event
    /// within the tree.
    pub async fn event_with_proof(
        &self,
        principal: &Principal,
        event: EventRef,
        tree_size: Option<u64>,
    ) -> Result<(StoredEvent, InclusionAnswer), Error> {
        require_auditor(principal)?;
        let stored = match event {
            EventRef::Position(position) => self.store.get_event(position).await?,
            EventRef::EventId(id) => self.store.get_event_by_id(id).await?,
        };
        let stored = stored.ok_or_else(|| {
            not_found(
                "EVENT_NOT_FOUND",
                match event {
                    EventRef::Position(position) => format!("event at position {position}"),
                    EventRef::EventId(id) => format!("event {id}"),
                },
            )
        })?;
        let answer = self
            .inclusion(principal, LeafRef::Position(stored.position), tree_size)
            .await?;
        Ok((stored, answer))
    }

    /// The checkpoint the bundle ends with (the signed committed head), and every stored checkpoint
    /// from `from_size` up, at most `limit`, smallest first.
    pub async fn export_checkpoints(
        &self,
        principal: &Principal,
        from_size: u64,
        limit: usize,
    ) -> Result<Vec<StoredCheckpoint>, Error> {
        require_auditor(principal)?;
        Ok(self
            .store
            .checkpoints_between(from_size, u64::MAX >> 1, limit)
            .await?)
    }

    /// Signs (if needed) and returns the checkpoint of the committed head, for an export's end.
    pub async fn export_head(&self, principal: &Principal) -> Result<StoredCheckpoint, Error> {
        require_auditor(principal)?;
        self.current_checkpoint().await
    }

    /// The consistency proof between two stored sizes, for the checkpoint chain of an export.
    pub async fn export_consistency(
        &self,
        principal: &Principal,
        first: u64,
        second: u64,
    ) -> Result<Vec<Hash>, Error> {
        require_auditor(principal)?;
        if first == 0 || first == second {
            return Ok(Vec::new());
        }
        self.store
            .consistency_proof(first, second)
            .await
            .map_err(|e| from_audit(e, "tree_size"))
    }

    /// Events at positions `from..to` as bundle records, at most `limit`, in position order.
    pub async fn export_events(
        &self,
        principal: &Principal,
        from: u64,
        to: u64,
        limit: usize,
    ) -> Result<Vec<EventRecord>, Error> {
        require_auditor(principal)?;
        let page = self
            .store
            .read_all(from, limit, &EventFilter::default())
            .await?;
        Ok(page
            .events
            .iter()
            .filter(|event| event.position < to)
            .map(event_record)
            .collect())
    }
}

/// A stored event as a bundle or proof-file record, with its bytes exactly as stored.
pub fn event_record(event: &StoredEvent) -> EventRecord {
    EventRecord {
        position: event.position,
        event_id: event.event_id.hyphenated().to_string(),
        recorded_at_us: event.recorded_at_us,
        stream_id: event.stream_id.clone(),
        stream_version: event.stream_version,
        event_type: event.event_type.clone(),
        schema_version: event.schema_version,
        occurred_from_us: event.occurred.from_us,
        occurred_to_us: event.occurred.to_us,
        time_precision: event.occurred.precision.code(),
        payload: event.payload.get().to_owned(),
        metadata: event.metadata.get().to_owned(),
        leaf_hash: event.leaf_hash,
    }
}
