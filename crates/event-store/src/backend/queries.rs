//! Queries whose SQL is the same on PostgreSQL and SQLite.
//!
//! Each macro expands to a block that runs on any executor expression, so one text serves a pool and a
//! transaction of either backend; the expression is substituted at every use, which lets `&mut *tx`
//! reborrow a transaction for each statement.

/// Reads the committed head: `Result<LogHead, StoreError>`.
macro_rules! read_head {
    ($exec:expr) => {
        async {
            let (size, last): (i64, i64) =
                sqlx::query_as("SELECT size, last_recorded_at_us FROM log_head WHERE id = 1")
                    .fetch_one($exec)
                    .await?;
            Ok::<_, $crate::error::StoreError>($crate::model::LogHead {
                size: $crate::backend::rows::from_db(size)?,
                last_recorded_at_us: last,
            })
        }
    };
}

/// Loads the Merkle frontier of a log of `size` leaves: `Result<Frontier, StoreError>`.
macro_rules! load_frontier {
    ($exec:expr, $size:expr) => {
        async {
            let size: u64 = $size;
            let mut nodes = Vec::new();
            for coordinate in ledger::Frontier::coordinates(size) {
                let index = $crate::backend::rows::to_db(coordinate.index)?;
                let bytes: Option<Vec<u8>> = if coordinate.level == 0 {
                    sqlx::query_scalar("SELECT leaf_hash FROM events WHERE position = $1")
                        .bind(index)
                        .fetch_optional($exec)
                        .await?
                } else {
                    sqlx::query_scalar(
                        "SELECT hash FROM merkle_nodes WHERE level = $1 AND idx = $2",
                    )
                    .bind(i32::from(coordinate.level))
                    .bind(index)
                    .fetch_optional($exec)
                    .await?
                };
                let missing = || {
                    $crate::error::corrupt(format!(
                        "merkle node at level {} index {} is missing",
                        coordinate.level, coordinate.index
                    ))
                };
                let bytes = bytes.ok_or_else(missing)?;
                nodes.push(ledger::Hash::from_slice(&bytes).map_err(|_| missing())?);
            }
            ledger::Frontier::from_nodes(size, nodes)
                .map_err(|error| $crate::error::corrupt(error.to_string()))
        }
    };
}

/// Finds the append requests already recorded under these ids:
/// `Result<HashMap<String, RequestRecord>, StoreError>`.
macro_rules! find_requests {
    ($exec:expr, $ids:expr) => {
        async {
            let ids: &[&str] = $ids;
            let sql = format!(
                "SELECT request_id, content_hash, stream_id, first_position, event_count, \
                 stream_version, recorded_at_us FROM append_requests WHERE request_id IN ({})",
                $crate::backend::rows::placeholders(1, ids.len())
            );
            let mut query = sqlx::query_as::<_, (String, Vec<u8>, String, i64, i32, i64, i64)>(
                sqlx::AssertSqlSafe(sql),
            );
            for id in ids {
                query = query.bind(*id);
            }
            let mut found = std::collections::HashMap::new();
            for (request_id, hash, stream_id, first, count, version, recorded) in
                query.fetch_all($exec).await?
            {
                let content_hash: [u8; 32] = hash.as_slice().try_into().map_err(|_| {
                    $crate::error::corrupt(format!("request {request_id} has a malformed hash"))
                })?;
                let event_count = u32::try_from(count)
                    .map_err(|_| $crate::error::corrupt("negative event count"))?;
                // The receipt's leaf hashes are the ones stored with the events, never recomputed.
                let stored: Vec<(Vec<u8>, uuid::Uuid)> = sqlx::query_as(
                    "SELECT leaf_hash, event_id FROM events WHERE position >= $1 AND position < $2 \
                     ORDER BY position",
                )
                .bind(first)
                .bind(first.saturating_add(i64::from(count)))
                .fetch_all($exec)
                .await?;
                if stored.len() != event_count as usize {
                    return Err($crate::error::corrupt(format!(
                        "request {request_id} wrote {event_count} events, {} are stored",
                        stored.len()
                    )));
                }
                let event_ids = stored.iter().map(|(_, id)| *id).collect();
                let leaf_hashes = stored
                    .iter()
                    .map(|(bytes, _)| ledger::Hash::from_slice(bytes))
                    .collect::<Result<Vec<_>, _>>()
                    .map_err(|_| {
                        $crate::error::corrupt(format!(
                            "request {request_id} has a malformed leaf hash"
                        ))
                    })?;
                let result = $crate::model::AppendResult {
                    first_position: $crate::backend::rows::from_db(first)?,
                    event_count,
                    stream_version: $crate::backend::rows::from_db(version)?,
                    recorded_at_us: recorded,
                    leaf_hashes,
                    event_ids,
                };
                let record = $crate::plan::RequestRecord {
                    request_id: request_id.clone(),
                    stream_id,
                    content_hash,
                    result,
                };
                found.insert(request_id, record);
            }
            Ok::<_, $crate::error::StoreError>(found)
        }
    };
}

/// Reads the current version of each stream: `Result<HashMap<String, u64>, StoreError>`.
/// Streams without events are absent from the map (version 0).
///
/// One sub-select per stream, joined with `UNION ALL`, each reading the last entry of the
/// `(stream_id, stream_version)` index. The `ORDER BY … DESC LIMIT 1` form matters on PostgreSQL:
/// sqlx prepares the statement once per connection, and a `MAX(…)` plan made while the table was
/// small aggregates over the stream's whole index range, so appends slowed down as a stream grew
/// (3.7 ms at 20,000 events against 0.1 ms). A single `MAX … IN (…) GROUP BY` had the same cost.
macro_rules! stream_versions {
    ($exec:expr, $streams:expr) => {
        async {
            let streams: &[&str] = $streams;
            let mut versions = std::collections::HashMap::new();
            // SQLite allows at most 500 terms in one compound SELECT; a group may name more streams.
            for chunk in streams.chunks($crate::backend::queries::STREAMS_PER_VERSION_QUERY) {
                let sql = (1..=chunk.len())
                    .map(|n| {
                        format!(
                            "SELECT CAST(${n} AS TEXT), (SELECT stream_version FROM events \
                             WHERE stream_id = ${n} ORDER BY stream_version DESC LIMIT 1)"
                        )
                    })
                    .collect::<Vec<_>>()
                    .join(" UNION ALL ");
                let mut query =
                    sqlx::query_as::<_, (String, Option<i64>)>(sqlx::AssertSqlSafe(sql));
                for stream in chunk {
                    query = query.bind(*stream);
                }
                for (stream, version) in query.fetch_all(&mut *$exec).await? {
                    if let Some(version) = version {
                        versions.insert(stream, $crate::backend::rows::from_db(version)?);
                    }
                }
            }
            Ok::<_, $crate::error::StoreError>(versions)
        }
    };
}

/// How many streams one version query asks about (see `stream_versions!`).
pub(crate) const STREAMS_PER_VERSION_QUERY: usize = 200;

pub(crate) use {find_requests, load_frontier, read_head, stream_versions};
