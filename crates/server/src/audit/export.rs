//! Writing an export bundle as a stream of archive chunks.
//!
//! The bundle is built file by file in the order the verifier reads it (trust root, checkpoints,
//! event files, manifest last), each file in memory only while it is written, so memory stays at one
//! events file (10,000 events) whatever the log's size. A failure ends the stream with the error's
//! status; the auditor starts the export again.

use api::medaid::v1 as pb;
use app::audit::Audit;
use ledger::format::{
    BUNDLE_FORMAT, BundleCheckpoint, Manifest, ManifestFile, bundle_files as files,
};
use sha2::{Digest, Sha256};
use tokio::sync::mpsc;
use tonic::Status;

use crate::status::from_app_error;

/// The largest chunk sent in one message. Every chunk but the last is a multiple of 3, so the base64 forms of the chunks (as `buf curl` prints them) concatenate into
/// the base64 of the archive.
const CHUNK_BYTES: usize = 3 * 349_525;
/// Checkpoints read per query.
const CHECKPOINT_PAGE: usize = 1_000;

/// The chunks of a bundle of the whole log.
pub(super) fn stream(
    audit: Audit,
    caller: app::Principal,
) -> impl futures_util::Stream<Item = Result<pb::ExportBundleResponse, Status>> + Send {
    let (tx, rx) = mpsc::channel(4);
    tokio::spawn(async move {
        let mut writer = BundleWriter::new(tx.clone());
        if let Err(status) = write_bundle(&audit, &caller, &mut writer).await {
            let _ = tx.send(Err(status)).await;
        }
    });
    futures_util::stream::unfold(rx, |mut rx| async move {
        rx.recv().await.map(|item| (item, rx))
    })
}

fn internal(error: impl std::error::Error + Send + Sync + 'static) -> Status {
    from_app_error(app::Error::Internal {
        source: Box::new(error),
    })
}

/// The archive being written, the manifest's list, and where the chunks go.
struct BundleWriter {
    tar: tar::Builder<Vec<u8>>,
    listed: Vec<ManifestFile>,
    tx: mpsc::Sender<Result<pb::ExportBundleResponse, Status>>,
    mtime: u64,
}

impl BundleWriter {
    fn new(tx: mpsc::Sender<Result<pb::ExportBundleResponse, Status>>) -> BundleWriter {
        let mtime = crate::clock::unix_seconds();
        BundleWriter {
            tar: tar::Builder::new(Vec::new()),
            listed: Vec::new(),
            tx,
            mtime,
        }
    }

    /// Appends one file and sends what the archive holds so far.
    async fn file(&mut self, name: &str, bytes: &[u8], list: bool) -> Result<(), Status> {
        let mut header = tar::Header::new_ustar();
        header.set_size(bytes.len() as u64);
        header.set_mode(0o644);
        header.set_mtime(self.mtime);
        header.set_entry_type(tar::EntryType::Regular);
        self.tar
            .append_data(&mut header, name, bytes)
            .map_err(internal)?;
        if list {
            self.listed.push(ManifestFile {
                name: name.to_owned(),
                sha256: hex::encode(Sha256::digest(bytes)),
                bytes: bytes.len() as u64,
            });
        }
        self.flush(false).await
    }

    /// Sends what the archive holds so far; unless `last`, a remainder of up to 2 bytes waits for
    /// the next file so every chunk but the last stays a multiple of 3.
    async fn flush(&mut self, last: bool) -> Result<(), Status> {
        let buffer = self.tar.get_mut();
        let sendable = if last {
            buffer.len()
        } else {
            buffer.len() - buffer.len() % 3
        };
        let rest = buffer.split_off(sendable);
        let pending = std::mem::replace(buffer, rest);
        for chunk in pending.chunks(CHUNK_BYTES) {
            let message = pb::ExportBundleResponse {
                chunk: chunk.to_vec(),
            };
            // A receiver that hung up wants no more; stop quietly.
            if self.tx.send(Ok(message)).await.is_err() {
                return Err(crate::status::cancelled(
                    "the client stopped reading the bundle",
                ));
            }
        }
        Ok(())
    }

    async fn finish(&mut self) -> Result<(), Status> {
        self.tar.finish().map_err(internal)?;
        self.flush(true).await
    }
}

fn json_line(out: &mut Vec<u8>, value: &impl serde::Serialize) -> Result<(), Status> {
    serde_json::to_writer(&mut *out, value).map_err(internal)?;
    out.push(b'\n');
    Ok(())
}

async fn write_bundle(
    audit: &Audit,
    caller: &app::Principal,
    writer: &mut BundleWriter,
) -> Result<(), Status> {
    // Sign the head first, so the bundle ends with a checkpoint that covers every event in it. A
    // refusal to sign (the log no longer extends its last checkpoint) does not stop the export:
    // the bundle then shows the auditor exactly where the stored history departs from the signed one.
    if let Err(error) = audit.export_head(caller).await {
        tracing::warn!(%error, "exporting without a checkpoint of the current head");
    }
    let trust_root = audit.trust_root(caller).map_err(from_app_error)?.clone();
    let trust_json = serde_json::to_vec_pretty(&trust_root).map_err(internal)?;
    writer.file(files::TRUST_ROOT, &trust_json, true).await?;

    // Every stored checkpoint, each with the consistency proof from the one before.
    let mut lines = Vec::new();
    let mut previous: Option<u64> = None;
    let mut from = 0u64;
    loop {
        let page = audit
            .export_checkpoints(caller, from, CHECKPOINT_PAGE)
            .await
            .map_err(from_app_error)?;
        let full = page.len() == CHECKPOINT_PAGE;
        for checkpoint in page {
            let proof = match previous {
                // A proof the stored log cannot give (it no longer reaches a signed size) is left
                // empty: the export goes on, and the verifier names where the log falls short.
                Some(first) => match audit
                    .export_consistency(caller, first, checkpoint.tree_size)
                    .await
                {
                    Ok(proof) => proof,
                    Err(error) => {
                        tracing::warn!(%error, first, second = checkpoint.tree_size, "no consistency proof for the export");
                        Vec::new()
                    }
                },
                None => Vec::new(),
            };
            previous = Some(checkpoint.tree_size);
            from = checkpoint.tree_size + 1;
            json_line(
                &mut lines,
                &BundleCheckpoint {
                    tree_size: checkpoint.tree_size,
                    root: checkpoint.root,
                    note: checkpoint.note,
                    key_name: checkpoint.key_name,
                    signed_at_us: checkpoint.signed_at_us,
                    consistency_proof: proof,
                },
            )?;
        }
        if !full {
            break;
        }
    }
    writer.file(files::CHECKPOINTS, &lines, true).await?;
    drop(lines);
    // Events up to the largest checkpoint: if the log holds fewer, the bundle shows it.
    let tree_size = previous.unwrap_or(0);

    let mut event_count = 0u64;
    let mut index = 0u64;
    loop {
        let start = index * files::EVENTS_PER_FILE;
        if start >= tree_size {
            break;
        }
        let end = (start + files::EVENTS_PER_FILE).min(tree_size);
        let records = audit
            .export_events(
                caller,
                start,
                end,
                usize::try_from(end - start).unwrap_or(usize::MAX),
            )
            .await
            .map_err(from_app_error)?;
        if records.is_empty() {
            break;
        }
        let mut body = Vec::with_capacity(records.len() * 512);
        for record in &records {
            json_line(&mut body, record)?;
        }
        event_count += records.len() as u64;
        writer.file(&files::events_file(index), &body, true).await?;
        if (records.len() as u64) < end - start {
            break;
        }
        index += 1;
    }

    let manifest = Manifest {
        format: BUNDLE_FORMAT.to_owned(),
        origin: trust_root.origin.clone(),
        event_count,
        tree_size,
        created_at_us: i64::try_from(writer.mtime)
            .unwrap_or_default()
            .saturating_mul(1_000_000),
        files: std::mem::take(&mut writer.listed),
    };
    let manifest = serde_json::to_vec_pretty(&manifest).map_err(internal)?;
    writer.file(files::MANIFEST, &manifest, false).await?;
    writer.finish().await
}
