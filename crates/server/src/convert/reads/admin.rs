//! Projection statuses for the admin service.

use api::medaid::v1 as pb;
use app::projector::{ProjectionState, ProjectionStatus};

fn state(state: ProjectionState) -> pb::ProjectionState {
    match state {
        ProjectionState::CatchingUp => pb::ProjectionState::CatchingUp,
        ProjectionState::Live => pb::ProjectionState::Live,
        ProjectionState::Rebuilding => pb::ProjectionState::Rebuilding,
        ProjectionState::Failed => pb::ProjectionState::Failed,
        ProjectionState::Stopped => pb::ProjectionState::Stopped,
    }
}

/// One generation's status. The table prefix stays inside the server: it names database tables,
/// which are no part of the API.
pub fn status(s: &ProjectionStatus) -> pb::ProjectionStatus {
    pb::ProjectionStatus {
        name: s.name.clone(),
        version: s.version,
        generation: s.generation,
        active: s.active,
        state: state(s.state).into(),
        position: s.position,
        lag_events: s.lag_events,
        // NaN or a negative lag would only confuse a dashboard; report "caught up" instead.
        lag_seconds: if s.lag_seconds.is_finite() && s.lag_seconds > 0.0 {
            s.lag_seconds
        } else {
            0.0
        },
        failure: s.failure.as_ref().map(|f| pb::ProjectionFailure {
            position: f.position,
            reason: f.reason.clone(),
        }),
        last_error: s.last_error.clone().unwrap_or_default(),
    }
}
