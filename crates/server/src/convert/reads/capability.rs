//! The hospital capability card's answers.

use api::medaid::v1 as pb;
use app::read_models::capability::{Card, CenterEntry, GradeEntry, ServiceLine};

use super::tags::{self, CENTER_TYPES, HOSPITAL_CLASSES, HOSPITAL_LEVELS, REVIEW_KINDS};
use super::{day, optional_day};

/// A grade as the write side records it.
pub fn grade(g: &GradeEntry) -> pb::HospitalGrade {
    pb::HospitalGrade {
        level: tags::value(HOSPITAL_LEVELS, &g.level),
        class: tags::optional_value(HOSPITAL_CLASSES, g.class.as_deref()),
        review: tags::value(REVIEW_KINDS, &g.review),
        assessed_on: day(g.assessed_on),
        valid_until: optional_day(g.valid_until),
    }
}

/// A hospital's expiring grade.
pub fn expiring_grade(g: &GradeEntry) -> pb::ExpiringGrade {
    pb::ExpiringGrade {
        hospital: g.hospital.clone(),
        grade: Some(grade(g)),
    }
}

fn center(c: &CenterEntry) -> pb::CenterCertification {
    pb::CenterCertification {
        center: tags::value(CENTER_TYPES, &c.center),
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
    }
}

/// The card of a hospital on a day.
pub fn card(c: &Card) -> pb::CapabilityCard {
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
    }
}
