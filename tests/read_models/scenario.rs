//! The facts the read-model tests read back, recorded through the write RPCs: seed 000 (兰大一院 →
//! 会宁县人民医院) with a second batch, two apprentices, a technique and the gap it fills, an
//! alliance, a co-built department, advanced study, activity figures, a grade, a centre, and a
//! target-responsibility letter with its assessment.

use api::medaid::v1 as pb;
use api::medaid::v1::activity_service_client::ActivityServiceClient;
use api::medaid::v1::assessment_service_client::AssessmentServiceClient;
use api::medaid::v1::collaboration_service_client::CollaborationServiceClient;
use api::medaid::v1::deployment_service_client::DeploymentServiceClient;
use api::medaid::v1::hospital_service_client::HospitalServiceClient;
use api::medaid::v1::mentorship_service_client::MentorshipServiceClient;
use api::medaid::v1::practitioner_service_client::PractitionerServiceClient;
use api::medaid::v1::technique_service_client::TechniqueServiceClient;
use tonic::transport::Channel;

use crate::common::{authed, huining, lzu_first, org, request_id};
use crate::flow::seed;

/// The on-site expert of batch 1, on site 2024-01-01 to 2024-12-31.
pub(crate) const EXPERT: &str = "lzu-hu-wenteng";
/// The member of batch 2, on site from 2024-11-01.
pub(crate) const SECOND: &str = "lzu-li-guangjie";
pub(crate) const TECHNIQUE: &str = "vats_wedge_resection";

/// What the scenario created, and the position of its last write.
pub(crate) struct Recorded {
    pub(crate) pairing_id: String,
    pub(crate) first_mentorship: String,
    pub(crate) agreement_id: String,
    pub(crate) last_position: u64,
}

/// The position of a write's last event.
fn last(result: Option<pb::WriteResult>) -> u64 {
    result
        .and_then(|r| r.positions.last().copied())
        .expect("a write result with positions")
}

fn count(value: u64, comparator: pb::CountComparator) -> Option<pb::Count> {
    Some(pb::Count {
        value,
        comparator: comparator.into(),
    })
}

/// Records the scenario with a token that records everywhere.
pub(crate) async fn record(channel: Channel, t: &str) -> Recorded {
    let seeded = seed(channel.clone(), t).await;
    let pairing_id = seeded.pairing_id.clone();

    // Roster and timeline: a post for the expert, and batch 2 arriving before batch 1 leaves.
    let mut deployments = DeploymentServiceClient::new(channel.clone());
    let post = pb::AppointMemberToPostRequest {
        request_id: request_id(),
        deployment_id: seeded.deployment_id.clone(),
        post: pb::Post::DepartmentHead.into(),
        department: "04.05".into(),
        from: "2024-02-01".into(),
        ..Default::default()
    };
    deployments
        .appoint_member_to_post(authed(t, post))
        .await
        .unwrap();
    let dispatch = pb::DispatchBatchRequest {
        request_id: request_id(),
        pairing_id: pairing_id.clone(),
        batch_number: 2,
        planned_start: "2024-11-01".into(),
        planned_end: "2025-10-31".into(),
        ..Default::default()
    };
    deployments
        .dispatch_batch(authed(t, dispatch))
        .await
        .unwrap();
    let assign = pb::AssignMemberRequest {
        request_id: request_id(),
        pairing_id: pairing_id.clone(),
        batch_number: 2,
        practitioner: SECOND.into(),
        home_org: lzu_first(),
        title: 232,
        specialty: "03.01".into(),
        role: pb::MemberRole::Clinical.into(),
        planned_start: "2024-11-01".into(),
        planned_end: "2025-10-31".into(),
        ..Default::default()
    };
    let second = deployments
        .assign_member(authed(t, assign))
        .await
        .unwrap()
        .into_inner();
    let arrival = pb::RecordMemberArrivalRequest {
        request_id: request_id(),
        deployment_id: second.deployment_id,
        recipient_org: huining(),
        arrived_on: "2024-11-01".into(),
        ..Default::default()
    };
    deployments
        .record_member_arrival(authed(t, arrival))
        .await
        .unwrap();

    // Mentorship board: two apprentices of the expert, one milestone, one declared independent.
    let mut mentorships = MentorshipServiceClient::new(channel.clone());
    let mut ids = Vec::new();
    for (apprentice, start) in [
        ("huining-resident-1", "2024-07-26"),
        ("huining-resident-2", "2024-08-01"),
    ] {
        let pair = pb::PairMentorshipRequest {
            request_id: request_id(),
            mentor: EXPERT.into(),
            apprentice: apprentice.into(),
            recipient_org: huining(),
            department: "04.05".into(),
            start: start.into(),
            plan: "胸外科亚专业培训".into(),
            ..Default::default()
        };
        ids.push(
            mentorships
                .pair_mentorship(authed(t, pair))
                .await
                .unwrap()
                .into_inner()
                .mentorship_id,
        );
    }
    let milestone = pb::RecordApprenticeMilestoneRequest {
        request_id: request_id(),
        mentorship_id: ids[0].clone(),
        kind: pb::MilestoneKind::SupervisedSurgery.into(),
        date: "2024-10-01".into(),
        ..Default::default()
    };
    mentorships
        .record_apprentice_milestone(authed(t, milestone))
        .await
        .unwrap();
    let independent = pb::DeclareApprenticeIndependentRequest {
        request_id: request_id(),
        mentorship_id: ids[0].clone(),
        scope: Some(pb::IndependenceScope {
            scope: Some(pb::independence_scope::Scope::Department("04.05".into())),
        }),
        assessor: EXPERT.into(),
        date: "2024-11-01".into(),
        ..Default::default()
    };
    mentorships
        .declare_apprentice_independent(authed(t, independent))
        .await
        .unwrap();

    // Techniques and capability: VATS by the expert, the county gap, a service line, a grade that
    // expired on 2024-06-30, a chest-pain centre.
    let mut techniques = TechniqueServiceClient::new(channel.clone());
    let introduce = pb::IntroduceTechniqueRequest {
        request_id: request_id(),
        hospital: huining(),
        technique: TECHNIQUE.into(),
        name: "胸腔镜下肺楔形切除术".into(),
        department: "04.05".into(),
        performer: Some(pb::Performer {
            performer: Some(pb::performer::Performer::OnSiteMember(EXPERT.into())),
        }),
        category: pb::TechniqueCategory::NewTechnique.into(),
        first_performed_on: "2024-09-15".into(),
        ..Default::default()
    };
    techniques
        .introduce_technique(authed(t, introduce))
        .await
        .unwrap();
    let gap = pb::RecordGapFillRequest {
        request_id: request_id(),
        gap: Some(pb::GapKey {
            level: pb::GapLevel::County.into(),
            region: "620422".into(),
            technique: TECHNIQUE.into(),
        }),
        hospital: huining(),
        claimed_on: "2024-09-20".into(),
        ..Default::default()
    };
    techniques.record_gap_fill(authed(t, gap)).await.unwrap();
    let line = pb::OpenServiceLineRequest {
        request_id: request_id(),
        hospital: huining(),
        name: "肺结节门诊".into(),
        department: "04.05".into(),
        opened_on: "2024-09-15".into(),
        ..Default::default()
    };
    techniques.open_service_line(authed(t, line)).await.unwrap();
    let mut hospitals = HospitalServiceClient::new(channel.clone());
    let grade = pb::RecordHospitalGradeRequest {
        request_id: request_id(),
        hospital: huining(),
        grade: Some(pb::HospitalGrade {
            level: pb::HospitalLevel::HospitalLevel2.into(),
            class: pb::HospitalClass::A.into(),
            review: pb::ReviewKind::Initial.into(),
            assessed_on: "2023-06-01".into(),
            valid_until: "2024-06-30".into(),
        }),
        ..Default::default()
    };
    hospitals
        .record_hospital_grade(authed(t, grade))
        .await
        .unwrap();
    let center = pb::RecordCenterCertificationRequest {
        request_id: request_id(),
        hospital: huining(),
        center: pb::CenterType::ChestPain.into(),
        certifier: "中国胸痛中心联盟".into(),
        certified_on: "2023-09-01".into(),
        ..Default::default()
    };
    hospitals
        .record_center_certification(authed(t, center))
        .await
        .unwrap();

    // Network: an alliance, a co-built department, and a completed advanced study.
    let mut collaboration = CollaborationServiceClient::new(channel.clone());
    let alliance = pb::FormAllianceRequest {
        request_id: request_id(),
        specialty: "04.05".into(),
        lead_org: lzu_first(),
        members: vec![pb::AllianceMember {
            org: huining(),
            tier: pb::AllianceTier::County.into(),
        }],
        formed_on: "2024-10-01".into(),
        ..Default::default()
    };
    collaboration
        .form_alliance(authed(t, alliance))
        .await
        .unwrap();
    let platform = pb::EstablishPlatformRequest {
        request_id: request_id(),
        pairing_id: pairing_id.clone(),
        kind: pb::PlatformKind::CoBuiltDepartment.into(),
        name: "胸外科共建科室".into(),
        host_org: huining(),
        partners: vec![lzu_first()],
        specialty: "04.05".into(),
        established_on: "2024-05-01".into(),
        ..Default::default()
    };
    collaboration
        .establish_platform(authed(t, platform))
        .await
        .unwrap();
    let study = pb::StartAdvancedStudyRequest {
        request_id: request_id(),
        trainee: "huining-nurse-1".into(),
        trainee_org: huining(),
        host_org: lzu_first(),
        department: "04.05".into(),
        start: "2024-03-01".into(),
        planned_end: "2024-08-31".into(),
        ..Default::default()
    };
    let study = collaboration
        .start_advanced_study(authed(t, study))
        .await
        .unwrap()
        .into_inner();
    let done = pb::CompleteAdvancedStudyRequest {
        request_id: request_id(),
        study_id: study.study_id,
        completed_on: "2024-08-31".into(),
        ..Default::default()
    };
    collaboration
        .complete_advanced_study(authed(t, done))
        .await
        .unwrap();

    // Scoreboard: a training, "120余" surgeries, and funding.
    let mut activity = ActivityServiceClient::new(channel.clone());
    let training = pb::RecordTrainingRequest {
        request_id: request_id(),
        pairing_id: pairing_id.clone(),
        period: "2024".into(),
        topic: "胸腔镜基础".into(),
        trainers: vec![EXPERT.into()],
        mode: pb::TrainingMode::OnSite.into(),
        attendees: count(30, pb::CountComparator::Exact),
        date: "2024-09-10".into(),
        ..Default::default()
    };
    activity.record_training(authed(t, training)).await.unwrap();
    let report = pb::ReportClinicalActivityRequest {
        request_id: request_id(),
        pairing_id: pairing_id.clone(),
        period: "2024".into(),
        reporter: huining(),
        period_start: "2024-01-01".into(),
        period_end: "2024-06-30".into(),
        surgeries: count(120, pb::CountComparator::AtLeast),
        ..Default::default()
    };
    activity
        .report_clinical_activity(authed(t, report))
        .await
        .unwrap();
    let funding = pb::CommitFundingRequest {
        request_id: request_id(),
        pairing_id: pairing_id.clone(),
        amount_fen: 50_000_000,
        source: pb::FundingSource::Fiscal.into(),
        purpose: "胸腔镜设备".into(),
        date: "2024-03-01".into(),
        ..Default::default()
    };
    activity.commit_funding(authed(t, funding)).await.unwrap();

    // The expert leaves at the end of the planned term; until then the roster keeps them on site.
    let departure = pb::RecordMemberDepartureRequest {
        request_id: request_id(),
        deployment_id: seeded.deployment_id.clone(),
        departed_on: "2024-12-31".into(),
        ..Default::default()
    };
    deployments
        .record_member_departure(authed(t, departure))
        .await
        .unwrap();

    // Targets: five new techniques due by the end of 2024, and the assessment of the pairing.
    let mut assessments = AssessmentServiceClient::new(channel.clone());
    let sign = pb::SignAgreementRequest {
        request_id: request_id(),
        pairing_id: pairing_id.clone(),
        kind: pb::AgreementKind::TargetResponsibility.into(),
        title: "目标责任书".into(),
        parties: vec![lzu_first(), huining()],
        start: "2022-03-01".into(),
        end: "2025-02-28".into(),
        targets: vec![pb::Target {
            indicator: "new_techniques".into(),
            target: count(5, pb::CountComparator::Exact),
            due: "2024-12-31".into(),
        }],
        ..Default::default()
    };
    let agreement = assessments
        .sign_agreement(authed(t, sign))
        .await
        .unwrap()
        .into_inner();
    let assess = pb::RecordAssessmentRequest {
        request_id: request_id(),
        agreement_id: agreement.agreement_id.clone(),
        subject: Some(pb::AssessmentSubject {
            subject: Some(pb::assessment_subject::Subject::Pairing(pairing_id.clone())),
        }),
        period_start: "2024-01-01".into(),
        period_end: "2024-12-31".into(),
        indicator_results: vec![pb::IndicatorResult {
            indicator: "new_techniques".into(),
            value: count(1, pb::CountComparator::Exact),
        }],
        score: Some(71),
        result: pb::AssessmentResult::Pass.into(),
        assessor: org("620000", 9),
        ..Default::default()
    };
    let assessed = assessments
        .record_assessment(authed(t, assess))
        .await
        .unwrap();

    // The directory: the two experts and one apprentice by name (the other apprentice stays a
    // bare id), and the second expert moving to 会宁县人民医院.
    let mut directory = PractitionerServiceClient::new(channel.clone());
    for (practitioner, name, title, employer) in [
        (EXPERT, "胡文滕", 231, lzu_first()),
        (SECOND, "李广杰", 232, lzu_first()),
        ("huining-resident-1", "王顺成", 234, huining()),
    ] {
        directory
            .register_practitioner(authed(
                t,
                pb::RegisterPractitionerRequest {
                    request_id: request_id(),
                    practitioner: practitioner.into(),
                    name: name.into(),
                    title,
                    department: "04.05".into(),
                    employer,
                    registered_on: "2024-01-01".into(),
                    ..Default::default()
                },
            ))
            .await
            .unwrap();
    }
    let moved = directory
        .change_practitioner(authed(
            t,
            pb::ChangePractitionerRequest {
                request_id: request_id(),
                practitioner: SECOND.into(),
                change: Some(pb::change_practitioner_request::Change::Employer(huining())),
                changed_on: "2025-11-01".into(),
                ..Default::default()
            },
        ))
        .await
        .unwrap();
    let _ = assessed;
    Recorded {
        pairing_id,
        first_mentorship: ids[0].clone(),
        agreement_id: agreement.agreement_id,
        last_position: last(moved.into_inner().result),
    }
}
