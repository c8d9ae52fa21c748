//! Guarantees 1 and 2: concurrent writers, conflicts and injected failures never lose, duplicate,
//! skip or reorder an event, and every subscriber sees every event exactly once, in order.

use std::collections::{BTreeSet, HashMap};
use std::time::Duration;

use event_store::{
    AppendError, AppendResult, EventFilter, EventStore, ExpectedVersion, StoredEvent,
};
use serde_json::json;
use tokio::task::JoinSet;

use crate::support::{
    Backend, OnDatabase, TestDatabase, assert_log_is_sound, event, metadata, poison_hook,
};

crate::backend_tests!(concurrent_writers_lose_nothing_and_subscribers_see_everything_once);

const WRITERS: usize = 16;
const EVENTS_PER_WRITER: usize = 500;
const STREAMS: usize = 6;

/// What one writer tried, and what the store answered.
struct Attempt {
    marker_prefix: String,
    count: usize,
    stream: String,
    poisoned: bool,
    expected: ExpectedVersion,
    outcome: Result<AppendResult, AppendError>,
}

async fn run_writer(store: EventStore, writer: usize) -> Vec<Attempt> {
    let mut attempts = Vec::new();
    let mut known_versions: HashMap<String, u64> = HashMap::new();
    let mut written = 0;
    let mut round = 0;
    while written < EVENTS_PER_WRITER {
        let count = (round % 4 + 1).min(EVENTS_PER_WRITER - written);
        // Writers share a few streams, so their expectations go stale under each other.
        let stream = format!("load-{}", (writer + round) % STREAMS);
        let poisoned = round % 23 == 7;
        let expected = match round % 3 {
            0 => ExpectedVersion::Exact(known_versions.get(&stream).copied().unwrap_or(0)),
            _ => ExpectedVersion::Any,
        };
        let marker_prefix = format!("w{writer}-r{round}");
        let request_id = if poisoned {
            format!("poison-{marker_prefix}")
        } else {
            format!("req-{marker_prefix}")
        };
        let batch = (0..count)
            .map(|i| {
                event(
                    "LoadApplied",
                    json!({ "marker": format!("{marker_prefix}-{i}") }),
                )
            })
            .collect();
        let outcome = store
            .append(&stream, expected, batch, &request_id, metadata())
            .await;
        match &outcome {
            Ok(result) => {
                known_versions.insert(stream.clone(), result.stream_version);
            }
            Err(AppendError::WrongExpectedVersion { actual, .. }) => {
                known_versions.insert(stream.clone(), *actual);
            }
            Err(_) => {}
        }
        attempts.push(Attempt {
            marker_prefix,
            count,
            stream,
            poisoned,
            expected,
            outcome,
        });
        written += count;
        round += 1;
    }
    attempts
}

/// Collects events from a subscription until it has seen `until` positions' worth, or fails after
/// a generous deadline (only a broken store could take that long).
async fn collect(
    store: EventStore,
    from: u64,
    mut until: tokio::sync::watch::Receiver<Option<u64>>,
) -> Vec<StoredEvent> {
    let mut subscription = store.subscribe(from, EventFilter::default());
    let mut seen = Vec::new();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(120);
    loop {
        if let Some(total) = *until.borrow_and_update()
            && seen.len() as u64 >= total
        {
            return seen;
        }
        // `next` is cancel-safe, so waiting on the total at the same time loses nothing.
        tokio::select! {
            event = subscription.next() => seen.push(event.unwrap()),
            _ = until.changed() => {}
            () = tokio::time::sleep_until(deadline) => panic!("subscription stalled after {} events", seen.len()),
        }
    }
}

async fn concurrent_writers_lose_nothing_and_subscribers_see_everything_once(backend: Backend) {
    let db = TestDatabase::new(&backend).await;
    let store = db
        .open_with(|options| options.faults = Some(poison_hook()))
        .await;
    let (total_tx, total_rx) = tokio::sync::watch::channel(None);

    let before = tokio::spawn(collect(store.clone(), 0, total_rx.clone()));
    let mut writers = JoinSet::new();
    for writer in 0..WRITERS {
        writers.spawn(run_writer(store.clone(), writer));
    }
    // Start one subscriber while the load is running.
    while store.head().await.unwrap().size < 300 {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let during = tokio::spawn(collect(store.clone(), 0, total_rx.clone()));
    let mut attempts = Vec::new();
    while let Some(finished) = writers.join_next().await {
        attempts.extend(finished.unwrap());
    }
    let all = assert_log_is_sound(&store).await;
    total_tx.send(Some(all.len() as u64)).unwrap();
    let after = tokio::spawn(collect(store.clone(), 0, total_rx.clone()));

    // Every acknowledged event is present where its result says; no refused event is present.
    let present: HashMap<String, &StoredEvent> = all
        .iter()
        .map(|e| {
            let payload: serde_json::Value = serde_json::from_str(e.payload.get()).unwrap();
            (payload["marker"].as_str().unwrap().to_owned(), e)
        })
        .collect();
    assert_eq!(present.len(), all.len(), "no event is stored twice");
    let mut acknowledged = BTreeSet::new();
    let (mut conflicts, mut poisoned) = (0, 0);
    for attempt in &attempts {
        let markers = (0..attempt.count).map(|i| format!("{}-{i}", attempt.marker_prefix));
        match &attempt.outcome {
            Ok(result) => {
                assert!(!attempt.poisoned, "a poisoned append was acknowledged");
                for (marker, position) in markers.zip(result.positions()) {
                    let stored = present
                        .get(&marker)
                        .unwrap_or_else(|| panic!("acknowledged {marker} is missing"));
                    assert_eq!(stored.position, position);
                    assert_eq!(stored.stream_id, attempt.stream);
                    acknowledged.insert(marker);
                }
            }
            Err(error) => {
                match error {
                    AppendError::WrongExpectedVersion { .. } => conflicts += 1,
                    AppendError::Store(_) => {
                        assert!(attempt.poisoned, "a healthy append failed: {error}");
                        poisoned += 1;
                    }
                    other => panic!("unexpected refusal {other}"),
                }
                for marker in markers {
                    assert!(
                        !present.contains_key(&marker),
                        "refused {marker} was written"
                    );
                }
            }
        }
        if !attempt.poisoned && attempt.expected == ExpectedVersion::Any {
            assert!(
                attempt.outcome.is_ok(),
                "an unconditional healthy append failed"
            );
        }
    }
    assert_eq!(
        acknowledged.len(),
        all.len(),
        "everything stored was acknowledged"
    );
    assert!(
        conflicts > 0 && poisoned > 0,
        "the load exercised conflicts ({conflicts}) and faults ({poisoned})"
    );

    for subscriber in [before, during, after] {
        let seen = subscriber.await.unwrap();
        assert_eq!(
            seen, all,
            "a subscriber saw every event once, in position order"
        );
    }
}
