//! C2SP tlog checkpoints (c2sp.org/tlog-checkpoint): the signed statement "the log named `origin`
//! has `size` leaves and this root".
//!
//! The body is three lines, `origin`, the size in decimal and the base64 root, optionally followed by
//! extension lines, and it is the text of a signed note ([`crate::note`]). A checkpoint is trusted only
//! once its note verifies under a key the auditor pinned and its origin is the one expected; the
//! [`TreeHead`] it yields is what proofs are checked against.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;

use crate::hash::Hash;
use crate::note::{Note, NoteError, NoteSigner, NoteVerifier};
use crate::proof::TreeHead;

/// Why a checkpoint was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CheckpointError {
    #[error("the checkpoint body is malformed: {0}")]
    Malformed(&'static str),
    #[error("the checkpoint is for origin {actual:?}, expected {expected:?}")]
    WrongOrigin { expected: String, actual: String },
    #[error(transparent)]
    Note(#[from] NoteError),
}

/// The body of a checkpoint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checkpoint {
    pub origin: String,
    pub head: TreeHead,
    /// Lines after the root, kept as signed; this log writes none.
    pub extensions: Vec<String>,
}

impl Checkpoint {
    pub fn new(origin: &str, head: TreeHead) -> Checkpoint {
        Checkpoint {
            origin: origin.to_owned(),
            head,
            extensions: Vec::new(),
        }
    }

    /// The note text: `origin\nsize\nbase64(root)\n` and any extension lines.
    pub fn to_text(&self) -> String {
        let mut text = format!(
            "{}\n{}\n{}\n",
            self.origin,
            self.head.size,
            STANDARD.encode(self.head.root.0)
        );
        for line in &self.extensions {
            text.push_str(line);
            text.push('\n');
        }
        text
    }

    /// Reads a note text as a checkpoint body.
    pub fn parse(text: &str) -> Result<Checkpoint, CheckpointError> {
        let body = text.strip_suffix('\n').ok_or(CheckpointError::Malformed(
            "the text must end with a newline",
        ))?;
        let mut lines = body.split('\n');
        let origin = lines
            .next()
            .filter(|o| !o.is_empty())
            .ok_or(CheckpointError::Malformed("the origin line is empty"))?;
        let size = lines
            .next()
            .ok_or(CheckpointError::Malformed("the size line is missing"))?;
        // Decimal without a sign or leading zeros, so one size has exactly one text.
        if size.is_empty()
            || !size.bytes().all(|b| b.is_ascii_digit())
            || (size.len() > 1 && size.starts_with('0'))
        {
            return Err(CheckpointError::Malformed(
                "the size is not a decimal number",
            ));
        }
        let size: u64 = size
            .parse()
            .map_err(|_| CheckpointError::Malformed("the size does not fit in 64 bits"))?;
        let root = lines
            .next()
            .ok_or(CheckpointError::Malformed("the root line is missing"))?;
        let root = STANDARD
            .decode(root)
            .ok()
            .and_then(|bytes| Hash::from_slice(&bytes).ok())
            .ok_or(CheckpointError::Malformed(
                "the root is not a base64 SHA-256 hash",
            ))?;
        let extensions = lines.map(str::to_owned).collect::<Vec<_>>();
        if extensions.iter().any(String::is_empty) {
            return Err(CheckpointError::Malformed("an extension line is empty"));
        }
        Ok(Checkpoint {
            origin: origin.to_owned(),
            head: TreeHead { size, root },
            extensions,
        })
    }

    /// Signs the checkpoint and returns the signed note.
    pub fn sign(&self, signer: &NoteSigner) -> Result<String, CheckpointError> {
        Ok(signer.sign(&self.to_text())?)
    }
}

/// A checkpoint whose signature and origin were checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifiedCheckpoint {
    pub checkpoint: Checkpoint,
    /// The name of the trusted key that signed it.
    pub key_name: String,
}

/// Verifies a signed checkpoint note against pinned keys and the expected origin.
pub fn open_checkpoint(
    note: &str,
    origin: &str,
    trusted: &[NoteVerifier],
) -> Result<VerifiedCheckpoint, CheckpointError> {
    let note = Note::parse(note)?;
    let signer = note.verify(trusted)?;
    let checkpoint = Checkpoint::parse(&note.text)?;
    if checkpoint.origin != origin {
        return Err(CheckpointError::WrongOrigin {
            expected: origin.to_owned(),
            actual: checkpoint.origin,
        });
    }
    Ok(VerifiedCheckpoint {
        checkpoint,
        key_name: signer.name().to_owned(),
    })
}
