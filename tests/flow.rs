//! The happy path of every command RPC, following seed 000 (兰大一院 → 会宁县人民医院).

use api::medaid::v1 as pb;
use api::medaid::v1::activity_service_client::ActivityServiceClient;
use api::medaid::v1::assessment_service_client::AssessmentServiceClient;
use api::medaid::v1::collaboration_service_client::CollaborationServiceClient;
use api::medaid::v1::correction_service_client::CorrectionServiceClient;
use api::medaid::v1::deployment_service_client::DeploymentServiceClient;
use api::medaid::v1::hospital_service_client::HospitalServiceClient;
use api::medaid::v1::mentorship_service_client::MentorshipServiceClient;
use api::medaid::v1::pairing_service_client::PairingServiceClient;
use api::medaid::v1::personal_data_service_client::PersonalDataServiceClient;
use api::medaid::v1::practitioner_service_client::PractitionerServiceClient;
use api::medaid::v1::program_service_client::ProgramServiceClient;
use api::medaid::v1::technique_service_client::TechniqueServiceClient;
use tonic::transport::Channel;
use tonic_types::StatusExt;

use crate::common::{TestServer, authed, backends, huining, lzu_first, org, request_id};
use crate::coverage::{Tour, assert_tour_called};

/// Ids created along the flow, for the tests that build on it.
pub(crate) struct Seeded {
    pub(crate) program_id: String,
    pub(crate) pairing_id: String,
    pub(crate) deployment_id: String,
}

pub(crate) fn parameters(version: u32) -> pb::ProgramParameters {
    pb::ProgramParameters {
        version,
        min_term_months: 12,
        min_team_size: 5,
        min_senior_members: 1,
        mentor_ratio_max: 2,
        short_visit_max_days: 14,
        indicator_set: Some(pb::IndicatorSet {
            version: "2022.1".into(),
            indicators: vec![
                "new_techniques".into(),
                "gaps_filled".into(),
                "surgeries".into(),
            ],
        }),
        group_rules: Some(pb::GroupRules {
            min_hospitals: 3,
            max_hospitals: 4,
            min_staff_lead: 2,
            min_staff_assisting: 1,
        }),
        eligible_counties: vec![],
    }
}

pub(crate) fn register_request(
    hospital: &str,
    name: &str,
    division: &str,
) -> pb::RegisterHospitalRequest {
    pb::RegisterHospitalRequest {
        request_id: request_id(),
        hospital: hospital.to_owned(),
        name: name.to_owned(),
        division: division.to_owned(),
        category: "A100".into(),
        registered_on: "2022-01-01".into(),
        ..Default::default()
    }
}

/// Registers both hospitals, defines the program, establishes the pairing, dispatches batch 1 and
/// assigns a member who arrives.
pub(crate) async fn seed(channel: Channel, token: &str) -> Seeded {
    let mut hospitals = HospitalServiceClient::new(channel.clone());
    for (code, name, division) in [
        (lzu_first(), "兰州大学第一医院", "620102"),
        (huining(), "会宁县人民医院", "620422"),
    ] {
        let reply = hospitals
            .register_hospital(authed(token, register_request(&code, name, division)))
            .await
            .unwrap()
            .into_inner();
        let result = reply.result.unwrap();
        assert_eq!(result.stream_id, format!("hospital-{code}"));
        assert_eq!(result.stream_version, 1);
    }
    let program = ProgramServiceClient::new(channel.clone())
        .define_program(authed(
            token,
            pb::DefineProgramRequest {
                request_id: request_id(),
                kind: pb::ProgramKind::KeyCountyGroupAid.into(),
                name: "医疗人才组团式帮扶".into(),
                parameters: Some(parameters(1)),
                defined_on: "2022-01-01".into(),
                ..Default::default()
            },
        ))
        .await
        .unwrap()
        .into_inner();
    assert!(!program.program_id.is_empty());
    let pairing = PairingServiceClient::new(channel.clone())
        .establish_pairing(authed(
            token,
            pb::EstablishPairingRequest {
                request_id: request_id(),
                program_id: program.program_id.clone(),
                supporting_orgs: vec![lzu_first()],
                recipient_org: huining(),
                region_codes: vec!["620422".into()],
                start: "2022-03-01".into(),
                ..Default::default()
            },
        ))
        .await
        .unwrap()
        .into_inner();
    let pairing_id = pairing.pairing_id.clone();
    let mut deployments = DeploymentServiceClient::new(channel.clone());
    deployments
        .dispatch_batch(authed(
            token,
            pb::DispatchBatchRequest {
                request_id: request_id(),
                pairing_id: pairing_id.clone(),
                batch_number: 1,
                planned_start: "2024-01-01".into(),
                planned_end: "2024-12-31".into(),
                ..Default::default()
            },
        ))
        .await
        .unwrap();
    let assigned = deployments
        .assign_member(authed(
            token,
            pb::AssignMemberRequest {
                request_id: request_id(),
                pairing_id: pairing_id.clone(),
                batch_number: 1,
                practitioner: "lzu-hu-wenteng".into(),
                home_org: lzu_first(),
                title: 233,
                specialty: "04.05".into(),
                role: pb::MemberRole::Clinical.into(),
                planned_start: "2024-01-01".into(),
                planned_end: "2024-12-31".into(),
                ..Default::default()
            },
        ))
        .await
        .unwrap()
        .into_inner();
    deployments
        .record_member_arrival(authed(
            token,
            pb::RecordMemberArrivalRequest {
                request_id: request_id(),
                deployment_id: assigned.deployment_id.clone(),
                recipient_org: huining(),
                arrived_on: "2024-01-01".into(),
                ..Default::default()
            },
        ))
        .await
        .unwrap();
    Seeded {
        program_id: program.program_id,
        pairing_id,
        deployment_id: assigned.deployment_id,
    }
}

#[tokio::test]
async fn seed_000_flow_covers_every_command_rpc() {
    for database in backends() {
        let server = TestServer::start(database.as_deref()).await;
        let token = server.admin_token();
        command_flow(server.channel().await, &token).await;
        assert_tour_called(&server, Tour::Commands);
        server.stop().await;
    }
}

/// Every command RPC once, on top of [`seed`]; `tests/recorder.rs` records it for the poison
/// property test and the authorization matrix.
pub(crate) async fn command_flow(channel: Channel, t: &str) {
    {
        let seeded = seed(channel.clone(), t).await;
        let ok = |r: Option<pb::WriteResult>| {
            let r = r.expect("a WriteResult");
            assert!(r.stream_version >= 1 && !r.positions.is_empty(), "{r:?}");
            r
        };

        // Program: a revision creates parameters version 2.
        let mut programs = ProgramServiceClient::new(channel.clone());
        let revise = pb::ReviseProgramParametersRequest {
            request_id: request_id(),
            program_id: seeded.program_id.clone(),
            parameters: Some(parameters(2)),
            effective_on: "2023-01-01".into(),
            ..Default::default()
        };
        let revised = programs.revise_program_parameters(authed(t, revise)).await;
        // Revising while a pairing is bound to the current version is a rule of its own.
        if let Err(status) = &revised {
            assert_eq!(status.code(), tonic::Code::FailedPrecondition, "{status:?}");
        }

        // Hospital: grade and certified centre.
        let mut hospitals = HospitalServiceClient::new(channel.clone());
        let graded = hospitals
            .record_hospital_grade(authed(
                t,
                pb::RecordHospitalGradeRequest {
                    request_id: request_id(),
                    hospital: huining(),
                    grade: Some(pb::HospitalGrade {
                        level: pb::HospitalLevel::HospitalLevel2.into(),
                        class: pb::HospitalClass::A.into(),
                        review: pb::ReviewKind::Initial.into(),
                        assessed_on: "2023-06-01".into(),
                        valid_until: String::new(),
                    }),
                    ..Default::default()
                },
            ))
            .await
            .unwrap();
        ok(graded.into_inner().result);
        let certified = hospitals
            .record_center_certification(authed(
                t,
                pb::RecordCenterCertificationRequest {
                    request_id: request_id(),
                    hospital: huining(),
                    center: pb::CenterType::ChestPain.into(),
                    certifier: "中国胸痛中心联盟".into(),
                    certified_on: "2023-09-01".into(),
                    ..Default::default()
                },
            ))
            .await
            .unwrap();
        ok(certified.into_inner().result);

        // An organisation that is not a hospital: 白银市卫生健康委员会 registers as a health
        // commission, without a category, and has no grade.
        let commission = org("620400", 90);
        let registered = hospitals
            .register_organisation(authed(
                t,
                pb::RegisterOrganisationRequest {
                    request_id: request_id(),
                    organisation: commission.clone(),
                    name: "白银市卫生健康委员会".into(),
                    division: "620400".into(),
                    kind: pb::OrganisationKind::HealthCommission.into(),
                    registered_on: "2022-01-01".into(),
                    ..Default::default()
                },
            ))
            .await
            .unwrap();
        ok(registered.into_inner().result);
        let graded = hospitals
            .record_hospital_grade(authed(
                t,
                pb::RecordHospitalGradeRequest {
                    request_id: request_id(),
                    hospital: commission,
                    grade: Some(pb::HospitalGrade {
                        level: pb::HospitalLevel::HospitalLevel3.into(),
                        class: pb::HospitalClass::A.into(),
                        review: pb::ReviewKind::Initial.into(),
                        assessed_on: "2023-06-01".into(),
                        valid_until: String::new(),
                    }),
                    ..Default::default()
                },
            ))
            .await
            .unwrap_err();
        crate::common::assert_refused(
            &graded,
            tonic::Code::FailedPrecondition,
            "ORG_NOT_A_HOSPITAL",
        );

        // Deployment: a post, a term change, and (last) the departure.
        let mut deployments = DeploymentServiceClient::new(channel.clone());
        let appointed = deployments
            .appoint_member_to_post(authed(
                t,
                pb::AppointMemberToPostRequest {
                    request_id: request_id(),
                    deployment_id: seeded.deployment_id.clone(),
                    post: pb::Post::DepartmentHead.into(),
                    department: "04.05".into(),
                    from: "2024-02-01".into(),
                    ..Default::default()
                },
            ))
            .await
            .unwrap();
        ok(appointed.into_inner().result);
        let changed = deployments
            .change_member_term(authed(
                t,
                pb::ChangeMemberTermRequest {
                    request_id: request_id(),
                    deployment_id: seeded.deployment_id.clone(),
                    new_end: "2025-01-31".into(),
                    reason: "延期一个月".into(),
                    decided_on: "2024-11-01".into(),
                    ..Default::default()
                },
            ))
            .await
            .unwrap();
        ok(changed.into_inner().result);

        // Mentorship: 师带徒 with a milestone, a handover is refused without a second mentor on site,
        // and independence in the department.
        let mut mentorships = MentorshipServiceClient::new(channel.clone());
        let paired = mentorships
            .pair_mentorship(authed(
                t,
                pb::PairMentorshipRequest {
                    request_id: request_id(),
                    mentor: "lzu-hu-wenteng".into(),
                    apprentice: "huining-resident-1".into(),
                    recipient_org: huining(),
                    department: "04.05".into(),
                    start: "2024-07-26".into(),
                    plan: "胸外科亚专业培训".into(),
                    ..Default::default()
                },
            ))
            .await
            .unwrap()
            .into_inner();
        let mentorship_id = paired.mentorship_id.clone();
        ok(paired.result);
        let milestone = mentorships
            .record_apprentice_milestone(authed(
                t,
                pb::RecordApprenticeMilestoneRequest {
                    request_id: request_id(),
                    mentorship_id: mentorship_id.clone(),
                    kind: pb::MilestoneKind::SupervisedSurgery.into(),
                    date: "2024-10-01".into(),
                    ..Default::default()
                },
            ))
            .await
            .unwrap();
        ok(milestone.into_inner().result);
        let handover = mentorships
            .hand_over_mentorship(authed(
                t,
                pb::HandOverMentorshipRequest {
                    request_id: request_id(),
                    mentorship_id: mentorship_id.clone(),
                    to_mentor: "lzu-li-guangjie".into(),
                    date: "2024-10-15".into(),
                    ..Default::default()
                },
            ))
            .await
            .unwrap_err();
        assert_eq!(
            handover.code(),
            tonic::Code::FailedPrecondition,
            "{handover:?}"
        );
        let independent = mentorships
            .declare_apprentice_independent(authed(
                t,
                pb::DeclareApprenticeIndependentRequest {
                    request_id: request_id(),
                    mentorship_id,
                    scope: Some(pb::IndependenceScope {
                        scope: Some(pb::independence_scope::Scope::Department("04.05".into())),
                    }),
                    assessor: "lzu-hu-wenteng".into(),
                    date: "2024-11-01".into(),
                    ..Default::default()
                },
            ))
            .await
            .unwrap();
        ok(independent.into_inner().result);

        // Techniques: 肺结节门诊, VATS introduced by the on-site member, and the county gap it fills.
        let mut techniques = TechniqueServiceClient::new(channel.clone());
        let line = techniques
            .open_service_line(authed(
                t,
                pb::OpenServiceLineRequest {
                    request_id: request_id(),
                    hospital: huining(),
                    name: "肺结节门诊".into(),
                    department: "04.05".into(),
                    opened_on: "2024-09-15".into(),
                    ..Default::default()
                },
            ))
            .await
            .unwrap();
        ok(line.into_inner().result);
        let introduced = techniques
            .introduce_technique(authed(
                t,
                pb::IntroduceTechniqueRequest {
                    request_id: request_id(),
                    hospital: huining(),
                    technique: "vats_wedge_resection".into(),
                    name: "胸腔镜下肺楔形切除术".into(),
                    department: "04.05".into(),
                    performer: Some(pb::Performer {
                        performer: Some(pb::performer::Performer::OnSiteMember(
                            "lzu-hu-wenteng".into(),
                        )),
                    }),
                    category: pb::TechniqueCategory::NewTechnique.into(),
                    first_performed_on: "2024-09-15".into(),
                    ..Default::default()
                },
            ))
            .await
            .unwrap();
        ok(introduced.into_inner().result);
        let gap = techniques
            .record_gap_fill(authed(
                t,
                pb::RecordGapFillRequest {
                    request_id: request_id(),
                    gap: Some(pb::GapKey {
                        level: pb::GapLevel::County.into(),
                        region: "620422".into(),
                        technique: "vats_wedge_resection".into(),
                    }),
                    hospital: huining(),
                    claimed_on: "2024-09-20".into(),
                    evidence: vec!["会宁县首例胸腔镜肺楔形切除术".into()],
                    ..Default::default()
                },
            ))
            .await
            .unwrap();
        ok(gap.into_inner().result);

        // Collaboration: an alliance led by 兰大一院, a co-built department, and 组团式进修.
        let mut collaboration = CollaborationServiceClient::new(channel.clone());
        let alliance = collaboration
            .form_alliance(authed(
                t,
                pb::FormAllianceRequest {
                    request_id: request_id(),
                    specialty: "04.05".into(),
                    lead_org: lzu_first(),
                    members: vec![pb::AllianceMember {
                        org: huining(),
                        tier: pb::AllianceTier::County.into(),
                    }],
                    formed_on: "2024-10-01".into(),
                    ..Default::default()
                },
            ))
            .await
            .unwrap()
            .into_inner();
        let alliance_id = alliance.alliance_id.clone();
        ok(alliance.result);
        // Issue 9 item 8 (seed 002): one lead's TCM alliances are told apart by their specialty
        // names; the same name twice, or the same sub-code, is a duplicate, a bad sub-code is
        // refused. (The three under one department are in the domain and read-model tests: here
        // tests/required_fields.rs replays each call without its OPTIONAL fields, the names, so
        // each valid call names a department this lead has no other alliance in, and the duplicate
        // is one by the department's own name, which a replay without names still refuses.)
        let tcm = |specialty: &str, name: &str, sub_code: &str| pb::FormAllianceRequest {
            request_id: request_id(),
            specialty: specialty.into(),
            specialty_name: name.into(),
            specialty_sub_code: sub_code.into(),
            lead_org: lzu_first(),
            members: vec![pb::AllianceMember {
                org: huining(),
                tier: pb::AllianceTier::County.into(),
            }],
            formed_on: "2024-10-02".into(),
            ..Default::default()
        };
        let formed = collaboration
            .form_alliance(authed(t, tcm("50.01", "", "NB-1")))
            .await
            .unwrap();
        ok(formed.into_inner().result);
        let duplicate = collaboration
            .form_alliance(authed(t, tcm("50.01", "", "")))
            .await
            .unwrap_err();
        crate::common::assert_refused(&duplicate, tonic::Code::AlreadyExists, "DUPLICATE_ALLIANCE");
        let same_code = collaboration
            .form_alliance(authed(t, tcm("50", "针灸科", "NB-1")))
            .await
            .unwrap_err();
        crate::common::assert_refused(&same_code, tonic::Code::AlreadyExists, "DUPLICATE_ALLIANCE");
        let bad_code = collaboration
            .form_alliance(authed(t, tcm("50", "针灸科", "NB 1")))
            .await
            .unwrap_err();
        crate::common::assert_refused(
            &bad_code,
            tonic::Code::InvalidArgument,
            "VALUE_INVALID_CHARACTER",
        );
        let field = bad_code
            .get_error_details()
            .bad_request()
            .and_then(|b| b.field_violations.first().map(|v| v.field.clone()));
        assert_eq!(field.as_deref(), Some("specialty_sub_code"));
        // Last, a valid call: the base tests/poison.rs mutates.
        let formed = collaboration
            .form_alliance(authed(t, tcm("50.02", "心病科", "")))
            .await
            .unwrap();
        ok(formed.into_inner().result);
        let other = org("620421", 3);
        HospitalServiceClient::new(channel.clone())
            .register_hospital(authed(
                t,
                crate::flow::register_request(&other, "靖远县人民医院", "620421"),
            ))
            .await
            .unwrap();
        let joined = collaboration
            .change_alliance_membership(authed(
                t,
                pb::ChangeAllianceMembershipRequest {
                    request_id: request_id(),
                    alliance_id,
                    member: Some(pb::AllianceMember {
                        org: other,
                        tier: pb::AllianceTier::County.into(),
                    }),
                    change: pb::MembershipChange::Joined.into(),
                    date: "2024-12-01".into(),
                    ..Default::default()
                },
            ))
            .await
            .unwrap();
        ok(joined.into_inner().result);
        let platform = collaboration
            .establish_platform(authed(
                t,
                pb::EstablishPlatformRequest {
                    request_id: request_id(),
                    pairing_id: seeded.pairing_id.clone(),
                    kind: pb::PlatformKind::CoBuiltDepartment.into(),
                    name: "胸外科共建科室".into(),
                    host_org: huining(),
                    partners: vec![lzu_first()],
                    specialty: "04.05".into(),
                    established_on: "2024-05-01".into(),
                    ..Default::default()
                },
            ))
            .await
            .unwrap()
            .into_inner();
        assert!(!platform.platform_id.is_empty());
        let study = collaboration
            .start_advanced_study(authed(
                t,
                pb::StartAdvancedStudyRequest {
                    request_id: request_id(),
                    trainee: "huining-nurse-1".into(),
                    trainee_org: huining(),
                    host_org: lzu_first(),
                    department: "04.05".into(),
                    start: "2024-03-01".into(),
                    planned_end: "2024-08-31".into(),
                    cohort: "lzu-2024-03".into(),
                    ..Default::default()
                },
            ))
            .await
            .unwrap()
            .into_inner();
        let completed = collaboration
            .complete_advanced_study(authed(
                t,
                pb::CompleteAdvancedStudyRequest {
                    request_id: request_id(),
                    study_id: study.study_id,
                    completed_on: "2024-08-31".into(),
                    ..Default::default()
                },
            ))
            .await
            .unwrap();
        ok(completed.into_inner().result);

        // Activity: training, a clinical report, funding and a short visit.
        let mut activity = ActivityServiceClient::new(channel.clone());
        let count = |value| {
            Some(pb::Count {
                value,
                comparator: pb::CountComparator::Exact.into(),
            })
        };
        let training = activity
            .record_training(authed(
                t,
                pb::RecordTrainingRequest {
                    request_id: request_id(),
                    pairing_id: seeded.pairing_id.clone(),
                    period: "2024".into(),
                    topic: "胸腔镜基础".into(),
                    trainers: vec!["lzu-hu-wenteng".into()],
                    mode: pb::TrainingMode::OnSite.into(),
                    attendees: count(30),
                    date: "2024-09-10".into(),
                    ..Default::default()
                },
            ))
            .await
            .unwrap();
        ok(training.into_inner().result);
        let report = activity
            .report_clinical_activity(authed(
                t,
                pb::ReportClinicalActivityRequest {
                    request_id: request_id(),
                    pairing_id: seeded.pairing_id.clone(),
                    period: "2024".into(),
                    reporter: huining(),
                    period_start: "2024-01-01".into(),
                    period_end: "2024-06-30".into(),
                    surgeries: count(120),
                    trainings: count(6),
                    ..Default::default()
                },
            ))
            .await
            .unwrap();
        ok(report.into_inner().result);
        let funding = activity
            .commit_funding(authed(
                t,
                pb::CommitFundingRequest {
                    request_id: request_id(),
                    pairing_id: seeded.pairing_id.clone(),
                    amount_fen: 50_000_000,
                    source: pb::FundingSource::Fiscal.into(),
                    purpose: "胸腔镜设备".into(),
                    date: "2024-03-01".into(),
                    ..Default::default()
                },
            ))
            .await
            .unwrap();
        ok(funding.into_inner().result);
        let visit = activity
            .record_short_visit(authed(
                t,
                pb::RecordShortVisitRequest {
                    request_id: request_id(),
                    pairing_id: seeded.pairing_id.clone(),
                    delegation: vec![pb::Delegate {
                        home_org: lzu_first(),
                        title: 231,
                        specialty: "04.05".into(),
                    }],
                    start: "2024-05-10".into(),
                    end: "2024-05-12".into(),
                    activities: vec!["义诊".into()],
                    ..Default::default()
                },
            ))
            .await
            .unwrap();
        ok(visit.into_inner().result);

        // Assessment: a target-responsibility letter and an assessment of the pairing against it.
        let mut assessments = AssessmentServiceClient::new(channel.clone());
        let agreement = assessments
            .sign_agreement(authed(
                t,
                pb::SignAgreementRequest {
                    request_id: request_id(),
                    pairing_id: seeded.pairing_id.clone(),
                    kind: pb::AgreementKind::TargetResponsibility.into(),
                    title: "目标责任书".into(),
                    parties: vec![lzu_first(), huining()],
                    start: "2022-03-01".into(),
                    end: "2025-02-28".into(),
                    targets: vec![pb::Target {
                        indicator: "new_techniques".into(),
                        target: count(5),
                        due: "2024-06-30".into(),
                    }],
                    ..Default::default()
                },
            ))
            .await
            .unwrap()
            .into_inner();
        let assessed = assessments
            .record_assessment(authed(
                t,
                pb::RecordAssessmentRequest {
                    request_id: request_id(),
                    agreement_id: agreement.agreement_id,
                    subject: Some(pb::AssessmentSubject {
                        subject: Some(pb::assessment_subject::Subject::Pairing(
                            seeded.pairing_id.clone(),
                        )),
                    }),
                    period_start: "2024-01-01".into(),
                    period_end: "2024-06-30".into(),
                    indicator_results: vec![pb::IndicatorResult {
                        indicator: "new_techniques".into(),
                        value: count(6),
                    }],
                    score: Some(92),
                    result: pb::AssessmentResult::Excellent.into(),
                    assessor: org("620000", 9),
                    ..Default::default()
                },
            ))
            .await
            .unwrap();
        ok(assessed.into_inner().result);

        // Pairing: the 1+N group, then the member departs, then the pairing ends.
        let mut pairings = PairingServiceClient::new(channel.clone());
        let group = pairings
            .form_group(authed(
                t,
                pb::FormGroupRequest {
                    request_id: request_id(),
                    pairing_id: seeded.pairing_id.clone(),
                    lead_org: lzu_first(),
                    assisting_orgs: vec![org("620000", 4), org("620000", 5)],
                    formed_on: "2024-01-01".into(),
                    ..Default::default()
                },
            ))
            .await;
        // Unregistered assisting hospitals are refused by rule; the RPC answered either way.
        if let Err(status) = &group {
            assert_eq!(status.code(), tonic::Code::FailedPrecondition, "{status:?}");
        }
        let departed = deployments
            .record_member_departure(authed(
                t,
                pb::RecordMemberDepartureRequest {
                    request_id: request_id(),
                    deployment_id: seeded.deployment_id.clone(),
                    departed_on: "2025-01-31".into(),
                    ..Default::default()
                },
            ))
            .await
            .unwrap();
        ok(departed.into_inner().result);
        let restructure = pairings
            .restructure_pairing(authed(
                t,
                pb::RestructurePairingRequest {
                    request_id: request_id(),
                    pairing_id: seeded.pairing_id.clone(),
                    successor_pairing_id: uuid::Uuid::new_v4().to_string(),
                    reason: "机构调整".into(),
                    date: "2025-02-01".into(),
                    ..Default::default()
                },
            ))
            .await;
        if let Err(status) = &restructure {
            assert_eq!(status.code(), tonic::Code::FailedPrecondition, "{status:?}");
        }
        let ended = pairings
            .end_pairing(authed(
                t,
                pb::EndPairingRequest {
                    request_id: request_id(),
                    pairing_id: seeded.pairing_id.clone(),
                    reason: "帮扶周期结束".into(),
                    date: "2025-02-28".into(),
                    ..Default::default()
                },
            ))
            .await;
        if let Err(status) = &ended {
            assert_eq!(status.code(), tonic::Code::FailedPrecondition, "{status:?}");
        }

        // Practitioners: 胡文滕 and 李广杰 enter the directory (names sealed), 胡文滕 is promoted,
        // and 李广杰's personal data is erased (admin). The first request of each RPC is the one the
        // authorization matrix replays, so the registration replayed is one that stands.
        let mut practitioners = PractitionerServiceClient::new(channel.clone());
        for (id, name, licence) in [
            ("lzu-hu-wenteng", "胡文滕", "110620000123456"),
            ("lzu-li-guangjie", "李广杰", ""),
        ] {
            let registered = practitioners
                .register_practitioner(authed(
                    t,
                    pb::RegisterPractitionerRequest {
                        request_id: request_id(),
                        practitioner: id.into(),
                        name: name.into(),
                        gender: pb::Gender::Male.into(),
                        licence_number: licence.into(),
                        title: 232,
                        department: "04.05".into(),
                        employer: lzu_first(),
                        registered_on: "2024-03-01".into(),
                        ..Default::default()
                    },
                ))
                .await
                .unwrap();
            ok(registered.into_inner().result);
        }
        let promoted = practitioners
            .change_practitioner(authed(
                t,
                pb::ChangePractitionerRequest {
                    request_id: request_id(),
                    practitioner: "lzu-hu-wenteng".into(),
                    change: Some(pb::change_practitioner_request::Change::Title(231)),
                    changed_on: "2025-01-01".into(),
                    ..Default::default()
                },
            ))
            .await
            .unwrap();
        ok(promoted.into_inner().result);
        let erased = PersonalDataServiceClient::new(channel.clone())
            .erase_personal_data(authed(
                t,
                pb::ErasePersonalDataRequest {
                    request_id: request_id(),
                    practitioner: "lzu-li-guangjie".into(),
                    legal_basis: pb::ErasureBasis::ConsentWithdrawn.into(),
                    ..Default::default()
                },
            ))
            .await
            .unwrap();
        ok(erased.into_inner().result);

        // Correction: retract the certification recorded above.
        let retracted = CorrectionServiceClient::new(channel.clone())
            .retract_event(authed(
                t,
                pb::RetractEventRequest {
                    request_id: request_id(),
                    stream_id: format!("hospital-{}", huining()),
                    stream_version: 3,
                    reason: "证书信息录入错误".into(),
                    ..Default::default()
                },
            ))
            .await
            .unwrap();
        ok(retracted.into_inner().result);
    }
}
