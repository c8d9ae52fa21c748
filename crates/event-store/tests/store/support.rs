//! Test databases and small helpers shared by the suite.

use std::sync::Arc;

use event_store::testing::FaultHook;
use event_store::{
    AppendMetadata, BusinessTime, EventFilter, EventStore, NewEvent, StoreOptions, StoredEvent,
    TimePrecision,
};
use serde_json::json;
use sqlx::Connection;
use tempfile::TempDir;

/// Which database a test runs on.
#[derive(Debug, Clone)]
pub(crate) enum Backend {
    Sqlite,
    /// The admin URL of a PostgreSQL server; each test creates its own database through it.
    Postgres(String),
}

impl Backend {
    /// PostgreSQL, if the suite was given a server.
    pub(crate) fn postgres() -> Option<Backend> {
        match std::env::var("MEDAID_TEST_DATABASE_URL") {
            Ok(url) if !url.is_empty() => Some(Backend::Postgres(url)),
            _ => {
                eprintln!("MEDAID_TEST_DATABASE_URL is not set: PostgreSQL case not run");
                None
            }
        }
    }
}

/// A fresh, empty database for one test.
pub(crate) struct TestDb {
    pub(crate) url: String,
    _dir: Option<TempDir>,
}

impl TestDb {
    pub(crate) async fn new(backend: &Backend) -> TestDb {
        match backend {
            Backend::Sqlite => {
                let dir = tempfile::tempdir().unwrap();
                let url = format!("sqlite:{}", dir.path().join("log.db").display());
                TestDb {
                    url,
                    _dir: Some(dir),
                }
            }
            Backend::Postgres(admin_url) => {
                let name = format!("medaid_t_{}", uuid::Uuid::new_v4().simple());
                let mut admin = sqlx::PgConnection::connect(admin_url).await.unwrap();
                sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
                    .execute(&mut admin)
                    .await
                    .unwrap();
                TestDb {
                    url: with_database(admin_url, &name),
                    _dir: None,
                }
            }
        }
    }

    /// Waits until no other session is connected to this database.
    ///
    /// A PostgreSQL server finishes a `COMMIT` it has received even when the client process was
    /// killed right after sending it, so a crashed writer's last group may land a moment after the
    /// process is gone. Only once its sessions have ended is the log final. SQLite needs no wait:
    /// its writer lives and dies with the process.
    pub(crate) async fn wait_for_other_sessions_to_end(&self) {
        if self._dir.is_some() {
            return;
        }
        let mut conn = sqlx::PgConnection::connect(&self.url).await.unwrap();
        for _ in 0..600 {
            let others: i64 = sqlx::query_scalar(
                "SELECT count(*) FROM pg_stat_activity \
                 WHERE datname = current_database() AND pid <> pg_backend_pid()",
            )
            .fetch_one(&mut conn)
            .await
            .unwrap();
            if others == 0 {
                return;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        panic!("the killed writer's database sessions did not end within 30 s");
    }

    pub(crate) async fn open(&self) -> EventStore {
        self.open_with(|_| {}).await
    }

    pub(crate) async fn open_with(&self, adjust: impl FnOnce(&mut StoreOptions)) -> EventStore {
        let mut options = StoreOptions::new(&self.url);
        adjust(&mut options);
        EventStore::open(options).await.unwrap()
    }
}

/// The same server URL with another database name.
fn with_database(url: &str, name: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((base, query)) => (base, format!("?{query}")),
        None => (url, String::new()),
    };
    let authority_start = base.find("://").map_or(0, |i| i + 3);
    let prefix = match base[authority_start..].find('/') {
        Some(slash) => &base[..authority_start + slash],
        None => base,
    };
    format!("{prefix}/{name}{query}")
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

#[test]
fn database_names_are_replaced_in_urls() {
    assert_eq!(
        with_database("postgres://postgres@127.0.0.1:5432/test", "x"),
        "postgres://postgres@127.0.0.1:5432/x"
    );
    assert_eq!(
        with_database("postgres://u@h/test?sslmode=disable", "x"),
        "postgres://u@h/x?sslmode=disable"
    );
    assert_eq!(with_database("postgres://u@h", "x"), "postgres://u@h/x");
}
