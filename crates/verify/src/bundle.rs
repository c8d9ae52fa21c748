//! Verifying an export bundle (`medaid-bundle-v1`) offline, against a pinned trust root.
//!
//! One pass over the archive, in its order: the checkpoints are checked first (each signature under
//! a pinned key and the expected origin, each note against its own line, sizes increasing, and the
//! consistency proof from the one before), then every event is rebuilt from its stored bytes into a
//! leaf and appended to a Merkle frontier; whenever the frontier reaches a checkpoint's size its
//! root must be the signed one. Positions must be dense from 0, each stream's versions must go
//! 1, 2, 3, …, and every file's SHA-256 and size must be what the manifest, the last file, says.
//! The first thing that fails is reported with its position, stream, checkpoint or file.

use std::collections::HashMap;
use std::io::Read;

use ledger::format::{
    BUNDLE_FORMAT, BundleCheckpoint, EventRecord, Manifest, ManifestFile, TrustRoot,
    bundle_files as files,
};
use ledger::note::NoteVerifier;
use ledger::{Frontier, Hash, TreeHead, leaf_hash, open_checkpoint, verify_consistency};
use sha2::{Digest, Sha256};

use crate::report::{Failure, Location};

/// What a bundle that verified holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BundleSummary {
    pub events: u64,
    pub streams: usize,
    pub checkpoints: usize,
    pub tree_size: u64,
    pub root: Hash,
}

fn file_failure(name: &str, reason: impl Into<String>) -> Failure {
    Failure::new(Location::File(name.to_owned()), reason)
}

/// The checks that run while reading the archive.
struct Verifier<'t> {
    origin: &'t str,
    keys: &'t [NoteVerifier],
    /// Signed heads in size order, and the next one the frontier must meet.
    checkpoints: Vec<TreeHead>,
    next_checkpoint: usize,
    frontier: Frontier,
    versions: HashMap<String, u64>,
    seen_files: Vec<ManifestFile>,
    manifest: Option<Manifest>,
    /// A consistency proof that failed. Reported only after the events: when every signed root is
    /// recomputed from the events, a failure there (a leaf, a position, a root) is the more precise
    /// finding, and a bad proof between roots that all match is the bundle's own defect.
    deferred: Option<Failure>,
}

impl Verifier<'_> {
    fn checkpoints(&mut self, name: &str, bytes: &[u8]) -> Result<(), Failure> {
        if !self.checkpoints.is_empty() || self.frontier.size() > 0 {
            return Err(file_failure(
                name,
                "checkpoints must come once, before the events",
            ));
        }
        let text = std::str::from_utf8(bytes).map_err(|_| file_failure(name, "not UTF-8"))?;
        let mut previous: Option<TreeHead> = None;
        for (number, line) in text.lines().enumerate() {
            let line: BundleCheckpoint = serde_json::from_str(line).map_err(|e| {
                file_failure(
                    name,
                    format!("line {} is not a checkpoint: {e}", number + 1),
                )
            })?;
            let at = || Location::Checkpoint(line.tree_size);
            let opened = open_checkpoint(&line.note, self.origin, self.keys)
                .map_err(|e| Failure::new(at(), format!("signature does not verify: {e}")))?;
            let head = opened.checkpoint.head;
            if head.size != line.tree_size || head.root != line.root {
                return Err(Failure::new(
                    at(),
                    "the signed note states another size or root than its line",
                ));
            }
            if let Some(old) = previous {
                if head.size <= old.size {
                    return Err(Failure::new(
                        at(),
                        "checkpoints are not in increasing size order",
                    ));
                }
                if old.size > 0
                    && self.deferred.is_none()
                    && let Err(e) = verify_consistency(&old, &head, &line.consistency_proof)
                {
                    self.deferred = Some(Failure::new(
                        at(),
                        format!(
                            "not consistent with the checkpoint of size {}: {e}",
                            old.size
                        ),
                    ));
                }
            }
            if head.size == 0 && head.root != Hash::empty_root() {
                return Err(Failure::new(at(), "an empty tree has another root"));
            }
            previous = Some(head);
            self.checkpoints.push(head);
        }
        if self.checkpoints.is_empty() {
            return Err(file_failure(name, "the bundle holds no checkpoint"));
        }
        // Size 0 is met before any event.
        while self
            .checkpoints
            .get(self.next_checkpoint)
            .is_some_and(|c| c.size == 0)
        {
            self.next_checkpoint += 1;
        }
        Ok(())
    }

    fn events(&mut self, name: &str, bytes: &[u8]) -> Result<(), Failure> {
        if self.checkpoints.is_empty() {
            return Err(file_failure(name, "events come before the checkpoints"));
        }
        let text = std::str::from_utf8(bytes).map_err(|_| file_failure(name, "not UTF-8"))?;
        for line in text.lines() {
            let expected = self.frontier.size();
            let record: EventRecord = serde_json::from_str(line).map_err(|e| {
                Failure::new(
                    Location::Position(expected),
                    format!("the line in {name} is not an event record: {e}"),
                )
            })?;
            self.event(&record)?;
        }
        Ok(())
    }

    fn event(&mut self, record: &EventRecord) -> Result<(), Failure> {
        let expected = self.frontier.size();
        if record.position != expected {
            return Err(Failure::new(
                Location::Position(expected),
                format!(
                    "expected the event at position {expected}, found position {} (an event is missing or out of order)",
                    record.position
                ),
            ));
        }
        let at = || Location::Position(expected);
        let leaf = record
            .leaf()
            .map_err(|e| Failure::new(at(), e.to_string()))?;
        let hash = leaf_hash(&leaf);
        if hash != record.leaf_hash {
            return Err(Failure::new(
                at(),
                "the stored bytes do not match the leaf hash recorded with the event (payload, metadata or a field was changed)",
            ));
        }
        let version = self.versions.entry(record.stream_id.clone()).or_default();
        if record.stream_version != *version + 1 {
            return Err(Failure::new(
                Location::Stream(record.stream_id.clone()),
                format!(
                    "at position {expected} the stream jumps from version {} to {}",
                    version, record.stream_version
                ),
            ));
        }
        *version += 1;
        self.frontier.push(hash);
        self.check_reached_checkpoint()
    }

    fn check_reached_checkpoint(&mut self) -> Result<(), Failure> {
        if let Some(head) = self.checkpoints.get(self.next_checkpoint)
            && head.size == self.frontier.size()
        {
            if self.frontier.root() != head.root {
                return Err(Failure::new(
                    Location::Checkpoint(head.size),
                    format!(
                        "the events at positions 0..{} do not hash to the signed root: the history before position {} differs from the one signed",
                        head.size, head.size
                    ),
                ));
            }
            self.next_checkpoint += 1;
        }
        Ok(())
    }

    fn finish(self) -> Result<BundleSummary, Failure> {
        let manifest = self
            .manifest
            .ok_or_else(|| file_failure(files::MANIFEST, "the bundle has no manifest"))?;
        if manifest.format != BUNDLE_FORMAT {
            return Err(file_failure(
                files::MANIFEST,
                format!("unknown bundle format {:?}", manifest.format),
            ));
        }
        if manifest.origin != self.origin {
            return Err(file_failure(
                files::MANIFEST,
                format!(
                    "the bundle is of origin {:?}, not {:?}",
                    manifest.origin, self.origin
                ),
            ));
        }
        for (index, listed) in manifest.files.iter().enumerate() {
            match self.seen_files.get(index) {
                Some(seen) if seen == listed => {}
                Some(seen) if seen.name == listed.name => {
                    return Err(file_failure(
                        &listed.name,
                        format!(
                            "SHA-256 {} ({} bytes) differs from the manifest's {} ({} bytes)",
                            seen.sha256, seen.bytes, listed.sha256, listed.bytes
                        ),
                    ));
                }
                _ => {
                    return Err(file_failure(
                        &listed.name,
                        "listed in the manifest but not in the bundle",
                    ));
                }
            }
        }
        if let Some(extra) = self.seen_files.get(manifest.files.len()) {
            return Err(file_failure(
                &extra.name,
                "in the bundle but not in the manifest",
            ));
        }
        let events = self.frontier.size();
        if let Some(unmet) = self.checkpoints.get(self.next_checkpoint) {
            return Err(Failure::new(
                Location::Position(events),
                format!(
                    "the bundle ends at position {events}, but a checkpoint of tree size {} was signed: events {events}..{} are missing",
                    unmet.size, unmet.size
                ),
            ));
        }
        if manifest.event_count != events {
            return Err(file_failure(
                files::MANIFEST,
                format!(
                    "says {} events, the bundle holds {events}",
                    manifest.event_count
                ),
            ));
        }
        let last = self.checkpoints.last().copied().unwrap_or(TreeHead {
            size: 0,
            root: Hash::empty_root(),
        });
        if last.size != events {
            return Err(Failure::new(
                Location::Position(last.size),
                format!(
                    "events {}..{events} are covered by no signed checkpoint",
                    last.size
                ),
            ));
        }
        if let Some(failure) = self.deferred {
            return Err(failure);
        }
        Ok(BundleSummary {
            events,
            streams: self.versions.len(),
            checkpoints: self.checkpoints.len(),
            tree_size: last.size,
            root: last.root,
        })
    }
}

/// Verifies a bundle read from `archive` against a pinned trust root.
pub fn verify_bundle(archive: impl Read, trust_root: &TrustRoot) -> Result<BundleSummary, Failure> {
    let keys = trust_root
        .verifiers()
        .map_err(|e| file_failure("trust root", e.to_string()))?;
    let mut verifier = Verifier {
        origin: &trust_root.origin,
        keys: &keys,
        checkpoints: Vec::new(),
        next_checkpoint: 0,
        frontier: Frontier::new(),
        versions: HashMap::new(),
        seen_files: Vec::new(),
        manifest: None,
        deferred: None,
    };
    let mut archive = tar::Archive::new(archive);
    let entries = archive
        .entries()
        .map_err(|e| file_failure("bundle", format!("not a tar archive: {e}")))?;
    let mut bytes = Vec::new();
    for entry in entries {
        let mut entry =
            entry.map_err(|e| file_failure("bundle", format!("unreadable entry: {e}")))?;
        let name = entry
            .path()
            .map_err(|_| file_failure("bundle", "an entry has no readable name"))?
            .to_string_lossy()
            .into_owned();
        if verifier.manifest.is_some() {
            return Err(file_failure(
                &name,
                "comes after the manifest, which must be last",
            ));
        }
        bytes.clear();
        entry
            .read_to_end(&mut bytes)
            .map_err(|e| file_failure(&name, format!("unreadable: {e}")))?;
        if name == files::MANIFEST {
            let manifest: Manifest = serde_json::from_slice(&bytes)
                .map_err(|e| file_failure(&name, format!("not a manifest: {e}")))?;
            verifier.manifest = Some(manifest);
            continue;
        }
        verifier.seen_files.push(ManifestFile {
            name: name.clone(),
            sha256: hex::encode(Sha256::digest(&bytes)),
            bytes: bytes.len() as u64,
        });
        if name == files::TRUST_ROOT {
            // The bundle's own copy is informative only: the pinned trust root decides.
            let theirs: TrustRoot = serde_json::from_slice(&bytes)
                .map_err(|e| file_failure(&name, format!("not a trust root: {e}")))?;
            if theirs.origin != trust_root.origin {
                return Err(file_failure(
                    &name,
                    format!(
                        "is for origin {:?}, not the pinned {:?}",
                        theirs.origin, trust_root.origin
                    ),
                ));
            }
        } else if name == files::CHECKPOINTS {
            verifier.checkpoints(&name, &bytes)?;
        } else if name.starts_with(files::EVENTS_DIR) {
            let expected = files::events_file(verifier.frontier.size() / files::EVENTS_PER_FILE);
            if name != expected
                || !verifier
                    .frontier
                    .size()
                    .is_multiple_of(files::EVENTS_PER_FILE)
            {
                return Err(file_failure(
                    &name,
                    format!("out of order: expected {expected} next"),
                ));
            }
            verifier.events(&name, &bytes)?;
        } else {
            return Err(file_failure(&name, "not a file of this bundle format"));
        }
    }
    verifier.finish()
}
