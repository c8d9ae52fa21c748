//! Proofs generated from stored nodes against the RFC definition, against an independent
//! implementation (`ct-merkle`), and malformed proofs against the verifiers.

use std::collections::HashMap;

use ct_merkle::mem_backed_tree::MemoryBackedTree;
use proptest::prelude::*;
use sha2::Sha256;

use super::*;
use crate::frontier::Frontier;
use crate::hash::leaf_hash;
use crate::reference::root_from_leaves;

/// A log of `n` leaves with every node the store would keep: leaves at level 0, completed subtrees above.
struct StoredTree {
    leaves: Vec<Vec<u8>>,
    hashes: Vec<Hash>,
    nodes: HashMap<NodeCoordinate, Hash>,
}

impl StoredTree {
    fn new(n: u64) -> StoredTree {
        let leaves: Vec<Vec<u8>> = (0..n).map(|i| format!("leaf {i}").into_bytes()).collect();
        let mut frontier = Frontier::new();
        let mut nodes = HashMap::new();
        let mut hashes = Vec::new();
        for (i, leaf) in leaves.iter().enumerate() {
            let hash = leaf_hash(leaf);
            hashes.push(hash);
            nodes.insert(
                NodeCoordinate {
                    level: 0,
                    index: i as u64,
                },
                hash,
            );
            for node in frontier.push(hash) {
                nodes.insert(
                    NodeCoordinate {
                        level: node.level,
                        index: node.index,
                    },
                    node.hash,
                );
            }
        }
        StoredTree {
            leaves,
            hashes,
            nodes,
        }
    }

    fn head(&self, size: u64) -> TreeHead {
        TreeHead {
            size,
            root: root_from_leaves(&self.hashes[..usize::try_from(size).unwrap()]),
        }
    }

    fn inclusion(&self, index: u64, size: u64) -> Vec<Hash> {
        let ranges = inclusion_ranges(index, size).unwrap();
        assemble(&ranges, |c| self.nodes.get(&c).copied()).unwrap()
    }

    fn consistency(&self, first: u64, second: u64) -> Vec<Hash> {
        let ranges = consistency_ranges(first, second).unwrap();
        assemble(&ranges, |c| self.nodes.get(&c).copied()).unwrap()
    }

    fn oracle(&self, size: u64) -> MemoryBackedTree<Sha256, Vec<u8>> {
        let mut tree = MemoryBackedTree::new();
        for leaf in &self.leaves[..usize::try_from(size).unwrap()] {
            tree.push(leaf.clone());
        }
        tree
    }
}

fn concat(proof: &[Hash]) -> Vec<u8> {
    proof.iter().flat_map(|h| h.0).collect()
}

#[test]
fn every_range_is_the_hash_the_rfc_defines() {
    let tree = StoredTree::new(70);
    for size in 1..=70u64 {
        for index in 0..size {
            for range in inclusion_ranges(index, size).unwrap() {
                let (a, b) = (
                    usize::try_from(range.start).unwrap(),
                    usize::try_from(range.end).unwrap(),
                );
                let hash = range_hash(&range, |c| tree.nodes.get(&c).copied()).unwrap();
                assert_eq!(hash, root_from_leaves(&tree.hashes[a..b]), "{range:?}");
            }
        }
    }
}

#[test]
fn proofs_from_stored_nodes_equal_the_independent_implementation_and_verify_there() {
    let tree = StoredTree::new(40);
    for size in 1..=40u64 {
        let oracle = tree.oracle(size);
        let root = oracle.root();
        for index in 0..size {
            let ours = tree.inclusion(index, size);
            let theirs = oracle.prove_inclusion(usize::try_from(index).unwrap());
            assert_eq!(
                concat(&ours),
                theirs.as_bytes(),
                "inclusion {index} in {size}"
            );
            let leaf = &tree.leaves[usize::try_from(index).unwrap()];
            root.verify_inclusion(
                leaf,
                index,
                &ct_merkle::InclusionProof::from_digests(ours.iter().map(|h| (&h.0).into())),
            )
            .unwrap();
            verify_inclusion(&tree.head(size), index, &leaf_hash(leaf), &ours).unwrap();
        }
        for first in 1..=size {
            let ours = tree.consistency(first, size);
            let theirs = oracle.prove_consistency(usize::try_from(size - first).unwrap());
            assert_eq!(
                concat(&ours),
                theirs.as_bytes(),
                "consistency {first} -> {size}"
            );
            let old = tree.oracle(first).root();
            root.verify_consistency(
                &old,
                &ct_merkle::ConsistencyProof::from_digests(ours.iter().map(|h| (&h.0).into())),
            )
            .unwrap();
            verify_consistency(&tree.head(first), &tree.head(size), &ours).unwrap();
        }
    }
}

#[test]
fn a_missing_stored_node_is_named() {
    let tree = StoredTree::new(8);
    let ranges = inclusion_ranges(0, 8).unwrap();
    let error = assemble(&ranges, |c| (c.level != 2).then(|| tree.nodes[&c])).unwrap_err();
    assert_eq!(error, ProofError::MissingNode { level: 2, index: 1 });
}

#[test]
fn inclusion_is_refused_for_an_index_at_or_past_the_size() {
    let tree = StoredTree::new(8);
    let head = tree.head(5);
    assert_eq!(
        verify_inclusion(&head, 5, &tree.hashes[5], &tree.inclusion(4, 5)),
        Err(ProofError::IndexOutOfRange { index: 5, size: 5 })
    );
    assert_eq!(
        inclusion_ranges(0, 0),
        Err(ProofError::IndexOutOfRange { index: 0, size: 0 })
    );
    assert!(verify_inclusion(&head, u64::MAX, &tree.hashes[0], &[]).is_err());
}

#[test]
fn consistency_is_refused_from_the_empty_tree_or_backwards() {
    let tree = StoredTree::new(8);
    assert_eq!(
        verify_consistency(&tree.head(0), &tree.head(3), &[]),
        Err(ProofError::BadSizes {
            first: 0,
            second: 3
        })
    );
    assert_eq!(
        verify_consistency(&tree.head(5), &tree.head(3), &[]),
        Err(ProofError::BadSizes {
            first: 5,
            second: 3
        })
    );
    // Equal sizes: an empty proof, and the roots must match.
    verify_consistency(&tree.head(3), &tree.head(3), &[]).unwrap();
    let other = TreeHead {
        size: 3,
        root: tree.head(4).root,
    };
    assert!(verify_consistency(&tree.head(3), &other, &[]).is_err());
}

proptest! {
    #[test]
    fn an_honest_inclusion_proof_verifies_and_any_change_is_refused(
        size in 1u64..300,
        index_seed in any::<u64>(),
        tamper in any::<(usize, u8, u8)>(),
        other_size in 1u64..600,
    ) {
        let tree = StoredTree::new(size.max(other_size));
        let index = index_seed % size;
        let head = tree.head(size);
        let leaf = tree.hashes[usize::try_from(index).unwrap()];
        let proof = tree.inclusion(index, size);
        prop_assert!(verify_inclusion(&head, index, &leaf, &proof).is_ok());

        // A wrong leaf.
        let wrong_leaf = leaf_hash(b"not in the log");
        prop_assert!(verify_inclusion(&head, index, &wrong_leaf, &proof).is_err());
        // A flipped bit in one proof hash.
        if !proof.is_empty() {
            let (at, byte, bit) = tamper;
            let mut bad = proof.clone();
            let at = at % bad.len();
            bad[at].0[usize::from(byte) % 32] ^= 1 << (bit % 8);
            prop_assert!(verify_inclusion(&head, index, &leaf, &bad).is_err());
        }
        // One hash too many, one too few.
        let mut longer = proof.clone();
        longer.push(leaf);
        let too_long = verify_inclusion(&head, index, &leaf, &longer);
        let is_wrong_length = matches!(too_long, Err(ProofError::WrongLength { .. }));
        prop_assert!(is_wrong_length);
        if !proof.is_empty() {
            let shorter = &proof[..proof.len() - 1];
            let too_short = verify_inclusion(&head, index, &leaf, shorter);
            let is_wrong_length = matches!(too_short, Err(ProofError::WrongLength { .. }));
            prop_assert!(is_wrong_length);
        }
        // Two proof hashes swapped (when they differ).
        if proof.len() >= 2 && proof[0] != proof[1] {
            let mut swapped = proof.clone();
            swapped.swap(0, 1);
            prop_assert!(verify_inclusion(&head, index, &leaf, &swapped).is_err());
        }
        // The same proof against another tree size (with that size's true root) is refused.
        if other_size != size && index < other_size {
            let other = tree.head(other_size);
            prop_assert!(verify_inclusion(&other, index, &leaf, &proof).is_err());
        }
        // Another index in the same tree.
        if size > 1 {
            let moved = (index + 1) % size;
            prop_assert!(verify_inclusion(&head, moved, &leaf, &proof).is_err());
        }
    }

    #[test]
    fn an_honest_consistency_proof_verifies_and_any_change_is_refused(
        second in 1u64..300,
        first_seed in any::<u64>(),
        tamper in any::<(usize, u8, u8)>(),
    ) {
        let tree = StoredTree::new(second + 1);
        let first = first_seed % second + 1;
        let (old, new) = (tree.head(first), tree.head(second));
        let proof = tree.consistency(first, second);
        prop_assert!(verify_consistency(&old, &new, &proof).is_ok());

        if !proof.is_empty() {
            let (at, byte, bit) = tamper;
            let mut bad = proof.clone();
            let at = at % bad.len();
            bad[at].0[usize::from(byte) % 32] ^= 1 << (bit % 8);
            prop_assert!(verify_consistency(&old, &new, &bad).is_err());
            prop_assert!(verify_consistency(&old, &new, &proof[1..]).is_err());
        }
        let mut longer = proof.clone();
        longer.push(new.root);
        prop_assert!(verify_consistency(&old, &new, &longer).is_err());
        if proof.len() >= 2 && proof[0] != proof[1] {
            let mut swapped = proof.clone();
            swapped.swap(0, 1);
            prop_assert!(verify_consistency(&old, &new, &swapped).is_err());
        }
        // A history that differs in one leaf below the old size is not consistent.
        let forked = TreeHead { size: first, root: leaf_hash(b"forked") };
        prop_assert!(verify_consistency(&forked, &new, &proof).is_err());
        // The proof for one pair of sizes does not prove another.
        let grown = tree.head(second + 1);
        prop_assert!(verify_consistency(&old, &grown, &proof).is_err());
        if first > 1 {
            prop_assert!(verify_consistency(&tree.head(first - 1), &new, &proof).is_err());
        }
    }
}
