//! The witness: keeps the last checkpoint it saw of a log and accepts a new one only with a
//! consistency proof from it, so a server that forks or rewrites its history is caught the next
//! time the witness asks.
//!
//! The decision is pure ([`check_new_checkpoint`]); the state is one file in the state directory
//! (`checkpoint`, the last accepted signed note) plus an append-only `history` of every accepted
//! note; fetching from the server lives in [`crate::fetch`].

use std::path::{Path, PathBuf};

use ledger::format::TrustRoot;
use ledger::{Hash, TreeHead, open_checkpoint, verify_consistency};

use crate::report::{Failure, Location};

/// The file holding the last accepted checkpoint note.
const STATE_FILE: &str = "checkpoint";
/// Every accepted note, one after the other.
const HISTORY_FILE: &str = "history";

/// What the witness decided about a new checkpoint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// The first checkpoint this witness sees of the log.
    First(TreeHead),
    /// Same as the last one.
    Unchanged(TreeHead),
    /// It extends the last one, proven.
    Extends { previous: TreeHead, new: TreeHead },
}

/// Opens a signed note against the trust root.
pub fn open(note: &str, trust_root: &TrustRoot) -> Result<TreeHead, Failure> {
    let keys = trust_root
        .verifiers()
        .map_err(|e| Failure::new(Location::File("trust root".into()), e.to_string()))?;
    open_checkpoint(note, &trust_root.origin, &keys)
        .map(|v| v.checkpoint.head)
        .map_err(|e| {
            Failure::new(
                Location::Checkpoint(0),
                format!("signature does not verify: {e}"),
            )
        })
}

/// Decides whether `new` may follow `previous`, given the server's consistency proof.
pub fn check_new_checkpoint(
    previous: Option<TreeHead>,
    new: TreeHead,
    proof: &[Hash],
) -> Result<Verdict, Failure> {
    let Some(previous) = previous else {
        return Ok(Verdict::First(new));
    };
    let at = Location::Checkpoint(new.size);
    if new.size < previous.size {
        return Err(Failure::new(
            at,
            format!(
                "the server's checkpoint is smaller than the one of size {} this witness saw before: the log was rolled back",
                previous.size
            ),
        ));
    }
    if new.size == previous.size {
        return if new.root == previous.root {
            Ok(Verdict::Unchanged(new))
        } else {
            Err(Failure::new(
                at,
                "same size as the checkpoint seen before but another root: the log was forked",
            ))
        };
    }
    if previous.size > 0 {
        verify_consistency(&previous, &new, proof).map_err(|e| {
            Failure::new(
                at,
                format!(
                    "not consistent with the checkpoint of size {} seen before ({e}): the log was forked or rewritten",
                    previous.size
                ),
            )
        })?;
    }
    Ok(Verdict::Extends { previous, new })
}

/// The witness's state directory.
pub struct State {
    dir: PathBuf,
}

impl State {
    pub fn new(dir: &Path) -> State {
        State {
            dir: dir.to_owned(),
        }
    }

    /// The last accepted note, if any.
    pub fn last_note(&self) -> Result<Option<String>, Failure> {
        let path = self.dir.join(STATE_FILE);
        match std::fs::read_to_string(&path) {
            Ok(note) => Ok(Some(note)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(Failure::new(
                Location::File(path.display().to_string()),
                e.to_string(),
            )),
        }
    }

    /// Keeps `note` as the last accepted checkpoint (written to a temporary file, then renamed, so a
    /// crash never leaves half a note) and appends it to the history.
    pub fn accept(&self, note: &str) -> Result<(), Failure> {
        let fail = |path: &Path, e: std::io::Error| {
            Failure::new(Location::File(path.display().to_string()), e.to_string())
        };
        std::fs::create_dir_all(&self.dir).map_err(|e| fail(&self.dir, e))?;
        let history = self.dir.join(HISTORY_FILE);
        {
            use std::io::Write;
            let mut file = std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(&history)
                .map_err(|e| fail(&history, e))?;
            file.write_all(note.as_bytes())
                .and_then(|()| file.write_all(b"\n"))
                .map_err(|e| fail(&history, e))?;
        }
        let temporary = self.dir.join(format!("{STATE_FILE}.tmp"));
        std::fs::write(&temporary, note).map_err(|e| fail(&temporary, e))?;
        let path = self.dir.join(STATE_FILE);
        std::fs::rename(&temporary, &path).map_err(|e| fail(&path, e))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ledger::{Frontier, leaf_hash};

    fn head(frontier: &Frontier) -> TreeHead {
        TreeHead {
            size: frontier.size(),
            root: frontier.root(),
        }
    }

    #[test]
    fn a_rollback_or_fork_is_refused_and_growth_needs_a_proof() {
        let mut log = Frontier::new();
        for i in 0..5u8 {
            log.push(leaf_hash(&[i]));
        }
        let five = head(&log);
        assert_eq!(
            check_new_checkpoint(None, five, &[]),
            Ok(Verdict::First(five))
        );
        assert_eq!(
            check_new_checkpoint(Some(five), five, &[]),
            Ok(Verdict::Unchanged(five))
        );
        let mut fork = Frontier::new();
        for i in 0..5u8 {
            fork.push(leaf_hash(&[i + 1]));
        }
        assert!(check_new_checkpoint(Some(five), head(&fork), &[]).is_err());
        let mut smaller = Frontier::new();
        smaller.push(leaf_hash(&[0]));
        assert!(check_new_checkpoint(Some(five), head(&smaller), &[]).is_err());
        log.push(leaf_hash(&[9]));
        // Growth without a (valid) proof is refused.
        assert!(check_new_checkpoint(Some(five), head(&log), &[]).is_err());
    }
}
