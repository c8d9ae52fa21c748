//! The store's vocabulary: what goes into an append, what comes out of a read.
//!
//! Nothing here knows a domain type. An event is a type name, a schema version, a JSON payload, the
//! business time it is about, and the metadata of the request that wrote it.

use std::ops::Range;

use ledger::{Hash, LeafV1};
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;
use uuid::Uuid;

/// What the writer expects the stream's version to be before the append.
///
/// A stream's version is the number of events in it: the first event of a stream has version 1, and a
/// stream that does not exist has version 0.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ExpectedVersion {
    /// Append whatever the stream's version is.
    Any,
    /// The stream must not exist yet (version 0).
    NoStream,
    /// The stream must be at exactly this version; `Exact(0)` is the same as `NoStream`.
    Exact(u64),
}

impl ExpectedVersion {
    /// Whether a stream at `actual` satisfies this expectation.
    pub fn admits(self, actual: u64) -> bool {
        match self {
            ExpectedVersion::Any => true,
            ExpectedVersion::NoStream => actual == 0,
            ExpectedVersion::Exact(expected) => actual == expected,
        }
    }
}

/// How precisely the business time of an event is known.
///
/// Reports often give only a day or a month ("2016-04"), so a period is stored with the precision its
/// source had, and read models never invent precision that was not there.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[repr(u8)]
pub enum TimePrecision {
    Microsecond = 0,
    Second = 1,
    Day = 2,
    Month = 3,
    Year = 4,
}

impl TimePrecision {
    /// The code stored in the database and in the leaf.
    pub fn code(self) -> u8 {
        self as u8
    }

    /// The precision for a stored code, if the code is known.
    pub fn from_code(code: u8) -> Option<TimePrecision> {
        Some(match code {
            0 => TimePrecision::Microsecond,
            1 => TimePrecision::Second,
            2 => TimePrecision::Day,
            3 => TimePrecision::Month,
            4 => TimePrecision::Year,
            _ => return None,
        })
    }
}

/// When the fact happened in the world: an instant (`from == to`) or a closed period, in microseconds
/// since the Unix epoch, with the precision the source gave.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct BusinessTime {
    pub from_us: i64,
    pub to_us: i64,
    pub precision: TimePrecision,
}

impl BusinessTime {
    /// An instant known to the microsecond.
    pub fn instant(at_us: i64) -> BusinessTime {
        BusinessTime {
            from_us: at_us,
            to_us: at_us,
            precision: TimePrecision::Microsecond,
        }
    }
}

/// An event to append: its type, schema version, payload and business time.
#[derive(Debug, Clone, PartialEq)]
pub struct NewEvent {
    /// An ASCII name such as `BatchDispatched`; see [`crate::limits`] for the exact grammar.
    pub event_type: String,
    /// The version of the payload's schema, starting at 1, so readers can upcast older payloads.
    pub schema_version: u32,
    pub payload: serde_json::Value,
    pub occurred: BusinessTime,
    /// `key:value` tags (see [`crate::limits::check_tag`]) that conditional appends and
    /// [`crate::EventStore::read_by_tags`] find the event by, such as `practitioner:…`. The store
    /// gives them no meaning; the caller derives them from the payload. They are derived data
    /// outside the Merkle leaf (ARCHITECTURE.md, "Tags"). Order and repeats do not matter.
    pub tags: Vec<String>,
}

/// One alternative of a [`TagQuery`]: events carrying every one of `tags` and, unless
/// `event_types` is empty, of one of those types.
///
/// The first tag drives the index lookup; the others and the types are checked on its matches, so
/// the most selective tag goes first.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct TagQueryItem {
    /// One or more tags, all required.
    pub tags: Vec<String>,
    /// Event types, any of which matches; empty means any type.
    pub event_types: Vec<String>,
}

/// Which events a decision's facts come from: those matching any of its items.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct TagQuery {
    /// One or more alternatives.
    pub items: Vec<TagQueryItem>,
}

impl TagQuery {
    /// Events carrying `tag`, of any type.
    pub fn tag(tag: impl Into<String>) -> TagQuery {
        TagQuery::default().or_tags([tag.into()], [] as [String; 0])
    }

    /// This query, or events carrying all of `tags` with one of `event_types` (any type when empty).
    pub fn or_tags(
        mut self,
        tags: impl IntoIterator<Item = impl Into<String>>,
        event_types: impl IntoIterator<Item = impl Into<String>>,
    ) -> TagQuery {
        self.items.push(TagQueryItem {
            tags: tags.into_iter().map(Into::into).collect(),
            event_types: event_types.into_iter().map(Into::into).collect(),
        });
        self
    }
}

/// A condition of an append: no event matching `query` may hold a position at or after
/// `from_position`. A caller that read its facts with [`crate::EventStore::read_by_tags`] passes the
/// query it used and the [`TaggedEvents::up_to_position`] it got, so the append fails, as
/// [`crate::AppendError::ConditionViolated`], if a matching event was written since.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct AppendCondition {
    pub query: TagQuery,
    pub from_position: u64,
}

/// A condition of an append on a fact read by stream id: `stream_id` stood at `version` (its
/// number of events, 0 for none) when the caller read it, and the append fails, as
/// [`crate::AppendError::StreamMoved`], if the stream holds another version by then. The writer
/// reads the version under the head lock, with the versions it reads for expected versions, so an
/// append earlier in the same group that moved the stream breaks it too.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct StreamCondition {
    pub stream_id: String,
    pub version: u64,
}

/// Every condition of one append ([`crate::EventStore::append_decided`]): on tag queries and on
/// streams read by id.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Conditions {
    pub tags: Vec<AppendCondition>,
    pub streams: Vec<StreamCondition>,
}

/// The answer of [`crate::EventStore::read_by_tags`].
#[derive(Debug, Clone, PartialEq)]
pub struct TaggedEvents {
    /// Every matching event below `up_to_position`, in position order.
    pub events: Vec<StoredEvent>,
    /// The log size the read covers: the one asked for, or the committed head if that was smaller.
    /// The position an [`AppendCondition`] on the same query starts at.
    pub up_to_position: u64,
}

/// Who and what caused an append; stored with each of its events.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AppendMetadata {
    /// The authenticated caller, taken from verified credentials, never from a request body.
    pub actor: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub correlation_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub causation_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trace_id: Option<String>,
    /// The caller's organisation (unified social credit code), when its credentials carry one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub actor_org: Option<String>,
    /// Where the fact came from, as the caller said (`manual`, `platform`, `bulk`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// Documents that support the fact: addresses and digests, never the documents.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub evidence: Vec<Evidence>,
    /// The SHA-256 (64 lower-case hex characters) of the request's content, as the caller's side
    /// defines it, so that a repeated request id can be told from a reused one before deciding
    /// again. Opaque to the store. Events appended before it existed have none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_digest: Option<String>,
}

/// A document that supports a recorded fact: where to fetch it and, optionally, its SHA-256.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Evidence {
    pub uri: String,
    /// The SHA-256 of the document, 64 lower-case hex characters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sha256: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

/// The metadata stored with an event: the append's metadata plus the request id that wrote it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventMetadata {
    pub actor: String,
    pub request_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub correlation_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub causation_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trace_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub actor_org: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub evidence: Vec<Evidence>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_digest: Option<String>,
}

/// The answer to a successful append, and the answer repeated for a retried request id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppendResult {
    /// The global position of the first event written.
    pub first_position: u64,
    /// How many events were written; they hold consecutive positions.
    pub event_count: u32,
    /// The stream's version after the append (the version of its last event).
    pub stream_version: u64,
    /// The record time the store gave the events.
    pub recorded_at_us: i64,
    /// The RFC 9162 leaf hash of each event written, in position order: the hashes committed in the
    /// append's transaction (for a retried request id, read back from the stored events). With a
    /// position, the receipt an inclusion proof is later asked for.
    pub leaf_hashes: Vec<Hash>,
    /// The id the store gave each event written, in position order, so that the writer needs no
    /// read to learn them.
    pub event_ids: Vec<Uuid>,
}

impl AppendResult {
    /// The global positions written.
    pub fn positions(&self) -> Range<u64> {
        self.first_position..self.first_position + u64::from(self.event_count)
    }
}

/// An append the store has recorded under a request id ([`crate::EventStore::recorded_request`]).
#[derive(Debug, Clone, PartialEq)]
pub struct RecordedRequest {
    /// The stream the append wrote to.
    pub stream_id: String,
    /// What the append answered.
    pub result: AppendResult,
}

/// An event as stored in the log.
#[derive(Debug, Clone)]
pub struct StoredEvent {
    /// Dense, gap-free position in the global log, from 0; also the event's Merkle leaf index.
    pub position: u64,
    pub stream_id: String,
    /// The event's version within its stream, from 1.
    pub stream_version: u64,
    pub event_id: Uuid,
    pub event_type: String,
    pub schema_version: u32,
    /// The payload exactly as stored; its bytes are what the leaf commits to.
    pub payload: Box<RawValue>,
    /// The metadata exactly as stored; its bytes are what the leaf commits to.
    pub metadata: Box<RawValue>,
    pub occurred: BusinessTime,
    /// Record time set by the store, never going backwards along the log.
    pub recorded_at_us: i64,
    pub leaf_hash: Hash,
}

impl PartialEq for StoredEvent {
    fn eq(&self, other: &StoredEvent) -> bool {
        // Raw JSON compares by its stored text, which is what the leaf commits to.
        self.position == other.position
            && self.stream_id == other.stream_id
            && self.stream_version == other.stream_version
            && self.event_id == other.event_id
            && self.event_type == other.event_type
            && self.schema_version == other.schema_version
            && self.payload.get() == other.payload.get()
            && self.metadata.get() == other.metadata.get()
            && self.occurred == other.occurred
            && self.recorded_at_us == other.recorded_at_us
            && self.leaf_hash == other.leaf_hash
    }
}

impl StoredEvent {
    /// The stream's category: the part of the stream id before the first `-`.
    pub fn category(&self) -> &str {
        category_of(&self.stream_id)
    }

    /// The metadata, parsed.
    pub fn parsed_metadata(&self) -> Result<EventMetadata, serde_json::Error> {
        serde_json::from_str(self.metadata.get())
    }

    /// The leaf this event commits to, rebuilt from its stored fields.
    ///
    /// Comparing its hash with [`StoredEvent::leaf_hash`] detects an altered row.
    pub fn leaf_hash_recomputed(&self) -> Result<Hash, serde_json::Error> {
        let metadata = self.parsed_metadata()?;
        Ok(LeafV1 {
            position: self.position,
            event_id: *self.event_id.as_bytes(),
            recorded_at_us: self.recorded_at_us,
            stream_id: &self.stream_id,
            stream_version: self.stream_version,
            event_type: &self.event_type,
            schema_version: self.schema_version,
            occurred_from_us: self.occurred.from_us,
            occurred_to_us: self.occurred.to_us,
            time_precision: self.occurred.precision.code(),
            actor: &metadata.actor,
            payload: self.payload.get().as_bytes(),
            metadata: self.metadata.get().as_bytes(),
        }
        .hash())
    }
}

/// The category of a stream id: the part before the first `-`, or the whole id if it has none.
pub fn category_of(stream_id: &str) -> &str {
    stream_id
        .split_once('-')
        .map_or(stream_id, |(category, _)| category)
}

/// Which events a read or a subscription wants. Empty lists mean "all".
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EventFilter {
    /// Stream categories, such as `batch` for streams named `batch-…`.
    pub categories: Vec<String>,
    pub event_types: Vec<String>,
}

impl EventFilter {
    /// Whether the filter lets every event through.
    pub fn is_all(&self) -> bool {
        self.categories.is_empty() && self.event_types.is_empty()
    }

    /// Whether an event passes the filter.
    pub fn matches(&self, event: &StoredEvent) -> bool {
        (self.categories.is_empty() || self.categories.iter().any(|c| c == event.category()))
            && (self.event_types.is_empty() || self.event_types.contains(&event.event_type))
    }
}

/// One page of the global log.
#[derive(Debug, Clone, PartialEq)]
pub struct EventPage {
    pub events: Vec<StoredEvent>,
    /// Where the next read should start. With a filter this can be past the last event returned,
    /// because the events in between were scanned and did not match.
    pub next_position: u64,
}

/// The committed end of the log.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LogHead {
    /// How many events the log holds, which is also the next position to be written.
    pub size: u64,
    /// The record time of the last append, or 0 for an empty log.
    pub last_recorded_at_us: i64,
}
