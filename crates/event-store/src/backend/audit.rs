//! The audit reads of both backends: stored Merkle nodes by coordinate, events by leaf hash, and the
//! checkpoint table. The SQL is portable; only the pool differs.

use std::collections::HashMap;

use ledger::{Hash, NodeCoordinate};
use sqlx::AssertSqlSafe;

use super::Readers;
use super::rows::{from_db, placeholders, to_db};
use crate::audit::StoredCheckpoint;
use crate::error::{StoreError, corrupt};

/// The columns of a checkpoint read, in the order of [`CheckpointRow`].
const CHECKPOINT_COLUMNS: &str = "tree_size, root, note, key_name, signed_at_us";

type CheckpointRow = (i64, Vec<u8>, String, String, i64);

fn into_checkpoint(row: CheckpointRow) -> Result<StoredCheckpoint, StoreError> {
    let (size, root, note, key_name, signed_at_us) = row;
    let tree_size = from_db(size)?;
    Ok(StoredCheckpoint {
        tree_size,
        root: Hash::from_slice(&root)
            .map_err(|_| corrupt(format!("checkpoint {tree_size} has a malformed root")))?,
        note,
        key_name,
        signed_at_us,
    })
}

impl Readers {
    /// The stored hashes at these coordinates: leaves from the events, inner nodes from their table,
    /// in one query (two index lookups per coordinate: the events' and the nodes' primary keys).
    /// Coordinates with nothing stored are absent from the map.
    pub(crate) async fn nodes(
        &self,
        coordinates: &[NodeCoordinate],
    ) -> Result<HashMap<NodeCoordinate, Hash>, StoreError> {
        let (leaves, inner): (Vec<&NodeCoordinate>, Vec<&NodeCoordinate>) =
            coordinates.iter().partition(|c| c.level == 0);
        if leaves.is_empty() && inner.is_empty() {
            return Ok(HashMap::new());
        }
        // Both lists are O(log n) long, so the query is small; its text depends only on the two
        // lengths, so the prepared statements are few and cached.
        let sql = nodes_sql(leaves.len(), inner.len());
        let rows: Vec<(i64, i64, Vec<u8>)> = on_pool!(self, pool => {
            let mut query = sqlx::query_as(AssertSqlSafe(sql));
            for leaf in &leaves {
                query = query.bind(to_db(leaf.index)?);
            }
            for node in &inner {
                query = query.bind(i32::from(node.level)).bind(to_db(node.index)?);
            }
            query.fetch_all(pool).await?
        });
        let mut found = HashMap::with_capacity(rows.len());
        for (level, index, hash) in rows {
            let level = u8::try_from(level).map_err(|_| corrupt("node level out of range"))?;
            let index = from_db(index)?;
            let hash = Hash::from_slice(&hash).map_err(|_| {
                corrupt(format!("node at level {level} index {index} is malformed"))
            })?;
            found.insert(NodeCoordinate { level, index }, hash);
        }
        Ok(found)
    }

    /// The stored hashes of `level` from index `from` up to (not including) `upto`, in index order,
    /// stopping at the first index not stored (a range scan of the level's primary key).
    pub(crate) async fn level_hashes(
        &self,
        level: usize,
        from: u64,
        upto: u64,
    ) -> Result<Vec<Hash>, StoreError> {
        let sql = if level == 0 {
            "SELECT position AS idx, leaf_hash AS hash FROM events \
             WHERE position >= $1 AND position < $2 ORDER BY position"
        } else {
            "SELECT idx, hash FROM merkle_nodes WHERE level = $3 AND idx >= $1 AND idx < $2 ORDER BY idx"
        };
        let level_db = i32::try_from(level).map_err(|_| corrupt("node level out of range"))?;
        let rows: Vec<(i64, Vec<u8>)> = on_pool!(self, pool => {
            let query = sqlx::query_as(sql).bind(to_db(from)?).bind(to_db(upto)?);
            let query = if level == 0 { query } else { query.bind(level_db) };
            query.fetch_all(pool).await?
        });
        let mut hashes = Vec::with_capacity(rows.len());
        for (index, hash) in rows {
            if from_db(index)? != from + hashes.len() as u64 {
                break;
            }
            hashes.push(Hash::from_slice(&hash).map_err(|_| {
                corrupt(format!("node at level {level} index {index} is malformed"))
            })?);
        }
        Ok(hashes)
    }

    /// The position of the first event whose leaf hash is `leaf`, if any.
    pub(crate) async fn position_of_leaf(&self, leaf: &Hash) -> Result<Option<u64>, StoreError> {
        let position: Option<i64> = on_pool!(self, pool => {
            sqlx::query_scalar(
                "SELECT position FROM events WHERE leaf_hash = $1 ORDER BY position LIMIT 1",
            )
            .bind(leaf.as_bytes().as_slice())
            .fetch_optional(pool)
            .await?
        });
        position.map(from_db).transpose()
    }

    async fn one_checkpoint(
        &self,
        condition: &str,
        value: i64,
    ) -> Result<Option<StoredCheckpoint>, StoreError> {
        let sql = format!("SELECT {CHECKPOINT_COLUMNS} FROM checkpoints {condition} LIMIT 1");
        let row: Option<CheckpointRow> = on_pool!(self, pool => {
            sqlx::query_as(AssertSqlSafe(sql)).bind(value).fetch_optional(pool).await?
        });
        row.map(into_checkpoint).transpose()
    }

    /// The checkpoint of the largest tree.
    pub(crate) async fn latest_checkpoint(&self) -> Result<Option<StoredCheckpoint>, StoreError> {
        self.one_checkpoint("WHERE tree_size >= $1 ORDER BY tree_size DESC", 0)
            .await
    }

    /// The checkpoint signed for exactly this tree size.
    pub(crate) async fn checkpoint_of_size(
        &self,
        size: u64,
    ) -> Result<Option<StoredCheckpoint>, StoreError> {
        // A size past BIGINT's range names no stored checkpoint: none, not an error.
        let Ok(size) = i64::try_from(size) else {
            return Ok(None);
        };
        self.one_checkpoint("WHERE tree_size = $1", size).await
    }

    /// The last checkpoint signed at or before a time (microseconds since the Unix epoch).
    pub(crate) async fn checkpoint_at_or_before(
        &self,
        time_us: i64,
    ) -> Result<Option<StoredCheckpoint>, StoreError> {
        self.one_checkpoint(
            "WHERE signed_at_us <= $1 ORDER BY signed_at_us DESC, tree_size DESC",
            time_us,
        )
        .await
    }

    /// The checkpoints with `from <= tree_size <= to`, smallest first, at most `limit`.
    pub(crate) async fn checkpoints_between(
        &self,
        from: u64,
        to: u64,
        limit: usize,
    ) -> Result<Vec<StoredCheckpoint>, StoreError> {
        let sql = format!(
            "SELECT {CHECKPOINT_COLUMNS} FROM checkpoints WHERE tree_size >= $1 AND tree_size <= $2 \
             ORDER BY tree_size LIMIT $3"
        );
        let (from, to, limit) = (to_db(from)?, to_db(to)?, to_db(limit as u64)?);
        let rows: Vec<CheckpointRow> = on_pool!(self, pool => {
            sqlx::query_as(AssertSqlSafe(sql))
                .bind(from)
                .bind(to)
                .bind(limit)
                .fetch_all(pool)
                .await?
        });
        rows.into_iter().map(into_checkpoint).collect()
    }
}

/// The query of [`Readers::nodes`] for `leaves` leaf positions and `inner` inner coordinates:
/// `(level, index, hash)` rows, leaves by the events' primary key, inner nodes by the node table's.
///
/// The inner coordinates are a disjunction of `(level, idx)` equalities rather than a row-value
/// `IN`, because both planners turn that into one primary-key probe per term (a bitmap OR on
/// PostgreSQL, a multi-index OR on SQLite); the test `proof_reads_use_the_primary_keys` checks it.
pub(crate) fn nodes_sql(leaves: usize, inner: usize) -> String {
    let mut parts = Vec::with_capacity(2);
    if leaves > 0 {
        parts.push(format!(
            "SELECT CAST(0 AS BIGINT) AS level, position AS idx, leaf_hash AS hash FROM events \
             WHERE position IN ({})",
            placeholders(1, leaves)
        ));
    }
    if inner > 0 {
        let terms = (0..inner)
            .map(|i| {
                format!(
                    "(level = ${} AND idx = ${})",
                    leaves + 2 * i + 1,
                    leaves + 2 * i + 2
                )
            })
            .collect::<Vec<_>>()
            .join(" OR ");
        parts.push(format!(
            "SELECT CAST(level AS BIGINT) AS level, idx, hash FROM merkle_nodes WHERE {terms}"
        ));
    }
    parts.join(" UNION ALL ")
}

/// Inserts a checkpoint unless one of the same size exists, on any executor; returns whether it did.
macro_rules! insert_checkpoint {
    ($exec:expr, $checkpoint:expr) => {
        async {
            let checkpoint: &$crate::audit::StoredCheckpoint = $checkpoint;
            let done = sqlx::query(
                "INSERT INTO checkpoints (tree_size, root, note, key_name, signed_at_us) \
                 VALUES ($1, $2, $3, $4, $5) ON CONFLICT (tree_size) DO NOTHING",
            )
            .bind($crate::backend::rows::to_db(checkpoint.tree_size)?)
            .bind(checkpoint.root.as_bytes().as_slice())
            .bind(checkpoint.note.as_str())
            .bind(checkpoint.key_name.as_str())
            .bind(checkpoint.signed_at_us)
            .execute($exec)
            .await?;
            Ok::<bool, $crate::error::StoreError>(done.rows_affected() == 1)
        }
    };
}

pub(crate) use insert_checkpoint;
