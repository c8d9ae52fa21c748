//! Seed 000: 兰大一院 → 会宁县人民医院 (白银市会宁县, Gansu), 组团式帮扶 since 2022.

use domain::aggregates::batch::MemberRole;
use domain::aggregates::hospital::{
    HospitalCommand, HospitalContext, HospitalState, ServiceLineOpened,
};
use domain::aggregates::mentorship::{
    MentorshipCommand, MentorshipContext, MentorshipPaired, MentorshipState, MilestoneKind,
};
use domain::aggregates::pairing::PairingEstablished;
use domain::aggregates::program::{ProgramDefined, ProgramKind};
use domain::aggregates::study::{AdvancedStudyStarted, StudyCommand, StudyContext, StudyState};
use domain::aggregates::technique::TechniqueCategory;
use domain::values::{HospitalId, MentorshipId, PairingId, ProfessionalTitle, ProgramId, StudyId};
use time::macros::date;

use super::world::World;
use crate::fixtures::{dept, division, org, parameters, person};

#[test]
fn seed_000_master_and_apprentices_in_thoracic_surgery_at_huining() {
    let mut w = World::default();
    let lzu_first = org("620000", 1);
    let huining = org("620422", 2);
    w.register(
        &lzu_first,
        "兰州大学第一医院",
        "620102",
        date!(2022 - 01 - 01),
    );
    w.register(&huining, "会宁县人民医院", "620422", date!(2022 - 01 - 01));
    let program_id = ProgramId(w.uuid());
    w.define(ProgramDefined {
        program_id,
        kind: ProgramKind::KeyCountyGroupAid,
        name: "医疗人才组团式帮扶".to_owned(),
        policy_refs: vec![],
        parameters: parameters(),
        defined_on: date!(2022 - 01 - 01),
    });
    let pairing_id = PairingId(w.uuid());
    w.establish(PairingEstablished {
        pairing_id,
        program_id,
        program_kind: ProgramKind::KeyCountyGroupAid,
        parameters: parameters(),
        supporting_orgs: vec![lzu_first.clone()],
        recipient_org: huining.clone(),
        parent_pairing_id: None,
        region_codes: vec![division("620422")],
        start: date!(2022 - 03 - 01),
    });

    // Batches 1 to 4; the 第三批 and 第四批 are on site at the same time.
    w.dispatch(pairing_id, 1, date!(2022 - 03 - 01), date!(2023 - 02 - 28));
    w.dispatch(pairing_id, 2, date!(2022 - 09 - 01), date!(2023 - 08 - 31));
    let third = w.dispatch(pairing_id, 3, date!(2024 - 01 - 01), date!(2024 - 12 - 31));
    let fourth = w.dispatch(pairing_id, 4, date!(2024 - 07 - 25), date!(2025 - 07 - 24));
    let li = person("lzu-li-guangjie");
    w.send(
        third,
        &li,
        &lzu_first,
        ProfessionalTitle::ASSOCIATE_CHIEF_PHYSICIAN,
        &dept("04.03"),
        MemberRole::Clinical,
        date!(2024 - 01 - 01),
    );
    // 胡文滕, 主治医师, arrived on 2024-07-25.
    let hu = person("lzu-hu-wenteng");
    w.send(
        fourth,
        &hu,
        &lzu_first,
        ProfessionalTitle::ATTENDING_PHYSICIAN,
        &dept("04.05"),
        MemberRole::Clinical,
        date!(2024 - 07 - 25),
    );
    let on_site_now: Vec<_> = w
        .stints()
        .into_iter()
        .filter(|s| s.on_site_at(&huining, date!(2024 - 09 - 01)))
        .collect();
    assert_eq!(on_site_now.len(), 2, "third and fourth batch overlap");

    // 师带徒: two residents of 胸外科 (王顺成, 王季元; names are not stored): ratio 1:2.
    let mut ids = Vec::new();
    for apprentice in ["huining-resident-1", "huining-resident-2"] {
        let paired = MentorshipPaired {
            mentorship_id: MentorshipId(w.uuid()),
            mentor: hu.clone(),
            apprentice: person(apprentice),
            recipient_org: huining.clone(),
            department: dept("04.05"),
            start: date!(2024 - 07 - 26),
            plan: "胸外科亚专业培训".to_owned(),
        };
        ids.push(w.mentor(paired, pairing_id));
    }
    let third_apprentice = MentorshipPaired {
        mentorship_id: MentorshipId(w.uuid()),
        mentor: hu.clone(),
        apprentice: person("huining-resident-3"),
        recipient_org: huining.clone(),
        department: dept("04.05"),
        start: date!(2024 - 08 - 01),
        plan: "x".to_owned(),
    };
    let context = MentorshipContext {
        stints: w.stints(),
        pairing: Some(w.pairing(pairing_id)),
        mentor_active_apprentices: 2,
        apprentice_employer: Some(huining.clone()),
        ..Default::default()
    };
    let stream = third_apprentice.mentorship_id.stream_id();
    assert_eq!(
        w.refused::<MentorshipState>(&stream, MentorshipCommand::Pair(third_apprentice), context),
        "MENTOR_RATIO_EXCEEDED"
    );

    // Lectures, ward rounds, supervised surgery, animal-model drills, skills contests, visits to Lanzhou.
    let kinds = [
        MilestoneKind::Lecture,
        MilestoneKind::WardRound,
        MilestoneKind::SupervisedSurgery,
        MilestoneKind::SimulationDrill,
        MilestoneKind::SkillsContest,
        MilestoneKind::StudyVisit,
    ];
    for id in &ids {
        for kind in kinds {
            w.mentorship_command(
                *id,
                MentorshipCommand::RecordMilestone {
                    kind,
                    date: date!(2024 - 10 - 01),
                },
                None,
            );
        }
    }

    // 2024-09-15: 肺结节门诊 opens and VATS wedge resection is performed; a sports-medicine specialty opens.
    let hospital_stream = HospitalId(huining.clone()).stream_id();
    let today = HospitalContext {
        today: date!(2025 - 06 - 16),
    };
    for (name, department, on) in [
        ("肺结节门诊", "04.05", date!(2024 - 09 - 15)),
        ("运动医学专科", "22", date!(2024 - 10 - 01)),
    ] {
        let line = ServiceLineOpened {
            hospital: huining.clone(),
            name: name.to_owned(),
            department: dept(department),
            opened_on: on,
        };
        w.run::<HospitalState>(
            &hospital_stream,
            HospitalCommand::OpenServiceLine(line),
            today.clone(),
        );
    }
    let vats = w.introduce(
        &huining,
        "vats_wedge_resection",
        "胸腔镜下肺楔形切除术",
        &dept("04.05"),
        date!(2024 - 09 - 15),
        &hu,
        TechniqueCategory::NewTechnique,
    );

    // 组团式进修: local staff go to 兰大一院.
    let study = AdvancedStudyStarted {
        study_id: StudyId(w.uuid()),
        trainee: person("huining-nurse-1"),
        trainee_org: huining.clone(),
        host_org: lzu_first.clone(),
        department: dept("04.05"),
        start: date!(2024 - 03 - 01),
        planned_end: date!(2024 - 08 - 31),
        cohort: Some("组团式进修".to_owned()),
    };
    let context = StudyContext {
        linked_hosts: w
            .pairing(pairing_id)
            .supporting()
            .into_iter()
            .cloned()
            .collect(),
        trainee_studies: vec![],
    };
    w.run::<StudyState>(
        &study.study_id.stream_id(),
        StudyCommand::Start(study),
        context,
    );

    let mentorships = w.mentorships();
    assert_eq!(mentorships.len(), 2);
    assert!(
        mentorships
            .iter()
            .all(|m| m.milestones.len() == 6 && m.is_active())
    );
    assert_eq!(w.hospital(&huining).service_lines.len(), 2);
    assert_eq!(w.introduced_on(&vats), Some(date!(2024 - 09 - 15)));
    assert_eq!(w.events_of("BatchDispatched").len(), 4);
}
