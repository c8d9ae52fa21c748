use domain::aggregates::gap::{
    GapCommand, GapContext, GapFilled, GapKey, GapLevel, GapRegion, GapState,
};
use domain::aggregates::technique::{
    Performer, TechniqueCategory, TechniqueCommand, TechniqueContext, TechniqueIntroduced,
    TechniqueState,
};
use domain::values::{RegionKey, TechniqueKey};
use time::macros::date;

use crate::fixtures::*;
use crate::harness::{given, given_in};

fn vats() -> TechniqueKey {
    TechniqueKey::parse("vats_wedge_resection").unwrap()
}

pub(crate) fn introduced(performer: Performer) -> TechniqueIntroduced {
    TechniqueIntroduced {
        hospital: recipient(),
        technique: vats(),
        name: "胸腔镜下肺楔形切除术".to_owned(),
        procedure_code: Some("32.2001".to_owned()),
        department: dept("04.05"),
        first_performed_on: date!(2024 - 09 - 15),
        performer,
        category: TechniqueCategory::NewTechnique,
    }
}

pub(crate) fn member() -> Performer {
    Performer::OnSiteMember(person("doc-hu"))
}

fn member_on_site() -> TechniqueContext {
    TechniqueContext {
        performer_stints: vec![stint(1, "doc-hu", recipient(), date!(2024 - 07 - 25), None)],
        ..TechniqueContext::default()
    }
}

#[test]
fn an_on_site_member_introduces_a_technique() {
    given_in::<TechniqueState>([], member_on_site())
        .when(TechniqueCommand::Introduce(introduced(member())))
        .then(vec![introduced(member()).into()]);
}

#[test]
fn a_technique_is_introduced_once_per_hospital() {
    given_in::<TechniqueState>([introduced(member()).into()], member_on_site())
        .when(TechniqueCommand::Introduce(introduced(member())))
        .then_err("TECHNIQUE_ALREADY_INTRODUCED");
}

#[test]
fn the_performing_member_must_be_on_site() {
    given::<TechniqueState>([])
        .when(TechniqueCommand::Introduce(introduced(member())))
        .then_err("PERFORMER_NOT_ON_SITE");
}

#[test]
fn a_local_performer_needs_privileges() {
    let local = Performer::Local(person("local-wang-1"));
    given::<TechniqueState>([])
        .when(TechniqueCommand::Introduce(introduced(local.clone())))
        .then_err("PERFORMER_NOT_PRIVILEGED");
    let ctx = TechniqueContext {
        local_performer_privileged: true,
        ..TechniqueContext::default()
    };
    given_in::<TechniqueState>([], ctx)
        .when(TechniqueCommand::Introduce(introduced(local)))
        .then_ok();
}

pub(crate) fn prefecture_gap() -> GapKey {
    GapKey::new(
        GapLevel::Prefecture,
        GapRegion::Division(division("620400")),
        vats(),
    )
    .unwrap()
}

pub(crate) fn claim(gap: GapKey) -> GapFilled {
    GapFilled {
        gap,
        hospital: recipient(),
        technique_introduced_on: date!(2024 - 09 - 15),
        claimed_on: date!(2024 - 10 - 01),
        evidence: vec!["sha256:9f2c".to_owned()],
    }
}

fn facts() -> GapContext {
    GapContext {
        technique_introduced_on: Some(date!(2024 - 09 - 15)),
        hospital_division: Some(division("620422")),
    }
}

#[test]
fn the_first_claim_fills_the_gap() {
    given_in::<GapState>([], facts())
        .when(GapCommand::Fill(claim(prefecture_gap()).into()))
        .then(vec![claim(prefecture_gap()).into()]);
}

#[test]
fn one_fill_per_level_region_and_technique() {
    let mut second = claim(prefecture_gap());
    second.hospital = org("620402", 8);
    given_in::<GapState>([claim(prefecture_gap()).into()], facts())
        .when(GapCommand::Fill(second.into()))
        .then_err("GAP_ALREADY_FILLED");
}

#[test]
fn a_gap_is_filled_only_after_the_technique_was_introduced_there() {
    given::<GapState>([])
        .when(GapCommand::Fill(claim(prefecture_gap()).into()))
        .then_err("TECHNIQUE_NOT_INTRODUCED");
    let late = GapContext {
        technique_introduced_on: Some(date!(2024 - 10 - 02)),
        ..facts()
    };
    given_in::<GapState>([], late)
        .when(GapCommand::Fill(claim(prefecture_gap()).into()))
        .then_err("TECHNIQUE_INTRODUCED_AFTER_CLAIM");
}

#[test]
fn the_hospital_lies_in_the_region() {
    let elsewhere = GapContext {
        hospital_division: Some(division("623025")),
        ..facts()
    };
    given_in::<GapState>([], elsewhere)
        .when(GapCommand::Fill(claim(prefecture_gap()).into()))
        .then_err("HOSPITAL_OUTSIDE_REGION");
    let unknown = GapContext {
        hospital_division: None,
        ..facts()
    };
    given_in::<GapState>([], unknown)
        .when(GapCommand::Fill(claim(prefecture_gap()).into()))
        .then_err("ORG_NOT_REGISTERED");
}

#[test]
fn custom_regions_have_custom_keys_and_a_stream_per_key() {
    let south = GapKey::new(
        GapLevel::Custom,
        GapRegion::Custom(RegionKey::parse("southern_xinjiang").unwrap()),
        vats(),
    )
    .unwrap();
    assert_eq!(
        south.stream_id(),
        "gap-custom.southern_xinjiang.vats_wedge_resection"
    );
    assert!(domain::values::is_valid_stream_id(&south.stream_id()));
    let wrong = GapKey::new(
        GapLevel::County,
        GapRegion::Division(division("620400")),
        vats(),
    )
    .unwrap_err();
    assert_eq!(
        (wrong.field.as_str(), wrong.reason()),
        ("gap.region", "DIVISION_WRONG_LEVEL")
    );
    let mut bad = claim(prefecture_gap());
    bad.gap.level = GapLevel::Province;
    given_in::<GapState>([], facts())
        .when(GapCommand::Fill(bad.into()))
        .then_err("DIVISION_WRONG_LEVEL");
}
