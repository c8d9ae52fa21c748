use domain::Event;
use domain::aggregates::program::{
    ProgramCommand, ProgramContext, ProgramDefined, ProgramKind, ProgramParametersRevised,
    ProgramState,
};
use time::macros::date;

use crate::fixtures::*;
use crate::harness::given;

pub(crate) fn defined() -> ProgramDefined {
    ProgramDefined {
        program_id: program_id(),
        kind: ProgramKind::KeyCountyGroupAid,
        name: "医疗人才组团式帮扶".to_owned(),
        policy_refs: vec!["2023年中央一号文件 §15".to_owned()],
        parameters: parameters(),
        defined_on: date!(2022 - 01 - 01),
    }
}

fn revise(version: u32) -> ProgramCommand {
    ProgramCommand::ReviseParameters {
        parameters: domain::aggregates::program::ProgramParameters {
            version,
            min_term_months: 6,
            ..parameters()
        },
        effective_on: date!(2023 - 01 - 01),
    }
}

#[test]
fn defining_a_program_records_it() {
    given::<ProgramState>([])
        .when(ProgramCommand::Define(defined()))
        .then(vec![defined().into()]);
}

#[test]
fn defining_twice_is_refused() {
    given::<ProgramState>([defined().into()])
        .when(ProgramCommand::Define(defined()))
        .then_err("STREAM_ALREADY_EXISTS");
}

#[test]
fn parameters_with_a_zero_minimum_term_name_the_field() {
    let mut bad = defined();
    bad.parameters.min_term_months = 0;
    let error = given::<ProgramState>([])
        .when(ProgramCommand::Define(bad))
        .then_err("VALUE_NOT_POSITIVE");
    assert_eq!(error.field(), Some("parameters.min_term_months"));
}

#[test]
fn a_new_program_has_parameters_version_1() {
    for (version, reason) in [(0, "VALUE_NOT_POSITIVE"), (2, "VALUE_OUT_OF_RANGE")] {
        let mut bad = defined();
        bad.parameters.version = version;
        let error = given::<ProgramState>([])
            .when(ProgramCommand::Define(bad))
            .then_err(reason);
        assert_eq!(error.field(), Some("parameters.version"));
    }
    let error = given::<ProgramState>([defined().into()])
        .when(revise(0))
        .then_err("VALUE_NOT_POSITIVE");
    assert_eq!(error.field(), Some("parameters.version"));
}

#[test]
fn duplicate_indicator_names_its_index() {
    let mut bad = defined();
    bad.parameters
        .indicator_set
        .indicators
        .push(indicator("surgeries"));
    let error = given::<ProgramState>([])
        .when(ProgramCommand::Define(bad))
        .then_err("VALUE_DUPLICATE");
    assert_eq!(
        error.field(),
        Some("parameters.indicator_set.indicators[3]")
    );
}

#[test]
fn revising_unused_parameters_in_place_is_accepted() {
    let events = given::<ProgramState>([defined().into()])
        .when(revise(1))
        .then_ok();
    assert!(
        matches!(&events[..], [Event::ProgramParametersRevised(ProgramParametersRevised { parameters, .. })] if parameters.version == 1)
    );
}

#[test]
fn revising_parameters_in_use_needs_a_new_version() {
    let in_use = ProgramContext {
        pairings_on_current_version: 3,
    };
    given::<ProgramState>([defined().into()])
        .with(in_use.clone())
        .when(revise(1))
        .then_err("PROGRAM_PARAMETERS_IN_USE");
    given::<ProgramState>([defined().into()])
        .with(in_use)
        .when(revise(2))
        .then_ok();
}

#[test]
fn a_revision_skipping_versions_is_refused() {
    given::<ProgramState>([defined().into()])
        .when(revise(3))
        .then_err("PROGRAM_PARAMETERS_VERSION_NOT_NEXT");
}

#[test]
fn revising_an_undefined_program_is_refused() {
    given::<ProgramState>([])
        .when(revise(2))
        .then_err("STREAM_NOT_FOUND");
}
