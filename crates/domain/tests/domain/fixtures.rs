//! Valid identifiers and ready-made facts shared by the rule tests.

use std::collections::BTreeSet;

use domain::aggregates::batch::{BatchDispatched, MemberAssigned, MemberRole};
use domain::aggregates::pairing::{
    PairingEstablished, PairingFacts, PairingState, ProgramSnapshot,
};
use domain::aggregates::program::{GroupRules, IndicatorSet, ProgramKind, ProgramParameters};
use domain::facts::OnSiteStint;
use domain::values::{
    BatchId, ClinicalDepartment, CreditCode, DeploymentId, DivisionCode, IndicatorCode, PairingId,
    PractitionerId, ProfessionalTitle, ProgramId,
};
use domain::{Event, Stream};
use time::{Date, macros::date};
use uuid::Uuid;

/// A public-institution (12…) credit code registered in `division`, with both check characters right.
pub(crate) fn org(division: &str, n: u32) -> CreditCode {
    CreditCode::complete(&format!("12{division}{n:08}")).unwrap()
}

pub(crate) fn supporting() -> CreditCode {
    org("620000", 1)
}
pub(crate) fn supporting_b() -> CreditCode {
    org("620000", 2)
}
pub(crate) fn recipient() -> CreditCode {
    org("620422", 3)
}
pub(crate) fn outsider() -> CreditCode {
    org("440000", 9)
}

pub(crate) fn division(code: &str) -> DivisionCode {
    DivisionCode::parse(code).unwrap()
}
pub(crate) fn dept(code: &str) -> ClinicalDepartment {
    ClinicalDepartment::parse(code).unwrap()
}
pub(crate) fn person(id: &str) -> PractitionerId {
    PractitionerId::parse(id).unwrap()
}
pub(crate) fn indicator(code: &str) -> IndicatorCode {
    IndicatorCode::parse(code).unwrap()
}

pub(crate) fn program_id() -> ProgramId {
    ProgramId(Uuid::from_u128(1))
}
pub(crate) fn pairing_id() -> PairingId {
    PairingId(Uuid::from_u128(2))
}
pub(crate) fn deployment_id(n: u128) -> DeploymentId {
    DeploymentId(Uuid::from_u128(0x100 + n))
}
pub(crate) fn batch_id(number: u32) -> BatchId {
    BatchId {
        pairing: pairing_id(),
        number,
    }
}

pub(crate) fn parameters() -> ProgramParameters {
    ProgramParameters {
        version: 1,
        min_term_months: 12,
        min_team_size: 5,
        min_senior_members: 1,
        mentor_ratio_max: 2,
        short_visit_max_days: 14,
        indicator_set: IndicatorSet {
            version: "2022.1".to_owned(),
            indicators: vec![
                indicator("new_techniques"),
                indicator("gaps_filled"),
                indicator("surgeries"),
            ],
        },
        group_rules: Some(GroupRules {
            min_hospitals: 3,
            max_hospitals: 4,
            min_staff_lead: 2,
            min_staff_assisting: 1,
        }),
        eligible_counties: None,
    }
}

pub(crate) fn program() -> ProgramSnapshot {
    ProgramSnapshot {
        program_id: program_id(),
        kind: ProgramKind::KeyCountyGroupAid,
        parameters: parameters(),
    }
}

pub(crate) fn pairing_established() -> PairingEstablished {
    PairingEstablished {
        pairing_id: pairing_id(),
        program_id: program_id(),
        program_kind: ProgramKind::KeyCountyGroupAid,
        parameters: parameters(),
        supporting_orgs: vec![supporting(), supporting_b()],
        recipient_org: recipient(),
        parent_pairing_id: None,
        region_codes: vec![division("620422")],
        start: date!(2022 - 01 - 01),
    }
}

pub(crate) fn registered(orgs: &[CreditCode]) -> BTreeSet<CreditCode> {
    orgs.iter().cloned().collect()
}

pub(crate) fn pairing_facts() -> PairingFacts {
    Stream::<PairingState>::from_events(&[Event::from(pairing_established())])
        .state()
        .facts()
        .unwrap()
}

pub(crate) fn batch_dispatched(number: u32) -> BatchDispatched {
    BatchDispatched {
        batch: batch_id(number),
        recipient_org: recipient(),
        leader: Some(person("doc-leader")),
        planned_start: date!(2024 - 07 - 01),
        planned_end: date!(2025 - 06 - 30),
        min_team_size: 5,
        min_senior_members: 1,
    }
}

pub(crate) fn member_assigned(n: u128, who: &str) -> MemberAssigned {
    MemberAssigned {
        batch: batch_id(1),
        deployment_id: deployment_id(n),
        recipient_org: recipient(),
        practitioner: person(who),
        home_org: supporting(),
        title: ProfessionalTitle::ATTENDING_PHYSICIAN,
        specialty: dept("04.05"),
        role: MemberRole::Clinical,
        planned_start: date!(2024 - 07 - 01),
        planned_end: date!(2025 - 06 - 30),
    }
}

pub(crate) fn stint(
    n: u128,
    who: &str,
    hospital: CreditCode,
    arrived: Date,
    departed: Option<Date>,
) -> OnSiteStint {
    OnSiteStint {
        deployment: deployment_id(n),
        practitioner: person(who),
        hospital,
        home_org: supporting(),
        arrived,
        planned_end: date!(2025 - 06 - 30),
        departed,
    }
}
