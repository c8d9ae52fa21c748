//! Seed 002 facts: 东莞 → 铜仁 (东西部协作). Cumulative figures: 39 hospitals paired with 33; 129 staff
//! dispatched; 5993 surgeries; 1176 trainings; 122 new techniques; 117 gaps filled. The city pairing
//! rolls up a county-level pairing (沿河) and the 39 hospital pairings under them.

use domain::Event;
use domain::aggregates::activity::{ClinicalActivityReported, TrainingDelivered, TrainingMode};
use domain::aggregates::alliance::{AllianceFormed, AllianceMember, Tier};
use domain::aggregates::gap::{GapFilled, GapKey, GapLevel, GapRegion};
use domain::aggregates::pairing::{FundingCommitted, FundingSource};
use domain::aggregates::platform::{PlatformEstablished, PlatformKind};
use domain::aggregates::technique::{Performer, TechniqueCategory, TechniqueIntroduced};
use domain::values::{
    ActivityLedgerId, AllianceId, Count, CreditCode, DivisionCode, MoneyFen, PeriodKey, PlatformId,
    TechniqueKey,
};
use time::macros::date;
use uuid::Uuid;

use crate::support::{
    OrganisationKind, assignment, dept, hospital, org, pairing, pairing_id, person, registered,
};

pub(crate) const CITY: u128 = 1000;
pub(crate) const COUNTY: u128 = 1001;

pub(crate) fn supporting(j: u32) -> CreditCode {
    org("441900", 200 + j)
}

pub(crate) fn recipient(i: u32) -> CreditCode {
    org("520602", 100 + i)
}

/// Leaf pairing `j` (0..39): supporting hospital j with recipient j % 33; the first 20 sit under
/// the county pairing, the rest directly under the city pairing.
pub(crate) fn leaf(j: u32) -> u128 {
    2000 + u128::from(j)
}

pub(crate) fn ledger(j: u32) -> ActivityLedgerId {
    ActivityLedgerId {
        pairing: pairing_id(leaf(j)),
        period: PeriodKey::parse("2021_2023").unwrap(),
    }
}

pub(crate) fn report(j: u32, surgeries: u64) -> Event {
    ClinicalActivityReported {
        ledger: ledger(j),
        recipient_org: recipient(j % 33),
        report_id: Uuid::from_u128(u128::from(j) + 1),
        reporter: supporting(j),
        period_start: date!(2021 - 06 - 01),
        period_end: date!(2023 - 12 - 31),
        surgeries: Some(Count::exact(surgeries)),
        critical_rescues: Some(if j == 3 {
            Count::at_least(2000)
        } else {
            Count::exact(1)
        }),
        outreach_clinics: None,
        patients_served: None,
        teleconsults: None,
        trainings: None,
    }
    .into()
}

pub(crate) fn technique(i: u32, on: time::Date) -> Event {
    TechniqueIntroduced {
        hospital: recipient(i % 33),
        technique: TechniqueKey::parse(&format!("tech_{i}")).unwrap(),
        name: format!("新技术{i}"),
        procedure_code: None,
        department: dept("04.01"),
        first_performed_on: on,
        performer: Performer::OnSiteMember(person(&format!("p-staff-{i}"))),
        category: TechniqueCategory::NewTechnique,
    }
    .into()
}

pub(crate) fn scenario() -> Vec<Event> {
    let start = date!(2021 - 06 - 01);
    let mut events = vec![
        // The city pairing's parties; the county pairing's supporting commission is not
        // registered, its recipient hospital is.
        registered(
            &org("441900", 1),
            "东莞市卫生健康局",
            OrganisationKind::HealthCommission,
        ),
        registered(
            &org("520600", 1),
            "铜仁市卫生健康局",
            OrganisationKind::HealthCommission,
        ),
        hospital(&org("520627", 1), "沿河土家族自治县人民医院"),
        pairing(CITY, vec![org("441900", 1)], &org("520600", 1), None, start),
        pairing(
            COUNTY,
            vec![org("441900", 2)],
            &org("520627", 1),
            Some(CITY),
            start,
        ),
    ];
    for j in 0..39 {
        let parent = if j < 20 { COUNTY } else { CITY };
        events.push(pairing(
            leaf(j),
            vec![supporting(j)],
            &recipient(j % 33),
            Some(parent),
            start,
        ));
    }
    // 129 people, one of whom serves a second term: 130 person-terms.
    for k in 0..130u32 {
        let j = k % 39;
        let who = if k == 129 {
            "p-staff-0".to_owned()
        } else {
            format!("p-staff-{k}")
        };
        let batch = if k == 129 { 2 } else { 1 };
        events.push(
            assignment(
                leaf(j),
                batch,
                5000 + u128::from(k),
                &recipient(j % 33),
                &who,
                &supporting(j),
                232,
                "04.01",
                start,
                date!(2022 - 05 - 31),
            )
            .into(),
        );
    }
    events.sort_by_key(|e| match e {
        Event::MemberAssigned(a) => (1, a.batch.stream_id()),
        _ => (0, String::new()),
    });
    // Activity ledgers: the report first (stream version 1), then the trainings: 5993 surgeries,
    // 1176 trainings in all.
    for j in 0..39u32 {
        events.push(report(j, if j == 0 { 153 + 26 } else { 153 }));
        let trainings = if j < 6 { 31 } else { 30 };
        for t in 0..trainings {
            events.push(
                TrainingDelivered {
                    ledger: ledger(j),
                    recipient_org: recipient(j % 33),
                    training_id: Uuid::from_u128(u128::from(j * 100 + t) + 10_000),
                    topic: "急诊急救".into(),
                    trainers: vec![person(&format!("p-staff-{j}"))],
                    mode: TrainingMode::OnSite,
                    attendees: Count::exact(20),
                    date: date!(2022 - 03 - 01),
                }
                .into(),
            );
        }
    }
    for i in 0..122 {
        events.push(technique(i, date!(2022 - 01 - 10)));
    }
    // Introduced before the pairing started: not the pairing's technique.
    events.push(technique(500, date!(2019 - 01 - 10)));
    for i in 0..117 {
        events.push(
            GapFilled {
                gap: GapKey {
                    level: GapLevel::County,
                    region: GapRegion::Division(DivisionCode::parse("520602").unwrap()),
                    technique: TechniqueKey::parse(&format!("tech_{i}")).unwrap(),
                },
                hospital: recipient(i % 33),
                technique_introduced_on: date!(2022 - 01 - 10),
                claimed_on: date!(2022 - 02 - 01),
                evidence: vec![],
                region_name: None,
            }
            .into(),
        );
    }
    // 东莞市中医院 (supporting 0) leads 5 alliances (骨科, 急诊, and 脑病科, 心病科, 治未病科 under
    // 50 中医科); 东莞市人民医院 (supporting 1) co-builds 4 departments.
    for (n, (specialty, name)) in [
        ("04.03", None),
        ("20", None),
        ("50", Some("脑病科")),
        ("50", Some("心病科")),
        ("50", Some("治未病科")),
    ]
    .into_iter()
    .enumerate()
    {
        events.push(
            AllianceFormed {
                alliance_id: AllianceId(Uuid::from_u128(7000 + n as u128)),
                specialty: dept(specialty),
                specialty_name: name.map(str::to_owned),
                specialty_sub_code: None,
                lead_org: supporting(0),
                members: vec![AllianceMember {
                    org: recipient(0),
                    tier: Some(Tier::City),
                }],
                formed_on: date!(2022 - 06 - 01),
                plaque_awarded: true,
            }
            .into(),
        );
    }
    for (n, specialty) in ["10", "03.06", "03.03", "19"].iter().enumerate() {
        events.push(
            PlatformEstablished {
                platform_id: PlatformId(Uuid::from_u128(8000 + n as u128)),
                pairing_id: pairing_id(leaf(1)),
                kind: PlatformKind::CoBuiltDepartment,
                name: format!("共建科室{n}"),
                host_org: recipient(1),
                partners: vec![supporting(1)],
                specialty: Some(dept(specialty)),
                established_on: date!(2022 - 09 - 01),
            }
            .into(),
        );
    }
    for (n, yuan) in [(2u32, 7_800_000u64), (25, 2_000_000)] {
        events.push(
            FundingCommitted {
                pairing_id: pairing_id(leaf(n)),
                funding_id: Uuid::from_u128(9000 + u128::from(n)),
                recipient_org: recipient(n % 33),
                amount_fen: MoneyFen::from_yuan(yuan),
                source: FundingSource::EastWestCooperationFund,
                purpose: "组团式帮扶".into(),
                date: date!(2022 - 01 - 01),
            }
            .into(),
        );
    }
    events
}
