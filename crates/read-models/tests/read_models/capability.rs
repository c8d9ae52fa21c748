//! Hospital capability card: seed 001 (玛曲: 二甲, lapse and 复审, stroke centre certified 2023).

use domain::Event;
use domain::aggregates::hospital::{
    CenterCertified, CenterType, HospitalGradeAssessed, HospitalRegistered, ServiceLineOpened,
};
use domain::values::{DivisionCode, GradeClass, GradeLevel, HospitalGrade, ReviewKind};
use read_models::{PageRequest, capability};
use time::Date;
use time::macros::date;

use crate::support::{Env, dept, on_both, org};

fn grade(level: GradeLevel, class: GradeClass, review: ReviewKind, on: Date, until: Date) -> Event {
    HospitalGradeAssessed {
        hospital: org("623025", 1),
        grade: HospitalGrade::new(level, Some(class), review, on, Some(until)).unwrap(),
    }
    .into()
}

async fn maqu_capability_card(env: Env) {
    let maqu = org("623025", 1);
    env.append(vec![
        HospitalRegistered {
            hospital: maqu.clone(),
            name: "玛曲县人民医院".into(),
            division: DivisionCode::parse("623025").unwrap(),
            kind: domain::aggregates::hospital::OrganisationKind::Hospital,
            category: Some("A210".into()),
            registered_on: date!(2010 - 01 - 01),
        }
        .into(),
        grade(
            GradeLevel::Two,
            GradeClass::B,
            ReviewKind::Initial,
            date!(2016 - 05 - 01),
            date!(2020 - 12 - 31),
        ),
        grade(
            GradeLevel::Two,
            GradeClass::A,
            ReviewKind::Initial,
            date!(2021 - 01 - 10),
            date!(2024 - 12 - 31),
        ),
        grade(
            GradeLevel::Two,
            GradeClass::A,
            ReviewKind::Rereview,
            date!(2025 - 03 - 01),
            date!(2029 - 02 - 28),
        ),
        CenterCertified {
            hospital: maqu.clone(),
            center: CenterType::Stroke,
            certifier: "国家卫健委脑防委".into(),
            certified_on: date!(2023 - 06 - 01),
            valid_until: Some(date!(2026 - 05 - 31)),
        }
        .into(),
        ServiceLineOpened {
            hospital: maqu.clone(),
            name: "胸痛门诊".into(),
            department: dept("03.04"),
            opened_on: date!(2024 - 04 - 17),
        }
        .into(),
    ])
    .await;
    let (prefix, position) = env.active("hospital_capability");
    let pool = env.pool();
    let card = capability::card(
        pool,
        &prefix,
        position,
        &maqu.to_string(),
        date!(2025 - 01 - 15),
    )
    .await
    .unwrap()
    .value;
    assert_eq!(card.name.as_deref(), Some("玛曲县人民医院"));
    assert_eq!(
        card.grades.len(),
        3,
        "the rereview is in the history, dated after the day asked"
    );
    let current = card.current_grade.clone().unwrap();
    assert_eq!(
        (current.level, current.class, current.review),
        (GradeLevel::Two, Some(GradeClass::A), ReviewKind::Initial)
    );
    assert!(
        card.grade_expired,
        "二甲 lapsed at the end of 2024, before the 复审"
    );
    assert_eq!(card.centers.len(), 1);
    assert!(card.centers[0].valid);
    assert_eq!(card.centers[0].center, CenterType::Stroke);
    assert_eq!(card.service_lines[0].name, "胸痛门诊");
    assert_eq!(card.service_lines[0].department_name, "心血管内科专业");

    let later = capability::card(
        pool,
        &prefix,
        position,
        &maqu.to_string(),
        date!(2026 - 07 - 01),
    )
    .await
    .unwrap()
    .value;
    assert_eq!(later.current_grade.unwrap().review, ReviewKind::Rereview);
    assert!(!later.grade_expired);
    assert!(!later.centers[0].valid, "the stroke certificate ran out");

    let expiring = capability::grades_expiring(
        pool,
        &prefix,
        position,
        date!(2025 - 01 - 15),
        &PageRequest::first(10),
    )
    .await
    .unwrap();
    assert_eq!(expiring.items.len(), 1);
    assert_eq!(expiring.items[0].hospital_name, "玛曲县人民医院");
    let none = capability::grades_expiring(
        pool,
        &prefix,
        position,
        date!(2025 - 06 - 01),
        &PageRequest::first(10),
    )
    .await
    .unwrap();
    assert!(none.items.is_empty());
}
on_both!(maqu_capability_card);
