//! Seed 002: 镇街组团 "1+N对1": the lead hospital sends at least 2 staff, each assisting hospital at
//! least 1. A group whose second assisting hospital sent nobody is not staffed.

use domain::aggregates::pairing::GroupFormed;
use read_models::roster::{self, GroupRole};
use time::macros::date;

use crate::support::{Env, arrive, assignment, batch, hospital, on_both, org, pairing};

async fn one_plus_n_group_staffing(env: Env) {
    let town = org("520602", 9);
    let lead = org("441900", 11);
    let assist_a = org("441900", 12);
    let assist_b = org("441900", 13);
    let mut events = vec![
        // The second assisting hospital is not registered: its name is empty.
        hospital(&lead, "东莞市人民医院"),
        hospital(&assist_a, "东莞市中医院"),
        pairing(
            20,
            vec![lead.clone(), assist_a.clone(), assist_b.clone()],
            &town,
            None,
            date!(2021 - 06 - 01),
        ),
        GroupFormed {
            pairing_id: crate::support::pairing_id(20),
            recipient_org: town.clone(),
            lead_org: lead.clone(),
            assisting_orgs: vec![assist_a.clone(), assist_b.clone()],
            min_staff_lead: 2,
            min_staff_assisting: 1,
            formed_on: date!(2021 - 07 - 01),
        }
        .into(),
        batch(20, 1, &town, date!(2021 - 07 - 01), date!(2022 - 06 - 30)),
    ];
    let members = [(1, &lead), (2, &lead), (3, &assist_a)];
    for (n, home) in members {
        let a = assignment(
            20,
            1,
            2000 + n,
            &town,
            &format!("p-town-{n}"),
            home,
            233,
            "03",
            date!(2021 - 07 - 01),
            date!(2022 - 06 - 30),
        );
        events.extend(arrive(&a, date!(2021 - 07 - 01)));
    }
    env.append(events).await;
    let (prefix, position) = env.active("on_site_roster");
    let groups = roster::group_staffing(
        env.pool(),
        &prefix,
        position,
        &town.to_string(),
        date!(2021 - 09 - 01),
    )
    .await
    .unwrap();
    assert_eq!(groups.value.len(), 1);
    let group = &groups.value[0];
    let counts: Vec<(GroupRole, u32, u32)> = group
        .orgs
        .iter()
        .map(|o| (o.role, o.min_staff, o.on_site))
        .collect();
    assert_eq!(
        counts,
        vec![
            (GroupRole::Lead, 2, 2),
            (GroupRole::Assisting, 1, 1),
            (GroupRole::Assisting, 1, 0)
        ]
    );
    assert!(!group.staffed, "the second assisting hospital sent nobody");
    assert_eq!(group.lead_org_name, "东莞市人民医院");
    let names: Vec<&str> = group.orgs.iter().map(|o| o.org_name.as_str()).collect();
    assert_eq!(names, ["东莞市人民医院", "东莞市中医院", ""]);
}
on_both!(one_plus_n_group_staffing);
