//! `medaid.v1.CollaborationService` requests to alliance, platform and advanced-study commands.

use api::medaid::v1 as pb;
use domain::AggregateCommand;

use super::write::{Ids, created_rpcs, plain_rpcs, write_service};
use api::medaid::v1::collaboration_service_server::CollaborationService;
use domain::StreamCommand;
use domain::aggregates::alliance::{
    AllianceCommand, AllianceFormed, AllianceMember, MembershipChange, Tier, check_sub_code,
};
use domain::aggregates::platform::{PlatformCommand, PlatformEstablished, PlatformKind};
use domain::aggregates::study::{AdvancedStudyStarted, StudyCommand};
use domain::values::{AllianceId, PlatformId, StudyId, ValidationError, ValueProblem};

use crate::convert::fields::{credit_code, date, required, required_enum, uuid};
use crate::convert::fields::{credit_codes, pairing_id};
use crate::convert::fields::{department, practitioner};
use crate::convert::fields::{entries_1_to, text_at_most};

fn member(field: &str, m: &pb::AllianceMember) -> Result<AllianceMember, ValidationError> {
    let tier = match pb::AllianceTier::try_from(m.tier) {
        Ok(pb::AllianceTier::City) => Some(Tier::City),
        Ok(pb::AllianceTier::County) => Some(Tier::County),
        Ok(pb::AllianceTier::Township) => Some(Tier::Township),
        Ok(pb::AllianceTier::Village) => Some(Tier::Village),
        Ok(pb::AllianceTier::Unspecified) => None,
        Err(_) => {
            return Err(ValueProblem::OutOfRange {
                detail: format!("{} is not a known tier", m.tier),
            }
            .at(format!("{field}.tier")));
        }
    };
    Ok(AllianceMember {
        org: credit_code(&format!("{field}.org"), &m.org)?,
        tier,
    })
}

/// `StartAdvancedStudyRequest.cohort`: optional, at most 64 characters from `[A-Za-z0-9_.:@-]`.
fn cohort(value: &str) -> Result<Option<String>, ValidationError> {
    if value.is_empty() {
        return Ok(None);
    }
    let length = value.chars().count();
    if length > 64 {
        return Err(ValueProblem::TooLong {
            max: 64,
            actual: length,
        }
        .at("cohort"));
    }
    if let Some((at, c)) = value
        .chars()
        .enumerate()
        .find(|(_, c)| !(c.is_ascii_alphanumeric() || "_.:@-".contains(*c)))
    {
        return Err(ValueProblem::OutOfRange {
            detail: format!(
                "character {} (U+{:04X}) is not one of [A-Za-z0-9_.:@-]",
                at + 1,
                u32::from(c)
            ),
        }
        .at("cohort"));
    }
    Ok(Some(value.to_owned()))
}

/// `FormAlliance`: the server assigns the alliance id.
pub fn form_alliance(
    req: &pb::FormAllianceRequest,
    ids: &Ids<'_>,
) -> Result<AggregateCommand, ValidationError> {
    let id = AllianceId(ids.derive("alliance"));
    entries_1_to("members", &req.members, 500)?;
    let members = req
        .members
        .iter()
        .enumerate()
        .map(|(i, m)| member(&format!("members[{i}]"), m))
        .collect::<Result<Vec<_>, _>>()?;
    let specialty_name = match req.specialty_name.as_str() {
        "" => None,
        name => Some(text_at_most("specialty_name", name, 50)?),
    };
    let specialty_sub_code = match req.specialty_sub_code.as_str() {
        "" => None,
        code => {
            check_sub_code("specialty_sub_code", code)?;
            Some(code.to_owned())
        }
    };
    let event = AllianceFormed {
        alliance_id: id,
        specialty: department("specialty", &req.specialty)?,
        specialty_name,
        specialty_sub_code,
        lead_org: credit_code("lead_org", &req.lead_org)?,
        members,
        formed_on: date("formed_on", &req.formed_on)?,
        plaque_awarded: req.plaque_awarded,
    };
    Ok(AggregateCommand::Alliance {
        id,
        command: StreamCommand::Act(AllianceCommand::Form(event)),
    })
}

/// `ChangeAllianceMembership`.
pub fn change_membership(
    req: &pb::ChangeAllianceMembershipRequest,
    _: &Ids<'_>,
) -> Result<AggregateCommand, ValidationError> {
    let id = AllianceId(uuid("alliance_id", &req.alliance_id)?);
    let change: pb::MembershipChange = required_enum("change", req.change)?;
    let change = match change {
        pb::MembershipChange::Joined | pb::MembershipChange::Unspecified => {
            MembershipChange::Joined
        }
        pb::MembershipChange::Left => MembershipChange::Left,
    };
    Ok(AggregateCommand::Alliance {
        id,
        command: StreamCommand::Act(AllianceCommand::ChangeMembership {
            member: member("member", required("member", req.member.as_ref())?)?,
            change,
            date: date("date", &req.date)?,
        }),
    })
}

/// `EstablishPlatform`: the server assigns the platform id.
pub fn establish_platform(
    req: &pb::EstablishPlatformRequest,
    ids: &Ids<'_>,
) -> Result<AggregateCommand, ValidationError> {
    let id = PlatformId(ids.derive("platform"));
    let kind: pb::PlatformKind = required_enum("kind", req.kind)?;
    let kind = match kind {
        pb::PlatformKind::CoBuiltDepartment | pb::PlatformKind::Unspecified => {
            PlatformKind::CoBuiltDepartment
        }
        pb::PlatformKind::TrainingBase => PlatformKind::TrainingBase,
        pb::PlatformKind::FamousDoctorStation => PlatformKind::FamousDoctorStation,
        pb::PlatformKind::CoachingStudio => PlatformKind::CoachingStudio,
        pb::PlatformKind::TeleconsultationCenter => PlatformKind::TeleconsultationCentre,
        pb::PlatformKind::ContinuingEducationBranch => PlatformKind::ContinuingEducationBranch,
        pb::PlatformKind::DemonstrationSite => PlatformKind::DemonstrationSite,
    };
    let specialty = if req.specialty.is_empty() {
        None
    } else {
        Some(department("specialty", &req.specialty)?)
    };
    let event = PlatformEstablished {
        platform_id: id,
        pairing_id: pairing_id("pairing_id", &req.pairing_id)?,
        kind,
        name: text_at_most("name", &req.name, 100)?,
        host_org: credit_code("host_org", &req.host_org)?,
        partners: credit_codes("partners", &req.partners)?,
        specialty,
        established_on: date("established_on", &req.established_on)?,
    };
    Ok(AggregateCommand::Platform {
        id,
        command: StreamCommand::Act(PlatformCommand::Establish(event)),
    })
}

/// `StartAdvancedStudy`: the server assigns the study id.
pub fn start_study(
    req: &pb::StartAdvancedStudyRequest,
    ids: &Ids<'_>,
) -> Result<AggregateCommand, ValidationError> {
    let id = StudyId(ids.derive("study"));
    let event = AdvancedStudyStarted {
        study_id: id,
        trainee: practitioner("trainee", &req.trainee)?,
        trainee_org: credit_code("trainee_org", &req.trainee_org)?,
        host_org: credit_code("host_org", &req.host_org)?,
        department: department("department", &req.department)?,
        start: date("start", &req.start)?,
        planned_end: date("planned_end", &req.planned_end)?,
        cohort: cohort(&req.cohort)?,
    };
    Ok(AggregateCommand::Study {
        id,
        command: StreamCommand::Act(StudyCommand::Start(event)),
    })
}

/// `CompleteAdvancedStudy`.
pub fn complete_study(
    req: &pb::CompleteAdvancedStudyRequest,
    _: &Ids<'_>,
) -> Result<AggregateCommand, ValidationError> {
    Ok(AggregateCommand::Study {
        id: StudyId(uuid("study_id", &req.study_id)?),
        command: StreamCommand::Act(StudyCommand::Complete {
            completed_on: date("completed_on", &req.completed_on)?,
        }),
    })
}

plain_rpcs! {
    ChangeAllianceMembership(pb::ChangeAllianceMembershipRequest => ChangeAllianceMembershipResponse) = change_membership;
    CompleteAdvancedStudy(pb::CompleteAdvancedStudyRequest => CompleteAdvancedStudyResponse) = complete_study;
}

created_rpcs! {
    FormAlliance(pb::FormAllianceRequest => FormAllianceResponse.alliance_id) = form_alliance;
    EstablishPlatform(pb::EstablishPlatformRequest => EstablishPlatformResponse.platform_id) = establish_platform;
    StartAdvancedStudy(pb::StartAdvancedStudyRequest => StartAdvancedStudyResponse.study_id) = start_study;
}

write_service! {
    /// Alliances, platforms and advanced studies.
    CollaborationService for Collaborations {
        form_alliance => FormAlliance,
        change_alliance_membership => ChangeAllianceMembership,
        establish_platform => EstablishPlatform,
        start_advanced_study => StartAdvancedStudy,
        complete_advanced_study => CompleteAdvancedStudy,
    }
}
