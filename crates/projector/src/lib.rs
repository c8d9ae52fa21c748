//! Runs projections over the log: checkpoints, catch-up, live tail, status, blue/green rebuild and
//! waiting for a position (read-your-writes).
//!
//! It knows the event store's read API and the [`Projection`] contract, and nothing of the domain or
//! of gRPC. Read models live in the same database as the log, reached through `sqlx::Any`, so one SQL
//! text serves SQLite and PostgreSQL.
//!
//! # Guarantees
//! - Each generation of a projection has a checkpoint (`projection_checkpoints`, migration
//!   `0002_projections.sql`): the next log position to apply. It moves in the same transaction as
//!   the read-model rows of the batch it accounts for, so a crash never applies an event twice or
//!   misses one.
//! - An event a projection cannot apply ([`ProjectionError`]) stops that generation at the event's
//!   position, with the reason in [`ProjectionStatus`] and in the checkpoint row; it stays failed
//!   across restarts until [`Projector::retry`] or a rebuild. No event is ever skipped.
//! - Each projection runs in its own task; one slow or failed projection never holds up another.
//! - [`Projector::rebuild`] builds a new generation next to the active one and switches queries to
//!   it when it has caught up (module `rebuild`). A changed [`Projection::version`] at start-up is
//!   rebuilt the same way.
//!
//! # API
//! - [`Projector::start`] / [`Projector::start_with`] (with [`ProjectorOptions`]): open the
//!   read-model pool on the store's database URL and run every registered [`Projection`].
//! - [`Projector::active`] → [`ActiveTables`]: the table prefix queries must read and the log
//!   position those tables reflect (every event before it is applied).
//! - [`Projector::wait_for`]`(name, position, deadline)`: read-your-writes; waits until the active
//!   tables reflect every event before `position` (pass `AppendResult::positions().end`), else
//!   [`WaitError::Timeout`] with the position reached.
//! - [`Projector::status`] → [`ProjectionStatus`] per generation: position, lag in events and in
//!   seconds, [`ProjectionState`], failure.
//! - [`Projector::rebuild`] (blue/green), [`Projector::retry`] (restart a failed generation from
//!   its checkpoint), [`Projector::pool`], [`Projector::shutdown`].
//!
//! # Table names (for read-model authors)
//! A generation's tables are named with [`table_prefix_generation`]: generation 0 is
//! [`table_prefix`] (`rm_{name}_v{version}_`), later rebuilds of the same version get
//! `rm_{name}_v{version}_g{generation}_`. Projections must take the prefix they are given, name every
//! table *and index* with it, and read the prefix to query from [`Projector::active`], never compute
//! it. Tables are recorded from the schema's `CREATE TABLE` statements (a table outside the prefix
//! is refused with [`ProjectorError::Schema`]) and dropped after a switch; indexes go with them.
//! The [`Projection`] trait itself is unchanged; [`table_prefix_generation`] and [`is_valid_name`]
//! are additions.
//!
//! # Replicas
//! On PostgreSQL any number of processes may start a projector over one database; exactly one,
//! the leader, runs the projections (a session-level advisory lock on a connection of its own, see
//! `leader`), the others follow: [`Projector::active`], [`Projector::wait_for`] and
//! [`Projector::status`] answer from the checkpoint tables, refreshed every
//! [`ProjectorOptions::follow_interval`], and a rebuild or retry asked of a follower is written to
//! the tables for the leader to run. When the leader's session ends (the process died, the
//! connection broke) a follower takes the lock within a `follow_interval` and resumes every
//! generation from its checkpoint. Every batch locks its checkpoint row and checks it first, so
//! even a former leader that has not noticed its loss applies nothing twice.
//! [`Projector::is_leader`] says which role a replica has.
//!
//! # Limits
//! - SQLite is one process: its projector always leads and takes no lock. A second process on the
//!   same file would not double-apply (each checkpoint move is guarded by the position it expects)
//!   but would stop its runners on the first conflict.
//! - On SQLite every write, the store's included, takes the one database lock: a projection's batch
//!   holds it for as long as its `apply` calls take, so `apply` must stay fast (no waiting on
//!   anything but the connection it is given).
//!
//! # Layout
//! [`Projector`] (`projector`) is the handle; `leader` holds or seeks leadership; `open` resumes a
//! projection when this replica takes over and reconciles runners with the tables; `runner` is one
//! generation's task; `checkpoint` and `tables` hold the SQL; `write` opens write transactions; `rebuild` the switch; `wait` the
//! read-your-writes wait; `status` what is reported.

mod checkpoint;
mod error;
mod leader;
mod open;
mod projection;
mod projector;
mod rebuild;
mod runner;
mod slot;
mod status;
mod tables;
mod wait;
mod write;

pub use error::{ProjectorError, WaitError};
pub use projection::{
    Projection, ProjectionError, is_valid_name, table_prefix, table_prefix_generation,
};
pub use projector::{ActiveTables, Projector};
pub use slot::ProjectorOptions;
pub use status::{ProjectionFailure, ProjectionState, ProjectionStatus};
