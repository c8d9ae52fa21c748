//! The physical limit: plain PostgreSQL inserts of the same rows, one transaction per append, with
//! no ordering, no version check, no idempotency and no hashing.

use sqlx::{Connection, PgConnection, PgPool};

use crate::Workload;
use crate::stats::{Report, drive_clients};
use crate::store::payload;

/// A database created for one run and dropped after it.
pub(crate) struct ScratchDatabase {
    server_url: String,
    name: String,
    pub(crate) url: String,
}

impl ScratchDatabase {
    pub(crate) async fn create(server_url: &str) -> anyhow::Result<ScratchDatabase> {
        let name = format!("medaid_bench_{}", uuid::Uuid::new_v4().simple());
        let mut admin = PgConnection::connect(server_url).await?;
        sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
            .execute(&mut admin)
            .await?;
        let base = server_url.split('?').next().unwrap_or(server_url);
        let prefix = base.rsplit_once('/').map_or(base, |(prefix, _)| prefix);
        Ok(ScratchDatabase {
            server_url: server_url.to_owned(),
            url: format!("{prefix}/{name}"),
            name,
        })
    }

    pub(crate) async fn drop_it(self) -> anyhow::Result<()> {
        let mut admin = PgConnection::connect(&self.server_url).await?;
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "DROP DATABASE IF EXISTS {} WITH (FORCE)",
            self.name
        )))
        .execute(&mut admin)
        .await?;
        Ok(())
    }
}

const TABLE: &str = "CREATE TABLE plain_events (
    id bigserial PRIMARY KEY, stream_id text NOT NULL, category text NOT NULL,
    stream_version bigint NOT NULL, event_id uuid NOT NULL, event_type text NOT NULL,
    schema_version integer NOT NULL, payload text NOT NULL, metadata text NOT NULL,
    occurred_from_us bigint NOT NULL, occurred_to_us bigint NOT NULL, time_precision integer NOT NULL,
    recorded_at_us bigint NOT NULL, request_id text NOT NULL, leaf_hash bytea NOT NULL)";

pub(crate) async fn run(server_url: &str, workload: Workload) -> anyhow::Result<Report> {
    let database = ScratchDatabase::create(server_url).await?;
    let pool = sqlx::postgres::PgPoolOptions::new()
        .max_connections(u32::try_from(workload.clients)?)
        .connect(&database.url)
        .await?;
    sqlx::query(TABLE).execute(&pool).await?;
    let report = insert_all(&pool, workload).await;
    pool.close().await;
    database.drop_it().await?;
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
                .bind(format!("batch-{client}"))
                .bind(i64::try_from(append * workload.batch + i)?)
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
