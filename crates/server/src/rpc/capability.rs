//! `medaid.v1.HospitalCapabilityService` (`capability_service.proto`): a hospital's capability
//! card and the grades due for re-review.

use api::medaid::v1 as pb;
use api::medaid::v1::hospital_capability_service_server::HospitalCapabilityService;
use read_models::capability::{self, Card, CenterEntry, GradeEntry, ServiceLine};
use read_models::{Answer, PageRequest};
use tonic::Status;

use super::enums::{ProtoEnum, optional_wire};
use super::read::answer::{day, day_or_today, optional_day};
use super::read::{GetRpc, ListRpc, read_service};
use crate::status::invalid_field;

read_service!(HospitalCapabilityService {
    get_capability_card: get GetCapabilityCard(GetCapabilityCardRequest) -> GetCapabilityCardResponse;
    list_expiring_grades: list ListExpiringGrades(ListExpiringGradesRequest) -> ListExpiringGradesResponse;
});

impl GetRpc for GetCapabilityCard {
    type Query = capability::CapabilityCard;

    fn query(req: &pb::GetCapabilityCardRequest) -> Result<Self::Query, Status> {
        Ok(capability::CapabilityCard {
            hospital: req.hospital.clone(),
            date: day_or_today("date", &req.date).map_err(|e| invalid_field(&e))?,
        })
    }

    fn respond(answer: Answer<Card>) -> pb::GetCapabilityCardResponse {
        pb::GetCapabilityCardResponse {
            card: Some(card(&answer.value)),
            position: answer.position,
        }
    }
}

impl ListRpc for ListExpiringGrades {
    type Item = GradeEntry;
    type Query = capability::ExpiringGrades;

    fn token_key(req: &pb::ListExpiringGradesRequest) -> Vec<&str> {
        vec![&req.expires_by]
    }

    fn query(
        req: &pb::ListExpiringGradesRequest,
        page: PageRequest,
    ) -> Result<Self::Query, Status> {
        Ok(capability::ExpiringGrades {
            by: day_or_today("expires_by", &req.expires_by).map_err(|e| invalid_field(&e))?,
            page,
        })
    }

    fn respond(
        grades: Vec<GradeEntry>,
        next_page_token: String,
        position: u64,
    ) -> pb::ListExpiringGradesResponse {
        pb::ListExpiringGradesResponse {
            grades: grades.iter().map(expiring_grade).collect(),
            next_page_token,
            position,
        }
    }
}

/// A grade as the write side records it.
fn grade(g: &GradeEntry) -> pb::HospitalGrade {
    pb::HospitalGrade {
        level: g.level.to_wire(),
        class: optional_wire(g.class),
        review: g.review.to_wire(),
        assessed_on: day(g.assessed_on),
        valid_until: optional_day(g.valid_until),
    }
}

/// A hospital's expiring grade.
fn expiring_grade(g: &GradeEntry) -> pb::ExpiringGrade {
    pb::ExpiringGrade {
        hospital: g.hospital.clone(),
        grade: Some(grade(g)),
        hospital_name: g.hospital_name.clone(),
    }
}

fn center(c: &CenterEntry) -> pb::CenterCertification {
    pb::CenterCertification {
        center: c.center.to_wire(),
        certifier: c.certifier.clone(),
        certified_on: day(c.certified_on),
        valid_until: optional_day(c.valid_until),
        valid: c.valid,
    }
}

fn service_line(s: &ServiceLine) -> pb::ServiceLine {
    pb::ServiceLine {
        name: s.name.clone(),
        department: s.department.clone(),
        opened_on: day(s.opened_on),
        department_name: s.department_name.to_owned(),
    }
}

/// The card of a hospital on a day.
fn card(c: &Card) -> pb::CapabilityCard {
    pb::CapabilityCard {
        hospital: c.hospital.clone(),
        name: c.name.clone().unwrap_or_default(),
        division: c.division.clone().unwrap_or_default(),
        grades: c.grades.iter().map(grade).collect(),
        current_grade: c.current_grade.as_ref().map(grade),
        grade_expired: c.grade_expired,
        centers: c.centers.iter().map(center).collect(),
        service_lines: c.service_lines.iter().map(service_line).collect(),
        key_specialties: c.key_specialties.clone(),
        key_specialty_names: c
            .key_specialty_names
            .iter()
            .map(|n| (*n).to_owned())
            .collect(),
    }
}
