//! What an event becomes on the broker: its subject and its message body.

use event_store::StoredEvent;
use serde::Serialize;
use serde_json::value::RawValue;

/// The province codes (six digits) of an event's scope, empty for a national event; `None` for an
/// event the domain cannot decode (it is still published, under the province token `unknown`).
pub fn provinces_of(event: &StoredEvent) -> Option<Vec<String>> {
    let decoded = codec::decode(event).ok()?;
    Some(
        decoded
            .scope()
            .provinces
            .iter()
            .map(|p| p.as_str().to_owned())
            .collect(),
    )
}

/// `<prefix>.<province>.<category>.<event_type>`; see the crate documentation for the province token.
pub fn subject_for(prefix: &str, event: &StoredEvent, provinces: Option<&[String]>) -> String {
    let province = match provinces {
        None => "unknown",
        Some([]) => "national",
        Some([one]) => one.as_str(),
        Some(_) => "multi",
    };
    format!(
        "{prefix}.{}.{}.{}",
        token(province),
        token(event.category()),
        token(&event.event_type)
    )
}

/// A subject token: no dots, spaces or wildcards (stream categories and event types never hold
/// them, but a subject is no place to find out).
fn token(text: &str) -> String {
    let cleaned: String = text
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '_' || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect();
    if cleaned.is_empty() {
        "_".to_owned()
    } else {
        cleaned
    }
}

#[derive(Serialize)]
struct Body<'a> {
    position: u64,
    stream_id: &'a str,
    stream_version: u64,
    event_id: uuid::Uuid,
    event_type: &'a str,
    schema_version: u32,
    /// The payload exactly as stored (the bytes the Merkle leaf commits to).
    payload: &'a RawValue,
    /// The metadata exactly as stored.
    metadata: &'a RawValue,
    occurred_from_us: i64,
    occurred_to_us: i64,
    recorded_at_us: i64,
    /// Hex of the event's Merkle leaf hash, to check against a proof from the audit service.
    leaf_hash: String,
    provinces: &'a [String],
}

/// The JSON body of an event's message.
pub fn message(event: &StoredEvent, provinces: &[String]) -> Vec<u8> {
    let body = Body {
        position: event.position,
        stream_id: &event.stream_id,
        stream_version: event.stream_version,
        event_id: event.event_id,
        event_type: &event.event_type,
        schema_version: event.schema_version,
        payload: &event.payload,
        metadata: &event.metadata,
        occurred_from_us: event.occurred.from_us,
        occurred_to_us: event.occurred.to_us,
        recorded_at_us: event.recorded_at_us,
        leaf_hash: hex::encode(event.leaf_hash.0),
        provinces,
    };
    // A struct of strings, numbers and already valid raw JSON always serializes.
    serde_json::to_vec(&body).unwrap_or_default()
}
