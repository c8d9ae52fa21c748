//! Seed 004: 广医五院 → 安顺 (粤黔协作): agreements of 2021, the 13-person visit of 2023-03-21..23,
//! the urology training base and alliance, and a rehabilitation alliance across 市县乡村.

use domain::aggregates::agreement::{
    AgreementCommand, AgreementContext, AgreementKind, AgreementSigned, AgreementState, Target,
};
use domain::aggregates::alliance::{
    AllianceCommand, AllianceContext, AllianceFormed, AllianceMember, AllianceState,
    MembershipChange, Tier,
};
use domain::aggregates::pairing::{
    Delegate, PairingCommand, PairingEstablished, ShortVisitConducted,
};
use domain::aggregates::platform::{
    PlatformCommand, PlatformContext, PlatformEstablished, PlatformKind, PlatformState,
};
use domain::aggregates::program::{IndicatorSet, ProgramDefined, ProgramKind, ProgramParameters};
use domain::values::{
    AgreementId, AllianceId, Count, CreditCode, PairingId, PlatformId, ProfessionalTitle, ProgramId,
};
use time::macros::date;

use super::world::World;
use crate::fixtures::{dept, division, indicator, org, parameters};

#[test]
fn seed_004_guangzhou_fifth_hospital_supports_anshun() {
    let mut w = World::default();
    let gy5 = org("440100", 50);
    let h302 = org("520400", 51);
    let xixiu = org("520402", 52);
    let township = org("520402", 53);
    let village = org("520402", 54);
    for (hospital, region) in [
        (&gy5, "440100"),
        (&h302, "520400"),
        (&xixiu, "520402"),
        (&township, "520402"),
        (&village, "520402"),
    ] {
        w.register(hospital, "医疗机构", region, date!(2020 - 01 - 01));
    }
    let program_id = ProgramId(w.uuid());
    // "一院一策": the indicator set names the specialties and the chest-pain centre.
    let indicators = IndicatorSet {
        version: "粤黔2021".to_owned(),
        indicators: vec![
            indicator("key_specialties"),
            indicator("talent_training"),
            indicator("research_projects"),
            indicator("chest_pain_centre"),
        ],
    };
    w.define(ProgramDefined {
        program_id,
        kind: ProgramKind::EastWestCooperation,
        name: "粤黔医疗卫生协作".to_owned(),
        policy_refs: vec!["2021-2025粤黔医疗卫生协作框架协议 (2021-09)".to_owned()],
        parameters: ProgramParameters {
            indicator_set: indicators.clone(),
            ..parameters()
        },
        defined_on: date!(2021 - 09 - 01),
    });
    let mut pairings = Vec::new();
    for (recipient, region) in [(&h302, "520400"), (&xixiu, "520402")] {
        let pairing_id = PairingId(w.uuid());
        w.establish(PairingEstablished {
            pairing_id,
            program_id,
            program_kind: ProgramKind::EastWestCooperation,
            parameters: parameters(),
            supporting_orgs: vec![gy5.clone()],
            recipient_org: recipient.clone(),
            parent_pairing_id: None,
            region_codes: vec![division(region)],
            start: date!(2021 - 10 - 01),
        });
        pairings.push(pairing_id);
    }
    // 2021: 帮扶协议 with both hospitals, one policy each.
    let targets: [(&CreditCode, &[&str]); 2] = [
        (
            &h302,
            &["key_specialties", "talent_training", "research_projects"],
        ),
        (&xixiu, &["chest_pain_centre"]),
    ];
    for (pairing_id, (recipient, codes)) in pairings.iter().zip(targets) {
        let agreement = AgreementSigned {
            agreement_id: AgreementId(w.uuid()),
            pairing_id: *pairing_id,
            recipient_org: recipient.clone(),
            kind: AgreementKind::AidAgreement,
            title: "帮扶协议".to_owned(),
            parties: vec![gy5.clone(), recipient.clone()],
            start: date!(2021 - 10 - 01),
            end: Some(date!(2025 - 12 - 31)),
            indicator_set: indicators.clone(),
            targets: codes
                .iter()
                .map(|c| Target {
                    indicator: indicator(c),
                    target: Count::exact(1),
                    due: date!(2025 - 12 - 31),
                })
                .collect(),
        };
        let context = AgreementContext {
            pairing: Some(w.pairing(*pairing_id)),
        };
        w.run::<AgreementState>(
            &agreement.agreement_id.stream_id(),
            AgreementCommand::Sign(agreement.into()),
            context,
        );
    }

    // 2023-03-21..23: a 13-person visit led by the president to both hospitals.
    for pairing_id in &pairings {
        let visit = ShortVisitConducted {
            pairing_id: *pairing_id,
            visit_id: w.uuid(),
            recipient_org: w.pairing(*pairing_id).recipient_org,
            delegation: (0..13)
                .map(|n| Delegate {
                    home_org: gy5.clone(),
                    title: (n == 0).then_some(ProfessionalTitle::CHIEF_PHYSICIAN),
                    specialty: None,
                })
                .collect(),
            start: date!(2023 - 03 - 21),
            end: date!(2023 - 03 - 23),
            activities: vec!["揭牌".to_owned(), "授牌".to_owned()],
        };
        w.pairing_command(*pairing_id, PairingCommand::RecordShortVisit(visit.into()));
    }

    // 03-22: the urology minimally-invasive training base is unveiled at 302 and the urology alliance gets its plaque.
    let base = PlatformEstablished {
        platform_id: PlatformId(w.uuid()),
        pairing_id: pairings[0],
        kind: PlatformKind::TrainingBase,
        name: "泌尿外科微创培训基地".to_owned(),
        host_org: h302.clone(),
        partners: vec![gy5.clone()],
        specialty: Some(dept("04.04")),
        established_on: date!(2023 - 03 - 22),
    };
    let context = PlatformContext {
        pairing: Some(w.pairing(pairings[0])),
    };
    w.run::<PlatformState>(
        &base.platform_id.stream_id(),
        PlatformCommand::Establish(base),
        context,
    );
    let registered = [&gy5, &h302, &xixiu, &township, &village]
        .into_iter()
        .cloned()
        .collect();
    let context = AllianceContext {
        supporting_orgs: [gy5.clone()].into_iter().collect(),
        registered_orgs: registered,
        existing_alliances: vec![],
    };
    let urology = AllianceFormed {
        alliance_id: AllianceId(w.uuid()),
        specialty: dept("04.04"),
        specialty_name: None,
        specialty_sub_code: None,
        lead_org: gy5.clone(),
        members: vec![
            AllianceMember {
                org: h302.clone(),
                tier: Some(Tier::City),
            },
            AllianceMember {
                org: xixiu.clone(),
                tier: Some(Tier::County),
            },
        ],
        formed_on: date!(2023 - 03 - 22),
        plaque_awarded: true,
    };
    w.run::<AllianceState>(
        &urology.alliance_id.stream_id(),
        AllianceCommand::Form(urology),
        context.clone(),
    );
    // The rehabilitation alliance spans city, county, township and village tiers.
    let rehab = AllianceFormed {
        alliance_id: AllianceId(w.uuid()),
        specialty: dept("21"),
        specialty_name: Some("康复医学".to_owned()),
        specialty_sub_code: None,
        lead_org: gy5.clone(),
        members: vec![
            AllianceMember {
                org: h302.clone(),
                tier: Some(Tier::City),
            },
            AllianceMember {
                org: xixiu.clone(),
                tier: Some(Tier::County),
            },
        ],
        formed_on: date!(2023 - 03 - 22),
        plaque_awarded: false,
    };
    let rehab_stream = rehab.alliance_id.stream_id();
    w.run::<AllianceState>(&rehab_stream, AllianceCommand::Form(rehab), context.clone());
    for (org, tier) in [(&township, Tier::Township), (&village, Tier::Village)] {
        let join = AllianceCommand::ChangeMembership {
            member: AllianceMember {
                org: org.clone(),
                tier: Some(tier),
            },
            change: MembershipChange::Joined,
            date: date!(2023 - 06 - 01),
        };
        w.run::<AllianceState>(&rehab_stream, join, context.clone());
    }

    let rehab_state = w.stream::<AllianceState>(&rehab_stream);
    let tiers: Vec<_> = rehab_state
        .state()
        .members
        .iter()
        .filter_map(|m| m.tier)
        .collect();
    assert_eq!(
        tiers,
        [Tier::City, Tier::County, Tier::Township, Tier::Village]
    );
    assert_eq!(w.events_of("AgreementSigned").len(), 2);
    assert_eq!(w.events_of("ShortVisitConducted").len(), 2);
    assert!(w.stints().is_empty(), "visits are not deployments");
    let plaque = w
        .events_of("AllianceFormed")
        .into_iter()
        .filter(|e| matches!(e, domain::Event::AllianceFormed(a) if a.plaque_awarded))
        .count();
    assert_eq!(plaque, 1);
    assert!(
        w.events_of("ShortVisitConducted").iter().all(|e| e
            .scope()
            .provinces
            .iter()
            .all(|p| p.as_str() == "520000"))
    );
}
