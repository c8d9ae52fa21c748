//! Personal data keys: one secret per subject (a practitioner's stream id), kept in
//! `personal_data_keys`, outside the log and outside the Merkle tree.
//!
//! The store knows no domain: a key is 32 opaque bytes the caller drew, and a subject an opaque
//! string. What is sealed under a key, and when to destroy it, is `app`'s decision. Destroying a key
//! deletes its row so that the database no longer holds it: on SQLite the key connection runs with
//! `secure_delete` (freed cells are overwritten with zeros) and truncates the WAL after the delete,
//! so neither the database file nor its WAL keeps the bytes; on PostgreSQL the row is gone from
//! every later snapshot, so no later `pg_dump` holds it.

use std::collections::HashMap;

use sqlx::{PgPool, SqlitePool};

use crate::backend::on_pool;
use crate::error::StoreError;
use crate::store::EventStore;
use crate::writer::now_us;

/// The bytes of one key.
pub const KEY_BYTES: usize = 32;

/// Where keys are written: the PostgreSQL pool, or SQLite's own key connection (the readers' pool
/// is read-only and the writer's connection belongs to the writer task).
#[derive(Debug, Clone)]
pub(crate) enum KeyPool {
    Postgres(PgPool),
    Sqlite(SqlitePool),
}

fn decode(subject: &str, hex_key: &str) -> Result<[u8; KEY_BYTES], StoreError> {
    let corrupt = || StoreError::Corrupt(format!("the key of {subject} is not 32 bytes of hex"));
    hex::decode(hex_key)
        .map_err(|_| corrupt())?
        .try_into()
        .map_err(|_| corrupt())
}

impl EventStore {
    /// The key of `subject`: the one stored, or `candidate` after storing it when there was none.
    /// Two callers racing for one subject get the same key (the first insert wins).
    pub async fn subject_key_or_insert(
        &self,
        subject: &str,
        candidate: [u8; KEY_BYTES],
    ) -> Result<[u8; KEY_BYTES], StoreError> {
        let insert = "INSERT INTO personal_data_keys (subject, key_hex, created_at_us) \
                      VALUES ($1, $2, $3) ON CONFLICT (subject) DO NOTHING";
        let select = "SELECT key_hex FROM personal_data_keys WHERE subject = $1";
        let candidate = hex::encode(candidate);
        let stored: String = on_pool!(KeyPool: self.keys(), pool => {
            sqlx::query(insert)
                .bind(subject)
                .bind(&candidate)
                .bind(now_us())
                .execute(pool)
                .await?;
            sqlx::query_scalar(select)
                .bind(subject)
                .fetch_one(pool)
                .await?
        });
        decode(subject, &stored)
    }

    /// The stored keys of `subjects`; a subject without a key (never given one, or destroyed) is
    /// absent from the answer.
    pub async fn subject_keys(
        &self,
        subjects: &[&str],
    ) -> Result<HashMap<String, [u8; KEY_BYTES]>, StoreError> {
        let mut found = HashMap::new();
        // One probe per subject: lists ask for a page of subjects at most.
        for subject in subjects {
            let select = "SELECT key_hex FROM personal_data_keys WHERE subject = $1";
            let stored: Option<String> = on_pool!(KeyPool: self.keys(), pool => {
                sqlx::query_scalar(select)
                    .bind(subject)
                    .fetch_optional(pool)
                    .await?
            });
            if let Some(stored) = stored {
                found.insert((*subject).to_owned(), decode(subject, &stored)?);
            }
        }
        Ok(found)
    }

    /// Destroys the key of `subject`, so that nothing sealed under it opens again. Idempotent:
    /// answers whether a key was there to destroy.
    pub async fn destroy_subject_key(&self, subject: &str) -> Result<bool, StoreError> {
        let delete = "DELETE FROM personal_data_keys WHERE subject = $1";
        match self.keys() {
            KeyPool::Postgres(pool) => {
                let deleted = sqlx::query(delete).bind(subject).execute(pool).await?;
                Ok(deleted.rows_affected() > 0)
            }
            KeyPool::Sqlite(pool) => {
                let mut conn = pool.acquire().await?;
                let deleted = sqlx::query(delete)
                    .bind(subject)
                    .execute(&mut *conn)
                    .await?;
                // The delete zeroed the row in the page it wrote to the WAL; earlier frames of the
                // WAL still hold the key until the WAL is checkpointed into the file and truncated.
                // TRUNCATE waits (busy timeout) for the writer and readers to move on.
                let (busy, _, _): (i64, i64, i64) =
                    sqlx::query_as("PRAGMA wal_checkpoint(TRUNCATE)")
                        .fetch_one(&mut *conn)
                        .await?;
                if busy != 0 {
                    tracing::warn!(
                        subject,
                        "the WAL could not be truncated after a key was destroyed; \
                         it is overwritten as the log grows"
                    );
                }
                Ok(deleted.rows_affected() > 0)
            }
        }
    }
}
