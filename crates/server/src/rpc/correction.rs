//! `medaid.v1.CorrectionService` requests: a retraction aimed at any stream, named by its id.

use api::medaid::v1 as pb;
use app::DomainCommand;

use super::write::{Ids, plain_rpcs, write_service};
use api::medaid::v1::correction_service_server::CorrectionService;
use domain::StreamCommand;
use domain::aggregates::gap::{GapKey, GapLevel, GapRegion};
use domain::values::{
    ActivityLedgerId, AgreementId, AllianceId, AssessmentId, BatchId, DeploymentId, HospitalId,
    MentorshipId, PairingId, PeriodKey, PlatformId, ProgramId, RegionKey, StudyId,
    TechniqueAtHospitalId, TechniqueKey, ValidationError, ValueProblem,
};

use crate::convert::fields::{credit_code, division};

const FIELD: &str = "stream_id";

/// The longest retraction reason (`RetractEventRequest.reason`).
const MAX_REASON: usize = 500;

fn bad(stream_id: &str) -> ValidationError {
    ValueProblem::OutOfRange {
        detail: format!(
            "{} is not the id of a medaid stream",
            domain::values::excerpt(stream_id)
        ),
    }
    .at(FIELD)
}

fn uuid_of(stream_id: &str, id: &str) -> Result<uuid::Uuid, ValidationError> {
    uuid::Uuid::parse_str(id).map_err(|_| bad(stream_id))
}

/// Splits `head.tail` at the first dot.
fn split<'a>(stream_id: &str, id: &'a str) -> Result<(&'a str, &'a str), ValidationError> {
    id.split_once('.').ok_or_else(|| bad(stream_id))
}

fn gap_key(stream_id: &str, id: &str) -> Result<GapKey, ValidationError> {
    let mut parts = id.splitn(3, '.');
    let (Some(level), Some(region), Some(technique)) = (parts.next(), parts.next(), parts.next())
    else {
        return Err(bad(stream_id));
    };
    let division_region = || division(FIELD, region).map(GapRegion::Division);
    let (level, region) = match level {
        "county" => (GapLevel::County, division_region()?),
        "prefecture" => (GapLevel::Prefecture, division_region()?),
        "province" => (GapLevel::Province, division_region()?),
        "custom" => (
            GapLevel::Custom,
            GapRegion::Custom(RegionKey::parse(region).map_err(|p| p.at(FIELD))?),
        ),
        _ => return Err(bad(stream_id)),
    };
    let technique = TechniqueKey::parse(technique).map_err(|p| p.at(FIELD))?;
    GapKey::new(level, region, technique).map_err(|_| bad(stream_id))
}

/// The retraction, before it is typed for the aggregate it targets.
struct Retraction(u64, String);

impl Retraction {
    fn into_command<C>(self) -> StreamCommand<C> {
        StreamCommand::Retract {
            version: self.0,
            reason: self.1,
        }
    }
}

/// `RetractEvent`: withdraws the fact at `stream_version` of `stream_id`.
pub fn retract(
    req: &pb::RetractEventRequest,
    _: &Ids<'_>,
) -> Result<DomainCommand, ValidationError> {
    let sid = req.stream_id.as_str();
    if req.stream_version == 0 {
        return Err(ValueProblem::NotPositive.at("stream_version"));
    }
    let (version, reason) = (req.stream_version, req.reason.clone());
    let command = || Retraction(version, reason.clone());
    domain::values::check_multiline_text("reason", &req.reason, MAX_REASON)?;
    let (category, id) = sid.split_once('-').ok_or_else(|| bad(sid))?;
    let out = match category {
        "program" => DomainCommand::Program {
            id: ProgramId(uuid_of(sid, id)?),
            command: command().into_command(),
        },
        "pairing" => DomainCommand::Pairing {
            id: PairingId(uuid_of(sid, id)?),
            command: command().into_command(),
        },
        "agreement" => DomainCommand::Agreement {
            id: AgreementId(uuid_of(sid, id)?),
            command: command().into_command(),
        },
        "deployment" => DomainCommand::Deployment {
            id: DeploymentId(uuid_of(sid, id)?),
            command: command().into_command(),
        },
        "mentorship" => DomainCommand::Mentorship {
            id: MentorshipId(uuid_of(sid, id)?),
            command: command().into_command(),
        },
        "alliance" => DomainCommand::Alliance {
            id: AllianceId(uuid_of(sid, id)?),
            command: command().into_command(),
        },
        "platform" => DomainCommand::Platform {
            id: PlatformId(uuid_of(sid, id)?),
            command: command().into_command(),
        },
        "study" => DomainCommand::Study {
            id: StudyId(uuid_of(sid, id)?),
            command: command().into_command(),
        },
        "assessment" => DomainCommand::Assessment {
            id: AssessmentId(uuid_of(sid, id)?),
            command: command().into_command(),
        },
        "hospital" => DomainCommand::Hospital {
            id: HospitalId(credit_code(FIELD, id)?),
            command: command().into_command(),
        },
        "batch" => {
            let (pairing, number) = split(sid, id)?;
            DomainCommand::Batch {
                id: BatchId {
                    pairing: PairingId(uuid_of(sid, pairing)?),
                    number: number.parse().map_err(|_| bad(sid))?,
                },
                command: command().into_command(),
            }
        }
        "activity" => {
            let (pairing, period) = split(sid, id)?;
            DomainCommand::Activity {
                id: ActivityLedgerId {
                    pairing: PairingId(uuid_of(sid, pairing)?),
                    period: PeriodKey::parse(period).map_err(|p| p.at(FIELD))?,
                },
                command: command().into_command(),
            }
        }
        "technique" => {
            let (hospital, technique) = split(sid, id)?;
            DomainCommand::Technique {
                id: TechniqueAtHospitalId {
                    hospital: credit_code(FIELD, hospital)?,
                    technique: TechniqueKey::parse(technique).map_err(|p| p.at(FIELD))?,
                },
                command: command().into_command(),
            }
        }
        "gap" => DomainCommand::Gap {
            id: gap_key(sid, id)?,
            command: command().into_command(),
        },
        _ => return Err(bad(sid)),
    };
    // The id must name exactly the stream the caller gave, not a normalised neighbour.
    if out.stream_id() != sid {
        return Err(bad(sid));
    }
    Ok(out)
}

plain_rpcs! {
    RetractEvent(pb::RetractEventRequest => RetractEventResponse) = retract;
}

write_service! {
    /// Retractions of recorded facts.
    CorrectionService for Corrections {
        retract_event => RetractEvent,
    }
}
