//! Fuzz targets of the ledger (see `fuzz/harness.rs`): the leaf encoding (its documented layout
//! read back field by field), proof verification with arbitrary heads, indices and paths,
//! checkpoints and signed notes parsed from arbitrary text, and stored event records (the JSON of
//! export bundles and proof files) rebuilt into leaves.

#[path = "../../../fuzz/harness.rs"]
mod harness;

use ed25519_dalek::SigningKey;
use ledger::format::EventRecord;
use ledger::note::{Note, NoteSigner, NoteVerifier};
use ledger::{
    Checkpoint, Hash, LEAF_FORMAT_V1, LeafV1, TreeHead, leaf_hash, open_checkpoint,
    root_from_leaves, sha256, verify_consistency, verify_inclusion,
};

/// Reads fixed-size values and length-prefixed strings off fuzz bytes; past the end it reads zeros.
struct Input<'a>(&'a [u8]);

impl Input<'_> {
    fn bytes<const N: usize>(&mut self) -> [u8; N] {
        let mut out = [0u8; N];
        let n = N.min(self.0.len());
        out[..n].copy_from_slice(&self.0[..n]);
        self.0 = &self.0[n..];
        out
    }

    fn u64(&mut self) -> u64 {
        u64::from_be_bytes(self.bytes())
    }

    fn i64(&mut self) -> i64 {
        i64::from_be_bytes(self.bytes())
    }

    fn text(&mut self) -> String {
        let [len] = self.bytes::<1>();
        let n = usize::from(len).min(self.0.len());
        let (head, rest) = self.0.split_at(n);
        self.0 = rest;
        String::from_utf8_lossy(head).into_owned()
    }

    fn rest(&mut self) -> &[u8] {
        std::mem::take(&mut self.0)
    }
}

/// The documented layout, read back: `lp(tag) ‖ u64 ‖ [16] ‖ i64 ‖ lp ‖ u64 ‖ lp ‖ u32 ‖ i64 ‖ i64
/// ‖ u8 ‖ lp ‖ [32] ‖ [32]`, big-endian, lengths as u32.
fn read_leaf(mut bytes: &[u8]) -> Vec<Vec<u8>> {
    let mut take = |n: usize| {
        assert!(bytes.len() >= n, "the leaf ends early");
        let (head, rest) = bytes.split_at(n);
        bytes = rest;
        head.to_vec()
    };
    let mut fields = Vec::new();
    for width in [0, 8, 16, 8, 0, 8, 0, 4, 8, 8, 1, 0, 32, 32] {
        if width == 0 {
            let len = u32::from_be_bytes(take(4).try_into().unwrap());
            fields.push(take(len as usize));
        } else {
            fields.push(take(width));
        }
    }
    assert!(
        bytes.is_empty(),
        "{} bytes after the last field",
        bytes.len()
    );
    fields
}

#[test]
fn fuzz_leaf_encoding() {
    harness::fuzz("leaf", Vec::new(), |input| {
        let mut input = Input(input);
        let (stream_id, event_type, actor) = (input.text(), input.text(), input.text());
        // The payload and the metadata both come from the input, so both commitments are fuzzed.
        let payload = input.text().into_bytes();
        let leaf = LeafV1 {
            position: input.u64(),
            event_id: input.bytes(),
            recorded_at_us: input.i64(),
            stream_id: &stream_id,
            stream_version: input.u64(),
            event_type: &event_type,
            schema_version: u32::from_be_bytes(input.bytes()),
            occurred_from_us: input.i64(),
            occurred_to_us: input.i64(),
            time_precision: input.bytes::<1>()[0],
            actor: &actor,
            payload: &payload,
            metadata: input.rest(),
        };
        let encoded = leaf.encode();
        let fields = read_leaf(&encoded);
        // Every field comes back where the layout puts it, so no two leaves share an encoding.
        assert_eq!(fields[0], LEAF_FORMAT_V1.as_bytes());
        assert_eq!(fields[1], leaf.position.to_be_bytes());
        assert_eq!(fields[2], leaf.event_id);
        assert_eq!(fields[3], leaf.recorded_at_us.to_be_bytes());
        assert_eq!(fields[4], stream_id.as_bytes());
        assert_eq!(fields[5], leaf.stream_version.to_be_bytes());
        assert_eq!(fields[6], event_type.as_bytes());
        assert_eq!(fields[7], leaf.schema_version.to_be_bytes());
        assert_eq!(fields[8], leaf.occurred_from_us.to_be_bytes());
        assert_eq!(fields[9], leaf.occurred_to_us.to_be_bytes());
        assert_eq!(fields[10], [leaf.time_precision]);
        assert_eq!(fields[11], actor.as_bytes());
        assert_eq!(fields[12], sha256(&payload));
        assert_eq!(fields[13], sha256(leaf.metadata));
        assert_eq!(leaf.hash(), leaf_hash(&encoded));
    });
}

#[test]
fn fuzz_proof_verification() {
    harness::fuzz("proof", Vec::new(), |input| {
        let mut input = Input(input);
        // A small real tree, and a head, index and path taken from the bytes.
        let [n] = input.bytes::<1>();
        let leaves: Vec<Hash> = (0..u64::from(n % 40))
            .map(|i| leaf_hash(&i.to_be_bytes()))
            .collect();
        let real = TreeHead {
            size: leaves.len() as u64,
            root: root_from_leaves(&leaves),
        };
        let size = input.u64();
        let index = input.u64();
        let root = Hash::from_slice(&input.bytes::<32>()).unwrap();
        let path: Vec<Hash> = input
            .rest()
            .chunks(32)
            .map(|c| {
                let mut b = [0u8; 32];
                b[..c.len()].copy_from_slice(c);
                Hash::from_slice(&b).unwrap()
            })
            .collect();
        let arbitrary = TreeHead { size, root };
        for head in [&real, &arbitrary] {
            let leaf = leaves.first().copied().unwrap_or(root);
            let _ = verify_inclusion(head, index, &leaf, &path);
            let _ = verify_inclusion(head, index % head.size.max(1), &leaf, &path);
            let _ = verify_consistency(head, &arbitrary, &path);
            let _ = verify_consistency(&arbitrary, head, &path);
        }
        // Against the real tree: the RFC path verifies, and a path from the bytes verifies only if
        // it is that path.
        if !leaves.is_empty() {
            let m = index % real.size;
            let leaf = leaves[usize::try_from(m).unwrap()];
            let truth = rfc_path(usize::try_from(m).unwrap(), &leaves);
            assert!(verify_inclusion(&real, m, &leaf, &truth).is_ok());
            if verify_inclusion(&real, m, &leaf, &path).is_ok() {
                assert_eq!(path, truth);
            }
        }
    });
}

/// `PATH(m, D[n])` of RFC 9162 §2.1.3.1, by its recursive definition.
fn rfc_path(m: usize, leaves: &[Hash]) -> Vec<Hash> {
    let n = leaves.len();
    if n <= 1 {
        return Vec::new();
    }
    let k = 1usize << (usize::BITS - 1 - (n - 1).leading_zeros());
    if m < k {
        let mut out = rfc_path(m, &leaves[..k]);
        out.push(root_from_leaves(&leaves[k..]));
        out
    } else {
        let mut out = rfc_path(m - k, &leaves[k..]);
        out.push(root_from_leaves(&leaves[..k]));
        out
    }
}

fn signer() -> NoteSigner {
    NoteSigner::new("medaid.example/log", SigningKey::from_bytes(&[3; 32])).unwrap()
}

#[test]
fn fuzz_checkpoints_and_notes() {
    let signer = signer();
    let head = TreeHead {
        size: 7,
        root: root_from_leaves(&[leaf_hash(b"a")]),
    };
    let signed = Checkpoint::new("medaid.example/log", head)
        .sign(&signer)
        .unwrap();
    let trusted = [signer.verifier().clone()];
    let seeds = vec![
        signed.clone().into_bytes(),
        signer.verifier().encode().into_bytes(),
    ];
    harness::fuzz("checkpoint", seeds, |input| {
        let text = String::from_utf8_lossy(input);
        let _ = Checkpoint::parse(&text);
        let _ = Note::parse(&text);
        let _ = NoteVerifier::parse(&text);
        if let Ok(checkpoint) = open_checkpoint(&text, "medaid.example/log", &trusted) {
            // Only the signed text opens; any other text fails the signature.
            assert_eq!(text, signed, "{checkpoint:?}");
        }
    });
}

#[test]
fn fuzz_event_records() {
    let seed = serde_json::json!({
        "position": 3, "event_id": "0192f1c4-7a2b-7c3d-8e4f-5a6b7c8d9e0f",
        "recorded_at_us": 1_750_000_000_000_000i64, "stream_id": "hospital-12620422MB1234567X",
        "stream_version": 1, "event_type": "medaid.v1.HospitalRegistered", "schema_version": 1,
        "occurred_from_us": 0, "occurred_to_us": 0, "time_precision": 2,
        "payload": "{\"name\":\"会宁县人民医院\"}", "metadata": "{\"actor\":\"e2e\"}",
        "leaf_hash": "00".repeat(32),
    });
    harness::fuzz(
        "stored_event",
        vec![seed.to_string().into_bytes()],
        |input| {
            if let Ok(record) = serde_json::from_slice::<EventRecord>(input) {
                let _ = record.leaf();
            }
        },
    );
}
