//! The transparency-dev/merkle test vectors (see `vectors/README.md`): every happy path verifies and
//! every broken proof, root, size or index is refused.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use ledger::{Hash, TreeHead, verify_consistency, verify_inclusion};
use serde_json::Value;

/// A hash, or `None` for a value that is not 32 bytes: some vectors hold one on purpose, and our
/// types cannot even express it (`Hash::from_slice` refuses it), which is a refusal too.
fn hash(value: &Value) -> Option<Hash> {
    let bytes = STANDARD
        .decode(value.as_str().expect("base64 string"))
        .unwrap();
    Hash::from_slice(&bytes).ok()
}

fn proof(value: &Value) -> Option<Vec<Hash>> {
    value
        .as_array()
        .map(|items| items.iter().map(hash).collect())
        .unwrap_or(Some(Vec::new()))
}

fn vectors(text: &str) -> Vec<Value> {
    serde_json::from_str(text).unwrap()
}

#[test]
fn inclusion_vectors() {
    let all = vectors(include_str!("vectors/inclusion.json"));
    assert_eq!(all.len(), 98);
    let mut accepted = 0;
    for v in &all {
        let want_err = v["wantErr"].as_bool().unwrap();
        let (Some(root), Some(leaf), Some(proof)) =
            (hash(&v["root"]), hash(&v["leafHash"]), proof(&v["proof"]))
        else {
            assert!(want_err, "{}", v["file"]);
            continue;
        };
        let head = TreeHead {
            size: v["treeSize"].as_u64().unwrap(),
            root,
        };
        let index = v["leafIdx"].as_u64().unwrap();
        let result = verify_inclusion(&head, index, &leaf, &proof);
        assert_eq!(result.is_err(), want_err, "{}: {result:?}", v["file"]);
        accepted += usize::from(!want_err);
    }
    assert_eq!(accepted, 6);
}

#[test]
fn consistency_vectors() {
    let all = vectors(include_str!("vectors/consistency.json"));
    assert_eq!(all.len(), 98);
    let mut accepted = 0;
    for v in &all {
        let want_err = v["wantErr"].as_bool().unwrap();
        // One happy vector compares two equal 12-byte "roots" at equal sizes: only their equality
        // matters there, so a root that is not 32 bytes stands for the leaf hash of its bytes.
        let root = |value: &Value| {
            hash(value).or_else(|| {
                let bytes = STANDARD.decode(value.as_str().unwrap()).unwrap();
                Some(ledger::leaf_hash(&bytes))
            })
        };
        let (Some(root1), Some(root2), Some(proof)) =
            (root(&v["root1"]), root(&v["root2"]), proof(&v["proof"]))
        else {
            assert!(want_err, "{}", v["file"]);
            continue;
        };
        let first = TreeHead {
            size: v["size1"].as_u64().unwrap(),
            root: root1,
        };
        let second = TreeHead {
            size: v["size2"].as_u64().unwrap(),
            root: root2,
        };
        let result = verify_consistency(&first, &second, &proof);
        assert_eq!(result.is_err(), want_err, "{}: {result:?}", v["file"]);
        accepted += usize::from(!want_err);
    }
    assert_eq!(accepted, 6);
}
