//! `medaid.v1.CollaborationService`.

use api::medaid::v1 as pb;
use api::medaid::v1::collaboration_service_server::CollaborationService;
use tonic::{Request, Response, Status};

use super::{Writer, write_rpc};
use crate::convert::collaboration;

/// Specialty alliances, co-built platforms and advanced study (进修).
#[derive(Clone)]
pub struct Collaborations {
    writer: Writer,
}

impl Collaborations {
    pub fn new(app: app::App) -> Collaborations {
        Collaborations {
            writer: Writer::new(app),
        }
    }
}

#[tonic::async_trait]
impl CollaborationService for Collaborations {
    async fn form_alliance(
        &self,
        request: Request<pb::FormAllianceRequest>,
    ) -> Result<Response<pb::FormAllianceResponse>, Status> {
        let written = write_rpc!(self.writer, request, collaboration::form_alliance)?;
        Ok(Response::new(pb::FormAllianceResponse {
            result: written.result,
            alliance_id: written.created_id,
        }))
    }

    async fn change_alliance_membership(
        &self,
        request: Request<pb::ChangeAllianceMembershipRequest>,
    ) -> Result<Response<pb::ChangeAllianceMembershipResponse>, Status> {
        let result = write_rpc!(self.writer, request, collaboration::change_membership)?.result;
        Ok(Response::new(pb::ChangeAllianceMembershipResponse {
            result,
        }))
    }

    async fn establish_platform(
        &self,
        request: Request<pb::EstablishPlatformRequest>,
    ) -> Result<Response<pb::EstablishPlatformResponse>, Status> {
        let written = write_rpc!(self.writer, request, collaboration::establish_platform)?;
        Ok(Response::new(pb::EstablishPlatformResponse {
            result: written.result,
            platform_id: written.created_id,
        }))
    }

    async fn start_advanced_study(
        &self,
        request: Request<pb::StartAdvancedStudyRequest>,
    ) -> Result<Response<pb::StartAdvancedStudyResponse>, Status> {
        let written = write_rpc!(self.writer, request, collaboration::start_study)?;
        Ok(Response::new(pb::StartAdvancedStudyResponse {
            result: written.result,
            study_id: written.created_id,
        }))
    }

    async fn complete_advanced_study(
        &self,
        request: Request<pb::CompleteAdvancedStudyRequest>,
    ) -> Result<Response<pb::CompleteAdvancedStudyResponse>, Status> {
        let result = write_rpc!(self.writer, request, collaboration::complete_study)?.result;
        Ok(Response::new(pb::CompleteAdvancedStudyResponse { result }))
    }
}
