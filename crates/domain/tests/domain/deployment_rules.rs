use domain::Event;
use domain::aggregates::deployment::{
    DeploymentCommand, DeploymentContext, DeploymentState, MemberArrived, Post, PostHolding,
};
use domain::aggregates::pairing::{GroupFormed, PairingFacts};
use domain::facts::OnSiteStint;
use domain::values::CreditCode;
use time::{Date, macros::date};

use crate::fixtures::*;
use crate::harness::given_in;

fn context() -> DeploymentContext {
    DeploymentContext {
        assignment: Some(member_assigned(1, "doc-a")),
        pairing: Some(pairing_facts()),
        ..DeploymentContext::default()
    }
}

fn arrive_at(hospital: CreditCode, on: Date) -> DeploymentCommand {
    DeploymentCommand::Arrive {
        deployment_id: deployment_id(1),
        recipient_org: hospital,
        arrived_on: on,
    }
}

pub(crate) fn arrived() -> MemberArrived {
    MemberArrived {
        deployment_id: deployment_id(1),
        assignment: member_assigned(1, "doc-a"),
        arrived_on: date!(2024 - 07 - 25),
    }
}

fn on_site() -> Vec<Event> {
    vec![arrived().into()]
}

#[test]
fn an_assigned_member_arrives() {
    given_in::<DeploymentState>([], context())
        .when(arrive_at(recipient(), date!(2024 - 07 - 25)))
        .then(vec![arrived().into()]);
}

#[test]
fn arriving_twice_is_refused() {
    given_in::<DeploymentState>(on_site(), context())
        .when(arrive_at(recipient(), date!(2024 - 07 - 25)))
        .then_err("STREAM_ALREADY_EXISTS");
}

#[test]
fn arrival_needs_an_assignment() {
    let ctx = DeploymentContext {
        assignment: None,
        ..context()
    };
    given_in::<DeploymentState>([], ctx)
        .when(arrive_at(recipient(), date!(2024 - 07 - 25)))
        .then_err("MEMBER_NOT_ASSIGNED");
}

#[test]
fn arrival_is_at_the_assigned_hospital() {
    given_in::<DeploymentState>([], context())
        .when(arrive_at(outsider(), date!(2024 - 07 - 25)))
        .then_err("ARRIVAL_AT_WRONG_HOSPITAL");
}

#[test]
fn one_person_cannot_be_on_site_twice_at_once() {
    let mut ctx = context();
    ctx.practitioner_stints = vec![stint(
        7,
        "doc-a",
        org("520000", 5),
        date!(2024 - 01 - 01),
        None,
    )];
    given_in::<DeploymentState>([], ctx.clone())
        .when(arrive_at(recipient(), date!(2024 - 07 - 25)))
        .then_err("OVERLAPPING_DEPLOYMENT");
    ctx.practitioner_stints[0].departed = Some(date!(2024 - 07 - 24));
    given_in::<DeploymentState>([], ctx)
        .when(arrive_at(recipient(), date!(2024 - 07 - 25)))
        .then_ok();
}

fn appoint(from: Date) -> DeploymentCommand {
    DeploymentCommand::AppointToPost {
        post: Post::DepartmentHead,
        department: Some(dept("04.05")),
        from,
    }
}

#[test]
fn an_on_site_member_is_appointed_department_head() {
    given_in::<DeploymentState>(on_site(), context())
        .when(appoint(date!(2024 - 08 - 01)))
        .then_ok();
}

#[test]
fn appointment_before_arrival_is_refused() {
    given_in::<DeploymentState>(on_site(), context())
        .when(appoint(date!(2024 - 07 - 01)))
        .then_err("MEMBER_NOT_ON_SITE");
}

#[test]
fn appointment_without_arrival_is_refused() {
    given_in::<DeploymentState>([], context())
        .when(appoint(date!(2024 - 08 - 01)))
        .then_err("STREAM_NOT_FOUND");
}

#[test]
fn one_holder_per_post_and_hospital() {
    let holder = PostHolding {
        deployment: deployment_id(5),
        hospital: recipient(),
        post: Post::DepartmentHead,
        department: Some(dept("04.05")),
        from: date!(2024 - 01 - 01),
        until: None,
    };
    let mut ctx = DeploymentContext {
        post_holders: vec![holder],
        ..context()
    };
    given_in::<DeploymentState>(on_site(), ctx.clone())
        .when(appoint(date!(2024 - 08 - 01)))
        .then_err("POST_ALREADY_HELD");
    ctx.post_holders[0].until = Some(date!(2024 - 07 - 31));
    given_in::<DeploymentState>(on_site(), ctx)
        .when(appoint(date!(2024 - 08 - 01)))
        .then_ok();
}

fn change_term(new_end: Date, reason: Option<&str>) -> DeploymentCommand {
    DeploymentCommand::ChangeTerm {
        new_end,
        reason: reason.map(str::to_owned),
        decided_on: date!(2024 - 12 - 01),
    }
}

#[test]
fn a_term_shortened_below_the_minimum_needs_a_reason_and_is_flagged() {
    given_in::<DeploymentState>(on_site(), context())
        .when(change_term(date!(2025 - 01 - 31), None))
        .then_err("SHORTENED_TERM_NEEDS_REASON");
    let events = given_in::<DeploymentState>(on_site(), context())
        .when(change_term(date!(2025 - 01 - 31), Some("家庭原因")))
        .then_ok();
    assert!(matches!(&events[..], [Event::MemberTermChanged(e)] if e.below_minimum));
}

#[test]
fn a_term_extended_needs_no_reason() {
    let events = given_in::<DeploymentState>(on_site(), context())
        .when(change_term(date!(2025 - 12 - 31), None))
        .then_ok();
    assert!(matches!(&events[..], [Event::MemberTermChanged(e)] if !e.below_minimum));
}

#[test]
fn a_term_cannot_end_before_arrival() {
    given_in::<DeploymentState>(on_site(), context())
        .when(change_term(date!(2024 - 07 - 01), Some("x")))
        .then_err("DATE_BEFORE_ARRIVAL");
}

fn depart(on: Date, reason: Option<&str>) -> DeploymentCommand {
    DeploymentCommand::Depart {
        departed_on: on,
        reason: reason.map(str::to_owned),
    }
}

#[test]
fn departure_after_the_minimum_term_needs_no_reason() {
    let events = given_in::<DeploymentState>(on_site(), context())
        .when(depart(date!(2025 - 07 - 24), None))
        .then_ok();
    assert!(
        matches!(&events[..], [Event::MemberDeparted(e)] if e.on_site_days == 365 && !e.below_minimum)
    );
}

#[test]
fn early_departure_without_reason_is_refused() {
    given_in::<DeploymentState>(on_site(), context())
        .when(depart(date!(2025 - 07 - 23), None))
        .then_err("TERM_BELOW_MINIMUM_WITHOUT_REASON");
    given_in::<DeploymentState>(on_site(), context())
        .when(depart(date!(2025 - 07 - 23), Some("召回")))
        .then_ok();
}

#[test]
fn departure_before_arrival_is_refused() {
    given_in::<DeploymentState>(on_site(), context())
        .when(depart(date!(2024 - 07 - 01), Some("x")))
        .then_err("DATE_BEFORE_ARRIVAL");
}

#[test]
fn nothing_happens_after_departure() {
    let mut events = on_site();
    events.extend(
        given_in::<DeploymentState>(on_site(), context())
            .when(depart(date!(2025 - 07 - 24), None))
            .then_ok(),
    );
    given_in::<DeploymentState>(events, context())
        .when(appoint(date!(2025 - 08 - 01)))
        .then_err("MEMBER_ALREADY_DEPARTED");
}

fn group_context(other_lead_members: usize) -> DeploymentContext {
    let group = GroupFormed {
        pairing_id: pairing_id(),
        recipient_org: recipient(),
        lead_org: supporting(),
        assisting_orgs: vec![supporting_b(), org("620000", 4)],
        min_staff_lead: 2,
        min_staff_assisting: 1,
        formed_on: date!(2022 - 01 - 01),
    };
    let pairing = PairingFacts {
        group: Some(group),
        ..pairing_facts()
    };
    let others: Vec<OnSiteStint> = (0..other_lead_members)
        .map(|i| {
            stint(
                10 + i as u128,
                &format!("doc-l{i}"),
                recipient(),
                date!(2024 - 07 - 01),
                None,
            )
        })
        .collect();
    DeploymentContext {
        pairing: Some(pairing),
        hospital_stints: others,
        ..context()
    }
}

#[test]
fn an_early_departure_may_not_leave_the_lead_below_its_group_minimum() {
    given_in::<DeploymentState>(on_site(), group_context(1))
        .when(depart(date!(2025 - 01 - 31), Some("召回")))
        .then_err("GROUP_STAFFING_BELOW_MINIMUM");
    given_in::<DeploymentState>(on_site(), group_context(2))
        .when(depart(date!(2025 - 01 - 31), Some("召回")))
        .then_ok();
}

#[test]
fn the_end_of_term_rotation_is_not_held_back_by_the_group_minimum() {
    given_in::<DeploymentState>(on_site(), group_context(0))
        .when(depart(date!(2025 - 07 - 24), None))
        .then_ok();
}
