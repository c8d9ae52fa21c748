//! Seed 000: 兰大一院 → 会宁县人民医院. On 2024-09-15 members of 第三批 and 第四批 are both on site;
//! 胡文滕 (主治医师, 胸外科) arrived 2024-07-25. The second batch's term ran out on 2024-02-29
//! with no departure recorded: "departure unconfirmed", not on site (issue 9 item 7).

use domain::Event;
use domain::aggregates::deployment::{MemberAppointedToPost, Post};
use domain::facts::Presence;
use read_models::PageRequest;
use read_models::roster::{self, RosterFilter};
use time::macros::date;

use crate::support::{
    Env, arrive, assignment, batch, depart, dept, hospital, on_both, org, pairing,
};

pub(crate) const PAIRING: u128 = 10;

pub(crate) fn scenario() -> Vec<Event> {
    let lzu = org("620102", 1);
    let huining = org("620422", 1);
    let mut events = vec![
        hospital(&lzu, "兰州大学第一医院"),
        hospital(&huining, "会宁县人民医院"),
        pairing(
            PAIRING,
            vec![lzu.clone()],
            &huining,
            None,
            date!(2022 - 01 - 01),
        ),
        batch(
            PAIRING,
            1,
            &huining,
            date!(2022 - 03 - 01),
            date!(2023 - 02 - 28),
        ),
        batch(
            PAIRING,
            2,
            &huining,
            date!(2023 - 03 - 01),
            date!(2024 - 02 - 29),
        ),
        batch(
            PAIRING,
            3,
            &huining,
            date!(2024 - 03 - 01),
            date!(2024 - 10 - 31),
        ),
        batch(
            PAIRING,
            4,
            &huining,
            date!(2024 - 07 - 20),
            date!(2025 - 07 - 24),
        ),
    ];
    let b2 = assignment(
        PAIRING,
        2,
        200,
        &huining,
        "p-b2-a",
        &lzu,
        232,
        "03.04",
        date!(2023 - 03 - 01),
        date!(2024 - 02 - 29),
    );
    let li = assignment(
        PAIRING,
        3,
        300,
        &huining,
        "p-li-guangjie",
        &lzu,
        232,
        "22",
        date!(2024 - 03 - 01),
        date!(2024 - 10 - 31),
    );
    let b3 = assignment(
        PAIRING,
        3,
        301,
        &huining,
        "p-b3-b",
        &lzu,
        233,
        "04.03",
        date!(2024 - 03 - 01),
        date!(2025 - 02 - 28),
    );
    let hu = assignment(
        PAIRING,
        4,
        400,
        &huining,
        "p-hu-wenteng",
        &lzu,
        233,
        "04.05",
        date!(2024 - 07 - 25),
        date!(2025 - 07 - 24),
    );
    let late = assignment(
        PAIRING,
        4,
        401,
        &huining,
        "p-b4-late",
        &lzu,
        232,
        "20",
        date!(2024 - 10 - 01),
        date!(2025 - 09 - 30),
    );
    events.extend(arrive(&b2, date!(2023 - 03 - 01)));
    // The second batch's term simply ran out on 2024-02-29: no departure is recorded for it.
    events.extend(arrive(&li, date!(2024 - 03 - 01)));
    events.push(
        MemberAppointedToPost {
            deployment_id: li.deployment_id,
            recipient_org: huining.clone(),
            post: Post::DepartmentHead,
            department: Some(dept("22")),
            from: date!(2024 - 03 - 05),
        }
        .into(),
    );
    events.extend(arrive(&b3, date!(2024 - 03 - 01)));
    events.push(depart(&b3, date!(2024 - 06 - 30), true));
    events.extend(arrive(&hu, date!(2024 - 07 - 25)));
    events.push(late.clone().into());
    events.extend(arrive(&late, date!(2024 - 10 - 01)).into_iter().skip(1));
    events
}

async fn roster_on_2024_09_15(env: Env) {
    let huining = org("620422", 1).to_string();
    env.append(scenario()).await;
    let (prefix, position) = env.active("on_site_roster");
    let day = date!(2024 - 09 - 15);

    let page = roster::on_site(
        env.pool(),
        &prefix,
        position,
        &huining,
        day,
        &RosterFilter::default(),
        &PageRequest::first(10),
    )
    .await
    .unwrap();
    let who: Vec<(&str, u32)> = page
        .items
        .iter()
        .map(|m| (m.practitioner.as_str(), m.batch_number))
        .collect();
    assert_eq!(who, vec![("p-li-guangjie", 3), ("p-hu-wenteng", 4)]);
    let li = &page.items[0];
    assert_eq!(li.title_name, "副主任医师");
    assert_eq!(li.department, "22");
    // Names beside the codes: the home hospital as registered, the department from 诊疗科目.
    assert_eq!(
        (li.home_org_name.as_str(), li.department_name),
        ("兰州大学第一医院", "运动医学科")
    );
    assert_eq!(li.posts.len(), 1);
    assert_eq!(li.posts[0].post, Post::DepartmentHead);
    assert_eq!(li.posts[0].department_name, "运动医学科");
    assert_eq!(li.days_remaining, 46);
    assert!(
        li.below_minimum_term,
        "8 months is below the 12-month minimum"
    );
    let hu = &page.items[1];
    assert_eq!(hu.title_name, "主治医师");
    assert_eq!(hu.department_name, "胸外科专业");
    assert_eq!(hu.days_remaining, 312);
    assert!(!hu.below_minimum_term);
    assert_eq!(page.position, position);

    // Paging: one at a time, the cursor resumes after the first member.
    let first = roster::on_site(
        env.pool(),
        &prefix,
        position,
        &huining,
        day,
        &RosterFilter::default(),
        &PageRequest::first(1),
    )
    .await
    .unwrap();
    assert_eq!(first.items.len(), 1);
    let next = PageRequest {
        page_size: 1,
        cursor: first.next_cursor.clone(),
    };
    let second = roster::on_site(
        env.pool(),
        &prefix,
        position,
        &huining,
        day,
        &RosterFilter::default(),
        &next,
    )
    .await
    .unwrap();
    assert_eq!(second.items[0].practitioner, "p-hu-wenteng");
    assert!(second.next_cursor.is_none());

    // Narrowed: thoracic surgery (胸外科, under 外科 04) and department heads.
    let surgery = RosterFilter {
        department: Some("04".into()),
        ..RosterFilter::default()
    };
    let page = roster::on_site(
        env.pool(),
        &prefix,
        position,
        &huining,
        day,
        &surgery,
        &PageRequest::first(10),
    )
    .await
    .unwrap();
    let who: Vec<&str> = page.items.iter().map(|m| m.practitioner.as_str()).collect();
    assert_eq!(who, vec!["p-hu-wenteng"]);
    let heads = RosterFilter {
        post: Some(Post::DepartmentHead),
        batch_number: Some(3),
        ..RosterFilter::default()
    };
    let page = roster::on_site(
        env.pool(),
        &prefix,
        position,
        &huining,
        day,
        &heads,
        &PageRequest::first(10),
    )
    .await
    .unwrap();
    let who: Vec<&str> = page.items.iter().map(|m| m.practitioner.as_str()).collect();
    assert_eq!(who, vec!["p-li-guangjie"]);

    // The second batch's member is past the planned end with no departure: not on site, but
    // listed as departure unconfirmed.
    let unconfirmed = roster::on_site(
        env.pool(),
        &prefix,
        position,
        &huining,
        day,
        &RosterFilter {
            presence: Some(Presence::DepartureUnconfirmed),
            ..RosterFilter::default()
        },
        &PageRequest::first(10),
    )
    .await
    .unwrap();
    let who: Vec<(&str, i64)> = unconfirmed
        .items
        .iter()
        .map(|m| (m.practitioner.as_str(), m.days_remaining))
        .collect();
    assert_eq!(who, vec![("p-b2-a", -199)]);
    assert_eq!(
        unconfirmed.items[0].presence,
        Presence::DepartureUnconfirmed
    );

    let batches = roster::batches_on_site(env.pool(), &prefix, position, &huining, day)
        .await
        .unwrap();
    let numbers: Vec<u32> = batches.value.iter().map(|b| b.batch_number).collect();
    assert_eq!(numbers, vec![3, 4], "第三批和第四批 are both on site");

    let below = roster::below_minimum_term(
        env.pool(),
        &prefix,
        position,
        &huining,
        &PageRequest::first(10),
    )
    .await
    .unwrap();
    let below: Vec<&str> = below
        .items
        .iter()
        .map(|b| b.practitioner.as_str())
        .collect();
    let mut below = below;
    below.sort_unstable();
    assert_eq!(below, vec!["p-b3-b", "p-li-guangjie"]);
}
on_both!(roster_on_2024_09_15);
