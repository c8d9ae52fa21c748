//! `medaid.v1.PractitionerService` (`practitioner_service.proto`): registrations, whose personal
//! fields are sealed under the practitioner's key before the command is built, and changes.

use api::medaid::v1 as pb;
use api::medaid::v1::practitioner_service_server::PractitionerService;
use domain::aggregates::practitioner::{
    ChangePractitioner, PractitionerCommand, PractitionerRegistered,
};
use domain::values::{Gender, PersonalData, PractitionerId, ValidationError, ValueProblem};
use domain::{AggregateCommand, StreamCommand};

use super::enums::ProtoEnum;
use super::write::{Ids, Personal, WriteRpc, write_service};
use crate::convert::fields::{credit_code, date, department, practitioner, title};

fn act(id: PractitionerId, command: PractitionerCommand) -> AggregateCommand {
    AggregateCommand::Practitioner {
        id,
        command: StreamCommand::Act(command),
    }
}

/// The personal fields of a registration, validated.
fn personal_data(req: &pb::RegisterPractitionerRequest) -> Result<PersonalData, ValidationError> {
    let gender = match pb::Gender::try_from(req.gender) {
        Ok(proto) => Gender::from_proto(proto),
        Err(_) => {
            return Err(ValueProblem::OutOfRange {
                detail: format!("{} is not a known value", req.gender),
            }
            .at("gender"));
        }
    };
    let data = PersonalData {
        name: req.name.clone(),
        gender,
        licence_number: (!req.licence_number.is_empty()).then(|| req.licence_number.clone()),
    };
    data.validate()?;
    Ok(data)
}

/// `RegisterPractitioner`.
pub struct RegisterPractitioner;

impl WriteRpc for RegisterPractitioner {
    type Request = pb::RegisterPractitionerRequest;
    type Response = pb::RegisterPractitionerResponse;

    fn command(req: &Self::Request, ids: &Ids<'_>) -> Result<AggregateCommand, ValidationError> {
        let id = practitioner("practitioner", &req.practitioner)?;
        // `Writer::run` seals the personal fields before it asks for the command.
        let personal = ids
            .sealed()
            .cloned()
            .ok_or_else(|| ValueProblem::Empty.at("name"))?;
        let event = PractitionerRegistered {
            practitioner: id.clone(),
            personal,
            title: title("title", req.title)?,
            department: department("department", &req.department)?,
            employer: credit_code("employer", &req.employer)?,
            registered_on: date("registered_on", &req.registered_on)?,
        };
        Ok(act(id, PractitionerCommand::Register(event)))
    }

    fn respond(result: pb::WriteResult, _: &app::CommandOutcome) -> Self::Response {
        pb::RegisterPractitionerResponse {
            result: Some(result),
        }
    }

    fn personal(req: &Self::Request) -> Result<Option<Personal<Self::Request>>, ValidationError> {
        let practitioner = practitioner("practitioner", &req.practitioner)?;
        let data = personal_data(req)?;
        let redacted = pb::RegisterPractitionerRequest {
            name: String::new(),
            gender: 0,
            licence_number: String::new(),
            ..req.clone()
        };
        Ok(Some(Personal {
            practitioner,
            data,
            redacted,
        }))
    }
}

/// `ChangePractitioner`.
pub struct ChangePractitionerRpc;

impl WriteRpc for ChangePractitionerRpc {
    type Request = pb::ChangePractitionerRequest;
    type Response = pb::ChangePractitionerResponse;

    fn command(req: &Self::Request, _: &Ids<'_>) -> Result<AggregateCommand, ValidationError> {
        let id = practitioner("practitioner", &req.practitioner)?;
        use pb::change_practitioner_request::Change;
        let mut change = ChangePractitioner {
            practitioner: id.clone(),
            title: None,
            department: None,
            employer: None,
            changed_on: date("changed_on", &req.changed_on)?,
        };
        match &req.change {
            Some(Change::Title(code)) => change.title = Some(title("title", *code)?),
            Some(Change::Department(code)) => {
                change.department = Some(department("department", code)?);
            }
            Some(Change::Employer(code)) => change.employer = Some(credit_code("employer", code)?),
            None => return Err(ValueProblem::Empty.at("change")),
        }
        Ok(act(id, PractitionerCommand::Change(change)))
    }

    fn respond(result: pb::WriteResult, _: &app::CommandOutcome) -> Self::Response {
        pb::ChangePractitionerResponse {
            result: Some(result),
        }
    }
}

write_service! {
    /// Practitioner registrations and changes.
    PractitionerService for Practitioners {
        register_practitioner => RegisterPractitioner,
        change_practitioner => ChangePractitionerRpc,
    }
}
