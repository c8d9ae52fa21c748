//! Writing a large log quickly, through the store's own append: 1,000-event appends (the store's
//! per-append limit) from a few concurrent writers, so the single writer commits groups of several
//! thousand events. Every event is leaf-hashed and its completed Merkle nodes stored, as always.

use std::time::{Duration, Instant};

use event_store::{
    AppendMetadata, BusinessTime, EventStore, ExpectedVersion, NewEvent, StoreOptions,
};
use serde_json::json;

/// Events per append: the store's default per-append limit.
const EVENTS_PER_APPEND: usize = 1_000;
/// Concurrent writers: enough to fill the writer's groups.
const WRITERS: usize = 4;

/// Appends `events` synthetic events to the store at `url` and closes it; returns the time taken.
pub(super) async fn build(url: &str, events: u64) -> anyhow::Result<Duration> {
    let store = EventStore::open(StoreOptions::new(url)).await?;
    let started = Instant::now();
    let appends = events.div_ceil(EVENTS_PER_APPEND as u64);
    let mut writers = Vec::new();
    for writer in 0..WRITERS as u64 {
        let store = store.clone();
        writers.push(tokio::spawn(async move {
            let mut append = writer;
            while append < appends {
                let first = append * EVENTS_PER_APPEND as u64;
                let count = (events - first).min(EVENTS_PER_APPEND as u64);
                let batch = (first..first + count)
                    .map(|n| NewEvent {
                        // A type no projection reads, so the server's projectors skip the log.
                        event_type: "BenchLeafWritten".into(),
                        schema_version: 1,
                        payload: json!({ "n": n, "note": "an event of the audit benchmark" }),
                        occurred: BusinessTime::instant(1_721_865_600_000_000),
                        tags: Vec::new(),
                    })
                    .collect();
                let metadata = AppendMetadata {
                    actor: "bench".into(),
                    ..AppendMetadata::default()
                };
                store
                    .append(
                        &format!("bench-{}", append % 100),
                        ExpectedVersion::Any,
                        batch,
                        &format!("bench-log-{append}"),
                        metadata,
                    )
                    .await?;
                append += WRITERS as u64;
            }
            anyhow::Ok(())
        }));
    }
    for writer in writers {
        writer.await??;
    }
    let elapsed = started.elapsed();
    let size = store.head().await?.size;
    anyhow::ensure!(size == events, "the log holds {size} events, not {events}");
    store.close().await;
    Ok(elapsed)
}
