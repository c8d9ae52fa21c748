//! Issue 9 items 3, 4 and 6 as a client sees them: fields documented OPTIONAL may be left out (and
//! their documented limits hold), a fact recorded already answers ALREADY_EXISTS as errors.proto
//! documents, and a BadRequest names the field once, in its field path, not again in the
//! description.

use api::medaid::v1 as pb;
use api::medaid::v1::activity_service_client::ActivityServiceClient;
use api::medaid::v1::hospital_service_client::HospitalServiceClient;
use api::medaid::v1::mentorship_service_client::MentorshipServiceClient;
use api::medaid::v1::technique_service_client::TechniqueServiceClient;
use tonic::Code;
use tonic_types::StatusExt;

use crate::common::{TestServer, assert_refused, authed, backends, huining, request_id};
use crate::flow::{command_flow, register_request, seed};

/// The one field violation of a refusal: its field and description.
fn violation(status: &tonic::Status) -> (String, String) {
    let details = status.get_error_details();
    let violations = details
        .bad_request()
        .map(|b| b.field_violations.clone())
        .unwrap_or_default();
    assert_eq!(violations.len(), 1, "{status:?}");
    (
        violations[0].field.clone(),
        violations[0].description.clone(),
    )
}

fn mentorship(plan: &str) -> pb::PairMentorshipRequest {
    pb::PairMentorshipRequest {
        request_id: request_id(),
        mentor: "lzu-hu-wenteng".into(),
        apprentice: format!("huining-resident-{}", plan.chars().count()),
        recipient_org: huining(),
        department: "04.05".into(),
        start: "2024-07-26".into(),
        plan: plan.to_owned(),
        ..Default::default()
    }
}

#[tokio::test]
async fn optional_plan_and_trainers_may_be_left_out() {
    for database in backends() {
        let server = TestServer::start(database.as_deref()).await;
        let channel = server.channel().await;
        let token = server.admin_token();
        let seeded = seed(channel.clone(), &token).await;
        let mut mentorships = MentorshipServiceClient::new(channel.clone());

        // PairMentorship.plan: OPTIONAL, at most 2,000 characters.
        let paired = mentorships
            .pair_mentorship(authed(&token, mentorship("")))
            .await
            .unwrap()
            .into_inner();
        assert!(!paired.mentorship_id.is_empty());
        mentorships
            .pair_mentorship(authed(&token, mentorship(&"计".repeat(2000))))
            .await
            .unwrap();
        let status = mentorships
            .pair_mentorship(authed(&token, mentorship(&"计".repeat(2001))))
            .await
            .unwrap_err();
        assert_refused(&status, Code::InvalidArgument, "VALUE_TOO_LONG");
        assert_eq!(violation(&status).0, "plan");

        // RecordTraining.trainers: OPTIONAL; named trainers are recorded as given.
        let mut activity = ActivityServiceClient::new(channel.clone());
        for trainers in [vec![], vec!["lzu-hu-wenteng".to_owned()]] {
            activity
                .record_training(authed(
                    &token,
                    pb::RecordTrainingRequest {
                        request_id: request_id(),
                        pairing_id: seeded.pairing_id.clone(),
                        period: "2024".into(),
                        topic: "胸腔镜基础".into(),
                        trainers,
                        mode: pb::TrainingMode::OnSite.into(),
                        attendees: Some(pb::Count {
                            value: 30,
                            comparator: pb::CountComparator::Exact.into(),
                        }),
                        date: "2024-09-10".into(),
                        ..Default::default()
                    },
                ))
                .await
                .unwrap();
        }
        server.stop().await;
    }
}

#[tokio::test]
async fn facts_recorded_already_answer_already_exists() {
    for database in backends() {
        let server = TestServer::start(database.as_deref()).await;
        let channel = server.channel().await;
        let token = server.admin_token();
        command_flow(channel.clone(), &token).await;
        let mut techniques = TechniqueServiceClient::new(channel.clone());

        // The flow opened 肺结节门诊, introduced VATS and filled the county gap; each again, with a
        // new request id, is ALREADY_EXISTS naming the stream.
        let status = techniques
            .open_service_line(authed(
                &token,
                pb::OpenServiceLineRequest {
                    request_id: request_id(),
                    hospital: huining(),
                    name: "肺结节门诊".into(),
                    department: "04.05".into(),
                    opened_on: "2024-10-15".into(),
                    ..Default::default()
                },
            ))
            .await
            .unwrap_err();
        assert_refused(&status, Code::AlreadyExists, "SERVICE_LINE_ALREADY_OPEN");
        let status = techniques
            .introduce_technique(authed(
                &token,
                pb::IntroduceTechniqueRequest {
                    request_id: request_id(),
                    hospital: huining(),
                    technique: "vats_wedge_resection".into(),
                    name: "胸腔镜下肺楔形切除术".into(),
                    department: "04.05".into(),
                    performer: Some(pb::Performer {
                        performer: Some(pb::performer::Performer::Local("huining-dr-1".into())),
                    }),
                    category: pb::TechniqueCategory::NewTechnique.into(),
                    first_performed_on: "2024-10-15".into(),
                    ..Default::default()
                },
            ))
            .await
            .unwrap_err();
        assert_refused(&status, Code::AlreadyExists, "TECHNIQUE_ALREADY_INTRODUCED");
        let status = techniques
            .record_gap_fill(authed(
                &token,
                pb::RecordGapFillRequest {
                    request_id: request_id(),
                    gap: Some(pb::GapKey {
                        level: pb::GapLevel::County.into(),
                        region: "620422".into(),
                        technique: "vats_wedge_resection".into(),
                    }),
                    hospital: huining(),
                    claimed_on: "2024-10-20".into(),
                    evidence: vec!["再次申报".into()],
                    ..Default::default()
                },
            ))
            .await
            .unwrap_err();
        assert_refused(&status, Code::AlreadyExists, "GAP_ALREADY_FILLED");
        let status = HospitalServiceClient::new(channel.clone())
            .register_hospital(authed(
                &token,
                register_request(&huining(), "会宁县人民医院", "620422"),
            ))
            .await
            .unwrap_err();
        assert_refused(&status, Code::AlreadyExists, "STREAM_ALREADY_EXISTS");
        let resource = status.get_error_details().resource_info().cloned();
        assert!(
            resource.is_some_and(|r| r.resource_name.starts_with("hospital-")),
            "{status:?}"
        );
        server.stop().await;
    }
}

#[tokio::test]
async fn a_bad_request_names_the_field_once() {
    for database in backends() {
        let server = TestServer::start(database.as_deref()).await;
        let channel = server.channel().await;
        let token = server.admin_token();
        let mut hospitals = HospitalServiceClient::new(channel.clone());
        let request = register_request(&huining(), "", "620422");
        let status = hospitals
            .register_hospital(authed(&token, request))
            .await
            .unwrap_err();
        assert_refused(&status, Code::InvalidArgument, "VALUE_EMPTY");
        assert_eq!(
            violation(&status),
            ("name".to_owned(), "must not be empty".to_owned())
        );
        // A nested field: the path names it, the description only says what is wrong.
        let status = hospitals
            .record_hospital_grade(authed(
                &token,
                pb::RecordHospitalGradeRequest {
                    request_id: request_id(),
                    hospital: huining(),
                    grade: Some(pb::HospitalGrade {
                        level: pb::HospitalLevel::HospitalLevel2.into(),
                        class: pb::HospitalClass::A.into(),
                        review: pb::ReviewKind::Initial.into(),
                        assessed_on: "2024-02-30".into(),
                        valid_until: String::new(),
                    }),
                    ..Default::default()
                },
            ))
            .await
            .unwrap_err();
        let (field, description) = violation(&status);
        assert_eq!(field, "grade.assessed_on");
        assert!(
            !description.contains("assessed_on"),
            "{description:?} repeats the field"
        );
        assert!(!description.is_empty());
        server.stop().await;
    }
}
