use domain::Event;
use domain::aggregates::mentorship::{
    IndependenceScope, MentorshipCommand, MentorshipContext, MentorshipPaired, MentorshipState,
    MilestoneKind,
};
use domain::values::{MentorshipId, TechniqueKey};
use time::{Date, macros::date};
use uuid::Uuid;

use crate::fixtures::*;
use crate::harness::{given, given_in};

pub(crate) fn paired() -> MentorshipPaired {
    MentorshipPaired {
        mentorship_id: MentorshipId(Uuid::from_u128(70)),
        mentor: person("doc-hu"),
        apprentice: person("local-wang-1"),
        recipient_org: recipient(),
        department: dept("04.05"),
        start: date!(2024 - 08 - 01),
        plan: "胸外科亚专业培训".to_owned(),
    }
}

fn context() -> MentorshipContext {
    MentorshipContext {
        stints: vec![stint(1, "doc-hu", recipient(), date!(2024 - 07 - 25), None)],
        pairing: Some(pairing_facts()),
        apprentice_employer: Some(recipient()),
        ..MentorshipContext::default()
    }
}

fn pair() -> MentorshipCommand {
    MentorshipCommand::Pair(paired())
}

#[test]
fn an_on_site_mentor_takes_a_local_apprentice() {
    given_in::<MentorshipState>([], context())
        .when(pair())
        .then(vec![paired().into()]);
}

#[test]
fn pairing_twice_is_refused() {
    given_in::<MentorshipState>([paired().into()], context())
        .when(pair())
        .then_err("STREAM_ALREADY_EXISTS");
}

#[test]
fn the_mentor_must_be_on_site_at_that_hospital_on_the_pairing_date() {
    let mut ctx = context();
    ctx.stints[0].arrived = date!(2024 - 08 - 02);
    given_in::<MentorshipState>([], ctx.clone())
        .when(pair())
        .then_err("MENTOR_NOT_ON_SITE");
    ctx.stints[0].arrived = date!(2024 - 08 - 01);
    ctx.stints[0].hospital = outsider();
    given_in::<MentorshipState>([], ctx)
        .when(pair())
        .then_err("MENTOR_NOT_ON_SITE");
}

#[test]
fn mentor_and_apprentice_differ() {
    let p = MentorshipPaired {
        apprentice: person("doc-hu"),
        ..paired()
    };
    given_in::<MentorshipState>([], context())
        .when(MentorshipCommand::Pair(p))
        .then_err("MENTOR_IS_APPRENTICE");
}

#[test]
fn the_apprentice_works_at_the_recipient() {
    let ctx = MentorshipContext {
        apprentice_employer: Some(outsider()),
        ..context()
    };
    given_in::<MentorshipState>([], ctx)
        .when(pair())
        .then_err("APPRENTICE_NOT_EMPLOYED_BY_RECIPIENT");
}

#[test]
fn mentor_load_respects_the_program_ratio() {
    let ctx = MentorshipContext {
        mentor_active_apprentices: 1,
        ..context()
    };
    given_in::<MentorshipState>([], ctx).when(pair()).then_ok();
    let ctx = MentorshipContext {
        mentor_active_apprentices: 2,
        ..context()
    };
    given_in::<MentorshipState>([], ctx)
        .when(pair())
        .then_err("MENTOR_RATIO_EXCEEDED");
}

#[test]
fn the_ratio_needs_the_pairing() {
    let ctx = MentorshipContext {
        pairing: None,
        ..context()
    };
    given_in::<MentorshipState>([], ctx)
        .when(pair())
        .then_err("PAIRING_NOT_FOUND");
}

#[test]
fn no_duplicate_active_pair() {
    let ctx = MentorshipContext {
        active_mentorship_of_pair: Some(MentorshipId(Uuid::from_u128(71))),
        ..context()
    };
    given_in::<MentorshipState>([], ctx)
        .when(pair())
        .then_err("DUPLICATE_ACTIVE_MENTORSHIP");
}

fn handover_context(old_last_day: Date) -> MentorshipContext {
    MentorshipContext {
        stints: vec![
            domain::facts::OnSiteStint {
                planned_end: old_last_day,
                ..stint(1, "doc-hu", recipient(), date!(2024 - 07 - 25), None)
            },
            domain::facts::OnSiteStint {
                planned_end: date!(2026 - 06 - 30),
                ..stint(2, "doc-next", recipient(), date!(2025 - 07 - 01), None)
            },
        ],
        ..context()
    }
}

fn hand_over(to: &str, on: Date) -> MentorshipCommand {
    MentorshipCommand::HandOver {
        to_mentor: person(to),
        date: on,
    }
}

#[test]
fn a_departing_mentor_hands_over_to_an_on_site_successor() {
    given_in::<MentorshipState>([paired().into()], handover_context(date!(2025 - 07 - 24)))
        .when(hand_over("doc-next", date!(2025 - 07 - 10)))
        .then_ok();
}

#[test]
fn the_new_mentor_must_be_on_site() {
    given_in::<MentorshipState>([paired().into()], handover_context(date!(2025 - 07 - 24)))
        .when(hand_over("doc-next", date!(2025 - 06 - 30)))
        .then_err("NEW_MENTOR_NOT_ON_SITE");
}

#[test]
fn the_old_mentor_must_be_departing() {
    given_in::<MentorshipState>([paired().into()], handover_context(date!(2025 - 12 - 31)))
        .when(hand_over("doc-next", date!(2025 - 07 - 10)))
        .then_err("OLD_MENTOR_NOT_DEPARTING");
}

#[test]
fn handing_over_to_the_current_mentor_is_refused() {
    given_in::<MentorshipState>([paired().into()], handover_context(date!(2025 - 07 - 24)))
        .when(hand_over("doc-hu", date!(2025 - 07 - 10)))
        .then_err("HANDOVER_TO_SAME_MENTOR");
}

#[test]
fn milestones_are_recorded_while_active_and_after_the_start() {
    let record = |on| MentorshipCommand::RecordMilestone {
        kind: MilestoneKind::SupervisedSurgery,
        date: on,
    };
    given::<MentorshipState>([paired().into()])
        .when(record(date!(2024 - 09 - 01)))
        .then_ok();
    given::<MentorshipState>([paired().into()])
        .when(record(date!(2024 - 07 - 01)))
        .then_err("DATE_BEFORE_MENTORSHIP_START");
    given::<MentorshipState>([])
        .when(record(date!(2024 - 09 - 01)))
        .then_err("STREAM_NOT_FOUND");
}

fn declare(scope: IndependenceScope, on: Date) -> MentorshipCommand {
    MentorshipCommand::DeclareIndependent {
        scope,
        assessor: person("doc-hu"),
        date: on,
    }
}

fn concluded() -> Vec<Event> {
    let events = vec![paired().into()];
    let mut all = events.clone();
    all.extend(
        given::<MentorshipState>(events)
            .when(declare(
                IndependenceScope::Department(dept("04.05")),
                date!(2025 - 06 - 01),
            ))
            .then_ok(),
    );
    all
}

#[test]
fn independence_in_the_department_concludes_the_mentorship() {
    let record = MentorshipCommand::RecordMilestone {
        kind: MilestoneKind::Lecture,
        date: date!(2025 - 06 - 02),
    };
    given::<MentorshipState>(concluded())
        .when(record)
        .then_err("MENTORSHIP_NOT_ACTIVE");
    given::<MentorshipState>(concluded())
        .when(hand_over("doc-next", date!(2025 - 07 - 10)))
        .then_err("MENTORSHIP_NOT_ACTIVE");
}

#[test]
fn independence_is_declared_once_per_scope() {
    given::<MentorshipState>(concluded())
        .when(declare(
            IndependenceScope::Department(dept("04.05")),
            date!(2025 - 06 - 02),
        ))
        .then_err("ALREADY_INDEPENDENT");
}

#[test]
fn independence_in_a_technique_needs_the_technique_introduced_there() {
    let scope = IndependenceScope::Technique(TechniqueKey::parse("vats_wedge_resection").unwrap());
    let on = date!(2025 - 03 - 01);
    given::<MentorshipState>([paired().into()])
        .when(declare(scope.clone(), on))
        .then_err("TECHNIQUE_NOT_INTRODUCED");
    let ctx = MentorshipContext {
        technique_introduced_on: Some(date!(2025 - 03 - 02)),
        ..context()
    };
    given_in::<MentorshipState>([paired().into()], ctx)
        .when(declare(scope.clone(), on))
        .then_err("TECHNIQUE_NOT_INTRODUCED");
    let ctx = MentorshipContext {
        technique_introduced_on: Some(date!(2024 - 09 - 15)),
        ..context()
    };
    given_in::<MentorshipState>([paired().into()], ctx)
        .when(declare(scope, on))
        .then_ok();
}
