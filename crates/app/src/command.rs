//! What a write use case takes and returns: a domain command aimed at one stream, and what it recorded.

use std::ops::Range;

use domain::{AggregateCommand, Event, RuleWarning};
use time::Date;
use uuid::Uuid;

use crate::error::Error;

/// `command` as the API's correction of the fact at `version` of `target`: the aggregate
/// re-records the command as the stream stood before that fact. A command writing elsewhere is
/// `CORRECTION_CHANGES_STREAM`.
pub fn into_correction(
    command: AggregateCommand,
    target: &str,
    version: u64,
    reason: String,
) -> Result<AggregateCommand, Error> {
    command
        .into_correction(target, version, reason)
        .map_err(|error| Error::from_domain(&error.into(), target))
}

/// A write request as the server hands it over, after authentication and field validation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommandRequest {
    pub command: AggregateCommand,
    /// The caller's idempotency key (AIP-155); a repeat returns the original outcome.
    pub request_id: String,
    /// The SHA-256 (64 lower-case hex characters) of the request's content: what a repeat of the
    /// same write carries unchanged (for the API, every field but `request_id` and
    /// `expected_version`). Stored with the events; a later request with the same id on the same
    /// stream and another digest is `RequestIdReused`. `None` compares nothing.
    pub content_digest: Option<String>,
    /// The stream version the caller read (number of events, 0 = no stream); `None` = decide on
    /// whatever is current, retrying a few times if another write lands in between.
    pub expected_version: Option<u64>,
    pub correlation_id: Option<String>,
    pub causation_id: Option<String>,
    pub trace_id: Option<String>,
    /// Where the fact came from and the documents supporting it, stored with every event written.
    pub provenance: Provenance,
    /// The recording date in China Standard Time, from the server's clock: the domain has none.
    pub today: Date,
}

/// `RecordContext.source` and `evidence`, validated by the server.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Provenance {
    /// `manual`, `platform` or `bulk`; `None` when the caller did not say.
    pub source: Option<String>,
    pub evidence: Vec<event_store::Evidence>,
}

/// What a successful (or repeated) write recorded; everything `medaid.v1.WriteResult` needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommandOutcome {
    pub stream_id: String,
    /// The stream's version after the write: the number of events in it, 1 for its first event.
    pub stream_version: u64,
    /// The global positions written, ascending.
    pub positions: Range<u64>,
    /// The event ids, in position order.
    pub event_ids: Vec<Uuid>,
    /// The RFC 9162 leaf hash of each event, in position order, as the store committed it: with
    /// the positions, the write's receipt (an auditor proves it against a signed checkpoint).
    pub leaf_hashes: Vec<event_store::Hash>,
    pub recorded_at_us: i64,
    /// The id part of the stream id when this write created the stream.
    pub created_id: Option<String>,
    /// True when the request id had been committed before and nothing new was written.
    pub replayed: bool,
    /// The events written (or, for a replay, recorded the first time), in position order: where a
    /// response finds the ids and figures the domain derived (a deployment id, on-site days).
    pub events: Vec<Event>,
    /// Rules the stream does not meet after the write that do not block it (team composition).
    pub warnings: Vec<RuleWarning>,
}

impl CommandOutcome {
    /// The id part of the stream id (after `category-`): the entity written.
    pub fn entity_id(&self) -> &str {
        self.stream_id
            .split_once('-')
            .map_or(self.stream_id.as_str(), |(_, id)| id)
    }

    /// The facts written: each event, or for a correction the fact that replaces its target.
    pub fn facts(&self) -> impl Iterator<Item = &Event> {
        self.events.iter().map(|e| match e {
            Event::EventCorrected(c) => c.replacement.as_ref(),
            other => other,
        })
    }
}
