//! A small program world for the cross-stream tests: three registered hospitals, a program, a
//! pairing, and as many dispatched batches as a test needs.

use app::{CommandOutcome, CommandRequest, Error, Principal};
use domain::aggregates::batch::{BatchCommand, BatchDispatched, MemberAssigned};
use domain::aggregates::hospital::HospitalCommand;
use domain::aggregates::pairing::PairingCommand;
use domain::aggregates::program::{ProgramCommand, ProgramDefined, ProgramKind};
use domain::values::{BatchId, DeploymentId, HospitalId};
use domain::{AggregateCommand, StreamCommand};
use time::Date;
use time::macros::date;
use uuid::Uuid;

use crate::support::*;

pub(crate) fn request(command: AggregateCommand, request_id: &str) -> CommandRequest {
    CommandRequest {
        command,
        request_id: request_id.to_owned(),
        content_digest: None,
        expected_version: None,
        correlation_id: None,
        causation_id: None,
        trace_id: None,
        provenance: app::Provenance::default(),
        today: date!(2024 - 09 - 01),
    }
}

pub(crate) struct World {
    pub(crate) t: TestApp,
    pub(crate) recorder: Principal,
}

impl World {
    /// The hospitals, program and pairing of `support`, and batches `1..=batches` dispatched.
    pub(crate) async fn new(backend: &Backend, batches: u32) -> World {
        let world = World {
            t: test_app_on(backend).await,
            recorder: gansu_recorder(),
        };
        for (code, division) in [
            (supporting(), "620000"),
            (supporting_b(), "620000"),
            (recipient(), "620422"),
        ] {
            let command = AggregateCommand::Hospital {
                id: HospitalId(code.clone()),
                command: StreamCommand::Act(HospitalCommand::Register(hospital(code, division))),
            };
            world.ok(command).await;
        }
        world
            .ok(AggregateCommand::Program {
                id: program_id(),
                command: StreamCommand::Act(ProgramCommand::Define(ProgramDefined {
                    program_id: program_id(),
                    kind: ProgramKind::KeyCountyGroupAid,
                    name: "组团式帮扶".to_owned(),
                    policy_refs: vec![],
                    parameters: parameters(),
                    defined_on: date!(2021 - 12 - 01),
                })),
            })
            .await;
        world
            .ok(AggregateCommand::Pairing {
                id: pairing_id(),
                command: StreamCommand::Act(PairingCommand::Establish(pairing().into())),
            })
            .await;
        for number in 1..=batches {
            world.ok(dispatch(number)).await;
        }
        world
    }

    /// No events at all (for a log copied in by hand).
    pub(crate) async fn empty(backend: &Backend) -> World {
        World {
            t: test_app_on(backend).await,
            recorder: gansu_recorder(),
        }
    }

    /// Runs a command under a fresh request id.
    pub(crate) async fn run(&self, command: AggregateCommand) -> Result<CommandOutcome, Error> {
        let id = Uuid::new_v4().to_string();
        self.t
            .app
            .execute(&self.recorder, request(command, &id))
            .await
    }

    /// Runs a command that must succeed.
    pub(crate) async fn ok(&self, command: AggregateCommand) -> CommandOutcome {
        self.run(command).await.expect("a setup command succeeds")
    }
}

pub(crate) fn batch_number(number: u32) -> BatchId {
    BatchId {
        pairing: pairing_id(),
        number,
    }
}

/// Dispatches batch `number` of the pairing.
pub(crate) fn dispatch(number: u32) -> AggregateCommand {
    let dispatched = BatchDispatched {
        batch: batch_number(number),
        ..batch()
    };
    AggregateCommand::Batch {
        id: batch_number(number),
        command: StreamCommand::Act(BatchCommand::Dispatch(dispatched.into())),
    }
}

/// Assigns `who` to batch `number` as deployment `deployment` for the given term.
pub(crate) fn assign(
    number: u32,
    deployment: DeploymentId,
    who: &str,
    start: Date,
    end: Date,
) -> AggregateCommand {
    let assigned = MemberAssigned {
        batch: batch_number(number),
        deployment_id: deployment,
        practitioner: person(who),
        planned_start: start,
        planned_end: end,
        ..assignment()
    };
    AggregateCommand::Batch {
        id: batch_number(number),
        command: StreamCommand::Act(BatchCommand::AssignMember(assigned.into())),
    }
}
