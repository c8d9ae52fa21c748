//! Seed 002: the pairing scoreboard of 东莞 → 铜仁 checked against the article's cumulative figures
//! (39 hospitals paired with 33; 129 staff; 5993 surgeries; 1176 trainings; 122 techniques; 117 gaps).

use domain::events::{EventCorrected, EventRef, EventRetracted};
use read_models::{PageRequest, scoreboard};
use time::macros::date;

use crate::seed_002_facts::{CITY, COUNTY, ledger, report, scenario, technique};
use crate::support::{Env, on_both, pairing_id};

async fn dongguan_tongren_cumulative_figures(env: Env) {
    env.append(scenario()).await;
    let (prefix, position) = env.active("pairing_scoreboard");
    let board =
        scoreboard::scoreboard(env.pool(), &prefix, position, &pairing_id(CITY).to_string())
            .await
            .unwrap()
            .value;
    assert_eq!(board.pairings, 41);
    assert_eq!(
        (board.supporting_hospitals, board.recipient_hospitals),
        (39, 33),
        "39 hospitals paired with 33"
    );
    assert_eq!(board.staff_people, 129);
    assert_eq!(board.staff_terms, 130);
    assert_eq!(board.surgeries.value, 5993);
    assert!(!board.surgeries.at_least);
    assert_eq!(board.critical_rescues.value, 2038);
    assert!(
        board.critical_rescues.at_least,
        "2000余 keeps its comparator"
    );
    assert_eq!(board.trainings, 1176);
    assert_eq!(board.techniques, 122);
    assert_eq!(board.gaps_filled, 117);
    assert_eq!(board.alliances, 5);
    assert_eq!(board.co_built_departments, 4);
    assert_eq!(board.funding_fen, 980_000_000);

    // The county pairing rolls up only its own 20 leaves.
    let county = scoreboard::scoreboard(
        env.pool(),
        &prefix,
        position,
        &pairing_id(COUNTY).to_string(),
    )
    .await
    .unwrap()
    .value;
    assert_eq!(county.pairings, 21);
    assert_eq!(county.supporting_hospitals, 20);
    assert_eq!(county.surgeries.value, 20 * 153 + 26);
    assert_eq!(county.funding_fen, 780_000_000);

    // The city pairing's direct children: the county pairing and the 19 hospital pairings under the
    // city itself, in two pages whose figures add up to the city's.
    let first = scoreboard::children(
        env.pool(),
        &prefix,
        position,
        &pairing_id(CITY).to_string(),
        &PageRequest::first(10),
    )
    .await
    .unwrap();
    let next = PageRequest {
        page_size: 10,
        cursor: first.next_cursor.clone(),
    };
    let second = scoreboard::children(
        env.pool(),
        &prefix,
        position,
        &pairing_id(CITY).to_string(),
        &next,
    )
    .await
    .unwrap();
    assert!(second.next_cursor.is_none());
    let children: Vec<_> = first.items.iter().chain(&second.items).collect();
    assert_eq!(children.len(), 20);
    assert_eq!(
        children.iter().map(|c| c.surgeries.value).sum::<u64>(),
        5993
    );
    assert_eq!(children.iter().map(|c| c.staff_terms).sum::<usize>(), 130);

    // A retracted technique and a corrected report change the figures.
    let retracted = technique(0, date!(2022 - 01 - 10));
    env.append(vec![
        EventRetracted {
            target: EventRef {
                stream: retracted.stream_id(),
                version: 1,
            },
            target_type: "TechniqueIntroduced".into(),
            target_scope: retracted.scope(),
            target_occurred_at: retracted.occurred_at(),
            reason: "not new at this hospital".into(),
        }
        .into(),
        EventCorrected {
            target: EventRef {
                stream: ledger(0).stream_id(),
                version: 1,
            },
            replacement: Box::new(report(0, 186)),
            replacement_schema_version: 2,
            reason: "typo".into(),
        }
        .into(),
    ])
    .await;
    let (prefix, position) = env.active("pairing_scoreboard");
    let board =
        scoreboard::scoreboard(env.pool(), &prefix, position, &pairing_id(CITY).to_string())
            .await
            .unwrap()
            .value;
    assert_eq!(board.techniques, 121);
    assert_eq!(board.surgeries.value, 6000);
}
on_both!(dongguan_tongren_cumulative_figures);
