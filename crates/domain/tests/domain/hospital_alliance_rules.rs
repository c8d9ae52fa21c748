use domain::aggregates::alliance::{
    AllianceCommand, AllianceContext, AllianceFormed, AllianceKey, AllianceMember, AllianceState,
    MembershipChange, Tier,
};
use domain::aggregates::hospital::{
    CenterCertified, CenterType, HospitalCommand, HospitalContext, HospitalGradeAssessed,
    HospitalRegistered, HospitalState, OrganisationKind, ServiceLineOpened,
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
        kind: OrganisationKind::Hospital,
        category: Some("A100".to_owned()),
        registered_on: date!(2022 - 01 - 01),
    }
}

/// 东莞市卫生健康局, the supporting side of seed 002's city-to-city pairing.
pub(crate) fn registered_commission() -> HospitalRegistered {
    HospitalRegistered {
        hospital: org("441900", 20),
        name: "东莞市卫生健康局".to_owned(),
        division: division("441900"),
        kind: OrganisationKind::HealthCommission,
        category: None,
        registered_on: date!(2018 - 01 - 01),
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
        category: Some("综合".to_owned()),
        ..registered_hospital()
    };
    let e = given_in::<HospitalState>([], today())
        .when(HospitalCommand::Register(bad))
        .then_err("VALUE_OUT_OF_RANGE");
    assert_eq!(e.field(), Some("category"));
    let uncategorised = HospitalRegistered {
        category: None,
        ..registered_hospital()
    };
    let e = given_in::<HospitalState>([], today())
        .when(HospitalCommand::Register(uncategorised))
        .then_err("VALUE_EMPTY");
    assert_eq!(e.field(), Some("category"));
}

#[test]
fn an_organisation_that_is_not_a_hospital_registers_without_a_category() {
    // Given nothing, when 东莞市卫生健康局 registers as a health commission, then it is recorded with
    // its kind and no category; a university and any other organisation likewise.
    given_in::<HospitalState>([], today())
        .when(HospitalCommand::Register(registered_commission()))
        .then(vec![registered_commission().into()]);
    for kind in [OrganisationKind::University, OrganisationKind::Other] {
        let registered = HospitalRegistered {
            kind,
            name: "遵义医科大学".to_owned(),
            ..registered_commission()
        };
        given_in::<HospitalState>([], today())
            .when(HospitalCommand::Register(registered.clone()))
            .then(vec![registered.into()]);
    }
    // A health commission with a hospital category would pretend to be a hospital: refused.
    let pretending = HospitalRegistered {
        category: Some("A100".to_owned()),
        ..registered_commission()
    };
    let e = given_in::<HospitalState>([], today())
        .when(HospitalCommand::Register(pretending))
        .then_err("VALUE_OUT_OF_RANGE");
    assert_eq!(e.field(), Some("category"));
}

#[test]
fn only_a_hospital_has_a_grade_centres_and_service_lines() {
    // Given a registered health commission, when a grade, a centre or a service line is recorded
    // for it, then each is refused: those are facts of hospitals.
    let commission = registered_commission();
    let grade = HospitalGradeAssessed {
        hospital: commission.hospital.clone(),
        grade: HospitalGrade::new(
            GradeLevel::Three,
            Some(GradeClass::A),
            ReviewKind::Initial,
            date!(2023 - 01 - 01),
            None,
        )
        .unwrap(),
    };
    let centre = CenterCertified {
        hospital: commission.hospital.clone(),
        center: CenterType::Stroke,
        certifier: "国家卫健委脑防委".to_owned(),
        certified_on: date!(2023 - 01 - 01),
        valid_until: None,
    };
    let service_line = ServiceLineOpened {
        hospital: commission.hospital.clone(),
        ..line(date!(2024 - 09 - 15))
    };
    for command in [
        HospitalCommand::AssessGrade(grade),
        HospitalCommand::CertifyCenter(centre),
        HospitalCommand::OpenServiceLine(service_line),
    ] {
        given_in::<HospitalState>([commission.clone().into()], today())
            .when(command)
            .then_err("ORG_NOT_A_HOSPITAL");
    }
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
        specialty_name: Some("微创外科".to_owned()),
        specialty_sub_code: Some("MIS-01".to_owned()),
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

/// An alliance of the same lead, formed before: `AllianceFormed` 81 with these names.
fn existing(specialty: &str, name: Option<&str>, sub_code: Option<&str>) -> AllianceKey {
    AllianceFormed {
        alliance_id: AllianceId(Uuid::from_u128(81)),
        specialty: dept(specialty),
        specialty_name: name.map(str::to_owned),
        specialty_sub_code: sub_code.map(str::to_owned),
        ..alliance()
    }
    .key()
}

#[test]
fn one_alliance_per_lead_department_and_specialty_name() {
    let mut ctx = alliance_context();
    ctx.existing_alliances = vec![existing("04.04", Some("微创外科"), None)];
    given_in::<AllianceState>([], ctx.clone())
        .when(AllianceCommand::Form(alliance()))
        .then_err("DUPLICATE_ALLIANCE");
    ctx.existing_alliances = vec![existing("21", Some("微创外科"), None)];
    given_in::<AllianceState>([], ctx.clone())
        .when(AllianceCommand::Form(alliance()))
        .then_ok();
    ctx.existing_alliances = vec![existing("04.04", Some("肝胆外科"), None)];
    given_in::<AllianceState>([], ctx)
        .when(AllianceCommand::Form(alliance()))
        .then_ok();
}

#[test]
fn three_tcm_alliances_of_one_lead_differ_by_their_specialty_names() {
    // Seed 002: 脑病科, 心病科 and 治未病科, all under 50 中医科, led by 东莞市中医院.
    let tcm = |id: u128, name: Option<&str>| AllianceFormed {
        alliance_id: AllianceId(Uuid::from_u128(id)),
        specialty: dept("50"),
        specialty_name: name.map(str::to_owned),
        specialty_sub_code: None,
        ..alliance()
    };
    let mut ctx = alliance_context();
    for (id, name) in [(90, "脑病科"), (91, "心病科"), (92, "治未病科")] {
        let formed = tcm(id, Some(name));
        given_in::<AllianceState>([], ctx.clone())
            .when(AllianceCommand::Form(formed.clone()))
            .then(vec![formed.clone().into()]);
        ctx.existing_alliances.push(formed.key());
    }
    given_in::<AllianceState>([], ctx.clone())
        .when(AllianceCommand::Form(tcm(93, Some("心病科"))))
        .then_err("DUPLICATE_ALLIANCE");
    // Without a name an alliance is named after its department; a second such one is a duplicate.
    given_in::<AllianceState>([], ctx.clone())
        .when(AllianceCommand::Form(tcm(94, None)))
        .then_ok();
    assert_eq!(tcm(94, None).name(), "中医科");
    ctx.existing_alliances.push(tcm(94, None).key());
    given_in::<AllianceState>([], ctx.clone())
        .when(AllianceCommand::Form(tcm(95, None)))
        .then_err("DUPLICATE_ALLIANCE");
    given_in::<AllianceState>([], ctx)
        .when(AllianceCommand::Form(tcm(96, Some("中医科"))))
        .then_err("DUPLICATE_ALLIANCE");
}

#[test]
fn a_sub_code_names_one_alliance_of_its_lead() {
    let mut ctx = alliance_context();
    ctx.existing_alliances = vec![existing("21", Some("康复"), Some("MIS-01"))];
    given_in::<AllianceState>([], ctx.clone())
        .when(AllianceCommand::Form(alliance()))
        .then_err("DUPLICATE_ALLIANCE");
    ctx.existing_alliances = vec![existing("21", Some("康复"), Some("MIS-02"))];
    given_in::<AllianceState>([], ctx)
        .when(AllianceCommand::Form(alliance()))
        .then_ok();
}

#[test]
fn specialty_name_and_sub_code_are_checked() {
    let long_name = "科".repeat(51);
    for (name, sub_code, reason, field) in [
        (Some(" "), None, "VALUE_EMPTY", "specialty_name"),
        (
            Some("脑\u{202e}病科"),
            None,
            "VALUE_INVALID_CHARACTER",
            "specialty_name",
        ),
        (
            Some(long_name.as_str()),
            None,
            "VALUE_TOO_LONG",
            "specialty_name",
        ),
        (
            None,
            Some("MIS 01"),
            "VALUE_INVALID_CHARACTER",
            "specialty_sub_code",
        ),
        (None, Some(""), "VALUE_EMPTY", "specialty_sub_code"),
        (
            None,
            Some("A234567890123456X"),
            "VALUE_TOO_LONG",
            "specialty_sub_code",
        ),
    ] {
        let a = AllianceFormed {
            specialty_name: name.map(str::to_owned),
            specialty_sub_code: sub_code.map(str::to_owned),
            ..alliance()
        };
        let e = given_in::<AllianceState>([], alliance_context())
            .when(AllianceCommand::Form(a))
            .then_err(reason);
        assert_eq!(e.field(), Some(field), "{name:?} {sub_code:?}");
    }
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
