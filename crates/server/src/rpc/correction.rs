//! `medaid.v1.CorrectionService` requests: a retraction aimed at any stream, named by its id.

use api::medaid::v1 as pb;
use domain::AggregateCommand;

use super::write::{Ids, plain_rpcs, write_service};
use api::medaid::v1::correction_service_server::CorrectionService;
use domain::values::{ValidationError, ValueProblem};

/// The longest retraction reason (`RetractEventRequest.reason`).
const MAX_REASON: usize = 500;

/// `RetractEvent`: withdraws the fact at `stream_version` of `stream_id`, any aggregate's stream
/// (the registry in `domain::aggregates::registry` reads the stream id back to its aggregate).
pub fn retract(
    req: &pb::RetractEventRequest,
    _: &Ids<'_>,
) -> Result<AggregateCommand, ValidationError> {
    if req.stream_version == 0 {
        return Err(ValueProblem::NotPositive.at("stream_version"));
    }
    domain::values::check_multiline_text("reason", &req.reason, MAX_REASON)?;
    AggregateCommand::retraction(&req.stream_id, req.stream_version, req.reason.clone())
        .map_err(|problem| problem.at("stream_id"))
}

plain_rpcs! {
    RetractEvent(pb::RetractEventRequest => RetractEventResponse) = retract;
}

write_service! {
    /// Retractions of recorded facts.
    CorrectionService for Corrections {
        retract_event => RetractEvent,
    }
}
