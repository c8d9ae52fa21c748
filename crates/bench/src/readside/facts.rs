//! The institutional facts of a site: the recipient hospital's card, and the pairing with its group,
//! funding, target agreement and assessment.

use domain::aggregates::agreement::{AgreementKind, AgreementSigned, Target};
use domain::aggregates::assessment::{AssessmentConducted, AssessmentResult, AssessmentSubject};
use domain::aggregates::hospital::{
    CenterCertified, CenterType, HospitalGradeAssessed, HospitalRegistered, ServiceLineOpened,
};
use domain::aggregates::pairing::{
    FundingCommitted, FundingSource, GroupFormed, PairingEstablished,
};
use domain::aggregates::program::{IndicatorSet, ProgramKind};
use domain::values::{
    AgreementId, AssessmentId, BatchId, Count, DivisionCode, GradeClass, GradeLevel, HospitalGrade,
    IndicatorCode, MoneyFen, ProgramId, ReviewKind,
};
use time::macros::date;
use uuid::Uuid;

use super::scenario::{Site, parameters};
use super::world::{Log, dept, org};

const CENTERS: [CenterType; 5] = [
    CenterType::ChestPain,
    CenterType::Stroke,
    CenterType::Trauma,
    CenterType::CriticalMaternal,
    CenterType::CriticalNeonatal,
];

/// Registration, a graded history with a lapse and a rereview, a certified centre and two service
/// lines.
pub(crate) fn hospital(log: &mut Log, site: &Site) -> anyhow::Result<()> {
    let hospital = site.recipient.clone();
    log.push(HospitalRegistered {
        hospital: hospital.clone(),
        name: format!("第{}县人民医院", site.k),
        division: DivisionCode::parse(site.division)?,
        kind: domain::aggregates::hospital::OrganisationKind::Hospital,
        category: Some("A100".into()),
        registered_on: date!(2010 - 01 - 01),
    });
    for (class, review, on, until) in [
        (
            GradeClass::B,
            ReviewKind::Initial,
            date!(2016 - 05 - 01),
            date!(2020 - 12 - 31),
        ),
        (
            GradeClass::A,
            ReviewKind::Rereview,
            date!(2021 - 01 - 10),
            date!(2024 - 12 - 31),
        ),
    ] {
        log.push(HospitalGradeAssessed {
            hospital: hospital.clone(),
            grade: HospitalGrade::new(GradeLevel::Two, Some(class), review, on, Some(until))?,
        });
    }
    log.push(CenterCertified {
        hospital: hospital.clone(),
        center: CENTERS[site.k as usize % CENTERS.len()],
        certifier: "省卫生健康委员会".into(),
        certified_on: date!(2023 - 06 - 01),
        valid_until: Some(date!(2026 - 05 - 31)),
    });
    for (name, department) in [("胸痛门诊", "03.04"), ("血液透析室", "03.06")] {
        log.push(ServiceLineOpened {
            hospital: hospital.clone(),
            name: name.into(),
            department: dept(department)?,
            opened_on: date!(2024 - 04 - 17),
        });
    }
    Ok(())
}

/// The pairing (under its city-level parent), a 1+N对1 group at every fifth site, funding, a target
/// responsibility agreement and the assessment of the first batch against it.
pub(crate) fn pairing(log: &mut Log, site: &Site) -> anyhow::Result<()> {
    log.push(PairingEstablished {
        pairing_id: site.pairing,
        program_id: ProgramId(Uuid::from_u128(1)),
        program_kind: ProgramKind::KeyCountyGroupAid,
        parameters: parameters(),
        supporting_orgs: vec![site.supporting.clone()],
        recipient_org: site.recipient.clone(),
        parent_pairing_id: site.parent,
        region_codes: vec![],
        start: site.start,
    });
    if site.k % 5 == 1 {
        log.push(GroupFormed {
            pairing_id: site.pairing,
            recipient_org: site.recipient.clone(),
            lead_org: site.supporting.clone(),
            assisting_orgs: vec![org("441900", 900 + site.k)?],
            min_staff_lead: 2,
            min_staff_assisting: 1,
            formed_on: site.start,
        });
    }
    log.push(FundingCommitted {
        pairing_id: site.pairing,
        funding_id: site.id(1, 0),
        recipient_org: site.recipient.clone(),
        amount_fen: MoneyFen::from_yuan(1_000_000 + u64::from(site.k) * 1_000),
        source: FundingSource::EastWestCooperationFund,
        purpose: "组团式帮扶".into(),
        date: date!(2022 - 01 - 01),
    });
    let agreement = AgreementId(site.id(2, 0));
    let target = |indicator: &str, n: u64| -> anyhow::Result<Target> {
        Ok(Target {
            indicator: IndicatorCode::parse(indicator)?,
            target: Count::at_least(n),
            due: date!(2024 - 12 - 31),
        })
    };
    log.push(AgreementSigned {
        agreement_id: agreement,
        pairing_id: site.pairing,
        recipient_org: site.recipient.clone(),
        kind: AgreementKind::TargetResponsibility,
        title: "帮扶目标责任书".into(),
        parties: vec![site.supporting.clone(), site.recipient.clone()],
        start: date!(2022 - 12 - 01),
        end: Some(date!(2024 - 11 - 30)),
        indicator_set: IndicatorSet {
            version: "2022".into(),
            indicators: vec![],
        },
        targets: vec![
            target("trainings", 6)?,
            target("new_techniques", 3)?,
            target("research_projects", 1)?,
        ],
    });
    log.push(AssessmentConducted {
        assessment_id: AssessmentId(site.id(3, 0)),
        agreement_id: agreement,
        recipient_org: site.recipient.clone(),
        subject: AssessmentSubject::Batch(BatchId {
            pairing: site.pairing,
            number: 1,
        }),
        period_start: date!(2022 - 12 - 01),
        period_end: date!(2023 - 11 - 30),
        indicator_results: vec![],
        score: Some(80 + site.k % 20),
        result: AssessmentResult::Pass,
        assessor: site.supporting.clone(),
    });
    Ok(())
}
