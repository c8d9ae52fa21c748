//! The two storage backends, PostgreSQL and SQLite, behind one small surface.
//!
//! Reads run on a pool and share their SQL ([`Readers`]). Writes run in the writer task, one group per
//! transaction, through [`WriteTx`]: each backend says how to lock the head and insert rows, and
//! [`run_group`] is the one place that decides what a group commit does.

use std::collections::HashMap;
use std::future::Future;
use std::sync::Arc;

use ledger::{Frontier, Hash};
use sqlx::{AssertSqlSafe, PgPool, SqlitePool};

use crate::AppendError;
use crate::error::StoreError;
use crate::limits::ValidatedAppend;
use crate::model::{AppendResult, EventFilter, EventPage, LogHead, StoredEvent, TagQuery};
use crate::plan::{GroupPlan, GroupState, RequestRecord, plan_group};
use crate::testing::FaultHook;

pub(crate) mod backfill;
pub(crate) mod postgres;
pub(crate) mod queries;
pub(crate) mod rows;
pub(crate) mod sqlite;
pub(crate) mod tags;

use queries::{load_frontier, read_head};
use rows::{EVENT_COLUMNS, EventRecord, into_events, placeholders, to_db};

/// Which database the store runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BackendKind {
    Postgres,
    Sqlite,
}

/// The connection pool readers use.
#[derive(Debug, Clone)]
pub(crate) enum Readers {
    Postgres(PgPool),
    Sqlite(SqlitePool),
}

/// Runs the same block with the concrete pool of either backend.
macro_rules! on_pool {
    ($readers:expr, $pool:ident => $body:expr) => {
        on_pool!(Readers: $readers, $pool => $body)
    };
    // Any enum of one PostgreSQL and one SQLite pool, such as the key pool.
    ($pools:ident: $value:expr, $pool:ident => $body:expr) => {
        match $value {
            $pools::Postgres($pool) => $body,
            $pools::Sqlite($pool) => $body,
        }
    };
}
pub(crate) use on_pool;

pub(crate) mod audit;

impl Readers {
    pub(crate) fn kind(&self) -> BackendKind {
        match self {
            Readers::Postgres(_) => BackendKind::Postgres,
            Readers::Sqlite(_) => BackendKind::Sqlite,
        }
    }

    pub(crate) async fn head(&self) -> Result<LogHead, StoreError> {
        on_pool!(self, pool => read_head!(pool).await)
    }

    pub(crate) async fn frontier(&self, size: u64) -> Result<Frontier, StoreError> {
        on_pool!(self, pool => load_frontier!(pool, size).await)
    }

    pub(crate) async fn get_event(&self, position: u64) -> Result<Option<StoredEvent>, StoreError> {
        let sql = format!("SELECT {EVENT_COLUMNS} FROM events WHERE position = $1");
        // A BIGINT column holds no position past i64::MAX: there is no such event.
        let Ok(position) = i64::try_from(position) else {
            return Ok(None);
        };
        let row: Option<EventRecord> = on_pool!(self, pool => {
            sqlx::query_as(AssertSqlSafe(sql)).bind(position).fetch_optional(pool).await?
        });
        row.map(StoredEvent::try_from).transpose()
    }

    pub(crate) async fn get_event_by_id(
        &self,
        event_id: uuid::Uuid,
    ) -> Result<Option<StoredEvent>, StoreError> {
        let sql = format!("SELECT {EVENT_COLUMNS} FROM events WHERE event_id = $1");
        let row: Option<EventRecord> = on_pool!(self, pool => {
            sqlx::query_as(AssertSqlSafe(sql)).bind(event_id).fetch_optional(pool).await?
        });
        row.map(StoredEvent::try_from).transpose()
    }

    pub(crate) async fn read_stream(
        &self,
        stream_id: &str,
        from_version: u64,
        limit: usize,
    ) -> Result<Vec<StoredEvent>, StoreError> {
        let sql = format!(
            "SELECT {EVENT_COLUMNS} FROM events WHERE stream_id = $1 AND stream_version >= $2 \
             ORDER BY stream_version LIMIT $3"
        );
        let Ok(from) = i64::try_from(from_version) else {
            return Ok(Vec::new());
        };
        let limit = to_db(limit as u64)?;
        let rows: Vec<EventRecord> = on_pool!(self, pool => {
            sqlx::query_as(AssertSqlSafe(sql))
                .bind(stream_id)
                .bind(from)
                .bind(limit)
                .fetch_all(pool)
                .await?
        });
        into_events(rows)
    }

    /// Events at positions `from..to` that pass the filter, at most `limit` of them, in order.
    pub(crate) async fn read_range(
        &self,
        from: u64,
        to: u64,
        limit: usize,
        filter: &EventFilter,
    ) -> Result<Vec<StoredEvent>, StoreError> {
        let mut sql =
            format!("SELECT {EVENT_COLUMNS} FROM events WHERE position >= $1 AND position < $2");
        let mut next = 3;
        if !filter.categories.is_empty() {
            let list = placeholders(next, filter.categories.len());
            sql.push_str(&format!(" AND category IN ({list})"));
            next += filter.categories.len();
        }
        if !filter.event_types.is_empty() {
            let list = placeholders(next, filter.event_types.len());
            sql.push_str(&format!(" AND event_type IN ({list})"));
            next += filter.event_types.len();
        }
        sql.push_str(&format!(" ORDER BY position LIMIT ${next}"));
        let Ok(from) = i64::try_from(from) else {
            return Ok(Vec::new());
        };
        let to = i64::try_from(to).unwrap_or(i64::MAX);
        let limit = to_db(limit as u64)?;
        let rows: Vec<EventRecord> = on_pool!(self, pool => {
            let mut query = sqlx::query_as(AssertSqlSafe(sql)).bind(from).bind(to);
            for value in filter.categories.iter().chain(&filter.event_types) {
                query = query.bind(value.as_str());
            }
            query.bind(limit).fetch_all(pool).await?
        });
        into_events(rows)
    }

    /// How far `scheme`'s tags have been backfilled (`backfill::backfilled_through!`).
    pub(crate) async fn backfilled_through(&self, scheme: &str) -> Result<u64, StoreError> {
        on_pool!(self, pool => backfill::backfilled_through!(pool, scheme).await)
    }

    /// The append recorded under `request_id`, if any: its stream and its result, read from the
    /// request record (a primary-key probe) and its events' ids and leaf hashes.
    pub(crate) async fn recorded_request(
        &self,
        request_id: &str,
    ) -> Result<Option<RequestRecord>, StoreError> {
        let ids = [request_id];
        let mut found = on_pool!(self, pool => queries::find_requests!(pool, &ids[..]).await)?;
        Ok(found.remove(request_id))
    }

    /// The events matching `query` (in canonical form) at positions below `up_to`, in order.
    pub(crate) async fn read_by_tags(
        &self,
        query: &TagQuery,
        up_to: u64,
    ) -> Result<Vec<StoredEvent>, StoreError> {
        let up_to = i64::try_from(up_to).unwrap_or(i64::MAX);
        let sql = tags::read_sql(self.kind(), EVENT_COLUMNS, query, up_to);
        let rows: Vec<EventRecord> = on_pool!(self, pool => {
            tags::bind_all!(sqlx::query_as(AssertSqlSafe(sql.text)), &sql.binds)
                .fetch_all(pool)
                .await?
        });
        into_events(rows)
    }

    /// A page of the log from `from`, bounded by the committed head read first, so that every
    /// position below the returned `next_position` is known to be committed.
    pub(crate) async fn read_all(
        &self,
        from: u64,
        limit: usize,
        filter: &EventFilter,
    ) -> Result<EventPage, StoreError> {
        let head = self.head().await?;
        if from >= head.size || limit == 0 {
            return Ok(EventPage {
                events: Vec::new(),
                next_position: from,
            });
        }
        let events = self.read_range(from, head.size, limit, filter).await?;
        let next_position = match events.last() {
            Some(last) if events.len() == limit => last.position + 1,
            _ => head.size,
        };
        Ok(EventPage {
            events,
            next_position,
        })
    }
}

/// A group's answers and the log state after it committed.
#[derive(Debug)]
pub(crate) struct Committed {
    pub(crate) outcomes: Vec<Result<AppendResult, AppendError>>,
    pub(crate) frontier: Frontier,
    pub(crate) head: LogHead,
    /// Events the transaction wrote (repeated request ids write none).
    pub(crate) written: usize,
}

/// One write transaction that holds the log's head lock from its first statement to its end.
pub(crate) trait WriteTx: Send {
    /// Takes the head lock (if the transaction has not already) and reads the head.
    fn lock_head(&mut self) -> impl Future<Output = Result<LogHead, StoreError>> + Send;
    fn load_frontier(
        &mut self,
        size: u64,
    ) -> impl Future<Output = Result<Frontier, StoreError>> + Send;
    fn find_requests(
        &mut self,
        ids: &[&str],
    ) -> impl Future<Output = Result<HashMap<String, RequestRecord>, StoreError>> + Send;
    fn stream_versions(
        &mut self,
        streams: &[&str],
    ) -> impl Future<Output = Result<HashMap<String, u64>, StoreError>> + Send;
    /// The first stored event breaking each probed condition (`tags::condition_conflicts!`).
    fn condition_conflicts(
        &mut self,
        probes: &[tags::ConditionProbe<'_>],
    ) -> impl Future<Output = Result<HashMap<(usize, usize), u64>, StoreError>> + Send;
    /// Inserts the plan's events, nodes and request records and moves the head.
    fn write(
        &mut self,
        plan: &GroupPlan<'_>,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;
    fn commit(self) -> impl Future<Output = Result<(), StoreError>> + Send;
}

/// Commits one group in one transaction: the single definition of what a group commit does.
///
/// On any error the transaction is dropped, which rolls it back: either the whole group is written, or
/// nothing of it is.
pub(crate) async fn run_group<T: WriteTx>(
    mut tx: T,
    group: &[&ValidatedAppend],
    cached: Option<&Frontier>,
    now_us: i64,
    faults: Option<&Arc<dyn FaultHook>>,
) -> Result<Committed, StoreError> {
    let head = tx.lock_head().await?;
    let frontier = match cached {
        // The cache is only trusted for exactly the size it was computed at: another process may
        // have appended since (PostgreSQL), and then the frontier is read again.
        Some(frontier) if frontier.size() == head.size => frontier.clone(),
        _ => tx.load_frontier(head.size).await?,
    };
    let mut request_ids: Vec<&str> = group.iter().map(|r| r.request_id.as_str()).collect();
    request_ids.sort_unstable();
    request_ids.dedup();
    // The target streams and the streams the requests' decisions read by id, in one lookup.
    let mut streams: Vec<&str> = group
        .iter()
        .flat_map(|r| {
            std::iter::once(r.stream_id.as_str())
                .chain(r.streams.iter().map(|c| c.stream_id.as_str()))
        })
        .collect();
    streams.sort_unstable();
    streams.dedup();
    let seen = tx.find_requests(&request_ids).await?;
    let versions = tx.stream_versions(&streams).await?;
    // Without conditions (the common case) this costs nothing: no probe, no statement.
    let probes = tags::probes(
        group
            .iter()
            .enumerate()
            .map(|(index, request)| (index, request.conditions.as_slice())),
        head.size,
    );
    let conflicts = if probes.is_empty() {
        HashMap::new()
    } else {
        tx.condition_conflicts(&probes).await?
    };

    let plan = plan_group(
        GroupState {
            head,
            frontier,
            seen,
            versions,
            conflicts,
        },
        group,
        now_us,
    );
    if plan.writes_anything() {
        tx.write(&plan).await?;
    }
    if let Some(faults) = faults {
        faults
            .before_commit(&request_ids)
            .map_err(StoreError::Injected)?;
    }
    tx.commit().await?;
    Ok(Committed {
        written: plan.rows.len(),
        outcomes: plan.outcomes,
        frontier: plan.frontier,
        head: plan.head,
    })
}

/// The writer's own handle on the database.
pub(crate) enum WriterConn {
    Postgres(PgPool),
    Sqlite(Box<sqlx::SqliteConnection>),
}

impl WriterConn {
    /// Inserts a checkpoint unless its size is already stored; whether it did.
    pub(crate) async fn insert_checkpoint(
        &mut self,
        checkpoint: &crate::audit::StoredCheckpoint,
    ) -> Result<bool, StoreError> {
        match self {
            WriterConn::Postgres(pool) => audit::insert_checkpoint!(&*pool, checkpoint).await,
            WriterConn::Sqlite(connection) => {
                audit::insert_checkpoint!(&mut **connection, checkpoint).await
            }
        }
    }

    /// Adds the missing tags of `rows` and raises `scheme`'s marker to `through`, in one transaction
    /// (`backfill::backfill_tags!`).
    pub(crate) async fn backfill_tags(
        &mut self,
        scheme: &str,
        rows: &[(u64, Vec<String>)],
        through: u64,
    ) -> Result<(), StoreError> {
        match self {
            WriterConn::Postgres(pool) => {
                let mut tx = pool.begin().await?;
                backfill::backfill_tags!(tx, scheme, rows, through).await?;
                tx.commit().await?;
            }
            WriterConn::Sqlite(connection) => {
                let mut tx =
                    sqlx::Connection::begin_with(&mut **connection, "BEGIN IMMEDIATE").await?;
                backfill::backfill_tags!(tx, scheme, rows, through).await?;
                tx.commit().await?;
            }
        }
        Ok(())
    }

    pub(crate) async fn commit_group(
        &mut self,
        group: &[&ValidatedAppend],
        cached: Option<&Frontier>,
        now_us: i64,
        faults: Option<&Arc<dyn FaultHook>>,
    ) -> Result<Committed, StoreError> {
        match self {
            WriterConn::Postgres(pool) => {
                let tx = postgres::PgWriteTx::begin(pool).await?;
                run_group(tx, group, cached, now_us, faults).await
            }
            WriterConn::Sqlite(connection) => {
                let tx = sqlite::SqliteWriteTx::begin(connection).await?;
                run_group(tx, group, cached, now_us, faults).await
            }
        }
    }
}

/// The Merkle root of the first `size` leaves, from stored nodes.
pub(crate) async fn root_at(readers: &Readers, size: u64) -> Result<Hash, StoreError> {
    Ok(readers.frontier(size).await?.root())
}
