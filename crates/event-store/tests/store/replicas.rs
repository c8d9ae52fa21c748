//! Several replicas on one PostgreSQL database: three stores opened on the same database, each with
//! its own writer task and connections, as three `medaid serve` processes would have. Appends
//! through all of them at once stay dense and gap-free (the `log_head` row lock serializes their
//! writers), every stream's versions stay contiguous although each replica's writer caches the
//! Merkle frontier of its own last commit, and a subscriber on each replica, woken by the other
//! replicas' commits through `NOTIFY`, sees the very same sequence.

use std::collections::HashMap;
use std::time::Duration;

use event_store::{EventFilter, EventStore, ExpectedVersion, StoredEvent};
use serde_json::json;
use tokio::task::JoinSet;

use crate::support::{Backend, OnDatabase, TestDatabase, assert_log_is_sound, event, metadata};

const REPLICAS: usize = 3;
const WRITERS_PER_REPLICA: usize = 8;
const APPENDS_PER_WRITER: usize = 40;
/// Streams every replica writes to, so their expected versions go stale under each other.
const SHARED_STREAMS: usize = 4;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn appends_from_three_replicas_stay_dense_and_every_replica_sees_the_same_sequence() {
    let Some(backend) = Backend::postgres() else {
        return;
    };
    let db = TestDatabase::new(&backend).await;
    let mut replicas = Vec::new();
    for _ in 0..REPLICAS {
        replicas.push(
            db.open_with(|options| options.poll_interval = Duration::from_secs(30))
                .await,
        );
    }
    // Subscribers start before the first append and rely on notifications, not polling (the poll
    // interval is longer than the test), to see other replicas' commits.
    let mut subscribers = JoinSet::new();
    let total_events = REPLICAS * WRITERS_PER_REPLICA * APPENDS_PER_WRITER * 2;
    for (replica, store) in replicas.iter().enumerate() {
        let mut subscription = store.subscribe(0, EventFilter::default());
        subscribers.spawn(async move {
            let mut seen: Vec<StoredEvent> = Vec::with_capacity(total_events);
            while seen.len() < total_events {
                seen.push(subscription.next().await.unwrap());
            }
            (replica, seen)
        });
    }

    let mut writers = JoinSet::new();
    for (replica, store) in replicas.iter().enumerate() {
        for writer in 0..WRITERS_PER_REPLICA {
            writers.spawn(write(store.clone(), replica, writer));
        }
    }
    let mut acknowledged = 0;
    while let Some(count) = writers.join_next().await {
        acknowledged += count.unwrap();
    }
    assert_eq!(acknowledged, total_events);

    // Dense positions, contiguous stream versions and an intact Merkle tree, read from each replica.
    let mut logs = Vec::new();
    for store in &replicas {
        let log = assert_log_is_sound(store).await;
        assert_eq!(log.len(), total_events);
        logs.push(log);
    }
    let reference: Vec<(u64, uuid::Uuid)> =
        logs[0].iter().map(|e| (e.position, e.event_id)).collect();
    for log in &logs[1..] {
        let ids: Vec<_> = log.iter().map(|e| (e.position, e.event_id)).collect();
        assert_eq!(ids, reference, "replicas read the same log");
    }
    // Every replica's appends are in it: writes really went through all three writers.
    for replica in 0..REPLICAS {
        let mine = logs[0]
            .iter()
            .filter(|e| {
                let payload: serde_json::Value = serde_json::from_str(e.payload.get()).unwrap();
                payload["replica"] == json!(replica)
            })
            .count();
        assert_eq!(mine, WRITERS_PER_REPLICA * APPENDS_PER_WRITER * 2);
    }

    let subscriber_timeout = Duration::from_secs(60);
    while let Some(joined) = tokio::time::timeout(subscriber_timeout, subscribers.join_next())
        .await
        .expect("a subscriber did not see every event within a minute")
    {
        let (replica, seen) = joined.unwrap();
        let ids: Vec<_> = seen.iter().map(|e| (e.position, e.event_id)).collect();
        assert_eq!(ids, reference, "the subscriber on replica {replica}");
    }
}

/// Appends two events at a time, half to a stream of its own with exact expected versions, half to
/// shared streams where a stale expectation is refused and retried; returns the events acknowledged.
async fn write(store: EventStore, replica: usize, writer: usize) -> usize {
    let own = format!("own-{replica}-{writer}");
    let mut own_version = 0;
    let mut versions: HashMap<String, u64> = HashMap::new();
    let mut acknowledged = 0;
    for round in 0..APPENDS_PER_WRITER {
        let (stream, expected) = if round % 2 == 0 {
            (own.clone(), ExpectedVersion::Exact(own_version))
        } else {
            let stream = format!("shared-{}", (writer + round) % SHARED_STREAMS);
            let known = versions.get(&stream).copied().unwrap_or(0);
            (stream, ExpectedVersion::Exact(known))
        };
        let mut expected = expected;
        let mut attempt = 0;
        loop {
            let request_id = format!("r{replica}-w{writer}-n{round}-a{attempt}");
            let events = (0..2)
                .map(|i| {
                    event(
                        "Replicated",
                        json!({ "replica": replica, "round": round, "i": i }),
                    )
                })
                .collect();
            match store
                .append(&stream, expected, events, &request_id, metadata())
                .await
            {
                Ok(result) => {
                    if stream == own {
                        own_version = result.stream_version;
                    } else {
                        versions.insert(stream.clone(), result.stream_version);
                    }
                    acknowledged += result.event_count as usize;
                    break;
                }
                Err(event_store::AppendError::WrongExpectedVersion { actual, .. }) => {
                    assert_ne!(stream, own, "nobody else writes {own}");
                    expected = ExpectedVersion::Exact(actual);
                    attempt += 1;
                }
                Err(other) => panic!("append failed: {other}"),
            }
        }
    }
    acknowledged
}
