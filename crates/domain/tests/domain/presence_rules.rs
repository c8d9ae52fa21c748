//! Issue 9 item 7: one presence rule (`domain::facts::Term::presence`). A term ends at its planned
//! end unless a term change extends it or a departure ends it earlier; past the planned end with
//! no departure recorded the member is "departure unconfirmed", not on site. Every rule that asks
//! who is on site decides by it.

use domain::Event;
use domain::Stream;
use domain::aggregates::deployment::{
    DeploymentCommand, DeploymentContext, DeploymentState, MemberArrived, MemberDeparted,
    MemberTermChanged, Post, PostHolding,
};
use domain::aggregates::mentorship::{MentorshipCommand, MentorshipContext, MentorshipState};
use domain::aggregates::pairing::{PairingCommand, PairingContext, PairingState};
use domain::aggregates::technique::{TechniqueCommand, TechniqueContext, TechniqueState};
use domain::facts::{OnSiteStint, Presence, Term};
use time::{Date, macros::date};

use crate::fixtures::*;
use crate::harness::given_in;

/// Arrived 2024-07-25, planned to the 2025-06-30 of `member_assigned`.
fn arrived() -> MemberArrived {
    MemberArrived {
        deployment_id: deployment_id(1),
        assignment: member_assigned(1, "doc-a"),
        arrived_on: date!(2024 - 07 - 25),
    }
}

fn term_changed(new_end: Date) -> Event {
    MemberTermChanged {
        deployment_id: deployment_id(1),
        recipient_org: recipient(),
        new_end,
        reason: None,
        below_minimum: false,
        decided_on: date!(2025 - 06 - 01),
    }
    .into()
}

fn departed(on: Date) -> Event {
    MemberDeparted {
        deployment_id: deployment_id(1),
        recipient_org: recipient(),
        departed_on: on,
        on_site_days: 0,
        reason: Some("召回".into()),
        below_minimum: false,
    }
    .into()
}

/// Given the deployment stream `events`, the member's presence on each of `days`.
fn presence_after(events: Vec<Event>, days: &[Date]) -> Vec<Presence> {
    let state = Stream::<DeploymentState>::from_events(&events)
        .state()
        .clone();
    let term = state.stint().expect("arrived").term();
    days.iter().map(|d| term.presence(*d)).collect()
}

#[test]
fn a_term_runs_from_arrival_to_the_planned_end_both_included() {
    let days = [
        date!(2024 - 07 - 24),
        date!(2024 - 07 - 25),
        date!(2025 - 06 - 30),
        date!(2025 - 07 - 01),
        date!(2030 - 01 - 01),
    ];
    assert_eq!(
        presence_after(vec![arrived().into()], &days),
        vec![
            Presence::NotArrived,
            Presence::OnSite,
            Presence::OnSite,
            Presence::DepartureUnconfirmed,
            Presence::DepartureUnconfirmed,
        ],
        "no departure recorded: not on site after the planned end, for ever"
    );
}

#[test]
fn a_term_change_extends_the_term() {
    let events = vec![arrived().into(), term_changed(date!(2025 - 12 - 31))];
    assert_eq!(
        presence_after(events, &[date!(2025 - 12 - 31), date!(2026 - 01 - 01)]),
        vec![Presence::OnSite, Presence::DepartureUnconfirmed]
    );
}

#[test]
fn an_early_departure_ends_the_term_on_its_day() {
    let events = vec![arrived().into(), departed(date!(2025 - 01 - 31))];
    assert_eq!(
        presence_after(events, &[date!(2025 - 01 - 31), date!(2025 - 02 - 01)]),
        vec![Presence::OnSite, Presence::Departed]
    );
}

#[test]
fn a_late_departure_confirms_the_end_without_extending_it() {
    let events = vec![arrived().into(), departed(date!(2025 - 07 - 24))];
    assert_eq!(
        presence_after(events, &[date!(2025 - 06 - 30), date!(2025 - 07 - 01)]),
        vec![Presence::OnSite, Presence::Departed]
    );
    let term = Term {
        arrived: date!(2024 - 07 - 25),
        planned_end: date!(2025 - 06 - 30),
        departed: Some(date!(2025 - 07 - 24)),
    };
    assert_eq!(term.last_day(), date!(2025 - 06 - 30));
}

/// doc-hu's stint, arrived 2024-07-25 and planned to end on `planned_end`, no departure.
fn ran_out(planned_end: Date) -> OnSiteStint {
    OnSiteStint {
        planned_end,
        ..stint(1, "doc-hu", recipient(), date!(2024 - 07 - 25), None)
    }
}

#[test]
fn a_mentor_whose_term_ran_out_is_not_on_site() {
    let context = |planned_end| MentorshipContext {
        stints: vec![ran_out(planned_end)],
        pairing: Some(pairing_facts()),
        apprentice_employer: Some(recipient()),
        ..MentorshipContext::default()
    };
    let pair = || MentorshipCommand::Pair(crate::mentorship_rules::paired());
    // The pairing is dated 2024-08-01.
    given_in::<MentorshipState>([], context(date!(2024 - 07 - 31)))
        .when(pair())
        .then_err("MENTOR_NOT_ON_SITE");
    given_in::<MentorshipState>([], context(date!(2024 - 08 - 01)))
        .when(pair())
        .then_ok();
}

#[test]
fn a_performer_whose_term_ran_out_is_not_on_site() {
    let context = |planned_end| TechniqueContext {
        performer_stints: vec![ran_out(planned_end)],
        ..TechniqueContext::default()
    };
    let introduce = || {
        TechniqueCommand::Introduce(crate::technique_gap_rules::introduced(
            crate::technique_gap_rules::member(),
        ))
    };
    // First performed on 2024-09-15.
    given_in::<TechniqueState>([], context(date!(2024 - 09 - 14)))
        .when(introduce())
        .then_err("PERFORMER_NOT_ON_SITE");
    given_in::<TechniqueState>([], context(date!(2024 - 09 - 15)))
        .when(introduce())
        .then_ok();
}

#[test]
fn a_pairing_ends_once_every_term_ran_out_without_an_invented_departure() {
    let end = |date| PairingCommand::End {
        reason: "结对关系调整".to_owned(),
        date,
    };
    let context = PairingContext {
        on_site: vec![ran_out(date!(2024 - 12 - 31))],
        program: Some(program()),
        ..PairingContext::default()
    };
    let established: Vec<Event> = vec![pairing_established().into()];
    given_in::<PairingState>(established.clone(), context.clone())
        .when(end(date!(2024 - 12 - 30)))
        .then_err("MEMBERS_STILL_ON_SITE");
    given_in::<PairingState>(established, context)
        .when(end(date!(2024 - 12 - 31)))
        .then_ok();
}

#[test]
fn a_post_is_held_through_its_holders_term_only() {
    let state_of = |events: Vec<Event>| -> DeploymentState {
        Stream::<DeploymentState>::from_events(&events)
            .state()
            .clone()
    };
    let appointed: Event = domain::aggregates::deployment::MemberAppointedToPost {
        deployment_id: deployment_id(1),
        recipient_org: recipient(),
        post: Post::DepartmentHead,
        department: Some(dept("04.05")),
        from: date!(2024 - 08 - 01),
    }
    .into();
    let holder = state_of(vec![arrived().into(), appointed]);
    let holdings: Vec<PostHolding> = holder.post_holdings();
    assert_eq!(holdings[0].until, Some(date!(2025 - 06 - 30)));

    // A successor appointed the day after the holder's term ran out takes the post.
    let successor = MemberArrived {
        deployment_id: deployment_id(2),
        assignment: member_assigned(2, "doc-b"),
        arrived_on: date!(2024 - 07 - 25),
    };
    let context = DeploymentContext {
        assignment: Some(member_assigned(2, "doc-b")),
        pairing: Some(pairing_facts()),
        post_holders: holdings,
        ..DeploymentContext::default()
    };
    let appoint = |from| DeploymentCommand::AppointToPost {
        post: Post::DepartmentHead,
        department: Some(dept("04.05")),
        from,
    };
    let mut extended = member_assigned(2, "doc-b");
    extended.planned_end = date!(2025 - 12 - 31);
    let successor_events: Vec<Event> = vec![
        MemberArrived {
            assignment: extended,
            ..successor
        }
        .into(),
    ];
    given_in::<DeploymentState>(successor_events.clone(), context.clone())
        .when(appoint(date!(2025 - 06 - 30)))
        .then_err("POST_ALREADY_HELD");
    given_in::<DeploymentState>(successor_events, context)
        .when(appoint(date!(2025 - 07 - 01)))
        .then_ok();
}

#[test]
fn no_appointment_after_the_term_ran_out() {
    let context = DeploymentContext {
        assignment: Some(member_assigned(1, "doc-a")),
        pairing: Some(pairing_facts()),
        ..DeploymentContext::default()
    };
    let appoint = |from| DeploymentCommand::AppointToPost {
        post: Post::VicePresident,
        department: None,
        from,
    };
    given_in::<DeploymentState>([arrived().into()], context.clone())
        .when(appoint(date!(2025 - 07 - 01)))
        .then_err("MEMBER_NOT_ON_SITE");
    given_in::<DeploymentState>(
        [arrived().into(), term_changed(date!(2025 - 12 - 31))],
        context,
    )
    .when(appoint(date!(2025 - 07 - 01)))
    .then_ok();
}
