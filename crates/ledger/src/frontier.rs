//! The compact range of a growing log: the roots of the perfect subtrees that cover all leaves so far.
//!
//! A log of `n` leaves is covered, left to right, by one perfect subtree for each set bit of `n`, from
//! the highest bit to the lowest. Appending a leaf is binary addition: equal-sized subtrees at the right
//! edge merge into one twice as large. Each merge completes a node that will never change again, which
//! is why the store can persist completed nodes once and compute only the ragged right edge on demand.

use crate::hash::{Hash, node_hash};

/// Where a node sits in the tree: `level` 0 is a leaf, and a node at `level` covers the leaves
/// `index * 2^level .. (index + 1) * 2^level`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct NodeCoordinate {
    pub level: u8,
    pub index: u64,
}

/// A node that became complete when a leaf was appended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CompletedNode {
    pub level: u8,
    pub index: u64,
    pub hash: Hash,
}

/// Why a frontier could not be rebuilt from stored nodes.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FrontierError {
    #[error("a log of {size} leaves has {expected} frontier nodes, got {actual}")]
    WrongNodeCount {
        size: u64,
        expected: usize,
        actual: usize,
    },
}

/// The compact range of a log, with its size.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Frontier {
    size: u64,
    /// Subtree roots from the largest (leftmost) to the smallest (rightmost).
    nodes: Vec<Hash>,
}

impl Frontier {
    /// The frontier of the empty log.
    pub fn new() -> Frontier {
        Frontier::default()
    }

    /// The coordinates of the frontier nodes of a log of `size` leaves, left to right.
    ///
    /// The store reads exactly these nodes (leaves from the events, inner nodes from the node table)
    /// to resume appending or to compute the root at `size`.
    pub fn coordinates(size: u64) -> Vec<NodeCoordinate> {
        let mut coordinates = Vec::with_capacity(size.count_ones() as usize);
        let mut start = 0u64;
        for level in (0..64u8).rev() {
            if size >> level & 1 == 1 {
                coordinates.push(NodeCoordinate {
                    level,
                    index: start >> level,
                });
                start += 1 << level;
            }
        }
        coordinates
    }

    /// Rebuilds the frontier of a log of `size` leaves from the hashes at [`Frontier::coordinates`].
    pub fn from_nodes(size: u64, nodes: Vec<Hash>) -> Result<Frontier, FrontierError> {
        let expected = size.count_ones() as usize;
        if nodes.len() != expected {
            return Err(FrontierError::WrongNodeCount {
                size,
                expected,
                actual: nodes.len(),
            });
        }
        Ok(Frontier { size, nodes })
    }

    /// How many leaves the log holds.
    pub fn size(&self) -> u64 {
        self.size
    }

    /// The frontier's subtree roots, left to right.
    pub fn nodes(&self) -> &[Hash] {
        &self.nodes
    }

    /// Appends a leaf hash and returns the inner nodes (level 1 and up) that it completed, lowest first.
    pub fn push(&mut self, leaf: Hash) -> Vec<CompletedNode> {
        let mut completed = Vec::new();
        self.push_with(leaf, |node| completed.push(node));
        completed
    }

    /// Appends a leaf hash, for a caller that keeps no nodes (a verifier recomputing roots).
    pub fn append(&mut self, leaf: Hash) {
        self.push_with(leaf, |_| {});
    }

    /// Appends a leaf hash and hands each inner node it completed to `completed`, lowest first.
    fn push_with(&mut self, leaf: Hash, mut completed: impl FnMut(CompletedNode)) {
        let mut carry = leaf;
        let mut level = 0u8;
        let mut index = self.size;
        while self.size >> level & 1 == 1 {
            // A set bit at this level means the rightmost subtree has exactly this height: merge them.
            let Some(left) = self.nodes.pop() else {
                break;
            };
            carry = node_hash(&left, &carry);
            level += 1;
            index >>= 1;
            completed(CompletedNode {
                level,
                index,
                hash: carry,
            });
        }
        self.nodes.push(carry);
        self.size += 1;
    }

    /// The Merkle tree hash of the whole log (RFC 9162 `MTH`).
    pub fn root(&self) -> Hash {
        let mut nodes = self.nodes.iter().rev();
        let Some(smallest) = nodes.next() else {
            return Hash::empty_root();
        };
        nodes.fold(*smallest, |right, left| node_hash(left, &right))
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use proptest::prelude::*;

    use super::*;
    use crate::hash::leaf_hash;
    use crate::reference::root_from_leaves;

    fn leaves(n: u64) -> Vec<Hash> {
        (0..n).map(|i| leaf_hash(&i.to_be_bytes())).collect()
    }

    #[test]
    fn root_equals_the_rfc_definition_for_every_size_up_to_300() {
        let all = leaves(300);
        let mut frontier = Frontier::new();
        assert_eq!(frontier.root(), root_from_leaves(&[]));
        for (i, leaf) in all.iter().enumerate() {
            frontier.push(*leaf);
            assert_eq!(
                frontier.root(),
                root_from_leaves(&all[..=i]),
                "size {}",
                i + 1
            );
        }
    }

    #[test]
    fn completed_nodes_are_exactly_the_perfect_subtrees() {
        let all = leaves(37);
        let mut frontier = Frontier::new();
        let mut stored: HashMap<(u8, u64), Hash> = HashMap::new();
        for leaf in &all {
            for node in frontier.push(*leaf) {
                assert!(stored.insert((node.level, node.index), node.hash).is_none());
            }
        }
        // Every perfect subtree that fits in 37 leaves was completed once, with the right hash.
        for level in 1..=5u8 {
            let width = 1usize << level;
            for index in 0..all.len() / width {
                let expected = root_from_leaves(&all[index * width..(index + 1) * width]);
                assert_eq!(stored.get(&(level, index as u64)), Some(&expected));
            }
        }
        assert_eq!(stored.len(), 18 + 9 + 4 + 2 + 1);
    }

    #[test]
    fn coordinates_follow_the_set_bits_of_the_size() {
        let coordinate = |level, index| NodeCoordinate { level, index };
        assert_eq!(Frontier::coordinates(0), vec![]);
        assert_eq!(
            Frontier::coordinates(13),
            vec![coordinate(3, 0), coordinate(2, 2), coordinate(0, 12)]
        );
    }

    #[test]
    fn from_nodes_checks_the_count() {
        assert_eq!(
            Frontier::from_nodes(3, vec![leaf_hash(b"")]),
            Err(FrontierError::WrongNodeCount {
                size: 3,
                expected: 2,
                actual: 1
            })
        );
    }

    proptest! {
        #[test]
        fn a_frontier_rebuilt_from_stored_nodes_continues_identically(split in 0u64..200, extra in 1u64..60) {
            let all = leaves(split + extra);
            let mut stored: HashMap<(u8, u64), Hash> = HashMap::new();
            let mut original = Frontier::new();
            for (i, leaf) in all.iter().enumerate().take(usize::try_from(split).unwrap()) {
                stored.insert((0, i as u64), *leaf);
                for node in original.push(*leaf) {
                    stored.insert((node.level, node.index), node.hash);
                }
            }
            let nodes = Frontier::coordinates(split)
                .iter()
                .map(|c| stored[&(c.level, c.index)])
                .collect();
            let mut resumed = Frontier::from_nodes(split, nodes).unwrap();
            prop_assert_eq!(&resumed, &original);
            for leaf in &all[usize::try_from(split).unwrap()..] {
                resumed.push(*leaf);
            }
            prop_assert_eq!(resumed.root(), root_from_leaves(&all));
        }
    }
}
