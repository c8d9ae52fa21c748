//! Operating the projections: their status, a blue/green rebuild, and a retry after a failure.
//! All of it needs the `admin` role.

use projector::{ProjectionStatus, ProjectorError};

use super::unknown_projection;
use crate::App;
use crate::authorize::require_admin;
use crate::error::Error;
use crate::principal::Principal;

fn from_projector(error: ProjectorError) -> Error {
    match error {
        ProjectorError::Unknown(name) => unknown_projection(&name),
        ProjectorError::AlreadyRebuilding(name) => Error::FailedPrecondition {
            reason: "REBUILD_IN_PROGRESS",
            message: format!("projection {name} is already being rebuilt"),
            facts: vec![("projection".to_owned(), name)],
        },
        ProjectorError::Store(source) => source.into(),
        other => Error::internal(other),
    }
}

impl App {
    /// Every projection's version, position, lag and state, including generations being rebuilt.
    pub async fn projection_status(
        &self,
        caller: &Principal,
    ) -> Result<Vec<ProjectionStatus>, Error> {
        require_admin(caller)?;
        let projector = self.read_models()?;
        projector.status().await.map_err(from_projector)
    }

    /// Starts rebuilding `name` into new tables while queries keep reading the current ones; the
    /// projector switches over once the new generation has caught up. Returns the new generation.
    pub async fn rebuild_projection(&self, caller: &Principal, name: &str) -> Result<u32, Error> {
        require_admin(caller)?;
        let projector = self.read_models()?;
        projector.rebuild(name).await.map_err(from_projector)
    }

    /// Restarts a projection that stopped on an event it could not apply (after a fix was
    /// deployed). A projection that has not failed is left alone, so a repeated call is harmless.
    pub async fn retry_projection(&self, caller: &Principal, name: &str) -> Result<(), Error> {
        require_admin(caller)?;
        let projector = self.read_models()?;
        projector.retry(name).await.map_err(from_projector)?;
        Ok(())
    }
}
