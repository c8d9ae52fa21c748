//! The RFC 9162 hash functions over SHA-256.

use std::fmt;
use std::str::FromStr;

use sha2::{Digest, Sha256};

/// A SHA-256 value: a leaf hash, a node hash or a tree root.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Hash(pub [u8; 32]);

impl Hash {
    /// The root of the empty tree, which RFC 9162 defines as the hash of the empty string.
    pub fn empty_root() -> Hash {
        Hash(Sha256::digest([]).into())
    }

    /// The raw 32 bytes.
    pub fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }

    /// Builds a hash from a byte slice read back from storage; fails unless it is exactly 32 bytes.
    pub fn from_slice(bytes: &[u8]) -> Result<Hash, HashParseError> {
        let array: [u8; 32] = bytes
            .try_into()
            .map_err(|_| HashParseError::WrongLength(bytes.len()))?;
        Ok(Hash(array))
    }

    /// Lowercase hexadecimal, as auditors see it.
    pub fn to_hex(&self) -> String {
        hex::encode(self.0)
    }
}

impl fmt::Debug for Hash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Hash({})", self.to_hex())
    }
}

impl fmt::Display for Hash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_hex())
    }
}

/// Why a hash could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HashParseError {
    #[error("a hash is 32 bytes, got {0}")]
    WrongLength(usize),
    #[error("a hash is 64 hexadecimal characters")]
    NotHex,
}

impl FromStr for Hash {
    type Err = HashParseError;

    fn from_str(s: &str) -> Result<Hash, HashParseError> {
        // The common case straight into the array: a verifier reads a million of these.
        if s.len() == 64 {
            let mut out = [0u8; 32];
            hex::decode_to_slice(s, &mut out).map_err(|_| HashParseError::NotHex)?;
            return Ok(Hash(out));
        }
        let bytes = hex::decode(s).map_err(|_| HashParseError::NotHex)?;
        Hash::from_slice(&bytes)
    }
}

/// Hashes travel in files and JSON as 64 lowercase hexadecimal characters.
impl serde::Serialize for Hash {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.to_hex())
    }
}

impl<'de> serde::Deserialize<'de> for Hash {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Hash, D::Error> {
        let text = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

/// The domain-separation byte before a leaf's bytes (RFC 9162 §2.1.1).
pub(crate) const LEAF_PREFIX: u8 = 0x00;

/// The hash of a leaf: `SHA-256(0x00 || leaf)`.
///
/// The prefix keeps a leaf from ever being confused with an inner node (second-preimage resistance).
pub fn leaf_hash(leaf: &[u8]) -> Hash {
    let mut hasher = Sha256::new();
    hasher.update([LEAF_PREFIX]);
    hasher.update(leaf);
    Hash(hasher.finalize().into())
}

/// The hash of an inner node: `SHA-256(0x01 || left || right)`.
pub fn node_hash(left: &Hash, right: &Hash) -> Hash {
    let mut hasher = Sha256::new();
    hasher.update([0x01]);
    hasher.update(left.0);
    hasher.update(right.0);
    Hash(hasher.finalize().into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_root_is_the_hash_of_nothing() {
        assert_eq!(
            Hash::empty_root().to_hex(),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
    }

    #[test]
    fn leaf_hash_of_empty_leaf_matches_rfc_6962_test_vector() {
        assert_eq!(
            leaf_hash(b"").to_hex(),
            "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d"
        );
    }

    #[test]
    fn hashes_round_trip_through_hex_and_reject_bad_input() {
        let hash = leaf_hash(b"medaid");
        assert_eq!(hash.to_hex().parse::<Hash>().unwrap(), hash);
        assert_eq!("zz".parse::<Hash>(), Err(HashParseError::NotHex));
        assert_eq!("00".parse::<Hash>(), Err(HashParseError::WrongLength(1)));
        assert_eq!("g".repeat(64).parse::<Hash>(), Err(HashParseError::NotHex));
        assert_eq!(hash.to_hex().to_uppercase().parse::<Hash>().unwrap(), hash);
    }
}
