//! Verifying one event's proof file (`medaid-event-proof-v1`) against a pinned trust root.

use ledger::format::{PROOF_FORMAT, ProofFile, TrustRoot};
use ledger::{leaf_hash, open_checkpoint, verify_inclusion};

use crate::report::{Failure, Location};

/// Checks the checkpoint's signature and origin, that the event's stored bytes give its leaf, and
/// that the inclusion proof leads from that leaf to the signed root at the signed size.
pub fn verify_proof(file: &ProofFile, trust_root: &TrustRoot) -> Result<Vec<String>, Failure> {
    let position = file.event.position;
    let at = || Location::Position(position);
    if file.format != PROOF_FORMAT {
        return Err(Failure::new(
            Location::File("proof".into()),
            format!("unknown proof format {:?}", file.format),
        ));
    }
    let keys = trust_root
        .verifiers()
        .map_err(|e| Failure::new(Location::File("trust root".into()), e.to_string()))?;
    let opened = open_checkpoint(&file.checkpoint, &trust_root.origin, &keys).map_err(|e| {
        Failure::new(
            Location::Checkpoint(file.tree_size),
            format!("signature does not verify: {e}"),
        )
    })?;
    let head = opened.checkpoint.head;
    if head.size != file.tree_size {
        return Err(Failure::new(
            Location::Checkpoint(head.size),
            format!(
                "the proof is for tree size {}, the checkpoint for {}",
                file.tree_size, head.size
            ),
        ));
    }
    let leaf = file
        .event
        .leaf()
        .map_err(|e| Failure::new(at(), e.to_string()))?;
    let hash = leaf_hash(&leaf);
    if hash != file.event.leaf_hash {
        return Err(Failure::new(
            at(),
            "the event's bytes do not match its recorded leaf hash",
        ));
    }
    verify_inclusion(&head, position, &hash, &file.inclusion_proof)
        .map_err(|e| Failure::new(at(), format!("the inclusion proof does not verify: {e}")))?;
    Ok(vec![
        format!(
            "checkpoint of tree size {} signed by {} for {}",
            head.size, opened.key_name, trust_root.origin
        ),
        format!(
            "event {} at position {position} ({} in stream {} version {})",
            file.event.event_id,
            file.event.event_type,
            file.event.stream_id,
            file.event.stream_version
        ),
        format!("leaf hash {hash} recomputed from the stored bytes"),
        format!(
            "inclusion proof of {} hashes to root {}",
            file.inclusion_proof.len(),
            head.root
        ),
    ])
}
