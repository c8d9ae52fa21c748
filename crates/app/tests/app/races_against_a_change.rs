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
//!   (`practitioner:` the mentor).
//!
//! The first two fail when the facts read by id are not part of the append's condition (checked
//! by hand when this was written), the last two when `execute` appends without its conditions.

use std::sync::Arc;

use app::{CommandOutcome, Error};
use domain::aggregates::alliance::{AllianceCommand, AllianceFormed, AllianceMember, Tier};
use domain::aggregates::batch::{BatchCommand, BatchDispatched, MemberAssigned};
use domain::aggregates::deployment::DeploymentCommand;
use domain::aggregates::mentorship::{MentorshipCommand, MentorshipPaired};
use domain::aggregates::pairing::{PairingCommand, PairingEstablished};
use domain::aggregates::program::{ProgramCommand, ProgramDefined, ProgramKind};
use domain::values::{AllianceId, BatchId, MentorshipId, PairingId, ProgramId};
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
        check_order(&outcomes, &pairing, "PROGRAM_PARAMETERS_IN_USE", round);
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
}

async fn no_assignment_is_recorded_after_its_pairing_ended(backend: Backend) {
    let world = Arc::new(World::new(&backend, 0).await);
    // The world's pairing ends, so that each round's pairing is the only active one.
    world.ok(end(pairing_id())).await;
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
        check_order(&outcomes, &ended, "PAIRING_NOT_ACTIVE", round);
    }
}

async fn an_alliance_is_formed_only_while_its_lead_supports_a_pairing(backend: Backend) {
    let world = Arc::new(World::new(&backend, 0).await);
    world.ok(end(pairing_id())).await;
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
        check_order(&outcomes, &ended, "ALLIANCE_LEAD_NOT_SUPPORTING", round);
    }
}

async fn a_mentorship_starts_only_while_its_mentor_is_on_site(backend: Backend) {
    let world = Arc::new(World::new(&backend, 1).await);
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
        check_order(&outcomes, &departed, "MENTOR_NOT_ON_SITE", round);
    }
}
