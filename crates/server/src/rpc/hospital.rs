//! `medaid.v1.HospitalService` requests to hospital commands.

use api::medaid::v1 as pb;
use domain::AggregateCommand;

use super::write::{Ids, plain_rpcs, write_service};
use api::medaid::v1::hospital_service_server::HospitalService;
use domain::StreamCommand;
use domain::aggregates::hospital::{
    CenterCertified, CenterType, HospitalCommand, HospitalGradeAssessed, HospitalRegistered,
    OrganisationKind,
};
use domain::values::{
    GradeClass, GradeLevel, HospitalGrade, HospitalId, ReviewKind, ValidationError, ValueProblem,
};

use crate::convert::fields::text_at_most;
use crate::convert::fields::{
    credit_code, date, division, optional_date, required, required_enum, text,
};

fn act(hospital: HospitalId, command: HospitalCommand) -> AggregateCommand {
    AggregateCommand::Hospital {
        id: hospital,
        command: StreamCommand::Act(command),
    }
}

/// `RegisterHospital`.
pub fn register(
    req: &pb::RegisterHospitalRequest,
    _: &Ids<'_>,
) -> Result<AggregateCommand, ValidationError> {
    let hospital = credit_code("hospital", &req.hospital)?;
    let event = HospitalRegistered {
        hospital: hospital.clone(),
        name: text_at_most("name", &req.name, 100)?,
        division: division("division", &req.division)?,
        kind: OrganisationKind::Hospital,
        category: Some(text("category", &req.category)?),
        registered_on: date("registered_on", &req.registered_on)?,
    };
    Ok(act(HospitalId(hospital), HospitalCommand::Register(event)))
}

/// `RegisterOrganisation`: an organisation that is not a hospital, without a category.
pub fn register_organisation(
    req: &pb::RegisterOrganisationRequest,
    _: &Ids<'_>,
) -> Result<AggregateCommand, ValidationError> {
    let organisation = credit_code("organisation", &req.organisation)?;
    let kind: pb::OrganisationKind = required_enum("kind", req.kind)?;
    let kind = match kind {
        pb::OrganisationKind::HealthCommission => OrganisationKind::HealthCommission,
        pb::OrganisationKind::University => OrganisationKind::University,
        pb::OrganisationKind::Other => OrganisationKind::Other,
        pb::OrganisationKind::Hospital | pb::OrganisationKind::Unspecified => {
            return Err(ValueProblem::OutOfRange {
                detail:
                    "a hospital registers with RegisterHospital, which records its WS 218 category"
                        .to_owned(),
            }
            .at("kind"));
        }
    };
    let event = HospitalRegistered {
        hospital: organisation.clone(),
        name: text_at_most("name", &req.name, 100)?,
        division: division("division", &req.division)?,
        kind,
        category: None,
        registered_on: date("registered_on", &req.registered_on)?,
    };
    Ok(act(
        HospitalId(organisation),
        HospitalCommand::Register(event),
    ))
}

fn grade(grade: &pb::HospitalGrade) -> Result<HospitalGrade, ValidationError> {
    let level: pb::HospitalLevel = required_enum("grade.level", grade.level)?;
    let level = match level {
        pb::HospitalLevel::HospitalLevel1 => GradeLevel::One,
        pb::HospitalLevel::HospitalLevel2 => GradeLevel::Two,
        pb::HospitalLevel::HospitalLevel3 => GradeLevel::Three,
        pb::HospitalLevel::Ungraded | pb::HospitalLevel::Unspecified => GradeLevel::Ungraded,
    };
    let class = match pb::HospitalClass::try_from(grade.class) {
        Ok(pb::HospitalClass::A) => Some(GradeClass::A),
        Ok(pb::HospitalClass::B) => Some(GradeClass::B),
        Ok(pb::HospitalClass::C) => Some(GradeClass::C),
        Ok(pb::HospitalClass::Unspecified) => None,
        Err(_) => {
            return Err(ValueProblem::OutOfRange {
                detail: format!("{} is not a known class", grade.class),
            }
            .at("grade.class"));
        }
    };
    let review: pb::ReviewKind = required_enum("grade.review", grade.review)?;
    let review = match review {
        pb::ReviewKind::Rereview => ReviewKind::Rereview,
        pb::ReviewKind::Initial | pb::ReviewKind::Unspecified => ReviewKind::Initial,
    };
    let assessed_on = date("grade.assessed_on", &grade.assessed_on)?;
    let valid_until = optional_date("grade.valid_until", &grade.valid_until)?;
    HospitalGrade::new(level, class, review, assessed_on, valid_until)
        .map_err(|problem| problem.at("grade"))
}

/// `RecordHospitalGrade`.
pub fn record_grade(
    req: &pb::RecordHospitalGradeRequest,
    _: &Ids<'_>,
) -> Result<AggregateCommand, ValidationError> {
    let hospital = credit_code("hospital", &req.hospital)?;
    let grade = grade(required("grade", req.grade.as_ref())?)?;
    let event = HospitalGradeAssessed {
        hospital: hospital.clone(),
        grade,
    };
    Ok(act(
        HospitalId(hospital),
        HospitalCommand::AssessGrade(event),
    ))
}

/// `RecordCenterCertification`.
pub fn certify_center(
    req: &pb::RecordCenterCertificationRequest,
    _: &Ids<'_>,
) -> Result<AggregateCommand, ValidationError> {
    let hospital = credit_code("hospital", &req.hospital)?;
    let center: pb::CenterType = required_enum("center", req.center)?;
    let center = match center {
        pb::CenterType::ChestPain | pb::CenterType::Unspecified => CenterType::ChestPain,
        pb::CenterType::Stroke => CenterType::Stroke,
        pb::CenterType::Trauma => CenterType::Trauma,
        pb::CenterType::CriticalMaternal => CenterType::CriticalMaternal,
        pb::CenterType::CriticalNeonatal => CenterType::CriticalNeonatal,
    };
    let event = CenterCertified {
        hospital: hospital.clone(),
        center,
        certifier: text("certifier", &req.certifier)?,
        certified_on: date("certified_on", &req.certified_on)?,
        valid_until: optional_date("valid_until", &req.valid_until)?,
    };
    Ok(act(
        HospitalId(hospital),
        HospitalCommand::CertifyCenter(event),
    ))
}

plain_rpcs! {
    RegisterHospital(pb::RegisterHospitalRequest => RegisterHospitalResponse) = register;
    RegisterOrganisation(pb::RegisterOrganisationRequest => RegisterOrganisationResponse) = register_organisation;
    RecordHospitalGrade(pb::RecordHospitalGradeRequest => RecordHospitalGradeResponse) = record_grade;
    RecordCenterCertification(pb::RecordCenterCertificationRequest => RecordCenterCertificationResponse) = certify_center;
}

write_service! {
    /// Hospital and organisation registrations, grades and center certifications.
    HospitalService for Hospitals {
        register_hospital => RegisterHospital,
        register_organisation => RegisterOrganisation,
        record_hospital_grade => RecordHospitalGrade,
        record_center_certification => RecordCenterCertification,
    }
}
