//! Hooks that let tests inject faults into the write path.
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
