//! The audit ledger's pure core: the versioned leaf encoding of a stored event and RFC 9162 Merkle hashing.
//!
//! The event store hashes every event it writes into a leaf, and keeps the completed subtree nodes of
//! the Merkle tree over all leaves, in the same transaction as the events. This crate says what those
//! bytes and hashes are, so that the store, the server and the offline verifier compute them identically.
//!
//! Architecture invariant: this crate is pure and synchronous. It does no IO, knows no database, no
//! domain type and no transport; it depends on nothing inside the workspace. It verifies; it never
//! decides what to trust (the caller passes pinned keys and the expected origin).
//!
//! - [`LeafV1`] is the binary leaf encoding (format `medaid-leaf-v1`).
//! - [`Hash`], [`leaf_hash`] and [`node_hash`] are the RFC 9162 §2.1 hash functions (SHA-256 with the
//!   `0x00` leaf and `0x01` node prefixes).
//! - [`Frontier`] is the compact range of a growing log: it appends leaves, reports each subtree that
//!   becomes complete (these never change, so the store persists them), and yields the root of the log.
//! - [`root_from_leaves`] is the recursive definition from the RFC, kept as the reference that the
//!   incremental [`Frontier`] is tested against and that auditors can recompute.
//! - `proof`: RFC 9162 inclusion and consistency proofs, generated from stored nodes
//!   ([`inclusion_ranges`], [`consistency_ranges`], [`assemble`]) and verified against a [`TreeHead`]
//!   ([`verify_inclusion`], [`verify_consistency`]).
//! - [`note`] and [`Checkpoint`]: C2SP signed notes with Ed25519 and the `tlog-checkpoint` body they
//!   carry; [`open_checkpoint`] verifies one against pinned keys and yields its [`TreeHead`].
//! - [`format`]: the trust root, proof file and export bundle formats, written by the server and read
//!   by `medaid-verify` through the same types.

mod checkpoint;
pub mod format;
mod frontier;
mod hash;
mod leaf;
pub mod note;
mod proof;
mod reference;

pub use checkpoint::{Checkpoint, CheckpointError, VerifiedCheckpoint, open_checkpoint};
pub use frontier::{CompletedNode, Frontier, FrontierError, NodeCoordinate};
pub use hash::{Hash, HashParseError, leaf_hash, node_hash};
pub use leaf::{CommittedLeafV1, LEAF_FORMAT_V1, LeafV1, sha256};
pub use proof::{
    ProofError, TreeHead, assemble, consistency_ranges, inclusion_proof_len, inclusion_ranges,
    nodes_needed, perfect_parts, range_hash, verify_consistency, verify_inclusion,
};
pub use reference::root_from_leaves;
