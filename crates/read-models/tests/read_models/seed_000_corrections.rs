//! Seed 000 amended: a retracted arrival, a corrected departure and a corrected assignment change
//! the roster exactly as if the amended facts had been recorded in the first place.

use domain::aggregates::batch::MemberAssigned;
use domain::events::{EventCorrected, EventRef, EventRetracted};
use domain::values::ProfessionalTitle;
use read_models::PageRequest;
use read_models::roster::{self, RosterFilter};
use time::macros::date;

use crate::support::{Env, arrive, assignment, depart, on_both, org};

use crate::seed_000_roster::{PAIRING, scenario};

async fn retraction_and_correction_change_the_roster(env: Env) {
    let huining = org("620422", 1);
    let lzu = org("620102", 1);
    env.append(scenario()).await;
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
    let arrival = arrive(&hu, date!(2024 - 07 - 25)).remove(1);
    let departure = depart(&b3, date!(2024 - 06 - 30), true);
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
    env.append(vec![
        EventRetracted {
            target: EventRef {
                stream: arrival.stream_id(),
                version: 1,
            },
            target_type: "MemberArrived".into(),
            target_scope: arrival.scope(),
            target_occurred_at: arrival.occurred_at(),
            reason: "recorded against the wrong hospital".into(),
        }
        .into(),
        EventCorrected {
            target: EventRef {
                stream: li.batch.stream_id(),
                version: 2,
            },
            replacement: Box::new(
                MemberAssigned {
                    title: ProfessionalTitle::CHIEF_PHYSICIAN,
                    ..li.clone()
                }
                .into(),
            ),
            replacement_schema_version: 1,
            reason: "title misread".into(),
        }
        .into(),
        EventCorrected {
            target: EventRef {
                stream: departure.stream_id(),
                version: 2,
            },
            replacement: Box::new(depart(&b3, date!(2025 - 02 - 28), false)),
            replacement_schema_version: 1,
            reason: "departure date misread".into(),
        }
        .into(),
    ])
    .await;
    let (prefix, position) = env.active("on_site_roster");
    let page = roster::on_site(
        env.pool(),
        &prefix,
        position,
        &huining.to_string(),
        date!(2024 - 09 - 15),
        &RosterFilter::default(),
        &PageRequest::first(10),
    )
    .await
    .unwrap();
    let who: Vec<&str> = page.items.iter().map(|m| m.practitioner.as_str()).collect();
    assert_eq!(
        who,
        vec!["p-b3-b", "p-li-guangjie"],
        "胡文滕 retracted, p-b3-b stays longer"
    );
    assert_eq!(page.items[0].days_remaining, 166);
    assert_eq!(
        page.items[1].title_name, "主任医师",
        "the corrected assignment"
    );
    assert!(!page.items[0].below_minimum_term);
}
on_both!(retraction_and_correction_change_the_roster);
