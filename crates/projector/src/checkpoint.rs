//! The bookkeeping tables: checkpoints, the active generation, and the tables each generation made.
//!
//! Every function here runs inside a transaction the caller owns, so a checkpoint always moves
//! together with the read-model rows it accounts for.

use std::time::{SystemTime, UNIX_EPOCH};

use sqlx::{AnyConnection, Row};

use crate::error::{ProjectorError, to_i64, to_u32, to_u64};
use crate::projection::table_prefix_generation;

/// One build of one version of a projection.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) struct GenKey {
    pub(crate) name: &'static str,
    pub(crate) version: u32,
    pub(crate) generation: u32,
}

impl GenKey {
    pub(crate) fn prefix(&self) -> String {
        table_prefix_generation(self.name, self.version, self.generation)
    }
}

/// A checkpoint row as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Checkpoint {
    pub(crate) key: GenKey,
    pub(crate) position: u64,
    pub(crate) state: String,
    pub(crate) error: Option<(u64, String)>,
}

/// Microseconds since the Unix epoch, for a checkpoint's `updated_at` and the status's lag.
#[expect(
    clippy::disallowed_methods,
    reason = "bookkeeping time of the projector (lag), never business time"
)]
pub(crate) fn now_us() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_micros()).unwrap_or(i64::MAX))
}

/// Every checkpoint of a projection name, all versions and generations.
pub(crate) async fn load_all(
    conn: &mut AnyConnection,
    name: &'static str,
) -> Result<Vec<Checkpoint>, ProjectorError> {
    let rows = sqlx::query(
        "SELECT version, generation, position, state, error_position, error_reason \
         FROM projection_checkpoints WHERE name = $1 ORDER BY version, generation",
    )
    .bind(name)
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|row| {
            let error = match (
                row.try_get::<Option<i64>, _>(4)?,
                row.try_get::<Option<String>, _>(5)?,
            ) {
                (Some(position), reason) => Some((
                    to_u64(position, "error_position")?,
                    reason.unwrap_or_default(),
                )),
                (None, _) => None,
            };
            Ok(Checkpoint {
                key: GenKey {
                    name,
                    version: to_u32(row.try_get(0)?, "version")?,
                    generation: to_u32(row.try_get(1)?, "generation")?,
                },
                position: to_u64(row.try_get(2)?, "position")?,
                state: row.try_get(3)?,
                error,
            })
        })
        .collect()
}

/// The generation queries read, if the projection was ever built.
pub(crate) async fn load_active(
    conn: &mut AnyConnection,
    name: &'static str,
) -> Result<Option<GenKey>, ProjectorError> {
    let row = sqlx::query("SELECT version, generation FROM projection_active WHERE name = $1")
        .bind(name)
        .fetch_optional(conn)
        .await?;
    row.map(|row| {
        Ok(GenKey {
            name,
            version: to_u32(row.try_get(0)?, "active version")?,
            generation: to_u32(row.try_get(1)?, "active generation")?,
        })
    })
    .transpose()
}

/// The next unused generation number of a version.
pub(crate) async fn next_generation(
    conn: &mut AnyConnection,
    name: &'static str,
    version: u32,
) -> Result<u32, ProjectorError> {
    let mut highest: Option<i64> = None;
    for table in [
        "projection_checkpoints",
        "projection_active",
        "projection_tables",
    ] {
        let sql = format!("SELECT MAX(generation) FROM {table} WHERE name = $1 AND version = $2");
        let max: Option<i64> = sqlx::query_scalar(sqlx::AssertSqlSafe(sql))
            .bind(name)
            .bind(i64::from(version))
            .fetch_one(&mut *conn)
            .await?;
        highest = highest.max(max);
    }
    match highest {
        None => Ok(0),
        Some(max) => to_u32(max.saturating_add(1), "next generation"),
    }
}

/// Moves a checkpoint from `from` to `to`, only if it is still at `from` and still running. False
/// means the generation was retired by a switch or failed, and the caller must roll back.
pub(crate) async fn advance(
    conn: &mut AnyConnection,
    key: GenKey,
    from: u64,
    to: u64,
) -> Result<bool, ProjectorError> {
    let done = sqlx::query(
        "UPDATE projection_checkpoints SET position = $1, updated_at_us = $2 \
         WHERE name = $3 AND version = $4 AND generation = $5 AND position = $6 \
         AND state = 'running'",
    )
    .bind(to_i64(to))
    .bind(now_us())
    .bind(key.name)
    .bind(i64::from(key.version))
    .bind(i64::from(key.generation))
    .bind(to_i64(from))
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Stops a running generation at an event it cannot apply, if its checkpoint still stands at
/// `from` (the batch's start). False if it was no longer running there: another replica moved it,
/// and the error was most likely that replica's rows, not the event.
pub(crate) async fn mark_failed(
    conn: &mut AnyConnection,
    key: GenKey,
    from: u64,
    error_position: u64,
    reason: &str,
) -> Result<bool, ProjectorError> {
    let done = sqlx::query(
        "UPDATE projection_checkpoints SET state = 'failed', error_position = $1, \
         error_reason = $2, updated_at_us = $3 \
         WHERE name = $4 AND version = $5 AND generation = $6 AND state = 'running' \
         AND position = $7",
    )
    .bind(to_i64(error_position))
    .bind(reason)
    .bind(now_us())
    .bind(key.name)
    .bind(i64::from(key.version))
    .bind(i64::from(key.generation))
    .bind(to_i64(from))
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Sets a failed generation running again from its checkpoint. False if it was not failed.
pub(crate) async fn clear_failure(
    conn: &mut AnyConnection,
    key: GenKey,
) -> Result<bool, ProjectorError> {
    let done = sqlx::query(
        "UPDATE projection_checkpoints SET state = 'running', error_position = NULL, \
         error_reason = NULL, updated_at_us = $1 \
         WHERE name = $2 AND version = $3 AND generation = $4 AND state = 'failed'",
    )
    .bind(now_us())
    .bind(key.name)
    .bind(i64::from(key.version))
    .bind(i64::from(key.generation))
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Retires the active generation for a switch and returns its position. The update takes the row's
/// lock first, so the position read is final: the old runner's next checkpoint update finds the row
/// retired and rolls its batch back instead of moving past what the switch compared.
pub(crate) async fn retire(
    conn: &mut AnyConnection,
    key: GenKey,
) -> Result<Option<u64>, ProjectorError> {
    let position: Option<i64> = sqlx::query_scalar(
        "UPDATE projection_checkpoints SET state = 'retired', updated_at_us = $1 \
         WHERE name = $2 AND version = $3 AND generation = $4 RETURNING position",
    )
    .bind(now_us())
    .bind(key.name)
    .bind(i64::from(key.version))
    .bind(i64::from(key.generation))
    .fetch_optional(conn)
    .await?;
    position.map(|p| to_u64(p, "retired position")).transpose()
}

/// Points queries at a generation.
pub(crate) async fn set_active(
    conn: &mut AnyConnection,
    key: GenKey,
) -> Result<(), ProjectorError> {
    sqlx::query(
        "INSERT INTO projection_active (name, version, generation) VALUES ($1, $2, $3) \
         ON CONFLICT (name) DO UPDATE SET version = excluded.version, \
         generation = excluded.generation",
    )
    .bind(key.name)
    .bind(i64::from(key.version))
    .bind(i64::from(key.generation))
    .execute(conn)
    .await?;
    Ok(())
}

/// Inserts a new generation's checkpoint at position 0.
pub(crate) async fn insert(conn: &mut AnyConnection, key: GenKey) -> Result<(), ProjectorError> {
    sqlx::query(
        "INSERT INTO projection_checkpoints \
         (name, version, generation, position, state, updated_at_us) \
         VALUES ($1, $2, $3, 0, 'running', $4)",
    )
    .bind(key.name)
    .bind(i64::from(key.version))
    .bind(i64::from(key.generation))
    .bind(now_us())
    .execute(conn)
    .await?;
    Ok(())
}

/// Removes a generation's checkpoint.
pub(crate) async fn delete(conn: &mut AnyConnection, key: GenKey) -> Result<(), ProjectorError> {
    sqlx::query(
        "DELETE FROM projection_checkpoints WHERE name = $1 AND version = $2 AND generation = $3",
    )
    .bind(key.name)
    .bind(i64::from(key.version))
    .bind(i64::from(key.generation))
    .execute(conn)
    .await?;
    Ok(())
}

/// Locks a running generation's checkpoint row for a batch and tells whether it still stands at
/// `from` (PostgreSQL only). Taken before anything is applied, it serializes batches of one
/// generation across processes: a runner that lost its leadership but did not notice yet waits here
/// for the new leader's batch, then finds the checkpoint moved and applies nothing.
pub(crate) async fn claim(
    conn: &mut AnyConnection,
    key: GenKey,
    from: u64,
) -> Result<bool, ProjectorError> {
    let row = sqlx::query(
        "SELECT position, state FROM projection_checkpoints \
         WHERE name = $1 AND version = $2 AND generation = $3 FOR UPDATE",
    )
    .bind(key.name)
    .bind(i64::from(key.version))
    .bind(i64::from(key.generation))
    .fetch_optional(conn)
    .await?;
    let Some(row) = row else {
        return Ok(false);
    };
    let position = to_u64(row.try_get(0)?, "position")?;
    let state: String = row.try_get(1)?;
    Ok(position == from && state == "running")
}

/// The active generation and its checkpoint of every projection, as stored: what a replica that
/// does not run the projections shows its queries.
pub(crate) async fn load_active_positions(
    conn: &mut AnyConnection,
) -> Result<Vec<(String, u32, u32, u64)>, ProjectorError> {
    let rows = sqlx::query(
        "SELECT a.name, a.version, a.generation, c.position \
         FROM projection_active a JOIN projection_checkpoints c \
         ON c.name = a.name AND c.version = a.version AND c.generation = a.generation",
    )
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|row| {
            Ok((
                row.try_get(0)?,
                to_u32(row.try_get(1)?, "active version")?,
                to_u32(row.try_get(2)?, "active generation")?,
                to_u64(row.try_get(3)?, "active position")?,
            ))
        })
        .collect()
}
