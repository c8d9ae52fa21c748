//! `medaid.v1.PractitionerDirectoryService` (`practitioner_directory_service.proto`): the
//! practitioner directory, names opened with each practitioner's key or shown as erased.

use api::medaid::v1 as pb;
use api::medaid::v1::practitioner_directory_service_server::PractitionerDirectoryService;
use read_models::practitioners::{self, Practitioner};
use read_models::{Answer, PageRequest};
use tonic::Status;

use super::enums::optional_wire;
use super::read::answer::day;
use super::read::{GetRpc, ListRpc, read_service};
use crate::convert::fields::practitioner;
use crate::status::invalid_field;

read_service!(PractitionerDirectoryService {
    get_practitioner: get GetPractitioner(GetPractitionerRequest) -> GetPractitionerResponse;
    list_practitioners: list ListPractitioners(ListPractitionersRequest) -> ListPractitionersResponse;
});

impl GetRpc for GetPractitioner {
    type Query = practitioners::GetPractitioner;

    fn query(req: &pb::GetPractitionerRequest) -> Result<Self::Query, Status> {
        let id = practitioner("practitioner", &req.practitioner).map_err(|e| invalid_field(&e))?;
        Ok(practitioners::GetPractitioner {
            practitioner: id.to_string(),
        })
    }

    fn respond(answer: Answer<Practitioner>) -> pb::GetPractitionerResponse {
        pb::GetPractitionerResponse {
            practitioner: Some(entry(&answer.value)),
            position: answer.position,
        }
    }
}

impl ListRpc for ListPractitioners {
    type Item = Practitioner;
    type Query = practitioners::ListPractitioners;

    fn token_key(req: &pb::ListPractitionersRequest) -> Vec<&str> {
        vec![&req.employer]
    }

    fn query(req: &pb::ListPractitionersRequest, page: PageRequest) -> Result<Self::Query, Status> {
        Ok(practitioners::ListPractitioners {
            employer: req.employer.clone(),
            page,
        })
    }

    fn respond(
        items: Vec<Practitioner>,
        next_page_token: String,
        position: u64,
    ) -> pb::ListPractitionersResponse {
        pb::ListPractitionersResponse {
            practitioners: items.iter().map(entry).collect(),
            next_page_token,
            position,
        }
    }
}

/// One directory entry; an erased one has no name, gender or licence number.
fn entry(p: &Practitioner) -> pb::Practitioner {
    let personal = p.personal.as_ref();
    pb::Practitioner {
        practitioner: p.practitioner.clone(),
        name: personal.map(|d| d.name.clone()).unwrap_or_default(),
        gender: optional_wire(practitioners::gender(p)),
        licence_number: personal
            .and_then(|d| d.licence_number.clone())
            .unwrap_or_default(),
        erased: p.erased,
        title: u32::from(p.title),
        title_name: p.title_name.to_owned(),
        department: p.department.clone(),
        department_name: p.department_name.to_owned(),
        employer: p.employer.clone(),
        employer_name: p.employer_name.clone(),
        registered_on: day(p.registered_on),
        erased_on: p.erased_on.map(day).unwrap_or_default(),
    }
}
