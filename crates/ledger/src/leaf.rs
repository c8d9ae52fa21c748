//! The versioned binary encoding of one stored event as a Merkle leaf.
//!
//! The encoding is written by hand, field by field, big-endian, with every variable-length field
//! prefixed by its length as a `u32`. It never re-serializes JSON or protobuf: the payload and the
//! metadata enter the leaf as SHA-256 commitments over their bytes exactly as stored, so no canonical
//! JSON form is needed and an auditor can check a payload against its leaf byte for byte.

use sha2::{Digest, Sha256};

use crate::hash::{Hash, LEAF_PREFIX};

/// The tag at the start of every version-1 leaf. A future layout gets a new tag, never a changed one.
pub const LEAF_FORMAT_V1: &str = "medaid-leaf-v1";

/// SHA-256 of arbitrary bytes, used for the payload and metadata commitments.
pub fn sha256(bytes: &[u8]) -> [u8; 32] {
    Sha256::digest(bytes).into()
}

/// Everything a leaf commits to, borrowed from the stored event.
///
/// Field order is the byte order of the encoding:
/// `lp("medaid-leaf-v1") ‖ u64 position ‖ event_id[16] ‖ i64 recorded_at_us ‖ lp(stream_id) ‖
/// u64 stream_version ‖ lp(event_type) ‖ u32 schema_version ‖ i64 occurred_from_us ‖
/// i64 occurred_to_us ‖ u8 time_precision ‖ lp(actor) ‖ payload_sha256[32] ‖ metadata_sha256[32]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LeafV1<'a> {
    /// The event's global position, which is also its leaf index.
    pub position: u64,
    /// The event's UUIDv7 as its 16 bytes.
    pub event_id: [u8; 16],
    /// Record time, microseconds since the Unix epoch, set by the store.
    pub recorded_at_us: i64,
    pub stream_id: &'a str,
    pub stream_version: u64,
    pub event_type: &'a str,
    pub schema_version: u32,
    /// Business time: start of the instant or period, microseconds since the Unix epoch.
    pub occurred_from_us: i64,
    /// Business time: end of the period (equal to the start for an instant).
    pub occurred_to_us: i64,
    /// The precision code of the business time, as the store defines it.
    pub time_precision: u8,
    /// Who recorded the event, as taken from the verified credentials.
    pub actor: &'a str,
    /// The payload bytes exactly as stored.
    pub payload: &'a [u8],
    /// The metadata bytes exactly as stored.
    pub metadata: &'a [u8],
}

impl LeafV1<'_> {
    /// The leaf bytes.
    pub fn encode(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(
            160 + self.stream_id.len() + self.event_type.len() + self.actor.len(),
        );
        self.write(|bytes| out.extend_from_slice(bytes));
        out
    }

    /// The RFC 9162 leaf hash of [`LeafV1::encode`], hashed as the bytes are produced (no buffer:
    /// the verifier hashes a million leaves and the store one per event written).
    pub fn hash(&self) -> Hash {
        let mut hasher = Sha256::new();
        hasher.update([LEAF_PREFIX]);
        self.write(|bytes| hasher.update(bytes));
        Hash(hasher.finalize().into())
    }

    /// The encoding with the payload and metadata commitments computed: hands it to `out`.
    fn write(&self, out: impl FnMut(&[u8])) {
        self.committed(sha256(self.payload), sha256(self.metadata))
            .write(out);
    }

    fn committed(
        &self,
        payload_sha256: [u8; 32],
        metadata_sha256: [u8; 32],
    ) -> CommittedLeafV1<'_> {
        CommittedLeafV1 {
            position: self.position,
            event_id: self.event_id,
            recorded_at_us: self.recorded_at_us,
            stream_id: self.stream_id,
            stream_version: self.stream_version,
            event_type: self.event_type,
            schema_version: self.schema_version,
            occurred_from_us: self.occurred_from_us,
            occurred_to_us: self.occurred_to_us,
            time_precision: self.time_precision,
            actor: self.actor,
            payload_sha256,
            metadata_sha256,
        }
    }
}

/// A [`LeafV1`] whose payload and metadata are given by their SHA-256 commitments, already
/// computed: for a reader that hashes those texts while it parses them (the bundle verifier). The
/// encoding is the same; this is where its layout is defined.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CommittedLeafV1<'a> {
    pub position: u64,
    pub event_id: [u8; 16],
    pub recorded_at_us: i64,
    pub stream_id: &'a str,
    pub stream_version: u64,
    pub event_type: &'a str,
    pub schema_version: u32,
    pub occurred_from_us: i64,
    pub occurred_to_us: i64,
    pub time_precision: u8,
    pub actor: &'a str,
    /// SHA-256 of the payload bytes exactly as stored.
    pub payload_sha256: [u8; 32],
    /// SHA-256 of the metadata bytes exactly as stored.
    pub metadata_sha256: [u8; 32],
}

impl CommittedLeafV1<'_> {
    /// The RFC 9162 leaf hash of the encoding, hashed as the bytes are produced.
    pub fn hash(&self) -> Hash {
        let mut hasher = Sha256::new();
        hasher.update([LEAF_PREFIX]);
        self.write(|bytes| hasher.update(bytes));
        Hash(hasher.finalize().into())
    }

    /// The one definition of the layout: hands the encoding to `out` piece by piece, in order.
    fn write(&self, mut out: impl FnMut(&[u8])) {
        put_lp(&mut out, LEAF_FORMAT_V1.as_bytes());
        out(&self.position.to_be_bytes());
        out(&self.event_id);
        out(&self.recorded_at_us.to_be_bytes());
        put_lp(&mut out, self.stream_id.as_bytes());
        out(&self.stream_version.to_be_bytes());
        put_lp(&mut out, self.event_type.as_bytes());
        out(&self.schema_version.to_be_bytes());
        out(&self.occurred_from_us.to_be_bytes());
        out(&self.occurred_to_us.to_be_bytes());
        out(&[self.time_precision]);
        put_lp(&mut out, self.actor.as_bytes());
        out(&self.payload_sha256);
        out(&self.metadata_sha256);
    }
}

/// Appends a length-prefixed field.
///
/// Stored strings are bounded far below 4 GiB by the store's limits; a longer field would be a bug,
/// and saturating keeps the encoding total without a panic path.
fn put_lp(out: &mut impl FnMut(&[u8]), bytes: &[u8]) {
    let len = u32::try_from(bytes.len()).unwrap_or(u32::MAX);
    out(&len.to_be_bytes());
    out(bytes);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> LeafV1<'static> {
        LeafV1 {
            position: 7,
            event_id: [1; 16],
            recorded_at_us: 1_700_000_000_000_000,
            stream_id: "batch-42",
            stream_version: 3,
            event_type: "MemberArrived",
            schema_version: 1,
            occurred_from_us: 1_721_865_600_000_000,
            occurred_to_us: 1_721_951_999_999_999,
            time_precision: 2,
            actor: "recorder@62",
            payload: br#"{"date":"2024-07-25"}"#,
            metadata: br#"{"actor":"recorder@62"}"#,
        }
    }

    #[test]
    fn encoding_is_pinned() {
        // Changing this value breaks every stored leaf: a new layout needs a new format tag instead.
        assert_eq!(
            sample().hash().to_hex(),
            "9f17246220d074d4341ac66da5410f73ce30340271946135be1b31919d195daa"
        );
    }

    #[test]
    fn the_streamed_hash_is_the_hash_of_the_encoding() {
        assert_eq!(sample().hash(), crate::hash::leaf_hash(&sample().encode()));
    }

    #[test]
    fn the_committed_leaf_is_the_same_leaf() {
        let leaf = sample();
        let committed = leaf.committed(sha256(leaf.payload), sha256(leaf.metadata));
        assert_eq!(committed.hash(), leaf.hash());
    }

    #[test]
    fn every_field_changes_the_leaf() {
        let base = sample().encode();
        let variants = [
            LeafV1 {
                position: 8,
                ..sample()
            },
            LeafV1 {
                event_id: [2; 16],
                ..sample()
            },
            LeafV1 {
                recorded_at_us: 1,
                ..sample()
            },
            LeafV1 {
                stream_id: "batch-43",
                ..sample()
            },
            LeafV1 {
                stream_version: 4,
                ..sample()
            },
            LeafV1 {
                event_type: "MemberDeparted",
                ..sample()
            },
            LeafV1 {
                schema_version: 2,
                ..sample()
            },
            LeafV1 {
                occurred_from_us: 0,
                ..sample()
            },
            LeafV1 {
                occurred_to_us: 0,
                ..sample()
            },
            LeafV1 {
                time_precision: 3,
                ..sample()
            },
            LeafV1 {
                actor: "someone-else",
                ..sample()
            },
            LeafV1 {
                payload: b"{}",
                ..sample()
            },
            LeafV1 {
                metadata: b"{}",
                ..sample()
            },
        ];
        for variant in variants {
            assert_ne!(variant.encode(), base, "{variant:?}");
        }
    }

    #[test]
    fn length_prefixes_keep_adjacent_strings_apart() {
        // Without length prefixes, moving a character from one string to the next would not change the bytes.
        let a = LeafV1 {
            stream_id: "batch-4",
            event_type: "2MemberArrived",
            ..sample()
        };
        let b = LeafV1 {
            stream_id: "batch-42",
            event_type: "MemberArrived",
            ..sample()
        };
        assert_ne!(a.encode(), b.encode());
    }
}
