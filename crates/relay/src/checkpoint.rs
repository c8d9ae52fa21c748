//! The relay's checkpoint row, in the store's own database.

use std::time::{SystemTime, UNIX_EPOCH};

use sqlx::AnyPool;

/// The next position to publish to `stream`, 0 when the relay never ran for it.
pub(crate) async fn load(pool: &AnyPool, stream: &str) -> Result<u64, sqlx::Error> {
    let position: Option<i64> =
        sqlx::query_scalar("SELECT position FROM relay_checkpoints WHERE stream = $1")
            .bind(stream)
            .fetch_optional(pool)
            .await?;
    // The column's CHECK keeps it non-negative.
    Ok(position.map_or(0, |p| u64::try_from(p).unwrap_or(0)))
}

/// Records that every event before `position` is acknowledged by `stream`. Never moves back.
pub(crate) async fn save(pool: &AnyPool, stream: &str, position: u64) -> Result<(), sqlx::Error> {
    #[expect(
        clippy::disallowed_methods,
        reason = "when the relay last moved, for operators: bookkeeping, not a business or record time"
    )]
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_micros()).unwrap_or(i64::MAX));
    sqlx::query(
        "INSERT INTO relay_checkpoints (stream, position, updated_at_us) VALUES ($1, $2, $3) \
         ON CONFLICT (stream) DO UPDATE SET position = excluded.position, \
         updated_at_us = excluded.updated_at_us \
         WHERE relay_checkpoints.position < excluded.position",
    )
    .bind(stream)
    .bind(i64::try_from(position).unwrap_or(i64::MAX))
    .bind(now)
    .execute(pool)
    .await?;
    Ok(())
}
