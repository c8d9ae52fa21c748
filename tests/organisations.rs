//! Issue 9 item 11 as a client sees it: organisations that are not hospitals register with
//! `RegisterOrganisation` (a kind, no WS 218 category), and a city-to-city pairing (seed 002:
//! 东莞 → 铜仁) joins two health commissions; they have no grade, and one credit code registers once,
//! whichever RPC it used.

use api::medaid::v1 as pb;
use api::medaid::v1::hospital_service_client::HospitalServiceClient;
use api::medaid::v1::pairing_service_client::PairingServiceClient;
use api::medaid::v1::program_service_client::ProgramServiceClient;
use tonic::Code;
use tonic_types::StatusExt;

use crate::common::{TestServer, assert_refused, authed, backends, org, request_id};
use crate::flow::{parameters, register_request};

fn commission(code: &str, name: &str, division: &str) -> pb::RegisterOrganisationRequest {
    pb::RegisterOrganisationRequest {
        request_id: request_id(),
        organisation: code.to_owned(),
        name: name.to_owned(),
        division: division.to_owned(),
        kind: pb::OrganisationKind::HealthCommission.into(),
        registered_on: "2018-01-01".into(),
        ..Default::default()
    }
}

#[tokio::test]
async fn a_city_to_city_pairing_joins_two_health_commissions() {
    for database in backends() {
        let server = TestServer::start(database.as_deref()).await;
        let t = server.admin_token();
        let channel = server.channel().await;
        let mut hospitals = HospitalServiceClient::new(channel.clone());
        let dongguan = org("441900", 20);
        let tongren = org("520600", 22);
        for request in [
            commission(&dongguan, "东莞市卫生健康局", "441900"),
            commission(&tongren, "铜仁市卫生健康局", "520600"),
        ] {
            let answer = hospitals
                .register_organisation(authed(&t, request))
                .await
                .unwrap()
                .into_inner();
            let result = answer.result.expect("a WriteResult");
            assert_eq!(result.stream_version, 1, "{result:?}");
        }

        // A hospital is not registered this way: it has a category, which only RegisterHospital
        // takes. Neither is an organisation of no kind.
        let university = org("520000", 23);
        for (kind, reason) in [
            (pb::OrganisationKind::Hospital, "VALUE_OUT_OF_RANGE"),
            (pb::OrganisationKind::Unspecified, "VALUE_EMPTY"),
        ] {
            let request = pb::RegisterOrganisationRequest {
                kind: kind.into(),
                ..commission(&university, "遵义医科大学", "520300")
            };
            let status = hospitals
                .register_organisation(authed(&t, request))
                .await
                .unwrap_err();
            assert_refused(&status, Code::InvalidArgument, reason);
            let field = status
                .get_error_details()
                .bad_request()
                .and_then(|b| b.field_violations.first().map(|v| v.field.clone()));
            assert_eq!(field.as_deref(), Some("kind"), "{status:?}");
        }
        // A university registers as one.
        let request = pb::RegisterOrganisationRequest {
            kind: pb::OrganisationKind::University.into(),
            ..commission(&university, "遵义医科大学", "520300")
        };
        hospitals
            .register_organisation(authed(&t, request))
            .await
            .unwrap();

        // One credit code, one registration: the commission cannot register again as a hospital.
        let again = hospitals
            .register_hospital(authed(
                &t,
                register_request(&dongguan, "东莞市卫生健康局", "441900"),
            ))
            .await
            .unwrap_err();
        assert_refused(&again, Code::AlreadyExists, "STREAM_ALREADY_EXISTS");

        // The city-to-city pairing joins them.
        let program = ProgramServiceClient::new(channel.clone())
            .define_program(authed(
                &t,
                pb::DefineProgramRequest {
                    request_id: request_id(),
                    kind: pb::ProgramKind::EastWestCooperation.into(),
                    name: "东西部协作".into(),
                    parameters: Some(parameters(1)),
                    defined_on: "2018-01-01".into(),
                    ..Default::default()
                },
            ))
            .await
            .unwrap()
            .into_inner();
        let pairing = PairingServiceClient::new(channel.clone())
            .establish_pairing(authed(
                &t,
                pb::EstablishPairingRequest {
                    request_id: request_id(),
                    program_id: program.program_id,
                    supporting_orgs: vec![dongguan.clone()],
                    recipient_org: tongren.clone(),
                    region_codes: vec!["520600".into()],
                    start: "2021-07-01".into(),
                    ..Default::default()
                },
            ))
            .await
            .unwrap()
            .into_inner();
        assert!(!pairing.pairing_id.is_empty());

        // A health commission has no grade and no certified centre.
        let centre = hospitals
            .record_center_certification(authed(
                &t,
                pb::RecordCenterCertificationRequest {
                    request_id: request_id(),
                    hospital: tongren.clone(),
                    center: pb::CenterType::Stroke.into(),
                    certifier: "国家卫生健康委脑卒中防治工程委员会".into(),
                    certified_on: "2023-01-01".into(),
                    ..Default::default()
                },
            ))
            .await
            .unwrap_err();
        assert_refused(&centre, Code::FailedPrecondition, "ORG_NOT_A_HOSPITAL");
        server.stop().await;
    }
}
