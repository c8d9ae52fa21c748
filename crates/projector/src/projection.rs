//! The contract between the runner and a read model.

use event_store::{EventFilter, StoredEvent};
use futures_util::future::BoxFuture;
use sqlx::AnyConnection;

/// Why a projection could not apply an event. The runner stops that projection at the event's
/// position and shows the reason in its status; it never skips the event.
#[derive(Debug, thiserror::Error)]
pub enum ProjectionError {
    #[error("read-model database error")]
    Database(#[from] sqlx::Error),
    #[error("event at position {position} cannot be applied: {reason}")]
    Unapplicable { position: u64, reason: String },
}

/// A read model built from the log.
///
/// Each version keeps its tables apart: every table name starts with the prefix the runner passes
/// in ([`table_prefix`]), so a new version can be built next to the old one while queries keep
/// reading the old one, and the runner switches over when the new one has caught up.
pub trait Projection: Send + Sync + 'static {
    /// A stable name such as `on_site_roster`: lowercase ascii letters, digits and `_`.
    fn name(&self) -> &'static str;

    /// Bumped whenever the tables or the logic change; a new version is rebuilt from position 0.
    fn version(&self) -> u32;

    /// The events the projection needs; the runner reads nothing else for it.
    fn filter(&self) -> EventFilter;

    /// The statements that create this version's tables and indexes, given the table prefix.
    /// Portable SQL only (it runs on SQLite and PostgreSQL): `BIGINT`, `TEXT`, `DOUBLE PRECISION`,
    /// `BOOLEAN` as `BIGINT` 0/1, no `SERIAL`, upserts as `INSERT … ON CONFLICT … DO UPDATE`.
    fn schema(&self, prefix: &str) -> Vec<String>;

    /// Applies one event inside the runner's transaction, which also moves the checkpoint. It must
    /// be deterministic: the same events always give the same tables.
    fn apply<'a>(
        &'a self,
        connection: &'a mut AnyConnection,
        prefix: &'a str,
        event: &'a StoredEvent,
    ) -> BoxFuture<'a, Result<(), ProjectionError>>;
}

/// The table prefix of one version of a projection, e.g. `rm_on_site_roster_v2_`.
///
/// This is the prefix of generation 0, the first build of a version; see
/// [`table_prefix_generation`].
pub fn table_prefix(name: &str, version: u32) -> String {
    format!("rm_{name}_v{version}_")
}

/// The table prefix of one build (generation) of a version, e.g. `rm_on_site_roster_v2_g1_`.
///
/// A rebuild of an unchanged version must not write into the tables queries are reading, so each
/// rebuild gets the next generation number. Generation 0 keeps the plain [`table_prefix`], so the
/// first build of every version has the name read models were written against.
pub fn table_prefix_generation(name: &str, version: u32, generation: u32) -> String {
    if generation == 0 {
        table_prefix(name, version)
    } else {
        format!("rm_{name}_v{version}_g{generation}_")
    }
}

/// Whether a projection name is usable in table names: lowercase ascii letters, digits and `_`,
/// starting with a letter.
pub fn is_valid_name(name: &str) -> bool {
    name.starts_with(|c: char| c.is_ascii_lowercase())
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}
