use domain::aggregates::alliance::{
    AllianceCommand, AllianceContext, AllianceFormed, AllianceMember, AllianceState,
    MembershipChange, Tier,
};
use domain::aggregates::hospital::{
    CenterCertified, CenterType, HospitalCommand, HospitalContext, HospitalGradeAssessed,
    HospitalRegistered, HospitalState, ServiceLineOpened,
};
use domain::aggregates::platform::{
    PlatformCommand, PlatformContext, PlatformEstablished, PlatformKind, PlatformState,
};
use domain::values::{AllianceId, GradeClass, GradeLevel, HospitalGrade, PlatformId, ReviewKind};
use time::{Date, macros::date};
use uuid::Uuid;

use crate::fixtures::*;
use crate::harness::{given, given_in};

fn today() -> HospitalContext {
    HospitalContext {
        today: date!(2025 - 06 - 16),
    }
}

pub(crate) fn registered_hospital() -> HospitalRegistered {
    HospitalRegistered {
        hospital: recipient(),
        name: "会宁县人民医院".to_owned(),
        division: division("620422"),
        category: "A100".to_owned(),
        registered_on: date!(2022 - 01 - 01),
    }
}

pub(crate) fn line(on: Date) -> ServiceLineOpened {
    ServiceLineOpened {
        hospital: recipient(),
        name: "肺结节门诊".to_owned(),
        department: dept("04.05"),
        opened_on: on,
    }
}

#[test]
fn a_hospital_registers_once_with_a_ws218_category() {
    given_in::<HospitalState>([], today())
        .when(HospitalCommand::Register(registered_hospital()))
        .then(vec![registered_hospital().into()]);
    given_in::<HospitalState>([registered_hospital().into()], today())
        .when(HospitalCommand::Register(registered_hospital()))
        .then_err("STREAM_ALREADY_EXISTS");
    let bad = HospitalRegistered {
        category: "综合".to_owned(),
        ..registered_hospital()
    };
    let e = given_in::<HospitalState>([], today())
        .when(HospitalCommand::Register(bad))
        .then_err("VALUE_OUT_OF_RANGE");
    assert_eq!(e.field(), Some("category"));
}

#[test]
fn a_hospitals_division_lies_in_its_credit_codes_province() {
    // Given a credit code registered in Gansu (620422), when the division is in Guizhou, then the
    // registration is refused naming the division: scope follows the code and would hide it.
    let elsewhere = HospitalRegistered {
        division: division("520627"),
        ..registered_hospital()
    };
    let e = given_in::<HospitalState>([], today())
        .when(HospitalCommand::Register(elsewhere))
        .then_err("DIVISION_OUTSIDE_CODE_PROVINCE");
    assert_eq!(e.field(), Some("division"));
    // A division elsewhere in the same province (the authority may sit above the county) is fine.
    let same_province = HospitalRegistered {
        division: division("620000"),
        ..registered_hospital()
    };
    given_in::<HospitalState>([], today())
        .when(HospitalCommand::Register(same_province.clone()))
        .then(vec![same_province.into()]);
}

#[test]
fn names_with_control_or_bidi_characters_are_refused_at_the_field() {
    for name in [
        "会宁\u{0}医院",
        "\u{1b}[2J会宁",
        "会宁\u{202e}院医",
        "会宁\u{7f}",
    ] {
        let bad = HospitalRegistered {
            name: name.to_owned(),
            ..registered_hospital()
        };
        let e = given_in::<HospitalState>([], today())
            .when(HospitalCommand::Register(bad))
            .then_err("VALUE_INVALID_CHARACTER");
        assert_eq!(e.field(), Some("name"));
    }
    let long = HospitalRegistered {
        name: "医".repeat(101),
        ..registered_hospital()
    };
    let e = given_in::<HospitalState>([], today())
        .when(HospitalCommand::Register(long))
        .then_err("VALUE_TOO_LONG");
    assert_eq!(e.field(), Some("name"));
}

#[test]
fn a_service_line_opens_today_or_earlier() {
    let events = [registered_hospital().into()];
    given_in::<HospitalState>(events.clone(), today())
        .when(HospitalCommand::OpenServiceLine(line(date!(
            2025 - 06 - 16
        ))))
        .then_ok();
    given_in::<HospitalState>(events, today())
        .when(HospitalCommand::OpenServiceLine(line(date!(
            2025 - 06 - 17
        ))))
        .then_err("OPENING_DATE_IN_FUTURE");
}

#[test]
fn a_service_line_opens_once() {
    let events = [
        registered_hospital().into(),
        line(date!(2024 - 09 - 15)).into(),
    ];
    given_in::<HospitalState>(events, today())
        .when(HospitalCommand::OpenServiceLine(line(date!(
            2025 - 01 - 01
        ))))
        .then_err("SERVICE_LINE_ALREADY_OPEN");
}

#[test]
fn an_unregistered_hospital_takes_no_facts() {
    given_in::<HospitalState>([], today())
        .when(HospitalCommand::OpenServiceLine(line(date!(
            2024 - 09 - 15
        ))))
        .then_err("STREAM_NOT_FOUND");
}

pub(crate) fn stroke(on: Date, until: Option<Date>) -> CenterCertified {
    CenterCertified {
        hospital: recipient(),
        center: CenterType::Stroke,
        certifier: "国家卫健委脑防委".to_owned(),
        certified_on: on,
        valid_until: until,
    }
}

#[test]
fn one_active_certification_per_centre_type() {
    let events = [
        registered_hospital().into(),
        stroke(date!(2023 - 05 - 01), Some(date!(2026 - 04 - 30))).into(),
    ];
    given_in::<HospitalState>(events.clone(), today())
        .when(HospitalCommand::CertifyCenter(stroke(
            date!(2024 - 05 - 01),
            None,
        )))
        .then_err("CENTER_ALREADY_CERTIFIED");
    given_in::<HospitalState>(events, today())
        .when(HospitalCommand::CertifyCenter(stroke(
            date!(2026 - 05 - 01),
            None,
        )))
        .then_ok();
}

pub(crate) fn grade(kind: ReviewKind, on: Date) -> HospitalGradeAssessed {
    let grade = HospitalGrade::new(
        GradeLevel::Two,
        Some(GradeClass::A),
        kind,
        on,
        Some(date!(2028 - 12 - 31)),
    )
    .unwrap();
    HospitalGradeAssessed {
        hospital: recipient(),
        grade,
    }
}

#[test]
fn a_rereview_needs_an_earlier_grade() {
    let events = [registered_hospital().into()];
    given_in::<HospitalState>(events.clone(), today())
        .when(HospitalCommand::AssessGrade(grade(
            ReviewKind::Rereview,
            date!(2024 - 01 - 01),
        )))
        .then_err("GRADE_REREVIEW_WITHOUT_GRADE");
    given_in::<HospitalState>(events, today())
        .when(HospitalCommand::AssessGrade(grade(
            ReviewKind::Initial,
            date!(2024 - 01 - 01),
        )))
        .then_ok();
}

#[test]
fn grade_assessments_come_in_date_order() {
    let events = [
        registered_hospital().into(),
        grade(ReviewKind::Initial, date!(2020 - 01 - 01)).into(),
    ];
    given_in::<HospitalState>(events.clone(), today())
        .when(HospitalCommand::AssessGrade(grade(
            ReviewKind::Rereview,
            date!(2019 - 01 - 01),
        )))
        .then_err("GRADE_ASSESSMENT_OUT_OF_ORDER");
    given_in::<HospitalState>(events, today())
        .when(HospitalCommand::AssessGrade(grade(
            ReviewKind::Rereview,
            date!(2024 - 01 - 01),
        )))
        .then_ok();
}

pub(crate) fn alliance() -> AllianceFormed {
    AllianceFormed {
        alliance_id: AllianceId(Uuid::from_u128(80)),
        specialty: dept("04.04"),
        lead_org: supporting(),
        members: vec![AllianceMember {
            org: recipient(),
            tier: Some(Tier::County),
        }],
        formed_on: date!(2023 - 03 - 22),
        plaque_awarded: true,
    }
}

fn alliance_context() -> AllianceContext {
    AllianceContext {
        supporting_orgs: registered(&[supporting()]),
        registered_orgs: registered(&[supporting(), recipient(), supporting_b()]),
        existing_alliances: vec![],
    }
}

#[test]
fn a_supporting_hospital_forms_an_alliance() {
    given_in::<AllianceState>([], alliance_context())
        .when(AllianceCommand::Form(alliance()))
        .then(vec![alliance().into()]);
    given_in::<AllianceState>([alliance().into()], alliance_context())
        .when(AllianceCommand::Form(alliance()))
        .then_err("STREAM_ALREADY_EXISTS");
}

#[test]
fn the_lead_must_be_a_supporting_hospital() {
    let a = AllianceFormed {
        lead_org: recipient(),
        ..alliance()
    };
    given_in::<AllianceState>([], alliance_context())
        .when(AllianceCommand::Form(a))
        .then_err("ALLIANCE_LEAD_NOT_SUPPORTING");
}

#[test]
fn one_alliance_per_lead_and_specialty() {
    let mut ctx = alliance_context();
    ctx.existing_alliances = vec![(AllianceId(Uuid::from_u128(81)), supporting(), dept("04.04"))];
    given_in::<AllianceState>([], ctx.clone())
        .when(AllianceCommand::Form(alliance()))
        .then_err("DUPLICATE_ALLIANCE");
    ctx.existing_alliances = vec![(AllianceId(Uuid::from_u128(81)), supporting(), dept("21"))];
    given_in::<AllianceState>([], ctx)
        .when(AllianceCommand::Form(alliance()))
        .then_ok();
}

#[test]
fn members_must_be_registered() {
    let mut a = alliance();
    a.members.push(AllianceMember {
        org: outsider(),
        tier: Some(Tier::Village),
    });
    let e = given_in::<AllianceState>([], alliance_context())
        .when(AllianceCommand::Form(a))
        .then_err("ORG_NOT_REGISTERED");
    assert!(e.to_string().contains("members[1].org"));
}

fn change(org: domain::values::CreditCode, change: MembershipChange) -> AllianceCommand {
    AllianceCommand::ChangeMembership {
        member: AllianceMember {
            org,
            tier: Some(Tier::Township),
        },
        change,
        date: date!(2024 - 01 - 01),
    }
}

#[test]
fn membership_changes_follow_membership() {
    let formed = [alliance().into()];
    given_in::<AllianceState>(formed.clone(), alliance_context())
        .when(change(supporting_b(), MembershipChange::Joined))
        .then_ok();
    given_in::<AllianceState>(formed.clone(), alliance_context())
        .when(change(recipient(), MembershipChange::Joined))
        .then_err("ALREADY_ALLIANCE_MEMBER");
    given_in::<AllianceState>(formed.clone(), alliance_context())
        .when(change(recipient(), MembershipChange::Left))
        .then_ok();
    given_in::<AllianceState>(formed.clone(), alliance_context())
        .when(change(supporting_b(), MembershipChange::Left))
        .then_err("NOT_AN_ALLIANCE_MEMBER");
    given_in::<AllianceState>(formed.clone(), alliance_context())
        .when(change(supporting(), MembershipChange::Left))
        .then_err("ALLIANCE_LEAD_CANNOT_LEAVE");
    given_in::<AllianceState>(formed, alliance_context())
        .when(change(outsider(), MembershipChange::Joined))
        .then_err("ORG_NOT_REGISTERED");
    given_in::<AllianceState>([], alliance_context())
        .when(change(supporting_b(), MembershipChange::Joined))
        .then_err("STREAM_NOT_FOUND");
}

pub(crate) fn platform(host: domain::values::CreditCode) -> PlatformEstablished {
    PlatformEstablished {
        platform_id: PlatformId(Uuid::from_u128(90)),
        pairing_id: pairing_id(),
        kind: PlatformKind::TrainingBase,
        name: "泌尿外科微创培训基地".to_owned(),
        host_org: host,
        partners: vec![supporting()],
        specialty: Some(dept("04.04")),
        established_on: date!(2023 - 03 - 22),
    }
}

#[test]
fn a_platform_is_hosted_by_a_party_of_its_pairing() {
    let ctx = PlatformContext {
        pairing: Some(pairing_facts()),
    };
    given_in::<PlatformState>([], ctx.clone())
        .when(PlatformCommand::Establish(platform(recipient())))
        .then_ok();
    given_in::<PlatformState>([], ctx.clone())
        .when(PlatformCommand::Establish(platform(outsider())))
        .then_err("PLATFORM_HOST_NOT_IN_PAIRING");
    given_in::<PlatformState>([platform(recipient()).into()], ctx)
        .when(PlatformCommand::Establish(platform(recipient())))
        .then_err("STREAM_ALREADY_EXISTS");
    given::<PlatformState>([])
        .when(PlatformCommand::Establish(platform(recipient())))
        .then_err("PAIRING_NOT_FOUND");
}
