//! The log: one global, append-only sequence of events on PostgreSQL or SQLite.
//!
//! This crate owns the event store. It appends events to streams with optimistic concurrency and
//! idempotent request ids, assigns every event a dense, gap-free global position, hashes it into a
//! Merkle leaf and keeps the completed subtree nodes in the same transaction, and serves reads and
//! live subscriptions. Events may carry opaque `key:value` tags, found again by
//! [`EventStore::read_by_tags`]; [`EventStore::append_if`] refuses an append when an event matching
//! one of its tag queries was written after the position its facts were read at.
//!
//! Architecture invariants:
//! - It knows no domain type. An event is a type name, a schema version, JSON, business time,
//!   metadata and tags; what they mean is the caller's business.
//! - It knows no transport: no protobuf, no tonic.
//! - Positions are assigned by exactly one writer at a time (a row lock on `log_head` in PostgreSQL,
//!   `BEGIN IMMEDIATE` in SQLite). Sequences are never used for positions.
//! - Nothing in the log is ever updated or deleted; the schema's triggers refuse it. The one table
//!   whose rows are deleted is `personal_data_keys` (`keys`), which is not part of the log: a
//!   subject's key is destroyed to erase what was sealed under it (crypto-shredding).
//!
//! Layout: [`EventStore`] is the handle (`store`); `writer` is the group-commit task; `plan` decides a
//! group purely; `backend` holds the SQL of each database; [`Subscription`] follows the log;
//! [`limits`] holds the checks every append passes before it is queued.

mod audit;
mod backend;
mod checkpointer;
mod error;
mod keys;
pub mod limits;
mod metrics;
mod model;
mod plan;
mod store;
mod subscription;
pub mod testing;
mod tree_cache;
mod writer;

pub use audit::{AuditError, StoredCheckpoint};
pub use backend::BackendKind;
pub use checkpointer::{CheckpointPolicy, Checkpointer, CheckpointerError};
pub use error::{AppendError, StoreError};
pub use keys::KEY_BYTES;
pub use ledger::{Hash, TreeHead};
pub use model::{
    AppendCondition, AppendMetadata, AppendResult, BusinessTime, Conditions, EventFilter,
    EventMetadata, EventPage, Evidence, ExpectedVersion, LogHead, NewEvent, RecordedRequest,
    StoredEvent, StreamCondition, TagQuery, TagQueryItem, TaggedEvents, TimePrecision, category_of,
};
pub use store::{EventStore, MAX_READ_LIMIT, MerkleRoot, StoreOptions};
pub use subscription::Subscription;
