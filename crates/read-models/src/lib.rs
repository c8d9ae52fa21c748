//! The read models of medaid and their queries.
//!
//! Each read model is a [`projector::Projection`] ([`FactProjection`]) plus query functions that take
//! an `sqlx::AnyPool`, the table prefix of the active version and the log position that version
//! reflects (both from the projector), and return typed answers stamped with that position.
//!
//! | module | questions |
//! |---|---|
//! | [`roster`] | who is on site at hospital X on day D, by batch, title, post, department; days left; below-minimum terms; 1+N对1 group staffing |
//! | [`timeline`] | batches per pairing with dates and members; overlaps; handovers |
//! | [`mentorship`] | mentor → apprentices, ratios against the limit, orphaned apprentices, milestones, independence |
//! | [`technique`] | which hospitals perform technique T since when and by whom; gaps by level and region; sustainability |
//! | [`network`] | alliances and members, platforms, advanced-study flows |
//! | [`scoreboard`] | cumulative figures per pairing, rolled up through child pairings |
//! | [`capability`] | grade history and expiry, certified centres, service lines, co-built specialties |
//! | [`targets`] | agreement targets against the log, assessment results, term compliance |
//!
//! Every question is also a type implementing [`Query`] (its arguments, the [`Subject`] to
//! authorize, the projection and how to run), which is how `app` runs all of them alike.
//!
//! Storage is the same for all: fact tables with one row per source event, keyed by the event's
//! `(stream, version)`, so that corrections and retractions replace or remove exactly their target
//! (see [`fact`]). It depends on the projector, the domain and the event store; never on gRPC.

use std::sync::Arc;

use projector::Projection;

mod dates;
pub mod fact;
mod page;
mod query;
mod stints;

pub mod capability;
pub mod mentorship;
pub mod network;
pub mod roster;
pub mod scoreboard;
pub mod targets;
pub mod technique;
pub mod timeline;

pub use fact::FactProjection;
pub use page::{Answer, MAX_PAGE_SIZE, Page, PageRequest, QueryError};
pub use query::{Query, Subject, View, Visible};

/// Every read model, for the runner to start (`projector::Projector::start`).
pub fn all() -> Vec<Arc<dyn Projection>> {
    [
        roster::PROJECTION,
        timeline::PROJECTION,
        mentorship::PROJECTION,
        technique::PROJECTION,
        network::PROJECTION,
        scoreboard::PROJECTION,
        capability::PROJECTION,
        targets::PROJECTION,
    ]
    .into_iter()
    .map(|p| Arc::new(p) as Arc<dyn Projection>)
    .collect()
}
