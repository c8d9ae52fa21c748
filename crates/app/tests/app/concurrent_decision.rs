//! `CONCURRENT_DECISION`: when the facts of a rule keep changing between reading them and
//! appending, every attempt is refused by its condition, and after `MAX_ATTEMPTS` the command fails
//! with the facts it was decided on named, and writes nothing. The same for a fact read by stream
//! id (the batch's pairing), named `stream:<id>`.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use app::Error;
use domain::Event;
use domain::aggregates::mentorship::{
    ApprenticeMilestoneRecorded, MentorshipPaired, MilestoneKind,
};
use domain::aggregates::pairing::{FundingCommitted, FundingSource};
use domain::tags;
use domain::values::{DeploymentId, MentorshipId, MoneyFen};
use event_store::{AppendMetadata, ExpectedVersion};
use time::macros::date;
use uuid::Uuid;

use crate::support::*;
use crate::world::{World, assign, batch_number};

/// Appends `event` straight to the store with its domain tags, as `execute` would tag it.
async fn append_tagged(world: &World, event: &Event, earlier: &[Event]) {
    let mut row = codec::encode(event);
    row.tags = tags::tags(event, earlier);
    let metadata = AppendMetadata {
        actor: "noise".to_owned(),
        ..AppendMetadata::default()
    };
    world
        .t
        .app
        .store()
        .append(
            &event.stream_id(),
            ExpectedVersion::Any,
            vec![row],
            &Uuid::new_v4().to_string(),
            metadata,
        )
        .await
        .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn facts_that_keep_moving_end_in_a_concurrent_decision_naming_them() {
    // Given a practitioner whose facts keep changing: writers record milestones of a mentorship
    // the practitioner mentors (found by `practitioner:`, irrelevant to the assignment rule) as
    // fast as they can,
    let world = Arc::new(World::new(&Backend::postgres().unwrap_or(Backend::Sqlite), 1).await);
    let who = "doc-hot";
    let mentorship_id = MentorshipId(Uuid::from_u128(0x700));
    let paired: Event = MentorshipPaired {
        mentorship_id,
        mentor: person(who),
        apprentice: person("apprentice-hot"),
        recipient_org: recipient(),
        department: dept("04.05"),
        start: date!(2024 - 08 - 01),
        plan: String::new(),
    }
    .into();
    append_tagged(&world, &paired, &[]).await;
    let stop = Arc::new(AtomicBool::new(false));
    let writers: Vec<_> = (0..4)
        .map(|_| {
            let (world, stop, paired) = (world.clone(), stop.clone(), paired.clone());
            tokio::spawn(async move {
                while !stop.load(Ordering::Relaxed) {
                    let milestone: Event = ApprenticeMilestoneRecorded {
                        mentorship_id,
                        recipient_org: recipient(),
                        kind: MilestoneKind::WardRound,
                        date: date!(2024 - 09 - 01),
                    }
                    .into();
                    append_tagged(&world, &milestone, std::slice::from_ref(&paired)).await;
                }
            })
        })
        .collect();
    // when the practitioner is assigned, again and again,
    let mut outcomes = Vec::new();
    for n in 0..20u128 {
        let id = DeploymentId(Uuid::from_u128(0x800 + n));
        // Terms two years apart: each assignment is valid alone.
        let start = date!(2024 - 07 - 01) + time::Duration::days(800 * i64::try_from(n).unwrap());
        let end = start + time::Duration::days(365);
        let outcome = world.run(assign(1, id, who, start, end)).await;
        let done = matches!(outcome, Err(Error::ConcurrentDecision { .. }));
        outcomes.push(outcome);
        if done {
            break;
        }
    }
    stop.store(true, Ordering::Relaxed);
    for writer in writers {
        writer.await.unwrap();
    }
    // then each one succeeds or, after every attempt met a concurrent decision, fails naming the
    // practitioner's tag, and at least one did (the writers leave no attempt alone).
    let refused: Vec<&Error> = outcomes.iter().filter_map(|o| o.as_ref().err()).collect();
    for error in &refused {
        match error {
            Error::ConcurrentDecision {
                stream_id, facts, ..
            } => {
                assert_eq!(stream_id, &batch_number(1).stream_id());
                assert_eq!(facts, &tags::practitioner(&person(who)));
                assert_eq!(error.reason(), "CONCURRENT_DECISION");
            }
            other => panic!("refused otherwise: {other:?}"),
        }
    }
    assert!(
        !refused.is_empty(),
        "no concurrent decision in {} tries",
        outcomes.len()
    );
    // A refused one wrote nothing: the batch holds its dispatch and the successful assignments.
    let batch = world
        .t
        .app
        .store()
        .read_stream(&batch_number(1).stream_id(), 1, 100)
        .await
        .unwrap();
    assert_eq!(batch.len(), 1 + outcomes.len() - refused.len());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_stream_read_by_id_that_keeps_moving_ends_in_a_concurrent_decision_naming_it() {
    // Given a pairing that keeps moving: writers record funding commitments on it (which change
    // nothing an assignment checks) as fast as they can,
    let world = Arc::new(World::new(&Backend::postgres().unwrap_or(Backend::Sqlite), 1).await);
    let established: Event = pairing().into();
    let stop = Arc::new(AtomicBool::new(false));
    let writers: Vec<_> = (0..4)
        .map(|_| {
            let (world, stop, established) = (world.clone(), stop.clone(), established.clone());
            tokio::spawn(async move {
                while !stop.load(Ordering::Relaxed) {
                    let funding: Event = FundingCommitted {
                        pairing_id: pairing_id(),
                        funding_id: Uuid::new_v4(),
                        recipient_org: recipient(),
                        amount_fen: MoneyFen::from_yuan(1000),
                        source: FundingSource::Fiscal,
                        purpose: "设备".to_owned(),
                        date: date!(2024 - 09 - 01),
                    }
                    .into();
                    append_tagged(&world, &funding, std::slice::from_ref(&established)).await;
                }
            })
        })
        .collect();
    // when members are assigned to one of its batches, one after another,
    let mut outcomes = Vec::new();
    for n in 0..20u128 {
        let id = DeploymentId(Uuid::from_u128(0x900 + n));
        let who = format!("doc-moving-{n}");
        let outcome = world
            .run(assign(
                1,
                id,
                &who,
                date!(2024 - 07 - 01),
                date!(2025 - 06 - 30),
            ))
            .await;
        let done = matches!(outcome, Err(Error::ConcurrentDecision { .. }));
        outcomes.push(outcome);
        if done {
            break;
        }
    }
    stop.store(true, Ordering::Relaxed);
    for writer in writers {
        writer.await.unwrap();
    }
    // then each one succeeds or fails naming the pairing's stream and the position of an event
    // of it, and at least one failed.
    let refused: Vec<&Error> = outcomes.iter().filter_map(|o| o.as_ref().err()).collect();
    let pairing_stream = pairing_id().stream_id();
    for error in &refused {
        match error {
            Error::ConcurrentDecision {
                stream_id,
                facts,
                position,
            } => {
                assert_eq!(stream_id, &batch_number(1).stream_id());
                assert_eq!(facts, &format!("stream:{pairing_stream}"));
                let moved = world.t.app.store().get_event(*position).await.unwrap();
                assert_eq!(
                    moved.map(|e| e.stream_id),
                    Some(pairing_stream.clone()),
                    "the position names an event of the pairing"
                );
            }
            other => panic!("refused otherwise: {other:?}"),
        }
    }
    assert!(
        !refused.is_empty(),
        "no concurrent decision in {} tries",
        outcomes.len()
    );
    let batch = world
        .t
        .app
        .store()
        .read_stream(&batch_number(1).stream_id(), 1, 100)
        .await
        .unwrap();
    assert_eq!(batch.len(), 1 + outcomes.len() - refused.len());
}
