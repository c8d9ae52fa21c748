//! Practitioner directory: registration, changes of title, department or employer, and erasure of
//! personal data, whose plain text never reaches an event.

use std::collections::BTreeSet;

use domain::aggregates::practitioner::{
    ChangePractitioner, ErasePersonalData, ErasureBasis, PersonalDataErased, PractitionerChanged,
    PractitionerCommand, PractitionerContext, PractitionerRegistered, PractitionerState,
};
use domain::values::{CreditCode, Gender, PersonalData, ProfessionalTitle, open, seal};
use domain::{Event, StreamCommand};
use time::macros::date;

use crate::fixtures::*;
use crate::harness::{given, given_in};

const KEY: [u8; 32] = [42; 32];

fn personal() -> PersonalData {
    PersonalData {
        name: "胡文滕".to_owned(),
        gender: Some(Gender::Male),
        licence_number: Some("110620000123456".to_owned()),
    }
}

pub(crate) fn registered() -> PractitionerRegistered {
    let practitioner = person("hu-wenteng");
    PractitionerRegistered {
        personal: seal(&KEY, &[1; 24], &practitioner.stream_id(), &personal()),
        practitioner,
        title: ProfessionalTitle::CHIEF_PHYSICIAN,
        department: dept("04.05"),
        employer: supporting(),
        registered_on: date!(2024 - 03 - 01),
    }
}

pub(crate) fn changed() -> PractitionerChanged {
    PractitionerChanged {
        practitioner: person("hu-wenteng"),
        title: None,
        department: None,
        employer: Some(recipient()),
        previous_employer: supporting(),
        changed_on: date!(2025 - 01 - 01),
    }
}

pub(crate) fn erased() -> PersonalDataErased {
    PersonalDataErased {
        practitioner: person("hu-wenteng"),
        legal_basis: ErasureBasis::ConsentWithdrawn,
        employer: supporting(),
        erased_on: date!(2025 - 06 - 01),
    }
}

fn employers(orgs: &[CreditCode]) -> PractitionerContext {
    PractitionerContext {
        registered_orgs: orgs.iter().cloned().collect::<BTreeSet<_>>(),
    }
}

fn change(employer: Option<CreditCode>, title: Option<ProfessionalTitle>) -> PractitionerCommand {
    PractitionerCommand::Change(ChangePractitioner {
        practitioner: person("hu-wenteng"),
        title,
        department: None,
        employer,
        changed_on: date!(2025 - 01 - 01),
    })
}

fn erase() -> PractitionerCommand {
    PractitionerCommand::Erase(ErasePersonalData {
        practitioner: person("hu-wenteng"),
        legal_basis: ErasureBasis::ConsentWithdrawn,
        erased_on: date!(2025 - 06 - 01),
    })
}

#[test]
fn a_practitioner_at_a_registered_employer_is_registered_with_sealed_personal_data() {
    let events = given_in::<PractitionerState>([], employers(&[supporting()]))
        .when(PractitionerCommand::Register(registered()))
        .then_ok();
    assert_eq!(events, vec![Event::from(registered())]);
    let json = serde_json::to_string(&events[0].to_stored().data).unwrap();
    assert!(!json.contains("胡文滕"), "{json}");
    assert!(!json.contains("110620000123456"), "{json}");
    let Event::PractitionerRegistered(r) = &events[0] else {
        panic!("{events:?}");
    };
    assert_eq!(
        open(&KEY, &r.practitioner.stream_id(), &r.personal),
        Some(personal())
    );
}

#[test]
fn a_practitioner_at_an_unregistered_employer_is_refused() {
    given::<PractitionerState>([])
        .when(PractitionerCommand::Register(registered()))
        .then_err("ORG_NOT_REGISTERED");
}

#[test]
fn a_practitioner_is_registered_once() {
    given_in::<PractitionerState>([registered().into()], employers(&[supporting()]))
        .when(PractitionerCommand::Register(registered()))
        .then_err("STREAM_ALREADY_EXISTS");
}

#[test]
fn a_new_employer_is_recorded_with_the_previous_one_for_its_scope() {
    let events = given_in::<PractitionerState>([registered().into()], employers(&[recipient()]))
        .when(change(Some(recipient()), None))
        .then_ok();
    assert_eq!(events, vec![Event::from(changed())]);
    let scope = events[0].scope();
    assert!(scope.organisations.contains(&supporting()));
    assert!(scope.organisations.contains(&recipient()));
}

#[test]
fn a_change_to_an_unregistered_employer_is_refused() {
    given::<PractitionerState>([registered().into()])
        .when(change(Some(recipient()), None))
        .then_err("ORG_NOT_REGISTERED");
}

#[test]
fn a_change_that_changes_nothing_is_refused() {
    given::<PractitionerState>([registered().into()])
        .when(change(None, None))
        .then_err("PRACTITIONER_UNCHANGED");
    given_in::<PractitionerState>([registered().into()], employers(&[supporting()]))
        .when(change(
            Some(supporting()),
            Some(ProfessionalTitle::CHIEF_PHYSICIAN),
        ))
        .then_err("PRACTITIONER_UNCHANGED");
}

#[test]
fn only_what_changed_is_recorded() {
    let events = given::<PractitionerState>([registered().into()])
        .when(change(
            Some(supporting()),
            Some(ProfessionalTitle::ASSOCIATE_CHIEF_PHYSICIAN),
        ))
        .then_ok();
    let Event::PractitionerChanged(c) = &events[0] else {
        panic!("{events:?}");
    };
    assert_eq!(c.title, Some(ProfessionalTitle::ASSOCIATE_CHIEF_PHYSICIAN));
    assert_eq!(c.employer, None);
}

#[test]
fn a_change_or_an_erasure_of_an_unknown_practitioner_is_refused() {
    given::<PractitionerState>([])
        .when(change(None, Some(ProfessionalTitle::PHYSICIAN)))
        .then_err("STREAM_NOT_FOUND");
    given::<PractitionerState>([])
        .when(erase())
        .then_err("STREAM_NOT_FOUND");
}

#[test]
fn an_erasure_names_its_legal_basis_and_the_current_employer() {
    given::<PractitionerState>([registered().into(), changed().into()])
        .when(erase())
        .then(vec![
            PersonalDataErased {
                employer: recipient(),
                ..erased()
            }
            .into(),
        ]);
}

#[test]
fn personal_data_is_erased_once() {
    given::<PractitionerState>([registered().into(), erased().into()])
        .when(erase())
        .then_err("PERSONAL_DATA_ALREADY_ERASED");
}

#[test]
fn after_an_erasure_title_and_employer_still_change() {
    given_in::<PractitionerState>(
        [registered().into(), erased().into()],
        employers(&[recipient()]),
    )
    .when(change(Some(recipient()), None))
    .then_ok();
}

#[test]
fn an_erasure_is_neither_retracted_nor_corrected() {
    given::<PractitionerState>([registered().into(), erased().into()])
        .when_stream(StreamCommand::Retract {
            version: 2,
            reason: "录入错误".to_owned(),
        })
        .then_err("EVENT_NOT_AMENDABLE");
    given::<PractitionerState>([registered().into(), erased().into()])
        .when_stream(StreamCommand::CorrectWith {
            version: 2,
            command: erase(),
            reason: "依据有误".to_owned(),
        })
        .then_err("EVENT_NOT_AMENDABLE");
    // The registration itself may still be retracted.
    given::<PractitionerState>([registered().into(), erased().into()])
        .when_stream(StreamCommand::Retract {
            version: 1,
            reason: "重复登记".to_owned(),
        })
        .then_ok();
}
