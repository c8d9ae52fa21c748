//! The tags each event carries (`domain::tags`): given the earlier events of a stream, when an event
//! is recorded, then it carries the tags that the cross-stream rules query.

use domain::Event;
use domain::aggregates::deployment::MemberDeparted;
use domain::events::{EventCorrected, EventRef, EventRetracted};
use domain::tags::{self, Inheritance, inheritance, tags};
use time::macros::date;

use crate::deployment_rules::arrived;
use crate::fixtures::*;
use crate::mentorship_rules::paired;
use crate::samples::every_event_type;

fn departed() -> Event {
    MemberDeparted {
        deployment_id: deployment_id(1),
        recipient_org: recipient(),
        departed_on: date!(2025 - 07 - 24),
        on_site_days: 365,
        reason: None,
        below_minimum: false,
    }
    .into()
}

#[test]
fn an_assignment_is_found_by_its_practitioner_and_deployment() {
    let assigned: Event = member_assigned(1, "doc-a").into();
    assert_eq!(
        tags(&assigned, &[]),
        [
            tags::deployment(&deployment_id(1)),
            tags::practitioner(&person("doc-a"))
        ]
    );
}

#[test]
fn a_departure_carries_the_practitioner_and_hospital_of_its_arrival() {
    // Given a deployment stream with the arrival, when the member departs (the departure names only
    // the deployment), then the departure is found by the practitioner and the hospital.
    let arrival: Event = arrived().into();
    let got = tags(&departed(), std::slice::from_ref(&arrival));
    assert!(
        got.contains(&tags::practitioner(&person("doc-a"))),
        "{got:?}"
    );
    assert!(got.contains(&tags::on_site(&recipient())), "{got:?}");
    assert!(got.contains(&tags::pairing(&pairing_id())), "{got:?}");
}

#[test]
fn a_retracted_assignment_reaches_the_queries_that_found_it() {
    // Given a batch with two members, when the second is retracted, then the retraction carries the
    // second member's tags and not the first's (a batch holds independent facts).
    let batch: Vec<Event> = vec![
        batch_dispatched(1).into(),
        member_assigned(1, "doc-a").into(),
        member_assigned(2, "doc-b").into(),
    ];
    let retraction: Event = EventRetracted {
        target: EventRef {
            stream: batch_id(1).stream_id(),
            version: 3,
        },
        target_type: "MemberAssigned".to_owned(),
        target_scope: batch[2].scope(),
        target_occurred_at: batch[2].occurred_at(),
        reason: "recorded twice".to_owned(),
    }
    .into();
    let got = tags(&retraction, &batch);
    assert!(
        got.contains(&tags::practitioner(&person("doc-b"))),
        "{got:?}"
    );
    assert!(
        !got.contains(&tags::practitioner(&person("doc-a"))),
        "{got:?}"
    );
}

#[test]
fn a_correction_carries_every_form_of_the_fact_it_corrects() {
    // Given an assignment of doc-a corrected to doc-b, when it is corrected again to doc-c, then the
    // second correction is found by all three: the facts of each of them change.
    let target = EventRef {
        stream: batch_id(1).stream_id(),
        version: 2,
    };
    let correct_to = |who: &str| -> Event {
        EventCorrected {
            target: target.clone(),
            replacement: Box::new(member_assigned(1, who).into()),
            replacement_schema_version: 1,
            reason: "wrong practitioner".to_owned(),
        }
        .into()
    };
    let batch: Vec<Event> = vec![
        batch_dispatched(1).into(),
        member_assigned(1, "doc-a").into(),
        correct_to("doc-b"),
    ];
    let got = tags(&correct_to("doc-c"), &batch);
    for who in ["doc-a", "doc-b", "doc-c"] {
        assert!(
            got.contains(&tags::practitioner(&person(who))),
            "{who}: {got:?}"
        );
    }
}

#[test]
fn a_handover_is_found_by_both_mentors_and_the_apprentice() {
    let pairing: Event = paired().into();
    let handover: Event = every_event_type()
        .into_iter()
        .find(|e| e.event_type() == "MentorshipHandedOver")
        .expect("a sample handover");
    let got = tags(&handover, std::slice::from_ref(&pairing));
    assert!(
        got.contains(&tags::practitioner(&paired().mentor)),
        "{got:?}"
    );
    assert!(
        got.contains(&tags::practitioner(&paired().apprentice)),
        "{got:?}"
    );
}

#[test]
fn a_pairing_is_found_by_its_program_and_every_organisation() {
    let established = pairing_established();
    let got = tags(&established.clone().into(), &[]);
    assert!(
        got.contains(&tags::program(&established.program_id)),
        "{got:?}"
    );
    for org in established
        .supporting_orgs
        .iter()
        .chain([&established.recipient_org])
    {
        assert!(got.contains(&tags::pairing_org(org)), "{got:?}");
    }
}

#[test]
fn every_tag_is_a_valid_store_tag_and_a_retraction_inherits_as_its_target() {
    // Every sample event: its tags are well-formed `key:value` (the store refuses others), and a
    // retraction of an event of that type inherits as that type's stream does (the retraction names
    // only the type, through a hand-kept list this test checks against every type).
    for event in every_event_type() {
        for tag in tags(&event, &[]) {
            let (key, value) = tag.split_once(':').expect("key:value");
            assert!(
                key.chars().all(|c| c.is_ascii_lowercase() || c == '_') && !value.is_empty(),
                "{tag}"
            );
            assert!(
                !value.chars().any(char::is_whitespace) && tag.len() <= 128,
                "{tag}"
            );
        }
        if !event.is_fact() {
            continue;
        }
        let retraction: Event = EventRetracted {
            target: EventRef {
                stream: event.stream_id(),
                version: 1,
            },
            target_type: event.event_type().to_owned(),
            target_scope: event.scope(),
            target_occurred_at: event.occurred_at(),
            reason: "test".to_owned(),
        }
        .into();
        assert_eq!(
            inheritance(&retraction),
            inheritance(&event),
            "{}",
            event.event_type()
        );
        let carried = tags(&retraction, std::slice::from_ref(&event));
        for tag in tags(&event, &[]) {
            assert!(carried.contains(&tag), "{}: {tag}", event.event_type());
        }
    }
    assert_eq!(inheritance(&departed()), Inheritance::Stream);
}
