use domain::aggregates::agreement::{
    AgreementCommand, AgreementContext, AgreementKind, AgreementSigned, AgreementState, Target,
};
use domain::aggregates::batch::{
    BatchCommand, BatchContext, BatchDispatched, BatchState, MemberAssigned, TeamWarning,
};
use domain::values::{AgreementId, Count, ProfessionalTitle};
use domain::{Event, Stream};
use time::macros::date;
use uuid::Uuid;

use crate::fixtures::*;
use crate::harness::{given, given_in};

pub(crate) fn agreement() -> AgreementSigned {
    AgreementSigned {
        agreement_id: AgreementId(Uuid::from_u128(60)),
        pairing_id: pairing_id(),
        recipient_org: recipient(),
        kind: AgreementKind::TargetResponsibility,
        title: "帮扶目标责任书".to_owned(),
        parties: vec![supporting(), recipient()],
        start: date!(2024 - 04 - 16),
        end: Some(date!(2025 - 04 - 15)),
        indicator_set: parameters().indicator_set,
        targets: vec![Target {
            indicator: indicator("new_techniques"),
            target: Count::exact(5),
            due: date!(2025 - 03 - 31),
        }],
    }
}

fn with_pairing() -> AgreementContext {
    AgreementContext {
        pairing: Some(pairing_facts()),
    }
}

#[test]
fn an_agreement_between_parties_of_the_pairing_binds_the_indicator_set() {
    given_in::<AgreementState>([], with_pairing())
        .when(AgreementCommand::Sign(agreement().into()))
        .then(vec![agreement().into()]);
}

#[test]
fn an_agreement_needs_its_pairing() {
    given::<AgreementState>([])
        .when(AgreementCommand::Sign(agreement().into()))
        .then_err("PAIRING_NOT_FOUND");
}

#[test]
fn a_second_signature_of_the_same_agreement_is_refused() {
    given_in::<AgreementState>([agreement().into()], with_pairing())
        .when(AgreementCommand::Sign(agreement().into()))
        .then_err("STREAM_ALREADY_EXISTS");
}

#[test]
fn parties_outside_the_pairing_are_refused() {
    let a = AgreementSigned {
        parties: vec![supporting(), outsider()],
        ..agreement()
    };
    let e = given_in::<AgreementState>([], with_pairing())
        .when(AgreementCommand::Sign(a.into()))
        .then_err("PARTY_NOT_IN_PAIRING");
    assert!(e.to_string().contains("parties[1]"));
}

#[test]
fn targets_use_indicators_of_the_set() {
    let mut a = agreement();
    a.targets[0].indicator = indicator("patient_satisfaction");
    given_in::<AgreementState>([], with_pairing())
        .when(AgreementCommand::Sign(a.into()))
        .then_err("UNKNOWN_INDICATOR");
}

fn batch_context(previous: bool) -> BatchContext {
    BatchContext {
        pairing: Some(pairing_facts()),
        previous_batch_dispatched: previous,
        practitioner_terms: vec![],
    }
}

#[test]
fn the_first_batch_needs_no_predecessor() {
    given_in::<BatchState>([], batch_context(false))
        .when(BatchCommand::Dispatch(batch_dispatched(1).into()))
        .then(vec![batch_dispatched(1).into()]);
}

#[test]
fn batch_numbers_follow_on_per_pairing() {
    given_in::<BatchState>([], batch_context(true))
        .when(BatchCommand::Dispatch(batch_dispatched(3).into()))
        .then_ok();
    given_in::<BatchState>([], batch_context(false))
        .when(BatchCommand::Dispatch(batch_dispatched(3).into()))
        .then_err("BATCH_NUMBER_NOT_NEXT");
    given_in::<BatchState>([], batch_context(true))
        .when(BatchCommand::Dispatch(batch_dispatched(0).into()))
        .then_err("BATCH_NUMBER_NOT_NEXT");
}

#[test]
fn a_batch_is_dispatched_once() {
    given_in::<BatchState>([batch_dispatched(1).into()], batch_context(false))
        .when(BatchCommand::Dispatch(batch_dispatched(1).into()))
        .then_err("STREAM_ALREADY_EXISTS");
}

#[test]
fn a_batch_needs_an_active_pairing() {
    given::<BatchState>([])
        .when(BatchCommand::Dispatch(batch_dispatched(1).into()))
        .then_err("PAIRING_NOT_FOUND");
    let mut ended = pairing_facts();
    ended.active = false;
    let ctx = BatchContext {
        pairing: Some(ended),
        ..batch_context(false)
    };
    given_in::<BatchState>([], ctx)
        .when(BatchCommand::Dispatch(batch_dispatched(1).into()))
        .then_err("PAIRING_NOT_ACTIVE");
}

#[test]
fn the_planned_term_meets_the_program_minimum() {
    let short = BatchDispatched {
        planned_end: date!(2025 - 06 - 29),
        ..batch_dispatched(1)
    };
    given_in::<BatchState>([], batch_context(false))
        .when(BatchCommand::Dispatch(short.into()))
        .then_err("PLANNED_TERM_TOO_SHORT");
}

fn dispatched() -> Vec<Event> {
    vec![batch_dispatched(1).into()]
}

#[test]
fn a_member_from_a_supporting_hospital_is_assigned() {
    given_in::<BatchState>(dispatched(), batch_context(false))
        .when(BatchCommand::AssignMember(
            member_assigned(1, "doc-a").into(),
        ))
        .then(vec![member_assigned(1, "doc-a").into()]);
}

#[test]
fn assigning_to_an_undispatched_batch_is_refused() {
    given_in::<BatchState>([], batch_context(false))
        .when(BatchCommand::AssignMember(
            member_assigned(1, "doc-a").into(),
        ))
        .then_err("STREAM_NOT_FOUND");
}

#[test]
fn members_come_from_supporting_hospitals() {
    let m = MemberAssigned {
        home_org: outsider(),
        ..member_assigned(1, "doc-a")
    };
    given_in::<BatchState>(dispatched(), batch_context(false))
        .when(BatchCommand::AssignMember(m.into()))
        .then_err("HOME_ORG_NOT_SUPPORTING");
}

#[test]
fn a_member_is_assigned_once_per_batch() {
    let events = vec![
        batch_dispatched(1).into(),
        member_assigned(1, "doc-a").into(),
    ];
    given_in::<BatchState>(events, batch_context(false))
        .when(BatchCommand::AssignMember(
            member_assigned(2, "doc-a").into(),
        ))
        .then_err("MEMBER_ALREADY_IN_BATCH");
}

#[test]
fn a_member_term_below_the_minimum_is_refused() {
    let m = MemberAssigned {
        planned_end: date!(2025 - 01 - 31),
        ..member_assigned(1, "doc-a")
    };
    given_in::<BatchState>(dispatched(), batch_context(false))
        .when(BatchCommand::AssignMember(m.into()))
        .then_err("PLANNED_TERM_TOO_SHORT");
}

#[test]
fn overlapping_assignments_of_one_person_are_refused() {
    let mut ctx = batch_context(false);
    ctx.practitioner_terms = vec![stint(
        9,
        "doc-a",
        org("520000", 5),
        date!(2024 - 01 - 01),
        Some(date!(2024 - 07 - 01)),
    )];
    given_in::<BatchState>(dispatched(), ctx.clone())
        .when(BatchCommand::AssignMember(
            member_assigned(1, "doc-a").into(),
        ))
        .then_err("OVERLAPPING_ASSIGNMENT");
    ctx.practitioner_terms[0].departed = Some(date!(2024 - 06 - 30));
    given_in::<BatchState>(dispatched(), ctx)
        .when(BatchCommand::AssignMember(
            member_assigned(1, "doc-a").into(),
        ))
        .then_ok();
}

#[test]
fn team_composition_shortfalls_warn_without_refusing() {
    let mut events = dispatched();
    events.push(member_assigned(1, "doc-a").into());
    let stream = Stream::<BatchState>::from_events(&events);
    let reasons: Vec<_> = stream
        .state()
        .team_warnings()
        .iter()
        .map(TeamWarning::reason)
        .collect();
    assert_eq!(
        reasons,
        ["TEAM_BELOW_MIN_SIZE", "TEAM_TOO_FEW_SENIOR_MEMBERS"]
    );
    for n in 2..=5 {
        let title = ProfessionalTitle::ASSOCIATE_CHIEF_PHYSICIAN;
        events.push(
            MemberAssigned {
                title,
                ..member_assigned(n, &format!("doc-{n}"))
            }
            .into(),
        );
    }
    assert!(
        Stream::<BatchState>::from_events(&events)
            .state()
            .team_warnings()
            .is_empty()
    );
}
