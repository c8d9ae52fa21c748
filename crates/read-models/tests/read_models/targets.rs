//! Targets against actuals: seed 001 (帮扶目标责任书 with 目标管理考核; four trainings).

use domain::aggregates::activity::{ClinicalActivityReported, TrainingDelivered, TrainingMode};
use domain::aggregates::agreement::{AgreementKind, AgreementSigned, Target};
use domain::aggregates::assessment::{AssessmentConducted, AssessmentResult, AssessmentSubject};
use domain::aggregates::program::IndicatorSet;
use domain::aggregates::technique::{Performer, TechniqueCategory, TechniqueIntroduced};
use domain::values::{
    ActivityLedgerId, AgreementId, AssessmentId, BatchId, Count, IndicatorCode, PeriodKey,
    TechniqueKey,
};
use read_models::{PageRequest, targets};
use time::macros::date;
use uuid::Uuid;

use crate::support::{
    Env, arrive, assignment, depart, dept, hospital, on_both, org, pairing, pairing_id, person,
};

async fn maqu_targets_against_actuals(env: Env) {
    let maqu = org("623025", 1);
    let gansu2 = org("620100", 2);
    let ledger = ActivityLedgerId {
        pairing: pairing_id(11),
        period: PeriodKey::parse("2024").unwrap(),
    };
    let target = |indicator: &str, n: u64| Target {
        indicator: IndicatorCode::parse(indicator).unwrap(),
        target: Count::at_least(n),
        due: date!(2024 - 12 - 31),
    };
    let mut events = vec![
        hospital(&maqu, "玛曲县人民医院"),
        pairing(11, vec![gansu2.clone()], &maqu, None, date!(2014 - 01 - 01)),
        AgreementSigned {
            agreement_id: AgreementId(Uuid::from_u128(111)),
            pairing_id: pairing_id(11),
            recipient_org: maqu.clone(),
            kind: AgreementKind::TargetResponsibility,
            title: "帮扶目标责任书".into(),
            parties: vec![gansu2.clone(), maqu.clone()],
            start: date!(2024 - 04 - 16),
            end: Some(date!(2025 - 04 - 15)),
            indicator_set: IndicatorSet {
                version: "2024".into(),
                indicators: vec![],
            },
            targets: vec![
                target("trainings", 4),
                target("new_techniques", 3),
                target("research_projects", 1),
            ],
        }
        .into(),
        AssessmentConducted {
            assessment_id: AssessmentId(Uuid::from_u128(112)),
            agreement_id: AgreementId(Uuid::from_u128(111)),
            recipient_org: maqu.clone(),
            subject: AssessmentSubject::Batch(BatchId {
                pairing: pairing_id(11),
                number: 11,
            }),
            period_start: date!(2024 - 04 - 16),
            period_end: date!(2025 - 04 - 15),
            indicator_results: vec![],
            score: Some(88),
            result: AssessmentResult::Pass,
            assessor: gansu2.clone(),
        }
        .into(),
    ];
    // Four trainings (医保, 急诊, 胸痛中心, 病案质控), one of them before the agreement.
    for (n, on) in [
        date!(2024 - 03 - 01),
        date!(2024 - 04 - 17),
        date!(2024 - 04 - 18),
        date!(2024 - 05 - 01),
        date!(2024 - 06 - 01),
    ]
    .into_iter()
    .enumerate()
    {
        events.push(
            TrainingDelivered {
                ledger: ledger.clone(),
                recipient_org: maqu.clone(),
                training_id: Uuid::from_u128(1200 + n as u128),
                topic: "五大中心创建".into(),
                trainers: vec![person("p-g2-1")],
                mode: TrainingMode::OnSite,
                attendees: Count::exact(30),
                date: on,
            }
            .into(),
        );
    }
    for key in ["thrombolysis", "pci_referral"] {
        events.push(
            TechniqueIntroduced {
                hospital: maqu.clone(),
                technique: TechniqueKey::parse(key).unwrap(),
                name: key.into(),
                procedure_code: None,
                department: dept("20"),
                first_performed_on: date!(2024 - 08 - 01),
                performer: Performer::OnSiteMember(person("p-g2-1")),
                category: TechniqueCategory::NewTechnique,
            }
            .into(),
        );
    }
    let a = assignment(
        11,
        11,
        1101,
        &maqu,
        "p-g2-1",
        &gansu2,
        232,
        "20",
        date!(2024 - 04 - 16),
        date!(2025 - 04 - 15),
    );
    let b = assignment(
        11,
        11,
        1102,
        &maqu,
        "p-g2-2",
        &gansu2,
        233,
        "03.04",
        date!(2024 - 04 - 16),
        date!(2025 - 04 - 15),
    );
    events.extend(arrive(&a, date!(2024 - 04 - 16)));
    events.extend(arrive(&b, date!(2024 - 04 - 16)));
    events.push(depart(&b, date!(2024 - 08 - 31), true));
    env.append(events).await;

    let (prefix, position) = env.active("targets_actuals");
    let report = targets::agreement(
        env.pool(),
        &prefix,
        position,
        &AgreementId(Uuid::from_u128(111)).to_string(),
    )
    .await
    .unwrap()
    .value
    .unwrap();
    assert_eq!(report.recipient_org_name, "玛曲县人民医院");
    let rows: Vec<(&str, Option<u64>, Option<bool>)> = report
        .targets
        .iter()
        .map(|t| (t.indicator.as_str(), t.actual.map(|a| a.value), t.met))
        .collect();
    assert_eq!(
        rows,
        vec![
            ("trainings", Some(4), Some(true)),
            ("new_techniques", Some(2), Some(false)),
            ("research_projects", None, None)
        ]
    );
    assert!(report.targets[0].target.at_least);
    assert_eq!(report.assessments.len(), 1);
    assert_eq!(
        (report.assessments[0].result, report.assessments[0].score),
        (AssessmentResult::Pass, Some(88))
    );
    assert_eq!(
        report.term_compliance,
        targets::TermCompliance {
            terms: 2,
            below_minimum: 1
        }
    );

    let listed = targets::agreements_of(
        env.pool(),
        &prefix,
        position,
        &maqu.to_string(),
        &PageRequest::first(5),
    )
    .await
    .unwrap();
    assert_eq!(listed.items, vec![report]);
}
on_both!(maqu_targets_against_actuals);

/// A clinical activity report of `recipient` on pairing 12 for the year ending `end`.
fn report_of(
    recipient: &domain::values::CreditCode,
    reporter: &domain::values::CreditCode,
    end: time::Date,
    n: u128,
    teleconsults: Count,
    trainings: Option<Count>,
) -> domain::Event {
    ClinicalActivityReported {
        ledger: ActivityLedgerId {
            pairing: pairing_id(12),
            period: PeriodKey::parse(&end.year().to_string()).unwrap(),
        },
        recipient_org: recipient.clone(),
        report_id: Uuid::from_u128(1300 + n),
        reporter: reporter.clone(),
        period_start: end.replace_year(end.year() - 1).unwrap(),
        period_end: end,
        surgeries: None,
        critical_rescues: None,
        outreach_clinics: None,
        patients_served: None,
        teleconsults: Some(teleconsults),
        trainings,
    }
    .into()
}

async fn reported_teleconsults_and_trainings_are_actuals(env: Env) {
    // Issue 9 item 10: a target on teleconsultations gets its actual from the reports, and a
    // target on trainings the larger of the trainings itemized and those a report counts.
    let recipient = org("623026", 1);
    let supporter = org("620100", 3);
    let target = |indicator: &str, n: u64| Target {
        indicator: IndicatorCode::parse(indicator).unwrap(),
        target: Count::at_least(n),
        due: date!(2024 - 12 - 31),
    };
    let mut events = vec![
        pairing(
            12,
            vec![supporter.clone()],
            &recipient,
            None,
            date!(2023 - 01 - 01),
        ),
        AgreementSigned {
            agreement_id: AgreementId(Uuid::from_u128(121)),
            pairing_id: pairing_id(12),
            recipient_org: recipient.clone(),
            kind: AgreementKind::TargetResponsibility,
            title: "帮扶目标责任书".into(),
            parties: vec![supporter.clone(), recipient.clone()],
            start: date!(2024 - 01 - 01),
            end: Some(date!(2024 - 12 - 31)),
            indicator_set: IndicatorSet {
                version: "2024".into(),
                indicators: vec![],
            },
            targets: vec![target("teleconsults", 40), target("trainings", 6)],
        }
        .into(),
        // In the window: 48 teleconsultations and "at least 6" trainings reported.
        report_of(
            &recipient,
            &supporter,
            date!(2024 - 06 - 30),
            1,
            Count::exact(48),
            Some(Count::at_least(6)),
        ),
        // After the due day: not counted.
        report_of(
            &recipient,
            &supporter,
            date!(2025 - 06 - 30),
            2,
            Count::exact(100),
            None,
        ),
    ];
    // Four trainings recorded one by one; the report's "at least 6" may include them.
    for n in 0..4u128 {
        events.push(
            TrainingDelivered {
                ledger: ActivityLedgerId {
                    pairing: pairing_id(12),
                    period: PeriodKey::parse("2024").unwrap(),
                },
                recipient_org: recipient.clone(),
                training_id: Uuid::from_u128(1400 + n),
                topic: "远程会诊规范".into(),
                trainers: vec![],
                mode: TrainingMode::Remote,
                attendees: Count::exact(12),
                date: date!(2024 - 05 - 01),
            }
            .into(),
        );
    }
    env.append(events).await;
    let (prefix, position) = env.active("targets_actuals");
    let report = targets::agreement(
        env.pool(),
        &prefix,
        position,
        &AgreementId(Uuid::from_u128(121)).to_string(),
    )
    .await
    .unwrap()
    .value
    .unwrap();
    let rows: Vec<_> = report
        .targets
        .iter()
        .map(|t| {
            (
                t.indicator.as_str(),
                t.actual.map(|a| (a.value, a.at_least)),
                t.met,
            )
        })
        .collect();
    assert_eq!(
        rows,
        vec![
            ("teleconsults", Some((48, false)), Some(true)),
            // max(4 itemized, at least 6 reported), never 10.
            ("trainings", Some((6, true)), Some(true)),
        ]
    );
}
on_both!(reported_teleconsults_and_trainings_are_actuals);
