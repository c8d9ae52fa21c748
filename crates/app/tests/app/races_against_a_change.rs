//! Races between decisions and a change that makes them invalid: each decision is valid on the
//! facts as they are, and the change (always valid) would refuse every one of them decided after
//! it. So a decision may succeed only if it is recorded before the change; one recorded after it
//! was decided on stale facts and breaks the rule. Every other decision gets the rule's refusal (or
//! `CONCURRENT_DECISION`). Each race runs 50 times, on SQLite and on PostgreSQL.
//!
//! The rules raced here, and how the decision finds the fact the change moves:
//! - `PROGRAM_PARAMETERS_IN_USE`: a revision of the program's parameters in place against a new
//!   pairing that binds them; the pairing reads the program **by id**, so it binds the terms the
//!   program has when it is recorded (`program:` finds the revision's rival pairing);
//! - `PAIRING_NOT_ACTIVE`: assignments to a pairing's batches against the pairing's end; the
//!   assignment reads the pairing **by id**;
//! - `ALLIANCE_LEAD_NOT_SUPPORTING`: alliances formed by a lead against the end of the only pairing
//!   it supports (`pairing_org:` the lead);
//! - `MENTOR_NOT_ON_SITE`: mentorships of a mentor against the mentor's early departure
//!   (`practitioner:` the mentor);
//! - `NEW_MENTOR_NOT_ON_SITE`: handovers to a mentor against the new mentor's early departure
//!   (`practitioner:` the new mentor);
//! - `STUDY_HOST_NOT_LINKED`: advanced-study stays at an alliance member against the trainee's
//!   hospital leaving the alliance (`alliance_org:` the trainee's hospital).
//!
//! The first two fail when the facts read by id are not part of the append's condition (checked
//! by hand when this was written), the others when `execute` appends without its conditions.

use std::sync::Arc;

use app::{CommandOutcome, Error};
use domain::aggregates::alliance::{
    AllianceCommand, AllianceFormed, AllianceMember, MembershipChange, Tier,
};
use domain::aggregates::batch::{BatchCommand, BatchDispatched, MemberAssigned};
use domain::aggregates::deployment::DeploymentCommand;
use domain::aggregates::hospital::HospitalCommand;
use domain::aggregates::mentorship::{MentorshipCommand, MentorshipPaired};
use domain::aggregates::pairing::{PairingCommand, PairingEstablished};
use domain::aggregates::program::{ProgramCommand, ProgramDefined, ProgramKind};
use domain::aggregates::study::{AdvancedStudyStarted, StudyCommand};
use domain::values::{
    AllianceId, BatchId, DeploymentId, HospitalId, MentorshipId, PairingId, ProgramId, StudyId,
};
use domain::{AggregateCommand, Event, StreamCommand};
use time::macros::date;
use uuid::Uuid;

use crate::races::{REPETITIONS, arrive, deployment, on_both_backends};
use crate::support::*;
use crate::world::{World, assign};

on_both_backends!(
    a_revision_in_place_binds_no_pairing_to_the_terms_it_replaced,
    no_assignment_is_recorded_after_its_pairing_ended,
    an_alliance_is_formed_only_while_its_lead_supports_a_pairing,
    a_mentorship_starts_only_while_its_mentor_is_on_site,
    a_mentorship_is_handed_over_only_to_a_mentor_on_site,
    a_study_starts_only_at_a_host_linked_to_the_trainee_hospital,
);

/// The outcomes of `decisions` and `change`, run at once.
async fn run_at_once(
    world: &Arc<World>,
    decisions: Vec<AggregateCommand>,
    change: AggregateCommand,
) -> (Vec<Result<CommandOutcome, Error>>, CommandOutcome) {
    let spawn = |command: AggregateCommand| {
        let world = world.clone();
        tokio::spawn(async move { world.run(command).await })
    };
    let tasks: Vec<_> = decisions.into_iter().map(spawn).collect();
    let change = spawn(change);
    let mut outcomes = Vec::new();
    for task in tasks {
        outcomes.push(task.await.expect("a racer ran"));
    }
    let change = change
        .await
        .expect("the change ran")
        .expect("the change is valid whatever the decisions do");
    (outcomes, change)
}

/// Every decision recorded lies before the change; every other one is refused with `reason` or
/// `CONCURRENT_DECISION`. Returns how many were recorded.
fn check_order(
    outcomes: &[Result<CommandOutcome, Error>],
    change: &CommandOutcome,
    reason: &str,
    round: usize,
) -> usize {
    for outcome in outcomes {
        match outcome {
            Ok(done) => assert!(
                done.positions.end <= change.positions.start,
                "round {round}: a decision recorded at {:?}, after the change at {:?}",
                done.positions,
                change.positions
            ),
            Err(error) => assert!(
                error.reason() == reason || error.reason() == "CONCURRENT_DECISION",
                "round {round}: refused with {} ({error:?}), expected {reason} or CONCURRENT_DECISION",
                error.reason()
            ),
        }
    }
    outcomes.iter().filter(|o| o.is_ok()).count()
}

/// Some decisions were recorded (before the change): each is valid alone, so a test whose
/// decisions are all refused tests nothing.
fn valid_alone(recorded: usize) {
    eprintln!("{recorded} decisions recorded before the change");
    assert!(recorded > 0, "no decision was ever recorded");
}

fn define_program(program: ProgramId, round: usize) -> AggregateCommand {
    AggregateCommand::Program {
        id: program,
        command: StreamCommand::Act(ProgramCommand::Define(ProgramDefined {
            program_id: program,
            kind: ProgramKind::KeyCountyGroupAid,
            name: format!("组团式帮扶{round}"),
            policy_refs: vec![],
            parameters: parameters(),
            defined_on: date!(2021 - 12 - 01),
        })),
    }
}

fn establish(program: ProgramId, pairing_id: PairingId) -> AggregateCommand {
    let established = PairingEstablished {
        pairing_id,
        program_id: program,
        ..pairing()
    };
    AggregateCommand::Pairing {
        id: pairing_id,
        command: StreamCommand::Act(PairingCommand::Establish(established.into())),
    }
}

fn end(pairing_id: PairingId) -> AggregateCommand {
    AggregateCommand::Pairing {
        id: pairing_id,
        command: StreamCommand::Act(PairingCommand::End {
            reason: "帮扶期满".to_owned(),
            date: date!(2024 - 06 - 30),
        }),
    }
}

async fn a_revision_in_place_binds_no_pairing_to_the_terms_it_replaced(backend: Backend) {
    let world = Arc::new(World::new(&backend, 0).await);
    let mut revised = parameters();
    revised.mentor_ratio_max = 3;
    let mut recorded = 0;
    for round in 0..REPETITIONS {
        // A program with no pairing yet: its version 1 may be revised in place until one binds it.
        let program = ProgramId(Uuid::new_v4());
        world.ok(define_program(program, round)).await;
        let pairing_id = PairingId(Uuid::new_v4());
        let revision = AggregateCommand::Program {
            id: program,
            command: StreamCommand::Act(ProgramCommand::ReviseParameters {
                parameters: revised.clone(),
                effective_on: date!(2022 - 01 - 01),
            }),
        };
        let (outcomes, pairing) =
            run_at_once(&world, vec![revision], establish(program, pairing_id)).await;
        recorded += check_order(&outcomes, &pairing, "PROGRAM_PARAMETERS_IN_USE", round);
        // The pairing binds the terms the program had when the pairing was recorded.
        let bound = pairing
            .events
            .iter()
            .find_map(|e| match e {
                Event::PairingEstablished(p) => Some(p.parameters.clone()),
                _ => None,
            })
            .expect("the pairing is established");
        let expected = if outcomes[0].is_ok() {
            &revised
        } else {
            &parameters()
        };
        assert_eq!(
            &bound, expected,
            "round {round}: the pairing binds terms the program no longer has ({outcomes:?})"
        );
    }
    valid_alone(recorded);
}

async fn no_assignment_is_recorded_after_its_pairing_ended(backend: Backend) {
    let world = Arc::new(World::new(&backend, 0).await);
    // The world's pairing ends, so that each round's pairing is the only active one.
    world.ok(end(pairing_id())).await;
    let mut recorded = 0;
    for round in 0..REPETITIONS {
        let pairing_id = PairingId(Uuid::new_v4());
        world.ok(establish(program_id(), pairing_id)).await;
        let batch_of = |number| BatchId {
            pairing: pairing_id,
            number,
        };
        for number in 1..=3 {
            let dispatched = BatchDispatched {
                batch: batch_of(number),
                ..batch()
            };
            world
                .ok(AggregateCommand::Batch {
                    id: batch_of(number),
                    command: StreamCommand::Act(BatchCommand::Dispatch(dispatched.into())),
                })
                .await;
        }
        // One assignment to each batch (on one batch they would race for its stream).
        let assignments = (1..=3)
            .map(|number| {
                let assigned = MemberAssigned {
                    batch: batch_of(number),
                    deployment_id: deployment(round, number),
                    practitioner: person(&format!("doc-end-{round}-{number}")),
                    ..assignment()
                };
                AggregateCommand::Batch {
                    id: batch_of(number),
                    command: StreamCommand::Act(BatchCommand::AssignMember(assigned.into())),
                }
            })
            .collect();
        let (outcomes, ended) = run_at_once(&world, assignments, end(pairing_id)).await;
        recorded += check_order(&outcomes, &ended, "PAIRING_NOT_ACTIVE", round);
    }
    valid_alone(recorded);
}

async fn an_alliance_is_formed_only_while_its_lead_supports_a_pairing(backend: Backend) {
    let world = Arc::new(World::new(&backend, 0).await);
    world.ok(end(pairing_id())).await;
    let mut recorded = 0;
    for round in 0..REPETITIONS {
        let pairing_id = PairingId(Uuid::new_v4());
        world.ok(establish(program_id(), pairing_id)).await;
        // Three alliances of the lead under other names: only the lead's support is raced.
        let alliances = (1..=3)
            .map(|k| {
                let alliance_id = AllianceId(Uuid::new_v4());
                let formed = AllianceFormed {
                    alliance_id,
                    specialty: dept("04.04"),
                    specialty_name: Some(format!("微创外科联盟{round}-{k}")),
                    specialty_sub_code: None,
                    lead_org: supporting(),
                    members: vec![AllianceMember {
                        org: recipient(),
                        tier: Some(Tier::County),
                    }],
                    formed_on: date!(2023 - 03 - 22),
                    plaque_awarded: false,
                };
                AggregateCommand::Alliance {
                    id: alliance_id,
                    command: StreamCommand::Act(AllianceCommand::Form(formed)),
                }
            })
            .collect();
        let (outcomes, ended) = run_at_once(&world, alliances, end(pairing_id)).await;
        recorded += check_order(&outcomes, &ended, "ALLIANCE_LEAD_NOT_SUPPORTING", round);
    }
    valid_alone(recorded);
}

async fn a_mentorship_starts_only_while_its_mentor_is_on_site(backend: Backend) {
    let world = Arc::new(World::new(&backend, 1).await);
    let mut recorded = 0;
    for round in 0..REPETITIONS {
        // The mentor is on site from July; the early departure ends the stint before the
        // mentorships would start. Two apprentices: the ratio (2) allows both.
        let mentor = format!("mentor-leaving-{round}");
        let id = deployment(round, 0);
        world
            .ok(assign(
                1,
                id,
                &mentor,
                date!(2024 - 07 - 01),
                date!(2025 - 06 - 30),
            ))
            .await;
        world.ok(arrive(id, date!(2024 - 07 - 01))).await;
        let mentorships = (1..=2)
            .map(|k| {
                let mentorship_id = MentorshipId(Uuid::new_v4());
                AggregateCommand::Mentorship {
                    id: mentorship_id,
                    command: StreamCommand::Act(MentorshipCommand::Pair(MentorshipPaired {
                        mentorship_id,
                        mentor: person(&mentor),
                        apprentice: person(&format!("apprentice-left-{round}-{k}")),
                        recipient_org: recipient(),
                        department: dept("04.05"),
                        start: date!(2024 - 08 - 01),
                        plan: String::new(),
                    })),
                }
            })
            .collect();
        let departure = AggregateCommand::Deployment {
            id,
            command: StreamCommand::Act(DeploymentCommand::Depart {
                departed_on: date!(2024 - 07 - 20),
                reason: Some("家中有事，提前返回".to_owned()),
            }),
        };
        let (outcomes, departed) = run_at_once(&world, mentorships, departure).await;
        recorded += check_order(&outcomes, &departed, "MENTOR_NOT_ON_SITE", round);
    }
    valid_alone(recorded);
}

/// Deployment `id`'s member leaves early, on `on`.
fn depart(id: DeploymentId, on: time::Date) -> AggregateCommand {
    AggregateCommand::Deployment {
        id,
        command: StreamCommand::Act(DeploymentCommand::Depart {
            departed_on: on,
            reason: Some("家中有事，提前返回".to_owned()),
        }),
    }
}

fn pair(mentorship_id: MentorshipId, mentor: &str, apprentice: &str) -> AggregateCommand {
    AggregateCommand::Mentorship {
        id: mentorship_id,
        command: StreamCommand::Act(MentorshipCommand::Pair(MentorshipPaired {
            mentorship_id,
            mentor: person(mentor),
            apprentice: person(apprentice),
            recipient_org: recipient(),
            department: dept("04.05"),
            start: date!(2024 - 08 - 01),
            plan: String::new(),
        })),
    }
}

async fn a_mentorship_is_handed_over_only_to_a_mentor_on_site(backend: Backend) {
    let world = Arc::new(World::new(&backend, 1).await);
    let mut recorded = 0;
    for round in 0..REPETITIONS {
        // Two mentors on site; the first leaves on 10 September, within the handover window of
        // a handover on 1 September; the second would leave before it.
        let (old, new) = (format!("mentor-old-{round}"), format!("mentor-new-{round}"));
        let (old_id, new_id) = (deployment(round, 1), deployment(round, 2));
        for (id, who) in [(old_id, &old), (new_id, &new)] {
            world
                .ok(assign(
                    1,
                    id,
                    who,
                    date!(2024 - 07 - 01),
                    date!(2025 - 06 - 30),
                ))
                .await;
            world.ok(arrive(id, date!(2024 - 07 - 01))).await;
        }
        let mut handovers = Vec::new();
        for k in 1..=2 {
            let mentorship_id = MentorshipId(Uuid::new_v4());
            world
                .ok(pair(
                    mentorship_id,
                    &old,
                    &format!("apprentice-handed-{round}-{k}"),
                ))
                .await;
            handovers.push(AggregateCommand::Mentorship {
                id: mentorship_id,
                command: StreamCommand::Act(MentorshipCommand::HandOver {
                    to_mentor: person(&new),
                    date: date!(2024 - 09 - 01),
                }),
            });
        }
        world.ok(depart(old_id, date!(2024 - 09 - 10))).await;
        let (outcomes, departed) =
            run_at_once(&world, handovers, depart(new_id, date!(2024 - 08 - 20))).await;
        recorded += check_order(&outcomes, &departed, "NEW_MENTOR_NOT_ON_SITE", round);
    }
    valid_alone(recorded);
}

async fn a_study_starts_only_at_a_host_linked_to_the_trainee_hospital(backend: Backend) {
    let world = Arc::new(World::new(&backend, 0).await);
    // A host linked to the recipient only through alliances: in no pairing with it.
    let host = org("620422", 6);
    world
        .ok(AggregateCommand::Hospital {
            id: HospitalId(host.clone()),
            command: StreamCommand::Act(HospitalCommand::Register(hospital(
                host.clone(),
                "620422",
            ))),
        })
        .await;
    let member = |org| AllianceMember {
        org,
        tier: Some(Tier::County),
    };
    let mut recorded = 0;
    for round in 0..REPETITIONS {
        // Each round's alliance links the host to the recipient until the recipient leaves it
        // (the earlier rounds' alliances no longer hold the recipient).
        let alliance_id = AllianceId(Uuid::new_v4());
        world
            .ok(AggregateCommand::Alliance {
                id: alliance_id,
                command: StreamCommand::Act(AllianceCommand::Form(AllianceFormed {
                    alliance_id,
                    specialty: dept("04.04"),
                    specialty_name: Some(format!("进修联盟{round}")),
                    specialty_sub_code: None,
                    lead_org: supporting(),
                    members: vec![member(recipient()), member(host.clone())],
                    formed_on: date!(2023 - 03 - 22),
                    plaque_awarded: false,
                })),
            })
            .await;
        let studies = (1..=2)
            .map(|k| {
                let study_id = StudyId(Uuid::new_v4());
                AggregateCommand::Study {
                    id: study_id,
                    command: StreamCommand::Act(StudyCommand::Start(AdvancedStudyStarted {
                        study_id,
                        trainee: person(&format!("trainee-linked-{round}-{k}")),
                        trainee_org: recipient(),
                        host_org: host.clone(),
                        department: dept("04.05"),
                        start: date!(2024 - 03 - 01),
                        planned_end: date!(2024 - 08 - 31),
                        cohort: None,
                    })),
                }
            })
            .collect();
        let leaving = AggregateCommand::Alliance {
            id: alliance_id,
            command: StreamCommand::Act(AllianceCommand::ChangeMembership {
                member: member(recipient()),
                change: MembershipChange::Left,
                date: date!(2023 - 12 - 31),
            }),
        };
        let (outcomes, left) = run_at_once(&world, studies, leaving).await;
        recorded += check_order(&outcomes, &left, "STUDY_HOST_NOT_LINKED", round);
    }
    valid_alone(recorded);
}
