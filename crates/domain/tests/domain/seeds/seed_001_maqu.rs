//! Seed 001: 甘肃省第二人民医院 → 玛曲县人民医院 (甘南州): the 第十一批 arrives on 2024-04-16.

use domain::aggregates::activity::{
    ActivityCommand, ActivityContext, ActivityState, TrainingDelivered, TrainingMode,
};
use domain::aggregates::agreement::{
    AgreementCommand, AgreementContext, AgreementKind, AgreementSigned, AgreementState, Target,
};
use domain::aggregates::batch::MemberRole;
use domain::aggregates::hospital::{
    CenterCertified, CenterType, HospitalCommand, HospitalContext, HospitalGradeAssessed,
    HospitalState,
};
use domain::aggregates::pairing::{
    Delegate, PairingCommand, PairingEstablished, ShortVisitConducted,
};
use domain::aggregates::program::{ProgramDefined, ProgramKind};
use domain::values::{
    ActivityLedgerId, AgreementId, Count, GradeClass, GradeLevel, HospitalGrade, HospitalId,
    PairingId, PeriodKey, ProfessionalTitle, ProgramId, ReviewKind,
};
use time::macros::date;

use super::world::World;
use crate::fixtures::{dept, division, indicator, org, parameters, person};

#[test]
fn seed_001_eleventh_batch_to_maqu() {
    let mut w = World::default();
    let second_provincial = org("620000", 11);
    let maqu = org("623025", 12);
    w.register(
        &second_provincial,
        "甘肃省第二人民医院",
        "620102",
        date!(2014 - 01 - 01),
    );
    w.register(&maqu, "玛曲县人民医院", "623025", date!(2014 - 01 - 01));
    let program_id = ProgramId(w.uuid());
    w.define(ProgramDefined {
        program_id,
        kind: ProgramKind::CounterpartAid,
        name: "组团式对口帮扶".to_owned(),
        policy_refs: vec![],
        parameters: parameters(),
        defined_on: date!(2014 - 01 - 01),
    });
    let pairing_id = PairingId(w.uuid());
    w.establish(PairingEstablished {
        pairing_id,
        program_id,
        program_kind: ProgramKind::CounterpartAid,
        parameters: parameters(),
        supporting_orgs: vec![second_provincial.clone()],
        recipient_org: maqu.clone(),
        parent_pairing_id: None,
        region_codes: vec![division("623025")],
        start: date!(2014 - 04 - 01),
    });

    // Ten years of 组团式 aid, about one batch a year; the eleventh arrives on 2024-04-16 (接力棒).
    for number in 1..=10u32 {
        let year = 2013 + i32::try_from(number).unwrap();
        let start = time::Date::from_calendar_date(year, time::Month::April, 16).unwrap();
        let end = time::Date::from_calendar_date(year + 1, time::Month::April, 15).unwrap();
        w.dispatch(pairing_id, number, start, end);
    }
    let eleventh = w.dispatch(pairing_id, 11, date!(2024 - 04 - 16), date!(2025 - 04 - 15));
    for n in 0..5 {
        let who = person(&format!("gs2-member-{n}"));
        let role = if n == 0 {
            MemberRole::Management
        } else {
            MemberRole::Clinical
        };
        w.send(
            eleventh,
            &who,
            &second_provincial,
            ProfessionalTitle::ASSOCIATE_CHIEF_PHYSICIAN,
            &dept("20"),
            role,
            date!(2024 - 04 - 16),
        );
    }

    // The vice-president's expert group (急诊, 心内, 医保, 医务) comes for two days: a short visit, not a deployment.
    let visit = ShortVisitConducted {
        pairing_id,
        visit_id: w.uuid(),
        recipient_org: maqu.clone(),
        delegation: vec![
            Delegate {
                home_org: second_provincial.clone(),
                title: None,
                specialty: Some(dept("20")),
            },
            Delegate {
                home_org: second_provincial.clone(),
                title: None,
                specialty: Some(dept("03.04")),
            },
            Delegate {
                home_org: second_provincial.clone(),
                title: None,
                specialty: None,
            },
            Delegate {
                home_org: second_provincial.clone(),
                title: None,
                specialty: None,
            },
        ],
        start: date!(2024 - 04 - 16),
        end: date!(2024 - 04 - 17),
        activities: vec![
            "座谈".to_owned(),
            "查房".to_owned(),
            "胸痛/创伤中心指导".to_owned(),
            "义诊".to_owned(),
        ],
    };
    w.pairing_command(pairing_id, PairingCommand::RecordShortVisit(visit.into()));

    // 帮扶目标责任书 with 目标管理考核.
    let agreement = AgreementSigned {
        agreement_id: AgreementId(w.uuid()),
        pairing_id,
        recipient_org: maqu.clone(),
        kind: AgreementKind::TargetResponsibility,
        title: "帮扶目标责任书".to_owned(),
        parties: vec![second_provincial.clone(), maqu.clone()],
        start: date!(2024 - 04 - 16),
        end: Some(date!(2025 - 04 - 15)),
        indicator_set: parameters().indicator_set,
        targets: vec![Target {
            indicator: indicator("new_techniques"),
            target: Count::exact(3),
            due: date!(2025 - 03 - 31),
        }],
    };
    let context = AgreementContext {
        pairing: Some(w.pairing(pairing_id)),
    };
    w.run::<AgreementState>(
        &agreement.agreement_id.stream_id(),
        AgreementCommand::Sign(agreement.into()),
        context,
    );

    // Four trainings for the 五大中心 and the 二甲复审.
    let ledger = ActivityLedgerId {
        pairing: pairing_id,
        period: PeriodKey::parse("2024").unwrap(),
    };
    for topic in ["医保结算质控", "急诊急救", "胸痛中心建设", "病案质控"] {
        let training = TrainingDelivered {
            ledger: ledger.clone(),
            recipient_org: maqu.clone(),
            training_id: w.uuid(),
            topic: topic.to_owned(),
            trainers: vec![person("gs2-member-0")],
            mode: TrainingMode::OnSite,
            attendees: Count::at_least(30),
            date: date!(2024 - 04 - 17),
        };
        let context = ActivityContext {
            pairing: Some(w.pairing(pairing_id)),
        };
        w.run::<ActivityState>(
            &ledger.stream_id(),
            ActivityCommand::DeliverTraining(training.into()),
            context,
        );
    }

    // The county now has its own 二级甲等 hospital (re-reviewed) and a certified stroke centre (2023).
    let hospital_stream = HospitalId(maqu.clone()).stream_id();
    let today = HospitalContext {
        today: date!(2024 - 04 - 22),
    };
    for (review, on) in [
        (ReviewKind::Initial, date!(2019 - 06 - 01)),
        (ReviewKind::Rereview, date!(2023 - 06 - 01)),
    ] {
        let grade =
            HospitalGrade::new(GradeLevel::Two, Some(GradeClass::A), review, on, None).unwrap();
        w.run::<HospitalState>(
            &hospital_stream,
            HospitalCommand::AssessGrade(HospitalGradeAssessed {
                hospital: maqu.clone(),
                grade,
            }),
            today.clone(),
        );
    }
    let stroke = CenterCertified {
        hospital: maqu.clone(),
        center: CenterType::Stroke,
        certifier: "卒中中心认证".to_owned(),
        certified_on: date!(2023 - 09 - 01),
        valid_until: None,
    };
    w.run::<HospitalState>(
        &hospital_stream,
        HospitalCommand::CertifyCenter(stroke),
        today,
    );

    let hospital = w.hospital(&maqu);
    let grade = hospital.current_grade().unwrap();
    assert_eq!(
        (grade.level(), grade.class(), grade.review()),
        (GradeLevel::Two, Some(GradeClass::A), ReviewKind::Rereview)
    );
    assert_eq!(hospital.centers[0].center, CenterType::Stroke);
    assert_eq!(w.events_of("BatchDispatched").len(), 11);
    assert_eq!(w.stints().len(), 5, "the short visit created no deployment");
    assert_eq!(
        w.stream::<domain::aggregates::pairing::PairingState>(&pairing_id.stream_id())
            .state()
            .short_visits,
        1
    );
    assert_eq!(
        w.stream::<ActivityState>(&ledger.stream_id())
            .state()
            .trainings
            .len(),
        4
    );
}
