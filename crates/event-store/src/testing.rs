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
