//! Conditional appends: "no event matching this query since the position my facts were read at",
//! decided by the single writer inside the group's transaction, per request and in queue order,
//! from the stored tags alone, so a restart forgets nothing.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use event_store::testing::FaultHook;
use event_store::{
    AppendCondition, AppendError, AppendResult, Conditions, EventStore, ExpectedVersion, NewEvent,
    StreamCondition, TagQuery,
};
use serde_json::json;
use sqlx::Connection;

use crate::support::{Backend, OnDatabase, TestDatabase, assert_log_is_sound, event, metadata};

crate::backend_tests!(
    a_conditional_append_in_the_same_group_as_a_conflicting_one_is_refused,
    a_condition_is_checked_against_stored_events_and_one_matching_nothing_new_succeeds,
    conditions_hold_after_a_restart,
    racing_deciders_on_one_fact_let_exactly_one_through,
    an_append_answers_the_ids_of_the_events_it_wrote,
    a_stream_condition_refuses_an_append_once_the_stream_read_moved,
);

fn tagged(marker: &str, tags: &[&str]) -> Vec<NewEvent> {
    vec![NewEvent {
        tags: tags.iter().map(|t| (*t).to_owned()).collect(),
        ..event("Assigned", json!({ "marker": marker }))
    }]
}

fn unless(query: TagQuery, from_position: u64) -> Vec<AppendCondition> {
    vec![AppendCondition {
        query,
        from_position,
    }]
}

async fn append_if(
    store: &EventStore,
    stream: &str,
    conditions: Vec<AppendCondition>,
    events: Vec<NewEvent>,
    request_id: &str,
) -> Result<AppendResult, AppendError> {
    store
        .append_if(
            stream,
            ExpectedVersion::Any,
            conditions,
            events,
            request_id,
            metadata(),
        )
        .await
}

/// Records every group's request ids.
#[derive(Default)]
struct GroupLog(Mutex<Vec<Vec<String>>>);

impl FaultHook for GroupLog {
    fn before_commit(&self, request_ids: &[&str]) -> Result<(), String> {
        self.0
            .lock()
            .unwrap()
            .push(request_ids.iter().map(|id| (*id).to_owned()).collect());
        Ok(())
    }
}

/// Another connection holding the database's write lock (PostgreSQL: the `log_head` row;
/// SQLite: `BEGIN IMMEDIATE`), so that the writer waits, without blocking a thread, while appends
/// queue up behind it.
enum WriteLock {
    Postgres(sqlx::PgConnection),
    Sqlite(sqlx::SqliteConnection),
}

impl WriteLock {
    async fn take(db: &TestDatabase) -> WriteLock {
        if db.url.starts_with("sqlite:") {
            let mut conn = sqlx::SqliteConnection::connect(&db.url).await.unwrap();
            sqlx::query("BEGIN IMMEDIATE")
                .execute(&mut conn)
                .await
                .unwrap();
            WriteLock::Sqlite(conn)
        } else {
            let mut conn = sqlx::PgConnection::connect(&db.url).await.unwrap();
            sqlx::query("BEGIN").execute(&mut conn).await.unwrap();
            sqlx::query("SELECT size FROM log_head WHERE id = 1 FOR UPDATE")
                .execute(&mut conn)
                .await
                .unwrap();
            WriteLock::Postgres(conn)
        }
    }

    async fn release(self) {
        match self {
            WriteLock::Postgres(mut conn) => {
                sqlx::query("ROLLBACK").execute(&mut conn).await.unwrap();
            }
            WriteLock::Sqlite(mut conn) => {
                sqlx::query("ROLLBACK").execute(&mut conn).await.unwrap();
            }
        }
    }
}

async fn a_conditional_append_in_the_same_group_as_a_conflicting_one_is_refused(backend: Backend) {
    let db = TestDatabase::new(&backend).await;
    let hook = Arc::new(GroupLog::default());
    let faults = hook.clone();
    let store = db.open_with(|options| options.faults = Some(faults)).await;
    store
        .append(
            "other-1",
            ExpectedVersion::Any,
            tagged("before", &["practitioner:P9"]),
            "before",
            metadata(),
        )
        .await
        .unwrap();
    // Both deciders read their facts at this head: practitioner P1 is free.
    let read = store
        .read_by_tags(&TagQuery::tag("practitioner:P1"), u64::MAX)
        .await
        .unwrap();
    assert!(read.events.is_empty());
    let at = read.up_to_position;
    assert_eq!(at, 1);

    let lock = WriteLock::take(&db).await;
    let holding = tokio::spawn({
        let store = store.clone();
        async move {
            store
                .append(
                    "other-2",
                    ExpectedVersion::Any,
                    tagged("hold", &[]),
                    "hold",
                    metadata(),
                )
                .await
        }
    });
    tokio::time::sleep(Duration::from_millis(100)).await;
    // Queued in this order while the writer waits with the previous group.
    let mut queued = Vec::new();
    for (stream, request_id, tags, query) in [
        (
            "batch-1",
            "first",
            ["practitioner:P1"],
            TagQuery::tag("practitioner:P1"),
        ),
        (
            "batch-2",
            "second",
            ["practitioner:P1"],
            TagQuery::tag("practitioner:P1"),
        ),
        // Its query matches neither the first nor the second: it succeeds.
        (
            "batch-3",
            "third",
            ["practitioner:P2"],
            TagQuery::tag("practitioner:P2"),
        ),
    ] {
        let store = store.clone();
        queued.push(tokio::spawn(async move {
            append_if(
                &store,
                stream,
                unless(query, at),
                tagged(request_id, &tags),
                request_id,
            )
            .await
        }));
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    lock.release().await;
    holding.await.unwrap().unwrap();
    let outcomes: Vec<_> = futures_util::future::join_all(queued)
        .await
        .into_iter()
        .map(Result::unwrap)
        .collect();

    let groups = hook.0.lock().unwrap().clone();
    assert!(
        groups.iter().any(|g| g == &["first", "second", "third"]),
        "the three appends were one group: {groups:?}"
    );
    let first = outcomes[0].as_ref().unwrap();
    assert_eq!(first.first_position, 2);
    assert!(
        matches!(
            outcomes[1],
            Err(AppendError::ConditionViolated {
                index: 0,
                position: 2
            })
        ),
        "{:?}",
        outcomes[1]
    );
    assert_eq!(outcomes[2].as_ref().unwrap().first_position, 3);
    let all = assert_log_is_sound(&store).await;
    assert_eq!(all.len(), 4);
    assert!(
        all.iter().all(|e| e.stream_id != "batch-2"),
        "the refused append wrote nothing"
    );
}

async fn a_condition_is_checked_against_stored_events_and_one_matching_nothing_new_succeeds(
    backend: Backend,
) {
    let db = TestDatabase::new(&backend).await;
    let store = db.open().await;
    let p1 = || TagQuery::tag("practitioner:P1");
    append_if(
        &store,
        "batch-1",
        Vec::new(),
        tagged("a", &["practitioner:P1", "batch:1"]),
        "a",
    )
    .await
    .unwrap();
    let seen = store.read_by_tags(&p1(), u64::MAX).await.unwrap();
    assert_eq!(seen.events.len(), 1);
    // Unrelated events land after the read: nothing new matches, the append goes through.
    append_if(
        &store,
        "batch-2",
        Vec::new(),
        tagged("b", &["practitioner:P2"]),
        "b",
    )
    .await
    .unwrap();
    let fine = append_if(
        &store,
        "batch-3",
        unless(p1(), seen.up_to_position),
        tagged("c", &["practitioner:P3"]),
        "c",
    )
    .await
    .unwrap();
    assert_eq!(fine.first_position, 2);
    // A decision made before the first event was written is stale: that event breaks it, in a
    // later group than the one that wrote it.
    let stale = append_if(&store, "batch-4", unless(p1(), 0), tagged("d", &[]), "d").await;
    assert!(
        matches!(
            stale,
            Err(AppendError::ConditionViolated {
                index: 0,
                position: 0
            })
        ),
        "{stale:?}"
    );
    // Each condition is checked, and the refusal names the one broken; an alternative with a
    // second tag or a type matches only events with all of them.
    let conditions = vec![
        AppendCondition {
            query: TagQuery::default().or_tags(["practitioner:P1", "batch:2"], [] as [&str; 0]),
            from_position: 0,
        },
        AppendCondition {
            query: TagQuery::default().or_tags(["practitioner:P1"], ["Released"]),
            from_position: 0,
        },
        AppendCondition {
            query: TagQuery::tag("nothing:here").or_tags(["practitioner:P2"], ["Assigned"]),
            from_position: 0,
        },
    ];
    let named = append_if(&store, "batch-5", conditions, tagged("e", &[]), "e").await;
    assert!(
        matches!(
            named,
            Err(AppendError::ConditionViolated {
                index: 2,
                position: 1
            })
        ),
        "{named:?}"
    );
    // A malformed condition is refused before it reaches the writer.
    let malformed = append_if(
        &store,
        "batch-6",
        unless(TagQuery::tag("bad"), 0),
        tagged("f", &[]),
        "f",
    )
    .await;
    assert!(
        matches!(
            malformed,
            Err(AppendError::InvalidCondition { index: 0, .. })
        ),
        "{malformed:?}"
    );
    // A refused request id can be decided again on fresh facts; a recorded one answers its result.
    let retried = append_if(&store, "batch-4", unless(p1(), 3), tagged("d", &[]), "d")
        .await
        .unwrap();
    let repeat = append_if(&store, "batch-4", unless(p1(), 0), tagged("d", &[]), "d")
        .await
        .unwrap();
    assert_eq!(retried, repeat);
    assert_eq!(assert_log_is_sound(&store).await.len(), 4);
}

async fn conditions_hold_after_a_restart(backend: Backend) {
    let db = TestDatabase::new(&backend).await;
    let store = db.open().await;
    for (i, tag) in ["gap:county/620422/vats", "gap:county/620423/vats"]
        .iter()
        .enumerate()
    {
        append_if(
            &store,
            &format!("gap-{i}"),
            Vec::new(),
            tagged(tag, &[tag]),
            &format!("g{i}"),
        )
        .await
        .unwrap();
    }
    store.close().await;
    drop(store);

    let store = db.open().await;
    let gap = || TagQuery::tag("gap:county/620422/vats");
    let found = store.read_by_tags(&gap(), u64::MAX).await.unwrap();
    assert_eq!(found.events.len(), 1);
    assert_eq!((found.events[0].position, found.up_to_position), (0, 2));
    let stale = append_if(
        &store,
        "fill-1",
        unless(gap(), 0),
        tagged("fill", &[]),
        "fill-1",
    )
    .await;
    assert!(
        matches!(
            stale,
            Err(AppendError::ConditionViolated {
                index: 0,
                position: 0
            })
        ),
        "{stale:?}"
    );
    append_if(
        &store,
        "fill-1",
        unless(gap(), found.up_to_position),
        tagged("fill", &[]),
        "fill-2",
    )
    .await
    .unwrap();
    assert_eq!(assert_log_is_sound(&store).await.len(), 3);
}

async fn an_append_answers_the_ids_of_the_events_it_wrote(backend: Backend) {
    let db = TestDatabase::new(&backend).await;
    let store = db.open().await;
    let batch = vec![
        event("A", json!({})),
        event("B", json!({})),
        event("C", json!({})),
    ];
    let result = store
        .append(
            "pairing-1",
            ExpectedVersion::NoStream,
            batch.clone(),
            "ids",
            metadata(),
        )
        .await
        .unwrap();
    let stored = store.read_stream("pairing-1", 1, 10).await.unwrap();
    let ids: Vec<_> = stored.iter().map(|e| e.event_id).collect();
    assert_eq!(result.event_ids, ids);
    assert_eq!(result.positions().collect::<Vec<_>>(), [0, 1, 2]);
    // A repeated request id answers the same ids, read back from the stored events.
    store.close().await;
    drop(store);
    let store = db.open().await;
    let repeat = store
        .append(
            "pairing-1",
            ExpectedVersion::NoStream,
            batch,
            "ids",
            metadata(),
        )
        .await
        .unwrap();
    assert_eq!(repeat, result);
}

/// Deciders that all read the same fact (slot free) and then all claim it: exactly one claim per
/// slot is recorded, every other gets the typed conflict, whichever group or writer it lands in.
/// Two handles on one database, each with its own writer (on PostgreSQL, as two replicas; on
/// SQLite, two writers serialized by the file lock), over several rounds.
async fn racing_deciders_on_one_fact_let_exactly_one_through(backend: Backend) {
    const ROUNDS: usize = 8;
    const DECIDERS: usize = 12;
    let db = TestDatabase::new(&backend).await;
    let stores = [db.open().await, db.open().await];
    for round in 0..ROUNDS {
        let slot = format!("slot:{round}");
        let barrier = Arc::new(tokio::sync::Barrier::new(DECIDERS));
        let mut tasks = Vec::new();
        for decider in 0..DECIDERS {
            let store = stores[decider % 2].clone();
            let barrier = barrier.clone();
            let slot = slot.clone();
            tasks.push(tokio::spawn(async move {
                let query = TagQuery::tag(slot.as_str());
                let facts = store.read_by_tags(&query, u64::MAX).await.unwrap();
                assert!(facts.events.is_empty(), "the slot is free when read");
                // Everyone has read before anyone claims.
                barrier.wait().await;
                let request_id = format!("claim-{round}-{decider}");
                append_if(
                    &store,
                    &format!("claim-{round}.{decider}"),
                    unless(query, facts.up_to_position),
                    tagged(&request_id, &[&slot]),
                    &request_id,
                )
                .await
            }));
        }
        let mut claimed = 0;
        for task in tasks {
            match task.await.unwrap() {
                Ok(_) => claimed += 1,
                Err(AppendError::ConditionViolated { index: 0, .. }) => {}
                Err(other) => panic!("round {round}: {other:?}"),
            }
        }
        assert_eq!(claimed, 1, "round {round}");
        let recorded = stores[0]
            .read_by_tags(&TagQuery::tag(slot.as_str()), u64::MAX)
            .await
            .unwrap();
        assert_eq!(recorded.events.len(), 1, "round {round}");
    }
    assert_eq!(assert_log_is_sound(&stores[1]).await.len(), ROUNDS);
}

/// `stream` read at `version`, as a decision's only stream condition.
fn still_at(stream: &str, version: u64) -> Vec<StreamCondition> {
    vec![StreamCondition {
        stream_id: stream.to_owned(),
        version,
    }]
}

async fn append_decided(
    store: &EventStore,
    stream: &str,
    streams: Vec<StreamCondition>,
    request_id: &str,
) -> Result<AppendResult, AppendError> {
    store
        .append_decided(
            stream,
            ExpectedVersion::Any,
            Conditions {
                tags: Vec::new(),
                streams,
            },
            tagged(request_id, &[]),
            request_id,
            metadata(),
        )
        .await
}

async fn a_stream_condition_refuses_an_append_once_the_stream_read_moved(backend: Backend) {
    let db = TestDatabase::new(&backend).await;
    let hook = Arc::new(GroupLog::default());
    let faults = hook.clone();
    let store = db.open_with(|options| options.faults = Some(faults)).await;
    store
        .append(
            "pairing-1",
            ExpectedVersion::Any,
            tagged("established", &[]),
            "established",
            metadata(),
        )
        .await
        .unwrap();
    // Against the stored versions: the version read passes, an older one or a stream created
    // since (read as absent, version 0) does not.
    append_decided(&store, "batch-1", still_at("pairing-1", 1), "fresh")
        .await
        .unwrap();
    let stale = append_decided(&store, "batch-2", still_at("pairing-1", 0), "stale").await;
    assert!(
        matches!(&stale, Err(AppendError::StreamMoved { index: 0, stream_id, read: 0, actual: 1 }) if stream_id == "pairing-1"),
        "{stale:?}"
    );
    append_decided(&store, "batch-3", still_at("program-9", 0), "absent")
        .await
        .unwrap();

    // In one group: the end of the pairing, queued first, refuses the decision queued after it
    // (the hook sees a group's request ids sorted).
    let lock = WriteLock::take(&db).await;
    let holding = tokio::spawn({
        let store = store.clone();
        async move { append_decided(&store, "other-1", Vec::new(), "hold").await }
    });
    tokio::time::sleep(Duration::from_millis(100)).await;
    let mut queued = Vec::new();
    for (stream, streams, request_id) in [
        ("pairing-1", Vec::new(), "a-ended"),
        ("batch-4", still_at("pairing-1", 1), "b-behind"),
    ] {
        let store = store.clone();
        queued.push(tokio::spawn(async move {
            append_decided(&store, stream, streams, request_id).await
        }));
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    lock.release().await;
    holding.await.unwrap().unwrap();
    let outcomes: Vec<_> = futures_util::future::join_all(queued)
        .await
        .into_iter()
        .map(Result::unwrap)
        .collect();
    let groups = hook.0.lock().unwrap().clone();
    assert!(
        groups.iter().any(|g| g == &["a-ended", "b-behind"]),
        "the two appends were one group: {groups:?}"
    );
    assert!(outcomes[0].is_ok());
    assert!(
        matches!(
            outcomes[1],
            Err(AppendError::StreamMoved {
                read: 1,
                actual: 2,
                ..
            })
        ),
        "{:?}",
        outcomes[1]
    );
    let all = assert_log_is_sound(&store).await;
    assert!(
        all.iter()
            .all(|e| e.stream_id != "batch-2" && e.stream_id != "batch-4")
    );
}
