//! The limits on an append and the grammar of stream ids, event types and request ids.
//!
//! Everything here is checked before a request reaches the writer, so a refused request costs no
//! database work and can never leave anything half-written.

use ledger::sha256;
use uuid::Uuid;

use crate::error::AppendError;
use crate::model::{
    AppendCondition, AppendMetadata, Conditions, EventMetadata, ExpectedVersion, NewEvent,
    StreamCondition, TagQuery, TagQueryItem,
};

/// Bounds on what one append may carry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Most events in one append.
    pub max_events_per_append: usize,
    /// Largest serialized payload of one event, in bytes.
    pub max_payload_bytes: usize,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            max_events_per_append: 1_000,
            max_payload_bytes: 64 * 1024,
        }
    }
}

/// Longest stream id, event type or request id, in bytes.
pub const MAX_NAME_LEN: usize = 128;
/// Longest category (the part of a stream id before the first `-`).
pub const MAX_CATEGORY_LEN: usize = 32;
/// Longest metadata value (actor, correlation, causation and trace ids).
pub const MAX_METADATA_VALUE_LEN: usize = 256;
/// Most evidence entries on one append.
pub const MAX_EVIDENCE: usize = 20;
/// Longest evidence address or description, in bytes.
pub const MAX_EVIDENCE_TEXT_LEN: usize = 2048;

/// Most tags on one event: a founding alliance of 500 members is found by each of them.
pub const MAX_TAGS_PER_EVENT: usize = 1024;
/// Longest tag key (the part before the first `:`).
pub const MAX_TAG_KEY_LEN: usize = 32;
/// Most conditions on one append.
pub const MAX_CONDITIONS: usize = 16;
/// Most stream conditions (facts read by stream id) on one append: a command naming many
/// organisations reads each one's registration.
pub const MAX_STREAM_CONDITIONS: usize = 1024;
/// Most alternatives in one tag query.
pub const MAX_QUERY_ITEMS: usize = 16;
/// Most tags, and most event types, in one alternative of a tag query.
pub const MAX_ITEM_TERMS: usize = 8;

/// Checks a tag: `key:value`, where the key is `[a-z][a-z0-9_]*` of at most 32 characters and the
/// value is one or more characters, none of them whitespace or a control character; at most 128
/// bytes in all.
pub fn check_tag(tag: &str) -> Result<(), &'static str> {
    if tag.is_empty() || tag.len() > MAX_NAME_LEN {
        return Err("must be 1 to 128 bytes");
    }
    let Some((key, value)) = tag.split_once(':') else {
        return Err("must be key:value");
    };
    let mut chars = key.chars();
    if !chars.next().is_some_and(|c| c.is_ascii_lowercase()) {
        return Err("the key must start with a lowercase ascii letter");
    }
    if key.len() > MAX_TAG_KEY_LEN {
        return Err("the key must be at most 32 characters");
    }
    if !chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_') {
        return Err("the key may hold only a-z, 0-9 and _");
    }
    if value.is_empty() {
        return Err("the value must not be empty");
    }
    if value.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err("the value may hold no whitespace or control character");
    }
    Ok(())
}

/// Checks a tag query and puts it in its canonical form (each alternative's tags and types sorted
/// and without repeats; the first tag of an alternative keeps its place, since it drives the index).
pub fn check_tag_query(query: &TagQuery) -> Result<TagQuery, &'static str> {
    if query.items.is_empty() {
        return Err("a tag query must have at least one alternative");
    }
    if query.items.len() > MAX_QUERY_ITEMS {
        return Err("a tag query may have at most 16 alternatives");
    }
    let mut items = Vec::with_capacity(query.items.len());
    for item in &query.items {
        let Some((first, rest)) = item.tags.split_first() else {
            return Err("every alternative of a tag query needs at least one tag");
        };
        if item.tags.len() > MAX_ITEM_TERMS || item.event_types.len() > MAX_ITEM_TERMS {
            return Err("an alternative of a tag query may have at most 8 tags and 8 event types");
        }
        for tag in &item.tags {
            check_tag(tag)?;
        }
        for event_type in &item.event_types {
            check_event_type(event_type)?;
        }
        let mut others: Vec<String> = rest.iter().filter(|t| *t != first).cloned().collect();
        others.sort_unstable();
        others.dedup();
        let mut tags = vec![first.clone()];
        tags.extend(others);
        let mut event_types = item.event_types.clone();
        event_types.sort_unstable();
        event_types.dedup();
        items.push(TagQueryItem { tags, event_types });
    }
    Ok(TagQuery { items })
}

/// Checks a stream id: `category` or `category-rest`, where the category is `[a-z][a-z0-9_]*` of at
/// most 32 characters and the rest is one or more of `[A-Za-z0-9_.:@-]`; at most 128 characters.
pub fn check_stream_id(stream_id: &str) -> Result<(), &'static str> {
    if stream_id.is_empty() || stream_id.len() > MAX_NAME_LEN {
        return Err("must be 1 to 128 characters");
    }
    let (category, rest) = match stream_id.split_once('-') {
        Some((category, rest)) => (category, Some(rest)),
        None => (stream_id, None),
    };
    let mut chars = category.chars();
    if !chars.next().is_some_and(|c| c.is_ascii_lowercase()) {
        return Err("the category must start with a lowercase ascii letter");
    }
    if category.len() > MAX_CATEGORY_LEN {
        return Err("the category must be at most 32 characters");
    }
    if !chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_') {
        return Err("the category may hold only a-z, 0-9 and _");
    }
    if let Some(rest) = rest {
        if rest.is_empty() {
            return Err("a '-' must be followed by an id");
        }
        let allowed =
            |c: char| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | ':' | '@' | '-');
        if !rest.chars().all(allowed) {
            return Err("the id after the category may hold only A-Z, a-z, 0-9 and _ . : @ -");
        }
    }
    Ok(())
}

/// Checks an event type: an ascii letter, then letters, digits, `_` or `.`; at most 128 characters.
pub fn check_event_type(event_type: &str) -> Result<(), &'static str> {
    let mut chars = event_type.chars();
    if !chars.next().is_some_and(|c| c.is_ascii_alphabetic()) {
        return Err("must start with an ascii letter");
    }
    if event_type.len() > MAX_NAME_LEN {
        return Err("must be at most 128 characters");
    }
    if !chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.') {
        return Err("may hold only A-Z, a-z, 0-9, _ and .");
    }
    Ok(())
}

/// Checks a request id: 1 to 128 printable ascii characters without spaces.
pub fn check_request_id(request_id: &str) -> Result<(), &'static str> {
    if request_id.is_empty() || request_id.len() > MAX_NAME_LEN {
        return Err("must be 1 to 128 characters");
    }
    if !request_id.chars().all(|c| c.is_ascii_graphic()) {
        return Err("may hold only printable ascii characters without spaces");
    }
    Ok(())
}

/// An append that passed every check, with its payloads serialized once and its event ids assigned.
#[derive(Debug, Clone)]
pub(crate) struct ValidatedAppend {
    pub(crate) stream_id: String,
    pub(crate) expected: ExpectedVersion,
    /// In canonical form (`check_tag_query`); checked inside the group's transaction.
    pub(crate) conditions: Vec<AppendCondition>,
    /// Valid stream ids; checked inside the group's transaction.
    pub(crate) streams: Vec<StreamCondition>,
    pub(crate) request_id: String,
    pub(crate) events: Vec<ValidatedEvent>,
    /// The metadata JSON stored with every event of this append.
    pub(crate) metadata_json: String,
    pub(crate) actor: String,
    /// SHA-256 over what makes two appends "the same request", to tell a retry from a reuse.
    pub(crate) content_hash: [u8; 32],
}

#[derive(Debug, Clone)]
pub(crate) struct ValidatedEvent {
    pub(crate) event_id: Uuid,
    pub(crate) event_type: String,
    pub(crate) schema_version: u32,
    pub(crate) payload_json: String,
    pub(crate) occurred: crate::model::BusinessTime,
    /// Sorted, without repeats.
    pub(crate) tags: Vec<String>,
}

impl ValidatedAppend {
    pub(crate) fn new(
        limits: &Limits,
        stream_id: &str,
        expected: ExpectedVersion,
        conditions: Conditions,
        events: Vec<NewEvent>,
        request_id: &str,
        metadata: AppendMetadata,
    ) -> Result<ValidatedAppend, AppendError> {
        if events.is_empty() {
            return Err(AppendError::EmptyBatch);
        }
        if events.len() > limits.max_events_per_append {
            return Err(AppendError::TooManyEvents {
                count: events.len(),
                max: limits.max_events_per_append,
            });
        }
        check_stream_id(stream_id).map_err(|rule| AppendError::InvalidStreamId {
            stream_id: stream_id.to_owned(),
            rule,
        })?;
        check_request_id(request_id).map_err(|rule| AppendError::InvalidRequestId { rule })?;
        check_metadata(&metadata)?;
        let Conditions {
            tags: conditions,
            streams,
        } = conditions;
        if conditions.len() > MAX_CONDITIONS {
            return Err(AppendError::InvalidCondition {
                index: MAX_CONDITIONS,
                rule: "an append may carry at most 16 conditions",
            });
        }
        let conditions = conditions
            .into_iter()
            .enumerate()
            .map(|(index, condition)| {
                Ok(AppendCondition {
                    query: check_tag_query(&condition.query)
                        .map_err(|rule| AppendError::InvalidCondition { index, rule })?,
                    from_position: condition.from_position,
                })
            })
            .collect::<Result<Vec<_>, AppendError>>()?;
        if streams.len() > MAX_STREAM_CONDITIONS {
            return Err(AppendError::InvalidCondition {
                index: MAX_STREAM_CONDITIONS,
                rule: "an append may carry at most 1024 stream conditions",
            });
        }
        if let Some(index) = streams
            .iter()
            .position(|c| check_stream_id(&c.stream_id).is_err())
        {
            return Err(AppendError::InvalidCondition {
                index,
                rule: "a stream condition names an invalid stream id",
            });
        }

        let mut validated = Vec::with_capacity(events.len());
        for (index, event) in events.into_iter().enumerate() {
            check_event_type(&event.event_type).map_err(|rule| AppendError::InvalidEventType {
                index,
                event_type: event.event_type.clone(),
                rule,
            })?;
            if event.schema_version == 0 {
                return Err(AppendError::InvalidSchemaVersion { index });
            }
            if event.occurred.to_us < event.occurred.from_us {
                return Err(AppendError::InvalidBusinessTime { index });
            }
            // A `Value` always serializes; the fallback keeps this path free of panics.
            let payload_json = serde_json::to_string(&event.payload).unwrap_or_default();
            if payload_json.len() > limits.max_payload_bytes {
                return Err(AppendError::PayloadTooLarge {
                    index,
                    size: payload_json.len(),
                    max: limits.max_payload_bytes,
                });
            }
            if event.tags.len() > MAX_TAGS_PER_EVENT {
                return Err(AppendError::TooManyTags {
                    index,
                    count: event.tags.len(),
                    max: MAX_TAGS_PER_EVENT,
                });
            }
            if let Some((tag, rule)) = event
                .tags
                .iter()
                .find_map(|tag| check_tag(tag).err().map(|rule| (tag, rule)))
            {
                return Err(AppendError::InvalidTag {
                    index,
                    tag: tag.clone(),
                    rule,
                });
            }
            let mut tags = event.tags;
            tags.sort_unstable();
            tags.dedup();
            validated.push(ValidatedEvent {
                event_id: Uuid::now_v7(),
                event_type: event.event_type,
                schema_version: event.schema_version,
                payload_json,
                occurred: event.occurred,
                tags,
            });
        }

        let stored_metadata = EventMetadata {
            actor: metadata.actor.clone(),
            request_id: request_id.to_owned(),
            correlation_id: metadata.correlation_id,
            causation_id: metadata.causation_id,
            trace_id: metadata.trace_id,
            actor_org: metadata.actor_org,
            source: metadata.source,
            evidence: metadata.evidence,
            request_digest: metadata.request_digest,
        };
        let metadata_json = serde_json::to_string(&stored_metadata).unwrap_or_default();
        let content_hash = content_hash(stream_id, expected, &validated);
        Ok(ValidatedAppend {
            stream_id: stream_id.to_owned(),
            expected,
            conditions,
            streams,
            request_id: request_id.to_owned(),
            events: validated,
            metadata_json,
            actor: metadata.actor,
            content_hash,
        })
    }
}

fn check_metadata(metadata: &AppendMetadata) -> Result<(), AppendError> {
    let fields = [
        ("actor", Some(&metadata.actor)),
        ("correlation_id", metadata.correlation_id.as_ref()),
        ("causation_id", metadata.causation_id.as_ref()),
        ("trace_id", metadata.trace_id.as_ref()),
        ("actor_org", metadata.actor_org.as_ref()),
        ("source", metadata.source.as_ref()),
        ("request_digest", metadata.request_digest.as_ref()),
    ];
    if metadata.actor.is_empty() {
        return Err(AppendError::InvalidMetadata {
            field: "actor",
            rule: "must not be empty",
        });
    }
    for (field, value) in fields {
        if value
            .is_some_and(|v| v.len() > MAX_METADATA_VALUE_LEN || v.chars().any(char::is_control))
        {
            return Err(AppendError::InvalidMetadata {
                field,
                rule: "must be at most 256 bytes without control characters",
            });
        }
    }
    if metadata.evidence.len() > MAX_EVIDENCE {
        return Err(AppendError::InvalidMetadata {
            field: "evidence",
            rule: "must have at most 20 entries",
        });
    }
    let texts = metadata.evidence.iter().flat_map(|e| {
        [Some(&e.uri), e.sha256.as_ref(), e.description.as_ref()]
            .into_iter()
            .flatten()
    });
    for text in texts {
        if text.len() > MAX_EVIDENCE_TEXT_LEN || text.chars().any(char::is_control) {
            return Err(AppendError::InvalidMetadata {
                field: "evidence",
                rule: "each text must be at most 2048 bytes without control characters",
            });
        }
    }
    Ok(())
}

/// Hashes the parts of an append that a retry repeats: stream, expectation, and each event's type,
/// schema version, business time and payload. Metadata is left out on purpose, because a retry
/// legitimately carries a new trace id. So are tags (derived from the payload) and conditions: a
/// retry decided again on fresh facts carries a later `from_position`, and a request already
/// recorded was decided once and for all.
fn content_hash(stream_id: &str, expected: ExpectedVersion, events: &[ValidatedEvent]) -> [u8; 32] {
    let mut bytes = Vec::new();
    let mut put = |part: &[u8]| {
        bytes.extend_from_slice(&(part.len() as u64).to_be_bytes());
        bytes.extend_from_slice(part);
    };
    put(stream_id.as_bytes());
    put(format!("{expected:?}").as_bytes());
    for event in events {
        put(event.event_type.as_bytes());
        put(&event.schema_version.to_be_bytes());
        put(&event.occurred.from_us.to_be_bytes());
        put(&event.occurred.to_us.to_be_bytes());
        put(&[event.occurred.precision.code()]);
        put(event.payload_json.as_bytes());
    }
    sha256(&bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stream_ids_follow_the_grammar() {
        for good in [
            "batch",
            "batch-42",
            "gap-county.620422.vats",
            "pairing-0190e3c1-aaaa",
            "a_b-X:y@z",
        ] {
            assert_eq!(check_stream_id(good), Ok(()), "{good}");
        }
        for bad in [
            "",
            "Batch-1",
            "1batch",
            "batch-",
            "batch-a b",
            "bat ch",
            "ba-tch-中",
        ] {
            assert!(check_stream_id(bad).is_err(), "{bad}");
        }
        assert!(check_stream_id(&format!("a-{}", "x".repeat(127))).is_err());
        assert!(check_stream_id(&format!("{}-x", "a".repeat(33))).is_err());
    }

    #[test]
    fn event_types_follow_the_grammar() {
        assert_eq!(check_event_type("BatchDispatched"), Ok(()));
        assert_eq!(check_event_type("medaid.v1.Thing_2"), Ok(()));
        for bad in ["", "1Thing", "Batch Dispatched", "Batch-Dispatched"] {
            assert!(check_event_type(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn tags_follow_the_grammar() {
        for good in [
            "practitioner:P-0001",
            "gap:county/620422/vats",
            "hospital:12110000400000000X",
            "a_1:中",
        ] {
            assert_eq!(check_tag(good), Ok(()), "{good}");
        }
        for bad in [
            "",
            "practitioner",
            ":x",
            "Practitioner:x",
            "p-x:y",
            "p:",
            "p:a b",
            "p:a\u{7}",
        ] {
            assert!(check_tag(bad).is_err(), "{bad}");
        }
        assert!(check_tag(&format!("p:{}", "x".repeat(127))).is_err());
        assert!(check_tag(&format!("{}:x", "k".repeat(33))).is_err());
    }

    #[test]
    fn a_tag_query_keeps_its_driving_tag_first_and_needs_a_tag_per_alternative() {
        let query = TagQuery::default().or_tags(["z:1", "b:2", "a:3", "b:2", "z:1"], ["T", "T"]);
        let canonical = check_tag_query(&query).unwrap();
        assert_eq!(canonical.items[0].tags, ["z:1", "a:3", "b:2"]);
        assert_eq!(canonical.items[0].event_types, ["T"]);
        assert!(check_tag_query(&TagQuery::default()).is_err());
        let no_tag = TagQuery::default().or_tags([] as [&str; 0], ["T"]);
        assert!(check_tag_query(&no_tag).is_err());
        assert!(check_tag_query(&TagQuery::tag("bad")).is_err());
    }

    #[test]
    fn request_ids_are_printable_ascii() {
        assert_eq!(
            check_request_id("0190e3c1-7f5e-7000-8000-000000000000"),
            Ok(())
        );
        assert!(check_request_id("").is_err());
        assert!(check_request_id("a b").is_err());
    }
}
