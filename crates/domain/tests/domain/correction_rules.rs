use domain::aggregates::activity::{ActivityCommand, ActivityContext, ActivityState};
use domain::aggregates::pairing::PairingState;
use domain::events::EventRef;
use domain::values::Count;
use domain::{Event, Stream, StreamCommand, evolve};
use time::macros::date;

use crate::fixtures::*;
use crate::harness::given_in;
use crate::study_activity_rules::report;

fn ctx() -> ActivityContext {
    ActivityContext {
        pairing: Some(pairing_facts()),
    }
}

fn reported() -> Vec<Event> {
    vec![report(date!(2024 - 01 - 01), date!(2024 - 06 - 30)).into()]
}

fn correct(version: u64, replacement: Event, reason: &str) -> StreamCommand<ActivityCommand> {
    StreamCommand::Correct {
        version,
        replacement: Box::new(replacement),
        reason: reason.to_owned(),
    }
}

#[test]
fn a_correction_replaces_a_fact_and_the_state_refolds() {
    let mut fixed = report(date!(2024 - 01 - 01), date!(2024 - 06 - 30));
    fixed.surgeries = Some(Count::at_least(540));
    let events = given_in::<ActivityState>(reported(), ctx())
        .when_stream(correct(1, fixed.clone().into(), "台次复核"))
        .then_ok();
    let [Event::EventCorrected(correction)] = &events[..] else {
        panic!("one correction expected: {events:?}")
    };
    assert_eq!(
        correction.target,
        EventRef {
            stream: fixed.ledger.stream_id(),
            version: 1
        }
    );
    let stream = events
        .iter()
        .fold(Stream::<ActivityState>::from_events(&reported()), evolve);
    assert_eq!(stream.state().surgeries(), Count::at_least(540));
    assert_eq!(stream.version(), 2);
}

#[test]
fn a_correction_names_an_existing_fact() {
    let r = report(date!(2024 - 01 - 01), date!(2024 - 06 - 30));
    given_in::<ActivityState>(reported(), ctx())
        .when_stream(correct(5, r.clone().into(), "x"))
        .then_err("CORRECTION_TARGET_NOT_FOUND");
    // Versions count events from 1, as in the event store: version 0 names no event.
    given_in::<ActivityState>(reported(), ctx())
        .when_stream(correct(0, r.into(), "x"))
        .then_err("CORRECTION_TARGET_NOT_FOUND");
}

#[test]
fn a_correction_keeps_type_and_stream() {
    let other_type: Event = pairing_established().into();
    given_in::<ActivityState>(reported(), ctx())
        .when_stream(correct(1, other_type, "x"))
        .then_err("CORRECTION_TYPE_MISMATCH");
    let mut other_stream = report(date!(2024 - 01 - 01), date!(2024 - 06 - 30));
    other_stream.ledger.period = domain::values::PeriodKey::parse("2025").unwrap();
    given_in::<ActivityState>(reported(), ctx())
        .when_stream(correct(1, other_stream.into(), "x"))
        .then_err("CORRECTION_CHANGES_STREAM");
}

#[test]
fn a_correction_says_why() {
    let r = report(date!(2024 - 01 - 01), date!(2024 - 06 - 30));
    given_in::<ActivityState>(reported(), ctx())
        .when_stream(correct(1, r.into(), " "))
        .then_err("CORRECTION_REASON_MISSING");
}

#[test]
fn a_retraction_withdraws_a_fact_once_and_frees_its_period() {
    let retract = || StreamCommand::Retract {
        version: 1,
        reason: "重复上报".to_owned(),
    };
    let retraction = given_in::<ActivityState>(reported(), ctx())
        .when_stream(retract())
        .then_ok();
    assert_eq!(retraction[0].scope(), reported()[0].scope());
    let mut events = reported();
    events.extend(retraction);
    given_in::<ActivityState>(events.clone(), ctx())
        .when_stream(retract())
        .then_err("EVENT_ALREADY_RETRACTED");
    let again = report(date!(2024 - 01 - 01), date!(2024 - 06 - 30));
    given_in::<ActivityState>(events.clone(), ctx())
        .when(ActivityCommand::ReportClinicalActivity(again.into()))
        .then_ok();
    let amend_the_retraction = StreamCommand::Retract {
        version: 2,
        reason: "x".to_owned(),
    };
    given_in::<ActivityState>(events, ctx())
        .when_stream(amend_the_retraction)
        .then_err("CORRECTION_TARGET_NOT_A_FACT");
}

#[test]
fn retracting_a_pairing_start_empties_the_state() {
    let start: Event = pairing_established().into();
    let stream = Stream::<PairingState>::from_events(&[start]);
    let command = StreamCommand::Retract {
        version: 1,
        reason: "录入错误".to_owned(),
    };
    let events = domain::decide(&stream, &command, &Default::default()).unwrap();
    let stream = events.iter().fold(stream, evolve);
    assert!(stream.state().established.is_none());
}
