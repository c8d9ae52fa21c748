//! The generated log: domain events in the order they were recorded, the stream version each one
//! gets (so corrections can name their target), and the writing of the log into a store.

use std::collections::HashMap;
use std::sync::Arc;

use domain::Event;
use domain::events::EventRef;
use domain::values::{ClinicalDepartment, CreditCode, PractitionerId};
use event_store::{AppendMetadata, EventStore, ExpectedVersion, NewEvent};
use tokio::sync::Mutex;

/// Events in log order, with the version each stream has reached.
#[derive(Default)]
pub(crate) struct Log {
    pub(crate) events: Vec<Event>,
    versions: HashMap<String, u64>,
}

impl Log {
    /// Appends an event and returns its address (stream and version), as the store will assign it
    /// when each stream's events are appended in order.
    pub(crate) fn push(&mut self, event: impl Into<Event>) -> EventRef {
        let event = event.into();
        let stream = event.stream_id();
        let version = self.versions.entry(stream.clone()).or_default();
        *version += 1;
        let version = *version;
        self.events.push(event);
        EventRef { stream, version }
    }

    pub(crate) fn len(&self) -> usize {
        self.events.len()
    }
}

/// A valid credit code in `division` (a GB/T 2260 code), numbered `n`.
pub(crate) fn org(division: &str, n: u32) -> anyhow::Result<CreditCode> {
    Ok(CreditCode::complete(&format!("12{division}{n:08}"))?)
}

pub(crate) fn person(name: &str) -> anyhow::Result<PractitionerId> {
    Ok(PractitionerId::parse(name)?)
}

pub(crate) fn dept(code: &str) -> anyhow::Result<ClinicalDepartment> {
    Ok(ClinicalDepartment::parse(code)?)
}

/// Writes the log into `store`: each stream's events in order, in appends of at most 1,000 events,
/// from `writers` concurrent writers (each stream's appends from one of them). Streams are independent, so the global order differs from
/// the generated one, but every stream keeps its versions.
pub(crate) async fn write(
    store: &EventStore,
    events: &[Event],
    writers: usize,
) -> anyhow::Result<()> {
    let mut index: HashMap<String, usize> = HashMap::new();
    let mut streams: Vec<(String, Vec<NewEvent>)> = Vec::new();
    for event in events {
        let stream = event.stream_id();
        let slot = *index.entry(stream.clone()).or_insert_with(|| {
            streams.push((stream, Vec::new()));
            streams.len() - 1
        });
        streams[slot].1.push(codec::encode(event));
    }
    // Writers take the next stream from a shared queue, in order of first appearance; a stream's
    // appends stay with one writer so that they commit in order.
    streams.reverse();
    let queue = Arc::new(Mutex::new(streams));
    let mut tasks = Vec::new();
    for _ in 0..writers.max(1) {
        let (store, queue) = (store.clone(), queue.clone());
        tasks.push(tokio::spawn(async move {
            loop {
                let Some((stream, mut run)) = queue.lock().await.pop() else {
                    return anyhow::Ok(());
                };
                while !run.is_empty() {
                    let rest = run.split_off(run.len().min(1_000));
                    let metadata = AppendMetadata {
                        actor: "recorder:bench".into(),
                        ..AppendMetadata::default()
                    };
                    let request_id = uuid::Uuid::new_v4().to_string();
                    store
                        .append(&stream, ExpectedVersion::Any, run, &request_id, metadata)
                        .await?;
                    run = rest;
                }
            }
        }));
    }
    for task in tasks {
        task.await??;
    }
    Ok(())
}
