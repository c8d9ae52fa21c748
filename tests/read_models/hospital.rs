//! What the hospital became: the capability card and the targets against actuals.

use api::medaid::v1 as pb;
use api::medaid::v1::hospital_capability_service_client::HospitalCapabilityServiceClient;
use api::medaid::v1::targets_service_client::TargetsServiceClient;
use tonic::transport::Channel;

use super::scenario::Recorded;
use crate::common::{authed, huining};

/// The capability card and the targets against actuals.
pub(super) async fn check_hospital(channel: &Channel, t: &str, r: &Recorded) {
    let at = Some(r.last_position);
    let mut capability = HospitalCapabilityServiceClient::new(channel.clone());
    let card = capability
        .get_capability_card(authed(
            t,
            pb::GetCapabilityCardRequest {
                hospital: huining(),
                date: "2024-09-15".into(),
                min_position: at,
            },
        ))
        .await
        .unwrap()
        .into_inner()
        .card
        .expect("a card");
    assert_eq!(
        (card.name.as_str(), card.division.as_str()),
        ("会宁县人民医院", "620422")
    );
    let current = card
        .current_grade
        .as_ref()
        .map(|g| (g.level, g.class, g.valid_until.as_str()));
    let level2 = i32::from(pb::HospitalLevel::HospitalLevel2);
    assert_eq!(
        current,
        Some((level2, i32::from(pb::HospitalClass::A), "2024-06-30"))
    );
    assert!(
        card.grade_expired,
        "valid until 2024-06-30, asked on 2024-09-15"
    );
    assert_eq!(
        card.centers
            .iter()
            .map(|c| (c.center, c.valid))
            .collect::<Vec<_>>(),
        [(i32::from(pb::CenterType::ChestPain), true)]
    );
    assert_eq!(
        card.service_lines
            .iter()
            .map(|l| l.name.as_str())
            .collect::<Vec<_>>(),
        ["肺结节门诊"]
    );
    assert_eq!(card.key_specialties, ["04.05"]);
    // Names beside the codes.
    assert_eq!(card.key_specialty_names, ["胸外科专业"]);
    assert_eq!(
        card.service_lines
            .iter()
            .map(|l| l.department_name.as_str())
            .collect::<Vec<_>>(),
        ["胸外科专业"]
    );
    let expiring = capability
        .list_expiring_grades(authed(
            t,
            pb::ListExpiringGradesRequest {
                expires_by: "2024-12-31".into(),
                min_position: at,
                ..Default::default()
            },
        ))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(
        expiring
            .grades
            .iter()
            .map(|g| g.hospital.as_str())
            .collect::<Vec<_>>(),
        [huining()]
    );
    assert_eq!(
        expiring
            .grades
            .iter()
            .map(|g| g.hospital_name.as_str())
            .collect::<Vec<_>>(),
        ["会宁县人民医院"]
    );

    let mut targets = TargetsServiceClient::new(channel.clone());
    let report = targets
        .get_agreement_report(authed(
            t,
            pb::GetAgreementReportRequest {
                agreement_id: r.agreement_id.clone(),
                min_position: at,
            },
        ))
        .await
        .unwrap()
        .into_inner()
        .report
        .expect("a report");
    assert_eq!(report.recipient_org_name, "会宁县人民医院");
    assert_eq!(
        report.kind,
        i32::from(pb::AgreementKind::TargetResponsibility)
    );
    let target = report.targets.first().expect("one target");
    assert_eq!(target.indicator, "new_techniques");
    assert_eq!(
        (
            target.target.map(|c| c.value),
            target.actual.map(|c| c.value),
            target.met
        ),
        (Some(5), Some(1), Some(false))
    );
    let assessed = report.assessments.first().map(|a| (a.result, a.score));
    assert_eq!(
        assessed,
        Some((i32::from(pb::AssessmentResult::Pass), Some(71)))
    );
    assert_eq!(
        report.term_compliance.map(|c| (c.terms, c.below_minimum)),
        Some((2, 0))
    );
    let listed = targets
        .list_agreement_reports(authed(
            t,
            pb::ListAgreementReportsRequest {
                recipient_org: huining(),
                min_position: at,
                ..Default::default()
            },
        ))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(
        listed
            .reports
            .iter()
            .map(|a| a.agreement_id.as_str())
            .collect::<Vec<_>>(),
        [r.agreement_id.as_str()]
    );
}
