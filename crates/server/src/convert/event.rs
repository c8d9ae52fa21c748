//! Feed events to their proto form, as the event feed returns them.

use api::medaid::v1 as pb;
use app::{FeedEvent, TimePrecision};

/// The first and last second a `google.protobuf.Timestamp` may hold (0001-01-01T00:00:00Z and
/// 9999-12-31T23:59:59Z); JSON clients refuse anything outside.
const MIN_TIMESTAMP_SECONDS: i64 = -62_135_596_800;
const MAX_TIMESTAMP_SECONDS: i64 = 253_402_300_799;

/// A proto timestamp for microseconds since the Unix epoch, clamped to the range every client decodes.
///
/// The domain accepts only business dates from 1900 to 2199, so the clamp only matters for events an
/// earlier server version accepted: their feed stays readable in JSON instead of failing the page.
pub fn timestamp(us: i64) -> prost_types::Timestamp {
    let seconds = us.div_euclid(1_000_000);
    let nanos = i32::try_from(us.rem_euclid(1_000_000) * 1_000).unwrap_or(0);
    if seconds < MIN_TIMESTAMP_SECONDS {
        prost_types::Timestamp {
            seconds: MIN_TIMESTAMP_SECONDS,
            nanos: 0,
        }
    } else if seconds > MAX_TIMESTAMP_SECONDS {
        prost_types::Timestamp {
            seconds: MAX_TIMESTAMP_SECONDS,
            nanos: 999_999_999,
        }
    } else {
        prost_types::Timestamp { seconds, nanos }
    }
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

    #[test]
    fn timestamps_stay_inside_what_json_clients_decode() {
        let low = timestamp(i64::MIN);
        assert_eq!((low.seconds, low.nanos), (MIN_TIMESTAMP_SECONDS, 0));
        let high = timestamp(i64::MAX);
        assert_eq!(
            (high.seconds, high.nanos),
            (MAX_TIMESTAMP_SECONDS, 999_999_999)
        );
        // Year 0 (as stored for "0000-01-01" before business dates were bounded) is before year 1.
        let year_zero_us = (MIN_TIMESTAMP_SECONDS - 366 * 86_400) * 1_000_000;
        assert_eq!(timestamp(year_zero_us).seconds, MIN_TIMESTAMP_SECONDS);
    }
}
