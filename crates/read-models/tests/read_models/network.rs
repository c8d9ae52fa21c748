//! Collaboration network: seed 004 (泌尿外科培训基地, 康复联盟 across 市县乡村 tiers) and seed 003
//! (11 骨干 on 进修 at 5 affiliated hospitals).

use std::collections::BTreeSet;

use domain::Event;
use domain::aggregates::alliance::{
    AllianceFormed, AllianceMember, AllianceMembershipChanged, MembershipChange, Tier,
};
use domain::aggregates::platform::{PlatformEstablished, PlatformKind};
use domain::aggregates::study::{AdvancedStudyCompleted, AdvancedStudyStarted};
use domain::values::{AllianceId, CreditCode, PlatformId, StudyId};
use read_models::network::{AllianceFilter, LinkKind};
use read_models::{PageRequest, network};
use time::macros::date;
use uuid::Uuid;

use crate::support::{Env, dept, hospital, on_both, org, pairing, pairing_id, person};

async fn alliances_platforms_and_study_flows(env: Env) {
    let gy5 = org("440100", 5); // 广医五院
    let anshun = org("520402", 302); // 三〇二医院
    let xixiu = org("520402", 1); // 西秀区人民医院
    let township = org("520402", 77);
    let village = org("520402", 78);
    let zju = [
        org("330106", 1),
        org("330106", 2),
        org("330106", 3),
        org("330106", 4),
        org("330106", 5),
    ];
    let yishi = org("659002", 1);
    // The village clinic, the trainees' hospital and four of the five hosts are not registered.
    let mut events: Vec<Event> = vec![
        hospital(&gy5, "广州医科大学附属第五医院"),
        hospital(&anshun, "三〇二医院"),
        hospital(&xixiu, "西秀区人民医院"),
        hospital(&zju[0], "浙江大学医学院附属第一医院"),
        pairing(40, vec![gy5.clone()], &anshun, None, date!(2021 - 09 - 01)),
        PlatformEstablished {
            platform_id: PlatformId(Uuid::from_u128(41)),
            pairing_id: pairing_id(40),
            kind: PlatformKind::TrainingBase,
            name: "泌尿外科微创培训基地".into(),
            host_org: anshun.clone(),
            partners: vec![gy5.clone()],
            specialty: Some(dept("04.04")),
            established_on: date!(2023 - 03 - 22),
        }
        .into(),
        AllianceFormed {
            alliance_id: AllianceId(Uuid::from_u128(42)),
            specialty: dept("21"),
            specialty_name: None,
            specialty_sub_code: None,
            lead_org: anshun.clone(),
            members: vec![
                AllianceMember {
                    org: xixiu.clone(),
                    tier: Some(Tier::County),
                },
                AllianceMember {
                    org: township.clone(),
                    tier: Some(Tier::Township),
                },
            ],
            formed_on: date!(2023 - 03 - 22),
            plaque_awarded: true,
        }
        .into(),
        AllianceMembershipChanged {
            alliance_id: AllianceId(Uuid::from_u128(42)),
            member: AllianceMember {
                org: village.clone(),
                tier: Some(Tier::Village),
            },
            change: MembershipChange::Joined,
            date: date!(2023 - 06 - 01),
        }
        .into(),
        AllianceMembershipChanged {
            alliance_id: AllianceId(Uuid::from_u128(42)),
            member: AllianceMember {
                org: township.clone(),
                tier: Some(Tier::Township),
            },
            change: MembershipChange::Left,
            date: date!(2024 - 01 - 01),
        }
        .into(),
    ];
    // Seed 003: 11 骨干 go for 进修 at 5 affiliated hospitals; 6 have completed.
    for i in 0..11u32 {
        let host = zju[(i % 5) as usize].clone();
        events.push(
            AdvancedStudyStarted {
                study_id: StudyId(Uuid::from_u128(4300 + u128::from(i))),
                trainee: person(&format!("p-yishi-gugan-{i}")),
                trainee_org: yishi.clone(),
                host_org: host.clone(),
                department: dept("03.04"),
                start: date!(2016 - 09 - 01),
                planned_end: date!(2017 - 02 - 28),
                cohort: Some("2016".into()),
            }
            .into(),
        );
        if i < 6 {
            events.push(
                AdvancedStudyCompleted {
                    study_id: StudyId(Uuid::from_u128(4300 + u128::from(i))),
                    trainee_org: yishi.clone(),
                    host_org: host,
                    completed_on: date!(2017 - 02 - 28),
                }
                .into(),
            );
        }
    }
    env.append(events).await;
    let (prefix, position) = env.active("collaboration_network");
    let pool = env.pool();

    let alliances = network::alliances(
        pool,
        &prefix,
        position,
        &AllianceFilter::default(),
        &PageRequest::first(10),
    )
    .await
    .unwrap();
    assert_eq!(alliances.items.len(), 1);
    assert_eq!(
        (
            alliances.items[0].specialty_name.as_str(),
            &alliances.items[0].sub_code
        ),
        ("康复医学科", &None),
        "an alliance without a name of its own is named after its department"
    );
    let mut members = alliances.items[0].members.clone();
    members.sort_by(|a, b| a.0.cmp(&b.0));
    let mut expected = vec![
        (xixiu.to_string(), Some(Tier::County)),
        (village.to_string(), Some(Tier::Village)),
    ];
    expected.sort_by(|a, b| a.0.cmp(&b.0));
    assert_eq!(
        members, expected,
        "the township member left; the village member joined"
    );
    // Names beside the codes, the members' in the order of members.
    let alliance = &alliances.items[0];
    assert_eq!(alliance.lead_org_name, "三〇二医院");
    let member_names: Vec<(&str, &str)> = alliance
        .member_names
        .iter()
        .map(|n| (n.org.as_str(), n.name.as_str()))
        .collect();
    let in_order: Vec<&str> = alliance.members.iter().map(|(o, _)| o.as_str()).collect();
    assert_eq!(
        member_names.iter().map(|(o, _)| *o).collect::<Vec<_>>(),
        in_order
    );
    let mut member_names = member_names;
    member_names.sort_unstable();
    let mut expected_names = [
        (xixiu.to_string(), "西秀区人民医院"),
        (village.to_string(), ""),
    ];
    expected_names.sort_unstable();
    assert_eq!(
        member_names,
        expected_names
            .iter()
            .map(|(o, n)| (o.as_str(), *n))
            .collect::<Vec<_>>()
    );

    let bases = network::platforms(
        pool,
        &prefix,
        position,
        Some(&anshun.to_string()),
        Some(PlatformKind::TrainingBase),
        &PageRequest::first(10),
    )
    .await
    .unwrap();
    assert_eq!(bases.items.len(), 1);
    assert_eq!(bases.items[0].partners, vec![gy5.to_string()]);
    let base = &bases.items[0];
    assert_eq!(
        (
            base.host_org_name.as_str(),
            base.specialty_name,
            base.partner_names
                .iter()
                .map(|n| n.name.as_str())
                .collect::<Vec<_>>()
        ),
        (
            "三〇二医院",
            "泌尿外科专业",
            vec!["广州医科大学附属第五医院"]
        )
    );
    let none = network::platforms(
        pool,
        &prefix,
        position,
        None,
        Some(PlatformKind::CoBuiltDepartment),
        &PageRequest::first(10),
    )
    .await
    .unwrap();
    assert!(none.items.is_empty());

    let flows = network::study_flows(pool, &prefix, position)
        .await
        .unwrap()
        .value;
    assert_eq!(flows.len(), 5, "to 5 affiliated hospitals");
    assert_eq!(flows.iter().map(|f| f.started).sum::<u64>(), 11);
    assert_eq!(flows.iter().map(|f| f.completed).sum::<u64>(), 6);
    let named: Vec<(&str, &str)> = flows
        .iter()
        .filter(|f| !f.host_org_name.is_empty())
        .map(|f| (f.trainee_org_name.as_str(), f.host_org_name.as_str()))
        .collect();
    assert_eq!(
        named,
        [("", "浙江大学医学院附属第一医院")],
        "one host registered, the trainees' hospital not"
    );

    let links = network::links(pool, &prefix, position, &anshun.to_string())
        .await
        .unwrap()
        .value;
    let kinds: Vec<(String, LinkKind)> = links.iter().map(|l| (l.other.clone(), l.kind)).collect();
    assert!(kinds.contains(&(gy5.to_string(), LinkKind::Pairing)));
    assert!(kinds.contains(&(gy5.to_string(), LinkKind::Platform)));
    assert!(kinds.contains(&(village.to_string(), LinkKind::Alliance)));
    assert!(!kinds.iter().any(|(o, _)| *o == township.to_string()));
    let names: BTreeSet<(String, String)> = links
        .iter()
        .map(|l| (l.other.clone(), l.other_name.clone()))
        .collect();
    assert_eq!(
        names,
        BTreeSet::from([
            (gy5.to_string(), "广州医科大学附属第五医院".to_owned()),
            (xixiu.to_string(), "西秀区人民医院".to_owned()),
            (village.to_string(), String::new()),
        ])
    );
}
on_both!(alliances_platforms_and_study_flows);

/// Seed 002: 东莞市中医院 leads 脑病科, 心病科 and 治未病科 alliances, all under 50 中医科, with
/// 铜仁市中医医院; another lead's 中医科 alliance (no name of its own) and a 骨科 one beside them.
async fn tcm_alliances_by_name_and_filters(env: Env) {
    let dg_tcm = org("441900", 1);
    let dg_people = org("441900", 2);
    let tr_tcm = org("520602", 1);
    let other = org("520602", 2);
    let formed = |id: u128,
                  lead: &CreditCode,
                  specialty: &str,
                  name: Option<&str>,
                  member: &CreditCode|
     -> Event {
        AllianceFormed {
            alliance_id: AllianceId(Uuid::from_u128(id)),
            specialty: dept(specialty),
            specialty_name: name.map(str::to_owned),
            specialty_sub_code: name.map(|_| format!("TCM-{id}")),
            lead_org: lead.clone(),
            members: vec![AllianceMember {
                org: member.clone(),
                tier: Some(Tier::City),
            }],
            formed_on: date!(2022 - 03 - 01),
            plaque_awarded: false,
        }
        .into()
    };
    env.append(vec![
        formed(101, &dg_tcm, "50", Some("脑病科"), &tr_tcm),
        formed(102, &dg_tcm, "50", Some("心病科"), &tr_tcm),
        formed(103, &dg_tcm, "50", Some("治未病科"), &tr_tcm),
        formed(104, &dg_tcm, "04.03", None, &tr_tcm),
        formed(105, &dg_people, "50", None, &other),
    ])
    .await;
    let (prefix, position) = env.active("collaboration_network");
    let list = |filter: AllianceFilter| {
        let prefix = prefix.clone();
        let env = &env;
        async move {
            network::alliances(
                env.pool(),
                &prefix,
                position,
                &filter,
                &PageRequest::first(10),
            )
            .await
            .unwrap()
            .items
            .into_iter()
            .map(|a| (a.specialty, a.specialty_name, a.sub_code))
            .collect::<Vec<_>>()
        }
    };
    let tcm_of_dg = list(AllianceFilter {
        lead_org: Some(dg_tcm.to_string()),
        specialty: Some("50".into()),
        ..AllianceFilter::default()
    })
    .await;
    assert_eq!(
        tcm_of_dg,
        vec![
            ("50".into(), "脑病科".into(), Some("TCM-101".into())),
            ("50".into(), "心病科".into(), Some("TCM-102".into())),
            ("50".into(), "治未病科".into(), Some("TCM-103".into())),
        ]
    );
    let of_tr_tcm = list(AllianceFilter {
        member_org: Some(tr_tcm.to_string()),
        ..AllianceFilter::default()
    })
    .await;
    assert_eq!(
        of_tr_tcm.len(),
        4,
        "铜仁市中医医院 is a member of all four of 东莞市中医院"
    );
    let all_tcm = list(AllianceFilter {
        specialty: Some("50".into()),
        ..AllianceFilter::default()
    })
    .await;
    assert_eq!(all_tcm.len(), 4);
    assert_eq!(all_tcm[3].1, "中医科", "named after its department");
    let orthopaedics = list(AllianceFilter {
        specialty: Some("04".into()),
        ..AllianceFilter::default()
    })
    .await;
    assert_eq!(orthopaedics.len(), 1, "04 matches its sub-department 04.03");
    let nothing = list(AllianceFilter {
        lead_org: Some(dg_people.to_string()),
        member_org: Some(tr_tcm.to_string()),
        ..AllianceFilter::default()
    })
    .await;
    assert!(nothing.is_empty());
}
on_both!(tcm_alliances_by_name_and_filters);
