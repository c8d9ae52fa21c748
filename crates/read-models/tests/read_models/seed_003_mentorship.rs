//! Seed 003: 浙江 → 一师医院 (组团式援疆). 30 young doctors paired "一对一" with experts of the first
//! batch; 20 now work independently. One expert left without a handover (orphan); one handed over
//! to a colleague; two handed over to the same expert, who then exceeds the program's ratio limit.

use domain::Event;
use domain::aggregates::mentorship::{
    ApprenticeDeclaredIndependent, ApprenticeMilestoneRecorded, IndependenceScope,
    MentorshipHandedOver, MentorshipPaired, MilestoneKind,
};
use domain::values::MentorshipId;
use read_models::mentorship_board;
use time::macros::date;
use uuid::Uuid;

use crate::support::{Env, arrive, assignment, depart, dept, on_both, org, pairing, person};

const PAIRING: u128 = 30;

fn mentorship_id(i: u32) -> MentorshipId {
    MentorshipId(Uuid::from_u128(30_000 + u128::from(i)))
}

fn expert(i: u32) -> String {
    format!("p-zj-expert-{i}")
}

pub(crate) fn scenario() -> Vec<Event> {
    let zju = org("330106", 1);
    let yishi = org("659002", 1);
    let mut events = vec![pairing(
        PAIRING,
        vec![zju.clone()],
        &yishi,
        None,
        date!(2016 - 04 - 01),
    )];
    let handover = |i: u32, to: u32| -> Event {
        MentorshipHandedOver {
            mentorship_id: mentorship_id(i),
            recipient_org: yishi.clone(),
            from_mentor: person(&expert(i)),
            to_mentor: person(&expert(to)),
            date: date!(2016 - 10 - 30),
        }
        .into()
    };
    for i in 0..30u32 {
        let a = assignment(
            PAIRING,
            1,
            30_100 + u128::from(i),
            &yishi,
            &expert(i),
            &zju,
            231,
            "03.04",
            date!(2016 - 04 - 23),
            date!(2017 - 04 - 22),
        );
        events.extend(arrive(&a, date!(2016 - 04 - 23)));
        if matches!(i, 0 | 1 | 4 | 5) {
            events.push(depart(&a, date!(2016 - 10 - 31), true));
        }
        events.push(
            MentorshipPaired {
                mentorship_id: mentorship_id(i),
                mentor: person(&expert(i)),
                apprentice: person(&format!("p-yishi-{i:02}")),
                recipient_org: yishi.clone(),
                department: dept("03.04"),
                start: date!(2016 - 05 - 01),
                plan: "导师带徒实施办法".into(),
            }
            .into(),
        );
        match i {
            1 => events.push(handover(1, 2)),
            4 | 5 => events.push(handover(i, 3)),
            _ => {}
        }
        if i == 0 {
            for kind in [
                MilestoneKind::Lecture,
                MilestoneKind::WardRound,
                MilestoneKind::SupervisedSurgery,
            ] {
                events.push(
                    ApprenticeMilestoneRecorded {
                        mentorship_id: mentorship_id(0),
                        recipient_org: yishi.clone(),
                        kind,
                        date: date!(2016 - 06 - 01),
                    }
                    .into(),
                );
            }
        }
        if i >= 10 {
            events.push(
                ApprenticeDeclaredIndependent {
                    mentorship_id: mentorship_id(i),
                    recipient_org: yishi.clone(),
                    apprentice: person(&format!("p-yishi-{i:02}")),
                    scope: IndependenceScope::Department(dept("03.04")),
                    assessor: person(&expert(i)),
                    date: date!(2017 - 03 - 01),
                }
                .into(),
            );
        }
    }
    events
}

async fn thirty_pairs_twenty_independent(env: Env) {
    env.append(scenario()).await;
    let (prefix, position) = env.active("mentorship_board");
    let yishi = org("659002", 1).to_string();
    let board =
        mentorship_board::board(env.pool(), &prefix, position, &yishi, date!(2017 - 03 - 15))
            .await
            .unwrap();
    assert_eq!(board.position, position);
    let board = board.value;
    assert_eq!(
        (board.independent, board.pairs),
        (20, 30),
        "20 of 30 work independently"
    );
    assert_eq!(board.independence.len(), 20);

    let orphans: Vec<&str> = board
        .orphaned
        .iter()
        .map(|o| o.apprentice.as_str())
        .collect();
    assert_eq!(
        orphans,
        vec!["p-yishi-00"],
        "expert 0 left without a handover"
    );

    let row = |m: &str| board.mentors.iter().find(|r| r.mentor == m).unwrap();
    assert_eq!(
        row(&expert(2)).apprentices,
        vec!["p-yishi-01", "p-yishi-02"]
    );
    assert!(!row(&expert(2)).over_limit);
    assert_eq!(row(&expert(3)).apprentices.len(), 3);
    assert!(
        row(&expert(3)).over_limit,
        "3 apprentices against a limit of 2"
    );
    assert_eq!(row(&expert(3)).limit, Some(2));
    assert!(!row(&expert(0)).on_site);
    // Mentors of independent apprentices only are not on the board.
    assert!(board.mentors.iter().all(|r| r.mentor != expert(15)));
    assert_eq!(board.mentors.len(), 7);

    // Before the declarations nobody is independent.
    let earlier =
        mentorship_board::board(env.pool(), &prefix, position, &yishi, date!(2016 - 09 - 01))
            .await
            .unwrap()
            .value;
    assert_eq!((earlier.independent, earlier.pairs), (0, 30));
    assert!(earlier.orphaned.is_empty());

    let milestones =
        mentorship_board::milestones(env.pool(), &prefix, position, &mentorship_id(0).to_string())
            .await
            .unwrap()
            .value;
    let kinds: Vec<MilestoneKind> = milestones.iter().map(|m| m.kind).collect();
    assert_eq!(
        kinds,
        vec![
            MilestoneKind::Lecture,
            MilestoneKind::WardRound,
            MilestoneKind::SupervisedSurgery
        ]
    );
}
on_both!(thirty_pairs_twenty_independent);

/// Seed 000: 胡文滕 (arrived 2024-07-25) mentors 王顺成 and 王季元 in 胸外科, ratio 1:2; when he leaves
/// without a handover both are left without an on-site mentor.
async fn huining_one_mentor_two_apprentices(env: Env) {
    let lzu = org("620102", 1);
    let huining = org("620422", 1);
    let hu = assignment(
        10,
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
    let mut events = vec![pairing(
        10,
        vec![lzu.clone()],
        &huining,
        None,
        date!(2022 - 01 - 01),
    )];
    events.extend(arrive(&hu, date!(2024 - 07 - 25)));
    for (n, apprentice) in [(0u32, "p-wang-shuncheng"), (1, "p-wang-jiyuan")] {
        let id = mentorship_id(100 + n);
        events.push(
            MentorshipPaired {
                mentorship_id: id,
                mentor: person("p-hu-wenteng"),
                apprentice: person(apprentice),
                recipient_org: huining.clone(),
                department: dept("04.05"),
                start: date!(2024 - 08 - 01),
                plan: "师带徒".into(),
            }
            .into(),
        );
        for kind in [
            MilestoneKind::Lecture,
            MilestoneKind::WardRound,
            MilestoneKind::SupervisedSurgery,
            MilestoneKind::SimulationDrill,
            MilestoneKind::SkillsContest,
            MilestoneKind::StudyVisit,
        ] {
            events.push(
                ApprenticeMilestoneRecorded {
                    mentorship_id: id,
                    recipient_org: huining.clone(),
                    kind,
                    date: date!(2024 - 09 - 01),
                }
                .into(),
            );
        }
    }
    // No departure recorded: the terms end at their planned end (2025-07-24) all the same.
    env.append(events).await;
    let (prefix, position) = env.active("mentorship_board");
    let on_site = mentorship_board::board(
        env.pool(),
        &prefix,
        position,
        &huining.to_string(),
        date!(2024 - 09 - 15),
    )
    .await
    .unwrap()
    .value;
    assert_eq!(on_site.mentors.len(), 1);
    let row = &on_site.mentors[0];
    assert_eq!(row.apprentices, vec!["p-wang-jiyuan", "p-wang-shuncheng"]);
    assert_eq!(row.limit, Some(2));
    assert!(row.on_site && !row.over_limit, "1:2 is within the limit");
    assert!(on_site.orphaned.is_empty());
    let milestones = mentorship_board::milestones(
        env.pool(),
        &prefix,
        position,
        &mentorship_id(100).to_string(),
    )
    .await
    .unwrap()
    .value;
    assert_eq!(milestones.len(), 6);

    let after = mentorship_board::board(
        env.pool(),
        &prefix,
        position,
        &huining.to_string(),
        date!(2025 - 08 - 01),
    )
    .await
    .unwrap()
    .value;
    assert_eq!(after.orphaned.len(), 2, "胡文滕 left without a handover");
    assert!(!after.mentors[0].on_site);
}
on_both!(huining_one_mentor_two_apprentices);
