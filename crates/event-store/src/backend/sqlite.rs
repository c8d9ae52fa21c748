//! The SQLite backend: the embedded default, one file in the data directory.
//!
//! The writer owns one connection and opens every group with `BEGIN IMMEDIATE`, which takes SQLite's
//! write lock before the head is read, so positions are assigned by exactly one writer at a time.
//! The database runs in WAL mode with `synchronous = FULL`: a commit the store has acknowledged is on
//! disk, and readers on the pool never block the writer.

use std::collections::HashMap;
use std::str::FromStr;
use std::time::Duration;

use ledger::Frontier;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{Connection, Sqlite, SqliteConnection, SqlitePool, Transaction};

use super::WriteTx;
use super::queries::{find_requests, load_frontier, read_head, stream_versions};
use super::rows::to_db;
use super::tags::{ConditionProbe, condition_conflicts};
use crate::error::StoreError;
use crate::model::{LogHead, category_of};
use crate::plan::{GroupPlan, RequestRecord};

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("../../migrations/sqlite");

fn options(url: &str) -> Result<SqliteConnectOptions, StoreError> {
    Ok(SqliteConnectOptions::from_str(url)?
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Full)
        .busy_timeout(Duration::from_secs(10))
        .foreign_keys(true))
}

/// Opens the writer's connection (running migrations on it) and the readers' pool.
pub(crate) async fn connect(
    url: &str,
    max_readers: u32,
) -> Result<(SqliteConnection, SqlitePool), StoreError> {
    let options = options(url)?;
    let mut writer = SqliteConnection::connect_with(&options).await?;
    MIGRATOR.run(&mut writer).await?;
    let readers = SqlitePoolOptions::new()
        .max_connections(max_readers)
        .connect_with(options.read_only(true))
        .await?;
    Ok((writer, readers))
}

/// The connection personal data keys are written and destroyed on (`crate::keys`): one writable
/// connection with `secure_delete` on, so that a deleted key's bytes are overwritten in the file.
pub(crate) async fn connect_keys(url: &str) -> Result<SqlitePool, StoreError> {
    Ok(SqlitePoolOptions::new()
        .max_connections(1)
        .connect_with(options(url)?.pragma("secure_delete", "on"))
        .await?)
}

/// A write transaction on SQLite.
pub(crate) struct SqliteWriteTx<'c> {
    tx: Transaction<'c, Sqlite>,
}

impl<'c> SqliteWriteTx<'c> {
    pub(crate) async fn begin(
        connection: &'c mut SqliteConnection,
    ) -> Result<SqliteWriteTx<'c>, StoreError> {
        Ok(SqliteWriteTx {
            tx: connection.begin_with("BEGIN IMMEDIATE").await?,
        })
    }
}

impl WriteTx for SqliteWriteTx<'_> {
    async fn lock_head(&mut self) -> Result<LogHead, StoreError> {
        // BEGIN IMMEDIATE already holds the write lock.
        read_head!(&mut *self.tx).await
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
        // SQLite runs in-process, so one prepared statement per row costs microseconds.
        for row in &plan.rows {
            sqlx::query(
                "INSERT INTO events (position, stream_id, category, stream_version, event_id, \
                 event_type, schema_version, payload, metadata, occurred_from_us, occurred_to_us, \
                 time_precision, recorded_at_us, request_id, leaf_hash) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)",
            )
            .bind(to_db(row.position)?)
            .bind(row.stream_id)
            .bind(category_of(row.stream_id))
            .bind(to_db(row.stream_version)?)
            .bind(row.event.event_id)
            .bind(row.event.event_type.as_str())
            .bind(i64::from(row.event.schema_version))
            .bind(row.event.payload_json.as_str())
            .bind(row.metadata_json)
            .bind(row.event.occurred.from_us)
            .bind(row.event.occurred.to_us)
            .bind(i32::from(row.event.occurred.precision.code()))
            .bind(row.recorded_at_us)
            .bind(row.request_id)
            .bind(row.leaf_hash.as_bytes().as_slice())
            .execute(&mut *self.tx)
            .await?;
        }
        for row in &plan.rows {
            for tag in &row.event.tags {
                sqlx::query("INSERT INTO event_tags (tag, position) VALUES ($1, $2)")
                    .bind(tag.as_str())
                    .bind(to_db(row.position)?)
                    .execute(&mut *self.tx)
                    .await?;
            }
        }
        for node in &plan.nodes {
            sqlx::query("INSERT INTO merkle_nodes (level, idx, hash) VALUES ($1, $2, $3)")
                .bind(i32::from(node.level))
                .bind(to_db(node.index)?)
                .bind(node.hash.as_bytes().as_slice())
                .execute(&mut *self.tx)
                .await?;
        }
        for request in &plan.new_requests {
            sqlx::query(
                "INSERT INTO append_requests (request_id, content_hash, stream_id, first_position, \
                 event_count, stream_version, recorded_at_us) VALUES ($1, $2, $3, $4, $5, $6, $7)",
            )
            .bind(request.request_id.as_str())
            .bind(request.content_hash.as_slice())
            .bind(request.stream_id.as_str())
            .bind(to_db(request.result.first_position)?)
            .bind(i64::from(request.result.event_count))
            .bind(to_db(request.result.stream_version)?)
            .bind(request.result.recorded_at_us)
            .execute(&mut *self.tx)
            .await?;
        }
        sqlx::query("UPDATE log_head SET size = $1, last_recorded_at_us = $2 WHERE id = 1")
            .bind(to_db(plan.head.size)?)
            .bind(plan.head.last_recorded_at_us)
            .execute(&mut *self.tx)
            .await?;
        Ok(())
    }

    async fn commit(self) -> Result<(), StoreError> {
        Ok(self.tx.commit().await?)
    }
}
