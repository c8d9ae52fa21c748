//! `medaid.v1.DeploymentService` requests to batch and deployment commands.

use api::medaid::v1 as pb;
use domain::AggregateCommand;

use super::write::{Ids, WriteRpc, plain_rpcs, write_service};
use crate::convert::fields::optional_lines;
use crate::convert::fields::{department, practitioner, title};
use api::medaid::v1::deployment_service_server::DeploymentService;
use app::CommandOutcome;
use domain::Event;
use domain::StreamCommand;
use domain::aggregates::batch::{self, BatchCommand, MemberRole};
use domain::aggregates::deployment::{DeploymentCommand, Post};
use domain::values::{BatchId, DeploymentId, ValidationError, ValueProblem};

use crate::convert::fields::pairing_id;
use crate::convert::fields::{credit_code, date, required_enum, uuid};

fn batch_id(pairing: &str, number: u32) -> Result<BatchId, ValidationError> {
    if number == 0 {
        return Err(ValueProblem::NotPositive.at("batch_number"));
    }
    Ok(BatchId {
        pairing: pairing_id("pairing_id", pairing)?,
        number,
    })
}

fn deployment_id(req_id: &str) -> Result<DeploymentId, ValidationError> {
    uuid("deployment_id", req_id).map(DeploymentId)
}

fn deployment(id: DeploymentId, command: DeploymentCommand) -> AggregateCommand {
    AggregateCommand::Deployment {
        id,
        command: StreamCommand::Act(command),
    }
}

/// `DispatchBatch`.
pub fn dispatch(
    req: &pb::DispatchBatchRequest,
    _: &Ids<'_>,
) -> Result<AggregateCommand, ValidationError> {
    let batch = batch_id(&req.pairing_id, req.batch_number)?;
    let leader = if req.leader.is_empty() {
        None
    } else {
        Some(practitioner("leader", &req.leader)?)
    };
    let event = batch::DispatchBatch {
        batch,
        leader,
        planned_start: date("planned_start", &req.planned_start)?,
        planned_end: date("planned_end", &req.planned_end)?,
    };
    Ok(AggregateCommand::Batch {
        id: batch,
        command: StreamCommand::Act(BatchCommand::Dispatch(event)),
    })
}

/// `AssignMember`: the server assigns the deployment id. The planned term is required here because
/// the domain checks it against the program's minimum term.
pub fn assign(
    req: &pb::AssignMemberRequest,
    ids: &Ids<'_>,
) -> Result<AggregateCommand, ValidationError> {
    let batch = batch_id(&req.pairing_id, req.batch_number)?;
    let role: pb::MemberRole = required_enum("role", req.role)?;
    let role = match role {
        pb::MemberRole::Leader => MemberRole::Leader,
        pb::MemberRole::Management => MemberRole::Management,
        pb::MemberRole::Clinical | pb::MemberRole::Unspecified => MemberRole::Clinical,
    };
    let event = batch::AssignMember {
        batch,
        deployment_id: DeploymentId(ids.derive("deployment")),
        practitioner: practitioner("practitioner", &req.practitioner)?,
        home_org: credit_code("home_org", &req.home_org)?,
        title: title("title", req.title)?,
        specialty: department("specialty", &req.specialty)?,
        role,
        planned_start: date("planned_start", &req.planned_start)?,
        planned_end: date("planned_end", &req.planned_end)?,
    };
    Ok(AggregateCommand::Batch {
        id: batch,
        command: StreamCommand::Act(BatchCommand::AssignMember(event)),
    })
}

/// `RecordMemberArrival`.
pub fn arrive(
    req: &pb::RecordMemberArrivalRequest,
    _: &Ids<'_>,
) -> Result<AggregateCommand, ValidationError> {
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
pub fn appoint(
    req: &pb::AppointMemberToPostRequest,
    _: &Ids<'_>,
) -> Result<AggregateCommand, ValidationError> {
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

/// The optional reason of a term change or departure: at most 500 characters (the proto's limit).
fn reason(value: &str) -> Result<Option<String>, ValidationError> {
    optional_lines("reason", value, 500)
}

/// `ChangeMemberTerm`.
pub fn change_term(
    req: &pb::ChangeMemberTermRequest,
    _: &Ids<'_>,
) -> Result<AggregateCommand, ValidationError> {
    let id = deployment_id(&req.deployment_id)?;
    Ok(deployment(
        id,
        DeploymentCommand::ChangeTerm {
            new_end: date("new_end", &req.new_end)?,
            reason: reason(&req.reason)?,
            decided_on: date("decided_on", &req.decided_on)?,
        },
    ))
}

/// `RecordMemberDeparture`.
pub fn depart(
    req: &pb::RecordMemberDepartureRequest,
    _: &Ids<'_>,
) -> Result<AggregateCommand, ValidationError> {
    let id = deployment_id(&req.deployment_id)?;
    Ok(deployment(
        id,
        DeploymentCommand::Depart {
            departed_on: date("departed_on", &req.departed_on)?,
            reason: reason(&req.reason)?,
        },
    ))
}

plain_rpcs! {
    DispatchBatch(pb::DispatchBatchRequest => DispatchBatchResponse) = dispatch;
    RecordMemberArrival(pb::RecordMemberArrivalRequest => RecordMemberArrivalResponse) = arrive;
    AppointMemberToPost(pb::AppointMemberToPostRequest => AppointMemberToPostResponse) = appoint;
    ChangeMemberTerm(pb::ChangeMemberTermRequest => ChangeMemberTermResponse) = change_term;
}

/// `AssignMember`: answers the deployment id the domain recorded and the team warnings of the
/// batch after the assignment.
pub struct AssignMember;

impl WriteRpc for AssignMember {
    type Request = pb::AssignMemberRequest;
    type Response = pb::AssignMemberResponse;

    fn command(req: &Self::Request, ids: &Ids<'_>) -> Result<AggregateCommand, ValidationError> {
        assign(req, ids)
    }

    fn respond(result: pb::WriteResult, outcome: &CommandOutcome) -> Self::Response {
        let deployment_id = outcome.facts().find_map(|e| match e {
            Event::MemberAssigned(m) => Some(m.deployment_id.to_string()),
            _ => None,
        });
        pb::AssignMemberResponse {
            result: Some(result),
            deployment_id: deployment_id.unwrap_or_default(),
            warnings: outcome
                .warnings
                .iter()
                .map(|w| pb::RuleWarning {
                    reason: w.reason.to_owned(),
                    message: w.message.clone(),
                })
                .collect(),
        }
    }
}

/// `RecordMemberDeparture`: answers the days on site the domain computed.
pub struct RecordMemberDeparture;

impl WriteRpc for RecordMemberDeparture {
    type Request = pb::RecordMemberDepartureRequest;
    type Response = pb::RecordMemberDepartureResponse;

    fn command(req: &Self::Request, ids: &Ids<'_>) -> Result<AggregateCommand, ValidationError> {
        depart(req, ids)
    }

    fn respond(result: pb::WriteResult, outcome: &CommandOutcome) -> Self::Response {
        let on_site_days = outcome.facts().find_map(|e| match e {
            Event::MemberDeparted(d) => Some(d.on_site_days),
            _ => None,
        });
        pb::RecordMemberDepartureResponse {
            result: Some(result),
            on_site_days: on_site_days.unwrap_or_default(),
        }
    }
}

write_service! {
    /// Batches, their members and each member's on-site term.
    DeploymentService for Deployments {
        dispatch_batch => DispatchBatch,
        assign_member => AssignMember,
        record_member_arrival => RecordMemberArrival,
        appoint_member_to_post => AppointMemberToPost,
        change_member_term => ChangeMemberTerm,
        record_member_departure => RecordMemberDeparture,
    }
}
