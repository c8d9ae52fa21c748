//! `medaid.v1.MentorshipService` requests to mentorship commands.

use api::medaid::v1 as pb;
use domain::AggregateCommand;

use super::write::{Ids, created_rpcs, plain_rpcs, write_service};
use api::medaid::v1::mentorship_service_server::MentorshipService;
use domain::StreamCommand;
use domain::aggregates::mentorship::{
    IndependenceScope, MentorshipCommand, MentorshipPaired, MilestoneKind,
};
use domain::values::{MentorshipId, TechniqueKey, ValidationError, ValueProblem};

use crate::convert::fields::{credit_code, date, required, required_enum, uuid};
use crate::convert::fields::{department, practitioner};

fn act(id: MentorshipId, command: MentorshipCommand) -> AggregateCommand {
    AggregateCommand::Mentorship {
        id,
        command: StreamCommand::Act(command),
    }
}

fn mentorship_id(value: &str) -> Result<MentorshipId, ValidationError> {
    uuid("mentorship_id", value).map(MentorshipId)
}

/// `PairMentorship`: the server assigns the mentorship id.
pub fn pair(
    req: &pb::PairMentorshipRequest,
    ids: &Ids<'_>,
) -> Result<AggregateCommand, ValidationError> {
    let id = MentorshipId(ids.derive("mentorship"));
    let event = MentorshipPaired {
        mentorship_id: id,
        mentor: practitioner("mentor", &req.mentor)?,
        apprentice: practitioner("apprentice", &req.apprentice)?,
        recipient_org: credit_code("recipient_org", &req.recipient_org)?,
        department: department("department", &req.department)?,
        start: date("start", &req.start)?,
        plan: req.plan.clone(),
    };
    Ok(act(id, MentorshipCommand::Pair(event)))
}

/// `HandOverMentorship`.
pub fn hand_over(
    req: &pb::HandOverMentorshipRequest,
    _: &Ids<'_>,
) -> Result<AggregateCommand, ValidationError> {
    Ok(act(
        mentorship_id(&req.mentorship_id)?,
        MentorshipCommand::HandOver {
            to_mentor: practitioner("to_mentor", &req.to_mentor)?,
            date: date("date", &req.date)?,
        },
    ))
}

/// `RecordApprenticeMilestone`.
pub fn milestone(
    req: &pb::RecordApprenticeMilestoneRequest,
    _: &Ids<'_>,
) -> Result<AggregateCommand, ValidationError> {
    let kind: pb::MilestoneKind = required_enum("kind", req.kind)?;
    let kind = match kind {
        pb::MilestoneKind::Lecture | pb::MilestoneKind::Unspecified => MilestoneKind::Lecture,
        pb::MilestoneKind::WardRound => MilestoneKind::WardRound,
        pb::MilestoneKind::SupervisedSurgery => MilestoneKind::SupervisedSurgery,
        pb::MilestoneKind::SimulationDrill => MilestoneKind::SimulationDrill,
        pb::MilestoneKind::SkillsContest => MilestoneKind::SkillsContest,
        pb::MilestoneKind::StudyVisit => MilestoneKind::StudyVisit,
    };
    Ok(act(
        mentorship_id(&req.mentorship_id)?,
        MentorshipCommand::RecordMilestone {
            kind,
            date: date("date", &req.date)?,
        },
    ))
}

/// `DeclareApprenticeIndependent`.
pub fn declare_independent(
    req: &pb::DeclareApprenticeIndependentRequest,
    _: &Ids<'_>,
) -> Result<AggregateCommand, ValidationError> {
    let scope = required("scope", req.scope.as_ref())?;
    let scope = match &scope.scope {
        Some(pb::independence_scope::Scope::Department(code)) => {
            IndependenceScope::Department(department("scope.department", code)?)
        }
        Some(pb::independence_scope::Scope::Technique(key)) => IndependenceScope::Technique(
            TechniqueKey::parse(key).map_err(|p| p.at("scope.technique"))?,
        ),
        None => return Err(ValueProblem::Empty.at("scope")),
    };
    Ok(act(
        mentorship_id(&req.mentorship_id)?,
        MentorshipCommand::DeclareIndependent {
            scope,
            assessor: practitioner("assessor", &req.assessor)?,
            date: date("date", &req.date)?,
        },
    ))
}

plain_rpcs! {
    HandOverMentorship(pb::HandOverMentorshipRequest => HandOverMentorshipResponse) = hand_over;
    RecordApprenticeMilestone(pb::RecordApprenticeMilestoneRequest => RecordApprenticeMilestoneResponse) = milestone;
    DeclareApprenticeIndependent(pb::DeclareApprenticeIndependentRequest => DeclareApprenticeIndependentResponse) = declare_independent;
}

created_rpcs! {
    PairMentorship(pb::PairMentorshipRequest => PairMentorshipResponse.mentorship_id) = pair;
}

write_service! {
    /// Mentorships (师带徒), their handovers, milestones and independence.
    MentorshipService for Mentorships {
        pair_mentorship => PairMentorship,
        hand_over_mentorship => HandOverMentorship,
        record_apprentice_milestone => RecordApprenticeMilestone,
        declare_apprentice_independent => DeclareApprenticeIndependent,
    }
}
