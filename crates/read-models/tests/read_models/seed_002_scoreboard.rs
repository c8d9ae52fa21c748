//! Seed 002: the pairing scoreboard of 东莞 → 铜仁 checked against the article's cumulative figures
//! (39 hospitals paired with 33; 129 staff; 5993 surgeries; 1176 trainings; 122 techniques; 117 gaps).

use domain::events::{EventCorrected, EventRef, EventRetracted};
use read_models::{PageRequest, scoreboard};
use time::macros::date;

use domain::aggregates::activity::ClinicalActivityReported;
use domain::values::{ActivityLedgerId, Count, PeriodKey};
use uuid::Uuid;

use crate::seed_002_facts::{
    CITY, COUNTY, leaf, ledger, recipient, report, scenario, supporting, technique,
};
use crate::support::{Env, on_both, org, pairing_id};

async fn dongguan_tongren_cumulative_figures(env: Env) {
    env.append(scenario()).await;
    let (prefix, position) = env.active("pairing_scoreboard");
    let board =
        scoreboard::scoreboard(env.pool(), &prefix, position, &pairing_id(CITY).to_string())
            .await
            .unwrap()
            .value;
    assert_eq!(board.pairings, 41);
    // The pairing's own parties, with the names they are registered under.
    let parties = |b: &scoreboard::Scoreboard| {
        let supporting: Vec<(String, String)> = b
            .supporting_orgs
            .iter()
            .map(|o| (o.org.clone(), o.name.clone()))
            .collect();
        (
            (b.recipient_org.org.clone(), b.recipient_org.name.clone()),
            supporting,
        )
    };
    assert_eq!(
        parties(&board),
        (
            (org("520600", 1).to_string(), "铜仁市卫生健康局".to_owned()),
            vec![(org("441900", 1).to_string(), "东莞市卫生健康局".to_owned())]
        )
    );
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
    assert_eq!(
        board.reported_trainings.value, 0,
        "no report counts trainings"
    );
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
    // An unregistered party has an empty name.
    assert_eq!(
        parties(&county),
        (
            (
                org("520627", 1).to_string(),
                "沿河土家族自治县人民医院".to_owned()
            ),
            vec![(org("441900", 2).to_string(), String::new())]
        )
    );
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
            replacement_schema_version: 3,
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

/// A report on `pairing` stating surgeries and trainings, as the article's cumulative figures are.
fn stated(pairing: u128, n: u128, surgeries: Count, trainings: Count) -> domain::Event {
    ClinicalActivityReported {
        ledger: ActivityLedgerId {
            pairing: crate::support::pairing_id(pairing),
            period: PeriodKey::parse("2024").unwrap(),
        },
        recipient_org: recipient(0),
        report_id: Uuid::from_u128(60_000 + n),
        reporter: supporting(0),
        period_start: date!(2021 - 06 - 01),
        period_end: date!(2024 - 03 - 31),
        surgeries: Some(surgeries),
        critical_rescues: None,
        outreach_clinics: None,
        patients_served: None,
        teleconsults: None,
        trainings: Some(trainings),
    }
    .into()
}

async fn reported_and_itemized_figures_count_once(env: Env) {
    // Issue 9 item 10. The leaves report 5993 surgeries and record 1176 trainings one by one; 东莞
    // then reports the city's cumulative figures on the city pairing (5993台, 1176场), and one
    // hospital pairing under the county reports "30余场" of its own.
    let mut events = scenario();
    events.push(stated(CITY, 1, Count::exact(5993), Count::exact(1176)));
    events.push(stated(leaf(0), 2, Count::exact(0), Count::at_least(30)));
    env.append(events).await;
    let (prefix, position) = env.active("pairing_scoreboard");
    let board_of = |id: u128| {
        let prefix = prefix.clone();
        let pool = env.pool().clone();
        async move {
            scoreboard::scoreboard(&pool, &prefix, position, &pairing_id(id).to_string())
                .await
                .unwrap()
                .value
        }
    };
    let city = board_of(CITY).await;
    // The city's report covers the leaves' reports: counted once, not 11986.
    assert_eq!(city.surgeries.value, 5993);
    assert!(!city.surgeries.at_least);
    // Itemized and reported trainings side by side, never added (not 2352).
    assert_eq!(city.trainings, 1176);
    assert_eq!(
        (
            city.reported_trainings.value,
            city.reported_trainings.at_least
        ),
        (1176, false)
    );
    // The county has no report of its own: its leaves' reports add up.
    let county = board_of(COUNTY).await;
    assert_eq!(county.surgeries.value, 20 * 153 + 26);
    assert_eq!(
        (
            county.reported_trainings.value,
            county.reported_trainings.at_least
        ),
        (30, true),
        "30余场 keeps its comparator"
    );
    assert_eq!(county.trainings, 6 * 31 + 14 * 30);
    let hospital = board_of(leaf(0)).await;
    assert_eq!(hospital.surgeries.value, 153 + 26);
}
on_both!(reported_and_itemized_figures_count_once);
