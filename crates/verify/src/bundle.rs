//! Verifying an export bundle (`medaid-bundle-v1`) offline, against a pinned trust root.
//!
//! One pass over the archive, in its order: the checkpoints are checked first (each signature under
//! a pinned key and the expected origin, each note against its own line, sizes increasing, and the
//! consistency proof from the one before), then every event is rebuilt from its stored bytes into a
//! leaf and appended to a Merkle frontier; whenever the frontier reaches a checkpoint's size its
//! root must be the signed one. Positions must be dense from 0, each stream's versions must go
//! 1, 2, 3, …, and every file's SHA-256 and size must be what the manifest, the last file, says.
//! The first thing that fails is reported with its position, stream, checkpoint or file.
//!
//! Speed: rebuilding and hashing a million leaves is the bulk of the work, and it needs nothing
//! from the rest of the log, so events files are checked on worker threads ([`events_file`]) while
//! this thread reads the archive; their results are applied in archive order, so the report is
//! exactly the one a single pass would give.

mod events_file;

use std::collections::{BTreeMap, HashMap};
use std::io::Read;
use std::sync::{Mutex, mpsc};

use ledger::format::{
    BUNDLE_FORMAT, BundleCheckpoint, Manifest, ManifestFile, TrustRoot, bundle_files as files,
};
use ledger::note::NoteVerifier;
use ledger::{Frontier, Hash, TreeHead, open_checkpoint, verify_consistency};
use sha2::{Digest, Sha256};

use events_file::{Checked, Leaf, Stop, Work};

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

    /// Applies one checked events file, in archive order: the checks that depend on what came
    /// before it, in the order a single pass over its lines makes them.
    fn events(&mut self, checked: Checked) -> Result<(), Failure> {
        let Checked {
            name,
            sha256,
            bytes,
            leaves,
            stream_ids,
            stop,
            ..
        } = checked;
        self.seen_files.push(ManifestFile {
            name: name.clone(),
            sha256,
            bytes,
        });
        let expected = files::events_file(self.frontier.size() / files::EVENTS_PER_FILE);
        if name != expected || !self.frontier.size().is_multiple_of(files::EVENTS_PER_FILE) {
            return Err(file_failure(
                &name,
                format!("out of order: expected {expected} next"),
            ));
        }
        if self.checkpoints.is_empty() {
            return Err(file_failure(&name, "events come before the checkpoints"));
        }
        if let Some(Stop::File(failure)) = stop {
            return Err(failure);
        }
        for leaf in leaves {
            let stream_id = stream_ids.get(leaf.stream_id.clone()).unwrap_or_default();
            self.event(&leaf, stream_id)?;
        }
        match stop {
            Some(Stop::Line { position, failure }) => {
                if let Some(position) = position {
                    self.check_position(position)?;
                }
                Err(failure)
            }
            Some(Stop::File(failure)) => Err(failure),
            None => Ok(()),
        }
    }

    fn check_position(&self, position: u64) -> Result<(), Failure> {
        let expected = self.frontier.size();
        if position != expected {
            return Err(Failure::new(
                Location::Position(expected),
                format!(
                    "expected the event at position {expected}, found position {position} (an event is missing or out of order)",
                ),
            ));
        }
        Ok(())
    }

    /// One event whose leaf verified: its position, its stream's next version, the frontier.
    fn event(&mut self, leaf: &Leaf, stream_id: &str) -> Result<(), Failure> {
        self.check_position(leaf.position)?;
        let expected = self.frontier.size();
        let version = self.versions.get(stream_id).copied().unwrap_or(0);
        if leaf.stream_version != version + 1 {
            return Err(Failure::new(
                Location::Stream(stream_id.to_owned()),
                format!(
                    "at position {expected} the stream jumps from version {version} to {}",
                    leaf.stream_version
                ),
            ));
        }
        // The stream's id is copied once, when the stream is first seen.
        match self.versions.get_mut(stream_id) {
            Some(version) => *version += 1,
            None => {
                self.versions.insert(stream_id.to_owned(), 1);
            }
        }
        self.frontier.append(leaf.hash);
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

/// Events files checked at once at most, per worker: enough to keep the workers busy while this
/// thread reads, few enough that memory stays at a handful of files (about 6 MB each).
const FILES_IN_FLIGHT_PER_WORKER: usize = 2;

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
    // The two cores of the machine this is measured on: one checks while the other reads and
    // checks; more help a larger machine up to the point where reading is the limit.
    let workers = std::thread::available_parallelism().map_or(1, |n| n.get().clamp(1, 4));
    let (work_tx, work_rx) = mpsc::sync_channel::<Work>(workers);
    let (done_tx, done_rx) = mpsc::channel::<Checked>();
    let work_rx = Mutex::new(work_rx);
    std::thread::scope(|scope| {
        for _ in 0..workers {
            let done_tx = done_tx.clone();
            let work_rx = &work_rx;
            scope.spawn(move || {
                loop {
                    // The lock is held only to take the next file, never while checking one.
                    let next = work_rx.lock().map_or(None, |rx| rx.recv().ok());
                    let Some(work) = next else { return };
                    if done_tx.send(events_file::check(work)).is_err() {
                        return;
                    }
                }
            });
        }
        drop(done_tx);
        let mut order = InOrder {
            done: done_rx,
            waiting: BTreeMap::new(),
            sent: 0,
            applied: 0,
        };
        let outcome = read_archive(
            archive,
            trust_root,
            &mut verifier,
            &mut order,
            &work_tx,
            workers * FILES_IN_FLIGHT_PER_WORKER,
        );
        // Closing the queue lets the workers finish; a failure leaves at most their current files.
        drop(work_tx);
        outcome
    })?;
    verifier.finish()
}

/// Events files sent to the workers, and their results put back into archive order.
struct InOrder {
    done: mpsc::Receiver<Checked>,
    waiting: BTreeMap<usize, Checked>,
    sent: usize,
    applied: usize,
}

impl InOrder {
    /// Waits for results and applies them in order until at most `keep` files are outstanding.
    fn apply_until(&mut self, verifier: &mut Verifier<'_>, keep: usize) -> Result<(), Failure> {
        while self.sent - self.applied > keep {
            if let Some(next) = self.waiting.remove(&self.applied) {
                self.applied += 1;
                verifier.events(next)?;
                continue;
            }
            let checked = self
                .done
                .recv()
                .map_err(|_| file_failure("bundle", "a verifying thread stopped"))?;
            self.waiting.insert(checked.sequence, checked);
        }
        Ok(())
    }
}

/// Reads the archive in order: events files go to the workers, every other file is checked here
/// once all events files before it have been applied.
fn read_archive(
    archive: impl Read,
    trust_root: &TrustRoot,
    verifier: &mut Verifier<'_>,
    order: &mut InOrder,
    work: &mpsc::SyncSender<Work>,
    in_flight: usize,
) -> Result<(), Failure> {
    let mut archive = tar::Archive::new(archive);
    let entries = archive
        .entries()
        .map_err(|e| file_failure("bundle", format!("not a tar archive: {e}")))?;
    for entry in entries {
        // Whatever is wrong with this entry, the events before it are judged first.
        let read = read_entry(entry);
        let (name, bytes) = match read {
            Ok(read) => read,
            Err(failure) => {
                order.apply_until(verifier, 0)?;
                return Err(failure);
            }
        };
        if name.starts_with(files::EVENTS_DIR) && verifier.manifest.is_none() {
            work.send(Work {
                sequence: order.sent,
                name,
                bytes,
            })
            .map_err(|_| file_failure("bundle", "the verifying threads stopped"))?;
            order.sent += 1;
            order.apply_until(verifier, in_flight)?;
            continue;
        }
        order.apply_until(verifier, 0)?;
        verifier.other_file(name, bytes, trust_root)?;
    }
    order.apply_until(verifier, 0)
}

/// The name and bytes of one archive entry.
fn read_entry<R: Read>(
    entry: std::io::Result<tar::Entry<'_, R>>,
) -> Result<(String, Vec<u8>), Failure> {
    let mut entry = entry.map_err(|e| file_failure("bundle", format!("unreadable entry: {e}")))?;
    let name = entry
        .path()
        .map_err(|_| file_failure("bundle", "an entry has no readable name"))?
        .to_string_lossy()
        .into_owned();
    let mut bytes = Vec::with_capacity(usize::try_from(entry.size()).unwrap_or(0).min(1 << 26));
    entry
        .read_to_end(&mut bytes)
        .map_err(|e| file_failure(&name, format!("unreadable: {e}")))?;
    Ok((name, bytes))
}

impl Verifier<'_> {
    /// A file other than an events file: the trust root, the checkpoints or the manifest.
    fn other_file(
        &mut self,
        name: String,
        bytes: Vec<u8>,
        trust_root: &TrustRoot,
    ) -> Result<(), Failure> {
        if self.manifest.is_some() {
            return Err(file_failure(
                &name,
                "comes after the manifest, which must be last",
            ));
        }
        if name == files::MANIFEST {
            let manifest: Manifest = serde_json::from_slice(&bytes)
                .map_err(|e| file_failure(&name, format!("not a manifest: {e}")))?;
            self.manifest = Some(manifest);
            return Ok(());
        }
        self.seen_files.push(ManifestFile {
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
            Ok(())
        } else if name == files::CHECKPOINTS {
            self.checkpoints(&name, &bytes)
        } else {
            Err(file_failure(&name, "not a file of this bundle format"))
        }
    }
}
