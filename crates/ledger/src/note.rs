//! C2SP signed notes (c2sp.org/signed-note) with Ed25519 signatures.
//!
//! A note is UTF-8 text ending in a newline, a blank line, then one line per signature:
//! `— <key name> <base64(key id[4] ‖ signature)>`. The key id is the first four bytes of
//! `SHA-256(key name ‖ "\n" ‖ 0x01 ‖ public key)`, where 0x01 names Ed25519, and the signature is over
//! the text exactly. A verifier skips signature lines of keys it does not know, so a log can add a
//! second signature (a post-quantum one, a witness cosignature) without breaking old verifiers; a line
//! that names a known key but does not verify makes the whole note invalid.

use std::fmt;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use ed25519_dalek::{Signature, Signer, SigningKey, VerifyingKey};
use sha2::{Digest, Sha256};

/// The signature type byte of Ed25519 in key ids and encoded public keys.
pub const ED25519_TYPE: u8 = 0x01;

/// The most signature lines a note may carry; more is refused as abuse.
pub const MAX_SIGNATURES: usize = 100;

const SIGNATURE_PREFIX: &str = "\u{2014} ";

/// Why a note or a key could not be read, or did not verify.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NoteError {
    #[error("key name {0:?} is empty or holds whitespace or '+'")]
    BadKeyName(String),
    #[error("the verifier key is not `name+hexid+base64(0x01 ‖ key)`")]
    BadVerifierKey,
    #[error("the key id of the verifier key does not match its name and key")]
    VerifierKeyIdMismatch,
    #[error("the note text is not newline-terminated UTF-8 without control characters")]
    MalformedText,
    #[error("the note has no signature block after a blank line")]
    NoSignatures,
    #[error("signature line {0} is malformed")]
    MalformedSignature(usize),
    #[error("the note has more than {MAX_SIGNATURES} signatures")]
    TooManySignatures,
    #[error("the signature by known key {0} does not verify")]
    InvalidSignature(String),
    #[error("no signature by a trusted key")]
    NoTrustedSignature,
}

/// Whether a key name is allowed: non-empty, no Unicode whitespace, no `+`.
fn check_name(name: &str) -> Result<(), NoteError> {
    if name.is_empty() || name.contains('+') || name.chars().any(char::is_whitespace) {
        return Err(NoteError::BadKeyName(name.to_owned()));
    }
    Ok(())
}

/// The key id of an Ed25519 key under a name.
pub fn key_id(name: &str, key: &VerifyingKey) -> [u8; 4] {
    let mut hasher = Sha256::new();
    hasher.update(name.as_bytes());
    hasher.update(b"\n");
    hasher.update([ED25519_TYPE]);
    hasher.update(key.as_bytes());
    let digest = hasher.finalize();
    [digest[0], digest[1], digest[2], digest[3]]
}

/// A public key that checks notes: a name, its key id, and the Ed25519 key.
#[derive(Clone, PartialEq, Eq)]
pub struct NoteVerifier {
    name: String,
    id: [u8; 4],
    key: VerifyingKey,
}

impl fmt::Debug for NoteVerifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.encode())
    }
}

impl NoteVerifier {
    pub fn new(name: &str, key: VerifyingKey) -> Result<NoteVerifier, NoteError> {
        check_name(name)?;
        Ok(NoteVerifier {
            name: name.to_owned(),
            id: key_id(name, &key),
            key,
        })
    }

    /// Reads the standard text form `name+hexid+base64(0x01 ‖ key)`.
    pub fn parse(text: &str) -> Result<NoteVerifier, NoteError> {
        let mut parts = text.splitn(3, '+');
        let (Some(name), Some(id), Some(key)) = (parts.next(), parts.next(), parts.next()) else {
            return Err(NoteError::BadVerifierKey);
        };
        check_name(name)?;
        let id = hex::decode(id).map_err(|_| NoteError::BadVerifierKey)?;
        let key = STANDARD
            .decode(key)
            .map_err(|_| NoteError::BadVerifierKey)?;
        let Some((&ED25519_TYPE, key)) = key.split_first() else {
            return Err(NoteError::BadVerifierKey);
        };
        let key: [u8; 32] = key.try_into().map_err(|_| NoteError::BadVerifierKey)?;
        let key = VerifyingKey::from_bytes(&key).map_err(|_| NoteError::BadVerifierKey)?;
        let verifier = NoteVerifier::new(name, key)?;
        if id != verifier.id {
            return Err(NoteError::VerifierKeyIdMismatch);
        }
        Ok(verifier)
    }

    /// The standard text form `name+hexid+base64(0x01 ‖ key)`.
    pub fn encode(&self) -> String {
        let mut key = vec![ED25519_TYPE];
        key.extend_from_slice(self.key.as_bytes());
        format!(
            "{}+{}+{}",
            self.name,
            hex::encode(self.id),
            STANDARD.encode(key)
        )
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    pub fn key_id(&self) -> [u8; 4] {
        self.id
    }

    pub fn key(&self) -> &VerifyingKey {
        &self.key
    }
}

/// A private key that signs notes.
pub struct NoteSigner {
    verifier: NoteVerifier,
    key: SigningKey,
}

impl NoteSigner {
    pub fn new(name: &str, key: SigningKey) -> Result<NoteSigner, NoteError> {
        Ok(NoteSigner {
            verifier: NoteVerifier::new(name, key.verifying_key())?,
            key,
        })
    }

    /// The public half, for trust roots and verifiers.
    pub fn verifier(&self) -> &NoteVerifier {
        &self.verifier
    }

    /// Signs `text` (which must be valid note text) and returns the whole note.
    pub fn sign(&self, text: &str) -> Result<String, NoteError> {
        check_text(text)?;
        let signature = self.key.sign(text.as_bytes());
        let mut blob = self.verifier.id.to_vec();
        blob.extend_from_slice(&signature.to_bytes());
        Ok(format!(
            "{text}\n{SIGNATURE_PREFIX}{} {}\n",
            self.verifier.name,
            STANDARD.encode(blob)
        ))
    }
}

/// One signature line of a note.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NoteSignature {
    pub name: String,
    pub key_id: [u8; 4],
    /// The signature bytes after the key id; their meaning depends on the key's type.
    pub signature: Vec<u8>,
}

/// A note split into its text and signature lines; nothing is verified yet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Note {
    pub text: String,
    pub signatures: Vec<NoteSignature>,
}

fn check_text(text: &str) -> Result<(), NoteError> {
    if !text.ends_with('\n') || text.chars().any(|c| c.is_control() && c != '\n') {
        return Err(NoteError::MalformedText);
    }
    Ok(())
}

impl Note {
    /// Splits a note at its last blank line and reads every signature line.
    pub fn parse(note: &str) -> Result<Note, NoteError> {
        let split = note.rfind("\n\n").ok_or(NoteError::NoSignatures)?;
        let (text, block) = (&note[..=split], &note[split + 2..]);
        check_text(text)?;
        if block.is_empty() || !block.ends_with('\n') {
            return Err(NoteError::NoSignatures);
        }
        let mut signatures = Vec::new();
        for (number, line) in block[..block.len() - 1].split('\n').enumerate() {
            if signatures.len() == MAX_SIGNATURES {
                return Err(NoteError::TooManySignatures);
            }
            let bad = || NoteError::MalformedSignature(number + 1);
            let rest = line.strip_prefix(SIGNATURE_PREFIX).ok_or_else(bad)?;
            let (name, blob) = rest.split_once(' ').ok_or_else(bad)?;
            check_name(name).map_err(|_| bad())?;
            let blob = STANDARD.decode(blob).map_err(|_| bad())?;
            if blob.len() < 5 {
                return Err(bad());
            }
            signatures.push(NoteSignature {
                name: name.to_owned(),
                key_id: [blob[0], blob[1], blob[2], blob[3]],
                signature: blob[4..].to_vec(),
            });
        }
        Ok(Note {
            text: text.to_owned(),
            signatures,
        })
    }

    /// Checks the note against trusted keys and returns the first one that signed it.
    ///
    /// Lines by unknown keys are skipped; a line by a known key that does not verify fails the note.
    pub fn verify<'k>(&self, trusted: &'k [NoteVerifier]) -> Result<&'k NoteVerifier, NoteError> {
        let mut signer = None;
        for line in &self.signatures {
            let Some(verifier) = trusted
                .iter()
                .find(|v| v.name == line.name && v.id == line.key_id)
            else {
                continue;
            };
            let invalid = || NoteError::InvalidSignature(verifier.name.clone());
            let signature = Signature::from_slice(&line.signature).map_err(|_| invalid())?;
            // Strict verification refuses malleable and small-order signatures; honest ones pass.
            verifier
                .key
                .verify_strict(self.text.as_bytes(), &signature)
                .map_err(|_| invalid())?;
            signer.get_or_insert(verifier);
        }
        signer.ok_or(NoteError::NoTrustedSignature)
    }
}

#[cfg(test)]
mod tests;
