//! Feed events to their proto form, as the event feed returns them.

use api::medaid::v1 as pb;
use app::{FeedEvent, TimePrecision};

/// A proto timestamp for microseconds since the Unix epoch.
pub fn timestamp(us: i64) -> prost_types::Timestamp {
    let seconds = us.div_euclid(1_000_000);
    let nanos = i32::try_from(us.rem_euclid(1_000_000) * 1_000).unwrap_or(0);
    prost_types::Timestamp { seconds, nanos }
}

fn precision(precision: TimePrecision) -> pb::TimePrecision {
    match precision {
        TimePrecision::Year => pb::TimePrecision::Year,
        TimePrecision::Month => pb::TimePrecision::Month,
        TimePrecision::Day => pb::TimePrecision::Day,
        TimePrecision::Second | TimePrecision::Microsecond => pb::TimePrecision::Instant,
    }
}

fn metadata(event: &FeedEvent) -> pb::EventMetadata {
    let mut out = pb::EventMetadata {
        province_codes: event.provinces.clone(),
        ..pb::EventMetadata::default()
    };
    if let Some(stored) = &event.metadata {
        out.actor = Some(pb::Actor {
            subject: stored.actor.clone(),
            org_credit_code: stored.actor_org.clone().unwrap_or_default(),
        });
        out.request_id = stored.request_id.clone();
        out.correlation_id = stored.correlation_id.clone().unwrap_or_default();
        out.causation_id = stored.causation_id.clone().unwrap_or_default();
        out.trace_id = stored.trace_id.clone().unwrap_or_default();
        out.source = source(stored.source.as_deref()).into();
        out.evidence = stored.evidence.iter().map(evidence).collect();
    }
    out
}

/// The stored source name (written by the write pipeline) back to its enum.
fn source(stored: Option<&str>) -> pb::RecordSource {
    match stored {
        Some("manual") => pb::RecordSource::Manual,
        Some("platform") => pb::RecordSource::Platform,
        Some("bulk") => pb::RecordSource::Bulk,
        _ => pb::RecordSource::Unspecified,
    }
}

fn evidence(stored: &app::Evidence) -> pb::Evidence {
    let sha256 = stored.sha256.as_deref().map_or_else(Vec::new, |hex| {
        (0..hex.len() / 2)
            .filter_map(|i| u8::from_str_radix(hex.get(2 * i..2 * i + 2)?, 16).ok())
            .collect()
    });
    pb::Evidence {
        uri: stored.uri.clone(),
        sha256,
        description: stored.description.clone().unwrap_or_default(),
    }
}

/// The proto form of a feed event. The payload and metadata JSON pass through byte for byte, so that
/// clients can recompute the leaf hash.
pub fn event(event: &FeedEvent) -> pb::Event {
    pb::Event {
        position: event.position,
        stream_id: event.stream_id.clone(),
        stream_version: event.stream_version,
        event_id: event.event_id.to_string(),
        event_type: event.event_type.clone(),
        schema_version: event.schema_version,
        payload: event.payload_json.clone(),
        metadata: Some(metadata(event)),
        metadata_json: event.metadata_json.clone(),
        occurred_at: event.occurred_at.clone().unwrap_or_default(),
        occurred_from: Some(timestamp(event.occurred.from_us)),
        occurred_to: Some(timestamp(event.occurred.to_us)),
        precision: precision(event.occurred.precision).into(),
        recorded_at: Some(timestamp(event.recorded_at_us)),
        leaf_hash: event.leaf_hash.to_vec(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_split_microseconds() {
        let ts = timestamp(1_500_000);
        assert_eq!((ts.seconds, ts.nanos), (1, 500_000_000));
        let ts = timestamp(-1);
        assert_eq!((ts.seconds, ts.nanos), (-1, 999_999_000));
    }
}
