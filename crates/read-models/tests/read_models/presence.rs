//! Issue 9 item 7: every read model that asks who is on site answers by the one rule
//! (`domain::facts::Term::presence`) on the same log. A term ends at its planned end unless a
//! term change extends it or a departure ends it earlier; past the planned end without a recorded
//! departure the member is "departure unconfirmed", not on site.
//!
//! The log: at one hospital, member A's term runs out on 2023-02-28 with no departure recorded;
//! B's term is extended by a term change to 2023-08-31; C of the next batch departs on 2024-03-15,
//! after the planned end 2024-02-29 (which does not extend the term). A mentors an apprentice and
//! introduced a technique.

use domain::Event;
use domain::aggregates::deployment::MemberTermChanged;
use domain::aggregates::mentorship::MentorshipPaired;
use domain::aggregates::technique::{Performer, TechniqueCategory, TechniqueIntroduced};
use domain::facts::Presence;
use domain::values::{MentorshipId, TechniqueKey};
use read_models::roster::{self, RosterFilter};
use read_models::technique_diffusion::{self, Sustainability};
use read_models::{PageRequest, mentorship_board, timeline};
use time::Date;
use time::macros::date;
use uuid::Uuid;

use crate::support::{
    Env, arrive, assignment, batch, depart, dept, on_both, org, pairing, pairing_id, person,
};

const PAIRING: u128 = 90;

fn scenario() -> Vec<Event> {
    let home = org("620102", 9);
    let site = org("620422", 9);
    let a = assignment(
        PAIRING,
        1,
        901,
        &site,
        "p-a",
        &home,
        232,
        "04.05",
        date!(2022 - 03 - 01),
        date!(2023 - 02 - 28),
    );
    let b = assignment(
        PAIRING,
        1,
        902,
        &site,
        "p-b",
        &home,
        232,
        "03.04",
        date!(2022 - 03 - 01),
        date!(2023 - 02 - 28),
    );
    let c = assignment(
        PAIRING,
        2,
        903,
        &site,
        "p-c",
        &home,
        233,
        "22",
        date!(2023 - 03 - 01),
        date!(2024 - 02 - 29),
    );
    let mut events = vec![
        pairing(
            PAIRING,
            vec![home.clone()],
            &site,
            None,
            date!(2022 - 01 - 01),
        ),
        batch(
            PAIRING,
            1,
            &site,
            date!(2022 - 03 - 01),
            date!(2023 - 02 - 28),
        ),
        batch(
            PAIRING,
            2,
            &site,
            date!(2023 - 03 - 01),
            date!(2024 - 02 - 29),
        ),
    ];
    events.extend(arrive(&a, date!(2022 - 03 - 01)));
    events.extend(arrive(&b, date!(2022 - 03 - 01)));
    events.push(
        MemberTermChanged {
            deployment_id: b.deployment_id,
            recipient_org: site.clone(),
            new_end: date!(2023 - 08 - 31),
            reason: None,
            below_minimum: false,
            decided_on: date!(2023 - 01 - 15),
        }
        .into(),
    );
    events.extend(arrive(&c, date!(2023 - 03 - 01)));
    events.push(depart(&c, date!(2024 - 03 - 15), false));
    events.push(
        MentorshipPaired {
            mentorship_id: MentorshipId(Uuid::from_u128(9_001)),
            mentor: person("p-a"),
            apprentice: person("p-local"),
            recipient_org: site.clone(),
            department: dept("04.05"),
            start: date!(2022 - 04 - 01),
            plan: "x".into(),
        }
        .into(),
    );
    events.push(
        TechniqueIntroduced {
            hospital: site,
            technique: TechniqueKey::parse("vats_lobectomy").unwrap(),
            name: "vats_lobectomy".into(),
            procedure_code: None,
            department: dept("04.05"),
            first_performed_on: date!(2022 - 05 - 01),
            performer: Performer::OnSiteMember(person("p-a")),
            category: TechniqueCategory::NewTechnique,
        }
        .into(),
    );
    events
}

/// The practitioners the roster lists at the site on `day` with `presence` (`None`: on site).
async fn roster_on(env: &Env, day: Date, presence: Option<Presence>) -> Vec<String> {
    let (prefix, position) = env.active("on_site_roster");
    let filter = RosterFilter {
        presence,
        ..RosterFilter::default()
    };
    let page = roster::on_site(
        env.pool(),
        &prefix,
        position,
        &org("620422", 9).to_string(),
        day,
        &filter,
        &PageRequest::first(50),
    )
    .await
    .unwrap();
    let mut who: Vec<String> = page.items.iter().map(|m| m.practitioner.clone()).collect();
    who.sort();
    who
}

async fn the_views_agree_on_who_is_on_site(env: Env) {
    env.append(scenario()).await;
    let site = org("620422", 9).to_string();
    let pairing = pairing_id(PAIRING).to_string();

    // The timeline: each member's last day by the rule, and whether a departure confirms it.
    let (prefix, position) = env.active("batch_timeline");
    let batches = timeline::batches(
        env.pool(),
        &prefix,
        position,
        &pairing,
        &PageRequest::first(10),
    )
    .await
    .unwrap()
    .items;
    let members: Vec<(String, Date, bool)> = batches
        .iter()
        .flat_map(|b| &b.members)
        .map(|m| (m.practitioner.clone(), m.last_day, m.departure_recorded))
        .collect();
    assert_eq!(
        members,
        vec![
            ("p-a".into(), date!(2023 - 02 - 28), false),
            ("p-b".into(), date!(2023 - 08 - 31), false),
            ("p-c".into(), date!(2024 - 02 - 29), true),
        ],
        "no departure extends a term; the term change does"
    );
    assert_eq!(batches[0].end, date!(2023 - 08 - 31));
    let overlaps = timeline::overlaps(env.pool(), &prefix, position, &pairing)
        .await
        .unwrap()
        .value;
    assert_eq!(overlaps.len(), 1);
    assert_eq!(
        (overlaps[0].from, overlaps[0].to),
        (date!(2023 - 03 - 01), date!(2023 - 08 - 31))
    );

    // On every day the roster lists exactly the members the timeline puts on site.
    for day in [
        date!(2022 - 02 - 28),
        date!(2022 - 03 - 01),
        date!(2023 - 02 - 28),
        date!(2023 - 03 - 01),
        date!(2023 - 06 - 01),
        date!(2023 - 08 - 31),
        date!(2023 - 09 - 01),
        date!(2024 - 02 - 29),
        date!(2024 - 03 - 10),
        date!(2026 - 01 - 01),
    ] {
        let timeline_view: Vec<String> = batches
            .iter()
            .flat_map(|b| &b.members)
            .filter(|m| m.arrived.is_some_and(|a| a <= day) && day <= m.last_day)
            .map(|m| m.practitioner.clone())
            .collect();
        assert_eq!(roster_on(&env, day, None).await, timeline_view, "{day}");
    }

    // Past the planned end, A is "departure unconfirmed"; C, who left late, has departed.
    let day = date!(2023 - 06 - 01);
    assert_eq!(roster_on(&env, day, None).await, vec!["p-b", "p-c"]);
    assert_eq!(
        roster_on(&env, day, Some(Presence::DepartureUnconfirmed)).await,
        vec!["p-a"]
    );
    assert_eq!(
        roster_on(&env, date!(2024 - 03 - 10), Some(Presence::Departed)).await,
        vec!["p-c"]
    );
    assert_eq!(
        roster_on(
            &env,
            date!(2024 - 03 - 10),
            Some(Presence::DepartureUnconfirmed)
        )
        .await,
        vec!["p-a", "p-b"]
    );
    let (prefix, position) = env.active("on_site_roster");
    let staffing = roster::batches_on_site(env.pool(), &prefix, position, &site, day)
        .await
        .unwrap()
        .value;
    let counts: Vec<(u32, usize)> = staffing
        .iter()
        .map(|b| (b.batch_number, b.members))
        .collect();
    assert_eq!(counts, vec![(1, 1), (2, 1)], "A is not counted in batch 1");

    // The mentorship board: A is not on site, so the apprentice is left without a mentor.
    let (prefix, position) = env.active("mentorship_board");
    let board = mentorship_board::board(env.pool(), &prefix, position, &site, day)
        .await
        .unwrap()
        .value;
    assert!(!board.mentors[0].on_site);
    assert_eq!(board.orphaned.len(), 1);
    let before =
        mentorship_board::board(env.pool(), &prefix, position, &site, date!(2023 - 02 - 28))
            .await
            .unwrap()
            .value;
    assert!(before.mentors[0].on_site && before.orphaned.is_empty());

    // Technique sustainability: the introducer is gone by the same rule.
    let (prefix, position) = env.active("technique_diffusion");
    for (on, expected) in [
        (date!(2023 - 02 - 28), Sustainability::IntroducerOnSite),
        (day, Sustainability::AtRisk),
    ] {
        let at = technique_diffusion::at_hospital(
            env.pool(),
            &prefix,
            position,
            &site,
            on,
            &PageRequest::first(10),
        )
        .await
        .unwrap();
        assert_eq!(at.items[0].sustainability, expected, "{on}");
    }
}
on_both!(the_views_agree_on_who_is_on_site);
