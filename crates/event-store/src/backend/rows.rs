//! Mapping between database rows and the store's types, shared by both backends.

use ledger::Hash;
use serde_json::value::RawValue;
use uuid::Uuid;

use crate::error::{StoreError, corrupt};
use crate::model::{BusinessTime, StoredEvent, TimePrecision};

/// The columns every event read selects, in the order of [`EventRecord`].
pub(crate) const EVENT_COLUMNS: &str = "position, stream_id, stream_version, event_id, event_type, \
     schema_version, payload, metadata, occurred_from_us, occurred_to_us, time_precision, \
     recorded_at_us, leaf_hash";

/// One event row as the database returns it.
#[derive(Debug, sqlx::FromRow)]
pub(crate) struct EventRecord {
    position: i64,
    stream_id: String,
    stream_version: i64,
    event_id: Uuid,
    event_type: String,
    schema_version: i32,
    payload: String,
    metadata: String,
    occurred_from_us: i64,
    occurred_to_us: i64,
    time_precision: i32,
    recorded_at_us: i64,
    leaf_hash: Vec<u8>,
}

impl TryFrom<EventRecord> for StoredEvent {
    type Error = StoreError;

    fn try_from(row: EventRecord) -> Result<StoredEvent, StoreError> {
        let position = from_db(row.position)?;
        let bad = |what: &str| corrupt(format!("event at position {position}: {what}"));
        Ok(StoredEvent {
            position,
            stream_id: row.stream_id,
            stream_version: from_db(row.stream_version)?,
            event_id: row.event_id,
            event_type: row.event_type,
            schema_version: u32::try_from(row.schema_version)
                .map_err(|_| bad("negative schema version"))?,
            payload: RawValue::from_string(row.payload).map_err(|_| bad("payload is not JSON"))?,
            metadata: RawValue::from_string(row.metadata)
                .map_err(|_| bad("metadata is not JSON"))?,
            occurred: BusinessTime {
                from_us: row.occurred_from_us,
                to_us: row.occurred_to_us,
                precision: u8::try_from(row.time_precision)
                    .ok()
                    .and_then(TimePrecision::from_code)
                    .ok_or_else(|| bad("unknown time precision"))?,
            },
            recorded_at_us: row.recorded_at_us,
            leaf_hash: Hash::from_slice(&row.leaf_hash)
                .map_err(|_| bad("leaf hash is not 32 bytes"))?,
        })
    }
}

/// Converts records into events, failing on the first inconsistent row.
pub(crate) fn into_events(rows: Vec<EventRecord>) -> Result<Vec<StoredEvent>, StoreError> {
    rows.into_iter().map(StoredEvent::try_from).collect()
}

/// A position or version as the database stores it (BIGINT).
pub(crate) fn to_db(value: u64) -> Result<i64, StoreError> {
    i64::try_from(value).map_err(|_| corrupt(format!("{value} does not fit in a BIGINT")))
}

/// A BIGINT read back as a position or version.
pub(crate) fn from_db(value: i64) -> Result<u64, StoreError> {
    u64::try_from(value)
        .map_err(|_| corrupt(format!("negative value {value} where a count was expected")))
}

/// `$first, $first+1, …` placeholders for an `IN (…)` list of `count` values.
pub(crate) fn placeholders(first: usize, count: usize) -> String {
    (first..first + count)
        .map(|n| format!("${n}"))
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
#[path = "rows_fuzz.rs"]
mod fuzz;
