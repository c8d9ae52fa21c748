//! The audit ledger's pure core: the versioned leaf encoding of a stored event and RFC 9162 Merkle hashing.
//!
//! The event store hashes every event it writes into a leaf, and keeps the completed subtree nodes of
//! the Merkle tree over all leaves, in the same transaction as the events. This crate says what those
//! bytes and hashes are, so that the store, the server and the offline verifier compute them identically.
//!
//! Architecture invariant: this crate is pure and synchronous. It does no IO, knows no database, no
//! domain type and no transport; it depends on nothing inside the workspace.
//!
//! - [`LeafV1`] is the binary leaf encoding (format `medaid-leaf-v1`).
//! - [`Hash`], [`leaf_hash`] and [`node_hash`] are the RFC 9162 §2.1 hash functions (SHA-256 with the
//!   `0x00` leaf and `0x01` node prefixes).
//! - [`Frontier`] is the compact range of a growing log: it appends leaves, reports each subtree that
//!   becomes complete (these never change, so the store persists them), and yields the root of the log.
//! - [`root_from_leaves`] is the recursive definition from the RFC, kept as the reference that the
//!   incremental [`Frontier`] is tested against and that auditors can recompute.

mod frontier;
mod hash;
mod leaf;
mod reference;

pub use frontier::{CompletedNode, Frontier, FrontierError, NodeCoordinate};
pub use hash::{Hash, HashParseError, leaf_hash, node_hash};
pub use leaf::{LEAF_FORMAT_V1, LeafV1, sha256};
pub use reference::root_from_leaves;
