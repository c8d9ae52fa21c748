//! Collaboration network: seed 004 (泌尿外科培训基地, 康复联盟 across 市县乡村 tiers) and seed 003
//! (11 骨干 on 进修 at 5 affiliated hospitals).

use domain::Event;
use domain::aggregates::alliance::{
    AllianceFormed, AllianceMember, AllianceMembershipChanged, MembershipChange, Tier,
};
use domain::aggregates::platform::{PlatformEstablished, PlatformKind};
use domain::aggregates::study::{AdvancedStudyCompleted, AdvancedStudyStarted};
use domain::values::{AllianceId, PlatformId, StudyId};
use read_models::network::LinkKind;
use read_models::{PageRequest, network};
use time::macros::date;
use uuid::Uuid;

use crate::support::{Env, dept, on_both, org, pairing, pairing_id, person};

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
    let mut events: Vec<Event> = vec![
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

    let alliances = network::alliances(pool, &prefix, position, &PageRequest::first(10))
        .await
        .unwrap();
    assert_eq!(alliances.items.len(), 1);
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

    let links = network::links(pool, &prefix, position, &anshun.to_string())
        .await
        .unwrap()
        .value;
    let kinds: Vec<(String, LinkKind)> = links.iter().map(|l| (l.other.clone(), l.kind)).collect();
    assert!(kinds.contains(&(gy5.to_string(), LinkKind::Pairing)));
    assert!(kinds.contains(&(gy5.to_string(), LinkKind::Platform)));
    assert!(kinds.contains(&(village.to_string(), LinkKind::Alliance)));
    assert!(!kinds.iter().any(|(o, _)| *o == township.to_string()));
}
on_both!(alliances_platforms_and_study_flows);
