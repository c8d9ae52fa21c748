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
//! | [`mentorship_board`] | mentor → apprentices, ratios against the limit, orphaned apprentices, milestones, independence |
//! | [`technique_diffusion`] | which hospitals perform technique T since when and by whom; gaps by level and region; sustainability |
//! | [`network`] | alliances and members, platforms, advanced-study flows |
//! | [`scoreboard`] | cumulative figures per pairing, rolled up through child pairings |
//! | [`capability`] | grade history and expiry, certified centres, service lines, co-built specialties |
//! | [`targets`] | agreement targets against the log, assessment results, term compliance |
//! | [`practitioners`] | the practitioner directory: name (opened with the practitioner's key, or erased), title, department, employer |
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
pub mod mentorship_board;
pub mod names;
pub mod network;
pub mod practitioners;
pub mod roster;
pub mod scoreboard;
pub mod targets;
pub mod technique_diffusion;
pub mod timeline;

pub use fact::FactProjection;
pub use page::{Answer, MAX_PAGE_SIZE, Page, PageRequest, QueryError};
pub use query::{Query, Subject, View, Visible};

/// Event types no read model reads, each with the reason. Every other type in
/// `domain::events::EVENT_TYPES` must be read by at least one model (a test holds it), so that a new
/// event cannot be recorded and then silently ignored by every answer.
pub const UNPROJECTED: &[(&str, &str)] = &[
    (
        "ProgramDefined",
        "the models read a program's parameters from the snapshot PairingEstablished carries",
    ),
    (
        "ProgramParametersRevised",
        "a revision binds later pairings, whose PairingEstablished carries the revised snapshot",
    ),
    (
        "PairingRestructured",
        "no model answers which pairing succeeded which yet; the successor is its own pairing",
    ),
    (
        "PairingEnded",
        "no model answers whether a pairing is still active yet; its facts stay counted",
    ),
    (
        "ShortVisitConducted",
        "no model counts short visits (巡诊) yet; the scoreboard counts stationed teams",
    ),
];

/// Every read model, for the runner to start (`projector::Projector::start`).
pub fn all() -> Vec<Arc<dyn Projection>> {
    [
        roster::PROJECTION,
        timeline::PROJECTION,
        mentorship_board::PROJECTION,
        technique_diffusion::PROJECTION,
        network::PROJECTION,
        scoreboard::PROJECTION,
        capability::PROJECTION,
        targets::PROJECTION,
        practitioners::PROJECTION,
    ]
    .into_iter()
    .map(|p| Arc::new(p) as Arc<dyn Projection>)
    .collect()
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;

    /// The event types some read model reads.
    fn projected() -> BTreeSet<String> {
        all()
            .iter()
            .flat_map(|projection| projection.filter().event_types)
            .collect()
    }

    #[test]
    fn every_event_type_is_projected_or_listed_as_unprojected() {
        let projected = projected();
        let unprojected: BTreeSet<&str> = UNPROJECTED.iter().map(|(name, _)| *name).collect();
        let forgotten: Vec<&str> = domain::events::EVENT_TYPES
            .iter()
            .copied()
            .filter(|t| !projected.contains(*t) && !unprojected.contains(t))
            .collect();
        assert_eq!(forgotten, Vec::<&str>::new(), "no read model reads these");
        let listed_but_read: Vec<&&str> = unprojected
            .iter()
            .filter(|t| projected.contains(**t))
            .collect();
        assert!(listed_but_read.is_empty(), "{listed_but_read:?} are read");
    }

    #[test]
    fn every_type_a_table_reads_is_an_event_type() {
        let unknown: Vec<String> = projected()
            .into_iter()
            .filter(|t| !domain::events::EVENT_TYPES.contains(&t.as_str()))
            .collect();
        assert_eq!(unknown, Vec::<String>::new(), "misspelled event types");
    }
}
