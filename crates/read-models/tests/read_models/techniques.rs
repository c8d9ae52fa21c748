//! Technique diffusion and gaps, from seed 000 (胸腔镜下肺楔形切除术 introduced at 会宁 by 胡文滕,
//! 白银市首个县级医院运动医学专科) and seed 003 (7 techniques filling 南疆 gaps).

use domain::Event;
use domain::aggregates::gap::{GapFilled, GapKey, GapLevel, GapRegion};
use domain::aggregates::mentorship::{ApprenticeDeclaredIndependent, IndependenceScope};
use domain::aggregates::technique::{Performer, TechniqueCategory, TechniqueIntroduced};
use domain::values::{CreditCode, DivisionCode, MentorshipId, RegionKey, TechniqueKey};
use read_models::PageRequest;
use read_models::technique_diffusion::{self, IntroducedBy, Sustainability};
use time::Date;
use time::macros::date;
use uuid::Uuid;

use crate::support::{Env, arrive, assignment, dept, hospital, on_both, org, pairing, person};

fn introduced(hospital: &CreditCode, key: &str, on: Date, performer: Performer) -> Event {
    TechniqueIntroduced {
        hospital: hospital.clone(),
        technique: TechniqueKey::parse(key).unwrap(),
        name: key.into(),
        procedure_code: None,
        department: dept("04.05"),
        first_performed_on: on,
        performer,
        category: TechniqueCategory::NewTechnique,
    }
    .into()
}

fn gap(level: GapLevel, region: GapRegion, key: &str, hospital: &CreditCode) -> Event {
    // As the domain records them: every fill of a custom region carries the name of its first use.
    let region_name = matches!(region, GapRegion::Custom(_)).then(|| "南疆".to_owned());
    GapFilled {
        region_name,
        gap: GapKey {
            level,
            region,
            technique: TechniqueKey::parse(key).unwrap(),
        },
        hospital: hospital.clone(),
        technique_introduced_on: date!(2024 - 09 - 15),
        claimed_on: date!(2024 - 10 - 01),
        evidence: vec![],
    }
    .into()
}

async fn sustained_after_the_expert_left(env: Env) {
    let lzu = org("620102", 1);
    let huining = org("620422", 1);
    let yishi = org("659002", 1);
    let hu = assignment(
        10,
        4,
        400,
        &huining,
        "p-hu-wenteng",
        &lzu,
        233,
        "04.05",
        date!(2024 - 07 - 25),
        date!(2025 - 07 - 24),
    );
    let other = assignment(
        10,
        4,
        401,
        &huining,
        "p-b4-other",
        &lzu,
        232,
        "22",
        date!(2024 - 07 - 25),
        date!(2025 - 07 - 24),
    );
    // The Nanjiang hospital (yishi) is not registered: its name is empty.
    let mut events = vec![
        hospital(&lzu, "兰州大学第一医院"),
        hospital(&huining, "会宁县人民医院"),
        pairing(10, vec![lzu.clone()], &huining, None, date!(2022 - 01 - 01)),
    ];
    events.extend(arrive(&hu, date!(2024 - 07 - 25)));
    events.extend(arrive(&other, date!(2024 - 07 - 25)));
    events.push(introduced(
        &huining,
        "vats_wedge_resection",
        date!(2024 - 09 - 15),
        Performer::OnSiteMember(person("p-hu-wenteng")),
    ));
    events.push(introduced(
        &huining,
        "arthroscopy",
        date!(2024 - 10 - 01),
        Performer::OnSiteMember(person("p-b4-other")),
    ));
    events.push(introduced(
        &lzu,
        "vats_wedge_resection",
        date!(2015 - 05 - 01),
        Performer::Local(person("p-lzu-local")),
    ));
    events.push(
        ApprenticeDeclaredIndependent {
            mentorship_id: MentorshipId(Uuid::from_u128(77)),
            recipient_org: huining.clone(),
            apprentice: person("p-wang-shuncheng"),
            scope: IndependenceScope::Technique(
                TechniqueKey::parse("vats_wedge_resection").unwrap(),
            ),
            assessor: person("p-hu-wenteng"),
            date: date!(2025 - 06 - 01),
        }
        .into(),
    );
    // No departure recorded: the terms end at their planned end (2025-07-24) all the same.
    events.push(gap(
        GapLevel::Prefecture,
        GapRegion::Division(DivisionCode::parse("620400").unwrap()),
        "sports_medicine_clinic",
        &huining,
    ));
    for i in 0..7 {
        events.push(gap(
            GapLevel::Custom,
            GapRegion::Custom(RegionKey::parse("southern_xinjiang").unwrap()),
            &format!("nanjiang_{i}"),
            &yishi,
        ));
    }
    env.append(events).await;
    let (prefix, position) = env.active("technique_diffusion");
    let pool = env.pool();

    let vats = technique_diffusion::hospitals_performing(
        pool,
        &prefix,
        position,
        "vats_wedge_resection",
        date!(2024 - 12 - 01),
        &PageRequest::first(10),
    )
    .await
    .unwrap();
    let who: Vec<(IntroducedBy, Date)> = vats
        .items
        .iter()
        .map(|t| (t.introduced_by.clone(), t.since))
        .collect();
    assert_eq!(
        who,
        vec![
            (
                IntroducedBy::Local("p-lzu-local".into()),
                date!(2015 - 05 - 01)
            ),
            (
                IntroducedBy::OnSiteMember("p-hu-wenteng".into()),
                date!(2024 - 09 - 15)
            )
        ]
    );
    assert_eq!(vats.items[0].sustainability, Sustainability::LocalFromStart);
    // Names beside the codes: each hospital as registered, the department from 诊疗科目.
    let named: Vec<(&str, &str)> = vats
        .items
        .iter()
        .map(|t| (t.hospital_name.as_str(), t.department_name))
        .collect();
    assert_eq!(
        named,
        [
            ("兰州大学第一医院", "胸外科专业"),
            ("会宁县人民医院", "胸外科专业")
        ]
    );
    assert_eq!(
        vats.items[1].sustainability,
        Sustainability::IntroducerOnSite
    );
    let before = technique_diffusion::hospitals_performing(
        pool,
        &prefix,
        position,
        "vats_wedge_resection",
        date!(2020 - 01 - 01),
        &PageRequest::first(10),
    )
    .await
    .unwrap();
    assert_eq!(before.items.len(), 1, "not yet performed at 会宁 in 2020");

    let after = technique_diffusion::at_hospital(
        pool,
        &prefix,
        position,
        &huining.to_string(),
        date!(2025 - 08 - 01),
        &PageRequest::first(10),
    )
    .await
    .unwrap();
    let status: Vec<(&str, &Sustainability)> = after
        .items
        .iter()
        .map(|t| (t.technique.as_str(), &t.sustainability))
        .collect();
    assert_eq!(
        status,
        vec![
            ("arthroscopy", &Sustainability::AtRisk),
            (
                "vats_wedge_resection",
                &Sustainability::Sustained {
                    local_practitioners: vec!["p-wang-shuncheng".into()]
                }
            ),
        ]
    );

    let counts = technique_diffusion::gap_counts(pool, &prefix, position)
        .await
        .unwrap()
        .value;
    let counts: Vec<(GapLevel, String, u64, Option<String>)> = counts
        .into_iter()
        .map(|c| (c.level, c.region, c.filled, c.region_name))
        .collect();
    // The custom region shows its display name beside its key; a division has none.
    assert_eq!(
        counts,
        vec![
            (
                GapLevel::Custom,
                "southern_xinjiang".into(),
                7,
                Some("南疆".into())
            ),
            (GapLevel::Prefecture, "620400".into(), 1, None)
        ]
    );
    let nanjiang = technique_diffusion::gaps(
        pool,
        &prefix,
        position,
        Some(GapLevel::Custom),
        Some("southern_xinjiang"),
        &PageRequest::first(5),
    )
    .await
    .unwrap();
    assert_eq!(nanjiang.items.len(), 5);
    let rest = technique_diffusion::gaps(
        pool,
        &prefix,
        position,
        Some(GapLevel::Custom),
        Some("southern_xinjiang"),
        &PageRequest {
            page_size: 5,
            cursor: nanjiang.next_cursor.clone(),
        },
    )
    .await
    .unwrap();
    assert_eq!(rest.items.len(), 2);
    assert!(
        nanjiang
            .items
            .iter()
            .chain(&rest.items)
            .all(|g| g.hospital_name.is_empty()),
        "the Nanjiang hospital is not registered"
    );
    let prefecture = technique_diffusion::gaps(
        pool,
        &prefix,
        position,
        Some(GapLevel::Prefecture),
        None,
        &PageRequest::first(5),
    )
    .await
    .unwrap();
    let fillers: Vec<&str> = prefecture
        .items
        .iter()
        .map(|g| g.hospital_name.as_str())
        .collect();
    assert_eq!(fillers, ["会宁县人民医院"]);
    assert!(rest.items.iter().all(|g| !nanjiang.items.contains(g)));
    assert!(
        nanjiang
            .items
            .iter()
            .chain(&rest.items)
            .all(|g| g.region_name.as_deref() == Some("南疆"))
    );
}
on_both!(sustained_after_the_expert_left);
