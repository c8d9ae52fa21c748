//! Hooks that let tests inject faults into the write path, and the SQL of queries whose plans the
//! tests check.
//!
//! Production code never installs one. They live in the public API, not behind `cfg(test)`, because
//! the guarantees they prove are tested from outside the crate, against both backends.

/// Called by the writer inside a group's transaction, after its rows are written and before commit.
pub trait FaultHook: Send + Sync + 'static {
    /// Returning an error aborts the transaction, exactly as a database failure at that point would.
    /// `request_ids` are the distinct request ids of the group.
    fn before_commit(&self, request_ids: &[&str]) -> Result<(), String>;
}

/// The one query that reads the stored hashes of the inclusion proof of leaf `index` in a tree of
/// `size` leaves, and the leaf's own hash, with its bind values in order: for tests that check the
/// query plan (`EXPLAIN`) on each backend. The level binds are `INTEGER` on PostgreSQL, the rest
/// `BIGINT`; the first `leaves` values are positions.
pub fn inclusion_proof_query(index: u64, size: u64) -> Result<ProofQuery, ledger::ProofError> {
    let ranges = ledger::inclusion_ranges(index, size)?;
    let mut needed = ledger::nodes_needed(&ranges);
    needed.push(ledger::NodeCoordinate { level: 0, index });
    needed.sort_unstable();
    needed.dedup();
    let (leaves, inner): (Vec<&ledger::NodeCoordinate>, Vec<&ledger::NodeCoordinate>) =
        needed.iter().partition(|c| c.level == 0);
    Ok(ProofQuery {
        sql: crate::backend::audit::nodes_sql(leaves.len(), inner.len()),
        positions: leaves.iter().map(|c| c.index).collect(),
        nodes: inner.iter().map(|c| (c.level, c.index)).collect(),
    })
}

/// See [`inclusion_proof_query`].
#[derive(Debug, Clone)]
pub struct ProofQuery {
    pub sql: String,
    /// Leaf positions, bound first.
    pub positions: Vec<u64>,
    /// `(level, index)` of the inner nodes, bound after the positions, level then index.
    pub nodes: Vec<(u8, u64)>,
}

/// The SQL that [`crate::EventStore::read_by_tags`] runs for `query` below `up_to`, with its bind
/// values in order: for tests that check the query plan (`EXPLAIN`) on each backend.
pub fn tag_read_query(
    backend: crate::BackendKind,
    query: &crate::TagQuery,
    up_to: u64,
) -> Result<TagSql, &'static str> {
    let query = crate::limits::check_tag_query(query)?;
    let up_to = i64::try_from(up_to).unwrap_or(i64::MAX);
    Ok(TagSql::from(crate::backend::tags::read_sql(
        backend,
        crate::backend::rows::EVENT_COLUMNS,
        &query,
        up_to,
    )))
}

/// The SQL the writer runs, inside a group's transaction, to find the first stored event that
/// breaks an append condition on `query` from `from_position`, with its bind values in order.
pub fn condition_probe_query(
    query: &crate::TagQuery,
    from_position: u64,
) -> Result<TagSql, &'static str> {
    let condition = crate::AppendCondition {
        query: crate::limits::check_tag_query(query)?,
        from_position,
    };
    let conditions = [condition];
    let probes = crate::backend::tags::probes([(0, conditions.as_slice())], u64::MAX);
    Ok(TagSql::from(crate::backend::tags::probe_sql(&probes)))
}

/// See [`tag_read_query`].
#[derive(Debug, Clone)]
pub struct TagSql {
    pub sql: String,
    pub binds: Vec<TagBind>,
}

/// One bind value of a [`TagSql`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TagBind {
    Text(String),
    Int(i64),
}

impl From<crate::backend::tags::Sql<'_>> for TagSql {
    fn from(sql: crate::backend::tags::Sql<'_>) -> TagSql {
        TagSql {
            sql: sql.text,
            binds: sql
                .binds
                .iter()
                .map(|bind| match *bind {
                    crate::backend::tags::Bind::Text(text) => TagBind::Text(text.to_owned()),
                    crate::backend::tags::Bind::Int(int) => TagBind::Int(int),
                })
                .collect(),
        }
    }
}

/// How many Merkle hashes the store's tree cache holds now, all levels together: for tests that
/// wait for the cache to catch up before they compare its proofs with the database's.
pub fn cached_tree_hashes(store: &crate::EventStore) -> u64 {
    store.tree_cache().held()
}
