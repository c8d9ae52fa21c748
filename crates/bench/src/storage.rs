//! What a log costs on disk on PostgreSQL: `pg_total_relation_size` (heap, TOAST and every index)
//! of each log table after a realistic log was written, and the bytes per event.

use sqlx::{Connection, PgConnection};

/// The log's tables: the events (with their leaf hashes), the Merkle tree's stored nodes, the
/// request records that make appends idempotent, and the head row.
const LOG_TABLES: [&str; 4] = ["events", "merkle_nodes", "append_requests", "log_head"];

/// A table of each log table's total size and its bytes per event, after a `VACUUM ANALYZE` so
/// that the figure is the steady state rather than freshly written pages.
pub(crate) async fn report(url: &str, events: u64) -> anyhow::Result<String> {
    let mut conn = PgConnection::connect(url).await?;
    sqlx::query("VACUUM ANALYZE").execute(&mut conn).await?;
    let mut lines = vec![
        "| table | total size (heap + TOAST + indexes) | bytes per event |\n|---|---|---|"
            .to_owned(),
    ];
    let mut sum = 0i64;
    for table in LOG_TABLES {
        let bytes: i64 = sqlx::query_scalar("SELECT pg_total_relation_size($1::regclass)")
            .bind(table)
            .fetch_one(&mut conn)
            .await?;
        sum += bytes;
        lines.push(format!(
            "| {table} | {} | {:.0} |",
            mib(bytes),
            bytes as f64 / events.max(1) as f64
        ));
    }
    lines.push(format!(
        "| **log total** ({events} events) | {} | **{:.0}** |",
        mib(sum),
        sum as f64 / events.max(1) as f64
    ));
    let indexes: Vec<(String, i64)> = sqlx::query_as(
        "SELECT indexrelname::text, pg_relation_size(indexrelid) FROM pg_stat_user_indexes \
         WHERE relname = ANY($1) ORDER BY 2 DESC",
    )
    .bind(LOG_TABLES.map(str::to_owned).to_vec())
    .fetch_all(&mut conn)
    .await?;
    lines.push(String::new());
    lines.push("| index | size | bytes per event |\n|---|---|---|".to_owned());
    for (name, bytes) in indexes {
        lines.push(format!(
            "| {name} | {} | {:.0} |",
            mib(bytes),
            bytes as f64 / events.max(1) as f64
        ));
    }
    conn.close().await?;
    Ok(lines.join("\n"))
}

fn mib(bytes: i64) -> String {
    format!("{:.1} MiB", bytes as f64 / (1024.0 * 1024.0))
}
