//! Issue 9 item 10 as a client sees it: a report carries a trainings count with its comparator, the
//! scoreboard shows reported and itemized trainings side by side without adding them, a
//! teleconsultation target gets its actual from the reports, and funding may come from fiscal and
//! social sources together.

use api::medaid::v1 as pb;
use api::medaid::v1::activity_service_client::ActivityServiceClient;
use api::medaid::v1::assessment_service_client::AssessmentServiceClient;
use api::medaid::v1::hospital_service_client::HospitalServiceClient;
use api::medaid::v1::pairing_scoreboard_service_client::PairingScoreboardServiceClient;
use api::medaid::v1::pairing_service_client::PairingServiceClient;
use api::medaid::v1::program_service_client::ProgramServiceClient;
use api::medaid::v1::targets_service_client::TargetsServiceClient;

use crate::common::{TestServer, authed, backends, org, request_id};
use crate::flow::{parameters, register_request};

fn count(value: u64, comparator: pb::CountComparator) -> Option<pb::Count> {
    Some(pb::Count {
        value,
        comparator: comparator.into(),
    })
}

fn last(result: Option<pb::WriteResult>) -> u64 {
    *result
        .expect("a WriteResult")
        .positions
        .last()
        .expect("a position")
}

#[tokio::test]
async fn reports_count_trainings_and_teleconsultations_once() {
    for database in backends() {
        let server = TestServer::start(database.as_deref()).await;
        let t = server.admin_token();
        let channel = server.channel().await;
        let supporter = org("620000", 51);
        let recipient = org("621121", 52);
        let mut hospitals = HospitalServiceClient::new(channel.clone());
        for (code, division) in [(&supporter, "620102"), (&recipient, "621121")] {
            hospitals
                .register_hospital(authed(&t, register_request(code, "通渭测试医院", division)))
                .await
                .unwrap();
        }
        let mut with_teleconsults = parameters(1);
        if let Some(set) = with_teleconsults.indicator_set.as_mut() {
            set.indicators
                .extend(["teleconsults".into(), "trainings".into()]);
        }
        let program = ProgramServiceClient::new(channel.clone())
            .define_program(authed(
                &t,
                pb::DefineProgramRequest {
                    request_id: request_id(),
                    kind: pb::ProgramKind::KeyCountyGroupAid.into(),
                    name: "远程医疗帮扶".into(),
                    parameters: Some(with_teleconsults),
                    defined_on: "2022-01-01".into(),
                    ..Default::default()
                },
            ))
            .await
            .unwrap()
            .into_inner();
        let pairing_id = PairingServiceClient::new(channel.clone())
            .establish_pairing(authed(
                &t,
                pb::EstablishPairingRequest {
                    request_id: request_id(),
                    program_id: program.program_id,
                    supporting_orgs: vec![supporter.clone()],
                    recipient_org: recipient.clone(),
                    region_codes: vec!["621121".into()],
                    start: "2022-03-01".into(),
                    ..Default::default()
                },
            ))
            .await
            .unwrap()
            .into_inner()
            .pairing_id;
        let agreement = AssessmentServiceClient::new(channel.clone())
            .sign_agreement(authed(
                &t,
                pb::SignAgreementRequest {
                    request_id: request_id(),
                    pairing_id: pairing_id.clone(),
                    kind: pb::AgreementKind::TargetResponsibility.into(),
                    title: "帮扶目标责任书".into(),
                    parties: vec![supporter.clone(), recipient.clone()],
                    start: "2023-01-01".into(),
                    targets: vec![
                        pb::Target {
                            indicator: "teleconsults".into(),
                            target: count(40, pb::CountComparator::AtLeast),
                            due: "2023-12-31".into(),
                        },
                        pb::Target {
                            indicator: "trainings".into(),
                            target: count(30, pb::CountComparator::AtLeast),
                            due: "2023-12-31".into(),
                        },
                    ],
                    ..Default::default()
                },
            ))
            .await
            .unwrap()
            .into_inner();

        // The report counts "30余场" trainings and 48 teleconsultations; two trainings are also
        // recorded one by one.
        let mut activity = ActivityServiceClient::new(channel.clone());
        activity
            .report_clinical_activity(authed(
                &t,
                pb::ReportClinicalActivityRequest {
                    request_id: request_id(),
                    pairing_id: pairing_id.clone(),
                    period: "2023".into(),
                    reporter: supporter.clone(),
                    period_start: "2023-01-01".into(),
                    period_end: "2023-12-31".into(),
                    teleconsults: count(48, pb::CountComparator::Exact),
                    trainings: count(30, pb::CountComparator::AtLeast),
                    ..Default::default()
                },
            ))
            .await
            .unwrap();
        for date in ["2023-03-01", "2023-04-01"] {
            activity
                .record_training(authed(
                    &t,
                    pb::RecordTrainingRequest {
                        request_id: request_id(),
                        pairing_id: pairing_id.clone(),
                        period: "2023".into(),
                        topic: "远程会诊规范".into(),
                        mode: pb::TrainingMode::Remote.into(),
                        attendees: count(12, pb::CountComparator::Exact),
                        date: date.into(),
                        ..Default::default()
                    },
                ))
                .await
                .unwrap();
        }
        // 780万元 of fiscal and social funds together, as one commitment.
        let funded = activity
            .commit_funding(authed(
                &t,
                pb::CommitFundingRequest {
                    request_id: request_id(),
                    pairing_id: pairing_id.clone(),
                    amount_fen: 780_000_000,
                    source: pb::FundingSource::FiscalAndSocial.into(),
                    purpose: "支持重点帮扶医院项目建设".into(),
                    date: "2023-06-01".into(),
                    ..Default::default()
                },
            ))
            .await
            .unwrap()
            .into_inner();
        let at = Some(last(funded.result));

        let board = PairingScoreboardServiceClient::new(channel.clone())
            .get_pairing_scoreboard(authed(
                &t,
                pb::GetPairingScoreboardRequest {
                    pairing_id: pairing_id.clone(),
                    min_position: at,
                },
            ))
            .await
            .unwrap()
            .into_inner()
            .scoreboard
            .expect("a scoreboard");
        assert_eq!(board.trainings, 2, "itemized");
        assert_eq!(
            board.reported_trainings,
            count(30, pb::CountComparator::AtLeast),
            "reported, beside the itemized, not added (32)"
        );
        assert_eq!(board.funding_fen, 780_000_000);

        let report = TargetsServiceClient::new(channel.clone())
            .get_agreement_report(authed(
                &t,
                pb::GetAgreementReportRequest {
                    agreement_id: agreement.agreement_id,
                    min_position: at,
                },
            ))
            .await
            .unwrap()
            .into_inner()
            .report
            .expect("a report");
        let rows: Vec<_> = report
            .targets
            .iter()
            .map(|t| (t.indicator.as_str(), t.actual, t.met))
            .collect();
        assert_eq!(
            rows,
            vec![
                (
                    "teleconsults",
                    count(48, pb::CountComparator::Exact),
                    Some(true)
                ),
                // The larger of 2 itemized and at least 30 reported, never 32.
                (
                    "trainings",
                    count(30, pb::CountComparator::AtLeast),
                    Some(true)
                ),
            ]
        );
        server.stop().await;
    }
}
