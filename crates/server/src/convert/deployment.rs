//! `medaid.v1.DeploymentService` requests to batch and deployment commands.

use api::medaid::v1 as pb;
use app::DomainCommand;
use domain::StreamCommand;
use domain::aggregates::batch::{BatchCommand, BatchDispatched, MemberAssigned, MemberRole};
use domain::aggregates::deployment::{DeploymentCommand, Post};
use domain::values::{
    BatchId, ClinicalDepartment, CreditCode, DeploymentId, PractitionerId, ProfessionalTitle,
    ValidationError, ValueProblem,
};

use super::fields::{credit_code, date, derived_uuid, required_enum, uuid};
use super::pairing::pairing_id;

/// A well-formed stand-in for fields the domain fills from the stream it decides on (the recipient
/// of a batch comes from its pairing); what the caller would put there is ignored.
const FILLED_BY_DOMAIN_ORG: &str = "12620422000000035C";

fn filled_org(field: &str) -> Result<CreditCode, ValidationError> {
    CreditCode::parse(FILLED_BY_DOMAIN_ORG).map_err(|problem| problem.at(field))
}

fn batch_id(pairing: &str, number: u32) -> Result<BatchId, ValidationError> {
    if number == 0 {
        return Err(ValueProblem::NotPositive.at("batch_number"));
    }
    Ok(BatchId {
        pairing: pairing_id("pairing_id", pairing)?,
        number,
    })
}

pub fn practitioner(field: &str, value: &str) -> Result<PractitionerId, ValidationError> {
    PractitionerId::parse(value).map_err(|problem| problem.at(field))
}

/// A GB/T 8561 title code.
pub fn title(field: &str, value: u32) -> Result<ProfessionalTitle, ValidationError> {
    let code = u16::try_from(value).map_err(|_| {
        ValueProblem::OutOfRange {
            detail: format!("{value} is not a title code"),
        }
        .at(field)
    })?;
    ProfessionalTitle::try_from(code).map_err(|problem| problem.at(field))
}

/// A clinical department (诊疗科目) code.
pub fn department(field: &str, value: &str) -> Result<ClinicalDepartment, ValidationError> {
    ClinicalDepartment::parse(value).map_err(|problem| problem.at(field))
}

fn deployment_id(req_id: &str) -> Result<DeploymentId, ValidationError> {
    uuid("deployment_id", req_id).map(DeploymentId)
}

fn deployment(id: DeploymentId, command: DeploymentCommand) -> DomainCommand {
    DomainCommand::Deployment {
        id,
        command: StreamCommand::Act(command),
    }
}

/// `DispatchBatch`.
pub fn dispatch(req: &pb::DispatchBatchRequest) -> Result<DomainCommand, ValidationError> {
    let batch = batch_id(&req.pairing_id, req.batch_number)?;
    let leader = if req.leader.is_empty() {
        None
    } else {
        Some(practitioner("leader", &req.leader)?)
    };
    let event = BatchDispatched {
        batch,
        recipient_org: filled_org("pairing_id")?,
        leader,
        planned_start: date("planned_start", &req.planned_start)?,
        planned_end: date("planned_end", &req.planned_end)?,
        min_team_size: 0,
        min_senior_members: 0,
    };
    Ok(DomainCommand::Batch {
        id: batch,
        command: StreamCommand::Act(BatchCommand::Dispatch(event)),
    })
}

/// `AssignMember`: the server assigns the deployment id. The planned term is required here because
/// the domain checks it against the program's minimum term.
pub fn assign(req: &pb::AssignMemberRequest) -> Result<DomainCommand, ValidationError> {
    let batch = batch_id(&req.pairing_id, req.batch_number)?;
    let role: pb::MemberRole = required_enum("role", req.role)?;
    let role = match role {
        pb::MemberRole::Leader => MemberRole::Leader,
        pb::MemberRole::Management => MemberRole::Management,
        pb::MemberRole::Clinical | pb::MemberRole::Unspecified => MemberRole::Clinical,
    };
    let event = MemberAssigned {
        batch,
        deployment_id: DeploymentId(derived_uuid("deployment", &req.request_id)),
        recipient_org: filled_org("pairing_id")?,
        practitioner: practitioner("practitioner", &req.practitioner)?,
        home_org: credit_code("home_org", &req.home_org)?,
        title: title("title", req.title)?,
        specialty: department("specialty", &req.specialty)?,
        role,
        planned_start: date("planned_start", &req.planned_start)?,
        planned_end: date("planned_end", &req.planned_end)?,
    };
    Ok(DomainCommand::Batch {
        id: batch,
        command: StreamCommand::Act(BatchCommand::AssignMember(event)),
    })
}

/// `RecordMemberArrival`.
pub fn arrive(req: &pb::RecordMemberArrivalRequest) -> Result<DomainCommand, ValidationError> {
    let id = deployment_id(&req.deployment_id)?;
    Ok(deployment(
        id,
        DeploymentCommand::Arrive {
            deployment_id: id,
            recipient_org: credit_code("recipient_org", &req.recipient_org)?,
            arrived_on: date("arrived_on", &req.arrived_on)?,
        },
    ))
}

/// `AppointMemberToPost`.
pub fn appoint(req: &pb::AppointMemberToPostRequest) -> Result<DomainCommand, ValidationError> {
    let id = deployment_id(&req.deployment_id)?;
    let post: pb::Post = required_enum("post", req.post)?;
    let post = match post {
        pb::Post::President | pb::Post::Unspecified => Post::President,
        pb::Post::VicePresident => Post::VicePresident,
        pb::Post::DepartmentHead => Post::DepartmentHead,
    };
    let department = if req.department.is_empty() {
        None
    } else {
        Some(department("department", &req.department)?)
    };
    Ok(deployment(
        id,
        DeploymentCommand::AppointToPost {
            post,
            department,
            from: date("from", &req.from)?,
        },
    ))
}

fn optional_text(value: &str) -> Option<String> {
    (!value.trim().is_empty()).then(|| value.to_owned())
}

/// `ChangeMemberTerm`.
pub fn change_term(req: &pb::ChangeMemberTermRequest) -> Result<DomainCommand, ValidationError> {
    let id = deployment_id(&req.deployment_id)?;
    Ok(deployment(
        id,
        DeploymentCommand::ChangeTerm {
            new_end: date("new_end", &req.new_end)?,
            reason: optional_text(&req.reason),
            decided_on: date("decided_on", &req.decided_on)?,
        },
    ))
}

/// `RecordMemberDeparture`.
pub fn depart(req: &pb::RecordMemberDepartureRequest) -> Result<DomainCommand, ValidationError> {
    let id = deployment_id(&req.deployment_id)?;
    Ok(deployment(
        id,
        DeploymentCommand::Depart {
            departed_on: date("departed_on", &req.departed_on)?,
            reason: optional_text(&req.reason),
        },
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_stand_in_org_is_well_formed() {
        assert!(filled_org("x").is_ok());
    }
}
