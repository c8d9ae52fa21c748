//! RFC 9162 inclusion (§2.1.3) and consistency (§2.1.4) proofs: which subtrees a proof is made of,
//! how to assemble it from stored nodes, and how to verify it against a tree head.
//!
//! Generation follows the recursive definitions `PATH(m, D[n])` and `SUBPROOF(m, D[n], b)` of the RFC,
//! but yields leaf ranges instead of hashes. Every range is either a perfect subtree, whose hash the
//! store keeps (level 0 in the events, level 1 and up in the node table), or a ragged range ending at a
//! tree size, whose hash is folded from the perfect subtrees that cover it ([`perfect_parts`]). So a
//! proof costs a handful of point reads whatever the log's size.
//!
//! Verification is the RFC's iterative algorithm (§2.1.3.2 and §2.1.4.2) over hashes, checked against
//! a [`TreeHead`] whose size the caller takes from a verified, signed checkpoint: the proof never says
//! which tree it is for, so the size must come from somewhere the log cannot choose after the fact.

use std::ops::Range;

use crate::frontier::NodeCoordinate;
use crate::hash::{Hash, node_hash};

/// The size of a tree and its root: what a signed checkpoint commits to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct TreeHead {
    pub size: u64,
    pub root: Hash,
}

/// Why a proof could not be made or did not verify.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ProofError {
    #[error("leaf index {index} is not below the tree size {size}")]
    IndexOutOfRange { index: u64, size: u64 },
    #[error("a consistency proof needs 0 < first size <= second size, got {first} and {second}")]
    BadSizes { first: u64, second: u64 },
    #[error("the proof has {actual} hashes, but a proof for this index and size has {expected}")]
    WrongLength { expected: usize, actual: usize },
    #[error("the proof does not lead to the root of the tree of size {size}")]
    RootMismatch { size: u64 },
    #[error("the proof does not lead to the root of the earlier tree of size {size}")]
    FirstRootMismatch { size: u64 },
    #[error("the stored node at level {level} index {index} is missing")]
    MissingNode { level: u8, index: u64 },
}

/// The largest power of two strictly smaller than `n` (`n >= 2`).
fn split(n: u64) -> u64 {
    1 << (63 - (n - 1).leading_zeros())
}

/// The leaf ranges whose hashes make up the inclusion proof of leaf `index` in a tree of `size`,
/// from the leaf's sibling up to the root's child, exactly as `PATH(index, D[size])` orders them.
pub fn inclusion_ranges(index: u64, size: u64) -> Result<Vec<Range<u64>>, ProofError> {
    if index >= size {
        return Err(ProofError::IndexOutOfRange { index, size });
    }
    let mut ranges = Vec::new();
    // Walk down from the root, remembering the sibling at each step, then reverse (bottom first).
    let (mut start, mut end, mut m) = (0u64, size, index);
    while end - start > 1 {
        let k = split(end - start);
        if m < k {
            ranges.push(start + k..end);
            end = start + k;
        } else {
            ranges.push(start..start + k);
            start += k;
            m -= k;
        }
    }
    ranges.reverse();
    Ok(ranges)
}

/// The leaf ranges whose hashes make up the consistency proof from a tree of `first` leaves to one
/// of `second`, exactly as `PROOF(first, D[second])` orders them. Equal sizes need no hashes.
pub fn consistency_ranges(first: u64, second: u64) -> Result<Vec<Range<u64>>, ProofError> {
    if first == 0 || first > second {
        return Err(ProofError::BadSizes { first, second });
    }
    let mut ranges = Vec::new();
    // SUBPROOF(m, D[start..end], whole): `whole` is true while the old tree is the current subtree's
    // left edge from the root, where the verifier already knows the old root.
    let (mut start, mut end, mut m, mut whole) = (0u64, second, first, true);
    loop {
        let n = end - start;
        if m == n {
            if !whole {
                ranges.push(start..end);
            }
            break;
        }
        let k = split(n);
        if m <= k {
            ranges.push(start + k..end);
            end = start + k;
        } else {
            ranges.push(start..start + k);
            start += k;
            m -= k;
            whole = false;
        }
    }
    ranges.reverse();
    Ok(ranges)
}

/// The perfect subtrees that cover `range`, left to right, largest first.
///
/// Every range a proof names starts at a multiple of the largest power of two not above its length,
/// so the covering is the binary expansion of the length, like a frontier offset by the start.
pub fn perfect_parts(range: &Range<u64>) -> Vec<NodeCoordinate> {
    let len = range.end - range.start;
    let mut parts = Vec::with_capacity(len.count_ones() as usize);
    let mut cursor = range.start;
    for level in (0..64u8).rev() {
        if len >> level & 1 == 1 {
            parts.push(NodeCoordinate {
                level,
                index: cursor >> level,
            });
            cursor += 1 << level;
        }
    }
    parts
}

/// The hash of `range`, `MTH(D[start..end])`, from the hashes of its perfect parts.
pub fn range_hash(
    range: &Range<u64>,
    mut node: impl FnMut(NodeCoordinate) -> Option<Hash>,
) -> Result<Hash, ProofError> {
    let mut parts = Vec::new();
    for part in perfect_parts(range) {
        parts.push(node(part).ok_or(ProofError::MissingNode {
            level: part.level,
            index: part.index,
        })?);
    }
    let mut folded = parts.iter().rev();
    let Some(smallest) = folded.next() else {
        return Ok(Hash::empty_root());
    };
    Ok(folded.fold(*smallest, |right, left| node_hash(left, &right)))
}

/// Every stored node the given ranges need, without repeats, in a stable order.
pub fn nodes_needed(ranges: &[Range<u64>]) -> Vec<NodeCoordinate> {
    let mut nodes: Vec<NodeCoordinate> = ranges.iter().flat_map(perfect_parts).collect();
    nodes.sort_unstable();
    nodes.dedup();
    nodes
}

/// Assembles a proof from stored nodes: one hash per range, in the ranges' order.
pub fn assemble(
    ranges: &[Range<u64>],
    mut node: impl FnMut(NodeCoordinate) -> Option<Hash>,
) -> Result<Vec<Hash>, ProofError> {
    ranges
        .iter()
        .map(|range| range_hash(range, &mut node))
        .collect()
}

/// How many hashes the inclusion proof of `index` in a tree of `size` has.
pub fn inclusion_proof_len(index: u64, size: u64) -> Result<usize, ProofError> {
    inclusion_ranges(index, size).map(|ranges| ranges.len())
}

/// Checks that `leaf` is the leaf hash at `index` in the tree `head` (RFC 9162 §2.1.3.2).
pub fn verify_inclusion(
    head: &TreeHead,
    index: u64,
    leaf: &Hash,
    proof: &[Hash],
) -> Result<(), ProofError> {
    let expected = inclusion_proof_len(index, head.size)?;
    if proof.len() != expected {
        return Err(ProofError::WrongLength {
            expected,
            actual: proof.len(),
        });
    }
    let (mut fn_, mut sn) = (index, head.size - 1);
    let mut r = *leaf;
    for p in proof {
        if sn == 0 {
            return Err(ProofError::RootMismatch { size: head.size });
        }
        if fn_ & 1 == 1 || fn_ == sn {
            r = node_hash(p, &r);
            if fn_ & 1 == 0 {
                while fn_ & 1 == 0 && fn_ != 0 {
                    fn_ >>= 1;
                    sn >>= 1;
                }
            }
        } else {
            r = node_hash(&r, p);
        }
        fn_ >>= 1;
        sn >>= 1;
    }
    if sn == 0 && r == head.root {
        Ok(())
    } else {
        Err(ProofError::RootMismatch { size: head.size })
    }
}

/// Checks that the tree `first` is a prefix of the tree `second` (RFC 9162 §2.1.4.2).
///
/// Equal sizes need an empty proof and equal roots. A first size of 0 is refused: every tree extends
/// the empty one, so such a proof would say nothing.
pub fn verify_consistency(
    first: &TreeHead,
    second: &TreeHead,
    proof: &[Hash],
) -> Result<(), ProofError> {
    let expected = consistency_ranges(first.size, second.size)?.len();
    if proof.len() != expected {
        return Err(ProofError::WrongLength {
            expected,
            actual: proof.len(),
        });
    }
    if first.size == second.size {
        return if first.root == second.root {
            Ok(())
        } else {
            Err(ProofError::RootMismatch { size: second.size })
        };
    }
    let mut path: Vec<Hash> = Vec::with_capacity(proof.len() + 1);
    if first.size.is_power_of_two() {
        path.push(first.root);
    }
    path.extend_from_slice(proof);
    let (mut fn_, mut sn) = (first.size - 1, second.size - 1);
    while fn_ & 1 == 1 {
        fn_ >>= 1;
        sn >>= 1;
    }
    let Some((head, rest)) = path.split_first() else {
        return Err(ProofError::RootMismatch { size: second.size });
    };
    let (mut fr, mut sr) = (*head, *head);
    for c in rest {
        if sn == 0 {
            return Err(ProofError::RootMismatch { size: second.size });
        }
        if fn_ & 1 == 1 || fn_ == sn {
            fr = node_hash(c, &fr);
            sr = node_hash(c, &sr);
            if fn_ & 1 == 0 {
                while fn_ & 1 == 0 && fn_ != 0 {
                    fn_ >>= 1;
                    sn >>= 1;
                }
            }
        } else {
            sr = node_hash(&sr, c);
        }
        fn_ >>= 1;
        sn >>= 1;
    }
    if fr != first.root {
        return Err(ProofError::FirstRootMismatch { size: first.size });
    }
    if sn != 0 || sr != second.root {
        return Err(ProofError::RootMismatch { size: second.size });
    }
    Ok(())
}

#[cfg(test)]
mod tests;
