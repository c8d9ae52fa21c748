use domain::aggregates::pairing::{
    CommitFunding, Delegate, FundingCommitted, FundingSource, GroupFormed, PairingCommand,
    PairingContext, PairingEstablished, PairingState, ShortVisitConducted,
};
use domain::values::{MoneyFen, PairingId};
use time::macros::date;
use uuid::Uuid;

use crate::fixtures::*;
use crate::harness::{given, given_in};

fn context() -> PairingContext {
    PairingContext {
        program: Some(program()),
        registered_orgs: registered(&[supporting(), supporting_b(), recipient(), org("620000", 4)]),
        ..PairingContext::default()
    }
}

fn establish(e: PairingEstablished) -> PairingCommand {
    PairingCommand::Establish(e.into())
}

fn established() -> Vec<domain::Event> {
    vec![pairing_established().into()]
}

#[test]
fn establishing_binds_the_program_parameters() {
    given_in::<PairingState>([], context())
        .when(establish(pairing_established()))
        .then(established());
}

#[test]
fn establishing_twice_is_refused() {
    given_in::<PairingState>(established(), context())
        .when(establish(pairing_established()))
        .then_err("STREAM_ALREADY_EXISTS");
}

#[test]
fn establishing_needs_the_program() {
    given::<PairingState>([])
        .when(establish(pairing_established()))
        .then_err("PROGRAM_NOT_FOUND");
}

#[test]
fn every_organisation_must_be_registered() {
    let mut e = pairing_established();
    e.supporting_orgs.push(outsider());
    let error = given_in::<PairingState>([], context())
        .when(establish(e))
        .then_err("ORG_NOT_REGISTERED");
    assert!(error.to_string().contains("supporting_orgs[2]"));
}

#[test]
fn no_supporting_org_is_a_field_error() {
    let e = PairingEstablished {
        supporting_orgs: vec![],
        ..pairing_established()
    };
    let error = given_in::<PairingState>([], context())
        .when(establish(e))
        .then_err("VALUE_EMPTY");
    assert_eq!(error.field(), Some("supporting_orgs"));
}

#[test]
fn an_organisation_cannot_support_itself() {
    let e = PairingEstablished {
        supporting_orgs: vec![recipient()],
        ..pairing_established()
    };
    given_in::<PairingState>([], context())
        .when(establish(e))
        .then_err("SUPPORTING_EQUALS_RECIPIENT");
}

#[test]
fn a_second_active_pair_in_the_program_is_refused_but_another_recipient_is_fine() {
    let mut ctx = context();
    let mut other = pairing_facts();
    other.pairing_id = PairingId(Uuid::from_u128(77));
    ctx.active_pairings_in_program = vec![other.clone()];
    given_in::<PairingState>([], ctx.clone())
        .when(establish(pairing_established()))
        .then_err("DUPLICATE_ACTIVE_PAIRING");
    other.recipient_org = org("620000", 4);
    ctx.active_pairings_in_program = vec![other];
    given_in::<PairingState>([], ctx)
        .when(establish(pairing_established()))
        .then_ok();
}

fn child() -> PairingEstablished {
    PairingEstablished {
        pairing_id: PairingId(Uuid::from_u128(20)),
        parent_pairing_id: Some(pairing_id()),
        region_codes: vec![division("620422")],
        ..pairing_established()
    }
}

#[test]
fn a_child_pairing_needs_its_parent() {
    given_in::<PairingState>([], context())
        .when(establish(child()))
        .then_err("PAIRING_NOT_FOUND");
}

#[test]
fn a_child_of_an_ended_parent_is_refused() {
    let mut parent = pairing_facts();
    parent.region_codes = vec![division("620400")];
    parent.active = false;
    let ctx = PairingContext {
        parent: Some(parent),
        ..context()
    };
    given_in::<PairingState>([], ctx)
        .when(establish(child()))
        .then_err("PAIRING_NOT_ACTIVE");
}

#[test]
fn child_regions_lie_inside_the_parent() {
    let mut parent = pairing_facts();
    parent.region_codes = vec![division("620400")];
    let ctx = PairingContext {
        parent: Some(parent),
        ..context()
    };
    given_in::<PairingState>([], ctx.clone())
        .when(establish(child()))
        .then_ok();
    let outside = PairingEstablished {
        region_codes: vec![division("623025")],
        ..child()
    };
    given_in::<PairingState>([], ctx)
        .when(establish(outside))
        .then_err("REGION_OUTSIDE_PARENT");
}

#[test]
fn key_county_programs_take_only_eligible_counties() {
    let mut ctx = context();
    let mut program = program();
    program.parameters.eligible_counties = Some(vec![division("623025")]);
    ctx.program = Some(program.clone());
    given_in::<PairingState>([], ctx.clone())
        .when(establish(pairing_established()))
        .then_err("RECIPIENT_COUNTY_NOT_ELIGIBLE");
    program.parameters.eligible_counties = Some(vec![division("620422")]);
    ctx.program = Some(program);
    given_in::<PairingState>([], ctx)
        .when(establish(pairing_established()))
        .then_ok();
}

fn end(date: time::Date) -> PairingCommand {
    PairingCommand::End {
        reason: "结对关系调整".to_owned(),
        date,
    }
}

#[test]
fn ending_with_members_on_site_is_refused_until_they_left() {
    let on_site = stint(1, "doc-a", recipient(), date!(2024 - 07 - 25), None);
    let ctx = PairingContext {
        on_site: vec![on_site.clone()],
        ..context()
    };
    given_in::<PairingState>(established(), ctx)
        .when(end(date!(2024 - 12 - 31)))
        .then_err("MEMBERS_STILL_ON_SITE");
    let left = domain::facts::OnSiteStint {
        departed: Some(date!(2024 - 12 - 01)),
        ..on_site
    };
    let ctx = PairingContext {
        on_site: vec![left],
        ..context()
    };
    given_in::<PairingState>(established(), ctx)
        .when(end(date!(2024 - 12 - 31)))
        .then_ok();
}

#[test]
fn restructuring_names_the_successor_and_ends_the_pairing() {
    let command = PairingCommand::Restructure {
        successor_pairing_id: PairingId(Uuid::from_u128(30)),
        reason: "东西部协作结对关系调整".to_owned(),
        date: date!(2021 - 06 - 01),
    };
    let mut events = established();
    events[0] = PairingEstablished {
        start: date!(2021 - 01 - 01),
        ..pairing_established()
    }
    .into();
    let restructured = given_in::<PairingState>(events.clone(), context())
        .when(command.clone())
        .then_ok();
    events.extend(restructured);
    given_in::<PairingState>(events, context())
        .when(command)
        .then_err("PAIRING_NOT_ACTIVE");
}

#[test]
fn ending_before_the_start_is_refused() {
    given_in::<PairingState>(established(), context())
        .when(end(date!(2021 - 12 - 31)))
        .then_err("DATE_BEFORE_PAIRING_START");
}

#[test]
fn commands_on_a_missing_pairing_are_refused() {
    given::<PairingState>([])
        .when(end(date!(2024 - 01 - 01)))
        .then_err("STREAM_NOT_FOUND");
}

fn form_group(assisting: Vec<domain::values::CreditCode>) -> PairingCommand {
    PairingCommand::FormGroup {
        lead_org: supporting(),
        assisting_orgs: assisting,
        formed_on: date!(2022 - 02 - 01),
    }
}

fn three_supporting() -> Vec<domain::Event> {
    let mut e = pairing_established();
    e.supporting_orgs.push(org("620000", 4));
    vec![e.into()]
}

#[test]
fn a_group_of_three_supporting_hospitals_is_formed() {
    let events = given::<PairingState>(three_supporting())
        .when(form_group(vec![supporting_b(), org("620000", 4)]))
        .then_ok();
    assert!(matches!(
        &events[..],
        [domain::Event::GroupFormed(GroupFormed {
            min_staff_lead: 2,
            min_staff_assisting: 1,
            ..
        })]
    ));
}

#[test]
fn a_group_of_two_is_too_small() {
    given::<PairingState>(three_supporting())
        .when(form_group(vec![supporting_b()]))
        .then_err("GROUP_SIZE_OUT_OF_RANGE");
}

#[test]
fn group_hospitals_must_support_the_pairing() {
    given::<PairingState>(three_supporting())
        .when(form_group(vec![supporting_b(), outsider()]))
        .then_err("GROUP_ORG_NOT_SUPPORTING");
}

#[test]
fn a_second_group_is_refused() {
    let mut events = three_supporting();
    events.extend(
        given::<PairingState>(three_supporting())
            .when(form_group(vec![supporting_b(), org("620000", 4)]))
            .then_ok(),
    );
    given::<PairingState>(events)
        .when(form_group(vec![supporting_b(), org("620000", 4)]))
        .then_err("GROUP_ALREADY_FORMED");
}

#[test]
fn a_group_needs_group_rules_in_the_program() {
    let mut e = pairing_established();
    e.supporting_orgs.push(org("620000", 4));
    e.parameters.group_rules = None;
    given::<PairingState>([e.into()])
        .when(form_group(vec![supporting_b(), org("620000", 4)]))
        .then_err("GROUP_RULES_MISSING");
}

pub(crate) fn visit(days: u8) -> ShortVisitConducted {
    ShortVisitConducted {
        pairing_id: pairing_id(),
        visit_id: Uuid::from_u128(40),
        recipient_org: recipient(),
        delegation: vec![Delegate {
            home_org: supporting(),
            title: None,
            specialty: Some(dept("20")),
        }],
        start: date!(2024 - 04 - 16),
        end: date!(2024 - 04 - 16).saturating_add(time::Duration::days(i64::from(days) - 1)),
        activities: vec!["座谈".to_owned(), "查房".to_owned()],
    }
}

#[test]
fn a_short_visit_up_to_the_maximum_is_recorded() {
    given::<PairingState>(established())
        .when(PairingCommand::RecordShortVisit(visit(14).into()))
        .then(vec![visit(14).into()]);
}

#[test]
fn a_short_visit_longer_than_the_maximum_is_refused() {
    given::<PairingState>(established())
        .when(PairingCommand::RecordShortVisit(visit(15).into()))
        .then_err("SHORT_VISIT_TOO_LONG");
}

pub(crate) fn funding(fen: u64) -> FundingCommitted {
    FundingCommitted {
        pairing_id: pairing_id(),
        funding_id: Uuid::from_u128(50),
        recipient_org: recipient(),
        amount_fen: MoneyFen(fen),
        source: FundingSource::EastWestCooperationFund,
        purpose: "乳腺中心共建".to_owned(),
        date: date!(2022 - 05 - 01),
    }
}

#[test]
fn funding_must_be_positive() {
    given::<PairingState>(established())
        .when(PairingCommand::CommitFunding(funding(0).into()))
        .then_err("FUNDING_NOT_POSITIVE");
    given::<PairingState>(established())
        .when(PairingCommand::CommitFunding(funding(1).into()))
        .then(vec![funding(1).into()]);
}

#[test]
fn funding_from_fiscal_and_social_sources_together_is_one_commitment() {
    // Given an active pairing, when 780万元 of fiscal and social funds together are committed
    // (seed 002), then one commitment records that source.
    let together = FundingCommitted {
        source: FundingSource::FiscalAndSocial,
        ..funding(780_000_000)
    };
    given::<PairingState>(established())
        .when(PairingCommand::CommitFunding(together.clone().into()))
        .then(vec![together.into()]);
}

#[test]
fn funding_goes_to_the_pairings_recipient_unless_the_caller_names_another() {
    let unnamed = CommitFunding {
        recipient_org: None,
        ..funding(1).into()
    };
    given::<PairingState>(established())
        .when(PairingCommand::CommitFunding(unnamed))
        .then(vec![funding(1).into()]);
    let named = CommitFunding {
        recipient_org: Some(supporting()),
        ..funding(1).into()
    };
    let to_supporting = FundingCommitted {
        recipient_org: supporting(),
        ..funding(1)
    };
    given::<PairingState>(established())
        .when(PairingCommand::CommitFunding(named))
        .then(vec![to_supporting.into()]);
}
