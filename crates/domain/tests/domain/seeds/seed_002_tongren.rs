//! Seed 002: 东莞 → 铜仁 (东西部协作): the switch from 昭通, nested pairings, a 1+N对1 town group,
//! alliances, co-built departments, stations, funding and a first grade-4 surgery in the city.

use domain::aggregates::activity::{
    ActivityCommand, ActivityContext, ActivityState, ClinicalActivityReported,
};
use domain::aggregates::alliance::{
    AllianceCommand, AllianceContext, AllianceFormed, AllianceMember, AllianceState, Tier,
};
use domain::aggregates::batch::MemberRole;
use domain::aggregates::deployment::DeploymentCommand;
use domain::aggregates::gap::{
    GapCommand, GapContext, GapFilled, GapKey, GapLevel, GapRegion, GapState,
};
use domain::aggregates::hospital::OrganisationKind;
use domain::aggregates::pairing::{
    FundingCommitted, FundingSource, PairingCommand, PairingEstablished,
};
use domain::aggregates::platform::{
    PlatformCommand, PlatformContext, PlatformEstablished, PlatformKind, PlatformState,
};
use domain::aggregates::program::{GroupRules, ProgramDefined, ProgramKind, ProgramParameters};
use domain::aggregates::technique::TechniqueCategory;
use domain::values::{
    ActivityLedgerId, AllianceId, Count, CreditCode, MoneyFen, PairingId, PeriodKey, PlatformId,
    ProfessionalTitle, ProgramId,
};
use time::macros::date;

use super::world::World;
use crate::fixtures::{dept, division, org, parameters, person};

fn pair(
    w: &mut World,
    program_id: ProgramId,
    parent: Option<PairingId>,
    supporting: Vec<CreditCode>,
    recipient: &CreditCode,
    region: &str,
) -> PairingId {
    let pairing_id = PairingId(w.uuid());
    w.establish(PairingEstablished {
        pairing_id,
        program_id,
        program_kind: ProgramKind::EastWestCooperation,
        parameters: parameters(),
        supporting_orgs: supporting,
        recipient_org: recipient.clone(),
        parent_pairing_id: parent,
        region_codes: vec![division(region)],
        start: date!(2021 - 07 - 01),
    });
    pairing_id
}

#[test]
fn seed_002_dongguan_supports_tongren() {
    let mut w = World::default();
    let dongguan_bureau = org("441900", 20);
    let zhaotong_bureau = org("530600", 21);
    let tongren_bureau = org("520600", 22);
    let dg_tcm = org("441900", 23);
    let tr_tcm = org("520600", 24);
    let dg_people = org("441900", 25);
    let tr_people = org("520600", 26);
    let wanshan = org("520603", 27);
    let towns: Vec<_> = (0..3).map(|n| org("441900", 30 + n)).collect();
    let town_recipient = org("520621", 40);
    // The city-to-city pairings join health commissions, registered as such (issue 9 item 11).
    for (bureau, name, region) in [
        (&dongguan_bureau, "东莞市卫生健康局", "441900"),
        (&zhaotong_bureau, "昭通市卫生健康委员会", "530600"),
        (&tongren_bureau, "铜仁市卫生健康局", "520600"),
    ] {
        w.register_as(
            bureau,
            name,
            region,
            OrganisationKind::HealthCommission,
            date!(2018 - 01 - 01),
        );
    }
    for (hospital, region) in [
        (&dg_tcm, "441900"),
        (&tr_tcm, "520602"),
        (&dg_people, "441900"),
        (&tr_people, "520602"),
        (&wanshan, "520603"),
        (&town_recipient, "520621"),
    ] {
        w.register(hospital, "医疗卫生机构", region, date!(2018 - 01 - 01));
    }
    for town in &towns {
        w.register(town, "镇街医院", "441900", date!(2018 - 01 - 01));
    }
    let program_id = ProgramId(w.uuid());
    let east_west = ProgramParameters {
        group_rules: Some(GroupRules {
            min_hospitals: 3,
            max_hospitals: 4,
            min_staff_lead: 2,
            min_staff_assisting: 1,
        }),
        ..parameters()
    };
    w.define(ProgramDefined {
        program_id,
        kind: ProgramKind::EastWestCooperation,
        name: "东西部协作".to_owned(),
        policy_refs: vec!["2021-2025年粤黔医疗卫生协作框架协议".to_owned()],
        parameters: east_west,
        defined_on: date!(2018 - 01 - 01),
    });

    // 2021: 东莞 switches from 昭通 to 铜仁.
    let zhaotong = PairingId(w.uuid());
    w.establish(PairingEstablished {
        pairing_id: zhaotong,
        program_id,
        program_kind: ProgramKind::EastWestCooperation,
        parameters: parameters(),
        supporting_orgs: vec![dongguan_bureau.clone()],
        recipient_org: zhaotong_bureau.clone(),
        parent_pairing_id: None,
        region_codes: vec![division("530600")],
        start: date!(2018 - 01 - 01),
    });
    let city = pair(
        &mut w,
        program_id,
        None,
        vec![dongguan_bureau.clone()],
        &tongren_bureau,
        "520600",
    );
    w.pairing_command(
        zhaotong,
        PairingCommand::Restructure {
            successor_pairing_id: city,
            reason: "东西部协作结对关系调整".to_owned(),
            date: date!(2021 - 06 - 30),
        },
    );
    assert!(!w.pairing(zhaotong).active);

    // Hospital pairings nested in the city pairing.
    let tcm = pair(
        &mut w,
        program_id,
        Some(city),
        vec![dg_tcm.clone()],
        &tr_tcm,
        "520602",
    );
    let people = pair(
        &mut w,
        program_id,
        Some(city),
        vec![dg_people.clone()],
        &tr_people,
        "520602",
    );
    let town = pair(
        &mut w,
        program_id,
        Some(city),
        towns.clone(),
        &town_recipient,
        "520621",
    );
    let wanshan_pairing = pair(
        &mut w,
        program_id,
        Some(city),
        vec![dg_people.clone()],
        &wanshan,
        "520603",
    );

    // 东莞市中医院 sends 15 experts and forms 5 专科联盟: 骨科, 急诊, and three TCM specialties
    // (脑病科, 心病科, 治未病科) all under 50 中医科, told apart by their specialty names.
    let batch = w.dispatch(tcm, 1, date!(2021 - 09 - 01), date!(2022 - 08 - 31));
    for n in 0..15 {
        let who = person(&format!("dg-tcm-{n:02}"));
        w.send(
            batch,
            &who,
            &dg_tcm,
            ProfessionalTitle::ASSOCIATE_CHIEF_PHYSICIAN,
            &dept("50"),
            MemberRole::Clinical,
            date!(2021 - 09 - 01),
        );
    }
    let supporting_orgs: std::collections::BTreeSet<CreditCode> =
        [dg_tcm.clone(), dg_people.clone()].into_iter().collect();
    let registered: std::collections::BTreeSet<CreditCode> =
        [dg_tcm.clone(), tr_tcm.clone()].into_iter().collect();
    let mut existing = Vec::new();
    for (specialty, name) in [
        ("04.03", None),
        ("20", None),
        ("50", Some("脑病科")),
        ("50", Some("心病科")),
        ("50", Some("治未病科")),
    ] {
        let alliance = AllianceFormed {
            alliance_id: AllianceId(w.uuid()),
            specialty: dept(specialty),
            specialty_name: name.map(str::to_owned),
            specialty_sub_code: None,
            lead_org: dg_tcm.clone(),
            members: vec![AllianceMember {
                org: tr_tcm.clone(),
                tier: Some(Tier::City),
            }],
            formed_on: date!(2022 - 03 - 01),
            plaque_awarded: false,
        };
        let context = AllianceContext {
            supporting_orgs: supporting_orgs.clone(),
            registered_orgs: registered.clone(),
            existing_alliances: existing.clone(),
        };
        existing.push(alliance.key());
        w.run::<AllianceState>(
            &alliance.alliance_id.stream_id(),
            AllianceCommand::Form(alliance),
            context,
        );
    }
    assert_eq!(existing.len(), 5, "5个专科联盟");
    let again = AllianceFormed {
        alliance_id: AllianceId(w.uuid()),
        specialty: dept("50"),
        specialty_name: Some("脑病科".to_owned()),
        specialty_sub_code: None,
        lead_org: dg_tcm.clone(),
        members: vec![],
        formed_on: date!(2022 - 03 - 01),
        plaque_awarded: false,
    };
    let context = AllianceContext {
        supporting_orgs: supporting_orgs.clone(),
        registered_orgs: registered.clone(),
        existing_alliances: existing.clone(),
    };
    assert_eq!(
        w.refused::<AllianceState>(
            &again.alliance_id.stream_id(),
            AllianceCommand::Form(again),
            context
        ),
        "DUPLICATE_ALLIANCE"
    );
    // 5+3 名医工作站 at 铜仁市中医医院; 4 共建科室 between the two people's hospitals.
    let mut platforms = vec![(tcm, tr_tcm.clone(), PlatformKind::FamousDoctorStation, None); 8];
    for specialty in ["10", "03.06", "03.03", "19"] {
        platforms.push((
            people,
            tr_people.clone(),
            PlatformKind::CoBuiltDepartment,
            Some(dept(specialty)),
        ));
    }
    for (pairing_id, host, kind, specialty) in platforms {
        let platform = PlatformEstablished {
            platform_id: PlatformId(w.uuid()),
            pairing_id,
            kind,
            name: "共建平台".to_owned(),
            host_org: host,
            partners: vec![],
            specialty,
            established_on: date!(2022 - 05 - 01),
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

    // 镇街组团 1+N对1: a lead and two assisting town hospitals; the lead keeps ≥2, each assisting ≥1 on site.
    w.pairing_command(
        town,
        PairingCommand::FormGroup {
            lead_org: towns[0].clone(),
            assisting_orgs: towns[1..].to_vec(),
            formed_on: date!(2021 - 08 - 01),
        },
    );
    let town_batch = w.dispatch(town, 1, date!(2021 - 09 - 01), date!(2022 - 08 - 31));
    let mut lead_members = Vec::new();
    for (n, home) in [&towns[0], &towns[0], &towns[1], &towns[2]]
        .into_iter()
        .enumerate()
    {
        let who = person(&format!("dg-town-{n}"));
        lead_members.push(w.send(
            town_batch,
            &who,
            home,
            ProfessionalTitle::PHYSICIAN,
            &dept("02"),
            MemberRole::Clinical,
            date!(2021 - 09 - 01),
        ));
    }
    // An early recall of a lead member would leave one: refused until a successor is on site.
    let stream = lead_members[0].stream_id();
    let depart = DeploymentCommand::Depart {
        departed_on: date!(2022 - 01 - 31),
        reason: Some("召回".to_owned()),
    };
    let world_context = domain::aggregates::deployment::DeploymentContext {
        assignment: None,
        pairing: Some(w.pairing(town)),
        practitioner_stints: vec![],
        hospital_stints: w.stints(),
        post_holders: vec![],
    };
    assert_eq!(
        w.refused::<domain::aggregates::deployment::DeploymentState>(
            &stream,
            depart.clone(),
            world_context
        ),
        "GROUP_STAFFING_BELOW_MINIMUM"
    );
    let successor_batch = w.dispatch(town, 2, date!(2022 - 01 - 15), date!(2023 - 01 - 14));
    w.send(
        successor_batch,
        &person("dg-town-9"),
        &towns[0],
        ProfessionalTitle::PHYSICIAN,
        &dept("02"),
        MemberRole::Clinical,
        date!(2022 - 01 - 15),
    );
    w.deployment(lead_members[0], depart, None);

    // Funding: 200万 for the 万山 breast centre; its first grade-4 breast-cancer surgery in 铜仁.
    let funding_id = w.uuid();
    w.pairing_command(
        wanshan_pairing,
        PairingCommand::CommitFunding(
            FundingCommitted {
                pairing_id: wanshan_pairing,
                funding_id,
                recipient_org: wanshan.clone(),
                amount_fen: MoneyFen::from_yuan(2_000_000),
                source: FundingSource::EastWestCooperationFund,
                purpose: "共建乳腺中心".to_owned(),
                date: date!(2022 - 03 - 01),
            }
            .into(),
        ),
    );
    let wanshan_batch = w.dispatch(
        wanshan_pairing,
        1,
        date!(2022 - 03 - 01),
        date!(2023 - 02 - 28),
    );
    let surgeon = person("dg-breast-surgeon");
    w.send(
        wanshan_batch,
        &surgeon,
        &dg_people,
        ProfessionalTitle::CHIEF_PHYSICIAN,
        &dept("04.01"),
        MemberRole::Clinical,
        date!(2022 - 03 - 01),
    );
    let technique = w.introduce(
        &wanshan,
        "breast_cancer_radical_grade4",
        "乳腺癌四级手术",
        &dept("04.01"),
        date!(2022 - 06 - 01),
        &surgeon,
        TechniqueCategory::Grade4Surgery,
    );
    let gap = GapKey::new(
        GapLevel::Prefecture,
        GapRegion::Division(division("520600")),
        technique.technique.clone(),
    )
    .unwrap();
    let claim = GapFilled {
        gap: gap.clone(),
        hospital: wanshan.clone(),
        technique_introduced_on: date!(2022 - 06 - 01),
        claimed_on: date!(2022 - 06 - 10),
        evidence: vec![],
        region_name: None,
    };
    let context = GapContext {
        technique_introduced_on: w.introduced_on(&technique),
        hospital_division: Some(division("520603")),
        region_name: None,
    };
    w.run::<GapState>(&gap.stream_id(), GapCommand::Fill(claim.into()), context);

    // 东莞 has put 780万元 of fiscal and social funds together (财政资金和社会资金) into the city
    // pairing: one commitment, its source not split.
    let together_id = w.uuid();
    w.pairing_command(
        city,
        PairingCommand::CommitFunding(
            FundingCommitted {
                pairing_id: city,
                funding_id: together_id,
                recipient_org: tongren_bureau.clone(),
                amount_fen: MoneyFen::from_yuan(7_800_000),
                source: FundingSource::FiscalAndSocial,
                purpose: "支持重点帮扶医院项目建设".to_owned(),
                date: date!(2022 - 11 - 30),
            }
            .into(),
        ),
    );

    // Cumulative figures reported for the city pairing: 5993 surgeries, 1176 trainings (开展培训
    // 1176场), counted by the report rather than invented one by one.
    let ledger = ActivityLedgerId {
        pairing: city,
        period: PeriodKey::parse("2021_2022").unwrap(),
    };
    let report = ClinicalActivityReported {
        ledger: ledger.clone(),
        recipient_org: tongren_bureau.clone(),
        report_id: w.uuid(),
        reporter: dongguan_bureau.clone(),
        period_start: date!(2021 - 07 - 01),
        period_end: date!(2022 - 11 - 30),
        surgeries: Some(Count::exact(5993)),
        critical_rescues: None,
        outreach_clinics: None,
        patients_served: None,
        teleconsults: None,
        trainings: Some(Count::exact(1176)),
    };
    w.run::<ActivityState>(
        &ledger.stream_id(),
        ActivityCommand::ReportClinicalActivity(report.into()),
        ActivityContext {
            pairing: Some(w.pairing(city)),
        },
    );

    // The city pairing joins two health commissions, neither of them a hospital.
    assert_eq!(
        w.pairing(city).supporting_orgs,
        vec![dongguan_bureau.clone()]
    );
    for bureau in [&dongguan_bureau, &tongren_bureau] {
        let registered = w.hospital(bureau).registered.expect("registered");
        assert_eq!(registered.kind, OrganisationKind::HealthCommission);
        assert_eq!(registered.category, None);
    }
    assert_eq!(w.events_of("AllianceFormed").len(), 5);
    let kinds: Vec<_> = w
        .events_of("PlatformEstablished")
        .into_iter()
        .filter_map(|e| match e {
            domain::Event::PlatformEstablished(p) => Some(p.kind),
            _ => None,
        })
        .collect();
    assert_eq!(
        kinds
            .iter()
            .filter(|k| **k == PlatformKind::FamousDoctorStation)
            .count(),
        8
    );
    assert_eq!(
        kinds
            .iter()
            .filter(|k| **k == PlatformKind::CoBuiltDepartment)
            .count(),
        4
    );
    assert_eq!(
        w.stints().iter().filter(|s| s.hospital == tr_tcm).count(),
        15
    );
    assert!(w.pairing(town).group.is_some());
    assert_eq!(w.events_of("GapFilled").len(), 1);
    let funding =
        w.stream::<domain::aggregates::pairing::PairingState>(&wanshan_pairing.stream_id());
    assert_eq!(funding.state().funding_fen, 200_000_000);
    let city_stream = w.stream::<domain::aggregates::pairing::PairingState>(&city.stream_id());
    assert_eq!(city_stream.state().funding_fen, 780_000_000, "780万元");
    let reports = w.events_of("ClinicalActivityReported");
    let Some(domain::Event::ClinicalActivityReported(city_report)) = reports.first() else {
        panic!("the city report")
    };
    assert_eq!(city_report.trainings, Some(Count::exact(1176)), "1176场");
    assert!(w.events_of("TrainingDelivered").is_empty());
    assert_eq!(
        w.stream::<ActivityState>(&ledger.stream_id())
            .state()
            .surgeries(),
        Count::exact(5993)
    );
    assert!(
        w.events_of("PairingEstablished").iter().skip(2).all(|e| e
            .scope()
            .provinces
            .iter()
            .all(|p| p.as_str() == "520000"))
    );
}
