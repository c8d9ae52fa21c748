//! `medaid.v1.AuditService`: trust root, checkpoints, proofs, events with proofs and export bundles,
//! for auditors and admins, over `app::audit::Audit`.
//!
//! Also the wiring: [`start`] loads the checkpoint key, builds the trust root and starts the
//! background signer; its handle is aborted at shutdown.

mod export;
pub mod keys;

use std::sync::Arc;

use api::medaid::v1 as pb;
use api::medaid::v1::audit_service_server::{AuditService, AuditServiceServer};
use app::audit::{
    Audit, CheckpointSelector, ConsistencyAnswer, EventRef, InclusionAnswer, LeafRef, event_record,
};
use event_store::{CheckpointPolicy, Checkpointer, EventStore, Hash, StoredCheckpoint};
use ledger::format::{PROOF_FORMAT, ProofFile};
use tokio::task::JoinHandle;
use tonic::server::NamedService;
use tonic::service::RoutesBuilder;
use tonic::{Request, Response, Status};

use crate::config::Config;
use crate::convert::event::{event, timestamp};
use crate::services::principal;
use crate::status::from_app_error;

pub use keys::CheckpointKeyError;

/// The running signer and the use cases over it.
pub struct AuditWiring {
    pub audit: Audit,
    pub signer_task: JoinHandle<()>,
}

/// Loads the key, builds the trust root and starts signing checkpoints in the background.
pub fn start(config: &Config, store: &EventStore) -> Result<AuditWiring, CheckpointKeyError> {
    let signer = keys::checkpoint_signer(config)?;
    let trust_root = keys::trust_root(config, &signer);
    let checkpointer = Arc::new(Checkpointer::new(
        store.clone(),
        &config.audit.origin,
        signer,
    ));
    let policy = CheckpointPolicy {
        interval: std::time::Duration::from_millis(config.audit.checkpoint_interval_ms),
        max_events: config.audit.checkpoint_max_events,
    };
    let signer_task = tokio::spawn(checkpointer.clone().run(policy));
    Ok(AuditWiring {
        audit: Audit::new(store.clone(), checkpointer, trust_root),
        signer_task,
    })
}

/// Mounts the service and records its name for health reporting.
pub fn mount(
    builder: &mut RoutesBuilder,
    app: &app::App,
    audit: &Audit,
    max_request_bytes: usize,
    names: &mut Vec<String>,
) {
    let service = AuditHandler {
        app: app.clone(),
        audit: audit.clone(),
    };
    builder
        .add_service(AuditServiceServer::new(service).max_decoding_message_size(max_request_bytes));
    names.push(<AuditServiceServer<AuditHandler> as NamedService>::NAME.to_owned());
}

/// The gRPC handler.
#[derive(Clone)]
pub struct AuditHandler {
    app: app::App,
    audit: Audit,
}

fn invalid(field: &str, message: &str) -> Status {
    from_app_error(app::Error::InvalidArgument {
        field: field.to_owned(),
        reason: "INVALID_FIELD",
        message: message.to_owned(),
    })
}

fn signed(checkpoint: &StoredCheckpoint) -> pb::SignedCheckpoint {
    pb::SignedCheckpoint {
        note: checkpoint.note.clone(),
        tree_size: checkpoint.tree_size,
        root_hash: checkpoint.root.as_bytes().to_vec(),
        key_name: checkpoint.key_name.clone(),
        sign_time: Some(timestamp(checkpoint.signed_at_us)),
    }
}

fn hashes(proof: &[Hash]) -> Vec<Vec<u8>> {
    proof.iter().map(|h| h.as_bytes().to_vec()).collect()
}

fn inclusion(answer: &InclusionAnswer) -> pb::GetInclusionProofResponse {
    pb::GetInclusionProofResponse {
        position: answer.position,
        leaf_hash: answer.leaf_hash.as_bytes().to_vec(),
        tree_size: answer.tree_size,
        hashes: hashes(&answer.proof),
        checkpoint: answer.checkpoint.as_ref().map(signed),
    }
}

fn consistency(answer: &ConsistencyAnswer) -> pb::GetConsistencyProofResponse {
    pb::GetConsistencyProofResponse {
        first_size: answer.first_size,
        second_size: answer.second_size,
        hashes: hashes(&answer.proof),
        first_checkpoint: answer.first_checkpoint.as_ref().map(signed),
        second_checkpoint: answer.second_checkpoint.as_ref().map(signed),
    }
}

/// Microseconds since the Unix epoch of a proto timestamp, refusing one out of range.
fn timestamp_us(field: &str, value: &prost_types::Timestamp) -> Result<i64, Status> {
    let nanos = u32::try_from(value.nanos)
        .ok()
        .filter(|n| *n < 1_000_000_000)
        .ok_or_else(|| invalid(field, "nanos must be between 0 and 999,999,999"))?;
    value
        .seconds
        .checked_mul(1_000_000)
        .and_then(|us| us.checked_add(i64::from(nanos / 1_000)))
        .ok_or_else(|| invalid(field, "the time is out of range"))
}

type BundleStream = std::pin::Pin<
    Box<dyn futures_util::Stream<Item = Result<pb::ExportBundleResponse, Status>> + Send>,
>;

#[tonic::async_trait]
impl AuditService for AuditHandler {
    async fn get_trust_root(
        &self,
        request: Request<pb::GetTrustRootRequest>,
    ) -> Result<Response<pb::GetTrustRootResponse>, Status> {
        let caller = principal(&request)?;
        let root = self.audit.trust_root(&caller).map_err(from_app_error)?;
        let json = serde_json::to_string_pretty(root).map_err(|e| {
            from_app_error(app::Error::Internal {
                source: Box::new(e),
            })
        })?;
        Ok(Response::new(pb::GetTrustRootResponse {
            origin: root.origin.clone(),
            keys: root
                .keys
                .iter()
                .map(|key| pb::CheckpointKey {
                    name: key.name.clone(),
                    verifier_key: key.verifier_key.clone(),
                    valid_from: key.valid_from_us.map(timestamp),
                    valid_until: key.valid_until_us.map(timestamp),
                })
                .collect(),
            leaf_format: root.leaf_format.clone(),
            checkpoint_format: root.checkpoint_format.clone(),
            note_format: root.note_format.clone(),
            bundle_format: root.bundle_format.clone(),
            proof_format: root.proof_format.clone(),
            trust_root_json: json + "\n",
        }))
    }

    async fn get_checkpoint(
        &self,
        request: Request<pb::GetCheckpointRequest>,
    ) -> Result<Response<pb::GetCheckpointResponse>, Status> {
        use pb::get_checkpoint_request::Selector;
        let caller = principal(&request)?;
        let selector = match &request.get_ref().selector {
            None | Some(Selector::Latest(_)) => CheckpointSelector::Latest,
            Some(Selector::CurrentHead(_)) => CheckpointSelector::CurrentHead,
            Some(Selector::TreeSize(size)) => CheckpointSelector::TreeSize(*size),
            Some(Selector::AtOrBefore(time)) => {
                CheckpointSelector::AtOrBefore(timestamp_us("at_or_before", time)?)
            }
        };
        let checkpoint = self
            .audit
            .checkpoint(&caller, selector)
            .await
            .map_err(from_app_error)?;
        Ok(Response::new(pb::GetCheckpointResponse {
            checkpoint: Some(signed(&checkpoint)),
        }))
    }

    async fn get_inclusion_proof(
        &self,
        request: Request<pb::GetInclusionProofRequest>,
    ) -> Result<Response<pb::GetInclusionProofResponse>, Status> {
        use pb::get_inclusion_proof_request::Leaf;
        let caller = principal(&request)?;
        let req = request.get_ref();
        let leaf = match &req.leaf {
            Some(Leaf::Position(position)) => LeafRef::Position(*position),
            Some(Leaf::LeafHash(bytes)) => LeafRef::LeafHash(
                Hash::from_slice(bytes).map_err(|e| invalid("leaf_hash", &e.to_string()))?,
            ),
            None => return Err(invalid("leaf", "one of position or leaf_hash is required")),
        };
        let answer = self
            .audit
            .inclusion(&caller, leaf, req.tree_size)
            .await
            .map_err(from_app_error)?;
        Ok(Response::new(inclusion(&answer)))
    }

    async fn get_consistency_proof(
        &self,
        request: Request<pb::GetConsistencyProofRequest>,
    ) -> Result<Response<pb::GetConsistencyProofResponse>, Status> {
        let caller = principal(&request)?;
        let req = request.get_ref();
        let answer = self
            .audit
            .consistency(&caller, req.first_size, req.second_size)
            .await
            .map_err(from_app_error)?;
        Ok(Response::new(consistency(&answer)))
    }

    async fn get_event_with_proof(
        &self,
        request: Request<pb::GetEventWithProofRequest>,
    ) -> Result<Response<pb::GetEventWithProofResponse>, Status> {
        use pb::get_event_with_proof_request::Event as Which;
        let caller = principal(&request)?;
        let req = request.get_ref();
        let which = match &req.event {
            Some(Which::Position(position)) => EventRef::Position(*position),
            Some(Which::EventId(id)) => EventRef::EventId(
                uuid::Uuid::parse_str(id)
                    .map_err(|_| invalid("event_id", "must be a UUID in hyphenated form"))?,
            ),
            None => return Err(invalid("event", "one of position or event_id is required")),
        };
        let (stored, answer) = self
            .audit
            .event_with_proof(&caller, which, req.tree_size)
            .await
            .map_err(from_app_error)?;
        let feed = self
            .app
            .get_event(&caller, stored.position)
            .await
            .map_err(from_app_error)?;
        let record = event_record(&stored);
        let leaf = record.leaf().map_err(|e| {
            from_app_error(app::Error::Internal {
                source: Box::new(e),
            })
        })?;
        let proof_file = match &answer.checkpoint {
            Some(checkpoint) => {
                let file = ProofFile {
                    format: PROOF_FORMAT.to_owned(),
                    event: record,
                    tree_size: answer.tree_size,
                    inclusion_proof: answer.proof.clone(),
                    checkpoint: checkpoint.note.clone(),
                };
                serde_json::to_string_pretty(&file).map_err(|e| {
                    from_app_error(app::Error::Internal {
                        source: Box::new(e),
                    })
                })? + "\n"
            }
            None => String::new(),
        };
        Ok(Response::new(pb::GetEventWithProofResponse {
            event: Some(event(&feed)),
            leaf,
            proof: Some(inclusion(&answer)),
            proof_file,
        }))
    }

    type ExportBundleStream = BundleStream;

    async fn export_bundle(
        &self,
        request: Request<pb::ExportBundleRequest>,
    ) -> Result<Response<Self::ExportBundleStream>, Status> {
        let caller = principal(&request)?;
        // Refuse callers before the stream starts, so they get the status rather than an empty stream.
        self.audit.trust_root(&caller).map_err(from_app_error)?;
        let stream = export::stream(self.audit.clone(), caller);
        Ok(Response::new(Box::pin(stream)))
    }
}
