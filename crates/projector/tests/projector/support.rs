//! Test databases, a small counting projection, and helpers to compare its tables with the log.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use event_store::{
    AppendMetadata, BusinessTime, EventFilter, EventStore, ExpectedVersion, NewEvent, StoreOptions,
    TimePrecision,
};
use projector::{Projection, Projector, ProjectorOptions};
use serde_json::json;
use sqlx::{AnyConnection, AnyPool, Row};

pub(crate) use test_support::{Backend, TestDatabase, backends};

/// What the suite wires on a test database: a store, a projector over it, a plain pool.
pub(crate) trait OnDatabase {
    async fn store(&self) -> EventStore;
    async fn projector(
        &self,
        store: &EventStore,
        projections: Vec<Arc<dyn Projection>>,
        batch_size: usize,
    ) -> Projector;
    /// A plain pool on the database, to look at tables independently of a projector.
    async fn pool(&self) -> AnyPool;
}

impl OnDatabase for TestDatabase {
    async fn store(&self) -> EventStore {
        let mut options = StoreOptions::new(&self.url);
        options.poll_interval = Duration::from_millis(50);
        EventStore::open(options).await.unwrap()
    }

    async fn projector(
        &self,
        store: &EventStore,
        projections: Vec<Arc<dyn Projection>>,
        batch_size: usize,
    ) -> Projector {
        let options = ProjectorOptions {
            batch_size,
            idle_checkpoint_interval: Duration::from_millis(20),
            ..ProjectorOptions::default()
        };
        Projector::start_with(store.clone(), &self.url, projections, options)
            .await
            .unwrap()
    }

    async fn pool(&self) -> AnyPool {
        sqlx::any::install_default_drivers();
        AnyPool::connect(&self.url).await.unwrap()
    }
}

/// Appends `n` events to a stream, each with a marker in its payload.
pub(crate) async fn append(store: &EventStore, stream: &str, n: usize, marker: &str) -> u64 {
    let events = (0..n)
        .map(|i| NewEvent {
            event_type: "Happened".into(),
            schema_version: 1,
            payload: json!({ "marker": marker, "i": i }),
            occurred: BusinessTime {
                from_us: 1_721_865_600_000_000,
                to_us: 1_721_865_600_000_000,
                precision: TimePrecision::Day,
            },
            tags: Vec::new(),
        })
        .collect();
    let metadata = AppendMetadata {
        actor: "recorder:test".into(),
        ..AppendMetadata::default()
    };
    let request = uuid::Uuid::new_v4().to_string();
    store
        .append(stream, ExpectedVersion::Any, events, &request, metadata)
        .await
        .unwrap()
        .positions()
        .end
}

/// What a counter's tables hold: counts per category and the applied positions, sorted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Tables {
    pub(crate) counts: BTreeMap<String, i64>,
    pub(crate) applied: Vec<u64>,
}

pub(crate) async fn tables(pool: &AnyPool, prefix: &str) -> Tables {
    tables_in(&mut pool.acquire().await.unwrap(), prefix).await
}

pub(crate) async fn tables_in(conn: &mut AnyConnection, prefix: &str) -> Tables {
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT category, n FROM {prefix}counts"
    )))
    .fetch_all(&mut *conn)
    .await
    .unwrap();
    let counts = rows
        .iter()
        .map(|r| (r.get::<String, _>(0), r.get::<i64, _>(1)))
        .collect();
    let applied: Vec<i64> = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
        "SELECT position FROM {prefix}applied ORDER BY position"
    )))
    .fetch_all(&mut *conn)
    .await
    .unwrap();
    Tables {
        counts,
        applied: applied
            .into_iter()
            .map(|p| u64::try_from(p).unwrap())
            .collect(),
    }
}

/// What a counter should hold after applying the log's events before `end` that pass `categories`.
pub(crate) async fn expected(store: &EventStore, categories: &[&str], end: u64) -> Tables {
    let mut counts = BTreeMap::new();
    let mut applied = Vec::new();
    let mut from = 0;
    while from < end {
        let page = store
            .read_all(from, 1000, &EventFilter::default())
            .await
            .unwrap();
        for event in page.events.iter().filter(|e| e.position < end) {
            if categories.is_empty() || categories.contains(&event.category()) {
                *counts.entry(event.category().to_owned()).or_insert(0) += 1;
                applied.push(event.position);
            }
        }
        if page.next_position == from {
            break;
        }
        from = page.next_position;
    }
    Tables { counts, applied }
}

/// Whether a table exists, from the database's own catalog.
pub(crate) async fn table_exists(pool: &AnyPool, table: &str) -> bool {
    let sql = if pool.connect_options().database_url.scheme() == "sqlite" {
        "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = $1"
    } else {
        "SELECT COUNT(*) FROM pg_tables WHERE tablename = $1"
    };
    let n: i64 = sqlx::query_scalar(sql)
        .bind(table)
        .fetch_one(pool)
        .await
        .unwrap();
    n > 0
}

/// Polls a condition every 10 ms for up to 20 s.
pub(crate) async fn eventually<F, Fut>(what: &str, mut check: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    while !check().await {
        assert!(tokio::time::Instant::now() < deadline, "timed out: {what}");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

/// A deadline some seconds from now.
pub(crate) fn within(seconds: u64) -> tokio::time::Instant {
    tokio::time::Instant::now() + Duration::from_secs(seconds)
}
