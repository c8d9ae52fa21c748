//! The physical limit: plain PostgreSQL inserts of the same rows, one transaction per append, with
//! no ordering, no version check, no idempotency and no hashing.

use sqlx::PgPool;

use crate::Workload;
use crate::scratch::ScratchDatabase;
use crate::stats::{Report, drive_clients};
use crate::store::payload;

const TABLE: &str = "CREATE TABLE plain_events (
    id bigserial PRIMARY KEY, stream_id text NOT NULL, category text NOT NULL,
    stream_version bigint NOT NULL, event_id uuid NOT NULL, event_type text NOT NULL,
    schema_version integer NOT NULL, payload text NOT NULL, metadata text NOT NULL,
    occurred_from_us bigint NOT NULL, occurred_to_us bigint NOT NULL, time_precision integer NOT NULL,
    recorded_at_us bigint NOT NULL, request_id text NOT NULL, leaf_hash bytea NOT NULL)";

pub(crate) async fn run(server_url: &str, workload: Workload) -> anyhow::Result<Report> {
    let database = ScratchDatabase::create(server_url).await?;
    // The database is dropped whether or not the run succeeded.
    let report = run_in(&database.url, workload).await;
    database.drop_it().await?;
    report
}

async fn run_in(url: &str, workload: Workload) -> anyhow::Result<Report> {
    let pool = sqlx::postgres::PgPoolOptions::new()
        .max_connections(u32::try_from(workload.clients)?)
        .connect(url)
        .await?;
    sqlx::query(TABLE).execute(&pool).await?;
    let report = insert_all(&pool, workload).await;
    pool.close().await;
    report
}

async fn insert_all(pool: &PgPool, workload: Workload) -> anyhow::Result<Report> {
    let clients = pool.clone();
    let (elapsed, latencies) = drive_clients(workload, move |client, append| {
        let pool = clients.clone();
        async move {
            let mut tx = pool.begin().await?;
            for i in 0..workload.batch {
                let payload = serde_json::to_string(&payload(client, append, i))?;
                sqlx::query(
                    "INSERT INTO plain_events (stream_id, category, stream_version, event_id, \
                     event_type, schema_version, payload, metadata, occurred_from_us, \
                     occurred_to_us, time_precision, recorded_at_us, request_id, leaf_hash) \
                     VALUES ($1, 'batch', $2, $3, 'MemberAssigned', 1, $4, '{}', 0, 0, 0, 0, $5, $6)",
                )
                .bind(workload.stream(client, append))
                .bind(i64::try_from(workload.stream_version(append, i))?)
                .bind(uuid::Uuid::now_v7())
                .bind(payload)
                .bind(format!("bench-{client}-{append}"))
                .bind(vec![0u8; 32])
                .execute(&mut *tx)
                .await?;
            }
            tx.commit().await?;
            Ok(())
        }
    })
    .await?;
    let written: i64 = sqlx::query_scalar("SELECT count(*) FROM plain_events")
        .fetch_one(pool)
        .await?;
    Ok(Report::new(usize::try_from(written)?, elapsed, latencies))
}
