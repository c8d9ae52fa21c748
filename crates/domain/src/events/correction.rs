//! Corrections and retractions: new events that point at the event they amend, by stream and version.

use serde::{Deserialize, Serialize};

use super::{Event, EventPayload, EventScope};
use crate::values::BusinessTime;

/// The address of one event in the log: its stream and its version in that stream
/// (1 for the stream's first event, as in the event store).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct EventRef {
    pub stream: String,
    pub version: u64,
}

/// Replaces the payload of an earlier fact; the replacement has the same type and stream.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventCorrected {
    pub target: EventRef,
    pub replacement: Box<Event>,
    /// The schema version the replacement was written with, so that reading upcasts it too.
    pub replacement_schema_version: u32,
    pub reason: String,
}

/// Withdraws an earlier fact. The retracted event's scope is copied so that feed filters and
/// authorization see the retraction where they saw the fact.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventRetracted {
    pub target: EventRef,
    pub target_type: String,
    pub target_scope: EventScope,
    pub target_occurred_at: BusinessTime,
    pub reason: String,
}

impl EventPayload for EventCorrected {
    const TYPE: &'static str = "EventCorrected";
    fn stream_id(&self) -> String {
        self.target.stream.clone()
    }
    fn scope(&self) -> EventScope {
        self.replacement.scope()
    }
    fn occurred_at(&self) -> BusinessTime {
        self.replacement.occurred_at()
    }
}

impl EventPayload for EventRetracted {
    const TYPE: &'static str = "EventRetracted";
    fn stream_id(&self) -> String {
        self.target.stream.clone()
    }
    fn scope(&self) -> EventScope {
        self.target_scope.clone()
    }
    fn occurred_at(&self) -> BusinessTime {
        self.target_occurred_at
    }
}
