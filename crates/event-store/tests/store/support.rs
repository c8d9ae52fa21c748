//! Test databases and small helpers shared by the suite.

use std::sync::Arc;

use event_store::testing::FaultHook;
use event_store::{
    AppendMetadata, BusinessTime, EventFilter, EventStore, NewEvent, StoreOptions, StoredEvent,
    TimePrecision,
};
use serde_json::json;

pub(crate) use test_support::{Backend, TestDatabase};

/// What the suite opens on a test database: the store, with default or adjusted options.
pub(crate) trait OnDatabase {
    async fn open(&self) -> EventStore;
    async fn open_with(&self, adjust: impl FnOnce(&mut StoreOptions)) -> EventStore;
}

impl OnDatabase for TestDatabase {
    async fn open(&self) -> EventStore {
        self.open_with(|_| {}).await
    }

    async fn open_with(&self, adjust: impl FnOnce(&mut StoreOptions)) -> EventStore {
        let mut options = StoreOptions::new(&self.url);
        adjust(&mut options);
        EventStore::open(options).await.unwrap()
    }
}

pub(crate) fn metadata() -> AppendMetadata {
    AppendMetadata {
        actor: "recorder:test".into(),
        correlation_id: Some("corr-1".into()),
        causation_id: None,
        trace_id: Some("4bf92f3577b34da6a3ce929d0e0e4736".into()),
        ..AppendMetadata::default()
    }
}

pub(crate) fn event(event_type: &str, payload: serde_json::Value) -> NewEvent {
    NewEvent {
        event_type: event_type.into(),
        schema_version: 1,
        payload,
        occurred: BusinessTime {
            from_us: 1_721_865_600_000_000,
            to_us: 1_721_951_999_999_999,
            precision: TimePrecision::Day,
        },
        tags: Vec::new(),
    }
}

pub(crate) fn events(n: usize, marker: &str) -> Vec<NewEvent> {
    (0..n)
        .map(|i| event("Happened", json!({ "marker": marker, "i": i })))
        .collect()
}

/// Every event of the log, read in pages.
pub(crate) async fn read_everything(store: &EventStore) -> Vec<StoredEvent> {
    let mut all = Vec::new();
    let mut from = 0;
    loop {
        let page = store
            .read_all(from, 333, &EventFilter::default())
            .await
            .unwrap();
        if page.events.is_empty() && page.next_position == from {
            return all;
        }
        from = page.next_position;
        all.extend(page.events);
    }
}

/// Checks the log's structure: dense positions, contiguous stream versions, intact leaves, and a
/// stored Merkle root equal to the root recomputed from the events' own contents.
pub(crate) async fn assert_log_is_sound(store: &EventStore) -> Vec<StoredEvent> {
    let all = read_everything(store).await;
    let positions: Vec<u64> = all.iter().map(|e| e.position).collect();
    assert_eq!(
        positions,
        (0..all.len() as u64).collect::<Vec<_>>(),
        "positions are dense"
    );
    let mut versions = std::collections::HashMap::<&str, u64>::new();
    for event in &all {
        let version = versions.entry(event.stream_id.as_str()).or_default();
        *version += 1;
        assert_eq!(
            event.stream_version, *version,
            "stream {} is contiguous",
            event.stream_id
        );
        assert_eq!(
            event.leaf_hash_recomputed().unwrap(),
            event.leaf_hash,
            "leaf {}",
            event.position
        );
    }
    let leaves: Vec<_> = all.iter().map(|e| e.leaf_hash).collect();
    let root = store.merkle_root().await.unwrap();
    assert_eq!(root.size, all.len() as u64);
    assert_eq!(
        root.root,
        ledger::root_from_leaves(&leaves),
        "stored root equals recomputation"
    );
    all
}

/// Fails every group that holds a request whose id starts with `poison-`.
pub(crate) struct PoisonHook;

impl FaultHook for PoisonHook {
    fn before_commit(&self, request_ids: &[&str]) -> Result<(), String> {
        match request_ids.iter().find(|id| id.starts_with("poison-")) {
            Some(id) => Err(format!("poisoned by {id}")),
            None => Ok(()),
        }
    }
}

pub(crate) fn poison_hook() -> Arc<dyn FaultHook> {
    Arc::new(PoisonHook)
}
