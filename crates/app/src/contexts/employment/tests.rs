//! The pure part of the employment reading: which span speaks for a day, and a mentorship's span.

use domain::aggregates::mentorship::MentorshipPaired;
use domain::values::{ClinicalDepartment, DeploymentId, MentorshipId};
use time::macros::date;
use uuid::Uuid;

use super::*;

fn org(n: u32) -> CreditCode {
    CreditCode::complete(&format!("12620422{n:08}")).unwrap()
}

fn person(id: &str) -> PractitionerId {
    PractitionerId::parse(id).unwrap()
}

fn span(employer: u32, from: Date, until: Date) -> Span {
    Span {
        employer: org(employer),
        from,
        until,
    }
}

fn stint(who: &str, hospital: u32, arrived: Date, departed: Option<Date>) -> OnSiteStint {
    OnSiteStint {
        deployment: DeploymentId(Uuid::new_v4()),
        practitioner: person(who),
        hospital: org(hospital),
        home_org: org(9),
        arrived,
        planned_end: date!(2025 - 06 - 30),
        departed,
    }
}

fn mentorship(apprentice: &str, recipient: u32) -> MentorshipState {
    let paired = MentorshipPaired {
        mentorship_id: MentorshipId(Uuid::from_u128(1)),
        mentor: person("mentor"),
        apprentice: person(apprentice),
        recipient_org: org(recipient),
        department: ClinicalDepartment::parse("04.05").unwrap(),
        start: date!(2024 - 08 - 01),
        plan: "带教".to_owned(),
    };
    MentorshipState {
        mentor: Some(paired.mentor.clone()),
        paired: Some(paired),
        ..MentorshipState::default()
    }
}

#[test]
fn the_span_that_began_last_among_those_covering_the_day_speaks() {
    let spans = vec![
        span(1, date!(2023 - 01 - 01), date!(2025 - 12 - 31)),
        span(2, date!(2024 - 03 - 01), date!(2024 - 12 - 31)),
        span(3, date!(2024 - 06 - 01), date!(2024 - 06 - 30)),
    ];
    assert_eq!(
        latest_word(spans.clone(), date!(2024 - 08 - 01)),
        Some(org(2))
    );
    // The shorter, later span has ended: it does not hide the longer one still running.
    assert_eq!(
        latest_word(spans.clone(), date!(2025 - 03 - 01)),
        Some(org(1))
    );
    // Both ends are covered days.
    assert_eq!(
        latest_word(spans.clone(), date!(2024 - 06 - 30)),
        Some(org(3))
    );
    assert_eq!(latest_word(spans, date!(2026 - 01 - 01)), None);
}

#[test]
fn a_mentorship_speaks_while_its_mentor_is_on_site_at_the_recipient() {
    let stints = vec![
        stint(
            "mentor",
            3,
            date!(2024 - 07 - 01),
            Some(date!(2025 - 01 - 15)),
        ),
        // A later stint elsewhere does not stretch the mentorship.
        stint("mentor", 4, date!(2025 - 02 - 01), None),
    ];
    let found = apprenticeship(&mentorship("local", 3), &person("local"), &stints);
    assert_eq!(
        found,
        Some(span(3, date!(2024 - 08 - 01), date!(2025 - 01 - 15)))
    );
    assert_eq!(
        apprenticeship(&mentorship("local", 3), &person("other"), &stints),
        None
    );
    // With no stint of the mentor there, only the start day is the log's word.
    assert_eq!(
        apprenticeship(&mentorship("local", 3), &person("local"), &[]),
        Some(span(3, date!(2024 - 08 - 01), date!(2024 - 08 - 01)))
    );
}
