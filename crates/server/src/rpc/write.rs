//! The one write pipeline: every write RPC is a [`WriteRpc`] run by [`Writer::run`].
//!
//! `run` is the single audited place for the fields every write request shares (read through the
//! [`WriteRequest`] accessor that `api` generates from the descriptor, so a new write request cannot
//! skip one): the caller, `request_id`, `expected_version`, `context` (correlation, causation,
//! source and evidence, stored with every event) and `correction`. An RPC only says how its own
//! fields become a domain command and how the outcome becomes its response.
//!
//! # Corrections
//!
//! A request with `correction` set is the corrected fact in full. Its command is re-recorded by the
//! aggregate as the stream stood before the corrected fact (`StreamCommand::CorrectWith`), which
//! checks the rules of `Correction`: the target exists and is a fact, is not retracted, has the type
//! this RPC records, and stays on its stream. The ids a fact derives from its request id (a new
//! stream's id, a deployment id) are derived from the request id that recorded the corrected fact,
//! so the corrected fact keeps them.

use api::medaid::v1::{self as pb, WriteRequest};
use app::{CommandOutcome, CommandRequest, Provenance};
use domain::AggregateCommand;
use domain::values::{SealedPersonalData, ValidationError, ValueProblem};
use tonic::{Request, Response, Status};

use crate::clock::today_in_china;
use crate::convert::event::timestamp;
use crate::convert::fields::{derived_uuid, text};
use crate::services::principal;
use crate::status::{from_app_error, invalid_field};
use crate::telemetry::current_trace_id;

/// One write RPC: its request and response messages, the command its own fields make, and the
/// response built from what the write recorded.
pub trait WriteRpc: Send + Sync + 'static {
    type Request: WriteRequest;
    type Response: Send + 'static;

    /// The domain command for the request's own fields; the ids it creates come from `ids`.
    fn command(req: &Self::Request, ids: &Ids<'_>) -> Result<AggregateCommand, ValidationError>;

    /// The response: the `WriteResult` and whatever the domain answered (`outcome`).
    fn respond(result: pb::WriteResult, outcome: &CommandOutcome) -> Self::Response;

    /// The personal data the request carries (a practitioner's registration), validated: it is
    /// sealed under the practitioner's key before `command` sees it (as [`Ids::sealed`]), and the
    /// request digest covers it only through the key. `None` for every other request.
    fn personal(_req: &Self::Request) -> Result<Option<Personal<Self::Request>>, ValidationError> {
        Ok(None)
    }
}

/// A request's personal data, whose practitioner it belongs to, and the request without it.
pub struct Personal<R> {
    pub practitioner: domain::values::PractitionerId,
    pub data: domain::values::PersonalData,
    /// The request with the personal fields cleared, for the unkeyed part of the digest.
    pub redacted: R,
}

/// What the server adds to a request's own fields: the ids a write creates (derived from a request
/// id so that a repeat makes the same command), the sealed personal data, the recording date.
pub struct Ids<'a> {
    seed: &'a str,
    sealed: Option<&'a SealedPersonalData>,
    today: time::Date,
}

impl Ids<'_> {
    /// The id of kind `kind` (`"pairing"`, `"deployment"`, …) this write creates.
    pub fn derive(&self, kind: &str) -> uuid::Uuid {
        derived_uuid(kind, self.seed)
    }

    /// The request's personal data ([`WriteRpc::personal`]) as sealed under its practitioner's key.
    pub fn sealed(&self) -> Option<&SealedPersonalData> {
        self.sealed
    }

    /// The recording date in China Standard Time (the day of an erasure).
    pub fn today(&self) -> time::Date {
        self.today
    }
}

/// A sealed value of the right shape, to validate a request's other fields before its personal
/// data is sealed for real (so that a malformed request creates no key).
fn placeholder_seal() -> SealedPersonalData {
    let nothing = domain::values::PersonalData {
        name: String::new(),
        gender: None,
        licence_number: None,
    };
    domain::values::seal(&[0; 32], &[0; 24], "", &nothing)
}

/// Runs write RPCs against the use cases.
#[derive(Clone)]
pub struct Writer {
    app: app::App,
}

impl Writer {
    pub fn new(app: app::App) -> Writer {
        Writer { app }
    }

    /// Authenticates, reads the shared fields, converts, executes and answers one write RPC.
    pub async fn run<R: WriteRpc>(
        &self,
        request: Request<R::Request>,
    ) -> Result<Response<R::Response>, Status> {
        let caller = principal(&request)?;
        let req = request.get_ref();
        let shared = Shared::read(req.header()).map_err(|e| invalid_field(&e))?;
        let seed = match &shared.correction {
            Some(c) => self
                .app
                .correction_seed(&c.stream_id, c.version)
                .await
                .map_err(from_app_error)?,
            None => shared.request_id.clone(),
        };
        let today = today_in_china();
        let invalid = |e: ValidationError| invalid_field(&e);
        let personal = R::personal(req).map_err(invalid)?;
        let (mut command, digest) = match personal {
            None => {
                let ids = Ids {
                    seed: &seed,
                    sealed: None,
                    today,
                };
                (R::command(req, &ids).map_err(invalid)?, content_digest(req))
            }
            Some(personal) => {
                let placeholder = placeholder_seal();
                let trial = Ids {
                    seed: &seed,
                    sealed: Some(&placeholder),
                    today,
                };
                R::command(req, &trial).map_err(invalid)?;
                let sealer = self
                    .app
                    .sealer(&caller, &personal.practitioner)
                    .await
                    .map_err(from_app_error)?;
                let sealed = sealer.seal(&personal.data);
                let ids = Ids {
                    seed: &seed,
                    sealed: Some(&sealed),
                    today,
                };
                let digest = sealer.digest(&content_digest(&personal.redacted), &personal.data);
                (R::command(req, &ids).map_err(invalid)?, digest)
            }
        };
        if let Some(c) = shared.correction {
            command = app::into_correction(command, &c.stream_id, c.version, c.reason)
                .map_err(from_app_error)?;
        }
        let outcome = self
            .app
            .execute(
                &caller,
                CommandRequest {
                    command,
                    request_id: shared.request_id,
                    content_digest: Some(digest),
                    expected_version: shared.expected_version,
                    correlation_id: shared.correlation_id,
                    causation_id: shared.causation_id,
                    trace_id: current_trace_id(),
                    provenance: shared.provenance,
                    today,
                },
            )
            .await
            .map_err(from_app_error)?;
        Ok(Response::new(R::respond(write_result(&outcome), &outcome)))
    }
}

/// The SHA-256 of what makes two requests with one request id the same write (AIP-155): the RPC's
/// request type and the message as the caller sent it, every field but `request_id` and
/// `expected_version` (a retry after reloading the stream may name the newer version). So the
/// command's fields, the target (the ids the request names, or the correction's stream and
/// version) and the provenance (`context`) all count; nothing the server fills (the recording
/// date, the caller, the trace id) does. prost encodes fields in tag order and the API has no map
/// fields, so the same message always encodes to the same bytes, and a field added later encodes to
/// nothing while unset.
fn content_digest<R: WriteRequest>(req: &R) -> String {
    use sha2::{Digest, Sha256};
    let mut hasher = Sha256::new();
    hasher.update(b"medaid-request-content-v1\0");
    hasher.update(R::NAME.as_bytes());
    hasher.update(b"\0");
    hasher.update(req.content().encode_to_vec());
    hex::encode(hasher.finalize())
}

/// The shared fields of one write request, validated.
struct Shared {
    request_id: String,
    expected_version: Option<u64>,
    correlation_id: Option<String>,
    causation_id: Option<String>,
    provenance: Provenance,
    correction: Option<Correction>,
}

struct Correction {
    stream_id: String,
    version: u64,
    reason: String,
}

/// `RecordContext` and `Correction.reason` limits, as `common.proto` states them.
const MAX_EVIDENCE: usize = 20;
const MAX_URI: usize = 2048;
const MAX_REASON: usize = 500;
const MAX_CORRELATION_ID: usize = 128;

impl Shared {
    fn read(header: pb::WriteHeader<'_>) -> Result<Shared, ValidationError> {
        let context = header.context;
        Ok(Shared {
            request_id: request_id(header.request_id)?,
            expected_version: expected_version(header.expected_version),
            correlation_id: context.map(correlation_id).transpose()?.flatten(),
            causation_id: context.map(causation_id).transpose()?.flatten(),
            provenance: context.map(provenance).transpose()?.unwrap_or_default(),
            correction: header.correction.map(correction).transpose()?,
        })
    }
}

/// `request_id`: required, a UUIDv4 in canonical lower-case hyphenated form, as every write request
/// documents it. This is the one place it is checked for every write RPC; the store only checks
/// that an id is printable text.
fn request_id(value: &str) -> Result<String, ValidationError> {
    if value.is_empty() {
        return Err(ValueProblem::Empty.at("request_id"));
    }
    let canonical = uuid::Uuid::try_parse(value).ok().filter(|id| {
        id.get_version() == Some(uuid::Version::Random)
            && id.get_variant() == uuid::Variant::RFC4122
            && id.hyphenated().to_string() == value
    });
    match canonical {
        Some(_) => Ok(value.to_owned()),
        None => Err(ValueProblem::OutOfRange {
            detail: "must be a UUIDv4 in canonical lower-case hyphenated form, such as \
                     7b0c2f1e-2d4e-4c59-9f43-0a6f1b2c3d02"
                .to_owned(),
        }
        .at("request_id")),
    }
}

/// `RecordContext.correlation_id`: optional, recordable text of at most 128 characters.
fn correlation_id(context: &pb::RecordContext) -> Result<Option<String>, ValidationError> {
    let value = &context.correlation_id;
    if value.is_empty() {
        return Ok(None);
    }
    domain::values::check_text("context.correlation_id", value, MAX_CORRELATION_ID)?;
    Ok(Some(value.clone()))
}

/// `RecordContext.causation_id`: optional, the event_id (a UUID) of the event that caused the write.
fn causation_id(context: &pb::RecordContext) -> Result<Option<String>, ValidationError> {
    let value = &context.causation_id;
    if value.is_empty() {
        return Ok(None);
    }
    let id = uuid::Uuid::try_parse(value).map_err(|_| {
        ValueProblem::OutOfRange {
            detail: "not a UUID".to_owned(),
        }
        .at("context.causation_id")
    })?;
    Ok(Some(id.hyphenated().to_string()))
}

fn expected_version(value: Option<&pb::ExpectedVersion>) -> Option<u64> {
    match value.and_then(|v| v.expectation.as_ref()) {
        Some(pb::expected_version::Expectation::Exact(version)) => Some(*version),
        Some(pb::expected_version::Expectation::NoStream(true)) => Some(0),
        Some(pb::expected_version::Expectation::NoStream(false)) | None => None,
    }
}

fn provenance(context: &pb::RecordContext) -> Result<Provenance, ValidationError> {
    let source = match pb::RecordSource::try_from(context.source) {
        Ok(pb::RecordSource::Unspecified) => None,
        Ok(pb::RecordSource::Manual) => Some("manual"),
        Ok(pb::RecordSource::Platform) => Some("platform"),
        Ok(pb::RecordSource::Bulk) => Some("bulk"),
        Err(_) => {
            return Err(ValueProblem::OutOfRange {
                detail: format!("{} is not a known value", context.source),
            }
            .at("context.source"));
        }
    };
    if context.evidence.len() > MAX_EVIDENCE {
        return Err(ValueProblem::OutOfRange {
            detail: format!("at most {MAX_EVIDENCE} entries"),
        }
        .at("context.evidence"));
    }
    let evidence = context
        .evidence
        .iter()
        .enumerate()
        .map(|(i, e)| evidence(&format!("context.evidence[{i}]"), e))
        .collect::<Result<_, _>>()?;
    Ok(Provenance {
        source: source.map(str::to_owned),
        evidence,
    })
}

fn evidence(field: &str, e: &pb::Evidence) -> Result<app::Evidence, ValidationError> {
    domain::values::check_text(&format!("{field}.uri"), &e.uri, MAX_URI)?;
    let sha256 = match e.sha256.len() {
        0 => None,
        32 => Some(e.sha256.iter().map(|b| format!("{b:02x}")).collect()),
        n => {
            return Err(ValueProblem::OutOfRange {
                detail: format!("{n} bytes; a SHA-256 is 32"),
            }
            .at(format!("{field}.sha256")));
        }
    };
    let description = if e.description.is_empty() {
        None
    } else {
        Some(text(&format!("{field}.description"), &e.description)?)
    };
    Ok(app::Evidence {
        uri: e.uri.clone(),
        sha256,
        description,
    })
}

fn correction(c: &pb::Correction) -> Result<Correction, ValidationError> {
    if c.stream_id.is_empty() {
        return Err(ValueProblem::Empty.at("correction.stream_id"));
    }
    if c.stream_version == 0 {
        return Err(ValueProblem::NotPositive.at("correction.stream_version"));
    }
    // An empty reason is the domain's CORRECTION_REASON_MISSING; only the length is checked here.
    if c.reason.chars().count() > MAX_REASON {
        return Err(ValueProblem::OutOfRange {
            detail: format!("at most {MAX_REASON} characters"),
        }
        .at("correction.reason"));
    }
    Ok(Correction {
        stream_id: c.stream_id.clone(),
        version: c.stream_version,
        reason: c.reason.clone(),
    })
}

/// The `WriteResult` of a recorded (or replayed) write.
pub fn write_result(outcome: &CommandOutcome) -> pb::WriteResult {
    pb::WriteResult {
        stream_id: outcome.stream_id.clone(),
        stream_version: outcome.stream_version,
        positions: outcome.positions.clone().collect(),
        event_ids: outcome.event_ids.iter().map(ToString::to_string).collect(),
        recorded_at: Some(timestamp(outcome.recorded_at_us)),
        leaf_hashes: outcome
            .leaf_hashes
            .iter()
            .map(|hash| hash.as_bytes().to_vec())
            .collect(),
    }
}

/// Declares write RPCs whose response is the `WriteResult` alone:
/// `plain_rpcs! { DispatchBatch(pb::DispatchBatchRequest => pb::DispatchBatchResponse) = dispatch; }`
/// where `dispatch(&Request, &Ids) -> Result<AggregateCommand, ValidationError>`.
macro_rules! plain_rpcs {
    ($( $rpc:ident($req:ty => $resp:ident) = $convert:path; )*) => {
        $(
            pub struct $rpc;

            impl $crate::rpc::write::WriteRpc for $rpc {
                type Request = $req;
                type Response = api::medaid::v1::$resp;

                fn command(
                    req: &$req,
                    ids: &$crate::rpc::write::Ids<'_>,
                ) -> Result<domain::AggregateCommand, domain::values::ValidationError> {
                    $convert(req, ids)
                }

                fn respond(
                    result: api::medaid::v1::WriteResult,
                    _: &app::CommandOutcome,
                ) -> api::medaid::v1::$resp {
                    api::medaid::v1::$resp {
                        result: Some(result),
                    }
                }
            }
        )*
    };
}
pub(crate) use plain_rpcs;

/// Declares write RPCs whose response is the `WriteResult` and the id of the stream written (the
/// entity the request created, or for a correction the one it corrected):
/// `created_rpcs! { DefineProgram(pb::DefineProgramRequest => DefineProgramResponse.program_id) = define; }`.
macro_rules! created_rpcs {
    ($( $rpc:ident($req:ty => $resp:ident . $id:ident) = $convert:path; )*) => {
        $(
            pub struct $rpc;

            impl $crate::rpc::write::WriteRpc for $rpc {
                type Request = $req;
                type Response = api::medaid::v1::$resp;

                fn command(
                    req: &$req,
                    ids: &$crate::rpc::write::Ids<'_>,
                ) -> Result<domain::AggregateCommand, domain::values::ValidationError> {
                    $convert(req, ids)
                }

                fn respond(
                    result: api::medaid::v1::WriteResult,
                    outcome: &app::CommandOutcome,
                ) -> api::medaid::v1::$resp {
                    api::medaid::v1::$resp {
                        result: Some(result),
                        $id: outcome.entity_id().to_owned(),
                    }
                }
            }
        )*
    };
}
pub(crate) use created_rpcs;

/// Implements a tonic write service as a table of `method => WriteRpc` rows, each run by
/// [`Writer::run`]. The generated tonic trait makes a missing row fail to compile.
macro_rules! write_service {
    ($(#[$doc:meta])* $service:ident for $name:ident { $( $method:ident => $rpc:ty ),* $(,)? }) => {
        $(#[$doc])*
        #[derive(Clone)]
        pub struct $name($crate::rpc::write::Writer);

        impl $name {
            pub fn new(app: app::App) -> $name {
                $name($crate::rpc::write::Writer::new(app))
            }
        }

        #[tonic::async_trait]
        impl $service for $name {
            $(
                async fn $method(
                    &self,
                    request: tonic::Request<<$rpc as $crate::rpc::write::WriteRpc>::Request>,
                ) -> Result<
                    tonic::Response<<$rpc as $crate::rpc::write::WriteRpc>::Response>,
                    tonic::Status,
                > {
                    self.0.run::<$rpc>(request).await
                }
            )*
        }
    };
}
pub(crate) use write_service;
