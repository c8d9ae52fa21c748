//! The files auditors hold: the trust root, the event proof file and the export bundle's parts.
//!
//! The server writes them and `medaid-verify` reads them, both through these types, so the formats
//! have one definition. Every format carries its name and version; a reader refuses a version it does
//! not know rather than guess. Hashes are lowercase hex, times are microseconds since the Unix epoch,
//! and payload and metadata are the stored text, byte for byte.

use std::borrow::Cow;

use serde::{Deserialize, Serialize};

use crate::hash::Hash;
use crate::leaf::LeafV1;
use crate::note::{NoteError, NoteVerifier};

mod line;

/// The format tag of [`TrustRoot`].
pub const TRUST_ROOT_FORMAT: &str = "medaid-trust-root-v1";
/// The format tag of [`ProofFile`].
pub const PROOF_FORMAT: &str = "medaid-event-proof-v1";
/// The format tag of an export bundle (its [`Manifest`]).
pub const BUNDLE_FORMAT: &str = "medaid-bundle-v1";
/// The checkpoint body format, per C2SP.
pub const CHECKPOINT_FORMAT: &str = "c2sp.org/tlog-checkpoint";
/// The note format checkpoints are signed in, per C2SP.
pub const NOTE_FORMAT: &str = "c2sp.org/signed-note";

/// What an auditor pins out of band: the log's origin, the keys that sign its checkpoints, and the
/// versions of every format, so a checkpoint from any other key or log is refused.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TrustRoot {
    /// [`TRUST_ROOT_FORMAT`].
    pub format: String,
    /// The checkpoint origin line, such as `medaid.example.cn/log`.
    pub origin: String,
    /// Every key that signs or has signed checkpoints, with its validity.
    pub keys: Vec<TrustedKey>,
    /// The leaf encoding, [`crate::LEAF_FORMAT_V1`].
    pub leaf_format: String,
    /// [`CHECKPOINT_FORMAT`].
    pub checkpoint_format: String,
    /// [`NOTE_FORMAT`].
    pub note_format: String,
    /// [`BUNDLE_FORMAT`].
    pub bundle_format: String,
    /// [`PROOF_FORMAT`].
    pub proof_format: String,
}

/// A checkpoint signing key in a trust root.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TrustedKey {
    /// The key name used in signature lines (the origin, for this log's own keys).
    pub name: String,
    /// The C2SP verifier key, `name+hexid+base64(0x01 ‖ public key)`.
    pub verifier_key: String,
    /// When the key started signing, if known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub valid_from_us: Option<i64>,
    /// When the key stopped signing; absent while it is in use.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub valid_until_us: Option<i64>,
}

/// Why a trust root cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TrustRootError {
    #[error("unknown trust root format {0:?}; expected {TRUST_ROOT_FORMAT}")]
    UnknownFormat(String),
    #[error("key {name}: {source}")]
    BadKey { name: String, source: NoteError },
    #[error("the trust root lists no key")]
    NoKeys,
}

impl TrustRoot {
    /// A trust root for one origin and its keys, with this build's format versions.
    pub fn new(origin: &str, keys: Vec<TrustedKey>) -> TrustRoot {
        TrustRoot {
            format: TRUST_ROOT_FORMAT.to_owned(),
            origin: origin.to_owned(),
            keys,
            leaf_format: crate::leaf::LEAF_FORMAT_V1.to_owned(),
            checkpoint_format: CHECKPOINT_FORMAT.to_owned(),
            note_format: NOTE_FORMAT.to_owned(),
            bundle_format: BUNDLE_FORMAT.to_owned(),
            proof_format: PROOF_FORMAT.to_owned(),
        }
    }

    /// The keys as note verifiers, after checking the format and every key.
    pub fn verifiers(&self) -> Result<Vec<NoteVerifier>, TrustRootError> {
        if self.format != TRUST_ROOT_FORMAT {
            return Err(TrustRootError::UnknownFormat(self.format.clone()));
        }
        if self.keys.is_empty() {
            return Err(TrustRootError::NoKeys);
        }
        self.keys
            .iter()
            .map(|key| {
                let verifier = NoteVerifier::parse(&key.verifier_key).map_err(|source| {
                    TrustRootError::BadKey {
                        name: key.name.clone(),
                        source,
                    }
                })?;
                if verifier.name() != key.name {
                    return Err(TrustRootError::BadKey {
                        name: key.name.clone(),
                        source: NoteError::BadVerifierKey,
                    });
                }
                Ok(verifier)
            })
            .collect()
    }
}

/// One stored event, with the exact bytes its leaf commits to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventRecord {
    pub position: u64,
    /// The UUID in canonical hyphenated form.
    pub event_id: String,
    pub recorded_at_us: i64,
    pub stream_id: String,
    pub stream_version: u64,
    pub event_type: String,
    pub schema_version: u32,
    pub occurred_from_us: i64,
    pub occurred_to_us: i64,
    pub time_precision: u8,
    /// The payload text exactly as stored.
    pub payload: String,
    /// The metadata text exactly as stored; its `actor` field enters the leaf.
    pub metadata: String,
    /// The leaf hash the store wrote with the event, when the event was recorded.
    pub leaf_hash: Hash,
}

/// Why an event record's leaf cannot be rebuilt.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RecordError {
    #[error("event id {0:?} is not a hyphenated UUID")]
    BadEventId(String),
    #[error("metadata is not a JSON object with a string actor")]
    BadMetadata,
}

/// The part of the metadata that enters the leaf; borrowed when the text has no escapes.
#[derive(Deserialize)]
struct ActorOnly<'a> {
    #[serde(borrow)]
    actor: Cow<'a, str>,
}

/// The 16 bytes of a hyphenated UUID (`8-4-4-4-12` hex digits, either case).
fn uuid_bytes(text: &str) -> Option<[u8; 16]> {
    let text = text.as_bytes();
    if text.len() != 36 || [8, 13, 18, 23].iter().any(|&i| text[i] != b'-') {
        return None;
    }
    let mut out = [0u8; 16];
    // (hex digits, bytes) of each group, in order.
    let mut from = 0;
    let mut to = 0;
    for digits in [8, 4, 4, 4, 12] {
        hex::decode_to_slice(&text[from..from + digits], &mut out[to..to + digits / 2]).ok()?;
        from += digits + 1;
        to += digits / 2;
    }
    Some(out)
}

impl EventRecord {
    /// The `medaid-leaf-v1` bytes rebuilt from the stored fields.
    pub fn leaf(&self) -> Result<Vec<u8>, RecordError> {
        self.borrowed().leaf()
    }

    /// The same record, borrowing its strings.
    pub fn borrowed(&self) -> EventRecordRef<'_> {
        EventRecordRef {
            position: self.position,
            event_id: Cow::Borrowed(&self.event_id),
            recorded_at_us: self.recorded_at_us,
            stream_id: Cow::Borrowed(&self.stream_id),
            stream_version: self.stream_version,
            event_type: Cow::Borrowed(&self.event_type),
            schema_version: self.schema_version,
            occurred_from_us: self.occurred_from_us,
            occurred_to_us: self.occurred_to_us,
            time_precision: self.time_precision,
            payload: Cow::Borrowed(&self.payload),
            metadata: Cow::Borrowed(&self.metadata),
            leaf_hash: self.leaf_hash,
        }
    }
}

/// An [`EventRecord`] read without copying: the same fields and the same JSON, with each string
/// borrowed from the line it was parsed from unless it had to be unescaped. The verifier reads a
/// bundle's million lines into this.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct EventRecordRef<'a> {
    pub position: u64,
    #[serde(borrow)]
    pub event_id: Cow<'a, str>,
    pub recorded_at_us: i64,
    #[serde(borrow)]
    pub stream_id: Cow<'a, str>,
    pub stream_version: u64,
    #[serde(borrow)]
    pub event_type: Cow<'a, str>,
    pub schema_version: u32,
    pub occurred_from_us: i64,
    pub occurred_to_us: i64,
    pub time_precision: u8,
    #[serde(borrow)]
    pub payload: Cow<'a, str>,
    #[serde(borrow)]
    pub metadata: Cow<'a, str>,
    pub leaf_hash: Hash,
}

impl EventRecordRef<'_> {
    /// Rebuilds the leaf from the stored fields and hands it to `use_leaf`.
    fn with_leaf<R>(&self, use_leaf: impl FnOnce(&LeafV1<'_>) -> R) -> Result<R, RecordError> {
        let event_id = uuid_bytes(&self.event_id)
            .ok_or_else(|| RecordError::BadEventId(self.event_id.clone().into_owned()))?;
        let actor: ActorOnly<'_> =
            serde_json::from_str(&self.metadata).map_err(|_| RecordError::BadMetadata)?;
        Ok(use_leaf(&LeafV1 {
            position: self.position,
            event_id,
            recorded_at_us: self.recorded_at_us,
            stream_id: &self.stream_id,
            stream_version: self.stream_version,
            event_type: &self.event_type,
            schema_version: self.schema_version,
            occurred_from_us: self.occurred_from_us,
            occurred_to_us: self.occurred_to_us,
            time_precision: self.time_precision,
            actor: &actor.actor,
            payload: self.payload.as_bytes(),
            metadata: self.metadata.as_bytes(),
        }))
    }

    /// The `medaid-leaf-v1` bytes rebuilt from the stored fields.
    pub fn leaf(&self) -> Result<Vec<u8>, RecordError> {
        self.with_leaf(|leaf| leaf.encode())
    }

    /// The RFC 9162 hash of the leaf rebuilt from the stored fields (without building its bytes).
    pub fn recomputed_leaf_hash(&self) -> Result<Hash, RecordError> {
        self.with_leaf(|leaf| leaf.hash())
    }
}

/// An events-file line read for its leaf only, as `medaid-verify bundle` reads a million of them:
/// the same JSON as [`EventRecord`], but the payload and metadata texts are hashed while they are
/// parsed (from the parser's own buffer when they hold escapes) and never kept, and only the
/// metadata's `actor` is taken from them. Nothing is allocated per line unless a short string holds
/// escapes or the actor is long. [`LeafRecordRef::recomputed_leaf_hash`] equals
/// [`EventRecordRef::recomputed_leaf_hash`] for every line (tested).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct LeafRecordRef<'a> {
    pub position: u64,
    #[serde(borrow)]
    pub event_id: Cow<'a, str>,
    pub recorded_at_us: i64,
    #[serde(borrow)]
    pub stream_id: Cow<'a, str>,
    pub stream_version: u64,
    #[serde(borrow)]
    pub event_type: Cow<'a, str>,
    pub schema_version: u32,
    pub occurred_from_us: i64,
    pub occurred_to_us: i64,
    pub time_precision: u8,
    pub payload: Committed,
    pub metadata: CommittedMetadata,
    pub leaf_hash: Hash,
}

/// The SHA-256 of a JSON string's text, computed as it is parsed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Committed(pub [u8; 32]);

impl<'de> Deserialize<'de> for Committed {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Committed, D::Error> {
        struct Hashing;
        impl serde::de::Visitor<'_> for Hashing {
            type Value = Committed;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a string")
            }
            fn visit_str<E: serde::de::Error>(self, text: &str) -> Result<Committed, E> {
                Ok(Committed(crate::leaf::sha256(text.as_bytes())))
            }
        }
        deserializer.deserialize_str(Hashing)
    }
}

/// The metadata text's SHA-256 and its `actor`, if it is a JSON object with a string actor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommittedMetadata {
    pub sha256: [u8; 32],
    pub actor: Option<ShortText>,
}

impl<'de> Deserialize<'de> for CommittedMetadata {
    fn deserialize<D: serde::Deserializer<'de>>(
        deserializer: D,
    ) -> Result<CommittedMetadata, D::Error> {
        struct Hashing;
        impl serde::de::Visitor<'_> for Hashing {
            type Value = CommittedMetadata;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a string")
            }
            fn visit_str<E: serde::de::Error>(self, text: &str) -> Result<CommittedMetadata, E> {
                // Malformed metadata is not a parse error of the line: the leaf reports it, as
                // `EventRecordRef` does.
                let actor = serde_json::from_str::<ActorOnly<'_>>(text)
                    .ok()
                    .map(|only| ShortText::new(&only.actor));
                Ok(CommittedMetadata {
                    sha256: crate::leaf::sha256(text.as_bytes()),
                    actor,
                })
            }
        }
        deserializer.deserialize_str(Hashing)
    }
}

/// A string kept inline when short (as actors are), so taking one allocates nothing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ShortText {
    Inline {
        len: u8,
        bytes: [u8; ShortText::INLINE],
    },
    Heap(String),
}

impl ShortText {
    /// The longest text kept inline, in bytes.
    pub const INLINE: usize = 62;

    pub fn new(text: &str) -> ShortText {
        match u8::try_from(text.len()) {
            Ok(len) if text.len() <= ShortText::INLINE => {
                let mut bytes = [0u8; ShortText::INLINE];
                bytes[..text.len()].copy_from_slice(text.as_bytes());
                ShortText::Inline { len, bytes }
            }
            _ => ShortText::Heap(text.to_owned()),
        }
    }

    pub fn as_str(&self) -> &str {
        match self {
            // Copied from a `str` on a character boundary (the whole string), so always UTF-8.
            ShortText::Inline { len, bytes } => {
                std::str::from_utf8(&bytes[..usize::from(*len)]).unwrap_or_default()
            }
            ShortText::Heap(text) => text,
        }
    }
}

impl LeafRecordRef<'_> {
    /// The RFC 9162 hash of the leaf rebuilt from the stored fields.
    pub fn recomputed_leaf_hash(&self) -> Result<Hash, RecordError> {
        let event_id = uuid_bytes(&self.event_id)
            .ok_or_else(|| RecordError::BadEventId(self.event_id.clone().into_owned()))?;
        let actor = self
            .metadata
            .actor
            .as_ref()
            .ok_or(RecordError::BadMetadata)?;
        Ok(crate::leaf::CommittedLeafV1 {
            position: self.position,
            event_id,
            recorded_at_us: self.recorded_at_us,
            stream_id: &self.stream_id,
            stream_version: self.stream_version,
            event_type: &self.event_type,
            schema_version: self.schema_version,
            occurred_from_us: self.occurred_from_us,
            occurred_to_us: self.occurred_to_us,
            time_precision: self.time_precision,
            actor: actor.as_str(),
            payload_sha256: self.payload.0,
            metadata_sha256: self.metadata.sha256,
        }
        .hash())
    }
}

/// One event and the proof that it is in the log, checkable offline (`medaid-verify proof`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProofFile {
    /// [`PROOF_FORMAT`].
    pub format: String,
    pub event: EventRecord,
    /// The tree size the proof is for; equal to the checkpoint's.
    pub tree_size: u64,
    /// The RFC 9162 inclusion path, from the leaf's sibling upwards.
    pub inclusion_proof: Vec<Hash>,
    /// The signed checkpoint of `tree_size`, as a C2SP signed note.
    pub checkpoint: String,
}

/// One line of a bundle's `checkpoints.jsonl`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BundleCheckpoint {
    pub tree_size: u64,
    pub root: Hash,
    /// The C2SP signed note exactly as signed.
    pub note: String,
    pub key_name: String,
    /// When the server signed it (not signed itself).
    pub signed_at_us: i64,
    /// The consistency proof from the previous line's checkpoint to this one; empty on the first
    /// line and between equal sizes.
    pub consistency_proof: Vec<Hash>,
}

/// A file of a bundle, as listed in its manifest.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ManifestFile {
    pub name: String,
    /// SHA-256 of the file's bytes, lowercase hex.
    pub sha256: String,
    pub bytes: u64,
}

/// `manifest.json`, the last file of a bundle.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
    /// [`BUNDLE_FORMAT`].
    pub format: String,
    pub origin: String,
    /// How many events the bundle holds: positions `0..event_count`.
    pub event_count: u64,
    /// The size of the largest checkpoint in the bundle.
    pub tree_size: u64,
    pub created_at_us: i64,
    /// Every other file of the bundle, in the order they appear.
    pub files: Vec<ManifestFile>,
}

/// The names of a bundle's files.
pub mod bundle_files {
    pub const TRUST_ROOT: &str = "trust-root.json";
    pub const CHECKPOINTS: &str = "checkpoints.jsonl";
    pub const MANIFEST: &str = "manifest.json";
    /// Events go in numbered chunks `events/000000.jsonl`, `events/000001.jsonl`, … of at most
    /// [`EVENTS_PER_FILE`] lines, in position order.
    pub const EVENTS_DIR: &str = "events/";
    pub const EVENTS_PER_FILE: u64 = 10_000;

    /// The name of the `index`-th events file.
    pub fn events_file(index: u64) -> String {
        format!("{EVENTS_DIR}{index:06}.jsonl")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hash::leaf_hash;

    fn record() -> EventRecord {
        EventRecord {
            position: 7,
            event_id: "01010101-0101-0101-0101-010101010101".into(),
            recorded_at_us: 1_700_000_000_000_000,
            stream_id: "batch-42".into(),
            stream_version: 3,
            event_type: "MemberArrived".into(),
            schema_version: 1,
            occurred_from_us: 1_721_865_600_000_000,
            occurred_to_us: 1_721_951_999_999_999,
            time_precision: 2,
            payload: r#"{"date":"2024-07-25"}"#.into(),
            metadata: r#"{"actor":"recorder@62"}"#.into(),
            leaf_hash: Hash([0; 32]),
        }
    }

    #[test]
    fn a_record_rebuilds_the_pinned_leaf() {
        // The same event as the leaf module's pinned encoding.
        assert_eq!(
            leaf_hash(&record().leaf().unwrap()).to_hex(),
            "9f17246220d074d4341ac66da5410f73ce30340271946135be1b31919d195daa"
        );
    }

    #[test]
    fn a_borrowed_record_parses_and_hashes_like_the_owned_one() {
        let mut owned = record();
        // Escapes force copies; the rest is borrowed. Both read the same text the same way.
        owned.metadata = r#"{"actor":"recorder\"62","note":"\u00e9"}"#.into();
        owned.event_id = "ABCDEF01-0101-0101-0101-010101010101".into();
        let line = serde_json::to_string(&owned).unwrap();
        let borrowed: EventRecordRef<'_> = serde_json::from_str(&line).unwrap();
        assert_eq!(borrowed, owned.borrowed());
        assert_eq!(
            borrowed.recomputed_leaf_hash().unwrap(),
            leaf_hash(&owned.leaf().unwrap())
        );
    }

    /// The leaf-only reading of a line, against the full one.
    fn leaf_only_agrees(owned: &EventRecord) {
        let line = serde_json::to_string(owned).unwrap();
        let full: EventRecordRef<'_> = serde_json::from_str(&line).unwrap();
        let leaf_only: LeafRecordRef<'_> = serde_json::from_str(&line).unwrap();
        assert_eq!(leaf_only.position, full.position);
        assert_eq!(leaf_only.stream_id, full.stream_id);
        assert_eq!(leaf_only.stream_version, full.stream_version);
        assert_eq!(leaf_only.leaf_hash, full.leaf_hash);
        assert_eq!(
            leaf_only.recomputed_leaf_hash(),
            full.recomputed_leaf_hash(),
            "{line}"
        );
    }

    #[test]
    fn a_leaf_only_record_hashes_like_the_full_one() {
        leaf_only_agrees(&record());
        let mut escaped = record();
        escaped.payload =
            "{\"n\":\"line\\nbreak \\u00e9 \\ud83d\\ude00 \u{1f600} \\\"q\\\"\"}".into();
        escaped.metadata = r#"{"actor":"recorder\"62","note":"\u00e9"}"#.into();
        escaped.stream_id = "batch-\"42\"".into();
        leaf_only_agrees(&escaped);
        let long_actor = EventRecord {
            metadata: format!(r#"{{"actor":"{}"}}"#, "a".repeat(200)),
            ..record()
        };
        leaf_only_agrees(&long_actor);
        let inline_edge = EventRecord {
            metadata: format!(r#"{{"actor":"{}"}}"#, "é".repeat(31)),
            ..record()
        };
        leaf_only_agrees(&inline_edge);
        for bad in [r#"{"who":"x"}"#, "not json", r#"{"actor":7}"#, ""] {
            let bad_meta = EventRecord {
                metadata: bad.into(),
                ..record()
            };
            leaf_only_agrees(&bad_meta);
        }
        let bad_id = EventRecord {
            event_id: "nope".into(),
            ..record()
        };
        leaf_only_agrees(&bad_id);
    }

    proptest::proptest! {
        #[test]
        fn any_texts_hash_alike_read_either_way(
            payload in "(\\PC|[\\n\\t\\x01\"\\\\])*",
            actor in "\\PC{0,80}",
            extra in "\\PC*",
            stream in "\\PC{1,20}",
        ) {
            let owned = EventRecord {
                payload: serde_json::json!({ "p": payload }).to_string(),
                metadata: serde_json::json!({ "actor": actor, "x": extra }).to_string(),
                stream_id: stream,
                ..record()
            };
            leaf_only_agrees(&owned);
        }
    }

    #[test]
    fn uuids_are_read_group_by_group() {
        assert_eq!(
            uuid_bytes("00112233-4455-6677-8899-aabbccddeeff"),
            Some([
                0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb, 0xcc, 0xdd,
                0xee, 0xff
            ])
        );
        for bad in [
            "00112233-4455-6677-8899-aabbccddeef",
            "00112233-4455-6677-8899-aabbccddeefg",
            "00112233-4455-6677-8899a-abbccddeeff",
            "0011223-34455-6677-8899-aabbccddeeff",
            "00112233-4455-6677-8899--abbccddeeff",
            "001122334455667788990aabbccddeeff000",
        ] {
            assert_eq!(uuid_bytes(bad), None, "{bad}");
        }
    }

    #[test]
    fn malformed_ids_and_metadata_are_refused() {
        let bad_id = EventRecord {
            event_id: "0101010101010101010101010101010101".into(),
            ..record()
        };
        assert!(matches!(bad_id.leaf(), Err(RecordError::BadEventId(_))));
        let bad_meta = EventRecord {
            metadata: r#"{"who":"x"}"#.into(),
            ..record()
        };
        assert_eq!(bad_meta.leaf(), Err(RecordError::BadMetadata));
    }

    #[test]
    fn trust_roots_check_format_and_keys() {
        let signer = crate::note::NoteSigner::new(
            "log.example",
            ed25519_dalek::SigningKey::from_bytes(&[5; 32]),
        )
        .unwrap();
        let key = TrustedKey {
            name: "log.example".into(),
            verifier_key: signer.verifier().encode(),
            valid_from_us: None,
            valid_until_us: None,
        };
        let root = TrustRoot::new("log.example", vec![key.clone()]);
        assert_eq!(root.verifiers().unwrap(), vec![signer.verifier().clone()]);
        let text = serde_json::to_string(&root).unwrap();
        assert_eq!(serde_json::from_str::<TrustRoot>(&text).unwrap(), root);
        let old = TrustRoot {
            format: "medaid-trust-root-v0".into(),
            ..root.clone()
        };
        assert!(matches!(
            old.verifiers(),
            Err(TrustRootError::UnknownFormat(_))
        ));
        let renamed = TrustRoot::new(
            "log.example",
            vec![TrustedKey {
                name: "other".into(),
                ..key
            }],
        );
        assert!(matches!(
            renamed.verifiers(),
            Err(TrustRootError::BadKey { .. })
        ));
        assert_eq!(
            TrustRoot::new("x", vec![]).verifiers(),
            Err(TrustRootError::NoKeys)
        );
    }
}
