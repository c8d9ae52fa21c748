//! Seed 003: 浙江省/浙江大学 → 一师医院 (阿拉尔, 组团式援疆), the first year (2016-04 to 2017-04).

use domain::aggregates::activity::{
    ActivityCommand, ActivityContext, ActivityState, ClinicalActivityReported,
};
use domain::aggregates::batch::MemberRole;
use domain::aggregates::deployment::{DeploymentCommand, Post};
use domain::aggregates::gap::{
    GapCommand, GapContext, GapFilled, GapKey, GapLevel, GapRegion, GapState,
};
use domain::aggregates::hospital::{
    HospitalCommand, HospitalContext, HospitalGradeAssessed, HospitalState,
};
use domain::aggregates::mentorship::{IndependenceScope, MentorshipCommand, MentorshipPaired};
use domain::aggregates::pairing::PairingEstablished;
use domain::aggregates::platform::{
    PlatformCommand, PlatformContext, PlatformEstablished, PlatformKind, PlatformState,
};
use domain::aggregates::program::{ProgramDefined, ProgramKind, ProgramParameters};
use domain::aggregates::study::{AdvancedStudyStarted, StudyCommand, StudyContext, StudyState};
use domain::aggregates::technique::TechniqueCategory;
use domain::values::{
    ActivityLedgerId, Count, GradeClass, GradeLevel, HospitalGrade, HospitalId, MentorshipId,
    PairingId, PeriodKey, PlatformId, ProfessionalTitle, ProgramId, RegionKey, ReviewKind, StudyId,
};
use time::{Duration, macros::date};

use super::world::World;
use crate::fixtures::{dept, division, org, parameters, person};

#[test]
fn seed_003_first_year_of_group_aid_to_xinjiang() {
    let mut w = World::default();
    let start = date!(2016 - 04 - 23);
    let affiliated: Vec<_> = (1..=5).map(|n| org("330000", 300 + n)).collect();
    let yishi = org("659002", 310);
    for (i, hospital) in affiliated.iter().enumerate() {
        w.register(
            hospital,
            &format!("浙江大学医学院附属医院{}", i + 1),
            "330100",
            date!(2016 - 01 - 01),
        );
    }
    w.register(&yishi, "一师医院", "659002", date!(2016 - 01 - 01));

    // 中组部 and 国家卫计委 launch the program in 2016-04;援疆 mentorship is one to one.
    let program_id = ProgramId(w.uuid());
    let xinjiang = ProgramParameters {
        mentor_ratio_max: 1,
        min_term_months: 6,
        group_rules: None,
        ..parameters()
    };
    w.define(ProgramDefined {
        program_id,
        kind: ProgramKind::XinjiangGroupAid,
        name: "医疗人才组团式援疆".to_owned(),
        policy_refs: vec!["中组部 国家卫计委 2016".to_owned()],
        parameters: xinjiang.clone(),
        defined_on: date!(2016 - 04 - 01),
    });
    let pairing_id = PairingId(w.uuid());
    w.establish(PairingEstablished {
        pairing_id,
        program_id,
        program_kind: ProgramKind::XinjiangGroupAid,
        parameters: xinjiang,
        supporting_orgs: affiliated.clone(),
        recipient_org: yishi.clone(),
        parent_pairing_id: None,
        region_codes: vec![division("659002")],
        start: date!(2016 - 04 - 01),
    });

    // 首批 15 experts arrive on 2016-04-23; the 第二批 arrives on 2017-02-28: 30 in the year.
    let first = w.dispatch(pairing_id, 1, start, date!(2017 - 04 - 22));
    let mut experts = Vec::new();
    for n in 0..15 {
        let role = if n == 0 {
            MemberRole::Leader
        } else {
            MemberRole::Clinical
        };
        let who = person(&format!("zj-expert-{n:02}"));
        let home = &affiliated[n % 5];
        let title = ProfessionalTitle::ASSOCIATE_CHIEF_PHYSICIAN;
        let deployment = w.send(first, &who, home, title, &dept("03.04"), role, start);
        experts.push((who, deployment, start));
    }
    let second = w.dispatch(pairing_id, 2, date!(2017 - 02 - 28), date!(2018 - 02 - 27));
    for n in 15..30 {
        let who = person(&format!("zj-expert-{n:02}"));
        let title = ProfessionalTitle::CHIEF_PHYSICIAN;
        let deployment = w.send(
            second,
            &who,
            &affiliated[n % 5],
            title,
            &dept("04.01"),
            MemberRole::Clinical,
            date!(2017 - 02 - 28),
        );
        experts.push((who, deployment, date!(2017 - 02 - 28)));
    }
    // 陈正 (the leader) is 副院长; experts head departments.
    let leader = experts[0].1;
    let appoint = DeploymentCommand::AppointToPost {
        post: Post::VicePresident,
        department: None,
        from: date!(2016 - 05 - 01),
    };
    w.deployment(leader, appoint, None);
    let head = DeploymentCommand::AppointToPost {
        post: Post::DepartmentHead,
        department: Some(dept("03.04")),
        from: date!(2016 - 05 - 01),
    };
    w.deployment(experts[1].1, head, None);

    // 30 young doctors paired 一对一 with the experts on site.
    let mut mentorships = Vec::new();
    for (n, (mentor, _, arrived)) in experts.iter().enumerate() {
        let paired = MentorshipPaired {
            mentorship_id: MentorshipId(w.uuid()),
            mentor: mentor.clone(),
            apprentice: person(&format!("yishi-doctor-{n:02}")),
            recipient_org: yishi.clone(),
            department: dept(if n < 15 { "03.04" } else { "04.01" }),
            start: *arrived + Duration::days(7),
            plan: "导师带徒实施办法".to_owned(),
        };
        mentorships.push((w.mentor(paired.clone(), pairing_id), paired));
    }
    // One to one: a second apprentice for the same mentor is refused by the program's ratio.
    let mut extra = mentorships[0].1.clone();
    extra.mentorship_id = MentorshipId(w.uuid());
    extra.apprentice = person("yishi-doctor-99");
    let ratio_context = domain::aggregates::mentorship::MentorshipContext {
        stints: w.stints(),
        pairing: Some(w.pairing(pairing_id)),
        mentor_active_apprentices: 1,
        apprentice_employer: Some(yishi.clone()),
        ..Default::default()
    };
    assert_eq!(
        w.refused::<domain::aggregates::mentorship::MentorshipState>(
            &extra.mentorship_id.stream_id(),
            MentorshipCommand::Pair(extra.clone()),
            ratio_context
        ),
        "MENTOR_RATIO_EXCEEDED"
    );

    // 40 new techniques; 7 fill a 南疆 (southern Xinjiang) gap, e.g. 腔镜下肾部分切除 and 输液港.
    let mut techniques = Vec::new();
    for n in 0..40 {
        let key = match n {
            0 => "laparoscopic_partial_nephrectomy".to_owned(),
            1 => "implantable_port".to_owned(),
            _ => format!("xinjiang_technique_{n:02}"),
        };
        let performer = &experts[n % 15].0;
        let on = date!(2016 - 06 - 01) + Duration::days(i64::try_from(n).unwrap());
        techniques.push(w.introduce(
            &yishi,
            &key,
            "新技术",
            &dept("04.01"),
            on,
            performer,
            TechniqueCategory::NewTechnique,
        ));
    }
    let southern_xinjiang = RegionKey::parse("southern_xinjiang").unwrap();
    for (i, technique) in techniques[..7].iter().enumerate() {
        let gap = GapKey::new(
            GapLevel::Custom,
            GapRegion::Custom(southern_xinjiang.clone()),
            technique.technique.clone(),
        )
        .unwrap();
        let claim = GapFilled {
            gap: gap.clone(),
            hospital: yishi.clone(),
            technique_introduced_on: date!(2016 - 06 - 01),
            claimed_on: date!(2017 - 04 - 20),
            evidence: vec!["兵团日报 2017-04-24".to_owned()],
            region_name: Some("南疆".to_owned()),
        };
        // The first fill stores the region's display name; the later ones find it in the log.
        let context = GapContext {
            technique_introduced_on: w.introduced_on(technique),
            hospital_division: Some(division("659002")),
            region_name: (i > 0).then(|| "南疆".to_owned()),
        };
        w.run::<GapState>(&gap.stream_id(), GapCommand::Fill(claim.into()), context);
    }

    // 20 of the 30 apprentices now practise independently (独立作业).
    for (id, paired) in mentorships.iter().take(20) {
        let declare = MentorshipCommand::DeclareIndependent {
            scope: IndependenceScope::Department(paired.department.clone()),
            assessor: paired.mentor.clone(),
            date: date!(2017 - 04 - 20),
        };
        w.mentorship_command(*id, declare, None);
    }

    // 13 传帮带工作室, a 远程会诊中心 and a 继教南疆分中心.
    let mut kinds = vec![PlatformKind::CoachingStudio; 13];
    kinds.extend([
        PlatformKind::TeleconsultationCentre,
        PlatformKind::ContinuingEducationBranch,
    ]);
    for kind in kinds {
        let platform = PlatformEstablished {
            platform_id: PlatformId(w.uuid()),
            pairing_id,
            kind,
            name: "传帮带工作室".to_owned(),
            host_org: yishi.clone(),
            partners: vec![affiliated[0].clone()],
            specialty: None,
            established_on: date!(2016 - 10 - 01),
        };
        let context = PlatformContext {
            pairing: Some(w.pairing(pairing_id)),
        };
        w.run::<PlatformState>(
            &platform.platform_id.stream_id(),
            PlatformCommand::Establish(platform),
            context,
        );
    }

    // 11 骨干 go for 进修 at the 5 affiliated hospitals.
    for n in 0..11 {
        let study = AdvancedStudyStarted {
            study_id: StudyId(w.uuid()),
            trainee: person(&format!("yishi-backbone-{n:02}")),
            trainee_org: yishi.clone(),
            host_org: affiliated[n % 5].clone(),
            department: dept("03.04"),
            start: date!(2016 - 09 - 01),
            planned_end: date!(2017 - 02 - 28),
            cohort: Some("组团式进修".to_owned()),
        };
        let context = StudyContext {
            linked_hosts: affiliated.iter().cloned().collect(),
            trainee_studies: vec![],
        };
        w.run::<StudyState>(
            &study.study_id.stream_id(),
            StudyCommand::Start(study),
            context,
        );
    }

    // Year-one figures: 538 surgeries, 2000余 rescues.
    let ledger = ActivityLedgerId {
        pairing: pairing_id,
        period: PeriodKey::parse("2016_2017").unwrap(),
    };
    let report = ClinicalActivityReported {
        ledger: ledger.clone(),
        recipient_org: yishi.clone(),
        report_id: w.uuid(),
        reporter: yishi.clone(),
        period_start: start,
        period_end: date!(2017 - 04 - 22),
        surgeries: Some(Count::exact(538)),
        critical_rescues: Some(Count::at_least(2000)),
        outreach_clinics: Some(Count::exact(1)),
        patients_served: Some(Count::exact(467)),
        teleconsults: None,
        trainings: None,
    };
    let context = ActivityContext {
        pairing: Some(w.pairing(pairing_id)),
    };
    w.run::<ActivityState>(
        &ledger.stream_id(),
        ActivityCommand::ReportClinicalActivity(report.into()),
        context,
    );

    // The hospital becomes 三级甲等.
    let grade = HospitalGrade::new(
        GradeLevel::Three,
        Some(GradeClass::A),
        ReviewKind::Initial,
        date!(2017 - 03 - 15),
        None,
    )
    .unwrap();
    let assessed = HospitalGradeAssessed {
        hospital: yishi.clone(),
        grade,
    };
    w.run::<HospitalState>(
        &HospitalId(yishi.clone()).stream_id(),
        HospitalCommand::AssessGrade(assessed),
        HospitalContext {
            today: date!(2017 - 04 - 24),
        },
    );

    // The state the article describes.
    let batch_one = w.stream::<domain::aggregates::batch::BatchState>(&first.stream_id());
    assert_eq!(batch_one.state().members.len(), 15);
    assert_eq!(
        w.stints().iter().filter(|s| s.hospital == yishi).count(),
        30
    );
    let all = w.mentorships();
    assert_eq!(all.len(), 30);
    assert_eq!(
        all.iter().filter(|m| !m.independence.is_empty()).count(),
        20
    );
    assert_eq!(w.events_of("TechniqueIntroduced").len(), 40);
    let gaps = w.events_of("GapFilled");
    assert_eq!(gaps.len(), 7);
    assert!(
        gaps.iter()
            .all(|e| e.stream_id().starts_with("gap-custom.southern_xinjiang."))
    );
    assert_eq!(w.events_of("PlatformEstablished").len(), 15);
    assert_eq!(w.events_of("AdvancedStudyStarted").len(), 11);
    let ledger_state = w.stream::<ActivityState>(&ledger.stream_id());
    assert_eq!(ledger_state.state().surgeries(), Count::exact(538));
    let grade = w.hospital(&yishi).current_grade().cloned().unwrap();
    assert_eq!(
        (grade.level(), grade.class()),
        (GradeLevel::Three, Some(GradeClass::A))
    );
    assert!(
        w.events_of("MentorshipPaired").iter().all(|e| e
            .scope()
            .provinces
            .iter()
            .all(|p| p.as_str() == "650000"))
    );
}
