//! `medaid.v1.ProjectionAdminService` (`projection_admin_service.proto`): projection status,
//! rebuilds and retries, for admins. Not a read-model query: it operates the projector.

use api::medaid::v1 as pb;
use api::medaid::v1::projection_admin_service_server::ProjectionAdminService;
use domain::values::ValueProblem;
use tonic::{Request, Response, Status};

use projector::{ProjectionState, ProjectionStatus};

use crate::services::principal;
use crate::status::{from_app_error, invalid_field};

/// Operation of the projector; the use cases check the admin role.
#[derive(Clone)]
pub struct ProjectionAdmin {
    app: app::App,
}

impl ProjectionAdmin {
    pub fn new(app: app::App) -> ProjectionAdmin {
        ProjectionAdmin { app }
    }
}

#[tonic::async_trait]
impl ProjectionAdminService for ProjectionAdmin {
    async fn list_projections(
        &self,
        request: Request<pb::ListProjectionsRequest>,
    ) -> Result<Response<pb::ListProjectionsResponse>, Status> {
        let caller = principal(&request)?;
        let mut found = self
            .app
            .projection_status(&caller)
            .await
            .map_err(from_app_error)?;
        // The documented order, whatever order the projector keeps them in.
        found.sort_by(|a, b| {
            (&a.name, a.version, a.generation).cmp(&(&b.name, b.version, b.generation))
        });
        Ok(Response::new(pb::ListProjectionsResponse {
            projections: found.iter().map(status).collect(),
        }))
    }

    async fn rebuild_projection(
        &self,
        request: Request<pb::RebuildProjectionRequest>,
    ) -> Result<Response<pb::RebuildProjectionResponse>, Status> {
        let caller = principal(&request)?;
        let name = projection_name(&request.get_ref().name)?;
        let generation = self
            .app
            .rebuild_projection(&caller, name)
            .await
            .map_err(from_app_error)?;
        tracing::info!(projection = %request.get_ref().name, generation, "rebuild started");
        Ok(Response::new(pb::RebuildProjectionResponse { generation }))
    }

    async fn retry_projection(
        &self,
        request: Request<pb::RetryProjectionRequest>,
    ) -> Result<Response<pb::RetryProjectionResponse>, Status> {
        let caller = principal(&request)?;
        let name = projection_name(&request.get_ref().name)?;
        self.app
            .retry_projection(&caller, name)
            .await
            .map_err(from_app_error)?;
        tracing::info!(projection = %request.get_ref().name, "projection restarted");
        Ok(Response::new(pb::RetryProjectionResponse {}))
    }
}

/// The required `name` of a rebuild or retry: empty is a missing field, not an unknown projection.
fn projection_name(name: &str) -> Result<&str, Status> {
    if name.is_empty() {
        return Err(invalid_field(&ValueProblem::Empty.at("name")));
    }
    Ok(name)
}

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
fn status(s: &ProjectionStatus) -> pb::ProjectionStatus {
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
