//! The parts every write request shares: request id, expected version, record context; and the
//! `WriteResult` every write response carries.

use api::medaid::v1 as pb;
use app::{CommandOutcome, CommandRequest, DomainCommand};
use domain::values::{ValidationError, ValueProblem};
use time::{Date, OffsetDateTime, UtcOffset};

use super::event::timestamp;

/// The shared fields of a write request, borrowed from the generated message.
pub struct WriteFields<'a> {
    pub request_id: &'a str,
    pub expected_version: Option<&'a pb::ExpectedVersion>,
    pub context: Option<&'a pb::RecordContext>,
}

/// Today's date in China Standard Time (UTC+8), the recording date the domain decides against.
pub fn today_in_china() -> Date {
    let offset = UtcOffset::from_hms(8, 0, 0).unwrap_or(UtcOffset::UTC);
    OffsetDateTime::now_utc().to_offset(offset).date()
}

fn expected_version(value: Option<&pb::ExpectedVersion>) -> Option<u64> {
    match value.and_then(|v| v.expectation.as_ref()) {
        Some(pb::expected_version::Expectation::Exact(version)) => Some(*version),
        Some(pb::expected_version::Expectation::NoStream(true)) => Some(0),
        Some(pb::expected_version::Expectation::NoStream(false)) | None => None,
    }
}

fn non_empty(value: &str) -> Option<String> {
    (!value.is_empty()).then(|| value.to_owned())
}

/// Wraps a converted command into the use-case request.
pub fn request(
    fields: &WriteFields<'_>,
    command: DomainCommand,
    trace_id: Option<String>,
) -> Result<CommandRequest, ValidationError> {
    if fields.request_id.trim().is_empty() {
        return Err(ValueProblem::Empty.at("request_id"));
    }
    let context = fields.context;
    Ok(CommandRequest {
        command,
        request_id: fields.request_id.to_owned(),
        expected_version: expected_version(fields.expected_version),
        correlation_id: context.and_then(|c| non_empty(&c.correlation_id)),
        causation_id: context.and_then(|c| non_empty(&c.causation_id)),
        trace_id,
        today: today_in_china(),
    })
}

/// The `WriteResult` of a recorded (or replayed) write.
pub fn write_result(outcome: &CommandOutcome) -> pb::WriteResult {
    pb::WriteResult {
        stream_id: outcome.stream_id.clone(),
        stream_version: outcome.stream_version,
        positions: outcome.positions.clone().collect(),
        event_ids: outcome.event_ids.iter().map(ToString::to_string).collect(),
        recorded_at: Some(timestamp(outcome.recorded_at_us)),
    }
}
