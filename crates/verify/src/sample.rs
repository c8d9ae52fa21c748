//! Bundles made in memory, in the exact `medaid-bundle-v1` layout, for tests and the benchmark:
//! a log of `events` events over a few streams, checkpointed every `every` events by `signer`.
//! They are produced by the same format types as the server's export, so what verifies here is
//! what the verifier accepts from a server; they never stand in for one in an end-to-end test.

use ledger::format::{
    BUNDLE_FORMAT, BundleCheckpoint, EventRecord, Manifest, ManifestFile, TrustRoot, TrustedKey,
    bundle_files as files,
};
use ledger::note::NoteSigner;
use ledger::{Checkpoint, Frontier, Hash, TreeHead, leaf_hash};
use std::collections::HashMap;

use sha2::{Digest, Sha256};

/// The parts of a sample bundle, which a test may alter before [`SampleBundle::archive`].
pub struct SampleBundle {
    pub trust_root: TrustRoot,
    pub checkpoints: Vec<BundleCheckpoint>,
    pub events: Vec<EventRecord>,
}

/// The event at `position`, with a leaf hash of its own bytes.
pub fn sample_event(position: u64, streams: u64) -> EventRecord {
    let stream = position % streams;
    let mut record = EventRecord {
        position,
        event_id: format!("00000000-0000-7000-8000-{position:012x}"),
        recorded_at_us: 1_750_000_000_000_000 + i64::try_from(position).unwrap_or(0),
        stream_id: format!("batch-{stream}"),
        stream_version: position / streams + 1,
        event_type: "MemberArrived".to_owned(),
        schema_version: 1,
        occurred_from_us: 1_721_865_600_000_000,
        occurred_to_us: 1_721_951_999_999_999,
        time_precision: 2,
        payload: format!(
            r#"{{"batch_id":"batch-{stream}","member":"practitioner-{position}","arrived_on":"2024-07-25","hospital":"126204224387001245"}}"#
        ),
        metadata: format!(
            r#"{{"actor":"recorder-62","request_id":"req-{position}","correlation_id":"req-{position}"}}"#
        ),
        leaf_hash: Hash([0; 32]),
    };
    if let Ok(leaf) = record.leaf() {
        record.leaf_hash = leaf_hash(&leaf);
    }
    record
}

impl SampleBundle {
    /// A log of `events` events in 100 streams, with a checkpoint every `every` events and at the end.
    pub fn new(signer: &NoteSigner, events: u64, every: u64) -> SampleBundle {
        let origin = signer.verifier().name().to_owned();
        let trust_root = TrustRoot::new(
            &origin,
            vec![TrustedKey {
                name: origin.clone(),
                verifier_key: signer.verifier().encode(),
                valid_from_us: None,
                valid_until_us: None,
            }],
        );
        let mut frontier = Frontier::new();
        let mut records = Vec::with_capacity(usize::try_from(events).unwrap_or(0));
        let mut checkpoints: Vec<BundleCheckpoint> = Vec::new();
        let mut nodes = HashMap::new();
        for position in 0..events {
            let record = sample_event(position, 100);
            nodes.insert((0u8, position), record.leaf_hash);
            for node in frontier.push(record.leaf_hash) {
                nodes.insert((node.level, node.index), node.hash);
            }
            records.push(record);
            if frontier.size().is_multiple_of(every.max(1)) || frontier.size() == events {
                let head = TreeHead {
                    size: frontier.size(),
                    root: frontier.root(),
                };
                let proof = match checkpoints.last() {
                    Some(previous) => consistency(&nodes, previous.tree_size, head.size),
                    None => Vec::new(),
                };
                checkpoints.push(BundleCheckpoint {
                    tree_size: head.size,
                    root: head.root,
                    note: Checkpoint::new(&origin, head)
                        .sign(signer)
                        .unwrap_or_default(),
                    key_name: origin.clone(),
                    signed_at_us: 1_750_000_000_000_000,
                    consistency_proof: proof,
                });
            }
        }
        SampleBundle {
            trust_root,
            checkpoints,
            events: records,
        }
    }

    /// The bundle as a ustar archive with its manifest last.
    pub fn archive(&self) -> Vec<u8> {
        let mut tar = tar::Builder::new(Vec::new());
        let mut listed = Vec::new();
        let mut add = |name: &str, bytes: &[u8], listed: &mut Vec<ManifestFile>, list: bool| {
            let mut header = tar::Header::new_ustar();
            header.set_size(bytes.len() as u64);
            header.set_mode(0o644);
            header.set_entry_type(tar::EntryType::Regular);
            let _ = tar.append_data(&mut header, name, bytes);
            if list {
                listed.push(ManifestFile {
                    name: name.to_owned(),
                    sha256: hex::encode(Sha256::digest(bytes)),
                    bytes: bytes.len() as u64,
                });
            }
        };
        let root = serde_json::to_vec(&self.trust_root).unwrap_or_default();
        add(files::TRUST_ROOT, &root, &mut listed, true);
        add(
            files::CHECKPOINTS,
            &lines(&self.checkpoints),
            &mut listed,
            true,
        );
        let per_file = usize::try_from(files::EVENTS_PER_FILE).unwrap_or(10_000);
        for (index, chunk) in self.events.chunks(per_file).enumerate() {
            add(
                &files::events_file(index as u64),
                &lines(chunk),
                &mut listed,
                true,
            );
        }
        let manifest = Manifest {
            format: BUNDLE_FORMAT.to_owned(),
            origin: self.trust_root.origin.clone(),
            event_count: self.events.len() as u64,
            tree_size: self.checkpoints.last().map_or(0, |c| c.tree_size),
            created_at_us: 1_750_000_000_000_000,
            files: listed.clone(),
        };
        let manifest = serde_json::to_vec(&manifest).unwrap_or_default();
        add(files::MANIFEST, &manifest, &mut listed, false);
        tar.into_inner().unwrap_or_default()
    }
}

fn lines<T: serde::Serialize>(items: &[T]) -> Vec<u8> {
    let mut out = Vec::new();
    for item in items {
        let _ = serde_json::to_writer(&mut out, item);
        out.push(b'\n');
    }
    out
}

/// A consistency proof from the nodes in memory, by the same ranges the store uses.
fn consistency(nodes: &HashMap<(u8, u64), Hash>, first: u64, second: u64) -> Vec<Hash> {
    let Ok(ranges) = ledger::consistency_ranges(first, second) else {
        return Vec::new();
    };
    ledger::assemble(&ranges, |c| nodes.get(&(c.level, c.index)).copied()).unwrap_or_default()
}
