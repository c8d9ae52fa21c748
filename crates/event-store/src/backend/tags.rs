//! The SQL of tag queries, the same on PostgreSQL and SQLite: reading the events that match, and
//! finding, inside the writer's transaction, the first stored event that breaks a condition.
//!
//! Every alternative of a query becomes one sub-select driven by the `event_tags` primary key
//! `(tag, position)` on its first tag: a range probe that visits only that tag's events in the asked
//! range. The other tags and the event types are primary-key probes on each of those events, so the
//! cost follows the first tag's matches, never the size of the log.

use super::BackendKind;
use crate::model::{AppendCondition, TagQuery, TagQueryItem};

/// One value bound to a placeholder.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Bind<'a> {
    Text(&'a str),
    Int(i64),
}

/// SQL text with its values, in placeholder order.
#[derive(Debug, Default)]
pub(crate) struct Sql<'a> {
    pub(crate) text: String,
    pub(crate) binds: Vec<Bind<'a>>,
}

impl<'a> Sql<'a> {
    /// Binds `value` and returns its placeholder.
    fn param(&mut self, value: Bind<'a>) -> String {
        self.binds.push(value);
        format!("${}", self.binds.len())
    }

    /// The positions of the events matching `item`, with `position <op> bound`.
    fn item(&mut self, item: &'a TagQueryItem, op: &str, bound: i64) -> String {
        // `check_tag_query` guarantees a first tag; an empty one would match nothing anyway.
        let first = item.tags.first().map_or("", String::as_str);
        let mut sql = format!(
            "SELECT t.position FROM event_tags t WHERE t.tag = {} AND t.position {op} {}",
            self.param(Bind::Text(first)),
            self.param(Bind::Int(bound)),
        );
        for tag in item.tags.iter().skip(1) {
            sql.push_str(&format!(
                " AND EXISTS (SELECT 1 FROM event_tags o WHERE o.tag = {} \
                 AND o.position = t.position)",
                self.param(Bind::Text(tag))
            ));
        }
        if !item.event_types.is_empty() {
            let types: Vec<String> = item
                .event_types
                .iter()
                .map(|t| self.param(Bind::Text(t)))
                .collect();
            sql.push_str(&format!(
                " AND EXISTS (SELECT 1 FROM events e WHERE e.position = t.position \
                 AND e.event_type IN ({}))",
                types.join(", ")
            ));
        }
        sql
    }
}

/// The events matching `query` below `up_to`, in position order: `SELECT {columns} …`.
///
/// On PostgreSQL the positions are gathered into an array first (an init plan run once) and the
/// events fetched by `position = ANY(…)` on the primary key: as `IN (…)`, the planner may hash-join
/// the positions against a sequential scan of `events` once they are a few hundred, a cost that
/// grows with the log. SQLite probes the primary key for each position of the `IN` list.
pub(crate) fn read_sql<'a>(
    backend: BackendKind,
    columns: &str,
    query: &'a TagQuery,
    up_to: i64,
) -> Sql<'a> {
    let mut sql = Sql::default();
    let items: Vec<String> = query
        .items
        .iter()
        .map(|item| sql.item(item, "<", up_to))
        .collect();
    let positions = items.join(" UNION ");
    let filter = match backend {
        BackendKind::Postgres => format!("position = ANY(ARRAY({positions}))"),
        BackendKind::Sqlite => format!("position IN ({positions})"),
    };
    sql.text = format!("SELECT {columns} FROM events WHERE {filter} ORDER BY position");
    sql
}

/// One alternative of one condition to look up: the key names the request and condition.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ConditionProbe<'a> {
    pub(crate) request: usize,
    pub(crate) condition: usize,
    pub(crate) item: &'a TagQueryItem,
    pub(crate) from: i64,
}

/// The probes for the conditions of a group that stored events can break: those starting below
/// the head (a condition from the head on can only be broken within the group, which `plan`
/// checks).
pub(crate) fn probes<'a>(
    conditions: impl IntoIterator<Item = (usize, &'a [AppendCondition])>,
    head_size: u64,
) -> Vec<ConditionProbe<'a>> {
    let mut probes = Vec::new();
    for (request, conditions) in conditions {
        for (index, condition) in conditions.iter().enumerate() {
            if condition.from_position >= head_size {
                continue;
            }
            // Below the head, hence within a BIGINT.
            let from = i64::try_from(condition.from_position).unwrap_or(i64::MAX);
            probes.extend(condition.query.items.iter().map(|item| ConditionProbe {
                request,
                condition: index,
                item,
                from,
            }));
        }
    }
    probes
}

/// How many probes one statement carries: SQLite allows at most 500 terms in a compound SELECT.
pub(crate) const PROBES_PER_QUERY: usize = 200;

/// One statement answering, for each probe (by its index in `probes`), the first matching position
/// at or after its start, or NULL.
pub(crate) fn probe_sql<'a>(probes: &[ConditionProbe<'a>]) -> Sql<'a> {
    let mut sql = Sql::default();
    let terms: Vec<String> = probes
        .iter()
        .enumerate()
        .map(|(key, probe)| {
            let key = sql.param(Bind::Int(i64::try_from(key).unwrap_or(i64::MAX)));
            let item = sql.item(probe.item, ">=", probe.from);
            format!("SELECT CAST({key} AS BIGINT), ({item} ORDER BY t.position LIMIT 1)")
        })
        .collect();
    sql.text = terms.join(" UNION ALL ");
    sql
}

/// Binds every value of an [`Sql`] to a query of either backend.
macro_rules! bind_all {
    ($query:expr, $binds:expr) => {{
        let mut query = $query;
        for bind in $binds {
            query = match *bind {
                $crate::backend::tags::Bind::Text(text) => query.bind(text),
                $crate::backend::tags::Bind::Int(int) => query.bind(int),
            };
        }
        query
    }};
}

/// For each `(request, condition)` of the probes, the first stored event that breaks it:
/// `Result<HashMap<(usize, usize), u64>, StoreError>`.
macro_rules! condition_conflicts {
    ($exec:expr, $probes:expr) => {
        async {
            let probes: &[$crate::backend::tags::ConditionProbe<'_>] = $probes;
            let mut conflicts = std::collections::HashMap::<(usize, usize), u64>::new();
            for chunk in probes.chunks($crate::backend::tags::PROBES_PER_QUERY) {
                let sql = $crate::backend::tags::probe_sql(chunk);
                let query = $crate::backend::tags::bind_all!(
                    sqlx::query_as::<_, (i64, Option<i64>)>(sqlx::AssertSqlSafe(sql.text)),
                    &sql.binds
                );
                for (key, position) in query.fetch_all(&mut *$exec).await? {
                    let (Some(position), Some(probe)) = (
                        position,
                        usize::try_from(key).ok().and_then(|k| chunk.get(k)),
                    ) else {
                        continue;
                    };
                    let position = $crate::backend::rows::from_db(position)?;
                    conflicts
                        .entry((probe.request, probe.condition))
                        .and_modify(|first| *first = (*first).min(position))
                        .or_insert(position);
                }
            }
            Ok::<_, $crate::error::StoreError>(conflicts)
        }
    };
}

pub(crate) use {bind_all, condition_conflicts};
