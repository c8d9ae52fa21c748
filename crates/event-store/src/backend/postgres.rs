//! The PostgreSQL backend.
//!
//! Writers serialize on a row lock of the one-row `log_head` table, taken by the first statement of
//! every write transaction. Whoever holds it assigns the next positions and commits before the next
//! writer can read the head, so positions become visible in order and a reader can never skip one.
//! Rows go in with one `INSERT … SELECT FROM UNNEST(…)` per table, whatever the group's size.
//! Each commit sends `NOTIFY medaid_log` with the new head, which wakes subscribers in other
//! processes.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use ledger::Frontier;
use sqlx::postgres::{PgListener, PgPoolOptions};
use sqlx::{PgPool, Postgres, Transaction};
use tokio::sync::watch;
use tokio::task::JoinHandle;

use super::WriteTx;
use super::queries::{find_requests, load_frontier, stream_versions};
use super::rows::{from_db, to_db};
use super::tags::{ConditionProbe, condition_conflicts};
use crate::error::StoreError;
use crate::model::{LogHead, category_of};
use crate::plan::{GroupPlan, RequestRecord};

/// The channel that carries the new head size after each commit.
pub(crate) const NOTIFY_CHANNEL: &str = "medaid_log";

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("../../migrations/postgres");

/// Connects a pool and brings the schema up to date.
pub(crate) async fn connect(
    url: &str,
    max_connections: u32,
    acquire_timeout: Duration,
) -> Result<PgPool, StoreError> {
    let pool = PgPoolOptions::new()
        .max_connections(max_connections)
        .acquire_timeout(acquire_timeout)
        .connect(url)
        .await?;
    MIGRATOR.run(&pool).await?;
    Ok(pool)
}

/// Listens for commits made by any process and moves `head` forward; reconnects after failures.
///
/// A missed notification costs only latency: subscribers also poll.
pub(crate) fn spawn_listener(pool: PgPool, head: Arc<watch::Sender<u64>>) -> JoinHandle<()> {
    tokio::spawn(async move {
        loop {
            match listen(&pool, &head).await {
                Ok(()) => return,
                Err(error) => {
                    tracing::warn!(%error, "log notification listener failed; retrying");
                    tokio::time::sleep(Duration::from_secs(1)).await;
                }
            }
        }
    })
}

async fn listen(pool: &PgPool, head: &watch::Sender<u64>) -> Result<(), sqlx::Error> {
    let mut listener = PgListener::connect_with(pool).await?;
    listener.listen(NOTIFY_CHANNEL).await?;
    loop {
        let notification = listener.recv().await?;
        if let Ok(size) = notification.payload().parse::<u64>() {
            head.send_if_modified(|current| {
                let moved = size > *current;
                *current = (*current).max(size);
                moved
            });
        }
    }
}

/// A write transaction on PostgreSQL.
pub(crate) struct PgWriteTx {
    tx: Transaction<'static, Postgres>,
}

impl PgWriteTx {
    pub(crate) async fn begin(pool: &PgPool) -> Result<PgWriteTx, StoreError> {
        Ok(PgWriteTx {
            tx: pool.begin().await?,
        })
    }
}

impl WriteTx for PgWriteTx {
    async fn lock_head(&mut self) -> Result<LogHead, StoreError> {
        let (size, last): (i64, i64) = sqlx::query_as(
            "SELECT size, last_recorded_at_us FROM log_head WHERE id = 1 FOR UPDATE",
        )
        .fetch_one(&mut *self.tx)
        .await?;
        Ok(LogHead {
            size: from_db(size)?,
            last_recorded_at_us: last,
        })
    }

    async fn load_frontier(&mut self, size: u64) -> Result<Frontier, StoreError> {
        load_frontier!(&mut *self.tx, size).await
    }

    async fn find_requests(
        &mut self,
        ids: &[&str],
    ) -> Result<HashMap<String, RequestRecord>, StoreError> {
        find_requests!(&mut *self.tx, ids).await
    }

    async fn stream_versions(
        &mut self,
        streams: &[&str],
    ) -> Result<HashMap<String, u64>, StoreError> {
        stream_versions!(self.tx, streams).await
    }

    async fn condition_conflicts(
        &mut self,
        probes: &[ConditionProbe<'_>],
    ) -> Result<HashMap<(usize, usize), u64>, StoreError> {
        condition_conflicts!(self.tx, probes).await
    }

    async fn write(&mut self, plan: &GroupPlan<'_>) -> Result<(), StoreError> {
        insert_events(&mut self.tx, plan).await?;
        insert_tags(&mut self.tx, plan).await?;
        insert_nodes(&mut self.tx, plan).await?;
        insert_requests(&mut self.tx, plan).await?;
        sqlx::query("UPDATE log_head SET size = $1, last_recorded_at_us = $2 WHERE id = 1")
            .bind(to_db(plan.head.size)?)
            .bind(plan.head.last_recorded_at_us)
            .execute(&mut *self.tx)
            .await?;
        sqlx::query("SELECT pg_notify($1, $2)")
            .bind(NOTIFY_CHANNEL)
            .bind(plan.head.size.to_string())
            .execute(&mut *self.tx)
            .await?;
        Ok(())
    }

    async fn commit(self) -> Result<(), StoreError> {
        Ok(self.tx.commit().await?)
    }
}

async fn insert_events(
    tx: &mut Transaction<'static, Postgres>,
    plan: &GroupPlan<'_>,
) -> Result<(), StoreError> {
    let rows = &plan.rows;
    let mut positions = Vec::with_capacity(rows.len());
    let mut versions = Vec::with_capacity(rows.len());
    for row in rows {
        positions.push(to_db(row.position)?);
        versions.push(to_db(row.stream_version)?);
    }
    let schema_versions: Vec<i32> = rows
        .iter()
        .map(|r| i32::try_from(r.event.schema_version).unwrap_or(i32::MAX))
        .collect();
    sqlx::query(
        "INSERT INTO events (position, stream_id, category, stream_version, event_id, event_type, \
         schema_version, payload, metadata, occurred_from_us, occurred_to_us, time_precision, \
         recorded_at_us, request_id, leaf_hash) \
         SELECT * FROM UNNEST($1::bigint[], $2::text[], $3::text[], $4::bigint[], $5::uuid[], \
         $6::text[], $7::integer[], $8::text[], $9::text[], $10::bigint[], $11::bigint[], \
         $12::integer[], $13::bigint[], $14::text[], $15::bytea[])",
    )
    .bind(positions)
    .bind(rows.iter().map(|r| r.stream_id).collect::<Vec<_>>())
    .bind(
        rows.iter()
            .map(|r| category_of(r.stream_id))
            .collect::<Vec<_>>(),
    )
    .bind(versions)
    .bind(rows.iter().map(|r| r.event.event_id).collect::<Vec<_>>())
    .bind(
        rows.iter()
            .map(|r| r.event.event_type.as_str())
            .collect::<Vec<_>>(),
    )
    .bind(schema_versions)
    .bind(
        rows.iter()
            .map(|r| r.event.payload_json.as_str())
            .collect::<Vec<_>>(),
    )
    .bind(rows.iter().map(|r| r.metadata_json).collect::<Vec<_>>())
    .bind(
        rows.iter()
            .map(|r| r.event.occurred.from_us)
            .collect::<Vec<_>>(),
    )
    .bind(
        rows.iter()
            .map(|r| r.event.occurred.to_us)
            .collect::<Vec<_>>(),
    )
    .bind(
        rows.iter()
            .map(|r| i32::from(r.event.occurred.precision.code()))
            .collect::<Vec<_>>(),
    )
    .bind(rows.iter().map(|r| r.recorded_at_us).collect::<Vec<_>>())
    .bind(rows.iter().map(|r| r.request_id).collect::<Vec<_>>())
    .bind(
        rows.iter()
            .map(|r| r.leaf_hash.as_bytes().to_vec())
            .collect::<Vec<_>>(),
    )
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// One statement for every tag of the group's events; none when no event carries a tag.
async fn insert_tags(
    tx: &mut Transaction<'static, Postgres>,
    plan: &GroupPlan<'_>,
) -> Result<(), StoreError> {
    let mut tags = Vec::new();
    let mut positions = Vec::new();
    for row in &plan.rows {
        for tag in &row.event.tags {
            tags.push(tag.as_str());
            positions.push(to_db(row.position)?);
        }
    }
    if tags.is_empty() {
        return Ok(());
    }
    sqlx::query(
        "INSERT INTO event_tags (tag, position) SELECT * FROM UNNEST($1::text[], $2::bigint[])",
    )
    .bind(tags)
    .bind(positions)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

async fn insert_nodes(
    tx: &mut Transaction<'static, Postgres>,
    plan: &GroupPlan<'_>,
) -> Result<(), StoreError> {
    if plan.nodes.is_empty() {
        return Ok(());
    }
    let mut indexes = Vec::with_capacity(plan.nodes.len());
    for node in &plan.nodes {
        indexes.push(to_db(node.index)?);
    }
    sqlx::query(
        "INSERT INTO merkle_nodes (level, idx, hash) \
         SELECT * FROM UNNEST($1::integer[], $2::bigint[], $3::bytea[])",
    )
    .bind(
        plan.nodes
            .iter()
            .map(|n| i32::from(n.level))
            .collect::<Vec<_>>(),
    )
    .bind(indexes)
    .bind(
        plan.nodes
            .iter()
            .map(|n| n.hash.as_bytes().to_vec())
            .collect::<Vec<_>>(),
    )
    .execute(&mut **tx)
    .await?;
    Ok(())
}

async fn insert_requests(
    tx: &mut Transaction<'static, Postgres>,
    plan: &GroupPlan<'_>,
) -> Result<(), StoreError> {
    let requests = &plan.new_requests;
    let mut firsts = Vec::with_capacity(requests.len());
    let mut versions = Vec::with_capacity(requests.len());
    for request in requests {
        firsts.push(to_db(request.result.first_position)?);
        versions.push(to_db(request.result.stream_version)?);
    }
    sqlx::query(
        "INSERT INTO append_requests (request_id, content_hash, stream_id, first_position, \
         event_count, stream_version, recorded_at_us) \
         SELECT * FROM UNNEST($1::text[], $2::bytea[], $3::text[], $4::bigint[], $5::integer[], \
         $6::bigint[], $7::bigint[])",
    )
    .bind(
        requests
            .iter()
            .map(|r| r.request_id.as_str())
            .collect::<Vec<_>>(),
    )
    .bind(
        requests
            .iter()
            .map(|r| r.content_hash.to_vec())
            .collect::<Vec<_>>(),
    )
    .bind(
        requests
            .iter()
            .map(|r| r.stream_id.as_str())
            .collect::<Vec<_>>(),
    )
    .bind(firsts)
    .bind(
        requests
            .iter()
            .map(|r| i32::try_from(r.result.event_count).unwrap_or(i32::MAX))
            .collect::<Vec<_>>(),
    )
    .bind(versions)
    .bind(
        requests
            .iter()
            .map(|r| r.result.recorded_at_us)
            .collect::<Vec<_>>(),
    )
    .execute(&mut **tx)
    .await?;
    Ok(())
}
