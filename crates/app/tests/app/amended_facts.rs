//! Cross-stream facts after a correction: the facts of a rule are folded with the amendments of
//! their streams, so a corrected assignment no longer blocks the practitioner it named and blocks
//! the one it names now.

use domain::aggregates::batch::MemberAssigned;
use domain::values::DeploymentId;
use domain::{AggregateCommand, StreamCommand};
use time::macros::date;
use uuid::Uuid;

use crate::support::*;
use crate::world::{World, assign, batch_number};

#[tokio::test]
async fn a_corrected_assignment_moves_the_overlap_to_the_practitioner_it_names_now() {
    // Given doc-a assigned to batch 1, corrected to doc-b,
    let world = World::new(&Backend::postgres().unwrap_or(Backend::Sqlite), 2).await;
    let first = DeploymentId(Uuid::from_u128(0x601));
    let term = (date!(2024 - 07 - 01), date!(2025 - 06 - 30));
    let assigned = world.ok(assign(1, first, "doc-a", term.0, term.1)).await;
    let corrected = MemberAssigned {
        practitioner: person("doc-b"),
        ..assignment_of(&assigned.events[0])
    };
    world
        .ok(AggregateCommand::Batch {
            id: batch_number(1),
            command: StreamCommand::Correct {
                version: assigned.stream_version,
                replacement: Box::new(corrected.into()),
                reason: "the wrong doctor was named".to_owned(),
            },
        })
        .await;
    // when each is assigned to batch 2 for the same term,
    let for_a = DeploymentId(Uuid::from_u128(0x602));
    let for_b = DeploymentId(Uuid::from_u128(0x603));
    // then doc-a is free and doc-b overlaps.
    world.ok(assign(2, for_a, "doc-a", term.0, term.1)).await;
    let error = world
        .run(assign(2, for_b, "doc-b", term.0, term.1))
        .await
        .unwrap_err();
    assert_eq!(error.reason(), "OVERLAPPING_ASSIGNMENT", "{error:?}");
}

fn assignment_of(event: &domain::Event) -> MemberAssigned {
    match event {
        domain::Event::MemberAssigned(m) => m.clone(),
        other => panic!("not an assignment: {other:?}"),
    }
}
