use domain::aggregates::gap::{
    FillGap, GapCommand, GapContext, GapFilled, GapKey, GapLevel, GapRegion, GapState,
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
        region_name: None,
    }
}

fn facts() -> GapContext {
    GapContext {
        technique_introduced_on: Some(date!(2024 - 09 - 15)),
        hospital_division: Some(division("620422")),
        region_name: None,
    }
}

fn southern_xinjiang() -> GapKey {
    GapKey::new(
        GapLevel::Custom,
        GapRegion::Custom(RegionKey::parse("southern_xinjiang").unwrap()),
        vats(),
    )
    .unwrap()
}

/// A claim in 南疆 naming the region `name` (or not).
fn custom_claim(name: Option<&str>) -> GapFilled {
    GapFilled {
        region_name: name.map(str::to_owned),
        ..claim(southern_xinjiang())
    }
}

/// The context of a custom region whose key was first used with `recorded` as its name.
fn named(recorded: Option<&str>) -> GapContext {
    GapContext {
        region_name: recorded.map(str::to_owned),
        ..facts()
    }
}

#[test]
fn the_first_use_of_a_custom_region_stores_its_display_name() {
    given_in::<GapState>([], named(None))
        .when(GapCommand::Fill(custom_claim(Some("南疆")).into()))
        .then(vec![custom_claim(Some("南疆")).into()]);
}

#[test]
fn the_first_use_of_a_custom_region_needs_its_display_name() {
    given_in::<GapState>([], named(None))
        .when(GapCommand::Fill(custom_claim(None).into()))
        .then_err("REGION_NAME_MISSING");
    let blank = FillGap {
        region_name: Some(String::new()),
        ..custom_claim(None).into()
    };
    given_in::<GapState>([], named(None))
        .when(GapCommand::Fill(blank))
        .then_err("REGION_NAME_MISSING");
}

#[test]
fn a_later_use_keeps_the_stored_name_whether_it_repeats_it_or_not() {
    for given in [None, Some("南疆")] {
        given_in::<GapState>([], named(Some("南疆")))
            .when(GapCommand::Fill(custom_claim(given).into()))
            .then(vec![custom_claim(Some("南疆")).into()]);
    }
}

#[test]
fn a_later_use_cannot_rename_the_region() {
    given_in::<GapState>([], named(Some("南疆")))
        .when(GapCommand::Fill(custom_claim(Some("南疆四地州")).into()))
        .then_err("REGION_NAME_MISMATCH");
    let refused = domain::decide(
        &domain::Stream::<GapState>::from_events(&[]),
        &domain::StreamCommand::Act(GapCommand::Fill(custom_claim(Some("喀什")).into())),
        &named(Some("南疆")),
    )
    .unwrap_err();
    // A rule about one field: the API names region_name.
    assert_eq!(refused.field(), Some("region_name"));
}

#[test]
fn only_a_custom_region_has_a_display_name() {
    let named_division = GapFilled {
        region_name: Some("平凉".to_owned()),
        ..claim(prefecture_gap())
    };
    let refused = domain::decide(
        &domain::Stream::<GapState>::from_events(&[]),
        &domain::StreamCommand::Act(GapCommand::Fill(named_division.into())),
        &facts(),
    )
    .unwrap_err();
    assert_eq!(
        (refused.reason(), refused.field()),
        ("VALUE_OUT_OF_RANGE", Some("region_name"))
    );
    let too_long = custom_claim(Some(&"疆".repeat(51)));
    given_in::<GapState>([], named(None))
        .when(GapCommand::Fill(too_long.into()))
        .then_err("VALUE_TOO_LONG");
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
