//! What a write use case takes and returns: a domain command aimed at one stream, and what it recorded.

use std::ops::Range;

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
use domain::{CorrectionError, Event, RuleWarning, StreamCommand};
use time::Date;
use uuid::Uuid;

use crate::error::Error;

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

    /// The same command as a correction of the fact at `version` of `target` (the API's
    /// `correction` field): the aggregate re-records the command as the stream stood before that
    /// fact. The command must write to `target` (`CORRECTION_CHANGES_STREAM` otherwise).
    pub fn into_correction(
        self,
        target: &str,
        version: u64,
        reason: String,
    ) -> Result<DomainCommand, Error> {
        let found = self.stream_id();
        if found != target {
            let error = CorrectionError::ChangesStream {
                expected: target.to_owned(),
                found,
            };
            return Err(Error::from_domain(&error.into(), target));
        }
        fn correct<C>(command: StreamCommand<C>, version: u64, reason: String) -> StreamCommand<C> {
            match command {
                StreamCommand::Act(command) => StreamCommand::CorrectWith {
                    version,
                    command,
                    reason,
                },
                other => other,
            }
        }
        macro_rules! each {
            ($($variant:ident),*) => {
                match self {
                    $( DomainCommand::$variant { id, command } => DomainCommand::$variant {
                        id,
                        command: correct(command, version, reason),
                    }, )*
                }
            };
        }
        Ok(each!(
            Program, Pairing, Agreement, Batch, Deployment, Mentorship, Technique, Gap, Hospital,
            Alliance, Platform, Study, Activity, Assessment
        ))
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
    /// Where the fact came from and the documents supporting it, stored with every event written.
    pub provenance: Provenance,
    /// The recording date in China Standard Time, from the server's clock: the domain has none.
    pub today: Date,
}

/// `RecordContext.source` and `evidence`, validated by the server.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Provenance {
    /// `manual`, `platform` or `bulk`; `None` when the caller did not say.
    pub source: Option<String>,
    pub evidence: Vec<event_store::Evidence>,
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
    /// The RFC 9162 leaf hash of each event, in position order, as the store committed it: with
    /// the positions, the write's receipt (an auditor proves it against a signed checkpoint).
    pub leaf_hashes: Vec<event_store::Hash>,
    pub recorded_at_us: i64,
    /// The id part of the stream id when this write created the stream.
    pub created_id: Option<String>,
    /// True when the request id had been committed before and nothing new was written.
    pub replayed: bool,
    /// The events written (or, for a replay, recorded the first time), in position order: where a
    /// response finds the ids and figures the domain derived (a deployment id, on-site days).
    pub events: Vec<Event>,
    /// Rules the stream does not meet after the write that do not block it (team composition).
    pub warnings: Vec<RuleWarning>,
}

impl CommandOutcome {
    /// The id part of the stream id (after `category-`): the entity written.
    pub fn entity_id(&self) -> &str {
        self.stream_id
            .split_once('-')
            .map_or(self.stream_id.as_str(), |(_, id)| id)
    }

    /// The facts written: each event, or for a correction the fact that replaces its target.
    pub fn facts(&self) -> impl Iterator<Item = &Event> {
        self.events.iter().map(|e| match e {
            Event::EventCorrected(c) => c.replacement.as_ref(),
            other => other,
        })
    }
}
