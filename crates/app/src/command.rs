//! What a write use case takes and returns: a domain command aimed at one stream, and what it recorded.

use std::ops::Range;

use domain::StreamCommand;
use domain::aggregates::{
    activity::ActivityCommand, agreement::AgreementCommand, alliance::AllianceCommand,
    assessment::AssessmentCommand, batch::BatchCommand, deployment::DeploymentCommand,
    gap::GapCommand, gap::GapKey, hospital::HospitalCommand, mentorship::MentorshipCommand,
    pairing::PairingCommand, platform::PlatformCommand, program::ProgramCommand,
    study::StudyCommand, technique::TechniqueCommand,
};
use domain::values::{
    ActivityLedgerId, AgreementId, AllianceId, AssessmentId, BatchId, DeploymentId, HospitalId,
    MentorshipId, PairingId, PlatformId, ProgramId, StudyId, TechniqueAtHospitalId,
};
use time::Date;
use uuid::Uuid;

/// One command to one aggregate, with the id of the stream it targets.
///
/// The target is explicit because many commands (ending a pairing, a departure) do not name their
/// own stream. For stream-creating commands the server assigns the id (UUIDv7) and puts the same id
/// in the payload; a payload naming another stream is refused by the app as `INVALID_FIELD`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DomainCommand {
    Program {
        id: ProgramId,
        command: StreamCommand<ProgramCommand>,
    },
    Pairing {
        id: PairingId,
        command: StreamCommand<PairingCommand>,
    },
    Agreement {
        id: AgreementId,
        command: StreamCommand<AgreementCommand>,
    },
    Batch {
        id: BatchId,
        command: StreamCommand<BatchCommand>,
    },
    Deployment {
        id: DeploymentId,
        command: StreamCommand<DeploymentCommand>,
    },
    Mentorship {
        id: MentorshipId,
        command: StreamCommand<MentorshipCommand>,
    },
    Technique {
        id: TechniqueAtHospitalId,
        command: StreamCommand<TechniqueCommand>,
    },
    Gap {
        id: GapKey,
        command: StreamCommand<GapCommand>,
    },
    Hospital {
        id: HospitalId,
        command: StreamCommand<HospitalCommand>,
    },
    Alliance {
        id: AllianceId,
        command: StreamCommand<AllianceCommand>,
    },
    Platform {
        id: PlatformId,
        command: StreamCommand<PlatformCommand>,
    },
    Study {
        id: StudyId,
        command: StreamCommand<StudyCommand>,
    },
    Activity {
        id: ActivityLedgerId,
        command: StreamCommand<ActivityCommand>,
    },
    Assessment {
        id: AssessmentId,
        command: StreamCommand<AssessmentCommand>,
    },
}

impl DomainCommand {
    /// The stream the command writes to, `category-id`.
    pub fn stream_id(&self) -> String {
        match self {
            DomainCommand::Program { id, .. } => id.stream_id(),
            DomainCommand::Pairing { id, .. } => id.stream_id(),
            DomainCommand::Agreement { id, .. } => id.stream_id(),
            DomainCommand::Batch { id, .. } => id.stream_id(),
            DomainCommand::Deployment { id, .. } => id.stream_id(),
            DomainCommand::Mentorship { id, .. } => id.stream_id(),
            DomainCommand::Technique { id, .. } => id.stream_id(),
            DomainCommand::Gap { id, .. } => id.stream_id(),
            DomainCommand::Hospital { id, .. } => id.stream_id(),
            DomainCommand::Alliance { id, .. } => id.stream_id(),
            DomainCommand::Platform { id, .. } => id.stream_id(),
            DomainCommand::Study { id, .. } => id.stream_id(),
            DomainCommand::Activity { id, .. } => id.stream_id(),
            DomainCommand::Assessment { id, .. } => id.stream_id(),
        }
    }

    /// The id part of the stream id (after `category-`), returned as `created_id` for a new stream.
    pub fn entity_id(&self) -> String {
        let stream = self.stream_id();
        stream
            .split_once('-')
            .map_or(stream.clone(), |(_, id)| id.to_owned())
    }
}

/// A write request as the server hands it over, after authentication and field validation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommandRequest {
    pub command: DomainCommand,
    /// The caller's idempotency key (AIP-155); a repeat returns the original outcome.
    pub request_id: String,
    /// The stream version the caller read (number of events, 0 = no stream); `None` = decide on
    /// whatever is current, retrying a few times if another write lands in between.
    pub expected_version: Option<u64>,
    pub correlation_id: Option<String>,
    pub causation_id: Option<String>,
    pub trace_id: Option<String>,
    /// The recording date in China Standard Time, from the server's clock: the domain has none.
    pub today: Date,
}

/// What a successful (or repeated) write recorded; everything `medaid.v1.WriteResult` needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommandOutcome {
    pub stream_id: String,
    /// The stream's version after the write: the number of events in it, 1 for its first event.
    pub stream_version: u64,
    /// The global positions written, ascending.
    pub positions: Range<u64>,
    /// The event ids, in position order.
    pub event_ids: Vec<Uuid>,
    pub recorded_at_us: i64,
    /// The id part of the stream id when this write created the stream.
    pub created_id: Option<String>,
    /// True when the request id had been committed before and nothing new was written.
    pub replayed: bool,
}
