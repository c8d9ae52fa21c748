//! The shared fields of every write request, end to end: `correction` (one correction per write
//! service, each replacing its fact in the read models, and the refusals of `Correction`'s rules),
//! `context.source` and `evidence` stored with the event, the actor's organisation, and the answers
//! the domain computes (`warnings`, `on_site_days`, derived ids).

use api::medaid::v1 as pb;
use api::medaid::v1::activity_service_client::ActivityServiceClient;
use api::medaid::v1::assessment_service_client::AssessmentServiceClient;
use api::medaid::v1::collaboration_service_client::CollaborationServiceClient;
use api::medaid::v1::correction_service_client::CorrectionServiceClient;
use api::medaid::v1::deployment_service_client::DeploymentServiceClient;
use api::medaid::v1::event_service_client::EventServiceClient;
use api::medaid::v1::hospital_capability_service_client::HospitalCapabilityServiceClient;
use api::medaid::v1::hospital_service_client::HospitalServiceClient;
use api::medaid::v1::mentorship_board_service_client::MentorshipBoardServiceClient;
use api::medaid::v1::mentorship_service_client::MentorshipServiceClient;
use api::medaid::v1::on_site_roster_service_client::OnSiteRosterServiceClient;
use api::medaid::v1::pairing_scoreboard_service_client::PairingScoreboardServiceClient;
use api::medaid::v1::pairing_service_client::PairingServiceClient;
use api::medaid::v1::program_service_client::ProgramServiceClient;
use api::medaid::v1::technique_service_client::TechniqueServiceClient;
use tonic::Code;
use tonic::transport::Channel;

use crate::common::{TestServer, assert_refused, authed, backends, huining, lzu_first, request_id};
use crate::flow::{parameters, register_request, seed};

fn correct(stream_id: &str, version: u64) -> Option<pb::Correction> {
    Some(pb::Correction {
        stream_id: stream_id.to_owned(),
        stream_version: version,
        reason: "录入错误".into(),
    })
}

fn result(result: Option<pb::WriteResult>) -> pb::WriteResult {
    result.expect("a write result")
}

fn last(result: &pb::WriteResult) -> u64 {
    *result.positions.last().expect("positions")
}

/// The stored event at `position`, read back through the feed.
async fn event_at(channel: &Channel, t: &str, position: u64) -> pb::Event {
    EventServiceClient::new(channel.clone())
        .get_event(authed(t, pb::GetEventRequest { position }))
        .await
        .unwrap()
        .into_inner()
        .event
        .expect("an event")
}

/// Checks that the event written by `written` is an `EventCorrected` of `target`'s event at
/// `version`, with a replacement of type `event_type`.
async fn assert_corrects(
    channel: &Channel,
    t: &str,
    written: &pb::WriteResult,
    target: &str,
    version: u64,
    event_type: &str,
) {
    assert_eq!(
        written.stream_id, target,
        "a correction stays on its stream"
    );
    let event = event_at(channel, t, last(written)).await;
    assert_eq!(event.event_type, "EventCorrected");
    assert_eq!(event.stream_id, target);
    let payload: serde_json::Value = serde_json::from_str(&event.payload).unwrap();
    assert_eq!(payload["target"]["stream"], target, "{payload}");
    assert_eq!(payload["target"]["version"], version, "{payload}");
    assert_eq!(payload["replacement"]["type"], event_type, "{payload}");
    assert_eq!(payload["reason"], "录入错误");
}

fn training(pairing_id: &str, attendees: u64) -> pb::RecordTrainingRequest {
    pb::RecordTrainingRequest {
        request_id: request_id(),
        pairing_id: pairing_id.to_owned(),
        period: "2024".into(),
        topic: "胸腔镜基础".into(),
        trainers: vec!["lzu-hu-wenteng".into()],
        mode: pb::TrainingMode::OnSite.into(),
        attendees: Some(pb::Count {
            value: attendees,
            comparator: pb::CountComparator::Exact.into(),
        }),
        date: "2024-09-10".into(),
        ..Default::default()
    }
}

fn funding(pairing_id: &str, amount_fen: i64) -> pb::CommitFundingRequest {
    pb::CommitFundingRequest {
        request_id: request_id(),
        pairing_id: pairing_id.to_owned(),
        amount_fen,
        source: pb::FundingSource::Fiscal.into(),
        purpose: "胸腔镜设备".into(),
        date: "2024-03-01".into(),
        ..Default::default()
    }
}

fn introduce(first_performed_on: &str) -> pb::IntroduceTechniqueRequest {
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
        first_performed_on: first_performed_on.into(),
        ..Default::default()
    }
}

fn alliance(formed_on: &str) -> pb::FormAllianceRequest {
    pb::FormAllianceRequest {
        request_id: request_id(),
        specialty: "04.05".into(),
        lead_org: lzu_first(),
        members: vec![pb::AllianceMember {
            org: huining(),
            tier: pb::AllianceTier::County.into(),
        }],
        formed_on: formed_on.into(),
        ..Default::default()
    }
}

fn mentorship(start: &str) -> pb::PairMentorshipRequest {
    pb::PairMentorshipRequest {
        request_id: request_id(),
        mentor: "lzu-hu-wenteng".into(),
        apprentice: "huining-resident-1".into(),
        recipient_org: huining(),
        department: "04.05".into(),
        start: start.into(),
        plan: "胸外科亚专业培训".into(),
        ..Default::default()
    }
}

fn agreement(pairing_id: &str, title: &str) -> pb::SignAgreementRequest {
    pb::SignAgreementRequest {
        request_id: request_id(),
        pairing_id: pairing_id.to_owned(),
        kind: pb::AgreementKind::TargetResponsibility.into(),
        title: title.into(),
        parties: vec![lzu_first(), huining()],
        start: "2022-03-01".into(),
        end: "2025-02-28".into(),
        ..Default::default()
    }
}

fn assign(pairing_id: &str, practitioner: &str, title: u32) -> pb::AssignMemberRequest {
    pb::AssignMemberRequest {
        request_id: request_id(),
        pairing_id: pairing_id.to_owned(),
        batch_number: 1,
        practitioner: practitioner.into(),
        home_org: lzu_first(),
        title,
        specialty: "04.05".into(),
        role: pb::MemberRole::Clinical.into(),
        planned_start: "2024-01-01".into(),
        planned_end: "2024-12-31".into(),
        ..Default::default()
    }
}

fn on_site(date: &str, at: u64) -> pb::ListOnSiteMembersRequest {
    pb::ListOnSiteMembersRequest {
        hospital: huining(),
        date: date.into(),
        min_position: Some(at),
        ..Default::default()
    }
}

#[tokio::test]
async fn a_correction_replaces_its_fact_in_every_read_model() {
    for database in backends() {
        let server = TestServer::start(database.as_deref()).await;
        let t = server.admin_token();
        let channel = server.channel().await;
        let seeded = seed(channel.clone(), &t).await;
        let pairing_stream = format!("pairing-{}", seeded.pairing_id);

        // HospitalService: the registration's name.
        let hospital_stream = format!("hospital-{}", huining());
        let register = pb::RegisterHospitalRequest {
            correction: correct(&hospital_stream, 1),
            ..register_request(&huining(), "会宁县人民医院（更正）", "620422")
        };
        let written = HospitalServiceClient::new(channel.clone())
            .register_hospital(authed(&t, register))
            .await
            .unwrap()
            .into_inner();
        let written = result(written.result);
        assert_corrects(
            &channel,
            &t,
            &written,
            &hospital_stream,
            1,
            "HospitalRegistered",
        )
        .await;

        // ProgramService: a stream-creating command keeps the id of the stream it corrects.
        let program_stream = format!("program-{}", seeded.program_id);
        let define = pb::DefineProgramRequest {
            request_id: request_id(),
            kind: pb::ProgramKind::KeyCountyGroupAid.into(),
            name: "医疗人才组团式帮扶（更正）".into(),
            parameters: Some(parameters(1)),
            defined_on: "2022-01-01".into(),
            correction: correct(&program_stream, 1),
            ..Default::default()
        };
        let defined = ProgramServiceClient::new(channel.clone())
            .define_program(authed(&t, define))
            .await
            .unwrap()
            .into_inner();
        assert_eq!(defined.program_id, seeded.program_id);
        let written = result(defined.result);
        assert_corrects(&channel, &t, &written, &program_stream, 1, "ProgramDefined").await;

        // PairingService: the pairing's start.
        let establish = pb::EstablishPairingRequest {
            request_id: request_id(),
            program_id: seeded.program_id.clone(),
            supporting_orgs: vec![lzu_first()],
            recipient_org: huining(),
            region_codes: vec!["620422".into()],
            start: "2022-04-01".into(),
            correction: correct(&pairing_stream, 1),
            ..Default::default()
        };
        let established = PairingServiceClient::new(channel.clone())
            .establish_pairing(authed(&t, establish))
            .await
            .unwrap()
            .into_inner();
        assert_eq!(established.pairing_id, seeded.pairing_id);
        let written = result(established.result);
        assert_corrects(
            &channel,
            &t,
            &written,
            &pairing_stream,
            1,
            "PairingEstablished",
        )
        .await;

        // DeploymentService: the member's title and specialty, then the arrival date. The
        // corrected assignment keeps its deployment id.
        let mut deployments = DeploymentServiceClient::new(channel.clone());
        let batch_stream = format!("batch-{}.1", seeded.pairing_id);
        let reassign = pb::AssignMemberRequest {
            specialty: "03.01".into(),
            correction: correct(&batch_stream, 2),
            ..assign(&seeded.pairing_id, "lzu-hu-wenteng", 232)
        };
        let reassigned = deployments
            .assign_member(authed(&t, reassign))
            .await
            .unwrap()
            .into_inner();
        assert_eq!(reassigned.deployment_id, seeded.deployment_id);
        let written = result(reassigned.result);
        assert_corrects(&channel, &t, &written, &batch_stream, 2, "MemberAssigned").await;
        let deployment_stream = format!("deployment-{}", seeded.deployment_id);
        let rearrive = pb::RecordMemberArrivalRequest {
            request_id: request_id(),
            deployment_id: seeded.deployment_id.clone(),
            recipient_org: huining(),
            arrived_on: "2024-01-15".into(),
            correction: correct(&deployment_stream, 1),
            ..Default::default()
        };
        let written = deployments
            .record_member_arrival(authed(&t, rearrive))
            .await
            .unwrap()
            .into_inner();
        let written = result(written.result);
        assert_corrects(
            &channel,
            &t,
            &written,
            &deployment_stream,
            1,
            "MemberArrived",
        )
        .await;

        // ActivityService: attendees of a training, then the amount of a funding commitment.
        let mut activity = ActivityServiceClient::new(channel.clone());
        let first = activity
            .record_training(authed(&t, training(&seeded.pairing_id, 30)))
            .await
            .unwrap()
            .into_inner();
        let first = result(first.result);
        let retrain = pb::RecordTrainingRequest {
            correction: correct(&first.stream_id, first.stream_version),
            ..training(&seeded.pairing_id, 45)
        };
        let written = activity
            .record_training(authed(&t, retrain))
            .await
            .unwrap()
            .into_inner();
        let written = result(written.result);
        let ledger = first.stream_id.clone();
        let version = first.stream_version;
        assert_corrects(
            &channel,
            &t,
            &written,
            &ledger,
            version,
            "TrainingDelivered",
        )
        .await;
        let first = activity
            .commit_funding(authed(&t, funding(&seeded.pairing_id, 50_000_000)))
            .await
            .unwrap()
            .into_inner();
        let first = result(first.result);
        let refund = pb::CommitFundingRequest {
            correction: correct(&first.stream_id, first.stream_version),
            ..funding(&seeded.pairing_id, 60_000_000)
        };
        let written = activity
            .commit_funding(authed(&t, refund))
            .await
            .unwrap()
            .into_inner();
        let written = result(written.result);
        let version = first.stream_version;
        assert_corrects(
            &channel,
            &t,
            &written,
            &pairing_stream,
            version,
            "FundingCommitted",
        )
        .await;

        // TechniqueService: the date a technique was first performed.
        let mut techniques = TechniqueServiceClient::new(channel.clone());
        let first = techniques
            .introduce_technique(authed(&t, introduce("2024-09-15")))
            .await
            .unwrap()
            .into_inner();
        let first = result(first.result);
        let reintroduce = pb::IntroduceTechniqueRequest {
            correction: correct(&first.stream_id, first.stream_version),
            ..introduce("2024-09-16")
        };
        let written = techniques
            .introduce_technique(authed(&t, reintroduce))
            .await
            .unwrap()
            .into_inner();
        let written = result(written.result);
        let stream = first.stream_id.clone();
        assert_corrects(&channel, &t, &written, &stream, 1, "TechniqueIntroduced").await;

        // CollaborationService: the date an alliance was formed; it keeps its id.
        let mut collaboration = CollaborationServiceClient::new(channel.clone());
        let formed = collaboration
            .form_alliance(authed(&t, alliance("2024-10-01")))
            .await
            .unwrap()
            .into_inner();
        let stream = result(formed.result).stream_id;
        let reform = pb::FormAllianceRequest {
            correction: correct(&stream, 1),
            ..alliance("2024-10-02")
        };
        let reformed = collaboration
            .form_alliance(authed(&t, reform))
            .await
            .unwrap()
            .into_inner();
        assert_eq!(reformed.alliance_id, formed.alliance_id);
        let written = result(reformed.result);
        assert_corrects(&channel, &t, &written, &stream, 1, "AllianceFormed").await;

        // MentorshipService: the start of a mentorship; it keeps its id.
        let mut mentorships = MentorshipServiceClient::new(channel.clone());
        let paired = mentorships
            .pair_mentorship(authed(&t, mentorship("2024-07-26")))
            .await
            .unwrap()
            .into_inner();
        let stream = result(paired.result).stream_id;
        let repair = pb::PairMentorshipRequest {
            correction: correct(&stream, 1),
            ..mentorship("2024-08-10")
        };
        let repaired = mentorships
            .pair_mentorship(authed(&t, repair))
            .await
            .unwrap()
            .into_inner();
        assert_eq!(repaired.mentorship_id, paired.mentorship_id);
        let written = result(repaired.result);
        assert_corrects(&channel, &t, &written, &stream, 1, "MentorshipPaired").await;

        // AssessmentService: the title of an agreement; it keeps its id.
        let mut assessments = AssessmentServiceClient::new(channel.clone());
        let signed = assessments
            .sign_agreement(authed(&t, agreement(&seeded.pairing_id, "目标责任书")))
            .await
            .unwrap()
            .into_inner();
        let stream = result(signed.result).stream_id;
        let resign = pb::SignAgreementRequest {
            correction: correct(&stream, 1),
            ..agreement(&seeded.pairing_id, "目标责任书（2024年修订）")
        };
        let resigned = assessments
            .sign_agreement(authed(&t, resign))
            .await
            .unwrap()
            .into_inner();
        assert_eq!(resigned.agreement_id, signed.agreement_id);
        let written = result(resigned.result);
        assert_corrects(&channel, &t, &written, &stream, 1, "AgreementSigned").await;
        let at = last(&written);

        // The read models hold each corrected fact once, with its corrected value.
        let board = PairingScoreboardServiceClient::new(channel.clone())
            .get_pairing_scoreboard(authed(
                &t,
                pb::GetPairingScoreboardRequest {
                    pairing_id: seeded.pairing_id.clone(),
                    min_position: Some(at),
                },
            ))
            .await
            .unwrap()
            .into_inner()
            .scoreboard
            .expect("a scoreboard");
        assert_eq!(
            (board.pairings, board.staff_people, board.staff_terms),
            (1, 1, 1)
        );
        assert_eq!(
            (board.trainings, board.techniques, board.alliances),
            (1, 1, 1)
        );
        let exact = i32::from(pb::CountComparator::Exact);
        assert_eq!(
            board.training_attendees.map(|c| (c.value, c.comparator)),
            Some((45, exact))
        );
        assert_eq!(board.funding_fen, 60_000_000);

        let mut roster = OnSiteRosterServiceClient::new(channel.clone());
        let before = roster
            .list_on_site_members(authed(&t, on_site("2024-01-10", at)))
            .await
            .unwrap()
            .into_inner();
        assert!(before.members.is_empty(), "arrives on the corrected day");
        let members = roster
            .list_on_site_members(authed(&t, on_site("2024-02-01", at)))
            .await
            .unwrap()
            .into_inner()
            .members;
        assert_eq!(members.len(), 1, "{members:?}");
        let member = &members[0];
        assert_eq!(member.deployment_id, seeded.deployment_id);
        assert_eq!(
            (member.title_code, member.department.as_str()),
            (232, "03.01")
        );
        assert_eq!(member.arrived_on, "2024-01-15");

        let card = HospitalCapabilityServiceClient::new(channel.clone())
            .get_capability_card(authed(
                &t,
                pb::GetCapabilityCardRequest {
                    hospital: huining(),
                    min_position: Some(at),
                    ..Default::default()
                },
            ))
            .await
            .unwrap()
            .into_inner()
            .card
            .expect("a card");
        assert_eq!(card.name, "会宁县人民医院（更正）");

        let mut boards = MentorshipBoardServiceClient::new(channel.clone());
        for (date, pairs) in [("2024-08-01", 0), ("2024-09-01", 1)] {
            let board = boards
                .get_mentorship_board(authed(
                    &t,
                    pb::GetMentorshipBoardRequest {
                        hospital: huining(),
                        date: date.into(),
                        min_position: Some(at),
                    },
                ))
                .await
                .unwrap()
                .into_inner();
            assert_eq!(board.pairs, pairs, "on {date}: {board:?}");
        }
        server.stop().await;
    }
}

#[tokio::test]
async fn a_correction_that_breaks_a_rule_is_refused_with_its_reason() {
    for database in backends() {
        let server = TestServer::start(database.as_deref()).await;
        let t = server.admin_token();
        let channel = server.channel().await;
        let seeded = seed(channel.clone(), &t).await;
        let mut activity = ActivityServiceClient::new(channel.clone());
        let first = activity
            .record_training(authed(&t, training(&seeded.pairing_id, 30)))
            .await
            .unwrap()
            .into_inner();
        let ledger = result(first.result).stream_id;

        // Unknown: a version past the end of the stream, and a stream that does not exist.
        for (stream, version) in [(ledger.as_str(), 9), ("activity-nothing.2024", 1)] {
            let request = pb::RecordTrainingRequest {
                correction: correct(stream, version),
                ..training(&seeded.pairing_id, 45)
            };
            let refused = activity
                .record_training(authed(&t, request))
                .await
                .unwrap_err();
            assert_refused(
                &refused,
                Code::FailedPrecondition,
                "CORRECTION_TARGET_NOT_FOUND",
            );
        }

        // Another type: a departure cannot correct an arrival.
        let deployment_stream = format!("deployment-{}", seeded.deployment_id);
        let depart = pb::RecordMemberDepartureRequest {
            request_id: request_id(),
            deployment_id: seeded.deployment_id.clone(),
            departed_on: "2024-12-31".into(),
            correction: correct(&deployment_stream, 1),
            ..Default::default()
        };
        let refused = DeploymentServiceClient::new(channel.clone())
            .record_member_departure(authed(&t, depart))
            .await
            .unwrap_err();
        assert_refused(
            &refused,
            Code::FailedPrecondition,
            "CORRECTION_TYPE_MISMATCH",
        );

        // Another stream: a training of another period is not a correction of this one.
        let elsewhere = pb::RecordTrainingRequest {
            period: "2025".into(),
            date: "2025-01-10".into(),
            correction: correct(&ledger, 1),
            ..training(&seeded.pairing_id, 45)
        };
        let refused = activity
            .record_training(authed(&t, elsewhere))
            .await
            .unwrap_err();
        assert_refused(
            &refused,
            Code::FailedPrecondition,
            "CORRECTION_CHANGES_STREAM",
        );

        // No reason given.
        let mut reasonless = pb::RecordTrainingRequest {
            correction: correct(&ledger, 1),
            ..training(&seeded.pairing_id, 45)
        };
        if let Some(c) = reasonless.correction.as_mut() {
            c.reason.clear();
        }
        let refused = activity
            .record_training(authed(&t, reasonless))
            .await
            .unwrap_err();
        assert_refused(
            &refused,
            Code::FailedPrecondition,
            "CORRECTION_REASON_MISSING",
        );

        // Retracted, then corrected: refused, and the retraction stands.
        let retracted = CorrectionServiceClient::new(channel.clone())
            .retract_event(authed(
                &t,
                pb::RetractEventRequest {
                    request_id: request_id(),
                    stream_id: ledger.clone(),
                    stream_version: 1,
                    reason: "重复录入".into(),
                    ..Default::default()
                },
            ))
            .await
            .unwrap()
            .into_inner();
        let retracted = result(retracted.result);
        let request = pb::RecordTrainingRequest {
            correction: correct(&ledger, 1),
            ..training(&seeded.pairing_id, 45)
        };
        let refused = activity
            .record_training(authed(&t, request))
            .await
            .unwrap_err();
        assert_refused(
            &refused,
            Code::FailedPrecondition,
            "EVENT_ALREADY_RETRACTED",
        );

        // A correction or retraction is not a fact to correct.
        let request = pb::RecordTrainingRequest {
            correction: correct(&ledger, 2),
            ..training(&seeded.pairing_id, 45)
        };
        let refused = activity
            .record_training(authed(&t, request))
            .await
            .unwrap_err();
        assert_refused(
            &refused,
            Code::FailedPrecondition,
            "CORRECTION_TARGET_NOT_A_FACT",
        );

        // Nothing refused was written: the ledger still ends at the retraction.
        let page = EventServiceClient::new(channel.clone())
            .list_stream_events(authed(
                &t,
                pb::ListStreamEventsRequest {
                    stream_id: ledger.clone(),
                    ..Default::default()
                },
            ))
            .await
            .unwrap()
            .into_inner();
        let types: Vec<&str> = page.events.iter().map(|e| e.event_type.as_str()).collect();
        assert_eq!(types, ["TrainingDelivered", "EventRetracted"]);
        assert_eq!(retracted.stream_version, 2);
        server.stop().await;
    }
}

#[tokio::test]
async fn provenance_and_the_domains_answers_come_back() {
    for database in backends() {
        let server = TestServer::start(database.as_deref()).await;
        let t = server.admin_token();
        let channel = server.channel().await;
        let seeded = seed(channel.clone(), &t).await;

        // A hospital's own system (its scope is the hospital alone) uploads a fact with evidence.
        let own = server.token(&["recorder", "reader"], &[&huining()]);
        let digest: Vec<u8> = (0u8..32).collect();
        let context = pb::RecordContext {
            correlation_id: "upload-7".into(),
            source: pb::RecordSource::Platform.into(),
            evidence: vec![pb::Evidence {
                uri: "https://wsjk.gansu.gov.cn/notice/2024-17".into(),
                sha256: digest.clone(),
                description: "肺结节门诊开诊通知".into(),
            }],
            ..Default::default()
        };
        let line = pb::OpenServiceLineRequest {
            request_id: request_id(),
            hospital: huining(),
            name: "肺结节门诊".into(),
            department: "04.05".into(),
            opened_on: "2024-09-15".into(),
            context: Some(context.clone()),
            ..Default::default()
        };
        let opened = TechniqueServiceClient::new(channel.clone())
            .open_service_line(authed(&own, line))
            .await
            .unwrap()
            .into_inner();
        let event = event_at(&channel, &t, last(&result(opened.result))).await;
        let metadata = event.metadata.expect("metadata");
        assert_eq!(metadata.source, i32::from(pb::RecordSource::Platform));
        assert_eq!(metadata.evidence, context.evidence);
        assert_eq!(metadata.correlation_id, "upload-7");
        let actor = metadata.actor.expect("an actor");
        assert_eq!(actor.org_credit_code, huining());
        let stored: serde_json::Value = serde_json::from_str(&event.metadata_json).unwrap();
        assert_eq!(stored["source"], "platform", "{stored}");
        assert_eq!(
            stored["evidence"][0]["uri"],
            "https://wsjk.gansu.gov.cn/notice/2024-17"
        );

        // Malformed evidence is refused naming the field.
        let bad = pb::OpenServiceLineRequest {
            request_id: request_id(),
            hospital: huining(),
            name: "胸痛门诊".into(),
            department: "04.05".into(),
            opened_on: "2024-09-16".into(),
            context: Some(pb::RecordContext {
                evidence: vec![pb::Evidence {
                    uri: "https://example.org/x".into(),
                    sha256: vec![1, 2, 3],
                    ..Default::default()
                }],
                ..Default::default()
            }),
            ..Default::default()
        };
        let refused = TechniqueServiceClient::new(channel.clone())
            .open_service_line(authed(&t, bad))
            .await
            .unwrap_err();
        assert_eq!(refused.code(), Code::InvalidArgument);
        assert!(
            refused.message().contains("context.evidence[0].sha256"),
            "{refused:?}"
        );

        // A caller whose scope is wider has no single organisation.
        let admin_event = event_at(&channel, &t, 0).await;
        let admin_actor = admin_event.metadata.and_then(|m| m.actor).expect("actor");
        assert_eq!(admin_actor.org_credit_code, "");

        // Team warnings of the batch after the assignment: 2 members of the minimum 5; the senior
        // member (主任医师) meets the minimum of one.
        let mut deployments = DeploymentServiceClient::new(channel.clone());
        let assigned = deployments
            .assign_member(authed(&t, assign(&seeded.pairing_id, "lzu-senior", 231)))
            .await
            .unwrap()
            .into_inner();
        let reasons: Vec<&str> = assigned
            .warnings
            .iter()
            .map(|w| w.reason.as_str())
            .collect();
        assert_eq!(reasons, ["TEAM_BELOW_MIN_SIZE"]);
        assert!(
            assigned.warnings[0].message.contains("2 members"),
            "{:?}",
            assigned.warnings
        );
        assert!(!assigned.deployment_id.is_empty());
        assert_ne!(assigned.deployment_id, seeded.deployment_id);

        // Days on site, counting arrival and departure days: 2024-01-01 to 2024-12-31 is 366 days.
        let depart = pb::RecordMemberDepartureRequest {
            request_id: request_id(),
            deployment_id: seeded.deployment_id.clone(),
            departed_on: "2024-12-31".into(),
            ..Default::default()
        };
        let departed = deployments
            .record_member_departure(authed(&t, depart.clone()))
            .await
            .unwrap()
            .into_inner();
        assert_eq!(departed.on_site_days, 366);
        let repeated = deployments
            .record_member_departure(authed(&t, depart))
            .await
            .unwrap()
            .into_inner();
        assert_eq!(repeated, departed, "a repeat answers the original response");
        server.stop().await;
    }
}
