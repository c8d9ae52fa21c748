//! Use cases: load a stream, decide with the domain, append to the log; the event feed; authorization.
//!
//! # What this crate owns
//!
//! - [`App::execute`]: one write use case for every command. It loads the target stream and the
//!   cross-stream facts the aggregate's context needs (one loader per aggregate in `contexts`),
//!   calls `domain::decide`, checks the caller's role and scope against the events' scope, and
//!   appends the events with their tags (`domain::tags`) under an expected-version guard and, for
//!   the facts read from other streams by tag (`facts`), a condition that they did not change;
//!   it decides again a bounded number of times when another write lands in between (on the
//!   stream, when the caller gave no expected version; on the facts, always).
//! - [`backfill_tags`]: the tags of events recorded before the tag scheme, run at start-up.
//! - The event feed queries ([`App::get_event`], [`App::list_stream_events`], [`App::list_events`],
//!   [`App::subscribe`]), filtered to what the caller may read.
//! - The read-model queries (`reads`: roster, timeline, mentorship board, techniques and gaps,
//!   collaboration network, scoreboard, capability card, targets), each scoped to the caller's
//!   provinces and able to wait for the caller's own write ([`Freshness`]); and the projection
//!   admin use cases (status, rebuild, retry).
//! - The one transport-agnostic [`Error`], with the reason codes of `proto/medaid/v1/errors.proto`.
//!
//! # What it must not do
//!
//! It knows no protobuf, tonic or HTTP: the server turns requests into [`CommandRequest`]s and
//! [`Error`]s into statuses. It reads no clock for business decisions (the server passes `today`),
//! and it never decides a rule itself: rules live in `domain`, the log's guarantees in `event-store`.
//!
//! # Stream versions
//!
//! A stream's version is its number of events: the first event has version 1, a missing stream is at
//! version 0. The domain, the store and the API use this one convention.

pub mod audit;
mod authorize;
mod backfill;
mod command;
mod contexts;
mod error;
mod execute;
mod facts;
mod feed;
mod load;
mod personal;
pub mod principal;
mod reads;

pub use authorize::Access;
pub use backfill::backfill_tags;
pub use command::{CommandOutcome, CommandRequest, Provenance, into_correction};
pub use error::Error;
pub use event_store::{EventMetadata, Evidence, TimePrecision};
pub use feed::{FeedEvent, FeedFilter, FeedPage, FeedSubscription};
pub use personal::Sealer;
pub use principal::{Principal, Role, Scope, ScopeError, UnknownRole};
pub use reads::Freshness;

use std::sync::Arc;

use event_store::EventStore;

/// How many times a command without an expected version is decided again after another write
/// changed its stream in between.
pub const MAX_ATTEMPTS: usize = 3;

/// The use cases, over one event store and, when it serves read models, their projector.
/// Cheap to clone; clones share both.
#[derive(Clone)]
pub struct App {
    store: EventStore,
    projector: Option<Arc<projector::Projector>>,
}

impl App {
    /// The use cases without read models: writes and the event feed only.
    pub fn new(store: EventStore) -> App {
        App {
            store,
            projector: None,
        }
    }

    /// The store underneath, for the server's shutdown (`close`) and for tests.
    pub fn store(&self) -> &EventStore {
        &self.store
    }

    /// Whether the store answers; `Unavailable` when it does not.
    pub async fn health(&self) -> Result<(), Error> {
        self.store.ping().await.map_err(Error::from)
    }
}
